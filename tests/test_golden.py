"""Per-site golden files (tests/golden/<slug>.json, written by scripts/golden.py): every saved page listed there is
extracted again, with its site's profile in the layout of its fetch day, and must give the pinned record field by
field. A change in how a site's pages come out is then a failing test naming the site, the page and the fields.

Pages under ../shared are third-party content (held by path, fields as digests): skipped with the reason when absent.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = sorted((ROOT / "tests" / "golden").glob("*.json"))


def _golden_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("newsbot_golden", ROOT / "scripts" / "golden.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


golden = _golden_script()
CASES = [(path.stem, case) for path in GOLDEN for case in json.loads(path.read_text("utf-8"))["cases"]]


def changed_fields(case: dict) -> dict[str, object]:
    """{field: what extraction gives now} for each pinned field it no longer gives."""
    now = golden.record_fields(case["page"], case["url"], case["fetched"])
    want = case["record"]
    got = golden.pinned(case["page"], now)
    return {f: now[f] for f in want if got.get(f) != want[f]}


def test_every_site_with_a_corpus_page_has_a_golden_file():
    assert {p.stem for p in GOLDEN} >= {"aljazeera", "bbc-arabic", "cnn-arabic", "lbci", "youm7"}
    for path in GOLDEN:
        doc = json.loads(path.read_text("utf-8"))
        assert doc["site"] == path.stem and doc["cases"], path
        for case in doc["cases"]:
            assert set(case["record"]) == set(golden.FIELDS), (path, case["page"])


@pytest.mark.parametrize(("site", "case"), CASES, ids=[f"{s}:{Path(c['page']).name}" for s, c in CASES])
def test_site_page_gives_its_golden_record(site: str, case: dict):
    path = golden.page_path(case["page"])
    if not path.exists():
        pytest.skip(f"{case['page']} not found ({path}; ../shared beside the project)")
    changed = changed_fields(case)
    assert not changed, f"{site}: {case['page']} no longer gives its golden record in {sorted(changed)}: {changed}"


def test_a_changed_field_is_reported_by_name():
    site, case = next(((s, c) for s, c in CASES if golden.page_path(c["page"]).exists()), (None, None))
    if case is None:
        pytest.skip("no golden page found (../shared beside the project)")
    tampered = {**case, "record": {**case["record"], "title": golden.digest("another headline")}}
    assert list(changed_fields(tampered)) == ["title"], site


def test_a_record_that_disagrees_with_the_gold_is_not_pinned():
    scorer = golden._scorer() if (golden.SHARED / "eval" / "score.py").exists() else None
    if scorer is None:
        pytest.skip("../shared/eval/score.py not found beside the project")
    fields = {"title": "وزارة العمل تعلن", "published": "2024-05-20T07:00:00+00:00", "authors": ["آية دعبس"],
              "body": "فقرة أولى من الخبر\n\nفقرة ثانية"}
    gold = {"title": "وزارة العمل تعلن", "published": "2024-05-20", "authors": ["آية دعبس"],
            "body": ["فقرة أولى من الخبر", "فقرة ثانية"]}
    assert golden.disagreements(fields, gold, scorer) == []
    wrong = golden.disagreements({**fields, "title": "عنوان آخر", "authors": [], "published": "2024-05-22"}, gold,
                                 scorer)
    assert wrong == ["title", "published", "authors"]
    assert golden.disagreements({**fields, "body": "فقرة أولى من الخبر"}, gold, scorer)[0].startswith("body")


def test_pages_beside_the_project_are_pinned_as_digests_and_own_pages_in_clear():
    fields = {"title": "عنوان", "authors": ["كاتب"]}
    assert golden.pinned("shared:corpus/pages/x.html", fields) == {f: golden.digest(v) for f, v in fields.items()}
    assert golden.pinned("data/demo/index.html", fields) == fields
