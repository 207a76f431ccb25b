"""Dates in sitemaps (W3C datetime) and feeds (RFC 822, ISO 8601, sometimes hand-written)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from spiders.discovery.dates import as_utc, parse_date

UTC = UTC


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2024-05-20T10:15:00+03:00", datetime(2024, 5, 20, 7, 15, tzinfo=UTC)),
        ("2024-05-20T10:15:00Z", datetime(2024, 5, 20, 10, 15, tzinfo=UTC)),
        ("2024-05-20T10:15Z", datetime(2024, 5, 20, 10, 15, tzinfo=UTC)),
        ("2024-05-20T10:15:00.1234567+0200", datetime(2024, 5, 20, 8, 15, 0, 123456, tzinfo=UTC)),
        ("2024-05-20 10:15:00 +0300", datetime(2024, 5, 20, 7, 15, tzinfo=UTC)),
        ("Mon, 20 May 2024 10:15:00 +0100", datetime(2024, 5, 20, 9, 15, tzinfo=UTC)),
        ("Mon, 20 May 2024 10:15:00 GMT", datetime(2024, 5, 20, 10, 15, tzinfo=UTC)),
        ("٢٠٢٤-٠٥-٢٠T10:00:00Z", datetime(2024, 5, 20, 10, 0, tzinfo=UTC)),  # Arabic-Indic digits
    ],
)
def test_dates_with_offsets_are_aware(text, expected):
    value = parse_date(text)
    assert value is not None and value.tzinfo is not None
    assert value == expected


@pytest.mark.parametrize(
    "text,expected",
    [("2024-05-20", datetime(2024, 5, 20)), ("2024-05", datetime(2024, 5, 1)), ("2024", datetime(2024, 1, 1))],
)
def test_w3c_dates_without_time_are_naive(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", [None, "", "   ", "not a date", "2024-13", "32/13/2024", "x" * 500, "20 مايو 2024"])
def test_strict_mode_refuses(text):
    assert parse_date(text) is None


def test_lenient_mode_reads_arabic_month_names():
    assert parse_date("20 مايو 2024", lenient=True) == datetime(2024, 5, 20)
    assert parse_date("not a date at all", lenient=True) is None


def test_offset_kept():
    assert parse_date("2024-05-20T10:15:00+03:00").utcoffset() == timedelta(hours=3)


def test_as_utc():
    assert as_utc(None) is None
    assert as_utc(datetime(2024, 5, 20, 10)) == datetime(2024, 5, 20, 10, tzinfo=UTC)
    assert as_utc(parse_date("2024-05-20T10:00:00+03:00")).hour == 7
