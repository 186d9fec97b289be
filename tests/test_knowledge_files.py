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
    scan = scan_knowledge(tmp_path)
    assert [d.id for d in scan.documents] == ["good-one"]
    problems = {Path(p.path).name: p.reason for p in scan.problems}
    assert "broken front matter" in problems["broken.md"]
    assert "unknown language 'de'" in problems["unknown-lang.md"]
    assert "no text" in problems["empty.md"]
    assert "binary" in problems["binary.txt"]
    assert "too large" in problems["huge.txt"]
    assert "not UTF-8" in problems["latin1.txt"]


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
    root = Path(__file__).resolve().parent.parent / "knowledge"
    scan = scan_knowledge(root)
    assert scan.problems == []
    by_lang = {d.lang: d for d in scan.documents}
    assert set(by_lang) == {"kk", "ru", "en"}
    assert by_lang["ru"].family == by_lang["en"].family == by_lang["kk"].id
    assert by_lang["kk"].source == "Kazinform" and by_lang["kk"].date == "2025-11-19"
    assert "Л.Н.Гумилев атындағы Еуразия ұлттық университеті" in by_lang["kk"].body
