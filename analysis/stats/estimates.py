"""Estimate tables: how common a 0/1 outcome is, and the mean of a score, with confidence
intervals, overall or by group, through disclosure control.

- :func:`prevalence`: count and share of respondents answering 1, with Wilson score intervals
  (``statsmodels.stats.proportion.proportion_confint(method="wilson")``).
- :func:`group_means`: mean and SD (``ddof=1``) with t intervals
  (``statsmodels.stats.weightstats.DescrStatsW.tconfint_mean``).

Grouped tables end each outcome with a total row labelled :data:`TOTAL` (``"All"``) and are
suppressed with :func:`analysis.disclosure.suppress` (``by=["outcome", "group"]``), so no figure
can be recovered from the total by subtraction. The private helpers :func:`_share_ci`,
:func:`_mean_ci`, :func:`_levels` and :func:`_table` are the one place these intervals and group
splits are computed; :func:`analysis.studies.bme.bme_experience` and :func:`analysis.hse_benchmark` use
them too.
"""

from __future__ import annotations

from numbers import Real

import numpy as np
import pandas as pd
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

from ..disclosure import DEFAULT_THRESHOLD, PRIMARY, SECONDARY, _check_threshold, few_either_side, suppress
from ..errors import SHOW, Problem, SurveyDataError

#: The label of the total row of a grouped table.
TOTAL = "All"

PREVALENCE_COLUMNS = ["n", "count", "share", "conf_low", "conf_high"]
MEAN_COLUMNS = ["n", "mean", "sd", "conf_low", "conf_high"]


