"""Fast reading of large CSV exports with pyarrow, giving the same table as :func:`analysis.reading.readers.read_csv`.

:func:`analysis.reading.readers.read_csv` hands its text to pandas' C parser (``keep_default_na=False,
na_values=[""], skipinitialspace=True``), which takes about 18 s for a million respondents and 100
columns. pandas' own ``engine="pyarrow"`` cannot be used with those options, so
:func:`read_csv_arrow` calls :func:`pyarrow.csv.read_csv` directly, reading every cell as text on
both cores, and then types each column the way pandas' C parser does:

- an empty cell (quoted or not, or only spaces) is missing; nothing else is (``NA``, ``nan``,
  ``-99`` stay as they are, for the codebook to map);
- a column becomes ``int64`` when every cell is a whole number (``007``, ``+5``, surrounding
  white space allowed), ``float64`` when every filled cell is a number (``1.5``, ``1e3``, ``inf``;
  whole numbers with an empty cell too), ``bool`` when every cell is ``true`` or ``false`` in any
  case (``object`` holding ``True``/``False``/NaN when some are empty), and text (``str``)
  otherwise: one ``nan`` or ``n/a`` keeps the whole column as text;
- ``text_columns`` are text whatever they hold, so ``"007"`` keeps its zeros;
- spaces after a delimiter are skipped, as ``skipinitialspace=True`` does.

Anything pyarrow would read differently from pandas raises :class:`NotArrowReadable` instead of
guessing (rows with missing or extra fields, a quoted cell that starts with spaces, whole numbers
beyond the 64-bit range, a one-column file, a header row only), and the caller reads the file with
pandas as before: the fast path is exact or not taken.

One deliberate difference: for a large file pandas' C parser types a column chunk by chunk
(``low_memory=True``), so a column of numbers with one text cell far down comes back as ``object``
holding both numbers and strings (with a ``DtypeWarning``). This reader keeps such a column as text,
as :class:`analysis.reading.readers.RawTable` documents ("CSV cells as text, unless every cell of a column is a
number").
"""

from __future__ import annotations

import codecs
import csv
import mmap
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

#: Files at least this large are worth the fast reader (below it, pandas takes well under a second).
MIN_BYTES = 16 * 2**20

# What pandas' C parser reads as infinity (case-insensitive); any other non-finite value that
# pyarrow parses (``nan``) makes pandas keep the column as text.
_INFINITIES = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity"}


class NotArrowReadable(Exception):
    """The file holds something pyarrow reads differently from pandas; read it with pandas.

    The message says what, for logs; it is not meant for the survey's user (pandas' reader gives
    the user-facing error if the file is malformed).
    """


