"""Wave comparison on the bundled synthetic waves, against scipy computed here independently, and on
tests/reference/groups/paired.csv against R 4.2.2 (t.test, prop.test(correct = FALSE), Newcombe's
interval from its formula, t.test(paired = TRUE), mcnemar.test, binom.test, p.adjust):
tests/reference/groups/reference.json (see its README)."""

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import load_wave
from analysis.measures.scoring import analysis_frame
from analysis.stats.wave_comparison import compare_waves

from .conftest import REFERENCE, frame

REF = json.loads((REFERENCE / "groups" / "reference.json").read_text())


def _wilson(k, n, z):
    p = k / n
    centre, half = (2 * k + z * z) / (2 * (n + z * z)), z * np.sqrt(z * z + 4 * k * (1 - p)) / (2 * (n + z * z))
    return centre - half, centre + half


def test_compare_waves_2017_to_2018():
    f17, f18 = frame("2017"), frame("2018")
    table = compare_waves({"2017": f17, "2018": f18}).set_index("outcome")
    pss = table.loc["pss4"]
    a, b = f17.pss4.dropna(), f18.pss4.dropna()
    t = stats.ttest_ind(b, a, equal_var=False)
    assert pss["estimate"] == pytest.approx(b.mean() - a.mean(), rel=1e-12)
    assert pss["measure"] == "difference_in_means" and pss["df"] == pytest.approx(t.df, rel=1e-10)
    assert pss["statistic"] == pytest.approx(t.statistic, rel=1e-10)
    ci = t.confidence_interval(0.95)
    assert (pss["conf_low"], pss["conf_high"]) == pytest.approx((ci.low, ci.high), rel=1e-8)
    leave = table.loc["intend_leave_job"]
    p0, p1 = f17.intend_leave_job.dropna(), f18.intend_leave_job.dropna()
    se = np.sqrt(p0.mean() * (1 - p0.mean()) / len(p0) + p1.mean() * (1 - p1.mean()) / len(p1))
    assert leave["estimate"] == pytest.approx(p1.mean() - p0.mean(), rel=1e-12)
    assert leave["std_error"] == pytest.approx(se, rel=1e-12)
    # Issue 15: Newcombe's hybrid score interval (was Wald) and the score test (was Yates),
    # written out here from Newcombe (1998), method 10.
    z, d = stats.norm.ppf(0.975), p1.mean() - p0.mean()
    (l1, u1), (l0, u0) = _wilson(p1.sum(), len(p1), z), _wilson(p0.sum(), len(p0), z)
    low = d - np.sqrt((p1.mean() - l1) ** 2 + (u0 - p0.mean()) ** 2)
    high = d + np.sqrt((u1 - p1.mean()) ** 2 + (p0.mean() - l0) ** 2)
    assert (leave["conf_low"], leave["conf_high"]) == pytest.approx((low, high), abs=1e-12)
    chi = stats.chi2_contingency([[p1.sum(), len(p1) - p1.sum()], [p0.sum(), len(p0) - p0.sum()]], correction=False)
    assert leave["statistic"] == pytest.approx(chi.statistic, rel=1e-12)
    assert leave["p_value"] == pytest.approx(chi.pvalue, rel=1e-12)
    assert leave["test"] == "chi_square" and leave["test_method"] == "asymptotic" and leave["p_value"] < 0.001
    # Holm across the measures compared (53 % -> 60 %).
    from statsmodels.stats.multitest import multipletests
    assert table["adjusted_p_value"].to_numpy() == pytest.approx(multipletests(table["p_value"], method="holm")[1])
    assert set(table.index) >= {"hse_demands", "presenteeism_2plus", "extra_hours_week"}
    assert "uwes_total" not in table.index  # not measured in 2017


def test_compare_waves_bad_calls():
    from analysis import SurveyDataError
    with pytest.raises(SurveyDataError, match="needs at least two"):
        compare_waves({"2017": frame("2017")})
    with pytest.raises(SurveyDataError, match="wave 2017 has no column 'uwes_total'"):
        compare_waves({"2017": frame("2017"), "2018": frame("2018")}, ["uwes_total"])


