"""Generative answers through an OpenAI-compatible endpoint, against a fake server (stdlib only).

The real ``openai`` client in bot/qa/llm.py talks to tests/support/fakellm.py's FakeLLMServer on
127.0.0.1. Each test configures what the fake replies (text, HTTP 500, a delay past the client timeout, a
body dripped a byte at a time) and inspects the requests it recorded. Anything but a good, cited answer in
the asker's language must leave the extractive answer in place.
"""

from __future__ import annotations

import time

import pytest

from bot.messages import t
from tests.support.corpus import copy_seed
from tests.support.fakellm import FakeLLMServer, Reply

RU_QUESTION = "Где будет создан региональный центр?"
RU_GOOD = (
    "Региональный центр будет создан на базе Евразийского национального университета "
    "имени Л. Н. Гумилёва в Астане [1]."
)
TIMEOUT = 0.5
SLEEP = 2.0


@pytest.fixture(scope="module")
def fake_llm():
    with FakeLLMServer(script=lambda body: Reply(RU_GOOD)) as fake:
        yield fake


@pytest.fixture(scope="module")
def llm_assistant(tmp_path_factory, seed, default_embedder, fake_llm):
    from bot.qa.assistant import Assistant
    from bot.settings import Settings

    base = copy_seed(seed, tmp_path_factory.mktemp("llm") / "seed")
    settings = Settings(
        knowledge_dir=base / "knowledge",
        data_dir=base / "data",
        llm_base_url=fake_llm.url,
        llm_model="fake-model",
        llm_api_key="sk-test",
        llm_timeout=TIMEOUT,
        llm_cross_language=False,  # one call per question here; tests/qa/test_llm_rag.py covers the renditions
    )
    assistant = Assistant(settings, embedder=default_embedder)
    assistant.reindex()
    return assistant


@pytest.fixture
def llm(fake_llm):
    fake_llm.reply(Reply(RU_GOOD))
    yield fake_llm
    fake_llm.reply(Reply(RU_GOOD))


def _extractive(assistant, question=RU_QUESTION):
    answer = assistant.ask(question, use_llm=False)
    assert answer.answered and answer.mode == "extractive", answer
    assert "[1]" in answer.answer
    return answer


def test_a_good_cited_answer_in_the_askers_language_is_used(llm_assistant, llm):
    extractive = _extractive(llm_assistant)
    assert llm.requests == []  # use_llm=False never reaches the endpoint

    answer = llm_assistant.ask(RU_QUESTION)

    assert answer.mode == "llm", answer.note
    assert answer.answered and answer.language == "ru"
    assert answer.answer == RU_GOOD
    assert [c.n for c in answer.citations] == [1]
    assert answer.citations[0].doc_id == extractive.citations[0].doc_id
    assert answer.citations[0].url in answer.as_text()

    assert len(llm.requests) == 1
    request = llm.calls[0]
    assert request.path == "/v1/chat/completions"
    assert request.headers.get("authorization") == "Bearer sk-test"
    assert request.body["model"] == "fake-model"
    messages = request.body["messages"]
    system = next(m["content"] for m in messages if m["role"] == "system")
    user = next(m["content"] for m in messages if m["role"] == "user")
    assert "Russian" in system and "NO_ANSWER" in system
    assert "[1]" in user
    assert RU_QUESTION.rstrip("?") in user
    assert extractive.citations[0].title in user


def _assert_fallback(answer, extractive, note_words):
    assert answer.mode == "extractive"
    assert answer.answered
    assert answer.answer == extractive.answer
    assert [c.n for c in answer.citations] == [c.n for c in extractive.citations]
    for word in note_words:
        assert word in answer.note.lower(), answer.note


@pytest.mark.parametrize(
    "reply,note_words",
    [
        pytest.param(
            "Региональный центр будет создан в Астане [7].", ["citation"], id="cites-a-passage-not-given"
        ),
        pytest.param(
            "Региональный центр будет создан на базе университета в Астане.", ["citation"], id="no-citation"
        ),
        pytest.param(
            "The regional centre will be established at the Gumilyov Eurasian National University in Astana [1].",
            ["language"],
            id="wrong-language",
        ),
        pytest.param("", ["rejected"], id="empty"),
    ],
)
def test_a_rejected_llm_answer_falls_back_to_the_extractive_one(llm_assistant, llm, reply, note_words):
    extractive = _extractive(llm_assistant)
    llm.reply(Reply(reply))

    answer = llm_assistant.ask(RU_QUESTION)

    _assert_fallback(answer, extractive, note_words)
    assert len(llm.requests) == 1


def test_an_http_error_falls_back_to_the_extractive_answer(llm_assistant, llm):
    extractive = _extractive(llm_assistant)
    llm.reply(Reply(RU_GOOD, status=500))

    answer = llm_assistant.ask(RU_QUESTION)

    _assert_fallback(answer, extractive, ["llm failed"])
    assert len(llm.requests) == 1  # max_retries=0: a failing endpoint is not hammered


def test_a_slow_endpoint_times_out_and_falls_back(llm_assistant, llm):
    extractive = _extractive(llm_assistant)
    llm.reply(Reply(RU_GOOD, sleep=SLEEP))

    started = time.monotonic()
    answer = llm_assistant.ask(RU_QUESTION)
    elapsed = time.monotonic() - started

    _assert_fallback(answer, extractive, ["llm failed"])
    assert "timeout" in answer.note.lower()
    assert elapsed < SLEEP + 1  # loose: the client gave up rather than waiting the server out


def test_an_endpoint_that_drips_is_given_up_on_at_the_total_deadline(llm_assistant, llm):
    extractive = _extractive(llm_assistant)
    llm.reply(Reply(RU_GOOD, drip=True))

    started = time.monotonic()
    answer = llm_assistant.ask(RU_QUESTION)
    elapsed = time.monotonic() - started

    _assert_fallback(answer, extractive, ["llm failed"])
    assert elapsed < TIMEOUT + 1.0, elapsed  # each byte came well within the per-read timeout
    assert llm.calls[0].body["max_tokens"] > 0


def test_no_answer_is_the_bots_i_dont_know_even_when_a_passage_was_quoted(llm_assistant, llm):
    _extractive(llm_assistant)
    llm.reply(Reply("NO_ANSWER"))

    answer = llm_assistant.ask(RU_QUESTION)

    assert not answer.answered and answer.citations == []
    assert answer.answer == t("not_known", "ru")


def test_an_unanswerable_question_is_still_put_to_the_llm_and_refused(llm_assistant, llm):
    question = "What's the weather in Almaty?"
    assert not llm_assistant.ask(question, use_llm=False).answered
    llm.reply(Reply("NO_ANSWER"))

    answer = llm_assistant.ask(question)

    assert not answer.answered
    assert answer.citations == []
    assert answer.answer == t("not_known", "en")
    assert len(llm.requests) == 1 and "[1]" in llm.calls[0].body["messages"][-1]["content"]
