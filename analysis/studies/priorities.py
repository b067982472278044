"""Priority scoring of a member poll: the points method for rating questions and the shares of
multi-select questions, with the poll's questions as data (``analysis/specs/polls/<id>.yaml``).

**Points method.** Each answer to a rating question is worth points (high 3, medium 2, low 1,
don't agree 0 in the union poll). An item's *score* is the points it received as a percentage of
the points it would have received had every respondent rated it at the top:
``score = 100 x sum(points) / (top points x denominator)``. The denominator depends on how a
blank counts, which is stated in every output: ``no_answer="exclude"`` (the default) leaves the
respondents who gave no answer out of that item's denominator, and counts them
(``n_no_answer``); ``no_answer="zero"`` counts a blank as 0 points, like "don't agree". Items are
ranked by score (ties share the better rank). The interval is a bootstrap over respondents
(:func:`scipy.stats.bootstrap`, BCa, seeded).

**Multi-select questions** (e.g. barriers): the percentage of respondents *who answered the
question* (ticked at least one option) who chose each option, with a Wilson interval.

**Disclosure.** Breakdowns by a respondent characteristic (role) suppress groups under the
threshold, and a further group where a total would give one away
(:func:`analysis.disclosure.suppress`). An option chosen by fewer respondents than the threshold
is suppressed; the number who did *not* choose an option is not treated as disclosive (not
ticking a barrier is not an attribute of a person), unlike yes/no questions about experiences
(:func:`analysis.stats.estimates.prevalence`).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy import stats

from ..arguments import as_instance, as_path, did_you_mean
from ..deprecations import old_calls, warn
from ..disclosure import DEFAULT_THRESHOLD, NOT_ANSWERED, PRIMARY, hidden_groups, suppress
from ..errors import Problem, SurveyDataError, SurveyDataWarning, fail, problem_at
from ..paths import POLLS_DIR, SCHEMA_DIR
from ..specs import check_against_schema
from ..stats.intervals import TOTAL, share_ci

POLL_SCHEMA_FILE = SCHEMA_DIR / "poll.schema.yaml"
NO_ANSWER_RULES = ("exclude", "zero")


@dataclass(frozen=True)
class PollSpec:
    """A poll's questions: answer points, rating groups and items, multi-select options."""

    id: str
    title: str
    points: dict
    answer_labels: dict
    no_answer: str
    context: dict
    rated: dict
    multi_select: dict = field(default_factory=dict)

    def items(self, question_set: str | None = None) -> dict:
        """Item column -> label, of one set of rated questions or of all."""
        sets = [question_set] if question_set else list(self.rated)
        unknown = [q for q in sets if q not in self.rated]
        if unknown:
            fail("bad argument", f"no set of rated questions {unknown[0]!r} in poll {self.id!r}"
                 f"{did_you_mean(unknown[0], self.rated)}", f"use one of {list(self.rated)}",
                 source="priority scoring")
        return {k: v for q in sets for k, v in self.rated[q]["items"].items()}

    @property
    def top(self) -> int:
        """The points of the highest answer."""
        return max(self.points.values())


@lru_cache(maxsize=8)
def _read_spec(path: str) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def load_poll_spec(spec="union_poll") -> PollSpec:
    """A poll specification: a shipped name (``analysis/specs/polls/<name>.yaml``), a YAML path or a dict.

    Examples
    --------
    >>> s = load_poll_spec()
    >>> s.points["high"], len(s.items("core")), s.no_answer
    (3, 15, 'exclude')
    """
    if isinstance(spec, PollSpec):
        return spec
    if isinstance(spec, dict):
        raw, source = spec, "poll specification"
    else:
        path = Path(spec) if Path(str(spec)).suffix in (".yaml", ".yml") else POLLS_DIR / f"{spec}.yaml"
        if not path.is_file():
            fail("missing file", f"no poll specification {spec!r} (looked for {path})",
                 f"name a YAML file, or one of {sorted(p.stem for p in POLLS_DIR.glob('*.yaml'))}",
                 source="priority scoring", outcome="nothing was loaded")
        raw, source = _read_spec(str(path)), path.name
    check_against_schema(raw, POLL_SCHEMA_FILE, source, "bad poll specification")
    return PollSpec(raw["id"], raw["title"], dict(raw["answers"]), dict(raw.get("answer_labels", {})),
                    raw.get("no_answer", "exclude"), dict(raw.get("context", {})), dict(raw["rated"]),
                    dict(raw.get("multi_select", {})))


