"""Downloader middlewares for politeness and safety, wired in newsbot/settings.py.

- PrivateAddressMiddleware: refuses URLs whose host resolves to a loopback/private/link-local
  address (a crawler fed URLs from the web must not be turned against the local network).
  Off with NEWSBOT_ALLOW_PRIVATE (the demo and the tests crawl 127.0.0.1). The download handler
  (spiders/download.py) checks again the address each connection is made to.
- PoliteRobotsTxtMiddleware: Scrapy's robots.txt middleware, plus `Crawl-delay` (Scrapy ignores it)
  applied to the host's download slot as a floor AutoThrottle keeps (from the `robots_parsed` signal and
  `RobotParser.crawl_delay()`), robots.txt bounded in size and time, RFC 9309's reading of its errors
  (5xx: disallow all), and the fetched robots.txt handed to the spider (which reads its `Sitemap:` lines)
  without a second download.
- RetryAfterMiddleware: Scrapy's retry middleware, plus `Retry-After` on 429/503: the host's slot
  waits that long before its next request.
- RedirectLoopMiddleware: a redirect back to a URL of its own chain is a loop, reported as a failure
  (the dupefilter would otherwise drop the repeat silently and the page just vanish).
- HeadMetaRefreshMiddleware: Scrapy's meta-refresh redirects, asked only of pages whose head can hold one.
"""

from __future__ import annotations

import logging
import re
import time
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from scrapy import signals
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorPluggableNameResolver, IResolutionReceiver
from w3lib.url import safe_url_string
from zope.interface import provider

from newsbot import settings as defaults
from newsbot.urls import canonicalize
from spiders.discovery.robots import cap_lines
from spiders.fence import is_private_address

__all__ = ["is_private_address"]  # re-exported: the fence's rule lives in spiders/fence.py

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request

logger = logging.getLogger(__name__)

# meta key: this request is the spider asking for robots.txt (answered from the middleware's copy)
ROBOTS_META = "newsbot_robots"


def resolve_host(host: str) -> Deferred[list[str]]:
    """The host's addresses from the reactor's resolver (TWISTED_DNS_RESOLVER), the one downloads use."""
    from twisted.internet import reactor  # the installed one

    done: Deferred[list[str]] = Deferred()
    found: list[str] = []

    @provider(IResolutionReceiver)
    class Receiver:
        @staticmethod
        def resolutionBegan(resolution: object) -> None:  # noqa: N802 - Twisted's names
            pass

        @staticmethod
        def addressResolved(address: object) -> None:  # noqa: N802
            found.append(getattr(address, "host", ""))

        @staticmethod
        def resolutionComplete() -> None:  # noqa: N802
            done.callback(found)

    # adapted (a no-op at run time): the reactor's declared type names only the interfaces every reactor has, and
    # mypy-zope does not read @provider
    IReactorPluggableNameResolver(reactor).nameResolver.resolveHostName(IResolutionReceiver(Receiver), host, 0)
    return done


class PrivateAddressMiddleware:
    def __init__(self, crawler: Crawler):
        if crawler.settings.getbool("NEWSBOT_ALLOW_PRIVATE"):
            raise NotConfigured
        self.stats = crawler.stats
        self._verdicts: dict[str, bool] = {}  # host -> refused; a crawl meets few hosts

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrivateAddressMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request, spider=None) -> None:
        if request.url.startswith(("data:", "file:")):
            return
        host = urlparse_cached(request).hostname or ""
        refused = self._verdicts.get(host)
        if refused is None:
            refused = await self._check(host)
            self._verdicts[host] = refused
            if refused:
                logger.warning(
                    "Refusing %s: it resolves to a private or loopback address "
                    "(use --allow-private or NEWSBOT_ALLOW_PRIVATE=1 to crawl local servers)",
                    host,
                )
        if refused:
            self.stats.inc_value("newsbot/refused/private")
            raise IgnoreRequest(f"{host} resolves to a private address")

    async def _check(self, host: str) -> bool:
        if not host:
            return True
        if is_private_address(host.strip("[]")):
            return True
        # an early, clear refusal; the download handler checks the address it actually connects to
        # (spiders/download.py), so a second, different answer (DNS rebinding) is refused there
        addresses = await maybe_deferred_to_future(resolve_host(host))
        # unresolvable: let the download fail with its own, clearer, error
        return any(is_private_address(a) for a in addresses)


