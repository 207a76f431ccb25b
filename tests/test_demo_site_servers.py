"""The two local servers: newsbot.demo_server (static sites) and tests.support.httpserver (routes + faults)."""

from __future__ import annotations

import gzip
import http.client
import socket
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from newsbot.demo_server import serve
from tests.support.httpserver import LocalServer, Recorded, Route


def get(url: str, timeout: float = 10, headers: dict[str, str] | None = None):
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "news" / "a").mkdir(parents=True)
    (tmp_path / "news" / "a" / "index.html").write_text('<a href="{{BASE}}/x">x</a>', encoding="utf-8")
    (tmp_path / "page.html").write_text("<p>{{BASE}}/page.html</p>", encoding="utf-8")
    (tmp_path / "old.html").write_bytes("<p>خبر قديم</p>".encode("cp1256"))
    (tmp_path / "خبر.html").write_text("<p>عربي</p>", encoding="utf-8")
    (tmp_path / "leaf-article").write_text("<h1>{{BASE}}</h1>", encoding="utf-8")
    (tmp_path / "img.png").write_bytes(b"\x89PNG{{BASE}}")
    (tmp_path / "sm.xml.gz").write_bytes(gzip.compress(b"<urlset><url><loc>{{BASE}}/page.html</loc></url></urlset>"))
    (tmp_path / "_build").mkdir()
    (tmp_path / "_build" / "secret.py").write_text("x = 1")
    (tmp_path / "manifest.toml").write_text('[headers."/old.html"]\n"Content-Type" = "text/html; charset=windows-1256"\n')
    return tmp_path


# ---------------------------------------------------------------- demo_server

def test_demo_server_static_rules(site):
    with serve(site) as srv:
        assert srv.base_url.startswith("http://127.0.0.1:") and srv.port > 0
        status, headers, body = get(srv.url("/news/a/"))
        assert status == 200 and body == f'<a href="{srv.base_url}/x">x</a>'.encode()
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert get(srv.url("/news/a"))[2] == body  # directory without the slash
        assert get(srv.url("/page.html?utm_source=x&page=2"))[2] == f"<p>{srv.base_url}/page.html</p>".encode()
        status, headers, body = get(srv.url("/old.html"))
        assert headers["Content-Type"] == "text/html; charset=windows-1256" and body.decode("cp1256") == "<p>خبر قديم</p>"
        assert get(srv.url("/%D8%AE%D8%A8%D8%B1.html"))[2] == "<p>عربي</p>".encode()
        status, headers, body = get(srv.url("/leaf-article/"))  # extensionless file = a page
        assert status == 200 and headers["Content-Type"].startswith("text/html") and srv.base_url.encode() in body
        assert get(srv.url("/img.png"))[2] == b"\x89PNG{{BASE}}"  # binary: untouched
        status, headers, body = get(srv.url("/sm.xml.gz"))
        assert headers["Content-Type"] == "application/gzip" and "Content-Encoding" not in headers
        assert gzip.decompress(body) == f"<urlset><url><loc>{srv.base_url}/page.html</loc></url></urlset>".encode()
        for missing in ("/nope.html", "/_build/secret.py", "/manifest.toml", "/news/../../etc/passwd", "/%2e%2e/x"):
            assert get(srv.url(missing))[0] == 404, missing
        assert srv.hits("/news/a/") == 1 and "/nope.html" in srv.requests


def test_demo_server_keep_alive_and_head(site):
    with serve(site) as srv:
        conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=5)
        for _ in range(3):  # one connection, several requests: HTTP/1.1 with Content-Length
            conn.request("GET", "/page.html")
            resp = conn.getresponse()
            assert resp.status == 200 and resp.version == 11
            assert len(resp.read()) == int(resp.headers["Content-Length"])
        conn.request("HEAD", "/page.html")
        resp = conn.getresponse()
        assert resp.status == 200 and int(resp.headers["Content-Length"]) > 0 and resp.read() == b""
        conn.close()


