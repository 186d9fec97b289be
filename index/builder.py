"""Knowledge folder -> a new index generation, incrementally and atomically.

Unchanged documents keep their sentences and chunks from the live generation; only text whose hash is
not in the embedding cache is embedded. Nothing changes on disk when nothing changed in the knowledge.
"""

from __future__ import annotations

import fcntl
import secrets
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from index.background import background_hash, background_languages, background_sentences
from index.cache import EmbeddingCache, content_hash
from index.chunking import Chunk, ChunkingConfig, Sentence, chunk_document, embedding_text, sentences_of
from index.documents import Document, Problem, scan_knowledge
from index.embeddings import Embedder
from index.lexical import TOKENIZER
from index.neutral import QUERY, language_means, neutralize
from index.snapshot import FORMAT, Manifest, Snapshot, current_generation, index_root, write_generation

BATCH = 32
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass
class ReindexReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    rebuilt: bool = False
    reason: str = ""
    generation: str = ""
    model: str = ""
    seconds: float = 0.0

    @property
    def skipped(self) -> int:
        return len(self.problems)

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.rebuilt)

    def as_dict(self) -> dict:
        data = asdict(self)
        data["problems"] = [str(p) for p in self.problems]
        data["skipped"] = self.skipped
        return data


def cache_path(data_dir: Path) -> Path:
    return Path(data_dir) / "embeddings.db"


@contextmanager
def _exclusive(data_dir: Path):
    """One reindex at a time per data folder (CLI, bot and auto-refresh may race)."""
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def is_stale(knowledge_dir: Path, data_dir: Path, model: str, config: ChunkingConfig) -> str:
    """Why the live index does not match the knowledge and settings ('' when it does)."""
    name = current_generation(data_dir)
    if name is None:
        return "no index yet"
    manifest = Manifest.read(index_root(data_dir) / name)
    if reason := _settings_changed(manifest, model, config):
        return reason
    scan = scan_knowledge(knowledge_dir)
    if {d.id: d.content_hash for d in scan.documents} != manifest.documents:
        return "the knowledge folder changed"
    return ""


def _settings_changed(manifest: Manifest, model: str, config: ChunkingConfig) -> str:
    if manifest.format != FORMAT:
        return "the index format changed"
    if manifest.model != model:
        return f"the embedding model changed ({manifest.model} -> {model})"
    if manifest.chunking != config.signature:
        return "the chunking settings changed"
    if manifest.background != background_hash():
        return "the background text changed"
    if manifest.tokenizer != TOKENIZER:
        return "the lexical tokeniser changed"
    return ""


