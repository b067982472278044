"""Tables fit to cite: APA-style number formatting and one writer for CSV, Markdown and an Excel
workbook (one sheet per table), each table carrying its caption, source line and, for synthetic
data, the "synthetic data - illustrative only" mark.

Formatting is separate from computing: the statistics functions return full-precision numbers;
:func:`apa_table` turns a copy into text for publication.

Labels come from the data and from the user (team and service names, poll and category labels,
wave labels), so every writer treats text as text, never as markup or a formula:

- **CSV** (:func:`write_table`): a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return gets a leading apostrophe (``'=SUM(1)``), as OWASP advises against CSV injection,
  so a spreadsheet opening the file shows it rather than running it. Numbers, negative ones
  included, stay numbers; so does text that is only a number (``-.05``), which no spreadsheet
  can run. Column names follow the same rule.
- **Markdown** (:func:`write_table`): ``&``, ``<`` and ``>`` become ``&amp;``, ``&lt;`` and ``&gt;``
  and ``|`` becomes ``\\|`` in the cells, the column names, the caption, the note and the source
  line, so no raw HTML reaches a Markdown renderer and no label breaks the table.
- **Excel** (:func:`write_workbook`): every text cell is stored as a string, never as a formula
  (openpyxl would store text starting with ``=`` as one) or an error value (``#N/A``); text starting
  with one of the characters above is also marked with Excel's quote prefix, so that editing the
  cell keeps it text.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pandas as pd

from ..files import fix_workbook_times, stamp_workbook

SYNTHETIC_MARK = "SYNTHETIC DATA - illustrative only"

#: Columns whose values cannot exceed 1 in absolute value (APA: no leading zero).
BOUNDED = ("r2", "r2_adj", "beta", "share", "weakest_item_rest_r", "mcfadden_r2", "nagelkerke_r2", "auc",
           "below_p20", "below_p50", "below_p80", "robust_estimate", "shapiro_w")

#: Measures whose estimate and interval cannot exceed 1 in absolute value (the ``measure`` column says
#: what a row's ``estimate`` is; see :mod:`analysis.stats.results`).
BOUNDED_MEASURES = ("share", "difference_in_shares", "cronbach_alpha", "mcdonald_omega", "r2_change", "cramers_v",
                    "omega_squared", "rank_biserial", "probability", "average_marginal_effect")

#: The columns that carry a row's estimate (formatted by the row's ``measure``).
ESTIMATE_COLUMNS = ("estimate", "std_error", "conf_low", "conf_high")

#: Columns shown as whole numbers when every value is whole (counts, points, ranks).
WHOLE = ("rank", "count", "points", "max_points")

#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Text that is only a number (as apa_table writes them) cannot carry a formula.
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")

# Excel forbids these in sheet names (openpyxl raises on them).
_SHEET_FORBIDDEN = re.compile(r"[\\/*?:\[\]]")


def starts_like_formula(text) -> bool:
    """Whether a spreadsheet could read this text as a formula: it starts with one of
    :data:`FORMULA_STARTS` and is not just a number.

    Examples
    --------
    >>> [starts_like_formula(t) for t in ("=SUM(1)", "@x", "-.05", "-1e-3", "team A", 3)]
    [True, True, False, False, False, False]
    """
    return isinstance(text, str) and text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.match(text)


def csv_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells and column names cannot run as formulas in a spreadsheet: those
    that :func:`starts_like_formula` get a leading apostrophe; numbers are left alone.

    Examples
    --------
    >>> t = pd.DataFrame({"team": ["=SUM(A1)", "@SUM(1)", "North"], "change": [-1.5, 2.0, 0.0]})
    >>> csv_safe(t).values.tolist()
    [["'=SUM(A1)", -1.5], ["'@SUM(1)", 2.0], ['North', 0.0]]
    """
    def safe(value):
        return "'" + value if starts_like_formula(value) else value

    out = frame.copy()
    for col in out.columns:
        if not (pd.api.types.is_numeric_dtype(out[col].dtype) or pd.api.types.is_bool_dtype(out[col].dtype)
                or pd.api.types.is_datetime64_any_dtype(out[col].dtype)):
            out[col] = out[col].astype(object).map(safe)
    return out.rename(columns=safe)


