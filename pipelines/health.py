"""HealthPipeline: counts extraction defects per site and files them in `site_health` when the spider closes.

It runs first (before validation drops the worst records, which are exactly the ones it must count)
and never changes or drops an item. At close it adds the spider's extraction-error count per site,
writes the run's counts through the store URL, judges each site against its history and leaves the
verdict in the stats (`newsbot/health/<site>/score`, `newsbot/health/<site>/alarm`, `newsbot/health/alarms`)
so that the crawl summary and the run report can show it.

Settings: NEWSBOT_DB (store), NEWSBOT_RUN_ID (set by `newsbot crawl`; several workers of one run share
it), NEWSBOT_HEALTH_ENABLED (default on), NEWSBOT_HEALTH_* thresholds (newsbot.health.HealthPolicy); defaults in newsbot/settings.py.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from itemadapter import ItemAdapter

import newsbot.crawled_adapter  # noqa: F401  (registers how ItemAdapter reads a CrawledPage)
from newsbot import settings as defaults
from newsbot.health.policy import HealthPolicy, HealthSample
from newsbot.health.runid import new_run_id
from newsbot.health.store import HealthStore
from newsbot.urls import site_of

logger = logging.getLogger(__name__)


class HealthPipeline:
    def __init__(self, crawler: Any):
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.store_url = settings.get("NEWSBOT_DB") or None
        self.run_id = settings.get("NEWSBOT_RUN_ID") or new_run_id()
        # a run started by `newsbot crawl` files every worker's counts under its start time
        self.run_started = settings.get("NEWSBOT_RUN_STARTED") or None
        # a single scrapy/scrapyd crawl judges its own run; workers of a shared run leave that to their parent
        self.judge = settings.getbool("NEWSBOT_HEALTH_JUDGE", defaults.NEWSBOT_HEALTH_JUDGE)
        self.policy = HealthPolicy.from_settings(settings.get)
        self.samples: dict[str, HealthSample] = {}

    @classmethod
    def from_crawler(cls, crawler: Any) -> HealthPipeline:
        from scrapy.exceptions import NotConfigured

        if not crawler.settings.getbool("NEWSBOT_HEALTH_ENABLED", defaults.NEWSBOT_HEALTH_ENABLED):
            raise NotConfigured("NEWSBOT_HEALTH_ENABLED is off")
        return cls(crawler)

    def _sample(self, site: str) -> HealthSample:
        sample = self.samples.get(site)
        if sample is None:
            sample = self.samples[site] = HealthSample(site)
        return sample

    def process_item(self, item: Any, spider: Any = None) -> Any:
        adapter = ItemAdapter(item)
        site = adapter.get("site") or site_of(adapter.get("url") or "")
        if site:
            self._sample(site).observe(adapter, self.policy)
        return item

    def _extract_errors(self, spider: Any) -> dict[str, int]:
        """Per site article pages whose extraction failed, from the spider's stats (the news spider crawls
        one site, `spider.slug`, and counts them in `newsbot/pages/extract_error`)."""
        stats = self.stats.get_stats() if self.stats else {}
        out = {}
        for key, value in stats.items():
            if key.startswith("newsbot/site/") and key.endswith("/extract_error") and isinstance(value, int):
                out[key[len("newsbot/site/") : -len("/extract_error")]] = value
        site = getattr(spider, "slug", None) or (next(iter(self.samples)) if len(self.samples) == 1 else None)
        if not out and site and stats.get("newsbot/pages/extract_error"):
            out[site] = int(stats["newsbot/pages/extract_error"])
        return out

    def close_spider(self, spider: Any = None) -> None:
        spider = spider or getattr(self.crawler, "spider", None)
        for site, n in self._extract_errors(spider).items():
            self._sample(site).add_extract_errors(n)
        if not self.samples:
            return
        at = self.run_started or datetime.now(UTC).isoformat(timespec="microseconds")
        try:
            with HealthStore(self.store_url) as store:
                for sample in self.samples.values():
                    store.add(self.run_id, sample, at=at)
                verdicts = store.assess_run(self.run_id, self.policy) if self.judge else []
        except Exception:  # health is advice: never fail the crawl for it
            logger.exception("newsbot health: could not record extraction health")
            return
        alarms = 0
        for v in verdicts:
            if v.score is not None and self.stats:
                self.stats.set_value(f"newsbot/health/{v.site}/score", round(v.score, 3))
            if v.alarm:
                alarms += 1
                if self.stats:
                    self.stats.set_value(f"newsbot/health/{v.site}/alarm", 1)
                logger.warning("newsbot health ALARM for %s: %s", v.site, "; ".join(v.reasons))
        if self.stats:
            self.stats.set_value("newsbot/health/alarms", alarms)
            self.stats.set_value("newsbot/health/run_id", self.run_id)
