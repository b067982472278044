"""Weights to the workforce: raking (iterative proportional fitting) to population margins.

:func:`rake_weights` gives one weight per respondent such that the weighted sample matches the
population's counts (or shares) of each margin variable at once, e.g. nation, sector and role. It is
the same algorithm as R's ``survey::rake`` on ``svydesign(ids = ~1, weights = ~1)`` (or on the base
weights given): each pass post-stratifies the weights to one margin after the other, and the passes
repeat until every weighted margin matches its population figure. The weights equal
``survey::rake`` to 1e-8 (``tests/reference/design``).

Margins are data: :func:`load_margins` reads a YAML file of ``analysis/specs/margins/`` (or a file
of your own of the same form, checked against ``analysis/specs/schemas/margins.schema.yaml``). The
shipped ``uk_social_workers_example`` holds ILLUSTRATIVE EXAMPLE figures, not published ones
(``status: example``), and every result weighted to it says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..arguments import check_call, given
from ..errors import Problem, SurveyDataError, fail, problem_at
from ..measures.scoring import respondents
from ..paths import SCHEMA_DIR, SPECS_DIR
from ..specs import check_against_schema

#: The shipped margin files.
MARGINS_DIR = SPECS_DIR / "margins"
MARGINS_SCHEMA_FILE = SCHEMA_DIR / "margins.schema.yaml"
#: Relative difference between the totals of two margins (given as counts) that is refused.
TOTALS_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Margins:
    """Population margins read from YAML (:func:`load_margins`).

    Attributes
    ----------
    counts : dict
        Column -> {category: population count or share}, in the file's order.
    name, title, status, source, date, note : str
        From the file; ``status`` is ``"example"`` (illustrative figures) or ``"published"``.
    statuses : dict
        Column -> its own status (the file's unless the variable overrides it).
    """

    counts: dict
    name: str = ""
    title: str = ""
    status: str = "example"
    source: str = ""
    date: str = ""
    note: str = ""
    statuses: dict = field(default_factory=dict)

    @property
    def is_example(self) -> bool:
        """True when any figure is an illustrative example, not a published one."""
        return self.status == "example" or "example" in self.statuses.values()


def load_margins(name: str = "uk_social_workers_example") -> Margins:
    """Read population margins: a shipped file by name, or a YAML path of the same form.

    Parameters
    ----------
    name : str or path
        The name of a file in ``analysis/specs/margins/`` (without ``.yaml``), or a path.

    Returns
    -------
    Margins
        Checked against ``analysis/specs/schemas/margins.schema.yaml`` (every problem at once).

    Examples
    --------
    >>> m = load_margins("uk_social_workers_example")
    >>> m.status, list(m.counts), m.counts["nation"]["Wales"]
    ('example', ['nation', 'sector', 'role'], 6500)
    """
    if not isinstance(name, (str, Path)):
        fail("bad argument", f"name= is {given(name)}; load_margins() expects the name of a margins file or a path",
             "pass e.g. load_margins('uk_social_workers_example')", source="load_margins()")
    path = Path(name)
    if path.suffix not in (".yaml", ".yml"):
        path = MARGINS_DIR / f"{name}.yaml"
    if not path.exists():
        shipped = sorted(p.stem for p in MARGINS_DIR.glob("*.yaml"))
        fail("missing file", f"no margins file {str(name)!r} (looked for {path})",
             f"pass a path, or one of the shipped names: {', '.join(shipped)}", source="load_margins()",
             outcome="nothing was loaded")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        fail("bad margins", f"{path.name} is not valid YAML: {err}", "correct the file's syntax", place="file",
             source=path.name, outcome="nothing was loaded")
    check_against_schema(raw, MARGINS_SCHEMA_FILE, path.name, "bad margins")
    variables = raw["variables"]
    return Margins(counts={v: dict(spec["counts"]) for v, spec in variables.items()}, name=raw["name"],
                   title=raw["title"], status=raw["status"], source=" ".join(raw["source"].split()),
                   date=str(raw["date"]), note=" ".join(raw["note"].split()),
                   statuses={v: spec.get("status", raw["status"]) for v, spec in variables.items()})


@dataclass
class RakedWeights:
    """Raking weights and how they were made.

    Attributes
    ----------
    weights : Series
        One weight per row of the data, on its index, named ``weight``.
    report : DataFrame
        One row: ``n``, ``total`` (sum of the weights), ``design_effect`` (Kish's
        n·Σw²/(Σw)²), ``effective_n`` (n / design_effect), ``weight_min``, ``weight_max``,
        ``weight_ratio`` (max/min), ``iterations`` (raking passes), ``max_margin_error`` (largest
        relative gap between a weighted margin and its population figure; 0 up to ``tol`` unless
        trimmed), ``n_trimmed`` and ``margins_status`` (``example`` or ``published``).
    margins : DataFrame
        ``variable, category, n, population_share, sample_share, weighted_share``: one row per
        category (the sample counts are of respondents, never suppressed: they are inputs, not
        published outputs; suppress before publishing).
    """

    weights: pd.Series
    report: pd.DataFrame
    margins: pd.DataFrame

    @property
    def design_effect(self) -> float:
        """Kish's design effect of the weights, n·Σw²/(Σw)²."""
        return float(self.report["design_effect"].iloc[0])


def _as_margins(margins, caller: str) -> tuple[dict, str]:
    if isinstance(margins, Margins):
        return margins.counts, "example" if margins.is_example else "published"
    if isinstance(margins, (str, Path)):
        return _as_margins(load_margins(margins), caller)
    if not isinstance(margins, dict) or not margins or not all(isinstance(v, dict) for v in margins.values()):
        fail("bad argument", f"margins= is {given(margins)}; {caller} expects a dict of column -> "
             "{category: population count or share}, or load_margins(...)",
             "pass e.g. margins={'nation': {'England': 96000, 'Scotland': 11000, ...}, 'sector': {...}} "
             "or margins=load_margins('uk_social_workers_example')", source=caller)
    return margins, "given"


def _base_weights(data: pd.DataFrame, weights, caller: str) -> np.ndarray:
    if weights is None:
        return np.ones(len(data))
    if isinstance(weights, str):
        check_call(caller, data, columns={"weights": [weights]})
        w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float)
    else:
        w = np.asarray(weights, dtype=float)
    if w.shape != (len(data),) or not np.all(np.isfinite(w)) or np.any(w <= 0):
        fail("bad weights", "base weights must be one positive finite number per row "
             f"({len(data)} rows)", "pass a column of positive base weights, or none", source=caller)
    return w


