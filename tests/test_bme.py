"""BME experience on the bundled synthetic 2018 wave, against closed forms and scipy/statsmodels
computed here independently, and its disclosure control."""

import numpy as np
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from analysis.studies.bme import bme_experience

from .conftest import frame


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
    assert comp["adjusted_p_value"].ge(comp["p_value"]).all()
    # Racism prevalence with Wilson intervals (closed form).
    r = res.racism.set_index(["item", "group"]).loc[("racism_service_users_12m", "bme")]
    x = f.loc[f.bme == 1, "racism_service_users_12m"].dropna()
    k, n = int((x >= 1).sum()), len(x)
    zc = stats.norm.ppf(0.975)
    centre = (k / n + zc**2 / (2 * n)) / (1 + zc**2 / n)
    half = zc / (1 + zc**2 / n) * np.sqrt(k / n * (1 - k / n) / n + zc**2 / (4 * n**2))
    assert (r["estimate"], r["conf_low"], r["conf_high"]) == pytest.approx((k / n, centre - half, centre + half), rel=1e-10)
    # Interaction of BME with Demands: the same model by formula.
    d = f.copy()
    d["dc"] = d.hse_demands - d.hse_demands.mean()
    fit = smf.ols("pss4 ~ hse_demands + hse_control + hse_managers_support + hse_peer_support + hse_relationships"
                  " + hse_role + hse_change + bme + bme:dc", data=d).fit()
    row = res.interactions.set_index("scale").loc["hse_demands"]
    assert row["estimate"] == pytest.approx(fit.params["bme:dc"], rel=1e-9)
    assert row["p_value"] == pytest.approx(fit.pvalues["bme:dc"], rel=1e-8)
    assert len(res.interactions) == 7


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
    assert desc["suppressed"] == "primary" and np.isnan(desc["estimate"])
    comp = res.comparisons.set_index("outcome").loc["racism_colleagues_12m_any"]
    assert comp["suppressed"] == "primary" and np.isnan(comp["estimate"]) and np.isnan(comp["statistic"])
    row = racism.loc[("racism_colleagues_12m", "bme")]
    assert row["suppressed"] == "primary" and np.isnan(row["estimate"]) and np.isnan(row["count"])
    white = racism.loc[("racism_colleagues_12m", "white")]  # nobody: a zero is shown
    assert white["suppressed"] == "" and white["count"] == 0 and white["estimate"] == 0
    # Wilson interval by its closed form where shown.
    shown = racism.loc[("racism_service_users_12m", "bme")]
    p, n, z = shown["estimate"], shown["n"], stats.norm.ppf(0.975)
    centre, half = (p + z**2 / (2 * n)), z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert shown["conf_low"] == pytest.approx((centre - half) / (1 + z**2 / n), abs=1e-12)


def test_bme_interactions_suppressed_when_few_bme():
    f = frame("2018").copy()
    keep = (f.bme == 0) | (f.index.isin(f.index[f.bme == 1][:6]))
    res = bme_experience(f[keep])
    assert res.interactions["suppressed"].eq("primary").all() and res.interactions["estimate"].isna().all()
    assert res.comparisons["estimate"].isna().all()


def test_bme_interactions_suppressed_when_few_white_respondents():
    f = frame("2018").copy()
    keep = (f.bme == 1) | (f.index.isin(f.index[f.bme == 0][:6]))
    res = bme_experience(f[keep])
    assert res.interactions["suppressed"].eq("primary").all() and res.interactions["estimate"].isna().all()
    assert res.interactions["n_white"].isna().all()  # the small group's size is not shown either
