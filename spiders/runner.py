"""Run crawls in this process (the CLI's `crawl`, `scrape` and `demo` use it).

`run_crawl(targets, ...)` runs one news-spider crawler per site, all at once, in one Scrapy
CrawlerProcess, shows progress, and returns a CrawlSummary built from the Scrapy stats keys the
spider and the pipelines bump. The Twisted reactor cannot be restarted: call `run_crawl` or
`run_scrape` once per process (the scheduled-jobs wrapper runs each job in its own process).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from newsbot.crawled import record_of
from newsbot.heap import freeze_more, long_run_collector
from newsbot.record import ArticleRecord

if TYPE_CHECKING:  # Twisted is imported when a crawl starts, not with this module
    from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)

OK_REASONS = {"finished", "closespider_itemcount", "closespider_pagecount", "closespider_timeout"}
EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130
_COUNTS = ("new", "updated", "unchanged", "invalid", "near_duplicate", "store_error")


@dataclass
class CrawlSummary:
    sites: dict[str, dict[str, Any]] = field(default_factory=dict)  # slug -> summary row (see site_row)
    totals: dict[str, Any] = field(default_factory=dict)
    exit_status: int = EXIT_OK
    started_at: str | None = None
    finished_at: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. a damaged --jobdir that was rebuilt

    def to_dict(self) -> dict[str, Any]:
        return {
            "sites": self.sites,
            "totals": self.totals,
            "exit_status": self.exit_status,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "notes": self.notes,
        }

    def format(self) -> str:
        """The end-of-run table: one line per site and a total."""
        head = f"{'site':<28} {'pages':>6} {'new':>6} {'upd':>5} {'same':>5} {'inval':>5} {'err':>5} {'time':>7}  status"
        lines = [head, "-" * len(head)]
        for slug, row in self.sites.items():
            lines.append(_format_row(slug, row))
        if len(self.sites) > 1:
            lines.append(_format_row("TOTAL", self.totals))
        return "\n".join(lines)


def _format_row(name: str, row: Mapping[str, Any]) -> str:
    status = row.get("status") or row.get("finish_reason") or ""
    if row.get("reason") and not row.get("ok", True):
        status = f"{status}: {row['reason']}"
    from newsbot.jobs.report import loss_notes

    if losses := loss_notes(row):
        status = "; ".join([status, *losses])
    return (
        f"{name[:28]:<28} {row.get('pages', 0):>6} {row.get('new', 0):>6} {row.get('updated', 0):>5} "
        f"{row.get('unchanged', 0):>5} {row.get('invalid', 0):>5} {row.get('errors', 0):>5} "
        f"{row.get('duration', 0.0):>6.1f}s  {status}"
    )


def target_is_url(target: str, registry: Mapping[str, Any] | None = None) -> bool:
    """A homepage URL or a bare domain (example.com), rather than a registry slug."""
    if "://" in target or "/" in target:
        return True
    if "." not in target:
        return False
    if registry is None:
        from spiders.registry import load_registry

        registry = load_registry()
    return target not in registry  # a bare domain, unless a registry slug has dots


def _site_reason(slug: str, stats: Mapping[str, Any]) -> str | None:
    """Why a site fetched nothing, in the user's words: the most frequent failure, else robots.txt."""
    prefix = f"newsbot/site/{slug}/failed/"
    failures = {k[len(prefix):]: int(v or 0) for k, v in stats.items() if k.startswith(prefix)}
    if failures:
        return max(failures.items(), key=lambda kv: kv[1])[0]
    if stats.get(f"newsbot/site/{slug}/robots_disallowed"):
        from spiders.failures import ROBOTS

        return ROBOTS
    return None


