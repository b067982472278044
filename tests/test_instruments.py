"""Instrument files against the published facts (docs/sources.md#instruments)."""

import pandas as pd
import pytest
import yaml

from analysis import load_wave, score_wave
from analysis.reading.dictionary import load_dictionary
from analysis.errors import CodebookError
from analysis.instruments import load_instruments, parse_instrument
from analysis.paths import INSTRUMENTS_DIR

# Typed from the reference tables, not read from the package: an independent statement of the facts.
HSE = {
    "hse_demands": [3, 6, 9, 12, 16, 18, 20, 22],
    "hse_control": [2, 10, 15, 19, 25, 30],
    "hse_managers_support": [8, 23, 29, 33, 35],
    "hse_peer_support": [7, 24, 27, 31],
    "hse_relationships": [5, 14, 21, 34],
    "hse_role": [1, 4, 11, 13, 17],
    "hse_change": [26, 28, 32],
}
WRQOL = {
    "wrqol_gwb": [4, 9, 10, 15, 17, 21],
    "wrqol_hwi": [5, 6, 14],
    "wrqol_jcs": [1, 3, 8, 11, 18, 20],
    "wrqol_caw": [2, 12, 23],
    "wrqol_wcs": [13, 16, 22],
    "wrqol_saw": [7, 19],
}
SWEMWBS_TABLE = [7.00, 9.51, 11.25, 12.40, 13.33, 14.08, 14.75, 15.32, 15.84, 16.36, 16.88, 17.43,
                 17.98, 18.59, 19.25, 19.98, 20.73, 21.54, 22.35, 23.21, 24.11, 25.03, 26.02, 27.03,
                 28.13, 29.31, 30.70, 32.55, 35.00]


@pytest.fixture(scope="module")
def inst():
    return {i.id: i for i in load_instruments()}


def _numbers(instrument, scale):
    return sorted(instrument.item_numbers[c] for c in instrument.scale(scale).items)


def test_hse_scales_and_keying(inst):
    hse = inst["hse_mit"]
    assert len(hse.items) == 35 and (hse.answer_min, hse.answer_max) == (1, 5)
    for scale, items in HSE.items():
        assert _numbers(hse, scale) == items
        assert hse.scale(scale).score == "mean"
    # All Demands and all Relationships items are reverse-scored, nothing else.
    assert sorted(hse.item_numbers[c] for c in hse.reverse) == sorted(HSE["hse_demands"] + HSE["hse_relationships"])
    # Every item belongs to exactly one scale.
    assert sorted(n for v in HSE.values() for n in v) == list(range(1, 36))


def test_pss4(inst):
    pss = inst["pss4"]
    assert (pss.answer_min, pss.answer_max) == (0, 4)
    assert [pss.item_numbers[c] for c in pss.reverse] == [2, 3]
    assert pss.scale("pss4").score == "sum"


def test_wrqol(inst):
    w = inst["wrqol"]
    for scale, items in WRQOL.items():
        assert _numbers(w, scale) == items
    assert _numbers(w, "wrqol_total") == list(range(1, 24))  # item 24 is in no subscale
    assert sorted(w.item_numbers[c] for c in w.reverse) == [7, 9, 19]


def test_uwes(inst):
    u = inst["uwes9"]
    assert (u.answer_min, u.answer_max) == (0, 6) and u.reverse == ()
    assert _numbers(u, "uwes_vigour") == [1, 2, 5]
    assert _numbers(u, "uwes_dedication") == [3, 4, 7]
    assert _numbers(u, "uwes_absorption") == [6, 8, 9]
    assert all(s.score == "mean" for s in u.scales)


def test_swemwbs_table(inst):
    s = inst["swemwbs"].scale("swemwbs_metric")
    assert s.lookup == dict(zip(range(7, 36), SWEMWBS_TABLE))


def test_every_instrument_names_its_source(inst):
    for i in inst.values():
        assert len(i.source) > 40 and i.confidence in ("confirmed", "likely", "verify")
        assert i.min_answered == 0.5


def test_a_new_instrument_needs_no_code(tmp_path):
    """Drop a YAML file in a folder: its columns are validated and its scales scored."""
    (tmp_path / "k6.yaml").write_text(yaml.safe_dump({
        "id": "k3", "name": "Toy distress scale", "source": "invented for this test " * 3,
        "item_column": "k3_{number}", "answers": {"min": 0, "max": 4},
        "answer_sets": {"freq": {0: "None", 1: "A little", 2: "Some", 3: "Most", 4: "All"}},
        "items": {1: ["freq", "a"], 2: ["freq", "b"], 3: ["freq", "c"]},
        "reverse": [3], "scales": {"k3": {"label": "Distress", "items": [1, 2, 3], "score": "sum"}},
        "missing_rule": {"min_answered": 0.5},
    }))
    assert "k3_2" in load_dictionary(str(tmp_path))
    data = pd.DataFrame({"respondent_id": ["a", "b"], "k3_1": [4, "Some"], "k3_2": [3, 1], "k3_3": [0, None]})
    wave = load_wave(data, wave="x", instruments_dir=tmp_path)
    # a: 4 + 3 + (4 - 0) = 11; b: (2 + 1) / 2 * 3 = 4.5 (prorated sum, 2 of 3 answered)
    assert score_wave(wave)["k3"].tolist() == [11.0, 4.5]


def test_bad_instrument_file_is_reported():
    spec = yaml.safe_load((INSTRUMENTS_DIR / "pss4.yaml").read_text())
    spec["scales"]["pss4"]["items"] = [1, 2, 9]
    with pytest.raises(CodebookError, match=r"scale pss4 names item\(s\) \[9\]"):
        parse_instrument(spec)
    spec = yaml.safe_load((INSTRUMENTS_DIR / "pss4.yaml").read_text())
    spec["scales"]["pss4"]["score"] = "median"
    with pytest.raises(CodebookError, match="scales/pss4/score"):
        parse_instrument(spec)
