"""SQLite batches: new articles held back and written together at commit (newsbot/store/fresh.py), and the
near-duplicate band look-ups answered from memory (newsbot/store/bandindex.py). Both must store exactly what
the record-at-a-time path stores, link exactly the same duplicates, and fail a bad record alone."""

from __future__ import annotations

import random
import sqlite3

import numpy as np
import pytest

from newsbot import dedup
from newsbot.record import RawPage
from newsbot.store import core, neardup, open_store, record_key
from newsbot.store.bandindex import BandIndex
from newsbot.store.warc import decode_raw
from newsbot.urls import canonicalize
from pipelines import run_records
from tests.support.store import make_record

TIMES = {"first_seen", "last_seen", "updated_at", "times_seen"}  # when, not what


def _copy_of(src, i: int, site: str = "copy-news.net"):
    """A wire copy of an earlier story on another site, with a few words changed."""
    words = src.body.split(" ")
    rng = random.Random(i)
    for _ in range(3):
        words[rng.randrange(len(words))] = "تعديل"
    return make_record(i, site=site, body=" ".join(words))


def _records() -> list:
    """New stories, near and exact copies, re-crawls (unchanged and updated), aliases, and records that fail."""
    stories = [make_record(i, words=120) for i in range(60)]
    out = []
    for i, story in enumerate(stories):
        out.append(story)
        if i % 6 == 5:
            out.append(_copy_of(stories[i - 4], 1000 + i))
        if i == 30:
            out.append(make_record(2000, site="mirror.com", body=stories[2].body))  # an exact copy
            updated = make_record(7, words=120)  # re-crawled with a paragraph added: its signature and band rows change
            updated.body += "\n\nفقرة جديدة أضيفت إلى الخبر بعد نشره بساعات"
            out.append(updated.finalise())
            out.append(make_record(8, words=120))  # re-crawled unchanged
            redirected = make_record(3000)
            redirected.raw.request_url = "https://www.example-news.com/r/3000"
            out.append(redirected)
            out.append(_copy_of(updated, 3001))  # a copy of the updated version
            bad = make_record(4000)
            bad.raw = RawPage(url=bad.url, body=None)  # fails while packing its raw page
            out.append(bad)
        if i == 45:
            again = make_record(50, words=120)  # stored again in the same batch, changed: written, then updated
            again.body += "\n\nتحديث"
            out.append(again.finalise())
    out.append(_copy_of(stories[59], 5000))
    return out


def _dump(db_path) -> dict:
    """Every stored row of every table, times left out (and a raw page's WARC record, which has its own id and
    date, as the response it holds)."""
    conn = sqlite3.connect(db_path)
    out = {}
    for table in ("articles", "raw_pages", "minhashes", "lsh_bands", "url_aliases", "invalid"):
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in TIMES]
        rows = conn.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
        if table == "raw_pages":
            at = cols.index("warc")
            rows = [(*row[:at], _response(row[at]), *row[at + 1 :]) for row in rows]
        out[table] = sorted(rows, key=repr)
    conn.close()
    return out


def _response(warc: bytes) -> tuple:
    page = decode_raw(warc)
    return page.url, page.status, sorted(page.headers.items()), page.body, page.request_url


def _run(path, monkeypatch, *, hold_back: bool, index: bool, commit_every: int = 5000,
         fresh_rows: int = core.FRESH_ROWS) -> dict:
    with monkeypatch.context() as m:
        m.setattr(core, "FRESH_ROWS", fresh_rows)
        if not hold_back:
            m.setattr(core.Store, "_holds_back", lambda self: False)
        m.setattr(neardup, "BAND_INDEX_AFTER", 0 if index else 10**9)
        with open_store(str(path)) as s:
            stats = run_records(_records(), s, settings={"NEWSBOT_COMMIT_EVERY": commit_every}, processes=0)
            used_index = s.neardup.index is not None
    assert used_index == index
    return {"stats": stats, "rows": _dump(path)}


@pytest.mark.parametrize(("commit_every", "fresh_rows"), [(5000, 1000), (7, 1000), (5000, 4)],
                         ids=["one-batch", "small-batches", "written-every-4"])
def test_batched_writes_store_what_record_at_a_time_writes(tmp_path, monkeypatch, commit_every, fresh_rows):
    before = _run(tmp_path / "before.db", monkeypatch, hold_back=False, index=False, commit_every=commit_every)
    after = _run(tmp_path / "after.db", monkeypatch, hold_back=True, index=True, commit_every=commit_every,
                 fresh_rows=fresh_rows)
    assert after["stats"] == before["stats"]
    assert after["rows"] == before["rows"]
    stats = after["stats"]
    assert stats["newsbot/dedup/near"] >= 10 and stats["newsbot/dedup/exact"] == 1
    assert stats["newsbot/items/updated"] == 2 and stats["newsbot/items/unchanged"] == 1
    assert stats["newsbot/items/store_error"] == 1


