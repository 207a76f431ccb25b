"""Extraction health: counts per run in `site_health` (SQLite and PostgreSQL) and the redesign alarm."""

from __future__ import annotations

import pytest

from newsbot.health.policy import HealthPolicy, HealthSample, assess
from newsbot.health.store import HealthStore
from tests.support.pg import pg_server, pg_url  # noqa: F401 - fixtures

GOOD = {"body": "نص الخبر الكامل " * 40, "title": "عنوان", "published": "2026-01-01T10:00:00+03:00", "confidence": 0.9}
THIN = {"body": "اقرأ أيضا", "title": "", "published": None, "confidence": 0.2}


def sample(site: str, good: int, bad: int, errors: int = 0) -> HealthSample:
    s = HealthSample(site)
    policy = HealthPolicy()
    for _ in range(good):
        s.observe(GOOD, policy)
    for _ in range(bad):
        s.observe(THIN, policy)
    s.add_extract_errors(errors)
    return s


def test_sample_counts_each_defect():
    s = sample("a", 3, 1, errors=1)
    assert (s.pages, s.good, s.short_body, s.no_title, s.no_date, s.low_confidence, s.extract_error) == (5, 3, 1, 1, 1, 1, 1)
    assert s.score == pytest.approx(0.6)


def test_assess_compares_with_the_sites_own_history():
    history = [sample("a", 9, 1) for _ in range(4)]
    assert not assess(sample("a", 8, 2), history).alarm  # ordinary noise
    broken = assess(sample("a", 1, 9), history)
    assert broken.alarm and broken.baseline == pytest.approx(0.9)
    assert any("no title" in r for r in broken.reasons)
    # a site that never had dates is not alarming for having none
    nodate = {**GOOD, "published": None}
    s = HealthSample("b")
    for _ in range(10):
        s.observe(nodate, HealthPolicy())
    assert not assess(s, [s, s]).alarm
    # too few pages, or no history: no verdict either way
    assert not assess(sample("a", 0, 3), history).alarm
    assert assess(sample("a", 0, 10), []).baseline is None


def test_extraction_errors_count_as_bad_pages():
    history = [sample("a", 10, 0) for _ in range(3)]
    verdict = assess(sample("a", 2, 0, errors=8), history)
    assert verdict.alarm and any("extract error" in r for r in verdict.reasons)


def _roundtrip(url: str) -> None:
    with HealthStore(url) as hs:
        for i in range(3):
            hs.add(f"run{i}", sample("news.example", 10, 0), at=f"2026-01-0{i + 1}T00:00:00+00:00")
            hs.assess_run(f"run{i}")
        # two workers of one run add into the same row
        hs.add("run3", sample("news.example", 1, 5), at="2026-01-04T00:00:00+00:00")
        hs.add("run3", sample("news.example", 0, 6, errors=2), at="2026-01-04T00:00:00+00:00")
        (verdict,) = hs.assess_run("run3")
        assert verdict.alarm and verdict.pages == 14
        latest = hs.latest()
        assert latest[0]["run_id"] == "run3" and latest[0]["alarm"]
        # the alarmed run is not its site's new normal: the next bad run alarms again
        hs.add("run4", sample("news.example", 1, 9), at="2026-01-05T00:00:00+00:00")
        assert hs.assess_run("run4")[0].alarm
        # until someone acknowledges the new layout
        assert hs.acknowledge("news.example") == 2
        hs.add("run5", sample("news.example", 1, 9), at="2026-01-06T00:00:00+00:00")
        assert not hs.assess_run("run5")[0].alarm
    # kept across connections (it is in the store's database)
    with HealthStore(url) as hs:
        assert len(list(hs.rows("news.example"))) == 6


def test_health_store_sqlite(tmp_path):
    _roundtrip(str(tmp_path / "store.db"))


def test_health_store_shares_the_store_database(tmp_path):
    from newsbot.store import open_store

    url = str(tmp_path / "shared.db")
    store = open_store(url)
    store.close()
    with HealthStore(url) as hs:
        hs.add("r", sample("s", 5, 0))
    import sqlite3

    tables = {r[0] for r in sqlite3.connect(url).execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"articles", "site_health"} <= tables


@pytest.mark.postgres
def test_health_store_postgres(pg_url):  # noqa: F811
    _roundtrip(pg_url)
