"""The workload health check: template, loader (each kind of bad input against its message),
every indicator and the service aggregate against hand-worked numbers, every flag with its
boundaries, the comparison chart, and the synthetic teams."""

import hashlib
import math
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import openpyxl  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from analysis.errors import SurveyDataError, SurveyDataWarning  # noqa: E402
from analysis.studies.health_check import (  # noqa: E402
    HealthCheckError, fields_table, flag, flag_value, flags_long, indicator_reasons, indicators, load_health_check,
    load_template, load_thresholds, service_indicators, write_template)
from analysis.paths import SYNTHETIC_DIR  # noqa: E402
from analysis.outputs.plots import plot_health_check  # noqa: E402
from analysis.outputs.style import BANDS  # noqa: E402
from analysis.synthetic.teams import generate_teams, write_teams  # noqa: E402

from .conftest import write_csv  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# The example cut-offs as typed from analysis/studies/health_check/thresholds.yaml: (higher_is_worse, amber, red).
EXAMPLE = {
    "vacancy_rate": (True, 0.10, 0.20), "agency_share": (True, 0.10, 0.20), "turnover_12m": (True, 0.15, 0.25),
    "cases_per_fte": (True, 18, 24), "hours_over_contract": (True, 4, 8), "toil_hours_per_fte": (True, 15, 30),
    "supervision_ratio": (False, 0.9, 0.75), "cpd_cancellation_rate": (True, 0.10, 0.25),
    "unallocated_now": (True, 5, 15), "unallocated_change_12m": (True, 1, 10), "sickness_days_per_fte": (True, 8, 12),
}
INDICATORS = list(EXAMPLE)

# Three teams typed by hand. North and South are in Adults; East (Children) has blanks, zero
# denominators and values exactly at cut-offs.
TEAMS = pd.DataFrame({
    "team": ["North", "South", "East"],
    "service": ["Adults", "Adults", "Children"],
    "staff_fte_establishment": [20, 10, 10],
    "staff_fte_in_post": [16, 10, np.nan],
    "vacancies_fte": [4, 0, 1],
    "agency_fte": [3, 0, np.nan],
    "long_term_absence_fte": [1, 0, 0],
    "leavers_12m": [3, 1, 2],
    "average_fte_12m": [15, 10, 0],
    "case_holding_fte": [12, 8, 9],
    "open_cases": [240, 96, 162],
    "mean_weekly_hours": [45.5, 37, 41],
    "contracted_weekly_hours": [37, 37, 37],
    "toil_hours_untaken": [320, 50, 30],
    "supervision_sessions_held_12m": [150, 120, 45],
    "supervision_sessions_policy_12m": [192, 120, 60],
    "cpd_events_booked_12m": [40, 20, 0],
    "cpd_events_cancelled_12m": [10, 0, 0],
    "unallocated_cases_now": [18, 2, 5],
    "unallocated_cases_12m_ago": [10, 2, 20],
    "sickness_days_12m": [200, 40, np.nan],
    "skill_mix": ["yes", "Partly", None],
    "workflow_blocks": ["Waiting for panel decisions.", None, "Transfers stall."],
    "next_steps_workload": ["Review caseloads in three months.", None, None],
})

# Hand-worked: North 4/20, 3/20, 3/15, 240/12, 45.5-37, 320/16, 150/192, 10/40, 18, 18-10, 200/16;
# South 0/10, 0/10, 1/10, 96/8, 37-37, 50/10, 120/120, 0/20, 2, 2-2, 40/10;
# East 1/10, agency missing, 2/0, 162/9, 41-37, 30/missing, 45/60, 0/0, 5, 5-20, missing/missing.
NAN = math.nan
EXPECTED = {
    "North": [0.2, 0.15, 0.2, 20.0, 8.5, 20.0, 0.78125, 0.25, 18.0, 8.0, 12.5],
    "South": [0.0, 0.0, 0.1, 12.0, 0.0, 5.0, 1.0, 0.0, 2.0, 0.0, 4.0],
    "East": [0.1, NAN, NAN, 18.0, 4.0, NAN, 0.75, NAN, 5.0, -15.0, NAN],
}
EXPECTED_FLAGS = {  # from the values above and the EXAMPLE cut-offs (inclusive)
    "North": ["red", "amber", "amber", "amber", "red", "amber", "amber", "red", "red", "amber", "red"],
    "South": ["green"] * 11,
    "East": ["amber", "no data", "no data", "amber", "amber", "no data", "red", "no data", "amber", "green",
             "no data"],
}
TEXT = ["Waiting for panel decisions.", "Transfers stall.", "Review caseloads in three months."]


