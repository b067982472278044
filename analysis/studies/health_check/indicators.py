"""Team and service indicators from a loaded workload health check.

Each indicator is defined in ``indicators.yaml`` (a ratio, a difference or a value of template
fields). A team's indicator is missing (NaN, not an error) when a field it needs is not recorded
or its denominator is zero; :func:`indicator_reasons` says which. Service figures are computed
from summed numerators and denominators over the service's teams, never as means of the teams'
ratios, so a large team counts for more than a small one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...arguments import as_path
from .loading import HealthCheck, load_health_check
from .spec import load_definitions

#: Default band around no change within which a trend is "steady": 10 % of the earlier count.
STEADY_WITHIN = 0.10


def _frame(data, caller: str) -> pd.DataFrame:
    """The checked team table: a HealthCheck's data, or a file or DataFrame checked by the loader."""
    if isinstance(data, HealthCheck):
        return data.data
    return load_health_check(as_path(data, caller, "data", tables=True)).data


def _col(frame: pd.DataFrame, name: str) -> np.ndarray:
    return frame[name].to_numpy(dtype="float64", na_value=np.nan)


def _inputs(d: dict) -> list[str]:
    keys = {"ratio": ("numerator", "denominator"), "difference": ("minuend", "subtrahend"), "value": ("field",)}
    return [d[k] for k in keys[d["formula"]]]


def _team_indicator(frame: pd.DataFrame, d: dict) -> tuple[np.ndarray, list]:
    """Values and, where missing, why (None where there is a value)."""
    inputs = [_col(frame, f) for f in _inputs(d)]
    absent = [np.isnan(x) for x in inputs]
    if d["formula"] == "ratio":
        num, den = inputs
        zero = ~absent[1] & (den == 0)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(absent[0] | absent[1] | zero, np.nan, num / np.where(zero, 1.0, den))
    elif d["formula"] == "difference":
        value = inputs[0] - inputs[1]
        zero = np.zeros(len(frame), dtype=bool)
    else:
        value = inputs[0].copy()
        zero = np.zeros(len(frame), dtype=bool)
    names = _inputs(d)
    reasons = []
    for i in range(len(frame)):
        gone = [n for n, a in zip(names, absent) if a[i]]
        if gone:
            reasons.append(f"{' and '.join(gone)} not recorded")
        elif zero[i]:
            reasons.append(f"{names[1]} is zero")
        else:
            reasons.append(None)
    return value, reasons


def _trend(change: np.ndarray, base: np.ndarray, steady_within: float) -> list[str]:
    band = steady_within * np.abs(np.nan_to_num(base))
    return ["no data" if np.isnan(c) else "rising" if c > b else "falling" if c < -b else "steady"
            for c, b in zip(change, band)]


def indicators(data, steady_within: float = STEADY_WITHIN) -> pd.DataFrame:
    """One row per team: its service and every indicator.

    Parameters
    ----------
    data : HealthCheck or DataFrame
        :func:`~analysis.studies.health_check.load_health_check` output, or a table of the template's
        columns (checked by the loader first, so a bad value gives a clear error).
    steady_within : float
        For ``unallocated_trend``: a change within this share of the count 12 months ago
        (default 0.10) is "steady".

    Returns
    -------
    DataFrame
        ``team, service``, then (definitions in ``analysis/studies/health_check/indicators.yaml``):

        - ``vacancy_rate``: vacancies_fte / staff_fte_establishment (0-1)
        - ``agency_share``: agency_fte / staff_fte_establishment (0-1; of the establishment, not
          of staff in post)
        - ``turnover_12m``: leavers_12m / average_fte_12m (both FTE)
        - ``cases_per_fte``: open_cases / case_holding_fte
        - ``hours_over_contract``: mean_weekly_hours - contracted_weekly_hours (hours a week)
        - ``toil_hours_per_fte``: toil_hours_untaken / staff_fte_in_post
        - ``supervision_ratio``: supervision_sessions_held_12m / supervision_sessions_policy_12m
          (1 = as the policy requires)
        - ``cpd_cancellation_rate``: cpd_events_cancelled_12m / cpd_events_booked_12m (0-1)
        - ``unallocated_now``: unallocated_cases_now
        - ``unallocated_change_12m``: unallocated_cases_now - unallocated_cases_12m_ago, and
          ``unallocated_trend``: "rising" (change above ``steady_within`` times the count 12
          months ago), "falling" (below minus that), "steady", or "no data"
        - ``sickness_days_per_fte``: sickness_days_12m / staff_fte_in_post

        NaN where a field is not recorded or a denominator is zero (see
        :func:`indicator_reasons`). ``attrs["synthetic"]`` is carried over. No free text.

    Examples
    --------
    >>> d = pd.DataFrame({"team": ["North"], "service": ["Adults"], "staff_fte_establishment": [10.0],
    ...                   "vacancies_fte": [2.5], "unallocated_cases_now": [12], "unallocated_cases_12m_ago": [8]})
    >>> t = indicators(d)
    >>> t[["vacancy_rate", "unallocated_change_12m"]].values.tolist(), t.at[0, "unallocated_trend"]
    ([[0.25, 4.0]], 'rising')
    >>> bool(np.isnan(t.loc[0, "cases_per_fte"]))
    True
    """
    frame = _frame(data, "indicators()")
    out = frame[["team", "service"]].copy()
    for name, d in load_definitions().items():
        out[name] = _team_indicator(frame, d)[0]
        if d.get("trend"):
            out[d["trend"]] = _trend(out[name].to_numpy(), _col(frame, d["subtrahend"]), steady_within)
    out.attrs = {"synthetic": bool(frame.attrs.get("synthetic", False))}
    return out


