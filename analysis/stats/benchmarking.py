"""HSE scale means against benchmark norms, with traffic-light bands.

The benchmarks are data: YAML files in ``analysis/specs/benchmarks/`` (or a file of the user's
own, same keys), read by :func:`load_benchmark`. A ``kind: percentiles`` benchmark gives P20, P50
and P80 per scale and so the traffic-light bands (:func:`band`); a ``kind: means`` benchmark
gives group means only. :func:`hse_benchmark` sets a wave's (or each group's) scale means against
a percentile benchmark.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..arguments import as_names, check_call, checked
from ..deprecations import old_calls, warn
from ..disclosure import DEFAULT_THRESHOLD, PRIMARY, few_either_side, hidden_groups, suppress
from ..errors import Problem, fail
from ..labels import column_label
from ..measures.scoring import respondents
from ..paths import BENCHMARKS_DIR
from .intervals import levels, mean_ci

BANDS = ("red", "yellow", "blue", "green")


@checked(benchmark="path")
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
        fail("unknown benchmark", f"no benchmark {str(benchmark)!r}", f"use one of {known}, or give a YAML file's path",
             source="load_benchmark()", outcome="nothing was loaded")
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


def _old_order(args, kwargs):
    """0.1 called ``hse_benchmark(scores, benchmark, by, level, threshold)``: a benchmark (a name of
    a shipped one, a YAML path or a mapping) where the scales now go."""
    if len(args) >= 2 and _is_benchmark(args[1]):
        warn("hse_benchmark(data, benchmark, ...)", "pass benchmark= by keyword", stacklevel=4)
        names = ("benchmark", "by", "level", "threshold")
        return args[:1], dict(zip(names, args[1:])) | kwargs
    return args, kwargs


def _is_benchmark(value) -> bool:
    if isinstance(value, dict):
        return True
    if isinstance(value, (str, Path)):
        return Path(value).suffix in (".yaml", ".yml") or (BENCHMARKS_DIR / f"{value}.yaml").is_file()
    return False


@old_calls(convert=_old_order)
def hse_benchmark(data: pd.DataFrame, scales=None, *, by: str | None = None, benchmark="hse_organisational_136",
                  level: float = 0.95, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Each HSE scale's mean against a benchmark's percentiles, with its traffic-light band.

    Parameters
    ----------
    data : DataFrame or Wave
        Respondent-level data with the HSE scale scores (:func:`analysis.analysis_frame`).
        A loaded ``Wave`` is taken as ``analysis_frame(wave)``.
    scales : str or list of str, optional
        Default every scale of the benchmark that ``data`` has.
    by : str, optional
        Grouping column (e.g. ``nation``, ``sector``, ``role``); adds a ``group`` column.
    benchmark : str, Path or dict
        A shipped benchmark name, a YAML file of the same form, or its parsed mapping
        (``kind: percentiles`` with ``scales: {hse_demands: {p20, p50, p80}, ...}``).
    level : float
        Confidence level of the t intervals.
    threshold : int
        Disclosure threshold for groups.

    Returns
    -------
    DataFrame
        ``group`` (when ``by``), ``scale, label`` (from the instrument file), ``measure``
        (``"mean"``), ``n, estimate`` (the mean), ``std_error, sd, conf_low, conf_high`` (t
        interval), ``p20, p50, p80, band``, ``below_p20, below_p50, below_p80`` (the share of
        respondents scoring strictly below each cut-off) and ``suppressed``. Rows resting on
        fewer respondents than the threshold are suppressed (see :mod:`analysis.disclosure`),
        their band ``"suppressed"``. A category of ``by`` that no respondent chose has no rows
        (as in :func:`analysis.prevalence`): it is not a small group, so nothing is hidden.

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"hse_demands": [2.5, 3.0, 3.5, 2.0]})
    >>> hse_benchmark(s, threshold=3)[["scale", "label", "estimate", "band"]].values.tolist()
    [['hse_demands', 'Demands', 2.75, 'red']]
    >>> hse_benchmark(s)[["scale", "band"]].values.tolist()   # 4 respondents < 10: suppressed
    [['hse_demands', 'suppressed']]
    """
    data = respondents(data, "hse_benchmark()")
    spec = benchmark if isinstance(benchmark, dict) else load_benchmark(benchmark)
    if spec.get("kind") != "percentiles":
        fail("bad argument", f"benchmark {spec.get('id')!r} has no percentiles, so no bands",
             "use a percentile benchmark (e.g. hse_organisational_136)", source="hse_benchmark()")
    scales = as_names(scales, "scales", "hse_benchmark()") or [s for s in spec["scales"] if s in data]
    unbenchmarked = [s for s in scales if s not in spec["scales"]]
    problems = [Problem("unknown scale", s, f"the benchmark {spec.get('id')!r} has no figures for '{s}'",
                        f"use scales of the benchmark: {list(spec['scales'])}") for s in unbenchmarked]
    threshold = check_call("hse_benchmark()", data, columns={"scale": scales, "by": [by] if by else []},
                           level=level, threshold=threshold, problems=problems)
    groups = [(None, data)] if by is None else [(lv, data[data[by] == lv]) for lv in levels(data[by])]
    groups = [(lv, part) for lv, part in groups if lv is None or len(part)]  # a category nobody chose is no group
    rows = []
    for lv, part in groups:
        for scale in scales:
            cuts = spec["scales"][scale]
            x = part[scale].dropna().to_numpy(dtype=float)
            estimate = mean_ci(x, level)
            row = ({"group": lv} if by else {}) | {"scale": scale, "label": column_label(scale),
                                                   "measure": "mean"} | estimate | {
                "p20": cuts["p20"], "p50": cuts["p50"], "p80": cuts["p80"], "band": band(estimate["estimate"], cuts)}
            row |= {f"below_{k}": float((x < cuts[k]).mean()) if len(x) else np.nan for k in CUTS}
            rows.append(row)
    table = pd.DataFrame(rows)
    marks = _marks(table, data, by, scales, spec, threshold)
    values = ["estimate", "std_error", "sd", "conf_low", "conf_high", *(f"below_{k}" for k in CUTS)]
    table = suppress(table.assign(suppressed=marks), n_column="n", value_columns=values, threshold=threshold)
    _hide_small_shares(table, data, by, scales, spec, threshold)
    table.loc[table["suppressed"] != "", "band"] = "suppressed"
    table.attrs["by"] = by
    return table


