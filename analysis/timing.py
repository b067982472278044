"""Timing benchmark: load, validate and score a synthetic wave of 1,000,000 respondents.

Run ``python3 tasks.py bench`` (or ``python -m analysis benchmark --n N``). Each stage runs in a
fresh process so its peak memory (max resident set size) is its own. Not a test: timings depend on
the machine; the README states the figures measured on the reference 2-core machine.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stage(kind: str, path: str) -> dict:
    """Time one stage in this process: read + validate a file, then (for ``score``) scoring."""
    from .codebook import Codebook
    from .dictionary import load_dictionary
    from .exclusions import apply_exclusions
    from .io import read_table
    from .scoring import score_wave
    from .validation import to_canonical
    from .wave import Wave, text_columns

    dictionary = load_dictionary()
    out = {}
    t0 = time.perf_counter()
    table = read_table(path, text_columns=text_columns(Codebook(), dictionary))
    t1 = time.perf_counter()
    data, problems, _ = to_canonical(table, Codebook(), dictionary)
    kept, log = apply_exclusions(data, [], dictionary.instruments, "bench")
    t2 = time.perf_counter()
    assert not problems, problems[:3]
    out.update(read_s=t1 - t0, validate_s=t2 - t1)
    if kind == "score":
        wave = Wave(kept, log, {"wave": "bench"}, dictionary.instruments)
        t3 = time.perf_counter()
        scores = score_wave(wave)
        out.update(score_s=time.perf_counter() - t3, n_scores=int(scores.shape[1] - 2))
        del table, data
    out["peak_mb"] = _peak_mb()
    return out


def main(n: int = 1_000_000) -> dict:
    """Generate the data, run each stage in its own process and print a summary table."""
    from .synthetic import demo_wave

    results: dict = {"n": n, "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                                         f"Python {platform.python_version()}"}
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        data = demo_wave(n=n, seed=1, wave="bench")
        results["generate_s"] = time.perf_counter() - t0
        parquet, csv = Path(tmp) / "wave.parquet", Path(tmp) / "wave.csv"
        data.to_parquet(parquet)
        data.to_csv(csv, index=False)
        results["csv_mb"] = csv.stat().st_size / 1e6
        results["parquet_mb"] = parquet.stat().st_size / 1e6
        del data
        for name, kind, path in (("parquet", "score", parquet), ("csv", "load", csv)):
            proc = subprocess.run(
                [sys.executable, "-c", f"import json; from analysis.timing import stage; "
                                       f"print(json.dumps(stage({kind!r}, {str(path)!r})))"],
                capture_output=True, text=True, check=True)
            results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    p, c = results["parquet"], results["csv"]
    print(f"wellbeing-survey benchmark: {n:,} respondents, every instrument ({p['n_scores']} scores); "
          f"{results['machine']}")
    print(f"  files: CSV {results['csv_mb']:.0f} MB, Parquet {results['parquet_mb']:.0f} MB")
    print(f"  Parquet: read {p['read_s']:.2f} s, validate {p['validate_s']:.2f} s, "
          f"score {p['score_s']:.2f} s; peak memory {p['peak_mb']:.0f} MB")
    print(f"  CSV:     read {c['read_s']:.2f} s, validate {c['validate_s']:.2f} s; peak memory {c['peak_mb']:.0f} MB")
    return results


if __name__ == "__main__":  # pragma: no cover
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
