"""Everyday text unrelated to the knowledge (background.txt), embedded with the index.

Embedding similarities are not comparable across questions: with e5 every pair scores 0.7-0.9. How much
closer a question is to the knowledge than to everyday text is: that margin decides "I don't know".
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

BACKGROUND_FILE = Path(__file__).with_name("background.txt")


@lru_cache(maxsize=1)
def background_sentences() -> tuple[str, ...]:
    lines = BACKGROUND_FILE.read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def background_languages() -> tuple[str, ...]:
    """The language of each background sentence: the file holds the same sentences in kk, ru and en."""
    from index.language import detect_language

    return tuple(detect_language(s).lang for s in background_sentences())


def background_hash() -> str:
    return hashlib.sha256("\n".join(background_sentences()).encode("utf-8")).hexdigest()[:16]
