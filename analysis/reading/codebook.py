"""Codebooks: how an export's own column names, answer labels and missing codes map onto the
canonical format (see ``analysis/specs/schemas/codebook.schema.yaml`` for every key).

A codebook is a YAML file; a file already in canonical format needs none. Example::

    codebook: 1
    name: 2018 raw CSV export
    wave: 2018
    columns: {ID: respondent_id, Q1_1: hse_01, Q1_2: hse_02}
    ignore: [StartDate]
    missing_codes: [-99, Prefer not to say]
    answer_labels:
      often:
        columns: ["hse_0*", "hse_1*", "hse_2[0-3]"]
        labels: {Never: 1, Seldom: 2, Sometimes: 3, Often: 4, Always: 5}
"""

from __future__ import annotations

import datetime
import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..arguments import as_path
from ..errors import CodebookError, Problem
from ..paths import CODEBOOK_SCHEMA_FILE
from ..specs import check_against_schema


#: A number as a person types it: ASCII digits, an optional sign, decimal point and exponent.
#: Python's ``float()`` also reads ``nan``, ``inf``, ``1_0`` and digits of other scripts (``５``,
#: ``٣``); none of those is taken for a number here.
PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def plain_number(text) -> float | None:
    """The number a text holds when a person would read it as one, else None.

    Examples
    --------
    >>> plain_number(" -99 "), plain_number("1e3"), plain_number("nan"), plain_number("1_0"), plain_number("５")
    (-99.0, 1000.0, None, None, None)
    """
    text = str(text).strip(" \t\r\n")
    return float(text) if PLAIN_NUMBER.fullmatch(text) else None


def normalise_label(value) -> str:
    """Key used to match answer labels and missing codes: case-folded, single-spaced text;
    numbers in one form (``-99``, ``-99.0`` and ``"-99"`` all give ``"-99"``). Only plain numbers
    (:func:`plain_number`) count as numbers: ``"nan"`` and ``"５"`` stay text."""
    if isinstance(value, bool):
        return str(value).casefold()
    if isinstance(value, (int, float)):
        return repr(float(value)).removesuffix(".0")
    text = " ".join(str(value).split()).casefold()
    number = plain_number(text)
    return text if number is None else repr(number).removesuffix(".0")


@dataclass(frozen=True)
class Codebook:
    """A parsed codebook. Build one with :func:`load_codebook`.

    Attributes mirror the YAML keys; see ``analysis/specs/schemas/codebook.schema.yaml``.
    """

    name: str = "canonical"
    source: str = "no codebook"
    synthetic: bool = False
    wave: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | int | None = None
    header_rows: int = 1
    columns: dict = field(default_factory=dict)
    ignore: tuple = ()
    missing_codes: tuple = ()
    column_missing_codes: dict = field(default_factory=dict)
    answer_labels: dict = field(default_factory=dict)
    recode: dict = field(default_factory=dict)
    reversed_in_source: tuple = ()
    exclude: tuple = ()
    labels: dict = field(default_factory=dict)

    def canonical_name(self, source_column: str) -> str:
        """The canonical name of an export column (itself when not renamed)."""
        return self.columns.get(source_column, source_column)

    def _matching(self, table: dict, column: str) -> list:
        return [v for pattern, v in table.items() if fnmatch.fnmatchcase(column, pattern)]

    def missing_codes_for(self, column: str) -> set[str]:
        """Normalised missing codes that apply to a canonical column."""
        codes = set(map(normalise_label, self.missing_codes))
        for extra in self._matching(self.column_missing_codes, column):
            codes |= set(map(normalise_label, extra))
        return codes

    def labels_for(self, column: str) -> dict:
        """Normalised answer label -> canonical value, for a canonical column."""
        out: dict = {}
        for spec in self.answer_labels.values():
            if any(fnmatch.fnmatchcase(column, p) for p in spec["columns"]):
                out.update({normalise_label(k): v for k, v in spec["labels"].items()})
        return out

    def recode_for(self, column: str) -> dict:
        """Export code -> canonical code, for a canonical column."""
        out: dict = {}
        for table in self._matching(self.recode, column):
            out.update({plain_number(k): float(v) for k, v in table.items()})
        return out

    def is_reversed_in_source(self, column: str) -> bool:
        return any(fnmatch.fnmatchcase(column, p) for p in self.reversed_in_source)