def problems(excinfo):
    return {(p.kind, p.column): p for p in excinfo.value.problems}


# --- the template --------------------------------------------------------------------------------

def test_template_covers_the_39_prompts_in_five_groups_and_headings_a_to_m():
    spec = load_template()
    prompts = {f.prompt for f in spec.fields.values() if f.prompt is not None}
    assert prompts == set(range(1, 40))
    ranges = {"workload": (1, 10), "workflow": (11, 20), "tools": (21, 24), "workplace": (25, 34), "delivery": (35, 39)}
    assert {k: tuple(v["prompts"]) for k, v in spec.groups.items()} == ranges
    for f in spec.fields.values():
        if f.prompt is not None:
            lo, hi = ranges[f.group]
            assert lo <= f.prompt <= hi, f.name
        if f.kind in ("integer", "number"):
            assert f.unit and f.min is not None and f.max is not None and f.description, f.name
    assert [h["letter"] for h in spec.headings] == list("abcdefghijklm")
    discussion = [f.name for f in spec.fields.values() if f.group == "discussion"]
    assert len(discussion) == 26
    assert {"disagreement_workload", "next_steps_workload", "disagreement_sickness", "next_steps_other"} <= set(discussion)
    assert all(spec.fields[n].kind == "text" for n in discussion)
    needed = {"team", "service", "staff_fte_establishment", "staff_fte_in_post", "vacancies_fte", "agency_fte",
              "long_term_absence_fte", "leavers_12m", "average_fte_12m", "open_cases", "mean_weekly_hours",
              "contracted_weekly_hours", "toil_hours_untaken", "supervision_sessions_held_12m",
              "supervision_sessions_policy_12m", "cpd_events_booked_12m", "cpd_events_cancelled_12m",
              "unallocated_cases_now", "unallocated_cases_12m_ago", "sickness_days_12m"}
    assert needed <= set(spec.fields)


def test_template_csv_and_excel_round_trip(tmp_path):
    csv, xlsx = write_template(tmp_path / "forms")
    assert (csv.name, xlsx.name) == ("health_check_template.csv", "health_check_template.xlsx")
    names = list(load_template().fields)
    assert csv.read_bytes() == (",".join(names) + "\n").encode("utf-8")

    # CSV: fill one row (blank cells for everything not known) and load it.
    row = {n: "" for n in names} | {"team": "North", "service": "Adults", "staff_fte_establishment": "20",
                                    "vacancies_fte": "4", "skill_mix": "Yes", "workflow_blocks": "Panels, mostly."}
    filled = tmp_path / "filled.csv"
    filled.write_text(csv.read_text(encoding="utf-8") + ",".join(
        f'"{row[n]}"' if "," in row[n] else row[n] for n in names) + "\n", encoding="utf-8")
    hc = load_health_check(filled)
    assert hc.metadata["n_teams"] == 1 and not hc.synthetic
    assert list(hc.data.columns) == names
    assert hc.data.loc[0, "vacancies_fte"] == 4.0 and hc.data.loc[0, "skill_mix"] == "yes"
    assert hc.data.loc[0, "workflow_blocks"] == "Panels, mostly."
    assert indicators(hc).loc[0, "vacancy_rate"] == pytest.approx(4 / 20)

    # Excel: type into the first sheet of the workbook, save, load.
    book = openpyxl.load_workbook(xlsx)
    sheet = book["health_check"]
    assert [c.value for c in sheet[1]] == names
    col = {n: i + 1 for i, n in enumerate(names)}
    for name, value in {"team": "South", "service": "Adults", "staff_fte_establishment": 10,
                        "vacancies_fte": 2.5, "open_cases": 96, "case_holding_fte": 8}.items():
        sheet.cell(row=2, column=col[name], value=value)
    book.save(tmp_path / "filled.xlsx")
    hc = load_health_check(tmp_path / "filled.xlsx")
    assert hc.data["team"].tolist() == ["South"] and hc.metadata["format"] == "excel"
    t = indicators(hc)
    assert t.loc[0, "vacancy_rate"] == pytest.approx(2.5 / 10) and t.loc[0, "cases_per_fte"] == pytest.approx(96 / 8)


