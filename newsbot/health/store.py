"""The `site_health` table: one row per (run, site), in the store's own database.

The store's migrations (newsbot/store/schema.py) take no steps from other packages, so this module
opens the store's database through the store's own backend (newsbot.store.backends.connect: same URL
rules, WAL on SQLite, psycopg on PostgreSQL) and creates its table with CREATE TABLE IF NOT EXISTS.
SCHEMA below is written so that a store migration step can take it over unchanged.

Several workers of one distributed run add into the same row (counts are summed by the upsert).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from newsbot.health.policy import DEFECTS, HealthPolicy, HealthSample, Verdict, assess
from newsbot.store.backends import connect, resolve_url

COUNTS = ("pages", "good", *DEFECTS)

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS site_health (
    run_id TEXT NOT NULL,
    site TEXT NOT NULL,
    at TEXT NOT NULL,
    {", ".join(f"{c} INTEGER NOT NULL DEFAULT 0" for c in COUNTS)},
    score REAL,
    baseline REAL,
    alarm TEXT,
    acknowledged INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, site)
)
"""
INDEX = "CREATE INDEX IF NOT EXISTS site_health_site_at ON site_health (site, at)"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class HealthStore:
    def __init__(self, url: str | None = None, *, create: bool = True):
        self._db = connect(resolve_url(url))
        self.dialect = self._db.dialect
        self._lock = threading.Lock()
        if create:
            self._create()

    # -- plumbing -------------------------------------------------------------------------------
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            cur = self._db.execute(sql, tuple(params))
            return cur.fetchall() if cur.description else []

    def _create(self) -> None:
        for attempt in range(3):
            try:
                self._execute(SCHEMA)
                self._execute(INDEX)
                return
            except Exception:
                # two workers creating the table at once (PostgreSQL): the loser meets a unique violation; the
                # statements are idempotent, so any backend may simply try again
                if attempt == 2:
                    raise

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> HealthStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- writing --------------------------------------------------------------------------------
    def add(self, run_id: str, sample: HealthSample, at: str | None = None) -> None:
        """Add a sample's counts to the (run, site) row."""
        cols = ", ".join(COUNTS)
        marks = ", ".join(["?"] * (3 + len(COUNTS)))
        sums = ", ".join(f"{c} = site_health.{c} + excluded.{c}" for c in COUNTS)
        self._execute(
            f"INSERT INTO site_health (run_id, site, at, {cols}) VALUES ({marks})"
            f" ON CONFLICT (run_id, site) DO UPDATE SET {sums}",
            (run_id, sample.site, at or _now(), *(getattr(sample, c) for c in COUNTS)),
        )

    def save_verdict(self, run_id: str, verdict: Verdict) -> None:
        self._execute(
            "UPDATE site_health SET score = ?, baseline = ?, alarm = ? WHERE run_id = ? AND site = ?",
            (verdict.score, verdict.baseline, "; ".join(verdict.reasons) or None, run_id, verdict.site),
        )

    def acknowledge(self, site: str) -> int:
        """Accept a site's alarmed runs as its new normal (after fixing the extraction or accepting a redesign):
        they become its baseline, and the runs before them (the old layout) stop counting."""
        rows = self._execute(
            "UPDATE site_health SET acknowledged = 1 WHERE site = ? AND alarm IS NOT NULL AND acknowledged = 0"
            " RETURNING at",
            (site,),
        )
        if rows:
            self._execute(
                "UPDATE site_health SET acknowledged = 2 WHERE site = ? AND acknowledged = 0 AND at < ?",
                (site, min(r[0] for r in rows)),
            )
        return len(rows)

    # -- reading --------------------------------------------------------------------------------
    def _sample(self, row: Sequence[Any]) -> HealthSample:
        return HealthSample(row[0], **dict(zip(COUNTS, row[1:], strict=True)))

    def run(self, run_id: str) -> list[HealthSample]:
        rows = self._execute(
            f"SELECT site, {', '.join(COUNTS)} FROM site_health WHERE run_id = ? ORDER BY site", (run_id,)
        )
        return [self._sample(r) for r in rows]

    def history(self, site: str, before_run: str | None = None, limit: int = 10) -> list[HealthSample]:
        """Earlier runs of `site`, newest first, leaving out runs that raised an alarm nobody acknowledged
        (so a broken site keeps alarming until someone looks, instead of becoming its own baseline)."""
        params: list[Any] = [site]
        # acknowledged: 0 = as judged, 1 = an alarm accepted as the new normal, 2 = superseded by such an alarm
        where = "site = ? AND ((alarm IS NULL AND acknowledged = 0) OR acknowledged = 1)"
        if before_run is not None:
            where += " AND run_id <> ? AND at < (SELECT at FROM site_health WHERE run_id = ? AND site = ?)"
            params += [before_run, before_run, site]
        rows = self._execute(
            f"SELECT site, {', '.join(COUNTS)} FROM site_health WHERE {where} ORDER BY at DESC LIMIT ?",
            (*params, limit),
        )
        return [self._sample(r) for r in rows]

    def latest(self) -> list[dict[str, Any]]:
        """Each site's most recent run: for `newsbot stats` / `newsbot health`."""
        rows = self._execute(
            "SELECT h.site, h.run_id, h.at, h.pages, h.score, h.baseline, h.alarm, h.acknowledged FROM site_health h"
            " JOIN (SELECT site, MAX(at) AS at FROM site_health GROUP BY site) m ON m.site = h.site AND m.at = h.at"
            " ORDER BY h.site"
        )
        keys = ("site", "run_id", "at", "pages", "score", "baseline", "alarm", "acknowledged")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def rows(self, site: str | None = None) -> Iterator[dict[str, Any]]:
        keys = ("run_id", "site", "at", *COUNTS, "score", "baseline", "alarm", "acknowledged")
        where, params = ("WHERE site = ?", (site,)) if site else ("", ())
        for r in self._execute(f"SELECT {', '.join(keys)} FROM site_health {where} ORDER BY site, at", params):
            yield dict(zip(keys, r, strict=True))

    # -- the verdict ----------------------------------------------------------------------------
    def assess_run(self, run_id: str, policy: HealthPolicy | None = None) -> list[Verdict]:
        """Judge every site of a run against its history, and keep the verdicts with the run."""
        policy = policy or HealthPolicy()
        verdicts = []
        for sample in self.run(run_id):
            verdict = assess(sample, self.history(sample.site, before_run=run_id, limit=policy.history_runs), policy)
            self.save_verdict(run_id, verdict)
            verdicts.append(verdict)
        return verdicts


@contextmanager
def health_store(url: str | None = None) -> Iterator[HealthStore]:
    store = HealthStore(url)
    try:
        yield store
    finally:
        store.close()
