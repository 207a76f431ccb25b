#!/usr/bin/env python3
"""Fit the body finder's confidence model (newsbot/extract/confidence.py) on ../shared/wcxb-dev.

    python3 scripts/fit_confidence.py            # prints the cross-validated ROC AUC and the coefficients

Confidence is the probability that the body is good (F1 >= 0.8 against gold), from the signals the body finder
records for its choice (body.py `_signals`): a logistic model, L2-regularised, on standardised signals. Fitted on
the pages with a body (an empty body has its own low confidence), 5-fold cross-validated over 5 shuffles so the
AUC printed is the one to expect on pages the model never saw. Paste the printed `COEF`/`INTERCEPT` into
newsbot/extract/confidence.py when the signals change.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import eval as E  # noqa: E402  (benchmarks/eval.py: the shared scorer's loader)

from newsbot.extract import body as B  # noqa: E402
from newsbot.extract.confidence import LOG_SIGNALS, POOR_F1  # noqa: E402


def collect() -> list[tuple[dict[str, float], float]]:
    scorer = E.load_scorer()
    seen: dict[str, float] = {}
    real = B._confidence

    def capture(sig: dict[str, float]) -> float:
        seen.clear()
        seen.update(sig)
        return real(sig)

    B._confidence = capture
    rows = []
    items = scorer.load_gold(*E.SETS["wcxb-dev"])
    for g in items:
        seen.clear()
        pred = E.newsbot_predict(scorer.read_page(g["_page"]))
        if seen and (pred.get("body") or "").strip():
            rows.append((dict(seen), scorer.score([g], {g["_page"]: pred})[0]["F1"]))
    B._confidence = real
    return rows


def fit(x: np.ndarray, y: np.ndarray, l2: float = 2.0, steps: int = 3000, lr: float = 0.2) -> tuple[np.ndarray, float]:
    w, b = np.zeros(x.shape[1]), 0.0
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w + b)))
        w -= lr * (x.T @ (p - y) / len(y) + l2 * w / len(y))
        b -= lr * float((p - y).mean())
    return w, b


def main() -> int:
    rows = collect()
    keys = list(rows[0][0])
    x = np.array([[math.log1p(s[k]) if k in LOG_SIGNALS else s[k] for k in keys] for s, _ in rows])
    y = np.array([f1 >= POOR_F1 for _, f1 in rows], float)  # 1 = a good body
    mu, sd = x.mean(0), x.std(0) + 1e-9
    xs = (x - mu) / sd
    aucs = []
    for seed in range(5):
        idx = np.random.default_rng(seed).permutation(len(y))
        pred = np.zeros(len(y))
        for fold in np.array_split(idx, 5):
            w, b = fit(xs[np.setdiff1d(idx, fold)], y[np.setdiff1d(idx, fold)])
            pred[fold] = xs[fold] @ w + b
        auc = E.roc_auc(list(pred), list(y.astype(bool)))
        if auc is None:  # every page good, or every page poor: nothing to rank
            raise SystemExit("fit_confidence: the pages are all good or all poor: no ROC AUC")
        aucs.append(auc)
    w, b = fit(xs, y)
    coef = {k: round(float(w[i] / sd[i]), 4) for i, k in enumerate(keys)}
    intercept = round(float(b - sum(w[i] * mu[i] / sd[i] for i in range(len(keys)))), 4)
    print(f"{len(rows)} pages with a body, {int(len(y) - y.sum())} poor (F1 < {POOR_F1}); "
          f"cross-validated ROC AUC {min(aucs):.3f}-{max(aucs):.3f}")
    print("COEF =", json.dumps(coef))
    print("INTERCEPT =", intercept)
    return 0


if __name__ == "__main__":
    sys.exit(main())
