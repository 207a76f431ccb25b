"""Regenerate the demo site's static files from content.py: `python3 data/demo/_build/build.py [--out DIR]`.

The output (HTML, feeds, sitemaps, robots.txt, manifest.toml) is committed; this script only exists so the
20 articles share consistent chrome (nav, sidebars, comments) and so the windows-1256 page is real cp1256 bytes.
URLs are written with the {{BASE}} placeholder; newsbot.demo_server substitutes the origin at serve time.
Deterministic: running it twice gives identical files.
"""

from __future__ import annotations

import gzip
import html
import json
import shutil
import sys
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

from hijridate import Gregorian

sys.path.insert(0, str(Path(__file__).resolve().parent))
from content import ARTICLES, AUTHORS, SECTIONS  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
B = "{{BASE}}"
TZ = timezone(timedelta(hours=3))
SITE_NAME = "أخبار المدينة"
E = html.escape

AR_MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
LEVANT_MONTHS = ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول",
                 "تشرين الثاني", "كانون الأول"]
AR_DAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]
INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")

# legacy pages: which visible date style each one uses
LEGACY_DATE_STYLE = {"border-crossing": "hijri", "swimmer": "indic-numeric", "mosaic": "hijri+indic"}
# classic pages alternate MSA and Levantine month names
LEVANTINE = {"local-law", "basketball"}

# duplicate URL variants: variant path -> canonical article key
AMP_KEY = "gold"
UTM_HOME_KEY = "opec"
UTM_RSS_KEY = "film-festival"
SLASH_KEY = "truce-talks"
PRIVATE_PATH = "/private/drafts/budget-leak.html"
MISSING_PATH = "/politics/2026/01/05/deleted-story.html"
SEARCH_PATH = "/search?q=%D8%A7%D9%84%D8%B0%D9%87%D8%A8"
EXTERNAL_LINKS = [
    "http://example.org/partners/arab-press-network",
    "mailto:newsroom@example.com",
    "javascript:window.print()",
    "https://www.facebook.com/sharer/sharer.php",
]
JSONLD_BODY = {"fintech"}  # one page also carries articleBody in its JSON-LD


# ---------------------------------------------------------------- helpers

def dt(a: dict, field: str = "date") -> datetime:
    return datetime.fromisoformat(a[field]).replace(tzinfo=TZ)


def url_path(path: str) -> str:
    """The path as it travels in URLs (percent-encoded UTF-8, like a browser or Scrapy sends it)."""
    return quote(path, safe="/?=&%:")


def href(path: str) -> str:
    return B + url_path(path)


def disk_path(path: str) -> Path:
    path = path.split("?", 1)[0]
    rel = path.lstrip("/")
    if not rel or path.endswith("/") or "." not in rel.rsplit("/", 1)[-1]:
        return ROOT / rel / "index.html"
    return ROOT / rel


def write(path: str, text: str, encoding: str = "utf-8") -> None:
    target = disk_path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode(encoding))  # strict: a character cp1256 lacks is a build error


def tag_slug(tag: str) -> str:
    return tag.replace(" ", "-").replace("+", "")


def ar_date(d: datetime, levantine: bool = False, with_time: bool = True) -> str:
    month = AR_MONTHS[d.month - 1]
    if levantine:
        month = f"{LEVANT_MONTHS[d.month - 1]}/{month}"
    s = f"{AR_DAYS[d.weekday()]} {d.day} {month} {d.year}"
    if with_time:
        hour = d.hour % 12 or 12
        s += f" - {hour:02d}:{d.minute:02d} {'ص' if d.hour < 12 else 'م'}"
    return s


def legacy_date(a: dict) -> str:
    d = dt(a)
    style = LEGACY_DATE_STYLE[a["key"]]
    h = Gregorian(d.year, d.month, d.day).to_hijri()
    if style == "hijri":
        return f"{h.day_name('ar')} {h.day} {h.month_name('ar')} {h.year}هـ"
    if style == "hijri+indic":
        hijri = f"{h.day} {h.month_name('ar')} {h.year} هـ".translate(INDIC)
        greg = f"{d.day} {AR_MONTHS[d.month - 1]} {d.year} م".translate(INDIC)
        return f"{h.day_name('ar')} {hijri} - الموافق {greg}"
    # indic-numeric
    return f"{d.day:02d}/{d.month:02d}/{d.year} - {d.hour:02d}:{d.minute:02d}".translate(INDIC)


def by_key(key: str) -> dict:
    return next(a for a in ARTICLES if a["key"] == key)


def newest(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda a: a["date"], reverse=True)


def in_section(section: str) -> list[dict]:
    return newest([a for a in ARTICLES if a["section"] == section])


def author_name(a: dict) -> str | None:
    return AUTHORS.get(a["author"]) if a.get("author") else None


def first_words(a: dict, n: int = 6) -> str:
    text = a["paragraphs"][0] if a["paragraphs"] else a["updates"][-1][1]
    return " ".join(text.split()[:n])


# ---------------------------------------------------------------- shared chrome

STYLE = """<style>
body{font-family:"Noto Naskh Arabic",Tahoma,sans-serif;margin:0;background:#f4f4f4;color:#222}
.container{max-width:1180px;margin:0 auto;display:flex;gap:24px}.col-main{flex:1}.sidebar{width:320px}
.top-bar{background:#111;color:#eee;font-size:13px;padding:4px 16px}.main-nav a{padding:0 10px}
.breaking{background:#b00;color:#fff;padding:6px 16px}.share-bar a{margin-left:8px}
.read-also{border-right:4px solid #b00;background:#fafafa;padding:8px 12px;margin:16px 0}
.comments .comment{border-bottom:1px solid #ddd;padding:8px 0}footer{background:#222;color:#ccc;padding:24px}
</style>"""

