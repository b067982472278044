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

SYNTHETIC_MARK = "SYNTHETIC DATA - illustrative only"

#: Columns whose values cannot exceed 1 in absolute value (APA: no leading zero).
BOUNDED = ("p_value", "p_adjusted", "r2", "r2_adj", "delta_r2", "alpha", "alpha_ci_low", "alpha_ci_high",
           "omega", "beta", "share", "weakest_item_rest_r", "mcfadden_r2", "nagelkerke_r2", "auc",
           "below_p20", "below_p50", "below_p80", "robust_p", "robust_effect")


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

    p values (columns ending ``p_value``/``p_adjusted``/``_p``) get :func:`format_p`; columns in
    :data:`BOUNDED` lose the leading zero; counts (``n``, ``n_*``, ``k``, ``df`` when whole) are
    whole numbers; everything else gets ``decimals`` places. Suppressed cells (NaN) become "".
    """
    out = table.copy()
    for col in out.columns:
        if not pd.api.types.is_numeric_dtype(out[col].dtype) or pd.api.types.is_bool_dtype(out[col].dtype):
            continue
        x = out[col].astype(float)
        if col in ("p_value", "p_adjusted", "robust_p", "f_p", "p_change") or col.endswith("_p"):
            out[col] = [format_p(v) for v in x]
        elif col == "n" or col.startswith("n_") or col == "k" or (x.dropna() % 1 == 0).all() and col.startswith("df"):
            out[col] = ["" if math.isnan(v) else f"{v:.0f}" for v in x]
        else:
            out[col] = [format_number(v, decimals, col in BOUNDED) for v in x]
    return out


def write_tables(tables: dict, out_dir, *, source: str, synthetic: bool, workbook: str = "tables.xlsx") -> list[Path]:
    """Write tables as CSV and Markdown, plus one Excel workbook with a sheet per table.

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
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    mark = f" [{SYNTHETIC_MARK}]" if synthetic else ""
    for name, (frame, caption) in tables.items():
        csv = out / f"{name}.csv"
        frame.to_csv(csv, index=False, lineterminator="\n", float_format="%.10g")
        md = out / f"{name}.md"
        md.write_text(f"**{caption}**{mark}\n\n{apa_table(frame).to_markdown(index=False, disable_numparse=True)}\n\nSource: {source}\n",
                      encoding="utf-8")
        written += [csv, md]
    book = out / workbook
    with pd.ExcelWriter(book, engine="openpyxl") as xl:
        for name, (frame, caption) in tables.items():
            sheet = name[:31]
            pd.DataFrame({"": [caption + mark, f"Source: {source}"]}).to_excel(
                xl, sheet_name=sheet, index=False, header=False)
            apa_table(frame).to_excel(xl, sheet_name=sheet, index=False, startrow=3)
    written.append(book)
    return written
