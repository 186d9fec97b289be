"""Shared fixtures: a corpus of the centre's articles plus distractors, indexed once with the real model."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE = ROOT / "knowledge"
DISTRACTORS = ROOT / "tests" / "eval" / "tuning" / "distractors"


def copy_corpus(target: Path, with_distractors: bool = True) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    sources = list(KNOWLEDGE.glob("*.md")) + (list(DISTRACTORS.glob("*.md")) if with_distractors else [])
    for path in sources:
        shutil.copy(path, target / path.name)
    return target


@pytest.fixture(scope="session")
def default_embedder():
    from index.embeddings import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory, default_embedder):
    """An Assistant over knowledge + distractors, index built once for the whole session."""
    from bot.qa.assistant import Assistant
    from bot.settings import Settings

    base = tmp_path_factory.mktemp("corpus")
    settings = Settings(knowledge_dir=copy_corpus(base / "knowledge"), data_dir=base / "data")
    assistant = Assistant(settings, embedder=default_embedder)
    assistant.reindex()
    return assistant


@pytest.fixture(scope="session")
def eval_assistant(tmp_path_factory, default_embedder):
    """An Assistant over one named evaluation set (bot/eval_sets.py), each built once per session."""
    from bot.qa.eval_sets import SETS, prepare_knowledge, questions_of
    from bot.qa.assistant import Assistant
    from bot.settings import Settings

    built = {}

    def get(name: str):
        if name not in built:
            base = tmp_path_factory.mktemp(name)
            knowledge = prepare_knowledge(SETS[name], ROOT, base / "knowledge")
            assistant = Assistant(Settings(knowledge_dir=knowledge, data_dir=base / "data"), embedder=default_embedder)
            assistant.reindex()
            built[name] = (assistant, questions_of(SETS[name], ROOT))
        return built[name]

    return get
