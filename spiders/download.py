"""The HTTP download handler (DOWNLOAD_HANDLERS in newsbot/settings.py): Scrapy's HTTP/1.1 handler with two
bounds a hostile site must not get past.

- The private-address fence at connect time: the connection's own peer address is checked when the TCP
  connection is made, before a byte of the request is written. A name that answered "public" to an earlier
  lookup (PrivateAddressMiddleware) and "127.0.0.1" to the download's own lookup (DNS rebinding) is refused
  here, whatever resolver is installed. Off with NEWSBOT_ALLOW_PRIVATE; requests through a proxy connect to
  the proxy, which is the user's choice, and are exempt.
- A header section that never ends: DOWNLOAD_MAXSIZE bounds only the body, and Twisted's parser keeps every
  header line it is sent. Past NEWSBOT_MAX_HEADER_BYTES bytes or NEWSBOT_MAX_HEADERS lines the connection is
  aborted and the download fails.
- Nothing is sent once the spider starts closing: requests already queued in a download slot (a slot with a
  Crawl-delay holds many) would otherwise leave one by one after "Closing spider", each its delay apart, far
  past --max-runtime. The handler is where a request leaves its slot.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.exceptions import IgnoreRequest

from spiders.fence import is_private_address
from spiders.middlewares import spider_closing

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from twisted.internet.interfaces import IAddress

logger = logging.getLogger(__name__)


class PrivateAddressRefused(IgnoreRequest):
    """The connection reached a loopback/private address (a decision, reported once per host)."""


class HeaderSectionTooLarge(Exception):
    pass


def _bounded_protocol(base: type, max_bytes: int, max_lines: int, stats: Any) -> type:
    class BoundedHeadersProtocol(base):
        """Counts the bytes of each response's header section (up to its blank line) as they arrive."""

        _in_headers = False
        _seen_bytes = 0
        _seen_lines = 0
        _tail = b""

        def request(self, request: Any) -> Any:
            self._in_headers, self._seen_bytes, self._seen_lines, self._tail = True, 0, 0, b""
            return super().request(request)

        def dataReceived(self, data: bytes) -> None:  # noqa: N802 - Twisted's name
            if self._in_headers:
                window = self._tail + data
                end = _header_end(window)
                part = window[len(self._tail):] if end < 0 else window[len(self._tail):end]
                self._seen_bytes += len(part)
                self._seen_lines += part.count(b"\n")
                self._tail = window[-3:]
                if end >= 0:
                    self._in_headers = False
                elif self._seen_bytes > max_bytes or self._seen_lines > max_lines:
                    self._in_headers = False
                    stats.inc_value("newsbot/refused/header_flood")
                    logger.warning(
                        "Aborting a response whose header section exceeds %d bytes or %d lines (%d bytes, %d lines "
                        "so far; NEWSBOT_MAX_HEADER_BYTES / NEWSBOT_MAX_HEADERS)",
                        max_bytes, max_lines, self._seen_bytes, self._seen_lines,
                    )
                    self.transport.abortConnection()
                    return
            super().dataReceived(data)

    return BoundedHeadersProtocol


def _header_end(window: bytes) -> int:
    """Index just past the blank line that ends a header section in `window`, or -1."""
    ends = [i + n for i, n in ((window.find(b"\r\n\r\n"), 4), (window.find(b"\n\n"), 2)) if i >= 0]
    return min(ends) if ends else -1


class NewsbotDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler, *, fence: bool | None = None):
        super().__init__(crawler)
        settings = crawler.settings
        if fence is None:
            fence = not settings.getbool("NEWSBOT_ALLOW_PRIVATE")
        base_factory = self._pool._factory  # Scrapy's lenient factory: keep its parser, add the bounds
        protocol = _bounded_protocol(
            _protocol_class(base_factory), settings.getint("NEWSBOT_MAX_HEADER_BYTES"),
            settings.getint("NEWSBOT_MAX_HEADERS"), crawler.stats,
        )
        stats = crawler.stats

        # misc/valid-type: the base is Scrapy's factory class, known only at run time (a private attribute's value)
        class Factory(base_factory):  # type: ignore[misc,valid-type]
            def buildProtocol(self, addr: IAddress | None) -> Any:  # noqa: N802 - Twisted's name
                host = getattr(addr, "host", None)
                if fence and host and is_private_address(host):
                    stats.inc_value("newsbot/refused/private_at_connect")
                    logger.warning("Refusing a connection to %s: a private or loopback address "
                                   "(--allow-private or NEWSBOT_ALLOW_PRIVATE=1 to crawl local servers)", host)
                    # raised here, the endpoint fails the connection before the request is written
                    raise PrivateAddressRefused(f"connected address {host} is private or loopback")
                return protocol(self._quiescentCallback)

        self._pool._factory = Factory
        # requests through a proxy connect to the proxy (often on this machine): a second pool, no fence
        self._proxied = NewsbotDownloadHandler(crawler, fence=False) if fence else None

    async def download_request(self, request: Request) -> Response:
        if spider_closing(self._crawler):
            self._crawler.stats.inc_value("newsbot/refused/closing")
            # the rest of the queue need not wait its politeness delay just to be refused
            for slot in self._crawler.engine.downloader.slots.values():
                slot.delay = 0.0
            raise IgnoreRequest("not sent: the crawl is closing")
        if self._proxied is not None and request.meta.get("proxy"):
            return await self._proxied.download_request(request)
        return await super().download_request(request)

    async def close(self) -> None:
        if self._proxied is not None:
            await self._proxied.close()
        await super().close()


def _protocol_class(factory: type) -> type:
    """The protocol class the pool's client factory builds (Scrapy's lenient one)."""
    proto = factory(lambda _c: None, "probe").buildProtocol(None)
    return type(proto)
