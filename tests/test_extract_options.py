"""The thresholds extraction weighs are one named options object (newsbot/extract/options.py): a caller changes one
for one call, the change reaches the module that weighs it (extraction and the crawler's page-kind decision alike),
and nothing else is touched."""

from __future__ import annotations

import ast
import threading
from dataclasses import fields
from pathlib import Path

import pytest

from newsbot.extract import ExtractionError, ExtractOptions, extract
from newsbot.extract.options import DEFAULTS, current, using
from newsbot.extract.pagekind import Claim, decide

ROOT = Path(__file__).resolve().parent.parent
PARA = ("وقال المتحدث باسم الوزارة في مؤتمر صحفي عقده اليوم إن المحادثات ستستأنف الأسبوع المقبل في العاصمة، "
        "مضيفا أن الوفدين اتفقا على جدول أعمال يشمل ملفات الطاقة والمياه والتجارة بين البلدين.")


def _page(paragraphs: int) -> bytes:
    body = "".join(f"<p>{PARA} ({i})</p>" for i in range(paragraphs))
    return (f"<html><head><title>استئناف المحادثات</title></head><body><nav><a href='/'>الرئيسية</a></nav>"
            f"<article><h1>استئناف المحادثات</h1>{body}</article></body></html>").encode()


def test_a_threshold_changed_for_one_call_changes_that_call_only():
    page = _page(1)  # one paragraph of about 180 characters
    assert extract(page).body
    with pytest.raises(ExtractionError) as err:
        extract(page, options=ExtractOptions(min_body_chars=1000))
    assert err.value.reason == "no-body"
    assert extract(page).body  # the defaults again
    assert current() is DEFAULTS


def test_the_parse_budget_is_an_option():
    page = _page(3)
    assert extract(page).body
    with pytest.raises(ExtractionError) as err:
        extract(page, options=ExtractOptions(max_parse_work=10))
    assert err.value.reason == "too-deep"


def test_a_unit_threshold_reaches_the_body_finder():
    page = _page(4)
    body = extract(page).body
    assert body.count("\n\n") == 3
    # every paragraph shorter than the "short unit" threshold: labels, not prose, so no body is found
    with pytest.raises(ExtractionError):
        extract(page, options=ExtractOptions(short_unit=10_000, second_opinion_min_chars=10_000))


def test_the_crawler_page_kind_reads_the_same_options():
    silent = Claim(hint=None, is_article=None, reason="the page says nothing")
    assert decide(silent, "other", body_words=200, link_density=0.1).kind == "article"
    with using(ExtractOptions(odd_url_article_words=500)):
        assert decide(silent, "other", body_words=200, link_density=0.1).kind == "other"
    assert decide(silent, "other", body_words=200, link_density=0.1).kind == "article"


def test_options_in_force_are_per_thread():
    seen: list[int] = []
    with using(ExtractOptions(min_body_chars=5)):
        t = threading.Thread(target=lambda: seen.append(current().min_body_chars))
        t.start()
        t.join()
        assert current().min_body_chars == 5
    assert seen == [DEFAULTS.min_body_chars]


@pytest.mark.parametrize(("name", "value"), [("min_body_chars", -1), ("dense_links", 1.5), ("agreement", 2.0),
                                             ("short_unit", "25"), ("few_links", True)])
def test_impossible_values_are_refused_when_the_options_are_made(name: str, value: object):
    with pytest.raises(ValueError, match=name):
        ExtractOptions(**{name: value})  # type: ignore[arg-type]


def test_every_option_is_documented_once_where_it_is_declared():
    source = (ROOT / "newsbot" / "extract" / "options.py").read_text("utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    cls = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ExtractOptions")
    declared = {n.target.id: n.lineno for n in cls.body if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name)}
    assert set(declared) == {f.name for f in fields(ExtractOptions)}
    undocumented = [name for name, line in declared.items() if "#" not in lines[line - 1]]
    assert not undocumented, undocumented


def test_no_extraction_module_keeps_a_copy_of_an_option():
    """The former module constants are gone: each threshold has one owner."""
    names = {f.name.upper() for f in fields(ExtractOptions)} | {"SHORT", "MIN_BODY_CHARS", "MAX_PARSE_WORK",
                                                                 "COLLAPSE_BELOW", "LANGID_SAMPLE", "MAX_NESTING"}
    copies = []
    for path in (ROOT / "newsbot" / "extract").rglob("*.py"):
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.Assign):
                copies += [f"{path.name}:{t.id}" for t in node.targets if isinstance(t, ast.Name) and t.id in names]
    assert not copies, copies
