"""Machine renditions at reindex: a Kazakh-only article translated into Russian and English by the scripted
fake OpenAI server (tests/support/fakellm.py) through the real ``openai`` client, indexed with the real model over a
copy of the session's seed index, then quoted by the extractive mode without the LLM."""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.qa.translate import MACHINE_DIR
from index.documents import parse_document
from index.language import detect_language
from tests.support.corpus import ROOT, copy_seed
from tests.support.fakellm import FakeLLMServer, Reply, last_user, system_of

ARTICLE = ROOT / "tests" / "eval" / "tuning" / "distractors" / "shymkent-it-school.md"
ORIGINAL = "shymkent-it-school"
RU_SCHOOL = "Сколько учеников вмещает новая IT-школа в Шымкенте?"
ADDED_KK = "Мектеп директоры болып информатика пәнінің мұғалімі Айгүл Сейітова тағайындалды."
TIMEOUT = 1.0

# What a good model would say for each Kazakh paragraph (and the title), by target language.
TRANSLATIONS = {
    "ru": {
        "Шымкентте 1200 орындық IT-мектеп ашылды": "В Шымкенте открылась IT-школа на 1200 мест",
        "ШЫМКЕНТ.": "ШЫМКЕНТ. В Каратауском районе Шымкента открылась новая IT-школа с уклоном в программирование и "
        "робототехнику. Трёхэтажное здание рассчитано на 1200 учеников. В школе 48 классных комнат, 6 кабинетов "
        "робототехники и зал киберспорта.",
        "Мектеп 1 қыркүйектен": "С 1 сентября школа принимает учеников 5–11 классов. По данным городского управления "
        "образования, подано более 3 400 заявлений, учеников отбирали по результатам тестирования по информатике и "
        "математике. Занятия ведутся на казахском, русском и английском языках.",
        "Құрылысқа": "На строительство из местного бюджета выделено 9,8 миллиарда тенге. Летом 20 из 76 педагогов "
        "школы прошли курсы повышения квалификации по языку Python и веб-разработке. С 9 класса ученики могут "
        "участвовать в реальных проектах вместе с местными IT-компаниями. После уроков в школе работают кружки "
        "шахмат, 3D-моделирования и создания мобильных приложений.",
        "Шымкент қаласының әкімдігі": "Акимат Шымкента планирует в 2026 году построить ещё одну такую школу в "
        "Абайском районе. Она будет рассчитана на 900 учеников и должна открыться к началу 2027–2028 учебного года.",
        "Мектеп директоры": "Директором школы назначена учитель информатики Айгуль Сеитова.",
    },
    "en": {
        "Шымкентте 1200 орындық IT-мектеп ашылды": "An IT school for 1,200 pupils opened in Shymkent",
        "ШЫМКЕНТ.": "SHYMKENT. A new IT school focused on programming and robotics has opened in the Karatau district "
        "of Shymkent. The three-storey building is designed for 1,200 pupils. The school has 48 classrooms, 6 robotics "
        "rooms and an esports hall.",
        "Мектеп 1 қыркүйектен": "From 1 September the school takes pupils of grades 5 to 11. According to the city "
        "education department, more than 3,400 applications were received, and pupils were selected by tests in "
        "computer science and mathematics. Lessons are taught in Kazakh, Russian and English.",
        "Құрылысқа": "9.8 billion tenge from the local budget were allocated for the construction. Over the summer, 20 "
        "of the school's 76 teachers took refresher courses in Python and web development. From grade 9, pupils can "
        "take part in real projects with local IT companies. After lessons the school runs clubs for chess, 3D "
        "modelling and mobile app development.",
        "Шымкент қаласының әкімдігі": "The Shymkent akimat plans to build another such school in the Abay district in "
        "2026. It will be designed for 900 pupils and is due to open at the start of the 2027–2028 school year.",
        "Мектеп директоры": "Aigul Seitova, a computer science teacher, has been appointed head of the school.",
    },
}


