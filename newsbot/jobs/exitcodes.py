"""Exit codes of `newsbot crawl` (documented in docs/scheduling.md; keep the two in step).

When several apply, the most actionable wins: a usage error stops before crawling; a site that could
not be crawled at all outranks a health alarm (the alarm is still in the report).
"""

from __future__ import annotations

OK = 0  # every site crawled (or skipped because another run holds its lock)
SITE_FAILED = 1  # at least one site failed: unreachable, crawl error, killed
USAGE = 2  # bad command line or configuration (argparse uses 2 as well)
HEALTH_ALARM = 3  # crawled, but a site's extraction health dropped sharply against its history
INTERRUPTED = 130  # stopped by Ctrl-C / SIGTERM (128 + SIGINT, the shell's convention); the next run resumes

MEANING = {
    OK: "success",
    SITE_FAILED: "some sites failed",
    USAGE: "usage or configuration error",
    HEALTH_ALARM: "extraction health alarm",
    INTERRUPTED: "interrupted",
}


def combine(*, failed: bool, alarm: bool, interrupted: bool = False) -> int:
    if interrupted:
        return INTERRUPTED
    if failed:
        return SITE_FAILED
    if alarm:
        return HEALTH_ALARM
    return OK
