"""Confirmatory factor analysis of an instrument and its measurement invariance across groups.

:func:`fit_cfa` builds the model from the instrument's file (each scale a factor, its items the
indicators, reverse-keyed items turned round first) and fits it by maximum likelihood;
:func:`measurement_invariance` fits the configural, metric and scalar multi-group models and says
whether each step holds. The numbers are lavaan's (R), to which the tests compare them.

The estimator is our own, written here because Python has no maintained SEM library whose
multi-group models take equality constraints across groups (semopy's ``multigroup`` fits each
group on its own). It is lavaan's normal-theory ML with its defaults:

- the fit function ``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p`` (plus
  ``(m - mu)' Sigma^-1 (m - mu)`` with a mean structure), ``S`` the covariance matrix divided by
  ``n``; the chi-square is ``n F`` (summed over groups), ``likelihood = "normal"``;
- the scale of each factor set by its first item's loading (fixed to 1, the "marker"), factor
  variances and covariances free, residual variances free and uncorrelated;
- minimised with :func:`scipy.optimize.minimize` (``trust-exact``) on analytic gradients, with
  the expected (Fisher) information as the Hessian; standard errors from the expected
  information, as lavaan's ``se = "standard"``;
- CFI, TLI (against the independence model: free variances, and means in multi-group models),
  RMSEA with its 90 % interval by inverting the noncentral chi-square (times sqrt(G) with G groups),
  SRMR as Bentler's (residual covariances, and means, over the observed standard deviations;
  a weighted mean over groups), AIC and BIC from the log-likelihood.

Missing answers: listwise within the model's items by default (lavaan's default); with
``missing="ml"``, full-information ML as lavaan's: every answer used, the likelihood summed over
the answer patterns (observed items only), the saturated model by EM, standard errors from the
observed information (the Hessian, by central differences of the analytic gradient).
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from ..arguments import as_names, check_threshold, did_you_mean, given, is_table, is_wave
from ..disclosure import DEFAULT_THRESHOLD
from ..errors import SurveyDataError, SurveyDataWarning, fail
from ..instruments import Instrument, instrument as find_instrument
from .scoring import analysis_frame, keyed_items

#: Conventional cut-offs for a good fit (Hu & Bentler 1999): (index, direction, cut-off).
CUTOFFS = [("cfi", ">=", 0.95), ("tli", ">=", 0.95), ("rmsea", "<=", 0.06), ("srmr", "<=", 0.08)]

#: Chen (2007): a step of invariance holds when CFI falls by at most .01 and RMSEA rises by at
#: most .015 against the step before.
CHEN_2007 = {"delta_cfi": -0.01, "delta_rmsea": 0.015}

#: Respondents per free parameter below which a model is flagged as too small to be stable.
PER_PARAMETER = 10

#: The most groups measurement_invariance() compares (a column with more is not a grouping).
MAX_GROUPS = 12

FIT_COLUMNS = ["n", "chisq", "df", "p_value", "cfi", "tli", "rmsea", "rmsea_conf_low", "rmsea_conf_high",
               "srmr", "aic", "bic", "loglik", "n_parameters", "baseline_chisq", "baseline_df", "converged"]


# -- the model ------------------------------------------------------------------------------------
@dataclass
class _Spec:
    """Where each free parameter sits, per group: index into the parameter vector, -1 if fixed."""

    items: list
    factors: list
    lam: list          # per group (p, m) int
    lam_value: np.ndarray  # (p, m) fixed values (1 for markers, 0 off the pattern)
    phi: list          # per group (m, m) int, symmetric
    theta: list        # per group (p,) int
    nu: list           # per group (p,) int or None (no mean structure)
    alpha: list        # per group (m,) int (-1: fixed at 0) or None
    k: int             # number of free parameters
    names: list        # (kind, group, i, j) of each free parameter


def _structure(scales: list, items: list) -> tuple[np.ndarray, np.ndarray]:
    """The loading pattern (free) and fixed values: the first item of each factor fixed to 1; a
    two-item factor's second loading fixed to 1 as well (equal loadings)."""
    p, m = len(items), len(scales)
    free = np.zeros((p, m), bool)
    value = np.zeros((p, m))
    where = {c: i for i, c in enumerate(items)}
    for j, (_, members) in enumerate(scales):
        rows = [where[c] for c in members]
        value[rows[0], j] = 1.0
        if len(rows) == 2:
            value[rows[1], j] = 1.0
        else:
            free[rows[1:], j] = True
    return free, value


def _spec(scales: list, items: list, groups: int, meanstructure: bool, equal: tuple = ()) -> _Spec:
    free, value = _structure(scales, items)
    p, m = free.shape
    names = []

    def new(kind, g, i, j=None):
        names.append((kind, g, i, j))
        return len(names) - 1

    lam, phi, theta, nu, alpha = [], [], [], [], []
    for g in range(groups):
        shared = g > 0
        L = np.full((p, m), -1)
        for i, j in zip(*np.nonzero(free)):
            L[i, j] = lam[0][i, j] if shared and "loadings" in equal else new("loading", g, i, j)
        P = np.full((m, m), -1)
        for a in range(m):
            for b in range(a + 1):
                P[a, b] = P[b, a] = new("factor_cov", g, a, b)
        T = np.array([new("residual", g, i) for i in range(p)])
        lam.append(L), phi.append(P), theta.append(T)
        if meanstructure:
            shared_nu = shared and "intercepts" in equal
            nu.append(nu[0] if shared_nu else np.array([new("intercept", g, i) for i in range(p)]))
            alpha.append(np.array([new("latent_mean", g, a) for a in range(m)]) if shared_nu
                         else np.full(m, -1))
        else:
            nu.append(None), alpha.append(None)
    return _Spec(items, [s for s, _ in scales], lam, value, phi, theta, nu, alpha, len(names), names)


def _matrices(spec: _Spec, x: np.ndarray, g: int):
    L = spec.lam_value.copy()
    mask = spec.lam[g] >= 0
    L[mask] = x[spec.lam[g][mask]]
    Phi = x[spec.phi[g]]
    theta = x[spec.theta[g]]
    if spec.nu[g] is None:
        return L, Phi, theta, None, None
    nu = x[spec.nu[g]]
    a = spec.alpha[g]
    alpha = np.where(a >= 0, x[np.maximum(a, 0)], 0.0)
    return L, Phi, theta, nu, alpha


@dataclass
class _Pattern:
    """Respondents who answered the same items: which (``obs``), their weight in the group
    (``w`` = n_pattern / n_group), and the mean and covariance (divided by n) of those items."""

    obs: np.ndarray
    w: float
    mean: np.ndarray
    cov: np.ndarray


@dataclass
class _Sample:
    """One group's data as the fit function needs it: the answer patterns, and the saturated
    (H1) model's moments and log-likelihood (for complete data the sample's own mean and
    covariance divided by n; with missing answers their ML estimates by EM)."""

    n: int
    patterns: list
    cov: np.ndarray
    mean: np.ndarray
    loglik_h1: float
    loglik_baseline: float
    constant: float  # so that the group's fit function is -2 (logL0 - logL1) / n

    @property
    def p(self) -> int:
        return len(self.mean)


def _singular(caller: str):
    fail("singular data", "the items' covariance matrix is singular (an item without variation, or items "
         "that are copies of each other)", "check the items' answers, e.g. with score_summary()", source=caller)


