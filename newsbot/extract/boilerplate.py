"""Boilerplate knowledge for news pages (Arabic first, English, some Persian/Urdu): data plus small matchers.

Two kinds of knowledge live here:
- class/id hints: which container names mean "article text" and which mean page furniture;
- line matchers: text that is furniture wherever it sits, even between two body paragraphs
  ("اقرأ أيضا" boxes, photo credits, share/follow calls, comment headers, copyright lines...).
Matching is done on a folded form (no diacritics/tatweel, unified alef/yeh/teh marbuta, lower case).
"""

from __future__ import annotations

import re
from functools import lru_cache

_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك", "ۀ": "ه"})
# the same as (letter, replacement) pairs; no replacement is itself replaced, so applying them in turn == translate
_FOLD_PAIRS = tuple((chr(k), v) for k, v in _FOLD.items())
_PUNCT_EDGES = " \t\n\r\u00a0:：.،,;؛!?؟…»«\"'()[]{}-–—|/\\>«<·•*#»"


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Comparison form: case, diacritics, tatweel, alef/yeh/teh-marbuta variants and spacing folded."""
    text = _MARKS.sub("", text)
    for a, b in _FOLD_PAIRS:  # one C-speed scan per letter beats translate()'s per-character table look-up
        if a in text:
            text = text.replace(a, b)
    return " ".join(text.lower().split())  # == re.sub(r"\s+", " ", ...).strip(), without a match per word gap


def _folded(items: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(fold(x) for x in items)


# --- class / id hints -------------------------------------------------------------------------------

# Tokens of class/id names (split at non-letters and camelCase) that mark furniture, in three strengths. A class
# word is evidence, never a veto on its own: the scorer (body.py) weighs it against the prose the block holds.
# NEVER_BODY (-3): blocks that hold other people's text or pure navigation; prose inside them is still furniture
# (reader comments are long prose). STRONG (-2): furniture unless the block holds most of the page's prose.
# LAYOUT words (-1) are what page builders and themes put in the article's own wrappers ("elementor-widget-...",
# "content-sidebar-wrap", "paywall", "__next"): furniture only when the block turns out to hold little prose.
# STRONG and NEVER_BODY tokens win over article-ish tokens in the same name ("related-posts", "comments-content");
# WEAK ones only count alone ("author-x ... article" on a Drupal <article>, "post-header" on an article header).
NEVER_BODY_TOKENS = frozenset("comment comments commentlist disqus tweet twitter instagram tiktok".split())
NEVER_BODY_PREFIXES = ("comment",)
STRONG_NEG_TOKENS = frozenset(
    """nav navbar navigation menu menus submenu footer related relation sharing sharer social socials
    poll polls newsletter subscribe subscription ad ads adv advert adverts advertisement
    advertising adsbygoogle sponsor sponsored banner tagcloud popular trending mostread
    most viewed recommended recommendations recommend outbrain taboola ticker marquee breaking cookie cookies
    consent login signup caption captions figcaption credit credits byline dateline timestamp prev next previous
    subtitle subheadline subhead standfirst kicker strapline introtext dek cta optin leadgen bio authorbio
    aboutauthor authorbox affiliate disclosure toc facebook whatsapp telegram""".split()
)
LAYOUT_NEG_TOKENS = frozenset(
    """sidebar widget widgets paywall pagination pager overlay modal popup breadcrumb breadcrumbs
    crumbs meta metadata info source sources""".split()
)
WEAK_NEG_TOKENS = frozenset(
    """foot aside side share shares vote promo promotion tags tag keywords topics header masthead byline author authors
    dateline date time timestamp caption captions credit credits cap figcaption copyright print email whatsapp
    facebook telegram follow skip summary excerpt teaser intro embed""".split()
)
STRONG_NEG_PREFIXES = (
    "related", "newsletter", "taboola", "outbrain", "advert", "social", "footer",
    "trending", "popular", "recommend", "subscri", "banner", "sharebar", "sharethis", "shareicon", "sharebutton",
    "sharelink", "sharetool", "mostread", "mostpopular", "ticker",
)
LAYOUT_NEG_PREFIXES = ("sidebar", "breadcrumb")
WEAK_NEG_PREFIXES = ("promo", "caption", "byline")
# Inline elements (span, small...) with these tokens are captions/credits/stamps inside a text run.
INLINE_DROP_TOKENS = frozenset(
    "caption captions credit credits cap figcaption copyright byline dateline timestamp".split())
POS_TOKENS = frozenset(
    """article articles articlebody content contents story stories body entry post text main detail details news
    single blog txt paragraph paragraphs prose richtext wysiwyg""".split()
)
# Arabic/Persian/Urdu words sometimes used as class names.
POS_WORDS = _folded(("تفاصيل", "المقال", "الخبر", "متن", "خبر"))
NEG_WORDS = _folded(("تعليقات", "ذات صلة", "الاكثر قراءه", "اعلان", "مشاركه"))

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NONALNUM = re.compile(r"[^0-9a-zA-Z\u0600-\u06ff]+")
# Whole class names that hide an element (on every screen, or on desktop: mobile-only extras).
_HIDDEN_CLASS = re.compile(
    r"^(hidden|hide|invisible|d-none|sr-only|visually-hidden|visuallyhidden|is-hidden|u-hidden|screen-reader-text|"
    r"(hide|hidden)[-_]?(desk|desktop|lg|md)|"
    # Webflow's stylesheet hides a form's status messages until sent, and CMS blocks whose condition fails
    r"w-form-done|w-form-fail|w-condition-invisible)$", re.I)


def hint_tokens(hint: str) -> list[str]:
    return [t for t in _NONALNUM.split(_CAMEL.sub(" ", hint).lower()) if t]


@lru_cache(maxsize=8192)
def hint_weight(hint: str) -> int:
    """-3 never body, -2 furniture, -1 probably furniture (layout or weak tokens), +1 article-ish, 0 unknown/mixed."""
    if not hint or not hint.strip():
        return 0
    toks = hint_tokens(hint)
    if any(t in NEVER_BODY_TOKENS or t.startswith(NEVER_BODY_PREFIXES) for t in toks):
        return -3
    if any(t in STRONG_NEG_TOKENS or t.startswith(STRONG_NEG_PREFIXES) for t in toks):
        return -2
    if any(t in LAYOUT_NEG_TOKENS or t.startswith(LAYOUT_NEG_PREFIXES) for t in toks):
        return -1
    weak = any(t in WEAK_NEG_TOKENS or t.startswith(WEAK_NEG_PREFIXES) for t in toks)
    pos = any(t in POS_TOKENS for t in toks)
    if not weak and not pos and any("\u0600" <= c <= "\u06ff" for c in hint):
        f = fold(hint)
        if any(w in f for w in NEG_WORDS):
            return -3 if "تعليق" in f else -2
        pos = any(w in f for w in POS_WORDS)
    if weak:
        return 0 if pos else -1
    return 1 if pos else 0


@lru_cache(maxsize=8192)
def is_inline_drop_hint(hint: str) -> bool:
    return any(t in INLINE_DROP_TOKENS for t in hint_tokens(hint))


@lru_cache(maxsize=8192)
def is_hidden_hint(cls: str) -> bool:
    """True when one of the class names hides the element."""
    return any(_HIDDEN_CLASS.match(c) for c in cls.split())


# --- whole-line furniture ----------------------------------------------------------------------------

# Lines that START with one of these are furniture. Distinctive phrases are matched on lines up to 160 chars
# (a "read also" line carries a headline after it); plain words only on short header-like lines.
_DISTINCT_PREFIXES = _folded((
    "اقرأ أيضا", "اقرأ أيضاً", "اقرا ايضا", "إقرأ أيضا", "اقرأ ايضا", "اقرأ كذلك", "اقرأ المزيد", "إقرأ المزيد",
    "اقرأ أكثر", "اقرأ:", "شاهد أيضا", "شاهد أيضاً", "شاهد ايضا", "شاهد:", "طالع أيضا", "طالع أيضاً", "طالع ايضا",
    "طالع:", "للمزيد:", "المزيد:", "مواضيع ذات صلة", "موضوعات ذات صلة", "أخبار ذات صلة", "اخبار متعلقة",
    "مقالات ذات صلة", "الموضوعات المتعلقة", "قصص مقترحة", "اخترنا لك", "تابعونا على", "تابع الجزيرة على",
    "تابعنا على", "تابعونا عبر", "لمتابعة آخر", "انقر هنا", "اضغط هنا", "لمتابعة التغطية", "اشترك في النشرة",
    "اشترك في نشرتنا", "اشترك ليصلك", "سجل بريدك", "حمل التطبيق", "حمّل التطبيق", "حمل تطبيق", "نزّل التطبيق",
    "ترحب شبكة", "الآراء الواردة", "قد يحتوي هذا الفيديو", "جميع الحقوق محفوظة", "كل الحقوق محفوظة",
    "مصدر الصورة", "صدر الصورة", "التعليق على الصورة", "حقوق الصورة",
    "تابعوا آخر", "تابعوا أخبار", "تابعونا", "للمزيد اقرأ", "مقالات قد تهمك", "مواضيع قد تهمك", "شارك بتعليقك",
    "اشترك في قناة", "اشترك في قناتنا", "انضم لقناة", "انضم لقناتنا", "انضم الى قناة", "subscribe to our",
    "sign up to our", "sign up for our", "reporting by", "(reporting by", "additional reporting by", "editing by",
    "writing by", "our standards:",
    "read more:", "read also", "also read", "see also:", "follow us on", "sign up for", "download the app",
    "click here", "image source", "image caption", "continue reading", "all rights reserved", "copyright ©",
    "we may earn commission", "we may earn a commission", "as an amazon associate", "this post may contain affiliate",
    "this article contains affiliate", "this page contains affiliate", "i use affiliate links", "disclosure:",
    "هذا المحتوى متاح للمشتركين", "هذا المقال متاح للمشتركين", "this content is for subscribers",
    "this article is for subscribers", "subscribe to continue reading", "to continue reading", "already a subscriber",
    "بیشتر بخوانید", "بخوانید:", "مطالب مرتبط", "اخبار مرتبط", "تمامی حقوق", "مزید پڑھیں", "مزید خبریں",
))
_SHORT_PREFIXES = _folded((
    "شاهد الفيديو", "للمزيد من", "المزيد من الأخبار", "قد يعجبك", "قد يهمك", "الأكثر قراءة", "الأكثر مشاهدة",
    "الأكثر تصفحا", "الأكثر تداولا", "الأكثر شعبية", "الأكثر تعليقا", "تابعوا", "انضم إلى", "انضموا إلى", "شارك:",
    "شارك على", "مشاركة:", "شارك الخبر", "شارك المقال", "انشر على", "اشترك الآن", "حمل الآن", "التعليقات", "تعليقات",
    "اضف تعليق", "أضف تعليق", "إضافة تعليق", "شارك برأيك", "اكتب تعليقك", "لا توجد تعليقات", "استطلاع", "صوت الآن",
    "شارك في الاستطلاع", "حقوق النشر", "© ", "copyright", "آخر تحديث", "تاريخ النشر", "نشر في", "تاريخ الإضافة",
    "الصورة:", "صورة:", "تصوير:", "read more", "related", "more from", "more on this", "more stories", "recommended",
    "most read", "most popular", "share this", "share on", "share:", "follow us", "sign up", "subscribe",
    "get the app", "تخطى", "skip", "advertisement", "sponsored", "comments", "leave a comment", "add a comment", "post a comment",
    "newsletter", "photo:", "getty images", "skip advert", "کد خبر", "تاریخ انتشار", "برچسب ها", "برچسب‌ها",
    "مزید کھیلوں", "المصدر:", "المصدر :", "source:", "sources:", "post comment", "first published", "last updated",
    "join our", "join the conversation", "request a quote", "request information", "contact us", "get the latest",
    "thank you! please", "share your story", "summarize with ai", "filter by", "you may be interested", "posted by",
    "keep reading", "table of contents", "sign in", "log in", "privacy policy",
))
# Lines that are furniture when they are EXACTLY one of these (after trimming punctuation).
_EXACT_LINES = frozenset(_folded((
    "إعلان", "اعلان", "الإعلانات", "مباشر", "شارك", "مشاركة", "تغريد", "واتساب", "فيسبوك", "تويتر", "طباعة", "أرسل",
    "إرسال", "نسخ الرابط", "المزيد", "التالي", "السابق", "اختر", "تصويت", "الرئيسية", "فيديو", "صور", "بالصور",
    "بالفيديو", "(جاری ہے)", "جاری ہے", "ad", "advertisement", "share", "tweet", "email", "print", "more", "next",
    "previous", "video", "live", "menu", "home", "close", "loading", "اقرأ المزيد", "about", "about us", "services",
    "news", "tags", "register", "save", "newsletters", "search", "search...", "more...", "share this article",
)))
# Photo credits and agency tags that are furniture when alone on a line.
_CREDITS = frozenset(_folded((
    "Sputnik", "سبوتنيك", "رويترز", "Reuters", "أ ف ب", "ا ف ب", "AFP", "أ.ف.ب", "فرانس برس", "الفرنسية", "أسوشيتد برس",
    "أ ب", "AP", "EPA", "إي بي إيه", "الأناضول", "Anadolu", "Getty", "Getty Images", "غيتي", "غيتي إيميجز", "Shutterstock",
    "أرشيفية", "ارشيفية", "صورة أرشيفية", "أرشيف", "الجزيرة", "وكالات", "مواقع التواصل", "مواقع التواصل الاجتماعي",
    "تويتر", "إكس", "تعبيرية", "صورة تعبيرية", "Image", "Photo", "File photo", "iStock", "Xinhua", "شينخوا", "WAFA",
    "وفا", "واس", "قنا", "وام", "بترا", "سانا", "كونا", "ANSA", "dpa", "د ب أ",
)))
_BYLINE = re.compile(
    r"^(كتب|كتبت|كتبه|كتبها|بقلم|حوار|حاوره|حاورته|حاورها|إعداد|اعداد|تقرير|ترجمة|متابعة|تحرير|مراسل|"
    r"by|written by|reporting by|words by|author|role|نویسنده|خبرنگار)\s*[:：,،]?\s",
    re.IGNORECASE,
)
_MONTHS = (
    "يناير|فبراير|مارس|أبريل|ابريل|مايو|يونيو|يوليو|أغسطس|اغسطس|سبتمبر|أكتوبر|اكتوبر|نوفمبر|ديسمبر|"
    "كانون|شباط|آذار|اذار|نيسان|أيار|ايار|حزيران|تموز|آب|أيلول|ايلول|تشرين|جانفي|فيفري|أفريل|جوان|جويلية|أوت|"
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_DAYS = "السبت|الأحد|الاحد|الإثنين|الاثنين|الثلاثاء|الأربعاء|الاربعاء|الخميس|الجمعة|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
_DATE_WORDS = re.compile(
    rf"\b({_MONTHS}|{_DAYS}|mon|tue|wed|thu|fri|sat|sun|gmt|utc|est|edt|pst|pdt|cet|cest|bst|am|pm|ص|م|مساء|صباحا|"
    r"توقيت|مكة|القاهرة|بتوقيت|تحديث|آخر|اخر|نشر|في|يوم|منذ|ساعة|ساعات|دقيقة|دقائق|updated|update|published|posted|"
    r"last|on|at|ago|hours|hour|minutes|min|mins)\b", re.I)
_DIGITS = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]")
_DIGIT_RUNS = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]+")


def _by_first_letter(prefixes: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The prefixes grouped by their first character: a line can only start with those of its own first character,
    so startswith() gets a handful to try instead of a hundred."""
    groups: dict[str, list[str]] = {}
    for p in prefixes:
        if not p:
            raise ValueError("an empty prefix would match every line")
        groups.setdefault(p[0], []).append(p)
    return {c: tuple(ps) for c, ps in groups.items()}


