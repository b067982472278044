"""APA formatting, plain-English labels and the CSV and Markdown writer (analysis/outputs/tables.py).

The expected texts are typed from the rules in the module docstring (APA 7th edition, section 6:
no leading zero for values that cannot exceed 1, p to three decimals and "< .001", commas in
numbers of 1,000 or more except degrees of freedom), not read from the code.
"""

import re

import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis import compare_groups, fit_ols, hse_benchmark, load_wave, prevalence, reliability
from analysis.labels import code_names
from analysis.outputs.tables import (ALL_ROW_NOTE, SYNTHETIC_MARK, apa_table, format_number, format_p,
                                     header_label, is_number_text, reader_table, table_note, write_table,
                                     write_tables)
from analysis.paths import SYNTHETIC_DIR
from tests.conftest import frame


# -- p values and plain numbers --------------------------------------------------------------------
def test_apa_p_values():
    assert [format_p(p) for p in (0.00099, 0.001, 0.0456, 0.05, 0.9994, 0.9996, 1.0)] == [
        "< .001", ".001", ".046", ".050", ".999", "> .999", "> .999"]


def test_apa_numbers():
    assert format_number(0.0512, 3, bounded=True) == ".051"
    assert format_number(-0.876, bounded=True) == "-.88"
    assert format_number(17.5, 1) == "17.5" and format_number(np.nan) == ""
    assert format_number(-0.001) == "0.00" and format_number(-0.001, bounded=True) == ".00"  # never "-.00"


def test_apa_table_columns():
    t = pd.DataFrame({"term": ["x"], "estimate": [1.23456], "beta": [0.4567], "p_value": [0.0002],
                      "n": [1333.0], "df": [7.0], "r2": [0.30025]})
    got = apa_table(t).iloc[0].to_dict()
    assert got == {"term": "x", "estimate": "1.23", "beta": ".46", "p_value": "< .001", "n": "1,333",
                   "df": "7", "r2": ".30"}


# -- whole numbers ---------------------------------------------------------------------------------
def test_whole_numbers_have_no_decimals():
    # 05_stress_ols_fit, 05_stress_hierarchical, 11_priorities_no_answer_rule, 12_service_indicators.
    fit = apa_table(pd.DataFrame({"n": [3416], "f_df1": [7.0], "f_df2": [3408.0], "r2": [0.2854]}))
    assert fit.iloc[0].tolist() == ["3,416", "7", "3408", ".29"]  # no commas in df (APA)
    steps = apa_table(pd.DataFrame({"step": [1.0, 2.0, 3.0], "n": [3351.0] * 3}))
    assert steps["step"].tolist() == ["1", "2", "3"]
    ranks = apa_table(pd.DataFrame({"estimate": [87.58, 85.29], "rank": [1, 2], "rank_zero": [1.0, 2.0]}))
    assert ranks[["rank", "rank_zero"]].values.tolist() == [["1", "1"], ["2", "2"]]
    teams = apa_table(pd.DataFrame({"service": ["A"], "n_teams": [3.0], "unallocated_now": [78.0],
                                    "points": [268.0], "max_points": [306.0]}))
    assert teams.iloc[0].tolist() == ["A", "3", "78", "268", "306"]


def test_df_and_mann_whitney_u_are_whole_when_they_are():
    t = pd.DataFrame({"test": ["welch_t", "chi_square"], "statistic": [-1.265, 1.14], "df1": [1036.73, 1.0],
                      "robust_test": ["mann_whitney_u", "mann_whitney_u"], "robust_statistic": [892799.5, 921299.0]})
    got = apa_table(t)
    assert got["df1"].tolist() == ["1036.73", "1"]
    assert got["robust_statistic"].tolist() == ["892,799.5", "921,299"]
    assert got["statistic"].tolist() == ["-1.26", "1.14"]


# -- leading zeros and shares ----------------------------------------------------------------------
def test_an_interval_follows_its_estimate():
    # The review's 07_presenteeism_by_sector: "share .69 next to conf_low 0.67".
    t = pd.DataFrame({"group": ["children_families", "All"], "measure": ["share", "share"], "n": [1906, 3375],
                      "estimate": [0.6884, 0.6690], "std_error": [0.0106, 0.0081], "conf_low": [0.6672, 0.6530],
                      "conf_high": [0.7087, 0.6847]})
    assert apa_table(t).iloc[0, 3:].tolist() == ["68.8%", "1.1%", "66.7%", "70.9%"]
    assert apa_table(t, percent=False).iloc[0, 3:].tolist() == [".69", ".01", ".67", ".71"]


def test_share_decimals_follow_the_tables_n():
    small = pd.DataFrame({"measure": ["share"], "n": [102], "estimate": [0.9118], "conf_low": [0.8408],
                          "conf_high": [0.9529]})
    assert apa_table(small).iloc[0, 2:].tolist() == ["91%", "84%", "95%"]
    big = pd.DataFrame({"variable": ["nation"], "category": ["England"], "n": [2705], "share": [0.79070]})
    assert apa_table(big)["share"].item() == "79.1%"
    teams = pd.DataFrame({"team": ["A2"], "vacancy_rate": [0.2307692], "agency_share": [0.0083]})
    assert apa_table(teams).iloc[0].tolist() == ["A2", "23.1%", "0.8%"]  # no n: one decimal


