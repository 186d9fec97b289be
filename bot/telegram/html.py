"""Telegram HTML for answers, lists and the bot's texts: everything escaped, long texts split, plain-text
fallback.

No Telegram types here: these are pure string functions. Lengths are counted in UTF-16 code units, as
Telegram counts them, and on the HTML source itself, which is never shorter than the text Telegram
shows, so a part that fits here always fits there.
"""

from __future__ import annotations

import html
import re

from bot.messages import TEXTS, t
from bot.qa.compose import Answer

TELEGRAM_LIMIT = 4096
_SAFE_URL = re.compile(r"^(https?|tg)://", re.IGNORECASE)
_ATOM = re.compile(r"<[^>]*>|&#?\w+;|[^<&\s]+\s*|\s+")
_SENTENCE_END = re.compile(r"([.!?…]|\[\d+\])[\"'»”)\]]*[.,;:]?\s+$")
_TAG_NAME = re.compile(r"^</?\s*([a-zA-Z-]+)")
_LINK = re.compile(r'<a\s+href="([^"]*)"\s*>(.*?)</a>', re.DOTALL)


def esc(text: object) -> str:
    return html.escape(str(text), quote=False)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def link(url: str, title: str) -> str:
    """A link for http(s)/tg URLs; anything else (javascript:, file:) stays plain text."""
    if url and _SAFE_URL.match(url):
        return f'<a href="{html.escape(url, quote=True)}">{esc(title)}</a>'
    return esc(title)


class Html(str):
    """Already Telegram HTML: ``h`` inserts it as it is."""


def h(key: str, lang: str, /, **values: object) -> str:
    """A text from bot.messages as Telegram HTML: the template and every value escaped."""
    table = TEXTS[key]
    template = esc(table.get(lang) or table["en"])
    return template.format(**{k: v if isinstance(v, Html) else esc(v) for k, v in values.items()})


def code(text: str) -> Html:
    return Html(f"<code>{esc(text)}</code>")


def render_answer(answer: Answer) -> str:
    text = esc(answer.answer)
    if not answer.citations:
        return text
    lines = []
    for c in answer.citations:
        details = " — ".join(esc(p) for p in (c.source, c.date) if p)
        machine = f" ({esc(t('machine_translation', answer.language))})" if c.machine else ""
        lines.append(f"[{c.n}] {link(c.url, c.title)}{machine}" + (f" — {details}" if details else ""))
    return f"{text}\n\n<b>{esc(t('sources', answer.language))}</b>\n" + "\n".join(lines)


# ------------------------------------------------------------------------------------ splitting

def _priority(atom: str) -> int:
    """How good a place the end of this atom is for a cut (higher is better, -1 = never)."""
    if atom.startswith(("<", "&")):
        return 0
    if "\n\n" in atom:
        return 4
    if "\n" in atom:
        return 3
    if _SENTENCE_END.search(atom):
        return 2
    if atom[-1:].isspace():
        return 1
    return 0


def _tag(atom: str) -> tuple[str, bool] | None:
    """(name, is_closing) for a tag atom."""
    if not atom.startswith("<"):
        return None
    match = _TAG_NAME.match(atom)
    if not match:
        return None
    return match.group(1).lower(), atom.startswith("</")


def split_html(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split Telegram HTML into parts of at most ``limit`` UTF-16 units.

    Cuts go, by preference, between paragraphs, lines, sentences, then words, and only outside tags;
    an entity (&amp;) or a tag is never cut. Only a single word longer than a whole message is cut
    inside, and tags still open at a forced cut are closed and reopened in the next part.
    """
    if utf16_len(text) <= limit:
        return [text] if _visible(text) else []
    budget = limit - _TAG_RESERVE
    parts: list[str] = []
    current: list[str] = []  # atoms of the part being filled, reopened tags first
    size = 0
    for atom in _atoms(text, budget // 4):
        atom_size = utf16_len(atom)
        while size + atom_size > budget and current:  # the kept tail may itself still be too long
            cut = _cut_index(current) or len(current)
            head, tail = current[:cut], current[cut:]
            still_open = _open_tags(head)
            parts.append(("".join(head) + "".join(f"</{_tag(a)[0]}>" for a in reversed(still_open))).strip())
            current = still_open + tail
            size = sum(utf16_len(a) for a in current)
        current.append(atom)
        size += atom_size
    rest = "".join(current).strip()
    if rest:
        parts.append(rest)
    return [p for p in parts if _visible(p)]


_TAG_RESERVE = 64  # room for closing tags added at a forced cut inside markup (ours nest shallowly)


def _open_tags(atoms: list[str]) -> list[str]:
    stack: list[str] = []
    for atom in atoms:
        tag = _tag(atom)
        if tag is None:
            continue
        name, closing = tag
        if not closing:
            stack.append(atom)
            continue
        for i in range(len(stack) - 1, -1, -1):
            if _tag(stack[i])[0] == name:
                del stack[i]
                break
    return stack


def _cut_index(atoms: list[str]) -> int:
    """Where to cut (an index into ``atoms``): the best boundary outside tags, the later of equals,
    and not in the first third when a fair cut exists further on."""
    best, best_prio, depth = len(atoms), -100, 0
    minimum = len(atoms) // 3
    for i, atom in enumerate(atoms):
        tag = _tag(atom)
        if tag is not None:
            depth += -1 if tag[1] else 1
        if depth > 0 or i == 0:
            continue
        prio = _priority(atom) - (10 if i < minimum else 0)
        if prio >= best_prio:
            best, best_prio = i + 1, prio
    return best


def _atoms(text: str, max_word: int) -> list[str]:
    atoms = []
    for match in _ATOM.finditer(text):
        atom = match.group(0)
        if utf16_len(atom) > max_word and not atom.startswith("<") and not atom.startswith("&"):
            atoms.extend(_chop(atom, max_word))  # a monster "word": cut it, there is nothing better
        else:
            atoms.append(atom)
    return atoms


def _chop(word: str, size: int) -> list[str]:
    out, piece = [], ""
    for ch in word:
        if utf16_len(piece + ch) > size:
            out.append(piece)
            piece = ""
        piece += ch
    if piece:
        out.append(piece)
    return out


def _visible(part: str) -> bool:
    return bool(html.unescape(re.sub(r"<[^>]*>", "", part)).strip())


# ------------------------------------------------------------------------------------ plain text

def html_to_plain(text: str) -> str:
    """What a message says without markup; links keep their address in brackets."""

    def keep_url(match: re.Match[str]) -> str:
        url, title = html.unescape(match.group(1)), match.group(2)
        title_text = html.unescape(re.sub(r"<[^>]*>", "", title))
        return esc(title_text if title_text == url else f"{title_text} ({url})")

    text = _LINK.sub(keep_url, text)
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def split_plain(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split plain text (no parse mode) at the same kind of boundaries as split_html."""
    # Escaping makes every part at least as long as its plain text, so the limit still holds.
    return [html.unescape(p) for p in split_html(esc(text), limit)]