_DISTINCT_BY_FIRST = _by_first_letter(_DISTINCT_PREFIXES)
_SHORT_BY_FIRST = _by_first_letter(_SHORT_PREFIXES)


def strip_edges(text: str) -> str:
    return text.strip(_PUNCT_EDGES)


def is_furniture_line(text: str) -> bool:
    """A line that is page furniture wherever it appears (read-also, share, comments header, copyright...)."""
    if len(text) > 300:
        return False
    f = fold(text)  # cached: the same unit is also checked for credits, titles, policy text
    if not f:
        return True
    core = strip_edges(f)
    if core in _EXACT_LINES or core in _CREDITS:
        return True
    if len(f) <= 160 and f.startswith(_DISTINCT_BY_FIRST.get(f[0], ())):
        return True
    if len(f) <= 50 and f.startswith(_SHORT_BY_FIRST.get(f[0], ())):
        return True
    if len(f) <= 200 and ("©" in f or "all rights reserved" in f or "جميع الحقوق محفوظة" in f or "حقوق النشر" in f):
        return True
    return False


_CREDIT_SPLIT = re.compile(r"[/|,،+]| - ")


def is_credit_line(text: str) -> bool:
    """A photo credit / agency tag alone on its line ("Sputnik", "(أ ف ب)", "رويترز", "Getty Images / AFP")."""
    if len(text) > 80:
        return False
    core = strip_edges(fold(text))
    if not core or len(core) > 40:
        return False
    parts = [strip_edges(p) for p in _CREDIT_SPLIT.split(core)]
    return all(p in _CREDITS for p in parts if p)


