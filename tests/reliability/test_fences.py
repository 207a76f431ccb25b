"""Fences: a crawl stays on its allowed domains (links, sitemaps, feeds, redirects), never follows non-http(s)
schemes, refuses loopback/private addresses unless told otherwise, exports text without control characters,
and never renders or executes the HTML it stores."""

from __future__ import annotations

import gzip
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.conftest import start_crawl
from tests.support.crawl import article_html, env_for, read_jsonl
from tests.support.httpserver import LocalServer, Route

A = "/politics/2026/03/01"
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
ACTIVE = ["/evil.js", "/pixel.gif", "/frame.html", "/style.css", "/beacon", "/object.swf", "/clip.mp4", "/font.woff2",
          "/inline-img.png"]


def _hostile_article(title: str) -> str:
    """An article whose text is laced with control characters and whose markup is full of active content."""
    dirty = "قال مسؤولون\x00 في\x07 الحكومة\x1b[31m اليوم\x7f إن\x85 المحادثات\x0c ستستأنف\x08 الأسبوع المقبل. "
    body = "".join(f"<p>{dirty * 3} فقرة {i}</p>" for i in range(6))
    return (
        f'<!doctype html><html lang="ar"><head><meta charset="utf-8"><title>{title}\x00\x1f</title>'
        '<script src="/evil.js"></script><link rel="stylesheet" href="/style.css">'
        '<style>@font-face{src:url(/font.woff2)}</style>'
        '<meta property="article:published_time" content="2026-03-01T10:00:00+03:00"></head><body>'
        f'<article><h1>{title}\x0b</h1><script>fetch("/beacon");document.write("<p>حقن نص</p>")</script>'
        f'{body}<img src="/pixel.gif" onerror="fetch(\'/beacon\')"><iframe src="/frame.html"></iframe>'
        '<object data="/object.swf"></object><video src="/clip.mp4"></video>'
        '<img src="data:image/png;base64,iVBORw0KGgo=" srcset="/inline-img.png 2x"></article></body></html>'
    )


@pytest.fixture
def outsider():
    with LocalServer({"/": Route.html("<p>outside</p>")}, host="localhost") as srv:
        yield srv


