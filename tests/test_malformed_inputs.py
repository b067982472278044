"""Every malformed file in ``tests/malformed/`` gives a clear error, or loads with a warning that
says what was done: the reading and validation stages against hostile input.

Each test loads one file of the corpus (see ``tests/malformed/README.md``) through
:func:`analysis.load_wave` and checks the problem's kind, column, rows and fix.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import (
    CodebookError,
    SurveyDataError,
    SurveyDataWarning,
    load_wave,
    score_wave,
    scoring_log,
)
from analysis.paths import SYNTHETIC_DIR

from .conftest import write_csv

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
    assert p.fix == ("set header_rows: 2 in the codebook (leave the file as exported: its checksum is recorded "
                     "in the report's provenance)")
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
    assert "not in the file: 'Area', 'StartDate'" in p.message and "['ID', 'Q1', 'Q2', 'Q3', 'Q4']" in p.message
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


# --- trust at the edges: nothing changed silently ---------------------------------------------------
# Each class of hostile input is refused with a named problem (kind, column, rows, values, fix) or
# loads with a SurveyDataWarning that says what happened.

def _through_arrow(monkeypatch):
    """Make read_csv take the pyarrow fast path first, as it does for files over 16 MB."""
    from analysis.reading import arrow_csv

    monkeypatch.setattr(arrow_csv, "MIN_BYTES", 0)


@pytest.mark.parametrize("reader", ["pandas", "pyarrow"])
def test_a_short_row_anywhere_is_named_with_its_row(monkeypatch, reader):
    """pandas filled m2's missing answers with blanks: pss_4 and sector were silently missing."""
    if reader == "pyarrow":
        _through_arrow(monkeypatch)
    p, msg = only_problem("short_row.csv")
    assert (p.kind, p.column, p.rows, p.count) == ("short row", None, (2,), 1)
    assert "fewer fields than the header's 7 (found 5)" in p.message and p.values == ("m2,2018,0,1,2",)
    assert "an answer left blank still needs its delimiter" in p.fix and "Rows are data rows" in msg


@pytest.mark.parametrize("reader", ["pandas", "pyarrow"])
def test_a_long_row_anywhere_is_named_with_its_row(monkeypatch, reader):
    if reader == "pyarrow":
        _through_arrow(monkeypatch)
    p, _ = only_problem("long_row.csv")
    assert (p.kind, p.rows, p.count) == ("long row", (2,), 1)
    assert "more fields than the header's 7 (found 8)" in p.message and "quote answers" in p.fix


def test_short_and_long_rows_together_are_listed_each(tmp_path):
    text = ",".join(HEAD) + "\n" + "".join(
        f"m{i},2018,1,2,3,4,adults\n" if i % 3 else f"m{i},2018,1,2\n" for i in range(1, 10)) + "m10,2018,1,2,3,4,a,b\n"
    with pytest.raises(SurveyDataError) as exc:
        load_wave(write_csv(tmp_path / "ragged.csv", text))
    found = {p.kind: p for p in exc.value.problems}
    assert found["short row"].rows == (3, 6, 9) and found["short row"].count == 3
    assert found["long row"].rows == (10,)


def test_text_python_reads_as_a_number_is_text_here():
    """float() reads 'nan' (a missing answer), '1_0' (10), '５' and '٣' (5 and 3): no person typing
    an answer means that, and before they loaded as missing or numbers without a word."""
    found, _ = by_kind("number_like_text.csv")
    assert set(found) == {("text in numeric field", f"pss_{i}") for i in range(1, 5)}
    assert found[("text in numeric field", "pss_1")].values == ("nan", "1_0")
    assert found[("text in numeric field", "pss_2")].values == ("NaN", "５")
    assert found[("text in numeric field", "pss_3")].values == ("inf", "٣")
    p4 = found[("text in numeric field", "pss_4")]  # pandas reads '-Infinity' in a column of numbers
    assert p4.rows == (1,) and p4.values == (float("-inf"),) and "infinite values" in p4.message
    p1 = found[("text in numeric field", "pss_1")]
    assert p1.rows == (1, 2) and p1.ids == ("m1", "m2") and "'nan'" in p1.message
    assert "leave the cell empty for no answer" in p1.fix and "missing_codes" in p1.fix


