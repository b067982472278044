"""Robust (sandwich) errors carried through the models, and average marginal effects of a logit
with discrete changes for 0/1 predictors (issue 15, parts 2 and 6), against R 4.2.2 (lm, glm,
sandwich, lmtest, numDeriv): reference numbers in tests/reference/robust/reference.json, made by
reference.R from tests/reference/models/data.csv (see the README there)."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDataError
from analysis.stats.models import fit_logit, fit_moderation, fit_ols

from .conftest import REFERENCE

REF = json.loads((REFERENCE / "robust" / "reference.json").read_text())
HSE = ["hse_demands", "hse_control", "hse_managers_support", "hse_peer_support", "hse_relationships",
       "hse_role", "hse_change"]
#: Our column -> the reference's key, for every number of a coefficient or effect row.
KEYS = {"estimate": "estimate", "std_error": "std_error", "statistic": "statistic", "p_value": "p",
        "conf_low": "conf_low", "conf_high": "conf_high"}
REL = 1e-8


@pytest.fixture(scope="module")
def data():
    d = pd.read_csv(REFERENCE / "models" / "data.csv")
    d["sector"] = pd.Categorical(d["sector"], categories=["children_families", "adults", "mixed", "other"])
    return d


def _ours(term: str) -> str:
    """R's name of a dummy (``sectoradults``) as ours (``sector[adults]``)."""
    return f"sector[{term.removeprefix('sector')}]" if term.startswith("sector") else term


def _check_rows(table: pd.DataFrame, ref: dict):
    t = table.set_index("term")
    assert sorted(t.index) == sorted(_ours(k) for k in ref)
    for term, values in ref.items():
        for mine, theirs in KEYS.items():
            assert t.loc[_ours(term), mine] == pytest.approx(values[theirs], rel=REL, abs=1e-300), (term, mine)


def _check_f(fit: pd.DataFrame, ref: dict):
    f = fit.iloc[0]
    robust, classical = ref["robust_f_hc3"], ref["classical_f"]
    assert f["robust"] == "HC3"
    assert f["robust_f_statistic"] == pytest.approx(robust["F"], rel=REL)
    assert (f["robust_f_df1"], f["robust_f_df2"]) == (robust["df1"], robust["df2"])
    assert f["robust_f_p_value"] == pytest.approx(robust["p"], rel=REL)
    # the classical F stays beside it, under its own name
    assert f["f_statistic"] == pytest.approx(classical["F"], rel=REL)
    assert (f["f_df1"], f["f_df2"]) == (classical["df1"], classical["df2"])
    assert f["f_p_value"] == pytest.approx(classical["p"], rel=REL)
    assert f["robust_f_statistic"] != pytest.approx(f["f_statistic"], rel=1e-3)


@pytest.mark.parametrize("section, call", [
    ("ols", lambda d: fit_ols(d, "pss4", HSE, robust="HC3")),
    ("ols_sector", lambda d: fit_ols(d, "pss4", ["hse_demands", "hse_control"], covariates="sector", robust="HC3")),
])
def test_ols_robust_wald_f_matches_waldtest(data, section, call):
    r = call(data)
    ref = REF[section]
    assert r.n == ref["n"]
    _check_f(r.fit, ref)
    _check_rows(r.coefficients, ref["hc3"])


def test_ols_without_robust_leaves_the_robust_f_blank(data):
    f = fit_ols(data, "pss4", HSE).fit.iloc[0]
    assert f["robust"] == "none" and f[["robust_f_statistic", "robust_f_p_value"]].isna().all()
    assert f["f_statistic"] == pytest.approx(REF["ols"]["classical_f"]["F"], rel=REL)


