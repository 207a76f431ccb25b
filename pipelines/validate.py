"""Validation: required fields and sane values. Failures are kept aside with their reason, never lost.

Settings (defaults in newsbot/settings.py): NEWSBOT_MIN_WORDS (body words), NEWSBOT_MIN_CHARS,
NEWSBOT_LANGS (accepted languages, empty = any), NEWSBOT_FUTURE_SLACK_HOURS (pages label local time as UTC,
so a fresh article can look a few hours ahead).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from scrapy.exceptions import DropItem

from newsbot import settings as defaults
from newsbot.crawled import CrawledPage
from newsbot.record import ArticleRecord
from newsbot.store.timeutil import now_utc, parse_iso
from pipelines.common import StorePipelineBase, as_page, bump, in_form_of, log, setting_int, setting_list

KINDS = {"article", "liveblog"}
_LANG = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})?$", re.I)
OLDEST_YEAR = 1800


class Invalid(DropItem):
    """A record that failed validation; `reason` is a short machine-readable code."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"invalid record: {reason}{': ' + detail if detail else ''}")
        self.reason = reason


def check(record: ArticleRecord, *, min_words: int = defaults.NEWSBOT_MIN_WORDS,
          min_chars: int = defaults.NEWSBOT_MIN_CHARS, langs: list[str] | None = None,
          future_slack: timedelta = timedelta(hours=defaults.NEWSBOT_FUTURE_SLACK_HOURS)) -> None:
    """Raise Invalid(reason) when the record is not fit to store."""
    parts = urlsplit(record.url or "")
    if not record.url:
        raise Invalid("missing-url")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("bad-url", record.url[:200])
    body = record.body or ""
    if not body.strip():
        raise Invalid("missing-body")
    # splitting off min_words words is enough to know there are that many (a body can be long)
    if len(body.split(None, min_words)) < min_words or len(body.strip()) < min_chars:
        raise Invalid("short-body", f"{len(body.split())} words, {len(body.strip())} chars")
    if not record.lang:
        raise Invalid("missing-lang")
    if not _LANG.match(record.lang):
        raise Invalid("bad-lang", record.lang)
    if langs and record.lang.split("-")[0].lower() not in langs:
        raise Invalid("unwanted-lang", record.lang)
    if (record.kind or "article").lower() not in KINDS:
        raise Invalid("bad-kind", str(record.kind))
    try:
        confidence = float(record.confidence or 0.0)
    except (TypeError, ValueError):
        raise Invalid("bad-confidence", repr(record.confidence)) from None
    if not 0.0 <= confidence <= 1.0:
        raise Invalid("bad-confidence", repr(record.confidence))
    latest = now_utc() + future_slack
    for name in ("published", "modified"):
        when = parse_iso(getattr(record, name))  # text that is not ISO is the normaliser's business
        if when is None:
            continue
        if when > latest:
            raise Invalid(f"future-{name}", getattr(record, name))
        if when.year < OLDEST_YEAR:
            raise Invalid(f"implausible-{name}", getattr(record, name))


class ValidatePipeline(StorePipelineBase):
    def open_spider(self, spider: Any = None) -> None:
        super().open_spider(spider)
        self.min_words = setting_int(self.settings, "NEWSBOT_MIN_WORDS", defaults.NEWSBOT_MIN_WORDS)
        self.min_chars = setting_int(self.settings, "NEWSBOT_MIN_CHARS", defaults.NEWSBOT_MIN_CHARS)
        self.langs = [x.lower() for x in setting_list(self.settings, "NEWSBOT_LANGS")]
        hours = setting_int(self.settings, "NEWSBOT_FUTURE_SLACK_HOURS", defaults.NEWSBOT_FUTURE_SLACK_HOURS)
        self.slack = timedelta(hours=hours)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        try:
            page = as_page(item)
            check(page.record, min_words=self.min_words, min_chars=self.min_chars, langs=self.langs, future_slack=self.slack)
        except Invalid as exc:
            self._set_aside(item, exc.reason)
            raise
        except Exception as exc:  # a record so broken the checks themselves fail
            self._set_aside(item, "malformed")
            raise Invalid("malformed", repr(exc)) from exc
        return in_form_of(item, page)

    def _set_aside(self, item: Any, reason: str) -> None:
        item = item.record if isinstance(item, CrawledPage) else item
        site = getattr(item, "site", None) if not isinstance(item, dict) else item.get("site")
        bump(self.stats, "invalid", site)
        self.stats.inc_value(f"newsbot/invalid/{reason}")
        try:
            data = item if isinstance(item, (ArticleRecord, dict)) else {"repr": repr(item)[:2000]}
            self.active_store.add_invalid(data, reason)
        except Exception:  # keeping it aside failed (database down?): the crawl goes on, the log says why
            log.exception("could not keep invalid record aside (%s)", reason)
