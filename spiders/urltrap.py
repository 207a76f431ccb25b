"""A site whose URLs never repeat: the same articles under ever new URLs (a session id or a random token on
every link that the canonical URL cannot know to drop), which only DEPTH_LIMIT would otherwise stop, after
storing thousands of copies. The de-duplication pipeline sees the copies: once NEWSBOT_TRAP_MIN_COPIES
articles of a crawl are copies of articles it already has, and they are NEWSBOT_TRAP_COPY_SHARE of its
articles, the crawl of that site stops with the reason `url_trap` and a line saying why."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from pipelines.common import as_record

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

REASON = "url_trap"  # the spider's close reason: the site fails (spiders.runner.site_row)


class UrlTrapGuard:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.min_copies = crawler.settings.getint("NEWSBOT_TRAP_MIN_COPIES")
        self.share = crawler.settings.getfloat("NEWSBOT_TRAP_COPY_SHARE")
        if self.min_copies <= 0:
            raise NotConfigured
        self.articles = 0
        self.copies = 0
        self.stopped = False
        crawler.signals.connect(self._item_scraped, signal=signals.item_scraped)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> UrlTrapGuard:
        return cls(crawler)

    def _item_scraped(self, item: Any, response: Any = None, spider: Any = None) -> None:
        self.articles += 1
        if as_record(item).duplicate_of:
            self.copies += 1
        if self.stopped or self.copies < self.min_copies or self.copies < self.share * self.articles:
            return
        self.stopped = True
        self.crawler.stats.set_value("newsbot/url_trap/copies", self.copies)
        self.crawler.stats.set_value("newsbot/url_trap/articles", self.articles)
        logger.warning("stopping: %d of the %d articles stored were copies of articles already seen under other "
                       "URLs: the site's URLs never repeat (a session id or token on every link?)",
                       self.copies, self.articles)
        # scheduled, not awaited: closing waits for the items in progress, this one among them
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=REASON))



def describe(stats: Any) -> str:
    """The stopped site's reason, for its summary line and the run report."""
    copies, articles = stats.get("newsbot/url_trap/copies", 0), stats.get("newsbot/url_trap/articles", 0)
    return (f"stopped: the site's URLs never repeat ({copies} of {articles} articles were copies seen under other "
            "URLs; a session id or token on every link?)")
