"""`newsbot sites check` against a real local HTTP server serving tests/fixtures/discovery/site."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsbot.cli import main
from newsbot.cli.sites_cmd import check_site
from newsbot.settings import USER_AGENT
from spiders.registry import load_registry

SITE_DIR = Path(__file__).parent / "fixtures" / "discovery" / "site"


class _Handler(BaseHTTPRequestHandler):
    """Serves the fixture site; {{BASE}} in files becomes the server's own URL. Records what was asked."""

    server: _Server

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.server.requests.append((self.path, self.headers.get("User-Agent", "")))
        rel = self.path.split("?", 1)[0].lstrip("/")
        path = (SITE_DIR / rel).resolve()
        if path.is_dir():
            path = path / "index.html"
        if SITE_DIR.resolve() not in path.parents or not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes().replace(b"{{BASE}}", self.server.base.encode())
        ctype = {".xml": "application/xml", ".txt": "text/plain", ".html": "text/html"}[path.suffix]
        self.send_response(200)
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    requests: list[tuple[str, str]]
    base: str


@pytest.fixture()
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.requests = []
    srv.base = f"http://127.0.0.1:{srv.server_address[1]}"
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def registry_file(tmp_path, server) -> Path:
    base = server.base
    path = tmp_path / "sites.toml"
    path.write_text(
        f"""
[[site]]
slug = "example"
name = "أخبار المثال"
homepage = "{base}/"
allowed_domains = ["127.0.0.1"]
country = "EG"
region = "egypt"
feeds = ["{base}/feed.xml"]
verified = false  # a test site

[[site]]
slug = "broken"
name = "موقع معطوب"
homepage = "{base}/missing/"
allowed_domains = ["127.0.0.1"]
region = "levant"
feeds = ["{base}/nofeed.xml"]
sitemaps = ["{base}/index.html"]
verified = false

[[site]]
slug = "offline"
name = "موقع متوقف"
homepage = "http://127.0.0.1:{_closed_port()}/"
allowed_domains = ["127.0.0.1"]
region = "gulf"
verified = false
""",
        encoding="utf-8",
    )
    return path


def test_check_a_good_site(server, registry_file):
    site = load_registry(registry_file)["example"]
    result = check_site(site, timeout=5)
    assert result.ok, result.problems
    assert result.homepage_status == 200
    assert result.robots_sitemaps == [f"{server.base}/sitemap_index.xml"]
    assert result.feeds == {f"{server.base}/feed.xml": 2}  # listed and auto-discovered: one URL, once
    assert result.sitemaps == {f"{server.base}/sitemap_index.xml": 1}  # an index with one child
    # the first feed entry is under /private/ (robots.txt disallows it): skipped, never fetched
    assert result.sample_url == f"{server.base}/news/2024/05/20/first-story-of-the-day/"
    assert result.sample_title == "الحكومة تعلن خطة جديدة لدعم المزارعين في المناطق الريفية"
    assert result.sample_words > 50
    paths = [p for p, _ in server.requests]
    assert paths[0] == "/robots.txt"
    assert not any(p.startswith("/private/") for p in paths)
    assert "/sitemap-news.xml" in paths  # the index's child was read for sample candidates
    assert {ua for _, ua in server.requests} == {USER_AGENT}


def test_check_reports_problems(server, registry_file):
    reg = load_registry(registry_file)
    broken = check_site(reg["broken"], timeout=5)
    assert not broken.ok
    text = "\n".join(broken.problems)
    assert "homepage: HTTP 404" in text
    assert f"feed {server.base}/nofeed.xml: HTTP 404" in text
    assert "not a sitemap" in text  # an HTML page listed as a sitemap
    offline = check_site(reg["offline"], timeout=5)
    assert not offline.ok and offline.homepage_status is None
    assert len(offline.problems) == 1 and offline.problems[0].startswith("site unreachable")


def test_cli_check_text_and_json(server, registry_file, capsys):
    assert main(["sites", "check", "--registry", str(registry_file), "example"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("example: OK")
    assert "الحكومة تعلن خطة جديدة" in out
    assert out.strip().endswith("1/1 sites OK")

    assert main(["sites", "check", "--registry", str(registry_file), "--json", "--jobs", "2"]) == 1
    rows = {r["slug"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(rows) == {"example", "broken", "offline"}
    assert rows["example"]["ok"] and not rows["broken"]["ok"] and not rows["offline"]["ok"]


def test_cli_check_unknown_slug(registry_file, capsys):
    assert main(["sites", "check", "--registry", str(registry_file), "nope"]) == 2
    assert "unknown slug" in capsys.readouterr().err


def test_registry_option_before_the_action(server, registry_file, capsys):
    assert main(["sites", "--registry", str(registry_file), "check", "example"]) == 0
    assert "example: OK" in capsys.readouterr().out
