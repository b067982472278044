"""Internal consistency of every scale: Cronbach's alpha with its 95 % CI, McDonald's omega and
the weakest item-rest correlation.

Missing answers: every statistic of a scale uses the respondents who answered **all** of that
scale's items (listwise deletion within the scale), as SPSS and jamovi do. The rule is the same
everywhere in the package; ``n`` in the output says how many respondents each scale used.

Omega's interval is a seeded nonparametric percentile bootstrap over respondents
(:func:`omega_bootstrap`, :func:`scipy.stats.bootstrap`): each resample draws the wave's
respondents with replacement and then applies the same listwise rule, and omega is refitted on
every resample at once (:func:`omega_resamples`: count-weighted correlation matrices and batched
Newton steps of the one-factor ML fit, starting from the whole-sample solution; the package's own
:func:`omega_total` takes any resample the batched fit does not settle at a minimum). Percentile,
not BCa: BCa needs a jackknife of n refits per scale (about five times the time at n = 3,400),
and at survey sizes the two differ by under .001. R checks: tests/reference/reliability/.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats
from statsmodels.multivariate.factor import Factor
from statsmodels.tools.sm_exceptions import ConvergenceWarning, EstimationWarning

from ..arguments import as_wave, check_call
from ..deprecations import old_calls
from ..errors import Problem
from .scoring import keyed_items

#: Default number of bootstrap resamples of omega's interval (0: no interval).
OMEGA_BOOT = 1000

#: Default seed of omega's bootstrap (the same seed gives the same resamples and interval).
OMEGA_SEED = 20181203

COLUMNS = ["instrument", "scale", "label", "k", "n", "measure", "estimate", "conf_low", "conf_high",
           "weakest_item", "weakest_item_rest_r"]


def alpha_ci(alpha: float, n: int, k: int, level: float = 0.95) -> tuple[float, float]:
    """Feldt's confidence interval for Cronbach's alpha.

    ``1 - (1 - alpha) * F`` at the upper and lower ``(1 - level) / 2`` points of the F
    distribution with ``n - 1`` and ``(n - 1)(k - 1)`` degrees of freedom, as pingouin and
    ``psych::alpha`` compute it. (pingouin rounds its interval to three decimals and, with
    ``nan_policy="listwise"``, counts the dropped respondents in ``n``; hence this function.)

    Examples
    --------
    >>> lo, hi = alpha_ci(0.8, n=200, k=6)
    >>> round(lo, 4), round(hi, 4)
    (0.7538, 0.8401)
    """
    df1, df2 = n - 1, (n - 1) * (k - 1)
    tail = (1 - level) / 2
    lower = 1 - (1 - alpha) * stats.f.isf(tail, df1, df2)
    upper = 1 - (1 - alpha) * stats.f.isf(1 - tail, df1, df2)
    return float(lower), float(upper)


def omega_total(items: pd.DataFrame) -> float:
    """McDonald's omega (total) from a one-factor maximum-likelihood model.

    ``omega = (sum of standardised loadings)^2 / ((sum of loadings)^2 + sum of uniquenesses)``,
    fitted with :class:`statsmodels.multivariate.factor.Factor` (``method="ml"``) on the
    correlation matrix of complete cases. Equal to ``psych::fa(x, 1, fm = "ml")`` and to a
    ``lavaan::cfa`` one-factor model (standardised), R's equivalents. With three items the model is
    just identified and the loadings have a closed form, used instead of the fit. Where the
    unbounded solution is improper (a Heywood case: a loading of 1 or more, a uniqueness of 0 or
    less) omega comes from the ML solution with that uniqueness at its bound of 0, as
    ``lavaan::cfa(..., bounds = "pos.var")`` gives it (rare in a whole sample, about one bootstrap
    resample in 30 of a weak three-item scale of 300 respondents).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(500, 1))
    >>> items = pd.DataFrame(f @ [[0.8, 0.7, 0.6, 0.5]] + rng.normal(scale=0.6, size=(500, 4)))
    >>> round(omega_total(items), 3)
    0.828
    """
    x = items.to_numpy(dtype="float64")
    corr = np.corrcoef(x, rowvar=False)
    if corr.shape[0] == 3:
        # Three items identify one factor exactly (no fit needed): loading_i^2 = r_ij r_ik / r_jk.
        # The iterative fit cannot improve on this and reports a spurious non-convergence.
        (a, b, c) = (corr[0, 1], corr[0, 2], corr[1, 2])
        with np.errstate(divide="ignore", invalid="ignore"):
            squared = np.array([a * b / c, a * c / b, b * c / a])
        if np.all((squared > 0) & (squared < 1)):
            s = np.sqrt(squared).sum() ** 2
            return float(s / (s + (1 - squared).sum()))
        return float(_boundary_omega(corr[None])[0])
    # A fixed start (rng=0) keeps the result byte-stable; a tight gradient tolerance makes it
    # agree with lavaan to about 1e-8.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", EstimationWarning)
        fit = Factor(corr=corr, n_factor=1, method="ml", nobs=len(x)).fit(rng=0, opt={"gtol": 1e-8})
    uniq = fit.uniqueness
    if uniq.min() < 1e-6:  # a Heywood case: the fit creeps towards the boundary without reaching it
        return float(_boundary_omega(corr[None])[0])
    loadings = fit.loadings[:, 0]
    s = loadings.sum() ** 2
    return float(s / (s + uniq.sum()))


def _boundary_omega(corr: np.ndarray) -> np.ndarray:
    """Omega of the ML one-factor solution with one uniqueness at its bound of 0 (a Heywood case),
    for a stack of correlation matrices ``(B, k, k)``.

    With item ``h``'s uniqueness 0 the factor is item ``h`` itself, and the likelihood splits into
    item ``h``'s and the other items' regressions on it, so ``loading_j = r_hj`` and
    ``uniqueness_j = 1 - r_hj^2``; ``h`` is the item whose solution fits best (smallest ML
    discrepancy ``log|Sigma| + tr(R Sigma^-1)``). This is the maximum of the likelihood with every
    uniqueness kept at 0 or more, as ``lavaan::cfa(..., bounds = "pos.var")`` finds it, where the
    unbounded fit gives a negative uniqueness.
    """
    B, k, _ = corr.shape
    best = np.full(B, np.inf)
    omega = np.full(B, np.nan)
    for h in range(k):
        lam = corr[:, h, :]
        psi = 1 - lam ** 2
        psi[:, h] = 0.0
        sigma = lam[:, :, None] * lam[:, None, :] + psi[:, :, None] * np.eye(k)
        sign, logdet = np.linalg.slogdet(sigma)
        with np.errstate(invalid="ignore"):
            fit = np.where(sign > 0, logdet + np.trace(np.linalg.solve(sigma, corr), axis1=1, axis2=2), np.inf)
        s = lam.sum(axis=1) ** 2
        better = fit < best
        best = np.where(better, fit, best)
        omega = np.where(better, s / (s + psi.sum(axis=1)), omega)
    return omega


def resample_indices(n: int, n_boot: int, seed: int | np.random.Generator = OMEGA_SEED) -> np.ndarray:
    """The respondents (row positions ``0..n-1``) drawn in each bootstrap resample.

    Row ``b`` is resample ``b``: ``default_rng(seed).integers(0, n, (n_boot, n))``, exactly the
    draws :func:`scipy.stats.bootstrap` makes (one batch) and hence :func:`omega_bootstrap`.

    Examples
    --------
    >>> resample_indices(5, 2, seed=1)
    array([[2, 2, 3, 4, 0],
           [0, 4, 4, 1, 1]])
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    return rng.integers(0, n, (n_boot, n))