def test_excel_fields_sheet_documents_every_field_and_is_byte_stable(tmp_path):
    _, xlsx = write_template(tmp_path / "a" / "t.xlsx")
    _, again = write_template(tmp_path / "b")
    assert xlsx.read_bytes() == again.read_bytes()
    book = openpyxl.load_workbook(xlsx)
    assert book.sheetnames == ["health_check", "fields"]
    fields = pd.read_excel(xlsx, sheet_name="fields", dtype=object)
    assert list(fields.columns) == ["name", "prompt", "group", "heading", "label", "unit", "kind", "allowed", "required",
                                    "description"]
    spec = load_template()
    assert fields["name"].tolist() == list(spec.fields)
    assert fields["description"].notna().all() and fields["label"].notna().all()
    row = fields.set_index("name").loc["vacancies_fte"]
    assert (row["prompt"], row["group"], row["unit"], row["kind"]) == (1, "Effective workload management", "FTE", "number")
    assert row["allowed"] == "numbers 0-200 (FTE), or blank if not recorded"
    assert fields.set_index("name").loc["open_cases", "allowed"].startswith("whole numbers 0-20000 (cases)")
    assert fields.set_index("name").loc["skill_mix", "allowed"].startswith("one of yes, no, partly")
    assert fields.set_index("name").loc["next_steps_sickness", "heading"] == "l: Sickness"
    assert fields.set_index("name").loc["team", "required"] == "yes"
    # Drop-down lists on choice columns, range checks on number columns.
    rules = {str(dv.sqref).split(":")[0]: dv for dv in book["health_check"].data_validations.dataValidation}
    letter = openpyxl.utils.get_column_letter
    assert rules[f"{letter(list(spec.fields).index('skill_mix') + 1)}2"].formula1 == '"yes,no,partly"'
    assert rules[f"{letter(list(spec.fields).index('open_cases') + 1)}2"].type == "whole"
    assert fields_table().shape[0] == len(spec.fields)


# --- indicators ----------------------------------------------------------------------------------

@pytest.fixture
def hc():
    return load_health_check(TEAMS)


def test_every_indicator_against_hand_worked_numbers(hc):
    t = indicators(hc)
    assert t[["team", "service"]].values.tolist() == [["North", "Adults"], ["South", "Adults"], ["East", "Children"]]
    for _, row in t.iterrows():
        expected = EXPECTED[row["team"]]
        for name, value in zip(INDICATORS, expected):
            if math.isnan(value):
                assert math.isnan(row[name]), (row["team"], name)
            else:
                assert row[name] == pytest.approx(value, abs=1e-12), (row["team"], name)
    # Trend: +8 on 10 (> 10 % of 10) rising; 0 steady; -15 on 20 falling.
    assert t["unallocated_trend"].tolist() == ["rising", "steady", "falling"]
    # No free text, no answers in the output.
    assert not set(t.columns) & {"skill_mix", "workflow_blocks", "next_steps_workload"}
    assert not set(TEXT) & set(t.astype(str).to_numpy().ravel())


def test_trend_band_is_a_share_of_the_count_12_months_ago():
    d = TEAMS[["team", "service", "unallocated_cases_now", "unallocated_cases_12m_ago"]].copy()
    d["unallocated_cases_now"] = [11, 0, 22]
    d["unallocated_cases_12m_ago"] = [10, 0, 20]   # +1 on 10 (= 10 %: steady), 0 on 0, +2 on 20 (= 10 %)
    assert indicators(d)["unallocated_trend"].tolist() == ["steady", "steady", "steady"]
    assert indicators(d, steady_within=0.05)["unallocated_trend"].tolist() == ["rising", "steady", "rising"]
    d["unallocated_cases_now"] = [1, np.nan, 22]
    d["unallocated_cases_12m_ago"] = [0, 3, 20]
    assert indicators(d)["unallocated_trend"].tolist() == ["rising", "no data", "steady"]


