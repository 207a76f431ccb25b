"""AutoThrottle that never goes below a host's robots.txt `Crawl-delay`.

Scrapy's AutoThrottle floors every slot at DOWNLOAD_DELAY; PoliteRobotsTxtMiddleware records a
host's Crawl-delay as that slot's `delay` in the downloader's per-slot settings, and this floor
keeps AutoThrottle from lowering it.
"""

from __future__ import annotations

from scrapy.extensions.throttle import AutoThrottle


class PoliteAutoThrottle(AutoThrottle):
    def _adjust_delay(self, slot, latency: float, response) -> None:
        super()._adjust_delay(slot, latency, response)
        key = response.meta.get("download_slot") if response.request is not None else None
        floor = self.crawler.engine.downloader.per_slot_settings.get(key, {}).get("delay") if key else None
        if floor and slot.delay < floor:
            slot.delay = floor
