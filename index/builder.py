"""Knowledge folder -> a new index generation, incrementally and atomically.

Only files whose size or mtime changed are read, and only documents whose content changed are chunked,
tokenised and looked up in the embedding cache; the others keep their rows (texts, vectors, tokens) from
the live generation. Only text whose hash is not in the embedding cache is embedded. Nothing changes on
disk when nothing changed in the knowledge.
"""

from __future__ import annotations

import fcntl
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from index.background import background_hash, background_sentences, languages_of, reference_sentences
from index.chunking import Chunk, ChunkingConfig, Sentence, chunk_document, sentences_of
from index.documents import Document, Problem, scan_knowledge
from index.embeddings import Embedder
from index.neutral import QUERY, language_means, neutralize
from index.snapshot import (
    FORMAT,
    Manifest,
    NewRows,
    Snapshot,
    current_generation,
    index_root,
    new_generation_name,
    read_files,
    write_generation,
)
from index.tokens import tokenizer_signature

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
    # Filled in by whoever makes machine renditions before the build (the engine makes none).
    renditions_made: list[str] = field(default_factory=list)
    renditions_removed: list[str] = field(default_factory=list)
    renditions_failed: list[str] = field(default_factory=list)  # originals, tried again at the next reindex
    renditions_too_long: list[str] = field(default_factory=list)

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
    """Why the live index does not match the knowledge and settings ('' when it does).

    Only files whose size or mtime differ from what the live generation recorded are read."""
    name = current_generation(data_dir)
    if name is None:
        return "no index yet"
    folder = index_root(data_dir) / name
    manifest = Manifest.read(folder)
    if reason := _settings_changed(manifest, model, config):
        return reason
    if scan_knowledge(knowledge_dir, read_files(folder)).hashes != manifest.documents:
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
    if manifest.tokenizer != tokenizer_signature():
        return "the tokenizer changed"
    return ""