def reindex(
    knowledge_dir: Path,
    data_dir: Path,
    embedder: Embedder,
    config: ChunkingConfig = ChunkingConfig(),
    progress: Progress | None = None,
) -> ReindexReport:
    started = time.perf_counter()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    report = ReindexReport(model=embedder.name)
    with _exclusive(data_dir):
        scan = scan_knowledge(knowledge_dir)
        report.problems = scan.problems
        docs = scan.documents
        old = _live_snapshot(data_dir)
        if old is not None:
            report.reason = _settings_changed(old.manifest, embedder.name, config)
            report.rebuilt = bool(report.reason)
        else:
            report.reason, report.rebuilt = "no index yet", True
        reusable = old if old is not None and not report.rebuilt else None

        old_hashes = old.manifest.documents if old is not None else {}
        new_hashes = {d.id: d.content_hash for d in docs}
        report.added = sorted(i for i in new_hashes if i not in old_hashes)
        report.changed = sorted(i for i in new_hashes if i in old_hashes and old_hashes[i] != new_hashes[i])
        report.removed = sorted(i for i in old_hashes if i not in new_hashes)
        report.unchanged = len(docs) - len(report.added) - len(report.changed)
        report.documents = len(docs)

        if not report.changed_anything and old is not None:
            report.chunks = len(old.chunks)
            report.generation = old.generation
            report.seconds = time.perf_counter() - started
            return report

        sentences, chunks = _split(docs, reusable, config, progress)
        sentence_texts = [s.text for d in docs for s in sentences[d.id]]
        texts = [c.embed_text for c in chunks] + sentence_texts + list(background_sentences())
        vectors, report.embedded = _vectors(data_dir, embedder, texts, progress)
        chunk_vectors, rest = vectors[: len(chunks)], vectors[len(chunks) :]
        sentence_vectors, background_vectors = rest[: len(sentence_texts)], rest[len(sentence_texts) :]
        background_langs = background_languages()
        background_queries, _ = _vectors(data_dir, embedder, list(background_sentences()), None, kind=QUERY)
        means = language_means(background_queries, background_vectors, list(background_langs))
        lang_of = {d.id: d.lang for d in docs}
        chunk_vectors = neutralize(chunk_vectors, [lang_of[c.doc_id] for c in chunks], means)
        sentence_vectors = neutralize(sentence_vectors, [d.lang for d in docs for _ in sentences[d.id]], means)
        background_vectors = neutralize(background_vectors, background_langs, means)
        generation = datetime.now(timezone.utc).strftime("g%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
        manifest = Manifest(
            generation=generation,
            model=embedder.name,
            dim=embedder.dim,
            chunking=config.signature,
            background=background_hash(),
            tokenizer=TOKENIZER,
            created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            documents=new_hashes,
        )
        if progress:
            progress("writing", 0, 1)
        write_generation(
            data_dir, manifest, docs, chunks, chunk_vectors, sentences, sentence_vectors, background_vectors, means
        )
        report.chunks = len(chunks)
        report.generation = generation
        report.seconds = time.perf_counter() - started
        cache = EmbeddingCache(cache_path(data_dir))
        cache.log_run(started_at, report.seconds, embedder.name, generation, report.as_dict())
        cache.close()
        return report


def _live_snapshot(data_dir: Path) -> Snapshot | None:
    if current_generation(data_dir) is None:
        return None
    try:
        return Snapshot.open_current(data_dir)
    except Exception:  # noqa: BLE001 - an unreadable old index is simply rebuilt
        return None


def _split(
    docs: list[Document], reusable: Snapshot | None, config: ChunkingConfig, progress: Progress | None
) -> tuple[dict[str, list[Sentence]], list[Chunk]]:
    sentences: dict[str, list[Sentence]] = {}
    chunks: list[Chunk] = []
    old_chunks: dict[str, list] = {}
    if reusable is not None:
        for row in reusable.chunks:
            old_chunks.setdefault(row.doc_id, []).append(row)
    for n, doc in enumerate(docs, 1):
        if reusable is not None and reusable.manifest.documents.get(doc.id) == doc.content_hash:
            sentences[doc.id] = [
                Sentence(s.ordinal, s.paragraph, s.text)
                for s in (reusable.sentences[r] for r in reusable.sentence_rows.get(doc.id, range(0)))
            ]
            chunks.extend(
                Chunk(r.id, r.doc_id, r.ordinal, r.text, r.first_sentence, r.last_sentence,
                      embedding_text(doc, r.text, config))
                for r in old_chunks.get(doc.id, [])
            )
        else:
            sentences[doc.id] = sentences_of(doc)
            chunks.extend(chunk_document(doc, sentences[doc.id], config))
        if progress and (n % 50 == 0 or n == len(docs)):
            progress("chunking", n, len(docs))
    return sentences, chunks


def embed_texts(data_dir: Path, embedder: Embedder, texts: list[str]) -> np.ndarray:
    """Vectors for any texts through the data folder's embedding cache (used by the evaluation too)."""
    return _vectors(data_dir, embedder, texts, None)[0]


def _vectors(
    data_dir: Path, embedder: Embedder, texts: list[str], progress: Progress | None, kind: int | None = None
) -> tuple[np.ndarray, int]:
    """A vector for every text, embedding only what the cache lacks (saved batch by batch).

    Passages by default; ``kind=QUERY`` embeds the texts as questions, cached apart.
    """
    hashes = [content_hash(t) for t in texts]
    model = f"{embedder.name}#query" if kind == QUERY else embedder.name
    embed = embedder.embed_queries if kind == QUERY else embedder.embed_passages
    cache = EmbeddingCache(cache_path(data_dir))
    try:
        known = cache.get_many(model, hashes)
        missing = list(dict.fromkeys(h for h in hashes if h not in known))
        text_of = dict(zip(hashes, texts))
        done = 0
        if progress:
            progress("embedding", 0, len(missing))
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            vectors = embed([text_of[h] for h in batch])
            fresh = dict(zip(batch, vectors))
            cache.put_many(model, fresh)
            known.update(fresh)
            done += len(batch)
            if progress:
                progress("embedding", done, len(missing))
    finally:
        cache.close()
    matrix = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    for i, h in enumerate(hashes):
        matrix[i] = known[h]
    return matrix, len(missing)
