"""Checking the arguments of public functions, the same way everywhere.

Every public function of the package takes ``f(data, variables..., *, by=, covariates=,
level=, threshold=)``. These helpers check such a call and say what was given and what is
expected, all problems at once, in a :class:`~analysis.errors.SurveyDataError`:

- :func:`as_names`: one column name or a list of names; a string is always one name, never
  split into letters;
- :func:`as_table`: a DataFrame of respondents (or of results, or an exclusions log); a loaded
  wave is taken through ``analysis_frame(wave)`` where the caller says so (the analysis
  functions), and refused with "call analysis_frame(wave) first" (or the right advice) elsewhere;
- :func:`as_wave`, :func:`as_waves`, :func:`as_path`, :func:`as_instance`: a loaded wave, a list
  of them, a file path and an object of a given class (a poll, a model's result);
- :func:`check_data`: the problem with data that is not a DataFrame;
- :func:`unknown_columns`: names that are not columns of the data, each with a "did you mean"
  (:func:`did_you_mean`);
- :func:`check_level` and :func:`check_threshold`: a confidence level in (0, 1) and a disclosure
  threshold of at least one respondent;
- :func:`check_call`: all of these for one call.

May import: :mod:`analysis.errors` only (this is the foundation of every stage).
"""

from __future__ import annotations

import difflib
import os
import re
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
      1. [bad argument] columns= is an int (7); expected a column name or a list of column names
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
        "bad argument", None, f"{role}= is {given(value)}; expected a column name or a list of column names",
        f"pass e.g. {role}='pss4' or {role}=['pss4', 'hse_demands']", place="")],
        source=caller, outcome="nothing was computed")


def is_wave(value) -> bool:
    """True for a loaded wave (:class:`~analysis.reading.waves.Wave`, or a pool of waves).

    Told by what it holds (``data``, ``exclusions``, ``metadata``): this module imports nothing
    above it.
    """
    return all(hasattr(value, name) for name in ("data", "exclusions", "metadata"))


def is_table(value) -> bool:
    """True for a pandas DataFrame (told by what it has, as :func:`is_wave`)."""
    return hasattr(value, "columns") and hasattr(value, "loc") and hasattr(value, "iloc")


def given(value) -> str:
    """What a caller passed, in a few words, for a message.

    Examples
    --------
    >>> given("pss4"), given(None), given([1, 2]), given(3.5)
    ("the text 'pss4'", 'None', 'a list', 'a float (3.5)')
    """
    if is_wave(value):
        return "a loaded wave (Wave)"
    if is_table(value):
        return "a DataFrame"
    if isinstance(value, str):
        return f"the text {value[:60]!r}" + (" ..." if len(value) > 60 else "")
    if value is None:
        return "None"
    if isinstance(value, (bool, Real)):
        return f"{_a(type(value).__name__)} ({value!r})"
    return _a(type(value).__name__)


def _a(noun: str) -> str:
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


#: What a function taking a table expects, by what the table holds: (expected, fix for a wave,
#: fix for anything else).
TABLES = {
    "respondents": (
        "a table of respondents, one row each (a DataFrame such as analysis_frame(wave))",
        "call analysis_frame(wave) first: it joins the wave's answers to their scale scores",
        "pass respondent-level data as a pandas DataFrame, e.g. analysis_frame(wave)"),
    "results": (
        "a table of results (a DataFrame such as prevalence() or fit_ols(...).coefficients returns)",
        "run an analysis on it first and pass its table, e.g. prevalence(analysis_frame(wave), "
        "'intend_leave_job')",
        "pass the table (DataFrame) an analysis function returned"),
    "counts": (
        "a table of counts: one row per group with its number of respondents (a DataFrame)",
        "the analysis functions' tables are suppressed already (e.g. group_means(analysis_frame(wave), "
        "'pss4', by='sector')); pass your own table of counts, made from analysis_frame(wave)",
        "pass the table as a pandas DataFrame"),
    "indicators": (
        "a table of team indicators (as indicators() returns)",
        "the health check is of teams, not of a survey wave: pass indicators(load_health_check('teams.csv'))",
        "pass indicators(health_check), e.g. indicators(load_health_check('teams.csv'))"),
    "exclusions log": (
        "an exclusions log (respondent_id, scope, target, rule, reason)",
        "pass wave.exclusions, or concat_logs(wave.exclusions, scoring_log(wave)) for the scale "
        "scores' exclusions too",
        "pass wave.exclusions or scoring_log(wave)"),
}


def _raise(problems: list[Problem], caller: str, outcome: str = "nothing was computed"):
    raise SurveyDataError(problems, source=caller, outcome=outcome)


