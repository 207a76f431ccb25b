"""`newsbot show`, `newsbot ls`, `newsbot inspect` and `newsbot browse` as a user runs them (subprocesses)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from newsbot.demo_server import DEMO_ROOT
from tests.support.browse import DEMO_SITE, SYNTH_SITE, browse_server, fill_store
from tests.support.crawl import newsbot


@pytest.fixture
def filled(tmp_path):
    return fill_store(str(tmp_path / "store.db"))


def test_show_prints_the_record(tmp_path, filled):
    rec = filled.demo[0]
    run = newsbot(tmp_path, "show", rec.url)
    assert run.returncode == 0, run.stderr
    data = json.loads(run.stdout)
    assert data["title"] == rec.title and data["body"] == rec.body and data["authors"] == rec.authors
    assert "\\u06" not in run.stdout  # UTF-8, never \u-escaped
    assert "first_seen" not in data and "first_seen" in json.loads(newsbot(tmp_path, "show", rec.url, "--all").stdout)
    missing = newsbot(tmp_path, "show", "https://nowhere.test/a")
    assert missing.returncode == 1 and missing.stderr.strip() == "newsbot show: no stored article for https://nowhere.test/a"


def test_ls_lists_and_filters(tmp_path, filled):
    run = newsbot(tmp_path, "ls", "--site", SYNTH_SITE, "--since", "2025-06-01", "--format", "jsonl", "-n", "0")
    assert run.returncode == 0, run.stderr
    rows = [json.loads(line) for line in run.stdout.splitlines()]
    expected = {r.url for r in filled.records if r.site == SYNTH_SITE and r.published >= "2025-06-01"}
    assert {r["url"] for r in rows} == expected and len(rows) == len(expected) > 0
    text = newsbot(tmp_path, "ls", "-n", "3").stdout.splitlines()
    assert len(text) == 3
    assert len(newsbot(tmp_path, "ls", "-n", "0").stdout.splitlines()) == len(filled.records)
    bad = newsbot(tmp_path, "ls", "--since", "yesterday-ish")
    assert bad.returncode == 2 and "not an ISO 8601 date" in bad.stderr and "Traceback" not in bad.stderr


def test_inspect_a_file_and_a_stored_page(tmp_path, filled):
    page = DEMO_ROOT / "economy/2025/10/30/port-expansion-container-terminal.html"
    run = newsbot(tmp_path, "inspect", str(page), "-o", "report.html")
    assert run.returncode == 0, run.stderr
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'class="block kept"' in html and 'class="block dropped"' in html and "kept" in run.stderr
    stored = newsbot(tmp_path, "inspect", "--stored", filled.demo[1].url)
    assert stored.returncode == 0, stored.stderr
    assert filled.demo[1].title in stored.stdout and stored.stdout.startswith("<!doctype html>")
    none = newsbot(tmp_path, "inspect", "--stored", "https://nowhere.test/")
    assert none.returncode == 1 and "no stored article" in none.stderr
    assert newsbot(tmp_path, "inspect").returncode == 2


def test_inspect_a_url_from_a_local_server(tmp_path):
    from newsbot.demo_server import serve

    with serve(port=0) as srv:
        url = srv.base_url.rstrip("/") + "/politics/2026/03/04/arab-foreign-ministers-cairo.html"
        run = newsbot(tmp_path, "inspect", url, "-o", "r.html")
    assert run.returncode == 0, run.stderr
    assert "وزراء الخارجية العرب" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_browse_serves_read_only_on_loopback(tmp_path, filled):
    with browse_server(tmp_path, filled.url) as (base, _):
        assert base.startswith("http://127.0.0.1:")
        html = urllib.request.urlopen(base + "?site=" + DEMO_SITE, timeout=10).read().decode()
        assert html.count('<tr class="article">') == sum(r.site == DEMO_SITE for r in filled.records)
        with pytest.raises(urllib.error.HTTPError) as info:
            urllib.request.urlopen(urllib.request.Request(base, data=b"x=1", method="POST"), timeout=10)
        assert info.value.code == 405


def test_browse_elsewhere_than_loopback_warns(tmp_path, filled):
    with browse_server(tmp_path, filled.url, "--bind", "0.0.0.0") as (base, lines):
        assert base.startswith("http://0.0.0.0:")
        assert lines[0].startswith("newsbot browse: WARNING: listening on 0.0.0.0: anyone who can reach this machine")


def test_browse_without_a_store_says_so(tmp_path):
    run = newsbot(tmp_path, "browse", "--db", str(tmp_path / "none.db"))
    assert run.returncode == 2 and run.stderr.startswith("newsbot browse: no store at")
    assert not (tmp_path / "none.db").exists()


def test_inspect_serve_serves_the_report_on_loopback(tmp_path):
    import re
    import subprocess
    import sys

    from tests.support.crawl import env_for

    page = DEMO_ROOT / "economy/2025/10/30/port-expansion-container-terminal.html"
    proc = subprocess.Popen([sys.executable, "-m", "newsbot", "inspect", str(page), "--serve"], cwd=tmp_path,
                            env=env_for(tmp_path), stderr=subprocess.PIPE, text=True, encoding="utf-8")
    try:
        line = proc.stderr.readline()
        url = re.search(r"report at (http://127\.0\.0\.1:\d+/)", line).group(1)
        resp = urllib.request.urlopen(url, timeout=10)
        assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
        assert 'class="block kept"' in resp.read().decode()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stderr.close()


def test_a_file_that_is_not_a_store_is_told_in_one_line(tmp_path):
    (tmp_path / "notes.db").write_text("not a database", encoding="utf-8")
    for command in ("ls", "show", "browse"):
        args = [command, "--db", str(tmp_path / "notes.db")] + (["https://x.test/a"] if command == "show" else [])
        run = newsbot(tmp_path, *args)
        assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
        assert run.stderr.startswith(f"newsbot {command}: cannot read the store") and len(run.stderr.splitlines()) == 1
