"""An uploaded file (.md, .txt, .pdf, .docx) or a news page URL -> a knowledge article on disk.

No Telegram here. Errors a person can hit are IngestError(key, **values): ``key`` names a message in
bot.messages.TEXTS, so the bot can explain them in the admin's language.

Fetching a URL never reaches private, loopback, link-local, reserved or multicast addresses unless the
operator allows it: every address the host resolves to is checked before each request (redirects are
followed by hand, each hop checked), and the connection itself is made only to an address that passed
the check, so a DNS answer that changes between the check and the connect (rebinding) gets nowhere.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import ipaddress
import multiprocessing
import os
import re
import resource
import socket
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import yaml

from index.documents import (
    MAX_FILE_BYTES,
    BadDocument,
    Document,
    decode_text,
    is_knowledge_file,
    parse_document,
    read_fields,
)
from index.language import detect_language
from index.text import error_text, one_line

FILE_TYPES = (".md", ".txt", ".pdf", ".docx")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024  # Telegram lets bots download up to 20 MB; articles are far smaller
MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_DOCX_UNPACKED = 20 * 1024 * 1024  # all parts of a .docx unpacked; the article itself is at most 2 MB
MAX_DOCX_PARAGRAPHS = 20_000
MAX_PARSE_MEMORY = 1024 * 1024 * 1024  # address space of the worker that reads one upload
MAX_REDIRECTS = 5
FETCH_TIMEOUT = 20.0  # seconds for the whole fetch, redirects included
READ_STALL = 5.0  # seconds one read may wait
MIN_TEXT_CHARS = 80
MAX_TITLE_CHARS = 300
USER_AGENT = "centre-bot/0.1 (+knowledge import for the ASEM LLL Hub Central Asia Regional Centre)"
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TRANSLIT = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі",
    ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r", "s", "t",
     "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya", "a", "g", "q", "n", "o", "u",
     "u", "h", "i"],
    strict=True,
))


class IngestError(Exception):
    """A problem the admin can fix; ``key`` is a bot.messages text, ``values`` fill it in."""

    def __init__(self, key: str, **values):
        super().__init__(f"{key} {values}" if values else key)
        self.key = key
        self.values = values


@dataclass
class Article:
    id: str
    title: str
    lang: str
    body: str
    date: str
    source: str = ""
    url: str = ""
    translation_of: str = ""

    def to_markdown(self) -> str:
        meta = {"id": self.id, "title": self.title, "date": self.date, "lang": self.lang,
                "source": self.source, "url": self.url}
        if self.translation_of:
            meta["translation_of"] = self.translation_of
        head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=100_000)
        return f"---\n{head}---\n{self.body.strip()}\n"


# ------------------------------------------------------------------------------------ ids and text

def slugify(text: str, max_len: int = 48) -> str:
    out = []
    for ch in text.lower():
        if ch in _TRANSLIT:
            out.append(_TRANSLIT[ch])
        elif ch.isascii() and ch.isalnum():
            out.append(ch)
        else:
            out.append("-")
    slug = re.sub(r"-+", "-", "".join(out)).strip("-")
    return slug[:max_len].rstrip("-")


def make_id(title: str, body: str) -> str:
    """Readable and stable: the title's slug plus a short hash of the text."""
    digest = hashlib.sha256(one_line(body).encode("utf-8")).hexdigest()[:6]
    return f"{slugify(title) or 'article'}-{digest}"


def _clean_title(title: str) -> str:
    title = one_line(title).lstrip("#").strip()
    return title[:MAX_TITLE_CHARS]


def _paragraphs(lines: list[str]) -> str:
    """Lines -> paragraphs separated by blank lines (the knowledge format)."""
    paras: list[str] = []
    current: list[str] = []
    for line in lines:
        line = line.strip()
        if not line:
            if current:
                paras.append(" ".join(current))
                current = []
            continue
        current.append(line)
    if current:
        paras.append(" ".join(current))
    return "\n\n".join(paras)


def _today() -> str:
    return dt.date.today().isoformat()


def _language(title: str, body: str) -> str:
    return detect_language(f"{title}\n{body[:3000]}").lang


