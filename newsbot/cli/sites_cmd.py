"""`newsbot sites` lists the site registry; `newsbot sites check [SLUG...]` verifies entries live.

The check uses a plain HTTP client (urllib, our User-Agent, robots.txt obeyed), not Scrapy, so one
site takes a few seconds: robots.txt, homepage, feeds and sitemaps (parsed, entries counted), then one
sample article fetched and run through newsbot.extract.
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from newsbot.cli.output import dumps, utf8_stdout
from newsbot.settings import USER_AGENT
from spiders.classify import classify_url
from spiders.discovery.feeds import feed_links, parse_feed
from spiders.discovery.links import page_links
from spiders.discovery.robots import can_fetch, crawl_delay, robots_sitemaps
from spiders.discovery.sitemaps import SitemapError, iter_sitemap
from spiders.registry import RegistryError, Site, load_registry

MAX_BODY = 30 * 2**20  # bytes read per response; a sitemap bigger than this is reported as truncated
MAX_SITEMAP_URLS = 200_000
MAX_DELAY = 5.0  # cap on the per-site delay between requests during a check
MIN_SAMPLE_WORDS = 50


# ----------------------------------------------------------------------------------------------- CLI
def _common(p: argparse.ArgumentParser, *, sub: bool) -> None:
    # sub-parser copies default to SUPPRESS so `sites --registry X check` keeps X
    d = argparse.SUPPRESS if sub else None
    p.add_argument("--registry", type=Path, default=d, metavar="PATH", help="registry TOML (default data/sites.toml)")
    p.add_argument("--json", action="store_true", default=argparse.SUPPRESS if sub else False, help="JSON lines output")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sites", help="list the site registry, or check entries against the live sites")
    _common(p, sub=False)
    p.add_argument("--region", help="only sites of this region")
    p.set_defaults(func=run_list, region=None)
    actions = p.add_subparsers(dest="sites_command", metavar="ACTION")
    lst = actions.add_parser("list", help="list registry entries (the default)")
    _common(lst, sub=True)
    lst.add_argument("--region", default=argparse.SUPPRESS, help="only sites of this region")
    lst.set_defaults(func=run_list)
    chk = actions.add_parser("check", help="fetch each site's homepage, robots.txt, feeds, sitemaps and one article")
    _common(chk, sub=True)
    chk.add_argument("slugs", nargs="*", metavar="SLUG", help="sites to check (default: all)")
    chk.add_argument("--timeout", type=float, default=15.0, help="seconds per HTTP request (default 15)")
    chk.add_argument("--jobs", type=int, default=4, help="sites checked in parallel (default 4)")
    chk.set_defaults(func=run_check)


def _load(args: argparse.Namespace) -> dict[str, Site] | None:
    try:
        return load_registry(args.registry)
    except (OSError, RegistryError) as exc:
        print(f"newsbot sites: {exc}", file=sys.stderr)
        return None


def run_list(args: argparse.Namespace) -> int:
    registry = _load(args)
    if registry is None:
        return 2
    sites = [s for s in registry.values() if not args.region or s.region == args.region.lower()]
    out = utf8_stdout()
    if args.json:
        for s in sites:
            out.write(dumps(asdict(s)) + "\n")
        out.flush()
        return 0
    rows = [("slug", "name", "country", "region", "verified", "feeds", "sitemaps")]
    rows += [
        (s.slug, s.name, s.country, s.region, "yes" if s.verified else "no", str(len(s.feeds)), str(len(s.sitemaps)))
        for s in sites
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        out.write("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)).rstrip() + "\n")
    out.write(f"{len(sites)} sites\n")
    out.flush()
    return 0


def run_check(args: argparse.Namespace) -> int:
    registry = _load(args)
    if registry is None:
        return 2
    unknown = [s for s in args.slugs if s not in registry]
    if unknown:
        print(f"newsbot sites check: unknown slug(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    sites = [registry[s] for s in args.slugs] if args.slugs else list(registry.values())
    out = utf8_stdout()
    failed = 0
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for result in pool.map(lambda s: check_site(s, timeout=args.timeout), sites):
            failed += not result.ok
            out.write((dumps(asdict(result)) if args.json else result.render()) + "\n")
            out.flush()
    if not args.json:
        out.write(f"{len(sites) - failed}/{len(sites)} sites OK\n")
    return 1 if failed else 0


# ------------------------------------------------------------------------------------------- HTTP
@dataclass
class Fetched:
    url: str  # final URL
    status: int
    headers: dict[str, str]
    body: bytes
    truncated: bool = False


class Client:
    """A small polite HTTP client for one site: our User-Agent, a timeout, robots.txt, a delay."""

    def __init__(self, timeout: float, delay: float = 0.0):
        self.timeout = timeout
        self.delay = delay
        self.robots: str | None = None  # robots.txt text once fetched ("" when absent)
        self._last = 0.0

    def allowed(self, url: str) -> bool:
        return not self.robots or can_fetch(self.robots, url, USER_AGENT)

    def get(self, url: str, *, obey_robots: bool = True) -> Fetched:
        if obey_robots and not self.allowed(url):
            raise PermissionError(f"robots.txt disallows {url}")
        wait = self._last + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
        try:
            resp = urllib.request.urlopen(req, timeout=self.timeout)  # noqa: S310 - http(s) only, checked by callers
        except urllib.error.HTTPError as exc:
            resp = exc
        try:
            body = resp.read(MAX_BODY + 1)
            status = resp.status if hasattr(resp, "status") else resp.code
            return Fetched(
                url=resp.geturl() or url,
                status=int(status),
                headers={k: v for k, v in resp.headers.items()},
                body=body[:MAX_BODY],
                truncated=len(body) > MAX_BODY,
            )
        finally:
            resp.close()
            self._last = time.monotonic()


# ------------------------------------------------------------------------------------------ check
@dataclass
class CheckResult:
    slug: str
    ok: bool = True
    problems: list[str] = field(default_factory=list)
    homepage_status: int | None = None
    robots_sitemaps: list[str] = field(default_factory=list)
    crawl_delay: float | None = None
    feeds: dict[str, int | str] = field(default_factory=dict)  # URL -> entry count, or the error
    sitemaps: dict[str, int | str] = field(default_factory=dict)  # URL -> URL count, or the error
    sample_url: str | None = None
    sample_title: str | None = None
    sample_words: int | None = None

    def problem(self, text: str) -> None:
        self.ok = False
        self.problems.append(text)

    def render(self) -> str:
        lines = [f"{self.slug}: {'OK' if self.ok else 'PROBLEMS'}"]
        lines.append(f"  homepage: {self.homepage_status if self.homepage_status is not None else 'unreachable'}")
        if self.homepage_status is not None or self.robots_sitemaps:
            delay = f", crawl-delay {self.crawl_delay:g}s" if self.crawl_delay is not None else ""
            lines.append(f"  robots.txt: {len(self.robots_sitemaps)} sitemap line(s){delay}")
        for kind, found in (("feed", self.feeds), ("sitemap", self.sitemaps)):
            for url, n in found.items():
                lines.append(f"  {kind}: {url} -> {n if isinstance(n, str) else f'{n} entries'}")
        if self.sample_url:
            words = f" ({self.sample_words} words)" if self.sample_words is not None else ""
            lines.append(f"  sample: {self.sample_url}\n          {self.sample_title or '(no title)'}{words}")
        lines += [f"  problem: {p}" for p in self.problems]
        return "\n".join(lines)


def check_site(site: Site, *, timeout: float = 15.0) -> CheckResult:
    """Check one registry entry against the live site; never raises."""
    result = CheckResult(slug=site.slug)
    try:
        _check(site, result, timeout)
    except Exception as exc:  # one broken site never stops the run
        result.problem(f"internal error: {exc!r}")
    return result


def _unreachable(exc: BaseException) -> bool:
    """A DNS, connection or timeout failure (as opposed to an HTTP error status)."""
    if isinstance(exc, urllib.error.HTTPError):
        return False
    return isinstance(exc, (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout))


def _describe(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.URLError) and not isinstance(exc, urllib.error.HTTPError):
        return f"unreachable ({exc.reason})"
    return str(exc) or type(exc).__name__


def _check(site: Site, result: CheckResult, timeout: float) -> None:
    client = Client(timeout, delay=min(float(site.politeness.get("download_delay", 0.0)), MAX_DELAY))
    parts = urlsplit(site.homepage)
    root = f"{parts.scheme}://{parts.netloc}"

    # robots.txt first: everything after obeys it
    try:
        robots = client.get(root + "/robots.txt", obey_robots=False)
        client.robots = robots.body.decode("utf-8", "replace") if robots.status == 200 else ""
        if robots.status >= 500:
            result.problem(f"robots.txt: HTTP {robots.status}")
    except (OSError, ValueError) as exc:
        client.robots = ""
        if _unreachable(exc):
            # no connection at all: one clear problem rather than one per URL
            msg = _describe(exc)
            result.problem("site " + msg if msg.startswith("unreachable") else f"site unreachable ({msg})")
            return
        result.problem(f"robots.txt: {_describe(exc)}")
    if client.robots:
        result.robots_sitemaps = robots_sitemaps(client.robots, root + "/robots.txt")
        result.crawl_delay = crawl_delay(client.robots, USER_AGENT)
        if result.crawl_delay:
            client.delay = max(client.delay, min(result.crawl_delay, MAX_DELAY))

    candidates: list[str] = []  # article URL candidates, best sources first
    discovered_feeds: list[str] = []
    home_links: list[str] = []
    try:
        home = client.get(site.homepage)
        result.homepage_status = home.status
        if home.status != 200:
            result.problem(f"homepage: HTTP {home.status}")
        else:
            html = _decode(home)
            discovered_feeds = feed_links(html, home.url)
            home_links = page_links(html, home.url)
    except (OSError, ValueError) as exc:
        result.problem(f"homepage: {_describe(exc)}")

    for url in _unique(site.feeds + discovered_feeds)[:5]:
        listed = url in site.feeds
        try:
            fetched = client.get(url)
            if fetched.status != 200:
                raise ValueError(f"HTTP {fetched.status}")
            entries = parse_feed(fetched.body, fetched.url)
            result.feeds[url] = len(entries)
            candidates += [e.url for e in entries]
            if listed and not entries:
                result.problem(f"feed {url}: no entries")
        except (OSError, ValueError, PermissionError) as exc:
            result.feeds[url] = f"error: {_describe(exc)}"
            if listed:
                result.problem(f"feed {url}: {_describe(exc)}")

    for url in _unique(site.sitemaps + result.robots_sitemaps)[:5]:
        listed = url in site.sitemaps
        try:
            count, urls = _read_sitemap(client, url)
            result.sitemaps[url] = count
            candidates += urls
            if listed and not count:
                result.problem(f"sitemap {url}: no URLs")
        except (OSError, ValueError, PermissionError) as exc:
            result.sitemaps[url] = f"error: {_describe(exc)}"
            if listed:
                result.problem(f"sitemap {url}: {_describe(exc)}")

    if not any(isinstance(n, int) and n for n in (*result.feeds.values(), *result.sitemaps.values())):
        result.problem("no feed or sitemap with entries: discovery would rely on listing pages alone")
    _sample(site, client, result, candidates + home_links)


def _decode(fetched: Fetched) -> str:
    """Page text the way extraction decodes it (HTTP charset, BOM, <meta>, detection)."""
    from newsbot.extract.decode import decode_html

    ctype = next((v for k, v in fetched.headers.items() if k.lower() == "content-type"), "")
    charset = ctype.lower().split("charset=", 1)[1].split(";")[0].strip(" \"'") if "charset=" in ctype.lower() else None
    try:
        return decode_html(fetched.body, http_charset=charset)[0]
    except Exception:  # decoding never stops a check
        return fetched.body.decode("utf-8", "replace")


def _unique(urls: list[str]) -> list[str]:
    return list(dict.fromkeys(urls))


def _read_sitemap(client: Client, url: str) -> tuple[int, list[str]]:
    """URL count of a sitemap (for an index: its child count, plus the first child read for samples)."""
    fetched = client.get(url)
    if fetched.status != 200:
        raise ValueError(f"HTTP {fetched.status}")
    children: list[str] = []
    pages: list[str] = []
    # counted up to the check's own bound (a sitemap over the crawl's NEWSBOT_MAX_SITEMAP_ENTRIES still counts)
    for item in iter_sitemap(fetched.body, max_entries=0):
        (children if item.is_sitemap else pages).append(item.url)
        if len(children) + len(pages) >= MAX_SITEMAP_URLS:
            break
    if children and not pages:
        # news sitemaps tend to come first in an index; one child is enough to find a sample
        try:
            _count, pages = _read_sitemap(client, children[0])
        except (OSError, ValueError, SitemapError):
            pages = []
        return len(children), pages
    return len(pages), pages


def _sample(site: Site, client: Client, result: CheckResult, candidates: list[str]) -> None:
    from newsbot.extract import ExtractionError, extract  # extraction is heavy to import; only checks need it

    tried = 0
    last = ""
    for url in _unique(candidates):
        if tried >= 3:
            break
        if not site.allows(url) or classify_url(url, site) not in ("article", "liveblog") or not client.allowed(url):
            continue
        tried += 1
        result.sample_url = url
        try:
            fetched = client.get(url)
            if fetched.status != 200:
                raise ValueError(f"HTTP {fetched.status}")
            record = extract(fetched.body, url=fetched.url, headers=fetched.headers, site=site.slug)
        except ExtractionError as exc:
            result.sample_title, result.sample_words = None, None
            last = f"sample article {url}: extraction failed ({exc.reason}: {exc})"
            continue
        except (OSError, ValueError) as exc:
            last = f"sample article {url}: {_describe(exc)}"
            continue
        result.sample_title = record.title
        result.sample_words = record.word_count
        if not record.title:
            result.problem(f"sample article {url}: no title extracted")
        if record.word_count < MIN_SAMPLE_WORDS:
            result.problem(f"sample article {url}: only {record.word_count} body words")
        return
    if tried:
        result.problem(last)
    else:
        result.sample_url = None
        result.problem("no article URL found (feeds, sitemaps, homepage links)")
