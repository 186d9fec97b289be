"""Announcing articles in the announcement chat: which are new, what the post says, whether the bot may post
there, posting each family once, the admins' /announce, and the buttons that settle uncertain posts.

An article family (an article and its renditions, see Document.family) is announced once, in the
language of the original, and recorded in BotState before the post goes out, so neither a restart nor
another reindex ever posts it twice. The very first index build of a deployment is a baseline: what is
already there counts as announced, so deploying never floods the channel.
"""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import Application

from bot.messages import t
from bot.ops.logging import kv
from bot.qa.compose import strip_dateline
from bot.settings import chat_target
from bot.telegram.context import (
    COMMAND_PREFIX,
    Context,
    admin_lang,
    admin_only,
    command_args,
    refused_button,
    runtime,
    snapshot_or_none,
    ui_lang,
)
from bot.telegram.html import esc, h, link, utf16_len
from bot.telegram.permissions import can_post
from bot.telegram.send import CallbackAnswer, edit_html, reply, send_html
from bot.telegram.state import AnnouncementStatus, BotState, DraftStatus
from index.documents import Document, choose_rendition, families
from index.snapshot import Snapshot
from index.text import one_line

log = logging.getLogger(__name__)

LEAD_MAX_CHARS = 450
LEAD_SENTENCES = 2
ANNOUNCE_MAX_CHARS = 3500
# Telegram refused the post outright (so it is certainly not out), as opposed to a timeout or lost connection.
REJECTED = (BadRequest, Forbidden, RetryAfter)


# ====================================================================================== what to post


def family_heads(snapshot: Snapshot) -> dict[str, Document]:
    """One document per family: the original when it is indexed, else its first rendition."""
    return {family: choose_rendition(docs) for family, docs in families(snapshot.documents.values()).items()}


def baseline(snapshot: Snapshot) -> dict[str, tuple[str, str, str]]:
    return {family: (doc.id, doc.lang, doc.title) for family, doc in family_heads(snapshot).items()}


def pending(snapshot: Snapshot, state: BotState) -> list[Document]:
    """Articles whose family was never announced (nor recorded as known), oldest first."""
    known = state.announced_families()
    fresh = [doc for family, doc in family_heads(snapshot).items() if family not in known]
    return sorted(fresh, key=lambda d: (d.date, d.id))


def lead(snapshot: Snapshot, doc: Document) -> str:
    """The article's first sentences (the dateline removed), cut at a word boundary if long."""
    rows = snapshot.sentence_rows.get(doc.id, range(0))
    sentences = [strip_dateline(snapshot.sentences[r].text) for r in rows][:LEAD_SENTENCES]
    text = " ".join(s for s in sentences if s)
    if not text:
        text = one_line(doc.body)
    if len(text) > LEAD_MAX_CHARS:
        text = text[:LEAD_MAX_CHARS].rsplit(" ", 1)[0].rstrip(",;:—-") + "…"
    return text


def compose(snapshot: Snapshot, doc: Document) -> str:
    """The post as Telegram HTML, in the article's own language."""
    lines = [f"📰 <b>{esc(doc.title)}</b>", "", esc(lead(snapshot, doc))]
    details = " · ".join(esc(p) for p in (doc.source, doc.date) if p)
    if details:
        lines += ["", details]
    if doc.url:
        lines += ["", link(doc.url, t("announce_read_more", doc.lang))]
    return "\n".join(lines)


def digest(snapshot: Snapshot, docs: list[Document]) -> str:
    """Several new articles in one post: a linked title each (in its own language), newest first."""
    langs = [doc.lang for doc in docs]
    heading = t("announce_digest", max(set(langs), key=langs.count), count=len(docs))
    lines = [f"📰 <b>{esc(heading)}</b>", ""]
    for doc in sorted(docs, key=lambda d: (d.date, d.id), reverse=True):
        details = " · ".join(esc(p) for p in (doc.source, doc.date) if p)
        title = link(doc.url, doc.title) if doc.url else f"<b>{esc(doc.title)}</b>"
        lines.append(f"• {title}" + (f" — {details}" if details else ""))
    return "\n".join(lines)


