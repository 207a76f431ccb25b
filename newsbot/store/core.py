"""The Store: idempotent upserts of article records, their raw pages, invalid records and LSH state."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import operator
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from newsbot import dedup
from newsbot.record import ArticleRecord, RawPage
from newsbot.store.backends import Backend, connect, describe, resolve_url
from newsbot.store.fresh import Fresh, FreshRows
from newsbot.store.neardup import BandRows, NearDupIndex
from newsbot.store.schema import LATEST, MIGRATIONS, SCHEMA_VERSION_TABLE, missing_record_columns
from newsbot.store.timeutil import iso_now, parse_iso, utc_text
from newsbot.store.warc import decode_raw, encode_raw
from newsbot.urls import canonicalize, site_of

log = logging.getLogger(__name__)
RECONNECT_SECONDS = 60.0  # how long a lost database (a PostgreSQL restart) is waited for (a crawl: bound_waits)

RECORD_FIELDS = ArticleRecord.field_names()
LIST_FIELDS = tuple(name for name, kind in ArticleRecord.field_types().items() if kind.startswith("list["))
# what makes a re-crawl an update; provenance (extracted_at, strategy, ...) changes without changing the article
CONTENT_FIELDS = ArticleRecord.fields_with("content")
PROVENANCE_FIELDS = ArticleRecord.fields_with("provenance")
LINK_FIELDS = ArticleRecord.fields_with("link")
COLUMNS = (*RECORD_FIELDS, "key", "published_utc", "fingerprint")
# the held-back new articles of a SQLite batch (fresh.py), written at commit or once this many wait (a bulk
# run commits every 5,000: held back whole, they would cost it ~50 MB): table -> (INSERT head, tail)
FRESH_ROWS = 1000
_FRESH_COLUMNS = {
    "articles": ("id", *COLUMNS, "first_seen", "last_seen", "updated_at"),
    "raw_pages": ("article_id", "warc", "final_url", "status", "fetched_at", "raw_size"),
    "archived_pages": ("article_id", "warc", "final_url", "status", "fetched_at", "raw_size", "archive_path",
                       "archive_offset", "archive_length"),
    "minhashes": ("article_id", "signature"),
    "url_aliases": ("key", "article_id"),
}
FRESH_STATEMENTS = {
    table: (f"INSERT INTO {'raw_pages' if table == 'archived_pages' else table} ({', '.join(cols)}) VALUES",
            "ON CONFLICT (key) DO NOTHING" if table == "url_aliases" else "")
    for table, cols in _FRESH_COLUMNS.items()
}


# a record's URLs are canonicalised by several steps (dedup lookup, upsert, aliases): once is enough
_canonical = lru_cache(maxsize=4096)(canonicalize)


KEY_AHEAD_ATTR = "_newsbot_key_ahead"  # (url, record_key) computed ahead (pipelines/prepare.py); never exported


def record_key(record: ArticleRecord) -> str:
    """The article's identity in the store: its fetched URL, canonicalised (what `known()` is asked)."""
    ahead = getattr(record, KEY_AHEAD_ATTR, None)
    if ahead is not None and ahead[0] == record.url:
        return ahead[1]
    return index_key(_canonical(record.url))


# PostgreSQL refuses B-tree index rows over ~2.7 KB: a canonical URL longer than this (some sites, and some
# redirects, make 5 KB ones) is keyed by its hash instead; the URL itself is kept whole in its columns
MAX_KEY_CHARS = 1024


def index_key(key: str) -> str:
    """The store key of a canonical URL: the URL itself, or `sha256:<hex>` when it is too long to index."""
    if len(key) <= MAX_KEY_CHARS:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


# text no database accepts: NUL (PostgreSQL) and lone surrogates (UTF-8 encoders)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """`text` without NUL and with lone surrogates replaced by U+FFFD."""
    if not _UNSTORABLE.search(text):
        return text
    return _UNSTORABLE.sub(lambda m: "" if m.group() == "\x00" else "\ufffd", text)


def _repaired(record: ArticleRecord) -> ArticleRecord:
    """The record with its text made storable (a copy, only when something needed repair)."""
    changes: dict[str, Any] = {}
    for name in RECORD_FIELDS:
        value = getattr(record, name)
        if isinstance(value, str):
            fixed = storable(value)
            if fixed is not value:
                changes[name] = fixed
        elif isinstance(value, list) and any(isinstance(v, str) and _UNSTORABLE.search(v) for v in value):
            changes[name] = [storable(v) if isinstance(v, str) else v for v in value]
    if not changes:
        return record
    log.info("repaired text the store cannot hold (NUL, lone surrogates) in %s: %s", record.url, ", ".join(changes))
    return dataclasses.replace(record, **changes)


