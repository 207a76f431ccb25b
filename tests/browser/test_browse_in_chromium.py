"""`newsbot browse` and the inspector in headless Chromium: what a person sees, and that a hostile page stays inert."""

from __future__ import annotations

from newsbot.browse.inspector import render_report, trace_page
from newsbot.demo_server import DEMO_ROOT
from tests.browser.conftest import shoot, used_fonts
from tests.support.browse import DEMO_SITE, SYNTH_SITE


def _rows(page) -> list[str]:
    return page.locator("table.articles tr.article").all_inner_texts()


def _arabic_font(page, selector: str) -> None:
    """The element's Arabic letters were drawn with a font that has Arabic glyphs (not boxes)."""
    fonts = used_fonts(page, selector)
    arabic = {name: n for name, n in fonts.items() if "Arabic" in name}
    assert arabic and max(arabic.values()) >= max(fonts.values()), fonts


def test_the_list_filters_by_site_section_and_text(page, browsed):
    page.goto(browsed.base)
    assert len(_rows(page)) == len(browsed.filled.records)
    page.select_option("#f-site", SYNTH_SITE)
    page.click("button[type=submit]")
    rows = page.locator("table.articles tr.article")
    assert rows.count() == 12
    assert set(page.locator("table.articles tr.article td:nth-child(2)").all_inner_texts()) == {SYNTH_SITE}
    page.fill("input[name=section]", "اقتصاد")
    page.click("button[type=submit]")
    sections = page.locator("table.articles tr.article td:nth-child(3)").all_inner_texts()
    assert sections and set(sections) == {"اقتصاد"} and len(sections) == 4
    page.goto(browsed.base)
    word = browsed.filled.demo[1].title.split()[0]
    page.fill("input[name=q]", word)
    page.click("button[type=submit]")
    titles = page.locator("table.articles tr.article td:nth-child(5)").all_inner_texts()
    assert browsed.filled.demo[1].title in titles
    assert len(titles) < len(browsed.filled.records)
    page.goto(browsed.base)
    shoot(page, "browse-articles", docs=True)


def test_an_article_reads_right_to_left_in_an_arabic_font_and_links_to_its_inspector(page, browsed):
    rec = browsed.filled.demo[0]
    page.goto(browsed.base + f"?site={DEMO_SITE}")
    page.get_by_role("link", name=rec.title).click()
    h1 = page.locator("main h1")
    assert h1.inner_text() == rec.title
    assert h1.evaluate("e => getComputedStyle(e).direction") == "rtl"
    first = page.locator(".body p").first
    assert first.evaluate("e => getComputedStyle(e).direction") == "rtl" and first.is_visible()
    _arabic_font(page, "main h1")
    assert page.locator(".original").inner_text() == rec.url  # the original as text, the link with noreferrer
    shoot(page, "browse-article", docs=True)

    page.click("#inspect")
    kept = page.locator("li.block.kept")
    paragraphs = rec.body.split("\n\n")
    assert kept.count() == len(paragraphs)
    assert kept.locator(".text").all_inner_texts() == paragraphs
    assert all(t == "KEPT" for t in kept.locator(".verdict").all_inner_texts())
    dropped = page.locator("li.block.dropped")
    assert dropped.count() > 0 and dropped.first.is_visible()
    assert dropped.locator(".verdict").first.inner_text() == "DROPPED"
    assert all(r.strip() for r in dropped.locator(".rule").all_inner_texts())  # each dropped block names a rule
    assert kept.first.locator(".text").evaluate("e => getComputedStyle(e).direction") == "rtl"
    _arabic_font(page, "li.block.kept .text")
    assert page.locator("tr.field[data-field=published] td").nth(1).inner_text() == rec.published
    shoot(page, "inspect", docs=True)


def test_the_inspector_shows_the_rule_that_dropped_each_block(page, browsed):
    rec = browsed.filled.demo[0]
    page.goto(browsed.base + "inspect?key=" + rec.url)
    assert page.locator("#provisional").count() == 0
    rules = page.locator("li.block.dropped .rule").all_inner_texts()
    related = page.locator("li.block.dropped", has_text="اقرأ أيضا").locator(".rule").inner_text()
    assert "rule not traced yet" not in rules and ("related" in related or "furniture" in related)


def test_a_site_plots_one_point_per_run_and_marks_the_alarm(page, browsed):
    page.goto(browsed.base + "sites")
    page.get_by_role("link", name=SYNTH_SITE, exact=True).click()
    runs = len(browsed.filled.runs)
    for plot in ("#plot-articles", "#plot-health"):
        points = page.locator(f"{plot} svg circle.point")
        assert points.count() == runs
        assert page.locator(f"{plot} svg circle.alarm").count() == 1
        xs = [float(p.get_attribute("cx")) for p in points.all()]
        assert xs == sorted(xs) and len(set(xs)) == runs
        assert page.locator(plot + " svg").bounding_box()["width"] > 300
    assert page.locator("table.alarms .alarm").inner_text().startswith("good share 25%")
    assert browsed.filled.alarmed_run in page.locator("text=Run ").last.inner_text() or \
        browsed.filled.alarmed_run in page.content()
    shoot(page, "browse-site", docs=True)


def test_a_hostile_page_runs_nothing_and_loads_nothing(page, browsed):
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    rec = browsed.filled.hostile
    for path in (f"article?key={rec.url}", f"inspect?key={rec.url}"):
        page.goto(browsed.base + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        # the page's markup-looking text is shown as text; its hiding CSS never applied
        text = page.get_by_text("window.__pwned='text'").first
        assert text.is_visible()
        for p in page.locator("p[dir=auto]").all():
            assert p.is_visible()
        assert page.locator("script, iframe, img, object, embed").count() == 0
    outside = [u for u in browsed.requests if not u.startswith(browsed.base)]
    assert outside == [] and browsed.canary.paths() == []
    assert dialogs == []
    page.goto(browsed.base + f"inspect?key={rec.url}")
    shoot(page, "inspect-hostile")


def test_the_inspect_report_file_is_self_contained(page, browsed, tmp_path):
    page_html = DEMO_ROOT / "politics/2026/03/04/arab-foreign-ministers-cairo.html"
    record, trace = trace_page(page_html.read_bytes(), url="https://demo-news.test/p.html")
    report = tmp_path / "report.html"
    report.write_text(render_report(trace, record, str(page_html)), encoding="utf-8")
    page.goto(report.as_uri())
    assert [u for u in browsed.requests if not u.startswith("file://")] == []
    kept = page.locator("li.block.kept").first
    # the inlined stylesheet applied (its hash is in the report's own policy): kept blocks are tinted
    assert kept.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(230, 244, 234)"
    assert kept.locator(".text").evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert page.locator("li.block.kept").count() == len(record.body.split("\n\n"))
