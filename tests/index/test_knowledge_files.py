"""Knowledge folders as admins really fill them: good articles, plain text, and files that are broken."""

from __future__ import annotations

from pathlib import Path

from index.documents import scan_knowledge

GOOD = """---
id: good-one
title: "A good article"
date: 2025-11-19
lang: en
source: Test
url: https://example.org/good
---
The ASEM LLL Hub is a network. It was founded in 2004.
"""


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_bad_files_are_skipped_with_a_message_naming_file_and_problem(tmp_path):
    write(tmp_path, "good.md", GOOD)
    write(tmp_path, "broken.md", "---\ntitle: [unclosed\nlang: en\n---\nText here.\n")
    write(tmp_path, "unknown-lang.md", GOOD.replace("lang: en", "lang: de").replace("good-one", "x1"))
    write(tmp_path, "empty.md", GOOD.split("---\nThe")[0] + "---\n\n   \n".replace("good-one", "x2"))
    write(tmp_path, "binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    write(tmp_path, "huge.txt", "Title\n" + "word " * 500_000)
    write(tmp_path, "latin1.txt", "Title\nCaf\xe9".encode("latin-1"))
    write(tmp_path, "odd-flag.md", GOOD.replace("good-one", "x3").replace("lang: en", "lang: en\nhome: maybe"))
    scan = scan_knowledge(tmp_path)
    assert [d.id for d in scan.documents] == ["good-one"]
    problems = {Path(p.path).name: p.reason for p in scan.problems}
    assert "broken front matter" in problems["broken.md"]
    assert "unknown language 'de'" in problems["unknown-lang.md"]
    assert "no text" in problems["empty.md"]
    assert "binary" in problems["binary.txt"]
    assert "too large" in problems["huge.txt"]
    assert "not UTF-8" in problems["latin1.txt"]
    assert "home 'maybe' is not true or false" in problems["odd-flag.md"]


def test_plain_text_first_line_is_the_title_and_language_is_detected(tmp_path):
    write(tmp_path, "note.txt", "Новость о центре\nВ Астане создадут региональный центр.\n")
    write(tmp_path, "seed.txt", " date 2025-11-19 Астанада орталық құрылады\nОрталық Азия өңірлік орталығы құрылмақ.\n")
    docs = {d.id: d for d in scan_knowledge(tmp_path).documents}
    assert docs["note"].title == "Новость о центре" and docs["note"].lang == "ru"
    assert docs["seed"].title == "Астанада орталық құрылады" and docs["seed"].date == "2025-11-19"
    assert docs["seed"].lang == "kk"


def test_duplicate_ids_are_reported_and_a_rendition_keeps_its_family_without_the_original(tmp_path):
    write(tmp_path, "a.md", GOOD)
    write(tmp_path, "b.md", GOOD)
    write(tmp_path, "c.md", GOOD.replace("good-one", "c-ru").replace("lang: en", "lang: ru\ntranslation_of: gone"))
    scan = scan_knowledge(tmp_path)
    assert ["already used" in p.reason for p in scan.problems] == [True]
    docs = {d.id: d for d in scan.documents}
    assert set(docs) == {"good-one", "c-ru"}
    # Removing an original must not turn its renditions into "new" articles (announced again).
    assert docs["c-ru"].family == "gone"


def test_the_shipped_knowledge_is_the_seed_in_three_languages():
    root = Path(__file__).resolve().parents[2] / "knowledge"
    scan = scan_knowledge(root)
    assert scan.problems == []
    by_lang = {d.lang: d for d in scan.documents}
    assert set(by_lang) == {"kk", "ru", "en"}
    assert by_lang["ru"].family == by_lang["en"].family == by_lang["kk"].id
    assert by_lang["kk"].source == "Kazinform" and by_lang["kk"].date == "2025-11-19"
    assert by_lang["kk"].home  # the article about the centre itself
    assert "Л.Н.Гумилев атындағы Еуразия ұлттық университеті" in by_lang["kk"].body


def test_one_odd_file_never_stops_the_scan_and_is_named(tmp_path):
    write(tmp_path, "good.md", GOOD)
    write(tmp_path, "month-13.md", GOOD.replace("2025-11-19", "2025-13-45").replace("good-one", "x1"))
    write(tmp_path, "feb-30.md", GOOD.replace("2025-11-19", "2025-02-30").replace("good-one", "x2"))
    write(tmp_path, "bad-tag.md", GOOD.replace('title: "A good article"', "title: !!float 'abc'").replace("good-one", "x3"))
    bomb = "---\nid: x4\nlang: en\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
    for level in "bcdefghi":
        previous = chr(ord(level) - 1)
        bomb += f"{level}: &{level} [" + ",".join([f"*{previous}"] * 9) + "]\n"
    write(tmp_path, "bomb.md", bomb + "title: *i\n---\nText.\n")
    write(tmp_path, "deep.md", "---\nid: x5\nlang: en\ntitle: " + "[" * 100_000 + "\n---\nText.\n")
    scan = scan_knowledge(tmp_path)
    assert [d.id for d in scan.documents] == ["good-one"]
    problems = {Path(p.path).name: p.reason for p in scan.problems}
    assert "'2025-13-45' is not YYYY-MM-DD" in problems["month-13.md"]
    assert "'2025-02-30' is not YYYY-MM-DD" in problems["feb-30.md"]
    assert "broken front matter" in problems["bad-tag.md"]
    assert "aliases" in problems["bomb.md"]
    assert set(problems) == {"month-13.md", "feb-30.md", "bad-tag.md", "bomb.md", "deep.md"}


def test_symbolic_links_that_cannot_be_read_are_reported(tmp_path):
    knowledge, elsewhere = tmp_path / "knowledge", tmp_path / "elsewhere"
    knowledge.mkdir()
    elsewhere.mkdir()
    write(elsewhere, "linked.md", GOOD)
    (knowledge / "folder").symlink_to(elsewhere, target_is_directory=True)
    (knowledge / "gone.md").symlink_to(tmp_path / "missing.md")
    (knowledge / "file.md").symlink_to(elsewhere / "linked.md")  # a link to a file is simply read
    scan = scan_knowledge(knowledge)
    assert [d.id for d in scan.documents] == ["good-one"]
    problems = {Path(p.path).name: p.reason for p in scan.problems}
    assert "link to a folder" in problems["folder"] and "does not exist" in problems["gone.md"]
