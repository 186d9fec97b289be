"""One immutable generation of the index on disk, and how readers find the current one.

    data/index/CURRENT               name of the live generation (replaced atomically)
    data/index/<generation>/
        manifest.json                settings, doc id -> content hash, the segments in use
        files.json                   relative path -> size, mtime, content hash, doc id (what the scan saw)
        documents.json               the documents in order, and where each one's rows are
        segments/<name>/             the rows of the documents one build wrote, never changed afterwards:
            texts.db                 documents, chunks, sentences (SQLite; rows keyed by position)
            chunks.npy sentences.npy titles.npy   their vectors (titles: one per document)
            tokens.npy token_offsets.npy vocab.json   their chunks' BM25 tokens
        bm25/                        BM25 over all chunks (bm25s)
        background.npy, language_means.npy, kk_lexicon.json, kk_words.json

A build writes one new segment with the added and changed documents and hard-links the segments of the
others from the live generation, so its cost follows the change, not the knowledge; segments are merged
into one when too many rows in them are dead or there are too many of them. A generation is written in a
temporary folder, renamed into place, and only then named in CURRENT, so a reader always sees a complete
index and a crash mid-build leaves the previous one live.

A Snapshot keeps the vectors in numpy arrays and reads texts from SQLite row by row when asked: loading it
does not build an object per chunk or sentence.
"""

from __future__ import annotations

import errno
import json
import math
import os
import secrets
import shutil
import sqlite3
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import faiss
import numpy as np

from index.chunking import Chunk, Sentence
from index.documents import Document, FileRecord
from index.language import kazakh_word_counts, lexicon_from_counts
from index.lexical import LexicalIndex
from index.neutral import LANGS, QUERY, blend_neutralize
from index.tokens import TokenArrays, build_lexical, gather

FORMAT = 7
CURRENT = "CURRENT"
MAX_SEGMENTS = 8
MAX_DEAD_SHARE = 0.3  # merge the segments once this share of their rows belongs to no live document


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


def is_disk_full(exc: BaseException | None) -> bool:
    """ENOSPC/EDQUOT, SQLite's "database or disk is full", numpy's short write ("requested … written")."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        text = str(exc).lower()
        if isinstance(exc, sqlite3.OperationalError) and "disk is full" in text:
            return True
        if isinstance(exc, (OSError, RuntimeError)) and (("requested" in text and "written" in text)
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
    tokenizer: str = ""
    documents: dict[str, str] = field(default_factory=dict)  # doc id -> content hash
    segments: list[str] = field(default_factory=list)
    chunks: int = 0
    format: int = FORMAT

    @classmethod
    def read(cls, folder: Path) -> Manifest:
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


@dataclass
class NewRows:
    """What a build computed for its added and changed documents."""

    documents: list[Document]
    sentences: dict[str, list[Sentence]]  # doc id -> its sentences
    chunks: list[Chunk]  # grouped by document, in the order of ``documents``
    chunk_vectors: np.ndarray
    sentence_vectors: np.ndarray
    title_vectors: np.ndarray  # one per document, in the order of ``documents``


def index_root(data_dir: Path) -> Path:
    return Path(data_dir) / "index"


def current_generation(data_dir: Path) -> str | None:
    try:
        name = (index_root(data_dir) / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return name if name and (index_root(data_dir) / name / "manifest.json").exists() else None


def read_files(folder: Path) -> dict[str, FileRecord]:
    try:
        data = json.loads((folder / "files.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {rel: FileRecord(*values) for rel, values in data.items()}


# ----------------------------------------------------------------------------------------------- writing


def write_generation(
    data_dir: Path,
    manifest: Manifest,
    files: dict[str, FileRecord],
    order: list[str],
    new: NewRows,
    base: Snapshot | None,
    background_vectors: np.ndarray,
    language_means: np.ndarray,
) -> Path:
    """Write ``order`` (doc ids) as a new generation and make it live: the documents in ``new`` from their
    rows, every other one from the same rows in ``base``."""
    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    final = root / manifest.generation
    tmp = root / f".{manifest.generation}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        _write_files(tmp, manifest, files, order, new, base, background_vectors, language_means)
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
    files: dict[str, FileRecord],
    order: list[str],
    new: NewRows,
    base: Snapshot | None,
    background_vectors: np.ndarray,
    language_means: np.ndarray,
) -> None:
    (tmp / "segments").mkdir(parents=True)

    fresh = {d.id for d in new.documents}
    kept = [i for i in order if i not in fresh]
    if base is not None and kept:
        merged = _to_merge(base, kept)
        moved = [i for i in kept if base.layout[i].segment in merged]
        new, kept = _with_rows_of(new, base, moved), [i for i in kept if base.layout[i].segment not in merged]
    layout = {i: base.layout[i] for i in kept} if base is not None else {}
    segments = sorted({place.segment for place in layout.values()})
    if base is not None:  # without a base there is nothing to link
        for name in segments:
            _link_tree(base.folder / "segments" / name, tmp / "segments" / name)
    if new.documents:
        name = manifest.generation
        layout.update(_write_segment(tmp / "segments" / name, new))
        segments.append(name)
    manifest.segments = segments
    _write_json(tmp / "documents.json", [[i, *asdict(layout[i]).values()] for i in order])
    _write_json(tmp / "files.json", {rel: list(asdict(r).values()) for rel, r in files.items()})

    rows = _Rows([layout[i] for i in order], segments)
    manifest.chunks = len(rows.chunk_key)
    parts = []
    for s, name in enumerate(segments):
        tokens = TokenArrays.load(tmp / "segments" / name)
        parts.append((tokens, rows.chunk_rows_of(s, len(tokens.offsets) - 1)))
    build_lexical(*gather(parts)).save(tmp / "bm25")
    words = _kk_words(base, new, kept)
    _write_json(tmp / "kk_words.json", dict(words))
    _write_json(tmp / "kk_lexicon.json", lexicon_from_counts(words))
    np.save(tmp / "background.npy", np.asarray(background_vectors, dtype=np.float32).reshape(-1, manifest.dim))
    np.save(tmp / "language_means.npy", np.asarray(language_means, dtype=np.float32))
    _write_json(tmp / "manifest.json", asdict(manifest), indent=1)
    _fsync_tree(tmp)




def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def _live_bytes(root: Path) -> int:
    name = current_generation(root.parent)
    return folder_bytes(root / name) if name else 0


@dataclass(frozen=True)
class Place:
    """Where one document's rows are: segment name, then its first row and row count per table."""

    segment: str
    chunk: int
    chunks: int
    sentence: int
    sentences: int
    title: int  # the row of its title's vector
    family: str
    lang: str
    machine: bool  # a machine rendition: never the family's article in its language while a person's is
    home: bool  # about the bot's own subject


