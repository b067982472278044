"""The fast reader (pyarrow, used for CSV files from 16 MB up) and pandas' reader give identical
tables, and identical problems, on every bundled file and every malformed one.

The fast reader has two ways of reading a column that is not named as text (analysis/reading/
arrow_csv.py): parsed straight to floats (the typed read, for columns whose first rows are
numbers with a decimal point or an empty cell), or dictionary-encoded and typed from its
distinct texts. Each test runs both: the typed read is forced on small files by shrinking the
sample it decides from.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.errors import SurveyDataError
from analysis.paths import SYNTHETIC_DIR
from analysis.reading import arrow_csv
from analysis.reading.codebook import Codebook, load_codebook
from analysis.reading.dictionary import load_dictionary
from analysis.reading.readers import read_csv
from analysis.reading.waves import load_wave, text_columns

from .conftest import write_csv

MALFORMED = Path(__file__).parent / "malformed"
FILES = sorted(MALFORMED.glob("*.csv")) + sorted(SYNTHETIC_DIR.glob("*.csv"))

#: Codebooks of the bundled exports (their id columns are text, their answers labels).
CODEBOOKS = {
    "wave_2017.csv": "wave_2017.codebook.yaml",
    "wave_2018.csv": "wave_2018.codebook.yaml",
    "wave_2017_export.csv": "wave_2017_export_csv.yaml",
    "wave_2018_export.csv": "wave_2018_export_csv.yaml",
}

#: How the file is read: pandas' C parser; pyarrow typing every column from its distinct texts;
#: pyarrow parsing number columns straight to floats (a sample of 64 bytes: the header and a row
#: or two decide, so that the rows below test the fallback too), a file without quotes in three
#: parts of 4 KB batches, so that small files cross part and batch boundaries too.
READERS = {"pandas": (2**62, arrow_csv.SAMPLE_BYTES), "words": (0, 2**40), "typed": (0, 64)}


def _reader(monkeypatch, reader: str) -> None:
    min_bytes, sample = READERS[reader]
    monkeypatch.setattr(arrow_csv, "MIN_BYTES", min_bytes)
    monkeypatch.setattr(arrow_csv, "SAMPLE_BYTES", sample)
    monkeypatch.setattr(arrow_csv, "PARTS", 3)
    monkeypatch.setattr(arrow_csv, "BLOCK_BYTES", 4096)


def _codebook(path: Path) -> Codebook:
    name = CODEBOOKS.get(path.name)
    return load_codebook(SYNTHETIC_DIR / name) if name else Codebook()


def _read(monkeypatch, path: Path, reader: str):
    """The raw table's frame, or the problems read_csv reports, through one reader."""
    _reader(monkeypatch, reader)
    cb = _codebook(path)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the detected-encoding warning is the same either way
            table = read_csv(path, cb.encoding, cb.delimiter, text_columns(cb, load_dictionary()),
                             header_rows=cb.header_rows)
        return table.frame, None
    except SurveyDataError as exc:
        return None, [(p.kind, p.column, p.rows, p.ids, p.count, p.values, p.message) for p in exc.problems]


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_both_readers_give_identical_tables_or_problems(monkeypatch, path):
    expected, expected_problems = _read(monkeypatch, path, "pandas")
    for reader in ("words", "typed"):
        got, problems = _read(monkeypatch, path, reader)
        assert problems == expected_problems, reader
        if expected is not None:
            pd.testing.assert_frame_equal(got, expected, check_exact=True, obj=reader)


def _load(monkeypatch, path: Path, reader: str):
    _reader(monkeypatch, reader)
    codebook = SYNTHETIC_DIR / CODEBOOKS[path.name] if path.name in CODEBOOKS else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wave = load_wave(path, codebook, wave="2018" if codebook is None else None)
        return wave, None
    except SurveyDataError as exc:  # CodebookError included
        return None, str(exc)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_both_readers_load_identical_waves_or_the_same_message(monkeypatch, path):
    """Through the whole of load_wave: the same canonical data and exclusions, or word for word
    the same error message."""
    expected, message = _load(monkeypatch, path, "pandas")
    for reader in ("words", "typed"):
        got, got_message = _load(monkeypatch, path, reader)
        assert got_message == message, reader
        if expected is not None:
            pd.testing.assert_frame_equal(got.data, expected.data, check_exact=True, obj=reader)
            pd.testing.assert_frame_equal(got.exclusions, expected.exclusions, check_exact=True)
            assert got.metadata == expected.metadata


