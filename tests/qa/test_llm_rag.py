"""Generative answers from the search's passages, follow-ups rewritten, questions searched in all three
languages: the real ``openai`` client against the scripted fake server of tests/support/fakellm.py, over the
session's corpus index (built once with the real model)."""

from __future__ import annotations

import re
import time

import pytest

from bot.messages import t
from index.search import SearchConfig
from tests.support.fakellm import MODEL_ANSWERING, FakeLLMServer, Reply, last_user, system_of

RU_SCHOOL = "Сколько учеников вмещает новая IT-школа в Шымкенте?"
KK_SCHOOL = "Шымкенттегі жаңа IT-мектеп қанша оқушыға арналған?"
EN_SCHOOL = "How many pupils is the new IT school in Shymkent for?"
HELPER_TIMEOUT = 0.5


@pytest.fixture(scope="module")
def server():
    with FakeLLMServer() as fake:
        yield fake


@pytest.fixture(scope="module")
def rag(corpus_assistant, server):
    """An Assistant with the LLM, reading the session's corpus index."""
    from bot.qa.assistant import Assistant
    from bot.settings import Settings

    settings = Settings(
        _env_file=None, knowledge_dir=corpus_assistant.settings.knowledge_dir,
        data_dir=corpus_assistant.settings.data_dir, llm_base_url=server.url, llm_model="local",
        llm_timeout=1.5, llm_helper_timeout=HELPER_TIMEOUT, llm_context_chars=3000,
    )
    return Assistant(settings, embedder=corpus_assistant.embedder)


@pytest.fixture
def llm(server):
    server.reply(Reply("NO_ANSWER"))
    yield server
    server.reply(Reply("NO_ANSWER"))


def passages_given(body) -> dict[int, str]:
    """[n] -> the heading line of each passage the model was shown."""
    return {int(n): heading for n, heading in re.findall(r"^\[(\d+)\] (.*)$", last_user(body), re.MULTILINE)}


def passage_about(body, words: str) -> int:
    return next(n for n, heading in passages_given(body).items() if words in heading)


def script(answer=lambda body: Reply("NO_ANSWER"), rendition: Reply | None = None, rewrite: Reply | None = None):
    def reply(body):
        system = system_of(body)
        if system.startswith("Translate"):
            return rendition or Reply(f"kk: {KK_SCHOOL}\nen: {EN_SCHOOL}")
        if system.startswith("Rewrite"):
            return rewrite or Reply(last_user(body))
        return answer(body)
    return reply


def school_answer(body) -> Reply:
    n = passage_about(body, "Шымкентте")
    return Reply(f"Новая IT-школа в Шымкенте рассчитана на 1200 учеников [{n}].")


def test_a_russian_question_is_answered_in_russian_from_the_kazakh_only_article(rag, llm):
    llm.reply(script(school_answer))

    answer = rag.ask(RU_SCHOOL)

    assert answer.mode == "llm" and answer.answered, answer.note
    assert answer.language == "ru" and "1200 учеников [1]" in answer.answer
    assert [(c.n, c.doc_id, c.lang) for c in answer.citations] == [(1, "shymkent-it-school", "kk")]
    assert "Шымкентте 1200 орындық IT-мектеп ашылды" in answer.as_text()
    rendered, answered = llm.requests
    assert "Kazakh (kk) and English (en)" in system_of(rendered) and RU_SCHOOL in last_user(rendered)
    shown = last_user(answered)
    assert "Russian" in system_of(answered) and "2025-08-29" in shown and "(Kazakh)" in shown
    assert len(shown) < 3000 + 1000  # the passages stay within the budget (plus headings and the question)
    assert answer.usage is not None and answer.usage.model == MODEL_ANSWERING
    assert answer.usage.calls == 2 and answer.usage.prompt_tokens == 240 and answer.usage.completion_tokens == 60


def test_the_renditions_are_searched_too(rag, llm):
    llm.reply(script(school_answer, rendition=Reply(f"kk: {KK_SCHOOL}\nen: {EN_SCHOOL}")))
    with_renditions = rag.ask_ranked(RU_SCHOOL)[1]

    ranked = [h.family for h in with_renditions]
    assert ranked[0] == "shymkent-it-school"
    # Fused: more than one wording of the question found it (one search alone gives at most 1 / (k + 1)).
    assert with_renditions[0].score > 1 / (SearchConfig().rrf_k + 1)


