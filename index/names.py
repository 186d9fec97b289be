"""Names written in another script: "Madibekov" and "Мәдібеков", "Bucharest" and "Бухарест".

A name is the one word of a question that can match an article in another language: everyday words are
translated, names are only transliterated. anyascii does the transliteration (Kazakh letters included);
what it cannot know is that Russian writes a Latin h as г and a Latin ch or kh as х, so the keys are folded
onto a rough consonant skeleton where those agree, then cut to a prefix like the other BM25 tokens
(Kazakh and Russian inflect names: "Мәдібековке", "Бухаресте").
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

from index.lexical import PREFIX_LENGTH, STOPWORDS, fold

MARK = "~"  # name keys live in the BM25 vocabulary beside the words, marked so that words never match them
_WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_START = re.compile(r"(?:^|[.!?…]\s+|\n\s*)$")  # "Л.Н.Гумилев" and "(Румыния)" are inside one
# Applied in order: digraphs first, so that "kh", "ch" and a Latin "h" all meet on g, as in Гамбург / Hamburg.
_SKELETON = (("th", "t"), ("kh", "h"), ("gh", "g"), ("ch", "h"), ("h", "g"), ("q", "k"), ("c", "k"),
             ("y", "i"), ("j", "i"), ("w", "v"), ("x", "ks"))
_MIN_KEY = 3  # shorter keys (ЕС, UN) match by accident


@lru_cache(maxsize=1 << 16)
def name_key(word: str) -> str:
    """The script-neutral key of a word, "" when it is too short or a stopword."""
    if fold(word) in STOPWORDS:
        return ""
    key = re.sub("[^a-z]", "", anyascii(word).lower())
    for written, folded in _SKELETON:
        key = key.replace(written, folded)
    return MARK + key[:PREFIX_LENGTH] if len(key) >= _MIN_KEY else ""


def loose_key(word: str) -> str:
    """A shorter key, doubled letters once: "apprenticeship" and "апрентисшип", "medical" and "медицинском"
    meet on it. Too coarse to index; enough to tell whether an article names what a question does."""
    return re.sub(r"(.)\1", r"\1", name_key(word))[:5]


def article_name_keys(text: str) -> list[str]:
    """Keys of the names in an article's text: words with a capital inside a sentence or more than one
    capital (DCU, ҚазҰУ), unless the text also writes the word in lower case ("Орталық Азия" beside
    "орталығы" is not a name)."""
    lower = {name_key(m.group()) for m in _WORD.finditer(text) if m.group()[0].islower()}
    keys = []
    for match in _WORD.finditer(text):
        word = match.group()
        capitals = sum(c.isupper() for c in word)
        if capitals > 1 or (capitals and not _SENTENCE_START.search(text[max(0, match.start() - 3) : match.start()])):
            key = name_key(word)
            if key and key not in lower:
                keys.append(key)
    return keys


def question_name_keys(text: str) -> dict[str, str]:
    """Every word of a question with its key: people type names in lower case."""
    return {m.group(): k for m in _WORD.finditer(text) if (k := name_key(m.group()))}
