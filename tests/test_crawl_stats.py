"""The crawl's stats collector: Scrapy's MemoryStatsCollector, with every method a crawl and Scrapy use."""

from __future__ import annotations

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from spiders.stats import CrawlStats


def test_same_answers_as_memory_stats_collector():
    crawler = get_crawler()
    assert isinstance(CrawlStats(crawler), MemoryStatsCollector)
    ours, scrapys = CrawlStats(crawler), MemoryStatsCollector(crawler)
    for stats in (ours, scrapys):
        stats.open_spider()
        stats.inc_value("a")
        stats.inc_value("a", 2)
        stats.inc_value("b", start=10)
        stats.max_value("m", 3)
        stats.max_value("m", 1)
        stats.min_value("n", 3)
        stats.min_value("n", 1)
        stats.set_value("s", "x")
    assert ours.get_stats() == scrapys.get_stats() == {"a": 3, "b": 11, "m": 3, "n": 1, "s": "x"}
    assert ours.get_value("missing", 7) == 7
