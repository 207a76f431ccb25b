"""The two database backends behind one small interface (SQL written once, with ? placeholders)."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

DEFAULT_PATH = Path("data") / "newsbot.db"
# how long a connection waits for another writer's lock (SQLite busy timeout, PostgreSQL lock_timeout); a crawl
# sets its own (NEWSBOT_STORE_WAIT_SECONDS): the store is written from the crawl's event loop, which a wait freezes
BUSY_SECONDS = 10.0
CONNECT_SECONDS = 10  # PostgreSQL connect_timeout: a server that accepts nothing is not waited for forever


def resolve_url(url: str | None = None) -> str:
    """The store URL to use: the argument, else $NEWSBOT_DB, else data/newsbot.db."""
    return (url or os.environ.get("NEWSBOT_DB") or "").strip() or str(DEFAULT_PATH)


def describe(url: str) -> str:
    """The URL with any password hidden, for messages and dataset cards."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


class Backend:
    """One kind of database: everything newsbot knows about it is here (a new backend is one subclass and its
    URL scheme in `connect`)."""

    dialect: str
    reconnects = False  # whether `lost` can ever be true (the store then keeps a batch's writes to replay)
    # the schema's type placeholders (newsbot/store/schema.py writes each statement once)
    column_types: dict[str, str] = {}
    case_insensitive_like = "LIKE"  # the operator of the browser's text search
    explain = "EXPLAIN"  # a query's plan (the browser checks its pages read an index)
    plan_column = 0  # the column of the plan rows that says it
    table_exists = ""  # one row whose first column is true when table ? exists

    def __init__(self, target: str) -> None:
        """Open the store `target` (store_location's second part: a file path, a libpq URL...)."""
        raise NotImplementedError

    @classmethod
    def read_only(cls, target: str) -> ReadOnly:
        """A session that cannot change the store (the browser's, `newsbot show` and `ls`)."""
        raise NotImplementedError

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise NotImplementedError

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def insert_many(self, head: str, rows: Sequence[Sequence[Any]], tail: str = "") -> None:
        """`head` (INSERT INTO t (a, b) VALUES) for each row, then `tail` (e.g. ON CONFLICT DO NOTHING)."""
        if rows:
            self.executemany(f"{head} ({', '.join('?' * len(rows[0]))}) {tail}", rows)

    def insert_pairs(self, head: str, flat: list[Any], tail: str = "") -> None:
        """Two-column rows given as one flat list [a0, b0, a1, b1, ...] (numpy makes it without a tuple a row)."""
        self.insert_many(head, list(zip(flat[0::2], flat[1::2], strict=True)), tail)

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 1000) -> Iterator[tuple]:
        raise NotImplementedError

    def begin(self) -> None:
        raise NotImplementedError

    def lock_schema(self) -> None:
        """Serialise migrations between processes (called inside a transaction)."""

    def lost(self, exc: BaseException) -> bool:
        """True when `exc` means the connection is gone (a database server restart): reconnecting may help."""
        return False

    def pipeline(self) -> AbstractContextManager[Any]:
        """Statements inside are sent without waiting for each reply (PostgreSQL pipeline mode; a no-op on SQLite).

        A statement's error may surface only when the block ends: callers roll back the whole block.
        """
        return nullcontext()

    def cache_mb(self, mb: int) -> None:
        """Page cache size for this connection (SQLite; the PostgreSQL server manages its own)."""

    def close(self) -> None:
        raise NotImplementedError

    def wait_for_locks(self, seconds: float) -> None:
        """How long a statement waits for another connection's lock before failing."""

    def busy(self, exc: BaseException) -> bool:
        """True when `exc` means another connection held a lock past the wait."""
        return False


class ReadOnly:
    """A read-only session: rows of one statement at a time, `?` placeholders."""

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _SQLiteReadOnly(ReadOnly):
    def __init__(self, path: Path):
        if not path.is_file():
            raise FileNotFoundError(path)
        # mode=ro: SQLite refuses every write on this connection, whatever the SQL says
        self.conn = sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True, check_same_thread=False)

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self.conn.execute(sql, tuple(params)).fetchall()

    def close(self) -> None:
        self.conn.close()


