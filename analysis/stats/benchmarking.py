"""HSE benchmarks as data: the YAML files in this folder (or a file of the user's own, same keys).

A ``kind: percentiles`` benchmark gives P20, P50 and P80 per scale and so the traffic-light bands;
a ``kind: means`` benchmark gives group means only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from ..paths import BENCHMARKS_DIR

BANDS = ("red", "yellow", "blue", "green")


def load_benchmark(benchmark: str | Path = "hse_organisational_136") -> dict:
    """Read a benchmark by name (a file in ``analysis/specs/benchmarks/``) or from a path.

    Examples
    --------
    >>> load_benchmark()["scales"]["hse_demands"]["p20"]
    2.9387
    """
    path = Path(benchmark)
    if not path.suffix:
        path = BENCHMARKS_DIR / f"{benchmark}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in BENCHMARKS_DIR.glob("*.yaml"))
        raise ValueError(f"no benchmark {str(benchmark)!r}; shipped: {known}, or give a YAML file's path")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def band(mean: float, cuts: dict) -> str:
    """Traffic-light band of a scale mean: red below P20, yellow below P50, blue below P80, green.

    Examples
    --------
    >>> band(3.0, {"p20": 3.1, "p50": 3.4, "p80": 3.7}), band(3.7, {"p20": 3.1, "p50": 3.4, "p80": 3.7})
    ('red', 'green')
    """
    if mean is None or np.isnan(mean):
        return "none"
    return BANDS[int(np.searchsorted([cuts["p20"], cuts["p50"], cuts["p80"]], mean, side="right"))]


def hse_benchmark(scores, benchmark="hse_organisational_136", by: str | None = None,
                  level: float = 0.95, threshold: int | None = None):
    """Each HSE scale's mean against a benchmark's percentiles, with its traffic-light band.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`analysis.score_wave` (joined with the grouping column when ``by``).
    benchmark : str, Path or dict
        A shipped benchmark name, a YAML file of the same form, or its parsed mapping
        (``kind: percentiles`` with ``scales: {hse_demands: {p20, p50, p80}, ...}``).
    by : str, optional
        Grouping column (e.g. ``nation``, ``sector``, ``role``); adds a ``group`` column.
    threshold : int, optional
        Disclosure threshold for groups (default :data:`analysis.disclosure.DEFAULT_THRESHOLD`).

    Returns
    -------
    DataFrame
        ``group`` (when ``by``), ``scale, n, mean, sd, conf_low, conf_high`` (t interval),
        ``p20, p50, p80, band``, and ``below_p20, below_p50, below_p80``: the share of
        respondents scoring strictly below each cut-off. Grouped rows resting on fewer respondents
        than the threshold are suppressed (see :mod:`analysis.disclosure`), as is the whole
        table when the wave itself is that small.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"hse_demands": [2.5, 3.0, 3.5, 2.0]})
    >>> hse_benchmark(s, threshold=3)[["scale", "mean", "band"]].values.tolist()
    [['hse_demands', 2.75, 'red']]
    >>> hse_benchmark(s)[["scale", "band"]].values.tolist()   # 4 respondents < 10: suppressed
    [['hse_demands', 'suppressed']]
    """
    import pandas as pd

    from .. import disclosure
    from .estimates import _levels, _mean_ci

    spec = benchmark if isinstance(benchmark, dict) else load_benchmark(benchmark)
    if spec.get("kind") != "percentiles":
        raise ValueError(f"benchmark {spec.get('id')!r} has no percentiles, so no bands; use a percentile benchmark")
    groups = [(None, scores)] if by is None else [(lv, scores[scores[by] == lv]) for lv in _levels(scores[by])]
    rows = []
    for lv, part in groups:
        for scale, cuts in spec["scales"].items():
            if scale not in part:
                continue
            x = part[scale].dropna().to_numpy(dtype=float)
            n = len(x)
            estimate = _mean_ci(x, level)  # n, mean, sd, conf_low, conf_high (t interval)
            row = ({"group": lv} if by else {}) | {"scale": scale} | estimate | {
                "p20": cuts["p20"], "p50": cuts["p50"], "p80": cuts["p80"], "band": band(estimate["mean"], cuts)}
            row |= {f"below_{k}": float((x < cuts[k]).mean()) if n else np.nan for k in ("p20", "p50", "p80")}
            rows.append(row)
    table = pd.DataFrame(rows)
    values = ["mean", "sd", "conf_low", "conf_high", "below_p20", "below_p50", "below_p80"]
    table = disclosure.suppress(table, n_column="n", value_columns=values,
                                threshold=disclosure.DEFAULT_THRESHOLD if threshold is None else threshold)
    table.loc[table["suppressed"] != "", "band"] = "suppressed"
    return table
