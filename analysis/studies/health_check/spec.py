"""The health check's specs, read from YAML: the template (fields, groups, headings, consistency
checks; ``template.yaml``) and the indicator definitions (``indicators.yaml``), each checked against
its JSON Schema in ``analysis/specs/schemas/`` when read."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from ...errors import Problem, SurveyDataError
from ...paths import HEALTH_CHECK_DIR, SCHEMA_DIR
from ...specs import check_against_schema

TEMPLATE_FILE = HEALTH_CHECK_DIR / "template.yaml"
INDICATORS_FILE = HEALTH_CHECK_DIR / "indicators.yaml"
THRESHOLDS_FILE = HEALTH_CHECK_DIR / "thresholds.yaml"
TEMPLATE_SCHEMA_FILE = SCHEMA_DIR / "health_check_template.schema.yaml"
INDICATORS_SCHEMA_FILE = SCHEMA_DIR / "health_check_indicators.schema.yaml"
THRESHOLDS_SCHEMA_FILE = SCHEMA_DIR / "health_check_thresholds.schema.yaml"

NUMERIC = ("integer", "number")


@dataclass(frozen=True)
class Field:
    """One column of the health check template.

    Attributes
    ----------
    name : str
        Column name in the file.
    kind : str
        ``id`` (team), ``label`` (service), ``integer``, ``number``, ``choice`` or ``text``.
    label, description : str
        Short label and what to record (our own words, not the prompt's).
    prompt : int or None
        Prompt number (1-39); None for team, service and the discussion fields.
    group : str or None
        Prompt group key (``workload``, ``workflow``, ``tools``, ``workplace``, ``delivery``);
        ``discussion`` for the disagreement and next-steps fields.
    heading : str or None
        ``"a: Workload management"`` ... for the discussion fields.
    unit : str
    min, max : float or None
        Allowed range (numbers).
    values : tuple of str
        Allowed answers (choice).
    required : bool
    """

    name: str
    kind: str
    label: str
    description: str
    prompt: int | None = None
    group: str | None = None
    heading: str | None = None
    unit: str = ""
    min: float | None = None
    max: float | None = None
    values: tuple = ()
    required: bool = False

    def expected(self) -> str:
        """What the field accepts, for messages and the fields sheet.

        Examples
        --------
        >>> Field("open_cases", "integer", "Cases", "", unit="cases", min=0, max=500).expected()
        'whole numbers 0-500 (cases), or blank if not recorded'
        """
        if self.kind in NUMERIC:
            what = "whole numbers" if self.kind == "integer" else "numbers"
            unit = f" ({self.unit})" if self.unit else ""
            return f"{what} {_num(self.min)}-{_num(self.max)}{unit}, or blank if not recorded"
        if self.kind == "choice":
            return f"one of {', '.join(self.values)} (case ignored), or blank"
        if self.kind == "id":
            return "a team name, unique within the file"
        if self.kind == "label":
            return "the service's name"
        return "free text (never copied into outputs), or blank"


@dataclass(frozen=True)
class TemplateSpec:
    """The health check template: every field in file order, the prompt groups, the discussion
    headings and the consistency checks."""

    fields: dict = field(default_factory=dict)
    groups: dict = field(default_factory=dict)
    headings: tuple = ()
    checks: tuple = ()
    source: str = ""

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields.values() if f.required]

    def names(self, *kinds: str) -> list[str]:
        """Field names of the given kinds (all fields when none given), in file order."""
        return [f.name for f in self.fields.values() if not kinds or f.kind in kinds]


def _num(x) -> str:
    return f"{x:g}" if x is not None else ""


def _read_yaml(path: Path, kind: str) -> dict:
    try:
        spec = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SurveyDataError([Problem(kind, None, f"cannot be read as YAML: {exc}",
                                       "correct the YAML (indentation, colons, quotes) at the place named")],
                              source=Path(path).name) from None
    if not isinstance(spec, dict):
        raise SurveyDataError([Problem(kind, None, "the file does not hold a YAML mapping (key: value lines)",
                                       "start from the shipped file of the same kind and edit it")],
                              source=Path(path).name)
    return spec


@lru_cache(maxsize=4)
def _load_template(path: str) -> TemplateSpec:
    raw = _read_yaml(Path(path), "bad template")
    check_against_schema(raw, TEMPLATE_SCHEMA_FILE, Path(path).name, "bad template")
    fields: dict[str, Field] = {}
    for name, f in raw["fields"].items():
        fields[name] = Field(
            name=name, kind=f["kind"], label=f["label"], description=" ".join(f["description"].split()),
            prompt=f.get("prompt"), group=f.get("group"), unit=f.get("unit", ""), min=f.get("min"),
            max=f.get("max"), values=tuple(v.lower() for v in f.get("values", ())),
            required=bool(f.get("required", False)))
    headings = tuple(raw["headings"])
    for h in headings:
        for prefix, what in (("disagreement", "areas of disagreement"), ("next_steps", "agreed next steps")):
            name = f"{prefix}_{h['key']}"
            fields[name] = Field(
                name=name, kind="text", label=f"{h['label']}: {what}", group="discussion",
                heading=f"{h['letter']}: {h['label']}",
                description=f"heading {h['letter']} ({h['label']}): {what}; free text, never copied into outputs")
    problems = []
    ids = [f.name for f in fields.values() if f.kind == "id"]
    if len(ids) != 1:
        problems.append(Problem("bad template", None, f"the template needs exactly one id field; found {ids}",
                                "mark the team field kind: id"))
    for f in fields.values():
        if f.group not in (None, "discussion") and f.group not in raw["groups"]:
            problems.append(Problem("bad template", f.name, f"group {f.group!r} is not among the groups",
                                    f"use one of {list(raw['groups'])}"))
        if f.kind in NUMERIC and f.min > f.max:
            problems.append(Problem("bad template", f.name, f"min {f.min} is above max {f.max}", "swap them"))
    for check in raw.get("checks", []):
        for name in [check["left"], *check["right"]]:
            if fields.get(name) is None or fields[name].kind not in NUMERIC:
                problems.append(Problem("bad template", name, f"check {check['id']!r} names a field that is "
                                        "not a number field of the template", "name number fields only"))
    if problems:
        raise SurveyDataError(problems, source=Path(path).name)
    return TemplateSpec(fields=fields, groups=raw["groups"], headings=headings,
                        checks=tuple(raw.get("checks", [])), source=Path(path).name)


def load_template(path=None) -> TemplateSpec:
    """Read the health check template spec (default: the package's ``template.yaml``).

    The file is checked against ``analysis/specs/schemas/health_check_template.schema.yaml``; two
    free-text fields, ``disagreement_<key>`` and ``next_steps_<key>``, are added for each
    discussion heading (a-m).

    Examples
    --------
    >>> spec = load_template()
    >>> spec.fields["vacancies_fte"].prompt, spec.fields["vacancies_fte"].unit
    (1, 'FTE')
    >>> spec.required, "next_steps_sickness" in spec.fields
    (['team', 'service'], True)
    """
    return _load_template(str(Path(path or TEMPLATE_FILE).resolve()))


@lru_cache(maxsize=4)
def _load_definitions(path: str) -> dict:
    raw = _read_yaml(Path(path), "bad indicator definitions")
    check_against_schema(raw, INDICATORS_SCHEMA_FILE, Path(path).name, "bad indicator definitions")
    fields = load_template().fields
    problems = []
    for name, d in raw["definitions"].items():
        for key in ("numerator", "denominator", "minuend", "subtrahend", "weight", "field"):
            if key in d and (d[key] not in fields or fields[d[key]].kind not in NUMERIC):
                problems.append(Problem("bad indicator definitions", name,
                                        f"{key} {d[key]!r} is not a number field of the template",
                                        "name a number field of analysis/studies/health_check/template.yaml"))
    if problems:
        raise SurveyDataError(problems, source=Path(path).name)
    return raw["definitions"]


def load_definitions(path=None) -> dict:
    """Indicator definitions (default: the package's ``indicators.yaml``): name -> label, unit,
    formula and the fields it uses.

    Examples
    --------
    >>> d = load_definitions()["vacancy_rate"]
    >>> d["numerator"], d["denominator"]
    ('vacancies_fte', 'staff_fte_establishment')
    """
    return _load_definitions(str(Path(path or INDICATORS_FILE).resolve()))
