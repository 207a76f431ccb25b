"""Politeness and safety, observed from the server's side: robots.txt, Crawl-delay, Retry-After,
the User-Agent, and refusing private addresses unless allowed."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.support.crawl import (
    article_html,
    crawl,
    env_for,
    html_route,
    listing_html,
    newsbot,
    text_route,
    urlset,
    xml_route,
)
from tests.support.httpserver import LocalServer, Route

ARTS = [f"/news/2026/03/0{i}/polite-crawl-story-number-{i}" for i in range(1, 4)]


def _site(srv: LocalServer, robots: str) -> None:
    srv.add("/", html_route(listing_html("الرئيسية", ARTS + ["/private/2026/03/01/hidden-story-not-for-bots"])))
    srv.add("/robots.txt", text_route(robots))
    for i, p in enumerate(ARTS + ["/private/2026/03/01/hidden-story-not-for-bots"]):
        srv.add(p, html_route(article_html(f"خبر {i}")))


def test_robots_disallow_is_obeyed(tmp_path):
    with LocalServer() as srv:
        hidden = srv.url("/private/2026/03/01/hidden-story-not-for-bots")
        _site(srv, f"User-agent: *\nDisallow: /private/\nSitemap: {srv.url('/s.xml')}\n")
        srv.add("/s.xml", xml_route(urlset([hidden, srv.url(ARTS[0])])))
        run = crawl(tmp_path, srv.url("/")).check()
        assert srv.hits("/private/2026/03/01/hidden-story-not-for-bots") == 0
        assert {urlsplit(r["url"]).path for r in run.records} == set(ARTS)
        assert run.summary["totals"]["errors"] == 0  # forbidden by robots.txt is not an error


def test_crawl_delay_spaces_requests(tmp_path):
    with LocalServer() as srv:
        _site(srv, "User-agent: *\nCrawl-delay: 1\n")
        crawl(tmp_path, srv.url("/")).check()
        times = [r.at for r in srv.requests if r.path != "/robots.txt"]
        assert len(times) >= 4
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        # Scrapy randomises delays by +-50%: never closer than half the asked delay
        assert min(gaps) >= 0.45, gaps


def test_retry_after_is_honoured(tmp_path):
    art = ARTS[0]
    with LocalServer() as srv:
        srv.add("/", html_route(listing_html("الرئيسية", [art])))
        srv.add(art, Route.throttled(Route.html(article_html("خبر بعد الانتظار")), times=1, status=429, retry_after=2))
        run = crawl(tmp_path, srv.url("/")).check()
        hits = [r.at for r in srv.requests if r.path == art]
        assert len(hits) == 2
        assert hits[1] - hits[0] >= 1.9
        assert len(run.records) == 1


def test_user_agent_identifies_the_bot_and_its_contact(tmp_path):
    with LocalServer() as srv:
        _site(srv, "User-agent: *\nAllow: /\n")
        env = env_for(tmp_path, NEWSBOT_CONTACT="crawler-team@example.org")
        crawl(tmp_path, srv.url("/"), env=env).check()
        agents = {r.header("User-Agent") for r in srv.requests}
        assert len(agents) == 1
        agent = agents.pop()
        assert agent.startswith("newsbot/") and "crawler-team@example.org" in agent


def test_private_addresses_are_refused_by_default(tmp_path):
    with LocalServer() as srv:
        _site(srv, "User-agent: *\nAllow: /\n")
        run = newsbot(tmp_path, "crawl", srv.url("/"), "-s", "AUTOTHROTTLE_ENABLED=0")
        assert run.returncode == 1
        assert srv.requests == []
        assert "private" in run.stderr
        # the environment variable opts in, like --allow-private
        env = env_for(tmp_path, NEWSBOT_ALLOW_PRIVATE="1")
        ok = newsbot(tmp_path, "crawl", srv.url("/"), "-s", "AUTOTHROTTLE_ENABLED=0", env=env)
        assert ok.returncode == 0, ok.stderr[-3000:]
        assert srv.hits(ARTS[0]) == 1
