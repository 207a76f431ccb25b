"""The URLs this crawl has already scheduled, kept on disk so memory does not grow with them.

Scrapy's default dupefilter keeps every request fingerprint in a Python set (scrapy#5307); a news
site's archive can be millions of URLs. A SQLite table keyed by the canonical URL costs a few
microseconds per lookup and nothing in RAM beyond SQLite's small page cache.

One SeenUrls is shared per crawler (`seen_for(crawler)`): the dupefilter adds every scheduled
request to it, the spider adds the canonical URL a page declares (so the article it points to is
not fetched a second time).
"""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path
from typing import Any

_ATTR = "_newsbot_seen_urls"


class SeenUrls:
    """A persistent set of strings in one SQLite file (a temporary file when no path is given)."""

    def __init__(self, path: str | Path | None = None):
        self._tmpdir: tempfile.TemporaryDirectory | None = None
        if path is None:
            self._tmpdir = tempfile.TemporaryDirectory(prefix="newsbot-seen-")
            path = Path(self._tmpdir.name) / "seen.sqlite"
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # a marker that lives while the set is open: found at start, the last run was killed (kill -9,
        # OOM, power loss) and its request queue died with it. Its seen set would filter the URLs that
        # were queued but never fetched, so it is dropped: the crawl rediscovers them and the store
        # skips the articles already stored (and a file written without a journal may be torn anyway).
        self._marker = self.path.with_name(self.path.name + ".open")
        if self._marker.exists():
            self.path.unlink(missing_ok=True)
        self._marker.touch()
        self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        # durability is not needed: after a crash the crawl refetches at worst a few pages
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("PRAGMA cache_size=-4096")  # 4 MB, bounded whatever the number of URLs
        self._db.execute("CREATE TABLE IF NOT EXISTS seen (key TEXT PRIMARY KEY) WITHOUT ROWID")
        self._closed = False

    def add(self, key: str) -> bool:
        """Add `key`; True when it was not there before."""
        cur = self._db.execute("INSERT OR IGNORE INTO seen (key) VALUES (?)", (key,))
        return cur.rowcount == 1

    def __contains__(self, key: object) -> bool:
        return self._db.execute("SELECT 1 FROM seen WHERE key = ?", (key,)).fetchone() is not None

    def __len__(self) -> int:
        return self._db.execute("SELECT count(*) FROM seen").fetchone()[0]

    def clear(self) -> None:
        self._db.execute("DELETE FROM seen")

    def close(self, *, delete: bool = False) -> None:
        if self._closed:
            return
        self._closed = True
        self._db.close()
        self._marker.unlink(missing_ok=True)
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
        elif delete:
            self.path.unlink(missing_ok=True)


def seen_for(crawler: Any) -> SeenUrls:
    """The crawler's shared set: JOBDIR/seen.sqlite when the crawl can be resumed, else a temporary file."""
    seen = getattr(crawler, _ATTR, None)
    if seen is None:
        jobdir = crawler.settings.get("JOBDIR")
        seen = SeenUrls(Path(jobdir) / "seen.sqlite" if jobdir else None)
        setattr(crawler, _ATTR, seen)
    return seen
