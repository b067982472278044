"""Load a filled-in workload health check (CSV or Excel, one row per team), checking every cell.

Every problem is collected and raised together in one :class:`HealthCheckError`, each naming the
column, the teams (data rows and names), the values found, what was expected and how to fix it.
Nothing is coerced: a blank cell is "not recorded"; anything else that does not fit the template
is an error.
"""

from __future__ import annotations

import difflib
import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ...arguments import as_path
from ...errors import SHOW, Problem, SurveyDataError
from ...reading.readers import read_table
from ...reading.waves import read_sidecar
from .spec import NUMERIC, TemplateSpec, load_definitions, load_template
from .thresholds import Thresholds, load_thresholds


class TeamProblem(Problem):
    """A :class:`~analysis.errors.Problem` whose rows are teams (its ``ids`` are team names)."""

    def describe(self) -> str:
        """Return the problem as one readable paragraph."""
        where = f"column '{self.column}'" if self.column else "file"
        parts = [f"[{self.kind}] {where}: {self.message}"]
        if self.rows:
            who = f"{self.count} team{'s' if self.count != 1 else ''} (data rows {', '.join(map(str, self.rows))}"
            names = [str(i) for i in self.ids if i is not None and i == i]
            if names:
                who += f"; teams {', '.join(repr(n) for n in names)}"
            more = self.count - len(self.rows)
            parts.append(who + (f"; and {more} more)" if more else ")"))
        if self.values:
            more = self.n_values - len(self.values)
            shown = (v.item() if hasattr(v, "item") else v for v in self.values)  # numpy scalars as plain values
            parts.append(f"values found: {', '.join(repr(v) for v in shown)}"
                         + (f" and {more} more" if more else ""))
        if self.fix:
            parts.append(f"fix: {self.fix}")
        return parts[0] + ("\n     " + "\n     ".join(parts[1:]) if parts[1:] else "")


class HealthCheckError(SurveyDataError):
    """A health check file that cannot be loaded as it is; lists every problem found."""

    rows_note = "Rows are data rows (1 = first team, the row below the header)."


def team_problem(kind, column, mask, message, fix, teams, values=None) -> TeamProblem:
    """A :class:`TeamProblem` for the rows where ``mask`` is true (data rows counted from 1)."""
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    shown = positions[:SHOW]
    distinct: tuple = ()
    n_values = 0
    if values is not None:
        bad = pd.unique(pd.Series([values[p] for p in positions], dtype=object))
        n_values, distinct = len(bad), tuple(bad[:SHOW])
    return TeamProblem(kind=kind, column=column, message=message, fix=fix,
                       rows=tuple(int(p) + 1 for p in shown), ids=tuple(teams[p] for p in shown),
                       count=int(positions.size), values=distinct, n_values=n_values)


@dataclass
class HealthCheck:
    """A loaded, checked workload health check.

    Attributes
    ----------
    data : DataFrame
        One row per team, in file order, with every template field in template order (fields
        absent from the file are all missing): ``team`` and ``service`` as text, numbers as
        float64 (NaN = not recorded), choices as categoricals (yes / no / partly), free text as
        text. Free text stays here and is never copied into outputs.
    metadata : dict
        ``source`` (file name), ``sha256``, ``format``, ``encoding``, ``delimiter``, ``n_teams``,
        ``services`` (in order of first appearance), ``synthetic`` (from ``<stem>.meta.yaml``
        beside the file, or a DataFrame's ``attrs["synthetic"]``), ``absent_fields`` (template
        fields not in the file), ``blank_rows_skipped``, ``template`` and ``thresholds``
        (``source``, ``status``, ``note``).
    thresholds : Thresholds
        The cut-offs checked on loading (default the shipped illustrative examples).
    """

    data: pd.DataFrame
    metadata: dict = field(default_factory=dict)
    thresholds: Thresholds = field(default_factory=Thresholds)

    @property
    def synthetic(self) -> bool:
        """True when the data are synthetic (tables and figures must say so)."""
        return bool(self.metadata.get("synthetic"))

    def __repr__(self) -> str:
        flag = ", synthetic" if self.synthetic else ""
        return (f"HealthCheck({self.metadata.get('n_teams')} teams in {len(self.metadata.get('services', []))} "
                f"services from {self.metadata.get('source')}{flag})")


