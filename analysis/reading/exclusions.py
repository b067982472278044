"""Exclusion rules and the exclusions log.

Nobody leaves an analysis uncounted. The log has one row per respondent per exclusion, with
columns ``respondent_id, scope, target, rule, reason``:

- ``scope="wave"``: the respondent is out of every analysis of the wave (``target`` is the wave).
  Rules are applied in order and a respondent is logged under the first rule that applies, so the
  counts add up to the number excluded. The built-in rule ``empty_return`` (no answer to any
  instrument item) always applies first; a codebook adds its own rules under ``exclude:``.
- ``scope="instrument"``: the respondent answered none of an instrument's items, so that
  instrument's scores are missing (rule ``no_answers``).
- ``scope="scale"``: too few items answered for the missing-answer rule, so that scale's score is
  missing (rule ``too_few_answers``; logged by :func:`analysis.measures.scoring.scoring_log`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..arguments import as_table
from ..deprecations import old_calls
from ..disclosure import DEFAULT_THRESHOLD, suppress
from ..parallel import pool

LOG_COLUMNS = ["respondent_id", "scope", "target", "rule", "reason"]


def empty_log() -> pd.DataFrame:
    """An exclusions log with no rows."""
    return pd.DataFrame({c: pd.Series(dtype="string") for c in LOG_COLUMNS})


def make_log(ids, scope: str, target: str, rule: str, reason: str) -> pd.DataFrame:
    """Log rows for the respondents ``ids``, all excluded by one rule."""
    ids = pd.array(list(ids), dtype="string")
    n = len(ids)
    return pd.DataFrame(
        {
            "respondent_id": ids,
            "scope": pd.array([scope] * n, dtype="string"),
            "target": pd.array([target] * n, dtype="string"),
            "rule": pd.array([rule] * n, dtype="string"),
            "reason": pd.array([reason] * n, dtype="string"),
        }
    )


def _log(log, caller: str) -> pd.DataFrame:
    """``log`` when it is a table, else raise saying to pass ``wave.exclusions`` (a wave, too)."""
    return as_table(log, caller, holds="exclusions log", role="log")


def concat_logs(*logs: pd.DataFrame) -> pd.DataFrame:
    """Stack logs in the order given."""
    logs = [log for log in (_log(log, "concat_logs()") for log in logs) if len(log)]
    return pd.concat(logs, ignore_index=True) if logs else empty_log()


def _rule_mask(data: pd.DataFrame, rule: dict, instruments) -> np.ndarray:
    if "no_answers_to" in rule:
        inst = {i.id: i for i in instruments}.get(rule["no_answers_to"])
        if inst is None or not set(inst.items) <= set(data.columns):
            return np.zeros(len(data), dtype=bool)
        return unanswered(data, inst.items)
    column = data[rule["column"]]
    if rule.get("missing"):
        return column.isna().to_numpy()
    wanted = {str(v) for v in rule["in"]} | {v for v in rule["in"] if not isinstance(v, str)}
    values = column.astype(object).to_numpy()
    return np.array([v in wanted or (isinstance(v, float) and v.is_integer() and int(v) in wanted)
                     for v in values])


def unanswered(data: pd.DataFrame, columns) -> np.ndarray:
    """Which respondents left every one of ``columns`` unanswered (missing).

    The same as ``data[columns].isna().all(axis=1)``, a column at a time into one mask (a quarter
    of the time at a million respondents, with no frame of flags).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"a": [1.0, None, None], "b": [None, 2.0, None], "c": ["x", None, None]})
    >>> unanswered(d, ["a", "b"]).tolist(), unanswered(d, ["a", "b", "c"]).tolist()
    ([False, False, True], [False, False, True])
    """
    out = np.ones(len(data), dtype=bool)
    flags = np.empty(len(data), dtype=bool)
    for k, column in enumerate(columns):
        values = data[column]
        if values.dtype == np.float64:
            np.isnan(values.to_numpy(), out=flags)
        else:
            flags[:] = values.isna().to_numpy()
        np.logical_and(out, flags, out=out)
        if k % 4 == 3 and not out.any():  # everybody answered one of them: done
            break
    return out


def apply_exclusions(data: pd.DataFrame, rules, instruments, wave_label: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split a canonical wave into analysable respondents and an exclusions log.

    Parameters
    ----------
    data : DataFrame
        Canonical wave (all respondents read).
    rules : iterable of dict
        Codebook rules (``id``, ``reason`` and one of ``column``+``in``, ``column``+``missing``,
        ``no_answers_to``), applied after the built-in ``empty_return`` rule.
    instruments : iterable of Instrument
        The instruments known to the package.
    wave_label : str
        Used as the log's ``target`` for wave-level exclusions.

    Returns
    -------
    kept : DataFrame
        Analysable respondents, in file order (index reset).
    log : DataFrame
        Wave-level and instrument-level exclusions (see module docstring).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instruments import load_instruments
    >>> d = pd.DataFrame({"respondent_id": ["a", "b"], "pss_1": [1.0, None], "pss_2": [2.0, None],
    ...                   "pss_3": [0.0, None], "pss_4": [4.0, None]})
    >>> kept, log = apply_exclusions(d, [], load_instruments(), "2018")
    >>> list(kept.respondent_id), list(log.rule)
    (['a'], ['empty_return'])
    """
    instruments = list(instruments)
    present = [i for i in instruments if set(i.items) <= set(data.columns)]
    items = [c for i in present for c in i.items]
    all_rules = []
    if items:
        all_rules.append(({"id": "empty_return",
                           "reason": "answered no item of any instrument (an empty return)"},
                          unanswered(data, items)))
    for rule in rules:
        all_rules.append((rule, _rule_mask(data, rule, instruments)))
    taken = np.zeros(len(data), dtype=bool)
    logs = []
    # Only the logged ids become Python objects (a million at once took half a second).
    ids = data["respondent_id"].array
    for rule, mask in all_rules:
        new = mask & ~taken
        taken |= new
        logs.append(make_log(ids[new].to_numpy(dtype=object), "wave", str(wave_label), rule["id"], rule["reason"]))
    kept = data.loc[~taken].reset_index(drop=True) if taken.any() else data
    kept_ids = kept["respondent_id"].array
    frames = [kept[list(inst.items)] for inst in present]  # (taken here: the threads touch a frame each)
    with pool(len(kept)) as workers:
        nones = list(workers.map(lambda items: unanswered(items, items.columns), frames))
    for inst, none in zip(present, nones):
        logs.append(make_log(kept_ids[none].to_numpy(dtype=object), "instrument", inst.id,
                             "no_answers", f"answered none of the {inst.short_name} items; its scores are missing"))
    return kept, concat_logs(*logs)


