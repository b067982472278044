"""Drafting a codebook for a raw export (analysis/codebook_draft.py): the synthetic exports' shipped
codebooks are recovered, and whatever cannot be matched is marked TODO, never guessed."""

import time

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis import load_wave
from analysis.reading.codebook import load_codebook, normalise_label
from analysis.reading.draft import RULES, _read_rules, draft_codebook, match_header, write_draft
from analysis.reading.dictionary import load_dictionary
from analysis.errors import CodebookError, SurveyDataError, SurveyDataWarning
from analysis.reading.readers import read_table
from analysis.paths import DRAFT_RULES_FILE, SCHEMA_DIR, SYNTHETIC_DIR
from analysis.specs import check_against_schema

from .conftest import write_csv

TWINS = [(year, fmt) for year in ("2017", "2018") for fmt in ("csv", "sav")]
D = load_dictionary()


def resolve(codebook, column, answer, declared=()):
    """What loading makes of one answer in a canonical column (as analysis.reading.validation does); values
    the file declares missing are missing whatever the codebook says."""
    spec, key = D[column], normalise_label(answer)
    if key in codebook.missing_codes_for(column) | {normalise_label(v) for v in declared}:
        return "missing"
    labels = codebook.labels_for(column)
    if spec.kind == "category":
        allowed = {normalise_label(v): v for v in spec.values}
        return allowed.get(normalise_label(labels[key]) if key in labels else key)
    if key in labels:
        return float(labels[key])
    return {normalise_label(v): float(k) for k, v in spec.labels.items()}.get(key, answer)


def every_answer(table, column):
    """Each distinct value of an export column, read through its value labels, plus declared missing."""
    labels = {float(k): v for k, v in table.value_labels.get(column, {}).items()}
    out = set()
    for v in table.frame[column].dropna().unique():
        x = float(v) if isinstance(v, (int, float, np.integer, np.floating)) else None
        out.add(labels.get(x, v))
    return out | set(labels.values())


@pytest.fixture(scope="module", params=TWINS, ids=lambda t: f"{t[0]}-{t[1]}")
def twin(request):
    year, fmt = request.param
    export = SYNTHETIC_DIR / f"wave_{year}_export.{fmt}"
    shipped_path = SYNTHETIC_DIR / f"wave_{year}_export_{fmt}.yaml"
    return export, shipped_path, yaml.safe_load(shipped_path.read_text(encoding="utf-8")), draft_codebook(export)


# --- the synthetic exports -----------------------------------------------------------------------

def test_nothing_is_left_to_do_on_the_synthetic_exports(twin):
    _, _, _, draft = twin
    assert draft.todo == []
    assert set(draft.columns["action"]) == {"map"}
    assert set(draft.columns["confidence"]) == {"high"}


def test_draft_recovers_the_shipped_column_mapping_and_ignore_list(twin):
    export, _, shipped, draft = twin
    assert draft.codebook["columns"] == shipped["columns"]
    assert list(draft.codebook["columns"]) == list(shipped["columns"])
    assert draft.codebook.get("ignore", []) == shipped.get("ignore", []) == []
    assert draft.codebook["wave"] == shipped["wave"] and draft.codebook["synthetic"] is True
    methods = draft.columns.set_index("export_column")["method"]
    if export.suffix == ".csv":
        assert methods["Response ID"] == "synonym" and methods["HSEMSIT_Q12"] == "item pattern"
        assert methods["Presenteeism 12M"] == "normalised"
    else:
        assert methods["RESPONDENT_ID"] == "normalised" and methods["V_hse_12"] == "exact"


def test_draft_recovers_the_shipped_missing_codes(twin):
    export, _, shipped, draft = twin
    declared = {-99} if export.suffix == ".sav" else set()  # SPSS user-missing, listed for the reader
    assert set(draft.codebook["missing_codes"]) == set(shipped["missing_codes"]) | declared
    assert "column_missing_codes" not in draft.codebook
    assert draft.missing["applies_to"].eq("all").all()
    if export.suffix == ".sav":
        assert dict(zip(draft.missing["code"], draft.missing["method"])) == {
            -99: "SPSS user-missing", "Prefer not to say": "SPSS value label"}


