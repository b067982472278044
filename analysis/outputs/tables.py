"""Tables fit to cite: APA-style number formatting and one writer for CSV, Markdown and an Excel
workbook (one sheet per table, with a contents sheet and a notes sheet), each table carrying its
caption, source line and, for synthetic data, the "synthetic data - illustrative only" mark.

Formatting is separate from computing: the statistics functions return full-precision numbers;
:func:`apa_table` turns a copy into text for publication, and :func:`reader_table` adds the
plain-English labels of :func:`analysis.labels.readable`. Machines get the CSV (codes, full
precision); readers get the Markdown file and the workbook (labels, rounded as below).

How numbers are shown
---------------------
The rules of :func:`apa_table`; the workbook shows the same through Excel number formats, while
its cells hold the full-precision numbers.

- **p values** (``p_value``, ``*_p_value``): three decimals without a leading zero (``.012``);
  ``< .001`` below .001 and ``> .999`` from .9995 on.
- **Whole numbers** without decimals: counts (``n``, ``n_*``, ``count``, ``k``, ``points``,
  ``max_points``, team counts), ranks and steps, and any other column whose values are all
  whole (not an estimate, interval or descriptive column: a median of 3 is ``3.00``);
  degrees of freedom and Mann-Whitney U when the value is whole (a Welch df keeps two
  decimals, a U of 892,799.5 one). Thousands are separated by commas (``3,421``), except in
  df, ranks, steps and wave labels.
- **Shares as per cent** (``share``, ``below_p*``, health-check indicators in the unit
  "share", and the estimate, standard error and interval of rows whose ``measure`` is
  ``share`` or ``probability``): ``42%``, with the interval ``38%`` and ``46%``. Whole per
  cent when the table's largest ``n`` is below 1,000 (one respondent is then worth more than
  0.1 points and a 95% interval is at least 6 points wide); one decimal when it is 1,000 or
  more, or when the table has no ``n`` (models, teams). **Differences between shares** and
  **average marginal effects** are in percentage points (``6.7 pp``), at the same decimals.
  ``percent=False`` gives proportions instead (``.42``), as a journal may want.
- **Leading zero**: none for values that cannot exceed 1 in absolute value (p; R squared and
  adjusted R squared, McFadden's and Nagelkerke's R squared, betas, AUC, Shapiro-Wilk W,
  item-rest correlations; and rows whose ``measure`` is Cronbach's alpha, McDonald's omega,
  R squared change, Cramer's V, omega squared or a rank-biserial r); a leading zero for every
  other value (means, differences, Hedges' g, coefficients, odds ratios, statistics). The rule
  goes by what a number is, so it holds down a column, and a row's standard error and interval
  follow its estimate.
- **Decimals by measure**: two for scores, coefficients, odds ratios and test statistics; one
  for priority scores (0-100), days and hours (``extra_days_year``, ``extra_hours_week``,
  health-check hours, days and cases per FTE).
- **Nothing rounds to a false 0 or 1**: a value that is not 0 but would show as 0 gets two
  significant digits (Cook's cut-off ``0.0012``, adjusted R squared ``-.00086``), so ``-.00``
  never appears; a value below 1 that would show as 1 (a W of .9991, a share of 99.96%) gets
  more decimals (``.999``, ``99.96%``), up to six.

The ``All`` row of a table by group counts every respondent who answered, including those who
gave no group: :func:`write_table` and :func:`write_workbook` add :data:`ALL_ROW_NOTE` to the
note of every table with one (:func:`table_note`).

Labels from the data and from the user (team and service names, poll and category labels,
wave labels) are treated as text, never as markup or a formula:

- **CSV** (:func:`write_table`): a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return gets a leading apostrophe (``'=SUM(1)``), as OWASP advises against CSV injection,
  so a spreadsheet opening the file shows it rather than running it. Numbers, negative ones
  included, stay numbers; so does text that is only a number (``-.05``), which no spreadsheet
  can run. Column names follow the same rule.
- **Markdown** (:func:`write_table`): ``&``, ``<`` and ``>`` become ``&amp;``, ``&lt;`` and ``&gt;``
  and ``|`` becomes ``\\|`` in the cells, the column names, the caption, the note and the source
  line, so no raw HTML reaches a Markdown renderer and no label breaks the table.
- **Excel** (:func:`write_workbook`): every text cell is stored as a string, never as a formula
  (openpyxl would store text starting with ``=`` as one) or an error value (``#N/A``); text starting
  with one of the characters above is also marked with Excel's quote prefix, so that editing the
  cell keeps it text. Links on the contents sheet are hyperlinks, not ``HYPERLINK`` formulas.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..arguments import RESULTS, checked
from ..disclosure import DEFAULT_THRESHOLD, NOT_ANSWERED, disclosure_note
from ..files import fix_workbook_times, stamp_workbook
from ..labels import code_names, column_label, readable, result_label, study_label, value_label

SYNTHETIC_MARK = "SYNTHETIC DATA - illustrative only"

#: The note of every table with an ``All`` group row (see :func:`table_note`).
ALL_ROW_NOTE = ("The All row counts every respondent who answered, including those who did not say which "
                "group they are in, so its n can be larger than the groups' n added up.")

#: Columns of shares (proportions between 0 and 1), shown as per cent.
SHARE_COLUMNS = ("share", "below_p20", "below_p50", "below_p80")

#: Columns whose values cannot exceed 1 in absolute value (APA: no leading zero).
BOUNDED = ("r2", "r2_adj", "beta", "weakest_item_rest_r", "mcfadden_r2", "nagelkerke_r2", "auc", "shapiro_w")

#: Measures whose estimate and interval are shares, shown as per cent.
SHARE_MEASURES = ("share", "probability")

#: Measures that are differences between shares, shown in percentage points.
POINT_MEASURES = ("difference_in_shares", "average_marginal_effect")

#: Measures whose estimate and interval cannot exceed 1 in absolute value (no leading zero; the
#: ``measure`` column says what a row's ``estimate`` is, see :mod:`analysis.stats.results`).
BOUNDED_MEASURES = ("cronbach_alpha", "mcdonald_omega", "r2_change", "cramers_v", "omega_squared", "rank_biserial")

#: The columns that carry a row's estimate (formatted by the row's ``measure``).
ESTIMATE_COLUMNS = ("estimate", "std_error", "conf_low", "conf_high")

#: Columns of a wave comparison that hold the two values compared (shares when the difference is).
LEVEL_COLUMNS = ("value_from", "value_to")

#: Columns of descriptive summaries, formatted by the row's variable (days get one decimal; a
#: median of 3 is "3.00" beside a mean of 2.97, never "3").
DESCRIPTIVE_COLUMNS = ("mean", "sd", "p25", "median", "p75")

#: Measures and variables shown with one decimal: two would claim a precision they do not have.
ONE_DECIMAL = ("priority_score", "extra_days_year", "extra_hours_week", "hours_contracted", "hours_actual",
               "sickness_absence_days_12m")

#: Columns of counts: whole numbers (with thousands separated).
COUNT_COLUMNS = ("n", "count", "k", "points", "max_points", "n_teams")

#: Columns of ordinals: whole numbers without thousands separators.
ORDINAL_COLUMNS = ("rank", "step")

#: Numeric columns never given thousands separators (labels that happen to be numbers).
PLAIN_COLUMNS = ("wave", "from_wave", "to_wave", "year")

#: The Excel format of a p value: the number is kept, ``< .001`` and ``> .999`` are shown.
P_FORMAT = '[<0.001]"< .001";[>=0.9995]"> .999";#.000'

#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Text that is only a number (as apa_table writes them) cannot carry a formula.
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")

# A formatted number as apa_table writes it (for alignment): -1,234.5, .05, 42%, 6.7 pp, < .001.
_NUMBER_TEXT = re.compile(r"^([<>] )?[+-]?(\d[\d,]*\.?\d*|\.\d+)(%| pp)?$")

# Excel forbids these in sheet names (openpyxl raises on them).
_SHEET_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")

# The sheets every workbook has before the tables.
_CONTENTS, _NOTES = "Contents", "Notes"


def starts_like_formula(text) -> bool:
    """Whether a spreadsheet could read this text as a formula: it starts with one of
    :data:`FORMULA_STARTS` and is not just a number.

    Examples
    --------
    >>> [starts_like_formula(t) for t in ("=SUM(1)", "@x", "-.05", "-1e-3", "team A", 3)]
    [True, True, False, False, False, False]
    """
    return isinstance(text, str) and text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(text)


def is_number_text(text) -> bool:
    """Whether a cell of :func:`apa_table` is a formatted number (to right-align it).

    Examples
    --------
    >>> [is_number_text(t) for t in ("3,421", "-.05", "42%", "6.7 pp", "< .001", "Adults", "")]
    [True, True, True, True, True, False, False]
    """
    return isinstance(text, str) and bool(_NUMBER_TEXT.match(text))


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names cannot run as formulas in a spreadsheet: those
    that :func:`starts_like_formula` get a leading apostrophe; numbers are left alone.

    Examples
    --------
    >>> t = pd.DataFrame({"team": ["=SUM(A1)", "@SUM(1)", "North"], "change": [-1.5, 2.0, 0.0]})
    >>> csv_safe(t).values.tolist()
    [["'=SUM(A1)", -1.5], ["'@SUM(1)", 2.0], ['North', 0.0]]
    """
    def safe(value):
        return "'" + value if starts_like_formula(value) else value

    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col].dtype) or pd.api.types.is_bool_dtype(out[col].dtype)
                or pd.api.types.is_datetime64_any_dtype(out[col].dtype)):
            out[col] = out[col].astype(object).map(safe)
    return out.rename(columns=safe)


