"""The canonical data dictionary: what every column of a loaded wave must look like.

Non-instrument columns come from ``analysis/specs/dictionary.yaml``; item columns come from the
instrument files, so a new instrument file adds its columns here with no code change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import yaml

from ..instruments import load_instruments
from ..paths import DICTIONARY_FILE


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
    spec = yaml.safe_load(DICTIONARY_FILE.read_text(encoding="utf-8"))
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