def check_data(data, caller: str, holds: str = "respondents", role: str = "data") -> list[Problem]:
    """The problem with ``data`` if it is not a DataFrame (none if it is).

    A :class:`~analysis.reading.waves.Wave` gets the advice to call ``analysis_frame(wave)``
    first (or, for a table of results or a log, what to pass instead).

    Parameters
    ----------
    holds : str
        What the table holds, a key of :data:`TABLES`: ``"respondents"`` (default),
        ``"results"``, ``"counts"``, ``"indicators"`` or ``"exclusions log"``.

    Examples
    --------
    >>> print(check_data("pss4", "prevalence()")[0].describe())
    [not a table] data= is the text 'pss4'; prevalence() expects a table of respondents, one row each (a DataFrame such as analysis_frame(wave))
         fix: pass respondent-level data as a pandas DataFrame, e.g. analysis_frame(wave)
    """
    if is_table(data):
        return []
    expected, wave_fix, fix = TABLES[holds]
    return [Problem("not a table", None, f"{role}= is {given(data)}; {caller} expects {expected}",
                    wave_fix if is_wave(data) else fix, place="")]


def as_table(data, caller: str, *, holds: str = "respondents", role: str = "data", from_wave=None):
    """``data`` as a DataFrame, or raise saying what was given and what is expected.

    Parameters
    ----------
    data
        What the caller passed.
    caller : str
        The function, for the message (``"prevalence()"``).
    holds : str
        What the table holds (see :func:`check_data`).
    role : str
        The argument's name.
    from_wave : callable, optional
        How to make the table from a loaded wave; the analysis functions pass
        :func:`~analysis.measures.scoring.analysis_frame`. Without it a wave is refused.

    Examples
    --------
    >>> import pandas as pd
    >>> as_table(pd.DataFrame({"pss4": [1.0]}), "prevalence()").shape
    (1, 1)
    >>> as_table(["pss4"], "plot_estimates()", holds="results", role="table")
    Traceback (most recent call last):
    ...
    analysis.errors.SurveyDataError: plot_estimates(): 1 problem found; nothing was computed.
      1. [not a table] table= is a list; plot_estimates() expects a table of results (a DataFrame such as prevalence() or fit_ols(...).coefficients returns)
         fix: pass the table (DataFrame) an analysis function returned
    """
    if from_wave is not None and is_wave(data):
        return from_wave(data)
    problems = check_data(data, caller, holds, role)
    if problems:
        _raise(problems, caller)
    return data


def as_wave(wave, caller: str, role: str = "wave"):
    """``wave`` when it is a loaded wave, else raise with how to load one.

    Examples
    --------
    >>> as_wave("wave_2018.csv", "score_wave()")
    Traceback (most recent call last):
    ...
    analysis.errors.SurveyDataError: score_wave(): 1 problem found; nothing was computed.
      1. [not a wave] wave= is the text 'wave_2018.csv'; score_wave() expects a loaded wave (a Wave from load_wave)
         fix: load the file first: wave = load_wave('wave_2018.csv', codebook), then score_wave(wave)
    """
    if is_wave(wave):
        return wave
    name = caller.removesuffix("()")
    if is_table(wave):
        fix = (f"load the table first: wave = load_wave(frame, wave='2018') checks it against the data "
               f"dictionary; then {name}(wave)")
    elif isinstance(wave, (str, os.PathLike)):
        fix = f"load the file first: wave = load_wave({str(wave)!r}, codebook), then {name}(wave)"
    else:
        fix = "pass the wave that load_wave() (or pool_waves()) returned"
    _raise([Problem("not a wave", None, f"{role}= is {given(wave)}; {caller} expects a loaded wave "
                    "(a Wave from load_wave)", fix, place="")], caller)


def as_waves(waves, caller: str, role: str = "waves") -> list:
    """Loaded waves as a list: one wave is a list of one, as one name is (:func:`as_names`).

    Examples
    --------
    >>> as_waves([], "pool_waves()")
    []
    >>> as_waves(["wave_2018.csv"], "pool_waves()")
    Traceback (most recent call last):
    ...
    analysis.errors.SurveyDataError: pool_waves(): 1 problem found; nothing was computed.
      1. [not a wave] waves[0] is the text 'wave_2018.csv'; pool_waves() expects loaded waves (Waves from load_wave)
         fix: load each file first: waves = [load_wave(path, codebook) for path, codebook in ...]
    """
    if is_wave(waves):
        return [waves]
    if isinstance(waves, (str, bytes, os.PathLike)) or is_table(waves) or not hasattr(waves, "__iter__"):
        items = [(role, waves)]
        waves = [waves]
    else:
        waves = list(waves.values()) if isinstance(waves, dict) else list(waves)
        items = [(f"{role}[{i}]", w) for i, w in enumerate(waves)]
    problems = [Problem("not a wave", None, f"{where} is {given(w)}; {caller} expects loaded waves (Waves from "
                        "load_wave)", "load each file first: waves = [load_wave(path, codebook) for path, "
                        "codebook in ...]", place="") for where, w in items if not is_wave(w)]
    if problems:
        _raise(problems, caller)
    return waves


