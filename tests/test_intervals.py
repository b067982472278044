"""Newcombe's interval, Hedges' g's noncentral-t interval and the small-table rules of
analysis.stats.intervals against R 4.2.2 (hand-coded Newcombe formula, prop.test/chisq.test with
correct = FALSE, fisher.test, effectsize::hedges_g and an exact uniroot inversion of pt):
tests/reference/groups/reference.json (see its README)."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis.stats.intervals import (
    difference_in_shares,
    hedges_g,
    independence_test,
    interval_note,
)

from .conftest import REFERENCE

REF = json.loads((REFERENCE / "groups" / "reference.json").read_text())


def _zeros_ones(k, n):
    return [1.0] * int(k) + [0.0] * int(n - k)


def test_newcombe_agrees_with_the_published_formula_in_r():
    worst = 0.0
    for case in REF["newcombe"]:
        r = difference_in_shares(_zeros_ones(case["k1"], case["n1"]), _zeros_ones(case["k0"], case["n0"]))
        assert r["estimate"] == pytest.approx(case["estimate"], abs=1e-15)
        worst = max(worst, abs(r["conf_low"] - case["conf_low"]), abs(r["conf_high"] - case["conf_high"]))
    assert worst < 1e-10  # measured: 5.6e-16
    r90 = difference_in_shares(_zeros_ones(56, 70), _zeros_ones(48, 80), level=0.90)
    assert (r90["conf_low"], r90["conf_high"]) == pytest.approx(
        (REF["newcombe_90"]["conf_low"], REF["newcombe_90"]["conf_high"]), abs=1e-10)


@pytest.mark.parametrize("k1, n1, k0, n0, low, high", [
    # Newcombe (1998) Table II, method 10, to the four decimals printed.
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000),
])
def test_newcombe_table_ii(k1, n1, k0, n0, low, high):
    r = difference_in_shares(_zeros_ones(k1, n1), _zeros_ones(k0, n0))
    assert (r["conf_low"], r["conf_high"]) == pytest.approx((low, high), abs=5e-5)


def test_newcombe_does_not_collapse_where_wald_does():
    # 10/10 vs 0/12: Wald's standard error is 0, its "interval" [1, 1]; Newcombe's is 0.63 to 1.
    r = difference_in_shares(_zeros_ones(10, 10), _zeros_ones(0, 12))
    assert r["std_error"] == 0.0 and r["estimate"] == 1.0
    case = REF["newcombe"][6]
    assert (case["k1"], case["n1"], case["k0"], case["n0"]) == (10, 10, 0, 12)
    assert (r["conf_low"], r["conf_high"]) == pytest.approx((case["conf_low"], case["conf_high"]), abs=1e-12)
    assert r["conf_low"] == pytest.approx(0.6315, abs=5e-5) and r["conf_high"] == 1.0


def test_hedges_g_noncentral_t_interval():
    d = pd.read_csv(REFERENCE / "models" / "data.csv")
    for got, ref in ((hedges_g(d.pss4[d.bme == 1], d.pss4[d.bme == 0]), REF["hedges"]),
                     (hedges_g([4.0, 5.0, 6.0, 7.0, 8.0], [3.0, 4.0, 4.0, 5.0, 6.0]), REF["hedges_small"]),
                     (hedges_g([4.0, 5.0, 6.0, 7.0, 8.0], [3.0, 4.0, 4.0, 5.0, 6.0], 0.90), REF["hedges_small_90"])):
        assert got["estimate"] == pytest.approx(ref["g"], abs=1e-12)
        assert got["statistic"] == pytest.approx(ref["t"], abs=1e-12) and got["df"] == ref["df"]
        assert got["p_value"] == pytest.approx(ref["student_p"], rel=1e-10)
        # The exact inversion (uniroot, tol 1e-13): measured max abs diff 1.2e-12.
        assert (got["conf_low"], got["conf_high"]) == pytest.approx((ref["conf_low"], ref["conf_high"]), abs=1e-10)
        # effectsize::hedges_g(pooled_sd = TRUE): its optim(abstol = 1e-9) limits the agreement to
        # about 1e-8 (measured 1.4e-8 on the data).
        es = ref["effectsize"]
        assert got["estimate"] == pytest.approx(es["g"], abs=1e-12)
        assert (got["conf_low"], got["conf_high"]) == pytest.approx((es["conf_low"], es["conf_high"]), abs=5e-8)


def test_hedges_g_interval_and_student_t_agree_about_zero():
    rng = np.random.default_rng(1)
    for _ in range(200):
        x, y = rng.normal(0.4, 1, 12), rng.normal(0, 1, 15)
        g = hedges_g(x, y)
        assert (g["p_value"] < 0.05) == (not g["conf_low"] <= 0 <= g["conf_high"])


def test_fisher_for_a_small_2x2_table():
    ref = REF["small_2x2"]
    r = independence_test(ref["table"])
    assert r["test"] == "fisher_exact" and r["test_method"] == "exact"
    assert r["p_value"] == pytest.approx(ref["fisher_p"], rel=1e-10)
    assert r["small_expected"] == ref["r_warns"] is True and "Fisher" in r["note"]


def test_monte_carlo_p_of_a_2x2_table_agrees_with_the_exact_p():
    # The Monte Carlo route itself, checked on a 2 x 2 table whose exact permutation p of X2
    # R enumerates (here equal to Fisher's p): within 4 Monte Carlo standard errors.
    from scipy import stats
    ref = REF["small_2x2"]
    b = 19999
    mc = stats.chi2_contingency(np.array(ref["table"]), correction=False, method=stats.PermutationMethod(
        n_resamples=b, rng=np.random.default_rng(20150615)))
    assert mc.statistic == pytest.approx(ref["x2"], rel=1e-12)
    p = ref["exact_x2_p"]
    assert p == pytest.approx(ref["fisher_p"], rel=1e-12)
    assert abs(mc.pvalue - p) < 4 * np.sqrt(p * (1 - p) / b)
    assert abs(ref["r_mc_p"] - p) < 4 * np.sqrt(p * (1 - p) / ref["r_mc_B"])


def test_monte_carlo_p_for_a_sparse_rxc_table():
    ref = REF["small_4x2"]
    r = independence_test(ref["table"])
    expected = np.array(ref["expected"])
    assert (expected < 5).mean() > 0.2
    assert r["test_method"] == "monte_carlo" and np.isnan(r["df"])
    assert r["statistic"] == pytest.approx(ref["x2"], rel=1e-12)
    assert r["small_expected"] == ref["r_warns"] is True
    assert "9999 tables" in r["note"] and "seed 20150615" in r["note"]
    # Within Monte Carlo error of R's chisq.test(simulate.p.value = TRUE, B = 200000).
    p = ref["r_mc_p"]
    se = np.sqrt(p * (1 - p) / 9999 + p * (1 - p) / ref["r_mc_B"])
    assert abs(r["p_value"] - p) < 4 * se
    # Reproducible with the seed; another seed gives another draw.
    assert independence_test(ref["table"])["p_value"] == r["p_value"]
    assert independence_test(ref["table"], seed=1)["p_value"] != r["p_value"]


def test_a_few_small_expected_counts_keep_the_asymptotic_p_with_a_note():
    ref = REF["small_3x2"]
    r = independence_test(ref["table"])
    assert r["test_method"] == "asymptotic" and r["small_expected"] == ref["r_warns"] is True
    assert r["statistic"] == pytest.approx(ref["x2"], rel=1e-12) and r["df"] == ref["df"]
    assert r["p_value"] == pytest.approx(ref["p"], rel=1e-10)
    assert "17% of expected counts below 5" in r["note"]
    big = independence_test([[40, 60], [55, 45]])
    assert big["small_expected"] is False and big["note"] == "" and big["test_method"] == "asymptotic"


def test_score_test_and_newcombe_can_disagree_and_the_note_says_so():
    # 11/20 vs 15/50: score test p = 0.0505 but Newcombe's interval excludes 0 (0.0007 to 0.47);
    # 9/25 vs 5/35: p = 0.0499 but the interval includes 0 (-0.0010 to 0.43).
    for case in REF["newcombe"][7:9]:
        t = independence_test([[case["k1"], case["n1"] - case["k1"]], [case["k0"], case["n0"] - case["k0"]]])
        assert t["statistic"] == pytest.approx(case["score_statistic"], rel=1e-12)
        assert t["p_value"] == pytest.approx(case["score_p"], rel=1e-10)
        note = interval_note(t["p_value"], case["conf_low"], case["conf_high"], 0.95, "the score test", "Newcombe")
        if case["k1"] == 11:
            assert t["p_value"] > 0.05 and case["conf_low"] > 0
            assert note.startswith("the score test gives p >= 0.05 but Newcombe excludes 0")
        else:
            assert t["p_value"] < 0.05 and case["conf_low"] < 0
            assert note.startswith("the score test gives p < 0.05 but Newcombe includes 0")