class _PostgresReadOnly(ReadOnly):
    def __init__(self, url: str):
        import psycopg

        self.conn = psycopg.connect(url, autocommit=False)
        self.conn.read_only = True  # every transaction of this session: SET TRANSACTION READ ONLY

    def rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        try:
            with self.conn.cursor() as cur:
                cur.execute(sql.replace("?", "%s"), tuple(params) or None)
                return cur.fetchall()
        finally:
            self.conn.rollback()  # read-only transactions: end each one, never hold a snapshot open

    def close(self) -> None:
        self.conn.close()


class SQLiteBackend(Backend):
    dialect = "sqlite"
    column_types = {
        "pk": "INTEGER PRIMARY KEY",
        "bigint": "INTEGER",
        "blob": "BLOB",
        "real": "REAL",
        "key": "TEXT",  # BINARY collation: UTF-8 byte order, the same order as PostgreSQL's "C"
        "clustered": "WITHOUT ROWID",  # the primary key is the table: one B-tree to insert into, not two
    }
    explain = "EXPLAIN QUERY PLAN"
    plan_column = -1
    table_exists = "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)"

    @classmethod
    def read_only(cls, target: str) -> ReadOnly:
        return _SQLiteReadOnly(Path(target))

    def __init__(self, path: str):
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we issue BEGIN/COMMIT/SAVEPOINT ourselves, the same way as on PostgreSQL
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=BUSY_SECONDS)
        self._wal()
        self.conn.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: durable at checkpoints, never corrupt
        self.conn.execute("PRAGMA foreign_keys=ON")
        # each record is a savepoint: its sub-journal (original pages) stays in memory, not in a temp file
        self.conn.execute("PRAGMA temp_store=MEMORY")
        self.cache_mb(16)
        self.path = path

    def _wal(self) -> None:
        # switching a new file to WAL needs it to itself, and SQLite answers "database is locked" at once rather
        # than waiting (its busy handler does not cover it): two crawlers opening a new store together wait here
        deadline = time.monotonic() + BUSY_SECONDS
        while True:
            try:
                self.conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def cache_mb(self, mb: int) -> None:
        self.conn.execute(f"PRAGMA cache_size={-1024 * int(mb)}")

    def wait_for_locks(self, seconds: float) -> None:
        self.conn.execute(f"PRAGMA busy_timeout={int(seconds * 1000)}")

    def busy(self, exc: BaseException) -> bool:
        return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    ROWS_PER_INSERT = 200  # 400 parameters per statement: well under SQLite's limit (32766 since 3.32)

    def insert_many(self, head: str, rows: Sequence[Sequence[Any]], tail: str = "") -> None:
        # multi-row VALUES: a quarter less per row than executemany's one statement step per row
        if not rows:
            return
        width = len(rows[0])
        mark = f"({', '.join('?' * width)})"
        per = self.ROWS_PER_INSERT
        full = f"{head} {', '.join([mark] * per)} {tail}"
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            sql = full if len(chunk) == per else f"{head} {', '.join([mark] * len(chunk))} {tail}"
            self.conn.execute(sql, [value for row in chunk for value in row])

    def insert_pairs(self, head: str, flat: list[Any], tail: str = "") -> None:
        # the flat list is already the statement's parameters: slices of it, no per-row flattening
        step = 2 * self.ROWS_PER_INSERT
        full = f"{head} {', '.join(['(?, ?)'] * self.ROWS_PER_INSERT)} {tail}"
        for start in range(0, len(flat), step):
            chunk = flat[start : start + step]
            sql = full if len(chunk) == step else f"{head} {', '.join(['(?, ?)'] * (len(chunk) // 2))} {tail}"
            self.conn.execute(sql, chunk)

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 1000) -> Iterator[tuple]:
        # a separate cursor steps through the result; SQLite does not materialise it
        cur = self.conn.execute(sql, params)
        try:
            while rows := cur.fetchmany(size):
                yield from rows
        finally:
            cur.close()

    def begin(self) -> None:
        # IMMEDIATE takes the write lock up front: no deadlock upgrading a read transaction
        self.conn.execute("BEGIN IMMEDIATE")

    def close(self) -> None:
        self.conn.close()


