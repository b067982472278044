"""Red / amber / green flags for the health check indicators, from cut-offs held in YAML.

The shipped cut-offs (``thresholds.yaml``, ``status: example``) are ILLUSTRATIVE EXAMPLES, not
standards; every flagged table carries a ``threshold_status`` column saying so. Users pass a file
of their own (``status: local``).

Cut-offs are inclusive: a value equal to a cut-off takes the worse flag. Where higher is worse,
red when value >= red, else amber when value >= amber, else green; where lower is worse, red when
value <= red, else amber when value <= amber, else green. A missing value is "no data". Values are
compared after rounding to 9 decimal places, so that 0.1 computed as 3 / 30 counts as at a 0.10
cut-off whatever the floating-point error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...arguments import as_table
from ...errors import Problem, SurveyDataError
from ...specs import check_against_schema
from .spec import THRESHOLDS_FILE, THRESHOLDS_SCHEMA_FILE, _read_yaml, load_definitions

FLAGS = ("red", "amber", "green", "no data")
#: Decimal places values are rounded to before comparison with a cut-off.
COMPARE_DECIMALS = 9
#: What a table says about cut-offs with ``status: example``.
EXAMPLE_NOTE = "illustrative example cut-offs, not standards"


@dataclass(frozen=True)
class Thresholds:
    """Validated cut-offs.

    Attributes
    ----------
    cuts : dict
        Indicator -> ``{"higher_is_worse": bool, "amber": float, "red": float}``, in the file's order.
    status : str
        ``"example"`` (illustrative, the shipped file) or ``"local"`` (agreed locally).
    note : str
    source : str
        File name, or ``"<dict>"``.
    """

    cuts: dict = field(default_factory=dict)
    status: str = "example"
    note: str = ""
    source: str = ""

    @property
    def is_example(self) -> bool:
        return self.status == "example"


def load_thresholds(thresholds=None) -> Thresholds:
    """Read and check cut-offs: the shipped example file (default), a YAML path, a parsed mapping
    of the same form, or a :class:`Thresholds` (returned as is).

    Every problem is reported at once in a :class:`~analysis.errors.SurveyDataError`: keys the
    schema (``analysis/specs/schemas/health_check_thresholds.schema.yaml``) does not allow, indicators
    that do not exist, and cut-offs in the wrong order for their direction.

    Examples
    --------
    >>> t = load_thresholds()
    >>> t.status, t.cuts["vacancy_rate"]
    ('example', {'higher_is_worse': True, 'amber': 0.1, 'red': 0.2})
    """
    if isinstance(thresholds, Thresholds):
        return thresholds
    if isinstance(thresholds, dict):
        raw, source = thresholds, "<dict>"
    else:
        path = Path(thresholds) if thresholds is not None else THRESHOLDS_FILE
        if not path.exists():
            raise SurveyDataError([Problem("missing file", None, f"no thresholds file at {path}", "check the path")],
                                  source=path.name)
        raw, source = _read_yaml(path, "bad thresholds"), path.name
    check_against_schema(raw, THRESHOLDS_SCHEMA_FILE, source, "bad thresholds")
    known = load_definitions()
    problems = []
    for name, cut in raw["indicators"].items():
        if name not in known:
            problems.append(Problem(
                "bad thresholds", name, "not an indicator the health check computes",
                f"use the indicator names: {', '.join(known)}"))
            continue
        worse_high = cut["higher_is_worse"]
        if (worse_high and cut["red"] < cut["amber"]) or (not worse_high and cut["red"] > cut["amber"]):
            side = "at or above" if worse_high else "at or below"
            problems.append(Problem(
                "bad thresholds", name,
                f"red cut-off {cut['red']:g} and amber cut-off {cut['amber']:g} are in the wrong order for "
                f"higher_is_worse: {str(worse_high).lower()} (red must be {side} amber)",
                "swap the two cut-offs, or correct higher_is_worse"))
    if problems:
        raise SurveyDataError(problems, source=source)
    cuts = {k: {"higher_is_worse": bool(v["higher_is_worse"]), "amber": float(v["amber"]), "red": float(v["red"])}
            for k, v in raw["indicators"].items()}
    return Thresholds(cuts=cuts, status=raw["status"], note=" ".join(raw["note"].split()), source=source)


def flag_value(value: float, cut: dict) -> str:
    """The flag of one value against one indicator's cut-offs (inclusive).

    Examples
    --------
    >>> cut = {"higher_is_worse": True, "amber": 0.1, "red": 0.2}
    >>> [flag_value(v, cut) for v in (0.05, 0.1, 0.2, float("nan"))]
    ['green', 'amber', 'red', 'no data']
    """
    if value is None or np.isnan(value):
        return "no data"
    v = round(float(value), COMPARE_DECIMALS)
    if cut["higher_is_worse"]:
        return "red" if v >= cut["red"] else "amber" if v >= cut["amber"] else "green"
    return "red" if v <= cut["red"] else "amber" if v <= cut["amber"] else "green"


#: The flag of a service's total of a team count (see :func:`summed_indicators`).
NOT_APPLICABLE = "not applicable"


def summed_indicators() -> set:
    """Indicators whose service figure is a total over teams (a recorded count, or a difference
    without a weight), so that a team's cut-offs say nothing about it: flagged
    :data:`NOT_APPLICABLE` in a service table.

    Examples
    --------
    >>> sorted(summed_indicators())
    ['unallocated_change_12m', 'unallocated_now']
    """
    return {name for name, d in load_definitions().items()
            if d["formula"] == "value" or (d["formula"] == "difference" and not d.get("weight"))}


def flag(indicators: pd.DataFrame, thresholds=None) -> pd.DataFrame:
    """Add a ``<indicator>_flag`` column after each indicator that has cut-offs.

    Parameters
    ----------
    indicators : DataFrame
        :func:`~analysis.studies.health_check.indicators` (one row per team) or
        :func:`~analysis.studies.health_check.service_indicators` (one row per service).
    thresholds : str, Path, dict or Thresholds, optional
        Default: the shipped ILLUSTRATIVE EXAMPLE cut-offs (see :func:`load_thresholds`).

    Returns
    -------
    DataFrame
        The input's columns, each flagged indicator followed by its ``<indicator>_flag``
        ("red", "amber", "green" or "no data"; cut-offs inclusive), and a last column
        ``threshold_status`` ("example" or "local"). In a service table (one with ``n_teams``),
        the totals of team counts (:func:`summed_indicators`) are flagged "not applicable".

    Examples
    --------
    >>> t = pd.DataFrame({"team": ["A", "B"], "service": ["S", "S"], "vacancy_rate": [0.2, float("nan")]})
    >>> flag(t)[["vacancy_rate_flag", "threshold_status"]].values.tolist()
    [['red', 'example'], ['no data', 'example']]
    """
    indicators = as_table(indicators, "flag()", holds="indicators", role="indicators")
    thr = load_thresholds(thresholds)
    out = indicators.copy()
    service_totals = summed_indicators() if "n_teams" in out.columns else set()
    for name, cut in thr.cuts.items():
        if name not in out.columns:
            continue
        if name in service_totals:  # a service's total of a team count: the team cut-offs do not apply
            flags = [NOT_APPLICABLE] * len(out)
        else:
            flags = [flag_value(v, cut) for v in pd.to_numeric(out[name]).to_numpy(dtype="float64", na_value=np.nan)]
        if f"{name}_flag" in out.columns:
            out[f"{name}_flag"] = flags
        else:
            out.insert(out.columns.get_loc(name) + 1, f"{name}_flag", flags)
    out["threshold_status"] = thr.status
    out.attrs = {**indicators.attrs, "thresholds": {"status": thr.status, "note": thr.note, "source": thr.source}}
    return out


def flags_long(indicators: pd.DataFrame, thresholds=None, reasons: pd.DataFrame | None = None) -> pd.DataFrame:
    """The flags as a tidy table, one row per team (or service) and indicator: the comparison
    table, and what :func:`analysis.outputs.plots.plot_health_check` draws.

    Parameters
    ----------
    indicators : DataFrame
        :func:`~analysis.studies.health_check.indicators` or :func:`~analysis.studies.health_check.service_indicators`
        (flagged or not; flags are recomputed with ``thresholds``).
    thresholds : str, Path, dict or Thresholds, optional
        Default: the shipped ILLUSTRATIVE EXAMPLE cut-offs.
    reasons : DataFrame, optional
        :func:`~analysis.studies.health_check.indicator_reasons`, to say why a value is missing.

    Returns
    -------
    DataFrame
        ``team`` (when the input has it), ``service, indicator, label, unit, value, flag,
        amber_cut, red_cut, higher_is_worse, threshold_status`` and ``reason`` (empty where there
        is a value; why there is none, from ``reasons``, else "no value"). Rows: the input's
        order, then the thresholds' indicator order.

    Examples
    --------
    >>> t = pd.DataFrame({"team": ["A"], "service": ["S"], "supervision_ratio": [0.75]})
    >>> flags_long(t)[["indicator", "value", "flag", "red_cut", "threshold_status"]].values.tolist()
    [['supervision_ratio', 0.75, 'red', 0.75, 'example']]
    """
    indicators = as_table(indicators, "flags_long()", holds="indicators", role="indicators")
    if reasons is not None:
        reasons = as_table(reasons, "flags_long()", holds="indicators", role="reasons")
    thr = load_thresholds(thresholds)
    definitions = load_definitions()
    keys = ["team", "service"] if "team" in indicators.columns else ["service"]
    names = [n for n in thr.cuts if n in indicators.columns]
    why = {}
    if reasons is not None and len(reasons):
        why = {(row[keys[0]], row["indicator"]): row["reason"] for _, row in reasons.iterrows()}
    rows = []
    for _, row in indicators.iterrows():
        for name in names:
            cut, value = thr.cuts[name], float(row[name]) if pd.notna(row[name]) else np.nan
            rows.append({k: row[k] for k in keys} | {
                "indicator": name, "label": definitions[name]["label"], "unit": definitions[name]["unit"],
                "value": value, "flag": flag_value(value, cut), "amber_cut": cut["amber"], "red_cut": cut["red"],
                "higher_is_worse": cut["higher_is_worse"], "threshold_status": thr.status,
                "reason": "" if not np.isnan(value) else why.get((row[keys[0]], name), "no value")})
    columns = keys + ["indicator", "label", "unit", "value", "flag", "amber_cut", "red_cut", "higher_is_worse",
                      "threshold_status", "reason"]
    out = pd.DataFrame(rows, columns=columns)
    out.attrs = {**indicators.attrs, "thresholds": {"status": thr.status, "note": thr.note, "source": thr.source}}
    return out
