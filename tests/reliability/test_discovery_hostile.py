"""Hostile sitemaps and feeds: bombs, external entities, malformed XML, non-http schemes, and a
200,000-URL sitemap parsed in bounded memory (peak RSS of a child process that does only that)."""

from __future__ import annotations

import gzip
import io
import json
import subprocess
import sys
import zlib

import pytest

from spiders.discovery.feeds import FeedError, parse_feed
from spiders.discovery.sitemaps import SitemapError, iter_sitemap
from tests.support.crawl import ROOT

BASE = "https://news.example.com"
GOOD = [f"{BASE}/a/{i}.html" for i in range(3)]

LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def _urlset(locs: list[str], extra: str = "") -> bytes:
    rows = "".join(f"<url><loc>{u}</loc></url>" for u in locs)
    return (f'{extra}<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>').encode()


def _rss(links: list[str], prolog: str = "") -> bytes:
    items = "".join(f"<item><title>خبر {i}</title><link>{u}</link></item>" for i, u in enumerate(links))
    return f'{prolog}<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def _sitemap_urls(data: bytes) -> tuple[list[str], str | None]:
    got, error = [], None
    try:
        for item in iter_sitemap(data):
            got.append(item.url)
    except SitemapError as exc:
        error = str(exc)
    return got, error


