"""Admin commands: /reindex, /add, /remove (index changes, run as tasks that report by editing one status
message) and the views /docs, /status, /unanswered, /stats. Announcements are in bot.telegram.announce."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import TelegramError
from telegram.ext import Application

from bot.messages import TEXTS, language_name, t
from bot.ops.logging import kv
from bot.telegram import announce
from bot.telegram.context import (
    Context,
    Runtime,
    admin_only,
    command_args,
    documents_or_say_none,
    refused_button,
    runtime,
    snapshot_or_none,
    ui_lang,
)
from bot.telegram.html import Html, code, esc, h
from bot.telegram.send import CallbackAnswer, edit_html, reply, send_html, topic_thread
from index import ingest
from index.builder import ReindexReport
from index.documents import Document, scan_knowledge
from index.embeddings import EmbeddingModelError
from index.snapshot import DiskFull, is_disk_full
from index.text import error_text

log = logging.getLogger(__name__)

PROGRESS_EVERY = 1.5  # seconds between progress edits of a running reindex
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
        except Exception as exc:  # told to the admin and logged with its traceback
            log.error(kv(event="admin_task_failed", task=task.__name__, error=error_text(exc, 500, kind=True)),
                      exc_info=exc)
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
    except Exception as exc:  # reported to the admin, the old index stays live
        log.error(kv(event="reindex_failed", error=error_text(exc, 500, kind=True)), exc_info=exc)
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
    for key, ids in (("report_translated", report.renditions_made), ("report_untranslated", report.renditions_removed),
                     ("report_translation_failed", report.renditions_failed),
                     ("report_too_long", report.renditions_too_long)):
        if ids:
            lines.append(h(key, lang, ids=_ids(ids)))
    if report.problems:
        lines.append(h("report_skipped", lang, count=len(report.problems)))
        lines += [f"• {esc(Path(p.path).name)}: {problem_text(p, lang)}" for p in report.problems[:15]]
    return "\n".join(lines)


@_reports_failure
async def _reindex_task(app: Application, status: Message, lang: str, waited: bool) -> None:
    rt = runtime(app)
    async with rt.reindex_lock:
        if waited:  # the message said "waiting for the running reindex"
            await edit_html(app.bot, status, h("reindex_started", lang))
        report = await run_reindex(app, status, lang)
        if report is not None:
            await edit_html(app.bot, status, report_html(report, lang))
            await announce.announce_new(app, notify=[(status.chat_id, lang)])


@admin_only
async def cmd_reindex(update: Update, context: Context) -> None:
    rt = context.runtime
    lang = ui_lang(rt, update.effective_user)
    busy = rt.reindex_lock.locked()
    status = (await reply(update, context, h("reindex_waiting" if busy else "reindex_started", lang)))[-1]
    context.application.create_task(_reindex_task(context.application, status, lang, busy), update=update)


@admin_only
async def cmd_add(update: Update, context: Context) -> None:
    rt = context.runtime
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
                log.warning(kv(event="download_failed", file=document.file_id, error=error_text(exc, kind=True)))
                await edit_html(app.bot, status, h("add_download_failed", lang))
                return
            # The worker process has its own memory and time limits and is killed past them.
            article = await asyncio.to_thread(ingest.article_from_file_isolated, document.file_name or "file",
                                              data, INGEST_SECONDS)
        else:
            try:
                article = await asyncio.wait_for(
                    asyncio.to_thread(ingest.article_from_url, url, rt.settings.allow_private_urls), INGEST_SECONDS)
            except TimeoutError:
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
            await announce.announce_new(app, notify=[(status.chat_id, lang)])
    except ingest.IngestError as exc:
        # The raw library error (English, Python) goes to the log only; the admin's text says what to do.
        log.info(kv(event="add_refused", reason=exc.key, **exc.values))
        await edit_html(app.bot, status, ingest_text(exc, lang))


REMOVE_PAGE = 8  # articles per page of /remove buttons


def _ref(doc_id: str) -> str:
    """A short, stable stand-in for an id in callback data (limited to 64 bytes; ids can be far longer)."""
    return hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:16]


async def _knowledge_documents(rt: Runtime) -> list[Document]:
    scan = await asyncio.to_thread(scan_knowledge, rt.assistant.knowledge_dir)
    return sorted(scan.documents, key=lambda d: (d.date, d.id), reverse=True)


def _remove_page(docs: list, page: int, lang: str) -> tuple[str, InlineKeyboardMarkup]:
    pages = max(1, -(-len(docs) // REMOVE_PAGE))
    page = min(max(page, 0), pages - 1)
    rows = []
    for doc in docs[page * REMOVE_PAGE:(page + 1) * REMOVE_PAGE]:
        title = doc.title if len(doc.title) <= 40 else doc.title[:39] + "…"
        rows.append([InlineKeyboardButton(f"{title} · {language_name(doc.lang)}",
                                          callback_data=f"rm:ask:{_ref(doc.id)}")])
    nav = []
    if page > 0:
        nav.append(InlineKeyboardButton("◀", callback_data=f"rm:page:{page - 1}"))
    if page < pages - 1:
        nav.append(InlineKeyboardButton("▶", callback_data=f"rm:page:{page + 1}"))
    if nav:
        rows.append(nav)
    return h("remove_pick", lang, page=page + 1, pages=pages), InlineKeyboardMarkup(rows)


@admin_only
async def cmd_remove(update: Update, context: Context) -> None:
    rt = context.runtime
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


async def on_remove_button(update: Update, context: Context) -> None:
    """/remove's buttons: a page of articles -> "remove «title»?" -> yes (remove) or no."""
    query = update.callback_query
    async with CallbackAnswer(query) as answer:
        rt = context.runtime
        lang = ui_lang(rt, query.from_user)
        if await refused_button(rt, query, answer, lang, "remove_button"):
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
        # Machine renditions go with their original at the reindex; only a person's stay behind.
        orphans = sorted(d.id for d in scan.documents if d.translation_of == doc.id and not d.machine_translation)
        # Moved, not deleted: a mistaken /remove is undone by moving the file back and /reindex.
        trash = Path(rt.settings.data_dir) / "removed"
        target = trash / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{Path(doc.path).name}"
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
    async def wrapper(update: Update, context: Context) -> None:
        if update.effective_chat.type != ChatType.PRIVATE:
            await reply(update, context, h("admin_private_only", ui_lang(context.runtime, update.effective_user),
                                           bot=f"@{context.bot.username}"))
            return
        await func(update, context)

    return wrapper


