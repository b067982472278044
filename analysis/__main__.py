"""Command line.

``python -m analysis run``
    The main job: run every numbered notebook headless on the waves of a manifest (default the
    bundled synthetic waves), writing figures, tables, the provenance manifest and the HTML report.
``python -m analysis report``
    Rebuild the manifest, workbook and report from notebooks already run.
``python -m analysis synthetic``
    Regenerate the bundled synthetic data in ``data/synthetic/``.
``python -m analysis benchmark``
    Time loading, validation and scoring at scale.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import SurveyDataError


def _run(args) -> None:
    from .notebooks import run_notebooks
    from .session import resolve_waves
    from .wave import load_wave

    if args.data:
        waves = [{"label": args.label or Path(args.data).stem, "path": str(Path(args.data).resolve()),
                  **({"codebook": str(Path(args.codebook).resolve())} if args.codebook else {})}]
    else:
        waves = str(Path(args.waves).resolve()) if args.waves else None
    print("checking the waves before running the notebooks ...", flush=True)
    for entry in resolve_waves(waves):
        print(f"  {load_wave(entry['path'], entry.get('codebook'), wave=entry['label'])!r}", flush=True)
    params = {"waves": waves, "threshold": args.threshold}
    if args.wave:
        params["wave"] = args.wave
    run_notebooks(params, args.out, args.notebooks, report=not args.no_report,
                  echo=lambda line: print(line, flush=True))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="wellbeing-survey", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="run every notebook headless; write figures, tables, manifest and report")
    p_run.add_argument("--waves", "--manifest", dest="waves",
                       help="waves manifest YAML (default data/synthetic/waves.yaml)")
    p_run.add_argument("--data", help="one wave's data file instead of a manifest (CSV, xlsx, sav, dta, parquet)")
    p_run.add_argument("--codebook", help="the codebook of --data")
    p_run.add_argument("--label", help="the wave label of --data (default the file name)")
    p_run.add_argument("--wave", help="which wave the single-wave notebooks analyse (default the latest)")
    p_run.add_argument("--out", help="output folder for figures/, tables/, report/ (default the repository)")
    p_run.add_argument("--threshold", type=int, default=10, help="disclosure threshold (default 10)")
    p_run.add_argument("--notebooks", nargs="+", help="run only these notebooks (names or numbers, e.g. 01 04)")
    p_run.add_argument("--no-report", action="store_true", help="skip the manifest, workbook and HTML report")
    p_rep = sub.add_parser("report", help="rebuild the manifest, workbook and HTML report from executed notebooks")
    p_rep.add_argument("--out", help="the output folder the notebooks wrote to (default the repository)")
    sub.add_parser("synthetic", help="regenerate the synthetic data in data/synthetic/")
    p_bench = sub.add_parser("benchmark", help="time load, validate and score at scale")
    p_bench.add_argument("--n", type=int, default=1_000_000, help="respondents (default 1,000,000)")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            _run(args)
        elif args.command == "report":
            from .paths import REPO_DIR
            from .report import write_outputs

            write_outputs(Path(args.out) if args.out else REPO_DIR)
        elif args.command == "synthetic":
            from .synthetic import write_bundled

            for path in write_bundled():
                print(f"wrote {path}")
        else:
            from .timing import main as bench

            bench(args.n)
    except SurveyDataError as exc:
        print(exc, file=sys.stderr)
        return 2
    except Exception as exc:
        from .notebooks import NotebookFailed

        if isinstance(exc, NotebookFailed):
            print(f"\nstopped: {exc}", file=sys.stderr)
            return 1
        raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
