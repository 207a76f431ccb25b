"""`newsbot extract` failures told (issue 12, item 9): `--url` names one page only, a JavaScript shell page is
`no-body`, a saved page's canonical URL becomes its `url`, an unknown `--encoding` is refused before anything runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
RT_PAGE = FIXTURES / "body" / "rt_arabic_lavrov.html"
CANONICAL_PAGE = FIXTURES / "meta" / "jsonld_graph.html"
CANONICAL_URL = "https://www.example-news.com/world/2024/5/19/minister-paris"

# what a single-page app serves before its JavaScript runs: the metadata of an article, no text at all
JS_SHELL = """<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8">
<title>موقع الأخبار - خبر عاجل عن الاقتصاد</title>
<meta property="og:type" content="article"><meta property="og:title" content="خبر عاجل عن الاقتصاد">
<meta property="article:published_time" content="2026-01-02T10:00:00+03:00">
<link rel="canonical" href="https://news.example/ar/2026/01/02/economy-story">
<script src="/static/app.4f3a.js" defer></script></head>
<body><noscript>يرجى تفعيل جافاسكربت لعرض هذه الصفحة</noscript><div id="root"></div></body></html>"""


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsbot", "extract", *args], capture_output=True, timeout=120)


def rows(proc: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines()]


def test_url_with_several_inputs_is_refused_instead_of_rewriting_them_all(tmp_path):
    proc = run("--url", "https://www.aljazeera.net/news/2024/1/1/x", str(RT_PAGE), str(CANONICAL_PAGE))
    assert proc.returncode == 2 and proc.stdout == b""
    err = proc.stderr.decode().strip().splitlines()
    assert len(err) == 1 and "--url" in err[0]


def test_url_given_for_one_input_is_used(tmp_path):
    proc = run("--url", "https://www.aljazeera.net/news/2024/1/1/x", str(RT_PAGE))
    assert proc.returncode == 0
    assert rows(proc)[0]["url"] == "https://www.aljazeera.net/news/2024/1/1/x"


def test_javascript_shell_page_is_no_body(tmp_path):
    page = tmp_path / "shell.html"
    page.write_text(JS_SHELL, encoding="utf-8")
    proc = run(str(page))
    assert proc.returncode == 1
    assert rows(proc)[0]["error"] == "no-body"
    assert "no article body" in proc.stderr.decode()


def test_saved_page_gets_its_canonical_url(tmp_path):
    proc = run(str(CANONICAL_PAGE))
    assert proc.returncode == 0, proc.stderr.decode()
    row = rows(proc)[0]
    assert row["url"] == CANONICAL_URL and row["site"] == "example-news.com"


def test_unknown_encoding_is_refused_up_front(tmp_path):
    proc = run("--encoding", "windows-9999", str(RT_PAGE))
    assert proc.returncode == 2 and proc.stdout == b""
    err = proc.stderr.decode().strip().splitlines()
    assert len(err) == 1 and "--encoding" in err[0] and "windows-9999" in err[0]


def test_known_encoding_is_still_accepted(tmp_path):
    page = tmp_path / "cp1256.html"
    page.write_bytes(RT_PAGE.read_text(encoding="utf-8").replace('charset="utf-8"', "").encode("cp1256", "replace"))
    proc = run("--encoding", "windows-1256", str(page))
    assert proc.returncode == 0, proc.stderr.decode()
    assert "لافروف" in rows(proc)[0]["title"]