#: The benchmark's cut-offs, each with the share of respondents below it.
CUTS = ("p20", "p50", "p80")


def _marks(table: pd.DataFrame, data: pd.DataFrame, by, scales: list, spec: dict, threshold: int) -> list:
    """A row rests on too few respondents, or its group is hidden by the run's plan
    (:func:`analysis.disclosure.hidden_groups`, the same groups as every other table)."""
    marks = np.where(table["n"] < threshold, PRIMARY, "").astype(object)
    if by is not None:
        plans = {scale: hidden_groups(data, by, scale, threshold=threshold) for scale in scales}
        for i, (group, scale) in enumerate(zip(table["group"], table["scale"])):
            marks[i] = plans[scale].get(group, marks[i])
    return list(marks)


def _hide_small_shares(table: pd.DataFrame, data: pd.DataFrame, by, scales: list, spec: dict,
                       threshold: int) -> None:
    """Blank the shares below a cut-off that rest on a few people: below (or at or above) the
    cut-off is a 0/1 answer, hidden by the same plan as any share (1 to ``threshold - 1`` on
    either side, with partners against the overall share)."""
    for k in CUTS:
        column = f"below_{k}"
        for scale in scales:
            below = (data[scale] < spec["scales"][scale][k]).astype(float).where(data[scale].notna())
            rows = (table["scale"] == scale).to_numpy()
            if by is None:
                hide = few_either_side(below.sum(), below.notna().sum(), threshold)
                table.loc[rows & hide, column] = np.nan
                continue
            plan = hidden_groups(data.assign(_below=below), by, "_below", threshold=threshold, binary=True)
            table.loc[rows & table["group"].isin(list(plan)).to_numpy(), column] = np.nan
