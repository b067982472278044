"""What a notebook needs around the library: its parameters turned into loaded waves, and every
table and figure it shows saved to disk with its caption, source line and provenance.

A notebook opens a :class:`Session` from its parameter cell and then calls the library; the
session only loads, shows and saves. Everything it saves passes two checks first: no
respondent-level data (identifiers, free text, one row per respondent) and no count below the
disclosure threshold.

Examples
--------
>>> import tempfile
>>> from analysis.synthetic import demo_wave
>>> from analysis.stats.describe import score_summary
>>> with tempfile.TemporaryDirectory() as out:
...     s = Session("03_demo", waves=[{"label": "demo", "data": demo_wave(n=60, seed=1)}],
...                 output_dir=out, display=False)
...     s.table("score_summary", score_summary(s.scores()), "Scores")
...     sorted(p.name for p in s.records[0]["files_written"])
['03_score_summary_demo.csv', '03_score_summary_demo.md']
"""

from __future__ import annotations

import base64
import html
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..measures.derived import WorkingTime
from ..disclosure import (DEFAULT_THRESHOLD, NOT_ANSWERED, assert_no_small_cells, count_columns, ledger_entries,
                          suppress_counts)
from ..errors import Problem, SurveyDataError
from ..labels import use_study_labels
from ..paths import REPO_DIR, SYNTHETIC_DIR
from .provenance import describe_input, git_commit, package_version
from ..measures.scoring import analysis_frame, score_wave
from .tables import SYNTHETIC_MARK, reader_table, sheet_record, table_caption, table_note, write_table
from ..reading.manifest import DEFAULT_WAVES, read_details, read_manifest, resolve_waves  # noqa: F401 (re-exported)
from ..reading.waves import load_wave

#: Columns that identify a respondent or hold their own words: never in an output.
ROW_LEVEL_COLUMNS = ("respondent_id", "comments")

_CSS = ("background:#D55E00;color:#ffffff;font-weight:bold;padding:0.5em 0.8em;"
        "border-radius:4px;font-size:1.1em")


def file_safe(label) -> str:
    """A label as it goes into a file name: letters, digits, ``.`` and ``-`` kept, anything else
    (``/``, ``\\``, spaces, ``..``) as ``_``, so that a wave label from a data file can never
    name a path outside the output folder. The label itself is kept as it is in captions.

    Examples
    --------
    >>> file_safe("2019/20"), file_safe("../../etc"), file_safe("2018")
    ('2019_20', '_._.._etc', '2018')
    """
    import re

    text = re.sub(r"[^A-Za-z0-9.-]", "_", str(label))
    return "_" + text[1:] if text.startswith(".") else text or "_"


#: Where a notebook run by hand writes when given no ``output_dir``: a folder per run, never the
#: main job's outputs in the repository folder.
RUNS_DIR = REPO_DIR / "runs"


def run_folder(waves, label) -> Path:
    """The output folder of a notebook run by hand without ``output_dir``: ``runs/<waves>_<wave>``
    in the repository, where ``<waves>`` is the manifest's file name (``bundled`` for the bundled
    synthetic waves, ``waves`` for a list) and ``<wave>`` the wave analysed. Notebooks run by hand
    on the same waves and wave share it; the main job's ``figures/`` and ``tables/`` are never
    touched.

    Examples
    --------
    >>> run_folder(None, "2018").relative_to(REPO_DIR).as_posix()
    'runs/bundled_2018'
    >>> run_folder("studies/my_waves.yaml", "2019/20").name
    'my_waves_2019_20'
    """
    if waves is None:
        stem = "bundled"
    elif isinstance(waves, (str, Path)):
        stem = Path(waves).stem
    else:
        stem = "waves"
    return RUNS_DIR / f"{file_safe(stem)}_{file_safe(label)}"


@dataclass
class _Loaded:
    wave: object
    frame: pd.DataFrame | None = None
    scores: pd.DataFrame | None = None
    info: dict | None = None


