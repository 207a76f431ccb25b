"""Bad input to the extractor: every hostile page gives a record or a clear ExtractionError, nothing else,
and pages that still hold an article come out right (the Arabic text decoded, not mojibake)."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbot.extract import ExtractionError, extract
from tests.support.crawl import ROOT

AR = (
    "قال مسؤولون في الحكومة اليوم إن المحادثات بين الأطراف المعنية ستستأنف الأسبوع المقبل في العاصمة، "
    "وأضافوا أن جدول الأعمال يشمل ملفات الاقتصاد والطاقة والمياه والتعاون الإقليمي بين دول المنطقة."
)
URL = "https://news.example.com/politics/2026/03/01/talks.html"


def page(text: str = AR, head: str = '<meta charset="utf-8">') -> str:
    return (
        f'<html lang="ar" dir="rtl"><head>{head}<title>استئناف المحادثات</title></head><body><article>'
        f"<h1>استئناف المحادثات الأسبوع المقبل</h1><p>{text}</p><p>{text}</p><p>{text}</p></article></body></html>"
    )


def _paragraphs_kept(body: str) -> int:
    """How many of page()'s three paragraphs are in the body, whole (text normalisation aside)."""
    return sum(1 for p in body.split("\n\n") if p.strip().startswith(AR[:40]) and AR[-30:] in p)


def outcome(data: bytes | str, **kw) -> tuple[str, object]:
    """('record', rec) or ('error', reason); any other exception fails the test."""
    try:
        return "record", extract(data, url=URL, **kw)
    except ExtractionError as exc:
        assert exc.reason and str(exc), "an ExtractionError must say why"
        return "error", exc.reason


REFUSED = {
    "empty body": b"",
    "whitespace-only body": b" \r\n\t  \n",
    "PDF served as HTML": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n" + bytes(range(256)) * 40,
    "PNG served as HTML": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256)) * 40,
    "JPEG served as HTML": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(255, -1, -1)) * 40,
    "gzip bytes served as HTML": b"\x1f\x8b\x08\x00" + bytes(range(256)) * 10,
    "binary garbage": bytes((i * 7919 + 13) % 256 for i in range(50_000)),
    "JSON served as HTML": json.dumps({"title": "خبر", "items": list(range(50))}, ensure_ascii=False).encode(),
    "page with no text": b"<html><head><title></title></head><body><div><img src=a.png><script>var a=1;</script>"
                         b"</div><nav><a href=/>x</a></nav></body></html>",
    "markup only, 1,000 empty divs": b"<html><body>" + b"<div></div>" * 1000 + b"</body></html>",
}



@pytest.mark.parametrize("name", list(REFUSED))
def test_non_articles_are_refused_with_a_reason(name, case):
    case(f"extract(): {name}")
    kind, value = outcome(REFUSED[name])
    assert kind == "error", f"{name} gave a record: {value!r}"
    case.happened(f"ExtractionError({value!r})")


def _cp1256_page() -> bytes:
    return page(head='<meta charset="windows-1256">').encode("cp1256")


