"""One lock per site, so that two scheduled runs never crawl the same site at the same time.

SQLite store (one machine): flock(2) on <state dir>/locks/<site>.lock. The kernel drops the lock when
the holding process dies, however it dies, so a stale lock of a killed run is simply taken over;
the pid and start time written in the file are only there to say who holds it.

PostgreSQL store (possibly several machines): a session-level advisory lock in the database, which
PostgreSQL releases when the holder's connection goes away.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import re
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from newsbot.state import locate, state_dir

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
log = logging.getLogger(__name__)


@dataclass
class Holder:
    """Who holds a lock, as far as the lock can tell."""

    pid: int | None = None
    host: str | None = None
    since: str | None = None

    def describe(self) -> str:
        who = f"pid {self.pid}" if self.pid else "another run"
        if self.host and self.host != socket.gethostname():
            who += f" on {self.host}"
        return who + (f" since {self.since}" if self.since else "")


class SiteLock(Protocol):
    site: str

    def acquire(self) -> bool: ...
    def release(self) -> None: ...
    def holder(self) -> Holder | None: ...


def _stamp() -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
    }


class FileSiteLock:
    """flock on a file per site; non-blocking: a held lock means "skip this site"."""

    def __init__(self, lock_dir: str | Path, site: str):
        self.site = site
        self.path = Path(lock_dir) / f"{_SAFE.sub('_', site) or '_'}.lock"
        self._fd: int | None = None

    def acquire(self) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        # ours now (a dead holder's lock went with its process): say who we are
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(_stamp()).encode(), 0)
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is None:
            return
        # the file stays: unlinking it would let a third run lock a fresh inode while a second waits on the old
        os.ftruncate(self._fd, 0)
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def holder(self) -> Holder | None:
        try:
            data = json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            return None
        return Holder(data.get("pid"), data.get("host"), data.get("since")) if data else None

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def advisory_key(site: str) -> int:
    """A stable signed 64-bit key for pg_try_advisory_lock, namespaced so other users of advisory locks don't clash."""
    digest = hashlib.sha256(f"newsbot:site:{site}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PgAdvisorySiteLock:
    """pg_try_advisory_lock on a connection of its own, held for the length of the site's crawl."""

    def __init__(self, dsn: str, site: str):
        self.site = site
        self.dsn = dsn
        self.key = advisory_key(site)
        self._conn: Any = None

    def acquire(self) -> bool:
        import psycopg

        if self._conn is not None:
            return True
        # the application name carries our pid and host: the only way the next run can say who holds the lock
        app = f"newsbot-lock {os.getpid()} {socket.gethostname()}"[:63]
        conn = psycopg.connect(self.dsn, autocommit=True, application_name=app)
        row = conn.execute("SELECT pg_try_advisory_lock(%s)", (self.key,)).fetchone()
        assert row is not None  # a SELECT of one value returns one row
        got = row[0]
        if not got:
            conn.close()
            return False
        self._conn = conn
        return True

    def release(self) -> None:
        if self._conn is None:
            return
        import psycopg

        try:
            self._conn.execute("SELECT pg_advisory_unlock(%s)", (self.key,))
        except psycopg.Error as exc:
            # the server (or our connection to it) is gone: so is the session lock, which lived in that session
            first = (str(exc).strip() or type(exc).__name__).splitlines()[0]
            log.warning("site lock of %s: the database was gone before the lock was released (%s); the server "
                        "drops it with the session", self.site, first)
        finally:
            try:
                self._conn.close()
            except psycopg.Error:
                pass
            self._conn = None

    def holder(self) -> Holder | None:
        import psycopg

        # pg_locks splits the 64-bit key into classid (high half) and objid (low half)
        unsigned = self.key & 0xFFFFFFFFFFFFFFFF
        hi, lo = unsigned >> 32, unsigned & 0xFFFFFFFF
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            row = conn.execute(
                "SELECT a.application_name, a.backend_start FROM pg_locks l JOIN pg_stat_activity a"
                " ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted"
                " AND l.classid::bigint = %s AND l.objid::bigint = %s AND l.objsubid = 1",
                (hi, lo),
            ).fetchone()
        if not row:
            return None
        since = row[1].astimezone(UTC).isoformat(timespec="seconds") if row[1] else None
        parts = (row[0] or "").split()
        if len(parts) >= 3 and parts[0] == "newsbot-lock" and parts[1].isdigit():
            return Holder(int(parts[1]), parts[2], since)
        return Holder(None, None, since)

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_dir(store: str | None = None) -> Path:
    return state_dir(store) / "locks"


def site_lock(site: str, store: str | None = None) -> FileSiteLock | PgAdvisorySiteLock:
    """The lock for `site` in the store at `store` (URL or path; None = $NEWSBOT_DB / default)."""
    loc = locate(store)
    if loc.is_postgres:
        return PgAdvisorySiteLock(loc.target, site)
    return FileSiteLock(lock_dir(store), site)
