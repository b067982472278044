"""Properties of scoring that must hold for any answers: reverse keying, the missing-answer rule,
proration, ranges, respondent order and independence, and the SWEMWBS look-up.

Each property draws answer matrices (with missing answers) for the shipped instruments
(``analysis/specs/instruments/*.yaml``) and checks :mod:`analysis.measures.scoring` against an independent numpy
computation. Examples are few and small so the file runs in a few seconds.
"""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import MissingRule, Wave, scoring_log
from analysis.reading.exclusions import empty_log
from analysis.instruments import load_instruments
from analysis.measures.scoring import keyed_items, score_instrument

INSTRUMENTS = {i.id: i for i in load_instruments()}
SWEMWBS = INSTRUMENTS["swemwbs"]
FAST = settings(max_examples=40, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

instruments = st.sampled_from(sorted(INSTRUMENTS.values(), key=lambda i: i.id))
rules = st.sampled_from([0.5, 0.8, 1.0, 0.25, 1 / 3])


@st.composite
def answers(draw, instrument=None, min_rows=1, max_rows=12, missing=True):
    """(instrument, DataFrame of raw answers with NaN for no answer, one row per respondent)."""
    inst = instrument or draw(instruments)
    n = draw(st.integers(min_rows, max_rows))
    values = list(range(inst.answer_min, inst.answer_max + 1))
    cell = st.sampled_from(values + ([np.nan, np.nan] if missing else []))  # NaN: no answer
    rows = draw(st.lists(st.lists(cell, min_size=len(inst.items), max_size=len(inst.items)),
                         min_size=n, max_size=n))
    frame = pd.DataFrame(np.array(rows, dtype="float64"), columns=list(inst.items))
    frame.insert(0, "respondent_id", [f"r{i}" for i in range(n)])
    return inst, frame


def independent_keyed(frame, inst) -> np.ndarray:
    """Reverse keying written out again, without the package."""
    x = frame[list(inst.items)].to_numpy(dtype=float).copy()
    for j, item in enumerate(inst.items):
        if item in inst.reverse:
            x[:, j] = inst.answer_min + inst.answer_max - x[:, j]
    return x


def needed(share, k):
    """Items a score needs: the share of k, rounded up (written out again, not MissingRule's)."""
    return max(1, math.ceil(share * k - 1e-9))


def scale_columns(inst, scale):
    return [inst.items.index(c) for c in scale.items]


def theoretical_range(inst, scale):
    k = len(scale.items)
    if scale.score == "mean":
        return inst.answer_min, inst.answer_max
    if scale.score == "sum":
        return inst.answer_min * k, inst.answer_max * k
    return min(scale.lookup.values()), max(scale.lookup.values())


# --- reverse keying ----------------------------------------------------------------------------------

@FAST
@given(answers())
def test_reverse_keying_is_an_involution(case):
    inst, frame = case
    once = keyed_items(frame, inst)
    twice = keyed_items(once, inst)
    pd.testing.assert_frame_equal(twice, frame[list(inst.items)].astype(float))


@pytest.mark.parametrize("inst", INSTRUMENTS.values(), ids=INSTRUMENTS)
def test_reverse_keying_swaps_min_and_max_and_leaves_other_items(inst):
    lo, hi = inst.answer_min, inst.answer_max
    for answer, expected_reversed in [(lo, hi), (hi, lo), (np.nan, np.nan)]:
        frame = pd.DataFrame({c: [answer] for c in inst.items}, dtype=float)
        keyed = keyed_items(frame, inst).iloc[0]
        for item in inst.items:
            want = expected_reversed if item in inst.reverse else answer
            assert keyed[item] == want or (np.isnan(want) and np.isnan(keyed[item])), (item, answer)


@FAST
@given(answers())
def test_keyed_answers_stay_in_the_answer_range(case):
    inst, frame = case
    keyed = keyed_items(frame, inst).to_numpy()
    answered = ~np.isnan(keyed)
    assert np.array_equal(answered, frame[list(inst.items)].notna().to_numpy())
    assert ((keyed[answered] >= inst.answer_min) & (keyed[answered] <= inst.answer_max)).all()


# --- complete answers --------------------------------------------------------------------------------

@FAST
@given(answers(missing=False))
def test_complete_answers_score_as_the_mean_or_sum_of_keyed_items(case):
    inst, frame = case
    scores = score_instrument(frame, inst)
    keyed = independent_keyed(frame, inst)
    for scale in inst.scales:
        x = keyed[:, scale_columns(inst, scale)]
        if scale.score == "mean":
            np.testing.assert_allclose(scores[scale.name], x.mean(axis=1), rtol=1e-12, atol=0)
        elif scale.score == "sum":
            np.testing.assert_array_equal(scores[scale.name], x.sum(axis=1))  # whole numbers: exact
        else:
            raw = scores[scale.lookup_from].to_numpy()
            np.testing.assert_array_equal(scores[scale.name], [scale.lookup[int(t)] for t in raw])


@FAST
@given(answers(missing=False), rules)
def test_complete_answers_score_the_same_under_any_rule(case, share):
    inst, frame = case
    pd.testing.assert_frame_equal(score_instrument(frame, inst, MissingRule(share)), score_instrument(frame, inst))


# --- the missing-answer rule -------------------------------------------------------------------------

@FAST
@given(answers(), rules)
def test_proration_above_the_minimum_and_missing_below_it(case, share):
    """k answered of K items: score = mean(answered keyed) (x K for sums) when k >= the rule's
    minimum, else missing."""
    inst, frame = case
    rule = MissingRule(share)
    scores = score_instrument(frame, inst, rule)
    keyed = independent_keyed(frame, inst)
    for scale in inst.scales:
        if scale.score == "lookup":
            continue
        x = keyed[:, scale_columns(inst, scale)]
        big_k = x.shape[1]
        for row, got in zip(x, scores[scale.name]):
            answered = row[~np.isnan(row)]
            if len(answered) >= needed(share, big_k):
                want = answered.mean() * (big_k if scale.score == "sum" else 1)
                assert got == pytest.approx(want, rel=1e-12, abs=1e-12), (scale.name, row)
            else:
                assert np.isnan(got), (scale.name, row)


@FAST
@given(answers(), rules)
def test_scoring_log_names_exactly_the_respondents_below_the_minimum(case, share):
    """Logged: some answer to the instrument, too few to the scale. Nobody with no answer to the
    instrument (they are in the wave's log at instrument scope), nobody scored."""
    inst, frame = case
    rule = MissingRule(share)
    wave = Wave(data=frame, exclusions=empty_log(), metadata={"wave": "t"}, known_instruments=(inst,))
    log = scoring_log(wave, rule)
    scores = score_instrument(frame, inst, rule)
    any_answer = frame[list(inst.items)].notna().any(axis=1)
    assert set(log["scope"]) <= {"scale"} and set(log["rule"]) <= {"too_few_answers"}
    for scale in inst.scales:
        if scale.score == "lookup":
            continue
        n_answered = frame[list(scale.items)].notna().sum(axis=1)
        expected = frame.loc[any_answer & (n_answered < needed(share, len(scale.items))), "respondent_id"]
        logged = log.loc[log["target"] == scale.name, "respondent_id"]
        assert sorted(logged) == sorted(expected) and logged.is_unique, scale.name
        missing = frame.loc[scores[scale.name].isna().to_numpy(), "respondent_id"]
        assert set(missing) == set(logged) | set(frame.loc[~any_answer, "respondent_id"]), scale.name


@given(st.floats(0.01, 1.0), st.integers(1, 40))
@FAST
def test_missing_rule_needs_between_one_and_all_items(share, k):
    n = MissingRule(share).needed(k)
    assert 1 <= n <= k and n == needed(share, k)
    assert n >= share * k - 1e-9 and (n == 1 or n - 1 < share * k - 1e-9)  # the least that is enough
    assert MissingRule(1.0).needed(k) == k


# --- ranges, order, independence ---------------------------------------------------------------------

@FAST
@given(answers(), rules)
def test_scores_stay_within_the_theoretical_range(case, share):
    inst, frame = case
    scores = score_instrument(frame, inst, MissingRule(share))
    for scale in inst.scales:
        lo, hi = theoretical_range(inst, scale)
        x = scores[scale.name].dropna()
        assert ((x >= lo - 1e-12) & (x <= hi + 1e-12)).all(), (scale.name, x.tolist())


@FAST
@given(answers(min_rows=2), st.randoms(use_true_random=False))
def test_permuting_respondents_permutes_their_scores(case, rnd):
    inst, frame = case
    order = list(range(len(frame)))
    rnd.shuffle(order)
    shuffled = frame.iloc[order].reset_index(drop=True)
    expected = score_instrument(frame, inst).iloc[order].reset_index(drop=True)
    pd.testing.assert_frame_equal(score_instrument(shuffled, inst), expected)


@FAST
@given(st.data())
def test_adding_a_respondent_leaves_the_others_scores_alone(data):
    inst, frame = data.draw(answers())
    _, extra = data.draw(answers(instrument=inst, min_rows=1, max_rows=3))
    extra["respondent_id"] = [f"new{i}" for i in range(len(extra))]
    at = data.draw(st.integers(0, len(frame)))
    grown = pd.concat([frame.iloc[:at], extra, frame.iloc[at:]], ignore_index=True)
    scores = score_instrument(grown, inst)
    keep = ~grown["respondent_id"].str.startswith("new").to_numpy()
    pd.testing.assert_frame_equal(scores[keep].reset_index(drop=True), score_instrument(frame, inst))


# --- SWEMWBS look-up ---------------------------------------------------------------------------------

def test_swemwbs_table_is_strictly_increasing_over_every_raw_total():
    scale = SWEMWBS.scale("swemwbs_metric")
    totals = sorted(scale.lookup)
    assert totals == list(range(7, 36))
    values = [scale.lookup[t] for t in totals]
    assert all(a < b for a, b in zip(values, values[1:]))
    assert (values[0], values[-1]) == (7.0, 35.0)


@FAST
@given(answers(instrument=SWEMWBS, min_rows=2, max_rows=20))
def test_swemwbs_metric_is_monotone_in_the_raw_total(case):
    """Prorated raw totals included: a higher raw total never gets a lower metric score."""
    _, frame = case
    s = score_instrument(frame, SWEMWBS).dropna().sort_values("swemwbs_raw")
    assert s["swemwbs_metric"].is_monotonic_increasing
    table = SWEMWBS.scale("swemwbs_metric").lookup
    for raw, metric in zip(s["swemwbs_raw"], s["swemwbs_metric"]):
        assert metric == table[math.floor(raw + 0.5)]  # rounded half up, then looked up