def load_codebook(codebook) -> Codebook:
    """Read and check a codebook.

    Parameters
    ----------
    codebook : str, Path, dict, Codebook or None
        A YAML file, its parsed mapping, an existing codebook, or None for canonical files.

    Returns
    -------
    Codebook

    Raises
    ------
    CodebookError
        Listing every key that does not fit the codebook format.

    Examples
    --------
    >>> cb = load_codebook({"codebook": 1, "columns": {"ID": "respondent_id"},
    ...                     "missing_codes": [-99, "Prefer not to say"]})
    >>> cb.canonical_name("ID"), sorted(cb.missing_codes_for("hse_01"))
    ('respondent_id', ['-99', 'prefer not to say'])
    """
    if codebook is None:
        return Codebook()
    if isinstance(codebook, Codebook):
        return codebook
    if not isinstance(codebook, dict):
        as_path(codebook, "load_codebook()", "codebook")
    source = "codebook"
    if isinstance(codebook, (str, Path)):
        path = Path(codebook)
        source = str(path)
        if not path.exists():
            raise CodebookError(
                [Problem("missing file", None, f"no codebook at {path}", "check the path")], source=source
            )
        if not path.is_file():
            raise CodebookError([Problem(
                "not a file", None, f"{path} is a folder, not a codebook file",
                "give the path of the codebook's YAML file inside it")], source=source)
        try:
            spec = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise CodebookError(
                [Problem("unreadable codebook", None, f"not valid UTF-8 YAML: {exc}", "fix the YAML syntax")],
                source=source,
            ) from None
        except OSError as exc:
            raise CodebookError([Problem("unreadable codebook", None, f"the file cannot be read: {exc}",
                                         "check the path and the file's permissions")], source=source) from None
    else:
        spec = dict(codebook)
    spec = spec or {}
    if not isinstance(spec, dict):
        raise CodebookError([Problem(
            "bad codebook", None, f"the codebook is a YAML {type(spec).__name__}, not a mapping of keys",
            "start from the example in analysis/reading/codebook.py (codebook: 1, columns: ...)")], source=source)
    problems = _yaml_types(spec)
    if problems:
        raise CodebookError(problems, source=source)
    check_against_schema(spec, CODEBOOK_SCHEMA_FILE, source, "bad codebook")
    problems = (_recode_keys(spec.get("recode", {})) + _colliding_labels(spec.get("answer_labels", {}))
                + _study_label_keys(spec.get("labels", {})))
    if problems:
        raise CodebookError(problems, source=source)
    return Codebook(
        name=spec.get("name", Path(source).stem),
        source=source,
        synthetic=bool(spec.get("synthetic", False)),
        wave=None if spec.get("wave") is None else str(spec["wave"]),
        encoding=spec.get("encoding"),
        delimiter=spec.get("delimiter"),
        sheet=spec.get("sheet"),
        header_rows=int(spec.get("header_rows", 1)),
        columns={str(k): str(v) for k, v in spec.get("columns", {}).items()},
        ignore=tuple(spec.get("ignore", ())),
        missing_codes=tuple(spec.get("missing_codes", ())),
        column_missing_codes=dict(spec.get("column_missing_codes", {})),
        answer_labels=dict(spec.get("answer_labels", {})),
        recode=dict(spec.get("recode", {})),
        reversed_in_source=tuple(spec.get("reversed_in_source", ())),
        exclude=tuple(spec.get("exclude", ())),
        labels={part: {str(k): str(v) for k, v in (spec.get("labels", {}).get(part) or {}).items()}
                for part in ("columns", "values")},
    )


def _study_label_keys(labels: dict) -> list[Problem]:
    """The keys of a codebook's ``labels:`` section must be canonical names: columns (or scales,
    or derived variables) under ``columns``, category codes under ``values``; each one that is not
    is a problem, with a "did you mean"."""
    from ..arguments import did_you_mean
    from ..instruments import scale_labels
    from ..labels import _labels
    from .dictionary import load_dictionary

    dictionary = load_dictionary()
    columns = set(dictionary.columns) | set(scale_labels()) | set(_labels()["columns"])
    values = {v for spec in dictionary.columns.values() for v in spec.values} | set(_labels()["values"])
    problems = []
    for part, known, what in (("columns", columns, "canonical column, scale or derived variable"),
                              ("values", values, "category code of the data dictionary")):
        for key in (labels or {}).get(part) or {}:
            if str(key) not in known:
                problems.append(Problem(
                    "unknown label key", str(key),
                    f"labels: {part}: {key!r} is not a {what}{did_you_mean(key, known)}",
                    "key the study's wording by the canonical name (wellbeing-survey dictionary lists them), "
                    "not by the export's column or answer"))
    return problems


