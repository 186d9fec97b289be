"""Chunks' BM25 tokens kept as arrays, and a BM25 index built from them without re-tokenising.

Tokenising every chunk again is most of the cost of a reindex; the tokens of unchanged chunks are kept with
their rows instead, and the bm25s index (whose scores depend on every document) is rebuilt from the arrays
with numpy. The result is an ordinary bm25s index: `LexicalIndex` loads and queries it as before.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np
from bm25s.scoring import _build_idf_array, _select_idf_scorer, _select_tfc_scorer

from index.lexical import LexicalIndex, tokenize
from index.names import article_name_keys

# Bump when `index_tokens` changes its output: kept tokens are reused only while this signature holds. The probe
# below catches most changes by itself; the constant is for those it would miss.
TOKENIZER_VERSION = 4
_PROBE = (
    "Орталық Азия өңірлік орталығы Астанада 2026 жылы құрылады. Где будет создан региональный центр? "
    "Who took over the ASEM LLL Hub chair from Ireland? Гумилёв, Chulalongkorn, micro-credentials, қазақстанның, "
    "IT-мектеп"
)
EMPTY = "\u2205"  # a chunk without tokens still needs a row in bm25s


def index_tokens(text: str) -> list[str]:
    """A chunk's BM25 tokens: its words, then the keys of its names (`index.names`)."""
    return tokenize(text) + article_name_keys(text)


def tokenizer_signature() -> str:
    probe = hashlib.sha256(" ".join(index_tokens(_PROBE)).encode("utf-8")).hexdigest()[:12]
    return f"tok{TOKENIZER_VERSION}-{probe}"


@dataclass
class TokenArrays:
    """Tokens of consecutive chunks: chunk i has ids[offsets[i]:offsets[i + 1]], indexes into vocab."""

    ids: np.ndarray  # int32
    offsets: np.ndarray  # int64, one more than chunks
    vocab: list[str]

    @classmethod
    def from_texts(cls, texts: list[str]) -> TokenArrays:
        index: dict[str, int] = {}
        ids: list[int] = []
        offsets = [0]
        for text in texts:
            ids.extend(index.setdefault(token, len(index)) for token in (index_tokens(text) or [EMPTY]))
            offsets.append(len(ids))
        return cls(np.asarray(ids, dtype=np.int32), np.asarray(offsets, dtype=np.int64), list(index))

    def save(self, folder: Path) -> None:
        np.save(folder / "tokens.npy", self.ids)
        np.save(folder / "token_offsets.npy", self.offsets)
        (folder / "vocab.json").write_text(json.dumps(self.vocab, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> TokenArrays:
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        return cls(np.load(folder / "tokens.npy"), np.load(folder / "token_offsets.npy"), vocab)


def gather(parts: list[tuple[TokenArrays, np.ndarray]]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Token ids (into one shared vocabulary) and lengths of the chunks picked from several arrays.

    ``parts`` pairs each TokenArrays with the global rows of its picked chunks: ``rows[k]`` is where its
    chunk k goes, -1 for chunks left out."""
    vocab: dict[str, int] = {}
    n = sum(int((rows >= 0).sum()) for _, rows in parts)
    lengths = np.zeros(n, dtype=np.int64)
    pieces = []  # (global row of each token, global token id)
    for arrays, rows in parts:
        remap = np.fromiter((vocab.setdefault(t, len(vocab)) for t in arrays.vocab), np.int32, len(arrays.vocab))
        counts = np.diff(arrays.offsets)
        lengths[rows[rows >= 0]] = counts[rows >= 0]
        token_rows = np.repeat(rows, counts)
        keep = token_rows >= 0
        pieces.append((token_rows[keep], remap[arrays.ids[keep]]))
    token_rows = np.concatenate([p[0] for p in pieces]) if pieces else np.zeros(0, np.int64)
    ids = np.concatenate([p[1] for p in pieces]) if pieces else np.zeros(0, np.int32)
    order = np.argsort(token_rows, kind="stable")
    return ids[order], lengths, list(vocab)


def build_lexical(ids: np.ndarray, lengths: np.ndarray, vocab: list[str]) -> LexicalIndex:
    """The bm25s index that `bm25s.BM25().index(tokens)` would build, computed with array operations.

    ``ids`` are the tokens of all chunks in row order, ``lengths`` how many belong to each row."""
    retriever = bm25s.BM25()
    n_docs, n_vocab = len(lengths), len(vocab)
    docs = np.repeat(np.arange(n_docs, dtype=np.int64), lengths)
    # One entry per (token, chunk) pair, sorted by token then chunk: the CSC layout bm25s stores.
    pairs, tf = np.unique(ids.astype(np.int64) * max(n_docs, 1) + docs, return_counts=True)
    token_of, doc_of = pairs // max(n_docs, 1), pairs % max(n_docs, 1)
    df = np.bincount(token_of, minlength=n_vocab)
    idf = _build_idf_array(
        dict(enumerate(df.tolist())), n_docs, _select_idf_scorer(retriever.idf_method), retriever.dtype
    )
    tfc = _select_tfc_scorer(retriever.method)(
        tf_array=tf.astype(retriever.dtype), l_d=lengths[doc_of], l_avg=lengths.mean() if n_docs else 1.0,
        k1=retriever.k1, b=retriever.b, delta=retriever.delta,
    )
    retriever.scores = {
        "data": (idf[token_of] * tfc).astype(retriever.dtype),
        "indices": doc_of.astype(retriever.int_dtype),
        "indptr": np.concatenate([[0], np.cumsum(df)]).astype(retriever.int_dtype),
        "num_docs": n_docs,
    }
    retriever.vocab_dict = {token: i for i, token in enumerate(vocab)}
    retriever.unique_token_ids_set = set(retriever.vocab_dict.values())
    retriever.nonoccurrence_array = None  # lucene, the default, has none
    return LexicalIndex(retriever, n_docs)
