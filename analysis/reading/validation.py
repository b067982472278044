"""Turn a raw export into the canonical format, checking every value on the way.

Every problem is collected (nothing stops at the first) and raised together in one
:class:`~analysis.errors.SurveyDataError`. Values are only ever changed by a rule the user can
see: a missing code from the codebook or the file's own metadata, an answer label (the codebook's
or the instrument's own), a recode, or a declared reversal in the source. Everything else that does
not fit the data dictionary is an error, never a silent coercion.

**What is missing.** Only an empty cell (or one of spaces) is no answer by itself. Any text is an
answer as written: ``NA``, ``N/A``, ``nan``, ``NaN``, ``null``, ``-99`` or ``Prefer not to say`` are
no answer only when the codebook lists them (``missing_codes:``, ``column_missing_codes:``) or
the file's own metadata declares them (SPSS user-missing values); otherwise they are reported
(e.g. ``[text in numeric field]``). The readers keep them as typed (pandas' default NA strings
are switched off for CSV and Excel).

**What is a number.** Digits 0-9 with an optional sign, decimal point and exponent
(:func:`~analysis.reading.codebook.plain_number`). Text that Python's ``float()`` reads but a
person would not mean as a number (``nan``, ``inf``, ``-Infinity``, ``1_0``, full-width ``５``,
Arabic-Indic ``٣``) is ``[text in numeric field]``; so is an infinite value in a numeric column.

**What else is refused**, each as a named problem: invisible characters in a value or an id
(``[invisible character]``: NUL, the byte-order mark U+FEFF, zero-width U+200B-U+200D, word
joiner U+2060; ids equal once they are removed are also duplicates), dates in numeric columns
(``[date in numeric field]``), file value labels that move only the labelled codes
(``[partly labelled codes]``) or that belong to another scale (``[labels of another scale]``),
more than one wave label in a file (``[more than one wave]``), and codebook rules that match
nothing or contradict the dictionary (:data:`CODEBOOK_KINDS`).
"""

from __future__ import annotations

import datetime
import fnmatch
import re

import numpy as np
import pandas as pd

from .codebook import Codebook, normalise_label, plain_number
from .dictionary import ColumnSpec, Dictionary
from ..arguments import did_you_mean
from ..errors import Diagnosis, Problem, problem_at
from ..parallel import pool
from .readers import RawTable

MISSING = object()  # marker for "a missing code"

#: Characters nobody can see that change a value: NUL, byte-order mark, zero-width space,
#: zero-width non-joiner and joiner, word joiner.
INVISIBLE = "\x00\ufeff\u200b\u200c\u200d\u2060"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_INVISIBLE_WORDS = ("NUL, byte-order mark U+FEFF, zero-width space or joiner U+200B-U+200D, word joiner "
                    "U+2060")

#: Problem kinds that are the codebook's, not the data's: :func:`analysis.reading.waves.load_wave`
#: raises a :class:`~analysis.errors.CodebookError` when one of them is found.
CODEBOOK_KINDS = ("unused codebook rule", "not a reverse-keyed item", "missing code is an answer",
                  "colliding answer labels", "header rows swallow respondents", "bad exclusion rule")


def _as_text_ids(raw: pd.Series):
    """Identifiers (and labels, free text) as a pandas string array: whole floats lose their
    ``.0``, surrounding white space is dropped, and blanks are missing (``pd.NA``).

    A column read as text stays in pyarrow's memory: no Python object is made per respondent.

    Examples
    --------
    >>> list(_as_text_ids(pd.Series([" a7 ", "", None], dtype="str")))
    ['a7', <NA>, <NA>]
    >>> list(_as_text_ids(pd.Series([12.0, 1.5, np.nan])))
    ['12', '1.5', <NA>]
    """
    if _numeric_dtype(raw):
        x = raw.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isfinite(x) & (np.floor(x) == x)
        text = np.where(whole, pd.Series(np.where(whole, x, 0).astype("int64")).astype(str).to_numpy(),
                        pd.Series(x).astype(str).to_numpy()).astype(object)
        text[np.isnan(x)] = None
        return pd.array(text, dtype="string")
    if not pd.api.types.is_string_dtype(raw.dtype):
        raw = raw.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else v, na_action="ignore")
    text = raw.astype("string").str.strip()
    return text.where(text.str.len() > 0).array


def _numeric_dtype(raw: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype)