def _write_segment(folder: Path, new: NewRows) -> dict[str, Place]:
    import sqlite_utils  # only builds write; readers use sqlite3, and start faster without it

    folder.mkdir()
    sentences = [(d.id, s) for d in new.documents for s in new.sentences[d.id]]
    db = sqlite_utils.Database(folder / "texts.db")
    with db.conn:
        db.table("documents").insert_all(
            (asdict(d) | {"family": d.family} for d in new.documents), pk="id"
        )
        db.table("chunks").insert_all(
            ({"key": k, **{f: getattr(c, f) for f in _CHUNK_FIELDS}} for k, c in enumerate(new.chunks)), pk="key"
        )
        db.table("sentences").insert_all(
            ({"key": k, "doc_id": doc_id, "ordinal": s.ordinal, "paragraph": s.paragraph, "text": s.text}
             for k, (doc_id, s) in enumerate(sentences)),
            pk="key",
        )
    db.close()
    np.save(folder / "chunks.npy", np.asarray(new.chunk_vectors, dtype=np.float32))
    np.save(folder / "sentences.npy", np.asarray(new.sentence_vectors, dtype=np.float32))
    np.save(folder / "titles.npy", np.asarray(new.title_vectors, dtype=np.float32))
    TokenArrays.from_texts([c.text for c in new.chunks]).save(folder)

    chunk_counts = Counter(c.doc_id for c in new.chunks)
    layout, chunk, sentence = {}, 0, 0
    for title, d in enumerate(new.documents):
        n_chunks, n_sentences = chunk_counts[d.id], len(new.sentences[d.id])
        layout[d.id] = Place(folder.name, chunk, n_chunks, sentence, n_sentences, title, d.family, d.lang,
                          d.machine_translation, d.home)
        chunk, sentence = chunk + n_chunks, sentence + n_sentences
    return layout


_CHUNK_FIELDS = ("id", "doc_id", "ordinal", "text", "first_sentence", "last_sentence")


def _to_merge(base: Snapshot, kept: list[str]) -> set[str]:
    """Segments whose kept rows move into the new segment: those mostly dead, and all but the largest
    when there would be too many (so merging mostly rewrites the small, recent segments)."""
    live: Counter[str] = Counter()
    for i in kept:
        live[base.layout[i].segment] += base.layout[i].chunks
    merged = {name for name, total in base.segment_chunks.items() if live[name] < (1 - MAX_DEAD_SHARE) * total}
    if len(live.keys() - merged) + 1 > MAX_SEGMENTS:
        merged |= set(sorted(live.keys() - merged, key=lambda name: live[name])[:-1])
    return merged


