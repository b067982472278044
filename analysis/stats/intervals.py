"""Shares, means and their differences with confidence intervals: the one place they are computed.

- :func:`share_ci`: a share of 0/1 answers with its Wilson score interval
  (``statsmodels.stats.proportion.proportion_confint(method="wilson")``) and binomial standard error.
- :func:`mean_ci`: a mean with its t interval (``DescrStatsW.tconfint_mean``) and standard error.
- :func:`difference_in_shares`: the difference of two shares with Newcombe's hybrid score interval
  (Newcombe 1998, method 10; ``statsmodels.stats.proportion.confint_proportions_2indep(method="newcomb")``).
- :func:`difference_in_means`: the difference of two means, Welch's t test and its interval.
- :func:`hedges_g`: Hedges' g with its interval from the noncentral t (as R's ``effectsize::hedges_g``).
- :func:`independence_test`: the chi-square test of a table of counts, made exact (Fisher, 2 x 2) or
  Monte Carlo (r x c) when expected counts are small, saying which in ``test_method``.
- :func:`levels`: the groups of a column in their order (categorical, else sorted).
- :func:`estimate_table`: one of these per outcome, or per outcome and group with a total row.

Every estimate table of :mod:`analysis.stats` is built from these, so an interval is computed
one way everywhere in the package.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize, special, stats
from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint
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
    """The share answering 1 in ``x1`` minus that in ``x0``, with Newcombe's hybrid score interval.

    Returns ``estimate, std_error, conf_low, conf_high``. The interval is Newcombe's (1998)
    method 10: the Wilson score limits (l, u) of each share, without continuity correction,
    combined as d - sqrt((p1 - l1)^2 + (u0 - p0)^2) to d + sqrt((u1 - p1)^2 + (p0 - l0)^2)
    (``confint_proportions_2indep(method="newcomb")``). Unlike the Wald interval it stays inside
    [-1, 1] and does not collapse to a point at 0 % or 100 % (10/10 vs 0/12 gives 0.63 to 1, not
    1 to 1). ``std_error`` is the unpooled sqrt(p1 (1 - p1) / n1 + p0 (1 - p0) / n0), shown for
    reference only: the interval is not estimate +/- z x std_error. The interval is not the
    inversion of the Pearson chi-square (score) test, so near the boundary the two can disagree
    (see :func:`interval_note`).

    Examples
    --------
    >>> {k: round(v, 4) for k, v in difference_in_shares([1, 1, 0, 1], [0, 1, 0, 0]).items()}
    {'estimate': 0.5, 'std_error': 0.3062, 'conf_low': -0.1355, 'conf_high': 0.7891}
    >>> r = difference_in_shares([1.0] * 10, [0.0] * 12)
    >>> round(r["conf_low"], 4), round(r["conf_high"], 4)
    (0.6315, 1.0)
    """
    x1, x0 = finite(x1), finite(x0)
    k1, k0, n1, n0 = int(x1.sum()), int(x0.sum()), x1.size, x0.size
    p1, p0 = k1 / n1, k0 / n0
    se = float(np.sqrt(p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0))
    low, high = confint_proportions_2indep(k1, n1, k0, n0, method="newcomb", compare="diff", alpha=1 - level)
    # Within [-1, 1] by construction; clipped only against rounding (1 + 2e-16 at 10/10 vs 0/12).
    return {"estimate": float(p1 - p0), "std_error": se, "conf_low": float(max(low, -1.0)),
            "conf_high": float(min(high, 1.0))}


def hedges_g(x1, x0, level: float = 0.95) -> dict:
    """Hedges' g of ``x1`` against ``x0`` (pooled SD) with its noncentral-t interval.

    g = J x (mean1 - mean0) / s_pooled with the exact small-sample correction
    J = Gamma(df / 2) / (sqrt(df / 2) Gamma((df - 1) / 2)), df = n1 + n0 - 2. The interval
    inverts the noncentral t distribution of Student's pooled-SD t statistic
    t = d / sqrt(1/n1 + 1/n0): the noncentrality parameters whose t distribution puts ``t`` at
    its 1 - alpha/2 and alpha/2 quantiles (``scipy.special.nctdtrinc``, polished with
    ``scipy.optimize.brentq`` on ``scipy.stats.nct.cdf``), each times sqrt(1/n1 + 1/n0) x J. This
    is R's ``effectsize::hedges_g(pooled_sd = TRUE)`` (and MBESS's ``ci.smd``), so the interval
    excludes 0 exactly when Student's t test (``statistic``, ``df``, ``p_value``, returned too)
    has p below 1 - level.

    Returns ``estimate, conf_low, conf_high, statistic, df, p_value``.

    Examples
    --------
    >>> r = hedges_g([4.0, 5.0, 6.0, 7.0, 8.0], [3.0, 4.0, 4.0, 5.0, 6.0])
    >>> [round(r[k], 4) for k in ("estimate", "conf_low", "conf_high")]
    [1.0478, -0.2064, 2.2488]
    """
    x1, x0 = finite(x1), finite(x0)
    n1, n0 = x1.size, x0.size
    df = n1 + n0 - 2
    sp = np.sqrt(((n1 - 1) * x1.var(ddof=1) + (n0 - 1) * x0.var(ddof=1)) / df)
    d = float((x1.mean() - x0.mean()) / sp)
    j = float(np.exp(special.gammaln(df / 2) - np.log(np.sqrt(df / 2)) - special.gammaln((df - 1) / 2)))
    scale = np.sqrt(1 / n1 + 1 / n0)
    t = d / scale
    alpha = 1 - level
    low, high = (_ncp(t, df, q) for q in (1 - alpha / 2, alpha / 2))
    return {"estimate": d * j, "conf_low": float(low * scale * j), "conf_high": float(high * scale * j),
            "statistic": float(t), "df": float(df), "p_value": float(2 * stats.t.sf(abs(t), df))}


def _ncp(t: float, df: float, q: float) -> float:
    """The noncentrality parameter that puts ``t`` at quantile ``q`` of the noncentral t(df)."""
    start = float(special.nctdtrinc(df, q, t))
    start = start if np.isfinite(start) else float(t)
    f = lambda ncp: stats.nct.cdf(t, df, ncp) - q
    step = 0.05 + 1e-3 * abs(start)
    lo, hi = start - step, start + step
    while f(lo) < 0:
        lo -= 4 * step
    while f(hi) > 0:
        hi += 4 * step
    return float(optimize.brentq(f, lo, hi, xtol=1e-14, rtol=4 * np.finfo(float).eps))


#: The number of Monte Carlo tables of :func:`independence_test` and the seed, unless told.
N_SIMULATIONS = 9999
SEED = 20150615


def independence_test(table, *, n_sim: int = N_SIMULATIONS, seed: int = SEED) -> dict:
    """Pearson's chi-square test of independence of a table of counts, never a silent asymptotic p.

    - Expected counts all 5 or more: Pearson's chi-square without continuity correction (R's
      ``chisq.test(correct = FALSE)``; for a 2 x 2 table this is the score test, R's
      ``prop.test(correct = FALSE)``), ``test_method`` ``"asymptotic"``.
    - A 2 x 2 table with an expected count below 5: Fisher's exact test
      (``scipy.stats.fisher_exact``; R's ``fisher.test``), ``test_method`` ``"exact"``.
    - A larger table with expected counts below 5 in more than 20 % of its cells (Cochran's rule):
      the chi-square statistic with a Monte Carlo p from ``n_sim`` tables with the observed
      margins (``scipy.stats.chi2_contingency`` with ``PermutationMethod``, a permutation of the
      labels; p = (1 + #{X2* >= X2}) / (n_sim + 1), as R's ``chisq.test(simulate.p.value = TRUE,
      B = n_sim)``), seeded; ``test_method`` ``"monte_carlo"`` and ``df`` NaN.
    - Otherwise (some, but at most 20 %, of the cells below 5) the asymptotic p, with a note.

    ``small_expected`` is True exactly when R's ``chisq.test`` would warn "Chi-squared
    approximation may be incorrect" (an expected count below 5); ``note`` says what was done.

    Returns ``test, statistic, df, p_value, test_method, small_expected, note``.

    Examples
    --------
    >>> independence_test([[1, 9], [6, 4]])["test_method"]
    'exact'
    >>> r = independence_test([[3, 1, 0], [1, 4, 2], [0, 2, 5]], n_sim=999, seed=1)
    >>> r["test_method"], round(r["statistic"], 4), r["p_value"]
    ('monte_carlo', 11.4107, 0.021)
    """
    table = np.asarray(table, dtype=float)
    asymptotic = stats.chi2_contingency(table, correction=False)
    expected = asymptotic.expected_freq
    small = float((expected < 5).mean())
    row = {"test": "chi_square", "statistic": float(asymptotic.statistic), "df": float(asymptotic.dof),
           "p_value": float(asymptotic.pvalue), "test_method": "asymptotic", "small_expected": bool(small > 0),
           "note": ""}
    if small == 0:
        return row
    share = f"{100 * small:.0f}% of expected counts below 5"
    if table.shape == (2, 2):
        return row | {"test": "fisher_exact", "statistic": np.nan, "df": np.nan, "test_method": "exact",
                      "p_value": float(stats.fisher_exact(table.astype(int)).pvalue),
                      "note": f"{share}: Fisher's exact test instead of the chi-square approximation"}
    if small > 0.2:
        mc = stats.chi2_contingency(table.astype(int), correction=False, method=stats.PermutationMethod(
            n_resamples=n_sim, rng=np.random.default_rng(seed)))
        return row | {"df": np.nan, "p_value": float(mc.pvalue), "test_method": "monte_carlo",
                      "note": f"{share}: Monte Carlo p from {n_sim} tables with the observed margins (seed {seed})"}
    return row | {"note": f"{share} (at most 20%): asymptotic p kept; R's chisq.test would warn"}


def interval_note(p_value: float, conf_low: float, conf_high: float, level: float, test: str, interval: str) -> str:
    """A note when a test and an interval disagree on whether the difference is 0, else ``""``.

    Examples
    --------
    >>> interval_note(0.049, -0.001, 0.2, 0.95, "the score test", "Newcombe's interval")[:40]
    'the score test gives p < 0.05 but Newcom'
    >>> interval_note(0.2, -0.1, 0.2, 0.95, "t", "ci")
    ''
    """
    if any(np.isnan(v) for v in (p_value, conf_low, conf_high)):
        return ""
    alpha = 1 - level
    rejects, excludes = p_value < alpha, not conf_low <= 0 <= conf_high
    if rejects == excludes:
        return ""
    return (f"{test} gives p {'<' if rejects else '>='} {alpha:g} but {interval} "
            f"{'includes' if rejects else 'excludes'} 0: they are different methods and can disagree near "
            "the boundary")


def share_difference(table, x1, x0, level: float = 0.95, **simulation) -> tuple[dict, dict, str]:
    """The test of a 2 x 2 table (:func:`independence_test`: the chi-square score test, or Fisher's
    exact test with small expected counts) with Newcombe's interval of the difference in shares
    (:func:`difference_in_shares`), and the note on both (the test's own, and
    :func:`interval_note` when the two disagree about 0).

    Returns (test, difference, note); ``simulation`` is passed to :func:`independence_test`.

    Examples
    --------
    >>> x1, x0 = np.r_[np.ones(30), np.zeros(20)], np.r_[np.ones(20), np.zeros(30)]
    >>> test, diff, note = share_difference([[30, 20], [20, 30]], x1, x0)
    >>> test["test"], round(diff["estimate"], 2), note
    ('chi_square', 0.2, '')
    """
    test = independence_test(table, **simulation)
    diff = difference_in_shares(x1, x0, level)
    name = "Fisher's exact test" if test["test_method"] == "exact" else "the chi-square (score) test"
    clash = interval_note(test["p_value"], diff["conf_low"], diff["conf_high"], level, name, "Newcombe's interval")
    return test, diff, "; ".join(n for n in (test["note"], clash) if n)


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
