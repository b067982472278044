#!/usr/bin/env python3
"""Set-up and entry points, with nothing but Python 3.11 and pip.

    python3 tasks.py main    # create .venv if missing, then run the main job
    python3 tasks.py test    # create .venv if missing, then run the test suite
    python3 tasks.py bench   # benchmark load, validate and score at 1,000,000 respondents

The environment is (re)built when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = Path(os.environ.get("WELLBEING_VENV", ROOT / ".venv"))
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / ".wellbeing-stamp"


def _stamp() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_env() -> None:
    """Create the virtual environment and install the package with its test extra, if needed."""
    if PY.exists() and STAMP.exists() and STAMP.read_text() == _stamp():
        return
    print(f"setting up {VENV} (first run, or pyproject.toml changed) ...", flush=True)
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
    subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(PY), "-m", "pip", "install", "--quiet", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(_stamp())


def run(*args: str) -> int:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    return subprocess.run([str(PY), *args], cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "main"
    ensure_env()
    if command == "main":
        return run("-m", "analysis", "run", *argv[1:])
    if command == "test":
        return run("-m", "pytest", *argv[1:])
    if command == "bench":
        return run("-m", "analysis", "benchmark", *argv[1:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
