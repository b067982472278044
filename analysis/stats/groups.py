"""Group comparisons with pingouin, scipy and statsmodels, corrected across the family.

- Two groups, numeric outcome: Welch's t, Hedges' g with its 95 % CI (pingouin), and, as a
  robustness column, Mann-Whitney U with the rank-biserial correlation (pingouin's sign: positive
  when the first group tends to be higher).
- More groups, numeric outcome: Welch's ANOVA, omega squared (from the classical one-way ANOVA),
  and Games-Howell pairwise comparisons (pingouin).
- Binary outcome (0/1): chi-square test of independence (with Yates' correction for 2 x 2 tables,
  as R's ``chisq.test`` and pingouin by default), replaced by Fisher's exact test when an expected
  count is below 5 in a 2 x 2 table; for two groups, the difference in proportions with its Wald CI.

p values are corrected across all outcomes of one call (Holm by default; ``correction="fdr_bh"``
for Benjamini-Hochberg, ``None`` for none). With ``adjust=[...]`` (e.g. sector, role, nation) the
group effect is also estimated controlling for those variables, through
:func:`analysis.stats.models.fit_ols` (numeric outcomes) or :func:`analysis.stats.models.fit_logit` (0/1
outcomes), with the same correction across outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats
from statsmodels.stats.multitest import multipletests

from ..disclosure import DEFAULT_THRESHOLD, few_either_side, suppress
from ..errors import Problem, SurveyDataError

TEST_COLUMNS = ["outcome", "test", "statistic", "df1", "df2", "p_value", "p_adjusted", "effect",
                "effect_size", "conf_low", "conf_high", "robust_test", "robust_statistic", "robust_p",
                "robust_effect"]


def _fail(kind, message, fix, column=None):
    raise SurveyDataError([Problem(kind, column, message, fix)], source="group comparison",
                          outcome="nothing was computed")


@dataclass
class GroupComparison:
    """Result of :func:`compare_groups`.

    Attributes
    ----------
    tests : DataFrame
        One row per outcome (columns listed in ``TEST_COLUMNS``, then ``suppressed``). ``effect``
        names the effect size: ``hedges_g`` (first group minus second), ``omega_squared`` or
        ``difference_in_proportions`` (first minus second) / ``cramers_v``. When any group has
        fewer respondents than the threshold, the row keeps only the outcome and test name.
    pairs : DataFrame
        Games-Howell comparisons for outcomes with more than two groups: ``outcome, A, B, n_A,
        n_B, diff (mean A - mean B), std_error, statistic, df, p_value, conf_low, conf_high,
        hedges_g, suppressed``; pairs involving a group under the threshold are blanked.
    descriptives : DataFrame
        ``outcome, group, n, mean, sd, suppressed`` (the mean of a 0/1 outcome is the proportion),
        passed through disclosure control: groups under the threshold suppressed, and for a 0/1
        outcome any group where fewer than the threshold answered 1 (or 0), since the proportion
        would give that count away; the test row is then blanked too.
    adjusted : DataFrame or None
        With ``adjust``: ``outcome, model (ols/logit), term (``group[level]``: that group MINUS
        the first group, the opposite direction to the two-group ``tests`` row), estimate,
        std_error, p_value, p_adjusted, conf_low, conf_high, odds_ratio, n, covariates,
        suppressed``.
    """

    tests: pd.DataFrame
    pairs: pd.DataFrame
    descriptives: pd.DataFrame
    adjusted: pd.DataFrame | None = None


def _small_cells(sub: pd.DataFrame, group: str, outcome: str, levels, threshold: int) -> set:
    """Groups where a 0/1 outcome's count of 1s or of 0s is between 1 and threshold - 1: their
    share (and any effect or test built on it) would disclose that few people."""
    x = sub[outcome].astype(float)
    small = set()
    for lv in levels:
        part = x[(sub[group] == lv).to_numpy()]
        if few_either_side(float(part.sum()), len(part), threshold):
            small.add(str(lv))
    return small


def _binary(x: pd.Series) -> bool:
    return set(pd.unique(x.dropna())) <= {0.0, 1.0}


def _games_howell(sub: pd.DataFrame, outcome: str, group: str, levels, level: float) -> pd.DataFrame:
    gh = pg.pairwise_gameshowell(data=sub.assign(**{group: pd.Categorical(sub[group], categories=levels)}),
                                 dv=outcome, between=group)
    k = len(levels)
    q = stats.studentized_range.ppf(level, k, gh["df"].to_numpy()) / np.sqrt(2)
    return pd.DataFrame({
        "outcome": outcome, "A": gh["A"].astype(str), "B": gh["B"].astype(str), "diff": gh["diff"],
        "std_error": gh["se"], "statistic": gh["T"], "df": gh["df"], "p_value": gh["pval"],
        "conf_low": gh["diff"] - q * gh["se"], "conf_high": gh["diff"] + q * gh["se"], "hedges_g": gh["hedges"]})


def compare_groups(data: pd.DataFrame, group: str, outcomes: list[str], adjust: list[str] | None = None,
                   correction: str | None = "holm", level: float = 0.95,
                   threshold: int = DEFAULT_THRESHOLD) -> GroupComparison:
    """Compare groups on several outcomes, choosing the test by the number of groups and the kind
    of outcome (see the module docstring).

    Parameters
    ----------
    data : DataFrame
        Respondent-level data (scores joined with canonical columns).
    group : str
        Grouping column (e.g. ``bme``, ``sector``). Respondents with a missing group are left out.
    outcomes : list of str
    adjust : list of str, optional
        Covariates for adjusted group effects (e.g. ``["sector", "role", "nation"]``).
    correction : {"holm", "fdr_bh", None}
        Multiple-comparison correction across the outcomes.
    threshold : int
        Disclosure threshold for the descriptives.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"g": np.repeat(["a", "b"], 50), "y": rng.normal(size=100)})
    >>> compare_groups(d, "g", ["y"]).tests["test"].item()
    'welch_t'
    """
    unknown = [c for c in [group] + list(outcomes) + list(adjust or []) if c not in data.columns]
    if unknown:
        _fail("unknown column", f"{unknown} not in the data", "use column names of the scored wave")
    if correction not in ("holm", "fdr_bh", None):
        _fail("bad argument", f"correction={correction!r}", 'use "holm", "fdr_bh" or None')
    g = data[group]
    levels = list(g.cat.categories) if isinstance(g.dtype, pd.CategoricalDtype) else sorted(pd.unique(g.dropna()))
    rows, pairs, desc = [], [], []
    for outcome in outcomes:
        sub = data.loc[g.notna() & data[outcome].notna(), [group, outcome]].copy()
        sub[outcome] = sub[outcome].astype(float)
        present = [lv for lv in levels if (sub[group] == lv).any()]
        sizes = {lv: int((sub[group] == lv).sum()) for lv in present}
        if len(present) < 2:
            _fail("too few groups", f"'{group}' has {len(present)} group(s) with answers to '{outcome}'",
                  "compare at least two groups", group)
        small = [lv for lv, n in sizes.items() if n < 2]
        if small:
            _fail("group too small", f"group(s) {small} of '{group}' have fewer than 2 respondents for '{outcome}'",
                  "merge or drop these groups before comparing", group)
        few = _small_cells(sub, group, outcome, present, threshold) if _binary(sub[outcome]) else set()
        for lv in present:
            x = sub.loc[sub[group] == lv, outcome]
            desc.append({"outcome": outcome, "group": str(lv), "n": len(x), "mean": x.mean(), "sd": x.std(ddof=1),
                         "suppressed": "primary" if str(lv) in few else ""})
        row = dict.fromkeys(TEST_COLUMNS, np.nan) | {"outcome": outcome}
        if _binary(sub[outcome]):
            table = pd.crosstab(sub[group], sub[outcome])
            chi, p, dof, expected = stats.chi2_contingency(table, correction=True)
            row |= {"test": "chi_square", "statistic": chi, "df1": dof, "p_value": p}
            if table.shape == (2, 2) and (expected < 5).any():
                row |= {"test": "fisher_exact", "statistic": np.nan, "df1": np.nan,
                        "p_value": stats.fisher_exact(table.to_numpy())[1]}
            if len(present) == 2:
                x1 = sub.loc[sub[group] == present[0], outcome]
                x0 = sub.loc[sub[group] == present[1], outcome]
                p1, p0 = x1.mean(), x0.mean()
                se = np.sqrt(p1 * (1 - p1) / len(x1) + p0 * (1 - p0) / len(x0))
                z = stats.norm.ppf(1 - (1 - level) / 2)
                row |= {"effect": "difference_in_proportions", "effect_size": p1 - p0,
                        "conf_low": p1 - p0 - z * se, "conf_high": p1 - p0 + z * se}
            else:
                n = table.to_numpy().sum()
                row |= {"effect": "cramers_v",
                        "effect_size": np.sqrt(stats.chi2_contingency(table, correction=False)[0]
                                               / (n * (min(table.shape) - 1)))}
        elif len(present) == 2:
            x1 = sub.loc[sub[group] == present[0], outcome]
            x0 = sub.loc[sub[group] == present[1], outcome]
            t = pg.ttest(x1, x0, correction=True, confidence=level)
            gval = pg.compute_effsize(x1, x0, eftype="hedges")
            ci = pg.compute_esci(stat=gval, nx=len(x1), ny=len(x0), eftype="hedges", confidence=level, decimals=15)
            u = pg.mwu(x1, x0, method="asymptotic")
            row |= {"test": "welch_t", "statistic": float(t["T"].iloc[0]), "df1": float(t["dof"].iloc[0]),
                    "p_value": float(t["p_val"].iloc[0]), "effect": "hedges_g", "effect_size": gval,
                    "conf_low": float(ci[0]), "conf_high": float(ci[1]), "robust_test": "mann_whitney_u",
                    "robust_statistic": float(u["U_val"].iloc[0]), "robust_p": float(u["p_val"].iloc[0]),
                    "robust_effect": float(u["RBC"].iloc[0])}
        else:
            w = pg.welch_anova(data=sub, dv=outcome, between=group)
            a = pg.anova(data=sub, dv=outcome, between=group, detailed=True)
            ss_b, ss_w = float(a["SS"].iloc[0]), float(a["SS"].iloc[1])
            ms_w = ss_w / float(a["DF"].iloc[1])
            omega2 = (ss_b - (len(present) - 1) * ms_w) / (ss_b + ss_w + ms_w)
            row |= {"test": "welch_anova", "statistic": float(w["F"].iloc[0]), "df1": float(w["ddof1"].iloc[0]),
                    "df2": float(w["ddof2"].iloc[0]), "p_value": float(w["p_unc"].iloc[0]),
                    "effect": "omega_squared", "effect_size": omega2}
            gh = _games_howell(sub, outcome, group, present, level)
            gh.insert(3, "n_A", gh["A"].map({str(k): v for k, v in sizes.items()}))
            gh.insert(4, "n_B", gh["B"].map({str(k): v for k, v in sizes.items()}))
            small = (gh[["n_A", "n_B"]].min(axis=1) < threshold).to_numpy()
            gh.loc[small, gh.columns[5:]] = np.nan
            gh["suppressed"] = np.where(small, "primary", "")
            pairs.append(gh)
        row["suppressed"] = ""
        if min(sizes.values()) < threshold or few:
            # A test or effect involving a group under the threshold (or, for a 0/1 outcome, fewer
            # than the threshold with or without it) would let a reader recover that group's
            # figures from the others': nothing but the outcome and test is shown.
            keep = {"outcome", "test"}
            row = {k: (v if k in keep else np.nan) for k, v in row.items()} | {"suppressed": "primary"}
        rows.append(row)
    tests = pd.DataFrame(rows, columns=TEST_COLUMNS + ["suppressed"])
    tested = tests["p_value"].notna().to_numpy()
    tests["p_adjusted"] = np.nan
    if tested.any():
        tests.loc[tested, "p_adjusted"] = (multipletests(tests.loc[tested, "p_value"], method=correction)[1]
                                           if correction else tests.loc[tested, "p_value"])
    pair_table = pd.concat(pairs, ignore_index=True) if pairs else pd.DataFrame(
        columns=["outcome", "A", "B", "n_A", "n_B", "diff", "std_error", "statistic", "df", "p_value", "conf_low",
                 "conf_high", "hedges_g", "suppressed"])
    descriptives = suppress(pd.DataFrame(desc, columns=["outcome", "group", "n", "mean", "sd", "suppressed"]),
                            n_column="n", value_columns=["mean", "sd"], threshold=threshold)
    adjusted = _adjusted(data, group, levels, outcomes, adjust, correction, level, threshold) if adjust else None
    return GroupComparison(tests, pair_table, descriptives, adjusted)


def _adjusted(data, group, levels, outcomes, covariates, correction, level, threshold) -> pd.DataFrame:
    from .models import fit_logit, fit_ols

    # The group enters as categories (a numeric 0/1/2 code must not become a linear trend).
    data = data.assign(**{group: pd.Categorical(data[group], categories=levels)})
    rows = []
    for outcome in outcomes:
        binary = _binary(data[outcome])
        fit = (fit_logit if binary else fit_ols)(data, outcome, [group], covariates=covariates, level=level)
        coefs = fit.coefficients
        for _, c in coefs[coefs["term"].str.startswith(f"{group}[") | (coefs["term"] == group)].iterrows():
            rows.append({"outcome": outcome, "model": "logit" if binary else "ols", "term": c["term"],
                         "estimate": c["estimate"], "std_error": c["std_error"], "p_value": c["p_value"],
                         "conf_low": c["conf_low"], "conf_high": c["conf_high"],
                         "odds_ratio": c["odds_ratio"] if binary else np.nan, "n": fit.fit["n"],
                         "covariates": ", ".join(covariates)})
    out = pd.DataFrame(rows)
    out.insert(6, "p_adjusted", multipletests(out["p_value"], method=correction)[1] if correction else out["p_value"])
    # Suppress effects of groups under the threshold among each model's respondents.
    out["suppressed"] = ""
    few = {o: _small_cells(data.loc[data[o].notna()], group, o, levels, threshold)
           for o in outcomes if _binary(data[o])}
    for i, r in out.iterrows():
        lv = r["term"][len(group) + 1:-1]
        n_lv = int((data[group].astype(str) == lv).sum())
        first = str(levels[0])  # the reference group: every effect rests on it too
        if n_lv < threshold or lv in few.get(r["outcome"], ()) or first in few.get(r["outcome"], ()):
            out.loc[i, ["estimate", "std_error", "p_value", "p_adjusted", "conf_low", "conf_high", "odds_ratio"]] = np.nan
            out.loc[i, "suppressed"] = "primary"
    return out
