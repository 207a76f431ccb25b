"""The item pipelines: validation kept aside with reasons, normalisation, stats keys, Scrapy wiring."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsbot.record import ArticleRecord
from newsbot.store import open_store, record_key
from pipelines import run_records
from pipelines.normalise import normalise
from pipelines.validate import Invalid, check
from tests.support import store as support
from tests.support.store import make_record

ROOT = Path(__file__).resolve().parent.parent

# the storage fixtures (parametrized over SQLite and PostgreSQL), used by name below
store = support.store
store_url = support.store_url


def _bad(reason: str) -> ArticleRecord:
    rec = make_record(hash(reason) % 10_000, raw=False)
    if reason == "short-body":
        rec.body = "خبر قصير جدا."
    elif reason == "future-published":
        rec.published = (datetime.now(UTC) + timedelta(days=3)).isoformat()
    elif reason == "missing-lang":
        rec.lang = None
    elif reason == "bad-url":
        rec.url = "ftp://example.com/x"
    elif reason == "missing-body":
        rec.body = "   "
    elif reason == "bad-confidence":
        rec.confidence = 3.0
    elif reason == "unwanted-lang":
        rec.lang = "en"
    return rec


@pytest.mark.parametrize("reason", ["short-body", "future-published", "missing-lang", "bad-url", "missing-body",
                                    "bad-confidence"])
def test_check_names_the_reason(reason):
    with pytest.raises(Invalid) as info:
        check(_bad(reason))
    assert info.value.reason == reason


def test_check_accepts_good_records_and_tolerates_timezone_slack():
    rec = make_record(1, raw=False)
    check(rec)
    rec.published = (datetime.now(UTC) + timedelta(hours=3)).isoformat()  # Cairo time labelled UTC
    check(rec)
    rec.published = "١٣٩٩/٠٢/٢١"  # not ISO: the normaliser's business, not a reason to refuse the article
    check(rec)
    with pytest.raises(Invalid):
        check(rec, langs=["fa"])


def test_invalid_records_are_kept_aside_counted_and_the_rest_stored(store):
    records = [make_record(1), _bad("short-body"), make_record(2), _bad("future-published"), _bad("missing-lang"),
               make_record(3)]
    stats = run_records(records, store, settings={"NEWSBOT_LANGS": "ar,fa"})
    assert store.count() == 3
    assert stats["newsbot/items/new"] == 3
    assert stats["newsbot/items/invalid"] == 3
    assert stats["newsbot/site/example-news.com/invalid"] == 3
    assert stats["newsbot/invalid/short-body"] == 1
    rows = {r["reason"]: r for r in store.invalid_rows()}
    assert set(rows) == {"short-body", "future-published", "missing-lang"}
    kept = json.loads(rows["short-body"]["record"])
    assert kept["body"] == "خبر قصير جدا." and kept["url"].startswith("https://")
    assert "raw" not in kept


def test_normalise_tidies_text_dates_and_lists():
    rec = make_record(1, raw=False)
    rec.title = "  عنوان\u200b   الخبر \n"
    rec.body = rec.body.replace("\n\n", "\r\n\r\n\n") + "\n\n\n"
    rec.authors = ["مراسل", " مراسل ", ""]
    rec.tags = ["أخبار", "أخبار", "سياسة"]
    rec.published = "۱۳۹۹/۰۲/۲۱ - ۱۸:۵۹"
    rec.site = None
    rec.lang = "AR"
    body_before = make_record(1, raw=False).body
    out = normalise(rec)
    assert out.title == "عنوان الخبر"
    assert out.body == body_before
    assert out.authors == ["مراسل"] and out.tags == ["أخبار", "سياسة"]
    assert out.published is None and out.published_raw == "۱۳۹۹/۰۲/۲۱ - ۱۸:۵۹" and "published-not-iso" in out.warnings
    assert out.site == "example-news.com" and out.lang == "ar"
    assert out.word_count == len(body_before.split())


@pytest.mark.parametrize("body", [
    make_record(3, raw=False).body,  # already clean: returned as is
    " سطر\u00a0أول \r\n\r\n  فقرة\tثانية  \nسطر\n\n\n\nثالثة\u2028نص ",
    "كلمة", "",
])
def test_normalise_derives_the_fields_finalise_would(body):
    rec = make_record(3, raw=False)
    rec.body, rec.word_count, rec.content_hash = body, -1, "stale"
    out = normalise(rec)
    expected = ArticleRecord(body=out.body).finalise()
    assert (out.word_count, out.content_hash) == (expected.word_count, expected.content_hash)


def test_nfc_normalisation_makes_equal_text_equal(store):
    a = make_record(1, raw=False)
    decomposed = make_record(1, raw=False)
    decomposed.body = decomposed.body.replace("أ", "\u0627\u0654")  # alef + combining hamza above == أ in NFC
    assert decomposed.body != a.body
    run_records([a], store)
    stats = run_records([decomposed], store)
    assert stats["newsbot/items/unchanged"] == 1


def test_one_broken_record_never_stops_the_run(store):
    weird = make_record(5)
    weird.authors = None  # type: ignore[assignment]
    weird.raw.body = None  # the database write fails for this one
    stats = run_records([make_record(1), weird, "not a record", make_record(2)], store)  # type: ignore[list-item]
    assert store.count() == 2
    assert stats["newsbot/items/new"] == 2
    assert stats["newsbot/items/store_error"] == 1
    assert any(r["reason"].startswith("store-error") for r in store.invalid_rows())


def test_updates_and_unchanged_are_counted_per_site(store):
    run_records([make_record(i) for i in range(5)], store)
    changed = [make_record(i, seed=1 if i < 2 else 0) for i in range(5)]
    stats = run_records(changed, store)
    assert stats["newsbot/items/updated"] == 2
    assert stats["newsbot/items/unchanged"] == 3
    assert stats["newsbot/site/example-news.com/updated"] == 2
    assert store.count() == 5


SPIDER = '''
import json
import scrapy
from tests.support.store import make_record


class Feed(scrapy.Spider):
    name = "feed"

    async def start(self):
        for i in range(6):
            yield make_record(i % 4)  # 2 re-yields of the same articles
        bad = make_record(9)
        bad.body = "قصير"
        yield bad

    def closed(self, reason):
        with open(STATS, "w") as fh:
            json.dump({k: v for k, v in self.crawler.stats.get_stats().items() if k.startswith("newsbot/")}, fh)
'''


def test_scrapy_runs_the_pipelines_and_feed_exports_the_record_shape(tmp_path):
    stats_file = tmp_path / "stats.json"
    spider = tmp_path / "feed_spider.py"
    spider.write_text(SPIDER.replace("STATS", repr(str(stats_file))), encoding="utf-8")
    db = tmp_path / "crawl.db"
    out = tmp_path / "items.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "runspider", str(spider), "-O", str(out), "-s", f"NEWSBOT_DB={db}",
         "-s", "LOG_LEVEL=WARNING", "-s", "NEWSBOT_HEALTH_ENABLED=0"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    stats = json.loads(stats_file.read_text())
    assert stats["newsbot/items/new"] == 4
    assert stats["newsbot/items/unchanged"] == 2
    assert stats["newsbot/items/invalid"] == 1
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 6  # the invalid record is not exported
    first = json.loads(lines[0])
    assert list(first) == ArticleRecord.field_names() and "raw" not in first
    assert "\\u06" not in lines[0]  # Arabic as UTF-8, not escaped
    with open_store(str(db)) as s:
        assert s.count() == 4
        assert first["cluster_id"] == s.row(record_key(ArticleRecord.from_dict(first)))["cluster_id"]


def test_a_bulk_run_freezes_the_startup_heap_and_leaves_the_collector_as_it_found_it(store):
    import gc

    from newsbot.heap import YOUNG_THRESHOLD

    during = []

    def records():  # read by the run: what the collector is set to meanwhile
        during.append((gc.get_freeze_count() > 0, gc.get_threshold()))
        yield make_record(1)

    before = gc.get_threshold()
    run_records(records(), store)
    assert during == [(True, (YOUNG_THRESHOLD, *before[1:]))]
    assert gc.get_freeze_count() == 0 and gc.isenabled() and gc.get_threshold() == before


def test_a_run_inside_another_managed_collector_leaves_it_alone():
    import gc

    from newsbot.heap import long_run_collector

    before = gc.get_threshold()
    gc.disable()
    try:
        with long_run_collector():
            assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    finally:
        gc.enable()
    with long_run_collector():
        frozen = gc.get_freeze_count()
        with long_run_collector():  # nested: the outer one's settings stay
            assert gc.get_freeze_count() == frozen and gc.get_threshold()[0] >= before[0]
        assert frozen > 0
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before


def test_opening_the_pipelines_loads_the_signature_machinery(store):
    from newsbot import dedup
    from pipelines.dedup import DedupPipeline

    dedup._permutations.cache_clear()
    DedupPipeline(store=store).open_spider()  # the permutations are drawn here, not on the crawl's first item
    assert dedup._permutations.cache_info().currsize == 1


def _rows(db) -> dict:
    """Every stored article (the fields a run decides) and its raw page, read back."""

    out = {}
    cols = "key, url, title, body, content_hash, duplicate_of, cluster_id, word_count"
    for row in db.db.execute(f"SELECT {cols}, id FROM articles").fetchall():
        raw = db.raw_page(row[-1])
        out[row[0]] = (row[1:-1], raw[2].body if raw else None, raw[2].status if raw else None)
    sigs = dict(db.db.execute("SELECT a.key, m.signature FROM minhashes m JOIN articles a ON a.id = m.article_id"))
    return {k: (*v, bytes(sigs[k])) for k, v in out.items()}


def test_a_bulk_run_prepared_by_helper_processes_stores_the_same(tmp_path, monkeypatch):
    """Past PREPARE_AFTER records, helper processes compute signatures and pack raw pages ahead: the store ends
    up exactly as when the pipelines do it all, messy text (changed by normalisation) and wire copies included."""
    import pipelines.prepare as prep

    monkeypatch.setattr(prep, "PREPARE_AFTER", 40)
    monkeypatch.setattr(prep, "CHUNK", 16)

    def records():
        for i in range(200):
            rec = make_record(i, words=120)
            if i % 7 == 0:  # normalisation changes it: the signature made ahead must not be reused
                # soft hyphens inside words: normalisation removes them, and they split the words it hashes
                rec.body = " ".join(w[:2] + "\u00ad" + w[2:] if len(w) > 3 else w for w in rec.body.split(" "))
            if i % 11 == 0:  # a wire copy of an earlier story on another site
                rec = make_record(i, site="copy-news.net", words=120, body=make_record(i - 5, words=120).body)
            yield rec

    stores = {}
    for processes in (0, 1):
        with open_store(str(tmp_path / f"p{processes}.db")) as db:
            stats = run_records(records(), db, processes=processes)
            assert stats["newsbot/items/new"] == 200
            stores[processes] = _rows(db)
    assert stores[0] == stores[1]
    assert sum(1 for v in stores[1].values() if v[0][4]) >= 10  # the copies were linked in both


def test_prepare_leaves_the_record_as_it_came():
    from newsbot import dedup
    from pipelines.prepare import prepare

    rec = make_record(3, words=80)
    rec.body = "  " + rec.body.replace(" ", "\u200b ", 3) + "  "
    before = rec.body
    page = prepare(rec)
    assert rec.body == before and rec.raw.packed is None and page.packed is not None
    assert page.record is rec and page.raw is rec.raw
    assert dedup.signature_for(normalise(rec), page.signed_ahead) == dedup.signature(rec.body)


_BODY_CHARS = st.sampled_from(list("ab ب ت\n\n\r\t") + ["\xa0", "\u200c", "\u200b", "\u2009", "\u3000", "\ufeff",
                                                           "\u00e9", "e", "\u0301", "\x85", "\u2028", "\u0663",
                                                           "\ud800"])


@given(st.text(_BODY_CHARS, max_size=40))
@settings(max_examples=3000, deadline=None)
def test_the_clean_body_shortcut_gives_what_the_rebuild_gives(text):
    """clean_body skips the rebuild for text that is already clean: it must give what the rebuild gives."""
    from pipelines.normalise import _is_clean_body, _nfc, clean_body, rebuild_body

    nfc = _nfc(text)
    assert clean_body(text) == rebuild_body(nfc)
    if _is_clean_body(nfc):
        assert rebuild_body(nfc) == nfc
