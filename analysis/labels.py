"""Plain-English labels for what readers see: columns, category values, model terms and the
columns of the results tables, from ``analysis/specs/labels.yaml`` and the instrument files.

Figures, Markdown tables, the HTML report and the workbook speak in these labels ("Children and
families", "Managers' support", "Perceived stress (PSS-4)"); CSV files keep the codes, for
machines. :func:`readable` turns a results table into its reader's version. A study's codebook
may give its questionnaire's own wording (``labels:``), which :func:`use_study_labels` puts
before the package's labels.

May import: :mod:`analysis.errors`, :mod:`analysis.paths`, :mod:`analysis.instruments`.
"""

from __future__ import annotations

import re
from functools import lru_cache

import yaml

from .arguments import checked
from .instruments import scale_labels
from .paths import SPECS_DIR

LABELS_FILE = SPECS_DIR / "labels.yaml"

#: Columns of a results table whose values are codes of columns, scales or categories.
CODE_COLUMNS = ("outcome", "scale", "variable", "group", "category", "group_a", "group_b", "predictor", "question")


@lru_cache(maxsize=1)
def _labels() -> dict:
    return yaml.safe_load(LABELS_FILE.read_text(encoding="utf-8"))


#: The study's own wording, from the ``labels:`` section of its codebooks: used before the
#: package's labels. Set by :func:`use_study_labels` (a notebook's ``Session`` does it for its waves).
_STUDY: dict = {"columns": {}, "values": {}}


@checked(labels="mapping")
def use_study_labels(labels: dict | None = None) -> dict:
    """Use a study's own wording for columns and category values, in place of the package's
    labels, until the next call; returns the wording used before (to restore it).

    Parameters
    ----------
    labels : dict, optional
        ``{"columns": {canonical column or scale: text}, "values": {category code: text}}``, as a
        codebook's ``labels:`` section gives it (:attr:`analysis.Wave.metadata` ``["labels"]``);
        None or empty: the package's own labels only.

    Examples
    --------
    >>> before = use_study_labels({"columns": {"sector": "Area of practice"}})
    >>> column_label("sector"), column_label("role")
    ('Area of practice', 'Job role')
    >>> _ = use_study_labels(before)
    >>> column_label("sector")
    'Service area'
    """
    global _STUDY
    before = _STUDY
    labels = labels or {}
    _STUDY = {"columns": dict(labels.get("columns") or {}), "values": dict(labels.get("values") or {})}
    return before


def study_label(code) -> str | None:
    """The study's own wording of a column, scale or category code, or None."""
    code = str(code)
    return _STUDY["columns"].get(code) or _STUDY["values"].get(code)


def column_label(name) -> str:
    """The label of a canonical column, a scale or a derived variable.

    Examples
    --------
    >>> column_label("hse_managers_support"), column_label("intend_leave_job"), column_label("pss4")
    ("Managers' support", 'Intend to leave their job', 'Perceived stress (PSS-4)')
    """
    name = str(name)
    return _STUDY["columns"].get(name) or scale_labels().get(name) or _labels()["columns"].get(name) or name


def value_label(value) -> str:
    """The label of a category value ("children_families" -> "Children and families").

    Examples
    --------
    >>> value_label("children_families"), value_label("Wales"), value_label("bme")
    ('Children and families', 'Wales', 'BME')
    """
    return _STUDY["values"].get(str(value)) or _labels()["values"].get(str(value), str(value))


def term_label(term) -> str:
    """The label of a model term: a column, ``column[level]`` against the first level, an
    interaction ``a:b`` or ``bme_x_scale``, or the intercept.

    Examples
    --------
    >>> term_label("sector[adults]"), term_label("hse_demands:hse_control"), term_label("(Intercept)")
    ('Service area: Adults', 'Demands x Control', 'Intercept')
    >>> term_label("bme_x_hse_role")
    'BME x Role'
    """
    term = str(term)
    if term == "(Intercept)":
        return "Intercept"
    if ":" in term:
        return " x ".join(term_label(part) for part in term.split(":"))
    if term.startswith("bme_x_"):
        return f"BME x {column_label(term[len('bme_x_'):])}"
    found = re.fullmatch(r"(.+)\[(.+)\]", term)
    if found:
        return f"{column_label(found.group(1))}: {value_label(found.group(2))}"
    return column_label(term)


def result_label(column) -> str:
    """The label of a column of a results table (``conf_low`` -> "CI low").

    Examples
    --------
    >>> result_label("adjusted_p_value"), result_label("odds_ratio")
    ('p (adjusted)', 'OR')
    """
    return _labels()["results"].get(str(column), column_label(column))


def measure_label(measure) -> str:
    """What an estimate is, in words (``hedges_g`` -> "Hedges' g")."""
    return _labels()["measures"].get(str(measure), str(measure))


def method_label(test) -> str:
    """The name of a test (``welch_t`` -> "Welch's t")."""
    return _labels()["tests"].get(str(test), str(test))


def cell_label(column, value):
    """A cell as a reader sees it: the label of the code it holds, by the column it is in."""
    if not isinstance(value, str):
        return value
    column = str(column)
    if column == "term":
        return term_label(value)
    if column in ("measure", "robust_measure"):
        return measure_label(value)
    if column in ("test", "robust_test"):
        return method_label(value)
    if column in ("outcome", "scale", "variable", "predictor", "weakest_item"):
        return column_label(value)
    if column in CODE_COLUMNS or column in _labels()["columns"]:
        return value_label(value)
    return value


def readable(table):
    """A copy of a results table for readers: headers and coded cells as labels.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"outcome": ["intend_leave_job"], "group": ["children_families"], "measure": ["share"],
    ...                   "estimate": [0.6], "conf_low": [0.58]})
    >>> readable(t).to_dict("records")
    [{'Outcome': 'Intend to leave their job', 'Group': 'Children and families', 'Measure': 'Share', 'Estimate': 0.6, 'CI low': 0.58}]
    """
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object or str(out[column].dtype) in ("str", "string", "category"):
            out[column] = [cell_label(column, v) for v in out[column]]
    return out.rename(columns=result_label)


def code_names() -> set:
    """Every code a reader must not meet: canonical and derived column names, scale names and
    category values with an underscore or a digit, as they appear in the data.

    Examples
    --------
    >>> {"hse_demands", "children_families", "pss4", "intend_leave_job"} <= code_names()
    True
    """
    labels = _labels()
    names = set(labels["columns"]) | set(scale_labels()) | set(labels["values"])
    return {n for n in names if "_" in n or any(ch.isdigit() for ch in n)}
