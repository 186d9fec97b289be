"""Admin commands: /reindex, /add, /remove, /docs, /status, /unanswered, /stats, /announce, and the
announcement of new articles. Index changes run as tasks that report by editing one status message."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import shutil
import time
from datetime import datetime, timezone
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application, ContextTypes

from bot.telegram import announce as announcements
from index import ingest
from bot.ops.logging import kv
from bot.messages import TEXTS, t
from bot.telegram.state import HELD, SENDING
from bot.telegram.context import (
    documents_or_say_none,
    COMMAND_PREFIX,
    Html,
    CallbackAnswer,
    admin_lang,
    admin_only,
    chat_target,
    code,
    command_args,
    edit_html,
    h,
    language_name,
    log,
    reply,
    runtime,
    send_html,
    snapshot_or_none,
    topic_thread,
    ui_lang,
)
from bot.telegram.html import esc, utf16_len
from index.builder import ReindexReport
from index.documents import scan_knowledge
from index.embeddings import EmbeddingModelError
from index.snapshot import DiskFull, is_disk_full

# Telegram refused the post outright (so it is certainly not out), as opposed to a timeout or lost connection.
REJECTED = (BadRequest, Forbidden, RetryAfter)
PROGRESS_EVERY = 1.5  # seconds between progress edits of a running reindex
ANNOUNCE_MAX_CHARS = 3500
INGEST_SECONDS = 120  # reading one upload or page; the size limits in index.ingest keep it far below


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


def _raw(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _explain(exc: BaseException, lang: str, data_dir: Path) -> str:
    """The failure in the admin's language; Python's own text goes to the log only."""
    if isinstance(exc, EmbeddingModelError):
        return str(exc)
    if not isinstance(exc, DiskFull) and is_disk_full(exc):
        exc = DiskFull(data_dir)
    if isinstance(exc, DiskFull):
        return t("disk_full", lang, path=exc.data_dir, mb=exc.free_mb)
    return t("error_in_log", lang, kind=type(exc).__name__)


def _reports_failure(task):
    """An admin job that fails unexpectedly says so in its status message instead of staying at "working…"."""

    @functools.wraps(task)
    async def wrapper(app: Application, status: Message, lang: str, *args) -> None:
        try:
            await task(app, status, lang, *args)
        except Exception as exc:  # noqa: BLE001 - told to the admin and logged with its traceback
            log.error(kv(event="admin_task_failed", task=task.__name__, error=_raw(exc)), exc_info=exc)
            error = _explain(exc, lang, runtime(app).settings.data_dir)
            with contextlib.suppress(TelegramError):
                await edit_html(app.bot, status, h("task_failed", lang, error=error))

    return wrapper


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
        log.error(kv(event="reindex_failed", error=_raw(exc)), exc_info=exc)
        if status is not None:
            await edit_html(app.bot, status, h("reindex_failed", lang, error=_explain(exc, lang, rt.settings.data_dir)))
        return None
    log.info(kv(event="reindex", added=len(report.added), changed=len(report.changed),
                removed=len(report.removed), unchanged=report.unchanged, skipped=report.skipped,
                chunks=report.chunks, seconds=report.seconds, generation=report.generation))
    return report


def _ids(ids: list[str], limit: int = 20) -> Html:
    shown = ", ".join(f"<code>{esc(i)}</code>" for i in ids[:limit])
    return Html(shown + (f" … (+{len(ids) - limit})" if len(ids) > limit else ""))


def ingest_text(exc, lang: str) -> str:
    """Why /add refused, as HTML in the admin's language; an indexer's reason is translated like a skip."""
    values = dict(exc.values)
    problem, problem_values = values.pop("problem", ""), values.pop("problem_values", ())
    if exc.key == "ingest_invalid" and f"doc_{problem}" in TEXTS:
        values["error"] = Html(h(f"doc_{problem}", lang, **dict(problem_values)))
    return h(exc.key, lang, **values)


def problem_text(problem, lang: str) -> str:
    """Why a knowledge file was skipped, as HTML in the admin's language (English only if it has no key)."""
    key = f"doc_{problem.key}"
    return h(key, lang, **dict(problem.values)) if key in TEXTS else esc(problem.reason)


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
        lines += [f"• {esc(Path(p.path).name)}: {problem_text(p, lang)}" for p in report.problems[:15]]
    return "\n".join(lines)


