"""The body finder's confidence: the probability that the body it chose is good (F1 >= 0.8 against gold).

A logistic model over the signals body.py records for its choice (`_signals`): how much running prose was kept,
how much of the page's prose the chosen block holds, how clear its lead over the best block outside it is, how
much of it is furniture, lists, headings or links. The coefficients are data, fitted by scripts/fit_confidence.py
on ../shared/wcxb-dev (600+ sites; cross-validated ROC AUC about 0.79 on pages with a body). Refit them when
the signals change; a user filter such as `confidence >= 0.5` keeps its meaning across releases that way.
"""

from __future__ import annotations

import math

POOR_F1 = 0.8  # what the model calls a poor body
LOG_SIGNALS = frozenset({"chars", "kept_units", "mean_len"})  # counts enter the model as log(1 + x)

# fitted by scripts/fit_confidence.py (positive: more likely a good body)
COEF: dict[str, float] = {
    "chars": -0.1448, "sentence_share": 2.2489, "concentration": 5.8776, "rival": -4.9577, "named": 0.8569,
    "whole_page": 3.3108, "headline": 0.9488, "declared": 0.3881, "kept_units": -0.5131, "box_bad": -10.5194,
    "outside_sentences": 1.9364, "heading_share": 1.2687, "list_share": 4.369, "link_share": -0.8789,
    "mean_len": 0.2568, "depth": 0.1343,
}
INTERCEPT = -4.8167


def confidence(signals: dict[str, float]) -> float:
    z = INTERCEPT
    for name, weight in COEF.items():
        v = signals.get(name, 0.0)
        z += weight * (math.log1p(v) if name in LOG_SIGNALS else v)
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
