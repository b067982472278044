"""Every malformed file in ``tests/malformed/`` gives a clear error, or loads with a warning that
says what was done: the reading and validation stages against hostile input.

Each test loads one file of the corpus (see ``tests/malformed/README.md``) through
:func:`analysis.load_wave` and checks the problem's kind, column, rows and fix.
"""

from pathlib import Path

import pandas as pd
import pytest

from analysis import (
    SurveyDataError,
    SurveyDataWarning,
    load_wave,
    score_wave,
    scoring_log,
)
from analysis.paths import SYNTHETIC_DIR

MALFORMED = Path(__file__).parent / "malformed"
SYNTHETIC = SYNTHETIC_DIR
HEAD = ["respondent_id", "wave", "pss_1", "pss_2", "pss_3", "pss_4", "sector"]


def load(name, codebook=None, **kwargs):
    cb = codebook if codebook is None or isinstance(codebook, dict) else MALFORMED / codebook
    return load_wave(MALFORMED / name, cb, **kwargs)


def only_problem(name, codebook=None):
    """The single problem loading ``name`` reports (and the whole message)."""
    with pytest.raises(SurveyDataError) as exc:
        load(name, codebook)
    assert len(exc.value.problems) == 1, str(exc.value)
    return exc.value.problems[0], str(exc.value)


def by_kind(name, codebook=None):
    with pytest.raises(SurveyDataError) as exc:
        load(name, codebook)
    return {(p.kind, p.column): p for p in exc.value.problems}, str(exc.value)


def test_every_corpus_file_is_described_in_the_readme():
    readme = (MALFORMED / "README.md").read_text(encoding="utf-8")
    files = sorted(p.name for p in MALFORMED.iterdir() if p.name != "README.md")
    assert files, "the corpus is empty"
    for name in files:
        assert f"`{name}`" in readme, f"{name} is not described in tests/malformed/README.md"
    for name in files:
        assert (MALFORMED / name).stat().st_size < 1024, f"{name}: keep corpus files tiny"


# --- the file itself --------------------------------------------------------------------------------

def test_truncated_csv():
    """Last row cut mid-line: without the check it loaded with m3's last answers blank."""
    p, msg = only_problem("truncated.csv")
    assert p.kind == "truncated file" and p.column is None
    assert p.rows == (3,) and p.count == 1 and p.values == ("m3,2018,2,2",)
    assert "4 of the header's 7 fields" in p.message and "does not end with a line break" in p.message
    assert "export or copy the file again in full" in p.fix
    assert "Rows are data rows" in msg


