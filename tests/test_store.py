"""The store on both backends (SQLite file, private PostgreSQL server): schema, upserts, raw pages, transactions."""

from __future__ import annotations

import gzip
import io
import sqlite3
from datetime import UTC, datetime

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsbot.record import RawPage
from newsbot.store import Filters, open_store, record_key, summarise
from newsbot.store.backends import connect
from newsbot.store.schema import LATEST, MIGRATIONS, SCHEMA_VERSION_TABLE
from newsbot.urls import canonicalize
from tests.support import store as support
from tests.support.store import make_record

# the storage fixtures (parametrized over SQLite and PostgreSQL), used by name below
store = support.store
store_url = support.store_url


def _tables(s) -> set[str]:
    if s.dialect == "sqlite":
        rows = s.db.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    else:
        rows = s.db.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()").fetchall()
    return {r[0] for r in rows}


def test_new_store_has_latest_schema_and_reopening_migrates_nothing(store_url):
    with open_store(store_url) as s:
        assert s.schema_version() == LATEST
        assert {"articles", "raw_pages", "invalid", "url_aliases", "minhashes", "lsh_bands", "schema_version"} <= _tables(s)
    with open_store(store_url) as s:
        assert s.migrate() == []
        versions = [r[0] for r in s.db.execute("SELECT version FROM schema_version ORDER BY version").fetchall()]
        assert versions == [m.version for m in MIGRATIONS]


def test_older_store_is_upgraded_in_order(store_url):
    # a store created by a release that only had step 1
    db = connect(store_url)
    db.begin()
    db.execute(SCHEMA_VERSION_TABLE)
    for sql in MIGRATIONS[0].sql(db.dialect):
        db.execute(sql)
    db.execute("INSERT INTO schema_version VALUES (1, 'v1', '2025-01-01T00:00:00+00:00')")
    db.execute("COMMIT")
    db.close()
    with open_store(store_url) as s:
        assert s.schema_version() == LATEST
        assert "lsh_bands" in _tables(s)
        assert s.upsert(make_record(1)) == "new"


def test_a_record_field_newer_than_the_store_becomes_a_column(store_url):
    # a store made before `image` and `warnings` were record fields: they are added when it is opened
    with open_store(store_url) as s:
        assert s.upsert(make_record(1)) == "new"
        s.db.begin()
        s.db.execute("ALTER TABLE articles DROP COLUMN image")
        s.db.execute("ALTER TABLE articles DROP COLUMN warnings")
        s.db.execute("COMMIT")
    with open_store(store_url) as s:
        columns = s._article_columns()
        assert {"image", "warnings"} <= columns
        rec = make_record(2)
        rec.image, rec.warnings = "https://example.com/a.jpg", ["dom-weak"]
        assert s.upsert(rec) == "new"
        old, new = s.get(record_key(make_record(1))), s.get(record_key(rec))
        assert (old.image, old.warnings) == (None, [])  # the older article: empty, never invented
        assert (new.image, new.warnings) == ("https://example.com/a.jpg", ["dom-weak"])
        assert s.migrate() == []


def test_reinserting_the_same_1000_records_changes_nothing(store):
    records = [make_record(i, words=60) for i in range(1000)]
    with store.batch():
        assert {store.upsert(r) for r in records} == {"new"}
    assert store.count() == 1000
    first = store.row(record_key(records[10]))
    with store.batch():
        statuses = [store.upsert(r) for r in records]
    assert set(statuses) == {"unchanged"}
    assert store.count() == 1000
    assert store.db.execute("SELECT COUNT(*) FROM raw_pages").fetchone()[0] == 1000
    assert store.db.execute("SELECT COUNT(*) FROM minhashes").fetchone()[0] == 1000
    again = store.row(record_key(records[10]))
    assert again["id"] == first["id"] and again["first_seen"] == first["first_seen"]
    assert again["last_seen"] >= first["last_seen"]
    assert again["body"] == first["body"] and again["updated_at"] == first["updated_at"]


def test_changed_body_updates_in_place(store):
    old = make_record(7)
    assert store.upsert(old) == "new"
    before = store.row(record_key(old))
    new = make_record(7, seed=99)  # same URL, another text
    assert new.body != old.body
    assert store.upsert(new) == "updated"
    after = store.row(record_key(old))
    assert store.count() == 1
    assert after["id"] == before["id"]
    assert after["first_seen"] == before["first_seen"]
    assert after["body"] == new.body and after["content_hash"] == new.content_hash != before["content_hash"]
    # the raw page was replaced, not added
    assert store.db.execute("SELECT COUNT(*) FROM raw_pages").fetchone()[0] == 1
    _url, _site, raw = store.raw_page(after["id"])
    assert raw.body == new.raw.body


