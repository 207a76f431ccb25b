"""The site registry: which news sites we know, how to crawl them, and how to read their pages.

Loaded from data/sites.toml (format documented at the top of that file), once per file version. The crawler
reads a site's feeds, sitemaps, article patterns and politeness; extraction reads its profile (`layouts`: the
selectors of each markup the site has served, newsbot/extract/profiles). A site not in the registry can still be
crawled: `adhoc_site(url)` makes an entry that relies on discovery alone (robots.txt Sitemap lines, feed
auto-discovery, listing-page links). No Scrapy here: extraction imports this module.
"""

from __future__ import annotations

import copy
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from newsbot.urls import ascii_host

DEFAULT_REGISTRY = Path(__file__).resolve().parent.parent / "data" / "sites.toml"
REGIONS = ("gulf", "levant", "iraq", "egypt", "maghreb", "sudan", "yemen", "pan-arab", "international", "unknown")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_POLITENESS_KEYS = {"download_delay": float, "concurrency": int, "max_pages": int, "obey_robots": bool}


class RegistryError(ValueError):
    """The registry file is invalid (the message names the entry and the field)."""


@dataclass(frozen=True)
class Layout:
    """One markup a site has served: CSS selectors for extraction (the first that matches wins, per field).

    `valid_until` is the last day (ISO) pages were served in this layout; None for the current one. Like Fundus's
    parser versions: a stored page re-extracts with the layout that was valid when it was fetched."""

    body: tuple[str, ...] = ()  # the body container(s)
    drop: tuple[str, ...] = ()  # blocks left out of the body wherever they sit
    title: tuple[str, ...] = ()  # the headline
    date: tuple[str, ...] = ()  # the publication date (its datetime/content attribute, else its text)
    hook: str | None = None  # a named hook (newsbot/extract/profiles/hooks.py) where data cannot say it
    valid_until: str | None = None


@dataclass
class Site:
    slug: str
    name: str
    homepage: str
    allowed_domains: list[str]
    country: str
    region: str
    feeds: list[str] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    article_patterns: list[str] = field(default_factory=list)  # regexes searched in the URL: a match = article
    profile: str | None = None  # slug of a Python profile in newsbot/extract/profiles (the `profile = "..."` form)
    layouts: list[Layout] = field(default_factory=list)  # the `[site.profile]` table form: oldest first, current last
    verified: bool = False  # checked against the live site (`newsbot sites check`)
    politeness: dict = field(default_factory=dict)  # e.g. {"download_delay": 1.0, "concurrency": 2}
    # extras (not in the original interface)
    name_en: str | None = None
    path_prefixes: list[str] = field(default_factory=list)  # e.g. ["/arabic"] for BBC Arabic on bbc.com
    lang: str = "ar"
    notes: str | None = None

    def allows(self, url: str) -> bool:
        """True when the URL's host equals or is a subdomain of an allowed domain (and, when the site
        lives under path prefixes of a shared host, its path starts with one of them)."""
        try:
            parts = urlsplit(url.strip())
            host = ascii_host(parts.hostname or "")
        except ValueError:
            return False
        if not host or not _host_matches(host, self.allowed_domains):
            return False
        # path prefixes restrict the shared host only (www.bbc.com/arabic); feeds.bbci.co.uk is allowed whole
        if self.path_prefixes and self._on_home_host(host) and not _path_matches(parts.path or "/", self.path_prefixes):
            return False
        return True

    def _on_home_host(self, host: str) -> bool:
        home = ascii_host(urlsplit(self.homepage).hostname or "")
        bare = home[4:] if home.startswith("www.") else home
        return host in (home, bare, "www." + bare)

    def domain_match_length(self, url: str) -> int:
        """Length of the longest allowed domain matching url (0: none); ranks overlapping sites."""
        if not self.allows(url):
            return 0
        host = ascii_host(urlsplit(url).hostname or "")
        best = max((len(d) for d in map(ascii_host, self.allowed_domains) if host == d or host.endswith("." + d)),
                   default=0)
        return best + (100 if self.path_prefixes else 0)

    @property
    def compiled_patterns(self) -> list[re.Pattern[str]]:
        return _compile(tuple(self.article_patterns))


