"""The store: validated records and their raw responses, in SQLite (default) or PostgreSQL.

Contract used by the pipelines, the crawler and the CLI (implementation in this package):

    store = open_store(url=None)   # url or $NEWSBOT_DB: a path, sqlite:///path or postgresql://...
                                   # default: data/newsbot.db (SQLite, WAL)
    status = store.upsert(record)  # 'new' | 'updated' | 'unchanged'; keyed by canonical URL;
                                   # keeps first_seen / last_seen; stores record.raw compressed when set
    store.known(canonical_key)     # -> datetime | None: when that article was last stored (incremental crawls)
    store.close()

Parses no HTML.
"""
