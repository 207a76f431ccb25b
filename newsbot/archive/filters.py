"""What an archive run keeps, decided as early (and as cheaply) as possible.

`ArchiveOptions` travels to the worker processes (and to a distributed engine's workers), so it holds plain
values; the registry sites are looked up where they are used. A record is judged on its WARC and HTTP headers
before its payload is read (`skip_reason`), then on its bytes before extraction (`script_skip`), then on the
extracted record's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from newsbot.archive.reader import Entry
from newsbot.settings import NEWSBOT_PAGE_MAXSIZE

HTML_TYPES = ("text/html", "application/xhtml+xml")
KEPT_STATUS = {200, 203}
# languages written in Arabic script: a page in them has Arabic letters in its bytes, so a page without any is not
# worth extracting (most of a CC-NEWS file, where Arabic pages are a few percent)
ARABIC_SCRIPT_LANGS = {"ar", "fa", "ur", "ps", "ckb", "ku", "sd", "ug", "arz"}
ARABIC_LETTERS_MIN = 50
# U+0600-U+06FF (Arabic letters and digits) in UTF-8 start with bytes D8-DB; legacy Arabic code pages by name
_LEAD_BYTES = (b"\xd8", b"\xd9", b"\xda", b"\xdb")
_ARABIC_CHARSETS = re.compile(rb"charset\s*=\s*[\"']?\s*(?:windows-1256|cp1256|iso-8859-6|x-mac-arabic|asmo-708)", re.I)
_ARABIC_ENTITIES = re.compile(rb"&#(?:15[3-9]\d|16\d\d|17[0-8]\d|x6[0-9a-f]{2});", re.I)


@dataclass(frozen=True)
class ArchiveOptions:
    langs: tuple[str, ...] = ("ar",)  # empty: any language
    hosts: tuple[str, ...] = ()  # a URL's host, or a subdomain of it
    sites: tuple[str, ...] = ()  # registry slugs (their allowed domains and path prefixes)
    url_patterns: tuple[str, ...] = ()  # regexes searched in the URL; any one matching keeps it
    since: str | None = None  # WARC-Date bounds, ISO 8601 (a date alone is midnight UTC)
    until: str | None = None  # inclusive: a date alone is the whole day
    max_record_bytes: int = NEWSBOT_PAGE_MAXSIZE  # a larger payload is skipped ("too-large")
    keep_raw: bool = False  # copy raw pages into the store instead of pointing at the archive file
    registry: str | None = None  # registry file (default data/sites.toml)

    def check(self) -> None:
        """Raise ValueError on options that cannot work (before any file is read)."""
        for pattern in self.url_patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"--url-pattern {pattern!r}: {exc}") from None
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is not None and parse_bound(value) is None:
                raise ValueError(f"--{name} {value!r}: not an ISO 8601 date or time")
        if self.sites:
            known = _registry(self.registry)
            unknown = [s for s in self.sites if s not in known]
            if unknown:
                raise ValueError(f"--site: not in the registry: {', '.join(unknown)}")
        if self.max_record_bytes <= 0:
            raise ValueError("--max-record-mb must be positive")

    @property
    def arabic_script_only(self) -> bool:
        return bool(self.langs) and all(lang in ARABIC_SCRIPT_LANGS for lang in self.langs)


def parse_bound(value: str) -> datetime | None:
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _checked_bound(value: str) -> datetime:
    """A --since/--until bound that Options.check already accepted."""
    bound = parse_bound(value)
    if bound is None:
        raise ValueError(f"{value!r}: not an ISO 8601 date or time")
    return bound


@lru_cache(maxsize=16)
def _until(value: str) -> datetime:
    """The first moment after the bound: a date alone covers that whole day (--until 2019-12-31)."""
    bound = _checked_bound(value)
    return bound + timedelta(days=1) if len(value.strip()) == 10 else bound + timedelta(microseconds=1)


@lru_cache(maxsize=8)
def _registry(path: str | None) -> dict:
    from pathlib import Path

    from spiders.registry import load_registry

    return load_registry(Path(path) if path else None)


@lru_cache(maxsize=16)
def _compiled(patterns: tuple[str, ...]) -> list[re.Pattern[str]]:
    return [re.compile(p) for p in patterns]


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


@lru_cache(maxsize=8)
def _by_domain(path: str | None) -> dict[str, list]:
    index: dict[str, list] = {}
    for site in _registry(path).values():
        for domain in site.allowed_domains:
            index.setdefault(domain.lower(), []).append(site)
    return index


def registry_slug(url: str, options: ArchiveOptions) -> str | None:
    """The registry site of a URL (what a crawl calls the record's site), or None: spiders.registry's
    site_for_url ranking, among the sites whose domains the host ends with (not every site, for each record)."""
    host = _host(url)
    index = _by_domain(options.registry)
    labels = host.split(".")
    candidates = [s for k in range(len(labels)) for s in index.get(".".join(labels[k:]), ())]
    best = max(candidates, key=lambda s: s.domain_match_length(url), default=None)
    return best.slug if best is not None and best.domain_match_length(url) > 0 else None


def skip_reason(entry: Entry, options: ArchiveOptions) -> str | None:
    """Why a response is not worth reading, from its headers alone (None: read it)."""
    url = entry.url or ""
    if not url.startswith(("http://", "https://")):
        return "not-http-url"
    reason = _url_skip(url, options) or _date_skip(entry, options)
    if reason:
        return reason
    status = entry.status or 0
    if status not in KEPT_STATUS:
        return "redirect" if 300 <= status < 400 else f"http-{status}"
    ctype = next((v for k, v in entry.headers.items() if k.lower() == "content-type"), "")
    ctype = ctype.split(";", 1)[0].strip().lower()
    if ctype and ctype not in HTML_TYPES:
        return "not-html"
    return None


def _url_skip(url: str, options: ArchiveOptions) -> str | None:
    """A URL outside the hosts, sites or URL patterns asked for."""
    if options.hosts:
        host = _host(url)
        if not any(host == h or host.endswith("." + h) for h in options.hosts):
            return "other-host"
    if options.sites:
        registry = _registry(options.registry)
        if not any(registry[slug].allows(url) for slug in options.sites):
            return "other-site"
    if options.url_patterns and not any(p.search(url) for p in _compiled(options.url_patterns)):
        return "url-pattern"
    return None


def _date_skip(entry: Entry, options: ArchiveOptions) -> str | None:
    """A record outside the date range asked for (or of unknown date when one is asked for)."""
    if not (options.since or options.until):
        return None
    when = parse_bound(entry.date) if entry.date else None
    if when is None:
        return "no-warc-date"
    if options.since and when < _checked_bound(options.since):
        return "before-since"
    if options.until and when >= _until(options.until):
        return "after-until"
    return None


def script_skip(payload: bytes, headers: dict[str, str], options: ArchiveOptions) -> str | None:
    """'no-arabic-script' when only Arabic-script languages are wanted and the bytes hold no Arabic text."""
    if not options.arabic_script_only:
        return None
    if sum(payload.count(b) for b in _LEAD_BYTES) >= ARABIC_LETTERS_MIN:
        return None
    if any(_ARABIC_CHARSETS.search(v.encode("latin-1", "replace")) for k, v in headers.items()
           if k.lower() == "content-type"):
        return None
    head = payload[:8192]
    if _ARABIC_CHARSETS.search(head) or len(_ARABIC_ENTITIES.findall(payload, 0, 1 << 20)) >= ARABIC_LETTERS_MIN:
        return None
    return "no-arabic-script"