def _check_categories(data: pd.DataFrame, counts: dict, caller: str) -> list[Problem]:
    problems = []
    ids = data["respondent_id"] if "respondent_id" in data else None
    for var, cats in counts.items():
        x = data[var]
        missing = x.isna().to_numpy()
        if missing.any():
            problems.append(problem_at(
                "missing margin variable", var, missing,
                f"{int(missing.sum())} respondent(s) have no {var!r}: raking gives each respondent a weight from "
                "every margin, so it cannot weight them (R's survey::rake fails on them too)",
                f"drop those rows first (data.dropna(subset={list(counts)!r})), or impute them", ids=ids))
        values = {v for v in pd.unique(x.dropna())}
        given_cats = set(cats)
        in_data_only = sorted(map(str, values - given_cats))
        if in_data_only:
            problems.append(Problem(
                "bad margins", var, f"categor{'y' if len(in_data_only) == 1 else 'ies'} {in_data_only} of {var!r} "
                f"in the data but not in the margins (which give {sorted(map(str, given_cats))})",
                "give each category present in the data a population figure, or recode it"))
        in_margins_only = sorted(map(str, given_cats - values))
        if in_margins_only:
            problems.append(Problem(
                "bad margins", var, f"categor{'y' if len(in_margins_only) == 1 else 'ies'} {in_margins_only} of "
                f"{var!r} in the margins but no respondent has it: no weighting can reach its population figure",
                "merge it with a neighbouring category in both the data and the margins, or drop it from the margins"))
        bad = [c for c, v in cats.items() if not isinstance(v, (int, float)) or isinstance(v, bool)
               or not np.isfinite(v) or v <= 0]
        if bad:
            problems.append(Problem("bad margins", var, f"categories {sorted(map(str, bad))} of {var!r} have no "
                                    "positive population figure", "give each category a count or share above 0"))
    return problems