def exclusion_summary(log: pd.DataFrame) -> pd.DataFrame:
    """Count a log by scope, target, rule and reason (the table the notebooks show).

    Returns
    -------
    DataFrame
        Columns ``scope, target, rule, reason, n``, in the order rules were applied.
    """
    log = _log(log, "exclusion_summary()")
    if not len(log):
        return pd.DataFrame(columns=["scope", "target", "rule", "reason", "n"])
    keys = ["scope", "target", "rule", "reason"]
    return log.groupby(keys, sort=False, dropna=False).size().rename("n").reset_index()


@old_calls(positional=("threshold",))
def exclusion_table(log: pd.DataFrame, *, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """The respondents excluded from a wave, counted by rule, as a table fit to publish.

    A wave rule can describe respondents (a codebook rule such as "not a registered social
    worker"), so a count below the threshold is suppressed like any other small cell, and so is
    another rule where the total would give it away by subtraction
    (:func:`analysis.disclosure.suppress`). Scores missing for want of answers are counted by
    :func:`missing_score_table`. Exact counts stay in ``wave.exclusions`` for the analyst. When
    the total itself is below the threshold, note that the numbers read and analysed (which
    every report publishes) still give it away.

    Parameters
    ----------
    log : DataFrame
        An exclusions log (``wave.exclusions``; rows of other scopes are left out).
    threshold : int, optional
        Disclosure threshold.

    Returns
    -------
    DataFrame
        ``scope, target, rule, reason, n, suppressed``; a last row ``rule="All"``; no rows when
        nobody was excluded.

    Examples
    --------
    >>> log = concat_logs(make_log(list("abcdefghijkl"), "wave", "2018", "empty_return", "empty"),
    ...                   make_log(list("mn"), "wave", "2018", "duplicate", "answered twice"))
    >>> exclusion_table(log)[["rule", "n", "suppressed"]].values.tolist()
    [['empty_return', nan, 'secondary'], ['duplicate', nan, 'primary'], ['All', 14.0, '']]
    """
    summary = exclusion_summary(_log(log, "exclusion_table()"))
    rows = summary[summary["scope"] == "wave"]
    if not len(rows):  # nobody excluded: no rows
        return pd.DataFrame(columns=["scope", "target", "rule", "reason", "n", "suppressed"])
    target = rows["target"].iloc[0]
    total = pd.DataFrame([{"scope": "wave", "target": target, "rule": "All",
                           "reason": "all respondents excluded from the wave", "n": int(rows["n"].sum())}])
    table = pd.concat([rows, total], ignore_index=True).astype({"n": "int64"})
    return suppress(table, "n", threshold=threshold, by="rule", total_label="All")


def missing_score_table(log: pd.DataFrame) -> pd.DataFrame:
    """Scores not computed for want of answers, counted by instrument or scale and rule.

    These count missing answers, which describe no one, so they are shown in full (as
    ``n_missing`` is in score summaries): nothing is dropped unseen.

    Returns
    -------
    DataFrame
        ``scope, target, rule, reason, n_missing``.

    Examples
    --------
    >>> log = make_log(["a", "b"], "scale", "pss4", "too_few_answers", "fewer than 2 of 4 answered")
    >>> missing_score_table(log)[["target", "n_missing"]].values.tolist()
    [['pss4', 2]]
    """
    summary = exclusion_summary(_log(log, "missing_score_table()"))
    return summary[summary["scope"] != "wave"].rename(columns={"n": "n_missing"}).reset_index(drop=True)
