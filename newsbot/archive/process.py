"""The per-file work of an archive run, in two steps that can run in different processes.

    read_chunks(path, options, start)  -> Chunk ...     stream the file: cheap filters, payloads read (bounded)
    extract_chunk(chunk, options)      -> ChunkResult   decode, extract, keep the languages asked for

`process_file` is the two in a row, writing JSONL: what a distributed engine maps over files
(newsbot/archive/dask_job.py). The local command (newsbot/archive/run.py) reads in its own process and
extracts chunks on worker processes, then sends the records through the crawl's pipelines into the store.
A chunk ends on a record boundary: its end is a point a later run can resume from.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from newsbot.archive.filters import ArchiveOptions, registry_slug, script_skip, skip_reason
from newsbot.archive.reader import Entry, iter_entries
from newsbot.crawled import CrawledPage
from newsbot.extract import ExtractionError, extract
from newsbot.record import ArticleRecord, RawPage

CHUNK_RECORDS = 32  # payloads per chunk: a few hundred ms of extraction, enough to amortise a hand-over
CHUNK_BYTES = 16 << 20  # and at most this much payload (memory: a few chunks per worker are in flight)


@dataclass
class Start:
    """Where to start reading a file: a record offset (seekable files), or records to skip (whole-file gzip)."""

    offset: int = 0
    records: int = 0
    streamed: bool = False


@dataclass
class Chunk:
    path: str
    entries: list[Entry]  # the records to extract (with payload)
    skipped: Counter = field(default_factory=Counter)  # reason -> records skipped before extraction
    read: int = 0  # WARC records this chunk covers
    bytes: int = 0  # bytes of the file it covers
    end: Start = field(default_factory=Start)  # where the next chunk starts


@dataclass
class ChunkResult:
    records: list[ArticleRecord | CrawledPage]  # prepared ahead (CrawledPage) unless asked not to
    skipped: Counter
    read: int
    bytes: int
    end: Start
    langs: Counter = field(default_factory=Counter)  # languages of the extracted pages


def read_chunks(path: str, options: ArchiveOptions, start: Start | None = None) -> Iterator[Chunk]:
    """The file's records from `start`, as chunks; raises reader.NotAnArchive before reading anything."""
    start = start or Start()
    entries = iter_entries(
        path, start=0 if start.streamed else start.offset, skip_records=start.records if start.streamed else 0,
        first_index=start.records, cap=options.max_record_bytes, keep=lambda e: skip_reason(e, options),
    )
    chunk = Chunk(path, [], end=Start(start.offset, start.records, start.streamed))
    size = 0
    for entry in entries:
        chunk.read += 1
        chunk.bytes += entry.length
        if entry.skip is None:
            entry.skip = script_skip(entry.payload or b"", entry.headers, options)
        if entry.skip is not None:
            chunk.skipped[entry.skip] += 1
            entry.payload = None
        else:
            chunk.entries.append(entry)
            size += len(entry.payload or b"")
        chunk.end = Start(entry.end, entry.index + 1, entry.streamed)
        if len(chunk.entries) >= CHUNK_RECORDS or size >= CHUNK_BYTES:
            yield chunk
            chunk, size = Chunk(path, [], end=chunk.end), 0
    yield chunk  # the last (maybe empty) one carries the end of the file


def _fetched_at(date: str | None) -> str | None:
    return date.replace("Z", "+00:00") if date else None


def extract_entry(entry: Entry, path: str, options: ArchiveOptions) -> ArticleRecord:
    """One page's record, with its raw page (a pointer into the archive file unless keep_raw); raises
    ExtractionError when the page holds no article, or not in the languages asked for."""
    url = entry.url or ""
    record = extract(entry.payload or b"", url=url, headers=entry.headers, site=registry_slug(url, options),
                     fetched=_fetched_at(entry.date))
    lang = (record.lang or "").split("-")[0].lower()
    if options.langs and lang not in options.langs:
        raise ExtractionError("unwanted-lang", f"language {lang or 'unknown'}")
    # a whole-file gzip has no offset to seek to: its pages are copied into the store
    source = None if options.keep_raw or entry.streamed else (path, entry.offset, entry.length)
    record.raw = RawPage(url=url, body=entry.payload or b"", headers=entry.headers, status=entry.status or 200,
                         fetched_at=_fetched_at(entry.date), source=source)
    return record


def _prepare(record: ArticleRecord) -> CrawledPage:
    """The store pipeline's per-record computations done here, on the worker's core (pipelines/prepare.py);
    a raw page that stays in the archive is not packed."""
    from pipelines.prepare import prepare

    if record.raw is not None and record.raw.source is not None:
        raw, record.raw = record.raw, None
        page = prepare(record)
        record.raw = page.raw = raw
        return page
    return prepare(record)


def extract_chunk(chunk: Chunk, options: ArchiveOptions, *, prepare: bool = True) -> ChunkResult:
    result = ChunkResult([], Counter(chunk.skipped), chunk.read, chunk.bytes, chunk.end)
    for entry in chunk.entries:
        try:
            record = extract_entry(entry, chunk.path, options)
        except ExtractionError as exc:
            result.skipped[f"extract-{exc.reason}" if exc.reason != "unwanted-lang" else exc.reason] += 1
            continue
        except Exception as exc:  # one page that breaks the extractor never stops the file
            result.skipped[f"extract-internal-{type(exc).__name__}"] += 1
            continue
        result.langs[record.lang or "unknown"] += 1
        result.records.append(_prepare(record) if prepare else record)
    return result


def clean(record: ArticleRecord, *, min_words: int = 30, min_chars: int = 150) -> ArticleRecord:
    """The record as the crawl's validation and normalisation leave it (pipelines/validate.py, normalise.py),
    for a run without a store; raises pipelines.validate.Invalid."""
    from pipelines.normalise import normalise
    from pipelines.validate import check

    check(record, min_words=min_words, min_chars=min_chars)
    return normalise(copy.copy(record))


def process_file(path: str, options: ArchiveOptions, out: TextIO) -> dict[str, Any]:
    """Read, filter, extract, validate and normalise one archive file, writing its records as JSONL to `out`;
    returns the counts (records read, kept, skipped by reason). The function a distributed engine maps."""
    from newsbot.archive.reader import NotAnArchive
    from pipelines.validate import Invalid

    counts: dict[str, Any] = {"file": path, "records": 0, "kept": 0, "skipped": Counter(), "status": "ok"}
    try:
        for chunk in read_chunks(path, options):
            result = extract_chunk(chunk, options, prepare=False)
            counts["records"] += result.read
            counts["skipped"].update(result.skipped)
            for record in result.records:
                try:
                    record = clean(record.record if isinstance(record, CrawledPage) else record)
                except Invalid as exc:
                    counts["skipped"][f"invalid-{exc.reason}"] += 1
                    continue
                out.write(record.to_json() + "\n")
                counts["kept"] += 1
    except NotAnArchive as exc:
        counts["status"], counts["reason"] = "failed", str(exc)
    except OSError as exc:
        counts["status"], counts["reason"] = "failed", exc.strerror or str(exc)
    counts["skipped"] = dict(counts["skipped"])
    return counts