def _pattern_loglik(patterns: list, n: int, mean: np.ndarray, cov: np.ndarray) -> float:
    """The normal log-likelihood of the patterns' data at ``mean``, ``cov`` (observed items only)."""
    total = 0.0
    for pat in patterns:
        o = pat.obs
        sign, logdet = np.linalg.slogdet(cov[np.ix_(o, o)])
        W = np.linalg.inv(cov[np.ix_(o, o)])
        d = pat.mean - mean[o]
        total += -pat.w * n / 2 * (len(o) * np.log(2 * np.pi) + logdet + np.sum(pat.cov * W) + d @ W @ d)
    return float(total)


def _sample(x: np.ndarray, caller: str = "fit_cfa()") -> _Sample:
    """Complete data: one pattern, H1 = the sample mean and covariance."""
    n, p = x.shape
    mean = x.mean(axis=0)
    cov = np.cov(x, rowvar=False, bias=True)
    sign, logdet = np.linalg.slogdet(cov)
    if sign <= 0:
        _singular(caller)
    h1 = -n / 2 * (p * np.log(2 * np.pi) + logdet + p)
    base = -n / 2 * (p * np.log(2 * np.pi) + np.log(np.diag(cov)).sum() + p)
    return _Sample(n, [_Pattern(np.arange(p), 1.0, mean, cov)], cov, mean, h1, base, logdet + p)


def _sample_missing(x: np.ndarray, caller: str, tol: float = 1e-10, max_iter: int = 5000) -> _Sample:
    """Data with missing answers (NaN), for full-information ML: the answer patterns, and the
    saturated model by the EM algorithm (lavaan's H1 with ``missing = "ml"``)."""
    x = x[~np.isnan(x).all(axis=1)]
    n, p = x.shape
    seen = ~np.isnan(x)
    kinds, which = np.unique(seen, axis=0, return_inverse=True)
    rows, patterns = [], []
    for k, kind in enumerate(kinds):
        o = np.nonzero(kind)[0]
        xs = x[which.ravel() == k][:, o]
        rows.append((o, np.nonzero(~kind)[0], xs))
        patterns.append(_Pattern(o, len(xs) / n, xs.mean(axis=0), np.cov(xs, rowvar=False, bias=True).reshape(
            len(o), len(o))))
    mean = np.nanmean(x, axis=0)
    cov = np.diag(np.nanvar(x, axis=0))
    for _ in range(max_iter):
        t1, t2 = np.zeros(p), np.zeros((p, p))
        for o, m, xs in rows:
            full = np.empty((len(xs), p))
            full[:, o] = xs
            if len(m):
                B = np.linalg.solve(cov[np.ix_(o, o)], cov[np.ix_(o, m)]).T
                full[:, m] = mean[m] + (xs - mean[o]) @ B.T
                t2[np.ix_(m, m)] += len(xs) * (cov[np.ix_(m, m)] - B @ cov[np.ix_(o, m)])
            t1 += full.sum(axis=0)
            t2 += full.T @ full
        new_mean = t1 / n
        new_cov = t2 / n - np.outer(new_mean, new_mean)
        done = max(np.abs(new_mean - mean).max(), np.abs(new_cov - cov).max()) < tol
        mean, cov = new_mean, new_cov
        if done:
            break
    if np.linalg.slogdet(cov)[0] <= 0:
        _singular(caller)
    h1 = _pattern_loglik(patterns, n, mean, cov)
    # independence model: each item's mean and variance from its own answers (closed form)
    base = sum(-seen[:, j].sum() / 2 * (np.log(2 * np.pi) + np.log(np.nanvar(x[:, j])) + 1) for j in range(p))
    constant = -2 * h1 / n - sum(pat.w * len(pat.obs) for pat in patterns) * np.log(2 * np.pi)
    return _Sample(n, patterns, cov, mean, h1, float(base), constant)


class _Objective:
    """The ML fit function summed over groups (weights n_g / n), its gradient and the expected
    information, at a parameter vector. Each group's fit function is a sum over its answer
    patterns (one pattern for complete data, where it is lavaan's ``F``; several with FIML)."""

    def __init__(self, spec: _Spec, samples: list):
        self.spec, self.samples = spec, samples
        self.n = sum(s.n for s in samples)
        self.w = [s.n / self.n for s in samples]

    def group(self, x, g, gradient: bool = False):
        spec, s = self.spec, self.samples[g]
        L, Phi, theta, nu, alpha = _matrices(spec, x, g)
        sigma = L @ Phi @ L.T + np.diag(theta)
        mu = nu + L @ alpha if nu is not None else None
        p = len(theta)
        f = -s.constant
        G, h, inverses = np.zeros((p, p)), np.zeros(p), []
        for pat in s.patterns:
            o = pat.obs
            so = sigma[np.ix_(o, o)]
            try:
                c = np.linalg.cholesky(so)
            except np.linalg.LinAlgError:
                return None
            W = np.linalg.inv(so)
            inverses.append(W)
            term = 2 * np.log(np.diag(c)).sum() + np.sum(pat.cov * W)
            moment = pat.cov
            if mu is not None:
                d = pat.mean - mu[o]
                term += d @ W @ d
                moment = moment + np.outer(d, d)
                if gradient:
                    h[o] += pat.w * (-2 * W @ d)
            if gradient:
                G[np.ix_(o, o)] += pat.w * (W - W @ moment @ W)
            f += pat.w * term
        resid = s.mean - mu if mu is not None else None
        return {"L": L, "Phi": Phi, "theta": theta, "nu": nu, "alpha": alpha, "sigma": sigma, "mu": mu, "f": f,
                "resid": resid, "G": G, "h": h, "inverses": inverses}

    def value_and_gradient(self, x):
        spec = self.spec
        total, grad = 0.0, np.zeros(spec.k)
        for g, w in enumerate(self.w):
            m = self.group(x, g, gradient=True)
            if m is None:
                return np.inf, grad
            G, h, L, Phi = m["G"], m["h"], m["L"], m["Phi"]
            gL = 2 * G @ L @ Phi
            if m["mu"] is not None:
                gL += np.outer(h, m["alpha"])
                np.add.at(grad, spec.nu[g], w * h)
                a = spec.alpha[g]
                np.add.at(grad, a[a >= 0], w * (L.T @ h)[a >= 0])
            mask = spec.lam[g] >= 0
            np.add.at(grad, spec.lam[g][mask], w * gL[mask])
            np.add.at(grad, spec.phi[g].ravel(), w * (L.T @ G @ L).ravel())
            np.add.at(grad, spec.theta[g], w * np.diag(G))
            total += w * m["f"]
        return total, grad

    def jacobians(self, x, g, m):
        """Each free parameter's derivative of Sigma, written ``u v' + v u'``, and of mu:
        arrays U, V (k_g, p), dM (k_g, p) and the parameters' indices."""
        spec = self.spec
        L, Phi, alpha = m["L"], m["Phi"], m["alpha"]
        p, f = L.shape
        LP = L @ Phi
        eye = np.eye(p)
        U, V, M, cols = [], [], [], []
        # loading (i, j): dSigma = e_i c' + c e_i' with c = (L Phi)[:, j]; dmu = alpha_j e_i
        i, j = np.nonzero(spec.lam[g] >= 0)
        U.append(eye[i]), V.append(LP[:, j].T), cols.append(spec.lam[g][i, j])
        M.append(eye[i] * (alpha[j][:, None] if alpha is not None else 0.0))
        # factor (co)variance (a, b): l_a l_b' + l_b l_a' (a != b), l_a l_a' (a == b)
        a, b = np.tril_indices(f)
        U.append(L[:, a].T), V.append(L[:, b].T * np.where(a == b, 0.5, 1.0)[:, None])
        M.append(np.zeros((len(a), p))), cols.append(spec.phi[g][a, b])
        # residual variance i: e_i e_i'
        U.append(eye), V.append(0.5 * eye), M.append(np.zeros((p, p))), cols.append(spec.theta[g])
        if spec.nu[g] is not None:
            U.append(np.zeros((p, p))), V.append(np.zeros((p, p))), M.append(eye), cols.append(spec.nu[g])
            free = np.nonzero(spec.alpha[g] >= 0)[0]
            U.append(np.zeros((len(free), p))), V.append(np.zeros((len(free), p)))
            M.append(L[:, free].T), cols.append(spec.alpha[g][free])
        return np.vstack(U), np.vstack(V), np.vstack(M), np.concatenate(cols)

    def information(self, x):
        """The expected information of one observation, ``sum_g (n_g/n) I_g``, with
        ``I_g = 1/2 tr(Sigma^-1 dSigma_a Sigma^-1 dSigma_b) + dmu_a' Sigma^-1 dmu_b``.

        With ``dSigma_a = u_a v_a' + v_a u_a'`` the trace is
        ``2 [(u_a'W u_b)(v_a'W v_b) + (u_a'W v_b)(v_a'W u_b)]``, ``W = Sigma^-1``: a few small
        matrix products instead of one p x p product per pair of parameters."""
        spec = self.spec
        info = np.zeros((spec.k, spec.k))
        for g, w in enumerate(self.w):
            m = self.group(x, g)
            if m is None:
                return None
            U, V, M, cols = self.jacobians(x, g, m)
            block = np.zeros((len(cols), len(cols)))
            for pat, W in zip(self.samples[g].patterns, m["inverses"]):
                o = pat.obs
                Uo, Vo = U[:, o], V[:, o]
                UW, VW = Uo @ W, Vo @ W
                C = UW @ Vo.T
                block += pat.w * ((UW @ Uo.T) * (VW @ Vo.T) + C * C.T)
                if spec.nu[g] is not None:
                    block += pat.w * (M[:, o] @ W @ M[:, o].T)
            info[np.ix_(cols, cols)] += w * block
        return info

    def observed_information(self, x):
        """The observed information of one observation, ``(1/2) d2F/dx2``: central differences of
        the analytic gradient (lavaan's default for standard errors with FIML)."""
        k = len(x)
        H = np.empty((k, k))
        step = 1e-5 * np.maximum(np.abs(x), 1.0)
        for a in range(k):
            up, down = x.copy(), x.copy()
            up[a] += step[a]
            down[a] -= step[a]
            H[:, a] = (self.value_and_gradient(up)[1] - self.value_and_gradient(down)[1]) / (2 * step[a])
        return 0.25 * (H + H.T)


