"""`newsbot stats`: what is in a store, as a plain dict (counted by the database, not in Python)."""

from __future__ import annotations

from typing import Any

from newsbot import dedup
from newsbot.store.backends import describe
from newsbot.store.core import Store

_MONTH = "COALESCE(SUBSTR(published_utc, 1, 7), 'unknown')"


def _pairs(store: Store, sql: str) -> dict[str, int]:
    return {str(k if k is not None else "unknown"): int(n) for k, n in store.db.execute(sql).fetchall()}


def summarise(store: Store) -> dict[str, Any]:
    one = lambda sql: int(store.db.execute(sql).fetchone()[0] or 0)  # noqa: E731
    dup_clusters = one(
        "SELECT COUNT(*) FROM (SELECT cluster_id FROM articles WHERE cluster_id IS NOT NULL"
        " GROUP BY cluster_id HAVING COUNT(*) > 1) c"
    )
    return {
        "store": describe(store.url),
        "backend": store.dialect,
        "schema_version": store.schema_version(),
        "articles": one("SELECT COUNT(*) FROM articles"),
        "duplicates": one("SELECT COUNT(*) FROM articles WHERE duplicate_of IS NOT NULL"),
        "duplicate_clusters": dup_clusters,
        "invalid": one("SELECT COUNT(*) FROM invalid"),
        "raw_pages": one("SELECT COUNT(*) FROM raw_pages"),
        "raw_bytes_compressed": one("SELECT COALESCE(SUM(LENGTH(warc)), 0) FROM raw_pages"),
        "raw_bytes": one("SELECT COALESCE(SUM(raw_size), 0) FROM raw_pages"),
        "first_seen": store.db.execute("SELECT MIN(first_seen) FROM articles").fetchone()[0],
        "last_seen": store.db.execute("SELECT MAX(last_seen) FROM articles").fetchone()[0],
        "by_site": _pairs(store, "SELECT site, COUNT(*) FROM articles GROUP BY site ORDER BY site"),
        "by_lang": _pairs(store, "SELECT lang, COUNT(*) FROM articles GROUP BY lang ORDER BY lang"),
        "by_month": _pairs(store, f"SELECT {_MONTH} AS m, COUNT(*) FROM articles GROUP BY m ORDER BY m"),
        "by_extractor_version": _pairs(
            store, "SELECT extractor_version, COUNT(*) FROM articles GROUP BY extractor_version ORDER BY extractor_version"
        ),
        "invalid_by_reason": _pairs(store, "SELECT reason, COUNT(*) FROM invalid GROUP BY reason ORDER BY reason"),
        "dedup_params": dedup.PARAMS,
        "dedup_params_current": store.dedup_params_current,
    }
