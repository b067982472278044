"""fit_ordinal against R 4.2.2's ordinal::clm and MASS::polr, with HC0 errors from
sandwich::sandwich: reference numbers in tests/reference/ordinal/reference.json, made by
reference.R from tests/reference/models/data.csv (see tests/reference/ordinal/README.md).

Tolerances are relative (pytest.approx rel, with an absolute floor of 1e-12 for numbers near 0):
1e-10 against clm (Newton with an analytic Hessian, gradient 3e-14: the two agree to ~3e-13),
1e-8 against polr (BFGS, Hessian a finite difference of the analytic gradient: ~4e-9).
"""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDataError
from analysis.stats.models import fit_ordinal

from .conftest import REFERENCE

REF = json.loads((REFERENCE / "ordinal" / "reference.json").read_text())
PREDICTORS = ["pss4", "hse_demands", "bme"]
LABELS = REF["labels"]  # Never, Once, Two to five times, More than five times (codes 0..3)
COLUMNS = (("estimate", "estimate"), ("std_error", "std_error"), ("statistic", "z"), ("p_value", "p"),
           ("conf_low", "conf_low"), ("conf_high", "conf_high"))
ODDS = (("odds_ratio", "odds_ratio"), ("odds_ratio_conf_low", "odds_ratio_conf_low"),
        ("odds_ratio_conf_high", "odds_ratio_conf_high"))


@pytest.fixture(scope="module")
def data():
    d = pd.read_csv(REFERENCE / "models" / "data.csv")
    text = d["presenteeism_12m"].map(dict(enumerate(LABELS)))
    d["presenteeism_text"] = text.astype(object)
    d["presenteeism_ordered"] = pd.Categorical(text, categories=LABELS, ordered=True)
    return d


def _compare(table, ref, columns, rel):
    table = table.set_index("term")
    assert list(table.index) == list(ref)
    checked = 0
    for term, values in ref.items():
        for mine, theirs in columns:
            assert table.loc[term, mine] == pytest.approx(values[theirs], rel=rel, abs=1e-12), (term, mine)
            checked += 1
    return checked


@pytest.mark.parametrize("robust", [None, "HC0"])
def test_matches_clm(data, robust):
    r = fit_ordinal(data, "presenteeism_12m", PREDICTORS, robust=robust)
    ref = REF["clm"] if robust is None else REF["clm"]["hc0"]
    assert _compare(r.coefficients, ref["coefficients"], COLUMNS + ODDS, rel=1e-10) == 27
    assert _compare(r.thresholds, ref["thresholds"], COLUMNS, rel=1e-10) == 18
    assert r.fit["loglik"].item() == pytest.approx(REF["clm"]["loglik"], rel=1e-12)
    assert r.fit["n"].item() == REF["clm"]["n"] == 1306
    assert r.fit["n_lost"].item() == 1333 - 1306
    assert r.fit["robust"].item() == (robust or "none")


@pytest.mark.parametrize("robust", [None, "HC0"])
def test_matches_polr(data, robust):
    r = fit_ordinal(data, "presenteeism_12m", PREDICTORS, robust=robust)
    ref = REF["polr"] if robust is None else REF["polr"]["hc0"]
    _compare(r.coefficients, ref["coefficients"], COLUMNS[:2] + ODDS, rel=1e-8)
    _compare(r.thresholds, ref["thresholds"], COLUMNS[:2], rel=1e-8)
    assert r.fit["loglik"].item() == pytest.approx(REF["polr"]["loglik"], rel=1e-12)


def test_hc0_errors_differ_from_the_classical_ones(data):
    classical = fit_ordinal(data, "presenteeism_12m", PREDICTORS)
    hc0 = fit_ordinal(data, "presenteeism_12m", PREDICTORS, robust="HC0")
    assert hc0.coefficients["estimate"].to_numpy() == pytest.approx(classical.coefficients["estimate"], rel=1e-15)
    # In R too: the HC0 and classical errors of the slopes differ by more than 1%.
    ratio = hc0.coefficients["std_error"].to_numpy() / classical.coefficients["std_error"].to_numpy()
    ref = [REF["clm"]["hc0"]["coefficients"][t]["std_error"] / REF["clm"]["coefficients"][t]["std_error"]
           for t in PREDICTORS]
    assert ratio == pytest.approx(ref, rel=1e-10)
    assert np.abs(ratio - 1).max() > 0.01


def test_level_changes_the_intervals(data):
    r = fit_ordinal(data, "presenteeism_12m", PREDICTORS, level=0.90)
    _compare(r.coefficients, REF["clm"]["coefficients_level_90"], COLUMNS + ODDS, rel=1e-10)


def test_converges_to_a_vanishing_gradient(data):
    r = fit_ordinal(data, "presenteeism_12m", PREDICTORS)
    assert r.model.mle_retvals["converged"]
    assert r.model.mle_retvals["max_abs_gradient"] < 1e-10
    assert REF["clm"]["max_abs_gradient"] < 1e-10


def test_statsmodels_results_carry_the_same_fit(data):
    r = fit_ordinal(data, "presenteeism_12m", PREDICTORS)
    params = r.model.params.to_numpy()
    # statsmodels' own log-likelihood at these parameters: an independent check of the likelihood.
    assert r.model.model.loglike(params) == pytest.approx(REF["clm"]["loglik"], rel=1e-12)
    assert r.model.model.transform_threshold_params(params)[1:-1] == pytest.approx(
        [v["estimate"] for v in REF["clm"]["thresholds"].values()], rel=1e-10)
    # The slopes' block of the covariance is untouched by the threshold reparameterisation.
    assert r.model.bse.to_numpy()[:3] == pytest.approx(
        [REF["clm"]["coefficients"][t]["std_error"] for t in PREDICTORS], rel=1e-10)
    # The first threshold is a parameter of its own; the next are log increments (delta method):
    # se(log(t2 - t1)) = se(t2 - t1) / (t2 - t1), which the threshold errors alone cannot give,
    # so only the first is checked here.
    assert r.model.bse.to_numpy()[3] == pytest.approx(REF["clm"]["thresholds"]["0|1"]["std_error"], rel=1e-10)