def is_byline(text: str) -> bool:
    """"كتب: فلان", "حوار: فلانة", "By Jane Smith" — a short credit line, not a sentence starting with كتب."""
    t = text.strip()
    if len(t) > 80 or len(t.split()) > 6 or t.endswith((".", "؟", "?", "!")):
        return False
    return bool(_BYLINE.match(strip_edges(t) + " "))


_STAMP_WORDS = re.compile(
    r"(?:first published|published|updated|last updated|posted|modified|date|نشر|تاريخ النشر|آخر تحديث|اخر تحديث|"
    r"تحديث|بتاريخ|منشور)\s*(?:on|at|في|يوم)?\s*[:：]?", re.I)
_STAMP_SEPARATORS = re.compile(r"[\s,،:/\-–|.()+]+")


def _only_date_words(text: str) -> bool:
    rest = _DIGITS.sub(" ", _DATE_WORDS.sub(" ", text.lower()))
    return len(_STAMP_SEPARATORS.sub("", rest)) <= 4


def is_date_line(text: str) -> bool:
    """A short line that is only a date/time stamp, possibly behind a stamp word and a place or desk name
    ("Northtown, Example Bureau | Updated : 12 March 2024, 10:05 AM", "نُشر يوم الثلاثاء 11 آذار 2025")."""
    if len(text) > 140 or not _DIGITS.search(text):
        return False
    if len(text) <= 70 and _only_date_words(text):
        return len(_DIGIT_RUNS.findall(text)) >= 2 or _DATE_WORDS.search(text) is not None  # "320" is a figure
    plain = _MARKS.sub("", text)
    m = _STAMP_WORDS.search(plain)
    # the stamp word starts the line or follows a short dateline (a place, a desk); a date follows it
    return bool(m) and m.start() <= 60 and _DIGITS.search(plain, m.end()) is not None and \
        _only_date_words(plain[m.end():])


_POLICY_WORDS = _folded((
    "التعليقات", "تعليق", "مشاركاتك", "الآراء الواردة", "سياسة الخصوصية", "شروط الاستخدام", "شروط استخدام",
    "إرشادات الاستخدام", "ارشادات", "لا تعبر عن رأي", "comments", "comment", "privacy policy", "terms of use",
    "terms of service", "community guidelines", "do not reflect", "cookies",
))


# Only plain-word branches: `re` then skips ahead to their first letters at C speed; a branch that starts with a
# class ([Cc]omment) makes it try a match at every position of every paragraph.
_POLICY_HINT = re.compile(r"تعليق|Comment|comment|خصوصي|Privacy|privacy|Terms|terms|الآراء|الاراء|Cookie|cookie")


def is_policy_text(text: str) -> bool:
    """Comment-policy / terms / cookie notice text (three or more policy phrases)."""
    if len(text) > 1500 or not _POLICY_HINT.search(text):
        return False
    f = fold(text)
    return sum(1 for w in _POLICY_WORDS if w in f) >= 3
