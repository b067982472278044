"""Shares, means and their differences with confidence intervals: the one place they are computed.

- :func:`share_ci`: a share of 0/1 answers with its Wilson score interval
  (``statsmodels.stats.proportion.proportion_confint(method="wilson")``) and binomial standard error.
- :func:`mean_ci`: a mean with its t interval (``DescrStatsW.tconfint_mean``) and standard error.
- :func:`difference_in_shares`: the difference of two shares with its interval (Wald).
- :func:`difference_in_means`: the difference of two means, Welch's t test and its interval.
- :func:`levels`: the groups of a column in their order (categorical, else sorted).
- :func:`estimate_table`: one of these per outcome, or per outcome and group with a total row.

Every estimate table of :mod:`analysis.stats` is built from these, so an interval is computed
one way everywhere in the package.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

#: The label of the total row of a grouped table.
TOTAL = "All"

#: The figures each kind of estimate gives, in table order.
SHARE_COLUMNS = ["n", "count", "estimate", "std_error", "conf_low", "conf_high"]
MEAN_COLUMNS = ["n", "estimate", "std_error", "sd", "conf_low", "conf_high"]


def finite(x) -> np.ndarray:
    """The non-missing values of ``x`` as float64.

    Examples
    --------
    >>> finite([1, None, 3.5]).tolist()
    [1.0, 3.5]
    """
    x = pd.Series(x).astype("float64").to_numpy(dtype="float64", na_value=np.nan)
    return x[~np.isnan(x)]


def share_ci(x, level: float = 0.95) -> dict:
    """``n, count, estimate, std_error, conf_low, conf_high`` of the 0/1 values ``x`` (NaN left out).

    ``estimate`` is the share answering 1, ``std_error`` its binomial standard error
    sqrt(p (1 - p) / n), and the interval Wilson's score interval (R's ``prop.test(correct =
    FALSE)$conf.int``).

    Examples
    --------
    >>> {k: round(float(v), 4) for k, v in share_ci([1, 0, 0, 1, float("nan")]).items()}
    {'n': 4.0, 'count': 2.0, 'estimate': 0.5, 'std_error': 0.25, 'conf_low': 0.15, 'conf_high': 0.85}
    """
    x = finite(x)
    n, k = x.size, int(x.sum())
    if n == 0:
        return {"n": 0, "count": 0, "estimate": np.nan, "std_error": np.nan, "conf_low": np.nan, "conf_high": np.nan}
    low, high = proportion_confint(k, n, alpha=1 - level, method="wilson")
    p = k / n
    return {"n": n, "count": k, "estimate": p, "std_error": float(np.sqrt(p * (1 - p) / n)),
            "conf_low": float(low), "conf_high": float(high)}


def mean_ci(x, level: float = 0.95) -> dict:
    """``n, estimate, std_error, sd, conf_low, conf_high`` of ``x`` (NaN left out).

    ``estimate`` is the mean, ``sd`` the standard deviation (ddof=1), ``std_error`` sd / sqrt(n)
    and the interval mean +/- t(level, n - 1) x std_error (R's ``t.test(x)$conf.int``); it needs
    two values.

    Examples
    --------
    >>> {k: round(float(v), 4) for k, v in mean_ci([1.0, 2.0, 4.0, 8.0]).items()}
    {'n': 4.0, 'estimate': 3.75, 'std_error': 1.5478, 'sd': 3.0957, 'conf_low': -1.1759, 'conf_high': 8.6759}
    """
    x = finite(x)
    n = x.size
    if n < 2:
        return {"n": n, "estimate": float(x[0]) if n else np.nan, "std_error": np.nan, "sd": np.nan,
                "conf_low": np.nan, "conf_high": np.nan}
    described = DescrStatsW(x, ddof=1)
    low, high = described.tconfint_mean(alpha=1 - level)
    return {"n": n, "estimate": float(described.mean), "std_error": float(described.std_mean),
            "sd": float(described.std), "conf_low": float(low), "conf_high": float(high)}


def difference_in_shares(x1, x0, level: float = 0.95) -> dict:
    """The share answering 1 in ``x1`` minus that in ``x0``, with its Wald interval.

    Returns ``estimate, std_error, conf_low, conf_high`` with std_error
    sqrt(p1 (1 - p1) / n1 + p0 (1 - p0) / n0).

    Examples
    --------
    >>> {k: round(v, 4) for k, v in difference_in_shares([1, 1, 0, 1], [0, 1, 0, 0]).items()}
    {'estimate': 0.5, 'std_error': 0.3062, 'conf_low': -0.1001, 'conf_high': 1.1001}
    """
    x1, x0 = finite(x1), finite(x0)
    p1, p0 = x1.mean(), x0.mean()
    se = float(np.sqrt(p1 * (1 - p1) / x1.size + p0 * (1 - p0) / x0.size))
    z = float(stats.norm.ppf(1 - (1 - level) / 2))
    d = float(p1 - p0)
    return {"estimate": d, "std_error": se, "conf_low": d - z * se, "conf_high": d + z * se}


def difference_in_means(x1, x0, level: float = 0.95) -> dict:
    """The mean of ``x1`` minus that of ``x0``: Welch's t test and its interval.

    Returns ``estimate, std_error, statistic, df, p_value, conf_low, conf_high``; the same numbers
    as R's ``t.test(x1, x0)`` (``scipy.stats.ttest_ind(equal_var=False)``; pingouin would round
    the interval to two decimals).

    Examples
    --------
    >>> r = difference_in_means([9.0, 10.0, 9.0, 8.0], [8.0, 9.0, 7.0, 8.0])
    >>> round(r["estimate"], 3), round(r["statistic"], 3), round(r["df"], 2)
    (1.0, 1.732, 6.0)
    """
    x1, x0 = finite(x1), finite(x0)
    t = stats.ttest_ind(x1, x0, equal_var=False)
    ci = t.confidence_interval(level)
    d = float(x1.mean() - x0.mean())
    return {"estimate": d, "std_error": d / float(t.statistic) if t.statistic else np.nan,
            "statistic": float(t.statistic), "df": float(t.df), "p_value": float(t.pvalue),
            "conf_low": float(ci.low), "conf_high": float(ci.high)}


_SUMMARIES = {"share": (share_ci, SHARE_COLUMNS), "mean": (mean_ci, MEAN_COLUMNS)}


def levels(values: pd.Series) -> list:
    """The groups of a column: categorical order if categorical, else sorted; missing left out.

    Examples
    --------
    >>> levels(pd.Series(["b", "a", None, "b"])), levels(pd.Series(pd.Categorical(["x"], ["y", "x"])))
    (['a', 'b'], ['y', 'x'])
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories)
    return sorted(pd.unique(values.dropna()))