def explain_failure(error: str) -> str:
    """The bot.messages key that tells an admin how to fix a failed post (from the Bot API error text)."""
    text = error.lower()
    if "chat not found" in text or "chat_id is empty" in text or "peer_id_invalid" in text:
        return "announce_fix_chat_not_found"
    if "not a member" in text or "kicked" in text:
        return "announce_fix_not_member"
    if "administrator rights" in text or "not enough rights" in text or "chat_write_forbidden" in text \
            or "have no rights" in text or "admin_required" in text:
        return "announce_fix_not_admin"
    return "announce_fix_other"


# ====================================================================================== posting new articles


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
            known = baseline(snapshot)
            rt.state.record_baseline(known)
            log.info(kv(event="announce_baseline", articles=len(known),
                        note="first index of this deployment: existing articles are not announced"))
            return
        fresh = pending(snapshot, rt.state)
        if not fresh:
            return
        targets = notify if notify is not None else [(a, admin_lang(rt, a)) for a in rt.settings.admin_ids]
        chat = rt.settings.announce_chat_id
        if not chat:
            for doc in fresh:  # kept aside: offered to the admins once a chat is set
                rt.state.claim_announcement(doc.family, doc.id, doc.lang, doc.title, "",
                                            status=AnnouncementStatus.HELD)
                log.info(kv(event="announce_held", doc=doc.id, reason="CENTRE_BOT_ANNOUNCE_CHAT_ID is not set"))
            return
        fresh = [doc for doc in fresh if rt.state.claim_announcement(doc.family, doc.id, doc.lang, doc.title, chat)]
        if fresh:
            await _post(app, snapshot, fresh, chat, targets)


async def _post(app: Application, snapshot, docs: list, chat: str, targets: list[tuple[int, str]]) -> None:
    """One post for one article, one digest post for several (never a flood); the claims are already made."""
    rt = runtime(app)
    text = compose(snapshot, docs[0]) if len(docs) == 1 else digest(snapshot, docs)
    titles = "», «".join(doc.title for doc in docs)
    try:
        sent = await send_html(app.bot, chat_target(chat), text, preview=len(docs) == 1)
    except REJECTED as exc:
        for doc in docs:
            rt.state.release_announcement(doc.family)  # certainly not posted: the next reindex tries again
        fix = explain_failure(str(exc))
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
    if not held or not rt.settings.announce_chat_id:
        return
    titles = "\n".join(f"• {row['title']}" for row in held[:20])
    for admin_id in rt.settings.admin_ids:
        lang = admin_lang(rt, admin_id)
        keyboard = InlineKeyboardMarkup([[
            InlineKeyboardButton(t("held_post", lang), callback_data="held:post"),
            InlineKeyboardButton(t("held_skip", lang), callback_data="held:skip"),
        ]])
        offer = h("held_offer", lang, count=len(held), chat=rt.settings.announce_chat_id)
        await _tell(app, admin_id, offer + "\n" + esc(titles), keyboard)


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
        chat = row["chat"] or rt.settings.announce_chat_id
        log.warning(kv(event="announce_unsettled", doc=row["doc_id"], chat=chat, since=row["at"],
                       action="admins asked to check the channel"))
        for admin_id in rt.settings.admin_ids:
            lang = admin_lang(rt, admin_id)
            await _tell(app, admin_id, h("announce_unsettled", lang, chat=chat, title=row["title"]),
                        _settle_keyboard(row["ref"], lang))


