"""One-line diagnoses of common mistakes, before the list of problems.

A raw export loaded without its codebook, or with the codebook of another export, gives one line
that names the mistake and the fix; the numbered list follows, capped, with a count of the rest by
kind; misspelt column names and codebook keys get a "did you mean".
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml

from analysis import load_wave
from analysis.cli import main
from analysis.errors import LISTED, CodebookError, SurveyDataError
from analysis.paths import SYNTHETIC_DIR

EXPORT = SYNTHETIC_DIR / "wave_2018_export.csv"
OTHER_CODEBOOK = SYNTHETIC_DIR / "wave_2017_export_sav.yaml"


def _numbered(text: str) -> list[str]:
    return re.findall(r"^  \d+\. ", text, re.M)


def test_a_raw_export_without_its_codebook_is_diagnosed_in_one_line():
    with pytest.raises(SurveyDataError) as err:
        load_wave(EXPORT)
    first, second = str(err.value).splitlines()[:2]
    assert first == ("wave_2018_export.csv: this looks like a raw export: 99 of its 99 columns are not canonical "
                     "names; did you forget the codebook (load_wave(path, codebook)), or to draft one "
                     "(analysis.draft_codebook(path))?")
    assert second.startswith("100 problems found; nothing was loaded.")
    assert err.value.diagnosis.kind == "raw export" and len(err.value.problems) == 100


def test_the_list_is_capped_with_a_count_of_the_rest_by_kind():
    with pytest.raises(SurveyDataError) as err:
        load_wave(EXPORT)
    text = str(err.value)
    assert len(_numbered(text)) == LISTED == 10
    assert text.splitlines()[-1] == ("  ... and 90 more problems: 89 unknown columns, 1 missing required column "
                                     "(err.problems lists all 100)")
    assert len(_numbered(err.value.report(limit=None))) == 100


def test_the_command_line_says_it_in_its_own_words_and_verbose_lists_everything(capsys):
    assert main(["validate", str(EXPORT)]) == 2
    said = capsys.readouterr().err
    assert said.splitlines()[0].endswith("did you forget --codebook (or `wellbeing-survey codebook draft <export>` "
                                         "to write one)?")
    assert "Traceback" not in said and len(said.splitlines()) < 30
    assert said.rstrip().endswith("(wellbeing-survey validate --verbose lists all 100)")
    assert main(["validate", "--verbose", str(EXPORT)]) == 2
    assert len(_numbered(capsys.readouterr().err)) == 100


def test_the_codebook_of_another_export_is_diagnosed():
    with pytest.raises(CodebookError) as err:
        load_wave(EXPORT, OTHER_CODEBOOK)
    first = str(err.value).splitlines()[0]
    assert first.startswith("wave_2018_export.csv: the codebook maps none of this file's 99 columns: it was written "
                            "for another export (it renames 83 columns such as 'RESPONDENT_ID'; this file has "
                            "'Response ID', ...)")
    assert err.value.diagnosis.kind == "codebook of another export"
    # the absent columns are listed once, capped, each with its closest match in the file
    absent = next(p for p in err.value.problems if p.kind == "codebook names absent columns")
    assert "'RESPONDENT_ID' (did you mean 'Response ID'?)" in absent.message and "and 75 more" in absent.message


def test_a_codebook_of_this_export_with_a_few_mistakes_gets_no_diagnosis(tmp_path):
    spec = yaml.safe_load((SYNTHETIC_DIR / "wave_2018_export_csv.yaml").read_text(encoding="utf-8"))
    spec["columns"]["Hours Actual"] = "hours_actaul"   # one misspelt canonical name
    spec["columns"]["Job Satisfaction"] = "job_satisfaction"
    path = tmp_path / "cb.yaml"
    path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    with pytest.raises(SurveyDataError) as err:
        load_wave(EXPORT, path)
    assert err.value.diagnosis is None
    assert "the codebook maps it to 'hours_actaul', which is not a canonical column; did you mean 'hours_actual'?" \
        in str(err.value)


def test_an_unknown_column_gets_a_did_you_mean_from_the_dictionary():
    frame = pd.DataFrame({"respondent_id": ["a", "b"], "wave": ["2019", "2019"], "hours_actaul": [40, 41]})
    with pytest.raises(SurveyDataError, match=r"column 'hours_actaul': this column is not in the data dictionary; "
                                              r"did you mean 'hours_actual'\?") as err:
        load_wave(frame)
    assert err.value.diagnosis is None      # one unknown column of three is a typo, not a raw export


@pytest.mark.parametrize("key, meant", [("mising_codes", "missing_codes"), ("colums", "columns"),
                                        ("reversed_in_sorce", "reversed_in_source")])
def test_a_misspelt_codebook_key_gets_a_did_you_mean(key, meant):
    with pytest.raises(CodebookError, match=rf"unknown key '{key}'; did you mean '{meant}'\?"):
        load_wave(EXPORT, {key: []})
