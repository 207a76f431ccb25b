"""The browse web app through Flask's test client: what each view says, its security headers, read-only-ness.

What a person sees in a real browser is tested in tests/browser/.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import pytest

from newsbot.browse.app import create_app
from newsbot.health.store import HealthStore
from newsbot.store import open_store
from tests.support.browse import DEMO_SITE, HOSTILE_URL, SYNTH_SITE, fill_store
from tests.support.store import store_url  # noqa: F401 (fixture)


@pytest.fixture
def filled(store_url, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv("NEWSBOT_STATE_DIR", str(tmp_path / "state"))
    return fill_store(store_url)


@pytest.fixture
def client(filled):
    return create_app(filled.url).test_client()


class Tags(HTMLParser):
    """Every start tag with its attributes, as the browser's parser would see them."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _inert(html: str) -> None:
    """Nothing in the document can run or load something from a page."""
    tags = Tags(html).tags
    names = {t for t, _ in tags}
    assert not names & {"script", "iframe", "img", "object", "embed", "base", "frame"}, names
    for tag, attrs in tags:
        assert not any(a.startswith("on") for a in attrs), (tag, attrs)
        for a in ("href", "src", "action"):
            value = (attrs.get(a) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)
        if tag == "a" and (attrs.get("href") or "").startswith("http"):
            assert "noreferrer" in (attrs.get("rel") or ""), attrs
        if tag == "link":
            assert attrs.get("href", "").startswith("/static/"), attrs
        assert tag != "style" or attrs == {}, attrs


def test_csp_allows_nothing_but_our_stylesheet(client):
    resp = client.get("/")
    policy = resp.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert "script-src" not in directives and "unsafe" not in policy and "*" not in policy
    assert re.fullmatch(r"'self' 'sha256-[A-Za-z0-9+/=]+'", directives["style-src"])
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'none'"
    assert resp.headers["Referrer-Policy"] == "no-referrer"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_list_shows_every_article_and_filters(client, filled):
    html = client.get("/?site=" + SYNTH_SITE).get_data(as_text=True)
    assert html.count('<tr class="article">') == 12
    assert DEMO_SITE not in html.split("<tbody>")[1]  # the table, not the site drop-down
    all_rows = client.get("/").get_data(as_text=True).count('<tr class="article">')
    assert all_rows == len(filled.records)
    html = client.get("/?min_words=300&section=رياضة").get_data(as_text=True)
    expected = [r for r in filled.records if r.word_count >= 300 and r.section == "رياضة"]
    assert html.count('<tr class="article">') == len(expected) > 0
    html = client.get("/?since=not-a-date").get_data(as_text=True)
    assert "not an ISO 8601 date" in html and '<tr class="article">' not in html


def test_pagination_links_follow_the_cursor(filled):
    client = create_app(filled.url, page_size=4).test_client()
    seen, url = [], "/?min_words=1"
    while url:
        html = client.get(url).get_data(as_text=True)
        seen += re.findall(r'<tr class="article">.*?href="/article\?key=([^"]+)"', html, re.S)
        nxt = re.search(r'id="next" href="([^"]+)"', html)
        url = nxt.group(1).replace("&amp;", "&") if nxt else None
    assert len(seen) == len(set(seen)) == len(filled.records)


def test_article_view_is_the_record_with_a_link_to_the_inspector(client, filled):
    rec = filled.demo[0]
    html = client.get("/article", query_string={"key": rec.url}).get_data(as_text=True)
    assert rec.title in html and rec.body.split("\n\n")[1] in html
    assert 'id="inspect" href="/inspect?key=' in html
    assert f'href="{rec.url}" rel="noreferrer noopener nofollow"' in html
    assert client.get("/article", query_string={"key": "https://nowhere.test/"}).status_code == 404


def test_hostile_page_is_shown_inert(client, filled):
    rec = filled.hostile
    for path in ("/article", "/inspect"):
        resp = client.get(path, query_string={"key": rec.url})
        assert resp.status_code == 200, path
        html = resp.get_data(as_text=True)
        _inert(html)
        assert "&lt;script&gt;window.__pwned=&#39;text&#39;&lt;/script&gt;" in html  # shown as text, escaped
    html = client.get("/article", query_string={"key": HOSTILE_URL}).get_data(as_text=True)
    assert "javascript:window.__pwned=&#39;canonical&#39;" in html  # the declared canonical, as text only
    _inert(client.get("/").get_data(as_text=True))


def test_inspector_view_reports_the_stored_page(client, filled):
    rec = filled.demo[0]
    html = client.get("/inspect", query_string={"key": rec.url}).get_data(as_text=True)
    assert html.count('class="block kept"') == len(rec.body.split("\n\n"))
    assert 'class="block dropped"' in html
    meta_csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    assert meta_csp.startswith("default-src 'none'; style-src 'sha256-")


def test_site_view_plots_one_point_per_run_and_the_alarm(client, filled):
    html = client.get(f"/site/{SYNTH_SITE}").get_data(as_text=True)
    for plot in ("plot-articles", "plot-health"):
        svg = html.split(f'id="{plot}"')[1].split("</svg>")[0]
        assert svg.count('<circle class="point') == len(filled.runs)
        assert svg.count('class="point alarm"') == 1
    assert filled.alarmed_run in html.split("Last run's report")[1]
    assert "good share 25%" in html
    assert client.get("/site/no-such-site").status_code == 404
    html = client.get("/sites").get_data(as_text=True)
    assert SYNTH_SITE in html and 'class="alarm"' in html


def _state(url: str) -> tuple:
    with open_store(url) as store:
        rows = store.db.execute("SELECT key, fingerprint, updated_at, last_seen FROM articles ORDER BY key").fetchall()
    with HealthStore(url, create=False) as hs:
        health = list(hs.rows())
    return [tuple(r) for r in rows], health


def test_no_request_changes_the_store(client, filled):
    before = _state(filled.url)
    paths = ["/", f"/?site={SYNTH_SITE}", "/sites", f"/site/{SYNTH_SITE}", f"/site/{DEMO_SITE}"]
    for rec in filled.records:
        paths += [f"/article?key={rec.url}", f"/inspect?key={rec.url}"]
    for path in paths:
        assert client.get(path).status_code in (200, 404), path
        for method in (client.post, client.put, client.delete, client.patch):
            assert method(path).status_code == 405, (method, path)
    assert _state(filled.url) == before
