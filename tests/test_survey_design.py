"""Weighted estimates and models with design-based errors, and cluster-robust errors, against R
4.2.2 (survey 4.1.1, sandwich): reference numbers in tests/reference/survey/reference.json, made by
reference.R from tests/reference/design/data.csv (see tests/reference/survey/README.md)."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDataError
from analysis.errors import SurveyDataWarning
from analysis.stats.estimates import group_means, prevalence

from .conftest import REFERENCE

REF = json.loads((REFERENCE / "survey" / "reference.json").read_text())
SECTORS = ["adults", "children_families", "mixed", "other"]
TOL = 1e-6


@pytest.fixture(scope="module")
def data():
    d = pd.read_csv(REFERENCE / "design" / "data.csv")
    d["high"] = (d["pss4"] >= 9).astype(float)
    d["sector"] = pd.Categorical(d["sector"], categories=SECTORS)
    return d.rename(columns={"base_weight": "w"})


def _row_matches(row, ref, columns=("estimate", "std_error", "deff", "conf_low", "conf_high", "weighted_n")):
    for c in columns:
        assert row[c] == pytest.approx(ref[c], abs=TOL, rel=0), c
    assert row["n"] == ref["n"]


def test_weighted_share_matches_svymean_and_svyciprop(data):
    t = prevalence(data, "high", weights="w", threshold=1)
    row = t.iloc[0]
    _row_matches(row, REF["share_high"])
    assert row["count"] == data["high"].sum()  # the unweighted count is kept


def test_weighted_share_by_group_matches_svyby(data):
    t = prevalence(data, "high", by="sector", weights="w", threshold=1).set_index("group")
    for s in SECTORS:
        _row_matches(t.loc[s], REF["share_high_by_sector"][s])
    _row_matches(t.loc["All"], REF["share_high"])


def test_weighted_mean_matches_svymean(data):
    _row_matches(group_means(data, "pss4", weights="w", threshold=1).iloc[0], REF["mean_pss4"])
    t = group_means(data, "pss4", by="sector", weights="w", threshold=1).set_index("group")
    for s in SECTORS:
        _row_matches(t.loc[s], REF["mean_pss4_by_sector"][s])
    # the subset design and svyby give the same errors and design effects
    assert t.loc[SECTORS, "std_error"].to_numpy() == pytest.approx(REF["svyby_mean_pss4"]["se"], abs=TOL)
    assert t.loc[SECTORS, "deff"].to_numpy() == pytest.approx(REF["svyby_mean_pss4"]["deff"], abs=TOL)


def test_equal_weights_give_the_unweighted_mean_and_a_close_error(data):
    plain = group_means(data, "pss4", threshold=1).iloc[0]
    weighted = group_means(data.assign(w=3.0), "pss4", weights="w", threshold=1).iloc[0]
    assert weighted["estimate"] == pytest.approx(plain["estimate"], rel=1e-12)
    # svymean's error is sd_w / sqrt(n) with the same n/(n-1): the t-based table's error
    assert weighted["std_error"] == pytest.approx(plain["std_error"], rel=1e-12)
    # survey's deff compares with sampling without replacement from sum(w) = 3n: 1 / (1 - 1/3)
    assert weighted["deff"] == pytest.approx(1.5, rel=1e-12)
    # weights summing to n leave no population to sample from: no deff (survey gives Inf)
    assert np.isnan(group_means(data.assign(w=1.0), "pss4", weights="w", threshold=1)["deff"].item())


def test_suppressed_rows_blank_the_weighted_figures(data):
    t = prevalence(data, "high", by="sector", weights="w", threshold=200)
    hidden = t[t["suppressed"] != ""]
    assert len(hidden) and hidden[["weighted_n", "deff", "estimate"]].isna().all().all()


@pytest.mark.parametrize("bad, kind", [(np.nan, "missing weight"), (0.0, "bad weight"), (-1.0, "bad weight")])
def test_bad_weights_are_errors_naming_rows(data, bad, kind):
    d = data.copy()
    d.loc[[3, 7], "w"] = bad
    with pytest.raises(SurveyDataError) as err:
        prevalence(d, "high", weights="w")
    assert kind in str(err.value) and "S18-00004" in str(err.value)
    with pytest.raises(SurveyDataError, match="not a column"):
        group_means(data, "pss4", weights="nope")


# ---- models --------------------------------------------------------------------------------

from analysis.stats.models import fit_logit, fit_ols  # noqa: E402

PREDICTORS = ["sector", "hse_demands", "hse_control", "hse_managers_support"]
R_TERMS = {"(Intercept)": "(Intercept)", "sectorchildren_families": "sector[children_families]",
           "sectormixed": "sector[mixed]", "sectorother": "sector[other]"}


def _coefs_match(result, ref, columns=("estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high")):
    t = result.coefficients.set_index("term")
    for i, r_term in enumerate(ref["terms"]):
        term = R_TERMS.get(r_term, r_term)
        for c in columns:
            assert t.loc[term, c] == pytest.approx(ref[c][i], abs=TOL, rel=0), (term, c)
    assert result.n == ref["n"]
    if "wald_f" in ref:  # the design Wald F of all slopes, as regTermTest(method = "Wald")
        fit = result.fit.iloc[0]
        for c in ("statistic", "df1", "df2", "p_value"):
            assert fit[f"robust_f_{c}"] == pytest.approx(ref["wald_f"][c], abs=TOL, rel=1e-9), c


def test_weighted_ols_matches_svyglm_gaussian(data):
    r = fit_ols(data, "pss4", PREDICTORS, weights="w")
    _coefs_match(r, REF["svyglm_gaussian"])
    assert r.fit["robust"].item() == "linearisation (weights: w)"
    assert r.fit["robust_f_df2"].item() == REF["svyglm_gaussian"]["df"]
    assert r.fit["weighted_n"].item() == pytest.approx(data.dropna(subset=PREDICTORS)["w"].sum())


def test_weighted_logit_matches_svyglm_quasibinomial(data):
    r = fit_logit(data, "high", PREDICTORS, weights="w")
    _coefs_match(r, REF["svyglm_quasibinomial"])


def test_weighted_clustered_models_match_svyglm_with_ids(data):
    _coefs_match(fit_ols(data, "pss4", PREDICTORS, weights="w", cluster="team"), REF["svyglm_gaussian_team"])
    r = fit_logit(data, "high", PREDICTORS, weights="w", cluster="team")
    _coefs_match(r, REF["svyglm_quasibinomial_team"])
    assert r.fit["robust"].item() == "linearisation (weights: w; cluster: team)"
    assert r.fit["n_clusters"].item() == 60


@pytest.mark.parametrize("fit, key", [(fit_ols, "lm"), (fit_logit, "glm")])
def test_cluster_robust_errors_match_vcovcl_hc1(data, fit, key):
    outcome = "pss4" if key == "lm" else "high"
    r = fit(data, outcome, PREDICTORS, cluster="team")
    _coefs_match(r, REF[f"vcovcl_{key}_team"], columns=("estimate", "std_error"))
    assert r.fit["robust"].item() == "CR1 (cluster: team)" and r.fit["n_clusters"].item() == 60
    few = data.dropna(subset=["employer"])
    with pytest.warns(SurveyDataWarning, match="only 6 clusters"):
        r = fit(few, outcome, PREDICTORS, cluster="employer")
    _coefs_match(r, REF[f"vcovcl_{key}_employer"], columns=("estimate", "std_error"))
    if key == "lm":  # 6 clusters, 6 slopes: the CR1 covariance of the slopes is singular, so no Wald F
        assert np.isnan(r.fit["robust_f_statistic"].item()) and r.fit["n_clusters"].item() == 6


def test_weighted_marginal_effects_equal_those_of_replicated_rows(data):
    """With whole-number weights, the weighted average marginal effects are the unweighted ones of
    the data with each row repeated w times (an independent computation of the same average)."""
    d = data.dropna(subset=PREDICTORS).head(600).assign(k=lambda x: 1 + (np.arange(len(x)) % 3))
    weighted = fit_logit(d, "high", PREDICTORS, weights="k").marginal_effects
    repeated = fit_logit(d.loc[d.index.repeat(d["k"])], "high", PREDICTORS).marginal_effects
    assert weighted["estimate"].to_numpy() == pytest.approx(repeated["estimate"].to_numpy(), abs=1e-9)


def test_design_arguments_fail_clearly(data):
    with pytest.raises(SurveyDataError, match="pick one"):
        fit_ols(data, "pss4", PREDICTORS, robust="HC3", cluster="team")
    with pytest.raises(SurveyDataError, match="pick one"):
        fit_logit(data, "high", PREDICTORS, robust="HC0", cluster="team")
    with pytest.raises(SurveyDataError) as err:
        fit_ols(data, "pss4", PREDICTORS, cluster="employer")  # 38 rows have no employer
    assert "missing cluster" in str(err.value) and "38 rows" in str(err.value)
    with pytest.raises(SurveyDataError, match="one cluster"):
        fit_logit(data.assign(g="x"), "high", PREDICTORS, cluster="g")
    d = data.copy()
    d.loc[5, "w"] = np.nan
    with pytest.raises(SurveyDataError, match="S18-00006"):
        fit_ols(d, "pss4", PREDICTORS, weights="w")


def test_weighted_mean_with_missing_values_keeps_them_in_the_design(data):
    """Respondents without a value stay in survey's design (n/(n-1) uses all 3,421 rows)."""
    _row_matches(group_means(data, "hse_managers_support", weights="w", threshold=1).iloc[0], REF["mean_support"])
    t = group_means(data, "hse_managers_support", by="sector", weights="w", threshold=1).set_index("group")
    for s in SECTORS:
        _row_matches(t.loc[s], REF["mean_support_by_sector"][s])


