"""Scale scores from item answers: reverse keying, the missing-answer rule, mean/sum/look-up.

The missing-answer rule (default for every shipped instrument): a scale score is computed when at
least half of its items, rounded up, are answered; it is then the mean of the answered items, and a
sum score is that mean times the number of items (prorating). Otherwise the score is missing and
the respondent is logged (:func:`scoring_log`). Pass ``missing_rule`` to change it, e.g.
``MissingRule(1.0)`` for complete answers only.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .derived import WorkingTime, derive
from ..arguments import as_table, as_wave
from ..errors import SurveyDataWarning, fail
from ..reading.exclusions import concat_logs, empty_log, make_log, unanswered
from ..instruments import Instrument, Scale
from ..parallel import pool


@dataclass(frozen=True)
class MissingRule:
    """How many of a scale's items must be answered for a score.

    Parameters
    ----------
    min_answered : float
        Share of the scale's items, in (0, 1]; the count needed is ``ceil(min_answered * k)``.
        ``0.5`` (the default) needs 3 of 5, 2 of 4 and 2 of 3 items; ``1.0`` needs all.

    Examples
    --------
    >>> MissingRule(0.5).needed(5), MissingRule(0.5).needed(4), MissingRule(1.0).needed(7)
    (3, 2, 7)
    """

    min_answered: float = 0.5

    def __post_init__(self):
        if not 0 < self.min_answered <= 1:
            fail("bad argument", f"MissingRule(min_answered={self.min_answered!r}); it is the share of a scale's "
                 "items that must be answered, above 0 and at most 1", "pass e.g. MissingRule(0.5), or 1.0 for "
                 "complete answers only", source="MissingRule()")

    def needed(self, k: int) -> int:
        """Items that must be answered out of ``k``."""
        return max(1, math.ceil(round(self.min_answered * k, 9)))

    def describe(self, k: int | None = None) -> str:
        text = f"a score needs at least {self.min_answered:.0%} of its items answered (rounded up)"
        return text + (f": {self.needed(k)} of {k}" if k else "")


def _rule_for(instrument: Instrument, missing_rule) -> MissingRule:
    if missing_rule is None:
        return MissingRule(instrument.min_answered)
    if isinstance(missing_rule, dict):
        return _rule_for(instrument, missing_rule.get(instrument.id))
    if isinstance(missing_rule, MissingRule):
        return missing_rule
    return MissingRule(float(missing_rule))


def keyed_items(data: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """Item answers with reverse-keyed items turned round (``min + max - answer``).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis.instruments import load_instruments
    >>> pss = {i.id: i for i in load_instruments()}["pss4"]
    >>> d = pd.DataFrame({"pss_1": [1.0], "pss_2": [1.0], "pss_3": [4.0], "pss_4": [0.0]})
    >>> keyed_items(d, pss).iloc[0].tolist()
    [1.0, 3.0, 0.0, 0.0]
    """
    x = data[list(instrument.items)].to_numpy(dtype="float64", copy=True)
    rev = [instrument.items.index(c) for c in instrument.reverse]
    x[:, rev] = instrument.answer_min + instrument.answer_max - x[:, rev]
    return pd.DataFrame(x, columns=list(instrument.items), index=data.index)


def _item_column(data, item: str) -> np.ndarray:
    """One item's answers as a float array (a view where the data are float already); ``data`` is
    the wave's data, or a dict of such arrays already taken from it."""
    if isinstance(data, dict):
        return data[item]
    return data[item].to_numpy(dtype="float64", na_value=np.nan)


#: Respondents scored at a time: each item's block of answers, the running totals and the counts
#: stay in the processor's cache while every item of the scale is added in.
_ROWS_AT_A_TIME = 1 << 15


def _scale_sums(data, instrument: Instrument, scale: Scale, out: np.ndarray):
    """Write the keyed item total of ``scale`` into ``out``; return the answered counts.

    Reverse keying without copying the items: sum(keyed) = sum(positive items) - sum(reversed
    items) + (min + max) x (reversed items answered). Memory traffic, not arithmetic, is what
    costs at a million respondents, so the respondents are taken a block at a time
    (:data:`_ROWS_AT_A_TIME`): each item's answers are read from memory once, while the totals and
    counts stay in the processor's cache. A missing answer is added as 0 (``fmax(answer, 0)``: one
    pass, no mask), which leaves every partial sum exactly what skipping it would, so the totals
    are those of adding the answered items one by one, to the last bit, whatever the answers. A
    block holding a negative answer (no instrument's, and never in a validated wave) is added
    through a mask instead, so that no answer is ever changed.
    """
    n = len(out)
    # Counts of at most len(scale.items) answers: one byte each (int16 for a scale of over 127
    # items).
    count_type = np.int8 if len(scale.items) < 128 else np.int16
    answered = np.zeros(n, dtype=count_type)
    rev_answered = np.zeros(n, dtype=count_type)
    step = max(1, min(n, _ROWS_AT_A_TIME))
    valid, filled = np.empty(step, dtype=bool), np.empty(step)
    reverse = set(instrument.reverse)
    columns = [(_item_column(data, item), item in reverse) for item in scale.items]
    keyed_sum = float(instrument.answer_min + instrument.answer_max)
    for start in range(0, n, step):
        stop = min(n, start + step)
        total, ok, cells_filled = out[start:stop], valid[:stop - start], filled[:stop - start]
        total[:] = 0.0
        for column, reversed_item in columns:
            cells = column[start:stop]
            np.equal(cells, cells, out=ok)  # False for NaN: no answer
            count = rev_answered[start:stop] if reversed_item else answered[start:stop]
            np.add(count, ok.view(np.int8) if count_type is np.int8 else ok, out=count, casting="unsafe")
            if np.fmin.reduce(cells) < 0:  # a negative answer: fmax would change it
                np.copyto(cells_filled, 0.0)
                np.copyto(cells_filled, cells, where=ok)
            else:
                np.fmax(cells, 0.0, out=cells_filled)  # a missing answer as 0
            (np.subtract if reversed_item else np.add)(total, cells_filled, out=total)
        if reverse & set(scale.items):  # while the block is in the cache
            total += rev_answered[start:stop] * keyed_sum
    np.add(answered, rev_answered, out=answered)
    return answered