def as_path(path, caller: str, role: str = "path", *, tables: bool = False, outcome: str = "nothing was loaded"):
    """``path`` when it names a file (a string or a path; a DataFrame too when ``tables``), else
    raise saying what was given.

    Examples
    --------
    >>> as_path("wave_2018.csv", "load_wave()")
    'wave_2018.csv'
    >>> as_path(3, "load_wave()")
    Traceback (most recent call last):
    ...
    analysis.errors.SurveyDataError: load_wave(): 1 problem found; nothing was loaded.
      1. [bad argument] path= is an int (3); load_wave() expects the path of a file
         fix: pass the file's path, e.g. 'data/wave_2019.csv'
    """
    if isinstance(path, (str, os.PathLike)) or (tables and is_table(path)):
        return path
    expected = "the path of a file" + (" or a DataFrame" if tables else "")
    fix = "pass the file's path, e.g. 'data/wave_2019.csv'" + (
        "; a loaded wave needs no loading: pass it to the analysis functions (e.g. prevalence(wave, ...))"
        if is_wave(path) else "")
    _raise([Problem("bad argument", None, f"{role}= is {given(path)}; {caller} expects {expected}", fix,
                    place="")], caller, outcome)


def as_instance(value, kind, caller: str, role: str, fix: str):
    """``value`` when it is a ``kind`` (a class or tuple of classes), else raise with ``fix``.

    Examples
    --------
    >>> as_instance("pss4", dict, "flag()", "thresholds", "pass a dict of cut-offs")
    Traceback (most recent call last):
    ...
    analysis.errors.SurveyDataError: flag(): 1 problem found; nothing was computed.
      1. [bad argument] thresholds= is the text 'pss4'; flag() expects a dict
         fix: pass a dict of cut-offs
    """
    if isinstance(value, kind):
        return value
    names = " or ".join(_a(k.__name__) for k in (kind if isinstance(kind, tuple) else (kind,)))
    _raise([Problem("bad argument", None, f"{role}= is {given(value)}; {caller} expects {names}", fix,
                    place="")], caller)