# ---- compare_groups(weights=) ----------------------------------------------------------------
# (issue 18 item 2: weights= in compare_groups, which used to be refused as "not yet available")

from analysis.stats.groups import compare_groups  # noqa: E402

CG = REF["compare_groups_weighted"]
WALD = ("statistic", "df1", "df2", "p_value")


@pytest.fixture(scope="module")
def grouped(data):
    """``england``: England / elsewhere (38 without a nation: no group, still in the design)."""
    england = np.where(data["nation"].isna(), None, np.where(data["nation"] == "England", "England", "elsewhere"))
    return data.assign(england=pd.Categorical(england, categories=["England", "elsewhere"]))


@pytest.mark.parametrize("by", ["england", "sector"])
def test_weighted_compare_groups_tests_match_regtermtest_and_svychisq(grouped, by):
    r = compare_groups(grouped, ["pss4", "high"], by=by, weights="w", threshold=1, correction=None)
    t = r.tests.set_index("outcome")
    for outcome, test, key in (("pss4", "wald_f_linear", "wald_linear"), ("high", "rao_scott_f", "rao_scott")):
        row, ref = t.loc[outcome], CG[by][outcome][key]
        assert row["test"] == test and row["test_method"] == "linearisation (weights: w)"
        for c in WALD:
            assert row[c] == pytest.approx(ref[c], abs=TOL, rel=0), (outcome, c)
        assert row["adjusted_p_value"] == row["p_value"]
        # the descriptives are svyby's weighted means and shares in the whole design
        d = r.descriptives[r.descriptives["outcome"] == outcome]
        assert d["group"].tolist() == CG[by][outcome]["svyby"]["groups"]
        assert d["estimate"].to_numpy() == pytest.approx(CG[by][outcome]["svyby"]["estimate"], abs=TOL, rel=0)
        assert d["std_error"].to_numpy() == pytest.approx(CG[by][outcome]["svyby"]["std_error"], abs=TOL, rel=0)
        assert (d["n"] == grouped.dropna(subset=[by, outcome]).groupby(by, observed=True).size().to_numpy()).all()
    assert r.pairs.empty  # no Games-Howell with weights
    if by == "sector":  # more than two groups: the test only
        assert t[["estimate", "std_error", "conf_low"]].isna().all().all()
        assert t["note"].str.contains("design-based test only").all()


