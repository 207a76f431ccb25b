"""Fetch-only spider, the benchmark's baseline: follows every same-host link, extracts nothing.

`scrapy crawl bare -a url=http://127.0.0.1:8080/ [-a urls_file=FILE] [-a stats_out=FILE.json]`
(benchmarks/crawl.py runs it with AutoThrottle and delays off). urls_file seeds one URL a line (so the
baseline fetches the same pages as a crawl that reads sitemaps and feeds); stats_out gets the final
Scrapy stats as JSON. Counts pages in the `newsbot/pages/fetched` stat like the news spider.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Request, Response, TextResponse
from selectolax.lexbor import LexborHTMLParser


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, url: str = "", urls_file: str | None = None, stats_out: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if not url:
            raise ValueError("the bare spider needs -a url=START_URL")
        self.start_url = url
        self.urls_file = urls_file
        self.stats_out = stats_out
        self.host = urlsplit(url).netloc
        self.linked: set[str] = set()  # links already yielded: any crawler skips them before scheduling

    async def start(self) -> AsyncIterator[Request]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:
        yield Request(self.start_url, callback=self.parse)
        if self.urls_file:
            with open(self.urls_file, encoding="utf-8") as fh:
                for line in fh:
                    if line.strip():
                        yield Request(line.strip(), callback=self.parse)

    def closed(self, reason: str) -> None:
        if self.stats_out:
            stats = dict(self.crawler.stats.get_stats())
            start = stats.get("start_time")
            if start is not None:  # CoreStats may set elapsed_time_seconds only after this runs
                stats["elapsed_time_seconds"] = (datetime.now(UTC) - start).total_seconds()
            with open(self.stats_out, "w", encoding="utf-8") as fh:
                json.dump(stats, fh, indent=1, default=str)

    def parse(self, response: Response) -> Iterator[Request]:
        self.crawler.stats.inc_value("newsbot/pages/fetched")
        if not isinstance(response, TextResponse):
            return
        # the same link walk any crawler does: parse, resolve, stay on the host
        for node in LexborHTMLParser(response.text).css("a[href]"):
            href = node.attributes.get("href")
            if not href or href.startswith(("#", "mailto:", "javascript:")):
                continue
            url = response.urljoin(href)
            if url not in self.linked and urlsplit(url).netloc == self.host:
                self.linked.add(url)
                yield Request(url, callback=self.parse)