@lru_cache(maxsize=256)
def _compile(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in patterns]


def _host_matches(host: str, domains: list[str]) -> bool:
    """Hosts compared in their ASCII (punycode) form: an Arabic domain name may be written either way."""
    host = ascii_host(host)
    return any(host == d or host.endswith("." + d) for d in map(ascii_host, domains))


def _path_matches(path: str, prefixes: list[str]) -> bool:
    path = path.lower()
    for prefix in prefixes:
        p = prefix.lower().rstrip("/")
        if path == p or path.startswith(p + "/"):
            return True
    return False


def _domain_of(url: str) -> str:
    host = ascii_host(urlsplit(url).hostname or "")
    return host[4:] if host.startswith("www.") else host


def _str_list(entry: dict, key: str, where: str) -> list[str]:
    value = entry.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RegistryError(f"{where}: '{key}' must be a list of strings")
    return [v.strip() for v in value if v.strip()]


def _http_url(value: str, where: str, key: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RegistryError(f"{where}: '{key}' must be an absolute http(s) URL, got {value!r}")
    return value


def site_from_dict(entry: dict, where: str = "site") -> Site:
    """One validated Site from a TOML table."""
    if not isinstance(entry, dict):
        raise RegistryError(f"{where}: must be a table")
    known = {
        "slug", "name", "homepage", "allowed_domains", "country", "region", "feeds", "sitemaps",
        "article_patterns", "profile", "verified", "politeness", "name_en", "path_prefixes", "lang", "notes",
    }  # fmt: skip
    unknown = set(entry) - known
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    for key in ("slug", "name", "homepage"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise RegistryError(f"{where}: '{key}' is required (a non-empty string)")
    slug = entry["slug"].strip()
    where = f"site {slug!r}"
    if not _SLUG.match(slug):
        raise RegistryError(f"{where}: slug must be lowercase letters, digits, '.', '_' or '-'")
    homepage = _http_url(entry["homepage"].strip(), where, "homepage")
    domains = [d.lower().lstrip(".") for d in _str_list(entry, "allowed_domains", where)] or [_domain_of(homepage)]
    if not _host_matches((urlsplit(homepage).hostname or "").lower(), domains):
        raise RegistryError(f"{where}: homepage host is not in allowed_domains")
    region = str(entry.get("region", "unknown")).strip().lower()
    if region not in REGIONS:
        raise RegistryError(f"{where}: region {region!r} is not one of {', '.join(REGIONS)}")
    feeds = [_http_url(u, where, "feeds") for u in _str_list(entry, "feeds", where)]
    sitemaps = [_http_url(u, where, "sitemaps") for u in _str_list(entry, "sitemaps", where)]
    patterns = _patterns(entry, where)
    politeness = _politeness(entry, where)
    verified = entry.get("verified", False)
    if not isinstance(verified, bool):
        raise RegistryError(f"{where}: 'verified' must be true or false")
    profile, layouts = _profile(entry, where)
    return Site(
        slug=slug,
        name=entry["name"].strip(),
        homepage=homepage,
        allowed_domains=domains,
        country=str(entry.get("country", "")).strip().upper(),
        region=region,
        feeds=feeds,
        sitemaps=sitemaps,
        article_patterns=patterns,
        profile=profile or None,
        layouts=layouts,
        verified=verified,
        politeness=dict(politeness),
        name_en=entry.get("name_en"),
        path_prefixes=["/" + p.strip("/") for p in _str_list(entry, "path_prefixes", where)],
        lang=str(entry.get("lang", "ar")),
        notes=entry.get("notes"),
    )


def _patterns(entry: dict, where: str) -> list[str]:
    patterns = _str_list(entry, "article_patterns", where)
    for p in patterns:
        try:
            re.compile(p)
        except re.error as exc:
            raise RegistryError(f"{where}: bad article pattern {p!r}: {exc}") from exc
    return patterns


def _politeness(entry: dict, where: str) -> dict:
    politeness = entry.get("politeness", {})
    if not isinstance(politeness, dict):
        raise RegistryError(f"{where}: 'politeness' must be a table")
    for key, value in politeness.items():
        kind = _POLITENESS_KEYS.get(key)
        if kind is None:
            raise RegistryError(f"{where}: unknown politeness key {key!r}")
        ok = (
            isinstance(value, bool) if kind is bool else isinstance(value, (int, float)) and not isinstance(value, bool)
        )
        if not ok or (kind is not bool and value < 0):
            raise RegistryError(f"{where}: politeness.{key} must be a non-negative {kind.__name__}")
    return politeness


def _profile(entry: dict, where: str) -> tuple[str | None, list[Layout]]:
    """(a named profile, or the layouts of a profile written as a table of selectors)."""
    profile = entry.get("profile")
    if isinstance(profile, dict):
        return None, _layouts(profile, where)
    if profile is not None and not isinstance(profile, str):
        raise RegistryError(f"{where}: 'profile' must be a profile name or a table of selectors")
    return profile, []


_LAYOUT_KEYS = ("body", "drop", "title", "date")


def _selectors(table: dict, key: str, where: str) -> tuple[str, ...]:
    sels = _str_list(table, key, where)
    if sels:
        from selectolax.lexbor import LexborHTMLParser  # only registries with profiles pay for it

        probe = LexborHTMLParser("<p></p>")
        for sel in sels:
            try:
                probe.css(sel)
            except Exception as exc:  # lexbor's selector errors carry no common type
                raise RegistryError(f"{where}: bad CSS selector {sel!r} in '{key}': {exc}") from exc
    return tuple(sels)


def _layout(table: dict, where: str, valid_until: str | None) -> Layout:
    hook = table.get("hook")
    if hook is not None:
        from newsbot.extract.profiles.hooks import HOOKS

        if not isinstance(hook, str) or hook not in HOOKS:
            raise RegistryError(f"{where}: unknown hook {hook!r} (known: {', '.join(sorted(HOOKS)) or 'none'})")
    fields = {k: _selectors(table, k, where) for k in _LAYOUT_KEYS}
    if not any(fields.values()) and hook is None:
        raise RegistryError(f"{where}: a layout needs at least one of {', '.join(_LAYOUT_KEYS)} or a hook")
    return Layout(**fields, hook=hook, valid_until=valid_until)


def _day(value: object, where: str) -> str:
    if isinstance(value, date):  # a TOML date (valid_until = 2023-06-30); a datetime is a date too
        return value.isoformat()[:10]
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise RegistryError(f"{where}: 'valid_until' must be a date (YYYY-MM-DD), got {value!r}")


def _layouts(profile: dict, where: str) -> list[Layout]:
    """[site.profile] (the current layout) and its [[site.profile.layouts]] (older ones, each valid until a day)."""
    where = f"{where}: profile"
    unknown = set(profile) - {*_LAYOUT_KEYS, "hook", "layouts"}
    if unknown:
        raise RegistryError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    older = profile.get("layouts", [])
    if not isinstance(older, list) or not all(isinstance(t, dict) for t in older):
        raise RegistryError(f"{where}: 'layouts' must be an array of tables ([[site.profile.layouts]])")
    out = []
    for i, table in enumerate(older, 1):
        at = f"{where} layout #{i}"
        unknown = set(table) - {*_LAYOUT_KEYS, "hook", "valid_until"}
        if unknown:
            raise RegistryError(f"{at}: unknown field(s) {', '.join(sorted(unknown))}")
        if "valid_until" not in table:
            raise RegistryError(f"{at}: 'valid_until' is required (the last day the site served this layout)")
        out.append(_layout(table, at, _day(table["valid_until"], at)))
    days = [lay.valid_until for lay in out]
    if len(set(days)) != len(days):
        raise RegistryError(f"{where}: two layouts valid until the same day")
    out.sort(key=lambda lay: lay.valid_until or "")
    return [*out, _layout(profile, where, None)]


def parse_registry(text: str, source: str = "<registry>") -> dict[str, Site]:
    """Sites from TOML text (a `[[site]]` array of tables), keyed by slug, in file order."""
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{source}: invalid TOML: {exc}") from exc
    entries = doc.get("site", [])
    if not isinstance(entries, list):
        raise RegistryError(f"{source}: 'site' must be an array of tables ([[site]])")
    sites: dict[str, Site] = {}
    for i, entry in enumerate(entries, 1):
        site = site_from_dict(entry, f"{source}: site #{i}")
        if site.slug in sites:
            raise RegistryError(f"{source}: duplicate slug {site.slug!r}")
        sites[site.slug] = site
    return sites


@lru_cache(maxsize=8)
def _load_cached(path: Path, mtime_ns: int) -> dict[str, Site]:
    return parse_registry(path.read_text(encoding="utf-8"), str(path))


def load_registry(path: Path | None = None) -> dict[str, Site]:
    """The registry (default data/sites.toml), keyed by slug. Parsed once per file version; callers get
    their own copy to change as they like."""
    return copy.deepcopy(_cached(path))


def registry_sites(path: Path | None = None) -> dict[str, Site]:
    """The cached registry itself, for readers that never change it (extraction looks profiles up per page)."""
    return _cached(path)


@lru_cache(maxsize=32)
def _resolved(path: Path) -> Path:
    # extraction asks for the registry on every page: resolving the path is ten stat calls, its mtime one
    return Path(path).resolve()


def _cached(path: Path | None) -> dict[str, Site]:
    path = _resolved(path if path is not None else DEFAULT_REGISTRY)
    try:
        mtime_ns = path.stat().st_mtime_ns
    except NotADirectoryError:
        # deployed as a zipped egg (scrapyd): data/sites.toml is a member of the archive
        return _load_zipped(path)
    return _load_cached(path, mtime_ns)


@lru_cache(maxsize=2)
def _load_zipped(path: Path) -> dict[str, Site]:
    import zipfile

    for archive in path.parents:
        if archive.is_file() and zipfile.is_zipfile(archive):
            member = path.relative_to(archive).as_posix()
            with zipfile.ZipFile(archive) as zf:
                return parse_registry(zf.read(member).decode("utf-8"), f"{archive}/{member}")
    raise FileNotFoundError(str(path))


def site_for_url(url: str, registry: dict[str, Site] | None = None) -> Site | None:
    """The registry site a URL belongs to (the most specific match when several overlap), or None."""
    sites = _cached(None) if registry is None else registry  # read-only use: no copy
    best: Site | None = None
    best_len = 0
    for site in sites.values():
        n = site.domain_match_length(url)
        if n > best_len:
            best, best_len = site, n
    return best


def adhoc_site(homepage_url: str) -> Site:
    """A site not in the registry, crawled by discovery alone (robots.txt, feed links, listing pages)."""
    url = homepage_url.strip()
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {homepage_url!r}")
    host = ascii_host(parts.hostname)
    domain = _domain_of(url)
    netloc = host if parts.port is None else f"{host}:{parts.port}"
    homepage = f"{parts.scheme}://{netloc}{parts.path or '/'}"
    return Site(
        slug=domain if parts.port is None else f"{domain}_{parts.port}",
        name=domain,
        homepage=homepage,
        allowed_domains=[domain],
        country="",
        region="unknown",
        feeds=[],
        sitemaps=[],
        article_patterns=[],
        profile=None,
        verified=False,
        politeness={},
    )


def discovery_urls(site: Site) -> list[str]:
    """Where discovery starts for a site: robots.txt, its known feeds and sitemaps, the conventional
    sitemap locations, and the homepage (for feed auto-discovery and links)."""
    parts = urlsplit(site.homepage)
    root = f"{parts.scheme}://{parts.netloc}"
    urls = [f"{root}/robots.txt", *site.sitemaps, *site.feeds]
    if not site.sitemaps:
        urls += [f"{root}/sitemap.xml", f"{root}/sitemap_index.xml", f"{root}/news-sitemap.xml"]
    urls.append(site.homepage)
    seen: list[str] = []
    for u in urls:
        if u not in seen:
            seen.append(u)
    return seen
