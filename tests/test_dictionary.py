"""The data dictionary as a table, the `wellbeing-survey dictionary` command, and docs/dictionary.md."""

import subprocess
import sys

import pytest

from analysis.errors import SurveyDataError
from analysis.paths import REPO_DIR
from analysis.reading.dictionary import TABLE_COLUMNS, dictionary_table, format_dictionary, load_dictionary

DOC = REPO_DIR / "docs" / "dictionary.md"


def cli(*args):
    return subprocess.run([sys.executable, "-m", "analysis", "dictionary", *args], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0"})


def test_one_row_per_canonical_column():
    d = load_dictionary()
    table = dictionary_table()
    assert list(table.columns) == list(TABLE_COLUMNS)
    assert list(table["column"]) == list(d.columns)
    assert list(table.loc[table["required"], "column"]) == list(d.required)
    pss = dictionary_table("pss4")
    assert list(pss["column"]) == ["pss_1", "pss_2", "pss_3", "pss_4"] and set(pss["instrument"]) == {"pss4"}
    assert pss["description"].str.endswith("reverse-scored").tolist() == [False, True, True, False]


def test_an_unknown_instrument_names_the_known_ones():
    with pytest.raises(SurveyDataError, match="no instrument .pss.; did you mean .pss4."):
        dictionary_table("pss")


def test_the_command_lists_hours_actual():
    proc = cli()
    assert proc.returncode == 0, proc.stderr
    assert any(line.startswith("hours_actual ") and " number " in line for line in proc.stdout.splitlines())
    one = cli("--column", "hours_actual", "--format", "csv")
    assert one.returncode == 0 and one.stdout.splitlines()[1].startswith("hours_actual,number,,False,numbers from 0 to 100")


def test_an_unknown_column_suggests_the_near_one():
    proc = cli("--column", "hours_actaul")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "no column 'hours_actaul'" in proc.stderr and "did you mean hours_actual" in proc.stderr
    assert "Traceback" not in cli("--instrument", "nope").stderr


def test_help_does_not_import_pandas():
    code = ("import sys\nfrom analysis.cli import main\ntry:\n    main(['dictionary', '--help'])\n"
            "except SystemExit:\n    pass\nprint('pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")


def test_docs_dictionary_is_up_to_date():
    # Regenerate with: python -m analysis dictionary --format markdown > docs/dictionary.md
    expected = format_dictionary(dictionary_table(), "markdown")
    assert DOC.read_text(encoding="utf-8") == expected, "docs/dictionary.md is stale: see its first line"
    assert expected.splitlines()[0].startswith("<!-- Generated, do not edit: regenerate with")
    assert cli("--format", "markdown").stdout == expected
