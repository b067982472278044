"""Loading waves: every file format, codebooks, and each class of bad input against its message."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from analysis import CodebookError, SurveyDataError, SurveyDataWarning, load_wave, score_wave
from analysis.reading.codebook import write_codebook
from analysis.synthetic import to_raw_export, write_spss_export

from .conftest import write_csv


def canonical_csv(tmp_path, text, name="w.csv", encoding="utf-8"):
    return write_csv(tmp_path / name, text, encoding)


HEAD = "respondent_id,wave,pss_1,pss_2,pss_3,pss_4,sector\n"


def problems(excinfo):
    return {(p.kind, p.column): p for p in excinfo.value.problems}


# --- formats -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small(demo):
    return demo.head(120).copy()


@pytest.mark.parametrize("fmt", ["csv", "tsv", "xlsx", "parquet", "dta"])
def test_every_format_loads_to_the_same_data(small, tmp_path, fmt):
    reference = load_wave(small).data
    path = tmp_path / f"w.{fmt}"
    if fmt == "csv":
        small.to_csv(path, index=False)
    elif fmt == "tsv":
        small.to_csv(path, index=False, sep="\t")
    elif fmt == "xlsx":
        small.to_excel(path, index=False)
    elif fmt == "parquet":
        small.to_parquet(path)
    else:
        small.astype({c: object for c in small.columns if small[c].dtype == object}).to_stata(path, write_index=False)
    pd.testing.assert_frame_equal(load_wave(path).data, reference)


@pytest.mark.parametrize("encoding,sep", [("utf-8-sig", ","), ("utf-16", ";"), ("cp1252", "|"), ("utf-8", "\t")])
def test_csv_encodings_and_delimiters(tmp_path, encoding, sep):
    text = (HEAD + "é1,2018,1,2,3,4,adults\n" + "x2,2018,0,0,0,0,other\n").replace(",", sep)
    path = canonical_csv(tmp_path, text, encoding=encoding)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        wave = load_wave(path)
    assert wave.data["respondent_id"].tolist() == ["é1", "x2"]
    assert wave.metadata["delimiter"] == sep
    if encoding == "cp1252":  # not UTF-8: read, but the user is told which encoding was used
        assert any(issubclass(w.category, SurveyDataWarning) and "not UTF-8" in str(w.message) for w in caught)
    assert wave.data["pss_4"].tolist() == [4.0, 0.0]


def test_spss_with_value_labels_and_csv_with_labels_load_the_same(small, tmp_path):
    """The raw-export twins (labels, odd names, missing codes) load to the canonical data."""
    reference = load_wave(small)
    raw, cb = to_raw_export(small)
    raw.to_csv(tmp_path / "raw.csv", index=False)
    write_codebook(cb, tmp_path / "raw.yaml")
    sav_cb = write_spss_export(small, tmp_path / "raw.sav")
    write_codebook(sav_cb, tmp_path / "sav.yaml")
    from_csv = load_wave(tmp_path / "raw.csv", tmp_path / "raw.yaml")
    from_sav = load_wave(tmp_path / "raw.sav", tmp_path / "sav.yaml")
    pd.testing.assert_frame_equal(from_csv.data, reference.data)
    pd.testing.assert_frame_equal(from_sav.data, reference.data)
    pd.testing.assert_frame_equal(score_wave(from_sav), score_wave(reference))
    assert from_csv.synthetic and from_sav.synthetic
    # Nothing lost: every missing answer is accounted for by a missing code.
    n_missing_items = int(small.filter(regex="^(hse|pss|wrqol|uwes|swemwbs)_").isna().sum().sum())
    coded = sum(v for k, v in from_sav.metadata["missing_coded"].items() if re.match("(hse|pss|wrqol|uwes|swemwbs)_", k))
    assert coded == n_missing_items


def test_spss_codes_are_read_through_their_labels(tmp_path):
    """PSS stored 1..5 in SPSS with labels Never..Very often must become 0..4, not stay 1..5."""
    import pyreadstat

    df = pd.DataFrame({"respondent_id": ["a", "b"], "pss_1": [1.0, 5.0], "pss_2": [2.0, 3.0],
                       "pss_3": [3.0, 4.0], "pss_4": [4.0, 1.0]})
    labels = {1.0: "Never", 2.0: "Almost never", 3.0: "Sometimes", 4.0: "Fairly often", 5.0: "Very often"}
    pyreadstat.write_sav(df, str(tmp_path / "p.sav"), variable_value_labels={f"pss_{i}": labels for i in range(1, 5)})
    wave = load_wave(tmp_path / "p.sav", wave=2018)
    assert wave.data["pss_1"].tolist() == [0.0, 4.0]
    assert wave.data["pss_4"].tolist() == [3.0, 0.0]


# --- bad input: one error listing every problem ---------------------------------------------------

def test_every_problem_is_reported_at_once(tmp_path):
    text = HEAD + "\n".join([
        "a1,2018,1,2,3,7,adults",            # pss_4 = 7: out of range
        "a2,2018,1,two,3,4,adults",          # text in numeric field
        "a1,2018,1,2,3,4,adult services",    # duplicate id; unknown category
        "a4,2018,1.5,2,3,4,adults",          # not a whole number
        ",2018,1,2,3,4,adults",              # missing id
    ]) + "\n"
    with pytest.raises(SurveyDataError) as exc:
        load_wave(canonical_csv(tmp_path, text))
    found = problems(exc)
    assert set(found) == {("out of range", "pss_4"), ("text in numeric field", "pss_2"),
                          ("duplicate respondent id", "respondent_id"), ("unknown category", "sector"),
                          ("out of range", "pss_1"), ("missing respondent id", "respondent_id")}
    msg = str(exc.value)
    assert "w.csv: 6 problems found; nothing was loaded" in msg
    p = found[("out of range", "pss_4")]
    assert p.rows == (1,) and p.ids == ("a1",) and p.values == (7.0,) or p.values == ("7",)
    assert "expected whole numbers 0-4 (0 Never, 1 Almost never" in p.message
    assert "missing_codes" in p.fix
    dup = found[("duplicate respondent id", "respondent_id")]
    assert dup.rows == (1, 3) and dup.count == 2 and dup.values == ("a1",)
    assert found[("text in numeric field", "pss_2")].values == ("two",)
    assert found[("unknown category", "sector")].values == ("adult services",)
    assert "one of children_families, adults, mixed, other" in found[("unknown category", "sector")].message
    assert found[("missing respondent id", "respondent_id")].rows == (5,)


def test_message_shows_first_ids_and_a_count(tmp_path):
    rows = [f"r{i},2018,9,1,1,1,adults" for i in range(1, 13)]
    with pytest.raises(SurveyDataError) as exc:
        load_wave(canonical_csv(tmp_path, HEAD + "\n".join(rows) + "\n"))
    text = str(exc.value)
    assert "12 respondents (data rows 1, 2, 3, 4, 5; ids r1, r2, r3, r4, r5; and 7 more)" in text
    assert "values found: 9" in text


def test_unknown_and_missing_columns(tmp_path):
    text = "id,wave,pss_1,pss_2,pss_3,favourite_colour\nx,2018,1,1,1,blue\n"
    with pytest.raises(SurveyDataError) as exc:
        load_wave(canonical_csv(tmp_path, text))
    found = problems(exc)
    assert ("unknown column", "favourite_colour") in found and ("unknown column", "id") in found
    assert "list it under ignore:" in found[("unknown column", "favourite_colour")].fix
    assert ("missing required column", "respondent_id") in found
    incomplete = found[("incomplete instrument", None)]
    assert "PSS-4: 3 of 4 item columns are present; missing ['pss_4']" in incomplete.message


def test_missing_wave_label_is_required_or_given(tmp_path):
    path = canonical_csv(tmp_path, "respondent_id,pss_1,pss_2,pss_3,pss_4\nx,1,1,1,1\n")
    with pytest.raises(SurveyDataError, match=r"\[missing required column\] column 'wave'"):
        load_wave(path)
    assert load_wave(path, wave=2017).label == "2017"
    assert load_wave(path, {"codebook": 1, "wave": "2018"}).label == "2018"


@pytest.mark.parametrize("content", ["", "   \n", "respondent_id,wave,pss_1,pss_2,pss_3,pss_4\n"])
def test_empty_file(tmp_path, content):
    with pytest.raises(SurveyDataError, match=r"\[empty file\]"):
        load_wave(canonical_csv(tmp_path, content))


def test_duplicate_header_columns(tmp_path):
    with pytest.raises(SurveyDataError, match=r"\[duplicate columns\].*\['pss_1'\]"):
        load_wave(canonical_csv(tmp_path, "respondent_id,wave,pss_1,pss_1\nx,1,1,1\n"))


def test_wrong_encoding_named_in_codebook(tmp_path):
    path = canonical_csv(tmp_path, HEAD + "é,2018,1,1,1,1,adults\n", encoding="cp1252")
    with pytest.raises(SurveyDataError, match=r"\[wrong encoding\].*cannot be read as utf-8"):
        load_wave(path, {"codebook": 1, "encoding": "utf-8"})


def test_unsupported_and_missing_files(tmp_path):
    (tmp_path / "w.xls").write_bytes(b"\xd0\xcf")
    with pytest.raises(SurveyDataError, match=r"save as \.xlsx"):
        load_wave(tmp_path / "w.xls")
    with pytest.raises(SurveyDataError, match=r"\[missing file\]"):
        load_wave(tmp_path / "nope.csv")


# --- codebooks -------------------------------------------------------------------------------------

def test_codebook_labels_missing_codes_and_recodes(tmp_path):
    text = ("ID;Q1;Q2;Q3;Q4;Area;Start\n"
            "1;Never;Very often;-99;Prefer not to say;Kids;2018-01-01\n"
            "2; sometimes ;1;999;4;Adults;2018-01-02\n")
    cb = {"codebook": 1, "wave": 2018,
          "columns": {"ID": "respondent_id", "Q1": "pss_1", "Q2": "pss_2", "Q3": "pss_3", "Q4": "pss_4",
                      "Area": "sector"},
          "ignore": ["Start"], "missing_codes": [-99, "Prefer not to say"],
          "column_missing_codes": {"pss_*": [999]},
          "answer_labels": {"area": {"columns": ["sector"], "labels": {"Kids": "children_families"}}}}
    wave = load_wave(canonical_csv(tmp_path, text), cb)
    d = wave.data
    assert d["respondent_id"].tolist() == ["1", "2"]
    # "Never"/"Very often"/" sometimes " through PSS-4's own labels (case and spaces ignored).
    assert d["pss_1"].tolist() == [0.0, 2.0] and d["pss_2"].tolist() == [4.0, 1.0]
    assert d["pss_3"].isna().all() and d["pss_4"].tolist()[1] == 4.0
    assert d["sector"].tolist() == ["children_families", "adults"]
    assert wave.metadata["missing_coded"] == {"pss_3": 2, "pss_4": 1}
    assert wave.metadata["ignored"] == ["Start"]


def test_codebook_problems(tmp_path):
    path = canonical_csv(tmp_path, "ID,Q1\n1,Often\n")
    with pytest.raises(CodebookError, match="unknown key 'colums'; did you mean 'columns'"):
        load_wave(path, {"codebook": 1, "colums": {}})
    with pytest.raises(SurveyDataError) as exc:
        load_wave(path, {"codebook": 1, "wave": 1, "columns": {"ID": "respondent_id", "Q1": "pss_1", "Q9": "pss_2"}})
    found = problems(exc)
    assert "names 1 export column(s) that are not in the file: 'Q9'" in found[("codebook names absent columns", None)].message
    with pytest.raises(SurveyDataError) as exc:
        load_wave(path, {"codebook": 1, "wave": 1, "columns": {"ID": "respondent_id", "Q1": "respondent_id"}})
    assert ("duplicate columns", "respondent_id") in problems(exc)


def test_unknown_answer_label(tmp_path):
    text = "ID,Q1,Q2,Q3,Q4\n1,Often,Never,Never,Never\n2,Bof,Never,Never,Never\n"
    cb = {"codebook": 1, "wave": 1, "columns": {"ID": "respondent_id", "Q1": "pss_1", "Q2": "pss_2",
                                                 "Q3": "pss_3", "Q4": "pss_4"}}
    with pytest.raises(SurveyDataError) as exc:
        load_wave(canonical_csv(tmp_path, text), cb)
    p = problems(exc)[("unknown answer label", "pss_1")]
    assert p.source_column == "Q1" and set(p.values) == {"Often", "Bof"} and p.count == 2
    assert "answer_labels" in p.fix


# --- exclusions ------------------------------------------------------------------------------------

def test_exclusions_are_logged_with_their_rule(tmp_path):
    text = HEAD + "\n".join([
        "a,2018,1,1,1,1,adults",
        "b,2018,,,,,adults",        # empty return
        "c,2018,1,1,1,1,other",     # excluded by the codebook rule
        "d,2018,1,1,1,1,",          # sector missing: excluded by the second rule
    ]) + "\n"
    cb = {"codebook": 1, "exclude": [
        {"id": "not_practice", "reason": "sector 'other' is outside social work practice", "column": "sector", "in": ["other"]},
        {"id": "no_sector", "reason": "sector not given", "column": "sector", "missing": True}]}
    wave = load_wave(canonical_csv(tmp_path, text), cb)
    assert wave.data["respondent_id"].tolist() == ["a"]
    log = wave.exclusions
    assert list(zip(log.respondent_id, log.rule)) == [("b", "empty_return"), ("c", "not_practice"), ("d", "no_sector")]
    summary = wave.exclusion_summary()
    assert summary["n"].tolist() == [1, 1, 1] and wave.metadata["n_read"] == 4


def test_instrument_with_no_answers_is_logged(demo):
    d = demo.head(20).copy()
    d.loc[3, [f"pss_{i}" for i in range(1, 5)]] = np.nan
    wave = load_wave(d)
    row = wave.exclusions.query("scope == 'instrument'")
    assert row.respondent_id.tolist() == [d.respondent_id[3]] and row.target.tolist() == ["pss4"]
    assert np.isnan(score_wave(wave).loc[3, "pss4"])


def test_no_respondents_left(tmp_path):
    text = HEAD + "a,2018,,,,,adults\nb,2018,,,,,adults\n"
    with pytest.raises(SurveyDataError, match=r"\[no respondents left\].*empty_return: 2"):
        load_wave(canonical_csv(tmp_path, text))
