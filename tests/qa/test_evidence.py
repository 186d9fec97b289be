"""Which centre a question names: the bot's own, or another body named by words of its own; what a question asks
to define."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.qa.evidence import another_centre, defined_term
from index.lexical import tokenize

KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
HOME_WORDS = {t for path in KNOWLEDGE.glob("central-asia-centre.*.md")
              for t in tokenize(path.read_text("utf-8").split("---", 2)[2])}  # the text, not its front matter


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("Медициналық симуляция орталығы қайда ашылды?", {"Медициналық", "симуляция"}),
        ("Где открылся центр клинической симуляции?", {"клинической", "симуляции"}),
        ("Кто возглавляет симуляционный центр?", {"симуляционный"}),
        ("Where is the language learning centre?", {"language"}),  # "learning" is the centre's own word
        ("Who leads the centre for apprenticeship education?", {"apprenticeship"}),
    ],
)
def test_a_centre_named_by_words_the_centre_lacks_is_another(question, named):
    assert another_centre(question, HOME_WORDS) == named


@pytest.mark.parametrize(
    "question",
    [
        "Жаңа орталық немен айналысады?",
        "Чем будет заниматься Центральноазиатский региональный центр?",
        "Where will the new regional centre be?",
        "Сколько стоит обучение в новом центре?",
        # The centre owns what is asked about, or the words around it say what it does or where it is.
        "Орталықтың жатақханасы қайда орналасқан?",
        "Где находится общежитие центра?",
        "Where is the centre's dormitory?",
        "Есть ли у центра стипендии?",
        "Будут ли в центре онлайн-курсы?",
        "Шетелдіктер орталықта оқи ала ма?",
        "Что будет делать жаңа орталық?",
        "Астанада ашылатын орталық не істейді?",
        "ЕҰУ-дағы жаңа орталықты кім басқарады?",
    ],
)
def test_the_bots_own_centre_is_not_another(question):
    assert another_centre(question, HOME_WORDS) == set()


@pytest.mark.parametrize(
    "question,term",
    [
        ("What is Baiterek?", "Baiterek"),
        ("What is the Hub?", "Hub"),
        ("ASEM LLL Hub, what is it?", "ASEM LLL Hub"),
        ("Кто такой Мадибеков?", "Мадибеков"),
        ("Хаб это что вообще", "Хаб"),
        ("Бәйтерек деген не?", "Бәйтерек"),
        ("Хаб дегеніміз не өзі?", "Хаб"),
        # Questions of other kinds: a stopword in what follows "what is" says so.
        ("What is the centre for?", None),
        ("What is the weather in Almaty tomorrow?", None),
        ("Who is chairing the hub now?", None),
        ("Что такое ASEM и чем оно занимается?", None),
    ],
)
def test_what_a_question_asks_to_define(question, term):
    assert defined_term(question) == term
