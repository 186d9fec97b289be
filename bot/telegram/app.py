"""The Telegram bot: a python-telegram-bot 22 Application wired to the Assistant and BotState.

    build_application(settings, assistant, state) -> Application   handlers, rate limits, start-up
    serve(app, settings)                                             long polling, or a webhook
    run_bot(settings)                                                what `centre-bot run` calls

Concurrency: updates are processed concurrently, but one chat's updates in order (PerChatUpdateProcessor).
Questions are answered in worker threads (Assistant.ask is CPU-bound), the reindex in its own single
thread, so the event loop only ever waits on the network. Long admin jobs (/reindex, /add, /remove) run
as tasks and report by editing one message, so the admin's chat stays responsive meanwhile.
The handlers live in bot.telegram.user (everyone) and bot.telegram.admin (admins).
"""

from __future__ import annotations

import asyncio
import copy
import re
import secrets
import time
from collections.abc import Awaitable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommandScopeAllGroupChats, BotCommandScopeChat, BotCommandScopeDefault, Update
from telegram.constants import ChatMemberStatus, ChatType
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

from bot.telegram import announce as announcements
from bot.telegram import admin as admin
from bot.telegram import user as user
from bot.ops.logging import configure_logging, kv
from bot.messages import LANGS, t
from bot.settings import Settings
from bot.telegram.state import BotState
from bot.telegram.context import (
    GROUP_COMMANDS,
    RUNTIME,
    USER_COMMANDS,
    Runtime,
    UserRateLimiter,
    chat_target,
    command_menu,
    h,
    log,
    register_admin_menu,
    remember_telegram_lang,
    runtime,
    send_html,
    ui_lang,
)
from index.embeddings import EmbeddingModelError
from index.snapshot import current_generation

ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
MAX_CONCURRENT_UPDATES = 256
HEARTBEAT_EVERY = 30.0
GENERATION_CHECK_EVERY = 60.0  # notices a reindex made by `centre-bot reindex` in another process
_SECRET_OK = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
RETRY_AFTER_RETRIES = 5  # 429s in a row that are waited out before a send fails
TRANSIENT_RETRIES = 3  # 5xx answers and timeouts retried, after 0.5, 1 and 2 s
TRANSIENT_BACKOFF = 0.5
# Stale when late (typing, button spinners), or start-up calls PTB's bootstrap already retries.
NOT_RETRIED = {"sendChatAction", "answerCallbackQuery", "getMe", "setWebhook", "deleteWebhook"}


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


class RetryingRateLimiter(AIORateLimiter):
    """Telegram's flood limits (AIORateLimiter), and transient failures retried so that an answer is not lost:
    a 429 after its retry_after, a 5xx or a timeout a few times with backoff.

    A 5xx or a timeout may hide a message that did arrive, so posts to ``no_duplicates`` (the announcement
    chat, where a double post is worse than asking a person to check) get only the certain 429 retries.
    """

    def __init__(self, no_duplicates: set[int | str] = frozenset(), **kwargs: Any):
        super().__init__(max_retries=RETRY_AFTER_RETRIES, **kwargs)
        self.no_duplicates = {str(chat).lower() for chat in no_duplicates}

    async def process_request(self, callback, args, kwargs, endpoint, data, rate_limit_args):
        retries = 0 if endpoint in NOT_RETRIED or str(data.get("chat_id")).lower() in self.no_duplicates \
            else TRANSIENT_RETRIES
        attempt = 0
        while True:
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as exc:
                if isinstance(exc, BadRequest) or attempt == retries:
                    raise
                delay = TRANSIENT_BACKOFF * 2 ** attempt
                attempt += 1
                log.warning(kv(event="send_retry", method=endpoint, chat=data.get("chat_id"), attempt=attempt,
                               error=f"{type(exc).__name__}: {exc}", wait_s=delay))
                await asyncio.sleep(delay)


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


# ====================================================================================== errors, updates, jobs


