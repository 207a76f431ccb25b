"""URL and page classification on realistic Arabic news URLs (registry sites' URL shapes and the corpus)."""

from __future__ import annotations

import csv

import pytest

from spiders.classify import RECORD_KINDS, classify_page, classify_url
from spiders.discovery.links import page_links
from spiders.registry import Site, load_registry

# (url, kind): labels written by hand from how these sites lay out their URLs
URLS = [
    # articles: dated paths, numeric ids, long slugs
    ("https://www.aljazeera.net/news/2024/5/20/%d8%a7%d9%84%d8%a3%d9%85%d9%85-%d8%a7%d9%84%d9%85%d8%aa%d8%ad%d8%af%d8%a9", "article"),
    ("https://www.aljazeera.net/politics/2024/5/20/الحرب-على-غزة-يومها", "article"),
    ("https://www.alarabiya.net/arab-and-world/2024/05/20/مقتل-الرئيس-الإيراني", "article"),
    ("https://www.skynewsarabia.com/middle-east/1714567-%D8%A7%D9%84%D8%AC%D9%8A%D8%B4", "article"),
    ("https://www.skynewsarabia.com/world/1714568-ماذا-نعرف-عن-الانتخابات", "article"),
    ("https://www.bbc.com/arabic/articles/c720dxj8dq8o", "article"),
    ("https://www.bbc.com/arabic/middleeast-68123456", "article"),
    ("http://www.bbc.co.uk/arabic/sports/2013/06/130624_wimbledon_nadal_exits.shtml", "article"),
    ("https://www.france24.com/ar/الشرق-الأوسط/20240520-مقتل-الرئيس-الإيراني", "article"),
    ("https://www.dw.com/ar/ألمانيا-تستضيف-مؤتمرا/a-69123456", "article"),
    ("https://arabic.rt.com/middle_east/1565432-مصدر-عسكري/", "article"),
    ("https://arabic.cnn.com/middle-east/article/2024/05/20/iran-president-helicopter", "article"),
    ("http://arabic.cnn.com/2013/middle_east/8/3/syria.clashes/index.html", "article"),
    ("https://aawsat.com/العالم-العربي/المشرق-العربي/4998765-لبنان", "article"),
    ("https://www.alquds.co.uk/%d8%ba%d8%b2%d8%a9-%d9%82%d8%b5%d9%81-%d9%85%d8%aa%d9%88%d8%a7%d8%b5%d9%84-%d8%b9%d9%84%d9%89-%d8%b1%d9%81%d8%ad/", "article"),
    ("https://www.independentarabia.com/node/567890/سياسة/العالم-العربي/الحرب", "article"),
    ("https://www.youm7.com/story/2024/5/20/وزارة-العمل-تفاصيل-تسفير-5-آلاف-عامل-مصرى-لليونان-للعمل/6574622", "article"),
    ("https://gate.ahram.org.eg/News/4789012.aspx", "article"),
    ("https://www.almasryalyoum.com/news/details/3145678", "article"),
    ("https://www.shorouknews.com/news/view.aspx?cdate=20052024&id=a1b2c3d4-5678-90ab-cdef-1234567890ab", "article"),
    ("https://www.hespress.com/%d8%a7%d9%84%d8%ad%d9%83%d9%88%d9%85%d8%a9-%d8%aa%d8%b5%d8%a7%d8%af%d9%82-1234567.html", "article"),
    ("https://www.echoroukonline.com/%d8%aa%d8%a8%d9%88%d9%86-%d9%8a%d8%b3%d8%aa%d9%82%d8%a8%d9%84-%d8%b1%d8%a6%d9%8a%d8%b3", "article"),
    ("https://www.elkhabar.com/press/article/234567/", "article"),
    ("http://www.assabah.com.tn/article/164913/الناشط-الحقوقي", "article"),
    ("https://www.lbcgroup.tv/news/lifestyle/898682/شعر-وردي/ar", "article"),
    ("https://al-akhbar.com/Politics/378901", "article"),
    ("https://royanews.tv/news/321456", "article"),
    ("https://alrai.com/article/10834567/محليات/الملك-يلتقي", "article"),
    ("https://www.alriyadh.com/2065432", "article"),
    ("https://www.okaz.com.sa/news/local/2161234", "article"),
    ("https://www.alkhaleej.ae/2024-05-20/%D8%AE%D8%A8%D8%B1/%D8%B3%D9%8A%D8%A7%D8%B3%D8%A9", "article"),
    ("https://www.albayan.ae/world/arab/2024-05-20-1.4890123", "article"),
    ("https://www.alsumaria.tv/news/289456/%D8%A7%D9%84%D8%B9%D8%B1%D8%A7%D9%82", "article"),
    ("https://www.rudaw.net/arabic/middleeast/iraq/200520241", "article"),
    ("https://www.aa.com.tr/ar/الدول-العربية/مقتل-فلسطينيين/3224567", "article"),
    ("https://www.beirutobserver.com/2020/11/2338761/", "article"),
    ("http://klmty.net/476092-بالفيديو____مصطفى_بكري.html", "article"),
    ("https://stadelahly.net/2021/08/02/%d9%86%d9%8a%d9%85%d8%a7%d8%b1-85/", "article"),
    ("https://www.elbilad.net/national/%D9%88%D8%B2%D9%8A%D8%B1-%D8%A7%D9%84%D8%B5%D8%AD%D8%A9-%D9%8A%D8%B7%D9%85%D8%A6%D9%86", "article"),
    ("https://www.hespress.com/?p=1234567", "article"),
    ("https://www.example-news.com/news.php?id=45678", "article"),
    ("https://www.almasryalyoum.com/news/details/3145678?utm_source=rss", "article"),
    ("https://www.example-news.com/news/2026/03/02/rss-story-about-water-talks", "article"),  # not a feed
    ("https://www.example-news.com/2024/05/20/feed-the-hungry-campaign-launched", "article"),
    ("https://www.example-news.com/sport/atom-heart-wins-derby-1234567", "article"),
    # liveblogs
    ("https://www.aljazeera.net/news/liveblog/2024/5/20/مباشر-الحرب-على-غزة", "liveblog"),
    ("https://www.aljazeera.net/news/liveblog/2026/7/28/", "liveblog"),
    ("https://www.bbc.com/arabic/live/c4nn0v5d3w2t", "liveblog"),
    ("https://www.france24.com/ar/live-news/20240520-مباشر-تطورات", "liveblog"),
    ("https://www.independentarabia.com/liveblog/567891/تغطية-مباشرة", "liveblog"),
    # sections (listings)
    ("https://www.aljazeera.net/", "section"),
    ("https://www.aljazeera.net/news/", "section"),
    ("https://www.alarabiya.net/politics", "section"),
    ("https://www.bbc.com/arabic", "section"),
    ("https://www.skynewsarabia.com/middle-east", "section"),
    ("https://www.youm7.com/Section/أخبار-عاجلة/65/1", "section"),
    ("https://www.hespress.com/politique", "section"),
    ("https://www.alquds.co.uk/category/%d8%b1%d8%a3%d9%8a/", "section"),
    ("https://www.alquds.co.uk/category/opinion/page/3/", "section"),
    ("https://www.okaz.com.sa/news/local", "section"),
    ("https://www.dw.com/ar/الرئيسية/s-9106", "section"),
    ("https://www.annahar.com/arabic/section/76-لبنان", "section"),
    ("https://www.alkhaleej.ae/section/1110/سياسة", "section"),
    ("https://www.echoroukonline.com/sport", "section"),
    ("https://www.example-news.com/politics/page/2/", "section"),
    ("https://www.example-news.com/archive/2024/05/", "section"),
    ("https://www.example-news.com/2024/05/20/", "section"),  # a day archive
    ("https://www.example-news.com/2024/05/20/page/2/", "section"),
    ("https://www.example-news.com/2024/05/", "section"),
    # tags, authors
    ("https://www.aljazeera.net/tag/gaza", "tag"),
    ("https://www.aljazeera.net/where/mideast/palestine/", "section"),
    ("https://www.youm7.com/Tags/Index?id=12345&tag=الأهلي", "tag"),
    ("https://www.hespress.com/tag/%d8%a7%d9%84%d8%ad%d9%83%d9%88%d9%85%d8%a9", "tag"),
    ("https://www.alarabiya.net/topics/الانتخابات-الأمريكية", "tag"),
    ("https://www.alquds.co.uk/author/ibrahim/", "author"),
    ("https://aawsat.com/writers/45678/سمير-عطا-الله", "author"),
    ("https://www.youm7.com/Writer/1234/دندراوى-الهوارى", "author"),
    ("https://www.aljazeera.net/author/ahmed_mansour", "author"),
    # media
    ("https://www.aljazeera.net/video/2024/5/20/شاهد-لحظة-سقوط", "video"),
    ("https://www.skynewsarabia.com/video/1714570-فيديو-الحريق", "video"),
    ("https://www.youm7.com/videos/2024/5/20/فيديو", "video"),
    ("https://arabic.cnn.com/videos", "video"),
    ("https://www.alarabiya.net/gallery/2024/05/20/صور-العاصفة", "gallery"),
    ("https://www.youm7.com/photos/2024/5/20/صور", "gallery"),
    # search
    ("https://www.aljazeera.net/search/غزة", "search"),
    ("https://www.hespress.com/?s=%D8%A7%D9%84%D8%AD%D9%83%D9%88%D9%85%D8%A9", "search"),
    ("https://www.youm7.com/Home/Search?allwords=مصر", "search"),
    ("https://www.alarabiya.net/search?q=إيران", "search"),
    # feeds and sitemaps
    ("https://www.hespress.com/feed", "feed"),
    ("https://www.alquds.co.uk/feed/", "feed"),
    ("https://feeds.bbci.co.uk/arabic/rss.xml", "feed"),
    ("https://www.aljazeera.net/aljazeerarss/a7c186be-1baa-4bd4-9d80-a84db769f779/73d0e1b4-532f-45ef-b135-bfdff8b8cab9", "feed"),
    ("https://rss.dw.com/rdf/rss-ar-all", "feed"),
    ("https://www.alarabiya.net/.mrss/ar.xml", "feed"),
    ("https://www.youm7.com/rss/SectionRss?SectionID=65", "feed"),
    ("https://www.hespress.com/sitemap_index.xml", "sitemap"),
    ("https://www.aljazeera.net/news-sitemap.xml", "sitemap"),
    ("https://www.example-news.com/sitemaps/2024-05.xml.gz", "sitemap"),
    ("https://www.example-news.com/post-sitemap12.xml", "sitemap"),
    # static assets
    ("https://www.aljazeera.net/wp-content/uploads/2024/05/photo-1716191234.jpg?resize=770%2C513", "static"),
    ("https://www.youm7.com/Content/css/style.min.css?v=1234567", "static"),
    ("https://www.alarabiya.net/assets/js/main.bundle.js", "static"),
    ("https://www.example-news.com/files/report-2024-05-20.pdf", "static"),
    ("https://img.youm7.com/ArticleImgs/2024/5/20/12345-صورة.JPEG", "static"),
    ("https://www.example-news.com/fonts/Cairo-Regular.woff2", "static"),
    # service pages and others
    ("https://www.aljazeera.net/about-us", "other"),
    ("https://www.hespress.com/contact", "other"),
    ("https://www.alquds.co.uk/privacy-policy/", "other"),
    ("https://www.skynewsarabia.com/terms-الشروط-والأحكام", "other"),
    ("https://stadelahly.net/wp-login.php?action=lostpassword", "other"),
    ("mailto:news@aljazeera.net", "other"),
    ("ftp://ftp.example-news.com/archive/2024/05/20/story-1234567", "other"),
    ("not a url", "other"),
]  # fmt: skip


