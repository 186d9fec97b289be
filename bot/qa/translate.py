"""Machine renditions: an article in a language it has no rendition in, translated by the LLM at reindex.

Renditions are ordinary knowledge files in <knowledge>/machine-translations/ (an admin can read and delete
them; the indexer reads subfolders anyway), with ``translation_of``, ``machine_translation: true`` and the
original's content hash as ``source_hash``. A language with a person's rendition gets none, and a machine
one is deleted once a person's arrives or the original goes; a changed original's renditions are made
again. Run before the index is built, from the bot: the engine stays LLM-free.

One article at a time, in pieces of a few paragraphs, each call within the LLM timeout; articles over a
size limit are not translated. A failed translation (timeout, error, empty or wrong-language reply) is
logged and tried again at the next reindex; it never fails the reindex.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.messages import LANGS
from bot.ops.logging import kv
from bot.qa.compose import Usage
from bot.qa.llm import LANGUAGE_NAMES, LLMAnswerer
from index.builder import Progress
from index.documents import Document, is_knowledge_file, parse_document, scan_knowledge
from index.language import detect_language
from index.text import error_text, one_line

log = logging.getLogger(__name__)

MACHINE_DIR = "machine-translations"
PIECE_CHARS = 1500  # paragraphs per call: a reply of a few hundred tokens fits a local model's timeout
MIN_LENGTH_RATIO = 0.4  # a reply much shorter than its text was cut off (max_tokens) or summarised
TRANSLATE_PROMPT = (
    "You translate news articles about education from {source} into {target}. Translate the whole text "
    "faithfully, keeping names, numbers, dates and the paragraph breaks. Reply with the translation only."
)

Translate = Callable[[Document, str], tuple[str, str]]  # (original, language) -> (title, body)


class TranslationFailed(Exception):
    """The endpoint answered, but not with a usable translation."""


@dataclass
class Outcome:
    made: list[str] = field(default_factory=list)  # rendition ids
    removed: list[str] = field(default_factory=list)  # rendition ids
    failed: list[str] = field(default_factory=list)  # original ids
    too_long: list[str] = field(default_factory=list)  # original ids


class Translator:
    """Title and body of an article in another language, through the answering LLM's client and timeout."""

    def __init__(self, llm: LLMAnswerer):
        self.llm = llm

    def __call__(self, doc: Document, lang: str) -> tuple[str, str]:
        usage = Usage()
        try:
            title = one_line(self._piece(doc.title, doc.lang, lang, usage, checked=False).splitlines()[0])
            body = "\n\n".join(self._piece(piece, doc.lang, lang, usage) for piece in pieces(doc.body))
        finally:
            log.info(kv(event="translation_cost", doc=doc.id, lang=lang, model=usage.model, calls=usage.calls,
                        prompt_tokens=usage.prompt_tokens, completion_tokens=usage.completion_tokens,
                        ms=round(usage.ms)))
        return title.strip("#*\"«» ") or doc.title, body

    def _piece(self, text: str, source: str, target: str, usage: Usage, checked: bool = True) -> str:
        prompt = TRANSLATE_PROMPT.format(source=LANGUAGE_NAMES[source], target=LANGUAGE_NAMES[target])
        messages = [{"role": "system", "content": prompt}, {"role": "user", "content": text}]
        # Room for a translation a good deal longer than its text, in tokens of any script.
        reply = self.llm.complete(messages, usage, timeout=self.llm.timeout, max_tokens=len(text) + 200)
        if not reply:
            raise TranslationFailed("empty reply")
        if checked:
            got = detect_language(reply).lang
            if got != target:
                raise TranslationFailed(f"the reply is in {got}, not {target}")
            if len(reply) < MIN_LENGTH_RATIO * len(text):
                raise TranslationFailed(f"the reply has {len(reply)} characters for {len(text)}: cut off")
        return reply


def pieces(body: str, size: int = PIECE_CHARS) -> list[str]:
    """The body in runs of whole paragraphs of at most ``size`` characters (a longer paragraph alone)."""
    out: list[str] = []
    for paragraph in (p.strip() for p in body.split("\n\n")):
        if not paragraph:
            continue
        if out and len(out[-1]) + 2 + len(paragraph) <= size:
            out[-1] += "\n\n" + paragraph
        else:
            out.append(paragraph)
    return out