def _start(spec: _Spec, samples: list, scales: list) -> np.ndarray:
    """Starting values from the pooled sample moments: loadings from covariances with the marker,
    factor (co)variances from the covariances they imply, residuals the rest of each variance."""
    n = sum(s.n for s in samples)
    S = sum(s.n * s.cov for s in samples) / n
    items = spec.items
    where = {c: i for i, c in enumerate(items)}
    m = len(scales)
    lam = spec.lam_value.copy()
    var = np.zeros(m)
    for j, (_, members) in enumerate(scales):
        rows = [where[c] for c in members]
        marker = rows[0]
        others = rows[1:]
        if len(rows) >= 3:
            # one-factor covariances: s_ik = l_i l_k phi; with l_marker = 1, phi = s_mi s_mk / s_ik
            pairs = [(a, b) for ai, a in enumerate(others) for b in others[ai + 1:]]
            phis = [S[marker, a] * S[marker, b] / S[a, b] for a, b in pairs if abs(S[a, b]) > 1e-8]
            phi = np.median(phis) if phis else 0.5 * S[marker, marker]
        else:
            phi = np.mean([S[a, b] for a in rows for b in rows if a != b]) if len(rows) == 2 else S[marker, marker] / 2
        phi = float(np.clip(phi, 0.05 * S[marker, marker], 0.95 * S[marker, marker]))
        var[j] = phi
        if len(rows) >= 3:
            lam[others, j] = S[marker, others] / phi
    Phi = np.diag(var)
    for a in range(m):
        for b in range(a):
            ra = [where[c] for c in scales[a][1]]
            rb = [where[c] for c in scales[b][1]]
            block = S[np.ix_(ra, rb)] / np.outer(lam[ra, a], lam[rb, b])
            Phi[a, b] = Phi[b, a] = np.mean(block)
    corr = Phi / np.sqrt(np.outer(var, var))
    corr = np.clip(corr, -0.9, 0.9)
    np.fill_diagonal(corr, 1.0)
    while np.linalg.eigvalsh(corr).min() < 0.05:
        corr = 0.9 * corr + 0.1 * np.eye(m)
    Phi = corr * np.sqrt(np.outer(var, var))
    common = np.einsum("ij,jk,ik->i", lam, Phi, lam)
    theta = np.maximum(np.diag(S) - common, 0.1 * np.diag(S))
    x = np.zeros(spec.k)
    for g, s in enumerate(samples):
        mask = spec.lam[g] >= 0
        x[spec.lam[g][mask]] = lam[mask]
        x[spec.phi[g]] = Phi
        x[spec.theta[g]] = theta
        if spec.nu[g] is not None:
            x[spec.nu[g]] = samples[0].mean if spec.nu[g] is spec.nu[0] else s.mean
            a = spec.alpha[g]
            x[a[a >= 0]] = 0.0
    return x


def _minimise(obj: _Objective, x0: np.ndarray):
    """Minimise the fit function: scipy's trust-region Newton method on the analytic gradient,
    with the expected information (times 2, the expected Hessian of F) as the Hessian."""
    def hess(x):
        info = obj.information(x)
        return 2 * info if info is not None else np.eye(len(x))

    res = optimize.minimize(obj.value_and_gradient, x0, jac=True, hess=hess, method="trust-exact",
                            options={"gtol": 1e-9, "maxiter": 500})
    x = res.x
    value, grad = obj.value_and_gradient(x)
    converged = bool(np.isfinite(value) and np.max(np.abs(grad)) < 1e-6)
    return x, value, converged, res


