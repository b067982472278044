"""Descriptive summaries: who answered (:func:`sample_profile`) and how the scale scores and
derived variables are distributed (:func:`score_summary`), disclosure-controlled.

These give several statistics of one variable per row, so they keep the statistics' own names
(``mean, sd, p25, median, p75``; ``n, share``) rather than one ``estimate`` column; they follow
the rest of the results schema (:mod:`analysis.stats.results`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..arguments import as_names, as_table, check_call
from ..deprecations import old_calls
from ..disclosure import DEFAULT_THRESHOLD, NOT_ANSWERED, PRIMARY, few_either_side, hidden_groups, suppress
from ..errors import SHOW, Problem
from ..labels import column_label
from ..measures.derived import WorkingTime
from ..measures.scoring import respondents, score_wave
from ..reading.dictionary import load_dictionary

SUMMARY_COLUMNS = ["variable", "label", "n", "n_missing", "mean", "sd", "p25", "median", "p75", "suppressed", "note"]



@old_calls(positional=("working_time", "threshold"))
def score_summary(data: pd.DataFrame, *, working_time: WorkingTime | None = None,
                  threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Summarise every score column: n, missing, mean, SD and quartiles.

    No minimum or maximum is reported: an extreme value can belong to one identifiable respondent.

    Parameters
    ----------
    data : DataFrame or Wave
        Output of :func:`analysis.score_wave` (or any table of scores; ``respondent_id`` and
        ``wave`` are left out). A loaded ``Wave`` is taken as ``score_wave(wave)``; a column
        that is not numeric (a category such as ``sector``) is refused, naming it.
    working_time : WorkingTime, optional
        The parameters used for ``extra_days_year`` (stated in its ``note``).
    threshold : int
        Disclosure threshold: a 0/1 variable (a share, such as ``bme``) where fewer than this
        many respondents have a 1, or a 0, shows no mean, SD or quartiles (``suppressed`` is
        ``"primary"`` and its note says why), since the share would give the count away.

    Returns
    -------
    DataFrame
        Columns ``variable, label, n, n_missing, mean, sd, p25, median, p75, suppressed, note``;
        SD with ``ddof=1``; quartiles by linear interpolation (R type 7).

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"respondent_id": ["a", "b", "c"], "wave": ["1"] * 3, "pss4": [4.0, 8.0, None]})
    >>> score_summary(s)[["variable", "n", "mean"]].values.tolist()
    [['pss4', 2, 6.0]]
    """
    data = as_table(data, "score_summary()", from_wave=score_wave)
    limit = check_call("score_summary()", data, threshold=threshold, problems=_not_scores(data))
    wt = working_time or WorkingTime()
    rows = []
    for col in data.columns:
        if col in ("respondent_id", "wave"):
            continue
        x = data[col].astype("float64")
        answered = x.dropna()
        few = (set(pd.unique(answered)) <= {0.0, 1.0}
               and few_either_side(float(answered.sum()), len(answered), limit))
        rows.append({
            "variable": col,
            "label": column_label(col),
            "n": int(x.notna().sum()),
            "n_missing": int(x.isna().sum()),
            "mean": x.mean(),
            "sd": x.std(ddof=1),
            "p25": x.quantile(0.25),
            "median": x.median(),
            "p75": x.quantile(0.75),
            "suppressed": "primary" if few else "",
            "note": (f"fewer than {limit} respondents on one side of this share" if few
                     else wt.describe() if col == "extra_days_year" else ""),
        })
        if few:
            rows[-1].update(dict.fromkeys(("n", "mean", "sd", "p25", "median", "p75"), np.nan))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def _not_scores(data: pd.DataFrame) -> list[Problem]:
    """The problem with columns that hold no numbers (categories, text): they have no mean."""
    other = [c for c in data.columns if c not in ("respondent_id", "wave")
             and (not pd.api.types.is_numeric_dtype(data[c]) or pd.api.types.is_bool_dtype(data[c]))]
    if not other:
        return []
    return [Problem("not a score", None,
                    f"columns {other[:SHOW]}{' ...' if len(other) > SHOW else ''} hold categories or text, "
                    "not scores: score_summary() summarises numbers",
                    "pass score_wave(wave), or the score columns only (e.g. frame[['pss4', 'hse_demands']]); "
                    "describe categories with sample_profile()", values=tuple(other[:SHOW]), n_values=len(other),
                    place="")]