def test_demo_server_concurrent_requests_and_stop(site):
    srv = serve(site)
    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(get(srv.url("/page.html"))[0])) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 16
    srv.stop()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", srv.port), timeout=1).close()


# ---------------------------------------------------------------- httpserver

def test_routes_tuples_and_recorded_requests():
    with LocalServer({"/a": Route.html("<p>مرحبا</p>"), "/t": (201, {"X-Test": "1"}, b"made"),
                      "/q?x=1": Route(body=b"exact query")}) as srv:
        status, headers, body = get(srv.url("/a"), headers={"User-Agent": "newsbot-test"})
        assert (status, body.decode()) == (200, "<p>مرحبا</p>")
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        status, headers, body = get(srv.url("/t"))
        assert (status, headers["X-Test"], body) == (201, "1", b"made")
        get(srv.url("/t"))
        assert get(srv.url("/q?x=1"))[2] == b"exact query"
        assert get(srv.url("/q?x=2"))[0] == 404
        assert get(srv.url("/missing"))[0] == 404
        first = srv.requests[0]
        assert isinstance(first, Recorded) and first.method == "GET" and first.path == "/a"
        assert first.header("user-agent") == "newsbot-test"
        assert srv.hits("/t") == 2 and srv.hits("/q") == 2 and srv.hits("/q?x=1") == 1
        assert srv.paths()[:3] == ["/a", "/t", "/t"]


def test_sequence_retry_after_and_redirect():
    with LocalServer() as srv:
        srv.add("/busy", Route.throttled(Route(body=b"finally"), times=2, status=503, retry_after=7))
        srv.add("/old", Route.redirect("/new", status=301))
        srv.add("/new", Route(body=b"moved here"))
        answers = [get(srv.url("/busy")) for _ in range(4)]
        assert [a[0] for a in answers] == [503, 503, 200, 200]  # the last route repeats
        assert answers[0][1]["Retry-After"] == "7" and answers[3][2] == b"finally"
        status, _, body = get(srv.url("/old"))  # urllib follows the redirect
        assert (status, body) == (200, b"moved here")
        assert srv.paths()[-2:] == ["/old", "/new"]


def test_callable_handler_falls_through_to_routes():
    def handler(req: Recorded) -> Route | None:
        if req.path.startswith("/dyn/"):
            return Route(body=req.path.encode())
        return None

    with LocalServer({"/static": Route(body=b"s")}, handler=handler) as srv:
        assert get(srv.url("/dyn/42?x=1"))[2] == b"/dyn/42?x=1"
        assert get(srv.url("/static"))[2] == b"s"


def test_connection_reset_mid_body():
    with LocalServer({"/r": Route(body=b"x" * 50_000, reset_after=1000)}) as srv:
        with pytest.raises((ConnectionResetError, http.client.IncompleteRead, urllib.error.URLError)):
            urllib.request.urlopen(srv.url("/r"), timeout=5).read()
        assert srv.hits("/r") == 1


def test_slow_drip_delivers_the_whole_body():
    body = "خبر عاجل ".encode() * 500
    with LocalServer({"/drip": Route(body=body, drip=0.001, chunk_size=512)}) as srv:
        assert get(srv.url("/drip"))[2] == body


def test_delay_makes_an_impatient_client_time_out():
    with LocalServer({"/slow": Route(body=b"late", delay=3)}) as srv:
        with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
            urllib.request.urlopen(srv.url("/slow"), timeout=0.3).read()


def test_static_root_fallback_with_faults_on_some_paths(site):
    with LocalServer({"/page.html": Route(status=500)}, root=site) as srv:
        assert get(srv.url("/page.html"))[0] == 500  # a route wins over the file
        status, headers, body = get(srv.url("/news/a/"))
        assert status == 200 and body == f'<a href="{srv.base_url}/x">x</a>'.encode()
        assert get(srv.url("/old.html"))[1]["Content-Type"] == "text/html; charset=windows-1256"
        assert get(srv.url("/_build/secret.py"))[0] == 404
