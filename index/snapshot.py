"""One immutable generation of the index on disk, and how readers find the current one.

    data/index/CURRENT            name of the live generation (replaced atomically)
    data/index/<generation>/      manifest.json, chunks.db (SQLite), chunks.faiss, sentences.npy,
                                  background.npy, bm25/, kk_lexicon.json (Kazakh spellings)

A generation is written in a temporary folder, renamed into place, and only then named in CURRENT, so a
reader always sees a complete index and a crash mid-build leaves the previous one live.
"""

from __future__ import annotations

import errno
import json
import math
import os
import shutil
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path

import faiss
import numpy as np
import sqlite_utils

from index.chunking import Chunk, Sentence
from index.documents import Document
from index.language import kazakh_lexicon
from index.lexical import LexicalIndex

FORMAT = 3
CURRENT = "CURRENT"


class IndexMissing(RuntimeError):
    """No usable index in the data folder yet."""


class DiskFull(RuntimeError):
    """The disk holding the data folder filled up during a reindex; the previous index stays live."""

    def __init__(self, data_dir: Path, needed: int = 0):
        self.data_dir = Path(data_dir)
        try:
            free = shutil.disk_usage(self.data_dir).free
        except OSError:
            free = 0
        # What the failed write needed beyond what is free, with a margin for SQLite's journal.
        self.free_mb = max(10, math.ceil((needed - free) / 1_000_000) + 10)
        super().__init__(f"the disk holding the data folder {self.data_dir} (CENTRE_BOT_DATA_DIR) is full: free at "
                         f"least {self.free_mb} MB there, then reindex again; the previous index keeps answering")


