"""Models against R 4.2.2 (lm, sandwich, car, lmtest, glm, MASS::polr): reference numbers in
tests/reference/models/reference.json, made by reference.R from data.csv (see its README)."""

import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import SurveyDataError
from analysis.stats.models import fit_hierarchical, fit_logit, fit_moderation, fit_ols, fit_ordinal

from .conftest import REFERENCE, frame

REF = json.loads((REFERENCE / "models" / "reference.json").read_text())
HSE = ["hse_demands", "hse_control", "hse_managers_support", "hse_peer_support", "hse_relationships",
       "hse_role", "hse_change"]
LEVELS = {"sector": ["children_families", "adults", "mixed", "other"],
          "role": ["social_worker", "senior_practitioner", "manager", "independent", "student_or_asye", "other"],
          "nation": ["England", "Scotland", "Wales", "Northern Ireland"]}


@pytest.fixture(scope="module")
def data():
    d = pd.read_csv(REFERENCE / "models" / "data.csv")
    for col, levels in LEVELS.items():
        d[col] = pd.Categorical(d[col], categories=levels)
    return d


def _check(table, ref, keys=(("estimate", "estimate"), ("std_error", "std_error"), ("p_value", "p"),
                             ("conf_low", "conf_low"), ("conf_high", "conf_high")), rel=1e-9):
    t = table.set_index("term")
    for term, values in ref.items():
        for mine, theirs in keys:
            assert t.loc[term, mine] == pytest.approx(values[theirs], rel=rel, abs=1e-12), (term, mine)


def test_ols_matches_lm(data):
    r = fit_ols(data, "pss4", HSE)
    ref = REF["ols"]
    _check(r.coefficients, ref["coefficients"])
    assert r.fit.iloc[0]["n"] == ref["n"]
    assert r.fit.iloc[0]["r2"] == pytest.approx(ref["r2"], rel=1e-12)
    assert r.fit.iloc[0]["r2_adj"] == pytest.approx(ref["r2_adj"], rel=1e-12)
    assert r.fit.iloc[0]["f_statistic"] == pytest.approx(ref["F"], rel=1e-10)
    assert r.fit.iloc[0]["f_p_value"] == pytest.approx(ref["F_p"], rel=1e-6)
    betas = r.coefficients.set_index("term")["beta"]
    for term, beta in ref["standardised_betas"].items():
        assert betas[term] == pytest.approx(beta, rel=1e-10)
    vif = r.vif.set_index("term")["vif"]
    for term, v in ref["vif"].items():
        assert vif[term] == pytest.approx(v, rel=1e-10)
    d = r.diagnostics.iloc[0]
    assert d["breusch_pagan_statistic"] == pytest.approx(ref["breusch_pagan"]["statistic"], rel=1e-9)
    assert d["breusch_pagan_p_value"] == pytest.approx(ref["breusch_pagan"]["p"], rel=1e-9)
    assert d["shapiro_w"] == pytest.approx(ref["shapiro_wilk"]["W"], abs=1e-6)
    assert d["n_influential"] == ref["cooks_n_above"]


def test_ols_hc3_matches_sandwich(data):
    r = fit_ols(data, "pss4", HSE, robust="HC3")
    _check(r.coefficients, REF["ols"]["hc3"])
    assert r.fit.iloc[0]["robust"] == "HC3"


def test_hierarchical_matches_anova(data):
    h = fit_hierarchical(data, "pss4", [["sector", "role", "nation"], HSE])
    ref = REF["hierarchical"]
    assert h["n"].tolist() == [ref["n"], ref["n"]]
    assert h.loc[0, "r2"] == pytest.approx(ref["step1"]["r2"], rel=1e-10)
    assert h.loc[1, "r2"] == pytest.approx(ref["step2"]["r2"], rel=1e-10)
    assert h.loc[1, "estimate"] == pytest.approx(ref["delta_r2"], rel=1e-10) and h.loc[1, "measure"] == "r2_change"
    assert h.loc[1, "statistic"] == pytest.approx(ref["F_change"], rel=1e-10)
    assert (h.loc[1, "df1"], h.loc[1, "df2"]) == (ref["F_change_df1"], ref["F_change_df2"])
    assert h.loc[1, "p_value"] == pytest.approx(ref["F_change_p"], rel=1e-6)


