"""Hybrid search over a snapshot: FAISS (dense) + BM25 (lexical), fused by reciprocal rank fusion.

Results are grouped by article family (an article and its renditions), so the Kazakh original and its
Russian rendition never compete for the same slot; the caller picks the rendition in the asker's language.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.documents import Document
from index.snapshot import ChunkRow, SentenceRow, Snapshot

MODES = ("hybrid", "dense", "lexical")


@dataclass(frozen=True)
class SearchConfig:
    depth: int = 50
    rrf_k: int = 60
    dense_weight: float = 1.0
    lexical_weight: float = 0.1


@dataclass(frozen=True)
class Passage:
    chunk: ChunkRow
    doc: Document
    dense: float  # cosine similarity of question and chunk
    lexical: float  # BM25 score
    fused: float


@dataclass(frozen=True)
class FamilyHit:
    family: str
    passages: list[Passage]  # best first

    @property
    def best(self) -> Passage:
        return self.passages[0]

    @property
    def dense(self) -> float:
        return max(p.dense for p in self.passages)


@dataclass(frozen=True)
class ScoredSentence:
    sentence: SentenceRow
    score: float


def search(
    snapshot: Snapshot,
    query_vector: np.ndarray,
    query_text: str,
    mode: str = "hybrid",
    config: SearchConfig = SearchConfig(),
) -> list[FamilyHit]:
    n = len(snapshot.chunks)
    if n == 0:
        return []
    depth = min(config.depth, n)
    # Dense scores for every chunk: exact, and on this scale as cheap as a top-k query.
    dense_scores, dense_ids = snapshot.faiss.search(query_vector.reshape(1, -1).astype(np.float32), n)
    dense = np.empty(n, dtype=np.float32)
    dense[dense_ids[0]] = dense_scores[0]
    lexical = snapshot.lexical.scores(query_text)

    fused = np.zeros(n, dtype=np.float64)
    if mode in ("hybrid", "dense"):
        fused[dense_ids[0][:depth]] += config.dense_weight / (config.rrf_k + 1 + np.arange(depth))
    if mode in ("hybrid", "lexical"):
        order = np.argsort(-lexical, kind="stable")[:depth]
        order = order[lexical[order] > 0]
        fused[order] += config.lexical_weight / (config.rrf_k + 1 + np.arange(len(order)))

    ranked = [i for i in np.argsort(-fused, kind="stable") if fused[i] > 0]
    families: dict[str, list[Passage]] = {}
    for i in ranked:
        chunk = snapshot.chunks[i]
        doc = snapshot.documents[chunk.doc_id]
        families.setdefault(doc.family, []).append(
            Passage(chunk, doc, float(dense[i]), float(lexical[i]), float(fused[i]))
        )
    return [FamilyHit(family, passages) for family, passages in families.items()]


def rendition(snapshot: Snapshot, hit: FamilyHit, lang: str) -> Document:
    """The family's article in ``lang`` if there is one, else the article the best passage came from."""
    doc_id = snapshot.renditions.get(hit.family, {}).get(lang)
    return snapshot.documents[doc_id] if doc_id else hit.best.doc


def best_sentences(snapshot: Snapshot, doc_id: str, query_vector: np.ndarray) -> list[ScoredSentence]:
    rows = snapshot.sentence_rows.get(doc_id)
    if not rows:
        return []
    scores = snapshot.sentence_vectors[rows.start : rows.stop] @ query_vector.astype(np.float32)
    order = np.argsort(-scores, kind="stable")
    return [ScoredSentence(snapshot.sentences[rows.start + int(i)], float(scores[i])) for i in order]
