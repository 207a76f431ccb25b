"""Date helpers shared by the store and the pipelines: ISO 8601 in, comparable UTC text out."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def now_utc() -> datetime:
    return datetime.now(UTC)


def iso_now() -> str:
    return now_utc().isoformat(timespec="seconds")


def parse_iso(value: str | None) -> datetime | None:
    """An ISO 8601 date or date-time as an aware UTC datetime; None when absent or not ISO.

    Naive values are taken as UTC: a page that gives no offset gives us nothing better.
    """
    if not value or not isinstance(value, str):
        return None
    return _parse_iso(value)


# a record's dates are parsed by validation, normalisation and the store in turn: once is enough (datetimes are
# immutable, so sharing them is safe)
@lru_cache(maxsize=1024)
def _parse_iso(value: str) -> datetime | None:
    text = value.strip()
    try:
        if _DATE_ONLY.match(text):
            d = date.fromisoformat(text)
            return datetime(d.year, d.month, d.day, tzinfo=UTC)
        dt = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def utc_text(value: str | None) -> str | None:
    """'YYYY-MM-DDTHH:MM:SSZ' (sorts and compares as text on both backends) or None."""
    if not value or not isinstance(value, str):
        return None
    return _utc_text(value)


@lru_cache(maxsize=1024)
def _utc_text(value: str) -> str | None:
    dt = _parse_iso(value)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ") if dt else None


def bound(value: str | None, *, upper: bool = False) -> str | None:
    """A --since/--until argument as a UTC text bound; a bare date as --until covers that whole day."""
    if not value:
        return None
    dt = parse_iso(value)
    if dt is None:
        raise ValueError(f"not an ISO 8601 date: {value!r}")
    if upper and _DATE_ONLY.match(value.strip()):
        dt = dt + timedelta(days=1) - timedelta(seconds=1)
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")