READABLE = {
    # name: (bytes, extract kwargs)
    "truncated HTML (cut mid-tag)": (page().encode()[: len(page().encode()) * 3 // 4] + b"<p cla", {}),
    "windows-1256 bytes labelled UTF-8 by HTTP": (_cp1256_page(), {"headers": {"Content-Type": "text/html; charset=utf-8"}}),
    "windows-1256 bytes, no label at all": (page(head="").encode("cp1256"), {}),
    "UTF-8 bytes labelled windows-1256 in <meta>": (page(head='<meta charset="windows-1256">').encode(), {}),
    "contradictory labels (HTTP latin-1, meta koi8-r, bytes UTF-8)": (
        page(head='<meta http-equiv="Content-Type" content="text/html; charset=koi8-r">').encode(),
        {"headers": {"Content-Type": "text/html; charset=iso-8859-1"}},
    ),
    "double-encoded UTF-8 (mojibake)": (page().encode("utf-8").decode("latin-1").encode("utf-8"), {}),
    "NUL and control bytes inside the text": (page().encode().replace(b"<p>", b"<p>\x00\x01\x07\x1b", 2), {}),
    "UTF-16 with BOM": (page(head="").encode("utf-16"), {}),
    "unclosed tags everywhere": (page().replace("</p>", "").replace("</article>", "").encode(), {}),
}


@pytest.mark.parametrize("name", list(READABLE))
def test_damaged_arabic_pages_still_give_the_article(name, case):
    data, kw = READABLE[name]
    case(f"extract(): {name}")
    kind, rec = outcome(data, **kw)
    assert kind == "record", f"{name}: {rec}"
    whole = data.decode("utf-8", "ignore").count(AR) or 3  # paragraphs whole in the input (a cut page has fewer)
    case.count_lost(whole, _paragraphs_kept(rec.body), what="paragraphs whole in the input")
    assert "المحادثات بين الأطراف المعنية" in rec.body, f"{name}: body decoded wrongly ({rec.encoding}): {rec.body[:80]!r}"
    assert rec.lang == "ar"
    assert not any(ord(c) < 32 and c not in "\n\t" for c in rec.body), "control characters leaked into the body"
    case.happened(f"record, body readable Arabic (decoded as {rec.encoding})")


def test_a_few_invalid_utf8_bytes_do_not_turn_the_page_into_mojibake(case):
    case("extract(): UTF-8 page declaring utf-8 with 5 invalid byte sequences")
    data = page().encode().replace(b"\xd8\xa7", b"\xd8\xff", 5)
    kind, rec = outcome(data)
    assert kind == "record"
    assert "المحادثات بين الأطراف المعنية" in rec.body, rec.body[:80]
    case.count_lost(3, sum(1 for p in rec.body.split("\n\n") if "المحادثات بين الأطراف المعنية" in p),
                    what="paragraphs readable")


def test_non_arabic_page_is_a_record_in_its_own_language(case):
    case("extract(): an English article page")
    text = "The government said on Monday that talks between the parties would resume next week in the capital. " * 3
    kind, rec = outcome(page(text).replace('lang="ar"', 'lang="en"').encode())
    assert kind == "record" and rec.lang == "en"
    case.happened("record with lang=en (the validation pipeline decides whether to keep it)")


_BOUNDED = """
import json, sys
from newsbot.extract import ExtractionError, extract
html = sys.stdin.buffer.read()
try:
    rec = extract(html, url="https://news.example.com/a.html")
    print(json.dumps(["record", {"word_count": rec.word_count, "body": rec.body}]))
except ExtractionError as exc:
    print(json.dumps(["error", exc.reason]))
"""


def _extract_bounded(data: bytes, seconds: float) -> tuple[str, object] | None:
    """extract() in a child process killed after `seconds` (None then): a page that hangs the parser must
    not hang the suite nor keep burning CPU behind it. Not a speed test: the bound is 100x the guarded time."""
    try:
        proc = subprocess.run([sys.executable, "-c", _BOUNDED], input=data, capture_output=True, timeout=seconds,
                              env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    except subprocess.TimeoutExpired:
        return None
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    kind, value = json.loads(proc.stdout)
    return kind, value


def test_100000_deep_nesting_is_refused_quickly(case):
    case("extract(): 100,000 nested <div>s around one paragraph (about 1.2 MB)")
    html = "<html><body>" + "<div>" * 100_000 + f"<p>{AR}</p>" + "</div>" * 100_000 + "</body></html>"
    # unguarded this parse takes ~150 s of CPU; guarded it is refused in ~10 ms
    result = _extract_bounded(html.encode(), 15)
    assert result is not None, "extract() was still parsing after 15 s"
    assert result == ("error", "too-deep"), result
    case.happened("ExtractionError('too-deep') without parsing")


def test_deep_inline_nesting_is_harmless(case):
    case("extract(): 50,000 nested <span>s (inline elements) around the article's three paragraphs")
    paras = [f"{AR} (فقرة {i})" for i in range(3)]
    html = ("<html><body><article><h1>استئناف المحادثات</h1>" + "<span>" * 50_000
            + "".join(f"<p>{p}</p>" for p in paras) + "</span>" * 50_000 + "</article></body></html>")
    result = _extract_bounded(html.encode(), 60)
    assert result is not None, "extract() was still parsing after 60 s"
    body = result[1]["body"] if result[0] == "record" else ""
    lost = case.count_lost(paras, [p for p in paras if p in body], what="paragraphs")
    assert result[0] == "record", f"a safe page (lexbor parses it in milliseconds) was refused: {result}"
    assert lost == 0, body[:500]
    case.happened("the article extracted with its three paragraphs")


_BYPASS = {
    "comment": ("`<!-->` (an empty comment) before 200,000 nested <div>s and a comment",
                "<html><body><!-->" + "<div>" * 200_000 + f"<p>{AR}</p><!-- end --></body></html>"),
    "stray-end-tags": ("200,000 <span>s each followed by a stray end tag",
                       "<html><body>" + "<span></x>" * 200_000 + f"<p>{AR}</p></body></html>"),
    "unclosed-script": ("64,000 unclosed `<script ` tags", "<html><body>" + "<script " * 64_000 + f"<p>{AR}</p>"),
    "attributes": ("one element with 1,000,000 attributes",
                   "<html><body><div " + " ".join(f"a{i}=1" for i in range(1_000_000)) + f"><p>{AR}</p></div>"),
    "quoted-attributes": ('one element with 200,000 attributes whose quoted values hold ">"',
                          "<html><body><div " + 'a=">" ' * 200_000 + f"><p>{AR}</p></div>"),
}


@pytest.mark.parametrize("shape", list(_BYPASS))
def test_the_parse_guard_cannot_be_bypassed(shape: str, case):
    what, html = _BYPASS[shape]
    case(f"extract(): {what} (unguarded: minutes of parsing)")
    # guarded, the answer takes well under a second; the bound is not a speed test
    result = _extract_bounded(html.encode(), 20)
    assert result is not None, "extract() was still parsing after 20 s: the guard was bypassed"
    assert result == ("error", "too-deep"), result
    case.happened("ExtractionError('too-deep') without parsing")


def test_extract_cli_answers_a_million_attributes(tmp_path, case):
    case("`newsbot extract page.html` on a page with one element of 1,000,000 attributes (12 MB)")
    path = tmp_path / "page.html"
    path.write_text(_BYPASS["attributes"][1], encoding="utf-8")
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-m", "newsbot", "extract", str(path)], capture_output=True,
                              text=True, timeout=60, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    except subprocess.TimeoutExpired:
        pytest.fail("newsbot extract was still busy after 60 s")
    assert "too deep" in done.stderr or "too-deep" in done.stderr + done.stdout, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    took = time.monotonic() - started
    case.figure("wall_seconds", round(took, 1))
    case.happened(f"answered with the too-deep reason in {took:.1f} s, exit {done.returncode}")


# ---------------------------------------------------------------- fuzzing

_tags = st.sampled_from(["div", "p", "span", "article", "h1", "script", "style", "a", "meta", "title", "br", "table", "td"])
_text = st.text(alphabet=st.sampled_from(list("قال مسؤولون الحكومة<>&;\"'=/ \n\t\x00\ufeff\u200fabc")), max_size=60)


@st.composite
def html_soup(draw) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 30))):
        tag = draw(_tags)
        choice = draw(st.integers(0, 3))
        if choice == 0:
            parts.append(f"<{tag}>")
        elif choice == 1:
            parts.append(f"</{tag}>")
        elif choice == 2:
            parts.append(f"<{tag} {draw(_text)}>{draw(_text)}</{tag}>")
        else:
            parts.append(draw(_text))
    return "".join(parts)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=3000), html_soup().map(lambda s: s.encode("utf-8", "surrogatepass")),
                      html_soup(), st.text(max_size=500)),
       charset=st.sampled_from([None, "utf-8", "windows-1256", "iso-8859-6", "latin-1", "bogus-charset", "utf-16"]))
