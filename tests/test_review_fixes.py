"""Regression tests for the review of the analysis library: no small group leaks from any output
table, positional (not label) row selection, covariates in moderation plots, intervals at any
level, and clear errors for collinear, repeated or unsuitable variables."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import SurveyDataError
from analysis.studies.bme import bme_experience
from analysis.stats.groups import compare_groups
from analysis.stats.models import fit_hierarchical, fit_logit, fit_moderation, fit_ols, fit_ordinal
from analysis.stats.wave_comparison import compare_waves

from .test_bme_and_waves import frame


@pytest.fixture(scope="module")
def small_group():
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"g": ["a"] * 30 + ["b"] * 30 + ["c"] * 4, "y": rng.normal(size=64),
                      "z": rng.normal(size=64), "x": rng.normal(size=64)})
    d["yes"] = (d["y"] > 0).astype(float)
    return d


def test_no_small_group_figure_in_any_comparison_output(small_group):
    res = compare_groups(small_group, "g", ["y", "yes"], adjust=["x"])
    c_mean = small_group.loc[small_group.g == "c", "y"].mean()
    assert res.tests["suppressed"].eq("primary").all()           # every test involves group c
    assert res.tests[["statistic", "p_value", "effect_size", "conf_low"]].isna().all().all()
    pairs = res.pairs
    with_c = (pairs.A == "c") | (pairs.B == "c")
    assert pairs.loc[with_c, "diff"].isna().all() and pairs.loc[~with_c, "diff"].notna().all()
    adj = res.adjusted.set_index(["outcome", "term"])
    assert np.isnan(adj.loc[("y", "g[c]"), "estimate"]) and not np.isnan(adj.loc[("y", "g[b]"), "estimate"])
    # Nothing shown lets the small group's mean be recovered.
    for table in (res.tests, res.pairs, res.descriptives, res.adjusted):
        assert not np.isclose(table.select_dtypes("number").to_numpy(dtype=float), c_mean).any()


def test_two_group_test_with_enough_respondents_is_shown(small_group):
    res = compare_groups(small_group[small_group.g != "c"], "g", ["y"])
    assert res.tests["suppressed"].eq("").all() and res.tests["statistic"].notna().all()


def test_bme_interactions_suppressed_when_few_bme():
    f = frame("2018").copy()
    keep = (f.bme == 0) | (f.index.isin(f.index[f.bme == 1][:6]))
    res = bme_experience(f[keep])
    assert res.interactions["suppressed"].eq("primary").all() and res.interactions["estimate"].isna().all()
    assert res.comparisons["effect_size"].isna().all()


def test_compare_waves_blanks_a_tiny_wave():
    tiny = frame("2018").head(3)
    row = compare_waves({"2017": frame("2017"), "x": tiny}, ["pss4"]).iloc[0]
    assert row["suppressed"] == "primary" and np.isnan(row["value_to"]) and np.isnan(row["change"])


def test_duplicated_index_does_not_repeat_rows():
    f = frame("2017")
    doubled = f.iloc[:1200].copy()
    doubled.index = list(range(600)) * 2  # as waves stacked without ignore_index
    h = fit_hierarchical(doubled, "pss4", [["sector"], ["hse_demands", "hse_control"]])
    clean = fit_hierarchical(doubled.reset_index(drop=True), "pss4", [["sector"], ["hse_demands", "hse_control"]])
    pd.testing.assert_frame_equal(h, clean)
    assert h["n"].iloc[0] <= 1200
    m = fit_moderation(doubled, "pss4", "hse_demands", ["hse_control"])
    assert m.fit["n"] == fit_ols(doubled, "pss4", ["hse_demands", "hse_control"]).fit["n"]


def test_moderation_plot_data_includes_covariates_at_their_means():
    f = frame("2017")
    m = fit_moderation(f, "pss4", "hse_demands", ["hse_control"], covariates=["hse_role"])
    b = m.model.params
    sd_d = m.centring.set_index("variable").loc["hse_demands", "sd"]
    role_mean = f.loc[f[["pss4", "hse_demands", "hse_control", "hse_role"]].notna().all(axis=1), "hse_role"].mean()
    # Moderator at its mean (centred 0): prediction = const + b_D x (+1 SD) + b_role x mean(role).
    high = m.plot_data.query("moderator_level == 'mean' and focal_level == 'high'")["predicted"].item()
    assert high == pytest.approx(b["const"] + b["hse_demands"] * sd_d + b["hse_role"] * role_mean, rel=1e-12)


def test_prediction_intervals_follow_the_level():
    f = frame("2018")
    r90 = fit_logit(f, "intend_leave_job", ["pss4"], level=0.90)
    r95 = fit_logit(f, "intend_leave_job", ["pss4"])
    p90, p95 = r90.predicted("pss4", [8.0]).iloc[0], r95.predicted("pss4", [8.0]).iloc[0]
    assert p95["conf_low"] < p90["conf_low"] < p90["probability"] < p90["conf_high"] < p95["conf_high"]
    # Closed form for the 90 % bound on the logit scale.
    g = np.array([1.0, 8.0])
    eta, se = g @ r90.model.params, np.sqrt(g @ r90.model.cov_params() @ g)
    assert p90["conf_low"] == pytest.approx(1 / (1 + np.exp(-(eta - stats.norm.ppf(0.95) * se))), rel=1e-12)


def test_clear_errors_for_unsuitable_models():
    f = frame("2017").assign(double_demands=lambda d: 2 * d.hse_demands)
    with pytest.raises(SurveyDataError, match="collinear predictors"):
        fit_ols(f, "pss4", ["hse_demands", "double_demands"])
    with pytest.raises(SurveyDataError, match="repeated variable"):
        fit_ols(f, "pss4", ["hse_demands"], covariates=["hse_demands"])
    with pytest.raises(SurveyDataError, match="outcome 'sector' is not numeric"):
        fit_ols(f, "sector", ["hse_demands"])
    with pytest.raises(SurveyDataError, match="three or more ordered categories"):
        fit_ordinal(f, "intend_leave_job", ["pss4"])
    with pytest.raises(SurveyDataError, match="nothing was computed"):
        fit_ols(f.head(3), "pss4", ["hse_demands", "hse_control"])


def test_logit_with_an_extreme_point_is_not_called_separation():
    rng = np.random.default_rng(2)
    x = np.r_[rng.normal(size=499), -10.0]
    y = (rng.random(500) < 1 / (1 + np.exp(-2 * x))).astype(float)
    r = fit_logit(pd.DataFrame({"x": x, "y": y}), "y", ["x"])
    assert r.coefficients.set_index("term").loc["x", "estimate"] > 1
