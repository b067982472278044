"""The runner's edges: outputs replaced only when a run is complete, folder by folder and put back
when a rename fails; a failing notebook or a Ctrl-C leaves the previous outputs as they were; and
Ctrl-C on the command line stops the kernels and exits with status 130 and one line."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
import pytest

from analysis.outputs import runner
from analysis.outputs.runner import (NotebookFailed, ReplaceFailed, RunInterrupted, _hide_folders, inject_parameters,
                                     list_notebooks, replace_outputs, run_notebooks)
from analysis.paths import REPO_DIR


def _tree(folder: Path) -> dict:
    """Every file under a folder (hidden ones too) with its SHA-256."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _previous(out: Path) -> dict:
    """A previous run's outputs, with a manifest that matches its files, and the tracked READMEs."""
    files = {"figures/README.md": "# figures (tracked)\n", "tables/README.md": "# tables (tracked)\n",
             "figures/01_old.png": "png", "tables/01_old.csv": "a,b\n1,2\n", "tables/tables.xlsx": "xlsx",
             "provenance/01_old.json": "{}", "report/index.html": "<html></html>",
             "report/notebooks/01_old.ipynb": "{}"}
    for name, text in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text)
    outputs = [{"kind": "table", "id": "01_old", "files": [
        {"path": p, "sha256": hashlib.sha256((out / p).read_bytes()).hexdigest()}
        for p in ("tables/01_old.csv", "figures/01_old.png")]}]
    (out / "report" / "manifest.json").write_text(json.dumps({"outputs": outputs}))
    return _tree(out)


def _staging(out: Path) -> Path:
    staging = out / ".run-test"
    for name in ("figures/01_new.png", "tables/01_new.csv", "provenance/01_new.json", "report/manifest.json",
                 "report/notebooks/01_new.ipynb"):
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        (staging / name).write_text(f"new {name}")
    return staging


# -- replacing the outputs -----------------------------------------------------------------------------
def test_replace_outputs_swaps_whole_folders_and_keeps_readmes(tmp_path):
    _previous(tmp_path)
    (tmp_path / "notes.txt").write_text("not an output folder: left alone")
    staging = _staging(tmp_path)
    replace_outputs(staging, tmp_path)
    assert sorted(_tree(tmp_path)) == ["figures/01_new.png", "figures/README.md", "notes.txt",
                                       "provenance/01_new.json", "report/manifest.json",
                                       "report/notebooks/01_new.ipynb", "tables/01_new.csv", "tables/README.md"]
    assert (tmp_path / "figures" / "README.md").read_text() == "# figures (tracked)\n"
    assert not staging.exists()


def test_replace_outputs_into_an_empty_folder(tmp_path):
    staging = _staging(tmp_path)
    (staging / "figures" / "01_new.png").unlink()
    replace_outputs(staging, tmp_path)
    assert (tmp_path / "figures").is_dir() and not list((tmp_path / "figures").iterdir())
    assert (tmp_path / "report" / "manifest.json").read_text() == "new report/manifest.json"


@pytest.mark.parametrize("fail_at", range(8))
def test_a_failed_rename_puts_the_previous_folders_back(tmp_path, monkeypatch, fail_at):
    before = _previous(tmp_path)
    staging = _staging(tmp_path)
    new = _tree(staging)
    calls = []
    real = runner._rename

    def rename(source, target):
        calls.append((source, target))
        if len(calls) == fail_at + 1:
            raise OSError(f"rename {fail_at} refused")
        real(source, target)

    monkeypatch.setattr(runner, "_rename", rename)
    with pytest.raises(OSError, match=f"rename {fail_at} refused"):
        replace_outputs(staging, tmp_path)
    after = {k: v for k, v in _tree(tmp_path).items() if not k.startswith(".run-test/")}
    assert after == before
    # The new outputs are still whole in the temporary folder (READMEs copied in), for the caller.
    kept = {k: v for k, v in _tree(staging).items() if not k.endswith("README.md")}
    assert kept == new


def test_when_putting_back_fails_too_the_error_says_where(tmp_path, monkeypatch):
    _previous(tmp_path)
    staging = _staging(tmp_path)
    calls = []
    real = runner._rename

    def rename(source, target):
        calls.append(source)
        if len(calls) >= 6:  # report, figures, tables, provenance aside; two new ones in; then nothing
            raise OSError("disk gone")
        real(source, target)

    monkeypatch.setattr(runner, "_rename", rename)
    with pytest.raises(ReplaceFailed, match=r"they are in .*\.run-test/\.previous"):
        replace_outputs(staging, tmp_path)
    assert (staging / ".previous" / "report" / "manifest.json").is_file()


