"""Reading survey exports: CSV (any common delimiter and encoding), Excel, SPSS, Stata, Parquet.

Readers return the file's table untouched (no renaming, no recoding) together with what the file
says about itself (value labels, declared missing values, encoding, delimiter), so that
:mod:`analysis.reading.codebook` and :mod:`analysis.reading.validation` can map it with nothing coerced silently.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import warnings
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
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
    header_extra : DataFrame or None
        The rows under the column names that ``header_rows`` left out (question text, ...), for
        :mod:`analysis.reading.validation` to check that none of them is a respondent.
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
    header_extra: pd.DataFrame | None = None


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
    if data.isascii():  # valid UTF-8, found in one pass without decoding
        return "utf-8", False
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


def read_csv(path, encoding: str | None = None, delimiter: str | None = None, text_columns=(),
             header_rows: int = 1) -> RawTable:
    """Read a delimited text export.

    Every row must have as many fields as the header: a row with fewer (which pandas would fill
    with blanks) or more is refused as ``[short row]`` or ``[long row]``, naming the data rows,
    whichever reader (pandas, or pyarrow for large files) reads the file. Text such as ``NA`` or
    ``nan`` is kept as typed; only an empty cell is missing.

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
    header_rows : int
        Header rows at the top, the column names included (as in the codebook): rows are
        numbered in messages from the first row under them; the lengths of the further header
        rows, which are left out, are not checked.
    """
    path = Path(path)
    data = path.read_bytes()
    if len(data) < arrow_csv.MIN_BYTES:
        return _read_csv(path, data, None, encoding, delimiter, text_columns, header_rows)
    from concurrent.futures import ThreadPoolExecutor

    # A large file's checksum is computed on another core while it is checked and parsed
    # (hashlib releases the GIL).
    with ThreadPoolExecutor(max_workers=1) as pool:
        return _read_csv(path, data, pool.submit(lambda: hashlib.sha256(data).hexdigest()), encoding, delimiter,
                         text_columns, header_rows)


def _read_csv(path: Path, data: bytes, digest, encoding, delimiter, text_columns, header_rows) -> RawTable:
    """:func:`read_csv` of the file's bytes; ``digest`` is their checksum to come (a Future), or
    None to compute it here."""
    if not data[:65536].strip() and not data.strip():  # (the first bytes decide, without a copy of the file)
        _fail_file(path, "empty file", "the file has no content", "export the survey again; the file is empty")
    _check_not_binary(path, data)
    detected = False
    ascii_text = data.isascii()  # one pass, used twice below
    if encoding is None:
        # (detect_encoding would find the same, scanning the bytes again)
        encoding, detected = ("utf-8", False) if ascii_text and not _utf16_without_bom(data) else \
            detect_encoding(data)
        if not encoding:
            _fail_file(path, "unknown encoding", "the text encoding could not be recognised",
                  "save the export as UTF-8 CSV, or name its encoding in the codebook (encoding:)")
    try:
        # A large ASCII file is valid in any of these encodings and is parsed by pyarrow from its
        # bytes: only its head is decoded here (for the header), the rest only if pandas reads it.
        whole = not (len(data) >= arrow_csv.MIN_BYTES and codecs.lookup(encoding).name in ("utf-8", "ascii")
                     and ascii_text)
        text = data.decode(encoding) if whole else data[:1 << 20].decode("ascii")
    except (UnicodeDecodeError, LookupError) as exc:
        _fail_file(path, "wrong encoding", f"the file cannot be read as {encoding}: {exc}",
              "save the export as UTF-8 CSV, or name its real encoding in the codebook (encoding:)")
    if detected and encoding.replace("_", "-").lower() not in ("ascii", "utf-8"):
        warnings.warn(
            f"{path.name} is not UTF-8; read it as {encoding} (detected){_non_ascii_example(text)}. "
            "Check that accented letters in labels look right; if not, name the file's encoding in "
            "the codebook (encoding:), or save the export as UTF-8 CSV.",
            SurveyDataWarning,
            stacklevel=4,  # the caller of read_csv's caller
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
        if not whole:
            text = data.decode("ascii")
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
            if "Expected" in str(exc):  # "Expected 7 fields in line 3, saw 8": name the data rows
                _check_row_lengths(path, text, delimiter, len(header), header_rows=header_rows)
            _fail_file(path, "malformed file", f"the file is not a well-formed table: {exc}",
                  "check that every row has as many fields as the header (quotes closed, right delimiter)")
        # pyarrow refuses rows of the wrong length itself; pandas fills short rows with blanks.
        _check_row_lengths(path, text, delimiter, len(header), frame, header_rows=header_rows)
    frame.columns = header
    return RawTable(frame, "csv", path, digest.result() if digest else hashlib.sha256(data).hexdigest(),
                    encoding=encoding, delimiter=delimiter, header=header)


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


#: The first bytes of files that are not delimited text, whatever their name says.
_BINARY_SIGNATURES = {
    b"PK\x03\x04": "a zip archive (an Excel workbook, or a compressed export)",
    b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook (or another Office file)",
    b"PAR1": "a Parquet file",
    b"$FL2": "an SPSS .sav file",
    b"$FL3": "an SPSS .zsav file",
    b"%PDF": "a PDF document",
    b"\x1f\x8b": "a gzip-compressed file",
}


def _check_not_binary(path, data: bytes) -> None:
    """Fail clearly for a file named like a CSV that holds something else (a zip, a workbook)."""
    for magic, what in _BINARY_SIGNATURES.items():
        if data.startswith(magic):
            _fail_file(path, "not a text file", f"the file is {what}, not delimited text",
                       "give the file its real suffix (.xlsx, .sav, .parquet), or unzip a compressed "
                       "export and load the CSV inside")


def _records(text: str, delimiter: str):
    """Field counts of the data records pandas reads as rows (lines of white space left out, as
    pandas skips them), with a function giving a record's text for messages.

    A text without quotes is split at line breaks and each line's delimiters counted (in C, one
    call per line); a text with quotes is parsed with :mod:`csv`, whose quoting is pandas'.
    """
    from operator import methodcaller

    if '"' not in text:
        body = text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
        lines = body.split("\n")[1:]
        counts = np.fromiter(map(methodcaller("count", delimiter), lines), dtype=np.int64, count=len(lines)) + 1
        maybe_blank = np.flatnonzero(counts == 1)
        blank = [i for i in maybe_blank if not lines[i].strip(" \t")]
        keep = np.ones(len(lines), dtype=bool)
        keep[blank] = False
        positions = np.flatnonzero(keep)
        return counts[keep], lambda j: lines[positions[j]]
    from io import StringIO

    def reader():
        rows = csv.reader(StringIO(text), delimiter=delimiter, skipinitialspace=True)
        next(rows, None)  # the header
        return rows

    counts = np.fromiter(map(len, reader()), dtype=np.int64)
    keep = counts > 0
    if (counts == 1).any():  # one field: a blank line (skipped) or a short row; look at those only
        for i, fields in enumerate(reader()):
            if counts[i] == 1 and not fields[0].strip(" \t"):
                keep[i] = False
    positions = np.flatnonzero(keep)

    def record(j):
        target = positions[j]
        for i, fields in enumerate(reader()):
            if i == target:
                return delimiter.join(fields)
        return ""

    return counts[keep], record


def _same_lengths_by_arrow(text: str, delimiter: str, k: int) -> bool:
    """True when pyarrow's parser finds ``k`` fields in every record of a quoted text: a fast
    screen (parsing in C on every core, where :mod:`csv` takes longer than pandas itself). False
    (so the exact count is made) when a record has another length, or when spaces come before an
    opening quote, which pandas skips (``skipinitialspace``) and pyarrow does not."""
    import re

    import pyarrow as pa
    import pyarrow.csv as pacsv

    # Spaces before an opening quote: pandas skips them, so the quotes hide delimiters pyarrow sees.
    if re.search('\n[ \t]+"', text) or text.lstrip("\ufeff").startswith((" ", "\t")):
        return False
    if (delimiter + " " in text or delimiter + "\t" in text) and re.search(re.escape(delimiter) + '[ \t]+"', text):
        return False
    ragged = []

    def on_bad_row(row):
        if row.text is None or row.text.strip(" \t\r\n"):
            ragged.append(row)
        return "skip"  # a line of spaces: pandas skips it too

    try:
        pacsv.read_csv(
            pa.BufferReader(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(skip_rows=1, column_names=[f"c{i}" for i in range(k)]),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                              escape_char=False, newlines_in_values=True,
                                              ignore_empty_lines=True, invalid_row_handler=on_bad_row),
            convert_options=pacsv.ConvertOptions(include_columns=["c0"], column_types={"c0": pa.string()}))
    except (pa.ArrowInvalid, UnicodeEncodeError, ValueError):
        return False
    return not ragged


def _shown(line: str) -> str:
    return line if len(line) <= 60 else line[:57] + "..."


def _check_row_lengths(path, text: str, delimiter: str, k: int, frame: pd.DataFrame | None = None,
                       header_rows: int = 1) -> None:
    """Fail when any data row has more or fewer fields than the header's ``k``, naming the rows.

    pandas fills a short row with blanks (a respondent's last answers would be silently missing)
    and, when the rows have one field more than the header, takes the first column for the index
    and shifts every column one place to the left. A last row with fewer fields, and no line break
    at the end, is a file cut short (copied or downloaded in part).
    """
    if '"' in text and _same_lengths_by_arrow(text, delimiter, k):
        counts, record = None, None  # the usual quoted file: pyarrow's count, on every core, suffices
    else:
        try:
            counts, record = _records(text, delimiter)
        except csv.Error:
            counts, record = None, None
    if counts is None or not len(counts):
        if frame is not None and not isinstance(frame.index, pd.RangeIndex):
            _fail_extra_field(path, k)
        return
    skip = header_rows - 1  # further header rows: left out of the table, so their length does not matter
    positions = np.arange(skip, len(counts))
    counts = counts[skip:]
    if not len(counts):
        return
    short, long = counts < k, counts > k
    if not short.any() and not long.any():
        if frame is not None and not isinstance(frame.index, pd.RangeIndex):
            _fail_extra_field(path, k)
        return
    n = len(counts)
    if long.all() and (counts == k + 1).all():
        _fail_extra_field(path, k)
    if not long.any() and short.sum() == 1 and short[-1]:
        _last_row_problem(path, text, delimiter, k, n)
    problems = []
    for mask, kind, what, fix in (
            (short, "short row", "fewer fields than the header's",
             "complete the rows (an answer left blank still needs its delimiter), or export the file "
             "again in full"),
            (long, "long row", "more fields than the header's",
             "quote answers that hold the delimiter (e.g. \"a, b\"), or name every column in the header; "
             "if unsure, export the file again")):
        if not mask.any():
            continue
        rows = np.flatnonzero(mask)
        found = sorted({int(c) for c in counts[mask]})
        m = len(rows)
        message = (f"{m} row{'s' if m != 1 else ''} {'have' if m != 1 else 'has'} {what} {k} "
                   f"(found {', '.join(map(str, found))}); their answers would land in the wrong columns "
                   "or be read as blank")
        shown = tuple(_shown(record(int(positions[j]))) for j in rows[:5])
        problems.append(Problem(kind, None, message, fix, rows=tuple(int(j) + 1 for j in rows[:5]), count=m,
                                values=shown, n_values=m))
    raise SurveyDataError(problems, source=str(path))


def _fail_extra_field(path, k: int) -> None:
    _fail_file(path, "malformed file",
               f"the rows have one field more than the header's {k} (a delimiter at the "
               "end of every line, or a column without a name in the header)",
               "remove the delimiter at the end of each line, or name the extra column in the header")


def _last_row_problem(path, text: str, delimiter: str, k: int, n: int) -> None:
    """The last row has fewer fields than the header: a file cut short, or a short last row."""
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


#: What Excel shows in a cell whose formula failed; openpyxl gives it as text, pandas as a blank.
EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
                "#SPILL!", "#CALC!")


def read_excel(path, sheet=None, header_rows: int = 1) -> RawTable:
    """Read one sheet of an Excel workbook (default the first), cells with their Excel types.

    Cells are read as pandas' ``read_excel`` reads them (whole numbers as ``int``, dates as
    datetimes, an empty cell as missing), except that nothing else becomes missing: text such
    as ``NA`` or ``nan`` stays as typed (pandas' default NA strings are not used). Fails, naming
    the cells, when the sheet holds what would otherwise read as a blank answer: formulas with no
    stored value (a workbook written by a program and never opened in Excel), Excel errors
    (``#DIV/0!``, ``#N/A``) or cells merged across respondents' rows.
    """
    import openpyxl

    path = Path(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # not a zip, a zip of something else, a damaged workbook: each its own type
        _fail_file(path, "unreadable workbook", f"not a readable .xlsx workbook: {type(exc).__name__}: {exc}",
                   "save the workbook again from Excel as .xlsx, or export the survey as CSV")
    try:
        names = book.sheetnames
        if sheet is None or (isinstance(sheet, int) and 0 <= sheet < len(names)):
            ws = book.worksheets[0 if sheet is None else sheet]
        elif str(sheet) in names:
            ws = book[str(sheet)]
        else:
            _fail_file(path, "unreadable workbook", f"no sheet {sheet!r}; the workbook has {names}",
                       "name an existing sheet in the codebook (sheet:)")
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # declared dimensions can be wrong; pandas does the same
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        xml = _sheet_xml(book, ws)
    finally:
        book.close()
    if xml is None:
        xml = _sheet_xml_slowly(path, sheet)
    while rows and all(v is None or v == "" for v in rows[-1]):
        rows.pop()
    if not rows:
        _fail_file(path, "empty file", "the sheet has no content", "export the survey again; the sheet is empty")
    width = max(max((i + 1 for i, v in enumerate(r) if v is not None and v != ""), default=0) for r in rows)
    cells = [[_excel_value(v) for v in r[:width]] + [np.nan] * (width - len(r[:width])) for r in rows]
    header = [f"Unnamed: {i}" if pd.isna(c) else str(c) for i, c in enumerate(cells[0])]
    _check_duplicate_header(path, header)
    frame = pd.DataFrame(cells[1:], columns=range(width), dtype=object)
    frame.columns = header
    problems = _excel_cell_problems(path, rows, frame, header, xml, sheet, header_rows)
    if problems:
        raise SurveyDataError(problems, source=str(path))
    return RawTable(frame, "excel", path, file_sha256(path), header=header)


def _excel_value(v):
    """A cell's value as pandas' openpyxl reader gives it (before its NA strings)."""
    if v is None or (isinstance(v, str) and v == ""):
        return np.nan
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _sheet_xml(book, ws) -> bytes | None:
    """The worksheet's XML, to look for formulas and merged cells (read-only sheets do not load
    merged cells), through openpyxl's read-only archive; None where another openpyxl version lays
    it out otherwise (then :func:`_sheet_xml_slowly` reads the same facts through the public API)."""
    try:
        return book._archive.read(ws._worksheet_path)
    except Exception:
        return None


def _sheet_xml_slowly(path, sheet) -> bytes:
    """The facts the checks need, as XML of their own, from a full (not read-only) load: the
    merged ranges, and a formula mark when any cell holds a formula."""
    import openpyxl

    book = openpyxl.load_workbook(path, data_only=False, keep_links=False)
    try:
        ws = book.worksheets[0] if sheet is None else (book.worksheets[sheet] if isinstance(sheet, int)
                                                        else book[str(sheet)])
        merged = "".join(f'<mergeCell ref="{r.coord}"/>' for r in ws.merged_cells.ranges)
        formula = any(isinstance(c.value, str) and c.value.startswith("=") for row in ws.iter_rows() for c in row)
    finally:
        book.close()
    return (merged + ("<f>" if formula else "")).encode()


def _excel_cell_problems(path, rows: list, frame: pd.DataFrame, header: list, xml: bytes | None, sheet,
                         header_rows: int) -> list:
    """Cells that would read as no answer although the sheet holds something there."""
    import re

    from openpyxl.utils.cell import get_column_letter, range_boundaries

    problems = []

    def column_of(c):
        return header[c] if c < len(header) else get_column_letter(c + 1)

    def cell_problem(kind, found, message, fix):
        for c in sorted({c for _, c, _ in found}):
            at = [(r, v) for r, cc, v in found if cc == c]
            values = list(dict.fromkeys(v for _, v in at))
            problems.append(Problem(kind, column_of(c), message, fix,
                                    rows=tuple(r - header_rows for r, _ in at[:5]), count=len(at),
                                    values=tuple(values[:5]), n_values=len(values)))

    at_r, at_c = np.nonzero(frame.isin(EXCEL_ERRORS).to_numpy())  # frame row i is sheet row i + 2
    errors = [(int(i) + 2, int(c), frame.iat[i, c]) for i, c in zip(at_r, at_c) if i + 2 > header_rows]
    if errors:
        cell_problem("formula error", errors,
                     "cells holding an Excel error instead of an answer; they would read as no answer",
                     "correct the formulas or type the answers; leave a cell empty for no answer")
    if xml is not None and re.search(rb"<(?:\w+:)?f[\s>/]", xml):
        found = _uncached_formulas(path, rows, sheet, header_rows)
        if found:
            cell_problem("formula without a value", found,
                         "formula cells with no stored value (the workbook was written by a program and "
                         "never opened and saved in Excel); they would read as no answer",
                         "open the workbook in Excel or LibreOffice and save it (that stores each "
                         "formula's value), or replace the formulas by their values")
    if xml is not None and b"mergeCell " in xml:
        for ref in re.findall(rb'<(?:\w+:)?mergeCell ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"', xml):
            ref = ref.decode()
            c1, r1, _, r2 = range_boundaries(ref)
            if r2 <= header_rows:
                continue  # a merged heading: its columns show up as unnamed columns
            first = max(r1, header_rows + 1)
            problems.append(Problem(
                "merged cells", column_of(c1 - 1),
                f"cells {ref} are merged: only the first holds a value, so the others would read as no "
                "answer",
                "unmerge the cells in Excel and fill in each respondent's own answer",
                rows=tuple(range(first - header_rows, r2 - header_rows + 1))[:5], count=r2 - first + 1,
                values=(ref,), n_values=1))
    return problems


def _uncached_formulas(path, rows, sheet, header_rows) -> list:
    """Formula cells with no stored value: openpyxl (``data_only=True``) gives None for them."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    try:
        ws = book.worksheets[0] if sheet is None else (book.worksheets[sheet] if isinstance(sheet, int)
                                                        else book[str(sheet)])
        found = []
        for r, row in enumerate(ws.iter_rows(values_only=True)):
            if r < header_rows or r >= len(rows):
                continue
            for c, v in enumerate(row):
                if isinstance(v, str) and v.startswith("=") and c < len(rows[r]) and rows[r][c] is None:
                    found.append((r + 1, c, v))
    finally:
        book.close()
    return found


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
    if not path.is_file():
        _fail_file(path, "not a file", f"{path} is a folder, not a data file",
                   "give the path of the export file itself")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        _fail_file(path, "unsupported format", f"files ending {path.suffix!r} cannot be read",
              f"save the export as one of {sorted(set(FORMATS))}"
              + (" (old .xls workbooks: save as .xlsx)" if path.suffix.lower() == ".xls" else ""))
    if path.stat().st_size == 0:
        _fail_file(path, "empty file", "the file has no content", "export the survey again; the file is empty")
    if fmt == "csv":
        table = read_csv(path, encoding, delimiter, text_columns, header_rows=header_rows)
    elif fmt == "excel":
        table = read_excel(path, sheet, header_rows)
    elif fmt == "parquet":
        table = read_parquet(path)
    else:
        table = read_spss_or_stata(path, fmt)
    if header_rows > 1:
        if fmt not in ("csv", "excel"):
            _fail_file(path, "bad codebook", f"header_rows: {header_rows} is for CSV and Excel files; this is a {fmt} file",
                  "remove header_rows from the codebook")
        if header_rows - 1 >= len(table.frame):
            from ..errors import CodebookError

            raise CodebookError([Problem(
                "header rows beyond the file", None,
                f"header_rows: {header_rows} leaves no respondents: the file has {len(table.frame)} "
                f"row{'s' if len(table.frame) != 1 else ''} under its column names",
                "set header_rows to the number of header lines at the top (the column names count as "
                "one), or remove it from the codebook")], source=str(path))
        table.header_extra = table.frame.iloc[:header_rows - 1].reset_index(drop=True)
        table.frame = table.frame.iloc[header_rows - 1:].reset_index(drop=True)
    if table.frame.shape[0] == 0:
        _fail_file(path, "empty file", "the file has a header but no respondents",
              "export the survey again with its responses")
    return table