def prevalence(data: pd.DataFrame, outcomes, by: str | None = None, level: float = 0.95,
               threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """How many respondents answered 1 on each 0/1 outcome, overall or by group, with Wilson
    score intervals, disclosure-controlled.

    Missing answers (NaN) are left out of ``n``. With ``by``, respondents whose group is missing
    are left out altogether (of the total row too, so that the total is the sum of the groups),
    and so are groups in which nobody answered the outcome (e.g. an unused category).

    **Disclosure rule.** A row shows two counts of respondents: ``count`` (answered 1) and, by
    subtraction from ``n``, ``n - count`` (answered 0); it is the row of a crosstab of group by
    answer, and gets the rule :func:`analysis.disclosure.suppress_crosstab` applies to such a row.

    1. *Primary:* a row is suppressed (``count``, ``share``, the interval and ``n`` blanked,
       marked ``"primary"``) if ``n < threshold``, or ``0 < count < threshold`` (3 of 200 said
       yes), or ``0 < n - count < threshold`` (197 of 200 said yes, so 3 said no). A count of
       zero is shown (nobody in a group of at least ``threshold`` said yes identifies no one).
    2. *Secondary* (grouped tables whose ``All`` row is shown): the hidden rows of an outcome can
       be added up by subtraction from ``All``, both their respondents who said yes and those who
       said no. While either of those sums is between 1 and ``threshold - 1`` (one hidden row's
       small count on its own, or a small count plus hidden zeros), a further shown group is
       suppressed and marked ``"secondary"``: one with respondents in every such answer (a group
       with a zero there would leave the sum as small as before), then the smallest ``n``, then
       the first in table order. Since every shown count is 0 or at least ``threshold``, one or
       two partners always suffice.
    3. The table then goes through :func:`analysis.disclosure.suppress` with
       ``by=["outcome", "group"], total_label="All"``, which blanks the marked rows and applies
       its own subtraction rule on top (a partner wherever exactly one row of an outcome is
       hidden; after steps 1 and 2 that adds nothing).

    As in :mod:`analysis.disclosure`, this protects against exact recovery within the table, not
    against narrowing a hidden count to an interval or against linking tables.

    Parameters
    ----------
    data : DataFrame
        Respondent-level data.
    outcomes : str or list of str
        0/1 columns (numeric or boolean; NaN = missing).
    by : str, optional
        Grouping column; levels in categorical order if categorical, else sorted.
    level : float
        Confidence level of the intervals, between 0 and 1.
    threshold : int
        Disclosure threshold.

    Returns
    -------
    DataFrame
        ``outcome, group`` (only with ``by``; the total row is ``"All"``), ``n, count, share,
        conf_low, conf_high, suppressed`` (``"primary"``, ``"secondary"`` or ``""``); one row per
        outcome (per group and total with ``by``), in the order of ``outcomes``. ``n`` and the
        figures are float64 with NaN where suppressed; ``attrs["disclosure"]`` words the rule.

    Raises
    ------
    SurveyDataError
        On an unknown column, an outcome that is not 0/1, a group labelled ``"All"``, a level
        outside (0, 1) or a bad threshold; nothing is computed.

    Examples
    --------
    Fostering's 3 of 12 is suppressed; Children (15 of 30) is suppressed too, or ``All`` minus
    Adults would give Fostering's 3 away:

    >>> import pandas as pd
    >>> d = pd.DataFrame({"leave": [1] * 12 + [0] * 28 + [1] * 15 + [0] * 15 + [1] * 3 + [0] * 9,
    ...                   "sector": ["Adults"] * 40 + ["Children"] * 30 + ["Fostering"] * 12})
    >>> t = prevalence(d, "leave", by="sector")
    >>> t[["group", "n", "count", "suppressed"]].values.tolist()
    [['Adults', 40.0, 12.0, ''], ['Children', nan, nan, 'secondary'], ['Fostering', nan, nan, 'primary'], ['All', 82.0, 30.0, '']]
    >>> t[["share", "conf_low", "conf_high"]].iloc[0].round(3).tolist()
    [0.3, 0.181, 0.454]
    """
    outcomes = _check(data, outcomes, by, level, threshold, "prevalence()", binary=True)
    table = _drop_empty_groups(_table(data, outcomes, by, "share", level))
    return _suppress(table, by, threshold, ["count", "share", "conf_low", "conf_high"],
                     _count_marks(table, int(threshold), grouped=by is not None))


def group_means(data: pd.DataFrame, outcomes, by: str | None = None, level: float = 0.95,
                threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Mean and SD of each numeric outcome, overall or by group, with t intervals,
    disclosure-controlled.

    The interval is mean +/- t(level, n - 1) x sd / sqrt(n), with sd on ``ddof=1``
    (``DescrStatsW.tconfint_mean``); it needs two respondents. Missing values are left out, and
    with ``by`` so are respondents whose group is missing (of the total row too) and groups in
    which nobody has a value of the outcome.

    Rows resting on fewer than ``threshold`` respondents are suppressed (``"primary"``); in a
    grouped table, where one row of an outcome is suppressed, the smallest other group is too
    (``"secondary"``), since ``n`` and ``n x mean`` of the ``All`` row minus the others would give
    it away (see :func:`analysis.disclosure.suppress`).

    Parameters
    ----------
    data : DataFrame
        Respondent-level data.
    outcomes : str or list of str
        Numeric columns (scores).
    by : str, optional
        Grouping column; levels in categorical order if categorical, else sorted.
    level : float
        Confidence level of the intervals, between 0 and 1.
    threshold : int
        Disclosure threshold.

    Returns
    -------
    DataFrame
        ``outcome, group`` (only with ``by``; the total row is ``"All"``), ``n, mean, sd,
        conf_low, conf_high, suppressed``; ``n`` and the figures float64 with NaN where
        suppressed; ``attrs["disclosure"]`` words the rule.

    Raises
    ------
    SurveyDataError
        On an unknown column, a non-numeric outcome, a group labelled ``"All"``, a level outside
        (0, 1) or a bad threshold; nothing is computed.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"pss4": [4.0, 6.0, 8.0, 10.0, None], "team": ["a", "a", "b", "b", "b"]})
    >>> group_means(d, "pss4", threshold=1)[["n", "mean", "sd", "conf_low"]].round(3).values.tolist()
    [[4.0, 7.0, 2.582, 2.891]]
    >>> group_means(d, "pss4", by="team", threshold=3)[["group", "n", "mean", "suppressed"]].values.tolist()
    [['a', nan, nan, 'primary'], ['b', nan, nan, 'primary'], ['All', 4.0, 7.0, '']]
    """
    outcomes = _check(data, outcomes, by, level, threshold, "group_means()", binary=False)
    table = _drop_empty_groups(_table(data, outcomes, by, "mean", level))
    return _suppress(table, by, threshold, ["mean", "sd", "conf_low", "conf_high"],
                     np.full(len(table), "", dtype=object))


# --------------------------------------------------------------------------------------------
# Shared helpers (also used by analysis.studies.bme and analysis.stats.benchmarking)
# --------------------------------------------------------------------------------------------


def _finite(x) -> np.ndarray:
    """The non-missing values of ``x`` as float64."""
    x = pd.Series(x).astype("float64").to_numpy(dtype="float64", na_value=np.nan)
    return x[~np.isnan(x)]


def _share_ci(x, level: float) -> dict:
    """``n, count, share, conf_low, conf_high`` of the 0/1 values ``x`` (NaN left out), Wilson.

    Examples
    --------
    >>> {k: round(float(v), 4) for k, v in _share_ci([1, 0, 0, 1, float("nan")], 0.95).items()}
    {'n': 4.0, 'count': 2.0, 'share': 0.5, 'conf_low': 0.15, 'conf_high': 0.85}
    """
    x = _finite(x)
    n, k = x.size, int(x.sum())
    if n == 0:
        return {"n": 0, "count": 0, "share": np.nan, "conf_low": np.nan, "conf_high": np.nan}
    low, high = proportion_confint(k, n, alpha=1 - level, method="wilson")
    return {"n": n, "count": k, "share": k / n, "conf_low": float(low), "conf_high": float(high)}


def _mean_ci(x, level: float) -> dict:
    """``n, mean, sd, conf_low, conf_high`` of ``x`` (NaN left out): sd on ddof=1, t interval.

    Examples
    --------
    >>> {k: round(float(v), 4) for k, v in _mean_ci([1.0, 2.0, 4.0, 8.0], 0.95).items()}
    {'n': 4.0, 'mean': 3.75, 'sd': 3.0957, 'conf_low': -1.1759, 'conf_high': 8.6759}
    """
    x = _finite(x)
    n = x.size
    if n < 2:
        return {"n": n, "mean": float(x[0]) if n else np.nan, "sd": np.nan, "conf_low": np.nan,
                "conf_high": np.nan}
    described = DescrStatsW(x, ddof=1)
    low, high = described.tconfint_mean(alpha=1 - level)
    return {"n": n, "mean": float(described.mean), "sd": float(described.std), "conf_low": float(low),
            "conf_high": float(high)}


_STATISTICS = {"share": (_share_ci, PREVALENCE_COLUMNS), "mean": (_mean_ci, MEAN_COLUMNS)}


def _levels(values: pd.Series) -> list:
    """The groups of a column: categorical order if categorical, else sorted; missing left out.

    Examples
    --------
    >>> _levels(pd.Series(["b", "a", None, "b"])), _levels(pd.Series(pd.Categorical(["x"], ["y", "x"])))
    (['a', 'b'], ['y', 'x'])
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories)
    return sorted(pd.unique(values.dropna()))


