"""Knowledge files -> validated documents.

A knowledge folder holds Markdown files with YAML front matter (id, title, date, lang, source, url,
optional translation_of) and plain .txt files (first line = title, optionally "date YYYY-MM-DD <title>"
as in the Kazinform seeds). Bad files are reported, never fatal: the rest is still indexed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import frontmatter
import yaml

LANGUAGES = ("kk", "ru", "en")
SUFFIXES = (".md", ".markdown", ".txt")
MAX_FILE_BYTES = 2_000_000
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

    @property
    def family(self) -> str:
        """Id shared by an article and all its renditions."""
        return self.translation_of or self.id


@dataclass(frozen=True)
class Problem:
    path: str
    reason: str  # in English, for the command line and the log
    key: str = ""  # names the reason for translation (bot.messages "doc_<key>"), filled in by ``values``
    values: tuple[tuple[str, str], ...] = ()

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class Scan:
    documents: list[Document] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


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
    return sorted(p for p in Path(folder).rglob("*") if p.is_file() and is_knowledge_file(p))


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
    if b"\x00" in data:
        raise BadDocument("binary content, not text", "binary")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadDocument(f"not UTF-8 text ({exc.reason} at byte {exc.start})", "not_utf8") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if path.suffix.lower() == ".txt":
        meta, body = _parse_txt(text)
    else:
        meta, body = _parse_markdown(text)
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
    )


class _FrontMatterLoader(yaml.SafeLoader):
    """Safe YAML without anchors and aliases (a few hundred bytes of aliases expand to gigabytes), and with
    dates kept as text, so that an impossible date is this file's named problem, checked by _date_text."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise BadDocument("broken front matter: anchors and aliases (& and *) are not allowed", "aliases")
        return super().compose_node(parent, index)


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class _FrontMatter(frontmatter.YAMLHandler):
    def load(self, fm: str, **kwargs):
        return yaml.load(fm, Loader=_FrontMatterLoader)


def _parse_markdown(text: str) -> tuple[dict, str]:
    try:
        post = frontmatter.loads(text, handler=_FrontMatter())
    except BadDocument:
        raise
    except yaml.YAMLError as exc:
        detail = str(exc).splitlines()[0]
        raise BadDocument(f"broken front matter: {detail}", "front_matter", detail=detail) from None
    except (ValueError, TypeError, OverflowError) as exc:  # a value YAML cannot build, e.g. !!float 'abc'
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
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


def scan_knowledge(folder: Path) -> Scan:
    folder = Path(folder)
    scan = Scan()
    if not folder.is_dir():
        scan.problems.append(Problem(str(folder), "knowledge folder does not exist"))
        return scan
    seen: dict[str, str] = {}
    scan.problems.extend(unfollowed_links(folder))
    for path in knowledge_files(folder):
        try:
            doc = parse_document(path, path.read_bytes())
        except BadDocument as exc:
            scan.problems.append(_problem(path, exc))
            continue
        except OSError as exc:
            scan.problems.append(Problem(str(path), str(exc), "unreadable"))
            continue
        except Exception as exc:  # noqa: BLE001 - one odd file must never stop the scan of the others
            scan.problems.append(Problem(str(path), f"cannot be read ({type(exc).__name__}: {exc})"[:300],
                                         "unreadable"))
            continue
        if doc.id in seen:
            scan.problems.append(Problem(str(path), f"id {doc.id!r} is already used by {seen[doc.id]}", "duplicate_id",
                                         (("id", doc.id), ("other", Path(seen[doc.id]).name))))
            continue
        seen[doc.id] = str(path)
        scan.documents.append(doc)
    return scan