def convert_column(
    raw: pd.Series,
    spec: ColumnSpec,
    codebook: Codebook,
    *,
    ids=None,
    value_labels: dict | None = None,
    declared_missing=(),
    source_column: str | None = None,
) -> tuple[pd.Series | np.ndarray, list[Problem], int]:
    """Convert one export column to its canonical form.

    Parameters
    ----------
    raw : Series
        The column as read.
    spec : ColumnSpec
        Its canonical definition.
    codebook : Codebook
        Supplies missing codes, answer labels, recodes and declared reversals.
    ids : array-like, optional
        Respondent ids aligned with ``raw`` (for messages).
    value_labels : dict, optional
        The file's own code -> label map for this column (SPSS, Stata). Labelled codes are read
        through their labels, so a file whose codes differ from the canonical ones still maps
        right (or fails loudly).
    declared_missing : iterable
        Values the file itself declares missing.

    Returns
    -------
    values : ndarray (float64 for numbers, object for categories)
    problems : list of Problem
    n_missing_coded : int
        How many cells a missing code turned into a missing value.
    """
    name = spec.name
    missing = codebook.missing_codes_for(name) | {normalise_label(v) for v in declared_missing}
    cb_labels = codebook.labels_for(name)
    recode = codebook.recode_for(name)
    problems: list[Problem] = []
    where = dict(ids=ids, source_column=source_column)

    if spec.kind in ("code", "number") and _numeric_dtype(raw) and not value_labels and not cb_labels:
        # Fast path: a numeric column needs no label look-up.
        values = raw.to_numpy(dtype="float64", na_value=np.nan)
        # 'inf' declared missing matches the infinity pandas read the text as; 'nan' needs nothing
        numeric_missing = [float(m) for m in missing
                           if _is_number(m) or (_python_number(m) and np.isinf(float(m)))]
        coded = np.isin(values, numeric_missing) if numeric_missing else None
        n_coded = int(np.count_nonzero(coded)) if coded is not None else 0
        if n_coded:  # otherwise the column's own array goes on, uncopied
            values = np.where(coded, np.nan, values)
        if recode:
            values = _apply_recode(values, recode)
        problems += _range_problems(values, raw, spec, **where)
        return _reverse(values, spec, codebook), problems, n_coded

    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    dict_labels = {normalise_label(v): k for k, v in spec.labels.items()}
    allowed = {normalise_label(v): v for v in spec.values}
    if value_labels and spec.kind == "code" and not cb_labels:
        other_scale = _labels_of_another_scale(value_labels, missing, dict_labels, spec, codes, uniques,
                                               values=raw, **where)
        if other_scale is not None:
            return np.full(len(raw), np.nan), problems + [other_scale], 0
    mapped = np.empty(len(uniques), dtype=object)
    from_number = np.zeros(len(uniques), dtype=bool)
    by_dictionary_label = []  # the labels matched by name to the dictionary's (for messages)
    bad: dict[str, list[int]] = {}
    for j, u in enumerate(uniques):
        if isinstance(u, str) and _INVISIBLE.search(u):
            bad.setdefault("invisible character", []).append(j)
            continue
        key = normalise_label(u)
        if isinstance(u, str) and not u.strip():
            mapped[j] = None  # blank text is no answer
            continue
        if key in missing:
            mapped[j] = MISSING
            continue
        file_label = bool(value_labels) and _is_number(u) and float(u) in value_labels
        if file_label:
            u = value_labels[float(u)]
            key = normalise_label(u)
            if key in missing:
                mapped[j] = MISSING
                continue
        if spec.kind == "category":
            if key in cb_labels and normalise_label(cb_labels[key]) in allowed:
                mapped[j] = allowed[normalise_label(cb_labels[key])]
            elif key in allowed:
                mapped[j] = allowed[key]
            else:
                bad.setdefault("unknown category", []).append(j)
            continue
        if isinstance(u, (datetime.date, datetime.time, datetime.timedelta)):
            bad.setdefault("date in numeric field", []).append(j)  # Excel: a number formatted as a date
        elif key in cb_labels and _is_number(cb_labels[key]):
            mapped[j] = float(cb_labels[key])
        elif key in dict_labels:
            mapped[j] = float(dict_labels[key])
            by_dictionary_label.append(u)
        elif _is_number(key):
            mapped[j] = float(key)
            from_number[j] = True
        elif file_label:
            bad.setdefault("unknown answer label", []).append(j)  # the file's own label for the code
        elif _python_number(u):
            bad.setdefault("number-like text", []).append(j)  # nan, inf, 1_0, ５: never a number here
        else:
            bad.setdefault("text", []).append(j)

    if "text" in bad:
        # A column answered in labels has an unknown label; a column of numbers has stray text.
        labelled = not from_number.any() or any(
            v is not None and v is not MISSING for v, num in zip(mapped, from_number) if not num)
        kind = "unknown answer label" if labelled else "text in numeric field"
        bad[kind] = bad.get(kind, []) + bad.pop("text")
    number_like = "number-like text" in bad
    if number_like:
        bad["text in numeric field"] = bad.get("text in numeric field", []) + bad.pop("number-like text")

    for kind, idx in bad.items():
        mask = np.isin(codes, idx)
        if kind == "unknown category":
            msg, fix = (f"values are not among the allowed categories; expected {spec.expected()}",
                        "map each export value to a category in the codebook (answer_labels), "
                        "or list it under missing_codes if it means no answer")
        elif kind == "unknown answer label":
            msg, fix = (f"answer labels not known for this column; expected {spec.expected()}",
                        "add the labels to an answer_labels set in the codebook, or list them "
                        "under missing_codes if they mean no answer")
            if by_dictionary_label:  # some labels match by name: perhaps another scale's
                shown = ", ".join(map(repr, by_dictionary_label[:4]))
                msg += (f"; its other labels ({shown}) are this column's, so the export may use another "
                        "scale whose labels only partly match ours")
                fix = ("map every label of the export's scale to this column's codes in the codebook "
                       "(answer_labels), or list a label under missing_codes if it means no answer")
        elif kind == "invisible character":
            msg, fix = (f"cells hold characters nobody can see ({_INVISIBLE_WORDS}), so they do not read "
                        f"as what they show; expected {spec.expected()}",
                        "delete the invisible characters in the export (they come from copying out of web "
                        "pages or other files, or from joining files); nothing is removed silently")
        elif kind == "date in numeric field":
            msg, fix = (f"dates or times where numbers are expected (in Excel, a number in a cell formatted "
                        f"as a date shows as one: 3 is 1900-01-03); expected {spec.expected()}",
                        "format the column's cells as Number in the workbook and check the answers, or "
                        "correct the cells")
        elif number_like:
            msg, fix = (f"text found where numbers are expected: 'nan', 'inf', 'Infinity', '1_0' and digits "
                        f"other than 0-9 (such as '５' or '٣') are text here, not numbers, and not a missing "
                        f"answer either; expected {spec.expected()}",
                        "type the answer with the digits 0-9, leave the cell empty for no answer, or "
                        "declare the text as a missing code in the codebook (missing_codes:)")
        else:
            msg, fix = (f"text found where numbers are expected; expected {spec.expected()}",
                        "correct the cells, or declare the text as a missing code in the codebook")
        problems.append(problem_at(kind, name, mask, msg, fix, values=raw, **where))
    if value_labels and from_number.any():
        problems += _partly_labelled(value_labels, missing, cb_labels, dict_labels, recode, spec, codes,
                                     from_number, values=raw, **where)

    n_coded = int(np.isin(codes, [j for j in range(len(uniques)) if mapped[j] is MISSING]).sum())
    mapped = np.array([None if v is MISSING else v for v in mapped], dtype=object)
    if spec.kind == "category":
        # Straight to categorical codes: one look-up per distinct value, none per row.
        position = {v: i for i, v in enumerate(spec.values)}
        cat_of_unique = np.array([position.get(v, -1) if v is not None else -1 for v in mapped] + [-1])
        return pd.Categorical.from_codes(cat_of_unique[codes], categories=list(spec.values)), problems, n_coded

    lookup = np.array([np.nan if v is None else v for v in mapped], dtype="float64")
    if recode:
        lookup = np.where(from_number, _apply_recode(lookup, recode), lookup)
    values = np.where(codes >= 0, lookup[np.maximum(codes, 0)] if len(lookup) else np.nan, np.nan)
    values[np.isin(codes, sum(bad.values(), []))] = np.nan  # already reported
    problems += _range_problems(values, raw, spec, **where)
    return _reverse(values, spec, codebook), problems, n_coded


