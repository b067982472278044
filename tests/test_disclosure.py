"""Disclosure control: primary and secondary suppression, the crosstab rule, the check, bad calls.

Reference numbers: every table here is small and made by hand; the expected suppressions are
worked out in the comments beside them. Whether a suppressed cell can still be recovered is
checked independently of the module's own cycle test, by linear algebra: a suppressed cell is
recoverable exactly when its unit vector lies in the row space of the table's additions
(``determined_cells`` below).
"""

import numpy as np
import pandas as pd
import pytest

from analysis.disclosure import (
    DEFAULT_THRESHOLD,
    SuppressedCrosstab,
    assert_no_small_cells,
    disclosure_note,
    suppress,
    suppress_crosstab,
)
from analysis.errors import SurveyDataError

# --------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------


def determined_cells(counts: pd.DataFrame, hidden: pd.DataFrame, margins: str = "All") -> list:
    """Suppressed cells that the table's additions determine exactly.

    Each interior row and column adds up to its margin (shown in the table, or taken as known
    from elsewhere when the table has none), and the margins add up to the grand total. Shown
    cells are known constants, so only the suppressed cells' coefficients matter.
    """
    rows, cols = list(counts.index), list(counts.columns)
    mr = rows.index(margins) if margins in rows else None
    mc = cols.index(margins) if margins in cols else None
    ir = [i for i in range(len(rows)) if i != mr]
    ic = [j for j in range(len(cols)) if j != mc]
    equations = []
    for i in ir:
        equations.append({**{(i, j): 1 for j in ic}, **({(i, mc): -1} if mc is not None else {})})
    for j in ic:
        equations.append({**{(i, j): 1 for i in ir}, **({(mr, j): -1} if mr is not None else {})})
    if mr is not None:
        equations.append({**{(mr, j): 1 for j in ic}, **({(mr, mc): -1} if mc is not None else {})})
    if mc is not None:
        equations.append({**{(i, mc): 1 for i in ir}, **({(mr, mc): -1} if mr is not None else {})})
    mask = hidden.to_numpy(dtype=bool)
    unknowns = [(int(i), int(j)) for i, j in zip(*np.nonzero(mask))]
    a = np.array([[eq.get(u, 0) for u in unknowns] for eq in equations], dtype=float)
    rank = np.linalg.matrix_rank(a)
    found = []
    for k, (i, j) in enumerate(unknowns):
        unit = np.zeros(len(unknowns))
        unit[k] = 1
        if np.linalg.matrix_rank(np.vstack([a, unit])) == rank:
            found.append((rows[i], cols[j]))
    return found


def lone_suppressions(hidden: pd.DataFrame) -> list:
    """Rows and columns holding exactly one suppressed cell."""
    h = hidden.to_numpy(dtype=bool)
    return ([("row", hidden.index[i]) for i in np.flatnonzero(h.sum(axis=1) == 1)]
            + [("column", hidden.columns[j]) for j in np.flatnonzero(h.sum(axis=0) == 1)])


def with_margins(interior: pd.DataFrame) -> pd.DataFrame:
    """Add the 'All' row and column, as pandas.crosstab(margins=True) does."""
    out = interior.copy()
    out["All"] = out.sum(axis=1)
    out.loc["All"] = out.sum(axis=0)
    return out


def messages(err: pytest.ExceptionInfo) -> str:
    return "\n".join(p.message + " | " + p.fix for p in err.value.problems)


# --------------------------------------------------------------------------------------------
# Tidy tables: primary suppression
# --------------------------------------------------------------------------------------------


