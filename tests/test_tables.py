"""APA formatting and the table writer."""

import numpy as np
import openpyxl
import pandas as pd

from analysis.outputs.tables import SYNTHETIC_MARK, apa_table, format_number, format_p, write_tables


def test_apa_p_values():
    assert [format_p(p) for p in (0.00099, 0.001, 0.0456, 0.05, 0.9999)] == ["< .001", ".001", ".046", ".050", "1.000"]


def test_apa_numbers():
    assert format_number(0.0512, 3, bounded=True) == ".051"
    assert format_number(-0.876, bounded=True) == "-.88"
    assert format_number(17.5, 1) == "17.5" and format_number(np.nan) == ""


def test_apa_table_columns():
    t = pd.DataFrame({"term": ["x"], "estimate": [1.23456], "beta": [0.4567], "p_value": [0.0002],
                      "n": [1333.0], "df": [7.0], "r2": [0.30025]})
    got = apa_table(t).iloc[0].to_dict()
    assert got == {"term": "x", "estimate": "1.23", "beta": ".46", "p_value": "< .001", "n": "1333",
                   "df": "7", "r2": ".30"}


def test_write_tables_marks_synthetic_data(tmp_path):
    t = pd.DataFrame({"scale": ["hse_demands"], "mean": [2.5], "p_value": [0.02]})
    files = write_tables({"demo_table": (t, "Table 1. Demo")}, tmp_path, source="wave 2018, wellbeing-survey 0.1.0",
                         synthetic=True)
    assert [f.name for f in files] == ["demo_table.csv", "demo_table.md", "tables.xlsx"]
    md = (tmp_path / "demo_table.md").read_text()
    row = next(line for line in md.splitlines() if "hse_demands" in line)
    assert SYNTHETIC_MARK in md and row.split("|")[2:4] == [" 2.50   ", " .020      "] and "Source: wave 2018" in md
    sheet = openpyxl.load_workbook(tmp_path / "tables.xlsx")["demo_table"]
    assert SYNTHETIC_MARK in sheet["A1"].value and sheet["A5"].value == "hse_demands"
    assert pd.read_csv(tmp_path / "demo_table.csv")["mean"].item() == 2.5  # CSV keeps full precision