def _spy(monkeypatch):
    """Record the column types of every pyarrow read of the fast reader."""
    calls = []
    real, real_parts = arrow_csv._read, arrow_csv._read_in_parts

    def spy(source, types, raw_names, options):
        calls.append({n: str(t) for n, t in types.items()})
        return real(source, types, raw_names, options)

    def spy_parts(source, types, raw_names, options):  # a read unless it declines (None)
        got = ...  # (stays so when the read raises)
        try:
            got = real_parts(source, types, raw_names, options)
        finally:
            if got is not None:
                calls.append({n: str(t) for n, t in types.items()})
        return got

    monkeypatch.setattr(arrow_csv, "_read", spy)
    monkeypatch.setattr(arrow_csv, "_read_in_parts", spy_parts)
    monkeypatch.setattr(arrow_csv, "SAMPLE_BYTES", 64)
    return calls


def _rows(n: int, last: str) -> str:
    body = "".join(f"r{i},{(i % 5) + 1}.0,{i % 3},{'' if i % 7 == 0 else i % 4}\n" for i in range(n))
    return "id,x,whole,gaps\n" + body + f"rz,{last},1,2\n"


def test_number_columns_are_parsed_straight_to_floats(tmp_path, monkeypatch):
    calls = _spy(monkeypatch)
    path = write_csv(tmp_path / "t.csv", _rows(200, "2.5"))
    got = arrow_csv.read_csv_arrow(path, "utf-8", ",", ["id"])
    # The sample, then one typed read: x has decimal points and gaps has empty cells, so both are
    # floats whatever follows; whole (0, 1, 2 with no empty cell) may be int64, so it is typed
    # from its distinct texts.
    assert len(calls) == 2
    assert calls[1] == {"id": "string", "x": "double", "whole": "dictionary<values=string, indices=int32, ordered=0>",
                        "gaps": "double"}
    assert got.dtypes.astype(str).tolist() == ["str", "float64", "int64", "float64"]
    assert got["x"].iloc[-1] == 2.5 and np.isnan(got["gaps"].iloc[0]) and got["gaps"].iloc[1] == 1.0
    pd.testing.assert_frame_equal(got, read_csv(path, text_columns=["id"]).frame.set_axis(got.columns, axis=1),
                                  check_exact=True)


@pytest.mark.parametrize("last,dtype", [("n/a", "str"), ("nan", "str"), ("inf", "float64"), ("Infinity", "float64"),
                                        ("0x1F", "str"), ("9223372036854775808", None), ("", "float64"),
                                        ("1e999", "float64")])
def test_a_cell_below_the_sample_that_is_not_a_plain_number_is_read_as_pandas_reads_it(tmp_path, monkeypatch,
                                                                                       last, dtype):
    """Text far down a column that looked like numbers: the typed read fails or is checked, and
    the file is read again from the distinct texts, exactly as pandas reads it."""
    calls = _spy(monkeypatch)
    path = write_csv(tmp_path / "t.csv", _rows(200, last))
    monkeypatch.setattr(arrow_csv, "MIN_BYTES", 2**62)
    expected = read_csv(path, text_columns=["id"]).frame
    if dtype is None:  # a whole number beyond 64 bits: declined, and pandas reads the file
        with pytest.raises(arrow_csv.NotArrowReadable):
            arrow_csv.read_csv_arrow(path, "utf-8", ",", ["id"])
        return
    got = arrow_csv.read_csv_arrow(path, "utf-8", ",", ["id"])
    assert str(got["x"].dtype) == dtype
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert calls[1]["x"] == "double"  # tried typed first
    # Read again from the distinct texts, except when the typed read was right (an empty cell).
    assert len(calls) == (2 if last == "" else 3)


@pytest.mark.parametrize("parts", [1, 2, 3, 7])
@pytest.mark.parametrize("case", ["plain", "no final line end", "crlf", "blank line", "nan far down",
                                  "text far down", "short row far down"])