# -- runs that stop --------------------------------------------------------------------------------
def _fake_notebook(behaviour: dict):
    """An execute_notebook that writes outputs like a notebook would, then does ``behaviour[stem]``."""

    def execute(path, parameters, save_to, timeout=900, *, shown_output_dir=None, kernels=None):
        out = Path(parameters["output_dir"])
        stem = Path(path).stem
        (out / "tables").mkdir(parents=True, exist_ok=True)
        (out / "tables" / f"{stem}.csv").write_text("x\n1\n")
        Path(save_to).parent.mkdir(parents=True, exist_ok=True)
        Path(save_to).write_text("{}")
        action = behaviour.get(stem[:2])
        if action == "fail":
            raise NotebookFailed(stem, 3, 2, "boom()", "ValueError: boom", Path(save_to))
        if action in ("ctrl-c", "busy"):  # busy: runs until a Ctrl-C stops its kernel
            if action == "ctrl-c":
                os.kill(os.getpid(), signal.SIGINT)  # as a terminal's Ctrl-C reaches the main thread
            deadline = time.monotonic() + 10
            while not kernels.stopping and time.monotonic() < deadline:
                time.sleep(0.01)
            raise runner._Stopped(stem)

    return execute


def test_a_failing_notebook_keeps_the_previous_outputs(tmp_path, monkeypatch):
    before = _previous(tmp_path)
    monkeypatch.setattr(runner, "execute_notebook", _fake_notebook({"02": "fail"}))
    with pytest.raises(NotebookFailed) as err:
        run_notebooks({}, tmp_path, ["01", "02", "03"], jobs=1, echo=lambda *_: None)
    staging = [p for p in tmp_path.iterdir() if p.name.startswith(".run-")]
    assert len(staging) == 1
    text = str(err.value)
    assert "notebook 02_sample_profile, cell 3" in text and f"outputs so far are in {staging[0]}" in text
    assert f"the previous outputs in {tmp_path.resolve()} are unchanged" in text
    assert (staging[0] / "report" / "notebooks" / "02_sample_profile.ipynb").is_file()
    assert not (staging[0] / "tables" / "03_scores_and_reliability.csv").exists()  # queued: never started
    assert {k: v for k, v in _tree(tmp_path).items() if not k.startswith(".run-")} == before


def test_ctrl_c_removes_the_run_and_keeps_the_previous_outputs(tmp_path, monkeypatch):
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    before = _previous(tmp_path)
    monkeypatch.setattr(runner, "execute_notebook", _fake_notebook({"01": "busy", "02": "ctrl-c"}))
    lines = []
    ours = signal.signal(signal.SIGINT, signal.default_int_handler)  # even where pytest runs with Ctrl-C ignored
    try:
        with pytest.raises(RunInterrupted) as err:
            run_notebooks({}, tmp_path, ["01", "02", "03", "04"], jobs=2, echo=lines.append)
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # put back as it was
    finally:
        signal.signal(signal.SIGINT, ours)
    assert str(err.value) == f"no report was written; the previous report in {tmp_path.resolve()} is unchanged"
    assert isinstance(err.value, KeyboardInterrupt)
    assert _tree(tmp_path) == before  # no temporary folder left either
    assert not any(line.startswith(("[3/4]", "[4/4]")) for line in lines)  # queued ones never started


def test_a_complete_run_replaces_the_outputs(tmp_path, monkeypatch):
    _previous(tmp_path)
    monkeypatch.setattr(runner, "execute_notebook", _fake_notebook({}))
    result = run_notebooks({}, tmp_path, ["01", "02"], report=False, jobs=2, echo=lambda *_: None)
    assert result["notebooks"] == [tmp_path.resolve() / "report" / "notebooks" / f"{p.stem}.ipynb"
                                   for p in list_notebooks()[:2]]
    assert sorted(_tree(tmp_path)) == ["figures/README.md", "report/notebooks/01_data_and_codebook.ipynb",
                                       "report/notebooks/02_sample_profile.ipynb", "tables/01_data_and_codebook.csv",
                                       "tables/02_sample_profile.csv", "tables/README.md"]


