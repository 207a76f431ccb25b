"""One schema for SQLite and PostgreSQL, applied as ordered migration steps.

Each step is a list of statements written once with a few type placeholders; the dialect fills
them in. `schema_version` records the steps applied, so opening an older store upgrades it and
opening a current one does nothing. Never edit a released step: append a new one.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsbot.store.backends import BACKENDS

# each backend's type names (newsbot/store/backends.py says what a dialect calls them)
TYPES = {dialect: backend.column_types for dialect, backend in BACKENDS.items()}


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]

    def sql(self, dialect: str) -> list[str]:
        return [s.format(**TYPES[dialect]) for s in self.statements]


SCHEMA_VERSION_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_version ("
    " version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at TEXT NOT NULL)"
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "articles, raw pages, invalid records, URL aliases, metadata",
        (
            """CREATE TABLE articles (
                id {pk},
                key {key} NOT NULL UNIQUE,
                url TEXT NOT NULL,
                canonical_url TEXT,
                site TEXT,
                kind TEXT NOT NULL,
                lang TEXT,
                title TEXT,
                description TEXT,
                body TEXT NOT NULL,
                published TEXT,
                published_utc TEXT,
                modified TEXT,
                published_raw TEXT,
                authors TEXT NOT NULL,
                section TEXT,
                tags TEXT NOT NULL,
                image TEXT,
                word_count INTEGER NOT NULL,
                content_hash TEXT,
                extracted_at TEXT,
                extractor_version TEXT,
                strategy TEXT,
                confidence {real} NOT NULL,
                encoding TEXT,
                warnings TEXT NOT NULL,
                duplicate_of TEXT,
                cluster_id TEXT,
                fingerprint TEXT NOT NULL,
                first_seen TEXT NOT NULL,
                last_seen TEXT NOT NULL,
                updated_at TEXT NOT NULL
            )""",
            "CREATE INDEX articles_site ON articles (site, published_utc)",
            "CREATE INDEX articles_published ON articles (published_utc)",
            "CREATE INDEX articles_content_hash ON articles (content_hash)",
            "CREATE INDEX articles_cluster ON articles (cluster_id)",
            """CREATE TABLE raw_pages (
                article_id {bigint} PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
                warc {blob} NOT NULL,
                final_url TEXT NOT NULL,
                status INTEGER NOT NULL,
                fetched_at TEXT,
                raw_size INTEGER NOT NULL
            )""",
            """CREATE TABLE url_aliases (
                key {key} PRIMARY KEY,
                article_id {bigint} NOT NULL REFERENCES articles (id) ON DELETE CASCADE
            )""",
            """CREATE TABLE invalid (
                id {pk},
                key {key} NOT NULL UNIQUE,
                url TEXT,
                site TEXT,
                reason TEXT NOT NULL,
                record TEXT NOT NULL,
                times_seen INTEGER NOT NULL,
                first_seen TEXT NOT NULL,
                last_seen TEXT NOT NULL
            )""",
            "CREATE INDEX invalid_reason ON invalid (reason)",
            "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ),
    ),
    Migration(
        2,
        "near-duplicate state: MinHash signatures and LSH band buckets",
        (
            """CREATE TABLE minhashes (
                article_id {bigint} PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
                signature {blob} NOT NULL
            )""",
            # one row per (band bucket, article): looking a record's 25 buckets up finds its candidates
            """CREATE TABLE lsh_bands (
                bucket {bigint} NOT NULL,
                article_id {bigint} NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
                PRIMARY KEY (bucket, article_id)
            ) {clustered}""",
        ),
    ),
    Migration(
        3,
        "web-archive runs: how far each archive file was read; raw pages that point into an archive file",
        (
            # one row per archive file (key: its size and a digest of its first bytes, so a moved file is known)
            """CREATE TABLE archive_files (
                key {key} PRIMARY KEY,
                path TEXT NOT NULL,
                size {bigint} NOT NULL,
                mode TEXT NOT NULL,
                next_offset {bigint} NOT NULL,
                records {bigint} NOT NULL,
                done INTEGER NOT NULL,
                counts TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                finished_at TEXT
            )""",
            # a raw page read from an archive is that file's WARC record: its place, instead of a copy (warc = '')
            "ALTER TABLE raw_pages ADD COLUMN archive_path TEXT",
            "ALTER TABLE raw_pages ADD COLUMN archive_offset {bigint}",
            "ALTER TABLE raw_pages ADD COLUMN archive_length {bigint}",
        ),
    ),
)

LATEST = MIGRATIONS[-1].version


# A record field added to newsbot/record.py becomes a column of `articles` when a store is next opened: the
# dataclass is the one place a field is declared (its type gives the column's). Released migration steps stay as
# they are; a store made before the field existed gets it added, empty (NULL, or the type's zero for a field
# that cannot be None).
_FIELD_TYPES = {"str": "TEXT NOT NULL DEFAULT ''", "int": "INTEGER NOT NULL DEFAULT 0",
                "float": "{real} NOT NULL DEFAULT 0", "bool": "INTEGER NOT NULL DEFAULT 0"}


def field_column(annotation: str) -> str:
    """The column type (with placeholders) for a record field's annotation, as `from __future__ import
    annotations` leaves it: "str | None" -> TEXT, "list[str]" -> TEXT (JSON), "int" -> INTEGER..."""
    kinds = {part.strip() for part in annotation.split("|")}
    if kinds & {"None"}:
        kinds.discard("None")
        base = next(iter(kinds), "str")
        return "{real}" if base == "float" else "INTEGER" if base in ("int", "bool") else "TEXT"
    base = next(iter(kinds), "str")
    if base.startswith(("list[", "dict[")):
        return "TEXT NOT NULL DEFAULT '[]'" if base.startswith("list[") else "TEXT NOT NULL DEFAULT '{{}}'"
    return _FIELD_TYPES.get(base, "TEXT")


def missing_record_columns(existing: set[str], dialect: str) -> list[str]:
    """ALTER TABLE statements adding the record fields `articles` does not have yet."""
    from newsbot.record import ArticleRecord  # (the store's one dependency on the record type's declaration)

    return [f"ALTER TABLE articles ADD COLUMN {name} {field_column(str(annotation)).format(**TYPES[dialect])}"
            for name, annotation in ArticleRecord.field_types().items() if name not in existing]
