"""Fast reading of large CSV exports with pyarrow, giving the same table as :func:`analysis.reading.readers.read_csv`.

:func:`analysis.reading.readers.read_csv` hands its text to pandas' C parser (``keep_default_na=False,
na_values=[""], skipinitialspace=True``), which takes about 18 s for a million respondents and 100
columns. pandas' own ``engine="pyarrow"`` cannot be used with those options, so
:func:`read_csv_arrow` calls :func:`pyarrow.csv.read_csv` directly, on every core, and types each
column the way pandas' C parser does. The columns named as text (from the data dictionary and the
codebook: ids, labels, categories, free text) are read as text. Every other column is read in one
of two ways:

- **typed**: parsed straight to ``float64``, when the file's first rows (:data:`SAMPLE_BYTES`)
  show numbers with a decimal point, an exponent or an empty cell, so that pandas types the whole
  column ``float64`` whatever the rows below hold, as long as they are numbers. A cell below that
  pyarrow cannot parse, or parses where pandas would not (``nan``, spellings of infinity, whole
  numbers beyond 64 bits), sends the whole file to the second way;
- **by its distinct texts**: dictionary-encoded, so that pandas' choice of type is made once per
  distinct text of the column (a handful for a survey answer) and spread to the cells by their
  codes.

A file without quotes (no line end can be inside a cell) is read typed in parts, one run of
whole lines per core, each by its own streaming reader, and each batch's numbers are written
straight into the final arrays (:func:`_read_in_parts`): the numbers take new memory once rather
than twice, and the parse and the copy overlap. Each part's rows must number its lines, or the
file is read whole as above.

Either way the rules are pandas':

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
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..parallel import cores, pool

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
    text_types = {n: pa.string() for n in raw_names if n.strip() in keep_text}
    words = {n: text_types.get(n, _WORDS) for n in raw_names}
    options = (utf8, encoding, delimiter, has_quotes)
    columns = None
    floats = _float_columns(source, raw_names, text_types, options, spaced) if utf8 and not (
        has_quotes and spaced) else {}
    if floats:  # the typed read: number columns parsed straight to floats
        try:
            raw_columns = None if has_quotes else _read_in_parts(source, {**words, **floats}, raw_names, options)
            if raw_columns is None:
                raw_columns = _read(source, {**words, **floats}, raw_names, options).columns
        except _NotNumbers:
            raw_columns = None  # a cell further down is not a number: read every column's words below
        if raw_columns is not None:  # each column is freed as soon as it is typed
            columns = _columns(raw_columns, raw_names, header, keep_text, spaced, has_quotes, set(floats))
            del raw_columns
    if columns is None:
        raw_columns = _read(source, words, raw_names, options).columns
        columns = _columns(raw_columns, raw_names, header, keep_text, spaced, has_quotes, set())
    # concat keeps one block per column: DataFrame(dict) would copy every float column into one
    # block, which costs seconds at a million rows on a machine bound by memory bandwidth.
    frame = pd.concat(columns, axis=1)
    frame.columns = header
    return frame


#: Files at least this many times the sample are read typed (see :func:`_float_columns`).
SAMPLE_BYTES = 1 << 20


class _NotNumbers(NotArrowReadable):
    """A column read as numbers holds a cell that is not one."""


def _read(source, types: dict, raw_names: list, options) -> pa.Table:
    """The file parsed by pyarrow with these column types."""
    utf8, encoding, delimiter, has_quotes = options
    parse, convert = _options(delimiter, types, newlines_in_values=has_quotes)
    try:
        table = pacsv.read_csv(
            pa.BufferReader(source) if isinstance(source, (bytes, bytearray, memoryview)) else str(source),
            read_options=pacsv.ReadOptions(encoding="utf8" if utf8 else encoding),
            parse_options=parse, convert_options=convert)
    except pa.ArrowInvalid as exc:
        raise _refused(exc) from exc
    if table.column_names != raw_names or any(t != types[n] for n, t in zip(raw_names, table.schema.types)):
        raise NotArrowReadable("pyarrow read the header differently")
    if table.num_rows == 0:
        raise NotArrowReadable("no data rows")
    return table


def _options(delimiter: str, types: dict, newlines_in_values: bool) -> tuple:
    """pyarrow's parse and convert options for reading a file as pandas' C parser reads it (only
    an empty cell is missing, quotes doubled inside quoted cells, blank lines skipped), with these
    column types."""
    return (pacsv.ParseOptions(delimiter=delimiter, quote_char='"', double_quote=True, escape_char=False,
                               newlines_in_values=newlines_in_values, ignore_empty_lines=True),
            pacsv.ConvertOptions(column_types=types, null_values=[""], strings_can_be_null=True,
                                 quoted_strings_can_be_null=True))


def _refused(exc: pa.ArrowInvalid) -> NotArrowReadable:
    """What a pyarrow error while reading means: a cell that is not a number where numbers were
    asked for (:class:`_NotNumbers`: read the words instead), or rows, quoting or text that pandas
    should read and word (ragged rows, bad quoting, invalid text)."""
    return (_NotNumbers if "conversion error" in str(exc) else NotArrowReadable)(str(exc))


#: How many parts :func:`_read_in_parts` splits a file into (None: one per core, at most 8), and
#: the bytes pyarrow parses at a time in each (a megabyte: larger batches leave the cache).
PARTS: int | None = None
BLOCK_BYTES = 1 << 20


def _read_in_parts(source, types: dict, raw_names: list, options) -> list | None:
    """The typed read of a file without quotes, parsed in parts on every core, its number columns
    copied batch by batch into one array each.

    Each part (a run of whole lines) is parsed by its own streaming reader into batches of about
    :data:`BLOCK_BYTES`, and each batch's ``float64`` columns are written, empty cells as NaN,
    straight into the final arrays: pyarrow's memory for a batch is reused by the next, so the
    parsed numbers take new memory once, not twice (the parse's and the arrays'), which on a
    machine that pays for the first touch of memory is seconds at a million respondents.

    Returns
    -------
    list or None
        One entry per column, in file order: a :class:`_Parsed` for the ``float64`` columns
        (rows of one block of memory, so that a column kept holds the block, ignored columns
        included, as long as it lives), a ChunkedArray for the others, as :func:`_read` gives
        them; None when the file has quotes (a line end may be inside a cell), or when a part's
        rows do not number its lines (a blank line, or a line end other than ``\\n`` or
        ``\\r\\n``, can make them differ; when they agree, every row is where it belongs), and
        the file must be read whole instead.

    Raises
    ------
    _NotNumbers, NotArrowReadable
        As :func:`_read` does.
    """
    from concurrent.futures import ThreadPoolExecutor
    import threading

    utf8, encoding, delimiter, has_quotes = options
    if not utf8 or has_quotes:
        return None
    data = bytes(source) if isinstance(source, (bytearray, memoryview)) else source
    if not isinstance(data, bytes):
        data = Path(source).read_bytes()
    start = data.find(b"\n") + 1
    if start <= 0 or start >= len(data):
        return None
    parts = PARTS or min(8, cores())
    view = memoryview(data)
    bounds = [start]
    for k in range(1, parts):
        cut = data.find(b"\n", max(bounds[-1], start + (len(data) - start) * k // parts)) + 1
        if 0 < cut < len(data):
            bounds.append(cut)
    bounds.append(len(data))
    number = [i for i, n in enumerate(raw_names) if types[n] == pa.float64()]
    other = [i for i in range(len(raw_names)) if types[raw_names[i]] != pa.float64()]
    parse, convert = _options(delimiter, types, newlines_in_values=False)
    stop = threading.Event()

    def part(j):
        reader = pacsv.open_csv(
            pa.BufferReader(view[bounds[j]:bounds[j + 1]]),
            read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES, column_names=raw_names, use_threads=False),
            parse_options=parse, convert_options=convert)
        at, end, chunks = int(offsets[j]), int(offsets[j + 1]), []
        for batch in reader:
            m = batch.num_rows
            if stop.is_set() or at + m > end:
                return None
            numbers = batch.select(number)
            nulls[j] += [c.null_count for c in numbers.columns]
            block[:, at:at + m] = np.asarray(numbers.to_tensor(null_to_nan=True, row_major=False)).T
            chunks.append(batch.select(other).columns)
            at += m
        return chunks if at == end else None

    with ThreadPoolExecutor(max_workers=len(bounds) - 1) as workers:  # one thread per part
        rows = list(workers.map(lambda j: _count_lines(view[bounds[j]:bounds[j + 1]]), range(len(bounds) - 1)))
        offsets = np.cumsum([0] + rows)
        block = np.empty((len(number), int(offsets[-1])))
        nulls = np.zeros((len(bounds) - 1, len(number)), dtype=np.int64)
        futures = [workers.submit(part, j) for j in range(len(bounds) - 1)]
        try:
            found = [future.result() for future in futures]
        except pa.ArrowInvalid as exc:
            raise _refused(exc) from exc
        finally:
            stop.set()  # the other parts stop at their next batch
    if any(f is None for f in found) or not offsets[-1]:
        return None
    out: list = [None] * len(raw_names)
    for k, i in enumerate(number):
        out[i] = _Parsed(block[k], int(nulls[:, k].sum()))
    for k, i in enumerate(other):
        out[i] = pa.chunked_array([columns[k] for chunks in found for columns in chunks], types[raw_names[i]])
    return out


def _count_lines(view: memoryview, step: int = 1 << 22) -> int:
    """The lines of a run of bytes: its line feeds, and one more when it does not end with one
    (numpy, a block at a time: three times as fast as ``bytes.count``, and without the GIL)."""
    codes = np.frombuffer(view, dtype=np.uint8)
    found = np.empty(min(step, len(codes)), dtype=bool)
    n = 0
    for at in range(0, len(codes), step):
        block = codes[at:at + step]
        np.equal(block, 10, out=found[:len(block)])
        n += int(np.count_nonzero(found[:len(block)]))
    return n + int(len(codes) > 0 and codes[-1] != 10)


class _Parsed(NamedTuple):
    """A number column as :func:`_read_in_parts` parsed it: its values (NaN for empty cells) and
    how many cells were empty."""

    values: np.ndarray
    null_count: int


def _columns(raw_columns: list, raw_names: list, header: list, keep_text: set, spaced: bool,
             has_quotes: bool, floats: set) -> list | None:
    """The parsed columns as pandas Series typed as pandas' C parser types them (each entry of
    ``raw_columns`` is released once typed); None when a column read as numbers must be typed
    from its words after all (see :func:`_float_values`).

    The columns are typed on every core (:func:`analysis.parallel.pool`; numpy and pyarrow release
    the GIL), which matters most for the first touch of the new memory their arrays take.
    """
    first = raw_columns[0] if raw_columns else None
    n_rows = len(first.values) if isinstance(first, _Parsed) else len(first) if first is not None else 0

    def typed(raw_name, name, cells):
        if raw_name in floats:
            return _float_values(cells)
        if name in keep_text:
            return (_skip_initial_spaces(cells, has_quotes) if spaced else cells).to_pandas()
        return _typed_column(cells, spaced, has_quotes)

    with pool(n_rows) as workers:
        futures = []
        for i, name in enumerate(header):
            cells, raw_columns[i] = raw_columns[i], None  # freed once typed
            futures.append(workers.submit(typed, raw_names[i], name, cells))
            del cells
        values = [future.result() for future in futures]
    if any(v is None for v in values):
        return None
    return [pd.Series(v, name=name, copy=False) for v, name in zip(values, header)]


def _float_columns(source, raw_names: list, text_types: dict, options, spaced: bool) -> dict:
    """The columns to parse straight to floats: those whose cells in the file's first rows (about
    :data:`SAMPLE_BYTES`) pandas reads as numbers, with an empty cell or a written decimal point
    or exponent among them, so that pandas types the whole column ``float64`` whatever the rows
    below hold, as long as they are numbers. Whole numbers with no empty cell stay words (pandas
    may read them as ``int64``, and pyarrow's integer parser takes ``0x1F``, which pandas
    does not). Empty for small files (the sample would be most of the work)."""
    head = bytes(source[: 4 * SAMPLE_BYTES + 1]) if isinstance(source, (bytes, bytearray, memoryview)) else None
    if head is None:
        with open(source, "rb") as fh:
            head = fh.read(4 * SAMPLE_BYTES + 1)
    if len(head) <= 4 * SAMPLE_BYTES:
        return {}
    first = head.find(b"\n")
    cut = max(head.rfind(b"\n", 0, SAMPLE_BYTES), head.find(b"\n", first + 1))
    if first < 0 or cut <= first:
        return {}
    types = {n: text_types.get(n, _WORDS) for n in raw_names}
    try:
        sample = _read(head[: cut + 1], types, raw_names, options)
    except NotArrowReadable:
        return {}
    floats = {}
    for name, cells in zip(raw_names, sample.columns):
        if name in text_types:
            continue
        unified = cells.unify_dictionaries()
        words = pa.concat_arrays([c.dictionary for c in unified.chunks]).unique() if unified.num_chunks else None
        if words is None or not len(words):
            continue
        if spaced:
            words = _skip_initial_spaces(words, False)
        has_null = bool(cells.null_count) or bool(words.null_count)
        kind, _ = _typed(words, has_null)
        if kind == "float" and (has_null or _any(pc.match_substring_regex(words, "[.eE]"))):
            floats[name] = pa.float64()
    return floats


def _float_values(cells) -> np.ndarray | None:
    """A column parsed as floats (a ChunkedArray, or :class:`_Parsed`), or None when pandas
    might read some of its cells otherwise: ``nan`` (pandas keeps the column as text), the
    spellings of infinity (pandas takes only some) and numbers beyond the 64-bit integer range
    (written as whole numbers, pandas reads them otherwise); those columns are typed from their
    words instead."""
    x = cells.values if isinstance(cells, _Parsed) else cells.to_numpy()
    if not len(x):
        return x
    low, high = np.fmin.reduce(x), np.fmax.reduce(x)
    if np.isnan(low):
        return x  # every cell empty
    if np.isinf(low) or np.isinf(high) or max(-low, high) >= 2.0**63:
        return None
    if cells.null_count != np.count_nonzero(np.isnan(x)):
        return None
    return x


#: How columns that are not named as text are read: each cell as a code into the column's
#: distinct texts.
_WORDS = pa.dictionary(pa.int32(), pa.string())


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


def _typed_column(cells: pa.ChunkedArray, spaced: bool, has_quotes: bool):
    """One dictionary-encoded column typed as pandas' C parser types it.

    pandas' choice of type depends only on which texts the column holds and whether a cell is
    empty, so it is made once on the column's distinct texts ("words") and the typed words are
    then spread to the cells by their codes.
    """
    unified = cells.unify_dictionaries() if cells.num_chunks > 1 else cells
    if unified.num_chunks:
        words = unified.chunk(0).dictionary
        codes = pa.chunked_array([c.indices for c in unified.chunks], pa.int32())
    else:
        words, codes = pa.array([], pa.string()), pa.chunked_array([], pa.int32())
    del cells, unified
    if spaced:
        words = _skip_initial_spaces(words, has_quotes)
    k = len(words)
    # Empty cells point one past the last word, which stands for "no value".
    index = pc.fill_null(codes, k).to_numpy() if codes.null_count else codes.to_numpy()
    has_null = bool(codes.null_count) or bool(words.null_count)
    del codes
    if k == 0:  # every cell empty: pandas reads the column as floats
        return np.full(len(index), np.nan)
    kind, typed = _typed(words, has_null)
    if kind == "int":
        return typed[index]
    if kind == "float":
        return np.append(typed, np.nan)[index]
    if kind == "bool" and not has_null:
        return typed[index]
    if kind == "bool":  # True/False with NaN for the empty cells, as objects
        per_word = np.append(typed.astype(object), np.nan)
        per_word[:k][pc.is_null(words).to_numpy(zero_copy_only=False)] = np.nan
        return per_word[index]
    with_blank = pa.concat_arrays([words, pa.nulls(1, pa.string())])
    return pa.chunked_array([pc.take(with_blank, pa.array(index))]).to_pandas()


def _typed(cells: pa.Array, has_null: bool) -> tuple[str, np.ndarray | None]:
    """How pandas' C parser types a column holding these texts (and empty cells when
    ``has_null``): ``("int", int64 values)``, ``("float", float64 values)``, ``("bool", flags)``
    or ``("text", None)``, the values one per text."""
    numbers = _numbers(cells, has_null)
    if numbers is None:
        trimmed = pc.ascii_trim_whitespace(cells)
        if not pc.all(pc.equal(trimmed, cells)).as_py():
            numbers = _numbers(trimmed, has_null)  # pandas' number parsing ignores surrounding white space
    if numbers is not None:
        return ("int" if numbers.dtype == np.int64 else "float"), numbers
    lower = pc.ascii_lower(cells)
    if pc.all(pc.or_(pc.is_null(lower), pc.is_in(lower, value_set=pa.array(["true", "false"])))).as_py():
        return "bool", pc.equal(lower, "true").to_numpy(zero_copy_only=False).astype(bool)
    return "text", None


def _cast(cells, to):
    try:
        return pc.cast(cells, to)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def _numbers(cells: pa.Array, has_null: bool) -> np.ndarray | None:
    """int64 or float64 values of the texts if pandas would read the column as numbers, else None
    (``has_null``: the column has empty cells besides)."""
    has_null = has_null or bool(cells.null_count)
    if not has_null:  # with an empty cell, pandas reads whole numbers as floats
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
    if (not has_null and np.isfinite(low) and np.isfinite(high) and np.array_equal(x, np.floor(x))
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