def _finish(
    title: str, body: str, *, date: str = "", source: str = "", url: str = "", meta: dict | None = None
) -> Article:
    meta = meta or {}
    title = _clean_title(str(meta.get("title") or title))
    body = body.strip()
    if len(one_line(body)) < MIN_TEXT_CHARS:
        raise IngestError("ingest_no_text", chars=len(one_line(body)), minimum=MIN_TEXT_CHARS)
    if not title:
        title = _clean_title(body.split("\n", 1)[0])[:120]
    lang = str(meta.get("lang") or "").strip().lower() or _language(title, body)
    return Article(
        id=str(meta.get("id") or "").strip() or make_id(title, body),
        title=title,
        lang=lang,
        body=body,
        date=str(meta.get("date") or date or _today())[:10],
        source=str(meta.get("source") or source).strip(),
        url=str(meta.get("url") or url).strip(),
        translation_of=str(meta.get("translation_of") or "").strip(),
    )


# ------------------------------------------------------------------------------------ files

def check_upload(file_name: str | None, size: int | None) -> str:
    """Type and size check before downloading; returns the suffix."""
    suffix = Path(file_name or "").suffix.lower()
    if suffix not in FILE_TYPES:
        raise IngestError("ingest_bad_type", ext=suffix or "?", allowed=", ".join(FILE_TYPES))
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise IngestError("ingest_too_big", size=_mb(size), limit=_mb(MAX_UPLOAD_BYTES))
    return suffix


def article_from_file(file_name: str, data: bytes) -> Article:
    suffix = check_upload(file_name, len(data))
    stem = Path(file_name).stem
    if suffix == ".pdf":
        return _from_pdf(stem, data)
    if suffix == ".docx":
        return _from_docx(stem, data)
    try:
        text = decode_text(data)
    except BadDocument:
        raise IngestError("ingest_not_text") from None
    try:
        meta, body = read_fields(text, suffix)  # as the indexer reads it
    except BadDocument as exc:
        raise _invalid(exc) from None
    if suffix == ".md" and not meta.get("title"):  # no title field: the first line is the title
        first, _, body = body.lstrip("\n").partition("\n")
        meta = {**meta, "title": first}
    return _finish("", _paragraphs(body.split("\n")), meta=meta)


def article_from_file_isolated(file_name: str, data: bytes, seconds: float, memory: int | None = None) -> Article:
    """article_from_file in a fresh worker process limited to ``memory`` bytes (MAX_PARSE_MEMORY) and
    ``seconds``, killed past either: a hostile document costs that worker, never the bot. Blocks: run it in a
    thread."""
    memory = memory or MAX_PARSE_MEMORY
    # spawn, not fork: forking a process with threads (asyncio, the HTTP pool) can deadlock the child.
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_parse_in_worker, args=(sender, file_name, data, memory), daemon=True)
    deadline = time.monotonic() + seconds
    worker.start()
    sender.close()
    try:
        if not receiver.poll(max(0.0, deadline - time.monotonic())):
            raise IngestError("ingest_took_too_long", seconds=f"{seconds:g}")
        try:
            outcome, value = receiver.recv()
        except EOFError:  # died without a word: killed by a C library running out of memory, or a crash
            raise IngestError("ingest_too_much_memory", limit=_mb(memory), error="worker died") from None
    finally:
        worker.kill()
        worker.join()
        receiver.close()
    if outcome == "article":
        return value
    if outcome == "memory":
        raise IngestError("ingest_too_much_memory", limit=_mb(memory))
    key, values = value
    raise IngestError(key, **values)