def markdown_text(text) -> str:
    r"""Text for a Markdown table or paragraph: ``&``, ``<``, ``>`` as HTML entities and ``|``
    escaped, so that neither raw HTML nor a stray column reaches the renderer.

    Examples
    --------
    >>> print(markdown_text('<script>alert(1)</script> | A&B'))
    &lt;script&gt;alert(1)&lt;/script&gt; \| A&amp;B
    """
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|")


# -- numbers ---------------------------------------------------------------------------------------
def format_p(p: float) -> str:
    """APA p value: three decimals, no leading zero, ``< .001`` below that and ``> .999`` for
    values that three decimals would show as 1.

    Examples
    --------
    >>> format_p(0.0004), format_p(0.0123), format_p(0.5), format_p(0.9996), format_p(float("nan"))
    ('< .001', '.012', '.500', '> .999', '')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    if p < 0.001:
        return "< .001"
    if p >= 0.9995:
        return "> .999"
    return f"{p:.3f}".replace("0.", ".", 1)


def format_number(x: float, decimals: int = 2, bounded: bool = False) -> str:
    """A number with fixed decimals; no leading zero when ``bounded`` (|x| cannot exceed 1);
    no minus sign on a value that shows as zero. A true minus sign is not used, so the text stays
    plain ASCII for CSV users.

    Examples
    --------
    >>> format_number(0.8731, bounded=True), format_number(-0.05, bounded=True), format_number(12.3456)
    ('.87', '-.05', '12.35')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    text = f"{x:.{decimals}f}"
    if float(text) == 0:
        text = text.lstrip("-")
    if bounded:
        text = re.sub(r"^(-?)0\.", r"\1.", text)
    return text