def test_url_variants_are_one_article(store):
    rec = make_record(3)
    assert store.upsert(rec) == "new"
    amp = make_record(3)
    amp.url = rec.url.replace("https://www.", "http://m.").replace(".html", ".html?utm_source=twitter#comments")
    assert canonicalize(amp.url) == canonicalize(rec.url)
    assert store.upsert(amp) == "unchanged"
    assert store.count() == 1
    assert store.get(record_key(rec)).url == rec.url  # the first URL met is kept


def test_known_reports_last_seen_and_aliases(store):
    rec = make_record(5)
    rec.raw.request_url = "https://www.example-news.com/r/5"  # redirected to rec.url
    assert store.known(canonicalize(rec.url)) is None
    store.upsert(rec)
    seen = store.known(canonicalize(rec.url))
    assert seen is not None and seen.tzinfo is not None
    assert store.known(canonicalize("https://www.example-news.com/r/5")) == seen
    assert store.known(canonicalize("https://www.example-news.com/r/6")) is None


def test_raw_page_is_a_gzipped_warc_record(store):
    rec = make_record(11)
    rec.raw = RawPage(url=rec.url, body="<html><p>نص عربي</p></html>".encode(), status=203,
                      headers={"Content-Type": "text/html; charset=utf-8", "X-Test": "yes"},
                      fetched_at="2026-02-03T04:05:06+00:00")
    store.upsert(rec)
    article_id = store.row(record_key(rec))["id"]
    blob = bytes(store.db.execute("SELECT warc FROM raw_pages WHERE article_id = ?", (article_id,)).fetchone()[0])
    assert blob[:2] == b"\x1f\x8b"
    assert b"WARC/1" in gzip.decompress(blob)[:20]
    (record,) = list(ArchiveIterator(io.BytesIO(blob)))
    assert record.rec_type == "response" and record.rec_headers.get_header("WARC-Target-URI") == rec.url
    _url, site, raw = store.raw_page(article_id)
    assert site == rec.site
    assert (raw.body, raw.status, raw.fetched_at) == (rec.raw.body, 203, "2026-02-03T04:05:06+00:00")
    assert raw.headers["X-Test"] == "yes" and raw.headers["Content-Type"].startswith("text/html")


def test_packed_raw_pages_are_standard_gzip_warc_concatenable_into_one_file():
    """ISA-L packs the raw pages (when installed, as the project's dependencies install it); what it writes is
    plain gzip: each blob reads back with the standard library, and blobs laid end to end are one .warc.gz."""
    from newsbot.store import warc

    isal = pytest.importorskip("isal.isal_zlib", reason="python-isal not installed: zlib packs the pages")
    assert warc._deflate is isal
    pages = [RawPage(url=f"https://example.com/{i}", body=("<p>" + "خبر عاجل " * (500 * i + 1) + "</p>").encode(),
                     headers={"Content-Type": "text/html; charset=utf-8"}, fetched_at="2026-02-03T04:05:06+00:00")
             for i in range(5)]
    blobs = [warc.encode_raw(page) for page in pages]
    for page, blob in zip(pages, blobs, strict=True):
        assert gzip.decompress(blob).endswith(page.body + b"\r\n\r\n")
        assert len(blob) < len(page.body) // 5 + 400  # compressed (Arabic text repeats)
    read = [(r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())  # read while iterating
            for r in ArchiveIterator(io.BytesIO(b"".join(blobs))) if r.rec_type == "response"]
    assert read == [(page.url, page.body) for page in pages]


