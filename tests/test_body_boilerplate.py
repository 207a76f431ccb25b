"""Boilerplate matchers and class/id hints used by the body finder."""

from __future__ import annotations

import pytest

from newsbot.extract.boilerplate import (
    hint_weight,
    is_byline,
    is_credit_line,
    is_date_line,
    is_furniture_line,
    is_hidden_hint,
    is_policy_text,
)


@pytest.mark.parametrize("line", [
    "اقرأ أيضا: انقطاع المياه عن أحياء شرق المدينة لمدة يومين",
    "اقرأ أيضاً",
    "إقرأ أيضا.. الحكومة تعلن خطة جديدة",
    "شاهد أيضا: جولة مصورة",
    "طالع أيضا: تفاصيل الخطة",
    "اقرأ المزيد",
    "تابعونا على تويتر وفيسبوك",
    "الأكثر قراءة",
    "موضوعات ذات صلة",
    "الموضوعات المتعلقة",
    "قد يعجبك",
    "اخترنا لك",
    "التعليقات",
    "اضف تعليقاً واقرأ تعليقات القراء",
    "اشترك في النشرة البريدية",
    "حمل التطبيق الآن",
    "جميع الحقوق محفوظة © 2025",
    "إعلان",
    "Read more: Traffic study finds commute times up",
    "Advertisement",
    "Share this article",
    "(جاری ہے)",
])
def test_furniture_lines(line):
    assert is_furniture_line(line)


@pytest.mark.parametrize("line", [
    "وقال الوزير إن التعليقات التي صدرت عن المعارضة لا تعكس الواقع.",
    "التعليقات التي أدلى بها الوزير أمس أثارت موجة واسعة من الانتقادات في البرلمان وخارجه، وطالب نواب المعارضة "
    "باستجوابه أمام اللجنة المختصة خلال الأسبوع المقبل.",
    "استطلاع جديد للرأي أجراه مركز الدراسات يظهر تقدم مرشح المعارضة بفارق كبير عن منافسيه في الانتخابات الرئاسية.",
    "Related party transactions were reviewed by the audit committee, which found no irregularities in the accounts.",
])
def test_prose_is_not_furniture(line):
    assert not is_furniture_line(line)


@pytest.mark.parametrize("line", ["Sputnik", "رويترز", "(أ ف ب)", "أ.ف.ب", "Getty Images / AFP", "الأناضول"])
def test_credit_lines(line):
    assert is_credit_line(line)


def test_credit_is_only_a_credit_when_alone():
    assert not is_credit_line("وقالت رويترز إن المحادثات انتهت")


def test_bylines_and_date_lines():
    assert is_byline("كتب: محمد العلي") and is_byline("كتبت آية دعبس") and is_byline("حوار: آسيا العتروس")
    assert is_byline("By Jane Smith")
    assert not is_byline("كتب الشاعر قصيدته الأولى وهو في العاشرة من عمره")
    assert is_date_line("الإثنين، 24 أغسطس 2020 09:23 ص")
    assert is_date_line("Updated 3:45 PM EST, Mon March 4, 2024")
    assert not is_date_line("وصل 24 شخصا إلى المدينة يوم الإثنين")


def test_policy_text():
    assert is_policy_text("ترحب الشبكة بالنقاش، وكي لا نضطر إلى مراجعة التعليقات قبل نشرها ننصحك بمراجعة إرشادات "
                          "الاستخدام. جميع مشاركاتك يمكن استخدامها وفق سياسة الخصوصية.")
    assert not is_policy_text("قال الوزير إن التعليقات على القرار كانت إيجابية.")


@pytest.mark.parametrize("hint,weight", [
    ("article-body", 1),
    ("entry-content", 1),
    ("related-news", -2),
    ("fb-comments", -3),  # never body: reader comments are prose too
    ("sidebar", -1),  # a layout word: themes put it in the article's own wrapper
    ("main-nav", -2),
    ("selectionShareable", 0),  # "shareable" is not a share bar
    ("field field-name-body field-type-text-with-summary field-label-hidden", 0),  # never furniture
    ("node node-article node-not-promoted author-x clearfix", 0),  # article + weak tokens: undecided
    ("date_author", -1),  # weak only: furniture unless it turns out full of prose
    ("uplCaption", -2),
    ("article__subtitle", -2),
])
def test_hint_weights(hint, weight):
    assert hint_weight(hint) == weight


def test_hidden_classes_are_whole_class_names():
    assert is_hidden_hint("d-none") and is_hidden_hint("foo hidden") and is_hidden_hint("hide_desk")
    assert not is_hidden_hint("field-label-hidden") and not is_hidden_hint("hidden-label-x")