# -- fit statistics -------------------------------------------------------------------------------
def _rmsea_interval(chisq: float, df: int, n: int, groups: int, level: float = 0.90) -> tuple[float, float]:
    """lavaan's interval: the noncentrality ``lambda`` at which the observed chi-square is the
    upper (lower) ``(1 - level)/2`` point, ``sqrt(lambda / (n df)) * sqrt(G)``."""
    if df < 1:
        return np.nan, np.nan
    upper_p, lower_p = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(lam):
        return stats.chi2.cdf(chisq, df) if lam <= 0 else stats.ncx2.cdf(chisq, df, lam)

    scale = np.sqrt(groups) / np.sqrt(n * df)
    if cdf(0) < upper_p:
        low = 0.0
    else:
        low = np.sqrt(optimize.brentq(lambda lam: cdf(lam) - upper_p, 0, chisq, xtol=1e-12)) * scale
    top = max(n, 4 * chisq)
    if cdf(0) < lower_p:
        high = 0.0
    elif cdf(top) > lower_p:   # the root lies beyond any sensible lambda: lavaan reports NA
        high = np.nan
    else:
        high = np.sqrt(optimize.brentq(lambda lam: cdf(lam) - lower_p, 0, top, xtol=1e-12)) * scale
    return float(low), float(high)


