"""Site profile mechanism: body/drop selectors and the registry lookup."""

from __future__ import annotations

from selectolax.lexbor import LexborHTMLParser

from newsbot.extract.body import extract_body
from newsbot.extract.profiles import PROFILES, Profile, profile_for
from newsbot.extract.types import Metadata

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
