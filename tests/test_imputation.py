"""Multiple imputation and Rubin's rules. pool_fits against R 4.2.2's mice::pool on the same
completed data sets (tests/reference/design/imputed.csv, written by make_data.py with impute();
reference numbers in reference.json, made by reference.R; see its README)."""

import json

import numpy as np
import pandas as pd
import pytest
from statsmodels.imputation.mice import MICEData

from analysis import SurveyDataError, SurveyDataWarning, load_wave
from analysis.paths import SYNTHETIC_DIR
from analysis.stats.imputation import _MICEData, impute, pool_fits
from analysis.stats.models import fit_logit, fit_ols

from .conftest import REFERENCE

REF = json.loads((REFERENCE / "design" / "reference.json").read_text())["pool"]
SCORES = ["pss4", "hse_demands", "hse_control", "hse_managers_support"]
TERMS = {"(Intercept)": "(Intercept)", "sectoradults": "sector[adults]", "sectormixed": "sector[mixed]",
         "sectorother": "sector[other]", **{h: h for h in SCORES[1:]}}


@pytest.fixture(scope="module")
def completed():
    d = pd.read_csv(REFERENCE / "design" / "imputed.csv", keep_default_na=False, na_values=[""])
    d["sector"] = pd.Categorical(d["sector"], categories=["children_families", "adults", "mixed", "other"])
    return [part.reset_index(drop=True) for _, part in d.groupby("imp", sort=True)]


@pytest.fixture(scope="module")
def pooled(completed):
    return pool_fits([fit_ols(f, "pss4", SCORES[1:], covariates="sector") for f in completed])


@pytest.fixture(scope="module")
def wave():
    return load_wave(SYNTHETIC_DIR / "wave_2018.csv", SYNTHETIC_DIR / "wave_2018.codebook.yaml")


def test_pooled_fits_equal_mice_pool(pooled):
    c = pooled.coefficients
    assert c["term"].tolist() == [TERMS[t] for t in REF["terms"]]
    for mine, theirs in [("estimate", "estimate"), ("std_error", "std_error"), ("statistic", "statistic"),
                         ("p_value", "p_value"), ("conf_low", "conf_low"), ("conf_high", "conf_high"),
                         ("within_variance", "ubar"), ("between_variance", "b"), ("total_variance", "t"),
                         ("riv", "riv"), ("lambda", "lambda"), ("fmi", "fmi")]:
        diff = np.max(np.abs(c[mine].to_numpy() - np.array(REF[theirs], dtype=float)))
        assert diff < 1e-6, (mine, diff)                               # observed ~1e-12
    assert np.max(np.abs(c["df"].to_numpy() - np.array(REF["df"]))) < 1e-4
    assert (c["dfcom"] == REF["dfcom"]).all()
    assert pooled.fit.iloc[0].to_dict() == {"m": REF["m"], "n": REF["n_per_fit"][0], "dfcom": REF["dfcom"][0]}


def test_pooling_identical_fits_gives_the_fit_with_no_missing_information(completed):
    fit = fit_ols(completed[0], "pss4", SCORES[1:])
    p = pool_fits([fit, fit, fit]).coefficients
    assert np.allclose(p["estimate"], fit.coefficients["estimate"]) and np.allclose(p["riv"], 0)
    assert np.allclose(p["std_error"], fit.coefficients["std_error"])
    # lambda = 0 is floored at 1e-4 for the df (as mice): df = dfcom-based value, never infinite
    assert np.isfinite(p["df"]).all() and (p["df"] < fit.fit["f_df2"].iloc[0]).all()


def test_logit_fits_pool_with_dfcom_n_minus_k(completed):
    fits = [fit_logit(f.assign(high=(f["pss4"] >= 8).astype(float)), "high", SCORES[1:]) for f in completed]
    p = pool_fits(fits)
    assert p.fit["dfcom"].iloc[0] == fits[0].n - 4


def test_weighted_and_clustered_fits_pool_with_their_own_test_df(completed):
    """A weighted fit has no classical F (its f_df2 is blank): dfcom is the design test's df, never
    NaN; a cluster-robust fit pools with G - 1, the df of its own t tests."""
    weighted = [fit_ols(f.assign(w=np.linspace(0.5, 2.0, len(f))), "pss4", SCORES[1:], weights="w") for f in completed]
    p = pool_fits(weighted)
    assert p.fit["dfcom"].iloc[0] == weighted[0].fit["robust_f_df2"].iloc[0] == weighted[0].n - 4
    assert np.isfinite(p.coefficients[["df", "p_value", "conf_low", "conf_high"]].to_numpy()).all()
    with pytest.warns(SurveyDataWarning, match="clusters"):
        clustered = [fit_ols(f.dropna(subset=["sector"]), "pss4", SCORES[1:], cluster="sector") for f in completed]
    assert pool_fits(clustered).fit["dfcom"].iloc[0] == clustered[0].fit["robust_f_df2"].iloc[0] == 3


