"""The vectorised bootstrap of the stress regression against statsmodels fits one resample at a
time, numpy's percentiles, scipy's BCa with a plain statistic, and the HC3 standard errors."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from analysis import SurveyDataError, analysis_frame, fit_ols, load_wave
from analysis.stats import resampling
from analysis.paths import SYNTHETIC_DIR
from analysis.stats.resampling import BOOT_SEED, bootstrap_ols, ols_coefficients
from analysis.synthetic import demo_wave

HSE = ["hse_demands", "hse_control", "hse_managers_support", "hse_peer_support",
       "hse_relationships", "hse_role", "hse_change"]


@pytest.fixture(scope="module")
def frame():
    return analysis_frame(load_wave(SYNTHETIC_DIR / "wave_2018.csv", SYNTHETIC_DIR / "wave_2018.codebook.yaml"))


@pytest.fixture(scope="module")
def design(frame):
    """Complete cases and design matrix built here, independently of analysis.stats.models."""
    d = frame[["pss4"] + HSE].dropna()
    return sm.add_constant(d[HSE]).to_numpy(), d["pss4"].to_numpy()


@pytest.fixture(scope="module")
def boot(frame):
    return bootstrap_ols(frame, "pss4", HSE, n_boot=2000, seed=BOOT_SEED)


@pytest.fixture(scope="module")
def replicates(design):
    """Every resample's coefficients, (8, 2000): resample b is row b of the documented draw."""
    X, y = design
    rows = np.random.default_rng(BOOT_SEED).integers(0, len(y), (2000, len(y)))
    return rows, ols_coefficients(X, y, rows)


def test_table(boot, design):
    assert list(boot.columns) == ["term", "estimate", "std_error", "conf_low", "conf_high"]
    assert boot["term"].tolist() == ["(Intercept)"] + HSE
    assert boot.attrs == {"n": len(design[1]), "n_boot": 2000, "level": 0.95, "seed": BOOT_SEED}
    assert boot.attrs["n"] == 3416  # 3,421 respondents, 5 without a PSS-4 or HSE score


def test_estimates_equal_statsmodels_on_all_complete_cases(boot, design):
    X, y = design
    np.testing.assert_allclose(boot["estimate"], sm.OLS(y, X).fit().params, rtol=0, atol=1e-12)


def test_first_50_resamples_equal_a_loop_of_statsmodels_fits(design, replicates):
    X, y = design
    rows, coefs = replicates
    loop = np.column_stack([sm.OLS(y[r], X[r]).fit().params for r in rows[:50]])
    np.testing.assert_allclose(coefs[:, :50], loop, rtol=0, atol=1e-9)
    # and one pass over the first 50 alone gives the same as the pass over all 2,000
    np.testing.assert_allclose(ols_coefficients(X, y, rows[:50]), coefs[:, :50], rtol=0, atol=1e-12)


def test_the_bootstrap_uses_those_resamples(boot, replicates):
    _, coefs = replicates
    np.testing.assert_allclose(boot["std_error"], coefs.std(axis=1, ddof=1), rtol=1e-12)
    low, high = np.percentile(coefs, [2.5, 97.5], axis=1)
    np.testing.assert_allclose(boot["conf_low"], low, rtol=1e-12)
    np.testing.assert_allclose(boot["conf_high"], high, rtol=1e-12)


def test_bootstrap_se_is_close_to_hc3(boot, frame):
    # Resampling respondents estimates the same heteroscedasticity-robust error as HC3; with
    # n = 3,416 and 2,000 resamples they agree within a few per cent (here 0.96 to 1.03).
    hc3 = fit_ols(frame, "pss4", HSE, robust="HC3").coefficients["std_error"].to_numpy()
    ratio = boot["std_error"].to_numpy() / hc3
    assert np.all(np.abs(ratio - 1) < 0.15), ratio


def test_same_seed_same_result_and_generators_accepted(frame):
    a = bootstrap_ols(frame, "pss4", HSE[:3], n_boot=200, seed=7)
    b = bootstrap_ols(frame, "pss4", HSE[:3], n_boot=200, seed=np.random.default_rng(7))
    c = bootstrap_ols(frame, "pss4", HSE[:3], n_boot=200, seed=8)
    pd.testing.assert_frame_equal(a, b, check_exact=True, check_like=False)
    assert not np.allclose(a["std_error"], c["std_error"])


def test_bca_equals_scipy_with_a_plain_statistic():
    # scipy.stats.bootstrap with a statistic that fits one resample at a time (numpy lstsq) and
    # its own jackknife loop: the same draws give the same BCa and percentile intervals.
    d = analysis_frame(load_wave(demo_wave(n=120, seed=4), wave=2018))
    terms = ["hse_demands", "hse_control"]
    got = bootstrap_ols(d, "pss4", terms, n_boot=400, seed=11, bca=True)
    c = d[["pss4"] + terms].dropna()
    X, y = sm.add_constant(c[terms]).to_numpy(), c["pss4"].to_numpy()

    def coefficients(rows):
        return np.linalg.lstsq(X[rows], y[rows], rcond=None)[0]

    ref = stats.bootstrap((np.arange(len(y)),), coefficients, vectorized=False, n_resamples=400,
                          method="BCa", rng=np.random.default_rng(11))
    assert np.isfinite(got[["bca_conf_low", "bca_conf_high"]].to_numpy()).all()
    np.testing.assert_allclose(got["bca_conf_low"], ref.confidence_interval.low, rtol=1e-9)
    np.testing.assert_allclose(got["bca_conf_high"], ref.confidence_interval.high, rtol=1e-9)
    np.testing.assert_allclose(got["std_error"], ref.standard_error, rtol=1e-9)
    pct = stats.bootstrap((np.arange(len(y)),), coefficients, vectorized=False, n_resamples=400,
                          method="percentile", rng=np.random.default_rng(11))
    np.testing.assert_allclose(got["conf_low"], pct.confidence_interval.low, rtol=1e-9)


def test_categorical_covariates_as_in_fit_ols(frame):
    got = bootstrap_ols(frame, "pss4", HSE[:2], covariates=["sector"], n_boot=300)
    ref = fit_ols(frame, "pss4", HSE[:2], covariates=["sector"]).coefficients
    assert got["term"].tolist() == ref["term"].tolist()
    np.testing.assert_allclose(got["estimate"], ref["estimate"], rtol=1e-10)


def test_no_intercept_and_scaled_columns():
    # ols_coefficients on its own: without a constant column nothing is centred, and columns of
    # very different scales are solved as accurately.
    rng = np.random.default_rng(3)
    X = np.column_stack([rng.normal(size=200) * 1e4, rng.normal(size=200) * 1e-3 + 5])
    y = X @ [2e-4, 30.0] + rng.normal(size=200)
    rows = rng.integers(0, 200, (20, 200))
    loop = np.column_stack([np.linalg.lstsq(X[r], y[r], rcond=None)[0] for r in rows])
    np.testing.assert_allclose(ols_coefficients(X, y, rows), loop, rtol=1e-9)


def test_a_resample_without_a_rare_category_is_an_error():
    d = pd.DataFrame({"y": np.arange(30.0), "x": np.r_[np.zeros(29), 1.0]})
    with pytest.raises(SurveyDataError, match="singular resample"):
        bootstrap_ols(d, "y", ["x"], n_boot=200, seed=1)


def test_bca_is_refused_for_very_large_samples(frame, monkeypatch):
    monkeypatch.setattr(resampling, "BCA_MAX_N", 1000)
    with pytest.raises(SurveyDataError, match="bca=False"):
        bootstrap_ols(frame, "pss4", HSE, n_boot=10, bca=True)
