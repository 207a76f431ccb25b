"""Text and URLs a hostile page can put into a record, stored on both backends (SQLite file, private PostgreSQL
server): NUL and lone surrogates repaired, URLs too long for an index keyed by their hash; nothing lost."""

from __future__ import annotations

import os

import pytest

from newsbot.extract import extract
from newsbot.record import RawPage
from newsbot.store import record_key
from newsbot.urls import canonicalize
from tests.reliability import test_crash_safety as crash_safety
from tests.support import store as support
from tests.support.crawl import article_html

store = support.store
store_url = support.store_url
tiny_fs = crash_safety.tiny_fs  # a 2 MB filesystem

BASE = "https://news.example.com/politics/2026/03/01"


def _page(i: int, ld: str = "") -> str:
    return article_html(f"خبر عن المتجر رقم {i} " + "كلمة " * i).replace("</head>", ld + "</head>")


def test_hostile_text_and_long_urls_are_stored(store, case):
    case(f"{store.dialect}: store 4 extracted articles: JSON-LD image and url holding \\u0000, a headline holding a "
         "lone surrogate, a 5 KB canonical URL, and a redirect from a 5 KB URL")
    long_path = "/" + "ا" * 2500  # 5 KB of UTF-8, 15 KB percent-encoded
    nul = ('<script type="application/ld+json">{"@type":"NewsArticle","image":"https://news.example.com/a\\u0000.jpg",'
           '"url":"https://news.example.com/politics/2026/03/01/nul\\u0000.html"}</script>')
    surrogate = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"\\udc00 عنوان"}</script>'
    pages = {
        f"{BASE}/nul.html": _page(1, nul),
        f"{BASE}/surrogate.html": _page(2, surrogate),
        f"{BASE}{long_path}": _page(3, f'<link rel="canonical" href="{BASE}{long_path}">'),
        f"{BASE}/after-redirect.html": _page(4),
    }
    stored = []
    for url, html in pages.items():
        rec = extract(html.encode(), url=url)
        if url.endswith("after-redirect.html"):
            rec.raw = RawPage(url=url, body=html.encode(), headers={}, status=200,
                              fetched_at="2026-03-01T10:00:00+00:00", request_url=f"{BASE}{long_path}?from=redirect")
        try:
            store.upsert(rec)
            store.commit()
            stored.append(url)
        except Exception as exc:  # what the crawl met: a DataError or an index row too large
            case.happened(f"{url[:60]}: {type(exc).__name__}: {str(exc)[:100]}")
            store.db.execute("ROLLBACK") if store.dialect == "postgresql" else None
    lost = case.count_lost(list(pages), stored)
    assert lost == 0
    assert store.count() == 4
    long_rec = store.get(record_key(extract(pages[f"{BASE}{long_path}"].encode(), url=f"{BASE}{long_path}")))
    assert long_rec is not None and long_rec.url == f"{BASE}{long_path}"
    assert store.known(canonicalize(f"{BASE}{long_path}")) is not None  # asked by its URL, found by its hash
    case.happened("4 of 4 stored: NUL removed, the surrogate replaced by U+FFFD, the long URLs keyed by their hash")


@pytest.mark.parametrize("text", ["a\x00b", "\ud800x", "x\udfff", "ok"])
def test_storable_text(text):
    from newsbot.store.core import storable

    out = storable(text)
    out.encode("utf-8")
    assert "\x00" not in out


def test_export_on_a_full_disk_leaves_no_part_file(tmp_path, tiny_fs, case):
    from newsbot.store import open_store
    from newsbot.store.export import export_jsonl
    from tests.support.store import make_record

    case("`export_jsonl` of 2,500 articles to a .jsonl.gz on a 2 MB filesystem (the gzip stream fails again as it "
         "closes)")
    with open_store(str(tmp_path / "store.db")) as st:
        with st.batch():
            for i in range(2500):
                st.upsert(make_record(i, words=600))
        with pytest.raises(OSError):
            export_jsonl(st, tiny_fs / "out.jsonl.gz", card=False)
    left = sorted(p.name for p in tiny_fs.iterdir())
    case.figure("files_left", len(left))
    assert left == [], left
    case.happened("OSError (no space left) raised to the caller; neither the export nor its .part file left")