def test_the_band_index_links_what_the_query_links(tmp_path, monkeypatch):
    query = _run(tmp_path / "query.db", monkeypatch, hold_back=True, index=False, commit_every=7)
    memory = _run(tmp_path / "memory.db", monkeypatch, hold_back=True, index=True, commit_every=7)
    assert memory == query


def test_held_back_articles_are_stored_articles_before_the_commit(tmp_path):
    story = make_record(1, words=200)
    story.raw.request_url = "https://www.example-news.com/r/1"
    with open_store(str(tmp_path / "s.db")) as s, s.batch():
        assert s.upsert(story) == "new"
        assert s.known(canonicalize(story.url)) is not None
        assert s.known(canonicalize("https://www.example-news.com/r/1")) is not None  # its alias
        assert s.find_duplicate(make_record(2, site="mirror.com", body=story.body)).method == "exact"
        near = s.find_duplicate(_copy_of(story, 3))
        assert near is not None and near.method == "near" and near.key == record_key(story)
        assert s.upsert(story) == "unchanged"  # the same article again in the batch
        assert s.count() == 1 and s.get(record_key(story)).body == story.body


def test_a_record_sqlite_would_refuse_fails_alone_at_its_upsert(tmp_path):
    good1, good2 = make_record(1), make_record(2)
    no_kind, listed = make_record(3), make_record(4)
    no_kind.kind = None  # type: ignore[assignment]  # NOT NULL column
    listed.title = ["not", "text"]  # type: ignore[assignment]
    huge = make_record(5)
    huge.word_count = 2**70
    with open_store(str(tmp_path / "s.db")) as s:
        with s.batch():
            assert s.upsert(good1) == "new"
            with pytest.raises(sqlite3.IntegrityError, match="NOT NULL constraint failed: articles.kind"):
                s.upsert(no_kind)
            with pytest.raises(sqlite3.ProgrammingError, match="type 'list' is not supported"):
                s.upsert(listed)
            with pytest.raises(OverflowError):
                s.upsert(huge)
            assert s.upsert(good2) == "new"
        assert s.count() == 2
        assert s.db.execute("SELECT COUNT(*) FROM minhashes").fetchone()[0] == 2


def test_another_connections_articles_reach_the_band_index(tmp_path, monkeypatch):
    monkeypatch.setattr(neardup, "BAND_INDEX_AFTER", 0)
    path = str(tmp_path / "s.db")
    with open_store(path) as mine, open_store(path) as theirs:
        run_records([make_record(i, words=150) for i in range(20)], mine)
        assert mine.neardup.index is not None  # built, then extended by the commit
        story = make_record(100, site="other.net", words=150)
        run_records([story], theirs)  # another crawler on the same file
        stats = run_records([_copy_of(story, 101)], mine)
        assert stats["newsbot/dedup/near"] == 1
        assert mine.row(record_key(_copy_of(story, 101)))["duplicate_of"] == record_key(story)


def test_a_store_larger_than_the_index_bound_is_looked_up_by_query(tmp_path, monkeypatch):
    monkeypatch.setattr(neardup, "BAND_INDEX_AFTER", 0)
    monkeypatch.setattr(neardup, "BAND_INDEX_MAX_ROWS", 10 * dedup.BANDS)
    with open_store(str(tmp_path / "s.db")) as s:
        stories = [make_record(i, words=150) for i in range(30)]
        run_records(stories, s, settings={"NEWSBOT_COMMIT_EVERY": 5})
        assert s.neardup.index is None and s.neardup.off
        stats = run_records([_copy_of(stories[3], 200)], s)
        assert stats["newsbot/dedup/near"] == 1


def _brute(pairs: list[tuple[int, int]], buckets, per_bucket: int) -> set[int]:
    out: set[int] = set()
    for b in set(buckets):
        ids = sorted(a for bb, a in pairs if bb == b)
        out.update(ids[:per_bucket])
    return out


def test_band_index_answers_as_a_scan_would():
    rng = random.Random(1)
    pairs = [(rng.randrange(-50, 50), i) for i in range(1, 3000)]
    index = BandIndex(np.array([b for b, _ in pairs], dtype=np.int32), np.array([a for _, a in pairs]))
    for _ in range(200):
        q = [rng.randrange(-60, 60) for _ in range(25)]
        assert index.lookup(q, 10) == _brute(pairs, q, 10)
    # removed, then added (a changed signature), then more rows committed
    gone = [b for b, a in pairs if a == 17]
    index.remove(gone, 17)
    pairs = [(b, a) for b, a in pairs if a != 17]
    assert all(17 not in index.lookup([b], 10**6) for b in gone)
    new = sorted([(rng.randrange(-50, 50), 17), *[(rng.randrange(-50, 50), i) for i in range(3000, 3100)]])
    index.add(new)
    pairs += new
    assert len(index) == len(pairs)
    for _ in range(200):
        q = [rng.randrange(-60, 60) for _ in range(25)]
        assert index.lookup(q, 7) == _brute(pairs, q, 7)


