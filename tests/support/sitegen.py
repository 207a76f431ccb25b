"""Generate a realistic synthetic Arabic news site on disk, for crawler scale and layout-drift tests.

    spec = generate_site(tmp_path / "site", 500, seed=1)
    with newsbot.demo_server.serve(spec.root) as srv:   # or tests.support.httpserver.LocalServer(root=spec.root)
        crawl(srv.base_url) ...

Every article is reachable only through the MIX of routes: some are listed only in the sitemaps, some only in
the RSS feeds, the rest only on the paginated section pages (see `SiteSpec.routes`; a few articles sit in two).
Article pages link only to articles of their own route group, so no single route covers the site. URLs use
the `{{BASE}}` placeholder the servers substitute. Deterministic from `seed`; 10,000 pages in seconds (page
chrome and filler are built once and reused, text comes from a phrase grammar).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from pathlib import Path

__all__ = ["ROUTES", "SiteSpec", "generate_site"]

B = "{{BASE}}"
TZ = timezone(timedelta(hours=3))
ROUTES = ("sitemap", "rss", "sections")

SECTION_NAMES = [
    ("politics", "سياسة"), ("economy", "اقتصاد"), ("sports", "رياضة"), ("culture", "ثقافة"), ("tech", "تكنولوجيا"),
    ("health", "صحة"), ("world", "العالم"), ("local", "محليات"), ("opinion", "رأي"), ("science", "علوم"),
]
SITE_NAME = "بوابة الأنباء"

# ---------------------------------------------------------------- text grammar (Arabic news prose)

SUBJECTS = [
    "أعلنت الحكومة", "قال وزير المالية", "أكد رئيس الوزراء", "أفادت مصادر مطلعة", "كشف تقرير رسمي",
    "أوضح المتحدث باسم الوزارة", "ذكرت وكالة الأنباء الرسمية", "أشار خبراء اقتصاديون", "رأى محللون سياسيون",
    "طالبت منظمات المجتمع المدني", "أعلن المكتب الإعلامي للمحافظة", "صرح مدير الهيئة العامة", "بيّن تقرير البنك الدولي",
    "قالت نقابة المهندسين", "نقلت صحف محلية عن مسؤولين", "أكدت اللجنة البرلمانية المختصة", "أفاد شهود عيان",
]
CONNECTORS = ["أن", "بأن"]
CLAUSES = [
    "العمل جار على إطلاق برنامج جديد لدعم", "الأسعار شهدت ارتفاعا ملحوظا في", "المفاوضات دخلت مرحلة حاسمة بشأن",
    "الخطة تتضمن حزمة من الإجراءات لتطوير", "الاستثمارات الجديدة ستتركز على", "التأخير في التنفيذ يعود إلى مشكلات في",
    "الموازنة المقبلة ستخصص مبالغ إضافية لصالح", "الاجتماع ناقش سبل تعزيز التعاون في مجال", "الأزمة الحالية كشفت ضعف",
    "المرحلة الأولى من المشروع ستشمل", "الإقبال الكبير يعكس ثقة المواطنين في", "القرار يهدف إلى تخفيف الأعباء عن",
    "الدراسة رصدت تحولات عميقة في", "الجهات المعنية بدأت مراجعة شاملة لملف", "التعديلات المقترحة تمنح صلاحيات أوسع لإدارة",
]
TOPICS = [
    "قطاع الطاقة المتجددة", "المشاريع الصغيرة والمتوسطة", "البنية التحتية في المناطق الريفية", "منظومة التعليم العالي",
    "الخدمات الصحية الأولية", "شبكات النقل العام", "الأمن الغذائي والمائي", "سوق العمل للشباب", "قطاع السياحة الثقافية",
    "الصناعات التحويلية", "التحول الرقمي في المؤسسات الحكومية", "الإسكان الاجتماعي", "المنشآت الرياضية",
    "حماية المستهلك", "الزراعة المستدامة", "الموانئ والمناطق اللوجستية", "المكتبات العامة والمراكز الثقافية",
    "البحث العلمي في الجامعات", "الرعاية الاجتماعية لكبار السن", "إدارة النفايات وإعادة التدوير",
]
TAILS = [
    "خلال الأشهر المقبلة", "وفق ما أعلنته الجهات المختصة", "في إطار خطة التنمية الوطنية",
    "بحسب البيانات الرسمية الصادرة أمس", "رغم التحديات التي تواجه الاقتصاد", "بالتعاون مع شركاء دوليين",
    "بعد سلسلة من الاجتماعات التشاورية", "على أن تعرض النتائج على مجلس الوزراء", "وسط ترحيب واسع من الفعاليات المحلية",
    "في ظل ارتفاع تكاليف الإنتاج", "قبل نهاية العام الجاري", "استجابة لمطالب متكررة من السكان",
]
NUMBERED = [
    "بنسبة {n} في المئة", "بقيمة {n} مليون دولار", "لصالح نحو {n} ألف مستفيد", "على مساحة {n} هكتارا",
    "في {n} بلدية", "خلال {n} يوما", "بمشاركة {n} مؤسسة",
]
OPENERS = ["", "", "", "وفي السياق ذاته، ", "من جهة أخرى، ", "وفي تصريحات صحفية، ", "إلى ذلك، ", "وبحسب مراقبين، "]
TITLE_HEADS = [
    "الحكومة تطلق خطة جديدة لتطوير", "ارتفاع قياسي في الطلب على", "مفاوضات مكثفة لإنهاء أزمة", "تقرير رسمي يرصد تراجع",
    "البرلمان يناقش مشروع قانون حول", "استثمارات جديدة في", "مطالب بإصلاح شامل في", "انطلاق المرحلة الأولى من مشروع",
    "خبراء يحذرون من تداعيات أزمة", "اتفاق تعاون إقليمي في مجال", "قرار مفاجئ بشأن", "مبادرة شبابية لدعم",
]
PLACES = ["العاصمة", "المنطقة الشمالية", "الساحل الغربي", "المحافظات الجنوبية", "الأرياف", "المدن الكبرى", "الضواحي"]
AUTHORS = [("nour-salem", "نور سالم"), ("tariq-amin", "طارق أمين"), ("rana-hijazi", "رنا حجازي"),
           ("yasin-kaddour", "ياسين قدور"), ("salma-idrissi", "سلمى الإدريسي"), ("fadi-nasr", "فادي نصر"),
           ("aya-benali", "آية بن علي"), ("majed-otaibi", "ماجد العتيبي")]
TAGS = [("energy", "الطاقة"), ("education", "التعليم"), ("health", "الصحة"), ("transport", "النقل"),
        ("housing", "الإسكان"), ("water", "المياه"), ("jobs", "التوظيف"), ("tourism", "السياحة"),
        ("agriculture", "الزراعة"), ("digital", "التحول الرقمي"), ("budget", "الموازنة"), ("industry", "الصناعة"),
        ("elections", "الانتخابات"), ("environment", "البيئة"), ("football", "كرة القدم"), ("books", "الكتب")]
SLUG_WORDS = ["plan", "energy", "market", "talks", "report", "budget", "project", "crisis", "reform", "deal", "city",
              "water", "school", "port", "league", "festival", "vote", "prices", "jobs", "road", "health", "farm"]

CSS = "<style>" + "".join(
    f".c{i}{{margin:{i % 7}px;padding:{i % 5}px;color:#{(i * 2654435761) % 0xFFFFFF:06x};font-size:{12 + i % 6}px}}"
    for i in range(220)
) + "</style>"


def _filler_js(size: int) -> str:
    """Minified-looking vendor code: the bulk of a real page's bytes, no text an extractor should keep."""
    unit = ("!function(e,t){var n=e.__ads||(e.__ads=[]);n.push({slot:t,sizes:[[300,250],[728,90]],"
            "targeting:{sec:t.split('-')[0]}});for(var r=0;r<n.length;r++){n[r].ready=!0}}(window,'slot-{i}');")
    out: list[str] = []
    i = 0
    while sum(map(len, out)) < size:
        out.append(unit.replace("{i}", str(i)))
        i += 1
    return "".join(out)