def test_boundary_nine_suppressed_ten_kept():
    t = pd.DataFrame({"sector": ["Adults", "Children", "Fostering"], "n": [9, 10, 11],
                      "mean": [3.1, 3.4, 2.9], "sd": [0.8, 0.7, 0.9]})
    out = suppress(t)
    assert DEFAULT_THRESHOLD == 10
    assert out["suppressed"].tolist() == ["primary", "", ""]
    assert np.isnan(out.loc[0, ["n", "mean", "sd"]].to_numpy(dtype=float)).all()
    assert out.loc[1, ["n", "mean", "sd"]].tolist() == [10.0, 3.4, 0.7]
    assert out.loc[2, ["n", "mean", "sd"]].tolist() == [11.0, 2.9, 0.9]
    assert out["sector"].tolist() == ["Adults", "Children", "Fostering"]  # labels are kept
    assert out.attrs["disclosure"] == "cells resting on fewer than 10 respondents are suppressed"
    assert t["n"].tolist() == [9, 10, 11]  # the input is not changed


def test_configurable_threshold_five():
    t = pd.DataFrame({"group": list("abcd"), "n": [4, 5, 9, 0], "share": [0.25, 0.4, 0.33, np.nan]})
    out = suppress(t, threshold=5)
    # 4 < 5 suppressed; 5 and 9 kept at threshold 5; an empty group (n = 0) is suppressed too.
    assert out["suppressed"].tolist() == ["primary", "", "", "primary"]
    assert out["n"].tolist()[1:3] == [5.0, 9.0]
    assert out.attrs["disclosure"] == "cells resting on fewer than 5 respondents are suppressed"


def test_value_columns_default_and_explicit():
    t = pd.DataFrame({"wave": [2018, 2018], "sector": ["a", "b"], "k": [4, 4], "n": [3, 40],
                      "mean": [1.0, 2.0], "label": ["1.0 (0.2)", "2.0 (0.3)"]})
    out = suppress(t, by="wave")  # wave is a by column: kept; k is numeric: blanked by default
    assert out.loc[0, "wave"] == 2018 and np.isnan(out.loc[0, "k"]) and out.loc[0, "label"] == "1.0 (0.2)"
    out = suppress(t, value_columns=["mean", "label"])  # numeric labels kept, the text blanked
    assert out.loc[0, "k"] == 4 and out.loc[0, "wave"] == 2018
    assert pd.isna(out.loc[0, "label"]) and np.isnan(out.loc[0, "mean"])
    assert out.loc[1, "label"] == "2.0 (0.3)"


def test_nothing_small_changes_nothing_but_types():
    t = pd.DataFrame({"sector": ["a", "b"], "n": [12, 40], "mean": [1.5, 2.5]})
    out = suppress(t)
    assert out["suppressed"].tolist() == ["", ""]
    assert out["n"].dtype == "float64" and out["n"].tolist() == [12.0, 40.0]


def test_suppress_is_idempotent_and_keeps_index():
    t = pd.DataFrame({"sector": ["Adults", "Children", "Fostering", "All"], "n": [7, 20, 18, 45],
                      "mean": [3.1, 3.4, 3.0, 3.2]}, index=[10, 10, 11, 12])
    once = suppress(t, by="sector", total_label="All")
    twice = suppress(once, by="sector", total_label="All")
    pd.testing.assert_frame_equal(once, twice)
    assert once.index.tolist() == [10, 10, 11, 12]
    # A repeated index label must not blank the neighbour sharing it.
    assert once["n"].tolist()[1] == 20.0


# --------------------------------------------------------------------------------------------
# Tidy tables: secondary suppression against a total
# --------------------------------------------------------------------------------------------

SECTORS = pd.DataFrame({
    "sector": ["Adults", "Children", "Fostering", "Other", "All"],
    "n": [7, 20, 18, 30, 75],
    "mean": [2.0, 3.0, 3.5, 4.0, 257 / 75],  # All: (7*2 + 20*3 + 18*3.5 + 30*4) / 75
})