def test_moderation_and_simple_slopes(data):
    m = fit_moderation(data, "pss4", "hse_demands", ["hse_control", "hse_managers_support"])
    ref = REF["moderation"]
    _check(m.coefficients, ref["coefficients"])
    slopes = m.simple_slopes
    for row in ref["simple_slopes"]:
        mine = slopes[(slopes.hse_control_level == row["control_level"])
                      & (slopes.hse_managers_support_level == row["support_level"])].iloc[0]
        for key in ("estimate", "std_error", "p_value", "conf_low", "conf_high"):
            assert mine[key] == pytest.approx(row[{"p_value": "p", "estimate": "slope"}.get(key, key)], rel=1e-9), key
    assert len(m.plot_data) == 9 * 11  # nine moderator combinations, 11 points from -1 SD to +1 SD


def test_logit_matches_glm(data):
    r = fit_logit(data, "intend_leave_job", ["pss4", "hse_managers_support", "hse_demands"])
    ref = REF["logit"]
    _check(r.coefficients, ref["coefficients"], rel=1e-6)
    t = r.coefficients.set_index("term")
    for term, v in ref["coefficients"].items():
        assert t.loc[term, "odds_ratio"] == pytest.approx(v["odds_ratio"], rel=1e-6)
        assert t.loc[term, "odds_ratio_conf_high"] == pytest.approx(v["odds_ratio_conf_high"], rel=1e-6)
    assert r.fit.iloc[0]["n"] == ref["n"] and r.fit.iloc[0]["n_events"] == ref["n_events"]
    for key, theirs in (("mcfadden_r2", "mcfadden_r2"), ("nagelkerke_r2", "nagelkerke_r2"), ("auc", "auc"),
                        ("loglik", "loglik")):
        assert r.fit.iloc[0][key] == pytest.approx(ref[theirs], rel=1e-7), key
    ame = r.marginal_effects.set_index("term")["estimate"]
    for term, v in ref["average_marginal_effects"].items():
        assert ame[term] == pytest.approx(v, rel=1e-6)
    pred = r.predicted("pss4", np.arange(0, 17, 2))
    ref_pred = ref["predicted_probabilities"]
    ref_values = ref_pred["probability"] if isinstance(ref_pred, dict) else [p["probability"] for p in ref_pred]
    assert pred["estimate"].to_numpy() == pytest.approx(np.asarray(ref_values), rel=1e-6)


def test_ordinal_matches_polr(data):
    r = fit_ordinal(data, "presenteeism_12m", ["pss4", "hse_demands"])
    ref = REF["ordinal"]
    assert r.fit.iloc[0]["n"] == ref["n"]
    assert r.fit.iloc[0]["loglik"] == pytest.approx(ref["loglik"], rel=1e-8)
    # The fit uses the analytic Hessian (it used to be statsmodels' finite differences, hence the
    # old rel 1e-5 / 1e-4); the reference is polr polished with Richardson derivatives (README),
    # which agrees to about 5e-10. Against ordinal::clm to 1e-10: tests/test_ordinal.py.
    slopes = r.coefficients.set_index("term")
    for term, v in ref["slopes"].items():
        assert slopes.loc[term, "estimate"] == pytest.approx(v["estimate"], rel=1e-8)
        assert slopes.loc[term, "std_error"] == pytest.approx(v["std_error"], rel=1e-8)
    cuts = ref["thresholds"]
    ref_cuts = [c["estimate"] for c in cuts.values()] if isinstance(cuts, dict) else [c["estimate"] for c in cuts]
    ref_se = [c["std_error"] for c in cuts.values()] if isinstance(cuts, dict) else [c["std_error"] for c in cuts]
    assert r.thresholds["estimate"].to_numpy() == pytest.approx(np.asarray(ref_cuts), rel=1e-8)
    assert r.thresholds["std_error"].to_numpy() == pytest.approx(np.asarray(ref_se), rel=1e-8)


def test_brant_test_matches_reference(data):
    r = fit_ordinal(data, "presenteeism_12m", ["pss4", "hse_demands"])
    brant = r.proportional_odds_test().set_index("term")
    ref = REF["ordinal"]["brant"]
    assert brant.loc["omnibus", "statistic"] == pytest.approx(ref["omnibus"]["chi2"], rel=1e-6)
    assert brant.loc["omnibus", "df"] == ref["omnibus"]["df"]
    assert brant.loc["omnibus", "p_value"] == pytest.approx(ref["omnibus"]["p"], rel=1e-6)
    for term, v in ref["per_predictor"].items():
        assert brant.loc[term, "statistic"] == pytest.approx(v["chi2"], rel=1e-6)
        assert brant.loc[term, "df"] == v["df"]
    for cut in ref["binary_logits"]:
        assert brant.loc["pss4", "slope_above_" + cut["cut"].removeprefix("y>")] == pytest.approx(
            cut["coefficients"]["pss4"]["estimate"], rel=1e-6)