def test_compare_waves_blanks_a_tiny_wave():
    tiny = frame("2018").head(3)
    row = compare_waves({"2017": frame("2017"), "x": tiny}, ["pss4"]).iloc[0]
    assert row["suppressed"] == "primary" and np.isnan(row["value_to"]) and np.isnan(row["estimate"])


def test_compare_waves_takes_pooled_data_with_a_wave_column():
    from analysis import pool_waves
    from analysis.paths import SYNTHETIC_DIR as S
    waves = [load_wave(S / f"wave_{y}.csv", S / f"wave_{y}.codebook.yaml") for y in ("2017", "2018")]
    pooled = analysis_frame(pool_waves(waves))
    by_column = compare_waves(pooled, ["pss4", "intend_leave_job"])
    by_dict = compare_waves({"2017": frame("2017"), "2018": frame("2018")}, ["pss4", "intend_leave_job"])
    cols = ["outcome", "from_wave", "to_wave", "n_from", "n_to", "estimate", "conf_low", "conf_high", "p_value"]
    pd.testing.assert_frame_equal(by_column[cols], by_dict[cols])


def test_compare_waves_hides_a_share_resting_on_a_few_people():
    # 3 of 200 dissatisfied in the first wave: the share would disclose three people.
    a = pd.DataFrame({"dissatisfied": [1.0] * 3 + [0.0] * 197})
    b = pd.DataFrame({"dissatisfied": [1.0] * 60 + [0.0] * 140})
    row = compare_waves({"2017": a, "2018": b}, "dissatisfied").iloc[0]
    assert row["suppressed"] == "primary" and np.isnan(row["value_from"]) and np.isnan(row["estimate"])
    assert row["measure"] == "difference_in_shares"


@pytest.fixture(scope="module")
def paired_data():
    d = pd.read_csv(REFERENCE / "groups" / "paired.csv", dtype={"respondent_id": str, "wave": str})
    return d


def test_independent_waves_against_r(paired_data):
    waves = {w: f.drop(columns="wave") for w, f in paired_data.groupby("wave")}
    table = compare_waves(waves, ["pss4", "leave", "dissatisfied"], threshold=5).set_index("outcome")
    ref = REF["waves_independent"]
    for m, r in ref["measures"].items():
        row = table.loc[m]
        assert row["estimate"] == pytest.approx(r["estimate"], abs=1e-12)
        assert row["statistic"] == pytest.approx(r["statistic"], rel=1e-10)
        assert row["p_value"] == pytest.approx(r["p"], rel=1e-9)
        assert (row["conf_low"], row["conf_high"]) == pytest.approx((r["conf_low"], r["conf_high"]), abs=1e-10)
    assert table["adjusted_p_value"].to_numpy() == pytest.approx(ref["holm"], rel=1e-10)
    bh = compare_waves(waves, ["pss4", "leave", "dissatisfied"], threshold=5, correction="fdr_bh")
    assert bh["adjusted_p_value"].to_numpy() == pytest.approx(ref["bh"], rel=1e-10)
    none = compare_waves(waves, ["pss4", "leave", "dissatisfied"], threshold=5, correction=None)
    assert none["adjusted_p_value"].to_numpy() == pytest.approx(none["p_value"].to_numpy(), rel=0)