def _gzip_bomb(size: int) -> bytes:
    """A gzipped sitemap that inflates to `size` bytes: an entry, then a megabyte of blanks, over and over."""
    buf = io.BytesIO()
    row = b"<url><loc>https://news.example.com/a/0.html</loc></url>"
    block = row + b" " * (2**20 - len(row))
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as gz:
        gz.write(_urlset([])[: -len(b"</urlset>")])
        for _ in range(size // len(block)):
            gz.write(block)
        gz.write(b"</urlset>")
    return buf.getvalue()


def test_sitemap_billion_laughs_is_not_expanded(case):
    case("sitemap with a billion-laughs entity bomb (10^9 'lol's) used in <loc>, plus 3 good URLs")
    data = _urlset(GOOD + ["https://news.example.com/&lol9;"], extra=LAUGHS)
    got, error = _sitemap_urls(data)
    case.count_lost(GOOD, got, what="good URLs")
    assert got == GOOD, got[:5]
    assert all("lollol" not in u for u in got)
    case.happened(f"the 3 good URLs, the entity entry skipped ({error or 'no error'})")


def test_sitemap_external_entity_is_not_read(tmp_path, case):
    secret = tmp_path / "secret.txt"
    secret.write_text("https://news.example.com/SECRET-LEAKED", encoding="utf-8")
    case("sitemap with external entities (file:// SYSTEM entity and a parameter entity) in <loc>")
    prolog = (f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY xxe SYSTEM "file://{secret}">'
              f'<!ENTITY % pe SYSTEM "file://{secret}"> %pe;]>')
    got, error = _sitemap_urls(_urlset(GOOD + ["&xxe;"], extra=prolog))
    case.count_lost(GOOD, got, what="good URLs")
    assert not any("SECRET" in u for u in got)
    case.happened(f"file never read; {len(got)} URLs kept ({error or 'no error'})")


def test_sitemap_gzip_bomb_is_cut_off(case):
    case("gzipped sitemap inflating to 300 MB of entries (under 1 MB on the wire)")
    bomb = _gzip_bomb(300 * 2**20)
    assert len(bomb) < 2**20
    count, error = 0, None
    try:
        for _ in iter_sitemap(bomb):
            count += 1
    except SitemapError as exc:
        error = str(exc)
    assert error and "exceeds" in error, error
    case.figure("compressed_bytes", len(bomb))
    case.happened(f"SitemapError after {count} entries: {error}")


def test_malformed_sitemaps_keep_what_was_read(case):
    case("truncated sitemap, an HTML error page as sitemap, a feed as sitemap, binary garbage, an empty body")
    truncated = _urlset(GOOD)[:-30]
    got, error = _sitemap_urls(truncated)
    case.count_lost(GOOD[:2], got, what="URLs before the damage")
    assert got[:2] == GOOD[:2] and error
    for data in (b"<html><body><h1>503</h1></body></html>", _rss(GOOD), bytes(range(256)) * 10):
        got, error = _sitemap_urls(data)
        assert got == [] or all(u.startswith("http") for u in got)
    assert _sitemap_urls(b"") == ([], None)
    case.happened("entries read before the damage kept, then SitemapError; others refused or empty")


BAD_SCHEMES = ["file:///etc/passwd", "ftp://news.example.com/a.html", "javascript:alert(1)",
               "data:text/html,<script>alert(1)</script>", "mailto:x@example.com", "gopher://news.example.com/"]


def test_sitemaps_and_feeds_yield_only_http_urls(case):
    case("sitemap (XML and text) and RSS/Atom feeds listing file:, ftp:, javascript:, data:, mailto:, gopher: URLs")
    got, _ = _sitemap_urls(_urlset(GOOD + BAD_SCHEMES))
    assert got == GOOD
    got, _ = _sitemap_urls("\n".join(GOOD + BAD_SCHEMES).encode())
    assert got == GOOD
    assert [e.url for e in parse_feed(_rss(GOOD + BAD_SCHEMES), BASE + "/feed.xml")] == GOOD
    atom = ('<feed xmlns="http://www.w3.org/2005/Atom">' + "".join(
        f'<entry><title>x</title><link href="{u}"/></entry>' for u in GOOD + BAD_SCHEMES) + "</feed>").encode()
    got = [e.url for e in parse_feed(atom, BASE + "/atom.xml")]
    case.count_lost(GOOD, got, what="http(s) URLs of the Atom feed")
    assert got == GOOD
    case.happened("only the 3 http(s) URLs come out of each")


def test_feed_bombs_and_external_entities(tmp_path, case):
    secret = tmp_path / "secret.txt"
    secret.write_text("https://news.example.com/SECRET-LEAKED", encoding="utf-8")
    case("RSS with a billion-laughs bomb and a file:// external entity in <link>; a gzip-bombed feed")
    prolog = LAUGHS.replace("lolz", "rss")[:-2] + f'<!ENTITY xxe SYSTEM "file://{secret}">]>'
    entries = parse_feed(_rss(GOOD + ["&lol9;", "&xxe;"], prolog=prolog), BASE + "/feed.xml")
    urls = [e.url for e in entries]
    case.count_lost(GOOD, urls, what="good feed entries")
    assert not any("SECRET" in u or "lollol" in u for u in urls)
    assert set(GOOD) <= set(urls)
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    gz = bomb.compress(_rss(GOOD)[:-len(b"</channel></rss>")]) + b"".join(
        bomb.compress(b" " * 2**20) for _ in range(80)) + bomb.compress(b"</channel></rss>") + bomb.flush()
    with pytest.raises(FeedError, match="exceeds"):
        parse_feed(gz, BASE + "/feed.xml.gz")
    case.happened("entities left unexpanded, file never read; gzip bomb refused (FeedError)")


def test_malformed_feeds_are_refused_or_read_tolerantly(case):
    case("feeds: HTML page, binary garbage, empty body, unclosed tags, stray '&'")
    for bad in (b"<html><body>no feed</body></html>", bytes(range(256)) * 4, b"", b"   "):
        with pytest.raises(FeedError):
            parse_feed(bad, BASE + "/feed.xml")
    sloppy = b'<rss version="2.0"><channel><item><title>A & B</title><link>' + GOOD[0].encode() + b"</link></item><item>"
    got = [e.url for e in parse_feed(sloppy, BASE + "/feed.xml")]
    case.count_lost(GOOD[:1], got, what="good entries of the sloppy feed")
    assert got == GOOD[:1]
    case.happened("FeedError for non-feeds; the sloppy feed's good entry kept")


_PARSE_CHILD = r"""
import sys, json
from spiders.discovery.sitemaps import iter_sitemap

def status_kb(field):  # VmRSS now / VmHWM peak of this program (ru_maxrss would include the forking parent's)
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field + ":"))

def rss_kb():
    return status_kb("VmRSS")

data = open(sys.argv[1], "rb").read()  # the body, whole, as Scrapy hands it to the spider
before = rss_kb()
during = before
count = 0
for _ in iter_sitemap(data, max_entries=0):  # the streaming, not the entry bound, is measured
    count += 1
    if count % 5000 == 0:
        during = max(during, rss_kb())
peak = status_kb("VmHWM")
print(json.dumps({"count": count, "bytes": len(data), "rss_before_kb": before, "rss_during_kb": during,
                  "rss_peak_kb": peak}))
"""


def test_200000_url_sitemap_is_streamed_in_bounded_memory(tmp_path, case):
    case("one 200,000-URL sitemap (about 31 MB, within the 64 MB download limit) parsed by the spider's parser "
         "in a child process")
    path = tmp_path / "sitemap.xml"
    with open(path, "wb") as fh:
        fh.write(b'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">')
        for i in range(200_000):
            fh.write(b"<url><loc>https://news.example.com/politics/2026/03/01/%d-some-long-article-slug.html</loc>"
                     b"<lastmod>2026-03-01T10:00:00+03:00</lastmod></url>" % i)
        fh.write(b"</urlset>")
    proc = subprocess.run([sys.executable, "-c", _PARSE_CHILD, str(path)], capture_output=True, text=True,
                          timeout=300, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = json.loads(proc.stdout)
    case.count_lost(200_000, out["count"], what="sitemap entries")
    assert out["count"] == 200_000
    peak_mb = out["rss_peak_kb"] / 1024
    grew_mb = (out["rss_during_kb"] - out["rss_before_kb"]) / 1024
    case.figure("sitemap_bytes", out["bytes"])
    case.figure("parser_peak_rss_mb", round(peak_mb, 1))
    case.figure("rss_growth_while_parsing_mb", round(grew_mb, 1))
    assert peak_mb < 200, f"peak RSS {peak_mb:.0f} MB"
    assert grew_mb < 40, f"parsing grew RSS by {grew_mb:.0f} MB: the tree is being kept"
    case.happened(f"200,000 entries; peak RSS {peak_mb:.0f} MB (body included), +{grew_mb:.0f} MB while parsing")



@pytest.mark.slow
def test_200000_url_sitemap_crawl_process_stays_under_200mb(tmp_path, case):
    import time

    from tests.support.crawl import FAST, article_html, env_for
    from tests.support.httpserver import LocalServer, Route

    case("`newsbot crawl --max-pages 200` of a site whose robots.txt lists one 200,000-URL sitemap; peak RSS of the "
         "crawl process (VmHWM)")
    a = "/politics/2026/03/01"
    page = Route.html(article_html("خبر"))
    with LocalServer({"/robots.txt": Route(body=b"User-agent: *\nAllow: /\nSitemap: /big.xml\n"),
                      "/": Route.html("<html><body>home</body></html>")},
                     handler=lambda req: page if req.path.startswith(a) else None) as srv:
        rows = b"".join(b"<url><loc>%s%s/%d-some-long-article-slug.html</loc></url>" % (srv.base_url.encode(),
                                                                                       a.encode(), i)
                        for i in range(200_000))
        srv.add("/big.xml", Route(body=b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">' + rows
                                  + b"</urlset>", headers={"Content-Type": "application/xml"}))
        del rows
        with open(tmp_path / "crawl.log", "wb") as log:
            proc = subprocess.Popen([sys.executable, "-m", "newsbot", "crawl", srv.url("/"), "--allow-private",
                                     "--max-pages", "200", *FAST, "-v"], cwd=tmp_path, env=env_for(tmp_path),
                                    stdout=log, stderr=subprocess.STDOUT)
            peak_kb = 0
            while proc.poll() is None:  # VmHWM of the crawl program itself (ru_maxrss counts the forking parent)
                try:
                    with open(f"/proc/{proc.pid}/status") as fh:
                        peak_kb = max(peak_kb, next(int(x.split()[1]) for x in fh if x.startswith("VmHWM:")))
                except (OSError, StopIteration):
                    pass
                time.sleep(0.2)
    peak_mb = peak_kb / 1024
    case.figure("crawl_peak_rss_mb", round(peak_mb, 1))
    assert proc.returncode == 0
    assert peak_mb < 200, f"crawl process peak RSS {peak_mb:.0f} MB"
    case.happened(f"peak RSS {peak_mb:.0f} MB")


def test_discovery_lists_are_capped_and_deduplicated_in_linear_time(case):
    """264,922 Sitemap: lines, 40,000 advertised feeds, 40,000 rel=next links: each list comes back capped, in
    order, de-duplicated (the quadratic `url not in list` took minutes on the robots.txt)."""
    from newsbot.settings import NEWSBOT_MAX_FEED_LINKS as MAX_FEED_LINKS
    from newsbot.settings import NEWSBOT_MAX_NEXT_PAGES as MAX_NEXT_PAGES
    from newsbot.settings import NEWSBOT_MAX_ROBOTS_SITEMAPS as MAX_ROBOTS_SITEMAPS
    from spiders.discovery.feeds import feed_links
    from spiders.discovery.links import next_pages
    from spiders.discovery.robots import robots_sitemaps

    case("robots_sitemaps on 264,922 Sitemap: lines (each twice), feed_links and next_pages on a page with "
         "40,000 feed <link>s and 40,000 rel=next links")
    robots = "User-agent: *\n" + "".join(f"Sitemap: /s-{i}.xml\nSitemap: /s-{i}.xml\n" for i in range(264_922))
    sitemaps = robots_sitemaps(robots, f"{BASE}/robots.txt")
    assert sitemaps == [f"{BASE}/s-{i}.xml" for i in range(MAX_ROBOTS_SITEMAPS)]
    page = ("<html><head>" + "".join(f'<link rel="alternate" type="application/rss+xml" href="/f-{i}.xml">'
                                     for i in range(40_000))
            + "</head><body>" + "".join(f'<a rel="next" href="/p-{i}">{i}</a>' for i in range(40_000)) + "</body></html>")
    assert feed_links(page, f"{BASE}/") == [f"{BASE}/f-{i}.xml" for i in range(MAX_FEED_LINKS)]
    assert next_pages(page, f"{BASE}/") == [f"{BASE}/p-{i}" for i in range(MAX_NEXT_PAGES)]
    case.happened(f"{MAX_ROBOTS_SITEMAPS} sitemaps, {MAX_FEED_LINKS} feeds, {MAX_NEXT_PAGES} next pages kept, in "
                  "document order")


def test_feed_whose_titles_use_an_entity_bomb_still_gives_its_entries(caplog, case):
    case("RSS whose item titles use a billion-laughs entity (lxml, not expanding it, dropped the whole channel: "
         "no entry and no warning)")
    prolog = LAUGHS.replace("lolz", "rss")
    items = "".join(f"<item><title>&lol9; {i}</title><link>{u}</link></item>" for i, u in enumerate(GOOD))
    feed = (prolog + f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>').encode()
    with caplog.at_level("WARNING"):
        entries = parse_feed(feed, BASE + "/feed.xml")
    lost = case.count_lost(GOOD, [e.url for e in entries], what="feed entries")
    assert lost == 0
    assert not any("lollol" in (e.title or "") for e in entries)
    assert "declares XML entities" in caplog.text
    case.happened("the 3 entries read, the entity left unexpanded, a warning saying why")



def _serve_sitemap_chain(srv, levels: int) -> None:
    """robots.txt -> /s0.xml, an index listing /s1.xml and /art-0.xml, ... /s{levels-1}.xml listing only
    /art-{levels-1}.xml; each /art-K.xml a urlset of one article. The homepage links nothing."""
    from tests.reliability.test_hostile_sites import distinct_article
    from tests.support.crawl import listing_html, sitemapindex, urlset, xml_route
    from tests.support.httpserver import Route

    srv.add("/robots.txt", Route(body=b"User-agent: *\nSitemap: /s0.xml\n"))
    srv.add("/", Route.html(listing_html("الرئيسية", [])))
    for k in range(levels):
        children = [f"/s{k + 1}.xml", f"/art-{k}.xml"] if k + 1 < levels else [f"/art-{k}.xml"]
        srv.add(f"/s{k}.xml", xml_route(sitemapindex([srv.url(c) for c in children])))
        srv.add(f"/art-{k}.xml", xml_route(urlset([srv.url(f"/politics/2026/03/01/deep-{k}.html")])))
        srv.add(f"/politics/2026/03/01/deep-{k}.html", Route.html(distinct_article(40 + k)))


def _names(run) -> list[str]:
    return sorted(r["url"].rsplit("/", 1)[-1] for r in run.records)


def test_sitemap_index_chain_past_its_depth_is_cut_and_told(tmp_path, case):
    import re
    from pathlib import Path

    from tests.support.crawl import crawl
    from tests.support.httpserver import LocalServer

    levels = 10
    case(f"crawl of a site whose robots.txt leads to a chain of {levels} nested sitemap indexes, each also listing a "
         "sitemap of one article; the default NEWSBOT_SITEMAP_DEPTH (6), then NEWSBOT_SITEMAP_DEPTH=12")
    (tmp_path / "default").mkdir()
    (tmp_path / "deep").mkdir()
    with LocalServer({}) as srv:
        _serve_sitemap_chain(srv, levels)
        run = crawl(tmp_path / "default", srv.url("/"), extra=("-v",), timeout=180)
        deep = crawl(tmp_path / "deep", srv.url("/"), extra=("-s", "NEWSBOT_SITEMAP_DEPTH=12"), timeout=180)
    # depth 6: /s0.xml (level 0) .. /s6.xml (level 6) are read; what /s6.xml lists (level 7) is not fetched
    kept = [f"deep-{k}.html" for k in range(6)]
    case.count_lost(kept, _names(run), what="articles within the depth")
    assert _names(run) == kept, run.stderr[-3000:]
    assert re.search(r"sitemap index \S+/s6\.xml is nested 6 deep: the 2 sitemap\(s\) it lists are not followed",
                     run.stderr), run.stderr[-3000:]
    row = next(iter(run.summary["sites"].values()))
    assert row["sitemaps_too_deep"] == 2 and row["status"] == "ok", row
    assert "2 sitemap(s) nested past NEWSBOT_SITEMAP_DEPTH not followed" in run.stderr  # the site's summary line
    report = json.loads(Path(re.search(r"report: (\S+)", run.stderr).group(1)).read_text("utf-8"))
    assert report["sites"][0]["sitemaps_too_deep"] == 2, report["sites"]
    # the depth is a setting, and a nested index no longer spends the articles' link depth (DEPTH_LIMIT 6)
    assert deep.returncode == 0 and _names(deep) == sorted(f"deep-{k}.html" for k in range(levels)), deep.stderr[-3000:]
    assert "not followed" not in deep.stderr
    case.happened(f"{len(kept)} articles stored, the 2 sitemaps /s6.xml lists counted in the site's summary line "
                  f"and the report and named in a warning; with NEWSBOT_SITEMAP_DEPTH=12 all {levels} stored")
