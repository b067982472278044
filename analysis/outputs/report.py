"""The report: one index page over the executed notebooks, their figures and tables.

:func:`write_outputs` runs after the notebooks and writes, in the output folder:

- ``report/manifest.json``: every figure and table with title, caption, alt text, files and their
  SHA-256, n, waves, the inputs' SHA-256, package version and git commit
  (:mod:`analysis.outputs.provenance`);
- ``tables/tables.xlsx``: every table, a sheet each (:func:`analysis.outputs.tables.write_workbook`);
- ``report/notebooks/<name>.html``: each executed notebook, rendered by nbconvert without
  scripts fetched from the internet;
- ``report/index.html``: the synthetic-data mark when it applies; the key findings; a section per
  notebook headed by its finding, with its question, what the numbers say, its figures (with alt
  text) and tables; methods and limitations; glossary and scale key; lists of figures and
  tables; release, fieldwork and how to cite; and an appendix with the data, inputs and checksums;
- ``report/briefing.pdf``: the A4 briefing (:mod:`analysis.outputs.briefing`).

The pages carry no date, so the same inputs give the same report.

Every value that comes from the data or the user (team, service, category and wave labels, file
names, and the titles, captions, notes and alt text built from them) is escaped wherever it lands
in a page: text with :func:`html.escape`, attributes too, and links percent-encoded first. In the
executed notebooks, display outputs of type ``text/markdown`` are rendered with their raw HTML
escaped (:func:`markdown_to_html`), and JavaScript or Mermaid outputs are shown as text, never run;
the notebooks' own Markdown cells, which we write, are rendered as usual.
"""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from urllib.parse import quote

import nbformat

from ..paths import TEMPLATES_DIR
from .provenance import read_fragments, write_manifest
from .tables import SYNTHETIC_MARK, is_number_text, table_caption, write_workbook

TEMPLATE = TEMPLATES_DIR / "offline.html.j2"

_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 62rem; margin: 0 auto; padding: 0 1rem 3rem;
       color: #1a1a1a; line-height: 1.45; }
.synthetic-mark { position: sticky; top: 0; z-index: 10; background: #D55E00; color: #ffffff; font-weight: bold;
                  padding: 0.6rem 1rem; font-size: 1.15rem; border-radius: 0 0 4px 4px; }
