"""The wellbeing-survey command (also: python -m analysis).

  validate         check a wave and its codebook; list every problem (exit status 2 if any)
  score            write each respondent's scale scores to a file of your own
  report           run every notebook on your waves into a folder, with a progress bar
  run              the main job: ``report`` on the bundled synthetic waves into the repository
  codebook draft   draft a codebook for a raw export, marking what it could not match
  dictionary       list the canonical columns, the values each accepts and what it means
  synthetic        regenerate the synthetic data in data/synthetic/
  benchmark        time loading, validation, scoring and the models at scale

Data problems are reported as a list (column, rows, values, fix), never as a Python traceback.
Ctrl-C stops a command with a one-line message and exit status 130; ``report`` and ``run`` then
leave the output folder as it was (a run replaces its outputs only once it is complete).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import LISTED, SurveyDataError


def _add_wave_arguments(p, many: bool = False) -> None:
    p.add_argument("data", nargs="*" if many else None,
                   help="the wave's data file: CSV, xlsx, sav, zsav, dta or parquet")
    p.add_argument("--codebook", "-c", action="append" if many else None,
                   help="its codebook (YAML); not needed for a file in canonical format"
                        + ("; give one per data file, in order" if many else ""))
    p.add_argument("--label", "-l", action="append" if many else None,
                   help="the wave label (default the codebook's wave, or the file's wave column)"
                        + ("; one per data file" if many else ""))


def _load(args):
    from .reading.waves import load_wave

    return load_wave(args.data, args.codebook, wave=args.label)


def _validate(args) -> int:
    from .reading.exclusions import concat_logs, exclusion_summary
    from .measures.scoring import scoring_log

    wave = _load(args)
    print(f"OK: {wave!r}")
    meta = wave.metadata
    print(f"  format {meta['format']}" + (f", encoding {meta['encoding']}" if meta.get("encoding") else "")
          + (f", delimiter {meta['delimiter']!r}" if meta.get("delimiter") else ""))
    if meta.get("renamed"):
        print(f"  {len(meta['renamed'])} columns renamed by the codebook")
    coded = meta.get("missing_coded") or {}
    if coded:
        top = max(coded, key=coded.get)
        print(f"  missing-value codes turned into missing: {sum(coded.values()):,} cells in {len(coded)} columns "
              f"(most in {top}: {coded[top]:,}); --verbose lists them")
        if args.verbose:
            for col, n in sorted(coded.items()):
                print(f"    {col}: {n}")
    summary = exclusion_summary(concat_logs(wave.exclusions, scoring_log(wave)))
    for row in summary.itertuples():
        print(f"  excluded ({row.scope} {row.target}): {row.n} - {row.reason}")
    return 0


def _score(args) -> int:
    from .measures.scoring import score_wave

    wave = _load(args)
    scores = score_wave(wave)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".parquet":
        scores.to_parquet(out, index=False)
    elif out.suffix == ".xlsx":
        scores.to_excel(out, index=False)
    else:
        scores.to_csv(out, index=False, lineterminator="\n", float_format="%.10g")
    print(f"wrote {len(scores):,} respondents' scores ({', '.join(c for c in scores.columns[2:])}) to {out}")
    print("  one row per respondent: for your own analysis, not for publication (outputs must be aggregated)")
    return 0


def _progress(total: int):
    width = 24
    state = {"done": 0}

    def echo(line: str) -> None:
        if line.startswith("[") and " done in " in line:
            state["done"] += 1
        if line.startswith("["):
            filled = width * state["done"] // max(total, 1)
            print(f"|{'#' * filled}{'.' * (width - filled)}| {line}", flush=True)
        else:
            print(line, flush=True)

    return echo


def _report(args, default_outputs: bool = False) -> int:
    from .paths import REPO_DIR

    out = Path(args.out) if args.out else (REPO_DIR if default_outputs else None)
    if out is None:
        print("report: give --out FOLDER for the figures, tables and report", file=sys.stderr)
        return 2
    if getattr(args, "rebuild", False):
        from .outputs.report import write_outputs

        write_outputs(out)
        return 0
    try:
        return _run(args, out)
    except KeyboardInterrupt as exc:  # e.g. while the waves are checked, before any notebook runs
        from .outputs.runner import RunInterrupted

        if isinstance(exc, RunInterrupted):
            raise
        raise RunInterrupted(out) from None


def _run(args, out: Path) -> int:
    from .outputs.runner import list_notebooks, run_notebooks
    from .outputs.session import resolve_waves
    from .reading.waves import load_wave

    data = args.data or []
    if data:
        codebooks, labels = args.codebook or [], args.label or []
        if len(codebooks) not in (0, len(data)) or len(labels) not in (0, len(data)):
            print("report: give one --codebook and one --label per data file, or none", file=sys.stderr)
            return 2
        waves = [{"label": labels[i] if labels else None, "path": str(Path(d).resolve()),
                  **({"codebook": str(Path(codebooks[i]).resolve())} if codebooks else {})}
                 for i, d in enumerate(data)]
    else:
        waves = str(Path(args.waves).resolve()) if args.waves else None
    print("checking the waves before running the notebooks ...", flush=True)
    for entry in (waves if isinstance(waves, list) else resolve_waves(waves)):
        wave = load_wave(entry["path"], entry.get("codebook"), wave=entry["label"])
        entry["label"] = wave.label  # without --label: the codebook's wave, or the file's wave column
        print(f"  {wave!r}", flush=True)
    params = {"waves": waves, "threshold": args.threshold}
    if args.wave:
        params["wave"] = args.wave
    for name in ("poll", "poll_spec", "teams", "thresholds"):  # notebooks 11 and 12
        value = getattr(args, name)
        if value:
            params[name] = str(Path(value).resolve()) if Path(value).suffix else value
    chosen = args.notebooks
    total = len(list_notebooks()) if not chosen else len(chosen)
    run_notebooks(params, out, chosen, report=not args.no_report, echo=_progress(total))
    return 0


def _draft(args) -> int:
    from .reading.draft import draft_codebook, write_draft

    result = draft_codebook(args.export, wave=args.label, sheet=args.sheet)
    path = write_draft(result, args.output)
    todo = getattr(result, "todo", [])
    print(f"wrote {path}" + (f": {len(todo)} item(s) marked TODO for you to finish" if todo else ": nothing left to map"))
    for item in todo:
        print(f"  TODO: {item}")
    return 0


def _dictionary(args) -> int:
    import difflib
    import shutil

    from .reading.dictionary import dictionary_table, format_dictionary

    table = dictionary_table(args.instrument)
    if args.column:
        if args.column not in set(table["column"]):
            near = difflib.get_close_matches(args.column, list(table["column"]), n=3)
            print(f"dictionary: no column {args.column!r} in the data dictionary"
                  + (f"; did you mean {' or '.join(near)}?" if near else "")
                  + "\n  list every column with: wellbeing-survey dictionary", file=sys.stderr)
            return 2
        table = table[table["column"] == args.column]
    width = shutil.get_terminal_size((100, 24)).columns
    sys.stdout.write(format_dictionary(table, args.format, width=width))
    return 0


def _threshold(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("the disclosure threshold is a number of respondents, at least 1")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="wellbeing-survey", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("validate", help="check a wave and its codebook; every problem listed",
                       description="Load and validate a wave against the data dictionary, the instruments and "
                                   "its codebook. Prints what loading did and the exclusions; on problems, "
                                   "lists them all and exits with status 2.")
    _add_wave_arguments(p)
    p.add_argument("--verbose", "-v", action="store_true",
                   help="list the missing-value codes column by column, and every problem when loading fails")

    p = sub.add_parser("score", help="write each respondent's scale scores",
                       description="Score every instrument of a wave and write one row per respondent "
                                   "(CSV, or Parquet/xlsx by the file name). For your own analysis only.")
    _add_wave_arguments(p)
    p.add_argument("--output", "-o", required=True, help="scores file (.csv, .parquet or .xlsx)")

    for name, text in (("report", "run every notebook on your waves into a folder, with a progress bar"),
                       ("run", "the main job: every notebook on the bundled synthetic waves (or --waves)")):
        p = sub.add_parser(name, help=text, description=text.capitalize() + ". Writes figures/, tables/ "
                           "(with tables.xlsx), report/ (index.html, executed notebooks, manifest.json).")
        _add_wave_arguments(p, many=True)
        p.add_argument("--waves", "--manifest", dest="waves",
                       help="a waves manifest (YAML: waves: [{label, path, codebook}]) instead of data files")
        p.add_argument("--out", "-o", help="output folder" + (" (default the repository)" if name == "run" else ""))
        p.add_argument("--wave", help="the wave the single-wave notebooks analyse (default the latest)")
        p.add_argument("--threshold", type=_threshold, default=10, help="disclosure threshold (default 10)")
        p.add_argument("--notebooks", nargs="+", help="only these notebooks (names or numbers, e.g. 01 04)")
        p.add_argument("--no-report", action="store_true", help="skip the manifest, workbook and HTML report")
        p.add_argument("--poll", help="a member-poll export for notebook 11 (default the bundled synthetic poll)")
        p.add_argument("--poll-spec", dest="poll_spec", help="the poll's questions (a YAML file like analysis/specs/polls/union_poll.yaml)")
        p.add_argument("--teams", help="health-check returns for notebook 12 (CSV or xlsx; default the synthetic teams)")
        p.add_argument("--thresholds", help="red/amber cut-offs for notebook 12 (YAML; default the illustrative examples)")
        p.add_argument("--rebuild", action="store_true",
                       help="only rebuild the manifest, workbook and HTML report from notebooks already run")

    p = sub.add_parser("codebook", help="codebook tools: 'codebook draft EXPORT -o CODEBOOK.yaml'",
                       description="Codebook tools.")
    csub = p.add_subparsers(dest="codebook_command", required=True, metavar="ACTION")
    d = csub.add_parser("draft", help="draft a codebook for a raw export",
                        description="Read a raw export (CSV, xlsx, sav, dta, parquet) and write a draft codebook: "
                                    "columns, answer labels and missing codes matched to the canonical format "
                                    "where possible; everything else marked TODO in the file.")
    d.add_argument("export", help="the raw export")
    d.add_argument("--output", "-o", required=True, help="where to write the draft codebook (YAML)")
    d.add_argument("--label", "-l", help="the wave label to write into the codebook")
    d.add_argument("--sheet", help="the Excel sheet to read (name or 0-based number; default the first)")

    p = sub.add_parser("synthetic", help="regenerate the synthetic data in data/synthetic/",
                       description="Regenerate every bundled synthetic file, byte for byte.")
    p.add_argument("--out", "-o", help="folder (default data/synthetic/)")

    p = sub.add_parser("dictionary", help="list the canonical columns: kind, allowed values, required, meaning",
                       description="List every column of the canonical wave format (analysis/specs/dictionary.yaml "
                                   "and the instruments' items): its kind, the values it accepts, whether every "
                                   "wave must have it, and what it means.")
    p.add_argument("--column", help="only this column (e.g. hours_actual)")
    p.add_argument("--instrument", help="only this instrument's item columns (e.g. pss4, hse_mit)")
    p.add_argument("--format", choices=("text", "markdown", "csv"), default="text",
                   help="text (default; aligned for a terminal), markdown or csv")

    p = sub.add_parser("benchmark", help="time load, validate, score and models at scale",
                       description="Generate a large synthetic wave and time each stage.")
    p.add_argument("--n", type=int, default=1_000_000, help="respondents (default 1,000,000)")
    p.add_argument("--coverage", type=int, nargs="?", const=200, default=0, metavar="REPLICATIONS",
                   help="also simulate the coverage of multiple imputation's 95%% intervals against "
                        "listwise deletion (default 200 replications; several minutes)")
    return parser


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "validate":
            return _validate(args)
        if args.command == "score":
            return _score(args)
        if args.command in ("report", "run"):
            return _report(args, default_outputs=args.command == "run")
        if args.command == "codebook":
            return _draft(args)
        if args.command == "dictionary":
            return _dictionary(args)
        if args.command == "synthetic":
            from .synthetic import write_bundled

            for path in write_bundled(args.out):
                print(f"wrote {path}")
            return 0
        from .tools.speed import main as bench

        bench(args.n, coverage=args.coverage)
        return 0
    except KeyboardInterrupt as exc:
        # Ctrl-C: one line, no traceback; 130 (128 + SIGINT) as a shell reports a command it stopped.
        # A stopped run says what it left (analysis.outputs.runner.RunInterrupted).
        lead = "\n" if sys.stderr.isatty() else ""  # after the terminal's ^C
        print(f"{lead}interrupted: {str(exc) or 'stopped before it finished'}", file=sys.stderr)
        return 130
    except SurveyDataError as exc:
        # the diagnosis and the pointer to the full list in the command line's words; --verbose lists all
        print(exc.report(None if getattr(args, "verbose", False) else LISTED, command=True), file=sys.stderr)
        return 2
    except (FileNotFoundError, ValueError) as exc:  # e.g. no notebook matches, nothing to rebuild
        print(f"{args.command}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from .outputs.runner import NotebookFailed

        if isinstance(exc, NotebookFailed):
            print(f"\nstopped: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