def test_reasons_for_missing_indicators(hc):
    r = indicator_reasons(hc)
    assert list(r.columns) == ["team", "service", "indicator", "reason"]
    assert set(r["team"]) == {"East"}
    assert dict(zip(r["indicator"], r["reason"])) == {
        "agency_share": "agency_fte not recorded",
        "turnover_12m": "average_fte_12m is zero",
        "toil_hours_per_fte": "staff_fte_in_post not recorded",
        "cpd_cancellation_rate": "cpd_events_booked_12m is zero",
        "sickness_days_per_fte": "sickness_days_12m and staff_fte_in_post not recorded",
    }


def test_service_aggregate_is_a_ratio_of_sums(hc):
    s = service_indicators(hc).set_index("service")
    assert s.index.tolist() == ["Adults", "Children"]
    adults, children = s.loc["Adults"], s.loc["Children"]
    assert adults["n_teams"] == 2 and children["n_teams"] == 1
    # Adults = North + South, summed inputs.
    hand = {
        "vacancy_rate": (4 + 0) / (20 + 10),
        "agency_share": (3 + 0) / (20 + 10),
        "turnover_12m": (3 + 1) / (15 + 10),
        "cases_per_fte": (240 + 96) / (12 + 8),
        "hours_over_contract": (16 * 8.5 + 10 * 0) / (16 + 10),   # weighted by staff in post
        "toil_hours_per_fte": (320 + 50) / (16 + 10),
        "supervision_ratio": (150 + 120) / (192 + 120),
        "cpd_cancellation_rate": (10 + 0) / (40 + 20),
        "unallocated_now": 18 + 2,
        "unallocated_change_12m": (18 + 2) - (10 + 2),
        "sickness_days_per_fte": (200 + 40) / (16 + 10),
    }
    for name, value in hand.items():
        assert adults[name] == pytest.approx(value, abs=1e-12), name
        assert adults[f"{name}_n_teams"] == 2, name
    assert adults["vacancy_rate"] != pytest.approx((0.2 + 0.0) / 2)  # not the mean of the teams' ratios
    assert adults["unallocated_trend"] == "rising"                   # +8 on 12
    # Children = East alone: a zero summed denominator or a missing weight gives NaN, not an error.
    assert children["vacancy_rate"] == pytest.approx(0.1) and children["cases_per_fte"] == pytest.approx(18)
    assert children["supervision_ratio"] == pytest.approx(0.75)
    assert math.isnan(children["turnover_12m"]) and children["turnover_12m_n_teams"] == 1      # 2 / 0
    assert math.isnan(children["cpd_cancellation_rate"])                                          # 0 / 0
    assert math.isnan(children["hours_over_contract"]) and children["hours_over_contract_n_teams"] == 0  # no weight
    assert math.isnan(children["agency_share"]) and children["agency_share_n_teams"] == 0
    assert children["unallocated_change_12m"] == -15 and children["unallocated_trend"] == "falling"


# --- thresholds and flags ------------------------------------------------------------------------

def test_shipped_thresholds_are_labelled_examples():
    t = load_thresholds()
    assert t.status == "example" and t.is_example and "not standards" in t.note
    assert {k: (v["higher_is_worse"], v["amber"], v["red"]) for k, v in t.cuts.items()} == EXAMPLE
    from analysis.studies.health_check.spec import THRESHOLDS_FILE

    assert "ILLUSTRATIVE EXAMPLE" in THRESHOLDS_FILE.read_text(encoding="utf-8").splitlines()[0]


@pytest.mark.parametrize("name", INDICATORS)
def test_flag_boundaries_are_inclusive(name):
    worse_high, amber, red = EXAMPLE[name]
    step = 1e-6 if worse_high else -1e-6   # a little worse
    cut = {"higher_is_worse": worse_high, "amber": amber, "red": red}
    assert flag_value(amber - step, cut) == "green"
    assert flag_value(amber, cut) == "amber"
    assert flag_value(amber + step, cut) == "amber"
    assert flag_value(red - step, cut) == "amber"
    assert flag_value(red, cut) == "red"
    assert flag_value(red + 100 * step, cut) == "red"
    assert flag_value(float("nan"), cut) == "no data"


