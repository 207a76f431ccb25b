"""New articles of an open SQLite batch, held back and written together at commit (one multi-row INSERT per
table instead of five statements and a savepoint per record).

The store gives them their ids itself (SQLite would give the same: one past the largest, under the batch's
write lock) and answers its own look-ups from here until they are written: the key probe, the content hash,
signatures and links of near-duplicate candidates, `known()`. Every other read writes them first. Rows are
checked on the way in against the schema's NOT NULL columns and what SQLite can bind, so that writing them
later cannot fail for one record's sake (a bad record fails alone, at its upsert, with the error SQLite's
INSERT would have raised).
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any

_BINDABLE = (str, int, float, bytes, type(None))
_INT64 = 2**63
_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(slots=True)
class Fresh:
    """What the look-ups need of a held-back article."""

    id: int
    key: str
    fingerprint: str
    content_hash: str | None
    duplicate_of: str | None
    cluster_id: str | None
    signature: bytes
    last_seen: str


class FreshRows:
    """The held-back rows of one transaction, per table, and their look-up maps."""

    def __init__(self, columns: dict[str, tuple[str, ...]], not_null: dict[str, frozenset[int]]):
        self.columns = columns  # table (archived_pages: raw pages read from an archive file) -> INSERT columns
        self.not_null = not_null  # table -> positions in those that must not be NULL
        self.clear()

    def clear(self) -> None:
        self.by_key: dict[str, Fresh] = {}
        self.by_id: dict[int, Fresh] = {}
        self.by_hash: dict[str, Fresh] = {}  # the first (smallest id) of each content hash
        self.by_alias: dict[str, Fresh] = {}
        self.rows: dict[str, list[tuple]] = {"articles": [], "raw_pages": [], "archived_pages": [], "minhashes": [],
                                             "url_aliases": []}

    def __bool__(self) -> bool:
        return bool(self.by_key)

    def check(self, table: str, row: tuple) -> None:
        """Raise now what writing the row later would."""
        not_null = self.not_null[table]
        for i, value in enumerate(row):
            if value is None:
                if i in not_null:
                    name = "raw_pages" if table == "archived_pages" else table
                    raise sqlite3.IntegrityError(f"NOT NULL constraint failed: {name}.{self.columns[table][i]}")
            elif not isinstance(value, _BINDABLE):
                raise sqlite3.ProgrammingError(f"Error binding parameter {i + 1}: type '{type(value).__name__}' is "
                                               "not supported")
            elif type(value) is int and not -_INT64 <= value < _INT64:
                raise OverflowError("Python int too large to convert to SQLite INTEGER")
            # an article's text was made storable (core._repaired); a raw page's URLs and an alias may not be
            elif table != "articles" and type(value) is str and (bad := _SURROGATE.search(value)):
                raise UnicodeEncodeError("utf-8", value, bad.start(), bad.end(), "surrogates not allowed")

    def add(self, fresh: Fresh, rows: dict[str, list[tuple]]) -> None:
        """One article's rows (every table's checked first: either all are held back or none)."""
        for table, table_rows in rows.items():
            for row in table_rows:
                self.check(table, row)
        for table, table_rows in rows.items():
            self.rows[table].extend(table_rows)
        self.by_key[fresh.key] = fresh
        self.by_id[fresh.id] = fresh
        if fresh.content_hash:
            self.by_hash.setdefault(fresh.content_hash, fresh)
        for alias, _article_id in rows.get("url_aliases", ()):
            self.by_alias.setdefault(alias, fresh)

    def write(self, db: Any, statements: dict[str, tuple[str, str]]) -> None:
        """Insert every held-back row (articles first: the others refer to them), then forget them (kept when
        an insert fails: the caller rolls the partial write back, and may write them again)."""
        for table in ("articles", "raw_pages", "archived_pages", "minhashes", "url_aliases"):
            if self.rows[table]:
                head, tail = statements[table]
                db.insert_many(head, self.rows[table], tail)
        self.clear()
