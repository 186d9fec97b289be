"""What every handler works with: the Runtime (settings, assistant, state, locks) behind PTB's custom
``Context`` (ContextTypes, as in PTB's contexttypesbot.py), who is asking and in which language, and the
admin checks for commands and buttons."""

from __future__ import annotations

import asyncio
import functools
import logging
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from telegram import CallbackQuery, Message, Update, User
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from bot.messages import t
from bot.ops.logging import kv
from bot.qa.compose import Answer
from bot.settings import Settings
from bot.telegram.html import h
from bot.telegram.ratelimit import UserRateLimiter
from bot.telegram.send import CallbackAnswer, reply
from bot.telegram.state import BotState
from index.builder import Progress, ReindexReport
from index.documents import Document
from index.snapshot import IndexMissing, Snapshot
from index.text import error_text

log = logging.getLogger(__name__)

RUNTIME = "centre_bot"  # key of the Runtime in application.bot_data
# Telegram's language_code -> the language of the bot's messages until the user asks something.
TELEGRAM_LANGS = {"kk": "kk", "ru": "ru", "be": "ru", "ky": "ru", "uz": "ru", "tg": "ru", "tk": "ru", "en": "en"}
COMMAND_PREFIX = re.compile(r"^\s*/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?\s*")


class Assistant(Protocol):
    """What the bot needs of the question answering (bot.qa.assistant.Assistant, or a test's stand-in)."""

    @property
    def knowledge_dir(self) -> Path: ...

    def ask(self, question: str, lang: str | None = None, mode: str = "hybrid", use_llm: bool = True,
            conversation: object | None = None, on_delta: Callable[[str], None] | None = None) -> Answer: ...

    def reindex(self, progress: Progress | None = None) -> ReindexReport: ...

    def ensure_index(self, progress: Progress | None = None) -> ReindexReport | None: ...

    def snapshot(self) -> Snapshot: ...

    def index_model_problem(self) -> tuple[str, str] | None: ...


@dataclass
class Runtime:
    settings: Settings
    assistant: Assistant
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

    def is_admin(self, user: User | None) -> bool:
        return user is not None and user.id in self.settings.admin_ids


def runtime(app: Application) -> Runtime:
    return app.bot_data[RUNTIME]


class Context(CallbackContext[ExtBot, dict, dict, dict]):
    """The context every handler and job of this bot gets: PTB's, plus the Runtime."""

    @property
    def runtime(self) -> Runtime:
        return runtime(self.application)


CONTEXT_TYPES = ContextTypes(context=Context)


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
        log.warning(kv(event="state_read_failed", user=user.id, error=error_text(exc, kind=True)))
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


def command_args(message: Message) -> str:
    """What follows the /command, newlines kept (context.args would lose them)."""
    return COMMAND_PREFIX.sub("", message.text or message.caption or "", count=1).strip()


def admin_only(func: Callable) -> Callable:
    @functools.wraps(func)
    async def wrapper(update: Update, context: Context) -> None:
        rt = context.runtime
        user = update.effective_user
        if not rt.is_admin(user):
            log.warning(kv(event="admin_refused", user=user.id if user else None,
                           chat=update.effective_chat.id if update.effective_chat else None,
                           command=func.__name__.removeprefix("cmd_")))
            await reply(update, context, h("admin_only", ui_lang(rt, user)))
            return
        await func(update, context)

    return wrapper


async def refused_button(rt: Runtime, query: CallbackQuery, answer: CallbackAnswer, lang: str, button: str) -> bool:
    """Admin buttons pressed by someone who is not (or no longer) an admin: refused, logged, told."""
    if rt.is_admin(query.from_user):
        return False
    log.warning(kv(event="admin_refused", user=query.from_user.id, command=button))
    await answer(t("admin_only", lang), alert=True)
    return True


async def snapshot_or_none(rt: Runtime) -> Snapshot | None:
    """The live index, or None before the first build (read off the event loop)."""
    try:
        return await asyncio.to_thread(rt.assistant.snapshot)
    except IndexMissing:
        return None


async def documents_or_say_none(update: Update, context: Context) -> tuple[str, dict[str, Document]] | None:
    """(interface language, the live index's documents), or None after telling the user there are none."""
    rt = context.runtime
    lang = ui_lang(rt, update.effective_user)
    snapshot = await snapshot_or_none(rt)
    if snapshot is None or not snapshot.documents:
        text = h("sources_empty", lang)
        if rt.is_admin(update.effective_user):
            text += "\n" + h("add_first_article", lang)
        await reply(update, context, text)
        return None
    return lang, snapshot.documents

