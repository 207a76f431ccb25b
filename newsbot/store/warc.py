"""Raw responses as single gzipped WARC records (one blob per article row).

Why a blob per row rather than WARC files with offsets: the raw page then lives in the same
transaction as its record (no orphan or missing files after a crash, updates replace it in
place), it works unchanged on PostgreSQL where crawler processes share no filesystem, and the
blobs are still standard WARC: concatenating them gives a valid .warc.gz for other tools.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsbot.record import RawPage

_REASONS = {200: "OK", 203: "Non-Authoritative Information", 301: "Moved Permanently", 302: "Found", 404: "Not Found"}
# headers that describe the transfer, not the content we keep: the payload is stored decoded
_TRANSFER_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


def _warc_date(fetched_at: str | None) -> str:
    try:
        dt = datetime.fromisoformat(fetched_at) if fetched_at else datetime.now(UTC)
    except ValueError:
        dt = datetime.now(UTC)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def encode_raw(raw: RawPage) -> bytes:
    """One gzip-compressed WARC 'response' record holding the HTTP status, headers and body."""
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True)
    headers = [(k, str(v)) for k, v in (raw.headers or {}).items() if k.lower() not in _TRANSFER_HEADERS]
    headers.append(("Content-Length", str(len(raw.body))))
    status = f"{raw.status} {_REASONS.get(raw.status, 'Unknown')}"
    http_headers = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    warc_headers = {"WARC-Date": _warc_date(raw.fetched_at)}
    if raw.request_url and raw.request_url != raw.url:
        warc_headers["WARC-Newsbot-Request-URI"] = raw.request_url
    record = writer.create_warc_record(
        raw.url,
        "response",
        payload=io.BytesIO(raw.body),
        length=len(raw.body),
        http_headers=http_headers,
        warc_headers_dict=warc_headers,
    )
    writer.write_record(record)
    return buf.getvalue()


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