def rendition_id(original: str, lang: str) -> str:
    return f"{original}.{lang}-mt"


def sync_renditions(knowledge_dir: Path, translate: Translate, max_chars: int,
                    progress: Progress | None = None) -> Outcome:
    """Make the machine renditions the knowledge folder lacks, remake outdated ones, delete unwanted ones."""
    knowledge_dir = Path(knowledge_dir)
    folder = knowledge_dir / MACHINE_DIR
    docs = scan_knowledge(knowledge_dir).documents
    outcome = Outcome()

    def ours(doc: Document) -> bool:  # a machine file elsewhere was put there by a person: left alone
        return doc.machine_translation and Path(doc.path).parent == folder

    others = [d for d in docs if not ours(d)]
    present = {(d.family, d.lang) for d in others}
    taken = {d.id for d in others}
    wanted = {(d.id, lang): d for d in others if not d.translation_of and not d.machine_translation
              for lang in LANGS if (d.id, lang) not in present}
    mine: dict[tuple[str, str], Document] = {}
    for doc in docs:
        if not ours(doc):
            continue
        key = (doc.translation_of, doc.lang)
        if key in wanted and key not in mine:
            mine[key] = doc
        else:
            _delete(doc, "a person's rendition or no original", outcome)
    todo = [(key, original) for key, original in wanted.items()
            if key not in mine or mine[key].source_hash != original.content_hash]
    for n, ((original_id, lang), original) in enumerate(todo):
        if progress:
            progress("translating", n, len(todo))
        outdated = mine.get((original_id, lang))
        new_id = rendition_id(original_id, lang)
        if len(original.body) > max_chars:
            if original_id not in outcome.too_long:
                log.info(kv(event="translation_skipped", doc=original_id, chars=len(original.body), limit=max_chars))
                outcome.too_long.append(original_id)
            if outdated is not None:
                _delete(outdated, "the original changed and is too long now", outcome)
            continue
        if new_id in taken or not is_knowledge_file(folder / f"{new_id}.md"):
            log.warning(kv(event="translation_skipped", doc=original_id, lang=lang,
                           reason=f"the id {new_id} is taken or cannot be a file name"))
            continue
        try:
            title, body = translate(original, lang)
            data = _markdown(original, lang, new_id, title, body)
            parse_document(folder / f"{new_id}.md", data)  # what the indexer will accept
        except Exception as exc:  # noqa: BLE001 - logged, the original stays, tried again at the next reindex
            log.warning(kv(event="translation_failed", doc=original_id, lang=lang,
                           error=error_text(exc, 300, kind=True)))
            if original_id not in outcome.failed:
                outcome.failed.append(original_id)
            if outdated is not None:  # a rendition of the old text would quote what the original no longer says
                _delete(outdated, "the original changed", outcome)
            continue
        if outdated is not None and Path(outdated.path) != folder / f"{new_id}.md":
            Path(outdated.path).unlink(missing_ok=True)
        _write(folder / f"{new_id}.md", data)
        log.info(kv(event="translation_made", doc=new_id, original=original_id, lang=lang,
                    remade=outdated is not None))
        outcome.made.append(new_id)
    if progress and todo:
        progress("translating", len(todo), len(todo))
    return outcome


def _markdown(original: Document, lang: str, new_id: str, title: str, body: str) -> bytes:
    meta = {"id": new_id, "title": title, "date": original.date, "lang": lang, "source": original.source,
            "url": original.url, "translation_of": original.id, "machine_translation": True,
            "source_hash": original.content_hash}
    head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=100_000)
    return f"---\n{head}---\n{body.strip()}\n".encode()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")  # dot files are ignored by the indexer
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _delete(doc: Document, reason: str, outcome: Outcome) -> None:
    Path(doc.path).unlink(missing_ok=True)
    log.info(kv(event="translation_removed", doc=doc.id, reason=reason))
    outcome.removed.append(doc.id)