def test_a_file_read_in_parts_is_the_file_pandas_reads(tmp_path, monkeypatch, parts, case):
    """The typed read of a file without quotes runs in parts (one per core) of small batches; the
    table is pandas' whatever the number of parts, and a file whose lines do not count as rows
    (a blank line) or whose cells below the sample are not numbers is read again another way."""
    calls = _spy(monkeypatch)
    monkeypatch.setattr(arrow_csv, "PARTS", parts)
    monkeypatch.setattr(arrow_csv, "BLOCK_BYTES", 1024)
    text = _rows(400, "2.5")
    if case == "no final line end":
        text = text.rstrip("\n")
    elif case == "crlf":
        text = text.replace("\n", "\r\n")
    elif case == "blank line":
        text = text.replace("r300,", "\nr300,")
    elif case == "nan far down":
        text = text.replace("r350,1.0,", "r350,nan,")
    elif case == "text far down":
        text = text.replace("r350,1.0,", "r350,n/a,")
    elif case == "short row far down":
        text = text.replace("r350,1.0,2,", "r350,1.0,")
    path = write_csv(tmp_path / "t.csv", text)
    monkeypatch.setattr(arrow_csv, "MIN_BYTES", 2**62)
    if case == "short row far down":  # pandas' reader words the error; the fast one declines
        with pytest.raises(arrow_csv.NotArrowReadable):
            arrow_csv.read_csv_arrow(path, "utf-8", ",", ["id"])
        return
    expected = read_csv(path, text_columns=["id"]).frame
    got = arrow_csv.read_csv_arrow(path, "utf-8", ",", ["id"])
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert calls[1]["x"] == "double"  # typed first
    # the sample and the typed read (in parts, or whole when the parts' rows do not add up to their
    # lines: the blank line); read again by words when a cell is not a number (or is "nan")
    assert len(calls) == (3 if case in ("nan far down", "text far down") else 2)


def test_parts_split_a_large_file_on_line_ends_and_count_its_rows():
    data = b"a,b\n" + b"".join(b"%d,%d.5\n" % (i, i) for i in range(10_000))
    got = arrow_csv._read_in_parts(data, {"a": arrow_csv._WORDS, "b": arrow_csv.pa.float64()}, ["a", "b"],
                                   (True, "utf-8", ",", False))
    assert len(got[1].values) == 10_000 and got[1].null_count == 0
    assert np.array_equal(got[1].values, np.arange(10_000) + 0.5)
    assert arrow_csv._count_lines(memoryview(b"x\ny\n")) == 2 and arrow_csv._count_lines(memoryview(b"x\ny")) == 2
    assert arrow_csv._count_lines(memoryview(b"")) == 0
    assert arrow_csv._count_lines(memoryview(b"\n" * 10), step=3) == 10


def test_small_files_are_typed_from_their_distinct_texts_only(tmp_path, monkeypatch):
    calls = _spy(monkeypatch)
    monkeypatch.setattr(arrow_csv, "SAMPLE_BYTES", 1 << 20)
    arrow_csv.read_csv_arrow(write_csv(tmp_path / "t.csv", _rows(200, "2.5")), "utf-8", ",", ["id"])
    assert len(calls) == 1 and "double" not in calls[0].values()


# --- the end-to-end benchmark stage (analysis/tools/speed.py) -------------------------------------

def test_the_r_script_scores_every_mean_or_sum_scale_with_reverse_keying():
    from analysis.instruments import load_instruments
    from analysis.tools.speed import r_script

    script = r_script()
    for inst in load_instruments():
        for scale in inst.scales:
            line = f'scores[["{scale.name}"]] <- rowMeans(d[, c("' + '", "'.join(scale.items) + '"), with = FALSE]'
            assert (line in script) == (scale.score in ("mean", "sum")), scale.name
        if inst.reverse:
            assert f"value = {inst.answer_min + inst.answer_max} - d[[v]])" in script
    assert script.count("rowMeans") == sum(s.score in ("mean", "sum") for i in load_instruments() for s in i.scales)


