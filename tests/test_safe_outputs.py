"""Labels from the data or the user reach every page and file as text: never markup in the report's
pages or a Markdown table, never a formula in the CSV files or the workbook.

One small output folder is built with a real :class:`Session` on a tiny synthetic wave whose wave
label, team names, caption, note, figure title and alt text are hostile, plus an executed notebook
holding what the session displayed and a raw ``text/markdown`` output; then
:func:`analysis.outputs.report.write_outputs` writes the manifest, the workbook and the pages.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import matplotlib
import nbformat
import openpyxl
import pandas as pd
import pytest

from analysis.outputs.report import index_html, markdown_to_html, write_outputs
from analysis.outputs.session import Session
from analysis.outputs.tables import csv_safe, markdown_text, starts_like_formula, write_table, write_workbook
from analysis.synthetic import demo_wave

matplotlib.use("Agg")

#: A wave label: it ends up in file names, so no slash; in attributes, ids, links and sheet names.
WAVE = '"><img src=x onerror=alert(1)>'
SCRIPT = "<script>alert(1)</script>"
PWN_IMG = '<img src=x onerror="document.body.dataset.pwned=1">'
PWN_SCRIPT = "<script>document.body.dataset.pwned=2</script>"
#: Team names: cells of a table.
TEAMS = ['=HYPERLINK("http://x","y")', "@SUM(1)", SCRIPT, WAVE, "+1 team", "-team", "\tTab team", "North | South",
         "A & B", PWN_IMG, PWN_SCRIPT]
CAPTION = "Teams <b>in bold</b> & more"
NOTE = f"Note {SCRIPT}"
FIG_TITLE = f"Title {SCRIPT}"
FIG_ALT = f'Alt text "quoted" {WAVE}'
FIG_CAPTION = "Caption <b>bold</b>"
RAW_MARKDOWN = f"{SCRIPT}\n\n<img src=x onerror=alert(1)>\n\n{PWN_IMG}\n\n[link](javascript:alert(1))"
NOTEBOOK = "03_hostile"
#: A report title from a waves manifest: it lands in the pages and in the briefing's CSS.
REPORT_TITLE = f'Report "</style>{PWN_SCRIPT}'
SAID = f"Said {SCRIPT}"

#: What must never be in a page as markup (but may be there as text).
HOSTILE = [SCRIPT, WAVE, PWN_IMG, PWN_SCRIPT, "<b>in bold</b>", "<b>bold</b>", "<img src=x onerror=alert(1)>"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    import matplotlib.pyplot as plt

    out = tmp_path_factory.mktemp("hostile")
    shown = []
    with pytest.MonkeyPatch.context() as mp:  # what the session displays, as a kernel would record it
        mp.setattr("IPython.display.display", lambda *objs, **kw: shown.extend(objs))
        s = Session(NOTEBOOK, waves=[{"label": WAVE, "data": demo_wave(n=60, seed=1)}], output_dir=out)
        s.details = {"title": REPORT_TITLE, "release": PWN_IMG}  # as a waves manifest's report: section gives them
        s.banner()
        s.say(SAID, headline=True)
        table = pd.DataFrame({"team": TEAMS, "n": [15] * len(TEAMS), "change": [-1.5 + i for i in range(len(TEAMS))]})
        s.table("teams", table, CAPTION, note=NOTE)
        fig, ax = plt.subplots(figsize=(4, 3))
        ax.bar(["a", "b"], [1, 2])
        s.figure("bars", fig, title=FIG_TITLE, alt_text=FIG_ALT, caption=FIG_CAPTION)
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    outputs = []
    for obj in shown:
        data, metadata = formatter.format(obj)
        outputs.append(nbformat.v4.new_output("display_data", data=data, metadata=metadata))
    outputs.append(nbformat.v4.new_output("display_data", data={"text/markdown": RAW_MARKDOWN, "text/plain": "md"}))
    outputs.append(nbformat.v4.new_output("stream", name="stdout", text=f"printed {SCRIPT}\n"))
    cell = nbformat.v4.new_code_cell("s.table(...)")
    cell.outputs = outputs
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 03 Hostile labels\n\nWhat the labels do."),
                                         cell])
    executed = out / "report" / "notebooks" / f"{NOTEBOOK}.ipynb"
    executed.parent.mkdir(parents=True)
    nbformat.write(nb, executed)
    result = write_outputs(out, [NOTEBOOK], echo=lambda *_: None)
    return {"out": out, "result": result, "shown": shown}


class _Page(HTMLParser):
    """Every element, attribute and piece of text of a page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags, self.text, self._in = [], [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _pages(built) -> list[Path]:
    report = built["out"] / "report"
    pages = [report / "index.html", report / "notebooks" / f"{NOTEBOOK}.html", report / "briefing.html"]
    assert all(p.is_file() for p in pages)
    return pages


def _check_page(path: Path) -> _Page:
    source = path.read_text(encoding="utf-8")
    page = _Page(source)
    assert not [t for t, _ in page.tags if t == "script"], f"{path.name} has a script element"
    handlers = [(t, a) for t, attrs in page.tags for a in attrs if a.lower().startswith("on")]
    assert not handlers, f"{path.name}: event-handler attributes {handlers}"
    assert not [a for t, a in page.tags if t == "img" and a.get("src") == "x"], f"{path.name}: an <img> from a label"
    assert not [a for t, a in page.tags for v in a.values() if v and v.strip().lower().startswith("javascript:")]
    for bad in HOSTILE:
        assert bad not in source, f"{path.name} holds {bad!r} as markup"
    return page


def test_index_page_shows_every_label_as_text(built):
    index = built["out"] / "report" / "index.html"
    page = _check_page(index)
    text = "".join(page.text)
    # Each hostile value is there, as the text a reader sees.
    for value in [CAPTION, NOTE.rstrip("."), FIG_TITLE, FIG_CAPTION, SCRIPT, PWN_IMG, "North | South", "A & B",
                  REPORT_TITLE, SAID]:
        assert value in text, value
    assert f"wave {WAVE}" in text
    alts = [a["alt"] for t, a in page.tags if t == "img"]
    assert alts == [FIG_ALT]


def test_index_links_and_ids_survive_hostile_file_names(built):
    index = built["out"] / "report" / "index.html"
    page = _Page(index.read_text(encoding="utf-8"))
    links = [a["href"] for t, a in page.tags if t == "a" and a.get("href", "").startswith("../")]
    links += [a["src"] for t, a in page.tags if t == "img"]
    assert len(links) >= 6
    for href in links:  # each link, decoded as a browser would, names a file that is there
        assert (index.parent / unquote(href)).resolve().is_file(), href
    ids = {a["id"] for t, a in page.tags if "id" in a}
    manifest = json.loads(built["result"]["manifest"].read_text(encoding="utf-8"))
    assert {f"{o['kind']}-{o['id']}" for o in manifest["outputs"]} <= ids


def test_index_attributes_hold_hostile_ids_and_file_names():
    # Whatever the session makes of a label, the page escapes ids and file names it is given.
    stem = f"03_t_{WAVE}#x?y"
    fragment = {"notebook": NOTEBOOK, "outputs": [
        {"kind": "figure", "id": stem, "title": FIG_TITLE, "caption": FIG_CAPTION, "alt_text": FIG_ALT, "n": 60,
         "files": [{"path": f"figures/{stem}.png"}, {"path": f"figures/{stem}.svg"}]},
        {"kind": "table", "id": stem, "caption": CAPTION, "synthetic": True, "note": NOTE, "n": 60,
         "sheet": {"columns": ["team", "n"], "rows": [[t, "15"] for t in TEAMS]},
         "files": [{"path": f"tables/{stem}.csv"}]}]}
    manifest = {"synthetic": True, "git": {"commit": None, "dirty": None}, "package_version": "<b>1</b>",
                "disclosure_threshold": 10,
                "inputs": [{"wave": WAVE, "file": f"{SCRIPT}.csv", "sha256": "ab", "codebook": PWN_IMG,
                            "n_read": 60, "n_analysable": 60, "synthetic": True}]}
    text = index_html([fragment], {NOTEBOOK: (f"Title {SCRIPT}", f"Intro {PWN_IMG}")}, manifest)
    page = _Page(text)
    assert not [t for t, _ in page.tags if t == "script"]
    assert not [a for t, attrs in page.tags for a in attrs if a.startswith("on")]
    for bad in HOSTILE:
        assert bad not in text, bad
    assert {a.get("id") for t, a in page.tags} >= {f"figure-{stem}", f"table-{stem}"}
    hrefs = [a["href"] for t, a in page.tags if t == "a" and a.get("href", "").startswith("../figures")]
    assert [unquote(h) for h in hrefs] == [f"../figures/{stem}.png", f"../figures/{stem}.svg"]
    assert [unquote(a["src"]) for t, a in page.tags if t == "img"] == [f"../figures/{stem}.png"]
    assert all("#" not in h and "?" not in h for h in hrefs)  # part of the name, not a fragment or query
    assert f"Intro {PWN_IMG}" in "".join(page.text) and f"{SCRIPT}.csv" in "".join(page.text)


def test_executed_notebook_page_escapes_markdown_outputs(built):
    page = _check_page(built["out"] / "report" / "notebooks" / f"{NOTEBOOK}.html")
    text = "".join(page.text)
    # The raw text/markdown output and the session's table are shown, not run.
    assert SCRIPT in text and "<img src=x onerror=alert(1)>" in text and PWN_IMG in text
    assert f"printed {SCRIPT}" in text
    assert "North | South" in text  # an escaped pipe stays in its cell
    # Our own Markdown cell still renders as Markdown.
    assert ("h1", {"id": "03-Hostile-labels"}) in [(t, {k: v for k, v in a.items() if k == "id"}) for t, a in page.tags]


def test_markdown_outputs_keep_their_formatting():
    html = markdown_to_html("**bold** and a table:\n\n| a | b |\n|---|---|\n| &lt;x&gt; | 1 |\n\n" + SCRIPT)
    assert "<strong>bold</strong>" in html and "<td>&lt;x&gt;</td>" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script" not in html


def _sheet_cells(path: Path) -> list[tuple[str, str | None, str, str]]:
    """(cell reference, type, text, style index) of every cell in every sheet, read from the XML."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    cells = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = z.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, f"{name} holds a formula"
                for c in ET.fromstring(xml).iter(f"{{{ns['m']}}}c"):
                    text = "".join(t.text or "" for t in c.iter(f"{{{ns['m']}}}t"))
                    assert c.find("m:f", ns) is None
                    cells.append((c.get("r"), c.get("t"), text, c.get("s")))
    return cells


def _quote_prefixed_styles(path: Path) -> set[str]:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    with zipfile.ZipFile(path) as z:
        styles = ET.fromstring(z.read("xl/styles.xml"))
    xfs = styles.find("m:cellXfs", ns)
    return {str(i) for i, xf in enumerate(xfs) if xf.get("quotePrefix") in ("1", "true")}


def test_workbook_holds_labels_as_text_never_formulas(built):
    book = built["result"]["workbook"]
    cells = _sheet_cells(book)
    prefixed = _quote_prefixed_styles(book)
    texts = {text: (t, s) for _, t, text, s in cells}
    for team in TEAMS:
        assert team in texts, team
        kind, style = texts[team]
        assert kind == "inlineStr", (team, kind)
        if starts_like_formula(team):
            assert style in prefixed, f"{team!r} has no quote prefix"
    values = [c.value for ws in openpyxl.load_workbook(book).worksheets for row in ws.iter_rows() for c in row]
    assert set(TEAMS) <= set(values)  # the text itself, no apostrophe added


def test_write_workbook_never_writes_a_formula(tmp_path):
    sheets = [{"name": "a/b:c*[d]?", "caption": "=1+1", "source": "@here", "note": "#N/A",
               "table": pd.DataFrame({"=col": ["=SUM(A1:A2)", "-5", "#N/A", "-x"], "n": [1, -2, 3, 4]})}]
    path = write_workbook(sheets, tmp_path / "t.xlsx")
    cells = _sheet_cells(path)
    kinds = {text: t for _, t, text, _ in cells}
    assert kinds["=SUM(A1:A2)"] == kinds["#N/A"] == kinds["=1+1"] == kinds["=col"] == "inlineStr"
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Contents", "Notes", "a_b_c__d__"]
    ws = book["a_b_c__d__"]
    numbers = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, int)]
    assert -2 in numbers  # numbers stay numbers


def test_csv_cells_starting_like_a_formula_get_an_apostrophe(built):
    path = next((built["out"] / "tables").glob("03_teams_*.csv"))
    rows = list(csv.reader(path.open(encoding="utf-8", newline="")))
    first = {r[0]: r for r in rows[1:]}
    assert "'=HYPERLINK(\"http://x\",\"y\")" in first and "'@SUM(1)" in first and "'+1 team" in first
    assert "'-team" in first and "'\tTab team" in first
    assert SCRIPT in first and WAVE in first  # not formula-like: unchanged
    table = pd.read_csv(path)
    assert table["change"].dtype.kind == "f" and table["change"].iloc[0] == -1.5  # negative numbers stay numbers
    assert table["n"].dtype.kind == "i"


def test_csv_safe_leaves_numbers_and_plain_text_alone():
    t = pd.DataFrame({"label": ["-.05", "-1e-3", "-x", "+", "ok", None], "value": [-1.0, -2.5, 0.0, 1.0, 2.0, 3.0],
                      "=name": pd.Categorical(["=a", "b", "b", "b", "b", "b"])})
    safe = csv_safe(t)
    assert safe["label"].tolist()[:5] == ["-.05", "-1e-3", "'-x", "'+", "ok"] and pd.isna(safe["label"].iloc[5])
    assert safe["value"].tolist() == t["value"].tolist()
    assert list(safe.columns) == ["label", "value", "'=name"] and safe["'=name"].iloc[0] == "'=a"


def test_markdown_file_holds_no_raw_html(built):
    path = next((built["out"] / "tables").glob("03_teams_*.md"))
    text = path.read_text(encoding="utf-8")
    assert "<" not in text and ">" not in text
    rows = [line for line in text.splitlines() if line.startswith("|")]
    # Every row has the table's three columns: an escaped "|" stays inside its cell.
    assert all(len(re.split(r"(?<!\\)\|", row)) == 5 for row in rows)
    assert "North \\| South" in text and "A &amp; B" in text and "&lt;b&gt;in bold&lt;/b&gt;" in text
    assert markdown_text("a|b<c>&") == "a\\|b&lt;c&gt;&amp;"


def test_write_table_keeps_its_layout_for_plain_labels(tmp_path):
    files = write_table("t", pd.DataFrame({"scale": ["demands"], "p_value": [0.0004]}), "Table 1", tmp_path,
                        source="demo", synthetic=False)
    assert files[1].read_text().splitlines()[0] == "**Table 1**"
    assert "&lt; .001" in files[1].read_text()  # "< .001" renders as itself


def test_briefing_holds_labels_as_text_and_its_css_string_closed(built):
    briefing = built["out"] / "report" / "briefing.html"
    page = _check_page(briefing)
    assert REPORT_TITLE in "".join(page.text) and PWN_IMG in "".join(page.text)
    source = briefing.read_text(encoding="utf-8")
    style = source[source.index("<style>"):source.index("</style>")]
    assert "</" not in style and '"</' not in style  # the title cannot end the style element
    assert style.count('"RUNNING_HEADER"') == 0 and style.count("@top-left") == 1


def test_svg_figures_hold_no_script(built):
    for svg in (built["out"] / "figures").glob("*.svg"):
        tree = ET.parse(svg)
        assert not [e for e in tree.iter() if e.tag.rsplit("}", 1)[-1] == "script"], svg.name
        assert not [e for e in tree.iter() for a in e.attrib if a.lower().startswith("on")], svg.name


# -- in a real browser ----------------------------------------------------------------------------
def _chromium() -> str | None:
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.mark.slow
@pytest.mark.parametrize("page", ["index.html", f"notebooks/{NOTEBOOK}.html", "briefing.html"])
def test_no_label_runs_in_a_browser(built, page):
    chrome = _chromium()
    if chrome is None:
        if os.environ.get("WELLBEING_REQUIRE_CHROMIUM") == "1":
            pytest.fail("no Chromium found, though the set-up should have installed it")
        pytest.skip("no Chromium on this machine")
    path = built["out"] / "report" / page
    proc = subprocess.run([chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           "--no-first-run", "--allow-file-access-from-files", "--virtual-time-budget=5000",
                           "--dump-dom", path.as_uri()], capture_output=True, text=True, timeout=120, check=False)
    body = re.search(r"<body[^>]*>", proc.stdout)
    assert body, proc.stderr[-800:]
    assert "pwned" not in body.group(0), "a label ran as script"
    assert PWN_IMG.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;") in proc.stdout \
        or "&lt;img src=x onerror=" in proc.stdout
