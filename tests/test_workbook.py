"""The Excel workbook (analysis/outputs/tables.py, write_workbook): numbers stored as numbers with
their display format, a contents sheet and a notes sheet, frozen headers, readable unique sheet
names, text that stays text, and the same bytes for the same inputs."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zipfile

import openpyxl
import pandas as pd
import pytest

from analysis.files import FIXED_TIME
from analysis.outputs.tables import (ALL_ROW_NOTE, P_FORMAT, SYNTHETIC_MARK, sheet_names, sheet_record, sheet_table,
                                     table_caption, write_workbook)

_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


def workbook_strings(path) -> list[str]:
    """Every text in a workbook's cells: its shared strings and its inline strings."""
    texts = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            if name == "xl/sharedStrings.xml" or name.startswith("xl/worksheets/sheet"):
                root = ET.fromstring(z.read(name))
                for item in list(root.iter(f"{{{_NS['m']}}}si")) + list(root.iter(f"{{{_NS['m']}}}is")):
                    texts.append("".join(t.text or "" for t in item.iter(f"{{{_NS['m']}}}t")))
    return texts


PREVALENCE = pd.DataFrame({
    "outcome": ["intend_leave_job"] * 3, "group": ["children_families", "adults", "All"],
    "measure": ["share"] * 3, "n": [1905, 1011, 3385], "count": [1183, 575, 2025],
    "estimate": [0.6210, 0.5687, 0.5982], "std_error": [0.0111, 0.0156, 0.0084],
    "conf_low": [0.5988, 0.5380, 0.5816], "conf_high": [0.6426, 0.5988, 0.6146], "suppressed": ["", "", ""]})

MODEL = pd.DataFrame({
    "term": ["(Intercept)", "sector[adults]", "hse_demands"], "estimate": [17.714, -0.1958, -1.1750],
    "std_error": [0.3118, 0.0860, 0.0745], "statistic": [56.82, -2.28, -15.77],
    "p_value": [0.0, 0.0228, 3.7e-54], "conf_low": [17.103, -0.3644, -1.3211], "conf_high": [18.326, -0.0272, -1.0290],
    "beta": [float("nan"), -0.04, -0.2662]})

CHANGES = pd.DataFrame({
    "outcome": ["pss4", "intend_leave_job"], "from_wave": ["2017", "2017"], "to_wave": ["2018", "2018"],
    "measure": ["difference_in_means", "difference_in_shares"], "estimate": [0.6403, 0.06738],
    "conf_low": [0.4550, 0.03574], "conf_high": [0.8256, 0.09903], "df": [2347.14, 1.0],
    "p_value": [1.6e-11, 0.9997], "suppressed": ["", ""]})

LONG = "07_presenteeism_logit_dropped_2018"


def _sheets(synthetic=True):
    def caption(text):
        return table_caption(text, synthetic)

    return [
        {"name": "07_presenteeism_by_sector_2018", "caption": caption("Intention to leave by service area"),
         "source": "wave 2018 (wave_2018.csv); wellbeing-survey 0.2.0", "note": "Wilson intervals.",
         "n": 3421, "table": PREVALENCE},
        {"name": "05_stress_ols_2018", "caption": caption("Stress (PSS-4) regressed on the HSE scales"),
         "source": "wave 2018 (wave_2018.csv); wellbeing-survey 0.2.0", "table": MODEL},
        {"name": "10_wave_changes_2017-2018", "caption": caption("Change from 2017 to 2018"),
         "source": "waves 2017 and 2018; wellbeing-survey 0.2.0", "table": CHANGES},
        {"name": LONG, "caption": caption("Respondents lost to missing data in the presenteeism model"),
         "source": "wave 2018 (wave_2018.csv); wellbeing-survey 0.2.0",
         "table": pd.DataFrame({"variable": ["presenteeism_2plus", "sector"], "n_missing": [46, 34]})},
    ]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = write_workbook(_sheets(), tmp_path_factory.mktemp("book") / "tables.xlsx", threshold=10, version="0.2.0")
    return path, openpyxl.load_workbook(path)


def _body(ws) -> tuple[int, list]:
    """The header row's number and the rows of the table below it."""
    header = int(re.sub(r"\D", "", ws.freeze_panes)) - 1
    rows = list(ws.iter_rows(min_row=header, values_only=False))
    return header, rows


def test_sheets_come_in_order_with_readable_unique_names(book):
    _, wb = book
    assert wb.sheetnames == ["Contents", "Notes", "07_presenteeism_by_sector_2018", "05_stress_ols_2018",
                             "10_wave_changes_2017-2018", "07_presenteeism_logit_dropped"]
    assert all(len(n) <= 31 for n in wb.sheetnames)