@dataclass(frozen=True)
class _Spec:
    """How one cell is shown: ``kind`` is ``number``, ``percent`` (a share), ``points`` (a
    difference between shares) or ``p``."""

    kind: str = "number"
    decimals: int = 2
    bounded: bool = False
    commas: bool = True


_P = _Spec("p")


def _decimals(spec: _Spec, value: float) -> int:
    """The decimals a value needs: the spec's, or more when it would show as a false 0 or 1."""
    d = spec.decimals
    v = abs(value)
    if v == 0 or (spec.kind == "number" and d == 0):
        return d
    if float(f"{v:.{d}f}") == 0:  # two significant digits
        d = max(d, 1 - math.floor(math.log10(v)))
    limit = 100 if spec.kind == "percent" else 1 if spec.bounded else None
    while limit is not None and v < limit and d < 6 and float(f"{v:.{d}f}") >= limit:
        d += 1
    return min(d, 10)


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _text(spec: _Spec | None, x) -> str:
    """A cell as text by its spec."""
    if spec is None or _missing(x):
        return ""
    if spec.kind == "p":
        return format_p(x)
    value = x * 100 if spec.kind in ("percent", "points") else x
    d = _decimals(spec, value)
    text = f"{value:,.{d}f}" if spec.commas and spec.kind == "number" else f"{value:.{d}f}"
    if float(text.replace(",", "")) == 0:
        text = text.lstrip("-")
    if spec.bounded:
        text = re.sub(r"^(-?)0\.", r"\1.", text)
    return text + {"percent": "%", "points": " pp"}.get(spec.kind, "")


def _excel(spec: _Spec | None, x) -> tuple:
    """A cell for the workbook: (number, Excel number format), or (None, None) when missing."""
    if spec is None or _missing(x):
        return None, None
    if spec.kind == "p":
        return float(x), P_FORMAT
    value = x * 100 if spec.kind in ("percent", "points") else x
    d = _decimals(spec, value)
    frac = "." + "0" * d if d else ""
    if spec.kind == "percent":
        return float(x), f"0{frac}%"
    if spec.kind == "points":
        return float(value), f'0{frac}" pp"'
    if d == 0 and float(x).is_integer():
        return int(x), "#,##0" if spec.commas else "0"
    whole = "#" if spec.bounded and d else "#,##0" if spec.commas else "0"
    return float(x), whole + frac


def _numbers(values: pd.Series) -> pd.Series | None:
    """The column as floats, or None when it is not a column of numbers (text, booleans)."""
    dtype = values.dtype
    if pd.api.types.is_bool_dtype(dtype):
        return None
    if pd.api.types.is_numeric_dtype(dtype):
        return values.astype(float)
    if dtype == object:
        present = values.dropna()
        numbers = (int, float, np.integer, np.floating)
        if len(present) and all(isinstance(v, numbers) and not isinstance(v, (bool, np.bool_)) for v in present):
            return pd.to_numeric(values).astype(float)
    return None


def _column(table: pd.DataFrame, name: str) -> list:
    """A column's values as a list (None for every row when the table has no such column)."""
    if name in table.columns:
        return [None if (isinstance(v, float) and math.isnan(v)) else v for v in table[name].tolist()]
    return [None] * len(table)


@lru_cache(maxsize=1)
def _indicator_units() -> dict:
    """Health-check indicator -> its unit (``share``, ``cases per FTE`` ...)."""
    from ..studies.health_check import load_definitions

    return {name: d.get("unit", "") for name, d in load_definitions().items()}


def _share_decimals(table: pd.DataFrame) -> int:
    """Per cent with no decimals when the table's largest n is below 1,000, else one."""
    for names in (("n",), ("n_from", "n_to")):
        counts = [_numbers(table[c]) for c in names if c in table.columns]
        counts = [c.dropna() for c in counts if c is not None]
        if counts and sum(len(c) for c in counts):
            return 0 if max(c.max() for c in counts if len(c)) < 1000 else 1
    return 1


def _measure_column(name: str, table: pd.DataFrame) -> str | None:
    """The column that says what this column's numbers are (``measure``, ``robust_measure``)."""
    if name in ESTIMATE_COLUMNS + LEVEL_COLUMNS + DESCRIPTIVE_COLUMNS or name.startswith(
            tuple(f"{c}_" for c in ESTIMATE_COLUMNS)):
        return "measure"  # without one, the row's scores (a coefficient, an estimate_zero)
    for suffix in ESTIMATE_COLUMNS:
        if name.endswith(f"_{suffix}"):
            prefix = name[: -len(suffix) - 1]
            return f"{prefix}_measure" if f"{prefix}_measure" in table.columns else None
    return None


def _row_decimals(table: pd.DataFrame, decimals: int) -> list[int]:
    """Decimals of each row's scores: one for priority scores, days and hours, else ``decimals``."""
    keys = [_column(table, c) for c in ("measure", "outcome", "variable", "scale")]
    return [1 if any(str(k[i]) in ONE_DECIMAL for k in keys) else decimals for i in range(len(table))]


