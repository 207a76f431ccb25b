"""Page analysis (decode, parse, extract, classify, links) off the crawler's event loop, in worker processes.

Scrapy runs a crawl on one thread: fetching, scheduling and the item pipelines share one core, and
extraction is the costliest thing a crawl does per page. NEWSBOT_EXTRACT_PROCESSES worker processes take
the analysis (spiders.pageanalysis.page_outcome: bytes in, picklable values out) so the crawler process
keeps fetching and storing meanwhile. 0 analyses in the crawler process itself, as Scrapy would.

A page that kills its worker (a crash in the HTML parser) breaks the pool, and with it the pages other
workers had in hand: those run again one at a time in a new pool, and the page that breaks it alone is
reported as an extraction error (`crashed`) instead of taking the crawl, or any other page, down with it.

Pages go to the workers in batches (those that arrive within BATCH_SECONDS, up to BATCH_PAGES), and their
outcomes come back as one result: each hand-over costs the crawler's thread a wake-up of the executor's
threads and a wait for the GIL they then hold (about 1 ms per page measured, more than the page's own
callbacks), so one per batch instead of one per page leaves the crawler's core to fetching and storing.

Each page has NEWSBOT_PAGE_TIME_LIMIT seconds in its worker: past them the analysis is stopped and the page
reported as `timeout`. Python code is interrupted by SIGALRM; a parse stuck in C code never gets back to
Python to see it, so a CPU timer a little later ends the worker (its default action), and the page, run
again alone as a suspect, is reported as `timeout` when it dies past its limit again.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorThreads

from newsbot.cpus import usable_cpus
from spiders.pageanalysis import PageOutcome, page_outcome

logger = logging.getLogger(__name__)

MAX_AUTO_PROCESSES = 4
PARENT_POLL_SECONDS = 1.0
HARD_LIMIT_GRACE = 5.0  # CPU seconds past the page's limit before its worker is ended
BATCH_SECONDS = 0.005  # how long a page waits for others to share its hand-over (a page takes ~3 ms to analyse)
BATCH_PAGES = 8  # a batch this full goes at once


class PageTimeLimit(BaseException):
    """Raised in a worker when a page's time is up (BaseException: no `except Exception` in extraction
    swallows it)."""


def _expired(signum: int, frame: object) -> None:
    raise PageTimeLimit


def run_limited(func: Callable[..., PageOutcome], limit: float, *args: Any, **kwargs: Any) -> PageOutcome:
    """func(*args, **kwargs) in a worker, stopped after `limit` seconds (0: no limit)."""
    if not limit or limit <= 0:
        return func(*args, **kwargs)
    previous = signal.signal(signal.SIGALRM, _expired)
    signal.signal(signal.SIGPROF, signal.SIG_DFL)  # the hard stop: SIGPROF's default action ends the process
    signal.setitimer(signal.ITIMER_REAL, limit)
    signal.setitimer(signal.ITIMER_PROF, limit + min(HARD_LIMIT_GRACE, limit))
    try:
        return func(*args, **kwargs)
    except PageTimeLimit:
        return PageOutcome(None, "timeout", kwargs.get("url_kind", "other"))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGALRM, previous)


def run_batch(func: Callable[..., PageOutcome], limit: float,
              calls: list[tuple[tuple, dict]]) -> list[tuple[bool, Any]]:
    """Each call's (True, outcome) or (False, exception), in order: one page's failure is its own."""
    out: list[tuple[bool, Any]] = []
    for args, kwargs in calls:
        try:
            out.append((True, run_limited(func, limit, *args, **kwargs)))
        except Exception as exc:
            out.append((False, exc))
    return out


def processes_setting(value: Any, workers: int = 1) -> int:
    """NEWSBOT_EXTRACT_PROCESSES as a count. 'auto': the cores one crawler process leaves free, shared
    among `workers` crawler processes on this machine (so N local workers never oversubscribe the CPUs)."""
    if value in (None, "", "auto"):
        return max(0, min(MAX_AUTO_PROCESSES, usable_cpus() // max(1, workers) - 1))
    count = int(value)
    if count < 0:
        raise ValueError(f"NEWSBOT_EXTRACT_PROCESSES must be 'auto' or >= 0, got {value!r}")
    return count


def _worker_init(parent: int) -> None:
    # Ctrl-C goes to the whole process group: the crawler shuts the pool down itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # a crawler killed with SIGKILL cannot shut its pool down, and the workers' queue pipes do not close
    # (each worker holds both ends): leave when the crawler is gone instead of lingering forever
    # (the crawler's pid comes as an argument: by the time this runs it may already be gone and the
    # worker adopted by another process)
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="newsbot-parent-watch").start()
    import spiders.pageanalysis  # noqa: F401  (imports extraction once, before the first page)


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(0)


def _warm() -> int:
    return os.getpid()


@dataclass
class _Job:
    d: Deferred
    args: tuple
    kwargs: dict
    alone: bool = False  # ran with no other page in the pool: a crash is then certainly its own
    generation: int = 0
    submitted: float = 0.0


class AnalysisPool:
    """Worker processes for page_outcome (processes > 0; with 0 the spider calls page_outcome itself).

    When a worker dies, every page the pool had in hand fails with it and nothing says which page did it.
    Those pages become suspects and run again one at a time (new pages wait meanwhile): a suspect that
    crashes alone is the culprit and is reported as `crashed`; the others get their outcome.
    """

    def __init__(self, processes: int, func: Callable[..., PageOutcome] = page_outcome,
                 call_from_thread: Callable[..., Any] | None = None, time_limit: float = 0.0,
                 schedule: Callable[[float, Callable[[], None]], Any] | None = None):
        """schedule(delay, f): how a batch's hand-over is put off (the reactor's callLater by default; None
        with call_from_thread: no batching, each page goes at once)."""
        self.processes = processes
        self.time_limit = time_limit  # seconds per page in its worker (0: none)
        self.timeouts = 0
        self.func = func  # module-level (picklable); page_outcome unless a test substitutes one
        self._call_from_thread = call_from_thread
        self._executor: ProcessPoolExecutor | None = None
        self._generation = 0  # bumped each time a broken pool is replaced
        self._suspects: deque[_Job] = deque()
        self._waiting: deque[_Job] = deque()
        self._isolating = False
        self.crashes = 0
        self._batch: list[_Job] = []
        self._batch_due = False
        self._schedule = schedule if schedule is not None or call_from_thread is not None else _call_later
        if processes:
            self._start()

    def _start(self) -> None:
        # spawn, not fork: the crawler process has threads (DNS, SQLite) and a running event loop
        ctx = multiprocessing.get_context("spawn")
        self._executor = ProcessPoolExecutor(self.processes, mp_context=ctx, initializer=_worker_init,
                                             initargs=(os.getpid(),))
        self._generation += 1
        for _ in range(self.processes):  # start the workers now, while the crawl fetches its first pages
            self._executor.submit(_warm)

    def analyse(self, *args: Any, **kwargs: Any) -> Deferred:
        """page_outcome(*args, **kwargs) in a worker; the Deferred fires on the reactor thread."""
        if self._executor is None:
            raise RuntimeError("the analysis pool is closed or has no processes")
        job = _Job(Deferred(), args, kwargs)
        if self._isolating:
            self._waiting.append(job)
        elif self._schedule is None:
            self._submit([job])
        else:
            self._batch.append(job)
            if len(self._batch) >= BATCH_PAGES:
                self.flush()
            elif not self._batch_due:
                self._batch_due = True
                self._schedule(BATCH_SECONDS, self.flush)
        return job.d

    def flush(self) -> None:
        """Hand the pages waiting for a batch to the workers now."""
        self._batch_due = False
        jobs, self._batch = self._batch, []
        if not jobs:
            return
        if self._isolating:  # a worker died meanwhile: these wait for the suspects like any new page
            self._waiting.extend(jobs)
        else:
            self._submit(jobs)

    def _submit(self, jobs: list[_Job]) -> None:
        if self._executor is None:  # closed while the pages waited (the crawl is shutting down)
            for job in jobs:
                job.d.errback(RuntimeError("the analysis pool is closed"))
            return
        now = time.monotonic()
        for job in jobs:
            job.generation = self._generation
            job.submitted = now
        calls = [(job.args, job.kwargs) for job in jobs]
        try:
            future = self._executor.submit(run_batch, self.func, self.time_limit, calls)
        except BrokenProcessPool:  # broken before these pages got in: suspects like the others
            for job in jobs:
                self._broken(job)
            return
        future.add_done_callback(lambda fut: self._in_reactor(self._finish, jobs, fut))

    def _in_reactor(self, func: Callable[..., Any], *args: Any) -> None:
        # done-callbacks run on the executor's thread: the Deferred must fire on the reactor's
        if self._call_from_thread is not None:
            self._call_from_thread(func, *args)
            return
        from twisted.internet import reactor

        IReactorThreads(reactor).callFromThread(func, *args)  # the reactor's type names only its common interfaces

    def _finish(self, jobs: list[_Job], fut: Future) -> None:
        try:
            results = fut.result()
        except BrokenProcessPool:
            for job in jobs:
                self._broken(job)
            return
        except Exception as exc:  # the pool closed, or a batch that could not be handed over: its pages fail
            results = [(False, exc)] * len(jobs)
        for job, (ok, value) in zip(jobs, results, strict=True):
            self._finish_one(job, ok, value)

    def _finish_one(self, job: _Job, ok: bool, value: Any) -> None:
        if not ok:  # a bug in analysis: this page fails, the crawl goes on
            job.d.errback(value)
        else:
            if value.error == "timeout":
                self.timeouts += 1
                logger.warning("analysing %s took over %.0f s (NEWSBOT_PAGE_TIME_LIMIT): stopped, reported as an "
                               "extraction error", _url(job), self.time_limit)
            job.d.callback(value)
        if job.alone:
            self._next_suspect()

    def _broken(self, job: _Job) -> None:
        if job.generation == self._generation and self._executor is not None:
            logger.warning("an extraction worker died: starting a new pool")
            old = self._executor
            self._start()
            old.shutdown(wait=False, cancel_futures=True)
        if job.alone:
            kind = job.kwargs.get("url_kind", "other")
            if self.time_limit and time.monotonic() - job.submitted >= self.time_limit:
                self.timeouts += 1
                logger.warning("analysing %s ran past %.0f s in C code (NEWSBOT_PAGE_TIME_LIMIT): its worker was "
                               "ended, the page reported as an extraction error", _url(job), self.time_limit)
                job.d.callback(PageOutcome(None, "timeout", kind))
            else:
                self.crashes += 1
                logger.warning("analysing %s crashed its worker: reported as an extraction error", _url(job))
                job.d.callback(PageOutcome(None, "crashed", kind))
            self._next_suspect()
            return
        self._suspects.append(job)
        if not self._isolating:
            self._isolating = True
            self._next_suspect()

    def _next_suspect(self) -> None:
        """Run the next suspect alone; when none is left, release the pages that waited."""
        if self._suspects:
            job = self._suspects.popleft()
            job.alone = True
            self._submit([job])
            return
        self._isolating = False
        while self._waiting and not self._isolating:
            self._submit([self._waiting.popleft()])

    def close(self) -> None:
        self.flush()
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None


def _call_later(delay: float, func: Callable[[], None]) -> None:
    from twisted.internet import reactor
    from twisted.internet.interfaces import IReactorTime

    IReactorTime(reactor).callLater(delay, func)  # adapted: the reactor module is typed as an interface


def _url(job: _Job) -> str:
    return str(job.args[1]) if len(job.args) > 1 else "a page"