@pytest.mark.parametrize("column, order", [("presenteeism_ordered", None), ("presenteeism_text", LABELS)])
def test_text_categories_give_the_coded_numbers(data, column, order):
    coded = fit_ordinal(data, "presenteeism_12m", PREDICTORS, robust="HC0")
    text = fit_ordinal(data, column, PREDICTORS, robust="HC0", order=order)
    names = REF["clm_text"]["threshold_names"]
    assert names == ["Never|Once", "Once|Two to five times", "Two to five times|More than five times"]
    assert text.thresholds["term"].tolist() == names
    assert text.levels == LABELS
    _compare(text.coefficients, REF["clm_text"]["hc0"]["coefficients"], COLUMNS + ODDS, rel=1e-10)
    _compare(text.thresholds, REF["clm_text"]["hc0"]["thresholds"], COLUMNS, rel=1e-10)
    numbers = ["estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
    assert text.coefficients[numbers].to_numpy() == pytest.approx(coded.coefficients[numbers].to_numpy(), rel=1e-12)
    assert text.thresholds[numbers].to_numpy() == pytest.approx(coded.thresholds[numbers].to_numpy(), rel=1e-12)
    assert text.fit["loglik"].item() == pytest.approx(coded.fit["loglik"].item(), rel=1e-14)
    brant_coded = coded.proportional_odds_test()
    brant_text = text.proportional_odds_test()
    assert brant_text["statistic"].to_numpy() == pytest.approx(brant_coded["statistic"].to_numpy(), rel=1e-12)
    assert list(brant_text.columns[-3:]) == ["slope_above_Never", "slope_above_Once", "slope_above_Two_to_five_times"]
    assert list(brant_coded.columns[-3:]) == ["slope_above_0", "slope_above_1", "slope_above_2"]


def test_order_overrides_and_empty_categories_are_left_out(data):
    coded = fit_ordinal(data, "presenteeism_12m", PREDICTORS)
    # Reversed order: the same model with the signs of every slope and threshold flipped.
    reverse = fit_ordinal(data, "presenteeism_text", PREDICTORS, order=LABELS[::-1])
    assert reverse.coefficients["estimate"].to_numpy() == pytest.approx(-coded.coefficients["estimate"], rel=1e-10)
    assert reverse.thresholds["estimate"].to_numpy() == pytest.approx(-coded.thresholds["estimate"][::-1], rel=1e-10)
    assert reverse.thresholds["std_error"].to_numpy() == pytest.approx(coded.thresholds["std_error"][::-1], rel=1e-10)
    # A category nobody gave is left out: its thresholds would merge.
    wider = pd.Categorical(data["presenteeism_text"], categories=[LABELS[0], "Unheard of", *LABELS[1:]],
                           ordered=True)
    r = fit_ordinal(data.assign(wide=wider), "wide", PREDICTORS)
    assert r.thresholds["term"].tolist() == REF["clm_text"]["threshold_names"]
    assert r.thresholds["estimate"].to_numpy() == pytest.approx(coded.thresholds["estimate"], rel=1e-12)


def test_bad_ordinal_calls_say_what_to_pass(data):
    with pytest.raises(SurveyDataError, match=r"(?s)says nothing of their order.*pass order=\[") as exc:
        fit_ordinal(data, "presenteeism_text", PREDICTORS)
    assert "More than five times" in str(exc.value)
    unordered = data.assign(u=pd.Categorical(data["presenteeism_text"], categories=LABELS))
    with pytest.raises(SurveyDataError, match="ordered pandas Categorical"):
        fit_ordinal(unordered, "u", PREDICTORS)
    with pytest.raises(SurveyDataError, match=r"values \['More than five times'\] that order="):
        fit_ordinal(data, "presenteeism_text", PREDICTORS, order=LABELS[:3])
    with pytest.raises(SurveyDataError, match="more than once"):
        fit_ordinal(data, "presenteeism_text", PREDICTORS, order=[*LABELS, "Never"])
    with pytest.raises(SurveyDataError, match="not a list of categories"):
        fit_ordinal(data, "presenteeism_text", PREDICTORS, order="Never")
    with pytest.raises(SurveyDataError, match=r'robust=None or robust="HC0"'):
        fit_ordinal(data, "presenteeism_12m", PREDICTORS, robust="HC3")
    with pytest.raises(SurveyDataError, match="three or more ordered categories"):
        fit_ordinal(data.assign(two=data["presenteeism_12m"].clip(upper=1)), "two", PREDICTORS)


def test_separated_categories_do_not_converge():
    rng = np.random.default_rng(5)
    x = rng.normal(size=200)
    d = pd.DataFrame({"x": x, "y": np.digitize(x, [-0.5, 0.5]).astype(float)})  # x orders y perfectly
    with pytest.raises(SurveyDataError, match="perfect separation"):
        fit_ordinal(d, "y", "x")
    # Quasi-separation: one respondent at the boundary of each cut.
    d.loc[np.argmin(np.abs(x + 0.5)), "y"] = 1.0 - d.loc[np.argmin(np.abs(x + 0.5)), "y"] + 0.0
    with pytest.raises(SurveyDataError, match="perfect separation"):
        fit_ordinal(d, "y", "x")
