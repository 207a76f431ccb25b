"""Body finder on pages written for these tests (tests/fixtures/body/) and small inline pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from newsbot.extract import extract
from newsbot.extract.body import extract_body
from newsbot.extract.types import Metadata

FIX = Path(__file__).parent / "fixtures" / "body"


def paragraphs(record) -> list[str]:
    return record.body.split("\n\n") if record.body else []


def body_of(html: str, title: str | None = None):
    return extract_body(LexborHTMLParser(html), Metadata(title=title), "https://example.test/a", None, html)


RT_PARAGRAPHS = [
    "قال وزير الخارجية سيرغي لافروف، إن الولايات المتحدة تسعى لتضييق جدول أعمال الاجتماع بين الرئيس الروسي "
    "فلاديمير بوتين ونظيره الأمريكي جو بايدن بشأن مسألة الاستقرار الاستراتيجي.",
    'وأضاف لافروف، في مؤتمر صحفي مشترك مع نظيره الأذربيجاني جيهون بيراموف في باكو: "الحوار، بالطبع، ضروري. خاصة '
    'في الظروف التي دمرت فيها واشنطن بشكل مستمر جميع آليات الحد من التسلح، حاليا بقيت معاهدة ستارت 3".',
    'وتابع لافروف القول: "أوضحنا لزملائنا الأمريكيين ضرورة وجدوى اتخاذ قرار بشأن جدول الأعمال. نحن نقترح النظر في '
    "كل عوامل المشاكل في مجال الاستقرار الاستراتيجي دون استثناء، وفي جميع الأنظمة دون استثناء - الهجومية "
    'والدفاعية على حد سواء، والتي لها تأثير مباشر على هذا الاستقرار الاستراتيجي".',
    "ونوه لافروف، بأن موسكو قدمت مقترحاتها حول ذلك في العام الأخير من عهد الرئيس دونالد ترامب، وتم تأكيد ذلك بعد "
    "تولي بادين الرئاسة.",
    'وقال لافروف: "ننتظر رد فعل، على الرغم من أن الدلائل الأولية تشير إلى أن الجانب الأمريكي يرغب في تضييق جدول '
    "أعمال المناقشة حول الاستقرار الاستراتيجي بشكل كبير، وعدم إدراج في إطار المفاوضات كافة العوامل التي لها "
    'تأثير كبير على الوضع الحالي في هذا الشأن".',
    "وفي وقت سابق، أعلن البيت الأبيض أن بايدن اقترح على بوتين عقد اجتماع قمة هذا الصيف في إحدى الدول الأوروبية "
    "لبحث القضايا المتراكمة في العلاقات الثنائية. وذكر الكرملين أنه تجري مناقشة موعد محتمل للاجتماع. وقال بايدن "
    "إنه يأمل في لقاء بوتين في يونيو حزيران.",
]


def test_rt_arabic_page_gives_headline_and_exactly_its_six_paragraphs():
    rec = extract((FIX / "rt_arabic_lavrov.html").read_bytes(), url="https://arabic.example-rt.test/world/1230457/")
    assert rec.title == "لافروف يتحدث عن التحضير للقاء محتمل بين بوتين وبايدن"
    assert paragraphs(rec) == RT_PARAGRAPHS  # lead kept; repeated headline, "Sputnik", stories, poll, related gone
    assert rec.strategy == "dom"
    assert rec.confidence >= 0.7


def test_read_also_boxes_captions_share_bars_and_comments_are_dropped_even_between_paragraphs():
    rec = extract((FIX / "ar_read_also_captions_comments.html").read_bytes(), url="https://sahel.example.test/p/5521")
    assert paragraphs(rec) == [
        "افتتح وزير المياه صباح اليوم محطة تحلية جديدة في المدينة الساحلية بطاقة إنتاجية تبلغ مئة ألف متر مكعب يوميا، "
        "في خطوة تهدف إلى تخفيف أزمة المياه التي يعاني منها السكان منذ سنوات.",
        "وقال الوزير في كلمة خلال حفل الافتتاح إن المحطة ستغطي احتياجات نحو نصف مليون نسمة، وإن المرحلة الثانية من "
        "المشروع ستنطلق مطلع العام المقبل بتمويل مشترك من الحكومة والقطاع الخاص.",
        "وأوضح أن كلفة المشروع بلغت مئتين وخمسين مليون دولار، وأن المحطة تعمل بالطاقة الشمسية جزئيا لخفض استهلاك "
        "الكهرباء وتقليل الانبعاثات.",
        # <br><br> splits a paragraph
        "وأضاف أن الوزارة ستطلق حملة توعية لترشيد استهلاك المياه بالتزامن مع تشغيل المحطة.",
        "ترحيب شعبي",  # crosshead kept
        "من جهتهم، رحب سكان المدينة بافتتاح المحطة، مؤكدين أن انقطاع المياه المتكرر خلال فصل الصيف أثر على حياتهم "
        "اليومية وعلى أعمالهم التجارية الصغيرة.",
        "وتعد هذه المحطة الثالثة من نوعها في البلاد، بعد محطتين افتتحتا في العاصمة والمدينة الشمالية خلال السنوات "
        "الخمس الماضية.",
    ]
    for junk in ("كتب", "اقرأ أيضا", "انقطاع المياه عن أحياء", "الأمم المتحدة: ملياران", "أ ف ب", "إعلان",
                 "شاهد أيضا", "تابعونا", "اشترك", "خطوة ممتازة", "التعليقات", "الأكثر قراءة", "تصوير"):
        assert junk not in rec.body


def test_english_news_page():
    rec = extract((FIX / "en_news_article.html").read_bytes(), url="https://ledger.example.test/news/rail")
    paras = paragraphs(rec)
    assert paras[0].startswith("The Riverton city council voted 7-2 early Tuesday")
    assert paras[-1].startswith("The council will hold a separate vote next month")
    assert "What happens next" in paras  # crosshead
    assert "Phase one: Eastside station to the river crossing, 6 miles." in paras  # list inside the story
    assert any(p.startswith('"We will hold public meetings') for p in paras)  # blockquote
    assert len(paras) == 10
    for junk in ("By Jane Smith", "Updated 3:45", "Advertisement", "Read more", "Traffic study", "Related",
                 "Council passes budget", "Sign up", "Get the day's top", "boondoggle", "Finally!", "Most read",
                 "artist's rendering", "Share on", "Tags:", "All rights reserved"):
        assert junk not in rec.body


def test_liveblog_body_comes_from_base64_apollo_state():
    rec = extract((FIX / "ar_liveblog_apollo_state.html").read_bytes(), url="https://news.example.test/liveblog/1")
    paras = paragraphs(rec)
    assert rec.strategy == "appstate"
    assert paras[0] == "في اليوم العاشر من الهدنة بين الطرفين، وبعد أسابيع من المفاوضات المتعثرة:"
    assert len(paras) == 5  # intro + 4 bullet items
    assert paras[-1].startswith("دعت الأمم المتحدة إلى إدخال")
    assert "لمتابعة التغطية السابقة" not in rec.body  # closing link-only paragraph
    assert "اقرأ المزيد" not in rec.body and "آخر تحديث" not in rec.body
    assert rec.confidence >= 0.8  # the static first line agrees with the state


def test_nextjs_shell_body_comes_from_next_data():
    rec = extract((FIX / "ar_nextjs_shell.html").read_bytes(), url="https://health.example.test/news/9912")
    paras = paragraphs(rec)
    assert rec.strategy == "appstate"
    assert len(paras) == 3
    assert paras[0].startswith("أعلنت وزارة الصحة إطلاق حملة وطنية")
    assert "اقرأ أيضا" not in rec.body and "جولة تفقدية" not in rec.body and "جار التحميل" not in rec.body


LONG = [
    "أعلنت الحكومة اليوم عن خطة جديدة لدعم المزارعين المتضررين من موجة الجفاف التي ضربت البلاد خلال الصيف الماضي.",
    "وتشمل الخطة تعويضات مالية مباشرة وقروضا ميسرة بدون فوائد لمدة ثلاث سنوات، إضافة إلى توزيع بذور محسنة.",
    "وقال وزير الزراعة إن الخطة ستكلف الخزينة نحو مئتي مليون دولار، وإن التمويل سيأتي من صندوق الطوارئ الوطني.",
    "ورحب اتحاد المزارعين بالخطة، لكنه طالب بتسريع صرف التعويضات قبل بدء موسم الزراعة الشتوي في نوفمبر المقبل.",
]


def test_jsonld_article_body_replaces_a_dom_teaser():
    ld = json.dumps({"@type": "NewsArticle", "headline": "خطة لدعم المزارعين", "articleBody": "\n".join(LONG)},
                    ensure_ascii=False)
    html = (f'<html><head><script type="application/ld+json">{ld}</script></head><body>'
            f'<nav><a href="/">الرئيسية</a></nav><article><h1>خطة لدعم المزارعين</h1><p>{LONG[0]}</p>'
            f'<div class="paywall">اشترك الآن لمتابعة القراءة</div></article></body></html>')
    res = body_of(html, "خطة لدعم المزارعين")
    assert res.strategy == "jsonld"
    assert res.paragraphs == LONG


def test_jsonld_agreement_raises_confidence():
    dom = "".join(f"<p>{p}</p>" for p in LONG)
    plain = f'<html><body><div class="content">{dom}</div></body></html>'
    ld = json.dumps({"@type": "NewsArticle", "articleBody": " ".join(LONG)}, ensure_ascii=False)
    with_ld = plain.replace("<body>", f'<body><script type="application/ld+json">{ld}</script>')
    a, b = body_of(plain), body_of(with_ld)
    assert a.paragraphs == b.paragraphs == LONG
    assert b.strategy == "dom" and b.confidence > a.confidence


def test_bare_text_runs_between_empty_blocks_and_br_pairs_are_paragraphs():
    html = ('<html><body><div class="detail_txt">' + LONG[0] + '<p style="margin-top:5px"></p>' + LONG[1]
            + '<p class="hide_desk">(continued)</p><p style="margin-top:5px"></p>' + LONG[2] + "<br><br>" + LONG[3]
            + "</div></body></html>")
    assert body_of(html).paragraphs == LONG


def test_hidden_copies_of_the_headline_and_image_boxes_are_not_body():
    title = "خطة حكومية لدعم المزارعين المتضررين من الجفاف"
    html = (f'<html><body><div class="article_body"><span class="d-none">{title}</span>'
            f'<div class="img-box"><img src="a.jpg"><span>{title}</span></div>'
            f'<h2>{title}</h2>' + "".join(f"<p>{p}</p>" for p in LONG)
            + '<p><img src="b.jpg"></p><p>رويترز</p><div style="display:none">نص مخفي لا يظهر للقارئ أبدا في الصفحة</div>'
            + "</div></body></html>")
    assert body_of(html, title).paragraphs == LONG


def test_listing_page_gives_no_body():
    teasers = "".join(
        f'<div class="card"><h3><a href="/n/{i}">عنوان خبر رقم {i} عن أحداث اليوم في المنطقة</a></h3>'
        f"<p>{LONG[i % 4]}</p></div>" for i in range(12))
    html = f'<html><body><nav><a href="/">الرئيسية</a></nav><div class="list">{teasers}</div></body></html>'
    res = body_of(html)
    assert res.paragraphs == []
    assert "listing-page" in res.warnings


@pytest.mark.parametrize("name", ["rt_arabic_lavrov.html", "ar_read_also_captions_comments.html",
                                  "en_news_article.html"])
def test_plain_article_pages_use_the_dom_and_never_the_fallback(name):
    rec = extract((FIX / name).read_bytes(), url="https://example.test/x")
    assert rec.strategy == "dom"


def test_legacy_table_layout_with_font_tags_and_br_paragraphs():
    html = ('<html><body><table width="100%"><tr><td class="menu"><a href="/">الرئيسية</a> | <a href="/a">أخبار</a>'
            '</td></tr><tr><td width="70%"><font size="4"><b>' + "خطة لدعم المزارعين" + "</b></font><br>"
            '<font color="gray">2012/05/03</font><br><br><font size="3">' + "<br><br>".join(LONG)
            + '</font><br><br><a href="/n/9">اقرأ أيضا: المزارعون يطالبون بتعويضات عاجلة</a></td>'
            '<td width="30%"><b>الأكثر قراءة</b><br><a href="/1">خبر أول في القائمة الجانبية للموقع</a><br>'
            '<a href="/2">خبر ثان في القائمة الجانبية للموقع</a></td></tr></table></body></html>')
    assert body_of(html, "خطة لدعم المزارعين").paragraphs == LONG


def test_app_state_text_is_not_trusted_without_a_matching_title_or_dom_agreement():
    state = json.dumps({"widget": {"content": "<p>" + "نص إعلاني طويل لا علاقة له بالخبر " * 10 + "</p>"}},
                       ensure_ascii=False)
    html = (f"<html><body><article><h1>خطة لدعم المزارعين</h1><p>{LONG[0]}</p><p>{LONG[1]}</p></article>"
            f"<script>window.__INITIAL_STATE__ = {state};</script></body></html>")
    res = body_of(html, "خطة لدعم المزارعين")
    assert res.strategy == "dom"
    assert res.paragraphs == LONG[:2]


def test_article_with_many_inline_linked_headlines_is_not_mistaken_for_a_listing():
    title = "خطة حكومية لدعم المزارعين المتضررين من الجفاف"
    parts = []
    for i in range(6):
        parts.append(f"<p>{LONG[i % 4]}</p>")
        parts.append(f'<p><a href="/n/{i}">عنوان خبر مرتبط رقم {i} عن الزراعة والمياه في البلاد</a></p>')
    html = f"<html><body><article><h1>{title}</h1>{''.join(parts)}</article></body></html>"
    res = body_of(html, title)
    assert "listing-page" not in res.warnings
    assert res.paragraphs == [LONG[i % 4] for i in range(6)]



def test_embedded_social_posts_and_paywall_prompts_are_not_body():
    html = ("<html><body><div class='article-text'>" + f"<p>{LONG[0]}</p>"
            + '<blockquote class="twitter-tweet"><p lang="ar">تغريدة طويلة من حساب رسمي يعلق فيها على الخطة الحكومية '
              'الجديدة لدعم المزارعين</p>— الحساب الرسمي (@account) <a href="https://twitter.com/x">May 5, 2024</a>'
              "</blockquote>"
            + f"<p>{LONG[1]}</p>"
            + '<div class="paywall-prompt"><p>هذا المحتوى متاح للمشتركين فقط، اشترك الآن للوصول إلى جميع المقالات '
              "والتحليلات الحصرية</p></div>"
            + "</div></body></html>")
    assert body_of(html).paragraphs == LONG[:2]


def test_paragraphs_sharing_a_block_with_a_related_list_are_kept_and_the_list_dropped():
    related = "".join(f'<li><a href="/r/{i}">عنوان خبر ذي صلة رقم {i} عن الزراعة والمياه</a></li>' for i in range(6))
    html = ("<html><body><div class='story-body'>"
            f"<div class='chunk'><p>{LONG[0]}</p><p>{LONG[1]}</p><ul>{related}</ul></div>"
            f"<div class='chunk'><p>{LONG[2]}</p><p>{LONG[3]}</p>"
            f"<p>{LONG[0]} {LONG[1]}</p><p>{LONG[2]} {LONG[3]}</p></div>"
            "</div></body></html>")
    paras = body_of(html).paragraphs
    assert paras[:2] == LONG[:2] and len(paras) == 6
    assert "عنوان خبر ذي صلة" not in " ".join(paras)


# --- fast paths: each must give what the plain formulation gives -----------------------------------------------

SCORE_PAGE = """<html><body><div class="post-meta"><div class="content"><p>{p}</p><p>{p}</p><p>{p}</p></div>
<div class="related"><ul><li><a href="#">رابط أول</a></li><li>{p}</li></ul></div></div>
<article><h1>عنوان الخبر</h1><p>{p}</p><div class="sidebar"><p>{p}</p></div><p>قصير</p></article>
<footer><p>{p}</p></footer></body></html>"""


def _chain_walk_score(units, containers):
    """The scorer written the obvious way: every unit adds to every block of its chain."""
    from newsbot.extract.body import _is_sentence, _value
    from newsbot.extract.options import DEFAULTS

    values = [_value(u) for u in units]
    for u, v in zip(units, values, strict=True):
        for c in u.chain:
            c.raw_chars += len(u.text)
            if v > 0:
                c.raw_good += len(u.text)
                c.raw_units += 1
                c.raw_sentences += _is_sentence(u.text)
    page_good = containers[0].raw_good
    groups = {}  # furniture-named blocks with their same-named siblings, against the page's prose
    for c in containers:
        if c.hint == -2 and c.parent is not None and c.raw_good:
            groups.setdefault((id(c.parent), c.tag, c.name.split("#")[0]), []).append(c)
    for group in groups.values():
        if sum(x.raw_units for x in group) >= 3 and sum(x.raw_good for x in group) >= 0.6 * page_good:
            for x in group:
                x.hint = 0
    for c in containers:  # class words weighed against the prose below them
        if c.hint == -1 and ((c.raw_good >= 400 and c.raw_units >= 3) or
                             (c.raw_sentences and c.raw_good >= 0.7 * c.raw_chars)):
            c.hint = 0
    for u, v in zip(units, values, strict=True):
        k = max((i for i, c in enumerate(u.chain) if c.hint < 0), default=-1)
        n, sentence = len(u.text), v > 0 and _is_sentence(u.text)
        neutral = v <= 0 and n < DEFAULTS.short_unit and not u.link_chars and not u.junk  # a short plain line
        for i, c in enumerate(u.chain):
            c.units += 1
            c.sentences += sentence and i > k
            bad = (i <= k or v <= 0) and not neutral
            c.score += (-min(n, 200) if v > 0 else v) if i <= k else v
            c.bad_chars += n if bad else 0
            c.good_chars += n if not bad and not neutral else 0
    return values


def test_score_equals_the_chain_walk():
    from newsbot.extract.body import _score
    from newsbot.extract.dom import walk_units

    html = SCORE_PAGE.format(p="جملة طويلة من نص الخبر تكفي لتكون فقرة حقيقية في المقال. " * 3)

    def state(score):
        tree = LexborHTMLParser(html)
        units, containers = walk_units(tree.body)
        values = score(units, containers)
        return values, [(c.tag, c.hint, c.score, c.units, c.sentences, c.good_chars, c.bad_chars, c.raw_good)
                        for c in containers]

    assert state(_score) == state(_chain_walk_score)


@pytest.mark.parametrize("script", [
    "",
    '<script>window.__APP_STATE__ = {"a": {"title": "T", "body": "%s"}};</script>',
    '<script id="__NEXT_DATA__">{"props": {"content": "%s"}}</script>',
    '<script id="&#95;_NEXT_DATA__">{"props": {"content": "%s"}}</script>',  # the page text never says so
    '<p onclick="window.__x=1">%s</p>',
])
@pytest.mark.parametrize("jsonld_body", [None, "<p>%s</p>", "%s", "<p>window.__ %s</p>"])
def test_app_state_read_exactly_when_the_page_text_mentions_it(script, jsonld_body):
    from newsbot.extract.appstate import app_states, state_bodies
    from newsbot.extract.body import _structured

    long_text = "نص طويل من التطبيق " * 20
    html = f"<html><body>{script.replace('%s', long_text)}<p>فقرة</p></body></html>"
    meta = Metadata(title="T", jsonld_body=jsonld_body.replace("%s", long_text) if jsonld_body else None)
    tree = LexborHTMLParser(html)
    got = [(b.source, b.text) for b in _structured(tree, meta, html, True) if b.source == "appstate"]
    # the rule as first written: the last JSON-LD body (or the page) must mention an app state
    gate = html if meta.jsonld_body is None else (meta.jsonld_body if "<p" in meta.jsonld_body else None)
    wanted = app_states(tree) if not gate or "__NEXT_DATA__" in gate or "window.__" in gate else []
    assert got == [(b.source, b.text) for b in state_bodies(wanted, meta.title)[:3]]