def _shares(counts: dict, caller: str) -> tuple[dict, float | None]:
    """Each margin as shares, and the population total the counts give (None for shares only)."""
    totals = {var: float(sum(cats.values())) for var, cats in counts.items()}
    is_share = {var: abs(t - 1.0) < 1e-9 for var, t in totals.items()}
    count_totals = {var: t for var, t in totals.items() if not is_share[var]}
    if count_totals:
        lo, hi = min(count_totals.values()), max(count_totals.values())
        if hi - lo > TOTALS_TOLERANCE * hi:
            listed = ", ".join(f"{v} {t:,.10g}" for v, t in count_totals.items())
            fail("bad margins", f"the margins add up to different totals ({listed}): raking cannot match them all",
                 "correct the counts so that every margin has the same total, or give the margins as shares "
                 "(summing to 1) and the population size as total=", source=caller)
    shares = {var: {c: float(v) / totals[var] for c, v in cats.items()} for var, cats in counts.items()}
    return shares, (max(count_totals.values()) if count_totals else None)


def _trim(w: np.ndarray, low: float, high: float, max_iter: int) -> tuple[np.ndarray, int]:
    """``survey::trimWeights(strict = TRUE)``: clip to [low, high], spread what was cut (or added)
    equally over the weights inside the bounds, repeat until every weight is inside."""
    original = w
    for _ in range(max_iter):
        outside = (w < low) | (w > high)
        if not outside.any():
            break
        clipped = np.clip(w, low, high)
        trimmings = clipped - w
        clipped[~outside] -= trimmings.sum() / (~outside).sum()
        w = clipped
    return w, int(((original < low) | (original > high)).sum())


