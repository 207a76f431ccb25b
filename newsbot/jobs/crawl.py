"""`newsbot crawl` as a scheduled job: the options and the wrapper around spiders.runner.run_crawl.

    add_job_arguments(parser)        # --max-runtime, --report, --workers, --redis-url, --no-lock
    report, summary = run_job(targets, args, crawl_kwargs)   # crawl_kwargs: what run_crawl would get
    report.print_summary(sys.stderr); return report.exit_code

One worker (the default) crawls in this process. `--workers N` starts N worker processes
(`python -m newsbot.jobs.worker`) that share each site's crawl through scrapy-redis (REDIS_URL); this
process holds the site locks, merges the workers' counts and judges extraction health once for all.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from newsbot.argtypes import positive
from newsbot.jobs.config import ConfigError, Unavailable, check_redis, ping_redis, ping_store
from newsbot.jobs.report import RunReport, SiteReport
from newsbot.jobs.run import CrawlJob

HEALTH_PIPELINE = "pipelines.health.HealthPipeline"
HEALTH_PRIORITY = 50  # before validation, which drops the records health must count


def add_job_arguments(parser: argparse.ArgumentParser) -> None:
    g = parser.add_argument_group("scheduled runs (docs/scheduling.md)")
    g.add_argument(
        "--max-runtime", type=positive(float), metavar="SECONDS",
        help="wall-clock budget for the whole run; sites still crawling then stop cleanly and the next run resumes",
    )
    g.add_argument("--report", metavar="FILE", help="also write the JSON run report here (always kept under the store's .jobs/runs/)")
    g.add_argument("--workers", type=positive(int), default=1, metavar="N", help="N local worker processes share the crawl (needs --redis-url / $REDIS_URL)")
    g.add_argument("--redis-url", metavar="URL", help="scrapy-redis shared queue and dupefilter (default: $REDIS_URL)")
    g.add_argument("--no-lock", action="store_true", help="do not take the per-site locks (not for scheduled runs)")


def slug_of(target: str) -> str:
    """The site slug a crawl target (registry slug, homepage URL or bare domain) resolves to, as the runner does."""
    from spiders.news import resolve_site
    from spiders.runner import target_is_url

    return (resolve_site(url=target) if target_is_url(target) else resolve_site(site=target)).slug


def check_job_arguments(args: argparse.Namespace) -> None:
    """The job options that need no network: raises ConfigError (exit 2)."""
    workers = int(getattr(args, "workers", 1) or 1)
    redis_url = _redis_url(args)
    if redis_url:
        check_redis(redis_url, "--redis-url" if getattr(args, "redis_url", None) else "REDIS_URL")
    if workers > 1 and not redis_url:
        raise ConfigError("--workers: more than one worker needs a shared queue: give --redis-url or set REDIS_URL")


def with_health_pipeline(settings: dict[str, Any]) -> dict[str, Any]:
    """The crawl settings with the health pipeline in ITEM_PIPELINES (a no-op once newsbot.settings lists it)."""
    if "ITEM_PIPELINES" in settings:
        return settings
    from newsbot import settings as project

    pipelines = dict(getattr(project, "ITEM_PIPELINES", {}))
    if HEALTH_PIPELINE in pipelines:
        return settings
    return {**settings, "ITEM_PIPELINES": {HEALTH_PIPELINE: HEALTH_PRIORITY, **pipelines}}


def site_from_row(job: CrawlJob, slug: str, row: dict[str, Any]) -> SiteReport:
    """Record a site from the runner's summary row (spiders.runner.site_row)."""
    stats = {
        f"newsbot/site/{slug}/pages": row.get("pages", 0),
        f"newsbot/site/{slug}/article": row.get("articles", 0),
        f"newsbot/site/{slug}/new": row.get("new", 0),
        f"newsbot/site/{slug}/updated": row.get("updated", 0),
        f"newsbot/site/{slug}/unchanged": row.get("unchanged", 0),
        f"newsbot/site/{slug}/near_duplicate": row.get("near_duplicate", 0),
        f"newsbot/site/{slug}/invalid": row.get("invalid", 0),
        f"newsbot/site/{slug}/store_error": row.get("store_error", 0),
        f"newsbot/site/{slug}/errors": row.get("errors", 0) + row.get("extract_errors", 0),
        f"newsbot/site/{slug}/sitemaps_too_deep": row.get("sitemaps_too_deep", 0),
        f"newsbot/site/{slug}/spooled": row.get("spooled", 0),
        f"newsbot/site/{slug}/replayed": row.get("replayed", 0),
    }
    rep = job.site_done(slug, stats, finish_reason=row.get("finish_reason") or "unknown", only_site=False)
    if rep.status == "ok" and not row.get("responses"):
        rep.status = "failed"
    # the runner may know better (a URL trap; where the unstored articles were kept)
    generic = rep.reason == f"crawl ended: {rep.finish_reason}" or bool(rep.store_errors)
    if rep.status == "failed" and (not rep.pages or generic) and row.get("reason"):
        rep.reason = row["reason"]  # the runner's words: unreachable: name not resolved, refused, HTTP 503...
    elif rep.status == "failed" and not rep.reason:
        rep.reason = "unreachable: no response from the site"
    if row.get("duration") is not None:
        rep.duration_s = row["duration"]
    return rep


