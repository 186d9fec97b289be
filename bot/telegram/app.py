"""The Telegram bot: a python-telegram-bot 22 Application wired to the Assistant and BotState.

    build_application(settings, assistant, state) -> Application   handlers, rate limits, start-up
    serve(app, settings)                                             long polling, or a webhook
    run_bot(settings)                                                what `centre-bot run` calls

Concurrency: updates are processed concurrently, but one chat's updates in order (PerChatUpdateProcessor).
Questions are answered in worker threads (Assistant.ask is CPU-bound), the reindex in its own single
thread, so the event loop only ever waits on the network. Long admin jobs (/reindex, /add, /remove) run
as tasks and report by editing one message, so the admin's chat stays responsive meanwhile.
The handlers live in bot.telegram.user (everyone), bot.telegram.admin and bot.telegram.announce (admins);
start-up and the repeating jobs in bot.telegram.jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import logging
from collections.abc import Awaitable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.constants import ChatType
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseRateLimiter,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import HTTPXRequest

from bot.ops.logging import configure_logging, kv
from bot.settings import ConfigError, Settings
from bot.telegram import admin, announce, jobs, user
from bot.telegram.context import CONTEXT_TYPES, RUNTIME, Assistant, Context, Runtime, remember_telegram_lang, ui_lang
from bot.telegram.html import h
from bot.telegram.ratelimit import RetryingRateLimiter, UserRateLimiter
from bot.telegram.send import send_html
from bot.telegram.state import BotState
from index.embeddings import EmbeddingModelError
from index.text import error_text

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
MAX_CONCURRENT_UPDATES = 256
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
                               error=error_text(exc, kind=True), action="skipped"))
                if isinstance(update_id, int):
                    clean.append({"update_id": update_id})
        return clean


# ====================================================================================== errors, updates


async def on_any_update(update: object, context: Context) -> None:
    """Runs first for every update: logs those that carry nothing this bot handles."""
    if not isinstance(update, Update):
        return
    try:
        remember_telegram_lang(context.runtime, update.effective_user)
    except Exception as exc:  # noqa: BLE001 - a bot.db that cannot be written must not stop the update
        log.warning(kv(event="state_write_failed", error=error_text(exc, kind=True)))
    known = [name for name in Update.__slots__
             if not name.startswith("_") and name != "update_id" and getattr(update, name, None) is not None]
    if not known:
        log.warning(kv(event="update_skipped", update_id=update.update_id,
                       kinds=list(update.api_kwargs) or "none", reason="no content this bot handles"))


async def on_error(update: object, context: Context) -> None:
    """Like PTB's errorhandlerbot: log with context; the person gets a short apology, not a traceback."""
    error = context.error
    where: dict[str, Any] = {}
    if isinstance(update, Update):
        where = {"update_id": update.update_id,
                 "chat": update.effective_chat.id if update.effective_chat else None,
                 "user": update.effective_user.id if update.effective_user else None}
    network = isinstance(error, NetworkError) and not isinstance(error, BadRequest)
    if network:
        log.warning(kv(event="network_error", error=f"{type(error).__name__}: {error}", **where))
    else:
        log.error(kv(event="handler_error", error=f"{type(error).__name__}: {error}", **where), exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.callback_query is not None:
        with contextlib.suppress(TelegramError):
            await update.callback_query.answer()
    private = update.effective_chat.type == ChatType.PRIVATE
    addressed = update.effective_message is not None and (
        private or (update.effective_message.text or "").startswith("/")
        or user.addressed_question(update.effective_message, context.bot) is not None)
    if addressed and not network:  # after a network error the answer may well have arrived: no apology
        try:
            lang = ui_lang(context.runtime, update.effective_user)
            await send_html(context.bot, update.effective_chat.id, h("internal_error", lang))
        except Exception as exc:  # noqa: BLE001 - the apology is best effort
            log.info(kv(event="apology_failed", error=str(exc)))


# ====================================================================================== building and running


def build_application(
    settings: Settings,
    assistant: Assistant,
    state: BotState,
    *,
    rate_limiter: BaseRateLimiter | None = None,
) -> Application:
    token = settings.telegram_token.get_secret_value()
    if not token:
        raise ConfigError(NO_TOKEN)
    base_url, base_file_url = settings.api_urls
    app = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_file_url)
        .concurrent_updates(PerChatUpdateProcessor())
        .rate_limiter(rate_limiter if rate_limiter is not None
                      else RetryingRateLimiter({settings.announce_target} if settings.announce_target else set()))
        .context_types(CONTEXT_TYPES)
        .get_updates_request(SanitizingRequest(connection_pool_size=1))
        .connect_timeout(10).read_timeout(20).write_timeout(20).pool_timeout(30)
        .post_init(jobs.on_startup)
        .post_shutdown(jobs.on_shutdown)
        .build()
    )
    app.bot_data[RUNTIME] = Runtime(settings, assistant, state, UserRateLimiter(settings.rate_limit_per_minute))
    message = filters.UpdateType.MESSAGE  # new messages only: edits and channel posts are not questions
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    app.add_handler(TypeHandler(Update, on_any_update), group=-1)
    commands = {
        "start": user.cmd_start, "help": user.cmd_help, "lang": user.cmd_lang, "sources": user.cmd_sources,
        "ask": user.cmd_ask, "reindex": admin.cmd_reindex, "add": admin.cmd_add, "remove": admin.cmd_remove,
        "docs": admin.cmd_docs, "status": admin.cmd_status, "announce": announce.cmd_announce,
        "unanswered": admin.cmd_unanswered, "stats": admin.cmd_stats,
    }
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=message))
    add_caption = filters.Document.ALL & filters.CaptionRegex(r"^/add(@\w+)?(\s|$)")  # a file sent with "/add"
    app.add_handler(MessageHandler(message & add_caption, admin.cmd_add))
    # A question is a text, or the caption of a photo or file; an edited question is answered again.
    asked = (message | filters.UpdateType.EDITED_MESSAGE) & (
        (filters.TEXT & ~filters.COMMAND) | (filters.CAPTION & ~filters.CaptionRegex(r"^/")))
    app.add_handler(MessageHandler(asked & private, user.on_private_text))
    app.add_handler(MessageHandler(asked & groups, user.on_group_text))
    app.add_handler(MessageHandler(message & private & filters.COMMAND, user.on_unknown_command))
    other = ~filters.TEXT & ~filters.CAPTION & ~filters.StatusUpdate.ALL  # stickers, photos, voice, files
    app.add_handler(MessageHandler(message & private & other, user.on_other_private))
    app.add_handler(CallbackQueryHandler(user.on_feedback, pattern=r"^fb:\d+:-?1$"))
    app.add_handler(CallbackQueryHandler(user.on_lang, pattern=r"^lang:"))
    app.add_handler(CallbackQueryHandler(user.on_example, pattern=r"^ex:"))
    app.add_handler(CallbackQueryHandler(user.on_more, pattern=r"^more:(kk|ru|en)(:\d+)?$"))
    app.add_handler(CallbackQueryHandler(announce.on_announce_button, pattern=r"^ann:\d+:(ok|no)$"))
    app.add_handler(CallbackQueryHandler(announce.on_settle_button, pattern=r"^settle:\d+:(post|there)$"))
    app.add_handler(CallbackQueryHandler(announce.on_held_button, pattern=r"^held:(post|skip)$"))
    app.add_handler(CallbackQueryHandler(admin.on_remove_button, pattern=r"^rm:(page:\d+|ask:\w+|yes:\w+|no:-)$"))
    app.add_handler(CallbackQueryHandler(user.on_stale_button))
    app.add_handler(ChatMemberHandler(announce.on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(on_error)
    return app


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
                webhook_url=settings.webhook_url, secret_token=secret or settings.webhook_secret_token(),
                allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3, **signals,
            )
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES, bootstrap_retries=3, **signals)
    except InvalidToken:
        raise ConfigError(
            "Telegram rejected the bot token in CENTRE_BOT_TELEGRAM_TOKEN. Copy it again from @BotFather "
            "(/mybots -> your bot -> API Token) and restart.") from None
    except BadRequest as exc:
        raise ConfigError(
            f"The Bot API refused a start-up request: {exc}. If it is about the webhook, check CENTRE_BOT_WEBHOOK_URL "
            "(a public https:// address that reaches this server).") from None
    except NetworkError as exc:
        raise ConfigError(
            f"Cannot reach the Bot API at {settings.api_urls[0].rsplit('/', 1)[0]} ({exc}). "
            "Check the network, or CENTRE_BOT_TELEGRAM_BASE_URL if you run your own Bot API server.") from None
    except EmbeddingModelError as exc:
        raise ConfigError(str(exc)) from None
    except OSError as exc:  # e.g. the webhook port is taken
        raise ConfigError(
            f"Could not start: {exc}. If the webhook port is in use, set CENTRE_BOT_WEBHOOK_PORT.") from None


def run_bot(settings: Settings) -> None:
    """`centre-bot run`: configure logging, load the assistant and the state, serve until stopped."""
    token = settings.telegram_token.get_secret_value()
    if not token:
        raise ConfigError(NO_TOKEN)
    if not Path(settings.knowledge_dir).is_dir():
        raise ConfigError(
            f"The knowledge folder {settings.knowledge_dir} does not exist. Set CENTRE_BOT_KNOWLEDGE_DIR (or pass "
            "--knowledge) to the folder of articles; an empty folder is fine for a start.")
    secret = settings.webhook_secret_token() if settings.webhook_url else None
    configure_logging([token, secret or ""])
    from bot.qa.assistant import Assistant

    state = BotState(Path(settings.data_dir) / "bot.db")
    app = build_application(settings, Assistant(settings), state)
    try:
        serve(app, settings, secret=secret)
    finally:
        state.close()

