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

from spiders.closing import spider_closing, watch_closing
from spiders.fence import is_private_address

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from twisted.internet.interfaces import IAddress

logger = logging.getLogger(__name__)


class PrivateAddressRefused(IgnoreRequest):
    """The connection reached a loopback/private address (a decision, reported once per host)."""


class HeaderSectionTooLarge(Exception):
    pass


class _HeaderBound:
    """Counts the bytes of each response's header section (up to its blank line) as they arrive on one
    connection, and aborts the connection past the bounds. Put on the protocol instance the pool's factory
    builds (its `request` and `dataReceived`, public methods of Twisted's IProtocol and HTTP11ClientProtocol):
    the protocol class stays Scrapy's own."""

    def __init__(self, proto: Any, max_bytes: int, max_lines: int, stats: Any):
        self.max_bytes, self.max_lines, self.stats = max_bytes, max_lines, stats
        self.in_headers, self.seen_bytes, self.seen_lines, self.tail = False, 0, 0, b""
        self.proto, self._request, self._data = proto, proto.request, proto.dataReceived
        proto.request, proto.dataReceived = self.request, self.data_received

    def request(self, request: Any) -> Any:
        self.in_headers, self.seen_bytes, self.seen_lines, self.tail = True, 0, 0, b""
        return self._request(request)

    def data_received(self, data: bytes) -> None:
        if self.in_headers:
            window = self.tail + data
            end = _header_end(window)
            part = window[len(self.tail):] if end < 0 else window[len(self.tail):end]
            self.seen_bytes += len(part)
            self.seen_lines += part.count(b"\n")
            self.tail = window[-3:]
            if end >= 0:
                self.in_headers = False
            elif self.seen_bytes > self.max_bytes or self.seen_lines > self.max_lines:
                self.in_headers = False
                self.stats.inc_value("newsbot/refused/header_flood")
                logger.warning(
                    "Aborting a response whose header section exceeds %d bytes or %d lines (%d bytes, %d lines "
                    "so far; NEWSBOT_MAX_HEADER_BYTES / NEWSBOT_MAX_HEADERS)",
                    self.max_bytes, self.max_lines, self.seen_bytes, self.seen_lines,
                )
                self.proto.transport.abortConnection()
                return
        self._data(data)


def _header_end(window: bytes) -> int:
    """Index just past the blank line that ends a header section in `window`, or -1."""
    crlf = window.find(b"\r\n\r\n")
    # a bare "\n\n" counts only before it: searched for in the whole window (the first chunk also holds the start of
    # the body, which may have none), it read 64 KB of every response
    lf = window.find(b"\n\n", 0, crlf + 3 if crlf >= 0 else len(window))
    if lf >= 0 and (crlf < 0 or lf + 2 < crlf + 4):
        return lf + 2
    return crlf + 4 if crlf >= 0 else -1


class NewsbotDownloadHandler(HTTP11DownloadHandler):
    def __init__(self, crawler: Crawler, *, fence: bool | None = None):
        super().__init__(crawler)
        watch_closing(crawler)
        settings = crawler.settings
        if fence is None:
            fence = not settings.getbool("NEWSBOT_ALLOW_PRIVATE")
        max_bytes, max_lines = settings.getint("NEWSBOT_MAX_HEADER_BYTES"), settings.getint("NEWSBOT_MAX_HEADERS")
        stats = crawler.stats
        # The one private attribute this handler touches, and why: neither Scrapy nor Twisted has a public hook
        # for the protocol of a pooled HTTP connection, which is where both the connected address and the raw
        # header bytes are seen. Scrapy itself installs its lenient factory by setting the pool's `_factory`
        # (HTTP11DownloadHandler.__init__); this subclasses the factory found there, keeping Scrapy's parser.
        # Without it the crawl would not start (a Scrapy that moved it fails here, not silently unfenced).
        base_factory = self._pool._factory

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
                proto = super().buildProtocol(addr)
                _HeaderBound(proto, max_bytes, max_lines, stats)
                return proto

        self._pool._factory = Factory
        # requests through a proxy connect to the proxy (often on this machine): a second pool, no fence
        self._proxied = NewsbotDownloadHandler(crawler, fence=False) if fence else None

    async def download_request(self, request: Request) -> Response:
        if spider_closing(self.crawler):
            self.crawler.stats.inc_value("newsbot/refused/closing")
            # the rest of the queue need not wait its politeness delay just to be refused
            for slot in self.crawler.engine.downloader.slots.values():
                slot.delay = 0.0
            raise IgnoreRequest("not sent: the crawl is closing")
        if self._proxied is not None and request.meta.get("proxy"):
            return await self._proxied.download_request(request)
        return await super().download_request(request)

    async def close(self) -> None:
        if self._proxied is not None:
            await self._proxied.close()
        await super().close()

