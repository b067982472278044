"""Bootstrap intervals for regression coefficients, all resamples solved at once.

:func:`bootstrap_ols` resamples respondents (complete cases, with replacement) and refits the
linear model on each resample. The resampling, the percentile and BCa intervals and the
jackknife behind BCa are :func:`scipy.stats.bootstrap`'s; what this module adds is a vectorised
statistic, :func:`ols_coefficients`, that fits thousands of resamples in one pass: a resample is
a vector of counts (how often each respondent was drawn), so its normal equations are
``X' diag(c) X b = X' diag(c) y``, and for all resamples together they are two matrix products,
``C @ [x_i x_i']`` and ``C @ [x_i y_i]``, followed by one batched solve. Predictors and outcome
are standardised first (full-sample mean and SD), so the normal equations are well conditioned;
the coefficients agree with a loop of statsmodels fits to about 1e-12.

R equivalent: ``boot::boot(d, function(d, i) coef(lm(pss4 ~ ..., data = d[i, ])), R = 2000)``
with ``boot.ci(type = c("perc", "bca"))``, about 6 s for 2,000 fits at n = 3,421; here about
0.14 s (0.4 s with BCa) on the two-core reference machine (docs/speed.md).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from ..arguments import as_names
from ..deprecations import old_calls
from ..errors import Problem, SurveyDataError
from ..measures.scoring import respondents
from .models import model_data

#: Default seed of the resampling (the same seed gives the same resamples and intervals).
BOOT_SEED = 20181203

#: Above this many respondents BCa needs too many jackknife fits (n fits of n - 1 rows).
BCA_MAX_N = 20_000

#: About how many respondent draws each batch of resamples holds (memory: 8 bytes each, twice).
_BATCH_CELLS = 4_000_000


def ols_coefficients(X: np.ndarray, y: np.ndarray, indices: np.ndarray) -> np.ndarray:
    """OLS coefficients of many resamples of the rows of ``X`` and ``y``, solved together.

    Parameters
    ----------
    X : ndarray, shape (n, p)
        Design matrix (a constant column included, as in statsmodels).
    y : ndarray, shape (n,)
    indices : ndarray of int, shape (..., m)
        Each row along the last axis lists the rows of one resample (repeats allowed).

    Returns
    -------
    ndarray, shape (p, ...)
        Coefficients, one column per resample, in the order of ``X``'s columns.

    Raises
    ------
    SurveyDataError
        When a resample's predictors are collinear (e.g. a rare category not drawn).

    Examples
    --------
    >>> X = np.column_stack([np.ones(5), [1.0, 2.0, 3.0, 4.0, 5.0]])
    >>> y = np.array([1.0, 2.0, 2.5, 4.0, 5.5])
    >>> ols_coefficients(X, y, np.array([[0, 1, 2, 3, 4], [0, 0, 2, 3, 4]])).round(3)
    array([[-0.3  , -0.219],
           [ 1.1  ,  1.078]])
    """
    X = np.asarray(X, dtype="float64")
    y = np.asarray(y, dtype="float64")
    n, p = X.shape
    indices = np.asarray(indices)
    flat = indices.reshape(-1, indices.shape[-1])
    # Standardise every non-constant column and the outcome: the normal equations of the
    # standardised problem are about as well conditioned as the predictors' correlation matrix.
    const = np.ptp(X, axis=0) == 0
    intercept = bool(const.any())  # centring is only a reparametrisation when there is one
    centre = np.where(const | ~intercept, 0.0, X.mean(axis=0))
    scale = np.where(const, np.abs(X[0]), X.std(axis=0))
    scale[scale == 0] = 1.0
    Xs = (X - centre) / scale
    y_centre, y_scale = (y.mean() if intercept else 0.0), (y.std() or 1.0)
    ys = (y - y_centre) / y_scale
    cross = (Xs[:, :, None] * Xs[:, None, :]).reshape(n, p * p)  # x_i x_i', one row per respondent
    xy = Xs * ys[:, None]
    coef = np.empty((len(flat), p))
    counts = np.empty((min(len(flat), max(1, _BATCH_CELLS // n)), n))
    for start in range(0, len(flat), len(counts)):
        rows = flat[start:start + len(counts)]
        c = counts[: len(rows)]
        for k, r in enumerate(rows):  # one small bincount per resample stays in cache
            c[k] = np.bincount(r, minlength=n)
        xtx = (c @ cross).reshape(len(rows), p, p)
        try:
            coef[start:start + len(rows)] = np.linalg.solve(xtx, (c @ xy)[..., None])[..., 0]
        except np.linalg.LinAlgError:
            raise SurveyDataError(
                [Problem("singular resample", None,
                         "in some resamples the predictors are collinear (a rare category was not drawn, "
                         "or a predictor is constant among the respondents drawn)",
                         "merge rare categories or drop the covariate; or use fit_ols with robust='HC3'")],
                source="bootstrap", outcome="nothing was computed") from None
    # Back to the original units: b_j = b~_j sd(y) / sd(x_j); the intercept absorbs the centres.
    coef *= y_scale / scale
    if intercept:
        first = np.flatnonzero(const)[0]
        coef[:, first] += y_centre - coef[:, ~const] @ centre[~const]
    return coef.T.reshape((p,) + indices.shape[:-1])


@old_calls(positional=("covariates", "n_boot", "seed", "level", "bca"))
def bootstrap_ols(data: pd.DataFrame, outcome: str, predictors, *, covariates=None, n_boot: int = 2000,
                  seed: int | np.random.Generator = BOOT_SEED, level: float = 0.95, bca: bool = False) -> pd.DataFrame:
    """Bootstrap standard errors and intervals of OLS coefficients (respondents resampled).

    Parameters
    ----------
    data : DataFrame or Wave
        Scores (``analysis_frame``) or any table holding the model's columns.
        A loaded ``Wave`` is taken as ``analysis_frame(wave)``.
    outcome : str
    predictors, covariates : str or list of str
        As in :func:`analysis.fit_ols` (covariates first; categorical columns as indicators).
    n_boot : int
        Resamples.
    seed : int or numpy.random.Generator
        Seed of :func:`numpy.random.default_rng` (the same seed gives the same result). Resample
        ``b`` is row ``b`` of ``default_rng(seed).integers(0, n, (n_boot, n))``, the complete
        cases in data order, as :func:`scipy.stats.bootstrap` draws them.
    level : float
        Confidence level of the intervals.
    bca : bool
        Also give bias-corrected and accelerated (BCa) intervals, from the same resamples. They
        need a jackknife of n fits, which about doubles the time (refused above ``BCA_MAX_N``
        respondents).

    Returns
    -------
    DataFrame
        One row per term (``(Intercept)`` first, then covariates and predictors as in
        :func:`analysis.fit_ols`): ``term``, ``estimate`` (OLS on all complete cases),
        ``std_error`` (the bootstrap standard error: SD of the bootstrap estimates),
        ``conf_low``, ``conf_high`` (percentile interval), and with ``bca`` also
        ``bca_conf_low``, ``bca_conf_high``. ``attrs`` holds ``n``, ``n_boot``, ``level`` and
        ``seed``. R: ``boot::boot`` with ``boot.ci(type = c("perc", "bca"))``.

    Examples
    --------
    >>> from analysis import load_wave, analysis_frame
    >>> from analysis.synthetic import demo_wave
    >>> frame = analysis_frame(load_wave(demo_wave(n=300, seed=2), wave=2018))
    >>> t = bootstrap_ols(frame, "pss4", ["hse_demands", "hse_control"], n_boot=500)
    >>> t["term"].tolist(), t.attrs["n"], bool((t["conf_low"] < t["estimate"]).all())
    (['(Intercept)', 'hse_demands', 'hse_control'], 300, True)
    """
    data = respondents(data, "bootstrap_ols()")
    md = model_data(data, outcome, as_names(covariates, "covariates", "bootstrap_ols()")
                    + as_names(predictors, "predictors", "bootstrap_ols()"), "bootstrap_ols()")
    X, y = md.X.to_numpy(dtype="float64"), md.y.to_numpy(dtype="float64")
    n = len(y)
    if bca and n > BCA_MAX_N:
        raise SurveyDataError(
            [Problem("too many respondents for BCa", None,
                     f"BCa intervals need a jackknife of {n:,} fits of {n - 1:,} respondents",
                     "use bca=False (percentile intervals)")],
            source="bootstrap", outcome="nothing was computed")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)

    def statistic(rows, axis=-1):
        return ols_coefficients(X, y, rows)

    batch = max(1, _BATCH_CELLS // n)
    common = dict(vectorized=True, confidence_level=level, batch=batch)
    first = stats.bootstrap((np.arange(n),), statistic, n_resamples=n_boot, rng=rng,
                            method="BCa" if bca else "percentile", **common)
    if bca:  # the percentile interval of the same resamples: no new draws
        percentile = stats.bootstrap((np.arange(n),), statistic, n_resamples=0, bootstrap_result=first,
                                     method="percentile", **common)
    else:
        percentile = first
    fit = sm.OLS(y, X).fit()
    table = pd.DataFrame({
        "term": ["(Intercept)" if t == "const" else t for t in md.X.columns],
        "estimate": np.asarray(fit.params, dtype="float64"),
        "std_error": np.asarray(percentile.standard_error, dtype="float64"),
        "conf_low": np.asarray(percentile.confidence_interval.low, dtype="float64"),
        "conf_high": np.asarray(percentile.confidence_interval.high, dtype="float64"),
    })
    if bca:
        table["bca_conf_low"] = np.asarray(first.confidence_interval.low, dtype="float64")
        table["bca_conf_high"] = np.asarray(first.confidence_interval.high, dtype="float64")
    table.attrs.update(n=n, n_boot=n_boot, level=level, seed=seed if isinstance(seed, int) else None)
    return table