# json.dumps(value, ensure_ascii=False) builds a new encoder per call: one shared encoder, the same output
_json_text = json.JSONEncoder(ensure_ascii=False).encode
_content_of = operator.attrgetter(*CONTENT_FIELDS)
_record_values = operator.attrgetter(*RECORD_FIELDS)
_LIST_INDEXES = tuple(RECORD_FIELDS.index(name) for name in LIST_FIELDS)


def fingerprint(record: ArticleRecord) -> str:
    return hashlib.sha256(_json_text(list(_content_of(record))).encode("utf-8")).hexdigest()


def _encode(name: str, value: Any) -> Any:
    return (_json_text(value) if value else "[]") if name in LIST_FIELDS else value


@dataclass
class Filters:
    """Which stored records an export, a count or a re-extraction covers."""

    sites: list[str] = field(default_factory=list)
    langs: list[str] = field(default_factory=list)
    since: str | None = None  # UTC text bound on published_utc (see timeutil.bound)
    until: str | None = None
    min_words: int = 0
    include_duplicates: bool = False

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.sites:
            clauses.append(f"site IN ({','.join('?' * len(self.sites))})")
            params += self.sites
        if self.langs:
            clauses.append(f"lang IN ({','.join('?' * len(self.langs))})")
            params += self.langs
        if self.since:
            clauses.append("published_utc >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("published_utc <= ?")
            params.append(self.until)
        if self.min_words:
            clauses.append("word_count >= ?")
            params.append(self.min_words)
        if not self.include_duplicates:
            clauses.append("duplicate_of IS NULL")
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def describe(self) -> dict[str, Any]:
        return {
            "site": self.sites or None,
            "lang": self.langs or None,
            "since": self.since,
            "until": self.until,
            "min_words": self.min_words or None,
            "include_duplicates": self.include_duplicates,
        }


class StoreUnavailable(RuntimeError):
    """The store was locked or unreachable past its wait a moment ago: writes fail at once for a while instead of
    each waiting again (a crawl writes from its event loop, which every wait freezes)."""


def _reconnecting(method):
    """Run a Store method again on a new connection when the database went away mid-way (server restart);
    give up at once while the store is known to be unavailable."""

    @functools.wraps(method)
    def wrapper(self: Store, *args: Any, **kwargs: Any) -> Any:
        self._check_available()
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            if self.db.busy(exc):
                self._unavailable(exc)
                raise
            if not self.db.lost(exc):
                raise
            log.warning("lost the database connection (%s): reconnecting", exc)
            try:
                self._reconnect()
            except Exception as again:
                self._unavailable(again)
                raise
            return method(self, *args, **kwargs)

    return wrapper


class Store:
    """See the package docstring for the contract. One connection; not for concurrent use across threads."""

    def __init__(self, backend: Backend, url: str):
        self.db = backend
        self.url = url
        self.dialect = backend.dialect
        self._batching = False
        self._tx_open = False
        # signatures, band rows (those of the open batch too) and the SQLite in-memory band index
        self.neardup = NearDupIndex(self.dialect)
        # writes of the open batch transaction, replayed on a new connection if the database goes away (a backend
        # that never reconnects keeps none: the log would only hold a batch's records and their pages in memory)
        self._batch_log: list[tuple[str, tuple, dict]] = []
        # find_duplicate looks the record's key up just before upsert does: upsert reuses that answer when
        # nothing was written in between (_writes counts write units and commits; see find_duplicate)
        self._writes = 0
        self._probe: tuple[str, int, tuple | None] | None = None
        # SQLite batches: new articles held back until commit (fresh.py), with the ids they will have
        self._fresh: FreshRows | None = None
        self._next_id = 0
        self.dedup_params_current = True
        self.wait_seconds = RECONNECT_SECONDS
        self._down_until = 0.0  # monotonic time before which writes fail at once (StoreUnavailable)
        try:
            self.migrate()
        except BaseException:
            backend.close()
            raise

    # ---- transactions -------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One unit of work: its own transaction, or a savepoint inside the current batch.

        Either way a failure rolls back only this unit: one bad record never leaves half its rows.
        """
        self._writes += 1
        if self._batching:
            self._open_tx()
            mark = self.neardup.begin_unit()
            try:
                with self.db.pipeline():
                    self.db.execute("SAVEPOINT unit")
                    yield
                    self.db.execute("RELEASE SAVEPOINT unit")
            except BaseException:
                self.neardup.fail_unit(mark)
                self.db.execute("ROLLBACK TO SAVEPOINT unit")
                self.db.execute("RELEASE SAVEPOINT unit")
                raise
            self.neardup.end_unit(mark)
            return
        self.db.begin()
        try:
            with self.db.pipeline():
                yield
        except BaseException:
            self.neardup.rolled_back(keep_index=True)  # nothing of it was committed: the index still holds
            self.db.execute("ROLLBACK")
            raise
        self._committed(self.neardup.direct_rows())

    def _open_tx(self) -> None:
        """The batch's transaction, begun on its first write."""
        if self._tx_open:
            return
        self.db.begin()
        self._tx_open = True
        if self._holds_back():  # under the write lock: nobody else gives out ids meanwhile
            self._next_id = self.db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM articles").fetchone()[0]

    def _holds_back(self) -> bool:
        """Whether new articles wait for the commit (SQLite batches: one writer, which holds the lock)."""
        return self._batching and self.dialect == "sqlite"

    def _fresh_rows(self) -> FreshRows:
        if self._fresh is None:
            not_null = {}
            for table, cols in _FRESH_COLUMNS.items():
                info = self.db.execute(f"PRAGMA table_info({'raw_pages' if table == 'archived_pages' else table})")
                required = {row[1] for row in info.fetchall() if row[3]}
                not_null[table] = frozenset(i for i, c in enumerate(cols) if c in required)
            self._fresh = FreshRows(_FRESH_COLUMNS, not_null)
        return self._fresh

    def _write_fresh(self) -> None:
        """Write the held-back articles now (a read that must see them, the same article stored again, or as many
        as FRESH_ROWS held back): all or none of them; when none, they stay held back for the commit to retry."""
        if not self._fresh:
            return
        self.db.execute("SAVEPOINT fresh")
        try:
            self._fresh.write(self.db, FRESH_STATEMENTS)
        except BaseException:
            self.db.execute("ROLLBACK TO SAVEPOINT fresh")
            self.db.execute("RELEASE SAVEPOINT fresh")
            raise
        self.db.execute("RELEASE SAVEPOINT fresh")

    @contextmanager
    def batch(self) -> Iterator[Store]:
        """Group writes into few transactions (much faster); `commit()` ends one, leaving the batch commits."""
        outer = self._batching
        self.begin_batch()
        try:
            yield self
        finally:
            if not outer:
                self.end_batch()

    # while writing in batches the LSH and content-hash indexes take random inserts: keep them in memory
    WRITE_CACHE_MB = 96
    READ_CACHE_MB = 16

    def begin_batch(self, cache_mb: int | None = None) -> None:
        """cache_mb: the page cache while batching (default WRITE_CACHE_MB, for bulk loads); a crawl, which
        writes an article at a time, passes a smaller one so that its memory stays flat as the store grows."""
        if not self._batching:
            self.db.cache_mb(self.WRITE_CACHE_MB if cache_mb is None else cache_mb)
        self._batching = True

    def end_batch(self) -> None:
        self._batching = False
        self.commit()
        self.db.cache_mb(self.READ_CACHE_MB)

    def bound_waits(self, seconds: float) -> None:
        """Wait at most `seconds` for another writer's lock, or for a lost database to come back; once a wait
        expired, fail at once for the next `seconds` (the crawl goes on, and says the store failed)."""
        self.wait_seconds = seconds
        self.db.wait_for_locks(seconds)

    def _check_available(self) -> None:
        if self._down_until and time.monotonic() < self._down_until:
            raise StoreUnavailable(f"the store {describe(self.url)} is locked or unreachable")

    def _unavailable(self, exc: BaseException) -> None:
        if not self._down_until or time.monotonic() >= self._down_until:
            log.error("the store %s is locked or unreachable (%s): writes fail for the next %.0f s", describe(self.url),
                      str(exc).splitlines()[0] if str(exc) else type(exc).__name__, self.wait_seconds)
        self._down_until = time.monotonic() + self.wait_seconds

    def _reconnect(self) -> None:
        """A new connection (retried while the server restarts); the lost batch transaction is replayed."""
        try:
            self.db.close()
        except Exception:
            pass
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                self.db = connect(self.url)
                self.db.wait_for_locks(self.wait_seconds)
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        self._tx_open = False
        self._probe = None
        self.neardup.reset()
        if self._fresh is not None:
            self._fresh.clear()
        replay, self._batch_log = self._batch_log, []
        for name, args, kwargs in replay:
            getattr(self, name)(*args, **kwargs)

    @_reconnecting
    def commit(self) -> None:
        self._commit()
        self._batch_log = []

    def _commit(self) -> None:
        self._writes += 1
        if not self._tx_open:
            return
        self._tx_open = False
        try:
            if self._fresh:  # first: the band rows refer to them
                self._fresh.write(self.db, FRESH_STATEMENTS)
            rows = self.neardup.write_pending(self.db)
        except BaseException:
            self.neardup.rolled_back()
            self.db.execute("ROLLBACK")
            raise
        finally:
            if self._fresh is not None:
                self._fresh.clear()
        self._committed(rows)

    def _committed(self, band_rows: BandRows) -> None:
        """COMMIT, then the near-duplicate index learns what the transaction changed."""
        try:
            self.db.execute("COMMIT")
        except BaseException:
            self.neardup.rolled_back()
            raise
        self.neardup.committed(band_rows)

    def close(self) -> None:
        try:
            self.commit()
        finally:
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- schema ---------------------------------------------------------------------------------

    def schema_version(self) -> int:
        row = self.db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    def migrate(self) -> list[int]:
        """Apply the migration steps this store has not seen yet, in order, in one transaction.

        Under a lock (PostgreSQL advisory lock; SQLite's write lock) so two crawlers opening a new
        store at once do not both create it.
        """
        applied: list[int] = []
        if self._is_current():  # the usual case: no write lock, so opening never waits for a busy writer
            return applied
        self.db.begin()
        try:
            self.db.lock_schema()
            self.db.execute(SCHEMA_VERSION_TABLE)
            current = self.schema_version()
            if current > LATEST:
                raise RuntimeError(f"store schema v{current} is newer than this newsbot's (v{LATEST}): upgrade newsbot")
            for step in MIGRATIONS:
                if step.version <= current:
                    continue
                for sql in step.sql(self.dialect):
                    self.db.execute(sql)
                self.db.execute(
                    "INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)",
                    (step.version, step.description, iso_now()),
                )
                applied.append(step.version)
            for sql in missing_record_columns(self._article_columns(), self.dialect):
                self.db.execute(sql)  # a record field newer than the store (schema.py)
            self.db.execute(
                "INSERT INTO meta (name, value) VALUES ('dedup_params', ?) ON CONFLICT (name) DO NOTHING",
                (dedup.PARAMS,),
            )
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        self._is_current()
        return applied

    def _is_current(self) -> bool:
        try:
            version = self.schema_version()
            row = self.db.execute("SELECT value FROM meta WHERE name = 'dedup_params'").fetchone()
        except Exception:  # no schema_version/meta table yet (a failed read also ends a PostgreSQL transaction)
            return False
        # signatures made with other parameters do not compare: the stats say so (Store.rebuild_dedup)
        self.dedup_params_current = row is not None and row[0] == dedup.PARAMS
        return version == LATEST and row is not None and not missing_record_columns(self._article_columns(),
                                                                                   self.dialect)

    def _article_columns(self) -> set[str]:
        return {d[0] for d in self.db.execute("SELECT * FROM articles WHERE 1 = 0").description}

    # ---- writes ---------------------------------------------------------------------------------

    @_reconnecting
    def upsert(self, record: ArticleRecord, *, seen: bool = True, signature: bytes | None = None) -> str:
        """Insert or update one record by canonical key: 'new' | 'updated' | 'unchanged'.

        seen=False (re-extraction): the article was not fetched again, so last_seen and the raw
        page are left as they are.
        """
        status = self._upsert(record, seen=seen, signature=signature)
        if self._batching and self.db.reconnects:
            self._batch_log.append(("_upsert", (record,), {"seen": seen, "signature": signature}))
        return status

    def _upsert(self, record: ArticleRecord, *, seen: bool = True, signature: bytes | None = None) -> str:
        record = _repaired(record)
        key = record_key(record)
        if not key:
            raise ValueError("record has no URL")
        now = iso_now()
        fp = fingerprint(record)
        probe, self._probe = self._probe, None
        reuse = probe is not None and probe[0] == key and probe[1] == self._writes
        if self._holds_back():
            if key in self._fresh_rows().by_key:
                self._write_fresh()  # the same article again in one batch: written, then updated as usual
                reuse = False
            else:
                self._open_tx()
                row = probe[2] if reuse and probe is not None else self._probe_key(key)  # reuse: a probe
                if row is None:
                    self._hold_back(record, key, fp, now, signature)
                    return "new"
                probe, reuse = (key, self._writes, row), True
        with self._write():
            if reuse and probe is not None:  # reuse: a probe
                row = probe[2]
            else:
                row = self._probe_key(key)
            if row is None:
                new_values = self._values(record, key, fp)
                col_sql = ", ".join(COLUMNS)
                marks = ", ".join("?" * (len(COLUMNS) + 3))
                # ON CONFLICT: a concurrent writer (another crawler on PostgreSQL) may have inserted it meanwhile
                inserted = self.db.execute(
                    f"INSERT INTO articles ({col_sql}, first_seen, last_seen, updated_at) VALUES ({marks})"
                    " ON CONFLICT (key) DO NOTHING RETURNING id",
                    (*new_values, now, now, now),
                ).fetchone()
                if inserted is not None:
                    article_id = inserted[0]
                    self._save_dedup_state(article_id, record, signature, replace=False)
                    self._save_raw(article_id, record.raw, replace=False)
                    self._save_aliases(article_id, key, record)
                    return "new"
                row = self._probe_key(key)
                assert row is not None, "ON CONFLICT: another writer inserted it"
            article_id, old_fp = row
            seen_sql = ", last_seen = ?" if seen else ""
            seen_params = (now,) if seen else ()
            if old_fp == fp:
                cols: tuple[str, ...] = (*PROVENANCE_FIELDS, *LINK_FIELDS)
                sets = ", ".join(f"{c} = ?" for c in cols)
                self.db.execute(
                    f"UPDATE articles SET {sets}{seen_sql} WHERE id = ?",
                    (*(_encode(c, getattr(record, c)) for c in cols), *seen_params, article_id),
                )
                return "unchanged"
            # keep the first URL met: a re-crawl through an AMP or mobile variant is the same article
            cols = tuple(c for c in COLUMNS if c not in ("key", "url"))
            values = dict(zip(COLUMNS, self._values(record, key, fp), strict=True))
            sets = ", ".join(f"{c} = ?" for c in cols)
            self.db.execute(
                f"UPDATE articles SET {sets}, updated_at = ?{seen_sql} WHERE id = ?",
                (*(values[c] for c in cols), now, *seen_params, article_id),
            )
            self._save_dedup_state(article_id, record, signature, replace=True)
            if seen:
                self._save_raw(article_id, record.raw, replace=True)
            self._save_aliases(article_id, key, record)
            return "updated"

    def _probe_key(self, key: str) -> tuple | None:
        return self.db.execute("SELECT id, fingerprint FROM articles WHERE key = ?", (key,)).fetchone()

    def _hold_back(self, record: ArticleRecord, key: str, fp: str, now: str, signature: bytes | None) -> None:
        """A new article of a SQLite batch: its rows wait for the commit (fresh.py); its band rows join the
        batch's. Raises, holding nothing back, what writing it would raise."""
        self._writes += 1
        if self._fresh is not None and len(self._fresh.by_key) >= FRESH_ROWS:  # memory stays bounded
            self._write_fresh()
        article_id = self._next_id
        sig = signature if signature is not None else dedup.signature(record.body)
        rows = {"articles": [(article_id, *self._values(record, key, fp), now, now, now)],
                "minhashes": [(article_id, sig)]}
        if record.raw is not None:
            table, raw_row = self._raw_row(article_id, record.raw)
            rows[table] = [raw_row]
        aliases = self._aliases(key, record)
        if aliases:
            rows["url_aliases"] = [(alias, article_id) for alias in aliases]
        fresh = Fresh(article_id, key, fp, record.content_hash, record.duplicate_of, record.cluster_id, sig, now)
        self._fresh_rows().add(fresh, rows)
        self._next_id += 1
        self.neardup.hold(article_id, sig)

    def _values(self, record: ArticleRecord, key: str, fp: str) -> tuple:
        values = list(_record_values(record))
        for i in _LIST_INDEXES:
            values[i] = _json_text(values[i]) if values[i] else "[]"
        values += (key, utc_text(record.published), fp)
        return tuple(values)

    def _save_raw(self, article_id: int, raw: RawPage | None, *, replace: bool) -> None:
        if raw is None:
            return
        if replace:
            self.db.execute("DELETE FROM raw_pages WHERE article_id = ?", (article_id,))
        table, row = self._raw_row(article_id, raw)
        head, tail = FRESH_STATEMENTS[table]
        self.db.execute(f"{head} ({', '.join('?' * len(row))}) {tail}", row)

    @staticmethod
    def _raw_row(article_id: int, raw: RawPage) -> tuple[str, tuple]:
        """(table, row) of a raw page: the WARC record, or (read from an archive file) its place, not a copy."""
        if raw.source is not None and raw.packed is None:
            return "archived_pages", (article_id, b"", raw.url, raw.status, raw.fetched_at, len(raw.body), *raw.source)
        return "raw_pages", (article_id, raw.packed if raw.packed is not None else encode_raw(raw), raw.url,
                             raw.status, raw.fetched_at, len(raw.body))

    def _save_aliases(self, article_id: int, key: str, record: ArticleRecord) -> None:
        for alias in self._aliases(key, record):
            self.db.execute(
                "INSERT INTO url_aliases (key, article_id) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                (alias, article_id),
            )

    @staticmethod
    def _aliases(key: str, record: ArticleRecord) -> list[str]:
        """Other URLs of the same article (pre-redirect URL, declared canonical on the same site) for `known()`."""
        aliases = set()
        if record.raw is not None and record.raw.request_url:
            aliases.add(index_key(_canonical(storable(record.raw.request_url))))
        if record.canonical_url and record.canonical_url != record.url and site_of(record.canonical_url) == site_of(record.url):
            aliases.add(index_key(_canonical(record.canonical_url)))
        aliases.discard(key)
        aliases.discard("")
        return sorted(aliases)

    def _save_dedup_state(self, article_id: int, record: ArticleRecord, signature: bytes | None, *, replace: bool) -> None:
        sig = signature if signature is not None else dedup.signature(record.body)
        if replace:
            self._delete_dedup_state(article_id)
        self._insert_dedup_state(article_id, sig)

    def _delete_dedup_state(self, article_id: int) -> None:
        self.neardup.delete(self.db, article_id)

    def _insert_dedup_state(self, article_id: int, sig: bytes) -> None:
        self.neardup.insert(self.db, article_id, sig)

    @_reconnecting
    def add_invalid(self, record: ArticleRecord | dict[str, Any], reason: str) -> None:
        """Keep a record that failed validation aside, with its reason (one row per URL, counted)."""
        self._add_invalid(record, reason)
        if self._batching and self.db.reconnects:
            self._batch_log.append(("_add_invalid", (record, reason), {}))

    def _add_invalid(self, record: ArticleRecord | dict[str, Any], reason: str) -> None:
        data = record.to_dict() if isinstance(record, ArticleRecord) else dict(record)
        text = storable(json.dumps(data, ensure_ascii=False, default=str))
        url = storable(str(data.get("url") or ""))
        key = index_key(canonicalize(url)) if url else ""
        key = key or "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
        now = iso_now()
        with self._write():
            self.db.execute(
                "INSERT INTO invalid (key, url, site, reason, record, times_seen, first_seen, last_seen)"
                " VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (key) DO UPDATE SET reason = excluded.reason,"
                " record = excluded.record, times_seen = invalid.times_seen + 1, last_seen = excluded.last_seen",
                (key, url or None, storable(str(data.get("site") or "")) or None, reason, text, now, now),
            )

    # ---- de-duplication ------------------------------------------------------------------------

    @_reconnecting
    def find_duplicate(self, record: ArticleRecord, signature: bytes | None = None) -> dedup.Match | None:
        """The earlier stored article this record duplicates: same content hash, else MinHash/LSH near match.

        Only articles stored before this one (smaller id) qualify, so links never form a cycle and
        re-crawling an article gives it the same link again.
        """
        key = record_key(record)
        sig = signature if signature is not None else dedup.signature(record.body)
        fresh = self._fresh.by_key.get(key) if self._fresh else None
        with self.db.pipeline():  # PostgreSQL: the three look-ups in one round trip
            probe = None if fresh else self.db.execute("SELECT id, fingerprint FROM articles WHERE key = ?", (key,))
            exact, near = self._lookups(record.content_hash, sig)
            # probe is None exactly when fresh holds the row (said twice, for mypy)
            row = (fresh.id, fresh.fingerprint) if fresh else probe.fetchone() if probe is not None else None
        match = self._match(row[0] if row else None, record.content_hash, sig, (exact, near))
        # upsert may reuse the answer only while it cannot have gone stale: "absent" (the INSERT's ON CONFLICT
        # catches a concurrent insert), or read under SQLite's write lock (a batch's open transaction)
        if fresh is None and (row is None or (self.dialect == "sqlite" and self._tx_open)):
            self._probe = (key, self._writes, row)
        return match

    def _lookups(self, content_hash: str | None, sig: bytes) -> tuple[Any, Any]:
        """Cursors of the exact and the near-duplicate look-ups (every id: the caller keeps the earlier ones).

        Both are ordered by id with a limit, so the rows below an id are a prefix of them: filtering in
        Python gives what filtering in SQL would, and the queries need not wait for the record's own id.
        """
        exact = None
        if content_hash:
            exact = self.db.execute(
                "SELECT id, key, duplicate_of, cluster_id FROM articles WHERE content_hash = ? ORDER BY id LIMIT 1",
                (content_hash,),
            )
        near = self.neardup.look_up(self.db, dedup.band_buckets(sig), tx_open=self._tx_open,
                                    params_current=self.dedup_params_current)
        return exact, near

    def _match(self, own_id: int | None, content_hash: str | None, sig: bytes,
               looked: tuple[Any, Any] | None = None) -> dedup.Match | None:
        if looked is None:
            with self.db.pipeline():
                looked = self._lookups(content_hash, sig)
        exact, near = looked
        hit = exact.fetchone() if exact is not None else None
        if hit is None and content_hash and self._fresh and (held := self._fresh.by_hash.get(content_hash)):
            hit = (held.id, held.key, held.duplicate_of, held.cluster_id)  # stored ones have the smaller ids
        if hit and (own_id is None or hit[0] < own_id):
            return dedup.Match(hit[2] or hit[1], hit[3] or dedup.cluster_id_for(hit[1]), 1.0, "exact")
        candidates = self.neardup.candidates(self.db, near, dedup.band_buckets(sig), own_id)
        best = self._most_similar(sig, candidates) if candidates else None
        if best is None:
            return None
        held_best = self._fresh.by_id.get(best[1]) if self._fresh else None
        if held_best is not None:
            hit = (held_best.key, held_best.duplicate_of, held_best.cluster_id)
        else:
            hit = self.db.execute("SELECT key, duplicate_of, cluster_id FROM articles WHERE id = ?",
                                  (best[1],)).fetchone()
        return dedup.Match(hit[1] or hit[0], hit[2] or dedup.cluster_id_for(hit[0]), round(best[0], 3), "near")

    def _most_similar(self, sig: bytes, candidates: list[int]) -> tuple[float, int] | None:
        """(similarity, id) of the candidate nearest `sig` past the threshold; on a tie the oldest article."""
        held_by_id = self._fresh.by_id if self._fresh else {}
        candidates = self.neardup.may_match(sig, candidates)  # those whose sketch rules them out are not read
        sigs = {c: held_by_id[c].signature for c in candidates if c in held_by_id}
        stored = [c for c in candidates if c not in held_by_id]
        if stored:
            marks = ",".join("?" * len(stored))
            sigs.update(self.db.execute(
                f"SELECT article_id, signature FROM minhashes WHERE article_id IN ({marks})", stored
            ).fetchall())
        found = [c for c in candidates if c in sigs]  # in id order: on a tie the oldest article wins
        best = dedup.most_similar(sig, [bytes(sigs[c]) for c in found])
        return (best[0], found[best[1]]) if best is not None else None

    def rebuild_dedup(self, chunk: int = 500) -> dict[str, int]:
        """Recompute every signature, LSH bucket and link, oldest article first (after a parameter change).

        Returns counts: articles, exact and near duplicates found.
        """
        counts = {"articles": 0, "exact": 0, "near": 0}
        self._write_fresh()
        with self.neardup.suspended():  # its band rows are being replaced
            self._rebuild_dedup(counts, chunk)
        return counts

    def _rebuild_dedup(self, counts: dict[str, int], chunk: int) -> None:
        ids = [r[0] for r in self.db.execute("SELECT id FROM articles ORDER BY id").fetchall()]
        with self.batch():
            with self._write():  # old state may come from other parameters: start from nothing
                self.db.execute("DELETE FROM lsh_bands")
                self.db.execute("DELETE FROM minhashes")
            for start in range(0, len(ids), chunk):
                part = ids[start : start + chunk]
                marks = ",".join("?" * len(part))
                rows = self.db.execute(
                    f"SELECT id, key, body, content_hash FROM articles WHERE id IN ({marks}) ORDER BY id", part
                ).fetchall()
                for article_id, key, body, chash in rows:
                    with self._write():
                        sig = dedup.signature(body)
                        match = self._match(article_id, chash, sig)
                        self._insert_dedup_state(article_id, sig)
                        if match:
                            counts[match.method] += 1
                        self.db.execute(
                            "UPDATE articles SET duplicate_of = ?, cluster_id = ? WHERE id = ?",
                            (match.key if match else None,
                             match.cluster_id if match else dedup.cluster_id_for(key), article_id),
                        )
                    counts["articles"] += 1
                self.commit()
            with self._write():
                self.db.execute("UPDATE meta SET value = ? WHERE name = 'dedup_params'", (dedup.PARAMS,))
        self.dedup_params_current = True

    # ---- reads ----------------------------------------------------------------------------------

    def known(self, key: str) -> datetime | None:
        """When the article with this canonical key (or alias) was last stored; None if never, or while the store
        is unavailable (the article is then fetched again, which loses nothing)."""
        try:
            return self._known(key)
        except Exception:
            if self._down_until and time.monotonic() < self._down_until:
                return None
            raise

    @_reconnecting
    def _known(self, key: str) -> datetime | None:
        key = index_key(key)
        held = self._fresh.by_key.get(key) if self._fresh else None
        if held is not None:
            return parse_iso(held.last_seen)
        row = self.db.execute("SELECT last_seen FROM articles WHERE key = ?", (key,)).fetchone()
        if row is None:
            row = self.db.execute(
                "SELECT a.last_seen FROM url_aliases u JOIN articles a ON a.id = u.article_id WHERE u.key = ?", (key,)
            ).fetchone()
        if row is None and self._fresh and (held := self._fresh.by_alias.get(key)):
            return parse_iso(held.last_seen)
        return parse_iso(row[0]) if row else None

    def get(self, key: str) -> ArticleRecord | None:
        self._write_fresh()  # held-back articles (fresh.py) are stored articles too
        key = index_key(key)
        row = self.db.execute(f"SELECT {', '.join(RECORD_FIELDS)} FROM articles WHERE key = ?", (key,)).fetchone()
        return _record(row) if row else None

    def row(self, key: str) -> dict[str, Any] | None:
        """Every column of one stored article (records plus store bookkeeping), for tools and tests."""
        self._write_fresh()  # held-back articles (fresh.py) are stored articles too
        cols = (*COLUMNS, "id", "first_seen", "last_seen", "updated_at")
        key = index_key(key)
        row = self.db.execute(f"SELECT {', '.join(cols)} FROM articles WHERE key = ?", (key,)).fetchone()
        return dict(zip(cols, row, strict=True)) if row else None

    def count(self, filters: Filters | None = None) -> int:
        self._write_fresh()  # held-back articles (fresh.py) are stored articles too
        where, params = (filters or Filters(include_duplicates=True)).where()
        return int(self.db.execute(f"SELECT COUNT(*) FROM articles{where}", params).fetchone()[0])

    def count_invalid(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM invalid").fetchone()[0])

    def invalid_rows(self) -> list[dict[str, Any]]:
        cur = self.db.execute("SELECT key, url, site, reason, record, times_seen FROM invalid ORDER BY key")
        return [dict(zip(("key", "url", "site", "reason", "record", "times_seen"), r, strict=True)) for r in cur.fetchall()]

    def iter_records(self, filters: Filters | None = None, size: int = 1000) -> Iterator[ArticleRecord]:
        """Stored records in canonical-key order (deterministic on both backends), streamed."""
        self._write_fresh()  # held-back articles (fresh.py) are stored articles too
        where, params = (filters or Filters()).where()
        sql = f"SELECT {', '.join(RECORD_FIELDS)} FROM articles{where} ORDER BY key"
        for row in self.db.stream(sql, params, size):
            yield _record(row)

    def raw_ids(self, sites: list[str] | None = None, since: str | None = None) -> list[int]:
        """Ids of articles with a stored raw page (fetched at or after `since`), oldest first."""
        self._write_fresh()  # held-back articles (fresh.py) are stored articles too
        clauses, params = [], []
        if sites:
            clauses.append(f"a.site IN ({','.join('?' * len(sites))})")
            params += sites
        if since:
            clauses.append("r.fetched_at >= ?")
            params.append(since)
        where = " WHERE " + " AND ".join(clauses) if clauses else ""
        sql = f"SELECT a.id FROM articles a JOIN raw_pages r ON r.article_id = a.id{where} ORDER BY a.id"
        return [r[0] for r in self.db.execute(sql, params).fetchall()]

    def raw_page(self, article_id: int) -> tuple[str, str | None, RawPage] | None:
        """(stored url, site, RawPage) for one stored article, decompressed from its WARC record."""
        self._write_fresh()  # held-back articles (fresh.py) are stored articles too
        row = self.db.execute(
            "SELECT a.url, a.site, r.warc, r.fetched_at, r.archive_path, r.archive_offset, r.archive_length"
            " FROM raw_pages r JOIN articles a ON a.id = r.article_id WHERE r.article_id = ?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        blob = bytes(row[2])
        if not blob and row[4]:  # the page is a record of an archive file (an OSError says the file is gone)
            with open(row[4], "rb") as fh:
                fh.seek(row[5])
                blob = fh.read(row[6])
        return row[0], row[1], decode_raw(blob, fetched_at=row[3])

    # ---- archive runs (newsbot/archive/) ------------------------------------------------------

    ARCHIVE_FIELDS = ("key", "path", "size", "mode", "next_offset", "records", "done", "counts", "updated_at",
                      "finished_at")

    def archive_progress(self, key: str) -> dict[str, Any] | None:
        """How far an archive file was read (the row save_archive_progress wrote last), or None."""
        row = self.db.execute(f"SELECT {', '.join(self.ARCHIVE_FIELDS)} FROM archive_files WHERE key = ?",
                              (key,)).fetchone()
        return dict(zip(self.ARCHIVE_FIELDS, row, strict=True)) if row else None

    @_reconnecting
    def save_archive_progress(self, progress: dict[str, Any]) -> None:
        """Record how far an archive file was read, in the same transaction as the records read before it: a
        run killed before the next commit loses both, so the next run resumes where the records stop."""
        self._save_archive_progress(progress)
        if self._batching and self.db.reconnects:
            self._batch_log.append(("_save_archive_progress", (progress,), {}))

    def _save_archive_progress(self, progress: dict[str, Any]) -> None:
        values = tuple(progress.get(name) for name in self.ARCHIVE_FIELDS)
        sets = ", ".join(f"{c} = excluded.{c}" for c in self.ARCHIVE_FIELDS[1:])
        with self._write():
            self.db.execute(
                f"INSERT INTO archive_files ({', '.join(self.ARCHIVE_FIELDS)})"
                f" VALUES ({', '.join('?' * len(values))}) ON CONFLICT (key) DO UPDATE SET {sets}",
                values,
            )

    def __repr__(self) -> str:
        return f"Store({describe(self.url)!r})"


def _record(row: tuple) -> ArticleRecord:
    data = dict(zip(RECORD_FIELDS, row, strict=True))
    for name in LIST_FIELDS:
        data[name] = json.loads(data[name]) if data[name] else []
    return ArticleRecord(**data)


def open_store(url: str | None = None) -> Store:
    """Open (creating and migrating as needed) the store at `url`, $NEWSBOT_DB or data/newsbot.db."""
    url = resolve_url(url)
    return Store(connect(url), url)