def test_a_whole_column_of_nan_or_inf_is_text_in_a_numeric_field():
    found, _ = by_kind("number_like_column.csv")
    assert set(found) == {("text in numeric field", "pss_3"), ("text in numeric field", "pss_4")}
    assert found[("text in numeric field", "pss_3")].values == ("nan", "NaN")
    assert found[("text in numeric field", "pss_4")].count == 3


def test_nan_is_missing_only_when_the_codebook_says_so():
    """Only an empty cell is no answer by itself; 'nan' typed in a cell is, once declared."""
    wave = load("number_like_column.csv", {"codebook": 1, "missing_codes": ["nan"],
                                           "column_missing_codes": {"pss_4": ["inf", "-Infinity"]}})
    assert wave.data["pss_3"].isna().all() and wave.metadata["missing_coded"]["pss_3"] == 3


def test_invisible_characters_are_refused_and_ids_equal_without_them_are_duplicates():
    found, msg = by_kind("invisible_characters.csv")
    assert set(found) == {("invisible character", "respondent_id"), ("duplicate respondent id", "respondent_id"),
                          ("invisible character", "pss_1"), ("invisible character", "pss_2"),
                          ("invisible character", "sector")}
    ids = found[("invisible character", "respondent_id")]
    assert ids.rows == (2, 3) and ids.values == ("m1\u200b", "\ufeffm3")
    dup = found[("duplicate respondent id", "respondent_id")]
    assert dup.rows == (1, 2) and "once invisible characters are left out" in dup.message
    assert found[("invisible character", "pss_1")].values == ("1\x00",)
    assert found[("invisible character", "pss_2")].values == ("2\u2060",)
    assert found[("invisible character", "sector")].values == ("adults\u200d",)
    assert "nothing is removed silently" in ids.fix and r"'m1\u200b'" in msg  # shown escaped


def _workbook(path, rows, merge=None):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEAD)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    book.save(path)
    return path


GOOD_ROWS = [["m1", "2018", 1, 2, 3, 4, "adults"], ["m2", "2018", 0, 1, 2, 3, "adults"],
             ["m3", "2018", 2, 2, 2, 2, "mixed"]]


def test_excel_formulas_without_a_stored_value_are_refused(tmp_path):
    """openpyxl writes formulas with no cached value; read with data_only=True they were None, a
    silent missing answer."""
    rows = [GOOD_ROWS[0], ["m2", "2018", "=C2+1", 1, 2, 3, "adults"], ["m3", "2018", 2, 2, 2, "=SUM(C2:C3)", "mixed"]]
    with pytest.raises(SurveyDataError) as exc:
        load_wave(_workbook(tmp_path / "formulas.xlsx", rows))
    found = {(p.kind, p.column): p for p in exc.value.problems}
    assert set(found) == {("formula without a value", "pss_1"), ("formula without a value", "pss_4")}
    p = found[("formula without a value", "pss_1")]
    assert (p.rows, p.values) == ((2,), ("=C2+1",)) and "save it" in p.fix


def test_excel_error_cells_are_refused(tmp_path):
    rows = [GOOD_ROWS[0], ["m2", "2018", "#DIV/0!", 1, 2, 3, "adults"], ["m3", "2018", 2, 2, 2, "#N/A", "mixed"]]
    with pytest.raises(SurveyDataError) as exc:
        load_wave(_workbook(tmp_path / "errors.xlsx", rows))
    found = {(p.kind, p.column): p for p in exc.value.problems}
    assert found[("formula error", "pss_1")].values == ("#DIV/0!",)
    assert found[("formula error", "pss_4")].rows == (3,)


def test_excel_merged_cells_are_refused(tmp_path):
    with pytest.raises(SurveyDataError) as exc:
        load_wave(_workbook(tmp_path / "merged.xlsx", GOOD_ROWS, merge="C3:C4"))
    (p,) = exc.value.problems
    assert (p.kind, p.column, p.rows, p.values) == ("merged cells", "pss_1", (2, 3), ("C3:C4",))
    assert "unmerge" in p.fix


