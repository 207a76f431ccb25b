"""`newsbot scrape URL...`: fetch + extract any URL politely, print JSONL, no store."""

from __future__ import annotations

import json

from tests.support.crawl import FAST, article_html, html_route, newsbot, text_route
from tests.support.httpserver import LocalServer


def test_scrape_prints_one_record_per_url_in_order(tmp_path):
    with LocalServer() as srv:
        srv.add("/news/2026/03/01/first-scraped-story", html_route(article_html("القصة الأولى")))
        srv.add("/news/2026/03/02/second-scraped-story", html_route(article_html("القصة الثانية")))
        urls = [srv.url("/news/2026/03/02/second-scraped-story"), srv.url("/news/2026/03/01/first-scraped-story")]
        run = newsbot(tmp_path, "scrape", *urls, "--allow-private", *FAST)
        assert run.returncode == 0, run.stderr[-3000:]
        rows = [json.loads(line) for line in run.stdout.splitlines()]
        assert [r["url"] for r in rows] == urls
        assert [r["title"] for r in rows] == ["القصة الثانية", "القصة الأولى"]
        assert all(r["kind"] == "article" and r["word_count"] > 100 for r in rows)
        assert "القصة" in run.stdout  # UTF-8, not \\u-escaped
        assert not (tmp_path / "store.db").exists()  # nothing stored


def test_scrape_reports_errors_and_obeys_robots(tmp_path):
    with LocalServer() as srv:
        srv.add("/robots.txt", text_route("User-agent: *\nDisallow: /private/\n"))
        srv.add("/news/2026/03/01/ok-story-for-scrape", html_route(article_html("خبر")))
        srv.add("/private/2026/03/01/not-for-bots-story", html_route(article_html("ممنوع")))
        urls = [srv.url("/missing-page"), srv.url("/private/2026/03/01/not-for-bots-story"),
                srv.url("/news/2026/03/01/ok-story-for-scrape")]  # fmt: skip
        run = newsbot(tmp_path, "scrape", *urls, "--allow-private", *FAST)
        assert run.returncode == 1
        rows = [json.loads(line) for line in run.stdout.splitlines()]
        assert rows[0]["error"] == "http-error" and "404" in rows[0]["message"]
        assert "error" in rows[1] and srv.hits("/private/2026/03/01/not-for-bots-story") == 0
        assert rows[2]["title"] == "خبر"
        assert "missing-page" in run.stderr


def test_scrape_refuses_private_addresses_by_default(tmp_path):
    with LocalServer() as srv:
        srv.add("/news/2026/03/01/ok-story-for-scrape", html_route(article_html("خبر")))
        run = newsbot(tmp_path, "scrape", srv.url("/news/2026/03/01/ok-story-for-scrape"), *FAST)
        assert run.returncode == 1
        assert srv.requests == []
        assert json.loads(run.stdout)["error"]
