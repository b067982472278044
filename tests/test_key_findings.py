"""The key findings the report opens with: every figure agrees with an independent computation
(statsmodels' Wilson interval, scipy's t and Welch intervals, the benchmark's cut-offs applied by
hand), the sentences state exactly the table's numbers, and a hidden figure is never described."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from analysis import CodebookError, key_finding_sentences, key_findings
from analysis.outputs.narrative import change, mean_with_interval, range_sentence, share_with_interval, strongest_terms
from analysis.stats.benchmarking import load_benchmark
from analysis.studies.headlines import load_headlines

from .conftest import frame


@pytest.fixture(scope="module")
def waves():
    return {"2017": frame("2017"), "2018": frame("2018")}


@pytest.fixture(scope="module")
def table(waves):
    return key_findings(waves)


def _row(table, finding, measure=None, group="All"):
    rows = table[(table["finding"] == finding) & (table["group"] == group)]
    if measure:
        rows = rows[rows["measure"] == measure]
    assert len(rows) == 1
    return rows.iloc[0]


def test_shares_agree_with_statsmodels_wilson(table, waves):
    for finding, column in [("intend_leave_job", "intend_leave_job"), ("presenteeism", "presenteeism_2plus"),
                            ("dissatisfied", "dissatisfied"), ("intend_leave_profession", "intend_leave_profession")]:
        x = waves["2018"][column].dropna()
        low, high = proportion_confint(int(x.sum()), len(x), alpha=0.05, method="wilson")
        row = _row(table, finding, "share")
        assert row["n"] == len(x)
        assert row["estimate"] == pytest.approx(x.mean(), abs=1e-12)
        assert (row["conf_low"], row["conf_high"]) == pytest.approx((low, high), abs=1e-12)
    # the published 2018 figure the synthetic wave was drawn to resemble: 60% intend to leave their job
    assert _row(table, "intend_leave_job", "share")["estimate"] == pytest.approx(0.60, abs=0.01)


def test_means_agree_with_scipy_t(table, waves):
    for finding, column in [("stress", "pss4"), ("extra_hours", "extra_hours_week")]:
        x = waves["2018"][column].dropna().to_numpy()
        low, high = stats.t.interval(0.95, len(x) - 1, loc=x.mean(), scale=stats.sem(x))
        row = _row(table, finding, "mean")
        assert row["estimate"] == pytest.approx(x.mean(), abs=1e-12)
        assert (row["conf_low"], row["conf_high"]) == pytest.approx((low, high), abs=1e-10)


def _wilson(x: float, n: int, z: float = stats.norm.ppf(0.975)) -> tuple[float, float]:
    """Wilson's score interval for x of n, by its closed form."""
    centre, half = 2 * x + z**2, z * np.sqrt(z**2 + 4 * x * (1 - x / n))
    return (centre - half) / (2 * (n + z**2)), (centre + half) / (2 * (n + z**2))


def test_changes_agree_with_welch_and_newcombes_interval(table, waves):
    a, b = waves["2017"]["pss4"].dropna(), waves["2018"]["pss4"].dropna()
    ci = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    row = _row(table, "stress", "difference_in_means")
    assert row["estimate"] == pytest.approx(b.mean() - a.mean(), abs=1e-12)
    assert (row["conf_low"], row["conf_high"]) == pytest.approx((ci.low, ci.high), abs=1e-10)
    assert row["from_wave"] == "2017" and row["wave"] == "2018" and row["n"] == len(a) + len(b)
    a, b = waves["2017"]["intend_leave_job"].dropna(), waves["2018"]["intend_leave_job"].dropna()
    p1, p0 = b.mean(), a.mean()
    (l1, u1), (l0, u0) = _wilson(b.sum(), len(b)), _wilson(a.sum(), len(a))
    d = p1 - p0
    row = _row(table, "intend_leave_job", "difference_in_shares")
    assert row["estimate"] == pytest.approx(d, abs=1e-12)
    # Newcombe (1998) method 10: the Wilson limits of each share combined
    newcombe = (d - np.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2), d + np.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2))
    assert (row["conf_low"], row["conf_high"]) == pytest.approx(newcombe, abs=1e-12)
    # the score test paired with it: Pearson's chi-square without Yates' correction
    chi = stats.chi2_contingency([[b.sum(), len(b) - b.sum()], [a.sum(), len(a) - a.sum()]], correction=False)
    assert row["p_value"] == pytest.approx(chi.pvalue, rel=1e-12)


def test_benchmark_rows_apply_the_cut_offs(table, waves):
    cuts = load_benchmark("hse_organisational_136")["scales"]
    rows = table[table["finding"] == "hse_benchmark"]
    assert list(rows["outcome"]) == list(cuts)
    for r in rows.itertuples():
        mean = waves["2018"][r.outcome].mean()
        assert r.estimate == pytest.approx(mean, abs=1e-12) and r.p20 == cuts[r.outcome]["p20"]
        assert (r.band == "red") == (mean < cuts[r.outcome]["p20"])


def test_racism_gap_by_hand(table, waves):
    f = waves["2018"]
    any_racism = (f["racism_colleagues_12m"] >= 1).astype(float).where(f["racism_colleagues_12m"].notna())
    for group, code in [("bme", 1.0), ("white", 0.0)]:
        x = any_racism[f["bme"] == code].dropna()
        row = _row(table, "racism_colleagues", "share", group=group)
        assert row["n"] == len(x) and row["estimate"] == pytest.approx(x.mean(), abs=1e-12)