def _specs(table: pd.DataFrame, decimals: int = 2, percent: bool = True) -> list[list[_Spec] | None]:
    """For each column (by position), the spec of each of its cells; None for a text column."""
    rows = len(table)
    share = (_Spec("percent", _share_decimals(table), commas=False) if percent
             else _Spec(decimals=decimals, bounded=True))
    points = _Spec("points", share.decimals, commas=False) if percent else share
    bounded = _Spec(decimals=decimals, bounded=True)
    row_decimals = _row_decimals(table, decimals)
    units = _indicator_units()
    out = []
    for position, col in enumerate(table.columns):
        name = str(col)
        x = _numbers(table.iloc[:, position])
        if x is None:
            out.append(None)
            continue
        values = x.tolist()
        present = x.dropna()
        whole = bool((present % 1 == 0).all())
        measure_col = _measure_column(name, table)
        test_col = ("test" if name == "statistic" else f"{name[:-len('_statistic')]}_test"
                    if name.endswith("_statistic") else None)
        if name == "p_value" or name.endswith("_p_value"):
            specs = [_P] * rows
        elif measure_col is not None:
            specs = []
            for m, d in zip(_column(table, measure_col), row_decimals):
                m = str(m)
                if m in SHARE_MEASURES:
                    specs.append(share)
                elif m in POINT_MEASURES:
                    specs.append(share if name in LEVEL_COLUMNS else points)
                elif m in BOUNDED_MEASURES:
                    specs.append(bounded)
                else:
                    specs.append(_Spec(decimals=d))
        elif re.fullmatch(r"(.+_)?df\d?", name):
            specs = [_Spec(decimals=0 if not _missing(v) and float(v).is_integer() else decimals, commas=False)
                     for v in values]
        elif test_col is not None and test_col in table.columns:
            specs = [_Spec(decimals=(0 if float(v).is_integer() else 1) if not _missing(v) else 0)
                     if str(t) == "mann_whitney_u" else _Spec(decimals=decimals)
                     for v, t in zip(values, _column(table, test_col))]
        elif name in SHARE_COLUMNS or units.get(name) == "share":
            specs = [share] * rows
        elif name in BOUNDED:
            specs = [bounded] * rows
        elif (name in ORDINAL_COLUMNS + PLAIN_COLUMNS
              or name.startswith(tuple(f"{c}_" for c in ORDINAL_COLUMNS))):
            specs = [_Spec(decimals=0 if whole else decimals, commas=False)] * rows
        elif name in COUNT_COLUMNS or name.startswith("n_") or name.endswith("_n_teams") or whole:
            specs = [_Spec(decimals=0 if whole else decimals)] * rows
        elif name in ONE_DECIMAL or name in units:
            specs = [_Spec(decimals=1)] * rows
        else:
            specs = [_Spec(decimals=decimals)] * rows
        out.append(specs)
    return out


@checked(table=RESULTS)
def apa_table(table: pd.DataFrame, decimals: int = 2, *, percent: bool = True) -> pd.DataFrame:
    """Format every numeric column of a results table as APA text (the rules are in the module
    docstring): p values as ``.012`` or ``< .001``; counts, df and ranks whole; shares as per
    cent (or, with ``percent=False``, as proportions without a leading zero); no leading zero
    for values that cannot exceed 1; ``decimals`` places for scores and statistics, one for
    priority scores, days and hours. Column names and text cells are left as they are (see
    :func:`reader_table` for the labels). Suppressed cells (NaN) become "".

    Examples
    --------
    >>> t = pd.DataFrame({"measure": ["share", "mean"], "n": [120.0, 1180.0], "estimate": [0.4213, 7.8112],
    ...                   "p_value": [0.0004, 0.0213]})
    >>> apa_table(t).values.tolist()
    [['share', '120', '42.1%', '< .001'], ['mean', '1,180', '7.81', '.021']]
    >>> apa_table(t.head(1), percent=False)["estimate"].tolist()
    ['.42']
    """
    specs = _specs(table, decimals, percent)
    columns = {}
    for position, spec in enumerate(specs):
        values = table.iloc[:, position]
        if spec is None:
            columns[position] = values.tolist()
        else:
            columns[position] = [_text(s, v) for s, v in zip(spec, _numbers(values).tolist())]
    out = pd.DataFrame(columns, index=table.index)
    out.columns = table.columns
    return out


# -- labels ----------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _code_labels() -> dict:
    """Code -> label for every code a reader must not meet (:func:`analysis.labels.code_names`),
    every health-check indicator and every instrument item (``hse_03`` -> "HSE MSIT 3:
    conflicting demands")."""
    from ..instruments import load_instruments
    from ..studies.health_check import load_definitions

    found = {}
    for code in sorted(code_names()):
        label = column_label(code)
        label = label if label != code else value_label(code)
        if label != code:
            found[code] = label
    for name, definition in load_definitions().items():
        found.setdefault(name, definition.get("label", name))
    for instrument in load_instruments():
        for item, number in instrument.item_numbers.items():
            label = instrument.item_labels.get(item)
            found.setdefault(item, f"{instrument.short_name} {number}" + (f": {label}" if label else ""))
    return found


@lru_cache(maxsize=1)
def _instrument_names() -> dict:
    """Instrument id -> its short name (``hse_mit`` -> "HSE MSIT")."""
    from ..instruments import load_instruments

    return {i.id: i.short_name for i in load_instruments()}


def _plain(column, value):
    """A text cell :func:`analysis.labels.readable` left as a code, as its label: an instrument
    (``hse_mit`` -> "HSE MSIT"), a scale in a ``target`` column, an item (``hse_03``), or a
    list of codes (``"hse_demands, hse_control"``, ``"sector, role"``, ``"hse_mit, pss4"``)."""
    if not isinstance(value, str):
        return value
    if study_label(value):  # the questionnaire's own wording (a codebook's labels:)
        return study_label(value)
    labels, instruments = _code_labels(), _instrument_names()
    if str(column) in ("instrument", "instruments") and value in instruments:
        return instruments[value]
    if value in labels:
        return labels[value]
    if value in instruments:
        return instruments[value]
    parts = value.split(", ")
    if len(parts) > 1:
        if all(p in instruments for p in parts):
            return ", ".join(instruments[p] for p in parts)
        named = [labels.get(p) or (column_label(p) if column_label(p) != p else None) for p in parts]
        if all(named):
            return ", ".join(named)
    return value


