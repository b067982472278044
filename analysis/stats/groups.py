"""Group comparisons with pingouin, scipy and statsmodels, corrected across the family.

- Two groups, numeric outcome: Welch's t (pingouin), Hedges' g with its noncentral-t interval
  (:func:`analysis.stats.intervals.hedges_g`, R's ``effectsize::hedges_g(pooled_sd = TRUE)``),
  and, as a robustness column, Mann-Whitney U with the rank-biserial correlation (pingouin's sign:
  positive when the first group tends to be higher). The g interval inverts Student's pooled t,
  not Welch's: ``note`` says so when the two disagree about 0.
- More groups, numeric outcome: Welch's ANOVA, omega squared (from the classical one-way ANOVA),
  and Games-Howell pairwise comparisons (pingouin).
- Binary outcome (0/1): Pearson's chi-square test of independence without continuity
  correction (for two groups the score test, R's ``prop.test(correct = FALSE)``), replaced by
  Fisher's exact test when an expected count of a 2 x 2 table is below 5, and by a seeded Monte
  Carlo p when more than 20 % of the expected counts of a larger table are below 5
  (:func:`analysis.stats.intervals.independence_test`; ``test_method`` says which); for two groups,
  the difference in proportions with Newcombe's hybrid score interval
  (:func:`analysis.stats.intervals.difference_in_shares`); for more, Cramer's V. ``note`` says
  when the test and the interval disagree about 0 (they are not inversions of each other).

p values are corrected across all outcomes of one call (Holm by default; ``correction="fdr_bh"``
for Benjamini-Hochberg, ``None`` for none). With ``covariates=[...]`` (e.g. sector, role, nation)
the group effect is also estimated controlling for those variables, through
:func:`analysis.stats.models.fit_ols` (numeric outcomes) or :func:`analysis.stats.models.fit_logit`
(0/1 outcomes), with the same correction across outcomes; ``robust="HC3"`` gives the OLS models
HC3 errors and the logistic ones HC0 (the ``robust`` column names the estimator of each row).

With ``weights="w"`` (a column of fixed survey weights) every comparison is design-based, as R's
``survey`` package with ``svydesign(ids = ~1, weights = ~w)`` (linearisation errors; respondents
without a group or an answer stay in the design, as survey keeps them):

- scores: the design Wald F of the group terms of the weighted linear model of the outcome on
  the group (test ``wald_f_linear``, ``regTermTest(svyglm(outcome ~ group, design), ~group,
  method = "Wald")``), on (groups - 1, n - groups) degrees of freedom;
- 0/1 outcomes: Rao-Scott's second-order corrected Pearson chi-square as an F (test
  ``rao_scott_f``, ``svychisq(~outcome + group, design, statistic = "F")``, R's default;
  :func:`~analysis.stats.survey_design.rao_scott_f`), on non-integer degrees of freedom;
- for two groups, the estimate is the weighted difference in means or shares (first group minus
  second) with its linearisation error and t interval on n - 2 degrees of freedom: minus the
  coefficient of the second group in the weighted linear model, which equals
  ``svycontrast(svyby(~outcome, ~group, design, svymean, covmat = TRUE), c(1, -1))``;
- for more groups, the test only (no weighted effect size, no Games-Howell pairs: ``note`` says so);
- the descriptives are the weighted means and shares of
  :func:`~analysis.stats.estimates.group_means` / :func:`~analysis.stats.estimates.prevalence`
  with ``weights=``; the adjusted models :func:`~analysis.stats.models.fit_ols` /
  :func:`~analysis.stats.models.fit_logit` with ``weights=``. Counts (``n``) stay unweighted and
  suppression is as without weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats
from statsmodels.stats.multitest import multipletests

from ..arguments import as_names, check_call
from ..deprecations import old_calls, warn
from ..disclosure import (
    DEFAULT_THRESHOLD,
    PRIMARY,
    SECONDARY,
    few_either_side,
    hidden_groups,
)
from ..errors import Problem, fail
from ..measures.scoring import respondents
from .estimates import group_means, prevalence
from .intervals import (
    N_SIMULATIONS,
    SEED,
    hedges_g,
    independence_test,
    interval_note,
    levels,
    share_difference,
)
from .survey_design import design_weights, rao_scott_f

#: The columns of :attr:`GroupComparison.tests`, in order.
TEST_COLUMNS = ["outcome", "test", "statistic", "df1", "df2", "p_value", "adjusted_p_value", "test_method", "measure",
                "estimate", "std_error", "conf_low", "conf_high", "robust_test", "robust_statistic", "robust_p_value",
                "robust_measure", "robust_estimate", "small_expected", "note", "suppressed"]
#: The columns of :attr:`GroupComparison.pairs`, in order.
PAIR_COLUMNS = ["outcome", "group_a", "group_b", "n_a", "n_b", "measure", "estimate", "std_error", "statistic", "df",
                "p_value", "conf_low", "conf_high", "hedges_g", "suppressed"]
CORRECTIONS = ("holm", "fdr_bh", None)


@dataclass
class GroupComparison:
    """Result of :func:`compare_groups`.

    Attributes
    ----------
    tests : DataFrame
        One row per outcome (:data:`TEST_COLUMNS`). ``measure`` names the effect in
        ``estimate``: ``hedges_g`` (first group minus second), ``omega_squared``,
        ``difference_in_shares`` (first minus second) or ``cramers_v`` (with ``weights``:
        ``difference_in_means`` or ``difference_in_shares``, first minus second, for two groups,
        with its ``std_error``; blank for more groups); ``robust_measure``
        that of the robustness check (``rank_biserial``). When any group has fewer respondents
        than the threshold (or, for a 0/1 outcome, fewer than the threshold with or without the
        outcome), the row keeps only the outcome and test name and is marked ``primary``.
        ``test_method`` is ``"asymptotic"``, ``"exact"`` (Fisher) or ``"monte_carlo"`` (seed and
        number of tables in ``note``); ``small_expected`` (0/1 outcomes) is True when an
        expected count is below 5 (when R's ``chisq.test`` warns); ``note`` says what was done
        about small expected counts and when the test and the interval disagree about 0.
    pairs : DataFrame
        Games-Howell comparisons for outcomes with more than two groups (:data:`PAIR_COLUMNS`):
        ``estimate`` is mean A minus mean B (``measure`` ``"mean_difference"``); pairs involving
        a group under the threshold are blanked. Empty with ``weights`` (no design-based
        pairwise comparisons; the ``note`` of the tests row says so).
    descriptives : DataFrame
        Each group's mean or share with its interval: :func:`~analysis.stats.estimates.group_means`
        (numeric outcomes) and :func:`~analysis.stats.estimates.prevalence` (0/1 outcomes) of the
        respondents with a group, without a total row, so primary suppression only. With
        ``weights``: weighted, with ``weighted_n`` and ``deff`` (``n``, ``count`` unweighted).
    adjusted : DataFrame or None
        With ``covariates``: ``outcome, model`` (ols/logit), ``term`` (``by[level]``: that group
        MINUS the first group, the opposite direction to the two-group ``tests`` row),
        ``estimate, std_error, statistic, p_value, adjusted_p_value, conf_low, conf_high,
        odds_ratio, n, covariates, robust`` (``"HC3"`` for OLS or ``"HC0"`` for logit with
        ``robust="HC3"``, ``"linearisation (weights: w)"`` with ``weights``, else ``"none"``),
        ``suppressed``.
    """

    tests: pd.DataFrame
    pairs: pd.DataFrame
    descriptives: pd.DataFrame
    adjusted: pd.DataFrame | None = None


def _old_order(args, kwargs):
    """0.1 called ``compare_groups(data, group, outcomes)``: a single column name where the
    outcomes go, followed by the outcomes."""
    if len(args) >= 3 and isinstance(args[1], str):
        warn("compare_groups(data, group, outcomes)", "call compare_groups(data, outcomes, by=group)", stacklevel=4)
        data, group, outcomes, *rest = args
        names = ("covariates", "correction", "level", "threshold")
        return (data, outcomes), {"by": group} | dict(zip(names, rest)) | kwargs
    return args, kwargs


@old_calls(renamed={"adjust": "covariates", "group": "by"}, convert=_old_order)
def compare_groups(data: pd.DataFrame, outcomes, *, by: str, covariates=None, correction: str | None = "holm",
                   level: float = 0.95, threshold: int = DEFAULT_THRESHOLD, robust: str | None = None,
                   n_sim: int = N_SIMULATIONS, seed: int = SEED, weights: str | None = None) -> GroupComparison:
    """Compare the groups of ``by`` on several outcomes, choosing the test by the number of
    groups and the kind of outcome (see the module docstring).

    Parameters
    ----------
    data : DataFrame or Wave
        Respondent-level data (:func:`analysis.analysis_frame`).
        A loaded ``Wave`` is taken as ``analysis_frame(wave)``.
    outcomes : str or list of str
        Numeric or 0/1 columns.
    by : str
        Grouping column (e.g. ``bme``, ``sector``). Respondents with a missing group are left out.
    covariates : list of str, optional
        Covariates for adjusted group effects (e.g. ``["sector", "role", "nation"]``).
    correction : {"holm", "fdr_bh", None}
        Multiple-comparison correction across the outcomes.
    level : float
        Confidence level of the intervals.
    threshold : int
        Disclosure threshold.
    robust : None or "HC3"
        Errors of the adjusted models: ``"HC3"`` gives the OLS models HC3 errors
        (:func:`~analysis.stats.models.fit_ols`) and the logistic ones HC0 (the estimator
        :func:`~analysis.stats.models.fit_logit` offers); only with ``covariates``.
    n_sim, seed : int
        Monte Carlo tables and seed of a p value for a table with small expected counts
        (:func:`~analysis.stats.intervals.independence_test`).
    weights : str, optional
        A column of fixed survey weights: design-based comparisons (see the module docstring):
        the design Wald F of the group terms of the weighted linear model (scores, R's
        ``regTermTest(svyglm(...), ~group, method = "Wald")``) or Rao-Scott's corrected chi-square
        F (0/1 outcomes, ``svychisq(..., statistic = "F")``); for two groups the
        weighted difference in means or shares with its linearisation error; weighted
        descriptives. Not with ``robust`` (weights already give linearisation errors).

    Returns
    -------
    GroupComparison

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"g": np.repeat(["a", "b"], 50), "y": rng.normal(size=100)})
    >>> compare_groups(d, "y", by="g").tests[["test", "measure"]].values.tolist()
    [['welch_t', 'hedges_g']]

    Weighted (``w`` a column of fixed weights):

    >>> r = compare_groups(d.assign(w=np.tile([1.0, 2.0], 50)), "y", by="g", weights="w").tests
    >>> r[["test", "measure"]].values.tolist()
    [['wald_f_linear', 'difference_in_means']]
    """
    if weights is not None and robust is not None:
        fail("bad argument", f"robust={robust!r} and weights={weights!r} were both given; weighted comparisons "
             "already have design-based (linearisation) errors", "pick one: leave robust out with weights",
             source="compare_groups()")
    data = respondents(data, "compare_groups()")
    if weights is not None:
        design_weights(data, weights, "compare_groups()")
    outcomes = as_names(outcomes, "outcomes", "compare_groups()")
    covariates = as_names(covariates, "covariates", "compare_groups()")
    problems = [Problem("bad argument", None, f"by={by!r} is also an {role}: a column cannot be compared across "
                        "its own groups", f"group by another column, or leave {by!r} out of the {role}s", place="")
                for role, names in (("outcome", outcomes), ("covariate", covariates)) if by in names]
    if correction not in CORRECTIONS:
        fail("bad argument", f"correction={correction!r}", 'use "holm", "fdr_bh" or None', source="compare_groups()")
    if robust not in (None, "HC3"):
        fail("bad argument", f"robust={robust!r} is not supported", 'use robust=None or robust="HC3"',
             source="compare_groups()")
    if not isinstance(n_sim, (int, np.integer)) or isinstance(n_sim, bool) or n_sim < 99:
        fail("bad argument", f"n_sim={n_sim!r}; the Monte Carlo p needs a whole number of tables",
             "pass e.g. n_sim=9999 (at least 99)", source="compare_groups()")
    threshold = check_call("compare_groups()", data, level=level, threshold=threshold, problems=problems,
                           columns={"by": [by], "outcome": outcomes, "covariate": covariates})
    groups = levels(data[by])
    rows, pairs = [], []
    for outcome in outcomes:
        sub = _complete(data, by, outcome)
        present = [lv for lv in groups if (sub[by] == lv).any()]
        sizes = {lv: int((sub[by] == lv).sum()) for lv in present}
        _check_groups(by, outcome, present, sizes)
        binary = _binary(sub[outcome])
        hidden = hidden_groups(data, by, outcome, threshold=threshold, binary=binary)
        row = dict.fromkeys(TEST_COLUMNS, np.nan) | {"outcome": outcome, "suppressed": ""}
        if weights is not None:
            row |= _weighted_test(data, by, outcome, present, binary, level, weights)
        elif binary:
            row |= _binary_test(sub, by, outcome, present, level, n_sim, seed)
        elif len(present) == 2:
            row |= _two_group_test(sub, by, outcome, present, level)
        else:
            row |= _many_group_test(sub, by, outcome, present)
            pairs.append(_games_howell(sub, outcome, by, present, sizes, level, hidden))
        if any(lv in hidden for lv in present):
            # A test or effect involving a hidden group (too few respondents, or with or without
            # the outcome, or hidden to protect such a group) would let a reader recover its
            # figures from the others': nothing but the outcome and test is shown.
            mark = PRIMARY if any(hidden.get(lv) == PRIMARY for lv in present) else SECONDARY
            row = {k: (v if k in ("outcome", "test") else np.nan) for k, v in row.items()} | {"suppressed": mark,
                                                                                             "note": ""}
        rows.append(row)
    tests = pd.DataFrame(rows, columns=TEST_COLUMNS)
    tests["adjusted_p_value"] = adjusted_p(tests["p_value"], correction)
    pair_table = pd.concat(pairs, ignore_index=True) if pairs else pd.DataFrame(columns=PAIR_COLUMNS)
    descriptives = _descriptives(data, by, outcomes, level, threshold, weights)
    adjusted = (_adjusted(data, by, groups, outcomes, covariates, correction, level, threshold, robust, weights)
                if covariates else None)
    return GroupComparison(tests, pair_table, descriptives, adjusted)


# --------------------------------------------------------------------------------------------
# The phases of a comparison
# --------------------------------------------------------------------------------------------


def _complete(data: pd.DataFrame, by: str, outcome: str) -> pd.DataFrame:
    """The respondents with a group and an answer, the outcome as float."""
    sub = data.loc[data[by].notna() & data[outcome].notna(), [by, outcome]].copy()
    sub[outcome] = sub[outcome].astype(float)
    return sub


def _check_groups(by: str, outcome: str, present: list, sizes: dict) -> None:
    if len(present) < 2:
        fail("too few groups", f"'{by}' has {len(present)} group(s) with answers to '{outcome}'",
             "compare at least two groups", column=by, source="compare_groups()")
    small = [lv for lv, n in sizes.items() if n < 2]
    if small:
        fail("group too small", f"group(s) {small} of '{by}' have fewer than 2 respondents for '{outcome}'",
             "merge or drop these groups before comparing", column=by, source="compare_groups()")


def _binary(x: pd.Series) -> bool:
    return set(pd.unique(x.dropna())) <= {0.0, 1.0}


def _binary_test(sub: pd.DataFrame, by: str, outcome: str, present: list, level: float, n_sim: int,
                 seed: int) -> dict:
    """Pearson's chi-square (Fisher's exact test or a Monte Carlo p with small expected counts);
    the difference in shares with Newcombe's interval (two groups) or Cramer's V (more)."""
    table = pd.crosstab(sub[by], sub[outcome])
    if len(present) == 2:
        x1, x0 = (sub.loc[sub[by] == lv, outcome] for lv in present)
        test, diff, note = share_difference(table.to_numpy(), x1, x0, level, n_sim=n_sim, seed=seed)
    else:
        test = independence_test(table.to_numpy(), n_sim=n_sim, seed=seed)
    row = {"test": test["test"], "statistic": test["statistic"], "df1": test["df"], "p_value": test["p_value"],
           "test_method": test["test_method"], "small_expected": test["small_expected"], "note": test["note"]}
    if len(present) == 2:
        return row | {"measure": "difference_in_shares", "estimate": diff["estimate"],
                      "conf_low": diff["conf_low"], "conf_high": diff["conf_high"], "note": note}
    if table.shape[1] < 2:  # nobody (or everybody) has the outcome: no association to measure
        return row | {"measure": "cramers_v"}
    n = table.to_numpy().sum()
    v = np.sqrt(test["statistic"] / (n * (min(table.shape) - 1)))   # Pearson's chi-square, computed once
    return row | {"measure": "cramers_v", "estimate": v}


def _two_group_test(sub: pd.DataFrame, by: str, outcome: str, present: list, level: float) -> dict:
    """Welch's t with Hedges' g and its noncentral-t interval; Mann-Whitney U with the rank-biserial r."""
    x1, x0 = (sub.loc[sub[by] == lv, outcome] for lv in present)
    t = pg.ttest(x1, x0, correction=True, confidence=level)
    g = hedges_g(x1, x0, level)
    u = pg.mwu(x1, x0, method="asymptotic")
    p = float(t["p_val"].iloc[0])
    return {"test": "welch_t", "statistic": float(t["T"].iloc[0]), "df1": float(t["dof"].iloc[0]),
            "p_value": p, "test_method": "asymptotic", "measure": "hedges_g", "estimate": g["estimate"],
            "conf_low": g["conf_low"], "conf_high": g["conf_high"], "robust_test": "mann_whitney_u",
            "robust_statistic": float(u["U_val"].iloc[0]), "robust_p_value": float(u["p_val"].iloc[0]),
            "robust_measure": "rank_biserial", "robust_estimate": float(u["RBC"].iloc[0]),
            "note": interval_note(p, g["conf_low"], g["conf_high"], level, "Welch's t",
                                  "the interval of g (from Student's pooled t)")}


def _weighted_test(data: pd.DataFrame, by: str, outcome: str, present: list, binary: bool, level: float,
                   weights: str) -> dict:
    """The design-based comparison: the Wald F of the group terms of the weighted linear model
    (scores) or Rao-Scott's corrected chi-square F (0/1), and for two groups the weighted
    difference (first minus second) from the weighted linear model. All respondents stay in the
    design (those without a group or an answer drop out of the estimates only, as in ``survey``)."""
    from .models import fit_ols

    frame = data.assign(**{by: pd.Categorical(data[by], categories=present)})
    linear = fit_ols(frame, outcome, [by], level=level, weights=weights)
    row = {"test": "rao_scott_f" if binary else "wald_f_linear",
           "test_method": f"linearisation (weights: {weights})", "note": ""}
    if binary:
        test = rao_scott_f(frame[outcome].to_numpy(dtype="float64", na_value=np.nan),
                           frame[by].astype(object),
                           design_weights(data, weights, "compare_groups()"))
        if np.isnan(test["statistic"]):
            row["note"] = "the outcome takes one value among these respondents: no test"
    else:
        fit = linear.fit.iloc[0]
        test = {k: float(fit[f"robust_f_{k}"]) for k in ("statistic", "df1", "df2", "p_value")}
    row |= test
    if len(present) > 2:
        return row | {"note": "; ".join(n for n in (row["note"], "more than two groups: the design-based test only "
                                                    "(no weighted effect size and no pairwise comparisons)") if n)}
    c = linear.coefficients.set_index("term").loc[f"{by}[{present[1]}]"]
    row |= {"measure": "difference_in_shares" if binary else "difference_in_means", "estimate": -float(c["estimate"]),
            "std_error": float(c["std_error"]), "conf_low": -float(c["conf_high"]),
            "conf_high": -float(c["conf_low"])}
    if binary and not row["note"]:
        row["note"] = interval_note(row["p_value"], row["conf_low"], row["conf_high"], level,
                                    "the Rao-Scott test", "the interval of the weighted difference")
    return row


def _many_group_test(sub: pd.DataFrame, by: str, outcome: str, present: list) -> dict:
    """Welch's ANOVA with omega squared from the classical one-way ANOVA."""
    w = pg.welch_anova(data=sub, dv=outcome, between=by)
    a = pg.anova(data=sub, dv=outcome, between=by, detailed=True)
    ss_b, ss_w = float(a["SS"].iloc[0]), float(a["SS"].iloc[1])
    ms_w = ss_w / float(a["DF"].iloc[1])
    omega2 = (ss_b - (len(present) - 1) * ms_w) / (ss_b + ss_w + ms_w)
    return {"test": "welch_anova", "statistic": float(w["F"].iloc[0]), "df1": float(w["ddof1"].iloc[0]),
            "df2": float(w["ddof2"].iloc[0]), "p_value": float(w["p_unc"].iloc[0]), "test_method": "asymptotic",
            "measure": "omega_squared", "estimate": omega2}


