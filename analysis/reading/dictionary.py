"""The canonical data dictionary: what every column of a loaded wave must look like.

Non-instrument columns come from ``analysis/specs/dictionary.yaml``; item columns come from the
instrument files, so a new instrument file adds its columns here with no code change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from ..instruments import load_instruments
from ..arguments import checked, did_you_mean
from ..errors import fail
from ..paths import DICTIONARY_FILE
from ..specs import read_bundled_yaml


@dataclass(frozen=True)
class ColumnSpec:
    """What one canonical column holds.

    Attributes
    ----------
    name : str
    kind : {"id", "label", "code", "number", "category", "text"}
        ``code`` = whole numbers in [min, max]; ``number`` = any number in [min, max].
    min, max : float or None
    labels : dict
        Code -> answer label (for ``code`` columns), used to read exports that hold labels.
    values : tuple of str
        Allowed values of a ``category`` column, in display order.
    instrument : str or None
        The instrument an item column belongs to.
    description : str
    """

    name: str
    kind: str
    min: float | None = None
    max: float | None = None
    labels: dict = field(default_factory=dict)
    values: tuple = ()
    instrument: str | None = None
    description: str = ""

    def expected(self) -> str:
        """Say in words what the column accepts (for error messages)."""
        if self.kind == "code":
            text = f"whole numbers {self.min:g}-{self.max:g}"
            if self.labels:
                text += " (" + ", ".join(f"{k} {v}" for k, v in self.labels.items()) + ")"
            return text
        if self.kind == "number":
            return f"numbers from {self.min:g} to {self.max:g}"
        if self.kind == "category":
            return "one of " + ", ".join(self.values)
        return {"id": "a non-empty identifier", "label": "a wave label", "text": "free text"}[self.kind]


@dataclass(frozen=True)
class Dictionary:
    """The canonical columns (dictionary entries plus every instrument's items)."""

    columns: dict
    required: tuple
    instruments: tuple

    def __contains__(self, name: str) -> bool:
        return name in self.columns

    def __getitem__(self, name: str) -> ColumnSpec:
        return self.columns[name]

    def order(self, names) -> list[str]:
        """Sort column names into dictionary order (identity, instruments, the rest)."""
        rank = {c: i for i, c in enumerate(self.columns)}
        return sorted(names, key=lambda c: rank.get(c, len(rank)))


@lru_cache(maxsize=4)
def load_dictionary(instruments_dir: str | None = None) -> Dictionary:
    """Return the canonical data dictionary.

    Parameters
    ----------
    instruments_dir : str, optional
        Folder of instrument YAML files (default: the package's own).

    Examples
    --------
    >>> d = load_dictionary()
    >>> d["hse_03"].kind, d["hse_03"].min, d["hse_03"].max
    ('code', 1, 5)
    >>> d["sector"].values[0]
    'children_families'
    """
    spec = read_bundled_yaml(DICTIONARY_FILE)
    instruments = load_instruments(instruments_dir)
    cols: dict[str, ColumnSpec] = {}
    entries = spec["columns"]
    for name in ("respondent_id", "wave"):
        cols[name] = _spec(name, entries[name])
    for inst in instruments:
        for item in inst.items:
            cols[item] = ColumnSpec(
                name=item,
                kind="code",
                min=inst.answer_min,
                max=inst.answer_max,
                labels=inst.answer_labels[item],
                instrument=inst.id,
                description=f"{inst.short_name} item {inst.item_numbers[item]}: {inst.item_labels[item]}",
            )
    for name, entry in entries.items():
        if name not in cols:
            cols[name] = _spec(name, entry)
    return Dictionary(columns=cols, required=tuple(spec["required"]), instruments=instruments)


def _spec(name: str, entry: dict) -> ColumnSpec:
    return ColumnSpec(
        name=name,
        kind=entry["kind"],
        min=entry.get("min"),
        max=entry.get("max"),
        labels={int(k): str(v) for k, v in entry.get("labels", {}).items()},
        values=tuple(str(v) for v in entry.get("values", ())),
        description=entry.get("description", ""),
    )


#: The columns of :func:`dictionary_table`, in order.
TABLE_COLUMNS = ("column", "kind", "instrument", "required", "allowed", "description")


@checked(instruments="names")
def dictionary_table(instruments=None):
    """Every canonical column as one row: its kind, the values it accepts, whether it is required.

    Parameters
    ----------
    instruments : str or sequence of str, optional
        Instrument ids (as in ``analysis/specs/instruments/*.yaml``, e.g. ``"pss4"``). When given,
        only those instruments' item columns are listed; by default every canonical column is.

    Returns
    -------
    pandas.DataFrame
        One row per column, in dictionary order (identity, instrument items, the rest), with columns

        - ``column``: the canonical column name.
        - ``kind``: ``id``, ``label``, ``code``, ``number``, ``category`` or ``text`` (see
          :class:`ColumnSpec`).
        - ``instrument``: the instrument id of an item column; missing for the other columns.
        - ``required``: True when every wave must have the column.
        - ``allowed``: the values the column accepts, in words (answer codes with their labels,
          the categories, or the numeric range), as :meth:`ColumnSpec.expected` says them.
        - ``description``: what the column holds; for an item, the instrument, the item number
          and our own short label (never the questionnaire's wording), and whether it is
          reverse-scored.

    Raises
    ------
    SurveyDataError
        When an instrument id is not one of the package's instruments.

    Examples
    --------
    >>> t = dictionary_table().set_index("column")
    >>> t.loc["hours_actual", "kind"], t.loc["hours_actual", "allowed"], bool(t.loc["wave", "required"])
    ('number', 'numbers from 0 to 100', True)
    >>> dictionary_table("pss4")[["column", "allowed"]].iloc[1].tolist()
    ['pss_2', 'whole numbers 0-4 (0 Never, 1 Almost never, 2 Sometimes, 3 Fairly often, 4 Very often)']
    """
    import pandas as pd

    d = load_dictionary()
    known = [inst.id for inst in d.instruments]
    chosen = None
    if instruments is not None:
        chosen = [instruments] if isinstance(instruments, str) else list(instruments)
        unknown = [i for i in chosen if i not in known]
        if unknown:
            fail("unknown instrument", f"no instrument {unknown[0]!r}{did_you_mean(unknown[0], known)}",
                 f"use one of {', '.join(known)}", source="dictionary_table()")
    reverse = {item for inst in d.instruments for item in inst.reverse}
    rows = []
    for name, spec in d.columns.items():
        if chosen is not None and spec.instrument not in chosen:
            continue
        description = spec.description + ("; reverse-scored" if name in reverse else "")
        rows.append((name, spec.kind, spec.instrument, name in d.required, spec.expected(), description))
    return pd.DataFrame(rows, columns=list(TABLE_COLUMNS))


def format_dictionary(table, fmt: str = "text", *, width: int = 100) -> str:
    """Write a :func:`dictionary_table` as text for a terminal, Markdown or CSV.

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`dictionary_table` (or some of its rows).
    fmt : {"text", "markdown", "csv"}
        ``text``: aligned columns, the description and allowed values wrapped to ``width``;
        ``markdown``: a Markdown document with one table (``docs/dictionary.md`` is this output
        for every column); ``csv``: the table as it is.
    width : int
        Line width of the ``text`` format.

    Returns
    -------
    str
        The text, ending in a newline.

    Examples
    --------
    >>> print(format_dictionary(dictionary_table().head(2), width=72), end="")
    column         kind   required  description / allowed values
    -------------  -----  --------  ----------------------------------------
    respondent_id  id     yes       respondent identifier, unique within a
                                    wave
                                    values: a non-empty identifier
    wave           label  yes       survey wave, e.g. 2017 or 2018
                                    values: a wave label
    """
    if fmt == "csv":
        return table.to_csv(index=False, lineterminator="\n")
    if fmt == "markdown":
        return _markdown(table)
    if fmt != "text":
        raise ValueError(f"unknown format {fmt!r}; use text, markdown or csv")
    import textwrap

    name_w = max([len("column")] + [len(c) for c in table["column"]])
    kind_w = max([len("kind")] + [len(k) for k in table["kind"]])
    indent = " " * (name_w + kind_w + len("required") + 6)
    wrap = max(width - len(indent), 30)
    lines = [f"{'column':<{name_w}}  {'kind':<{kind_w}}  required  description / allowed values",
             f"{'-' * name_w}  {'-' * kind_w}  --------  {'-' * wrap}"]
    for row in table.itertuples(index=False):
        text = [line for part in (row.description, "values: " + row.allowed)
                for line in textwrap.wrap(part, wrap, break_on_hyphens=False)]
        head = f"{row.column:<{name_w}}  {row.kind:<{kind_w}}  {'yes' if row.required else 'no':<8}  "
        lines.append(head + text[0])
        lines += [indent + more for more in text[1:]]
    return "\n".join(lines) + "\n"


def _markdown(table) -> str:
    def cell(value) -> str:
        return "" if value is None or value != value else str(value).replace("|", "\\|")

    lines = [
        "<!-- Generated, do not edit: regenerate with `python -m analysis dictionary --format markdown > "
        "docs/dictionary.md` (from analysis/specs/dictionary.yaml and analysis/specs/instruments/*.yaml). -->",
        "# Data dictionary",
        "",
        "Every column of a wave in the canonical format: what kind of value it holds, the values it",
        "accepts and whether every wave must have it. Item columns hold the answers as ticked, before any",
        "reverse scoring; a wave may lack whole instruments. Where the facts come from:",
        "[sources.md](sources.md#data-dictionary).",
        "",
        "| column | kind | instrument | required | allowed values | description |",
        "|---|---|---|---|---|---|",
    ]
    for row in table.itertuples(index=False):
        lines.append(f"| `{row.column}` | {row.kind} | {cell(row.instrument)} | {'yes' if row.required else 'no'} "
                     f"| {cell(row.allowed)} | {cell(row.description)} |")
    return "\n".join(lines) + "\n"