def site_row(slug: str, stats: Mapping[str, Any]) -> dict[str, Any]:
    """One site's summary from its crawler's stats."""

    def n(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    row: dict[str, Any] = {
        "pages": n(f"newsbot/site/{slug}/pages") or n("newsbot/pages/fetched"),
        "responses": n("downloader/response_count"),
        "articles": n("newsbot/pages/article"),
        "non_articles": n("newsbot/pages/non_article"),
        "extract_errors": n("newsbot/pages/extract_error"),
        "skipped_stored": n("newsbot/skipped/stored"),
        "skipped_since": n("newsbot/skipped/since"),
        "canonical_duplicates": n("newsbot/pages/canonical_duplicate"),
        "errors": n(f"newsbot/site/{slug}/errors"),
        "robots_forbidden": n("robotstxt/forbidden"),
        "duration": round(float(stats.get("elapsed_time_seconds", 0.0) or 0.0), 2),
        "finish_reason": stats.get("finish_reason"),
    }
    for suffix in _COUNTS:
        row[suffix] = n(f"newsbot/site/{slug}/{suffix}") or n(f"newsbot/items/{suffix}")
    row["undated_kept"] = n("newsbot/since/undated")
    row["sitemaps_too_deep"] = n(f"newsbot/site/{slug}/sitemaps_too_deep") or n("newsbot/sitemaps/too_deep")
    row["spooled"] = n(f"newsbot/site/{slug}/spooled") or n("newsbot/items/spooled")  # kept for the next crawl
    row["replayed"] = n(f"newsbot/site/{slug}/replayed")  # kept by an earlier crawl, stored by this one
    # articles that could not be stored (a full disk, a lost database) fail the site: the run did not do its job
    # (robots.txt may answer without a page fetched: a site is reached when at least one page was)
    row["ok"] = (row["finish_reason"] in OK_REASONS and row["responses"] > 0 and row["pages"] > 0
                 and not row["store_error"])
    if row["finish_reason"] == "shutdown":
        row["status"], row["reason"] = "interrupted", "stopped (Ctrl-C); run again to resume"
    elif not row["ok"]:
        row["status"] = "failed"
        if row["store_error"]:
            from newsbot.jobs.report import store_failure

            row["reason"] = store_failure(row["store_error"], row["spooled"], stats.get("newsbot/spool/path"))
        elif row["finish_reason"] == "url_trap":
            from spiders.urltrap import describe

            row["reason"] = describe(stats)
        elif row["finish_reason"] not in OK_REASONS:
            row["reason"] = f"crawl ended: {row['finish_reason']}"
        else:
            row["reason"] = _site_reason(slug, stats) or "unreachable: no response from the site"
    else:
        row["status"] = "ok"
    return row


def _totals(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    total: dict[str, Any] = {}
    for row in rows:
        for k, v in row.items():
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                total[k] = total.get(k, 0) + v
    # the sites run at the same time: the run lasts as long as the longest
    total["duration"] = max((r.get("duration", 0.0) for r in rows), default=0.0)
    bad = sum(1 for r in rows if r.get("status", "ok" if r.get("ok") else "failed") == "failed")
    stopped = sum(1 for r in rows if r.get("status") == "interrupted")
    total["ok"] = not bad and not stopped
    status = f"{bad} of {len(rows)} failed" if bad else "interrupted" if stopped else "ok"
    total["finish_reason"] = total["status"] = status
    return total


def project_settings(overrides: Mapping[str, Any] | None = None):
    """newsbot.settings from any working directory (no scrapy.cfg lookup), with overrides."""
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newsbot.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if overrides:
        settings.setdict(dict(overrides), priority="cmdline")
    return settings


class Progress:
    """Pages, articles, errors and rate over all running crawlers: one updating stderr line on a
    terminal, a log line every `interval` seconds otherwise."""

    def __init__(self, crawlers: list, stream: IO[str] | None = None, tty: bool | None = None):
        self.crawlers = crawlers
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.interval = 1.0 if self.tty else 30.0
        self.started = time.monotonic()
        self._loop: LoopingCall | None = None
        self._width = 0

    def snapshot(self) -> dict[str, float]:
        pages = articles = errors = 0
        for crawler in self.crawlers:
            stats = crawler.stats.get_stats() if crawler.stats else {}
            pages += int(stats.get("newsbot/pages/fetched", 0))
            articles += int(stats.get("newsbot/pages/article", 0))
            errors += int(stats.get("newsbot/errors", 0))
        elapsed = max(time.monotonic() - self.started, 1e-6)
        return {"pages": pages, "articles": articles, "errors": errors, "rate": pages / elapsed, "elapsed": elapsed}

    def line(self) -> str:
        s = self.snapshot()
        return (
            f"newsbot: {s['pages']} pages, {s['articles']} articles, {s['errors']} errors, "
            f"{s['rate']:.1f} pages/s, {s['elapsed']:.0f}s"
        )

    def tick(self) -> None:
        text = self.line()
        if self.tty:
            pad = max(0, self._width - len(text))
            self.stream.write("\r" + text + " " * pad)
            self.stream.flush()
            self._width = len(text)
        else:
            logger.info(text)

    def start(self) -> None:
        from twisted.internet.task import LoopingCall

        self._loop = LoopingCall(self.tick)
        self._loop.start(self.interval, now=False)

    def stop(self) -> None:
        if self._loop is not None and self._loop.running:
            self._loop.stop()
        if self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()


class _JsonlSink:
    """The crawl's records as JSONL (the exported record shape, UTF-8, not escaped)."""

    def __init__(self, path: str | Path):
        self.path = str(path)
        if self.path == "-":
            self.fh = sys.stdout
        else:
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            self.fh = open(self.path, "w", encoding="utf-8")  # noqa: SIM115 - closed in close()
        self.count = 0

    def write(self, item: Any, **_: Any) -> None:
        record = record_of(item)
        if record is not None:
            self.fh.write(record.to_json() + "\n")
            self.count += 1

    def close(self) -> None:
        if self.fh is sys.stdout:
            self.fh.flush()
        else:
            self.fh.close()


def _call_with_record(on_item: Callable[[ArticleRecord], None], item: Any) -> None:
    record = record_of(item)
    if record is not None:
        on_item(record)


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def run_crawl(
    targets: Iterable[str],
    *,
    since: str | datetime | None = None,
    max_articles: int | None = None,
    output: str | Path | None = None,
    store_url: str | None = None,
    allow_private: bool = False,
    settings: Mapping[str, Any] | None = None,
    jobdir: str | Path | None = None,
    http_cache: bool = False,
    incremental: bool = True,
    progress: bool | None = None,
    on_item: Callable[[ArticleRecord], None] | None = None,
) -> CrawlSummary:
    """Crawl each target (a registry slug or a homepage URL) and return the summary.

    max_articles is per site (CLOSESPIDER_ITEMCOUNT); jobdir/<slug> makes each site's crawl
    resumable (Scrapy JOBDIR); progress: an updating stderr line on a terminal, a periodic log line
    otherwise (False: none).
    Raises ValueError for an unknown slug or a bad --since before anything is fetched.
    """
    from scrapy.crawler import CrawlerProcess

    from spiders.news import parse_since

    since_dt = parse_since(since) if since is not None else None
    sites = _resolve_targets(targets)
    plan = _crawl_settings(settings, allow_private=allow_private, store_url=store_url, max_articles=max_articles,
                           http_cache=http_cache, progress=progress)
    summary = CrawlSummary(started_at=_now())
    if jobdir:
        summary.notes += _repair_saved_state(Path(jobdir), [site for _, _, site in sites])

    process = CrawlerProcess(plan.base)
    # without --jobdir the request queue still goes to disk: Scrapy's memory queue holds every scheduled
    # Request, and one 200,000-URL sitemap schedules 200,000 of them (~600 MB)
    scratch = None if jobdir else tempfile.TemporaryDirectory(prefix="newsbot-queue-")
    queue_root = Path(jobdir) if jobdir else Path(scratch.name) if scratch is not None else None
    sink = _JsonlSink(output) if output else None
    spider_args = _spider_args(since_dt, store_url, incremental)
    crawlers = []
    for target, is_url, site in sites:
        crawler = _add_crawler(process, target, is_url, site, queue_root=queue_root, resumable=bool(jobdir),
                               sink=sink, on_item=on_item, spider_args=spider_args)
        crawlers.append((site.slug, crawler))

    try:
        stopper, interrupted = _run_reactor(process, plan, [c for _, c in crawlers])
    finally:
        if sink is not None:
            sink.close()
        if scratch is not None:
            scratch.cleanup()
    _summarise(summary, crawlers, stopper, interrupted)
    return summary


@dataclass
class _Plan:
    """The settings every site's crawl starts from, and what run_crawl itself does around the crawls."""

    base: Any  # scrapy Settings
    deadline: float | None  # epoch seconds: the run's time budget ends then
    show_progress: bool


def _resolve_targets(targets: Iterable[str]) -> list[tuple[str, bool, Any]]:
    """(target, is it a URL, its Site) for each target; ValueError before anything is fetched."""
    from spiders.news import resolve_site
    from spiders.registry import load_registry

    sites = []
    registry = load_registry()
    for target in targets:
        is_url = target_is_url(target, registry)
        site = resolve_site(url=target) if is_url else resolve_site(site=target, registry=registry)
        sites.append((target, is_url, site))
    if not sites:
        raise ValueError("nothing to crawl: give site slugs, homepage URLs or --all")
    slugs = [s.slug for _, _, s in sites]
    if len(set(slugs)) != len(slugs):
        raise ValueError("the same site is given twice")
    return sites


def _crawl_settings(
    settings: Mapping[str, Any] | None,
    *,
    allow_private: bool,
    store_url: str | None,
    max_articles: int | None,
    http_cache: bool,
    progress: bool | None,
) -> _Plan:
    overrides: dict[str, Any] = dict(settings or {})
    deadline = overrides.pop("NEWSBOT_DEADLINE", None)
    if allow_private:
        overrides["NEWSBOT_ALLOW_PRIVATE"] = True
    if store_url:
        overrides["NEWSBOT_DB"] = store_url
    if max_articles:
        overrides["CLOSESPIDER_ITEMCOUNT"] = int(max_articles)
    if http_cache:
        overrides["HTTPCACHE_ENABLED"] = True
    base = project_settings(overrides)
    if base.getbool("HTTPCACHE_ENABLED") and not Path(base.get("HTTPCACHE_DIR", "httpcache")).is_absolute():
        # Scrapy puts a relative cache dir beside scrapy.cfg and gives up outside a project: use ./.scrapy
        overrides["HTTPCACHE_DIR"] = str(Path.cwd() / ".scrapy" / base.get("HTTPCACHE_DIR", "httpcache"))
    # progress: an updating line on a terminal, else a log line every 30 s (progress=False: none)
    show_progress = True if progress is None else progress
    if show_progress and sys.stderr.isatty() and "LOG_LEVEL" not in overrides:
        overrides["LOG_LEVEL"] = "WARNING"  # the progress line replaces the INFO log on a terminal
    return _Plan(project_settings(overrides), None if deadline is None else float(deadline), show_progress)


def _repair_saved_state(jobdir: Path, sites: list[Any]) -> list[str]:
    """A resume starts from sound state only: a damaged queue is rebuilt, and said so in one line each (the
    caller tells the notes in the run report and summary, -q included)."""
    from newsbot.jobs import resume

    notes = []
    for site in sites:
        state = jobdir / site.slug
        damage = resume.damage(state)
        if damage:
            resume.rebuild(state)
            notes.append(f"{site.slug}: the saved crawl state in {state} was damaged ({damage}); rebuilt from "
                         "the store and discovery (stored articles are not fetched again)")
    return notes


def _spider_args(since: datetime | None, store_url: str | None, incremental: bool) -> dict[str, Any]:
    """The spider arguments every site's crawl shares."""
    kwargs: dict[str, Any] = {}
    if since is not None:
        kwargs["since"] = since.isoformat()
    if store_url:
        kwargs["store"] = store_url
    if not incremental:
        kwargs["incremental"] = "0"
    return kwargs


def _add_crawler(
    process: Any,
    target: str,
    is_url: bool,
    site: Any,
    *,
    queue_root: Path | None,
    resumable: bool,
    sink: _JsonlSink | None,
    on_item: Callable[[ArticleRecord], None] | None,
    spider_args: dict[str, Any],
) -> Any:
    """One site's crawler, scheduled on the process: its page cap, its queue directory, its item listeners."""
    from scrapy import signals

    from spiders.news import NewsSpider

    crawler = process.create_crawler(NewsSpider)
    politeness = site.politeness or {}
    if politeness.get("max_pages") and not crawler.settings.getint("CLOSESPIDER_PAGECOUNT"):
        crawler.settings.set("CLOSESPIDER_PAGECOUNT", int(politeness["max_pages"]), priority="cmdline")
    if queue_root is not None:
        crawler.settings.set("JOBDIR", str(queue_root / site.slug), priority="cmdline")
    if resumable and queue_root is not None:
        _mark_running(crawler, queue_root / site.slug)
    if sink is not None:
        crawler.signals.connect(sink.write, signal=signals.item_scraped)
    if on_item is not None:
        crawler.signals.connect(lambda item, **_: _call_with_record(on_item, item), signal=signals.item_scraped,
                                weak=False)
    kwargs: dict[str, Any] = {"site": None if is_url else site.slug, "url": target if is_url else None,
                              **spider_args}
    process.crawl(crawler, **kwargs)
    return crawler


def _run_reactor(process: Any, plan: _Plan, crawlers: list[Any]) -> tuple[_Stopper, bool]:
    """Run every crawl to its end (or to a stop: signal, deadline); (the stopper, interrupted by Ctrl-C)."""
    from scrapy import signals as scrapy_signals
    from twisted.internet import reactor

    _one_line_failures(plan.base)
    meter = Progress(crawlers) if plan.show_progress else None
    stopper = _Stopper(crawlers, meter)
    if meter is not None:
        reactor.callWhenRunning(meter.start)
    # after Scrapy's own handlers (installed once the reactor started): ours chain to them
    reactor.callWhenRunning(reactor.callLater, 0, stopper.install)
    deadline = plan.deadline
    if deadline is not None:
        reactor.callWhenRunning(lambda: reactor.callLater(max(0.0, deadline - time.time()), stopper.expire))
    for crawler in crawlers:  # what a spider loads as it opens (pipelines, store, registry) is long-lived too
        crawler.signals.connect(freeze_more, signal=scrapy_signals.spider_opened)  # a handler takes what it needs
    interrupted = False
    try:
        with long_run_collector():
            process.start()
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if meter is not None:
            meter.stop()
    return stopper, interrupted


def _summarise(summary: CrawlSummary, crawlers: list[tuple[str, Any]], stopper: _Stopper,
               interrupted: bool) -> None:
    for slug, crawler in crawlers:
        stats = crawler.stats.get_stats() if crawler.stats else {}
        if stopper.signalled and not stats.get("finish_reason"):
            stats["finish_reason"] = "shutdown"  # forced stop (Ctrl-C twice): the spider never closed
        summary.sites[slug] = site_row(slug, stats)
    rows = list(summary.sites.values())
    summary.totals = _totals(rows)
    summary.finished_at = _now()
    if interrupted or stopper.signalled or any(r["finish_reason"] == "shutdown" for r in rows):
        summary.exit_status = EXIT_INTERRUPTED
    elif not all(r["ok"] for r in rows):
        summary.exit_status = EXIT_FAILED


def _one_line_failures(settings: Any) -> None:
    """No tracebacks in the log unless NEWSBOT_TRACEBACKS (--debug): on the log handlers the crawlers installed
    (each crawler re-installs Scrapy's root handler with its own settings), and again once the reactor runs."""
    from twisted.internet import reactor

    from spiders.onelinelog import install

    tracebacks = settings.getbool("NEWSBOT_TRACEBACKS")
    install(tracebacks)
    reactor.callWhenRunning(install, tracebacks)


def _mark_running(crawler: Any, state: Path) -> None:
    """Mark the job state in use until the spider closed (Scrapy has saved its queue by then)."""
    from scrapy import signals

    from newsbot.jobs import resume

    resume.running(state)
    crawler.signals.connect(lambda **_: resume.closed(state), signal=signals.spider_closed, weak=False)


class _Stopper:
    """Ctrl-C / SIGTERM and the run's deadline: say so at once and stop within seconds.

    Scrapy's graceful stop still downloads every request already in a download slot's queue, one
    DOWNLOAD_DELAY apart (16 queued requests at a 1 s delay: 16 s). Those go back to the scheduler instead
    (`engine.crawl`, dont_filter: they are in the dupefilter already), which saves them with the rest of the
    queue (JOBDIR, or the shared Redis queue) for the next run, and each crawl is closed at once; requests
    already on the wire finish."""

    def __init__(self, crawlers: list, meter: Progress | None):
        self.crawlers = crawlers
        self.meter = meter
        self.signalled = False
        self._previous: dict[int, Any] = {}

    def install(self) -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(signum)
            if callable(previous):
                self._previous[signum] = previous
                signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, frame: Any) -> None:
        from twisted.internet import reactor
        from twisted.internet.interfaces import IReactorThreads

        if not self.signalled:
            self.signalled = True
            # no print() in a signal handler: the interrupted code may be writing to the same stream
            os.write(2, "\nnewsbot: stopping… (again to stop at once; the next run resumes)\n".encode())
            IReactorThreads(reactor).callFromThread(self.stop, "shutdown")  # adapted: see analysis_pool._in_reactor
        previous = self._previous.get(signum)
        if previous is not None:
            previous(signum, frame)  # Scrapy's: a graceful stop, then a forced one on the second signal

    def expire(self) -> None:
        """The run's time budget is spent: close every crawl that is still running, now."""
        self.stop("closespider_timeout")

    def stop(self, reason: str) -> None:
        from scrapy.exceptions import IgnoreRequest
        from scrapy.utils.defer import deferred_from_coro

        if self.meter is not None:
            self.meter.stop()
        for crawler in self.crawlers:
            engine = getattr(crawler, "engine", None)
            if engine is None or not engine.running or engine.spider is None:
                continue
            requeued = 0
            for slot in list(engine.downloader.slots.values()):
                while slot.queue:
                    request, deferred = slot.queue.popleft()
                    try:
                        engine.crawl(request.replace(dont_filter=True))
                        requeued += 1
                    except Exception:  # the spider is closing already: the request stays for rediscovery
                        logger.debug("could not put back %s", request, exc_info=True)
                    deferred.errback(IgnoreRequest("stopping"))
            if requeued and crawler.stats is not None:
                crawler.stats.inc_value("newsbot/stopping/requeued", requeued)
            # closing now, before the engine pulls the requests put back: they stay in the saved queue
            if hasattr(engine, "close_spider_async"):
                deferred_from_coro(engine.close_spider_async(reason=reason))
            else:  # Scrapy < 2.14
                engine.close_spider(engine.spider, reason)


def run_scrape(
    urls: list[str],
    *,
    allow_private: bool = False,
    settings: Mapping[str, Any] | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> list[dict[str, Any]]:
    """Fetch each URL politely and extract it, without a store. Rows in input order: a record's
    exported fields (plus `kind` from the page classification), or {url, error, message}."""
    from scrapy.crawler import CrawlerProcess

    from spiders.scrape import ScrapeSpider

    overrides: dict[str, Any] = {"ITEM_PIPELINES": {}, "LOG_LEVEL": "WARNING", **dict(settings or {})}
    if allow_private:
        overrides["NEWSBOT_ALLOW_PRIVATE"] = True
    base = project_settings(overrides)
    process = CrawlerProcess(base)
    rows: dict[int, dict[str, Any]] = {}

    def sink(index: int, row: dict[str, Any]) -> None:
        rows[index] = row
        if on_row is not None:
            on_row(row)

    process.crawl(ScrapeSpider, urls=list(urls), sink=sink)
    _one_line_failures(base)
    process.start()
    return [
        rows.get(i, {"url": u, "error": "not-fetched", "message": "no response (see the log)"})
        for i, u in enumerate(urls)
    ]
