"""Load a survey wave: read, map through a codebook, validate, apply exclusion rules."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from ..arguments import as_path
from .codebook import Codebook, load_codebook, plain_number
from .dictionary import load_dictionary
from ..errors import CodebookError, Problem, SurveyDataError, SurveyDataWarning
from .exclusions import _rule_mask, apply_exclusions, exclusion_summary
from .readers import RawTable, read_table
from .validation import CODEBOOK_KINDS, diagnose, distinct_labels, to_canonical


@dataclass
class Wave:
    """A loaded, validated survey wave.

    Attributes
    ----------
    data : DataFrame
        Analysable respondents in canonical format (one row each, file order). Item answers are
        raw (before reverse keying), as floats with NaN for no answer; categories are pandas
        categoricals in dictionary order; free text is kept here and never copied to outputs.
    exclusions : DataFrame
        The exclusions log (``respondent_id, scope, target, rule, reason``); see
        :mod:`analysis.reading.exclusions`.
    metadata : dict
        Provenance and what loading did: ``source``, ``sha256``, ``format``, ``encoding``,
        ``delimiter``, ``codebook``, ``synthetic``, ``wave``, ``n_read``, ``n_analysable``,
        ``missing_coded`` (column -> cells a missing code turned into missing), ``ignored``
        (export columns left out on purpose), ``renamed`` (export -> canonical names),
        ``labels`` (the questionnaire's own wording from the codebook's ``labels:``, if any).
    """

    data: pd.DataFrame
    exclusions: pd.DataFrame
    metadata: dict = field(default_factory=dict)
    known_instruments: tuple = field(default=None, repr=False)

    @property
    def label(self) -> str:
        """The wave label, e.g. ``"2018"``."""
        return str(self.metadata.get("wave"))

    @property
    def synthetic(self) -> bool:
        """True when the data are synthetic (figures and tables must say so)."""
        return bool(self.metadata.get("synthetic"))

    @property
    def instruments(self):
        """The instruments whose items are all present in this wave."""
        cols = set(self.data.columns)
        known = self.known_instruments if self.known_instruments is not None else load_dictionary().instruments
        return tuple(i for i in known if set(i.items) <= cols)

    def exclusion_summary(self) -> pd.DataFrame:
        """The exclusions log counted by scope, target, rule and reason."""
        return exclusion_summary(self.exclusions)

    def __repr__(self) -> str:
        flag = ", synthetic" if self.synthetic else ""
        return (f"Wave({self.label!r}{flag}: {self.metadata.get('n_analysable')} analysable of "
                f"{self.metadata.get('n_read')} read from {self.metadata.get('source')}; "
                f"instruments {[i.id for i in self.instruments]})")


def _warn_unanswered_instruments(kept: pd.DataFrame, log: pd.DataFrame, instruments, source: str) -> None:
    """Say so when no analysable respondent answered any item of an instrument whose columns are
    present: its scores will all be missing (each respondent is in the log, rule ``no_answers``)."""
    for inst in instruments:
        if not set(inst.items) <= set(kept.columns):
            continue
        n_none = int(((log["scope"] == "instrument") & (log["target"] == inst.id)).sum())
        if n_none == len(kept):
            warnings.warn(
                f"{source}: no respondent answered any {inst.short_name} item ({inst.items[0]} ... "
                f"{inst.items[-1]} are all empty), so its scores are all missing; every respondent is in "
                f"wave.exclusions (scope 'instrument', target '{inst.id}', rule 'no_answers'). If the "
                "export holds these answers, check the codebook's columns and missing codes; if the "
                "instrument was not asked, leave its columns out (ignore: in the codebook).",
                SurveyDataWarning,
                stacklevel=3,
            )


def _exclusion_rule_problems(rules, data: pd.DataFrame, dictionary) -> list[Problem]:
    """Exclusion rules that can never apply: a column the wave lacks, values the column cannot
    hold (``Other`` for the category ``other``, 9 for an answer 1-5), an instrument that is not
    one of the package's or not in the wave."""
    problems = []
    known = {inst.id: inst for inst in dictionary.instruments}
    for rule in rules:
        if "column" in rule and rule["column"] not in data.columns:
            problems.append(Problem(
                "bad exclusion rule", rule["column"],
                f"exclusion rule '{rule['id']}' refers to column '{rule['column']}', which the wave lacks",
                "name a canonical column present in the wave, or drop the rule"))
        elif "in" in rule and rule["column"] in dictionary:
            spec = dictionary[rule["column"]]
            if spec.kind == "category":
                wrong = [v for v in rule["in"] if str(v) not in spec.values]
            elif spec.kind in ("code", "number"):
                wrong = [v for v in rule["in"] if isinstance(v, bool) or plain_number(v) is None
                         or not spec.min <= plain_number(v) <= spec.max
                         or (spec.kind == "code" and not plain_number(v).is_integer())]
            else:
                wrong = []
            if wrong:
                problems.append(Problem(
                    "bad exclusion rule", rule["column"],
                    f"exclusion rule '{rule['id']}' lists {wrong}, which the column cannot hold "
                    f"(expected {spec.expected()}): the rule would never apply",
                    "write the values as the canonical column holds them (after the codebook's labels "
                    "and recodes), or drop them", values=tuple(wrong[:5]), n_values=len(wrong)))
        elif "no_answers_to" in rule:
            inst = known.get(rule["no_answers_to"])
            if inst is None or not set(inst.items) <= set(data.columns):
                problems.append(Problem(
                    "bad exclusion rule", None,
                    f"exclusion rule '{rule['id']}' names the instrument '{rule['no_answers_to']}', "
                    + ("which is not one of the package's" if inst is None else "whose items the wave lacks")
                    + ": the rule would never apply",
                    f"name an instrument of the wave ({', '.join(i.id for i in dictionary.instruments)}), "
                    "or drop the rule"))
    return problems


