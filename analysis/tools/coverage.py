"""A coverage simulation of multiple imputation against listwise deletion, for the benchmark command.

:func:`imputation_coverage` draws ``replications`` data sets from a known linear model, deletes
values of a predictor at random given the observed outcome (missing at random, MAR), and counts how
often the 95 % interval of the predictor's coefficient covers the true value: once after listwise
deletion (:func:`~analysis.stats.models.fit_ols` on the complete cases) and once after multiple
imputation (:func:`~analysis.stats.imputation.impute`, then
:func:`~analysis.stats.imputation.pool_fits`). Under this design listwise deletion is biased
(missingness depends on the outcome), so its intervals under-cover; multiple imputation's should
cover in about 93-97 % of 200 replications (the Monte Carlo error of a 95 % coverage from 200
replications is 1.5 points). With the defaults (n = 300, P(x missing) = logistic(-1.5 + (y - 1)),
about a quarter of x missing, m = 20, seed 2018) it gave: complete data 96.0 %, listwise deletion
89.5 % (bias -0.051), multiple imputation 96.0 % (bias -0.011), in 393 s. Predictive mean matching
runs short of donors where nearly every x is missing: with a stronger selection,
logistic(-2 + 1.5 (y - 1)), multiple imputation covered 92.5 % (bias -0.021), listwise 80.5 %.

It is a statistical check, not a timed test: it takes a few minutes (each replication imputes
``m`` data sets). ``python -m analysis.tools.coverage`` prints the table.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

#: The true model: y = 1 + 0.5 x + 0.5 z + e, x and z standard normal with correlation 0.5, e ~ N(0, 1).
TRUE = {"(Intercept)": 1.0, "x": 0.5, "z": 0.5}


def _draw(rng: np.random.Generator, n: int, selection: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One complete data set and the same with x missing at random given y:
    P(x missing) = logistic(-1.5 + selection·(y - 1))."""
    x = rng.normal(size=n)
    z = 0.5 * x + np.sqrt(0.75) * rng.normal(size=n)
    y = TRUE["(Intercept)"] + TRUE["x"] * x + TRUE["z"] * z + rng.normal(size=n)
    full = pd.DataFrame({"y": y, "x": x, "z": z})
    missing = rng.uniform(size=n) < 1 / (1 + np.exp(-(-1.5 + selection * (y - 1))))
    observed = full.copy()
    observed.loc[missing, "x"] = np.nan
    return full, observed


def imputation_coverage(replications: int = 200, *, n: int = 300, m: int = 20, seed: int = 2018,
                        iterations: int = 5, level: float = 0.95, selection: float = 1.0) -> pd.DataFrame:
    """How often listwise deletion's and multiple imputation's intervals cover the true slope.

    Parameters
    ----------
    replications : int
        Simulated data sets.
    n : int
        Respondents in each.
    m, iterations : int
        Imputations per data set and cycles of each chain (:func:`~analysis.stats.imputation.impute`).
    seed : int
        Replication ``r`` draws its data from ``SeedSequence(seed).spawn(replications)[r]`` and
        imputes with seed ``seed + r``.
    level : float
        Confidence level of the intervals.
    selection : float
        How strongly the outcome drives missingness: P(x missing) = logistic(-1.5 + selection·(y - 1))
        (about a quarter of x missing at 1.0, mostly where y is high).

    Returns
    -------
    DataFrame
        One row per method (``listwise``, ``multiple_imputation``, and ``complete_data`` before
        deletion, as a check of the simulation): ``method, term, measure`` (``"coverage"``),
        ``estimate`` (share of intervals covering the true coefficient), ``std_error`` (its Monte
        Carlo error, sqrt(p(1 - p) / replications)), ``bias`` (mean estimate minus the truth),
        ``mean_width`` (of the intervals), ``share_missing`` (of x, averaged), ``replications``,
        ``n``, ``m``, ``seed``, ``seconds``.

    Examples
    --------
    >>> table = imputation_coverage(replications=3, n=100, m=3, iterations=2, seed=1)
    >>> table["method"].tolist(), bool(table["estimate"].between(0, 1).all())
    (['complete_data', 'listwise', 'multiple_imputation'], True)
    """
    from ..stats.imputation import impute
    from ..stats.models import fit_ols

    term, truth = "x", TRUE["x"]
    started = time.perf_counter()
    rows = {k: [] for k in ("complete_data", "listwise", "multiple_imputation")}
    share_missing = []
    for r, child in enumerate(np.random.SeedSequence(seed).spawn(replications)):
        full, observed = _draw(np.random.default_rng(child), n, selection)
        share_missing.append(float(observed["x"].isna().mean()))
        fits = {"complete_data": fit_ols(full, "y", ["x", "z"], level=level).coefficients,
                "listwise": fit_ols(observed, "y", ["x", "z"], level=level).coefficients,
                "multiple_imputation": impute(observed, m=m, seed=seed + r, iterations=iterations)
                .fit(fit_ols, "y", ["x", "z"], level=level).coefficients}
        for method, table in fits.items():
            row = table.set_index("term").loc[term]
            rows[method].append((row["estimate"], row["conf_low"], row["conf_high"]))
    seconds = time.perf_counter() - started
    out = []
    for method, values in rows.items():
        est, low, high = (np.array(v) for v in zip(*values))
        p = float(np.mean((low <= truth) & (truth <= high)))
        out.append({"method": method, "term": term, "measure": "coverage", "estimate": p,
                    "std_error": float(np.sqrt(p * (1 - p) / replications)), "bias": float(np.mean(est) - truth),
                    "mean_width": float(np.mean(high - low)), "share_missing": float(np.mean(share_missing)),
                    "replications": replications, "n": n, "m": m, "seed": seed, "seconds": seconds})
    return pd.DataFrame(out)


def report(table: pd.DataFrame) -> str:
    """The coverage table as Markdown, for docs/speed.md beside the timings."""
    first = table.iloc[0]
    lines = [f"Coverage of 95 % intervals for the slope of x ({first['replications']} replications, n = "
             f"{first['n']}, x missing at random given y in {first['share_missing']:.0%} of rows, m = {first['m']} "
             f"imputations, seed {first['seed']}; {first['seconds']:.0f} s):", "",
             "| method | coverage | Monte Carlo SE | bias | mean width |", "|---|---|---|---|---|"]
    lines += [f"| {r.method} | {r.estimate:.1%} | {r.std_error:.1%} | {r.bias:+.4f} | {r.mean_width:.4f} |"
              for r in table.itertuples()]
    return "\n".join(lines)


def main(replications: int = 200) -> pd.DataFrame:
    """Run the simulation and print its table."""
    table = imputation_coverage(replications)
    print(report(table))
    return table


if __name__ == "__main__":  # pragma: no cover
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
