"""Column work on every core gives what one thread gives: the same waves, scores, logs and, word
for word, the same messages (analysis/parallel.py; threads are used from 100,000 respondents, so
here the threshold is lowered to make small files take the threaded path)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd
import pytest

from analysis import parallel
from analysis.errors import SurveyDataError
from analysis.measures.scoring import score_wave, scoring_log
from analysis.paths import SYNTHETIC_DIR
from analysis.reading.waves import load_wave

MALFORMED = Path(__file__).parent / "malformed"
CODEBOOKS = {"wave_2017_export.csv": "wave_2017_export_csv.yaml", "wave_2018_export.csv": "wave_2018_export_csv.yaml"}


def _run(monkeypatch, path: Path, threaded: bool):
    monkeypatch.setattr(parallel, "MIN_ROWS", 0 if threaded else 10**12)
    monkeypatch.setattr(parallel, "cores", lambda: 4 if threaded else 1)
    codebook = SYNTHETIC_DIR / CODEBOOKS[path.name] if path.name in CODEBOOKS else None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wave = load_wave(path, codebook, wave="2018" if codebook is None else None)
            return wave, score_wave(wave), scoring_log(wave), None
    except SurveyDataError as exc:
        return None, None, None, str(exc)


@pytest.mark.parametrize("path", sorted(MALFORMED.glob("*.csv")) + [SYNTHETIC_DIR / "wave_2018_export.csv"],
                         ids=lambda p: p.name)
def test_threads_give_what_one_thread_gives(monkeypatch, path):
    serial = _run(monkeypatch, path, threaded=False)
    threaded = _run(monkeypatch, path, threaded=True)
    assert threaded[3] == serial[3]  # the same message, or none
    if serial[0] is not None:
        pd.testing.assert_frame_equal(threaded[0].data, serial[0].data, check_exact=True)
        pd.testing.assert_frame_equal(threaded[0].exclusions, serial[0].exclusions, check_exact=True)
        pd.testing.assert_frame_equal(threaded[1], serial[1], check_exact=True)
        pd.testing.assert_frame_equal(threaded[2], serial[2], check_exact=True)
        assert threaded[0].metadata == serial[0].metadata


def test_the_number_of_threads(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 16)
    assert parallel.threads(parallel.MIN_ROWS - 1) == 1
    assert parallel.threads(parallel.MIN_ROWS) == parallel.MAX_THREADS
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    assert parallel.threads(10**6) == 2


def test_a_pool_keeps_the_order_and_raises_what_a_task_raised():
    for rows in (10, 10**6):
        with parallel.pool(rows) as workers:
            assert list(workers.map(lambda x: x * x, range(50))) == [x * x for x in range(50)]
            failing = workers.submit(int, "not a number")
            with pytest.raises(ValueError):
                failing.result()
