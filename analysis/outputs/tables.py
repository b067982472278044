"""Tables fit to cite: APA-style number formatting and one writer for CSV, Markdown and an Excel
workbook (one sheet per table), each table carrying its caption, source line and, for synthetic
data, the "synthetic data - illustrative only" mark.

Formatting is separate from computing: the statistics functions return full-precision numbers;
:func:`apa_table` turns a copy into text for publication.
"""

from __future__ import annotations

import math
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
    frame.to_csv(csv, index=False, lineterminator="\n", float_format="%.10g")
    body = apa_table(frame).to_markdown(index=False, disable_numparse=True)
    extra = f"\n\n{note}" if note else ""
    md.write_text(f"**{table_caption(caption, synthetic)}**\n\n{body}{extra}\n\nSource: {source}\n",
                  encoding="utf-8")
    return [csv, md]


def write_workbook(sheets: list[dict], path) -> Path:
    """One Excel workbook with a sheet per table, byte-stable.

    Parameters
    ----------
    sheets : list of dict
        Each with ``name`` (sheet name; cut to Excel's 31 characters and made unique),
        ``caption`` (as printed), ``source``, optional ``note``, and ``table``: a DataFrame of the
        cells as shown (for example :func:`apa_table` output).
    path : str or Path

    Notes
    -----
    openpyxl stamps the workbook's creation and modification times and the zip entries' times;
    both are set to :data:`analysis.files.FIXED_TIME` so that rerunning gives identical bytes.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    used: set[str] = set()
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for sheet in sheets:
            name, i = sheet["name"][:31], 1
            while name.lower() in used:
                i += 1
                name = f"{sheet['name'][:28]}~{i}"
            used.add(name.lower())
            lines = [sheet["caption"]] + ([sheet["note"]] if sheet.get("note") else []) + [f"Source: {sheet['source']}"]
            pd.DataFrame({"": lines}).to_excel(xl, sheet_name=name, index=False, header=False)
            sheet["table"].to_excel(xl, sheet_name=name, index=False, startrow=len(lines) + 1)
        stamp_workbook(xl.book)
    fix_workbook_times(path)
    return path


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
