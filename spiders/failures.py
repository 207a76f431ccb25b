"""A failed request as the short reason a user reads: `unreachable: name not resolved`, `refused`, `timeout`,
`HTTP 503 after 3 tries`, `robots.txt disallows` (one line per site in the crawl summary, per URL in scrape)."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as neterror
from twisted.internet.defer import TimeoutError as DeferTimeout

UNRESOLVED = "unreachable: name not resolved"
ROBOTS = "robots.txt disallows"


def tries(request: Any) -> int:
    return int((getattr(request, "meta", None) or {}).get("retry_times", 0)) + 1


def reason(failure: Any) -> str:
    """The reason a request failed, from its Twisted Failure."""
    request = getattr(failure, "request", None)
    if failure.check(HttpError):
        response = failure.value.response
        n = tries(response.request if response.request is not None else request)
        return f"HTTP {response.status}" + (f" after {n} tries" if n > 1 else "")
    n = tries(request)
    after = f" after {n} tries" if n > 1 else ""
    if failure.check(CannotResolveHostError, neterror.DNSLookupError):
        return UNRESOLVED
    if failure.check(DownloadConnectionRefusedError, neterror.ConnectionRefusedError):
        return "refused" + after
    if failure.check(DownloadTimeoutError, neterror.TimeoutError, neterror.TCPTimedOutError, DeferTimeout):
        return "timeout" + after
    if failure.check(IgnoreRequest):
        message = failure.getErrorMessage()
        if "robots.txt answered" in message:  # a 5xx robots.txt: RFC 9309's complete disallow, and why
            return message.splitlines()[0]
        if "robots.txt" in message.lower():
            return ROBOTS
        return f"not fetched: {message.splitlines()[0] if message else 'ignored'}"
    message = failure.getErrorMessage().splitlines()
    return f"{type(failure.value).__name__}: {message[0] if message else ''}".rstrip(": ") + after
