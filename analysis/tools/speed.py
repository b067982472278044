"""Timing benchmark: load, validate, score and model a synthetic wave of 1,000,000 respondents.

Run ``python3 tasks.py bench`` (or ``python -m analysis benchmark --n N``). Each stage runs in a
fresh process so its peak memory (max resident set size) is its own:

``parquet``
    read the Parquet file, validate against the dictionary and apply the exclusion rules, score
    every instrument;
``csv_pandas``, ``csv_arrow``
    read the CSV with pandas' C parser (:func:`analysis.reading.readers.read_csv`) or with pyarrow
    (:func:`analysis.reading.arrow_csv.read_csv_arrow`, after the same hashing and encoding check), then
    validate;
``ols``, ``logit``
    load the Parquet file as :func:`analysis.load_wave` does and build the analysis frame, then
    fit the stress regression (:func:`analysis.fit_ols`, PSS-4 on the seven HSE scales, HC3) or
    the intention-to-leave model (:func:`analysis.fit_logit`, ``intend_leave_job`` on PSS-4 and
    the HSE scales); a second, profiled fit splits the time among the model's parts;
``bootstrap``
    :func:`analysis.stats.resampling.bootstrap_ols` of the stress regression, 2,000 resamples, on the
    bundled 2018 wave (n = 3,421), with a loop of statsmodels fits for comparison.

and, first, the **end-to-end** stage (:func:`end_to_end`): what a researcher waits for, a fresh
``python`` process that imports the package, loads the CSV with :func:`analysis.load_wave` (read,
validate, exclusions) and scores it with :func:`analysis.score_wave`, timed from outside as a
whole (interpreter start-up and imports included), with its peak memory; against it R's
``data.table::fread`` and ``rowMeans`` of every scale of the same file, also a whole ``Rscript``
process (:func:`r_end_to_end`; R validates nothing). Each is the best of three runs, taken in turns.
R is optional: without ``Rscript`` (or the data.table package) its row says so and the rest runs.

It starts with the command line's start-up (:func:`startup`): ``wellbeing-survey --help``
against ``python -c "import pandas"``, each the best of three fresh processes.

Not a test: timings depend on the machine; docs/speed.md states the figures measured on the reference
2-core machine.
"""

from __future__ import annotations

import cProfile
import json
import os
import platform
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HSE = ["hse_demands", "hse_control", "hse_managers_support", "hse_peer_support",
       "hse_relationships", "hse_role", "hse_change"]

# Parts of each model reported separately: label -> (file name ending, function name).
OLS_PARTS = {
    "design (model_data)": ("models.py", "model_data"),
    "VIF (inverse correlation matrix)": ("models.py", "_vif"),
    "HC3 errors": ("linear_model.py", "get_robustcov_results"),
    "Shapiro-Wilk": ("_morestats.py", "shapiro"),
    "Breusch-Pagan": ("diagnostic.py", "het_breuschpagan"),
    "Cook's distance": ("outliers_influence.py", "cooks_distance"),
}
LOGIT_PARTS = {
    "design (model_data)": ("models.py", "model_data"),
    "null log-likelihood (closed form)": ("models.py", "_logit_llnull"),
    "AUC (Mann-Whitney U)": ("_mannwhitneyu.py", "mannwhitneyu"),
    "average marginal effects (analytic Jacobian)": ("models.py", "_average_marginal_effects"),
}


