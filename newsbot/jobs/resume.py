"""A site's `--jobdir` state (Scrapy JOBDIR): checked before a resume, rebuilt when damaged, never trusted blindly.

Scrapy writes a disk queue's headers and `requests.queue/active.json` only when the spider closes: after
kill -9, a second Ctrl-C, an OOM kill or a power cut the queue files are empty or torn, and reading them
fails with struct.error on every pop (the crawl then "finishes" with almost nothing fetched). So:

* `running(dir)` marks the state as in use while a crawl runs; the runner removes the mark once the
  spider closed (Scrapy has saved the queue by then). A mark found at start means the last run did not
  close: its queue cannot be trusted.
* `damage(dir)` checks the mark, active.json and each queue file's structure (LIFO files: a 4-byte count,
  records each followed by its 4-byte length; FIFO directories: info.json).
* `rebuild(dir)` removes the queue, the spider state and the seen set: the crawl starts again from
  discovery (homepage, sitemaps, feeds) and the store skips the articles already stored, so nothing is
  lost and nothing is stored twice.
"""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

MARK = "newsbot.running"
QUEUE = "requests.queue"
_SIZE = struct.Struct(">L")
# what a rebuild removes: Scrapy's queue and spider state, our seen set (spiders/seen.py)
_STATE = (QUEUE, "requests.seen", "spider.state", "seen.sqlite", "seen.sqlite.open", MARK)


def running(jobdir: Path) -> Path:
    jobdir.mkdir(parents=True, exist_ok=True)
    mark = jobdir / MARK
    mark.touch()
    return mark


def closed(jobdir: Path) -> None:
    (jobdir / MARK).unlink(missing_ok=True)


def damage(jobdir: Path) -> str | None:
    """Why this job state cannot be resumed as it is; None when it can (or there is none)."""
    if not jobdir.is_dir():
        return None
    if (jobdir / MARK).exists():
        return "the last run was stopped without saving its queue (killed, or Ctrl-C pressed twice)"
    queue = jobdir / QUEUE
    if not queue.is_dir():
        return None
    active = queue / "active.json"
    files = [p for p in queue.rglob("*") if p.is_file() and p.name != "active.json"]
    if not active.exists():
        return "queue files without active.json" if files else None
    try:
        json.loads(active.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"active.json unreadable ({exc})"
    for path in files:
        if path.name == "info.json":
            problem = _fifo_problem(path)
        elif path.parent.joinpath("info.json").exists():
            continue  # a FIFO queue's chunk, described by its info.json
        else:
            problem = _lifo_problem(path)
        if problem:
            return f"{path.relative_to(jobdir)}: {problem}"
    return None


def _lifo_problem(path: Path) -> str | None:
    """queuelib's LifoDiskQueue: a record count, then records each followed by its length."""
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if len(data) < _SIZE.size:
        return f"{len(data)}-byte queue file (torn)"
    (count,) = _SIZE.unpack_from(data, 0)
    end = len(data)
    for _ in range(count):
        if end - _SIZE.size < _SIZE.size:
            return "fewer records than its header says"
        (size,) = _SIZE.unpack_from(data, end - _SIZE.size)
        end -= _SIZE.size + size
        if end < _SIZE.size:
            return "a record runs past the start of the file"
    if end != _SIZE.size:
        return "bytes beyond the records its header counts"
    return None


def _fifo_problem(info: Path) -> str | None:
    try:
        meta = json.loads(info.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"unreadable ({exc})"
    if not isinstance(meta, dict) or "size" not in meta:
        return "no size in info.json"
    return None


def rebuild(jobdir: Path) -> None:
    for name in _STATE:
        path = jobdir / name
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
