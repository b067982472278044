"""Do the findings hold? (analysis/studies/sensitivity.py and its sentences in narrative.py).

The functions only put results of other functions side by side, so each is checked against an
independent computation: raking to one margin is post-stratification, computed by hand, with the
linearisation variance of a weighted mean (survey's svymean with ids = ~1) written out; the four
kinds of regression errors against statsmodels' OLS (nonrobust, HC3, cluster with its CR1
correction) and MixedLM; multiple imputation against Rubin's rules by hand on the same completed
data sets.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from scipy import stats

from analysis import SurveyDataWarning, fit_ols, impute, rake_weights
from analysis.outputs.narrative import (
    errors_sentence,
    missing_data_sentence,
    weighting_sentence,
)
from analysis.studies.sensitivity import (
    error_check,
    missing_data_check,
    weighting_check,
)

from .conftest import frame


# -- weighting -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small():
    rng = np.random.default_rng(7)
    n = 300
    d = pd.DataFrame({"nation": rng.choice(["a", "b", "c"], n, p=[0.7, 0.2, 0.1])})
    d["y"] = (rng.random(n) < np.where(d["nation"] == "a", 0.6, 0.3)).astype(float)
    d["score"] = rng.normal(10, 2, n) + (d["nation"] == "c") * 2
    d.loc[[3, 50], "nation"] = np.nan
    d.loc[[7, 8], "score"] = np.nan
    return d


def _svymean(y, w, n):
    """Weighted mean and its linearisation SE, ids = ~1 (survey::svymean(na.rm = TRUE)), by hand: a
    domain estimate, so respondents without an answer count in n with zero residual."""
    ybar = np.sum(w * y) / np.sum(w)
    return ybar, np.sqrt(n / (n - 1) * np.sum(w ** 2 * (y - ybar) ** 2) / np.sum(w) ** 2)


def test_weighting_one_margin_is_post_stratification_by_hand(small):
    population = {"a": 0.5, "b": 0.3, "c": 0.2}
    t = weighting_check(small, {"nation": population}, ["y", "score"], threshold=5).set_index("outcome")
    d = small.dropna(subset=["nation"])
    w = d["nation"].map(population) * len(d) / d["nation"].map(d["nation"].value_counts())   # N_c / n_c
    for outcome, measure in [("y", "share"), ("score", "mean")]:
        keep = d[outcome].notna()
        est, se = _svymean(d.loc[keep, outcome].to_numpy(), w[keep].to_numpy(), len(d))
        row = t.loc[outcome]
        assert row["measure"] == measure and row["n"] == keep.sum()
        assert row["estimate"] == pytest.approx(est, abs=1e-10)
        assert row["std_error"] == pytest.approx(se, abs=1e-10)
        assert row["unweighted_estimate"] == pytest.approx(d.loc[keep, outcome].mean(), abs=1e-12)
        assert row["difference"] == pytest.approx(est - d.loc[keep, outcome].mean(), abs=1e-10)
        assert row["covers_unweighted"] == (row["conf_low"] <= row["unweighted_estimate"] <= row["conf_high"])
        assert row["n_not_weighted"] == 2 and row["margins_status"] == "given"
    # the unweighted mean's interval is the t interval on the same respondents
    y = d["score"].dropna()
    lo, hi = stats.t.interval(0.95, len(y) - 1, loc=y.mean(), scale=y.std(ddof=1) / np.sqrt(len(y)))
    assert t.loc["score", ["unweighted_conf_low", "unweighted_conf_high"]].tolist() == pytest.approx([lo, hi], abs=1e-10)


def test_weighting_to_the_example_margins_on_the_bundled_wave():
    f = frame("2018")
    outcomes = ["intend_leave_job", "dissatisfied", "pss4"]
    t = weighting_check(f, "uk_social_workers_example", outcomes).set_index("outcome")
    d = f.dropna(subset=["nation", "sector", "role"])
    w = rake_weights(d, "uk_social_workers_example").weights
    for outcome in outcomes:
        keep = d[outcome].notna()
        assert t.loc[outcome, "estimate"] == pytest.approx(np.average(d.loc[keep, outcome], weights=w[keep]), abs=1e-12)
    assert (t["margins_status"] == "example").all()
    assert (t["n_not_weighted"] == len(f) - len(d)).all() and len(f) > len(d)
    most = 100 * t.loc[t["measure"] == "share", "difference"].abs().max()
    text = weighting_sentence(t.reset_index(), brief=True)
    assert f"at most {most:.1f} percentage point" in text and "example" in text


def test_weighting_check_refuses_missing_categories_and_hides_small_figures(small):
    from analysis import SurveyDataError

    with pytest.raises(SurveyDataError, match="margin"):
        weighting_check(small, {"nation": {"a": 0.5, "b": 0.5}}, ["y"])
    tiny = small.assign(rare=np.where(np.arange(len(small)) < 4, 1.0, np.nan))
    t = weighting_check(tiny, {"nation": {"a": 0.5, "b": 0.3, "c": 0.2}}, ["rare"], threshold=10)
    assert t["suppressed"].iloc[0] != "" and t[["estimate", "unweighted_estimate", "difference"]].isna().all(axis=None)
    assert weighting_sentence(t).startswith("No weighted figure is shown")


# -- errors --------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def clustered():
    rng = np.random.default_rng(11)
    g = np.repeat(np.arange(30), rng.integers(8, 20, 30))
    n = len(g)
    d = pd.DataFrame({"x1": rng.normal(size=n) + rng.normal(size=30)[g], "x2": rng.normal(size=n), "team": g})
    d["y"] = 1 + 0.4 * d["x1"] - 0.2 * d["x2"] + rng.normal(scale=0.8, size=30)[g] + rng.normal(size=n)
    d.loc[[2, 40], "x2"] = np.nan
    return d


def test_four_kinds_of_errors_agree_with_statsmodels(clustered):
    r = error_check(clustered, "y", ["x1", "x2"], cluster="team")
    d = clustered.dropna()
    model = smf.ols("y ~ x1 + x2", d)
    expected = {"classical": model.fit(), "HC3": model.fit(cov_type="HC3"),
                "CR1": model.fit(cov_type="cluster", cov_kwds={"groups": d["team"].to_numpy()})}
    t = r.coefficients.assign(term=lambda x: x["term"].replace("(Intercept)", "Intercept"))
    for kind, fit in expected.items():
        rows = t[t["errors"] == kind].set_index("term")
        assert rows["estimate"].to_numpy() == pytest.approx(fit.params[rows.index].to_numpy(), abs=1e-10)
        assert rows["std_error"].to_numpy() == pytest.approx(fit.bse[rows.index].to_numpy(), rel=1e-8), kind
    mixed = smf.mixedlm("y ~ x1 + x2", d, groups=d["team"]).fit(reml=True)
    rows = t[t["errors"] == "multilevel"].set_index("term")
    assert rows["estimate"].to_numpy() == pytest.approx(mixed.fe_params[rows.index].to_numpy(), abs=1e-4)
    var_group, var_residual = float(mixed.cov_re.iloc[0, 0]), float(mixed.scale)
    assert r.fit["icc"].iloc[0] == pytest.approx(var_group / (var_group + var_residual), abs=1e-4)
    classical = t[t["errors"] == "classical"].set_index("term")["std_error"]
    assert (t["se_ratio"] == t["std_error"] / t["term"].map(classical)).all()
    assert list(t["errors"][:4]) == ["classical", "HC3", "CR1", "multilevel"] and (t["n"] == len(d)).all()
    # The sentence states the table's ratios and the ICC.
    text = errors_sentence(r.coefficients, r.fit, "y")
    cr1 = t.loc[(t["errors"] == "CR1") & (t["term"] != "Intercept"), "se_ratio"]
    assert f"(CR1) {cr1.min():.2f} to {cr1.max():.2f} times" in text
    assert f"is {r.fit['icc'].iloc[0]:.3f}" in text and "30 groups" in text and "imprecise" not in text


def test_few_clusters_are_warned_of_and_said(clustered):
    few = clustered.assign(team=clustered["team"] % 5)
    with pytest.warns(SurveyDataWarning, match="clusters"):
        r = error_check(few, "y", ["x1", "x2"], cluster="team")
    assert "With only five clusters" in errors_sentence(r.coefficients, r.fit, "y")


# -- missing data --------------------------------------------------------------------------------
def test_listwise_against_imputation_follows_rubins_rules_by_hand():
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"x": rng.normal(size=150), "z": rng.normal(size=150)})
    d["y"] = 1 + 0.5 * d["x"] - 0.3 * d["z"] + rng.normal(size=150)
    d.loc[rng.random(150) < 0.2, "x"] = np.nan
    t = missing_data_check(d, "y", ["x", "z"], m=5, seed=9)
    assert t.equals(missing_data_check(d, "y", ["x", "z"], m=5, seed=9))   # seeded
    listwise = t[t["method"] == "listwise"].set_index("term")
    ols = smf.ols("y ~ x + z", d.dropna()).fit()
    assert listwise["estimate"].to_numpy() == pytest.approx(ols.params.to_numpy(), abs=1e-10)
    assert listwise["std_error"].to_numpy() == pytest.approx(ols.bse.to_numpy(), abs=1e-10)
    fits = [smf.ols("y ~ x + z", f).fit() for f in impute(d, 5, seed=9, variables=["y", "x", "z"]).frames]
    Q = np.array([f.params.to_numpy() for f in fits])
    U = np.array([f.bse.to_numpy() ** 2 for f in fits])
    total = U.mean(axis=0) + (1 + 1 / 5) * Q.var(axis=0, ddof=1)
    pooled = t[t["method"] == "multiple_imputation"].set_index("term")
    assert pooled["estimate"].to_numpy() == pytest.approx(Q.mean(axis=0), abs=1e-10)
    assert pooled["std_error"].to_numpy() == pytest.approx(np.sqrt(total), abs=1e-10)
    assert pooled["difference"].to_numpy() == pytest.approx(Q.mean(axis=0) - ols.params.to_numpy(), abs=1e-10)
    assert (pooled["n"] == 150).all() and (listwise["n"] == d["x"].notna().sum()).all()
    assert set(t["seed"]) == {9} and set(t["m"]) == {5}
    text = missing_data_sentence(t)
    biggest = pooled.drop("(Intercept)")["difference"].abs().max()
    assert f"by at most {biggest:.3f}" in text and "seed 9" in text and "150 respondents" in text


def test_missing_data_check_on_a_wave_rescores_scales_from_imputed_items():
    from analysis import load_wave
    from analysis.paths import SYNTHETIC_DIR

    w = load_wave(SYNTHETIC_DIR / "wave_2018.csv", SYNTHETIC_DIR / "wave_2018.codebook.yaml")
    with warnings.catch_warnings():
        warnings.simplefilter("error", SurveyDataWarning)
        t = missing_data_check(w, "pss4", ["hse_demands", "hse_control"], m=2, seed=1, iterations=1)
    listwise = fit_ols(frame("2018"), "pss4", ["hse_demands", "hse_control"])
    rows = t[t["method"] == "listwise"].set_index("term")
    assert rows["estimate"].to_numpy() == pytest.approx(listwise.coefficients["estimate"].to_numpy(), abs=1e-12)
    assert t.loc[t["method"] == "multiple_imputation", "n"].iloc[0] >= listwise.n


# -- the key findings say whether the headlines are sensitive to weighting -------------------------
def test_key_findings_end_with_the_weighting_sentence(tmp_path):
    from analysis import Session, headline_outcomes, key_findings, key_finding_sentences

    f = frame("2018")
    table = key_findings(f)
    assert headline_outcomes(table) == ["intend_leave_job", "intend_leave_profession", "pss4", "extra_hours_week",
                                        "presenteeism_2plus", "dissatisfied"]
    check = weighting_check(f, "uk_social_workers_example", headline_outcomes(table))
    sentence = weighting_sentence(check, brief=True)
    s = Session("13_key_findings", output_dir=tmp_path, display=False)   # the bundled waves
    found = s.key_findings(table, also=[{"text": sentence, "notebook": "15_do_the_findings_hold"}])
    assert [x["text"] for x in found[:-1]] == [x["text"] for x in key_finding_sentences(table)]
    assert found[-1]["text"] == sentence and found[-1]["notebook"] == "15_do_the_findings_hold"
    most = 100 * check.loc[check["measure"] == "share", "difference"].abs().max()
    assert f"at most {most:.1f} percentage point" in sentence and "illustrative" in sentence
