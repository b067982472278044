"""Scale scores against hand-worked examples: reverse keying, the missing-answer rule, look-ups."""

import warnings

import numpy as np
import pandas as pd
import pytest

from analysis import MissingRule, SurveyDataWarning, WorkingTime, load_wave, score_wave, scoring_log
from analysis.instruments import load_instruments

NAN = np.nan
HSE_ITEMS = [f"hse_{i:02d}" for i in range(1, 36)]


def _hse_row(**answers):
    row = {c: 4.0 for c in HSE_ITEMS}
    row.update({f"hse_{int(k[1:]):02d}": v for k, v in answers.items()})
    return row


@pytest.fixture(scope="module")
def hand():
    """Three respondents worked by hand (comments give the arithmetic)."""
    r1 = _hse_row(
        # Demands items 3 6 9 12 16 18 20 22 answered 1 2 3 4 5 1 2 3 -> keyed 6-x: 5 4 3 2 1 5 4 3 -> 27/8
        q3=1, q6=2, q9=3, q12=4, q16=5, q18=1, q20=2, q22=3,
        # Relationships 5 14 21 34 answered 2 2 5 - -> keyed 4 4 1 -> 9/3 = 3 (3 of 4 answered)
        q5=2, q14=2, q21=5, q34=NAN,
        # Change 26 28 32 answered 5 - - -> 1 of 3 answered, below ceil(1.5) = 2 -> missing
        q26=5, q28=NAN, q32=NAN,
        # Role 1 4 11 13 17 answered 5 5 4 - - -> 14/3 (3 of 5 = ceil(2.5))
        q1=5, q4=5, q11=4, q13=NAN, q17=NAN,
    )
    r2 = _hse_row(q26=1, q28=2, q32=3)  # Change 6/3 = 2; Role 4
    r3 = _hse_row(q1=5, q4=NAN, q11=NAN, q13=NAN, q17=NAN)  # Role: 1 of 5 answered -> missing
    rows = [r1, r2, r3]
    pss = [[3, 1, 0, 4], [2, NAN, 1, NAN], [NAN, NAN, NAN, 1]]
    # PSS-4: items 2 and 3 reversed as 4-x.
    #   r1: 3 + 3 + 4 + 4 = 14;  r2: keyed 2, 3 -> mean 2.5 x 4 = 10;  r3: 1 of 4 answered -> missing
    swem = [[3, 3, 3, 3, 3, 3, 3], [2, 2, 3, 3, NAN, NAN, NAN], [3, 3, 3, 3, 3, 4, NAN]]
    # SWEMWBS raw: r1 21 -> metric 19.25; r2 10/4 x 7 = 17.5 -> rounded half up 18 -> 17.43;
    #              r3 19/6 x 7 = 22.1667 -> 22 -> 19.98
    for r, p, s in zip(rows, pss, swem):
        r.update({f"pss_{i + 1}": v for i, v in enumerate(p)})
        r.update({f"swemwbs_{i + 1}": v for i, v in enumerate(s)})
    data = pd.DataFrame(rows)
    data.insert(0, "respondent_id", ["r1", "r2", "r3"])
    data["ethnicity"] = ["black", "white_other", None]
    data["hours_contracted"] = [37.0, 37.5, 30.0]
    data["hours_actual"] = [47.0, NAN, 29.0]
    data["job_satisfaction"] = [3.0, 4.0, NAN]
    data["presenteeism_12m"] = [2.0, 1.0, 3.0]
    return load_wave(data, wave="t")


def test_hse_by_hand(hand):
    s = score_wave(hand).set_index("respondent_id")
    assert s.loc["r1", "hse_demands"] == 27 / 8
    assert s.loc["r1", "hse_relationships"] == 3.0
    assert np.isnan(s.loc["r1", "hse_change"])
    assert s.loc["r1", "hse_role"] == pytest.approx(14 / 3, abs=1e-15)
    assert s.loc["r1", "hse_control"] == 4.0
    # All-4 answers: 4 on positive scales, 6 - 4 = 2 on the reversed ones.
    assert s.loc["r2", "hse_demands"] == 2.0 and s.loc["r2", "hse_relationships"] == 2.0
    assert s.loc["r2", "hse_change"] == 2.0
    assert np.isnan(s.loc["r3", "hse_role"])


def test_pss4_by_hand(hand):
    s = score_wave(hand).set_index("respondent_id")["pss4"]
    assert s["r1"] == 14.0 and s["r2"] == 10.0 and np.isnan(s["r3"])


def test_swemwbs_lookup_by_hand(hand):
    s = score_wave(hand).set_index("respondent_id")
    assert s.loc["r1", "swemwbs_raw"] == 21.0 and s.loc["r1", "swemwbs_metric"] == 19.25
    assert s.loc["r2", "swemwbs_raw"] == 17.5 and s.loc["r2", "swemwbs_metric"] == 17.43
    assert s.loc["r3", "swemwbs_raw"] == pytest.approx(19 / 6 * 7) and s.loc["r3", "swemwbs_metric"] == 19.98