async def announce_new(app: Application, notify: list[tuple[int, str]] | None = None) -> None:
    """Post the articles not announced yet; tell ``notify`` [(chat_id, lang)] (default: all admins)."""
    rt = runtime(app)
    async with rt.announce_lock:
        snapshot = await snapshot_or_none(rt)
        if snapshot is None:
            return
        rt.seen_generation = snapshot.generation
        if not rt.state.baseline_done():
            if not snapshot.documents:
                # Nothing indexed yet (an empty folder): the baseline waits for the first articles, so that
                # filling the folder of a new deployment does not flood the channel.
                return
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
        if not chat:
            for doc in fresh:  # kept aside: offered to the admins once a chat is set
                rt.state.claim_announcement(doc.family, doc.id, doc.lang, doc.title, "", status=HELD)
                log.info(kv(event="announce_held", doc=doc.id, reason="CENTRE_BOT_ANNOUNCE_CHAT_ID is not set"))
            return
        fresh = [doc for doc in fresh if rt.state.claim_announcement(doc.family, doc.id, doc.lang, doc.title, chat)]
        if fresh:
            await _post(app, snapshot, fresh, chat, targets)


async def _post(app: Application, snapshot, docs: list, chat: str, targets: list[tuple[int, str]]) -> None:
    """One post for one article, one digest post for several (never a flood); the claims are already made."""
    rt = runtime(app)
    text = announcements.compose(snapshot, docs[0]) if len(docs) == 1 else announcements.digest(snapshot, docs)
    titles = "», «".join(doc.title for doc in docs)
    try:
        sent = await send_html(app.bot, chat_target(chat), text, preview=len(docs) == 1)
    except REJECTED as exc:
        for doc in docs:
            rt.state.release_announcement(doc.family)  # certainly not posted: the next reindex tries again
        fix = announcements.explain_failure(str(exc))
        log.warning(kv(event="announce_failed", docs=[d.id for d in docs], chat=chat, error=str(exc), fix=fix))
        for chat_id, lang in targets:
            await _tell(app, chat_id, "\n".join([
                h("announce_failed", lang, chat=chat), h(fix, lang, chat=chat), h("announce_retry_reindex", lang)]))
        return
    except TelegramError as exc:
        # A timeout or a dropped connection: the post may be out. Keep the claims (never post twice) and let
        # a person look.
        log.warning(kv(event="announce_uncertain", docs=[d.id for d in docs], chat=chat, error=str(exc)))
        row = rt.state.announcement(docs[0].family)
        for chat_id, lang in targets:
            await _tell(app, chat_id, h("announce_uncertain", lang, chat=chat, title=titles),
                        _settle_keyboard(row["ref"], lang) if len(docs) == 1 else None)
        return
    except Exception:
        for doc in docs:
            rt.state.release_announcement(doc.family)
        raise
    for doc in docs:
        rt.state.finish_announcement(doc.family, sent[-1].message_id)
    log.info(kv(event="announced", docs=[d.id for d in docs], chat=chat, message=sent[-1].message_id))
    for chat_id, lang in targets:
        await _tell(app, chat_id, h("announce_new_posted", lang, chat=chat, title=titles))


async def offer_held(app: Application) -> None:
    """Articles added while no announcement chat was set: once one is, ask the admins whether to post them."""
    rt = runtime(app)
    held = rt.state.held_announcements()
    if not held or not rt.announce_chat:
        return
    titles = "\n".join(f"• {row['title']}" for row in held[:20])
    for admin_id in rt.settings.admin_ids:
        lang = admin_lang(rt, admin_id)
        keyboard = InlineKeyboardMarkup([[
            InlineKeyboardButton(t("held_post", lang), callback_data="held:post"),
            InlineKeyboardButton(t("held_skip", lang), callback_data="held:skip"),
        ]])
        await _tell(app, admin_id, h("held_offer", lang, count=len(held), chat=rt.announce_chat) + "\n" + esc(titles),
                    keyboard)