def _table(data: pd.DataFrame, outcomes: list, by: str | None, statistic: str, level: float,
           total: bool = True) -> pd.DataFrame:
    """The unsuppressed estimate table: ``outcome, [group], <statistic's columns>``, one row per
    outcome, or per outcome and group (then the ``All`` total row when ``total``)."""
    summarise, columns = _STATISTICS[statistic]
    rows = []
    if by is None:
        for outcome in outcomes:
            rows.append({"outcome": outcome} | summarise(data[outcome], level))
        return _frame(rows, ["outcome"] + columns)
    groups = data[by]
    levels = _levels(groups)
    known = groups.notna().to_numpy()
    for outcome in outcomes:
        for lv in levels:
            rows.append({"outcome": outcome, "group": lv}
                        | summarise(data.loc[(groups == lv).to_numpy(), outcome], level))
        if total:
            rows.append({"outcome": outcome, "group": TOTAL} | summarise(data.loc[known, outcome], level))
    return _frame(rows, ["outcome", "group"] + columns)


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """The rows as a table; with no rows, still with numeric figure columns (counts int64)."""
    table = pd.DataFrame(rows, columns=columns)
    if not rows:
        table = table.astype({c: "int64" if c in ("n", "count") else "float64"
                              for c in columns if c not in ("outcome", "group")})
    return table


# --------------------------------------------------------------------------------------------
# Disclosure control of the estimate tables
# --------------------------------------------------------------------------------------------


def _drop_empty_groups(table: pd.DataFrame) -> pd.DataFrame:
    """Leave out the group rows of a grouped table that rest on nobody (n = 0).

    An empty group discloses no one, but :func:`analysis.disclosure.suppress` would suppress it
    and then, as the only suppressed row of its outcome, another group to protect it.
    """
    if "group" not in table.columns:
        return table
    keep = (table["n"] > 0) | (table["group"] == TOTAL)
    return table.loc[keep].reset_index(drop=True)