def _is_number(value) -> bool:
    """A finite number, or text a person would read as one (:func:`plain_number`)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, np.integer, np.floating)):
        return bool(np.isfinite(value))
    return isinstance(value, str) and plain_number(value) is not None


def _python_number(value) -> bool:
    """What Python's ``float()`` reads as a number (``nan``, ``inf``, ``1_0``, ``５`` included)."""
    if isinstance(value, bool):
        return False
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def _labels_of_another_scale(value_labels: dict, missing: set, dict_labels: dict, spec: ColumnSpec, codes,
                             uniques, **where) -> Problem | None:
    """The file labels this column's codes with a label set of which only some labels are the
    dictionary's: matching by name would put a 7-point scale's answers on another scale's codes
    ("Dissatisfied" is 2 of 7 in one tool and 3 of 7 here). None when every label is known
    (read through them) or none is (each unknown label found is reported as usual)."""
    labels = {code: label for code, label in value_labels.items()
              if normalise_label(label) not in missing and normalise_label(code) not in missing}
    known = [label for label in labels.values() if normalise_label(label) in dict_labels]
    unknown = [label for label in labels.values() if normalise_label(label) not in dict_labels]
    if not known or not unknown:
        return None
    labelled = np.array([_is_number(u) and float(u) in labels for u in uniques] + [False])
    mask = labelled[codes]  # codes of -1 (blank) pick the last entry, False
    shown = ", ".join(f"{c:g} {label!r}" for c, label in sorted(labels.items()))
    example = ", ".join(f"{label!r}: ..." for label in list(labels.values())[:3])
    problem = problem_at(
        "labels of another scale", spec.name, mask,
        f"the file's value labels ({shown}) are another scale's: {len(unknown)} of {len(labels)} "
        f"({', '.join(map(repr, unknown[:4]))}{' ...' if len(unknown) > 4 else ''}) are not this column's, so the "
        f"labels that do match ({', '.join(map(repr, known[:4]))}) need not mean the same answers; "
        f"expected {spec.expected()}",
        f"map every one of the file's labels to this column's codes in the codebook (answer_labels: "
        f"{{columns: [{spec.name}], labels: {{{example}}}}}), or recode the codes (recode:)", **where)
    return Problem(problem.kind, problem.column, problem.message, problem.fix, rows=problem.rows,
                   ids=problem.ids, count=problem.count, values=tuple(unknown[:5]), n_values=len(unknown),
                   source_column=problem.source_column)


def _partly_labelled(value_labels: dict, missing: set, cb_labels: dict, dict_labels: dict, recode: dict,
                     spec: ColumnSpec, codes, from_number, **where) -> list[Problem]:
    """Labelled codes that their labels move (0 'Never' read as 1) next to unlabelled codes that
    stay as they are (1 read as 1): a silent shift of some answers. None unless both are there and
    the codebook's recode does not already say what the unlabelled codes mean."""
    moved = {}
    for code, label in value_labels.items():
        key = normalise_label(label)
        if key in missing or normalise_label(code) in missing:
            continue
        if key in cb_labels and _is_number(cb_labels[key]):
            value = float(cb_labels[key])
        elif key in dict_labels:
            value = float(dict_labels[key])
        else:
            continue
        if value != recode.get(float(code), float(code)):
            moved[float(code)] = (label, value)
    if not moved:
        return []
    mask = np.isin(codes, np.flatnonzero(from_number))
    shown = ", ".join(f"{c:g} {label!r} is read as {v:g}" for c, (label, v) in sorted(moved.items()))
    offsets = {v - c for c, (_, v) in moved.items()}
    if len(offsets) == 1:
        d = offsets.pop()
        lo, hi = spec.min - d, spec.max - d
        table = ", ".join(f"{c:g}: {c + d:g}" for c in np.arange(lo, hi + 1))
        fix = (f"say what every export code means in the codebook: recode: {{{spec.name}: {{{table}}}}} "
               "(labelled codes are still read through their labels, which then agree)")
    else:
        fix = f"say what every export code means in the codebook: recode: {{{spec.name}: {{code: answer, ...}}}}"
    return [problem_at(
        "partly labelled codes", spec.name, mask,
        f"the file labels only some codes, and their labels move them ({shown}), while the unlabelled "
        f"codes found stay as they are: the answers would shift silently; expected {spec.expected()}",
        fix, **where)]


def _apply_recode(values: np.ndarray, recode: dict) -> np.ndarray:
    out = values.copy()
    for src, dst in recode.items():
        out[values == src] = dst
    return out


def _range_problems(values, raw, spec: ColumnSpec, **where) -> list[Problem]:
    """Whole-number and range checks; ``raw`` supplies the offending values as written."""
    problems = []
    if not len(values):
        return problems
    # A few passes decide the usual case (everything fine) without building any mask: the
    # smallest and largest value (NaN-ignoring; NaN when every value is), and for whole-number
    # columns the largest and smallest remainder on division by 1.
    lo, hi, whole = _extremes(values, spec.kind == "code")
    if np.isnan(lo):
        return problems
    if np.isinf(lo) or np.isinf(hi):
        infinite = np.isinf(values)
        problems.append(problem_at(
            "text in numeric field", spec.name, infinite,
            f"infinite values ('inf', 'Infinity' or a number too large to hold) where numbers are expected; "
            f"expected {spec.expected()}",
            "type the answer with the digits 0-9, leave the cell empty for no answer, or declare the "
            "text as a missing code in the codebook (missing_codes:)", values=raw, **where))
        values = np.where(infinite, np.nan, values)
        if not np.isfinite(values).any():
            return problems
        lo, hi, whole = _extremes(values, spec.kind == "code")
    if whole and spec.min <= lo and hi <= spec.max:
        return problems
    finite = ~np.isnan(values)
    if spec.kind == "code":
        frac = finite & (np.floor(values) != values)
        if frac.any():
            problems.append(problem_at(
                "out of range", spec.name, frac, f"answers are not whole numbers; expected {spec.expected()}",
                "correct the cells, or recode them in the codebook (recode)", values=raw, **where))
    outside = finite & ((values < spec.min) | (values > spec.max))
    if outside.any():
        problems.append(problem_at(
            "out of range", spec.name, outside, f"values outside the allowed range; expected {spec.expected()}",
            "correct the cells; if a code such as -99 or 999 means no answer, list it under "
            "missing_codes in the codebook", values=raw, **where))
    return problems


