"""What a URL (or a fetched page) is: article, liveblog, section, tag, author, video, ...

`classify_url` decides from the URL's shape alone, before fetching, so the spider can prioritise
article URLs and skip assets; after extraction `page_kind` asks newsbot.extract.pagekind, where the page's
own claim and prose decide and the URL's look is evidence. Only "article" and "liveblog" pages become records.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Literal, cast
from urllib.parse import parse_qsl, unquote, urlsplit

from selectolax.lexbor import LexborHTMLParser

from newsbot.extract.pagekind import RECORD_KINDS, Claim, Verdict, claim_of, decide, link_density
from newsbot.lexicon import words

__all__ = ["RECORD_KINDS", "PageKind", "classify_page", "classify_url", "page_kind"]

if TYPE_CHECKING:
    from spiders.registry import Site

PageKind = Literal[
    "article", "liveblog", "section", "tag", "author", "video", "gallery", "search", "feed", "sitemap", "static",
    "other",
]  # fmt: skip

_STATIC_EXT = re.compile(
    r"\.(jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|css|js|mjs|map|json|pdf|docx?|xlsx?|pptx?|zip|rar|7z|gz|tgz|"
    r"mp3|mp4|m4a|m4v|webm|ogg|ogv|wav|avi|mov|flv|wmv|woff2?|ttf|eot|otf|apk|exe|dmg|swf|txt|csv)$",
    re.I,
)
_FEED_PATH = re.compile(r"(^|/)\.?(m?rss|feeds?|atom|rdf|aljazeerarss|rssfeeds?)(/|$|\.)|\.(rss|atom|rdf)$", re.I)
_FEED_HOST = re.compile(r"^(rss|feeds?)\.", re.I)
_SITEMAP_PATH = re.compile(r"sitemap|\.xml\.gz$", re.I)
_SEARCH_PATH = re.compile(r"(^|/)(search|بحث|recherche|find)(/|$|\.)", re.I)
_SEARCH_PARAMS = {"q", "s", "query", "search", "keyword", "keywords", "searchtext", "term", "w"}


def _segment_words(kind: str) -> frozenset[str]:
    """URL path words of one kind, as newsbot/lexicon/navigation.toml lists them."""
    return frozenset(words("navigation", f"url_segments.{kind}", folded=False))


_LIVE_SEG = _segment_words("live")
_TAG_SEG = _segment_words("tag")
_AUTHOR_SEG = _segment_words("author")
_VIDEO_SEG = _segment_words("video")
_GALLERY_SEG = _segment_words("gallery")
_SECTION_SEG = _segment_words("section")
_SERVICE_SEG = _segment_words("service")  # service pages: never articles, not listings either
_SERVICE_WORDS = _segment_words("service_words")  # first words of service-page slugs ("about-الجزيرة")
_SECTION_ID = re.compile(r"^(s|c|cat|section|sec)-\d+$", re.I)
_PAGINATION = re.compile(r"(^|/)page/\d+/?$", re.I)
_DATE_PATH = re.compile(r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(/|$|[-_])")
_YEAR_MONTH_PATH = re.compile(r"/(19|20)\d{2}/(0?[1-9]|1[0-2])/[^/]+")
_ID_IN_SEG = re.compile(r"(^|[^0-9])\d{4,}([^0-9]|$)")
_ID_PARAMS = {
    "id",
    "p",
    "nid",
    "newsid",
    "news_id",
    "articleid",
    "article_id",
    "article",
    "sid",
    "storyid",
    "aid",
    "cid",
}
_OPAQUE_ID = re.compile(r"^[a-z]{1,3}\d[a-z0-9]{6,}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_ARTICLE_SEG = _segment_words("article")


def _segments(path: str) -> list[str]:
    return [s for s in unquote(path).split("/") if s]


_PAGE_EXT = re.compile(r"\.(s?html?|php\d?|aspx?|jsp|cms)$", re.I)
_ARABIC = re.compile(r"[\u0600-\u06ff]")


def _is_slug(seg: str) -> bool:
    """A headline slug: several words joined by '-' or '_', or a long run of text. Arabic section names
    are one or two words ("أخبار-عاجلة"), Latin ones up to three ("arab-and-world")."""
    core = _PAGE_EXT.sub("", seg)
    words = [w for w in re.split(r"[-_+]+|%20| ", core) if w]
    needed = 3 if _ARABIC.search(core) else 4
    return len(words) >= needed or (len(core) >= 35 and not core.isdigit())


def _is_service(seg: str) -> bool:
    core = _PAGE_EXT.sub("", seg)
    if core in _SERVICE_SEG or seg in _SERVICE_SEG:
        return True
    words = [w for w in re.split(r"[-_]+", core) if w]
    return bool(words) and words[0] in _SERVICE_WORDS and len(words) <= 4


def _has_id(seg: str) -> bool:
    core = re.sub(r"\.(html?|php|aspx?|jsp|cms)$", "", seg, flags=re.I)
    # years alone (/2024) are not ids; a 4-digit number is only an id when it is not a plausible year
    if core.isdigit():
        return len(core) >= 5 or (len(core) == 4 and not 1990 <= int(core) <= 2099)
    return bool(_ID_IN_SEG.search(core))


def classify_url(url: str, site: Site | None = None) -> PageKind:
    """The kind of page a URL points to, from its shape only (site.article_patterns win when given)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "other"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "other"
    if site is not None and site.article_patterns and (kind := _site_pattern_kind(url, site)) is not None:
        return kind
    path = parts.path or "/"
    query = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
    if (kind := _document_kind(path, parts.hostname, query)) is not None:
        return kind
    segs = _segments(path)
    if _PAGINATION.search(path):
        segs = segs[:-2]  # /politics/page/2 is the politics section
        path = "/" + "/".join(segs) + "/"
        if not segs:
            return "section"
    low = [s.lower() for s in segs]
    if (kind := _segment_word_kind(segs, low)) is not None:
        return kind
    if _looks_like_article(path, segs, low, query):
        return "article"
    if not segs:
        return "section"  # the homepage: a listing
    if len(segs) <= 3 and all(len(s) <= 30 and not _is_slug(s) and not _has_id(s) for s in segs):
        return "section"
    return "other"


