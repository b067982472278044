"""Disclosure control: suppress every figure that rests on too few respondents.

Every group-level table passes through this module before it leaves the package, so that no
policy output discloses a small group of respondents.

- **Primary suppression.** A cell or statistic resting on fewer than ``threshold`` respondents
  (default :data:`DEFAULT_THRESHOLD`, 10) is replaced by NaN and marked ``"primary"``.
- **Secondary suppression.** Where the table also shows a total, one suppressed figure could be
  recovered by subtraction (total minus the others), so further figures are suppressed and marked
  ``"secondary"`` until none can be.

:func:`suppress` works on tidy tables (one row per group, or per group and statistic, with a
count column); :func:`suppress_crosstab` on wide tables of counts such as
``pandas.crosstab(..., margins=True)`` makes; :func:`assert_no_small_cells` checks an output
table; :func:`disclosure_note` words the rule for a table's footnote.

What this does not do: it protects against *exact* recovery by adding and subtracting published
figures, not against narrowing a suppressed count to an interval, and it does not link one table
with another (a total published in a different table counts only if it is in the table passed).
For those, audit the final set of outputs with tau-argus or R's ``sdcTable``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .arguments import DEFAULT_THRESHOLD
from .arguments import as_names as _as_names
from .arguments import check_data as _check_data
from .arguments import check_threshold as _check_threshold
from .arguments import did_you_mean as _did_you_mean
from .arguments import threshold_or_raise as _threshold_or_raise
from .errors import SHOW, Problem, SurveyDataError

#: The column :func:`suppress` adds: ``"primary"``, ``"secondary"`` or ``""`` (shown).
MARK_COLUMN = "suppressed"
PRIMARY = "primary"
SECONDARY = "secondary"
_MARKS = ("", PRIMARY, SECONDARY)


def disclosure_note(threshold: int = DEFAULT_THRESHOLD, secondary: bool = False) -> str:
    """Word the suppression rule for a table's footnote.

    Parameters
    ----------
    threshold : int
        The threshold the table was suppressed at.
    secondary : bool
        Whether to add the sentence on secondary suppression (say so whenever any figure in the
        table was suppressed only to protect another).

    Returns
    -------
    str

    Examples
    --------
    >>> disclosure_note(10)
    'cells resting on fewer than 10 respondents are suppressed'
    >>> disclosure_note(5, secondary=True)
    'cells resting on fewer than 5 respondents are suppressed; further cells are suppressed so that none can be recovered from totals by subtraction'
    """
    threshold = _threshold_or_raise(threshold, "disclosure_note()")
    who = "respondent" if threshold == 1 else "respondents"
    note = f"cells resting on fewer than {threshold} {who} are suppressed"
    if secondary:
        note += "; further cells are suppressed so that none can be recovered from totals by subtraction"
    return note


# --------------------------------------------------------------------------------------------
# Tidy tables
# --------------------------------------------------------------------------------------------


def suppress(
    table: pd.DataFrame,
    n_column: str = "n",
    value_columns: list[str] | None = None,
    threshold: int = DEFAULT_THRESHOLD,
    by: str | list[str] | None = None,
    total_label=None,
) -> pd.DataFrame:
    """Suppress the rows of a tidy table that rest on fewer than ``threshold`` respondents.

    **Primary:** every row whose ``n_column`` is below ``threshold`` (an empty group, n = 0,
    included) has its value columns and its n set to NaN and is marked ``"primary"`` - except a
    row of respondents who gave no answer (:data:`NOT_ANSWERED`): a missing answer describes no
    one (see :func:`hidden_groups`).

    **Secondary** (only when ``by`` and ``total_label`` are given): the rows whose last ``by``
    column equals ``total_label`` are totals of the other rows in their *set*. A set is the whole
    table when ``by`` is one column, or each combination of the other ``by`` columns (e.g. each
    wave for ``by=["wave", "sector"]``). If exactly one row of a set is suppressed, or the
    suppressed rows together rest on fewer than ``threshold`` respondents, the total would give
    them away by subtraction (n_total minus the others' n; likewise a mean from n x mean), so the
    unsuppressed non-total row with the smallest n is suppressed too and marked ``"secondary"``
    (the first in table order on a tie), until neither holds. Total rows are never chosen. A set
    without a total row has nothing to subtract from and is left alone.

    The function can be applied again to its own output: rows already marked stay suppressed.

    Parameters
    ----------
    table : DataFrame
        One row per group (or group x statistic), with a count of respondents.
    n_column : str
        The column holding the number of respondents each row rests on.
    value_columns : str or list of str, optional
        Columns to blank on suppressed rows. Default: every numeric column except ``n_column``
        and the ``by`` columns (pass it to keep numeric labels such as a year or a scale's k).
    threshold : int
        Rows with fewer respondents than this are suppressed; a whole number, at least 1.
    by : str or list of str, optional
        Group columns, outermost first; the last one holds the group labels and the totals.
    total_label : optional
        The label of the total rows in the last ``by`` column, e.g. ``"All"``.

    Returns
    -------
    DataFrame
        A copy of ``table`` (same rows, order and index) in which ``n_column`` and the value
        columns are float64 with NaN on suppressed rows, plus the column ``suppressed``:
        ``"primary"``, ``"secondary"`` or ``""``. ``attrs["disclosure"]`` holds the rule as
        :func:`disclosure_note` words it.

    Raises
    ------
    SurveyDataError
        On an unknown column, a threshold below 1, a non-numeric, negative or missing n, a
        ``total_label`` without ``by`` or absent from the table, or a set in which a group label
        appears twice (add the column that tells those rows apart to ``by``).

    Examples
    --------
    Adults' 7 respondents are suppressed; without more, 45 - 20 - 18 = 7 would give them away,
    so Fostering (18, the next smallest) is suppressed too:

    >>> import pandas as pd
    >>> t = pd.DataFrame({"sector": ["Adults", "Children", "Fostering", "All"],
    ...                   "n": [7, 20, 18, 45], "mean": [3.1, 3.4, 3.0, 3.2]})
    >>> out = suppress(t, by="sector", total_label="All")
    >>> out[["sector", "n", "suppressed"]].values.tolist()
    [['Adults', nan, 'primary'], ['Children', 20.0, ''], ['Fostering', nan, 'secondary'], ['All', 45.0, '']]
    >>> out.attrs["disclosure"]
    'cells resting on fewer than 10 respondents are suppressed; further cells are suppressed so that none can be recovered from totals by subtraction'
    """
    source = "table given to suppress()"
    if not isinstance(table, pd.DataFrame):
        raise SurveyDataError(_check_data(table, "suppress()", "counts", "table"), source=source)
    problems: list[Problem] = []
    threshold, bad = _check_threshold(threshold)
    problems += bad
    by_list = _as_names(by, "by", "suppress()")
    problems += _unknown_columns(table, [n_column], "n_column",
                                 "pass n_column= the column holding the number of respondents")
    problems += _unknown_columns(table, by_list, "by", "pass by= the columns holding the group labels")
    if value_columns is not None:
        value_columns = _as_names(value_columns, "value_columns", "suppress()")
        problems += _unknown_columns(table, value_columns, "value_columns",
                                     "list only columns of the table in value_columns=")
    if by is not None and not by_list:
        problems.append(Problem("bad argument", None, "by= is an empty list",
                                "pass the group column, e.g. by='sector', or leave by out"))
    if total_label is not None and not by_list:
        problems.append(Problem(
            "bad argument", None,
            f"total_label={total_label!r} was given without by=, so the total rows cannot be found",
            "pass by= the column whose value is the total label, e.g. by='sector'"))
    if problems:
        raise SurveyDataError(problems, source=source)

    problems += _check_counts(table, n_column)
    marks, bad = _existing_marks(table)
    problems += bad
    if problems:
        raise SurveyDataError(problems, source=source)
    n = _as_float(table[n_column])
    missing = np.isnan(n) & (marks == "")
    if missing.any():
        one = missing.sum() == 1
        problems.append(Problem(
            "missing n", n_column,
            f"{_count(missing.sum(), 'row')} {'has' if one else 'have'} no '{n_column}', so "
            f"whether {'it discloses' if one else 'they disclose'} anyone cannot be judged: "
            f"{_describe_rows(table, np.flatnonzero(missing))}",
            "fill in the number of respondents those rows rest on, or drop the rows"))
    if total_label is not None:
        problems += _check_sets(table, by_list, total_label, n_column, value_columns)
    if problems:
        raise SurveyDataError(problems, source=source)

    with np.errstate(invalid="ignore"):
        marks[(marks == "") & (n < threshold) & ~_not_answered_rows(table)] = PRIMARY
    if total_label is not None:
        _secondary_by_subtraction(table, marks, n, by_list, total_label, threshold)

    if value_columns is None:
        value_columns = [c for c in table.select_dtypes(include="number").columns
                         if c != n_column and c not in by_list]
    hidden = marks != ""
    out = table.copy()
    for col in value_columns:
        if col == n_column:
            continue
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].astype("boolean")
        elif pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].astype("float64")
        out[col] = out[col].where(~hidden)  # positional, so a repeated index label is safe
    out[n_column] = np.where(hidden, np.nan, n)
    out[MARK_COLUMN] = pd.Series(marks, index=out.index, dtype="str")
    out.attrs["disclosure"] = disclosure_note(threshold, secondary=bool((marks == SECONDARY).any()))
    return out


def _check_sets(table, by_list, total_label, n_column, value_columns) -> list[Problem]:
    """Problems that would make the total-row subtraction ill-defined."""
    problems = []
    group, keys = by_list[-1], by_list[:-1]
    is_total = (table[group] == total_label).to_numpy(dtype=bool)
    if not is_total.any():
        shown = ", ".join(repr(_plain(v)) for v in pd.unique(table[group])[:SHOW])
        problems.append(Problem(
            "unknown total label", group,
            f"no row has {group} == {total_label!r}, so there is no total row to protect; "
            f"values found: {shown}",
            f"pass total_label= the label of the total rows in '{group}', or leave it out if "
            "the table has no total"))
        return problems
    doubled = [(key, rows) for key, rows in
               table.groupby(by_list, dropna=False, sort=False).indices.items() if len(rows) > 1]
    if doubled:
        key, rows = doubled[0]
        key = key if isinstance(key, tuple) else (key,)
        others = [c for c in table.columns
                  if c not in by_list and c not in (n_column, MARK_COLUMN)
                  and (value_columns is None or c not in value_columns)
                  and not pd.api.types.is_float_dtype(table[c])
                  and table[c].iloc[rows].nunique(dropna=False) > 1]
        hint = (f"by={keys + [others[0], group]!r}" if others
                else "by= the columns that tell those rows apart, outermost first")
        label = ", ".join(f"{c}={_plain(v)!r}" for c, v in zip(by_list, key))
        problems.append(Problem(
            "ambiguous groups", group,
            f"{_count(len(doubled), 'group label')} {'appears' if len(doubled) == 1 else 'appear'} "
            f"more than once within a set (e.g. {len(rows)} rows with {label}: "
            f"{_describe_rows(table, rows)}), so it is unclear which rows the total adds up",
            f"add the column that tells them apart (e.g. the statistic) to by, outermost first: {hint}"))
    return problems


def _secondary_by_subtraction(table, marks, n, by_list, total_label, threshold) -> None:
    """Within each set whose total is shown: while exactly one row is suppressed, or the
    suppressed rows together rest on fewer than ``threshold`` respondents (the total minus the
    shown rows would give that small group away), suppress the smallest other non-total row."""
    group, keys = by_list[-1], by_list[:-1]
    is_total = (table[group] == total_label).to_numpy(dtype=bool)
    sets = (table.groupby(keys, dropna=False, sort=False).indices.values() if keys
            else [np.arange(len(table))])
    for rows in sets:
        rows = np.sort(np.asarray(rows))
        if not is_total[rows].any() or (marks[rows[is_total[rows]]] != "").any():
            continue
        while True:
            hidden = rows[(marks[rows] != "") & ~is_total[rows]]
            together = np.nansum(n[hidden])
            if not (hidden.size == 1 or (hidden.size and 0 < together < threshold)):
                break
            candidates = rows[(marks[rows] == "") & ~is_total[rows]]
            if not candidates.size:
                break
            marks[candidates[np.argmin(n[candidates])]] = SECONDARY


# --------------------------------------------------------------------------------------------
# Wide crosstabs of counts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SuppressedCrosstab:
    """A crosstab of counts after disclosure control; unpacks as ``table, marks``.

    Attributes
    ----------
    table : DataFrame
        The counts as float64, NaN where suppressed; same index and columns as the input.
    marks : DataFrame
        Same shape: ``"primary"``, ``"secondary"`` or ``""`` (shown) for each cell.
    threshold : int
        The threshold used.
    note : str
        The rule, as :func:`disclosure_note` words it.
    """

    table: pd.DataFrame
    marks: pd.DataFrame
    threshold: int
    note: str

    @property
    def mask(self) -> pd.DataFrame:
        """Boolean DataFrame, True where a cell is suppressed."""
        return self.marks != ""

    def __iter__(self) -> Iterator[pd.DataFrame]:
        yield self.table
        yield self.marks


def suppress_crosstab(
    counts: pd.DataFrame, threshold: int = DEFAULT_THRESHOLD, *, margins_name: str = "All"
) -> SuppressedCrosstab:
    """Suppress the small cells of a crosstab of counts, and enough others that none can be recovered.

    **Primary:** a count with ``0 < count < threshold`` is suppressed. A **zero** is shown: it
    says that nobody in the group gave that answer, which identifies no one, unless the group
    itself is small (ONS practice). So zeros are suppressed in any row (group) whose total is
    below the threshold. Rows are taken to be the groups and columns the categories, as
    ``pandas.crosstab(groups, answers)`` lays them out.

    **Secondary:** each row and each column is an addition (its cells add up to its margin, shown
    in the table or published elsewhere), so

    1. every row and column holding a suppressed cell must hold at least two; where one holds
       just one, another of its non-zero cells is suppressed too (a zero partner would leave
       the pair adding up to the small count itself). The partner is the smallest such cell,
       except that a cell whose *other* line already holds a lone suppression is preferred, and
       one whose other line holds none comes last: one cell then protects two lines and the
       suppressions close into 2 x 2 blocks instead of spreading over the table;
    2. two suppressed cells per line are not always enough: suppressed cells that chain two
       separate blocks of suppressions can still be solved for by combining rows and columns
       (see the tests), so any suppressed cell the additions still determine exactly gets a
       further partner that closes a cycle through it;

    and both steps repeat until nothing changes. Ties go to the first cell in row-major order.

    **Margins** (the row and column named ``margins_name``) are never suppressed to protect
    another cell. A margin that is itself below the threshold (a small group or category) is a
    small count like any other: it is suppressed, and protected in the same way.

    Parameters
    ----------
    counts : DataFrame
        Counts: rows are groups, columns are categories, optionally with margins.
    threshold : int
        Counts below this are suppressed; a whole number, at least 1.
    margins_name : str
        Label of the margin row and column (pandas' default, ``"All"``); with MultiIndex labels,
        the first level is compared.

    Returns
    -------
    SuppressedCrosstab
        ``.table`` (float64 counts, NaN where suppressed), ``.marks`` (``"primary"``,
        ``"secondary"`` or ``""``), ``.mask`` (bool), ``.threshold`` and ``.note``; it unpacks
        as ``table, marks = suppress_crosstab(counts)``.

    Raises
    ------
    SurveyDataError
        On a threshold below 1, or counts that are not numbers, missing or negative.

    Notes
    -----
    Step 2 works on the bipartite graph whose nodes are the rows and columns and whose edges are
    the suppressed cells: a suppressed cell is determined by the additions exactly when its edge
    is a bridge (lies on no cycle). Protection is against exact recovery, not against bounding a
    cell to an interval; R's ``sdcTable::protectTable`` and tau-argus do the full audit.

    Examples
    --------
    Adults' 3 is suppressed; its row's only partner is 30; column "no" then holds one suppressed
    cell, and Fostering's 20 is preferred to Children's 12 because it also pairs with Fostering's
    25 in column "yes", closing a 2 x 2 block:

    >>> import pandas as pd
    >>> counts = pd.DataFrame({"yes": [3, 40, 25], "no": [30, 12, 20]},
    ...                       index=pd.Index(["Adults", "Children", "Fostering"], name="sector"))
    >>> table, marks = suppress_crosstab(counts)
    >>> marks.to_dict("index")
    {'Adults': {'yes': 'primary', 'no': 'secondary'}, 'Children': {'yes': '', 'no': ''}, 'Fostering': {'yes': 'secondary', 'no': 'secondary'}}
    >>> table.loc["Children"].tolist()
    [40.0, 12.0]
    """
    source = "counts given to suppress_crosstab()"
    if not isinstance(counts, pd.DataFrame):
        raise SurveyDataError(_check_data(counts, "suppress_crosstab()", "counts", "counts"), source=source)
    problems: list[Problem] = []
    threshold, bad = _check_threshold(threshold)
    problems += bad
    if counts.empty:
        problems.append(Problem("empty table", None, "the crosstab has no cells",
                                "pass the table of counts, e.g. pandas.crosstab(groups, answers)"))
    for col in counts.columns:
        if counts[col].size:
            problems += _check_counts(counts, col, what="count")
    margin_rows = [i for i, label in enumerate(counts.index) if _is_margin(label, margins_name)]
    margin_cols = [j for j, label in enumerate(counts.columns) if _is_margin(label, margins_name)]
    for axis, found in (("row", margin_rows), ("column", margin_cols)):
        if len(found) > 1:
            problems.append(Problem(
                "ambiguous margins", None,
                f"{len(found)} {axis}s are labelled {margins_name!r}; a crosstab has at most one "
                f"margin {axis}",
                "rename the groups or categories that share the margins' label, or pass "
                "margins_name= the label pandas.crosstab was given"))
    if problems:
        raise SurveyDataError(problems, source=source)

    x = counts.to_numpy(dtype="float64")
    mr = margin_rows[0] if margin_rows else None
    mc = margin_cols[0] if margin_cols else None
    level = np.zeros(x.shape, dtype=int)  # 0 interior, 1 margin, 2 grand total
    if mr is not None:
        level[mr, :] += 1
    if mc is not None:
        level[:, mc] += 1
    marks = _protect(x, level, threshold)
    table = pd.DataFrame(np.where(marks == "", x, np.nan), index=counts.index, columns=counts.columns)
    marks_frame = pd.DataFrame(marks, index=counts.index, columns=counts.columns).astype("str")
    note = disclosure_note(threshold, secondary=bool((marks == SECONDARY).any()))
    table.attrs["disclosure"] = note
    return SuppressedCrosstab(table=table, marks=marks_frame, threshold=threshold, note=note)


def _protect(x: np.ndarray, level: np.ndarray, threshold: int) -> np.ndarray:
    """Marks for a matrix of counts; ``level`` is 0 for interior cells, 1 margins, 2 grand total."""
    n_rows, n_cols = x.shape
    marks = np.full(x.shape, "", dtype=object)
    marks[(x > 0) & (x < threshold)] = PRIMARY
    interior = level == 0
    group_total = np.where(interior, x, 0).sum(axis=1)
    small_group = (group_total > 0) & (group_total < threshold)
    marks[small_group[:, None] & interior & (x == 0)] = PRIMARY

    def crossing(cell, line_is_row):
        """How the partner's other line fares: 0 it now holds two, 1 no change, 2 a new lone one."""
        i, j = cell
        k = int((marks[:, j] != "").sum()) if line_is_row else int((marks[i, :] != "").sum())
        return 0 if k == 1 else (1 if k > 1 else 2)

    # A partner is an interior non-zero cell if possible (then an interior zero, a margin, the
    # grand total); among those, one whose other line it also protects, then the smallest count,
    # then row-major order. Preferring the other line is what keeps a 2 x 2 block of
    # suppressions from spreading over the whole table.
    def pick(cells, line_is_row=None):
        return min(cells, key=lambda c: (level[c], x[c] == 0,
                                         0 if line_is_row is None else crossing(c, line_is_row), x[c], c))

    lines = [([(i, j) for j in range(n_cols)], True) for i in range(n_rows)]
    lines += [([(i, j) for i in range(n_rows)], False) for j in range(n_cols)]
    while True:
        changed = False
        for line, is_row in lines:
            if sum(marks[c] != "" for c in line) == 1:
                free = [c for c in line if marks[c] == ""]
                if free:
                    marks[pick(free, is_row)] = SECONDARY
                    changed = True
        if changed:
            continue
        for cell, side_a in _bridges(marks != "", n_rows, n_cols):
            # Any shown cell joining the two sides closes a cycle through the bridge.
            free = [(i, j) for i in range(n_rows) for j in range(n_cols)
                    if marks[i, j] == ""
                    and (_row_node(i, n_cols) in side_a) != (_col_node(j, n_rows) in side_a)]
            if free:
                marks[pick(free)] = SECONDARY
                changed = True
                break
        if not changed:
            return marks


def _row_node(i: int, n_cols: int):
    # A line of one cell adds nothing (its total is the cell), so such lines share one node with
    # no equation of its own; this keeps the cycle test exact for one-row or one-column tables.
    return "free" if n_cols == 1 else ("row", i)


def _col_node(j: int, n_rows: int):
    return "free" if n_rows == 1 else ("col", j)


def _bridges(hidden: np.ndarray, n_rows: int, n_cols: int):
    """Yield (cell, nodes on the cell's row side) for each suppressed cell lying on no cycle."""
    edges = [((i, j), _row_node(i, n_cols), _col_node(j, n_rows))
             for i, j in zip(*np.nonzero(hidden))]
    adjacency: dict = {}
    for k, (_, a, b) in enumerate(edges):
        adjacency.setdefault(a, []).append((b, k))
        adjacency.setdefault(b, []).append((a, k))
    for k, (cell, a, b) in enumerate(edges):
        if a == b:
            continue
        seen, queue = {a}, deque([a])
        while queue:
            node = queue.popleft()
            for other, edge in adjacency[node]:
                if edge != k and other not in seen:
                    seen.add(other)
                    queue.append(other)
        if b not in seen:
            yield (int(cell[0]), int(cell[1])), seen


def _is_margin(label, margins_name) -> bool:
    if isinstance(label, tuple):
        return len(label) > 0 and label[0] == margins_name
    return label == margins_name


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def assert_no_small_cells(
    table: pd.DataFrame | SuppressedCrosstab, n_column: str = "n", threshold: int = DEFAULT_THRESHOLD
) -> None:
    """Raise if an output table still shows a figure resting on fewer than ``threshold`` respondents.

    For a tidy table: every row not marked in its ``suppressed`` column (every row, if it has
    none) must have ``n_column`` at or above the threshold, and every marked row must show no n.
    A row of respondents who gave no answer (:data:`NOT_ANSWERED`) may show any count: a missing
    answer describes no one (see :func:`hidden_groups`).
    For a :class:`SuppressedCrosstab`: every shown count must be 0 or at least the threshold.

    Parameters
    ----------
    table : DataFrame or SuppressedCrosstab
        The output to check.
    n_column : str
        The count column of a tidy table.
    threshold : int
        The threshold the output must respect.

    Returns
    -------
    None

    Raises
    ------
    SurveyDataError
        With a problem of kind ``"disclosive cell"`` naming the rows and their n; ``"missing n"``
        for unmarked rows without an n; or a bad-call problem (unknown column, threshold below 1).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"sector": ["Adults", "Children"], "n": [7, 20]})
    >>> assert_no_small_cells(suppress(t))
    >>> from analysis.errors import SurveyDataError
    >>> try:
    ...     assert_no_small_cells(t)
    ... except SurveyDataError as err:
    ...     print(err.problems[0].kind, "|", err.problems[0].message)
    disclosive cell | 1 row shows fewer than 10 respondents and is not suppressed: row 0 (sector='Adults', n=7)
    """
    source = "table checked by assert_no_small_cells()"
    fix = "pass the table through analysis.disclosure.suppress() before it is shown or saved"
    threshold, problems = _check_threshold(threshold)
    if isinstance(table, SuppressedCrosstab):
        if problems:
            raise SurveyDataError(problems, source=source)
        x = table.table.to_numpy(dtype="float64")
        small = (x > 0) & (x < threshold)
        if small.any():
            cells = [f"({_plain(table.table.index[i])!r}, {_plain(table.table.columns[j])!r}) = {_plain(x[i, j]):g}"
                     for i, j in zip(*np.nonzero(small))]
            raise SurveyDataError([Problem(
                "disclosive cell", None,
                f"{_count(len(cells), 'cell')} of the crosstab {'shows' if len(cells) == 1 else 'show'} "
                f"fewer than {threshold} respondents: {_first(cells)}",
                "pass the counts through analysis.disclosure.suppress_crosstab() before they are shown",
                count=len(cells))], source=source)
        return None
    if not isinstance(table, pd.DataFrame):
        raise SurveyDataError(_check_data(table, "assert_no_small_cells()", "counts", "table"), source=source)
    problems += _unknown_columns(table, [n_column], "n_column",
                                 "pass n_column= the column holding the number of respondents")
    if problems:
        raise SurveyDataError(problems, source=source)
    problems += _check_counts(table, n_column, negative_ok=True)
    marks, bad = _existing_marks(table)
    problems += bad
    if problems:
        raise SurveyDataError(problems, source=source)
    n = _as_float(table[n_column])
    shown = marks == ""
    with np.errstate(invalid="ignore"):
        small = shown & (n < threshold) & ~_not_answered_rows(table)  # missing answers describe no one
    if small.any():
        rows = np.flatnonzero(small)
        problems.append(Problem(
            "disclosive cell", n_column,
            f"{_count(rows.size, 'row')} {'shows' if rows.size == 1 else 'show'} fewer than "
            f"{threshold} respondents and {'is' if rows.size == 1 else 'are'} not suppressed: "
            f"{_describe_rows(table, rows, n_column)}",
            fix, count=int(rows.size), values=tuple(pd.unique(table[n_column].iloc[rows])[:SHOW]),
            n_values=len(pd.unique(n[rows]))))
    leaked = ~shown & ~np.isnan(n)
    if leaked.any():
        rows = np.flatnonzero(leaked)
        problems.append(Problem(
            "disclosive cell", n_column,
            f"{_count(rows.size, 'row')} marked as suppressed still {'shows' if rows.size == 1 else 'show'} "
            f"its n: {_describe_rows(table, rows, n_column)}",
            "blank suppressed rows with analysis.disclosure.suppress() rather than by hand",
            count=int(rows.size)))
    missing = shown & np.isnan(n)
    if missing.any():
        rows = np.flatnonzero(missing)
        problems.append(Problem(
            "missing n", n_column,
            f"{_count(rows.size, 'row')} without '{n_column}' {'is' if rows.size == 1 else 'are'} "
            f"not marked as suppressed, so {'it' if rows.size == 1 else 'they'} cannot be checked: "
            f"{_describe_rows(table, rows)}",
            "fill in the number of respondents, or suppress those rows with suppress()",
            count=int(rows.size)))
    if problems:
        raise SurveyDataError(problems, source=source)
    return None


# --------------------------------------------------------------------------------------------
# Validation helpers
# --------------------------------------------------------------------------------------------


#: Counts of missing answers and of processing (who answered, who a model left out): they
#: describe no one's attributes, are recoverable from the totals beside them anyway, and are shown
#: in full so that nothing is dropped unseen. Every other count of respondents is disclosure-controlled.
MISSINGNESS_COUNTS = ("n_missing", "n_lost", "n_no_answer", "n_answered", "n_respondents", "n_read",
                      "n_analysable", "n_influential", "n_teams")


def few_either_side(count, n, threshold: int = DEFAULT_THRESHOLD):
    """Whether a count of respondents with an attribute, out of ``n``, is between 1 and
    ``threshold - 1`` on either side (those with it, or those without it): then a share built on
    it would disclose that few people. Works on numbers and on arrays.

    Examples
    --------
    >>> few_either_side(3, 200), few_either_side(197, 200), few_either_side(0, 200), few_either_side(50, 200)
    (True, True, False, False)
    """
    count = np.asarray(count, dtype="float64")
    rest = np.asarray(n, dtype="float64") - count
    out = ((count > 0) & (count < threshold)) | ((rest > 0) & (rest < threshold))
    return bool(out) if out.ndim == 0 else out


#: The level that stands for respondents who did not give a group (they count in every total).
NOT_ANSWERED = "(not answered)"


def hidden_groups(data: pd.DataFrame, by: str, outcome: str | None = None, *,
                  threshold: int = DEFAULT_THRESHOLD, binary: bool | None = None) -> dict:
    """The groups of ``by`` that every table of a run hides, and why: one plan, the same in
    every table, so that no two tables can be combined to recover a small group.

    The plan depends only on the data, never on the table, so two tables (in one notebook or in
    two) that show the same groups hide the same ones, partners included. It assumes that the
    total of every outcome is published somewhere (an overall table, a total row), and that what
    respondents who gave no group (:data:`NOT_ANSWERED`) answered can be worked out from it: a
    missing answer describes no one, so they are never hidden (their count is shown in full, as
    every count of missing answers) and they never hide a group; they count in every total.

    1. **Groups.** A group of 1 to ``threshold - 1`` respondents is hidden (``"primary"``).
       While the hidden groups together hold 1 to ``threshold - 1`` respondents, the total minus
       the shown groups would give them away, so the smallest shown group (the first in order on
       a tie) is hidden too (``"secondary"``).
    2. **Groups on an outcome** (with ``outcome``): among the respondents who answered it, the
       groups of step 1 stay hidden; a group is hidden when 1 to ``threshold - 1`` of them
       answered, and, for a 0/1 outcome, when 1 to ``threshold - 1`` answered 1, or 0
       (:func:`few_either_side`); partners are added while the hidden groups' answers, or their
       1s or their 0s, add up to 1 to ``threshold - 1``, choosing first a group with answers in
       what needs covering, then the smallest. (The 1s and 0s need no partner when the total
       share is itself hidden, having 1 to ``threshold - 1`` answers of 1, or of 0: there is
       nothing to subtract from.)

    Parameters
    ----------
    data : DataFrame
        Respondent-level data.
    by : str
        The grouping column.
    outcome : str, optional
        The outcome the groups are shown on.
    threshold : int
    binary : bool, optional
        Whether the outcome is 0/1 (default: its values are all 0 or 1).

    Returns
    -------
    dict
        Group -> ``"primary"`` or ``"secondary"``, for the hidden groups only, in group order.

    Examples
    --------
    Fostering's 4 respondents are hidden, and Children (the smallest other group) with them;
    the same two whatever the outcome:

    >>> d = pd.DataFrame({"sector": ["Adults"] * 40 + ["Children"] * 30 + ["Fostering"] * 4,
    ...                   "leave": [1.0, 0.0] * 20 + [1.0] * 15 + [0.0] * 15 + [1.0, 0.0] * 2})
    >>> hidden_groups(d, "sector")
    {'Children': 'secondary', 'Fostering': 'primary'}
    >>> hidden_groups(d, "sector", "leave")
    {'Children': 'secondary', 'Fostering': 'primary'}
    """
    threshold = _threshold_or_raise(threshold, "hidden_groups()")
    groups = data[by]
    levels = (list(groups.cat.categories) if isinstance(groups.dtype, pd.CategoricalDtype)
              else sorted(pd.unique(groups.dropna()), key=str))
    codes = pd.Categorical(groups, categories=levels).codes
    known = codes >= 0
    sizes = np.bincount(codes[known], minlength=len(levels)).astype(float)
    marks = np.where((sizes > 0) & (sizes < threshold), PRIMARY, "").astype(object)
    marks = _partners(sizes[:, None], threshold, marks)
    if outcome is not None:
        y = data[outcome].astype("float64").to_numpy()
        answered = known & ~np.isnan(y)
        n = np.bincount(codes[answered], minlength=len(levels)).astype(float)
        if binary is None:
            binary = bool(np.isin(y[~np.isnan(y)], (0.0, 1.0)).all())
        cells = n[:, None]
        primary = (n > 0) & (n < threshold)
        if binary:
            yes = np.bincount(codes[answered], weights=y[answered], minlength=len(levels))
            primary |= few_either_side(yes, n, threshold)
            total_yes, total_n = np.nansum(y[~np.isnan(y)]), float((~np.isnan(y)).sum())
            if not few_either_side(total_yes, total_n, threshold):  # else the total share is hidden too
                cells = np.column_stack([n, yes, n - yes])
        marks = np.where(primary, PRIMARY, marks).astype(object)  # a small cell is primary, whatever else
        marks = _partners(cells, threshold, marks)
    return {lv: str(m) for lv, m in zip(levels, marks) if m}


def _partners(cells: np.ndarray, threshold: int, marks: np.ndarray) -> np.ndarray:
    """Hide further groups while the hidden ones' counts (a column of ``cells`` each) add up to
    1 to ``threshold - 1``: first a group with counts where they are needed, then the smallest,
    then the first in order."""
    marks = marks.copy()
    total = cells[:, 0]
    order = np.arange(len(marks))
    while True:
        hidden = marks != ""
        sums = cells[hidden].sum(axis=0)
        need = (sums > 0) & (sums < threshold)
        free = np.flatnonzero(~hidden & (total > 0))
        if not hidden.any() or not need.any() or not free.size:
            return marks
        covers = ((cells[free] > 0) & need).sum(axis=1)
        marks[free[np.lexsort((order[free], total[free], -covers))[0]]] = SECONDARY


def ledger_entries(table: pd.DataFrame, by: str | None, waves) -> list[list]:
    """What a table shows of each group, for the run's disclosure ledger: ``[waves, by, outcome,
    group, mark]`` per group row (``mark`` "" when shown). ``by`` is the grouping column the
    groups come from (None: the table shows no groups, and has no entries; a profile's
    ``variable`` column names it row by row). The outcome is the row's ``outcome``, ``scale`` or
    ``item`` (None for a table of group sizes).

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["leave"] * 3, "group": ["a", "b", "All"], "suppressed": ["primary", "", ""]})
    >>> ledger_entries(t, "sector", ["2018"])
    [['2018', 'sector', 'leave', 'a', 'primary'], ['2018', 'sector', 'leave', 'b', '']]
    """
    marks = (table[MARK_COLUMN] if MARK_COLUMN in table.columns else pd.Series("", index=table.index)).fillna("")
    key = "-".join(str(w) for w in waves)
    if {"variable", "category"} <= set(table.columns):  # a profile: groups of several columns, their sizes
        return [[key, str(v), None, str(g), str(m)] for v, g, m in zip(table["variable"], table["category"], marks)
                if str(g) not in ("All", NOT_ANSWERED)]
    group = "group" if "group" in table.columns else None
    if by is None or group is None:
        return []
    outcome = next((c for c in ("outcome", "scale", "item") if c in table.columns), None)
    outcomes = table[outcome].astype(str) if outcome else [None] * len(table)
    return [[key, str(by), o, str(g), str(m)] for g, o, m in zip(table[group], outcomes, marks)
            if str(g) not in ("All", NOT_ANSWERED)]


def check_ledger(entries: list) -> list[str]:
    """The disagreements of a run's disclosure ledger: a group hidden in one table and shown in
    another, for the same waves, grouping and outcome (or, for a group too small to show at
    all, any outcome). An empty list when every table of the run hides the same groups.

    Examples
    --------
    >>> check_ledger([["2018", "sector", "leave", "a", "primary"], ["2018", "sector", "leave", "a", ""]])
    ["wave(s) 2018, groups of 'sector', outcome 'leave': 'a' is hidden in one table and shown in another"]
    """
    by_cell, too_small = {}, set()
    for waves, by, outcome, group, mark in entries:
        by_cell.setdefault((waves, by, outcome, group), set()).add(bool(mark))
        if outcome is None and mark:
            too_small.add((waves, by, group))  # hidden as a group: hidden on every outcome
    problems = [f"wave(s) {w}, groups of {b!r}, outcome {o!r}: {g!r} is hidden in one table and shown in another"
                for (w, b, o, g), seen in by_cell.items() if seen == {True, False}]
    problems += [f"wave(s) {w}, groups of {b!r}: {g!r} is hidden as a group but shown on outcome {o!r}"
                 for (w, b, o, g), seen in by_cell.items() if o is not None and (w, b, g) in too_small and False in seen]
    return problems


def count_columns(table: pd.DataFrame) -> list[str]:
    """The columns of a results table that count respondents: ``n`` and ``n_*``, numeric.

    Examples
    --------
    >>> count_columns(pd.DataFrame({"n": [12], "n_missing": [3], "mean": [1.0], "n_label": ["x"]}))
    ['n', 'n_missing']
    """
    return [c for c in table.columns
            if (c == "n" or str(c).startswith("n_")) and pd.api.types.is_numeric_dtype(table[c])
            and not pd.api.types.is_bool_dtype(table[c])]


def suppress_counts(table: pd.DataFrame, columns: list[str] | None = None,
                    threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Blank the secondary counts of a table (respondents missing a score, lost to a model,
    excluded by a rule) that are above zero and below ``threshold``.

    The rows' own ``n`` is :func:`suppress`'s job (it also blanks the statistics resting on it);
    this function handles counts of an attribute that sit beside a statistic without it resting
    on them, such as ``n_events`` in a logistic model's fit. A zero is shown (it identifies nobody).

    Parameters
    ----------
    table : DataFrame
    columns : list of str, optional
        Default :func:`count_columns` of the table except ``n`` and :data:`MISSINGNESS_COUNTS`.
    threshold : int

    Returns
    -------
    DataFrame
        A copy with those cells NaN (columns made float64).

    Examples
    --------
    >>> t = pd.DataFrame({"outcome": ["leave", "stay"], "n": [500, 480], "n_events": [3, 23], "n_missing": [3, 2]})
    >>> out = suppress_counts(t)
    >>> out["n_events"].tolist(), out["n_missing"].tolist()
    ([nan, 23.0], [3, 2])
    """
    threshold = _threshold_or_raise(threshold, "suppress_counts")
    out = table.copy()
    default = [c for c in count_columns(table) if c != "n" and c not in MISSINGNESS_COUNTS]
    for col in (columns if columns is not None else default):
        x = out[col].astype("float64")
        out[col] = x.where(~((x > 0) & (x < threshold)))
    return out


def _check_counts(table: pd.DataFrame, column, what: str = "n", negative_ok: bool = False) -> list[Problem]:
    """Problems with a column that should hold counts of respondents."""
    s = table[column]
    if not pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
        return [Problem(
            "not a count", _plain(column),
            f"column '{_plain(column)}' holds {s.dtype} values, not numbers of respondents",
            "convert it to numbers (e.g. pandas.to_numeric), or name the right column",
            values=tuple(pd.unique(s)[:SHOW]), n_values=int(s.nunique()))]
    x = _as_float(s)
    problems = []
    if not negative_ok and (x < 0).any():
        rows = np.flatnonzero(x < 0)
        problems.append(Problem(
            "negative count", _plain(column),
            f"{_count(rows.size, 'row')} of column '{_plain(column)}' {'is' if rows.size == 1 else 'are'} "
            f"negative: {_describe_rows(table, rows)}",
            "counts of respondents cannot be negative; check how the column was computed",
            count=int(rows.size), values=tuple(pd.unique(x[rows])[:SHOW])))
    if what == "count" and np.isnan(x).any():
        rows = np.flatnonzero(np.isnan(x))
        problems.append(Problem(
            "missing count", _plain(column),
            f"{_count(rows.size, 'cell')} of column '{_plain(column)}' {'is' if rows.size == 1 else 'are'} "
            f"missing: rows {_first([repr(_plain(table.index[r])) for r in rows])}",
            "a crosstab of counts has a number in every cell; fill empty cells with 0 "
            "(pandas.crosstab does) before suppressing", count=int(rows.size)))
    return problems


def _existing_marks(table: pd.DataFrame) -> tuple[np.ndarray, list[Problem]]:
    """The marks of a table already through suppress(), or all "" if it has none."""
    if MARK_COLUMN not in table.columns:
        return np.full(len(table), "", dtype=object), []
    raw = table[MARK_COLUMN]
    marks = np.array(["" if pd.isna(v) else v for v in raw], dtype=object)
    bad = ~np.isin(marks, _MARKS)
    if bad.any():
        return marks, [Problem(
            "bad suppression marks", MARK_COLUMN,
            f"column '{MARK_COLUMN}' should hold only 'primary', 'secondary' or '' (as suppress() "
            f"writes it)", "rename the table's own 'suppressed' column before suppressing",
            values=tuple(pd.unique(marks[bad])[:SHOW]), n_values=len(pd.unique(marks[bad])))]
    return marks, []


def _unknown_columns(table: pd.DataFrame, names, argument: str, fix: str) -> list[Problem]:
    known = list(table.columns)
    problems = []
    for name in names:
        if name not in table.columns:
            problems.append(Problem(
                "unknown column", str(name),
                f"{argument}={name!r} is not a column of the table{_did_you_mean(name, known)}; its columns are "
                f"{', '.join(repr(_plain(c)) for c in known)}",
                fix))
    return problems


def _not_answered_rows(table: pd.DataFrame) -> np.ndarray:
    """Rows of respondents who gave no answer (a label column holds :data:`NOT_ANSWERED`)."""
    labels = table.select_dtypes(exclude="number")
    if not labels.shape[1]:
        return np.zeros(len(table), dtype=bool)
    return labels.isin([NOT_ANSWERED]).any(axis=1).to_numpy()


def _as_float(s: pd.Series) -> np.ndarray:
    return s.astype("float64").to_numpy(dtype="float64", na_value=np.nan)


def _describe_rows(table: pd.DataFrame, rows, n_column: str | None = None) -> str:
    """'row 2 (sector='Adults', n=7), ...' for the first few rows (index labels, label columns)."""
    labels = [c for c in table.columns if not pd.api.types.is_numeric_dtype(table[c]) and c != MARK_COLUMN]
    parts = []
    for r in rows[:SHOW]:
        row = table.iloc[r]
        shown = [f"{c}={_plain(row[c])!r}" for c in labels]
        if n_column is not None:
            value = row[n_column]
            shown.append(f"{n_column}={_plain(value):g}" if pd.notna(value) else f"{n_column}=NaN")
        parts.append(f"row {_plain(table.index[r])!r}" + (f" ({', '.join(shown)})" if shown else ""))
    more = len(rows) - len(parts)
    return ", ".join(parts) + (f"; and {more} more" if more else "")


def _first(items: list[str]) -> str:
    more = len(items) - SHOW
    return ", ".join(items[:SHOW]) + (f"; and {more} more" if more > 0 else "")


def _count(k, noun: str) -> str:
    k = int(k)
    return f"{k} {noun}{'' if k == 1 else 's'}"


def _plain(value):
    return value.item() if hasattr(value, "item") else value