def test_differences_in_shares_are_percentage_points():
    t = pd.DataFrame({"outcome": ["intend_leave_job"], "n_from": [1313], "n_to": [3385], "value_from": [0.5308],
                      "value_to": [0.5982], "measure": ["difference_in_shares"], "estimate": [0.06738],
                      "conf_low": [0.03574], "conf_high": [0.09903]})
    assert apa_table(t).iloc[0, 3:].tolist() == ["53.1%", "59.8%", "difference_in_shares", "6.7 pp", "3.6 pp", "9.9 pp"]
    ame = pd.DataFrame({"term": ["sector[adults]"], "measure": ["average_marginal_effect"], "estimate": [-0.04066],
                        "conf_low": [-0.07557], "conf_high": [-0.00575]})
    assert apa_table(ame).iloc[0, 2:].tolist() == ["-4.1 pp", "-7.6 pp", "-0.6 pp"]


def test_one_leading_zero_rule_by_what_a_number_is():
    # 06_bme_comparisons: Hedges' g can exceed 1 (leading zero), a rank-biserial r cannot (none).
    t = pd.DataFrame({"measure": ["hedges_g", "cronbach_alpha"], "estimate": [-0.0545, 0.8344],
                      "conf_low": [-0.1387, 0.8254], "robust_measure": ["rank_biserial", None],
                      "robust_estimate": [-0.0303, np.nan]})
    got = apa_table(t)
    assert got["estimate"].tolist() == ["-0.05", ".83"] and got["conf_low"].tolist() == ["-0.14", ".83"]
    assert got["robust_estimate"].tolist() == ["-.03", ""]
    fit = apa_table(pd.DataFrame({"mcfadden_r2": [0.1449], "nagelkerke_r2": [0.2338], "auc": [0.7495],
                                  "loglik": [-1814.0948], "sigma": [2.4077]}))
    assert fit.iloc[0].tolist() == [".14", ".23", ".75", "-1,814.09", "2.41"]


def test_nothing_rounds_to_a_false_zero_or_one():
    diag = apa_table(pd.DataFrame({"shapiro_w": [0.99913], "shapiro_p_value": [0.0889], "cooks_threshold": [0.0011710],
                                   "n_influential": [176]}))
    assert diag.iloc[0].tolist() == [".999", ".089", "0.0012", "176"]
    hier = apa_table(pd.DataFrame({"r2": [0.001229], "r2_adj": [-0.000862]}))
    assert hier.iloc[0].tolist() == [".0012", "-.00086"]
    assert apa_table(pd.DataFrame({"share": [0.99962, 0.0004, 0.0], "n": [50, 50, 50]}))["share"].tolist() == [
        "99.96%", "0.040%", "0%"]  # two significant digits
    assert apa_table(pd.DataFrame({"estimate": [-0.0], "term": ["x"]}))["estimate"].item() == "0.00"


def test_precision_by_measure():
    scores = pd.DataFrame({"measure": ["priority_score"], "estimate": [87.58169935], "conf_low": [82.35294118]})
    assert apa_table(scores).iloc[0, 1:].tolist() == ["87.6", "82.4"]
    days = pd.DataFrame({"outcome": ["extra_days_year", "pss4"], "group": ["All", "All"], "measure": ["mean", "mean"],
                         "estimate": [70.21527531, 8.513982266], "sd": [55.849, 2.851]})
    assert apa_table(days)[["estimate", "sd"]].values.tolist() == [["70.2", "55.8"], ["8.51", "2.85"]]
    summary = pd.DataFrame({"variable": ["extra_hours_week"], "mean": [10.97113677], "median": [9.0], "p75": [15.5]})
    assert apa_table(summary).iloc[0, 1:].tolist() == ["11.0", "9.0", "15.5"]


def test_formatted_numbers_are_recognised_for_alignment():
    assert all(is_number_text(t) for t in ("3,421", "-.00086", "42%", "-4.1 pp", "< .001", "> .999", "1036.73"))
    assert not any(is_number_text(t) for t in ("Adults", "red", "", "HC3", "2017-2018"))


# -- labels ----------------------------------------------------------------------------------------
def test_reader_table_speaks_plain_english():
    t = pd.DataFrame({"step": [1], "added": ["hse_demands, hse_control"], "instrument": ["hse_mit"],
                      "weakest_item": ["hse_03"], "hse_control_level": ["low"], "vacancy_rate_flag": ["red"]})
    shown = reader_table(t)
    assert list(shown.columns) == ["Step", "Added", "Instrument", "Weakest item", "Control (level)",
                                   "Vacancy rate (flag)"]
    assert shown.iloc[0].tolist() == ["1", "Demands, Control", "HSE MSIT", "HSE MSIT 3: conflicting demands", "low",
                                      "red"]
    assert header_label("n") == "n" and header_label("team") == "Team" and header_label("n_teams") == "n (teams)"