def _with_rows_of(new: NewRows, base: Snapshot, kept: list[str]) -> NewRows:
    """``new`` plus the kept documents' rows read back from their segments in ``base``, to be written as one."""
    if not kept:
        return new
    documents, sentences, chunks = list(new.documents), dict(new.sentences), list(new.chunks)
    chunk_vectors, sentence_vectors, title_vectors = [new.chunk_vectors], [new.sentence_vectors], [new.title_vectors]
    for doc_id in kept:
        place = base.layout[doc_id]
        segment = base.segments[base.segment_index[place.segment]]
        documents.append(base.documents[doc_id])
        sentences[doc_id] = [Sentence(*row) for row in segment.query(
            "select ordinal, paragraph, text from sentences where key >= ? and key < ? order by key",
            (place.sentence, place.sentence + place.sentences))]
        chunks.extend(Chunk(**dict(zip(_CHUNK_FIELDS, row, strict=True)), embed_text="") for row in segment.query(
            f"select {', '.join(_CHUNK_FIELDS)} from chunks where key >= ? and key < ? order by key",
            (place.chunk, place.chunk + place.chunks)))
        chunk_vectors.append(segment.vectors("chunks")[place.chunk : place.chunk + place.chunks])
        sentence_vectors.append(segment.vectors("sentences")[place.sentence : place.sentence + place.sentences])
        title_vectors.append(segment.vectors("titles")[place.title : place.title + 1])
    return NewRows(documents, sentences, chunks, *map(np.concatenate, (chunk_vectors, sentence_vectors, title_vectors)))


def _kk_words(base: Snapshot | None, new: NewRows, kept: list[str]) -> Counter[str]:
    """Kazakh word counts over all documents: the base's, less its documents not kept, plus the new ones."""
    words: Counter[str] = Counter()
    if base is not None and kept:
        kept_set = set(kept)
        words = base.kk_words
        gone = [i for i, place in base.layout.items() if i not in kept_set and place.lang == "kk"]
        words -= kazakh_word_counts([_lexicon_text(base.documents[i]) for i in gone])
    return words + kazakh_word_counts([_lexicon_text(d) for d in new.documents if d.lang == "kk"])


def _lexicon_text(doc: Document) -> str:
    return doc.title + "\n" + doc.body


def _link_tree(source: Path, target: Path) -> None:
    """Hard links to a segment's files: no copy, and the segment lives as long as a generation uses it."""
    target.mkdir()
    for path in source.iterdir():
        os.link(path, target / path.name)


def _write_json(path: Path, data, indent: int | None = None) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=indent), encoding="utf-8")


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


