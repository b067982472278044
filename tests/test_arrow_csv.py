"""The pyarrow CSV reader gives exactly the table pandas' C parser gives (analysis.reading.readers.read_csv), or
declines (NotArrowReadable) so that pandas reads the file."""

import random
import warnings

import numpy as np
import pandas as pd
import pytest

from analysis.reading.codebook import Codebook, load_codebook
from analysis.reading.dictionary import load_dictionary
from analysis.errors import SurveyDataError
from analysis.reading.arrow_csv import NotArrowReadable, read_csv_arrow
from analysis.reading.readers import read_csv
from analysis.paths import SYNTHETIC_DIR
from analysis.synthetic import demo_wave
from analysis.reading.waves import text_columns

from .conftest import write_csv


def reference(path, encoding=None, delimiter=None, text=()):
    """What analysis.reading.readers.read_csv gives (pandas' C parser), with the encoding and delimiter it used."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the detected-encoding warning is io's business
        table = read_csv(path, encoding, delimiter, text)
    return table.frame, table.encoding, table.delimiter


def assert_same(path, encoding=None, delimiter=None, text=()):
    expected, encoding, delimiter = reference(path, encoding, delimiter, text)
    got = read_csv_arrow(path, encoding, delimiter, text)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    return got


# --- the bundled files ---------------------------------------------------------------------------

BUNDLED = {
    "wave_2017.csv": "wave_2017.codebook.yaml",
    "wave_2018.csv": "wave_2018.codebook.yaml",
    "wave_2017_export.csv": "wave_2017_export_csv.yaml",
    "wave_2018_export.csv": "wave_2018_export_csv.yaml",
    "demo_wave.csv": None,
    "union_poll.csv": None,
}


@pytest.mark.parametrize("name", sorted(BUNDLED))
def test_bundled_files_read_the_same(name):
    cb = load_codebook(SYNTHETIC_DIR / BUNDLED[name]) if BUNDLED[name] else Codebook()
    text = text_columns(cb, load_dictionary())
    got = assert_same(SYNTHETIC_DIR / name, cb.encoding, cb.delimiter, text)
    assert len(got) > 100


def test_bytes_and_path_give_the_same_frame():
    path = SYNTHETIC_DIR / "wave_2018_export.csv"
    pd.testing.assert_frame_equal(read_csv_arrow(path.read_bytes(), "utf-8", ","),
                                  read_csv_arrow(path, "utf-8", ","), check_exact=True)


def test_many_blocks(tmp_path):
    # 20,000 respondents x 100 columns is about 9 MB: pyarrow parses it in several 1 MB blocks,
    # so every column arrives in chunks.
    path = tmp_path / "big.csv"
    demo_wave(n=20_000, seed=3, wave="2018").to_csv(path, index=False)
    got = assert_same(path, text=text_columns(Codebook(), load_dictionary()))
    assert got.shape == (20_000, 100)


# --- edge cases, each against pandas -------------------------------------------------------------

EDGE = {
    "quoted delimiters": 'id,note,x\na,"one, two",1\nb,"x;y",2\n',
    "embedded newlines": 'id,note,x\na,"line one\nline two",1\nb,"cr\r\nlf",2\n',
    "doubled quotes": 'id,note,x\na,"say ""hi""",1\nb,"",2\n',
    "crlf line ends": "id,x,y\r\na,1,2.5\r\nb,3,\r\n",
    "no final line break": "id,x\na,1\nb,2",
    "blank lines": "id,x\na,1\n\nb,2\n\n",
    "empty cells": "id,x,y,z\na,,1.5,\nb,2,,\nc,3,2.5,\n",
    "spaces after delimiters": "id,x,y\na, 1,  x\nb,   ,y\nc, 2,z\n",
    "a column with one non-number": "id,x,y\na,1,1\nb,n/a,2\nc,3,3\n",
    "nan is text": "id,x\na,nan\nb,1.5\n",
    "NA and -99 stay as they are": "id,x,y\na,NA,-99\nb,1,-99\n",
    "infinities": "id,x\na,inf\nb,-Infinity\nc,1.5\nd,1e999\n",
    "number spellings": "id,x,y,z\na,+5,1e3,.5\nb,007,1E-2,5.\nc,-0,+.25,-3\n",
    "white space around numbers": "id,x,y\na,3 ,\t4\nb,5\t, 6 \n",
    "whole numbers with a blank are floats": "id,x\na,1\nb,\nc,3\n",
    "all cells empty": "id,x,y\na,,1\nb,,2\n",
    "true and false": "id,x,y,z\na,True,TRUE,true\nb,False,,FALSE\n",
    "true with a number is text": "id,x\na,True\nb,1\n",
    "hexadecimal is text": "id,x\na,0x1F\nb,10\n",
    "large whole numbers": "id,x,y\na,9223372036854775807,12345678901234567\nb,-9223372036854775808,1\n",
    "long decimals": "id,x\na,0.1000000000000000055511151231257827\nb,3.14159265358979323846264338327950288\n",
    "unicode": "id,label,x\né1,Café,1\nø2,naïve 日本,2\n",
    "tab-like text kept": "id,label\na,\tindented\nb,trailing \n",
}


