"""Regression models on survey waves: OLS (with standardised betas, HC3 errors, VIF and residual
checks), hierarchical steps, moderation with simple slopes, and logistic and ordinal models.

Every model reports its coefficients in one tidy schema (:mod:`analysis.stats.results`): ``term,
estimate, std_error, statistic, p_value, conf_low, conf_high``, plus ``beta`` (OLS) or
``odds_ratio`` with its interval (logistic and ordinal). Fit statistics are a one-row table
(``result.fit``) with plain names (``n``, ``r2``, ``r2_adj``, ...). Every model takes ``f(data,
outcome, predictors, *, covariates=, level=)``. Missing data: listwise deletion over the model's
variables, and the result says how many respondents were lost and for which variable
(``result.dropped``). Categorical covariates enter as indicator columns named ``column[level]``
against the first level in dictionary order (e.g. ``sector[adults]`` against children and
families).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from itertools import combinations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.diagnostic import het_breuschpagan

from ..arguments import (DEFAULT_THRESHOLD, as_instance, as_names, check_call, check_data, check_level,
                         threshold_or_raise, unknown_columns)
from ..deprecations import old_calls
from ..disclosure import few_either_side
from ..errors import SurveyDataError, SurveyDataWarning, fail
from ..measures.scoring import respondents
from .results import ModelResult, fit_table
from .survey_design import MIN_CLUSTERS, cluster_codes, design_covariance, design_weights


def _fail(caller: str, kind: str, message: str, fix: str, column=None):
    fail(kind, message, fix, column=column, source=caller)


@dataclass
class ModelData:
    """The complete cases a model uses, its design matrix and what listwise deletion cost."""

    y: pd.Series
    X: pd.DataFrame  # with a leading "const" column
    n_total: int
    dropped: pd.DataFrame  # variable, n_missing (among all rows), in model order


def model_data(data: pd.DataFrame, outcome: str, terms: list[str], caller: str = "model") -> ModelData:
    """Listwise-complete design for ``outcome ~ terms``, with categorical terms as indicators.

    Raises
    ------
    SurveyDataError
        For unknown columns, a constant predictor, or no complete cases.
    """
    variables = [outcome] + list(terms)
    once = [v for i, v in enumerate(terms) if v not in terms[:i] and v != outcome]  # names need not hash yet
    problems = check_data(data, caller) or (unknown_columns(data, [outcome], "outcome")
                                            + unknown_columns(data, once, "variable"))
    if problems:
        raise SurveyDataError(problems, source=caller, outcome="nothing was computed")
    repeated = sorted({v for v in variables if variables.count(v) > 1})
    if repeated:
        _fail(caller, "repeated variable",
              f"{repeated} named more than once (outcome, predictors and covariates together)",
              "name each variable once")
    if not pd.api.types.is_numeric_dtype(data[outcome].dtype) or pd.api.types.is_bool_dtype(data[outcome].dtype):
        _fail(caller, "bad outcome", f"the outcome '{outcome}' is not numeric ({data[outcome].dtype})",
              "use a numeric outcome (a score or a coded answer)", outcome)
    # Positions, not labels: a duplicated index (e.g. waves stacked without ignore_index) must not
    # repeat rows.
    frame = data[variables].reset_index(drop=True)
    missing = frame.isna()
    dropped = pd.DataFrame({"variable": variables, "n_missing": missing.sum().to_numpy()})
    complete = frame.loc[~missing.any(axis=1)]
    if len(complete) == 0:
        _fail(caller, "no complete cases", f"no respondent has all of {variables}",
              "check the variables' missing values")
    parts = []
    for term in terms:
        x = complete[term]
        if isinstance(x.dtype, pd.CategoricalDtype) or x.dtype == object or pd.api.types.is_string_dtype(x.dtype):
            cats = list(x.cat.categories) if isinstance(x.dtype, pd.CategoricalDtype) else sorted(x.unique())
            present = [c for c in cats if (x == c).any()]
            for level in present[1:]:
                parts.append(pd.Series((x == level).astype(float).to_numpy(), name=f"{term}[{level}]", index=x.index))
            if len(present) < 2:
                _fail(caller, "constant predictor", f"'{term}' has one category among the complete cases",
                      "drop it from the model", term)
        else:
            x = x.astype(float)
            if x.nunique() < 2:
                _fail(caller, "constant predictor", f"'{term}' takes one value among the {len(x)} complete cases",
                      "drop it from the model", term)
            parts.append(x.rename(term))
    X = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=complete.index)
    X.insert(0, "const", 1.0)
    if len(X) <= X.shape[1]:
        _fail(caller, "too few respondents", f"{len(X)} complete cases for {X.shape[1]} parameters",
              "use fewer predictors or more respondents")
    rank = np.linalg.matrix_rank(X.to_numpy())
    if rank < X.shape[1]:
        _fail(caller, "collinear predictors", f"the predictors are linearly dependent (rank {rank} of {X.shape[1]} "
              f"columns: {list(X.columns[1:])})", "drop a predictor that is a combination of the others")
    return ModelData(complete[outcome].astype(float), X, len(data), dropped)


def _tidy(params, se, stat, p, ci, names) -> pd.DataFrame:
    return pd.DataFrame({
        "term": ["(Intercept)" if t == "const" else t for t in names],
        "estimate": np.asarray(params, float), "std_error": np.asarray(se, float),
        "statistic": np.asarray(stat, float), "p_value": np.asarray(p, float),
        "conf_low": np.asarray(ci)[:, 0], "conf_high": np.asarray(ci)[:, 1],
    })


def _standardised_betas(params: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``b_j sd(x_j) / sd(y)`` (ddof=1) for each slope, NaN for the intercept (column 0 of ``X``).

    The slopes of the regression of z-scored y on z-scored columns, without a second fit.
    """
    return np.concatenate([[np.nan], params[1:] * X[:, 1:].std(axis=0, ddof=1) / y.std(ddof=1)])


def _vif(X: np.ndarray) -> np.ndarray:
    """Variance inflation factors of the columns of ``X`` after its leading constant column.

    ``VIF_j = 1 / (1 - R²_j)``, with R²_j from regressing column j on the others and an intercept,
    is the j-th diagonal element of the inverse of the columns' correlation matrix: one small
    k x k inversion instead of one regression on all respondents per column. Valid because the
    model has an intercept.
    """
    Z = X[:, 1:]
    if Z.shape[1] == 1:
        return np.ones(1)  # nothing to regress on: R² = 0
    return np.diag(np.linalg.inv(np.corrcoef(Z, rowvar=False))).copy()


@dataclass(repr=False)
class OLSResult(ModelResult):
    """A fitted linear model.

    Attributes
    ----------
    coefficients : DataFrame
        ``term, estimate, std_error, statistic (t), p_value, conf_low, conf_high, beta``; with
        ``robust="HC3"`` the errors, t, p and intervals are HC3 (the coefficients are not).
    fit : DataFrame
        One row: ``n, n_lost, r2, r2_adj, f_statistic, f_df1, f_df2, f_p_value`` (the classical
        F test of all slopes), ``robust_f_statistic, robust_f_df1, robust_f_df2, robust_f_p_value``
        (the robust Wald F test of all slopes with the HC3 covariance, blank unless
        ``robust="HC3"``), ``sigma`` (residual SD) and ``robust`` (the error estimator, ``"HC3"``
        or ``"none"``).
    dropped : DataFrame
        ``variable, n_missing``: why respondents were lost to listwise deletion.
    model : statsmodels results
    vif : DataFrame
        ``term, vif`` per predictor column.
    diagnostics : DataFrame
        One row: ``shapiro_w, shapiro_p_value`` (residual normality; Shapiro-Wilk, at most 5,000
        residuals), ``breusch_pagan_statistic, breusch_pagan_df, breusch_pagan_p_value``
        (Koenker's studentised version, as R's ``lmtest::bptest``), ``cooks_threshold`` (4/n) and
        ``n_influential`` (Cook's D above it).
    """

    vif: pd.DataFrame = None
    diagnostics: pd.DataFrame = None


def _terms(predictors, covariates, caller: str) -> list:
    """Covariates then predictors, each one name or a list."""
    return as_names(covariates, "covariates", caller) + as_names(predictors, "predictors", caller)


