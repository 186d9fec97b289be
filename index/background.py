"""Everyday text unrelated to the knowledge (background.txt), embedded with the index, and the fixed
parallel text the language means are estimated on (language_reference.txt).

Embedding similarities are not comparable across questions: with e5 every pair scores 0.7-0.9. How much
closer a question is to the knowledge than to everyday text is: that margin decides "I don't know".
The two files are apart so that the everyday text can be kept free of the knowledge's words without moving
every vector of the index with the language means.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

BACKGROUND_FILE = Path(__file__).with_name("background.txt")
REFERENCE_FILE = Path(__file__).with_name("language_reference.txt")


def _sentences(path: Path) -> tuple[str, ...]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def background_sentences() -> tuple[str, ...]:
    return _sentences(BACKGROUND_FILE)


@lru_cache(maxsize=1)
def reference_sentences() -> tuple[str, ...]:
    return _sentences(REFERENCE_FILE)


@lru_cache(maxsize=2)
def languages_of(sentences: tuple[str, ...]) -> tuple[str, ...]:
    """The language of each sentence: both files hold the same sentences in kk, ru and en."""
    from index.language import detect_language

    return tuple(detect_language(s).lang for s in sentences)


def background_hash() -> str:
    text = "\n".join(background_sentences()) + "\n\n" + "\n".join(reference_sentences())
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
