"""Multilevel (random-intercept) linear models: respondents nested in employers or teams.

:func:`fit_mixed` fits ``outcome ~ covariates + predictors + (1 | group)`` by restricted maximum
likelihood (REML) with statsmodels' ``MixedLM``, optimised tightly, and reports it as R's
``lme4::lmer`` does: the fixed effects with errors from σ²(X'V⁻¹X)⁻¹ at the REML estimates, the
two variance components and the intraclass correlation. The numbers equal ``lme4::lmer`` to 1e-4
(``tests/reference/design``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from ..arguments import DEFAULT_THRESHOLD, as_names, check_call, not_one_name
from ..errors import SurveyDataError, fail
from ..measures.scoring import respondents
from .models import model_data
from .results import ModelResult, fit_table


class MixedResult(ModelResult):
    """A fitted random-intercept model.

    Attributes
    ----------
    coefficients : DataFrame
        ``term, estimate, std_error, statistic (z), p_value, conf_low, conf_high`` of the fixed
        effects: Wald z tests and intervals (``confint(m, method = "Wald")`` in lme4, which gives
        no p values; the t distribution with Satterthwaite df of ``lmerTest`` is not used).
    fit : DataFrame
        One row: ``n``, ``n_lost``, ``n_groups``, ``var_group`` (random-intercept variance),
        ``var_residual``, ``icc`` (var_group / (var_group + var_residual)), ``reml_loglik``,
        ``group_n_min``, ``group_n_median``, ``group_n_max`` (respondents per group; the minimum is
        blank when it is under the disclosure threshold), ``n_groups_below_threshold``,
        ``threshold`` and ``method`` (``"REML"``).
    dropped : DataFrame
        ``variable, n_missing`` (the grouping column included).
    model : statsmodels MixedLMResults
    """


def _fail(caller: str, kind: str, message: str, fix: str, column=None):
    fail(kind, message, fix, column=column, source=caller)


def _fixed_effects_cov(X: np.ndarray, codes: np.ndarray, var_group: float, var_residual: float) -> np.ndarray:
    """(X'V⁻¹X)⁻¹ with V = σ²_e I + σ²_u ZZ', block by block (Woodbury: V_g⁻¹ = (I - c_g J)/σ²_e
    with c_g = σ²_u / (σ²_e + n_g σ²_u)); this is σ²(X'V*⁻¹X)⁻¹ of lme4's ``vcov()``."""
    sizes = np.bincount(codes)
    sums = np.zeros((len(sizes), X.shape[1]))
    np.add.at(sums, codes, X)
    c = var_group / (var_residual + sizes * var_group)
    info = (X.T @ X - (sums * c[:, None]).T @ sums) / var_residual
    return np.linalg.inv(info)


#: Optimisers tried, each to a tight tolerance; the fit with the highest REML likelihood is kept.
OPTIMISERS = (("bfgs", {"gtol": 1e-10, "maxiter": 5000}), ("lbfgs", {"pgtol": 1e-10, "factr": 10.0, "maxiter": 5000}),
              ("nm", {"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000}), ("powell", {"xtol": 1e-10, "ftol": 1e-12}))


def _reml_fit(model):
    """The REML fit with the highest finite log-likelihood over :data:`OPTIMISERS` (the REML surface
    of one variance can be flat, and one optimiser can stop on the boundary where statsmodels'
    likelihood is not finite); the boundary fit only when no other converged."""
    best, boundary = None, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for method, kwargs in OPTIMISERS:
            try:
                res = model.fit(reml=True, method=method, **kwargs)
            except (np.linalg.LinAlgError, ValueError):
                continue
            if not res.converged:
                continue
            if not np.isfinite(res.llf):
                boundary = boundary or res
            elif best is None or res.llf > best.llf:
                best = res
    return best if best is not None else boundary


def fit_mixed(data, outcome: str, predictors, *, group: str, covariates=None, level: float = 0.95,
              threshold: int = DEFAULT_THRESHOLD) -> MixedResult:
    """A linear model with a random intercept per group, by REML (as ``lme4::lmer``).

    Parameters
    ----------
    data : DataFrame or Wave
        Respondents (:func:`analysis.analysis_frame`).
    outcome : str
    predictors, covariates : str or list of str
        Fixed effects; covariates are listed first. Categorical terms enter as indicators against
        their first level (as :func:`~analysis.stats.models.fit_ols`).
    group : str
        The column the respondents are nested in (e.g. ``"employer"``): one random intercept per
        value. Respondents without a group are dropped with the other missing values.
    level : float
        Confidence level of the Wald intervals.
    threshold : int
        Disclosure threshold: no group of fewer respondents is shown on its own (only counted).

    Returns
    -------
    MixedResult
        Fixed effects in the common schema; ``fit`` with ``var_group``, ``var_residual``, ``icc``
        and the group sizes.

    Notes
    -----
    Fitted with ``statsmodels.MixedLM(...).fit(reml=True)`` by BFGS, L-BFGS, Nelder-Mead and
    Powell, each to a tight tolerance, keeping the fit with the highest REML likelihood. The fixed
    effects are the generalised least squares estimates at the REML variances; their covariance is
    σ²(X'V⁻¹X)⁻¹ at those variances, computed here (statsmodels' own ``bse_fe`` comes from the
    Hessian of the REML likelihood instead). z = estimate / std_error, two-sided normal p values
    and intervals.

    Raises
    ------
    SurveyDataError
        When the grouping column has one group among the complete cases, or every respondent is a
        group of their own (no variance between groups can be told from the residual variance).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> g = np.repeat(np.arange(20), 15)
    >>> x = rng.normal(size=300)
    >>> d = pd.DataFrame({"y": 1 + 0.5 * x + rng.normal(size=20)[g] + rng.normal(size=300), "x": x, "team": g})
    >>> r = fit_mixed(d, "y", "x", group="team")
    >>> r.coefficients["term"].tolist(), int(r.fit["n_groups"].iloc[0])
    (['(Intercept)', 'x'], 20)
    >>> 0 < float(r.fit["icc"].iloc[0]) < 1
    True
    """
    caller = "fit_mixed()"
    data = respondents(data, caller)
    terms = as_names(covariates, "covariates", caller) + as_names(predictors, "predictors", caller)
    problems = not_one_name(group, "group")
    if problems:
        raise SurveyDataError(problems, source=caller, outcome="nothing was computed")
    threshold = check_call(caller, data, columns={"group": [group]}, level=level, threshold=threshold)
    if group == outcome or group in terms:
        _fail(caller, "bad argument", f"group={group!r} is also the outcome or a fixed effect",
              "group by a column that is not in the model's fixed part", group)
    frame = data.reset_index(drop=True)
    has_group = frame[group].notna().to_numpy()
    sub = frame.loc[has_group].reset_index(drop=True)
    md = model_data(sub, outcome, terms, caller)
    groups = sub[group].iloc[md.X.index].astype(object).to_numpy()
    labels, codes = np.unique(groups.astype(str), return_inverse=True)
    n = len(md.y)
    if len(labels) < 2:
        _fail(caller, "one group", f"{group!r} has one group ({labels[0]!r}) among the {n} complete cases: there is "
              "no variance between groups to estimate", "group by a column with several groups, or fit_ols()", group)
    if len(labels) == n:
        _fail(caller, "one respondent per group", f"each of the {n} complete cases is a group of its own in {group!r}: "
              "the variance between groups cannot be told from the residual variance",
              "group by a column whose groups hold several respondents (e.g. employer or team), or use fit_ols()",
              group)
    if len(labels) < 5:
        warnings.warn(f"fit_mixed(): {group!r} has {len(labels)} groups; a variance between so few groups is "
                      "poorly estimated", stacklevel=2)
    model = sm.MixedLM(md.y.to_numpy(), md.X.to_numpy(), groups=codes)
    res = _reml_fit(model)
    if res is None:
        _fail(caller, "not converged", "the REML fit did not converge with any optimiser (BFGS, L-BFGS, Nelder-Mead, "
              "Powell)", "check the model: too few groups, or a group variance near zero, can stop it")
    var_residual = float(res.scale)
    var_group = float(np.asarray(res.cov_re)[0, 0])
    if var_group <= 1e-8 * var_residual:
        warnings.warn(f"fit_mixed(): the variance between {group!r} groups is estimated at 0 (a singular fit, as "
                      "lme4 says): the model is the OLS model", stacklevel=2)
    params = np.asarray(res.fe_params, float)
    cov = _fixed_effects_cov(md.X.to_numpy(), codes, var_group, var_residual)
    se = np.sqrt(np.diag(cov))
    z = params / se
    q = stats.norm.ppf(0.5 + level / 2)
    coefs = pd.DataFrame({
        "term": ["(Intercept)" if t == "const" else t for t in md.X.columns], "estimate": params, "std_error": se,
        "statistic": z, "p_value": 2 * stats.norm.sf(np.abs(z)), "conf_low": params - q * se,
        "conf_high": params + q * se})
    sizes = np.bincount(codes)
    small = int((sizes < threshold).sum())
    fit = fit_table(n=n, n_lost=len(frame) - n, n_groups=len(labels), var_group=var_group,
                    var_residual=var_residual, icc=var_group / (var_group + var_residual),
                    reml_loglik=float(res.llf) if np.isfinite(res.llf) else np.nan,
                    group_n_min=float(sizes.min()) if sizes.min() >= threshold else np.nan,
                    group_n_median=float(np.median(sizes)),
                    group_n_max=float(sizes.max()) if sizes.max() >= threshold else np.nan,
                    n_groups_below_threshold=small, threshold=threshold, method="REML")
    missing_group = pd.DataFrame({"variable": [group], "n_missing": [int((~has_group).sum())]})
    dropped = md.dropped.copy()
    # model_data counted the rows that had a group; add back what the rows without one lacked.
    without = frame.loc[~has_group, list(md.dropped["variable"])].isna().sum().to_numpy()
    dropped["n_missing"] = dropped["n_missing"].to_numpy() + without
    dropped = pd.concat([dropped, missing_group], ignore_index=True)
    return MixedResult(coefs, fit, dropped, res)


__all__ = ["MixedResult", "fit_mixed"]