def read_csv_arrow(path, encoding: str, delimiter: str, text_columns=()) -> pd.DataFrame:
    """Read a delimited export with pyarrow into the same frame as :func:`analysis.reading.readers.read_csv`.

    Parameters
    ----------
    path : str, Path or bytes
        The file, or its bytes when already read.
    encoding : str
        The text encoding, as :func:`analysis.reading.readers.read_csv` resolved it (``utf-8``, ``utf-8-sig``,
        ``utf-16``, ``cp1252`` ...). UTF-8 and ASCII are parsed directly; other encodings are
        transcoded to UTF-8 by pyarrow on the way.
    delimiter : str
        One character, as given or sniffed.
    text_columns : iterable of str
        Columns (header names as in the file, spaces around them ignored) kept as text whatever
        they hold.

    Returns
    -------
    DataFrame
        One column per header field, named as in the file with surrounding spaces removed; dtypes
        ``int64``, ``float64``, ``bool``, ``object`` (true/false with empty cells) or ``str``,
        exactly as :func:`analysis.reading.readers.read_csv` gives them.

    Raises
    ------
    NotArrowReadable
        When the file needs pandas' reader to give the same result (see the module notes); pyarrow
        parse errors are raised as this too, so that pandas reports them in its own words.

    Examples
    --------
    >>> data = b'id,pss_1,note\\n007,3,\\n008,4,"a, b"\\n'
    >>> frame = read_csv_arrow(data, "utf-8", ",", text_columns=["id"])
    >>> frame.dtypes.astype(str).tolist(), frame["id"].tolist(), frame["note"].tolist()
    (['str', 'int64', 'str'], ['007', '008'], [nan, 'a, b'])
    """
    source = path if isinstance(path, (bytes, bytearray, memoryview)) else Path(path)
    utf8 = codecs.lookup(encoding).name in ("utf-8", "utf-8-sig", "ascii")
    raw_names = _raw_header(source, encoding, delimiter)
    header = [name.strip() for name in raw_names]
    if len(header) < 2:
        raise NotArrowReadable("one column: pandas skips lines of spaces, pyarrow reads them as empty cells")
    if len(set(raw_names)) < len(raw_names) or len(set(header)) < len(header):
        raise NotArrowReadable("duplicate column names")
    keep_text = set(text_columns)

    if utf8:
        has_quotes, spaced = _scan(source)
    else:  # the bytes of '"' differ in UTF-16; assume the worst and check every column
        has_quotes, spaced = True, True
    try:
        table = pacsv.read_csv(
            pa.BufferReader(source) if isinstance(source, (bytes, bytearray, memoryview)) else str(source),
            read_options=pacsv.ReadOptions(encoding="utf8" if utf8 else encoding),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True,
                                              escape_char=False, newlines_in_values=has_quotes,
                                              ignore_empty_lines=True),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in raw_names},
                                                 null_values=[""], strings_can_be_null=True,
                                                 quoted_strings_can_be_null=True),
        )
    except pa.ArrowInvalid as exc:  # ragged rows, bad quoting, invalid text: pandas says it best
        raise NotArrowReadable(str(exc)) from exc
    if table.column_names != raw_names or any(t != pa.string() for t in table.schema.types):
        raise NotArrowReadable("pyarrow read the header differently")
    if table.num_rows == 0:
        raise NotArrowReadable("no data rows")

    raw_columns = table.columns
    del table
    columns = []
    for i, name in enumerate(header):
        cells, raw_columns[i] = raw_columns[i], None  # free each text column once it is typed
        if spaced:
            cells = _skip_initial_spaces(cells, has_quotes)
        values = cells.to_pandas() if name in keep_text else _typed(cells)
        columns.append(pd.Series(values, name=name, copy=False))
    # concat keeps one block per column: DataFrame(dict) would copy every float column into one
    # block, which costs seconds at a million rows on a machine bound by memory bandwidth.
    frame = pd.concat(columns, axis=1)
    frame.columns = header
    return frame


