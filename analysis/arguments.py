"""Checking the arguments of public functions, the same way everywhere.

Every public function of the package takes ``f(data, variables..., *, by=, covariates=,
level=, threshold=)``. These helpers check such a call and say what was given and what is
expected, all problems at once, in a :class:`~analysis.errors.SurveyDataError`:

- :func:`as_names`: one column name or a list of names; a string is always one name, never
  split into letters;
- :func:`check_data`: a DataFrame, or the advice to call ``analysis_frame(wave)`` when given a
  wave;
- :func:`unknown_columns`: names that are not columns of the data, each with a "did you mean";
- :func:`check_level` and :func:`check_threshold`: a confidence level in (0, 1) and a disclosure
  threshold of at least one respondent;
- :func:`check_call`: all of these for one call.

May import: :mod:`analysis.errors` only (this is the foundation of every stage).
"""

from __future__ import annotations

import difflib
from numbers import Real

from .errors import SHOW, Problem, SurveyDataError

#: Cells or statistics resting on fewer respondents than this are suppressed (the package default).
DEFAULT_THRESHOLD = 10


def as_names(value, role: str = "columns", caller: str = "the call") -> list:
    """One name or a list of names, as a list; a string is one name.

    Examples
    --------
    >>> as_names("pss4"), as_names(["pss4", "hse_role"]), as_names(None)
    (['pss4'], ['pss4', 'hse_role'], [])
    >>> as_names(7)
    Traceback (most recent call last):
    ...
    analysis.errors.SurveyDataError: the call: 1 problem found; nothing was computed.
      1. [bad argument] columns=7; expected a column name or a list of column names
         fix: pass e.g. columns='pss4' or columns=['pss4', 'hse_demands']
    """
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) or (hasattr(value, "__iter__") and not hasattr(value, "columns")
                                            and not isinstance(value, (dict, bytes))):
        return list(value)
    raise SurveyDataError([Problem(
        "bad argument", None, f"{role}={value!r}; expected a column name or a list of column names",
        f"pass e.g. {role}='pss4' or {role}=['pss4', 'hse_demands']", place="")],
        source=caller, outcome="nothing was computed")


def check_data(data, caller: str) -> list[Problem]:
    """The problem with ``data`` if it is not a DataFrame (none if it is).

    A :class:`~analysis.reading.waves.Wave` gets the advice to pass ``analysis_frame(wave)``,
    which joins its scores to its answers.
    """
    if hasattr(data, "columns") and hasattr(data, "loc"):
        return []
    if hasattr(data, "exclusions") and hasattr(data, "metadata"):
        return [Problem("not a table", None,
                        f"{caller} was given a loaded wave, not a table of respondents",
                        "pass analysis_frame(wave): the wave's answers with their scale scores", place="")]
    return [Problem("not a table", None, f"{caller} was given a {type(data).__name__}, not a DataFrame",
                    "pass respondent-level data as a pandas DataFrame, e.g. analysis_frame(wave)", place="")]


def did_you_mean(name, known) -> str:
    """``"; did you mean 'hours_actual'?"`` for a close match among ``known``, else ``""``.

    Examples
    --------
    >>> did_you_mean("hours_actaul", ["hours_actual", "hours_contract"])
    "; did you mean 'hours_actual'?"
    """
    close = difflib.get_close_matches(str(name), [str(k) for k in known], n=1, cutoff=0.75)
    return f"; did you mean {close[0]!r}?" if close else ""


def unknown_columns(data, names, role: str) -> list[Problem]:
    """One problem per name that is not a column of ``data``, each with a "did you mean"."""
    known = list(data.columns)
    shown = ", ".join(repr(c) for c in known[:3 * SHOW]) + (", ..." if len(known) > 3 * SHOW else "")
    return [Problem("unknown column", str(name),
                    f"{role} {name!r} is not a column of the data{did_you_mean(name, known)} "
                    f"(its columns include {shown})",
                    "use column names of the scored wave (analysis_frame)")
            for name in names if name not in data.columns]


def check_level(level) -> list[Problem]:
    """The problem with a confidence level outside (0, 1), if any.

    Examples
    --------
    >>> check_level(0.95), len(check_level(95))
    ([], 1)
    """
    if isinstance(level, Real) and not isinstance(level, bool) and 0 < level < 1:
        return []
    return [Problem("bad argument", None, f"level={level!r}; a confidence level is between 0 and 1",
                    "pass e.g. level=0.95", place="")]


def check_threshold(threshold) -> tuple[int, list[Problem]]:
    """The disclosure threshold as an int, or the problem with it.

    Examples
    --------
    >>> check_threshold(10)
    (10, [])
    >>> check_threshold(2.5)[1][0].kind
    'bad threshold'
    """
    import math

    ok = (isinstance(threshold, Real) and not isinstance(threshold, bool)
          and math.isfinite(threshold) and float(threshold).is_integer() and threshold >= 1)
    if ok:
        return int(threshold), []
    return DEFAULT_THRESHOLD, [Problem(
        "bad threshold", None,
        f"threshold={threshold!r}; it must be a whole number of respondents, at least 1",
        f"pass a whole number such as threshold={DEFAULT_THRESHOLD} (the package default)", place="")]


def threshold_or_raise(threshold, caller: str) -> int:
    """The disclosure threshold as an int, or raise the problem with it.

    Examples
    --------
    >>> threshold_or_raise(10.0, "suppress()")
    10
    """
    value, problems = check_threshold(threshold)
    if problems:
        raise SurveyDataError(problems, source=caller, outcome="nothing was computed")
    return value


def check_call(caller: str, data, *, columns: dict | None = None, level=None, threshold=None,
               problems: list[Problem] | None = None) -> int | None:
    """Check one call of a public function; raise with every problem at once.

    Parameters
    ----------
    caller : str
        The function, for the message (``"prevalence()"``).
    data : DataFrame
    columns : dict, optional
        Role -> list of names that must be columns of ``data`` (``{"outcome": [...], "by": [...]}``).
    level, threshold : optional
        Checked when given.
    problems : list of Problem, optional
        Problems the caller found itself, reported with the others.

    Returns
    -------
    int or None
        The threshold as an int (None when not given).

    Examples
    --------
    >>> import pandas as pd
    >>> check_call("prevalence()", pd.DataFrame({"pss4": [1.0]}), columns={"outcome": ["pss4"]}, threshold=10)
    10
    >>> check_call("prevalence()", pd.DataFrame({"pss4": [1.0]}), columns={"outcome": ["psss4"]})
    Traceback (most recent call last):
    ...
    analysis.errors.SurveyDataError: prevalence(): 1 problem found; nothing was computed.
      1. [unknown column] column 'psss4': outcome 'psss4' is not a column of the data; did you mean 'pss4'? (its columns include 'pss4')
         fix: use column names of the scored wave (analysis_frame)
    """
    found = check_data(data, caller)
    if not found:
        for role, names in (columns or {}).items():
            found += unknown_columns(data, names, role)
    if level is not None:
        found += check_level(level)
    value = None
    if threshold is not None:
        value, more = check_threshold(threshold)
        found += more
    found += list(problems or [])
    if found:
        raise SurveyDataError(found, source=caller, outcome="nothing was computed")
    return value