nav#toc { background: #f4f4f4; padding: 0.5rem 1.2rem; border-left: 4px solid #0072B2; }
figure { margin: 1rem 0 2rem; } figure img { max-width: 100%; border: 1px solid #dddddd; }
figcaption { font-size: 0.9rem; color: #333333; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.4rem 0 0.3rem; }
th, td { border-bottom: 1px solid #cccccc; padding: 0.15rem 0.5rem; text-align: left; vertical-align: top; }
th.num, td.num { text-align: right; }
.scroll { overflow-x: auto; }
caption { caption-side: top; text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
.source { font-size: 0.8rem; color: #444444; margin-bottom: 1.6rem; }
code { font-size: 0.85rem; }
#key-findings { background: #eef5fb; border-left: 6px solid #0072B2; padding: 0.4rem 1.2rem 0.6rem; margin: 1rem 0; }
ul.findings li { margin: 0.45rem 0; font-size: 1.05rem; }
a.more { font-size: 0.85rem; white-space: nowrap; }
.kicker { margin: 2.2rem 0 0; color: #555555; font-size: 0.85rem; text-transform: uppercase; letter-spacing: 0.04em; }
section > h2 { margin-top: 0.2rem; }
.question { color: #333333; font-style: italic; }
.says { background: #f7f7f7; padding: 0.2rem 1rem; border-radius: 4px; }
.note, .byline { font-size: 0.9rem; color: #333333; }
dl.glossary dt { font-weight: bold; margin-top: 0.5rem; } dl.glossary dd { margin-left: 1.2rem; }
table.about th { width: 14rem; }
"""


def notebook_title(nb) -> tuple[str, str]:
    """The first heading of a notebook and the paragraph after it (what the notebook answers)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            lines = [ln.strip() for ln in cell.source.splitlines()]
            heading = next((ln.lstrip("# ") for ln in lines if ln.startswith("#")), "")
            start = next((i for i, ln in enumerate(lines) if ln and not ln.startswith("#")), len(lines))
            para = []
            for ln in lines[start:]:
                if not ln:
                    break
                para.append(ln)
            return heading, " ".join(para)
    return "", ""


def notebook_parameters(nb) -> dict:
    """The parameters a notebook ran with: its ``parameters`` cell, overridden by the injected
    cell (literal values only; paths as shown in the executed copy, i.e. file names)."""
    import ast

    values = {}
    for tag in ("parameters", "injected-parameters"):
        for cell in nb.cells:
            if tag in cell.get("metadata", {}).get("tags", []):
                for node in ast.parse(cell.source).body:
                    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                        try:
                            values[node.targets[0].id] = ast.literal_eval(node.value)
                        except ValueError:
                            values[node.targets[0].id] = ast.unparse(node.value)
    return values


def markdown_to_html(source: str) -> str:
    """Markdown from the data (a table a notebook displayed, a label) as HTML with any raw HTML
    in it escaped, and links or images with a ``javascript:``-like address dropped.

    nbconvert renders ``text/markdown`` outputs with raw HTML passed through, as Jupyter does for
    Markdown cells; an output can hold labels from the data, so the report's template renders them
    with this instead.

    Examples
    --------
    >>> print(markdown_to_html("**p &lt; .001** <img src=x onerror=alert(1)>"))
    <p><strong>p &lt; .001</strong> &lt;img src=x onerror=alert(1)&gt;</p>
    """
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath

    class EscapingRenderer(IPythonRenderer):
        def text(self, text: str) -> str:  # raw HTML is escaped; entities (&lt; in our tables) stay entities
            return html.escape(html.unescape(text))

        def block_mermaidjs(self, code: str) -> str:  # a plain code block, not a diagram to run
            return super(IPythonRenderer, self).block_code(code, info=None)

    renderer = EscapingRenderer(escape=True, allow_harmful_protocols=False, exclude_anchor_links=True)
    return MarkdownWithMath(renderer=renderer).render(source).strip()


def notebook_html(nb) -> str:
    """An executed notebook as one self-contained HTML page (images embedded, no remote scripts;
    Markdown outputs with their raw HTML escaped, see :func:`markdown_to_html`)."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", template_file=str(TEMPLATE))
    exporter.register_filter("markdown_to_html", markdown_to_html)
    body, _ = exporter.from_notebook_node(nb)
    return body


def _table_html(out: dict) -> str:
    """A table as formatted for publication: numbers right-aligned, text left-aligned."""
    esc = html.escape
    sheet = out["sheet"]
    rows = sheet["rows"]
    numeric = [all(not r[j] or is_number_text(r[j]) for r in rows) for j in range(len(sheet["columns"]))]
    align = ['class="num"' if flag else "" for flag in numeric]
    caption = table_caption(out["caption"], out["synthetic"])
    head = "".join(f"<th {a}>{esc(c)}</th>" for c, a in zip(sheet["columns"], align))
    body = "".join("<tr>" + "".join(f"<td {a}>{esc(v)}</td>" for v, a in zip(r, align)) + "</tr>" for r in rows)
    return (f'<div class="scroll"><table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _count(value) -> str:
    """A count as printed: thousands separated; blank when it is not there (suppressed, None)."""
    if value is None or value == "" or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (int, float)) and float(value).is_integer():
        return f"{int(value):,}"
    return html.escape(str(value))


def _href(path: str) -> str:
    """A relative link to a file whose name holds labels from the data: percent-encoded (a ``#``
    or ``?`` in a wave label stays part of the name), then escaped for the attribute."""
    return html.escape(quote(path, safe="/"))


def _links(out: dict) -> str:
    return " · ".join(f'<a href="../{_href(f["path"])}">{html.escape(Path(f["path"]).suffix[1:].upper())}</a>'
                      for f in out["files"])


#: Where a notebook's section goes in the report, from the executed notebook's metadata
#: ``{"wellbeing": {"report": ...}}``: ``"section"`` (the default), ``"appendix"`` (data, inputs
#: and exclusions) or ``"key findings"`` (the notebook that states them; its table goes to the appendix).
PLACEMENTS = ("section", "appendix", "key findings")


def notebook_placement(nb) -> str:
    """Where a notebook goes in the report (see :data:`PLACEMENTS`)."""
    place = nb.metadata.get("wellbeing", {}).get("report", "section")
    return place if place in PLACEMENTS else "section"


def _headline(frag: dict) -> str | None:
    """The statement a notebook marked as its headline, as its section's heading: without a
    closing "Based on ... respondents." (the n is under every figure and table of the section)."""
    from .narrative import without_n

    text = next((st["text"] for st in frag.get("statements", []) if st.get("headline")), None)
    return without_n(text).rstrip(".") if text else None


def _outputs_html(frag: dict, numbers: dict) -> list[str]:
    """A notebook's figures and tables, numbered as in the list of figures and tables."""
    esc = html.escape
    parts = []
    for out in frag["outputs"]:
        number = numbers[(out["kind"], out["id"])]
        if out["kind"] == "figure":
            png = next(f["path"] for f in out["files"] if f["path"].endswith(".png"))
            cap = f" {esc(out['caption'])}" if out["caption"] else ""
            parts.append(f'<figure id="figure-{esc(out["id"])}"><img src="../{_href(png)}" alt="{esc(out["alt_text"] or "")}" '
                         f'style="max-width:100%"><figcaption><b>Figure {number}.</b> {esc(out["title"])}.{cap} '
                         f"n = {_count(out['n'])}. {_links(out)}</figcaption></figure>")
        else:
            parts.append(f'<div id="table-{esc(out["id"])}"><p><b>Table {number}.</b></p>{_table_html(out)}')
            note = f"{esc(out['note'].rstrip('.'))}. " if out.get("note") else ""
            parts.append(f'<p class="source">{note}n = {_count(out["n"])}. {_links(out)}</p></div>')
    return parts


def _section_html(frag: dict, titles: dict, numbers: dict, *, level: str = "h2") -> list[str]:
    esc = html.escape
    name = frag["notebook"]
    title, intro = titles[name]
    heading = _headline(frag) or title or name
    statements = [st["text"] for st in frag.get("statements", []) if not st.get("headline")]
    kicker = f'<p class="kicker">{esc(title)}</p>' if title and heading != title else ""
    parts = [f'<section id="{esc(name)}">{kicker}<{level}>{esc(heading)}</{level}>',
             f'<div class="question">{markdown_to_html(intro)}</div>' if intro else ""]
    if statements:
        parts.append('<div class="says"><p><b>What the numbers say</b></p><ul>'
                     + "".join(f"<li>{esc(t)}</li>" for t in statements) + "</ul></div>")
    parts.append(f'<p><a href="notebooks/{_href(name)}.html">Read the executed notebook</a> '
                 f'(<a href="notebooks/{_href(name)}.ipynb">.ipynb</a>)</p>')
    parts += _outputs_html(frag, numbers)
    parts.append("</section>")
    return parts


def _inputs_html(manifest: dict) -> str:
    esc = html.escape
    rows = ['<table><thead><tr><th>Input</th><th>File</th><th>SHA-256</th><th>Codebook</th>'
            '<th class="num">Rows read</th><th class="num">Analysable</th><th>Synthetic</th></tr></thead><tbody>']
    for i in manifest["inputs"]:
        rows.append(f"<tr><td>{esc(i.get('what', 'wave ' + str(i['wave'])))}</td><td>{esc(i['file'])}</td>"
                    f"<td><code>{esc((i['sha256'] or '')[:16])}…</code></td><td>{esc(i.get('codebook') or '')}</td>"
                    f'<td class="num">{_count(i.get("n_read"))}</td><td class="num">{_count(i.get("n_analysable"))}</td>'
                    f"<td>{'yes' if i['synthetic'] else 'no'}</td></tr>")
    rows.append("</tbody></table>")
    return "".join(rows)


def index_html(fragments: list[dict], titles: dict, manifest: dict, *, placements: dict | None = None,
               n_tests: int = 0) -> str:
    """The index page: key findings first; then a section per notebook, headed by its finding;
    methods and limitations, glossary and scale key, lists of figures and tables, release
    details and how to cite; and an appendix with the data, inputs and checksums."""
    from .report_text import (about_html, commit_phrase, glossary_html, key_findings_html, limitations_html,
                              scale_key_html)

    esc = html.escape
    placements = placements or {}
    details = next((f["details"] for f in fragments if f.get("details")), {})
    place = {f["notebook"]: placements.get(f["notebook"], "section") for f in fragments}
    sections = [f for f in fragments if place[f["notebook"]] == "section"]
    appendix = [f for f in fragments if place[f["notebook"]] != "section"]
    findings = [item for f in fragments for item in f.get("findings", [])]
    numbers, listing, counters = {}, {"figure": [], "table": []}, {"figure": 0, "table": 0}
    for frag in sections + appendix:
        for out in frag["outputs"]:
            counters[out["kind"]] += 1
            numbers[(out["kind"], out["id"])] = counters[out["kind"]]
            listing[out["kind"]].append((counters[out["kind"]], out))
    title = details.get("title", "Wellbeing survey analysis report")
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             "<title>Wellbeing survey analysis report</title>", f"<style>{_STYLE}</style></head><body>"]
    if manifest["synthetic"]:
        parts.append(f'<div class="synthetic-mark" id="synthetic-mark">{SYNTHETIC_MARK}: generated respondents, '
                     "not survey findings. Do not cite these numbers.</div>")
    parts += [f"<h1>{esc(title)}</h1>",
              f'<p class="byline">Made with wellbeing-survey {esc(manifest["package_version"])} '
              f'({esc(commit_phrase(manifest))}). Release: {esc(details.get("release", "not stated"))}. '
              '<a href="#about">How to cite</a> · <a href="../tables/tables.xlsx">All tables (Excel workbook)</a> · '
              '<a href="briefing.pdf">Briefing (PDF)</a></p>',
              '<section id="key-findings"><h2>Key findings</h2>',
              key_findings_html(findings, links={f["notebook"]: f["notebook"] for f in sections}),
              '<p class="note">Each figure comes from this run\'s tables, with its 95% confidence interval; '
              "the change is from the wave before. These are respondents to an open survey, not a random "
              'sample of the workforce: see <a href="#methods">methods and limitations</a>.</p></section>']
    toc = [("key-findings", "Key findings")] + [(f["notebook"], _headline(f) or titles[f["notebook"]][0] or f["notebook"])
                                                 for f in sections]
    toc += [("methods", "Methods and limitations"), ("glossary", "Glossary and scale key"),
            ("lists", "List of figures and tables"), ("about", "Release, fieldwork and how to cite"),
            ("appendix", "Appendix: data, inputs and checksums")]
    parts.append('<nav id="toc"><h2>Contents</h2><ol>'
                 + "".join(f'<li><a href="#{esc(a)}">{esc(t)}</a></li>' for a, t in toc) + "</ol></nav>")
    for frag in sections:
        parts += _section_html(frag, titles, numbers)
    parts += ['<section id="methods"><h2>Methods and limitations</h2>', limitations_html(manifest, n_tests),
              "</section>",
              '<section id="glossary"><h2>Glossary and scale key</h2>', glossary_html(),
              "<h3>Scale key</h3><p>What each scale's scores run from and to, and which way is better. "
              "Directions differ between instruments: on the HSE scales higher is better (Demands included), "
              "on the PSS-4 higher means more stress.</p>", scale_key_html(), "</section>",
              '<section id="lists"><h2>List of figures and tables</h2><h3>Figures</h3><ol class="listing">']
    parts += [f'<li value="{k}"><a href="#figure-{esc(o["id"])}">{esc(o["title"])}</a></li>' for k, o in listing["figure"]]
    parts.append('</ol><h3>Tables</h3><ol class="listing">')
    parts += [f'<li value="{k}"><a href="#table-{esc(o["id"])}">{esc(o["caption"])}</a></li>' for k, o in listing["table"]]
    parts += ["</ol></section>", '<section id="about"><h2>Release, fieldwork and how to cite</h2>',
              about_html(manifest, details), "</section>",
              '<section id="appendix"><h2>Appendix: data, inputs and checksums</h2>',
              f"<p>Disclosure threshold: groups of fewer than {esc(str(manifest['disclosure_threshold']))} respondents "
              'are suppressed. <a href="manifest.json">Provenance manifest (JSON)</a>: every figure and table with '
              "its files' SHA-256, n, inputs and parameters.</p>",
              "<h3>Inputs</h3>", _inputs_html(manifest)]
    for frag in appendix:
        parts += _section_html(frag, titles, numbers, level="h3")
    parts += ["</section>", "</body></html>"]
    return "\n".join(parts) + "\n"


def write_outputs(output_dir, notebooks: list[str] | None = None, echo=print) -> dict:
    """Write the manifest, the workbook and the HTML report from the notebooks' fragments.

    Parameters
    ----------
    output_dir : str or Path
        The folder the notebooks wrote to.
    notebooks : list of str, optional
        Notebook names, in order (default every fragment found).
    """
    out = Path(output_dir)
    fragments = read_fragments(out / "provenance", notebooks)
    if not fragments:
        raise FileNotFoundError(f"no provenance fragments in {out / 'provenance'}: run the notebooks first")
    if notebooks:  # a notebook that saved nothing (e.g. one wave: nothing to compare) still has a page
        have = {f["notebook"] for f in fragments}
        blank = {k: v for k, v in fragments[0].items() if k not in ("notebook", "inputs", "outputs")}
        fragments = [next((f for f in fragments if f["notebook"] == name),
                          {"notebook": name, **blank, "inputs": [], "outputs": []})
                     for name in notebooks if name in have or (out / "report" / "notebooks" / f"{name}.ipynb").is_file()]
    for frag in fragments:  # what each notebook ran with, for the manifest
        executed = out / "report" / "notebooks" / f"{frag['notebook']}.ipynb"
        if executed.is_file():
            frag["parameters"] = notebook_parameters(nbformat.read(executed, as_version=4))
    manifest_path = write_manifest(fragments, out / "report" / "manifest.json")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    sheets = [{"name": o["id"], "caption": table_caption(o["caption"], o["synthetic"]),
               "note": o.get("note", ""), "source": o["source"], "table": o["sheet"], "n": o["n"],
               "synthetic": o["synthetic"]}
              for f in fragments for o in f["outputs"] if o["kind"] == "table"]
    workbook = write_workbook(sheets, out / "tables" / "tables.xlsx", threshold=manifest["disclosure_threshold"])
    titles, placements = {}, {}
    for frag in fragments:
        executed = out / "report" / "notebooks" / f"{frag['notebook']}.ipynb"
        nb = nbformat.read(executed, as_version=4) if executed.is_file() else nbformat.v4.new_notebook()
        titles[frag["notebook"]] = notebook_title(nb)
        placements[frag["notebook"]] = notebook_placement(nb)
        if executed.is_file():
            executed.with_suffix(".html").write_text(notebook_html(nb), encoding="utf-8")
    from .briefing import write_briefing
    from .report_text import count_tests

    index = out / "report" / "index.html"
    index.write_text(index_html(fragments, titles, manifest, placements=placements,
                                n_tests=count_tests(out, manifest["outputs"])), encoding="utf-8")
    briefing = write_briefing(fragments, manifest, out, echo=echo)
    echo(f"wrote {manifest_path}, {workbook}, {index} and {briefing}")
    return {"manifest": manifest_path, "workbook": workbook, "report": index, "briefing": briefing}
