"""HSE benchmarks as data: the YAML files in this folder (or a file of the user's own, same keys).

A ``kind: percentiles`` benchmark gives P20, P50 and P80 per scale and so the traffic-light bands;
a ``kind: means`` benchmark gives group means only.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

BENCHMARK_DIR = Path(__file__).resolve().parent
BANDS = ("red", "yellow", "blue", "green")


def load_benchmark(benchmark: str | Path = "hse_organisational_136") -> dict:
    """Read a benchmark by name (a file in ``analysis/benchmarks/``) or from a path.

    Examples
    --------
    >>> load_benchmark()["scales"]["hse_demands"]["p20"]
    2.9387
    """
    path = Path(benchmark)
    if not path.suffix:
        path = BENCHMARK_DIR / f"{benchmark}.yaml"
    if not path.exists():
        known = sorted(p.stem for p in BENCHMARK_DIR.glob("*.yaml"))
        raise ValueError(f"no benchmark {str(benchmark)!r}; shipped: {known}, or give a YAML file's path")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def band(mean: float, cuts: dict) -> str:
    """Traffic-light band of a scale mean: red below P20, yellow below P50, blue below P80, green.

    Examples
    --------
    >>> band(3.0, {"p20": 3.1, "p50": 3.4, "p80": 3.7}), band(3.7, {"p20": 3.1, "p50": 3.4, "p80": 3.7})
    ('red', 'green')
    """
    if mean is None or np.isnan(mean):
        return "none"
    return BANDS[int(np.searchsorted([cuts["p20"], cuts["p50"], cuts["p80"]], mean, side="right"))]