def test_without_secondary_the_small_cell_is_recovered_by_subtraction():
    out = suppress(SECTORS)  # no total declared: primary only
    shown = out[out["suppressed"] == ""]
    groups, total = shown[shown["sector"] != "All"], shown[shown["sector"] == "All"].iloc[0]
    # 75 - 20 - 18 - 30 = 7 and (257 - 20*3 - 18*3.5 - 30*4) / 7 = 14 / 7 = 2.0: Adults recovered.
    recovered_n = total["n"] - groups["n"].sum()
    assert recovered_n == 7
    assert (total["n"] * total["mean"] - (groups["n"] * groups["mean"]).sum()) / recovered_n == pytest.approx(2.0)


def test_secondary_suppression_stops_the_subtraction():
    out = suppress(SECTORS, by="sector", total_label="All")
    # Adults (7) primary; the next smallest non-total row, Fostering (18), secondary.
    assert out["suppressed"].tolist() == ["primary", "", "secondary", "", ""]
    assert np.isnan(out.loc[2, ["n", "mean"]].to_numpy(dtype=float)).all()
    shown = out[out["suppressed"] == ""]
    groups, total = shown[shown["sector"] != "All"], shown[shown["sector"] == "All"].iloc[0]
    # 75 - 20 - 30 = 25 is Adults + Fostering together, two unknowns in one equation.
    assert total["n"] - groups["n"].sum() == 25
    assert out.loc[4, "n"] == 75  # the total itself stays
    assert out.attrs["disclosure"] == disclosure_note(10, secondary=True)


def test_two_suppressed_rows_need_no_secondary():
    t = SECTORS.assign(n=[7, 4, 34, 30, 75])
    out = suppress(t, by="sector", total_label="All")
    assert out["suppressed"].tolist() == ["primary", "primary", "", "", ""]
    assert out.attrs["disclosure"] == disclosure_note(10)


def test_secondary_tie_takes_the_first_row():
    t = pd.DataFrame({"sector": ["a", "b", "c", "All"], "n": [5, 15, 15, 35]})
    assert suppress(t, by="sector", total_label="All")["suppressed"].tolist() == ["primary", "secondary", "", ""]


def test_two_level_by_applies_the_rule_within_each_wave():
    t = pd.DataFrame({
        "wave": ["2017"] * 4 + ["2018"] * 4 + ["2019"] * 4,
        "sector": ["Adults", "Children", "Fostering", "All"] * 3,
        "n": [7, 20, 18, 45,      # 2017: one small row -> Fostering (18) secondary
              12, 25, 11, 48,     # 2018: nothing small -> untouched
              3, 4, 40, 47],      # 2019: two small rows, 7 together: 47 - 40 would give the pair away
        "mean": np.arange(12, dtype=float),
    })
    out = suppress(t, by=["wave", "sector"], total_label="All")
    assert out["suppressed"].tolist() == ["primary", "", "secondary", "",
                                          "", "", "", "",
                                          "primary", "primary", "secondary", ""]
    # Applied to the whole table at once, 2018's smallest row (11) would have been taken instead.
    assert out.loc[out["wave"] == "2018", "n"].tolist() == [12.0, 25.0, 11.0, 48.0]


def test_statistic_rows_need_the_statistic_in_by():
    t = pd.DataFrame({
        "variable": ["pss4"] * 3 + ["swemwbs"] * 3,
        "sector": ["Adults", "Children", "All"] * 2,
        "n": [6, 30, 36, 15, 28, 43],
        "mean": [7.0, 6.0, 6.2, 21.0, 22.0, 21.7],
    })
    with pytest.raises(SurveyDataError) as err:
        suppress(t, by="sector", total_label="All")
    assert err.value.problems[0].kind == "ambiguous groups"
    assert "by=['variable', 'sector']" in messages(err)
    out = suppress(t, by=["variable", "sector"], total_label="All")
    assert out["suppressed"].tolist() == ["primary", "secondary", "", "", "", ""]


def test_a_set_without_its_total_is_left_alone():
    t = pd.DataFrame({"wave": ["1", "1", "1", "2", "2"], "sector": ["a", "b", "All", "a", "b"],
                      "n": [5, 30, 35, 5, 30]})
    out = suppress(t, by=["wave", "sector"], total_label="All")
    assert out["suppressed"].tolist() == ["primary", "secondary", "", "primary", ""]


