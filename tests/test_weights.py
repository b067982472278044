"""Raking weights against R 4.2.2's survey::rake and survey::trimWeights: reference numbers in
tests/reference/design/reference.json, made by reference.R from data.csv (see its README)."""

import json

import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDataError
from analysis.specs import check_against_schema
from analysis.stats.weights import MARGINS_DIR, MARGINS_SCHEMA_FILE, load_margins, rake_weights

from .conftest import REFERENCE

REF = json.loads((REFERENCE / "design" / "reference.json").read_text())["rake"]
MARGINS_VARS = ["nation", "sector", "role"]


@pytest.fixture(scope="module")
def data():
    d = pd.read_csv(REFERENCE / "design" / "data.csv", keep_default_na=False, na_values=[""])
    return d.dropna(subset=MARGINS_VARS).reset_index(drop=True)


@pytest.fixture(scope="module")
def margins():
    return load_margins("uk_social_workers_example")


def test_the_rows_are_rs_rows(data):
    assert data["respondent_id"].tolist() == REF["respondent_id"]


def test_weights_equal_survey_rake(data, margins):
    r = rake_weights(data, margins)
    w = r.weights.to_numpy()
    ref = np.array(REF["weights"])
    assert np.max(np.abs(w - ref)) < 1e-8          # weights of about 20-80; observed 6e-10
    assert r.design_effect == pytest.approx(REF["design_effect"], abs=1e-10)
    report = r.report.iloc[0]
    assert report["weight_min"] == pytest.approx(REF["weight_min"], abs=1e-8)
    assert report["weight_max"] == pytest.approx(REF["weight_max"], abs=1e-8)
    assert report["effective_n"] == pytest.approx(len(w) / REF["design_effect"], rel=1e-10)
    assert report["total"] == pytest.approx(120000, rel=1e-12)
    assert report["margins_status"] == "example"
    # the weighted mean as svymean
    assert np.average(data["pss4"], weights=w) == pytest.approx(REF["weighted_mean_pss4"], abs=1e-10)


def test_weighted_margins_match_the_population(data, margins):
    table = rake_weights(data, margins).margins
    assert np.allclose(table["weighted_share"], table["population_share"], rtol=0, atol=1e-10)
    wales = table.set_index(["variable", "category"]).loc[("nation", "Wales")]
    assert wales["population_share"] == pytest.approx(6500 / 120000)
    assert wales["n"] == (data["nation"] == "Wales").sum()


def test_base_weights_equal_survey_rake(data, margins):
    r = rake_weights(data, margins, weights="base_weight")
    assert np.max(np.abs(r.weights.to_numpy() - np.array(REF["base_weighted"]["weights"]))) < 1e-8
    assert r.design_effect == pytest.approx(REF["base_weighted"]["design_effect"], abs=1e-10)


def test_trimming_equals_trim_weights_strict(data, margins):
    r = rake_weights(data, margins, trim=(0.5, 2))
    w = r.weights.to_numpy()
    assert np.max(np.abs(w - np.array(REF["trimmed"]["weights"]))) < 1e-8
    mean = 120000 / len(w)
    assert REF["trimmed"]["lower"] == pytest.approx(0.5 * mean) and REF["trimmed"]["upper"] == pytest.approx(2 * mean)
    assert w.max() <= 2 * mean + 1e-9 and w.sum() == pytest.approx(120000)
    assert r.report["n_trimmed"].iloc[0] > 0 and r.report["max_margin_error"].iloc[0] > 0


def test_shares_and_total_give_the_same_weights_scaled(data, margins):
    counts = rake_weights(data, margins).weights
    shares = {v: {c: n / 120000 for c, n in cats.items()} for v, cats in margins.counts.items()}
    by_share = rake_weights(data, shares).weights
    assert by_share.sum() == pytest.approx(len(data))                 # mean weight 1 by default
    assert np.allclose(by_share * 120000 / len(data), counts, rtol=1e-10)
    assert np.allclose(rake_weights(data, shares, total=120000).weights, counts, rtol=1e-10)