def estimate_table(data: pd.DataFrame, outcomes: list, by: str | None, measure: str, level: float,
                   total: bool = True) -> pd.DataFrame:
    """The unsuppressed estimate table of ``measure`` (``"share"`` or ``"mean"``).

    Columns ``outcome, [group], measure, <the measure's figures>``: one row per outcome, or per
    outcome and group (then, when ``total``, a total row ``"All"`` of every respondent who
    answered the outcome, those who gave no group included, so that it is the same figure as the
    overall estimate). Groups keep their order (:func:`levels`); a group in which nobody answered
    an outcome is left out of that outcome (it describes no one).

    Examples
    --------
    >>> d = pd.DataFrame({"y": [1.0, 0.0, 1.0, 1.0], "g": ["a", "a", "b", None]})
    >>> estimate_table(d, ["y"], "g", "share", 0.95)[["group", "n", "estimate"]].values.tolist()
    [['a', 2, 0.5], ['b', 1, 1.0], ['All', 4, 0.75]]
    """
    summarise, columns = _SUMMARIES[measure]
    head = ["outcome"] + (["group"] if by is not None else []) + ["measure"]
    rows = []
    if by is None:
        for outcome in outcomes:
            rows.append({"outcome": outcome, "measure": measure} | summarise(data[outcome], level))
    else:
        groups = data[by]
        for outcome in outcomes:
            for lv in levels(groups):
                part = data.loc[(groups == lv).to_numpy(), outcome]
                if part.notna().any():
                    rows.append({"outcome": outcome, "group": lv, "measure": measure} | summarise(part, level))
            if total:
                rows.append({"outcome": outcome, "group": TOTAL, "measure": measure}
                            | summarise(data[outcome], level))
    table = pd.DataFrame(rows, columns=head + columns)
    if not rows:
        table = table.astype({c: "int64" if c in ("n", "count") else "float64" for c in columns})
    return table
