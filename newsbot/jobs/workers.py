"""`newsbot crawl --workers N`: N local worker processes sharing each site's crawl through scrapy-redis.

Each worker is `python -m newsbot.jobs.worker SPEC RESULT`: the same run_crawl call with the shared
scheduler settings, its own JSONL part and job dir. This process waits for them and merges their
per-site rows: a site is done when any worker finished it (the others closed because the shared queue
ran dry), so a worker that died does not fail a site the others completed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from newsbot.jobs.report import COMPLETED_REASONS
from newsbot.state import locate

_NOT_SUMMED = {"duration", "finish_reason", "ok"}


def merge_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """One site's summary rows from several workers as one row."""
    merged: dict[str, Any] = {}
    for row in rows:
        for key, value in row.items():
            if key in _NOT_SUMMED:
                continue
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                merged[key] = merged.get(key, 0) + value
    merged["duration"] = max((r.get("duration") or 0.0 for r in rows), default=0.0)
    reasons = [r.get("finish_reason") for r in rows]
    merged["finish_reason"] = next((x for x in reasons if x in COMPLETED_REASONS), reasons[0] if reasons else None)
    merged["ok"] = any(r.get("ok") for r in rows)
    merged["workers"] = len(rows)
    merged["worker_pages"] = [r.get("pages", 0) for r in rows]  # how the work was shared
    return merged


def _describe(code: int) -> str:
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit {code}"


# workers sharing one SQLite file: it has one writer at a time, and a worker holding a batch transaction open for
# a second stalls the others; a commit per article keeps each lock short (WAL commits do not fsync). The base
# default (NEWSBOT_COMMIT_EVERY) is in newsbot/settings.py.
SQLITE_WORKER_COMMIT_EVERY = 1


def run_workers(targets: list[str], kwargs: dict[str, Any], n: int) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Run n workers over `targets`; (merged rows per site slug, notes about workers that failed)."""
    kwargs = dict(kwargs)
    kwargs.pop("on_item", None)  # not picklable, and each worker has its own items
    output = kwargs.pop("output", None)
    jobdir = kwargs.pop("jobdir", None)
    kwargs["progress"] = False
    settings = dict(kwargs.get("settings") or {})
    settings["NEWSBOT_HEALTH_JUDGE"] = False  # this process judges the run once all workers are done
    settings.setdefault("NEWSBOT_LOCAL_WORKERS", n)  # "auto" extraction processes share the cores among the workers
    if not locate(kwargs.get("store_url") or settings.get("NEWSBOT_DB") or None).is_postgres:
        settings.setdefault("NEWSBOT_COMMIT_EVERY", SQLITE_WORKER_COMMIT_EVERY)
    kwargs["settings"] = settings
    tmp = Path(tempfile.mkdtemp(prefix="newsbot-workers-"))
    procs = []
    try:
        for k in range(n):
            spec: dict[str, Any] = {"targets": targets, "kwargs": dict(kwargs)}
            if output:
                spec["kwargs"]["output"] = str(tmp / f"part{k}.jsonl")
            if jobdir:
                spec["kwargs"]["jobdir"] = str(Path(jobdir) / f"worker{k}")
            (tmp / f"spec{k}.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
            env = {**os.environ, "NEWSBOT_WORKER": str(k)}
            procs.append(subprocess.Popen(
                [sys.executable, "-m", "newsbot.jobs.worker", str(tmp / f"spec{k}.json"), str(tmp / f"result{k}.json")],
                env=env,
            ))
        try:
            codes = [p.wait() for p in procs]
        except KeyboardInterrupt:
            for p in procs:
                if p.poll() is None:
                    p.send_signal(signal.SIGINT)
            codes = [p.wait() for p in procs]
        per_site: dict[str, list[dict[str, Any]]] = {}
        notes = []
        for k, code in enumerate(codes):
            result = tmp / f"result{k}.json"
            if not result.exists():
                notes.append(f"worker {k} (pid {procs[k].pid}) left no result: {_describe(code)}")
                continue
            for slug, row in json.loads(result.read_text(encoding="utf-8")).get("sites", {}).items():
                per_site.setdefault(slug, []).append(row)
        if output:
            _concat([tmp / f"part{k}.jsonl" for k in range(n)], output)
        return {slug: merge_rows(rows) for slug, rows in per_site.items()}, notes
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


def _concat(parts: list[Path], output: str) -> None:
    out = sys.stdout.buffer if output == "-" else open(output, "wb")  # noqa: SIM115 - closed below
    try:
        for part in parts:
            if part.exists():
                with open(part, "rb") as fh:
                    shutil.copyfileobj(fh, out)
    finally:
        if out is not sys.stdout.buffer:
            out.close()
        else:
            out.flush()