ANALYTICS = """<script>
window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}gtag("js",new Date());
gtag("config","G-DEMO000000",{anonymize_ip:true});
(function(){var s=document.createElement("script");s.async=true;s.src="/static/js/ads.js";document.head.appendChild(s)})();
</script>"""


def head(title: str, extra: str = "", charset: str = '<meta charset="utf-8">') -> str:
    return f"""<!DOCTYPE html>
<html lang="ar" dir="rtl">
<head>
{charset}
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{E(title)}</title>
{extra}
<link rel="icon" href="{B}/favicon.ico">
<link rel="alternate" type="application/rss+xml" title="{SITE_NAME} - آخر الأخبار" href="{B}/feed/rss.xml">
{STYLE}
{ANALYTICS}
</head>
"""


def header() -> str:
    nav = "".join(f'<li><a href="{B}/{s}/">{E(n)}</a></li>' for s, n in SECTIONS.items())
    return f"""<body>
<div class="top-bar"><span class="live-badge"><a href="{href(by_key('cup-final-live')['path'])}">مباشر</a></span>
 <span class="follow">تابعونا: <a href="https://twitter.com/example" rel="nofollow">تويتر</a> <a href="https://www.youtube.com/example" rel="nofollow">يوتيوب</a> <a href="https://t.me/example" rel="nofollow">تلغرام</a></span>
 <a href="{B}/about/">من نحن</a></div>
<header class="site-header">
 <a class="logo" href="{B}/"><img src="{B}/static/img/logo.png" alt="{SITE_NAME}"></a>
 <form class="search" action="{B}/search" method="get"><input name="q" placeholder="ابحث في الموقع"><button>بحث</button></form>
 <nav class="main-nav"><ul><li><a href="{B}/">الرئيسية</a></li>{nav}
 <li><a href="{B}/video/2026/02/book-fair-tour/">فيديو</a></li><li><a href="{B}/gallery/2025/10/old-souk-photos/">صور</a></li></ul></nav>
</header>
<div class="breaking"><strong>عاجل:</strong> <a href="{href(by_key('opec')['path'])}">{E(by_key('opec')['title'])}</a></div>
"""


def sidebar(exclude: str | None = None) -> str:
    keys = ["lavrov", "opec", "marathon", "book-fair", "coach", "arab-ministers"]
    items = "".join(
        f'<li><a href="{href(by_key(k)["path"])}">{E(by_key(k)["title"])}</a></li>' for k in keys if k != exclude
    )
    return f"""<aside class="sidebar">
<div class="widget most-read"><h3>الأكثر قراءة</h3><ol>{items}</ol></div>
<div class="widget newsletter"><h3>النشرة البريدية</h3><p>اشترك ليصلك ملخص أهم الأخبار كل صباح.</p>
<form action="{B}/newsletter" method="post"><input type="email" name="email" placeholder="بريدك الإلكتروني"><button>اشتراك</button></form></div>
<div class="widget ad"><span>إعلان</span><div id="ad-sidebar-300x250"></div></div>
</aside>"""


def footer() -> str:
    links = "".join(f'<li><a href="{B}/{s}/">{E(n)}</a></li>' for s, n in SECTIONS.items())
    return f"""<footer class="site-footer">
<div class="footer-cols"><ul>{links}</ul>
<ul><li><a href="{B}/about/">من نحن</a></li><li><a href="{EXTERNAL_LINKS[1]}">اتصل بنا</a></li>
<li><a href="{B}/feed/rss.xml">RSS</a></li><li><a href="{B}/feed/atom.xml">Atom</a></li>
<li><a href="{EXTERNAL_LINKS[0]}">شبكة الصحافة العربية</a></li><li><a href="{B}{SEARCH_PATH}">بحث: الذهب</a></li></ul></div>
<p class="copyright">© 2026 {SITE_NAME}. موقع تجريبي: الأخبار فيه متخيلة لأغراض الاختبار.</p>
</footer>
</body>
</html>
"""


def share_bar(a: dict) -> str:
    u = quote(href(a["path"]), safe="")
    return f"""<div class="share-bar"><span>شارك:</span>
<a href="{EXTERNAL_LINKS[3]}?u={u}" rel="nofollow">فيسبوك</a>
<a href="https://twitter.com/intent/tweet?url={u}" rel="nofollow">تويتر</a>
<a href="https://wa.me/?text={u}" rel="nofollow">واتساب</a>
<a href="{EXTERNAL_LINKS[2]}">طباعة</a></div>"""


def read_also(a: dict) -> str:
    others = [x for x in in_section(a["section"]) if x["key"] != a["key"]][:2]
    items = "".join(f'<li><a href="{href(x["path"])}">{E(x["title"])}</a></li>' for x in others)
    return f'<aside class="read-also"><h4>اقرأ أيضا</h4><ul>{items}</ul></aside>'


COMMENTS = [
    ("أبو خالد", "خبر مهم، نتمنى متابعة الموضوع ونشر التفاصيل أولا بأول."),
    ("مريم", "شكرا على التغطية، لكن العنوان لا يعكس كل ما جاء في الخبر."),
    ("زائر", "هل من معلومات عن موعد التنفيذ الفعلي؟"),
]


def comments() -> str:
    items = "".join(
        f'<div class="comment"><span class="comment-author">{E(n)}</span><p>{E(t)}</p>'
        f'<a class="reply" href="javascript:void(0)">رد</a></div>'
        for n, t in COMMENTS
    )
    return f"""<section class="comments" id="comments"><h3>التعليقات ({len(COMMENTS)})</h3>{items}
<form class="comment-form"><textarea placeholder="أضف تعليقك"></textarea><button>إرسال</button></form></section>"""


def related(a: dict) -> str:
    others = [x for x in newest(ARTICLES) if x["section"] != a["section"]][:4]
    items = "".join(
        f'<li><a href="{href(x["path"])}"><img src="{B}/static/img/{x["key"]}-thumb.jpg" alt="">'
        f'<span>{E(x["title"])}</span></a></li>'
        for x in others
    )
    return f'<section class="related"><h3>أخبار ذات صلة</h3><ul>{items}</ul></section>'