def _games_howell(sub: pd.DataFrame, outcome: str, by: str, present: list, sizes: dict, level: float,
                  hidden: dict) -> pd.DataFrame:
    """Games-Howell pairs (pingouin) with intervals from the studentized range; pairs with a
    hidden group (:func:`analysis.disclosure.hidden_groups`) blanked."""
    gh = pg.pairwise_gameshowell(data=sub.assign(**{by: pd.Categorical(sub[by], categories=present)}),
                                 dv=outcome, between=by)
    q = stats.studentized_range.ppf(level, len(present), gh["df"].to_numpy()) / np.sqrt(2)
    n = {str(k): v for k, v in sizes.items()}
    out = pd.DataFrame({
        "outcome": outcome, "group_a": gh["A"].astype(str), "group_b": gh["B"].astype(str),
        "n_a": gh["A"].astype(str).map(n), "n_b": gh["B"].astype(str).map(n), "measure": "mean_difference",
        "estimate": gh["diff"], "std_error": gh["se"], "statistic": gh["T"], "df": gh["df"], "p_value": gh["pval"],
        "conf_low": gh["diff"] - q * gh["se"], "conf_high": gh["diff"] + q * gh["se"], "hedges_g": gh["hedges"]})
    marks = [hidden.get(a, "") if hidden.get(a) == PRIMARY else hidden.get(b, "") or hidden.get(a, "")
             for a, b in zip(out["group_a"], out["group_b"])]
    small = np.array([m != "" for m in marks], dtype=bool)
    out.loc[small, out.columns[out.columns.get_loc("estimate"):]] = np.nan
    out.loc[small, ["n_a", "n_b"]] = np.nan  # a hidden group's size is its own figure
    out["suppressed"] = marks
    return out