def rake_weights(data, margins, *, total=None, weights=None, max_iter: int = 100, tol: float = 1e-10,
                 trim=None) -> RakedWeights:
    """Raking weights: iterative proportional fitting to population margins, as ``survey::rake``.

    Parameters
    ----------
    data : DataFrame or Wave
        Respondents (:func:`analysis.analysis_frame`); a loaded wave is taken through it.
    margins : dict, Margins or str
        Column -> {category: population count or share}, e.g. ``{"nation": {"England": 96000,
        ...}, "sector": {...}}``; or :func:`load_margins` of a file (a name is loaded). Counts must
        give every margin the same total; shares (a margin that sums to 1) take the total from
        the counts, ``total=``, or the number of respondents.
    total : float, optional
        The sum the weights should have. Default: the total of the counts; with shares only, the
        number of respondents (mean weight 1). With counts and ``total=``, the weights are scaled
        to ``total``.
    weights : str or array, optional
        Base (design) weights to start from: a column name or one positive number per row.
        Default: 1 for everyone, ``svydesign(ids = ~1, weights = ~1)``.
    max_iter : int
        Raking passes (one pass post-stratifies to every margin in turn) before giving up.
    tol : float
        Convergence: every weighted category total within ``tol`` (relative) of its population
        figure.
    trim : tuple (low, high), optional
        Bounds on the weights as multiples of the mean weight, e.g. ``(0.3, 3)``. Weights outside
        are set to the bound and what was cut is spread equally over the others, repeated until
        every weight is inside: ``survey::trimWeights(lower = low * mean, upper = high * mean,
        strict = TRUE)``. The total is kept; the margins then match only approximately (the report
        gives ``max_margin_error``).

    Returns
    -------
    RakedWeights
        ``weights`` (a Series on the data's index), ``report`` (Kish design effect, effective n,
        weight range, iterations) and ``margins`` (population, sample and weighted shares).

    Raises
    ------
    SurveyDataError
        For a respondent with no value of a margin variable (raking cannot weight them; drop or
        impute them first; the message names the rows and respondents), a category in the data but
        not in the margins or the other way round, margins with different totals, and raking that
        does not converge within ``max_iter`` passes.

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"sex": ["f", "f", "m", "m", "f"], "age": ["old", "young", "old", "young", "young"]})
    >>> r = rake_weights(d, {"sex": {"f": 50, "m": 50}, "age": {"old": 40, "young": 60}})
    >>> [round(x, 4) for x in r.weights]
    [15.8872, 17.0564, 24.1128, 25.8872, 17.0564]
    >>> round(r.design_effect, 4), r.margins["weighted_share"].round(6).tolist()
    (1.0429, [0.5, 0.5, 0.4, 0.6])
    """
    caller = "rake_weights()"
    data = respondents(data, caller)
    counts, status = _as_margins(margins, caller)
    check_call(caller, data, columns={"margins": list(counts)})
    problems = []
    if not (isinstance(max_iter, int) and not isinstance(max_iter, bool) and max_iter >= 1):
        problems.append(Problem("bad argument", None, f"max_iter={max_iter!r}; it is a whole number of passes, "
                                "at least 1", "pass e.g. max_iter=100", place=""))
    if not (isinstance(tol, (int, float)) and not isinstance(tol, bool) and tol > 0):
        problems.append(Problem("bad argument", None, f"tol={tol!r}; it is a positive tolerance",
                                "pass e.g. tol=1e-10", place=""))
    if trim is not None and not (isinstance(trim, (tuple, list)) and len(trim) == 2
                                 and all(isinstance(t, (int, float)) for t in trim) and 0 <= trim[0] < 1 < trim[1]):
        problems.append(Problem("bad argument", None, f"trim={trim!r}; it is (low, high) as multiples of the mean "
                                "weight, low below 1 and high above 1", "pass e.g. trim=(0.3, 3)", place=""))
    problems += _check_categories(data, counts, caller)
    if problems:
        raise SurveyDataError(problems, source=caller, outcome="no weights were made")
    shares, counts_total = _shares(counts, caller)
    w = _base_weights(data, weights, caller)
    if total is not None:
        if not (isinstance(total, (int, float)) and not isinstance(total, bool) and total > 0):
            fail("bad argument", f"total={total!r}; it is the population size, a positive number",
                 "pass e.g. total=120000", source=caller)
        target_total = float(total)
    else:
        target_total = counts_total if counts_total is not None else float(len(data))
    codes = {}
    targets = {}
    for var, cats in shares.items():
        order = list(cats)
        x = data[var].astype(object).to_numpy()
        codes[var] = pd.Index(order).get_indexer(x)
        targets[var] = np.array([cats[c] for c in order]) * target_total
    iterations = 0
    converged = False
    for iterations in range(1, max_iter + 1):
        for var in shares:
            sums = np.bincount(codes[var], weights=w, minlength=len(targets[var]))
            w = w * (targets[var] / sums)[codes[var]]
        error = max(float(np.max(np.abs(np.bincount(codes[v], weights=w, minlength=len(targets[v])) / targets[v]
                                        - 1))) for v in shares)
        if error < tol:
            converged = True
            break
    if not converged:
        fail("not converged", f"raking did not converge in {max_iter} passes (the largest relative gap between a "
             f"weighted margin and its population figure is {error:.3g}, above tol={tol:g})",
             "pass a larger max_iter=, check that the margins are consistent with each other (sparse combinations "
             "of categories slow raking down), or collapse small categories", source=caller,
             outcome="no weights were made")
    n_trimmed = 0
    if trim is not None:
        mean = w.mean()
        w, n_trimmed = _trim(w, trim[0] * mean, trim[1] * mean, max_iter)
    rows = []
    for var, cats in shares.items():
        sample = np.bincount(codes[var], minlength=len(cats))
        weighted = np.bincount(codes[var], weights=w, minlength=len(cats))
        for i, (cat, share) in enumerate(cats.items()):
            rows.append({"variable": var, "category": cat, "n": int(sample[i]), "population_share": share,
                         "sample_share": sample[i] / len(w), "weighted_share": weighted[i] / w.sum()})
    table = pd.DataFrame(rows)
    n = len(w)
    deff = n * float(np.sum(w ** 2)) / float(np.sum(w)) ** 2
    report = pd.DataFrame([{
        "n": n, "total": float(w.sum()), "design_effect": deff, "effective_n": n / deff,
        "weight_min": float(w.min()), "weight_max": float(w.max()), "weight_ratio": float(w.max() / w.min()),
        "iterations": iterations,
        "max_margin_error": float(np.max(np.abs(table["weighted_share"] / table["population_share"] - 1))),
        "n_trimmed": n_trimmed, "margins_status": status}])
    return RakedWeights(pd.Series(w, index=data.index, name="weight"), report, table)


__all__ = ["Margins", "RakedWeights", "load_margins", "rake_weights"]