def test_the_workbook_checks_do_not_depend_on_openpyxl_internals(tmp_path, monkeypatch):
    """Where openpyxl's read-only archive is laid out otherwise, the same problems come from a full
    load through its public API: never a silent skip."""
    from analysis.reading import readers

    monkeypatch.setattr(readers, "_sheet_xml", lambda book, ws: None)
    with pytest.raises(SurveyDataError) as exc:
        load_wave(_workbook(tmp_path / "merged.xlsx", GOOD_ROWS, merge="C3:C4"))
    assert [(p.kind, p.rows) for p in exc.value.problems] == [("merged cells", (2, 3))]
    rows = [GOOD_ROWS[0], ["m2", "2018", "=C2+1", 1, 2, 3, "adults"], GOOD_ROWS[2]]
    with pytest.raises(SurveyDataError) as exc:
        load_wave(_workbook(tmp_path / "formulas.xlsx", rows))
    assert [(p.kind, p.column) for p in exc.value.problems] == [("formula without a value", "pss_1")]


def test_excel_dates_in_numeric_columns_are_named(tmp_path):
    import datetime

    rows = [["m1", "2018", datetime.datetime(1900, 1, 3), 2, 3, 4, "adults"]] + GOOD_ROWS[1:]
    with pytest.raises(SurveyDataError) as exc:
        load_wave(_workbook(tmp_path / "dates.xlsx", rows))
    (p,) = exc.value.problems
    assert (p.kind, p.column, p.rows) == ("date in numeric field", "pss_1", (1,))
    assert "formatted as a date" in p.message and "Number" in p.fix


def test_excel_text_nan_and_na_are_not_pandas_missing_values(tmp_path):
    """pandas' read_excel turns the text 'nan' and 'NA' into missing values by default."""
    rows = [["m1", "2018", "nan", 2, 3, 4, "adults"], ["m2", "2018", "NA", 1, 2, 3, "adults"], GOOD_ROWS[2]]
    with pytest.raises(SurveyDataError) as exc:
        load_wave(_workbook(tmp_path / "nan.xlsx", rows))
    (p,) = exc.value.problems
    assert (p.kind, p.column, p.values) == ("text in numeric field", "pss_1", ("nan", "NA"))
    wave = load_wave(tmp_path / "nan.xlsx", {"codebook": 1, "missing_codes": ["nan", "NA"]})
    assert wave.data["pss_1"].isna().tolist() == [True, True, False]


def _partly_labelled_sav(path):
    """SWEMWBS (1-5) exported as 0-4 with only the end points labelled."""
    import pyreadstat

    items = [f"swemwbs_{i}" for i in range(1, 8)]
    frame = pd.DataFrame({"respondent_id": ["m1", "m2", "m3"], "wave": ["2018"] * 3,
                          **{c: [0.0, 2.0, 4.0] for c in items}})
    labels = {c: {0.0: "None of the time", 4.0: "All of the time"} for c in items}
    pyreadstat.write_sav(frame, str(path), variable_value_labels=labels)
    return path


def test_spss_codes_partly_labelled_off_the_instruments_range_are_refused(tmp_path):
    """0 'None of the time' was read as 1 and 4 'All of the time' as 5 through their labels, but
    the unlabelled 2 stayed 2: a silent shift of the middle answers."""
    path = _partly_labelled_sav(tmp_path / "partly.sav")
    with pytest.raises(SurveyDataError) as exc:
        load_wave(path)
    assert {p.kind for p in exc.value.problems} == {"partly labelled codes"} and len(exc.value.problems) == 7
    p = exc.value.problems[0]
    assert (p.column, p.rows, p.ids, p.values) == ("swemwbs_1", (2,), ("m2",), (2.0,))
    assert "0 'None of the time' is read as 1" in p.message
    assert "recode: {swemwbs_1: {0: 1, 1: 2, 2: 3, 3: 4, 4: 5}}" in p.fix
    wave = load_wave(path, {"codebook": 1, "recode": {"swemwbs_*": {0: 1, 1: 2, 2: 3, 3: 4, 4: 5}}})
    assert wave.data["swemwbs_1"].tolist() == [1.0, 3.0, 5.0]


