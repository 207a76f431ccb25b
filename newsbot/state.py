"""Where a store keeps its job state (locks, run reports): next to the store.

    data/newsbot.db (SQLite)      -> data/newsbot.jobs/{locks,runs}/
    postgresql://host/db          -> $NEWSBOT_STATE_DIR, else $XDG_STATE_HOME (~/.local/state)/newsbot/<host>-<db>/

$NEWSBOT_STATE_DIR always wins, so that a scrapyd or container deployment can point it at a volume.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from newsbot.store.backends import resolve_url, store_location


@dataclass(frozen=True)
class StoreLocation:
    kind: str  # "sqlite" | "postgresql"
    target: str  # a file path (sqlite) or a libpq URL (postgresql)

    @property
    def is_postgres(self) -> bool:
        return self.kind == "postgresql"


def store_url(url: str | None = None) -> str:
    """The store URL in force: the one given, else $NEWSBOT_DB, else the default SQLite file."""
    return resolve_url(url)


def locate(url: str | None = None) -> StoreLocation:
    """Same rules as newsbot.store.open_store: a path, sqlite:///path, or postgresql://..."""
    url = store_url(url)
    try:
        return StoreLocation(*store_location(url))
    except ValueError:  # an unsupported scheme: check_store (newsbot.jobs.config) refuses it before anything runs
        return StoreLocation("sqlite", url)


def state_dir(url: str | None = None) -> Path:
    override = os.environ.get("NEWSBOT_STATE_DIR")
    if override:
        return Path(override)
    loc = locate(url)
    if not loc.is_postgres:
        db = Path(loc.target)
        return db.with_name(db.stem + ".jobs") if db.suffix else db.with_name(db.name + ".jobs")
    parts = urlsplit(loc.target)
    name = f"{parts.hostname or 'local'}-{parts.port or 5432}-{parts.path.strip('/') or 'newsbot'}"
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "newsbot" / re.sub(r"[^A-Za-z0-9._-]+", "_", name)
