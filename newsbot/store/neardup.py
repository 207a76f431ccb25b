"""The store's near-duplicate index: MinHash signatures (`minhashes`) and their LSH band rows (`lsh_bands`),
the band rows an open batch has not written yet, and (SQLite) the committed band rows in memory.

`Store` decides when a record is written and what a match means (exact hash first, the oldest article on a
tie); this object owns where band rows live and how the candidates of a signature are found:

- inside a batch, a unit's band rows wait in `pending` and go in sorted at commit (one pass over the B-tree
  instead of 25 random inserts per record); the look-ups consult them meanwhile;
- SQLite: once a run has made BAND_INDEX_AFTER look-ups, they are answered by a BandIndex (bandindex.py) built
  from the stored signatures and kept in step with each commit, while the store holds at most
  BAND_INDEX_MAX_ROWS band rows (memory bounded: 8 bytes a row, twice that while a commit merges its rows in, and
  a 128-byte sketch of each article's signature that rules most candidates out without reading them);
  it is dropped whenever it may have gone stale (another connection wrote, a rollback, a reconnect).
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from newsbot import dedup
from newsbot.store.bandindex import BandIndex

log = logging.getLogger(__name__)

MAX_CANDIDATES = 200  # near-duplicate candidates checked per record (boilerplate-heavy buckets stay cheap)
# the band look-up first fetches up to this many rows as they come (no DISTINCT and ORDER BY: no temporary
# B-tree, which cost as much as the look-up); only buckets holding more go through the sorted query
BAND_ROWS_UNSORTED = 1000
# SQLite: the in-memory index is built once a run has made this many look-ups (a short crawl never builds
# it), while the store holds at most BAND_INDEX_MAX_ROWS band rows (25 per article: 160,000 articles)
BAND_INDEX_AFTER = 2000
BAND_INDEX_MAX_ROWS = 4_000_000

BandRow = tuple[int, int]  # (bucket, article id)
BandRows = tuple[np.ndarray, np.ndarray]  # many of them: (buckets, ids), int64 arrays of one length
# a write unit's place: the enclosing unit's band rows, and how many removals came before it
UnitMark = tuple[list[BandRow] | None, int]


class NearDupIndex:
    """One store connection's near-duplicate state; `db` is passed in (a reconnect replaces it)."""

    def __init__(self, dialect: str):
        self.in_memory_ok = dialect == "sqlite"
        self.pending: dict[int, list[int]] = {}  # bucket -> ids: the open batch's band rows, written at commit
        self.unit: list[BandRow] | None = None  # band rows of the open write unit (savepoint) of a batch
        self.direct: list[BandRow] = []  # band rows a unit outside a batch wrote (the index learns them at commit)
        self.index: BandIndex | None = None  # committed band rows in memory, as of PRAGMA data_version `version`
        self.version: int | None = None
        self.off = False  # the store outgrew BAND_INDEX_MAX_ROWS, or its band rows are being rebuilt
        self.lookups = 0
        self.removed: list[tuple[tuple[int, ...], int]] = []  # band rows the open transaction deleted
        self.signed: dict[int, bytes] = {}  # signatures the open transaction wrote (the index sketches them)
        # articles whose signature the open transaction replaced: their sketch in the index is the old one's
        self.resigned: set[int] = set()

    @property
    def nbytes(self) -> int:
        """Memory the in-memory band rows take (0 while there is no index)."""
        return self.index.nbytes if self.index is not None else 0

    # ---- the transaction's band rows ------------------------------------------------------

    def begin_unit(self) -> UnitMark:
        mark: UnitMark = (self.unit, len(self.removed))
        self.unit = []
        return mark

    def fail_unit(self, mark: UnitMark) -> None:
        for _bucket, article_id in self.unit or ():  # unsketched: read from the store, whatever it holds now
            self.signed.pop(article_id, None)
        self.unit = mark[0]
        del self.removed[mark[1]:]

    def end_unit(self, mark: UnitMark) -> None:
        rows, self.unit = self.unit or [], mark[0]
        if self.unit is not None:
            self.unit.extend(rows)
            return
        pending = self.pending
        for bucket, article_id in rows:
            if bucket in pending:
                pending[bucket].append(article_id)
            else:
                pending[bucket] = [article_id]

    def hold(self, article_id: int, sig: bytes) -> None:
        """A held-back new article's band rows (fresh.py): pending until the commit, as a unit's are."""
        self.signed[article_id] = sig
        pending = self.pending
        for bucket in dedup.band_buckets(sig):
            if bucket in pending:
                pending[bucket].append(article_id)
            else:
                pending[bucket] = [article_id]

    def write_pending(self, db: Any) -> BandRows:
        """The batch's band rows into `lsh_bands` (before COMMIT), in bucket order; forgotten either way.

        Sorted and flattened by numpy: a batch holds 125,000 of them, which as Python tuples cost more than
        the INSERTs' own work."""
        pending, self.pending = self.pending, {}
        if not pending:
            return _NO_ROWS
        counts = np.fromiter(map(len, pending.values()), dtype=np.int64, count=len(pending))
        buckets = np.repeat(np.fromiter(pending.keys(), dtype=np.int64, count=len(pending)), counts)
        ids = np.fromiter(itertools.chain.from_iterable(pending.values()), dtype=np.int64, count=len(buckets))
        order = np.argsort(buckets, kind="stable")  # ids within a bucket stay in the order they were stored
        buckets, ids = buckets[order], ids[order]
        db.insert_pairs("INSERT INTO lsh_bands (bucket, article_id) VALUES",
                        np.column_stack((buckets, ids)).ravel().tolist(), "ON CONFLICT DO NOTHING")
        return buckets, ids

    def direct_rows(self) -> BandRows:
        rows, self.direct = self.direct, []
        if not rows:
            return _NO_ROWS
        pairs = np.array(rows, dtype=np.int64)
        return pairs[:, 0], pairs[:, 1]

    def committed(self, band_rows: BandRows) -> None:
        """After COMMIT: the in-memory index learns what the transaction removed and added."""
        removed, self.removed = self.removed, []
        signed, self.signed = self.signed, {}
        self.resigned = set()
        if self.index is None:
            return
        for buckets, article_id in removed:
            self.index.remove(buckets, article_id)
        self.index.add_arrays(*band_rows)
        self.index.sketch(list(signed.items()))
        if len(self.index) > BAND_INDEX_MAX_ROWS:  # the store outgrew it: queries from now on
            self.index, self.off = None, True

    def rolled_back(self, *, keep_index: bool = False) -> None:
        """The transaction is gone: what it wrote is forgotten, and the index too unless it cannot be stale."""
        self.removed, self.direct, self.pending, self.signed, self.resigned = [], [], {}, {}, set()
        if not keep_index:
            self.index = None

    def reset(self) -> None:
        """A new connection: nothing of the old one's transaction survives."""
        self.rolled_back()
        self.unit = None

    @contextmanager
    def suspended(self) -> Iterator[None]:
        """No in-memory index meanwhile (the band rows are being replaced wholesale)."""
        self.index, off, self.off = None, self.off, True
        try:
            yield
        finally:
            self.off = off

    # ---- stored state ---------------------------------------------------------------------

    def insert(self, db: Any, article_id: int, sig: bytes) -> None:
        db.execute("INSERT INTO minhashes (article_id, signature) VALUES (?, ?)", (article_id, sig))
        self.signed[article_id] = sig
        rows = [(bucket, article_id) for bucket in dedup.band_buckets(sig)]
        if self.unit is not None:  # inside a batch: written at commit
            self.unit.extend(rows)
            return
        db.executemany("INSERT INTO lsh_bands (bucket, article_id) VALUES (?, ?) ON CONFLICT DO NOTHING", rows)
        self.direct.extend(rows)

    def delete(self, db: Any, article_id: int) -> None:
        """An article's signature and band rows (its body changed), wherever they are."""
        self.signed.pop(article_id, None)
        self.resigned.add(article_id)  # kept even should its unit fail: a sketch not used is never wrong
        old = db.execute("SELECT signature FROM minhashes WHERE article_id = ?", (article_id,)).fetchone()
        if old is None:
            return
        buckets = dedup.band_buckets(bytes(old[0]))  # the band rows are keyed by bucket first: delete by key
        for bucket in buckets:
            if article_id in self.pending.get(bucket, ()):
                self.pending[bucket].remove(article_id)
        if self.unit:
            self.unit[:] = [(b, a) for b, a in self.unit if a != article_id]
        if self.index is not None:
            self.removed.append((buckets, article_id))
        db.execute(
            f"DELETE FROM lsh_bands WHERE article_id = ? AND bucket IN ({','.join('?' * len(buckets))})",
            (article_id, *buckets),
        )
        db.execute("DELETE FROM minhashes WHERE article_id = ?", (article_id,))

    # ---- look-ups -------------------------------------------------------------------------

    def look_up(self, db: Any, buckets: Sequence[int], *, tx_open: bool, params_current: bool) -> Any:
        """Start the band look-up: a set of ids (the in-memory index) or a cursor (`near_ids` finishes it)."""
        index = self._index(db, tx_open=tx_open, params_current=params_current)
        if index is not None:
            return index.lookup(buckets, MAX_CANDIDATES)
        return db.execute(
            f"SELECT article_id FROM lsh_bands WHERE bucket IN ({','.join('?' * len(buckets))})"
            f" LIMIT {BAND_ROWS_UNSORTED + 1}",
            buckets,
        )

    def may_match(self, sig: bytes, candidates: list[int]) -> list[int]:
        """The candidates less those the in-memory index's sketches rule out (all of them without the index).
        One whose signature the open transaction replaced is kept: the index sketches its committed one."""
        if self.index is None:
            return candidates
        if not self.resigned:
            return self.index.may_match(sig, candidates)
        plausible = set(self.index.may_match(sig, [c for c in candidates if c not in self.resigned]))
        return [c for c in candidates if c in self.resigned or c in plausible]

    def candidates(self, db: Any, near: Any, buckets: Sequence[int], own_id: int | None) -> list[int]:
        """The MAX_CANDIDATES smallest ids sharing a bucket with the signature, below own_id when given."""
        found = self._near_ids(db, near, buckets)
        if self.pending:
            for bucket in buckets:
                found.update(self.pending.get(bucket, ()))
        return sorted(c for c in found if own_id is None or c < own_id)[:MAX_CANDIDATES]

    def _near_ids(self, db: Any, near: Any, buckets: Sequence[int]) -> set[int]:
        """Ids in the record's buckets: all of them, or (hot buckets) the MAX_CANDIDATES smallest.

        Either way the MAX_CANDIDATES smallest ids below any given id are among them, all the caller keeps.
        (The band index answers with a set already: per bucket, all ids or its MAX_CANDIDATES smallest, which
        holds the same smallest ids.)
        """
        if isinstance(near, set):
            return near
        rows = near.fetchall()
        if len(rows) <= BAND_ROWS_UNSORTED:
            return {r[0] for r in rows}
        return {r[0] for r in db.execute(
            f"SELECT DISTINCT article_id FROM lsh_bands WHERE bucket IN ({','.join('?' * len(buckets))})"
            f" ORDER BY article_id LIMIT {MAX_CANDIDATES}",
            buckets,
        ).fetchall()}

    def _index(self, db: Any, *, tx_open: bool, params_current: bool) -> BandIndex | None:
        """The in-memory band rows (SQLite), while they are those of the store; None: ask the database."""
        if not self.in_memory_ok or self.off or not params_current:
            return None
        if self.index is not None:
            # in our own transaction we hold the write lock; otherwise another connection may have written
            if tx_open or _data_version(db) == self.version:
                return self.index
            self.index, self.lookups = None, 0
        self.lookups += 1
        if self.lookups < BAND_INDEX_AFTER or tx_open:  # built between transactions: committed rows only
            return None
        count = db.execute("SELECT COUNT(*) FROM minhashes").fetchone()[0]
        if count * dedup.BANDS > BAND_INDEX_MAX_ROWS:
            self.off = True
            return None
        version = _data_version(db)
        self.index = BandIndex.from_signatures(db.execute("SELECT article_id, signature FROM minhashes"))
        self.version = version
        log.debug("near-duplicate band index: %d rows, %.1f MB", len(self.index), self.index.nbytes / 1e6)
        return self.index


_NO_ROWS: BandRows = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))


def _data_version(db: Any) -> int:
    """SQLite's count of other connections' commits (PRAGMA data_version: unchanged by our own)."""
    return int(db.execute("PRAGMA data_version").fetchone()[0])
