"""Failures in one line each: no tracebacks in the log unless asked (`--debug`, NEWSBOT_TRACEBACKS).

A network failure is an ordinary event for a crawler; the summary says per site why it failed. Scrapy logs
each URL that gave up retrying at ERROR, with a traceback when robots.txt could not be fetched: an offline
`crawl --all` printed 8,470 lines. Installed on the root log handlers once the CrawlerProcess set them up.
"""

from __future__ import annotations

import logging

# per-URL download failures Scrapy logs at ERROR: told as a warning (-q hides them; the site line stays)
_DEMOTED = (
    ("scrapy.downloadermiddlewares.retry", "Gave up retrying"),
    ("scrapy.downloadermiddlewares.robotstxt", "Error downloading"),
    ("spiders.middlewares", "Error downloading"),
)


class OneLineFailures(logging.Filter):
    def __init__(self, threshold: int):
        super().__init__()
        self.threshold = threshold  # the handler's level: a demoted record must still pass it

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if isinstance(record.exc_info, tuple) else None
        record.exc_info = None
        record.exc_text = None
        record.stack_info = None
        if exc is not None:  # the exception in the same line: the log call's message often leaves it out
            text = (str(exc).strip().splitlines() or [""])[0]
            record.msg, record.args = f"{record.getMessage()} ({type(exc).__name__}: {text}; traceback: --debug)", ()
        if record.levelno >= logging.ERROR and any(
            record.name.startswith(name) and str(record.msg).startswith(start) for name, start in _DEMOTED
        ):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            if record.levelno < self.threshold:
                return False
        message = record.getMessage()
        if "\n" in message:
            first = next((line for line in message.splitlines() if line.strip()), "")
            record.msg, record.args = first + " (details: --debug)", ()
        return True


def install(tracebacks: bool) -> None:
    if tracebacks:
        return
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, OneLineFailures) for f in handler.filters):
            handler.addFilter(OneLineFailures(handler.level))
