"""Reindexing whose cost follows the change: unread unchanged files, kept rows, a BM25 built from kept tokens."""

from __future__ import annotations

import itertools
import os
import shutil

import numpy as np
import pytest

import index.snapshot
import index.tokens
from bot.qa.assistant import Assistant
from bot.settings import Settings
from index.builder import cache_path
from index.lexical import LexicalIndex
from index.snapshot import current_generation
from index.tokens import TokenArrays, build_lexical, gather, index_tokens
from tests.support.corpus import NEW_ARTICLE
from tests.support.embeddings import CountingEmbedder


@pytest.fixture
def setup(seed_copy, default_embedder):
    """A copy of the session's seed index (conftest.seed), with the real model counted."""
    knowledge = seed_copy / "knowledge"
    embedder = CountingEmbedder(default_embedder)
    assistant = Assistant(Settings(knowledge_dir=knowledge, data_dir=seed_copy / "data"), embedder=embedder)
    assert assistant.stale_reason() == ""
    return assistant, knowledge, embedder


def _contents(assistant: Assistant) -> dict:
    snapshot = assistant.snapshot()
    return {
        "chunks": sorted((c.id, c.text, c.first_sentence, c.last_sentence) for c in snapshot.chunks),
        "sentences": {d: [snapshot.sentences[r].text for r in rows] for d, rows in snapshot.sentence_rows.items()},
        "documents": {d.id: d for d in snapshot.documents.values()},
        "lexicon": snapshot.kk_lexicon,
        "titles": {d: np.round(v, 4).tolist() for d, v in snapshot.title_vectors.items()},
        "home": snapshot.home_families,
    }


def test_a_touched_but_identical_file_changes_nothing(setup):
    assistant, knowledge, embedder = setup
    generation = current_generation(assistant.data_dir)
    path = knowledge / "central-asia-centre.ru.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 5_000_000_000))
    assert assistant.stale_reason() == ""
    report = assistant.reindex()
    assert not report.changed_anything and report.embedded == embedder.passages == 0
    assert current_generation(assistant.data_dir) == generation


def test_an_edit_within_the_same_second_is_noticed(setup):
    assistant, knowledge, _ = setup
    path = knowledge / "central-asia-centre.en.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Astana", "Almaty", 1) + "\nOne more line.\n", encoding="utf-8")
    assert assistant.stale_reason() == "the knowledge folder changed"
    assistant.reindex()
    assert assistant.stale_reason() == ""
    # Same size, same mtime: only the content differs, as when two saves fall in one timestamp tick.
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("Almaty", "Astana", 1), encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size
    assert assistant.stale_reason() == "the knowledge folder changed"


