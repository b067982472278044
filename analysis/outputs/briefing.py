"""The briefing: an A4 PDF of a few pages to hand round or attach, made from the run.

``report/briefing.pdf`` holds, in this order: the title, release details and (for synthetic data)
the mark, on every page; the key findings; the limitations to read them with; the main figures
at full text width, each with its title, finding, caption and n drawn in; and how to cite. :func:`briefing_html` writes it as an
HTML page made for print (``@page`` A4, page numbers, no page breaks inside a figure), and
:func:`print_pdf` prints that page with headless Chromium (the browser the set-up installs for the
report test; ``python3 tasks.py main`` installs it where it can). Without a browser the HTML page
is kept and the run says how to make the PDF.

Which figures are "main" is data: the ``briefing:`` list of ``analysis/specs/report.yaml``
names them. The PDF carries no date (Chromium's creation date is replaced by a fixed one), so the
same run gives the same bytes.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

from .report_text import about_html, commit_phrase, key_findings_html, limitations_html, report_text
from .tables import SYNTHETIC_MARK

#: Browsers tried, in order (the environment variable CHROMIUM names another).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
#: The date every briefing carries in its PDF metadata (no clock time, for byte-stable output).
FIXED_PDF_DATE = b"D:20000101000000"

_PRINT_STYLE = """
@page { size: A4; margin: 22mm 18mm 18mm 18mm;
        @top-left { content: "RUNNING_HEADER"; font: 8pt "DejaVu Sans", Arial, sans-serif; color: #444444; }
        @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt "DejaVu Sans", Arial, sans-serif;
                        color: #444444; } }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 10pt; line-height: 1.4; color: #1a1a1a; margin: 0; }
h1 { font-size: 18pt; margin: 0 0 4pt; } h2 { font-size: 13pt; margin: 14pt 0 6pt; break-after: avoid; }
h3 { font-size: 10.5pt; margin: 8pt 0 2pt; break-after: avoid; }
.mark { border: 2pt solid #555555; background: #eeeeee; color: #1a1a1a; font-weight: bold; padding: 5pt 8pt;
        margin: 6pt 0 10pt; font-size: 11pt; }
.byline { font-size: 9pt; color: #333333; }
ul.findings { padding-left: 14pt; } ul.findings li { margin: 0 0 6pt; font-size: 10.5pt; }
figure { margin: 0 0 12pt; break-inside: avoid; }
figure img { width: 100%; max-height: 160mm; object-fit: contain; object-position: left top; }
figcaption { font-size: 8.5pt; color: #333333; margin-top: 3pt; }
.limits p { margin: 0 0 5pt; font-size: 9pt; } .limits h3 { font-size: 9.5pt; }
table.about { border-collapse: collapse; font-size: 8.5pt; } table.about th, table.about td { text-align: left;
  vertical-align: top; padding: 2pt 6pt 2pt 0; border-bottom: 0.5pt solid #cccccc; } table.about th { width: 38mm; }
.page { break-before: page; }
a { color: #1a1a1a; text-decoration: none; }
"""


def css_string(text: str) -> str:
    """Text as the inside of a double-quoted CSS string: anything but letters, digits, spaces and
    plain punctuation as a CSS escape, so that a title from a manifest can neither end the string
    nor the ``<style>`` element (six-digit escapes, which need no space after them).

    Examples
    --------
    >>> print(css_string('Wave "2019" </style>'))
    Wave \\0000222019\\000022 \\00003c/style\\00003e
    """
    return "".join(c if c.isalnum() or c in " .,:;()-'/" else f"\\{ord(c):06x}" for c in str(text))


def main_figures(fragments: list[dict], names=None) -> list[dict]:
    """The figures the briefing shows, in the order of ``names`` (default the ``briefing:`` list of
    ``analysis/specs/report.yaml``): each name is a figure's short name, as a notebook saves it
    (``"hse_benchmark"`` matches ``04_hse_benchmark_2018``). Names the run did not draw are skipped."""
    names = names if names is not None else report_text()["briefing"]["figures"]
    figures = [o for f in fragments for o in f["outputs"] if o["kind"] == "figure"]
    chosen = []
    for name in names:
        match = next((o for o in figures if re.fullmatch(rf"\d+_{re.escape(name)}_.+", o["id"])), None)
        if match is not None and match not in chosen:
            chosen.append(match)
    return chosen


def briefing_html(fragments: list[dict], manifest: dict, *, n_tests: int = 0) -> str:
    """The briefing as an HTML page made for print (see the module docstring). Image paths are
    relative to ``report/``."""
    esc = html.escape
    details = next((f["details"] for f in fragments if f.get("details")), {})
    title = details.get("title", "Wellbeing survey analysis")
    findings = [item for f in fragments for item in f.get("findings", [])]
    synthetic = manifest["synthetic"]
    running = (f"{SYNTHETIC_MARK} - " if synthetic else "") + title
    running = css_string(running)
    style = _PRINT_STYLE.replace("RUNNING_HEADER", running)
    head_title = f"{SYNTHETIC_MARK}: {title}" if synthetic else title
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">', f"<title>{esc(head_title)}</title>",
             f"<style>{style}</style></head><body>", f"<h1>{esc(title)}</h1>",
             f'<p class="byline">Briefing. Release: {esc(details.get("release", "not stated"))}. '
             f"Made with wellbeing-survey {esc(manifest['package_version'])} ({esc(commit_phrase(manifest))}).</p>"]
    if synthetic:
        parts.append(f'<div class="mark" id="synthetic-mark">{SYNTHETIC_MARK}: these numbers come from generated '
                     "respondents, not from a survey. They show how the analysis works and are not findings. "
                     "Do not cite them.</div>")
    parts += ["<h2>Key findings</h2>", key_findings_html(findings),
              '<p class="byline">Intervals are 95% confidence intervals; changes are from the wave before.</p>',
              '<h2>Read these numbers with care</h2><div class="limits">', limitations_html(manifest, n_tests),
              "</div>"]
    figures = main_figures(fragments)
    if figures:
        parts.append('<h2>Main figures</h2>')
    for k, out in enumerate(figures, 1):
        png = next(f["path"] for f in out["files"] if f["path"].endswith(".png"))
        # the figure carries its title, finding, caption, n and source drawn in: the caption only numbers it
        parts.append(f'<figure id="figure-{esc(out["id"])}"><img src="../{esc(quote(png, safe="/"))}" '
                     f'alt="{esc(out["alt_text"] or "")}"><figcaption><b>Figure {k}.</b> {esc(out["title"])}.'
                     "</figcaption></figure>")
    parts += ["<h2>Release, fieldwork and how to cite</h2>", about_html(manifest, details),
              '<p class="byline">Every table and figure, the executed notebooks and the provenance manifest are in '
              "the full report (report/index.html) and the workbook (tables/tables.xlsx).</p>",
              "</body></html>"]
    return "\n".join(parts) + "\n"


def find_chromium() -> str | None:
    """The path of a Chromium-family browser, or None."""
    import os

    for name in (os.environ.get("CHROMIUM"), *CHROMIUM_NAMES):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def print_pdf(page: Path, pdf: Path, chromium: str) -> Path:
    """Print an HTML page to PDF with headless Chromium, and fix the PDF's dates."""
    with tempfile.TemporaryDirectory() as profile:
        proc = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                               "--disable-extensions", "--no-first-run", "--allow-file-access-from-files",
                               f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={pdf}",
                               page.resolve().as_uri()], capture_output=True, text=True, timeout=300)
    if not pdf.is_file() or pdf.stat().st_size == 0:
        raise RuntimeError(f"Chromium printed no PDF (exit {proc.returncode}): {proc.stderr[-600:]}")
    data = re.sub(rb"D:\d{14}", FIXED_PDF_DATE, pdf.read_bytes())
    pdf.write_bytes(data)
    return pdf


def write_briefing(fragments: list[dict], manifest: dict, out_dir, *, echo=print) -> Path:
    """Write ``report/briefing.html`` and print it to ``report/briefing.pdf``; returns the PDF, or
    the HTML page when no browser is found (and says so through ``echo``)."""
    from .report_text import count_tests

    report = Path(out_dir) / "report"
    page = report / "briefing.html"
    page.write_text(briefing_html(fragments, manifest, n_tests=count_tests(out_dir, manifest["outputs"])),
                    encoding="utf-8")
    chromium = find_chromium()
    if chromium is None:
        echo("briefing: no Chromium found, so report/briefing.pdf was not made; open report/briefing.html in a "
             "browser and print it to PDF (A4), or install Chromium (apt-get install chromium) and run again")
        return page
    return print_pdf(page, report / "briefing.pdf", chromium)
