"""The read-only reads behind `newsbot browse`, `show` and `ls`, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlite3

import pytest

from newsbot.browse import queries
from newsbot.browse.queries import ArticleQuery, ReadOnlyStore, list_articles
from newsbot.store import open_store
from newsbot.store.timeutil import utc_text
from tests.support.browse import DEMO_SITE, SYNTH_SITE, fill_many, fill_store
from tests.support.store import store_url  # noqa: F401 (fixture)


@pytest.fixture
def filled(store_url, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("NEWSBOT_STATE_DIR", str(tmp_path / "state"))
    return fill_store(store_url)


def _all(db: ReadOnlyStore, **kw) -> list[dict]:
    query, rows = ArticleQuery(**kw), []
    while True:
        page = list_articles(db, query)
        rows += page.rows
        if not page.next_cursor:
            return rows
        query.after = page.next_cursor


def _order_key(rec) -> tuple:
    return (utc_text(rec.published) is None, utc_text(rec.published) or "")


def test_pages_cover_every_article_once_newest_first_undated_last(filled):
    with ReadOnlyStore(filled.url) as db:
        for size in (1, 4, 5, 100):
            rows = _all(db, limit=size)
            assert len(rows) == len({r["id"] for r in rows}) == len(filled.records)
            dated = [r["published_utc"] for r in rows if r["published_utc"]]
            assert dated == sorted(dated, reverse=True)
            assert [r["published_utc"] for r in rows[len(dated):]] == [None]  # the one undated article, last
        assert {r["url"] for r in rows} == {rec.url for rec in filled.records}


def test_filters_filter(filled):
    with ReadOnlyStore(filled.url) as db:
        by_site = _all(db, site=SYNTH_SITE, limit=5)
        assert len(by_site) == sum(r.site == SYNTH_SITE for r in filled.records) == 12
        sport = _all(db, section="رياضة")
        assert {r["url"] for r in sport} == {r.url for r in filled.records if r.section == "رياضة"}
        assert sport
        bounded = _all(db, min_words=200, max_words=400)
        assert bounded and all(200 <= r["word_count"] <= 400 for r in bounded)
        assert len(bounded) == sum(200 <= r.word_count <= 400 for r in filled.records)
        since = "2025-06-01T00:00:00Z"
        later = _all(db, since=since, limit=3)
        assert {r["url"] for r in later} == {r.url for r in filled.records if (utc_text(r.published) or "") >= since}
        word = filled.demo[0].title.split()[1]
        found = _all(db, text=word)
        assert filled.demo[0].url in {r["url"] for r in found}
        assert all(word in (r["title"] or "") or word in next(x.body for x in filled.records if x.url == r["url"])
                   for r in found)
        assert _all(db, text="100%_\\ no such text") == []


def test_bad_cursor_is_refused_with_a_reason(filled):
    with ReadOnlyStore(filled.url) as db, pytest.raises(ValueError, match="not a page cursor"):
        list_articles(db, ArticleQuery(after="bm9wZQ"))


def test_find_article_by_any_url_it_knows(filled):
    rec = filled.demo[0]
    with ReadOnlyStore(filled.url) as db:
        row = queries.find_article(db, rec.url)
        assert row["title"] == rec.title and row["site"] == DEMO_SITE and row["has_raw"]
        assert row["authors"] == rec.authors
        assert queries.find_article(db, rec.url.replace("https://", "HTTPS://").rstrip("/") + "?utm_source=x") is not None
        assert queries.find_article(db, "https://nowhere.test/x") is None
        raw = queries.raw_page(db, row["id"])
        assert raw.body == rec.raw.body


def test_health_and_report_reads(filled):
    with ReadOnlyStore(filled.url) as db:
        runs = queries.site_health(db, SYNTH_SITE)
        assert [r["run_id"] for r in runs] == filled.runs
        assert [r["alarm"] is not None for r in runs] == [False, False, False, True]
        assert queries.latest_health(db)[SYNTH_SITE]["run_id"] == filled.alarmed_run
        assert dict(queries.sites(db))[SYNTH_SITE] == 12
    report = queries.last_report(filled.url)
    assert report.run_id == filled.alarmed_run and report.site(SYNTH_SITE).new == 3


def test_the_connection_cannot_write(filled):
    with ReadOnlyStore(filled.url) as db:
        with pytest.raises(Exception, match="(?i)read.?only"):
            db.rows("DELETE FROM articles")
        with pytest.raises(Exception, match="(?i)read.?only"):
            db.rows("CREATE TABLE scratch (x INTEGER)")
    with open_store(filled.url) as store:
        assert store.count() == len(filled.records)


def test_a_missing_sqlite_store_is_told_not_created(tmp_path):
    with pytest.raises(queries.StoreMissing, match="no store at"):
        ReadOnlyStore(str(tmp_path / "none.db"))
    assert not (tmp_path / "none.db").exists()


def test_pages_read_an_index_at_100000_articles(tmp_path):
    """Keyset pages stay fast however deep: the plan walks an index in order (no full scan, no sort)."""
    path = tmp_path / "big.db"
    fill_many(path, 100_000)
    with ReadOnlyStore(str(path)) as db:
        first = list_articles(db, ArticleQuery(limit=50))
        deep = ArticleQuery(limit=50)
        for _ in range(3):
            deep.after = list_articles(db, deep).next_cursor
        for q, index in ((ArticleQuery(limit=50), "articles_published"),
                         (ArticleQuery(limit=50, after=first.next_cursor), "articles_published"),
                         (deep, "articles_published"),
                         (ArticleQuery(site="s3.test", since="2025-03-01T00:00:00Z"), "articles_site"),
                         (ArticleQuery(site="s3.test", after=first.next_cursor), "articles_site")):
            plans = queries.explain(db, q)
            assert index in plans[0], plans[0]
            for plan in plans:
                assert "TEMP B-TREE" not in plan and "SCAN articles" not in plan.replace("USING INDEX", ""), plan
        # the deep page is the right one: the 151st.. newest dated articles
        conn = sqlite3.connect(path)
        expected = [r[0] for r in conn.execute(
            "SELECT id FROM articles WHERE published_utc IS NOT NULL ORDER BY published_utc DESC, id DESC"
            " LIMIT 50 OFFSET 150")]
        conn.close()
        assert [r["id"] for r in list_articles(db, deep).rows] == expected
