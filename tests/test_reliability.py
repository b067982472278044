"""Alpha, its CI, omega and item-rest correlations against R (psych 2.2.9, lavaan 0.6.14).

Reference numbers: tests/reference/reliability/reference.json, made by reference.R from data.csv
(see that folder's README). Tolerances: alpha, CI and item-rest are closed forms (1e-12); omega
rests on an iterative ML fit, where R's two fitters themselves differ by ~1e-7 (1e-5).
"""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import load_wave, reliability
from analysis.measures.reliability import alpha_ci, omega_total, scale_reliability

from .conftest import REFERENCE

REF = json.loads((REFERENCE / "reliability" / "reference.json").read_text())
DATA = pd.read_csv(REFERENCE / "reliability" / "data.csv")
ITEMS = [c for c in DATA.columns if c != "respondent_id"]  # a1..a6, b1..b4, c1..c3
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
    rel = reliability(load_wave(demo))
    assert list(rel.columns) == ["instrument", "scale", "label", "k", "n", "measure", "estimate", "conf_low",
                                 "conf_high", "weakest_item", "weakest_item_rest_r"]
    assert "swemwbs_metric" not in set(rel.scale)  # a look-up of the raw total, same items
    assert all(m == ["cronbach_alpha", "mcdonald_omega"] for m in rel.groupby("scale")["measure"].apply(list))
    two_item = rel.set_index(["scale", "measure"]).loc[("wrqol_saw", "mcdonald_omega")]
    assert two_item["k"] == 2 and np.isnan(two_item["estimate"])
    alpha = rel[rel.measure == "cronbach_alpha"]
    assert (alpha.conf_low < alpha.estimate).all() and (alpha.estimate < alpha.conf_high).all()
