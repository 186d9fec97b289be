"""Naive retrieval anchors, measured in the same run as the bot so that every figure reads as a gain.

Deliberately plain: every paragraph of every article is one unit; an article ranks where its best unit
ranks. ``plain dense`` is the embedding model on the raw question and paragraph, ``plain BM25`` is bm25s
over lower-cased words, ``naive RRF`` fuses the two with equal weights (k = 60). No language handling,
no stemming, no refusal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import bm25s
import numpy as np

from bot.qa.evaluate import Question, mean
from index.builder import embed_texts
from index.embeddings import Embedder
from index.search import family_ranks
from index.snapshot import Snapshot

ANCHORS = ("plain dense", "plain BM25", "naive RRF")
ANCHOR_METRICS = ("hit@1", "hit@3", "mrr")
_WORD = re.compile(r"\w+")
_RRF_K = 60
_DEPTH = 100


def _units(snapshot: Snapshot) -> tuple[list[str], list[str]]:
    texts, families = [], []
    for doc in snapshot.documents.values():
        paragraphs = [p.strip() for p in doc.body.splitlines() if p.strip()]
        texts.extend(paragraphs)
        families.extend([doc.family] * len(paragraphs))
    return texts, families


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower()) or ["\u2205"]


def anchor_ranks(
    snapshot: Snapshot, embedder: Embedder, data_dir, questions: list[Question]
) -> dict[str, list[int | None]]:
    """{anchor: 1-based rank of the gold article for each question (None when not retrieved)}."""
    texts, families = _units(snapshot)
    unit_vectors = embed_texts(data_dir, embedder, texts)
    bm25 = bm25s.BM25()
    bm25.index([_words(t) for t in texts], show_progress=False)
    query_vectors = embedder.embed_queries([q.question for q in questions])
    family_of = {d.id: d.family for d in snapshot.documents.values()}
    ranks: dict[str, list[int | None]] = {name: [] for name in ANCHORS}
    for q, vector in zip(questions, query_vectors, strict=True):
        gold = {family_of.get(g, g) for g in q.gold}
        dense_order = np.argsort(-(unit_vectors @ vector), kind="stable")
        lexical_scores = np.asarray(bm25.get_scores(_words(q.question)))
        lexical_order = [i for i in np.argsort(-lexical_scores, kind="stable") if lexical_scores[i] > 0]
        fused: dict[int, float] = {}
        for order in (dense_order[:_DEPTH], lexical_order[:_DEPTH]):
            for rank, i in enumerate(order, 1):
                fused[int(i)] = fused.get(int(i), 0.0) + 1.0 / (_RRF_K + rank)
        rrf_order = sorted(fused, key=lambda i: -fused[i])
        orders: list[Iterable[int]] = [dense_order, lexical_order, rrf_order]
        for name, ranked in zip(ANCHORS, orders, strict=True):
            ranking = family_ranks(families[i] for i in ranked)
            ranks[name].append(min((ranking[f] for f in gold if f in ranking), default=None))
    return ranks


def summarise_anchors(questions: list[Question], ranks: dict[str, list[int | None]]) -> dict:
    """{anchor: {lang or 'all': {metric: value, 'n': count}}} over the answerable questions."""
    table: dict = {}
    for name, per_question in ranks.items():
        table[name] = {}
        for lang in ("kk", "ru", "en", "all"):
            rows = [r for q, r in zip(questions, per_question, strict=True) if q.answerable and lang in ("all", q.lang)]
            if rows:
                table[name][lang] = {
                    "n": len(rows),
                    "hit@1": mean(r == 1 for r in rows),
                    "hit@3": mean(r is not None and r <= 3 for r in rows),
                    "mrr": mean(1 / r if r else 0.0 for r in rows),
                }
    return table