def test_band_buckets_of_many_signatures_are_each_ones():
    rng = random.Random(2)
    sigs = [bytes(rng.getrandbits(8) for _ in range(4 * dedup.NUM_PERM)) for _ in range(50)]
    many = dedup.band_buckets_array(np.frombuffer(b"".join(sigs), dtype="<u4").reshape(50, -1))
    assert [tuple(row) for row in many.tolist()] == [dedup._band_buckets(s) for s in sigs]


def test_a_sketch_never_rules_out_a_candidate_that_matches():
    """The low-byte sketch only rules out: every candidate whose signature reaches THRESHOLD passes it, and most
    of those far under it do not (the reason it is there)."""
    rng = np.random.default_rng(3)
    sig = rng.integers(0, 2**32, size=dedup.NUM_PERM, dtype=np.uint32)
    cands = []
    for _ in range(4000):
        c = rng.integers(0, 2**32, size=dedup.NUM_PERM, dtype=np.uint32)
        same = rng.random(dedup.NUM_PERM) < rng.random()  # any share of equal values
        c[same] = sig[same]
        low = rng.random(dedup.NUM_PERM) < 0.3  # unequal values with an equal low byte
        c[low & ~same] = (c[low & ~same] & ~np.uint32(0xFF)) | (sig[low & ~same] & np.uint32(0xFF))
        cands.append(c)
    sketches = dedup.low_bytes(np.array(cands))
    passed = dedup.sketch_may_match(sig.astype("<u4").tobytes(), sketches)
    exact = np.array([dedup.similarity(sig.astype("<u4").tobytes(), c.astype("<u4").tobytes()) for c in cands])
    assert passed[exact >= dedup.THRESHOLD].all()
    assert (exact >= dedup.THRESHOLD).sum() > 500 and (~passed[exact < dedup.THRESHOLD - 0.3]).mean() > 0.9


def test_the_band_index_keeps_a_sketch_of_each_committed_signature(tmp_path, monkeypatch):
    monkeypatch.setattr(neardup, "BAND_INDEX_AFTER", 0)
    with open_store(str(tmp_path / "s.db")) as s:
        stories = [make_record(i, words=150) for i in range(40)]
        run_records(stories, s, settings={"NEWSBOT_COMMIT_EVERY": 7})
        index = s.neardup.index
        assert index is not None
        ids = [s.row(record_key(r))["id"] for r in stories]
        assert index.sketched[ids].all() and index.sketched.sum() == len(ids)
        sig = bytes(s.db.execute("SELECT signature FROM minhashes WHERE article_id = ?", (ids[5],)).fetchone()[0])
        assert (index.sketches[ids[5]] == dedup.low_bytes(np.frombuffer(sig, dtype="<u4"))).all()
        # a changed body: a new signature, sketched at the commit; a copy of it is still linked
        changed = make_record(5, words=150, body=make_record(500, words=150).body)
        stats = run_records([changed, _copy_of(changed, 501)], s, settings={"NEWSBOT_COMMIT_EVERY": 1})
        assert stats["newsbot/items/updated"] == 1 and stats["newsbot/dedup/near"] == 1
        assert s.row(record_key(_copy_of(changed, 501)))["duplicate_of"] == record_key(changed)
        sig = bytes(s.db.execute("SELECT signature FROM minhashes WHERE article_id = ?", (ids[5],)).fetchone()[0])
        assert (s.neardup.index.sketches[ids[5]] == dedup.low_bytes(np.frombuffer(sig, dtype="<u4"))).all()
        # a signature of other parameters is never sketched (it is read, and compares as nothing)
        s.neardup.index.sketch([(ids[6], b"\x00" * 16)])
        assert not s.neardup.index.sketched[ids[6]]
        assert s.neardup.index.may_match(sig, [ids[6], ids[5]]) == [ids[6], ids[5]]


def test_an_article_changed_in_the_open_batch_is_compared_by_its_new_signature(tmp_path, monkeypatch):
    """Its sketch in the band index is of its old signature until the commit: within the batch that changed it,
    a copy of its new body must still find it (read from the store, as without the index)."""
    monkeypatch.setattr(neardup, "BAND_INDEX_AFTER", 0)
    with open_store(str(tmp_path / "s.db")) as s:
        stories = [make_record(i, words=150) for i in range(30)]
        run_records(stories, s, settings={"NEWSBOT_COMMIT_EVERY": 100})
        run_records([make_record(1000, words=150)], s)  # a look-up between transactions: the index is built
        assert s.neardup.index is not None and s.neardup.index.sketched.any()
        changed = make_record(5, words=150, body=make_record(700, words=150).body)  # article 5, a new body
        stats = run_records([changed, _copy_of(changed, 701)], s, settings={"NEWSBOT_COMMIT_EVERY": 100})
        assert stats["newsbot/items/updated"] == 1
        assert stats.get("newsbot/dedup/near") == 1, stats
        assert s.row(record_key(_copy_of(changed, 701)))["duplicate_of"] == record_key(changed)