class RedirectFenceMiddleware:
    """Redirects never leave the spider's site. Scrapy's OffsiteMiddleware lets `dont_filter` requests
    through, and a retried request carries dont_filter=True, which a redirect copies: after one 503 a
    redirect could otherwise take the crawl to any host."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectFenceMiddleware:
        return cls(crawler)

    def process_request(self, request: Request, spider=None) -> None:
        site = getattr(self.crawler.spider, "site", None)
        if site is None or not request.meta.get("redirect_urls") or site.allows(request.url):
            return
        self.crawler.stats.inc_value("newsbot/refused/offsite_redirect")
        logger.info("Refusing a redirect off the site: %s -> %s", request.meta["redirect_urls"][-1], request.url)
        raise IgnoreRequest(f"redirect off the site to {request.url}")


class RedirectLoopMiddleware:
    """Sees 3xx responses before Scrapy's RedirectMiddleware (a higher order number: process_response runs
    from the engine inwards) and refuses a Location that comes back to the chain."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectLoopMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in (301, 302, 303, 307, 308) or location is None:
            return response
        target = canonicalize(urljoin(request.url, safe_url_string(location.decode("latin-1"))))
        chain = [*request.meta.get("redirect_urls", ()), request.url]
        if target not in {canonicalize(u) for u in chain}:
            return response
        self.crawler.stats.inc_value("newsbot/refused/redirect_loop")
        raise IgnoreRequest(f"redirect loop: {' -> '.join(chain)} -> {target}")


def _slot_key(crawler: Crawler, request: Request) -> str:
    return crawler.engine.downloader.get_slot_key(request)


# robots.txt as RFC 9309 reads it: a 5xx answer (after the retries) means "complete disallow" for a while,
# i.e. for this crawl; a 4xx answer means there are no rules
CRAWL_DELAY_MARGIN = 0.25  # seconds (harmless beside delays of a second or more)
_DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


_ROBOTS_FETCH = "newsbot_robots_fetch"  # meta key: marks Scrapy's own robots.txt request (kept by its retries)


def _is_robots_fetch(request: Request) -> bool:
    """The robots.txt request Scrapy's RobotsTxtMiddleware makes for itself (or a retry of it)."""
    if request.meta.get(_ROBOTS_FETCH):
        return True
    return (request.priority == RobotsTxtMiddleware.DOWNLOAD_PRIORITY and bool(request.meta.get("dont_obey_robotstxt"))
            and urlparse_cached(request).path == "/robots.txt" and not request.meta.get(ROBOTS_META))


class PoliteRobotsTxtMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        settings = crawler.settings
        self.max_crawl_delay = settings.getfloat("NEWSBOT_MAX_CRAWL_DELAY")
        self.robots_maxsize = settings.getint("NEWSBOT_ROBOTS_MAXSIZE")
        self.robots_max_lines = settings.getint("NEWSBOT_ROBOTS_MAX_LINES")
        self.robots_timeout = settings.getfloat("NEWSBOT_ROBOTS_TIMEOUT")
        self.robots_retry_times = settings.getint("NEWSBOT_ROBOTS_RETRY_TIMES")
        self._responses: dict[str, Response] = {}  # netloc -> robots.txt as fetched (the spider reads its Sitemaps)
        self._delayed: set[str] = set()  # download slots with a Crawl-delay
        self._server_errors: dict[str, str] = {}  # netloc -> "HTTP 503 after 3 tries" of its robots.txt
        ua = self._robotstxt_useragent or self._default_useragent
        self._ua_token = (ua.decode() if isinstance(ua, bytes) else str(ua)).split("/", 1)[0]
        crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)

    # a downloader middleware may answer a request with a Response (Scrapy's contract); the parent never does, so its
    # signature says None
    async def process_request(self, request: Request, spider=None) -> Response | None:  # type: ignore[override]
        if request.meta.get(ROBOTS_META):
            await self.robot_parser(request)
            netloc = urlparse_cached(request).netloc
            stored = self._responses.get(netloc)
            if stored is None:  # robots.txt missing or unreachable: answer as a 404
                return Response(request.url, status=404, body=b"", request=request)
            return stored.replace(url=request.url, request=request)
        if _is_robots_fetch(request):
            request.meta[_ROBOTS_FETCH] = True
            # a site controls robots.txt: bounded in size (gzip included) and time (a hang holds the whole site)
            request.meta.setdefault("download_maxsize", self.robots_maxsize)
            request.meta.setdefault("download_warnsize", 0)
            request.meta.setdefault("download_timeout", self.robots_timeout)
            request.meta.setdefault("max_retry_times", self.robots_retry_times)
            return None
        try:
            await super().process_request(request)
        except IgnoreRequest:
            answered = self._server_errors.get(urlparse_cached(request).netloc)
            if answered is None:
                raise
            raise IgnoreRequest(f"robots.txt answered {answered}: disallowed for this crawl (RFC 9309)") from None
        if _slot_key(self.crawler, request) in self._delayed:
            # AutoThrottle must not take the slot's delay below the Crawl-delay (Scrapy's documented meta key)
            request.meta["autothrottle_dont_adjust_delay"] = True
        return None

    def process_response(self, request: Request, response: Response, spider=None) -> Response:
        if not _is_robots_fetch(request):
            return response
        netloc = urlparse_cached(request).netloc
        if response.status >= 500:
            logger.warning("robots.txt of %s answered HTTP %d: the site is treated as disallowed for this crawl "
                           "(RFC 9309)", netloc, response.status)
            n = int(request.meta.get("retry_times", 0)) + 1
            self._server_errors[netloc] = f"HTTP {response.status}" + (f" after {n} tries" if n > 1 else "")
            self.crawler.stats.inc_value("newsbot/robots/server_error")
            response = response.replace(status=200, body=_DISALLOW_ALL)
        elif response.status >= 300:
            response = response.replace(body=b"")  # 4xx: no rules (an error page's text is not robots.txt)
        else:
            body, dropped = cap_lines(response.body, self.robots_max_lines)
            if dropped:
                logger.warning("robots.txt of %s has over %d lines (NEWSBOT_ROBOTS_MAX_LINES): the %d after them "
                               "are not read, its Sitemap: lines excepted", netloc, self.robots_max_lines, dropped)
                self.crawler.stats.inc_value("newsbot/robots/lines_dropped", dropped)
                response = response.replace(body=body)
            self._responses[netloc] = response
        return response

    def process_exception(self, request: Request, exception: Exception, spider=None) -> Response | None:
        if not _is_robots_fetch(request) or isinstance(exception, IgnoreRequest):
            return None
        # unreachable, too big, timed out: crawled as a site without robots.txt; the pages fail on their own
        # if the site is down, with their own reason
        logger.info("robots.txt of %s unavailable (%s): crawling as if it had none", urlparse_cached(request).netloc,
                    exception.__class__.__name__ if not str(exception) else exception)
        self.crawler.stats.inc_value("newsbot/robots/unavailable")
        return Response(request.url, status=404, body=b"", request=request)

    def _robots_parsed(self, robotparser: Any, request: Request) -> None:
        """Crawl-delay (which Scrapy does not apply) as the floor of the host's download slot."""
        try:
            delay = robotparser.crawl_delay(self._ua_token)
        except (TypeError, ValueError):
            delay = None
        if not delay or delay <= 0:
            return
        # the slot counts from when a request is handed to the connection, the site from when it arrives: the
        # margin keeps a request sent on a fresh connection from landing closer than asked to the next one
        delay = min(float(delay), self.max_crawl_delay) + CRAWL_DELAY_MARGIN
        downloader = self.crawler.engine.downloader
        key = _slot_key(self.crawler, request)
        # per-slot settings survive the downloader's idle-slot garbage collection; no jitter, which would
        # otherwise halve the delay between some requests
        downloader.per_slot_settings.setdefault(key, {}).update(delay=delay, jitter=0.0)
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.delay = max(slot.delay, delay)
            slot.jitter = 0.0
        self._delayed.add(key)
        self.crawler.stats.set_value(f"newsbot/crawl_delay/{key}", delay)
        logger.info("robots.txt of %s asks for Crawl-delay: %s s", key, delay)