def _parse_in_worker(sender, file_name: str, data: bytes, memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    result: tuple[str, object]
    try:
        result = ("article", article_from_file(file_name, data))
    except IngestError as exc:  # sent as plain values: IngestError's keyword arguments do not pickle
        result = ("refused", (exc.key, exc.values))
    except MemoryError:
        result = ("memory", None)
    sender.send(result)
    sender.close()


def _from_pdf(stem: str, data: bytes) -> Article:
    import pypdf

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise IngestError("ingest_pdf_locked")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many types for broken files
        raise IngestError("ingest_bad_file", error=error_text(exc, 200, kind=True)) from None
    raw = [line.strip() for line in "\n".join(pages).split("\n")]
    first = next((i for i, line in enumerate(raw) if line), None)
    title = _clean_title(str(meta_title))
    if first is not None and (not title or title.lower() in {stem.lower(), "untitled"}):
        # A headline sits on its own visual line and has no full stop: take it before unwrapping.
        title = raw[first]
        raw = raw[first + 1:]
    elif first is not None and one_line(raw[first]) == title:
        raw = raw[first + 1:]
    return _finish(title, _paragraphs(_unwrap_pdf_lines(raw)))


def _unwrap_pdf_lines(lines: list[str]) -> list[str]:
    """PDF text comes as visual lines: join those that continue a sentence, keep paragraph ends."""
    out: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            out.append("")
            continue
        if out and out[-1] and not re.search(r"[.!?:;»\"”)]$", out[-1]):
            if out[-1].endswith("-") and line[:1].islower():
                out[-1] = out[-1][:-1] + line
            else:
                out[-1] = f"{out[-1]} {line}"
            continue
        if out and out[-1]:
            out.append("")  # the previous line ended a sentence: a paragraph break is likely
        out.append(line)
    return out


def _check_docx_size(data: bytes) -> None:
    """A .docx is a zip: a small upload can unpack to gigabytes, or to so many paragraphs that python-docx
    takes minutes and gigabytes over it. Measured from the zip directory and the raw XML, before parsing."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_DOCX_UNPACKED:
                raise IngestError("ingest_docx_too_big", size=_mb(unpacked), limit=_mb(MAX_DOCX_UNPACKED))
            with archive.open("word/document.xml") as member:
                xml = member.read(MAX_DOCX_UNPACKED + 1)
    except (zipfile.BadZipFile, KeyError, OSError, EOFError) as exc:
        raise IngestError("ingest_bad_file", error=error_text(exc, 200, kind=True)) from None
    if len(xml) > MAX_DOCX_UNPACKED:
        raise IngestError("ingest_docx_too_big", size=f"> {_mb(MAX_DOCX_UNPACKED)}", limit=_mb(MAX_DOCX_UNPACKED))
    paragraphs = xml.count(b"<w:p>") + xml.count(b"<w:p ")
    if paragraphs > MAX_DOCX_PARAGRAPHS:
        raise IngestError("ingest_docx_too_many_paragraphs", count=f"{paragraphs:,}", limit=f"{MAX_DOCX_PARAGRAPHS:,}")


def _from_docx(stem: str, data: bytes) -> Article:
    import docx

    _check_docx_size(data)
    try:
        document = docx.Document(io.BytesIO(data))
        # Only the first paragraphs' styles are needed (the title); python-docx looks each one up slowly.
        found = [(p, text) for p in document.paragraphs if (text := p.text.strip())]
        paragraphs = [(p.style.name if i < 3 and p.style is not None else "", text)
                      for i, (p, text) in enumerate(found)]
        title = _clean_title(document.core_properties.title or "")
    except Exception as exc:  # noqa: BLE001 - python-docx raises many types for broken files
        raise IngestError("ingest_bad_file", error=error_text(exc, 200, kind=True)) from None
    if not title and paragraphs:
        headed = [i for i, (style, _) in enumerate(paragraphs[:3]) if style.startswith(("Title", "Heading"))]
        index = headed[0] if headed else 0
        title = paragraphs[index][1]
        del paragraphs[index]
    return _finish(title, "\n\n".join(text for _, text in paragraphs))


# ------------------------------------------------------------------------------------ URLs

_NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the IPv4 address is the last 32 bits
# RFC 8215 local-use NAT64 prefix: not globally reachable (IANA), though Python 3.11 calls it global.
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


def _blocked(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip in _NAT64_LOCAL:
        return True
    if isinstance(ip, ipaddress.IPv6Address) and ip in _NAT64:
        ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv6Address) and ip.sixtofour is not None:
        ip = ip.sixtofour
    if isinstance(ip, ipaddress.IPv6Address) and ip.teredo is not None:
        ip = ip.teredo[1]
    # Only publicly routable addresses: this also refuses carrier-grade NAT (100.64/10, cloud metadata).
    return not ip.is_global or ip.is_multicast or getattr(ip, "is_site_local", False)


def vetted_addresses(host: str, port: int, allow_private: bool) -> list[str]:
    """Every address ``host`` resolves to, after checking them all (one bad address refuses the host)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise IngestError("ingest_unresolvable", host=host) from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))  # str already for IPv4 and IPv6
    if not addresses:
        raise IngestError("ingest_unresolvable", host=host)
    if not allow_private:
        for address in addresses:
            if _blocked(address):
                raise IngestError("ingest_private_url", host=host, address=address)
    return addresses


