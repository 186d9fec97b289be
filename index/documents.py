"""Knowledge files -> validated documents.

A knowledge folder holds Markdown files with YAML front matter (id, title, date, lang, source, url,
optional translation_of and home; machine_translation and source_hash on a rendition the bot had a model make) and
plain .txt files (first line = title, optionally "date YYYY-MM-DD <title>" as in the Kazinform seeds).
Bad files are reported, never fatal: the rest is still indexed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from index.text import error_text

LANGUAGES = ("kk", "ru", "en")
SUFFIXES = (".md", ".markdown", ".txt")
MAX_FILE_BYTES = 2_000_000
# A file changed this close to a scan may change again within the file system's timestamp granularity
# keeping its size and mtime (git's "racy clean" problem): its record is not trusted, it is re-hashed.
RACY_NS = 2_000_000_000
_TXT_DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\s+(.+)$")
_ID_OK = re.compile(r"^[\w.-]+$")


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    lang: str
    body: str
    date: str = ""
    source: str = ""
    url: str = ""
    translation_of: str = ""
    path: str = ""
    content_hash: str = ""
    machine_translation: bool = False
    source_hash: str = ""  # a machine rendition's: the content hash of the original it was made from
    home: bool = False  # about the bot's own subject (the centre): what a question naming nothing else is about

    @property
    def family(self) -> str:
        """Id shared by an article and all its renditions."""
        return self.translation_of or self.id


def families(docs: Iterable[Document]) -> dict[str, list[Document]]:
    """Documents grouped by family, each family's in id order (families in the order of their first id)."""
    grouped: dict[str, list[Document]] = {}
    for doc in sorted(docs, key=lambda d: d.id):
        grouped.setdefault(doc.family, []).append(doc)
    return grouped


def choose_rendition(family: Iterable[Document], lang: str | None = None, fallback: Document | None = None) -> Document:
    """Which article of a family to show: the one in ``lang`` if there is one (a person's before a machine
    rendition), else ``fallback``, else the original when it is there, else the first by id."""
    docs = sorted(family, key=lambda d: (d.machine_translation, d.id))
    in_lang = next((d for d in docs if d.lang == lang), None)
    return in_lang or fallback or next((d for d in docs if d.id == d.family), docs[0])


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str  # in English, for the command line and the log
    key: str = ""  # names the reason for translation (bot.messages "doc_<key>"), filled in by ``values``
    values: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class FileRecord:
    """What a scan learnt about one good knowledge file, so the next scan can skip reading it."""

    size: int
    mtime_ns: int  # -1: changed too recently to trust (see RACY_NS)
    content_hash: str
    doc_id: str


@dataclass
class Scan:
    documents: list[Document] = field(default_factory=list)  # with records: only the files that were parsed
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, FileRecord] = field(default_factory=dict)  # relative path -> record, good files in order

    @property
    def hashes(self) -> dict[str, str]:
        """Doc id -> content hash of every good document, parsed or not."""
        return {r.doc_id: r.content_hash for r in self.files.values()}


class BadDocument(ValueError):
    def __init__(self, reason: str, key: str = "", **values: object):
        super().__init__(reason)
        self.key = key
        self.values = tuple((name, str(value)) for name, value in values.items())


def _problem(path, exc: BadDocument) -> Problem:
    return Problem(str(path), str(exc), exc.key, exc.values)


def file_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_knowledge_file(path: Path) -> bool:
    """Articles by name: hidden and underscore files (drafts, temporaries) and READMEs are not."""
    return (
        path.suffix.lower() in SUFFIXES and not path.name.startswith((".", "_"))
        and path.name.lower() != "readme.md" and len(path.name.encode("utf-8")) <= 255
    )