@old_calls(positional=("covariates", "robust", "level"))
def fit_ols(data: pd.DataFrame, outcome: str, predictors, *, covariates=None, robust: str | None = None,
            level: float = 0.95, weights: str | None = None, cluster: str | None = None) -> OLSResult:
    """Ordinary least squares with standardised betas, optional HC3 errors and diagnostics.

    Parameters
    ----------
    data : DataFrame or Wave
        Respondent-level data (:func:`analysis.analysis_frame`).
        A loaded ``Wave`` is taken as ``analysis_frame(wave)``.
    outcome : str
    predictors, covariates : str or list of str
        Covariates enter the model like predictors; they are listed first.
    robust : None or "HC3"
        ``"HC3"`` gives heteroscedasticity-consistent errors (MacKinnon and White's HC3, R's
        ``sandwich::vcovHC(type = "HC3")``), with t tests on the residual degrees of freedom
        (``lmtest::coeftest(m, vcov = vcovHC(m, type = "HC3"), df = df.residual(m))``), and the fit
        table adds the robust Wald F test of all slopes with that covariance, F = W / q on (q,
        n - k) degrees of freedom (``lmtest::waldtest(m, vcov = vcovHC(m, type = "HC3"))``) beside
        the classical F.
    level : float
        Confidence level of the intervals.
    weights : str, optional
        A column of fixed survey weights: weighted least squares with the design-based
        (linearisation) covariance of R's ``svyglm(..., design = svydesign(ids = ~1, weights =
        ~w))`` (gaussian), t tests and intervals on n - k degrees of freedom as ``summary`` and
        ``confint`` of ``svyglm``; with ``cluster`` too, see there; not with ``robust`` (the
        errors are already sandwich errors). The fit
        table adds ``weighted_n``; ``r2`` and ``r2_adj`` are the weighted R squared; the classical
        F is blank and the robust F is the Wald F of all slopes with the design covariance on (q,
        df) degrees of freedom (R's ``regTermTest(m, ~..., method = "Wald")``); VIFs and betas describe the unweighted sample, the diagnostics the
        weighted fit (residuals times sqrt(w), as R's ``lm(..., weights = w)``).
    cluster : str, optional
        A column of clusters (e.g. ``"employer"``). Without weights: CR1 cluster-robust errors,
        statsmodels' ``cov_type="cluster"``, equal to R's ``sandwich::vcovCL(m, cluster = ~g, type
        = "HC1")`` (G/(G-1) x (n-1)/(n-k)), with t tests on G - 1 degrees of freedom (statsmodels'
        and Stata's convention); the robust F is the Wald F with that covariance. With weights:
        the covariance of ``svyglm`` with ``svydesign(ids = ~g, weights = ~w)`` (G/(G-1), no
        (n-1)/(n-k)), t on G - k degrees of freedom. A row without a cluster is an error naming
        it, one cluster is an error, and fewer than 20 clusters (among the complete cases) give a
        :class:`~analysis.errors.SurveyDataWarning`; with fewer clusters than slopes + 1 the
        cluster covariance of the slopes is singular and the robust F is blank. Not with
        ``robust`` (pick one). The fit table
        adds ``n_clusters``; its ``robust`` column names the estimator, e.g. ``"CR1 (cluster:
        employer)"`` or ``"linearisation (weights: weight; cluster: employer)"``.

    Returns
    -------
    OLSResult
        Standardised betas are ``b_j sd(x_j) / sd(y)`` (SDs of the complete cases, indicator
        columns included), which equals the slopes of a fit on z-scored outcome and predictor
        columns, R's ``lm(scale(y) ~ scale(x1) + ...)``. VIFs are the diagonal of the inverse of the
        predictors' correlation matrix, which equals ``1 / (1 - R²_j)`` of the regression of each
        predictor column on the others (R's ``car::vif`` for one-column terms).

    Examples
    --------
    >>> import pandas as pd, numpy as np
    >>> d = pd.DataFrame({"y": [1.0, 2.0, 2.5, 4.0, 5.5], "x": [1.0, 2.0, 3.0, 4.0, 5.0]})
    >>> r = fit_ols(d, "y", "x")
    >>> round(float(r.coefficients.set_index("term").loc["x", "estimate"]), 3), r.n
    (1.1, 5)
    >>> fit_ols(d.assign(w=[1.0, 2.0, 1.0, 2.0, 1.0]), "y", "x", weights="w").fit["robust"].item()
    'linearisation (weights: w)'
    """
    data = respondents(data, "fit_ols()")
    if robust not in (None, "HC3"):
        _fail("fit_ols()", "bad argument", f"robust={robust!r} is not supported", 'use robust=None or robust="HC3"')
    _check_level(level, "fit_ols()")
    w_all, g_all = _design_columns(data, weights, cluster, robust, "fit_ols()")
    md = model_data(data, outcome, _terms(predictors, covariates, "fit_ols()"), "fit_ols()")
    rows = md.X.index.to_numpy()
    groups = _model_clusters(g_all, rows, cluster, "fit_ols()")
    design = None
    if weights is not None:
        w = w_all[rows]
        res = sm.WLS(md.y, md.X, weights=w).fit()
        design = _linearised(res.params.to_numpy(), md.X.to_numpy(), w, 1.0, res.resid.to_numpy(), groups,
                             _units(data, g_all), level, len(rows))
        res_r = None
        se, tval, pval, ci = design["se"], design["t"], design["p"], design["ci"]
    else:
        res = sm.OLS(md.y, md.X).fit()
        if cluster is not None:
            res_r = res.get_robustcov_results(cov_type="cluster", groups=groups, use_t=True)
        else:
            res_r = res.get_robustcov_results(cov_type=robust, use_t=True) if robust else None
        if res_r is not None:
            se, tval, pval, ci = res_r.bse, res_r.tvalues, res_r.pvalues, res_r.conf_int(1 - level)
        else:
            se, tval, pval, ci = res.bse, res.tvalues, res.pvalues, res.conf_int(1 - level).to_numpy()
    coefs = _tidy(res.params, se, tval, pval, ci, md.X.columns)
    Xv = md.X.to_numpy()
    coefs["beta"] = _standardised_betas(res.params.to_numpy(), Xv, md.y.to_numpy())
    vif = pd.DataFrame({"term": list(md.X.columns[1:]), "vif": _vif(Xv)})
    checked = res
    if weights is not None:  # the weighted fit as the OLS of sqrt(w) y on sqrt(w) X (R's lm(weights = w))
        root = np.sqrt(w_all[rows])
        checked = sm.OLS(md.y.to_numpy() * root, md.X.to_numpy() * root[:, None]).fit()
    resid = checked.resid
    sw = stats.shapiro(resid[:5000])
    bp = het_breuschpagan(resid, Xv, robust=True)
    cooks = checked.get_influence().cooks_distance[0]
    n = int(res.nobs)
    if design is not None:
        f_tests = design["f_tests"]
    elif cluster is not None and int(groups.max()) < Xv.shape[1] - 1:
        f_tests = _f_tests(res)  # G - 1 < q: the CR1 covariance of the slopes is singular, no Wald F
    else:
        f_tests = _f_tests(res, res_r)
    fit = fit_table(n=n, n_lost=md.n_total - n, r2=res.rsquared, r2_adj=res.rsquared_adj, **f_tests,
                    sigma=float(np.sqrt(res.scale)), robust=_estimator(robust, weights, cluster),
                    **_design_counts(w_all, rows, groups, weights, cluster))
    diagnostics = fit_table(shapiro_w=float(sw.statistic), shapiro_p_value=float(sw.pvalue),
                            breusch_pagan_statistic=float(bp[0]), breusch_pagan_df=Xv.shape[1] - 1,
                            breusch_pagan_p_value=float(bp[1]), cooks_threshold=4 / n,
                            n_influential=int((cooks > 4 / n).sum()))
    return OLSResult(coefs, fit, md.dropped, res, vif=vif, diagnostics=diagnostics)


def _f_tests(res, res_r=None) -> dict:
    """The F tests of all slopes = 0 of an OLS fit, for its fit table.

    ``f_statistic, f_df1, f_df2, f_p_value``: the classical F (R's ``summary(lm)``);
    ``robust_f_statistic, robust_f_df1, robust_f_df2, robust_f_p_value``: the Wald test of the same
    hypothesis with the robust covariance of ``res_r`` (statsmodels' ``f_test``: F = W / q on (q,
    n - k) degrees of freedom, R's ``lmtest::waldtest(m, vcov = sandwich::vcovHC(m, type =
    "HC3"))``), blank without one.
    """
    out = {"f_statistic": float(res.fvalue), "f_df1": float(res.df_model), "f_df2": float(res.df_resid),
           "f_p_value": float(res.f_pvalue)}
    names = list(res.model.exog_names)
    slopes = np.delete(np.eye(len(names)), names.index("const"), axis=0)
    if res_r is None:
        robust = dict.fromkeys(["statistic", "df1", "df2", "p_value"], np.nan)
    else:
        test = res_r.f_test(slopes)
        robust = {"statistic": float(np.squeeze(test.fvalue)), "df1": float(test.df_num),
                  "df2": float(test.df_denom), "p_value": float(test.pvalue)}
    return out | {f"robust_f_{k}": v for k, v in robust.items()}


def _design_columns(data, weights, cluster, robust, caller: str):
    """The weights (float array) and cluster codes of every row, checked; None where not asked."""
    if cluster is not None and robust is not None:
        _fail(caller, "bad argument", f"robust={robust!r} and cluster={cluster!r} were both given; they are two "
              "different error estimators", "pick one: robust=... for heteroscedasticity-consistent errors, or "
              "cluster=... for cluster-robust ones")
    if weights is not None and robust is not None:
        _fail(caller, "bad argument", f"robust={robust!r} and weights={weights!r} were both given; weighted models "
              "already have design-based (sandwich) errors", "leave robust out with weights")
    w = design_weights(data, weights, caller) if weights is not None else None
    g = cluster_codes(data, cluster, caller) if cluster is not None else None
    return w, g


