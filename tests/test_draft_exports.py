"""Drafts that know common exports (analysis/reading/draft.py).

The bundled CSV and SPSS twins are renamed as survey tools and analysts name columns - numbered
blocks such as ``MS1`` ... ``MS35`` and ``PSS1`` ... ``PSS4``, or ``Q1_1`` ... ``Q5_24`` - and written
as a Qualtrics CSV (three header rows) and an SPSS file with variable labels; every instrument item
is then drafted with no TODO, and the draft loads the same wave and gives the same scores as the
true codebook. The renamed files are built in tmp_path from the bundled ones.

The question texts and variable labels written here are our own words: an instrument item's text is
its short label from the instrument file, never the questionnaire's wording.
"""

from __future__ import annotations

import csv
import re
from functools import lru_cache

import pandas as pd
import pyreadstat
import pytest
import yaml

from analysis import load_wave, score_wave
from analysis.errors import SurveyDataError
from analysis.paths import SYNTHETIC_DIR
from analysis.reading.dictionary import load_dictionary
from analysis.reading.draft import draft_codebook, match_header, write_draft

from .conftest import write_csv

D = load_dictionary()
INSTRUMENTS = {i.id: i for i in D.instruments}
ITEM = {c: (i.id, n) for i in D.instruments for c, n in i.item_numbers.items()}   # item column -> (id, number)

#: Column names of each instrument's items, by style.
STYLES = {
    "ms": {"hse_mit": "MS{n}", "pss4": "PSS{n}", "uwes9": "UWES{n}", "swemwbs": "WB{n}", "wrqol": "WRQ{n}"},
    "q": {"hse_mit": "Q1_{n}", "pss4": "Q2_{n}", "swemwbs": "Q3_{n}", "uwes9": "Q4_{n}", "wrqol": "Q5_{n}"},
}

#: Question text (Qualtrics' second header row, or an SPSS variable label) of the other columns, our words.
QUESTIONS = {
    "respondent_id": "Response ID",
    "presenteeism_12m": "In the last 12 months, have you gone to work despite feeling unwell?",
    "sickness_absence_days_12m": "In the last 12 months, how many days of sickness absence have you had?",
    "job_satisfaction": "How satisfied are you with your job?",
    "intend_leave_job": "Do you intend to leave your current job in the next year?",
    "intend_leave_profession": "Do you intend to leave the social work profession?",
    "hours_contracted": "How many hours a week are you contracted to work?",
    "hours_actual": "How many hours did you actually work last week?",
    "aggression_service_users": "Have you experienced aggression from service users?",
    "racism_colleagues_12m": "In the last 12 months, have you experienced racism from colleagues?",
    "racism_service_users_12m": "In the last 12 months, have you experienced racism from service users?",
    "nation": "Which UK nation do you work in?",
    "sector": "Which service area do you work in?",
    "role": "What is your job role?",
    "employer": "Who is your employer?",
    "gender": "What is your gender?",
    "age_band": "How old are you?",
    "ethnicity": "What is your ethnic group?",
    "years_qualified": "How many years have you been qualified?",
    "disability": "Do you consider yourself disabled?",
}

#: Qualtrics grids: instrument -> (question number, stem) each; the HSE tool in two grids (items 1-23, 24-35).
GRIDS = {"hse_mit": [(1, "How often, at work"), (2, "How far do you agree, at work")],
         "pss4": [(3, "In the last month, how often")], "swemwbs": [(4, "Over the last two weeks")],
         "uwes9": [(5, "How often do you feel this at work")], "wrqol": [(6, "How far do you agree")]}