def _site_pattern_kind(url: str, site: Site) -> PageKind | None:
    decoded = unquote(url)
    for pattern in site.compiled_patterns:
        if pattern.search(url) or pattern.search(decoded):
            # a site's article pattern also covers its liveblogs (/news/liveblog/2024/5/20/...)
            return "liveblog" if _is_live(_segments(urlsplit(url).path)) else "article"
    return None


def _document_kind(path: str, host: str, query: dict[str, str]) -> PageKind | None:
    """sitemap, feed, static (assets, documents) or search, when the URL is one of those; else None."""
    if _SITEMAP_PATH.search(path):
        return "sitemap"
    if _FEED_PATH.search(path) or (_FEED_HOST.match(host) and not _STATIC_EXT.search(path)):
        return "feed"
    if _STATIC_EXT.search(path):
        return "static"
    segs = _segments(path)
    if segs and segs[-1].lower().endswith(".xml"):
        return "sitemap"
    if _SEARCH_PATH.search(path) or (_SEARCH_PARAMS & query.keys() and not (_ID_PARAMS & query.keys())):
        return "search"
    return None


# path words that name a kind whatever else the path holds, in the order they are tried
_SEGMENT_KINDS: tuple[tuple[frozenset[str], PageKind], ...] = (
    (_TAG_SEG, "tag"), (_AUTHOR_SEG, "author"), (_GALLERY_SEG, "gallery"), (_VIDEO_SEG, "video"),
    (_SECTION_SEG, "section"),
)


