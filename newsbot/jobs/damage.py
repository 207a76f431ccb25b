"""A damaged SQLite store (overwritten halfway, truncated) told as such, in one line, instead of looking empty.

`check_readable(url)` is cheap enough for every read-only command (`stats`, `health`, `export`, `reextract`):
the header's page count against the file's size, the schema, and both ends of every table's and index's
b-tree (the last pages written are the ones a torn or truncated file loses); `stats` and `health` add a
PRAGMA quick_check bounded in time (health reads little of the store: the check is what finds damage
elsewhere). It raises Unreadable, an Unavailable (exit 1). A damage it cannot see still surfaces when the
command reads that page: `damage(exc)` recognises it.
PostgreSQL keeps its own data sound; its stores are not probed here.
"""

from __future__ import annotations

import sqlite3
import struct
import threading
from pathlib import Path

from newsbot.jobs.config import Unavailable, store_setting
from newsbot.state import locate

# the SQLite result codes of a damaged file (as opposed to a locked or missing one)
_DAMAGED = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}
_HEADER = 100


class Unreadable(Unavailable):
    """The store file is there but damaged: nothing read from it can be trusted."""


def damage(exc: BaseException) -> str | None:
    """The reason, when `exc` says the SQLite file is damaged; None for any other error."""
    if isinstance(exc, sqlite3.DatabaseError) and getattr(exc, "sqlite_errorname", "") in _DAMAGED:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else "damaged"
    return None


def unreadable(given: str | None, path: str, why: str) -> Unreadable:
    """The one line: which setting named the store (unless it is the default one), what is wrong, what to do."""
    name = store_setting(given)
    prefix = "" if name == "the default store" else f"{name}: "
    return Unreadable(f"{prefix}the store {path} is unreadable ({why}): the file is damaged; restore it from a "
                      f"backup (`sqlite3 {path} .recover` saves what is left)")


def _truncated(path: Path) -> str | None:
    """The header's database size against the file's, when the header vouches for it and no WAL holds pages."""
    with open(path, "rb") as fh:
        head = fh.read(_HEADER)
    if len(head) < _HEADER:
        return f"{len(head)} bytes, shorter than a SQLite header"
    page_size = struct.unpack(">H", head[16:18])[0]
    page_size = 65536 if page_size == 1 else page_size
    pages = struct.unpack(">I", head[28:32])[0]
    valid = head[24:28] == head[92:96]  # the in-header size is current only then (SQLite's own rule)
    wal = path.with_name(path.name + "-wal")
    if not valid or (wal.exists() and wal.stat().st_size > 0):
        return None
    size = path.stat().st_size
    if pages * page_size > size:
        return f"truncated: {size} of its {pages * page_size} bytes"
    return None


def check_readable(url: str, given: str | None = None, *, check_seconds: float = 0.0) -> None:
    """Raise Unreadable when the SQLite store at `url` (resolved) is damaged; `given` is what the user passed.

    `check_seconds` > 0 also runs PRAGMA quick_check for at most that long (it reads a cached 370 MB store in
    0.2 s): the whole of most stores, and a check that runs out of time on a huge one finds nothing."""
    loc = locate(url)
    if loc.is_postgres:
        return
    path = Path(loc.target)
    if not path.is_file():
        return
    why = _truncated(path) or _probe(path, check_seconds)
    if why is not None:
        raise unreadable(given, str(path), why)


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _probes(conn: sqlite3.Connection) -> list[str]:
    """Queries that each walk one b-tree (a table's or an index's) from its root to its first and last leaf."""
    queries = []
    for kind, name, table, sql in conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"):
        if kind == "table":
            if "WITHOUT ROWID" in (sql or "").upper():
                queries.append(f"SELECT * FROM {_q(name)} LIMIT 1")
            else:
                queries += [f"SELECT * FROM {_q(name)} ORDER BY rowid LIMIT 1",
                            f"SELECT * FROM {_q(name)} ORDER BY rowid DESC LIMIT 1"]
        elif kind == "index":
            cols = [c[2] for c in conn.execute(f"PRAGMA index_info({_q(name)})")]
            if cols and cols[0]:  # not an expression index
                queries += [f"SELECT {_q(cols[0])} FROM {_q(table)} INDEXED BY {_q(name)} ORDER BY {_q(cols[0])}"
                            f" {order} LIMIT 1" for order in ("ASC", "DESC")]
    return queries


def _quick_check(conn: sqlite3.Connection, seconds: float) -> str | None:
    # the check is one step of SQLite's VM (a progress handler never sees it run): interrupted from a timer
    timer = threading.Timer(seconds, conn.interrupt)
    timer.daemon = True
    timer.start()
    try:
        rows = conn.execute("PRAGMA quick_check(1)").fetchall()
    except sqlite3.Error as exc:
        return damage(exc)  # interrupted (out of time) is not damage
    finally:
        timer.cancel()
    text = " ".join(str(r[0]) for r in rows).replace("*** in database main ***", "").split()
    return None if text == ["ok"] else "integrity check: " + " ".join(text)[:120]


def _probe(path: Path, check_seconds: float = 0.0) -> str | None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return None  # cannot even open it read-only (permissions, locks): the command itself will say why
    try:
        try:
            queries = _probes(conn)
        except sqlite3.Error as exc:  # the schema itself
            return damage(exc)
        for sql in queries:
            try:
                conn.execute(sql).fetchall()
            except sqlite3.Error as exc:
                if why := damage(exc):
                    return why
                # anything else (a partial index this query cannot use, a lock): not a sign of damage
        return _quick_check(conn, check_seconds) if check_seconds > 0 else None
    finally:
        conn.close()