@pytest.mark.parametrize("headers", [
    [], [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", "12")],
    [("Content-Disposition", 'attachment; filename="ملف.html"')], [("X-Arabic", "عربي")], [(b"X-Bytes", "v")],
])
def test_http_block_is_what_warcio_writes(headers):
    from warcio.statusandheaders import StatusAndHeaders

    from newsbot.store.warc import _http_block

    http = StatusAndHeaders("200 OK", list(headers), protocol="HTTP/1.1")
    try:
        expected = http.to_ascii_bytes()
    except UnicodeEncodeError:
        expected = http.to_bytes(encoding="utf-8")
    assert _http_block("200 OK", list(headers)) == expected


def test_a_failing_record_rolls_back_alone(store):
    good1, bad, good2 = make_record(1), make_record(2), make_record(3)
    bad.raw = RawPage(url=bad.url, body=None)  # fails while writing the raw page, after the article row
    with store.batch():
        assert store.upsert(good1) == "new"
        with pytest.raises(TypeError):
            store.upsert(bad)
        assert store.upsert(good2) == "new"
    assert store.count() == 2
    assert store.get(record_key(bad)) is None
    # no orphan rows from the failed record
    assert store.db.execute("SELECT COUNT(*) FROM minhashes").fetchone()[0] == 2
    assert store.db.execute("SELECT COUNT(*) FROM lsh_bands").fetchone()[0] == 2 * len(
        store.db.execute("SELECT bucket FROM lsh_bands WHERE article_id = (SELECT MIN(id) FROM articles)").fetchall())
    # and outside a batch too
    with pytest.raises(TypeError):
        store.upsert(bad)
    assert store.count() == 2


def test_reextraction_upsert_keeps_last_seen_and_raw(store):
    rec = make_record(4)
    store.upsert(rec)
    before = store.row(record_key(rec))
    changed = make_record(4, seed=5, raw=False)
    changed.extractor_version = "newsbot-extract/next"
    assert store.upsert(changed, seen=False) == "updated"
    after = store.row(record_key(rec))
    assert after["last_seen"] == before["last_seen"]
    assert after["extractor_version"] == "newsbot-extract/next"
    assert store.raw_page(after["id"])[2].body == rec.raw.body


def test_invalid_records_are_kept_with_reason_once_per_url(store):
    rec = make_record(8)
    store.add_invalid(rec, "short-body")
    store.add_invalid(rec, "short-body")
    store.add_invalid({"title": "بلا رابط"}, "missing-url")
    rows = store.invalid_rows()
    assert len(rows) == 2
    by_reason = {r["reason"]: r for r in rows}
    assert by_reason["short-body"]["times_seen"] == 2
    assert "بلا رابط" in by_reason["missing-url"]["record"]  # stored as UTF-8 JSON, not \u escapes
    assert summarise(store)["invalid_by_reason"] == {"missing-url": 1, "short-body": 1}


def test_filters_and_counts(store):
    with store.batch():
        for i in range(30):
            store.upsert(make_record(i, site="a.com" if i % 3 else "b.com", words=40 + i * 10))
    assert store.count() == 30
    assert store.count(Filters(sites=["b.com"])) == 10
    assert store.count(Filters(min_words=200)) == sum(1 for i in range(30) if 40 + i * 10 >= 200)
    january = Filters(since="2025-01-01T00:00:00Z", until="2025-01-31T23:59:59Z")
    utc = [datetime.fromisoformat(make_record(i, raw=False).published).astimezone(UTC) for i in range(30)]
    expected = sum(1 for d in utc if (d.year, d.month) == (2025, 1))
    assert expected and store.count(january) == expected  # +03:00 times just after midnight are still December
    stats = summarise(store)
    assert stats["by_site"] == {"a.com": 20, "b.com": 10}
    assert sum(stats["by_month"].values()) == 30


def test_sqlite_store_uses_wal(tmp_path):
    path = tmp_path / "w.db"
    with open_store(f"sqlite:///{path}") as s:
        s.upsert(make_record(1))
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_store_url_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("NEWSBOT_DB", str(tmp_path / "env.db"))
    with open_store() as s:
        s.upsert(make_record(1))
    assert (tmp_path / "env.db").exists()
    with pytest.raises(ValueError):
        open_store("mysql://nope")


def test_a_store_from_a_newer_release_is_refused(store_url):
    with open_store(store_url) as s:
        s.db.execute("INSERT INTO schema_version VALUES (?, 'from the future', '2030-01-01T00:00:00+00:00')", (LATEST + 1,))
    with pytest.raises(RuntimeError, match="newer"):
        open_store(store_url)


def test_several_processes_open_a_new_sqlite_store_at_once(tmp_path):
    """`newsbot crawl --workers N` on a fresh SQLite file: every worker opens (and migrates) it at the same
    moment; none may fail with 'database is locked' (switching the file to WAL does not wait by itself)."""
    import subprocess
    import sys

    db = tmp_path / "fresh.db"
    code = (
        "import sys, time; from newsbot.store import open_store\n"
        "t = float(sys.argv[2])\n"
        "time.sleep(max(0.0, t - time.time()))\n"
        "s = open_store(sys.argv[1]); print(s.schema_version()); s.close()\n"
    )
    import time

    start = str(time.time() + 1.5)  # all start together, after their imports
    procs = [subprocess.Popen([sys.executable, "-c", code, str(db), start], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(6)]
    results = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-500:] for _, err in results]
    assert len({out.strip() for out, _ in results}) == 1
