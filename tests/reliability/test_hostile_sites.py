"""Hostile sites (issue 13): what a site controls is bounded. Real local servers written to misbehave; each case
measures what the crawl stored against what it should have."""

from __future__ import annotations

import resource
import subprocess
from pathlib import Path

import pytest

from tests.reliability.faultserver import StreamingServer
from tests.support.crawl import article_html, crawl

A = "/politics/2026/03/01"
HTML = {"Content-Type": "text/html; charset=utf-8"}


def _peak_child_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def test_header_section_that_never_ends_is_cut_off(tmp_path: Path, case):
    case("crawl of a site whose robots.txt and one article answer a status line, then header lines that never "
         "end (up to 64 MB), beside 3 ordinary articles")
    good = [f"{A}/good-{i}.html" for i in range(3)]
    links = "".join(f'<a href="{p}">x</a>' for p in [f"{A}/flood.html", *good])
    routes = {"/": (200, HTML, f'<html lang="ar"><body>{links}</body></html>'.encode()),
              **{p: (200, HTML, article_html(f"خبر عادي {i}").encode()) for i, p in enumerate(good)}}
    with StreamingServer({}, routes, floods=("/robots.txt", f"{A}/flood.html")) as srv:
        try:
            run = crawl(tmp_path, srv.url("/"), extra=("-v", "-s", "RETRY_TIMES=1"), timeout=120)
        except subprocess.TimeoutExpired:
            pytest.fail("the crawl was still reading headers after 120 s")
        srv.wait_done(f"{A}/flood.html")
        sent = max(srv.sent.get("/robots.txt", 0), srv.sent.get(f"{A}/flood.html", 0))
    stored = [r["url"].rsplit("/", 1)[-1] for r in run.records]
    case.count_lost([p.rsplit("/", 1)[-1] for p in good], stored)
    case.figure("header_bytes_sent_max", sent)
    case.figure("peak_rss_mb", round(_peak_child_rss_mb()))
    assert sorted(stored) == sorted(p.rsplit("/", 1)[-1] for p in good), run.stderr[-3000:]
    # the crawler's bound (256 KB) plus what the socket buffers held when it hung up
    assert sent < 8 * 2**20, f"{sent} bytes of headers were read: the header section is not bounded"
    assert "header section exceeds" in run.stderr
    case.happened(f"both floods cut off after at most {sent / 2**20:.1f} MB sent, with 'header section exceeds' in "
                  "the log; the 3 articles stored")
