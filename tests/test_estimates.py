"""Prevalence and group means with intervals, against closed forms and scipy computed here, and
their disclosure control (small groups, small counts, totals)."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.disclosure import assert_no_small_cells
from analysis.errors import SurveyDataError
from analysis.stats.estimates import group_means, prevalence


def wilson(k, n, level=0.95):
    """The Wilson score interval by its closed form."""
    z = stats.norm.ppf(1 - (1 - level) / 2)
    p = k / n
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    return centre - half, centre + half


def answers(k, n):
    """n answers of which k are 1."""
    return [1.0] * k + [0.0] * (n - k)


@pytest.fixture
def sectors():
    """Adults 37 of 120, Children 60 of 150, Fostering 3 of 40; two missing answers, one missing sector."""
    d = pd.DataFrame({
        "leave": answers(37, 120) + answers(60, 150) + answers(3, 40) + [np.nan, np.nan, 1.0],
        "sector": ["Adults"] * 120 + ["Children"] * 150 + ["Fostering"] * 40 + ["Adults", "Children", None],
    })
    return d


def test_wilson_interval_matches_closed_form():
    d = pd.DataFrame({"leave": answers(37, 200) + [np.nan] * 5, "ill": answers(150, 200) + [1.0] * 5})
    t = prevalence(d, ["leave", "ill"]).set_index("outcome")
    assert list(t.columns) == ["measure", "n", "count", "estimate", "std_error", "conf_low", "conf_high", "suppressed"]
    assert (t["measure"] == "share").all()
    assert t.loc["leave", ["n", "count"]].tolist() == [200, 37]  # missing answers left out
    assert t.loc["leave", "estimate"] == pytest.approx(0.185, rel=1e-12)
    assert t.loc["leave", "std_error"] == pytest.approx(np.sqrt(0.185 * 0.815 / 200), rel=1e-12)
    assert (t.loc["leave", "conf_low"], t.loc["leave", "conf_high"]) == pytest.approx(wilson(37, 200), rel=1e-12)
    assert (t.loc["ill", "conf_low"], t.loc["ill", "conf_high"]) == pytest.approx(wilson(155, 205), rel=1e-12)
    # Hand numbers: 37/200, z = 1.96: centre 0.190936, half-width 0.053634.
    assert t.loc["leave", "conf_low"] == pytest.approx(0.137302, abs=1e-6)
    assert t.loc["leave", "conf_high"] == pytest.approx(0.244571, abs=1e-6)
    narrow = prevalence(d, "leave", level=0.90).iloc[0]
    assert (narrow["conf_low"], narrow["conf_high"]) == pytest.approx(wilson(37, 200, 0.90), rel=1e-12)
    assert (t["suppressed"] == "").all()


def test_grouped_prevalence_rows_total_and_missing_groups(sectors):
    t = prevalence(sectors, "leave", by="sector", threshold=1)  # the figures, with nothing hidden
    assert list(t.columns) == ["outcome", "group", "measure", "n", "count", "estimate", "std_error", "conf_low",
                               "conf_high", "suppressed"]
    assert t["group"].tolist() == ["Adults", "Children", "Fostering", "All"]
    g = t.set_index("group")
    # the respondent without a sector counts in the total, which is the overall figure
    assert g.loc["All", ["n", "count"]].tolist() == [311, 101]
    overall = prevalence(sectors, "leave", threshold=1).iloc[0]
    assert (overall["n"], overall["count"], overall["estimate"]) == (311, 101, g.loc["All", "estimate"])
    assert g.loc["Children", "estimate"] == pytest.approx(0.4)
    assert (g.loc["Fostering", "conf_low"], g.loc["Fostering", "conf_high"]) == pytest.approx(wilson(3, 40))
    assert (g.loc["All", "conf_low"], g.loc["All", "conf_high"]) == pytest.approx(wilson(101, 311))


def test_categorical_groups_keep_their_order_and_boolean_outcomes_work():
    d = pd.DataFrame({"ill": [True] * 30 + [False] * 30,
                      "nation": pd.Categorical(["Wales"] * 20 + ["England"] * 40,
                                               categories=["Wales", "England", "Scotland"])})
    t = prevalence(d, "ill", by="nation")
    # the unused category is left out (an empty row would cost another group its figures)
    assert t["group"].tolist() == ["Wales", "England", "All"]
    g = t.set_index("group")
    assert g.loc["All", "count"] == 30 and g.loc["Wales", "count"] == 20 and g.loc["England", "count"] == 10
    assert (g["suppressed"] == "").all() and g.loc["Wales", "estimate"] == 1.0  # 20 of 20: zero said no


def test_small_count_is_suppressed_with_a_partner(sectors):
    # Fostering: 40 respondents but only 3 said yes -> primary; All minus the others would give
    # the 3 (and the one respondent without a sector, who said yes) away, so one more group goes
    # (Adults: fewest respondents among those with yes answers).
    t = prevalence(sectors, "leave", by="sector").set_index("group")
    assert t["suppressed"].to_dict() == {"Adults": "secondary", "Children": "", "Fostering": "primary", "All": ""}
    assert t.loc[["Adults", "Fostering"], ["n", "count", "estimate", "std_error", "conf_low", "conf_high"]].isna().all().all()
    assert t.loc["All", "count"] == 101 and t.loc["Children", "count"] == 60
    assert_no_small_cells(t)


def test_small_complement_is_suppressed():
    # 197 of 200 said yes: 3 said no, which is as disclosive.
    d = pd.DataFrame({"y": answers(197, 200) + answers(20, 40)})
    t = prevalence(d.iloc[:200], "y")
    assert t["suppressed"].item() == "primary" and np.isnan(t["estimate"].item()) and np.isnan(t["n"].item())
    shown = prevalence(d.iloc[200:], "y")
    assert shown["suppressed"].item() == "" and shown["count"].item() == 20


def test_zero_counts_are_shown_and_never_chosen_as_the_only_partner():
    # A: 3 of 100 yes (primary). B: 0 of 20 yes is the smallest group, but hiding it would leave
    # All - C = 3 yes among A and B together; C (yes answers) is chosen instead.
    d = pd.DataFrame({"y": answers(3, 100) + answers(0, 20) + answers(30, 60),
                      "g": ["A"] * 100 + ["B"] * 20 + ["C"] * 60})
    t = prevalence(d, "y", by="g").set_index("group")
    assert t["suppressed"].to_dict() == {"A": "primary", "B": "", "C": "secondary", "All": ""}
    assert t.loc["B", "count"] == 0 and t.loc["B", "estimate"] == 0
    hidden = ~t.index.isin(["All"]) & (t["suppressed"] != "")
    recovered_yes = t.loc["All", "count"] - t.loc[~hidden & (t.index != "All"), "count"].sum()
    assert recovered_yes == 33  # A + C: not a small count


def test_small_group_secondary_suppression_and_hidden_total():
    d = pd.DataFrame({"y": answers(2, 6) + answers(20, 50) + answers(30, 80),
                      "g": ["A"] * 6 + ["B"] * 50 + ["C"] * 80})
    t = prevalence(d, "y", by="g").set_index("group")
    assert t["suppressed"].to_dict() == {"A": "primary", "B": "secondary", "C": "", "All": ""}
    assert t.attrs["disclosure"].endswith("recovered from totals by subtraction")
    # every answer yes in the total except 3: the total is hidden, so nothing is subtracted
    d2 = pd.DataFrame({"y": answers(47, 50) + answers(80, 80), "g": ["A"] * 50 + ["B"] * 80})
    t2 = prevalence(d2, "y", by="g").set_index("group")
    assert t2["suppressed"].to_dict() == {"A": "primary", "B": "", "All": "primary"}


def test_no_small_count_can_be_recovered_from_the_total():
    """Whatever the data, the hidden rows of each outcome add up to 0 or at least the threshold."""
    rng = np.random.default_rng(1)
    for _ in range(200):
        sizes = rng.integers(0, 60, size=5)
        p = rng.choice([0.0, 0.02, 0.1, 0.5, 0.97, 1.0], size=5)
        y = np.concatenate([rng.random(s) < q for s, q in zip(sizes, p)]).astype(float)
        g = np.repeat(list("ABCDE"), sizes)
        raw = prevalence(pd.DataFrame({"y": y, "g": g}), "y", by="g", threshold=1).set_index("group")
        t = prevalence(pd.DataFrame({"y": y, "g": g}), "y", by="g").set_index("group")
        shown = t["suppressed"] == ""
        for col, value in (("yes", raw["count"]), ("no", raw["n"] - raw["count"])):
            assert not ((value[shown] > 0) & (value[shown] < 10)).any(), col
            if shown["All"]:
                hidden = value[~shown & (t.index != "All")].sum()
                assert hidden == 0 or hidden >= 10, (col, t)
        assert_no_small_cells(t.reset_index())


def test_group_means_t_interval():
    d = pd.DataFrame({"pss4": [1.0, 2.0, 4.0, 8.0, np.nan]})
    row = group_means(d, "pss4", threshold=1).iloc[0]
    assert (row["n"], row["estimate"]) == (4, 3.75)
    assert row["std_error"] == pytest.approx(3.095695936834452 / 2, rel=1e-12)
    assert row["sd"] == pytest.approx(3.095695936834452, rel=1e-12)
    # by hand: 3.75 -/+ t(0.975, 3) 3.182446 x 3.095696 / 2 = 4.925943
    assert (row["conf_low"], row["conf_high"]) == pytest.approx((-1.175943, 8.675943), abs=1e-6)
    rng = np.random.default_rng(3)
    x = rng.normal(8, 3, size=57)
    row = group_means(pd.DataFrame({"x": x}), "x", level=0.9).iloc[0]
    ci = stats.t.interval(0.9, 56, loc=x.mean(), scale=x.std(ddof=1) / np.sqrt(57))
    assert (row["conf_low"], row["conf_high"]) == pytest.approx(ci, rel=1e-12)
    assert row["sd"] == pytest.approx(x.std(ddof=1), rel=1e-12)


def test_group_means_by_group_with_total_and_suppression():
    rng = np.random.default_rng(4)
    d = pd.DataFrame({"pss4": rng.normal(6, 2, size=100), "sector": ["A"] * 5 + ["B"] * 35 + ["C"] * 60})
    d.loc[7, "pss4"] = np.nan
    d.loc[8, "sector"] = None
    t = group_means(d, ["pss4"], by="sector")
    assert list(t.columns) == ["outcome", "group", "measure", "n", "estimate", "std_error", "sd", "conf_low",
                               "conf_high", "suppressed"]
    g = t.set_index("group")
    assert g["suppressed"].to_dict() == {"A": "primary", "B": "secondary", "C": "", "All": ""}
    known = d.dropna()
    assert g.loc["All", "n"] == d["pss4"].notna().sum() == 99  # the respondent without a sector included
    assert g.loc["All", "estimate"] == pytest.approx(d["pss4"].mean(), rel=1e-12)
    c = known.loc[known.sector == "C", "pss4"]
    assert (g.loc["C", "conf_low"], g.loc["C", "conf_high"]) == pytest.approx(
        stats.t.interval(0.95, len(c) - 1, loc=c.mean(), scale=c.std(ddof=1) / np.sqrt(len(c))), rel=1e-12)
    assert g.loc[["A", "B"], ["n", "estimate", "std_error", "sd", "conf_low", "conf_high"]].isna().all().all()
    assert_no_small_cells(t)


def test_bad_calls():
    d = pd.DataFrame({"y": [0.0, 1.0, 2.0], "label": ["a", "b", "c"], "g": ["All", "x", "x"]})
    with pytest.raises(SurveyDataError, match=r"\[unknown column\].*'missing'") as err:
        prevalence(d, ["missing"], by="nowhere")
    assert "nothing was computed" in str(err.value) and len(err.value.problems) == 2
    with pytest.raises(SurveyDataError, match=r"(?s)\[not 0/1\] column 'y'.*values found: 2.0"):
        prevalence(d, "y")
    with pytest.raises(SurveyDataError, match=r"\[not numeric\] column 'label'"):
        group_means(d, "label")
    with pytest.raises(SurveyDataError, match=r"\[ambiguous groups\] column 'g'.*'All'"):
        group_means(d, "y", by="g")
    with pytest.raises(SurveyDataError, match=r"level=1.5"):
        group_means(d, "y", level=1.5)
    with pytest.raises(SurveyDataError, match=r"\[bad threshold\]"):
        prevalence(d.assign(y=1.0), "y", threshold=0)
    with pytest.raises(SurveyDataError, match=r"listed more than once"):
        group_means(d, ["y", "y"])
    with pytest.raises(SurveyDataError, match=r"by takes one column name"):
        group_means(d, "y", by=["g", "label"])


def test_the_same_groups_are_hidden_with_or_without_the_total(sectors):
    # The total is published elsewhere (an overall table), so a table without the All row hides
    # the same groups: otherwise the two tables together would give Fostering's 3 away.
    t = prevalence(sectors, "leave", by="sector", total=False).set_index("group")
    assert t["suppressed"].to_dict() == {"Adults": "secondary", "Children": "", "Fostering": "primary"}
    m = group_means(sectors.assign(x=1.0), "x", by="sector", total=False)
    assert m["group"].tolist() == ["Adults", "Children", "Fostering"]


def test_old_positional_calls_still_work_with_a_warning(sectors):
    with pytest.warns(DeprecationWarning, match=r"passing by, level, threshold positionally"):
        old = prevalence(sectors, "leave", "sector", 0.95, 3)
    pd.testing.assert_frame_equal(old, prevalence(sectors, "leave", by="sector", threshold=3))


def test_a_string_is_one_name_and_a_wave_gets_advice():
    d = pd.DataFrame({"pss4": [1.0, 2.0]})
    with pytest.raises(SurveyDataError, match=r"did you mean 'pss4'"):
        group_means(d, "psss4", threshold=1)

    # A loaded Wave is taken as analysis_frame(wave) (tests/test_guards.py); anything else that is
    # not a table gets the advice.
    with pytest.raises(SurveyDataError, match=r"e\.g\. analysis_frame\(wave\)"):
        group_means(object(), "pss4")
