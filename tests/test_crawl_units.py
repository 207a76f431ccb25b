"""The crawler's small pure parts: --since, Retry-After, private addresses, the on-disk seen set, summaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy import Request

from spiders.dupefilter import request_key
from spiders.middlewares import is_private_address, retry_after_seconds
from spiders.news import parse_since, resolve_site
from spiders.runner import CrawlSummary, site_row
from spiders.seen import SeenUrls

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2d", NOW - timedelta(days=2)),
        ("12h", NOW - timedelta(hours=12)),
        ("30m", NOW - timedelta(minutes=30)),
        ("1w", NOW - timedelta(weeks=1)),
        ("2026-03-01", datetime(2026, 3, 1, tzinfo=UTC)),
        ("2026-03-01T10:00:00+03:00", datetime(2026, 3, 1, 7, tzinfo=UTC)),
    ],
)
def test_parse_since(text, expected):
    assert parse_since(text, now=NOW) == expected


@pytest.mark.parametrize("bad", ["yesterday", "2x", "-3d", "2026-13-01"])
def test_parse_since_rejects_garbage(bad):
    with pytest.raises(ValueError):
        parse_since(bad, now=NOW)


def test_retry_after_seconds_and_http_dates():
    assert retry_after_seconds(b"120") == 120.0
    now = datetime(2026, 3, 10, 12, 0, tzinfo=UTC).timestamp()
    assert retry_after_seconds("Tue, 10 Mar 2026 12:01:30 GMT", now=now) == 90.0
    assert retry_after_seconds("Tue, 10 Mar 2026 11:00:00 GMT", now=now) == 0.0  # in the past: now
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


@pytest.mark.parametrize(
    ("address", "private"),
    [
        ("127.0.0.1", True), ("10.1.2.3", True), ("192.168.0.10", True), ("172.16.5.4", True),
        ("169.254.169.254", True), ("::1", True), ("fd00::1", True), ("::ffff:127.0.0.1", True), ("0.0.0.0", True),
        ("8.8.8.8", False), ("2a00:1450:4001::200e", False), ("185.70.40.1", False), ("not-an-ip", False),
        # IPv6 spellings that embed a private IPv4 address: IPv4-compatible, NAT64, 6to4, bracketed
        ("::127.0.0.1", True), ("64:ff9b::7f00:1", True), ("64:ff9b::a00:1", True), ("2002:7f00:1::", True),
        ("[::ffff:10.0.0.1]", True), ("64:ff9b::808:808", False), ("::ffff:8.8.8.8", False),
    ],
)  # fmt: skip
def test_private_addresses(address, private):
    assert is_private_address(address) is private


def test_seen_urls_is_a_persistent_set(tmp_path):
    path = tmp_path / "job" / "seen.sqlite"
    seen = SeenUrls(path)
    assert seen.add("https://a.example/x") is True
    assert seen.add("https://a.example/x") is False
    assert "https://a.example/x" in seen and "https://a.example/y" not in seen
    seen.close()
    again = SeenUrls(path)  # a resumed job sees what the paused one saw
    assert "https://a.example/x" in again and len(again) == 1
    again.close(delete=True)
    assert not path.exists()


def test_temporary_seen_urls_leave_nothing_behind():
    seen = SeenUrls()
    seen.add("k")
    path = seen.path
    assert path.exists()
    seen.close()
    assert not path.exists()


def test_request_key_folds_url_variants():
    base = request_key(Request("https://www.example.com/news/2026/03/01/story"))
    for variant in (
        "https://example.com/news/2026/03/01/story?utm_source=x&utm_medium=y",
        "https://m.example.com/news/2026/03/01/story",
        "https://example.com/news/2026/03/01/story/amp",
        "http://example.com/news/2026/03/01/story/#top",
    ):
        assert request_key(Request(variant)) == base
    assert request_key(Request("https://example.com/news/2026/03/01/other")) != base


def test_resolve_site_for_unknown_homepage_and_unknown_slug():
    site = resolve_site(url="http://127.0.0.1:8123/")
    assert site.allows("http://127.0.0.1:8123/news/x") and not site.allows("http://localhost:8123/news/x")
    with pytest.raises(ValueError):
        resolve_site(site="no-such-site-slug")


def test_site_row_reads_the_shared_stats_keys():
    stats = {
        "newsbot/site/demo/pages": 30, "newsbot/site/demo/new": 18, "newsbot/site/demo/updated": 2,
        "newsbot/site/demo/unchanged": 1, "newsbot/site/demo/invalid": 1, "newsbot/site/demo/errors": 3,
        "downloader/response_count": 40, "elapsed_time_seconds": 12.345, "finish_reason": "finished",
    }  # fmt: skip
    row = site_row("demo", stats)
    assert (row["pages"], row["new"], row["updated"], row["unchanged"], row["invalid"], row["errors"]) == (
        30, 18, 2, 1, 1, 3,
    )  # fmt: skip
    assert row["ok"] and row["duration"] == 12.35
    failed = site_row("down", {"finish_reason": "finished", "downloader/response_count": 0})
    assert not failed["ok"]
    text = CrawlSummary(sites={"demo": row}, totals=row).format()
    assert "demo" in text and "18" in text


class _Stats:
    def __init__(self, values):
        self.values = values

    def get_stats(self):
        return self.values


class _Crawler:
    def __init__(self, values):
        self.stats = _Stats(values)


def test_progress_line_sums_all_crawlers_and_updates_in_place_on_a_terminal():
    import io

    from spiders.runner import Progress

    crawlers = [
        _Crawler({"newsbot/pages/fetched": 10, "newsbot/pages/article": 7, "newsbot/errors": 1}),
        _Crawler({"newsbot/pages/fetched": 5, "newsbot/pages/article": 2}),
    ]
    out = io.StringIO()
    progress = Progress(crawlers, stream=out, tty=True)
    assert progress.snapshot()["pages"] == 15
    line = progress.line()
    assert "15 pages" in line and "9 articles" in line and "1 errors" in line and "pages/s" in line
    progress.tick()
    crawlers[1].stats.values["newsbot/pages/fetched"] = 50
    progress.tick()
    text = out.getvalue()
    assert text.count("\r") == 2 and "\n" not in text and "60 pages" in text
    progress.stop()
    assert out.getvalue().endswith("\r")  # the line is cleared before the summary prints


def test_registry_slugs_resolve_to_their_site():
    from spiders.registry import load_registry

    sites = load_registry()
    if not sites:
        pytest.skip("empty registry")
    slug, site = next(iter(sites.items()))
    assert resolve_site(site=slug) is not None and resolve_site(site=slug).homepage == site.homepage
    # a URL inside a registry site resolves to that site, not an ad-hoc one
    assert resolve_site(url=site.homepage).slug == slug