def test_bad_calls_give_clear_errors(data):
    with pytest.raises(SurveyDataError, match=r"fit_ols\(\): 1 problem found; nothing was computed") as exc:
        fit_ols(data, "stress", HSE)
    assert "[unknown column] column 'stress'" in str(exc.value) and "did you mean 'pss4'" not in str(exc.value)
    d = data.assign(constant=1.0)
    with pytest.raises(SurveyDataError, match=r"\[constant predictor\] column 'constant'"):
        fit_ols(d, "pss4", ["hse_demands", "constant"])
    sep = pd.DataFrame({"y": [0.0] * 20 + [1.0] * 20, "x": np.arange(40.0)})
    with pytest.raises(SurveyDataError, match="perfect separation"):
        fit_logit(sep, "y", ["x"])
    with pytest.raises(SurveyDataError, match="must take the values 0 and 1"):
        fit_logit(data, "pss4", ["hse_demands"])


def test_listwise_deletion_is_reported(data):
    r = fit_logit(data, "intend_leave_job", ["pss4", "hse_managers_support", "hse_demands"])
    assert r.fit.iloc[0]["n_lost"] == len(data) - REF["logit"]["n"]
    lost = r.dropped.set_index("variable")["n_missing"]
    assert lost["intend_leave_job"] == data["intend_leave_job"].isna().sum() > 0


@pytest.fixture(scope="module")
def wave_2018():
    from analysis import analysis_frame, load_wave
    from analysis.paths import SYNTHETIC_DIR

    return analysis_frame(load_wave(SYNTHETIC_DIR / "wave_2018.csv", SYNTHETIC_DIR / "wave_2018.codebook.yaml"))


@pytest.mark.parametrize("covariates", [None, ["sector", "role"]])
def test_fast_vif_and_betas_match_statsmodels(wave_2018, covariates):
    """VIF from the inverse correlation matrix and betas as b sd(x) / sd(y) are the numbers of one
    regression per predictor (statsmodels' variance_inflation_factor) and of a second fit on
    z-scored columns (indicator columns included)."""
    import statsmodels.api as sm
    from statsmodels.stats.outliers_influence import variance_inflation_factor

    from analysis.stats.models import model_data

    r = fit_ols(wave_2018, "pss4", HSE, covariates=covariates)
    md = model_data(wave_2018, "pss4", list(covariates or []) + HSE)
    Xv = md.X.to_numpy()
    assert r.vif["term"].tolist() == list(md.X.columns[1:])
    slow_vif = [variance_inflation_factor(Xv, j) for j in range(1, Xv.shape[1])]
    assert r.vif["vif"].to_numpy() == pytest.approx(np.asarray(slow_vif), rel=1e-12)
    Z = md.X.drop(columns="const")
    Z = (Z - Z.mean()) / Z.std(ddof=1)
    zy = (md.y - md.y.mean()) / md.y.std(ddof=1)
    slow_betas = sm.OLS(zy, sm.add_constant(Z)).fit().params.to_numpy()[1:]
    assert np.isnan(r.coefficients["beta"].iloc[0])
    assert r.coefficients["beta"].to_numpy()[1:] == pytest.approx(slow_betas, rel=1e-12)
    one = fit_ols(wave_2018, "pss4", ["hse_demands"])
    assert one.vif["vif"].tolist() == [1.0]