def tags_block(a: dict) -> str:
    links = " ".join(f'<a href="{href("/tag/" + tag_slug(t) + "/")}">{E(t)}</a>' for t in a["tags"])
    return f'<div class="article-tags"><span>الوسوم:</span> {links}</div>'


def og(a: dict, with_times: bool = True) -> str:
    d = dt(a)
    mod = dt(a, "modified") if a.get("modified") else d
    lines = [
        '<meta property="og:type" content="article">',
        f'<meta property="og:site_name" content="{SITE_NAME}">',
        f'<meta property="og:title" content="{E(a["title"])}">',
        f'<meta property="og:description" content="{E(a["lead"])}">',
        f'<meta property="og:url" content="{href(a["path"])}">',
        f'<meta property="og:image" content="{B}/static/img/{a["key"]}.jpg">',
        '<meta name="twitter:card" content="summary_large_image">',
    ]
    if with_times:
        lines += [
            f'<meta property="article:published_time" content="{d.isoformat()}">',
            f'<meta property="article:modified_time" content="{mod.isoformat()}">',
            f'<meta property="article:section" content="{SECTIONS[a["section"]]}">',
        ]
        lines += [f'<meta property="article:tag" content="{E(t)}">' for t in a["tags"]]
    return "\n".join(lines)


def jsonld(a: dict, type_: str = "NewsArticle", extra: dict | None = None) -> str:
    d = dt(a)
    mod = dt(a, "modified") if a.get("modified") else d
    data = {
        "@context": "https://schema.org",
        "@type": type_,
        "mainEntityOfPage": {"@type": "WebPage", "@id": href(a["path"])},
        "headline": a["title"],
        "description": a["lead"],
        "image": [f"{B}/static/img/{a['key']}.jpg"],
        "datePublished": d.isoformat(),
        "dateModified": mod.isoformat(),
        "articleSection": SECTIONS[a["section"]],
        "keywords": a["tags"],
        "inLanguage": "ar",
        "publisher": {"@type": "Organization", "name": SITE_NAME,
                      "logo": {"@type": "ImageObject", "url": f"{B}/static/img/logo.png"}},
    }
    if author_name(a):
        data["author"] = [{"@type": "Person", "name": author_name(a), "url": f"{B}/author/{a['author']}/"}]
    else:
        data["author"] = {"@type": "Organization", "name": a.get("source") or SITE_NAME}
    if a["key"] in JSONLD_BODY:
        data["articleBody"] = "\n\n".join(a["paragraphs"])
    data.update(extra or {})
    crumbs = {
        "@context": "https://schema.org",
        "@type": "BreadcrumbList",
        "itemListElement": [
            {"@type": "ListItem", "position": 1, "name": "الرئيسية", "item": f"{B}/"},
            {"@type": "ListItem", "position": 2, "name": SECTIONS[a["section"]], "item": f"{B}/{a['section']}/"},
        ],
    }
    return "\n".join(
        f'<script type="application/ld+json">{json.dumps(x, ensure_ascii=False, indent=1)}</script>' for x in (data, crumbs)
    )


def body_paragraphs(a: dict, p: str = "p", read_also_after: int = 2) -> str:
    out = []
    for i, para in enumerate(a["paragraphs"], 1):
        out.append(f"<{p}>{E(para, quote=False)}</{p}>")
        if i == read_also_after:
            out.append(read_also(a))
        if i == 4:
            out.append('<div class="ad-slot inline-ad"><span>إعلان</span><div id="ad-inarticle"></div></div>')
    return "\n".join(out)


def figure(a: dict) -> str:
    if not a.get("caption"):
        return ""
    return (f'<figure class="article-image"><img src="{B}/static/img/{a["key"]}.jpg" alt="{E(a["caption"])}">'
            f'<figcaption>{E(a["caption"])} <span class="credit">{E(a["credit"])}</span></figcaption></figure>')


def byline(a: dict) -> str:
    if not author_name(a):
        return ""
    return f'<span class="author">بقلم: <a href="{B}/author/{a["author"]}/">{E(author_name(a))}</a></span>'


# ---------------------------------------------------------------- article templates

def page_modern(a: dict) -> str:
    d = dt(a)
    extra = [f'<meta name="description" content="{E(a["lead"])}">', f'<link rel="canonical" href="{href(a["path"])}">']
    if a["key"] == AMP_KEY:
        extra.append(f'<link rel="amphtml" href="{href("/amp" + a["path"])}">')
    extra += [og(a), jsonld(a)]
    updated = ""
    if a.get("modified"):
        updated = f' <span class="updated">آخر تحديث: {ar_date(dt(a, "modified"))}</span>'
    return head(f"{a['title']} | {SITE_NAME}", "\n".join(extra)) + header() + f"""<main class="container">
<div class="col-main">
<nav class="breadcrumb"><a href="{B}/">الرئيسية</a> › <a href="{B}/{a['section']}/">{SECTIONS[a['section']]}</a></nav>
<article class="article-page">
<h1 class="article-title">{E(a['title'])}</h1>
<p class="article-lead">{E(a['lead'])}</p>
<div class="article-meta">{byline(a)} <time datetime="{d.isoformat()}">{ar_date(d)}</time>{updated}</div>
{share_bar(a)}
{figure(a)}
<div class="article-body">
{body_paragraphs(a)}
</div>
{tags_block(a)}
{share_bar(a)}
</article>
{related(a)}
{comments()}
</div>
{sidebar(a['key'])}
</main>
""" + footer()