def header_label(column) -> str:
    """A column's header as readers see it: :func:`analysis.labels.result_label`, else a known
    code with a suffix (``hse_control_level`` -> "Control (level)", ``vacancy_rate_flag`` ->
    "Vacancy rate (flag)"), else the name in words.

    Examples
    --------
    >>> header_label("conf_low"), header_label("vacancy_rate_n_teams"), header_label("slope_above_1")
    ('CI low', 'Vacancy rate (n teams)', 'Slope above 1')
    """
    name = str(column)
    label = str(result_label(name))
    if label != name or re.fullmatch(r"n|df\d?", name):  # "n" and "df" are their own labels
        return label
    labels = _code_labels()
    if study_label(name) or name in labels:
        return study_label(name) or labels[name]
    parts = name.split("_")
    for cut in range(len(parts) - 1, 0, -1):
        head, tail = "_".join(parts[:cut]), " ".join(parts[cut:])
        known = "n" if head == "n" else labels.get(head) or (str(result_label(head)) if str(result_label(head)) != head
                                                             else None)
        if known:
            return f"{known} ({tail})"
    words = name.replace("_", " ")
    return words[:1].upper() + words[1:]


def reader_table(table: pd.DataFrame, decimals: int = 2, *, percent: bool = True) -> pd.DataFrame:
    """A results table as readers see it: numbers as :func:`apa_table` writes them, headers and
    coded cells as plain-English labels (:func:`analysis.labels.readable`). The Markdown file
    and the workbook show this; the CSV keeps the codes.

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["intend_leave_job"], "group": ["children_families"], "measure": ["share"],
    ...                   "n": [1906], "estimate": [0.6012], "conf_low": [0.5791]})
    >>> reader_table(t).iloc[0].tolist()
    ['Intend to leave their job', 'Children and families', 'Share', '1,906', '60.1%', '57.9%']
    >>> list(reader_table(t).columns)
    ['Outcome', 'Group', 'Measure', 'n', 'Estimate', 'CI low']
    """
    text = apa_table(table, decimals, percent=percent)
    labelled = readable(table)
    specs = _specs(table, decimals, percent)
    columns = {}
    for position, spec in enumerate(specs):
        columns[position] = (text.iloc[:, position].tolist() if spec is not None
                             else [_plain(table.columns[position], v) for v in labelled.iloc[:, position].tolist()])
    out = pd.DataFrame(columns, index=table.index)
    out.columns = [header_label(c) for c in table.columns]
    return out


def numeric_columns(table: pd.DataFrame) -> list[bool]:
    """For each column (by position), whether it holds numbers (right-aligned when shown)."""
    return [spec is not None for spec in _specs(table)]


# -- notes -----------------------------------------------------------------------------------------
def has_all_row(table: pd.DataFrame) -> bool:
    """Whether a table by group has an ``All`` row (see :data:`ALL_ROW_NOTE`)."""
    return "group" in table.columns and bool((table["group"].astype(str) == "All").any())


def table_note(note: str, table: pd.DataFrame) -> str:
    """A table's note as printed: the caller's ``note`` and, when the table has an ``All`` row,
    :data:`ALL_ROW_NOTE`.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["adults", "All"], "n": [100, 130]})
    >>> table_note("Wilson intervals", t) == "Wilson intervals. " + ALL_ROW_NOTE
    True
    """
    note = str(note or "").strip()
    if has_all_row(table) and ALL_ROW_NOTE not in note:
        if note and not note.endswith((".", "!", "?")):
            note += "."
        note = f"{note} {ALL_ROW_NOTE}" if note else ALL_ROW_NOTE
    return note


def table_caption(caption: str, synthetic: bool) -> str:
    """The caption as printed: with :data:`SYNTHETIC_MARK` appended for synthetic data."""
    return f"{caption} [{SYNTHETIC_MARK}]" if synthetic else caption


# -- CSV and Markdown ------------------------------------------------------------------------------
def markdown_table(frame: pd.DataFrame) -> str:
    """The body of a Markdown table: :func:`reader_table`, escaped (:func:`markdown_text`),
    numbers right-aligned."""
    shown = reader_table(frame)
    cells = shown.astype(object).where(shown.notna(), "").map(markdown_text).rename(columns=markdown_text)
    align = ["right" if numeric else "left" for numeric in numeric_columns(frame)]
    return cells.to_markdown(index=False, disable_numparse=True, colalign=align or None)