def test_paired_waves_against_r(paired_data):
    table = compare_waves(paired_data, ["pss4", "leave", "dissatisfied"], threshold=5, paired=True)
    table = table.set_index("outcome")
    ref = REF["waves_paired"]
    pss, r = table.loc["pss4"], ref["measures"]["pss4"]
    assert pss["test"] == "paired_t" and pss["n_pairs"] == r["n"] == 88  # 90 in both, 2 missing pss4 in 2017
    for mine, theirs in (("estimate", "estimate"), ("statistic", "statistic"), ("df", "df"), ("conf_low", "conf_low"),
                         ("conf_high", "conf_high")):
        assert pss[mine] == pytest.approx(r[theirs], rel=1e-10), mine
    assert pss["p_value"] == pytest.approx(r["p"], rel=1e-9)
    leave, r = table.loc["leave"], ref["measures"]["leave"]
    assert r["n01"] + r["n10"] >= 25 and leave["test_method"] == "asymptotic" and leave["test"] == "mcnemar"
    assert leave["n_pairs"] == r["n"] and leave["statistic"] == pytest.approx(r["statistic"], rel=1e-10)
    assert leave["p_value"] == pytest.approx(r["p"], rel=1e-9)
    assert leave["note"].startswith(f"{r['n01'] + r['n10']} changed answer: McNemar chi-square")
    dis, r = table.loc["dissatisfied"], ref["measures"]["dissatisfied"]
    assert r["n01"] + r["n10"] < 25 and dis["test_method"] == "exact" and np.isnan(dis["statistic"])
    assert dis["p_value"] == pytest.approx(r["p"], rel=1e-10)
    assert dis["note"].startswith("7 changed answer (< 25): exact binomial McNemar test")
    for m in ("leave", "dissatisfied"):
        r = ref["measures"][m]
        for k in ("estimate", "std_error", "conf_low", "conf_high"):
            assert table.loc[m, k] == pytest.approx(r[k], abs=1e-12), (m, k)
    assert table["adjusted_p_value"].to_numpy() == pytest.approx(ref["holm"], rel=1e-9)
    # The same from a dict of frames, and from pooled ids prefixed "<wave>:" as pool_waves makes them.
    waves = {w: f.drop(columns="wave") for w, f in paired_data.groupby("wave")}
    by_dict = compare_waves(waves, ["pss4", "leave", "dissatisfied"], threshold=5, paired=True)
    prefixed = paired_data.assign(respondent_id=paired_data["wave"] + ":" + paired_data["respondent_id"])
    by_prefix = compare_waves(prefixed, ["pss4", "leave", "dissatisfied"], threshold=5, paired=True)
    for other in (by_dict, by_prefix):
        pd.testing.assert_frame_equal(other, table.reset_index())


def test_paired_needs_the_id_column(paired_data):
    from analysis import SurveyDataError
    with pytest.raises(SurveyDataError, match="has no column 'person'"):
        compare_waves(paired_data, "pss4", paired=True, id_column="person", threshold=5)
    with pytest.raises(SurveyDataError, match="correction='bonferroni'"):
        compare_waves(paired_data, "pss4", correction="bonferroni", threshold=5)


def test_same_data_twice_warns():
    from analysis import SurveyDataWarning
    f = frame("2018")
    with pytest.warns(SurveyDataWarning, match=r"waves a and b are the same data \(identical frames\)"):
        table = compare_waves({"a": f, "b": f.copy()}, ["pss4"])
    assert table.iloc[0]["estimate"] == 0
    from analysis.paths import SYNTHETIC_DIR as S
    w = load_wave(S / "wave_2018.csv", S / "wave_2018.codebook.yaml")
    other = dataclasses.replace(w, data=w.data.iloc[:-1])  # one respondent fewer, same file hash
    with pytest.warns(SurveyDataWarning, match=r"same data \(the same file \(sha256 " + w.metadata["sha256"][:12]):
        compare_waves({"2017": other, "2018": w}, ["pss4"])


def test_synthetic_beside_real_warns():
    from analysis import SurveyDataWarning
    from analysis.paths import SYNTHETIC_DIR as S
    w17 = load_wave(S / "wave_2017.csv", S / "wave_2017.codebook.yaml")
    w18 = load_wave(S / "wave_2018.csv", S / "wave_2018.codebook.yaml")
    assert w17.synthetic and w18.synthetic
    compare_waves({"2017": w17, "2018": w18}, ["pss4"])  # both synthetic: no warning (errors in tests)
    real = dataclasses.replace(w17, metadata=w17.metadata | {"synthetic": False})
    with pytest.warns(SurveyDataWarning, match=r"wave\(s\) 2018 are synthetic and 2017 are not"):
        compare_waves({"2017": real, "2018": w18}, ["pss4"])