def reindex(
    knowledge_dir: Path,
    data_dir: Path,
    embedder: Embedder,
    config: ChunkingConfig = ChunkingConfig(),
    progress: Progress | None = None,
) -> ReindexReport:
    started = time.perf_counter()
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    report = ReindexReport(model=embedder.name)
    with _exclusive(data_dir):
        live = _live_manifest(data_dir)
        if live is not None:
            report.reason = _settings_changed(live, embedder.name, config)
            report.rebuilt = bool(report.reason)
        else:
            report.reason, report.rebuilt = "no index yet", True
        # Files the live generation saw unchanged are not even read; their rows are reused as they are.
        records = read_files(index_root(data_dir) / live.generation) if live and not report.rebuilt else None
        scan = scan_knowledge(knowledge_dir, records)
        report.problems = scan.problems

        old_hashes = live.documents if live is not None else {}
        new_hashes = scan.hashes
        report.added = sorted(i for i in new_hashes if i not in old_hashes)
        report.changed = sorted(i for i in new_hashes if i in old_hashes and old_hashes[i] != new_hashes[i])
        report.removed = sorted(i for i in old_hashes if i not in new_hashes)
        report.unchanged = len(new_hashes) - len(report.added) - len(report.changed)
        report.documents = len(new_hashes)

        if not report.changed_anything and live is not None:
            report.chunks = live.chunks
            report.generation = live.generation
            report.seconds = time.perf_counter() - started
            return report

        reusable = _live_snapshot(data_dir) if not report.rebuilt else None
        if records is not None and reusable is None:  # unreadable after all: everything is parsed again
            scan = scan_knowledge(knowledge_dir)
            report.problems, report.rebuilt, report.reason = scan.problems, True, "the index could not be read"
        fresh = [d for d in scan.documents if reusable is None or not _same_rows(reusable, d)]
        sentences, chunks = _split(fresh, config, progress)
        sentence_texts = [s.text for d in fresh for s in sentences[d.id]]
        texts = [c.embed_text for c in chunks] + sentence_texts + [d.title for d in fresh]
        if reusable is None:
            texts += background_sentences() + reference_sentences()
        vectors, report.embedded = _vectors(data_dir, embedder, texts, progress)
        chunk_vectors, rest = vectors[: len(chunks)], vectors[len(chunks) :]
        sentence_vectors, rest = rest[: len(sentence_texts)], rest[len(sentence_texts) :]
        title_vectors, rest = rest[: len(fresh)], rest[len(fresh) :]
        if reusable is None:
            everyday, reference = rest[: len(background_sentences())], rest[len(background_sentences()) :]
            queries, _ = _vectors(data_dir, embedder, list(reference_sentences()), None, kind=QUERY)
            means = language_means(queries, reference, list(languages_of(reference_sentences())))
            background_vectors = neutralize(everyday, languages_of(background_sentences()), means)
        else:  # kept rows are already neutral, with the same means (they depend on the model and both texts)
            means, background_vectors = reusable.language_means, reusable.background_vectors
        lang_of = {d.id: d.lang for d in fresh}
        chunk_vectors = neutralize(chunk_vectors, [lang_of[c.doc_id] for c in chunks], means)
        sentence_vectors = neutralize(sentence_vectors, [d.lang for d in fresh for _ in sentences[d.id]], means)
        title_vectors = neutralize(title_vectors, [d.lang for d in fresh], means)
        generation = new_generation_name(datetime.now(UTC))
        manifest = Manifest(
            generation=generation,
            model=embedder.name,
            dim=embedder.dim,
            chunking=config.signature,
            background=background_hash(),
            tokenizer=tokenizer_signature(),
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            documents=new_hashes,
        )
        if progress:
            progress("writing", 0, 1)
        new = NewRows(fresh, sentences, chunks, chunk_vectors, sentence_vectors, title_vectors)
        write_generation(data_dir, manifest, scan.files, list(new_hashes), new, reusable, background_vectors, means)
        report.chunks = manifest.chunks
        report.generation = generation
        report.seconds = time.perf_counter() - started
        from index.cache import EmbeddingCache  # sqlite_utils: not needed by is_stale, which `ask` runs

        cache = EmbeddingCache(cache_path(data_dir))
        cache.log_run(started_at, report.seconds, embedder.name, generation, report.as_dict())
        cache.close()
        return report


def _same_rows(old: Snapshot, doc: Document) -> bool:
    """Whether the live generation's rows for ``doc`` can be kept (same content, same file)."""
    if old.manifest.documents.get(doc.id) != doc.content_hash:
        return False
    return old.documents[doc.id].path == doc.path


def _live_manifest(data_dir: Path) -> Manifest | None:
    name = current_generation(data_dir)
    if name is None:
        return None
    try:
        return Manifest.read(index_root(data_dir) / name)
    except (OSError, ValueError, TypeError):  # an unreadable old index is simply rebuilt
        return None


def _live_snapshot(data_dir: Path) -> Snapshot | None:
    if current_generation(data_dir) is None:
        return None
    try:
        return Snapshot.open_current(data_dir)
    except Exception:  # noqa: BLE001 - an unreadable old index is simply rebuilt
        return None


def _split(
    docs: list[Document], config: ChunkingConfig, progress: Progress | None
) -> tuple[dict[str, list[Sentence]], list[Chunk]]:
    sentences: dict[str, list[Sentence]] = {}
    chunks: list[Chunk] = []
    for n, doc in enumerate(docs, 1):
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
    from index.cache import EmbeddingCache, content_hash

    hashes = [content_hash(t) for t in texts]
    model = f"{embedder.name}#query" if kind == QUERY else embedder.name
    embed = embedder.embed_queries if kind == QUERY else embedder.embed_passages
    cache = EmbeddingCache(cache_path(data_dir))
    try:
        known = cache.get_many(model, hashes)
        missing = list(dict.fromkeys(h for h in hashes if h not in known))
        text_of = dict(zip(hashes, texts, strict=True))
        done = 0
        if progress:
            progress("embedding", 0, len(missing))
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            vectors = embed([text_of[h] for h in batch])
            fresh = dict(zip(batch, vectors, strict=True))
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