def _model_clusters(g_all, rows: np.ndarray, cluster, caller: str):
    """The cluster codes of the model's complete cases; one cluster is an error, fewer than
    ``MIN_CLUSTERS`` a warning."""
    if g_all is None:
        return None
    groups = pd.factorize(g_all[rows], sort=True)[0]
    G = int(groups.max()) + 1
    if G < 2:
        _fail(caller, "one cluster", f"the complete cases of the model are all in one '{cluster}' cluster",
              "use a column with many clusters, or leave cluster out", cluster)
    if G < MIN_CLUSTERS:
        warnings.warn(f"{caller}: only {G} clusters of '{cluster}' among the complete cases; cluster-robust "
                      f"errors are unreliable below {MIN_CLUSTERS} clusters (they tend to be too small)",
                      SurveyDataWarning, stacklevel=3)
    return groups


def _linearised(b, X, w, v, r, groups, units, level, n) -> dict:
    """Design-based (linearisation) inference for a weighted fit, as R's ``svyglm``: the bread
    (X' diag(w v) X)^-1 with v the working weight (1 for least squares, p(1 - p) for the logit),
    the scores w r x_i with r the response residual, and :func:`_design_tests` on their sandwich."""
    bread = np.linalg.inv(X.T @ ((w * v)[:, None] * X))
    scores = (w * r)[:, None] * X
    return _design_tests(b, design_covariance(bread, scores, groups, units), groups, level, n)


def _design_tests(b: np.ndarray, V: np.ndarray, groups, level: float, n: int) -> dict:
    """t tests, intervals and the Wald F of all slopes of ``b`` with the design covariance ``V``,
    on G - k degrees of freedom as ``svyglm`` (G = clusters, or respondents without clusters):
    ``summary(m)`` and ``confint(m)``. The F is W / q on (q, G - k) with W the Wald statistic of
    the slopes (coefficients after the first)."""
    G = n if groups is None else int(groups.max()) + 1
    df = G - len(b)
    se = np.sqrt(np.diag(V))
    t = b / se
    q = stats.t.ppf(1 - (1 - level) / 2, df)
    slopes, Vs = b[1:], V[1:, 1:]
    full = df > 0 and np.linalg.matrix_rank(Vs) == len(slopes)  # fewer clusters than slopes: no Wald F
    F = float(slopes @ np.linalg.solve(Vs, slopes) / len(slopes)) if full else np.nan
    f_tests = {"f_statistic": np.nan, "f_df1": np.nan, "f_df2": np.nan, "f_p_value": np.nan,
               "robust_f_statistic": F, "robust_f_df1": float(len(slopes)), "robust_f_df2": float(df),
               "robust_f_p_value": float(stats.f.sf(F, len(slopes), df))}
    return {"se": se, "t": t, "p": 2 * stats.t.sf(np.abs(t), df), "ci": np.column_stack([b - q * se, b + q * se]),
            "df": df, "cov": V, "f_tests": f_tests}


def _units(data, g_all) -> int:
    """The design's number of sampling units: its clusters, or its respondents (all rows of the
    data, those a model loses to missing values included, as ``survey`` counts them)."""
    return len(data) if g_all is None else int(g_all.max()) + 1


def _estimator(robust, weights, cluster) -> str:
    """The name of a model's error estimator, for its fit table's ``robust`` column."""
    if weights is not None:
        return f"linearisation (weights: {weights}" + (f"; cluster: {cluster})" if cluster is not None else ")")
    if cluster is not None:
        return f"CR1 (cluster: {cluster})"
    return robust or "none"


def _design_counts(w_all, rows, groups, weights, cluster) -> dict:
    """``weighted_n`` (with weights) and ``n_clusters`` (with clusters) for a fit table."""
    out = {}
    if weights is not None:
        out["weighted_n"] = float(w_all[rows].sum())
    if cluster is not None:
        out["n_clusters"] = int(groups.max()) + 1
    return out


def residual_checks(result: OLSResult, *, threshold: int = DEFAULT_THRESHOLD, bins: int = 20) -> dict:
    """The two tables a residual plot is drawn from, with no respondent shown on their own.

    Residuals are one value per respondent, so neither table holds individual respondents:

    - ``"bins"``: a 2-D histogram of fitted values (x) and residuals (y) on a ``bins`` x ``bins``
      grid over their range, ``x_low, x_high, y_low, y_high, n``, only bins holding at least
      ``threshold`` respondents (so no lone outlier appears);
    - ``"qq"``: the normal Q-Q plot (:func:`scipy.stats.probplot`): ``theoretical`` (standard
      normal quantile), ``residual`` (the ordered residual) and ``line`` (probplot's straight-line
      fit), only between the 1st and 99th percentiles of the plotting positions, leaving out the
      most extreme residuals, which could belong to identifiable respondents.

    ``attrs`` of each holds ``threshold`` and ``n`` (respondents in the fit).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"x": rng.normal(size=500)}); d["y"] = d.x + rng.normal(size=500)
    >>> checks = residual_checks(fit_ols(d, "y", "x"))
    >>> bool((checks["bins"]["n"] >= 10).all()), list(checks["qq"].columns)
    (True, ['theoretical', 'residual', 'line'])
    """
    as_instance(result, OLSResult, "residual_checks()", "result",
                "pass what fit_ols() returned, e.g. "
                "residual_checks(fit_ols(analysis_frame(wave), 'pss4', ['hse_demands']))")
    threshold = threshold_or_raise(threshold, "residual_checks()")
    fitted = np.asarray(result.model.fittedvalues, dtype="float64")
    resid = np.asarray(result.model.resid, dtype="float64")
    counts, xe, ye = np.histogram2d(fitted, resid, bins=bins)
    i, j = np.nonzero(counts >= threshold)
    cells = pd.DataFrame({"x_low": xe[i], "x_high": xe[i + 1], "y_low": ye[j], "y_high": ye[j + 1],
                          "n": counts[i, j].astype("int64")})
    (theoretical, ordered), (slope, intercept, _) = stats.probplot(resid, dist="norm")
    central = (stats.norm.cdf(theoretical) >= 0.01) & (stats.norm.cdf(theoretical) <= 0.99)
    qq = pd.DataFrame({"theoretical": theoretical[central], "residual": ordered[central],
                       "line": intercept + slope * theoretical[central]})
    for table in (cells, qq):
        table.attrs.update(threshold=threshold, n=int(result.model.nobs))
    return {"bins": cells, "qq": qq}


def _check_level(level, caller: str) -> None:
    problems = check_level(level)
    if problems:
        raise SurveyDataError(problems, source=caller, outcome="nothing was computed")



def fit_hierarchical(data: pd.DataFrame, outcome: str, steps: list) -> pd.DataFrame:
    """Hierarchical regression: each step adds terms to the previous ones.

    All steps use the same respondents: those complete on every variable of the last step.

    Parameters
    ----------
    data : DataFrame or Wave
        A loaded ``Wave`` is taken as ``analysis_frame(wave)``.
    outcome : str
    steps : str or list
        One entry per step: the terms it adds (a name or a list of names); one name is one step
        of one term.

    Returns
    -------
    DataFrame
        One row per step: ``step, added, n, r2, r2_adj``, ``measure`` (``"r2_change"``),
        ``estimate`` (the change in R squared), and the F test of the added terms ``statistic,
        df1, df2, p_value`` (R's ``anova(m1, m2)``; the first step against the empty model).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> d = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80)})
    >>> d["y"] = d.a + 0.5 * d.b + rng.normal(size=80)
    >>> fit_hierarchical(d, "y", ["a", "b"])[["step", "added", "n"]].values.tolist()
    [[1, 'a', 80], [2, 'b', 80]]
    """
    data = respondents(data, "fit_hierarchical()")
    steps = [as_names(step, "steps", "fit_hierarchical()") for step in as_names(steps, "steps", "fit_hierarchical()")]
    everything = [t for step in steps for t in step]
    md = model_data(data, outcome, everything, "fit_hierarchical()")
    complete = data.reset_index(drop=True).loc[md.y.index]
    rows, prev, terms = [], None, []
    for i, step in enumerate(steps, 1):
        terms = terms + list(step)
        m = model_data(complete, outcome, terms, "fit_hierarchical()")
        res = sm.OLS(m.y, m.X).fit()
        if prev is None:
            f, p, df1 = res.fvalue, res.f_pvalue, res.df_model
            delta = res.rsquared
        else:
            f, p, df1 = res.compare_f_test(prev)
            delta = res.rsquared - prev.rsquared
        rows.append({"step": i, "added": ", ".join(step), "n": int(res.nobs), "r2": res.rsquared,
                     "r2_adj": res.rsquared_adj, "measure": "r2_change", "estimate": delta, "statistic": float(f),
                     "df1": float(df1), "df2": float(res.df_resid), "p_value": float(p)})
        prev = res
    return pd.DataFrame(rows)