def test_short_last_row_with_a_line_break(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text((MALFORMED / "truncated.csv").read_text() + "\n")
    with pytest.raises(SurveyDataError) as exc:
        load_wave(path)
    (p,) = exc.value.problems
    assert p.kind == "short row" and p.rows == (3,) and "4 of the header's 7 fields" in p.message


def test_a_row_with_blank_answers_is_not_short(tmp_path):
    """Trailing empty answers written with their delimiters are answers left blank, not a cut."""
    path = tmp_path / "blanks.csv"
    path.write_text(",".join(HEAD) + "\nm1,2018,1,2,3,4,adults\nm2,2018,1,2,,,\n")
    assert load_wave(path).data["pss_3"].isna().tolist() == [False, True]
    quoted = tmp_path / "quoted.csv"  # the last physical line ends a quoted field spanning lines
    quoted.write_text("respondent_id,wave,comments,pss_1,pss_2,pss_3,pss_4,sector\n"
                      'm1,2018,"two\nlines",1,2,3,4,\n')
    assert load_wave(quoted).data["comments"].tolist() == ["two\nlines"]


def test_a_delimiter_at_the_end_of_every_line():
    """One field more than the header: pandas took the first column for the index and shifted the
    rest (respondent_id read the wave column), giving a misleading 'duplicate respondent id'."""
    p, _ = only_problem("trailing_delimiter.csv")
    assert p.kind == "malformed file" and p.column is None
    assert "one field more than the header's 7" in p.message
    assert "remove the delimiter at the end of each line" in p.fix


def test_wrong_delimiter_named_in_the_codebook():
    p, _ = only_problem("wrong_delimiter.csv", "wrong_delimiter.yaml")
    assert p.kind == "wrong delimiter" and p.column is None
    assert "reads as one column" in p.message and "6 ';' characters" in p.message
    assert "delimiter: ';'" in p.fix
    # Without the wrong codebook entry the delimiter is sniffed and the file loads.
    assert load("wrong_delimiter.csv").metadata["delimiter"] == ";"


def test_delimiter_that_cannot_be_sniffed():
    p, _ = only_problem("unknown_delimiter.csv")
    assert p.kind == "unknown delimiter" and p.column is None
    assert "separated by ':'" in p.message and "(, ; tab |)" in p.message
    assert "delimiter: ':'" in p.fix
    wave = load("unknown_delimiter.csv", {"codebook": 1, "delimiter": ":"})
    assert wave.data["respondent_id"].tolist() == ["m1", "m2", "m3"]


def test_latin1_text_is_read_as_windows_1252_with_a_warning_naming_it():
    """'Caf\\xe9' in a category column: read right (not 'Caf\\u0165' from a Central European or Mac
    code page), with a warning that names the encoding and shows the word to check."""
    with pytest.warns(SurveyDataWarning, match=r"not UTF-8; read it as cp1252 \(detected\), e\.g\. 'Café' on line 3"):
        wave = load("latin1.csv", "latin1.yaml")
    assert wave.metadata["encoding"] == "cp1252"
    assert wave.data["sector"].tolist() == ["adults", "other", "mixed"]
    # Without a codebook label for it the value is an unknown category, shown as written.
    with pytest.warns(SurveyDataWarning, match="cp1252"), pytest.raises(SurveyDataError) as exc:
        load("latin1.csv")
    (p,) = exc.value.problems
    assert (p.kind, p.column, p.rows, p.values) == ("unknown category", "sector", (2,), ("Café",))
    assert "answer_labels" in p.fix


def test_latin1_encoding_named_in_the_codebook_loads_quietly():
    cb = {"codebook": 1, "encoding": "latin-1",
          "answer_labels": {"sector": {"columns": ["sector"], "labels": {"Café": "other"}}}}
    assert load("latin1.csv", cb).data["sector"].tolist() == ["adults", "other", "mixed"]
    with pytest.raises(SurveyDataError) as exc:
        load("latin1.csv", {"codebook": 1, "encoding": "utf-8"})
    (p,) = exc.value.problems
    assert p.kind == "wrong encoding" and "cannot be read as utf-8" in p.message and "encoding:" in p.fix


def test_two_header_rows_in_a_csv():
    p, _ = only_problem("two_header_rows.csv")
    assert p.kind == "extra header row" and p.column is None and p.rows == (1,)
    assert p.message.startswith("two header rows?")
    assert "pss_1, pss_2, pss_3, pss_4, sector" in p.message
    assert p.values[:2] == ("Unable to control", "Confident")
    assert p.fix == "remove the second header row or set header_rows: 2 in the codebook"
    wave = load("two_header_rows.csv", {"codebook": 1, "header_rows": 2})
    assert wave.data["respondent_id"].tolist() == ["m1", "m2", "m3"]
    assert wave.data["pss_4"].tolist() == [4.0, 3.0, 2.0] and wave.metadata["n_read"] == 3


def _two_header_workbook(path, second=True):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEAD)
    if second:
        sheet.append(["Respondent", "Wave", "Unable to control", "Confident", "Going your way",
                      "Piling up", "Service area"])
    sheet.append(["m1", "2018", 1, 2, 3, 4, "adults"])
    sheet.append(["m2", "2018", 0, 1, 2, 3, "children_families"])
    book.save(path)
    return path


