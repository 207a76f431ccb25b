"""The store: validated records and their raw responses, in SQLite (default) or PostgreSQL.

Contract used by the pipelines, the crawler and the CLI (implementation in this package):

    store = open_store(url=None)   # url or $NEWSBOT_DB: a path, sqlite:///path or postgresql://...
                                   # default: data/newsbot.db (SQLite, WAL)
    status = store.upsert(record)  # 'new' | 'updated' | 'unchanged'; keyed by canonical URL;
                                   # keeps first_seen / last_seen; stores record.raw compressed when set
    store.known(canonical_key)     # -> datetime | None: when that article was last stored (incremental crawls)
    store.close()

Extensions (same objects):

    with store.batch(): ...        # group writes in few transactions; each upsert is still its own savepoint,
    store.commit()                 #   so one failing record rolls back alone; commit() ends a group
                                   #   (SQLite: new articles are written together at commit, fresh.py)
    store.upsert(record, seen=False, signature=sig)   # re-extraction: keep last_seen and the raw page;
                                   #   sig = newsbot.dedup.signature(body) when the caller has it already
    store.find_duplicate(record)   # -> newsbot.dedup.Match | None (exact content hash, else MinHash/LSH)
    store.add_invalid(record, reason)                 # kept aside in the `invalid` table, counted per URL
    store.iter_records(Filters(...))                  # streamed, in canonical-key order (deterministic)
    store.count(Filters(...)), store.get(key), store.row(key), store.raw_ids(...), store.raw_page(id)
    summarise(store) -> dict       # counts per site / lang / month, duplicates, invalid, extractor versions
    export_jsonl(store, path, Filters(...)) -> ExportResult           # .jsonl / .jsonl.gz / .jsonl.zst + card

Schema (schema.py): `articles` (one row per canonical key: the record's fields, published_utc,
fingerprint, first_seen, last_seen, updated_at), `raw_pages` (one gzipped WARC response record per
article), `url_aliases`, `invalid`, `minhashes` + `lsh_bands` (near-duplicate state that survives
across runs; owned by neardup.py's NearDupIndex, with the SQLite in-memory band index of bandindex.py),
`meta`, and `schema_version` (ordered migration steps, both backends).

Parses no HTML.
"""

from newsbot.store.backends import resolve_url
from newsbot.store.core import Filters, Store, open_store, record_key
from newsbot.store.export import ExportResult, export_jsonl
from newsbot.store.summary import summarise

__all__ = [
    "ExportResult",
    "Filters",
    "Store",
    "export_jsonl",
    "open_store",
    "record_key",
    "resolve_url",
    "summarise",
]
