"""Metadata from JSON-LD, meta tags and the visible page: extract_metadata, reading one topic per module
(title.py, pagedates.py, bylines.py, section.py for section and tags, images.py; common.py is what they share).

Precedence, field by field (first source that gives a usable value wins):
- title: the VISIBLE headline: the <h1> (else another heading) whose words match the JSON-LD headline /
  og:title / twitter:title / <title> best; else the best of those with the " - Site name" suffix removed.
- published: JSON-LD datePublished > meta tags (article:published_time, parsely, sailthru, dc.*, ...) >
  microdata/RDFa (itemprop=datePublished, property=dc:date) > <time datetime> > the visible dateline next to the
  headline > the date in the URL. A full URL date (/2024/5/20/) wins over a visible dateline more than a day away
  from it, and over a meta date more than two days away (CMSes that stamp the page generation time).
- modified: the same chain for modification dates; values earlier than `published` (CMS save times) are skipped;
  a visible "آخر تحديث"/"updated" dateline is a modification date, never a publication date.
- authors: people from JSON-LD > meta > microdata > the visible byline ("كتب فلان", "بقلم", "حوار:", "By");
  organisations (or the site itself) only when no person is credited.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from newsbot.extract import jsonld
from newsbot.extract.metadata.bylines import find_authors
from newsbot.extract.metadata.common import absolute, collect_meta, first
from newsbot.extract.metadata.images import find_image
from newsbot.extract.metadata.pagedates import find_dates
from newsbot.extract.metadata.section import find_section, find_tags
from newsbot.extract.metadata.title import find_title, strip_site_name
from newsbot.extract.pagekind import read_claim
from newsbot.extract.text import clean_line
from newsbot.extract.types import Metadata

__all__ = ["extract_metadata", "strip_site_name"]


def extract_metadata(tree: LexborHTMLParser, url: str, now: datetime) -> Metadata:
    """Fill a Metadata from one parsed page. `url` may be "" (then the canonical URL stands in for it)."""
    metas = collect_meta(tree)
    all_nodes = jsonld.page_nodes(tree)
    art = jsonld.article_node(all_nodes)
    ids = jsonld.id_index(all_nodes)
    # no article object: a WebPage node may still carry the dates
    date_node = art or next((n for n in all_nodes if n.get("datePublished")), None)

    site_name, site_names = _site_names(metas, art, all_nodes, ids, url)
    src: dict[str, str] = {}  # where each value came from, as the trace shows it
    canonical = absolute(_canonical(tree, metas, art, src), url or None)
    page_url = url or canonical or ""
    if not url and canonical:
        site_names += _host_label(canonical)

    title, title_node = find_title(tree, metas, art, site_names)
    if title:
        src["title"] = (f"visible <{title_node.tag}> matching the stated headline" if title_node is not None
                        else "stated headline (JSON-LD / og:title / <title>), site name removed")
    published, modified = find_dates(tree, metas, date_node, page_url, title_node, now)
    for name, d in (("published", published), ("modified", modified)):
        if d is not None:
            src[name] = src[name + "_raw"] = d.source or "stated date"
    description = _description(metas, art, src)
    section = find_section(tree, metas, art, all_nodes, title, page_url, site_names, src)
    tags = find_tags(tree, metas, art, section, src)
    image = find_image(tree, metas, art, ids, page_url, src)
    claim = read_claim(all_nodes, art, first(metas, "og:type") or "", first(metas, "contenttype") or "",
                       urlsplit(page_url).path.lower())
    src["kind"] = claim.reason

    return Metadata(
        title=title or None,
        description=clean_line(description) or None,
        published=published.iso() if published else None,
        modified=modified.iso() if modified else None,
        published_raw=published.raw if published else None,
        modified_raw=modified.raw if modified else None,
        authors=find_authors(tree, metas, art, site_names, title_node, ids, src),
        section=clean_line(section) or None,
        tags=tags,
        image=image,
        canonical_url=canonical,
        site_name=clean_line(site_name) or None,
        kind=claim.hint,
        is_article=claim.is_article,
        jsonld_body=jsonld.first_text(art.get("articleBody")) if art else None,
        sources=src,
    )


def _site_names(metas: dict[str, list[str]], art: dict | None, all_nodes: list[dict], ids: dict[str, dict],
                url: str) -> tuple[str | None, list[str]]:
    """(the site's name as the page gives it, every name the site goes by): a title part or a byline naming
    one of them is the site, not the headline or the author."""
    site_name = first(metas, "og:site_name", "application-name", "twitter:app:name:iphone")
    publisher = jsonld.first_text(jsonld.resolve(art.get("publisher"), ids)) if art else None
    website = next((jsonld.first_text(n.get("name")) for n in all_nodes if "website" in jsonld.types_of(n)), None)
    names = [s for s in (site_name, publisher, website) if s]
    return site_name or publisher or website, names + _host_label(url)


def _host_label(url: str) -> list[str]:
    """[the host's name without www. and suffix] ("aljazeera" for www.aljazeera.net), or []."""
    host = urlsplit(url or "").hostname or ""
    return [host.removeprefix("www.").split(".")[0]] if host else []


def declared_url(tree: LexborHTMLParser) -> str | None:
    """The address the page declares for itself (what extract_metadata gives as canonical_url when no URL is
    known), without reading the rest of the metadata: a saved page is then extracted once, with its address."""
    art = jsonld.article_node(jsonld.page_nodes(tree))
    return absolute(_canonical(tree, collect_meta(tree), art, {}), None)


def _canonical(tree: LexborHTMLParser, metas: dict[str, list[str]], art: dict | None,
               src: dict[str, str]) -> str | None:
    link = tree.css_first('link[rel="canonical"]')
    if link is not None and link.attributes.get("href"):
        src["canonical_url"] = '<link rel="canonical">'
        return link.attributes["href"]
    if (og_url := first(metas, "og:url")) is not None:
        src["canonical_url"] = "meta og:url"
        return og_url
    if art and (ld_url := jsonld.first_text(art.get("url"))):
        src["canonical_url"] = "JSON-LD url"
        return ld_url
    return None


def _description(metas: dict[str, list[str]], art: dict | None, src: dict[str, str]) -> str | None:
    if art and (description := jsonld.first_text(art.get("description"))):
        src["description"] = "JSON-LD description"
        return description
    src["description"] = "meta description (og:description, description, twitter:description)"
    return first(metas, "og:description", "description", "twitter:description", "dc.description")