def test_sheet_names_prefer_the_short_name_and_stay_unique():
    names = ["11_priorities_associated_union_poll", "11_priorities_core_by_role_union_poll", "11_barriers_union_poll",
             LONG, "07_presenteeism_logit_2018", "Contents", "x" * 40, "x" * 40, "a:b"]
    got = sheet_names(names)
    assert got[:5] == ["11_priorities_associated", "11_priorities_core_by_role", "11_barriers_union_poll",
                       "07_presenteeism_logit_dropped", "07_presenteeism_logit_2018"]
    assert got[5] != "Contents" and got[6] == "x" * 31 and got[7] == "x" * 28 + "~2" and got[8] == "a_b"
    assert len({g.lower() for g in got}) == len(got) and all(len(g) <= 31 for g in got)


def test_numbers_are_stored_as_numbers_with_their_format(book):
    _, wb = book
    ws = wb["07_presenteeism_by_sector_2018"]
    _, rows = _body(ws)
    labels = [c.value for c in rows[0]]
    assert labels == ["Outcome", "Group", "Measure", "n", "Count", "Estimate", "SE", "CI low", "CI high", "Suppressed"]
    first = {label: cell for label, cell in zip(labels, rows[1])}
    assert first["Outcome"].value == "Intend to leave their job" and first["Group"].value == "Children and families"
    for label in ("n", "Count", "Estimate", "SE", "CI low", "CI high"):
        assert first[label].data_type == "n", label
    assert (first["n"].value, first["n"].number_format) == (1905, "#,##0")
    assert (first["Estimate"].value, first["Estimate"].number_format) == (0.6210, "0.0%")  # full precision kept
    assert first["CI low"].number_format == "0.0%" and first["Suppressed"].value is None
    numeric = [c for row in rows[1:] for c in row if isinstance(c.value, (int, float))]
    assert len(numeric) == 3 * 6 and all(c.data_type == "n" for c in numeric)

    ws = wb["05_stress_ols_2018"]
    _, rows = _body(ws)
    cells = {(r[0].value, rows[0][j].value): c for r in rows[1:] for j, c in enumerate(r)}
    assert cells["Intercept", "Term"].data_type == "s" and cells["Service area: Adults", "Term"].value
    assert (cells["Intercept", "p"].value, cells["Intercept", "p"].number_format) == (0.0, P_FORMAT)
    assert cells["Demands", "p"].value == 3.7e-54  # the exact p; the format shows < .001
    assert cells["Demands", "Estimate"].number_format == "#,##0.00"
    assert cells["Demands", "Beta"].number_format == "#.00"  # no leading zero: .27
    assert cells["Intercept", "Beta"].value is None  # missing stays empty, not "nan"

    ws = wb["10_wave_changes_2017-2018"]
    _, rows = _body(ws)
    cells = {(r[0].value, rows[0][j].value): c for r in rows[1:] for j, c in enumerate(r)}
    shares = "Intend to leave their job"
    assert (cells[shares, "Estimate"].value, cells[shares, "Estimate"].number_format) == (
        pytest.approx(6.738), '0.0" pp"')  # percentage points, stored as points
    assert cells[shares, "df"].value == 1 and cells[shares, "df"].number_format == "0"
    assert cells["Perceived stress (PSS-4)", "df"].number_format == "0.00"
    assert cells["Perceived stress (PSS-4)", "From"].value == "2017"  # a wave label stays text
    assert cells[shares, "p"].value == 0.9997


def test_headers_are_frozen_and_columns_sized(book):
    _, wb = book
    for ws in wb.worksheets:
        assert ws.freeze_panes, ws.title
        _, rows = _body(ws)
        assert all(c.font.b for c in rows[0] if c.value is not None), ws.title
    ws = wb["07_presenteeism_by_sector_2018"]
    assert ws.freeze_panes == "A7"  # caption, note, n, source, blank row, header
    widths = {k: d.width for k, d in ws.column_dimensions.items()}
    assert widths["A"] >= len("Intend to leave their job") and widths["B"] >= len("Children and families")


def test_a_table_sheet_carries_caption_note_n_and_source(book):
    _, wb = book
    ws = wb["07_presenteeism_by_sector_2018"]
    assert ws["A1"].value == f"Intention to leave by service area [{SYNTHETIC_MARK}]"
    assert ws["A2"].value == f"Wilson intervals. {ALL_ROW_NOTE}"  # the table has an All row
    assert ws["A3"].value == "n = 3,421" and ws["A4"].value.startswith("Source: wave 2018")
    assert wb["05_stress_ols_2018"]["A2"].value.startswith("Source:")  # no note, no n


