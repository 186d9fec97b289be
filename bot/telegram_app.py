"""The Telegram bot: a python-telegram-bot 22 Application wired to the Assistant and BotState.

    build_application(settings, assistant, state) -> Application   handlers, rate limits, start-up
    serve(app, settings)                                             long polling, or a webhook
    run_bot(settings)                                                what `centre-bot run` calls

Concurrency: updates are processed concurrently, but one chat's updates in order (PerChatUpdateProcessor).
Questions are answered in worker threads (Assistant.ask is CPU-bound), the reindex in its own single
thread, so the event loop only ever waits on the network. Long admin jobs (/reindex, /add, /remove) run
as tasks and report by editing one message, so the admin's chat stays responsive meanwhile.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import logging
import math
import re
import secrets
import shutil
import time
from collections import deque
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    MessageEntity,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ChatAction, ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot import announcements, ingest
from bot.answer import Answer
from bot.logfmt import configure_logging, kv
from bot.messages import LANGS, TEXTS, t
from bot.settings import Settings
from bot.state import KNOWN, BotState
from bot.telegram_format import esc, html_to_plain, link, render_answer, split_html, split_plain, utf16_len
from index.builder import ReindexReport
from index.documents import scan_knowledge
from index.embeddings import EmbeddingModelError
from index.snapshot import IndexMissing, current_generation

log = logging.getLogger("centre_bot.telegram")

RUNTIME = "centre_bot"
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
MAX_CONCURRENT_UPDATES = 256
PROGRESS_EVERY = 1.5  # seconds between progress edits of a running reindex
HEARTBEAT_EVERY = 30.0
GENERATION_CHECK_EVERY = 60.0  # notices a reindex made by `centre-bot reindex` in another process
ANNOUNCE_MAX_CHARS = 3500
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
USER_COMMANDS = ("start", "ask", "help", "lang", "sources")
GROUP_COMMANDS = ("ask", "help", "sources", "lang")
ADMIN_COMMANDS = ("reindex", "add", "remove", "docs", "status", "announce", "unanswered", "stats")
# Telegram's language_code -> the language of the bot's messages until the user asks something.
TELEGRAM_LANGS = {"kk": "kk", "ru": "ru", "be": "ru", "ky": "ru", "uz": "ru", "tg": "ru", "tk": "ru", "en": "en"}
_COMMAND_PREFIX = re.compile(r"^\s*/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?\s*")
_SECRET_OK = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class BotConfigError(RuntimeError):
    """The bot cannot start; the message tells the operator what to set or fix."""


NO_TOKEN = (
    "No Telegram bot token. Set CENTRE_BOT_TELEGRAM_TOKEN to the token @BotFather gave you "
    "(in the environment or in a .env file next to where you run the bot), then run `centre-bot run` again."
)


# ====================================================================================== plumbing


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent updates, but those of one chat one after the other, in the order they arrived.

    PTB creates one task per update in arrival order and its semaphore is FIFO, so taking a per-chat
    asyncio.Lock (also FIFO) first thing keeps each chat's order.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES):
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock = self._locks.setdefault(chat.id, asyncio.Lock())
        self._users[chat.id] = self._users.get(chat.id, 0) + 1
        try:
            async with lock:
                await coroutine
        except asyncio.CancelledError:
            if asyncio.iscoroutine(coroutine):
                coroutine.close()
            raise
        finally:
            self._users[chat.id] -= 1
            if not self._users[chat.id]:  # forget idle chats: the dict stays small
                del self._users[chat.id]
                self._locks.pop(chat.id, None)

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class SanitizingRequest(HTTPXRequest):
    """getUpdates whose batch holds an update python-telegram-bot cannot read (a missing field, say).

    PTB's polling would then log an error and fetch the same batch again, forever: the bot would be
    stuck. Here the unreadable update is logged and replaced by an empty one with the same update_id,
    so the batch is confirmed and everything else in it is processed.
    """

    async def post(self, url: str, request_data=None, *args, **kwargs):
        result = await super().post(url, request_data, *args, **kwargs)
        if not url.endswith("/getUpdates") or not isinstance(result, list):
            return result
        try:
            Update.de_list(copy.deepcopy(result), None)
            return result
        except Exception:  # noqa: BLE001 - find the culprit(s) below
            pass
        clean = []
        for item in result:
            try:
                Update.de_json(copy.deepcopy(item), None)
                clean.append(item)
            except Exception as exc:  # noqa: BLE001 - anything PTB cannot parse is skipped
                update_id = item.get("update_id") if isinstance(item, dict) else None
                kinds = [k for k in item if k != "update_id"] if isinstance(item, dict) else []
                log.warning(kv(event="update_unreadable", update_id=update_id, kinds=kinds,
                               error=f"{type(exc).__name__}: {exc}", action="skipped"))
                if isinstance(update_id, int):
                    clean.append({"update_id": update_id})
        return clean


class UserRateLimiter:
    """At most ``per_minute`` questions per user in any 60 s; the user is told once per window."""

    def __init__(self, per_minute: int, window: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.per_minute = per_minute
        self.window = window
        self.clock = clock
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def check(self, user_id: int) -> tuple[bool, float]:
        """(allowed, seconds until the next question is allowed)."""
        now = self.clock()
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.per_minute:
            hits.append(now)
            if len(self._hits) > 10_000:
                self._prune(now)
            return True, 0.0
        return False, hits[0] + self.window - now

    def should_warn(self, user_id: int) -> bool:
        now = self.clock()
        last = self._warned.get(user_id)
        if last is not None and now - last < self.window:
            return False
        self._warned[user_id] = now
        return True

    def _prune(self, now: float) -> None:
        for user_id in [u for u, hits in self._hits.items() if not hits or hits[-1] <= now - self.window]:
            del self._hits[user_id]
        for user_id in [u for u, at in self._warned.items() if now - at >= self.window]:
            del self._warned[user_id]


@dataclass
class Runtime:
    settings: Settings
    assistant: Any  # bot.service.Assistant (anything with its ask/reindex/ensure_index/snapshot)
    state: BotState
    limiter: UserRateLimiter
    started: float = field(default_factory=time.monotonic)
    reindex_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    announce_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    reindex_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="centre-bot-reindex"))
    seen_generation: str | None = None

    @property
    def announce_chat(self) -> str:
        return self.settings.announce_chat_id.strip()

    def is_admin(self, user: User | None) -> bool:
        return user is not None and user.id in self.settings.admin_ids


def runtime(context: ContextTypes.DEFAULT_TYPE | Application) -> Runtime:
    app = context if isinstance(context, Application) else context.application
    return app.bot_data[RUNTIME]


class Html(str):
    """Already Telegram HTML: ``h`` inserts it as it is."""


def h(key: str, lang: str, /, **values: Any) -> str:
    """A text from bot.messages as Telegram HTML: the template and every value escaped."""
    table = TEXTS[key]
    template = esc(table.get(lang) or table["en"])
    return template.format(**{k: v if isinstance(v, Html) else esc(v) for k, v in values.items()})


def code(text: str) -> Html:
    return Html(f"<code>{esc(text)}</code>")


def telegram_lang(code_: str | None) -> str:
    return TELEGRAM_LANGS.get((code_ or "").split("-")[0].lower(), "en")


def ui_lang(rt: Runtime, user: User | None) -> str:
    """The language of the bot's own messages: the /lang choice, the last question's, Telegram's."""
    if user is None:
        return "en"
    pref = rt.state.user_lang(user.id)
    return pref.chosen or pref.last or telegram_lang(user.language_code)