def _warn_rules_matching_nobody(rules, data: pd.DataFrame, instruments, source: str) -> None:
    """An exclusion rule that matches no respondent of this wave is a legitimate study decision
    that did not apply; say so rather than let a mistyped value exclude nobody unnoticed."""
    for rule in rules:
        if _rule_mask(data, rule, instruments).any():
            continue
        what = (f"no respondent has {rule['column']} in {rule['in']}" if "in" in rule
                else f"no respondent has {rule['column']} missing" if "column" in rule
                else f"every respondent answered some {rule['no_answers_to']} item")
        warnings.warn(
            f"{source}: exclusion rule '{rule['id']}' excluded nobody ({what}). If the rule was meant to "
            "apply to this wave, check its column and values against the loaded data (canonical values, "
            "after the codebook's labels and recodes).",
            SurveyDataWarning,
            stacklevel=3,
        )


def read_sidecar(path: Path) -> dict:
    """Read ``<file stem>.meta.yaml`` beside a data file, if present (e.g. ``synthetic: true``)."""
    sidecar = path.with_name(path.stem + ".meta.yaml")
    if not sidecar.exists():
        return {}
    return yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}


def text_columns(codebook: Codebook, dictionary) -> list[str]:
    """Export columns to read as text (ids, labels, categories, free text), whatever they hold."""
    keep_text = {c for c, s in dictionary.columns.items() if s.kind in ("id", "label", "text", "category")}
    sources = [s for s, c in codebook.columns.items() if c in keep_text]
    return sources + [c for c in keep_text if c not in codebook.columns.values()]


