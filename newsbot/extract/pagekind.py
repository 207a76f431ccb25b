"""What a page is (article, liveblog, a listing, something else): decided here, for extraction and the crawler.

Two steps, because extraction needs the first before it has a body and the crawler the second after:

    read_claim(nodes, article, og_type, ...)   what the page says about itself: JSON-LD @type, og:type, a live-blog
                                               marker (one parse of the JSON-LD: metadata's, jsonld.page_nodes)
    decide(claim, url_kind, body_words, ...)   the page's kind from that claim and the evidence: the running prose
                                               extraction found, its link density, and the URL's look (a word list
                                               in spiders/classify.py), which never outweighs a page saying article

The vocabulary (schema.org types, og:type values) is newsbot/lexicon/pagetypes.toml. No Scrapy import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from selectolax.lexbor import LexborHTMLParser

from newsbot.extract import jsonld
from newsbot.extract.options import current
from newsbot.lexicon import words

RECORD_KINDS: frozenset[str] = frozenset({"article", "liveblog"})
# the URL kinds of listing pages (spiders/classify.py names them; "section" also stands for any listing)
LISTING_KINDS: frozenset[str] = frozenset({"section", "tag", "author", "search"})


def _types(key: str) -> frozenset[str]:
    return frozenset(words("pagetypes", key, folded=False))


_LIVEBLOG_TYPES = _types("schema.liveblog")
_NOT_ARTICLE_TYPES = _types("schema.listing") | _types("schema.neutral")
_OG_ARTICLE = _types("og_type.article")
_OG_NOT_ARTICLE = _types("og_type.not_article")
_LIVE_CONTENT_TYPES = _types("liveblog.content_type")
_LIVE_PATH_PARTS = words("pagetypes", "liveblog.path_parts", folded=False)

# prose evidence (how many words of running text, how much of the page's text sits inside links) is weighed with
# the thresholds of newsbot/extract/options.py (listing_max_words ... very_few_links)


@dataclass(frozen=True)
class Claim:
    """What a page says about itself."""

    is_article: bool | None  # True/False when the page says so, None when it is silent
    hint: str | None = None  # "liveblog" when it declares a live blog; callers may pass "video"/"gallery"
    reason: str = "the page says nothing about its type"


@dataclass(frozen=True)
class Verdict:
    """A page's kind and why: "article" / "liveblog" for a record, else the URL's kind (section, tag, ...)."""

    kind: str
    reason: str

    @property
    def is_record(self) -> bool:
        return self.kind in RECORD_KINDS


def read_claim(nodes: list[dict], article: dict | None, og_type: str, content_type: str = "",
               path: str = "") -> Claim:
    """The page's claim from its JSON-LD nodes (jsonld.nodes), its article node (jsonld.article_node), og:type,
    <meta name=contenttype> and URL path (lower case)."""
    types: set[str] = set().union(*(jsonld.types_of(n) for n in nodes))
    if article is not None:
        types |= jsonld.types_of(article)  # a WebPage's mainEntity is no top-level node
    og_type = og_type.strip().lower()
    live = bool(types & _LIVEBLOG_TYPES) or content_type.strip().lower() in _LIVE_CONTENT_TYPES or \
        any(part in path for part in _LIVE_PATH_PARTS)
    hint = "liveblog" if live else None
    if article is not None:
        return Claim(True, hint, "JSON-LD " + "/".join(sorted(jsonld.types_of(article) & jsonld.ARTICLE_TYPES)))
    if og_type in _OG_ARTICLE:
        return Claim(True, hint, f"og:type {og_type}")
    if og_type in _OG_NOT_ARTICLE:
        return Claim(False, hint, f"og:type {og_type}")
    if types and types <= _NOT_ARTICLE_TYPES:
        return Claim(False, hint, "JSON-LD only " + "/".join(sorted(types)))
    return Claim(None, hint)


def claim_of(tree: LexborHTMLParser, path: str = "") -> Claim:
    """read_claim for a parsed page, as extract_metadata reads it; after extraction this reuses its JSON-LD parse
    (jsonld.page_nodes)."""
    nodes = jsonld.page_nodes(tree)
    metas = _metas(tree, ("og:type", "contenttype"))
    return read_claim(nodes, jsonld.article_node(nodes), metas.get("og:type", ""), metas.get("contenttype", ""), path)


def _metas(tree: LexborHTMLParser, keys: tuple[str, ...]) -> dict[str, str]:
    """The first non-empty content of each <meta> key, named by property, name, itemprop or http-equiv (as
    metadata's meta table reads them)."""
    found: dict[str, str] = {}
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        content = (attrs.get("content") or "").strip()
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            for key in (attrs.get(attr) or "").lower().split():
                if key in keys:
                    found.setdefault(key, content)
    return found


def link_density(tree: LexborHTMLParser) -> float | None:
    """Share of the page's visible text inside <a> (listing pages are mostly links); None for an empty page."""
    root = tree.body
    if root is None:
        return None
    # the tree is shared with extraction and link discovery: subtract script/style text, don't remove it
    hidden = sum(len("".join(n.text(separator=" ").split())) for n in root.css("script, style, noscript, template, svg"))
    total = len("".join(root.text(separator=" ").split())) - hidden
    if total <= 0:
        return None
    linked = sum(len("".join(a.text(separator=" ").split())) for a in root.css("a"))
    return min(1.0, linked / total)


def decide(claim: Claim, url_kind: str, *, body_words: int,
           link_density: float | None | Callable[[], float | None], homepage: bool = False) -> Verdict:
    """The kind of a fetched page whose extraction found `body_words` words of body.

    url_kind: what the URL looks like (spiders/classify.py classify_url): evidence, weighed against the claim and
    the prose; link_density: the share of the page's text in links, or what measures it (link_density(tree)),
    asked only when the verdict depends on it (an article page on an article URL does not: most of a crawl);
    homepage: the site's root URL (a listing whatever its lead story says)."""
    if homepage:
        return Verdict("section", "the site's home page")
    hint = (claim.hint or "").lower()
    live = hint in ("liveblog", "liveblogposting", "live") or url_kind == "liveblog"
    record = "liveblog" if live else "article"
    if claim.is_article is True:
        # sites stamp og:type=article on listing pages too; a listing URL with little running text stays a listing
        if url_kind in LISTING_KINDS and (body_words < current().listing_max_words or
                                          _dense(_measured(link_density))):
            return Verdict(url_kind, f"{claim.reason}, but a {url_kind} URL with little running text")
        return Verdict(record, claim.reason)
    if hint in ("video", "gallery"):
        return Verdict(hint, f"the page says {hint}")
    density = _measured(link_density)
    if claim.is_article is False:
        return _said_not_article(claim, url_kind, record, body_words, density, _dense(density))
    return _silent(url_kind, live, body_words, density, _dense(density))


def _measured(link_density: float | None | Callable[[], float | None]) -> float | None:
    return link_density() if callable(link_density) else link_density


def _dense(density: float | None) -> bool:
    return density is not None and density > current().dense_links


def _said_not_article(claim: Claim, url_kind: str, record: str, body_words: int, density: float | None,
                      dense: bool) -> Verdict:
    # many Arabic sites declare og:type=website on every page: a long, link-poor body on an article-shaped URL is
    # still an article
    o = current()
    if url_kind in RECORD_KINDS and body_words >= o.long_prose_words and not dense and (density or 0) < o.few_links:
        return Verdict(record, f"{claim.reason}, but {body_words} words of running prose on an {url_kind} URL")
    if url_kind in LISTING_KINDS or url_kind in ("video", "gallery", "static"):
        return Verdict(url_kind, f"{claim.reason}, on a {url_kind} URL")
    return Verdict("section", claim.reason)


def _silent(url_kind: str, live: bool, body_words: int, density: float | None,
            dense: bool) -> Verdict:
    """The page says nothing: the URL's look and the prose decide."""
    o = current()
    if live and body_words >= o.liveblog_words:
        return Verdict("liveblog", "a live-blog URL with running text")
    if url_kind == "article":
        if body_words >= o.silent_article_words and not dense:
            return Verdict("article", f"an article URL with {body_words} words of running prose")
        return Verdict("section" if dense else "other",
                       "an article URL whose page is mostly links" if dense else "an article URL with little text")
    if url_kind == "other" and body_words >= o.odd_url_article_words and not dense and (density or 0) < o.few_links:
        return Verdict("article", f"{body_words} words of running prose")
    if url_kind == "section" and body_words >= o.long_prose_words and density is not None and \
            density < o.very_few_links:
        return Verdict("article", f"a long running text ({body_words} words) with few links on a short URL")
    return Verdict(url_kind, f"a {url_kind} URL, and the page says nothing else")