# generated text is inserted into pages unescaped (speed): the grammar must stay free of markup characters
assert not any(ch in w for lst in (SUBJECTS, CLAUSES, TOPICS, TAILS, NUMBERED, OPENERS, TITLE_HEADS, PLACES)
               for w in lst for ch in '<>&"'), "sitegen grammar must not contain <, >, & or quotes"

FILLER = memoryview(_filler_js(220_000).encode("ascii"))


@dataclass
class SiteSpec:
    """What generate_site wrote. Paths are URL paths (ASCII), canonical form for articles."""

    root: Path
    template: str
    articles: list[str] = field(default_factory=list)
    non_articles: list[str] = field(default_factory=list)
    variants: dict[str, str] = field(default_factory=dict)  # duplicate URL path -> canonical article path
    routes: dict[str, set[str]] = field(default_factory=dict)  # route -> article paths it lists directly
    sitemaps: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)  # article path -> headline
    first_words: dict[str, str] = field(default_factory=dict)  # article path -> opening words of the body
    bytes_written: int = 0
    files_written: int = 0


@dataclass
class _Article:
    i: int
    path: str
    section: str
    title: str
    lead: str
    paragraphs: list[str]
    date: datetime
    author: tuple[str, str]
    tags: list[tuple[str, str]]
    group: str  # primary route
    extra_group: str | None = None
    size: int = 0