def test_fuzzed_input_gives_a_record_or_an_extraction_error(data, charset):
    headers = {"Content-Type": f"text/html; charset={charset}"} if charset else None
    try:
        rec = extract(data, url=URL, headers=headers)
    except ExtractionError as exc:
        assert exc.reason
        return
    assert isinstance(rec.body, str) and rec.word_count == len(rec.body.split())
    json.loads(rec.to_json())  # always serialisable


def test_fuzzing_case_for_the_table(case):
    # the hypothesis test above cannot take a function-scoped fixture; this row stands for it in the table
    case("extract(): 150 hypothesis examples x 4 generators (bytes, tag soup, text) x 7 charset labels")
    case.happened("a record or ExtractionError every time (test_fuzzed_input_gives_a_record_or_an_extraction_error)")


# ---------------------------------------------------------------- the CLI

def test_extract_cli_gives_error_records_and_exit_status(tmp_path, case):
    case("`newsbot extract` on a PDF, an empty file, binary garbage, a directory, a missing file and one good page")
    files = {
        "doc.pdf": REFUSED["PDF served as HTML"],
        "empty.html": b"",
        "garbage.html": REFUSED["binary garbage"],
        "good.html": page().encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "adir").mkdir()
    args = [*files, "adir", "missing.html"]
    proc = subprocess.run([sys.executable, "-m", "newsbot", "extract", *args], cwd=tmp_path, capture_output=True,
                          timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines() if line.strip()]
    assert [r["input"] for r in rows] == args, "one output line per input, in order"
    by = {r["input"]: r for r in rows}
    assert by["good.html"].get("body") and "error" not in by["good.html"]
    for bad in ("doc.pdf", "empty.html", "garbage.html", "adir", "missing.html"):
        assert by[bad]["error"] and by[bad]["message"], by[bad]
        assert by[bad]["error"] != "internal", by[bad]
    assert proc.returncode == 1
    assert b"Traceback" not in proc.stderr
    good_only = subprocess.run([sys.executable, "-m", "newsbot", "extract", "good.html"], cwd=tmp_path,
                               capture_output=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert good_only.returncode == 0
    case.happened("5 error records (" + ", ".join(by[b]["error"] for b in ("doc.pdf", "empty.html", "garbage.html",
                                                                              "adir", "missing.html"))
                  + "), 1 record, exit 1; exit 0 for the good page alone")



_PEAK_CHILD = r"""
import runpy, sys
sys.argv = ["newsbot", *sys.argv[1:]]
try:
    runpy.run_module("newsbot", run_name="__main__")
finally:  # VmHWM: the peak of this program alone (ru_maxrss keeps the forking parent's across exec)
    with open("/proc/self/status") as fh:
        print(next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")), file=sys.stderr)
"""


def test_extract_cli_input_size_is_bounded(tmp_path, case):
    import time

    case("`newsbot extract /dev/zero big.html good.html` (an endless device, a 50 MB file), then a 200 KB page "
         "read from stdin with --max-bytes 100000")
    (tmp_path / "good.html").write_bytes(page().encode())
    with open(tmp_path / "big.html", "wb") as fh:
        fh.truncate(50 * 2**20)  # sparse: 50 MB to read, nothing on the disk
    started = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, "-c", _PEAK_CHILD, "extract", "/dev/zero", "big.html", "good.html"],
                              cwd=tmp_path, capture_output=True, timeout=60,
                              env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    except subprocess.TimeoutExpired:
        pytest.fail("newsbot extract /dev/zero was still reading after 60 s")
    took = time.monotonic() - started
    stderr = proc.stderr.decode("utf-8", "replace").splitlines()
    peak_mb = int(stderr[-1]) / 1024
    rows = [json.loads(line) for line in proc.stdout.decode("utf-8").splitlines() if line.strip()]
    assert [r["input"] for r in rows] == ["/dev/zero", "big.html", "good.html"], rows
    assert [r.get("error") for r in rows] == ["too-large", "too-large", None], rows
    case.count_lost(["good.html"], [r["input"] for r in rows if r.get("body")], what="good pages")
    told = [line for line in stderr[:-1] if line.startswith("newsbot extract:")]
    assert len(told) == 2 and all("input limit" in line for line in told), stderr
    assert "Traceback" not in "\n".join(stderr) and proc.returncode == 1
    assert peak_mb < 200, f"peak RSS {peak_mb:.0f} MB: the input was read past its limit"
    case.figure("peak_rss_mb", round(peak_mb))
    case.figure("seconds", round(took, 1))
    piped = subprocess.run([sys.executable, "-m", "newsbot", "extract", "--max-bytes", "100000", "-"],
                           input=page(AR * 200).encode(), capture_output=True, timeout=60,
                           env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert json.loads(piped.stdout)["error"] == "too-large" and piped.returncode == 1, piped.stderr
    case.happened(f"both refused in one line each (too-large), good.html extracted, exit 1; {took:.1f} s, peak RSS "
                  f"{peak_mb:.0f} MB; stdin past --max-bytes refused the same way")


# ---------------------------------------------------------------- JSON a page embeds

_DEEP = '{"a":' * 10_000 + "1" + "}" * 10_000


@pytest.mark.parametrize("where", ["json-ld", "next-data", "window-state", "json-ld-900"])
def test_json_nested_10000_deep_loses_only_itself(where: str, case):
    case(f"extract(): an article page whose {where} JSON is nested {'900' if where.endswith('900') else '10,000'} "
         "deep (an uncaught RecursionError lost the page)")
    deep = '{"a":' * 900 + "1" + "}" * 900 if where.endswith("900") else _DEEP
    script = {
        "json-ld": f'<script type="application/ld+json">{{"@type":"NewsArticle","x":{deep}}}</script>',
        "json-ld-900": f'<script type="application/ld+json">{{"@type":"NewsArticle","x":{deep}}}</script>',
        "next-data": f'<script id="__NEXT_DATA__" type="application/json">{deep}</script>',
        "window-state": f"<script>window.__INITIAL_STATE__ = {deep};</script>",
    }[where]
    kind, rec = outcome(page(head='<meta charset="utf-8">' + script).encode())
    lost = case.count_lost(1, int(kind == "record" and "المحادثات بين الأطراف" in rec.body))
    assert lost == 0, (kind, rec)
    case.happened("the article extracted; the deep JSON read as unreadable")


def test_lone_surrogates_in_json_ld_are_repaired(tmp_path, case):
    case('`newsbot extract` on two pages, one whose JSON-LD headline, image and author hold lone surrogates '
         '("\\ud800", "\\udc00", "\\ud83d")')
    ld = ('<script type="application/ld+json">{"@type":"NewsArticle","headline":"\\ud800 استئناف المحادثات",'
          '"image":"https://news.example.com/\\udc00.jpg","author":{"@type":"Person","name":"\\ud83d كاتب"},'
          '"datePublished":"2026-03-01T10:00:00+03:00"}</script>')
    (tmp_path / "a.html").write_text(page(head='<meta charset="utf-8">' + ld), encoding="utf-8")
    (tmp_path / "b.html").write_text(page(), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "newsbot", "extract", str(tmp_path / "a.html"), str(tmp_path / "b.html")],
                          capture_output=True, timeout=120, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    out = done.stdout.decode("utf-8")  # strict: a lone surrogate cannot be in valid UTF-8
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    lost = case.count_lost(2, len(rows))
    assert lost == 0 and b"Traceback" not in done.stderr, done.stderr.decode()[-2000:]
    assert all("\ud800" not in json.dumps(r, ensure_ascii=False) for r in rows)
    case.happened("both records written as valid UTF-8, the surrogates replaced by U+FFFD; no traceback")


@pytest.mark.parametrize("share", [4, 3])
def test_badly_damaged_utf8_stays_utf8(share: int, case):
    import random

    from tests.support.crawl import article_html

    case(f"extract(): an Arabic UTF-8 article with 1/{share} of its non-ASCII bytes overwritten with junk "
         "(came out as windows-1256 mojibake labelled `ur`)")
    page = article_html("خبر تالف الترميز")
    data = bytearray(page.encode())
    rng = random.Random(share)
    high = [i for i, x in enumerate(data) if x >= 0x80]
    for i in rng.sample(high, len(high) // share):
        data[i] = rng.choice([0xFF, 0xFE, 0x41, 0xC0])
    kind, rec = outcome(bytes(data))
    assert kind == "record", rec
    words = sorted({w for w in page[page.index("<p>"):].split() if len(w) > 3 and "<" not in w and ">" not in w})
    kept = [w for w in words if w in rec.body]
    case.count_lost(1, int(rec.lang == "ar" and rec.encoding == "utf-8"), what="articles read as Arabic UTF-8")
    assert (rec.lang, rec.encoding) == ("ar", "utf-8"), (rec.lang, rec.encoding, rec.body[:120])
    assert kept, rec.body[:200]
    case.happened(f"read as UTF-8 Arabic; {len(kept)} of {len(words)} sample words intact, the rest U+FFFD")