def test_missing_rule_is_configurable(hand):
    strict = score_wave(hand, missing_rule=MissingRule(1.0)).set_index("respondent_id")
    assert np.isnan(strict.loc["r1", "hse_relationships"]) and np.isnan(strict.loc["r2", "pss4"])
    assert strict.loc["r1", "pss4"] == 14.0
    # Per instrument: only PSS-4 made strict.
    mixed = score_wave(hand, missing_rule={"pss4": 1.0}).set_index("respondent_id")
    assert np.isnan(mixed.loc["r2", "pss4"]) and mixed.loc["r1", "hse_relationships"] == 3.0
    # Lenient: one answer is enough.
    lenient = score_wave(hand, missing_rule=0.1).set_index("respondent_id")
    assert lenient.loc["r1", "hse_change"] == 5.0  # item 26 answered 5; Change is positively keyed


def test_missing_rule_counts():
    rule = MissingRule(0.5)
    assert [rule.needed(k) for k in (2, 3, 4, 5, 6, 8, 23)] == [1, 2, 2, 3, 3, 4, 12]
    with pytest.raises(ValueError):
        MissingRule(0)


def test_scoring_log_names_each_missing_score(hand):
    log = scoring_log(hand)
    got = sorted(zip(log.respondent_id, log.target))
    assert got == [("r1", "hse_change"), ("r3", "hse_role"), ("r3", "pss4")]
    assert set(log.rule) == {"too_few_answers"} and set(log.scope) == {"scale"}
    assert "fewer than 2 of 3 items answered" in log.set_index("target").loc["hse_change", "reason"]


def test_derived_by_hand(hand):
    s = score_wave(hand).set_index("respondent_id")
    assert s["bme"].tolist()[:2] == [1.0, 0.0] and np.isnan(s.loc["r3", "bme"])
    assert s.loc["r1", "extra_hours_week"] == 10.0
    assert s.loc["r1", "extra_days_year"] == 64.0  # 10 x 48 / 7.5, the 2017 report's arithmetic
    assert np.isnan(s.loc["r2", "extra_days_year"])
    assert s.loc["r3", "extra_hours_week"] == -1.0
    assert s["dissatisfied"].tolist()[:2] == [1.0, 0.0] and np.isnan(s.loc["r3", "dissatisfied"])
    assert s["presenteeism_2plus"].tolist() == [1.0, 0.0, 1.0]
    # 11 h a week gives 64 days only with about 44 weeks (docs/sources.md#working-time).
    wt = WorkingTime(weeks_per_year=44, hours_per_day=7.5)
    assert score_wave(hand, working_time=wt).set_index("respondent_id").loc["r1", "extra_days_year"] == pytest.approx(10 * 44 / 7.5)
    assert "44 working weeks" in wt.describe()


def test_wrqol_and_uwes_by_hand():
    row = {f"wrqol_{i:02d}": 4.0 for i in range(1, 25)}
    row.update({"wrqol_07": 5.0, "wrqol_09": 1.0, "wrqol_19": NAN})
    row.update({f"uwes_{i}": float(min(i - 1, 6)) for i in range(1, 10)})  # 0 1 2 3 4 5 6 6 6
    data = pd.DataFrame([row]).assign(respondent_id="x")
    s = score_wave(load_wave(data, wave="t")).iloc[0]
    # SAW: item 7 reversed 6-5 = 1; item 19 missing -> 1 of 2 answered (needs 1) -> 1 x 2 = 2
    assert s["wrqol_saw"] == 2.0
    # GWB items 4 9 10 15 17 21: 4, 6-1=5, 4, 4, 4, 4 -> 25
    assert s["wrqol_gwb"] == 25.0
    # Total: 20 items at 4 (80) + item 7 -> 1 + item 9 -> 5 = 86 over 22 answered -> 86/22 x 23
    assert s["wrqol_total"] == pytest.approx(86 / 22 * 23)
    # UWES: vigour items 1 2 5 = 0 1 4 -> 5/3; absorption 6 8 9 = 5 6 6 -> 17/3; total 33/9
    assert s["uwes_vigour"] == pytest.approx(5 / 3)
    assert s["uwes_absorption"] == pytest.approx(17 / 3)
    assert s["uwes_total"] == pytest.approx(33 / 9)


def test_keying_trap_warns_and_codebook_fixes_it(demo):
    wave = load_wave(demo)
    reference = score_wave(wave)
    demands = [c for c in HSE_ITEMS if int(c[4:]) in (3, 6, 9, 12, 16, 18, 20, 22)]
    printed = demo.copy()
    printed[demands] = 6 - printed[demands]  # keyed from a form that prints the scores reversed
    with pytest.warns(SurveyDataWarning, match="reversed_in_source"):
        score_wave(load_wave(printed))
    fixed = load_wave(printed, {"codebook": 1, "reversed_in_source": demands})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pd.testing.assert_frame_equal(score_wave(fixed), reference)