def _raw_header(source, encoding: str, delimiter: str) -> list[str]:
    """The header fields as :func:`analysis.reading.readers.read_csv` splits them (before stripping)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        head = bytes(source[: 1 << 20])
    else:
        with open(source, "rb") as fh:
            head = fh.read(1 << 20)
    text = codecs.getincrementaldecoder(encoding)().decode(head).removeprefix("\ufeff")
    lines = text[:65536].splitlines()
    return next(csv.reader(lines[:1], delimiter=delimiter), []) if lines else []


def _scan(source) -> tuple[bool, bool]:
    """Whether the UTF-8 bytes hold a quote, and a space, anywhere (one memchr each)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        buf = bytes(source) if isinstance(source, memoryview) else source
        return buf.find(b'"') >= 0, buf.find(b" ") >= 0
    with open(source, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        return buf.find(b'"') >= 0, buf.find(b" ") >= 0


def _skip_initial_spaces(cells: pa.ChunkedArray, has_quotes: bool) -> pa.ChunkedArray:
    """Drop spaces at the start of cells, as pandas' ``skipinitialspace=True`` does."""
    if not _any(pc.starts_with(cells, " ")):
        return cells
    if has_quotes:
        # pandas skips spaces before an opening quote but keeps them inside quotes; pyarrow has
        # already removed the quotes, so the two cases can no longer be told apart.
        raise NotArrowReadable("a cell starts with spaces in a file with quoted cells")
    stripped = pc.utf8_ltrim(cells, " ")
    return pc.if_else(pc.equal(stripped, ""), pa.scalar(None, pa.string()), stripped)


def _typed(cells: pa.ChunkedArray):
    """One column of text cells typed as pandas' C parser types it."""
    numbers = _numbers(cells)
    if numbers is None:
        trimmed = pc.ascii_trim_whitespace(cells)
        if not pc.all(pc.equal(trimmed, cells)).as_py():
            numbers = _numbers(trimmed)  # pandas' number parsing ignores surrounding white space
    if numbers is not None:
        return numbers
    lower = pc.ascii_lower(cells)
    if pc.all(pc.or_(pc.is_null(lower), pc.is_in(lower, value_set=pa.array(["true", "false"])))).as_py():
        flags = pc.equal(lower, "true").to_numpy(zero_copy_only=False)
        if cells.null_count == 0:
            return flags.astype(bool)
        out = flags.astype(object)
        out[pc.is_null(cells).to_numpy(zero_copy_only=False)] = np.nan
        return out
    return cells.to_pandas()


def _cast(cells, to):
    try:
        return pc.cast(cells, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _numbers(cells: pa.ChunkedArray) -> np.ndarray | None:
    """int64 or float64 values if pandas would read the column as numbers, else None."""
    if cells.null_count == 0:  # with an empty cell, pandas reads whole numbers as floats
        ints = _cast(cells, pa.int64())
        # pyarrow also reads hexadecimal (0x1F) as a whole number; pandas keeps it as text.
        if ints is not None and not _any(pc.match_substring(cells, "x", ignore_case=True)):
            return ints.to_numpy()
    floats = _cast(cells, pa.float64())
    if floats is None:
        return None
    x = floats.to_numpy(zero_copy_only=False)  # empty cells become NaN
    if np.count_nonzero(np.isnan(x)) > cells.null_count:
        return None  # "nan", which pyarrow reads as a number: pandas keeps the column as text
    low, high = np.fmin.reduce(x), np.fmax.reduce(x)  # NaN-ignoring, one pass each
    if np.isinf(low) or np.isinf(high):
        # pandas reads its own spellings of infinity, and numbers too large for a double, as
        # infinite; any other spelling pyarrow accepts makes pandas keep the column as text.
        words = pc.ascii_lower(cells.filter(pa.array(np.isinf(x)))).unique().to_pylist()
        if any(w not in _INFINITIES and w.lstrip("+-")[:1] not in tuple("0123456789.") for w in words):
            return None
    big = np.isfinite(x) & (np.abs(x) >= 2.0**63) if max(-low, high) >= 2.0**63 else None
    if big is not None and big.any() and not _all(pc.match_substring_regex(cells.filter(pa.array(big)), "[.eE]")):
        # pandas reads such whole numbers as uint64, Python ints or text, depending
        raise NotArrowReadable("whole numbers beyond the 64-bit integer range")
    if (cells.null_count == 0 and np.isfinite(low) and np.isfinite(high) and np.array_equal(x, np.floor(x))
            and not _any(pc.match_substring(cells, ".")) and not _any(pc.match_substring(cells, "e", ignore_case=True))):
        # Whole numbers that pyarrow's integer parser refused only for a leading "+": pandas
        # reads them as int64.
        whole = _cast(pc.utf8_ltrim(cells, "+"), pa.int64())
        if whole is None:
            raise NotArrowReadable("whole numbers pyarrow cannot read as integers")
        return whole.to_numpy()
    return x


def _any(flags) -> bool:
    return bool(pc.any(flags).as_py())


def _all(flags) -> bool:
    return pc.all(flags).as_py() is not False
