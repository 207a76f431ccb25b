"""Metadata (newsbot.extract.metadata / jsonld) on pages written for these tests (tests/fixtures/meta)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from newsbot.extract.jsonld import article_node, nodes, parse_block
from newsbot.extract.metadata import extract_metadata, strip_site_name
from newsbot.extract.text import clean_line

FIXTURES = Path(__file__).parent / "fixtures" / "meta"
NOW = datetime(2024, 6, 2, 12, 0, tzinfo=UTC)


def meta_of(name: str, url: str = ""):
    return extract_metadata(LexborHTMLParser((FIXTURES / name).read_text(encoding="utf-8")), url, NOW)


def test_jsonld_graph_arrays_and_broken_json():
    m = meta_of("jsonld_graph.html")
    # visible h1 (not the logo h1, not <title> with "| أخبار | site"), entities in JSON-LD decoded
    assert m.title == 'وزير الخارجية يلتقي نظيره الفرنسي في باريس "لبحث التعاون"'
    assert m.published == "2024-05-19T22:30:00+03:00"
    assert m.modified == "2024-05-20T08:15:00+03:00"
    assert m.authors == ["سامر خليل", "ليلى حداد"]
    assert m.section == "سياسة دولية"  # BreadcrumbList: home > section > article
    assert m.tags == ["فرنسا", "الدبلوماسية"]
    assert m.image == "https://www.example-news.com/images/2024/05/minister.jpg"  # og:image made absolute
    assert m.canonical_url == "https://www.example-news.com/world/2024/5/19/minister-paris"
    assert m.site_name == "جريدة المثال"
    assert m.is_article is True and m.kind is None
    assert m.jsonld_body.startswith("التقى وزير الخارجية")


def test_jsonld_parser_tolerance():
    assert parse_block('{"a": 1,}') == [{"a": 1}]
    assert parse_block('<![CDATA[ {"a": "x\ty"} ]]>') == [{"a": "x\ty"}]
    assert parse_block('{"a": 1} {"b": 2}') == [{"a": 1}, {"b": 2}]
    assert parse_block("not json at all") == []
    tree = LexborHTMLParser(
        '<script type="application/ld+json">[{"@type":"WebPage","mainEntity":'
        '{"@type":"ReportageNewsArticle","headline":"h"}}]</script>'
    )
    assert article_node(nodes(tree))["headline"] == "h"


def test_visible_dateline_byline_and_tags_without_any_meta():
    m = meta_of("visible_only.html")
    assert m.title == "ارتفاع أسعار الخبز في الأسواق المحلية"
    # the dateline under the headline, not the "today" date in the top bar; Arabic-Indic digits, م = PM
    assert m.published == "2024-05-14T21:45:00"
    assert m.published_raw == "الثلاثاء ١٤ أيار/مايو ٢٠٢٤ - ٠٩:٤٥ م"
    assert m.authors == ["منى عبد الرحمن"]  # "كتبت" prefix removed
    assert m.tags == ["الخبز", "الأسعار"]


def test_last_update_dateline_is_modified_and_url_gives_published():
    m = meta_of("updated_dateline.html")
    assert m.title == "اشتباكات عنيفة في ريف المدينة"
    assert m.modified == "2013-08-28T14:00:00+04:00"
    assert m.published == "2013-08-03"
    assert m.authors == []


def test_english_page_parsely_and_byline():
    m = meta_of("english_page.html")
    assert m.title == "City council approves new bike lanes"
    assert m.published == "2024-05-20T14:05:00+00:00"
    assert m.authors == ["Jane Doe", "John Roe"]
    assert m.section == "Local"
    assert m.tags == ["transport", "cycling"]


def test_liveblog_and_organisation_author():
    m = meta_of("liveblog.html")
    assert m.kind == "liveblog"
    assert m.is_article is True
    assert m.authors == ["شبكة المثال"]  # legalName of the Organization; no person credited
    assert m.published == "2024-05-20T06:00:00+00:00"


def test_section_page_is_not_an_article():
    m = meta_of("section_page.html")
    assert m.is_article is False
    assert m.published is None


def test_youm7_style_z_meta_kept():
    html = """<html><head><meta charset="utf-8">
    <meta property="og:title" content="وزارة العمل: تفاصيل تسفير عمال لليونان - اليوم السابع">
    <meta property="og:site_name" content="اليوم السابع">
    <meta property="article:published_time" content="2024-05-20T07:00:00Z">
    <meta property="article:modified_time" content="2024-05-20T07:00:00Z">
    <link rel="canonical" href="https://www.youm7.com/story/2024/5/20/x/6574622"></head>
    <body><h1>وزارة العمل: تفاصيل تسفير عمال لليونان</h1><h1>اليوم السابع</h1>
    <span class="newsStoryDate">الإثنين، 20 مايو 2024 07:00 ص</span><span class="writeBy">كتبت آية دعبس</span>
    </body></html>"""
    m = extract_metadata(LexborHTMLParser(html), "", NOW)
    assert m.title == "وزارة العمل: تفاصيل تسفير عمال لليونان"
    assert m.published == "2024-05-20T07:00:00+00:00"
    assert m.modified == "2024-05-20T07:00:00+00:00"
    assert m.authors == ["آية دعبس"]


def test_modified_before_published_is_ignored():
    html = """<html><head>
    <meta property="article:published_time" content="2020-02-18T03:25:00Z">
    <meta property="article:modified_time" content="2020-02-18T03:00:30Z">
    <meta itemprop="dateModified" property="article:modified" content="2020-02-18T03:25:00Z">
    </head><body><h1>عنوان الخبر هنا</h1></body></html>"""
    m = extract_metadata(LexborHTMLParser(html), "", NOW)
    assert m.modified == "2020-02-18T03:25:00+00:00"


def test_person_named_like_the_site_is_an_organisation():
    html = """<html><head><meta property="og:site_name" content="UrduPoint">
    <script type="application/ld+json">{"@type":"NewsArticle","headline":"فخر اور رضوان کا لاٹھی چارج",
    "author":{"@type":"Person","name":"UrduPoint"}}</script></head>
    <body><h1>فخر اور رضوان کا لاٹھی چارج</h1>
    <p class="info"><span><img width="40" height="40" alt="Zeeshan Mehtab" src="a.png"> ذیشان مہتاب </span></p>
    </body></html>"""
    m = extract_metadata(LexborHTMLParser(html), "", NOW)
    assert m.authors == ["ذیشان مہتاب"]


def test_byline_joined_with_waw_is_split_into_people():
    html = """<html><head><script type="application/ld+json">{"@type":"NewsArticle","headline":"عنوان",
    "author":{"@type":"Person","name":"كايلا إبستين وأنجليكا كاساس"}}</script></head><body></body></html>"""
    assert extract_metadata(LexborHTMLParser(html), "", NOW).authors == ["كايلا إبستين", "أنجليكا كاساس"]
    html2 = html.replace("كايلا إبستين وأنجليكا كاساس", "وليد محمد")
    assert extract_metadata(LexborHTMLParser(html2), "", NOW).authors == ["وليد محمد"]


def test_strip_site_name():
    assert strip_site_name("إيران مباشر.. ترمب | أخبار | الجزيرة نت", ["الجزيرة نت"]) == "إيران مباشر.. ترمب"
    assert strip_site_name("معارضون يسيطرون على مخازن - CNNArabic.com", ["CNNArabic"]) == "معارضون يسيطرون على مخازن"
    assert strip_site_name("مصر - السودان: مباحثات حول مياه النيل اليوم", []) == "مصر - السودان: مباحثات حول مياه النيل اليوم"


def test_yoast_graph_author_by_reference_and_webpage_dates():
    html = """<html><head><script type="application/ld+json">{"@context":"https://schema.org","@graph":[
    {"@type":"WebPage","@id":"https://ex.com/a/#webpage","datePublished":"2024-05-20T09:00:00+03:00"},
    {"@type":"Person","@id":"https://ex.com/#/schema/person/1","name":"هالة يوسف"},
    {"@type":"Article","@id":"https://ex.com/a/#article","headline":"عنوان المقال الطويل هنا",
     "author":{"@id":"https://ex.com/#/schema/person/1"},"datePublished":"2024-05-20T09:00:00+03:00",
     "image":{"@id":"https://ex.com/a/#primaryimage"}},
    {"@type":"ImageObject","@id":"https://ex.com/a/#primaryimage","url":"https://ex.com/img/1.jpg"}]}</script>
    </head><body><h1>عنوان المقال الطويل هنا</h1></body></html>"""
    m = extract_metadata(LexborHTMLParser(html), "https://ex.com/a/", NOW)
    assert m.authors == ["هالة يوسف"]
    assert m.image == "https://ex.com/img/1.jpg"
    assert m.published == "2024-05-20T09:00:00+03:00"


def test_hijri_dateline_keeps_raw_text():
    html = """<html><head><title>خبر عن الحج - موقع المثال</title></head><body>
    <div class="article"><h1>خبر عن الحج</h1><div class="date">الإثنين 12 ذو القعدة 1445 هـ</div>
    <p>نص الخبر.</p></div></body></html>"""
    m = extract_metadata(LexborHTMLParser(html), "", NOW)
    assert m.published == "2024-05-20"
    assert m.published_raw == "الإثنين 12 ذو القعدة 1445 هـ"


def test_relative_dateline_uses_reference_time():
    html = """<html><body><div class="post"><h1>عاجل: انقطاع الكهرباء في عدة أحياء</h1>
    <span class="time-ago">منذ ساعتين</span></div></body></html>"""
    m = extract_metadata(LexborHTMLParser(html), "", NOW)
    assert m.published == "2024-06-02T10:00:00+00:00"


def test_section_from_current_menu_item():
    wp = """<html><body><ul class="menu"><li class="menu-item"><a href="/">الرئيسية</a></li>
    <li class="menu-item current-post-ancestor current-menu-parent"><a href="/category/arts/">فن و متفرقات</a></li></ul>
    <h1>عنوان الخبر الفني هنا</h1></body></html>"""
    assert extract_metadata(LexborHTMLParser(wp), "https://ex.com/2020/11/123/", NOW).section == "فن و متفرقات"
    active = """<html><body><ul><li><a class="nav-on" href="/world/">العالم</a></li>
    <li><a class="active" href="/sport/">رياضة</a></li></ul><h1>عنوان</h1></body></html>"""
    # the active link must be part of the article URL: /sport/ is not, /world/ is
    assert extract_metadata(LexborHTMLParser(active), "https://ex.com/2013/world/8/3/x.html", NOW).section == "العالم"
    assert extract_metadata(LexborHTMLParser(active), "https://ex.com/2013/news/8/3/x.html", NOW).section is None


def test_tag_chips_with_text_beside_empty_links_and_no_category_chip():
    html = """<html><head><meta property="article:section" content="منوعات"></head><body><h1>عنوان</h1>
    <div class="article_details_tags"><div class="chip"><h3><a href="/c/1"></a>
        منوعات
    </h3></div><div class="chip"><h3><a href="/t/2"></a>
        ترامب
    </h3></div><div class="chip"><h3><a href="/t/3"></a> الجمهور </h3></div></div></body></html>"""
    assert extract_metadata(LexborHTMLParser(html), "", NOW).tags == ["ترامب", "الجمهور"]


# --- fast paths: each must give what the plain formulation gives -----------------------------------------------

NESTED_PAGE = """<html><body><div class="outer-meta"><section class="byline-box">
<div class="post-date">12 مايو 2024</div><div id="x"><h1>العنوان</h1><span class="Author">كتب: فلان الفلاني</span></div>
<div class="date-time"><a class="author" href="#">ليلى</a></div></section>
<aside class="crumbs"><a href="/">الرئيسية</a><div class="crumb"><a class="crumb" href="/s">سياسة</a></div></aside>
</div><footer class="meta"><p class="timestamp">منذ ساعة</p><a class="crumb-link">x</a></footer></body></html>"""


def test_css_nested_matches_one_query_per_scope():
    from newsbot.extract.metadata.bylines import _BYLINE_NODES
    from newsbot.extract.metadata.common import ancestors, css_nested
    from newsbot.extract.metadata.pagedates import _DATE_NODES

    tree = LexborHTMLParser(NESTED_PAGE)
    h1 = tree.css_first("h1")
    for scopes in (ancestors(h1, 6), [*ancestors(h1, 2), tree.body], [h1, tree.css_first("footer")]):
        for sel in (_DATE_NODES, _BYLINE_NODES, "a", "p, span"):
            expected = [[n.mem_id for n in s.css(sel)] for s in scopes]
            assert [[n.mem_id for n in found] for found in css_nested(scopes, sel)] == expected


def test_links_below_boxes_matches_descendant_selector():
    from newsbot.extract.metadata.common import links_below

    tree = LexborHTMLParser(NESTED_PAGE)
    for limit in (1, 2, 12):
        expected = [n.mem_id for n in tree.css('[class*="crumb" i] a')[:limit]]
        assert [n.mem_id for n in links_below(tree, '[class*="crumb" i]', limit)] == expected


@pytest.mark.parametrize("raw", [
    "كتب: فلان", "  \u200fكـتب فلان", "بقلم سامر", "حوار: ليلى", "إعداد: فريق", "ا\u0655عداد: فريق", "تقرير: س",
    "By Jane Smith", "written by Jane", "AUTHOR: Jane", "\ufedb\ufe98\ufe92 فلان", "\n\t by Omar Ali",
])
def test_byline_first_letter_filter_keeps_bylines(raw):
    from newsbot.extract.metadata.bylines import _BYLINE_PREFIX, _may_start_byline

    text = clean_line(raw)
    assert _BYLINE_PREFIX.match(text) or re.match(r"^\s*by\s+[A-Z]", text)
    assert _may_start_byline(raw)


@pytest.mark.parametrize("raw", ["قال الوزير إن", "  \u200b  ", "", "The minister said", "١٢ مايو"])
def test_byline_first_letter_filter_drops_other_text(raw):
    from newsbot.extract.metadata.bylines import _may_start_byline

    assert not _may_start_byline(raw)


@pytest.mark.parametrize("html, expected", [
    ("<p><strong>By</strong> Jane Smith</p>", True),  # the first child is an element: the whole text decides
    ("<p>  \u200b <b>كتب</b> فلان</p>", True),  # the first text child has no letter: what follows decides
    ("<p>بقلم سامر</p>", True),
    ("<p>The minister said <b>by</b> then</p>", False),
    ("<p>قال الوزير <span>كتب</span></p>", False),
])
def test_byline_filter_on_a_node_agrees_with_its_whole_text(html, expected):
    from selectolax.lexbor import LexborHTMLParser

    from newsbot.extract.metadata.bylines import _may_open_byline, _may_start_byline

    node = LexborHTMLParser(html).css_first("p")
    assert _may_open_byline(node) is expected
    assert bool(_may_start_byline(node.text(deep=True, separator=" "))) is expected