@dataclass
class Poll:
    """A loaded, validated poll: ``data`` (one row per respondent; rating answers as their keys,
    e.g. ``"high"``, or missing; multi-select options 0/1 or missing), ``spec`` and ``metadata``
    (``source, sha256, n, synthetic``)."""

    data: pd.DataFrame
    spec: PollSpec
    metadata: dict

    @property
    def synthetic(self) -> bool:
        return bool(self.metadata.get("synthetic"))

    def __repr__(self) -> str:
        flag = ", synthetic" if self.synthetic else ""
        return f"Poll({self.spec.id!r}{flag}: {self.metadata['n']} respondents from {self.metadata['source']})"


def _poll(poll, caller: str) -> Poll:
    """``poll`` when it is a loaded :class:`Poll`, else raise with how to load one."""
    return as_instance(poll, Poll, caller, "poll", f"load the poll first: poll = load_poll('poll.csv'), then "
                       f"{caller.removesuffix('()')}(poll, ...)")


def _key(value) -> str:
    """Normalise an answer as typed ("Don't agree", "HIGH ") to a key ("dont_agree", "high")."""
    return re.sub(r"[^a-z0-9]+", "_", str(value).strip().lower().replace("'", "")).strip("_")


def load_poll(data, spec="union_poll") -> Poll:
    """Load and validate a poll export (CSV, xlsx, sav, dta, parquet) or DataFrame.

    Columns: ``respondent_id``, the context columns of the spec (e.g. ``role``), one column per
    rated item holding an answer key or label (``high`` or "High priority"; blank = no answer),
    and one 0/1 column per multi-select option (blank on every option = did not answer).
    Every problem is reported at once, with column, data rows, values and fix.

    Examples
    --------
    >>> d = pd.DataFrame({"respondent_id": ["a", "b"], "core_01": ["high", "Low priority"]})
    >>> load_poll(d).data["core_01"].tolist()
    ['high', 'low']
    """
    from ..reading.readers import read_table
    from ..reading.waves import read_sidecar

    data = as_path(data, "load_poll()", "data", tables=True)
    spec = load_poll_spec(spec)
    if isinstance(data, pd.DataFrame):
        frame, source, sha, sidecar = data.copy(), "<DataFrame>", "", {"synthetic": data.attrs.get("synthetic", False)}
    else:
        table = read_table(data, text_columns=["respondent_id"])  # ids as text: "007" is not 7
        frame, source, sha = table.frame.copy(), Path(data).name, table.sha256
        sidecar = read_sidecar(Path(data))
    frame.columns = [str(c).strip() for c in frame.columns]
    problems = []
    items = spec.items()
    options = {k: v for q in spec.multi_select.values() for k, v in q["options"].items()}
    known = {"respondent_id", *spec.context, *items, *options}
    if "respondent_id" not in frame:
        problems.append(Problem("missing column", "respondent_id", "no respondent_id column",
                                "add a column of respondent identifiers, unique per respondent"))
        ids = None
    else:
        ids = frame["respondent_id"].astype(str).to_numpy()
        # "P-001", "p-001" and " P-001 " are one respondent typed three ways.
        key = frame["respondent_id"].astype("string").str.strip().str.casefold()
        dup = key.duplicated(keep=False).to_numpy()
        if dup.any():
            exact = frame["respondent_id"].duplicated(keep=False).to_numpy()
            problems.append(problem_at("duplicate respondent id", "respondent_id", dup,
                                       "the same id is used by more than one respondent"
                                       + ("" if (exact == dup).all() else
                                          " (ids that differ only in case or surrounding spaces are one id)"),
                                       "remove repeated submissions or give each respondent its own id",
                                       ids=ids, values=frame["respondent_id"]))
    unknown = [c for c in frame.columns if c not in known]
    if unknown:
        problems.append(Problem("unknown column", unknown[0],
                                f"columns not in poll {spec.id!r}: {unknown}",
                                f"rename them to the spec's names ({sorted(items)[:3]} ...) or drop them"))
    label_to_key = {_key(label): key for key, label in spec.answer_labels.items()} | {k: k for k in spec.points}
    for col in [c for c in items if c in frame]:
        raw = frame[col]
        blank = raw.isna() | (raw.astype(str).str.strip() == "")
        keys = raw.where(blank, raw.map(lambda v: label_to_key.get(_key(v))))
        bad = (~blank & keys.isna()).to_numpy()
        if bad.any():
            problems.append(problem_at("out of range", col, bad, f"answers that are not one of {list(spec.points)}",
                                       f"use {list(spec.points)} or the labels {list(spec.answer_labels.values())}; "
                                       "leave the cell blank for no answer", ids=ids, values=raw))
        frame[col] = keys.where(~blank).astype(object)
    for col in [c for c in options if c in frame]:
        x = pd.to_numeric(frame[col], errors="coerce")
        bad = ((frame[col].notna() & x.isna()) | (x.notna() & ~x.isin([0, 1]))).to_numpy()
        if bad.any():
            problems.append(problem_at("out of range", col, bad, "multi-select cells must be 1 (chosen), 0 or blank",
                                       "code a ticked option 1 and an unticked one 0", ids=ids, values=frame[col]))
        frame[col] = x.astype("float64")
    for col, allowed in spec.context.items():
        if col in frame:
            bad = (frame[col].notna() & ~frame[col].astype(str).isin(allowed["values"])).to_numpy()
            if bad.any():
                problems.append(problem_at("out of range", col, bad, f"values not among {allowed['values']}",
                                           "recode to the listed values", ids=ids, values=frame[col]))
    if problems:
        raise SurveyDataError(problems, source=source)
    if not isinstance(data, pd.DataFrame):
        _warn_absent_questions(frame, items, options, source)
    meta = {"source": source, "sha256": sha, "n": len(frame), "synthetic": bool(sidecar.get("synthetic", False))}
    return Poll(frame.reset_index(drop=True), spec, meta)