def admin_lang(rt: Runtime, admin_id: int) -> str:
    pref = rt.state.user_lang(admin_id)
    return pref.chosen or pref.last or "en"


def chat_target(chat: str) -> int | str:
    """CENTRE_BOT_ANNOUNCE_CHAT_ID as the Bot API wants it: an int id or '@channelname'."""
    chat = chat.strip()
    try:
        return int(chat)
    except ValueError:
        return chat if chat.startswith("@") else f"@{chat}"


def command_args(message: Message) -> str:
    """What follows the /command, newlines kept (context.args would lose them)."""
    return _COMMAND_PREFIX.sub("", message.text or message.caption or "", count=1).strip()


def _format_rejected(exc: BadRequest) -> bool:
    text = str(exc).lower()
    return "parse entities" in text or "can't find end" in text or "unsupported start tag" in text


def _too_long(exc: BadRequest) -> bool:
    return "too long" in str(exc).lower() or "message_too_long" in str(exc).lower()


async def send_html(
    bot,
    chat_id: int | str,
    text: str,
    *,
    reply_to: int | None = None,
    thread_id: int | None = None,
    keyboard: InlineKeyboardMarkup | None = None,
    preview: bool = False,
) -> list[Message]:
    """Send Telegram HTML, split to fit; if Telegram rejects the markup, the same text goes out plain.

    The keyboard goes under the last part; the first part replies to ``reply_to``.
    """
    parts = split_html(text)
    sent: list[Message] = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        common = dict(
            reply_markup=keyboard if last else None,
            message_thread_id=thread_id,
            link_preview_options=LinkPreviewOptions(is_disabled=False) if preview else NO_PREVIEW,
            reply_parameters=ReplyParameters(reply_to, allow_sending_without_reply=True)
            if reply_to is not None and i == 0 else None,
        )
        try:
            sent.append(await bot.send_message(chat_id, part, parse_mode=ParseMode.HTML, **common))
        except BadRequest as exc:
            if not (_format_rejected(exc) or _too_long(exc)):
                raise
            log.warning(kv(event="html_rejected", chat=chat_id, error=str(exc), action="resent as plain text"))
            plain_parts = split_plain(html_to_plain(part), 3000 if _too_long(exc) else 4096)
            for j, plain in enumerate(plain_parts):
                extra = dict(common)
                if j < len(plain_parts) - 1:
                    extra["reply_markup"] = None
                if j > 0:
                    extra["reply_parameters"] = None
                sent.append(await bot.send_message(chat_id, plain, **extra))
    return sent


