"""Confirmatory factor analysis and measurement invariance against lavaan's numbers.

The reference numbers are lavaan 0.6-14's (R 4.2), computed once by
tests/reference/cfa/reference.R on tests/reference/cfa/data.csv (made by make_data.py: the 35
HSE items with a known seven-factor structure, two ethnic groups); R is not needed here.
Tolerances: chi-square 1e-5 relative, df exact, CFI/TLI/RMSEA (and its interval)/SRMR and the
standardised loadings 1e-4 absolute (the issue's); standard errors 1e-4 absolute. Listwise (the
default) and full-information ML (missing="ml") both.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDataError, SurveyDataWarning, fit_cfa, load_wave, measurement_invariance
from analysis.instruments import instrument
from analysis.measures import factor_models
from analysis.measures.factor_models import factor_scales
from analysis.stats.results import schema_problems

HERE = Path(__file__).resolve().parent / "reference" / "cfa"
REF = json.loads((HERE / "reference.json").read_text())
MINORITY = ["black", "asian", "mixed", "other"]
FIT = {"chisq": "chisq", "df": "df", "cfi": "cfi", "tli": "tli", "rmsea": "rmsea", "rmsea_conf_low": "rmsea_ci_lower",
       "rmsea_conf_high": "rmsea_ci_upper", "srmr": "srmr", "aic": "aic", "bic": "bic", "loglik": "logl",
       "n": "ntotal", "n_parameters": "npar", "baseline_chisq": "baseline_chisq", "baseline_df": "baseline_df"}


@pytest.fixture(scope="module")
def data():
    d = pd.read_csv(HERE / "data.csv")
    return d.assign(bme=d["ethnicity"].isin(MINORITY).astype("float64"))


def two_item_hse():
    """The HSE tool with Change cut to two items (26 and 28), as reference.R's cfa_two_item."""
    hse = instrument("hse_mit")
    change = dataclasses.replace(hse.scale("hse_change"), items=("hse_26", "hse_28"))
    return dataclasses.replace(hse, scales=tuple(change if s.name == "hse_change" else s for s in hse.scales))


def check_fit(fit: pd.DataFrame, ref: dict):
    row = fit.iloc[0]
    assert row["converged"]
    assert int(row["df"]) == ref["df"] and int(row["n"]) == ref["ntotal"]
    assert int(row["n_parameters"]) == ref["npar"] and int(row["baseline_df"]) == ref["baseline_df"]
    assert row["chisq"] == pytest.approx(ref["chisq"], rel=1e-5)
    assert row["baseline_chisq"] == pytest.approx(ref["baseline_chisq"], rel=1e-8)
    for ours in ("cfi", "tli", "rmsea", "rmsea_conf_low", "rmsea_conf_high", "srmr"):
        assert row[ours] == pytest.approx(ref[FIT[ours]], abs=1e-4), ours
    for ours in ("aic", "bic", "loglik"):
        assert row[ours] == pytest.approx(ref[FIT[ours]], rel=1e-8), ours
    assert row["p_value"] == pytest.approx(ref["pvalue"], abs=1e-4)


def check_loadings(loadings: pd.DataFrame, ref: list, groups=None):
    theirs = pd.DataFrame(ref)
    if groups is not None:
        theirs["group"] = theirs["group"].map(dict(enumerate(groups, start=1)))
    keys = ["scale", "item"] + (["group"] if groups is not None else [])
    both = loadings.merge(theirs, on=keys, suffixes=("", "_lavaan"), validate="one_to_one")
    assert len(both) == len(theirs) == len(loadings)
    np.testing.assert_allclose(both["std_loading"], both["std_loading_lavaan"], rtol=0, atol=1e-4)
    np.testing.assert_allclose(both["estimate"], both["estimate_lavaan"], rtol=0, atol=1e-4)
    free = both["std_error_lavaan"] > 0  # a marker's loading is fixed: lavaan's se 0, ours NaN
    assert both.loc[~free, "std_error"].isna().all()
    np.testing.assert_allclose(both.loc[free, "std_error"], both.loc[free, "std_error_lavaan"], rtol=0, atol=1e-4)
    # the interval of the standardised loading: +- 1.96 delta-method se (standardizedSolution's se)
    half = (both["std_loading_conf_high"] - both["std_loading_conf_low"]) / 2 / 1.959963984540054
    np.testing.assert_allclose(half, both["std_loading_se"], rtol=0, atol=1e-4)


# -- one group --------------------------------------------------------------------------------------
@pytest.mark.parametrize("case, kwargs", [
    ("cfa", {}),
    ("cfa_subset", {"scales": ["hse_demands", "hse_peer_support", "hse_change"]}),
    ("cfa_two_item", {"instrument": two_item_hse()}),
])
def test_cfa_agrees_with_lavaan(data, case, kwargs):
    result = fit_cfa(data, **kwargs)
    ref = REF[case]
    check_fit(result.fit, ref["fit"])
    check_loadings(result.loadings, ref["loadings"])
    corr = result.factor_correlations.merge(pd.DataFrame(ref["factor_correlations"]), on=["scale_1", "scale_2"],
                                            validate="one_to_one")
    assert len(corr) == len(ref["factor_correlations"])
    np.testing.assert_allclose(corr["estimate"], corr["correlation"], rtol=0, atol=1e-4)
    np.testing.assert_allclose(corr["std_error_x"], corr["correlation_se"], rtol=0, atol=1e-4)
    for table in (result.fit, result.loadings, result.factor_correlations, result.cutoffs()):
        assert schema_problems(table) == []