def test_scores_stay_in_range(demo):
    s = score_wave(load_wave(demo))
    for inst in load_instruments():
        for scale in inst.scales:
            k = len(scale.items)
            lo, hi = {"mean": (inst.answer_min, inst.answer_max),
                      "sum": (inst.answer_min * k, inst.answer_max * k),
                      "lookup": (7, 35)}[scale.score]
            x = s[scale.name].dropna()
            assert len(x) > 250 and x.between(lo, hi).all(), scale.name


def test_analysis_frame_has_no_items_or_free_text():
    from .conftest import frame

    f = frame("2018")
    assert len(f) == 3421 and "hse_03" not in f and "comments" not in f
    assert {"pss4", "intend_leave_job", "sector", "bme"} <= set(f.columns)


def test_every_score_equals_the_mean_of_the_keyed_answers_even_below_the_scale(demo):
    """The block-wise sums add a missing answer as 0 (``fmax``); a wave whose data were changed
    after loading, so that an answer lies below the scale or below 0 (which load_wave refuses), is
    still scored from the answers as they are, none clipped. Checked against pandas' row means of
    the keyed items, scale by scale."""
    wave = load_wave(demo)
    wave.data.loc[0, "hse_01"] = 0.0  # below 1, the HSE tool's lowest answer
    wave.data.loc[1, "pss_2"] = -3.0  # below 0, and a reversed item
    scores = score_wave(wave)
    for inst in wave.instruments:
        keyed = wave.data[list(inst.items)].copy()
        keyed[list(inst.reverse)] = inst.answer_min + inst.answer_max - keyed[list(inst.reverse)]
        rule = MissingRule(inst.min_answered)
        for scale in inst.scales:
            if scale.score == "lookup":
                continue
            items = keyed[list(scale.items)]
            k, answered = len(scale.items), items.notna().sum(axis=1)
            expected = items.mean(axis=1) * (k if scale.score == "sum" else 1)
            expected[answered < rule.needed(k)] = NAN
            np.testing.assert_allclose(scores[scale.name], expected, rtol=1e-13, atol=1e-13, err_msg=scale.name)
    assert scores.loc[0, "hse_role"] == pytest.approx(wave.data.loc[0, ["hse_01", "hse_04", "hse_11", "hse_13",
                                                                        "hse_17"]].mean())


def test_no_respondents_and_two_instruments_with_a_scale_of_the_same_name(demo):
    """Scale names are unique within an instrument, not across a user's instruments: each scale
    is scored into its own row. A frame of no respondents gives an empty table, not an error."""
    import dataclasses

    from analysis.measures.scoring import _score_block, score_instrument

    data = load_wave(demo).data
    pss = next(inst for inst in load_instruments() if inst.id == "pss4")
    twin = dataclasses.replace(pss, id="pss4_twin")
    block = np.full((2, len(data)), -12345.0)
    _score_block(data, [pss, twin], None, block)
    expected = score_instrument(data, pss)["pss4"].to_numpy()
    np.testing.assert_array_equal(block[0], expected)
    np.testing.assert_array_equal(block[1], expected)
    assert score_instrument(data.iloc[:0], pss).shape == (0, 1)


def test_block_sums_are_the_one_by_one_sums_to_the_last_bit():
    """Whatever the answers (not whole, negative, -0.0), each score is the one-by-one sum of the
    answered keyed items in item order, divided by the number answered: compared bit for bit with
    that sum written out plainly."""
    from analysis.measures.scoring import score_instrument

    rng = np.random.default_rng(11)
    for inst in load_instruments():
        n = 40_000  # more than one block of respondents
        data = pd.DataFrame({c: rng.uniform(inst.answer_min, inst.answer_max, n) for c in inst.items})
        data = data.mask(rng.random(data.shape) < 0.1)
        data.iloc[3, 0], data.iloc[35_000, 1], data.iloc[9, 2] = -2.5, inst.answer_min - 0.7, -0.0
        got = score_instrument(data, inst)
        rule = MissingRule(inst.min_answered)
        for scale in inst.scales:
            if scale.score == "lookup":
                continue
            total, answered, rev_answered = np.zeros(n), np.zeros(n), np.zeros(n)
            for item in scale.items:
                x = data[item].to_numpy()
                sign = -1.0 if item in inst.reverse else 1.0
                total = total + np.where(np.isnan(x), 0.0, sign * x)
                answered += ~np.isnan(x)
                if item in inst.reverse:
                    rev_answered += ~np.isnan(x)
            if set(inst.reverse) & set(scale.items):
                total = total + rev_answered * float(inst.answer_min + inst.answer_max)
            k = len(scale.items)
            with np.errstate(invalid="ignore", divide="ignore"):
                expected = total / answered if scale.score == "mean" else total * k / answered
            expected[answered < rule.needed(k)] = np.nan
            np.testing.assert_array_equal(got[scale.name].to_numpy(), expected, err_msg=scale.name)
