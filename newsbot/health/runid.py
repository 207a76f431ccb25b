"""The id a run files its health counts and report under."""

from __future__ import annotations

import os
from datetime import UTC, datetime


def new_run_id(now: datetime | None = None) -> str:
    """UTC start time and process id: unique per run on one machine, sortable by time."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{os.getpid()}"
