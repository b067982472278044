"""The project's exception and warning types, and the problem records they carry.

A :class:`SurveyDataError` gathers *every* problem found in a wave or codebook and reports them at
once, each naming the column, the respondents (first few ids and data rows plus a count), the
offending values, what was expected and how to fix it. Its message opens with a one-line
:class:`Diagnosis` when the problems come down to one mistake, and lists the first
:data:`LISTED` problems, counting the rest by kind.
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


#: How many problems an error's message lists before "... and N more problems" (all are in
#: ``err.problems``).
LISTED = 10


@dataclass(frozen=True)
class Diagnosis:
    """What most of a list of problems come down to, said in one line before the list.

    Attributes
    ----------
    kind : str
        Short class of mistake, e.g. ``"raw export"`` or ``"codebook of another export"``.
    library : str
        The line as a library user reads it (``codebook=``, ``analysis.draft_codebook``).
    command : str
        The same line for the command line (``--codebook``, ``wellbeing-survey codebook draft``);
        default the library's.
    """

    kind: str
    library: str
    command: str = ""

    def text(self, command: bool = False) -> str:
        """The line, for the command line when ``command``."""
        return (self.command or self.library) if command else self.library


#: Count nouns that end a problem kind and take an "s" in a count ("40 unknown columns").
_COUNT_NOUNS = ("column", "columns", "id", "rule", "argument", "instrument", "label", "item", "row",
                "character", "code", "key", "file", "value", "category", "team", "wave", "cell", "table")


def count_kind(kind: str, n: int) -> str:
    """``n`` problems of one kind, as a count a person reads.

    Examples
    --------
    >>> count_kind("unknown column", 40), count_kind("out of range", 6), count_kind("unknown category", 2)
    ('40 unknown columns', '6 out of range', '2 unknown categories')
    """
    words = kind.split()
    countable = (n != 1 and words[-1] in _COUNT_NOUNS and words[-1][-1] != "s"
                 and not {"a", "an", "of", "is", "in"} & set(words))
    if countable:
        words[-1] = words[-1][:-1] + "ies" if words[-1].endswith("y") else words[-1] + "s"
    return f"{n} {' '.join(words)}"


class SurveyDataError(ValueError):
    """A wave or codebook that cannot be loaded as it is; lists every problem found.

    The message opens with a one-line diagnosis when the problems come down to one mistake (a raw
    export loaded without its codebook, a codebook of another export), then lists the first
    :data:`LISTED` problems and counts the rest by kind. Every problem stays in ``problems``
    (:meth:`report` with ``limit=None`` lists them all, as ``wellbeing-survey validate --verbose``
    does).

    Attributes
    ----------
    problems : list of Problem
        Every problem, in the order found (file-level first, then column by column).
    source : str
        The file (or object) that was being loaded, or the function that was called.
    outcome : str
        What did not happen, for the message (default "nothing was loaded").
    diagnosis : Diagnosis or None
        The one-line reading of the problems, when there is one.
    """

    #: What the message says about row numbers when a problem names rows.
    rows_note = "Rows are data rows (1 = first respondent)."

    def __init__(self, problems: list[Problem], source: str = "the data", outcome: str = "nothing was loaded",
                 diagnosis: Diagnosis | None = None):
        self.problems = list(problems)
        self.source = source
        self.outcome = outcome
        self.diagnosis = diagnosis
        super().__init__(self.report())

    def report(self, limit: int | None = LISTED, *, command: bool = False) -> str:
        """The message: the diagnosis, then the problems (the first ``limit``; all when None).

        Parameters
        ----------
        limit : int or None
            How many problems to list before counting the rest by kind.
        command : bool
            Word the diagnosis and the pointer to the full list for the command line.

        Examples
        --------
        >>> err = SurveyDataError([Problem("unknown column", f"q{i}", "not in the data dictionary")
        ...                        for i in range(12)], source="export.csv")
        >>> print(err.report(limit=2))
        export.csv: 12 problems found; nothing was loaded.
          1. [unknown column] column 'q0': not in the data dictionary
          2. [unknown column] column 'q1': not in the data dictionary
          ... and 10 more problems of the same kinds: 10 unknown columns (err.problems lists all 12)
        """
        n = len(self.problems)
        found = f"{n} problem{'s' if n != 1 else ''} found; {self.outcome}."
        head = (f"{self.source}: {self.diagnosis.text(command)}\n{found}" if self.diagnosis
                else f"{self.source}: {found}")
        if any(p.rows for p in self.problems):
            head += f" {self.rows_note}"
        shown = self.problems if limit is None else self.problems[:limit]
        lines = [head] + [f"  {i}. {p.describe()}" for i, p in enumerate(shown, 1)]
        if len(shown) < n:
            lines.append(self._rest(shown, command))
        return "\n".join(lines)

    def _rest(self, shown: list[Problem], command: bool) -> str:
        """The line that counts the problems not listed, by kind."""
        rest = self.problems[len(shown):]
        kinds: dict[str, int] = {}
        for p in rest:
            kinds[p.kind] = kinds.get(p.kind, 0) + 1
        same = " of the same kinds" if set(kinds) <= {p.kind for p in shown} else ""
        where = ("wellbeing-survey validate --verbose lists" if command else "err.problems lists")
        counts = ", ".join(count_kind(k, c) for k, c in kinds.items())
        return f"  ... and {len(rest)} more problem{'s' if len(rest) != 1 else ''}{same}: {counts} " \
               f"({where} all {len(self.problems)})"

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


def _picked(array, positions):
    """``array[positions]`` as a NumPy object array, blanks as None: a pandas array (ids kept as a
    string array) is indexed first, so only the cells picked become Python objects."""
    import numpy as np
    import pandas as pd

    if isinstance(array, pd.api.extensions.ExtensionArray):
        picked = np.asarray(array[positions], dtype=object)
        picked[np.asarray(pd.isna(picked), dtype=bool)] = None
        return picked
    return np.asarray(array, dtype=object)[positions]


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
    shown_ids = tuple(_picked(ids, shown)) if ids is not None else ()
    distinct: tuple = ()
    n_values = 0
    if values is not None:
        picked = values.iloc[positions] if isinstance(values, pd.Series) else _picked(values, positions)
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