def _damage(db, how: str) -> None:
    import os
    import sqlite3

    size = db.stat().st_size
    if how == "second half overwritten":
        with open(db, "r+b") as fh:
            fh.seek(size // 2)
            fh.write(os.urandom(size - size // 2))
    elif how == "truncated":
        os.truncate(db, 20_000)
    elif how == "an index's root page overwritten":  # the tables themselves read fine
        with sqlite3.connect(db) as conn:
            root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'articles_site'").fetchone()[0]
        with open(db, "r+b") as fh:
            fh.seek((root - 1) * 4096)
            fh.write(os.urandom(4096))
    else:  # pages in the middle of a table, which neither command reads
        with open(db, "r+b") as fh:
            fh.seek(size // 3 // 4096 * 4096)
            fh.write(os.urandom(16 * 4096))


DAMAGES = ["second half overwritten", "truncated", "an index's root page overwritten", "pages in the middle overwritten"]


@pytest.mark.parametrize("how", DAMAGES)
def test_damaged_store_is_unreadable_not_healthy(tmp_path, how, case):
    from newsbot.health.policy import HealthSample
    from newsbot.health.store import HealthStore
    from newsbot.store import open_store
    from tests.support.crawl import newsbot
    from tests.support.store import make_record

    db = tmp_path / "store.db"
    case(f"`newsbot health` and `newsbot stats` on a 600-article SQLite store with health rows, its file {how}")
    with open_store(str(db)) as st:
        with st.batch():
            for i in range(600):
                st.upsert(make_record(i, words=300))
    with HealthStore(str(db)) as hs:
        hs.add("run-1", HealthSample("example-news.com", pages=600, good=600))
    assert newsbot(tmp_path, "health", "--db", str(db)).returncode == 0  # sound: healthy
    _damage(db, how)
    for command in ("health", "stats"):
        run = newsbot(tmp_path, command, "--db", str(db))
        lines = run.stderr.strip().splitlines()
        case.happened(f"{command}: exit {run.returncode}: {lines[-1][:110] if lines else ''}")
        assert run.returncode == 1, (command, run.stdout[-500:], run.stderr[-2000:])
        assert len(lines) == 1 and f"--db: the store {db} is unreadable" in lines[0], lines
        assert "Traceback" not in run.stderr


def test_store_check_out_of_time_is_not_damage(tmp_path):
    import time

    from newsbot.jobs.damage import check_readable
    from newsbot.store import open_store
    from tests.support.store import make_record

    db = tmp_path / "store.db"
    with open_store(str(db)) as st, st.batch():
        for i in range(3000):
            st.upsert(make_record(i, words=300))
    started = time.monotonic()
    check_readable(str(db), check_seconds=0.001)  # interrupted (a 20 MB store takes longer): not damage
    check_readable(str(db), check_seconds=30)  # whole: sound
    assert time.monotonic() - started < 30
    _damage(db, "pages in the middle overwritten")
    with pytest.raises(Exception, match="unreadable"):
        check_readable(str(db), check_seconds=30)


def _fill(fs, leave: int) -> None:
    """Fill the filesystem, then give back `leave` bytes."""
    filler = fs / "filler"
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"x" * 4096)
        except OSError:  # full
            pass
    os.truncate(filler, max(0, filler.stat().st_size - leave))


def test_export_cli_on_a_full_disk_says_what_was_left(tmp_path, tiny_fs, case):
    from newsbot.store import open_store
    from tests.support.crawl import newsbot
    from tests.support.store import make_record

    case("`newsbot export -o` a .jsonl.gz on a 2 MB filesystem: 2,500 articles (the export does not fit); then an "
         "export that fits in the last 4 KB left but whose dataset card does not")
    db = tmp_path / "store.db"
    with open_store(str(db)) as st, st.batch():
        for i in range(2500):
            st.upsert(make_record(i, words=600))
    out = tiny_fs / "out.jsonl.gz"
    run = newsbot(tmp_path, "export", "--db", str(db), "-o", str(out))
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 1 and len(lines) == 1, run.stderr
    assert f"{out}: No space left on device" in lines[0] and ".part was removed" in lines[0], lines
    assert sorted(p.name for p in tiny_fs.iterdir()) == []
    _fill(tiny_fs, 4096)
    small = tiny_fs / "none.jsonl.gz"
    run = newsbot(tmp_path, "export", "--db", str(db), "-o", str(small), "--site", "no-such-site")
    left = sorted(p.name for p in tiny_fs.iterdir())
    case.figure("files_left", left)
    assert run.returncode == 1, run.stderr
    assert "dataset card beside" in run.stderr and "No space left" in run.stderr, run.stderr
    assert left == ["filler", "none.jsonl.gz"], left  # the complete export kept; no half card, no .part
    assert "Traceback" not in run.stderr
    case.happened("exit 1, one line naming the file and the full disk, its .part removed, nothing left; then the "
                  "complete export kept and the card that did not fit told (no half card, no .part)")
