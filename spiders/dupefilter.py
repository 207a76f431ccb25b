"""A Scrapy dupefilter keyed by canonical URL and kept on disk (see spiders/seen.py for why)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.dupefilters import BaseDupeFilter

from newsbot.urls import canonicalize
from spiders.seen import SeenUrls, seen_for

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request

logger = logging.getLogger(__name__)


# request.meta key: (url, canonical key) when the spider computed it already (a redirect copies the
# meta to a request for another URL, hence the URL beside the key)
KEY_META = "newsbot_key"


def request_key(request: Request) -> str:
    """GET requests by canonical URL (tracking parameters, AMP and mobile variants fold together)."""
    if request.method == "GET" and not request.body:
        known = request.meta.get(KEY_META)
        if known and known[0] == request.url:
            return known[1]
        return canonicalize(request.url)
    return f"{request.method} {request.url} {request.body!r}"


class DiskDupeFilter(BaseDupeFilter):
    def __init__(self, seen: SeenUrls, *, debug: bool = False, stats=None, persistent: bool = False):
        self.seen = seen
        self.debug = debug
        self.stats = stats
        self.persistent = persistent
        self._logged = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiskDupeFilter:
        return cls(
            seen_for(crawler),
            debug=crawler.settings.getbool("DUPEFILTER_DEBUG"),
            stats=crawler.stats,
            persistent=bool(crawler.settings.get("JOBDIR")),
        )

    def request_seen(self, request: Request) -> bool:
        if self.seen.add(request_key(request)):
            return False
        if self.stats is not None:
            self.stats.inc_value("dupefilter/filtered")
        if self.debug:
            logger.debug("Filtered duplicate request: %s", request)
        elif not self._logged:
            logger.debug("Filtered duplicate request %s - no more duplicates will be shown", request)
            self._logged = True
        return True

    def log(self, request: Request, spider=None) -> None:
        pass  # logged (and counted) in request_seen

    def close(self, reason: str) -> None:
        # a paused crawl (JOBDIR) keeps its state to resume; a finished one forgets it so that the
        # next run starts from the homepage again (incremental skipping is the store's job)
        keep = self.persistent and reason != "finished"
        self.seen.close(delete=not keep)
