"""Do the findings hold? Three checks of how much the headline results depend on choices.

- :func:`weighting_check`: the headline shares and means unweighted and weighted to population
  margins (raking, :func:`~analysis.stats.weights.rake_weights`), side by side, with the
  difference and whether the weighted interval still covers the unweighted figure;
- :func:`error_check`: one regression's coefficients with classical, HC3, cluster-robust (CR1)
  and multilevel (random intercept, :func:`~analysis.stats.mixed.fit_mixed`) standard errors side
  by side, with the intraclass correlation;
- :func:`missing_data_check`: the same regression on complete cases (listwise) and on multiply
  imputed data (:func:`~analysis.stats.imputation.impute`, pooled by Rubin's rules).

Every number comes from the functions that compute it elsewhere in the package; these functions
only put them side by side. :mod:`analysis.outputs.narrative` says what changed
(``weighting_sentence``, ``errors_sentence``, ``missing_data_sentence``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..arguments import DEFAULT_THRESHOLD, RESULTS, as_names, check_call, checked
from ..errors import fail
from ..measures.scoring import respondents
from ..stats.estimates import group_means, prevalence
from ..stats.imputation import impute, pool_fits
from ..stats.mixed import fit_mixed
from ..stats.models import fit_ols
from ..stats.weights import Margins, load_margins, rake_weights

#: The column of raking weights :func:`weighting_check` adds to the data it weights.
WEIGHT_COLUMN = "raking_weight"

#: The error types of :func:`error_check`, in order.
ERRORS = ("classical", "HC3", "CR1", "multilevel")


def _is_share(x: pd.Series) -> bool:
    values = pd.to_numeric(x, errors="coerce").dropna()
    return bool(len(values)) and bool(values.isin([0, 1]).all())


@checked(findings=RESULTS)
def headline_outcomes(findings: pd.DataFrame) -> list:
    """The columns of the headline shares and means of the whole sample, from
    :func:`analysis.key_findings` (benchmarks, gaps between groups and changes left out): what
    :func:`weighting_check` weights.

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["intend_leave_job", "intend_leave_job", "pss4", "hse_demands", "racism"],
    ...                   "group": ["All", "All", "All", "All", "bme"],
    ...                   "measure": ["share", "difference_in_shares", "mean", "mean", "share"],
    ...                   "p20": [None, None, None, 2.94, None]})
    >>> headline_outcomes(t)
    ['intend_leave_job', 'pss4']
    """
    rows = findings[(findings["group"] == "All") & findings["measure"].isin(["share", "mean"])
                    & findings["p20"].isna()]
    return list(dict.fromkeys(rows["outcome"]))


def weighting_check(frame, margins, outcomes, *, level: float = 0.95, threshold: int = DEFAULT_THRESHOLD,
                    trim=None) -> pd.DataFrame:
    """Headline figures unweighted and weighted to population margins, side by side.

    Parameters
    ----------
    frame : DataFrame or Wave
        Respondents (:func:`analysis.analysis_frame`).
    margins : dict, Margins or str
        Population margins, as :func:`~analysis.stats.weights.rake_weights` takes them (e.g.
        ``"uk_social_workers_example"``, whose figures are illustrative examples).
    outcomes : str or list of str
        Columns to estimate: a 0/1 column gives a share (:func:`~analysis.stats.estimates.prevalence`,
        Wilson interval unweighted), any other numeric column a mean
        (:func:`~analysis.stats.estimates.group_means`, t interval unweighted).
    level : float
        Confidence level of the intervals.
    threshold : int
        Disclosure threshold (figures on fewer respondents are suppressed).
    trim : tuple (low, high), optional
        Passed to :func:`~analysis.stats.weights.rake_weights`.

    Returns
    -------
    DataFrame
        One row per outcome: ``outcome, measure`` (``share`` or ``mean``), ``n`` (respondents
        weighted and answering), ``unweighted_estimate, unweighted_std_error,
        unweighted_conf_low, unweighted_conf_high``, then the weighted ``estimate, std_error,
        conf_low, conf_high`` (design-based linearisation errors, weights taken as fixed, as
        ``svydesign(ids = ~1, weights = ~w)``; the logit interval of ``svyciprop`` for a share, a z
        interval for a mean), ``design_effect`` (of the estimate, ``deff``),
        ``difference`` (weighted minus unweighted), ``covers_unweighted`` (the weighted interval
        contains the unweighted estimate), ``n_not_weighted`` (respondents dropped because a
        margin variable is missing: raking cannot weight them), ``weights_design_effect``
        (Kish's, of the weights), ``margins_status`` (``example``, ``published`` or ``given``)
        and ``suppressed``. Both figures rest on the same respondents: those with every margin
        variable.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"nation": ["a"] * 30 + ["b"] * 10, "y": [1, 0] * 15 + [1] * 10,
    ...                   "score": [float(i % 7) for i in range(40)]})
    >>> t = weighting_check(d, {"nation": {"a": 50, "b": 50}}, ["y", "score"], threshold=5)
    >>> t[["outcome", "measure", "n"]].values.tolist()
    [['y', 'share', 40.0], ['score', 'mean', 40.0]]
    >>> t[["unweighted_estimate", "estimate"]].iloc[0].round(3).tolist()   # 25/40; (0.5 + 1) / 2
    [0.625, 0.75]
    """
    caller = "weighting_check()"
    frame = respondents(frame, caller)
    names = as_names(outcomes, "outcomes", caller)
    if isinstance(margins, str):
        margins = load_margins(margins)
    counts = margins.counts if isinstance(margins, Margins) else margins
    if not isinstance(counts, dict):
        fail("bad argument", f"margins= is {type(margins).__name__}; weighting_check() expects margins as "
             "rake_weights() takes them", "pass e.g. margins='uk_social_workers_example'", source=caller)
    threshold = check_call(caller, frame, columns={"outcomes": names, "margins": list(counts)}, level=level,
                           threshold=threshold)
    data = frame.dropna(subset=list(counts))
    raked = rake_weights(data, margins, trim=trim)
    data = data.assign(**{WEIGHT_COLUMN: raked.weights})
    rows = []
    for outcome in names:
        function = prevalence if _is_share(data[outcome]) else group_means
        plain = function(data, outcome, level=level, threshold=threshold).iloc[0]
        weighted = function(data, outcome, weights=WEIGHT_COLUMN, level=level, threshold=threshold).iloc[0]
        hidden = "suppressed" in plain and plain["suppressed"] not in ("", None) and not pd.isna(plain["suppressed"])
        rows.append({
            "outcome": outcome, "measure": plain["measure"], "n": float(plain["n"]),
            "unweighted_estimate": plain["estimate"], "unweighted_std_error": plain["std_error"],
            "unweighted_conf_low": plain["conf_low"], "unweighted_conf_high": plain["conf_high"],
            "estimate": weighted["estimate"], "std_error": weighted["std_error"], "conf_low": weighted["conf_low"],
            "conf_high": weighted["conf_high"], "design_effect": weighted.get("deff", np.nan),
            "difference": weighted["estimate"] - plain["estimate"],
            "covers_unweighted": bool(weighted["conf_low"] <= plain["estimate"] <= weighted["conf_high"]),
            "n_not_weighted": float(len(frame) - len(data)),
            "weights_design_effect": raked.design_effect,
            "margins_status": str(raked.report["margins_status"].iloc[0]),
            "suppressed": plain["suppressed"] if hidden else weighted.get("suppressed", "")})
    table = pd.DataFrame(rows)
    hidden = table["suppressed"].astype(str) != ""
    numbers = [c for c in table.columns if c.endswith(("estimate", "std_error", "conf_low", "conf_high"))
               or c in ("design_effect", "difference")]
    table.loc[hidden, numbers] = np.nan
    return table


def _cluster_fit(data, outcome, names, cluster, kw):
    # The model's Wald F with CR1 errors has fewer degrees of freedom than terms when there are few
    # clusters; statsmodels warns of it (ValueWarning). Only the coefficients are used here; the
    # package's own warning below 20 clusters still reaches the caller.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="covariance of constraints does not have full rank")
        return fit_ols(data, outcome, names, cluster=cluster, **kw)


@dataclass
class ErrorCheck:
    """One regression with four kinds of standard errors (:func:`error_check`).

    Attributes
    ----------
    coefficients : DataFrame
        One row per term and kind of errors (``errors``: ``classical``, ``HC3``, ``CR1``,
        ``multilevel``): ``term, errors, estimate, std_error, statistic, p_value, conf_low,
        conf_high, se_ratio`` (std_error / the classical std_error of the term),
        ``excludes_zero`` and ``n``.
    fit : DataFrame
        The multilevel model's fit (:func:`~analysis.stats.mixed.fit_mixed`): ``n, n_groups,
        var_group, var_residual, icc``, the group sizes (the smallest blank when under the
        threshold), with ``group_column`` and ``cluster_column`` naming the columns.
    """

    coefficients: pd.DataFrame
    fit: pd.DataFrame


def error_check(frame, outcome: str, predictors, *, cluster: str, group: str | None = None, covariates=None,
                level: float = 0.95, threshold: int = DEFAULT_THRESHOLD) -> ErrorCheck:
    """A linear regression's coefficients with classical, HC3, cluster-robust and multilevel errors.

    Parameters
    ----------
    frame : DataFrame or Wave
        Respondents (:func:`analysis.analysis_frame`).
    outcome : str
    predictors, covariates : str or list of str
        As :func:`~analysis.stats.models.fit_ols`.
    cluster : str
        Column of the clusters for the CR1 errors (``sandwich::vcovCL(type = "HC1")``), e.g.
        ``"employer"``. Below 20 clusters :func:`~analysis.stats.models.fit_ols` warns that CR1
        errors are unreliable.
    group : str, optional
        Column of the random intercept of the multilevel model (default ``cluster``).
    level : float
        Confidence level of the intervals.
    threshold : int
        Disclosure threshold: no group smaller than it is shown on its own.

    Returns
    -------
    ErrorCheck
        ``coefficients`` (long: one row per term and kind of errors) and ``fit`` (the ICC).

    Notes
    -----
    All four fits use the same respondents: those with the outcome, every predictor and covariate,
    the cluster and the group. Classical, HC3 and CR1 share the OLS estimates; the multilevel
    estimates are its own (generalised least squares at the REML variances), with Wald z
    intervals, as ``lme4``.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(25), 12)
    >>> x = rng.normal(size=300)
    >>> d = pd.DataFrame({"y": 0.5 * x + rng.normal(size=25)[g] + rng.normal(size=300), "x": x, "team": g})
    >>> r = error_check(d, "y", "x", cluster="team")
    >>> r.coefficients.query("term == 'x'")["errors"].tolist()
    ['classical', 'HC3', 'CR1', 'multilevel']
    >>> int(r.fit["n_groups"].iloc[0]), 0 < float(r.fit["icc"].iloc[0]) < 1
    (25, True)
    """
    caller = "error_check()"
    frame = respondents(frame, caller)
    names = as_names(predictors, "predictors", caller)
    extra = as_names(covariates, "covariates", caller) if covariates is not None else []
    group = cluster if group is None else group
    threshold = check_call(caller, frame, columns={"outcome": [outcome], "predictors": names, "covariates": extra,
                                                    "cluster": [cluster], "group": [group]},
                           level=level, threshold=threshold)
    used = list(dict.fromkeys([outcome, *extra, *names, cluster, group]))
    data = frame.dropna(subset=used)
    kw = {"covariates": covariates, "level": level}
    fits = {"classical": fit_ols(data, outcome, names, **kw),
            "HC3": fit_ols(data, outcome, names, robust="HC3", **kw),
            "CR1": _cluster_fit(data, outcome, names, cluster, kw)}
    mixed = fit_mixed(data, outcome, names, group=group, covariates=covariates, level=level, threshold=threshold)
    columns = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
    parts = [r.coefficients[columns].assign(errors=k, n=float(r.n)) for k, r in fits.items()]
    parts.append(mixed.coefficients[columns].assign(errors="multilevel", n=float(mixed.n)))
    table = pd.concat(parts, ignore_index=True)
    classical = fits["classical"].coefficients.set_index("term")["std_error"]
    table["se_ratio"] = table["std_error"] / table["term"].map(classical)
    table["excludes_zero"] = (table["conf_low"] > 0) | (table["conf_high"] < 0)
    order = {t: i for i, t in enumerate(fits["classical"].coefficients["term"])}
    table = table.sort_values(["term", "errors"], key=lambda s: s.map(order) if s.name == "term"
                              else s.map({e: i for i, e in enumerate(ERRORS)}), kind="stable")
    table = table[["term", "errors", *columns[1:], "se_ratio", "excludes_zero", "n"]].reset_index(drop=True)
    fit = mixed.fit.assign(group_column=group, cluster_column=cluster)
    return ErrorCheck(table, fit)


def missing_data_check(wave_or_frame, outcome: str, predictors, *, m: int = 10, seed: int, iterations: int = 5,
                       covariates=None, variables=None, robust: str | None = None,
                       level: float = 0.95) -> pd.DataFrame:
    """A linear regression on complete cases (listwise) and on multiply imputed data, side by side.

    Parameters
    ----------
    wave_or_frame : Wave or DataFrame
        A loaded wave (items are imputed and scales re-scored from them) or a DataFrame (its
        columns are imputed as they are); see :func:`~analysis.stats.imputation.impute`.
    outcome : str
    predictors, covariates : str or list of str
        As :func:`~analysis.stats.models.fit_ols`.
    m : int
        Completed data sets (default 10: enough for the estimates; 20 or more for stable errors).
    seed : int
        Seed of the imputations (stated in the table).
    iterations : int
        Cycles of each chain (R's ``maxit``).
    variables : list of str, optional
        Columns to impute (for a wave, a scale's name stands for its items). Default: the outcome
        and the numeric predictors, which keeps imputation quick; categorical covariates are not
        imputed (respondents missing them are dropped in both fits).
    robust : {None, "HC3", ...}
        Errors of each fit (None: classical), the same in both.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    DataFrame
        One row per term and ``method`` (``listwise``, ``multiple_imputation``): ``term, method,
        estimate, std_error, statistic, df, p_value, conf_low, conf_high, n, fmi`` (fraction of
        missing information, imputed rows), ``difference`` (estimate minus the listwise one),
        ``se_ratio`` (std_error over the listwise one), ``excludes_zero``, ``m, seed,
        iterations``. The imputed rows are pooled by Rubin's rules with Barnard-Rubin df
        (:func:`~analysis.stats.imputation.pool_fits`); the listwise df is the residual df.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"x": rng.normal(size=120), "z": rng.normal(size=120)})
    >>> d["y"] = 1 + d["x"] + d["z"] + rng.normal(size=120)
    >>> d.loc[::4, "x"] = np.nan
    >>> t = missing_data_check(d, "y", ["x", "z"], m=5, seed=3)
    >>> t.query("term == 'x'")[["method", "n"]].values.tolist()
    [['listwise', 90.0], ['multiple_imputation', 120.0]]
    """
    caller = "missing_data_check()"
    frame = respondents(wave_or_frame, caller)
    names = as_names(predictors, "predictors", caller)
    extra = as_names(covariates, "covariates", caller) if covariates is not None else []
    check_call(caller, frame, columns={"outcome": [outcome], "predictors": names, "covariates": extra}, level=level)
    if variables is None:
        variables = [c for c in [outcome, *names] if pd.api.types.is_numeric_dtype(frame[c])]
    kw = {"covariates": covariates, "robust": robust, "level": level}
    listwise = fit_ols(frame, outcome, names, **kw)
    imputations = impute(wave_or_frame, m, seed=seed, variables=variables, iterations=iterations)
    pooled = pool_fits([fit_ols(f, outcome, names, **kw) for f in imputations.frames], level=level)
    columns = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
    first = listwise.coefficients[columns].assign(method="listwise", n=float(listwise.n), fmi=np.nan,
                                                  df=float(listwise.fit["f_df2"].iloc[0]))
    second = pooled.coefficients[[*columns, "df", "fmi"]].assign(method="multiple_imputation",
                                                                  n=float(pooled.fit["n"].iloc[0]))
    table = pd.concat([first, second], ignore_index=True)
    base = listwise.coefficients.set_index("term")
    table["difference"] = table["estimate"] - table["term"].map(base["estimate"])
    table["se_ratio"] = table["std_error"] / table["term"].map(base["std_error"])
    table["excludes_zero"] = (table["conf_low"] > 0) | (table["conf_high"] < 0)
    order = {t: i for i, t in enumerate(base.index)}
    table = table.sort_values(["term", "method"], key=lambda s: s.map(order) if s.name == "term" else s,
                              kind="stable")
    table = table.assign(m=m, seed=int(seed), iterations=iterations)
    return table[["term", "method", "estimate", "std_error", "statistic", "df", "p_value", "conf_low", "conf_high",
                  "n", "fmi", "difference", "se_ratio", "excludes_zero", "m", "seed",
                  "iterations"]].reset_index(drop=True)


__all__ = ["ERRORS", "WEIGHT_COLUMN", "ErrorCheck", "error_check", "headline_outcomes", "missing_data_check",
           "weighting_check"]
