"""The registry-driven news spider: `scrapy crawl news -a site=SLUG` or `-a url=HOMEPAGE`.

Discovery, from a homepage alone: robots.txt `Sitemap:` lines (or the conventional sitemap
locations), sitemap indexes and Google News sitemaps (their dates and titles kept), RSS/Atom feeds
(the registry's and those a page links with <link rel="alternate">), the homepage, sections and
their pagination. URLs are classified before fetching (articles first, assets and service pages
never) and pages after fetching: only articles and liveblogs become items (newsbot.crawled.CrawledPage:
the record and what was computed for it).

One article is fetched once: requests are de-duplicated by canonical URL on disk (DiskDupeFilter),
a page whose declared canonical URL was already fetched is dropped, and an article already in the
store is not fetched again unless its sitemap <lastmod> is newer than the stored copy.

Spider arguments: site, url, since ("2d", "12h", "30m", "1w" or an ISO date), store (store URL;
default NEWSBOT_DB setting / $NEWSBOT_DB), incremental ("0" to refetch stored articles).
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, overload
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future

import newsbot.crawled_adapter  # noqa: F401  (registers how exports read a CrawledPage)
from newsbot import settings as defaults
from newsbot.crawled import CrawledPage
from newsbot.record import RawPage
from newsbot.urls import canonicalize
from spiders.analysis_pool import AnalysisPool, processes_setting
from spiders.classify import RECORD_KINDS, classify_url
from spiders.discovery.bounds import DiscoveryBounds
from spiders.discovery.feeds import FeedError, parse_feed
from spiders.discovery.robots import robots_sitemaps
from spiders.discovery.sitemaps import SitemapError, iter_sitemap
from spiders.dupefilter import KEY_META
from spiders.failures import ROBOTS, reason
from spiders.middlewares import ROBOTS_META
from spiders.pageanalysis import PageOutcome, page_outcome
from spiders.registry import Site, adhoc_site, load_registry, site_for_url
from spiders.seen import SeenUrls, seen_for

logger = logging.getLogger(__name__)

# request priorities: discovery documents first (they are few and feed the queue), then articles
# (so the queue drains as it fills), listing pages last
PRIO_DISCOVERY = 30
PRIO_ARTICLE = 10
PRIO_LISTING = 0
# how many distinct link strings the spider remembers having decided on (bounded: memory stays flat)
RECENT_LINKS = 20_000

# URL kinds worth fetching as listing pages (links to articles) or as article candidates
_LISTING = {"section", "tag", "author"}
_CANDIDATE = RECORD_KINDS | {"other"}
# request meta: how many sitemap indexes led to this sitemap (0: listed by robots.txt, the registry or a page)
SITEMAP_LEVEL = "newsbot_sitemap_level"
_CONVENTIONAL_SITEMAPS = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml")
_SINCE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhdw])\s*$", re.I)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str | datetime | None, now: datetime | None = None) -> datetime | None:
    """'2d' / '12h' / '30m' / '1w' (before now) or an ISO 8601 date/time (UTC when no offset)."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return _utc(value)
    m = _SINCE.match(value)
    if m:
        now = now or datetime.now(UTC)
        return now - timedelta(**{_UNITS[m.group(2).lower()]: float(m.group(1))})
    try:
        return _utc(datetime.fromisoformat(value.strip()))
    except ValueError:
        raise ValueError(f"--since: expected e.g. 2d, 12h, 30m, 1w or an ISO date, got {value!r}") from None


@overload
def _utc(value: datetime) -> datetime: ...
@overload
def _utc(value: datetime | None) -> datetime | None: ...
def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def resolve_site(site: str | None = None, url: str | None = None, registry: dict[str, Site] | None = None) -> Site:
    """A registry site by slug, the registry site a URL belongs to, or an ad-hoc site for the URL."""
    if site:
        sites = load_registry() if registry is None else registry
        if site not in sites:
            raise ValueError(f"unknown site {site!r} (not in the registry; pass its homepage URL instead)")
        return sites[site]
    if url:
        if "://" not in url:
            url = "https://" + url
        known = site_for_url(url, registry)
        if known is not None:
            return known
        return adhoc_site(url)
    raise ValueError("the news spider needs -a site=SLUG or -a url=HOMEPAGE")


