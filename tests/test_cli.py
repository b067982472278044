"""The wellbeing-survey command, end to end on the raw-export twins of the synthetic waves."""

import hashlib
import json
import subprocess
import sys

import pandas as pd
import pytest

from analysis import load_wave, score_wave
from analysis.paths import HEALTH_CHECK_DIR, SYNTHETIC_DIR

TWINS = {"2017": ("wave_2017_export.sav", "wave_2017_export_sav.yaml"),
         "2018": ("wave_2018_export.csv", "wave_2018_export_csv.yaml")}


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "analysis", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0"})


@pytest.mark.parametrize("command", ["validate", "score", "report", "run", "synthetic", "benchmark", "codebook",
                                     "codebook draft"])
def test_every_subcommand_has_help(command):
    proc = cli(*command.split(), "--help")
    assert proc.returncode == 0 and proc.stdout.startswith("usage: wellbeing-survey " + command)


@pytest.mark.slow
@pytest.mark.parametrize("label", TWINS)
def test_validate_a_raw_export(label):
    data, codebook = TWINS[label]
    proc = cli("validate", SYNTHETIC_DIR / data, "--codebook", SYNTHETIC_DIR / codebook)
    assert proc.returncode == 0, proc.stderr
    n_read, n_ok = {"2017": (1600, 1333), "2018": (3421, 3421)}[label]
    assert f"OK: Wave('{label}', synthetic: {n_ok} analysable of {n_read} read from {data}" in proc.stdout
    assert "columns renamed by the codebook" in proc.stdout and "missing-value codes turned into missing" in proc.stdout


@pytest.mark.slow
def test_validate_lists_every_problem_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,wave,pss_1,pss_2,pss_3,pss_4\na,1,9,1,1,1\na,1,1,x,1,1\n")
    proc = cli("validate", bad)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    for text in ("[out of range] column 'pss_1'", "[duplicate respondent id]", "[text in numeric field] column 'pss_2'"):
        assert text in proc.stderr


