"""Articles the store could not take (locked, unreachable, a commit that failed), kept on local disk and stored
by the next crawl of the site before it fetches anything.

    <state dir of the store>/spool/<site>.<pid>.jsonl     one exported record per line

The state directory (newsbot.state: `<store>.jobs/` beside a SQLite file, a local directory for a
PostgreSQL store) outlives the crawl, unlike the temporary queue directory a crawl without --jobdir uses.
The next crawl of the site claims each of its files by renaming it, stores the records (upserts are
idempotent: a replay cut short is replayed again) and deletes it; a store still unavailable leaves the file for
the run after. The raw page is not kept (it can be MBs): a replayed article is stored without it.
At most NEWSBOT_SPOOL_MAX_MB per crawl: past that, articles are lost as before, and counted as not kept.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path

from newsbot.record import ArticleRecord

log = logging.getLogger("newsbot.pipelines")

_SAFE = re.compile(r"[^A-Za-z0-9._-]+")
_CLAIMED = ".replaying."


def spool_dir(store_url: str | None) -> Path:
    from newsbot.state import state_dir

    return state_dir(store_url) / "spool"


def _name(site: str) -> str:
    return _SAFE.sub("_", site) or "_"


class Spool:
    """The file this crawl keeps its site's unstored articles in, made at the first one."""

    def __init__(self, directory: Path, site: str, max_bytes: int):
        self.path = directory / f"{_name(site)}.{os.getpid()}.jsonl"
        self.max_bytes = max_bytes
        self.written = 0
        self.kept = 0
        self._told = False

    def keep(self, line: str) -> bool:
        """Append one record's JSON line; False when it could not be kept (full disk, over the bound)."""
        data = (line.rstrip("\n") + "\n").encode("utf-8")
        if self.written + len(data) > self.max_bytes:
            self._tell(f"over NEWSBOT_SPOOL_MAX_MB ({self.max_bytes // 2**20} MB)")
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path, "ab") as fh:
                fh.write(data)
        except OSError as exc:
            self._tell(exc.strerror or str(exc))
            return False
        self.written += len(data)
        self.kept += 1
        return True

    def _tell(self, why: str) -> None:
        if not self._told:
            self._told = True
            log.error("could not keep unstored articles in %s (%s): they are lost; the next crawl fetches them "
                      "again", self.path, why)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _claimable(directory: Path, site: str) -> list[Path]:
    """The site's spool files no live process is writing or replaying."""
    pattern = re.compile(rf"{re.escape(_name(site))}\.(\d+)\.jsonl(?:{re.escape(_CLAIMED)}(\d+))?")
    found = []
    for path in sorted(directory.iterdir()):
        m = pattern.fullmatch(path.name)
        if m is None:
            continue
        owner = int(m.group(2) or m.group(1))
        if owner == os.getpid() or _alive(owner):
            continue
        found.append(path)
    return found


def replay(directory: Path, site: str, store_one: Callable[[ArticleRecord], None],
           commit: Callable[[], None]) -> tuple[int, int]:
    """Store the records earlier crawls of `site` kept; (records stored, files left for later).

    `store_one` upserts a record (and counts it), `commit` ends the transaction: any exception from them leaves the
    file (claimed name restored) for the next run."""
    if not directory.is_dir():
        return 0, 0
    stored = left = 0
    for path in _claimable(directory, site):
        claimed = path.with_name(path.name.split(_CLAIMED, 1)[0] + f"{_CLAIMED}{os.getpid()}")
        try:
            path.rename(claimed)
        except FileNotFoundError:  # another worker of the same crawl took it
            continue
        records, damaged = _read(claimed)
        try:
            for record in records:
                store_one(record)
            commit()
        except Exception as exc:
            claimed.rename(claimed.with_name(claimed.name.split(_CLAIMED, 1)[0]))
            log.warning("the store cannot take the %d articles kept in %s yet (%s): left for the next run",
                        len(records), path, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
            left += 1
            continue
        claimed.unlink(missing_ok=True)
        stored += len(records)
        log.info("stored %d articles an earlier crawl could not store (kept in %s)%s", len(records), path,
                 f"; {damaged} damaged line(s) skipped" if damaged else "")
    return stored, left


def _read(path: Path) -> tuple[list[ArticleRecord], int]:
    records, damaged = [], 0
    with open(path, encoding="utf-8", errors="replace") as fh:
        for line in fh:
            if not line.strip():
                continue
            try:
                records.append(ArticleRecord.from_dict(json.loads(line)))
            except (ValueError, TypeError):  # the last line of a crawl killed while writing it
                damaged += 1
    return records, damaged