@admin_only
@private_only
async def cmd_docs(update: Update, context: Context) -> None:
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
async def cmd_status(update: Update, context: Context) -> None:
    rt = context.runtime
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
        age = (datetime.now(UTC) - created).total_seconds()
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
        h("status_announce", lang, chat=rt.settings.announce_chat_id) if rt.settings.announce_chat_id
        else h("status_announce_none", lang),
    ]
    await reply(update, context, "\n".join(lines))


@admin_only
@private_only
async def cmd_unanswered(update: Update, context: Context) -> None:
    rt = context.runtime
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
async def cmd_stats(update: Update, context: Context) -> None:
    from bot.telegram.charts import questions_chart

    rt = context.runtime
    lang = ui_lang(rt, update.effective_user)
    days = 30
    stats = rt.state.stats_by_day(days)
    if not stats:
        await reply(update, context, h("stats_empty", lang))
        return
    total = sum(s.total for s in stats)
    answered = sum(s.answered for s in stats)
    png = await asyncio.to_thread(questions_chart, stats, lang, days)
    shares = rt.state.answer_shares(days)
    await context.bot.send_photo(
        update.effective_chat.id, photo=png, filename="questions.png", parse_mode=ParseMode.HTML,
        caption=h("stats_caption", lang, days=days, total=total, share=_share(answered, total)) + "\n"
        + h("stats_modes", lang, generative=_share(shares.generative, total),
            extractive=_share(shares.extractive, total), refused=_share(shares.refused, total)),
        message_thread_id=topic_thread(update.effective_message),
    )

