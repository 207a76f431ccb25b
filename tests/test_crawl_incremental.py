"""One article is fetched once: URL variants, declared canonicals, the store across runs, --since."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import urlsplit

from tests.support.crawl import article_html, crawl, html_route, listing_html, text_route, urlset, xml_route
from tests.support.httpserver import LocalServer, Route

# Scrapy finishes the requests already handed to the downloader (up to CONCURRENT_REQUESTS) before a
# CLOSESPIDER_* limit closes the crawl: one at a time, the limit is (nearly) exact
ONE_AT_A_TIME = ("-s", "CONCURRENT_REQUESTS=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")


def _paths(records: list[dict]) -> list[str]:
    return sorted(urlsplit(r["url"]).path for r in records)


def test_second_run_fetches_no_stored_article_unless_lastmod_is_newer(tmp_path):
    arts = [f"/news/2026/02/0{i}/incremental-story-number-{i}" for i in range(1, 6)]
    with LocalServer() as srv:
        srv.add("/", html_route(listing_html("الرئيسية", arts[:2])))
        srv.add("/robots.txt", text_route(f"Sitemap: {srv.url('/sitemap.xml')}\n"))
        for i, p in enumerate(arts):
            srv.add(p, html_route(article_html(f"قصة رقم {i}")))
        lastmods = {srv.url(p): "2026-02-10T10:00:00+00:00" for p in arts}
        srv.add("/sitemap.xml", xml_route(urlset([srv.url(p) for p in arts], lastmods=lastmods)))

        first = crawl(tmp_path, srv.url("/"), name="first").check()
        assert _paths(first.records) == sorted(arts)
        assert first.summary["totals"]["new"] == 5
        assert all(srv.hits(p) == 1 for p in arts)

        # the sitemap now says one article changed after it was stored
        lastmods[srv.url(arts[4])] = "2099-01-01T00:00:00+00:00"
        srv.add("/sitemap.xml", xml_route(urlset([srv.url(p) for p in arts], lastmods=lastmods)))
        srv.requests.clear()
        second = crawl(tmp_path, srv.url("/"), name="second").check()
        fetched = {urlsplit(r.path).path for r in srv.requests}
        assert fetched & set(arts) == {arts[4]}
        assert srv.hits("/") == 1 and srv.hits("/sitemap.xml") == 1  # discovery pages are read again
        assert second.summary["totals"]["skipped_stored"] >= 4


def test_url_variants_and_declared_canonicals_are_fetched_once(tmp_path):
    art = "/news/2026/03/01/summit-ends-with-joint-statement"
    with LocalServer() as srv:
        canonical = srv.url(art)
        variants = [
            art + "?utm_source=twitter&utm_medium=social",
            art + "/amp",
            art + "?fbclid=abc123",
            art + "#comments",
        ]
        srv.add("/", html_route(listing_html("الرئيسية", [*variants, "/print/2026/03/01/summit-ends-print-version"])))
        srv.add(art, html_route(article_html("القمة تختتم ببيان مشترك", canonical=canonical)))
        srv.add(art + "/amp", html_route(article_html("القمة تختتم ببيان مشترك", canonical=canonical)))
        # a print version declaring the article as its canonical
        srv.add(
            "/print/2026/03/01/summit-ends-print-version",
            html_route(article_html("القمة تختتم ببيان مشترك", canonical=canonical)),
        )
        srv.add("/robots.txt", text_route(f"Sitemap: {srv.url('/sitemap.xml')}\n"))
        srv.add("/sitemap.xml", xml_route(urlset([canonical])))
        run = crawl(tmp_path, srv.url("/")).check()
        assert len(run.records) == 1
        variant_fetches = srv.hits(art) + srv.hits(art + "/amp")
        assert variant_fetches == 1, srv.paths()
        assert run.summary["totals"]["new"] == 1


def test_since_filters_sitemap_and_feed_entries_before_fetching(tmp_path):
    today = datetime.now(UTC)
    recent = today.strftime("/news/%Y/%m/%d/recent-story-from-this-week")
    old = "/news/2020/01/02/old-story-from-the-archive"
    old_feed = "/news/2020/02/03/old-feed-story-from-archive"
    with LocalServer() as srv:
        head = f'<link rel="alternate" type="application/rss+xml" href="{srv.url("/rss.xml")}">'
        srv.add("/", html_route(listing_html("الرئيسية", [], extra_head=head)))
        for p in (recent, old, old_feed):
            srv.add(p, html_route(article_html("خبر")))
        srv.add("/robots.txt", text_route(f"Sitemap: {srv.url('/news.xml')}\n"))
        srv.add("/news.xml", xml_route(urlset(
            [srv.url(recent), srv.url(old)],
            news={srv.url(recent): (today.isoformat(timespec="seconds"), "جديد"), srv.url(old): ("2020-01-02T10:00:00Z", "قديم")},
        )))  # fmt: skip
        srv.add("/rss.xml", xml_route(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title>x</title><link>{srv.url(old_feed)}</link><pubDate>Mon, 03 Feb 2020 10:00:00 GMT</pubDate></item>"
            "</channel></rss>"
        ))  # fmt: skip
        run = crawl(tmp_path, srv.url("/"), extra=("--since", "30d")).check()
        assert _paths(run.records) == [recent]
        assert srv.hits(old) == 0 and srv.hits(old_feed) == 0
        assert run.summary["totals"]["skipped_since"] == 2


def test_max_articles_stops_the_crawl(tmp_path):
    arts = [f"/news/2026/02/{i % 28 + 1}/capped-story-number-{i}" for i in range(30)]
    with LocalServer() as srv:
        srv.add("/", html_route(listing_html("الرئيسية", arts)))
        for i, p in enumerate(arts):
            # slow answers: the close after 3 items lands long before the 30 are fetched
            srv.add(p, Route.html(article_html(f"قصة {i}"), delay=0.3))
        run = crawl(tmp_path, srv.url("/"), extra=("--max-articles", "3", *ONE_AT_A_TIME))
        run.check()
        assert 3 <= len(run.records) < len(arts), (len(run.records), run.summary["totals"])
        assert run.summary["sites"][next(iter(run.summary["sites"]))]["finish_reason"] == "closespider_itemcount"


def test_jobdir_pause_and_resume(tmp_path):
    arts = [f"/news/2026/02/{i % 28 + 1}/resumable-story-number-{i}" for i in range(16)]
    with LocalServer() as srv:
        srv.add("/", html_route(listing_html("الرئيسية", arts)))
        for i, p in enumerate(arts):
            srv.add(p, Route.html(article_html(f"قصة {i}"), delay=0.1))
        jobdir = tmp_path / "jobs"
        paused = crawl(
            tmp_path, srv.url("/"), name="paused",
            extra=("--jobdir", str(jobdir), "--max-pages", "9", *ONE_AT_A_TIME),
        ).check()  # fmt: skip
        assert 0 < len(paused.records) < len(arts)
        assert any(jobdir.rglob("seen.sqlite"))  # the paused crawl kept its state
        resumed = crawl(tmp_path, srv.url("/"), name="resumed", extra=("--jobdir", str(jobdir))).check()
        # the resumed crawl picks up the queue where it stopped: nothing fetched twice, everything stored
        assert sorted(_paths(paused.records + resumed.records)) == sorted(arts)
        assert all(srv.hits(p) == 1 for p in arts)
        assert srv.hits("/") == 1
        assert not any(jobdir.rglob("seen.sqlite"))  # a finished crawl forgets its job state


def test_http_cache_serves_a_repeated_development_crawl(tmp_path):
    arts = [f"/news/2026/02/0{i}/cached-story-number-{i}" for i in range(1, 4)]
    with LocalServer() as srv:
        srv.add("/", html_route(listing_html("الرئيسية", arts)))
        for i, p in enumerate(arts):
            srv.add(p, html_route(article_html(f"قصة {i}")))
        first = crawl(tmp_path, srv.url("/"), name="first", extra=("--http-cache", "--full")).check()
        assert len(first.records) == 3
        srv.requests.clear()
        second = crawl(tmp_path, srv.url("/"), name="second", extra=("--http-cache", "--full")).check()
        assert len(second.records) == 3  # --full: stored articles are processed again...
        assert srv.requests == []  # ...from the cache, without asking the server