@pytest.mark.slow
def test_score_writes_the_same_scores_as_the_library(tmp_path):
    data, codebook = TWINS["2017"]
    out = tmp_path / "scores.csv"
    proc = cli("score", SYNTHETIC_DIR / data, "-c", SYNTHETIC_DIR / codebook, "-o", out)
    assert proc.returncode == 0, proc.stderr
    written = pd.read_csv(out, dtype={"respondent_id": str, "wave": str})
    expected = score_wave(load_wave(SYNTHETIC_DIR / "wave_2017.csv", SYNTHETIC_DIR / "wave_2017.codebook.yaml"))
    assert len(written) == 1333 and list(written.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(written.drop(columns=["respondent_id", "wave"]),
                                  expected.drop(columns=["respondent_id", "wave"]).reset_index(drop=True),
                                  check_dtype=False, rtol=1e-9)


@pytest.mark.slow
def test_report_runs_notebooks_on_raw_exports_with_a_progress_bar(tmp_path):
    args = [SYNTHETIC_DIR / data for data, _ in TWINS.values()]
    for label, (_, codebook) in TWINS.items():
        args += ["--codebook", SYNTHETIC_DIR / codebook, "--label", label]
    proc = cli("report", *args, "--out", tmp_path / "out", "--notebooks", "01", "03", "10")
    assert proc.returncode == 0, proc.stderr[-2000:]
    bars = [line for line in proc.stdout.splitlines() if line.startswith("|")]
    assert bars[0].startswith("|" + "." * 24 + "| [1/3] 01_data_and_codebook") and "#" * 24 in bars[-1]
    manifest = json.loads((tmp_path / "out" / "report" / "manifest.json").read_text())
    assert [i["file"] for i in manifest["inputs"]] == ["wave_2017_export.sav", "wave_2018_export.csv"]
    # The raw twins give the same tables as the canonical files.
    change = pd.read_csv(tmp_path / "out" / "tables" / "10_wave_changes_2017-2018.csv")
    assert change.set_index("outcome").loc["pss4", "value_to"] == pytest.approx(
        score_wave(load_wave(SYNTHETIC_DIR / "wave_2018.csv", SYNTHETIC_DIR / "wave_2018.codebook.yaml"))["pss4"].mean())
    assert (tmp_path / "out" / "report" / "index.html").is_file()
    missing_out = cli("report", SYNTHETIC_DIR / "wave_2018.csv")
    assert missing_out.returncode == 2 and "--out" in missing_out.stderr


@pytest.mark.slow
def test_synthetic_regenerates_the_bundled_files(tmp_path):
    proc = cli("synthetic", "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr
    written = sorted(p for p in tmp_path.iterdir())
    assert len(written) == 23
    for p in written:
        assert hashlib.sha256(p.read_bytes()).digest() == hashlib.sha256((SYNTHETIC_DIR / p.name).read_bytes()).digest()


@pytest.mark.slow
@pytest.mark.parametrize("label", TWINS)
def test_codebook_draft_then_validate(label, tmp_path):
    data, shipped = TWINS[label]
    draft = tmp_path / "draft.yaml"
    proc = cli("codebook", "draft", SYNTHETIC_DIR / data, "-o", draft, "--label", label)
    assert proc.returncode == 0, proc.stderr
    assert "nothing left to map" in proc.stdout
    assert "# " in draft.read_text()  # every mapping says how it was matched
    proc = cli("validate", SYNTHETIC_DIR / data, "-c", draft)
    assert proc.returncode == 0, proc.stderr
    # Same data as with the shipped codebook (exclusion rules are a study decision, not in a draft).
    drafted = load_wave(SYNTHETIC_DIR / data, draft)
    shipped_wave = load_wave(SYNTHETIC_DIR / data, SYNTHETIC_DIR / shipped)
    rows = drafted.data["respondent_id"].isin(shipped_wave.data["respondent_id"])
    pd.testing.assert_frame_equal(drafted.data[rows].reset_index(drop=True), shipped_wave.data.reset_index(drop=True))


@pytest.mark.slow
def test_report_takes_a_poll_and_team_returns_of_ones_own(tmp_path):
    shipped = (HEALTH_CHECK_DIR / "thresholds.yaml").read_text()
    local = tmp_path / "our_cutoffs.yaml"
    local.write_text(shipped.replace("status: example", "status: local").replace(
        "cases_per_fte: {higher_is_worse: true, amber: 18, red: 24}", "cases_per_fte: {higher_is_worse: true, amber: 5, red: 6}"))
    proc = cli("report", "--out", tmp_path / "out", "--notebooks", "11", "12", "--teams",
               SYNTHETIC_DIR / "health_check_teams.csv", "--thresholds", local, "--poll", SYNTHETIC_DIR / "union_poll.csv")
    assert proc.returncode == 0, proc.stderr[-2000:]
    manifest = json.loads((tmp_path / "out" / "report" / "manifest.json").read_text())
    assert manifest["parameters"]["12_workload_health_check"]["thresholds"] == "our_cutoffs.yaml"
    teams = pd.read_csv(tmp_path / "out" / "tables" / "12_team_indicators_teams.csv")
    shown = teams.dropna(subset=["cases_per_fte"])
    assert (shown["cases_per_fte_flag"] == "red").all() and (shown["cases_per_fte"] >= 6).all()
    md = (tmp_path / "out" / "tables" / "12_team_indicators_teams.md").read_text()
    assert "locally agreed cut-offs" in md


@pytest.mark.slow
def test_report_takes_the_wave_label_from_the_file_when_none_is_given(tmp_path):
    proc = cli("report", SYNTHETIC_DIR / "wave_2018.csv", "--out", tmp_path / "out", "--notebooks", "01")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "out" / "tables" / "01_waves_2018.csv").is_file()
    assert "skipped" not in proc.stdout  # only notebook 01 was asked for