#: Values checked at a time by :func:`_extremes` (a block stays in the processor's cache).
_CELLS_AT_A_TIME = 1 << 15


def _extremes(values: np.ndarray, whole: bool) -> tuple[float, float, bool]:
    """The smallest and largest value (NaN ignored; NaN when every value is NaN) and, when
    ``whole`` is asked for, whether every finite value is a whole number (else True).

    One pass over the column, a block at a time: each block is read from memory once and the
    remainder on division by 1 is computed while it is in the cache.

    Examples
    --------
    >>> _extremes(np.array([2.0, np.nan, 5.0, 1.0]), whole=True)
    (1.0, 5.0, True)
    >>> _extremes(np.array([2.5, np.nan]), whole=True)[2], _extremes(np.array([np.nan]), whole=False)[0]
    (False, nan)
    """
    lo = hi = np.nan
    is_whole = True
    step = max(1, min(len(values), _CELLS_AT_A_TIME))
    remainder = np.empty(step) if whole else None
    for start in range(0, len(values), step):
        block = values[start:start + step]
        lo, hi = np.fmin(lo, np.fmin.reduce(block)), np.fmax(hi, np.fmax.reduce(block))
        if whole and is_whole:
            rest = remainder[:len(block)]
            np.trunc(block, out=rest)
            with np.errstate(invalid="ignore"):  # infinities: inf - inf is NaN, ignored as NaN is
                np.subtract(block, rest, out=rest)  # 0 for whole numbers, NaN for NaN
            is_whole = not (np.fmax.reduce(rest) > 0 or np.fmin.reduce(rest) < 0)
    return float(lo), float(hi), is_whole


def _reverse(values: np.ndarray, spec: ColumnSpec, codebook: Codebook) -> np.ndarray:
    if spec.instrument and codebook.is_reversed_in_source(spec.name):
        return spec.min + spec.max - values
    return values


def to_canonical(
    table: RawTable, codebook: Codebook, dictionary: Dictionary, wave: str | None = None
) -> tuple[pd.DataFrame, list[Problem], dict]:
    """Map and check a raw table; return (canonical frame, problems, report).

    The report holds ``missing_coded`` (canonical column -> cells set missing by a missing code),
    ``ignored`` (export columns left out on purpose) and ``renamed`` (export -> canonical).

    Examples
    --------
    >>> from analysis.paths import SYNTHETIC_DIR
    >>> from analysis.reading.codebook import load_codebook
    >>> from analysis.reading.dictionary import load_dictionary
    >>> from analysis.reading.readers import read_table
    >>> frame, problems, report = to_canonical(read_table(SYNTHETIC_DIR / "wave_2018_export.csv"),
    ...     load_codebook(SYNTHETIC_DIR / "wave_2018_export_csv.yaml"), load_dictionary())
    >>> frame.shape, problems, report["renamed"]["Response ID"]
    ((3421, 100), [], 'respondent_id')
    """
    report: dict = {"missing_coded": {}, "ignored": [], "renamed": {}}
    frame, header, problems = _drop_repeated_columns(table.frame)
    problems += _absent_codebook_columns(codebook, header)
    present, found = _match_columns(header, codebook, dictionary, report)
    problems += found
    wave_label = wave if wave is not None else codebook.wave
    problems += _missing_columns(present, dictionary, wave_label)
    with pool(len(frame)) as workers:  # columns, and the ids' checks, on every core
        ids = _respondent_id_texts(frame, present)
        id_problems = workers.submit(_respondent_id_problems, ids, frame[present["respondent_id"]] if ids is not None
                                     else None, present.get("respondent_id"))
        out, found = _convert_columns(table, frame, present, codebook, dictionary, ids, report, workers)
        problems += id_problems.result() + found
    problems += _fill_wave_label(out, len(frame), wave_label, ids, present)
    problems = _extra_header_rows(problems, frame, present, dictionary)
    problems += _codebook_rules(codebook, present, dictionary)
    problems += _swallowed_respondents(table, codebook, dictionary, present)
    return _canonical_frame(out, dictionary, len(frame)), problems, report


def _drop_repeated_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str], list[Problem]]:
    """Keep the first of each repeated column name; returns the frame, its header as text and the problem."""
    header = [str(c) for c in frame.columns]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if not repeated:
        return frame, header, []
    # readers refuse these; a DataFrame or Parquet file can still hold them
    problem = Problem(
        "duplicate columns", None, f"column name(s) {repeated} appear more than once",
        "rename or remove the repeated columns (only the first of each is checked here)")
    keep = ~pd.Index(header).duplicated()
    return frame.loc[:, keep], [h for h, k in zip(header, keep) if k], [problem]


def _absent_codebook_columns(codebook: Codebook, header: list[str]) -> list[Problem]:
    """The export columns the codebook names that the file does not have."""
    absent = [c for c in list(codebook.columns) + list(codebook.ignore) if c not in header]
    if not absent:
        return []
    named = ", ".join(f"{c!r}{did_you_mean(c, header)}".replace("; did you mean", " (did you mean")
                      .replace("?", "?)") for c in absent[:8])
    return [Problem(
        "codebook names absent columns", None,
        f"the codebook names {len(absent)} export column(s) that are not in the file: {named}"
        f"{f' and {len(absent) - 8} more' if len(absent) > 8 else ''} "
        f"(the file has {len(header)} columns: {header[:8]}{' ...' if len(header) > 8 else ''})",
        "correct the column names in the codebook (columns:, ignore:) to match the export's header")]