def _comparable(name) -> str:
    """A name as compared for a "did you mean": case, spaces and punctuation left aside."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).casefold()).strip("_")


def closest(name, known, cutoff: float = 0.75) -> str | None:
    """The name among ``known`` closest to ``name`` (case, spaces and punctuation left aside), or
    None when none is close; never ``name`` itself.

    Parameters
    ----------
    cutoff : float
        How close a match must be (difflib's ratio, 0-1); a short list of keys can take a lower
        one (0.6 finds ``missing_codes`` for ``mising_values``).

    Examples
    --------
    >>> closest("Hours Actual", ["hours_actual"]), closest("zzz", ["hours_actual"])
    ('hours_actual', None)
    """
    by_key: dict[str, str] = {}
    for k in known:
        by_key.setdefault(_comparable(k), str(k))
    key = _comparable(name)
    found = [key] if key in by_key else difflib.get_close_matches(key, list(by_key), n=1, cutoff=cutoff)
    return by_key[found[0]] if found and by_key[found[0]] != str(name) else None


def did_you_mean(name, known, cutoff: float = 0.75) -> str:
    """``"; did you mean 'hours_actual'?"`` for a close match among ``known`` (:func:`closest`),
    else ``""``.

    Examples
    --------
    >>> did_you_mean("hours_actaul", ["hours_actual", "hours_contract"])
    "; did you mean 'hours_actual'?"
    >>> did_you_mean("mising_values", ["missing_codes", "columns"], cutoff=0.6)
    "; did you mean 'missing_codes'?"
    """
    match = closest(name, known, cutoff)
    return f"; did you mean {match!r}?" if match else ""


def not_one_name(name, role: str) -> list[Problem]:
    """The problem with ``name`` where one column name is expected: a list (even of one name), a
    table or a wave is none.

    Examples
    --------
    >>> print(not_one_name(["sector"], "by")[0].describe())
    [bad argument] by=['sector'] is a list; by takes one column name
         fix: pass one name, e.g. by='sector'
    """
    if name is None or (isinstance(name, (str, Real)) and not isinstance(name, bool)):
        return []
    example = "pss4"
    if isinstance(name, (list, tuple)):
        example = name[0] if len(name) == 1 and isinstance(name[0], str) else example
        what = f"{role}={name!r} is {_a(type(name).__name__)}"
    else:
        what = f"{role}= is {given(name)}"
    return [Problem("bad argument", None, f"{what}; {role} takes one column name",
                    f"pass one name, e.g. {role}={example!r}", place="")]


def unknown_columns(data, names, role: str) -> list[Problem]:
    """One problem per name that is not a column of ``data``, each with a "did you mean"; a
    list where one name belongs is named as such (:func:`not_one_name`)."""
    known = list(data.columns)
    shown = ", ".join(repr(c) for c in known[:3 * SHOW]) + (", ..." if len(known) > 3 * SHOW else "")
    problems = []
    for name in names:
        if not_one_name(name, role):
            problems += not_one_name(name, role)
        elif name not in data.columns:
            problems.append(Problem(
                "unknown column", str(name),
                f"{role} {name!r} is not a column of the data{did_you_mean(name, known)} (its columns include {shown})",
                "use column names of the scored wave (analysis_frame)"))
    return problems


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


#: What :func:`checked` knows how to check, besides the kinds of table in :data:`TABLES`.
ROLES = ("wave", "waves", "path", "names", "mapping", "text", "number", "result")

#: The role of a table of results, for :func:`checked` (``@checked(table=RESULTS)``).
RESULTS = "results"


def _check_role(value, role: str, caller: str, name: str):
    """``value`` checked (and, for names, made a list) for one argument of :func:`checked`."""
    if role in TABLES:
        return as_table(value, caller, holds=role, role=name)
    if role == "wave":
        return as_wave(value, caller, name)
    if role == "waves":
        return as_waves(value, caller, name)
    if role == "path":
        return as_path(value, caller, name, outcome="nothing was done")
    if role == "names":
        return as_names(value, name, caller)
    if role == "mapping":
        return as_instance(value, dict, caller, name, f"pass a dict, e.g. {name}={{'pss4': 'Stress'}}")
    if role == "text":
        return as_instance(value, str, caller, name, f"pass text, e.g. {name}='pss4'")
    if role == "number":
        if isinstance(value, bool):
            value = object()   # True is not a number here
        return as_instance(value, Real, caller, name, f"pass a number, e.g. {name}=0.05")
    if role == "result":   # an object a function of the package returned (a draft, a fit)
        if is_table(value) or is_wave(value) or isinstance(value, (str, bytes, Real, list, tuple, dict)) \
                or value is None:
            _raise([Problem("bad argument", None, f"{name}= is {given(value)}; {caller} expects what the "
                            "function named in its documentation returned", "pass that function's result",
                            place="")], caller)
        return value
    raise ValueError(f"checked(): unknown role {role!r} (expected one of {sorted(TABLES) + list(ROLES)})")


def checked(**roles):
    """Decorator: check a public function's arguments before it runs.

    Each keyword names an argument and what it must be: a kind of table (a key of :data:`TABLES`:
    ``"results"``, ``"respondents"``, ...), ``"wave"``, ``"waves"``, ``"path"``, ``"names"`` (one
    name or a list: a string is one name), ``"mapping"`` (a dict), ``"text"`` or ``"result"`` (an
    object the package returned). An argument left at its default ``None`` is not checked. A wrong
    argument raises a :class:`~analysis.errors.SurveyDataError` that says what was given and what is
    expected, instead of an ``AttributeError`` from deep inside.

    Examples
    --------
    >>> @checked(table="results")
    ... def first_estimate(table):
    ...     return table["estimate"].iloc[0]
    >>> first_estimate("pss4")
    Traceback (most recent call last):
    ...
    analysis.errors.SurveyDataError: first_estimate(): 1 problem found; nothing was computed.
      1. [not a table] table= is the text 'pss4'; first_estimate() expects a table of results (a DataFrame such as prevalence() or fit_ols(...).coefficients returns)
         fix: pass the table (DataFrame) an analysis function returned
    """
    import functools
    import inspect

    for role in roles.values():
        if role not in TABLES and role not in ROLES:
            raise ValueError(f"checked(): unknown role {role!r}")

    def wrap(func):
        signature = inspect.signature(func)
        caller = f"{func.__name__}()"
        defaults = {k: p.default for k, p in signature.parameters.items()}

        @functools.wraps(func)
        def inner(*args, **kwargs):
            try:
                bound = signature.bind_partial(*args, **kwargs)
            except TypeError:
                return func(*args, **kwargs)   # Python's own message names the argument
            for name, role in roles.items():
                if name in bound.arguments and not (bound.arguments[name] is None and defaults.get(name) is None):
                    bound.arguments[name] = _check_role(bound.arguments[name], role, caller, name)
            return func(*bound.args, **bound.kwargs)

        return inner

    return wrap