def _score_scale(data, instrument: Instrument, scale: Scale, rule: MissingRule, out: np.ndarray):
    """Write one scale's scores into ``out`` (NaN where the missing-answer rule is not met)."""
    k = len(scale.items)
    answered = _scale_sums(data, instrument, scale, out)
    with np.errstate(invalid="ignore", divide="ignore"):
        if scale.score == "mean":
            out /= answered
        else:  # sum, prorated; exact when complete: (total * k) / k == total for whole numbers
            out *= k
            out /= answered
    out[answered < rule.needed(k)] = np.nan
    return answered


def _lookup(raw: np.ndarray, scale: Scale, out: np.ndarray) -> None:
    table = np.full(max(scale.lookup) + 2, np.nan)
    for total, value in scale.lookup.items():
        table[total] = value
    whole = np.floor(raw + 0.5)  # half up
    valid = np.isfinite(whole) & (whole >= 0) & (whole < len(table))
    out[:] = np.where(valid, table[np.where(valid, whole, 0).astype(int)], np.nan)


def _score_block(data: pd.DataFrame, instruments, missing_rule, block: np.ndarray) -> None:
    """Every scale of ``instruments`` into the rows of ``block``, in order: the item-based scales
    several at a time on a large wave (:func:`analysis.parallel.pool`), then the look-up scales
    from them."""
    tasks, lookups, rows = [], [], {}
    for inst in instruments:  # (scale names are unique within an instrument, not across them)
        rule = _rule_for(inst, missing_rule)
        for scale in inst.scales:
            rows[inst.id, scale.name] = len(rows)
            (lookups if scale.score == "lookup" else tasks).append((inst, scale, rule))
    # The item columns are taken from the frame here, once, so that the threads touch arrays only.
    answers = {item: _item_column(data, item) for inst, scale, _ in tasks for item in scale.items}
    with pool(len(data)) as workers:
        list(workers.map(lambda task: _score_scale(answers, task[0], task[1], task[2],
                                                   block[rows[task[0].id, task[1].name]]), tasks))
    for inst, scale, _ in lookups:
        _lookup(block[rows[inst.id, scale.lookup_from]], scale, block[rows[inst.id, scale.name]])


def score_instrument(data: pd.DataFrame, instrument: Instrument, missing_rule=None) -> pd.DataFrame:
    """Every scale score of one instrument.

    Parameters
    ----------
    data : DataFrame
        Canonical data holding the instrument's item columns (raw answers).
    instrument : Instrument
    missing_rule : MissingRule, float or dict, optional
        Default: the instrument's own rule (its YAML ``missing_rule``). A dict maps instrument id
        to a rule.

    Returns
    -------
    DataFrame
        One column per scale, named as in the instrument file; NaN where the rule is not met.
    """
    block = np.empty((len(instrument.scales), len(data)), dtype="float64")
    _score_block(data, [instrument], missing_rule, block)
    return pd.DataFrame(block.T, columns=[s.name for s in instrument.scales], index=data.index, copy=False)


def _check_keying(scores: pd.DataFrame, instrument: Instrument, label: str) -> None:
    for a, b in instrument.keying_checks:
        x, y = scores[a].to_numpy(), scores[b].to_numpy()
        both = ~(np.isnan(x) | np.isnan(y))  # respondents with both scores (no frame copied)
        if np.count_nonzero(both) >= 30:
            r = float(np.corrcoef(x[both], y[both])[0, 1])
            if r < 0:
                warnings.warn(
                    f"{label}: after keying, {a} correlates negatively with {b} (r = {r:.2f}); in real "
                    "data they correlate positively. The negatively worded items may already be "
                    "reversed in the export (forms that print 5..1): if so, list them under "
                    "reversed_in_source in the codebook.",
                    SurveyDataWarning,
                    stacklevel=3,
                )


