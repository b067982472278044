"""Priority scoring of the member poll: the points method by hand, blanks both ways, ranks, intervals,
multi-select shares, the role breakdown's suppression, bad input, and the synthetic poll against the
published order and barrier percentages."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import SurveyDataError
from analysis.paths import SYNTHETIC_DIR
from analysis.studies.priorities import (load_poll, load_poll_spec, multi_select_shares, priority_by_group,
                                         priority_scores)
from analysis.synthetic.poll import answer_shares, generate_poll


def poll(**columns):
    n = len(next(iter(columns.values())))
    return load_poll(pd.DataFrame({"respondent_id": [f"r{i}" for i in range(n)], **columns}))


def test_points_method_by_hand_with_blanks_both_ways():
    p = poll(core_01=["high", "high", "low", None], core_02=["medium", "dont_agree", "Medium priority", "medium"])
    ex = priority_scores(p, "core", n_boot=0).set_index("item")
    # core_01: 3 + 3 + 1 = 7 points of 3 x 3 answered = 9 -> 77.78 %; one blank, counted.
    assert (ex.loc["core_01", "points"], ex.loc["core_01", "max_points"]) == (7.0, 9.0)
    assert ex.loc["core_01", "estimate"] == pytest.approx(700 / 9)
    assert (ex.loc["core_01", "n_answered"], ex.loc["core_01", "n_no_answer"]) == (3, 1)
    # core_02: 2 + 0 + 2 + 2 = 6 of 12 -> 50 % (an answer label is read as its key).
    assert ex.loc["core_02", "estimate"] == 50.0
    assert (ex["measure"] == "priority_score").all() and (ex["question_set"] == "core").all()
    zero = priority_scores(p, "core", no_answer="zero", n_boot=0).set_index("item")
    # With blanks as 0 points the denominator is every respondent: 7 of 12 -> 58.33 %.
    assert (zero.loc["core_01", "max_points"], zero.loc["core_01", "estimate"]) == (12.0, pytest.approx(700 / 12))
    assert list(ex["no_answer"].unique()) == ["exclude"] and list(zero["no_answer"].unique()) == ["zero"]
    # Items the poll did not ask are scored on nobody, not dropped silently.
    assert np.isnan(ex.loc["core_15", "estimate"]) and ex.loc["core_15", "n_answered"] == 0


def test_ties_share_the_better_rank():
    p = poll(core_01=["high", "low"], core_02=["medium", "medium"], core_03=["high", "high"])
    t = priority_scores(p, "core", n_boot=0)
    ranks = dict(zip(t["item"], t["rank"]))
    assert ranks["core_03"] == 1 and ranks["core_01"] == ranks["core_02"] == 2
    assert list(t["item"][:3]) == ["core_03", "core_01", "core_02"]


def test_bootstrap_interval_is_seeded_and_matches_the_normal_approximation_in_large_samples():
    rng = np.random.default_rng(5)
    answers = rng.choice(["high", "medium", "low", "dont_agree"], size=600, p=[0.5, 0.3, 0.15, 0.05])
    p = poll(core_01=list(answers))
    a = priority_scores(p, "core", n_boot=1999).set_index("item").loc["core_01"]
    b = priority_scores(p, "core", n_boot=1999).set_index("item").loc["core_01"]
    assert (a["conf_low"], a["conf_high"]) == (b["conf_low"], b["conf_high"])
    pts = pd.Series(answers).map({"high": 3, "medium": 2, "low": 1, "dont_agree": 0}).to_numpy(float)
    half = stats.norm.ppf(0.975) * pts.std(ddof=1) / np.sqrt(len(pts)) * 100 / 3
    assert a["conf_low"] == pytest.approx(a["estimate"] - half, abs=0.6)
    assert a["conf_high"] == pytest.approx(a["estimate"] + half, abs=0.6)
    unanimous = priority_scores(poll(core_01=["high"] * 20), "core").set_index("item").loc["core_01"]
    assert (unanimous["estimate"], unanimous["conf_low"], unanimous["conf_high"]) == (100.0, 100.0, 100.0)


def test_barriers_share_of_those_answering_with_small_counts_suppressed():
    n = 50
    money = [1.0] * 45 + [0.0] * 3 + [np.nan] * 2          # 2 did not answer the question at all
    other = [1.0] * 4 + [0.0] * 44 + [np.nan] * 2
    cuts = [0.0] * 48 + [np.nan] * 2
    t = multi_select_shares(poll(barrier_money=money, barrier_other=other, barrier_cuts=cuts), "barriers")
    t = t.set_index("option")
    assert t.loc["barrier_money", "n"] == 48 and t.loc["barrier_money", "estimate"] == pytest.approx(45 / 48)
    lo, hi = (45 / 48 + 1.96**2 / 96 + np.array([-1, 1]) * stats.norm.ppf(0.975)
              * np.sqrt(45 / 48 * 3 / 48 / 48 + stats.norm.ppf(0.975) ** 2 / (4 * 48**2))) / (1 + stats.norm.ppf(0.975) ** 2 / 48)
    assert t.loc["barrier_money", "conf_low"] == pytest.approx(lo, abs=1e-3)
    assert t.loc["barrier_other", "suppressed"] == "primary" and np.isnan(t.loc["barrier_other", "estimate"])
    assert t.loc["barrier_cuts", "count"] == 0 and t.loc["barrier_cuts", "suppressed"] == ""  # a zero is shown
    # Options nobody was asked about count as not chosen, among the same 48.
    assert t.loc["barrier_stress", "count"] == 0 and len(t) == 7
    assert len(money) == n


def test_role_breakdown_suppresses_small_roles_and_protects_them_from_the_total():
    roles = ["social_worker"] * 30 + ["senior_social_worker"] * 12 + ["team_manager"] * 5
    answers = ["high"] * 30 + ["medium"] * 12 + ["low"] * 5
    t = priority_scores(poll(role=roles, core_01=answers), "core", by="role", n_boot=0)
    c1 = t[t["item"] == "core_01"].set_index("group")
    assert c1.loc["social_worker", "estimate"] == 100.0 and c1.loc["All", "n"] == 47
    assert c1.loc["All", "estimate"] == pytest.approx(100 * (90 + 24 + 5) / 141)
    assert c1.loc["team_manager", "suppressed"] == "primary"
    # The All row minus social workers would give team managers away: senior social workers go too.
    assert c1.loc["senior_social_worker", "suppressed"] == "secondary" and np.isnan(c1.loc["senior_social_worker", "estimate"])
    assert "social_work_assistant" not in c1.index  # nobody in that role: no row
    # Respondents who did not give a role are a row of their own, shown in full: a missing answer
    # describes no one, so it hides no other role either.
    roles = ["social_worker"] * 40 + ["senior_social_worker"] * 35 + [None] * 5
    with pytest.warns(DeprecationWarning, match=r"priority_by_group\(\) is deprecated"):
        t = priority_by_group(poll(role=roles, core_01=["high"] * 75 + ["dont_agree"] * 5), "role", "core")
    c1 = t[t["item"] == "core_01"].set_index("group")
    assert c1.loc["(not answered)", "suppressed"] == "" and c1.loc["(not answered)", "n"] == 5
    assert c1.loc["All", "n"] == 80 and (c1["suppressed"] == "").all()


def test_bad_input_is_reported_with_rows_and_fix():
    bad = pd.DataFrame({"respondent_id": ["a", "b", "b"], "core_01": ["high", "very high", "low"],
                        "barrier_money": [1, 2, 0], "role": ["social_worker", "chief", "other"], "extra": [1, 2, 3]})
    with pytest.raises(SurveyDataError) as err:
        load_poll(bad)
    kinds = {(p.kind, p.column) for p in err.value.problems}
    assert kinds == {("duplicate respondent id", "respondent_id"), ("unknown column", "extra"),
                     ("out of range", "core_01"), ("out of range", "barrier_money"), ("out of range", "role")}
    core = next(p for p in err.value.problems if p.column == "core_01")
    assert core.rows == (2,) and core.values == ("very high",) and "leave the cell blank" in core.fix
    with pytest.raises(SurveyDataError, match="no_answer='half'"):
        priority_scores(load_poll(bad.iloc[[0]].drop(columns="extra").assign(barrier_money=1, role="other")),
                        no_answer="half")


def test_a_poll_spec_is_checked_against_its_schema():
    spec = {"id": "p", "title": "t", "answers": {"yes": 1, "no": -1}, "rated": {"g": {"title": "x", "items": {}}}}
    with pytest.raises(SurveyDataError) as err:
        load_poll_spec(spec)
    text = str(err.value)
    assert "answers/no" in text and "rated/g/items" in text


def test_answer_shares_hit_the_target_score():
    pts = {"high": 3, "medium": 2, "low": 1, "dont_agree": 0}
    for target in (40, 66.6, 88):
        p = answer_shares(pts, target)
        assert sum(p[k] * v for k, v in pts.items()) / 3 * 100 == pytest.approx(target, abs=1e-9)
        assert sum(p.values()) == pytest.approx(1)


# Published (docs/sources.md#member-poll), typed here, not read from the parameters.
TOP_FIVE = ["core_06", "core_07", "core_08", "core_03", "core_04"]
BOTTOM_THREE = ["core_02", "core_13", "core_11"]  # 13th, 14th, 15th (as listed, lowest last)
BARRIERS = {"barrier_money": 91, "barrier_cuts": 90, "barrier_stress": 87, "barrier_bureaucracy": 81}


def test_synthetic_poll_reproduces_the_published_order_and_barriers():
    p = load_poll(SYNTHETIC_DIR / "union_poll.csv")
    assert p.synthetic and p.metadata["n"] == 105
    core = priority_scores(p, "core", n_boot=0)
    assert list(core["item"][:5]) == TOP_FIVE and list(core["item"][-3:]) == BOTTOM_THREE
    assoc = priority_scores(p, "associated", n_boot=0)
    assert list(assoc["item"][:2]) == ["assoc_01", "assoc_02"]
    gov = priority_scores(p, "government", n_boot=0)
    assert list(gov["item"][:2]) == ["gov_01", "gov_02"]
    shares = multi_select_shares(p, "barriers").set_index("option")["estimate"]
    for option, pct in BARRIERS.items():
        assert abs(100 * shares[option] - pct) <= 2, option
    roles = p.data["role"].value_counts(normalize=True)
    assert roles["social_worker"] > 0.5 and roles["senior_social_worker"] == pytest.approx(0.15, abs=0.01)
    assert (p.data["employer"] == "council").mean() == pytest.approx(0.95, abs=0.01)
    pd.testing.assert_frame_equal(generate_poll(), generate_poll())


def test_group_breakdown_has_bootstrap_intervals_and_the_overall_rows_match():
    roles = ["social_worker"] * 60 + ["senior_social_worker"] * 40
    rng = np.random.default_rng(8)
    p = poll(role=roles, core_01=list(rng.choice(["high", "medium", "low"], size=100)))
    by = priority_scores(p, "core", by="role", n_boot=499).set_index(["item", "group"])
    overall = priority_scores(p, "core", n_boot=499).set_index("item")
    row = by.loc[("core_01", "All")]
    assert row[["estimate", "conf_low", "conf_high", "rank"]].tolist() == \
        overall.loc["core_01", ["estimate", "conf_low", "conf_high", "rank"]].tolist()
    assert by.loc[("core_01", "social_worker"), "conf_low"] < by.loc[("core_01", "social_worker"), "estimate"]
    assert by.attrs["by"] == "role" and set(by.loc["core_01", "suppressed"]) == {""}
    assert set(by.loc["core_02", "suppressed"]) == {"primary"}  # asked of nobody: n = 0 everywhere


def test_an_item_the_poll_has_no_column_for_is_never_scored_zero():
    """With no_answer="zero" an absent item was 0 points from everyone: a score of 0 %. A DataFrame
    built in code may hold only the items it means to score, so no warning here (a file warns:
    tests/test_malformed_inputs.py)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        p = poll(core_01=["high", "low", None])
    zero = priority_scores(p, "core", no_answer="zero", n_boot=0).set_index("item")
    assert np.isnan(zero.loc["core_15", "estimate"]) and zero.loc["core_15", "n"] == 0
    assert zero.loc["core_01", "estimate"] == pytest.approx(400 / 9)


def test_poll_ids_are_compared_as_text_ignoring_case_and_spaces():
    with pytest.raises(SurveyDataError, match="differ only in case or surrounding spaces"):
        load_poll(pd.DataFrame({"respondent_id": ["A1", "a1 "], "core_01": ["high", "low"]}))
    assert load_poll(pd.DataFrame({"respondent_id": ["007", "7"], "core_01": ["high", "low"]})).metadata["n"] == 2
