"""Server faults from a real local server: one crawl meets every fault at once, stores every good article
and reports each failure; a 50 MB page is refused without being downloaded whole."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.reliability.faultserver import StreamingServer
from tests.support.crawl import article_html, crawl
from tests.support.httpserver import LocalServer, Route

N_GOOD = 8
A = "/politics/2026/03/01"


def _article(title: str) -> Route:
    return Route.html(article_html(title, paragraphs=6))


def test_every_fault_at_once_loses_no_good_article(tmp_path, case):
    # off-site redirects have their own tests in test_fences.py (one of them needs a retry to show)
    faults = {
        f"{A}/e500.html": Route(500, body=b"boom"),
        f"{A}/e502.html": Route(502, body=b"bad gateway"),
        f"{A}/e503.html": Route(503, body=b"unavailable"),
        f"{A}/timeout.html": Route.html(article_html("لن يصل أبدا"), delay=10),
        f"{A}/reset.html": Route.html(article_html("ينقطع في المنتصف"), reset_after=300),
        f"{A}/loop-a.html": Route.redirect(f"{A}/loop-b.html", 302),
        f"{A}/loop-b.html": Route.redirect(f"{A}/loop-a.html", 302),
        f"{A}/loop-self.html": Route.redirect(f"{A}/loop-self.html", 301),
        f"{A}/gone.html": Route(404, body=b"not found"),
    }
    recovering = {
        # fail, then succeed: stored in the end
        f"{A}/throttled.html": Route.throttled(_article("خبر بعد الانتظار"), times=2, retry_after=1),
        f"{A}/flaky.html": Route.sequence(Route(503, body=b"x"), Route(502, body=b"x"), _article("خبر بعد عطل")),
        # 16 KB dripped 1 KB at a time over ~1.6 s: slow but within the timeout
        f"{A}/drip.html": Route.html(article_html("خبر بطيء", paragraphs=30), drip=0.1, chunk_size=1024),
    }
    good = {f"{A}/good-{i}.html": _article(f"خبر جيد رقم {i}") for i in range(N_GOOD)}
    # loop-b is reachable only through loop-a's redirect: the chain a -> b -> a is the loop to report (were b
    # also linked, each redirect would lead to an already scheduled URL, which the dupefilter drops)
    linked = [p for p in faults if not p.endswith("loop-b.html")]
    links = "".join(f'<li><a href="{p}">خبر</a></li>' for p in [*linked, *recovering, *good])
    home = Route.html(f'<html lang="ar"><head><meta charset="utf-8"><title>الرئيسية</title></head>'
                      f"<body><ul>{links}</ul></body></html>")
    case("one crawl of a site whose pages answer 500, 502, 503, 404, 429+Retry-After, time out, reset mid-body, "
         "loop redirects, drip slowly, or fail then recover; plus 8 good articles")
    with LocalServer({"/": home, "/robots.txt": Route(404), **faults, **recovering, **good}) as srv:
        run = crawl(tmp_path, srv.url("/"), extra=("-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_TIMES=2", "-v"),
                    timeout=180)
    stored = sorted(r["url"].rsplit("/", 1)[-1] for r in run.records)
    expected = sorted(p.rsplit("/", 1)[-1] for p in [*good, *recovering])
    case.count_lost(expected, stored, what="good or recovering articles")
    assert stored == expected, run.stderr[-4000:]
    row = next(iter(run.summary["sites"].values()))
    log = run.stderr
    # each failure is reported: counted in the summary and named in the log
    assert row["errors"] >= 8, row
    for name in ("e500", "e502", "e503", "timeout", "reset", "loop-a", "loop-self", "gone"):
        assert f"{name}.html" in log, f"{name} failure not reported in the log"
    case.figure("summary_errors", row["errors"])
    case.happened(f"{len(stored)} articles stored (8 good + throttled + flaky + drip); {row['errors']} failures "
                  "counted in the summary and named in the log")
    with open(tmp_path / "out.summary.json", encoding="utf-8") as fh:
        json.load(fh)


@pytest.mark.parametrize("content_length", [True, False], ids=["with-content-length", "no-content-length"])
def test_50mb_page_is_refused_without_buffering_it(tmp_path: Path, content_length, case):
    size = 50 * 2**20
    label = "with Content-Length" if content_length else "without Content-Length (close-delimited)"
    case(f"a 50 MB article page {label} linked from the homepage, beside a normal article")
    home = ('<html lang="ar"><head><meta charset="utf-8"><title>الرئيسية</title></head><body>'
            f'<a href="{A}/huge.html">ضخم</a><a href="{A}/fine.html">عادي</a></body></html>').encode()
    routes = {"/": (200, {"Content-Type": "text/html; charset=utf-8"}, home),
              f"{A}/fine.html": (200, {"Content-Type": "text/html; charset=utf-8"}, article_html("خبر عادي").encode())}
    with StreamingServer({f"{A}/huge.html": (size, content_length)}, routes) as srv:
        try:
            # refused, this crawl takes seconds; downloaded and parsed, minutes (the bound stops it, not a speed test)
            run = crawl(tmp_path, srv.url("/"), extra=("-v",), timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("the crawl was still busy after 30 s: the 50 MB page was downloaded and parsed")
        srv.wait_done(f"{A}/huge.html")
        sent = srv.sent.get(f"{A}/huge.html", 0)
        whole = srv.finished.get(f"{A}/huge.html")
    got = [r["url"].rsplit("/", 1)[-1] for r in run.records]
    case.count_lost(["fine.html"], got, what="normal articles")
    assert got == ["fine.html"]
    case.figure("bytes_sent_before_refusal", sent)
    # what was sent = what the crawler read (its limit) + what the kernel socket buffers held when it hung up
    assert not whole and sent < size // 2, f"{sent} of {size} bytes were sent: the page was downloaded"
    assert "larger than download max size" in run.stderr
    case.happened(f"refused after {sent / 2**20:.1f} MB of 50 MB with 'larger than download max size' in the log; "
                  "the other article stored")


def test_deeply_nested_page_does_not_stall_the_crawl(tmp_path, case):
    case("crawl of a site with a 100,000-deep <div> page beside 4 normal articles")
    deep = "<html><body>" + "<div>" * 100_000 + "<p>نص</p>" + "</div>" * 100_000 + "</body></html>"
    good = {f"{A}/good-{i}.html": _article(f"خبر جيد رقم {i}") for i in range(4)}
    links = "".join(f'<a href="{p}">x</a>' for p in [f"{A}/deep.html", *good])
    routes = {"/": Route.html(f'<html lang="ar"><body>{links}</body></html>'), "/robots.txt": Route(404),
              f"{A}/deep.html": Route.html(deep), **good}
    with LocalServer(routes) as srv:
        try:
            # guarded, this crawl takes seconds; unguarded, several minutes of parsing (the bound is not a speed test)
            run = crawl(tmp_path, srv.url("/"), extra=("-v",), timeout=45)
        except subprocess.TimeoutExpired:
            pytest.fail("the crawl was still busy after 45 s: it is parsing the deep page")
    got = sorted(r["url"].rsplit("/", 1)[-1] for r in run.records)
    case.count_lost([p.rsplit("/", 1)[-1] for p in good], got, what="normal articles")
    assert got == sorted(p.rsplit("/", 1)[-1] for p in good)
    case.happened("the deep page skipped with a warning; the 4 articles stored")
