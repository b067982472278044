"""Pooling waves: rows add up, ids stay unique, absent instruments are missing (not zero),
categories are one set in dictionary order, and the pool analyses like its waves stacked."""

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDataError, SurveyDataWarning, analysis_frame, load_wave
from analysis.reading.dictionary import load_dictionary
from analysis.paths import SYNTHETIC_DIR
from analysis.reading.pooling import instrument_coverage, pool_waves
from analysis.synthetic import demo_wave
from analysis.reading.waves import Wave

CATEGORIES = ["nation", "sector", "role", "employer", "gender", "age_band", "ethnicity"]


@pytest.fixture(scope="module")
def w17():
    return load_wave(SYNTHETIC_DIR / "wave_2017.csv", SYNTHETIC_DIR / "wave_2017.codebook.yaml")


@pytest.fixture(scope="module")
def w18():
    return load_wave(SYNTHETIC_DIR / "wave_2018.csv", SYNTHETIC_DIR / "wave_2018.codebook.yaml")


@pytest.fixture(scope="module")
def pool(w17, w18):
    return pool_waves([w17, w18])  # ids differ between the bundled waves: no warning


def test_rows_add_up(pool, w17, w18):
    assert len(pool.data) == len(w17.data) + len(w18.data) == 1333 + 3421
    assert pool.metadata["n_analysable"] == 4754
    assert pool.metadata["n_read"] == 1600 + 3421
    assert pool.data["wave"].value_counts().to_dict() == {"2018": 3421, "2017": 1333}
    assert pool.label == "2017+2018" and pool.synthetic
    assert pool.data["respondent_id"].is_unique and not pool.metadata["ids_prefixed"]
    assert list(pool.data.index) == list(range(4754))


def test_each_wave_is_its_rows_of_the_pool(pool, w17, w18):
    shared = list(w17.data.columns)  # 2017 has no SWEMWBS or UWES items
    part = pool.data[pool.data["wave"] == "2017"].reset_index(drop=True)
    pd.testing.assert_frame_equal(part[shared], w17.data[shared])
    part = pool.data[pool.data["wave"] == "2018"].reset_index(drop=True)
    pd.testing.assert_frame_equal(part[list(w18.data.columns)], w18.data)


def test_categories_are_preserved_in_dictionary_order(pool):
    dictionary = load_dictionary()
    for col in CATEGORIES:
        assert isinstance(pool.data[col].dtype, pd.CategoricalDtype), col
        assert list(pool.data[col].cat.categories) == list(dictionary[col].values), col


def test_analysis_frame_of_the_pool_is_the_waves_frames_stacked(pool, w17, w18):
    f17, f18 = analysis_frame(w17), analysis_frame(w18)
    shared = [c for c in f17.columns if c in f18.columns]
    stacked = pd.concat([f17[shared], f18[shared]], ignore_index=True)
    pooled = analysis_frame(pool)
    pd.testing.assert_frame_equal(pooled[shared], stacked, check_exact=True)
    assert list(pooled.columns[: len(f18.columns)]) == list(f18.columns)


def test_a_scale_missing_in_one_wave_is_missing_not_zero(pool):
    frame = analysis_frame(pool)
    is17 = (frame["wave"] == "2017").to_numpy()
    for scale in ["swemwbs_raw", "swemwbs_metric", "uwes_vigour", "uwes_total"]:
        assert frame.loc[is17, scale].isna().all(), scale
        assert frame.loc[~is17, scale].notna().mean() > 0.95, scale
    # pooled means over the respondents who were asked, the same as the 2018 wave's own
    assert frame["swemwbs_raw"].mean() == pytest.approx(frame.loc[~is17, "swemwbs_raw"].mean(), rel=1e-15)


def test_instruments_are_reported_per_wave(pool, w17, w18):
    assert pool.metadata["instruments_by_wave"] == {
        "2017": ["hse_mit", "pss4", "wrqol"], "2018": ["hse_mit", "pss4", "swemwbs", "uwes9", "wrqol"]}
    cov = instrument_coverage([w17, w18]).set_index(["wave", "instrument"])
    assert not cov.loc[("2017", "swemwbs"), "present"] and cov.loc[("2017", "swemwbs"), "n_answered"] == 0
    assert cov.loc[("2018", "swemwbs"), "present"]
    assert cov.loc[("2017", "pss4"), "n_answered"] == w17.data[["pss_1", "pss_2", "pss_3", "pss_4"]].notna().any(axis=1).sum()
    assert set(cov["n"]) == {1333, 3421}