def adjusted_p(p: pd.Series, correction: str | None) -> pd.Series:
    """p values corrected across the family (the tested ones; NaN stays NaN): Holm (``"holm"``),
    Benjamini-Hochberg (``"fdr_bh"``) or none (None), as R's ``p.adjust``. Shared by
    :func:`compare_groups` and :func:`~analysis.stats.wave_comparison.compare_waves`.

    Examples
    --------
    >>> adjusted_p(pd.Series([0.01, 0.04, np.nan]), "holm").round(3).tolist()
    [0.02, 0.04, nan]
    """
    out = pd.Series(np.nan, index=p.index)
    tested = p.notna().to_numpy()
    if tested.any():
        out[tested] = multipletests(p[tested], method=correction)[1] if correction else p[tested]
    return out


def _descriptives(data: pd.DataFrame, by: str, outcomes: list, level: float, threshold: int,
                  weights: str | None = None) -> pd.DataFrame:
    """Each group's share (0/1 outcomes) or mean (others), in outcome order; weighted (with
    ``weighted_n`` and ``deff``) with ``weights``, in the whole design as ``svyby``."""
    parts = []
    for outcome in outcomes:
        sub = data.loc[data[by].notna()]
        make = prevalence if _binary(sub[outcome].astype(float)) else group_means
        extra = {} if weights is None else {"weights": weights}
        parts.append(make(sub if weights is None else data, outcome, by=by, total=False, level=level,
                          threshold=threshold, **extra))
    table = pd.concat(parts, ignore_index=True)
    table["group"] = table["group"].astype(str)
    front = ["outcome", "group", "measure", "n", "count"] + ([] if weights is None else ["weighted_n"]) + [
        "estimate", "std_error"] + ([] if weights is None else ["deff"]) + ["sd", "conf_low", "conf_high"]
    return table.reindex(columns=front + ["suppressed"])