@pytest.mark.parametrize("covariates", [None, ["sector", "role"]])
def test_fast_marginal_effects_and_llnull_match_statsmodels(wave_2018, covariates):
    """Analytic delta-method errors of the average marginal effects against statsmodels'
    numerical Jacobian (get_margeff), and the closed-form null log-likelihood against the null
    model refitted by optimisation (which stops a hair short of the maximum).

    Since issue 15 the indicator columns of the categorical covariates get the average discrete
    change (the factor moved from its reference level to the level for everyone), not the
    derivative, so only the continuous predictors' rows are compared with get_margeff's dydx;
    the discrete rows are checked by test_discrete_marginal_effects_match_counterfactual_predictions.
    """
    import statsmodels.api as sm

    level = 0.9
    r = fit_logit(wave_2018, "intend_leave_job", ["pss4"] + HSE, covariates=covariates, level=level)
    res = r.model
    marg = res.get_margeff(at="overall", method="dydx")
    me = r.marginal_effects
    assert me["term"].tolist() == list(res.model.exog_names[1:])
    derivative = (me["effect"] == "derivative").to_numpy()
    assert me.loc[derivative, "term"].tolist() == ["pss4"] + HSE
    assert (me.loc[~derivative, "term"].str.contains(r"\[")).all() and (~derivative).sum() == (0 if covariates is None
                                                                                            else 3 + 4)
    me = me[derivative]
    assert me["estimate"].to_numpy() == pytest.approx(marg.margeff[derivative], rel=1e-14, abs=0)
    assert me["std_error"].to_numpy() == pytest.approx(marg.margeff_se[derivative], rel=1e-10, abs=0)
    assert me["p_value"].to_numpy() == pytest.approx(marg.pvalues[derivative], rel=1e-8, abs=1e-300)
    ci = marg.conf_int(1 - level)[derivative]
    assert me["conf_low"].to_numpy() == pytest.approx(ci[:, 0], rel=1e-10)
    assert me["conf_high"].to_numpy() == pytest.approx(ci[:, 1], rel=1e-10)

    y = res.model.endog
    n, ybar = len(y), y.mean()
    ll0 = r.fit.iloc[0]["loglik_null"]
    # The log-likelihood of the intercept-only model at its exact maximum, logit(ybar).
    exact = sm.Logit(y, np.ones(n)).loglike(np.array([np.log(ybar / (1 - ybar))]))
    assert ll0 == pytest.approx(exact, rel=1e-13)
    assert ll0 == pytest.approx(n * (ybar * np.log(ybar) + (1 - ybar) * np.log(1 - ybar)), rel=1e-13)
    assert ll0 >= res.llnull and ll0 == pytest.approx(res.llnull, rel=1e-8)
    ll = r.fit.iloc[0]["loglik"]
    assert r.fit.iloc[0]["mcfadden_r2"] == pytest.approx(1 - ll / ll0, rel=1e-15)
    assert r.fit.iloc[0]["mcfadden_r2"] == pytest.approx(res.prsquared, rel=1e-6)
    assert r.fit.iloc[0]["nagelkerke_r2"] == pytest.approx(
        (1 - np.exp(2 * (ll0 - ll) / n)) / (1 - np.exp(2 * ll0 / n)), rel=1e-15)


@pytest.mark.parametrize("robust", [None, "HC0"])
def test_discrete_marginal_effects_match_counterfactual_predictions(wave_2018, robust):
    """Discrete changes (issue 15): for each level of a categorical covariate, the mean over
    respondents of the predicted probability with the factor at that level minus at its reference
    level (statsmodels' predict on edited designs), with delta-method errors from a numerical
    (central-difference) Jacobian of that mean and the model's covariance; and for a numeric 0/1
    predictor, statsmodels' get_margeff(dummy=True), whose discrete change is the same there."""
    from statsmodels.tools.numdiff import approx_fprime

    r = fit_logit(wave_2018, "intend_leave_job", ["pss4", "bme"], covariates=["sector"], robust=robust)
    res, me = r.model, r.marginal_effects.set_index("term")
    X, names = res.model.exog, res.model.exog_names
    sector = [i for i, c in enumerate(names) if c.startswith("sector[")]
    V = res.cov_params().to_numpy()
    for j in sector + [names.index("bme")]:
        group = sector if j in sector else [j]
        one, zero = X.copy(), X.copy()
        one[:, group], zero[:, group] = 0.0, 0.0
        one[:, j] = 1.0

        def change(b, one=one, zero=zero):
            return np.atleast_1d(res.model.predict(b, one).mean() - res.model.predict(b, zero).mean())

        grad = np.ravel(approx_fprime(res.params.to_numpy(), change, centered=True))
        row = me.loc[names[j]]
        assert row["effect"] == "discrete change"
        assert row["estimate"] == pytest.approx(change(res.params.to_numpy())[0], rel=1e-12)
        assert row["std_error"] == pytest.approx(np.sqrt(grad @ V @ grad), rel=1e-6)
    dummy = res.get_margeff(at="overall", method="dydx", dummy=True)
    i = names.index("bme") - 1
    assert me.loc["bme", "estimate"] == pytest.approx(dummy.margeff[i], rel=1e-12)
    assert me.loc["bme", "std_error"] == pytest.approx(dummy.margeff_se[i], rel=1e-6)
    assert r.fit["robust"].item() == (robust or "none")


