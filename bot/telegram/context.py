"""Shared pieces of the Telegram bot: the runtime state, message texts as HTML, sending and editing
with fallbacks, the typing indicator, callback answering and the admin check."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeChat,
    CallbackQuery,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    MaybeInaccessibleMessage,
    Message,
    ReplyParameters,
    Update,
    User,
)
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import Application, ContextTypes

from bot.ops.logging import kv
from bot.messages import LANGS, TEXTS, t
from bot.settings import Settings
from bot.telegram.state import BotState
from bot.telegram.html import esc, html_to_plain, split_html, split_plain
from index.snapshot import IndexMissing

log = logging.getLogger("centre_bot.telegram")

RUNTIME = "centre_bot"  # key of the Runtime in application.bot_data
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
# Telegram's language_code -> the language of the bot's messages until the user asks something.
TELEGRAM_LANGS = {"kk": "kk", "ru": "ru", "be": "ru", "ky": "ru", "uz": "ru", "tg": "ru", "tk": "ru", "en": "en"}
USER_COMMANDS = ("start", "ask", "help", "lang", "sources")
GROUP_COMMANDS = ("ask", "help", "sources", "lang")
ADMIN_COMMANDS = ("reindex", "add", "remove", "docs", "status", "announce", "unanswered", "stats")
COMMAND_PREFIX = re.compile(r"^\s*/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?\s*")


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
    assistant: Any  # bot.qa.assistant.Assistant (anything with its ask/reindex/ensure_index/snapshot)
    state: BotState
    limiter: UserRateLimiter
    started: float = field(default_factory=time.monotonic)
    reindex_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    announce_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    reindex_pool: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="centre-bot-reindex"))
    seen_generation: str | None = None
    deferred: dict[int, dict] = field(default_factory=dict)  # user id -> the question asked over the limit
    seen_langs: dict[int, str] = field(default_factory=dict)  # user id -> Telegram language already stored

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


def telegram_lang(code_: str | None, default: str = "en") -> str:
    return TELEGRAM_LANGS.get((code_ or "").split("-")[0].lower(), default)


def ui_lang(rt: Runtime, user: User | None) -> str:
    """The language of the bot's own messages (menus, notices, admin replies): the /lang choice, else the
    person's Telegram language. It never follows the language of a question: answers do that."""
    default = rt.settings.default_language
    if user is None:
        return default
    try:
        chosen = rt.state.user_lang(user.id).chosen
    except Exception as exc:  # noqa: BLE001 - an unreadable bot.db must not silence the bot
        log.warning(kv(event="state_read_failed", user=user.id, error=f"{type(exc).__name__}: {exc}"))
        chosen = None
    return chosen or telegram_lang(user.language_code, default)


def remember_telegram_lang(rt: Runtime, user: User | None) -> None:
    """Keep each person's Telegram language, for notices sent without a message of theirs (to admins)."""
    if user is None or not user.language_code:
        return
    lang = telegram_lang(user.language_code, rt.settings.default_language)
    if rt.seen_langs.get(user.id) != lang:
        rt.seen_langs[user.id] = lang
        if rt.state.user_lang(user.id).last != lang:
            rt.state.set_last_lang(user.id, lang)


def admin_lang(rt: Runtime, admin_id: int) -> str:
    pref = rt.state.user_lang(admin_id)
    return pref.chosen or pref.last or rt.settings.default_language


LANGUAGE_NAMES = {"kk": "қазақша", "ru": "русский", "en": "English"}


def language_name(code_: str) -> str:
    return LANGUAGE_NAMES.get(code_, code_)


def chat_target(chat: str) -> int | str:
    """CENTRE_BOT_ANNOUNCE_CHAT_ID as the Bot API wants it: an int id or '@channelname'."""
    chat = chat.strip()
    try:
        return int(chat)
    except ValueError:
        return chat if chat.startswith("@") else f"@{chat}"


def command_args(message: Message) -> str:
    """What follows the /command, newlines kept (context.args would lose them)."""
    return COMMAND_PREFIX.sub("", message.text or message.caption or "", count=1).strip()


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


async def edit_html(bot, message: MaybeInaccessibleMessage, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    """Replace a status message's text; what does not fit goes out as further messages."""
    parts = split_html(text) or [esc("…")]
    try:
        await bot.edit_message_text(parts[0], chat_id=message.chat.id, message_id=message.message_id,
                                    parse_mode=ParseMode.HTML, reply_markup=keyboard if len(parts) == 1 else None,
                                    link_preview_options=NO_PREVIEW)
    except BadRequest as exc:
        lowered = str(exc).lower()
        if "not modified" in lowered:
            pass
        elif _format_rejected(exc):
            await bot.edit_message_text(html_to_plain(parts[0])[:4096], chat_id=message.chat.id,
                                        message_id=message.message_id, link_preview_options=NO_PREVIEW)
        elif "message to edit not found" in lowered or "can't be edited" in lowered:
            await send_html(bot, message.chat.id, parts[0], keyboard=keyboard if len(parts) == 1 else None)
        else:
            raise
    if len(parts) > 1:
        await send_html(bot, message.chat.id, "\n".join(parts[1:]), keyboard=keyboard)


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
        except Exception as exc:  # noqa: BLE001 - a missing "typing…" must never cost the answer
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


class CallbackAnswer:
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

    async def __aenter__(self) -> "CallbackAnswer":
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


def topic_thread(message: Message | None) -> int | None:
    """The forum topic a message is in, so that answers go to the same topic."""
    return message.message_thread_id if message is not None and message.is_topic_message else None


async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str,
                keyboard: InlineKeyboardMarkup | None = None) -> list[Message]:
    """Answer in the chat of the update; in groups, as a reply to the message."""
    message = update.effective_message
    chat = update.effective_chat
    group = chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    return await send_html(
        context.bot, chat.id, text, keyboard=keyboard,
        reply_to=message.message_id if (group and message is not None) else None,
        thread_id=topic_thread(message),
    )


async def snapshot_or_none(rt: Runtime):
    """The live index, or None before the first build (read off the event loop)."""
    try:
        return await asyncio.to_thread(rt.assistant.snapshot)
    except IndexMissing:
        return None


async def documents_or_say_none(update: Update, context: ContextTypes.DEFAULT_TYPE):
    """(interface language, the live index's documents), or None after telling the user there are none."""
    rt = runtime(context)
    lang = ui_lang(rt, update.effective_user)
    snapshot = await snapshot_or_none(rt)
    if snapshot is None or not snapshot.documents:
        text = h("sources_empty", lang)
        if rt.is_admin(update.effective_user):
            text += "\n" + h("add_first_article", lang)
        await reply(update, context, text)
        return None
    return lang, snapshot.documents


def command_menu(names: tuple[str, ...], lang: str) -> list[BotCommand]:
    return [BotCommand(name, t(f"cmd_{name}", lang)) for name in names]


async def register_admin_menu(bot, admin_id: int) -> bool:
    """User and admin commands in the admin's private chat, in every language and a default."""
    try:
        for lang in (None, *LANGS):
            await bot.set_my_commands(command_menu(USER_COMMANDS + ADMIN_COMMANDS, lang or "en"),
                                      scope=BotCommandScopeChat(admin_id), language_code=lang)
        return True
    except TelegramError as exc:
        log.warning(kv(event="admin_menu_failed", admin=admin_id, error=str(exc),
                       fix="the admin opens the bot and sends /start once; the menu is set then"))
        return False
