"""The parts of the report that are words, shared by the HTML report and the PDF briefing: key
findings, methods and limitations, glossary, scale key and how to cite.

The key findings come from the run (the sentences notebook 13 kept, see
:meth:`analysis.outputs.session.Session.key_findings`); the limitations and glossary are data
(``analysis/specs/report.yaml``), with the run's own numbers filled in; the scale key comes from
the instrument files (:func:`analysis.instruments.scale_key`). Every value is HTML-escaped.
"""

from __future__ import annotations

import html
from functools import lru_cache
from pathlib import Path

import pandas as pd
import yaml

from ..instruments import scale_key
from ..paths import SPECS_DIR

REPORT_TEXT_FILE = SPECS_DIR / "report.yaml"

esc = html.escape


@lru_cache(maxsize=1)
def report_text() -> dict:
    """The limitations and glossary of ``analysis/specs/report.yaml``."""
    return yaml.safe_load(REPORT_TEXT_FILE.read_text(encoding="utf-8"))


def count_tests(out_dir, outputs: list[dict]) -> int:
    """How many p values the run's tables hold (the ``p_value`` column of each table's CSV)."""
    n = 0
    for o in outputs:
        if o["kind"] != "table":
            continue
        csv = next((f["path"] for f in o["files"] if f["path"].endswith(".csv")), None)
        if csv and "p_value" in o.get("columns", []):
            n += int(pd.read_csv(Path(out_dir) / csv, usecols=["p_value"])["p_value"].notna().sum())
    return n


def wave_phrase(manifest: dict) -> str:
    """The waves with their analysable respondents: ``2017: 1,333 respondents; 2018: 3,421``."""
    waves = [i for i in manifest["inputs"] if "n_analysable" in i]
    return "; ".join(f"wave {i['wave']}: {i['n_analysable']:,} respondents" for i in waves) or "no survey wave"


def key_findings_html(findings: list[dict], *, links: dict | None = None) -> str:
    """The key findings as a list; each links to the section with the full analysis when
    ``links`` maps its notebook to an anchor."""
    if not findings:
        return ("<p>No key findings: the notebook that states them (13_key_findings) did not run, or the "
                "data lack every headline measure.</p>")
    items = []
    for f in findings:
        link = (links or {}).get(f["notebook"])
        more = f' <a class="more" href="#{esc(link)}">Full analysis</a>' if link else ""
        items.append(f"<li>{esc(f['text'])}{more}</li>")
    return '<ul class="findings">' + "".join(items) + "</ul>"


def limitations_html(manifest: dict, n_tests: int) -> str:
    """The methods and limitations, with the run's waves, threshold and count of tests."""
    several = sum(1 for i in manifest["inputs"] if "n_analysable" in i) > 1
    values = {"waves": wave_phrase(manifest), "n_tests": f"{n_tests:,}",
              "threshold": manifest.get("disclosure_threshold")}
    parts = []
    for item in report_text()["limitations"]:
        if item.get("when") == "several_waves" and not several:
            continue
        parts.append(f"<h3>{esc(item['title'])}</h3><p>{esc(item['text'].format(**values))}</p>")
    return "".join(parts)


def glossary_html() -> str:
    """The glossary as a definition list."""
    terms = report_text()["glossary"]
    return '<dl class="glossary">' + "".join(f"<dt>{esc(t)}</dt><dd>{esc(d)}</dd>" for t, d in terms.items()) + "</dl>"


def scale_key_html(scales=None) -> str:
    """Every scale's range and what a higher score means, from the instrument files; ``scales``
    limits it to the scales a run reports (default all)."""
    key = scale_key()
    if scales is not None:
        key = key[key["scale"].isin(list(scales))]
    rows = "".join(f"<tr><td>{esc(r.instrument)}</td><td>{esc(r.label)}</td>"
                   f'<td class="num">{r.low:g} to {r.high:g}</td><td>{esc(r.higher)}</td></tr>'
                   for r in key.itertuples())
    return ('<table class="scale-key"><thead><tr><th>Instrument</th><th>Scale</th><th class="num">Range</th>'
            f"<th>A higher score means</th></tr></thead><tbody>{rows}</tbody></table>")


def commit_phrase(manifest: dict) -> str:
    """``commit 0123456789ab`` (with uncommitted changes noted), or that there is none."""
    git = manifest["git"]
    if not git.get("commit"):
        return "not run from a git checkout"
    return f"commit {git['commit'][:12]}" + (" with uncommitted changes" if git.get("dirty") else "")


def citation(manifest: dict) -> str:
    """How to cite the software that made the report."""
    return (f"wellbeing-survey contributors. wellbeing-survey: analysis of the UK social worker wellbeing and "
            f"working conditions surveys, version {manifest['package_version']} ({commit_phrase(manifest)}). "
            "[Computer software].")


def about_html(manifest: dict, details: dict) -> str:
    """Release and fieldwork dates, publisher, contact and how to cite."""
    fieldwork = [f"wave {i['wave']}: {i['fieldwork']}" for i in manifest["inputs"] if i.get("fieldwork")]
    rows = [("Release", details.get("release", "not stated (set report: release: in the waves manifest)")),
            ("Fieldwork", "; ".join(fieldwork) or "not stated (set fieldwork: for each wave in the waves manifest)"),
            ("Respondents", wave_phrase(manifest)),
            ("Publisher", details.get("publisher", "not stated")),
            ("Contact", details.get("contact", "not stated")),
            ("Cite the data as", details.get("cite_data_as", "as the data's owner asks")),
            ("Cite the analysis software as", citation(manifest))]
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    return f'<table class="about"><tbody>{body}</tbody></table>'
