"""Every threshold extraction weighs, as one named options object (in the manner of trafilatura's `Extractor`).

    from newsbot.extract import ExtractOptions, extract
    rec = extract(page, url, options=ExtractOptions(min_body_chars=200, second_opinion_below=0.4))

Each field is documented here and nowhere else; the modules read the options of the extraction in progress through
`current()` (the defaults outside one), so a caller changes a threshold for one call without touching the others,
and the crawler's page-kind decision reads the same numbers as extraction. Units: characters unless said otherwise;
shares are 0..1. The confidence model's coefficients are data of their own (extract/confidence.py, fitted by
scripts/fit_confidence.py): they are not thresholds to tune by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class ExtractOptions:
    # --- what a page must give to be a record (core.py) ---
    min_body_chars: int = 80  # a body shorter than this is no article, unless the page declares one

    # --- the DOM walk (dom.py) ---
    collapse_below: int = 300  # a furniture-named block with less text than this ...
    collapse_share: float = 0.1  # ... and this share of the page's text is read as one junk unit, unopened
    max_walk_depth: int = 300  # nesting below which the walk keeps the text but stops descending

    # --- one unit's value as prose (body.py) ---
    short_unit: int = 25  # below this a unit is a label or crosshead, not prose
    link_dense: float = 0.5  # a unit whose text is more links than this is navigation
    paragraph_weight: float = 1.2  # a <p> unit's prose weighs this much more
    list_weight: float = 0.7  # list items and table cells weigh this much (short lines of a list or table)
    junk_weight_max: int = 200  # furniture text weighs against its block at most this much
    image_furniture_weight_max: int = 40  # credits and captions: dropped anywhere, so they barely weigh
    caption_max: int = 150  # text next to an image longer than this is the article's, not a caption
    caption_after_image_max: int = 80  # the first line after an image, when no sentence, is a caption below this
    sentence_chars: int = 80  # a line this long reads as a sentence ...
    sentence_chars_with_stop: int = 40  # ... and from this length when it ends like one (". ؟ ! 。")

    # --- choosing the article's block (body.py) ---
    article_body_bonus: float = 1.5  # score factor of an itemprop=articleBody block
    article_name_bonus: float = 1.15  # of a block named like an article (class/id, <article>, role=main)
    headline_bonus: float = 1.2  # of a block holding the headline or right below it
    teaser_entries_min: int = 10  # headline-over-blurb entries that make a block a teaser list ...
    teaser_max_share: float = 0.25  # ... when no one entry holds more of the block's prose than this
    teaser_blurb_max: int = 320  # a teaser's blurb is a sentence or two; an article section runs longer
    lone_teaser_share: float = 0.35  # a block holding less of the page's prose than this ...
    lone_teaser_chars: int = 600  # ... and less text than this, with no headline of its own: a teaser on a listing
    repeat_min_chars: int = 40  # a paragraph this long printed twice in a run is a copy, not a refrain
    running_prose_run: int = 3  # sentences in a row in one block: running prose, which no listing of teasers has

    # --- second opinions (body.py) ---
    second_opinion_below: float = 0.6  # confidence under which trafilatura is asked for a second opinion
    second_opinion_min_chars: int = 200  # a body (or trafilatura's answer) shorter than this is weak
    agreement: float = 0.8  # token overlap, both ways, at which two bodies are the same text
    structured_min_chars: int = 80  # a JSON-LD / app-state body shorter than this is a summary, not the text
    structured_check_below: int = 1500  # a DOM body shorter than this is compared with the structured one

    # --- what a page is (pagekind.py; the crawler asks the same) ---
    listing_max_words: int = 80  # a listing URL that says article but carries less prose stays a listing
    dense_links: float = 0.5  # link density above which a page is mostly links: a listing
    silent_article_words: int = 80  # an article-shaped URL on a page that says nothing needs this much prose
    odd_url_article_words: int = 150  # a URL of no known shape: about five paragraphs of running text
    long_prose_words: int = 250  # a "website" page or a section-looking URL with this much prose is an article
    few_links: float = 0.3  # link density under which long prose is an article's ...
    very_few_links: float = 0.2  # ... and under which even a section-looking URL's page is one
    liveblog_words: int = 40  # a live-blog URL on a page that says nothing needs this much running text

    # --- language (lang.py) ---
    langid_sample: int = 2000  # characters of Latin-script text py3langid reads (it walks them in Python)

    # --- what a page may cost (decode.py, jsonld.py, appstate.py): bounds against hostile input ---
    max_parse_work: int = 20_000_000  # tree-builder steps and attribute comparisons (about 0.1 s of lexbor)
    max_json_depth: int = 64  # nesting of embedded JSON read (JSON-LD is a few levels; the stack is ~1000)
    max_app_state: int = 8_000_000  # characters of one inline app-state script read

    def __post_init__(self) -> None:
        """Refuse a value no threshold can take, when the options are made (not mid-extraction)."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"ExtractOptions.{f.name}: a number >= 0, not {value!r}")
            if f.name in _SHARES and value > 1:
                raise ValueError(f"ExtractOptions.{f.name}: a share between 0 and 1, not {value!r}")


_SHARES = frozenset({"collapse_share", "link_dense", "teaser_max_share", "lone_teaser_share", "second_opinion_below",
                     "agreement", "dense_links", "few_links", "very_few_links"})


DEFAULTS = ExtractOptions()
_current: ContextVar[ExtractOptions] = ContextVar("newsbot_extract_options", default=DEFAULTS)


def current() -> ExtractOptions:
    """The options of the extraction in progress (DEFAULTS outside one)."""
    return _current.get()


@contextmanager
def using(options: ExtractOptions | None) -> Iterator[ExtractOptions]:
    """Extraction inside the block reads `options` (None: those already in force)."""
    if options is None:
        yield _current.get()
        return
    token = _current.set(options)
    try:
        yield options
    finally:
        _current.reset(token)


__all__ = ["DEFAULTS", "ExtractOptions", "current", "using"]
