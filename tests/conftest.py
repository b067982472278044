"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.synthetic import demo_wave

REFERENCE = Path(__file__).parent / "reference"


@pytest.fixture(scope="session")
def demo() -> pd.DataFrame:
    """A canonical synthetic wave of 300 respondents (all instruments)."""
    return demo_wave(n=300, seed=7, wave="2018")


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path

# Reference folders hold generator scripts (make_data.py, ...), not tests or doctests.
collect_ignore_glob = ["reference/*"]