#: What YAML reads as a date, a timestamp or bytes: none of them is a codebook value.
_NOT_PLAIN = (datetime.date, datetime.datetime, datetime.time, bytes, bytearray)


def _yaml_types(spec, where: str = "") -> list[Problem]:
    """Keys and values YAML typed as something a codebook never holds (``2019-05-01`` is a date
    to YAML, ``!!binary`` gives bytes, ``{a, b}`` a set): each is a problem, not a crash."""
    problems = []

    def check(value, place):
        if isinstance(value, _NOT_PLAIN):
            what = ("bytes (a !!binary value)" if isinstance(value, (bytes, bytearray))
                    else f"a {type(value).__name__} to YAML")
            problems.append(Problem(
                "bad codebook", None, f"at {place or 'top level'}: {value!r} is {what}, not text or a number",
                "write the value as plain text" if isinstance(value, (bytes, bytearray))
                else "quote the value (e.g. wave: '2019-05-01') so that YAML reads it as text"))
            return
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, _NOT_PLAIN) or not isinstance(key, (str, int, float, bool)) or key is None:
                    problems.append(Problem(
                        "bad codebook", None, f"at {place or 'top level'}: the key {key!r} is "
                        f"{'empty' if key is None else 'a ' + type(key).__name__} to YAML, not text or a number",
                        "quote the key (e.g. '2019-05-01': ...)"))
                    continue
                check(item, f"{place}/{key}" if place else str(key))
        elif isinstance(value, (list, tuple)):
            for i, item in enumerate(value):
                check(item, f"{place}/{i}")
        elif not isinstance(value, (str, int, float, bool)) and value is not None:
            problems.append(Problem(
                "bad codebook", None, f"at {place or 'top level'}: {value!r} is a {type(value).__name__} to YAML",
                "write it as text, a number, a list or a mapping"))

    check(spec, where)
    return problems


def _recode_keys(recode: dict) -> list[Problem]:
    """Recode tables map export codes (numbers) to canonical codes: a key such as ``one`` or
    ``true`` is no code (``true`` would have been read as 1)."""
    problems = []
    for pattern, table in recode.items():
        bad = [k for k in table if isinstance(k, bool) or plain_number(k) is None]
        if bad:
            problems.append(Problem(
                "bad recode", str(pattern),
                f"recode keys must be the export's numeric codes; found {', '.join(repr(k) for k in bad)}"
                + (" (YAML reads true/false/yes/no as booleans)" if any(isinstance(k, bool) for k in bad) else ""),
                "write each key as the number the export holds (e.g. recode: {pss_*: {1: 0, 2: 1}}); map "
                "answer labels with answer_labels:, not recode:"))
    return problems


def _colliding_labels(answer_labels: dict) -> list[Problem]:
    """Two labels of one set that are the same text once case and spaces are ignored, with
    different codes: which code a cell gets would depend on the order of the keys."""
    problems = []
    for name, spec in answer_labels.items():
        seen: dict = {}
        for label, value in spec["labels"].items():
            seen.setdefault(normalise_label(label), []).append((label, value))
        for pairs in seen.values():
            if len({normalise_label(v) for _, v in pairs}) > 1:
                problems.append(Problem(
                    "colliding answer labels", None,
                    f"answer_labels set '{name}': labels {[p[0] for p in pairs]} are the same text once case "
                    f"and spaces are ignored, but map to different values {[p[1] for p in pairs]}",
                    "keep one of them, with the value the export means",
                    values=tuple(p[0] for p in pairs), n_values=len(pairs)))
    return problems


def write_codebook(codebook: dict, path) -> Path:
    """Write a codebook mapping as YAML (keys in the order given), after checking it."""
    load_codebook(codebook)
    path = Path(path)
    path.write_text(yaml.safe_dump(codebook, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
