"""The numbered notebooks: committed clean, run headless from one call, and what they write is
complete, marked, disclosure-safe, traceable and reproducible; the report renders in Chromium."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import openpyxl
import pandas as pd
import pytest

from analysis.disclosure import (DEFAULT_THRESHOLD, MISSINGNESS_COUNTS, NOT_ANSWERED, assert_no_small_cells,
                                 count_columns)
from analysis.labels import code_names
from analysis.reading.readers import file_sha256
from analysis.outputs.runner import (COMMON_PARAMETERS, KERNEL_NAME, NotebookFailed, execute_notebook,
                                list_notebooks, parameter_names, run_notebooks)
from analysis.outputs.report import notebook_placement
from analysis.paths import NOTEBOOKS_DIR, REPO_DIR, SYNTHETIC_DIR
from analysis.files import FIXED_TIME
from analysis.outputs.tables import SYNTHETIC_MARK

EXPECTED = ["01_data_and_codebook", "02_sample_profile", "03_scores_and_reliability", "04_hse_benchmarks",
            "05_stress_regression", "06_bme_experience", "07_presenteeism", "08_intention_to_leave",
            "09_hours_and_satisfaction", "10_wave_comparison", "11_union_priorities",
            "12_workload_health_check", "13_key_findings", "14_measurement_invariance",
            "15_do_the_findings_hold"]


# -- committed notebooks ---------------------------------------------------------------------------
def test_the_ten_notebooks_are_there_in_order():
    assert [p.stem for p in list_notebooks()] == EXPECTED


@pytest.mark.parametrize("path", list_notebooks(), ids=lambda p: p.stem)
def test_notebook_is_committed_clean_and_parameterised(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == KERNEL_NAME
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code), "commit notebooks without outputs"
    assert [c.id for c in nb.cells] == [f"cell-{i:02d}" for i in range(1, len(nb.cells) + 1)], "stable cell ids"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.startswith(f"# {path.stem[:2]} ")
    assert "**What this notebook answers.**" in first.source and "**How to read it.**" in first.source
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and nb.cells.index(tagged[0]) == 1, "the parameters cell comes right after the intro"
    assert set(COMMON_PARAMETERS) <= set(parameter_names(nb))
    # Thin: no statistics computed in the notebook itself, no paths relative to the working folder.
    source = "\n".join(c.source for c in code)
    assert not re.search(r"\b(smf?\.|scipy|pingouin|pg\.|\.fit\(|open\()", source)
    assert "../" not in source and "os.chdir" not in source
    # One import style, as pingouin's pg.*: every name from the package's facade.
    assert not re.search(r"^\s*(from|import) analysis\.", source, re.M), "import from analysis only"
    # Readable in a diff: one JSON line per source line.
    raw = json.loads(path.read_text())
    assert all(isinstance(c["source"], list) for c in raw["cells"])


# -- one run of every notebook on the bundled synthetic waves ----------------------------------------
@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("outputs")
    lines = []
    result = run_notebooks({}, out, echo=lines.append)
    manifest = json.loads(result["manifest"].read_text())
    return {"out": out, "lines": lines, "result": result, "manifest": manifest}


@pytest.mark.slow
def test_every_notebook_runs_with_progress(run):
    assert [p.stem for p in run["result"]["notebooks"]] == EXPECTED
    k = len(EXPECTED)
    assert run["lines"][0] == f"[1/{k}] {EXPECTED[0]} ..."
    assert any(line.startswith(f"[{k}/{k}] {EXPECTED[-1]} done in") for line in run["lines"])
    for path in run["result"]["notebooks"]:
        nb = nbformat.read(path, as_version=4)
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
        assert not [o for o in outputs if o.output_type == "error"]
        assert not [o for o in outputs if o.get("name") == "stderr"], f"{path.stem} wrote to stderr (a warning?)"
        injected = nb.cells[2]
        assert "injected-parameters" in injected.metadata["tags"]
        assert f"output_dir = {run['out'].name!r}" in injected.source and "'/" not in injected.source


@pytest.mark.slow
def test_every_notebook_writes_its_figures_and_tables(run):
    ids = {o["id"] for o in run["manifest"]["outputs"]}
    for name in ["01_waves_2017-2018", "01_exclusions_2017", "01_missing_scores_2018", "02_sample_profile_2018",
                 "03_reliability_2017", "03_reliability_2018", "03_score_summary_2018", "04_hse_benchmark_2018",
                 "04_hse_benchmark_by_nation_2018", "04_hse_benchmark_by_sector_2018",
                 "04_hse_benchmark_by_role_2018", "05_stress_ols_2018", "05_stress_hierarchical_2018",
                 "05_stress_moderation_2017", "05_stress_simple_slopes_2017", "06_bme_comparisons_2018",
                 "06_bme_racism_2018", "07_presenteeism_by_sector_2018", "07_presenteeism_logit_2018",
                 "08_intention_by_sector_2018", "08_leave_job_logit_2018", "08_leave_profession_logit_2018",
                 "09_extra_time_2018", "09_satisfaction_brant_2018", "10_wave_changes_2017-2018",
                 "11_priorities_core_union_poll", "11_priorities_core_by_role_union_poll", "11_barriers_union_poll",
                 "12_team_indicators_teams", "12_service_indicators_teams"]:
        assert name in ids, name
    figures = {o["id"] for o in run["manifest"]["outputs"] if o["kind"] == "figure"}
    for name in ["02_sample_profile_2018", "03_reliability_2017-2018", "04_hse_benchmark_2018",
                 "04_hse_benchmark_by_sector_2018", "05_stress_ols_2018", "05_stress_ols_diagnostics_2018",
                 "05_stress_moderation_2017", "06_bme_racism_2018", "07_presenteeism_by_stress_2018",
                 "08_leave_odds_ratios_2018", "09_extra_days_by_sector_2018", "10_wave_changes_hse_2017-2018",
                 "11_priorities_core_union_poll", "11_barriers_union_poll",
                 "12_health_check_adult_community_teams"]:
        assert name in figures, name
    out = run["out"]
    for fid in figures:
        for ext in (".png", ".svg", ".json"):
            assert (out / "figures" / f"{fid}{ext}").is_file()
    assert {p.stem for p in (out / "tables").glob("*.csv")} == {o["id"] for o in run["manifest"]["outputs"]
                                                                   if o["kind"] == "table"}


@pytest.mark.slow
def test_figures_from_synthetic_data_carry_the_mark(run):
    figures = [o for o in run["manifest"]["outputs"] if o["kind"] == "figure"]
    assert len(figures) >= 12
    for fig in figures:
        svg = (run["out"] / "figures" / f"{fig['id']}.svg").read_text()
        assert svg.count(SYNTHETIC_MARK) == 1, fig["id"]
        meta = json.loads((run["out"] / "figures" / f"{fig['id']}.json").read_text())
        assert meta["synthetic"] is True and fig["synthetic"] is True
        assert len(meta["alt_text"]) > 60 and meta["alt_text"] == fig["alt_text"]
        assert f"n = {fig['n']:,}" in svg and "wellbeing-survey" in svg
    # Plain English in every figure the run writes: no code (children_families, hse_demands, pss4 ...) that
    # a reader would see or hear, in the drawn text or the SVG's title and description.
    svgs = sorted((run["out"] / "figures").glob("*.svg"))
    assert len(svgs) == len(figures)
    codes = code_names()
    for path in svgs:
        text = "\n".join(html.unescape(t) for t in re.findall(r">([^<>]+)<", path.read_text()))
        found = sorted(c for c in codes if re.search(rf"(?<![A-Za-z0-9_]){re.escape(c)}(?![A-Za-z0-9_])", text))
        assert not found, f"{path.name} shows codes {found}"
    for table in (o for o in run["manifest"]["outputs"] if o["kind"] == "table"):
        assert SYNTHETIC_MARK in (run["out"] / "tables" / f"{table['id']}.md").read_text().splitlines()[0]


def _respondent_values() -> tuple[set, set]:
    ids, texts = set(), set()
    for wave in ("2017", "2018"):
        data = pd.read_csv(SYNTHETIC_DIR / f"wave_{wave}.csv", dtype=str, keep_default_na=False)
        ids |= set(data["respondent_id"])
        if "comments" in data:
            texts |= {t for t in data["comments"] if len(t) > 3}
    from analysis.studies.health_check import load_template

    teams = pd.read_csv(SYNTHETIC_DIR / "health_check_teams.csv", dtype=str, keep_default_na=False)
    for col in load_template().names("text"):
        texts |= {t for t in teams.get(col, []) if len(t) > 12}
    assert len(texts) > 10
    return ids, texts


@pytest.mark.slow
def test_no_table_holds_a_small_cell_or_row_level_data(run):
    ids, texts = _respondent_values()
    threshold = run["manifest"]["disclosure_threshold"]
    assert threshold == DEFAULT_THRESHOLD
    n_largest = max(i["n_read"] for i in run["manifest"]["inputs"])
    tables = sorted((run["out"] / "tables").glob("*.csv"))
    assert len(tables) >= 40
    checked_counts = 0
    for path in tables:
        table = pd.read_csv(path, keep_default_na=True)
        assert not {"respondent_id", "comments"} & set(table.columns), path.name
        assert len(table) < n_largest / 10, f"{path.name} has {len(table)} rows: respondent-level?"
        cells = set(table.astype(str).to_numpy().ravel())
        assert not cells & ids, f"{path.name} holds respondent ids"
        assert not cells & texts, f"{path.name} holds free text"
        answered = ~table.astype(str).isin([NOT_ANSWERED]).any(axis=1)  # missing answers describe no one
        for col in [c for c in count_columns(table) if c not in MISSINGNESS_COUNTS] + [c for c in ("count",) if c in table]:
            x = table.loc[answered, col].astype(float)
            small = x[(x > 0) & (x < threshold)]
            assert small.empty, f"{path.name}: column {col} shows {small.tolist()} (below {threshold})"
            checked_counts += int(x.notna().sum())
        if "n" in table and "suppressed" in table:
            assert_no_small_cells(table.assign(suppressed=table["suppressed"].astype(object).fillna("")), "n",
                                  threshold)
    assert checked_counts > 300
    # Some cells really were suppressed along the way (the synthetic waves have small groups).
    marks = pd.concat([pd.read_csv(p, usecols=lambda c: c == "suppressed") for p in tables], ignore_index=True)
    assert (marks["suppressed"].fillna("") != "").sum() > 0


@pytest.mark.slow
def test_manifest_traces_every_output_to_its_inputs(run):
    m, out = run["manifest"], run["out"]
    assert m["package"] == "wellbeing-survey" and m["synthetic"] is True
    assert m["notebooks"] == EXPECTED
    # What each notebook ran with, paths as file names only.
    assert m["parameters"]["11_union_priorities"]["no_answer"] == "exclude"
    assert m["parameters"]["09_hours_and_satisfaction"]["weeks_per_year"] == 48
    assert m["parameters"]["01_data_and_codebook"]["output_dir"] == out.name
    commit = m["git"]["commit"]
    assert commit is None or re.fullmatch(r"[0-9a-f]{40}", commit)
    if (REPO_DIR / ".git").exists():
        assert commit == subprocess.run(["git", "-C", str(REPO_DIR), "rev-parse", "HEAD"], capture_output=True,
                                        text=True).stdout.strip()
    for item in m["inputs"]:
        assert item["sha256"] == file_sha256(SYNTHETIC_DIR / item["file"]) and item["synthetic"] is True
        if item.get("codebook"):
            assert item["codebook_sha256"] == file_sha256(SYNTHETIC_DIR / item["codebook"])
    waves = [i for i in m["inputs"] if "n_analysable" in i]
    assert {(i["wave"], i["n_read"], i["n_analysable"]) for i in waves} == {("2017", 1600, 1333), ("2018", 3421, 3421)}
    assert {(i["wave"], i["file"], i["n_read"]) for i in m["inputs"] if i not in waves} == {
        ("union_poll", "union_poll.csv", 105), ("teams", "health_check_teams.csv", 24)}
    for o in m["outputs"]:
        assert o["title"] and o["caption"] is not None and o["n"] > 0 and o["waves"]
        assert o["notebook"] in EXPECTED and o["id"].startswith(o["notebook"][:3])
        if o["kind"] == "figure":
            assert o["alt_text"] and len(o["files"]) == 3
        for f in o["files"]:
            assert file_sha256(out / f["path"]) == f["sha256"], f["path"]


@pytest.mark.slow
def test_one_workbook_holds_every_table(run):
    book = openpyxl.load_workbook(run["result"]["workbook"])
    tables = [o for o in run["manifest"]["outputs"] if o["kind"] == "table"]
    assert book.sheetnames[:2] == ["Contents", "Notes"] and len(book.sheetnames) == len(tables) + 2
    first = book[book.sheetnames[0]]
    assert SYNTHETIC_MARK in first["A1"].value
    with zipfile.ZipFile(run["result"]["workbook"]) as z:
        assert {i.date_time for i in z.infolist()} == {FIXED_TIME}
        assert b"2000-01-01T00:00:00Z" in z.read("docProps/core.xml")


@pytest.mark.slow
def test_same_inputs_give_the_same_bytes(run, tmp_path):
    again = run_notebooks({}, tmp_path, ["01", "04", "05"], echo=lambda *_: None)
    first = {(o["kind"], o["id"]): o for o in run["manifest"]["outputs"]}
    second = json.loads(again["manifest"].read_text())["outputs"]
    assert len(second) > 20 and all(first[o["kind"], o["id"]]["files"] == o["files"] for o in second)
    a = run["out"] / "report" / "notebooks" / "04_hse_benchmarks.html"
    b = tmp_path / "report" / "notebooks" / "04_hse_benchmarks.html"
    assert a.read_bytes().replace(run["out"].name.encode(), b"OUT") == b.read_bytes().replace(tmp_path.name.encode(), b"OUT")


# -- failures --------------------------------------------------------------------------------------
@pytest.mark.slow
def test_a_failing_cell_is_named(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 99 broken"),
                                         nbformat.v4.new_code_cell("threshold = 10"),
                                         nbformat.v4.new_code_cell("x = 1"),
                                         nbformat.v4.new_code_cell("y = {}\ny['missing']")])
    nb.cells[1].metadata["tags"] = ["parameters"]
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3", "language": "python"}
    path = tmp_path / "99_broken.ipynb"
    nbformat.write(nb, path)
    with pytest.raises(NotebookFailed) as err:
        execute_notebook(path, {"threshold": 5}, tmp_path / "out" / "99_broken.ipynb")
    text = str(err.value)
    # Cell 5 counting the injected parameters cell; code cell 4.
    assert "notebook 99_broken, cell 5 (code cell 4, starting 'y = {}')" in text
    assert "KeyError: 'missing'" in text and (tmp_path / "out" / "99_broken.ipynb").is_file()


@pytest.mark.slow
def test_command_line_reports_data_problems_before_running_notebooks(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("respondent_id,wave,pss_1,pss_2,pss_3,pss_4\na,1,9,1,1,1\n")
    (tmp_path / "waves.yaml").write_text("waves:\n  - {label: '1', path: bad.csv}\n")
    proc = subprocess.run([sys.executable, "-m", "analysis", "run", "--waves", str(tmp_path / "waves.yaml"),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "[out of range] column 'pss_1'" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


# -- the HTML report in a real browser -------------------------------------------------------------
def _chromium() -> str | None:
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


CHROME_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-extensions", "--no-first-run", "--mute-audio",
                "--allow-file-access-from-files", "--hide-scrollbars"]

_PROBE = """<script>
window.addEventListener('load', () => {
  const images = [...document.images];
  const broken = images.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src').slice(0, 60));
  const mark = document.querySelector('.synthetic-mark');
  let visible = false;
  if (mark) {
    const r = mark.getBoundingClientRect(), st = getComputedStyle(mark);
    visible = r.width > 200 && r.height > 10 && st.visibility === 'visible' && st.display !== 'none'
              && parseFloat(st.opacity) === 1 && r.top >= 0 && r.top < window.innerHeight;
  }
  const probe = document.createElement('pre');
  probe.id = 'probe';
  probe.textContent = JSON.stringify({title: document.title, images: images.length, broken: broken,
    mark: visible, markText: mark ? mark.textContent : '', toc: document.querySelectorAll('nav#toc a').length,
    missingTargets: [...document.querySelectorAll('nav#toc a')].filter(a => !document.getElementById(a.getAttribute('href').slice(1))).length});
  document.body.appendChild(probe);
});
</script>"""


def _probe(chrome: str, page: Path) -> dict:
    probe_page = page.with_name(f"_probe_{page.name}")
    probe_page.write_text(page.read_text().replace("</body>", _PROBE + "</body>"))
    proc = subprocess.run([chrome, *CHROME_FLAGS, "--virtual-time-budget=20000", "--window-size=1280,900",
                           "--dump-dom", probe_page.as_uri()], capture_output=True, text=True, timeout=120)
    probe_page.unlink()
    found = re.search(r'<pre id="probe">(.*?)</pre>', proc.stdout, re.S)
    assert found, f"Chromium rendered nothing for {page.name}: {proc.stderr[-800:]}"
    import html

    return json.loads(html.unescape(found.group(1)))


@pytest.fixture(scope="module")
def chrome():
    path = _chromium()
    if path is None:
        if os.environ.get("WELLBEING_REQUIRE_CHROMIUM") == "1":
            pytest.fail("no Chromium found, though the set-up should have installed it (apt-get install chromium)")
        pytest.skip("no Chromium on this machine (python3 tasks.py test installs Debian's chromium where it can)")
    return path


@pytest.mark.slow
def test_report_renders_with_every_image_and_the_mark(run, chrome, tmp_path):
    index = run["result"]["report"]
    result = _probe(chrome, index)
    figures = [o for o in run["manifest"]["outputs"] if o["kind"] == "figure"]
    assert result["title"] == "Wellbeing survey analysis report"
    assert result["images"] == len(figures) and result["broken"] == []
    assert result["mark"] is True and SYNTHETIC_MARK in result["markText"]
    sections = [n for n in EXPECTED if notebook_placement(nbformat.read(NOTEBOOKS_DIR / f"{n}.ipynb", 4)) == "section"]
    assert result["toc"] == 1 + len(sections) + 5 and result["missingTargets"] == 0  # findings, sections, back matter
    # The mark is visible in pixels too: the top of a screenshot is the mark's orange.
    shot = tmp_path / "index.png"
    subprocess.run([chrome, *CHROME_FLAGS, "--window-size=1280,900", f"--screenshot={shot}", index.as_uri()],
                   capture_output=True, timeout=120)
    import matplotlib.image as mpimg

    pixels = (mpimg.imread(shot)[:40, :, :3] * 255).round().astype(int)
    orange = np.all(np.abs(pixels - np.array([213, 94, 0])) <= 3, axis=-1)
    assert orange.mean() > 0.3
    # Every figure and table is linked from the index.
    text = index.read_text()
    for o in run["manifest"]["outputs"]:
        assert f'id="{o["kind"]}-{o["id"]}"' in text
        for f in o["files"]:
            assert f'href="../{f["path"]}"' in text


# -- what the report says ---------------------------------------------------------------------------
def _text(fragment: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


@pytest.mark.slow
def test_report_opens_with_key_findings_taken_from_the_tables(run):
    from analysis import key_finding_sentences, weighting_sentence

    page = run["result"]["report"].read_text(encoding="utf-8")
    body = page[page.index("<body"):]
    start = body.index('<section id="key-findings">')
    assert start < body.index("<table") and start < body.index("<figure"), "key findings come before any table"
    section = body[start:body.index("</section>", start)]
    items = [_text(i).removesuffix(" Full analysis") for i in re.findall(r"<li>(.*?)</li>", section, re.S)]
    assert 7 <= len(items) <= 9
    numbers = [re.findall(r"\d[\d,.]*", i) for i in items]
    assert all(numbers) and sum("(95% CI " in i for i in items) >= 4
    # Each sentence is the one the key findings table gives, read back from its CSV ...
    csv = next((run["out"] / "tables").glob("13_key_findings_*.csv"))
    table = pd.read_csv(csv, dtype={"wave": str, "from_wave": str, "group": str, "suppressed": str, "band": str})
    assert items[:-1] == [s["text"] for s in key_finding_sentences(table)]
    # ... and the last says whether they are sensitive to weighting (issue 18), from its own table, marked as
    # resting on example margins.
    weighted = pd.read_csv(next((run["out"] / "tables").glob("13_weighting_check_*.csv")), keep_default_na=False,
                           na_values=[""])
    assert items[-1] == weighting_sentence(weighted, brief=True) and "example" in items[-1]
    # ... and its figures are the full analyses' figures: 60% intend to leave (notebook 08's table).
    leave = pd.read_csv(run["out"] / "tables" / "08_intention_by_sector_2018.csv")
    overall = leave[(leave["outcome"] == "intend_leave_job") & (leave["group"] == "All")].iloc[0]
    assert items[0].startswith(f"{100 * overall['estimate']:.0f}% (95% CI {100 * overall['conf_low']:.0f} to ")


@pytest.mark.slow
def test_report_headings_state_findings_and_the_back_matter_is_there(run):
    from analysis import scale_key, without_n

    page = run["result"]["report"].read_text(encoding="utf-8")
    fragments = {f["notebook"]: f for f in (json.loads(p.read_text()) for p in (run["out"] / "provenance").glob("*.json"))}
    for name in EXPECTED:
        placement = notebook_placement(nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", 4))
        if placement != "section":
            continue
        headline = next(st["text"] for st in fragments[name]["statements"] if st["headline"])
        section = page[page.index(f'<section id="{name}">'):]
        heading = _text(re.search(r"<h2>(.*?)</h2>", section).group(1))
        assert heading == without_n(headline).rstrip(".")  # the finding, without its n (under every output)
        assert re.search(r"\d", headline), f"{name}: its heading states no number"
    methods = _text(page[page.index('<section id="methods">'):page.index('<section id="glossary">')])
    for words in ("self-selected", "not causes", "Different people in each wave", "organisations", "p values"):
        assert words in methods, words
    glossary = page[page.index('<section id="glossary">'):page.index('<section id="lists">')]
    assert "PSS-4" in glossary and "Benchmark bands" in glossary
    assert glossary.count("<tr><td>") == len(scale_key())
    assert "fewer demands (better)" in glossary and "more stress (worse)" in glossary
    lists = page[page.index('<section id="lists">'):page.index('<section id="about">')]
    outputs = run["manifest"]["outputs"]
    assert lists.count('href="#figure-') == sum(o["kind"] == "figure" for o in outputs)
    assert lists.count('href="#table-') == sum(o["kind"] == "table" for o in outputs)
    about = _text(page[page.index('<section id="about">'):page.index('<section id="appendix">')])
    assert "modelled on the survey completed in July 2017" in about and "Release" in about
    assert f"version {run['manifest']['package_version']}" in about and "commit" in about
    appendix = page[page.index('<section id="appendix">'):]
    assert all(i["sha256"][:16] in appendix for i in run["manifest"]["inputs"])
    assert '<section id="01_data_and_codebook">' in appendix  # inputs and exclusions at the back


@pytest.mark.slow
def test_briefing_is_an_a4_pdf_of_four_to_eight_pages_with_the_mark(run):
    from pypdf import PdfReader

    pdf = run["result"]["briefing"]
    assert pdf == run["out"] / "report" / "briefing.pdf" and pdf.is_file()
    reader = PdfReader(pdf)
    assert 4 <= len(reader.pages) <= 8
    def words(page):  # the text, with the fi and fl ligatures of the PDF's fonts as letters
        return " ".join(unicodedata.normalize("NFKC", page.extract_text()).split())

    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4, in mm
        assert SYNTHETIC_MARK in words(page)
    first = words(reader.pages[0])
    assert "Key findings" in first and "intend to leave their job" in first
    text = " ".join(words(p) for p in reader.pages)
    assert "Read these numbers with care" in text and "Cite the analysis software as" in text
    assert "self-selected" in text and "Associations, not causes" in text
    assert text.count("Figure ") >= 4
    assert reader.metadata.creation_date.year == 2000  # no clock time: the same run gives the same bytes


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_each_executed_notebook_page_renders(run, chrome, name):
    page = run["out"] / "report" / "notebooks" / f"{name}.html"
    result = _probe(chrome, page)
    assert result["broken"] == [] and result["mark"] is True
    figures = [o for o in run["manifest"]["outputs"] if o["kind"] == "figure" and o["notebook"] == name]
    assert result["images"] == len(figures)
    # Opens offline: no script or stylesheet fetched from elsewhere.
    assert not re.search(r'<(script|link)[^>]+(src|href)="https?://', page.read_text())


@pytest.mark.slow
def test_notebooks_run_on_another_wave_with_a_stricter_threshold(tmp_path):
    # The demo wave has empty returns and scores missing on several scales at once, and a single
    # wave (nothing to compare); threshold 20 must be respected everywhere.
    (tmp_path / "waves.yaml").write_text(f"waves:\n  - {{label: demo, path: {SYNTHETIC_DIR / 'demo_wave.csv'}}}\n")
    out = tmp_path / "out"
    result = run_notebooks({"waves": str(tmp_path / "waves.yaml"), "threshold": 20}, out,
                           ["01", "02", "03", "06", "10"], echo=lambda *_: None)
    manifest = json.loads(result["manifest"].read_text())
    assert manifest["disclosure_threshold"] == 20 and manifest["inputs"][0]["wave"] == "demo"
    for path in sorted((out / "tables").glob("*.csv")):
        table = pd.read_csv(path)
        answered = ~table.astype(str).isin([NOT_ANSWERED]).any(axis=1)  # missing answers describe no one
        for col in [c for c in count_columns(table) if c not in MISSINGNESS_COUNTS]:
            x = table.loc[answered, col].astype(float)
            assert x[(x > 0) & (x < 20)].empty, f"{path.name}: {col}"
    text = (out / "report" / "notebooks" / "10_wave_comparison.html").read_text()
    assert "nothing to compare" in text
