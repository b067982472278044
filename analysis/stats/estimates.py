"""Estimate tables: how common a 0/1 outcome is, and the mean of a score, with confidence
intervals, overall or by group, through disclosure control.

- :func:`prevalence`: count and share of respondents answering 1, with Wilson score intervals
  (:func:`analysis.stats.intervals.share_ci`).
- :func:`group_means`: mean, standard error and SD (``ddof=1``) with t intervals
  (:func:`analysis.stats.intervals.mean_ci`).

Both return the results schema of :mod:`analysis.stats.results`: ``outcome, [group], measure,
n, ..., estimate, std_error, conf_low, conf_high, suppressed``. Grouped tables end each outcome
with a total row labelled ``"All"`` and are suppressed with :func:`analysis.disclosure.suppress`
(``by=["outcome", "group"]``), so no figure can be recovered from the total by subtraction.

With ``weights=`` (a column of fixed survey weights) both give weighted figures with
design-based (linearisation) errors, as R's ``survey`` (:mod:`analysis.stats.survey_design`),
adding ``weighted_n`` and ``deff``; ``n`` and ``count`` stay unweighted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..arguments import as_names, check_call
from ..deprecations import old_calls
from ..disclosure import DEFAULT_THRESHOLD, PRIMARY, few_either_side, hidden_groups, suppress
from ..errors import SHOW, Problem
from ..measures.scoring import respondents
from .intervals import TOTAL, estimate_table, levels
from .survey_design import design_weights, weighted_table

#: The figures a prevalence row shows (blanked together when it is suppressed).
SHARE_FIGURES = ["count", "estimate", "std_error", "conf_low", "conf_high"]
#: The figures a mean row shows.
MEAN_FIGURES = ["estimate", "std_error", "sd", "conf_low", "conf_high"]


@old_calls(positional=("by", "level", "threshold"))
def prevalence(data: pd.DataFrame, outcomes, *, by: str | None = None, total: bool = True, level: float = 0.95,
               threshold: int = DEFAULT_THRESHOLD, weights: str | None = None) -> pd.DataFrame:
    """How many respondents answered 1 on each 0/1 outcome, overall or by group, with Wilson
    score intervals, disclosure-controlled.

    Missing answers (NaN) are left out of ``n``. With ``by``, the ``All`` row counts every
    respondent who answered, those who gave no group included (so it is the overall figure), and
    groups in which nobody answered the outcome are left out (e.g. an unused category).

    **Disclosure rule.** A row shows two counts of respondents: ``count`` (answered 1) and, by
    subtraction from ``n``, ``n - count`` (answered 0). Which groups are hidden is decided once
    for the data, by :func:`analysis.disclosure.hidden_groups`, so that every table of a run that
    shows these groups hides the same ones:

    1. *Primary:* a group of fewer than ``threshold`` respondents, or one where 1 to
       ``threshold - 1`` answered 1 (3 of 200 said yes), or 0 (197 of 200 said yes). A count of
       zero is shown (nobody in a group of at least ``threshold`` said yes identifies no one).
    2. *Secondary:* the total of every outcome is published (the ``All`` row here, an overall
       table elsewhere), so while the hidden groups together hold 1 to ``threshold - 1``
       respondents, or answers of 1, or of 0, a further group is hidden: one with answers in
       what needs covering, then the smallest.
    3. The ``All`` row is hidden when it rests on fewer than ``threshold`` respondents or fewer
       than ``threshold`` answered 1, or 0.

    As in :mod:`analysis.disclosure`, this protects against exact recovery, not against narrowing
    a hidden count to an interval.

    Parameters
    ----------
    data : DataFrame or Wave
        Respondent-level data.
        A loaded ``Wave`` is taken as ``analysis_frame(wave)``.
    outcomes : str or list of str
        0/1 columns (numeric or boolean; NaN = missing).
    by : str, optional
        Grouping column; levels in categorical order if categorical, else sorted.
    total : bool
        With ``by``, end each outcome with the ``All`` row (default). The same groups are hidden
        without it: the total is published elsewhere.
    level : float
        Confidence level of the intervals, between 0 and 1.
    threshold : int
        Disclosure threshold.
    weights : str, optional
        The name of a column of fixed survey weights (e.g. from
        :func:`analysis.stats.weights.rake_weights`). The share becomes the weighted share, with
        its linearisation error, equal to R's ``svymean(~y, svydesign(ids = ~1, weights = ~w))``
        (by group: the design subset to the group, as ``svyby``), the design effect ``deff`` as
        ``svymean(..., deff = TRUE)`` reports it (see
        :func:`analysis.stats.survey_design.weighted_estimate`) and the logit interval of
        ``svyciprop(method = "logit")``, t on n - 1 degrees of freedom. ``n`` and ``count`` stay
        the unweighted counts of respondents (the disclosure rule is on them); ``weighted_n``
        (sum of the weights) is added. Every row needs a weight above zero.

    Returns
    -------
    DataFrame
        ``outcome, group`` (only with ``by``; the total row is ``"All"``), ``measure``
        (``"share"``), ``n, count, estimate`` (the share answering 1), ``std_error`` (binomial,
        sqrt(p (1 - p) / n)), ``conf_low, conf_high`` (Wilson) and ``suppressed``
        (``"primary"``, ``"secondary"`` or ``""``); one row per outcome (per group and total
        with ``by``), in the order of ``outcomes``. ``n`` and the figures are float64 with NaN
        where suppressed; ``attrs["disclosure"]`` words the rule. R: ``prop.test(k, n, correct =
        FALSE)$conf.int`` gives the interval.

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
    >>> t[["estimate", "conf_low", "conf_high"]].iloc[0].round(3).tolist()
    [0.3, 0.181, 0.454]

    Weighted (``w`` a column of fixed weights), with the unweighted ``n`` kept:

    >>> wt = prevalence(d.assign(w=[2.0] * 40 + [1.0] * 42), "leave", weights="w", threshold=1)
    >>> wt[["n", "count", "weighted_n"]].values.tolist(), round(float(wt["estimate"].item()), 3)
    ([[82.0, 30.0, 122.0]], 0.344)
    """
    return _estimates(data, outcomes, by, total, level, threshold, weights, "prevalence()", "share")


@old_calls(positional=("by", "level", "threshold"))
def group_means(data: pd.DataFrame, outcomes, *, by: str | None = None, total: bool = True, level: float = 0.95,
                threshold: int = DEFAULT_THRESHOLD, weights: str | None = None) -> pd.DataFrame:
    """Mean, standard error and SD of each numeric outcome, overall or by group, with t
    intervals, disclosure-controlled.

    The interval is mean +/- t(level, n - 1) x sd / sqrt(n), with sd on ``ddof=1``
    (``DescrStatsW.tconfint_mean``); it needs two respondents. Missing values are left out, and
    with ``by`` so are respondents whose group is missing (of the total row too) and groups in
    which nobody has a value of the outcome.

    Groups resting on fewer than ``threshold`` respondents are hidden (``"primary"``), with the
    partners :func:`analysis.disclosure.hidden_groups` plans for the data (``"secondary"``): the
    same in every table of a run, since ``n`` and ``n x mean`` of a total minus the shown groups
    would give a lone hidden group away. The ``All`` row counts every respondent with a value,
    those who gave no group included.

    Parameters
    ----------
    data : DataFrame or Wave
        Respondent-level data.
        A loaded ``Wave`` is taken as ``analysis_frame(wave)``.
    outcomes : str or list of str
        Numeric columns (scores).
    by : str, optional
        Grouping column; levels in categorical order if categorical, else sorted.
    total : bool
        With ``by``, end each outcome with the ``All`` row (default).
    level : float
        Confidence level of the intervals, between 0 and 1.
    threshold : int
        Disclosure threshold.
    weights : str, optional
        The name of a column of fixed survey weights. The mean becomes the weighted mean, with its
        linearisation error, equal to R's ``svymean(~y, svydesign(ids = ~1, weights = ~w))`` (by
        group: the design subset to the group, as ``svyby``), the design effect ``deff`` as
        ``svymean(..., deff = TRUE)`` reports it, a z interval as ``confint(svymean(...))`` and
        ``sd`` the weighted SD (``sqrt(svyvar(...))``). ``n`` stays the unweighted count (the
        disclosure rule is on it); ``weighted_n`` (sum of the weights) is added. Every row needs a
        weight above zero.

    Returns
    -------
    DataFrame
        ``outcome, group`` (only with ``by``; the total row is ``"All"``), ``measure``
        (``"mean"``), ``n, estimate`` (the mean), ``std_error`` (sd / sqrt(n)), ``sd, conf_low,
        conf_high, suppressed``; ``n`` and the figures float64 with NaN where suppressed;
        ``attrs["disclosure"]`` words the rule. R: ``t.test(x)$conf.int``.

    Raises
    ------
    SurveyDataError
        On an unknown column, a non-numeric outcome, a group labelled ``"All"``, a level outside
        (0, 1) or a bad threshold; nothing is computed.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"pss4": [4.0, 6.0, 8.0, 10.0, None], "team": ["a", "a", "b", "b", "b"]})
    >>> group_means(d, "pss4", threshold=1)[["n", "estimate", "sd", "conf_low"]].round(3).values.tolist()
    [[4.0, 7.0, 2.582, 2.891]]
    >>> group_means(d, "pss4", by="team", threshold=3)[["group", "n", "estimate", "suppressed"]].values.tolist()
    [['a', nan, nan, 'primary'], ['b', nan, nan, 'primary'], ['All', 4.0, 7.0, '']]
    >>> group_means(d.assign(w=[1.0, 1.0, 2.0, 2.0, 1.0]), "pss4", weights="w", threshold=1)["estimate"].item()
    7.666666666666667
    """
    return _estimates(data, outcomes, by, total, level, threshold, weights, "group_means()", "mean")


def _estimates(data, outcomes, by, total, level, threshold, weights, caller: str, measure: str) -> pd.DataFrame:
    """What :func:`prevalence` (``measure`` "share") and :func:`group_means` ("mean") do: check the
    call, estimate per group (weighted, with design-based errors, when ``weights`` is given) and
    suppress small groups."""
    binary = measure == "share"
    data = respondents(data, caller)
    outcomes, threshold = _check(data, outcomes, by, level, threshold, caller, binary=binary)
    table = estimate_table(data, outcomes, by, measure, level, total=by is not None and total)
    figures = SHARE_FIGURES if binary else MEAN_FIGURES
    if weights is not None:
        table = weighted_table(table, data, by, design_weights(data, weights, caller), measure, level, TOTAL)
        figures = figures + ["weighted_n", "deff"]
    out = _suppress(table, threshold, figures, group_marks(table, data, by, threshold, binary=binary))
    out.attrs["by"] = by
    return out


# --------------------------------------------------------------------------------------------
# Disclosure control of the estimate tables
# --------------------------------------------------------------------------------------------


def group_marks(table: pd.DataFrame, data: pd.DataFrame, by: str | None, threshold: int,
                binary: bool) -> np.ndarray:
    """The marks of an estimate table's rows: its groups as :func:`analysis.disclosure.hidden_groups`
    plans them for each outcome (the same in every table of a run), and a total or overall row
    resting on fewer than ``threshold`` respondents, or (0/1 outcome) with fewer than
    ``threshold`` answering 1, or 0."""
    n = table["n"].to_numpy(dtype="float64")
    small = n < threshold
    if binary:
        small |= few_either_side(table["count"].to_numpy(dtype="float64"), n, threshold)
    marks = np.where(small, PRIMARY, "").astype(object)
    if by is None:
        return marks
    for outcome, rows in table.groupby("outcome", sort=False).indices.items():
        plan = hidden_groups(data, by, outcome, threshold=threshold, binary=binary)
        for r in rows:
            group = table["group"].iat[r]
            if group != TOTAL:
                marks[r] = plan.get(group, marks[r])
    return marks


def _suppress(table: pd.DataFrame, threshold, values: list[str], marks: np.ndarray) -> pd.DataFrame:
    """Blank the marked rows with :func:`analysis.disclosure.suppress` (its subtraction rule is
    not needed: the plan of :func:`analysis.disclosure.hidden_groups` already leaves no small
    group recoverable from a total, in this table or any other)."""
    marked = table.assign(suppressed=pd.Series(marks, index=table.index, dtype="str"))
    return suppress(marked, n_column="n", value_columns=values, threshold=threshold)


def _check(data, outcomes, by, level, threshold, caller: str, binary: bool) -> tuple[list, int]:
    """The outcomes as a list and the threshold, or raise with every problem in the call."""
    outcomes = as_names(outcomes, "outcomes", caller)
    problems = []
    if isinstance(by, (list, tuple)):
        problems.append(Problem("bad argument", None, f"by={by!r}; by takes one column name",
                                "pass one grouping column, e.g. by='sector'", place=""))
        by = None
    if not outcomes:
        problems.append(Problem("bad argument", None, "no outcomes were given", "pass outcomes=[column, ...]",
                                place=""))
    doubled = sorted({o for o in outcomes if outcomes.count(o) > 1}, key=str)
    if doubled:
        problems.append(Problem("bad argument", None, f"outcomes {doubled} are listed more than once",
                                "list each outcome once", place=""))
    if hasattr(data, "columns"):
        problems += _value_problems(data, outcomes, doubled, by, binary)
    threshold = check_call(caller, data, columns={"outcome": outcomes, "by": [by] if by is not None else []},
                           level=level, threshold=threshold, problems=problems)
    return outcomes, threshold


def _value_problems(data, outcomes, doubled, by, binary: bool) -> list[Problem]:
    problems = []
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
    if by is not None and by in data.columns and TOTAL in levels(data[by]):
        problems.append(Problem(
            "ambiguous groups", str(by),
            f"a group of '{by}' is labelled {TOTAL!r}, the label of the total row",
            f"rename that group before estimating, e.g. data['{by}'].replace({{'{TOTAL}': 'All others'}})"))
    return problems