def test_executed_copies_name_the_output_folder_not_the_temporary_one():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("output_dir = None\nwaves = None")])
    nb.cells[0].metadata["tags"] = ["parameters"]
    inject_parameters(nb, {"output_dir": "/home/someone/out/.run-1-abc", "waves": "/home/someone/waves.yaml"})
    _hide_folders(nb, {"/home/someone/out/.run-1-abc": "/home/someone/out"})
    assert sorted(nb.cells[1].source.splitlines()[1:]) == ["output_dir = 'out'", "waves = 'waves.yaml'"]


def test_command_line_ctrl_c_gives_one_line_and_status_130(monkeypatch, capsys, tmp_path):
    from analysis import cli

    def interrupted(args, out):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_run", interrupted)
    assert cli.main(["report", "--out", str(tmp_path / "out")]) == 130
    err = capsys.readouterr().err
    assert err == f"interrupted: no report was written; {tmp_path / 'out'} is unchanged\n"


# -- Ctrl-C on the command line, with real kernels ---------------------------------------------------
def _kernels_of(pid: int) -> list:
    """Kernel processes started by process ``pid`` (jupyter_client marks them with JPY_PARENT_PID),
    still running: found even after they were orphaned."""
    try:
        import psutil
    except ImportError:
        psutil = None
    found = []
    if psutil is not None:
        for p in psutil.process_iter():
            try:
                if p.environ().get("JPY_PARENT_PID") == str(pid) and p.status() != psutil.STATUS_ZOMBIE:
                    found.append(p.pid)
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                pass
        return found
    for environ in Path("/proc").glob("[0-9]*/environ"):
        try:
            if f"JPY_PARENT_PID={pid}".encode() in environ.read_bytes().split(b"\0"):
                state = (environ.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    found.append(int(environ.parent.name))
        except OSError:
            pass
    return found


@pytest.mark.slow
@pytest.mark.skipif(os.name != "posix", reason="SIGINT to a process group")
def test_ctrl_c_stops_a_report_and_leaves_the_previous_one(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    before = _previous(out)
    manifest = json.loads((out / "report" / "manifest.json").read_text())
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0", PYTHONUNBUFFERED="1")
    # A session of its own, as a terminal's foreground job; Ctrl-C not ignored even if ours is.
    proc = subprocess.Popen([sys.executable, "-m", "analysis", "report", "--out", str(out)], cwd=REPO_DIR,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if "[1/" in line:
                break
        assert any("[1/" in line for line in seen), "".join(seen) + proc.stderr.read()
        deadline = time.monotonic() + 60
        while not _kernels_of(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        running = _kernels_of(proc.pid)
        assert running, "no kernel started"
        assert [p.name for p in out.iterdir() if p.name.startswith(".run-")]  # the run writes aside
        os.killpg(proc.pid, signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130, stderr[-2000:]
    assert stderr.strip() == f"interrupted: no report was written; the previous report in {out} is unchanged"
    assert "Traceback" not in stderr
    time.sleep(0.5)
    assert _kernels_of(proc.pid) == [], "kernel processes left behind"
    assert _tree(out) == before  # no temporary folder; nothing replaced
    for o in manifest["outputs"]:
        for f in o["files"]:
            assert hashlib.sha256((out / f["path"]).read_bytes()).hexdigest() == f["sha256"]


def test_an_output_folder_that_is_a_file_is_refused_before_any_notebook_runs(tmp_path):
    from analysis.errors import SurveyDataError
    from analysis.outputs.runner import run_notebooks

    target = tmp_path / "report.txt"
    target.write_text("not a folder")
    with pytest.raises(SurveyDataError, match=r"\[bad output folder\] the output folder .* is a file"):
        run_notebooks({}, target, echo=lambda _: None)
    assert target.read_text() == "not a folder"


def test_notebooks_on_ones_own_waves_skip_the_poll_and_the_teams_unless_given(monkeypatch, tmp_path):
    from analysis.outputs import runner

    lines = []
    chosen = runner._with_their_inputs(runner.list_notebooks(), {"waves": "mine.yaml"}, lines.append)
    assert [p.stem[:2] for p in chosen] == [f"{i:02d}" for i in [*range(1, 11), 13, 14, 15]]
    assert lines == ["skipped 11_union_priorities: it needs a member poll (--poll), not given",
                     "skipped 12_workload_health_check: it needs team health-check returns (--teams), not given"]
    with_poll = runner._with_their_inputs(runner.list_notebooks(), {"waves": "mine.yaml", "poll": "p.csv"}, print)
    assert "11_union_priorities" in [p.stem for p in with_poll]
    assert len(runner._with_their_inputs(runner.list_notebooks(), {}, print)) == 15  # the bundled waves: all