def page_classic(a: dict, charset: str = '<meta charset="utf-8">') -> str:
    d = dt(a)
    extra = [f'<meta name="description" content="{E(a["lead"])}">', og(a, with_times=False)]
    date = ar_date(d, levantine=a["key"] in LEVANTINE)
    return head(f"{SITE_NAME} - {a['title']}", "\n".join(extra), charset) + header() + f"""<div id="wrapper">
<div class="content-right">
<div class="news-details">
<div class="news-cat"><a href="{B}/{a['section']}/">{SECTIONS[a['section']]}</a></div>
<h1 class="news-title">{E(a['title'])}</h1>
<div class="news-info"><span class="news-date">نشر بتاريخ: {date}</span> | <span class="news-writer">كتب: {E(author_name(a) or SITE_NAME)}</span></div>
<div class="news-brief"><strong>{E(a['lead'])}</strong></div>
{figure(a)}
<div class="news-text">
{body_paragraphs(a, read_also_after=3)}
</div>
<div class="news-source">المصدر: {SITE_NAME}</div>
{tags_block(a)}
{share_bar(a)}
</div>
{comments()}
</div>
{sidebar(a['key'])}
</div>
""" + footer()


def page_legacy(a: dict) -> str:
    paras = "\n".join(f"<p>{E(p, quote=False)}</p>" for p in a["paragraphs"])
    also = read_also(a)
    return head(a["title"]) + header() + f"""<table class="layout" width="100%" cellpadding="0" cellspacing="0">
<tr><td class="right-col" valign="top" width="70%">
<table class="news" width="100%"><tr><td>
<h1 class="hd">{E(a['title'])}</h1>
<span class="dt">{legacy_date(a)}</span> <span class="src">{E(author_name(a) or '')}</span>
</td></tr>
<tr><td class="story">
{paras}
</td></tr>
<tr><td>{also}</td></tr>
<tr><td>{tags_block(a)}</td></tr>
</table>
{comments()}
</td>
<td class="left-col" valign="top">{sidebar(a['key'])}</td></tr>
</table>
""" + footer()


RT_STORIES = ["فيديوهات الذكاء الاصطناعي", "خطة أمريكية للتسوية في أوكرانيا", "كأس أمم إفريقيا 2025",
              "العملية العسكرية الروسية في أوكرانيا", "90 دقيقة", "فيديوهات"]
RT_POLL = 'اختر "الشخصية القيادية العربية الأكثر تأثيرا عام 2025"!'
RT_RELATED = [
    'ترتيب قادة الخليج في استطلاع "الشخصية القيادية العربية الأكثر تأثيراً عام 2025" حتى الآن',
    "لأول مرة.. مروحية قتالية إسرائيلية تعترض مسيرتين أثناء محاولتهما التسلل من مصر (فيديو)",
    'سوريا.. "سرايا أنصار السنة" تتبنى تفجير عبوات ناسفة داخل مسجد علي بن أبي طالب في حمص',
    '"لا تملك القدرة على التعامل مع أنقرة".. دبلوماسي تركي يتحدث علنا عن احتمالية المواجهة مع إسرائيل',
    "بيان قطري عن التطورات الأخيرة في اليمن",
    "مفاجأة حزب الله.. ثغرتان عملياتيتان وجدل كبير في أعلى هرم الجيش الإسرائيلي",
    "تطورات اليمن.. دولة الجنوب من جديد والانعكاسات الإقليمية والدولية",
    "إعلام عبري: 4 ملفات أساسية سيناقشها نتنياهو خلال لقائه ترامب في الولايات المتحدة",
]


def page_rt(a: dict) -> str:
    """Built around the seed page text (/work/shared/seed/rt-arabic-page-text.txt): same blocks, same order."""
    d = dt(a)
    extra = [f'<meta name="description" content="{E(a["lead"])}">', f'<link rel="canonical" href="{href(a["path"])}">',
             og(a), jsonld(a)]
    ext = EXTERNAL_LINKS[0]
    stories_short = "".join(f'<li class="stories__item"><a href="{ext}/stories/{i}">{E(s)}</a></li>'
                            for i, s in enumerate(RT_STORIES[:3]))
    stories_cards = "".join(
        f'<li class="stories__card"><a href="{ext}/stories/{i}"><span class="stories__title">{E(s)}</span>'
        f'<p class="stories__subtitle">{E(s)}</p></a></li>' for i, s in enumerate(RT_STORIES[:3] + RT_STORIES)
    )
    related_items = "".join(f'<li class="news-line__item"><a href="{ext}/news/{i}">{E(t)}</a></li>'
                            for i, t in enumerate(RT_RELATED))
    paras = "\n".join(f'<p>{E(p, quote=False)}</p>' for p in a["paragraphs"])
    return head(f"{a['title']} - RT Arabic", "\n".join(extra)) + f"""<body class="rt-layout">
<div class="header-top"><a class="live-link" href="{href(by_key('cup-final-live')['path'])}">مباشر</a>
<div class="follow-us"><span class="follow-us__title">أين يمكنك متابعتنا</span>
<a href="https://t.me/example" rel="nofollow">Telegram</a> <a href="https://twitter.com/example" rel="nofollow">X</a></div></div>
<nav class="menu"><span class="menu__title">أقسام مهمة</span><ul>
{"".join(f'<li><a href="{B}/{s}/">{E(n)}</a></li>' for s, n in SECTIONS.items())}</ul></nav>
<div class="stories"><div class="stories__header">Stories</div><div class="stories__count">36 خبر</div>
<ul class="stories__list">{stories_short}</ul><ul class="stories__cards">{stories_cards}</ul></div>
<div class="layout__content">
<div class="article">
<h1 class="article__heading">{E(a['title'])}</h1>
<div class="article__date"><time datetime="{d.isoformat()}">{d.strftime('%d.%m.%Y')} {d.strftime('%H:%M')}</time></div>
<div class="article__summary">{E(a['lead'])}</div>
<div class="article__cover"><img src="{B}/static/img/{a['key']}.jpg" alt="{E(a['caption'])}">
<div class="article__cover-caption">{E(a['caption'])}</div><div class="article__cover-source">{E(a['credit'])}</div></div>
<div class="article__text">
{paras}
<p>&nbsp;</p>
</div>
{tags_block(a)}
</div>
<div class="comments"><div class="comments__title">التعليقات</div><div id="comments-widget"></div></div>
<div class="poll"><a class="poll__title" href="{ext}/poll/2025">{E(RT_POLL)}</a>
<a class="poll__cover" href="{ext}/poll/2025">{E(RT_POLL)}</a></div>
<ul class="news-line">{related_items}</ul>
</div>
""" + footer()