def test_a_value_at_a_cut_off_up_to_rounding_takes_the_cut_off_flag():
    assert 0.1 + 0.2 != 0.3   # floating point: the sum is 0.30000000000000004
    cut = {"higher_is_worse": True, "amber": 0.2, "red": 0.3}
    assert flag_value(0.1 + 0.2, cut) == "red"
    assert flag_value(0.3 - 1e-12, cut) == "red"


def test_flags_of_the_hand_made_teams(hc):
    f = flag(indicators(hc))
    for name in INDICATORS:   # each flag right after its indicator
        assert list(f.columns)[list(f.columns).index(name) + 1] == f"{name}_flag"
    assert f["threshold_status"].unique().tolist() == ["example"]
    for _, row in f.iterrows():
        assert [row[f"{n}_flag"] for n in INDICATORS] == EXPECTED_FLAGS[row["team"]], row["team"]


def test_flags_long_is_the_comparison_table(hc):
    table = flags_long(indicators(hc), hc.thresholds, indicator_reasons(hc))
    assert list(table.columns) == ["team", "service", "indicator", "label", "unit", "value", "flag", "amber_cut",
                                   "red_cut", "higher_is_worse", "threshold_status", "reason"]
    assert len(table) == 3 * 11
    assert table["indicator"].tolist()[:11] == INDICATORS
    for _, row in table.iterrows():
        i = INDICATORS.index(row["indicator"])
        assert row["flag"] == EXPECTED_FLAGS[row["team"]][i]
        assert (row["higher_is_worse"], row["amber_cut"], row["red_cut"]) == EXAMPLE[row["indicator"]]
        value = EXPECTED[row["team"]][i]
        assert (math.isnan(row["value"]) and math.isnan(value)) or row["value"] == pytest.approx(value)
    east = table[table["team"] == "East"].set_index("indicator")
    assert east.loc["turnover_12m", "reason"] == "average_fte_12m is zero"
    assert east.loc["vacancy_rate", "reason"] == ""
    assert (table["threshold_status"] == "example").all()
    without = flags_long(indicators(hc))
    assert without.set_index(["team", "indicator"]).loc[("East", "agency_share"), "reason"] == "no value"
    # Services flag the same way (no team column).
    services = flags_long(service_indicators(hc))
    assert "team" not in services.columns and len(services) == 2 * 11


def test_user_thresholds_file(tmp_path, hc):
    path = tmp_path / "mine.yaml"
    path.write_text("thresholds: 1\nstatus: local\nnote: agreed at the service meeting\n"
                    "indicators:\n  vacancy_rate: {higher_is_worse: true, amber: 0.25, red: 0.5}\n", encoding="utf-8")
    loaded = load_health_check(TEAMS, thresholds=path)
    assert loaded.metadata["thresholds"]["status"] == "local"
    f = flag(indicators(hc), path)
    assert f["vacancy_rate_flag"].tolist() == ["green", "green", "green"]   # 0.2, 0, 0.1 all below 0.25
    assert "agency_share_flag" not in f.columns and f["threshold_status"].unique().tolist() == ["local"]


@pytest.mark.parametrize("text, kind, needle", [
    ("thresholds: 1\nstatus: example\nnote: x\nindicators:\n  vacancy_rate: {higher_is_worse: true, amber: 0.1}\n",
     "bad thresholds", "'red' is a required property"),
    ("thresholds: 1\nstatus: standard\nnote: x\nindicators:\n  vacancy_rate: {higher_is_worse: true, amber: 1, red: 2}\n",
     "bad thresholds", "'standard' is not one of"),
    ("thresholds: 1\nstatus: local\nnote: x\nindicators:\n  vacancy: {higher_is_worse: true, amber: 1, red: 2}\n",
     "bad thresholds", "not an indicator"),
    ("thresholds: 1\nstatus: local\nnote: x\nindicators:\n  vacancy_rate: {higher_is_worse: true, amber: 0.3, red: 0.2}\n",
     "bad thresholds", "wrong order"),
    ("thresholds: 1\nstatus: local\nnote: x\nindicators:\n  supervision_ratio: {higher_is_worse: false, amber: 0.7, red: 0.9}\n",
     "bad thresholds", "red must be at or below amber"),
    ("thresholds: 1\nstatus: local\nnote: x\nindicators:\n  vacancy_rate: {higher_is_worse: yes please\n",
     "bad thresholds", "cannot be read as YAML"),
])
def test_bad_thresholds_yaml(tmp_path, text, kind, needle):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SurveyDataError) as excinfo:
        load_thresholds(path)
    assert excinfo.value.problems[0].kind == kind
    assert needle in str(excinfo.value) and "bad.yaml" in str(excinfo.value)
    with pytest.raises(SurveyDataError):
        load_health_check(TEAMS, thresholds=path)


