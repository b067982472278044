"""The synthetic waves: reproducible byte for byte, honest about being synthetic, loadable from all
three versions, and calibrated to the published figures through the package's own analysis."""

import functools
import hashlib

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from analysis import load_wave, reliability, score_wave
from analysis.stats.benchmarking import band, load_benchmark
from analysis.paths import SYNTHETIC_DIR
from analysis.synthetic import exact_shares, write_bundled
from analysis.synthetic.waves import item_noise_sd

HSE = ["hse_demands", "hse_control", "hse_managers_support", "hse_peer_support", "hse_relationships",
       "hse_role", "hse_change"]

# Published headline figures (docs/sources.md#the-surveys), typed here, not read
# from the generator's parameters. None = not published for that wave.
PUBLISHED = {
    "2017": {"n": 1333, "pss4": 7.82, "leave_job": 0.52, "presenteeism_2plus_cf": 0.64,
             "dissatisfied": 0.41, "extra_hours": 10.0, "cf_share": None},
    "2018": {"n": 3421, "pss4": 8.54, "leave_job": 0.60, "presenteeism_2plus": 2 / 3,
             "dissatisfied": 0.48, "extra_hours": 11.0, "cf_share": 1953 / 3421},
}


@functools.cache
def loaded(label):
    """A bundled wave loaded through its codebook, and its scores."""
    w = load_wave(SYNTHETIC_DIR / f"wave_{label}.csv", SYNTHETIC_DIR / f"wave_{label}.codebook.yaml")
    return label, w, score_wave(w)


@pytest.fixture(params=["2017", "2018"])
def wave(request):
    return loaded(request.param)


def _digest(paths):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_regeneration_reproduces_every_file(tmp_path):
    written = write_bundled(tmp_path)
    assert len(written) == 23
    assert _digest(written) == _digest(SYNTHETIC_DIR / p.name for p in written)


def test_three_versions_load_to_the_same_data():
    for label in ("2017", "2018"):
        canonical = load_wave(SYNTHETIC_DIR / f"wave_{label}.csv", SYNTHETIC_DIR / f"wave_{label}.codebook.yaml")
        from_csv = load_wave(SYNTHETIC_DIR / f"wave_{label}_export.csv", SYNTHETIC_DIR / f"wave_{label}_export_csv.yaml")
        from_sav = load_wave(SYNTHETIC_DIR / f"wave_{label}_export.sav", SYNTHETIC_DIR / f"wave_{label}_export_sav.yaml")
        for other in (from_csv, from_sav):
            pd.testing.assert_frame_equal(other.data, canonical.data)
            pd.testing.assert_frame_equal(other.exclusions, canonical.exclusions)
        # The exports really are raw: labels and missing codes, not canonical values.
        raw = pd.read_csv(SYNTHETIC_DIR / f"wave_{label}_export.csv", dtype=str)
        assert "Strongly agree" in set(raw["HSEMSIT_Q24"]) and "-99" in set(raw["HSEMSIT_Q24"])
        assert "Prefer not to say" in set(raw.stack())


def test_every_file_says_it_is_synthetic(wave):
    label, w, _ = wave
    assert w.synthetic
    assert load_wave(SYNTHETIC_DIR / f"wave_{label}.csv").synthetic  # from the sidecar alone
    assert load_wave(SYNTHETIC_DIR / f"wave_{label}_export.sav", SYNTHETIC_DIR / f"wave_{label}_export_sav.yaml").synthetic


def test_sizes_and_exclusions(wave):
    label, w, _ = wave
    assert len(w.data) == PUBLISHED[label]["n"]
    if label == "2017":  # about 1,600 returns, 1,333 registered social workers analysed
        assert w.metadata["n_read"] == 1600
        counts = w.exclusion_summary().query("scope == 'wave'").set_index("rule")["n"].to_dict()
        assert counts == {"empty_return": 97, "not_registered": 170}
        assert {i.id for i in w.instruments} == {"hse_mit", "pss4", "wrqol"}


