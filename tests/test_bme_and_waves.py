"""BME experience and wave comparison on the bundled synthetic waves, against closed forms and
scipy/statsmodels computed here independently."""

import functools

import numpy as np
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from analysis import load_wave
from analysis.studies.bme import bme_experience
from analysis.paths import SYNTHETIC_DIR
from analysis.measures.scoring import analysis_frame
from analysis.stats.wave_comparison import compare_waves


@functools.cache
def frame(label):
    w = load_wave(SYNTHETIC_DIR / f"wave_{label}.csv", SYNTHETIC_DIR / f"wave_{label}.codebook.yaml")
    return analysis_frame(w)


def test_analysis_frame_has_no_items_or_free_text():
    f = frame("2018")
    assert len(f) == 3421 and "hse_03" not in f and "comments" not in f
    assert {"pss4", "intend_leave_job", "sector", "bme"} <= set(f.columns)


def test_bme_experience_2018():
    f = frame("2018")
    res = bme_experience(f)
    comp = res.comparisons.set_index("outcome")
    # Relationships: the generator's stated assumption (BME -0.25 on the true score) shows up.
    rel = comp.loc["hse_relationships"]
    bme = f.loc[f.bme == 1, "hse_relationships"].dropna()
    white = f.loc[f.bme == 0, "hse_relationships"].dropna()
    t = stats.ttest_ind(bme, white, equal_var=False)
    assert rel["statistic"] == pytest.approx(t.statistic, rel=1e-10)
    assert rel["p_value"] == pytest.approx(t.pvalue, rel=1e-8) and rel["p_value"] < 0.001
    assert comp["p_adjusted"].ge(comp["p_value"]).all()
    # Racism prevalence with Wilson intervals (closed form).
    r = res.racism.set_index(["item", "group"]).loc[("racism_service_users_12m", "bme")]
    x = f.loc[f.bme == 1, "racism_service_users_12m"].dropna()
    k, n = int((x >= 1).sum()), len(x)
    zc = stats.norm.ppf(0.975)
    centre = (k / n + zc**2 / (2 * n)) / (1 + zc**2 / n)
    half = zc / (1 + zc**2 / n) * np.sqrt(k / n * (1 - k / n) / n + zc**2 / (4 * n**2))
    assert (r["share"], r["conf_low"], r["conf_high"]) == pytest.approx((k / n, centre - half, centre + half), rel=1e-10)
    # Interaction of BME with Demands: the same model by formula.
    d = f.copy()
    d["dc"] = d.hse_demands - d.hse_demands.mean()
    fit = smf.ols("pss4 ~ hse_demands + hse_control + hse_managers_support + hse_peer_support + hse_relationships"
                  " + hse_role + hse_change + bme + bme:dc", data=d).fit()
    row = res.interactions.set_index("scale").loc["hse_demands"]
    assert row["estimate"] == pytest.approx(fit.params["bme:dc"], rel=1e-9)
    assert row["p_value"] == pytest.approx(fit.pvalues["bme:dc"], rel=1e-8)
    assert len(res.interactions) == 7


def test_compare_waves_2017_to_2018():
    f17, f18 = frame("2017"), frame("2018")
    table = compare_waves({"2017": f17, "2018": f18}).set_index("measure")
    pss = table.loc["pss4"]
    a, b = f17.pss4.dropna(), f18.pss4.dropna()
    t = stats.ttest_ind(b, a, equal_var=False)
    assert pss["change"] == pytest.approx(b.mean() - a.mean(), rel=1e-12)
    assert pss["statistic"] == pytest.approx(t.statistic, rel=1e-10)
    ci = t.confidence_interval(0.95)
    assert (pss["conf_low"], pss["conf_high"]) == pytest.approx((ci.low, ci.high), rel=1e-8)
    leave = table.loc["intend_leave_job"]
    p0, p1 = f17.intend_leave_job.dropna(), f18.intend_leave_job.dropna()
    se = np.sqrt(p0.mean() * (1 - p0.mean()) / len(p0) + p1.mean() * (1 - p1.mean()) / len(p1))
    assert leave["change"] == pytest.approx(p1.mean() - p0.mean(), rel=1e-12)
    assert leave["conf_low"] == pytest.approx(leave["change"] - stats.norm.ppf(0.975) * se, rel=1e-10)
    assert leave["test"] == "chi_square" and leave["p_value"] < 0.001  # 53 % -> 60 %
    assert set(table.index) >= {"hse_demands", "presenteeism_2plus", "extra_hours_week"}
    assert "uwes_total" not in table.index  # not measured in 2017


def test_compare_waves_bad_calls():
    from analysis import SurveyDataError
    with pytest.raises(SurveyDataError, match="at least two waves"):
        compare_waves({"2017": frame("2017")})
    with pytest.raises(SurveyDataError, match="wave 2017 has no column 'uwes_total'"):
        compare_waves({"2017": frame("2017"), "2018": frame("2018")}, ["uwes_total"])


def test_bme_racism_hides_a_small_count_of_reports():
    # 3 of the BME respondents report racism from colleagues: the share would disclose 3 people.
    d = frame("2018").copy()
    bme = d.index[d["bme"] == 1.0]
    d["racism_colleagues_12m"] = 0.0
    d.loc[bme[:3], "racism_colleagues_12m"] = 2.0
    res = bme_experience(d)
    racism = res.racism.set_index(["item", "group"])
    # ... and neither the descriptives nor the comparison give the 3 back.
    desc = res.descriptives.set_index(["outcome", "group"]).loc[("racism_colleagues_12m_any", "bme")]
    assert desc["suppressed"] == "primary" and np.isnan(desc["mean"])
    comp = res.comparisons.set_index("outcome").loc["racism_colleagues_12m_any"]
    assert comp["suppressed"] == "primary" and np.isnan(comp["effect_size"]) and np.isnan(comp["statistic"])
    row = racism.loc[("racism_colleagues_12m", "bme")]
    assert row["suppressed"] == "primary" and np.isnan(row["share"]) and np.isnan(row["n_any"])
    white = racism.loc[("racism_colleagues_12m", "white")]  # nobody: a zero is shown
    assert white["suppressed"] == "" and white["n_any"] == 0 and white["share"] == 0
    # Wilson interval by its closed form where shown.
    shown = racism.loc[("racism_service_users_12m", "bme")]
    p, n, z = shown["share"], shown["n"], stats.norm.ppf(0.975)
    centre, half = (p + z**2 / (2 * n)), z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert shown["conf_low"] == pytest.approx((centre - half) / (1 + z**2 / n), abs=1e-12)
