"""Instruments as data: read the YAML files in ``analysis/specs/instruments/``.

Each file describes one questionnaire: its items, answer range and labels, reverse-keyed items,
scales (which items, how a score is formed: mean, sum or a look-up table) and the default
missing-answer rule, with its source. Adding an instrument means adding a file; no code changes.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from .arguments import checked
from .errors import CodebookError, Problem
from .paths import INSTRUMENT_SCHEMA_FILE, INSTRUMENTS_DIR
from .specs import check_against_schema, is_bundled, read_bundled_yaml


@dataclass(frozen=True)
class Scale:
    """One scale (or subscale) of an instrument.

    Attributes
    ----------
    name : str
        Output column name, e.g. ``"hse_demands"``.
    label : str
        Short human label, e.g. ``"Demands"``.
    items : tuple of str
        Item columns, e.g. ``("hse_03", "hse_06", ...)``.
    score : {"mean", "sum", "lookup"}
        How the score is formed from the keyed items.
    lookup_from : str or None
        For ``score="lookup"``: the sum scale whose (rounded) total is looked up.
    lookup : dict or None
        For ``score="lookup"``: raw total -> converted score.
    higher : str
        What a higher score means, in words ("fewer demands (better)", "more stress").
    """

    name: str
    label: str
    items: tuple[str, ...]
    score: str
    lookup_from: str | None = None
    lookup: dict | None = None
    higher: str = ""


@dataclass(frozen=True)
class Instrument:
    """A questionnaire described by a YAML file (see ``analysis/specs/instruments/*.yaml``).

    Attributes
    ----------
    id, name, short_name, source, confidence : str
        Identity and provenance.
    items : tuple of str
        Item columns in item-number order.
    item_numbers : dict
        Item column -> item number as on the official form.
    answer_min, answer_max : int
        The answer range (raw answers, before keying).
    answer_labels : dict
        Item column -> {code: label} for the answer options.
    item_labels : dict
        Item column -> short label of our own (never the copyrighted wording).
    reverse : tuple of str
        Reverse-keyed item columns, scored as ``answer_min + answer_max - answer``.
    scales : tuple of Scale
    min_answered : float
        Default missing-answer rule: share of a scale's items (rounded up) that must be answered.
    keying_checks : tuple of (str, str)
        Scale pairs expected to correlate positively after keying.
    """

    id: str
    name: str
    short_name: str
    source: str
    confidence: str
    items: tuple[str, ...]
    item_numbers: dict
    answer_min: int
    answer_max: int
    answer_labels: dict
    item_labels: dict
    reverse: tuple[str, ...]
    scales: tuple[Scale, ...]
    min_answered: float
    keying_checks: tuple = field(default=())

    def scale(self, name: str) -> Scale:
        """Return the scale called ``name``."""
        for s in self.scales:
            if s.name == name:
                return s
        close = difflib.get_close_matches(str(name), [s.name for s in self.scales], n=1)
        raise CodebookError([Problem("unknown scale", None, f"instrument {self.id} has no scale {name!r}"
                                     + (f"; did you mean {close[0]!r}?" if close else ""),
                                     f"use one of {[s.name for s in self.scales]}", place="")],
                            source="instruments", outcome="nothing was computed")


def _problem(source: str, message: str, fix: str) -> CodebookError:
    return CodebookError([Problem("bad instrument file", None, message, fix)], source=source)


def parse_instrument(spec: dict, source: str = "instrument") -> Instrument:
    """Build an :class:`Instrument` from its parsed YAML mapping, checking it on the way.

    Examples
    --------
    >>> import yaml
    >>> from analysis.paths import INSTRUMENTS_DIR
    >>> spec = yaml.safe_load((INSTRUMENTS_DIR / "pss4.yaml").read_text())
    >>> parse_instrument(spec).reverse
    ('pss_2', 'pss_3')
    """
    check_against_schema(spec, INSTRUMENT_SCHEMA_FILE, source, "bad instrument file")
    return _build_instrument(spec, source)


def _build_instrument(spec: dict, source: str) -> Instrument:
    """:func:`parse_instrument` without the schema check (for the package's own files, which the
    test suite checks against the schema)."""
    pattern = spec["item_column"]
    numbers = sorted(int(n) for n in spec["items"])
    column = {n: pattern.format(number=n) for n in numbers}
    sets = spec.get("answer_sets", {})
    answer_labels, item_labels = {}, {}
    for n in numbers:
        set_name, short = spec["items"][n] if n in spec["items"] else spec["items"][str(n)]
        if set_name not in sets:
            raise _problem(source, f"item {n} uses answer set {set_name!r}, which is not defined",
                           "add it under answer_sets")
        answer_labels[column[n]] = {int(k): str(v) for k, v in sets[set_name].items()}
        item_labels[column[n]] = short
    lo, hi = spec["answers"]["min"], spec["answers"]["max"]
    for col, labels in answer_labels.items():
        if set(labels) != set(range(lo, hi + 1)):
            raise _problem(source, f"answer labels of {col} do not cover {lo}..{hi}",
                           "give one label per answer code")

    def cols(nums, where):
        unknown = sorted(set(nums) - set(numbers))
        if unknown:
            raise _problem(source, f"{where} names item(s) {unknown}, not among the items",
                           "list the item under items:")
        return tuple(column[n] for n in nums)

    reverse = cols(spec["reverse"], "reverse")
    scales = []
    names = set(spec["scales"])
    for name, s in spec["scales"].items():
        if s["score"] == "lookup":
            if s.get("lookup_from") not in names or not s.get("lookup"):
                raise _problem(source, f"scale {name} is a look-up but lookup_from/lookup is missing",
                               "name the sum scale to convert (lookup_from) and give the table (lookup)")
        scales.append(
            Scale(
                name=name,
                label=s["label"],
                items=cols(s["items"], f"scale {name}"),
                score=s["score"],
                lookup_from=s.get("lookup_from"),
                lookup={int(k): float(v) for k, v in s["lookup"].items()} if s.get("lookup") else None,
                higher=s.get("higher", ""),
            )
        )
    for pair in spec.get("keying_checks", []):
        if not set(pair) <= names:
            raise _problem(source, f"keying check {pair} names an unknown scale", "use scale names")
    return Instrument(
        id=spec["id"],
        name=spec["name"],
        short_name=spec.get("short_name", spec["name"]),
        source=" ".join(spec["source"].split()),
        confidence=spec.get("confidence", "verify"),
        items=tuple(column[n] for n in numbers),
        item_numbers={column[n]: n for n in numbers},
        answer_min=lo,
        answer_max=hi,
        answer_labels=answer_labels,
        item_labels=item_labels,
        reverse=reverse,
        scales=tuple(scales),
        min_answered=float(spec["missing_rule"]["min_answered"]),
        keying_checks=tuple(tuple(p) for p in spec.get("keying_checks", [])),
    )


@lru_cache(maxsize=8)
def _load_dir(directory: str) -> tuple[Instrument, ...]:
    out = []
    # The package's own files are checked against the schema by the tests
    # (tests/test_fast_reader.py::test_every_bundled_spec_file_passes_its_schema) and parsed with
    # libyaml; a folder of the user's is checked on every load, and parsed as it always was.
    bundled = is_bundled(directory)
    for path in sorted(Path(directory).glob("*.yaml")):
        if bundled:
            out.append(_build_instrument(read_bundled_yaml(path), str(path)))
        else:
            out.append(parse_instrument(yaml.safe_load(path.read_text(encoding="utf-8")), source=str(path)))
    ids = [i.id for i in out]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise _problem(directory, f"instrument id(s) {sorted(dupes)} defined twice", "give each file its own id")
    cols = [c for i in out for c in i.items]
    clash = {c for c in cols if cols.count(c) > 1}
    if clash:
        raise _problem(directory, f"item columns {sorted(clash)} belong to two instruments",
                       "give each instrument its own item_column pattern")
    return tuple(out)


@checked(directory="path")
def load_instruments(directory: str | Path | None = None) -> tuple[Instrument, ...]:
    """Return every instrument described in ``directory`` (default: the package's own).

    Parameters
    ----------
    directory : str or Path, optional
        A folder of instrument YAML files. Defaults to ``analysis/instruments``.

    Returns
    -------
    tuple of Instrument
        Sorted by file name.

    Examples
    --------
    >>> [i.id for i in load_instruments()]
    ['hse_mit', 'pss4', 'swemwbs', 'uwes9', 'wrqol']
    """
    return _load_dir(str(Path(directory or INSTRUMENTS_DIR).resolve()))


def instrument(instrument_id: str, directory: str | Path | None = None) -> Instrument:
    """The instrument with this id (``"hse_mit"``, ``"pss4"`` ...).

    Examples
    --------
    >>> instrument("pss4").name
    'Perceived Stress Scale (4-item)'
    """
    found = {i.id: i for i in load_instruments(directory)}
    if instrument_id not in found:
        close = difflib.get_close_matches(str(instrument_id), list(found), n=1)
        raise CodebookError([Problem("unknown instrument", None,
                                     f"no instrument {instrument_id!r}" + (f"; did you mean {close[0]!r}?" if close else ""),
                                     f"use one of {sorted(found)}, or add its YAML file to {INSTRUMENTS_DIR.name}/",
                                     place="")], source="instruments", outcome="nothing was computed")
    return found[instrument_id]


@checked(instrument_id="text")
def scale_names(instrument_id: str) -> list[str]:
    """The scale columns of an instrument, in the order of its file (total scales included).

    Examples
    --------
    >>> scale_names("hse_mit")
    ['hse_demands', 'hse_control', 'hse_managers_support', 'hse_peer_support', 'hse_relationships', 'hse_role', 'hse_change']
    """
    return [s.name for s in instrument(instrument_id).scales]


@checked(directory="path")
def scale_labels(directory: str | Path | None = None) -> dict:
    """Scale column -> its label in the instrument file, for every instrument.

    Examples
    --------
    >>> scale_labels()["hse_managers_support"]
    "Managers' support"
    """
    return {s.name: s.label for i in load_instruments(directory) for s in i.scales}


@checked(directory="path")
def scale_key(directory: str | Path | None = None):
    """Every scale of every instrument with its range and what a higher score means: the key a
    reader needs beside any table of scores (the report prints it).

    Returns
    -------
    DataFrame
        ``instrument, scale, label, low, high, higher``: the score's range (a mean runs over the
        answer range, a sum over k times it, a look-up over its table's values).

    Examples
    --------
    >>> key = scale_key().set_index("scale")
    >>> key.loc["hse_demands", "higher"], key.loc["pss4", ["low", "high"]].tolist()
    ('fewer demands (better)', [0.0, 16.0])
    """
    import pandas as pd

    rows = []
    for inst in load_instruments(directory):
        for sc in inst.scales:
            k = len(sc.items)
            if sc.score == "lookup":
                low, high = min(sc.lookup.values()), max(sc.lookup.values())
            elif sc.score == "sum":
                low, high = k * inst.answer_min, k * inst.answer_max
            else:
                low, high = inst.answer_min, inst.answer_max
            rows.append({"instrument": inst.short_name or inst.name, "scale": sc.name, "label": sc.label,
                         "low": float(low), "high": float(high), "higher": sc.higher})
    return pd.DataFrame(rows)
