#!/usr/bin/env python3
"""Extraction quality: newsbot beside trafilatura on the gold sets in ../shared, scored by ../shared/eval/score.py.

    python3 benchmarks/eval.py                         # corpus + wcxb-dev, newsbot and trafilatura, the table
    python3 benchmarks/eval.py --sets wcxb-dev --no-baseline --rows rows.jsonl   # per-page rows for digging
    python3 benchmarks/eval.py --hashed-classes        # every class/id value replaced by a hash first

The metric is the shared scorer's own (imported from ../shared/eval/score.py, never re-implemented): bag-of-words
body P/R/F1 macro over pages, `with` found, `without` leaked, title, date. newsbot runs in this process on the
page bytes without a URL, as `score.py -- newsbot extract PAGE...` sees it; trafilatura as the scorer's baseline
(`bare_extraction(with_metadata=True)`). Also printed: pages with an empty body, and how well `confidence`
separates poor bodies (F1 < 0.8) from the rest (ROC AUC, Spearman against F1).
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SETS = {
    "corpus": (SHARED / "corpus" / "gold", SHARED / "corpus" / "pages"),
    "wcxb-dev": (SHARED / "wcxb-dev" / "gold", SHARED / "wcxb-dev" / "pages"),
}
POOR_F1 = 0.8  # what "a poor body" means for the confidence figures


def load_scorer(path: Path = SHARED / "eval" / "score.py") -> ModuleType:
    if not path.exists():
        raise SystemExit(f"eval: no scorer at {path} (../shared/eval beside the project)")
    spec = importlib.util.spec_from_file_location("shared_score", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_CLASS_ATTR = re.compile(rb"""(\s(?:class|id)\s*=\s*)("[^"]*"|'[^']*'|[^\s>]+)""", re.I)


def hash_classes(data: bytes) -> bytes:
    """Every class and id value replaced by a hash of itself (CSS-module names): structure and text stay."""
    def sub(m: re.Match[bytes]) -> bytes:
        value = m.group(2).strip(b"\"'")
        names = b" ".join(b"c" + hashlib.md5(v).hexdigest()[:8].encode() for v in value.split())
        return m.group(1) + b'"' + names + b'"'
    return _CLASS_ATTR.sub(sub, data)


def newsbot_predict(raw: bytes) -> dict:
    from newsbot.extract import ExtractionError, extract

    try:
        rec = extract(raw)
    except ExtractionError as e:
        return {"body": "", "error": e.reason, "confidence": 0.0}
    return {"title": rec.title, "body": rec.body, "published": rec.published, "confidence": rec.confidence,
            "strategy": rec.strategy, "warnings": rec.warnings}


def roc_auc(scores: list[float], positives: list[bool]) -> float | None:
    """Probability that a random positive scores higher than a random negative (ties count half)."""
    pos = [s for s, p in zip(scores, positives, strict=True) if p]
    neg = [s for s, p in zip(scores, positives, strict=True) if not p]
    if not pos or not neg:
        return None
    ranked = sorted((s, i) for i, s in enumerate(scores))
    ranks = [0.0] * len(scores)
    i = 0
    while i < len(ranked):  # average ranks over ties
        j = i
        while j + 1 < len(ranked) and ranked[j + 1][0] == ranked[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[ranked[k][1]] = (i + j) / 2 + 1
        i = j + 1
    rank_sum = sum(r for r, p in zip(ranks, positives, strict=True) if p)
    return (rank_sum - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg))