def _warn_absent_questions(frame: pd.DataFrame, items: dict, options: dict, source: str) -> None:
    """An export from the poll tool has a column for every question: one it lacks was renamed or
    dropped on the way, and must not score as if nobody rated the item (a DataFrame built in code
    may hold only the questions it means to score)."""
    lacking = [c for c in items if c not in frame]
    lacking_options = [c for c in options if c not in frame]
    if not lacking and not lacking_options:
        return
    parts = []
    if lacking:
        parts.append(f"rated item{'s' if len(lacking) != 1 else ''} {lacking}: "
                     f"{'their' if len(lacking) != 1 else 'its'} priority score is missing (n = 0), never 0 %")
    if lacking_options:
        parts.append(f"multi-select option{'s' if len(lacking_options) != 1 else ''} {lacking_options}: "
                     "counted as chosen by nobody among those who answered the question")
    warnings.warn(
        f"{source} has no column for {'; and for '.join(parts)}. If the poll asked these questions, the "
        "export lost the columns: export it again or correct the column names.",
        SurveyDataWarning,
        stacklevel=3,
    )


def _points(poll: Poll, item: str, no_answer: str, keep_rows: bool = False) -> np.ndarray:
    """Each respondent's points for an item: blanks as 0 (``"zero"``) or left out (``"exclude"``;
    kept as NaN with ``keep_rows``, one value per respondent). An item the poll has no column
    for has no points under either rule (NaN with ``keep_rows``): its score is missing, never 0."""
    if item not in poll.data:
        return np.full(len(poll.data), np.nan) if keep_rows else np.empty(0)
    answers = poll.data[item]
    pts = answers.map(poll.spec.points).astype("float64").to_numpy()
    if no_answer == "zero":
        return np.nan_to_num(pts, nan=0.0)
    return pts if keep_rows else pts[~np.isnan(pts)]


def _bootstrap_ci(x: np.ndarray, top: int, level: float, n_boot: int, seed: int) -> tuple[float, float]:
    """BCa bootstrap interval of 100 x mean(points) / top; the point itself when nothing varies;
    none when ``n_boot`` is 0."""
    if n_boot == 0:
        return np.nan, np.nan
    if len(x) < 2 or np.all(x == x[0]):
        v = 100 * x.mean() / top if len(x) else np.nan
        return v, v
    res = stats.bootstrap((x,), lambda s, axis=-1: 100 * s.mean(axis=axis) / top, confidence_level=level,
                          n_resamples=n_boot, method="BCa", rng=np.random.default_rng(seed))
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def _scores(poll: Poll, question_sets: list, rule: str, level: float, n_boot: int, seed: int) -> pd.DataFrame:
    """The unsuppressed scores of every item of ``question_sets`` among all of ``poll``'s respondents."""
    top = poll.spec.top
    frames = []
    for q in question_sets:
        rows = []
        for item, label in poll.spec.items(q).items():
            x = _points(poll, item, rule)
            answered = int(poll.data[item].notna().sum()) if item in poll.data else 0
            denominator = len(x)
            lo, hi = _bootstrap_ci(x, top, level, n_boot, seed)
            rows.append({"question_set": q, "item": item, "label": label, "n_respondents": len(poll.data),
                         "n_answered": answered, "n_no_answer": len(poll.data) - answered, "n": denominator,
                         "points": float(x.sum()), "max_points": float(top * denominator),
                         "measure": "priority_score",
                         "estimate": 100 * x.sum() / (top * denominator) if denominator else np.nan,
                         "conf_low": lo, "conf_high": hi, "no_answer": rule})
        t = pd.DataFrame(rows)
        t.insert(t.columns.get_loc("no_answer"), "rank",
                 t["estimate"].rank(ascending=False, method="min").astype("float64"))
        frames.append(t.sort_values(["rank", "item"], kind="stable"))
    return pd.concat(frames, ignore_index=True)