def indicator_reasons(data) -> pd.DataFrame:
    """Why each missing team indicator is missing.

    Returns
    -------
    DataFrame
        ``team, service, indicator, reason`` (e.g. "case_holding_fte not recorded",
        "supervision_sessions_policy_12m is zero"), one row per missing indicator, in team
        order then indicator order; no rows when nothing is missing.

    Examples
    --------
    >>> d = pd.DataFrame({"team": ["North"], "service": ["Adults"], "open_cases": [40],
    ...                   "case_holding_fte": [0.0]})
    >>> indicator_reasons(d).query("indicator == 'cases_per_fte'")["reason"].tolist()
    ['case_holding_fte is zero']
    """
    frame = _frame(data, "indicator_reasons()")
    rows = []
    found = {name: _team_indicator(frame, d)[1] for name, d in load_definitions().items()}
    for i in range(len(frame)):
        for name, reasons in found.items():
            if reasons[i] is not None:
                rows.append({"team": frame.at[i, "team"], "service": frame.at[i, "service"],
                             "indicator": name, "reason": reasons[i]})
    return pd.DataFrame(rows, columns=["team", "service", "indicator", "reason"])


def _service_indicator(part: pd.DataFrame, d: dict) -> tuple[float, int, float]:
    """(value, teams used, base for a trend) for one service."""
    names = _inputs(d) + ([d["weight"]] if d.get("weight") else [])
    cols = [_col(part, n) for n in names]
    used = np.logical_and.reduce([~np.isnan(c) for c in cols])
    n = int(used.sum())
    if n == 0:
        return np.nan, 0, np.nan
    cols = [c[used] for c in cols]
    if d["formula"] == "ratio":
        den = cols[1].sum()
        return (cols[0].sum() / den if den != 0 else np.nan), n, np.nan
    if d["formula"] == "difference":
        if d.get("weight"):
            w = cols[2].sum()
            return (np.sum(cols[2] * (cols[0] - cols[1])) / w if w != 0 else np.nan), n, np.nan
        return float(np.sum(cols[0] - cols[1])), n, float(cols[1].sum())
    return float(cols[0].sum()), n, np.nan


def service_indicators(data, steady_within: float = STEADY_WITHIN) -> pd.DataFrame:
    """One row per service: the indicators over its teams, from summed inputs.

    Ratios are the sum of the numerators over the sum of the denominators, over the teams that
    recorded both (e.g. vacancy rate = total vacant FTE / total establishment FTE), never the mean
    of the teams' ratios. ``hours_over_contract`` is the mean of the teams' differences weighted by
    staff in post (FTE): sum(fte x difference) / sum(fte). ``unallocated_now`` is the total, and
    ``unallocated_change_12m`` the total change (sum now - sum 12 months ago, over teams with both),
    with its trend label from the totals.

    The example cut-offs are set for teams: counts (``unallocated_now``,
    ``unallocated_change_12m``) summed over a service are not comparable with a team's cut-offs,
    so flag a service table with cut-offs of its own.

    Parameters
    ----------
    data : HealthCheck or DataFrame
        As for :func:`indicators`.
    steady_within : float
        As for :func:`indicators`.

    Returns
    -------
    DataFrame
        ``service, n_teams``, the indicators and ``unallocated_trend`` as in :func:`indicators`,
        then ``<indicator>_n_teams``: how many teams each figure rests on. Services in order of
        first appearance. NaN where no team recorded the inputs or the summed denominator is zero.

    Examples
    --------
    >>> d = pd.DataFrame({"team": ["A", "B"], "service": ["S", "S"], "staff_fte_establishment": [10.0, 30.0],
    ...                   "vacancies_fte": [5.0, 3.0]})
    >>> s = service_indicators(d)   # (5 + 3) / (10 + 30), not the mean of 0.5 and 0.1
    >>> float(s.at[0, "vacancy_rate"]), int(s.at[0, "vacancy_rate_n_teams"])
    (0.2, 2)
    """
    frame = _frame(data, "service_indicators()")
    rows = []
    for service in pd.unique(frame["service"]):
        part = frame[(frame["service"] == service).to_numpy(dtype=bool)]
        row = {"service": service, "n_teams": len(part)}
        counts = {}
        for name, d in load_definitions().items():
            value, n, base = _service_indicator(part, d)
            row[name] = value
            if d.get("trend"):
                row[d["trend"]] = _trend(np.array([value]), np.array([base]), steady_within)[0]
            counts[f"{name}_n_teams"] = n
        rows.append(row | counts)
    out = pd.DataFrame(rows)
    out.attrs = {"synthetic": bool(frame.attrs.get("synthetic", False))}
    return out