# --------------------------------------------------------------------------------------------
# Crosstabs
# --------------------------------------------------------------------------------------------


def test_crosstab_primary_boundary_and_zeros():
    counts = pd.DataFrame({"yes": [9, 10, 0, 0], "no": [40, 45, 50, 3], "unsure": [12, 0, 14, 2]},
                          index=["a", "b", "c", "d"])
    result = suppress_crosstab(counts)
    marks = result.marks
    assert marks.loc["a", "yes"] == "primary"          # 9 < 10
    assert marks.loc["b", "yes"] == ""                 # 10 kept
    assert marks.loc["b", "unsure"] == ""              # a zero in a group of 55: shown
    assert result.table.loc["b", "unsure"] == 0.0
    # Group d has 5 respondents: its zero says all 5 avoided "yes", so it is suppressed too.
    assert marks.loc["d"].tolist() == ["primary", "primary", "primary"]
    assert result.table.dtypes.eq("float64").all()
    assert result.table.isna().equals(result.mask)
    assert not determined_cells(counts, result.mask)


def test_crosstab_threshold_five():
    counts = pd.DataFrame({"x": [4, 5, 30], "y": [20, 25, 31]}, index=["a", "b", "c"])
    marks = suppress_crosstab(counts, threshold=5).marks
    # 4 < 5 is primary; 5 is not (it is then taken as column x's partner, hence "secondary").
    assert marks.loc["a", "x"] == "primary" and marks.loc["b", "x"] == "secondary"
    assert suppress_crosstab(counts).marks.loc["b", "x"] == "primary"  # at the default of 10
    assert suppress_crosstab(counts, threshold=5).note.startswith("cells resting on fewer than 5 respondents")


def test_crosstab_every_line_with_a_suppression_holds_two():
    # Primary: (b, yes) = 4. Row b's smallest other non-zero cell is 15 ("unsure"; the crossing
    # column holds no suppression yet, nor does "no"'s, so size decides); column "yes" then
    # takes (c, yes) = 30 over (a, yes) = 50, and column "unsure" takes (c, unsure) = 12 because
    # row c already holds one suppression - which closes the block b/c x yes/unsure.
    interior = pd.DataFrame({"yes": [50, 4, 30], "no": [60, 70, 80], "unsure": [20, 15, 12]},
                            index=["a", "b", "c"])
    result = suppress_crosstab(with_margins(interior))
    hidden = result.mask
    assert hidden.sum().sum() == 4
    assert result.marks.loc["b", "yes"] == "primary"
    assert {(r, c) for r, c in zip(*np.nonzero(hidden.to_numpy()))} == {(1, 0), (1, 2), (2, 0), (2, 2)}
    assert (result.marks.loc["All"] == "").all() and (result.marks["All"] == "").all()
    assert not lone_suppressions(hidden)
    # Margins are shown, yet b's "yes" cannot be recovered: 34 = b_yes + b_unsure (row b),
    # 84 = b_yes + c_yes (column yes), ... four unknowns, rank three.
    assert not determined_cells(with_margins(interior), hidden)


def test_crosstab_iterates_until_stable():
    # Primary: Adults/yes = 3. Row Adults' only other cell, 30, is suppressed - which leaves
    # column "no" with one suppression: its total (published elsewhere) gives 30 = 62 - 12 - 20,
    # and then Adults' total gives 3 = 33 - 30: both are recovered. A second round
    # suppresses Fostering/no (20, in the row that column "yes" has just drawn into the block),
    # and then no line holds a lone suppression.
    counts = pd.DataFrame({"yes": [3, 40, 25], "no": [30, 12, 20]}, index=["Adults", "Children", "Fostering"])
    first_round = pd.DataFrame([[True, True], [False, False], [False, False]],
                               index=counts.index, columns=counts.columns)
    assert ("column", "no") in lone_suppressions(first_round)
    assert determined_cells(counts, first_round) == [("Adults", "yes"), ("Adults", "no")]
    result = suppress_crosstab(counts)
    assert result.marks.to_numpy().tolist() == [["primary", "secondary"], ["", ""],
                                                ["secondary", "secondary"]]
    assert not lone_suppressions(result.mask)
    assert not determined_cells(counts, result.mask)