def markdown_text(text) -> str:
    r"""Text for a Markdown table or paragraph: ``&``, ``<``, ``>`` as HTML entities and ``|``
    escaped, so that neither raw HTML nor a stray column reaches the renderer.

    Examples
    --------
    >>> print(markdown_text('<script>alert(1)</script> | A&B'))
    &lt;script&gt;alert(1)&lt;/script&gt; \| A&amp;B
    """
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("|", "\\|")


def format_p(p: float) -> str:
    """APA p value: three decimals, no leading zero, ``< .001`` below that.

    Examples
    --------
    >>> format_p(0.0004), format_p(0.0123), format_p(0.5), format_p(float("nan"))
    ('< .001', '.012', '.500', '')
    """
    if p is None or (isinstance(p, float) and math.isnan(p)):
        return ""
    if p < 0.001:
        return "< .001"
    return f"{p:.3f}".replace("0.", ".", 1)


def format_number(x: float, decimals: int = 2, bounded: bool = False) -> str:
    """A number with fixed decimals; no leading zero when ``bounded`` (|x| cannot exceed 1);
    a true minus sign is not used, so the text stays plain ASCII for CSV users.

    Examples
    --------
    >>> format_number(0.8731, bounded=True), format_number(-0.05, bounded=True), format_number(12.3456)
    ('.87', '-.05', '12.35')
    """
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    text = f"{x:.{decimals}f}"
    if bounded:
        text = text.replace("0.", ".", 1)
    return text


def apa_table(table: pd.DataFrame, decimals: int = 2) -> pd.DataFrame:
    """Format every numeric column of a results table as APA text.

    p values (``p_value`` and columns ending ``_p_value``, as the results schema names them) get
    :func:`format_p`; columns in :data:`BOUNDED`, and the estimate columns of rows whose
    ``measure`` is in :data:`BOUNDED_MEASURES`, lose the leading zero; counts (``n``, ``n_*``,
    ``k``, ``df`` when whole) are whole numbers; everything else gets ``decimals`` places.
    Suppressed cells (NaN) become "".

    Examples
    --------
    >>> t = pd.DataFrame({"measure": ["share", "mean"], "n": [120.0, 118.0], "estimate": [0.4213, 7.8112],
    ...                   "p_value": [0.0004, 0.0213]})
    >>> apa_table(t).values.tolist()
    [['share', '120', '.42', '< .001'], ['mean', '118', '7.81', '.021']]
    """
    out = table.copy()
    bounded_rows = (out["measure"].isin(BOUNDED_MEASURES).to_numpy() if "measure" in out.columns
                    else pd.Series(False, index=out.index).to_numpy())
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col].dtype) or pd.api.types.is_bool_dtype(out[col].dtype):
            continue
        x = out[col].astype(float)
        if col == "p_value" or str(col).endswith("_p_value"):
            out[col] = [format_p(v) for v in x]
        elif col in ESTIMATE_COLUMNS:
            out[col] = [format_number(v, decimals, b) for v, b in zip(x, bounded_rows)]
        elif (col == "n" or col.startswith("n_") or col == "k"
              or (x.dropna() % 1 == 0).all() and (col.startswith("df") or col in WHOLE)):
            out[col] = ["" if math.isnan(v) else f"{v:.0f}" for v in x]
        else:
            out[col] = [format_number(v, decimals, col in BOUNDED) for v in x]
    return out


def table_caption(caption: str, synthetic: bool) -> str:
    """The caption as printed: with :data:`SYNTHETIC_MARK` appended for synthetic data."""
    return f"{caption} [{SYNTHETIC_MARK}]" if synthetic else caption


