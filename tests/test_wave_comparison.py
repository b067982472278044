"""Wave comparison on the bundled synthetic waves, against scipy computed here independently."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import load_wave
from analysis.measures.scoring import analysis_frame
from analysis.stats.wave_comparison import compare_waves

from .conftest import frame


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
    assert leave["conf_low"] == pytest.approx(leave["estimate"] - stats.norm.ppf(0.975) * se, rel=1e-10)
    assert leave["std_error"] == pytest.approx(se, rel=1e-12)
    assert leave["test"] == "chi_square" and leave["p_value"] < 0.001  # 53 % -> 60 %
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
