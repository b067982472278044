"""Alpha, its CI, omega, omega's bootstrap interval and item-rest correlations against R (psych
2.2.9, lavaan 0.6.14).

Reference numbers: tests/reference/reliability/reference.json, made by reference.R from data.csv
and resamples.csv (see that folder's README). Tolerances: alpha, CI and item-rest are closed forms
(1e-12); omega rests on an iterative ML fit, where R's two fitters themselves differ by ~1e-7
(1e-5); omega on each of R's 50 bootstrap resamples agrees with lavaan to 1.7e-7 at most (1e-6).
"""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import SurveyDataError, load_wave, reliability
from analysis.measures.reliability import (OMEGA_SEED, alpha_ci, omega_bootstrap, omega_resamples, omega_total,
                                           resample_indices, scale_reliability)

from .conftest import REFERENCE

REF = json.loads((REFERENCE / "reliability" / "reference.json").read_text())
DATA = pd.read_csv(REFERENCE / "reliability" / "data.csv")
ITEMS = [c for c in DATA.columns if c != "respondent_id"]  # a1..a6, b1..b4, c1..c3
RESAMPLES = pd.read_csv(REFERENCE / "reliability" / "resamples.csv").to_numpy()  # 50 x 300, 0-based rows
BOOT = REF["bootstrap"]
KEYED = DATA.assign(b4=6 - DATA["b4"])  # b4 reverse-worded, as reference.R keys it
SCALES = {s: [c for c in ITEMS if c[0] == s[-1]] for s in ["scale_a", "scale_b", "scale_c"]}
NUMBERS = {name: n for n, name in enumerate(ITEMS, 1)}  # toy instrument's item numbers


@pytest.fixture(scope="module")
def by_scale(tmp_path_factory):
    """The reference data loaded as a wave of a toy instrument with scales a, b, c (b4 reversed),
    so the whole path (instrument file, keying, complete cases) is exercised."""
    folder = tmp_path_factory.mktemp("instruments")
    numbers = NUMBERS
    spec = {
        "id": "toy", "name": "Reference scales", "source": "tests/reference/reliability " * 3,
        "item_column": "toy_{number:02d}", "answers": {"min": 1, "max": 5},
        "answer_sets": {"agree": {1: "1", 2: "2", 3: "3", 4: "4", 5: "5"}},
        "items": {n: ["agree", name] for name, n in numbers.items()},
        "reverse": [numbers["b4"]],
        "scales": {f"scale_{s}": {"label": s, "score": "mean",
                                  "items": [numbers[c] for c in ITEMS if c[0] == s]} for s in "abc"},
        "missing_rule": {"min_answered": 0.5},
    }
    (folder / "toy.yaml").write_text(yaml.safe_dump(spec))
    data = DATA.rename(columns={name: f"toy_{n:02d}" for name, n in numbers.items()})
    wave = load_wave(data, wave="ref", instruments_dir=folder)
    return reliability(wave).set_index(["scale", "measure"])


@pytest.mark.parametrize("scale", ["scale_a", "scale_b", "scale_c"])
def test_alpha_and_ci_match_psych(by_scale, scale):
    ref, got = REF[scale], by_scale.loc[(scale, "cronbach_alpha")]
    assert got["n"] == ref["n"] and got["k"] == ref["k"]
    assert got["estimate"] == pytest.approx(ref["alpha"], abs=1e-12)
    assert got["conf_low"] == pytest.approx(ref["feldt_lower"], abs=1e-12)
    assert got["conf_high"] == pytest.approx(ref["feldt_upper"], abs=1e-12)


@pytest.mark.parametrize("scale", ["scale_a", "scale_b", "scale_c"])
def test_omega_matches_one_factor_ml(by_scale, scale):
    ref, got = REF[scale], by_scale.loc[(scale, "mcdonald_omega")]
    assert got["estimate"] == pytest.approx(ref["omega_fa_ml"], abs=1e-5)
    assert got["estimate"] == pytest.approx(ref["omega_lavaan"], abs=1e-7)


@pytest.mark.parametrize("scale", ["scale_a", "scale_b", "scale_c"])
def test_weakest_item_rest(by_scale, scale):
    ref = REF[scale]["item_rest"]
    worst = min(ref, key=ref.get)
    got = by_scale.loc[(scale, "cronbach_alpha")]
    assert got["weakest_item_rest_r"] == pytest.approx(ref[worst], abs=1e-12)
    assert got["weakest_item"] == f"toy_{NUMBERS[worst]:02d}"


