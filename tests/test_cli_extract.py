"""`newsbot extract` as a user runs it: a real subprocess over real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures" / "body"
RT_PAGE = FIXTURES / "rt_arabic_lavrov.html"
RT_HEADLINE = "لافروف يتحدث عن التحضير للقاء محتمل بين بوتين وبايدن"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "newsbot", "extract", *args], input=stdin, capture_output=True, timeout=120
    )


def lines(proc: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]


def test_good_and_bad_inputs_in_one_batch(tmp_path: Path) -> None:
    binary = tmp_path / "image.html"
    binary.write_bytes(bytes(range(256)) * 40)
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"   \n")
    missing = tmp_path / "missing.html"
    proc = run(str(missing), str(RT_PAGE), str(binary), str(empty))
    rows = lines(proc)
    assert [r["input"] for r in rows] == [str(missing), str(RT_PAGE), str(binary), str(empty)]
    assert [r.get("error") for r in rows] == ["not-found", None, "binary", "empty"]
    assert rows[1]["title"] == RT_HEADLINE
    assert proc.returncode == 1  # some inputs failed
    err = proc.stderr.decode()
    assert str(missing) in err and str(binary) in err and str(empty) in err
    assert str(RT_PAGE) not in err


def test_output_is_utf8_never_escaped_and_exit_zero() -> None:
    proc = run(str(RT_PAGE))
    assert proc.returncode == 0
    out = proc.stdout.decode("utf-8")
    assert "\\u06" not in out and RT_HEADLINE in out
    (row,) = lines(proc)
    assert row["body"].count("\n\n") == 5  # six paragraphs
    assert row["lang"] == "ar" and row["word_count"] > 100


def test_stdin_url_and_forced_encoding() -> None:
    data = RT_PAGE.read_text(encoding="utf-8")
    proc = run("-", "--url", "https://arabic.rt.com/world/123456-lavrov/", stdin=data.encode("utf-8"))
    (row,) = lines(proc)
    assert row["input"] == "-" and row["url"] == "https://arabic.rt.com/world/123456-lavrov/"
    assert row["site"] == "arabic.rt.com"
    # the same page as windows-1256 bytes, with the encoding given on the command line
    proc = run("-", "--encoding", "windows-1256", stdin=data.replace("utf-8", "windows-1256").encode("cp1256"))
    (row2,) = lines(proc)
    assert row2["title"] == RT_HEADLINE and row2["body"] == row["body"]


def test_json_and_text_formats(tmp_path: Path) -> None:
    proc = run("--format", "json", str(RT_PAGE), str(tmp_path / "nope.html"))
    doc = json.loads(proc.stdout.decode("utf-8"))
    assert isinstance(doc, list) and len(doc) == 2 and doc[1]["error"] == "not-found"
    proc = run("--format", "text", str(RT_PAGE))
    text = proc.stdout.decode("utf-8")
    assert RT_HEADLINE in text and "Sputnik" not in text


def test_a_batch_shared_among_processes_gives_the_same_rows_in_input_order(tmp_path: Path) -> None:
    pages = sorted(FIXTURES.glob("*.html"))
    assert len(pages) >= 3, "the fixture pages are the inputs"
    bad = tmp_path / "image.html"
    bad.write_bytes(bytes(range(256)) * 40)
    inputs = [str(p) for p in pages * 6] + [str(bad)] + [str(p) for p in pages]  # 16+ inputs: "auto" shares them
    one, shared = run("--jobs", "1", *inputs), run(*inputs)

    def comparable(proc: subprocess.CompletedProcess) -> list[dict]:
        return [{k: v for k, v in r.items() if k != "extracted_at"} for r in lines(proc)]

    assert [r["input"] for r in lines(shared)] == inputs
    assert comparable(shared) == comparable(one)
    assert shared.returncode == one.returncode == 1  # the image is refused, the batch goes on
    assert shared.stderr.decode().count(str(bad)) == 1


def test_a_bad_jobs_setting_is_refused_in_one_line() -> None:
    proc = subprocess.run([sys.executable, "-m", "newsbot", "extract", str(RT_PAGE)], capture_output=True,
                          timeout=60, env={**os.environ, "NEWSBOT_EXTRACT_JOBS": "many"})
    assert proc.returncode == 2 and proc.stdout == b""
    err = proc.stderr.decode().strip().splitlines()
    assert len(err) == 1 and "NEWSBOT_EXTRACT_JOBS" in err[0]
