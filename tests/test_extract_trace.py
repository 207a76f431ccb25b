"""The extraction trace (newsbot/extract/trace.py) and the inspector report rendered from it.

The body finder and the metadata reader record their own decisions through trace.active(); what they leave
unrecorded is filled from the record and named in Trace.provisional.
"""

from __future__ import annotations

import re

import pytest

from newsbot.browse.inspector import render_report, trace_page
from newsbot.demo_server import DEMO_ROOT
from newsbot.extract import ExtractionError, extract
from newsbot.extract import trace as trace_mod
from newsbot.extract.trace import PENDING_RULE, PENDING_SOURCE, Trace, extract_with_trace

PAGE = DEMO_ROOT / "economy/2025/10/30/port-expansion-container-terminal.html"
URL = "https://demo-news.test/economy/2025/10/30/port-expansion-container-terminal.html"


@pytest.fixture(scope="module")
def traced():
    return extract_with_trace(PAGE.read_bytes(), url=URL)


def test_the_record_is_the_extractor_s_own(traced):
    record, trace = traced
    plain = extract(PAGE.read_bytes(), url=URL)
    assert record.body == plain.body and record.title == plain.title and record.published == plain.published
    assert trace.strategy == record.strategy and trace.confidence == record.confidence


def test_blocks_in_reading_order_and_the_kept_ones_are_the_body(traced):
    record, trace = traced
    assert [b.index for b in trace.blocks] == sorted(b.index for b in trace.blocks)
    assert [b.text for b in trace.kept] == record.body.split("\n\n")
    dropped = " ".join(b.text for b in trace.dropped)
    assert "اقرأ أيضا" in dropped and "التعليقات" in dropped  # the related box and the comments
    assert all(b.container.startswith("body") for b in trace.blocks)


def test_fields_carry_the_record_s_values(traced):
    record, trace = traced
    assert trace.fields["title"].value == record.title
    assert trace.fields["published"].value == record.published
    assert trace.fields["authors"].value == record.authors


def test_the_hook_is_active_only_while_a_trace_is_recorded():
    assert trace_mod.active() is None
    t = Trace()
    with trace_mod.recording(t):
        assert trace_mod.active() is t
        trace_mod.active().add_block(0, "نص", False, "link density 0.9", "body/div")
    assert trace_mod.active() is None and t.dropped[0].rule == "link density 0.9"


def test_what_the_extractor_records_is_kept_not_overwritten(monkeypatch):
    # stands in for the lead's wiring: a call to the hook from inside extraction
    from newsbot.extract import core

    real = core.extract_body

    def recording_body(*args, **kwargs):
        result = real(*args, **kwargs)
        t = trace_mod.active()
        t.add_candidate("body/article", 0.9, True, "most text")
        return result

    monkeypatch.setattr(core, "extract_body", recording_body)
    _, trace = extract_with_trace(PAGE.read_bytes(), url=URL)
    assert "body/article" in [c.path for c in trace.candidates]  # beside what the body finder itself recorded
    assert "candidates" not in trace.provisional and "blocks" not in trace.provisional


def test_a_page_without_a_body_still_traces_its_blocks():
    html = "<html><body><nav><a href=/a>الرئيسية</a> <a href=/b>سياسة</a></nav><p>قصير</p></body></html>"
    with pytest.raises(ExtractionError) as info:
        extract_with_trace(html, url="https://x.test/")
    trace = info.value.trace
    assert trace.error.startswith("no-body") and trace.blocks and not trace.kept
    record, trace = trace_page(html, url="https://x.test/")
    assert record is None and "No record: no-body" in render_report(trace, None, "https://x.test/")


def test_report_lists_blocks_fields_candidates_escaped(traced):
    record, trace = traced
    html = render_report(trace, record, URL)
    assert html.count('class="block kept"') == len(trace.kept)
    assert html.count('class="block dropped"') == len(trace.dropped)
    assert html.count('<p class="text" dir="auto">') == len(trace.blocks)
    assert 'data-field="published"' in html and record.published in html
    assert 'id="provisional"' not in html  # everything shown was recorded by the extractor itself
    assert "<script" not in html and "<img" not in html
    evil = Trace(blocks=[trace_mod.TraceBlock(0, "<script>alert(1)</script>", False, "<b>rule</b>", "body")])
    out = render_report(evil, None, "<i>x</i>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and "&lt;b&gt;rule&lt;/b&gt;" in out
    assert "<script>" not in out and "<i>x</i>" not in out


# ---- need the extractor's own decisions --------------------------------------------------------------------


def test_every_dropped_block_names_the_rule_that_dropped_it(traced):
    _, trace = traced
    assert "blocks" not in trace.provisional
    assert all(b.rule and b.rule != PENDING_RULE for b in trace.blocks)
    related = next(b for b in trace.dropped if "اقرأ أيضا" in b.text)
    assert re.search(r"(?i)furniture|class|related", related.rule)


def test_candidates_are_the_containers_the_body_finder_weighed(traced):
    _, trace = traced
    assert "candidates" not in trace.provisional
    assert len(trace.candidates) > 1 and sum(c.chosen for c in trace.candidates) == 1
    chosen = next(c for c in trace.candidates if c.chosen)
    assert chosen.score >= max(c.score for c in trace.candidates if not c.chosen) or chosen.why


def test_each_field_says_where_it_came_from(traced):
    _, trace = traced
    assert "fields" not in trace.provisional
    assert all(f.source != PENDING_SOURCE for f in trace.fields.values())
    assert re.search(r"(?i)json-ld|meta|og:|h1", trace.fields["title"].source)
