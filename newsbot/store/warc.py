"""Raw responses as single gzipped WARC records (one blob per article row).

Why a blob per row rather than WARC files with offsets: the raw page then lives in the same
transaction as its record (no orphan or missing files after a crash, updates replace it in
place), it works unchanged on PostgreSQL where crawler processes share no filesystem, and the
blobs are still standard WARC: concatenating them gives a valid .warc.gz for other tools.
"""

from __future__ import annotations

import base64
import hashlib
import io
import random
import uuid
import zlib
from datetime import UTC, datetime
from functools import lru_cache
from types import ModuleType

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders

from newsbot.record import RawPage

_REASONS = {200: "OK", 203: "Non-Authoritative Information", 301: "Moved Permanently", 302: "Found", 404: "Not Found"}
# headers that describe the transfer, not the content we keep: the payload is stored decoded
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def _warc_date(fetched_at: str | None) -> str:
    return _fetch_date(fetched_at) if fetched_at else _format_date(None)


@lru_cache(maxsize=256)  # a crawl stores many pages fetched in the same second
def _fetch_date(fetched_at: str) -> str:
    return _format_date(fetched_at)


def _format_date(fetched_at: str | None) -> str:
    try:
        dt = datetime.fromisoformat(fetched_at) if fetched_at else datetime.now(UTC)
    except ValueError:
        dt = datetime.now(UTC)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# The stored records are gzip members either way (any gzip reader, warcio included, reads them). ISA-L's deflate
# (python-isal) writes them at a fifth of zlib's time: packing the raw page was the costliest step of a crawl's
# extraction worker and of a store write. On the corpus pages (229 KB of HTML on average), per page:
#   zlib level 3 (used without ISA-L)  1.50 ms, 23.2% of the page     (warcio's level 9: 4x the time, 20.8%)
#   ISA-L level 2                      0.27 ms, 24.4%                 (level 1: 0.26 ms, 24.7%; level 3: 0.52 ms)
_deflate: ModuleType  # zlib or ISA-L's: the same compress(data, level, wbits)
try:
    from isal import isal_zlib as _deflate

    GZIP_LEVEL = 2
except ImportError:  # a platform without ISA-L wheels (it is built for x86-64 and ARM64)
    _deflate = zlib
    GZIP_LEVEL = 3


def _header_value(value: object) -> str:
    # a header value holding CR/LF would end the header block early: fold it onto one line
    text = str(value)
    return " ".join(text.splitlines()) if "\r" in text or "\n" in text else text


def _record_id() -> uuid.UUID:
    # a random (version 4) UUID like uuid.uuid4(), from the process's PRNG: no urandom system call per record
    return uuid.UUID(int=random.getrandbits(128), version=4)


def _sha1_label(data: bytes, *more: bytes) -> bytes:
    digest = hashlib.sha1(data)
    for part in more:  # a digest of a concatenation, without copying the parts together
        digest.update(part)
    return b"sha1:" + base64.b32encode(digest.digest())


def _http_block(status: str, headers: list[tuple[str, str]]) -> bytes:
    """The HTTP status line and header block as warcio serialises it (StatusAndHeaders.to_ascii_bytes)."""
    lines = [f"HTTP/1.1 {status}\r\n", *(f"{k}: {v}\r\n" for k, v in headers), "\r\n"]
    text = "".join(lines)
    if text.isascii() and all(type(k) is str for k, _v in headers):  # the usual case: nothing to encode
        return text.encode("ascii")
    # warcio's own serialisation of the HTTP header block (percent-encodes non-ASCII values per RFC 8187)
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    try:
        return http.to_ascii_bytes()
    except UnicodeEncodeError:  # a value warcio's percent-encoding misses (non-ASCII around a ';'): raw UTF-8
        return http.to_bytes(encoding="utf-8")


def encode_raw(raw: RawPage) -> bytes:
    """One gzip-compressed WARC 'response' record holding the HTTP status, headers and body.

    The same record warcio's WARCWriter writes (same headers, digests, layout; warcio reads it back),
    written directly: building it through warcio's record builder cost more than the rest of a store write.
    """
    body = raw.body
    headers = [(k, _header_value(v)) for k, v in (raw.headers or {}).items() if k.lower() not in _TRANSFER_HEADERS]
    headers.append(("Content-Length", str(len(body))))
    http_block = _http_block(f"{raw.status} {_REASONS.get(raw.status, 'Unknown')}", headers)
    request = ""
    if raw.request_url and raw.request_url != raw.url:
        request = f"WARC-Newsbot-Request-URI: {_header_value(raw.request_url)}\r\n"
    head = (
        f"WARC/1.0\r\nWARC-Date: {_warc_date(raw.fetched_at)}\r\n{request}WARC-Type: response\r\n"
        f"WARC-Record-ID: <urn:uuid:{_record_id()}>\r\nWARC-Target-URI: {_header_value(raw.url)}\r\n"
    ).encode()
    data = b"".join((
        head,
        b"WARC-Payload-Digest: ", _sha1_label(body), b"\r\n",
        b"WARC-Block-Digest: ", _sha1_label(http_block, body), b"\r\n",
        b"Content-Type: application/http; msgtype=response\r\n",
        f"Content-Length: {len(http_block) + len(body)}\r\n\r\n".encode("ascii"),
        http_block, body, b"\r\n\r\n",
    ))
    # a window no larger than the record: same output, but zlib (the fallback) then allocates and dirties far less
    # memory for a small page than its 32 KB window and tables; ISA-L takes the same wbits, at the same speed
    window = max(9, min(zlib.MAX_WBITS, (len(data) - 1).bit_length()))
    return _deflate.compress(data, GZIP_LEVEL, wbits=window + 16)


def decode_raw(blob: bytes, fetched_at: str | None = None) -> RawPage:
    """The RawPage back from `encode_raw` output."""
    for record in ArchiveIterator(io.BytesIO(blob)):
        if record.rec_type != "response":
            continue
        http = record.http_headers
        status = int(http.get_statuscode() or 200) if http else 200
        headers = {k: v for k, v in http.headers if k.lower() != "content-length"} if http else {}
        body = record.content_stream().read()
        date = record.rec_headers.get_header("WARC-Date")
        return RawPage(
            url=record.rec_headers.get_header("WARC-Target-URI"),
            body=body,
            headers=headers,
            status=status,
            fetched_at=fetched_at or (date.replace("Z", "+00:00") if date else None),
            request_url=record.rec_headers.get_header("WARC-Newsbot-Request-URI"),
        )
    raise ValueError("no WARC response record in blob")