def test_spss_labels_of_another_scale_are_not_matched_by_name(tmp_path):
    """A tool's 7-point scale: 'Dissatisfied' is its 2 and our 3, 'Satisfied' its 6 and our 5."""
    import pyreadstat

    labels = {1.0: "Completely dissatisfied", 2.0: "Dissatisfied", 3.0: "Somewhat dissatisfied",
              4.0: "Neither satisfied nor dissatisfied", 5.0: "Somewhat satisfied", 6.0: "Satisfied",
              7.0: "Completely satisfied"}
    frame = pd.DataFrame({"respondent_id": ["m1", "m2", "m3"], "wave": ["2018"] * 3,
                          "job_satisfaction": [2.0, 4.0, 6.0]})  # only labels that match ours
    pyreadstat.write_sav(frame, str(tmp_path / "scale.sav"), variable_value_labels={"job_satisfaction": labels})
    with pytest.raises(SurveyDataError) as exc:
        load_wave(tmp_path / "scale.sav")
    (p,) = exc.value.problems
    assert (p.kind, p.column, p.rows) == ("labels of another scale", "job_satisfaction", (1, 2, 3))
    assert p.values[0] == "Completely dissatisfied" and p.n_values == 4 and "answer_labels" in p.fix
    mapped = {label: code for code, label in zip(range(1, 8), [
        "Completely dissatisfied", "Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied",
        "Somewhat satisfied", "Satisfied", "Completely satisfied"])}
    mapped = {labels[k]: v for k, v in zip(sorted(labels), [1, 2, 3, 4, 5, 6, 7])}
    wave = load_wave(tmp_path / "scale.sav", {"codebook": 1, "answer_labels": {
        "tool": {"columns": ["job_satisfaction"], "labels": mapped}}})
    assert wave.data["job_satisfaction"].tolist() == [2.0, 4.0, 6.0]


def test_csv_labels_of_another_scale_say_so():
    p, _ = only_problem("other_scale_labels.csv")
    assert (p.kind, p.column, p.rows) == ("unknown answer label", "job_satisfaction", (2, 3))
    assert "another scale" in p.message and "'Satisfied'" in p.message and "every label" in p.fix


def test_two_wave_labels_in_one_file_are_refused():
    p, _ = only_problem("two_waves.csv")
    assert (p.kind, p.column, p.rows, p.ids) == ("more than one wave", "wave", (2,), ("m2",))
    assert "'2017' (2 respondents), '2018' (1 respondent)" in p.message and p.values == ("2017", "2018")
    assert "one file per wave" in p.fix
    # With a wave label given, the rows that disagree are named as before.
    with pytest.raises(SurveyDataError, match=r"\[conflicting wave label\]"):
        load("two_waves.csv", wave=2018)


def codebook_problem(csv, codebook):
    with pytest.raises(CodebookError) as exc:
        load(csv, codebook)
    assert len(exc.value.problems) >= 1, str(exc.value)
    return {(p.kind, p.column): p for p in exc.value.problems}


def test_a_recode_that_matches_no_column_is_refused():
    (key, p), = codebook_problem("clean.csv", "unused_recode.yaml").items()
    assert key == ("unused codebook rule", None) and "recode: 'hse_*' matches none" in p.message


def test_reversed_in_source_must_name_reverse_keyed_items():
    found = codebook_problem("clean.csv", "not_reverse_keyed.yaml")
    assert set(found) == {("not a reverse-keyed item", "pss_1"), ("not a reverse-keyed item", "sector")}
    assert "not reverse-keyed" in found[("not a reverse-keyed item", "pss_1")].message  # pss_2 is: fine
    assert "not instrument items" in found[("not a reverse-keyed item", "sector")].message


def test_an_exclusion_rule_that_excludes_nobody_warns():
    """A rule that matched nobody this wave is a legitimate decision: it loads, with a warning."""
    with pytest.warns(SurveyDataWarning, match=r"exclusion rule 'not_practice' excluded nobody \(no respondent has "
                                               r"sector in \['other'\]\)"):
        wave = load("clean.csv", "exclude_nobody.yaml")
    assert wave.metadata["n_analysable"] == 3