def _fit_table(obj: _Objective, x: np.ndarray, value: float, converged: bool) -> pd.DataFrame:
    spec, samples = obj.spec, obj.samples
    n, G, p = obj.n, len(samples), len(spec.items)
    meanstructure = spec.nu[0] is not None
    moments = G * (p * (p + 1) // 2 + (p if meanstructure else 0))
    df = moments - spec.k
    chisq = n * value
    # Independence model: free variances (and means), in each group.
    base = sum(2 * (s.loglik_h1 - s.loglik_baseline) for s in samples)
    base_df = moments - G * (p + (p if meanstructure else 0))
    cfi_t1 = max(chisq - df, 0.0)
    cfi_t2 = max(chisq - df, base - base_df, 0.0)
    cfi = 1.0 if cfi_t2 == 0 else 1 - cfi_t1 / cfi_t2
    if df > 0:
        t1, t2 = base / base_df - chisq / df, base / base_df - 1
        tli = 1.0 if (t1 < 0 and t2 < 0) else t1 / t2
        rmsea = np.sqrt(max(chisq / n / df - 1 / n, 0.0)) * np.sqrt(G)
    else:
        tli, rmsea = np.nan, 0.0
    low, high = _rmsea_interval(chisq, df, n, G)
    srmr, loglik = 0.0, 0.0
    for g, s in enumerate(samples):
        m = obj.group(x, g)
        sd = np.sqrt(np.diag(s.cov))
        r = (s.cov - m["sigma"]) / np.outer(sd, sd)
        res = list(r[np.tril_indices(p)])
        if m["resid"] is not None:
            res += list(m["resid"] / sd)
        srmr += s.n / n * np.sqrt(np.mean(np.square(res)))
        loglik += s.loglik_h1 - s.n * m["f"] / 2
    return pd.DataFrame([{
        "n": n, "chisq": chisq, "df": df, "p_value": stats.chi2.sf(chisq, df) if df > 0 else np.nan,
        "cfi": cfi, "tli": tli, "rmsea": rmsea, "rmsea_conf_low": low, "rmsea_conf_high": high, "srmr": srmr,
        "aic": -2 * loglik + 2 * spec.k, "bic": -2 * loglik + spec.k * np.log(n), "loglik": loglik,
        "n_parameters": spec.k, "baseline_chisq": base, "baseline_df": base_df, "converged": converged}],
        columns=FIT_COLUMNS)


def _standardised(obj: _Objective, x: np.ndarray) -> np.ndarray:
    """Standardised loadings (per group, pattern order) then factor correlations (lower
    triangle, per group): lavaan's ``std.all``."""
    out = []
    for g in range(len(obj.samples)):
        L, Phi, theta, _, _ = _matrices(obj.spec, x, g)
        sigma_ii = np.einsum("ij,jk,ik->i", L, Phi, L) + theta
        sd = np.sqrt(np.diag(Phi))
        std = L * sd[None, :] / np.sqrt(sigma_ii)[:, None]
        out.append(std[obj.spec.lam_value + (obj.spec.lam[g] >= 0) > 0])
        corr = Phi / np.outer(sd, sd)
        out.append(corr[np.tril_indices(len(sd), -1)])
    return np.concatenate(out)


def _delta_se(obj: _Objective, x: np.ndarray, vcov: np.ndarray) -> np.ndarray:
    """Delta-method standard errors of :func:`_standardised` (central differences)."""
    h = 1e-6 * np.maximum(np.abs(x), 1.0)
    J = np.empty((len(_standardised(obj, x)), len(x)))
    for a in range(len(x)):
        up, down = x.copy(), x.copy()
        up[a] += h[a]
        down[a] -= h[a]
        J[:, a] = (_standardised(obj, up) - _standardised(obj, down)) / (2 * h[a])
    return np.sqrt(np.maximum(np.einsum("ia,ab,ib->i", J, vcov, J), 0.0))


def _wald(estimate, se, level=0.95):
    z = stats.norm.isf((1 - level) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        statistic = estimate / se
    return statistic, 2 * stats.norm.sf(np.abs(statistic)), estimate - z * se, estimate + z * se


# -- results --------------------------------------------------------------------------------------
@dataclass
class CFAResult:
    """A fitted confirmatory factor model (:func:`fit_cfa`).

    Attributes
    ----------
    fit : DataFrame
        One row: ``n, chisq, df, p_value, cfi, tli, rmsea, rmsea_conf_low, rmsea_conf_high, srmr,
        aic, bic, loglik, n_parameters, baseline_chisq, baseline_df, converged``.
    loadings : DataFrame
        One row per item (and group): ``group, scale, label, item, measure`` (``"loading"``),
        ``estimate, std_error, statistic, p_value, conf_low, conf_high`` (unstandardised, Wald
        95 %; a marker's loading is fixed at 1 and has no standard error), ``std_loading,
        std_loading_conf_low, std_loading_conf_high`` (standardised, lavaan's ``std.all``, with a
        delta-method 95 % interval).
    factor_correlations : DataFrame
        One row per pair of factors (and group): ``group, scale_1, scale_2, measure``
        (``"factor_correlation"``), ``estimate, std_error, statistic, p_value, conf_low,
        conf_high`` (delta method, Wald 95 %).
    syntax : str
        The model in lavaan's syntax (fixed loadings written ``1*item``), to refit it in R.
    notes : list of str
        What was decided on the way: respondents dropped, scales left out or constrained, warnings.
    """

    fit: pd.DataFrame
    loadings: pd.DataFrame
    factor_correlations: pd.DataFrame
    syntax: str
    notes: list = field(default_factory=list)
    latent_means: pd.DataFrame | None = None

    @property
    def n(self) -> int:
        """Respondents the model used."""
        return int(self.fit["n"].iloc[0])

    def sentence(self, what: str = "The model") -> str:
        """The fit and the loadings in a sentence, for a report.

        Examples
        --------
        >>> fit = pd.DataFrame([{"n": 500, "chisq": 60.2, "df": 50, "p_value": 0.15, "cfi": 0.99, "tli": 0.98,
        ...                      "rmsea": 0.02, "rmsea_conf_low": 0.0, "rmsea_conf_high": 0.04, "srmr": 0.03}])
        >>> load = pd.DataFrame({"std_loading": [0.5, 0.8]})
        >>> print(CFAResult(fit, load, pd.DataFrame(), "").sentence("The two-factor model"))
        The two-factor model fits well by all four conventional cut-offs (CFI 0.990 and TLI 0.980, at least .95; RMSEA 0.020, 90% CI 0.000 to 0.040, at most .06; SRMR 0.030, at most .08; chi-square(50) = 60.2, p = .150). Standardised loadings range from 0.50 to 0.80. Based on 500 respondents who answered every item.
        """
        r = self.fit.iloc[0]
        met = self.cutoffs()["meets"]
        verdict = ("fits well by all four conventional cut-offs" if met.all() else
                   f"meets {int(met.sum())} of the four conventional cut-offs" if met.any() else
                   "meets none of the conventional cut-offs")
        std = self.loadings["std_loading"]
        return (f"{what} {verdict} (CFI {r['cfi']:.3f} and TLI {r['tli']:.3f}, at least .95; RMSEA {r['rmsea']:.3f}, "
                f"90% CI {r['rmsea_conf_low']:.3f} to {r['rmsea_conf_high']:.3f}, at most .06; SRMR {r['srmr']:.3f}, "
                f"at most .08; chi-square({int(r['df'])}) = {r['chisq']:.1f}, {_p(r['p_value'])}). Standardised "
                f"loadings range from {std.min():.2f} to {std.max():.2f}. Based on {int(r['n']):,} respondents who "
                "answered every item.")

    def cutoffs(self) -> pd.DataFrame:
        """The fit indices against the conventional cut-offs (Hu & Bentler 1999: CFI and TLI at
        least .95, RMSEA at most .06, SRMR at most .08).

        Returns
        -------
        DataFrame
            ``measure, estimate, cut_off, meets`` (True when the index is on the good side), and
            for RMSEA its 90 % interval in ``conf_low``, ``conf_high``.
        """
        row = self.fit.iloc[0]
        rows = []
        for name, direction, cut in CUTOFFS:
            value = float(row[name])
            meets = value >= cut if direction == ">=" else value <= cut
            rows.append({"measure": name, "estimate": value, "conf_low": row["rmsea_conf_low"] if name == "rmsea"
                         else np.nan, "conf_high": row["rmsea_conf_high"] if name == "rmsea" else np.nan,
                         "cut_off": f"{direction} {cut:.2f}", "meets": bool(meets)})
        return pd.DataFrame(rows)


@dataclass
class InvarianceResult:
    """Configural, metric and scalar models across groups (:func:`measurement_invariance`).

    Attributes
    ----------
    steps : DataFrame
        One row per step (``configural``, ``metric``, ``scalar``): ``step, constraints`` and the
        fit indices of :attr:`CFAResult.fit`, then ``chisq_diff, df_diff, chisq_diff_p_value``
        (likelihood-ratio test against the step before), ``delta_cfi, delta_rmsea`` and
        ``decision`` (``"holds"`` / ``"does not hold"``) with the ``criterion`` applied.
    groups : DataFrame
        ``group, n``: the respondents each group contributed (complete answers).
    models : dict
        Step -> :class:`CFAResult` (loadings per group, and for ``scalar`` the latent means).
    notes : list of str
        Warnings and decisions, in words, for a report.
    """

    steps: pd.DataFrame
    groups: pd.DataFrame
    models: dict
    notes: list = field(default_factory=list)

    @property
    def scalar_holds(self) -> bool:
        """True when configural, metric and scalar invariance all hold."""
        return bool((self.steps["decision"] == "holds").all())

    @property
    def highest(self) -> str | None:
        """The last step that holds with every step before it (``None`` if configural fails)."""
        held = None
        for step, decision in zip(self.steps["step"], self.steps["decision"]):
            if decision != "holds":
                break
            held = step
        return held

    def sentence(self, across: str = "the groups") -> str:
        """What the three steps say, in words, for a report.

        Examples
        --------
        >>> steps = pd.DataFrame({"step": ["configural", "metric", "scalar"], "decision": ["holds", "holds",
        ...                       "does not hold"], "delta_cfi": [np.nan, -0.002, -0.02], "delta_rmsea": [np.nan,
        ...                       0.001, 0.02], "n": [900] * 3})
        >>> print(InvarianceResult(steps, pd.DataFrame(), {}).sentence("BME and white respondents"))
        Across BME and white respondents, the scales measure the same factors with the same loadings (metric invariance holds), but scalar invariance does not hold (change in CFI -0.0200, in RMSEA +0.0200; Chen 2007: at least -.01 and at most +.015): differences in scale means between them may partly reflect items working differently rather than differences in what the scales measure. Based on 900 respondents with a group who answered every item.
        """
        steps = self.steps.set_index("step")
        n = f" Based on {int(steps['n'].iloc[0]):,} respondents with a group who answered every item."
        rule = "Chen 2007: at least -.01 and at most +.015"

        def change(step):
            r = steps.loc[step]
            cfi, rmsea = (f"{v:+.4f}".replace("-0.0000", "+0.0000") for v in (r["delta_cfi"], r["delta_rmsea"]))
            return f"change in CFI {cfi}, in RMSEA {rmsea}; {rule}"

        held = self.highest
        if held is None:
            return (f"Across {across}, the factor model does not fit well enough in every group (configural "
                    "invariance fails the conventional cut-offs): the scales cannot be compared." + n)
        if held == "scalar":
            return (f"Across {across}, configural, metric and scalar invariance hold ({change('scalar')}): the items "
                    "work the same way in each group, so their scale means can be compared." + n)
        if held == "metric":
            return (f"Across {across}, the scales measure the same factors with the same loadings (metric invariance "
                    f"holds), but scalar invariance does not hold ({change('scalar')}): differences in scale means "
                    "between them may partly reflect items working differently rather than differences in what the "
                    "scales measure." + n)
        return (f"Across {across}, the same factors fit (configural invariance) but the loadings differ (metric "
                f"invariance does not hold: {change('metric')}): the scales do not measure quite the same thing, and "
                "their means should not be compared directly." + n)


# -- building a model from an instrument ----------------------------------------------------------
def _instrument(instrument, caller: str) -> Instrument:
    if isinstance(instrument, Instrument):
        return instrument
    if not isinstance(instrument, str):
        fail("bad argument", f"instrument={instrument!r}; expected an instrument id such as 'hse_mit'",
             "pass e.g. instrument='hse_mit'", source=caller)
    try:
        return find_instrument(instrument)
    except SurveyDataError as err:
        fail("bad argument", err.problems[0].message, err.problems[0].fix, source=caller)


def factor_scales(inst: Instrument, scales=None, *, caller: str = "fit_cfa()") -> tuple[list, list]:
    """The factors of a CFA of ``inst``: ``[(scale, items)]`` and notes on what was left out.

    Every scale scored from its items is a factor, except a look-up conversion (it shares its raw
    scale's items) and a total whose items are the union of other scales (the subscales are the
    factors). A one-item scale is left out; a two-item scale is kept with its two loadings
    fixed equal (both 1 on the marker's scale), which identifies it.

    Examples
    --------
    >>> from analysis.instruments import instrument
    >>> found, notes = factor_scales(instrument("wrqol"))
    >>> [s for s, _ in found][-1], notes[-1][:40]
    ('wrqol_saw', 'wrqol_saw has two items: its two loading')
    """
    candidates = [s for s in inst.scales if s.score != "lookup"]
    totals = {s.name for s in candidates for t in candidates
              if t is not s and set(t.items) < set(s.items)}
    usable = [s for s in candidates if s.name not in totals]
    notes = [f"{name} is a total of other scales: its subscales are the factors" for name in sorted(totals)]
    if scales is not None:
        wanted = as_names(scales, "scales", caller)
        known = [s.name for s in usable]
        bad = [w for w in wanted if w not in known]
        if bad:
            fail("bad argument", f"scales={bad!r}: not a factor of {inst.id}{did_you_mean(bad[0], known)}",
                 f"use some of {known}", source=caller)
        usable = [s for s in usable if s.name in wanted]
        notes = []
    out = []
    for s in usable:
        if len(s.items) < 2:
            notes.append(f"{s.name} has one item and was left out (a factor needs two or more)")
            continue
        if len(s.items) == 2:
            notes.append(f"{s.name} has two items: its two loadings are fixed equal (both 1), which identifies it")
        out.append((s.name, list(s.items)))
    if not out:
        fail("bad argument", f"no factor to fit in {inst.id} (scales={scales!r})",
             "choose scales with two or more items", source=caller)
    return out, notes


def _syntax(scales: list) -> str:
    lines = []
    for name, items in scales:
        terms = [f"1*{c}" if len(items) == 2 else c for c in items]
        lines.append(f"{name} =~ {' + '.join(terms)}")
    return "\n".join(lines)


def _keyed(wave, inst: Instrument, caller: str) -> pd.DataFrame:
    if is_wave(wave):
        data = wave.data
    elif is_table(wave):
        data = wave
    else:
        fail("not a wave", f"wave= is {given(wave)}; {caller} expects a loaded wave (a Wave from load_wave) or a "
             "DataFrame of the instrument's item answers", "pass the wave that load_wave() returned", source=caller)
    missing = [c for c in inst.items if c not in data.columns]
    if missing:
        fail("missing items", f"the data have no item columns of {inst.id} ({missing[:3]}...)",
             f"pass a wave that asked the {inst.short_name}", source=caller)
    return keyed_items(data, inst)


def _warn(notes: list, caller: str, text: str) -> None:
    """Warn (``caller: text``) and keep the text in the result's notes, for a report."""
    notes.append(text)
    warnings.warn(f"{caller}: {text}", SurveyDataWarning, stacklevel=3)


def one_blas_thread():
    """BLAS on one thread while fitting many small models (here, and in
    :func:`analysis.stats.imputation.impute`): the matrices are small (p x p, k x k), and several
    BLAS threads fighting over two busy cores made a fit 20 times slower (threadpoolctl is a declared
    dependency; should it be missing, nothing changes)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _estimate(scales, samples, meanstructure, equal, caller, group_labels=None, observed=False):
    """Fit one model: its fit table, loadings, factor correlations and latent means."""
    with one_blas_thread():
        return _estimate_here(scales, samples, meanstructure, equal, caller, group_labels, observed)


def _estimate_here(scales, samples, meanstructure, equal, caller, group_labels=None, observed=False):
    items = [c for _, members in scales for c in members]
    spec = _spec(scales, items, len(samples), meanstructure, equal)
    obj = _Objective(spec, samples)
    x, value, converged, _ = _minimise(obj, _start(spec, samples, scales))
    fit = _fit_table(obj, x, value, converged)
    # lavaan's defaults: expected information for complete data, observed with FIML
    info = obj.observed_information(x) if observed else obj.information(x)
    try:
        vcov = np.linalg.inv(info) / obj.n
        se = np.sqrt(np.maximum(np.diag(vcov), 0.0))
    except (np.linalg.LinAlgError, TypeError):
        vcov, se = np.full((spec.k, spec.k), np.nan), np.full(spec.k, np.nan)
    std = _standardised(obj, x)
    std_se = _delta_se(obj, x, vcov) if np.isfinite(vcov).all() else np.full(len(std), np.nan)
    labels = group_labels or ["All"]
    load_rows, corr_rows, mean_rows = [], [], []
    pos = 0
    m = len(scales)
    for g, glabel in enumerate(labels):
        L, Phi, _, _, alpha = _matrices(spec, x, g)
        fixed_or_free = spec.lam_value + (spec.lam[g] >= 0) > 0
        pattern = [(i, j) for j in range(m) for i in range(len(items)) if fixed_or_free[i, j]]
        order = [(i, j) for i, j in zip(*np.nonzero(fixed_or_free))]
        std_of = dict(zip(order, std[pos:pos + len(order)]))
        std_se_of = dict(zip(order, std_se[pos:pos + len(order)]))
        pos += len(order)
        for i, j in pattern:
            k = spec.lam[g][i, j]
            est_se = se[k] if k >= 0 else np.nan
            load_rows.append({"group": glabel, "scale": scales[j][0], "item": items[i], "measure": "loading",
                              "estimate": L[i, j], "std_error": est_se, "std_loading": std_of[(i, j)],
                              "std_se": std_se_of[(i, j)]})
        tri = list(zip(*np.tril_indices(m, -1)))
        for (a, b), r, r_se in zip(tri, std[pos:pos + len(tri)], std_se[pos:pos + len(tri)]):
            corr_rows.append({"group": glabel, "scale_1": scales[b][0], "scale_2": scales[a][0],
                              "measure": "factor_correlation", "estimate": r, "std_error": r_se})
        pos += len(tri)
        if alpha is not None and (spec.alpha[g] >= 0).any():
            for a in range(m):
                k = spec.alpha[g][a]
                mean_rows.append({"group": glabel, "scale": scales[a][0], "measure": "latent_mean_difference",
                                  "estimate": alpha[a], "std_error": se[k]})
    loadings = pd.DataFrame(load_rows)
    stat, pv, lo, hi = _wald(loadings["estimate"], loadings["std_error"])
    loadings = loadings.assign(statistic=stat, p_value=pv, conf_low=lo, conf_high=hi)
    z = stats.norm.isf(0.025)
    loadings = loadings.assign(std_loading_conf_low=loadings["std_loading"] - z * loadings["std_se"],
                               std_loading_conf_high=loadings["std_loading"] + z * loadings["std_se"])
    corr = pd.DataFrame(corr_rows, columns=["group", "scale_1", "scale_2", "measure", "estimate", "std_error"])
    stat, pv, lo, hi = _wald(corr["estimate"], corr["std_error"])
    corr = corr.assign(statistic=stat, p_value=pv, conf_low=lo, conf_high=hi)
    means = None
    if mean_rows:
        means = pd.DataFrame(mean_rows)
        stat, pv, lo, hi = _wald(means["estimate"], means["std_error"])
        means = means.assign(statistic=stat, p_value=pv, conf_low=lo, conf_high=hi)
    return fit, loadings, corr, means, std_se


def _label_loadings(loadings: pd.DataFrame, inst: Instrument) -> pd.DataFrame:
    labels = {s.name: s.label for s in inst.scales}
    out = loadings.assign(label=loadings["scale"].map(labels), item_label=loadings["item"].map(inst.item_labels))
    return out[["group", "scale", "label", "item", "item_label", "measure", "estimate", "std_error", "statistic",
                "p_value", "conf_low", "conf_high", "std_loading", "std_loading_conf_low", "std_loading_conf_high"]
               + (["suppressed"] if "suppressed" in out else [])]


def _check_estimator(estimator, missing, caller):
    if estimator != "ML":
        fail("bad argument", f"estimator={estimator!r}; only maximum likelihood is available",
             "pass estimator='ML' (the default)", source=caller)
    if missing not in ("listwise", "ml"):
        fail("bad argument", f"missing={missing!r}; expected 'listwise' or 'ml' (full-information maximum "
             "likelihood)", "pass missing='listwise' (the default) or missing='ml'", source=caller)


# -- public functions -----------------------------------------------------------------------------
def fit_cfa(wave, instrument: str = "hse_mit", *, scales=None, estimator: str = "ML",
            missing: str = "listwise") -> CFAResult:
    """Confirmatory factor analysis of an instrument: each scale a factor, its items the indicators.

    The model is built from the instrument's file (``analysis/specs/instruments/``), so no
    instrument needs code of its own. Reverse-keyed items are turned round first (as for the
    scores), so every loading should be positive. Fitted by maximum likelihood as
    ``lavaan::cfa(model, data, estimator = "ML")`` with its defaults (see the module's notes);
    :attr:`CFAResult.syntax` is that model.

    Parameters
    ----------
    wave : Wave or DataFrame
        A loaded wave (:func:`analysis.load_wave`, or :func:`analysis.pool_waves`), or a table
        with the instrument's item columns (raw answers, as on the form).
    instrument : str or Instrument
        The instrument's id (default ``"hse_mit"``).
    scales : str or list of str, optional
        Fit these factors only (default: every scale scored from its items; totals and look-up
        conversions are left out, a two-item scale gets equal loadings; see :func:`factor_scales`).
    estimator : {"ML"}
        Maximum likelihood (the only one).
    missing : {"listwise", "ml"}
        ``"listwise"`` (default, lavaan's): respondents who answered every item of the model.
        ``"ml"``: full-information maximum likelihood, every respondent who answered at least one
        item (``lavaan::cfa(..., missing = "ml")``); standard errors from the observed
        information, as lavaan's.

    Returns
    -------
    CFAResult
        ``.fit`` (one row of fit indices), ``.loadings``, ``.factor_correlations``, ``.syntax``,
        ``.notes``, and ``.cutoffs()`` to read the fit against the usual cut-offs.

    Raises
    ------
    SurveyDataError
        An unknown instrument or scale, items missing from the data, or too few respondents for
        the model (fewer than the number of items plus one).

    Warns
    -----
    SurveyDataWarning
        Fewer than 10 respondents per free parameter, or a fit that did not converge.

    Examples
    --------
    >>> from analysis import load_wave
    >>> from analysis.synthetic import demo_wave
    >>> wave = load_wave(demo_wave(n=600, seed=4), wave=2018)
    >>> cfa = fit_cfa(wave, "hse_mit", scales=["hse_demands", "hse_change"])
    >>> int(cfa.fit["df"].iloc[0]), cfa.loadings.shape[0]
    (43, 11)
    >>> print(cfa.syntax)
    hse_demands =~ hse_03 + hse_06 + hse_09 + hse_12 + hse_16 + hse_18 + hse_20 + hse_22
    hse_change =~ hse_26 + hse_28 + hse_32
    """
    caller = "fit_cfa()"
    _check_estimator(estimator, missing, caller)
    inst = _instrument(instrument, caller)
    chosen, notes = factor_scales(inst, scales, caller=caller)
    items = [c for _, members in chosen for c in members]
    keyed = _keyed(wave, inst, caller)[items]
    used = keyed.dropna() if missing == "listwise" else keyed[keyed.notna().any(axis=1)]
    dropped = len(keyed) - len(used)
    if dropped:
        notes.append(f"{dropped:,} of {len(keyed):,} respondents left out for missing answers "
                     + ("(listwise)" if missing == "listwise" else "(no item of the model answered)"))
    if missing == "ml":
        notes.append("missing answers: full-information maximum likelihood (every answer used); standard errors "
                     "from the observed information")
    if len(used) <= len(items):
        fail("too few respondents", f"{len(used)} respondents answered the items of the model; a model of "
             f"{len(items)} items needs more than {len(items)}", "fit fewer scales (scales=...) or pool waves",
             source=caller)
    x = used.to_numpy(dtype="float64")
    samples = [_sample(x, caller) if missing == "listwise" else _sample_missing(x, caller)]
    fit, loadings, corr, _, _ = _estimate(chosen, samples, missing == "ml", (), caller, observed=missing == "ml")
    result = CFAResult(fit, _label_loadings(loadings, inst).drop(columns="group"),
                       corr.drop(columns="group"), _syntax(chosen), notes)
    k = int(fit["n_parameters"].iloc[0])
    if len(used) < PER_PARAMETER * k:
        _warn(notes, caller, f"{len(used):,} respondents for {k} free parameters, fewer than "
              f"{PER_PARAMETER} per parameter; the estimates may be unstable")
    if not fit["converged"].iloc[0]:
        _warn(notes, caller, "the model did not converge; its estimates and fit are not to be trusted")
    return result


def _groups(wave, group: str, caller: str) -> pd.Series:
    if not isinstance(group, str):
        fail("bad argument", f"group={group!r}; expected one column name", "pass e.g. group='bme'", source=caller)
    data = wave.data if is_wave(wave) else wave
    if group in data.columns:
        return data[group]
    if is_wave(wave):
        frame = analysis_frame(wave)
        if group in frame.columns:
            return frame[group]
        known = list(frame.columns)
    else:
        known = list(data.columns)
    fail("unknown column", f"group {group!r} is not a column of the data{did_you_mean(group, known)}",
         "pass a column of analysis_frame(wave), e.g. group='bme', or group='wave' for pooled waves",
         source=caller)


def measurement_invariance(wave, group: str, instrument: str = "hse_mit", *, scales=None, labels: dict | None = None,
                           threshold: int = DEFAULT_THRESHOLD, missing: str = "listwise") -> InvarianceResult:
    """Configural, metric and scalar invariance of an instrument's factor model across groups.

    Three multi-group models with a mean structure, each fitted to all groups at once (one
    likelihood), as ``lavaan::cfa(model, data, group = group, group.equal = ...)``:

    - **configural**: the same factors and items in every group, every parameter free;
    - **metric**: loadings equal across groups (``group.equal = "loadings"``);
    - **scalar**: loadings and item intercepts equal (``c("loadings", "intercepts")``), the
      factor means free in every group after the first (the first group's are 0).

    Each step is compared with the one before by the chi-square difference (likelihood-ratio)
    test and by the change in CFI and RMSEA. The decision follows Chen (2007): a step holds when
    CFI falls by no more than .01 and RMSEA rises by no more than .015 (with large samples the
    chi-square difference rejects trivial differences, so it is reported but not decisive). The
    configural step holds when its fit meets the conventional cut-offs (CFI and TLI at least .95,
    RMSEA at most .06, SRMR at most .08). When scalar invariance holds, the groups' scale means
    can be compared.

    Parameters
    ----------
    wave : Wave or DataFrame
        A loaded wave (or pooled waves, with ``group="wave"``), or a table holding the items and
        the group column.
    group : str
        The column defining the groups, in the wave's data or in ``analysis_frame(wave)`` (e.g.
        ``"bme"``). Respondents without a group are left out. Groups are taken in sorted order;
        the first is the reference for the latent means.
    instrument : str or Instrument
        The instrument's id (default ``"hse_mit"``).
    scales : str or list of str, optional
        Fit these factors only (see :func:`fit_cfa`).
    labels : dict, optional
        Group value -> the name shown in the tables and notes (e.g. ``{0: "White", 1: "BME"}``);
        by default the values themselves.
    threshold : int
        Disclosure threshold: a group with fewer respondents (complete answers) is refused.
    missing : {"listwise", "ml"}
        As :func:`fit_cfa`: listwise (default) or full-information ML.

    Returns
    -------
    InvarianceResult
        ``.steps`` (one row per step), ``.groups``, ``.models``, ``.notes`` and ``.scalar_holds``.

    Raises
    ------
    SurveyDataError
        A group below the disclosure threshold, fewer than two groups, or the errors of
        :func:`fit_cfa`.

    Warns
    -----
    SurveyDataWarning
        A group with fewer than 10 respondents per free parameter of its part of the configural
        model, or a model that did not converge.

    Examples
    --------
    >>> import warnings
    >>> from analysis import load_wave
    >>> from analysis.synthetic import demo_wave
    >>> wave = load_wave(demo_wave(n=800, seed=5), wave=2018)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     mi = measurement_invariance(wave, "bme", scales=["hse_peer_support", "hse_change"])
    >>> mi.steps["step"].tolist(), mi.steps["df"].tolist()
    (['configural', 'metric', 'scalar'], [26, 31, 36])
    """
    caller = "measurement_invariance()"
    _check_estimator("ML", missing, caller)
    threshold, problems = check_threshold(threshold)
    if problems:
        raise SurveyDataError(problems, source=caller, outcome="nothing was computed")
    inst = _instrument(instrument, caller)
    chosen, notes = factor_scales(inst, scales, caller=caller)
    items = [c for _, members in chosen for c in members]
    keyed = _keyed(wave, inst, caller)[items]
    member = _groups(wave, group, caller).reindex(keyed.index)
    answered = keyed.notna().all(axis=1) if missing == "listwise" else keyed.notna().any(axis=1)
    keep = member.notna() & answered
    if (~keep).any():
        notes.append(f"{int((~keep).sum()):,} of {len(keyed):,} respondents left out for a missing group or "
                     + ("missing answers (listwise)" if missing == "listwise" else "no item of the model answered"))
    if missing == "ml":
        notes.append("missing answers: full-information maximum likelihood (every answer used); standard errors "
                     "from the observed information")
    levels = sorted(pd.unique(member[keep]), key=lambda v: (str(type(v)), v))
    if len(levels) > MAX_GROUPS:
        fail("bad argument", f"group {group!r} has {len(levels)} distinct values; invariance compares a few groups",
             f"pass a grouping column with at most {MAX_GROUPS} groups, e.g. group='bme' or group='wave'",
             source=caller)
    sizes = {lv: int((member[keep] == lv).sum()) for lv in levels}
    small = [lv for lv, n in sizes.items() if n < threshold]
    if small:
        fail("too few respondents", f"group{'s' if len(small) > 1 else ''} {', '.join(repr(_name(v, labels)) for v in small)} "
             f"of {group!r} ha{'ve' if len(small) > 1 else 's'} fewer than {threshold} respondents with complete "
             "answers (the disclosure threshold)", "combine small groups, or compare larger ones", source=caller)
    if len(levels) < 2:
        fail("too few groups", f"{group!r} has {len(levels)} group(s) with complete answers; invariance needs two "
             "or more", "pass a column with at least two groups", source=caller)
    for lv, n in sizes.items():
        if n <= len(items):
            fail("too few respondents", f"group {_name(lv, labels)!r} has {n} respondents for a model of {len(items)} items",
                 "fit fewer scales (scales=...)", source=caller)
    make = _sample if missing == "listwise" else _sample_missing
    samples = [make(keyed[keep & (member == lv)].to_numpy(dtype="float64"), caller) for lv in levels]
    glabels = [_name(lv, labels) for lv in levels]
    per_group = _spec(chosen, items, 1, True).k
    for lv, n in sizes.items():
        if n < PER_PARAMETER * per_group:
            _warn(notes, caller, f"group {_name(lv, labels)!r} has {n:,} respondents for {per_group} free parameters "
                  f"of its configural model, fewer than {PER_PARAMETER} per parameter; its estimates may be unstable")
    steps = [("configural", (), "none"), ("metric", ("loadings",), "loadings"),
             ("scalar", ("loadings", "intercepts"), "loadings, intercepts")]
    rows, models = [], {}
    for name, equal, constraints in steps:
        fit, loadings, corr, means, _ = _estimate(chosen, samples, True, equal, caller, glabels,
                                                  observed=missing == "ml")
        shown = [t.assign(suppressed="") if t is not None else None for t in (loadings, corr, means)]
        models[name] = CFAResult(fit, _label_loadings(shown[0], inst), shown[1], _syntax(chosen), [], shown[2])
        if not fit["converged"].iloc[0]:
            _warn(notes, caller, f"the {name} model did not converge; its fit is not to be trusted")
        rows.append({"step": name, "constraints": constraints, **fit.iloc[0].to_dict()})
    table = pd.DataFrame(rows)
    table["n"] = table["n"].astype(int)
    prev = table.shift(1)
    table["chisq_diff"] = table["chisq"] - prev["chisq"]
    table["df_diff"] = table["df"] - prev["df"]
    table["chisq_diff_p_value"] = [stats.chi2.sf(c, d) if d and d > 0 else np.nan
                                   for c, d in zip(table["chisq_diff"], table["df_diff"])]
    table["delta_cfi"] = table["cfi"] - prev["cfi"]
    table["delta_rmsea"] = table["rmsea"] - prev["rmsea"]
    first = table.iloc[0]
    good = all((first[c] >= cut) if d == ">=" else (first[c] <= cut) for c, d, cut in CUTOFFS)
    decisions = ["holds" if good else "does not hold"]
    for _, r in table.iloc[1:].iterrows():
        ok = r["delta_cfi"] >= CHEN_2007["delta_cfi"] and r["delta_rmsea"] <= CHEN_2007["delta_rmsea"]
        decisions.append("holds" if ok else "does not hold")
    table["decision"] = decisions
    table["criterion"] = ["CFI, TLI >= .95, RMSEA <= .06, SRMR <= .08 (Hu & Bentler 1999)"] + \
        ["change in CFI >= -.01 and in RMSEA <= .015 (Chen 2007)"] * 2
    groups = pd.DataFrame({"group": glabels, "n": [sizes[lv] for lv in levels], "suppressed": ""})
    return InvarianceResult(table, groups, models, notes)


def _name(value, labels: dict | None) -> str:
    """A group's name: its label if given, else its value as written."""
    for key in (value, _plain(value), str(_plain(value))):
        if labels and key in labels:
            return str(labels[key])
    return str(_plain(value))


def _p(p: float) -> str:
    """A p value as reported: ``p < .001`` or ``p = .034``."""
    if not np.isfinite(p):
        return "p not defined"
    return "p < .001" if p < 0.001 else f"p = {p:.3f}".replace("0.", ".", 1)


def _plain(value):
    """A group label as written: 1.0 as 1, numpy scalars as Python ones."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    return value.item() if hasattr(value, "item") else value
