"""WARC files for the archive tests, written with warcio's WARCWriter from pages the tests make.

`ArchiveBuilder` adds responses (HTML pages, redirects, 404s, images), non-HTTP records (warcinfo, request,
metadata) and broken records (a truncated gzip member, a Content-Length that lies), and remembers which
URLs an archive run should keep. Arabic article pages come from tests/support/sitegen.py.
"""

from __future__ import annotations

import gzip
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.support.sitegen import generate_site

BASE = "https://news.example"
BASE_EN = "https://other.example"
ENGLISH_PARAGRAPH = (
    "The city council met on Tuesday to discuss the new budget for public transport, and members agreed that "
    "the bus network needs more frequent services in the evening as well as new routes to the suburbs. "
)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


def english_page(title: str) -> bytes:
    paras = "".join(f"<p>{ENGLISH_PARAGRAPH * 2}</p>" for _ in range(5))
    return (f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title></head><body>"
            f"<article><h1>{title}</h1>{paras}</article></body></html>").encode()


def arabic_pages(root: Path, n: int, seed: int = 0) -> list[tuple[str, bytes]]:
    """(URL, page bytes) of n generated Arabic article pages."""
    spec = generate_site(root, n, seed=seed, page_kb=(8, 16), variants=False, non_articles=False)
    out = []
    for path in spec.articles:
        f = root / path.lstrip("/")
        f = f if f.is_file() else f / "index.html"
        out.append((BASE + path, f.read_bytes().replace(b"{{BASE}}", BASE.encode())))
    return out


def _uri(url: str) -> str:
    return quote(url, safe=":/?#[]@!$&'()*+,;=%~")


@dataclass
class ArchiveBuilder:
    path: Path
    gzip: bool = True
    kept: list[str] = field(default_factory=list)  # URLs an archive run should store, in file order
    _buf: io.BytesIO = field(default_factory=io.BytesIO)

    def __post_init__(self) -> None:
        self._writer = WARCWriter(self._buf, gzip=self.gzip)
        self._writer.write_record(self._writer.create_warcinfo_record(self.path.name, {"software": "newsbot tests"}))

    def _record(self, url: str, rec_type: str, payload: bytes, http: StatusAndHeaders | None,
                date: str | None = None, content_type: str | None = None) -> bytes:
        buf = io.BytesIO()
        writer = WARCWriter(buf, gzip=self.gzip)
        headers = {"WARC-Date": date} if date else None
        rec = writer.create_warc_record(_uri(url), rec_type, payload=io.BytesIO(payload), http_headers=http,
                                        warc_headers_dict=headers, warc_content_type=content_type)
        writer.write_record(rec)
        return buf.getvalue()

    def response(self, url: str, body: bytes, *, status: str = "200 OK", ctype: str = "text/html; charset=utf-8",
                 headers: list[tuple[str, str]] | None = None, date: str | None = None, kept: bool = False) -> None:
        http = StatusAndHeaders(status, [("Content-Type", ctype), *(headers or [])], protocol="HTTP/1.1")
        self._buf.write(self._record(url, "response", body, http, date))
        if kept:
            self.kept.append(url)

    def article(self, url: str, body: bytes, **kw) -> None:
        self.response(url, body, kept=True, **kw)

    def redirect(self, url: str, to: str) -> None:
        self.response(url, b"", status="301 Moved Permanently", headers=[("Location", to)])

    def not_found(self, url: str) -> None:
        self.response(url, b"<html><body>Not found</body></html>", status="404 Not Found")

    def image(self, url: str) -> None:
        self.response(url, PNG, ctype="image/png")

    def request(self, url: str) -> None:
        http = StatusAndHeaders(f"GET {url} HTTP/1.1", [("Host", "news.example")], is_http_request=True)
        self._buf.write(self._record(url, "request", b"", http))

    def metadata(self, url: str) -> None:
        self._buf.write(self._record(url, "metadata", b"fetchTimeMs: 12\r\n", None, content_type="application/warc-fields"))

    def truncated(self, url: str, body: bytes) -> None:
        """A response record cut in the middle (a download that stopped), followed by more records."""
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        data = self._record(url, "response", body, http)
        self._buf.write(data[: len(data) // 2])

    def lying_length(self, url: str, body: bytes, delta: int) -> None:
        """A response whose WARC Content-Length claims `delta` bytes more (or fewer) than the record holds."""
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        plain = io.BytesIO()
        WARCWriter(plain, gzip=False).write_record(
            WARCWriter(plain, gzip=False).create_warc_record(_uri(url), "response", payload=io.BytesIO(body),
                                                             http_headers=http))
        raw = plain.getvalue()
        m = re.search(rb"Content-Length: (\d+)\r\n\r\nHTTP", raw)
        assert m is not None, "warcio writes the record's Content-Length before its HTTP block"
        raw = raw[: m.start(1)] + str(int(m.group(1)) + delta).encode() + raw[m.end(1):]
        self._buf.write(gzip.compress(raw) if self.gzip else raw)

    def write(self, *, whole_file_gzip: bool = False) -> Path:
        data = self._buf.getvalue()
        if whole_file_gzip:
            data = gzip.compress(data)
        self.path.write_bytes(data)
        return self.path


def mixed_archive(path: Path, pages: list[tuple[str, bytes]]) -> ArchiveBuilder:
    """Arabic articles among everything an archive also holds, broken records included."""
    b = ArchiveBuilder(path)
    (u0, p0), (u1, p1), (u2, p2), (u3, p3), (u4, p4) = pages[:5]
    b.request(u0)
    b.article(u0, p0)
    b.metadata(u0)
    b.response(BASE_EN + "/council-budget", english_page("Council budget"))
    b.redirect(BASE_EN + "/old", u0)
    b.not_found(BASE_EN + "/gone")
    b.image(BASE_EN + "/logo.png")
    b.response(BASE_EN + "/huge", b"<html><body>" + "نص عربي طويل جدا ".encode() * 8000 + b"</body></html>")
    b.truncated(BASE_EN + "/cut", p1)
    b.article(u1, p1)  # after the broken member: still comes out
    b.lying_length(u2, p2, +400)  # claims more than it holds
    b.article(u3, p3)
    b.lying_length(BASE_EN + "/short", p4, -200)  # claims less
    b.article(u4, p4)
    return b


def _arc_record(url: str, date: str, ctype: str, block: bytes) -> bytes:
    return f"{url} 93.184.216.34 {date} {ctype} {len(block)}\n".encode() + block + b"\n"


def write_arc(path: Path, pages: list[tuple[str, bytes]], *, gzipped: bool = True) -> Path:
    """An ARC (version 1) file of these pages, the format of the older web archives (gzip per record)."""
    version = b"1 0 newsbot-tests\nURL IP-address Archive-date Content-type Archive-length\n"
    records = [_arc_record(f"filedesc://{path.name}", "20240101000000", "text/plain", version)]
    for url, body in pages:
        http = (b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\n\r\n" + body)
        records.append(_arc_record(_uri(url), "20240102030405", "text/html", http))
    path.write_bytes(b"".join(gzip.compress(r) if gzipped else r for r in records))
    return path