def knowledge_files(folder: Path) -> list[Path]:
    """Every article file under ``folder``, sorted; like rglob, symlinked folders are not entered."""
    found: list[Path] = []
    pending = [str(folder)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.is_file() and is_knowledge_file(Path(entry.name)):
                    found.append(Path(entry.path))
    return sorted(found)


def unfollowed_links(folder: Path) -> list[Problem]:
    """Symbolic links the scan cannot use: to a folder (not followed) or to nothing (broken)."""
    problems = []
    for path in sorted(Path(folder).rglob("*")):
        if not path.is_symlink():
            continue
        if path.is_dir():
            problems.append(Problem(str(path), "a link to a folder, which is not read: move or copy the folder "
                                               "itself into the knowledge folder", "link_folder"))
        elif not path.exists() and is_knowledge_file(path):
            target = os.readlink(path)
            problems.append(Problem(str(path), f"a link to {target}, which does not exist", "link_missing",
                                    (("target", target),)))
    return problems


def parse_document(path: Path, data: bytes) -> Document:
    if len(data) > MAX_FILE_BYTES:
        raise BadDocument(f"file is too large ({len(data):,} bytes; the limit is {MAX_FILE_BYTES:,})", "too_large",
                          size=f"{len(data):,}", limit=f"{MAX_FILE_BYTES:,}")
    meta, body = read_fields(decode_text(data), path.suffix)
    doc_id = str(meta.get("id") or path.stem).strip()
    if not _ID_OK.match(doc_id):
        raise BadDocument(f"id {doc_id!r} may only contain letters, digits, '.', '_' and '-'", "bad_id", id=doc_id)
    lang = str(meta.get("lang") or "").strip().lower()
    if not lang:
        from index.language import detect_language  # local: only plain files without lang need it

        lang = detect_language(body).lang
    if lang not in LANGUAGES:
        raise BadDocument(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}", "unknown_lang", lang=lang)
    body = body.strip()
    if not body:
        raise BadDocument("the article has no text", "no_text")
    title = str(meta.get("title") or "").strip() or doc_id
    return Document(
        id=doc_id,
        title=title,
        lang=lang,
        body=body,
        date=_date_text(meta.get("date")),
        source=str(meta.get("source") or "").strip(),
        url=str(meta.get("url") or "").strip(),
        translation_of=str(meta.get("translation_of") or "").strip(),
        path=str(path),
        content_hash=file_hash(data),
        machine_translation=_flag(meta.get("machine_translation"), "machine_translation"),
        source_hash=str(meta.get("source_hash") or "").strip(),
        home=_flag(meta.get("home"), "home"),
    )


def _flag(value, name: str) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text not in ("true", "false", "yes", "no", ""):
        raise BadDocument(f"{name} {value!r} is not true or false", "bad_flag", name=name, value=value)
    return text in ("true", "yes")


def decode_text(data: bytes) -> str:
    """An article file's text: UTF-8 (a BOM dropped), newlines as \\n; BadDocument for anything else."""
    if b"\x00" in data:
        raise BadDocument("binary content, not text", "binary")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadDocument(f"not UTF-8 text ({exc.reason} at byte {exc.start})", "not_utf8") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_fields(text: str, suffix: str) -> tuple[dict, str]:
    """(fields, body) of an article's text: a .txt file's first line ("<title>" or "date YYYY-MM-DD <title>"),
    otherwise Markdown's YAML front matter. The one parser of both the indexer and uploads (index.ingest)."""
    return _parse_txt(text) if suffix.lower() == ".txt" else _parse_markdown(text)


@lru_cache(maxsize=1)
def _front_matter_handler():
    """A python-frontmatter handler with safe YAML without anchors and aliases (a few hundred bytes of
    aliases expand to gigabytes), and with dates kept as text, so that an impossible date is this file's
    named problem, checked by _date_text. Built on first use: `ask` mostly starts without yaml."""
    import frontmatter
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent, index):
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise BadDocument("broken front matter: anchors and aliases (& and *) are not allowed", "aliases")
            return super().compose_node(parent, index)

    Loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    class Handler(frontmatter.YAMLHandler):
        def load(self, fm: str, **kwargs):
            return yaml.load(fm, Loader=Loader)

    return Handler()


def _parse_markdown(text: str) -> tuple[dict, str]:
    import frontmatter  # only files that changed are parsed: `ask` mostly starts without these
    import yaml

    try:
        post = frontmatter.loads(text, handler=_front_matter_handler())
    except BadDocument:
        raise
    except yaml.YAMLError as exc:
        detail = error_text(exc)
        raise BadDocument(f"broken front matter: {detail}", "front_matter", detail=detail) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value YAML cannot build, e.g. !!float 'abc'
        detail = error_text(exc)
        raise BadDocument(f"broken front matter: {detail}", "front_matter", detail=detail) from None
    if text.lstrip().startswith("---") and not post.metadata:
        raise BadDocument("broken front matter: the '---' block is not closed or holds no fields", "unclosed")
    if not isinstance(post.metadata, dict):
        raise BadDocument("broken front matter: expected 'key: value' fields", "not_fields")
    return post.metadata, post.content


def _parse_txt(text: str) -> tuple[dict, str]:
    first, _, rest = text.lstrip("\n").partition("\n")
    meta: dict = {}
    match = _TXT_DATE_LINE.match(first)
    if match:
        meta["date"], meta["title"] = match.group(1), match.group(2).strip()
    else:
        meta["title"] = first.strip()
    return meta, rest


def _date_text(value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise BadDocument(f"date {text!r} is not YYYY-MM-DD", "bad_date", date=text) from None


def scan_knowledge(folder: Path, known: dict[str, FileRecord] | None = None) -> Scan:
    """Parse the knowledge folder. With ``known`` (the records of an earlier scan), a file whose size and
    mtime match its record is not read, and one whose content hash matches is not parsed: those documents
    are only in ``scan.files``, not in ``scan.documents``."""
    folder = Path(folder)
    scan = Scan()
    if not folder.is_dir():
        scan.problems.append(Problem(str(folder), "knowledge folder does not exist"))
        return scan
    known = known or {}
    recent = time.time_ns() - RACY_NS
    seen: dict[str, str] = {}
    scan.problems.extend(unfollowed_links(folder))
    for path in knowledge_files(folder):
        rel = path.relative_to(folder).as_posix()
        try:
            stat = path.stat()
            record = known.get(rel)
            if record is None or (record.size, record.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
                data = path.read_bytes()
                digest = file_hash(data)
                if record is None or record.content_hash != digest:
                    doc = parse_document(path, data)
                    record = FileRecord(0, 0, doc.content_hash, doc.id)
                else:
                    doc = None
                mtime = stat.st_mtime_ns if stat.st_mtime_ns < recent else -1
                record = FileRecord(len(data), mtime, record.content_hash, record.doc_id)
            else:
                doc = None
        except BadDocument as exc:
            scan.problems.append(_problem(path, exc))
            continue
        except OSError as exc:
            scan.problems.append(Problem(str(path), str(exc), "unreadable"))
            continue
        except Exception as exc:  # noqa: BLE001 - one odd file must never stop the scan of the others
            scan.problems.append(Problem(str(path), f"cannot be read ({error_text(exc, kind=True)})"[:300],
                                         "unreadable"))
            continue
        if record.doc_id in seen:
            scan.problems.append(Problem(str(path), f"id {record.doc_id!r} is already used by {seen[record.doc_id]}",
                                         "duplicate_id",
                                         (("id", record.doc_id), ("other", Path(seen[record.doc_id]).name))))
            continue
        seen[record.doc_id] = str(path)
        scan.files[rel] = record
        if doc is not None:
            scan.documents.append(doc)
    return scan