def write_table(name: str, frame: pd.DataFrame, caption: str, out_dir, *, source: str, synthetic: bool,
                note: str = "", n: int | None = None) -> list[Path]:
    """Write one table as ``<name>.csv`` (codes, full precision) and ``<name>.md`` (labels, APA
    text, numbers right-aligned; caption, note, ``n`` when given, source line and, for synthetic
    data, the mark). A table with an ``All`` group row gets :data:`ALL_ROW_NOTE` in its note.

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> t = pd.DataFrame({"scale": ["hse_demands"], "estimate": [0.8512], "measure": ["cronbach_alpha"]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     files = write_table("t1", t, "Table 1", d, source="demo", synthetic=True)
    ...     print(files[1].read_text())
    **Table 1 [SYNTHETIC DATA - illustrative only]**
    <BLANKLINE>
    | Scale   |   Estimate | Measure          |
    |:--------|-----------:|:-----------------|
    | Demands |        .85 | Cronbach's alpha |
    <BLANKLINE>
    Source: demo
    <BLANKLINE>
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv, md = out / f"{name}.csv", out / f"{name}.md"
    csv_safe(frame).to_csv(csv, index=False, lineterminator="\n", float_format="%.10g")
    parts = [f"**{markdown_text(table_caption(caption, synthetic))}**", markdown_table(frame)]
    note = table_note(note, frame)
    if note:
        parts.append(f"*Note.* {markdown_text(note)}")
    if n is not None:
        parts.append(f"n = {int(n):,}")
    parts.append(f"Source: {markdown_text(source)}")
    md.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return [csv, md]


# -- what a session records for the workbook -------------------------------------------------------
def _json_value(value):
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    return str(value)


def sheet_record(table: pd.DataFrame) -> dict:
    """What to keep of a table for the report and the workbook, as JSON: ``columns`` and
    ``rows`` as readers see them (:func:`reader_table`, text), and ``data``, the table itself
    (codes, full precision) for :func:`write_workbook` (through :func:`sheet_table`).

    Examples
    --------
    >>> r = sheet_record(pd.DataFrame({"group": ["adults"], "n": [120], "share": [0.4213]}))
    >>> r["columns"], r["rows"], r["data"]["rows"]
    (['Group', 'n', 'Share'], [['Adults', '120', '42%']], [['adults', 120, 0.4213]])
    """
    shown = reader_table(table)
    return {"columns": [str(c) for c in shown.columns],
            "rows": shown.astype(object).where(shown.notna(), "").astype(str).values.tolist(),
            "data": {"columns": [str(c) for c in table.columns],
                     "rows": [[_json_value(v) for v in row] for row in table.astype(object).values.tolist()]}}


def sheet_table(record: dict) -> pd.DataFrame:
    """The table a :func:`sheet_record` holds (its ``data``); a record without ``data`` gives
    its rows as shown (text only, as older fragments hold them)."""
    data = record.get("data")
    if data is None:
        return pd.DataFrame(record["rows"], columns=record["columns"])
    return pd.DataFrame(data["rows"], columns=data["columns"])


# -- the workbook ----------------------------------------------------------------------------------
def _shared_suffix(name: str, names: list[str]) -> str:
    """The longest ``_``-led ending of ``name`` that other names share with it, extended only
    while the same names share it (``_union_poll``, not ``_poll``; ``_2018``, not ``_dropped_2018``)."""
    parts = name.split("_")
    best, sharing = "", None
    for cut in range(len(parts) - 1, 0, -1):
        suffix = "_" + "_".join(parts[cut:])
        others = frozenset(n for n in names if n != name and n.endswith(suffix))
        if not others or (sharing is not None and others != sharing):
            break
        best, sharing = suffix, others
    return best


def sheet_names(names: list[str]) -> list[str]:
    """Unique, readable Excel sheet names (31 characters at most, none of ``\\ / * ? : [ ]``,
    not "Contents", "Notes" or Excel's reserved "History"): a name that fits is kept; a longer
    one first loses the ending it shares with other tables (the wave or input label:
    ``07_presenteeism_logit_dropped_2018`` -> ``07_presenteeism_logit_dropped``), then is cut at
    a word; a clash gets ``~2``, ``~3`` ...

    Examples
    --------
    >>> sheet_names(["11_priorities_associated_union_poll", "11_barriers_union_poll", "a/b", "A/B"])
    ['11_priorities_associated', '11_barriers_union_poll', 'a_b', 'A_B~2']
    """
    cleaned = [_SHEET_FORBIDDEN.sub("_", str(n)).strip("'") or "Table" for n in names]
    used = {_CONTENTS.lower(), _NOTES.lower(), "history"}  # Excel reserves "History"
    out = []
    for base in cleaned:
        candidates = [base]
        if len(base) > 31:
            suffix = _shared_suffix(base, cleaned)
            candidates = [base[: -len(suffix)]] if suffix else []
            words = base[:32].rsplit("_", 1)[0] if "_" in base[:32] else base[:31]
            candidates += [words, base[:31]]
        candidates = [c for c in candidates if c and len(c) <= 31]
        pick = next((c for c in candidates if c.lower() not in used), None)
        if pick is None:
            stem, i = candidates[0][:28].rstrip("_ "), 2
            while f"{stem}~{i}".lower() in used:
                i += 1
            pick = f"{stem}~{i}"
        used.add(pick.lower())
        out.append(pick)
    return out


def _is_synthetic(sheet: dict) -> bool:
    return bool(sheet["synthetic"]) if "synthetic" in sheet else SYNTHETIC_MARK in str(sheet.get("caption", ""))


def _put(ws, row: int, column: int, value):
    """Write a cell: text always as a string (see :func:`_text_stays_text`)."""
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def _fit_widths(ws, widths: dict[int, int], most: int = 60) -> None:
    from openpyxl.utils import get_column_letter

    for column, width in sorted(widths.items()):
        ws.column_dimensions[get_column_letter(column)].width = min(max(width, 6) + 2, most)


def _header_row(ws, row: int, labels: list[str], right: list[bool]) -> None:
    from openpyxl.styles import Alignment, Border, Font, Side

    for column, (label, numeric) in enumerate(zip(labels, right), start=1):
        cell = _put(ws, row, column, label)
        cell.font = Font(bold=True)
        cell.border = Border(bottom=Side(style="thin"))
        cell.alignment = Alignment(horizontal="right" if numeric else "left", vertical="bottom", wrap_text=True)
    ws.freeze_panes = ws.cell(row=row + 1, column=1).coordinate


def _table_sheet(ws, sheet: dict) -> None:
    """One table: caption, note, n, source, a blank row, the frozen header row, the cells
    (numbers as numbers with their number format, text as text)."""
    from openpyxl.styles import Font

    table = sheet["table"]
    if isinstance(table, dict):
        table = sheet_table(table)
    table = table.reset_index(drop=True)
    shown = reader_table(table)
    specs = _specs(table)
    lines = [str(sheet["caption"])]
    note = table_note(sheet.get("note", ""), table)
    lines += [note] if note else []
    lines += [f"n = {int(sheet['n']):,}"] if sheet.get("n") is not None else []
    lines += [f"Source: {sheet['source']}"]
    for row, line in enumerate(lines, start=1):
        _put(ws, row, 1, line)
    ws.cell(row=1, column=1).font = Font(bold=True, size=12)
    header = len(lines) + 2
    _header_row(ws, header, [str(c) for c in shown.columns], [s is not None for s in specs])
    widths = {j: min(len(str(c)), 24) for j, c in enumerate(shown.columns, start=1)}
    for position, spec in enumerate(specs):
        column = position + 1
        if spec is None:
            values = shown.iloc[:, position].tolist()
            for i, value in enumerate(values):
                if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
                    continue
                _put(ws, header + 1 + i, column, str(value))
                widths[column] = max(widths[column], len(str(value)))
        else:
            for i, (s, x) in enumerate(zip(spec, _numbers(table.iloc[:, position]).tolist())):
                value, number_format = _excel(s, x)
                if value is None:
                    continue
                cell = _put(ws, header + 1 + i, column, value)
                cell.number_format = number_format
                widths[column] = max(widths[column], len(_text(s, x)))
    _fit_widths(ws, widths)


def _contents_sheet(ws, sheets: list[dict], names: list[str], title: str, synthetic: bool, version: str) -> None:
    from openpyxl.styles import Font
    from openpyxl.worksheet.hyperlink import Hyperlink

    _put(ws, 1, 1, table_caption(title, synthetic)).font = Font(bold=True, size=14)
    _put(ws, 2, 1, f"wellbeing-survey {version}. One sheet per table; the Notes sheet says how to read them. "
                   "The CSV file of each table (its full name below) holds the same numbers with the survey's codes.")
    header = 4
    _header_row(ws, header, ["Sheet", "Table", "Full name"], [False, False, False])
    rows = [(_NOTES, ("Notes: sources, suppression, the All rows, confidence intervals, standard errors, p values "
                      "and how numbers are shown"), "")]
    rows += [(name, str(sheet["caption"]), str(sheet["name"])) for sheet, name in zip(sheets, names)]
    widths = {1: 8, 2: 20, 3: 12}
    for i, (name, caption, full) in enumerate(rows, start=header + 1):
        cell = _put(ws, i, 1, name)
        cell.hyperlink = Hyperlink(ref=cell.coordinate, location="'{}'!A1".format(name.replace("'", "''")),
                                   display=name)
        cell.style = "Hyperlink"
        _put(ws, i, 2, caption)
        if full:
            _put(ws, i, 3, full)
        widths = {1: max(widths[1], len(name)), 2: max(widths[2], len(caption)), 3: max(widths[3], len(full))}
    _fit_widths(ws, widths, most=100)


#: The notes sheet's explanations (after the synthetic mark, sources, version and suppression rule).
WORKBOOK_NOTES = {
    "Suppressed": ("Says why a row's figures are blank: primary, the group or a count in it rests on fewer "
                   "respondents than the threshold; secondary, hidden so that a primary figure cannot be worked "
                   "out from a total by subtraction; empty, nothing suppressed."),
    "All rows": ALL_ROW_NOTE,
    NOT_ANSWERED: f"Rows labelled {NOT_ANSWERED} count respondents who gave no answer to the question.",
    "CI low, CI high": ("The lower and upper ends of the 95% confidence interval (unless the table says another "
                        "level): the range of values for the whole population that the data are compatible with. "
                        "The table's caption or note names the method."),
    "SE": "Standard error: how much the estimate would typically vary from one sample to another.",
    "p": ("The probability of a result at least this far from no difference (or no association) if there were "
          "none in the population; shown as < .001 below .001 and > .999 above .999. A small p is not a large or "
          "important effect. p (adjusted) allows for the several tests in a table (Holm's method unless the note "
          "says otherwise)."),
    "Numbers": ("Cells hold numbers at full precision, as in the CSV files, shown rounded by their number format: "
                "counts, ranks and df as whole numbers; shares as per cent (whole per cent when the table's largest "
                "n is below 1,000, else one decimal); differences between shares and average marginal effects in "
                "percentage points (these cells hold points: 6.7 means 6.7 pp); p values with three decimals; "
                "values that cannot exceed 1 (R squared, correlations, alpha, omega, betas, AUC) without a leading "
                "zero; scores, coefficients and statistics with two decimals; priority scores, days and hours with "
                "one. A value that would show as 0 or 1 without being so gets more decimals."),
    "Labels": ("Plain-English labels stand for the survey's variable and category codes; the CSV files keep the "
               "codes, for re-use."),
}


def workbook_notes(sheets: list[dict], *, threshold: int | None = None, version: str | None = None) -> list[tuple]:
    """The rows of the workbook's notes sheet: (topic, note)."""
    from .provenance import package_version

    notes = []
    if any(_is_synthetic(s) for s in sheets):
        notes.append(("Synthetic data", (f"{SYNTHETIC_MARK}: these numbers come from generated respondents, not "
                                         "from a survey. They are not findings: do not cite them.")))
    sources = list(dict.fromkeys(str(s["source"]) for s in sheets if s.get("source")))
    notes += [("Source", s) for s in sources]
    notes.append(("Package", f"wellbeing-survey {version or package_version()}"))
    rule = disclosure_note(threshold if threshold is not None else DEFAULT_THRESHOLD, secondary=True)
    if threshold is None:
        rule += f" (the threshold is {DEFAULT_THRESHOLD} unless the report says otherwise)"
    notes.append(("Suppression", f"{rule[:1].upper()}{rule[1:]}. Suppressed figures are left blank."))
    notes += list(WORKBOOK_NOTES.items())
    return notes


def _notes_sheet(ws, notes: list[tuple], synthetic: bool) -> None:
    from openpyxl.styles import Alignment, Font

    _put(ws, 1, 1, table_caption("Notes", synthetic)).font = Font(bold=True, size=14)
    header = 3
    _header_row(ws, header, ["Topic", "Note"], [False, False])
    for i, (topic, text) in enumerate(notes, start=header + 1):
        _put(ws, i, 1, topic).alignment = Alignment(vertical="top")
        _put(ws, i, 2, text).alignment = Alignment(vertical="top", wrap_text=True)
    _fit_widths(ws, {1: max(len(t) for t, _ in notes), 2: 100}, most=100)


def write_workbook(sheets: list[dict], path, *, threshold: int | None = None, version: str | None = None,
                   title: str = "Wellbeing survey tables") -> Path:
    """One Excel workbook: a "Contents" sheet, a "Notes" sheet, then a sheet per table; byte-stable.

    Parameters
    ----------
    sheets : list of dict
        Each with ``name`` (the table's full name, as its CSV file is named), ``caption`` (as
        printed), ``source``, optional ``note``, ``n``, ``synthetic`` (default: whether the
        caption carries :data:`SYNTHETIC_MARK`) and ``sheet_name`` (default: from ``name``, see
        :func:`sheet_names`), and ``table``: the results table as :func:`write_table` takes it
        (codes, full precision), or a :func:`sheet_record`.
    path : str or Path
    threshold : int, optional
        The disclosure threshold, for the notes sheet (default: :data:`DEFAULT_THRESHOLD`, said
        to be the default).
    version : str, optional
        The package version on the notes sheet (default: the installed one).
    title : str
        The contents sheet's title.

    Notes
    -----
    - **Contents**: the title (with the synthetic mark when any table is synthetic), then one row
      per sheet: the sheet's name, linked to it; the table's caption; its full name. Sheet names
      come from :func:`sheet_names` (Excel allows 31 characters).
    - **Notes**: :func:`workbook_notes`: the synthetic mark, sources, package version, the
      suppression rule and the ``suppressed`` column, the All rows, CI, SE, p, how numbers are
      shown and stored.
    - **A table**: caption, note (with :data:`ALL_ROW_NOTE` when there is an All row), n, source,
      a blank row, the header row (labels; frozen, so it stays in view), the cells. Numbers are
      stored as numbers at full precision with an Excel number format that shows them as the
      Markdown does: ``#,##0`` for counts, ``0.0%`` for shares, ``0.0" pp"`` for differences
      between shares (these cells hold percentage points), ``#.00`` for values that cannot exceed 1
      (``#`` drops the leading zero, as APA wants: .83), ``#,##0.00`` for scores and statistics,
      and ``[<0.001]"< .001";[>=0.9995]"> .999";#.000`` for p values (the cell keeps the exact p).
      Text is text (labels for codes, see :func:`reader_table`).
    - Column widths fit the longest cell (up to 60 characters; headers wrap).

    Every text cell is written as a string (see the module docstring): none becomes a formula.

    openpyxl stamps the workbook's creation and modification times and the zip entries' times;
    both are set to :data:`analysis.files.FIXED_TIME` so that rerunning gives identical bytes.
    """
    from openpyxl import Workbook

    from .provenance import package_version

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    version = version or package_version()
    synthetic = any(_is_synthetic(s) for s in sheets)
    names = sheet_names([s.get("sheet_name") or s["name"] for s in sheets])
    book = Workbook()
    contents = book.active
    contents.title = _CONTENTS
    notes = book.create_sheet(_NOTES)
    for sheet, name in zip(sheets, names):
        _table_sheet(book.create_sheet(name), sheet)
    _contents_sheet(contents, sheets, names, title, synthetic, version)
    _notes_sheet(notes, workbook_notes(sheets, threshold=threshold, version=version), synthetic)
    for ws in book.worksheets:
        _text_stays_text(ws)
    stamp_workbook(book)
    book.save(path)
    fix_workbook_times(path)
    return path


def _text_stays_text(ws) -> None:
    """Store every text cell of an openpyxl sheet as a string: openpyxl makes text starting with
    ``=`` a formula and ``#N/A`` an error value; text that :func:`starts_like_formula` also gets
    Excel's quote prefix, which keeps it text when someone edits the cell."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                if cell.data_type != "s":
                    cell.data_type = "s"
                if starts_like_formula(cell.value):
                    cell.quotePrefix = True


def write_tables(tables: dict, out_dir, *, source: str, synthetic: bool, workbook: str = "tables.xlsx",
                 threshold: int | None = None) -> list[Path]:
    """Write tables as CSV and Markdown (:func:`write_table`), plus one Excel workbook with a
    sheet per table (:func:`write_workbook`).

    Parameters
    ----------
    tables : dict
        Name -> (DataFrame, caption). Names become file and sheet names.
    source : str
        Source line (wave, package version), printed under every table.
    synthetic : bool
        Adds :data:`SYNTHETIC_MARK` to every caption.
    threshold : int, optional
        The disclosure threshold the tables were suppressed at, for the workbook's notes.

    Returns
    -------
    list of Path
        Files written, in order.
    """
    written = []
    for name, (frame, caption) in tables.items():
        written += write_table(name, frame, caption, out_dir, source=source, synthetic=synthetic)
    sheets = [{"name": name, "caption": table_caption(caption, synthetic), "source": source, "synthetic": synthetic,
               "table": frame} for name, (frame, caption) in tables.items()]
    written.append(write_workbook(sheets, Path(out_dir) / workbook, threshold=threshold))
    return written
