"""Reading survey exports: CSV (any common delimiter and encoding), Excel, SPSS, Stata, Parquet.

Readers return the file's table untouched (no renaming, no recoding) together with what the file
says about itself (value labels, declared missing values, encoding, delimiter), so that
:mod:`analysis.reading.codebook` and :mod:`analysis.reading.validation` can map it with nothing coerced silently.
"""

from __future__ import annotations

import csv
import hashlib
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import arrow_csv
from ..errors import Problem, SurveyDataError, SurveyDataWarning, fail

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


def _fail_file(path, kind, message, fix):
    fail(kind, message, fix, place="file", source=str(path), outcome="nothing was loaded")


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
    utf16 = _utf16_without_bom(data)
    if utf16:
        return utf16, True
    try:
        data.decode("utf-8")
        return "utf-8", False
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    results = from_bytes(data)
    best = results.best()
    if best is None:
        return "", True
    # A short file leaves several code pages equally clean, and charset-normalizer may then pick
    # a Central European or Mac one that reads Latin-1 "Caf\xe9" as "Caf\u0165". Survey tools and
    # Excel in the UK write Windows-1252: prefer it when it gives the same text as an equally
    # clean candidate.
    low = min(m.chaos for m in results)
    high = set(data.translate(None, bytes(range(128))))  # the non-ASCII bytes, read once
    if best.encoding != "cp1252" and any(m.chaos <= low and _same_text(high, m.encoding, "cp1252")
                                         for m in results):
        return "cp1252", True
    return best.encoding, True


def _utf16_without_bom(data: bytes) -> str:
    """``utf-16-le``/``-be`` when the bytes look like UTF-16 text with no byte-order mark (every
    other byte of ASCII text is zero), else ``""``. Such bytes are valid UTF-8 full of NULs."""
    head = data[:4096]
    if len(head) < 4 or head.count(0) < len(head) // 4:
        return ""
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if odd > 4 * even:
        return "utf-16-le"
    if even > 4 * odd:
        return "utf-16-be"
    return ""


def _same_text(high: set, encoding: str, other: str) -> bool:
    """True when two single-byte encodings read each of the bytes ``high`` the same way."""
    try:
        return all(bytes([b]).decode(encoding) == bytes([b]).decode(other) for b in high)
    except (UnicodeDecodeError, LookupError):
        return False


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
        _fail_file(path, "empty file", "the file has no content", "export the survey again; the file is empty")
    detected = False
    if encoding is None:
        encoding, detected = detect_encoding(data)
        if not encoding:
            _fail_file(path, "unknown encoding", "the text encoding could not be recognised",
                  "save the export as UTF-8 CSV, or name its encoding in the codebook (encoding:)")
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        _fail_file(path, "wrong encoding", f"the file cannot be read as {encoding}: {exc}",
              "save the export as UTF-8 CSV, or name its real encoding in the codebook (encoding:)")
    if detected and encoding.replace("_", "-").lower() not in ("ascii", "utf-8"):
        warnings.warn(
            f"{path.name} is not UTF-8; read it as {encoding} (detected){_non_ascii_example(text)}. "
            "Check that accented letters in labels look right; if not, name the file's encoding in "
            "the codebook (encoding:), or save the export as UTF-8 CSV.",
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
        _fail_file(path, "empty file", "the file has no header row", "the first line must name the columns")
    _check_delimiter(path, header, delimiter, sample)
    dupes = [name for name, n in Counter(header).items() if n > 1]
    if dupes:
        _fail_file(path, "duplicate columns", f"column name(s) {dupes} appear more than once in the header",
              "rename or remove the repeated columns in the export")
    text_columns = [c for c in header if c in set(text_columns)]
    from io import StringIO

    frame = None
    if len(data) >= arrow_csv.MIN_BYTES:  # large files: pyarrow on every core, the same table
        try:
            frame = arrow_csv.read_csv_arrow(data, encoding, delimiter, text_columns)
        except arrow_csv.NotArrowReadable:
            frame = None  # pandas reads it below (and words any error about a malformed file)
    if frame is None:
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
            _fail_file(path, "malformed file", f"the file is not a well-formed table: {exc}",
                  "check that every row has as many fields as the header (quotes closed, right delimiter)")
    _check_row_lengths(path, text, delimiter, frame)
    frame.columns = header
    return RawTable(frame, "csv", path, hashlib.sha256(data).hexdigest(), encoding=encoding,
                    delimiter=delimiter, header=header)


def _show_delimiter(d: str) -> str:
    return {"\t": "tab", " ": "space"}.get(d, repr(d))


def _check_delimiter(path, header: list, delimiter: str, sample: str) -> None:
    """Fail clearly when the header reads as one column because the delimiter is wrong (a
    codebook naming the wrong one) or is none of those sniffed (e.g. spaces or colons)."""
    if len(header) != 1:
        return
    name = header[0]
    shown = name if len(name) <= 60 else name[:57] + "..."
    others = [d for d in DELIMITERS if d != delimiter and d in name]
    if others:
        d = max(others, key=name.count)
        _fail_file(path, "wrong delimiter",
              f"the header reads as one column {shown!r} when split at {_show_delimiter(delimiter)}; "
              f"it holds {name.count(d)} {_show_delimiter(d)} characters, which look like the file's delimiter",
              f"name the file's delimiter in the codebook (delimiter: {d!r}), or remove a wrong "
              "delimiter: entry so that it is detected")
    lines = [ln for ln in sample.splitlines()[:20] if ln.strip()][1:]
    if not lines:
        return
    guess = ""
    if len(name.split()) >= 2 and all(len(ln.split()) == len(name.split()) for ln in lines):
        guess = " "
    else:
        for c in dict.fromkeys(ch for ch in name if not (ch.isalnum() or ch in "_-. '\"")):
            if all(ln.count(c) == name.count(c) for ln in lines):
                guess = c
                break
    if guess:
        _fail_file(path, "unknown delimiter",
              f"the header reads as one column {shown!r}: the columns seem to be separated by "
              f"{_show_delimiter(guess)}, which is not among the delimiters recognised (, ; tab |)",
              "save the export as comma-separated CSV, or name its delimiter in the codebook "
              f"(delimiter: {guess!r})")


def _check_row_lengths(path, text: str, delimiter: str, frame: pd.DataFrame) -> None:
    """Fail when rows have more fields than the header, or the last row fewer.

    One field more in the first row makes pandas take the first column for the index and shift
    every column one place to the left. A last row with fewer fields is a file cut short (copied
    or downloaded in part), which would otherwise load with that respondent's last answers blank.
    Only the last row is checked for that, and only when its last cell is empty, so the usual
    file costs nothing; short rows elsewhere are not detected.
    """
    if not isinstance(frame.index, pd.RangeIndex):
        _fail_file(path, "malformed file",
              f"the rows have one field more than the header's {frame.shape[1]} (a delimiter at the "
              "end of every line, or a column without a name in the header)",
              "remove the delimiter at the end of each line, or name the extra column in the header")
    n, k = frame.shape
    if n == 0 or k < 2 or pd.notna(frame.iat[n - 1, k - 1]):
        return
    end = len(text)
    while end > 0:  # the last line that pandas did not skip as blank
        while end > 0 and text[end - 1] in "\r\n":
            end -= 1
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end]
        if line.strip(" \t") or delimiter in line:
            break
        end = start
    ends_with_line_break = text[end:] != ""
    if '"' not in line:
        record = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True), [])
    else:  # the line may end a quoted field that spans lines: parse the whole text
        from io import StringIO

        record = []
        for fields in csv.reader(StringIO(text), delimiter=delimiter, skipinitialspace=True):
            if len(fields) > 1 or (fields and fields[0].strip()):
                record = fields
    if len(record) >= k:
        return
    if ends_with_line_break:
        kind, what = "short row", "; rows with empty answers still need every delimiter"
    else:
        kind, what = "truncated file", " and the file does not end with a line break: it looks cut short"
    raise SurveyDataError([Problem(
        kind, None,
        f"the last row has {len(record)} of the header's {k} fields{what}",
        "export or copy the file again in full; or complete the last row (or delete it, and say so)",
        rows=(n,), count=1, values=(line if len(line) <= 60 else "..." + line[-57:],), n_values=1)],
        source=str(path))


