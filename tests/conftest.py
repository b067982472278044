"""Shared fixtures."""

from __future__ import annotations

import functools
from pathlib import Path

import pandas as pd
import pytest

from analysis.synthetic import demo_wave

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="session")
def demo() -> pd.DataFrame:
    """A canonical synthetic wave of 300 respondents (all instruments)."""
    return demo_wave(n=300, seed=7, wave="2018")


@functools.cache
def frame(label: str) -> pd.DataFrame:
    """:func:`analysis.analysis_frame` of a bundled synthetic wave (``"2017"`` or ``"2018"``), loaded once."""
    from analysis import analysis_frame, load_wave
    from analysis.paths import SYNTHETIC_DIR

    w = load_wave(SYNTHETIC_DIR / f"wave_{label}.csv", SYNTHETIC_DIR / f"wave_{label}.codebook.yaml")
    return analysis_frame(w)


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path

# Reference folders hold generator scripts (make_data.py, ...), not tests or doctests.
collect_ignore_glob = ["reference/*"]