def new_generation_name(now) -> str:
    return now.strftime("g%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)


# ----------------------------------------------------------------------------------------------- reading


class _Rows:
    """Global row numbers of chunks and sentences, given each document's place, in document order."""

    def __init__(self, places: list[Place], segments: list[str]):
        index = {name: s for s, name in enumerate(segments)}
        seg = np.fromiter((index[p.segment] for p in places), np.int32, len(places))
        self.chunk_segment, self.chunk_key, self.chunk_start = _expand(
            seg, [p.chunk for p in places], [p.chunks for p in places])
        self.sentence_segment, self.sentence_key, self.sentence_start = _expand(
            seg, [p.sentence for p in places], [p.sentences for p in places])

    def chunk_rows_of(self, segment: int, size: int) -> np.ndarray:
        """For each of the ``size`` chunk keys of ``segment``, its global row (-1: not in this generation)."""
        mine = np.flatnonzero(self.chunk_segment == segment)
        rows = np.full(size, -1, dtype=np.int64)
        rows[self.chunk_key[mine]] = mine
        return rows


def _expand(seg: np.ndarray, starts: list[int], counts: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    counts_a = np.asarray(counts, dtype=np.int64)
    first_row = np.concatenate([[0], np.cumsum(counts_a)[:-1]]) if len(counts_a) else counts_a
    segment = np.repeat(seg, counts_a)
    key = np.repeat(np.asarray(starts, dtype=np.int64) - first_row, counts_a) + np.arange(int(counts_a.sum()))
    return segment, key, first_row


class _Segment:
    def __init__(self, folder: Path):
        self.folder = folder
        # immutable=1: nothing writes a segment once it exists, so SQLite needs no locks to read it.
        uri = (folder / "texts.db").resolve().as_uri() + "?mode=ro&immutable=1"
        self.db = sqlite3.connect(uri, uri=True, check_same_thread=False)
        self.lock = threading.Lock()
        self._vectors: dict[str, np.ndarray] = {}

    def query(self, sql: str, args=()) -> list[tuple]:
        with self.lock:
            return self.db.execute(sql, args).fetchall()

    def vectors(self, table: str) -> np.ndarray:
        """All rows' vectors of ``table`` (chunks, sentences, titles), memory-mapped once (merges ask per document)."""
        if table not in self._vectors:
            self._vectors[table] = np.load(self.folder / f"{table}.npy", mmap_mode="r")
        return self._vectors[table]


class _Table(Sequence):
    """Rows of one kind (chunks or sentences) by global row number, read from the segments on demand."""

    def __init__(self, snapshot: Snapshot, segment: np.ndarray, key: np.ndarray, sql: str, make):
        self._snapshot, self._segment, self._key, self._sql, self._make = snapshot, segment, key, sql, make

    def __len__(self) -> int:
        return len(self._key)

    def __getitem__(self, row):
        if isinstance(row, slice):
            start, stop, step = row.indices(len(self))
            if step == 1:
                return list(self._read(start, stop))
            return [self[r] for r in range(start, stop, step)]
        row = int(row)
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        segment = self._snapshot.segments[int(self._segment[row])]
        key = int(self._key[row])
        (values,) = segment.query(self._sql + " where key = ?", (key,))
        return self._make(row, values)

    def __iter__(self) -> Iterator:
        return self._read(0, len(self))

    def _read(self, row: int, stop: int) -> Iterator:
        # One query per run of consecutive keys in one segment (a document at least), not one per row.
        while row < stop:
            seg, first = int(self._segment[row]), int(self._key[row])
            end = row + 1
            while end < min(stop, row + 2048) and self._segment[end] == seg and self._key[end] == first + (end - row):
                end += 1
            sql = self._sql + " where key between ? and ? order by key"
            for offset, values in enumerate(self._snapshot.segments[seg].query(sql, (first, first + end - row - 1))):
                yield self._make(row + offset, values)
            row = end


class _Documents(Mapping):
    """Doc id -> Document, read from its segment when asked (a few recent ones are kept)."""

    _KEEP = 256

    def __init__(self, snapshot: Snapshot):
        self._snapshot = snapshot
        self._recent: OrderedDict[str, Document] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._snapshot.layout)

    def __iter__(self) -> Iterator[str]:
        return iter(self._snapshot.layout)

    def __contains__(self, doc_id) -> bool:
        return doc_id in self._snapshot.layout

    def __getitem__(self, doc_id: str) -> Document:
        with self._lock:
            if doc_id in self._recent:
                self._recent.move_to_end(doc_id)
                return self._recent[doc_id]
        place = self._snapshot.layout[doc_id]
        segment = self._snapshot.segments[self._snapshot.segment_index[place.segment]]
        (values,) = segment.query(f"select {', '.join(_DOC_FIELDS)} from documents where id = ?", (doc_id,))
        doc = Document(*values)
        with self._lock:
            self._recent[doc_id] = doc
            while len(self._recent) > self._KEEP:
                self._recent.popitem(last=False)
        return doc


_DOC_FIELDS = tuple(Document.__dataclass_fields__)


class Snapshot:
    """A generation loaded for searching: vectors in memory, texts read from SQLite when needed."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.manifest = Manifest.read(folder)
        if self.manifest.format != FORMAT:
            raise IndexMissing(f"{folder} has index format {self.manifest.format}, not {FORMAT}: reindex.")
        entries = json.loads((folder / "documents.json").read_text(encoding="utf-8"))
        self.layout: dict[str, Place] = {e[0]: Place(*e[1:]) for e in entries}
        self.segment_index = {name: s for s, name in enumerate(self.manifest.segments)}
        self.segments = [_Segment(folder / "segments" / name) for name in self.manifest.segments]
        rows = _Rows(list(self.layout.values()), self.manifest.segments)
        self._rows = rows
        self._loaded: tuple | None = None
        self._chunk_families: np.ndarray | None = None
        self._load_lock = threading.Lock()
        self.segment_chunks = {  # all chunk rows of each segment, live or not
            name: len(segment.vectors("chunks"))
            for name, segment in zip(self.manifest.segments, self.segments, strict=True)
        }
        self.background_vectors = np.load(folder / "background.npy")
        self.language_means = np.load(folder / "language_means.npy")
        self.kk_lexicon: dict[str, str] = json.loads((folder / "kk_lexicon.json").read_text(encoding="utf-8"))

        self.chunks: Sequence[ChunkRow] = _Table(
            self, rows.chunk_segment, rows.chunk_key,
            f"select {', '.join(_CHUNK_FIELDS)} from chunks", lambda row, v: ChunkRow(row, *v),
        )
        self.sentences: Sequence[SentenceRow] = _Table(
            self, rows.sentence_segment, rows.sentence_key,
            "select doc_id, ordinal, paragraph, text from sentences", lambda row, v: SentenceRow(row, *v),
        )
        self.documents: Mapping[str, Document] = _Documents(self)
        self.sentence_rows: dict[str, range] = {}
        self.chunk_rows: dict[str, range] = {}
        self.renditions: dict[str, dict[str, str]] = {}
        self.languages: set[str] = set()  # of the articles
        self.home_families = {place.family for place in self.layout.values() if place.home}
        starts = zip(self.layout.items(), rows.chunk_start.tolist(), rows.sentence_start.tolist(), strict=True)
        for (doc_id, place), c0, s0 in starts:
            self.chunk_rows[doc_id] = range(c0, c0 + place.chunks)
            self.sentence_rows[doc_id] = range(s0, s0 + place.sentences)
            self.languages.add(place.lang)
            langs = self.renditions.setdefault(place.family, {})
            if not (place.machine and place.lang in langs):
                langs[place.lang] = doc_id

    @property
    def generation(self) -> str:
        return self.manifest.generation

    @property
    def chunk_families(self) -> np.ndarray:
        """The article family of every chunk row, without reading a row (search groups its hits by it)."""
        if self._chunk_families is None:
            places = list(self.layout.values())
            self._chunk_families = np.repeat(
                np.array([p.family for p in places], dtype=object), [p.chunks for p in places]
            )
        return self._chunk_families

    def query_vector(self, vector: np.ndarray, lang: str, shares: dict[str, float] | None = None) -> np.ndarray:
        """A question's embedding in the index's language-neutral space (see index/neutral.py); ``shares``
        (`index.language.language_shares`) blends the means of a question written in two languages."""
        blend = shares or {lang if lang in LANGS else "en": 1.0}
        return blend_neutralize(vector, blend, self.language_means, QUERY)

    # Vectors and BM25 load on first use: a build only needs them when it merges segments.
    @property
    def faiss(self) -> faiss.IndexFlatIP:
        return self._search_parts()[0]

    @property
    def sentence_vectors(self) -> np.ndarray:
        return self._search_parts()[1]

    @property
    def lexical(self) -> LexicalIndex:
        return self._search_parts()[2]

    @property
    def title_vectors(self) -> dict[str, np.ndarray]:
        """Each document's title, embedded as a passage in the language-neutral space."""
        return self._search_parts()[3]

    def _search_parts(self) -> tuple:
        with self._load_lock:
            if self._loaded is None:
                self._loaded = self._load_search_parts()
            return self._loaded

    def _load_search_parts(self) -> tuple:
        rows, dim = self._rows, self.manifest.dim
        flat = faiss.IndexFlatIP(dim)
        chunk_vectors = np.empty((len(rows.chunk_key), dim), dtype=np.float32)
        sentence_vectors = np.empty((len(rows.sentence_key), dim), dtype=np.float32)
        for s, segment in enumerate(self.segments):
            mine = np.flatnonzero(rows.chunk_segment == s)
            chunk_vectors[mine] = segment.vectors("chunks")[rows.chunk_key[mine]]
            mine = np.flatnonzero(rows.sentence_segment == s)
            sentence_vectors[mine] = segment.vectors("sentences")[rows.sentence_key[mine]]
        if len(chunk_vectors):
            flat.add(chunk_vectors)
        lexical = LexicalIndex.load(self.folder / "bm25", len(rows.chunk_key))
        titles = {doc_id: self.segments[self.segment_index[place.segment]].vectors("titles")[place.title]
                  for doc_id, place in self.layout.items()}
        return flat, sentence_vectors, lexical, titles

    @property
    def files(self) -> dict[str, FileRecord]:
        return read_files(self.folder)

    @property
    def kk_words(self) -> Counter[str]:
        return Counter(json.loads((self.folder / "kk_words.json").read_text(encoding="utf-8")))

    @classmethod
    def open_current(cls, data_dir: Path) -> Snapshot:
        name = current_generation(data_dir)
        if name is None:
            raise IndexMissing(f"No index in {index_root(data_dir)} yet: run `centre-bot reindex`.")
        return cls(index_root(data_dir) / name)
