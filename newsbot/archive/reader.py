"""Reading WARC/ARC files record by record with warcio, in bounded memory, through broken records.

warcio does the parsing (WARC and ARC, gzip per record, chunked and compressed HTTP payloads). What this
module adds is what a corpus run over archives it did not write needs:

- where a record cannot be read (a truncated gzip member, garbage, headers that do not parse) warcio's
  iterator ends; here the reader finds the next record start (the next gzip member that opens with
  `WARC/`, or the next `WARC/` line of an uncompressed file), reports the bytes in between as one skipped
  record, and goes on from there;
- a Content-Length that claims more than the record holds, or less (warcio then only prints a warning), marks
  the record skipped instead of handing on a cut or overlong page;
- a payload is read up to a cap: a larger record is skipped (warcio skips its bytes as a stream);
- a file compressed as one gzip stream (not per record, which warcio refuses) is read as a stream; its
  offsets are then positions in the uncompressed stream, so a resumed run reads its way back (no seeking).

Every record comes out as an `Entry`, kept or with the reason it was skipped, so that the caller can count
everything; `keep` is asked about each response's headers before its payload is read (cheap filters).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

GZIP_MAGIC = b"\x1f\x8b\x08"
RECORD_STARTS = (b"WARC/", b"filedesc://")  # a WARC record, an ARC file header
SCAN_BLOCK = 1 << 20
_NON_CHUNKED = "non-chunked gzip"
_RESYNC = {"truncated-record", "content-length-mismatch"}


class NotAnArchive(ValueError):
    """The file is not a WARC or ARC file (plain or gzipped): nothing in it is read."""


@dataclass
class Entry:
    """One record of an archive file: its place, its WARC and HTTP headers, the payload unless skipped."""

    offset: int  # where the record starts (in the file; in the uncompressed stream for whole-file gzip)
    length: int
    index: int  # records before it in the file
    rec_type: str = ""
    url: str | None = None
    date: str | None = None  # WARC-Date
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    payload: bytes | None = None
    skip: str | None = None  # why the record is not used (None: it is)
    streamed: bool = False  # read from a whole-file gzip: offset is in the uncompressed stream

    @property
    def end(self) -> int:
        return self.offset + self.length


def sniff(path: str) -> str:
    """'gzip' or 'plain', or NotAnArchive with the reason."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(65536)
    except IsADirectoryError:
        raise NotAnArchive("is a directory") from None
    if not head:
        raise NotAnArchive("empty file")
    kind = "plain"
    text = head.lstrip(b"\r\n")
    if head.startswith(GZIP_MAGIC[:2]):
        kind = "gzip"
        unzip = zlib.decompressobj(31)
        try:
            text = unzip.decompress(head)
        except zlib.error:
            raise NotAnArchive("gzip data that does not decompress") from None
        # a first gzip member holding a second record: the file is one gzip stream, not a member per record
        if re.search(rb"\r?\n(?:WARC/1\.\d|filedesc://)", text[5:]):
            kind = "gzip-stream"
        text = text.lstrip(b"\r\n")
    if not text.startswith(RECORD_STARTS):
        raise NotAnArchive("not a WARC or ARC file (it does not start with a WARC record)")
    return kind


def _is_record_start(fh: io.BufferedReader, at: int, kind: str) -> bool:
    fh.seek(at)
    head = fh.read(256)
    if kind == "gzip":
        try:
            head = zlib.decompressobj(31).decompress(head, 16)
        except zlib.error:
            return False
    return head.startswith(RECORD_STARTS)


def _blank_run(fh: io.BufferedReader, at: int) -> int:
    fh.seek(at)
    head = fh.read(64)
    return len(head) - len(head.lstrip(b"\r\n"))


def next_record_start(fh: io.BufferedReader, after: int, kind: str) -> int | None:
    """The offset of the first record start past `after` (a gzip member or a WARC line), or None."""
    needle = GZIP_MAGIC if kind == "gzip" else b"\nWARC/"
    shift = 0 if kind == "gzip" else 1
    pos = after + 1
    while True:
        fh.seek(pos)
        block = fh.read(SCAN_BLOCK + len(needle))
        if len(block) < len(needle):
            return None
        at = block.find(needle)
        while at >= 0:
            if _is_record_start(fh, pos + at + shift, kind):
                return pos + at + shift
            at = block.find(needle, at + 1)
        pos += SCAN_BLOCK


def _read_capped(stream: io.RawIOBase, cap: int) -> bytes | None:
    """The whole stream, or None once it exceeds cap bytes (what was read is dropped: memory stays bounded)."""
    parts: list[bytes] = []
    size = 0
    while True:
        part = stream.read(min(1 << 16, cap + 1 - size))
        if not part:
            return b"".join(parts)
        parts.append(part)
        size += len(part)
        if size > cap:
            return None


Keep = Callable[[Entry], "str | None"]


