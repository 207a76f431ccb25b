"""The parse guard's fast count is an upper bound of the exact count, and it refuses no real page."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from newsbot.extract.decode import parse_work
from newsbot.extract.options import DEFAULTS
from tests.parse_work_reference import reference_parse_work

SHARED = Path(__file__).resolve().parents[1].parent / "shared"

_tags = st.sampled_from(["div", "p", "span", "script", "style", "title", "a", "br", "li", "table", "td", "textarea",
                         "DIV", "plaintext", "x-y", "svg", "math"])
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


@pytest.mark.parametrize("html", [
    "<svg><script><div " + " ".join(f"a{i}" for i in range(7_000)) + "></div></script></svg>",
    "<p>icon <svg viewBox='0 0 1 1'><path d=''/></svg></p><svg><style><g " + " ".join(f"a{i}" for i in range(7_000))
    + "></g></style></svg>",
], ids=["script-in-svg", "style-in-a-later-svg"])
def test_markup_in_foreign_raw_text_elements_is_counted(html):
    """lexbor parses a script or style inside <svg> as an SVG element whose content is markup: a tag of 7,000
    attributes there costs what it costs anywhere (the exact count once skipped it as script text)."""
    from newsbot.extract import ExtractionError, extract

    assert parse_work(html) > DEFAULTS.max_parse_work
    with pytest.raises(ExtractionError) as refused:
        extract(("<html><body>" + html + "</body></html>").encode())
    assert refused.value.reason == "too-deep"


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
        assert fast <= DEFAULTS.max_parse_work, f"{name}: a real page would be refused as too deep ({fast})"
        assert fast >= reference_parse_work(html), name


# The fast path (cheap_to_parse) skips the exact count on pages it shows cheap, in C (newsbot/extract/_parsecost.c)
# or, where that module was not built, in regexes (decode.cheap_by_regex). Both must never pass a page the exact
# count refuses, and never read fewer attributes in a tag than lexbor's own tokenizer does.
_attr_forms = st.sampled_from(["{n}", "{n}=v", '{n}="q > u o"', "{n}='x'", "={n}", "{n}=", "{n} = 'y z'",
                               '{n}="a"', "{n}=<b", '"{n}', "{n}/"])
_separators = st.sampled_from([" ", "/", "\n", "\t", "\f", "  ", " / "])


def _compiled():
    from newsbot.extract import decode

    if decode._compiled is None:
        pytest.skip("newsbot/extract/_parsecost.c was not built (no C compiler at install): "
                    "test_compiled_guard_is_built says why")
    return decode._compiled


def _by_regex(data: bytes, budget: int | None = None) -> bool:
    from newsbot.extract.decode import cheap_by_regex

    return cheap_by_regex(data, DEFAULTS.max_parse_work if budget is None else budget)


def _by_c(data: bytes, budget: int | None = None) -> bool:
    from newsbot.extract.decode import FAST_MAX_ATTRS

    return _compiled().cheap_to_parse(data, DEFAULTS.max_parse_work if budget is None else budget, FAST_MAX_ATTRS)


_FAST_PATHS = pytest.mark.parametrize("cheap", [_by_c, _by_regex], ids=["compiled", "regex"])


def test_compiled_guard_is_built():
    """Where a C compiler is (CI has one), `pip install` builds the fast path: a silent fallback would only show as
    a slower extraction."""
    import shutil
    import sysconfig

    from newsbot.extract import decode

    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        pytest.skip(f"no C compiler ({compiler}): the regex fast path stands in")
    assert decode._compiled is not None, "newsbot.extract._parsecost did not build: run `pip install -e .` again"


@st.composite
def tag_with_attributes(draw) -> tuple[str, int]:
    count = draw(st.integers(0, 90))
    parts = []
    for i in range(count):
        form = draw(_attr_forms)
        # after a quoted value HTML starts the next attribute with no separator at all
        sep = "" if i and parts[-1].endswith(('"', "'")) and draw(st.booleans()) else draw(_separators)
        parts.append(sep + form.format(n=f"a{i}"))
    return "<div" + "".join(parts) + ">", count


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=tag_with_attributes())
def test_risky_tag_search_reads_at_least_lexbor_s_attributes(case):
    from selectolax.lexbor import LexborHTMLParser

    from newsbot.extract.decode import _RISKY_TAG, FAST_MAX_ATTRS, tag_attributes

    tag, _ = case
    node = LexborHTMLParser("<body>" + tag + "</div>").css_first("div")
    assume(node is not None)  # an unclosed quote holds the rest of the document: no element
    seen = len(node.attributes)  # lexbor's own tokenizer (names are distinct, so none is dropped as a duplicate)
    data = tag.encode()
    assert tag_attributes(data, 0) >= seen
    if seen > FAST_MAX_ATTRS:
        assert _RISKY_TAG.search(data) is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=soup())
def test_compiled_tag_reading_is_the_regex_grammar(html):
    """The C scan reads every possible tag's attributes exactly as decode._ATTR_BYTES does (so the tokenizer bound
    above holds for it too), at every "<" of any markup."""
    from newsbot.extract.decode import tag_attributes

    compiled = _compiled()
    data = html.encode("utf-8", "surrogatepass")
    for i in (i for i, b in enumerate(data) if b == 0x3C):
        assert compiled.tag_attributes(data, i) == tag_attributes(data, i), (data[i:i + 80], i)


@_FAST_PATHS
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=soup())
def test_fast_path_never_passes_what_the_exact_count_refuses(cheap, html):
    data = html.encode("utf-8", "surrogatepass")
    for budget in (200, 2_000, 20_000, 200_000):
        if cheap(data, budget):
            assert reference_parse_work(html, stop_at=budget) <= budget


_many = " ".join(f"a{i}" for i in range(7_000))


@_FAST_PATHS
@pytest.mark.parametrize("html", [
    "<div " + _many + ">",
    "<div " + "".join(f'a{i}="1"' for i in range(7_000)) + ">",  # no separator after a quoted value
    "<div " + "".join(f"/=a{i}" for i in range(7_000)) + ">",  # a name may start with "=" (after a "/")
    "</div " + _many + ">",  # an end tag's attributes are tokenized too
    "<div" + "x" * 400 + " " + _many + ">",  # a long tag name
    # a false hit in a script whose quoted "value" spans a real tag of many attributes after </script>
    "<script>if(x<y c=\"</script><div " + _many + '>"' + " b" * 40 + "</script>",
    "<div>" * 7_000,
    "<!-->" + "<div>" * 7_000,
    # in foreign content a script, style or plaintext holds markup: the tag inside is parsed, attributes and all
    "<svg><script><div " + _many + "></div></script></svg>",
    "<math><plaintext><b " + _many + ">",
], ids=["attributes", "quoted-no-separator", "equals-names", "end-tag", "long-name", "span-of-a-false-hit",
        "nested", "empty-comment", "svg-script", "math-plaintext"])
def test_fast_path_refuses_hostile_shapes(cheap, html):
    assert not cheap(html.encode())
    assert reference_parse_work(html) > DEFAULTS.max_parse_work or "</div " in html  # each is really over the budget


@_FAST_PATHS
@pytest.mark.parametrize("folder", ["corpus/pages", "wcxb-dev/pages"])
def test_fast_path_takes_most_real_pages(cheap, folder):
    where = SHARED / folder
    if not where.is_dir():
        pytest.skip(f"{where} not present (third-party pages are read from ../shared, never copied here)")
    pages = [html.encode("utf-8", "surrogatepass") for _, html in _pages(where)]
    assert sum(map(cheap, pages)) >= 0.8 * len(pages)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(html=soup())
def test_compiled_scan_of_overlapping_tags_reads_what_each_tag_reads_alone(html):
    """Overlapping tags share what one of them read (scan_tag keeps it): each tag's attributes and where they end
    are still those it has read alone (decode._tag_span)."""
    import re

    from newsbot.extract.decode import _tag_span

    compiled = _compiled()
    data = html.encode("utf-8", "surrogatepass")
    alone = []
    for m in re.finditer(rb"<(?=/?[a-zA-Z])", data):
        count, span = _tag_span(data, m.start())
        alone.append((m.start(), count, m.start() + span))
    assert compiled.tag_spans(data) == alone


def _minified(slots: int) -> str:
    """An ad loader minified into one line per slot: a possible tag at each "<", reading on to the end of the
    script, each with dozens of would-be attributes."""
    return "".join(f"!function(e,t){{var n=e.a||[];for(var r=0;r<n.length;r++){{n[r].ok=!0}}}}(window,'slot-{i}');"
                   for i in range(slots))


def test_compiled_fast_path_takes_minified_code_and_overlapping_tags():
    """False hits in a script overlap: the tokenizer can read at most one of them as a tag, so their weights do not
    add up; and overlapping reads are shared. Both pages are shown cheap (and are), where the regex path hands
    them to the exact count."""
    compiled = _compiled()
    article = ("<body><article><h1>Library opens</h1>" + "<p>The regional library opened its new reading hall on "
               "Saturday after two years of building work.</p>" * 4 + "</article></body></html>")
    for html in (f"<html><head><script>{_minified(600)}</script></head>" + article,
                 "<html><body><p>" + "<b" * 3_000 + "</p>" + article):
        data = html.encode()
        assert compiled.cheap_to_parse(data, DEFAULTS.max_parse_work, 32) is True
        assert reference_parse_work(html) <= DEFAULTS.max_parse_work
        assert _by_regex(data) is False


def test_false_hits_in_minified_code_cost_the_fast_path_at_most_a_quarter_page(monkeypatch):
    """Minified code ("for(r=0;r<n.length;r++)" with quoted strings) gives a possible many-attribute tag at every
    "<": each read runs on to the end of the script, and the reads of 64 such hits cost more than the exact count.
    The regex fast path hands over to it once its reads pass a quarter of the page; the page is still parsed."""
    from newsbot.extract import decode, extract

    code = _minified(600)
    html = (f"<html><head><script>{code}</script></head><body><article><h1>Library opens</h1>"
            + "<p>The regional library opened its new reading hall on Saturday after two years of building work, and "
              "the first visitors queued for almost an hour.</p>" * 4 + "</article></body></html>")
    data = html.encode()
    reads: list[int] = []
    real = decode._tag_span

    def counting(d: bytes, start: int) -> tuple[int, int]:
        out = real(d, start)
        reads.append(out[1])
        return out

    monkeypatch.setattr(decode, "_tag_span", counting)
    assert decode.cheap_by_regex(data, DEFAULTS.max_parse_work) is False  # handed to the exact count
    assert len(reads) < decode.FAST_MAX_HITS
    assert sum(reads) - max(reads) <= len(data) // 4
    assert not decode.nesting_too_deep(html, data=data)
    assert "reading hall" in extract(data).body