def test_changed_articles_reuse_the_rest_and_match_a_full_rebuild(setup, tmp_path, default_embedder, monkeypatch):
    assistant, knowledge, embedder = setup
    monkeypatch.setattr(index.snapshot, "MAX_SEGMENTS", 3)  # edits of three articles make segments merge
    (knowledge / "summer-school.md").write_text(NEW_ARTICLE, encoding="utf-8")
    edits = ["Forty participants", "Sixty participants", "Seventy participants", "Eighty participants"]
    for before, after in itertools.pairwise(edits):
        path = knowledge / "summer-school.md"
        path.write_text(path.read_text(encoding="utf-8").replace(before, after), encoding="utf-8")
        embedder.passages = 0
        report = assistant.reindex()
        assert 0 < embedder.passages <= 8 and report.unchanged == report.documents - 1
        snapshot = assistant.snapshot()
        texts = " ".join(snapshot.sentences[r].text for r in snapshot.sentence_rows["summer-school"])
        assert after in texts and before not in texts
        answer = assistant.ask("When is the summer school on micro-credentials?")
        assert answer.answered and answer.citations[0].doc_id == "summer-school"
    for n, name in enumerate(["central-asia-centre.kk.md", "central-asia-centre.ru.md", "summer-school.md"]):
        with open(knowledge / name, "a", encoding="utf-8") as handle:
            handle.write(f"\nEdit number {n}.\n")
        report = assistant.reindex()
        assert report.changed == [name.removesuffix(".md").replace(".", "-")]
        assert len(assistant.snapshot().manifest.segments) <= 3
    (knowledge / "central-asia-centre.en.md").unlink()
    assistant.reindex()
    assert assistant.ask("Где будет создан региональный центр?").citations[0].doc_id == "central-asia-centre-ru"

    (tmp_path / "fresh").mkdir()
    shutil.copy(cache_path(assistant.data_dir), cache_path(tmp_path / "fresh"))  # vectors, not rows
    fresh = Assistant(Settings(knowledge_dir=knowledge, data_dir=tmp_path / "fresh"), embedder=default_embedder)
    fresh.reindex()
    assert _contents(assistant) == _contents(fresh)
    for question in ["summer school micro-credentials Astana", "Орталық Азия өңірлік орталығы", "Ирландия"]:
        ours, theirs = assistant.snapshot(), fresh.snapshot()
        by_id = lambda s, scores: {s.chunks[i].id: round(float(scores[i]), 4) for i in range(len(s.chunks))}  # noqa: E731
        assert by_id(ours, ours.lexical.scores(question)) == by_id(theirs, theirs.lexical.scores(question))
    vector = default_embedder.embed_queries(["When is the summer school?"])
    top = [[s.chunks[int(i)].id for i in s.faiss.search(vector, 5)[1][0]] for s in (ours, theirs)]
    assert top[0] == top[1]


def test_a_crash_while_merging_segments_leaves_the_old_index_live(setup, monkeypatch):
    assistant, knowledge, _ = setup
    before = current_generation(assistant.data_dir)
    monkeypatch.setattr(index.snapshot, "MAX_DEAD_SHARE", -1.0)  # every kept row is rewritten
    (knowledge / "summer-school.md").write_text(NEW_ARTICLE, encoding="utf-8")

    def explode(*args, **kwargs):
        raise OSError("disk full (simulated)")

    monkeypatch.setattr(index.snapshot, "_fsync_tree", explode)
    with pytest.raises(OSError):
        assistant.reindex()
    assert current_generation(assistant.data_dir) == before
    assert assistant.ask("Где будет создан региональный центр?").answered
    monkeypatch.undo()
    assert assistant.reindex().added == ["summer-school"]
    assert assistant.ask("When is the summer school on micro-credentials?").citations[0].doc_id == "summer-school"


def test_a_new_tokenizer_rebuilds_without_embedding_again(setup, monkeypatch):
    assistant, _, embedder = setup
    monkeypatch.setattr(index.tokens, "TOKENIZER_VERSION", index.tokens.TOKENIZER_VERSION + 1)
    assert assistant.stale_reason() == "the tokenizer changed"
    report = assistant.reindex()
    assert report.rebuilt and report.embedded == embedder.passages == 0
    assert assistant.stale_reason() == ""


def test_bm25_from_kept_tokens_scores_like_bm25s_itself():
    texts = ["Орталық Азия өңірлік орталығы Астанада құрылады", "Где будет создан центр? Центр!", "the of",
             "Who took over the hub chair from Ireland", "центр Астана hub 2026"]
    first, second = TokenArrays.from_texts(texts[:3]), TokenArrays.from_texts([*texts[3:], "left out"])
    # The second array's chunks come first, and its last chunk is not in the index.
    ours = build_lexical(*gather([(first, np.array([2, 3, 4])), (second, np.array([0, 1, -1]))]))
    reference = LexicalIndex.build([index_tokens(t) for t in texts[3:] + texts[:3]])
    for query in ["центр", "hub chair", "Астана центр Ireland", "орталық", "nothing here"]:
        assert np.allclose(ours.scores(query), reference.scores(query))
    for token in index_tokens(" ".join(texts)):
        rows = ours.rows_with(token).tolist()
        assert rows == sorted(reference.rows_with(token).tolist()) == sorted(rows) and rows, token