def _blank(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def _number(v):
    """A cell as a float, or None when it is not a number (text, booleans, dates, nan/inf text)."""
    if isinstance(v, (bool, np.bool_)):
        return None
    if isinstance(v, numbers.Real):
        return float(v) if math.isfinite(v) else None
    if isinstance(v, str):
        try:
            x = float(v.strip())
        except ValueError:
            return None
        return x if math.isfinite(x) else None
    return None


def _text(v) -> str | None:
    if _blank(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def _fmt(x: float) -> str:
    return f"{x:g}"


def _unknown_column(name: str, spec: TemplateSpec) -> TeamProblem:
    if name in load_definitions():
        return TeamProblem("unknown column", name, "this is an indicator, which is computed from the fields, "
                           "not recorded", "remove the column and record the fields it is computed from")
    names = spec.names()
    lower = {n.lower(): n for n in names}
    close = [lower[name.lower()]] if name.lower() in lower else difflib.get_close_matches(name.lower(), names, n=1,
                                                                                         cutoff=0.75)
    hint = f"did you mean '{close[0]}'? " if close else ""
    return TeamProblem(
        "unknown column", name, "this column is not a field of the health check template",
        f"{hint}rename it to a template field (the 'fields' sheet of the template workbook from "
        "write_template lists them all), or remove the column; notes belong in the free-text fields")


def _check_values(frame, spec, teams, keep, problems) -> dict:
    """Convert every template column present; append problems; return column -> values."""
    out: dict[str, object] = {}
    for name in [c for c in spec.names() if c in frame.columns]:
        f = spec.fields[name]
        raw = list(frame[name])
        if f.kind in ("id", "label", "text"):
            out[name] = [_text(v) for v in raw]
            continue
        if f.kind == "choice":
            answers = [None if _blank(v) else str(v).strip().lower() for v in raw]
            bad = keep & np.array([a is not None and a not in f.values for a in answers])
            if bad.any():
                problems.append(team_problem(
                    "unknown answer", name, bad, f"answers not allowed here; expected {f.expected()}",
                    "write yes, no or partly, or leave the cell blank; put explanations in the free-text fields",
                    teams, raw))
            out[name] = [a if a in f.values else None for a in answers]
            continue
        numbers_ = [None if _blank(v) else _number(v) for v in raw]
        values = np.array([np.nan if x is None else x for x in numbers_], dtype="float64")
        text = keep & np.array([not _blank(v) and x is None for v, x in zip(raw, numbers_)], dtype=bool)
        if text.any():
            problems.append(team_problem(
                "text in numeric field", name, text, f"text found where numbers are expected; expected {f.expected()}",
                "enter a number (no units, % signs or thousands separators; a decimal point, not a comma), "
                "or leave the cell blank if it is not known", teams, raw))
        finite = keep & ~np.isnan(values)
        safe = np.where(finite, values, 0.0)  # no comparisons with NaN
        if f.kind == "integer":
            frac = finite & (np.floor(safe) != safe)
            if frac.any():
                problems.append(team_problem(
                    "out of range", name, frac, f"values are not whole numbers; expected {f.expected()}",
                    "enter whole numbers (counts of cases, sessions, events)", teams, raw))
        outside = finite & ((safe < f.min) | (safe > f.max))
        if outside.any():
            problems.append(team_problem(
                "out of range", name, outside, f"values outside the allowed range; expected {f.expected()}",
                f"check the figure and its unit ({f.unit}: {f.description})", teams, raw))
        out[name] = values
    return out


def _check_teams(values, teams, keep, problems) -> None:
    missing = keep & np.array([t is None for t in teams])
    if missing.any():
        problems.append(team_problem("missing team name", "team", missing, "rows without a team name",
                                     "give every row the team's name (or delete empty rows)", teams))
    key = pd.Series([t.casefold() if t is not None else None for t in teams], dtype=object)
    dup = keep & (key.duplicated(keep=False) & key.notna()).to_numpy()
    if dup.any():
        problems.append(team_problem(
            "duplicate team", "team", dup,
            "the same team name is on more than one row (names are compared ignoring case and spaces at the ends)",
            "keep one row per team: merge the rows, or give different teams different names", teams, teams))
    service = values.get("service")
    if service is not None:
        blank = keep & np.array([s is None for s in service])
        if blank.any():
            problems.append(team_problem("missing service", "service", blank, "teams without a service",
                                         "name the service each team belongs to (teams are summed by service)",
                                         teams))


def _check_consistency(values, spec, teams, keep, problems) -> None:
    for check in spec.checks:
        names = [check["left"], *check["right"]]
        if any(n not in values for n in names):
            continue
        left = values[check["left"]]
        right = np.sum([values[n] for n in check["right"]], axis=0)
        known = keep & ~np.isnan(left) & ~np.isnan(right)
        with np.errstate(invalid="ignore"):
            wrong = known & ((left > right + 1e-9) if check["op"] == "<=" else (left < right - 1e-9))
        if wrong.any():
            rhs = " + ".join(check["right"])
            shown = [f"{check['left']} {_fmt(a)} vs {rhs} {_fmt(b)}" if w else None
                     for a, b, w in zip(left, right, wrong)]
            problems.append(team_problem(
                "inconsistent values", check["left"], wrong,
                f"{check['message']} ({check['left']} should be {check['op']} {rhs})", check["fix"], teams, shown))


def load_health_check(path_or_frame, thresholds=None, *, template=None) -> HealthCheck:
    """Load a filled-in health check: one row per team, columns named as in the template.

    Parameters
    ----------
    path_or_frame : str, Path or DataFrame
        CSV (any common delimiter and encoding; see :func:`analysis.reading.readers.read_table`) or Excel
        ``.xlsx`` (the first sheet, as :func:`~analysis.studies.health_check.write_template` lays it
        out), or a DataFrame already read (``attrs["synthetic"]`` marks it synthetic).
    thresholds : str, Path, dict or Thresholds, optional
        Cut-offs to check now and keep with the data (default: the shipped ILLUSTRATIVE
        EXAMPLES; see :func:`~analysis.studies.health_check.load_thresholds`).
    template : str or Path, optional
        A template spec of the same form as ``analysis/studies/health_check/template.yaml``.

    Returns
    -------
    HealthCheck
        ``data`` (one row per team), ``metadata`` and ``thresholds``.

    Raises
    ------
    HealthCheckError
        Listing every problem at once, each with the column, the teams (data rows and names),
        the values found, what was expected and the fix: unknown columns, missing required
        columns (``team``, ``service``), missing or duplicate team names, missing services, text
        in number fields, values out of range or not whole, unknown answers, and inconsistent
        values (e.g. vacancies above the establishment, more CPD cancelled than booked).
        Unreadable files, wrong encodings and empty files are reported by the reader.

    Examples
    --------
    >>> d = pd.DataFrame({"team": ["North", "South"], "service": ["Adults", "Adults"],
    ...                   "staff_fte_establishment": [10, 8], "vacancies_fte": [2, 12]})
    >>> try:
    ...     load_health_check(d)
    ... except HealthCheckError as e:
    ...     print(str(e).splitlines()[1])
    ...     print(str(e).splitlines()[2])
      1. [inconsistent values] column 'vacancies_fte': vacancies are greater than the establishment (vacancies_fte should be <= staff_fte_establishment)
         1 team (data rows 2; teams 'South')
    >>> load_health_check(d.iloc[:1]).data.loc[0, "vacancies_fte"]
    np.float64(2.0)
    """
    path_or_frame = as_path(path_or_frame, "load_health_check()", "path_or_frame", tables=True)
    spec = load_template(template)
    thr = load_thresholds(thresholds)
    if isinstance(path_or_frame, pd.DataFrame):
        frame = path_or_frame.reset_index(drop=True)
        meta = {"source": "<DataFrame>", "sha256": "", "format": "dataframe", "encoding": None, "delimiter": None}
        synthetic = bool(path_or_frame.attrs.get("synthetic", False))
        if frame.empty:
            raise HealthCheckError([TeamProblem("empty file", None, "the table has no teams",
                                                "give one row per team")], source="<DataFrame>")
    else:
        path = Path(path_or_frame)
        try:
            table = read_table(path, text_columns=spec.names("id", "label", "choice", "text"))
        except SurveyDataError as exc:
            if any(p.kind == "empty file" for p in exc.problems):
                raise HealthCheckError([TeamProblem(
                    "empty file", None, "the file has no teams",
                    "fill in one row per team below the header row (write_template makes an empty template)")],
                    source=path.name) from None
            raise
        frame = table.frame
        meta = {"source": path.name, "sha256": table.sha256, "format": table.format, "encoding": table.encoding,
                "delimiter": table.delimiter}
        synthetic = bool(read_sidecar(path).get("synthetic", False))
    header = [str(c).strip() for c in frame.columns]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise HealthCheckError([TeamProblem(
            "duplicate columns", None, f"column name(s) {repeated} appear more than once in the header",
            "keep one column of each name")], source=meta["source"])
    frame = frame.set_axis(header, axis=1)

    problems: list[Problem] = []
    problems += [_unknown_column(c, spec) for c in frame.columns if c not in spec.fields]
    for name in spec.required:
        if name not in frame.columns:
            problems.append(TeamProblem(
                "missing required column", name, f"the required column '{name}' is missing",
                f"add a '{name}' column ({spec.fields[name].description})"))
    blank_rows = np.array([all(_blank(v) for v in row) for row in frame.itertuples(index=False, name=None)],
                          dtype=bool)
    keep = ~blank_rows
    teams = [_text(v) for v in frame["team"]] if "team" in frame.columns else [None] * len(frame)
    values = _check_values(frame, spec, teams, keep, problems)
    if "team" in frame.columns:
        _check_teams(values, teams, keep, problems)
    _check_consistency(values, spec, teams, keep, problems)
    if keep.sum() == 0:
        problems.append(TeamProblem("empty file", None, "every row is blank", "fill in one row per team"))
    if problems:
        raise HealthCheckError(problems, source=meta["source"])

    n = int(keep.sum())
    columns = {}
    for name in spec.names():
        f, v = spec.fields[name], values.get(name)
        if v is not None:
            v = v[keep] if isinstance(v, np.ndarray) else [x for x, k in zip(v, keep) if k]
        if f.kind in NUMERIC:
            columns[name] = np.full(n, np.nan) if v is None else np.asarray(v, dtype="float64")
        elif f.kind == "choice":
            columns[name] = pd.Categorical([None] * n if v is None else v, categories=list(f.values))
        else:
            columns[name] = pd.array([None] * n if v is None else v, dtype="string")
    data = pd.DataFrame(columns, index=pd.RangeIndex(n))
    data.attrs["synthetic"] = synthetic
    meta |= {
        "n_teams": len(data),
        "services": list(pd.unique(data["service"].dropna())),
        "synthetic": synthetic,
        "absent_fields": [n for n in spec.names() if n not in frame.columns],
        "blank_rows_skipped": int(blank_rows.sum()),
        "template": spec.source,
        "thresholds": {"source": thr.source, "status": thr.status, "note": thr.note},
    }
    return HealthCheck(data=data, metadata=meta, thresholds=thr)
