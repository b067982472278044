"""Command line: ``python -m analysis run`` (the main job), ``python -m analysis synthetic``
(regenerate the bundled synthetic data), ``python -m analysis benchmark``."""

from __future__ import annotations

import argparse
import sys

from .errors import SurveyDataError


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="wellbeing-survey", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="load, validate and score the waves of a manifest; write tables")
    p_run.add_argument("--manifest", help="waves manifest YAML (default data/synthetic/waves.yaml)")
    p_run.add_argument("--out", help="output folder for tables (default tables/)")
    sub.add_parser("synthetic", help="regenerate the synthetic data in data/synthetic/")
    p_bench = sub.add_parser("benchmark", help="time load, validate and score at scale")
    p_bench.add_argument("--n", type=int, default=1_000_000, help="respondents (default 1,000,000)")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            from .pipeline import run

            run(args.manifest, args.out)
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
