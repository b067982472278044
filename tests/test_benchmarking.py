"""HSE benchmarks against closed forms computed in R (tests/reference/models/reference.json) and
their disclosure control."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDataError
from analysis.stats.benchmarking import band, hse_benchmark, load_benchmark

from .conftest import REFERENCE

REF = json.loads((REFERENCE / "models" / "reference.json").read_text())


@pytest.fixture(scope="module")
def data():
    return pd.read_csv(REFERENCE / "models" / "data.csv")


def test_hse_benchmark_matches_closed_forms(data):
    table = hse_benchmark(data).set_index("scale")
    for scale, ref in REF["benchmark"].items():
        row = table.loc[scale]
        assert row["n"] == ref["n"]
        assert row["estimate"] == pytest.approx(ref["mean"], rel=1e-12)
        assert row["conf_low"] == pytest.approx(ref["conf_low"], rel=1e-12)
        assert row["conf_high"] == pytest.approx(ref["conf_high"], rel=1e-12)
        for k in ("p20", "p50", "p80"):
            assert row[f"below_{k}"] == pytest.approx(ref["share_below"][k], rel=1e-12)
    assert table.loc["hse_demands", "band"] == "red"  # 2.63 < P20 2.9387


def test_hse_benchmark_by_group_suppresses_small_groups(data):
    table = hse_benchmark(data, by="sector", threshold=60)
    small = table[table["n"].isna()]
    assert set(small["band"]) == {"suppressed"} and small["estimate"].isna().all()
    assert (table.dropna(subset=["n"])["n"] >= 60).all()


def test_labels_come_from_the_instrument_file_and_unknown_names_get_advice(data):
    table = hse_benchmark(data, ["hse_managers_support", "hse_peer_support"])
    assert table["label"].tolist() == ["Managers' support", "Peer support"]
    assert (table["measure"] == "mean").all() and table["std_error"].notna().all()
    with pytest.raises(SurveyDataError, match=r"did you mean 'hse_demands'"):
        hse_benchmark(data, "hse_demand")
    with pytest.raises(SurveyDataError, match=r"\[unknown benchmark\]"):
        load_benchmark("hse_2030")
    with pytest.raises(SurveyDataError, match="has no percentiles"):
        hse_benchmark(data, benchmark="hse_2023_means")


def test_bands_at_the_cut_offs():
    cuts = {"p20": 3.0, "p50": 3.5, "p80": 4.0}
    assert [band(x, cuts) for x in (2.99, 3.0, 3.5, 3.99, 4.0, np.nan)] == ["red", "yellow", "blue", "blue", "green",
                                                                            "none"]