async def edit_html(bot, message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Replace a status message's text; what does not fit goes out as further messages."""
    parts = split_html(text) or [esc("…")]
    try:
        await bot.edit_message_text(parts[0], chat_id=message.chat_id, message_id=message.message_id,
                                    parse_mode=ParseMode.HTML, reply_markup=keyboard if len(parts) == 1 else None,
                                    link_preview_options=NO_PREVIEW)
    except BadRequest as exc:
        lowered = str(exc).lower()
        if "not modified" in lowered:
            pass
        elif _format_rejected(exc):
            await bot.edit_message_text(html_to_plain(parts[0])[:4096], chat_id=message.chat_id,
                                        message_id=message.message_id, link_preview_options=NO_PREVIEW)
        elif "message to edit not found" in lowered or "can't be edited" in lowered:
            await send_html(bot, message.chat_id, parts[0], keyboard=keyboard if len(parts) == 1 else None)
        else:
            raise
    if len(parts) > 1:
        await send_html(bot, message.chat_id, "\n".join(parts[1:]), keyboard=keyboard)


class Typing:
    """Shows "typing…" while the answer is computed (renewed every 4.5 s, Telegram shows it for 5 s).

    On exit the periodic renewal stops; a first action still in flight gets a moment to land so that it
    does not arrive after the answer (Telegram would then show "typing…" under a finished answer).
    """

    def __init__(self, bot, chat_id: int, thread_id: int | None):
        self.bot, self.chat_id, self.thread_id = bot, chat_id, thread_id
        self.first: asyncio.Task | None = None
        self.renew: asyncio.Task | None = None

    async def _send(self) -> None:
        try:
            await self.bot.send_chat_action(self.chat_id, ChatAction.TYPING, message_thread_id=self.thread_id)
        except TelegramError as exc:
            log.debug(kv(event="typing_failed", chat=self.chat_id, error=str(exc)))

    async def _renew(self) -> None:
        while True:
            await asyncio.sleep(4.5)
            await self._send()

    async def __aenter__(self) -> "Typing":
        self.first = asyncio.create_task(self._send())
        self.renew = asyncio.create_task(self._renew())
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self.renew.cancel()
        if not self.first.done():
            try:
                await asyncio.wait_for(asyncio.shield(self.first), timeout=1.0)
            except asyncio.TimeoutError:
                self.first.cancel()  # stuck behind the flood limiter: the answer matters more


class _Answering:
    """Answers a callback query exactly once, even when the handler fails (no endless spinner)."""

    def __init__(self, query: CallbackQuery):
        self.query = query
        self.done = False

    async def __call__(self, text: str | None = None, alert: bool = False) -> None:
        if self.done:
            return
        self.done = True
        try:
            await self.query.answer(text[:200] if text else None, show_alert=alert)
        except TelegramError as exc:
            log.info(kv(event="callback_answer_failed", error=str(exc)))

    async def __aenter__(self) -> "_Answering":
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self()


def admin_only(func: Callable) -> Callable:
    @functools.wraps(func)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        rt = runtime(context)
        user = update.effective_user
        if not rt.is_admin(user):
            log.warning(kv(event="admin_refused", user=user.id if user else None,
                           chat=update.effective_chat.id if update.effective_chat else None,
                           command=func.__name__.removeprefix("cmd_")))
            await reply(update, context, h("admin_only", ui_lang(rt, user)))
            return
        await func(update, context)

    return wrapper


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                keyboard: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Answer in the chat of the update; in groups, as a reply to the message."""
    message = update.effective_message
    chat = update.effective_chat
    group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    return await send_html(
        context.bot, chat.id, text, keyboard=keyboard,
        reply_to=message.message_id if (group and message is not None) else None,
        thread_id=message.message_thread_id if (message is not None and message.is_topic_message) else None,
    )


# ====================================================================================== questions


def feedback_keyboard(question_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton("👍", callback_data=f"fb:{question_id}:1"),
        InlineKeyboardButton("👎", callback_data=f"fb:{question_id}:-1"),
    ]])


async def answer_question(
    context: ContextTypes.DEFAULT_TYPE,
    *,
    user: User,
    chat: Chat,
    text: str,
    reply_to: int | None,
    thread_id: int | None = None,
) -> None:
    rt = runtime(context)
    pref = rt.state.user_lang(user.id)
    allowed, wait = rt.limiter.check(user.id)
    if not allowed:
        log.info(kv(event="rate_limited", user=user.id, chat=chat.id, wait_s=wait))
        if rt.limiter.should_warn(user.id):
            lang = pref.chosen or pref.last or telegram_lang(user.language_code)
            await send_html(context.bot, chat.id, h("rate_limited", lang, seconds=max(1, math.ceil(wait))),
                            reply_to=reply_to, thread_id=thread_id)
        return
    started = time.perf_counter()
    async with Typing(context.bot, chat.id, thread_id):
        answer: Answer = await asyncio.to_thread(rt.assistant.ask, text, pref.chosen)
    latency_ms = (time.perf_counter() - started) * 1000
    cited = [c.doc_id for c in answer.citations]
    question_id = rt.state.log_question(
        user_id=user.id, chat_id=chat.id, chat_type=chat.type, question=text, language=answer.language,
        answered=answer.answered, latency_ms=latency_ms, cited=cited, mode=answer.mode,
    )
    if pref.last != answer.language:  # the bot's own messages follow what the user last read
        rt.state.set_last_lang(user.id, answer.language)
    await send_html(context.bot, chat.id, render_answer(answer), reply_to=reply_to, thread_id=thread_id,
                    keyboard=feedback_keyboard(question_id))
    log.info(kv(event="answer", question=question_id, chat=chat.id, user=user.id, lang=answer.language,
                answered=answer.answered, cited=cited, ms=latency_ms, chars=len(text)))


def _thread(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


async def on_private_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    await answer_question(context, user=update.effective_user, chat=update.effective_chat,
                          text=message.text, reply_to=None, thread_id=_thread(message))


def addressed_question(message: Message, bot) -> str | None:
    """In a group: the question if the message mentions the bot or replies to it, else None."""
    username = (bot.username or "").lower()
    mentioned = False
    for entity in message.entities or ():
        if entity.type == MessageEntity.MENTION and message.parse_entity(entity).lower() == f"@{username}":
            mentioned = True
        elif entity.type == MessageEntity.TEXT_MENTION and entity.user and entity.user.id == bot.id:
            mentioned = True
    replied = message.reply_to_message
    to_bot = (replied is not None and replied.from_user is not None and replied.from_user.id == bot.id
              and replied.forum_topic_created is None)
    if not (mentioned or to_bot):
        return None
    text = message.text or ""
    if username:
        text = re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE)
    return " ".join(text.split())


async def on_group_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    question = addressed_question(message, context.bot)
    if question is None:
        return  # chatter between people: stay quiet
    if not question:
        rt = runtime(context)
        await reply(update, context, h("ask_usage", ui_lang(rt, update.effective_user)))
        return
    await answer_question(context, user=update.effective_user, chat=update.effective_chat, text=question,
                          reply_to=message.message_id, thread_id=_thread(message))


async def cmd_ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    question = command_args(message)
    if not question:
        await reply(update, context, h("ask_usage", ui_lang(runtime(context), update.effective_user)))
        return
    group = update.effective_chat.type != ChatType.PRIVATE
    await answer_question(context, user=update.effective_user, chat=update.effective_chat, text=question,
                          reply_to=message.message_id if group else None, thread_id=_thread(message))


async def on_feedback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    async with _Answering(query) as answer:
        rt = runtime(context)
        lang = ui_lang(rt, query.from_user)
        _, question_id, vote = query.data.split(":")
        stored = rt.state.record_feedback(int(question_id), query.from_user.id, int(vote))
        log.info(kv(event="feedback", question=question_id, user=query.from_user.id, vote=vote, stored=stored))
        await answer(t("feedback_thanks" if stored else "feedback_gone", lang))


async def on_example(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A /start example button: ask that question for the user."""
    query = update.callback_query
    async with _Answering(query) as answer:
        _, lang, number = query.data.split(":")
        if lang not in LANGS or number not in ("1", "2", "3"):
            return
        await answer()
        await answer_question(context, user=query.from_user, chat=update.effective_chat,
                              text=t(f"example_{number}", lang), reply_to=None)


# ====================================================================================== everyone's commands


async def cmd_start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    user = update.effective_user
    lang = ui_lang(rt, user)
    keyboard = InlineKeyboardMarkup(
        [[InlineKeyboardButton(t(f"example_{n}", lang), callback_data=f"ex:{lang}:{n}")] for n in (1, 2, 3)])
    await reply(update, context, h("start_greeting", lang, name=user.first_name if user else ""), keyboard)
    if rt.is_admin(user) and update.effective_chat.type == ChatType.PRIVATE:
        # An admin who had never opened the bot could not get the admin menu at start-up.
        context.application.create_task(register_admin_menu(context.bot, user.id), update=update)


async def cmd_help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    lang = ui_lang(rt, update.effective_user)
    text = h("help_user", lang)
    if rt.is_admin(update.effective_user):
        text += "\n\n" + h("help_admin", lang)
    await reply(update, context, text)


def lang_keyboard(lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([
        [InlineKeyboardButton("Қазақша", callback_data="lang:kk"),
         InlineKeyboardButton("Русский", callback_data="lang:ru"),
         InlineKeyboardButton("English", callback_data="lang:en")],
        [InlineKeyboardButton(t("lang_auto", lang), callback_data="lang:auto")],
    ])


async def cmd_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    lang = ui_lang(runtime(context), update.effective_user)
    await reply(update, context, h("lang_prompt", lang), lang_keyboard(lang))


async def on_lang(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    async with _Answering(query) as answer:
        rt = runtime(context)
        choice = query.data.split(":", 1)[1]
        if choice not in (*LANGS, "auto"):
            return
        rt.state.set_user_lang(query.from_user.id, None if choice == "auto" else choice)
        lang = ui_lang(rt, query.from_user)
        text = t("lang_auto_set" if choice == "auto" else "lang_set", lang)
        await answer(text)
        if query.message is not None:
            await edit_html(context.bot, query.message, esc(text))
        log.info(kv(event="lang_chosen", user=query.from_user.id, lang=choice))


async def _snapshot(rt: Runtime):
    try:
        return await asyncio.to_thread(rt.assistant.snapshot)
    except IndexMissing:
        return None


async def cmd_sources(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    lang = ui_lang(rt, update.effective_user)
    snapshot = await _snapshot(rt)
    if snapshot is None or not snapshot.documents:
        await reply(update, context, h("sources_empty", lang))
        return
    families: dict[str, list] = {}
    for doc in snapshot.documents.values():
        families.setdefault(doc.family, []).append(doc)
    lines = [f"<b>{h('sources_title', lang, count=len(families))}</b>"]
    for docs in sorted(families.values(), key=lambda ds: max(d.date for d in ds), reverse=True):
        shown = next((d for d in docs if d.lang == lang), None) or min(docs, key=lambda d: d.id != d.family)
        langs = ", ".join(sorted(d.lang for d in docs))
        details = " · ".join(p for p in (shown.date, langs) if p)
        lines.append(f"• {link(shown.url, shown.title)} — {esc(details)}")
    await reply(update, context, "\n".join(lines))


async def on_other_private(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A sticker, photo, voice or file in a private chat: say what the bot understands."""
    rt = runtime(context)
    user = update.effective_user
    lang = ui_lang(rt, user)
    message = update.effective_message
    if message.document is not None and rt.is_admin(user):
        await reply(update, context, h("file_hint_admin", lang))
    else:
        await reply(update, context, h("text_only", lang))


async def on_unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await reply(update, context, h("unknown_command", ui_lang(runtime(context), update.effective_user)))


# ====================================================================================== index jobs


class _Progress:
    """Reindex progress, written by the worker thread, read by the event loop (a tuple swap is atomic)."""

    def __init__(self) -> None:
        self.latest: tuple[str, int, int] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        self.latest = (stage, done, total)


def _progress_text(progress: _Progress, lang: str) -> str:
    if progress.latest is None:
        return h("reindex_started", lang)
    stage, done, total = progress.latest
    key = f"stage_{stage}"
    stage_text = t(key, lang) if key in TEXTS else stage
    return h("reindex_progress", lang, stage=stage_text, done=done, total=total)


def _explain(exc: BaseException) -> str:
    if isinstance(exc, EmbeddingModelError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"[:500]


async def run_reindex(app: Application, status: Message | None, lang: str) -> ReindexReport | None:
    """Reindex in the reindex thread, editing ``status`` with the progress. Caller holds reindex_lock."""
    rt = runtime(app)
    progress = _Progress()
    loop = asyncio.get_running_loop()
    future = loop.run_in_executor(rt.reindex_pool, rt.assistant.reindex, progress)
    shown = None
    while True:
        done, _ = await asyncio.wait({future}, timeout=PROGRESS_EVERY)
        if done:
            break
        text = _progress_text(progress, lang)
        if status is not None and text != shown:
            shown = text
            try:
                await edit_html(app.bot, status, text)
            except TelegramError as exc:  # progress is a courtesy: never fail the reindex for it
                log.info(kv(event="progress_edit_failed", error=str(exc)))
    try:
        report: ReindexReport = future.result()
    except Exception as exc:  # noqa: BLE001 - reported to the admin, the old index stays live
        log.error(kv(event="reindex_failed", error=_explain(exc)), exc_info=exc)
        if status is not None:
            await edit_html(app.bot, status, h("reindex_failed", lang, error=_explain(exc)))
        return None
    log.info(kv(event="reindex", added=len(report.added), changed=len(report.changed),
                removed=len(report.removed), unchanged=report.unchanged, skipped=report.skipped,
                chunks=report.chunks, seconds=report.seconds, generation=report.generation))
    return report


def _ids(ids: list[str], limit: int = 20) -> Html:
    shown = ", ".join(f"<code>{esc(i)}</code>" for i in ids[:limit])
    return Html(shown + (f" … (+{len(ids) - limit})" if len(ids) > limit else ""))


def report_html(report: ReindexReport, lang: str) -> str:
    seconds = f"{report.seconds:.1f}"
    if not report.changed_anything:
        lines = [h("reindex_unchanged", lang, seconds=seconds)]
    else:
        lines = [h("reindex_done", lang, seconds=seconds),
                 h("report_documents", lang, added=len(report.added), changed=len(report.changed),
                   removed=len(report.removed), unchanged=report.unchanged)]
    lines.append(h("report_chunks", lang, chunks=report.chunks))
    for key, ids in (("report_added", report.added), ("report_changed", report.changed),
                     ("report_removed", report.removed)):
        if ids:
            lines.append(h(key, lang, ids=_ids(ids)))
    if report.problems:
        lines.append(h("report_skipped", lang, count=len(report.problems)))
        lines += [f"• {esc(Path(p.path).name)}: {esc(p.reason)}" for p in report.problems[:15]]
    return "\n".join(lines)


async def announce_new(app: Application, notify: list[tuple[int, str]] | None = None) -> None:
    """Post the articles not announced yet; tell ``notify`` [(chat_id, lang)] (default: all admins)."""
    rt = runtime(app)
    async with rt.announce_lock:
        snapshot = await _snapshot(rt)
        if snapshot is None:
            return
        rt.seen_generation = snapshot.generation
        if not rt.state.baseline_done():
            known = announcements.baseline(snapshot)
            rt.state.record_baseline(known)
            log.info(kv(event="announce_baseline", articles=len(known),
                        note="first index of this deployment: existing articles are not announced"))
            return
        fresh = announcements.pending(snapshot, rt.state)
        if not fresh:
            return
        targets = notify if notify is not None else [(a, admin_lang(rt, a)) for a in rt.settings.admin_ids]
        chat = rt.announce_chat
        for doc in fresh:
            if not chat:
                rt.state.claim_announcement(doc.family, doc.id, doc.lang, doc.title, "", status=KNOWN)
                log.info(kv(event="announce_skipped", doc=doc.id, reason="CENTRE_BOT_ANNOUNCE_CHAT_ID is not set"))
                continue
            if not rt.state.claim_announcement(doc.family, doc.id, doc.lang, doc.title, chat):
                continue
            try:
                sent = await send_html(app.bot, chat_target(chat), announcements.compose(snapshot, doc), preview=True)
            except TelegramError as exc:
                rt.state.release_announcement(doc.family)  # not posted: the next reindex tries again
                fix = announcements.explain_failure(str(exc))
                log.warning(kv(event="announce_failed", doc=doc.id, chat=chat, error=str(exc), fix=fix))
                for chat_id, lang in targets:
                    await _tell(app, chat_id, "\n".join([
                        h("announce_failed", lang, chat=chat, error=str(exc)),
                        h(fix, lang, chat=chat), h("announce_retry_reindex", lang)]))
                return  # the same problem would stop the next ones too
            rt.state.finish_announcement(doc.family, sent[-1].message_id)
            log.info(kv(event="announced", doc=doc.id, family=doc.family, chat=chat, message=sent[-1].message_id))
            for chat_id, lang in targets:
                await _tell(app, chat_id, h("announce_new_posted", lang, chat=chat, title=doc.title))


async def _tell(app: Application, chat_id: int, text: str) -> None:
    try:
        await send_html(app.bot, chat_id, text)
    except TelegramError as exc:  # an admin who never opened the bot cannot be messaged
        log.warning(kv(event="notify_failed", chat=chat_id, error=str(exc)))


async def _reindex_task(app: Application, status: Message, lang: str) -> None:
    rt = runtime(app)
    async with rt.reindex_lock:
        await edit_html(app.bot, status, h("reindex_started", lang))
        report = await run_reindex(app, status, lang)
        if report is not None:
            await edit_html(app.bot, status, report_html(report, lang))
            await announce_new(app, notify=[(status.chat_id, lang)])


@admin_only
async def cmd_reindex(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    lang = ui_lang(rt, update.effective_user)
    busy = rt.reindex_lock.locked()
    status = (await reply(update, context, h("reindex_waiting" if busy else "reindex_started", lang)))[-1]
    context.application.create_task(_reindex_task(context.application, status, lang), update=update)


@admin_only
async def cmd_add(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    lang = ui_lang(rt, update.effective_user)
    message = update.effective_message
    document = None
    if message.reply_to_message is not None and message.reply_to_message.document is not None:
        document = message.reply_to_message.document
    elif message.document is not None:
        document = message.document  # sent with "/add" as its caption
    url = command_args(message).split()[0] if command_args(message) else ""
    if document is None and not url:
        await reply(update, context, h("add_usage", lang))
        return
    if document is not None:
        try:
            ingest.check_upload(document.file_name, document.file_size)
        except ingest.IngestError as exc:
            await reply(update, context, h(exc.key, lang, **exc.values))
            return
        status = (await reply(update, context, h("add_reading_file", lang, name=document.file_name or "")))[-1]
    else:
        url = ingest.normalise_url(url)
        status = (await reply(update, context, h("add_fetching", lang, url=url)))[-1]
    context.application.create_task(_add_task(context.application, status, lang, document, url), update=update)


async def _add_task(app: Application, status: Message, lang: str, document, url: str) -> None:
    rt = runtime(app)
    try:
        if document is not None:
            try:
                data = bytes(await (await document.get_file()).download_as_bytearray())
            except TelegramError as exc:
                await edit_html(app.bot, status, h("add_download_failed", lang, error=str(exc)))
                return
            article = await asyncio.to_thread(ingest.article_from_file, document.file_name or "file", data)
        else:
            article = await asyncio.to_thread(ingest.article_from_url, url, rt.settings.allow_private_urls)
        async with rt.reindex_lock:  # one change to the knowledge folder at a time
            scan = await asyncio.to_thread(scan_knowledge, rt.assistant.knowledge_dir)
            duplicate = ingest.find_duplicate(article, scan.documents)
            if duplicate is not None:
                await edit_html(app.bot, status, h("add_duplicate", lang, id=code(duplicate.id), title=duplicate.title))
                return
            path = await asyncio.to_thread(ingest.save_article, article, rt.assistant.knowledge_dir)
            log.info(kv(event="article_added", doc=article.id, lang=article.lang, file=path.name,
                        source="file" if document is not None else "url"))
            await edit_html(app.bot, status, h("add_saved", lang, id=code(article.id)))
            report = await run_reindex(app, status, lang)
            if report is None:
                return
            problem = next((p for p in report.problems if Path(p.path).name == path.name), None)
            if problem is not None:
                await edit_html(app.bot, status, h("add_not_indexed", lang, error=problem.reason))
                return
            done = h("add_done", lang, title=article.title, id=code(article.id), lang=article.lang, date=article.date)
            await edit_html(app.bot, status, done + "\n\n" + report_html(report, lang))
            await announce_new(app, notify=[(status.chat_id, lang)])
    except ingest.IngestError as exc:
        log.info(kv(event="add_refused", reason=exc.key, **{k: v for k, v in exc.values.items() if k != "error"}))
        await edit_html(app.bot, status, h(exc.key, lang, **exc.values))


@admin_only
async def cmd_remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    lang = ui_lang(rt, update.effective_user)
    args = command_args(update.effective_message).split()
    if not args:
        snapshot = await _snapshot(rt)
        example = next(iter(sorted(snapshot.documents)), "article-id") if snapshot else "article-id"
        await reply(update, context, h("remove_usage", lang, example=example))
        return
    status = (await reply(update, context, h("reindex_waiting" if rt.reindex_lock.locked() else "reindex_started", lang)))[-1]
    context.application.create_task(_remove_task(context.application, status, lang, args[0]), update=update)


async def _remove_task(app: Application, status: Message, lang: str, doc_id: str) -> None:
    rt = runtime(app)
    async with rt.reindex_lock:
        scan = await asyncio.to_thread(scan_knowledge, rt.assistant.knowledge_dir)
        doc = next((d for d in scan.documents if d.id == doc_id), None)
        if doc is None:
            await edit_html(app.bot, status, h("remove_not_found", lang, id=code(doc_id)))
            return
        orphans = sorted(d.id for d in scan.documents if d.translation_of == doc.id)
        # Moved, not deleted: a mistaken /remove is undone by moving the file back and /reindex.
        trash = Path(rt.settings.data_dir) / "removed"
        target = trash / f"{datetime.now(timezone.utc).strftime('%Y%m%dT%H%M%S')}-{Path(doc.path).name}"
        await asyncio.to_thread(lambda: (trash.mkdir(parents=True, exist_ok=True), shutil.move(doc.path, target)))
        log.info(kv(event="article_removed", doc=doc.id, moved_to=str(target)))
        report = await run_reindex(app, status, lang)
        if report is None:
            return
        lines = [h("remove_done", lang, title=doc.title, id=code(doc.id), path=code(str(target)))]
        if orphans:
            lines.append(h("remove_orphans", lang, ids=_ids(orphans)))
        await edit_html(app.bot, status, "\n".join(lines) + "\n\n" + report_html(report, lang))


# ====================================================================================== admin views


@admin_only
async def cmd_docs(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    lang = ui_lang(rt, update.effective_user)
    snapshot = await _snapshot(rt)
    if snapshot is None or not snapshot.documents:
        await reply(update, context, h("sources_empty", lang))
        return
    docs = sorted(snapshot.documents.values(), key=lambda d: (d.date, d.id), reverse=True)
    lines = [f"<b>{h('docs_title', lang, count=len(docs))}</b>"]
    for doc in docs:
        details = ", ".join(p for p in (doc.lang, doc.date) if p)
        lines.append(f"• <code>{esc(doc.id)}</code> — {esc(doc.title)} ({esc(details)})")
    await reply(update, context, "\n".join(lines))


def duration(seconds: float, lang: str) -> str:
    seconds = int(max(0, seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    unit = {k: t(f"unit_{k}", lang) for k in ("day", "hour", "minute", "second")}
    if days:
        return f"{days} {unit['day']} {hours} {unit['hour']}"
    if hours:
        return f"{hours} {unit['hour']} {minutes} {unit['minute']}"
    if minutes:
        return f"{minutes} {unit['minute']}"
    return f"{secs} {unit['second']}"


def _share(part: int, total: int) -> str:
    return f"{100 * part / total:.0f}%" if total else "—"


def _by_lang(counts: dict[str, int]) -> str:
    return ", ".join(f"{lang} {counts[lang]}" for lang in sorted(counts)) or "—"


@admin_only
async def cmd_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    lang = ui_lang(rt, update.effective_user)
    lines = [f"<b>{h('status_title', lang)}</b>"]
    snapshot = await _snapshot(rt)
    if snapshot is None:
        lines.append(h("status_no_index", lang))
    else:
        doc_langs: dict[str, int] = {}
        for doc in snapshot.documents.values():
            doc_langs[doc.lang] = doc_langs.get(doc.lang, 0) + 1
        chunk_langs: dict[str, int] = {}
        for chunk in snapshot.chunks:
            doc = snapshot.documents.get(chunk.doc_id)
            if doc is not None:
                chunk_langs[doc.lang] = chunk_langs.get(doc.lang, 0) + 1
        created = datetime.fromisoformat(snapshot.manifest.created)
        age = (datetime.now(timezone.utc) - created).total_seconds()
        lines += [
            h("status_documents", lang, count=len(snapshot.documents), by_lang=_by_lang(doc_langs)),
            h("status_chunks", lang, count=len(snapshot.chunks), by_lang=_by_lang(chunk_langs)),
            h("status_model", lang, model=snapshot.manifest.model),
            h("status_index", lang, created=created.strftime("%Y-%m-%d %H:%M UTC"), age=duration(age, lang)),
        ]
    total, answered = rt.state.today()
    up, down = rt.state.feedback_totals()
    lines += [
        h("status_uptime", lang, uptime=duration(time.monotonic() - rt.started, lang)),
        h("status_today", lang, total=total, share=_share(answered, total)),
        h("status_feedback", lang, up=up, down=down),
        h("status_announce", lang, chat=rt.announce_chat) if rt.announce_chat else h("status_announce_none", lang),
    ]
    await reply(update, context, "\n".join(lines))


@admin_only
async def cmd_unanswered(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    lang = ui_lang(rt, update.effective_user)
    rows = rt.state.unanswered(15)
    disliked = rt.state.disliked(10)
    if not rows and not disliked:
        await reply(update, context, h("unanswered_empty", lang))
        return

    def line(row: dict) -> str:
        question = row["question"] if len(row["question"]) <= 300 else row["question"][:300] + "…"
        return f"• {esc(row['at'][:10])} · {esc(row['language'])} · {esc(question)}"

    lines = []
    if rows:
        lines.append(f"<b>{h('unanswered_title', lang, count=len(rows))}</b>")
        lines += [line(r) for r in rows]
    else:
        lines.append(h("unanswered_empty", lang))
    if disliked:
        lines += ["", f"<b>{h('disliked_title', lang, count=len(disliked))}</b>"] + [line(r) for r in disliked]
    await reply(update, context, "\n".join(lines))


@admin_only
async def cmd_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from bot.charts import questions_chart

    rt = runtime(context)
    lang = ui_lang(rt, update.effective_user)
    days = 30
    stats = rt.state.stats_by_day(days)
    if not stats:
        await reply(update, context, h("stats_empty", lang))
        return
    total = sum(s.total for s in stats)
    answered = sum(s.answered for s in stats)
    png = await asyncio.to_thread(questions_chart, stats, lang, days)
    await context.bot.send_photo(
        update.effective_chat.id, photo=png, filename="questions.png", parse_mode=ParseMode.HTML,
        caption=h("stats_caption", lang, days=days, total=total, share=_share(answered, total)),
        message_thread_id=_thread(update.effective_message),
    )


@admin_only
async def cmd_announce(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    lang = ui_lang(rt, update.effective_user)
    message = update.effective_message
    if not rt.announce_chat:
        await reply(update, context, h("announce_no_chat", lang))
        return
    body = _COMMAND_PREFIX.sub("", message.text_html or "", count=1).strip()  # keeps the admin's formatting
    if not body or not command_args(message):
        await reply(update, context, h("announce_usage", lang))
        return
    length = utf16_len(body)
    if length > ANNOUNCE_MAX_CHARS:
        await reply(update, context, h("announce_too_long", lang, length=length, limit=ANNOUNCE_MAX_CHARS))
        return
    draft = rt.state.create_draft(update.effective_user.id, body)
    keyboard = InlineKeyboardMarkup([[
        InlineKeyboardButton(t("announce_confirm", lang), callback_data=f"ann:{draft}:ok"),
        InlineKeyboardButton(t("announce_cancel", lang), callback_data=f"ann:{draft}:no"),
    ]])
    await reply(update, context, h("announce_preview", lang, chat=rt.announce_chat) + "\n\n" + body, keyboard)


async def on_announce_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    async with _Answering(query) as answer:
        rt = runtime(context)
        lang = ui_lang(rt, query.from_user)
        if not rt.is_admin(query.from_user):
            log.warning(kv(event="admin_refused", user=query.from_user.id, command="announce_button"))
            await answer(t("admin_only", lang), alert=True)
            return
        _, draft_id, action = query.data.split(":")
        draft = rt.state.take_draft(int(draft_id), "posted" if action == "ok" else "cancelled")
        if draft is None:
            await answer(t("buttons_expired", lang), alert=True)
            return
        chat = rt.announce_chat
        if action != "ok":
            await answer(t("announce_cancelled", lang))
            await edit_html(context.bot, query.message, h("announce_cancelled", lang))
            log.info(kv(event="announcement_cancelled", draft=draft_id, admin=query.from_user.id))
            return
        try:
            sent = await send_html(context.bot, chat_target(chat), draft["text"], preview=True)
        except TelegramError as exc:
            rt.state.reopen_draft(int(draft_id))  # the buttons keep working once the chat is fixed
            fix = announcements.explain_failure(str(exc))
            log.warning(kv(event="announce_failed", draft=draft_id, chat=chat, error=str(exc), fix=fix))
            await answer()
            await send_html(context.bot, query.message.chat_id, "\n".join([
                h("announce_failed", lang, chat=chat, error=str(exc)), h(fix, lang, chat=chat),
                h("announce_retry_button", lang)]))
            return
        log.info(kv(event="announcement_posted", draft=draft_id, chat=chat, message=sent[-1].message_id,
                    admin=query.from_user.id))
        await answer(t("announce_posted", lang, chat=chat))
        await edit_html(context.bot, query.message, h("announce_posted", lang, chat=chat) + "\n\n" + draft["text"])


# ====================================================================================== errors, updates, jobs


async def on_any_update(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs first for every update: logs those that carry nothing this bot handles."""
    if not isinstance(update, Update):
        return
    known = [name for name in Update.__slots__
             if not name.startswith("_") and name != "update_id" and getattr(update, name, None) is not None]
    if not known:
        log.warning(kv(event="update_skipped", update_id=update.update_id,
                       kinds=list(update.api_kwargs) or "none", reason="no content this bot handles"))


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    rt = runtime(context)
    chat = change.chat
    status = change.new_chat_member.status
    log.info(kv(event="membership", chat=chat.id, chat_username=chat.username, type=chat.type, status=status))
    names = {str(chat.id), f"@{chat.username}".lower() if chat.username else ""}
    if rt.announce_chat and rt.announce_chat.lower() in names and status not in (
            ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER):
        log.warning(kv(event="announce_chat_rights_lost", chat=rt.announce_chat, status=status,
                       fix="make the bot an administrator of the announcement chat with the right to post"))


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Like PTB's errorhandlerbot: log with context; the person gets a short apology, not a traceback."""
    error = context.error
    where: dict[str, Any] = {}
    if isinstance(update, Update):
        where = {"update_id": update.update_id,
                 "chat": update.effective_chat.id if update.effective_chat else None,
                 "user": update.effective_user.id if update.effective_user else None}
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest):
        log.warning(kv(event="network_error", error=f"{type(error).__name__}: {error}", **where))
    else:
        log.error(kv(event="handler_error", error=f"{type(error).__name__}: {error}", **where), exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query is not None:
        try:
            await update.callback_query.answer()
        except TelegramError:
            pass
    private = update.effective_chat.type == ChatType.PRIVATE
    addressed = update.effective_message is not None and (
        private or (update.effective_message.text or "").startswith("/")
        or addressed_question(update.effective_message, context.bot) is not None)
    if addressed:
        try:
            lang = ui_lang(runtime(context), update.effective_user)
            await send_html(context.bot, update.effective_chat.id, h("internal_error", lang))
        except Exception as exc:  # noqa: BLE001 - the apology is best effort
            log.info(kv(event="apology_failed", error=str(exc)))


def write_heartbeat(data_dir: Path) -> None:
    """data_dir/heartbeat holds the time of the last beat; `python -m bot.health` checks it."""
    path = Path(data_dir) / "heartbeat"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(datetime.now(timezone.utc).isoformat(timespec="seconds") + "\n", encoding="utf-8")
    tmp.replace(path)


async def job_heartbeat(context: ContextTypes.DEFAULT_TYPE) -> None:
    write_heartbeat(runtime(context).settings.data_dir)


async def job_check_generation(context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    if rt.reindex_lock.locked():
        return
    generation = await asyncio.to_thread(current_generation, Path(rt.settings.data_dir))
    if generation and generation != rt.seen_generation:
        log.info(kv(event="index_changed_elsewhere", generation=generation))
        await announce_new(context.application)


def _commands(names: tuple[str, ...], lang: str) -> list[BotCommand]:
    return [BotCommand(name, t(f"cmd_{name}", lang)) for name in names]


async def register_admin_menu(bot, admin_id: int) -> bool:
    try:
        for lang in (None, *LANGS):
            await bot.set_my_commands(_commands(USER_COMMANDS + ADMIN_COMMANDS, lang or "en"),
                                      scope=BotCommandScopeChat(admin_id), language_code=lang)
        return True
    except TelegramError as exc:
        log.warning(kv(event="admin_menu_failed", admin=admin_id, error=str(exc),
                       fix="the admin opens the bot and sends /start once; the menu is set then"))
        return False


async def register_commands(app: Application) -> None:
    """The command menu in kk, ru, en and a default; admins also see the admin commands."""
    bot = app.bot
    for lang in (None, *LANGS):
        await bot.set_my_commands(_commands(USER_COMMANDS, lang or "en"), scope=BotCommandScopeDefault(),
                                  language_code=lang)
        await bot.set_my_commands(_commands(GROUP_COMMANDS, lang or "en"), scope=BotCommandScopeAllGroupChats(),
                                  language_code=lang)
    for admin_id in runtime(app).settings.admin_ids:
        await register_admin_menu(bot, admin_id)


async def check_announce_chat(app: Application) -> None:
    """At start-up, say in the log what to fix if the bot cannot post announcements."""
    rt = runtime(app)
    chat = rt.announce_chat
    if not chat:
        log.info(kv(event="announce_chat_unset", note="set CENTRE_BOT_ANNOUNCE_CHAT_ID to post new articles"))
        return
    try:
        member = await app.bot.get_chat_member(chat_target(chat), app.bot.id)
    except TelegramError as exc:
        log.warning(kv(event="announce_chat_unusable", chat=chat, error=str(exc),
                       fix=t(announcements.explain_failure(str(exc)), "en").format(chat=chat)))
        return
    can_post = member.status == ChatMemberStatus.OWNER or (
        member.status == ChatMemberStatus.ADMINISTRATOR and getattr(member, "can_post_messages", None) is not False)
    if not can_post and member.status != ChatMemberStatus.MEMBER:
        log.warning(kv(event="announce_chat_unusable", chat=chat, status=member.status,
                       fix=t("announce_fix_not_admin", "en").format(chat=chat)))


async def on_startup(app: Application) -> None:
    rt = runtime(app)
    log.info(kv(event="starting", bot=app.bot.username, mode="webhook" if rt.settings.webhook_url else "polling",
                admins=len(rt.settings.admin_ids), announce_chat=rt.announce_chat or None,
                knowledge=str(rt.settings.knowledge_dir), data=str(rt.settings.data_dir)))
    loop = asyncio.get_running_loop()
    report = await loop.run_in_executor(rt.reindex_pool, rt.assistant.ensure_index)
    if report is not None:
        log.info(kv(event="index_refreshed", reason=report.reason or "knowledge changed", added=len(report.added),
                    changed=len(report.changed), removed=len(report.removed), chunks=report.chunks,
                    skipped=report.skipped, seconds=report.seconds))
        for problem in report.problems:
            log.warning(kv(event="knowledge_file_skipped", file=problem.path, reason=problem.reason))
    await register_commands(app)
    await check_announce_chat(app)
    await announce_new(app)
    write_heartbeat(rt.settings.data_dir)
    if app.job_queue is not None:
        app.job_queue.run_repeating(job_heartbeat, interval=HEARTBEAT_EVERY, first=HEARTBEAT_EVERY, name="heartbeat")
        app.job_queue.run_repeating(job_check_generation, interval=GENERATION_CHECK_EVERY,
                                    first=GENERATION_CHECK_EVERY, name="generation")
    log.info(kv(event="ready", bot=app.bot.username))


async def on_shutdown(app: Application) -> None:
    rt = runtime(app)
    rt.reindex_pool.shutdown(wait=True)
    log.info(kv(event="stopped", uptime_s=time.monotonic() - rt.started))


# ====================================================================================== building and running


def api_urls(base_url: str) -> tuple[str, str]:
    """CENTRE_BOT_TELEGRAM_BASE_URL (e.g. http://localhost:8081) -> PTB's base_url and base_file_url."""
    base = (base_url or "https://api.telegram.org").strip().rstrip("/")
    if base.endswith("/bot"):
        base = base[: -len("/bot")]
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BotConfigError(
            f"CENTRE_BOT_TELEGRAM_BASE_URL must be an http(s) address such as http://localhost:8081, not {base_url!r}.")
    return f"{base}/bot", f"{base}/file/bot"


def build_application(
    settings: Settings,
    assistant: Any,
    state: BotState,
    *,
    rate_limiter: BaseRateLimiter | None = None,
) -> Application:
    token = settings.telegram_token.get_secret_value().strip()
    if not token:
        raise BotConfigError(NO_TOKEN)
    base_url, base_file_url = api_urls(settings.telegram_base_url)
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .concurrent_updates(PerChatUpdateProcessor())
        .rate_limiter(rate_limiter if rate_limiter is not None else AIORateLimiter(max_retries=3))
        .get_updates_request(SanitizingRequest(connection_pool_size=1))
        .connect_timeout(10).read_timeout(20).write_timeout(20).pool_timeout(30)
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
        .build()
    )
    app.bot_data[RUNTIME] = Runtime(settings, assistant, state, UserRateLimiter(settings.rate_limit_per_minute))
    message = filters.UpdateType.MESSAGE  # new messages only: edits and channel posts are not questions
    app.add_handler(TypeHandler(Update, on_any_update), group=-1)
    for name, callback in (
        ("start", cmd_start), ("help", cmd_help), ("lang", cmd_lang), ("sources", cmd_sources), ("ask", cmd_ask),
        ("reindex", cmd_reindex), ("add", cmd_add), ("remove", cmd_remove), ("docs", cmd_docs),
        ("status", cmd_status), ("announce", cmd_announce), ("unanswered", cmd_unanswered), ("stats", cmd_stats),
    ):
        app.add_handler(CommandHandler(name, callback, filters=message))
    app.add_handler(MessageHandler(message & filters.Document.ALL & filters.CaptionRegex(r"^/add(@\w+)?(\s|$)"), cmd_add))
    app.add_handler(MessageHandler(message & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, on_private_text))
    app.add_handler(MessageHandler(message & filters.ChatType.GROUPS & filters.TEXT & ~filters.COMMAND, on_group_text))
    app.add_handler(MessageHandler(message & filters.ChatType.PRIVATE & filters.COMMAND, on_unknown_command))
    app.add_handler(MessageHandler(message & filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                                   on_other_private))
    app.add_handler(CallbackQueryHandler(on_feedback, pattern=r"^fb:\d+:-?1$"))
    app.add_handler(CallbackQueryHandler(on_lang, pattern=r"^lang:"))
    app.add_handler(CallbackQueryHandler(on_example, pattern=r"^ex:"))
    app.add_handler(CallbackQueryHandler(on_announce_button, pattern=r"^ann:\d+:(ok|no)$"))
    app.add_handler(CallbackQueryHandler(_stale_button))
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(on_error)
    return app


async def _stale_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Buttons of an older version of the bot: answer, so the spinner stops."""
    query = update.callback_query
    async with _Answering(query) as answer:
        await answer(t("buttons_expired", ui_lang(runtime(context), query.from_user)))


def webhook_secret(settings: Settings) -> str:
    secret = settings.webhook_secret.get_secret_value().strip()
    if not secret:
        # Telegram gets the secret with setWebhook at every start, so a fresh random one is as good.
        return secrets.token_urlsafe(32)
    if not _SECRET_OK.match(secret):
        raise BotConfigError("CENTRE_BOT_WEBHOOK_SECRET may only contain A-Z, a-z, 0-9, _ and - (1 to 256 characters).")
    return secret


def serve(app: Application, settings: Settings, *, stop_signals: Any = "default", secret: str | None = None) -> None:
    """Run until stopped: a webhook server when CENTRE_BOT_WEBHOOK_URL is set, long polling otherwise.

    ``stop_signals``: "default" lets PTB stop on SIGINT/SIGTERM; None (for a bot run in a thread, as the
    tests and the benchmark do) installs no signal handlers.
    """
    signals = {} if stop_signals == "default" else {"stop_signals": stop_signals}
    try:
        if settings.webhook_url:
            url_path = urlsplit(settings.webhook_url).path.strip("/")
            log.info(kv(event="webhook", url=settings.webhook_url, listen=settings.webhook_listen,
                        port=settings.webhook_port, path=f"/{url_path}"))
            app.run_webhook(
                listen=settings.webhook_listen, port=settings.webhook_port, url_path=url_path,
                webhook_url=settings.webhook_url, secret_token=secret or webhook_secret(settings),
                allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3, **signals,
            )
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3, **signals)
    except InvalidToken:
        raise BotConfigError(
            "Telegram rejected the bot token in CENTRE_BOT_TELEGRAM_TOKEN. Copy it again from @BotFather "
            "(/mybots -> your bot -> API Token) and restart.") from None
    except BadRequest as exc:
        raise BotConfigError(
            f"The Bot API refused a start-up request: {exc}. If it is about the webhook, check CENTRE_BOT_WEBHOOK_URL "
            "(a public https:// address that reaches this server).") from None
    except NetworkError as exc:
        raise BotConfigError(
            f"Cannot reach the Bot API at {api_urls(settings.telegram_base_url)[0].rsplit('/', 1)[0]} ({exc}). "
            "Check the network, or CENTRE_BOT_TELEGRAM_BASE_URL if you run your own Bot API server.") from None
    except EmbeddingModelError as exc:
        raise BotConfigError(str(exc)) from None
    except OSError as exc:  # e.g. the webhook port is taken
        raise BotConfigError(
            f"Could not start: {exc}. If the webhook port is in use, set CENTRE_BOT_WEBHOOK_PORT.") from None


def run_bot(settings: Settings) -> None:
    """`centre-bot run`: configure logging, load the assistant and the state, serve until stopped."""
    token = settings.telegram_token.get_secret_value().strip()
    if not token:
        raise BotConfigError(NO_TOKEN)
    secret = webhook_secret(settings) if settings.webhook_url else None
    configure_logging([token, secret or ""])
    from bot.service import Assistant

    state = BotState(Path(settings.data_dir) / "bot.db")
    app = build_application(settings, Assistant(settings), state)
    try:
        serve(app, settings, secret=secret)
    finally:
        state.close()
