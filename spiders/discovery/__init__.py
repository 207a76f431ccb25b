"""Discovery: finding article URLs from sitemaps, feeds, robots.txt and listing pages.

Pure functions on bytes/str (no Scrapy): the spider fetches, these parse. Every parser is safe on hostile
input: XML entities are never expanded, nothing is fetched from the network, decompression is bounded.
"""

from spiders.discovery.feeds import FeedEntry, FeedError, feed_links, parse_feed
from spiders.discovery.links import next_pages, page_links
from spiders.discovery.robots import crawl_delay, robots_sitemaps
from spiders.discovery.sitemaps import SitemapError, SitemapItem, iter_sitemap

__all__ = [
    "FeedEntry",
    "FeedError",
    "SitemapError",
    "SitemapItem",
    "crawl_delay",
    "feed_links",
    "iter_sitemap",
    "next_pages",
    "page_links",
    "parse_feed",
    "robots_sitemaps",
]