def _count_marks(table: pd.DataFrame, threshold: int, grouped: bool) -> np.ndarray:
    """Primary and secondary marks for the counts of a prevalence table (rule in :func:`prevalence`)."""
    n = table["n"].to_numpy(dtype="float64")
    cells = np.column_stack([table["count"].to_numpy(dtype="float64"), n - table["count"].to_numpy(dtype="float64")])

    def small(v):
        return (v > 0) & (v < threshold)

    marks = np.where((n < threshold) | few_either_side(cells[:, 0], n, threshold), PRIMARY, "").astype(object)
    if not grouped:
        return marks
    is_total = (table["group"] == TOTAL).to_numpy(dtype=bool)
    for rows in table.groupby("outcome", sort=False).indices.values():
        if (marks[rows[is_total[rows]]] != "").any():
            continue  # the total is hidden: nothing to subtract from
        others = rows[~is_total[rows]]
        while True:
            hidden = others[marks[others] != ""]
            need = small(cells[hidden].sum(axis=0))  # hidden yes / no recoverable and small
            free = others[marks[others] == ""]
            if not hidden.size or not need.any() or not free.size:
                break
            fixes = ((cells[free] > 0) & need).sum(axis=1)
            order = np.lexsort((np.arange(free.size), n[free], -fixes))
            marks[free[order[0]]] = SECONDARY
    return marks


def _suppress(table: pd.DataFrame, by, threshold, values: list[str], marks: np.ndarray) -> pd.DataFrame:
    """Pass an estimate table through :func:`analysis.disclosure.suppress`, with marks set beforehand."""
    marked = table.assign(suppressed=pd.Series(marks, index=table.index, dtype="str"))
    if by is None:
        return suppress(marked, n_column="n", value_columns=values, threshold=threshold)
    return suppress(marked, n_column="n", value_columns=values, threshold=threshold,
                    by=["outcome", "group"], total_label=TOTAL)


def _check(data, outcomes, by, level, threshold, caller: str, binary: bool) -> list:
    """The outcomes as a list, or raise with every problem in the call."""
    def fail(problems):
        raise SurveyDataError(problems, source=caller, outcome="nothing was computed")

    if not isinstance(data, pd.DataFrame):
        fail([Problem("not a table", None, f"{caller} was given a {type(data).__name__}, not a DataFrame",
                      "pass respondent-level data as a pandas DataFrame")])
    outcomes = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    problems = []
    if isinstance(by, (list, tuple)):
        problems.append(Problem("bad argument", None, f"by={by!r}; by takes one column name",
                                "pass one grouping column, e.g. by='sector'"))
        by = None
    if not outcomes:
        problems.append(Problem("bad argument", None, "no outcomes were given", "pass outcomes=[column, ...]"))
    doubled = sorted({o for o in outcomes if outcomes.count(o) > 1}, key=str)
    if doubled:
        problems.append(Problem("bad argument", None, f"outcomes {doubled} are listed more than once",
                                "list each outcome once"))
    known = list(data.columns)
    for name, role in [(o, "outcome") for o in outcomes] + ([(by, "by")] if by is not None else []):
        if name not in data.columns:
            shown = ", ".join(repr(c) for c in known[:3 * SHOW]) + (", ..." if len(known) > 3 * SHOW else "")
            problems.append(Problem("unknown column", str(name),
                                    f"{role} {name!r} is not a column of the data; its columns include {shown}",
                                    "use column names of the scored wave"))
    ok_level = isinstance(level, Real) and not isinstance(level, bool) and 0 < level < 1
    if not ok_level:
        problems.append(Problem("bad argument", None, f"level={level!r}; a confidence level is between 0 and 1",
                                "pass e.g. level=0.95"))
    problems += _check_threshold(threshold)[1]
    for outcome in outcomes:
        if outcome not in data.columns or outcome in doubled:
            continue
        x = data[outcome]
        if not pd.api.types.is_numeric_dtype(x):
            problems.append(Problem(
                "not numeric", outcome, f"outcome '{outcome}' holds {x.dtype} values, not numbers",
                "recode it to numbers (0/1 for prevalence) first",
                values=tuple(pd.unique(x.dropna())[:SHOW]), n_values=int(x.nunique())))
        elif binary and not pd.api.types.is_bool_dtype(x):
            bad = pd.unique(x[x.notna() & ~x.isin([0, 1])])
            if len(bad):
                problems.append(Problem(
                    "not 0/1", outcome,
                    f"outcome '{outcome}' has values other than 0, 1 and missing, so no share can be computed",
                    "recode it to 0/1 (e.g. (x >= 1).astype(float).where(x.notna())), or use group_means()",
                    values=tuple(bad[:SHOW]), n_values=len(bad)))
    if by is not None and by in data.columns and TOTAL in _levels(data[by]):
        problems.append(Problem(
            "ambiguous groups", str(by),
            f"a group of '{by}' is labelled {TOTAL!r}, the label of the total row",
            f"rename that group before estimating, e.g. data['{by}'].replace({{'{TOTAL}': 'All others'}})"))
    if problems:
        fail(problems)
    return outcomes