#: Qualtrics' own columns: name, question text, ImportId, a value.
QUALTRICS_META = [
    ("StartDate", "Start Date", '{"ImportId":"startDate","timeZone":"Europe/London"}', "2018-05-01 09:00:00"),
    ("EndDate", "End Date", '{"ImportId":"endDate","timeZone":"Europe/London"}', "2018-05-01 09:14:00"),
    ("Status", "Response Type", '{"ImportId":"status"}', "IP Address"),
    ("IPAddress", "IP Address", '{"ImportId":"ipAddress"}', "10.0.0.1"),
    ("Progress", "Progress", '{"ImportId":"progress"}', "100"),
    ("Duration (in seconds)", "Duration (in seconds)", '{"ImportId":"duration"}', "840"),
    ("Finished", "Finished", '{"ImportId":"finished"}', "True"),
    ("RecordedDate", "Recorded Date", '{"ImportId":"recordedDate","timeZone":"Europe/London"}', "2018-05-01 09:14:01"),
]
QUALTRICS_AFTER_ID = [
    ("RecipientLastName", "Recipient Last Name", '{"ImportId":"recipientLastName"}', ""),
    ("RecipientEmail", "Recipient Email", '{"ImportId":"recipientEmail"}', ""),
    ("ExternalReference", "External Data Reference", '{"ImportId":"externalDataReference"}', ""),
    ("LocationLatitude", "Location Latitude", '{"ImportId":"locationLatitude"}', "51.5"),
    ("LocationLongitude", "Location Longitude", '{"ImportId":"locationLongitude"}', "-0.12"),
    ("DistributionChannel", "Distribution Channel", '{"ImportId":"distributionChannel"}', "anonymous"),
    ("UserLanguage", "User Language", '{"ImportId":"userLanguage"}', "EN-GB"),
]

#: (year, format, style): "ms" and "q" rename the instrument items only; "labelled" (SPSS) renames every
#: column Q-style and gives it a variable label; "qualtrics" (CSV) writes Qualtrics' three header rows.
CASES = ([(y, f, s) for y in ("2017", "2018") for f in ("csv", "sav") for s in ("ms", "q")]
         + [(y, "sav", "labelled") for y in ("2017", "2018")] + [(y, "csv", "qualtrics") for y in ("2017", "2018")])


# --- building the renamed exports ---------------------------------------------------------------

def shipped(year: str, fmt: str) -> dict:
    return yaml.safe_load((SYNTHETIC_DIR / f"wave_{year}_export_{fmt}.yaml").read_text(encoding="utf-8"))


def names_for(columns: dict, style: str) -> tuple[dict, dict]:
    """Export column -> new name, and new name -> question text (our words), for a style."""
    names, questions, other = {}, {}, 7
    for source, canon in columns.items():
        if canon in ITEM:
            inst, n = ITEM[canon]
            if style in ("ms", "q"):
                names[source] = STYLES[style][inst].format(n=n)
                continue
            grids = GRIDS[inst]
            (k, stem), sub = (grids[1], n - 23) if inst == "hse_mit" and n > 23 else (grids[0], n)
            names[source] = f"Q{k}_{sub}"
            questions[names[source]] = f"{stem} - {INSTRUMENTS[inst].item_labels[canon]}"
        elif style in ("labelled", "qualtrics"):
            names[source] = "ResponseId" if canon == "respondent_id" else f"Q{other}"
            other += canon != "respondent_id"
            questions[names[source]] = QUESTIONS[canon]
    return names, questions


def renamed_export(year: str, fmt: str, style: str, folder) -> tuple:
    """Write the twin of ``year``/``fmt`` renamed in ``style`` into ``folder``: (path, true codebook)."""
    source = SYNTHETIC_DIR / f"wave_{year}_export.{fmt}"
    truth = shipped(year, fmt)
    names, questions = names_for(truth["columns"], style)
    truth["columns"] = {names.get(k, k): v for k, v in truth["columns"].items()}
    path = folder / f"survey_{style}.{fmt}"
    if fmt == "sav":
        frame, meta = pyreadstat.read_sav(str(source), user_missing=True)
        frame = frame.rename(columns=names)
        pyreadstat.write_sav(
            frame, str(path),
            column_labels=[questions.get(c) for c in frame.columns] if questions else None,
            variable_value_labels={names.get(k, k): v for k, v in meta.variable_value_labels.items()},
            missing_ranges={names.get(k, k): v for k, v in meta.missing_ranges.items()})
        return path, truth
    frame = pd.read_csv(source, dtype=str, keep_default_na=False).rename(columns=names)
    if style != "qualtrics":
        frame.to_csv(path, index=False)
        return path, truth
    meta_columns = QUALTRICS_META + [("ResponseId", "Response ID", '{"ImportId":"_recordId"}', None)] + QUALTRICS_AFTER_ID
    header = [m[0] for m in meta_columns] + [c for c in frame.columns if c != "ResponseId"]
    rows = [header, [m[1] for m in meta_columns] + [questions[c] for c in header[len(meta_columns):]],
            [m[2] for m in meta_columns]
            + ['{"ImportId":"QID%s"}' % c[1:].replace("_", "_") for c in header[len(meta_columns):]]]
    fixed = {m[0]: m[3] for m in meta_columns if m[3] is not None}
    rows += [[fixed.get(c, r.get(c)) for c in header] for r in frame.to_dict("records")]
    with open(path, "w", encoding="utf-8-sig", newline="") as out:   # as Qualtrics writes it
        csv.writer(out, quoting=csv.QUOTE_ALL).writerows(rows)
    truth["ignore"] = [m[0] for m in meta_columns if m[0] != "ResponseId"]
    truth["header_rows"] = 3
    return path, truth