def _one_factor_ml(corr: np.ndarray, start: np.ndarray, max_iter: int = 60, tol: float = 1e-11,
                   fisher_steps: int = 2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-factor ML fits of a stack of correlation matrices, all at once (Newton's method).

    ``corr`` is ``(B, k, k)``; ``start`` the ``2k`` starting values (loadings ``l``, uniquenesses
    ``psi``). The fit minimises ``F = log|Sigma| + tr(R Sigma^-1)``, ``Sigma = l l' + diag(psi)``.
    With ``P = Sigma^-1``, ``Q = P R P``, ``G = P - Q``, ``u = P l``, ``v = Q l``, ``c = l'u``,
    ``d = l'v``, its gradient is ``(2 G l, diag(G))`` and its Hessian (``*``: elementwise)

    - loadings: ``2 (u v' + v u' - u u' + d P + c Q - c P + G)``
    - loadings x uniquenesses: ``2 (P * v' + Q * u' - P * u')`` (row i, column j: item i's
      loading, item j's uniqueness)
    - uniquenesses: ``2 P * Q - P * P``

    The first ``fisher_steps`` steps use the expected Hessian instead (``R = Sigma``: ``Q = P``,
    ``G = 0``), which is safe far from the solution; Newton's steps then converge quadratically
    even when the model fits badly (where Fisher scoring alone is slow). Returns loadings,
    uniquenesses and whether each fit converged (a converged fit may be improper, a uniqueness of
    0 or less: a Heywood case).
    """
    B, k, _ = corr.shape

    def derivatives(theta, r, expected=False):
        lam, psi = theta[:, :k], theta[:, k:]
        sigma = lam[:, :, None] * lam[:, None, :] + psi[:, :, None] * np.eye(k)
        p = np.linalg.inv(sigma)
        q = p @ r @ p
        g = p - q
        u = np.einsum("bij,bj->bi", p, lam)
        c = np.einsum("bi,bi->b", u, lam)
        gradient = np.concatenate([2 * np.einsum("bij,bj->bi", g, lam), np.diagonal(g, axis1=1, axis2=2)], axis=1)
        if expected:
            q, v, d, g = p, u, c, 0.0
        else:
            v = np.einsum("bij,bj->bi", q, lam)
            d = np.einsum("bi,bi->b", v, lam)
        outer = u[:, :, None] * v[:, None, :]
        hessian = np.empty((len(theta), 2 * k, 2 * k))
        hessian[:, :k, :k] = 2 * (outer + np.swapaxes(outer, 1, 2) - u[:, :, None] * u[:, None, :]
                                  + d[:, None, None] * p + c[:, None, None] * (q - p) + g)
        hessian[:, :k, k:] = 2 * (p * v[:, None, :] + q * u[:, None, :] - p * u[:, None, :])
        hessian[:, k:, :k] = np.swapaxes(hessian[:, :k, k:], 1, 2)
        hessian[:, k:, k:] = 2 * p * q - p * p
        return gradient, hessian

    def hessian_at(theta):
        return derivatives(theta, corr[done])[1]

    theta = np.broadcast_to(start, (B, 2 * k)).copy()
    done = np.zeros(B, dtype=bool)
    active = np.arange(B)
    for step_number in range(max_iter):
        try:
            gradient, hessian = derivatives(theta[active], corr[active], expected=step_number < fisher_steps)
            step = -np.linalg.solve(hessian, gradient[..., None])[..., 0]
        except np.linalg.LinAlgError:
            break
        theta[active] += step
        settled = np.abs(step).max(axis=1) < tol
        done[active[settled]] = True
        active = active[~settled]
        if not len(active):
            break
    done &= np.isfinite(theta).all(axis=1)
    if done.any():  # Newton also settles on saddle points: keep only minima (Hessian positive definite)
        minimum = np.zeros(B, dtype=bool)
        minimum[done] = np.linalg.eigvalsh(hessian_at(theta[done]))[:, 0] > 0
        done &= minimum
    return theta[:, :k], theta[:, k:], done


def omega_resamples(items, indices: np.ndarray) -> np.ndarray:
    """McDonald's omega of many resamples of the respondents of a scale, computed together.

    Each row of ``indices`` lists the respondents (row positions of ``items``, repeats allowed)
    of one resample; the package's missing-answer rule is then applied within the resample:
    only the respondents drawn who answered every item count. Omega is :func:`omega_total`'s
    (one-factor ML on the resample's correlation matrix, closed form for three items), from
    count-weighted moments and a batched fit; a resample with fewer than three complete
    respondents or an item without variance gets NaN, as :func:`scale_reliability` does.
    Agrees with ``[omega_total(resample) for resample in ...]`` to about 1e-8 (the tolerance of
    :func:`omega_total`'s own fit).

    Parameters
    ----------
    items : DataFrame or list of DataFrame
        One scale's keyed items, one row per respondent (missing answers allowed); or several
        scales' items, each with the same respondents in the same order (the resamples' counts
        are then computed once for all of them).
    indices : ndarray of int, shape (..., m)
        Resamples along the last axis (:func:`resample_indices`).

    Returns
    -------
    ndarray, shape (...) or (number of scales, ...)
        Omega of each resample (of each scale, for a list).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(400, 1))
    >>> items = pd.DataFrame(f @ [[0.8, 0.7, 0.6, 0.5]] + rng.normal(scale=0.6, size=(400, 4)))
    >>> full = np.arange(400)[None, :]
    >>> bool(abs(omega_resamples(items, full)[0] - omega_total(items)) < 1e-7)
    True
    """
    tables = [items] if isinstance(items, pd.DataFrame) else list(items)
    n = len(tables[0])
    indices = np.asarray(indices)
    flat = indices.reshape(-1, indices.shape[-1])
    out = np.full((len(tables), len(flat)), np.nan)
    prepared = [_moments(t) for t in tables]
    batch = max(1, 4_000_000 // max(n, 1))
    for start in range(0, len(flat), batch):
        rows = flat[start:start + batch]
        offsets = (np.arange(len(rows)) * n)[:, None]
        counts = np.bincount((rows + offsets).ravel(), minlength=len(rows) * n).reshape(len(rows), n)
        counts = counts.astype("float64")
        for i, (table, (complete, xc, cross)) in enumerate(zip(tables, prepared)):
            out[i, start:start + len(rows)] = _omega_counts(table, rows, counts[:, complete], xc, cross)
    shape = indices.shape[:-1]
    return out[0].reshape(shape) if isinstance(items, pd.DataFrame) else out.reshape((len(tables),) + shape)


def _moments(items: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which respondents answered every item, their centred answers and their cross-products."""
    x = items.to_numpy(dtype="float64")
    complete = ~np.isnan(x).any(axis=1)
    xc = x[complete]
    xc = xc - xc.mean(axis=0) if len(xc) else xc  # centred: raw moments lose no precision
    k = x.shape[1]
    return complete, xc, (xc[:, :, None] * xc[:, None, :]).reshape(len(xc), k * k)


def _omega_counts(items: pd.DataFrame, rows: np.ndarray, w: np.ndarray, xc: np.ndarray,
                  cross: np.ndarray) -> np.ndarray:
    """Omega of the resamples ``rows`` of one scale, given how often each complete respondent
    was drawn in each (``w``, resamples x complete respondents)."""
    k = xc.shape[1]
    m = w.sum(axis=1)
    mean = (w @ xc) / np.maximum(m, 1)[:, None]
    cov = ((w @ cross) / np.maximum(m, 1)[:, None]).reshape(-1, k, k) - mean[:, :, None] * mean[:, None, :]
    var = np.diagonal(cov, axis1=1, axis2=2)
    usable = (m >= 3) & (var > 1e-12 * max(float(np.abs(xc).max(initial=1.0)), 1.0) ** 2).all(axis=1)
    sd = np.sqrt(np.where(usable[:, None], var, 1.0))
    corr = cov / (sd[:, :, None] * sd[:, None, :])
    omega = np.full(len(rows), np.nan)
    refit = np.zeros(len(rows), dtype=bool)
    if k == 3:
        a, b, c = corr[:, 0, 1], corr[:, 0, 2], corr[:, 1, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            squared = np.column_stack([a * b / c, a * c / b, b * c / a])
        proper = ((squared > 0) & (squared < 1)).all(axis=1)
        s = np.sqrt(np.where(proper[:, None], squared, 0.0)).sum(axis=1) ** 2
        omega = np.where(proper, s / (s + (1 - squared).sum(axis=1)), np.nan)
        heywood = usable & ~proper
        omega[heywood] = _boundary_omega(corr[heywood])
    elif k > 3 and usable.any():
        lam, psi, done = _one_factor_ml(corr[usable], _start(xc))
        proper = done & (psi > 1e-6).all(axis=1)
        s = lam.sum(axis=1) ** 2
        fitted = np.full(int(usable.sum()), np.nan)
        fitted[proper] = (s / (s + psi.sum(axis=1)))[proper]
        heywood = done & ~proper
        fitted[heywood] = _boundary_omega(corr[usable][heywood])
        omega[usable] = fitted
        refit[usable] = ~done
    for j in np.flatnonzero(refit):  # rare: a batched fit that did not settle
        omega[j] = omega_total(items.iloc[rows[j]].dropna(axis=0, how="any"))
    return np.where(usable, omega, np.nan)


def _start(xc: np.ndarray) -> np.ndarray:
    """Starting values of the batched one-factor fit: :func:`omega_total`'s own fit of the whole
    sample (each resample's solution is near it). A badly fitting one-factor model can have
    several local optima; starting here keeps every resample at the optimum the whole-sample
    estimate took."""
    k = xc.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.corrcoef(xc, rowvar=False)
    if len(xc) < 3 or not np.isfinite(corr).all():
        lam = np.full(k, 0.5)
        return np.concatenate([lam, 1 - lam ** 2])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", EstimationWarning)
        fit = Factor(corr=corr, n_factor=1, method="ml", nobs=len(xc)).fit(rng=0, opt={"gtol": 1e-8})
    lam, psi = fit.loadings[:, 0], fit.uniqueness
    if (psi > 1e-3).all():
        return np.concatenate([lam, psi])
    lam = np.full(k, 0.5)
    return np.concatenate([lam, 1 - lam ** 2])


def omega_bootstrap(items, *, n_boot: int = OMEGA_BOOT, seed: int | np.random.Generator = OMEGA_SEED,
                    level: float = 0.95):
    """Percentile bootstrap interval of McDonald's omega (:func:`omega_total`) over respondents.

    :func:`scipy.stats.bootstrap` (``method="percentile"``) draws the respondents (all rows of
    ``items``) with replacement, ``default_rng(seed).integers(0, n, (n_boot, n))``
    (:func:`resample_indices`); within each resample omega uses the respondents drawn who
    answered every item, the package's missing-answer rule (:func:`omega_resamples`). The interval
    is the ``(1 - level) / 2`` and ``(1 + level) / 2`` quantiles of the ``n_boot`` omegas (linear
    interpolation, R's ``quantile(type = 7)``).

    Parameters
    ----------
    items : DataFrame or list of DataFrame
        One scale's keyed items (at least three), one row per respondent; or several scales'
        items with the same respondents in the same order, resampled together (the same draws of
        respondents for every scale, made once: what :func:`reliability` does).
    n_boot : int
        Resamples (at least 1).
    seed : int or numpy.random.Generator
        The same seed gives the same resamples and the same interval.
    level : float
        Confidence level.

    Returns
    -------
    scipy.stats._result_classes.BootstrapResult
        ``confidence_interval`` (``low``, ``high``), ``bootstrap_distribution`` (omega of each
        resample, in resample order) and ``standard_error``; for a list, arrays with one entry
        (one row of ``bootstrap_distribution``) per scale.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(500, 1))
    >>> items = pd.DataFrame(f @ [[0.8, 0.7, 0.6, 0.5]] + rng.normal(scale=0.6, size=(500, 4)))
    >>> res = omega_bootstrap(items, n_boot=200, seed=1)
    >>> ci = res.confidence_interval
    >>> bool(ci.low < omega_total(items) < ci.high), res.bootstrap_distribution.shape
    (True, (200,))
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    n = len(items) if isinstance(items, pd.DataFrame) else len(items[0])
    return stats.bootstrap((np.arange(n),), lambda rows, axis=-1: omega_resamples(items, rows),
                           vectorized=True, n_resamples=n_boot, method="percentile", confidence_level=level,
                           rng=rng)


def item_rest(items: pd.DataFrame) -> pd.Series:
    """Correlation of each item with the sum of the other items (corrected item-total r)."""
    total = items.sum(axis=1)
    return pd.Series({c: float(np.corrcoef(items[c], total - items[c])[0, 1]) for c in items.columns})


def scale_reliability(items: pd.DataFrame, level: float = 0.95, *, n_boot: int = OMEGA_BOOT,
                      seed: int | np.random.Generator = OMEGA_SEED) -> dict:
    """Reliability statistics of one scale's keyed items (complete cases only).

    ``n_boot`` and ``seed`` are those of omega's bootstrap interval (:func:`omega_bootstrap`,
    over all rows of ``items``; ``n_boot=0``: no interval).

    Returns
    -------
    dict
        ``k, n, alpha, alpha_conf_low, alpha_conf_high, omega, omega_conf_low, omega_conf_high,
        weakest_item, weakest_item_rest_r``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> f = rng.normal(size=(300, 1))
    >>> items = pd.DataFrame(f @ [[0.8, 0.7, 0.6]] + rng.normal(scale=0.6, size=(300, 3)), columns=["x", "y", "z"])
    >>> r = scale_reliability(items, n_boot=200)
    >>> r["n"], r["weakest_item"], bool(r["omega_conf_low"] < r["omega"] < r["omega_conf_high"])
    (300, 'z', True)
    """
    complete = items.dropna(axis=0, how="any")
    n, k = complete.shape
    row = {"k": k, "n": n}
    if n < 3 or k < 2 or (complete.var(axis=0) == 0).any():
        return row | {"alpha": np.nan, "alpha_conf_low": np.nan, "alpha_conf_high": np.nan,
                      "omega": np.nan, "omega_conf_low": np.nan, "omega_conf_high": np.nan,
                      "weakest_item": None, "weakest_item_rest_r": np.nan}
    alpha, _ = pg.cronbach_alpha(data=complete, ci=level)
    lo, hi = alpha_ci(alpha, n, k, level)
    ir = item_rest(complete)
    omega = omega_total(complete) if k >= 3 else np.nan
    omega_lo = omega_hi = np.nan
    if k >= 3 and n_boot > 0:
        ci = omega_bootstrap(items, n_boot=n_boot, seed=seed, level=level).confidence_interval
        omega_lo, omega_hi = float(ci.low), float(ci.high)
    return row | {"alpha": float(alpha), "alpha_conf_low": float(lo), "alpha_conf_high": float(hi),
                  "omega": omega, "omega_conf_low": omega_lo, "omega_conf_high": omega_hi,
                  "weakest_item": ir.idxmin(), "weakest_item_rest_r": float(ir.min())}


@old_calls(positional=("level",))
def reliability(wave, *, level: float = 0.95, n_boot: int = OMEGA_BOOT,
                seed: int | np.random.Generator = OMEGA_SEED) -> pd.DataFrame:
    """Internal consistency of every multi-item scale of every instrument in a wave.

    Parameters
    ----------
    wave : Wave
        From :func:`analysis.load_wave`.
    level : float
        Confidence level of both intervals (default 0.95).
    n_boot : int
        Bootstrap resamples of omega's interval (default 1000; 0: no omega interval, the fastest).
    seed : int or numpy.random.Generator
        Seed of omega's bootstrap (default 20181203): the same seed gives the same interval. Each
        scale's resamples are ``default_rng(seed).integers(0, N, (n_boot, N))`` over the wave's N
        respondents, so every scale is resampled from the same draws.

    Returns
    -------
    DataFrame
        Two rows per scale (look-up conversions such as ``swemwbs_metric`` share their raw
        scale's items and are left out), in the results schema, columns:

        - ``instrument``, ``scale``, ``label``: which scale
        - ``k``: number of items
        - ``n``: respondents who answered all k items (the ones used)
        - ``measure``: ``"cronbach_alpha"`` (pingouin, on reverse-keyed items) or
          ``"mcdonald_omega"`` (omega total, one-factor ML; NaN for two-item scales)
        - ``estimate``, ``conf_low``, ``conf_high``: the coefficient and its interval at
          ``level``: Feldt's for alpha; for omega the percentile bootstrap over respondents
          (:func:`omega_bootstrap`: resample the wave's respondents, keep those who answered all
          k items, refit), NaN when ``n_boot=0``
        - ``weakest_item``, ``weakest_item_rest_r``: the item with the lowest item-rest correlation

        ``attrs["omega_interval"]`` states the method, ``n_boot`` and ``seed``
        (``attrs["n_boot"]``, ``attrs["seed"]``; ``seed`` is None for a Generator).

        R equivalent: ``psych::alpha(x)`` on complete cases and a standardised one-factor
        ``lavaan::cfa`` (or ``psych::fa(x, 1, fm = "ml")``), with omega as
        ``(sum of loadings)^2 / ((sum of loadings)^2 + sum of uniquenesses)``; not
        ``psych::omega``'s ``omega.tot``, which divides by the observed total variance.

    Examples
    --------
    >>> from analysis import load_wave
    >>> from analysis.synthetic import demo_wave
    >>> rel = reliability(load_wave(demo_wave(n=300, seed=2), wave=2018))
    >>> rel.query("measure == 'cronbach_alpha'").set_index("scale").loc["hse_demands", "k"]
    np.int64(8)
    >>> rel.attrs["omega_interval"]
    'percentile bootstrap over respondents, 1000 resamples, seed 20181203'
    """
    wave = as_wave(wave, "reliability()")
    problems = []
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        problems.append(Problem("bad argument", None, f"n_boot={n_boot!r}; expected a whole number of resamples, "
                                "0 or more", "pass e.g. n_boot=1000 (or n_boot=0 for no omega interval)",
                                place=""))
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer, np.random.Generator)):
        problems.append(Problem("bad argument", None, f"seed={seed!r}; expected a whole number or a "
                                "numpy.random.Generator", "pass e.g. seed=20181203", place=""))
    check_call("reliability()", wave.data, level=level, problems=problems)
    rng = seed if isinstance(seed, np.random.Generator) else None
    boot_items, boot_rows = [], []  # omega's bootstrap: every scale at once, from one set of draws
    rows = []
    for inst in wave.instruments:
        keyed = keyed_items(wave.data, inst)
        for scale in inst.scales:
            if scale.score == "lookup":
                continue
            r = scale_reliability(keyed[list(scale.items)], level, n_boot=0)
            if r["k"] >= 3 and np.isfinite(r["omega"]):
                boot_items.append(keyed[list(scale.items)])
                boot_rows.append(len(rows) + 1)
            common = {"instrument": inst.id, "scale": scale.name, "label": scale.label, "k": r["k"], "n": r["n"],
                      "weakest_item": r["weakest_item"], "weakest_item_rest_r": r["weakest_item_rest_r"]}
            rows.append(common | {"measure": "cronbach_alpha", "estimate": r["alpha"],
                                  "conf_low": r["alpha_conf_low"], "conf_high": r["alpha_conf_high"]})
            rows.append(common | {"measure": "mcdonald_omega", "estimate": r["omega"],
                                  "conf_low": r["omega_conf_low"], "conf_high": r["omega_conf_high"]})
    if n_boot and boot_items:
        ci = omega_bootstrap(boot_items, n_boot=n_boot, seed=seed, level=level).confidence_interval
        for i, low, high in zip(boot_rows, np.atleast_1d(ci.low), np.atleast_1d(ci.high)):
            rows[i]["conf_low"], rows[i]["conf_high"] = float(low), float(high)
    table = pd.DataFrame(rows, columns=COLUMNS)
    seed_stated = None if rng is not None else int(seed)
    table.attrs.update(
        omega_interval=(f"percentile bootstrap over respondents, {n_boot} resamples, "
                        + (f"seed {seed_stated}" if seed_stated is not None else "seeded by the Generator given"))
        if n_boot else "none (n_boot=0)",
        n_boot=n_boot, seed=seed_stated, level=level)
    return table
