"""Feed parsing (RSS 2.0, Atom, RSS 1.0/RDF, real Al Jazeera and BBC Arabic feeds) and feed auto-discovery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest

from spiders.discovery.feeds import FeedEntry, FeedError, feed_links, parse_feed

FIX = Path(__file__).parent / "fixtures" / "discovery"


def _read(name: str) -> bytes:
    return (FIX / name).read_bytes()


def test_rss2_links_dates_titles():
    entries = parse_feed(_read("rss2.xml"), "https://www.hespress.com/feed")
    urls = [e.url for e in entries]
    assert urls == [
        "https://www.hespress.com/%d8%a7%d9%84%d8%ad%d9%83%d9%88%d9%85%d8%a9-1234567.html",
        "https://www.hespress.com/politique/%d8%b2%d9%84%d8%b2%d8%a7%d9%84-1234568.html",  # relative, resolved
        "https://www.hespress.com/guid-as-link-1234569.html",  # permalink guid stands in for <link>
        "https://www.hespress.com/bad-date-1234570.html",
    ]  # mailto: dropped, the duplicate item kept once
    first, second, third, fourth = entries
    assert first.title == "الحكومة تصادق على مشروع قانون المالية"
    assert first.published == datetime(2024, 5, 20, 9, 15, tzinfo=UTC)
    assert first.published.utcoffset() == timedelta(hours=1)
    assert second.title == "<b>عاجل</b>: زلزال بقوة 5 درجات & أضرار محدودة"
    assert second.published == datetime(2024, 5, 20, 9, 0, tzinfo=UTC)
    assert third.published == datetime(2024, 5, 19, 21, 30, tzinfo=UTC)  # dc:date
    assert fourth.published is None


def test_atom_alternate_links_and_xml_base():
    entries = parse_feed(_read("atom.xml"), "https://www.alquds.co.uk/feed/atom/")
    assert [e.url for e in entries] == [
        "https://www.alquds.co.uk/gaza-story/",  # rel=alternate, not rel=replies
        "https://www.alquds.co.uk/opinion/column-about-elections/",  # the entry's own xml:base
    ]  # no link / rel=edit only: skipped
    assert entries[0].title == "غزة: <em>قصف</em> متواصل"
    assert entries[0].published == datetime(2024, 5, 20, 8, 30, tzinfo=UTC)  # <published>, not <updated>
    assert entries[1].published == datetime(2024, 5, 19, 8, 0, tzinfo=UTC)  # falls back to <updated>


def test_rdf_rss10():
    entries = parse_feed(_read("rdf.xml"), "https://rss.dw.com/rdf/rss-ar-all")
    assert [e.url for e in entries] == [
        "https://www.dw.com/ar/%D8%A3%D9%84%D9%85%D8%A7%D9%86%D9%8A%D8%A7/a-69123456?maca=ara-rss",
        "https://www.dw.com/ar/about-only/a-69123457",  # rdf:about when there is no <link>
    ]
    assert entries[0].title == "ألمانيا تستضيف مؤتمرا دوليا حول سوريا"
    assert entries[0].published == datetime(2024, 5, 20, 8, 12, tzinfo=UTC)


@pytest.mark.corpus
def test_real_aljazeera_rss(corpus):
    data = (corpus / "listing" / "aljazeera.net__rss-2026.xml").read_bytes()
    entries = parse_feed(data, "https://www.aljazeera.net/aljazeerarss/")
    assert len(entries) == data.count(b"<item>")
    assert len(entries) >= 10
    assert all(e.url.startswith("https://www.aljazeera.net/") for e in entries)
    assert all(e.published is not None and e.published.utcoffset() is not None for e in entries)
    first = entries[0]
    assert first.title.startswith("الأمم المتحدة: عالجنا أكثر من 75 ألف وثيقة")
    assert "/news/2026/7/28/" in first.url
    assert unquote(first.url).split("/")[-1].startswith("الأمم-المتحدة")
    assert first.published == datetime(2026, 7, 28, 6, 39, 20, tzinfo=UTC)


@pytest.mark.corpus
def test_real_bbc_arabic_rss(corpus):
    data = (corpus / "listing" / "bbc-arabic__podcast-yastahiq-alintibah.xml").read_bytes()
    entries = parse_feed(data, "https://podcasts.files.bbci.co.uk/p0h6d6nm.rss")
    assert len(entries) > 100
    assert all(e.url.startswith(("http://", "https://")) for e in entries)
    assert all(e.title for e in entries)
    assert sum(e.published is not None for e in entries) == len(entries)
    assert len({e.url for e in entries}) == len(entries)
    # newest first, as the feed lists them
    dated = [e.published for e in entries[:20]]
    assert dated == sorted(dated, reverse=True)


def test_html_page_is_not_a_feed():
    with pytest.raises(FeedError):
        parse_feed(_read("listing.html"), "https://www.example-news.com/politics/page/2/")


@pytest.mark.parametrize(
    "data",
    [b"", b"   ", b"not xml at all", b'{"items": []}', b"\x1f\x8b\x08\x00binary", b"<?xml version='1.0'?>"],
)
def test_non_feed_input_raises(data):
    with pytest.raises(FeedError):
        parse_feed(data, "https://www.example-news.com/feed")


def test_a_sitemap_is_not_a_feed():
    with pytest.raises(FeedError):
        parse_feed(_read("urlset.xml"), "https://www.example-news.com/sitemap.xml")


def test_feed_external_entity_not_read():
    entries = parse_feed(_read("external_entity_feed.xml"), "https://www.example-news.com/feed")
    assert [e.url for e in entries] == ["https://www.example-news.com/story-1234567"]
    assert "root:" not in (entries[0].title or "")


def test_feed_billion_laughs_not_expanded():
    try:
        entries = parse_feed(_read("billion_laughs_feed.xml"), "https://www.example-news.com/feed")
    except FeedError:
        return  # refusing the document outright is fine too
    assert all(len(e.title or "") < 1000 for e in entries)


def test_broken_feed_is_read_tolerantly():
    data = (
        "<rss version='2.0'><channel><title>x &nbsp; y</title>"
        "<item><title>أخبار & تقارير</title><link>https://www.example-news.com/a?x=1&y=2</link></item>"
        "<item><title>ثان</title><link>https://www.example-news.com/b</link></item>"
    ).encode()  # bare '&', an HTML entity without DTD, no closing tags
    entries = parse_feed(data, "https://www.example-news.com/feed")
    assert [e.url for e in entries][-1] == "https://www.example-news.com/b"
    assert all(isinstance(e, FeedEntry) for e in entries)


def test_windows_1256_feed_decoded_from_its_declaration():
    xml = (
        '<?xml version="1.0" encoding="windows-1256"?><rss version="2.0"><channel>'
        "<item><title>وزير الخارجية يلتقي نظيره</title><link>https://www.example-news.com/x-1234567</link></item>"
        "</channel></rss>"
    ).encode("cp1256")
    (entry,) = parse_feed(xml, "https://www.example-news.com/feed")
    assert entry.title == "وزير الخارجية يلتقي نظيره"


def test_feed_links_autodiscovery():
    html = _read("listing.html").decode("utf-8")
    assert feed_links(html, "https://www.example-news.com/politics/page/2/") == [
        "https://www.example-news.com/politics/feed/",
        "https://www.example-news.com/politics/feed/atom/",
    ]  # hreflang alternates, JSON and stylesheets are not feeds


def test_feed_links_respects_base_href_and_rel_tokens():
    html = (
        '<html><head><base href="https://cdn.example-news.com/ar/">'
        '<link rel="Alternate feed" type="application/RSS+XML; charset=utf-8" href="rss.xml">'
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        '<link rel="alternate" type="application/rss+xml" href="rss.xml">'
        "</head><body></body></html>"
    )
    assert feed_links(html, "https://www.example-news.com/") == ["https://cdn.example-news.com/ar/rss.xml"]


def test_feed_links_none():
    assert feed_links("<html><head><title>x</title></head></html>", "https://a.com/") == []
    assert feed_links("", "https://a.com/") == []


def test_gzipped_feed():
    import gzip

    plain = _read("rss2.xml")
    assert parse_feed(gzip.compress(plain), "https://www.hespress.com/feed") == parse_feed(
        plain, "https://www.hespress.com/feed"
    )


def test_feed_gzip_bomb_refused():
    import zlib

    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = comp.compress(b"<rss><channel>") + b"".join(comp.compress(b" " * 2**20) for _ in range(60)) + comp.flush()
    with pytest.raises(FeedError, match="exceeds"):
        parse_feed(bomb, "https://www.example-news.com/feed")


def test_hand_written_arabic_date_in_a_feed():
    xml = (
        "<rss version='2.0'><channel><item><title>خبر</title><link>https://x.com/a-1234567</link>"
        "<pubDate>20 مايو 2024</pubDate></item></channel></rss>"
    ).encode()
    (entry,) = parse_feed(xml, "https://x.com/feed")
    assert entry.published == datetime(2024, 5, 20)


def test_non_url_guid_is_not_resolved_into_a_link():
    xml = (
        b"<rss version='2.0'><channel>"
        b"<item><title>a</title><guid>1234567</guid></item>"
        b"<item><title>b</title><guid isPermaLink='true'>tag:x.com,2024:99</guid></item>"
        b"<item><title>c</title><guid>https://x.com/c-7654321</guid></item>"
        b"</channel></rss>"
    )
    assert [e.url for e in parse_feed(xml, "https://x.com/feed/")] == ["https://x.com/c-7654321"]


def test_rss091_with_netscape_doctype_and_html_entities():
    xml = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" '
        b'"http://127.0.0.1:9/rss-0.91.dtd">\n'
        b'<rss version="0.91"><channel><title>Caf&eacute;</title>'
        b"<item><title>Le caf&eacute; du march&eacute;</title><link>https://x.com/cafe-1234567</link></item>"
        b"</channel></rss>"
    )
    (entry,) = parse_feed(xml, "https://x.com/rss")  # the DTD is never fetched
    assert entry.url == "https://x.com/cafe-1234567"
    assert entry.title.startswith("Le caf")