def test_missing_thresholds_file(tmp_path):
    with pytest.raises(SurveyDataError, match="no thresholds file"):
        load_thresholds(tmp_path / "none.yaml")


# --- bad input -----------------------------------------------------------------------------------

def test_every_problem_reported_at_once_with_rows_and_teams(tmp_path):
    path = write_csv(tmp_path / "bad.csv", (
        "team,service,staff_fte_establishment,vacancies_fte,agency_fte,open_cases,cpd_events_booked_12m,"
        "cpd_events_cancelled_12m,skill_mix,vacancy_fte,supervision_ratio\n"
        "North,Adults,20,4,2,240,10,12,yes,,\n"
        "South,Adults,n/a,1,0,12.5,,,maybe,,\n"
        "north ,Children,8,9,10,-4,,,,,\n"))
    with pytest.raises(HealthCheckError) as excinfo:
        load_health_check(path)
    found = problems(excinfo)
    assert set(found) == {
        ("unknown column", "vacancy_fte"), ("unknown column", "supervision_ratio"),
        ("text in numeric field", "staff_fte_establishment"), ("out of range", "open_cases"),
        ("unknown answer", "skill_mix"), ("duplicate team", "team"),
        ("inconsistent values", "vacancies_fte"), ("inconsistent values", "agency_fte"),
        ("inconsistent values", "cpd_events_cancelled_12m")}
    message = str(excinfo.value)
    assert message.startswith("bad.csv: 10 problems found; nothing was loaded. Rows are data rows (1 = first team")
    # unknown column, with a suggestion; an indicator named as a column
    assert "did you mean 'vacancies_fte'?" in found[("unknown column", "vacancy_fte")].fix
    assert "computed from the fields" in found[("unknown column", "supervision_ratio")].message
    # text in a number field: the row, the team and the value
    text = found[("text in numeric field", "staff_fte_establishment")]
    assert (text.rows, text.ids, text.values) == ((2,), ("South",), ("n/a",))
    assert "1 team (data rows 2; teams 'South')" in text.describe() and "values found: 'n/a'" in text.describe()
    assert "leave the cell blank" in text.fix
    # out of range: not whole (row 2) and negative (row 3) are two problems of the same kind
    ranges = [p for p in excinfo.value.problems if p.kind == "out of range"]
    assert [(p.rows, p.ids) for p in ranges] == [((2,), ("South",)), ((3,), ("north",))]
    assert "not whole numbers" in ranges[0].message and "outside the allowed range" in ranges[1].message
    assert "whole numbers 0-20000 (cases)" in ranges[1].message
    # duplicate team, ignoring case and spaces
    dup = found[("duplicate team", "team")]
    assert (dup.rows, dup.ids) == ((1, 3), ("North", "north"))
    # inconsistencies: vacancies 9 > establishment 8; agency 10 > 8; cancelled 12 > booked 10
    vac = found[("inconsistent values", "vacancies_fte")]
    assert (vac.rows, vac.ids) == ((3,), ("north",))
    assert vac.values == ("vacancies_fte 9 vs staff_fte_establishment 8",)
    assert found[("inconsistent values", "agency_fte")].rows == (3,)
    cpd = found[("inconsistent values", "cpd_events_cancelled_12m")]
    assert (cpd.rows, cpd.ids) == ((1,), ("North",)) and "cancelled" in cpd.message and cpd.fix
    assert all(p.fix for p in excinfo.value.problems)


def test_missing_required_columns_and_names(tmp_path):
    with pytest.raises(HealthCheckError) as excinfo:
        load_health_check(pd.DataFrame({"team": ["North"], "vacancies_fte": [1]}))
    assert ("missing required column", "service") in problems(excinfo)
    with pytest.raises(HealthCheckError) as excinfo:
        load_health_check(pd.DataFrame({"team": ["North", None], "service": [None, "Adults"]}))
    found = problems(excinfo)
    assert found[("missing team name", "team")].rows == (2,)
    assert found[("missing service", "service")].ids == ("North",)