@pytest.mark.parametrize("case", sorted(EDGE))
def test_edge_cases_read_as_pandas_reads_them(tmp_path, case):
    assert_same(write_csv(tmp_path / "e.csv", EDGE[case]))


def test_numeric_looking_text_columns_stay_text(tmp_path):
    path = write_csv(tmp_path / "t.csv", "respondent_id,code,x\n007,1,1\n010,,2\n")
    got = assert_same(path, text=["respondent_id", "code"])
    assert got["respondent_id"].tolist() == ["007", "010"]
    assert got["code"].tolist()[0] == "1" and pd.isna(got["code"].iloc[1])
    assert got["x"].dtype == np.int64


@pytest.mark.parametrize("encoding,delimiter", [("utf-8-sig", ","), ("utf-16", ";"), ("utf-16-le", ","),
                                                ("cp1252", "|"), ("utf-8", "\t")])
def test_encodings_and_delimiters(tmp_path, encoding, delimiter):
    text = 'respondent_id,sector,x,note\né1,Café,1,"a, b"\nx2,adults,2.5,\n'.replace(",", delimiter)
    path = write_csv(tmp_path / "e.csv", text, encoding)
    got = assert_same(path, encoding, delimiter)
    assert got["sector"].tolist() == ["Café", "adults"]


def test_byte_order_mark_is_not_part_of_the_first_name(tmp_path):
    path = write_csv(tmp_path / "b.csv", "respondent_id,x\na,1\n", "utf-8-sig")
    assert list(assert_same(path, "utf-8", ",").columns) == ["respondent_id", "x"]


def test_header_names_are_stripped(tmp_path):
    got = assert_same(write_csv(tmp_path / "h.csv", " id , x\na,1\n"))
    assert list(got.columns) == ["id", "x"]


def test_a_column_of_numbers_with_one_text_cell_is_all_text(tmp_path):
    # The contract of analysis.reading.readers.RawTable: cells as text unless every cell of a column is a
    # number. (pandas' C parser breaks it for large files, typing a column chunk by chunk: see the
    # module docstring.)
    rows = "".join(f"r{i},{i % 5}\n" for i in range(2000))
    got = read_csv_arrow(write_csv(tmp_path / "m.csv", "id,x\n" + rows + "rz,n/a\n"), "utf-8", ",")
    assert pd.api.types.is_string_dtype(got["x"].dtype)
    assert got["x"].iloc[0] == "0" and got["x"].iloc[-1] == "n/a"


# --- what pyarrow would read differently: declined, and pandas reads it --------------------------

DECLINED = {
    "a short row": "id,x,y\na,1,2\nb,3\nc,4,5\n",
    "a long row": "id,x\na,1,2\nb,3\n",
    "a delimiter at the end of every line": "id,x\na,1,\nb,2,\n",
    "spaces before a quoted cell": 'id,note\na, "x, y"\nb,z\n',
    "spaces inside a quoted cell": 'id,note\na,"  x"\nb,z\n',
    "whole numbers beyond 64 bits": "id,x\na,9223372036854775808\nb,1\n",
    "one column": "id\na\n   \nb\n",
    "a header only": "id,x\n",
}


@pytest.mark.parametrize("case", sorted(DECLINED))
def test_declines_what_pandas_must_read(tmp_path, case):
    path = write_csv(tmp_path / "d.csv", DECLINED[case])
    with pytest.raises(NotArrowReadable):
        read_csv_arrow(path, "utf-8", ",")


def test_duplicate_names_are_declined(tmp_path):
    with pytest.raises(NotArrowReadable, match="duplicate"):
        read_csv_arrow(write_csv(tmp_path / "d.csv", "id,x,x\na,1,2\n"), "utf-8", ",")


# --- random tables -------------------------------------------------------------------------------

ODD = ["+5", " 3", "3 ", "\t4", "nan", "NaN", "inf", "-Infinity", "1e400", "1e-400", "True", "false", "",
       "  ", "0x1F", "007", "-0", "1.", ".5", "1E+05", "abc", "é", '"1,5"', '"a\nb"', '""', '"3"', "1_0",
       "9223372036854775807", "12345678901234567", "0.1234567890123456789", "true ", "-", ".", "e5"]