def test_all_rows_are_explained():
    by_group = pd.DataFrame({"group": ["adults", "All"], "n": [1000, 3385]})
    assert table_note("", by_group) == ALL_ROW_NOTE
    assert table_note("Wilson intervals.", by_group) == f"Wilson intervals. {ALL_ROW_NOTE}"
    assert table_note("Wilson intervals", by_group) == f"Wilson intervals. {ALL_ROW_NOTE}"
    assert table_note(f"x. {ALL_ROW_NOTE}", by_group) == f"x. {ALL_ROW_NOTE}"  # not twice
    assert table_note("", pd.DataFrame({"rule": ["All"], "n": [267]})) == ""  # a total of exclusions, not a group


# -- the files -------------------------------------------------------------------------------------
def test_write_tables_marks_synthetic_data(tmp_path):
    t = pd.DataFrame({"scale": ["hse_demands"], "mean": [2.5], "p_value": [0.02]})
    files = write_tables({"demo_table": (t, "Table 1. Demo")}, tmp_path, source="wave 2018, wellbeing-survey 0.1.0",
                         synthetic=True)
    assert [f.name for f in files] == ["demo_table.csv", "demo_table.md", "tables.xlsx"]
    md = (tmp_path / "demo_table.md").read_text()
    row = next(line for line in md.splitlines() if "Demands" in line)
    assert SYNTHETIC_MARK in md and row.split("|")[2:4] == ["   2.50 ", " .020 "] and "Source: wave 2018" in md
    assert "| Scale   |   Mean |    p |" in md and "|:--------|-------:|-----:|" in md  # numbers right-aligned
    sheet = openpyxl.load_workbook(tmp_path / "tables.xlsx")["demo_table"]
    assert SYNTHETIC_MARK in sheet["A1"].value and sheet["A4"].value == "Scale" and sheet["A5"].value == "Demands"
    assert sheet["B5"].value == 2.5 and sheet["C5"].value == 0.02
    csv = pd.read_csv(tmp_path / "demo_table.csv")
    assert csv["scale"].item() == "hse_demands" and csv["mean"].item() == 2.5  # CSV: codes, full precision


def test_markdown_has_the_note_n_and_all_row_note(tmp_path):
    t = pd.DataFrame({"outcome": ["intend_leave_job"] * 2, "group": ["adults", "All"], "measure": ["share"] * 2,
                      "n": [1011, 3385], "estimate": [0.5687, 0.5982], "suppressed": ["", ""]})
    _, md = write_table("t", t, "Intention to leave", tmp_path, source="demo", synthetic=False,
                        note="Wilson intervals.", n=3421)
    lines = md.read_text().split("\n\n")
    assert lines[0] == "**Intention to leave**"
    assert lines[2] == f"*Note.* Wilson intervals. {ALL_ROW_NOTE.replace('&', '&amp;')}"
    assert lines[3:] == ["n = 3,421", "Source: demo\n"]
    assert "| Intend to leave their job | Adults  | Share     | 1,011 |      56.9% |" in lines[1]


# -- no code reaches a reader ----------------------------------------------------------------------
def _codes_in(text: str) -> set:
    return {c for c in code_names() if re.search(rf"(?<![A-Za-z0-9_]){re.escape(c)}(?![A-Za-z0-9_])", text)}


@pytest.fixture(scope="module")
def real_tables():
    f = frame("2018")
    wave = load_wave(SYNTHETIC_DIR / "wave_2018.csv", SYNTHETIC_DIR / "wave_2018.codebook.yaml")
    return {
        "prevalence_by_sector": prevalence(f, ["intend_leave_job", "presenteeism_2plus"], by="sector"),
        "ols_coefficients": fit_ols(f, "pss4", ["hse_demands", "hse_control", "hse_managers_support"],
                                    covariates=["sector", "role"]).coefficients,
        "group_tests": compare_groups(f, ["hse_demands", "pss4", "intend_leave_job"], by="sector").tests,
        "benchmark_by_nation": hse_benchmark(f, by="nation"),
        "reliability": reliability(wave),
    }


def test_no_code_in_the_markdown_or_the_workbook(real_tables, tmp_path):
    tables = {name: (t, f"Table {i}") for i, (name, t) in enumerate(real_tables.items(), start=1)}
    files = write_tables(tables, tmp_path, source="wave 2018 (wave_2018.csv)", synthetic=True)
    for path in (p for p in files if p.suffix == ".md"):
        assert not _codes_in(path.read_text()), path.name
    # The codes are in the data: the CSV files keep them.
    assert {"children_families", "intend_leave_job"} <= _codes_in((tmp_path / "prevalence_by_sector.csv").read_text())
    assert {"sector[adults]"} <= set(pd.read_csv(tmp_path / "ols_coefficients.csv")["term"])
    from tests.test_workbook import workbook_strings

    strings = workbook_strings(files[-1])
    assert "Children and families" in strings and "Service area: Adults" in strings
    assert not _codes_in("\n".join(strings))