def test_out_of_range_above_max_and_unknown_answer_case_ignored():
    d = pd.DataFrame({"team": ["A", "B"], "service": ["S", "S"], "mean_weekly_hours": [37.5, 137.5],
                      "skill_mix": ["YES", "no "]})
    with pytest.raises(HealthCheckError) as excinfo:
        load_health_check(d)
    (only,) = excinfo.value.problems
    assert (only.kind, only.column, only.ids, only.values) == ("out of range", "mean_weekly_hours", ("B",), (137.5,))
    assert load_health_check(d.iloc[:1]).data["skill_mix"].tolist() == ["yes"]


def test_indicators_of_an_unchecked_frame_check_it_first():
    with pytest.raises(HealthCheckError, match="text in numeric field"):
        indicators(pd.DataFrame({"team": ["A"], "service": ["S"], "open_cases": ["many"]}))


def test_empty_file_blank_rows_and_encodings(tmp_path):
    header = "team,service,vacancies_fte,staff_fte_establishment\n"
    with pytest.raises(HealthCheckError) as excinfo:
        load_health_check(write_csv(tmp_path / "empty.csv", header))
    assert excinfo.value.problems[0].kind == "empty file" and "no teams" in str(excinfo.value)
    # Blank rows (an Excel habit) are skipped, and counted.
    hc = load_health_check(write_csv(tmp_path / "gaps.csv", header + "A,S,1,10\n,,,\nB,S,2,10\n"))
    assert hc.data["team"].tolist() == ["A", "B"] and hc.metadata["blank_rows_skipped"] == 1
    # UTF-16 is read exactly; Windows-1252 with a warning naming the encoding.
    assert load_health_check(write_csv(tmp_path / "u16.csv", header + "Équipe,S,1,10\n", "utf-16")).data["team"][0] == "Équipe"
    with pytest.warns(SurveyDataWarning, match="not UTF-8"):
        hc = load_health_check(write_csv(tmp_path / "cp.csv", header + "Équipe Nord,Santé,1,10\n" * 1 +
                                         "Équipe Sud,Santé,2,10\n", "cp1252"))
    assert hc.data["service"].tolist() == ["Santé", "Santé"]


