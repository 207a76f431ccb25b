"""The article's lead image: og:image / twitter:image > JSON-LD image > <link rel="image_src"> / meta image."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from newsbot.extract import jsonld
from newsbot.extract.metadata.common import absolute, first


def find_image(tree: LexborHTMLParser, metas: dict[str, list[str]], art: dict | None, ids: dict[str, dict],
               page_url: str, src: dict[str, str]) -> str | None:
    """The lead image's absolute URL (relative to page_url), or None."""
    image = first(metas, "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src")
    src["image"] = "meta og:image / twitter:image"
    if not image and art:
        image = jsonld.image_url(jsonld.resolve(art.get("image") or art.get("thumbnailUrl"), ids))
        src["image"] = "JSON-LD image"
    if not image:
        node = tree.css_first('link[rel="image_src"]')
        image = node.attributes.get("href") if node is not None else first(metas, "image", "thumbnail")
        src["image"] = '<link rel="image_src"> / meta image'
    return absolute(image, page_url or None)