def _guarded_transport(allow_private: bool):
    import httpcore
    import httpx

    class GuardedBackend(httpcore.SyncBackend):
        def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
            error: Exception | None = None
            for address in vetted_addresses(host, port, allow_private):
                try:
                    return super().connect_tcp(address, port, timeout, local_address, socket_options)
                except httpcore.ConnectError as exc:
                    error = exc
            raise error  # type: ignore[misc]

    class GuardedTransport(httpx.HTTPTransport):
        def __init__(self):
            super().__init__(trust_env=False, retries=0)
            # httpx has no public hook for the network backend: swap in a pool that connects through ours.
            # TLS still verifies the certificate and sends SNI for the host name, not the address.
            self._pool = httpcore.ConnectionPool(
                ssl_context=httpx.create_ssl_context(trust_env=False),
                network_backend=GuardedBackend(),
                max_connections=4,
            )

    return GuardedTransport()


def _check_url(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise IngestError("ingest_bad_url", url=url[:200])
    if parts.username or parts.password:
        raise IngestError("ingest_bad_url", url=url[:200])
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise IngestError("ingest_bad_url", url=url[:200]) from None
    return parts.scheme, parts.hostname, port


_HOST_LIKE = re.compile(r"^[\w-]+(\.[\w-]+)+(:\d+)?([/?#].*)?$")


def looks_like_url(text: str) -> bool:
    """One token that is a link or at least a host name with a dot ("kaz.inform.kz/news/1"), not words."""
    text = text.strip().strip("<>")
    return bool(text) and len(text.split()) == 1 and ("://" in text or bool(_HOST_LIKE.match(text)))


def normalise_url(url: str) -> str:
    url = url.strip().strip("<>")
    if url and "://" not in url:
        url = "https://" + url
    return url


def fetch_page(url: str, allow_private: bool, max_bytes: int = MAX_PAGE_BYTES,
               timeout: float = FETCH_TIMEOUT) -> tuple[str, bytes, str]:
    """GET a page: (final URL, body, content type). Redirects are followed here, each hop checked."""
    import httpx

    url = normalise_url(url)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5"}
    # httpx's timeouts are per read: a server dripping a byte a second never trips them. The whole fetch
    # gets ``timeout`` seconds; single reads get at most READ_STALL, so the deadline is seen in time.
    deadline = time.monotonic() + timeout

    def remaining() -> float:
        left = deadline - time.monotonic()
        if left <= 0:
            raise IngestError("ingest_too_slow", seconds=f"{timeout:g}")
        return left

    try:
        with httpx.Client(transport=_guarded_transport(allow_private), follow_redirects=False,
                          headers=headers) as client:
            for _ in range(MAX_REDIRECTS + 1):
                _, host, port = _check_url(url)
                vetted_addresses(host, port, allow_private)
                left = remaining()
                with client.stream("GET", url, timeout=httpx.Timeout(min(left, READ_STALL),
                                                                     connect=min(left, 10.0))) as response:
                    if response.is_redirect:
                        location = response.headers.get("location", "")
                        if not location:
                            raise IngestError("ingest_http_status", status=response.status_code)
                        url = urljoin(str(response.url), location)
                        continue
                    if response.status_code >= 400:
                        raise IngestError("ingest_http_status", status=response.status_code)
                    ctype = response.headers.get("content-type", "").split(";")[0].strip().lower()
                    if ctype and ctype not in _HTML_TYPES and ctype != "text/plain":
                        raise IngestError("ingest_not_html", type=ctype)
                    declared = response.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise IngestError("ingest_page_too_big", limit=_mb(max_bytes))
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > max_bytes:
                            raise IngestError("ingest_page_too_big", limit=_mb(max_bytes))
                        remaining()
                    return str(response.url), bytes(body), ctype or "text/html"
            raise IngestError("ingest_too_many_redirects", limit=MAX_REDIRECTS)
    except httpx.TimeoutException:
        raise IngestError("ingest_too_slow", seconds=f"{timeout:g}") from None
    except httpx.HTTPError as exc:
        raise IngestError("ingest_fetch_failed", error=error_text(exc, 200, kind=True)) from None


def article_from_page(url: str, body: bytes, content_type: str = "text/html") -> Article:
    host = urlsplit(url).hostname or ""
    if content_type == "text/plain":
        text = body.decode("utf-8", "replace")
        first, _, rest = text.lstrip().partition("\n")
        return _finish(first, _paragraphs(rest.split("\n")), source=host, url=url)
    try:
        import trafilatura
    except ImportError as exc:  # the operator's install is incomplete: say what to install
        raise IngestError("ingest_extractor_missing", error=error_text(exc, 200)) from None
    try:
        doc = trafilatura.bare_extraction(body, url=url, with_metadata=True, include_comments=False,
                                          include_tables=False, favor_precision=True)
    except Exception as exc:  # noqa: BLE001 - trafilatura and lxml raise many types for odd pages
        raise IngestError("ingest_bad_page", error=error_text(exc, 200, kind=True)) from None
    assert not isinstance(doc, dict)  # a dict only with as_dict=True
    text = (doc.text if doc is not None else "") or ""
    if doc is None or not text.strip():
        raise IngestError("ingest_no_article")
    title = _clean_title(doc.title or "")
    lines = text.split("\n")
    if lines and title and one_line(lines[0]) == title:
        lines = lines[1:]  # trafilatura repeats the headline as the first line
    date = ""
    if doc.date:
        try:
            date = dt.date.fromisoformat(str(doc.date)[:10]).isoformat()
        except ValueError:
            date = ""
    source = (doc.sitename or "").strip() or host
    return _finish(title, "\n\n".join(line.strip() for line in lines if line.strip()),
                   date=date, source=source, url=url)


def article_from_url(url: str, allow_private: bool) -> Article:
    final_url, body, ctype = fetch_page(url, allow_private)
    return article_from_page(final_url, body, ctype)


# ------------------------------------------------------------------------------------ saving

def find_duplicate(article: Article, documents: list[Document]) -> Document | None:
    body = one_line(article.body)
    for doc in documents:
        if doc.id == article.id:
            return doc
        if article.url and doc.url and doc.url.rstrip("/") == article.url.rstrip("/") and doc.lang == article.lang:
            return doc
        if one_line(doc.body) == body:
            return doc
    return None


def save_article(article: Article, knowledge_dir: Path) -> Path:
    """Validate like the indexer will, then write <id>.md atomically (never over an existing file)."""
    knowledge_dir = Path(knowledge_dir)
    knowledge_dir.mkdir(parents=True, exist_ok=True)
    path = knowledge_dir / f"{article.id}.md"
    if not is_knowledge_file(path):
        raise IngestError("ingest_invalid", error=f"the id {article.id!r} names a file the indexer skips: use an id "
                          "that does not start with '.' or '_', is not README and is shorter than 250 characters")
    data = article.to_markdown().encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise IngestError("ingest_text_too_long", size=_mb(len(data)), limit=_mb(MAX_FILE_BYTES))
    try:
        parse_document(path, data)
    except BadDocument as exc:
        raise _invalid(exc) from None
    if path.exists():
        raise IngestError("ingest_exists", id=article.id)
    tmp = knowledge_dir / f".{article.id}.md.tmp"  # dot files are ignored by the indexer
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def _invalid(exc: BadDocument) -> IngestError:
    """The indexer's reason, which the admin reads in their language (bot.telegram.admin.ingest_text)."""
    return IngestError("ingest_invalid", error=str(exc), problem=exc.key, problem_values=exc.values)


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"