def page_liveblog(a: dict) -> str:
    d = dt(a)
    day = d.date().isoformat()
    updates = [{"@type": "BlogPosting", "headline": text.split("،")[0][:80],
                "datePublished": f"{day}T{t}:00+03:00", "articleBody": text} for t, text in a["updates"]]
    extra = [f'<meta name="description" content="{E(a["lead"])}">', f'<link rel="canonical" href="{href(a["path"])}">',
             og(a), jsonld(a, "LiveBlogPosting", {"coverageStartTime": d.isoformat(),
                                                  "coverageEndTime": dt(a, "modified").isoformat(),
                                                  "liveBlogUpdate": updates})]
    entries = "\n".join(
        f'<div class="live-entry" id="entry-{i}"><time datetime="{day}T{t}:00+03:00">{t}</time>'
        f'<p>{E(text, quote=False)}</p></div>' for i, (t, text) in enumerate(a["updates"])
    )
    return head(f"{a['title']} | {SITE_NAME}", "\n".join(extra)) + header() + f"""<main class="container">
<div class="col-main">
<article class="live-blog">
<span class="live-label">مباشر</span>
<h1 class="article-title">{E(a['title'])}</h1>
<p class="article-lead">{E(a['lead'])}</p>
<div class="article-meta">{byline(a)} <time datetime="{d.isoformat()}">{ar_date(d)}</time>
 <span class="updated">آخر تحديث: {ar_date(dt(a, 'modified'))}</span></div>
{figure(a)}
<div class="live-updates">
{entries}
</div>
{tags_block(a)}
{share_bar(a)}
</article>
{comments()}
</div>
{sidebar(a['key'])}
</main>
""" + footer()


def page_amp(a: dict) -> str:
    paras = "\n".join(f"<p>{E(p, quote=False)}</p>" for p in a["paragraphs"])
    return f"""<!doctype html>
<html ⚡ lang="ar" dir="rtl">
<head>
<meta charset="utf-8">
<title>{E(a['title'])}</title>
<link rel="canonical" href="{href(a['path'])}">
<meta name="viewport" content="width=device-width">
<script async src="https://cdn.ampproject.org/v0.js"></script>
<style amp-boilerplate>body{{-webkit-animation:-amp-start 8s steps(1,end) 0s 1 normal both}}</style>
{jsonld(a)}
</head>
<body>
<header class="amp-header"><a href="{B}/">{SITE_NAME}</a></header>
<article>
<h1>{E(a['title'])}</h1>
<p class="lead">{E(a['lead'])}</p>
<amp-img src="{B}/static/img/{a['key']}.jpg" width="800" height="450" layout="responsive"></amp-img>
{paras}
</article>
</body>
</html>
"""


TEMPLATES = {"modern": page_modern, "classic": page_classic, "legacy": page_legacy, "rt": page_rt,
             "liveblog": page_liveblog}


# ---------------------------------------------------------------- listing pages

def card(a: dict, link: str | None = None) -> str:
    d = dt(a)
    return (f'<div class="card"><a href="{link or href(a["path"])}"><img src="{B}/static/img/{a["key"]}-thumb.jpg" alt="">'
            f'<h3>{E(a["title"])}</h3></a><p>{E(a["lead"])}</p><span class="date">{ar_date(d, with_time=False)}</span></div>')


def listing(title: str, body: str, extra_head: str = "") -> str:
    meta = f'<meta property="og:type" content="website">\n<meta property="og:title" content="{E(title)}">\n{extra_head}'
    return head(f"{title} | {SITE_NAME}", meta) + header() + f"""<main class="container">
<div class="col-main">
<h1 class="page-title">{E(title)}</h1>
{body}
</div>
{sidebar()}
</main>
""" + footer()


PER_PAGE = 3


def section_pages() -> list[str]:
    paths = []
    for s, name in SECTIONS.items():
        items = in_section(s)
        pages = [items[:PER_PAGE], items[PER_PAGE:]]
        for n, chunk in enumerate(pages, 1):
            path = f"/{s}/" if n == 1 else f"/{s}/page/{n}/"
            cards = []
            for a in chunk:
                cards.append(card(a))
                if a["key"] == AMP_KEY:
                    cards.append(f'<p class="amp-link"><a href="{href("/amp" + a["path"])}">النسخة المخففة</a></p>')
            nav = (f'<nav class="pagination"><a class="next" rel="next" href="{B}/{s}/page/2/">الصفحة التالية ›</a></nav>'
                   if n == 1 else
                   f'<nav class="pagination"><a class="prev" rel="prev" href="{B}/{s}/">‹ الصفحة السابقة</a></nav>')
            write(path, listing(f"{name}" + ("" if n == 1 else f" - صفحة {n}"), "\n".join(cards) + nav))
            paths.append(path)
    return paths


