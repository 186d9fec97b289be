"""The articles tests index: the centre's own (knowledge/) and the tuning set's distractors."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"
DISTRACTORS = ROOT / "tests" / "eval" / "tuning" / "distractors"

NEW_ARTICLE = """---
id: summer-school
title: "Summer school on micro-credentials"
date: 2026-06-01
lang: en
source: Centre news
url: https://example.org/summer-school
---
The regional centre will hold a summer school on micro-credentials in Astana in July 2026.

Forty participants from five Central Asian countries will take part in the summer school.
"""


def copy_corpus(target: Path, with_distractors: bool = True) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    sources = list(KNOWLEDGE.glob("*.md")) + (list(DISTRACTORS.glob("*.md")) if with_distractors else [])
    for path in sources:
        shutil.copy(path, target / path.name)
    return target


@dataclass
class Seed:
    root: Path  # knowledge/ (the three seed articles) and data/ (their index and embedding cache)
    report: object  # the ReindexReport of that first, cold build
    passages: int  # how many passages the model was asked to embed for it
    stale_reason: str = ""  # what the folders said before that build


def copy_seed(seed: Seed, target: Path) -> Path:
    """Own knowledge/ and data/ with the seed index; copytree keeps mtimes, so the copy is not stale."""
    shutil.copytree(seed.root, target)
    return target