_DELAY_SECONDS = re.compile(r"[0-9]{1,12}")


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Retry-After as seconds: an integer, or an HTTP date (RFC 9110 section 10.2.3)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if _DELAY_SECONDS.fullmatch(text):  # ASCII digits only: "¹".isdigit() is True, and float("¹") fails
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, settings):
        super().__init__(settings)
        self.max_wait = settings.getfloat("NEWSBOT_RETRY_AFTER_MAX", defaults.NEWSBOT_RETRY_AFTER_MAX)

    def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:
        if response.status in (429, 503) and not request.meta.get("dont_retry", False):
            wait = retry_after_seconds(response.headers.get(b"Retry-After"))
            if wait is not None:
                if wait > self.max_wait:
                    logger.warning("%s asks to retry in %.0f s; giving up on %s", response.status, wait, request)
                    self.crawler.stats.inc_value("newsbot/retry_after/gave_up")
                    return response
                self._pause_slot(request, wait)
        return super().process_response(request, response)

    def _pause_slot(self, request: Request, wait: float) -> None:
        downloader = self.crawler.engine.downloader
        key = _slot_key(self.crawler, request)
        slot = downloader.slots.get(key)
        if slot is None or wait <= 0:
            return
        self.crawler.stats.inc_value("newsbot/retry_after/paused")
        previous = slot.delay
        pause = max(previous, wait)
        # the downloader waits `delay - (now - lastseen)` before the slot's next request
        slot.delay = pause
        slot.lastseen = time.monotonic() + wait
        logger.info("%s: Retry-After %.1f s, pausing requests to %s", response_label(request), wait, key)

        def restore() -> None:
            if slot.delay == pause:
                slot.delay = previous

        from twisted.internet import reactor  # the installed one (not importable at module load)

        reactor.callLater(1.5 * wait, restore)


def response_label(request: Request) -> str:
    return f"<{request.method} {request.url}>"


# Scrapy reads a meta refresh from the first 4,096 characters of the page's text, which it gets by decoding the
# whole body (response.text): 150 KB of a news page a response, in the crawler process that never reads the text
# otherwise (extraction decodes the page in its worker). 4,096 characters are at most 16,384 bytes in UTF-8 or
# any legacy encoding; w3lib replaces character references before it matches, hence "&#"; a NUL byte means
# UTF-16 or UTF-32, where "refresh" is not these bytes.
META_REFRESH_HEAD_BYTES = 4 * 4096


def _may_refresh(body: bytes) -> bool:
    # lower() and three substring searches: a fifth of the time of one case-blind regular expression over 16 KB
    head = body[:META_REFRESH_HEAD_BYTES].lower()
    return b"refresh" in head or b"&#" in head or b"\x00" in head


class HeadMetaRefreshMiddleware(MetaRefreshMiddleware):
    """MetaRefreshMiddleware (in its place, 580) that leaves alone a page whose head cannot hold a refresh."""

    def process_response(self, request: Request, response: Response, spider=None) -> Request | Response:
        if isinstance(response, HtmlResponse) and not _may_refresh(response.body):
            return response
        return super().process_response(request, response)
