"""The parse guard's fast count is an upper bound of the exact count, and it refuses no real page."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbot.extract.decode import MAX_PARSE_WORK, parse_work
from tests.parse_work_reference import reference_parse_work

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

_tags = st.sampled_from(["div", "p", "span", "script", "style", "title", "a", "br", "li", "table", "td", "textarea",
                         "DIV", "plaintext", "x-y"])
_chunk = st.sampled_from([" ", "  ", "\n", "\t", "\f", "/", "=", '"', "'", ">", "<", "a", "b1", "\x0b", "\u00a0",
                          "-->", "<!--", "<!-->", "<!", "</", "<?", '"x>y"', "'>'", "ق", "=\"", "a=1 "])


@st.composite
def soup(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 40))):
        tag = draw(_tags)
        kind = draw(st.integers(0, 4))
        attrs = "".join(draw(st.lists(_chunk, max_size=12)))
        if kind == 0:
            parts.append(f"<{tag}{attrs}>")
        elif kind == 1:
            parts.append(f"</{tag}{attrs}>")
        elif kind == 2:
            parts.append(f"<{tag} {attrs}>" + "".join(draw(st.lists(_chunk, max_size=6))) + f"</{tag}>")
        elif kind == 3:
            parts.append(f"<{tag}" + " a" * draw(st.integers(0, 120)) + ">")
        else:
            parts.append("".join(draw(st.lists(_chunk, max_size=8))))
    return "".join(parts)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=soup())
def test_fast_count_never_below_the_exact_count(html):
    exact = reference_parse_work(html)
    assert parse_work(html) >= exact


@pytest.mark.parametrize("html", [
    "<div " + " ".join(f"a{i}=1" for i in range(5_000)) + ">",
    "<div " + 'a=">" ' * 5_000 + ">",
    "<div " + "a/" * 5_000 + ">",
    "<div " + "\x0b " * 5_000 + ">",  # characters str.split() takes for spaces and HTML takes for names
    "<!-->" + "<div>" * 5_000,
    "<span></x>" * 5_000,
    "<script " * 5_000,
    "<div a=\"" + "<p>" * 5_000,  # an unclosed quote: the rest is one attribute value
], ids=["attributes", "quoted-gt", "slashes", "vertical-tabs", "empty-comment", "stray-ends", "unclosed-script",
        "unclosed-quote"])
def test_hostile_shapes_count_at_least_the_exact_work(html):
    assert parse_work(html) >= reference_parse_work(html)


def _pages(folder: Path):
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.suffix in (".html", ".htm", ".gz"):
            data = path.read_bytes()
            yield path.name, (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace")


@pytest.mark.parametrize("folder", ["corpus/pages", "wcxb-dev/pages"])
def test_real_pages_pass_the_guard_and_are_bounded_above(folder):
    where = SHARED / folder
    if not where.is_dir():
        pytest.skip(f"{where} not present (third-party pages are read from ../shared, never copied here)")
    pages = list(_pages(where))
    assert pages, f"no pages under {where}"
    for name, html in pages:
        fast = parse_work(html)
        assert fast <= MAX_PARSE_WORK, f"{name}: a real page would be refused as too deep ({fast})"
        assert fast >= reference_parse_work(html), name
