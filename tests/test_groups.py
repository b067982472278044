"""Group comparisons and HSE benchmarks against R 4.2.2 (t.test, wilcox.test, oneway.test, a
Games-Howell written from its formula, chisq.test, fisher.test, p.adjust): reference numbers in
tests/reference/models/reference.json (see its README for every definition); Hedges' g with its
noncentral-t interval (effectsize::hedges_g), the uncorrected chi-square and Newcombe's interval
(issue 15) in tests/reference/groups/reference.json."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDataError
from analysis.stats.groups import compare_groups

from .conftest import REFERENCE

REF = json.loads((REFERENCE / "models" / "reference.json").read_text())
REF_G = json.loads((REFERENCE / "groups" / "reference.json").read_text())
SECTORS = ["children_families", "adults", "mixed", "other"]


@pytest.fixture(scope="module")
def data():
    d = pd.read_csv(REFERENCE / "models" / "data.csv")
    d["sector"] = pd.Categorical(d["sector"], categories=SECTORS)
    # First group = BME (1), as in the reference.
    d["bme_group"] = pd.Categorical(d["bme"].map({1.0: "bme", 0.0: "white"}), categories=["bme", "white"])
    return d


def test_two_groups(data):
    row = compare_groups(data, ["pss4"], by="bme_group").tests.iloc[0]
    ref = REF["two_groups"]
    assert row["test"] == "welch_t"
    assert row["statistic"] == pytest.approx(ref["welch"]["t"], rel=1e-10)
    assert row["df1"] == pytest.approx(ref["welch"]["df"], rel=1e-10)
    assert row["p_value"] == pytest.approx(ref["welch"]["p"], rel=1e-9)
    # Issue 15: g uses the exact small-sample correction J (Gamma functions, as effectsize) instead
    # of pingouin's 1 - 3 / (4 (n1 + n0) - 9), and its interval inverts the noncentral t of the
    # pooled t statistic instead of pingouin's g +/- t x se; so the reference moved from
    # models/reference.json (pingouin's formula) to groups/reference.json (effectsize's method).
    g = REF_G["hedges"]
    assert row["estimate"] == pytest.approx(g["g"], abs=1e-12)
    assert row["estimate"] == pytest.approx(ref["hedges_g"], rel=1e-3)  # the two J differ by O(1/n^2)
    assert (row["conf_low"], row["conf_high"]) == pytest.approx((g["conf_low"], g["conf_high"]), abs=1e-10)
    assert (row["conf_low"], row["conf_high"]) == pytest.approx(
        (g["effectsize"]["conf_low"], g["effectsize"]["conf_high"]), abs=5e-8)
    assert row["test_method"] == "asymptotic" and row["note"] == ""
    assert row["robust_statistic"] == ref["mann_whitney"]["U1"]
    assert row["robust_p_value"] == pytest.approx(ref["mann_whitney"]["p"], rel=1e-9)
    assert row["robust_estimate"] == pytest.approx(ref["mann_whitney"]["rbc_pingouin"], rel=1e-9)


def test_many_groups_and_games_howell(data):
    res = compare_groups(data, ["pss4"], by="sector")
    row = res.tests.iloc[0]
    ref = REF["many_groups"]
    assert row["test"] == "welch_anova"
    assert row["statistic"] == pytest.approx(ref["welch_anova"]["F"], rel=1e-10)
    assert row["df2"] == pytest.approx(ref["welch_anova"]["df2"], rel=1e-10)
    assert row["p_value"] == pytest.approx(ref["welch_anova"]["p"], rel=1e-9)
    assert row["estimate"] == pytest.approx(ref["omega_squared"], rel=1e-9)
    pairs = res.pairs.set_index(["group_a", "group_b"])
    assert len(pairs) == len(ref["games_howell"]) == 6
    for p in ref["games_howell"]:
        mine = pairs.loc[(p["A"], p["B"])]
        for key, theirs in (("estimate", "diff"), ("std_error", "std_error"), ("statistic", "t"), ("df", "df"),
                            ("conf_low", "conf_low"), ("conf_high", "conf_high"), ("hedges_g", "hedges_g")):
            assert mine[key] == pytest.approx(p[theirs], rel=1e-8), key
        assert mine["p_value"] == pytest.approx(p["p"], rel=1e-6, abs=1e-10)


def test_binary_outcome(data):
    row = compare_groups(data, ["intend_leave_job"], by="bme_group").tests.iloc[0]
    # Issue 15: the score test (Pearson's chi-square without Yates' correction, R's
    # chisq.test(correct = FALSE)) with Newcombe's hybrid score interval, instead of the Yates
    # chi-square with the Wald interval: hence the new reference.
    ref, old = REF_G["binary_groups"], REF["binary_groups"]
    assert row["test"] == "chi_square" and row["test_method"] == "asymptotic" and not row["small_expected"]
    assert row["statistic"] == pytest.approx(ref["chi2"], rel=1e-10)
    assert row["statistic"] == pytest.approx(old["chi2_no_correction"]["statistic"], rel=1e-10)
    assert row["p_value"] == pytest.approx(ref["p"], rel=1e-9)
    assert row["estimate"] == pytest.approx(ref["estimate"], rel=1e-10)
    assert row["estimate"] == pytest.approx(old["difference"], rel=1e-10)
    assert (row["conf_low"], row["conf_high"]) == pytest.approx((ref["conf_low"], ref["conf_high"]), abs=1e-10)
    assert row["note"] == ""


def test_fisher_when_cells_are_small():
    # a: 1 of 10 yes; b: 6 of 10 yes -> expected "yes" counts 3.5 < 5, so Fisher's exact test.
    d = pd.DataFrame({"g": ["a"] * 10 + ["b"] * 10, "y": [1.0] + [0.0] * 9 + [1.0] * 6 + [0.0] * 4})
    # 1 "yes" in group a would disclose one person: at the default threshold only the test's name shows.
    hidden = compare_groups(d, ["y"], by="g")
    assert hidden.tests.iloc[0]["suppressed"] == "primary" and np.isnan(hidden.tests.iloc[0]["p_value"])
    assert hidden.descriptives.set_index("group").loc["a", "suppressed"] == "primary"
    assert np.isnan(hidden.descriptives.set_index("group").loc["a", "estimate"])
    row = compare_groups(d, ["y"], by="g", threshold=1).tests.iloc[0]
    assert row["test"] == "fisher_exact"
    # Closed form: two-sided p = sum of hypergeometric probabilities no larger than the observed one
    # (20 respondents, 7 "yes", 10 in group a, 1 "yes" in a).
    from scipy.stats import hypergeom
    probs = hypergeom(20, 7, 10).pmf(np.arange(0, 8))
    expected = probs[probs <= probs[1] * (1 + 1e-7)].sum()
    assert row["p_value"] == pytest.approx(expected, rel=1e-10)
    assert row["estimate"] == pytest.approx(0.1 - 0.6) and row["measure"] == "difference_in_shares"


def test_holm_and_bh_across_outcomes(data):
    ps = REF["holm"]["p"]
    from statsmodels.stats.multitest import multipletests
    assert multipletests(ps, method="holm")[1] == pytest.approx(REF["holm"]["holm"])
    assert multipletests(ps, method="fdr_bh")[1] == pytest.approx(REF["holm"]["bh"])
    res = compare_groups(data, ["pss4", "hse_relationships", "intend_leave_job"], by="bme_group")
    p = res.tests["p_value"].to_numpy()
    assert res.tests["adjusted_p_value"].to_numpy() == pytest.approx(multipletests(p, method="holm")[1])
    bh = compare_groups(data, ["pss4", "hse_relationships"], by="bme_group", correction="fdr_bh").tests
    assert bh["adjusted_p_value"].to_numpy() == pytest.approx(multipletests(bh["p_value"], method="fdr_bh")[1])


def test_adjusted_group_effects_through_the_regressions(data):
    import statsmodels.formula.api as smf

    res = compare_groups(data, ["pss4", "intend_leave_job"], by="bme_group", covariates=["sector", "role", "nation"])
    adj = res.adjusted.set_index("outcome")
    d = data.assign(white=(data["bme_group"] == "white").astype(float).where(data["bme_group"].notna()))
    ols = smf.ols("pss4 ~ C(sector) + C(role) + C(nation) + white", data=d).fit()
    assert adj.loc["pss4", "term"] == "bme_group[white]"
    assert adj.loc["pss4", "estimate"] == pytest.approx(ols.params["white"], rel=1e-9)
    assert adj.loc["pss4", "p_value"] == pytest.approx(ols.pvalues["white"], rel=1e-8)
    logit = smf.logit("intend_leave_job ~ C(sector) + C(role) + C(nation) + white", data=d).fit(disp=0)
    assert adj.loc["intend_leave_job", "odds_ratio"] == pytest.approx(np.exp(logit.params["white"]), rel=1e-6)
    assert (adj["adjusted_p_value"] >= adj["p_value"]).all()


def test_descriptives_are_suppressed_below_threshold():
    d = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 31 + ["c"] * 4, "y": np.arange(65.0)})
    desc = compare_groups(d, ["y"], by="g").descriptives.set_index("group")
    assert np.isnan(desc.loc["c", "estimate"]) and desc.loc["c", "suppressed"] == "primary"
    # The overall mean is published elsewhere, so the smallest other group hides c's with it.
    assert desc.loc["a", "suppressed"] == "secondary" and np.isnan(desc.loc["a", "estimate"])
    assert desc.loc["b", "estimate"] == pytest.approx(45.0) and desc.loc["b", "measure"] == "mean"


def test_bad_calls(data):
    with pytest.raises(SurveyDataError, match=r"\[unknown column\]"):
        compare_groups(data, ["stress"], by="bme_group")
    one = pd.DataFrame({"g": ["a"] * 10 + ["b"], "y": np.arange(11.0)})
    with pytest.raises(SurveyDataError, match=r"\[group too small\].*\['b'\]"):
        compare_groups(one, ["y"], by="g")
    with pytest.raises(SurveyDataError, match=r"\[too few groups\]"):
        compare_groups(one.assign(g="a"), ["y"], by="g")


def test_the_0_1_call_forms_still_work_with_a_warning(data):
    with pytest.warns(DeprecationWarning, match=r"compare_groups\(data, group, outcomes\) is deprecated"):
        old = compare_groups(data, "bme_group", ["pss4"])
    pd.testing.assert_frame_equal(old.tests, compare_groups(data, "pss4", by="bme_group").tests)
    with pytest.warns(DeprecationWarning, match=r"the keyword 'adjust'"):
        compare_groups(data, "pss4", by="bme_group", adjust=["sector"])


def test_adjusted_effects_count_the_models_respondents():
    # Group c has 12 members but only 8 with every covariate: too few in the model, so its
    # adjusted effect is blanked although the group has 12 respondents in all.
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"g": ["a"] * 40 + ["b"] * 40 + ["c"] * 12, "y": rng.normal(size=92),
                      "x": rng.normal(size=92)})
    d.loc[d.index[-4:], "x"] = np.nan
    adj = compare_groups(d, "y", by="g", covariates="x").adjusted.set_index("term")
    assert adj.loc["g[c]", "suppressed"] == "primary" and np.isnan(adj.loc["g[c]", "estimate"])
    assert adj.loc["g[b]", "suppressed"] == "" and adj.loc["g[b]", "n"] == 88


@pytest.fixture(scope="module")
def small_group():
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 30 + ["c"] * 4, "y": rng.normal(size=64),
                      "z": rng.normal(size=64), "x": rng.normal(size=64)})
    d["yes"] = (d["y"] > 0).astype(float)
    return d


def test_no_small_group_figure_in_any_comparison_output(small_group):
    res = compare_groups(small_group, ["y", "yes"], by="g", covariates=["x"])
    c_mean = small_group.loc[small_group.g == "c", "y"].mean()
    assert res.tests["suppressed"].eq("primary").all()           # every test involves group c
    assert res.tests[["statistic", "p_value", "estimate", "conf_low"]].isna().all().all()
    pairs = res.pairs  # c and its partner a (the smallest other group) are hidden in every table
    assert pairs["estimate"].isna().all() and set(pairs["suppressed"]) <= {"primary", "secondary"}
    adj = res.adjusted.set_index(["outcome", "term"])
    assert np.isnan(adj.loc[("y", "g[c]"), "estimate"]) and np.isnan(adj.loc[("y", "g[b]"), "estimate"])
    desc = res.descriptives.set_index(["outcome", "group"])
    assert desc.loc[("y", "a"), "suppressed"] == "secondary" and desc.loc[("y", "b"), "suppressed"] == ""
    # Nothing shown lets the small group's mean be recovered.
    for table in (res.tests, res.pairs, res.descriptives, res.adjusted):
        assert not np.isclose(table.select_dtypes("number").to_numpy(dtype=float), c_mean).any()


def test_two_group_test_with_enough_respondents_is_shown(small_group):
    res = compare_groups(small_group[small_group.g != "c"], "y", by="g")
    assert res.tests["suppressed"].eq("").all() and res.tests["statistic"].notna().all()


def _shares(counts: dict) -> pd.DataFrame:
    """0/1 answers: group -> (yes, no)."""
    return pd.DataFrame([{"g": g, "y": v} for g, (yes, no) in counts.items() for v in [1.0] * yes + [0.0] * no])


def test_score_test_and_newcombe_interval_disagreeing_is_said():
    # 11/20 vs 15/50: the score test gives p = 0.0505, Newcombe's interval 0.0007 to 0.47
    # excludes 0; 9/25 vs 5/35: p = 0.0499 but the interval (-0.0010 to 0.43) includes 0.
    cases = {(c["k1"], c["n1"]): c for c in REF_G["newcombe"][7:9]}
    for (k1, n1, k0, n0), says in (((11, 20, 15, 50), "p >= 0.05 but Newcombe's interval excludes 0"),
                                   ((9, 25, 5, 35), "p < 0.05 but Newcombe's interval includes 0")):
        row = compare_groups(_shares({"a": (k1, n1 - k1), "b": (k0, n0 - k0)}), "y", by="g", threshold=5).tests.iloc[0]
        ref = cases[(k1, n1)]
        assert row["test"] == "chi_square" and row["test_method"] == "asymptotic"
        assert row["statistic"] == pytest.approx(ref["score_statistic"], rel=1e-12)
        assert row["p_value"] == pytest.approx(ref["score_p"], rel=1e-10)
        assert (row["conf_low"], row["conf_high"]) == pytest.approx((ref["conf_low"], ref["conf_high"]), abs=1e-12)
        assert row["note"] == f"the chi-square (score) test gives {says}: they are different methods and can " \
                              "disagree near the boundary"


def test_many_groups_with_small_expected_counts_get_a_monte_carlo_p():
    ref = REF_G["small_4x2"]
    d = _shares({f"g{i}": tuple(int(v) for v in row) for i, row in enumerate(ref["table"])})
    row = compare_groups(d, "y", by="g", threshold=1).tests.iloc[0]
    assert row["test"] == "chi_square" and row["test_method"] == "monte_carlo" and np.isnan(row["df1"])
    assert row["statistic"] == pytest.approx(ref["x2"], rel=1e-12) and row["small_expected"]
    p = ref["r_mc_p"]
    assert abs(row["p_value"] - p) < 4 * np.sqrt(p * (1 - p) / 9999 + p * (1 - p) / ref["r_mc_B"])
    assert "Monte Carlo p from 9999 tables" in row["note"] and "(seed 20150615)" in row["note"]
    again = compare_groups(d, "y", by="g", threshold=1, n_sim=999, seed=3).tests.iloc[0]
    assert "999 tables" in again["note"] and "seed 3" in again["note"]
    assert again["p_value"] == compare_groups(d, "y", by="g", threshold=1, n_sim=999, seed=3).tests.iloc[0]["p_value"]
    assert row["measure"] == "cramers_v"
    # Cramer's V from the uncorrected chi-square: sqrt(X2 / (n (min(r, c) - 1))).
    assert row["estimate"] == pytest.approx(np.sqrt(ref["x2"] / len(d)), rel=1e-12)
    with pytest.raises(SurveyDataError, match="n_sim"):
        compare_groups(d, "y", by="g", n_sim=10)


def test_fisher_row_says_exact(data):
    d = _shares({"a": (2, 9), "b": (8, 4)})
    row = compare_groups(d, "y", by="g", threshold=2).tests.iloc[0]
    assert row["test"] == "fisher_exact" and row["test_method"] == "exact" and row["small_expected"]
    assert row["p_value"] == pytest.approx(REF_G["small_2x2"]["fisher_p"], rel=1e-10)
    assert row["note"].startswith("25% of expected counts below 5: Fisher's exact test")


def test_adjusted_effects_with_robust_errors(data):
    import statsmodels.formula.api as smf

    res = compare_groups(data, ["pss4", "intend_leave_job"], by="bme_group", covariates=["sector"], robust="HC3")
    adj = res.adjusted.set_index("outcome")
    d = data.assign(white=(data["bme_group"] == "white").astype(float).where(data["bme_group"].notna()))
    ols = smf.ols("pss4 ~ C(sector) + white", data=d).fit(cov_type="HC3")
    assert adj.loc["pss4", "robust"] == "HC3"
    assert adj.loc["pss4", "estimate"] == pytest.approx(ols.params["white"], rel=1e-9)
    assert adj.loc["pss4", "std_error"] == pytest.approx(ols.bse["white"], rel=1e-9)
    logit = smf.logit("intend_leave_job ~ C(sector) + white", data=d).fit(disp=0, cov_type="HC0")
    assert adj.loc["intend_leave_job", "robust"] == "HC0"
    assert adj.loc["intend_leave_job", "std_error"] == pytest.approx(logit.bse["white"], rel=1e-6)
    plain = compare_groups(data, "pss4", by="bme_group", covariates=["sector"]).adjusted
    assert plain["robust"].eq("none").all()
    with pytest.raises(SurveyDataError, match=r"robust='HC1' is not supported"):
        compare_groups(data, "pss4", by="bme_group", covariates=["sector"], robust="HC1")


def test_welch_and_the_g_interval_disagreeing_is_said():
    # Unequal spreads: Welch's p = 0.059, Student's pooled t p = 0.0014, so the g interval (which
    # inverts Student's t) excludes 0 while Welch's test is not below 0.05.
    from scipy import stats
    x = [0.0, 5.0, 1.0, 8.0, -1.0, 3.0, 0.0, 3.0, 1.0, -1.0, -2.0, 10.0]
    y = [0.0, -2, -1, 1, -1, 1, 1, 0, 0, -1, -1, -1, 1, 2, -1, -1, -2, -1, -3, -1, 1, 0, 1, 0, 2, 0, 0, 3, 0, -1,
         0, 0, 1, -1, 1, 1, -1, 0, -1, 2]
    d = pd.DataFrame({"g": ["a"] * len(x) + ["b"] * len(y), "y": x + [float(v) for v in y]})
    row = compare_groups(d, "y", by="g").tests.iloc[0]
    assert row["p_value"] == pytest.approx(stats.ttest_ind(x, y, equal_var=False).pvalue, rel=1e-10)
    assert row["p_value"] > 0.05 and row["conf_low"] > 0 and stats.ttest_ind(x, y).pvalue < 0.05
    assert row["note"] == ("Welch's t gives p >= 0.05 but the interval of g (from Student's pooled t) excludes 0: "
                           "they are different methods and can disagree near the boundary")