@lru_cache(maxsize=None)
def reference_scores(year: str, fmt: str) -> pd.DataFrame:
    """The scores of a twin loaded with its shipped codebook (the truth every draft must give)."""
    return score_wave(load_wave(SYNTHETIC_DIR / f"wave_{year}_export.{fmt}",
                                SYNTHETIC_DIR / f"wave_{year}_export_{fmt}.yaml"))


@pytest.fixture(params=CASES, ids=lambda c: "-".join(c))
def case(request, tmp_path):
    year, fmt, style = request.param
    path, truth = renamed_export(year, fmt, style, tmp_path)
    return year, fmt, style, path, truth, draft_codebook(path, wave=year)


# --- every instrument item mapped, the same scores ------------------------------------------------

def test_every_instrument_item_is_mapped_with_nothing_left_to_do(case):
    year, fmt, style, path, truth, draft = case
    assert draft.todo == [], [str(t) for t in draft.todo]
    cb = draft.codebook
    items = {k: v for k, v in truth["columns"].items() if v in ITEM}
    assert len(items) == (79 if year == "2018" else 63)
    assert {k: v for k, v in cb["columns"].items() if v in ITEM} == items
    assert cb["columns"] == truth["columns"]      # the outcomes and demographics too
    assert cb.get("ignore", []) == truth.get("ignore", [])
    assert cb.get("header_rows", 1) == truth.get("header_rows", 1)


def test_the_draft_loads_the_wave_and_gives_the_same_scores_as_the_true_codebook(case, tmp_path):
    year, fmt, style, path, truth, draft = case
    written = yaml.safe_load(write_draft(draft, tmp_path / "draft.yaml").read_text(encoding="utf-8"))
    written["exclude"] = truth.get("exclude", [])   # exclusion rules are the study's decision, not the draft's
    wave, true_wave = load_wave(path, written), load_wave(path, truth)
    pd.testing.assert_frame_equal(wave.data, true_wave.data)
    scores = score_wave(wave)
    pd.testing.assert_frame_equal(scores, score_wave(true_wave), check_exact=False, rtol=0, atol=1e-12)
    pd.testing.assert_frame_equal(scores, reference_scores(year, fmt), check_exact=False, rtol=0, atol=1e-12)


def test_each_guess_states_its_evidence(case, tmp_path):
    year, fmt, style, path, truth, draft = case
    text = write_draft(draft, tmp_path / "draft.yaml").read_text(encoding="utf-8")
    how = draft.columns.set_index("export_column")
    if style == "ms":
        assert re.search(r"\n  MS1: hse_01  # answer pattern, medium: matched to hse_mit: 35 columns MS1-MS35, "
                         r"(answers|codes 1-5 with value labels) \"Never\" \.\.\. \"Always\" and \"Strongly disagree\" "
                         r"\.\.\. \"Strongly agree\" seen; item 1\n", text)
        assert "  MS2: hse_02  # answer pattern, medium: item 2 of the 35 columns from MS1 matched to hse_mit " \
               "(see MS1)\n" in text
        assert how.loc["PSS4", "canonical"] == "pss_4" and how.loc["PSS4", "method"] == "item pattern"
    if style == "qualtrics":
        assert "header_rows: 3  # the 2 rows under the column names hold the survey tool's question text and " \
               "ImportIds, not answers: loading skips them and the file stays as exported\n" in text
        first = how.loc["Q1_1"]
        assert (first["method"], first["confidence"]) == ("answer pattern", "high")
        assert first["detail"].startswith("matched to hse_mit: 35 columns in 2 blocks side by side "
                                          "(Q1_1-Q1_23, Q2_1-Q2_12), taken in order, answers")
        assert "question text holds the items' short labels (35 of 35)" in first["detail"]
        assert how.loc["Q3_1", "detail"].endswith("question text holds the items' short labels (4 of 4); item 1")
    if style == "labelled":
        assert how.loc["Q7", "detail"].startswith("variable label")   # an outcome known by its label
        assert "variable label holds the items' short labels" in how.loc["Q3_1", "detail"]