def test_draft_maps_every_answer_to_the_same_code_as_the_shipped_codebook(twin):
    export, shipped_path, shipped, draft = twin
    table = read_table(export)
    ours, theirs = load_codebook(draft.codebook), load_codebook(shipped_path)
    checked = 0
    for source, canon in shipped["columns"].items():
        if D[canon].kind in ("id", "label", "text"):
            continue
        declared = table.declared_missing.get(source, ())
        for answer in every_answer(table, source):
            assert resolve(ours, canon, answer, declared) == resolve(theirs, canon, answer, declared), \
                (source, answer)
            checked += 1
    assert checked > 500
    # coded answers come in label sets like the shipped ones
    sets = {tuple(s["columns"]): s["labels"] for s in draft.codebook["answer_labels"].values()}
    assert sets[("pss_1", "pss_2", "pss_3", "pss_4")] == {
        "Never": 0, "Almost never": 1, "Sometimes": 2, "Fairly often": 3, "Very often": 4}


def test_loading_with_the_draft_gives_the_same_data(twin, tmp_path):
    export, shipped_path, shipped, draft = twin
    reference = load_wave(export, shipped_path)
    # exclusion rules are study decisions the drafter cannot know: carry the shipped ones over
    written = write_draft(draft, tmp_path / "draft.yaml")
    spec = yaml.safe_load(written.read_text(encoding="utf-8"))
    spec["exclude"] = shipped.get("exclude", [])
    wave = load_wave(export, spec)
    pd.testing.assert_frame_equal(wave.data, reference.data)
    pd.testing.assert_frame_equal(wave.exclusions, reference.exclusions)
    assert wave.metadata["missing_coded"] == reference.metadata["missing_coded"]
    # as written, with no exclusion rules: every respondent read the same way
    as_is = load_wave(export, written)
    no_rules = load_wave(export, {**shipped, "exclude": []})
    pd.testing.assert_frame_equal(as_is.data, no_rules.data)


def test_written_draft_loads_as_it_is_and_says_how_each_entry_was_matched(twin, tmp_path):
    export, _, _, draft = twin
    path = write_draft(draft, tmp_path / "draft.yaml")
    text = path.read_text(encoding="utf-8")
    assert yaml.safe_load(text) == draft.codebook
    assert load_codebook(path).columns == draft.codebook["columns"]
    assert "# TODO" not in text and "Nothing left to map" in text
    first = "Response ID: respondent_id  # synonym, high" if export.suffix == ".csv" else \
        "RESPONDENT_ID: respondent_id  # normalised, high"
    assert f"  {first}\n" in text
    assert "- -99  # " in text and "cells in" in text


def test_drafting_the_largest_export_takes_well_under_a_few_seconds():
    start = time.perf_counter()
    draft = draft_codebook(SYNTHETIC_DIR / "wave_2018_export.csv")
    assert time.perf_counter() - start < 2.0   # about 0.1 s on the reference machine
    assert len(draft.codebook["columns"]) == 99


# --- what it cannot match ------------------------------------------------------------------------

MADE_UP = """ResponseId,StartDate,IPAddress,Which nation do you work in?,Service area,Job role,PSS4_Q1,PSS4_Q2,PSS4_Q3,PSS4_Q4,Contracted hours,Q99
R_1,2019-03-01 10:00,10.0.0.1,England,Children and families,Social worker,Never,Sometimes,Very often,Fairly often,37.5,blue
R_2,2019-03-01 10:05,10.0.0.2,Wales,Adult services,Team manager,Sort of,Almost never,Never,-99,999,green
R_3,2019-03-01 10:09,10.0.0.3,N/A,Children and families,Senior practitioner,Don't know,Never,Sometimes,Very often,30,
R_4,2019-03-01 10:12,10.0.0.4,Scotland,Mixed,Student,Almost never,Very often,Fairly often,Sometimes,22.5,red
"""


@pytest.fixture
def made_up(tmp_path):
    return write_csv(tmp_path / "made_up_export.csv", MADE_UP)


def test_unknown_column_and_unknown_answer_label_are_marked_todo(made_up, tmp_path):
    draft = draft_codebook(made_up, wave=2019)
    assert [(t.kind, t.column, t.value) for t in draft.todo] == [
        ("unmapped answer", "PSS4_Q1", "Sort of"),
        ("unmatched column", "Q99", None),
    ]
    assert str(draft.todo[1]) == 'column "Q99" not matched - map it under columns: or add it to ignore:'
    cb = draft.codebook
    assert "Q99" not in cb["columns"] and "Q99" not in cb["ignore"]
    assert not any("Sort of" in s["labels"] for s in cb["answer_labels"].values())
    text = write_draft(draft, tmp_path / "draft.yaml").read_text(encoding="utf-8")
    assert '  # TODO: column "Q99" not matched - map it under columns: or add it to ignore:\n' in text
    assert '  # TODO: answer "Sort of" in column "PSS4_Q1" (pss_1) not mapped' in text
    assert "# 2 TODO item(s) below" in text
    assert "      Adult services: adults  # synonym, medium\n" in text   # each mapping says how it was made
    assert "- StartDate  # metadata, high\n" in text and "- 999  # sentinel value, high: 1 cell in 1 column\n" in text
    with pytest.raises(SurveyDataError) as err:  # as drafted, loading stops at both
        load_wave(made_up, tmp_path / "draft.yaml")
    assert {(p.kind, p.source_column or p.column) for p in err.value.problems} == {
        ("unknown column", "Q99"), ("unknown answer label", "PSS4_Q1")}