def iter_entries(path: str, *, start: int = 0, skip_records: int = 0, first_index: int = 0, cap: int = 8 << 20,
                 keep: Keep | None = None, kind: str | None = None) -> Iterator[Entry]:
    """Every record of the file from byte `start` (a record start that a previous run reported; its index is
    `first_index`), or, for a file gzipped as one stream, from the start skipping `skip_records` records.
    Raises NotAnArchive up front."""
    kind = kind or sniff(path)
    # warcio writes its warning about a bad Content-Length to stderr: the reader reports it as a skip instead
    with contextlib.redirect_stderr(io.StringIO()):
        if kind == "gzip-stream" or skip_records:
            yield from _stream(path, skip_records, cap, keep)
            return
        with open(path, "rb") as fh:
            try:
                yield from _seekable(fh, kind, start, first_index, cap, keep)
            except _WholeFileGzip as exc:  # a first record too large for sniff() to see the second one
                yield from _stream(path, exc.index, cap, keep)


class _WholeFileGzip(Exception):
    def __init__(self, index: int):
        self.index = index  # records already handed on


def _seekable(fh: io.BufferedReader, kind: str, start: int, index: int, cap: int,
              keep: Keep | None) -> Iterator[Entry]:
    pos = start
    while True:
        fh.seek(pos)
        it = ArchiveIterator(fh, arc2warc=True)
        failed = cut = False
        try:
            for entry in _entries(it, index, cap, keep):
                index = entry.index + 1
                pos = entry.end
                if entry.skip in _RESYNC:
                    # a cut record lets the decompressor (or the Content-Length) run on into the records after
                    # it: go on from the next record start inside what warcio took for this one
                    here = fh.tell()
                    resume = next_record_start(fh, entry.offset, kind)
                    fh.seek(here)
                    if resume is not None and resume < entry.end:
                        entry.length, pos = resume - entry.offset, resume
                        cut = True
                yield entry
                if cut:
                    break
        except ArchiveLoadFailed as exc:
            if _NON_CHUNKED in str(exc):
                raise _WholeFileGzip(index) from None
            failed = True
        except Exception:  # a record whose bytes do not parse (warcio raises many kinds): find the next one
            failed = True
        if cut:  # the cut record's successor is known
            continue
        if not failed:
            return
        resume = next_record_start(fh, pos + _blank_run(fh, pos), kind)  # past the broken record's own start
        end = resume if resume is not None else fh.seek(0, io.SEEK_END)
        if end > pos:
            yield Entry(pos, end - pos, index, skip="broken-record")
            index += 1
        if resume is None:
            return
        pos = resume


def _stream(path: str, skip_records: int, cap: int, keep: Keep | None) -> Iterator[Entry]:
    with gzip.open(path, "rb") as fh:
        it = ArchiveIterator(fh, arc2warc=True)
        index = 0
        try:
            for entry in _entries(it, 0, cap, keep, read=lambda e: e.index >= skip_records):
                index = entry.index + 1
                if entry.index >= skip_records:
                    entry.streamed = True
                    yield entry
        except Exception:
            # a whole-file gzip cannot be re-synchronised: the rest of the file is lost, and said so
            yield Entry(it.offset, 0, max(index, skip_records), skip="broken-stream", streamed=True)


def _entries(it: ArchiveIterator, index: int, cap: int, keep: Keep | None,
             read: Callable[[Entry], bool] | None = None) -> Iterator[Entry]:
    for record in it:
        offset, errors = it.offset, it.err_count  # warcio's offset is the record's start until it moves on
        entry = _entry(record, offset, index, cap, keep, read)
        # reads the rest of the record; a Content-Length shorter than the record shows up here (err_count)
        entry.length = max(0, it.get_record_length())
        if it.err_count != errors and entry.skip is None:
            entry.skip, entry.payload = "content-length-mismatch", None
        yield entry
        index += 1


def _entry(record: Any, offset: int, index: int, cap: int, keep: Keep | None,
           read: Callable[[Entry], bool] | None) -> Entry:
    rec_headers = record.rec_headers
    entry = Entry(offset, 0, index, rec_type=record.rec_type or "",
                  url=rec_headers.get_header("WARC-Target-URI"), date=rec_headers.get_header("WARC-Date"))
    if read is not None and not read(entry):
        entry.skip = "before-resume-point"
        return entry
    if entry.rec_type != "response":
        entry.skip = f"{entry.rec_type or 'untyped'}-record"
        return entry
    http = record.http_headers
    if http is None or not http.statusline:
        entry.skip = "not-http"
        return entry
    try:
        entry.status = int(http.get_statuscode() or 0)
    except ValueError:
        entry.status = 0
    entry.headers = {k: v for k, v in http.headers}
    reason = keep(entry) if keep is not None else None
    if reason:
        entry.skip = reason
        return entry
    if (record.length or 0) > cap + 65536:  # the headers say so: not even read
        entry.skip = "too-large"
        return entry
    try:
        payload = _read_capped(record.content_stream(), cap)
    except (zlib.error, OSError, ValueError, EOFError):  # a Content-Encoding that does not decode
        entry.skip = "bad-content-encoding"
        return entry
    if payload is None:
        entry.skip = "too-large"
    elif getattr(record.raw_stream, "limit", 0):  # Content-Length promised more bytes than the record holds
        entry.skip = "truncated-record"
    else:
        entry.payload = payload
    return entry