def _adjusted(data, by, groups, outcomes, covariates, correction, level, threshold, robust=None,
              weights=None) -> pd.DataFrame:
    """The group effects of a regression of each outcome on the group and the covariates."""
    from .models import fit_logit, fit_ols

    # The group enters as categories (a numeric 0/1/2 code must not become a linear trend).
    data = data.assign(**{by: pd.Categorical(data[by], categories=groups)})
    rows = []
    for outcome in outcomes:
        binary = _binary(data[outcome])
        errors = ("HC0" if binary else "HC3") if robust else None
        fit = (fit_logit if binary else fit_ols)(data, outcome, [by], covariates=covariates, level=level,
                                                 **({"robust": errors} if errors else {}),
                                                 **({"weights": weights} if weights is not None else {}))
        hidden = set(hidden_groups(data, by, outcome, threshold=threshold, binary=binary)) | _hidden_in_model(
            fit, by, groups, binary, threshold)
        coefs = fit.coefficients
        for _, c in coefs[coefs["term"].str.startswith(f"{by}[")].iterrows():
            small = c["term"][len(by) + 1:-1] in {str(h) for h in hidden} or str(groups[0]) in {str(h) for h in hidden}
            figures = {k: (np.nan if small else c[k]) for k in
                       ("estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high")}
            rows.append({"outcome": outcome, "model": "logit" if binary else "ols", "term": c["term"]} | figures
                        | {"odds_ratio": np.nan if small or not binary else c["odds_ratio"], "n": fit.n,
                           "covariates": ", ".join(covariates),
                           "robust": fit.fit["robust"].item() if weights is not None else errors or "none",
                           "suppressed": "primary" if small else ""})
    out = pd.DataFrame(rows)
    out.insert(out.columns.get_loc("p_value") + 1, "adjusted_p_value", adjusted_p(out["p_value"], correction))
    return out


def _hidden_in_model(fit, by: str, groups: list, binary: bool, threshold: int) -> set:
    """Groups too small among the model's own respondents: fewer than ``threshold`` of them, or
    (0/1 outcome) fewer than ``threshold`` with or without the outcome. The reference group
    (the first) counts too: every effect rests on it."""
    exog = pd.DataFrame(fit.model.model.exog, columns=fit.model.model.exog_names)
    y = np.asarray(fit.model.model.endog, dtype=float)
    dummies = {str(lv): exog[f"{by}[{lv}]"].to_numpy() == 1 for lv in groups[1:] if f"{by}[{lv}]" in exog}
    members = {str(groups[0]): ~np.any(np.column_stack(list(dummies.values())), axis=1) if dummies else
               np.ones(len(y), bool)} | dummies
    hidden = set()
    for lv, mask in members.items():
        n = int(mask.sum())
        if n < threshold or (binary and few_either_side(float(y[mask].sum()), n, threshold)):
            hidden.add(lv)
    return hidden