def test_crosstab_two_per_line_is_not_always_enough():
    # Nine small cells: two 2 x 2 blocks (rows r1-r2 x c1-c2, rows r3-r4 x c3-c4) joined by
    # (r2, c3) = 7. Every row and column holds at least two suppressions, yet
    # (r2, c3) = 88 - 70 - [(143 - 80 - 55) + (165 - 90 - 65) - (117 - 50 - 60)] = 88 - 70 - 11 = 7.
    interior = pd.DataFrame([[3, 4, 50, 60], [5, 6, 7, 70], [80, 90, 2, 3], [55, 65, 4, 5]],
                            index=["r1", "r2", "r3", "r4"], columns=["c1", "c2", "c3", "c4"])
    primary = (interior > 0) & (interior < 10)
    assert not lone_suppressions(primary)
    assert determined_cells(interior, primary) == [("r2", "c3")]
    result = suppress_crosstab(with_margins(interior))
    assert result.mask.loc[interior.index, interior.columns].eq(primary).sum().sum() < 16  # more than primary
    assert not determined_cells(with_margins(interior), result.mask)
    assert (result.marks.loc["All"] == "").all() and (result.marks["All"] == "").all()


def test_crosstab_from_pandas_with_margins():
    sector = ["Adults"] * 40 + ["Children"] * 55 + ["Fostering"] * 32
    answer = (["yes"] * 25 + ["no"] * 12 + ["unsure"] * 3
              + ["yes"] * 30 + ["no"] * 20 + ["unsure"] * 5
              + ["yes"] * 11 + ["no"] * 17 + ["unsure"] * 4)
    counts = pd.crosstab(pd.Series(sector, name="sector"), pd.Series(answer, name="answer"), margins=True)
    result = suppress_crosstab(counts)
    # Column "unsure" is 3, 5, 4 (total 12 >= 10): all three primary; every other line needs a
    # partner: each row takes its smallest other cell (12, 20, 11).
    assert result.marks["unsure"].tolist() == ["primary"] * 3 + [""]
    assert result.table.loc["All"].tolist() == [49.0, 12.0, 66.0, 127.0]
    assert result.table["All"].tolist() == [40.0, 55.0, 32.0, 127.0]
    assert not lone_suppressions(result.mask)
    assert not determined_cells(counts, result.mask)
    table, marks = result  # unpacks as a pair
    assert table is result.table and marks is result.marks


def test_small_margin_is_suppressed_and_protected():
    # Group "Other" has only 6 respondents, so its row total is a small count too: suppressed
    # (primary), and a second row total with it, or 127 - 40 - 55 - 26 would give 6 back.
    interior = pd.DataFrame({"yes": [25, 30, 16, 2], "no": [15, 25, 10, 4]},
                            index=["Adults", "Children", "Fostering", "Other"])
    counts = with_margins(interior)
    result = suppress_crosstab(counts)
    assert result.marks.loc["Other", "All"] == "primary"
    assert result.mask["All"].sum() >= 2
    assert result.marks.loc["All", "All"] == ""
    assert not determined_cells(counts, result.mask)


def test_crosstab_without_margins_protects_against_totals_published_elsewhere():
    counts = pd.DataFrame({"yes": [3, 40, 25], "no": [30, 12, 20]}, index=["a", "b", "c"])
    hidden = suppress_crosstab(counts).mask
    assert not determined_cells(counts, hidden)