def test_weighted_compare_groups_two_groups_give_the_weighted_difference(grouped):
    r = compare_groups(grouped, ["pss4", "high"], by="england", weights="w", threshold=1)
    t = r.tests.set_index("outcome")
    for outcome, measure in (("pss4", "difference_in_means"), ("high", "difference_in_shares")):
        row, ref = t.loc[outcome], CG["england"][outcome]
        assert row["measure"] == measure
        for c in ("estimate", "std_error", "conf_low", "conf_high"):  # svyglm gaussian, first minus second
            assert row[c] == pytest.approx(ref["difference"][c], abs=TOL, rel=0), (outcome, c)
        for c in ("estimate", "std_error"):  # = svycontrast of svyby(..., covmat = TRUE)
            assert row[c] == pytest.approx(ref["svycontrast"][c], abs=TOL, rel=0), (outcome, c)
    # two groups, means: the F is the square of the difference's t
    assert t.loc["pss4", "statistic"] == pytest.approx((t.loc["pss4", "estimate"] / t.loc["pss4", "std_error"]) ** 2)
    assert t.loc["pss4", "df2"] == CG["england"]["pss4"]["difference"]["df"]


def test_weighted_compare_groups_adjusted_uses_weighted_models(grouped):
    r = compare_groups(grouped, ["pss4"], by="sector", covariates=["hse_demands", "hse_control",
                                                                    "hse_managers_support"], weights="w", threshold=1)
    a = r.adjusted.set_index("term")
    ref = REF["svyglm_gaussian"]
    for i, term in enumerate(ref["terms"][1:4], start=1):
        for c in ("estimate", "std_error", "p_value"):
            assert a.loc[R_TERMS[term], c] == pytest.approx(ref[c][i], abs=TOL, rel=0), (term, c)
    assert (a["robust"] == "linearisation (weights: w)").all()


def test_weighted_compare_groups_suppression_and_bad_arguments(grouped):
    r = compare_groups(grouped, ["pss4", "high"], by="sector", weights="w", threshold=400)  # 'other' has fewer
    assert (r.tests["suppressed"] == "primary").all() and r.tests["statistic"].isna().all()
    # a group without the outcome (an empty cell) still gives svychisq's test (1/p of the cell taken as 0)
    d = grouped.assign(high=grouped["high"].where(grouped["sector"] != "other", 0.0))
    row = compare_groups(d, "high", by="sector", weights="w", threshold=1).tests.iloc[0]
    for c in WALD:
        assert row[c] == pytest.approx(CG["sector_empty_cell"][c], abs=TOL, rel=1e-9), c
    with pytest.raises(SurveyDataError, match="pick one"):
        compare_groups(grouped, "pss4", by="sector", covariates=["role"], weights="w", robust="HC3")
    with pytest.raises(SurveyDataError, match="not a column"):
        compare_groups(grouped, "pss4", by="sector", weights="nope")
