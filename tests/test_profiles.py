"""Site profiles: body/drop/title/date selectors, the registry lookup, versioned layouts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from newsbot.extract import extract
from newsbot.extract.body import extract_body
from newsbot.extract.profiles import PROFILES, Profile, profile_for
from newsbot.extract.profiles.hooks import HOOKS
from newsbot.extract.types import Metadata
from newsbot.record import RawPage
from newsbot.sites import RegistryError, parse_registry

ROOT = Path(__file__).resolve().parent.parent

PARAS = [
    "قال رئيس البلدية إن أعمال توسعة الطريق الساحلي ستبدأ الشهر المقبل وتستمر نحو عام كامل بكلفة تقديرية كبيرة.",
    "وأضاف أن البلدية ستوفر طرقا بديلة خلال فترة الأعمال، وأن حركة المرور لن تتوقف بشكل كامل في أي مرحلة.",
]
PAGE = (
    '<html><body><div class="wrap"><div class="x1"><h1>توسعة الطريق الساحلي</h1></div>'
    f'<div class="x2"><p>{PARAS[0]}</p><div class="x3"><p>نص ترويجي طويل بما يكفي ليبدو كفقرة عادية من فقرات '
    f'الخبر لكنه ليس منها أبدا</p></div><p>{PARAS[1]}</p></div>'
    '<div class="x4"><p>تعليق طويل من قارئ يبدو كأنه فقرة من الخبر لأنه بلا روابط ولا علامات تميزه عن النص.</p>'
    "<p>تعليق آخر طويل من قارئ ثان يتحدث عن الطريق الساحلي وعن الزحام الذي يسببه كل صيف.</p></div>"
    "</div></body></html>"
)


def test_profile_selectors_pick_the_body_and_drop_blocks():
    prof = Profile(slug="coastal", domains=("coastal.example.test",), body=("div.x2",), drop=("div.x3",))
    res = extract_body(LexborHTMLParser(PAGE), Metadata(title="توسعة الطريق الساحلي"),
                       "https://coastal.example.test/a", prof, PAGE)
    assert res.strategy == "profile:coastal"
    assert res.paragraphs == PARAS


def test_profile_hook_has_the_last_word():
    prof = Profile(slug="coastal", domains=("coastal.example.test",), body=("div.x2",),
                   hook=lambda paras, tree: [p for p in paras if not p.startswith("وأضاف")])
    res = extract_body(LexborHTMLParser(PAGE), Metadata(), "https://coastal.example.test/a", prof, PAGE)
    assert res.paragraphs[0] == PARAS[0]
    assert PARAS[1] not in res.paragraphs


def test_profile_without_matching_selector_falls_back_to_generic_rules():
    prof = Profile(slug="coastal", domains=("coastal.example.test",), body=("div.does-not-exist",))
    res = extract_body(LexborHTMLParser(PAGE), Metadata(), "https://coastal.example.test/a", prof, PAGE)
    assert res.strategy == "dom"
    assert PARAS[0] in res.paragraphs


def test_registry_lookup_matches_subdomains_only_on_label_boundaries():
    prof = Profile(slug="t", domains=("example-news.test",))
    PROFILES.append(prof)
    try:
        assert profile_for("https://www.example-news.test/x") is prof
        assert profile_for("https://example-news.test/x") is prof
        assert profile_for("https://notexample-news.test/x") is None
    finally:
        PROFILES.remove(prof)


# --- profiles written in the site registry (data/sites.toml) ----------------------------------------------------

SITE = """
[[site]]
slug = "coastal"
name = "الساحل"
homepage = "https://coastal.example.test/"
verified = false
"""
ARTICLE = [
    "أعلنت وزارة النقل أن الجسر البحري الجديد سيفتح أمام السيارات مطلع الشهر المقبل بعد أربع سنوات من الأعمال.",
    "وقال المتحدث باسم الوزارة إن الجسر سيختصر زمن الرحلة بين ضفتي الخليج من ساعة كاملة إلى أقل من ربع ساعة.",
    "وأضاف أن رسوم العبور ستكون رمزية في الأشهر الأولى، على أن تراجع بعد دراسة حركة المرور على الجسر الجديد.",
]
TEASERS = [
    "تقرير مصور طويل عن أسواق المدينة القديمة في رمضان وعن الحرفيين الذين ما زالوا يعملون بالطرق التقليدية.",
    "جولة في المتحف الوطني بعد ترميمه، مع شرح مفصل للقطع الأثرية التي عرضت للمرة الأولى أمام الزوار هذا العام.",
]
# the markup the site served until mid-2023: the article in div.old-story, and a "most read" box that happened to
# carry the class the current layout reads the body from
OLD_PAGE = (
    "<html><head><title>الجسر البحري | الساحل</title></head><body>"
    '<div class="old-story"><h2 class="old-head">الجسر البحري يفتح الشهر المقبل</h2>'
    '<p class="old-when">2023-03-14</p>'
    f'<p>{ARTICLE[0]}</p><div class="old-promo"><p>{TEASERS[0]}</p></div><p>{ARTICLE[1]}</p><p>{ARTICLE[2]}</p>'
    "</div>"
    f'<aside><div class="story-body"><p>{TEASERS[0]}</p><p>{TEASERS[1]}</p></div></aside>'
    "</body></html>"
)
CURRENT = """
[site.profile]
body = [".story-body"]
drop = [".story-body .promo"]
title = ["h1.headline"]
date = ["time.published"]
"""
OLD_LAYOUT = """
[[site.profile.layouts]]
valid_until = 2023-06-30
body = ["div.old-story"]
drop = ["div.old-promo"]
title = ["h2.old-head"]
date = ["p.old-when"]
"""
URL = "https://coastal.example.test/2023/03/14/bridge"


def _registry(tmp_path, text: str, name: str = "sites.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_profile_written_in_the_registry_changes_extraction_of_its_sites_pages(tmp_path):
    generic = extract(PAGE, url="https://coastal.example.test/a", registry=_registry(tmp_path, SITE, "plain.toml"))
    assert generic.strategy != "profile:coastal"
    registry = _registry(tmp_path, SITE + '[site.profile]\nbody = ["div.x2"]\ndrop = ["div.x3"]\ntitle = ["div.x1 h1"]\n')
    rec = extract(PAGE, url="https://coastal.example.test/a", registry=registry)
    assert rec.strategy == "profile:coastal"
    assert rec.body == "\n\n".join(PARAS)
    assert generic.body != rec.body
    # another site's page is read by the generic rules, whatever the registry says about coastal
    other = extract(PAGE, url="https://other.example.test/a", registry=registry)
    assert other.body == generic.body and other.strategy == generic.strategy


def test_profile_title_and_date_selectors_override_the_generic_metadata(tmp_path):
    registry = _registry(tmp_path, SITE + CURRENT + OLD_LAYOUT)
    rec = extract(OLD_PAGE, url=URL, registry=registry, fetched="2023-03-14T09:00:00+00:00")
    assert rec.title == "الجسر البحري يفتح الشهر المقبل"
    assert rec.published == "2023-03-14"


def test_a_site_with_two_layouts_reads_an_old_page_with_the_layout_valid_when_it_was_fetched(tmp_path):
    registry = _registry(tmp_path, SITE + CURRENT + OLD_LAYOUT)
    old = extract(OLD_PAGE, url=URL, registry=registry, fetched="2023-03-14T09:00:00+00:00")
    assert old.strategy == "profile:coastal@2023-06-30"
    assert old.body == "\n\n".join(ARTICLE)
    # the same bytes taken as served today are read with today's layout: its body selector finds the teaser box
    today = extract(OLD_PAGE, url=URL, registry=registry)
    assert today.strategy == "profile:coastal"
    assert today.body == "\n\n".join(TEASERS)


def test_when_the_dated_layout_matches_nothing_the_others_are_tried(tmp_path):
    registry = _registry(tmp_path, SITE + """