def translator(body) -> Reply:
    """A faithful model: each paragraph of the text it is given, in the language the prompt asks for."""
    system = system_of(body)
    if not system.startswith("You translate"):
        return Reply("NO_ANSWER")
    lang = "ru" if "into Russian" in system else "en"
    out = []
    for paragraph in last_user(body).split("\n\n"):
        out.append(next((tr for start, tr in TRANSLATIONS[lang].items() if paragraph.startswith(start)), paragraph))
    return Reply("\n\n".join(out))


def asked_into(server: FakeLLMServer) -> set[str]:
    return {("ru" if "into Russian" in system_of(b) else "en") for b in server.requests if system_of(b).startswith("You")}


@pytest.fixture(scope="module")
def server():
    with FakeLLMServer() as fake:
        yield fake


@pytest.fixture
def llm(server):
    server.reply(translator)
    yield server
    server.reply(Reply("NO_ANSWER"))


def assistant_for(root: Path, server: FakeLLMServer, embedder, **settings):
    from bot.qa.assistant import Assistant
    from bot.settings import Settings

    values = {"llm_base_url": server.url, "llm_model": "local", "llm_timeout": TIMEOUT} | settings
    return Assistant(Settings(_env_file=None, knowledge_dir=root / "knowledge", data_dir=root / "data", **values),
                     embedder=embedder)


def without_llm(root: Path, embedder):
    from bot.qa.assistant import Assistant
    from bot.settings import Settings

    return Assistant(Settings(_env_file=None, knowledge_dir=root / "knowledge", data_dir=root / "data"),
                     embedder=embedder)


def machine_files(root: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted((root / "knowledge" / MACHINE_DIR).glob("*.md"))}


def rendition(root: Path, lang: str):
    path = root / "knowledge" / MACHINE_DIR / f"{ORIGINAL}.{lang}-mt.md"
    return parse_document(path, path.read_bytes())


@pytest.fixture(scope="module")
def translated(tmp_path_factory, seed, server, default_embedder):
    """The seed plus the Kazakh-only article, reindexed once with the translating LLM."""
    root = copy_seed(seed, tmp_path_factory.mktemp("renditions") / "seed")
    shutil.copy(ARTICLE, root / "knowledge" / ARTICLE.name)
    server.reply(translator)
    report = assistant_for(root, server, default_embedder).reindex()
    server.reply(Reply("NO_ANSWER"))
    return root, report


def test_a_kazakh_only_article_gets_russian_and_english_rendition_files(translated):
    root, report = translated

    assert set(machine_files(root)) == {f"{ORIGINAL}.ru-mt.md", f"{ORIGINAL}.en-mt.md"}
    digest = hashlib.sha256(ARTICLE.read_bytes()).hexdigest()
    for lang, words in (("ru", "Трёхэтажное здание рассчитано на 1200 учеников"), ("en", "designed for 1,200 pupils")):
        doc = rendition(root, lang)
        assert (doc.id, doc.lang, doc.translation_of) == (f"{ORIGINAL}.{lang}-mt", lang, ORIGINAL)
        assert doc.machine_translation is True and doc.source_hash == digest
        assert doc.title == TRANSLATIONS[lang]["Шымкентте 1200 орындық IT-мектеп ашылды"]
        assert words in doc.body and doc.body.count("\n\n") == 3  # the paragraphs kept, in order, once each
        assert (doc.date, doc.url) == ("2025-08-29", "https://example.org/kk/shymkent-it-school")
    assert sorted(report.renditions_made) == [f"{ORIGINAL}.en-mt", f"{ORIGINAL}.ru-mt"]
    assert {f"{ORIGINAL}.en-mt", f"{ORIGINAL}.ru-mt", ORIGINAL} <= set(report.added)
    assert report.renditions_failed == [] and report.problems == []