@pytest.mark.parametrize("url,kind", URLS)
def test_classify_url_table(url, kind):
    assert classify_url(url) == kind


def test_table_covers_every_kind():
    assert {k for _, k in URLS} == {
        "article", "liveblog", "section", "tag", "author", "video", "gallery", "search", "feed", "sitemap", "static",
        "other",
    }  # fmt: skip


def _site(patterns: list[str]) -> Site:
    return Site(
        slug="x", name="x", homepage="https://x.com/", allowed_domains=["x.com"], country="", region="unknown",
        feeds=[], sitemaps=[], article_patterns=patterns, profile=None, verified=False, politeness={},
    )  # fmt: skip


def test_site_article_patterns_win_over_generic_rules():
    url = "https://x.com/politics/short"  # generic rules: a section
    assert classify_url(url) == "section"
    assert classify_url(url, _site([r"/politics/short$"])) == "article"
    assert classify_url(url, _site([r"/nomatch/"])) == "section"
    # patterns are also tried on the percent-decoded URL, so they can be written in Arabic
    arabic = "https://x.com/%D8%AE%D8%A8%D8%B1/12"
    assert classify_url(arabic, _site([r"/خبر/\d+$"])) == "article"


def test_registry_patterns_match_their_own_sites():
    reg = load_registry()
    cases = {
        "youm7": "https://www.youm7.com/story/2024/5/20/وزارة-العمل/6574622",
        "aljazeera": "https://www.aljazeera.net/news/2024/5/20/slug",
        "bbc-arabic": "https://www.bbc.com/arabic/articles/c720dxj8dq8o",
        "dw-arabic": "https://www.dw.com/ar/x/a-69123456",
        "hespress": "https://www.hespress.com/slug-1234567.html",
        "alriyadh": "https://www.alriyadh.com/2065432",
        "assabah-tn": "http://www.assabah.com.tn/article/164913/x",
        "lbci": "https://www.lbcgroup.tv/news/lifestyle/898682/x/ar",
    }
    for slug, url in cases.items():
        site = reg[slug]
        assert site.allows(url), slug
        assert classify_url(url, site) == "article", slug
        # and a section page of the same site is not taken for an article
        assert classify_url(site.homepage, site) == "section", slug
    live = "https://www.aljazeera.net/news/liveblog/2024/5/20/مباشر"
    assert classify_url(live, reg["aljazeera"]) == "liveblog"