def test_the_model_reads_first_the_article_the_extractive_answer_quotes(eval_assistant, server, llm):
    """Asked of the Kazakh-only centre, Toraighyrov's Russian micro-credentials article outranks the centre's
    for a question about the centre's micro-credentials; the checks quote the centre's, and so does the model."""
    from bot.qa.assistant import Assistant
    from bot.settings import Settings

    kk_only, _ = eval_assistant("tuning-kk-only")
    question = "Какие микроквалификации будет развивать новый центр?"
    extractive, hits = kk_only.ask_ranked(question, use_llm=False)
    assert hits[0].family == "toraighyrov-microcredentials"
    assert extractive.citations[0].doc_id == "central-asia-centre-kk"
    assistant = Assistant(Settings(
        _env_file=None, knowledge_dir=kk_only.settings.knowledge_dir, data_dir=kk_only.settings.data_dir,
        llm_base_url=server.url, llm_model="local", llm_timeout=1.5, llm_cross_language=False,
    ), embedder=kk_only.embedder)
    shown: list[dict[int, str]] = []
    llm.reply(script(lambda body: shown.append(passages_given(body)) or Reply("NO_ANSWER")))

    assistant.ask(question)

    centre = kk_only.snapshot().documents["central-asia-centre-kk"].title
    assert shown and shown[-1][1].startswith(centre), shown


@pytest.mark.parametrize("reply,why", [
    pytest.param("Новая IT-школа рассчитана на 1200 учеников [42].", "citations", id="cites-a-passage-not-given"),
    pytest.param("Новая IT-школа рассчитана на 1200 учеников.", "citations", id="cites-nothing"),
    pytest.param("The new IT school in Shymkent is for 1200 pupils [1].", "wrong language", id="wrong-language"),
])
def test_an_answer_that_cannot_be_checked_falls_back_to_the_extractive_one(rag, llm, reply, why):
    extractive = rag.ask(RU_SCHOOL, use_llm=False)
    llm.reply(script(lambda body: Reply(reply)))

    answer = rag.ask(RU_SCHOOL)

    assert answer.mode == "extractive" and why in answer.note
    assert answer.answer == extractive.answer and answer.answered == extractive.answered


@pytest.mark.parametrize("reply", ["NO_ANSWER", "В приведённых отрывках нет сведений о стоимости обучения."])
def test_the_model_saying_the_passages_do_not_tell_is_the_bots_i_dont_know(rag, llm, reply):
    llm.reply(script(lambda body: Reply(reply)))

    answer = rag.ask("Сколько стоит обучение в IT-школе Шымкента?")

    assert not answer.answered and answer.citations == []
    assert answer.answer == t("not_known", "ru")


def test_the_model_is_asked_when_the_extractive_step_refused(rag, llm):
    question = "Сколько стоит обучение в IT-школе Шымкента?"
    assert not rag.ask(question, use_llm=False).answered  # no sentence holds a price of the lessons
    llm.reply(script(lambda body: Reply(
        "Стоимость обучения не указана; на строительство школы выделено 9,8 миллиарда тенге "
        f"[{passage_about(body, 'Шымкентте')}].")))

    answer = rag.ask(question)

    assert answer.mode == "llm" and answer.answered and "9,8 миллиарда тенге [1]" in answer.answer
    assert answer.citations[0].doc_id == "shymkent-it-school"


def test_a_slow_or_failing_endpoint_keeps_the_extractive_answer_within_the_deadlines(rag, llm):
    extractive = rag.ask(RU_SCHOOL, use_llm=False)
    for reply in (Reply(status=500), Reply(sleep=4.0)):
        llm.reply(reply)
        started = time.monotonic()
        answer = rag.ask(RU_SCHOOL)
        elapsed = time.monotonic() - started
        assert answer.mode == "extractive" and "llm failed" in answer.note
        assert answer.answer == extractive.answer
        assert elapsed < HELPER_TIMEOUT + 1.5 + 1.0, elapsed  # rendition deadline + answer deadline, loosely


def test_a_follow_up_is_rewritten_before_the_search(rag, llm):
    conversation = "chat-follow-up"
    llm.reply(script(school_answer))
    assert rag.ask(RU_SCHOOL, conversation=conversation).mode == "llm"

    searched = []

    def answer(body):
        searched.append(last_user(body).rsplit("Question: ", 1)[-1])
        return Reply(f"Школа принимает учеников 5–11 классов [{passage_about(body, 'Шымкентте')}].")

    llm.reply(script(answer, rewrite=Reply("Каких учеников принимает новая IT-школа в Шымкенте?")))
    follow = rag.ask("а кого туда берут?", conversation=conversation)

    assert follow.mode == "llm" and follow.answered and follow.citations[0].doc_id == "shymkent-it-school"
    assert searched == ["Каких учеников принимает новая IT-школа в Шымкенте?"]
    rewrite = next(body for body in llm.requests if system_of(body).startswith("Rewrite"))
    assert [m["content"] for m in rewrite["messages"][1:]][:1] == [RU_SCHOOL]  # the history went with it
    assert rewrite["messages"][-1]["content"] == "А кого туда берут?"


def test_a_failed_rewrite_falls_back_to_the_plain_question(rag, llm):
    conversation = "chat-rewrite-fails"
    llm.reply(script(school_answer))
    rag.ask(RU_SCHOOL, conversation=conversation)
    llm.reply(script(school_answer, rewrite=Reply(sleep=3.0)))

    started = time.monotonic()
    follow = rag.ask("а кого туда берут?", conversation=conversation)

    assert time.monotonic() - started < HELPER_TIMEOUT * 2 + 1.5 + 1.0
    assert follow.answered  # the question was read with the previous one, as without the LLM
