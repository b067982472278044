"""Internal consistency of every scale: Cronbach's alpha with its 95 % CI, McDonald's omega and
the weakest item-rest correlation.

Missing answers: every statistic of a scale uses the respondents who answered **all** of that
scale's items (listwise deletion within the scale), as SPSS and jamovi do. The rule is the same
everywhere in the package; ``n`` in the output says how many respondents each scale used.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats
from statsmodels.multivariate.factor import Factor

from ..arguments import as_wave, check_call
from ..deprecations import old_calls
from .scoring import keyed_items

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
    just identified and the loadings have a closed form, used instead of the fit (unless it gives
    an improper solution, a loading of 1 or more).
    """
    x = items.to_numpy(dtype="float64")
    corr = np.corrcoef(x, rowvar=False)
    if corr.shape[0] == 3:
        # Three items identify one factor exactly (no fit needed): loading_i^2 = r_ij r_ik / r_jk.
        # The iterative fit cannot improve on this and reports a spurious non-convergence.
        (a, b, c) = (corr[0, 1], corr[0, 2], corr[1, 2])
        squared = np.array([a * b / c, a * c / b, b * c / a])
        if np.all((squared > 0) & (squared < 1)):
            s = np.sqrt(squared).sum() ** 2
            return float(s / (s + (1 - squared).sum()))
    # A fixed start (rng=0) keeps the result byte-stable; a tight gradient tolerance makes it
    # agree with lavaan to about 1e-8.
    fit = Factor(corr=corr, n_factor=1, method="ml", nobs=len(x)).fit(rng=0, opt={"gtol": 1e-8})
    loadings = fit.loadings[:, 0]
    uniq = fit.uniqueness
    s = loadings.sum() ** 2
    return float(s / (s + uniq.sum()))


def item_rest(items: pd.DataFrame) -> pd.Series:
    """Correlation of each item with the sum of the other items (corrected item-total r)."""
    total = items.sum(axis=1)
    return pd.Series({c: float(np.corrcoef(items[c], total - items[c])[0, 1]) for c in items.columns})


def scale_reliability(items: pd.DataFrame, level: float = 0.95) -> dict:
    """Reliability statistics of one scale's keyed items (complete cases only).

    Returns
    -------
    dict
        ``k, n, alpha, alpha_conf_low, alpha_conf_high, omega, weakest_item, weakest_item_rest_r``.
    """
    complete = items.dropna(axis=0, how="any")
    n, k = complete.shape
    row = {"k": k, "n": n}
    if n < 3 or k < 2 or (complete.var(axis=0) == 0).any():
        return row | {"alpha": np.nan, "alpha_conf_low": np.nan, "alpha_conf_high": np.nan,
                      "omega": np.nan, "weakest_item": None, "weakest_item_rest_r": np.nan}
    alpha, _ = pg.cronbach_alpha(data=complete, ci=level)
    lo, hi = alpha_ci(alpha, n, k, level)
    ir = item_rest(complete)
    omega = omega_total(complete) if k >= 3 else np.nan
    return row | {"alpha": float(alpha), "alpha_conf_low": float(lo), "alpha_conf_high": float(hi),
                  "omega": omega, "weakest_item": ir.idxmin(), "weakest_item_rest_r": float(ir.min())}


@old_calls(positional=("level",))
def reliability(wave, *, level: float = 0.95) -> pd.DataFrame:
    """Internal consistency of every multi-item scale of every instrument in a wave.

    Parameters
    ----------
    wave : Wave
        From :func:`analysis.load_wave`.
    level : float
        Confidence level of the alpha interval (default 0.95).

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
        - ``estimate``, ``conf_low``, ``conf_high``: the coefficient and, for alpha, Feldt's
          interval at ``level``
        - ``weakest_item``, ``weakest_item_rest_r``: the item with the lowest item-rest correlation

        R equivalent: ``psych::alpha(x)`` on complete cases and ``psych::fa(x, 1, fm = "ml")``.

    Examples
    --------
    >>> from analysis import load_wave
    >>> from analysis.synthetic import demo_wave
    >>> rel = reliability(load_wave(demo_wave(n=300, seed=2), wave=2018))
    >>> rel.query("measure == 'cronbach_alpha'").set_index("scale").loc["hse_demands", "k"]
    np.int64(8)
    """
    wave = as_wave(wave, "reliability()")
    check_call("reliability()", wave.data, level=level)
    rows = []
    for inst in wave.instruments:
        keyed = keyed_items(wave.data, inst)
        for scale in inst.scales:
            if scale.score == "lookup":
                continue
            r = scale_reliability(keyed[list(scale.items)], level)
            common = {"instrument": inst.id, "scale": scale.name, "label": scale.label, "k": r["k"], "n": r["n"],
                      "weakest_item": r["weakest_item"], "weakest_item_rest_r": r["weakest_item_rest_r"]}
            rows.append(common | {"measure": "cronbach_alpha", "estimate": r["alpha"],
                                  "conf_low": r["alpha_conf_low"], "conf_high": r["alpha_conf_high"]})
            rows.append(common | {"measure": "mcdonald_omega", "estimate": r["omega"]})
    return pd.DataFrame(rows, columns=COLUMNS)