def test_the_end_to_end_stage_runs_without_r(monkeypatch):
    """R is optional: without Rscript the comparison has no R side and no ratio, and says so."""
    import shutil

    from analysis.tools import speed

    monkeypatch.setattr(shutil, "which", lambda name: None)
    result = speed.compare_with_r(SYNTHETIC_DIR / "demo_wave.csv", repeats=1)
    assert result["r"] is None and result["ratio"] is None and result["r_runs_s"] == []
    py = result["python"]
    assert 400 < py["n"] <= 500 and py["n_columns"] == 100  # the analysable respondents of 500
    assert py["process_s"] > py["import_s"] + py["load_s"] + py["score_s"] > 0
    assert 0 < py["peak_mb"] < 2500 and py["cpu_s"] > 0
    if sys.platform.startswith("linux"):
        # the process's own high-water mark, not the size of this (much larger) test process at fork
        import numpy as np

        ballast = np.ones(100_000_000)  # 800 MB in the parent
        assert speed.end_to_end(SYNTHETIC_DIR / "demo_wave.csv")["peak_mb"] < 500
        del ballast
    # import analysis, load_wave and score_wave load none of the heavy optional dependencies
    assert not set(py["heavy"]) & {"statsmodels", "pingouin", "matplotlib", "scipy"}


# The package's own spec files are loaded without a schema check (issue 16: the check and
# jsonschema's import were a second of every load_wave); this test is that check, for every file
# that has a schema. A user's files (instruments_dir=, codebooks, margins) are checked on every load.
_SCHEMA_OF = {
    "instruments/*.yaml": "instrument.schema.yaml",
    "margins/*.yaml": "margins.schema.yaml",
    "polls/*.yaml": "poll.schema.yaml",
    "headlines.yaml": "headlines.schema.yaml",
    "codebook_draft_rules.yaml": "codebook_draft_rules.schema.yaml",
    "health_check/template.yaml": "health_check_template.schema.yaml",
    "health_check/indicators.yaml": "health_check_indicators.schema.yaml",
    "health_check/thresholds.yaml": "health_check_thresholds.schema.yaml",
}
_BUNDLED = [(path, schema) for pattern, schema in _SCHEMA_OF.items()
            for path in sorted((Path(__file__).parents[1] / "analysis" / "specs").glob(pattern))]


def test_every_bundled_spec_file_is_listed_with_its_schema():
    assert len([p for p, _ in _BUNDLED if p.parent.name == "instruments"]) == 5
    assert len(_BUNDLED) == 5 + 7


@pytest.mark.parametrize("path,schema", _BUNDLED, ids=lambda v: getattr(v, "name", str(v)))
def test_every_bundled_spec_file_passes_its_schema(path, schema):
    import yaml

    from analysis.paths import SCHEMA_DIR
    from analysis.specs import check_against_schema

    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    check_against_schema(spec, SCHEMA_DIR / schema, str(path), "bad spec file")  # raises if broken
    # and libyaml reads it as the pure-Python loader does
    from analysis.specs import read_bundled_yaml

    assert read_bundled_yaml(path) == spec


def test_the_bundled_instruments_load_unchecked_but_a_users_copy_is_checked(tmp_path):
    import yaml

    from analysis.errors import CodebookError
    from analysis.instruments import load_instruments
    from analysis.paths import INSTRUMENTS_DIR
    from analysis.specs import is_bundled

    assert is_bundled(INSTRUMENTS_DIR) and not is_bundled(tmp_path)
    spec = yaml.safe_load((INSTRUMENTS_DIR / "pss4.yaml").read_text(encoding="utf-8"))
    spec["mising_rule"] = spec.pop("missing_rule")
    (tmp_path / "pss4.yaml").write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(CodebookError, match="did you mean 'missing_rule'"):
        load_instruments(tmp_path)


def test_loading_and_scoring_a_canonical_wave_imports_no_jsonschema():
    """The bundled instruments are not schema-checked at load time, so a fresh process that loads
    and scores a canonical CSV without a codebook never imports jsonschema (issue 16)."""
    from analysis.tools.speed import end_to_end

    figures = end_to_end(SYNTHETIC_DIR / "demo_wave.csv")
    assert figures["n"] > 400 and "jsonschema" not in figures["heavy"], figures["heavy"]


def test_libyaml_reads_the_data_dictionary_as_the_pure_python_loader_does():
    import yaml

    from analysis.paths import DICTIONARY_FILE
    from analysis.specs import read_bundled_yaml

    assert read_bundled_yaml(DICTIONARY_FILE) == yaml.safe_load(DICTIONARY_FILE.read_text(encoding="utf-8"))