# ---------------------------------------------------------------- generation

def generate_site(
    root: Path,
    n_articles: int,
    *,
    seed: int = 0,
    page_kb: tuple[int, int] = (100, 200),
    with_sitemaps: bool = True,
    with_feeds: bool = True,
    sections: int = 5,
    per_page: int = 20,
    variants: bool = True,
    non_articles: bool = True,
    template: str = "a",
) -> SiteSpec:
    if template not in ("a", "b"):
        raise ValueError(f"template must be 'a' or 'b', not {template!r}")
    root = Path(root)
    rng = random.Random(seed)
    secs = SECTION_NAMES[: max(1, min(sections, len(SECTION_NAMES)))]
    routes = [r for r in ROUTES if (r != "sitemap" or with_sitemaps) and (r != "rss" or with_feeds)]
    w = _Writer(root)
    spec = SiteSpec(root=root, template=template, routes={r: set() for r in routes})

    pool = _sentence_pool(rng)
    arts = [_make_article(i, rng, pool, secs, routes, page_kb) for i in range(n_articles)]
    for a in arts:
        spec.articles.append(a.path)
        spec.titles[a.path] = a.title
        spec.first_words[a.path] = " ".join(a.paragraphs[0].split()[:6])
        for g in (a.group, a.extra_group):
            if g:
                spec.routes[g].add(a.path)
    by_group: dict[str, list[_Article]] = {r: [] for r in routes}
    for a in arts:
        by_group[a.group].append(a)

    listed = [a for a in arts if "sections" in (a.group, a.extra_group)]  # what section/tag pages may link
    var_arts = [a for a in listed if a.i % 7 == 3] if variants else []
    for a in var_arts:
        spec.variants[a.path + "?utm_source=homepage&utm_medium=web&utm_campaign=daily"] = a.path
        spec.variants["/amp" + a.path] = a.path
        if not a.path.endswith(".html"):
            spec.variants[a.path + "/"] = a.path
    amp_paths = {a.path for a in var_arts}

    tags_used = TAGS if non_articles else []
    videos = [f"/video/{1000 + k}/" for k in range(max(2, min(20, n_articles // 50)))] if non_articles else []
    chrome = _Chrome(secs, tags_used, videos, routes, with_feeds)

    render = _page_a if template == "a" else _page_b
    position = {id(a): k for peers in by_group.values() for k, a in enumerate(peers)}
    for a in arts:
        peers = by_group[a.group]
        related = [peers[(position[id(a)] + k) % len(peers)] for k in (1, 2, 3, 5, 8)] if len(peers) > 1 else []
        page = render(a, chrome, [r for r in related if r is not a], amp=a.path in amp_paths)
        w.write(a.path, page, pad_to=a.size, leaf=True)
        if a.path in amp_paths:
            w.write("/amp" + a.path, _page_amp(a), leaf=True)

    # section pages with pagination: the only route to the "sections" group
    section_pages = []
    for slug, name in secs:
        items = sorted((a for a in listed if a.section == slug), key=lambda a: a.date, reverse=True)
        pages = [items[k:k + per_page] for k in range(0, len(items), per_page)] or [[]]
        for n, chunk in enumerate(pages, 1):
            path = f"/{slug}/" if n == 1 else f"/{slug}/page/{n}/"
            nxt = f"/{slug}/page/{n + 1}/" if n < len(pages) else None
            prev = (f"/{slug}/" if n == 2 else f"/{slug}/page/{n - 1}/") if n > 1 else None
            w.write(path, _listing(chrome, f"{name} - صفحة {n}" if n > 1 else name, chunk, nxt, prev, set(amp_paths)))
            section_pages.append(path)
    spec.non_articles += section_pages

    home_items = sorted(listed, key=lambda a: a.date, reverse=True)[:12]
    w.write("/", _listing(chrome, SITE_NAME, home_items, None, None, set(amp_paths), home=True))
    spec.non_articles.insert(0, "/")

    if non_articles:
        for tslug, tname in tags_used:
            items = [a for a in listed if (tslug, tname) in a.tags][:per_page]
            w.write(f"/tag/{tslug}/", _listing(chrome, f"الوسم: {tname}", items, None, None, set()))
            spec.non_articles.append(f"/tag/{tslug}/")
        for aslug, aname in AUTHORS:
            items = [a for a in listed if a.author[0] == aslug][:per_page]
            w.write(f"/author/{aslug}/", _listing(chrome, f"الكاتب: {aname}", items, None, None, set()))
            spec.non_articles.append(f"/author/{aslug}/")
        for k, vpath in enumerate(videos):
            w.write(vpath, _video_page(chrome, k, vpath))
            spec.non_articles.append(vpath)

    if with_sitemaps:
        spec.sitemaps = _write_sitemaps(w, [a for a in arts if "sitemap" in (a.group, a.extra_group)], spec.non_articles)
    if with_feeds:
        spec.feeds = _write_feeds(w, secs, [a for a in arts if "rss" in (a.group, a.extra_group)])

    robots = ["User-agent: *", "Disallow: /private/", "Allow: /", ""]
    if with_sitemaps:
        robots += [f"Sitemap: {B}/sitemap.xml", f"Sitemap: {B}/sitemaps/news.xml"]
    w.write("/robots.txt", "\n".join(robots) + "\n")
    _write_manifest(w, spec)
    spec.bytes_written, spec.files_written = w.bytes, w.files
    return spec


def _make_article(i: int, rng: random.Random, pool: list[str], secs: list[tuple[str, str]], routes: list[str],
                  page_kb: tuple[int, int]) -> _Article:
    slug_sec = secs[i % len(secs)][0] if i < len(secs) else rng.choice(secs)[0]
    date = datetime(2026, 3, 1, 12, 0, tzinfo=TZ) - timedelta(minutes=97 * i + rng.randrange(90))
    words = "-".join(rng.sample(SLUG_WORDS, 3))
    if i % 3 == 2:  # extensionless, directory-style URLs (they get a trailing-slash variant)
        path = f"/{slug_sec}/news/{100000 + i}-{words}"
    else:
        path = f"/{slug_sec}/{date:%Y/%m/%d}/{100000 + i}-{words}.html"
    # route: the first len(routes) articles cover each route once, then random; 1 in 10 also sits in a second route
    group = routes[i] if i < len(routes) else rng.choices(routes, weights=[{"sitemap": 4, "rss": 2, "sections": 4}[r] for r in routes])[0]
    extra = None
    if i >= len(routes) and len(routes) > 1 and i % 10 == 0:
        extra = rng.choice([r for r in routes if r != group])
    place = rng.choice(PLACES)
    title = f"{rng.choice(TITLE_HEADS)} {rng.choice(TOPICS)} في {place}"
    paragraphs = [_paragraph(rng, pool, first=(k == 0)) for k in range(rng.randint(4, 10))]
    lead = pool[int(rng.random() * len(pool))]
    size = rng.randint(page_kb[0], page_kb[1]) * 1024
    return _Article(i, path, slug_sec, title, lead, paragraphs, date, rng.choice(AUTHORS),
                    rng.sample(TAGS, 3), group, extra, size)


def _sentence_pool(rng: random.Random, n: int = 4000) -> list[str]:
    """Sentences reused across articles (fast); with ~25 per article drawn from thousands, bodies stay distinct."""
    return [_sentence(rng) for _ in range(n)]


def _sentence(rng: random.Random) -> str:
    s = f"{rng.choice(SUBJECTS)} {rng.choice(CONNECTORS)} {rng.choice(CLAUSES)} {rng.choice(TOPICS)}"
    if rng.random() < 0.6:
        s += " " + rng.choice(NUMBERED).format(n=rng.randint(3, 9800))
    return s + " " + rng.choice(TAILS) + "."


def _paragraph(rng: random.Random, pool: list[str], first: bool = False) -> str:
    opener = "" if first else OPENERS[int(rng.random() * len(OPENERS))]
    n = len(pool)
    return opener + " ".join(pool[int(rng.random() * n)] for _ in range(2 + int(rng.random() * 4)))


# ---------------------------------------------------------------- page parts

class _Chrome:
    """Everything shared by all pages, rendered once."""

    def __init__(self, secs, tags, videos, routes, with_feeds):
        self.secs = secs
        menu = []
        for slug, name in secs:
            subs = "".join(f'<li><a href="{B}/{slug}/">{escape(name)} - {escape(t)}</a></li>' for _, t in TAGS[:8])
            menu.append(f'<li class="menu-item has-sub"><a href="{B}/{slug}/">{escape(name)}</a><ul class="sub">{subs}</ul></li>')
        tag_links = "".join(f'<a href="{B}/tag/{s}/">{escape(n)}</a>' for s, n in tags)
        video_links = "".join(f'<a href="{B}{v}">فيديو {k + 1}</a>' for k, v in enumerate(videos))
        feeds = "".join(f'<link rel="alternate" type="application/rss+xml" title="{escape(n)}" href="{B}/feeds/{s}.xml">'
                        for s, n in secs) if with_feeds else ""
        self.head_common = (f'<meta name="viewport" content="width=device-width, initial-scale=1">{feeds}'
                            f'<link rel="icon" href="{B}/favicon.ico">{CSS}')
        self.nav = (f'<header class="site-header"><div class="topbar">الأحد، 1 مارس 2026 | <a href="mailto:info@example.com">راسلنا</a>'
                    f' <a href="javascript:void(0)">الوضع الليلي</a></div><a class="logo" href="{B}/">{SITE_NAME}</a>'
                    f'<nav class="mega-menu"><ul>{"".join(menu)}</ul></nav><div class="trending">{tag_links}</div></header>')
        self.nav_b = (f'<div id="app-shell"><div class="x-top"><span class="x-brand"><a href="{B}/">{SITE_NAME}</a></span>'
                      f'<div class="x-drawer"><ul>{"".join(menu)}</ul></div><div class="x-chips">{tag_links}</div></div>')
        footer_cols = "".join(f'<li><a href="{B}/{s}/">{escape(n)}</a></li>' for s, n in secs)
        self.footer = (f'<footer class="site-footer"><ul>{footer_cols}</ul><div class="videos">{video_links}</div>'
                       f'<a href="http://example.org/partner">شركاؤنا</a> <a href="mailto:ads@example.com">للإعلان</a>'
                       f'<p>© 2026 {SITE_NAME}. جميع الحقوق محفوظة.</p></footer>')
        self.scripts = ('<script>window.dataLayer=window.dataLayer||[];dataLayer.push({"event":"pageview"});</script>'
                        '<script async src="/static/js/vendor.js"></script>')


def _jsonld(a: _Article, graph: bool = False) -> str:
    art = {
        "@type": "NewsArticle", "headline": a.title, "description": a.lead,
        "datePublished": a.date.isoformat(), "dateModified": (a.date + timedelta(hours=2)).isoformat(),
        "author": {"@type": "Person", "name": a.author[1], "url": f"{B}/author/{a.author[0]}/"},
        "publisher": {"@type": "Organization", "name": SITE_NAME}, "inLanguage": "ar",
        "mainEntityOfPage": f"{B}{a.path}", "image": f"{B}/img/{a.i}.jpg", "keywords": [t[1] for t in a.tags],
    }
    data = {"@context": "https://schema.org", "@graph": [art, {"@type": "WebSite", "name": SITE_NAME, "url": f"{B}/"}]} \
        if graph else {"@context": "https://schema.org", **art}
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def _meta(a: _Article, amp: bool) -> str:
    t, d = a.title, a.lead
    amp_link = f'<link rel="amphtml" href="{B}/amp{a.path}">' if amp else ""
    return (f'<meta charset="utf-8"><title>{t} | {SITE_NAME}</title><meta name="description" content="{d}">'
            f'<link rel="canonical" href="{B}{a.path}">{amp_link}'
            f'<meta property="og:type" content="article"><meta property="og:title" content="{t}">'
            f'<meta property="og:description" content="{d}"><meta property="og:url" content="{B}{a.path}">'
            f'<meta property="og:image" content="{B}/img/{a.i}.jpg">'
            f'<meta property="article:published_time" content="{a.date.isoformat()}">')


def _links(items: list[_Article], cls: str) -> str:
    return "".join(f'<li class="{cls}"><a href="{B}{r.path}">{r.title}</a></li>' for r in items)


def _page_a(a: _Article, c: _Chrome, related: list[_Article], amp: bool) -> str:
    paras = []
    for k, p in enumerate(a.paragraphs):
        paras.append(f"<p>{p}</p>")
        if k == 1 and related:
            paras.append(f'<aside class="read-also"><h4>اقرأ أيضا</h4><ul>{_links(related[:2], "ra")}</ul></aside>')
    tags = "".join(f'<a href="{B}/tag/{s}/">{escape(n)}</a>' for s, n in a.tags)
    return (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head>{_meta(a, amp)}{_jsonld(a)}{c.head_common}{c.scripts}</head><body>'
        f'{c.nav}<main class="container"><div class="col-main"><article class="post">'
        f'<nav class="breadcrumb"><a href="{B}/">الرئيسية</a> › <a href="{B}/{a.section}/">{a.section}</a></nav>'
        f'<h1 class="post-title">{a.title}</h1><p class="post-lead">{a.lead}</p>'
        f'<div class="post-meta"><a href="{B}/author/{a.author[0]}/">{escape(a.author[1])}</a>'
        f'<time datetime="{a.date.isoformat()}">{a.date:%Y-%m-%d %H:%M}</time></div>'
        f'<div class="share"><a href="https://www.facebook.com/sharer.php?u={B}{a.path}">فيسبوك</a>'
        f'<a href="https://twitter.com/share?url={B}{a.path}">تويتر</a></div>'
        f'<figure><img src="{B}/img/{a.i}.jpg" alt=""><figcaption>صورة أرشيفية من {escape(a.section)}</figcaption></figure>'
        f'<div class="post-body">{"".join(paras)}</div><div class="post-tags">{tags}</div></article>'
        f'<section class="related"><h3>أخبار ذات صلة</h3><ul>{_links(related, "rel")}</ul></section>'
        f'<section class="comments"><h3>التعليقات</h3><div class="comment"><b>زائر</b><p>شكرا على هذا التقرير المفصل.</p></div></section>'
        f'</div><aside class="sidebar"><div class="most-read"><h3>الأكثر قراءة</h3><ol>{_links(related[::-1], "mr")}</ol></div></aside>'
        f'</main>{c.footer}'
    )


def _page_b(a: _Article, c: _Chrome, related: list[_Article], amp: bool) -> str:
    """The "redesign": no <article>/<p>, body split in anonymous divs between teaser blocks with more text."""
    blocks = []
    for k, p in enumerate(a.paragraphs):
        blocks.append(f'<div class="q7 x-t" data-k="{k}"><span class="q7__s">{p}</span></div>')
        if k == 2 and related:
            r = related[0]
            blocks.append(f'<div class="q7 x-promo"><a href="{B}{r.path}"><span class="q7__s">{r.title}</span>'
                          f'<span class="x-sum">{r.lead}</span></a></div>')
    teasers = "".join(
        f'<div class="x-card"><a href="{B}{r.path}"><div class="x-card__h">{r.title}</div>'
        f'<div class="x-card__b">{r.paragraphs[0]}</div></a></div>' for r in related
    )
    tags = "".join(f'<a class="x-chip" href="{B}/tag/{s}/">{escape(n)}</a>' for s, n in a.tags)
    return (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head>{_meta(a, amp)}{_jsonld(a, graph=True)}{c.head_common}{c.scripts}'
        f'</head><body class="v2">{c.nav_b}<div class="x-grid"><div class="x-col x-col--wide">'
        f'<div class="x-hero"><div class="x-kicker"><a href="{B}/{a.section}/">{a.section}</a></div>'
        f'<h1 class="x-h">{a.title}</h1><div class="x-dek">{a.lead}</div>'
        f'<div class="x-by"><a href="{B}/author/{a.author[0]}/">{escape(a.author[1])}</a> · '
        f'<span data-ts="{int(a.date.timestamp())}">{a.date:%d/%m/%Y}</span></div></div>'
        f'<div class="x-flow">{"".join(blocks)}</div><div class="x-chips">{tags}</div></div>'
        f'<div class="x-col x-col--rail"><div class="x-rail-h">الأكثر قراءة</div>{teasers}</div></div>'
        f'<div class="x-comments"><div class="x-c"><b>قارئ</b> {a.lead}</div></div>{c.footer}</div>'
    )


def _page_amp(a: _Article) -> str:
    paras = "".join(f"<p>{p}</p>" for p in a.paragraphs)
    return (f'<!doctype html><html ⚡ lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{a.title}</title>'
            f'<link rel="canonical" href="{B}{a.path}"><script async src="https://cdn.ampproject.org/v0.js"></script>'
            f'</head><body><h1>{a.title}</h1>{paras}</body></html>')


def _listing(c: _Chrome, title: str, items: list[_Article], nxt: str | None, prev: str | None,
             amp_paths: set[str], home: bool = False) -> str:
    cards = []
    for a in items:
        cards.append(f'<div class="card"><a href="{B}{a.path}"><h3>{a.title}</h3></a><p>{a.lead}</p></div>')
        if a.path in amp_paths:  # duplicate URL variants, as sites leak them
            utm = f"{B}{a.path}?utm_source=homepage&amp;utm_medium=web&amp;utm_campaign=daily"
            slash = "" if a.path.endswith(".html") else f' <a href="{B}{a.path}/">الرابط الدائم</a>'
            cards.append(f'<div class="variants"><a href="{utm}">شارك</a> <a href="{B}/amp{a.path}">AMP</a>{slash}</div>')
    pager = ""
    if prev:
        pager += f'<a rel="prev" href="{B}{prev}">السابق</a>'
    if nxt:
        pager += f'<a rel="next" href="{B}{nxt}">التالي</a>'
    extra = '<div class="private"><a href="{{BASE}}/private/drafts/">مسودات</a></div>' if home else ""
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{escape(title)} | {SITE_NAME}</title>'
            f'<meta property="og:type" content="website">{c.head_common}</head><body>{c.nav}<main><h1>{escape(title)}</h1>'
            f'{"".join(cards)}<nav class="pagination">{pager}</nav>{extra}</main>{c.footer}</body></html>')


def _video_page(c: _Chrome, k: int, path: str) -> str:
    vo = {"@context": "https://schema.org", "@type": "VideoObject", "name": f"تقرير مصور رقم {k + 1}",
          "uploadDate": "2026-02-01T10:00:00+03:00", "thumbnailUrl": f"{B}/img/v{k}.jpg"}
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>فيديو {k + 1}</title>'
            f'<meta property="og:type" content="video.other"><script type="application/ld+json">'
            f'{json.dumps(vo, ensure_ascii=False)}</script>{c.head_common}</head><body>{c.nav}'
            f'<main><h1>تقرير مصور رقم {k + 1}</h1><video controls src="{B}/media/{k}.mp4"></video></main>{c.footer}</body></html>')


# ---------------------------------------------------------------- sitemaps, feeds, manifest

def _write_sitemaps(w: _Writer, arts: list[_Article], pages: list[str]) -> list[str]:
    arts = sorted(arts, key=lambda a: a.date, reverse=True)
    news, rest = arts[:200], arts[200:]
    out = []
    entries = "".join(
        f"<url><loc>{B}{a.path}</loc><lastmod>{a.date.isoformat()}</lastmod><news:news><news:publication>"
        f"<news:name>{SITE_NAME}</news:name><news:language>ar</news:language></news:publication>"
        f"<news:publication_date>{a.date.isoformat()}</news:publication_date><news:title>{a.title}</news:title>"
        f"</news:news></url>\n" for a in news
    )
    w.write("/sitemaps/news.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n{entries}</urlset>\n')
    out.append("/sitemaps/news.xml")
    for k in range(0, len(rest), 1000):
        chunk = rest[k:k + 1000]
        entries = "".join(f"<url><loc>{B}{a.path}</loc><lastmod>{a.date.isoformat()}</lastmod></url>\n" for a in chunk)
        path = f"/sitemaps/articles-{k // 1000 + 1}.xml"
        w.write(path, '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
                f"{entries}</urlset>\n")
        out.append(path)
    entries = "".join(f"<url><loc>{B}{p}</loc></url>\n" for p in pages[:50])
    w.write("/sitemaps/pages.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9">\n{entries}</urlset>\n')
    out.append("/sitemaps/pages.xml")
    index = "".join(f"<sitemap><loc>{B}{p}</loc><lastmod>2026-03-01T12:00:00+03:00</lastmod></sitemap>\n" for p in out)
    w.write("/sitemap.xml", '<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/'
            f'sitemap/0.9">\n{index}</sitemapindex>\n')
    return ["/sitemap.xml", *out]


def _write_feeds(w: _Writer, secs: list[tuple[str, str]], arts: list[_Article]) -> list[str]:
    out = []
    for slug, name in secs:
        items = sorted((a for a in arts if a.section == slug), key=lambda a: a.date, reverse=True)
        xml_items = "".join(
            f"<item><title>{a.title}</title><link>{B}{a.path}</link><guid>{B}{a.path}</guid>"
            f"<pubDate>{format_datetime(a.date)}</pubDate><description>{a.lead}</description></item>\n"
            for a in items
        )
        path = f"/feeds/{slug}.xml"
        w.write(path, f'<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>{SITE_NAME} - '
                f'{escape(name)}</title><link>{B}/{slug}/</link><description>{escape(name)}</description>'
                f"<language>ar</language>\n{xml_items}</channel></rss>\n")
        out.append(path)
    return out


def _write_manifest(w: _Writer, spec: SiteSpec) -> None:
    """Same [paths]/[variants] shape as data/demo/manifest.toml, so one loader reads both."""
    def lst(items):
        return "[\n" + "".join(f"  {json.dumps(i)},\n" for i in items) + "]"

    lines = ["# generated by tests/support/sitegen.py", "[site]", f"template = {json.dumps(spec.template)}",
             'start = "/"', f"feeds = {json.dumps(spec.feeds)}", f"sitemaps = {json.dumps(spec.sitemaps)}", "",
             "[paths]", f"articles = {lst(spec.articles)}", f"non_articles = {lst(spec.non_articles)}",
             'disallowed = ["/private/drafts/"]', "", "[routes]"]
    lines += [f"{r} = {lst(sorted(p))}" for r, p in spec.routes.items()]
    lines += ["", "[variants]"] + [f"{json.dumps(k)} = {json.dumps(v)}" for k, v in spec.variants.items()]
    (w.root / "manifest.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


class _Writer:
    """Writes pages under root (extensionless paths -> dir/index.html), padding article pages to their size."""

    def __init__(self, root: Path):
        self.root = root
        self.bytes = 0
        self.files = 0
        self._dirs: set[Path] = set()

    def write(self, path: str, text: str, pad_to: int = 0, leaf: bool = False) -> None:
        """leaf=True writes an extensionless path as a plain file (one mkdir fewer per article; served as HTML)."""
        rel = path.lstrip("/")
        last = rel.rsplit("/", 1)[-1]
        as_dir = not rel or path.endswith("/") or ("." not in last and not leaf)
        target = self.root / rel / "index.html" if as_dir else self.root / rel
        data = text.encode("utf-8")
        tail: bytes | memoryview = b""  # a slice of FILLER: not copied
        if pad_to > len(data):  # the vendor-script bulk real pages carry, before </body>
            room = max(0, pad_to - len(data) - len("<script></script></body></html>"))
            data += b"<script>"
            tail = FILLER[:room]
        elif text.lstrip().startswith("<!DOCTYPE") and not text.rstrip().endswith("</html>"):
            data += b"</body></html>"
        parent = target.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        with open(target, "wb") as fh:
            fh.write(data)
            if tail:
                fh.write(tail)
                fh.write(b"</script></body></html>")
        size = len(data) + (len(tail) + 23 if tail else 0)
        self.bytes += size
        self.files += 1