def test_exclusions_logs_are_stacked(pool, w17, w18):
    log = pool.exclusions
    assert list(log.columns) == ["respondent_id", "scope", "target", "rule", "reason", "wave"]
    own = log[log["rule"] != "not_in_wave"].drop(columns="wave").reset_index(drop=True)
    pd.testing.assert_frame_equal(own, pd.concat([w17.exclusions, w18.exclusions], ignore_index=True))
    absent = log[log["rule"] == "not_in_wave"]
    assert absent.groupby("target").size().to_dict() == {"swemwbs": 1333, "uwes9": 1333}
    assert set(absent["wave"]) == {"2017"}
    assert set(absent["respondent_id"]) == set(w17.data["respondent_id"])
    summary = pool.exclusion_summary()
    assert summary.loc[summary["rule"] == "empty_return", "n"].sum() == 97


def test_colliding_ids_are_prefixed_and_said(tmp_path):
    a = load_wave(demo_wave(n=40, seed=1, instruments=["pss4"], empty_rate=0.1), wave=2017)
    b = load_wave(demo_wave(n=30, seed=2), wave=2018)
    with pytest.warns(SurveyDataWarning, match="appear in more than one wave"):
        pool = pool_waves([a, b])
    assert pool.metadata["ids_prefixed"]
    ids = pool.data["respondent_id"]
    assert ids.is_unique
    assert ids.tolist() == ["2017:" + i for i in a.data["respondent_id"]] + ["2018:" + i for i in b.data["respondent_id"]]
    assert pool.exclusions["respondent_id"].str.match(r"^201[78]:S\d{6}$").all()
    empty = a.exclusions[a.exclusions["rule"] == "empty_return"]["respondent_id"]
    assert len(empty) > 0
    assert set("2017:" + empty) <= set(pool.exclusions["respondent_id"])


def test_ids_repeated_within_a_wave_are_refused(w18):
    data = w18.data.copy()
    data.loc[5, "respondent_id"] = data.loc[2, "respondent_id"]
    bad = Wave(data, w18.exclusions, {**w18.metadata, "wave": "2019"}, w18.known_instruments)
    with pytest.raises(SurveyDataError, match="duplicate respondent id") as err:
        pool_waves([w18, bad])
    problem = err.value.problems[0]
    assert problem.rows == (3, 6) and problem.count == 2


def test_a_wave_twice_is_refused(w18):
    with pytest.raises(SurveyDataError, match="duplicate wave"):
        pool_waves([w18, w18])
    with pytest.raises(SurveyDataError, match="no waves"):
        pool_waves([])


def test_category_union_in_dictionary_order(w17, w18):
    a = w17.data.copy()
    a["sector"] = a["sector"].cat.set_categories(["adults", "children_families"])
    b = w18.data.copy()
    b["sector"] = b["sector"].cat.add_categories(["hospital"]).cat.reorder_categories(
        ["other", "hospital", "mixed", "adults", "children_families"])
    pool = pool_waves([Wave(a, w17.exclusions, w17.metadata, w17.known_instruments),
                       Wave(b, w18.exclusions, w18.metadata, w18.known_instruments)])
    assert list(pool.data["sector"].cat.categories) == ["children_families", "adults", "mixed", "other", "hospital"]
    assert pool.data["sector"].iloc[1333:].astype(str).tolist() == w18.data["sector"].astype(str).tolist()
    assert pool.data["sector"].iloc[:1333].isna().sum() == a["sector"].isna().sum()


def test_a_pooled_model_matches_the_same_model_on_the_stacked_frames(pool, w17, w18):
    # The pool is usable as any wave: a wave effect in the stress regression, checked against
    # statsmodels on the two waves' frames stacked by hand.
    import statsmodels.formula.api as smf

    from analysis import fit_ols

    frame = analysis_frame(pool)
    r = fit_ols(frame, "pss4", ["hse_demands", "hse_control"], covariates=["wave"]).coefficients.set_index("term")
    stacked = pd.concat([analysis_frame(w17), analysis_frame(w18)], ignore_index=True)
    stacked["y2018"] = (stacked["wave"] == "2018").astype(float)
    ref = smf.ols("pss4 ~ y2018 + hse_demands + hse_control", data=stacked).fit()
    np.testing.assert_allclose(r.loc["wave[2018]", "estimate"], ref.params["y2018"], rtol=1e-10)
    np.testing.assert_allclose(r.loc["hse_demands", "std_error"], ref.bse["hse_demands"], rtol=1e-10)