# --- what is left is the study's decisions ----------------------------------------------------------

@pytest.mark.parametrize("year, fmt, style", [("2018", "csv", "qualtrics"), ("2017", "sav", "ms"),
                                              ("2018", "sav", "labelled")])
def test_without_a_wave_label_the_only_todo_is_the_wave(year, fmt, style, tmp_path):
    path, _ = renamed_export(year, fmt, style, tmp_path)
    draft = draft_codebook(path)
    assert [t.kind for t in draft.todo] == ["no wave label"]


# --- an instrument's name is not an item ----------------------------------------------------------

def test_pss4_in_a_pss_block_is_item_4_and_uwes9_in_a_uwes_block_item_9(tmp_path):
    header = ",".join(["id"] + [f"PSS{n}" for n in range(1, 5)] + [f"UWES{n}" for n in range(1, 10)])
    rows = ["a," + ",".join(["Never", "Sometimes", "Very often", "Fairly often"] + ["Often"] * 9),
            "b," + ",".join(["Almost never"] * 4 + ["Always"] * 9)]
    draft = draft_codebook(write_csv(tmp_path / "w.csv", "\n".join([header] + rows) + "\n"), wave=2019)
    assert draft.todo == []
    cb = draft.codebook["columns"]
    assert [cb[f"PSS{n}"] for n in range(1, 5)] == ["pss_1", "pss_2", "pss_3", "pss_4"]
    assert cb["UWES9"] == "uwes_9"
    row = draft.columns.set_index("export_column").loc["PSS4"]
    assert (row["method"], row["confidence"]) == ("item pattern", "high")
    assert row["detail"] == ("PSS-4 item 4: alone, PSS4 would name the instrument, but here it is item 4 of "
                             "the block PSS1-PSS4")
    assert match_header("PSS4") is None and match_header("UWES9") is None   # alone, a name is not an item


def test_an_instrument_name_beside_the_items_is_not_an_item(tmp_path):
    header = "id," + ",".join(f"PSS4_Q{n}" for n in range(1, 5)) + ",PSS4\n"
    draft = draft_codebook(write_csv(tmp_path / "w.csv", header + "a,Never,Never,Never,Never,7\n"), wave=2019)
    assert "PSS4" not in draft.codebook["columns"]
    assert [(t.kind, t.column) for t in draft.todo] == [("unmatched column", "PSS4")]
    assert "has the name of the instrument PSS-4 (a total score?), not of one of its items" in str(draft.todo[0])


# --- numbered blocks ------------------------------------------------------------------------------

@pytest.mark.parametrize("style", ["MS{n}", "MS_{n}", "HSE{n:02d}", "Q12r{n}", "Q5.{n}", "Q5_{n}"])
def test_numbered_blocks_are_matched_by_count_numbering_and_answer_range(style, tmp_path):
    header = ",".join(["Respondent ID"] + [style.format(n=n) for n in range(1, 36)])
    rows = [f"r{i}," + ",".join(str(1 + (i + n) % 5) for n in range(35)) for i in range(6)]
    rows.append("r6," + ",".join(["-99"] * 35))
    draft = draft_codebook(write_csv(tmp_path / "w.csv", "\n".join([header] + rows) + "\n"), wave=2019)
    assert draft.todo == []
    cb = draft.codebook["columns"]
    assert [cb[style.format(n=n)] for n in range(1, 36)] == [f"hse_{n:02d}" for n in range(1, 36)]
    first = draft.columns.set_index("export_column").loc[style.format(n=1)]
    if style.startswith("HSE"):    # the name itself says so
        assert first["method"] in ("item pattern", "normalised")
    else:
        assert first["detail"] == (f"matched to hse_mit: 35 columns {style.format(n=1)}-{style.format(n=35)}, "
                                   "answers 1-5 seen; item 1")