def test_moderation_predictions_have_the_intervals_of_statsmodels_get_prediction(data):
    m = fit_moderation(data, "pss4", "hse_demands", ["hse_control"], covariates=["hse_role"])
    X = m.model.model.exog
    names = m.model.model.exog_names
    sd = m.centring.set_index("variable")["sd"]
    for row in m.plot_data.itertuples():
        d = row.focal_sd * sd["hse_demands"]
        c = {"low": -1, "mean": 0, "high": 1}[row.moderator_level] * sd["hse_control"]
        x = {"const": 1.0, "hse_demands": d, "hse_control": c, "hse_demands:hse_control": d * c,
             "hse_role": X[:, names.index("hse_role")].mean()}
        pred = m.model.get_prediction(np.array([[x[n] for n in names]]))
        assert row.estimate == pytest.approx(pred.predicted_mean[0], rel=1e-12)
        assert row.std_error == pytest.approx(pred.se_mean[0], rel=1e-10)
        low, high = pred.conf_int(alpha=0.05)[0]
        assert (row.conf_low, row.conf_high) == pytest.approx((low, high), rel=1e-10)


def test_duplicated_index_does_not_repeat_rows():
    f = frame("2017")
    doubled = f.iloc[:1200].copy()
    doubled.index = list(range(600)) * 2  # as waves stacked without ignore_index
    h = fit_hierarchical(doubled, "pss4", [["sector"], ["hse_demands", "hse_control"]])
    clean = fit_hierarchical(doubled.reset_index(drop=True), "pss4", [["sector"], ["hse_demands", "hse_control"]])
    pd.testing.assert_frame_equal(h, clean)
    assert h["n"].iloc[0] <= 1200
    m = fit_moderation(doubled, "pss4", "hse_demands", ["hse_control"])
    assert m.n == fit_ols(doubled, "pss4", ["hse_demands", "hse_control"]).n


def test_moderation_plot_data_includes_covariates_at_their_means():
    f = frame("2017")
    m = fit_moderation(f, "pss4", "hse_demands", ["hse_control"], covariates=["hse_role"])
    b = m.model.params
    sd_d = m.centring.set_index("variable").loc["hse_demands", "sd"]
    role_mean = f.loc[f[["pss4", "hse_demands", "hse_control", "hse_role"]].notna().all(axis=1), "hse_role"].mean()
    # Moderator at its mean (centred 0): prediction = const + b_D x (+1 SD) + b_role x mean(role).
    high = m.plot_data.query("moderator_level == 'mean' and focal_sd == 1.0")["estimate"].item()
    assert high == pytest.approx(b["const"] + b["hse_demands"] * sd_d + b["hse_role"] * role_mean, rel=1e-12)


def test_prediction_intervals_follow_the_level():
    f = frame("2018")
    r90 = fit_logit(f, "intend_leave_job", ["pss4"], level=0.90)
    r95 = fit_logit(f, "intend_leave_job", ["pss4"])
    p90, p95 = r90.predicted("pss4", [8.0]).iloc[0], r95.predicted("pss4", [8.0]).iloc[0]
    assert p95["conf_low"] < p90["conf_low"] < p90["estimate"] < p90["conf_high"] < p95["conf_high"]
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


def test_a_logit_fit_does_not_give_a_small_event_count_away():
    rng = np.random.default_rng(3)
    d = pd.DataFrame({"x": rng.normal(size=400)})
    d["y"] = 0.0
    d.loc[d.index[:6], "y"] = 1.0  # six respondents with the outcome
    r = fit_logit(d, "y", "x")
    fit = r.fit.iloc[0]
    assert fit["suppressed"] == "primary" and fit[["n_events", "loglik_null", "mcfadden_r2", "nagelkerke_r2"]].isna().all()
    assert fit["n"] == 400 and np.isfinite(fit["loglik"])
    shown = fit_logit(d, "y", "x", threshold=5).fit.iloc[0]
    assert shown["n_events"] == 6 and shown["suppressed"] == ""
    # the closed form that would have given the six away
    assert shown["loglik_null"] == pytest.approx(6 * np.log(6 / 400) + 394 * np.log(394 / 400), rel=1e-12)