def test_crawl_stays_inside_its_fences(tmp_path: Path, outsider, case):
    secret = tmp_path / "secret.html"
    secret.write_text(article_html("سر محلي لا يجوز قراءته"), encoding="utf-8")
    data_url = "data:text/html;charset=utf-8," + article_html("صفحة من رابط بيانات").replace("#", "%23")
    off = [outsider.url(f"/off-{k}.html") for k in range(3)]
    bad = [f"file://{secret}", "ftp://127.0.0.1/a.html", "javascript:alert(1)", data_url]
    urlset = ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + "".join(
        f"<url><loc>{u}</loc></url>" for u in [f"{{{{BASE}}}}{A}/s-1.html", *off, *bad]) + "</urlset>")
    rss = ('<rss version="2.0"><channel><title>t</title>' + "".join(
        f"<item><title>x</title><link>{u}</link></item>" for u in [f"{{{{BASE}}}}{A}/f-1.html", *off, *bad])
        + "</channel></rss>")
    links = "".join(f'<a href="{u}">x</a>' for u in [f"{A}/h-1.html", f"{A}/redirect-off.html", *off, *bad])
    home = ('<html lang="ar"><head><meta charset="utf-8"><title>الرئيسية</title>'
            '<link rel="alternate" type="application/rss+xml" href="/feed.xml"></head>'
            f"<body>{links}</body></html>")
    routes = {
        "/": Route.html(home),
        "/robots.txt": Route(body=b"User-agent: *\nAllow: /\nSitemap: /sitemap.xml\n"),
        "/sitemap.xml": Route(headers={"Content-Type": "application/xml"}, body=b""),
        "/feed.xml": Route(headers={"Content-Type": "application/rss+xml"}, body=b""),
        f"{A}/redirect-off.html": Route.redirect(outsider.url("/redirected.html"), 302),
        **{f"{A}/{n}-1.html": Route.html(_hostile_article(f"خبر {n}")) for n in ("s", "f", "h")},
    }
    case("crawl (opted in with NEWSBOT_ALLOW_PRIVATE=1) of a site whose links, sitemap and feed point off-site, "
         "redirect off-site, and list file:, ftp:, javascript:, data: URLs; its articles are laced with control "
         "characters, scripts, images, iframes, stylesheets; then `newsbot export`")
    env = env_for(tmp_path, NEWSBOT_ALLOW_PRIVATE="1")
    with LocalServer(routes) as srv:
        base = srv.base_url
        srv.routes["/sitemap.xml"].body = urlset.replace("{{BASE}}", base).encode()
        srv.routes["/feed.xml"].body = rss.replace("{{BASE}}", base).encode()
        proc = start_crawl(tmp_path, srv.url("/"), "-v", "-o", str(tmp_path / "out.jsonl"), env=env)
        proc.wait(timeout=180)
        asked = set(srv.paths())
    log = (tmp_path / "crawl.log").read_text("utf-8", "replace")
    assert proc.returncode == 0, log[-3000:]
    assert outsider.requests == [], [r.path for r in outsider.requests]
    assert not set(ACTIVE) & asked, f"fetched page resources: {set(ACTIVE) & asked}"
    records = read_jsonl(tmp_path / "out.jsonl")
    got = sorted(r["url"].rsplit("/", 1)[-1] for r in records)
    case.count_lost(["f-1.html", "h-1.html", "s-1.html"], got, what="on-site articles")
    assert got == ["f-1.html", "h-1.html", "s-1.html"]
    assert not any(r["url"].startswith(("file:", "data:", "ftp:", "javascript:")) for r in records)
    assert not any("سر محلي" in (r.get("title") or "") + r["body"] for r in records)

    export = tmp_path / "export.jsonl"
    done = subprocess.run([sys.executable, "-m", "newsbot", "export", "-o", str(export), "--no-card",
                           "--include-duplicates"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = export.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    for line in lines:
        row = json.loads(line)
        for name, value in row.items():
            for text in value if isinstance(value, list) else [value]:
                if isinstance(text, str):
                    assert not CONTROL.search(text), f"control character in exported {name}: {text[:80]!r}"
        assert "fetch(" not in row["body"] and "حقن نص" not in row["body"], "script code or its output in the text"
        assert "المحادثات ستستأنف" in row["body"]
    # the stored raw page is the bytes as served: kept, never rendered
    with sqlite3.connect(tmp_path / "store.db") as db:
        n_raw = db.execute("SELECT count(*) FROM raw_pages").fetchone()[0]
    assert n_raw == 3
    case.happened("3 on-site articles stored; off-site host, file:, ftp:, javascript:, data: URLs and the "
                  f"{len(ACTIVE)} page resources never requested; exported text has no control characters and no "
                  "script code")


def test_private_addresses_are_refused_unless_opted_in(tmp_path: Path, case):
    case("`newsbot crawl http://127.0.0.1:PORT/` with neither --allow-private nor NEWSBOT_ALLOW_PRIVATE")
    with LocalServer({"/": Route.html(article_html("خبر محلي")), "/robots.txt": Route(404)}) as srv:
        proc = start_crawl(tmp_path, srv.url("/"), "-v", env=env_for(tmp_path))
        proc.wait(timeout=120)
        asked = srv.paths()
    log = (tmp_path / "crawl.log").read_text("utf-8", "replace")
    assert asked == [], asked
    assert "private or loopback" in log and "--allow-private" in log
    assert proc.returncode != 0
    case.happened(f"no request reached the server; log says why and how to opt in; exit {proc.returncode}")


def test_gzip_bomb_and_entity_bomb_sitemaps_in_a_real_crawl(tmp_path: Path, case):
    case("crawl whose robots.txt lists a gzip-bomb sitemap (100 MB+), a billion-laughs sitemap and a good one")
    row = b"<url><loc>http://127.0.0.1/none</loc></url>"
    big = gzip.compress(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                        + (row + b" " * 4000) * 30_000 + b"</urlset>", 9)
    laughs = ('<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY a{i} "{("&a" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 9))
              + ']><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://x/&a8;</loc></url>'
              "</urlset>").encode()
    routes = {
        "/robots.txt": Route(body=b"User-agent: *\nAllow: /\nSitemap: /bomb.xml.gz\nSitemap: /laughs.xml\n"
                                  b"Sitemap: /good.xml\n"),
        "/bomb.xml.gz": Route(body=big, headers={"Content-Type": "application/x-gzip"}),
        "/laughs.xml": Route(body=laughs, headers={"Content-Type": "application/xml"}),
        "/": Route.html("<html><body>home</body></html>"),
        f"{A}/ok.html": Route.html(article_html("خبر سليم")),
    }
    with LocalServer(routes) as srv:
        srv.add("/good.xml", Route(body=(
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<url><loc>{srv.url(A + '/ok.html')}</loc></url></urlset>").encode(),
            headers={"Content-Type": "application/xml"}))
        proc = start_crawl(tmp_path, srv.url("/"), "--allow-private", "-v", "-o", str(tmp_path / "out.jsonl"))
        proc.wait(timeout=180)
    log = (tmp_path / "crawl.log").read_text("utf-8", "replace")
    assert proc.returncode == 0, log[-3000:]
    records = read_jsonl(tmp_path / "out.jsonl")
    got = [r["url"].rsplit("/", 1)[-1] for r in records]
    case.count_lost(["ok.html"], got, what="articles of the good sitemap")
    assert got == ["ok.html"]
    assert "bomb.xml.gz" in log and "exceeds" in log, "the refused sitemap is not reported"
    case.figure("bomb_compressed_bytes", len(big))
    case.happened("gzip bomb refused with 'bad sitemap ... exceeds' in the log, entity never expanded, the good "
                  "sitemap's article stored")


def test_redirect_after_a_retry_does_not_leave_the_site(tmp_path: Path, outsider, case):
    case("an article URL that answers 503 once, then 301 to another host (the retry carries dont_filter=True)")
    routes = {
        "/": Route.html(f'<html lang="ar"><body><a href="{A}/moved.html">x</a><a href="{A}/ok.html">y</a></body></html>'),
        "/robots.txt": Route(404),
        f"{A}/moved.html": Route.sequence(Route(503, body=b"busy"), Route.redirect(outsider.url("/stolen.html"))),
        f"{A}/ok.html": Route.html(article_html("خبر سليم")),
    }
    with LocalServer(routes) as srv:
        proc = start_crawl(tmp_path, srv.url("/"), "--allow-private", "-v", "-o", str(tmp_path / "out.jsonl"))
        proc.wait(timeout=120)
    assert outsider.requests == [], "the retried request was redirected off the site"
    got = [r["url"].rsplit("/", 1)[-1] for r in read_jsonl(tmp_path / "out.jsonl")]
    case.count_lost(["ok.html"], got, what="on-site articles")
    assert got == ["ok.html"]
    case.happened("the off-site redirect refused; the on-site article stored")


REBINDING = ["-s", "TWISTED_DNS_RESOLVER=tests.support.rebinding.RebindingResolver"]


@pytest.mark.parametrize("name", ["news.rebind.test", "news.nat64.test", "news.compat.test"])
def test_dns_answers_pointing_at_loopback_are_refused(tmp_path: Path, name: str, case):
    how = {"rebind": "a public address to the first lookup, then 127.0.0.1 (DNS rebinding)",
           "nat64": "the NAT64 form of loopback, 64:ff9b::7f00:1",
           "compat": "the IPv4-compatible form of loopback, ::127.0.0.1"}[name.split(".")[1]]
    case(f"crawl of http://{name}:PORT/ (no --allow-private), the name answering {how}; the server is on "
         "127.0.0.1 (a misbehaving DNS server, installed as the crawler's TWISTED_DNS_RESOLVER)")
    with LocalServer({"/": Route.html(article_html("خبر من عنوان محلي")), "/robots.txt": Route(404)}) as srv:
        proc = start_crawl(tmp_path, f"http://{name}:{srv.port}/", "-v", *REBINDING, env=env_for(tmp_path))
        proc.wait(timeout=150)
        asked = srv.paths()
    log = (tmp_path / "crawl.log").read_text("utf-8", "replace")
    assert asked == [], f"the loopback server was asked for {asked}"
    assert "private or loopback" in log, log[-3000:]
    case.figure("loopback_requests", len(asked))
    case.happened(f"no request reached the loopback server ({len(asked)} asked); the log says the address is "
                  "private or loopback")