def home() -> set[str]:
    latest = newest(ARTICLES)
    slider = [by_key(UTM_HOME_KEY), by_key("lavrov"), by_key("cup-final-live"), by_key(SLASH_KEY)]
    links = {
        UTM_HOME_KEY: href(by_key(UTM_HOME_KEY)["path"]) + "?utm_source=homepage&amp;utm_medium=slider&amp;utm_campaign=top",
        SLASH_KEY: href(by_key(SLASH_KEY)["path"]) + "/",
    }
    slides = "\n".join(card(a, links.get(a["key"])) for a in slider)
    latest_list = "".join(f'<li><a href="{href(a["path"])}">{E(a["title"])}</a></li>' for a in latest[:8])
    blocks = []
    for s, name in SECTIONS.items():
        top = in_section(s)[:2]
        blocks.append(f'<section class="home-section"><h2><a href="{B}/{s}/">{E(name)}</a></h2>'
                      + "".join(card(a) for a in top) + f'<a class="more" href="{B}/{s}/">المزيد</a></section>')
    body = f"""<section class="slider">{slides}</section>
<section class="latest"><h2>آخر الأخبار</h2><ul>{latest_list}</ul></section>
{"".join(blocks)}
<section class="media"><h2>وسائط</h2><a href="{B}/video/2026/02/book-fair-tour/">فيديو: جولة في معرض الكتاب</a>
 <a href="{B}/gallery/2025/10/old-souk-photos/">صور: السوق القديم بعد الترميم</a></section>
<section class="internal"><a href="{B}{PRIVATE_PATH}">مسودة: تقرير الموازنة (داخلي)</a>
 <a href="{B}{MISSING_PATH}">خبر محذوف</a></section>
<section class="partners"><a href="{EXTERNAL_LINKS[0]}">شركاؤنا</a> <a href="{EXTERNAL_LINKS[1]}">راسلنا</a>
 <a href="{EXTERNAL_LINKS[2]}">اطبع الصفحة</a></section>"""
    feeds = (f'<link rel="alternate" type="application/atom+xml" title="{SITE_NAME} - ثقافة ورياضة" href="{B}/feed/atom.xml">'
             f'\n<meta name="description" content="{SITE_NAME}: آخر الأخبار العربية والعالمية">'
             f'\n<link rel="canonical" href="{B}/">')
    write("/", listing(SITE_NAME, body, feeds))
    return {a["key"] for a in slider + latest[:8]} | {a["key"] for s in SECTIONS for a in in_section(s)[:2]}


def tag_and_author_pages() -> list[str]:
    paths = []
    tags: dict[str, list[dict]] = {}
    for a in newest(ARTICLES):
        for t in a["tags"]:
            tags.setdefault(t, []).append(a)
    for t, items in sorted(tags.items()):
        path = f"/tag/{tag_slug(t)}/"
        write(path, listing(f"الوسم: {t}", "\n".join(card(a) for a in items)))
        paths.append(url_path(path))
    for slug, name in AUTHORS.items():
        items = [a for a in newest(ARTICLES) if a.get("author") == slug]
        path = f"/author/{slug}/"
        person = {"@context": "https://schema.org", "@type": "ProfilePage",
                  "mainEntity": {"@type": "Person", "name": name, "url": f"{B}{path}"}}
        ld = f'<script type="application/ld+json">{json.dumps(person, ensure_ascii=False)}</script>'
        bio = f'<div class="author-bio"><p>{E(name)} صحفي في {SITE_NAME}، يكتب في الشؤون المحلية والإقليمية.</p></div>'
        write(path, listing(f"الكاتب: {name}", bio + "\n".join(card(a) for a in items), ld))
        paths.append(path)
    return paths


def media_pages() -> list[str]:
    video = "/video/2026/02/book-fair-tour/"
    vo = {"@context": "https://schema.org", "@type": "VideoObject", "name": "جولة في معرض الكتاب",
          "description": "جولة مصورة في أجنحة معرض الكتاب الدولي في يوم الافتتاح.",
          "uploadDate": "2026-02-12T18:00:00+03:00", "duration": "PT3M12S",
          "thumbnailUrl": f"{B}/static/img/book-fair-video.jpg", "contentUrl": f"{B}/static/video/book-fair.mp4"}
    head_v = ('<meta property="og:type" content="video.other">\n'
              f'<script type="application/ld+json">{json.dumps(vo, ensure_ascii=False)}</script>')
    body_v = (f'<div class="video-player"><video controls poster="{B}/static/img/book-fair-video.jpg">'
              f'<source src="{B}/static/video/book-fair.mp4" type="video/mp4"></video></div>'
              '<p class="video-desc">جولة مصورة في أجنحة معرض الكتاب الدولي في يوم الافتتاح (3:12).</p>'
              f'<p>اقرأ الخبر: <a href="{href(by_key("book-fair")["path"])}">{E(by_key("book-fair")["title"])}</a></p>')
    html_v = head("فيديو: جولة في معرض الكتاب", head_v) + header() + (
        f'<main class="container"><div class="col-main"><h1>فيديو: جولة في معرض الكتاب</h1>{body_v}</div>'
        f'{sidebar()}</main>') + footer()
    write(video, html_v)

    gallery = "/gallery/2025/10/old-souk-photos/"
    photos = "".join(
        f'<figure><img src="{B}/static/img/souk-{i}.jpg" alt=""><figcaption>{E(c)}</figcaption></figure>'
        for i, c in enumerate(["المدخل الرئيسي للسوق", "دكان لصناعة النحاس", "السقف الخشبي بعد الترميم",
                               "ممر الحجارة القديم", "حرفي شاب في دكانه الجديد"], 1)
    )
    ig = {"@context": "https://schema.org", "@type": "ImageGallery", "name": "صور: السوق القديم بعد الترميم"}
    head_g = f'<script type="application/ld+json">{json.dumps(ig, ensure_ascii=False)}</script>'
    write(gallery, listing("صور: السوق القديم بعد الترميم", f'<div class="gallery">{photos}</div>', head_g))

    about = "/about/"
    write(about, listing("من نحن", f"<p>{SITE_NAME} موقع إخباري تجريبي يستخدمه مشروع newsbot لاختبار الزحف والاستخراج "
                                   "دون اتصال بالإنترنت. كل الأخبار فيه متخيلة، باستثناء نص خبر لافروف المأخوذ من صفحة حقيقية.</p>"))
    return [video, gallery, about]


