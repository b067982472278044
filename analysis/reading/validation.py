"""Turn a raw export into the canonical format, checking every value on the way.

Every problem is collected (nothing stops at the first) and raised together in one
:class:`~analysis.errors.SurveyDataError`. Values are only ever changed by a rule the user can
see: a missing code from the codebook or the file's own metadata, an answer label (the codebook's
or the instrument's own), a recode, or a declared reversal in the source. Everything else that does
not fit the data dictionary is an error, never a silent coercion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .codebook import Codebook, normalise_label
from .dictionary import ColumnSpec, Dictionary
from ..errors import Problem, problem_at
from .readers import RawTable

MISSING = object()  # marker for "a missing code"


def _as_text_ids(raw: pd.Series) -> np.ndarray:
    """Identifiers as text: whole floats lose their ``.0``; blanks become None."""
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        x = raw.to_numpy(dtype="float64", na_value=np.nan)
        whole = np.isfinite(x) & (np.floor(x) == x)
        text = np.where(whole, pd.Series(np.where(whole, x, 0).astype("int64")).astype(str).to_numpy(),
                        pd.Series(x).astype(str).to_numpy()).astype(object)
        text[np.isnan(x)] = None
        return text
    if not pd.api.types.is_string_dtype(raw.dtype):
        raw = raw.map(lambda v: str(int(v)) if isinstance(v, float) and v.is_integer() else v, na_action="ignore")
    text = raw.astype("string").str.strip()
    filled = (text.str.len() > 0).to_numpy(dtype=bool, na_value=False)
    return np.where(filled, text.to_numpy(dtype=object, na_value=None), None)


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
        numeric_missing = [float(m) for m in missing if _is_number(m)]
        coded = np.isin(values, numeric_missing) if numeric_missing else np.zeros(len(values), bool)
        n_coded = int(coded.sum())
        values = np.where(coded, np.nan, values)
        if recode:
            values = _apply_recode(values, recode)
        problems += _range_problems(values, raw, spec, **where)
        return _reverse(values, spec, codebook), problems, n_coded

    codes, uniques = pd.factorize(raw, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    dict_labels = {normalise_label(v): k for k, v in spec.labels.items()}
    allowed = {normalise_label(v): v for v in spec.values}
    mapped = np.empty(len(uniques), dtype=object)
    from_number = np.zeros(len(uniques), dtype=bool)
    bad: dict[str, list[int]] = {}
    for j, u in enumerate(uniques):
        key = normalise_label(u)
        if isinstance(u, str) and not u.strip():
            mapped[j] = None  # blank text is no answer
            continue
        if key in missing:
            mapped[j] = MISSING
            continue
        if value_labels and _is_number(u) and float(u) in value_labels:
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
        if key in cb_labels and _is_number(cb_labels[key]):
            mapped[j] = float(cb_labels[key])
        elif key in dict_labels:
            mapped[j] = float(dict_labels[key])
        elif _is_number(key):
            mapped[j] = float(key)
            from_number[j] = True
        else:
            bad.setdefault("text", []).append(j)

    if "text" in bad:
        # A column answered in labels has an unknown label; a column of numbers has stray text.
        labelled = not from_number.any() or any(
            v is not None and v is not MISSING for v, num in zip(mapped, from_number) if not num)
        kind = "unknown answer label" if labelled else "text in numeric field"
        bad[kind] = bad.pop("text")

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
        else:
            msg, fix = (f"text found where numbers are expected; expected {spec.expected()}",
                        "correct the cells, or declare the text as a missing code in the codebook")
        problems.append(problem_at(kind, name, mask, msg, fix, values=raw, **where))

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
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, np.integer, np.floating)):
        return not np.isnan(value)
    try:
        float(value)
        return True
    except (TypeError, ValueError):
        return False


def _apply_recode(values: np.ndarray, recode: dict) -> np.ndarray:
    out = values.copy()
    for src, dst in recode.items():
        out[values == src] = dst
    return out


def _range_problems(values, raw, spec: ColumnSpec, **where) -> list[Problem]:
    """Whole-number and range checks; ``raw`` supplies the offending values as written."""
    problems = []
    if not np.isfinite(values).any():
        return problems
    # Three reductions decide the usual case (everything fine) without building any mask.
    lo, hi = np.nanmin(values), np.nanmax(values)
    whole = spec.kind != "code" or np.nanmax(np.abs(values - np.round(values))) == 0
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
    ids, found = _respondent_ids(frame, present)
    problems += found
    out, found = _convert_columns(table, frame, present, codebook, dictionary, ids, report)
    problems += found
    problems += _fill_wave_label(out, len(frame), wave_label, ids, present)
    problems = _extra_header_rows(problems, frame, present, dictionary)
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
    return [Problem(
        "codebook names absent columns", None,
        f"the codebook names export column(s) {absent} that are not in the file "
        f"(the file has {len(header)} columns: {header[:8]}{' ...' if len(header) > 8 else ''})",
        "correct the column names in the codebook (columns:, ignore:) to match the export's header")]


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
        problems.append(Problem(
            "unknown column", canon,
            (f"the codebook maps it to '{canon}', which is not a canonical column" if renamed
             else "this column is not in the data dictionary"),
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


def _respondent_ids(frame: pd.DataFrame, present: dict) -> tuple[np.ndarray | None, list[Problem]]:
    """The respondent ids as text (None without an id column), checked for blanks and repeats."""
    if "respondent_id" not in present:
        return None, []
    problems = []
    src = present["respondent_id"]
    ids = _as_text_ids(frame[src])
    blank = np.array([v is None for v in ids])
    if blank.any():
        problems.append(problem_at(
            "missing respondent id", "respondent_id", blank, "respondents without an id",
            "give every respondent a unique id in the export", source_column=src))
    as_series = pd.Series(ids, dtype=object)
    dup = (as_series.duplicated(keep=False) & as_series.notna()).to_numpy()
    if dup.any():
        problems.append(problem_at(
            "duplicate respondent id", "respondent_id", dup,
            "the same id is used by more than one respondent (ids must be unique within a wave)",
            "remove repeated submissions or give each respondent its own id",
            ids=ids, values=ids, source_column=src))
    return ids, problems


def _convert_columns(table: RawTable, frame: pd.DataFrame, present: dict, codebook: Codebook,
                     dictionary: Dictionary, ids, report: dict) -> tuple[dict, list[Problem]]:
    """Convert every present column to its canonical values; counts missing-coded cells in ``report``."""
    problems = []
    out: dict[str, object] = {} if ids is None else {"respondent_id": ids}
    for canon in dictionary.order(present):
        if canon == "respondent_id":
            continue
        spec, src = dictionary[canon], present[canon]
        raw = frame[src]
        if spec.kind in ("label", "text"):
            text = _as_text_ids(raw)
            if spec.kind == "label" and any(v is None for v in text):
                problems.append(problem_at(
                    "missing wave label", canon, np.array([v is None for v in text]),
                    "the wave column is blank for some respondents", "fill in the wave label",
                    ids=ids, source_column=src))
            out[canon] = text
            continue
        values, probs, n_coded = convert_column(
            raw, spec, codebook, ids=ids, value_labels=table.value_labels.get(src),
            declared_missing=table.declared_missing.get(src, ()), source_column=src)
        problems += probs
        if n_coded:
            report["missing_coded"][canon] = n_coded
        out[canon] = values
    return out, problems


def _fill_wave_label(out: dict, n: int, wave_label, ids, present: dict) -> list[Problem]:
    """Fill the wave column from the wave label, or check the file's own wave column against it."""
    if wave_label is None:
        return []
    if "wave" not in out:
        out["wave"] = np.full(n, str(wave_label), dtype=object)
        return []
    differs = np.array([v is not None and v != str(wave_label) for v in out["wave"]])
    if not differs.any():
        return []
    return [problem_at(
        "conflicting wave label", "wave", differs,
        f"the file's wave column disagrees with the wave label given ({wave_label!r})",
        "drop the wave label from the codebook/call, or correct the wave column",
        ids=ids, values=out["wave"], source_column=present.get("wave"))]


def _canonical_frame(out: dict, dictionary: Dictionary, n: int) -> pd.DataFrame:
    """The converted columns as one frame in dictionary order, each with its canonical dtype."""
    columns = {}
    for canon in dictionary.order(out):
        kind = dictionary[canon].kind
        if kind == "category":
            columns[canon] = out[canon]
        elif kind in ("code", "number"):
            columns[canon] = np.asarray(out[canon], dtype="float64")
        else:
            columns[canon] = pd.array(out[canon], dtype="string")
    return pd.DataFrame(columns, index=pd.RangeIndex(n))


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
    value_problems = [p for p in problems if p.kind in _HEADER_ROW_KINDS and p.column in checked]
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
                 and p.count <= leading and p.kind in _HEADER_ROW_KINDS + ("conflicting wave label",)]
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
        f"remove the {'second header row' if leading == 1 else 'extra header rows'} or set "
        f"header_rows: {total} in the codebook",
        rows=tuple(range(1, leading + 1)), count=leading, values=values[:5], n_values=len(values))
    return [header_problem] + [p for p in problems if p not in explained]