def load_wave(path, codebook=None, *, wave: str | int | None = None, instruments_dir=None) -> Wave:
    """Load a survey wave from an export, validated against the data dictionary.

    Parameters
    ----------
    path : str, Path or DataFrame
        CSV/TSV (any common delimiter; UTF-8, UTF-8 with BOM, UTF-16 or a detected encoding),
        Excel ``.xlsx``, SPSS ``.sav``/``.zsav`` (value labels and user-missing values are used),
        Stata ``.dta`` or Parquet. A DataFrame is taken as already read (``attrs["synthetic"]``
        marks it synthetic, as :func:`analysis.synthetic.demo_wave` does).
    codebook : str, Path, dict or Codebook, optional
        How the export maps onto the canonical format (see :mod:`analysis.reading.codebook`). Not needed
        for a file already in canonical format.
    wave : str or int, optional
        Wave label for a file without a ``wave`` column (overrides the codebook's ``wave:``).
    instruments_dir : str or Path, optional
        Folder of instrument YAML files (default: the package's own).

    Returns
    -------
    Wave
        ``data`` (analysable respondents), ``exclusions`` (the log) and ``metadata``.

    Raises
    ------
    SurveyDataError
        Listing every problem at once: column, respondents (data rows, ids, count), values and
        what was expected.

    Examples
    --------
    >>> from analysis.synthetic import demo_wave
    >>> w = load_wave(demo_wave(n=50, seed=1), wave=2018)
    >>> w.metadata["n_analysable"] <= 50, "hse_demands" in [s.name for i in w.instruments for s in i.scales]
    (True, True)
    """
    path = as_path(path, "load_wave()", tables=True)
    cb = load_codebook(codebook)
    dictionary = load_dictionary(None if instruments_dir is None else str(instruments_dir))
    if isinstance(path, pd.DataFrame):
        table = RawTable(path.reset_index(drop=True), "dataframe", Path("<DataFrame>"), "",
                         header=[str(c) for c in path.columns])
        sidecar = {}
    else:
        path = Path(path)
        table = read_table(path, encoding=cb.encoding, delimiter=cb.delimiter, sheet=cb.sheet,
                           text_columns=text_columns(cb, dictionary), header_rows=cb.header_rows)
        sidecar = read_sidecar(path)
    wave_label = wave if wave is not None else (cb.wave if cb.wave is not None else sidecar.get("wave"))
    data, problems, report = to_canonical(table, cb, dictionary, None if wave_label is None else str(wave_label))
    problems += _exclusion_rule_problems(cb.exclude, data, dictionary)
    source = table.path.name
    if problems:
        codebook_fault = any(p.kind in CODEBOOK_KINDS for p in problems)
        raise (CodebookError if codebook_fault else SurveyDataError)(
            problems, source=source, diagnosis=diagnose([str(c) for c in table.frame.columns], cb, problems))
    _warn_rules_matching_nobody(cb.exclude, data, dictionary.instruments, source)
    labels = distinct_labels(data["wave"])
    label = labels[0] if len(labels) == 1 else "+".join(labels)
    kept, log = apply_exclusions(data, cb.exclude, dictionary.instruments, label)
    if len(kept) == 0:
        counts = exclusion_summary(log)
        raise SurveyDataError(
            [Problem("no respondents left", None,
                     f"all {len(data)} respondents were excluded: "
                     + "; ".join(f"{r.rule}: {r.n}" for r in counts.itertuples() if r.scope == "wave"),
                     "check the exclusion rules in the codebook and that the answers were mapped")],
            source=source)
    _warn_unanswered_instruments(kept, log, dictionary.instruments, source)
    metadata = {
        "source": source,
        "sha256": table.sha256,
        "format": table.format,
        "encoding": table.encoding,
        "delimiter": table.delimiter,
        "codebook": cb.source,
        "synthetic": bool(cb.synthetic or sidecar.get("synthetic", False)
                          or (isinstance(path, pd.DataFrame) and path.attrs.get("synthetic", False))),
        "wave": label,
        "n_read": len(data),
        "n_analysable": len(kept),
        "missing_coded": report["missing_coded"],
        "ignored": report["ignored"],
        "renamed": report["renamed"],
        "labels": cb.labels,
    }
    return Wave(data=kept, exclusions=log, metadata=metadata, known_instruments=dictionary.instruments)