def diagnose(header: list[str], codebook: Codebook, problems: list[Problem]) -> Diagnosis | None:
    """The one mistake most of ``problems`` come down to, said in one line, or None.

    - **A raw export without its codebook**: the codebook renames none of the file's columns and
      most of them are not canonical names.
    - **The codebook of another export**: the codebook renames columns, but none of them is in the
      file.

    Parameters
    ----------
    header : list of str
        The file's column names.
    codebook : Codebook
        The codebook it was loaded with (empty when none was given).
    problems : list of Problem
        What loading found.

    Examples
    --------
    >>> from analysis.reading.codebook import Codebook
    >>> unknown = [Problem("unknown column", c, "not in the data dictionary") for c in ["Q1", "Q2"]]
    >>> diagnose(["ResponseId", "Q1", "Q2"], Codebook(), unknown).kind
    'raw export'
    >>> diagnose(["ResponseId", "Q1", "Q2"], Codebook(columns={"V_1": "hse_01"}), unknown).kind
    'codebook of another export'
    >>> diagnose(["respondent_id", "wave", "hours_actaul"], Codebook(), unknown[:1]) is None
    True
    """
    counted = [h for h in header if h not in codebook.ignore]
    unknown = sum(p.kind == "unknown column" for p in problems)
    renamed = [c for c in codebook.columns if codebook.columns[c] != c]
    if renamed and not set(renamed) & set(header):
        n = len(renamed)
        text = (f"the codebook maps none of this file's {len(header)} columns: it was written for another "
                f"export (it renames {n} column{'s' if n != 1 else ''} such as {renamed[0]!r}; this file has "
                f"{header[0]!r}, ...)")
        return Diagnosis("codebook of another export",
                         f"{text}. Pass this export's codebook, or draft one with analysis.draft_codebook(path).",
                         f"{text}. Pass this export's codebook with --codebook, or draft one with "
                         "`wellbeing-survey codebook draft <export>`.")
    if not renamed and counted and 2 * unknown >= len(counted):
        text = (f"this looks like a raw export: {unknown} of its {len(counted)} columns are not canonical "
                "names")
        return Diagnosis("raw export",
                         f"{text}; did you forget the codebook (load_wave(path, codebook)), or to draft one "
                         "(analysis.draft_codebook(path))?",
                         f"{text}; did you forget --codebook (or `wellbeing-survey codebook draft <export>` "
                         "to write one)?")
    return None


def _match_columns(header: list[str], codebook: Codebook, dictionary: Dictionary,
                   report: dict) -> tuple[dict, list[Problem]]:
    """Name each export column canonically; returns canonical -> export column for the known ones."""
    problems = []
    targets: dict[str, list[str]] = {}
    for src in header:
        if src in codebook.ignore:
            report["ignored"].append(src)
            continue
        targets.setdefault(codebook.canonical_name(src), []).append(src)
    for canon, srcs in targets.items():
        if len(srcs) > 1:
            problems.append(Problem(
                "duplicate columns", canon,
                f"export columns {srcs} all map to the canonical column '{canon}'",
                "map only one of them in the codebook and list the others under ignore:"))
    unknown = [c for c in targets if c not in dictionary]
    for canon in unknown:
        src = targets[canon][0]
        renamed = src != canon
        close = did_you_mean(canon, dictionary.columns)
        problems.append(Problem(
            "unknown column", canon,
            (f"the codebook maps it to '{canon}', which is not a canonical column{close}" if renamed
             else f"this column is not in the data dictionary{close}"),
            "map it to a canonical column in the codebook (columns:), or list it under ignore: "
            "to leave it out (run `wellbeing-survey dictionary` to list the canonical names)",
            source_column=src))
    present = {c: s[0] for c, s in targets.items() if c in dictionary}
    report["renamed"] = {s: c for c, s in present.items() if s != c}
    return present, problems


def _missing_columns(present: dict, dictionary: Dictionary, wave_label) -> list[Problem]:
    """The required columns, and the items of partly present instruments, that are missing."""
    problems = []
    for req in dictionary.required:
        if req not in present and not (req == "wave" and wave_label is not None):
            fix = ("map the export's identifier column to respondent_id in the codebook (columns:)"
                   if req == "respondent_id"
                   else "add a wave column, or give the wave label (codebook wave:, or load_wave(..., wave=))")
            problems.append(Problem("missing required column", req,
                                    f"the required column '{req}' is missing", fix))

    for inst in dictionary.instruments:
        have = [i for i in inst.items if i in present]
        if have and len(have) < len(inst.items):
            lacking = [i for i in inst.items if i not in present]
            problems.append(Problem(
                "incomplete instrument", None,
                f"{inst.short_name}: {len(have)} of {len(inst.items)} item columns are present; "
                f"missing {lacking}",
                "map the missing item columns in the codebook; an instrument's scales need all its items"))
    return problems


def _respondent_id_texts(frame: pd.DataFrame, present: dict):
    """The respondent ids as text (a pandas string array; None without an id column)."""
    return _as_text_ids(frame[present["respondent_id"]]) if "respondent_id" in present else None


def _respondent_id_problems(ids, raw: pd.Series | None, src: str | None) -> list[Problem]:
    """The respondent ids (as :func:`_respondent_id_texts` gives them from ``raw``, the export's
    column ``src``) checked for blanks, invisible characters and repeats."""
    if ids is None:
        return []
    problems = []
    blank = np.asarray(pd.isna(ids), dtype=bool)
    if blank.any():
        problems.append(problem_at(
            "missing respondent id", "respondent_id", blank, "respondents without an id",
            "give every respondent a unique id in the export", source_column=src))
    as_series = pd.Series(ids, dtype="string", copy=False)
    hidden = _has_invisible(raw if isinstance(raw.dtype, pd.StringDtype) else as_series)
    if hidden.any():
        problems.append(problem_at(
            "invisible character", "respondent_id", hidden,
            f"ids hold characters nobody can see ({_INVISIBLE_WORDS}): two ids that look the same "
            "would count as two respondents",
            "delete the invisible characters from the ids in the export (they come from copying out of "
            "web pages or other files, or from joining files); nothing is removed silently",
            ids=ids, values=ids, source_column=src))
        # Ids equal once the invisible characters are gone are the same id.
        as_series = as_series.str.replace(_INVISIBLE.pattern, "", regex=True).str.strip()
    dup = (as_series.duplicated(keep=False) & as_series.notna()).to_numpy(dtype=bool)
    if dup.any():
        problems.append(problem_at(
            "duplicate respondent id", "respondent_id", dup,
            "the same id is used by more than one respondent (ids must be unique within a wave)"
            + (", once invisible characters are left out" if hidden[dup].any() else ""),
            "remove repeated submissions or give each respondent its own id",
            ids=ids, values=ids, source_column=src))
    return problems


