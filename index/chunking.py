"""Documents -> sentences -> overlapping chunks.

Paragraphs are kept together where they fit, a chunk never ends inside a sentence, and neighbouring
chunks share ``overlap`` sentences so a fact split across a boundary is still found whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import pysbd

from index.documents import Document

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# pysbd has no Kazakh abbreviation list; these end a segment it wrongly takes for a sentence end.
_KK_ABBREVIATIONS = ("ж.", "жж.", "т.б.", "т.с.с.", "б.з.б.", "бб.", "ғ.", "см.", "млн.", "млрд.", "г.", "гг.")


@dataclass(frozen=True)
class ChunkingConfig:
    max_chars: int = 400
    overlap_sentences: int = 1
    title_in_embedding: bool = True

    @property
    def signature(self) -> str:
        return f"sbd2-{self.max_chars}-{self.overlap_sentences}-{int(self.title_in_embedding)}"


@dataclass(frozen=True)
class Sentence:
    ordinal: int
    paragraph: int
    text: str


@dataclass(frozen=True)
class Chunk:
    id: str
    doc_id: str
    ordinal: int
    text: str
    first_sentence: int
    last_sentence: int  # inclusive
    embed_text: str


@lru_cache(maxsize=4)
def _segmenter(lang: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=lang, clean=False)


def split_sentences(text: str, lang: str) -> list[str]:
    pieces = [p.strip() for p in _segmenter(lang).segment(text) if p.strip()]
    merged: list[str] = []
    for piece in pieces:
        # A dateline ("АСТАНА.", "ASTANA.") belongs to the sentence it opens.
        dateline = bool(merged) and len(merged[-1]) <= 40 and merged[-1] == merged[-1].upper()
        if merged and (dateline or merged[-1].endswith(_KK_ABBREVIATIONS) or not re.search(r"\w", piece)):
            merged[-1] = f"{merged[-1]} {piece}"
        else:
            merged.append(piece)
    return merged


def sentences_of(doc: Document) -> list[Sentence]:
    out: list[Sentence] = []
    paragraphs = [p for p in _PARAGRAPH_BREAK.split(doc.body) if p.strip()]
    if len(paragraphs) == 1:
        # Plain-text articles put one paragraph per line.
        paragraphs = [p for p in doc.body.split("\n") if p.strip()]
    for p_no, paragraph in enumerate(paragraphs):
        flat = " ".join(line.strip() for line in paragraph.splitlines() if line.strip())
        for sentence in split_sentences(flat, doc.lang):
            out.append(Sentence(len(out), p_no, sentence))
    return out


def embedding_text(doc: Document, text: str, config: ChunkingConfig) -> str:
    """What is embedded for a chunk: the title gives short chunks the context they lack."""
    return f"{doc.title}\n{text}" if config.title_in_embedding else text


def chunk_document(doc: Document, sentences: list[Sentence], config: ChunkingConfig) -> list[Chunk]:
    """Greedy packing of whole sentences; a new paragraph starts a new chunk once the current one is half full."""
    groups: list[list[Sentence]] = []
    current: list[Sentence] = []
    size = 0
    for sentence in sentences:
        length = len(sentence.text) + 1
        new_paragraph = bool(current) and sentence.paragraph != current[-1].paragraph
        if current and (size + length > config.max_chars or (new_paragraph and size > config.max_chars // 2)):
            groups.append(current)
            keep = current[-config.overlap_sentences:] if config.overlap_sentences else []
            if sum(len(s.text) + 1 for s in keep) + length > config.max_chars:
                keep = []
            current, size = list(keep), sum(len(s.text) + 1 for s in keep)
        current.append(sentence)
        size += length
    if current and (not groups or current[-1] is not groups[-1][-1]):
        groups.append(current)
    chunks = []
    for ordinal, group in enumerate(groups):
        text = " ".join(s.text for s in group)
        chunks.append(
            Chunk(
                id=f"{doc.id}#{ordinal}",
                doc_id=doc.id,
                ordinal=ordinal,
                text=text,
                first_sentence=group[0].ordinal,
                last_sentence=group[-1].ordinal,
                embed_text=embedding_text(doc, text, config),
            )
        )
    return chunks