@dataclass(repr=False)
class ModerationResult(ModelResult):
    """A moderation model.

    Attributes
    ----------
    coefficients, fit, dropped, model
        As every model (:class:`analysis.stats.results.ModelResult`); the coefficients are of the
        mean-centred predictors (with ``robust="HC3"``, HC3 errors, t, p and intervals); ``fit``
        has ``n, n_lost, r2, r2_adj``, the classical and robust F tests of all slopes as in
        :class:`OLSResult` (``f_statistic`` ..., ``robust_f_statistic`` ..., the robust ones blank
        without ``robust``) and ``robust`` (``"HC3"`` or ``"none"``).
    simple_slopes : DataFrame
        The focal predictor's slope at low / mean / high (-1 SD, mean, +1 SD) levels of each
        moderator: ``<moderator>_level`` (``moderator_level`` with one moderator),
        ``<moderator>_centred`` (the centred value), ``measure`` (``"simple_slope"``),
        ``estimate, std_error, statistic, p_value, conf_low, conf_high`` (errors from the HC3
        covariance with ``robust="HC3"``).
    centring : DataFrame
        ``variable, mean, sd``: the means subtracted and the SDs that define low and high.
    plot_data : DataFrame
        The predicted outcome over the focal predictor from -1 SD to +1 SD (11 points) for each
        combination of moderator levels, covariates at their means: the levels, ``focal_sd``
        (-1.0 to 1.0), ``focal_value`` (in the predictor's units), ``measure``
        (``"predicted_mean"``), ``estimate, std_error, conf_low, conf_high`` (t intervals of the
        mean prediction, as ``predict(..., interval = "confidence")`` in R; from the HC3
        covariance with ``robust="HC3"``).
    """

    simple_slopes: pd.DataFrame = None
    centring: pd.DataFrame = None
    plot_data: pd.DataFrame = None


@old_calls(positional=("covariates", "level"))
def fit_moderation(data: pd.DataFrame, outcome: str, focal: str, moderators, *, covariates=None,
                   robust: str | None = None, level: float = 0.95) -> ModerationResult:
    """Moderation by one or two moderators, with mean-centred terms and simple slopes.

    Fits ``outcome ~ focal * moderator1 * moderator2`` (full factorial) on mean-centred variables
    (means and SDs of the complete cases), plus any covariates. The simple slope of ``focal`` at
    moderator values (c, m) is ``b_f + b_fc c + b_fm m + b_fcm c m`` with its error from the
    coefficient covariance, tested on the residual degrees of freedom; a predicted value's
    interval likewise (R: ``interactions::sim_slopes``, ``emmeans``).

    Parameters
    ----------
    data : DataFrame or Wave
        Respondent-level data (:func:`analysis.analysis_frame`). A loaded ``Wave`` is taken as
        ``analysis_frame(wave)``.
    outcome, focal : str
        The outcome and the predictor whose slope is moderated.
    moderators : str or list of str
        One or two moderators.
    covariates : str or list of str, optional
    robust : None or "HC3"
        ``"HC3"``: every error comes from the HC3 covariance (R's ``sandwich::vcovHC(m, type =
        "HC3")``): the coefficients' t tests (``lmtest::coeftest(m, vcov = ..., df =
        df.residual(m))``), the simple slopes' errors sqrt(g'Vg) and the intervals of
        ``plot_data``, all on the residual degrees of freedom; the fit table adds the robust Wald
        F test of all slopes (``lmtest::waldtest(m, vcov = ...)``) beside the classical F.
    level : float
        Confidence level of the intervals.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"x": rng.normal(size=200), "m": rng.normal(size=200)})
    >>> d["y"] = d.x * (1 + d.m) + rng.normal(size=200)
    >>> r = fit_moderation(d, "y", "x", "m")
    >>> r.simple_slopes["moderator_level"].tolist()
    ['low', 'mean', 'high']
    >>> hc3 = fit_moderation(d, "y", "x", "m", robust="HC3")
    >>> hc3.fit["robust"].item(), bool(hc3.fit["robust_f_p_value"].item() < 0.05)
    ('HC3', True)
    """
    data = respondents(data, "fit_moderation()")
    check_call("fit_moderation()", data, columns={"focal": [focal]})
    moderators = as_names(moderators, "moderators", "fit_moderation()")
    covariates = as_names(covariates, "covariates", "fit_moderation()")
    if not 1 <= len(moderators) <= 2:
        _fail("fit_moderation()", "bad argument", "moderation takes one or two moderators",
              "pass moderators=[m] or [m1, m2]")
    if robust not in (None, "HC3"):
        _fail("fit_moderation()", "bad argument", f"robust={robust!r} is not supported",
              'use robust=None or robust="HC3"')
    _check_level(level, "fit_moderation()")
    variables = [focal] + list(moderators)
    md = model_data(data, outcome, variables + covariates, "fit_moderation()")
    try:
        complete = data.reset_index(drop=True).loc[md.y.index, variables].astype(float)
    except (TypeError, ValueError):
        _fail("fit_moderation()", "bad argument", f"the focal predictor and moderators {variables} must be numeric",
              "use numeric scores; enter a categorical moderator through fit_ols with an interaction column")
    means, sds = complete.mean(), complete.std(ddof=1)
    c = complete - means
    cols = {v: c[v] for v in variables}
    names = list(variables)
    for r in range(2, len(variables) + 1):
        for combo in combinations(variables, r):
            name = ":".join(combo)
            cols[name] = np.prod([c[v] for v in combo], axis=0)
            names.append(name)
    X = pd.DataFrame(cols)[names]
    if covariates:
        cov = md.X.drop(columns=["const"] + [v for v in variables if v in md.X.columns])
        X = pd.concat([X, cov], axis=1)
    X.insert(0, "const", 1.0)
    res = sm.OLS(md.y, X).fit()
    res_r = res.get_robustcov_results(cov_type=robust, use_t=True) if robust else None
    used = res_r if robust else res  # the errors of every table below
    coefs = _tidy(res.params, used.bse, used.tvalues, used.pvalues, np.asarray(used.conf_int(1 - level)), X.columns)
    V = np.asarray(used.cov_params())
    b = res.params.to_numpy()
    tq = stats.t.ppf(1 - (1 - level) / 2, res.df_resid)
    steps = {"low": -1.0, "mean": 0.0, "high": 1.0}
    grids = [(a,) for a in steps] if len(moderators) == 1 else [(a, b_) for a in steps for b_ in steps]
    covariate_means = X.iloc[:, len(names) + 1:].mean()
    rows, plot = [], []
    for grid in grids:
        vals = {m: steps[g] * sds[m] for m, g in zip(moderators, grid)}
        labels = {f"{m}_level" if len(moderators) > 1 else "moderator_level": g for m, g in zip(moderators, grid)}
        slope = pd.Series(0.0, index=X.columns)
        slope[focal] = 1.0
        for name in names:
            parts = name.split(":")
            if focal in parts and len(parts) > 1:
                slope[name] = np.prod([vals[p] for p in parts if p != focal])
        rows.append(labels | {f"{m}_centred": vals[m] for m in moderators} | {"measure": "simple_slope"}
                    | _linear_combination(slope.to_numpy(), b, V, tq, res.df_resid))
        for focal_sd in FOCAL_GRID:
            focal_value = focal_sd * sds[focal]
            x = {focal: focal_value} | vals
            g = pd.Series(0.0, index=X.columns)
            g["const"] = 1.0
            for name in names:
                g[name] = np.prod([x[p] for p in name.split(":")])
            g[covariate_means.index] = covariate_means.to_numpy()  # covariates at their means
            estimate = _linear_combination(g.to_numpy(), b, V, tq, res.df_resid)
            plot.append(labels | {"focal_sd": float(focal_sd), "focal_value": float(focal_value + means[focal]),
                                  "measure": "predicted_mean"}
                        | {k: estimate[k] for k in ("estimate", "std_error", "conf_low", "conf_high")})
    centring = pd.DataFrame({"variable": variables, "mean": means.to_numpy(), "sd": sds.to_numpy()})
    n = int(res.nobs)
    fit = fit_table(n=n, n_lost=md.n_total - n, r2=res.rsquared, r2_adj=res.rsquared_adj, **_f_tests(res, res_r),
                    robust=robust or "none")
    return ModerationResult(coefs, fit, md.dropped, res, simple_slopes=pd.DataFrame(rows), centring=centring,
                            plot_data=pd.DataFrame(plot))


#: Where the focal predictor's predictions are drawn: -1 SD to +1 SD in steps of 0.2 SD.
FOCAL_GRID = np.round(np.linspace(-1.0, 1.0, 11), 10)


def _linear_combination(g: np.ndarray, b: np.ndarray, V: np.ndarray, tq: float, df: float) -> dict:
    """``g'b`` with its standard error sqrt(g'Vg), t test on ``df`` and interval (``tq`` the quantile)."""
    estimate = float(g @ b)
    se = float(np.sqrt(g @ V @ g))
    t = estimate / se
    return {"estimate": estimate, "std_error": se, "statistic": t, "p_value": float(2 * stats.t.sf(abs(t), df)),
            "conf_low": estimate - tq * se, "conf_high": estimate + tq * se}