def is_disk_full(exc: BaseException) -> bool:
    """ENOSPC/EDQUOT, SQLite's "database or disk is full", numpy's short write ("requested … written")."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(exc).lower()
        if isinstance(exc, sqlite3.OperationalError) and "disk is full" in text:
            return True
        if isinstance(exc, (OSError, RuntimeError)) and ("requested" in text and "written" in text
                                                        or "no space left" in text):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


@dataclass
class Manifest:
    generation: str
    model: str
    dim: int
    chunking: str
    created: str
    background: str = ""
    documents: dict[str, str] = field(default_factory=dict)  # doc id -> content hash
    format: int = FORMAT

    @classmethod
    def read(cls, folder: Path) -> "Manifest":
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


@dataclass(frozen=True)
class ChunkRow:
    row: int
    id: str
    doc_id: str
    ordinal: int
    text: str
    first_sentence: int
    last_sentence: int


@dataclass(frozen=True)
class SentenceRow:
    row: int
    doc_id: str
    ordinal: int
    paragraph: int
    text: str


def index_root(data_dir: Path) -> Path:
    return Path(data_dir) / "index"


def current_generation(data_dir: Path) -> str | None:
    try:
        name = (index_root(data_dir) / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name if name and (index_root(data_dir) / name / "manifest.json").exists() else None


def write_generation(
    data_dir: Path,
    manifest: Manifest,
    documents: list[Document],
    chunks: list[Chunk],
    chunk_vectors: np.ndarray,
    sentences: dict[str, list[Sentence]],
    sentence_vectors: np.ndarray,
    background_vectors: np.ndarray,
) -> Path:
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    final = root / manifest.generation
    tmp = root / f".{manifest.generation}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        tmp.mkdir()
        _write_files(tmp, manifest, documents, chunks, chunk_vectors, sentences, sentence_vectors,
                     background_vectors)
        needed = max(folder_bytes(tmp), _live_bytes(root))
        os.replace(tmp, final)
        pointer = root / f".{CURRENT}.tmp"
        pointer.write_text(manifest.generation, encoding="utf-8")
        _fsync_file(pointer)
        os.replace(pointer, root / CURRENT)
    except BaseException as exc:
        needed = max(folder_bytes(tmp), _live_bytes(root))
        shutil.rmtree(tmp, ignore_errors=True)  # a half-written generation must not eat the space left
        if current_generation(data_dir) != manifest.generation:
            shutil.rmtree(final, ignore_errors=True)
        if is_disk_full(exc):
            raise DiskFull(data_dir, needed=needed * 3 // 2) from exc
        raise
    _prune(root, keep=manifest.generation)
    return final


def _write_files(
    tmp: Path,
    manifest: Manifest,
    documents: list[Document],
    chunks: list[Chunk],
    chunk_vectors: np.ndarray,
    sentences: dict[str, list[Sentence]],
    sentence_vectors: np.ndarray,
    background_vectors: np.ndarray,
) -> None:
    db = sqlite_utils.Database(tmp / "chunks.db")
    with db.conn:
        db["documents"].insert_all(
            ({k: v for k, v in asdict(d).items()} | {"family": d.family} for d in documents), pk="id"
        )
        db["chunks"].insert_all(
            (
                {"row": i, "id": c.id, "doc_id": c.doc_id, "ordinal": c.ordinal, "text": c.text,
                 "first_sentence": c.first_sentence, "last_sentence": c.last_sentence}
                for i, c in enumerate(chunks)
            ),
            pk="row",
        )
        db["sentences"].insert_all(
            (
                {"row": row, "doc_id": doc_id, "ordinal": s.ordinal, "paragraph": s.paragraph, "text": s.text}
                for row, (doc_id, s) in enumerate((d, s) for d, ss in sentences.items() for s in ss)
            ),
            pk="row",
        )
    if db["chunks"].exists():
        db["chunks"].create_index(["doc_id"])
    db.close()

    flat = faiss.IndexFlatIP(manifest.dim)
    if len(chunk_vectors):
        flat.add(np.ascontiguousarray(chunk_vectors, dtype=np.float32))
    faiss.write_index(flat, str(tmp / "chunks.faiss"))
    np.save(tmp / "sentences.npy", np.asarray(sentence_vectors, dtype=np.float32).reshape(-1, manifest.dim))
    np.save(tmp / "background.npy", np.asarray(background_vectors, dtype=np.float32).reshape(-1, manifest.dim))
    LexicalIndex.build([c.text for c in chunks]).save(tmp / "bm25")
    lexicon = kazakh_lexicon([d.title + "\n" + d.body for d in documents if d.lang == "kk"])
    (tmp / "kk_lexicon.json").write_text(json.dumps(lexicon, ensure_ascii=False), encoding="utf-8")
    (tmp / "manifest.json").write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=1), encoding="utf-8")
    _fsync_tree(tmp)


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def _live_bytes(root: Path) -> int:
    name = current_generation(root.parent)
    return folder_bytes(root / name) if name else 0


def _prune(root: Path, keep: str) -> None:
    """Keep the live generation and the one before it (a reader may still be loading it)."""
    generations = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")), key=lambda p: p.name
    )
    previous = [g for g in generations if g.name != keep]
    for old in previous[:-1]:
        shutil.rmtree(old, ignore_errors=True)
    for leftover in root.glob(".*.tmp"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            _fsync_file(path)


class Snapshot:
    """A generation loaded into memory for searching."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.manifest = Manifest.read(folder)
        db = sqlite_utils.Database(folder / "chunks.db")
        doc_fields = Document.__dataclass_fields__
        self.documents: dict[str, Document] = {
            row["id"]: Document(**{k: v for k, v in row.items() if k in doc_fields})
            for row in (db["documents"].rows if db["documents"].exists() else [])
        }
        self.chunks: list[ChunkRow] = [
            ChunkRow(**row) for row in (db["chunks"].rows_where(order_by="row") if db["chunks"].exists() else [])
        ]
        self.sentences: list[SentenceRow] = [
            SentenceRow(**row)
            for row in (db["sentences"].rows_where(order_by="row") if db["sentences"].exists() else [])
        ]
        db.close()
        self.faiss = faiss.read_index(str(folder / "chunks.faiss"))
        self.sentence_vectors = np.load(folder / "sentences.npy")
        self.background_vectors = np.load(folder / "background.npy")
        self.lexical = LexicalIndex.load(folder / "bm25", len(self.chunks))
        self.kk_lexicon: dict[str, str] = json.loads((folder / "kk_lexicon.json").read_text(encoding="utf-8"))
        self.sentence_rows: dict[str, range] = {}
        for s in self.sentences:
            span = self.sentence_rows.get(s.doc_id)
            self.sentence_rows[s.doc_id] = range(span.start if span else s.row, s.row + 1)
        self.renditions: dict[str, dict[str, str]] = {}
        for doc in self.documents.values():
            self.renditions.setdefault(doc.family, {})[doc.lang] = doc.id

    @property
    def generation(self) -> str:
        return self.manifest.generation

    @classmethod
    def open_current(cls, data_dir: Path) -> "Snapshot":
        name = current_generation(data_dir)
        if name is None:
            raise IndexMissing(f"No index in {index_root(data_dir)} yet: run `centre-bot reindex`.")
        return cls(index_root(data_dir) / name)
