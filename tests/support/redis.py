"""The `redis_server` fixture: a fresh redis-server (redisserver.py) for each test (cheap: a few milliseconds to
start), so tests never see each other's keys."""

from __future__ import annotations

import os

import pytest

from tests.support.redisserver import RedisServer, RedisUnavailable  # noqa: F401 - re-exported for the tests


@pytest.fixture
def redis_server():
    """A fresh redis-server for one test (skips, saying why, only when redis-server is not installed)."""
    try:
        server = RedisServer()
    except RedisUnavailable as exc:
        if os.environ.get("CI"):  # CI must not go green by skipping what it is there to check
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    yield server
    server.stop()