@dataclass(repr=False)
class LogitResult(ModelResult):
    """A fitted logistic model.

    Attributes
    ----------
    coefficients : DataFrame
        ``term, estimate, std_error, statistic (z), p_value, conf_low, conf_high`` (Wald, on the
        log-odds scale; with ``robust="HC0"`` the errors, z, p and intervals are HC0),
        ``odds_ratio, odds_ratio_conf_low, odds_ratio_conf_high``.
    fit : DataFrame
        One row: ``n, n_events, n_lost, loglik, loglik_null, mcfadden_r2, nagelkerke_r2, auc,
        robust`` (the error estimator, ``"HC0"`` or ``"none"``), ``suppressed`` (``loglik_null``
        in closed form: n [ȳ log ȳ + (1 - ȳ) log(1 - ȳ)]; blank with ``n_events`` and the R
        squared when few respondents have the outcome or lack it).
    marginal_effects : DataFrame
        Average marginal effects on the probability with delta-method errors (analytic Jacobian,
        the model's covariance, so HC0 with ``robust="HC0"``): ``term, measure``
        (``"average_marginal_effect"``), ``effect``: ``"discrete change"`` for a 0/1 predictor and
        each level of a categorical one (the mean over respondents of P(y = 1) at 1, or at the
        level, minus P(y = 1) at 0, or at the reference level, everything else as observed;
        Stata's ``margins, dydx(i.x)``, R's ``marginaleffects::avg_slopes``), ``"derivative"``
        for the others (the mean of b p (1 - p)); ``estimate, std_error, statistic (z), p_value,
        conf_low, conf_high``.
    dropped : DataFrame
    model : statsmodels results
    """

    marginal_effects: pd.DataFrame = None
    design_means: pd.Series = field(repr=False, default=None)
    level: float = 0.95
    cov: np.ndarray = field(repr=False, default=None)  # the design covariance of a weighted fit

    def predicted(self, predictor: str, values=None) -> pd.DataFrame:
        """Predicted probabilities over ``values`` of one predictor (default: 20 points over its
        observed range), the others at their means, with intervals (at the model's ``level``) from
        the linear predictor and the model's covariance (HC0 when fitted with ``robust="HC0"``).

        Returns ``DataFrame`` with ``predictor, value, measure`` (``"probability"``), ``estimate,
        conf_low, conf_high``.
        """
        base = self.design_means.copy()
        if predictor not in base.index:
            _fail("LogitResult.predicted()", "unknown column",
                  f"'{predictor}' is not a numeric predictor of this model",
                  f"use one of {list(base.index[1:])}")
        if values is None:
            x = self.model.model.exog[:, list(base.index).index(predictor)]
            values = np.linspace(x.min(), x.max(), 20)
        rows = []
        V = self.model.cov_params() if self.cov is None else self.cov
        z = stats.norm.ppf(1 - (1 - self.level) / 2)
        for v in values:
            g = base.copy()
            g[predictor] = v
            eta = float(g @ self.model.params)
            se = float(np.sqrt(g @ V @ g))
            rows.append({"predictor": predictor, "value": float(v), "measure": "probability",
                         "estimate": float(1 / (1 + np.exp(-eta))),
                         "conf_low": float(1 / (1 + np.exp(-(eta - z * se)))),
                         "conf_high": float(1 / (1 + np.exp(-(eta + z * se))))})
        return pd.DataFrame(rows)


def _logit_llnull(n_events: int, n: int) -> float:
    """Log-likelihood of the intercept-only logit, in closed form: its maximum likelihood estimate
    is P(y = 1) = ȳ, so llnull = n [ȳ log ȳ + (1 - ȳ) log(1 - ȳ)] (R's ``glm`` null deviance / -2).
    Exact, where statsmodels' ``llnull`` refits the null model by numerical optimisation."""
    n0 = n - n_events
    return float(n_events * np.log(n_events / n) + n0 * np.log(n0 / n))


def _average_marginal_effects(params: np.ndarray, X: np.ndarray, V: np.ndarray, level: float,
                              discrete: dict | None = None, weights: np.ndarray | None = None) -> pd.DataFrame:
    """Average marginal effects of a logit's slopes with delta-method errors (columns ``measure,
    effect, estimate, std_error, statistic, p_value, conf_low, conf_high``; the constant is column
    0 of ``X`` and gets no row).

    ``discrete`` maps the position of each 0/1 column to the positions set to 0 before it is set to
    1 (the column itself, or every indicator of its categorical variable): its effect is the
    average discrete change, ``effect`` ``"discrete change"``, AME_j = mean_i [Λ(x_i¹ b) - Λ(x_i⁰
    b)] with x_i¹ and x_i⁰ respondent i's row with the variable moved to the level and to 0 (the
    reference level), everything else as observed (Stata's ``margins, dydx(i.x)``, R's
    ``marginaleffects::avg_slopes``). Its gradient is mean_i [Λ'(x_i¹ b) x_i¹ - Λ'(x_i⁰ b) x_i⁰].

    Every other column gets the derivative, ``effect`` ``"derivative"``: AME_j = mean_i Λ'(x_i b)
    b_j with Λ' = p (1 - p), whose Jacobian with respect to b is ``J_jk = mean(Λ') δ_jk + b_j
    mean(Λ'(1 - 2p) x_k)``: the same numbers as statsmodels' ``get_margeff(at="overall",
    method="dydx")``, which differentiates the respondent-level effects numerically (k
    complex-step passes over all respondents).

    Var(AME) = J V J' with ``V`` the coefficients' covariance (robust when the model's is).
    With ``weights``, every mean over respondents is the weighted mean (the weights taken as fixed).
    """
    discrete = discrete or {}
    X = np.ascontiguousarray(X)
    n = X.shape[0]
    a = None if weights is None else np.asarray(weights, float) / np.sum(weights)

    def mean(v):
        """The mean over respondents (weighted by ``a``)."""
        return v.mean() if a is None else float(a @ v)

    def mean_rows(v, M):
        """The mean over respondents of v_i times row i of M (weighted by ``a``)."""
        return np.dot(v, M) / n if a is None else (a * v) @ M

    eta = np.dot(X, params)
    e = np.exp(-eta)
    pdf = e / (1 + e) ** 2  # Λ'(η), as statsmodels' Logit.pdf
    p = 1 / (1 + e)
    # Unweighted, the respondent-level effects are averaged in statsmodels' order, so the AMEs are
    # the same numbers as get_margeff's.
    effects = np.dot(pdf[:, None], params[None, :]).mean(0) if a is None else mean(pdf) * params
    jac = np.diag(np.full(len(params), mean(pdf))) + np.outer(params, mean_rows(pdf * (1 - 2 * p), X))
    kinds = np.array(["derivative"] * len(params), dtype=object)
    for j, group in discrete.items():
        ends = []
        for value in (1.0, 0.0):
            Z = X.copy()
            Z[:, group] = 0.0
            Z[:, j] = value
            pz = 1 / (1 + np.exp(-np.dot(Z, params)))
            ends.append((mean(pz), mean_rows(pz * (1 - pz), Z)))
        effects[j] = ends[0][0] - ends[1][0]
        jac[j] = ends[0][1] - ends[1][1]
        kinds[j] = "discrete change"
    cov = (jac @ V @ jac.T)[1:, 1:]
    ame, se = effects[1:], np.sqrt(np.diag(cov))
    q = stats.norm.ppf(1 - (1 - level) / 2)
    return pd.DataFrame({"measure": "average_marginal_effect", "effect": kinds[1:], "estimate": ame,
                         "std_error": se, "statistic": ame / se, "p_value": stats.norm.sf(np.abs(ame / se)) * 2,
                         "conf_low": ame - q * se, "conf_high": ame + q * se})


def _binary_columns(X: pd.DataFrame, terms: list) -> dict:
    """The 0/1 columns of a design (after its constant) and, for each, the columns that move with
    it: every indicator of a categorical term (``term[level]``, all set to 0 at the reference
    level), or the column alone for a numeric 0/1 variable."""
    names = list(X.columns)
    out = {}
    for term in terms:
        if term in names:
            x = X[term].to_numpy()
            if np.isin(x, (0.0, 1.0)).all():
                out[names.index(term)] = [names.index(term)]
        else:
            group = [i for i, c in enumerate(names) if c.startswith(f"{term}[") and c.endswith("]")]
            out.update({i: group for i in group})
    return out