def _non_ascii_example(text: str) -> str:
    """``", e.g. 'Café' on line 3"`` for the first word with a non-ASCII letter, to check by eye."""
    import re

    m = re.search(r"[^\s,;|\t\"]*[^\x00-\x7f][^\s,;|\t\"]*", text)
    if not m:
        return ""
    word = m.group()[:40]
    return f", e.g. {word!r} on line {text.count(chr(10), 0, m.start()) + 1}"


def _check_duplicate_header(path, header: list) -> None:
    dupes = [name for name, n in Counter(header).items() if n > 1]
    if dupes:
        _fail_file(path, "duplicate columns", f"column name(s) {dupes} appear more than once in the header",
              "rename or remove the repeated columns in the export")


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
        # header=None: pandas would rename a repeated column "pss_1" to "pss_1.1" silently.
        raw = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, header=None, dtype=object)
    except ValueError as exc:
        _fail_file(path, "unreadable workbook", str(exc), "name an existing sheet in the codebook (sheet:)")
    if raw.empty:
        _fail_file(path, "empty file", "the sheet has no content", "export the survey again; the sheet is empty")
    header = [f"Unnamed: {i}" if pd.isna(c) else str(c) for i, c in enumerate(raw.iloc[0])]
    _check_duplicate_header(path, header)
    frame = raw.iloc[1:].reset_index(drop=True)
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
        _fail_file(path, "unreadable file", f"not a readable {fmt.upper()} file: {exc}",
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
        _fail_file(path, "unreadable file", f"not a readable Parquet file: {exc}", "write the file again")
    return RawTable(frame, "parquet", path, file_sha256(path), header=[str(c) for c in frame.columns])


def read_table(path, *, encoding=None, delimiter=None, sheet=None, text_columns=(), header_rows=1) -> RawTable:
    """Read any supported export by its suffix.

    ``header_rows`` (CSV and Excel): rows at the top that are headers; the first names the
    columns, the others (e.g. the question text some survey tools add) are left out.

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
        _fail_file(path, "missing file", f"no file at {path}", "check the path")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        _fail_file(path, "unsupported format", f"files ending {path.suffix!r} cannot be read",
              f"save the export as one of {sorted(set(FORMATS))}"
              + (" (old .xls workbooks: save as .xlsx)" if path.suffix.lower() == ".xls" else ""))
    if path.stat().st_size == 0:
        _fail_file(path, "empty file", "the file has no content", "export the survey again; the file is empty")
    if fmt == "csv":
        table = read_csv(path, encoding, delimiter, text_columns)
    elif fmt == "excel":
        table = read_excel(path, sheet)
    elif fmt == "parquet":
        table = read_parquet(path)
    else:
        table = read_spss_or_stata(path, fmt)
    if header_rows > 1:
        if fmt not in ("csv", "excel"):
            _fail_file(path, "bad codebook", f"header_rows: {header_rows} is for CSV and Excel files; this is a {fmt} file",
                  "remove header_rows from the codebook")
        table.frame = table.frame.iloc[header_rows - 1:].reset_index(drop=True)
    if table.frame.shape[0] == 0:
        _fail_file(path, "empty file", "the file has a header but no respondents",
              "export the survey again with its responses")
    return table