def test_sentences_state_exactly_the_tables_numbers(table):
    sentences = {s["finding"]: s for s in key_finding_sentences(table)}
    assert list(sentences) == [h.id for h in load_headlines()]
    for finding in ("intend_leave_job", "presenteeism", "dissatisfied", "intend_leave_profession"):
        row, diff = _row(table, finding, "share"), _row(table, finding, "difference_in_shares")
        text = sentences[finding]["text"]
        expected = (f"{100 * row['estimate']:.0f}% (95% CI {100 * row['conf_low']:.0f} to "
                    f"{100 * row['conf_high']:.0f}%)")
        assert text.startswith(expected), text
        assert f"up {100 * diff['estimate']:.0f} percentage points since 2017" in text
        assert f"Based on {int(row['n']):,} respondents." in text
    stress = _row(table, "stress", "mean")
    assert f"{stress['estimate']:.1f} (95% CI {stress['conf_low']:.1f} to {stress['conf_high']:.1f})" in \
        sentences["stress"]["text"]
    hse = table[table["finding"] == "hse_benchmark"]
    red = int((hse["band"] == "red").sum())
    words = {7: "All seven", 6: "Six of seven", 5: "Five of seven"}
    assert sentences["hse_benchmark"]["text"].startswith(words[red])
    # at least six numbers, at least four of them with 95% intervals
    assert len(sentences) >= 6 and sum("95% CI" in s["text"] for s in sentences.values()) >= 4
    assert all(s["shown"] for s in sentences.values())


def test_one_wave_has_no_change_and_a_missing_measure_no_finding(waves):
    t = key_findings(waves["2018"].drop(columns=["dissatisfied"]))
    assert not t["measure"].str.startswith("difference").any()
    assert "dissatisfied" not in set(t["finding"])
    texts = [s["text"] for s in key_finding_sentences(t)]
    assert not any("since" in x for x in texts) and len(texts) == len(load_headlines()) - 1


def test_a_hidden_group_is_never_described():
    f = frame("2018").copy()
    bme = f.index[f["bme"] == 1][:8]  # 8 BME respondents: fewer than the threshold of 10
    f = f.drop(f.index[(f["bme"] == 1) & ~f.index.isin(bme)])
    t = key_findings(f)
    gap = t[t["finding"] == "racism_colleagues"]
    assert (gap["suppressed"] != "").all() and gap["estimate"].isna().all()
    item = next(s for s in key_finding_sentences(t) if s["finding"] == "racism_colleagues")
    assert not item["shown"] and "not shown" in item["text"]
    assert not re.search(r"\d", item["text"].replace("(12 months)", "")), "a hidden figure states no number"


def test_change_wording_follows_the_interval():
    base = {"measure": "difference_in_shares", "from_wave": "2017"}
    assert change(base | {"estimate": -0.05, "conf_low": -0.08, "conf_high": -0.02}) == \
        "down 5 percentage points since 2017 (95% CI -8 to -2)"
    assert change(base | {"estimate": 0.01, "conf_low": -0.02, "conf_high": 0.04}) == \
        "no clear change since 2017 (+1 percentage points, 95% CI -2 to 4)"
    assert change(base | {"estimate": 0.01, "conf_low": 0.005, "conf_high": 0.015}) == \
        "up 1 percentage point since 2017 (95% CI 0 to 2)"
    means = {"measure": "difference_in_means", "from_wave": "2017", "estimate": 0.64, "conf_low": 0.45, "conf_high": 0.83}
    assert change(means, 2) == "up 0.64 since 2017 (95% CI 0.45 to 0.83)"
    assert change(means | {"estimate": np.nan}) == "change since 2017 not shown (too few respondents)"


def test_rounding_is_one_rule():
    assert share_with_interval({"estimate": 0.0349, "conf_low": 0.0301, "conf_high": 0.0402}) == \
        "3% (95% CI 3 to 4%)"
    assert mean_with_interval({"estimate": 2.5067, "conf_low": 2.4851, "conf_high": 2.5283}, 2) == \
        "2.51 (95% CI 2.49 to 2.53)"


def test_notebook_sentences_use_labels_and_say_when_intervals_overlap():
    t = pd.DataFrame({"outcome": ["x"] * 4, "group": ["adults", "children_families", "mixed", "All"],
                      "estimate": [0.55, 0.65, np.nan, 0.61], "conf_low": [0.50, 0.56, np.nan, 0.59],
                      "conf_high": [0.60, 0.70, np.nan, 0.63], "n": [900.0, 1900.0, np.nan, 3300.0],
                      "suppressed": ["", "", "primary", ""]})
    text = range_sentence(t, "x", "service area")
    assert "Children and families (65%)" in text and "Adults (55%)" in text and "overlap" in text
    assert "children_families" not in text
    coefs = pd.DataFrame({"term": ["Intercept", "hse_demands", "hse_role"], "estimate": [12.0, -0.9, 0.05],
                          "conf_low": [11.0, -1.0, -0.1], "conf_high": [13.0, -0.8, 0.2]})
    assert strongest_terms(coefs, ["hse_demands", "hse_role"]) == "Demands (-0.90 per point, 95% CI -1.00 to -0.80)"


def test_a_bad_headlines_file_is_refused(tmp_path):
    bad = tmp_path / "h.yaml"
    bad.write_text(yaml.safe_dump({"headlines": [{"id": "x", "kind": "share", "says": "no placeholder",
                                                  "notebook": "08_intention_to_leave"}]}))
    with pytest.raises(CodebookError) as err:
        load_headlines(bad)
    assert "outcome" in str(err.value) and "value" in str(err.value)