def test_weights_keep_the_index_of_the_data(data, margins):
    shuffled = data.sample(frac=1, random_state=3)
    r = rake_weights(shuffled, margins)
    assert r.weights.index.equals(shuffled.index)
    assert np.allclose(r.weights.sort_index(), rake_weights(data, margins).weights, rtol=1e-10)


def _message(excinfo) -> str:
    return str(excinfo.value)


def test_missing_margin_values_are_refused_naming_rows():
    d = pd.read_csv(REFERENCE / "design" / "data.csv", keep_default_na=False, na_values=[""])
    with pytest.raises(SurveyDataError) as e:
        rake_weights(d, load_margins())
    text = _message(e)
    assert "38 respondent(s) have no 'nation'" in text and "S18-00166" in text and "dropna" in text


def test_a_category_missing_from_the_margins_or_the_data_is_refused(data, margins):
    counts = {v: dict(c) for v, c in margins.counts.items()}
    del counts["sector"]["other"]
    counts["sector"]["adults"] += 6000
    with pytest.raises(SurveyDataError, match=r"\['other'\] of 'sector' in the data but not in the margins"):
        rake_weights(data, counts)
    counts = {v: dict(c) for v, c in margins.counts.items()}
    counts["role"]["other"] = 1000
    counts["role"]["social_worker"] -= 1000
    with pytest.raises(SurveyDataError, match=r"\['other'\] of 'role' in the margins but no respondent has it"):
        rake_weights(data, counts)


def test_margins_with_different_totals_are_refused(data, margins):
    counts = {v: dict(c) for v, c in margins.counts.items()}
    counts["nation"]["England"] += 500
    with pytest.raises(SurveyDataError, match="different totals .*nation 120,500.*sector 120,000"):
        rake_weights(data, counts)


def test_non_convergence_is_refused():
    # no weighting makes men 50 % when every man is old and the old are 40 %
    d = pd.DataFrame({"sex": ["f", "f", "f", "m"], "age": ["old", "young", "young", "old"]})
    with pytest.raises(SurveyDataError, match="did not converge in 100 passes"):
        rake_weights(d, {"sex": {"f": 50, "m": 50}, "age": {"old": 40, "young": 60}})


def test_bad_arguments_are_refused(data, margins):
    with pytest.raises(SurveyDataError, match="margins= is a list"):
        rake_weights(data, [1, 2])
    with pytest.raises(SurveyDataError, match="trim="):
        rake_weights(data, margins, trim=(2, 3))
    with pytest.raises(SurveyDataError, match="'natoin' is not a column"):
        rake_weights(data, {"natoin": {"England": 1}})


def test_every_shipped_margins_file_keeps_its_schema_and_says_its_status():
    import yaml

    files = sorted(MARGINS_DIR.glob("*.yaml"))
    assert files
    for path in files:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        check_against_schema(raw, MARGINS_SCHEMA_FILE, path.name, "bad margins")
        m = load_margins(path.stem)
        totals = {v: sum(c.values()) for v, c in m.counts.items()}
        assert len(set(totals.values())) == 1, (path.name, totals)
        if m.status == "example":
            assert "example" in m.note.lower() and "not published" in m.note.lower()
            assert "ILLUSTRATIVE EXAMPLE" in path.read_text(encoding="utf-8")


def test_a_bad_margins_file_is_refused_with_its_problems(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("margins: 1\nname: bad\ntitle: t\nstatus: guessed\nsource: s\ndate: '2026-01-01'\nnote: n\n"
                   "variables:\n  nation:\n    cuonts: {England: 1, Wales: 2}\n", encoding="utf-8")
    with pytest.raises(Exception, match="status|cuonts") as e:
        load_margins(bad)
    assert "did you mean 'counts'" in str(e.value)
    with pytest.raises(SurveyDataError, match="no margins file"):
        load_margins("no_such_margins")