def _redis_url(args: argparse.Namespace) -> str:
    return getattr(args, "redis_url", None) or os.environ.get("REDIS_URL") or ""


def run_job(targets: list[str], args: argparse.Namespace, crawl_kwargs: dict[str, Any]) -> tuple[RunReport, Any]:
    """Lock, crawl (in this process or in workers), report. Raises ValueError for usage errors (exit 2)."""
    workers = int(getattr(args, "workers", 1) or 1)
    redis_url = _redis_url(args)
    if workers < 1:
        raise ValueError("--workers must be at least 1")
    if workers > 1 and not redis_url:
        raise ValueError("--workers needs a shared queue: give --redis-url or set REDIS_URL")
    max_runtime = getattr(args, "max_runtime", None)
    if max_runtime is not None and max_runtime <= 0:
        raise ValueError("--max-runtime must be positive")
    # usage errors (unknown slug, bad --since) surface here, before anything is locked or reported
    slugs = {t: slug_of(t) for t in targets}
    if crawl_kwargs.get("since") is not None:
        from spiders.news import parse_since

        parse_since(crawl_kwargs["since"])

    check_job_arguments(args)
    job = CrawlJob(
        crawl_kwargs.get("store_url"),
        max_runtime=max_runtime,
        report_path=getattr(args, "report", None),
        workers=workers,
        # on a shared Redis queue two runs cooperate instead of colliding: no lock needed (and workers on
        # other machines must be able to join)
        use_locks=not getattr(args, "no_lock", False) and not redis_url,
    )
    if redis_url:
        job.report.notes.append("shared crawl on Redis: site locks not taken, concurrent runs share the queue")
    summary: Any = None  # the runner's CrawlSummary (one process) or the workers' rows: the caller tells them apart
    with job:
        try:  # the services the crawl writes to, before it starts: a store that is down fails every site
            ping_store(job.store)
            if redis_url:
                ping_redis(redis_url)
        except Unavailable as exc:
            for slug in dict.fromkeys(slugs.values()):
                job.not_started(slug, str(exc), status="failed")
            return job.report, summary
        mine = set(job.claim(list(dict.fromkeys(slugs.values()))))
        todo = [t for t in targets if slugs[t] in mine]
        if todo:
            kwargs = {**crawl_kwargs, "settings": _job_settings(job, crawl_kwargs.get("settings"), redis_url)}
            summary = _crawl(job, todo, kwargs, workers, mine)
    return job.report, summary


def _job_settings(job: CrawlJob, given: dict | None, redis_url: str | None) -> dict[str, Any]:
    """The crawl's Scrapy settings: the user's, within the job's time budget, with the shared queue's."""
    settings = dict(given or {})
    budget = job.scrapy_settings()
    if "CLOSESPIDER_TIMEOUT" in budget and settings.get("CLOSESPIDER_TIMEOUT"):
        budget["CLOSESPIDER_TIMEOUT"] = min(int(float(settings["CLOSESPIDER_TIMEOUT"])), budget["CLOSESPIDER_TIMEOUT"])
    settings.update(budget)
    left = job.budget.remaining()
    if left is not None:  # the runner closes every crawl then, however busy (spiders/runner._Stopper)
        settings["NEWSBOT_DEADLINE"] = time.time() + left
    if redis_url:
        from spiders.redis_support import redis_settings

        settings.update(redis_settings(redis_url))
    return with_health_pipeline(settings)


def _crawl(job: CrawlJob, todo: list[str], kwargs: dict[str, Any], workers: int, mine: set[str]) -> Any:
    """Crawl the claimed sites in this process or in workers; every claimed site ends in the report."""
    summary: Any
    if workers == 1:
        from spiders.runner import run_crawl

        summary = run_crawl(todo, **kwargs)
        rows = summary.sites
        job.report.interrupted = summary.exit_status == 130
        job.report.notes.extend(summary.notes)
    else:
        from newsbot.jobs.workers import run_workers

        rows, notes = run_workers(todo, kwargs, workers)
        summary = rows
        job.report.notes.extend(notes)
    for slug, row in rows.items():
        site_from_row(job, slug, row)
    for slug in sorted(mine - set(rows)):  # every worker died before finishing it
        job.site_failed(slug, "no worker finished this site" if workers > 1 else "the crawl did not report")
    return summary