def test_metadata_and_sidecar(tmp_path):
    path = write_csv(tmp_path / "teams.csv", "team,service,vacancies_fte\n007,S,1\n")
    hc = load_health_check(path)
    assert hc.data["team"].tolist() == ["007"]   # names kept as text
    meta = hc.metadata
    assert (meta["source"], meta["n_teams"], meta["services"], meta["synthetic"]) == ("teams.csv", 1, ["S"], False)
    assert meta["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert meta["thresholds"]["status"] == "example" and "open_cases" in meta["absent_fields"]
    (tmp_path / "teams.meta.yaml").write_text("synthetic: true\n", encoding="utf-8")
    assert load_health_check(path).synthetic


# --- the comparison chart ------------------------------------------------------------------------

def test_plot_health_check_colours_and_labels_every_cell(hc):
    table = flags_long(indicators(hc))
    ax = plot_health_check(table)
    cells = [p for p in ax.patches if isinstance(p, Rectangle)]
    assert len(cells) == 33
    colours = {"red": BANDS["red"][0], "amber": BANDS["yellow"][0], "green": BANDS["green"][0],
               "no data": BANDS["suppressed"][0]}
    assert [to_hex(c.get_facecolor()) for c in cells] == [colours[f].lower() for f in table["flag"]]
    texts = [t.get_text() for t in ax.texts]
    # North, by hand: 20 % red, 15 % amber, 20 % amber, 20 amber, 8.5 red, 20 amber, 78 % amber,
    # 25 % red, 18 red, 8 amber, 12.5 red.
    assert texts[:11] == ["20%\nred", "15%\namber", "20%\namber", "20\namber", "8.5\nred", "20\namber", "78%\namber",
                          "25%\nred", "18\nred", "8\namber", "12.5\nred"]
    assert texts[22:] == ["10%\namber", "no data", "no data", "18\namber", "4\namber", "no data", "75%\nred", "no data",
                          "5\namber", "-15\ngreen", "no data"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["East", "South", "North"]   # first team on top
    headers = [t.get_text() for t in ax.get_xticklabels()]
    assert headers[0] == "Vacancy rate\namber ≥ 10%\nred ≥ 20%"
    assert headers[6].endswith("amber ≤ 90%\nred ≤ 75%")
    legend = ax.get_legend()
    assert "ILLUSTRATIVE EXAMPLES, not standards" in legend.get_title().get_text()
    assert len(legend.get_texts()) == 4 and any("No data" in t.get_text() for t in legend.get_texts())


def test_plot_health_check_local_thresholds_and_services(hc):
    own = {"thresholds": 1, "status": "local", "note": "agreed",
           "indicators": {"cases_per_fte": {"higher_is_worse": True, "amber": 15, "red": 20}}}
    ax = plot_health_check(flags_long(service_indicators(hc), own))
    assert ax.get_legend().get_title().get_text() == "Cut-offs agreed locally"
    assert [t.get_text() for t in ax.texts] == ["16.8\namber", "18\namber"]   # 336 / 20; 162 / 9
    assert ax.get_ylabel() == "Service"


# --- synthetic teams -----------------------------------------------------------------------------

def test_synthetic_teams_are_reproducible_and_load_cleanly(tmp_path):
    a, b = generate_teams(seed=5), generate_teams(seed=5)
    pd.testing.assert_frame_equal(a, b)
    assert not generate_teams(seed=6).equals(a)
    written = write_teams(tmp_path)
    # The bundled files are exactly what the generator writes.
    for p in written:
        assert p.read_bytes() == (SYNTHETIC_DIR / p.name).read_bytes(), p.name
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hc = load_health_check(SYNTHETIC_DIR / "health_check_teams.csv")
    assert hc.synthetic and hc.metadata["n_teams"] == 24 and len(hc.metadata["services"]) == 4
    assert indicators(hc).attrs["synthetic"]
    table = flags_long(indicators(hc), hc.thresholds, indicator_reasons(hc))
    counts = table["flag"].value_counts()
    assert all(counts.get(f, 0) >= 3 for f in ("red", "amber", "green", "no data"))
    # A few of the "no data" cells are zero denominators, not only blanks.
    assert table["reason"].str.endswith("is zero").any()
    # Realistic ranges: vacancy rates 0-30 %, caseloads 12-30 per case-holding FTE.
    t = indicators(hc)
    assert t["vacancy_rate"].dropna().between(0, 0.3).all()
    assert t["cases_per_fte"].dropna().between(11.5, 30.5).all()
    # Free text is filled in the data but never reaches the outputs.
    phrases = set(hc.data["workflow_blocks"].dropna())
    assert phrases and not phrases & set(table.astype(str).to_numpy().ravel())


def test_repeated_column_names_are_refused():
    d = pd.DataFrame([["A", "S", 1, 2]], columns=["team", "service", "vacancies_fte", "vacancies_fte "])
    with pytest.raises(HealthCheckError, match=r"\['vacancies_fte'\] appear more than once"):
        load_health_check(d)


def test_service_totals_of_team_counts_are_not_flagged_against_team_cut_offs():
    # A service's unallocated cases are a total over its teams: a team's cut-off (red at 15 cases)
    # says nothing about it, so the service table must not call it red.
    from analysis import flag, indicators, service_indicators
    from analysis.studies.health_check.thresholds import NOT_APPLICABLE

    teams = pd.DataFrame({"team": ["A", "B"], "service": ["S", "S"], "unallocated_cases_now": [10.0, 12.0],
                          "unallocated_cases_12m_ago": [4.0, 6.0], "staff_fte_establishment": [10.0, 10.0],
                          "vacancies_fte": [1.0, 3.0]})
    services = flag(service_indicators(teams))
    assert services.at[0, "unallocated_now"] == 22.0
    assert services.at[0, "unallocated_now_flag"] == services.at[0, "unallocated_change_12m_flag"] == NOT_APPLICABLE
    assert services.at[0, "vacancy_rate_flag"] == "red"   # 4 / 20 = 20 %: a ratio keeps its flag...
    team_flags = flag(indicators(teams))
    assert list(team_flags["unallocated_now_flag"]) == ["amber", "amber"]  # ... and teams keep theirs