class Session:
    """One notebook's run: the waves it reads and the outputs it writes.

    Parameters
    ----------
    notebook : str
        The notebook's name, e.g. ``"04_hse_benchmarks"``; its number prefixes every output.
    waves : see :func:`analysis.reading.manifest.resolve_waves`
    wave : str, optional
        The wave to analyse; default the last (latest) one.
    output_dir : str or Path, optional
        Outputs go to ``<output_dir>/tables``, ``<output_dir>/figures`` and
        ``<output_dir>/provenance``; default a folder of its own for the run,
        ``runs/<waves>_<wave>`` in the repository (:func:`run_folder`), so that a notebook run by
        hand never writes over the main job's outputs.
    threshold : int
        Disclosure threshold.
    working_time : WorkingTime, optional
        Parameters of extra days a year.
    display : bool
        Show tables and figures in the notebook as they are saved.
    """

    def __init__(self, notebook: str, *, waves=None, wave=None, output_dir=None,
                 threshold: int = DEFAULT_THRESHOLD, working_time: WorkingTime | None = None,
                 display: bool = True):
        self.notebook = notebook
        self.prefix = notebook.split("_", 1)[0]
        self.entries = resolve_waves(waves)
        if not self.entries:
            raise SurveyDataError([Problem("bad parameter", None, "the waves manifest lists no waves",
                                           "list at least one wave under 'waves:'")], source="notebook parameters")
        self.labels = [e["label"] for e in self.entries]
        if wave is not None and str(wave) not in self.labels:
            raise SurveyDataError([Problem("bad parameter", None, f"wave={wave!r} is not among {self.labels}",
                                           "set wave to one of the labels in the waves manifest, or None for the latest")],
                                  source="notebook parameter 'wave'")
        clashes = [lb for lb in self.labels if [file_safe(x) for x in self.labels].count(file_safe(lb)) > 1]
        if clashes:
            raise SurveyDataError([Problem(
                "bad parameter", None, f"the wave labels {clashes} become the same file name ({file_safe(clashes[0])!r})",
                "give the waves labels that differ in letters or digits, e.g. 2019 and 2019b", place="")],
                source="notebook parameter 'waves'")
        self.label = str(wave) if wave is not None else self.labels[-1]
        self.threshold = int(threshold)
        self.working_time = working_time or WorkingTime()
        self.chosen_output = output_dir is not None
        self.output_dir = Path(output_dir) if output_dir else run_folder(waves, self.label)
        self.tables_dir = self.output_dir / "tables"
        self.figures_dir = self.output_dir / "figures"
        self.provenance_dir = self.output_dir / "provenance"
        self.show = display
        self.records: list[dict] = []
        self.statements: list[dict] = []
        self.findings: list[dict] = []
        self.details = read_details(waves)
        use_study_labels(self._study_labels())
        self._loaded: dict[str, _Loaded] = {}
        self._other: dict[str, dict] = {}  # inputs that are not survey waves (a poll, team returns)
        self._fragment().unlink(missing_ok=True)

    def _study_labels(self) -> dict:
        """The questionnaire's own wording from the waves' codebooks (``labels:``), a later wave's
        wording over an earlier one's; used in every figure and table the notebook saves."""
        from ..reading.codebook import load_codebook

        merged = {"columns": {}, "values": {}}
        for entry in self.entries:
            if entry.get("codebook") is not None:
                labels = load_codebook(entry["codebook"]).labels
                for part in merged:
                    merged[part].update(labels.get(part, {}))
        return merged

    # -- loading -------------------------------------------------------------------------------
    def load(self, label: str | None = None):
        """The :class:`analysis.Wave` for ``label`` (default the session's wave), loaded once."""
        label = str(label) if label is not None else self.label
        if label not in self._loaded:
            entry = next((e for e in self.entries if e["label"] == label), None)
            if entry is None:
                raise SurveyDataError([Problem("bad parameter", None, f"no wave {label!r} among {self.labels}",
                                               "use one of the labels in the waves manifest")], source=self.notebook)
            source = entry.get("data", entry.get("path"))
            self._loaded[label] = _Loaded(load_wave(source, entry.get("codebook"), wave=label))
        return self._loaded[label].wave

    def frame(self, label: str | None = None) -> pd.DataFrame:
        """:func:`analysis.analysis_frame` of a wave (scores, derived variables, context columns)."""
        wave = self.load(label)
        cache = self._loaded[wave.label]
        if cache.frame is None:
            cache.frame = analysis_frame(wave, working_time=self.working_time)
        return cache.frame

    def scores(self, label: str | None = None) -> pd.DataFrame:
        """:func:`analysis.score_wave` of a wave."""
        wave = self.load(label)
        cache = self._loaded[wave.label]
        if cache.scores is None:
            cache.scores = score_wave(wave, working_time=self.working_time)
        return cache.scores

    def frames(self) -> dict:
        """Label -> analysis frame for every wave, in time order."""
        return {label: self.frame(label) for label in self.labels}

    def has(self, *columns, label: str | None = None) -> bool:
        """Whether a wave has all these columns; if not, say so in the notebook."""
        missing = [c for c in columns if c not in self.frame(label).columns]
        if missing:
            self._display_html(f"<p><b>Skipped:</b> wave {html.escape(self.load(label).label)} has no "
                               f"{html.escape(', '.join(missing))}.</p>")
        return not missing

    def attempt(self, what: str, function, *args, **kwargs):
        """``function(*args, **kwargs)``, or None when the data cannot support it (a model that
        does not converge, a group too small to compare): then the notebook says so in a
        sentence and goes on, as it must on a wave with small groups.

        Examples
        --------
        >>> from analysis import fit_logit
        >>> s = Session("08_demo", waves=[{"label": "demo", "data": pd.DataFrame(
        ...     {"respondent_id": ["a", "b"], "wave": ["demo"] * 2})}], display=False)
        >>> s.attempt("the model", fit_logit, pd.DataFrame({"y": [0.0, 1.0], "x": [0.0, 1.0]}), "y", "x") is None
        True
        """
        try:
            return function(*args, **kwargs)
        except SurveyDataError as err:
            reason = err.problems[0].message if err.problems else str(err)
            self._display_html(f"<p><b>Not computed:</b> {html.escape(what)}, because {html.escape(reason)}.</p>")
            return None

    def add_input(self, label: str, *, file: str, sha256: str, n: int, synthetic: bool, what: str,
                  **extra) -> None:
        """Record an input that is not a survey wave (a poll, team returns), for source lines and
        provenance; outputs name it with ``labels=[label]``."""
        self._other[str(label)] = {"wave": str(label), "file": Path(str(file)).name, "sha256": sha256, "n": int(n),
                                   "synthetic": bool(synthetic), "what": what, **extra}

    def poll(self, path=None, spec="union_poll"):
        """Load a member poll (default the bundled synthetic one) and record it as an input
        labelled with the poll's id; see :func:`analysis.studies.priorities.load_poll`."""
        from ..studies.priorities import load_poll

        path = Path(path) if path else SYNTHETIC_DIR / "union_poll.csv"
        poll = load_poll(path, spec)
        self.add_input(poll.spec.id, file=path.name, sha256=poll.metadata["sha256"], n=poll.metadata["n"],
                       synthetic=poll.synthetic, what=f"poll {poll.spec.id}")
        return poll

    def health_check(self, path=None, thresholds=None):
        """Load team health-check returns (default the bundled synthetic teams) with thresholds
        (default the shipped illustrative examples) and record them as the input ``teams``; their
        free-text fields can never be saved. See :func:`analysis.studies.health_check.load_health_check`."""
        from ..studies.health_check import load_health_check, load_template

        path = Path(path) if path else SYNTHETIC_DIR / "health_check_teams.csv"
        hc = load_health_check(path, thresholds)
        self.add_input("teams", file=path.name, sha256=hc.metadata["sha256"], n=hc.metadata["n_teams"],
                       synthetic=bool(hc.metadata.get("synthetic")), what="team health-check returns",
                       text_columns=load_template().names("text"))
        return hc

    def _info(self, label: str) -> dict:
        """What a label stands for: ``what, file, n, synthetic`` and its provenance entry."""
        if label in self._other:
            item = self._other[label]
            return {"what": item["what"], "file": item["file"], "n": item["n"], "synthetic": item["synthetic"],
                    "provenance": {k: v for k, v in item.items() if k not in ("n", "text_columns")}
                    | {"n_read": item["n"]}}
        wave = self.load(label)
        cache = self._loaded[wave.label]
        if cache.info is None:  # hashes the codebook: once per wave, not once per output
            prov = describe_input(wave, self.threshold)
            entry = next(e for e in self.entries if e["label"] == wave.label)
            if entry.get("fieldwork"):
                prov["fieldwork"] = str(entry["fieldwork"])
            cache.info = {"what": f"wave {wave.label}", "file": prov["file"], "n": prov["n_analysable"],
                          "synthetic": prov["synthetic"], "provenance": prov}
        return cache.info

    def synthetic(self, labels=None) -> bool:
        """True when any of these inputs (default: the session's wave) is synthetic."""
        return any(self._info(str(label))["synthetic"] for label in (labels or [self.label]))

    def source(self, labels=None) -> str:
        """The source line printed under every output: inputs, files and package version."""
        labels = labels or [self.label]
        files = ", ".join(f"{self._info(str(lb))['what']} ({self._info(str(lb))['file']})" for lb in labels)
        return f"{files}; wellbeing-survey {package_version()}"

    def banner(self, label: str | None = None) -> None:
        """Show the synthetic-data mark (when the data are synthetic) and what is analysed."""
        if label is not None:
            info = self._info(str(label))
            text = f"Analysing {info['what']} ({info['n']:,} rows). Disclosure threshold: {self.threshold}."
            labels = [str(label)]
        else:
            text = (f"Analysing wave {self.label} ({self.load().metadata['n_analysable']:,} analysable respondents) "
                    f"of waves {', '.join(self.labels)}. Disclosure threshold: {self.threshold}.")
            labels = self.labels
        if not self.chosen_output:  # run by hand: say where this run's outputs go
            where = self.output_dir.relative_to(REPO_DIR) if self.output_dir.is_relative_to(REPO_DIR) else self.output_dir
            text += f" Outputs go to {where.as_posix()}/ (set output_dir to choose another folder)."
        if self.synthetic(labels):
            mark = (f'<div class="synthetic-mark" style="{_CSS}">{SYNTHETIC_MARK}: these numbers come from '
                    f'generated respondents, not from a survey, and are not findings.</div>')
            self._display_html(f"{mark}<p>{html.escape(text)}</p>")
        else:
            self._display_html(f"<p>{html.escape(text)}</p>")

    # -- saying what the numbers mean ----------------------------------------------------------
    def say(self, text: str, *, headline: bool = False) -> None:
        """Show a sentence or two interpreting the result above it, and keep it for the report.

        Write ``text`` with :mod:`analysis.outputs.narrative` from the table just saved, so that
        its numbers are the table's. The report lists a notebook's sentences under its section;
        the one marked ``headline`` becomes the section's heading (a finding, not a question).

        Examples
        --------
        >>> s = Session("09_demo", waves=[{"label": "demo", "data": pd.DataFrame({"respondent_id": ["a"]})}],
        ...             display=False)
        >>> s.say("Most respondents work more than their contracted hours.", headline=True)
        >>> s.statements
        [{'text': 'Most respondents work more than their contracted hours.', 'headline': True}]
        """
        self.statements.append({"text": str(text), "headline": bool(headline)})
        self._write_fragment()
        self._display_html(f'<p class="interpretation">{html.escape(str(text))}</p>')

    def key_findings(self, table: pd.DataFrame, *, labels=None, headlines=None, also=None) -> list[dict]:
        """Save :func:`analysis.key_findings` as the table ``key_findings``, show its sentences
        (:func:`analysis.outputs.narrative.key_finding_sentences`) and keep them for the report,
        which opens with them. Returns the sentences.

        ``also``: further findings about the headlines as a whole, each a dict with ``text`` (made
        by :mod:`analysis.outputs.narrative` from a saved table) and ``notebook`` (where the full
        analysis is), listed after the headlines; e.g. whether they are sensitive to weighting."""
        from .narrative import key_finding_sentences

        labels = [str(lb) for lb in (labels or [self.label])]
        self.table("key_findings", table, f"Key findings, wave {self.label}", labels=labels,
                   note="Shares: Wilson 95% intervals; means: t intervals; changes: later minus earlier wave, "
                        "Welch (means) or Newcombe score (shares) intervals.")
        table_id = self.records[-1]["id"]
        self.findings = [item | {"table": table_id} for item in key_finding_sentences(table, headlines)]
        self.findings += [{"finding": f"also_{i}", "text": str(item["text"]), "notebook": str(item["notebook"]),
                           "shown": True} for i, item in enumerate(also or (), 1)]
        self._write_fragment()
        items = "".join(f"<li>{html.escape(item['text'])}</li>" for item in self.findings)
        self._display_html(f"<ul>{items}</ul>")
        return self.findings

    # -- saving --------------------------------------------------------------------------------
    def _stem(self, name: str, labels) -> str:
        return f"{self.prefix}_{file_safe(name)}_{'-'.join(file_safe(lb) for lb in labels)}"

    def _fragment(self) -> Path:
        return self.provenance_dir / f"{self.notebook}.json"

    def _check_table(self, name: str, table: pd.DataFrame, n_rows_limit: int | None) -> None:
        problems = []
        text = {c for item in self._other.values() for c in item.get("text_columns", ())}
        leaked = [c for c in table.columns if c in ROW_LEVEL_COLUMNS or c in text]
        if leaked:
            problems.append(Problem("row-level data", leaked, f"table {name!r} has respondent-level columns {leaked}",
                                    "aggregate before saving; outputs never hold identifiers or free text"))
        counts = count_columns(table) + [c for c in ("count",) if c in table.columns]
        if n_rows_limit is not None and len(table) >= n_rows_limit and not counts:
            problems.append(Problem("row-level data", None,
                                    f"table {name!r} has {len(table)} rows and no count of respondents: it looks "
                                    "like respondent-level rows, not a summary",
                                    "save summaries (with their n), not respondent-level rows"))
        if problems:
            raise SurveyDataError(problems, source=f"{self.notebook}: table {name!r}", outcome="nothing was saved")
        if "n" in table.columns:
            assert_no_small_cells(table, "n", self.threshold)

    def table(self, name: str, table: pd.DataFrame, caption: str, *, labels=None, n: int | None = None,
              note: str = "", per_team: bool = False) -> None:
        """Save a results table as CSV and Markdown, record it, and show it.

        Counts of an attribute beside the statistics (``n_events`` ...) below the threshold are
        blanked (:func:`analysis.disclosure.suppress_counts`; counts of missing answers are shown);
        identifiers, free text, respondent-level rows, or a shown ``n`` below the threshold are
        refused.

        Parameters
        ----------
        name : str
            Short name; the file is ``<notebook number>_<name>_<wave labels>``.
        table : DataFrame
            Full-precision results (a library function's output).
        caption : str
        labels : list of str, optional
            The waves the table rests on (default the session's wave).
        n : int, optional
            Respondents the table rests on (default the waves' analysable respondents).
        note : str
            A footnote (e.g. the disclosure rule, the robust estimator used).
        per_team : bool
            The table has a row per team (team-level returns, not people): the row-count check is
            off; identifiers and free-text columns are still refused.
        """
        labels = [str(lb) for lb in (labels or [self.label])]
        n_total = sum(self._info(lb)["n"] for lb in labels)
        self._check_table(name, table, None if per_team else max(n_total // self.threshold, 2 * self.threshold))
        shown = suppress_counts(table, threshold=self.threshold)
        stem = self._stem(name, labels)
        source = self.source(labels)
        synthetic = self.synthetic(labels)
        files = write_table(stem, shown, caption, self.tables_dir, source=source, synthetic=synthetic, note=note,
                            n=n if n is not None else n_total)
        formatted = reader_table(shown)
        record = self._record("table", stem, caption, caption, None, labels, n if n is not None else n_total, files,
                              synthetic)
        record["source"] = source
        record["note"] = note
        record["columns"] = [str(c) for c in shown.columns]
        record["count_columns"] = count_columns(shown)
        record["ledger"] = ledger_entries(shown, self._grouping(table, labels), labels)
        record["sheet"] = sheet_record(shown)
        self._save(record)
        self._display_html(_table_html(table_caption(caption, synthetic), formatted, table_note(note, shown), source))

    def figure(self, name: str, fig, *, title: str, alt_text: str, caption: str = "", labels=None,
               n: int | None = None, finding: str | None = None) -> None:
        """Stamp and save a figure (PNG 300 dpi, SVG, alt text; see :func:`analysis.outputs.style.save_figure`),
        record it, and show it with its alt text. ``fig`` is a Figure, or the Axes (or array of Axes)
        a plot function returned. ``finding``, a sentence of :mod:`analysis.outputs.narrative`
        about what the figure shows, is drawn under the title (without its closing "Based on ...
        respondents": the n is in the footer), so a figure lifted into a briefing states its point."""
        from .narrative import without_n
        from .style import figure_of, save_figure

        fig = figure_of(fig)

        labels = [str(lb) for lb in (labels or [self.label])]
        n = n if n is not None else sum(self._info(lb)["n"] for lb in labels)
        stem = self._stem(name, labels)
        synthetic = self.synthetic(labels)
        saved = save_figure(fig, self.figures_dir / stem, title=title, alt_text=alt_text, caption=caption,
                            source=self.source(labels), n=n, synthetic=synthetic,
                            **({"subtitle": without_n(finding)} if finding else {}))
        record = self._record("figure", stem, title, caption, alt_text, labels, n,
                              [saved["png"], saved["svg"], saved["json"]], synthetic)
        record["source"] = saved["source"]
        self._save(record)
        png = base64.b64encode(saved["png"].read_bytes()).decode("ascii")
        cap = f"<figcaption>{html.escape(title)}{'. ' + html.escape(caption) if caption else ''}</figcaption>"
        self._display_html(f'<figure><img src="data:image/png;base64,{png}" alt="{html.escape(alt_text)}" '
                           f'style="max-width:100%;width:760px">{cap}</figure>')

    def _grouping(self, table: pd.DataFrame, labels) -> str | None:
        """The column a table's groups come from: its ``attrs["by"]``, the ``variable`` of a
        sample profile, or the column of the wave whose values the groups are."""
        if table.attrs.get("by"):
            return str(table.attrs["by"])
        if "variable" in table.columns and "category" in table.columns and table["variable"].nunique() == 1:
            return str(table["variable"].iat[0])
        if "group" not in table.columns or len(labels) != 1 or labels[0] in self._other:
            return None
        groups = {str(g) for g in table["group"].dropna()} - {"All", NOT_ANSWERED}
        if not groups:
            return None
        frame = self.frame(labels[0])
        for column in frame.columns:
            values = frame[column]
            if not pd.api.types.is_numeric_dtype(values) and groups <= {str(v) for v in values.dropna().unique()}:
                return str(column)
        return None

    def _record(self, kind, stem, title, caption, alt_text, labels, n, files, synthetic) -> dict:
        from ..reading.readers import file_sha256

        return {
            "kind": kind, "id": stem, "notebook": self.notebook, "title": title, "caption": caption,
            "alt_text": alt_text, "waves": labels, "n": int(n), "synthetic": synthetic,
            "files": [{"path": p.relative_to(self.output_dir).as_posix(), "sha256": file_sha256(p)} for p in files],
            "files_written": files,
        }

    def _save(self, record: dict) -> None:
        key = (record["kind"], record["id"])
        self.records = [r for r in self.records if (r["kind"], r["id"]) != key] + [record]
        self._write_fragment()

    def _write_fragment(self) -> None:
        order = self.labels + list(self._other)
        labels = sorted({lb for r in self.records for lb in r["waves"]}, key=order.index)
        fragment = {
            "notebook": self.notebook,
            "package_version": package_version(),
            "git": git_commit(),
            "threshold": self.threshold,
            "inputs": [self._info(lb)["provenance"] for lb in labels],
            "outputs": [{k: v for k, v in r.items() if k != "files_written"} for r in self.records],
            "statements": self.statements,
            "findings": self.findings,
            "details": self.details,
        }
        self.provenance_dir.mkdir(parents=True, exist_ok=True)
        self._fragment().write_text(json.dumps(fragment, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    # -- showing -------------------------------------------------------------------------------
    def _display_html(self, markup: str) -> None:
        if self.show:
            from IPython.display import HTML, display

            display(HTML(markup))



def _table_html(caption: str, formatted: pd.DataFrame, note: str, source: str) -> str:
    """A table as it is shown in a notebook: HTML with every value escaped (a team or category
    name from the data may hold markup; shown as text, it runs nothing)."""
    def cell(value, tag="td"):
        return f"<{tag}>{html.escape(str(value))}</{tag}>"

    head = "".join(cell(c, "th") for c in formatted.columns)
    body = "".join("<tr>" + "".join(cell("" if pd.isna(v) else v) for v in row) + "</tr>"
                   for row in formatted.itertuples(index=False))
    foot = "".join(f"<p><small>{html.escape(text)}</small></p>" for text in (note, f"Source: {source}") if text)
    return (f"<table><caption><b>{html.escape(caption)}</b></caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{foot}")
