"""Turning uploaded files and news pages into knowledge articles, and the URL safety checks."""

from __future__ import annotations

import http.server
import io
import re
import socket
import threading
import time
import zipfile
from pathlib import Path

import docx
import pytest

from index import ingest
from index.documents import parse_document
from index.ingest import IngestError, article_from_file, article_from_url, save_article

RU_BODY = (
    "Летняя школа ASEM LLL Hub по непрерывному образованию пройдёт в Астане с 7 по 11 июля 2026 года. "
    "В ней примут участие сорок преподавателей из пяти стран Центральной Азии.\n\n"
    "Занятия проведут эксперты университетов Европы и Азии."
)
NEWS_HTML = """<html><head><title>Site | News</title>
<meta property="og:title" content="A winter school on micro-credentials opens in Almaty">
<meta property="og:site_name" content="Test News"><meta name="date" content="2026-01-15"></head>
<body><nav>Home | About | Contacts</nav><article><h1>A winter school on micro-credentials opens in Almaty</h1>
<p>ALMATY. A winter school on micro-credentials for university staff opened in Almaty on Monday, bringing
together sixty participants from Kazakhstan, Kyrgyzstan and Uzbekistan.</p>
<p>The school is run by the ASEM LLL Hub Central Asia Regional Centre together with partner universities
from Europe and Asia, and lasts five days.</p></article><footer>(c) 2026 Test News</footer></body></html>"""


