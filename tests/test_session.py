"""What the notebooks lean on: the session's checks before anything is saved, the tables it
builds for publication, parameter injection and the manifest."""

import json

import nbformat
import numpy as np
import pandas as pd
import pytest

from analysis import SurveyDataError
from analysis.outputs.provenance import wave_overview
from analysis.stats.describe import sample_profile
from analysis.disclosure import suppress_counts
from analysis.reading.exclusions import concat_logs, exclusion_table, make_log, missing_score_table
from analysis.outputs.runner import inject_parameters, parameter_names
from analysis.outputs.provenance import write_manifest
from analysis.outputs.session import Session
from analysis.synthetic import demo_wave


@pytest.fixture
def session(tmp_path):
    return Session("07_test", waves=[{"label": "demo", "data": demo_wave(n=80, seed=4)}], output_dir=tmp_path,
                   display=False)


def test_session_refuses_row_level_tables_and_small_cells(session, tmp_path):
    frame = session.frame()
    with pytest.raises(SurveyDataError, match="respondent-level columns"):
        session.table("leak", frame[["respondent_id", "pss4"]].head(3), "ids")
    with pytest.raises(SurveyDataError, match="looks like respondent-level rows"):
        session.table("rows", frame[["pss4"]], "one row per respondent")
    with pytest.raises(SurveyDataError, match="looks like respondent-level rows"):  # a subset is no better
        session.table("subset", frame.loc[frame["sector"] == "adults", ["pss4", "sector"]], "some respondents")
    with pytest.raises(SurveyDataError, match="disclosive cell"):
        session.table("small", pd.DataFrame({"group": ["a", "b"], "n": [4, 60], "mean": [1.0, 2.0]}), "small")
    assert not list((tmp_path / "tables").glob("*")) if (tmp_path / "tables").exists() else True
    # Counts of an attribute under the threshold are blanked, not refused; missing answers are shown.
    session.table("ok", pd.DataFrame({"variable": ["pss4"], "n": [70], "n_events": [3], "n_missing": [3]}), "Fine")
    saved = pd.read_csv(tmp_path / "tables" / "07_ok_demo.csv")
    assert saved["n"].tolist() == [70] and np.isnan(saved["n_events"].item()) and saved["n_missing"].item() == 3
    fragment = json.loads((tmp_path / "provenance" / "07_test.json").read_text())
    out = fragment["outputs"][0]
    assert out["id"] == "07_ok_demo" and out["n"] == session.load().metadata["n_analysable"]
    assert out["sheet"]["rows"] == [["Perceived stress (PSS-4)", "70", "", "3"]]  # as readers see it
    assert fragment["inputs"][0]["wave"] == "demo" and fragment["inputs"][0]["synthetic"] is True


def test_session_parameters_are_checked(tmp_path):
    with pytest.raises(SurveyDataError, match="wave='2031' is not among"):
        Session("01_x", wave="2031", output_dir=tmp_path, display=False)
    with pytest.raises(SurveyDataError, match="no waves manifest"):
        Session("01_x", waves=tmp_path / "missing.yaml", output_dir=tmp_path, display=False)
    s = Session("01_x", output_dir=tmp_path, display=False)
    assert s.labels == ["2017", "2018"] and s.label == "2018"


def test_suppress_counts_blanks_only_small_positive_counts_of_attributes():
    t = pd.DataFrame({"n": [5, 50], "n_events": [0, 9], "n_bme": [10, 1], "n_lost": [1, 2], "mean": [1.0, 2.0]})
    out = suppress_counts(t, threshold=10)
    assert out["n"].tolist() == [5, 50]  # a row's own n is suppress()'s job
    assert out["n_events"].tolist()[0] == 0 and np.isnan(out["n_events"].iloc[1])
    assert out["n_bme"].iloc[0] == 10 and np.isnan(out["n_bme"].iloc[1])
    assert out["n_lost"].tolist() == [1, 2]  # who a model left out describes no one


def test_exclusion_table_protects_the_wave_total():
    log = concat_logs(make_log([f"a{i}" for i in range(40)], "wave", "2018", "empty_return", "empty"),
                      make_log([f"b{i}" for i in range(25)], "wave", "2018", "not_registered", "role other"),
                      make_log([f"c{i}" for i in range(4)], "wave", "2018", "duplicate", "twice"),
                      make_log([f"d{i}" for i in range(3)], "scale", "pss4", "too_few_answers", "few"),
                      make_log(list("uv"), "scale", "uwes_total", "too_few_answers", "few"))
    t = exclusion_table(log)
    assert t["rule"].tolist() == ["empty_return", "not_registered", "duplicate", "All"]
    # duplicate (4) primary; the smallest other rule secondary, so 69 - 40 cannot give 4 away.
    assert t["suppressed"].tolist() == ["", "secondary", "primary", ""]
    assert t["n"].tolist()[0] == 40 and t["n"].tolist()[3] == 69
    # Missing answers describe no one: counted in full, in their own table.
    m = missing_score_table(log)
    assert m[["target", "n_missing"]].values.tolist() == [["pss4", 3], ["uwes_total", 2]]
    # No wave exclusions: no rows (the notebook says nobody was excluded).
    assert exclusion_table(make_log(list("xy"), "scale", "pss4", "too_few_answers", "few")).empty