def _random_table(rng: random.Random) -> str:
    def cell(kind):
        if rng.random() < 0.04:
            return rng.choice(ODD)
        if kind == "int":
            return str(rng.randint(-50, 50))
        if kind == "float":
            return "" if rng.random() < 0.2 else repr(rng.uniform(-1, 1) * 10 ** rng.randint(-20, 20))
        if kind == "bool":
            return rng.choice(["True", "False", "FALSE", ""])
        return rng.choice(["a", "b c", "007", "12", '"q, r"', ""])

    kinds = [rng.choice(["int", "float", "bool", "text"]) for _ in range(rng.randint(2, 5))]
    rows = [",".join(f"c{i}" for i in range(len(kinds)))]
    rows += [",".join(cell(k) for k in kinds) for _ in range(rng.randint(1, 20))]
    return "\n".join(rows) + "\n"


@pytest.mark.parametrize("sample", [1 << 20, 24], ids=["from distinct texts", "typed"])
def test_random_tables_read_as_pandas_reads_them_or_are_declined(tmp_path, monkeypatch, sample):
    # With a sample of 24 bytes (the header and a row), files over 96 bytes take the typed read:
    # number columns parsed straight to floats, checked, and read again from their texts if need be.
    from analysis.reading import arrow_csv

    monkeypatch.setattr(arrow_csv, "SAMPLE_BYTES", sample)
    rng = random.Random(20181203)
    same = declined = 0
    for i in range(150):
        path = write_csv(tmp_path / f"r{i}.csv", _random_table(rng))
        names = [f"c{j}" for j in range(5)]
        text = [c for c in names if rng.random() < 0.2]
        try:
            expected, _, _ = reference(path, "utf-8", ",", text)
        except SurveyDataError:
            expected = None
        try:
            got = read_csv_arrow(path, "utf-8", ",", text)
        except NotArrowReadable:
            declined += 1
            continue
        assert expected is not None, path.read_text()
        pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=repr(path.read_text()))
        same += 1
    assert same > 100  # declining is the exception


# --- the malformed-input corpus ------------------------------------------------------------------

def _corpus():
    from pathlib import Path

    folder = Path(__file__).parent / "malformed"
    return sorted(p for p in folder.iterdir() if p.suffix == ".csv")


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: p.name)
def test_malformed_corpus_reads_the_same_through_either_reader(monkeypatch, path):
    """Every CSV of tests/malformed/ gives the same table through pyarrow and pandas, or the same
    problems: read_csv with the fast path taken for every size (as for files over 16 MB) against
    pandas' reader."""
    from analysis.reading import arrow_csv

    def read(fast):
        monkeypatch.setattr(arrow_csv, "MIN_BYTES", 0 if fast else 2**62)
        try:
            return reference(path, text=["respondent_id"])[0], None
        except SurveyDataError as exc:
            return None, [(p.kind, p.column, p.rows, p.values) for p in exc.problems]

    slow, slow_problems = read(False)
    fast, fast_problems = read(True)
    assert fast_problems == slow_problems
    if slow is not None:
        pd.testing.assert_frame_equal(fast, slow, check_exact=True)
        try:
            got = read_csv_arrow(path, *reference(path, text=["respondent_id"])[1:], ["respondent_id"])
        except NotArrowReadable:
            return
        pd.testing.assert_frame_equal(got, slow, check_exact=True)


RAGGED = {
    "a short row in the middle": ("id,x,y\na,1,2\nb,3\nc,4,5\n", "short row", (2,)),
    "a long row in the middle": ("id,x,y\na,1,2\nb,3,4,5\nc,4,5\n", "long row", (2,)),
    "a short quoted row": ('id,x,y\na,"1, one",2\nb,"3"\nc,4,5\n', "short row", (2,)),
    "blank lines are not rows": ("id,x,y\na,1,2\n\n   \nb,3\n", "short row", (2,)),
}


@pytest.mark.parametrize("case", sorted(RAGGED))
def test_rows_of_the_wrong_length_are_named_by_both_readers(tmp_path, monkeypatch, case):
    from analysis.reading import arrow_csv

    text, kind, rows = RAGGED[case]
    path = write_csv(tmp_path / "r.csv", text)
    for size in (2**62, 0):  # pandas, then pyarrow first
        monkeypatch.setattr(arrow_csv, "MIN_BYTES", size)
        with pytest.raises(SurveyDataError) as exc:
            read_csv(path)
        (p,) = exc.value.problems
        assert (p.kind, p.rows) == (kind, rows), size