def write_table(name: str, frame: pd.DataFrame, caption: str, out_dir, *, source: str, synthetic: bool,
                note: str = "") -> list[Path]:
    """Write one table as ``<name>.csv`` (full precision) and ``<name>.md`` (APA text with
    caption, optional note, source line and, for synthetic data, the mark).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> t = pd.DataFrame({"scale": ["demands"], "alpha": [0.8512]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     files = write_table("t1", t, "Table 1", d, source="demo", synthetic=True)
    ...     print(files[1].read_text().splitlines()[0])
    **Table 1 [SYNTHETIC DATA - illustrative only]**
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    csv, md = out / f"{name}.csv", out / f"{name}.md"
    csv_safe(frame).to_csv(csv, index=False, lineterminator="\n", float_format="%.10g")
    shown = apa_table(frame)
    shown = shown.astype(object).where(shown.notna(), "").map(markdown_text).rename(columns=markdown_text)
    body = shown.to_markdown(index=False, disable_numparse=True)
    extra = f"\n\n{markdown_text(note)}" if note else ""
    md.write_text(f"**{markdown_text(table_caption(caption, synthetic))}**\n\n{body}{extra}\n\n"
                  f"Source: {markdown_text(source)}\n", encoding="utf-8")
    return [csv, md]


def write_workbook(sheets: list[dict], path) -> Path:
    """One Excel workbook with a sheet per table, byte-stable.

    Parameters
    ----------
    sheets : list of dict
        Each with ``name`` (sheet name; cut to Excel's 31 characters and made unique),
        ``caption`` (as printed), ``source``, optional ``note``, and ``table``: a DataFrame of the
        cells as shown (for example :func:`apa_table` output). Characters Excel forbids in a
        sheet name (``\\ / * ? : [ ]``) become ``_``.
    path : str or Path

    Notes
    -----
    Every text cell is written as a string (see the module docstring): none becomes a formula.

    openpyxl stamps the workbook's creation and modification times and the zip entries' times;
    both are set to :data:`analysis.files.FIXED_TIME` so that rerunning gives identical bytes.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for sheet in sheets:
            base = _SHEET_FORBIDDEN.sub("_", str(sheet["name"]))
            name, i = base[:31], 1
            while name.lower() in used:
                i += 1
                name = f"{base[:28]}~{i}"
            used.add(name.lower())
            lines = [sheet["caption"]] + ([sheet["note"]] if sheet.get("note") else []) + [f"Source: {sheet['source']}"]
            pd.DataFrame({"": lines}).to_excel(xl, sheet_name=name, index=False, header=False)
            sheet["table"].to_excel(xl, sheet_name=name, index=False, startrow=len(lines) + 1)
        for ws in xl.book.worksheets:
            _text_stays_text(ws)
        stamp_workbook(xl.book)
    fix_workbook_times(path)
    return path


def _text_stays_text(ws) -> None:
    """Store every text cell of an openpyxl sheet as a string: openpyxl makes text starting with
    ``=`` a formula and ``#N/A`` an error value; text that :func:`starts_like_formula` also gets
    Excel's quote prefix, which keeps it text when someone edits the cell."""
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                if cell.data_type != "s":
                    cell.data_type = "s"
                if starts_like_formula(cell.value):
                    cell.quotePrefix = True


def write_tables(tables: dict, out_dir, *, source: str, synthetic: bool, workbook: str = "tables.xlsx") -> list[Path]:
    """Write tables as CSV and Markdown (:func:`write_table`), plus one Excel workbook with a
    sheet per table (:func:`write_workbook`).

    Parameters
    ----------
    tables : dict
        Name -> (DataFrame, caption). Names become file and sheet names.
    source : str
        Source line (wave, package version), printed under every table.
    synthetic : bool
        Adds :data:`SYNTHETIC_MARK` to every caption.

    Returns
    -------
    list of Path
        Files written, in order.
    """
    written = []
    for name, (frame, caption) in tables.items():
        written += write_table(name, frame, caption, out_dir, source=source, synthetic=synthetic)
    sheets = [{"name": name, "caption": table_caption(caption, synthetic), "source": source,
               "table": apa_table(frame)} for name, (frame, caption) in tables.items()]
    written.append(write_workbook(sheets, Path(out_dir) / workbook))
    return written