@old_calls(positional=("covariates", "level"))
def fit_logit(data: pd.DataFrame, outcome: str, predictors, *, covariates=None, robust: str | None = None,
              level: float = 0.95, threshold: int = DEFAULT_THRESHOLD, weights: str | None = None,
              cluster: str | None = None) -> LogitResult:
    """Logistic regression of a 0/1 outcome (e.g. ``intend_leave_job``, ``presenteeism_2plus``).

    Parameters
    ----------
    data : DataFrame or Wave
        A loaded ``Wave`` is taken as ``analysis_frame(wave)``.
    outcome : str
        A 0/1 column.
    predictors, covariates : str or list of str
        Covariates enter the model like predictors; they are listed first.
    robust : None or "HC0"
        ``"HC0"``: the sandwich (White) covariance of the coefficients, R's
        ``sandwich::vcovHC(glm, type = "HC0")``, with z tests (``lmtest::coeftest(m, vcov = ...,
        df = Inf)``); the marginal effects' delta-method errors and the intervals of
        :meth:`LogitResult.predicted` use it too. ``"HC3"`` is refused: statsmodels' logit gives
        HC0 under that name, not R's HC3 for a ``glm`` (leverage-corrected).
    level : float
        Confidence level of the (Wald) intervals.
    threshold : int
        Disclosure threshold: when 1 to ``threshold - 1`` respondents have the outcome, or lack
        it, the fit table blanks ``n_events`` and what would give it away (``loglik_null``,
        McFadden's and Nagelkerke's R squared; ``suppressed`` says so).
    weights : str, optional
        A column of fixed survey weights: the weighted (pseudo-) maximum likelihood fit with the
        design-based (linearisation) covariance of R's ``svyglm(..., design = svydesign(ids = ~1,
        weights = ~w), family = quasibinomial())``; ``statistic`` is t, with p values and intervals
        on n - k degrees of freedom, as ``summary`` and ``confint`` of ``svyglm``. The marginal
        effects are weighted averages (with the design covariance), ``loglik`` and ``loglik_null``
        the weighted log-likelihoods, McFadden's and Nagelkerke's R squared computed from them (n
        replaced by the sum of the weights), the AUC unweighted; the fit table adds
        ``weighted_n`` and the design Wald F of all slopes, ``robust_f_statistic, robust_f_df1,
        robust_f_df2, robust_f_p_value`` (F = W / q on (q, n - k), R's ``regTermTest(m, ~...,
        method = "Wald")``). With ``cluster`` too: ``svydesign(ids = ~g, weights = ~w)``, t on G - k.
    cluster : str, optional
        A column of clusters (e.g. ``"employer"``). Without weights: CR1 cluster-robust errors,
        statsmodels' ``cov_type="cluster"``, equal to R's ``sandwich::vcovCL(m, cluster = ~g, type
        = "HC1")`` (G/(G-1) x (n-1)/(n-k)), with z tests. A row without a cluster or a single
        cluster is an error, fewer than 20 clusters a :class:`~analysis.errors.SurveyDataWarning`;
        not with ``robust`` (pick one). The fit table adds ``n_clusters`` and names the estimator
        in ``robust`` (``"CR1 (cluster: employer)"``).

    Returns
    -------
    LogitResult
        R: ``glm(y ~ ..., family = binomial)``; odds ratios ``exp(coef)`` with
        ``exp(confint.default())``. Average marginal effects (``marginal_effects``) are average
        discrete changes for 0/1 predictors and for each level of a categorical one, derivatives
        for the others (``effect`` says which).

    Raises
    ------
    SurveyDataError
        When the outcome is not 0/1 or a predictor separates the outcome perfectly (the odds
        ratio would be infinite).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> d = pd.DataFrame({"x": rng.normal(size=300)})
    >>> d["y"] = (rng.random(300) < 1 / (1 + np.exp(-d.x))).astype(float)
    >>> r = fit_logit(d, "y", "x")
    >>> 0.5 < r.fit["auc"].item() < 1
    True
    >>> d["b"] = (rng.random(300) < 0.5).astype(float)
    >>> fit_logit(d, "y", ["x", "b"], robust="HC0").marginal_effects[["term", "effect"]].values.tolist()
    [['x', 'derivative'], ['b', 'discrete change']]
    >>> d["team"] = np.arange(300) % 30
    >>> fit_logit(d, "y", "x", cluster="team").fit[["robust", "n_clusters"]].values.tolist()
    [['CR1 (cluster: team)', 30]]
    """
    data = respondents(data, "fit_logit()")
    if robust not in (None, "HC0"):
        _fail("fit_logit()", "bad argument", f"robust={robust!r} is not supported (statsmodels' logit has no HC3 "
              "that matches R's glm)", 'use robust=None or robust="HC0"')
    _check_level(level, "fit_logit()")
    w_all, g_all = _design_columns(data, weights, cluster, robust, "fit_logit()")
    terms = _terms(predictors, covariates, "fit_logit()")
    md = model_data(data, outcome, terms, "fit_logit()")
    rows = md.X.index.to_numpy()
    if not set(np.unique(md.y)) <= {0.0, 1.0} or md.y.nunique() < 2:
        _fail("fit_logit()", "bad outcome",
              f"'{outcome}' must take the values 0 and 1; found {sorted(np.unique(md.y))[:6]}",
              "use a binary outcome (e.g. dissatisfied, presenteeism_2plus)", outcome)
    groups = _model_clusters(g_all, rows, cluster, "fit_logit()")
    w = None if weights is None else w_all[rows]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if w is not None:
            res = sm.GLM(md.y, md.X, family=sm.families.Binomial(), var_weights=w).fit(maxiter=200, tol=1e-12)
            converged = bool(res.converged)
        else:
            kwargs = {"cov_type": robust} if robust else {}
            if cluster is not None:
                kwargs = {"cov_type": "cluster", "cov_kwds": {"groups": groups}}
            res = sm.Logit(md.y, md.X).fit(disp=0, maxiter=200, **kwargs)
            converged = res.mle_retvals.get("converged", True)
    separated = any("PerfectSeparation" in type(m.message).__name__ for m in caught)
    if w is not None and not separated:
        fitted = res.predict()
        separated = bool(np.any((fitted < 1e-10) | (fitted > 1 - 1e-10)))
    if separated or not converged:
        _fail("fit_logit()", "perfect separation",
              "some predictor (or category) predicts the outcome perfectly, so its odds "
              "ratio is infinite and the fit does not converge",
              "merge sparse categories or drop the separating predictor")
    p_hat = res.predict()
    y = md.y.to_numpy()
    n = int(res.nobs)
    n_events = int(y.sum())
    if w is not None:
        b = res.params.to_numpy()
        design = _linearised(b, md.X.to_numpy(), w, p_hat * (1 - p_hat), y - p_hat, groups, _units(data, g_all),
                             level, n)
        cov = design["cov"]
        coefs = _tidy(b, design["se"], design["t"], design["p"], design["ci"], md.X.columns)
        W = float(w.sum())
        share = float(np.dot(w, y) / W)
        ll = float(np.dot(w, y * np.log(p_hat) + (1 - y) * np.log1p(-p_hat)))
        ll0 = W * (share * np.log(share) + (1 - share) * np.log1p(-share))
        size = W
        wald = {k: v for k, v in design["f_tests"].items() if k.startswith("robust_f_")}
    else:
        cov = res.cov_params().to_numpy()
        ci = res.conf_int(1 - level).to_numpy()
        coefs = _tidy(res.params, res.bse, res.tvalues, res.pvalues, ci, md.X.columns)
        ll, ll0 = float(res.llf), _logit_llnull(n_events, n)
        size = n
        wald = {}
    coefs = _with_odds_ratios(coefs)
    u = stats.mannwhitneyu(p_hat[y == 1], p_hat[y == 0]).statistic
    auc = float(u / ((y == 1).sum() * (y == 0).sum()))
    ame = _average_marginal_effects(res.params.to_numpy(), res.model.exog, cov, level,
                                    _binary_columns(md.X, terms), weights=w)
    ame.insert(0, "term", list(md.X.columns[1:]))
    fit = fit_table(n=n, n_events=n_events, n_lost=md.n_total - n, loglik=ll, loglik_null=ll0,
                    mcfadden_r2=1 - ll / ll0,
                    nagelkerke_r2=(1 - np.exp(2 * (ll0 - ll) / size)) / (1 - np.exp(2 * ll0 / size)), auc=auc,
                    robust=_estimator(robust, weights, cluster), suppressed="",
                    **_design_counts(w_all, rows, groups, weights, cluster), **wald)
    if few_either_side(n_events, n, threshold_or_raise(threshold, "fit_logit()")):
        # ll0 = n [p log p + (1 - p) log(1 - p)] gives the event rate, and so n_events, back.
        fit[["n_events", "loglik_null", "mcfadden_r2", "nagelkerke_r2"]] = np.nan
        fit["suppressed"] = "primary"
    means = md.X.mean() if w is None else pd.Series(np.average(md.X.to_numpy(), axis=0, weights=w), md.X.columns)
    return LogitResult(coefs, fit, md.dropped, res, marginal_effects=ame, design_means=means, level=level,
                       cov=None if w is None else cov)


def _with_odds_ratios(coefs: pd.DataFrame) -> pd.DataFrame:
    """Add ``odds_ratio`` and its interval: the exponentiated estimate and interval."""
    return coefs.assign(odds_ratio=np.exp(coefs["estimate"]), odds_ratio_conf_low=np.exp(coefs["conf_low"]),
                        odds_ratio_conf_high=np.exp(coefs["conf_high"]))


