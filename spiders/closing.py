"""Whether the engine has started closing the spider (budget spent, item limit, URL trap, Ctrl-C).

Scrapy sends no signal when closing starts: spider_closed comes only once every request in progress is done,
which for a slot holding requests behind a Crawl-delay is minutes later. Every way a spider is closed goes
through the engine's documented `close_spider_async()` (the CloseSpider extension and exception, the idle
spider, `Crawler.stop()`, our own deadline and URL-trap guard), so it is watched there: the crawler's engine
gets a wrapper that records the reason in the crawl's stats (`newsbot/closing_reason`) before closing as
Scrapy would. No private attribute of Scrapy is read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy import signals

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

CLOSING_STAT = "newsbot/closing_reason"
_WATCHED = "_newsbot_watches_closing"  # our own mark on the engine: one wrapper however many watchers


def watch_closing(crawler: Crawler) -> None:
    """Start watching the crawler's engine for closing: now if it exists, else when it starts."""
    if _engine(crawler) is not None:
        _wrap(crawler)
    else:  # a download handler is built with the engine, before Crawler.engine is set
        crawler.signals.connect(lambda **_: _wrap(crawler), signal=signals.engine_started, weak=False)


def _engine(crawler: Crawler) -> Any:
    try:
        return crawler.engine
    except RuntimeError:  # Scrapy >= 2.14: "Crawler.engine is not set yet"
        return None


def _wrap(crawler: Crawler) -> None:
    engine = _engine(crawler)
    if engine is None or getattr(engine, _WATCHED, False):
        return
    close = engine.close_spider_async

    async def close_spider_async(*args: Any, reason: str = "cancelled", **kwargs: Any) -> None:
        if crawler.stats is not None and crawler.stats.get_value(CLOSING_STAT) is None:
            crawler.stats.set_value(CLOSING_STAT, reason)
        await close(*args, reason=reason, **kwargs)

    engine.close_spider_async = close_spider_async
    setattr(engine, _WATCHED, True)


def spider_closing(crawler: Crawler) -> bool:
    """The engine has started closing the spider, or has stopped (watch_closing must have been called)."""
    engine = _engine(crawler)
    if engine is None or not engine.running:
        return engine is not None
    return crawler.stats is not None and crawler.stats.get_value(CLOSING_STAT) is not None