def test_pool_fits_refuses_what_it_cannot_pool(completed):
    a = fit_ols(completed[0], "pss4", SCORES[1:])
    b = fit_ols(completed[1], "pss4", SCORES[1:3])
    with pytest.raises(SurveyDataError, match="same terms"):
        pool_fits([a, b])
    with pytest.raises(SurveyDataError, match="at least two model results"):
        pool_fits([a])
    with pytest.raises(SurveyDataError, match="at least two model results"):
        pool_fits(a.coefficients)


def test_the_reference_data_sets_are_impute_s_own(wave, completed):
    # chain i draws from SeedSequence(seed).spawn(m)[i], the same whatever m: two chains suffice
    imps = impute(wave, m=2, seed=2018, variables=SCORES)
    for mine, ref in zip(imps.frames, completed[:2]):
        assert np.allclose(mine[SCORES].to_numpy(), ref[SCORES].to_numpy(), rtol=0, atol=1e-12, equal_nan=True)


def test_items_are_imputed_and_scales_rescored_with_the_package_scoring(wave):
    imps = impute(wave, m=2, seed=7, variables="pss4", iterations=2)
    items = ["pss_1", "pss_2", "pss_3", "pss_4"]
    before = wave.data[items]
    none_answered = before.isna().all(axis=1).to_numpy()
    assert imps.missing.set_index("variable")["n_missing"].to_dict() == before[~none_answered].isna().sum().to_dict()
    for completed_wave, frame in zip(imps.waves, imps.frames):
        after = completed_wave.data[items]
        observed = before.notna().to_numpy()
        assert np.array_equal(after.to_numpy()[observed], before.to_numpy()[observed])   # answers kept
        assert after[~none_answered].notna().all().all()                                # the rest filled
        for c in items:   # predictive mean matching: only answers someone gave
            assert set(after[c].dropna().unique()) <= set(before[c].dropna().unique())
        # pss4 re-scored from the completed items: the keyed sum (items 2 and 3 reversed, 0-4)
        keyed = after["pss_1"] + (4 - after["pss_2"]) + (4 - after["pss_3"]) + after["pss_4"]
        assert np.allclose(frame["pss4"], keyed, equal_nan=True)
        assert frame["pss4"].isna().sum() == none_answered.sum()
    assert not imps.frames[0]["pss4"].equals(imps.frames[1]["pss4"])


def test_the_same_seed_gives_the_same_data_sets():
    rng = np.random.default_rng(5)
    d = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(80)], "x": rng.normal(size=80),
                      "z": rng.normal(size=80)})
    d["y"] = d["x"] - d["z"] + rng.normal(size=80)
    d.loc[::3, "x"] = np.nan
    d.loc[1::7, "y"] = np.nan
    a, b, c = impute(d, m=3, seed=11), impute(d, m=3, seed=11), impute(d, m=3, seed=12)
    assert all(x.equals(y) for x, y in zip(a.frames, b.frames))
    assert not a.frames[0].equals(c.frames[0])
    assert a.variables == ["x", "z", "y"] and a.waves is None
    assert a.frames[0]["respondent_id"].equals(d["respondent_id"])
    assert a.fit(fit_ols, "y", ["x", "z"]).coefficients["fmi"].gt(0).all()


def test_the_fast_design_matrices_are_mice_data_s_own():
    rng = np.random.default_rng(2)
    d = pd.DataFrame(rng.normal(size=(40, 4)), columns=["a", "b", "c", "d"])
    d.iloc[::5, 0] = np.nan
    d.iloc[2::6, 2] = np.nan
    fast, slow = _MICEData(d, rng=np.random.default_rng(1)), MICEData(d, rng=np.random.default_rng(1))
    for v in ["a", "c"]:
        for mine, theirs in zip(fast.get_split_data(v)[:3], slow.get_split_data(v)[:3]):
            assert np.array_equal(np.asarray(mine), np.asarray(theirs))
        for mine, theirs in zip(fast.get_fitting_data(v)[:2], slow.get_fitting_data(v)[:2]):
            assert np.array_equal(np.asarray(mine), np.asarray(theirs))
    fast.update_all(2)
    slow.update_all(2)
    assert np.allclose(fast.data.to_numpy(), slow.data.to_numpy())


def test_bad_arguments_are_refused(wave):
    d = pd.DataFrame({"x": [1.0, np.nan, 3.0], "g": pd.Categorical(["a", "b", None])})
    with pytest.raises(SurveyDataError, match="m=1"):
        impute(d, m=1, seed=1)
    with pytest.raises(SurveyDataError, match="seed=-1"):
        impute(d, m=2, seed=-1)
    with pytest.raises(SurveyDataError, match="not numeric"):
        impute(d, m=2, seed=1, variables=["x", "g"])
    with pytest.raises(SurveyDataError, match="'pss_9' is not a column"):
        impute(wave, m=2, seed=1, variables=["pss4", "pss_9"])
    with pytest.raises(SurveyDataError, match="expects a loaded wave"):
        impute("wave_2018.csv", m=2, seed=1)