async def on_my_chat_member(update: Update, context: Context) -> None:
    change = update.my_chat_member
    rt = context.runtime
    chat = change.chat
    status = change.new_chat_member.status
    log.info(kv(event="membership", chat=chat.id, chat_username=chat.username, type=chat.type, status=status))
    names = {str(chat.id), f"@{chat.username}".lower() if chat.username else ""}
    if rt.settings.announce_chat_id and rt.settings.announce_chat_id.lower() in names and status not in (
            ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER):
        log.warning(kv(event="announce_chat_rights_lost", chat=rt.settings.announce_chat_id, status=status,
                       fix="make the bot an administrator of the announcement chat with the right to post"))


async def check_announce_chat(app: Application) -> None:
    """At start-up, say in the log what to fix if the bot cannot post announcements."""
    rt = runtime(app)
    chat = rt.settings.announce_chat_id
    if not chat:
        log.info(kv(event="announce_chat_unset", note="set CENTRE_BOT_ANNOUNCE_CHAT_ID to post new articles"))
        return
    try:
        info = await app.bot.get_chat(rt.settings.announce_target)
        member = await app.bot.get_chat_member(info.id, app.bot.id)
    except TelegramError as exc:
        log.warning(kv(event="announce_chat_unusable", chat=chat, error=str(exc),
                       fix=t(explain_failure(str(exc)), "en").format(chat=chat)))
        return
    if not can_post(info.type, member):
        key = "announce_fix_not_admin" if member.status != ChatMemberStatus.LEFT else "announce_fix_not_member"
        log.warning(kv(event="announce_chat_unusable", chat=chat, status=member.status,
                       fix=t(key, "en").format(chat=chat)))


# ====================================================================================== buttons and /announce


async def on_held_button(update: Update, context: Context) -> None:
    query = update.callback_query
    async with CallbackAnswer(query) as answer:
        rt = context.runtime
        lang = ui_lang(rt, query.from_user)
        if await refused_button(rt, query, answer, lang, "held_button"):
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
        await edit_html(context.bot, query.message, h("held_posting", lang, chat=rt.settings.announce_chat_id))
        await announce_new(context.application, notify=[(query.message.chat.id, lang)])


async def on_settle_button(update: Update, context: Context) -> None:
    query = update.callback_query
    async with CallbackAnswer(query) as answer:
        rt = context.runtime
        lang = ui_lang(rt, query.from_user)
        if await refused_button(rt, query, answer, lang, "settle_button"):
            return
        _, ref, action = query.data.split(":")
        async with rt.announce_lock:
            row = rt.state.announcement_by_ref(int(ref))
            if row is None or row["status"] != AnnouncementStatus.SENDING:
                await answer(t("announce_already_settled", lang), alert=True)
                return
            chat = row["chat"] or rt.settings.announce_chat_id
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
                sent = await send_html(context.bot, chat_target(chat), compose(snapshot, doc),
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


@admin_only
async def cmd_announce(update: Update, context: Context) -> None:
    rt = context.runtime
    lang = ui_lang(rt, update.effective_user)
    message = update.effective_message
    if not rt.settings.announce_chat_id:
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
    preview = h("announce_preview", lang, chat=rt.settings.announce_chat_id)
    await reply(update, context, preview + "\n\n" + body, keyboard)


async def on_announce_button(update: Update, context: Context) -> None:
    query = update.callback_query
    async with CallbackAnswer(query) as answer:
        rt = context.runtime
        lang = ui_lang(rt, query.from_user)
        if await refused_button(rt, query, answer, lang, "announce_button"):
            return
        _, draft_id, action = query.data.split(":")
        draft = rt.state.take_draft(int(draft_id), DraftStatus.POSTED if action == "ok" else DraftStatus.CANCELLED)
        if draft is None:
            already = rt.state.draft_status(int(draft_id)) == DraftStatus.POSTED
            await answer(t("announce_already_posted" if already else "buttons_expired", lang), alert=True)
            return
        chat = rt.settings.announce_chat_id
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
                fix = explain_failure(str(exc))
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

