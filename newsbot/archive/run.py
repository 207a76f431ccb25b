"""The local archive run: files read here, chunks extracted on worker processes, records stored by the crawl's
pipelines (pipelines/run.py), and how far each file was read kept in the store beside them.

Resuming: after the last record of a chunk went through the pipelines, the file's resume point (the chunk's
end) is written into the same open transaction as those records. A commit takes both, a kill loses both, so
the next run starts right after the last stored record: nothing lost, nothing stored twice. A file read to its
end is marked done and a later run skips it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsbot.archive.filters import ArchiveOptions
from newsbot.archive.process import Chunk, ChunkResult, Start, extract_chunk, read_chunks
from newsbot.archive.reader import NotAnArchive, sniff
from newsbot.archive.report import ArchiveReport, FileReport, ProgressLine
from newsbot.cpus import usable_cpus
from newsbot.crawled import CrawledPage
from newsbot.health.runid import new_run_id
from newsbot.jobs.run import _iso, _redact
from newsbot.record import ArticleRecord
from newsbot.state import state_dir, store_url
from newsbot.store import Store, open_store
from newsbot.store.timeutil import iso_now

log = logging.getLogger(__name__)

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")
KEY_BYTES = 1 << 20  # a file is known by its size and a digest of its first MB (so a moved file is too)
IN_FLIGHT_PER_WORKER = 2  # chunks queued per worker: enough to keep it busy, few enough to bound memory


def archive_inputs(paths: list[str]) -> list[str]:
    """Files as given, and the archive files under directories (sorted); ValueError for a path that is not there."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            found = sorted(str(f) for f in path.rglob("*") if f.is_file() and f.name.lower().endswith(ARCHIVE_SUFFIXES))
            if not found:
                raise ValueError(f"{p}: no .warc, .warc.gz, .arc or .arc.gz files in this directory")
            out += found
        elif path.exists():
            out.append(str(path))
        else:
            raise ValueError(f"{p}: no such file or directory")
    return list(dict.fromkeys(os.path.abspath(p) for p in out))


def file_key(path: str) -> str:
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        digest = hashlib.sha1(fh.read(KEY_BYTES)).hexdigest()
    return f"{size}:{digest}"


@dataclass
class _File:
    path: str
    key: str
    size: int
    start: Start
    report: FileReport
    counts: dict[str, Any] = field(default_factory=dict)  # cumulative over runs, kept in the store
    stats_at_start: dict[str, int] | None = None
    t0: float | None = None  # when this run started reading it


_STAT_KEYS = ("new", "updated", "unchanged", "near_duplicate", "invalid", "store_error")


def _worker_init() -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle


class ArchiveRun:
    def __init__(self, paths: list[str], options: ArchiveOptions, *, store: str | None = None,
                 workers: int | None = None, settings: dict[str, Any] | None = None, progress: bool = True,
                 report_path: str | None = None, chunk_func: Callable[[Chunk, ArchiveOptions], ChunkResult] = extract_chunk):
        """chunk_func: what the workers run on each chunk (a module-level function: it is pickled to them)."""
        self.paths = paths
        self.chunk_func = chunk_func
        self.options = options
        self.store_url = store_url(store)
        self.workers = usable_cpus() if workers is None else workers
        self.settings = settings or {}
        self.report_path = report_path
        self.run_id = new_run_id()
        self.report = ArchiveReport(self.run_id, iso_now(), store=_redact(self.store_url), workers=self.workers,
                                    langs=list(options.langs), filters=_filters(options))
        self.show_progress = progress
        self.stats: Any = None
        self.pool: ProcessPoolExecutor | None = None

    # ---- planning ---------------------------------------------------------------------------

    def _plan(self, store: Store) -> list[_File]:
        todo = []
        for path in self.paths:
            report = FileReport(site=path)
            self.report.sites.append(report)
            try:
                sniff(path)
                key, size = file_key(path), os.path.getsize(path)
            except NotAnArchive as exc:
                report.status, report.reason = "failed", str(exc)
                continue
            except OSError as exc:
                report.status, report.reason = "failed", exc.strerror or str(exc)
                continue
            row = store.archive_progress(key)
            if row and row["done"]:
                report.status, report.reason = "skipped", "already read to its end by an earlier run (nothing to do)"
                continue
            start = Start()
            counts: dict[str, Any] = {}
            if row:
                start = Start(int(row["next_offset"]), int(row["records"]), row["mode"] == "stream")
                counts = json.loads(row["counts"] or "{}")
                report.reason = f"resumed at record {start.records}"
            report.status = "pending"
            todo.append(_File(path, key, size, start, report, counts))
        return todo

    # ---- running ----------------------------------------------------------------------------

    def run(self) -> ArchiveReport:
        from pipelines.common import SimpleStats
        from pipelines.run import run_records

        store = open_store(self.store_url)
        t0 = time.time()
        try:
            files = self._plan(store)
            self.progress = ProgressLine(len(files), sum(f.size - f.start.offset for f in files), list(self.options.langs),
                                         enabled=self.show_progress)
            self.stats = SimpleStats()
            try:
                # processes=0: the records' order must stay that of the resume points written between them
                run_records(self._records(files, store), store, settings=self.settings, stats=self.stats, processes=0)
            except KeyboardInterrupt:
                self.report.interrupted = True
                self.report.notes.append("interrupted: the next run resumes where this one stopped")
            except Exception as exc:  # what was committed stays, with its resume point; the run says it failed
                log.exception("archive run failed")
                self.report.notes.append(f"run failed: {type(exc).__name__}: {exc}; the next run resumes")
                for f in files:
                    if f.report.status == "reading":
                        f.report.status, f.report.reason = "failed", f"run failed: {type(exc).__name__}: {exc}"
            self.progress.update(force=True)
            for f in files:
                if f.report.status == "reading":  # interrupted in the middle of this file
                    self._file_counts(f)
                elif f.report.status == "pending":
                    f.report.status, f.report.reason = "not_started", "interrupted before this file's turn"
        finally:
            store.close()
        t1 = time.time()
        self.report.finished = _iso(t1)
        self.report.duration_s = round(t1 - t0, 1)
        for site in self.report.sites:
            if site.store_errors:
                site.status, site.reason = "failed", f"{site.store_errors} records could not be stored (see the log)"
        self.report.conclude()
        self._write_report()
        return self.report

    def _chunks(self, files: list[_File]) -> Iterator[tuple[_File, Chunk | None]]:
        for f in files:
            f.report.status, f.t0 = "reading", time.monotonic()
            try:
                for chunk in read_chunks(f.path, self.options, f.start):
                    yield f, chunk
            except (NotAnArchive, OSError) as exc:
                f.report.status, f.report.reason = "failed", getattr(exc, "strerror", None) or str(exc)
            yield f, None  # the file's end (or failure)

    def _pool(self) -> ProcessPoolExecutor | None:
        if self.workers <= 0:
            return None
        return ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_worker_init)

    def _result(self, chunk: Chunk, job: Future | ChunkResult) -> ChunkResult:
        """The chunk's result. A worker that died on it (a page that crashes the parser, say) costs only the page
        that killed it: the chunk is tried again on a new pool, then page by page ('extract-crashed')."""
        if not isinstance(job, Future):
            return job
        try:
            return job.result()
        except BrokenProcessPool:
            log.warning("an extraction worker died on a chunk of %s: trying it again", chunk.path)
        try:
            return self._submit(chunk).result()
        except BrokenProcessPool:
            log.warning("an extraction worker died on a chunk of %s again: trying its pages one by one", chunk.path)
        result = ChunkResult([], Counter(chunk.skipped), chunk.read, chunk.bytes, chunk.end)
        for entry in chunk.entries:
            try:
                one = self._submit(Chunk(chunk.path, [entry], end=chunk.end)).result()
            except BrokenProcessPool:
                log.error("%s (record at offset %d of %s) kills the extractor: skipped", entry.url, entry.offset,
                          chunk.path)
                result.skipped["extract-crashed"] += 1
                continue
            result.records += one.records
            result.skipped.update(one.skipped)
            result.langs.update(one.langs)
        return result

    def _submit(self, chunk: Chunk) -> Future:
        """To the pool, or to a new one when a worker's death broke it (spawning costs less than losing pages)."""
        assert self.pool is not None, "submitted only with --workers > 0"
        try:
            return self.pool.submit(self.chunk_func, chunk, self.options)
        except BrokenProcessPool:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = self._pool()
            assert self.pool is not None
            return self.pool.submit(self.chunk_func, chunk, self.options)

    def _records(self, files: list[_File], store: Store) -> Iterator[ArticleRecord | CrawledPage]:
        """The records in file and chunk order, with each chunk's resume point written after its records."""
        self.pool = self._pool()
        pending: deque[tuple[_File, Chunk | None, Future | ChunkResult | None]] = deque()
        chunks = self._chunks(files)
        limit = max(1, self.workers * IN_FLIGHT_PER_WORKER)
        try:
            exhausted = False
            while True:
                while not exhausted and len(pending) < limit:
                    item = next(chunks, None)
                    if item is None:
                        exhausted = True
                        break
                    f, chunk = item
                    if chunk is None:
                        pending.append((f, None, None))
                        continue
                    job: Future | ChunkResult | None
                    if self.pool is None:  # --workers 0
                        job = self.chunk_func(chunk, self.options)
                    else:
                        job = self._submit(chunk)
                    pending.append((f, chunk, job))
                if not pending:
                    return
                f, chunk, job = pending.popleft()
                if chunk is None:
                    self._file_done(f, store)
                    continue
                assert job is not None, "queued with its chunk"
                result = self._result(chunk, job)
                if f.stats_at_start is None:
                    f.stats_at_start = self._stat_counts()
                yield from result.records
                self._chunk_done(f, result, store)
        finally:
            if self.pool is not None:
                self.pool.shutdown(wait=True, cancel_futures=True)

    def _stat_counts(self) -> dict[str, int]:
        values = self.stats.get_stats() if self.stats is not None else {}
        return {k: int(values.get(f"newsbot/items/{k}", 0)) for k in _STAT_KEYS}

    def _chunk_done(self, f: _File, result: ChunkResult, store: Store) -> None:
        rep = f.report
        rep.pages += result.read
        rep.bytes += result.bytes
        rep.articles += len(result.records)
        rep.skipped = dict(Counter(rep.skipped) + result.skipped)
        rep.langs = dict(Counter(rep.langs) + result.langs)
        f.start = result.end
        self._save(f, store, done=False)
        kept = self._stat_counts()
        self.progress.update(records=result.read, bytes_read=result.bytes,
                             kept=kept["new"] + kept["updated"] + kept["unchanged"])

    def _file_done(self, f: _File, store: Store) -> None:
        if f.report.status == "failed":  # a read error in the middle: what came before it stays stored
            self._file_counts(f)
            return
        f.report.status = "ok"
        self._save(f, store, done=True)
        self._file_counts(f)
        self.progress.update(file_done=True)

    def _file_counts(self, f: _File) -> None:
        if f.stats_at_start is None:
            f.stats_at_start = self._stat_counts()
        if f.report.status == "reading":  # interrupted in the middle of this file
            f.report.status, f.report.reason = "partial", "interrupted; the next run resumes"
        now = self._stat_counts()
        d = {k: now[k] - f.stats_at_start[k] for k in _STAT_KEYS}
        rep = f.report
        rep.duration_s = round(time.monotonic() - f.t0, 1) if f.t0 is not None else None
        rep.new += d["new"]
        rep.updated += d["updated"]
        rep.invalid += d["invalid"]
        rep.store_errors += d["store_error"]
        rep.duplicate += d["unchanged"] + d["near_duplicate"]
        rep.errors = sum(n for reason, n in rep.skipped.items() if reason.startswith(("broken-", "truncated-",
                                                                                        "content-length-")))
        f.stats_at_start = now  # what follows is counted by the next call

    def _save(self, f: _File, store: Store, *, done: bool) -> None:
        counts = Counter(f.counts.get("skipped", {})) + Counter(f.report.skipped)
        row = {
            "key": f.key, "path": f.path, "size": f.size, "mode": "stream" if f.start.streamed else "seek",
            "next_offset": f.start.offset, "records": f.start.records, "done": int(done),
            "counts": json.dumps({"skipped": dict(counts), "run": self.run_id}, ensure_ascii=False),
            "updated_at": iso_now(), "finished_at": iso_now() if done else None,
        }
        store.save_archive_progress(row)

    def _write_report(self) -> None:
        runs = state_dir(self.store_url) / "runs"
        try:
            self.report.path = str(self.report.write(runs / f"archive-{self.run_id}.json"))
            self.report.write(runs / "last-archive-run.json")
        except OSError as exc:
            self.report.notes.append(f"run report not written under {runs}: {exc.strerror or exc}")
        if self.report_path:
            self.report.path = str(self.report.write(self.report_path))


def _filters(options: ArchiveOptions) -> dict[str, Any]:
    return {k: v for k, v in (("hosts", list(options.hosts)), ("sites", list(options.sites)),
                              ("url_patterns", list(options.url_patterns)), ("since", options.since),
                              ("until", options.until), ("max_record_bytes", options.max_record_bytes),
                              ("keep_raw", options.keep_raw)) if v}