def test_a_block_numbered_like_an_instrument_but_answered_otherwise_is_one_todo(tmp_path):
    header = ",".join(["Respondent ID"] + [f"MS{n}" for n in range(1, 36)])
    rows = [f"r{i}," + ",".join(str((i + n) % 7) for n in range(35)) for i in range(5)]   # 0-6: not the HSE tool
    draft = draft_codebook(write_csv(tmp_path / "w.csv", "\n".join([header] + rows) + "\n"), wave=2019)
    assert [(t.kind, t.column) for t in draft.todo] == [("unmatched block", "MS1")]
    assert str(draft.todo[0]).startswith(
        "columns MS1-MS35 (35 numbered columns) not matched: it is numbered like the 35 items of HSE MSIT, but "
        "its answers do not fit (answers 0-6 seen; HSE MSIT answers are 1-5 or their labels)")
    assert not any(v.startswith("hse_") for v in draft.codebook["columns"].values())


def test_keyword_matches_are_not_overruled_by_a_block_without_question_text_for_the_instrument(tmp_path):
    text = ("ResponseId,Q9_1,Q9_2,Q9_3,Q9_4\n"
            "Response ID,Have you experienced racism from colleagues?,Have you experienced aggression?,"
            "Days of sickness absence,Job satisfaction\n"
            '{"ImportId":"_recordId"},{"ImportId":"QID9_1"},{"ImportId":"QID9_2"},{"ImportId":"QID9_3"},'
            '{"ImportId":"QID9_4"}\n'
            "R_1,Never,Sometimes,Never,Sometimes\nR_2,Very often,Never,Fairly often,Never\n")
    draft = draft_codebook(write_csv(tmp_path / "w.csv", text), wave=2019)
    assert not any(v.startswith("pss_") for v in draft.codebook["columns"].values())
    assert draft.codebook["columns"]["Q9_1"] == "racism_colleagues_12m"


# --- header rows: never an edit to the raw file ---------------------------------------------------

EDIT_THE_FILE = re.compile(r"\b(delete|remove|edit|correct|change)\b[^.\n]*\b(lines?|rows?|cells?)\b|"
                           r"\b(lines?|rows?) [0-9]", re.IGNORECASE)


def test_no_drafted_text_tells_the_user_to_edit_the_raw_file(tmp_path):
    drafts = [draft_codebook(renamed_export("2018", "csv", "qualtrics", tmp_path)[0]),
              draft_codebook(write_csv(tmp_path / "a.csv", "Respondent ID,PSS4_Q1,PSS4_Q2,PSS4_Q3,PSS4_Q4,Q7\n"
                                                           "a,1,2,5,3,x\nb,2,5,1,1,y\n")),
              draft_codebook(write_csv(tmp_path / "b.csv",
                                       'ResponseId,Q1\nResponse ID,Which nation do you work in?\n'
                                       '{"ImportId":"_recordId"},{"ImportId":"QID1"}\nR_1,Atlantis\n'))]
    for i, draft in enumerate(drafts):
        assert draft.todo, "each draft has TODOs to check"
        text = write_draft(draft, tmp_path / f"d{i}.yaml").read_text(encoding="utf-8")
        said = [t.message for t in draft.todo] + [ln for ln in text.splitlines() if "#" in ln]
        assert not [s for s in said if EDIT_THE_FILE.search(s.replace("header_rows", ""))], draft.source
    assert drafts[2].codebook["header_rows"] == 3


