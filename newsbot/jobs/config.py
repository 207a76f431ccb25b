"""Configuration checked before anything runs or is created: store URL, Redis URL, `-s` values, env settings.

Every check raises ConfigError with one line that names the setting and says what is accepted; the
CLI prints it and exits 2 (exitcodes.USAGE). Reachability (a store or a Redis server that is down) is
not configuration: `ping_store` / `ping_redis` raise Unavailable, a failure of the run (exit 1).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsbot.state import locate
from newsbot.store.backends import describe, resolve_url, store_location

SQLITE_MAGIC = b"SQLite format 3\x00"
STORE_FORMS = "a file path, sqlite:///relative/path, sqlite:////absolute/path or postgresql://user@host/db"
REDIS_SCHEMES = ("redis", "rediss", "unix")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
CONNECT_TIMEOUT = 5  # seconds: a store or Redis server that does not answer by then is reported down


class ConfigError(ValueError):
    """A setting with a value that cannot work: the message names it and what is accepted."""


class Unavailable(RuntimeError):
    """A service the run needs (the store, Redis) did not answer."""


def store_setting(url: str | None) -> str:
    """Where the store URL in force comes from, for messages."""
    if url:
        return "--db"
    return "NEWSBOT_DB" if (os.environ.get("NEWSBOT_DB") or "").strip() else "the default store"


def check_store(url: str | None = None, *, must_exist: bool = False) -> str:
    """The store URL in force, checked; `must_exist` for read-only commands (they never create a store)."""
    resolved = resolve_url(url)
    name = store_setting(url)
    scheme = urlsplit(resolved).scheme.lower() if "://" in resolved else ""
    try:
        store_location(resolved)
    except ValueError:
        raise ConfigError(f"{name}: unsupported store URL {describe(resolved)!r}; accepted: {STORE_FORMS}") from None
    loc = locate(resolved)
    if loc.is_postgres:
        parts = urlsplit(loc.target)
        if not parts.hostname and "host=" not in (parts.query or ""):
            raise ConfigError(f"{name}: {describe(resolved)!r} names no host; accepted: {STORE_FORMS}")
        return resolved
    path = Path(loc.target)
    if not loc.target:
        raise ConfigError(f"{name}: {resolved!r} names no file; accepted: {STORE_FORMS}")
    if scheme == "sqlite" and not path.is_absolute() and not path.parent.exists() \
            and Path("/" + loc.target).parent.is_dir():
        # sqlite:///var/x.db is the relative path var/x.db (SQLAlchemy's rule), rarely what was meant
        raise ConfigError(f"{name}: {resolved} is the relative path {loc.target} (whose directory does not exist); "
                          f"for the absolute path /{loc.target} write sqlite:////{loc.target}")
    if path.is_dir():
        raise ConfigError(f"{name}: {path} is a directory, not a store; accepted: {STORE_FORMS}")
    if path.exists():
        try:
            with open(path, "rb") as fh:
                head = fh.read(len(SQLITE_MAGIC))
        except OSError as exc:
            raise ConfigError(f"{name}: cannot read {path}: {exc.strerror or exc}") from None
        if head and head != SQLITE_MAGIC:
            raise ConfigError(f"{name}: {path} is not a SQLite database (give a store file, or a new path)")
    elif must_exist:
        raise ConfigError(f"{name}: no store at {path} (nothing was crawled into it); "
                          "give an existing store with --db or NEWSBOT_DB")
    return resolved


def ping_store(url: str) -> None:
    """Connect to a PostgreSQL store once (a SQLite file is checked by check_store)."""
    loc = locate(url)
    if not loc.is_postgres:
        return
    import psycopg

    try:
        psycopg.connect(loc.target, connect_timeout=CONNECT_TIMEOUT).close()
    except psycopg.Error as exc:
        raise Unavailable(f"store unavailable: {describe(url)}: {_first_line(exc)}") from None


def check_redis(url: str, setting: str = "--redis-url") -> str:
    scheme = urlsplit(url).scheme.lower() if "://" in url else ""
    if scheme not in REDIS_SCHEMES:
        raise ConfigError(f"{setting}: {describe(url)!r} is not a Redis URL; accepted: redis://host:port/db, "
                          "rediss://... or unix:///path/to/socket")
    if scheme != "unix":
        try:
            urlsplit(url).port  # noqa: B018 - raises ValueError on a bad port
        except ValueError:
            raise ConfigError(f"{setting}: {describe(url)!r} has a bad port; accepted: redis://host:port/db") from None
    return url


def ping_redis(url: str) -> None:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT, socket_timeout=CONNECT_TIMEOUT)
        client.ping()
        client.close()
    except (redis.RedisError, OSError) as exc:
        raise Unavailable(f"Redis unavailable at {describe(url)}: {_first_line(exc)}") from None


def check_scrapy_settings(values: dict[str, Any]) -> None:
    """`-s NAME=VALUE` values for settings whose default is a number or a flag must parse as one."""
    from spiders.runner import project_settings

    defaults = project_settings()
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        if name == "LOG_LEVEL" and value.strip().upper() not in LOG_LEVELS:
            raise ConfigError(f"-s LOG_LEVEL: expected one of {', '.join(LOG_LEVELS)}, got {value!r}")
        default = defaults.get(name)
        if isinstance(default, bool):
            if value.strip().lower() not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
                raise ConfigError(f"-s {name}: expected true or false (1/0), got {value!r}")
        elif isinstance(default, (int, float)):
            kind = "a whole number" if isinstance(default, int) else "a number"
            try:
                number = int(value) if isinstance(default, int) else float(value)
            except ValueError:
                raise ConfigError(f"-s {name}: expected {kind}, got {value!r}") from None
            if number < 0:
                raise ConfigError(f"-s {name}: expected {kind} >= 0, got {value!r}")


def check_env() -> None:
    """The NEWSBOT_* / REDIS_URL environment settings a crawl reads."""
    procs = (os.environ.get("NEWSBOT_EXTRACT_PROCESSES") or "").strip()
    if procs and procs != "auto" and not (procs.isdigit()):
        raise ConfigError(f"NEWSBOT_EXTRACT_PROCESSES: expected 'auto' or a whole number >= 0, got {procs!r}")
    flag = (os.environ.get("NEWSBOT_ALLOW_PRIVATE") or "").strip().lower()
    if flag and flag not in ("0", "1", "true", "false", "yes", "no", "on", "off"):
        raise ConfigError(f"NEWSBOT_ALLOW_PRIVATE: expected 1/0, true/false, yes/no or on/off, got {flag!r}")
    redis_url = (os.environ.get("REDIS_URL") or "").strip()
    if redis_url:
        check_redis(redis_url, "REDIS_URL")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]
