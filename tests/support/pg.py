"""pytest fixtures over pgcluster.py's throwaway PostgreSQL server: `pg_server` (its URL, or a skip saying why)
and `pg_url` (a schema of its own per test, in the search_path, so tests never see each other's tables)."""

from __future__ import annotations

import pytest

from tests.support.pgcluster import (  # noqa: F401 - re-exported for the tests
    PREFIX,
    ClusterUnavailable,
    TempCluster,
    drop_schema,
    fresh_schema,
    postgres_url,
    reap_orphans,
    stop_cluster,
    with_search_path,
)


@pytest.fixture(scope="session")
def pg_server() -> str:
    """The PostgreSQL server URL (skips, saying why, only when no server can be started)."""
    try:
        url = postgres_url()
    except ClusterUnavailable as exc:
        pytest.skip(f"no PostgreSQL server for the storage tests: {exc}")
    return url


@pytest.fixture
def pg_url(pg_server: str):
    """A store URL on the test server, with a schema of its own (dropped afterwards)."""
    url, schema = fresh_schema(pg_server)
    yield url
    drop_schema(pg_server, schema)
