"""Per-site golden files (in the manner of Fundus's parser test files): a saved page and the record newsbot gives it.

    python3 scripts/golden.py --corpus                   # every ../shared/corpus page of a site in data/sites.toml
    python3 scripts/golden.py PAGE --url URL [--fetched YYYY-MM-DD] [--site SLUG]   # one saved page

Each site gets tests/golden/<slug>.json; tests/test_golden.py extracts every page listed there again (with the site's
profile, in the layout of the page's fetch day) and compares the record field by field. A corpus page is written only
when its record agrees with the corpus gold (title, day published, authors and body F1 1.0, by the rules of ../shared/eval/score.py):
a golden file pins a verified record, not whatever the extractor said that day. The pages are third-party content, so
the file holds them by their path under ../shared and each field as a SHA-256 digest of its JSON value, never the text;
a page inside this repository (data/demo) keeps its fields in clear.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newsbot.extract import ExtractionError, extract  # noqa: E402
from newsbot.sites import site_for_url  # noqa: E402

SHARED = ROOT.parent / "shared"
GOLDEN_DIR = ROOT / "tests" / "golden"
# the record fields a golden file pins (what a site's profile and the generic rules decide; not run-dependent ones
# such as extracted_at, confidence or strategy)
FIELDS = ("title", "published", "modified", "authors", "section", "tags", "image", "canonical_url", "kind", "lang",
          "body")
FETCHED = "2026-01-01"  # fetch day recorded for corpus pages (they carry none): the profile layout of that day


def digest(value: Any) -> str:
    return "sha256:" + hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def page_path(ref: str) -> Path:
    """A golden case's page: "shared:corpus/pages/x.html" (beside the project) or a path inside the repository."""
    return SHARED / ref.removeprefix("shared:") if ref.startswith("shared:") else ROOT / ref


def record_fields(ref: str, url: str, fetched: str) -> dict[str, Any]:
    rec = extract(page_path(ref).read_bytes(), url=url, fetched=fetched)
    return {f: getattr(rec, f) for f in FIELDS}


def pinned(ref: str, fields: dict[str, Any]) -> dict[str, Any]:
    """What the golden file stores for each field: the value for the repository's own pages, else its digest."""
    return {f: (digest(v) if ref.startswith("shared:") else v) for f, v in fields.items()}


def _scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("shared_score", SHARED / "eval" / "score.py")
    if spec is None or spec.loader is None:
        raise SystemExit("../shared/eval/score.py not found beside the project")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def disagreements(fields: dict[str, Any], gold: dict[str, Any], scorer: ModuleType) -> list[str]:
    """The fields where newsbot's record and the corpus gold differ (empty: the record is verified)."""
    out = []
    if gold.get("title") and scorer.tokens(fields["title"] or "") != scorer.tokens(gold["title"]):
        out.append("title")
    if gold.get("published") and not scorer.same_day(fields["published"] or "", gold["published"]):
        out.append("published")
    if gold.get("authors") is not None and sorted(map(scorer.tokens, fields["authors"])) != sorted(
            map(scorer.tokens, gold["authors"])):
        out.append("authors")
    f1 = scorer.prf(scorer.tokens(fields["body"] or ""), scorer.tokens(scorer.as_text(gold.get("body"))))[2]
    if f1 < 1.0:
        out.append(f"body (F1 {f1:.3f})")
    return out


def corpus_cases() -> dict[str, list[dict[str, Any]]]:
    """Golden cases of every corpus page whose URL belongs to a registry site, verified against its gold."""
    gold_dir = SHARED / "corpus" / "gold"
    if not gold_dir.is_dir():
        raise SystemExit(f"{gold_dir} not found (../shared/corpus beside the project)")
    scorer = _scorer()
    by_site: dict[str, list[dict[str, Any]]] = {}
    for gold_file in sorted(gold_dir.rglob("*.json")):
        gold = json.loads(gold_file.read_text("utf-8"))
        site = site_for_url(gold.get("url") or "")
        if site is None:
            continue
        sub = gold_file.parent.relative_to(gold_dir)
        ref = f"shared:corpus/pages/{sub / gold['page'] if str(sub) != '.' else gold['page']}"
        fields = record_fields(ref, gold["url"], FETCHED)
        wrong = disagreements(fields, gold, scorer)
        if wrong:
            print(f"{ref}: not written, the record disagrees with the gold on {', '.join(wrong)}", file=sys.stderr)
            continue
        by_site.setdefault(site.slug, []).append(
            {"page": ref, "url": gold["url"], "fetched": FETCHED, "record": pinned(ref, fields)})
    return by_site


def write(slug: str, cases: list[dict[str, Any]], replace: bool) -> Path:
    """tests/golden/<slug>.json with `cases` (merged by page with the cases already there unless `replace`)."""
    path = GOLDEN_DIR / f"{slug}.json"
    old = [] if replace or not path.exists() else json.loads(path.read_text("utf-8"))["cases"]
    merged = {c["page"]: c for c in old} | {c["page"]: c for c in cases}
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    doc = {"site": slug, "generated_by": "python3 scripts/golden.py", "cases": sorted(merged.values(),
                                                                                       key=lambda c: c["page"])}
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("page", nargs="?", help="a saved page: a path in this repository or shared:<path under ../shared>")
    ap.add_argument("--url", help="the page's address (decides its site and profile)")
    ap.add_argument("--fetched", default=FETCHED, help="its fetch day (the profile layout read)")
    ap.add_argument("--site", help="registry slug (default: the site the URL belongs to)")
    ap.add_argument("--corpus", action="store_true", help="regenerate the golden files of the ../shared/corpus sites")
    args = ap.parse_args(argv)
    if args.corpus:
        for site_slug, cases in sorted(corpus_cases().items()):
            print(f"{write(site_slug, cases, replace=True).relative_to(ROOT)}: {len(cases)} page(s)")
        return 0
    if not args.page or not args.url:
        ap.error("give PAGE and --url, or --corpus")
    site = site_for_url(args.url)
    slug: str | None = args.site or (site.slug if site else None)
    if slug is None:
        ap.error(f"{args.url} belongs to no site in data/sites.toml: give --site")
    try:
        fields = record_fields(args.page, args.url, args.fetched)
    except (OSError, ExtractionError) as exc:
        print(f"golden: {args.page}: {exc}", file=sys.stderr)
        return 1
    case = {"page": args.page, "url": args.url, "fetched": args.fetched, "record": pinned(args.page, fields)}
    print(f"{write(slug, [case], replace=False).relative_to(ROOT)}: {args.page}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