@pytest.mark.corpus
def test_corpus_article_urls_are_articles(corpus):
    with open(corpus / "MANIFEST.tsv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    pages = [r for r in rows if r["file"].startswith("pages/") and r["url"].startswith("http")]
    assert len(pages) >= 10
    for row in pages:
        expected = "liveblog" if "liveblog" in row["file"] else "article"
        assert classify_url(row["url"]) == expected, row["url"]
    homes = [r for r in rows if r["file"].startswith("listing/") and "__home" in r["file"]]
    for row in homes:
        assert classify_url(row["url"]) == "section", row["url"]


@pytest.mark.corpus
def test_links_of_a_real_home_page(corpus):
    html = (corpus / "listing" / "elbilad-dz__home-2021-mojibake.html").read_bytes().decode("utf-8", "replace")
    kinds = [classify_url(u) for u in page_links(html, "https://www.elbilad.net") if "elbilad.net" in u]
    assert kinds.count("article") >= 20
    assert kinds.count("section") >= 5
    assert "tag" in kinds and "video" in kinds


# ------------------------------------------------------------------------------------ classify_page
ARTICLE = "https://www.hespress.com/%d8%a7%d9%84%d8%ad%d9%83%d9%88%d9%85%d8%a9-1234567.html"
LIVE = "https://www.aljazeera.net/news/liveblog/2024/5/20/مباشر"
SECTION = "https://www.hespress.com/politique"
TAG = "https://www.hespress.com/tag/x"


@pytest.mark.parametrize(
    "url,is_article,hint,words,density,kind",
    [
        (ARTICLE, True, None, 600, 0.05, "article"),
        (ARTICLE, True, "liveblog", 600, 0.05, "liveblog"),
        (LIVE, True, None, 90, 0.2, "liveblog"),
        (LIVE, None, "liveblog", 300, None, "liveblog"),
        (SECTION, True, None, 30, 0.8, "section"),  # og:type=article stamped on a listing
        (SECTION, True, None, 700, 0.05, "article"),  # a long text on a short URL that says it is an article
        (TAG, True, None, 20, None, "tag"),
        (SECTION, False, None, 40, 0.9, "section"),
        ("https://x.com/weird/path/x1", False, None, 40, 0.9, "section"),  # website: a listing
        (TAG, False, None, 40, 0.9, "tag"),
        (ARTICLE, False, None, 700, 0.03, "article"),  # og:type=website on every page of the site
        (ARTICLE, False, None, 100, 0.03, "section"),
        (ARTICLE, None, None, 400, None, "article"),
        (ARTICLE, None, None, 20, None, "other"),  # an article URL with no text: an error page, a stub
        (ARTICLE, None, None, 400, 0.7, "section"),
        ("https://x.com/a/b/c/d", None, None, 500, 0.05, "article"),
        ("https://x.com/a/b/c/d", None, None, 30, 0.05, "other"),
        ("https://x.com/p/aaa", None, None, 500, 0.05, "article"),
        ("https://x.com/p/aaa", None, None, 500, None, "section"),
        (SECTION, None, None, 50, 0.9, "section"),
        ("https://www.aljazeera.net/video/2024/5/20/x", None, "video", 50, None, "video"),
        ("https://x.com/a.jpg", None, None, 0, None, "static"),
    ],
)  # fmt: skip
def test_classify_page(url, is_article, hint, words, density, kind):
    assert classify_page(url, is_article=is_article, kind_hint=hint, body_words=words, link_density=density) == kind


def test_record_kinds():
    assert RECORD_KINDS == {"article", "liveblog"}


def test_page_kind_reads_the_page_and_says_why():
    from newsbot.extract import parse_page
    from spiders.classify import page_kind
    from spiders.pageanalysis import page_outcome

    paras = "".join(f"<p>The harbour plan, part {i}, was approved by the council after a long debate about homes, "
                    "parks and the berths of the fishing fleet on the old quay.</p>" for i in range(6))
    html = ('<html><head><meta property="og:type" content="article"><title>Harbour plan</title></head>'
            f"<body><article><h1>Harbour plan approved</h1>{paras}</article></body></html>")
    verdict = page_kind(SECTION, parse_page(html).tree, 120)
    assert classify_url(SECTION) == "section"
    assert verdict.kind == "article" and "og:type article" in verdict.reason
    out = page_outcome(html.encode(), SECTION, {}, "hespress", url_kind="section", want_record=True,
                       links_of_articles=False)
    assert out.record is not None and out.kind == "article" and "og:type article" in out.kind_reason
