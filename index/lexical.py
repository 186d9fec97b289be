"""Lexical side of retrieval: a tokeniser for kk / ru / en and a bm25s index over chunks.

Kazakh letters are folded onto their Russian look-alikes (қ->к, ә->а, ...), so a question typed on a
Russian keyboard still matches. Snowball has no Kazakh stemmer, and Kazakh piles suffixes onto stems, so
Cyrillic words are cut to a fixed prefix after the Russian stemmer: a crude but well-known stemmer for
agglutinative languages that also merges Russian inflections the stemmer leaves apart.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

from index.language import KAZAKH_TO_RUSSIAN

logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every index build at DEBUG

_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_FOLD = {**KAZAKH_TO_RUSSIAN, **str.maketrans("ёй", "еи")}
PREFIX_LENGTH = 5
_STOPWORDS = {
    # en
    "the", "a", "an", "of", "in", "on", "at", "to", "for", "and", "or", "is", "are", "was", "were", "be", "by",
    "with", "from", "what", "which", "who", "whom", "where", "when", "why", "how", "does", "do", "did", "it",
    "its", "this", "that", "will", "can", "about", "tell", "me", "please", "there", "any", "i", "you",
    # ru (folded)
    "и", "в", "во", "на", "с", "со", "по", "к", "о", "об", "от", "до", "за", "из", "у", "для", "что", "кто",
    "где", "когда", "как", "какои", "какая", "какие", "каком", "какого", "ли", "же", "это", "этот",
    "а", "но", "или", "мне", "скажи", "скажите", "пожалуиста", "будет", "был", "была", "были", "есть",
    # kk (folded)
    "мен", "жане", "бул", "осы", "ол", "кай", "кандаи", "кашан", "калаи", "неше", "ким", "не", "ма", "ме",
    "па", "пе", "ба", "бе", "туралы", "ушин", "да", "де", "та", "те", "айтшы", "канша", "кайда", "кимге",
    "сколько", "такое", "такои", "many", "much", "деген", "дегенимиз", "ози",
}


@lru_cache(maxsize=2)
def _stemmer(language: str):
    return Stemmer.Stemmer(language)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().translate(_FOLD)


STOPWORDS = {fold(w) for w in _STOPWORDS}


_ACRONYM = re.compile(r"\b[A-Z]{2,}\b")
_CAPITALS = re.compile("[A-Z]{2}")


def _acronyms(text: str) -> frozenset[str]:
    """Stopwords the text writes as acronyms ("IT-мектеп", "WHO"), unless it shouts every word."""
    if " " in text.strip() and text.isupper():
        return frozenset()
    return frozenset(word for match in _ACRONYM.findall(text) if (word := match.lower()) in STOPWORDS)


def tokenize(text: str, prefix_length: int = PREFIX_LENGTH) -> list[str]:
    words = _TOKEN.findall(fold(text))
    if _CAPITALS.search(text) is None:  # nearly every text: tokenising is on the hot path of every question
        return [token for word in words if (token := _token(word, prefix_length))]
    kept = _acronyms(text)
    return [token for word in words if (token := word if word in kept else _token(word, prefix_length))]


# Every question scores the sentences of its candidate articles by shared words: the same words come back
# again and again, and the stemmer is most of the cost of tokenising them.
@lru_cache(maxsize=1 << 17)
def _token(word: str, prefix_length: int) -> str:
    """The word's token, or "" for a stopword."""
    if word in STOPWORDS:
        return ""
    if word.isdigit():
        return word
    if re.search("[а-я]", word):
        return _stemmer("russian").stemWord(word)[:prefix_length]
    return _stemmer("english").stemWord(word)


class LexicalIndex:
    def __init__(self, retriever: bm25s.BM25 | None, size: int):
        self._retriever = retriever
        self.size = size

    @classmethod
    def build(cls, documents: list[list[str]]) -> LexicalIndex:
        """The index of already tokenised documents (`index.tokens.index_tokens`)."""
        if not documents:  # an empty knowledge folder is valid; bm25s cannot index zero rows
            return cls(None, 0)
        retriever = bm25s.BM25()
        # An empty document would have no tokens; bm25s needs at least one per row.
        retriever.index([tokens or ["\u2205"] for tokens in documents], show_progress=False)
        return cls(retriever, len(documents))

    def save(self, folder: Path) -> None:
        if self._retriever is None:
            folder.mkdir(parents=True, exist_ok=True)
            return
        self._retriever.save(str(folder))

    @classmethod
    def load(cls, folder: Path, size: int) -> LexicalIndex:
        return cls(bm25s.BM25.load(str(folder)) if size else None, size)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for the query (zeros when no query word is known)."""
        tokens = tokenize(query)
        if not tokens or self.size == 0 or self._retriever is None:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)

    def rows_with(self, token: str) -> np.ndarray:
        """The rows whose tokens include ``token`` (one of the index's own, such as a name key), in row order."""
        if self._retriever is None or token not in self._retriever.vocab_dict:
            return np.zeros(0, dtype=np.int64)
        # bm25s keeps its scores as a token-by-row CSC matrix: a token's rows are one slice, and reading them
        # costs what the token occurs, not what the index holds.
        column = self._retriever.vocab_dict[token]
        start, stop = self._retriever.scores["indptr"][column : column + 2]
        return np.asarray(self._retriever.scores["indices"][start:stop], dtype=np.int64)

    def top(self, query: str, k: int) -> tuple[list[int], list[float]]:
        """Rows and BM25 scores of the ``k`` best-matching rows, best first (only rows that match at all)."""
        if self.size == 0:
            return [], []
        scores = self.scores(query)
        k = min(k, self.size)
        head = np.argpartition(-scores, k - 1)[:k]
        head = head[np.argsort(-scores[head], kind="stable")]
        head = head[scores[head] > 0]
        return head.tolist(), scores[head].tolist()