def _has_invisible(text) -> np.ndarray:
    """Which of the texts (missing for blank) hold an invisible character: one pass over the
    column in pandas' string type (the column as read, when it is text already); a column of
    ASCII text can hold only the one that is ASCII, NUL, which is looked for as it is."""
    series = text if isinstance(text, pd.Series) and isinstance(text.dtype, pd.StringDtype) else \
        pd.Series(text, dtype="string")
    if len(series) and getattr(series.dtype, "storage", None) == "pyarrow":
        import pyarrow as pa
        import pyarrow.compute as pc

        cells = pa.array(series.array)
        if pc.all(pc.string_is_ascii(cells)).as_py() is not False:
            found = pc.match_substring(cells, "\x00")
            return pc.fill_null(found, False).to_numpy(zero_copy_only=False)
    found = series.str.contains(_INVISIBLE.pattern, regex=True)
    return found.to_numpy(dtype=bool, na_value=False)


def _convert_columns(table: RawTable, frame: pd.DataFrame, present: dict, codebook: Codebook,
                     dictionary: Dictionary, ids, report: dict, workers=None) -> tuple[dict, list[Problem]]:
    """Convert every present column to its canonical values; counts missing-coded cells in ``report``.

    ``workers`` (an executor from :func:`analysis.parallel.pool`) converts several columns at a
    time; the problems come back in column order whichever finished first."""
    out: dict[str, object] = {} if ids is None else {"respondent_id": ids}
    names = [c for c in dictionary.order(present) if c != "respondent_id"]
    raws = {canon: frame[present[canon]] for canon in names}  # (taken here: the threads touch a column each)
    converted = (workers or pool(0)).map(
        lambda canon: _convert_one(canon, table, raws[canon], present[canon], codebook, dictionary, ids), names)
    problems = []
    for canon, (values, found, n_coded) in zip(names, converted):
        problems += found
        if n_coded:
            report["missing_coded"][canon] = n_coded
        out[canon] = values
    return out, problems


def _convert_one(canon: str, table: RawTable, raw: pd.Series, src: str, codebook: Codebook, dictionary: Dictionary,
                 ids) -> tuple[object, list[Problem], int]:
    """One column of :func:`_convert_columns`: its canonical values, problems and missing-coded count."""
    problems: list[Problem] = []
    spec = dictionary[canon]
    if spec.kind in ("label", "text"):
        text = _as_text_ids(raw)
        if spec.kind == "label" and text.isna().any():
            problems.append(problem_at(
                "missing wave label", canon, text.isna(),
                "the wave column is blank for some respondents", "fill in the wave label",
                ids=ids, source_column=src))
        if spec.kind == "label":  # free text is never copied to outputs: it may hold anything
            hidden = _has_invisible(pd.Series(text, dtype="string", copy=False))
            if hidden.any():
                problems.append(problem_at(
                    "invisible character", canon, hidden,
                    f"wave labels hold characters nobody can see ({_INVISIBLE_WORDS}): labels that look "
                    "the same would be different waves",
                    "delete the invisible characters from the wave column; nothing is removed silently",
                    ids=ids, values=text, source_column=src))
        return text, problems, 0
    values, probs, n_coded = convert_column(
        raw, spec, codebook, ids=ids, value_labels=table.value_labels.get(src),
        declared_missing=table.declared_missing.get(src, ()), source_column=src)
    problems += probs
    if (raw.dtype == np.float64 and isinstance(values, np.ndarray) and not values.flags.writeable
            and np.may_share_memory(values, raw.to_numpy())):
        values = raw  # the column as read, unchanged: the frame shares it rather than copy it
    return values, problems, n_coded


def distinct_labels(labels: pd.Series) -> list[str]:
    """The distinct filled values of a column of labels, sorted (a wave column: one label, or a
    few); when every filled cell holds the first one, found by comparing with it rather than by
    hashing every cell.

    Examples
    --------
    >>> distinct_labels(pd.Series(["2018", None, "2018"], dtype="string"))
    ['2018']
    >>> distinct_labels(pd.Series(["2018", "2017", None], dtype="string")), distinct_labels(pd.Series([], dtype="string"))
    (['2017', '2018'], [])
    """
    filled = labels.notna().to_numpy(dtype=bool)
    if not filled.any():
        return []
    first = labels.iloc[int(np.argmax(filled))]
    if not (labels != first).to_numpy(dtype=bool, na_value=False).any():
        return [str(first)]
    return sorted({str(v) for v in labels[filled].unique()})


def _fill_wave_label(out: dict, n: int, wave_label, ids, present: dict) -> list[Problem]:
    """Fill the wave column from the wave label, or check the file's own wave column against it;
    without a wave label, the file's wave column must hold one label (a file is one wave)."""
    if wave_label is None:
        if "wave" not in out:
            return []
        waves = pd.Series(out["wave"], dtype="string", copy=False)
        if len(distinct_labels(waves)) < 2:
            return []
        counts = pd.Series(out["wave"], dtype=object).dropna().value_counts(sort=True)
        main = counts.index[0]
        others = ((waves != main) & waves.notna()).to_numpy(dtype=bool)
        listed = ", ".join(f"{label!r} ({n} respondent{'s' if n != 1 else ''})" for label, n in counts.items())
        problem = problem_at(
            "more than one wave", "wave", others,
            f"the wave column holds {len(counts)} wave labels: {listed}; a file is one wave, and "
            "its respondents would be analysed as one",
            "split the file into one file per wave, load each on its own and pool them (pool_waves); "
            "or correct the wave column",
            ids=ids, values=out["wave"], source_column=present.get("wave"))
        return [Problem(problem.kind, problem.column, problem.message, problem.fix, rows=problem.rows,
                        ids=problem.ids, count=problem.count, values=tuple(counts.index[:5]),
                        n_values=len(counts), source_column=problem.source_column)]
    if "wave" not in out:
        out["wave"] = pd.array([str(wave_label)], dtype="string").take(np.zeros(n, dtype=np.intp))
        return []
    waves = pd.Series(out["wave"], dtype="string", copy=False)
    differs = ((waves != str(wave_label)) & waves.notna()).to_numpy(dtype=bool)
    if not differs.any():
        return []
    return [problem_at(
        "conflicting wave label", "wave", differs,
        f"the file's wave column disagrees with the wave label given ({wave_label!r})",
        "drop the wave label from the codebook/call, or correct the wave column",
        ids=ids, values=out["wave"], source_column=present.get("wave"))]