class PostgresBackend(Backend):
    dialect = "postgresql"
    reconnects = True
    column_types = {
        "pk": "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        "bigint": "BIGINT",
        "blob": "BYTEA",
        "real": "DOUBLE PRECISION",
        "key": 'TEXT COLLATE "C"',  # byte order whatever the database locale: deterministic exports
        "clustered": "",
    }
    case_insensitive_like = "ILIKE"
    table_exists = "SELECT to_regclass(?) IS NOT NULL"

    @classmethod
    def read_only(cls, target: str) -> ReadOnly:
        return _PostgresReadOnly(target)

    def __init__(self, url: str):
        import psycopg  # imported here: SQLite users need not have it working

        self._psycopg = psycopg
        self.conn = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_SECONDS)
        self._cursors = 0
        self.wait_for_locks(BUSY_SECONDS)

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.conn.execute(self._sql(sql), params or None)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(self._sql(sql), rows)

    def stream(self, sql: str, params: Sequence[Any] = (), size: int = 1000) -> Iterator[tuple]:
        # a server-side (named) cursor: rows come `size` at a time, never the whole result
        self._cursors += 1
        own_tx = self.conn.info.transaction_status == self._psycopg.pq.TransactionStatus.IDLE
        if own_tx:
            self.conn.execute("BEGIN READ ONLY")
        try:
            with self.conn.cursor(name=f"newsbot_stream_{self._cursors}") as cur:
                cur.itersize = size
                cur.execute(self._sql(sql), params or None)
                while rows := cur.fetchmany(size):
                    yield from rows
        finally:
            if own_tx and not self.conn.closed:
                self.conn.execute("COMMIT")

    def begin(self) -> None:
        self.conn.execute("BEGIN")

    def lock_schema(self) -> None:
        self.conn.execute("SELECT pg_advisory_xact_lock(7346310551)")

    def lost(self, exc: BaseException) -> bool:
        return isinstance(exc, self._psycopg.OperationalError) and (self.conn.closed or self.conn.broken)

    def wait_for_locks(self, seconds: float) -> None:
        self.conn.execute(f"SET lock_timeout = {int(seconds * 1000)}")

    def busy(self, exc: BaseException) -> bool:
        return isinstance(exc, self._psycopg.errors.LockNotAvailable)

    def pipeline(self) -> AbstractContextManager[Any]:
        # one round trip for a record's inserts instead of one per statement (the server is the slow part)
        return self.conn.pipeline()

    def close(self) -> None:
        self.conn.close()


BACKENDS: dict[str, type[Backend]] = {b.dialect: b for b in (SQLiteBackend, PostgresBackend)}


def store_location(url: str) -> tuple[str, str]:
    """(dialect, target) of a store URL: postgresql://… / postgres://… (a libpq URL), sqlite:///path (SQLAlchemy's
    convention: sqlite:///relative, sqlite:////absolute) or a plain path. ValueError for any other scheme."""
    scheme = urlsplit(url).scheme.lower() if "://" in url else ""
    if scheme in ("postgresql", "postgres") or scheme.startswith("postgresql+"):
        return "postgresql", url.replace("postgresql+psycopg://", "postgresql://", 1)
    if scheme == "sqlite":
        path = unquote(url.split("://", 1)[1])
        return "sqlite", path[1:] if path.startswith("/") else path
    if scheme:
        raise ValueError(f"unsupported store URL {describe(url)!r}: use a path, sqlite:///path or postgresql://...")
    return "sqlite", url


def connect(url: str) -> Backend:
    """A backend for a store URL (store_location says which)."""
    dialect, target = store_location(url)
    if dialect == "sqlite":
        return SQLiteBackend(target or str(DEFAULT_PATH))
    return BACKENDS[dialect](target)
