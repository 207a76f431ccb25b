"""Dates as sitemaps and feeds write them: W3C datetime (ISO 8601 subset) and RFC 822."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

# "+0300" -> "+03:00" so fromisoformat accepts it on Python 3.10 too
_COMPACT_OFFSET = re.compile(r"([+-]\d{2})(\d{2})$")
_ZULU = re.compile(r"[zZ]$")
_FRACTION = re.compile(r"(\.\d{1,6})\d*")
_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")  # W3C allows "2024" and "2024-05"
# Arabic-Indic and Persian digits, as some Arabic CMSs write them
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def parse_date(text: str | None, *, lenient: bool = False) -> datetime | None:
    """W3C/ISO 8601 or RFC 822 date -> datetime (tz-aware when an offset is given), None when unreadable.

    lenient: fall back to dateparser for hand-written dates ("20 مايو 2024"). It is slow, so sitemaps
    (hundreds of thousands of dates) stay strict; feeds (a few dozen) may use it.
    """
    if not text:
        return None
    text = text.strip().translate(_DIGITS)
    if not text or len(text) > 100:
        return None
    try:
        return datetime.fromisoformat(text)  # the common case on Python >= 3.11
    except ValueError:
        pass
    m = _YEAR_MONTH.match(text)
    if m:
        year, month = int(m.group(1)), int(m.group(2) or 1)
        return datetime(year, month, 1) if 1 <= month <= 12 and year >= 1900 else None
    iso = _ZULU.sub("+00:00", text)
    iso = _COMPACT_OFFSET.sub(r"\1:\2", iso) if "T" in iso or " " in iso.strip() else iso
    iso = _FRACTION.sub(lambda m: m.group(1).ljust(7, "0")[:7], iso)
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        pass
    return _dateparser(text) if lenient else None


def _dateparser(text: str) -> datetime | None:
    try:
        import dateparser
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    try:
        return dateparser.parse(
            text, languages=["ar", "en", "fr"], settings={"RETURN_AS_TIMEZONE_AWARE": False, "STRICT_PARSING": True}
        )
    except Exception:  # dateparser raises assorted errors on junk
        return None


def as_utc(value: datetime | None) -> datetime | None:
    """For comparisons: aware datetimes to UTC, naive ones assumed UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