def _canonical_frame(out: dict, dictionary: Dictionary, n: int) -> pd.DataFrame:
    """The converted columns as one frame in dictionary order, each with its canonical dtype.

    A large wave (more than :data:`_SHARED_CELLS` cells) keeps each column's own array, one
    block each: a frame built from a dict would copy every number column into one
    two-dimensional block, a second copy of the data that costs seconds and as much memory again
    at a million respondents. A smaller wave is built from a dict, as one block per type, so that
    adding a few columns to it later does not leave pandas warning about a fragmented frame.
    """
    index = pd.RangeIndex(n)
    columns = []
    for canon in dictionary.order(out):
        kind = dictionary[canon].kind
        if isinstance(out[canon], pd.Series):  # a float column as read (pandas knows it is shared)
            columns.append(out[canon].set_axis(index).rename(canon))
            continue
        if kind == "category":
            values = out[canon]
        elif kind in ("code", "number"):
            values = np.asarray(out[canon], dtype="float64")
        elif isinstance(out[canon], pd.api.extensions.ExtensionArray) and out[canon].dtype == "string":
            values = out[canon]  # text already a string array
        else:
            values = pd.array(out[canon], dtype="string")
        columns.append(pd.Series(values, index=index, name=canon, copy=False))
    if not columns:
        return pd.DataFrame(index=index)
    if n * len(columns) <= _SHARED_CELLS:
        return pd.DataFrame({column.name: column for column in columns}, index=index)
    return pd.concat(columns, axis=1)


#: Above this many cells the canonical frame shares the arrays read rather than copy them into one
#: block (see :func:`_canonical_frame`): 100 columns of 100,000 respondents.
_SHARED_CELLS = 10_000_000


#: Problems a second header row causes: its text sits where answers should be.
_HEADER_ROW_KINDS = ("text in numeric field", "unknown answer label", "unknown category")


def _extra_header_rows(problems: list[Problem], frame: pd.DataFrame, present: dict,
                       dictionary: Dictionary) -> list[Problem]:
    """Replace the column-by-column problems a second (or third) header row causes with one
    problem that names it.

    A leading row is taken for a header when it holds unreadable text in at least two columns
    and in at least half of the answer and category columns it fills, and the text does not go
    on below it (most of those columns are fine after the leading rows).
    """
    checked = [c for c in present if dictionary[c].kind in ("code", "number", "category")]
    # 'nan' or 'inf' in a leading row is a respondent's stray text, not question text.
    value_problems = [p for p in problems if p.kind in _HEADER_ROW_KINDS and p.column in checked
                      and not (p.values and all(_python_number(v) for v in p.values))]
    if len(checked) < 2 or len(value_problems) < 2:
        return problems

    def bad_at(row):
        return [p for p in value_problems if row in p.rows]

    leading = 0
    for row in range(1, min(3, len(frame) - 1) + 1):
        cells = frame.iloc[row - 1]
        filled = sum(1 for c in checked if pd.notna(cells[present[c]]) and str(cells[present[c]]).strip())
        bad = bad_at(row)
        if len(bad) >= 2 and 2 * len(bad) >= filled:
            leading = row
        else:
            break
    if not leading:
        return problems
    explained = [p for p in problems if p.column is not None and p.rows and max(p.rows) <= leading
                 and p.count <= leading
                 and p.kind in _HEADER_ROW_KINDS + ("conflicting wave label", "more than one wave")]
    if 2 * len([p for p in explained if p in bad_at(1)]) < len(bad_at(1)):
        return problems  # the text goes on below the first rows: not a header
    total = leading + 1
    words = {2: "two", 3: "three", 4: "four"}[total]
    columns = [p.source_column or p.column for p in explained]
    values = tuple(p.values[0] for p in explained if p.values)
    header_problem = Problem(
        "extra header row", None,
        f"{words} header rows? data row{'s 1-' + str(leading) if leading > 1 else ' 1'} hold"
        f"{'' if leading > 1 else 's'} text in {len(columns)} columns that expect answers or categories "
        f"({', '.join(map(str, columns[:5]))}{' ...' if len(columns) > 5 else ''}), as a header row does",
        f"set header_rows: {total} in the codebook (leave the file as exported: its checksum is recorded "
        "in the report's provenance)",
        rows=tuple(range(1, leading + 1)), count=leading, values=values[:5], n_values=len(values))
    return [header_problem] + [p for p in problems if p not in explained]


def _codebook_rules(codebook: Codebook, present: dict, dictionary: Dictionary) -> list[Problem]:
    """Codebook rules that match nothing in this file or contradict the dictionary.

    - a ``recode`` pattern that matches none of the file's columns;
    - a ``reversed_in_source`` entry that matches none of the file's columns, or an item that is not
      reverse-keyed (or not an item at all): turning it around would reverse answers that scoring
      does not reverse back;
    - a missing code that is also a valid answer or category of a column it applies to (``0`` is
      "Never" in PSS-4): it would turn those answers into no answer;
    - two answer-label sets for one column that give the same label different values.
    """
    problems = []
    columns = list(present)
    shown = f"{columns[:8]}{' ...' if len(columns) > 8 else ''}"
    for pattern in codebook.recode:
        if not any(fnmatch.fnmatchcase(c, pattern) for c in columns):
            problems.append(Problem(
                "unused codebook rule", None,
                f"recode: {pattern!r} matches none of the file's columns (by canonical name: {shown})",
                "correct the pattern (recode keys are canonical column names or patterns such as "
                "pss_*), or remove the rule"))
    reverse = {item for inst in dictionary.instruments for item in inst.reverse}
    for pattern in codebook.reversed_in_source:
        matched = [c for c in columns if fnmatch.fnmatchcase(c, pattern)]
        if not matched:
            items = [c for c, spec in dictionary.columns.items() if spec.instrument and fnmatch.fnmatchcase(c, pattern)]
            problems.append(Problem(
                "unused codebook rule" if items else "not a reverse-keyed item", None,
                f"reversed_in_source: {pattern!r} "
                + ("matches none of the file's columns" if items else "is not an instrument item"),
                "name reverse-keyed item columns (canonical names, e.g. hse_03), or remove the entry"))
            continue
        wrong = [c for c in matched if c not in reverse]
        if wrong:
            items = [c for c in wrong if dictionary[c].instrument]
            problems.append(Problem(
                "not a reverse-keyed item", wrong[0],
                f"reversed_in_source: {pattern!r} names {wrong[:6]}{' ...' if len(wrong) > 6 else ''}, "
                + ("which are not reverse-keyed items: scoring does not reverse them, so turning them "
                   "around would reverse their answers" if items else "which are not instrument items"),
                "list only the reverse-keyed items whose export holds reversed answers (the instruments' "
                "reverse: lists, e.g. "
                f"{sorted(reverse)[:3]})", values=tuple(wrong[:5]), n_values=len(wrong)))
    problems += _missing_codes_that_are_answers(codebook, present, dictionary)
    problems += _colliding_label_sets(codebook, present)
    return problems