def test_without_the_llm_a_russian_question_quotes_the_russian_machine_rendition(translated, default_embedder):
    from bot.telegram.html import render_answer

    root, _ = translated
    answer = without_llm(root, default_embedder).ask(RU_SCHOOL)

    assert answer.answered and answer.mode == "extractive", answer.note
    assert [(c.doc_id, c.lang, c.machine) for c in answer.citations][:1] == [(f"{ORIGINAL}.ru-mt", "ru", True)]
    quote = answer.citations[0].quote
    assert quote.split(". ")[0] in rendition(root, "ru").body and detect_language(quote).lang == "ru"
    assert answer.answer.startswith(quote.split(". ")[0])  # no "only in Kazakh" note before it
    assert "[1] В Шымкенте открылась IT-школа на 1200 мест (машинный перевод) — Оңтүстік өңір" in answer.as_text()
    assert "IT-школа на 1200 мест</a> (машинный перевод)" in render_answer(answer)


def test_centre_bot_ask_shows_machine_translation_in_the_sources(translated):
    from bot.cli import app

    root, _ = translated
    result = CliRunner().invoke(app, ["ask", "--knowledge", str(root / "knowledge"), "--data", str(root / "data"),
                                      "How many pupils is the new IT school in Shymkent for?"])

    assert result.exit_code == 0, result.output
    assert "1,200 pupils" in result.stdout
    assert "An IT school for 1,200 pupils opened in Shymkent (machine translation)" in result.stdout


def test_an_unchanged_original_is_not_translated_again(translated, llm, default_embedder, tmp_path):
    root = Path(shutil.copytree(translated[0], tmp_path / "again"))
    before = {name: path.read_bytes() for name, path in machine_files(root).items()}

    report = assistant_for(root, llm, default_embedder).reindex()

    assert llm.requests == [] and report.renditions_made == [] and not report.changed_anything
    assert {name: path.read_bytes() for name, path in machine_files(root).items()} == before


def test_a_human_rendition_is_never_overwritten(seed_copy, llm, default_embedder):
    shutil.copy(ARTICLE, seed_copy / "knowledge" / ARTICLE.name)
    human = seed_copy / "knowledge" / "shymkent-it-school.ru.md"
    human.write_text("---\nid: shymkent-it-school-ru\ntitle: В Шымкенте открыли IT-школу\ndate: 2025-08-29\nlang: ru\n"
                     "translation_of: shymkent-it-school\n---\nВ Шымкенте открыли IT-школу на 1200 учеников. "
                     "В ней 48 классов и зал киберспорта.\n", encoding="utf-8")
    text = human.read_bytes()

    report = assistant_for(seed_copy, llm, default_embedder).reindex()

    assert set(machine_files(seed_copy)) == {f"{ORIGINAL}.en-mt.md"} and asked_into(llm) == {"en"}
    assert human.read_bytes() == text and report.renditions_made == [f"{ORIGINAL}.en-mt"]


def test_a_human_rendition_added_later_removes_the_machine_one(translated, llm, default_embedder, tmp_path):
    root = Path(shutil.copytree(translated[0], tmp_path / "later"))
    (root / "knowledge" / "shymkent-it-school.ru.md").write_text(
        "---\nid: shymkent-it-school-ru\ntitle: В Шымкенте открыли IT-школу\ndate: 2025-08-29\nlang: ru\n"
        "translation_of: shymkent-it-school\n---\nВ Шымкенте открыли IT-школу: трёхэтажное здание рассчитано на "
        "1200 учеников.\n", encoding="utf-8")

    report = assistant_for(root, llm, default_embedder).reindex()

    assert set(machine_files(root)) == {f"{ORIGINAL}.en-mt.md"} and llm.requests == []
    assert report.renditions_removed == [f"{ORIGINAL}.ru-mt"] and f"{ORIGINAL}.ru-mt" in report.removed
    answer = without_llm(root, default_embedder).ask(RU_SCHOOL)
    assert [(c.doc_id, c.machine) for c in answer.citations][:1] == [("shymkent-it-school-ru", False)]