def private_page() -> None:
    write(PRIVATE_PATH, head("مسودة داخلية") + "<body><h1>مسودة غير منشورة</h1><p>هذه الصفحة محظورة في robots.txt "
          "ويجب ألا يجلبها الزاحف أبدا.</p></body></html>\n")


# ---------------------------------------------------------------- feeds and sitemaps

def rss() -> list[str]:
    items = []
    chosen = newest(ARTICLES)[:10]
    for a in chosen:
        link = href(a["path"]) + ("?utm_source=rss&amp;utm_medium=feed" if a["key"] == UTM_RSS_KEY else "")
        creator = f"<dc:creator>{E(author_name(a))}</dc:creator>" if author_name(a) else ""
        items.append(f"""<item>
<title>{E(a['title'])}</title>
<link>{link}</link>
<guid isPermaLink="true">{href(a['path'])}</guid>
<pubDate>{format_datetime(dt(a))}</pubDate>
<category>{SECTIONS[a['section']]}</category>
{creator}
<description>{E(a['lead'] or first_words(a, 20))}</description>
</item>""")
    write("/feed/rss.xml", f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>{SITE_NAME} - آخر الأخبار</title>
<link>{B}/</link>
<atom:link href="{B}/feed/rss.xml" rel="self" type="application/rss+xml"/>
<description>آخر الأخبار من {SITE_NAME}</description>
<language>ar</language>
<lastBuildDate>{format_datetime(dt(chosen[0]))}</lastBuildDate>
{chr(10).join(items)}
</channel>
</rss>
""")
    return [a["key"] for a in chosen]


def atom() -> list[str]:
    chosen = newest([a for a in ARTICLES if a["section"] in ("culture", "sports")])
    entries = []
    for a in chosen:
        name = author_name(a) or SITE_NAME
        updated = dt(a, "modified") if a.get("modified") else dt(a)
        entries.append(f"""<entry>
<title>{E(a['title'])}</title>
<link rel="alternate" type="text/html" href="{href(a['path'])}"/>
<id>{href(a['path'])}</id>
<published>{dt(a).isoformat()}</published>
<updated>{updated.isoformat()}</updated>
<author><name>{E(name)}</name></author>
<category term="{SECTIONS[a['section']]}"/>
<summary>{E(a['lead'] or first_words(a, 20))}</summary>
</entry>""")
    write("/feed/atom.xml", f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ar">
<title>{SITE_NAME} - ثقافة ورياضة</title>
<link rel="self" href="{B}/feed/atom.xml"/>
<link rel="alternate" type="text/html" href="{B}/"/>
<id>{B}/feed/atom.xml</id>
<updated>{dt(chosen[0]).isoformat()}</updated>
{chr(10).join(entries)}
</feed>
""")
    return [a["key"] for a in chosen]


def urlset(entries: list[str], news: bool = False) -> str:
    ns = ' xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"' if news else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"{ns}>\n'
            + "\n".join(entries) + "\n</urlset>\n")


def url_entry(a: dict, news: bool = False) -> str:
    lastmod = (dt(a, "modified") if a.get("modified") else dt(a)).isoformat()
    news_block = ""
    if news:
        news_block = f"""
<news:news><news:publication><news:name>{SITE_NAME}</news:name><news:language>ar</news:language></news:publication>
<news:publication_date>{dt(a).isoformat()}</news:publication_date><news:title>{E(a['title'])}</news:title></news:news>"""
    return f"<url><loc>{href(a['path'])}</loc><lastmod>{lastmod}</lastmod>{news_block}</url>"