def test_contents_sheet_lists_every_table_with_its_full_name_and_a_link(book):
    _, wb = book
    ws = wb["Contents"]
    assert SYNTHETIC_MARK in ws["A1"].value and "0.2.0" in ws["A2"].value
    _, rows = _body(ws)
    assert [c.value for c in rows[0]] == ["Sheet", "Table", "Full name"]
    listed = [[c.value for c in r] for r in rows[1:]]
    assert listed[0][0] == "Notes"
    assert [r[0] for r in listed[1:]] == wb.sheetnames[2:]
    assert listed[-1] == ["07_presenteeism_logit_dropped",
                          f"Respondents lost to missing data in the presenteeism model [{SYNTHETIC_MARK}]", LONG]
    links = [r[0].hyperlink for r in rows[1:]]
    assert [link.location for link in links] == [f"'{n}'!A1" for n in wb.sheetnames[1:]]
    assert all(link.target is None for link in links)  # inside the workbook, no external relationship


def test_notes_sheet_explains_the_tables(book):
    _, wb = book
    ws = wb["Notes"]
    _, rows = _body(ws)
    notes = {r[0].value: r[1].value for r in rows[1:]}
    assert [c.value for c in rows[0]] == ["Topic", "Note"]
    assert next(iter(notes)) == "Synthetic data" and SYNTHETIC_MARK in notes["Synthetic data"]
    assert {"Source", "Package", "Suppression", "Suppressed", "All rows", "(not answered)", "CI low, CI high", "SE",
            "p", "Numbers", "Labels"} <= set(notes)
    assert notes["Package"] == "wellbeing-survey 0.2.0"
    assert "fewer than 10 respondents" in notes["Suppression"] and "secondary" in notes["Suppressed"]
    assert notes["All rows"] == ALL_ROW_NOTE
    sources = [r[1].value for r in rows[1:] if r[0].value == "Source"]
    assert sources == ["wave 2018 (wave_2018.csv); wellbeing-survey 0.2.0",
                       "waves 2017 and 2018; wellbeing-survey 0.2.0"]


def test_no_synthetic_mark_for_real_data(tmp_path):
    path = write_workbook(_sheets(synthetic=False), tmp_path / "real.xlsx", version="0.2.0")
    wb = openpyxl.load_workbook(path)
    assert not any(SYNTHETIC_MARK in s for s in workbook_strings(path))
    notes = {r[0]: r[1] for r in wb["Notes"].iter_rows(min_row=4, values_only=True)}
    assert "Synthetic data" not in notes and "10 unless the report says otherwise" in notes["Suppression"]


def test_same_inputs_give_the_same_bytes(tmp_path):
    a = write_workbook(_sheets(), tmp_path / "a" / "tables.xlsx", threshold=10, version="0.2.0")
    b = write_workbook(_sheets(), tmp_path / "b" / "tables.xlsx", threshold=10, version="0.2.0")
    assert a.read_bytes() == b.read_bytes()
    with zipfile.ZipFile(a) as z:
        assert {i.date_time for i in z.infolist()} == {FIXED_TIME}


def test_a_recorded_sheet_gives_the_same_workbook(tmp_path):
    # What a notebook's session keeps (JSON in its provenance fragment) writes the same workbook.
    recorded = [dict(s, table=json.loads(json.dumps(sheet_record(s["table"])))) for s in _sheets()]
    assert sheet_table(recorded[0]["table"]).equals(PREVALENCE)
    a = write_workbook(_sheets(), tmp_path / "a.xlsx", threshold=10, version="0.2.0")
    b = write_workbook(recorded, tmp_path / "b.xlsx", threshold=10, version="0.2.0")
    assert a.read_bytes() == b.read_bytes()


def test_text_stays_text(tmp_path):
    table = pd.DataFrame({"team": ['=HYPERLINK("http://x","y")', "-team", "#N/A", "-5"], "n": [15, 16, 17, 18]})
    sheets = [{"name": "teams", "caption": "=1+1", "source": "@here", "table": table}]
    path = write_workbook(sheets, tmp_path / "t.xlsx", version="0.2.0")
    with zipfile.ZipFile(path) as z:
        sheets_xml = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in x or b"<f " in x for x in sheets_xml)  # no formula anywhere
    wb = openpyxl.load_workbook(path)
    ws = wb["teams"]
    _, rows = _body(ws)
    cells = [r[0] for r in rows[1:]]
    assert [c.value for c in cells] == list(table["team"]) and all(c.data_type == "s" for c in cells)
    assert cells[0].quotePrefix and cells[1].quotePrefix and not cells[3].quotePrefix
    assert [r[1].value for r in rows[1:]] == [15, 16, 17, 18]
    assert wb["Contents"]["B6"].value == "=1+1" and wb["Contents"]["B6"].data_type == "s"
