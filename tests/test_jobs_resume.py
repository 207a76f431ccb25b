"""newsbot.jobs.resume: a --jobdir's saved queue checked before a resume, on real queuelib queue files."""

from __future__ import annotations

import json
from pathlib import Path

from queuelib import LifoDiskQueue

from newsbot.jobs import resume


def _saved_state(jobdir: Path, n: int = 3) -> Path:
    """What Scrapy leaves after a clean pause: active.json and a closed LIFO queue per priority."""
    queue = jobdir / "requests.queue" / "127.0.0.1-slot"
    queue.mkdir(parents=True)
    q = LifoDiskQueue(queue / "0")
    for i in range(n):
        q.push(f"request {i}".encode() * 10)
    q.close()
    (jobdir / "requests.queue" / "active.json").write_text(json.dumps({"127.0.0.1-slot": [0]}), encoding="utf-8")
    (jobdir / "seen.sqlite").write_bytes(b"x")
    return queue / "0"


def test_a_cleanly_saved_queue_is_resumed_as_it_is(tmp_path):
    _saved_state(tmp_path)
    assert resume.damage(tmp_path) is None
    assert resume.damage(tmp_path / "never-crawled") is None


def test_a_run_that_did_not_close_leaves_its_mark(tmp_path):
    _saved_state(tmp_path)
    resume.running(tmp_path)
    assert "stopped without saving" in resume.damage(tmp_path)
    resume.closed(tmp_path)
    assert resume.damage(tmp_path) is None


def test_torn_queue_files_are_damage(tmp_path):
    path = _saved_state(tmp_path)
    data = path.read_bytes()
    path.write_bytes(b"")
    assert "0-byte" in resume.damage(tmp_path)
    path.write_bytes(data[:-7])  # the last record's length cut off
    assert resume.damage(tmp_path)
    path.write_bytes(data + b"junk")
    assert resume.damage(tmp_path)


def test_queue_files_without_active_json_or_with_a_broken_one_are_damage(tmp_path):
    _saved_state(tmp_path)
    active = tmp_path / "requests.queue" / "active.json"
    active.write_text("{not json", encoding="utf-8")
    assert "active.json" in resume.damage(tmp_path)
    active.unlink()
    assert "without active.json" in resume.damage(tmp_path)


def test_rebuild_removes_the_queue_and_the_seen_set(tmp_path):
    _saved_state(tmp_path)
    resume.running(tmp_path)
    (tmp_path / "spider.state").write_bytes(b"x")
    resume.rebuild(tmp_path)
    assert not (tmp_path / "requests.queue").exists() and not (tmp_path / "seen.sqlite").exists()
    assert not (tmp_path / "spider.state").exists() and resume.damage(tmp_path) is None
