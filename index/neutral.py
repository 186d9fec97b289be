"""Language-neutral vectors: each language's mean vector removed (Libovický et al. 2020, "On the Language
Neutrality of Pre-trained Multilingual Representations").

Multilingual embeddings carry a strong language component: a Russian question sits closer to any Russian
text than to the Kazakh article that answers it. Subtracting the mean vector of each language, estimated
once on fixed parallel everyday text (index/language_reference.txt, the same sentences in kk, ru and en), leaves
mostly meaning. Queries and passages get their own means, because e5 embeds them with different prefixes.
"""

from __future__ import annotations

import numpy as np

from index.embeddings import unit_rows

LANGS = ("kk", "ru", "en")
QUERY, PASSAGE = 0, 1


def language_means(query_vectors: np.ndarray, passage_vectors: np.ndarray, langs: list[str]) -> np.ndarray:
    """Array [QUERY|PASSAGE][kk, ru, en] of mean vectors, from the same reference text embedded both ways."""
    dim = passage_vectors.shape[1]
    means = np.zeros((2, len(LANGS), dim), dtype=np.float32)
    marks = np.asarray(langs)
    for i, lang in enumerate(LANGS):
        rows = marks == lang
        if not rows.any():
            raise ValueError(f"the reference text has no {lang} sentence")
        means[QUERY, i] = query_vectors[rows].mean(axis=0)
        means[PASSAGE, i] = passage_vectors[rows].mean(axis=0)
    return means


def neutralize(vectors: np.ndarray, langs, means: np.ndarray, kind: int = PASSAGE) -> np.ndarray:
    """Vectors with their language's mean removed, normalised again (rows in ``langs`` order)."""
    out = np.array(vectors, dtype=np.float32, copy=True).reshape(-1, means.shape[2])
    marks = np.asarray(list(langs))
    for i, lang in enumerate(LANGS):
        out[marks == lang] -= means[kind, i]
    return unit_rows(out, means.shape[2])


def blend_neutralize(vector: np.ndarray, shares: dict[str, float], means: np.ndarray, kind: int = QUERY) -> np.ndarray:
    """One vector of text written in several languages, with their means removed in proportion."""
    mean = sum(shares.get(lang, 0.0) * means[kind, i] for i, lang in enumerate(LANGS))
    return unit_rows(np.asarray(vector, dtype=np.float32).reshape(1, -1) - mean, means.shape[2])[0]