async def _refused_button(rt, query, answer, lang: str, button: str) -> bool:
    """Admin buttons pressed by someone who is not (or no longer) an admin: refused, logged, told."""
    if rt.is_admin(query.from_user):
        return False
    log.warning(kv(event="admin_refused", user=query.from_user.id, command=button))
    await answer(t("admin_only", lang), alert=True)
    return True


async def on_held_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    async with CallbackAnswer(query) as answer:
        rt = runtime(context)
        lang = ui_lang(rt, query.from_user)
        if await _refused_button(rt, query, answer, lang, "held_button"):
            return
        if not rt.state.held_announcements():
            await answer(t("announce_already_settled", lang), alert=True)
            return
        if query.data == "held:skip":
            rt.state.settle_held(announce=False)
            log.info(kv(event="announce_held_skipped", by=query.from_user.id))
            await edit_html(context.bot, query.message, h("held_skipped", lang))
            return
        rt.state.settle_held(announce=True)  # pending again: posted (as one digest) right away
        await edit_html(context.bot, query.message, h("held_posting", lang, chat=rt.announce_chat))
        await announce_new(context.application, notify=[(query.message.chat.id, lang)])


async def _tell(app: Application, chat_id: int, text: str, keyboard: InlineKeyboardMarkup | None = None) -> None:
    try:
        await send_html(app.bot, chat_id, text, keyboard=keyboard)
    except TelegramError as exc:  # an admin who never opened the bot cannot be messaged
        log.warning(kv(event="notify_failed", chat=chat_id, error=str(exc)))


def _settle_keyboard(ref: int, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t("announce_publish_again", lang), callback_data=f"settle:{ref}:post"),
        InlineKeyboardButton(t("announce_is_there", lang), callback_data=f"settle:{ref}:there"),
    ]])


async def report_unsettled(app: Application) -> None:
    """At start-up: posts left in 'sending' may or may not be out. Ask the admins; never post them blindly."""
    rt = runtime(app)
    for row in rt.state.unsettled_announcements():
        chat = row["chat"] or rt.announce_chat
        log.warning(kv(event="announce_unsettled", doc=row["doc_id"], chat=chat, since=row["at"],
                       action="admins asked to check the channel"))
        for admin_id in rt.settings.admin_ids:
            lang = admin_lang(rt, admin_id)
            await _tell(app, admin_id, h("announce_unsettled", lang, chat=chat, title=row["title"]),
                        _settle_keyboard(row["ref"], lang))


async def on_settle_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    async with CallbackAnswer(query) as answer:
        rt = runtime(context)
        lang = ui_lang(rt, query.from_user)
        if await _refused_button(rt, query, answer, lang, "settle_button"):
            return
        _, ref, action = query.data.split(":")
        async with rt.announce_lock:
            row = rt.state.announcement_by_ref(int(ref))
            if row is None or row["status"] != SENDING:
                await answer(t("announce_already_settled", lang), alert=True)
                return
            chat = row["chat"] or rt.announce_chat
            if action == "there":
                rt.state.settle_announcement(row["family"], None)
                log.info(kv(event="announce_settled", doc=row["doc_id"], by=query.from_user.id, outcome="was posted"))
                await answer(t("announce_marked_posted", lang))
                await edit_html(context.bot, query.message, h("announce_marked_posted", lang))
                return
            snapshot = await snapshot_or_none(rt)
            doc = snapshot.documents.get(row["doc_id"]) if snapshot is not None else None
            if doc is None or not chat:
                await answer(t("announce_cannot_repost", lang), alert=True)
                return
            try:
                sent = await send_html(context.bot, chat_target(chat), announcements.compose(snapshot, doc),
                                       preview=True)
            except TelegramError as exc:
                log.warning(kv(event="announce_failed", doc=doc.id, chat=chat, error=str(exc)))
                await answer(t("announce_repost_failed", lang, chat=chat), alert=True)
                return
            rt.state.settle_announcement(row["family"], sent[-1].message_id)
            log.info(kv(event="announced", doc=doc.id, family=doc.family, chat=chat, message=sent[-1].message_id,
                        by=query.from_user.id))
            await answer(t("announce_posted", lang, chat=chat))
            await edit_html(context.bot, query.message, h("announce_new_posted", lang, chat=chat, title=doc.title))


