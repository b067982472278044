"""The project's exception and warning types, and the problem records they carry.

A :class:`SurveyDataError` gathers *every* problem found in a wave or codebook and reports them at
once, each naming the column, the respondents (first few ids and data rows plus a count), the
offending values, what was expected and how to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

#: How many example respondents and values a problem message shows before "and N more".
SHOW = 5


@dataclass(frozen=True)
class Problem:
    """One problem found while loading or validating a wave.

    Attributes
    ----------
    kind : str
        Short class of problem, e.g. ``"out of range"``, ``"text in numeric field"``,
        ``"duplicate respondent id"``, ``"unknown column"``.
    column : str or None
        Canonical column (or source column where no canonical name exists yet).
    message : str
        What is wrong and what was expected.
    fix : str
        How to fix it.
    rows : tuple of int
        The first few data rows concerned (1 = first respondent row of the file).
    ids : tuple of str
        Respondent ids of those rows, where known.
    count : int
        How many respondents (rows) are concerned in all.
    values : tuple
        The first few distinct offending values.
    n_values : int
        How many distinct offending values there are in all.
    source_column : str or None
        The column's name in the export, when it differs from ``column``.
    place : str or None
        Where the problem is, when it is not a column or the file: ``""`` for a problem with a
        function's arguments, which has no place in a file.
    """

    kind: str
    column: str | None
    message: str
    fix: str = ""
    rows: tuple[int, ...] = ()
    ids: tuple = ()
    count: int = 0
    values: tuple = ()
    n_values: int = 0
    source_column: str | None = None
    place: str | None = None

    def describe(self) -> str:
        """Return the problem as one readable paragraph."""
        where = f"column '{self.column}'" if self.column else "file" if self.place is None else self.place
        if self.source_column and self.source_column != self.column:
            where += f" (export column '{self.source_column}')"
        parts = [f"[{self.kind}] {where + ': ' if where else ''}{self.message}"]
        if self.rows:
            rows = ", ".join(str(r) for r in self.rows)
            who = f"{self.count} respondent{'s' if self.count != 1 else ''} (data rows {rows}"
            ids = [str(i) for i in self.ids if i is not None and i == i]
            if ids:
                who += f"; ids {', '.join(map(str, ids))}"
            more = self.count - len(self.rows)
            who += f"{'' if not more else f'; and {more} more'})"
            parts.append(who)
        if self.values:
            vals = ", ".join(repr(_plain(v)) for v in self.values)
            more = self.n_values - len(self.values)
            parts.append(f"values found: {vals}{f' and {more} more' if more else ''}")
        if self.fix:
            parts.append(f"fix: {self.fix}")
        return "; ".join(parts[:1]) + ("\n     " + "\n     ".join(parts[1:]) if parts[1:] else "")


def _plain(value):
    """Show numpy scalars as plain Python values in messages."""
    return value.item() if hasattr(value, "item") else value


class SurveyDataError(ValueError):
    """A wave or codebook that cannot be loaded as it is; lists every problem found.

    Attributes
    ----------
    problems : list of Problem
        Every problem, in the order found (file-level first, then column by column).
    source : str
        The file (or object) that was being loaded, or the function that was called.
    outcome : str
        What did not happen, for the message (default "nothing was loaded").
    """

    def __init__(self, problems: list[Problem], source: str = "the data", outcome: str = "nothing was loaded"):
        self.problems = list(problems)
        self.source = source
        self.outcome = outcome
        super().__init__(self._message())

    def _message(self) -> str:
        n = len(self.problems)
        head = f"{self.source}: {n} problem{'s' if n != 1 else ''} found; {self.outcome}."
        if any(p.rows for p in self.problems):
            head += " Rows are data rows (1 = first respondent)."
        body = "\n".join(f"  {i}. {p.describe()}" for i, p in enumerate(self.problems, 1))
        return f"{head}\n{body}"

    def to_frame(self):
        """Return the problems as a table: kind, column, source_column, count, message, fix."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "kind": p.kind,
                    "column": p.column,
                    "source_column": p.source_column,
                    "count": p.count,
                    "message": p.message,
                    "fix": p.fix,
                }
                for p in self.problems
            ],
            columns=["kind", "column", "source_column", "count", "message", "fix"],
        )


class CodebookError(SurveyDataError):
    """A codebook that is malformed or does not fit the file it is applied to."""


class SurveyDataWarning(UserWarning):
    """Something in a wave worth checking that does not stop loading or scoring."""


def fail(kind: str, message: str, fix: str = "", *, column: str | None = None, place: str = "",
         source: str = "the call", outcome: str = "nothing was computed") -> NoReturn:
    """Raise a :class:`SurveyDataError` with one problem: what a public function does with an
    argument it cannot use, or a reader with a file it cannot read (``place="file"``).

    Examples
    --------
    >>> try:
    ...     fail("bad argument", "level=2; a confidence level is between 0 and 1", "pass e.g. level=0.95",
    ...          source="prevalence()")
    ... except SurveyDataError as err:
    ...     print(err)
    prevalence(): 1 problem found; nothing was computed.
      1. [bad argument] level=2; a confidence level is between 0 and 1
         fix: pass e.g. level=0.95
    """
    raise SurveyDataError([Problem(kind, column, message, fix, place=None if column else place)], source=source,
                          outcome=outcome)


def problem_at(
    kind: str,
    column: str | None,
    mask,
    message: str,
    fix: str = "",
    *,
    ids=None,
    values=None,
    source_column: str | None = None,
) -> Problem:
    """Build a :class:`Problem` for the rows where ``mask`` is true.

    Parameters
    ----------
    mask : array-like of bool
        One entry per data row, in file order.
    ids : array-like, optional
        Respondent ids aligned with ``mask``.
    values : array-like, optional
        The column's values aligned with ``mask``; the distinct offending ones are reported.
    """
    import numpy as np
    import pandas as pd

    mask = np.asarray(mask, dtype=bool)
    positions = np.flatnonzero(mask)
    shown = positions[:SHOW]
    shown_ids = tuple(np.asarray(ids, dtype=object)[shown]) if ids is not None else ()
    distinct: tuple = ()
    n_values = 0
    if values is not None:
        picked = values.iloc[positions] if isinstance(values, pd.Series) else np.asarray(values, dtype=object)[positions]
        bad = pd.unique(pd.Series(np.asarray(picked, dtype=object), dtype=object))
        n_values = len(bad)
        distinct = tuple(bad[:SHOW])
    return Problem(
        kind=kind,
        column=column,
        message=message,
        fix=fix,
        rows=tuple(int(p) + 1 for p in shown),
        ids=shown_ids,
        count=int(positions.size),
        values=distinct,
        n_values=n_values,
        source_column=source_column,
    )
