"""Export: corpus pages -> pipelines -> store -> JSONL (plain/gzip/zstd) -> pandas; the card; the CLI commands."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pytest

from newsbot import EXTRACTOR_VERSION
from newsbot.cli import main
from newsbot.record import ArticleRecord
from newsbot.store import Filters, export_jsonl, open_store, record_key
from newsbot.store.timeutil import bound
from pipelines import run_records
from tests.support import store as support
from tests.support.store import corpus_pages, corpus_record, make_record

# the storage fixtures (parametrized over SQLite and PostgreSQL), used by name below
store = support.store
store_url = support.store_url


@pytest.fixture
def corpus_store(corpus, store):
    """The corpus pages, extracted as the crawler would, run through the pipelines (the CNN twin under its own URL)."""
    records = []
    for page, url in corpus_pages(corpus):
        as_url = "https://www.example-wire.net/syria-clashes" if page.stem.endswith("__near-duplicate") else None
        records.append(corpus_record(page, url, as_url=as_url))
    stats = run_records(records, store)
    store.pages = len(records)
    store.run_stats = stats
    return store


@pytest.mark.corpus
@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.zst"])
def test_round_trip_corpus_to_pandas(corpus_store, tmp_path, suffix):
    stored = corpus_store.count(Filters(include_duplicates=True))
    assert stored + corpus_store.run_stats.get("newsbot/items/invalid", 0) == corpus_store.pages
    originals = corpus_store.count(Filters())
    assert originals == stored - 1  # the CNN twin is linked, and left out by default
    out = tmp_path / f"corpus{suffix}"
    result = export_jsonl(corpus_store, out, Filters())
    assert result.records == originals
    df = pd.read_json(out, lines=True, compression={"": None, ".gz": "gzip", ".zst": "zstd"}[out.suffix.replace(".jsonl", "")])
    assert list(df.columns) == ArticleRecord.field_names()
    assert len(df) == originals
    assert df["duplicate_of"].isna().all()
    assert set(df["lang"]) >= {"ar"}
    assert (df["word_count"] > 0).all()
    # every exported body is the stored body, in canonical-key order
    keys = [record_key(ArticleRecord(url=u)) for u in df["url"]]
    assert keys == sorted(keys, key=lambda k: k.encode("utf-8"))
    assert corpus_store.get(keys[0]).body == df["body"].iloc[0]


@pytest.mark.corpus
def test_export_is_utf8_unescaped_and_deterministic(corpus_store, tmp_path):
    a, b = tmp_path / "a.jsonl.gz", tmp_path / "b.jsonl.gz"
    export_jsonl(corpus_store, a, Filters(include_duplicates=True))
    export_jsonl(corpus_store, b, Filters(include_duplicates=True))
    assert a.read_bytes() == b.read_bytes()
    text = gzip.decompress(a.read_bytes()).decode("utf-8")
    assert "\\u06" not in text and "سوريا" in text
    lines = text.splitlines()
    assert len(lines) == corpus_store.count(Filters(include_duplicates=True))
    twin = [json.loads(line) for line in lines if "example-wire.net" in line]
    assert twin and twin[0]["duplicate_of"] and twin[0]["cluster_id"]


@pytest.mark.corpus
def test_dataset_card_describes_the_export(corpus_store, tmp_path):
    out = tmp_path / "arabic-news.jsonl.zst"
    result = export_jsonl(corpus_store, out, Filters(sites=["youm7.com"], min_words=50))
    card = (tmp_path / "arabic-news.card.md").read_text(encoding="utf-8")
    assert result.card == tmp_path / "arabic-news.card.md"
    assert result.records == 3
    assert "| youm7.com | 2024-05 | 2 |" in card and "| youm7.com | 2020-08 | 1 |" in card
    assert "| site | youm7.com |" in card and "| min_words | 50 |" in card
    assert EXTRACTOR_VERSION in card
    for name in ArticleRecord.field_names():
        assert f"| `{name}` |" in card


def test_exported_lines_are_the_stored_records(store, tmp_path):
    """Each line is one stored record's fields, in order, as JSON: quotes, backslashes, control characters and
    Arabic/Persian text come back as they went in, and nothing but control characters is \\u-escaped."""
    records = [make_record(i, words=60) for i in range(5)]
    records[1].title = 'قال "الوزير": \\ سطر\nثانٍ\tو\x01 گفت'
    records[2].authors = ["أحمد", 'O"Brien']
    records[3].tags = []
    run_records(records, store)
    out = tmp_path / "x.jsonl"
    export_jsonl(store, out, Filters(include_duplicates=True), card=False)
    raw = out.read_bytes()
    assert raw.endswith(b"\n") and b"\\u06" not in raw
    lines = raw.decode("utf-8").splitlines()
    assert len(lines) == 5
    for line in lines:
        row = json.loads(line)
        assert list(row) == ArticleRecord.field_names()
        assert row == store.get(record_key(ArticleRecord(url=row["url"]))).to_dict()
    assert any(json.loads(line)["title"] == records[1].title for line in lines)


def test_filters_select_what_they_say(store, tmp_path):
    records = [make_record(i, site="a.com" if i % 2 else "b.com", words=40 + 5 * i) for i in range(24)]
    records[3].lang = "fa"
    copy = make_record(100, site="c.com", body=records[0].body)
    run_records(records + [copy], store)
    out = tmp_path / "x.jsonl"

    def exported(**kw) -> pd.DataFrame:
        export_jsonl(store, out, Filters(**kw), card=False)
        return pd.read_json(out, lines=True, dtype={"published": str})

    assert set(exported(sites=["a.com"])["site"]) == {"a.com"}
    assert list(exported(langs=["fa"])["url"]) == [records[3].url]
    assert (exported(min_words=100)["word_count"] >= 100).all()
    assert len(exported()) == 24 and len(exported(include_duplicates=True)) == 25
    march = exported(since=bound("2025-03-01"), until=bound("2025-03-31", upper=True))
    assert len(march) and all(pd.to_datetime(march["published"], utc=True).dt.month == 3)
    assert not (tmp_path / "x.card.md").exists()


def test_iter_records_streams_in_batches(store):
    # the rows come through a cursor (server-side on PostgreSQL), a batch at a time
    run_records([make_record(i, words=40) for i in range(50)], store)
    it = store.iter_records(Filters(), size=7)
    first = next(it)
    assert isinstance(first, ArticleRecord) and first.raw is None
    assert sum(1 for _ in it) == 49


def test_cli_export_stats_and_reextract(tmp_path, monkeypatch, capsys, corpus):
    db = tmp_path / "cli.db"
    monkeypatch.setenv("NEWSBOT_DB", str(db))
    with open_store() as s:
        records = [corpus_record(page, url) for page, url in corpus_pages(corpus) if page.name.startswith("youm7")]
        run_records(records, s)
        # pretend an older extractor produced one of them: truncated body, old version
        key = record_key(records[0])
        s.db.execute("UPDATE articles SET body = 'نص قديم', extractor_version = 'newsbot-extract/0.0.1',"
                     " fingerprint = 'old' WHERE key = ?", (key,))
        last_seen = s.row(key)["last_seen"]
    assert main(["reextract", "--site", "youm7.com"]) == 0
    report = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert report["pages"] == 3 and report["updated"] == 1 and report["unchanged"] == 2
    with open_store() as s:
        row = s.row(key)
        assert row["extractor_version"] == EXTRACTOR_VERSION and row["body"] == records[0].body
        assert row["last_seen"] == last_seen  # not fetched again
    assert main(["reextract", "--since", "2999-01-01"]) == 0
    assert json.loads(capsys.readouterr().err.strip().splitlines()[-1])["pages"] == 0

    out = tmp_path / "ds.jsonl"
    assert main(["export", "-o", str(out), "--site", "youm7.com", "--since", "2024-01-01", "--lang", "ar"]) == 0
    assert "2 records" in capsys.readouterr().err
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert (tmp_path / "ds.card.md").exists()
    assert main(["export", "-o", str(tmp_path / "bad.csv")]) == 2
    assert main(["export", "-o", str(out), "--since", "yesterday"]) == 2

    assert main(["stats", "--format", "json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["articles"] == 3 and summary["by_site"] == {"youm7.com": 3}
    assert summary["by_extractor_version"] == {EXTRACTOR_VERSION: 3}
    assert main(["stats"]) == 0
    assert "youm7.com" in capsys.readouterr().out


@pytest.mark.corpus
def test_reextract_reruns_the_extractor_on_stored_pages(corpus, store):
    from pipelines.reextract import reextract

    records = [corpus_record(page, url) for page, url in corpus_pages(corpus) if page.name.startswith("youm7")]
    run_records(records, store)
    key = record_key(records[1])
    store.db.execute("UPDATE articles SET body = 'نص قديم', extractor_version = 'newsbot-extract/0.0.1',"
                     " fingerprint = 'old' WHERE key = ?", (key,))
    stats = reextract(store, sites=["youm7.com"])
    assert stats["newsbot/reextract/pages"] == 3
    assert stats["newsbot/items/updated"] == 1 and stats["newsbot/items/unchanged"] == 2
    row = store.row(key)
    assert row["body"] == records[1].body and row["extractor_version"] == EXTRACTOR_VERSION
    assert reextract(store, sites=["no-such-site"]).get("newsbot/reextract/pages", 0) == 0
