"""Multiple imputation by chained equations, at item level, and Rubin's rules for the fits.

:func:`impute` fills in missing answers with statsmodels' chained equations
(:class:`statsmodels.imputation.mice.MICEData`: each variable in turn is regressed on all the
others by OLS, the coefficients are drawn from their approximate posterior, and each missing value
takes an observed value of a respondent with a close prediction, i.e. predictive mean matching with
5 donors, as R's ``mice``). It imputes the *items* of the instruments, then re-scores every scale from the completed
items with the package's own scoring (:func:`~analysis.measures.scoring.analysis_frame`), so a
scale score is never imputed as a whole. Each of the ``m`` completed data sets comes from its own
chain (``iterations`` cycles from a fresh start, like R's ``mice(m =, maxit =)``), seeded from
``seed``.

:func:`pool_fits` combines a model fitted on each completed data set by Rubin's rules, with the
Barnard-Rubin small-sample degrees of freedom and the fraction of missing information, as R's
``mice::pool``; the numbers equal ``mice::pool`` to 1e-6 (df 1e-4) for the same completed data sets
(``tests/reference/design``).
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.imputation.mice import MICEData

from ..arguments import as_names, check_level, given, is_wave, unknown_columns
from ..errors import Problem, SurveyDataError, fail
from ..measures.factor_models import one_blas_thread
from ..measures.scoring import analysis_frame
from .results import ModelResult, fit_table

#: Columns never imputed nor used to impute (identifiers).
IDENTIFIERS = ("respondent_id", "wave")


class _MICEData(MICEData):
    """``MICEData`` with its default imputation model (each variable on all the others, main
    effects and an intercept) built straight from the columns instead of through a formula.

    The matrices are the ones the default formula ``v ~ a + b + ...`` gives (same columns, same
    order); building them with patsy takes most of the time once there are dozens of items (about
    a second per variable per cycle for the 91 variables of a wave), and this takes none. Everything
    else (OLS fit, Gaussian draw of the coefficients, predictive mean matching) is statsmodels'.
    """

    def _matrices(self, vname):
        others = [c for c in self.data.columns if c != vname]
        exog = np.column_stack([np.ones(len(self.data)), self.data[others].to_numpy(dtype=float)])
        return self.data[vname].to_numpy(dtype=float), exog

    def get_split_data(self, vname):
        endog, exog = self._matrices(vname)
        ixo, ixm = self.ix_obs[vname], self.ix_miss[vname]
        return endog[ixo][:, None], exog[ixo], exog[ixm], {}, {}   # endog as a column, as MICEData's

    def get_fitting_data(self, vname):
        endog, exog = self._matrices(vname)
        ixo = self.ix_obs[vname]
        return endog[ixo], exog[ixo], {}, {}


@dataclass
class Imputations:
    """Completed data sets from :func:`impute`.

    Attributes
    ----------
    frames : list of DataFrame
        The ``m`` completed data sets: for a wave, ``analysis_frame`` of each completed wave (scales
        re-scored from the imputed items); for a DataFrame, the completed frame.
    waves : list of Wave or None
        The completed waves (None when a DataFrame was imputed).
    missing : DataFrame
        ``variable, n_missing``: the missing values imputed in each variable.
    m, seed, iterations : int
        How many data sets, the seed they come from and the cycles of each chain.
    variables : list of str
        The columns imputed (and used to impute each other).
    """

    frames: list
    waves: list | None
    missing: pd.DataFrame
    m: int
    seed: int
    iterations: int
    variables: list = field(default_factory=list)

    def fit(self, function, *args, level: float = 0.95, **kwargs) -> PooledResult:
        """Fit ``function(frame, *args, **kwargs)`` on every completed data set and pool the fits
        (:func:`pool_fits`), e.g. ``imps.fit(fit_ols, "pss4", ["hse_demands"])``."""
        return pool_fits([function(f, *args, **kwargs) for f in self.frames], level=level)


def _numeric(x: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(x.dtype) and not isinstance(x.dtype, pd.CategoricalDtype)


def _wave_variables(wave, variables, caller: str) -> list:
    data = wave.data
    items = [c for inst in wave.instruments for c in inst.items]
    if variables is None:
        extra = [c for c in data.columns if c not in items and c not in IDENTIFIERS and _numeric(data[c])]
        return items + extra
    scales = {s.name: s for inst in wave.instruments for s in inst.scales}
    chosen = []
    for name in as_names(variables, "variables", caller):
        scale = scales.get(name)
        if scale is not None and scale.score == "lookup":
            scale = scales[scale.lookup_from]
        for c in (scale.items if scale is not None else [name]):
            if c not in chosen:
                chosen.append(c)
    return chosen


def _check_variables(data: pd.DataFrame, chosen: list, caller: str) -> None:
    problems = unknown_columns(data, [c for c in chosen if c not in data.columns], "variable")
    for c in chosen:
        if c in data.columns and not _numeric(data[c]):
            problems.append(Problem("bad variable", c, f"{c!r} is {data[c].dtype}, not numeric: chained equations "
                                    "here impute numeric answers (items, counts, 0/1 codes)",
                                    "leave categories out of variables= (they are carried over as they are)"))
        elif c in data.columns and data[c].isna().all():
            problems.append(Problem("bad variable", c, f"{c!r} has no observed value to impute from",
                                    "leave it out of variables="))
    if len(chosen) < 2 and not problems:
        problems.append(Problem("bad argument", None, f"variables= names {len(chosen)} column(s); chained equations "
                                "impute each variable from the others", "name at least two variables", place=""))
    if problems:
        raise SurveyDataError(problems, source=caller, outcome="nothing was imputed")


def impute(wave_or_data, m: int = 20, *, seed: int, variables=None, iterations: int = 5,
           donors: int = 5) -> Imputations:
    """Multiply impute missing answers by chained equations (MICE), at item level.

    Parameters
    ----------
    wave_or_data : Wave or DataFrame
        A loaded wave: its items are imputed and every scale is re-scored from the completed
        items (``analysis_frame`` of each completed wave). A DataFrame: its numeric columns are
        imputed as they are.
    m : int
        Number of completed data sets (R's ``mice`` default is 5; 20 or more keeps the Monte Carlo
        error of the pooled errors small).
    seed : int
        Seed of the random draws (required: imputations are random); chain ``i`` uses
        ``numpy.random.default_rng(SeedSequence(seed).spawn(m)[i])``. The same seed gives the same
        data sets.
    variables : list of str, optional
        Columns to impute, each imputed from all the others. For a wave, a scale's name stands for
        its items (``["pss4", "hse_demands"]``: the 4 PSS-4 items and the 8 HSE Demands items).
        Default: for a wave, every item of its instruments and every other numeric column; for a
        DataFrame, every numeric column but ``respondent_id``. Categorical columns (nation, sector, ...) are neither imputed nor
        used as predictors; models drop respondents missing them, as before. Every variable is
        regressed on all the others in every cycle: the 91 numeric columns of a wave take about
        7 s a cycle on 3,400 respondents (m = 20 chains of 5 cycles: about 12 minutes), a model's
        own scales a second or so; name them for a quick run.
    iterations : int
        Cycles of each chain (R's ``maxit``; its default 5).
    donors : int
        Candidates of predictive mean matching (statsmodels' ``k_pmm``): each missing value is
        drawn from the observed values of the ``donors`` respondents with the closest predictions.
        Default 5, R's ``mice`` default (statsmodels' own is 20, which pulls imputations in the
        tails towards the centre when the missing values lie there).

    Returns
    -------
    Imputations
        ``frames`` (the completed data sets), ``waves``, ``missing`` (what was imputed), and
        :meth:`Imputations.fit` to fit a model on each and pool.

    Notes
    -----
    Predictive mean matching draws observed values only, so imputed answers are valid answer
    codes of their item. Respondents with none of ``variables`` answered are left as they are
    (nothing to impute them from).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"x": rng.normal(size=60), "z": rng.normal(size=60)})
    >>> d["y"] = d["x"] + d["z"] + rng.normal(size=60)
    >>> d.loc[::4, "x"] = np.nan
    >>> imps = impute(d, m=3, seed=1)
    >>> len(imps.frames), int(imps.frames[0]["x"].isna().sum()), imps.missing.to_dict("records")[0]
    (3, 0, {'variable': 'x', 'n_missing': 15})
    """
    caller = "impute()"
    problems = []
    if not (isinstance(m, int) and not isinstance(m, bool) and m >= 2):
        problems.append(Problem("bad argument", None, f"m={m!r}; it is the number of completed data sets, at least 2",
                                "pass e.g. m=20", place=""))
    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) and seed >= 0):
        problems.append(Problem("bad argument", None, f"seed={seed!r}; it is a whole number, 0 or more",
                                "pass e.g. seed=2018", place=""))
    if not (isinstance(donors, int) and not isinstance(donors, bool) and donors >= 1):
        problems.append(Problem("bad argument", None, f"donors={donors!r}; it is a whole number of candidates, "
                                "at least 1", "pass e.g. donors=5", place=""))
    if not (isinstance(iterations, int) and not isinstance(iterations, bool) and iterations >= 1):
        problems.append(Problem("bad argument", None, f"iterations={iterations!r}; it is a whole number of cycles",
                                "pass e.g. iterations=5", place=""))
    wave = wave_or_data if is_wave(wave_or_data) else None
    if wave is None and not (hasattr(wave_or_data, "columns") and hasattr(wave_or_data, "iloc")):
        problems.append(Problem("not a table", None, f"data= is {given(wave_or_data)}; impute() expects a loaded wave "
                                "(load_wave) or a DataFrame of respondents", "pass the wave, or a DataFrame", place=""))
    if problems:
        raise SurveyDataError(problems, source=caller, outcome="nothing was imputed")
    data = (wave.data if wave is not None else wave_or_data).reset_index(drop=True)
    if wave is not None:
        chosen = _wave_variables(wave, variables, caller)
    elif variables is None:
        chosen = [c for c in data.columns if c not in IDENTIFIERS and _numeric(data[c])]
    else:
        chosen = as_names(variables, "variables", caller)
    if variables is None:
        chosen = [c for c in chosen if data[c].notna().any()]
    _check_variables(data, chosen, caller)
    block = data[chosen].astype(float)
    block.columns = [f"v{i}" for i in range(len(chosen))]   # MICEData needs string names; any name works
    rows = block.notna().any(axis=1).to_numpy()
    block = block.loc[rows].reset_index(drop=True)
    missing = pd.DataFrame({"variable": chosen, "n_missing": block.isna().sum().to_numpy()})
    completed = []
    with one_blas_thread():   # many small fits: OpenBLAS threads slow them on a busy machine
        for child in np.random.SeedSequence(int(seed)).spawn(m):
            chain = _MICEData(block, k_pmm=donors, rng=np.random.default_rng(child))
            chain.update_all(iterations)
            filled = data.copy()
            filled.loc[rows, chosen] = chain.data.to_numpy()
            for c in chosen:   # keep each column's own dtype where it can hold the values
                if data[c].dtype != filled[c].dtype:
                    with contextlib.suppress(TypeError, ValueError):
                        filled[c] = filled[c].astype(data[c].dtype)
            completed.append(filled)
    if wave is None:
        return Imputations(completed, None, missing, m, int(seed), iterations, chosen)
    waves = [dataclasses.replace(wave, data=frame) for frame in completed]
    return Imputations([analysis_frame(w) for w in waves], waves, missing, m, int(seed), iterations, chosen)


class PooledResult(ModelResult):
    """A model pooled over imputations by Rubin's rules (:func:`pool_fits`).

    Attributes
    ----------
    coefficients : DataFrame
        ``term, estimate`` (mean over imputations), ``std_error`` (square root of the total
        variance), ``statistic`` (t), ``df`` (Barnard-Rubin), ``p_value``, ``conf_low``,
        ``conf_high``, ``within_variance`` (ubar), ``between_variance`` (b), ``total_variance``
        (t = ubar + (1 + 1/m) b), ``riv`` (relative increase in variance), ``lambda`` (share of the
        total variance due to missing data), ``fmi`` (fraction of missing information), ``dfcom``.
    fit : DataFrame
        One row: ``m``, ``n`` (respondents in each fit; the smallest if they differ), ``dfcom``
        (complete-data degrees of freedom).
    dropped : DataFrame
        The first fit's listwise deletion.
    model : list
        The fits that were pooled.
    """


def _complete_data_df(fit, k: int) -> float:
    """The degrees of freedom of a fit's coefficient tests, for Barnard-Rubin: the robust (or
    design-based) test's denominator df where the fit has one (G - 1 for cluster-robust errors, the
    design's df for weights), else the classical residual df, else n - k.

    Examples
    --------
    >>> class Fit:
    ...     fit = pd.DataFrame({"f_df2": [np.nan], "robust_f_df2": [5.0]}); n = 490
    >>> _complete_data_df(Fit(), 2)
    5.0
    """
    for column in ("robust_f_df2", "f_df2"):
        if column in fit.fit and np.isfinite(value := float(fit.fit[column].iloc[0])):
            return value
    return float(fit.n - k)


def pool_fits(results, *, level: float = 0.95, dfcom: float | None = None) -> PooledResult:
    """Pool fits on multiply imputed data by Rubin's rules, as R's ``mice::pool``.

    Parameters
    ----------
    results : list of ModelResult
        One fit per completed data set, all of the same model (the same terms in the same order),
        e.g. ``[fit_ols(f, "pss4", ["hse_demands"]) for f in imputations.frames]``.
    level : float
        Confidence level of the intervals (t with the Barnard-Rubin df, as ``summary(pool(fit),
        conf.int = TRUE)``).
    dfcom : float, optional
        Degrees of freedom of the complete-data model. Default: as ``mice``, the residual degrees
        of freedom n - k of the first fit (the ``f_df2`` of an OLS fit).

    Returns
    -------
    PooledResult

    Notes
    -----
    With m fits, estimates Q_i and squared errors U_i: qbar = mean(Q), ubar = mean(U),
    b = var(Q) (n - 1 denominator), t = ubar + (1 + 1/m) b, riv = (1 + 1/m) b / ubar,
    lambda = (1 + 1/m) b / t, df (Barnard and Rubin 1999) = df_old·df_obs / (df_old + df_obs) with
    df_old = (m - 1) / lambda² (lambda below 1e-4 taken as 1e-4) and df_obs = (dfcom + 1) /
    (dfcom + 3)·dfcom·(1 - lambda); fmi = (riv + 2 / (df + 3)) / (riv + 1).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from analysis.stats.models import fit_ols
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"x": rng.normal(size=80)})
    >>> d["y"] = 1 + d["x"] + rng.normal(size=80)
    >>> d.loc[::5, "x"] = np.nan
    >>> imps = impute(d, m=5, seed=2)
    >>> pooled = pool_fits([fit_ols(f, "y", "x") for f in imps.frames])
    >>> pooled.coefficients["term"].tolist(), bool((pooled.coefficients["fmi"] > 0).all())
    (['(Intercept)', 'x'], True)
    """
    caller = "pool_fits()"
    fits = list(results) if isinstance(results, (list, tuple)) else None
    if not fits or len(fits) < 2 or not all(isinstance(r, ModelResult) for r in fits):
        fail("bad argument", f"results= is {given(results)}; pool_fits() expects a list of at least two model "
             "results (fit_ols, fit_logit, ...), one per completed data set",
             "pass e.g. [fit_ols(f, 'pss4', ['hse_demands']) for f in imputations.frames]", source=caller)
    problems = check_level(level)
    terms = [list(r.coefficients["term"]) for r in fits]
    if any(t != terms[0] for t in terms):
        problems.append(Problem("different models", None, "the fits do not have the same terms in the same order",
                                "fit the same model on every completed data set", place=""))
    if problems:
        raise SurveyDataError(problems, source=caller, outcome="nothing was pooled")
    m = len(fits)
    Q = np.column_stack([r.coefficients["estimate"].to_numpy(dtype=float) for r in fits])
    U = np.column_stack([r.coefficients["std_error"].to_numpy(dtype=float) ** 2 for r in fits])
    if dfcom is None:
        dfcom = _complete_data_df(fits[0], len(terms[0]))
    qbar, ubar, b = Q.mean(axis=1), U.mean(axis=1), Q.var(axis=1, ddof=1)
    t = ubar + (1 + 1 / m) * b
    riv = (1 + 1 / m) * b / ubar
    lam = (1 + 1 / m) * b / t
    lam_df = np.maximum(lam, 1e-4)
    df_old = (m - 1) / lam_df ** 2
    if np.isinf(dfcom):
        df = df_old
    else:
        df_obs = (dfcom + 1) / (dfcom + 3) * dfcom * (1 - lam_df)
        df = df_old * df_obs / (df_old + df_obs)
    fmi = (riv + 2 / (df + 3)) / (riv + 1)
    se = np.sqrt(t)
    stat = qbar / se
    q = stats.t.ppf(0.5 + level / 2, df)
    coefs = pd.DataFrame({
        "term": terms[0], "estimate": qbar, "std_error": se, "statistic": stat, "df": df,
        "p_value": 2 * stats.t.sf(np.abs(stat), df), "conf_low": qbar - q * se, "conf_high": qbar + q * se,
        "within_variance": ubar, "between_variance": b, "total_variance": t, "riv": riv, "lambda": lam,
        "fmi": fmi, "dfcom": dfcom})
    fit = fit_table(m=m, n=min(r.n for r in fits), dfcom=dfcom)
    return PooledResult(coefs, fit, fits[0].dropped, fits)


__all__ = ["Imputations", "PooledResult", "impute", "pool_fits"]