@dataclass(repr=False)
class OrdinalResult(ModelResult):
    """A proportional-odds (cumulative logit) model.

    Attributes
    ----------
    coefficients : DataFrame
        The slopes, tidy (``statistic`` is Wald's z), with ``odds_ratio, odds_ratio_conf_low,
        odds_ratio_conf_high`` (the exponentiated estimate and Wald interval).
    thresholds : DataFrame
        ``term`` (``"1|2"`` ..., or ``"Never|Once"`` for text categories), ``estimate, std_error,
        statistic, p_value, conf_low, conf_high``: logit P(y <= j) = threshold_j - x b, R's
        ``MASS::polr`` and ``ordinal::clm`` convention.
    fit : DataFrame
        One row: ``n, n_lost, loglik, robust`` (``"none"`` or ``"HC0"``: the errors of both tables).
    dropped : DataFrame
    model : statsmodels results
        An ``OrderedModel`` results object carrying these estimates and the covariance of the
        tables (in ``OrderedModel``'s own parameters: thresholds after the first as log increments,
        converted by the delta method).
    levels : list
        The outcome's categories in the model, lowest first.

    Check the proportional-odds assumption with :meth:`proportional_odds_test`.
    """

    thresholds: pd.DataFrame = None
    design: tuple = field(repr=False, default=None)
    levels: list = field(repr=False, default=None)

    def proportional_odds_test(self) -> pd.DataFrame:
        """Brant's (1990) test of the proportional-odds assumption.

        One binary logit per cut (y > j), then a Wald test that each slope is the same at every
        cut, using the covariance of the cut-wise estimates ``(X'W_jj X)^-1 (X'W_jl X)
        (X'W_ll X)^-1`` with ``W_jl = diag(pi_l - pi_j pi_l)`` (j < l). The construction of Stata's
        ``brant`` and R's ``brant`` package. A small p value says the predictor's effect differs
        across the outcome's categories, so a single odds ratio misdescribes it.

        Returns
        -------
        DataFrame
            ``term`` (``omnibus`` first, then each predictor), ``statistic`` (chi-square), ``df,
            p_value``, and per cut ``slope_above_<cut>``: the slopes of the binary logit of
            y > cut that the test compares.
        """
        y, X = self.design
        levels = np.sort(np.unique(y))[:-1]
        fits = [sm.Logit((y > j).astype(float), X).fit(disp=0) for j in levels]
        pis = [f.predict() for f in fits]
        k = X.shape[1]
        J = len(fits)
        beta = np.concatenate([f.params.to_numpy()[1:] for f in fits])
        Xv = X.to_numpy()
        inv = [np.linalg.inv(Xv.T @ (Xv * (pi * (1 - pi))[:, None])) for pi in pis]
        V = np.zeros(((k - 1) * J, (k - 1) * J))
        for a in range(J):
            for b in range(a, J):
                w = pis[b] - pis[a] * pis[b]
                block = (inv[a] @ (Xv.T @ (Xv * w[:, None])) @ inv[b])[1:, 1:]
                V[a * (k - 1):(a + 1) * (k - 1), b * (k - 1):(b + 1) * (k - 1)] = block
                V[b * (k - 1):(b + 1) * (k - 1), a * (k - 1):(a + 1) * (k - 1)] = block.T
        D = np.zeros(((J - 1) * (k - 1), J * (k - 1)))
        for j in range(1, J):
            D[(j - 1) * (k - 1):j * (k - 1), :k - 1] = np.eye(k - 1)
            D[(j - 1) * (k - 1):j * (k - 1), j * (k - 1):(j + 1) * (k - 1)] = -np.eye(k - 1)

        def wald(rows):
            d = D[rows] @ beta
            chi2 = float(d @ np.linalg.solve(D[rows] @ V @ D[rows].T, d))
            return chi2, len(rows), float(stats.chi2.sf(chi2, len(rows)))

        names = list(X.columns[1:])
        out = [("omnibus",) + wald(list(range(D.shape[0])))]
        for i, name in enumerate(names):
            out.append((name,) + wald([(j - 1) * (k - 1) + i for j in range(1, J)]))
        table = pd.DataFrame(out, columns=["term", "statistic", "df", "p_value"])
        for i, (j, f) in enumerate(zip(levels, fits)):
            cut = j if self.levels is None else self.levels[i]
            table[f"slope_above_{_cut_name(cut)}"] = [np.nan] + list(f.params.to_numpy()[1:])
        return table


def _cut_name(category) -> str:
    """A category in a column name: a number as ``%g`` (``2``), text with spaces as underscores
    (``Two_to_five_times``)."""
    return _label(category).replace(" ", "_")


def _label(value) -> str:
    """A category as it appears in a threshold name: numbers as ``%g``, text as it is."""
    return f"{value:g}" if isinstance(value, (int, float, np.number)) and not isinstance(value, bool) else str(value)


def _ordinal_outcome(data: pd.DataFrame, outcome, order, caller: str):
    """``data`` with a text or categorical outcome replaced by its positions in the order (float,
    NaN where missing), and the categories in that order (``None`` for a numeric outcome).

    An ordered pandas Categorical gives its own order; ``order=[...]`` (lowest first) gives it for
    any column and must hold every value; unordered text without ``order`` is an error.
    """
    if order is not None:
        if isinstance(order, (str, bytes)) or not pd.api.types.is_list_like(order) or len(order) < 2:
            _fail(caller, "bad argument", f"order={order!r} is not a list of categories",
                  "pass the outcome's categories lowest first, e.g. order=['Never', 'Sometimes', 'Often']")
        order = list(order)
        if len(set(map(repr, order))) < len(order):
            _fail(caller, "bad argument", f"order={order!r} names a category more than once",
                  "name each category once, lowest first")
    if not isinstance(outcome, str) or not isinstance(data, pd.DataFrame) or outcome not in data.columns:
        return data, None  # model_data says what is wrong
    x = data[outcome]
    categorical = isinstance(x.dtype, pd.CategoricalDtype)
    text = categorical or x.dtype == object or pd.api.types.is_string_dtype(x.dtype)
    if order is None:
        if not text:
            return data, None
        if not (categorical and x.cat.ordered):
            found = list(x.cat.categories) if categorical else sorted(map(str, x.dropna().unique()))
            _fail(caller, "bad outcome",
                  f"'{outcome}' holds text categories {found[:8]} but says nothing of their order",
                  f"pass order=[...] listing them lowest first, e.g. fit_ordinal(..., order={found[:8]!r}) "
                  "reordered as they rank, or make the column an ordered pandas Categorical", outcome)
        order = list(x.cat.categories)
    values = x.astype(object)
    known = values.isna() | values.isin(order)
    if not known.all():
        stray = sorted(map(str, pd.unique(values[~known])))
        _fail(caller, "bad outcome", f"'{outcome}' has values {stray[:8]} that order={order!r} does not list",
              "list every category in order, lowest first", outcome)
    codes = values.map({v: float(i) for i, v in enumerate(order)}).astype(float)
    data = data.copy(deep=False)
    data[outcome] = codes.to_numpy()
    return data, order


def _cumulative_logit(params: np.ndarray, X: np.ndarray, y: np.ndarray, n_cuts: int):
    """Log-likelihood, per-respondent scores (n x q), Hessian (q x q) and probabilities of the
    answers given, of the proportional-odds model ``logit P(y <= j) = theta_j - x b`` at
    ``params = (b, theta)``; ``y`` holds 0..n_cuts.

    Respondent i in category k has P_i = F(u_i) - F(l_i), with u_i = theta_k - x_i b =
    z_u'params and l_i = theta_(k-1) - x_i b = z_l'params (theta_-1 = -inf, theta_(n_cuts) =
    +inf), F the logistic CDF, f = F(1 - F) and f' = f(1 - 2F). The score is s_i = (f(u_i) z_u -
    f(l_i) z_l) / P_i and the Hessian sum_i [(f'(u_i) z_u z_u' - f'(l_i) z_l z_l') / P_i - s_i s_i'],
    both exact (no finite differences).
    """
    from scipy.special import expit

    n, p = X.shape
    eta = X @ params[:p]
    cuts = np.concatenate([[-np.inf], params[p:], [np.inf]])
    upper, lower = cuts[y + 1] - eta, cuts[y] - eta
    Fu, Fl, Su, Sl = expit(upper), expit(lower), expit(-upper), expit(-lower)
    # 1 - F where both ends are in the upper tail, so the difference keeps its digits.
    prob = np.where(lower > 0, Sl - Su, Fu - Fl)
    fu, fl = Fu * Su, Fl * Sl
    dfu, dfl = fu * (Su - Fu), fl * (Sl - Fl)
    Zu = np.zeros((n, p + n_cuts))
    Zu[:, :p] = -X
    Zl = Zu.copy()
    rows = np.arange(n)
    Zu[rows[y < n_cuts], p + y[y < n_cuts]] = 1.0
    Zl[rows[y > 0], p + y[y > 0] - 1] = 1.0
    scores = (fu[:, None] * Zu - fl[:, None] * Zl) / prob[:, None]
    hessian = (Zu.T @ (Zu * (dfu / prob)[:, None]) - Zl.T @ (Zl * (dfl / prob)[:, None]) - scores.T @ scores)
    return float(np.log(prob).sum()), scores, hessian, prob


