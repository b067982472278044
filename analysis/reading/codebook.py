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

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import CodebookError, Problem
from ..paths import CODEBOOK_SCHEMA_FILE
from ..specs import check_against_schema


def normalise_label(value) -> str:
    """Key used to match answer labels and missing codes: case-folded, single-spaced text;
    numbers in one form (``-99``, ``-99.0`` and ``"-99"`` all give ``"-99"``)."""
    if isinstance(value, bool):
        return str(value).casefold()
    if isinstance(value, (int, float)):
        return repr(float(value)).removesuffix(".0")
    text = " ".join(str(value).split()).casefold()
    try:
        return repr(float(text)).removesuffix(".0")
    except ValueError:
        return text


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
            out.update({float(k): float(v) for k, v in table.items()})
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
    source = "codebook"
    if isinstance(codebook, (str, Path)):
        path = Path(codebook)
        source = str(path)
        if not path.exists():
            raise CodebookError(
                [Problem("missing file", None, f"no codebook at {path}", "check the path")], source=source
            )
        try:
            spec = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise CodebookError(
                [Problem("unreadable codebook", None, f"not valid UTF-8 YAML: {exc}", "fix the YAML syntax")],
                source=source,
            ) from None
    else:
        spec = dict(codebook)
    spec = spec or {}
    check_against_schema(spec, CODEBOOK_SCHEMA_FILE, source, "bad codebook")
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
    )


def write_codebook(codebook: dict, path) -> Path:
    """Write a codebook mapping as YAML (keys in the order given), after checking it."""
    load_codebook(codebook)
    path = Path(path)
    path.write_text(yaml.safe_dump(codebook, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path