def test_crosstab_with_multiindex_columns():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"g": rng.choice(list("ab"), 600), "x": rng.choice(list("pq"), 600),
                       "y": rng.choice(list("uvw"), 600, p=[0.47, 0.47, 0.06])})
    counts = pd.crosstab(df["g"], [df["x"], df["y"]], margins=True)
    # Category (q, w): a 10, b 8. Primary b/(q, w); its column partner a/(q, w) = 10; row b's
    # smallest other cell b/(p, w) = 11; column (p, w) then takes a/(p, w) = 15 (row a already
    # holds one suppression). The margin column ("All", "") and the margin row are shown.
    result = suppress_crosstab(counts)
    assert result.mask.sum().sum() == 4
    assert result.marks.loc["b", ("q", "w")] == "primary"
    assert result.mask.loc[["a", "b"], [("p", "w"), ("q", "w")]].all().all()
    assert (result.marks[("All", "")] == "").all() and (result.marks.loc["All"] == "").all()
    assert not determined_cells(counts, result.mask)


def test_random_crosstabs_are_protected():
    """Seeded random tables: no shown small count, no lone suppression, nothing recoverable,
    and margins at or above the threshold are never suppressed."""
    rng = np.random.default_rng(20240617)
    for _ in range(150):
        shape = rng.integers(2, 6, size=2)
        interior = pd.DataFrame(np.where(rng.random(shape) < 0.3, rng.integers(0, 10, shape),
                                         rng.integers(10, 80, shape)),
                                index=[f"r{i}" for i in range(shape[0])],
                                columns=[f"c{j}" for j in range(shape[1])])
        counts = with_margins(interior) if rng.random() < 0.7 else interior
        result = suppress_crosstab(counts)
        shown = result.table.to_numpy()
        assert not ((shown > 0) & (shown < 10)).any()
        assert not lone_suppressions(result.mask)
        assert not determined_cells(counts, result.mask), counts
        if "All" in counts and (counts.loc["All"] >= 10).all() and (counts["All"] >= 10).all():
            assert (result.marks.loc["All"] == "").all() and (result.marks["All"] == "").all()


# --------------------------------------------------------------------------------------------
# The check
# --------------------------------------------------------------------------------------------


def test_assert_passes_on_suppressed_tables():
    assert_no_small_cells(suppress(SECTORS, by="sector", total_label="All"))
    assert_no_small_cells(suppress(SECTORS.assign(n=[4, 20, 21, 30, 75]), threshold=5), threshold=5)
    assert_no_small_cells(suppress_crosstab(pd.DataFrame({"x": [3, 40], "y": [30, 12]})))


def test_assert_names_the_disclosive_rows():
    with pytest.raises(SurveyDataError) as err:
        assert_no_small_cells(SECTORS.assign(n=[7, 20, 9, 30, 66]))
    (problem,) = err.value.problems
    assert problem.kind == "disclosive cell" and problem.column == "n" and problem.count == 2
    assert "row 0 (sector='Adults', n=7), row 2 (sector='Fostering', n=9)" in problem.message
    assert "suppress()" in problem.fix
    assert "[disclosive cell]" in str(err.value)


def test_assert_uses_the_threshold_given():
    t = pd.DataFrame({"sector": ["a", "b"], "n": [7, 20]})
    assert_no_small_cells(t, threshold=5)
    with pytest.raises(SurveyDataError):
        assert_no_small_cells(t, threshold=10)


def test_assert_catches_a_suppressed_row_that_still_shows_its_n():
    out = suppress(SECTORS)
    out.loc[0, "n"] = 7
    with pytest.raises(SurveyDataError) as err:
        assert_no_small_cells(out)
    assert err.value.problems[0].kind == "disclosive cell"
    assert "marked as suppressed still shows its n" in err.value.problems[0].message


def test_assert_on_a_crosstab_with_a_small_count():
    result = suppress_crosstab(pd.DataFrame({"x": [3, 40], "y": [30, 12]}, index=["a", "b"]))
    leaked = SuppressedCrosstab(result.table.fillna(3.0), result.marks, result.threshold, result.note)
    with pytest.raises(SurveyDataError) as err:
        assert_no_small_cells(leaked)
    assert err.value.problems[0].kind == "disclosive cell"
    assert "('a', 'x') = 3" in err.value.problems[0].message