def score_wave(wave, missing_rule=None, working_time: WorkingTime | None = None) -> pd.DataFrame:
    """Scale scores and derived variables, one row per analysable respondent.

    Parameters
    ----------
    wave : Wave
        From :func:`analysis.load_wave`.
    missing_rule : MissingRule, float or dict, optional
        The missing-answer rule (default: each instrument's own; see module docstring).
    working_time : WorkingTime, optional
        Parameters of ``extra_days_year`` (default 48 weeks a year, 7.5 hours a day).

    Returns
    -------
    DataFrame
        ``respondent_id``, ``wave``, then every scale of every instrument present (e.g.
        ``hse_demands`` ... ``hse_change``, ``pss4``, ``wrqol_gwb`` ... ``wrqol_total``,
        ``uwes_vigour`` ... ``uwes_total``, ``swemwbs_raw``, ``swemwbs_metric``), then the derived
        variables (``bme``, ``extra_hours_week``, ``extra_days_year``, ``dissatisfied``,
        ``presenteeism_2plus``). Higher HSE scores mean better conditions; higher PSS-4 means
        more stress.

    Warns
    -----
    SurveyDataWarning
        When, after keying, scales that should correlate positively (HSE Demands with Control and
        Managers' support) correlate negatively: the export may hold already-reversed items.

    Examples
    --------
    >>> from analysis import load_wave
    >>> from analysis.synthetic import demo_wave
    >>> scores = score_wave(load_wave(demo_wave(n=40, seed=3), wave=2018))
    >>> bool(scores["pss4"].between(0, 16).all())
    True
    """
    wave = as_wave(wave, "score_wave()")
    data = wave.data
    instruments = wave.instruments
    names = [s.name for inst in instruments for s in inst.scales]
    # All scores go into one block, filled in place: no copy of a million-row frame.
    block = np.empty((len(names), len(data)), dtype="float64")
    _score_block(data, instruments, missing_rule, block)
    scores = pd.DataFrame(block.T, columns=names, index=data.index, copy=False)
    for inst in instruments:
        _check_keying(scores, inst, f"wave {wave.label}")
    return pd.concat([data[["respondent_id", "wave"]], scores, derive(data, working_time)], axis=1)


def scoring_log(wave, missing_rule=None) -> pd.DataFrame:
    """Respondents whose scale scores are missing under the missing-answer rule.

    Only respondents who answered some but too few of a scale's items are logged here; those who
    answered none of an instrument are already in ``wave.exclusions`` (rule ``no_answers``).

    Returns
    -------
    DataFrame
        Exclusions log rows with ``scope="scale"`` and ``rule="too_few_answers"``.
    """
    wave = as_wave(wave, "scoring_log()")
    logs = [empty_log()]
    data = wave.data
    ids = data["respondent_id"].array  # only the logged ids become Python objects
    scratch = np.empty(len(data), dtype="float64")
    for inst in wave.instruments:
        rule = _rule_for(inst, missing_rule)
        any_answer = ~unanswered(data, inst.items)
        for scale in inst.scales:
            if scale.score == "lookup":
                continue
            answered = _scale_sums(data, inst, scale, scratch)
            k = len(scale.items)
            short = any_answer & (answered < rule.needed(k))
            logs.append(make_log(ids[short].to_numpy(dtype=object), "scale", scale.name, "too_few_answers",
                                 f"fewer than {rule.needed(k)} of {k} items answered "
                                 f"(missing-answer rule: at least {rule.min_answered:.0%}, rounded up)"))
    return concat_logs(*logs)


def analysis_frame(wave, missing_rule=None, working_time: WorkingTime | None = None) -> pd.DataFrame:
    """Scores and derived variables with the wave's own outcome and demographic columns: the one
    respondent-level table the models and comparisons take. Item answers and free text are left
    out.

    Examples
    --------
    >>> from analysis import load_wave
    >>> from analysis.synthetic import demo_wave
    >>> frame = analysis_frame(load_wave(demo_wave(n=40, seed=3), wave=2018))
    >>> {"pss4", "intend_leave_job", "sector"} <= set(frame.columns), "pss_1" in frame.columns
    (True, False)
    """
    wave = as_wave(wave, "analysis_frame()")
    scores = score_wave(wave, missing_rule, working_time)
    items = {c for inst in wave.instruments for c in inst.items}
    keep = [c for c in wave.data.columns if c not in items and c not in scores.columns and c != "comments"]
    return pd.concat([scores, wave.data[keep]], axis=1)


def respondents(data, caller: str) -> pd.DataFrame:
    """``data`` as the table of respondents an analysis takes: a DataFrame as it is, a loaded
    wave through :func:`analysis_frame` (the instruments' own missing-answer rules), anything else
    refused, saying what was given and what to pass.

    Examples
    --------
    >>> from analysis import load_wave
    >>> from analysis.synthetic import demo_wave
    >>> wave = load_wave(demo_wave(n=40, seed=3), wave=2018)
    >>> respondents(wave, "prevalence()").equals(analysis_frame(wave))
    True
    """
    return as_table(data, caller, from_wave=analysis_frame)
