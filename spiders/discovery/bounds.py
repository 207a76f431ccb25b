"""The bounds on what one discovery document (sitemap, feed, robots.txt, listing page) may hand the crawl.

Defaults in newsbot/settings.py (NEWSBOT_MAX_SITEMAP_ENTRIES ...). The spider reads them from its Scrapy
settings once and passes them along, into the extraction worker processes too (a frozen, picklable value);
the parsers stay free of Scrapy and take each bound as an argument whose default is the setting's default.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from newsbot import settings as defaults


class _Settings(Protocol):
    def getint(self, name: str, default: int = 0) -> int: ...


@dataclass(frozen=True)
class DiscoveryBounds:
    sitemap_entries: int = defaults.NEWSBOT_MAX_SITEMAP_ENTRIES
    sitemap_maxsize: int = defaults.NEWSBOT_SITEMAP_MAXSIZE
    feed_maxsize: int = defaults.NEWSBOT_FEED_MAXSIZE
    feed_entries: int = defaults.NEWSBOT_MAX_FEED_ENTRIES
    robots_sitemaps: int = defaults.NEWSBOT_MAX_ROBOTS_SITEMAPS
    feed_links: int = defaults.NEWSBOT_MAX_FEED_LINKS
    next_pages: int = defaults.NEWSBOT_MAX_NEXT_PAGES

    @classmethod
    def from_settings(cls, settings: _Settings) -> DiscoveryBounds:
        return cls(
            sitemap_entries=settings.getint("NEWSBOT_MAX_SITEMAP_ENTRIES"),
            sitemap_maxsize=settings.getint("NEWSBOT_SITEMAP_MAXSIZE"),
            feed_maxsize=settings.getint("NEWSBOT_FEED_MAXSIZE"),
            feed_entries=settings.getint("NEWSBOT_MAX_FEED_ENTRIES"),
            robots_sitemaps=settings.getint("NEWSBOT_MAX_ROBOTS_SITEMAPS"),
            feed_links=settings.getint("NEWSBOT_MAX_FEED_LINKS"),
            next_pages=settings.getint("NEWSBOT_MAX_NEXT_PAGES"),
        )
