"""Descriptive summaries of scale scores and derived variables."""

from __future__ import annotations

import pandas as pd

from .derived import WorkingTime
from .instruments import load_instruments

SUMMARY_COLUMNS = ["variable", "label", "n", "n_missing", "mean", "sd", "p25", "median", "p75", "note"]

_DERIVED_LABELS = {
    "bme": "Black and minority ethnic (share)",
    "extra_hours_week": "Extra hours a week over contract",
    "extra_days_year": "Extra days a year over contract",
    "dissatisfied": "Dissatisfied with job (share, satisfaction 1-3)",
    "presenteeism_2plus": "Went to work ill at least twice in 12 months (share)",
}


def score_summary(scores: pd.DataFrame, working_time: WorkingTime | None = None) -> pd.DataFrame:
    """Summarise every score column: n, missing, mean, SD and quartiles.

    No minimum or maximum is reported: an extreme value can belong to one identifiable respondent.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`analysis.score_wave`.
    working_time : WorkingTime, optional
        The parameters used for ``extra_days_year`` (stated in its ``note``).

    Returns
    -------
    DataFrame
        Columns ``variable, label, n, n_missing, mean, sd, p25, median, p75, note``; SD with
        ``ddof=1``; quartiles by linear interpolation (R type 7).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"respondent_id": ["a", "b", "c"], "wave": ["1"] * 3, "pss4": [4.0, 8.0, None]})
    >>> score_summary(s)[["variable", "n", "mean"]].values.tolist()
    [['pss4', 2, 6.0]]
    """
    labels = {s.name: s.label for i in load_instruments() for s in i.scales} | _DERIVED_LABELS
    wt = working_time or WorkingTime()
    rows = []
    for col in scores.columns:
        if col in ("respondent_id", "wave"):
            continue
        x = scores[col].astype("float64")
        rows.append({
            "variable": col,
            "label": labels.get(col, col),
            "n": int(x.notna().sum()),
            "n_missing": int(x.isna().sum()),
            "mean": x.mean(),
            "sd": x.std(ddof=1),
            "p25": x.quantile(0.25),
            "median": x.median(),
            "p75": x.quantile(0.75),
            "note": wt.describe() if col == "extra_days_year" else "",
        })
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