def test_full_information_ml_agrees_with_lavaan(data):
    result = fit_cfa(data, missing="ml")
    ref = REF["cfa_fiml"]
    check_fit(result.fit, ref["fit"])  # n = 3,421: every respondent, none dropped
    check_loadings(result.loadings, ref["loadings"])  # standard errors from the observed information
    corr = result.factor_correlations.merge(pd.DataFrame(ref["factor_correlations"]), on=["scale_1", "scale_2"])
    np.testing.assert_allclose(corr["estimate"], corr["correlation"], rtol=0, atol=1e-4)
    assert any("full-information" in note for note in result.notes)


def test_full_information_ml_in_a_multi_group_scalar_model(data):
    result = measurement_invariance(data, "bme", scales=["hse_demands", "hse_peer_support", "hse_change"],
                                    missing="ml")  # 48 parameters a group: no small-group warning
    ref = REF["scalar_fiml_subset"]
    check_fit(result.steps.set_index("step").loc[["scalar"]].reset_index(), ref["fit"])
    check_loadings(result.models["scalar"].loadings, ref["loadings"], groups=["0", "1"])


def test_every_loading_is_positive_after_reverse_keying(data):
    result = fit_cfa(data)
    assert (result.loadings["std_loading"] > 0.3).all()
    assert result.loadings.groupby("scale").size().to_dict() == {s.name: len(s.items) for s in instrument("hse_mit").scales}


def test_a_two_item_factor_has_equal_loadings_and_says_so(data):
    result = fit_cfa(data, two_item_hse())
    change = result.loadings[result.loadings["scale"] == "hse_change"]
    assert change["estimate"].tolist() == [1.0, 1.0] and change["std_error"].isna().all()
    assert "hse_change =~ 1*hse_26 + 1*hse_28" in result.syntax
    assert any("two items" in note and "equal" in note for note in result.notes)


def test_cutoffs_read_the_fit_against_hu_and_bentler(data):
    table = fit_cfa(data).cutoffs().set_index("measure")
    assert table["cut_off"].to_dict() == {"cfi": ">= 0.95", "tli": ">= 0.95", "rmsea": "<= 0.06", "srmr": "<= 0.08"}
    assert table["meets"].all()  # the data were made from this very model
    assert table.loc["rmsea", "conf_high"] == pytest.approx(REF["cfa"]["fit"]["rmsea_ci_upper"], abs=1e-4)


def test_a_loaded_wave_gives_the_same_fit_as_its_table(data):
    wave = load_wave(data.drop(columns="bme"), wave="2018")
    a, b = fit_cfa(wave).fit, fit_cfa(data).fit
    assert a["chisq"].iloc[0] == pytest.approx(b["chisq"].iloc[0], rel=1e-10)


def test_factors_come_from_the_instrument_files():
    found = {i: [s for s, _ in factor_scales(instrument(i))[0]] for i in ("hse_mit", "swemwbs", "uwes9", "wrqol")}
    assert found["hse_mit"] == [s.name for s in instrument("hse_mit").scales]
    assert found["swemwbs"] == ["swemwbs_raw"]  # the metric score is a look-up of the same items
    assert found["uwes9"] == ["uwes_vigour", "uwes_dedication", "uwes_absorption"]  # not the total
    assert "wrqol_total" not in found["wrqol"] and "wrqol_saw" in found["wrqol"]
    notes = factor_scales(instrument("wrqol"))[1]
    assert any(n.startswith("wrqol_saw has two items") for n in notes)
    assert any(n.startswith("wrqol_total is a total") for n in notes)


@pytest.mark.parametrize("kwargs, says", [
    ({"missing": "pairwise"}, "missing='pairwise'"),
    ({"estimator": "WLSMV"}, "only maximum likelihood"),
    ({"scales": ["hse_demand"]}, "did you mean 'hse_demands'"),
    ({"instrument": "hse"}, "no instrument 'hse'"),
    ({"instrument": "pss4"}, "no item columns of pss4"),
])
def test_bad_calls_say_what_to_do(data, kwargs, says):
    with pytest.raises(SurveyDataError, match=says):
        fit_cfa(data, **kwargs)


def test_a_small_sample_warns_with_the_reason(data):
    with pytest.warns(SurveyDataWarning, match="fewer than 10 per parameter"):
        result = fit_cfa(data.head(200), scales=["hse_demands", "hse_control"])
    assert any("per parameter" in note for note in result.notes)