def test_changing_the_original_remakes_its_renditions(translated, llm, default_embedder, tmp_path):
    root = Path(shutil.copytree(translated[0], tmp_path / "changed"))
    original = root / "knowledge" / ARTICLE.name
    original.write_text(original.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{ADDED_KK}\n", encoding="utf-8")

    report = assistant_for(root, llm, default_embedder).reindex()

    assert sorted(report.renditions_made) == [f"{ORIGINAL}.en-mt", f"{ORIGINAL}.ru-mt"] and asked_into(llm) == {"ru", "en"}
    digest = hashlib.sha256(original.read_bytes()).hexdigest()
    assert rendition(root, "ru").source_hash == digest and "Айгуль Сеитова" in rendition(root, "ru").body
    assert rendition(root, "en").source_hash == digest and "Aigul Seitova" in rendition(root, "en").body
    assert {f"{ORIGINAL}.en-mt", f"{ORIGINAL}.ru-mt", ORIGINAL} <= set(report.changed)


def test_translation_switched_off_makes_no_files(seed_copy, llm, default_embedder):
    shutil.copy(ARTICLE, seed_copy / "knowledge" / ARTICLE.name)

    report = assistant_for(seed_copy, llm, default_embedder, llm_translate=False).reindex()

    assert machine_files(seed_copy) == {} and llm.requests == [] and report.added == [ORIGINAL]


@pytest.mark.parametrize("reply", [
    Reply(status=500),
    Reply("Шымкентте жаңа IT-мектеп ашылды, ол 1200 оқушыға арналған."),  # the wrong language
    Reply(""),
    Reply("В Шымкенте открылась школа.", sleep=TIMEOUT + 1),  # past the timeout
], ids=["500", "wrong-language", "empty", "timeout"])
def test_a_failing_endpoint_leaves_the_original_and_the_reindex_succeeds(seed_copy, llm, default_embedder, caplog,
                                                                          reply):
    shutil.copy(ARTICLE, seed_copy / "knowledge" / ARTICLE.name)
    llm.reply(reply)

    with caplog.at_level(logging.WARNING, logger="bot.qa.translate"):
        report = assistant_for(seed_copy, llm, default_embedder).reindex()

    assert machine_files(seed_copy) == {} and report.added == [ORIGINAL] and report.problems == []
    assert report.renditions_failed == [ORIGINAL]
    failures = [r.getMessage() for r in caplog.records if "event=translation_failed" in r.getMessage()]
    assert len(failures) == 2 and all(f"doc={ORIGINAL}" in line for line in failures), failures
    assert (seed_copy / "knowledge" / ARTICLE.name).read_bytes() == ARTICLE.read_bytes()

    llm.reply(translator)  # the next reindex tries again
    again = assistant_for(seed_copy, llm, default_embedder).reindex()
    assert sorted(again.renditions_made) == [f"{ORIGINAL}.en-mt", f"{ORIGINAL}.ru-mt"]


def test_the_admin_reads_what_was_translated_in_their_language():
    from bot.telegram.admin import report_html
    from index.builder import ReindexReport

    report = ReindexReport(added=[f"{ORIGINAL}.ru-mt"], renditions_made=[f"{ORIGINAL}.ru-mt"],
                           renditions_removed=["old.en-mt"], renditions_failed=["other"], renditions_too_long=["long"])

    text = report_html(report, "ru")

    assert f"Сделаны машинные переводы: <code>{ORIGINAL}.ru-mt</code>" in text
    assert "Удалены машинные переводы" in text and "<code>old.en-mt</code>" in text
    assert "Не удалось перевести эти статьи" in text and "<code>other</code>" in text
    assert "слишком длинные для машинного перевода" in text and "<code>long</code>" in text