def test_the_qualtrics_header_rows_are_left_out_by_the_codebook_not_by_editing_the_file(tmp_path):
    path, truth = renamed_export("2017", "csv", "qualtrics", tmp_path)
    before = path.read_bytes()
    draft = draft_codebook(path, wave="2017")
    assert draft.codebook["header_rows"] == 3 and draft.todo == []
    wave = load_wave(path, write_draft(draft, tmp_path / "d.yaml"))
    assert path.read_bytes() == before       # the checksum in the provenance stays the export's
    assert len(wave.data) + len(wave.exclusions) >= 1 and wave.data["respondent_id"].str.startswith("S17").all()


# --- hostile input is normal input ----------------------------------------------------------------

def test_duplicate_names_give_a_clear_message(tmp_path):
    with pytest.raises(SurveyDataError, match=r"\[duplicate columns\].*'MS1'"):
        draft_codebook(write_csv(tmp_path / "w.csv", "id,MS1,MS1,MS2\na,1,2,3\n"))


@pytest.mark.parametrize("header, row", [
    ("id,MS1,MS2,MS3,PSS1,PSS2,PSS3,PSS4", "a,,,,,,,"),                        # every item empty
    ("id,\u00e9t\u00e9 1,\u2603_2, x ,\tQ1_1,Q1_2 ,__3", "a,1,2,3,4,5,6"),     # odd characters and spaces
    ("id," + ",".join(f"MS{n}" for n in range(1, 36)) + ",MS_1", "a," + ",".join(["3"] * 36)),   # two MS1s
    ("id," + "x" * 500 + "1," + "x" * 500 + "2", "a,1,2"),                     # very long names
])
def test_weird_headers_and_empty_columns_give_todos_not_tracebacks(header, row, tmp_path):
    path = write_csv(tmp_path / "w.csv", f"{header}\n{row}\n{row.replace('a', 'b', 1)}\n")
    draft = draft_codebook(path, wave=2019)
    text = write_draft(draft, tmp_path / "d.yaml").read_text(encoding="utf-8")
    assert yaml.safe_load(text) == draft.codebook
    assert draft.todo and set(draft.columns["action"]) <= {"map", "ignore", "todo"}


def test_an_empty_block_named_like_an_instrument_is_still_its_items(tmp_path):
    draft = draft_codebook(write_csv(tmp_path / "w.csv", "id,PSS1,PSS2,PSS3,PSS4\na,,,,\n"), wave=2019)
    assert [draft.codebook["columns"][f"PSS{n}"] for n in range(1, 5)] == ["pss_1", "pss_2", "pss_3", "pss_4"]


def test_an_empty_unnamed_block_is_one_todo(tmp_path):
    header = "id," + ",".join(f"MS{n}" for n in range(1, 36))
    draft = draft_codebook(write_csv(tmp_path / "w.csv", header + "\na" + "," * 35 + "\n"), wave=2019)
    assert [(t.kind, t.column) for t in draft.todo] == [("unmatched block", "MS1")]
    assert "holds no answers to tell" in str(draft.todo[0])


def test_a_qualtrics_export_with_no_responses_yet_is_drafted(tmp_path):
    text = ('ResponseId,Q1\nResponse ID,Which nation do you work in?\n'
            '{"ImportId":"_recordId"},{"ImportId":"QID1"}\n')
    draft = draft_codebook(write_csv(tmp_path / "w.csv", text), wave=2019)
    assert draft.codebook["header_rows"] == 3
    assert draft.codebook["columns"] == {"ResponseId": "respondent_id", "Q1": "nation"}


def test_the_walkthrough_shows_the_draft_as_it_is(tmp_path):
    """docs/walkthrough.md quotes the draft of the Qualtrics-style 2018 export: the quote must be what
    the drafter writes today."""
    from analysis.paths import REPO_DIR

    doc = (REPO_DIR / "docs" / "walkthrough.md").read_text(encoding="utf-8")
    path, _ = renamed_export("2018", "csv", "qualtrics", tmp_path)
    draft = draft_codebook(path)
    assert f"{draft!r}\nTODO {draft.todo[0].message}\n" in doc
    written = write_draft(draft, tmp_path / "d.yaml").read_text(encoding="utf-8").splitlines()
    quoted = [ln for ln in written if ln.startswith(("header_rows:", "  ResponseId:", "  Q1_1:", "  Q1_2:", "  Q3_1:"))]
    assert len(quoted) == 5 and all(f"{ln}\n" in doc for ln in quoted)
