"""CrawlJob: locks, time budget, health verdicts and the run report around one `newsbot crawl`.

How the crawl command uses it (whatever runs the spiders: one process, one crawler per site, workers):

    with CrawlJob(store=url, max_runtime=args.max_runtime, report_path=args.report) as job:
        sites = job.claim(sites)                   # locked sites are skipped and reported as such
        settings.update(job.scrapy_settings())     # NEWSBOT_RUN_ID, CLOSESPIDER_TIMEOUT from the budget
        for site in sites:                         # (or all at once)
            if job.out_of_time(): job.not_started(site); continue
            stats, reason = crawl(site)            # stats: crawler.stats.get_stats()
            job.site_done(site, stats, finish_reason=reason)
    report = job.report                            # written, health judged, locks released
    job.report.print_summary(sys.stderr); return job.report.exit_code
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from newsbot.health.policy import HealthPolicy
from newsbot.health.runid import new_run_id
from newsbot.health.store import HealthStore
from newsbot.jobs.budget import TimeBudget
from newsbot.jobs.locks import site_lock
from newsbot.jobs.report import RunReport, SiteReport, counts_from_stats, judge
from newsbot.state import state_dir, store_url

log = logging.getLogger(__name__)

# a run every 15 minutes writes 35,000 reports a year: keep the newest ones (about ten days' worth)
KEEP_REPORTS = 1000


def _prune(runs: Path, keep: int) -> None:
    reports = sorted(p for p in runs.glob("*.json") if p.name != "last-run.json")
    for old in reports[: max(0, len(reports) - keep)]:  # run ids start with a UTC timestamp: name order is age
        old.unlink(missing_ok=True)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="seconds")


class CrawlJob:
    def __init__(
        self,
        store: str | None = None,
        *,
        max_runtime: float | None = None,
        report_path: str | Path | None = None,
        run_id: str | None = None,
        health_policy: HealthPolicy | None = None,
        workers: int = 1,
        use_locks: bool = True,
    ):
        self.store = store_url(store)
        self.budget = TimeBudget(max_runtime)
        self.report_path = Path(report_path) if report_path else None
        self.policy = health_policy or HealthPolicy()
        self.use_locks = use_locks
        self._t0 = time.time()
        self.run_id = run_id or new_run_id()
        self.report = RunReport(
            self.run_id, _iso(self._t0), store=_redact(self.store), max_runtime=max_runtime, workers=workers
        )
        self._locks: dict[str, Any] = {}
        self._site_t0: dict[str, float] = {}

    # -- before crawling ------------------------------------------------------------------------
    def claim(self, sites: list[str]) -> list[str]:
        """Lock each site; return those this run may crawl. A site held by another run is reported as skipped."""
        mine = []
        for site in sites:
            if not self.use_locks:
                mine.append(site)
                continue
            lock = site_lock(site, self.store)
            if lock.acquire():
                self._locks[site] = lock
                mine.append(site)
            else:
                holder = lock.holder()
                why = f"locked by {holder.describe()}" if holder else "locked by another run"
                self.report.sites.append(SiteReport(site, status="skipped", reason=why))
        for site in mine:
            self._site_t0[site] = time.time()
        return mine

    def scrapy_settings(self) -> dict[str, Any]:
        """Settings for the crawl(s) this job starts: the run id the health pipeline files its counts under,
        and CLOSESPIDER_TIMEOUT from what is left of the time budget."""
        return {
            "NEWSBOT_RUN_ID": self.run_id,
            "NEWSBOT_RUN_STARTED": self.report.started,
            "NEWSBOT_DB": self.store,
            **self.budget.scrapy_settings(),
        }

    def out_of_time(self) -> bool:
        return self.budget.expired()

    def site_started(self, site: str) -> None:
        self._site_t0[site] = time.time()

    # -- after crawling -------------------------------------------------------------------------
    def not_started(self, site: str, reason: str = "time budget spent before this site's turn",
                    status: str = "not_started") -> None:
        self.report.sites.append(SiteReport(site, status=status, reason=reason))
        self._release(site)

    def site_failed(self, site: str, reason: str, stats: dict[str, Any] | None = None) -> None:
        rep = self._site_report(site, stats or {}, only_site=True)
        rep.status, rep.reason = "failed", reason
        self.report.sites.append(rep)
        self._release(site)

    def site_done(
        self, site: str, stats: dict[str, Any], *, finish_reason: str | None = None, only_site: bool = True
    ) -> SiteReport:
        """Record one site's crawl from its crawler's stats (`only_site=False` when one crawler covered several)."""
        rep = self._site_report(site, stats, only_site=only_site)
        rep.finish_reason = finish_reason or stats.get("finish_reason")
        self.report.sites.append(judge(rep))
        self._release(site)
        return rep

    def sites_done(self, sites: list[str], stats: dict[str, Any], *, finish_reason: str | None = None) -> None:
        """One crawler covered all these sites: split its stats by the per-site keys."""
        for site in sites:
            self.site_done(site, stats, finish_reason=finish_reason, only_site=len(sites) == 1)

    def _site_report(self, site: str, stats: dict[str, Any], *, only_site: bool) -> SiteReport:
        rep = SiteReport(site, **counts_from_stats(stats, site, only_site=only_site))
        t0 = self._site_t0.get(site)
        if t0 is not None:
            rep.duration_s = round(time.time() - t0, 1)
        return rep

    def _release(self, site: str) -> None:
        lock = self._locks.pop(site, None)
        if lock is not None:
            lock.release()

    def finish(self) -> RunReport:
        """Judge extraction health, release what is still locked, write the report, set the exit code."""
        for site in list(self._locks):
            self._release(site)
        self._attach_health()
        t1 = time.time()
        self.report.finished = _iso(t1)
        self.report.duration_s = round(t1 - self._t0, 1)
        self.report.conclude()
        runs = state_dir(self.store) / "runs"
        try:
            self.report.path = str(self.report.write(runs / f"{self.run_id}.json"))
            self.report.write(runs / "last-run.json")
            _prune(runs, KEEP_REPORTS)
        except OSError as exc:  # beside the store, whose disk may be the one that is full: say so, end normally
            log.error("could not write the run report under %s: %s", runs, exc)
            self.report.notes.append(f"run report not written under {runs}: {exc.strerror or exc}")
        if self.report_path:
            self.report.path = str(self.report.write(self.report_path))
        return self.report

    def _attach_health(self) -> None:
        crawled = [s for s in self.report.sites if s.status in ("ok", "partial", "failed", "interrupted")]
        if not crawled:
            return
        try:
            with HealthStore(self.store) as hs:
                verdicts = {v.site: v for v in hs.assess_run(self.run_id, self.policy)}
        except Exception as exc:  # health is advice: a broken health table must not turn a good run into a failed one
            for s in crawled:
                s.health = {"error": repr(exc)}
            return
        by_key = {_site_key(site): v for site, v in verdicts.items()}
        for s in crawled:
            verdict = verdicts.get(s.site) or by_key.get(_site_key(s.site))
            if verdict is not None:
                s.health = verdict.to_dict()

    def __enter__(self) -> CrawlJob:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: object, tb: object) -> None:
        if exc_type is not None:
            for site in list(self._locks):
                self.site_failed(site, f"crawl raised {exc!r}")
            if not issubclass(exc_type, KeyboardInterrupt):  # never "success" for a run that raised
                self.report.error = f"{exc_type.__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
            else:
                self.report.interrupted = True
        self.finish()


def _site_key(site: str) -> str:
    site = site.lower()
    return site[4:] if site.startswith("www.") else site


def _redact(url: str) -> str:
    """The store URL without its password, for the report."""
    if "://" in url and "@" in url.split("://", 1)[1]:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else url
    return url
