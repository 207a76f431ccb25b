"""`--max-pages N` as a limit: at most N requests go to the network per site.

Scrapy's CloseSpider extension (CLOSESPIDER_PAGECOUNT) counts responses and then closes the spider, but
every request already handed to the downloader is still fetched: `--max-pages 5` fetched 13. This
downloader middleware, placed last before the download handlers, refuses requests beyond the budget (the
robots.txt fetch, retries and redirects count: each is a request to the site); the extension still ends the
crawl once the N responses are in.
"""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import IgnoreRequest, NotConfigured


class PageBudgetMiddleware:
    def __init__(self, limit: int, stats: Any = None):
        self.limit = limit
        self.stats = stats
        self.sent = 0

    @classmethod
    def from_crawler(cls, crawler: Any) -> PageBudgetMiddleware:
        limit = crawler.settings.getint("CLOSESPIDER_PAGECOUNT")
        if limit <= 0:
            raise NotConfigured
        return cls(limit, crawler.stats)

    def process_request(self, request: Any, spider: Any = None) -> None:
        if self.sent >= self.limit:
            if self.stats is not None:
                self.stats.inc_value("newsbot/skipped/max_pages")
            raise IgnoreRequest(f"page budget of {self.limit} spent")
        self.sent += 1