@_reports_failure
async def _reindex_task(app: Application, status: Message, lang: str, waited: bool) -> None:
    rt = runtime(app)
    async with rt.reindex_lock:
        if waited:  # the message said "waiting for the running reindex"
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
    context.application.create_task(_reindex_task(context.application, status, lang, busy), update=update)


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
    args = command_args(message)
    url = args.split()[0] if args else ""
    if document is None and not url:
        await reply(update, context, h("add_usage", lang))
        return
    if document is None and not ingest.looks_like_url(args):
        await reply(update, context, h("ingest_bad_url", lang, url=args[:200]) + "\n\n" + h("add_usage", lang))
        return
    if document is not None:
        try:
            ingest.check_upload(document.file_name, document.file_size)
        except ingest.IngestError as exc:
            await reply(update, context, ingest_text(exc, lang))
            return
        status = (await reply(update, context, h("add_reading_file", lang, name=document.file_name or "")))[-1]
    else:
        url = ingest.normalise_url(url)
        status = (await reply(update, context, h("add_fetching", lang, url=url)))[-1]
    context.application.create_task(_add_task(context.application, status, lang, document, url), update=update)


@_reports_failure
async def _add_task(app: Application, status: Message, lang: str, document, url: str) -> None:
    rt = runtime(app)
    try:
        if document is not None:
            try:
                data = bytes(await (await document.get_file()).download_as_bytearray())
            except TelegramError as exc:
                log.warning(kv(event="download_failed", file=document.file_id, error=f"{type(exc).__name__}: {exc}"))
                await edit_html(app.bot, status, h("add_download_failed", lang))
                return
            # The worker process has its own memory and time limits and is killed past them.
            article = await asyncio.to_thread(ingest.article_from_file_isolated, document.file_name or "file",
                                              data, INGEST_SECONDS)
        else:
            try:
                article = await asyncio.wait_for(
                    asyncio.to_thread(ingest.article_from_url, url, rt.settings.allow_private_urls), INGEST_SECONDS)
            except asyncio.TimeoutError:
                raise ingest.IngestError("ingest_took_too_long", seconds=INGEST_SECONDS) from None
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
                await edit_html(app.bot, status, h("add_not_indexed", lang, error=Html(problem_text(problem, lang))))
                return
            done = h("add_done", lang, title=article.title, id=code(article.id), lang=language_name(article.lang),
                     date=article.date)
            await edit_html(app.bot, status, done + "\n\n" + report_html(report, lang))
            await announce_new(app, notify=[(status.chat_id, lang)])
    except ingest.IngestError as exc:
        # The raw library error (English, Python) goes to the log only; the admin's text says what to do.
        log.info(kv(event="add_refused", reason=exc.key, **exc.values))
        await edit_html(app.bot, status, ingest_text(exc, lang))


REMOVE_PAGE = 8  # articles per page of /remove buttons


def _ref(doc_id: str) -> str:
    """A short, stable stand-in for an id in callback data (limited to 64 bytes; ids can be far longer)."""
    return hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:16]


async def _knowledge_documents(rt) -> list:
    scan = await asyncio.to_thread(scan_knowledge, rt.assistant.knowledge_dir)
    return sorted(scan.documents, key=lambda d: (d.date, d.id), reverse=True)


