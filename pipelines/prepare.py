"""Bulk runs (imports, re-extraction, benchmarks) prepare records in helper processes ahead of the pipelines.

The pipelines run in one process, on one core, and must: their look-ups and writes go to one store in
order. Part of their work, though, is pure per-record computation: the MinHash signature of the normalised
body and the compressed WARC form of the raw page (about a third of a store write). Once a run has shown it
is a bulk run (PREPARE_AFTER records), those are computed in helper processes on the other cores, in order,
a few chunks ahead, carried on the item (newsbot.crawled.CrawledPage: signed_ahead, packed); the pipelines then
reuse them exactly as a crawl reuses what its extraction workers computed. Results are the same either way: a signature is only
reused while the normalised body is the one it was computed from.
"""

from __future__ import annotations

import copy
import logging
import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice

from newsbot import dedup
from newsbot.cpus import usable_cpus
from newsbot.crawled import CrawledPage
from newsbot.record import ArticleRecord
from newsbot.store.core import KEY_AHEAD_ATTR, record_key
from newsbot.store.warc import encode_raw
from pipelines.normalise import normalise

log = logging.getLogger(__name__)

PREPARE_AFTER = 2000  # records a run handles on its own before it is worth starting helper processes
CHUNK = 256  # records per task: pickling cost is per record, the per-task overhead is amortised
MAX_PROCESSES = 2


def default_processes() -> int:
    """The cores left besides the pipelines' own (at most MAX_PROCESSES: the pipelines keep up with two)."""
    return max(0, min(MAX_PROCESSES, usable_cpus() - 1))


def prepare(record: ArticleRecord) -> CrawledPage:
    """The record as a crawled page carrying its signature and packed raw page; the record is left as it came."""
    page = CrawledPage(record, raw=record.raw)
    normalised = normalise(copy.copy(record))  # normalise assigns fields: a shallow copy keeps `record` intact
    page.signed_ahead = dedup.signed_ahead(normalised.content_hash, normalised.body)
    # the store's key cache is the store's own (newsbot/store/core.py reads it from the record)
    setattr(record, KEY_AHEAD_ATTR, (record.url, record_key(record)))
    if record.raw is not None and record.raw.packed is None:
        page.packed = encode_raw(record.raw)
    return page


def _prepare_chunk(records: list[ArticleRecord | CrawledPage]) -> list[ArticleRecord | CrawledPage]:
    out: list[ArticleRecord | CrawledPage] = []
    for record in records:
        try:
            out.append(prepare(record) if isinstance(record, ArticleRecord) else record)
        except Exception:  # the pipelines compute it themselves (and report what is wrong with the record)
            out.append(record)
    return out


def prepared(
    records: Iterable[ArticleRecord | CrawledPage], processes: int | None = None
) -> Iterator[ArticleRecord | CrawledPage]:
    """The records in their order, prepared ahead by helper processes once the run proves to be a bulk one."""
    it = iter(records)
    yield from islice(it, PREPARE_AFTER)
    processes = default_processes() if processes is None else processes
    if processes <= 0:
        yield from it
        return
    pending: deque[tuple[list[ArticleRecord | CrawledPage], Future[list[ArticleRecord | CrawledPage]]]] = deque()
    # spawn, not fork: the caller may hold threads and open database connections
    pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
    broken = False
    try:
        while True:
            while not broken and len(pending) < 2 * processes and (chunk := list(islice(it, CHUNK))):
                pending.append((chunk, pool.submit(_prepare_chunk, chunk)))
            if not pending:
                if broken:
                    yield from it
                pool.shutdown(wait=True)  # the helpers are idle: let them exit (and be accounted for)
                return
            chunk, future = pending.popleft()
            try:
                yield from future.result()
            except BrokenProcessPool:  # a helper died: the pipelines do the work themselves from here on
                if not broken:
                    log.warning("a record-preparing helper process died: continuing without helpers")
                broken = True
                yield from chunk
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