#: The respondent characteristics a sample profile describes, when present.
PROFILE_VARIABLES = ["nation", "sector", "role", "employer", "gender", "age_band", "ethnicity"]



@old_calls(positional=("threshold",))
def sample_profile(data: pd.DataFrame, variables=None, *, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Who answered: counts and shares of each category of each characteristic (or of each answer
to a coded question, such as presenteeism), disclosure-controlled.

    Parameters
    ----------
    data : DataFrame or Wave
        Respondent-level data (:func:`analysis.analysis_frame`).
        A loaded ``Wave`` is taken as ``analysis_frame(wave)``.
    variables : str or list of str, optional
        Default the :data:`PROFILE_VARIABLES` present in ``data``.
    threshold : int
        Disclosure threshold.

    Returns
    -------
    DataFrame
        ``variable, category, n, share, suppressed``: one row per category someone chose
        (dictionary order for categoricals, sorted otherwise), a row ``(not answered)`` when anyone skipped the question,
        and a row ``All`` (every respondent). Coded columns of the data dictionary (e.g.
        ``job_satisfaction``) are shown by their answer labels, in code order. ``share`` is of those who answered (none for the
        not-answered and total rows). Categories with fewer than ``threshold`` respondents are
        suppressed, and further categories where a total would give one away
        (:func:`analysis.disclosure.suppress` with ``by=["variable", "category"]``).

    Examples
    --------
    >>> d = pd.DataFrame({"sector": ["adults"] * 30 + ["children_families"] * 25 + ["other"] * 4})
    >>> sample_profile(d)[["category", "n", "suppressed"]].values.tolist()
    [['adults', 30.0, ''], ['children_families', nan, 'secondary'], ['other', nan, 'primary'], ['All', 59.0, '']]
    >>> sample_profile(pd.DataFrame({"intend_leave_job": [0.0] * 12 + [1.0] * 15}), ["intend_leave_job"])["category"].tolist()
    ['No', 'Yes', 'All']
    """
    data = respondents(data, "sample_profile()")
    dictionary = load_dictionary()
    variables = as_names(variables, "variables", "sample_profile()") or [v for v in PROFILE_VARIABLES
                                                                         if v in data.columns]
    check_call("sample_profile()", data, columns={"variable": variables}, threshold=threshold)
    rows = []
    for var in variables:
        x = _as_categories(data[var], (dictionary[var] if var in dictionary else None))
        counts = x.value_counts(sort=False, dropna=True)
        if not isinstance(x.dtype, pd.CategoricalDtype):
            counts = counts.sort_index()
        for cat, n in counts.items():
            if n == 0:
                continue  # nobody chose it: nothing to show (and suppress() would hide a zero)
            rows.append({"variable": var, "category": str(cat), "n": int(n), "share": n / len(x)})
        missing = int(x.isna().sum())
        if missing:
            rows.append({"variable": var, "category": NOT_ANSWERED, "n": missing, "share": missing / len(x)})
        rows.append({"variable": var, "category": "All", "n": len(x), "share": float("nan")})
    table = pd.DataFrame(rows, columns=["variable", "category", "n", "share"]).astype({"n": "int64", "share": "float64"})
    marks = np.where((table["category"] != NOT_ANSWERED) & (table["n"] < threshold), PRIMARY, "").astype(object)
    for var in variables:
        plan = hidden_groups(pd.DataFrame({var: _as_categories(data[var], (dictionary[var] if var in dictionary else None))}), var,
                             threshold=threshold)
        rows_of = (table["variable"] == var).to_numpy()
        for i in np.flatnonzero(rows_of & table["category"].isin(list(plan)).to_numpy()):
            marks[i] = plan[table["category"].iat[i]]
    return suppress(table.assign(suppressed=marks), "n", value_columns=["share"], threshold=threshold)


def _as_categories(x: pd.Series, spec) -> pd.Series:
    """A coded column as its answer labels, in code order (``job_satisfaction`` 1 -> "Extremely
    dissatisfied" ...); any other column as it is."""
    if spec is not None and spec.kind == "code" and spec.labels:
        return pd.Series(pd.Categorical(x.map({float(k): v for k, v in spec.labels.items()}),
                                        categories=list(spec.labels.values())), index=x.index)
    return x
