"""robots.txt: the Sitemap lines and the Crawl-delay for our user agent (protego, Scrapy's own parser)."""

from __future__ import annotations

from protego import Protego

from newsbot import settings as defaults
from spiders.discovery.urlutil import absolute_http


def _parse(text: str | bytes) -> Protego:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    # a BOM would hide the first "User-agent" line from protego
    return Protego.parse(text.lstrip("\ufeff"))


def cap_lines(body: bytes, max_lines: int) -> tuple[bytes, int]:
    """robots.txt cut to its first `max_lines` lines (0: all), keeping the Sitemap: lines past them (often at the
    end, and cheap: they are no rules); also the number of lines left out."""
    lines = body.split(b"\n")
    if not max_lines or len(lines) <= max_lines:
        return body, 0
    rest = lines[max_lines:]
    sitemaps = [line for line in rest if line.lstrip()[:8].lower() == b"sitemap:"]
    return b"\n".join(lines[:max_lines] + sitemaps), len(rest) - len(sitemaps)


def robots_sitemaps(text: str | bytes, base_url: str,
                    limit: int = defaults.NEWSBOT_MAX_ROBOTS_SITEMAPS) -> list[str]:
    """Absolute http(s) sitemap URLs listed in robots.txt, deduplicated, in order (relative ones resolved),
    at most `limit` of them (NEWSBOT_MAX_ROBOTS_SITEMAPS: a hostile robots.txt lists 264,922)."""
    out: dict[str, None] = {}  # ordered and de-duplicated in linear time
    for raw in _parse(text).sitemaps:
        url = absolute_http(raw, base_url)
        if url:
            out[url] = None
            if len(out) >= limit:
                break
    return list(out)


def crawl_delay(text: str | bytes, user_agent: str) -> float | None:
    """Crawl-delay (seconds) that applies to user_agent (its group or '*'), None when none is given."""
    delay = _parse(text).crawl_delay(user_agent)
    if delay is None:
        return None
    try:
        value = float(delay)
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


def can_fetch(text: str | bytes, url: str, user_agent: str) -> bool:
    """Whether robots.txt allows user_agent to fetch url."""
    return _parse(text).can_fetch(url, user_agent)