def test_the_rest_of_the_made_up_export_is_matched_and_loads_once_the_todos_are_resolved(made_up, tmp_path):
    draft = draft_codebook(made_up, wave=2019)
    cb = draft.codebook
    assert cb["columns"] == {"ResponseId": "respondent_id", "Which nation do you work in?": "nation",
                             "Service area": "sector", "Job role": "role", "PSS4_Q1": "pss_1",
                             "PSS4_Q2": "pss_2", "PSS4_Q3": "pss_3", "PSS4_Q4": "pss_4",
                             "Contracted hours": "hours_contracted"}
    assert cb["ignore"] == ["StartDate", "IPAddress"] and cb["wave"] == "2019"
    assert cb["missing_codes"] == [-99, 999, "N/A", "Don't know"]
    assert cb["answer_labels"]["categories"] == {
        "columns": ["sector", "role"],
        "labels": {"Children and families": "children_families", "Adult services": "adults",
                   "Social worker": "social_worker", "Team manager": "manager",
                   "Senior practitioner": "senior_practitioner", "Student": "student_or_asye"}}
    how = draft.answers.set_index("answer")
    assert how.loc["Children and families", "method"] == "normalised"
    assert tuple(how.loc["Team manager", ["method", "confidence"]]) == ("synonym", "medium")
    # a person decides: Q99 is not needed, "Sort of" means no answer
    cb["ignore"].append("Q99")
    cb["missing_codes"].append("Sort of")
    wave = load_wave(made_up, write_draft(draft, tmp_path / "resolved.yaml"))
    data = wave.data.set_index("respondent_id")
    assert list(data["sector"]) == ["children_families", "adults", "children_families", "mixed"]
    assert list(data["role"]) == ["social_worker", "manager", "senior_practitioner", "student_or_asye"]
    assert data["nation"].isna().tolist() == [False, False, True, False]
    np.testing.assert_array_equal(data["pss_1"], [0.0, np.nan, np.nan, 1.0])   # "Sort of", "Don't know"
    np.testing.assert_array_equal(data["pss_4"], [3.0, np.nan, 4.0, 2.0])      # -99
    np.testing.assert_array_equal(data["hours_contracted"], [37.5, np.nan, 30.0, 22.5])   # 999


def test_a_sentinel_that_is_a_valid_answer_elsewhere_is_a_missing_code_only_where_it_is_not(tmp_path):
    path = write_csv(tmp_path / "w.csv", "id,wave,pss_1,pss_2,pss_3,pss_4,hours_actual\n"
                                         "a,2019,1,2,99,3,99\nb,2019,2,99,1,0,40\n")
    draft = draft_codebook(path)
    assert draft.todo == [] and "missing_codes" not in draft.codebook
    assert draft.codebook["column_missing_codes"] == {"pss_3": [99], "pss_2": [99]}
    wave = load_wave(path, draft.codebook)
    assert wave.data["hours_actual"].tolist() == [99.0, 40.0]
    assert wave.data["pss_3"].isna().tolist() == [True, False]


def test_answers_out_of_range_are_todo_with_a_recode_hint(tmp_path):
    path = write_csv(tmp_path / "w.csv", "Respondent ID,PSS4_Q1,PSS4_Q2,PSS4_Q3,PSS4_Q4\n"
                                         "a,1,2,5,3\nb,2,5,1,1\n")
    draft = draft_codebook(path, wave="2019")
    assert [(t.kind, t.column, t.value) for t in draft.todo] == [("out of range", "PSS4_Q2", 5.0),
                                                               ("out of range", "PSS4_Q3", 5.0)]
    assert "add recode: {pss_2: {1: 0, 2: 1, 3: 2, 4: 3, 5: 4}}" in draft.todo[0].message