@old_calls(positional=("no_answer", "level", "n_boot", "seed"), renamed={"group": "question_set"})
def priority_scores(poll: Poll, question_set: str | None = None, *, by: str | None = None,
                    no_answer: str | None = None, level: float = 0.95, n_boot: int = 4999, seed: int = 20100601,
                    threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Score and rank the rated items of a poll by the points method, overall or by group.

    Parameters
    ----------
    poll : Poll
        From :func:`load_poll`.
    question_set : str, optional
        A set of rated questions in the spec (e.g. ``"core"``); default every set, each ranked
        on its own.
    by : str, optional
        A respondent characteristic of the spec (e.g. ``"role"``): score the items within each
        of its groups, then ``All``; groups are disclosure-controlled.
    no_answer : {"exclude", "zero"}, optional
        How a blank counts (default the spec's rule, ``exclude``); see the module docstring.
    level, n_boot, seed
        Bootstrap interval: level, resamples (0 = no interval), seed (same seed, same interval).
    threshold : int
        Disclosure threshold of the groups (with ``by``).

    Returns
    -------
    DataFrame
        ``question_set, item, label``, then with ``by`` a ``group`` column (its levels in the
        spec's order, ``(not answered)`` when anyone left it blank, then ``All``), ``n_respondents,
        n_answered, n_no_answer`` (without ``by`` only), ``n`` (the respondents in the item's
        denominator),
        ``points, max_points``, ``measure`` (``"priority_score"``), ``estimate`` (the score, in
        percent), ``conf_low, conf_high`` (BCa), ``rank`` (within the set, and within the group),
        ``no_answer``, and with ``by`` ``suppressed``: groups with fewer than ``threshold``
        respondents in the denominator are suppressed, and another where the ``All`` row would
        give one away by subtraction (:func:`analysis.disclosure.suppress`). Rows in rank order
        within each set (within each item, in group order, with ``by``).

    Examples
    --------
    >>> d = pd.DataFrame({"respondent_id": list("abcd"), "core_01": ["high", "high", "low", None],
    ...                   "core_02": ["medium", "dont_agree", "medium", "medium"]})
    >>> t = priority_scores(load_poll(d), "core", n_boot=999)
    >>> t[["item", "points", "max_points", "estimate", "rank"]].round(1).values.tolist()[:2]
    [['core_01', 7.0, 9.0, 77.8, 1.0], ['core_02', 6.0, 12.0, 50.0, 2.0]]
    """
    poll = _poll(poll, "priority_scores()")
    rule = no_answer or poll.spec.no_answer
    if rule not in NO_ANSWER_RULES:
        fail("bad argument", f"no_answer={rule!r}", f"use one of {NO_ANSWER_RULES}", source="priority scoring")
    sets = [question_set] if question_set else list(poll.spec.rated)
    if by is None:
        return _scores(poll, sets, rule, level, n_boot, seed)
    return _scores_by(poll, sets, by, rule, level, n_boot, seed, threshold)


def _scores_by(poll: Poll, sets: list, by: str, rule: str, level: float, n_boot: int, seed: int,
               threshold: int) -> pd.DataFrame:
    """:func:`priority_scores` within each group of ``by``, then ``All``, disclosure-controlled."""
    if by not in poll.data:
        fail("unknown column", f"no column {by!r} in the poll{did_you_mean(by, poll.spec.context)}",
             f"use one of {list(poll.spec.context)}", column=by, source="priority scoring")
    groups = list(poll.spec.context.get(by, {}).get("values") or sorted(poll.data[by].dropna().unique()))
    if poll.data[by].isna().any():  # their own row, so that All minus the others gives nobody away
        groups.append(NOT_ANSWERED)
    parts = []
    for group in groups + [TOTAL]:
        if group == TOTAL:
            part = poll.data
        elif group == NOT_ANSWERED:
            part = poll.data[poll.data[by].isna()]
        else:
            part = poll.data[poll.data[by].astype(str) == group]
        if not len(part) and group != TOTAL:
            continue
        sub = Poll(part.reset_index(drop=True), poll.spec, poll.metadata)
        scores = _scores(sub, sets, rule, level, n_boot, seed)
        scores.insert(scores.columns.get_loc("label") + 1, "group", group)
        parts.append(scores)
    # Counts of blanks within a group are left out: only those in the denominator are shown.
    table = pd.concat(parts, ignore_index=True).drop(columns=["n_respondents", "n_answered", "n_no_answer"])
    item_order = {item: i for i, item in enumerate(poll.spec.items())}
    group_order = {g: i for i, g in enumerate(groups + [TOTAL])}
    table = table.sort_values(["item", "group"], key=lambda s: s.map(item_order if s.name == "item" else group_order),
                              kind="stable").reset_index(drop=True)
    values = ["points", "max_points", "estimate", "conf_low", "conf_high", "rank"]
    marks = np.where((table["group"] != NOT_ANSWERED) & (table["n"] < threshold), PRIMARY, "").astype(object)
    points = poll.data[[by]].assign(**{item: _points(poll, item, rule, keep_rows=True) for item in item_order})
    for item, rows in table.groupby("item", sort=False).indices.items():
        plan = hidden_groups(points, by, item, threshold=threshold, binary=False)
        for r in rows:
            marks[r] = plan.get(table["group"].iat[r], marks[r])
    out = suppress(table.assign(suppressed=marks), "n", value_columns=values, threshold=threshold)
    out.attrs["by"] = by
    return out


def priority_by_group(poll: Poll, by: str = "role", group: str | None = None, no_answer: str | None = None,
                      threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """Deprecated: ``priority_scores(poll, question_set, by=by)`` (without intervals here)."""
    warn("priority_by_group()", "use priority_scores(poll, question_set, by=..., n_boot=0)")
    return priority_scores(poll, group, by=by, no_answer=no_answer, threshold=threshold, n_boot=0)


@old_calls(positional=("level", "threshold"))
def multi_select_shares(poll: Poll, question: str, *, level: float = 0.95,
                        threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The share of respondents who answered a multi-select question that chose each option.

    Returns
    -------
    DataFrame
        ``option, label, measure`` (``"share"``), ``n`` (respondents who answered the
        question), ``count, estimate, std_error, conf_low, conf_high`` (Wilson, as
        :func:`analysis.stats.intervals.share_ci`), ``rank, suppressed``, in rank order (most
        chosen first). An option chosen by 1 to threshold - 1 respondents is suppressed (see
        the module docstring).

    Examples
    --------
    >>> d = pd.DataFrame({"respondent_id": [str(i) for i in range(40)],
    ...                   "barrier_money": [1.0] * 30 + [0.0] * 8 + [None] * 2,
    ...                   "barrier_cuts": [1.0] * 12 + [0.0] * 26 + [None] * 2})
    >>> t = multi_select_shares(load_poll(d), "barriers")
    >>> t.loc[t["count"].notna(), ["option", "n", "count", "estimate"]].values.tolist()[:2]
    [['barrier_money', 38.0, 30.0, 0.7894736842105263], ['barrier_cuts', 38.0, 12.0, 0.3157894736842105]]
    """
    poll = _poll(poll, "multi_select_shares()")
    if question not in poll.spec.multi_select:
        fail("bad argument", f"no multi-select question {question!r}{did_you_mean(question, poll.spec.multi_select)}",
             f"use one of {list(poll.spec.multi_select)}", source="priority scoring")
    options = poll.spec.multi_select[question]["options"]
    present = [o for o in options if o in poll.data]
    ticks = poll.data[present]
    answered = ticks.notna().any(axis=1) if present else pd.Series(False, index=poll.data.index)
    rows = []
    for option, label in options.items():
        # Among those who answered the question, an option left blank was not chosen.
        chosen = ticks.loc[answered, option].fillna(0.0) if option in present else np.zeros(int(answered.sum()))
        rows.append({"option": option, "label": label, "measure": "share"} | share_ci(chosen, level))
    table = pd.DataFrame(rows).astype({"n": "float64", "count": "float64"})
    table["rank"] = table["estimate"].rank(ascending=False, method="min")
    table = table.sort_values(["rank", "option"], kind="stable").reset_index(drop=True)
    marks = np.where((table["count"] > 0) & (table["count"] < threshold), PRIMARY, "")
    table["suppressed"] = pd.Series(marks, index=table.index, dtype="str")
    values = ["count", "estimate", "std_error", "conf_low", "conf_high", "rank"]
    return suppress(table, "n", value_columns=values, threshold=threshold)
