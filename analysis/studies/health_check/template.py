"""Write an empty workload health check template for teams to fill in: a CSV (the header row of
field names) and an Excel workbook (the same header on its first sheet, with drop-down lists and
range checks, and a second sheet, "fields", documenting every field). Both are byte-stable."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ...arguments import checked
from ...files import fix_workbook_times, stamp_workbook
from .spec import NUMERIC, load_template

#: File stem used when ``write_template`` is given a folder.
TEMPLATE_STEM = "health_check_template"
#: Rows of the first sheet that get drop-down lists and range checks.
VALIDATED_ROWS = 500

FIELD_COLUMNS = ["name", "prompt", "group", "heading", "label", "unit", "kind", "allowed", "required",
                 "description"]


def fields_table(template=None) -> pd.DataFrame:
    """Every template field, documented: what the "fields" sheet holds.

    Returns
    -------
    DataFrame
        ``name, prompt, group, heading, label, unit, kind, allowed, required, description``;
        ``group`` is the prompt group's label ("Discussion" for the a-m fields), ``allowed`` the
        range or answers accepted, ``required`` "yes" or "".

    Examples
    --------
    >>> t = fields_table().set_index("name")
    >>> int(t.at["vacancies_fte", "prompt"]), t.at["vacancies_fte", "allowed"]
    (1, 'numbers 0-200 (FTE), or blank if not recorded')
    >>> t.loc["next_steps_other", "heading"]
    'm: Other'
    """
    spec = load_template(template)
    groups = {k: v["label"] for k, v in spec.groups.items()} | {"discussion": "Discussion (headings a-m)"}
    rows = [{"name": f.name, "prompt": f.prompt, "group": groups.get(f.group, ""), "heading": f.heading or "",
             "label": f.label, "unit": f.unit, "kind": f.kind, "allowed": f.expected(),
             "required": "yes" if f.required else "", "description": f.description}
            for f in spec.fields.values()]
    table = pd.DataFrame(rows, columns=FIELD_COLUMNS)
    table["prompt"] = table["prompt"].astype("Int64")
    return table


def _targets(path) -> tuple[Path, Path]:
    p = Path(path)
    if p.suffix.lower() in (".csv", ".xlsx"):
        stem = p.with_suffix("")
    else:
        stem = p / TEMPLATE_STEM
    stem.parent.mkdir(parents=True, exist_ok=True)
    return stem.with_suffix(".csv"), stem.with_suffix(".xlsx")


def _validations(ws, spec) -> None:
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    for i, f in enumerate(spec.fields.values(), 1):
        cells = f"{get_column_letter(i)}2:{get_column_letter(i)}{VALIDATED_ROWS + 1}"
        if f.kind == "choice":
            dv = DataValidation(type="list", formula1='"' + ",".join(f.values) + '"', allow_blank=True)
        elif f.kind in NUMERIC:
            dv = DataValidation(type="whole" if f.kind == "integer" else "decimal", operator="between",
                                formula1=f"{f.min:g}", formula2=f"{f.max:g}", allow_blank=True)
        else:
            continue
        dv.error, dv.errorTitle, dv.showErrorMessage = f"{f.name}: {f.expected()}", f.label[:32], True
        dv.add(cells)
        ws.add_data_validation(dv)


@checked(path="path")
def write_template(path=".", *, template=None) -> list[Path]:
    """Write the empty template as CSV and Excel.

    Parameters
    ----------
    path : str or Path
        A folder (files ``health_check_template.csv`` and ``.xlsx`` in it, created if need be), or
        a file name ending ``.csv`` or ``.xlsx`` (both files are written, with that stem).
    template : str or Path, optional
        A template spec (default: the package's ``template.yaml``).

    Returns
    -------
    list of Path
        The CSV (UTF-8, the header row of field names only) and the workbook: sheet
        "health_check" with the same header row, frozen, drop-down lists for yes / no / partly
        answers and range checks on number cells for the first 500 rows; sheet "fields" with
        :func:`fields_table`.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     csv, xlsx = write_template(d)
    ...     header = csv.read_text(encoding="utf-8").splitlines()
    ...     sheets = pd.ExcelFile(xlsx).sheet_names
    >>> header[0].split(",")[:3], len(header), sheets
    (['team', 'service', 'staff_fte_establishment'], 1, ['health_check', 'fields'])
    """
    spec = load_template(template)
    csv, xlsx = _targets(path)
    names = spec.names()
    csv.write_text(",".join(names) + "\n", encoding="utf-8")
    with pd.ExcelWriter(xlsx, engine="openpyxl") as xl:
        pd.DataFrame(columns=names).to_excel(xl, sheet_name="health_check", index=False)
        fields_table(template).to_excel(xl, sheet_name="fields", index=False)
        from openpyxl.utils import get_column_letter

        ws = xl.sheets["health_check"]
        ws.freeze_panes = "C2"
        for i, name in enumerate(names, 1):
            ws.column_dimensions[get_column_letter(i)].width = max(12, min(len(name) + 2, 36))
        _validations(ws, spec)
        doc = xl.sheets["fields"]
        doc.freeze_panes = "B2"
        for letter, width in zip("ABCDEFGHIJ", (30, 8, 28, 34, 34, 16, 8, 44, 9, 90)):
            doc.column_dimensions[letter].width = width
        stamp_workbook(xl.book)
    fix_workbook_times(xlsx)
    return [csv, xlsx]
