"""The LSH band rows of a SQLite store, in memory: the near-duplicate look-up without a query.

Looking a record's 25 band buckets up in `lsh_bands` (`bucket IN (...)`) is about a fifth of a bulk store
write; two sorted arrays (bucket, article id) answer the same question with two binary searches. Built
from the stored signatures (the rows of `lsh_bands` are derived from them), extended with each committed
batch's rows; the store drops it whenever it may have gone stale (another connection wrote, a rollback)
and falls back to the query. 8-12 bytes per band row: 25 rows per article.

It also holds a 128-byte sketch of each committed signature (its values' low bytes, `dedup.low_bytes`), by article
id: a record's band candidates whose sketch rules them out are not read from `minhashes` and compared. On a
generated 10,000-article crawl, whose bodies share much of their vocabulary, a record had up to 200 band candidates
under the threshold. An article without a sketch (stored by another connection, of other parameters, changed in
the open transaction) is always read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from newsbot import dedup


class BandIndex:
    """(bucket, article id) pairs sorted by bucket; removed pairs keep their place with id -1 until the next add."""

    def __init__(self, buckets: np.ndarray, ids: np.ndarray):
        order = np.argsort(buckets, kind="stable")
        self.buckets = buckets[order]
        self.ids = _compact(ids[order])
        self.removed = 0
        self.sketches = np.zeros((0, dedup.NUM_PERM), dtype=np.uint8)  # row = article id
        self.sketched = np.zeros(0, dtype=bool)  # whether that row holds the article's sketch

    @classmethod
    def from_signatures(cls, rows: Iterable[tuple[int, bytes]]) -> BandIndex:
        """From (article id, signature) rows, e.g. `SELECT article_id, signature FROM minhashes`."""
        ids: list[int] = []
        blobs: list[bytes] = []
        for article_id, sig in rows:
            ids.append(article_id)
            blobs.append(bytes(sig))
        if not ids:
            return cls(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64))
        sigs = np.frombuffer(b"".join(blobs), dtype="<u4").reshape(len(ids), -1)
        buckets = dedup.band_buckets_array(sigs)  # (n, BANDS)
        index = cls(buckets.ravel(), np.repeat(np.asarray(ids, dtype=np.int64), dedup.BANDS))
        if sigs.shape[1] == dedup.NUM_PERM:
            index._sketch(np.asarray(ids, dtype=np.int64), dedup.low_bytes(sigs))
        return index

    def __len__(self) -> int:
        return len(self.buckets)

    @property
    def nbytes(self) -> int:
        return self.buckets.nbytes + self.ids.nbytes + self.sketches.nbytes + self.sketched.nbytes

    def _sketch(self, ids: np.ndarray, sketches: np.ndarray) -> None:
        if not len(ids):
            return
        top = int(ids.max()) + 1
        if top > len(self.sketched):  # grown by a quarter at a time: few copies, at most a quarter unused
            size = max(top, len(self.sketched) * 5 // 4, 1024)
            grown = np.zeros((size, dedup.NUM_PERM), dtype=np.uint8)
            grown[: len(self.sketches)] = self.sketches
            known = np.zeros(size, dtype=bool)
            known[: len(self.sketched)] = self.sketched
            self.sketches, self.sketched = grown, known
        self.sketches[ids] = sketches
        self.sketched[ids] = True

    def sketch(self, rows: Sequence[tuple[int, bytes]]) -> None:
        """Committed (article id, signature) rows; a signature of other parameters leaves its article unsketched."""
        kept = [(i, sig) for i, sig in rows if len(sig) == 4 * dedup.NUM_PERM]
        self.forget([i for i, sig in rows if len(sig) != 4 * dedup.NUM_PERM])
        if kept:
            sigs = np.frombuffer(b"".join(sig for _, sig in kept), dtype="<u4").reshape(len(kept), -1)
            self._sketch(np.fromiter((i for i, _ in kept), dtype=np.int64, count=len(kept)), dedup.low_bytes(sigs))

    def forget(self, ids: Sequence[int]) -> None:
        """These articles' sketches (their signature changed, or is gone): read them from the store from now on."""
        for i in ids:
            if 0 <= i < len(self.sketched):
                self.sketched[i] = False

    def may_match(self, sig: bytes, ids: Sequence[int]) -> list[int]:
        """The ids, in their order, less those whose sketch rules out THRESHOLD against `sig`."""
        if not ids or not len(self.sketched):
            return list(ids)
        arr = np.asarray(ids, dtype=np.int64)
        inside = arr < len(self.sketched)
        known = np.zeros(len(arr), dtype=bool)
        known[inside] = self.sketched[arr[inside]]
        keep = ~known
        if known.any():
            keep[known] = dedup.sketch_may_match(sig, self.sketches[arr[known]])
        return arr[keep].tolist()

    def lookup(self, buckets: Sequence[int], per_bucket: int) -> set[int]:
        """The ids in these buckets: all of them, or the per_bucket smallest of a bucket holding more."""
        q = np.asarray(buckets, dtype=np.int32)
        lo = np.searchsorted(self.buckets, q, "left")
        hi = np.searchsorted(self.buckets, q, "right")
        found: set[int] = set()
        for i in np.flatnonzero(hi > lo).tolist():
            part = self.ids[lo[i] : hi[i]]
            if len(part) > per_bucket:
                part = np.sort(part)
            part = part[part >= 0][:per_bucket]
            found.update(part.tolist())
        return found

    def add(self, rows: Sequence[tuple[int, int]]) -> None:
        """Committed (bucket, article id) rows; removed pairs are dropped on the way."""
        new = np.array(rows, dtype=np.int64).reshape(-1, 2)
        self.add_arrays(new[:, 0], new[:, 1])

    def add_arrays(self, new_buckets: np.ndarray, new_ids: np.ndarray) -> None:
        """`add` of rows as two arrays (buckets, ids); fastest when the buckets come sorted."""
        if not len(new_buckets) and not self.removed:
            return
        buckets = np.concatenate([self.buckets, new_buckets.astype(np.int32)])
        ids = np.concatenate([self.ids, new_ids.astype(np.int64)])
        if self.removed:
            keep = ids >= 0
            buckets, ids = buckets[keep], ids[keep]
        # the old part and the new rows are each sorted already: a stable sort (timsort) merges two runs
        order = np.argsort(buckets, kind="stable")
        self.buckets = buckets[order]
        self.ids = _compact(ids[order])
        self.removed = 0

    def remove(self, buckets: Sequence[int], article_id: int) -> None:
        """An article's band rows (deleted from the store: its signature changed)."""
        for bucket in buckets:
            lo = int(np.searchsorted(self.buckets, bucket, "left"))
            hi = int(np.searchsorted(self.buckets, bucket, "right"))
            part = self.ids[lo:hi]
            hit = part == article_id
            if hit.any():
                part[hit] = -1
                self.removed += int(hit.sum())
        self.forget([article_id])


def _compact(ids: np.ndarray) -> np.ndarray:
    """int32 while every id fits (a third less memory than int64), else int64."""
    if ids.dtype != np.int32 and (not len(ids) or int(ids.max()) < 2**31):
        return ids.astype(np.int32)
    return ids