def sitemaps(non_article_paths: list[str]) -> dict[str, list[str]]:
    recent = newest([a for a in ARTICLES if a["date"] >= "2026-01-15"])
    y2026 = newest([a for a in ARTICLES if a["date"] >= "2026"])
    older = newest([a for a in ARTICLES if a["date"] < "2026"])
    write("/sitemaps/news.xml", urlset([url_entry(a, news=True) for a in recent], news=True))
    write("/sitemaps/articles-2026.xml", urlset([url_entry(a) for a in y2026]))
    # the archive sitemap is gzipped, as large sites do; the server substitutes {{BASE}} inside it too
    archive = urlset([url_entry(a) for a in older]).encode("utf-8")
    target = ROOT / "sitemaps" / "articles-2025.xml.gz"
    target.write_bytes(gzip.compress(archive, mtime=0))
    pages = [f"<url><loc>{B}{p}</loc><changefreq>hourly</changefreq></url>" for p in non_article_paths]
    write("/sitemaps/pages.xml", urlset(pages))
    index = "\n".join(
        f"<sitemap><loc>{B}/sitemaps/{name}</loc><lastmod>2026-03-07T22:05:00+03:00</lastmod></sitemap>"
        for name in ("news.xml", "articles-2026.xml", "articles-2025.xml.gz", "pages.xml")
    )
    write("/sitemap.xml", f'<?xml version="1.0" encoding="UTF-8"?>\n'
                          f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{index}\n</sitemapindex>\n')
    return {"news-sitemap": [a["key"] for a in recent], "sitemap": [a["key"] for a in y2026 + older]}


def robots() -> None:
    write("/robots.txt", f"""# {SITE_NAME} (demo)
User-agent: *
Crawl-delay: 0.1
Disallow: /private/
Disallow: /search
Allow: /

User-agent: GPTBot
Disallow: /

Sitemap: {B}/sitemap.xml
Sitemap: {B}/sitemaps/news.xml
""")


# ---------------------------------------------------------------- manifest

def visible_date(a: dict) -> str:
    """The date text as the page shows it (what an extractor must parse when there is no machine-readable date)."""
    if a["template"] == "legacy":
        return legacy_date(a)
    if a["template"] == "classic":
        return ar_date(dt(a), levantine=a["key"] in LEVANTINE)
    return ""


def published_expected(a: dict) -> str:
    """What an extractor can know from the page: Hijri-only pages show no time of day, and pages with only a
    visible date show local time without a UTC offset (the site's zone is [site].timezone)."""
    if a["template"] == "legacy" and LEGACY_DATE_STYLE[a["key"]] != "indic-numeric":
        return dt(a).date().isoformat()
    if a["template"] in ("legacy", "classic"):
        return dt(a).replace(tzinfo=None).isoformat()
    return dt(a).isoformat()


def toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def toml_list(items: list[str], indent: str = "  ") -> str:
    return "[\n" + "".join(f"{indent}{toml_str(i)},\n" for i in items) + "]"


def manifest(non_articles: list[str], routes: dict[str, set[str]]) -> None:
    variants = {
        "/amp" + by_key(AMP_KEY)["path"]: by_key(AMP_KEY)["path"],
        by_key(UTM_HOME_KEY)["path"] + "?utm_source=homepage&utm_medium=slider&utm_campaign=top": by_key(UTM_HOME_KEY)["path"],
        by_key(UTM_RSS_KEY)["path"] + "?utm_source=rss&utm_medium=feed": by_key(UTM_RSS_KEY)["path"],
        by_key(SLASH_KEY)["path"] + "/": by_key(SLASH_KEY)["path"],
    }
    headers = {url_path(a["path"]): "text/html; charset=windows-1256" for a in ARTICLES if a.get("encoding")}
    headers[by_key("mosaic")["path"]] = "text/html"  # no charset in HTTP: the page's <meta charset> must decide
    headers["/feed/rss.xml"] = "application/rss+xml; charset=utf-8"
    headers["/feed/atom.xml"] = "application/atom+xml; charset=utf-8"
    lines = [
        "# The demo site served by `newsbot demo` (newsbot/demo_server.py). GENERATED by _build/build.py: edit",
        "# _build/content.py or build.py, then rerun it. Paths are URL paths (percent-encoded UTF-8, as crawled).",
        "",
        "[site]",
        f"name = {toml_str(SITE_NAME)}",
        'start = "/"',
        'robots = "/robots.txt"',
        'sitemap_index = "/sitemap.xml"',
        'feeds = ["/feed/rss.xml", "/feed/atom.xml"]',
        'sitemaps = ["/sitemaps/news.xml", "/sitemaps/articles-2026.xml", "/sitemaps/articles-2025.xml.gz", "/sitemaps/pages.xml"]',
        'timezone = "+03:00"',
        "",
        "[paths]",
        "# the expected articles (liveblog included), canonical form",
        f"articles = {toml_list([url_path(a['path']) for a in ARTICLES])}",
        "# HTML pages that are not articles (home, sections + page 2, tags, authors, video, gallery, about)",
        f"non_articles = {toml_list(non_articles)}",
        "# linked from the site but disallowed by robots.txt: must never be fetched",
        f"disallowed = {toml_list([PRIVATE_PATH, SEARCH_PATH])}",
        "# linked from the home page but absent: the server answers 404",
        f"missing = {toml_list([MISSING_PATH])}",
        "# off-site, mailto: and javascript: links present in pages: must not be followed",
        f"external = {toml_list(EXTERNAL_LINKS)}",
        "",
        "# duplicate URL variants linked from the site -> the article they duplicate",
        "[variants]",
        *[f"{toml_str(url_path(k))} = {toml_str(url_path(v))}" for k, v in variants.items()],
        "",
        "# response headers the server sets for these paths (default: by file extension, UTF-8)",
        *[f'[headers.{toml_str(p)}]\n"Content-Type" = {toml_str(ct)}\n' for p, ct in headers.items()],
    ]
    for a in ARTICLES:
        d = dt(a)
        lines += [
            "[[article]]",
            f"path = {toml_str(url_path(a['path']))}",
            f"kind = {toml_str('liveblog' if a['template'] == 'liveblog' else 'article')}",
            f"section = {toml_str(a['section'])}",
            f"template = {toml_str(a['template'])}",
            f"encoding = {toml_str(a.get('encoding', 'utf-8'))}",
            f"title = {toml_str(a['title'])}",
            f"published = {toml_str(published_expected(a))}",
            f"published_raw = {toml_str(visible_date(a))}",
            f"author = {toml_str(author_name(a) or '')}",
            f"first_words = {toml_str(first_words(a))}",
            f"routes = {json.dumps(sorted(r for r, keys in routes.items() if a['key'] in keys))}",
            "",
        ]
    (ROOT / "manifest.toml").write_text("\n".join(lines), encoding="utf-8")


# ---------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> None:
    global ROOT
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--out"]:  # build elsewhere (the tests check the committed files equal a fresh build)
        ROOT = Path(args[1]).resolve()
        ROOT.mkdir(parents=True, exist_ok=True)
    for child in ROOT.iterdir():  # start clean, keep the sources
        if child.name != "_build":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    for a in ARTICLES:
        if a.get("encoding") == "windows-1256":
            charset = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1256">'
            write(a["path"], page_classic(a, charset), "cp1256")
        else:
            write(a["path"], TEMPLATES[a["template"]](a))
    write("/amp" + by_key(AMP_KEY)["path"], page_amp(by_key(AMP_KEY)))
    home_keys = home()
    non_articles = ["/"] + section_pages() + tag_and_author_pages() + media_pages()
    private_page()
    routes = {k: set(v) for k, v in sitemaps(non_articles[:9] + non_articles[-3:-1]).items()}
    routes["rss"] = set(rss())
    routes["atom"] = set(atom())
    routes["section"] = {a["key"] for a in ARTICLES}
    routes["home"] = home_keys
    robots()
    manifest(non_articles, routes)
    print(f"wrote {len(ARTICLES)} articles, {len(non_articles)} non-articles under {ROOT}")


if __name__ == "__main__":
    main()