class NewsSpider(scrapy.Spider):
    name = "news"
    seen: SeenUrls  # set by from_crawler (seen_for)

    def __init__(
        self,
        site: str | None = None,
        url: str | None = None,
        since: str | None = None,
        store: str | None = None,
        incremental: str | bool = True,
        *args: Any,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.site: Site = resolve_site(site, url)
        # `-a url=` of a page inside a registry site starts from that page as well as the homepage
        self.start_url = url if url and "://" in url else None
        self.slug = self.site.slug
        self.allowed_domains = list(self.site.allowed_domains)
        self.since = parse_since(since)
        self.store_url = store
        self.incremental = str(incremental).lower() not in ("0", "false", "no", "off")
        self.store = None
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._indexed = False  # a sitemap or feed listed at least one URL
        self.analysis: AnalysisPool | None = None
        self.bounds = DiscoveryBounds()  # from the crawler's settings in from_crawler
        self.max_articles = 0  # CLOSESPIDER_ITEMCOUNT, held here: the extension alone overshoots (items in flight)
        self._emitted = 0

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.seen = seen_for(crawler)
        spider.max_articles = max(0, crawler.settings.getint("CLOSESPIDER_ITEMCOUNT"))
        spider.bounds = DiscoveryBounds.from_settings(crawler.settings)
        crawler.signals.connect(spider._opened, signal=signals.spider_opened)
        crawler.signals.connect(spider._closed, signal=signals.spider_closed)
        return spider

    @property
    def stats(self):
        return self.crawler.stats

    # -- lifecycle ---------------------------------------------------------------------------------

    def _opened(self, spider: scrapy.Spider) -> None:
        if self.incremental:
            self.store = self._open_store()
        self._apply_politeness()
        processes = processes_setting(
            self.settings.get("NEWSBOT_EXTRACT_PROCESSES"), self.settings.getint("NEWSBOT_LOCAL_WORKERS", defaults.NEWSBOT_LOCAL_WORKERS)
        )
        if processes:
            self.analysis = AnalysisPool(processes, time_limit=self.settings.getfloat("NEWSBOT_PAGE_TIME_LIMIT"))
            self.stats.set_value("newsbot/extract_processes", processes)

    def _closed(self, spider: scrapy.Spider, reason: str) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None
        if self.analysis is not None:
            self.analysis.close()
            self.analysis = None

    def _open_store(self):
        try:
            from newsbot.store import open_store

            store = open_store(self.store_url or self.settings.get("NEWSBOT_DB") or None)
            store.bound_waits(self.settings.getfloat("NEWSBOT_STORE_WAIT_SECONDS"))  # its waits freeze the crawl
            return store
        except Exception as exc:  # the crawl still works, it only loses incremental skipping
            logger.warning("store unavailable (%s): stored articles will be fetched again", exc)
            return None

    def _apply_politeness(self) -> None:
        """The registry's per-site delay and concurrency, as per-host download slot settings."""
        pol = self.site.politeness or {}
        slot: dict[str, float | int] = {}
        if "download_delay" in pol:
            slot["delay"] = float(pol["download_delay"])
        if "concurrency" in pol:
            slot["concurrency"] = int(pol["concurrency"])
        if not slot:
            return
        downloader = self.crawler.engine.downloader
        hosts = {urlsplit(self.site.homepage).hostname or ""} | set(self.site.allowed_domains)
        for host in hosts:
            downloader.per_slot_settings.setdefault(host, {}).update(slot)

    # -- start -------------------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        for request in self.start_requests():
            yield request

    def start_requests(self) -> Iterator[Request]:
        parts = urlsplit(self.site.homepage)
        root = f"{parts.scheme}://{parts.netloc}"
        yield self._request(
            f"{root}/robots.txt", self.parse_robots, PRIO_DISCOVERY + 10, role="robots", meta={ROBOTS_META: True, "handle_httpstatus_all": True}
        )
        for url in self.site.sitemaps:
            yield self._request(url, self.parse_sitemap, PRIO_DISCOVERY, role="sitemap")
        for url in self.site.feeds:
            yield self._request(url, self.parse_feed, PRIO_DISCOVERY, role="feed")
        yield self._request(self.site.homepage, self.parse_page, PRIO_LISTING + 5, role="listing")
        if self.start_url and canonicalize(self.start_url) != canonicalize(self.site.homepage):
            yield self._request(self.start_url, self.parse_page, PRIO_LISTING + 5, role="listing")

    def _request(self, url: str, callback, priority: int, *, role: str, meta: dict | None = None, **kw) -> Request:
        m = {"newsbot_role": role, **(meta or {})}
        if role not in ("sitemap", "feed", "robots"):  # only sitemaps may be tens of MB
            m.setdefault("download_maxsize", self.settings.getint("NEWSBOT_PAGE_MAXSIZE", defaults.NEWSBOT_PAGE_MAXSIZE))
            m.setdefault("download_warnsize", self.settings.getint("NEWSBOT_PAGE_WARNSIZE", defaults.NEWSBOT_PAGE_WARNSIZE))
        if self.site.politeness.get("obey_robots") is False:
            m["dont_obey_robotstxt"] = True
        return Request(url, callback=callback, errback=self.on_error, priority=priority, meta=m, **kw)

    # -- discovery documents -----------------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Request]:
        sitemaps: list[str] = []
        if response.status == 200 and response.body:
            text = response.body.decode("utf-8", "replace")
            listed = robots_sitemaps(text, response.url, self.bounds.robots_sitemaps)
            sitemaps = [u for u in listed if self.site.allows(u)]
        for url in sitemaps:
            yield self._request(url, self.parse_sitemap, PRIO_DISCOVERY, role="sitemap")
        if not sitemaps and not self.site.sitemaps:
            root = response.url.rsplit("/robots.txt", 1)[0]
            for path in _CONVENTIONAL_SITEMAPS:
                yield self._request(root + path, self.parse_sitemap, PRIO_DISCOVERY, role="sitemap", meta={"guess": 1})

    def parse_sitemap(self, response: Response) -> Iterator[Request]:
        self.stats.inc_value("newsbot/sitemaps/fetched")
        too_deep = 0
        try:
            for item in iter_sitemap(response.body, max_decompressed=self.bounds.sitemap_maxsize,
                                     max_entries=self.bounds.sitemap_entries):
                if item.is_sitemap:
                    if self._older(item.lastmod):
                        self.stats.inc_value("newsbot/skipped/since")
                        continue
                    if self.site.allows(item.url):
                        child = self._nested_sitemap(response, item.url)
                        if child is None:
                            too_deep += 1
                        else:
                            yield child
                    continue
                if self._older(item.news_published or item.lastmod):
                    self.stats.inc_value("newsbot/skipped/since")
                    continue
                self._indexed = True
                yield from self._follow(
                    item.url,
                    lastmod=item.lastmod or item.news_published,
                    hints={"published": item.news_published, "title": item.news_title},
                    from_listing=True,
                )
        except SitemapError as exc:
            if not response.meta.get("guess"):
                logger.warning("bad sitemap %s: %s", response.url, exc)
            self.stats.inc_value("newsbot/sitemaps/invalid")
        finally:
            if too_deep:  # one line per index, however many sitemaps it lists: a wide index is no log flood
                self.stats.inc_value("newsbot/sitemaps/too_deep", too_deep)
                self.stats.inc_value(f"newsbot/site/{self.slug}/sitemaps_too_deep", too_deep)
                logger.warning("sitemap index %s is nested %d deep: the %d sitemap(s) it lists are not followed "
                               "(NEWSBOT_SITEMAP_DEPTH=%d)", response.url, response.meta.get(SITEMAP_LEVEL, 0),
                               too_deep, self.settings.getint("NEWSBOT_SITEMAP_DEPTH"))

    def _nested_sitemap(self, response: Response, url: str) -> Request | None:
        """The request for a sitemap an index lists, or None past NEWSBOT_SITEMAP_DEPTH levels of nesting.

        Nesting is counted apart from the link depth (DEPTH_LIMIT, reset here): a chain of indexes would
        otherwise spend the depth its articles need, and cut them without a word."""
        level = int(response.meta.get(SITEMAP_LEVEL, 0)) + 1
        limit = self.settings.getint("NEWSBOT_SITEMAP_DEPTH")
        if level > limit:  # 0 follows no nested index: a chain is never unbounded
            return None
        return self._request(url, self.parse_sitemap, PRIO_DISCOVERY, role="sitemap",
                             meta={SITEMAP_LEVEL: level, "depth_reset": True})

    def parse_feed(self, response: Response) -> Iterator[Request]:
        self.stats.inc_value("newsbot/feeds/fetched")
        try:
            entries = parse_feed(response.body, response.url, max_bytes=self.bounds.feed_maxsize,
                                 max_entries=self.bounds.feed_entries)
        except FeedError as exc:
            logger.warning("bad feed %s: %s", response.url, exc)
            self.stats.inc_value("newsbot/feeds/invalid")
            return
        for entry in entries:
            if self._older(entry.published):
                self.stats.inc_value("newsbot/skipped/since")
                continue
            self._indexed = True
            yield from self._follow(
                entry.url, hints={"published": entry.published, "title": entry.title}, from_listing=True
            )

    def _older(self, when: datetime | None) -> bool:
        return self.since is not None and when is not None and _utc(when) < self.since

    # -- following links ---------------------------------------------------------------------------

    def _follow(
        self,
        url: str,
        *,
        lastmod: datetime | None = None,
        hints: dict | None = None,
        from_listing: bool,
    ) -> Iterator[Request]:
        """A request for a discovered URL, unless it is off-site, not worth fetching or already done."""
        # pages repeat the same links (navigation, related articles): a bounded memo of link strings
        # already decided skips the costlier checks below; lastmod-bearing entries are always checked
        if lastmod is None:
            # a link met on an article page first may still be followed when a listing shows it
            memo = url if from_listing else "\x00" + url
            if memo in self._recent:
                self._recent.move_to_end(memo)
                return
            self._recent[memo] = None
            if len(self._recent) > RECENT_LINKS:
                self._recent.popitem(last=False)
        if not self.site.allows(url):
            self.stats.inc_value("newsbot/skipped/offsite")
            return
        kind = classify_url(url, self.site)
        if kind == "feed":
            yield self._request(url, self.parse_feed, PRIO_DISCOVERY, role="feed")
            return
        if kind == "sitemap":
            yield self._request(url, self.parse_sitemap, PRIO_DISCOVERY, role="sitemap")
            return
        if kind in _LISTING:
            if from_listing:
                yield self._request(url, self.parse_page, PRIO_LISTING, role="listing")
            return
        if kind not in _CANDIDATE:  # video, gallery, search, static
            self.stats.inc_value(f"newsbot/skipped/{kind}")
            return
        if kind == "other" and not from_listing:
            return
        key = canonicalize(url)
        if key in self.seen:  # cheaper than building a request the dupefilter drops
            return
        if self._stored(key, lastmod):
            self.stats.inc_value("newsbot/skipped/stored")
            return
        meta: dict[str, Any] = {}
        if hints:
            meta["newsbot_hints"] = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in hints.items() if v}
        prio = PRIO_ARTICLE if kind in RECORD_KINDS else PRIO_LISTING + 1
        request = self._request(url, self.parse_page, prio, role="candidate", meta=meta)
        request.meta[KEY_META] = (request.url, key)  # the dupefilter reuses it
        yield request

    def _stored(self, key: str, lastmod: datetime | None = None) -> bool:
        """The article is in the store and the sitemap does not say it changed since."""
        if self.store is None:
            return False
        stored = _utc(self.store.known(key))
        if stored is None:
            return False
        return lastmod is None or _utc(lastmod) <= stored

    # -- pages -------------------------------------------------------------------------------------

    async def parse_page(self, response: Response) -> AsyncIterator[Request | CrawledPage]:
        self.stats.inc_value("newsbot/pages/fetched")
        self.stats.inc_value(f"newsbot/site/{self.slug}/pages")
        if not isinstance(response, TextResponse) or b"html" not in (response.headers.get(b"Content-Type") or b"html"):
            self.stats.inc_value("newsbot/pages/non_article")
            return
        url = response.url
        url_kind = classify_url(url, self.site)
        if url_kind in ("feed", "sitemap"):  # mislabelled link: an XML document served at a page URL
            self.stats.inc_value("newsbot/pages/non_article")
            return
        # every page fetched is read for an article: the URL's look (/ar/555 "section", /details/... "other") is
        # evidence, the page's own content (og:type, JSON-LD, running prose) decides (classify_page)
        headers = _headers(response)
        page = await self._analyse(response, headers, url_kind, True)
        if page.error == "too-deep":  # parsing it would stall the crawl for minutes
            logger.warning("skipping %s: markup nested too deep to parse safely", url)
            self.stats.inc_value("newsbot/pages/too_deep")
        elif page.error == "crashed":
            self.stats.inc_value("newsbot/pages/analysis_crashed")
        if page.error is not None and url_kind in RECORD_KINDS:
            self.stats.inc_value("newsbot/pages/extract_error")
            logger.debug("no article in %s: %s", url, page.error)
        if page.record is not None:
            if self.max_articles and self._emitted >= self.max_articles:
                self.stats.inc_value("newsbot/skipped/max_articles")  # in flight when the limit was reached
                return
            item = self._finish_record(page, response, headers)
            if item is not None:
                self.stats.inc_value("newsbot/pages/article")
                self._emitted += 1
                yield item
                if self.max_articles and self._emitted >= self.max_articles:
                    raise CloseSpider("closespider_itemcount")
        else:
            self.stats.inc_value("newsbot/pages/non_article")
        listing = page.record is None
        for feed in page.feeds:
            if self.site.allows(feed):
                yield self._request(feed, self.parse_feed, PRIO_DISCOVERY, role="feed")
        for nxt in page.next_pages:
            if self.site.allows(nxt):
                yield self._request(nxt, self.parse_page, PRIO_LISTING, role="listing")
        for link in page.links:
            for request in self._follow(link, from_listing=listing):
                yield request

    async def _analyse(self, response: Response, headers: dict[str, str], url_kind: str,
                       want_record: bool) -> PageOutcome:
        """The page's outcome, from an extraction worker process when there are any (see analysis_pool)."""
        args = (response.body, response.url, headers, self.slug)
        # an article's links (related stories) matter when the site has no sitemap or feed to list
        # its articles; otherwise reading them costs time per page and finds nothing new
        kwargs: dict[str, Any] = {
            "url_kind": url_kind, "want_record": want_record, "links_of_articles": not self._indexed,
            "raw": _raw_info(response) if want_record else None, "bounds": self.bounds,
        }
        if self.analysis is not None:
            return await maybe_deferred_to_future(self.analysis.analyse(*args, **kwargs))
        return page_outcome(*args, **kwargs)

    def _finish_record(self, page: PageOutcome, response: Response, headers: dict[str, str]) -> CrawledPage | None:
        record = page.record
        if record is None:
            return None
        url = response.url
        declared = record.canonical_url
        if declared and declared.startswith(("http://", "https://")) and self.site.allows(declared):
            ckey = canonicalize(declared)
            own = {canonicalize(url), canonicalize(response.request.url if response.request else url)}
            if ckey not in own:
                # the page is a variant of another URL: keep it only if that URL was neither fetched
                # nor scheduled in this crawl (marking it so it will not be) nor already stored
                if not self.seen.add(ckey) or self._stored(ckey):
                    self.stats.inc_value("newsbot/pages/canonical_duplicate")
                    return None
        record.kind = page.kind
        record.site = self.slug
        hints = response.meta.get("newsbot_hints") or {}
        if not record.published and hints.get("published"):
            record.published = hints["published"]
        if not record.title and hints.get("title"):
            record.title = hints["title"]
        if self.since is not None:  # by the article's own date: links reach old articles too
            published = _parse_published(record.published)
            if published is None:
                self.stats.inc_value("newsbot/since/undated")  # kept: no date to judge it by
            elif published < self.since:
                self.stats.inc_value("newsbot/skipped/since")
                return None
        raw = RawPage(url=url, body=response.body, headers=headers, **_raw_info(response))
        return CrawledPage(record, raw=raw, packed=page.packed_raw, signed_ahead=page.signed)

    # -- errors ------------------------------------------------------------------------------------

    def on_error(self, failure) -> None:
        request = failure.request
        role = request.meta.get("newsbot_role")
        if request.meta.get("guess") or role == "robots":
            return  # a conventional sitemap location that does not exist is not an error
        loop = _redirect_loop(failure)
        why = reason(failure)
        if failure.check(IgnoreRequest) and not failure.check(HttpError) and not loop:
            if why == ROBOTS:  # the site's reason when robots.txt leaves nothing to fetch
                self.stats.inc_value(f"newsbot/site/{self.slug}/robots_disallowed")
            elif why.startswith("robots.txt answered"):  # a 5xx robots.txt: the site failed, and why
                self.stats.inc_value(f"newsbot/site/{self.slug}/failed/{why}")
            return  # forbidden by robots.txt, refused (private address), offsite: decisions, not errors
        self.stats.inc_value("newsbot/errors")
        self.stats.inc_value(f"newsbot/site/{self.slug}/errors")
        # per reason, so that a site that fetched nothing says why in one line (spiders/runner.site_row)
        self.stats.inc_value(f"newsbot/site/{self.slug}/failed/{why}")
        if loop:
            self.stats.inc_value("newsbot/errors/redirect_loop")
        logger.info("failed %s (%s): %s", request.url, role, why)


def _parse_published(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return _utc(datetime.fromisoformat(value.strip()))
    except ValueError:
        return None


def _redirect_loop(failure) -> bool:
    """A redirect loop (RedirectLoopMiddleware) or a chain longer than REDIRECT_MAX_TIMES: a site fault."""
    message = failure.getErrorMessage()
    return failure.check(IgnoreRequest) is not None and ("redirect loop" in message or "max redirections" in message)


def _raw_info(response: Response) -> dict[str, Any]:
    """What a RawPage holds besides URL, body and headers (the same values for the page packed ahead)."""
    redirects = response.meta.get("redirect_urls") or []
    fetched_at = response.meta.setdefault("newsbot_fetched_at", datetime.now(UTC).isoformat(timespec="seconds"))
    return {
        "status": response.status,
        "fetched_at": fetched_at,
        "request_url": redirects[0] if redirects else (response.request.url if response.request else response.url),
    }


def _headers(response: Response) -> dict[str, str]:
    return {
        k.decode("latin-1"): b", ".join(v).decode("latin-1")
        for k, v in response.headers.items()
        if k.lower() in (b"content-type", b"last-modified", b"etag", b"content-language", b"date")
    }
