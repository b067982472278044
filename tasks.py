#!/usr/bin/env python3
"""Set-up and entry points, with nothing but Python 3.11 and pip.

    python3 tasks.py main    # create .venv if missing, then run every notebook (figures, tables, report, briefing)
    python3 tasks.py test    # create .venv (and install Chromium for the report test) if missing, run the tests
    python3 tasks.py bench   # benchmark load, validate and score at 1,000,000 respondents

The environment is (re)built when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import shutil
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


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")


def ensure_chromium() -> bool:
    """Install Debian's chromium (for the report test and the PDF briefing) if no Chromium is on PATH (needs apt-get and
    root or password-less sudo). Returns whether the report test must run: True when a browser
    is there or this machine could install one (so a failed install fails the test, loudly);
    False where the set-up cannot install it (the test is then skipped, with the reason)."""
    if any(shutil.which(name) for name in CHROMIUM_NAMES):
        return True
    if not shutil.which("apt-get"):
        print("no Chromium and no apt-get: install Chromium by hand for the report test", flush=True)
        return False
    sudo = [] if os.geteuid() == 0 else (["sudo", "-n"] if shutil.which("sudo") else None)
    if sudo is None or (sudo and subprocess.run([*sudo, "true"], capture_output=True).returncode):
        print("no Chromium, and not root: run 'apt-get install chromium' for the report test", flush=True)
        return False
    print("installing Debian's chromium for the report test ...", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    quiet = {"stdout": subprocess.DEVNULL, "env": env}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], **quiet)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium"], **quiet)
    if not any(shutil.which(name) for name in CHROMIUM_NAMES):
        print("installing chromium failed: the report test will fail", flush=True)
    return True


def run(*args: str, **extra_env: str) -> int:
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0", **extra_env)
    return subprocess.run([str(PY), *args], cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "main"
    ensure_env()
    if command == "main":
        ensure_chromium()  # prints the PDF briefing; without it the run keeps the briefing's HTML page
        return run("-m", "analysis", "run", *argv[1:])
    if command == "test":
        # The report test must not be skipped where the set-up could install the browser.
        required = "1" if ensure_chromium() else os.environ.get("WELLBEING_REQUIRE_CHROMIUM", "0")
        return run("-m", "pytest", *argv[1:], WELLBEING_REQUIRE_CHROMIUM=required)
    if command == "bench":
        return run("-m", "analysis", "benchmark", *argv[1:])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