def test_ties_and_ambiguous_keywords_are_left_to_a_person(tmp_path):
    path = write_csv(tmp_path / "w.csv",
                     "id,Job role,Current role,Do you intend to leave your current job?,Hours worked under contract,wave,"
                     "Employer,Type of employer\n"
                     "a,manager,manager,Yes,37,2019,nhs,nhs\n")
    draft = draft_codebook(path)
    assert draft.codebook["columns"] == {"id": "respondent_id",
                                         "Do you intend to leave your current job?": "intend_leave_job",
                                         "wave": "wave", "Employer": "employer"}
    assert "wave" not in draft.codebook  # the file has its own wave column
    row = draft.columns.set_index("export_column").loc["Do you intend to leave your current job?"]
    assert (row["method"], row["confidence"]) == ("keyword", "medium")
    assert [(t.kind, t.column) for t in draft.todo] == [
        ("ambiguous column", "Hours worked under contract"),      # contracted or actual hours?
        ("ambiguous column", "Job role"), ("ambiguous column", "Current role"),   # a tie
        ("ambiguous column", "Type of employer")]    # the canonical name itself wins over a synonym
    assert str(draft.todo[0]) == ('column "Hours worked under contract" could be any of hours_contracted, '
                                  "hours_actual - map it under columns: or add it to ignore:")
    assert str(draft.todo[1]).startswith('column "Job role" looks like role (synonym, high), as does "Current role"')
    assert 'but "Employer" is mapped to it' in str(draft.todo[3])


def test_a_qualtrics_block_is_matched_by_its_numbers_and_answers(tmp_path):
    header = "ResponseId,Q3_1,Q3_2,Q3_3,Q3_4,Q4_1,Q4_2\n"
    rows = ["R_1,Never,Sometimes,Fairly often,Fairly often,Never,Never",
            "R_2,Very often,Almost never,Never,Sometimes,Never,Never"]
    path = write_csv(tmp_path / "w.csv", header + "\n".join(rows) + "\n")
    draft = draft_codebook(path, wave="2019")
    cb = draft.codebook["columns"]
    assert [cb.get(f"Q3_{i}") for i in range(1, 5)] == ["pss_1", "pss_2", "pss_3", "pss_4"]
    assert set(draft.columns.set_index("export_column").loc["Q3_1", ["method", "confidence"]]) == {
        "answer pattern", "medium"}
    # two columns answered Never...: not enough to tell which instrument they are
    assert [t.column for t in draft.todo] == ["Q4_1", "Q4_2"]
    assert "HSE MSIT items" in draft.todo[0].message  # a hint, not a mapping


def test_qualtrics_extra_header_rows_are_skipped_by_header_rows_and_their_question_text_is_used(tmp_path):
    text = ('ResponseId,Q1,Q2\nResponse ID,Which nation do you work in?,How satisfied are you with your job?\n'
            '{"ImportId":"_recordId"},{"ImportId":"QID1"},{"ImportId":"QID2"}\n'
            "R_1,England,Satisfied\nR_2,Wales,Very dissatisfied\n")
    draft = draft_codebook(write_csv(tmp_path / "w.csv", text), wave="2019")
    assert draft.codebook["columns"] == {"ResponseId": "respondent_id", "Q1": "nation", "Q2": "job_satisfaction"}
    assert draft.todo == [] and draft.codebook["header_rows"] == 3   # the file is not to be edited
    assert draft.columns.set_index("export_column").loc["Q1", "detail"].startswith("question text")


def test_incomplete_instruments_and_a_missing_wave_are_todo(tmp_path):
    path = write_csv(tmp_path / "survey_2021.csv", "Respondent ID,PSS4_Q1,PSS4_Q2\na,Never,Never\n")
    kinds = [(t.kind, t.section) for t in draft_codebook(path).todo]
    assert kinds == [("incomplete instrument", "columns"), ("no wave label", "wave")]
    text = write_draft(draft_codebook(path), tmp_path / "d.yaml").read_text(encoding="utf-8")
    assert "# TODO: no wave column and no wave label - add wave: with the wave's label (the file name " \
           "suggests 2021)" in text


def test_an_excel_sheet_is_drafted_and_named(tmp_path, demo):
    path = tmp_path / "w.xlsx"
    with pd.ExcelWriter(path) as xl:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(xl, sheet_name="cover", index=False)
        demo.head(30).to_excel(xl, sheet_name="answers", index=False)
    draft = draft_codebook(path, sheet="answers")
    assert draft.todo == [] and draft.codebook["sheet"] == "answers"
    assert set(draft.columns["method"]) == {"exact"}
    wave = load_wave(path, write_draft(draft, tmp_path / "d.yaml"))
    assert len(wave.data) == 30


# --- matching headers, and the rules as data -----------------------------------------------------

