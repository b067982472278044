"""Reading survey exports: CSV (any common delimiter and encoding), Excel, SPSS, Stata, Parquet.

Readers return the file's table untouched (no renaming, no recoding) together with what the file
says about itself (value labels, declared missing values, encoding, delimiter), so that
:mod:`analysis.codebook` and :mod:`analysis.validation` can map it with nothing coerced silently.
"""

from __future__ import annotations

import csv
import hashlib
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .errors import Problem, SurveyDataError, SurveyDataWarning

#: File suffix -> reader format.
FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".sav": "spss",
    ".zsav": "spss",
    ".dta": "stata",
    ".parquet": "parquet",
    ".pq": "parquet",
}
DELIMITERS = ",;\t|"


@dataclass
class RawTable:
    """A table as read from an export, before any mapping.

    Attributes
    ----------
    frame : DataFrame
        The file's columns as stored (CSV cells as text, unless every cell of a column is a
        number; other formats with their own types).
    format : str
        ``csv``, ``excel``, ``spss``, ``stata`` or ``parquet``.
    path : Path
    sha256 : str
        Hash of the file's bytes (for provenance).
    value_labels : dict
        Column -> {code: label}, from SPSS or Stata metadata.
    declared_missing : dict
        Column -> list of values the file itself declares missing (SPSS user-missing values).
    encoding, delimiter : str or None
        For CSV: as used (given or detected).
    header : list of str
        Column names as they appear in the file, duplicates included.
    """

    frame: pd.DataFrame
    format: str
    path: Path
    sha256: str
    value_labels: dict = field(default_factory=dict)
    declared_missing: dict = field(default_factory=dict)
    encoding: str | None = None
    delimiter: str | None = None
    header: list = field(default_factory=list)


def _fail(path, kind, message, fix):
    raise SurveyDataError([Problem(kind, None, message, fix)], source=str(path))


