"""`newsbot scrape URL...`: fetch given pages with the crawler's politeness, extract, no store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from typing import Any

import scrapy
from scrapy.http import Request, Response

from newsbot.extract import ExtractionError, extract_parsed, parse_page
from spiders.classify import page_kind
from spiders.failures import reason as failure_reason
from spiders.news import _headers


class ScrapeSpider(scrapy.Spider):
    name = "scrape"

    def __init__(self, urls: Iterable[str] | str = (), sink: Callable[[int, dict], None] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.urls = urls.split(",") if isinstance(urls, str) else list(urls)
        self.sink = sink or (lambda index, row: None)

    async def start(self) -> AsyncIterator[Request]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:
        for i, url in enumerate(self.urls):
            # each URL asked for is fetched, even when two are variants of one another
            yield Request(url, callback=self.parse, errback=self.on_error, dont_filter=True, cb_kwargs={"index": i})

    def parse(self, response: Response, index: int) -> None:
        try:
            page = parse_page(response.body, _headers(response))
            record = extract_parsed(page, url=response.url)
        except ExtractionError as exc:
            self.sink(index, {"url": response.url, "error": exc.reason, "message": str(exc)})
            return
        if b"html" in (response.headers.get(b"Content-Type") or b"html"):
            record.kind = page_kind(response.url, page.tree, record.word_count).kind
        self.sink(index, record.to_dict())

    def on_error(self, failure) -> None:
        request = failure.request
        message = failure.getErrorMessage()
        reason = failure_reason(failure)  # unreachable: name not resolved, refused, timeout, robots.txt disallows
        response = getattr(failure.value, "response", None)
        if response is not None:
            reason, message = "http-error", failure_reason(failure)
        self.sink(request.cb_kwargs.get("index", -1), {"url": request.url, "error": reason, "message": message})