def test_moderation_hc3_coefficients_simple_slopes_and_wald_f_match_sandwich(data):
    m = fit_moderation(data, "pss4", "hse_demands", ["hse_control", "hse_managers_support"], robust="HC3")
    ref = REF["moderation"]
    assert m.n == ref["n"]
    _check_rows(m.coefficients, ref["hc3"])
    _check_f(m.fit, ref)
    slopes = m.simple_slopes
    assert len(slopes) == len(ref["simple_slopes_hc3"]) == 9
    for row in ref["simple_slopes_hc3"]:
        mine = slopes[(slopes.hse_control_level == row["control_level"])
                      & (slopes.hse_managers_support_level == row["support_level"])].iloc[0]
        for key, theirs in KEYS.items():
            assert mine[key] == pytest.approx(row[theirs], rel=REL), (row["control_level"], row["support_level"], key)


def test_moderation_plot_data_uses_the_robust_covariance(data):
    """The predicted means' errors with robust="HC3" are statsmodels' get_prediction of the HC3
    results (the same point estimates as without robust)."""
    classical = fit_moderation(data, "pss4", "hse_demands", ["hse_control"])
    hc3 = fit_moderation(data, "pss4", "hse_demands", ["hse_control"], robust="HC3")
    res_r = hc3.model.get_robustcov_results(cov_type="HC3")
    sd = hc3.centring.set_index("variable")["sd"]
    assert hc3.model.model.exog_names == ["const", "hse_demands", "hse_control", "hse_demands:hse_control"]
    for row in hc3.plot_data.itertuples():
        d = row.focal_sd * sd["hse_demands"]
        c = {"low": -1, "mean": 0, "high": 1}[row.moderator_level] * sd["hse_control"]
        pred = res_r.get_prediction(np.array([[1.0, d, c, d * c]]))
        assert row.std_error == pytest.approx(pred.se_mean[0], rel=1e-10)
        assert (row.conf_low, row.conf_high) == pytest.approx(tuple(pred.conf_int(alpha=0.05)[0]), rel=1e-10)
    assert classical.plot_data["estimate"].to_numpy() == pytest.approx(hc3.plot_data["estimate"].to_numpy(), rel=1e-13)
    assert not classical.plot_data["std_error"].to_numpy() == pytest.approx(hc3.plot_data["std_error"].to_numpy(),
                                                                             rel=1e-3)
    assert classical.fit["robust"].item() == "none" and classical.fit["robust_f_statistic"].isna().all()


@pytest.mark.parametrize("robust, key", [(None, "average_marginal_effects"), ("HC0", "average_marginal_effects_hc0")])
def test_logit_marginal_effects_match_r(data, robust, key):
    r = fit_logit(data, "intend_leave_job", ["pss4", "hse_demands", "bme", "sector"], robust=robust)
    ref = REF["logit"]
    assert r.n == ref["n"] and r.fit["robust"].item() == (robust or "none")
    _check_rows(r.marginal_effects, ref[key])
    effect = r.marginal_effects.set_index("term")["effect"]
    for term, values in ref[key].items():
        assert effect[_ours(term)] == values["effect"]
    assert effect.tolist() == ["derivative"] * 2 + ["discrete change"] * 4
    assert (r.marginal_effects["measure"] == "average_marginal_effect").all()


def test_logit_hc0_coefficients_match_coeftest(data):
    r = fit_logit(data, "intend_leave_job", ["pss4", "hse_demands", "bme", "sector"], robust="HC0")
    _check_rows(r.coefficients, REF["logit"]["hc0"])


def test_unsupported_estimators_are_refused(data):
    with pytest.raises(SurveyDataError, match=r"robust='HC3' is not supported"):
        fit_logit(data, "intend_leave_job", ["pss4"], robust="HC3")
    with pytest.raises(SurveyDataError, match=r"robust='HC0' is not supported"):
        fit_moderation(data, "pss4", "hse_demands", "hse_control", robust="HC0")
    with pytest.raises(SurveyDataError, match=r"robust='HC1' is not supported"):
        fit_ols(data, "pss4", HSE, robust="HC1")
