"""A generative answer appears while it is written: the real bot against the fake Bot API
(tests/support/fakebotapi.py) and the fake LLM server (tests/support/fakellm.py) streaming its reply in pieces."""

from __future__ import annotations

import time

import pytest

from bot.messages import t
from bot.qa.assistant import Assistant
from bot.telegram.html import render_answer
from bot.telegram.state import BotState
from bot.telegram.stream import EDIT_INTERVAL
from tests.support.fakebotapi import FakeBotAPI, parse_entities
from tests.support.fakellm import FakeLLMServer, Reply, system_of
from tests.support.telegram import BOT_USERNAME, CHANNEL, TOKEN, BotRunner, copy_deployment, make_settings, wait_until

WAIT = 30.0
USER = 556001
QUESTION = "Where will the Central Asian Regional Centre be established?"
ANSWER = ("The Central Asian Regional Centre will be established at L.N. Gumilyov Eurasian National University "
          "in Astana [1]. It will coordinate research projects and develop micro-credentials [1].")
STREAMED = dict(pieces=8, gap=0.4)  # about 3 s of writing: room for two or three edits at most


@pytest.fixture(scope="module")
def llm():
    with FakeLLMServer() as server:
        yield server


@pytest.fixture
def fake():
    with FakeBotAPI(token=TOKEN, bot_username=BOT_USERNAME, long_poll_cap=0.3) as server:
        server.set_chat(CHANNEL, type="channel", title="Centre News")
        yield server


@pytest.fixture
def deploy(seed, tmp_path, fake, llm, default_embedder):
    states = []

    def make(with_llm: bool = True) -> tuple[Assistant, BotRunner]:
        root = copy_deployment(seed.root, tmp_path / f"deploy{len(states)}")
        overrides = dict(llm_base_url=llm.url, llm_model="local", llm_timeout=15.0,
                         llm_cross_language=False) if with_llm else {}
        settings = make_settings(root, fake, **overrides)
        assistant = Assistant(settings, embedder=default_embedder)
        states.append(BotState(root / "data" / "bot.db"))
        return assistant, BotRunner(settings, assistant, states[-1], fake)

    yield make
    for state in states:
        state.close()


def answering(reply: Reply):
    def script(body):
        assert not system_of(body).startswith(("Rewrite", "Translate")), "only the answer is asked for"
        return reply
    return script


def final(fake: FakeBotAPI) -> dict | None:
    """The bot's answer once it carries the 👍/👎 buttons (the final text)."""
    return next((m for m in fake.messages(USER) if (m.get("reply_markup") or {}).get("inline_keyboard")), None)


def edits_refused(fake: FakeBotAPI) -> list[int]:
    return [c.error_code for c in fake.failed_calls if c.method in ("sendMessage", "editMessageText")]


def as_shown(html: str) -> tuple[str, list]:
    return parse_entities(html, "HTML")


def test_a_generative_answer_is_shown_while_written_then_replaced_by_the_final_answer(deploy, fake, llm):
    assistant, bot = deploy()
    llm.reply(answering(Reply(ANSWER)))
    expected = as_shown(render_answer(assistant.ask(QUESTION)))  # the same answer, not streamed
    assert expected[0].startswith("The Central Asian Regional Centre") and "\n\nSources\n[1] " in expected[0]
    llm.reply(answering(Reply(ANSWER, **STREAMED)))

    with bot:
        started = time.monotonic()
        fake.push_message(USER, QUESTION, language_code="en")
        answer = wait_until(lambda: final(fake), WAIT)
        elapsed = time.monotonic() - started

    assert answer, fake.sent_texts(USER)
    sent = fake.calls_of("sendMessage")
    edits = fake.calls_of("editMessageText")
    assert len(sent) == 1 and len(fake.messages(USER)) == 2  # the question and one answer, edited in place
    first = sent[0]["text"]
    assert first.endswith(" …") and first[:-2] in ANSWER and len(first) < len(ANSWER)
    drafts = [e["text"] for e in edits[:-1]]
    assert drafts, "no edit between the first words and the final answer"
    assert all(d.endswith(" …") and d[:-2] in ANSWER for d in drafts)
    assert len({first, *drafts}) == len(drafts) + 1  # never the same text twice
    assert not edits_refused(fake)  # so no "message is not modified" either
    # One request every EDIT_INTERVAL s at most (the first message, then drafts); the final one is extra.
    assert 1 + len(drafts) <= elapsed / EDIT_INTERVAL + 1, (len(drafts), elapsed)
    assert (answer["text"], answer.get("entities", [])) == expected
    assert "reply_markup" not in edits[0] and edits[-1]["message_id"] == answer["message_id"]
    buttons = [b["callback_data"] for row in answer["reply_markup"]["inline_keyboard"] for b in row]
    assert [b.split(":")[0] + ":" + b.split(":")[2] for b in buttons] == ["fb:1", "fb:-1"]
    assert fake.calls_of("sendChatAction")  # "typing…" still shows while the model works


def test_a_rate_limited_edit_is_waited_out_and_the_answer_still_ends_complete(deploy, fake, llm):
    _, bot = deploy()
    llm.reply(answering(Reply(ANSWER, **STREAMED)))
    fake.fail_next("editMessageText", 429, retry_after=1)

    with bot:
        fake.push_message(USER, QUESTION, language_code="en")
        answer = wait_until(lambda: final(fake), WAIT)

    assert answer and "\n\nSources\n[1] " in answer["text"]
    assert len(fake.calls_of("sendMessage")) == 1 and len(fake.messages(USER)) == 2
    assert edits_refused(fake) == [429]  # waited out once, not hammered


@pytest.mark.parametrize("reply,shown", [
    pytest.param("NO_ANSWER", "not_known", id="no-answer"),
    pytest.param("The passages do not say when the centre will open.", "not_known", id="does-not-tell"),
    pytest.param("The centre will open in Astana [42].", "extractive", id="wrong-citation"),
])
def test_a_streamed_reply_that_is_not_used_ends_as_the_bots_own_answer(deploy, fake, llm, reply, shown):
    assistant, bot = deploy()
    expected = (t("not_known", "en") if shown == "not_known"
                else as_shown(render_answer(assistant.ask(QUESTION, use_llm=False)))[0])
    llm.reply(answering(Reply(reply, pieces=5, gap=0.3)))

    with bot:
        fake.push_message(USER, QUESTION, language_code="en")
        answer = wait_until(lambda: final(fake), WAIT)

    assert answer and answer["text"] == expected
    assert len(fake.calls_of("sendMessage")) == 1 and len(fake.messages(USER)) == 2
    assert not any("NO_" in text for text in fake.sent_texts(USER))
    if reply == "NO_ANSWER":  # nothing of it is ever shown: the one message is the final one
        assert not fake.calls_of("editMessageText")


def test_an_extractive_answer_is_one_message_and_no_edit(deploy, fake):
    _, bot = deploy(with_llm=False)

    with bot:
        fake.push_message(USER, QUESTION, language_code="en")
        answer = wait_until(lambda: final(fake), WAIT)

    assert answer and "Gumilyov" in answer["text"]
    assert len(fake.calls_of("sendMessage")) == 1 and not fake.calls_of("editMessageText")