def test_sample_profile_counts_shares_and_not_answered():
    d = pd.DataFrame({"nation": pd.Categorical(["England"] * 60 + ["Wales"] * 20 + [None] * 12,
                                               categories=["England", "Scotland", "Wales", "Northern Ireland"])})
    t = sample_profile(d)
    assert t["category"].tolist() == ["England", "Wales", "(not answered)", "All"]  # nobody chose the others
    shown = t.set_index("category")
    assert shown.loc["England", "share"] == pytest.approx(60 / 92) and shown.loc["Wales", "share"] == pytest.approx(20 / 92)
    assert shown.loc["(not answered)", "share"] == pytest.approx(12 / 92)
    assert shown.loc["(not answered)", "n"] == 12 and shown.loc["All", "n"] == 92
    assert (shown["suppressed"] == "").all()
    small = sample_profile(pd.DataFrame({"nation": ["England"] * 60 + ["Wales"] * 20 + ["Scotland"] * 4}))
    assert small.set_index("category")["suppressed"].to_dict() == {"England": "", "Scotland": "primary",
                                                                   "Wales": "secondary", "All": ""}


def test_wave_overview_names_files_not_paths():
    from analysis import load_wave
    from analysis.paths import SYNTHETIC_DIR

    w = load_wave(SYNTHETIC_DIR / "wave_2017.csv", SYNTHETIC_DIR / "wave_2017.codebook.yaml")
    row = wave_overview([w]).iloc[0]
    assert (row["file"], row["codebook"], row["n_read"], row["n_analysable"]) == (
        "wave_2017.csv", "wave_2017.codebook.yaml", 1600, 1333)


def test_parameters_are_injected_after_the_parameters_cell():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 01 x"),
                                         nbformat.v4.new_code_cell("waves = None\nthreshold = 10  # comment"),
                                         nbformat.v4.new_code_cell("print(threshold)")])
    nb.cells[1].metadata["tags"] = ["parameters"]
    assert parameter_names(nb) == ["waves", "threshold"]
    inject_parameters(nb, {"threshold": 20, "waves": [{"label": "2019", "path": "/data/x.sav"}], "unknown": 1})
    assert nb.cells[2].source.splitlines()[1:] == ["threshold = 20", "waves = [{'label': '2019', 'path': '/data/x.sav'}]"]
    assert nb.cells[2].metadata["tags"] == ["injected-parameters"]
    with pytest.raises(ValueError, match="parameters"):
        inject_parameters(nbformat.v4.new_notebook(), {})


def test_manifest_merges_fragments_without_repeating_inputs(tmp_path):
    inp = {"wave": "2018", "sha256": "ab", "synthetic": True}
    frags = [{"notebook": f"0{i}_x", "package_version": "1", "git": {"commit": None, "dirty": None}, "threshold": 10,
              "inputs": [inp], "outputs": [{"kind": "table", "id": f"0{i}_t", "sheet": {}}]} for i in (1, 2)]
    m = json.loads(write_manifest(frags, tmp_path / "m.json").read_text())
    assert m["inputs"] == [inp] and m["synthetic"] is True and m["notebooks"] == ["01_x", "02_x"]
    assert [o["id"] for o in m["outputs"]] == ["01_t", "02_t"] and all("sheet" not in o for o in m["outputs"])


def test_a_notebook_run_by_hand_writes_to_a_folder_of_its_own(monkeypatch, tmp_path):
    # No output_dir (a student running one notebook from JupyterLab): a folder named after the run,
    # never the repository's figures/ and tables/, which the main job writes.
    from analysis.outputs import session as session_module
    from analysis.paths import FIGURES_DIR, TABLES_DIR

    monkeypatch.setattr(session_module, "RUNS_DIR", tmp_path / "runs")
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
    s = Session("04_by_hand", waves=None)
    assert s.output_dir == tmp_path / "runs" / "bundled_2018" and not s.output_dir.is_relative_to(TABLES_DIR)
    s.table("t", pd.DataFrame({"variable": ["pss4"], "n": [70]}), "A table")
    assert (tmp_path / "runs" / "bundled_2018" / "tables" / "04_t_2018.csv").is_file()
    assert not (TABLES_DIR / "04_t_2018.csv").exists() and not (FIGURES_DIR / "04_t_2018.png").exists()
    s.banner()
    assert "Outputs go to" in shown[-1].data and "bundled_2018" in shown[-1].data
    mine = Session("04_by_hand", waves=[{"label": "2019/20", "data": s.load().data.assign(wave="2019/20")}])
    assert mine.output_dir.name == "waves_2019_20"
    # With output_dir (the runner always gives one) nothing is said about it.
    Session("04_given", waves=None, output_dir=tmp_path / "given").banner()
    assert "Outputs go to" not in shown[-1].data
