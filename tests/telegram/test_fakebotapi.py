"""Tests proving that tests/support/fakebotapi.py works with the real python-telegram-bot client,
for the calls and checks the bot relies on."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    ChatMemberAdministrator,
    ChatMemberMember,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, Conflict, EndPointNotFound, Forbidden, RetryAfter
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.support.fakebotapi import FakeBotAPI, UploadedFile

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijkl"
USER = 555001


@pytest.fixture
def fake() -> FakeBotAPI:
    with FakeBotAPI(token=TOKEN, bot_username="centre_test_bot") as server:
        yield server


def build_app(fake: FakeBotAPI, *, rate_limiter: AIORateLimiter | None = None) -> Application:
    builder = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{fake.url}/bot")
        .base_file_url(f"{fake.url}/file/bot")
    )
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    return builder.build()


@contextlib.asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0.0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


async def sent_text(fake: FakeBotAPI, text=None, *, contains=None, timeout=5.0) -> dict | None:
    """The params of the first successful sendMessage whose text is ``text`` (or contains ``contains``)."""
    def match(params: dict) -> bool:
        body = params.get("text", "")
        return body == text if text is not None else contains in body
    return await fake.wait_for_call("sendMessage", match, timeout=timeout)


@contextlib.asynccontextmanager
async def plain_bot(fake: FakeBotAPI) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url) as bot:
        yield bot


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    sent = await update.effective_message.reply_text(update.effective_message.text)
    context.bot_data.setdefault("sent", []).append(sent)


# ---------------------------------------------------------------------------------- polling


@pytest.mark.asyncio
async def test_echo_via_polling(fake: FakeBotAPI) -> None:
    app = build_app(fake)
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    async with polling(app):
        update = fake.push_message(USER, "Привет, центр! 👋", first_name="Айгерим")
        params = await sent_text(fake, "Привет, центр! 👋")
        assert params is not None, fake.calls
        assert params["chat_id"] == USER  # decoded from the form string "555001"
        # PTB de-serialized our Message response
        assert await fake.wait_for_async(lambda: app.bot_data.get("sent"), timeout=5)
        sent = app.bot_data["sent"][0]
        assert sent.from_user.id == fake.bot_id and sent.from_user.is_bot
        assert sent.chat.id == USER and sent.text == "Привет, центр! 👋"
        # per-chat message ids: the user's message was 1, the bot's answer is 2
        assert update["message"]["message_id"] == 1 and sent.message_id == 2
    methods = [call.method for call in fake.calls]
    assert methods[0] == "getMe" and "deleteWebhook" in methods
    # Updater confirmed the update on shutdown (offset = update_id + 1)
    assert fake.calls_of("getUpdates")[-1]["offset"] == update["update_id"] + 1
    assert fake.pending_updates == []


@pytest.mark.asyncio
async def test_commands_and_callback_query(fake: FakeBotAPI) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Русский", callback_data="lang:ru"),
              InlineKeyboardButton("Қазақша", callback_data="lang:kk")]]
        )
        await update.effective_message.reply_text("<b>Выберите язык</b>", parse_mode="HTML",
                                                  reply_markup=keyboard)

    async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer("OK")
        await query.edit_message_text(f"Язык: {query.data.split(':')[1]}")

    app = build_app(fake)
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(on_button, pattern=r"^lang:"))
    group = -1001234567890
    async with polling(app):
        fake.push_message(USER, "/start")
        menu = await fake.wait_for_call("sendMessage", lambda p: p["chat_id"] == USER, timeout=5)
        assert menu is not None
        assert menu["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "lang:kk"
        sent = fake.messages(USER)[-1]
        assert sent["text"] == "Выберите язык"  # HTML parsed like Telegram does
        assert sent["entities"] == [{"type": "bold", "offset": 0, "length": 13}]

        update = fake.push_callback(USER, USER, "lang:kk", sent["message_id"])
        edit = await fake.wait_for_call("editMessageText", timeout=5)
        assert edit is not None and edit["text"] == "Язык: kk"
        answer = fake.calls_of("answerCallbackQuery")
        assert answer == [{"callback_query_id": update["callback_query"]["id"], "text": "OK"}]
        assert fake.messages(USER)[-1]["text"] == "Язык: kk"

        # /start@bot in a supergroup: bot_command entity covers the @username part
        upd = fake.push_message(group, "/start@centre_test_bot", chat_type="supergroup",
                                user_id=USER)
        assert upd["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 22}]
        reply = await fake.wait_for_call("sendMessage", lambda p: p["chat_id"] == group, timeout=5)
        assert reply is not None
        # PTB quotes in groups: reply_parameters point at the user's message
        assert reply["reply_parameters"]["message_id"] == upd["message"]["message_id"]


@pytest.mark.asyncio
async def test_429_is_retried_by_aioratelimiter(fake: FakeBotAPI) -> None:
    app = build_app(fake, rate_limiter=AIORateLimiter(max_retries=1))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    async with polling(app):
        started = time.monotonic()
        fake.push_message(USER, "ping")
        assert await sent_text(fake, "ping", timeout=8) is not None, fake.calls
        assert time.monotonic() - started >= 1.0  # waited retry_after
    failed = fake.failed_calls
    assert [(f.method, f.error_code) for f in failed] == [("sendMessage", 429)]
    assert failed[0].description == "Too Many Requests: retry after 1"
    assert len(fake.sent_messages(USER)) == 1
    assert len(fake.calls_of("sendMessage")) == 2  # every call is recorded...
    assert len(fake.calls_of("sendMessage", ok_only=True)) == 1  # ...one went through


@pytest.mark.asyncio
async def test_document_download_via_get_file(fake: FakeBotAPI) -> None:
    content = "Расписание курсов\n".encode() * 3

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        doc = update.effective_message.document
        tg_file = await doc.get_file()
        data = await tg_file.download_as_bytearray()
        await update.effective_message.reply_text(
            f"{doc.file_name}: {len(data)} bytes, first line: {bytes(data).decode().splitlines()[0]}"
        )

    app = build_app(fake)
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    fake.add_file("DOC-1", content, "расписание.txt")
    async with polling(app):
        upd = fake.push_message(USER, "вот файл", document="DOC-1")
        assert upd["message"]["caption"] == "вот файл" and "text" not in upd["message"]
        params = await sent_text(fake, contains="bytes")
    assert params is not None, fake.calls
    assert params["text"] == f"расписание.txt: {len(content)} bytes, first line: Расписание курсов"
    assert fake.calls_of("getFile") == [{"file_id": "DOC-1"}]
    assert fake.calls_of("downloadFile")[0]["file_id"] == "DOC-1"


@pytest.mark.asyncio
async def test_webhook_mode_with_made_up_update(fake: FakeBotAPI) -> None:
    pytest.importorskip("tornado")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = build_app(fake)
    app.add_handler(MessageHandler(filters.TEXT, echo))
    async with app:
        await app.start()
        await app.updater.start_webhook(
            listen="127.0.0.1", port=port, url_path="tg",
            webhook_url="https://bot.example.org/tg", secret_token="s3cret_Token",
        )
        try:
            assert fake.webhook["url"] == "https://bot.example.org/tg"
            assert fake.webhook["secret_token"] == "s3cret_Token"
            update = fake.make_message_update(USER, "via webhook")
            assert fake.pending_updates == []  # make_* does not queue
            async with httpx.AsyncClient() as client:
                bad = await client.post(f"http://127.0.0.1:{port}/tg", json=update,
                                        headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"})
                assert bad.status_code == 403
                ok = await client.post(f"http://127.0.0.1:{port}/tg", json=update,
                                       headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret_Token"})
                assert ok.status_code == 200
            assert await sent_text(fake, "via webhook")
        finally:
            await app.updater.stop()
            await app.stop()


# ------------------------------------------------------------------------ direct Bot calls


@pytest.mark.asyncio
async def test_uploads_are_multipart_and_downloadable(fake: FakeBotAPI) -> None:
    async with plain_bot(fake) as bot:
        photo = await bot.send_photo(USER, photo=b"\x89PNG fake bytes", caption="<i>фото</i>",
                                     parse_mode="HTML", filename='фото "v1".png')
        await bot.send_message(USER, "report")
    params = fake.calls_of("sendPhoto")[0]
    assert isinstance(params["photo"], UploadedFile)
    assert params["photo"].content == b"\x89PNG fake bytes"
    assert params["photo"].filename == 'фото "v1".png'  # UTF-8 and httpx's %22 undone
    assert params["chat_id"] == USER and params["caption"] == "<i>фото</i>"
    assert photo.caption == "фото" and photo.caption_entities[0].type == "italic"
    assert [c.method for c in fake.sent_messages(USER)] == ["sendPhoto", "sendMessage"]
    assert fake.sent_texts(USER) == ["<i>фото</i>", "report"]
    async with plain_bot(fake) as bot:
        tg_file = await bot.get_file(photo.photo[-1].file_id)
        assert tg_file.file_path.startswith(f"{fake.url}/file/bot{TOKEN}/photos/")
        assert bytes(await tg_file.download_as_bytearray()) == b"\x89PNG fake bytes"
        with pytest.raises(BadRequest, match=r"(?i)Invalid file_id"):
            await bot.get_file("nope")


@pytest.mark.asyncio
async def test_failure_injection_and_validation(fake: FakeBotAPI) -> None:
    async with plain_bot(fake) as bot:
        fake.fail_next("sendMessage", 400, "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0")
        with pytest.raises(BadRequest, match=r"(?i)Can't parse entities"):
            await bot.send_message(USER, "hello")
        await bot.send_message(USER, "hello")  # only the next call failed

        fake.fail_next("sendChatAction", 429, retry_after=3, times=2)
        for _ in range(2):
            with pytest.raises(RetryAfter, match="Retry in 3"):
                await bot.send_chat_action(USER, "typing")
        assert await bot.send_chat_action(USER, "typing") is True

        # real HTML validation (like Telegram), without any injection
        with pytest.raises(BadRequest, match=r"(?i)Can't find end tag"):
            await bot.send_message(USER, "<b>unclosed", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)Unsupported start tag"):
            await bot.send_message(USER, "1 < 2", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)unsupported parse_mode"):
            await bot.send_message(USER, "*Done*", parse_mode="MarkdownV2")
        with pytest.raises(BadRequest, match=r"(?i)Message is too long"):
            await bot.send_message(USER, "x" * 4097)
        with pytest.raises(BadRequest, match=r"(?i)Button_data_invalid"):
            await bot.send_message(USER, "k", reply_markup=InlineKeyboardMarkup(
                [[InlineKeyboardButton("b", callback_data="x" * 65)]]))

        remove = fake.reject_if("sendMessage", lambda p: (403, "Forbidden: bot was blocked by the user")
                                if p["chat_id"] == 42 else None)
        with pytest.raises(Forbidden, match=r"(?i)blocked"):
            await bot.send_message(42, "hi")
        await bot.send_message(43, "hi")
        remove()
        await bot.send_message(42, "hi")

        # edits: unknown message, not modified, ok (the errors send_html tells apart)
        msg = await bot.send_message(USER, "v1")
        with pytest.raises(BadRequest, match=r"(?i)Message to edit not found"):
            await bot.edit_message_text("x", chat_id=USER, message_id=999)
        with pytest.raises(BadRequest, match=r"(?i)Message is not modified"):
            await bot.edit_message_text("v1", chat_id=USER, message_id=msg.message_id)
        edited = await bot.edit_message_text("v2", chat_id=USER, message_id=msg.message_id)
        assert edited.text == "v2" and edited.edit_date is not None
        with pytest.raises(BadRequest, match=r"(?i)Message_too_long"):
            await bot.edit_message_text("x" * 4097, chat_id=USER, message_id=msg.message_id)

        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("sendUnicorn", api_kwargs={"chat_id": USER})
    assert any(f.method == "sendUnicorn" and f.error_code == 404 for f in fake.failed_calls)


@pytest.mark.asyncio
async def test_chats_members_commands_and_webhook_info(fake: FakeBotAPI) -> None:
    fake.set_chat("@centre_news", type="channel", title="Centre News",
                  bot_status="administrator", can_post_messages=True)
    fake.set_chat("@readonly_chan", type="channel", title="RO", bot_status="member")
    async with plain_bot(fake) as bot:
        chat = await bot.get_chat("@centre_news")
        assert chat.type == "channel" and chat.title == "Centre News"
        me = await bot.get_chat_member("@centre_news", fake.bot_id)
        assert isinstance(me, ChatMemberAdministrator) and me.can_post_messages is True
        post = await bot.send_message("@centre_news", "Новость")
        assert post.chat.id == chat.id and post.sender_chat.id == chat.id
        assert [c.params["text"] for c in fake.sent_messages(chat.id)] == ["Новость"]

        assert isinstance(await bot.get_chat_member("@readonly_chan", fake.bot_id), ChatMemberMember)
        with pytest.raises(BadRequest, match=r"(?i)Need administrator rights"):
            await bot.send_message("@readonly_chan", "x")
        with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
            await bot.get_chat("@nowhere")
        with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
            await bot.get_chat_member(-100999, USER)
        with pytest.raises(BadRequest, match=r"(?i)Chat not found"):
            await bot.send_message("@nowhere", "x")

        scope = BotCommandScopeAllPrivateChats()
        await bot.set_my_commands([BotCommand("start", "Начать"), BotCommand("help", "Помощь")],
                                  scope=scope, language_code="ru")
        assert fake.calls_of("setMyCommands")[0]["scope"] == {"type": "all_private_chats"}
        assert fake.calls_of("setMyCommands")[0]["language_code"] == "ru"
        assert [c["command"] for c in fake.commands_for("all_private_chats", "ru")] == ["start", "help"]
        assert fake.commands_for() is None
        await bot.delete_my_commands(scope=scope, language_code="ru")
        assert fake.commands_for("all_private_chats", "ru") is None

        await bot.set_webhook("https://bot.example.org/hook", secret_token="abc_DEF-1",
                              allowed_updates=["message", "callback_query"])
        assert fake.webhook["secret_token"] == "abc_DEF-1"
        info = await bot.get_webhook_info()
        assert info.url == "https://bot.example.org/hook"
        assert info.allowed_updates == ("message", "callback_query")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates(timeout=0)
        await bot.delete_webhook()
        assert (await bot.get_webhook_info()).url == ""


@pytest.mark.asyncio
async def test_get_updates_offset_long_poll_and_ids(fake: FakeBotAPI) -> None:
    async with plain_bot(fake) as bot:
        t0 = time.monotonic()
        assert await bot.get_updates(timeout=30) == ()  # capped at 1 s by the fake
        assert time.monotonic() - t0 < 3

        u1 = fake.push_message(1, "a")
        u2 = fake.push_message(2, "b")
        u3 = fake.push_message(1, "c")
        raw = fake.push_raw({"some_future_update": {"x": 1}})
        assert [u["update_id"] for u in (u1, u2, u3, raw)] == [1, 2, 3, 4]
        assert [u1["message"]["message_id"], u2["message"]["message_id"],
                u3["message"]["message_id"]] == [1, 1, 2]

        got = await bot.get_updates(timeout=1)
        assert [u.update_id for u in got] == [1, 2, 3, 4]
        assert got[3].api_kwargs == {"some_future_update": {"x": 1}}  # unknown type tolerated
        got = await bot.get_updates(offset=3, timeout=0)
        assert [u.update_id for u in got] == [3, 4]
        assert [u["update_id"] for u in fake.pending_updates] == [3, 4]

        # a long poll is woken up by a push from another thread/task
        async def later() -> None:
            await asyncio.sleep(0.2)
            fake.push_message(1, "late")

        task = asyncio.create_task(later())
        got = await bot.get_updates(offset=5, timeout=1)
        await task
        assert [u.message.text for u in got] == ["late"]

    # sync wait_for is bounded
    t0 = time.monotonic()
    assert fake.wait_for(lambda: False, timeout=0.2) is False
    assert time.monotonic() - t0 < 1
    assert fake.wait_for(lambda: fake.calls_of("getMe"), timeout=0.2) is True