def test_exclusion_rules_that_can_never_apply_are_refused():
    found = codebook_problem("clean.csv", "exclude_impossible.yaml")
    assert set(found) == {("bad exclusion rule", "sector"), ("bad exclusion rule", "pss_1"),
                          ("bad exclusion rule", None)}
    assert found[("bad exclusion rule", "sector")].values == ("Other",)
    assert found[("bad exclusion rule", "pss_1")].values == (9,)
    assert "'wemwbs', which is not one of the package's" in found[("bad exclusion rule", None)].message


def test_answer_labels_that_collide_are_refused():
    with pytest.raises(CodebookError) as exc:
        load("clean.csv", "colliding_labels.yaml")
    (p,) = exc.value.problems
    assert p.kind == "colliding answer labels" and p.values == ("Never", "never ")
    two_sets = {"codebook": 1, "answer_labels": {
        "a": {"columns": ["pss_*"], "labels": {"Often": 3}}, "b": {"columns": ["pss_1"], "labels": {"often": 4}}}}
    found = codebook_problem("clean.csv", two_sets)
    assert "gives" not in str(found) and ("colliding answer labels", "pss_1") in found


def test_a_missing_code_that_is_a_valid_answer_is_refused():
    found = codebook_problem("clean.csv", "missing_code_is_answer.yaml")
    (p,) = found.values()
    assert p.kind == "missing code is an answer" and p.values == (0,)
    assert "pss_1: 0 = 'Never'" in p.message and "column_missing_codes" in p.fix
    found = codebook_problem("clean.csv", {"codebook": 1, "missing_codes": ["Never", "mixed"]})
    assert {p.values for p in found.values()} == {("Never",), ("mixed",)}


def test_header_rows_that_swallow_a_respondent_are_refused():
    (key, p), = codebook_problem("two_header_rows.csv", "header_rows_swallow.yaml").items()
    assert key == ("header rows swallow respondents", None)
    assert "leaves out row 3 of the file" in p.message and "header_rows: 2" in p.fix
    assert p.values == ("m1 | 2018 | 1 | 2 | 3 | 4",)


def test_header_rows_beyond_the_file_are_refused():
    with pytest.raises(CodebookError) as exc:
        load("two_header_rows.csv", "header_rows_beyond.yaml")
    (p,) = exc.value.problems
    assert p.kind == "header rows beyond the file" and "the file has 4 rows under its column names" in p.message


@pytest.mark.parametrize("name,where", [("yaml_date.yaml", "at wave: datetime.date(2019, 5, 1) is a date"),
                                        ("yaml_binary.yaml", "at name: b'wave' is bytes"),
                                        ("recode_text_key.yaml", "found 'one'"),
                                        ("recode_boolean_key.yaml", "found True (YAML reads true")])
def test_codebook_values_yaml_types_oddly_are_named_not_a_crash(name, where):
    with pytest.raises(CodebookError) as exc:
        load("clean.csv", name)
    (p,) = exc.value.problems
    assert p.kind in ("bad codebook", "bad recode") and where in p.message and p.fix


def test_poll_ids_differing_only_in_case_or_spaces_are_duplicates():
    from analysis.studies.priorities import load_poll

    with pytest.raises(SurveyDataError) as exc:
        load_poll(MALFORMED / "poll_case_ids.csv")
    (p,) = exc.value.problems
    assert (p.kind, p.rows, p.count) == ("duplicate respondent id", (1, 2, 3, 4), 4)
    assert "differ only in case or surrounding spaces" in p.message


def test_poll_ids_keep_their_leading_zeros():
    from analysis.studies.priorities import load_poll

    poll = load_poll(MALFORMED / "poll_leading_zeros.csv")
    assert poll.data["respondent_id"].tolist() == ["007", "7", "0007"]