def make_docx(title: str | None, paragraphs: list[str]) -> bytes:
    document = docx.Document()
    if title:
        document.add_heading(title, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_pdf(lines: list[str]) -> bytes:
    """A minimal one-page PDF with Helvetica text (ASCII), as a PDF writer would make it."""
    content = "BT /F1 12 Tf 72 720 Td 14 TL " + " ".join(f"({line}) Tj T*" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


# ------------------------------------------------------------------------------------ files


def test_docx_becomes_an_article_with_detected_language(tmp_path):
    data = make_docx("Летняя школа по непрерывному образованию в Астане", RU_BODY.split("\n\n"))
    article = article_from_file("новость.docx", data)
    assert article.title == "Летняя школа по непрерывному образованию в Астане"
    assert article.lang == "ru" and article.id.startswith("letnyaya-shkola-po-nepreryvnomu-obrazovaniyu")
    assert article.body.startswith("Летняя школа ASEM LLL Hub") and "\n\n" in article.body
    path = save_article(article, tmp_path)
    doc = parse_document(path, path.read_bytes())  # exactly what the indexer will read
    assert (doc.id, doc.title, doc.lang, doc.date) == (article.id, article.title, "ru", article.date)


def test_markdown_front_matter_is_kept_including_translation_of():
    text = ("---\nid: summer-school-kk\ntitle: \"Жазғы мектеп: Астана\"\nlang: kk\ndate: 2026-05-01\n"
            "translation_of: summer-school-ru\n---\n"
            "ASEM LLL Hub жазғы мектебі 2026 жылғы шілдеде Астанада өтеді. Оған Орталық Азияның бес елінен "
            "қырық оқытушы қатысады.\n")
    article = article_from_file("any-name.md", text.encode())
    assert (article.id, article.title, article.lang, article.date, article.translation_of) == (
        "summer-school-kk", "Жазғы мектеп: Астана", "kk", "2026-05-01", "summer-school-ru")


def test_markdown_without_front_matter_and_txt_with_a_date_line():
    md = article_from_file("n.md", ("# A winter school in Almaty\n\n" + "Sixty participants " * 8).encode())
    assert md.title == "A winter school in Almaty" and md.lang == "en"
    text = "date 2025-12-01 Орталық Азия өңірлік орталығы\n" + "Орталық жұмысын бастады. " * 6
    txt = article_from_file("n.txt", text.encode())
    assert txt.date == "2025-12-01" and txt.title == "Орталық Азия өңірлік орталығы" and txt.lang == "kk"


def test_pdf_text_is_extracted_and_lines_unwrapped():
    pdf = make_pdf(["Winter school on micro-credentials", "",
                    "A winter school for university staff opened in Almaty on Monday with sixty",
                    "participants from three countries of Central Asia.", "It lasts five days."])
    article = article_from_file("school.pdf", pdf)
    assert article.title == "Winter school on micro-credentials"
    assert "Monday with sixty participants from three countries" in article.body
    assert article.lang == "en"


@pytest.mark.parametrize(
    ("name", "data", "key"),
    [
        ("virus.exe", b"MZ", "ingest_bad_type"),
        ("noext", b"text", "ingest_bad_type"),
        ("latin1.txt", "Título\n".encode("latin-1") + b"\xe9" * 200, "ingest_not_text"),
        ("binary.md", b"\x00\x01" * 100, "ingest_not_text"),
        ("short.txt", b"Title\nToo short.", "ingest_no_text"),
        ("broken.pdf", b"%PDF-1.4 garbage", "ingest_bad_file"),
        ("broken.docx", b"PK\x03\x04 not really a zip", "ingest_bad_file"),
        ("scan.pdf", make_pdf([]), "ingest_no_text"),
    ],
)
def test_files_that_cannot_be_added_say_why(name, data, key):
    with pytest.raises(IngestError) as caught:
        article_from_file(name, data)
    assert caught.value.key == key


def _docx_with_body(xml_body: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(make_docx("Title", ["A paragraph."])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "word/document.xml":
                head, _, _ = data.partition(b"<w:body>")
                data = head + b"<w:body>" + xml_body + b"</w:body></w:document>"
            archive.writestr(info.filename, data)
    return out.getvalue()


def test_a_docx_that_unpacks_to_too_much_is_refused_quickly():
    many = _docx_with_body(b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * 100_000)
    huge = _docx_with_body(b"<w:p><w:r><w:t>" + b"word " * 6_000_000 + b"</w:t></w:r></w:p>")
    assert len(many) < 100_000 and len(huge) < 100_000
    started = time.monotonic()
    for data, key in ((many, "ingest_docx_too_many_paragraphs"), (huge, "ingest_docx_too_big")):
        with pytest.raises(IngestError) as caught:
            article_from_file("a.docx", data)
        assert caught.value.key == key
    assert time.monotonic() - started < 5


def test_a_docx_with_many_paragraphs_within_the_limit_is_read_in_seconds():
    data = _docx_with_body(b"<w:p><w:r><w:t>Paragraph text.</w:t></w:r></w:p>" * 10_000)
    started = time.monotonic()
    article = article_from_file("a.docx", data)
    assert article.body.count("Paragraph text.") == 9_999 and time.monotonic() - started < 15


def test_size_is_checked_before_downloading():
    assert ingest.check_upload("a.PDF", 1000) == ".pdf"
    with pytest.raises(IngestError) as caught:
        ingest.check_upload("big.docx", ingest.MAX_UPLOAD_BYTES + 1)
    assert caught.value.key == "ingest_too_big" and caught.value.values["limit"] == "10.0 MB"


def test_saving_validates_and_never_overwrites(tmp_path):
    article = article_from_file("n.md", ("# A winter school in Almaty\n\n" + "Sixty participants came. " * 8).encode())
    first_id = article.id
    save_article(article, tmp_path)
    with pytest.raises(IngestError) as caught:
        save_article(article, tmp_path)
    assert caught.value.key == "ingest_exists"
    article.id, article.lang = "other-id", "de"
    with pytest.raises(IngestError) as caught:
        save_article(article, tmp_path)
    assert caught.value.key == "ingest_invalid" and "unknown language" in caught.value.values["error"]
    from bot.telegram.admin import ingest_text

    russian = ingest_text(caught.value, "ru")
    assert "неизвестный язык" in russian.lower() and "unknown" not in russian, russian
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{first_id}.md"]  # nothing else written
    for skipped_by_the_indexer in ("_draft", ".hidden", "README"):
        article.id, article.lang = skipped_by_the_indexer, "en"
        with pytest.raises(IngestError) as caught:
            save_article(article, tmp_path)
        assert caught.value.key == "ingest_invalid"


def test_duplicates_are_found_by_id_url_or_text(tmp_path):
    article = article_from_file("n.md", ("# Title\n\n" + "Sixty participants came. " * 8).encode())
    path = save_article(article, tmp_path)
    existing = [parse_document(path, path.read_bytes())]
    same_text = article_from_file("m.md", ("# Other title\n\n" + "Sixty  participants came. " * 8).encode())
    assert ingest.find_duplicate(same_text, existing).id == article.id
    different = article_from_file("k.md", ("# Other\n\n" + "Forty participants left. " * 8).encode())
    assert ingest.find_duplicate(different, existing) is None


# ------------------------------------------------------------------------------------ URLs


class _Site:
    """A tiny web server on a loopback address; records the paths it was asked for."""

    def __init__(self, host: str = "127.0.0.1"):
        site = self
        self.requests: list[str] = []
        self.redirect_to: str | None = None

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                site.requests.append(self.path)
                if self.path == "/redirect" and site.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", site.redirect_to)
                    self.end_headers()
                elif self.path == "/loop":
                    self.send_response(301)
                    self.send_header("Location", "/loop")
                    self.end_headers()
                elif self.path == "/big":
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html")
                    self.end_headers()
                    self.wfile.write(b"<p>" + b"x" * (ingest.MAX_PAGE_BYTES + 10))
                elif self.path == "/drip":
                    body = NEWS_HTML.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    try:
                        for i in range(min(len(body), 60)):
                            self.wfile.write(body[i:i + 1])
                            self.wfile.flush()
                            time.sleep(0.1)
                    except OSError:  # the client gave up
                        pass
                elif self.path == "/file.zip":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/zip")
                    self.end_headers()
                    self.wfile.write(b"PK")
                elif self.path == "/news":
                    body = NEWS_HTML.encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                else:
                    self.send_response(404)
                    self.end_headers()

        self.server = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://{host}:{self.server.server_address[1]}"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def site():
    server = _Site()
    yield server
    server.close()


def test_news_page_is_extracted_when_private_addresses_are_allowed(site):
    article = article_from_url(site.url + "/news", allow_private=True)
    assert article.title == "A winter school on micro-credentials opens in Almaty"
    assert article.date == "2026-01-15" and article.source == "Test News" and article.lang == "en"
    assert article.url == site.url + "/news"
    assert article.body.startswith("ALMATY. A winter school") and "Home | About" not in article.body


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "http://localhost:9/x", "http://[::1]:9/",
                                 "http://10.1.2.3/", "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/",
                                 "http://100.100.100.200/latest/meta-data/", "http://[2002:7f00:1::]/",
                                 "http://[fec0::1]/", "http://[64:ff9b::a00:1]/", "http://[64:ff9b::7f00:1]/",
                                 "http://[64:ff9b::a9fe:a9fe]/", "http://[64:ff9b:1::808:808]/"])
def test_private_and_loopback_addresses_are_refused_before_any_request(url, site):
    with pytest.raises(IngestError) as caught:
        article_from_url(url, allow_private=False)
    assert caught.value.key == "ingest_private_url"
    with pytest.raises(IngestError):
        article_from_url(site.url + "/news", allow_private=False)
    assert site.requests == []


def test_nat64_addresses_are_judged_by_the_ipv4_address_they_embed():
    assert ingest._blocked("64:ff9b::a00:1") and ingest._blocked("64:ff9b::c0a8:101")
    assert not ingest._blocked("64:ff9b::808:808")  # 8.8.8.8 through the well-known NAT64 prefix


def test_a_redirect_to_a_private_address_is_refused(site, monkeypatch):
    inner = _Site("127.0.0.2")  # plays an intranet server
    try:
        site.redirect_to = inner.url + "/news"
        monkeypatch.setattr(ingest, "_blocked", lambda address: address == "127.0.0.2")  # .1 plays "public"
        with pytest.raises(IngestError) as caught:
            article_from_url(site.url + "/redirect", allow_private=False)
        assert caught.value.key == "ingest_private_url" and caught.value.values["address"] == "127.0.0.2"
        assert site.requests == ["/redirect"] and inner.requests == []
        site.redirect_to = "/news"  # a redirect within the public site is followed
        assert article_from_url(site.url + "/redirect", allow_private=False).url == site.url + "/news"
    finally:
        inner.close()


def test_dns_answer_changing_after_the_check_cannot_reach_a_private_address(site, monkeypatch):
    port = int(site.url.rsplit(":", 1)[1])
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34", "127.0.0.1"])  # first the check, then the connection (rebinding)

    def fake_getaddrinfo(host, *args, **kwargs):
        if host == "news.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (next(answers), port))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    with pytest.raises(IngestError) as caught:
        article_from_url(f"http://news.example:{port}/news", allow_private=False)
    assert caught.value.key == "ingest_private_url" and caught.value.values["address"] == "127.0.0.1"
    assert site.requests == []


@pytest.mark.parametrize(("path", "key"), [("/missing", "ingest_http_status"), ("/loop", "ingest_too_many_redirects"),
                                           ("/big", "ingest_page_too_big"), ("/file.zip", "ingest_not_html")])
def test_unusable_pages_say_why(site, path, key):
    with pytest.raises(IngestError) as caught:
        article_from_url(site.url + path, allow_private=True)
    assert caught.value.key == key


def test_a_page_that_drips_is_given_up_on_at_the_total_deadline(site):
    started = time.monotonic()
    with pytest.raises(IngestError) as caught:
        ingest.fetch_page(site.url + "/drip", allow_private=True, timeout=1.0)
    assert caught.value.key == "ingest_too_slow" and time.monotonic() - started < 2.0


def test_bad_links_and_unknown_hosts():
    for url in ("ftp://example.org/x", "http://user:pw@example.org/", "https://"):
        with pytest.raises(IngestError) as caught:
            article_from_url(url, allow_private=True)
        assert caught.value.key == "ingest_bad_url"
    with pytest.raises(IngestError) as caught:
        article_from_url("http://no-such-host.invalid/", allow_private=True)
    assert caught.value.key == "ingest_unresolvable"
    assert ingest.normalise_url(" <kaz.inform.kz/news/1> ") == "https://kaz.inform.kz/news/1"


def test_refusal_texts_exist_in_every_language():
    from bot.messages import LANGS, TEXTS

    source = Path(ingest.__file__).read_text(encoding="utf-8")
    keys = set(re.findall(r'IngestError\(\s*"(\w+)"', source))
    assert keys and all(key in TEXTS and set(TEXTS[key]) >= set(LANGS) for key in keys), keys - set(TEXTS)


def test_an_extractor_failure_on_a_page_is_a_refusal_not_a_crash(monkeypatch):
    import trafilatura

    def broken(*args, **kwargs):
        raise ValueError("lxml could not parse it")

    monkeypatch.setattr(trafilatura, "bare_extraction", broken)
    with pytest.raises(IngestError) as caught:
        ingest.article_from_page("https://example.org/news/1", NEWS_HTML.encode())
    assert caught.value.key == "ingest_bad_page" and "lxml" in caught.value.values["error"]


HUNGRY_TXT = ("Заголовок\n" + "слово " * 800_000).encode()  # 9 MB: fine at 1 GB, not at 150 MB


def test_the_upload_worker_reads_within_its_limits_and_is_stopped_past_them():
    many = _docx_with_body(b"<w:p><w:r><w:t>a paragraph of text</w:t></w:r></w:p>" * 19_000)
    assert ingest.article_from_file_isolated("many.docx", many, 60).body.count("\n\n") > 18_000
    assert ingest.article_from_file_isolated("big.txt", HUNGRY_TXT, 60).title == "Заголовок"
    with pytest.raises(IngestError) as caught:
        ingest.article_from_file_isolated("big.txt", HUNGRY_TXT, 60, memory=150 * 1024 * 1024)
    assert caught.value.key == "ingest_too_much_memory"
    started = time.monotonic()
    with pytest.raises(IngestError) as caught:
        ingest.article_from_file_isolated("many.docx", many, 0.05)
    assert caught.value.key == "ingest_took_too_long" and time.monotonic() - started < 2.0
    with pytest.raises(IngestError) as caught:  # refusals inside the worker arrive as themselves
        ingest.article_from_file_isolated("broken.pdf", b"%PDF-1.4 garbage", 60)
    assert caught.value.key == "ingest_bad_file"