def file_sha256(path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def detect_encoding(data: bytes) -> tuple[str, bool]:
    """Return (encoding, detected) for CSV bytes: UTF-8 (with or without BOM) and UTF-16 with a
    BOM are recognised exactly; anything else is detected with charset-normalizer.

    Examples
    --------
    >>> detect_encoding("Café".encode("utf-8"))
    ('utf-8', False)
    >>> detect_encoding(b"\\xef\\xbb\\xbfid")
    ('utf-8-sig', False)
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig", False
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", False
    try:
        data.decode("utf-8")
        return "utf-8", False
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        return "", True
    return best.encoding, True


def read_csv(path, encoding: str | None = None, delimiter: str | None = None, text_columns=()) -> RawTable:
    """Read a delimited text export.

    Parameters
    ----------
    path : str or Path
    encoding : str, optional
        Default: detected (UTF-8 and UTF-8 with BOM exactly; others with charset-normalizer, with a
        :class:`SurveyDataWarning` naming the encoding used).
    delimiter : str, optional
        Default: sniffed among ``,`` ``;`` tab and ``|``.
    text_columns : iterable of str
        Export columns always kept as text (identifiers, so "007" keeps its zeros).
    """
    path = Path(path)
    data = path.read_bytes()
    if not data.strip():
        _fail(path, "empty file", "the file has no content", "export the survey again; the file is empty")
    detected = False
    if encoding is None:
        encoding, detected = detect_encoding(data)
        if not encoding:
            _fail(path, "unknown encoding", "the text encoding could not be recognised",
                  "save the export as UTF-8 CSV, or name its encoding in the codebook (encoding:)")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        _fail(path, "wrong encoding", f"the file cannot be read as {encoding}: {exc}",
              "save the export as UTF-8 CSV, or name its real encoding in the codebook (encoding:)")
    if detected and encoding.replace("_", "-").lower() not in ("ascii", "utf-8"):
        warnings.warn(
            f"{path.name} is not UTF-8; read it as {encoding} (detected). Check that accented "
            "letters in labels look right, or name the encoding in the codebook (encoding:).",
            SurveyDataWarning,
            stacklevel=3,
        )
    text = text.removeprefix("\ufeff")
    sample = text[:65536]
    if delimiter is None:
        delimiter = _sniff_delimiter(sample)
    header_line = next(csv.reader([sample.splitlines()[0]], delimiter=delimiter)) if sample.strip() else []
    header = [h.strip() for h in header_line]
    if not any(header):
        _fail(path, "empty file", "the file has no header row", "the first line must name the columns")
    dupes = [name for name, n in Counter(header).items() if n > 1]
    if dupes:
        _fail(path, "duplicate columns", f"column name(s) {dupes} appear more than once in the header",
              "rename or remove the repeated columns in the export")
    text_columns = [c for c in header if c in set(text_columns)]
    from io import StringIO

    try:
        frame = pd.read_csv(
            StringIO(text),
            sep=delimiter,
            dtype={c: str for c in text_columns} or None,
            keep_default_na=False,
            na_values=[""],
            skipinitialspace=True,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        _fail(path, "malformed file", f"the file is not a well-formed table: {exc}",
              "check that every row has as many fields as the header (quotes closed, right delimiter)")
    frame.columns = header
    return RawTable(frame, "csv", path, hashlib.sha256(data).hexdigest(), encoding=encoding,
                    delimiter=delimiter, header=header)


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:50] if ln.strip()]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        # One column, or too irregular to sniff: take the delimiter most common in the header.
        counts = {d: lines[0].count(d) for d in DELIMITERS} if lines else {}
        best = max(counts, key=counts.get) if counts else ","
        return best if counts.get(best) else ","


def read_excel(path, sheet=None) -> RawTable:
    """Read one sheet of an Excel workbook (default the first), cells with their Excel types."""
    path = Path(path)
    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=object)
    except ValueError as exc:
        _fail(path, "unreadable workbook", str(exc), "name an existing sheet in the codebook (sheet:)")
    header = [str(c) for c in frame.columns]
    frame.columns = header
    return RawTable(frame, "excel", path, file_sha256(path), header=header)


def read_spss_or_stata(path, fmt: str) -> RawTable:
    """Read SPSS ``.sav``/``.zsav`` or Stata ``.dta`` with pyreadstat, keeping the stored codes,
    their value labels and the user-declared missing values."""
    import pyreadstat

    path = Path(path)
    reader = pyreadstat.read_sav if fmt == "spss" else pyreadstat.read_dta
    kwargs = {"user_missing": True} if fmt == "spss" else {}
    try:
        frame, meta = reader(str(path), apply_value_formats=False, **kwargs)
    except Exception as exc:  # pyreadstat raises its own ReadstatError and friends
        _fail(path, "unreadable file", f"not a readable {fmt.upper()} file: {exc}",
              "export the file again from SPSS/Stata, or as CSV")
    declared: dict = {}
    for col, ranges in (getattr(meta, "missing_ranges", None) or {}).items():
        values = []
        for rng in ranges:
            lo, hi = rng["lo"], rng["hi"]
            values.extend([lo] if lo == hi else [v for v in frame[col].dropna().unique() if lo <= v <= hi])
        declared[col] = values
    labels = {c: dict(v) for c, v in (meta.variable_value_labels or {}).items()}
    return RawTable(frame, fmt, path, file_sha256(path), value_labels=labels, declared_missing=declared,
                    header=list(frame.columns))


def read_parquet(path) -> RawTable:
    """Read a Parquet file."""
    path = Path(path)
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises several unrelated types
        _fail(path, "unreadable file", f"not a readable Parquet file: {exc}", "write the file again")
    return RawTable(frame, "parquet", path, file_sha256(path), header=[str(c) for c in frame.columns])


def read_table(path, *, encoding=None, delimiter=None, sheet=None, text_columns=()) -> RawTable:
    """Read any supported export by its suffix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "w.csv"
    >>> _ = p.write_text("respondent_id;pss_1\\nA1;3\\n", encoding="utf-8")
    >>> t = read_table(p)
    >>> t.delimiter, list(t.frame.columns)
    (';', ['respondent_id', 'pss_1'])
    """
    path = Path(path)
    if not path.exists():
        _fail(path, "missing file", f"no file at {path}", "check the path")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        _fail(path, "unsupported format", f"files ending {path.suffix!r} cannot be read",
              f"save the export as one of {sorted(set(FORMATS))}"
              + (" (old .xls workbooks: save as .xlsx)" if path.suffix.lower() == ".xls" else ""))
    if path.stat().st_size == 0:
        _fail(path, "empty file", "the file has no content", "export the survey again; the file is empty")
    if fmt == "csv":
        table = read_csv(path, encoding, delimiter, text_columns)
    elif fmt == "excel":
        table = read_excel(path, sheet)
    elif fmt == "parquet":
        table = read_parquet(path)
    else:
        table = read_spss_or_stata(path, fmt)
    if table.frame.shape[0] == 0:
        _fail(path, "empty file", "the file has a header but no respondents",
              "export the survey again with its responses")
    return table