def test_two_header_rows_in_an_excel_sheet(tmp_path):
    path = _two_header_workbook(tmp_path / "two.xlsx")
    with pytest.raises(SurveyDataError) as exc:
        load_wave(path)
    (p,) = exc.value.problems
    assert p.kind == "extra header row" and p.rows == (1,) and "header_rows: 2" in p.fix
    wave = load_wave(path, {"codebook": 1, "header_rows": 2})
    reference = load_wave(_two_header_workbook(tmp_path / "one.xlsx", second=False))
    pd.testing.assert_frame_equal(wave.data, reference.data)


def test_header_rows_is_refused_where_it_means_nothing(tmp_path):
    pd.DataFrame({"respondent_id": ["a"], "pss_1": [1.0], "pss_2": [1.0], "pss_3": [1.0],
                  "pss_4": [1.0]}).to_parquet(tmp_path / "w.parquet")
    with pytest.raises(SurveyDataError, match=r"\[bad codebook\].*header_rows: 2 is for CSV and Excel"):
        load_wave(tmp_path / "w.parquet", {"codebook": 1, "wave": 1, "header_rows": 2})


def test_three_header_rows_ask_for_header_rows_3(tmp_path):
    text = (MALFORMED / "two_header_rows.csv").read_text().splitlines()
    path = tmp_path / "three.csv"
    path.write_text("\n".join(text[:2] + ['{"ImportId":"QID1"},x,{"a":1},{"b":2},{"c":3},{"d":4},s'] + text[2:]) + "\n")
    with pytest.raises(SurveyDataError) as exc:
        load_wave(path)
    (p,) = exc.value.problems
    assert p.rows == (1, 2) and p.message.startswith("three header rows?") and "header_rows: 3" in p.fix
    assert load_wave(path, {"codebook": 1, "header_rows": 3}).metadata["n_read"] == 3


def test_wrong_labels_everywhere_are_not_taken_for_a_header_row(tmp_path):
    """Unknown labels running down whole columns are reported column by column, as before."""
    path = tmp_path / "labels.csv"
    path.write_text(",".join(HEAD) + "\n" + "".join(f"m{i},2018,Often,Rarely,Often,Rarely,adults\n"
                                                    for i in range(4)))
    with pytest.raises(SurveyDataError) as exc:
        load_wave(path)
    kinds = {(p.kind, p.column) for p in exc.value.problems}
    assert kinds == {("unknown answer label", f"pss_{i}") for i in range(1, 5)}


def test_empty_file():
    p, _ = only_problem("empty.csv")
    assert p.kind == "empty file" and "no content" in p.message and "export the survey again" in p.fix


def test_header_only_file():
    p, _ = only_problem("header_only.csv")
    assert p.kind == "empty file" and "a header but no respondents" in p.message
    assert "with its responses" in p.fix


def test_empty_excel_sheet(tmp_path):
    import openpyxl

    openpyxl.Workbook().save(tmp_path / "empty.xlsx")
    with pytest.raises(SurveyDataError, match=r"\[empty file\].*the sheet has no content"):
        load_wave(tmp_path / "empty.xlsx")


def test_duplicate_column_names():
    p, _ = only_problem("duplicate_columns.csv")
    assert p.kind == "duplicate columns" and "['pss_2']" in p.message and "rename or remove" in p.fix


def test_duplicate_column_names_in_excel_and_dataframes(tmp_path):
    """pandas renames a repeated Excel column to 'pss_2.1'; a DataFrame can hold two of a name."""
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["respondent_id", "wave", "pss_1", "pss_2", "pss_2", "pss_4"])
    book.active.append(["m1", "2018", 1, 2, 3, 4])
    book.save(tmp_path / "dup.xlsx")
    with pytest.raises(SurveyDataError) as exc:
        load_wave(tmp_path / "dup.xlsx")
    (p,) = exc.value.problems
    assert p.kind == "duplicate columns" and "['pss_2']" in p.message
    frame = pd.DataFrame([["m1", "2018", 1, 2, 3, 4]], columns=["respondent_id", "wave", "pss_1", "pss_2", "pss_2", "pss_4"])
    with pytest.raises(SurveyDataError) as exc:
        load_wave(frame)
    kinds = {(p.kind, p.column) for p in exc.value.problems}
    assert ("duplicate columns", None) in kinds and ("incomplete instrument", None) in kinds