# --------------------------------------------------------------------------------------------
# Bad calls
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("call, kind, text", [
    (lambda: suppress(SECTORS, n_column="count"), "unknown column",
     "n_column='count' is not a column of the table; its columns are 'sector', 'n', 'mean'"),
    (lambda: suppress(SECTORS, value_columns=["mean", "sd"]), "unknown column",
     "value_columns='sd' is not a column"),
    (lambda: suppress(SECTORS, by="region", total_label="All"), "unknown column",
     "by='region' is not a column"),
    (lambda: suppress(SECTORS, threshold=0), "bad threshold",
     "threshold=0; it must be a whole number of respondents, at least 1"),
    (lambda: suppress(SECTORS, threshold=2.5), "bad threshold", "threshold=2.5"),
    (lambda: suppress(SECTORS, threshold="10"), "bad threshold", "threshold='10'"),
    (lambda: suppress(SECTORS, total_label="All"), "bad argument",
     "total_label='All' was given without by="),
    (lambda: suppress(SECTORS, by="sector", total_label="Total"), "unknown total label",
     "no row has sector == 'Total'"),
    (lambda: suppress(SECTORS.assign(n=["7"] * 5)), "not a count", "column 'n' holds str values"),
    (lambda: suppress(SECTORS.assign(n=[7, -1, 18, 30, 75])), "negative count",
     "1 row of column 'n' is negative: row 1 (sector='Children')"),
    (lambda: suppress(SECTORS.assign(n=[7, np.nan, 18, 30, 75])), "missing n",
     "1 row has no 'n', so whether it discloses anyone cannot be judged: row 1 (sector='Children')"),
    (lambda: suppress(SECTORS.assign(n=["few"] * 5)), "not a count", "column 'n' holds str values"),
    (lambda: suppress(SECTORS.assign(suppressed="yes")), "bad suppression marks",
     "column 'suppressed' should hold only"),
    (lambda: suppress([1, 2]), "not a table", "table= is a list; suppress() expects a table of counts"),
    (lambda: suppress_crosstab(pd.DataFrame({"x": [3, 40]}), threshold=0.5), "bad threshold",
     "threshold=0.5"),
    (lambda: suppress_crosstab(pd.DataFrame({"x": [3, -2], "y": [1, 1]})), "negative count",
     "1 row of column 'x' is negative"),
    (lambda: suppress_crosstab(pd.DataFrame({"x": [3, np.nan], "y": [1, 1]})), "missing count",
     "1 cell of column 'x' is missing"),
    (lambda: suppress_crosstab(pd.DataFrame({"x": ["a", "b"]})), "not a count",
     "column 'x' holds str values"),
    (lambda: suppress_crosstab(pd.DataFrame({"x": [1, 2]}, index=["All", "All"])), "ambiguous margins",
     "2 rows are labelled 'All'"),
    (lambda: assert_no_small_cells(SECTORS, n_column="N"), "unknown column",
     "n_column='N' is not a column"),
    (lambda: assert_no_small_cells(SECTORS, threshold=-3), "bad threshold", "threshold=-3"),
    (lambda: disclosure_note(0), "bad threshold", "threshold=0"),
])
def test_bad_calls_raise_survey_data_error(call, kind, text):
    with pytest.raises(SurveyDataError) as err:
        call()
    assert kind in [p.kind for p in err.value.problems]
    assert text in messages(err)
    assert all(p.fix for p in err.value.problems)  # every problem says how to fix it


def test_bad_calls_are_reported_together():
    with pytest.raises(SurveyDataError) as err:
        suppress(SECTORS, n_column="count", value_columns=["sd"], threshold=0)
    assert sorted(p.kind for p in err.value.problems) == ["bad threshold", "unknown column", "unknown column"]