def test_a_poll_file_without_an_item_warns_and_never_scores_it_zero():
    from analysis.studies.priorities import load_poll, multi_select_shares, priority_scores

    with pytest.warns(SurveyDataWarning, match=r"no column for rated item \['core_15'\]: its priority score is "
                                               r"missing \(n = 0\), never 0 %; and for multi-select option "
                                               r"\['barrier_other'\]"):
        poll = load_poll(MALFORMED / "poll_missing_item.csv")
    for rule in ("exclude", "zero"):
        core = priority_scores(poll, "core", no_answer=rule, n_boot=0).set_index("item")
        assert np.isnan(core.loc["core_15", "estimate"]) and core.loc["core_15", "n"] == 0, rule
        assert core.loc["core_01", "estimate"] == 100.0
    assert "barrier_other" in set(multi_select_shares(poll, "barriers")["option"])  # as the warning says


# --- no traceback: a named problem, through load_wave and the command line -------------------------

def _zip_of_text(path):
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("notes.txt", date_time=(2018, 1, 1, 0, 0, 0)), "not a survey\n")
    return path


def _not_a_file_cases(tmp_path):
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "codebook.yaml").mkdir()
    return {
        "folder.csv": (tmp_path / "folder.csv", None, "not a file"),
        "zip.csv": (_zip_of_text(tmp_path / "zip.csv"), None, "not a text file"),
        "zip.xlsx": (_zip_of_text(tmp_path / "zip.xlsx"), None, "unreadable workbook"),
        "codebook folder": (MALFORMED / "clean.csv", tmp_path / "codebook.yaml", "not a file"),
        "yaml date": (MALFORMED / "clean.csv", MALFORMED / "yaml_date.yaml", "bad codebook"),
        "yaml binary": (MALFORMED / "clean.csv", MALFORMED / "yaml_binary.yaml", "bad codebook"),
        "recode text key": (MALFORMED / "clean.csv", MALFORMED / "recode_text_key.yaml", "bad recode"),
        "recode boolean key": (MALFORMED / "clean.csv", MALFORMED / "recode_boolean_key.yaml", "bad recode"),
    }


CRASH_CASES = ["folder.csv", "zip.csv", "zip.xlsx", "codebook folder", "yaml date", "yaml binary",
               "recode text key", "recode boolean key"]


@pytest.mark.parametrize("case", CRASH_CASES)
def test_odd_paths_and_codebooks_are_named_problems(tmp_path, case):
    data, codebook, kind = _not_a_file_cases(tmp_path)[case]
    with pytest.raises(SurveyDataError) as exc:
        load_wave(data, codebook)
    assert [p.kind for p in exc.value.problems] == [kind] and exc.value.problems[0].fix


@pytest.mark.parametrize("case", CRASH_CASES)
def test_odd_paths_and_codebooks_through_the_command_line(tmp_path, capsys, case):
    from analysis.cli import main

    data, codebook, kind = _not_a_file_cases(tmp_path)[case]
    argv = ["validate", str(data)] + (["--codebook", str(codebook)] if codebook else [])
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert f"[{kind}]" in err and "Traceback" not in err


def test_row_numbers_of_a_short_row_count_from_the_first_respondent_with_header_rows(tmp_path):
    text = (MALFORMED / "two_header_rows.csv").read_text().replace("m2,2018,0,1,2,3,children_families", "m2,2018,0")
    with pytest.raises(SurveyDataError) as exc:
        load_wave(write_csv(tmp_path / "h.csv", text), {"codebook": 1, "header_rows": 2})
    (p,) = exc.value.problems
    assert (p.kind, p.rows, p.values) == ("short row", (2,), ("m2,2018,0",))


@pytest.mark.parametrize("hidden", ["\x00", "\u200b"])
def test_an_invisible_character_in_a_wave_label_is_refused(tmp_path, hidden):
    """A wave label holding a character nobody can see (ASCII NUL, or a zero-width space) would be
    another wave: the respondents holding it are named."""
    rows = "".join(f"r{i},2018{hidden if i == 3 else ''},1,2,3,4\n" for i in range(1, 6))
    path = write_csv(tmp_path / "w.csv", "respondent_id,wave,pss_1,pss_2,pss_3,pss_4\n" + rows)
    with pytest.raises(SurveyDataError) as exc:
        load_wave(path)
    found = {(p.kind, p.column): p for p in exc.value.problems}
    p = found[("invisible character", "wave")]
    assert (p.rows, p.ids, p.count) == ((3,), ("r3",), 1)
