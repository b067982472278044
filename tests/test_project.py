"""Project set-up: the conda environment and pyproject name the same dependencies; the bundled
synthetic data regenerate byte for byte; the main job writes its tables."""

import hashlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import yaml

from analysis.paths import REPO_DIR, SYNTHETIC_DIR
from analysis.pipeline import run
from analysis.synthetic import write_bundled


def _parse(req: str) -> tuple[str, str]:
    name, _, bound = re.match(r"^([A-Za-z0-9_.\-]+)\s*((>=|==)\s*[\w.]+)?", req).groups()[:3]
    return name.lower().replace("_", "-"), (bound or "").replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((REPO_DIR / "pyproject.toml").read_text())["project"]
    pip_side = {_parse(r) for r in project["dependencies"] + project["optional-dependencies"]["test"]}
    env = yaml.safe_load((REPO_DIR / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str) and not d.startswith(("python", "pip"))]
    assert {_parse(d) for d in conda} == pip_side
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert pip_section == ["-e ."]
    py = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python"))
    assert py.replace("python", "") == project["requires-python"]


def _digest(folder: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_synthetic_data_regenerate_byte_for_byte(tmp_path):
    write_bundled(tmp_path)
    committed = {k: v for k, v in _digest(SYNTHETIC_DIR).items() if k in _digest(tmp_path)}
    assert committed == _digest(tmp_path)
    assert yaml.safe_load((SYNTHETIC_DIR / "demo_wave.meta.yaml").read_text())["synthetic"] is True


def test_main_job_writes_tables(tmp_path):
    lines = []
    written = run(out_dir=tmp_path, echo=lines.append)
    assert sorted(p.name for p in written) == ["exclusions_demo.csv", "reliability_demo.csv", "score_summary_demo.csv"]
    summary = pd.read_csv(tmp_path / "score_summary_demo.csv")
    assert {"hse_demands", "pss4", "swemwbs_metric", "extra_days_year"} <= set(summary.variable)
    assert "48 working weeks / 7.5 hours" in summary.set_index("variable").loc["extra_days_year", "note"]
    assert not summary.columns.str.contains("min|max").any()
    # Nobody lost: analysable + excluded from the wave = returns read.
    excl = pd.read_csv(tmp_path / "exclusions_demo.csv")
    n_excluded = excl.query("scope == 'wave'")["n"].sum()
    n_read = len(pd.read_csv(SYNTHETIC_DIR / "demo_wave.csv"))
    assert excl.query("scope == 'wave'").rule.tolist() == ["empty_return"] and n_excluded > 0
    assert lines[0].startswith(f"Wave('demo', synthetic: {n_read - n_excluded} analysable of {n_read} read")
    rel = pd.read_csv(tmp_path / "reliability_demo.csv")
    assert len(rel) == 20 and rel.alpha.between(0.4, 0.95).all()
    # Tables never hold respondent ids.
    ids = set(pd.read_csv(SYNTHETIC_DIR / "demo_wave.csv", usecols=["respondent_id"]).respondent_id)
    for path in written:
        assert not ids & set(path.read_text().replace("\n", ",").split(","))
    # Same input, same output.
    again = run(out_dir=tmp_path / "again", echo=lambda *_: None)
    assert [p.read_bytes() for p in written] == [p.read_bytes() for p in again]


def test_command_line_reports_data_problems_without_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,wave,pss_1,pss_2,pss_3,pss_4\na,1,9,1,1,1\n")
    (tmp_path / "waves.yaml").write_text("waves:\n  - {label: '1', path: bad.csv}\n")
    proc = subprocess.run([sys.executable, "-m", "analysis", "run", "--manifest", str(tmp_path / "waves.yaml"),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "[out of range] column 'pss_1'" in proc.stderr and "Traceback" not in proc.stderr
