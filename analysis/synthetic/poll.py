"""A synthetic union member poll, from ``params/union_poll.yaml`` with a fixed seed.

1. Roles and employers as exact counts from the published shares, shuffled.
2. For each rated item, a few blanks at the stated rate; the other answers as exact counts (largest
   remainders) from ``p(answer) ~ exp(b x points)``, with ``b`` solved so the expected points give
   the item's target score; shuffled. Target scores follow the published order (top five, lowest
   three) and are spaced so that the realised order is the published one.
3. Barriers: the stated number of respondents answer the question; each option is ticked by exactly
   ``round(share x n_answered)`` of them.

No real respondent, ever: ids are ``P-001`` ... and nothing else identifies anyone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import optimize

from ..studies.priorities import load_poll_spec
from .waves import PARAMS_DIR, exact_shares


def load_poll_params() -> dict:
    """The synthetic poll's parameters."""
    return yaml.safe_load((PARAMS_DIR / "union_poll.yaml").read_text(encoding="utf-8"))


def answer_shares(points: dict, score: float) -> dict:
    """Answer probabilities ``p ~ exp(b x points)`` whose expected points are ``score`` % of the top.

    Examples
    --------
    >>> p = answer_shares({"high": 3, "medium": 2, "low": 1, "dont_agree": 0}, 75.0)
    >>> round(float(sum(p[k] * v for k, v in {"high": 3, "medium": 2, "low": 1, "dont_agree": 0}.items())) / 3, 6)
    0.75
    """
    keys = list(points)
    x = np.array([points[k] for k in keys], dtype=float)
    target = score / 100 * x.max()

    def mean(b):
        w = np.exp(b * (x - x.max()))
        return float((w * x).sum() / w.sum()) - target

    b = optimize.brentq(mean, -50, 50, xtol=1e-12)
    w = np.exp(b * (x - x.max()))
    return dict(zip(keys, w / w.sum()))


def generate_poll(params: dict | None = None) -> pd.DataFrame:
    """The synthetic poll: one row per respondent, canonical columns of ``analysis/specs/polls/union_poll.yaml``.

    Examples
    --------
    >>> d = generate_poll()
    >>> len(d), d["respondent_id"].iloc[0], sorted(d["core_06"].dropna().unique())
    (105, 'P-001', ['dont_agree', 'high', 'low', 'medium'])
    """
    p = params or load_poll_params()
    spec = load_poll_spec("union_poll")
    rng = np.random.default_rng(p["seed"])
    n = p["n"]
    cols = {"respondent_id": [f"P-{i:03d}" for i in range(1, n + 1)],
            "role": exact_shares(p["roles"], n, rng), "employer": exact_shares(p["employer"], n, rng)}
    blanks = int(round(p["no_answer_rate"] * n))
    for group in spec.rated:
        for item in spec.items(group):
            answers = np.full(n, None, dtype=object)
            who = rng.permutation(n)[blanks:]
            answers[who] = exact_shares(answer_shares(spec.points, p["scores"][group][item]), len(who), rng)
            cols[item] = answers
    options = spec.multi_select["barriers"]["options"]
    answered = np.zeros(n, dtype=bool)
    answered[rng.permutation(n)[: p["barriers"]["n_answered"]]] = True
    m = int(answered.sum())
    for option in options:
        ticks = np.zeros(m)
        ticks[rng.permutation(m)[: int(round(p["barriers"]["shares"][option] * m))]] = 1.0
        column = np.full(n, np.nan)
        column[answered] = ticks
        cols[option] = column
    frame = pd.DataFrame(cols)
    frame.attrs["synthetic"] = True
    return frame


def write_poll(directory) -> list[Path]:
    """Write ``union_poll.csv`` and its ``union_poll.meta.yaml`` (``synthetic: true``)."""
    out = Path(directory)
    p = load_poll_params()
    data = generate_poll(p)
    csv = out / "union_poll.csv"
    data.to_csv(csv, index=False, lineterminator="\n", float_format="%.10g")
    meta = out / "union_poll.meta.yaml"
    meta.write_text(yaml.safe_dump({"synthetic": True, "description": " ".join(p["description"].split()),
                                    "generator": f"analysis/synthetic/params/union_poll.yaml (seed {p['seed']})",
                                    "command": "python -m analysis synthetic"}, sort_keys=False, width=100),
                    encoding="utf-8")
    return [csv, meta]