def _remove_page(docs: list, page: int, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    pages = max(1, -(-len(docs) // REMOVE_PAGE))
    page = min(max(page, 0), pages - 1)
    rows = []
    for doc in docs[page * REMOVE_PAGE:(page + 1) * REMOVE_PAGE]:
        title = doc.title if len(doc.title) <= 40 else doc.title[:39] + "…"
        rows.append([InlineKeyboardButton(f"{title} · {language_name(doc.lang)}", callback_data=f"rm:ask:{_ref(doc.id)}")])
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀", callback_data=f"rm:page:{page - 1}"))
    if page < pages - 1:
        nav.append(InlineKeyboardButton("▶", callback_data=f"rm:page:{page + 1}"))
    if nav:
        rows.append(nav)
    return h("remove_pick", lang, page=page + 1, pages=pages), InlineKeyboardMarkup(rows)


@admin_only
async def cmd_remove(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    lang = ui_lang(rt, update.effective_user)
    args = command_args(update.effective_message).split()
    docs = await _knowledge_documents(rt)
    if not args:
        if not docs:
            await reply(update, context, h("sources_empty", lang) + "\n" + h("add_first_article", lang))
            return
        text, keyboard = _remove_page(docs, 0, lang)
        await reply(update, context, text, keyboard)
        return
    if not any(d.id == args[0] for d in docs):  # said at once, before any "updating the index…"
        await reply(update, context, h("remove_not_found", lang, id=code(args[0])))
        return
    waiting = "reindex_waiting" if rt.reindex_lock.locked() else "reindex_started"
    status = (await reply(update, context, h(waiting, lang)))[-1]
    context.application.create_task(_remove_task(context.application, status, lang, args[0]), update=update)


async def on_remove_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/remove's buttons: a page of articles -> "remove «title»?" -> yes (remove) or no."""
    query = update.callback_query
    async with CallbackAnswer(query) as answer:
        rt = runtime(context)
        lang = ui_lang(rt, query.from_user)
        if await _refused_button(rt, query, answer, lang, "remove_button"):
            return
        _, action, value = query.data.split(":", 2)
        docs = await _knowledge_documents(rt)
        if action == "page":
            text, keyboard = _remove_page(docs, int(value), lang)
            await edit_html(context.bot, query.message, text, keyboard)
            return
        if action == "no":
            await edit_html(context.bot, query.message, h("remove_kept", lang))
            return
        doc = next((d for d in docs if _ref(d.id) == value), None)
        if doc is None:
            await answer(t("remove_gone", lang), alert=True)
            return
        if action == "ask":
            keyboard = InlineKeyboardMarkup([[
                InlineKeyboardButton(t("remove_yes", lang), callback_data=f"rm:yes:{value}"),
                InlineKeyboardButton(t("remove_no", lang), callback_data="rm:no:-"),
            ]])
            await edit_html(context.bot, query.message,
                            h("remove_confirm", lang, title=doc.title, id=code(doc.id)), keyboard)
            return
        waiting = "reindex_waiting" if rt.reindex_lock.locked() else "reindex_started"
        await edit_html(context.bot, query.message, h(waiting, lang))
        context.application.create_task(_remove_task(context.application, query.message, lang, doc.id),
                                        update=update)


@_reports_failure
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
        report = None
        try:
            report = await run_reindex(app, status, lang)
        finally:
            if report is None:  # the old index still has the article: put the file back so both agree
                await asyncio.to_thread(shutil.move, target, doc.path)
                log.warning(kv(event="remove_undone", doc=doc.id, reason="the reindex failed"))
        if report is None:
            await send_html(app.bot, status.chat_id, h("remove_undone", lang, id=code(doc.id)))
            return
        lines = [h("remove_done", lang, title=doc.title, id=code(doc.id), path=code(str(target)))]
        if orphans:
            lines.append(h("remove_orphans", lang, ids=_ids(orphans)))
        await edit_html(app.bot, status, "\n".join(lines) + "\n\n" + report_html(report, lang))


# ====================================================================================== admin views


def private_only(func):
    """Admin views show internal details (questions people asked, settings): not in front of a group."""

    @functools.wraps(func)
    async def wrapper(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_chat.type != ChatType.PRIVATE:
            await reply(update, context, h("admin_private_only", ui_lang(runtime(context), update.effective_user),
                                           bot=f"@{context.bot.username}"))
            return
        await func(update, context)

    return wrapper


@admin_only
@private_only
async def cmd_docs(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if (known := await documents_or_say_none(update, context)) is None:
        return
    lang, documents = known
    docs = sorted(documents.values(), key=lambda d: (d.date, d.id), reverse=True)
    lines = [f"<b>{h('docs_title', lang, count=len(docs))}</b>"]
    for doc in docs:
        details = ", ".join(p for p in (language_name(doc.lang), doc.date) if p)
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
    return ", ".join(f"{language_name(lang)} {counts[lang]}" for lang in sorted(counts)) or "—"


@admin_only
@private_only
async def cmd_status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    lang = ui_lang(rt, update.effective_user)
    lines = [f"<b>{h('status_title', lang)}</b>"]
    snapshot = await snapshot_or_none(rt)
    if problem := await asyncio.to_thread(rt.assistant.index_model_problem):
        key = "status_other_model" if snapshot is not None else "status_other_model_refused"
        lines.append(h(key, lang, built_with=problem[0], configured=problem[1]))
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
        if not snapshot.documents:
            lines.append(h("add_first_article", lang))
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
@private_only
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
@private_only
async def cmd_stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    from bot.telegram.charts import questions_chart

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
        message_thread_id=topic_thread(update.effective_message),
    )


@admin_only
async def cmd_announce(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    rt = runtime(context)
    lang = ui_lang(rt, update.effective_user)
    message = update.effective_message
    if not rt.announce_chat:
        await reply(update, context, h("announce_no_chat", lang))
        return
    body = COMMAND_PREFIX.sub("", message.text_html or "", count=1).strip()  # keeps the admin's formatting
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
    async with CallbackAnswer(query) as answer:
        rt = runtime(context)
        lang = ui_lang(rt, query.from_user)
        if await _refused_button(rt, query, answer, lang, "announce_button"):
            return
        _, draft_id, action = query.data.split(":")
        draft = rt.state.take_draft(int(draft_id), "posted" if action == "ok" else "cancelled")
        if draft is None:
            already = rt.state.draft_status(int(draft_id)) == "posted"
            await answer(t("announce_already_posted" if already else "buttons_expired", lang), alert=True)
            return
        chat = rt.announce_chat
        if action != "ok":
            await answer(t("announce_cancelled", lang))
            await edit_html(context.bot, query.message, h("announce_cancelled", lang))
            log.info(kv(event="announcement_cancelled", draft=draft_id, admin=query.from_user.id))
            return
        if not chat:  # the operator removed the setting since the preview
            rt.state.reopen_draft(int(draft_id))
            await answer()
            await send_html(context.bot, query.message.chat.id, h("announce_no_chat", lang))
            return
        try:
            sent = await send_html(context.bot, chat_target(chat), draft["text"], preview=True)
        except TelegramError as exc:
            rt.state.reopen_draft(int(draft_id))  # the buttons keep working once the chat is fixed
            await answer()
            if isinstance(exc, REJECTED):
                fix = announcements.explain_failure(str(exc))
                log.warning(kv(event="announce_failed", draft=draft_id, chat=chat, error=str(exc), fix=fix))
                text = "\n".join([h("announce_failed", lang, chat=chat), h(fix, lang, chat=chat),
                                  h("announce_retry_button", lang)])
            else:  # a timeout: the post may be out, so the admin looks before pressing again
                log.warning(kv(event="announce_uncertain", draft=draft_id, chat=chat, error=str(exc)))
                text = h("announce_check_first", lang, chat=chat)
            await send_html(context.bot, query.message.chat.id, text)
            return
        log.info(kv(event="announcement_posted", draft=draft_id, chat=chat, message=sent[-1].message_id,
                    admin=query.from_user.id))
        await answer(t("announce_posted", lang, chat=chat))
        await edit_html(context.bot, query.message, h("announce_posted", lang, chat=chat) + "\n\n" + draft["text"])