def _missing_codes_that_are_answers(codebook: Codebook, present: dict, dictionary: Dictionary) -> list[Problem]:
    originals = {normalise_label(m): m for m in codebook.missing_codes}
    for codes in codebook.column_missing_codes.values():
        originals.update({normalise_label(m): m for m in codes})
    clashes: dict[str, list[tuple[str, str]]] = {}
    for canon in present:
        spec = dictionary[canon]
        if spec.kind not in ("code", "number", "category"):
            continue
        labels = codebook.labels_for(canon)
        for code in codebook.missing_codes_for(canon):
            number = plain_number(code)
            what = None
            if spec.kind in ("code", "number") and number is not None and spec.min <= number <= spec.max \
                    and (spec.kind == "number" or number.is_integer()):
                label = spec.labels.get(int(number)) if number.is_integer() else None
                what = f"{number:g}" + (f" = {label!r}" if label else "")
            elif code in labels:
                what = f"an answer label of the codebook (-> {labels[code]!r})"
            elif code in {normalise_label(v) for v in spec.labels.values()}:
                what = "one of its answer labels"
            elif spec.kind == "category" and code in {normalise_label(v) for v in spec.values}:
                what = "one of its categories"
            if what:
                clashes.setdefault(code, []).append((canon, what))
    problems = []
    for code, where in clashes.items():
        cols = [c for c, _ in where]
        problems.append(Problem(
            "missing code is an answer", cols[0],
            f"the missing code {originals.get(code, code)!r} is a valid answer in {len(cols)} column"
            f"{'s' if len(cols) != 1 else ''} ({', '.join(f'{c}: {w}' for c, w in where[:4])}"
            f"{' ...' if len(where) > 4 else ''}): as a missing code it would turn those answers into no answer",
            "remove it from missing_codes; if it means no answer in some columns only, list it under "
            "column_missing_codes for those columns", values=(originals.get(code, code),), n_values=1))
    return problems


def _colliding_label_sets(codebook: Codebook, present: dict) -> list[Problem]:
    problems, seen = [], set()
    for canon in present:
        found: dict[str, dict] = {}
        for name, spec in codebook.answer_labels.items():
            if any(fnmatch.fnmatchcase(canon, p) for p in spec["columns"]):
                for label, value in spec["labels"].items():
                    found.setdefault(normalise_label(label), {})[name] = value
        for label, by_set in found.items():
            if len({normalise_label(v) for v in by_set.values()}) > 1 and (label, tuple(by_set)) not in seen:
                seen.add((label, tuple(by_set)))
                problems.append(Problem(
                    "colliding answer labels", canon,
                    f"answer_labels sets {list(by_set)} both apply to this column and give the label "
                    f"{label!r} different values {list(by_set.values())}",
                    "make the sets' columns: lists not overlap, or give the label one value",
                    values=(label,), n_values=1))
    return problems


def _swallowed_respondents(table: RawTable, codebook: Codebook, dictionary: Dictionary,
                           present: dict) -> list[Problem]:
    """Rows that ``header_rows`` leaves out but that read as a respondent's answers: header rows
    hold question text, which does not convert, while a respondent's row does."""
    extra = table.header_extra
    if extra is None or not len(extra):
        return []
    checked = [c for c in present if dictionary[c].kind in ("code", "number", "category")]
    if len(checked) < 2:
        return []
    n = len(extra)
    clean = np.zeros(n, dtype=int)
    filled = np.zeros(n, dtype=int)
    for canon in checked:
        src = present[canon]
        raw = extra[src].reset_index(drop=True)
        has = (raw.notna() & (raw.astype(str).str.strip() != "")).to_numpy()
        _, probs, _ = convert_column(raw, dictionary[canon], codebook, source_column=src)
        ok = np.ones(n, dtype=bool)
        for p in probs:
            ok[[r - 1 for r in p.rows]] = False  # a header row has at most a few rows: all are shown
        filled += has
        clean += has & ok
    data_like = (filled >= 2) & (2 * clean >= filled) & (clean >= 2)
    if not data_like.any():
        return []
    first = int(np.flatnonzero(data_like)[0])
    lines = [int(r) + 2 for r in np.flatnonzero(data_like)]
    return [Problem(
        "header rows swallow respondents", None,
        f"header_rows: {codebook.header_rows} leaves out row{'s' if len(lines) != 1 else ''} "
        f"{', '.join(map(str, lines))} of the file (the column names are row 1), but "
        f"{'they hold' if len(lines) != 1 else 'it holds'} answers as a respondent's row does "
        f"({int(clean[first])} of {int(filled[first])} answer and category cells read as valid answers)",
        f"set header_rows: {first + 1} in the codebook (the number of header rows, the column names "
        "included)" if first + 1 > 1 else "remove header_rows from the codebook (the file has one header row)",
        values=tuple(" | ".join(str(v) for v in extra.iloc[r].tolist()[:6]) for r in np.flatnonzero(data_like)[:3]),
        n_values=int(data_like.sum()))]