def test_codebook_naming_absent_columns():
    p, _ = only_problem("absent_columns.csv", "absent_columns.yaml")
    assert p.kind == "codebook names absent columns"
    assert "['Area', 'StartDate']" in p.message and "['ID', 'Q1', 'Q2', 'Q3', 'Q4']" in p.message
    assert "columns:, ignore:" in p.fix


def test_text_in_numeric_fields():
    found, msg = by_kind("text_in_numeric.csv")
    assert set(found) == {("text in numeric field", "pss_2"), ("text in numeric field", "pss_4")}
    p2, p4 = found[("text in numeric field", "pss_2")], found[("text in numeric field", "pss_4")]
    assert (p2.rows, p2.ids, p2.values) == ((2,), ("m2",), ("two",))
    assert (p4.rows, p4.ids, p4.values) == ((3,), ("m3",), ("n/a",))
    assert "missing code" in p4.fix and "2 problems found" in msg


def test_out_of_range_answers():
    found, _ = by_kind("out_of_range.csv")
    assert set(found) == {("out of range", "pss_3"), ("out of range", "pss_4")}
    p3, p4 = found[("out of range", "pss_3")], found[("out of range", "pss_4")]
    assert (p3.rows, p3.ids, p3.values) == ((2,), ("m2",), (5,))
    assert (p4.rows, p4.ids, p4.values) == ((3,), ("m3",), (-1,))
    assert "expected whole numbers 0-4" in p3.message and "missing_codes" in p3.fix


def test_duplicate_respondent_ids():
    p, _ = only_problem("duplicate_ids.csv")
    assert (p.kind, p.column, p.rows, p.count, p.values) == (
        "duplicate respondent id", "respondent_id", (1, 3), 2, ("m1",))
    assert "remove repeated submissions" in p.fix


def test_every_respondent_excluded():
    p, _ = only_problem("all_excluded.csv", "all_excluded.yaml")
    assert p.kind == "no respondents left"
    assert "all 3 respondents were excluded: empty_return: 2; not_practice: 1" in p.message
    assert "exclusion rules" in p.fix


def test_instrument_with_every_answer_missing():
    """The wave loads; SWEMWBS scores are all missing, every respondent is logged, and a warning
    says so (rather than the instrument silently scoring nothing)."""
    with pytest.warns(SurveyDataWarning, match=r"no respondent answered any SWEMWBS item.*rule 'no_answers'"):
        wave = load("instrument_unanswered.csv", wave=2018)
    assert [i.id for i in wave.instruments] == ["pss4", "swemwbs"]
    log = wave.exclusions
    swem = log[(log.scope == "instrument") & (log.target == "swemwbs")]
    assert sorted(swem.respondent_id) == ["m1", "m2", "m3"] and set(swem.rule) == {"no_answers"}
    scores = score_wave(wave)
    assert scores[["swemwbs_raw", "swemwbs_metric"]].isna().all().all()
    assert scores["pss4"].notna().all()
    assert len(scoring_log(wave).query("target.str.startswith('swemwbs')")) == 0


def test_utf16_with_a_bom_loads_like_utf8(tmp_path):
    wave = load("utf16_bom.csv")
    assert wave.metadata["encoding"] == "utf-16"
    utf8 = tmp_path / "w.csv"
    utf8.write_text((MALFORMED / "utf16_bom.csv").read_text(encoding="utf-16"), encoding="utf-8")
    pd.testing.assert_frame_equal(wave.data, load_wave(utf8).data)


def test_utf16_without_a_bom_is_detected_and_named():
    """Without a BOM, UTF-16 bytes are valid UTF-8 full of NULs: it gave seven 'unknown column'
    problems named 'r e s p o n d e n t _ i d'."""
    with pytest.warns(SurveyDataWarning, match=r"read it as utf-16-le \(detected\)"):
        wave = load("utf16_no_bom.csv")
    pd.testing.assert_frame_equal(wave.data, load("utf16_bom.csv").data)


# --- nobody disappears ------------------------------------------------------------------------------