def test_non_convergence_warns(data, monkeypatch):
    real = factor_models._minimise
    monkeypatch.setattr(factor_models, "_minimise", lambda obj, x0: (*real(obj, x0)[:2], False, None))
    with pytest.warns(SurveyDataWarning, match="did not converge"):
        result = fit_cfa(data, scales=["hse_peer_support", "hse_change"])
    assert not result.fit["converged"].iloc[0]


# -- invariance ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def invariance(data):
    with pytest.warns(SurveyDataWarning, match="group '1' has 667 respondents for 126 free parameters"):
        return measurement_invariance(data, "bme")


@pytest.mark.parametrize("step", ["configural", "metric", "scalar"])
def test_each_invariance_step_agrees_with_lavaan(invariance, step):
    ref = REF["invariance"][step]
    row = invariance.steps.set_index("step").loc[[step]].reset_index()
    check_fit(row, ref["fit"])
    check_loadings(invariance.models[step].loadings, ref["loadings"], groups=["0", "1"])
    assert invariance.groups["n"].tolist() == ref["n_groups"]
    if step != "configural":
        assert row["chisq_diff"].iloc[0] == pytest.approx(ref["chisq_diff"], rel=1e-5)
        assert int(row["df_diff"].iloc[0]) == ref["df_diff"]
        assert row["chisq_diff_p_value"].iloc[0] == pytest.approx(ref["p_diff"], rel=1e-3, abs=1e-12)


def test_scalar_model_estimates_the_second_groups_latent_means(invariance):
    ours = invariance.models["scalar"].latent_means.merge(pd.DataFrame(REF["invariance"]["scalar"]["latent_means"]),
                                                          on="scale", suffixes=("", "_lavaan"))
    assert len(ours) == 7 and (ours["group"] == "1").all()
    np.testing.assert_allclose(ours["estimate"], ours["estimate_lavaan"], atol=1e-4)
    np.testing.assert_allclose(ours["std_error"], ours["std_error_lavaan"], atol=1e-4)


def test_invariance_decisions_follow_chen_2007(invariance):
    steps = invariance.steps.set_index("step")
    for step, before in [("metric", "configural"), ("scalar", "metric")]:
        ref, prev = REF["invariance"][step]["fit"], REF["invariance"][before]["fit"]
        assert steps.loc[step, "delta_cfi"] == pytest.approx(ref["cfi"] - prev["cfi"], abs=1e-4)
        assert steps.loc[step, "delta_rmsea"] == pytest.approx(ref["rmsea"] - prev["rmsea"], abs=1e-4)
        holds = ref["cfi"] - prev["cfi"] >= -0.01 and ref["rmsea"] - prev["rmsea"] <= 0.015
        assert steps.loc[step, "decision"] == ("holds" if holds else "does not hold")
    assert steps["decision"].tolist() == ["holds"] * 3 and invariance.scalar_holds
    for table in (invariance.steps, invariance.groups, invariance.models["scalar"].loadings,
                  invariance.models["scalar"].latent_means):
        assert schema_problems(table) == []


def test_shifted_intercepts_break_scalar_invariance(data):
    shifted = data.copy()
    bme = shifted["bme"] == 1
    for item in ["hse_07", "hse_24", "hse_26", "hse_28"]:
        shifted.loc[bme, item] = (shifted.loc[bme, item] + 1).clip(upper=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyDataWarning)  # the small-group warning, tested above
        result = measurement_invariance(shifted, "bme", scales=["hse_peer_support", "hse_change"])
    steps = result.steps.set_index("step")
    assert steps.loc["metric", "decision"] == "holds"
    assert steps.loc["scalar", "delta_cfi"] < -0.01 and steps.loc["scalar", "decision"] == "does not hold"
    assert not result.scalar_holds


def test_a_group_under_the_threshold_is_refused(data):
    few = pd.concat([data[data["bme"] == 0], data[data["bme"] == 1].head(9)])
    with pytest.raises(SurveyDataError, match="group '1' of 'bme' has fewer than 10 respondents"):
        measurement_invariance(few, "bme", scales=["hse_change"])


def test_groups_of_a_derived_column_and_of_pooled_waves(data):
    wave = load_wave(data.drop(columns="bme"), wave="2018")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SurveyDataWarning)
        via_wave = measurement_invariance(wave, "bme", scales=["hse_peer_support", "hse_change"])
        via_table = measurement_invariance(data, "bme", scales=["hse_peer_support", "hse_change"],
                                           labels={0: "White", 1: "BME"})
    np.testing.assert_allclose(via_wave.steps["chisq"], via_table.steps["chisq"], rtol=1e-10)
    assert via_wave.groups["group"].tolist() == ["0", "1"] and via_table.groups["group"].tolist() == ["White", "BME"]
    assert set(via_table.models["metric"].loadings["group"]) == {"White", "BME"}
    with pytest.raises(SurveyDataError, match=r"\d+ distinct values; invariance compares a few groups"):
        measurement_invariance(data, "respondent_id", scales=["hse_change"])
    with pytest.raises(SurveyDataError, match="too few groups"):
        measurement_invariance(wave, "wave", scales=["hse_change"])
    with pytest.raises(SurveyDataError, match="did you mean 'bme'"):
        measurement_invariance(wave, "bmee")
