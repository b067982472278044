"""The random-intercept model against R 4.2.2's lme4::lmer (REML): reference numbers in
tests/reference/design/reference.json, made by reference.R from data.csv (see its README)."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDataError
from analysis.stats.mixed import fit_mixed

from .conftest import REFERENCE

REF = json.loads((REFERENCE / "design" / "reference.json").read_text())["mixed"]
HSE3 = ["hse_demands", "hse_control", "hse_managers_support"]
TERMS = {"(Intercept)": "(Intercept)", "sectoradults": "sector[adults]", "sectormixed": "sector[mixed]",
         "sectorother": "sector[other]", **{h: h for h in HSE3}}
TOL = 1e-4


@pytest.fixture(scope="module")
def data():
    d = pd.read_csv(REFERENCE / "design" / "data.csv", keep_default_na=False, na_values=[""])
    d["sector"] = pd.Categorical(d["sector"], categories=["children_families", "adults", "mixed", "other"])
    return d


@pytest.fixture(scope="module")
def by_team(data):
    return fit_mixed(data, "pss4_team", HSE3, group="team", covariates="sector")


def _compare(result, ref):
    coefs = result.coefficients.set_index("term")
    assert list(coefs.index) == [TERMS[t] for t in ref["terms"]]
    assert np.max(np.abs(coefs["estimate"].to_numpy() - np.array(ref["estimate"]))) < TOL
    assert np.max(np.abs(coefs["std_error"].to_numpy() - np.array(ref["std_error"]))) < TOL
    fit = result.fit.iloc[0]
    assert fit["n"] == ref["n"] and fit["n_groups"] == ref["n_groups"]
    for key in ("var_group", "var_residual", "icc", "reml_loglik"):
        assert fit[key] == pytest.approx(ref[key], abs=TOL), key


def test_random_intercept_by_team_equals_lmer(by_team):
    _compare(by_team, REF["team"])   # observed: estimates, errors ~1e-8, variances ~4e-7


def test_employer_model_equals_lmer_where_statsmodels_own_errors_do_not(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # six employers: the few-groups warning
        r = fit_mixed(data, "pss4", HSE3, group="employer")
    _compare(r, REF["employer"])
    # statsmodels' bse_fe (from the Hessian of the REML likelihood) misses lme4's errors here by ~0.02;
    # the errors reported are sigma^2 (X'V^-1 X)^-1 at the REML estimates
    assert np.max(np.abs(np.asarray(r.model.bse_fe) - np.array(REF["employer"]["std_error"]))) > 1e-3


def test_the_coefficient_table_keeps_the_schema_and_its_intervals(by_team):
    c = by_team.coefficients
    assert list(c.columns) == ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
    assert np.allclose(c["statistic"], c["estimate"] / c["std_error"])
    assert np.allclose(c["conf_high"] - c["estimate"], 1.959963984540054 * c["std_error"])
    fit = by_team.fit.iloc[0]
    assert fit["icc"] == pytest.approx(fit["var_group"] / (fit["var_group"] + fit["var_residual"]))


def test_group_sizes_are_summarised_never_small_ones_shown(data, by_team):
    sizes = data.dropna(subset=["pss4_team", "sector", *HSE3])["team"].value_counts()
    fit = by_team.fit.iloc[0]
    assert fit["group_n_median"] == sizes.median() and fit["group_n_max"] == sizes.max()
    assert fit["n_groups_below_threshold"] == (sizes < 10).sum()
    if sizes.min() < 10:
        assert np.isnan(fit["group_n_min"])
    else:
        assert fit["group_n_min"] == sizes.min()
    high = fit_mixed(data, "pss4_team", HSE3, group="team", covariates="sector", threshold=1000).fit.iloc[0]
    assert np.isnan(high["group_n_min"]) and np.isnan(high["group_n_max"])
    assert high["n_groups_below_threshold"] == len(sizes)


def test_respondents_without_a_group_are_dropped_and_counted(data):
    d = data.copy()
    d.loc[:9, "team"] = None
    r = fit_mixed(d, "pss4_team", "hse_demands", group="team")
    dropped = r.dropped.set_index("variable")["n_missing"]
    assert dropped["team"] == 10
    assert r.n == d.dropna(subset=["pss4_team", "hse_demands", "team"]).shape[0]


def test_one_group_or_one_respondent_per_group_is_refused(data):
    d = data.assign(one="all", own=data["respondent_id"])
    with pytest.raises(SurveyDataError, match="has one group"):
        fit_mixed(d, "pss4", "hse_demands", group="one")
    with pytest.raises(SurveyDataError, match="is a group of its own"):
        fit_mixed(d, "pss4", "hse_demands", group="own")
    with pytest.raises(SurveyDataError, match="'tema' is not a column"):
        fit_mixed(d, "pss4", "hse_demands", group="tema")
    with pytest.raises(SurveyDataError, match="group takes one column name"):
        fit_mixed(d, "pss4", "hse_demands", group=["team"])