def test_alpha_closed_form_and_ci():
    """Alpha = k/(k-1) (1 - sum of item variances / variance of the total), on complete cases."""
    items = DATA[["a1", "a2", "a3", "a4", "a5", "a6"]].dropna()
    k = items.shape[1]
    alpha = k / (k - 1) * (1 - items.var(ddof=1).sum() / items.sum(axis=1).var(ddof=1))
    got = scale_reliability(items)
    assert got["alpha"] == pytest.approx(alpha, abs=1e-13)
    # Feldt's interval from the F quantiles (R: qf(0.975, n-1, (n-1)(k-1)) = 1.2112.. at n=237, k=6)
    lo, hi = alpha_ci(alpha, len(items), k)
    assert (lo, hi) == pytest.approx((REF["scale_a"]["feldt_lower"], REF["scale_a"]["feldt_upper"]), abs=1e-12)


def test_omega_equals_alpha_for_parallel_items():
    """Closed form: with equal loadings l and unit variances, omega = k l^2 / (k l^2 + 1 - l^2) and
    equals standardised alpha. Here the correlation matrix is exactly compound-symmetric."""
    rng = np.random.default_rng(1)
    k, n, r = 5, 4000, 0.36
    cov = np.full((k, k), r) + np.eye(k) * (1 - r)
    x = rng.multivariate_normal(np.zeros(k), cov, size=n)
    # Whiten and re-colour so the sample correlation is exactly `cov`.
    x = (x - x.mean(0)) @ np.linalg.inv(np.linalg.cholesky(np.cov(x, rowvar=False))).T @ np.linalg.cholesky(cov).T
    omega = omega_total(pd.DataFrame(x))
    expected = k * r / (k * r + 1 - r)  # l^2 = r
    assert omega == pytest.approx(expected, abs=1e-6)


def test_reliability_on_demo_wave(demo):
    rel = reliability(load_wave(demo), n_boot=200)
    assert list(rel.columns) == ["instrument", "scale", "label", "k", "n", "measure", "estimate", "conf_low",
                                 "conf_high", "weakest_item", "weakest_item_rest_r"]
    assert "swemwbs_metric" not in set(rel.scale)  # a look-up of the raw total, same items
    assert all(m == ["cronbach_alpha", "mcdonald_omega"] for m in rel.groupby("scale")["measure"].apply(list))
    two_item = rel.set_index(["scale", "measure"]).loc[("wrqol_saw", "mcdonald_omega")]
    assert two_item["k"] == 2 and np.isnan(two_item["estimate"])
    alpha = rel[rel.measure == "cronbach_alpha"]
    assert (alpha.conf_low < alpha.estimate).all() and (alpha.estimate < alpha.conf_high).all()
    omega = rel[(rel.measure == "mcdonald_omega") & (rel.k >= 3)]  # now with its bootstrap interval
    assert (omega.conf_low < omega.estimate).all() and (omega.estimate < omega.conf_high).all()


# --- omega's bootstrap interval -------------------------------------------------------------


def test_reference_resamples_are_the_package_draws():
    """resamples.csv (what reference.R refits) is exactly what omega_bootstrap draws: B = 50, the
    default seed, 300 respondents."""
    assert BOOT["n_boot"] == 50 and BOOT["seed"] == OMEGA_SEED
    assert np.array_equal(RESAMPLES, resample_indices(300, 50, OMEGA_SEED))
    items = KEYED[SCALES["scale_a"]]
    drawn = omega_bootstrap(items, n_boot=50).bootstrap_distribution
    assert np.array_equal(drawn, omega_resamples(items, RESAMPLES))


@pytest.mark.parametrize("scale", ["scale_a", "scale_b", "scale_c"])
def test_omega_of_each_resample_matches_lavaan(scale):
    """Omega on each of the 50 resamples, listwise within the resample, against a standardised
    one-factor lavaan::cfa on the same rows (bounds = "pos.var" where the unbounded fit is a
    Heywood case). Largest difference found: 1.7e-7 (scale a), lavaan's own tolerance."""
    items = KEYED[SCALES[scale]]
    got = omega_resamples(items, RESAMPLES)
    expected = np.array(BOOT[scale]["omega"], dtype=float)
    assert got.shape == (50,)
    assert np.abs(got - expected).max() < 1e-6
    # the same respondents as R used: those drawn who answered every item
    complete = items.notna().all(axis=1).to_numpy()
    assert complete[RESAMPLES].sum(axis=1).tolist() == BOOT[scale]["n_used"]


