"""Shared fixtures."""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
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


def small_group_wave(folder: Path) -> Path:
    """A canonical wave of 400 respondents cut from the bundled 2018 wave, with small groups in
    every breakdown: sectors of 11 and 9, nations of 7 and 4, roles of 9, 7 and 4, nine BME
    respondents (4 black, 3 asian, 2 mixed), and five respondents who intend to leave the
    profession. For disclosure tests: nothing below 10 may be recoverable from what a run writes."""
    from analysis.paths import SYNTHETIC_DIR

    d = pd.read_csv(SYNTHETIC_DIR / "wave_2018.csv", dtype={"respondent_id": str}).head(400).copy()
    d["wave"] = "2019"

    rng = np.random.default_rng(2019)

    def assign(column, sizes, rest):  # each column shuffled on its own: the groups cross at random
        values = [v for v, k in sizes.items() for _ in range(k)]
        d[column] = rng.permutation(np.array(values + [rest] * (len(d) - len(values)), dtype=object))

    assign("sector", {"mixed": 11, "other": 9, "adults": 170}, "children_families")
    assign("nation", {"Wales": 7, "Scotland": 4, "Northern Ireland": 11}, "England")
    assign("role", {"manager": 9, "student_or_asye": 7, "independent": 4, "senior_practitioner": 80}, "social_worker")
    assign("ethnicity", {"black": 4, "asian": 3, "mixed": 2, "white_other": 40}, "white_british")
    d["intend_leave_profession"] = rng.permutation([1.0] * 5 + [0.0] * (len(d) - 5))
    path = folder / "small_groups_2019.csv"
    d.to_csv(path, index=False)
    (folder / "small_groups_2019.meta.yaml").write_text("synthetic: true\n", encoding="utf-8")
    return path


def write_csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path

# Reference folders hold generator scripts (make_data.py, ...), not tests or doctests.
collect_ignore_glob = ["reference/*"]
