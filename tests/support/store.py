"""Storage test helpers: a store on each backend (fixtures), and records.py's synthetic records and corpus pages."""

from __future__ import annotations

import pytest

from tests.support.pg import ClusterUnavailable, drop_schema, fresh_schema, postgres_url, stop_cluster
from tests.support.records import (  # noqa: F401 - re-exported for the tests
    arabic_text,
    corpus_pages,
    corpus_record,
    make_record,
    vocabulary,
)

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path) -> str:
    """A fresh, empty store URL on each backend (SQLite file in tmp_path; a private PostgreSQL schema)."""
    if request.param == "sqlite":
        yield str(tmp_path / "store.db")
        return
    try:
        server = postgres_url()
    except ClusterUnavailable as exc:
        pytest.skip(f"no PostgreSQL server for the storage tests: {exc}")
    # at the end of this (xdist worker's) session: workers may leave without running atexit handlers
    if not getattr(request.session, "_newsbot_pg_cleanup", False):
        request.session._newsbot_pg_cleanup = True
        request.session.addfinalizer(stop_cluster)
    url, schema = fresh_schema(server)
    yield url
    drop_schema(server, schema)


@pytest.fixture
def store(store_url):
    from newsbot.store import open_store

    s = open_store(store_url)
    yield s
    s.close()