@pytest.mark.parametrize("scale", ["scale_a", "scale_b", "scale_c"])
def test_percentile_interval_from_r_replicates(scale):
    """With B = 50 the interval is the 2.5% and 97.5% quantiles of the 50 omegas (R's
    quantile(type = 7) of lavaan's values equals ours, within the per-resample agreement)."""
    res = omega_bootstrap(KEYED[SCALES[scale]], n_boot=50, seed=OMEGA_SEED)
    ci = res.confidence_interval
    assert (ci.low, ci.high) == pytest.approx((BOOT[scale]["conf_low"], BOOT[scale]["conf_high"]), abs=1e-6)
    r_values = np.array(BOOT[scale]["omega"], dtype=float)
    assert np.quantile(r_values, [0.025, 0.975]) == pytest.approx([BOOT[scale]["conf_low"], BOOT[scale]["conf_high"]],
                                                                   abs=1e-12)


def test_heywood_resamples_are_the_ones_r_bounds():
    """Resample 17 of scale c is a Heywood case (R's unbounded fit has a negative residual
    variance; the three-item closed form has a squared loading outside (0, 1)); omega there is
    the bounded ML solution: the factor is item c1, loadings r_1j, uniquenesses 1 - r_1j^2."""
    assert BOOT["scale_c"]["heywood"] == [17] and BOOT["scale_a"]["heywood"] == BOOT["scale_b"]["heywood"] == []
    drawn = KEYED[SCALES["scale_c"]].iloc[RESAMPLES[16]].dropna()
    r = drawn.corr().to_numpy()
    squared = [r[0, 1] * r[0, 2] / r[1, 2], r[0, 1] * r[1, 2] / r[0, 2], r[0, 2] * r[1, 2] / r[0, 1]]
    assert not all(0 < q < 1 for q in squared)
    s = (1 + r[0, 1] + r[0, 2]) ** 2
    bounded = s / (s + (1 - r[0, 1] ** 2) + (1 - r[0, 2] ** 2))
    assert omega_total(drawn) == pytest.approx(bounded, abs=1e-14)
    assert bounded == pytest.approx(BOOT["scale_c"]["omega"][16], abs=1e-8)  # lavaan, bounds = "pos.var"


def test_batched_omega_equals_omega_total_on_each_resample():
    """The batched fit is the package's omega_total, resample by resample (statsmodels' Factor
    fits to ~1e-8), including a badly fitting scale (two clusters of items) whose one-factor
    likelihood has more than one local optimum."""
    rng = np.random.default_rng(3)
    f = rng.normal(size=(400, 2))
    x = np.column_stack([f[:, [0]] * 0.8 + rng.normal(scale=0.6, size=(400, 3)),
                         f[:, [1]] * 0.7 + 0.2 * f[:, [0]] + rng.normal(scale=0.6, size=(400, 3))])
    x[rng.random(x.shape) < 0.03] = np.nan
    for items in (KEYED[SCALES["scale_a"]], pd.DataFrame(x)):
        rows = resample_indices(len(items), 20, 11)
        loop = [omega_total(items.iloc[r].dropna()) for r in rows]
        assert np.abs(omega_resamples(items, rows) - loop).max() < 1e-6


def test_omega_interval_in_the_table(by_scale):
    """reliability() resamples the wave's respondents once for all scales: each scale's interval
    is the one omega_bootstrap gives that scale alone with the same seed (1000 resamples)."""
    for scale in ["scale_a", "scale_b", "scale_c"]:
        got = by_scale.loc[(scale, "mcdonald_omega")]
        ci = omega_bootstrap(KEYED[SCALES[scale]]).confidence_interval
        assert (got["conf_low"], got["conf_high"]) == pytest.approx((ci.low, ci.high), abs=1e-12)
        assert got["conf_low"] < got["estimate"] < got["conf_high"]


def test_omega_interval_is_reproducible_and_optional(demo):
    wave = load_wave(demo)
    a, b = reliability(wave, n_boot=50), reliability(wave, n_boot=50)
    pd.testing.assert_frame_equal(a, b)
    assert a.attrs["omega_interval"] == f"percentile bootstrap over respondents, 50 resamples, seed {OMEGA_SEED}"
    other = reliability(wave, n_boot=50, seed=1)
    omega = a["measure"] == "mcdonald_omega"
    assert not np.allclose(a.loc[omega, "conf_low"].dropna(), other.loc[omega, "conf_low"].dropna())
    none = reliability(wave, n_boot=0)
    assert none.loc[omega, "conf_low"].isna().all() and none.attrs["omega_interval"] == "none (n_boot=0)"
    pd.testing.assert_series_equal(none["estimate"], a["estimate"])


@pytest.mark.parametrize("bad", [{"n_boot": -1}, {"n_boot": 2.5}, {"seed": "abc"}])
def test_bad_bootstrap_arguments(demo, bad):
    with pytest.raises(SurveyDataError, match="bad argument"):
        reliability(load_wave(demo), **bad)