def spearman(xs: list[float], ys: list[float]) -> float | None:
    def rank(v: list[float]) -> list[float]:
        order = sorted(range(len(v)), key=v.__getitem__)
        r = [0.0] * len(v)
        i = 0
        while i < len(order):
            j = i
            while j + 1 < len(order) and v[order[j + 1]] == v[order[i]]:
                j += 1
            for k in range(i, j + 1):
                r[order[k]] = (i + j) / 2
            i = j + 1
        return r
    if len(xs) < 3:
        return None
    rx, ry = rank(xs), rank(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    vx = sum((a - mx) ** 2 for a in rx) ** 0.5
    vy = sum((b - my) ** 2 for b in ry) ** 0.5
    return cov / (vx * vy) if vx and vy else None


def evaluate(name: str, scorer: ModuleType, baseline: bool, hashed: bool = False) -> dict:
    gold_dir, pages_dir = SETS[name]
    if not gold_dir.is_dir():
        raise FileNotFoundError(f"{gold_dir} not found")
    items = scorer.load_gold(gold_dir, pages_dir)
    raws = {g["_page"]: scorer.read_page(g["_page"]) for g in items}
    if hashed:
        raws = {k: hash_classes(v) for k, v in raws.items()}
    preds = {page: newsbot_predict(raw) for page, raw in raws.items()}
    rows = scorer.score(items, preds)
    for r, g in zip(rows, items, strict=True):
        p = preds[g["_page"]]
        r.update(confidence=p.get("confidence", 0.0), strategy=p.get("strategy"), error=p.get("error"),
                 warnings=p.get("warnings"), empty=not (p.get("body") or "").strip())
    out = {"set": name, "pages": len(rows), "newsbot": scorer.summary(rows), "rows": rows,
           "empty": sum(r["empty"] for r in rows)}
    conf = [r["confidence"] for r in rows]
    f1 = [r["F1"] for r in rows]
    out["auc"] = roc_auc([-c for c in conf], [x < POOR_F1 for x in f1])  # low confidence should mean poor
    out["spearman"] = spearman(conf, f1)
    nonempty = [r for r in rows if not r["empty"]]
    out["auc_nonempty"] = roc_auc([-r["confidence"] for r in nonempty], [r["F1"] < POOR_F1 for r in nonempty])
    if baseline:
        f = scorer.baseline("trafilatura")
        bpreds = {}
        for g in items:
            try:
                bpreds[g["_page"]] = f(raws[g["_page"]], g.get("url")) or {}
            except Exception as e:  # the scorer's own rule: a baseline that crashes on a page scores zero there
                print(f"eval: trafilatura failed on {g['_name']}: {e!r}", file=sys.stderr)
        out["trafilatura"] = scorer.summary(scorer.score(items, bpreds))
    return out


def fmt(v: float | None) -> str:
    return "  -  " if v is None else f"{v:.3f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sets", nargs="+", default=list(SETS), choices=list(SETS))
    ap.add_argument("--no-baseline", action="store_true", help="newsbot only (trafilatura takes ~40 s on wcxb-dev)")
    ap.add_argument("--hashed-classes", action="store_true", help="replace every class/id value by a hash first")
    ap.add_argument("--rows", type=Path, help="write per-page rows (JSONL) here")
    ap.add_argument("--json", action="store_true", help="print the summaries as one JSON line last")
    a = ap.parse_args(argv)
    scorer = load_scorer()
    results = []
    for name in a.sets:
        try:
            results.append(evaluate(name, scorer, not a.no_baseline, a.hashed_classes))
        except FileNotFoundError as e:
            print(f"eval: skipping {name}: {e}", file=sys.stderr)
    print(f"{'set':10} {'extractor':12} {'P':>6} {'R':>6} {'F1':>6} {'with':>6} {'leak':>6} {'title':>6} {'date':>6}"
          f" {'empty':>6} {'AUC':>6} {'AUC*':>6} {'rho':>6}")
    for r in results:
        for who in ("newsbot", "trafilatura"):
            s = r.get(who)
            if not s:
                continue
            extra = (f" {r['empty']:>6} {fmt(r['auc']):>6} {fmt(r['auc_nonempty']):>6} {fmt(r['spearman']):>6}"
                     if who == "newsbot" else "")
            print(f"{r['set']:10} {who:12} {fmt(s['P']):>6} {fmt(s['R']):>6} {fmt(s['F1']):>6} {fmt(s['with']):>6} "
                  f"{fmt(s['leak']):>6} {fmt(s['title']):>6} {fmt(s['date']):>6}{extra}")
    sizes = ", ".join(f"{r['set']} {r['pages']}" for r in results)
    print(f"(pages per set: {sizes}; empty = newsbot pages with "
          f"no body; AUC = confidence telling bodies with F1 < {POOR_F1} from the rest, AUC* the same without the empty "
          f"bodies; rho = Spearman(conf, F1))")
    if a.rows:
        with a.rows.open("w", encoding="utf-8") as fh:
            for r in results:
                for row in r["rows"]:
                    fh.write(json.dumps({"set": r["set"], **row}, ensure_ascii=False) + "\n")
    if a.json:
        print(json.dumps([{k: v for k, v in r.items() if k != "rows"} for r in results]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