def test_headline_figures(wave):
    label, w, s = wave
    pub = PUBLISHED[label]
    cf = (w.data["sector"] == "children_families").to_numpy()
    assert s["pss4"].mean() == pytest.approx(pub["pss4"], abs=0.3)
    assert w.data["intend_leave_job"].mean() == pytest.approx(pub["leave_job"], abs=0.03)
    if "presenteeism_2plus" in pub:
        assert s["presenteeism_2plus"].mean() == pytest.approx(pub["presenteeism_2plus"], abs=0.03)
    else:  # 2017: published for children's social workers only
        assert s.loc[cf, "presenteeism_2plus"].mean() == pytest.approx(pub["presenteeism_2plus_cf"], abs=0.03)
    assert s["dissatisfied"].mean() == pytest.approx(pub["dissatisfied"], abs=0.03)
    assert s["extra_hours_week"].mean() == pytest.approx(pub["extra_hours"], abs=0.5)
    if pub["cf_share"] is not None:
        share = w.data["sector"].eq("children_families").sum() / w.data["sector"].notna().sum()
        assert share == pytest.approx(pub["cf_share"], abs=0.02)


def test_2018_hse_scales_in_the_red_with_peer_support_best_placed():
    _, _, s = loaded("2018")
    bench = load_benchmark("hse_organisational_136")["scales"]
    means = s[HSE].mean()
    bands = {h: band(means[h], bench[h]) for h in HSE}
    assert sum(b == "red" for b in bands.values()) >= 5
    gap = {h: means[h] - bench[h]["p20"] for h in HSE}
    assert max(gap, key=gap.get) == "hse_peer_support"


def test_2018_worse_than_2017_on_six_of_seven():
    means = {label: loaded(label)[2][HSE].mean() for label in ("2017", "2018")}
    assert (means["2018"] < means["2017"]).sum() == 6


def test_2018_stress_regression():
    _, _, s = loaded("2018")
    fit = smf.ols("pss4 ~ " + " + ".join(HSE), data=s).fit()
    for h in ("hse_demands", "hse_control", "hse_managers_support", "hse_role", "hse_change"):
        assert fit.pvalues[h] < 0.01 and fit.params[h] < 0, h  # better conditions, less stress
    for h in ("hse_peer_support", "hse_relationships"):
        assert fit.pvalues[h] > 0.05, h


def test_2017_demands_control_support_interaction():
    _, _, s = loaded("2017")
    c = s.copy()
    for h in HSE:
        c[h] = c[h] - c[h].mean()
    fit = smf.ols("pss4 ~ " + " + ".join(HSE) + " + hse_demands:hse_control:hse_managers_support"
                  " + hse_demands:hse_control + hse_demands:hse_managers_support + hse_control:hse_managers_support",
                  data=c).fit()
    term = "hse_demands:hse_control:hse_managers_support"
    # Poor on all three (all centred scores negative) adds stress: a negative three-way coefficient.
    assert fit.pvalues[term] < 0.01 and fit.params[term] < 0


def test_reliability_as_real_data_show(wave):
    _, w, _ = wave
    rel = reliability(w).query("measure == 'cronbach_alpha'")
    ok = rel["estimate"].between(0.70, 0.92)
    assert ok.all(), rel.loc[~ok, ["scale", "estimate"]]


def test_bme_differences_are_there_as_stated(wave):
    """Assumptions, not findings: BME respondents report poorer Relationships and more racism."""
    _, w, s = wave
    bme = s["bme"] == 1
    white = s["bme"] == 0
    assert s.loc[bme, "hse_relationships"].mean() < s.loc[white, "hse_relationships"].mean() - 0.1
    racism = w.data["racism_service_users_12m"] >= 1
    assert racism[bme].mean() > racism[white].mean() + 0.3


def test_exact_shares_and_item_noise():
    values = exact_shares({"a": 0.571, "b": 0.429}, 3421, np.random.default_rng(1))
    assert (values == "a").sum() == 1953  # 0.571 x 3421 = 1953.4 -> 1953
    # Spearman-Brown: k = 4 items, alpha 0.8 -> inter-item r = 0.5 -> noise SD = true SD.
    assert item_noise_sd(0.7, 4, 0.8) == pytest.approx(0.7)
