"""Project set-up: the conda environment and pyproject name the same dependencies; the bundled
synthetic data regenerate byte for byte; the main job writes its tables."""

import re
import subprocess
import sys
import tomllib

import pandas as pd
import yaml

from analysis.paths import REPO_DIR, SYNTHETIC_DIR
from analysis.pipeline import run


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


def test_main_job_writes_tables(tmp_path):
    lines = []
    written = run(out_dir=tmp_path, echo=lines.append)
    assert sorted(p.name for p in written) == sorted(
        f"{kind}_{wave}.{ext}" for wave in ("2017", "2018")
        for kind, ext in (("reliability", "csv"), ("score_summary", "csv"), ("exclusions", "csv"), ("about", "yaml")))
    summary = pd.read_csv(tmp_path / "score_summary_2018.csv")
    assert {"hse_demands", "pss4", "swemwbs_metric", "extra_days_year"} <= set(summary.variable)
    assert "48 working weeks / 7.5 hours" in summary.set_index("variable").loc["extra_days_year", "note"]
    assert not summary.columns.str.contains("min|max").any()
    # Nobody lost: analysable + excluded from the wave = returns read.
    excl = pd.read_csv(tmp_path / "exclusions_2017.csv").query("scope == 'wave'")
    assert dict(zip(excl.rule, excl.n)) == {"empty_return": 97, "not_registered": 170}
    assert any(line.startswith("Wave('2017', synthetic: 1333 analysable of 1600 read") for line in lines)
    about = yaml.safe_load((tmp_path / "about_2018.yaml").read_text())
    assert about["synthetic"] is True and "SYNTHETIC DATA" in about["note"] and len(about["sha256"]) == 64
    rel = pd.read_csv(tmp_path / "reliability_2018.csv")
    assert len(rel) == 20 and rel.alpha.between(0.70, 0.92).all()
    # Tables never hold respondent ids.
    ids = set(pd.read_csv(SYNTHETIC_DIR / "wave_2018.csv", usecols=["respondent_id"]).respondent_id)
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