def _peak_mb() -> float:
    """Peak resident memory of this process, in MB.

    On Linux this is ``VmHWM`` (the high-water mark of this program's own memory): ``ru_maxrss``
    survives ``exec`` and so starts a stage's subprocess at the parent's resident size at fork,
    which is the million-row demo frame the parent has just written.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _parts(profile: cProfile.Profile, parts: dict) -> dict:
    """Cumulative seconds of each named function in a profile (summed over its calls)."""
    found = {label: 0.0 for label in parts}
    for (filename, _, name), (_, _, _, cumulative, _) in pstats.Stats(profile).stats.items():
        for label, (ending, function) in parts.items():
            if name == function and filename.endswith(ending):
                found[label] += cumulative
    return found


def _load(kind: str, path: str) -> tuple[dict, object]:
    """Read, validate and apply exclusions; return the timings and the wave."""
    from ..reading.codebook import Codebook
    from ..reading.dictionary import load_dictionary
    from ..reading.exclusions import apply_exclusions
    from ..reading.readers import read_table
    from ..reading.validation import to_canonical
    from ..reading.waves import Wave, text_columns

    dictionary = load_dictionary()
    columns = text_columns(Codebook(), dictionary)
    t0 = time.perf_counter()
    if kind == "csv_pandas":  # keep pandas' parser although read_csv hands large files to pyarrow
        from ..reading import arrow_csv

        arrow_csv.MIN_BYTES = float("inf")
    table = read_table(path, text_columns=columns)
    t1 = time.perf_counter()
    data, problems, _ = to_canonical(table, Codebook(), dictionary)
    kept, log = apply_exclusions(data, [], dictionary.instruments, "bench")
    t2 = time.perf_counter()
    if problems:
        raise RuntimeError(f"the benchmark wave does not validate: {problems[:3]}")
    del table, data
    wave = Wave(kept, log, {"wave": "bench"}, dictionary.instruments)
    return {"read_s": t1 - t0, "validate_s": t2 - t1}, wave


def stage(kind: str, path: str) -> dict:
    """Run one stage in this process (see the module docstring) and return its figures."""
    if kind == "bootstrap":
        return _bootstrap_stage()
    out, wave = _load("parquet" if kind in ("ols", "logit") else kind, path)
    if kind == "parquet":
        from ..measures.scoring import score_wave

        t0 = time.perf_counter()
        scores = score_wave(wave)
        out.update(score_s=time.perf_counter() - t0, n_scores=int(scores.shape[1] - 2))
    elif kind in ("ols", "logit"):
        from ..stats.models import fit_logit, fit_ols
        from ..measures.scoring import analysis_frame

        t0 = time.perf_counter()
        frame = analysis_frame(wave)
        out["frame_s"] = time.perf_counter() - t0
        del wave
        out["peak_before_mb"] = _peak_mb()
        if kind == "ols":
            def fit():
                return fit_ols(frame, "pss4", HSE, robust="HC3")
            parts = OLS_PARTS
        else:
            def fit():
                return fit_logit(frame, "intend_leave_job", ["pss4"] + HSE)
            parts = LOGIT_PARTS
        t0 = time.perf_counter()
        result = fit()
        out.update(fit_s=time.perf_counter() - t0, n=result.n)
        profile = cProfile.Profile()
        t0 = time.perf_counter()
        profile.runcall(fit)
        out["profiled_s"] = time.perf_counter() - t0
        out["parts"] = _parts(profile, parts)
    out["peak_mb"] = _peak_mb()
    return out


def _bootstrap_stage(n_boot: int = 2000) -> dict:
    import numpy as np
    import statsmodels.api as sm

    from ..stats.models import model_data
    from ..paths import SYNTHETIC_DIR
    from ..stats.resampling import bootstrap_ols
    from ..measures.scoring import analysis_frame
    from ..reading.waves import load_wave

    frame = analysis_frame(load_wave(SYNTHETIC_DIR / "wave_2018.csv", SYNTHETIC_DIR / "wave_2018.codebook.yaml"))
    bootstrap_ols(frame, "pss4", HSE, n_boot=20)  # warm up imports
    out = {"n": int(frame[["pss4"] + HSE].dropna().shape[0]), "n_boot": n_boot}
    t0 = time.perf_counter()
    bootstrap_ols(frame, "pss4", HSE, n_boot=n_boot)
    out["percentile_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    bootstrap_ols(frame, "pss4", HSE, n_boot=n_boot, bca=True)
    out["bca_s"] = time.perf_counter() - t0
    md = model_data(frame, "pss4", HSE)
    X, y = md.X.to_numpy(), md.y.to_numpy()
    rows = np.random.default_rng(1).integers(0, len(y), (n_boot, len(y)))
    t0 = time.perf_counter()
    for r in rows:
        sm.OLS(y[r], X[r]).fit()
    out["loop_s"] = time.perf_counter() - t0
    out["peak_mb"] = _peak_mb()
    return out


def startup(repeats: int = 3) -> dict:
    """Start-up time of the command line against importing pandas, best of ``repeats`` fresh processes.

    Returns ``{"help_s", "pandas_s", "ratio"}``: ``wellbeing-survey --help`` (run as ``python -m
    analysis --help``) and ``python -c "import pandas"``; ``import analysis`` loads no heavy
    dependency (PEP 562), so the ratio stays well under 1.
    """
    def best(args) -> float:
        times = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, *args], capture_output=True, check=True)
            times.append(time.perf_counter() - t0)
        return min(times)

    help_s, pandas_s = best(["-m", "analysis", "--help"]), best(["-c", "import pandas"])
    return {"help_s": help_s, "pandas_s": pandas_s, "ratio": help_s / pandas_s}


#: The end-to-end stage, run as ``python -c``: the clock starts before ``import analysis``.
_END_TO_END = """
import json, resource, sys, time
t0 = time.perf_counter()
import analysis
from analysis import load_wave, score_wave
t1 = time.perf_counter()
wave = load_wave(sys.argv[1])
t2 = time.perf_counter()
scores = score_wave(wave)
t3 = time.perf_counter()
try:  # this program's own high-water mark (ru_maxrss would start at the parent's size at fork)
    peak = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:")) / 1024
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"import_s": t1 - t0, "load_s": t2 - t1, "score_s": t3 - t2, "n": len(scores),
                  "n_columns": len(wave.data.columns),
                  "peak_mb": peak,
                  "cpu_s": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
                  "heavy": sorted(m for m in ("statsmodels", "pingouin", "matplotlib", "scipy", "jsonschema")
                                  if m in sys.modules)}))