def _segment_word_kind(segs: list[str], low: list[str]) -> PageKind | None:
    """The kind the path's words say (live, tag, author, gallery, video, section, a service page), or None."""
    if _is_live(segs):
        return "liveblog"
    for seg_words, kind in _SEGMENT_KINDS:
        if any(s in seg_words for s in low):
            return kind
    if low and _is_service(low[-1]):
        return "other"
    if low and _SECTION_ID.match(low[-1]):
        return "section"  # DW-style /ar/<name>/s-9106 (articles there are a-69123456)
    return None


def _is_live(segs: list[str]) -> bool:
    # a live segment with something after it (a bare /live is the TV stream page)
    low = [s.lower() for s in segs[:-1]]
    return any(s in _LIVE_SEG or s.startswith(("live-", "liveblog")) or s.endswith("-live") for s in low)


def _looks_like_article(path: str, segs: list[str], low: list[str], query: dict[str, str]) -> bool:
    if not segs:
        return bool(_ID_PARAMS & query.keys() and any(v.isdigit() and len(v) >= 3 for v in query.values()))
    if _DATE_PATH.search(unquote(path)):
        # a date path alone (/2024/05/20/) is a day archive; an article has something after the date
        tail = re.split(_DATE_PATH, unquote(path), maxsplit=1)[-1].strip("/")
        return bool(tail) and (not tail.isdigit() or len(tail) >= 4)
    if _dated_story(low):
        return True
    if _YEAR_MONTH_PATH.search(unquote(path)) and (_is_slug(segs[-1]) or _has_id(segs[-1])):
        return True
    if any(_has_id(s) for s in segs):
        return True
    if any(_is_slug(s) for s in segs):
        return True
    if len(low) >= 2 and low[-2] in _ARTICLE_SEG and _OPAQUE_ID.match(low[-1]):
        return True  # BBC-style /arabic/articles/c720dxj8dq8o
    if _OPAQUE_ID.match(low[-1]) and len(low[-1]) >= 10:
        return True
    for key in _ID_PARAMS & query.keys():
        value = query[key].lower()
        if (value.isdigit() and len(value) >= 3) or _OPAQUE_ID.match(value):
            return True
    return False


def _dated_story(low: list[str]) -> bool:
    """/2013/middle_east/8/3/syria.clashes/index.html: a year, then month and day apart, then a name."""
    for i, seg in enumerate(low):
        if re.fullmatch(r"(19|20)\d{2}", seg):
            rest = low[i + 1 :]
            small = [s for s in rest if re.fullmatch(r"\d{1,2}", s)]
            names = [s for s in rest if not s.isdigit() and not re.fullmatch(r"index\.\w+", s)]
            return len(small) >= 2 and bool(names)
    return False


def classify_page(
    url: str,
    *,
    is_article: bool | None,
    kind_hint: str | None,
    body_words: int,
    link_density: float | None = None,
) -> PageKind:
    """The kind of a fetched page from a claim given by hand (pagekind.decide with this URL's look as evidence).

    is_article: the page's own claim (og:type / JSON-LD @type), None when silent; kind_hint: e.g.
    "liveblog" (LiveBlogPosting); body_words: extracted body length; link_density: share of the body
    text inside links (listing pages are mostly links).
    """
    claim = Claim(is_article, kind_hint, "the page's claim")
    return _kind(decide(claim, classify_url(url), body_words=body_words, link_density=link_density,
                        homepage=_is_homepage(url)))


def page_kind(url: str, tree: LexborHTMLParser, body_words: int) -> Verdict:
    """The kind of a fetched page, as newsbot.extract.pagekind decides it from the page's claim (the JSON-LD parse
    extraction made of this tree), its prose and, as evidence only, what the URL looks like."""
    claim = claim_of(tree, urlsplit(url).path.lower())
    return decide(claim, classify_url(url), body_words=body_words, link_density=lambda: link_density(tree),
                  homepage=_is_homepage(url))


def _is_homepage(url: str) -> bool:
    # the site's root is its homepage, whatever a lead story on it says
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def _kind(verdict: Verdict) -> PageKind:
    return cast(PageKind, verdict.kind)