[site.profile]
body = ["div.new-story"]
""" + OLD_LAYOUT)
    rec = extract(OLD_PAGE, url=URL, registry=registry)  # no fetch time: taken as fetched now
    assert rec.strategy == "profile:coastal@2023-06-30"
    assert rec.body == "\n\n".join(ARTICLE)


def test_reextraction_reads_a_stored_page_with_the_layout_of_its_fetch_day(tmp_path, monkeypatch):
    from newsbot import sites
    from newsbot.store import open_store
    from pipelines import run_records
    from pipelines.reextract import reextract

    monkeypatch.setattr(sites, "DEFAULT_REGISTRY", _registry(tmp_path, SITE + CURRENT + OLD_LAYOUT))
    rec = extract(OLD_PAGE, url=URL, fetched="2023-03-14T09:00:00+00:00")
    assert rec.body == "\n\n".join(ARTICLE)
    rec.body = "\n\n".join(TEASERS)  # what an extractor that knew only today's layout stored
    rec.raw = RawPage(url=URL, body=OLD_PAGE.encode(), headers={"Content-Type": "text/html; charset=utf-8"},
                      fetched_at="2023-03-14T09:00:00+00:00")
    store = open_store(str(tmp_path / "store.db"))
    try:
        run_records([rec.finalise()], store)
        stats = reextract(store)
        assert stats["newsbot/reextract/pages"] == 1 and stats["newsbot/items/updated"] == 1
        (body,) = store.db.execute("SELECT body FROM articles").fetchone()
        assert body == "\n\n".join(ARTICLE)
    finally:
        store.close()


@pytest.mark.parametrize("profile, message", [
    ('[site.profile]\nbody = ["div["]\n', "bad CSS selector"),
    ('[site.profile]\nbody = ["div.a"]\nhook = "no-such-hook"\n', "unknown hook"),
    ('[site.profile]\nbodies = ["div.a"]\n', "unknown field"),
    ('[site.profile]\n', "at least one of"),
    ('[site.profile]\nbody = ["div.a"]\n[[site.profile.layouts]]\nbody = ["div.b"]\n', "'valid_until' is required"),
    ('[site.profile]\nbody = ["div.a"]\n[[site.profile.layouts]]\nvalid_until = "spring"\nbody = ["div.b"]\n',
     "must be a date"),
    ("profile = 3\n", "profile name or a table"),
])
def test_invalid_profiles_are_refused_with_the_reason(profile, message):
    with pytest.raises(RegistryError, match=message):
        parse_registry(SITE + profile)


def test_a_named_hook_from_the_registry_has_the_last_word(tmp_path):
    HOOKS["no_second_paragraph"] = lambda paras, tree: [p for p in paras if not p.startswith("وأضاف")]
    try:
        registry = _registry(tmp_path, SITE + '[site.profile]\nbody = ["div.x2"]\ndrop = ["div.x3"]\n'
                                              'hook = "no_second_paragraph"\n')
        rec = extract(PAGE, url="https://coastal.example.test/a", registry=registry)
        assert rec.body == PARAS[0]
    finally:
        del HOOKS["no_second_paragraph"]


def test_extraction_with_a_registry_profile_imports_no_scrapy(tmp_path):
    registry = _registry(tmp_path, SITE + CURRENT + OLD_LAYOUT)
    code = (
        "import sys\n"
        "from newsbot.extract import extract\n"
        f"rec = extract({OLD_PAGE!r}, url={URL!r}, registry={str(registry)!r}, fetched='2023-03-14')\n"
        "assert rec.strategy == 'profile:coastal@2023-06-30', rec.strategy\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('scrapy', 'twisted', 'spiders'))\n"
        "assert not bad, bad\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