"""


def end_to_end(path) -> dict:
    """Import, ``load_wave`` and ``score_wave`` of a canonical CSV in a fresh process.

    Returns
    -------
    dict
        ``process_s`` (the whole process, timed from outside: interpreter start-up, imports,
        reading, validation, exclusions, scoring), ``import_s``, ``load_s`` and ``score_s`` (as
        timed inside), ``n`` respondents scored, ``peak_mb`` (maximum resident set size: on Linux
        ``VmHWM``, the process's own, as :func:`_peak_mb` explains),
        ``cpu_s`` (processor seconds, all threads: on a shared machine a steadier measure of the
        work than the clock) and ``heavy``, the heavy optional dependencies the process imported.

    Examples
    --------
    >>> from analysis.paths import SYNTHETIC_DIR
    >>> figures = end_to_end(SYNTHETIC_DIR / "demo_wave.csv")
    >>> figures["n"] > 0, figures["process_s"] >= figures["load_s"]
    (True, True)
    """
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _END_TO_END, str(path)], capture_output=True, text=True,
                          check=True)
    wall = time.perf_counter() - t0
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_s"] = wall
    return out


def r_script(instruments=None) -> str:
    """The R side of the end-to-end comparison: ``data.table::fread`` of the file named as the
    first argument, reverse keying, and ``rowMeans`` (``na.rm = TRUE``) of every mean or sum scale
    of every instrument (lookup scales are a table look-up of another scale, and left out). It
    prints the seconds reading and scoring took and the number of scales scored, as JSON.

    Examples
    --------
    >>> "rowMeans" in r_script() and "fread" in r_script()
    True
    """
    if instruments is None:
        from ..instruments import load_instruments

        instruments = load_instruments()

    def vector(names):
        return "c(" + ", ".join(f'"{n}"' for n in names) + ")"

    lines = ["suppressMessages(library(data.table))", "t0 <- proc.time()[[\"elapsed\"]]",
             "d <- fread(commandArgs(TRUE)[1], showProgress = FALSE)",
             "t1 <- proc.time()[[\"elapsed\"]]", "scores <- list()"]
    n = 0
    for inst in instruments:
        if inst.reverse:
            lines.append(f"for (v in {vector(inst.reverse)}) set(d, j = v, value = "
                         f"{inst.answer_min + inst.answer_max} - d[[v]])")
        for scale in inst.scales:
            if scale.score in ("mean", "sum"):
                lines.append(f'scores[["{scale.name}"]] <- rowMeans(d[, {vector(scale.items)}, with = FALSE], '
                             "na.rm = TRUE)")
                n += 1
    lines += ["t2 <- proc.time()[[\"elapsed\"]]",
              "# peak resident memory (Linux; -1 elsewhere)",
              "peak <- tryCatch(as.numeric(gsub(\"[^0-9]\", \"\", grep(\"^VmHWM\", readLines(\"/proc/self/status\"), "
              "value = TRUE))) / 1024, error = function(e) -1, warning = function(w) -1)",
              f'cat(sprintf(\'{{"read_s": %.17g, "score_s": %.17g, "n": %d, "n_scores": {n}, "peak_mb": %.17g}}\\n\', '
              "t1 - t0, t2 - t1, nrow(d), peak))"]
    return "\n".join(lines) + "\n"


def r_end_to_end(path) -> dict | None:
    """R's ``fread`` + ``rowMeans`` of the same file in a fresh ``Rscript`` process (see
    :func:`r_script`), timed from outside as :func:`end_to_end` is.

    Returns
    -------
    dict or None
        ``process_s`` (the whole process), ``read_s`` and ``score_s`` (as timed inside R),
        ``n`` rows, ``n_scores`` scales, ``peak_mb`` (R's own peak resident memory, Linux; None
        elsewhere) and ``cpu_s``; None when ``Rscript`` or the data.table package is missing (R is
        optional).

    Examples
    --------
    >>> from analysis.paths import SYNTHETIC_DIR
    >>> figures = r_end_to_end(SYNTHETIC_DIR / "demo_wave.csv")  # None without R
    >>> figures is None or figures["n"] == 500
    True
    """
    import shutil

    rscript = shutil.which("Rscript")
    if rscript is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "fread_rowmeans.R"
        script.write_text(r_script(), encoding="utf-8")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        proc = subprocess.run([rscript, "--vanilla", str(script), str(path)], capture_output=True, text=True)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:  # most likely: no data.table
        return None
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["process_s"] = wall
    out["cpu_s"] = sum(after[:2]) - sum(before[:2])
    if out["peak_mb"] < 0:
        out["peak_mb"] = None
    return out


def compare_with_r(path, repeats: int = 2) -> dict:
    """:func:`end_to_end` and :func:`r_end_to_end` of one file, in turns, the best of ``repeats``
    each.

    Returns
    -------
    dict
        ``python`` and ``r`` (the best run's figures; ``r`` None without R), ``python_runs_s`` and
        ``r_runs_s`` (every run's whole-process seconds), ``ratio`` (Python's whole process over
        R's) and ``cpu_ratio`` (the same for processor seconds); the ratios are None without R.

    Examples
    --------
    >>> from analysis.paths import SYNTHETIC_DIR
    >>> result = compare_with_r(SYNTHETIC_DIR / "demo_wave.csv", repeats=1)
    >>> result["ratio"] is None or result["ratio"] > 0
    True
    """
    python, r = [], []
    for _ in range(repeats):
        python.append(end_to_end(path))
        result = r_end_to_end(path)
        if result is not None:
            r.append(result)
    best = min(python, key=lambda f: f["process_s"])
    out = {"python": best, "r": min(r, key=lambda f: f["process_s"]) if r else None,
           "python_runs_s": [f["process_s"] for f in python], "r_runs_s": [f["process_s"] for f in r]}
    out["ratio"] = best["process_s"] / out["r"]["process_s"] if r else None
    out["cpu_ratio"] = best["cpu_s"] / out["r"]["cpu_s"] if r else None
    return out


def _run_stage(kind: str, path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", f"import json; from analysis.tools.speed import stage; "
                               f"print(json.dumps(stage({kind!r}, {str(path)!r})))"],
        capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(results: dict) -> str:
    """The benchmark's figures as a Markdown table (the one in docs/speed.md)."""
    n = results["n"]
    p, cp, ca = results["parquet"], results["csv_pandas"], results["csv_arrow"]
    o, g, b = results["ols"], results["logit"], results["bootstrap"]
    rows = [
        (f"read Parquet ({results['parquet_mb']:.0f} MB)", p["read_s"], None),
        ("validate against the dictionary + exclusions", p["validate_s"], None),
        (f"**score every instrument** ({p['n_scores']} scale scores + derived variables)", p["score_s"],
         f"{p['peak_mb']:,.0f} MB (read + validate + score)"),
        (f"read CSV ({results['csv_mb']:.0f} MB), pandas C parser", cp["read_s"], None),
        ("validate (from CSV)", cp["validate_s"], f"{cp['peak_mb']:,.0f} MB (read + validate)"),
        (f"read CSV ({results['csv_mb']:.0f} MB), pyarrow (`analysis.reading.arrow_csv`)", ca["read_s"], None),
        ("validate (from CSV)", ca["validate_s"], f"{ca['peak_mb']:,.0f} MB (read + validate)"),
        ("analysis frame (scores + outcomes and demographics)", o["frame_s"], None),
        (f"`fit_ols` PSS-4 on 7 HSE scales, HC3 (n = {o['n']:,})", o["fit_s"],
         f"{o['peak_mb']:,.0f} MB ({o['peak_before_mb']:,.0f} MB before the fit)"),
        *[(f"&nbsp;&nbsp;of which {label}", s, None) for label, s in o["parts"].items()],
        (f"`fit_logit` intend_leave_job on PSS-4 + 7 HSE scales (n = {g['n']:,})", g["fit_s"],
         f"{g['peak_mb']:,.0f} MB ({g['peak_before_mb']:,.0f} MB before the fit)"),
        *[(f"&nbsp;&nbsp;of which {label}", s, None) for label, s in g["parts"].items()],
        (f"**bootstrap** of the stress regression, {b['n_boot']:,} resamples, n = {b['n']:,}: percentile",
         b["percentile_s"], f"{b['peak_mb']:,.0f} MB"),
        ("&nbsp;&nbsp;with BCa intervals too (jackknife)", b["bca_s"], None),
        (f"&nbsp;&nbsp;for comparison: a loop of {b['n_boot']:,} statsmodels OLS fits", b["loop_s"], None),
    ]
    st = results.get("startup")
    if st:
        rows.insert(0, (f"`wellbeing-survey --help` (best of 3; `import pandas` takes {st['pandas_s']:.2f} s, "
                        f"ratio {st['ratio']:.2f})", st["help_s"], None))
    e2e = results.get("end_to_end")
    if e2e:
        py, r = e2e["python"], e2e["r"]
        rows[0:0] = [
            (f"**end to end** (best of {len(e2e['python_runs_s'])}), a fresh process: `import analysis`, "
             f"`load_wave` of the CSV "
             f"({results['csv_mb']:.0f} MB; read, validate, exclusions), `score_wave`", py["process_s"],
             f"{py['peak_mb']:,.0f} MB"),
            ("&nbsp;&nbsp;of which imports", py["import_s"], None),
            ("&nbsp;&nbsp;of which `load_wave` (read, validate, exclusions)", py["load_s"], None),
            ("&nbsp;&nbsp;of which `score_wave`", py["score_s"], None),
        ]
        if r is not None:
            rows[4:4] = [(f"R: `Rscript`, `data.table::fread` + `rowMeans` of {r['n_scores']} scales, no "
                          f"validation (ratio Python / R: **{e2e['ratio']:.2f}**; processor time "
                          f"{py['cpu_s']:.1f} s against {r['cpu_s']:.1f} s)", r["process_s"],
                          f"{r['peak_mb']:,.0f} MB" if r["peak_mb"] else ""),
                         ("&nbsp;&nbsp;of which `fread`", r["read_s"], None)]
    lines = [f"| stage ({n:,} respondents unless stated) | time | peak memory of the process |", "|---|---|---|"]
    lines += [f"| {label} | {seconds:.2f} s | {memory or ''} |" for label, seconds, memory in rows]
    parts_note = ("Model parts come from a second, profiled fit (profiled totals: "
                  f"fit_ols {o['profiled_s']:.2f} s, fit_logit {g['profiled_s']:.2f} s).")
    if e2e and e2e["r"] is None:
        parts_note += (" R's end-to-end row is missing: no `Rscript` with the data.table package was found "
                       "(Debian: `apt-get install r-cran-data.table`).")
    return "\n".join(lines) + "\n\n" + parts_note


def main(n: int = 1_000_000, *, coverage: int = 0) -> dict:
    """Generate the data, run each stage in its own process and print a summary table; with
    ``coverage`` replications, also the coverage simulation of multiple imputation
    (:func:`analysis.tools.coverage.imputation_coverage`), which is not timed."""
    from ..synthetic import demo_wave

    results: dict = {"n": n, "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                                         f"Python {platform.python_version()}"}
    results["startup"] = startup()
    print(f"  start-up: --help {results['startup']['help_s']:.2f} s, import pandas "
          f"{results['startup']['pandas_s']:.2f} s", flush=True)
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
        results["end_to_end"] = compare_with_r(csv, repeats=3)
        e2e = results["end_to_end"]
        print(f"  end to end: {e2e['python']['process_s']:.2f} s"
              + (f", R {e2e['r']['process_s']:.2f} s (ratio {e2e['ratio']:.2f})" if e2e["r"] else ", R not found"),
              flush=True)
        for kind, path in (("parquet", parquet), ("csv_pandas", csv), ("csv_arrow", csv),
                           ("ols", parquet), ("logit", parquet), ("bootstrap", "")):
            results[kind] = _run_stage(kind, path)
            print(f"  {kind} done", flush=True)
    print(f"wellbeing-survey benchmark: {n:,} respondents, every instrument "
          f"({results['parquet']['n_scores']} scores); {results['machine']}")
    print(f"  files: CSV {results['csv_mb']:.0f} MB, Parquet {results['parquet_mb']:.0f} MB\n")
    print(report(results))
    if coverage:
        from .coverage import imputation_coverage
        from .coverage import report as coverage_report

        table = imputation_coverage(coverage)
        results["coverage"] = table.to_dict("records")
        print(coverage_report(table))
    return results


if __name__ == "__main__":  # pragma: no cover
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