@pytest.mark.parametrize("header, canonical", [
    ("HSEMSIT_Q12", "hse_12"), ("HSE Q12", "hse_12"), ("hse12", "hse_12"), ("HSE_Q1_12", "hse_12"),
    ("PSS4_Q1", "pss_1"), ("PSS-4 item 2", "pss_2"), ("UWES9_Q3", "uwes_3"), ("SWEMWBS_Q7", "swemwbs_7"),
    ("WRQoL_Q10", "wrqol_10"), ("wrqol 24", "wrqol_24"), ("Response ID", "respondent_id"),
    ("ResponseId", "respondent_id"), ("Respondent ID", "respondent_id"), ("Country", "nation"),
    ("Which nation do you work in?", "nation"), ("Service area", "sector"), ("Age band", "age_band"),
    ("Ethnic group", "ethnicity"), ("Contracted hours", "hours_contracted"), ("Actual hours", "hours_actual"),
    ("Job satisfaction", "job_satisfaction"), ("Intend to leave", "intend_leave_job"),
])
def test_headers_are_matched(header, canonical):
    assert match_header(header).canonical == canonical


@pytest.mark.parametrize("header", ["PSS4", "UWES9", "HSE_Q36", "PSS4_Q5", "Q12", "Favourite colour"])
def test_non_items_and_strangers_are_not_matched(header):
    assert match_header(header) is None


@pytest.mark.parametrize("header", ["StartDate", "EndDate", "IPAddress", "Duration (in seconds)", "RecordedDate",
                                    "Progress", "Q_RecaptchaScore", "Collector ID"])
def test_survey_tool_metadata_is_ignored(header):
    m = match_header(header)
    assert (m.canonical, m.method) == (None, "metadata")


def test_a_prefix_is_dropped_with_less_confidence_unless_most_columns_share_it():
    assert match_header("V_nation").confidence == "medium"
    m = match_header("V_nation", shared_prefixes={"V"})
    assert (m.canonical, m.confidence, m.detail) == ("nation", "high", "prefix 'V' dropped")


def test_the_rules_name_only_canonical_columns_and_values():
    for section in ("synonyms", "keywords", "values"):
        assert set(RULES[section]) <= set(D.columns), section
    for column, values in RULES["values"].items():
        assert set(map(str, values)) <= set(D[column].values), column
    compact = {}
    for column, names in RULES["synonyms"].items():
        for name in names:
            key = "".join(ch for ch in name.casefold() if ch.isalnum())
            assert compact.setdefault(key, column) == column, name
    assert {i.id for i in D.instruments} >= set(RULES["instrument_prefixes"])


def test_the_rules_file_fits_its_schema_and_is_what_the_drafter_uses():
    rules = yaml.safe_load(DRAFT_RULES_FILE.read_text(encoding="utf-8"))
    check_against_schema(rules, SCHEMA_DIR / "codebook_draft_rules.schema.yaml", "rules", "bad drafting rules")
    assert rules == RULES


@pytest.mark.parametrize("old, new, where", [
    ('[days, "off", sick]', "[days, off, sick]", "keywords/sickness_absence_days_12m/1/1"),  # YAML reads off as false
    ("\nmissing:\n", "\nmissed:\n", "top level"),
    ("synonyms:\n", "synonyms: [\n", "cannot be read as YAML"),
])
def test_a_broken_rules_file_is_a_codebook_error(tmp_path, old, new, where):
    text = DRAFT_RULES_FILE.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "rules.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CodebookError, match="bad drafting rules") as err:
        _read_rules(broken)
    assert where in str(err.value)


def test_a_sniffed_delimiter_and_a_detected_encoding_are_pinned_in_the_draft(tmp_path):
    path = tmp_path / "w.csv"
    path.write_bytes("Respondent ID;Nation;Any other comments\nr1;England;Trop de paperasse, très fatigué\n"
                     "r2;Wales;Équipe réduite\n".encode("cp1252"))
    with pytest.warns(SurveyDataWarning, match="not UTF-8"):
        draft = draft_codebook(path, wave=2020)
        detected = read_table(path).encoding
    assert (draft.codebook["encoding"], draft.codebook["delimiter"]) == (detected, ";")
    assert draft.todo == [] and draft.codebook["columns"]["Any other comments"] == "comments"
    text = write_draft(draft, tmp_path / "d.yaml").read_text(encoding="utf-8")
    assert f"encoding: {detected}  # detected: check that accented letters read right\n" in text
    assert len(load_wave(path, tmp_path / "d.yaml").data) == 2   # pinned: no second warning
