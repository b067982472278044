"""Design-based errors for weighted estimates and models: fixed weights, optional clusters.

The weights are taken as fixed (not re-estimated), and errors come from linearisation (Taylor
series, "sandwich"), as R's ``survey`` package computes them for ``svydesign(ids = ~1, weights =
~w)`` (each respondent their own primary sampling unit, sampled with replacement) or, with a
cluster column, ``svydesign(ids = ~cluster, weights = ~w)``:

- :func:`weighted_estimate`: a weighted mean or share with its error, the design effect and the
  interval (``svymean``, ``svyciprop(method = "logit")``).
- :func:`rao_scott_f`: Rao-Scott's corrected chi-square test of independence (``svychisq``).
- :func:`design_covariance`: the linearisation covariance of a model's coefficients from its
  bread and score rows (``svyglm``'s ``vcov``), and :func:`cluster_codes` /
  :func:`design_weights`, which check the columns they come from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import Problem, SurveyDataError, problem_at

#: Below this many clusters, cluster-robust errors are unreliable (a SurveyDataWarning says so).
MIN_CLUSTERS = 20


def _ids(data: pd.DataFrame):
    return data["respondent_id"].to_numpy() if "respondent_id" in data.columns else None


def design_weights(data: pd.DataFrame, weights: str, caller: str) -> np.ndarray:
    """The weights column ``weights`` of ``data`` as float64, or raise naming the bad rows.

    Every row needs a weight above zero (a missing, zero or negative weight is an error, not a
    silent drop: a respondent without a weight has no place in the design).

    Examples
    --------
    >>> design_weights(pd.DataFrame({"w": [1, 2.5]}), "w", "prevalence()").tolist()
    [1.0, 2.5]
    """
    if not isinstance(weights, str) or weights not in data.columns:
        raise SurveyDataError([Problem("unknown column", None, f"weights={weights!r} is not a column of the data",
                                       "pass the name of the weight column, e.g. "
                                       "frame.assign(weight=rake_weights(frame, margins).weights) and weights='weight'",
                                       place="")], source=caller)
    w = data[weights]
    if not pd.api.types.is_numeric_dtype(w) or pd.api.types.is_bool_dtype(w):
        raise SurveyDataError([Problem("not numeric", weights, f"the weights '{weights}' hold {w.dtype} values",
                                       "use a numeric weight column")], source=caller)
    values = w.to_numpy(dtype="float64")
    problems = []
    if np.isnan(values).any():
        problems.append(problem_at("missing weight", weights, np.isnan(values),
                                   f"{int(np.isnan(values).sum())} rows have no weight",
                                   "give every respondent a weight, or drop those rows before estimating",
                                   ids=_ids(data)))
    bad = ~np.isnan(values) & ~(values > 0)
    if bad.any():
        problems.append(problem_at("bad weight", weights, bad,
                                   f"{int(bad.sum())} rows have a zero or negative weight",
                                   "weights must be above zero; drop those respondents or fix the weights",
                                   ids=_ids(data), values=w))
    if problems:
        raise SurveyDataError(problems, source=caller)
    return values


def cluster_codes(data: pd.DataFrame, cluster: str, caller: str) -> np.ndarray:
    """Integer codes of the clusters of ``data[cluster]``, or raise on an unknown column, missing
    clusters (naming the rows) or a single cluster.

    Examples
    --------
    >>> cluster_codes(pd.DataFrame({"g": ["b", "a", "b"]}), "g", "fit_ols()").tolist()
    [1, 0, 1]
    """
    if not isinstance(cluster, str) or cluster not in data.columns:
        raise SurveyDataError([Problem("unknown column", None, f"cluster={cluster!r} is not a column of the data",
                                       "pass the name of the cluster column, e.g. cluster='employer'", place="")],
                              source=caller)
    g = data[cluster]
    missing = g.isna().to_numpy()
    if missing.any():
        raise SurveyDataError([problem_at(
            "missing cluster", cluster, missing, f"{int(missing.sum())} rows have no '{cluster}'",
            f"drop them first, e.g. data.dropna(subset=['{cluster}']), or give them a cluster of their own",
            ids=_ids(data))], source=caller)
    codes, uniques = pd.factorize(g, sort=True)
    if len(uniques) < 2:
        raise SurveyDataError([Problem("one cluster", cluster, f"'{cluster}' has one value ({uniques[0]!r}), so "
                                       "there is no between-cluster variation to estimate errors from",
                                       "use a column with many clusters, or leave cluster out")], source=caller)
    return codes


def design_covariance(bread: np.ndarray, scores: np.ndarray, groups: np.ndarray | None = None,
                      n_units: int | None = None) -> np.ndarray:
    """The linearisation covariance ``B [G/(G-1) sum_g (U_g - Ū)(U_g - Ū)'] B`` of a model's
    coefficients.

    ``bread`` is the inverse of the (weighted) information, ``scores`` the rows ``w_i u_i x_i``
    (weighted score contributions, one per respondent), ``groups`` the cluster codes (each row its
    own cluster without them); ``U_g`` sums the scores of cluster g and G counts the clusters.
    ``n_units`` is G of the whole design when the model's complete cases are fewer (respondents,
    or clusters, of the data): as in ``survey``, respondents lost to missing values stay in the
    design with zero scores (``svyrecvar`` keeps the design's number of units after ``na.omit``),
    so G/(G-1) and the centring use the design's G. This is ``survey::svyglm``'s ``vcov`` for ``svydesign(ids = ~1 or ~cluster, weights = ~w)``
    (``svy.varcoef`` then ``svyrecvar``, one stage with replacement, no strata).

    Examples
    --------
    >>> import numpy as np
    >>> design_covariance(np.eye(1), np.array([[1.0], [-1.0]])).tolist()
    [[4.0]]
    """
    if groups is not None:
        totals = pd.DataFrame(scores).groupby(np.asarray(groups), sort=False).sum().to_numpy()
    else:
        totals = np.asarray(scores, float)
    G = totals.shape[0] if n_units is None else n_units
    mean = totals.sum(axis=0) / G
    centred = totals - mean
    meat = G / (G - 1) * (centred.T @ centred + (G - totals.shape[0]) * np.outer(mean, mean))
    return bread @ meat @ bread


def weighted_estimate(y, w, measure: str, level: float, n_design: int | None = None) -> dict:
    """A weighted mean (``measure="mean"``) or share (``"share"``, y 0/1) of the non-missing ``y``
    with weights ``w``: ``weighted_n, estimate, std_error, deff, conf_low, conf_high``.

    - ``estimate`` = sum(w y) / sum(w); ``std_error``: linearisation, n/(n-1) sum(z_i^2) with z_i
      = w_i (y_i - estimate) / sum(w) (``svymean`` of ``svydesign(ids = ~1, weights = ~w)``).
      ``n_design`` is the number of respondents in the whole design when ``y`` holds fewer (a
      group, or respondents with a missing value): as in ``survey`` (``svymean(~y,
      subset(design, group), na.rm = TRUE)``, ``svyby``), the others stay in the design with z_i =
      0, so the factor is n_design / (n_design - 1).
    - ``deff``: ``svymean(..., deff = TRUE)``'s design effect, the variance over the variance of
      a simple random sample of the same size drawn without replacement from a population of
      sum(w): v_srs = s_w^2 / n x (1 - n / sum(w)), s_w^2 = n/(n-1) sum(w (y - estimate)^2) /
      sum(w) (``svyvar``). It depends on the weights' scale through 1 - n / sum(w): it is
      meaningful with weights to population counts (as :func:`analysis.stats.weights.rake_weights`
      with counts gives) and NaN when sum(w) <= n.
    - Means: z interval, estimate +/- z se (``confint(svymean(...))``).
    - Shares: the logit interval of ``svyciprop(method = "logit")``: expit(logit(p) +/- t(n - 1)
      se / (p (1 - p))) (NaN when p is 0 or 1).

    Examples
    --------
    >>> r = weighted_estimate([1.0, 0.0, 1.0, 0.0], [1.0, 1.0, 2.0, 2.0], "share", 0.95)
    >>> round(r["estimate"], 3), round(r["std_error"], 4), r["weighted_n"]
    (0.5, 0.3043, 6.0)
    """
    y = np.asarray(y, float)
    w = np.asarray(w, float)
    keep = ~np.isnan(y)
    y, w = y[keep], w[keep]
    n, W = len(y), float(w.sum())
    nan = dict.fromkeys(["estimate", "std_error", "deff", "conf_low", "conf_high"], np.nan)
    if n == 0:
        return {"weighted_n": 0.0} | nan
    est = float(np.dot(w, y) / W)
    if n < 2:
        return {"weighted_n": W} | nan | {"estimate": est}
    z = w * (y - est) / W
    N = n if n_design is None else n_design
    var = N / (N - 1) * float(np.dot(z, z))
    se = float(np.sqrt(var))
    s2 = n / (n - 1) * float(np.dot(w, (y - est) ** 2)) / W
    v_srs = s2 / n * (W - n) / W
    deff = var / v_srs if W > n and v_srs > 0 else np.nan
    if measure == "mean":
        q = stats.norm.ppf(1 - (1 - level) / 2)
        low, high = est - q * se, est + q * se
    elif 0 < est < 1:
        q = stats.t.ppf(1 - (1 - level) / 2, n - 1)
        b, se_b = np.log(est / (1 - est)), se / (est * (1 - est))
        low, high = (float(1 / (1 + np.exp(-(b + s * q * se_b)))) for s in (-1, 1))
    else:
        low = high = np.nan
    return {"weighted_n": W, "estimate": est, "std_error": se, "deff": float(deff), "conf_low": float(low),
            "conf_high": float(high)}


def weighted_table(table: pd.DataFrame, data: pd.DataFrame, by: str | None, w: np.ndarray, measure: str,
                   level: float, total_label: str) -> pd.DataFrame:
    """Replace the figures of an unweighted estimate table (``estimate_table``) by weighted ones,
    row by row (the same respondents: the group's, or everyone's for the total row), keeping the
    unweighted ``n`` and ``count``; adds ``weighted_n`` and ``deff``. A mean table's ``sd``
    becomes the weighted SD, sqrt(s_w^2) as ``svyvar``."""
    out = table.copy()
    columns = ["weighted_n", "estimate", "std_error", "deff", "conf_low", "conf_high"]
    values = {c: np.full(len(out), np.nan) for c in columns + ["sd"]}
    for r in range(len(out)):
        y = data[out["outcome"].iat[r]].to_numpy(dtype="float64", na_value=np.nan)
        rows = np.ones(len(data), bool)
        if by is not None and out["group"].iat[r] != total_label:
            rows = (data[by] == out["group"].iat[r]).to_numpy()
        figures = weighted_estimate(y[rows], w[rows], measure, level, n_design=len(data))
        for c in columns:
            values[c][r] = figures[c]
        if measure == "mean":
            ok = rows & ~np.isnan(y)
            n = int(ok.sum())
            if n > 1:
                est, ww = figures["estimate"], w[ok]
                values["sd"][r] = np.sqrt(n / (n - 1) * np.dot(ww, (y[ok] - est) ** 2) / ww.sum())
    for c in columns:
        out[c] = values[c]
    if measure == "mean":
        out["sd"] = values["sd"]
    after = "count" if "count" in out.columns else "n"
    order = [c for c in out.columns if c not in ("weighted_n", "deff")]
    order.insert(order.index(after) + 1, "weighted_n")
    order.insert(order.index("std_error") + 1, "deff")
    return out[order]


def rao_scott_f(rows, cols, w) -> dict:
    """Rao and Scott's second-order corrected Pearson chi-square test of independence of two
    categorical variables, as an F: R's ``svychisq(~rows + cols, svydesign(ids = ~1, weights =
    ~w), statistic = "F")`` (the default).

    ``rows``, ``cols`` and ``w`` hold one value per respondent of the whole design; respondents
    with a missing ``rows`` or ``cols`` stay in the design (N counts them, as in ``survey``).

    - p: the weighted cell shares of the respondents with both values, with their linearisation
      covariance V (:func:`design_covariance` of the scores w_i (m_i - p) / sum(w), m_i the cell
      indicators);
    - X^2: Pearson's statistic (no continuity correction) of the table of the shares scaled to N;
    - Delta = (C' D^-1 C / N)^-1 C' D^-1 V D^-1 C, D = diag(p), C the interaction columns of the
      saturated cell model residualised on the main effects;
    - F = X^2 / tr(Delta) on (d, d (N - 1)) degrees of freedom, d = tr(Delta)^2 / tr(Delta^2).

    Returns ``statistic, df1, df2, p_value`` (NaN when either variable has one value).

    Examples
    --------
    >>> r = rao_scott_f([0, 1, 0, 1, 1, 0], ["a", "a", "a", "b", "b", "b"], np.ones(6))
    >>> round(r["statistic"], 4), round(r["df1"], 4), round(r["df2"], 4)  # R: 0.5556 on (1, 5)
    (0.5556, 1.0, 5.0)
    """
    rows, cols = pd.Series(np.asarray(rows, dtype=object)), pd.Series(np.asarray(cols, dtype=object))
    w = np.asarray(w, float)
    N = len(w)
    ok = (rows.notna() & cols.notna()).to_numpy()
    r_codes, r_levels = pd.factorize(rows[ok], sort=True)
    c_codes, c_levels = pd.factorize(cols[ok], sort=True)
    nr, nc = len(r_levels), len(c_levels)
    if nr < 2 or nc < 2:
        return dict.fromkeys(["statistic", "df1", "df2", "p_value"], np.nan)
    cells = np.zeros((int(ok.sum()), nr * nc))
    cells[np.arange(len(cells)), r_codes + nr * c_codes] = 1.0
    wc = w[ok]
    p = wc @ cells / wc.sum()
    scores = np.zeros((N, nr * nc))
    scores[ok] = wc[:, None] * (cells - p) / wc.sum()
    V = design_covariance(np.eye(nr * nc), scores)
    r_of, c_of = np.tile(np.arange(nr), nc), np.repeat(np.arange(nc), nr)
    main = np.column_stack([np.ones(nr * nc)] + [r_of == i for i in range(1, nr)]
                           + [c_of == j for j in range(1, nc)]).astype(float)
    inter = np.column_stack([(r_of == i) & (c_of == j) for j in range(1, nc) for i in range(1, nr)]).astype(float)
    C = inter - main @ np.linalg.lstsq(main, inter, rcond=None)[0]
    inv_d = np.diag(np.divide(1.0, p, out=np.zeros_like(p), where=p > 0))
    delta = np.linalg.solve(C.T @ inv_d @ C / N, C.T @ inv_d @ V @ inv_d @ C)
    trace = float(np.trace(delta))
    d0 = trace ** 2 / float(np.trace(delta @ delta))
    x2 = stats.chi2_contingency((p * N).reshape(nc, nr).T, correction=False)[0]
    F = float(x2 / trace)
    return {"statistic": F, "df1": d0, "df2": d0 * (N - 1), "p_value": float(stats.f.sf(F, d0, d0 * (N - 1)))}