async def on_any_update(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs first for every update: logs those that carry nothing this bot handles."""
    if not isinstance(update, Update):
        return
    try:
        remember_telegram_lang(runtime(context), update.effective_user)
    except Exception as exc:  # noqa: BLE001 - a bot.db that cannot be written must not stop the update
        log.warning(kv(event="state_write_failed", error=f"{type(exc).__name__}: {exc}"))
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
    network = isinstance(error, NetworkError) and not isinstance(error, BadRequest)
    if network:
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
        or user.addressed_question(update.effective_message, context.bot) is not None)
    if addressed and not network:  # after a network error the answer may well have arrived: no apology
        try:
            lang = ui_lang(runtime(context), update.effective_user)
            await send_html(context.bot, update.effective_chat.id, h("internal_error", lang))
        except Exception as exc:  # noqa: BLE001 - the apology is best effort
            log.info(kv(event="apology_failed", error=str(exc)))


def write_heartbeat(data_dir: Path) -> None:
    """data_dir/heartbeat holds the time of the last beat; `python -m bot.ops.health` checks it."""
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
        await admin.announce_new(context.application)


async def register_commands(app: Application) -> None:
    """The command menu in kk, ru, en and a default; admins also see the admin commands."""
    bot = app.bot
    for lang in (None, *LANGS):
        await bot.set_my_commands(command_menu(USER_COMMANDS, lang or "en"), scope=BotCommandScopeDefault(),
                                  language_code=lang)
        await bot.set_my_commands(command_menu(GROUP_COMMANDS, lang or "en"), scope=BotCommandScopeAllGroupChats(),
                                  language_code=lang)
    rt = runtime(app)
    for admin_id in rt.settings.admin_ids:
        await register_admin_menu(bot, admin_id)
    # Someone taken off CENTRE_BOT_ADMIN_IDS keeps the admin menu Telegram stored for them: remove it.
    before = {int(i) for i in (rt.state.meta("admin_menus") or "").split(",") if i}
    for former in sorted(before - set(rt.settings.admin_ids)):
        try:
            for lang in (None, *LANGS):
                await bot.delete_my_commands(scope=BotCommandScopeChat(former), language_code=lang)
            log.info(kv(event="admin_menu_removed", user=former))
        except TelegramError as exc:
            log.warning(kv(event="admin_menu_remove_failed", user=former, error=str(exc)))
    rt.state.set_meta("admin_menus", ",".join(map(str, rt.settings.admin_ids)))


async def check_announce_chat(app: Application) -> None:
    """At start-up, say in the log what to fix if the bot cannot post announcements."""
    rt = runtime(app)
    chat = rt.announce_chat
    if not chat:
        log.info(kv(event="announce_chat_unset", note="set CENTRE_BOT_ANNOUNCE_CHAT_ID to post new articles"))
        return
    try:
        info = await app.bot.get_chat(chat_target(chat))
        member = await app.bot.get_chat_member(info.id, app.bot.id)
    except TelegramError as exc:
        log.warning(kv(event="announce_chat_unusable", chat=chat, error=str(exc),
                       fix=t(announcements.explain_failure(str(exc)), "en").format(chat=chat)))
        return
    if member.status == ChatMemberStatus.OWNER:
        return
    if info.type == ChatType.CHANNEL:  # only administrators with the right to post may post in a channel
        can_post = member.status == ChatMemberStatus.ADMINISTRATOR and member.can_post_messages is not False
    else:
        can_post = member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER) or (
            member.status == ChatMemberStatus.RESTRICTED and member.can_send_messages)
    if not can_post:
        key = "announce_fix_not_admin" if member.status != ChatMemberStatus.LEFT else "announce_fix_not_member"
        log.warning(kv(event="announce_chat_unusable", chat=chat, status=member.status,
                       fix=t(key, "en").format(chat=chat)))


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
    await admin.report_unsettled(app)
    await admin.offer_held(app)
    await admin.announce_new(app)
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
        .rate_limiter(rate_limiter if rate_limiter is not None
                      else RetryingRateLimiter({chat_target(settings.announce_chat_id)}
                                               if settings.announce_chat_id.strip() else set()))
        .get_updates_request(SanitizingRequest(connection_pool_size=1))
        .connect_timeout(10).read_timeout(20).write_timeout(20).pool_timeout(30)
        .post_init(on_startup)
        .post_shutdown(on_shutdown)
        .build()
    )
    app.bot_data[RUNTIME] = Runtime(settings, assistant, state, UserRateLimiter(settings.rate_limit_per_minute))
    message = filters.UpdateType.MESSAGE  # new messages only: edits and channel posts are not questions
    private, groups = filters.ChatType.PRIVATE, filters.ChatType.GROUPS
    app.add_handler(TypeHandler(Update, on_any_update), group=-1)
    commands = {
        "start": user.cmd_start, "help": user.cmd_help, "lang": user.cmd_lang, "sources": user.cmd_sources,
        "ask": user.cmd_ask, "reindex": admin.cmd_reindex, "add": admin.cmd_add, "remove": admin.cmd_remove,
        "docs": admin.cmd_docs, "status": admin.cmd_status, "announce": admin.cmd_announce,
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
    app.add_handler(CallbackQueryHandler(admin.on_announce_button, pattern=r"^ann:\d+:(ok|no)$"))
    app.add_handler(CallbackQueryHandler(admin.on_settle_button, pattern=r"^settle:\d+:(post|there)$"))
    app.add_handler(CallbackQueryHandler(admin.on_held_button, pattern=r"^held:(post|skip)$"))
    app.add_handler(CallbackQueryHandler(admin.on_remove_button, pattern=r"^rm:(page:\d+|ask:\w+|yes:\w+|no:-)$"))
    app.add_handler(CallbackQueryHandler(user.on_stale_button))
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_error_handler(on_error)
    return app


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
    if not Path(settings.knowledge_dir).is_dir():
        raise BotConfigError(
            f"The knowledge folder {settings.knowledge_dir} does not exist. Set CENTRE_BOT_KNOWLEDGE_DIR (or pass "
            "--knowledge) to the folder of articles; an empty folder is fine for a start.")
    secret = webhook_secret(settings) if settings.webhook_url else None
    configure_logging([token, secret or ""])
    from bot.qa.assistant import Assistant

    state = BotState(Path(settings.data_dir) / "bot.db")
    app = build_application(settings, Assistant(settings), state)
    try:
        serve(app, settings, secret=secret)
    finally:
        state.close()
