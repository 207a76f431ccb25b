"""The bundled demo site (data/demo) itself: manifest vs files, URLs, feeds, sitemaps, encodings, link graph.

These check the site the crawler tests and `newsbot demo` rely on, served over real HTTP by newsbot.demo_server.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from protego import Protego  # Scrapy's robots.txt parser (the stdlib one ignores a fractional Crawl-delay)
from selectolax.lexbor import LexborHTMLParser

from newsbot.demo_server import DEMO_ROOT, load_manifest, serve
from newsbot.urls import canonicalize

SEED = Path("/work/shared/seed/rt-arabic-page-text.txt")
NS = {
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
    "atom": "http://www.w3.org/2005/Atom",
}


@pytest.fixture(scope="module")
def manifest() -> dict:
    return load_manifest(DEMO_ROOT)


@pytest.fixture(scope="module")
def server():
    with serve(DEMO_ROOT) as srv:
        yield srv


def fetch(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            return resp.status, dict(resp.headers.items()), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers.items()), e.read()


def by_path(manifest: dict) -> dict[str, dict]:
    return {a["path"]: a for a in manifest["article"]}


def tree_of(body: bytes, encoding: str = "utf-8") -> LexborHTMLParser:
    return LexborHTMLParser(body.decode(encoding))


def jsonld(tree: LexborHTMLParser) -> list[dict]:
    return [json.loads(n.text()) for n in tree.css('script[type="application/ld+json"]')]


# ---------------------------------------------------------------- manifest vs files

def test_manifest_counts_and_kinds(manifest):
    paths = manifest["paths"]
    assert len(paths["articles"]) == len(manifest["article"]) >= 20
    assert [a["path"] for a in manifest["article"]] == paths["articles"]
    assert not set(paths["articles"]) & set(paths["non_articles"])
    kinds = [a["kind"] for a in manifest["article"]]
    assert kinds.count("liveblog") == 1
    assert {a["encoding"] for a in manifest["article"]} == {"utf-8", "windows-1256"}
    for prefix in ("/tag/", "/author/", "/video/", "/gallery/"):
        assert any(p.startswith(prefix) for p in paths["non_articles"]), prefix


def test_every_manifest_path_is_a_file_and_every_file_is_in_the_manifest(manifest, server):
    paths = manifest["paths"]
    listed = paths["articles"] + paths["non_articles"] + list(manifest["variants"]) + paths["disallowed"][:1]
    listed += manifest["site"]["feeds"] + manifest["site"]["sitemaps"] + ["/robots.txt", "/sitemap.xml"]
    served = {}
    for p in listed:
        f = server.resolve(p)
        assert f is not None, f"{p} has no file"
        served[f] = p
    on_disk = {f for f in DEMO_ROOT.rglob("*") if f.is_file() and "_build" not in f.parts and f.name != "manifest.toml"}
    assert on_disk == set(served), f"files not in the manifest: {sorted(map(str, on_disk - set(served)))}"
    for p in paths["missing"]:
        assert server.resolve(p) is None


def test_generated_files_match_a_fresh_build(tmp_path):
    """The committed site is exactly what _build/build.py writes (so edits go through content.py)."""
    out = tmp_path / "demo"
    subprocess.run([sys.executable, str(DEMO_ROOT / "_build" / "build.py"), "--out", str(out)], check=True,
                   capture_output=True)
    fresh = {f.relative_to(out): f.read_bytes() for f in out.rglob("*") if f.is_file()}
    committed = {f.relative_to(DEMO_ROOT): f.read_bytes() for f in DEMO_ROOT.rglob("*")
                 if f.is_file() and "_build" not in f.parts}
    assert fresh.keys() == committed.keys()
    assert [k for k in fresh if fresh[k] != committed[k]] == []


# ---------------------------------------------------------------- served over HTTP

def test_all_pages_served_with_base_substituted(manifest, server):
    paths = manifest["paths"]
    for p in paths["articles"] + paths["non_articles"] + list(manifest["variants"]):
        status, headers, body = fetch(server.url(p))
        assert status == 200, p
        assert b"{{BASE}}" not in body and b"{{" not in body, p
        assert server.base_url.encode() in body, p
        assert headers["Content-Type"].startswith("text/html"), p


def test_gzipped_sitemap_is_served_as_gzip_bytes_with_base_inside(server):
    status, headers, body = fetch(server.url("/sitemaps/articles-2025.xml.gz"))
    assert status == 200 and headers["Content-Type"] == "application/gzip"
    assert "Content-Encoding" not in headers
    xml = gzip.decompress(body)
    assert b"{{BASE}}" not in xml and server.base_url.encode() in xml


def test_robots_txt(manifest, server):
    status, headers, body = fetch(server.url("/robots.txt"))
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    rp = Protego.parse(body.decode())
    assert rp.crawl_delay("newsbot") == 0.1
    for p in manifest["paths"]["disallowed"]:
        assert not rp.can_fetch(server.url(p), "newsbot"), p
    for p in manifest["paths"]["articles"] + manifest["paths"]["non_articles"]:
        assert rp.can_fetch(server.url(p), "newsbot"), p
    assert list(rp.sitemaps) == [server.url("/sitemap.xml"), server.url("/sitemaps/news.xml")]
    assert not rp.can_fetch(server.url("/"), "GPTBot")


# ---------------------------------------------------------------- feeds and sitemaps

def article_urls(server, manifest) -> set[str]:
    return {server.url(p) for p in manifest["paths"]["articles"]}


def test_sitemap_index_and_sitemaps(manifest, server):
    status, _, body = fetch(server.url("/sitemap.xml"))
    index = ET.fromstring(body)
    assert index.tag == f"{{{NS['sm']}}}sitemapindex"
    children = [loc.text for loc in index.findall("sm:sitemap/sm:loc", NS)]
    assert children == [server.url(p) for p in manifest["site"]["sitemaps"]]
    found: set[str] = set()
    for url in children:
        status, _, data = fetch(url)
        assert status == 200, url
        root = ET.fromstring(gzip.decompress(data) if url.endswith(".gz") else data)
        assert root.tag == f"{{{NS['sm']}}}urlset"
        for u in root.findall("sm:url", NS):
            found.add(u.find("sm:loc", NS).text)
    arts = article_urls(server, manifest)
    assert arts <= found  # the sitemaps list every article ...
    assert found - arts <= {server.url(p) for p in manifest["paths"]["non_articles"]}  # ... and some listing pages


def test_news_sitemap_has_news_tags(manifest, server):
    _, _, body = fetch(server.url("/sitemaps/news.xml"))
    titles = {a["path"]: a["title"] for a in manifest["article"]}
    urls = ET.fromstring(body).findall("sm:url", NS)
    assert len(urls) >= 5
    for u in urls:
        loc = u.find("sm:loc", NS).text
        path = urlsplit(loc).path
        assert u.find("sm:lastmod", NS).text.startswith("2026-")
        assert u.find("news:news/news:publication/news:language", NS).text == "ar"
        assert u.find("news:news/news:publication_date", NS).text.startswith("2026-")
        assert u.find("news:news/news:title", NS).text == titles[path]


def test_rss_and_atom_feeds(manifest, server):
    arts = article_urls(server, manifest)
    _, headers, body = fetch(server.url("/feed/rss.xml"))
    assert headers["Content-Type"].startswith("application/rss+xml")
    rss = ET.fromstring(body)
    assert rss.tag == "rss" and rss.get("version") == "2.0"
    links = [i.findtext("link") for i in rss.iter("item")]
    assert len(links) == 10 and all(i.findtext("pubDate") for i in rss.iter("item"))
    assert any("utm_source=" in link for link in links)  # a tracking-parameter variant, as real feeds have
    assert {link.split("?")[0] for link in links} <= arts

    _, headers, body = fetch(server.url("/feed/atom.xml"))
    assert headers["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(body)
    entries = feed.findall("atom:entry", NS)
    assert len(entries) >= 5
    assert {e.find("atom:link", NS).get("href") for e in entries} <= arts


def test_home_advertises_both_feeds(server):
    _, _, body = fetch(server.url("/"))
    alts = {n.attributes["type"]: n.attributes["href"] for n in tree_of(body).css('link[rel="alternate"]')}
    assert alts == {"application/rss+xml": server.url("/feed/rss.xml"),
                    "application/atom+xml": server.url("/feed/atom.xml")}


# ---------------------------------------------------------------- the link graph

def crawl_links(server) -> tuple[set[str], set[str]]:
    """A tiny breadth-first walk of same-origin <a href> links (honouring robots.txt): which pages link-following
    reaches, and which other hrefs pages carry. Tests the site's structure, not newsbot's crawler."""
    rp = Protego.parse(fetch(server.url("/robots.txt"))[2].decode())
    seen, other, queue = set(), set(), deque([server.url("/")])
    while queue:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        status, headers, body = fetch(url)
        if status != 200 or not headers["Content-Type"].startswith("text/html"):
            continue
        charset = headers["Content-Type"].partition("charset=")[2] or "utf-8"
        for a in tree_of(body, charset).css("a[href]"):
            href = urljoin(url, a.attributes["href"]).split("#")[0]
            if not href.startswith(server.base_url + "/"):
                other.add(href)
            elif rp.can_fetch(href, "newsbot") and href not in seen:
                queue.append(href)
    return seen, other


def test_link_graph_reaches_everything_and_nothing_forbidden(manifest, server):
    before = len(server.requests)
    seen, other = crawl_links(server)
    fetched = {unquote(p) for p in server.requests[before:]}
    paths = manifest["paths"]
    canon = {canonicalize(u) for u in seen}
    assert {canonicalize(server.url(p)) for p in paths["articles"]} <= canon
    assert {server.url(p) for p in paths["non_articles"]} <= seen
    in_pages = {v for v in manifest["variants"] if "utm_source=rss" not in v}  # that one is in the RSS feed only
    assert len(in_pages) >= 3 and {server.url(p) for p in in_pages} <= seen  # the duplicates are linked
    assert server.url(paths["missing"][0]) in seen  # linked, and 404
    assert not {unquote(p) for p in paths["disallowed"]} & fetched  # linked but robots-disallowed
    assert set(paths["external"]) <= {o.split("?")[0] for o in other}


def test_variants_are_duplicates_of_their_article(manifest, server):
    for variant, target in manifest["variants"].items():
        assert canonicalize(server.url(variant)) == canonicalize(server.url(target))
        assert target in manifest["paths"]["articles"]
    amp = next(v for v in manifest["variants"] if v.startswith("/amp/"))
    _, _, body = fetch(server.url(amp))
    canonical = tree_of(body).css_first('link[rel="canonical"]').attributes["href"]
    assert canonical == server.url(manifest["variants"][amp])
    _, _, main = fetch(canonical)
    assert tree_of(main).css_first('link[rel="amphtml"]').attributes["href"] == server.url(amp)


# ---------------------------------------------------------------- pages

def test_article_metadata_matches_manifest(manifest, server):
    for a in manifest["article"]:
        _, _, body = fetch(server.url(a["path"]))
        tree = tree_of(body, "cp1256" if a["encoding"] == "windows-1256" else "utf-8")
        text = tree.body.text(separator=" ")
        assert tree.css_first("h1").text(strip=True) == a["title"], a["path"]
        assert a["first_words"] in text, a["path"]
        ld = [d for d in jsonld(tree) if d.get("@type") in ("NewsArticle", "LiveBlogPosting")]
        og_type = tree.css_first('meta[property="og:type"]')
        if a["template"] in ("modern", "rt", "liveblog"):
            assert len(ld) == 1 and ld[0]["headline"] == a["title"] and ld[0]["datePublished"] == a["published"]
            assert ld[0]["@type"] == ("LiveBlogPosting" if a["kind"] == "liveblog" else "NewsArticle")
        else:  # the date is only in the visible text, in an Arabic, Hijri or Arabic-Indic form
            assert ld == [] and a["published_raw"] and a["published_raw"] in text, a["path"]
        if a["template"] == "legacy":
            assert og_type is None
        else:
            assert og_type.attributes["content"] == "article"


def test_date_formats_are_varied(manifest):
    raws = [a["published_raw"] for a in manifest["article"] if a["published_raw"]]
    assert any("هـ" in r for r in raws)  # Hijri
    assert any(any("٠" <= ch <= "٩" for ch in r) for r in raws)  # Arabic-Indic digits
    assert any("شباط" in r or "تشرين" in r for r in raws)  # Levantine month names
    assert any("فبراير" in r or "نوفمبر" in r for r in raws)


def test_non_articles_do_not_look_like_articles(manifest, server):
    for p in manifest["paths"]["non_articles"]:
        _, _, body = fetch(server.url(p))
        tree = tree_of(body)
        types = {d.get("@type") for d in jsonld(tree)}
        assert not types & {"NewsArticle", "Article", "LiveBlogPosting", "BlogPosting"}, p
        og_type = tree.css_first('meta[property="og:type"]')
        assert og_type is None or og_type.attributes["content"] != "article", p


def test_windows_1256_page(manifest, server):
    art = next(a for a in manifest["article"] if a["encoding"] == "windows-1256")
    raw = server.resolve(art["path"]).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    text = raw.decode("cp1256")
    assert art["title"] in text and art["first_words"] in text
    assert 'charset=windows-1256' in text  # the page's own <meta http-equiv>
    status, headers, body = fetch(server.url(art["path"]))
    assert headers["Content-Type"] == "text/html; charset=windows-1256"
    assert art["title"] in body.decode("cp1256")


def test_page_without_http_charset_declares_it_in_html(manifest, server):
    header_less = [p for p, h in manifest["headers"].items() if h["Content-Type"] == "text/html"]
    assert header_less
    for p in header_less:
        _, headers, body = fetch(server.url(p))
        assert headers["Content-Type"] == "text/html"
        assert b'<meta charset="utf-8">' in body[:600]


def test_lavrov_page_is_built_around_the_seed(manifest, server):
    art = next(a for a in manifest["article"] if a["template"] == "rt")
    _, _, body = fetch(server.url(art["path"]))
    tree = tree_of(body)
    text = " ".join(tree.body.text(separator="\n").split())
    assert tree.css_first("h1").text(strip=True) == "لافروف يتحدث عن التحضير للقاء محتمل بين بوتين وبايدن"
    paragraphs = [p.text() for p in tree.css(".article__text p") if p.text(strip=True).strip("\xa0")]
    assert len(paragraphs) == 5
    if SEED.is_file():  # the seed lives beside the project; the page must carry its text verbatim
        seed = " ".join(SEED.read_text(encoding="utf-8").split())
        for p in paragraphs:
            assert " ".join(p.split()) in seed
        for block in ("أين يمكنك متابعتنا", "أقسام مهمة", "36 خبر", "التعليقات", "الشخصية القيادية العربية", "Sputnik"):
            assert block in seed and block in text


def test_liveblog_updates(manifest, server):
    art = next(a for a in manifest["article"] if a["kind"] == "liveblog")
    _, _, body = fetch(server.url(art["path"]))
    tree = tree_of(body)
    (ld,) = [d for d in jsonld(tree) if d.get("@type") == "LiveBlogPosting"]
    entries = tree.css(".live-entry")
    assert len(ld["liveBlogUpdate"]) == len(entries) >= 5
    assert [u["articleBody"] for u in ld["liveBlogUpdate"]] == [e.css_first("p").text() for e in entries]


# ---------------------------------------------------------------- extraction on the demo pages

@pytest.mark.parametrize("template", ["modern", "rt", "classic", "liveblog"])
def test_extract_gets_title_and_body(manifest, server, template):
    from newsbot.extract import extract

    for a in [a for a in manifest["article"] if a["template"] == template][:2]:
        status, headers, body = fetch(server.url(a["path"]))
        rec = extract(body, url=server.url(a["path"]), headers=headers)
        assert rec.title == a["title"]
        assert a["first_words"] in rec.body
