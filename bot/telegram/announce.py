"""Which articles are new to the announcement channel, and what the post says.

An article family (an article and its renditions, see Document.family) is announced once, in the
language of the original, and recorded in BotState before the post goes out, so neither a restart nor
another reindex ever posts it twice. The very first index build of a deployment is a baseline: what is
already there counts as announced, so deploying never floods the channel.
"""

from __future__ import annotations

from bot.qa.compose import strip_dateline
from bot.messages import t
from bot.telegram.state import BotState
from bot.telegram.html import esc, link
from index.documents import Document
from index.snapshot import Snapshot

LEAD_MAX_CHARS = 450
LEAD_SENTENCES = 2


def family_heads(snapshot: Snapshot) -> dict[str, Document]:
    """One document per family: the original when it is indexed, else its first rendition."""
    heads: dict[str, Document] = {}
    for doc in sorted(snapshot.documents.values(), key=lambda d: d.id):
        current = heads.get(doc.family)
        if current is None or (doc.id == doc.family and current.id != current.family):
            heads[doc.family] = doc
    return heads


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
        text = " ".join(doc.body.split())
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