def _newton_ordinal(X: np.ndarray, y: np.ndarray, n_cuts: int, caller: str, max_iter: int = 100):
    """Maximum-likelihood (b, theta) by Newton-Raphson with the analytic Hessian, from b = 0 and
    the thresholds of the model without predictors (logits of the cumulative shares), halving a
    step that lowers the log-likelihood or disorders the thresholds (the log-likelihood is concave
    in (b, theta), Pratt 1981). Stops when the largest absolute score sum is below 1e-10 (or the
    step below 1e-13); returns params, log-likelihood, scores, Hessian and the iterations taken.

    A fit that predicts some answer with certainty (probability above 1 - 1e-12, 28 logits from
    the nearest threshold) is separated: the estimates run off to infinity, so it is an error.
    """
    shares = np.cumsum(np.bincount(y, minlength=n_cuts + 1))[:-1] / len(y)
    params = np.concatenate([np.zeros(X.shape[1]), np.log(shares / (1 - shares))])
    ll, scores, hessian, prob = _cumulative_logit(params, X, y, n_cuts)
    for iteration in range(max_iter + 1):
        gradient = scores.sum(axis=0)
        try:
            step = np.linalg.solve(-hessian, gradient)
        except np.linalg.LinAlgError:
            break
        if np.abs(gradient).max() < 1e-10 or np.abs(step).max() < 1e-13 or iteration == max_iter:
            if prob.max() > 1 - 1e-12:
                _fail(caller, "perfect separation",
                      "some predictor (or category) predicts the answers perfectly, so its odds ratio is "
                      "infinite and the fit does not converge",
                      "merge sparse categories or drop the separating predictor")
            if np.abs(gradient).max() < 1e-6:  # below 1e-10 in practice; rounding may stop it sooner
                return params, ll, scores, hessian, iteration
            break
        t = 1.0
        while t > 1e-10:
            trial = params + t * step
            if np.all(np.diff(trial[X.shape[1]:]) > 0):
                new = _cumulative_logit(trial, X, y, n_cuts)
                if np.isfinite(new[0]) and new[0] >= ll - 1e-12 * abs(ll):
                    break
            t /= 2
        else:
            break
        params, (ll, scores, hessian, prob) = trial, new
    _fail(caller, "no convergence", "the ordinal model did not converge",
          "check for a predictor that separates the categories, or merge sparse categories")


@old_calls(positional=("covariates", "level"))
def fit_ordinal(data: pd.DataFrame, outcome: str, predictors, *, covariates=None, level: float = 0.95,
                robust: str | None = None, order=None) -> OrdinalResult:
    """Proportional-odds logistic regression of an ordered outcome (e.g. ``presenteeism_12m``).

    Maximum likelihood by Newton-Raphson with the analytic gradient and Hessian of the
    cumulative-logit log-likelihood, run until the largest score sum is below 1e-10; the
    covariance is the inverse of the analytic Hessian at the optimum (not a finite difference), so
    estimates, thresholds and errors agree with R's ``ordinal::clm`` to about 1e-10.

    Parameters
    ----------
    data : DataFrame or Wave
        A loaded ``Wave`` is taken as ``analysis_frame(wave)``.
    outcome : str
        An ordered outcome with three or more categories: numeric codes, an ordered pandas
        Categorical, or text categories with ``order``. Categories nobody among the complete cases
        gave are left out.
    predictors, covariates : str or list of str
    level : float
        Confidence level of the (Wald) intervals.
    robust : None or "HC0"
        ``"HC0"``: the sandwich covariance H^-1 (sum_i s_i s_i') H^-1 (H the Hessian, s_i the
        respondents' scores), R's ``sandwich::sandwich()`` on a ``clm`` or ``polr`` fit, for the
        errors, z, p and intervals of both tables.
    order : list, optional
        The outcome's categories lowest first (e.g. ``["Never", "Sometimes", "Often"]``); needed
        for text categories that are not an ordered Categorical, and overrides a Categorical's
        order. Thresholds are named by these labels (``"Never|Sometimes"``).

    Returns
    -------
    OrdinalResult
        R: ``ordinal::clm(y ~ ...)`` or ``MASS::polr(y ~ ..., method = "logistic")``, intervals
        as ``confint.default`` (Wald), odds ratios ``exp(coef)``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(3)
    >>> d = pd.DataFrame({"x": rng.normal(size=400)})
    >>> d["y"] = np.digitize(d.x + rng.logistic(size=400), [-1.0, 0.5, 2.0]).astype(float)
    >>> r = fit_ordinal(d, "y", "x")
    >>> r.thresholds["term"].tolist(), 0.7 < r.coefficients["estimate"].item() < 1.3
    (['0|1', '1|2', '2|3'], True)
    >>> d["answer"] = d["y"].map({0: "Never", 1: "Once", 2: "Sometimes", 3: "Often"})
    >>> text = fit_ordinal(d, "answer", "x", order=["Never", "Once", "Sometimes", "Often"], robust="HC0")
    >>> text.thresholds["term"].tolist()[0], text.fit["robust"].item()
    ('Never|Once', 'HC0')
    """
    caller = "fit_ordinal()"
    data = respondents(data, caller)
    from statsmodels.base.model import LikelihoodModelResults
    from statsmodels.miscmodels.ordinal_model import OrderedModel, OrderedResults, OrderedResultsWrapper

    _check_level(level, caller)
    if robust not in (None, "HC0"):
        _fail(caller, "bad argument", f"robust={robust!r} is not supported", 'use robust=None or robust="HC0"')
    data, order = _ordinal_outcome(data, outcome, order, caller)
    md = model_data(data, outcome, _terms(predictors, covariates, caller), caller)
    present = np.sort(md.y.unique())
    if len(present) < 3:
        _fail(caller, "bad outcome", f"'{outcome}' has {len(present)} categories among the complete cases",
              "an ordinal model needs three or more ordered categories; use fit_logit for two", outcome)
    levels = list(present) if order is None else [order[int(c)] for c in present]
    X = md.X.drop(columns="const")
    y = np.searchsorted(present, md.y.to_numpy())
    J = len(levels) - 1
    k = X.shape[1]
    params, ll, scores, hessian, iterations = _newton_ordinal(X.to_numpy(float), y, J, caller)
    try:
        np.linalg.cholesky(-hessian)
    except np.linalg.LinAlgError:
        _fail(caller, "no convergence", "the ordinal model's information matrix is not positive definite",
              "check for a predictor that separates the categories, or merge sparse categories")
    V = np.linalg.inv(-hessian)
    if robust:
        V = V @ (scores.T @ scores) @ V
    se = np.sqrt(np.diag(V))
    z = params / se
    p = 2 * stats.norm.sf(np.abs(z))
    q = stats.norm.ppf(1 - (1 - level) / 2)
    ci = np.column_stack([params - q * se, params + q * se])
    coefs = _with_odds_ratios(_tidy(params[:k], se[:k], z[:k], p[:k], ci[:k], X.columns))
    names = [f"{_label(levels[j])}|{_label(levels[j + 1])}" for j in range(J)]
    thresholds = _tidy(params[k:], se[k:], z[k:], p[k:], ci[k:], names)
    # The statsmodels results behind the tables: OrderedModel's parameters are (b, theta_1,
    # log(theta_2 - theta_1), ...); the covariance is carried over by the delta method.
    endog = pd.Series(pd.Categorical.from_codes(y, categories=levels, ordered=True), index=md.y.index, name=outcome)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = OrderedModel(endog, X, distr="logit")
    cuts = params[k:]
    raw = np.concatenate([params[:k], cuts[:1], np.log(np.diff(cuts))])
    A = np.eye(len(params))
    for j in range(1, J):
        A[k + j, k + j - 1:k + j + 1] = np.array([-1.0, 1.0]) / (cuts[j] - cuts[j - 1])
    mle = LikelihoodModelResults(model, raw, normalized_cov_params=A @ V @ A.T)
    mle.mle_retvals = {"converged": True, "iterations": iterations,
                       "max_abs_gradient": float(np.abs(scores.sum(axis=0)).max())}
    mle.mle_settings = {"optimizer": "newton (analytic Hessian)", "start_params": None}
    results = OrderedResults(model, mle)
    results.hasconst = 0
    if robust:
        results.cov_type = robust
        results.cov_kwds = {"description": "HC0 sandwich: H^-1 (sum of score outer products) H^-1"}
    n = len(y)
    fit = fit_table(n=n, n_lost=md.n_total - n, loglik=ll, robust=robust or "none")
    design_y = md.y if order is None else pd.Series(y.astype(float), index=md.y.index)
    return OrdinalResult(coefs, fit, md.dropped, OrderedResultsWrapper(results), thresholds=thresholds,
                         design=(design_y, md.X), levels=levels)
