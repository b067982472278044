"""Draft a codebook for a raw survey export (Qualtrics, SurveyMonkey, SPSS, ...).

:func:`draft_codebook` reads an export with :func:`analysis.reading.readers.read_table` and proposes a codebook
in the format of :mod:`analysis.reading.codebook`: which export column is which canonical column, which
values mean no answer, which answer labels stand for which codes, and which columns are the survey
tool's own metadata. :func:`~analysis.reading.draft_writer.write_draft` (also importable from here)
writes it as YAML with a comment on every entry saying how it was matched and how sure the match is.

Nothing is guessed silently. A column, answer or value the drafter cannot place is left out of the
codebook and listed as a TODO (in :attr:`DraftResult.todo` and as a ``# TODO:`` comment in the
file); loading the export with the draft then fails until someone decides. How it matches:

- **columns**: the canonical name exactly; the canonical name after case, spaces and punctuation
  are dropped (``Presenteeism 12M``); an instrument item pattern (``HSEMSIT_Q12``, ``HSE Q12``,
  ``hse12``, ``HSE_Q1_12``, ``PSS4_Q1``, ``UWES9_Q3``, ``SWEMWBS_Q7``, ``WRQoL_Q10``), with the
  instrument prefixes taken from the instrument files plus the aliases in :data:`RULES`; a synonym
  (``Response ID``, ``Which nation do you work in?``); a keyword (``Do you intend to leave your
  job?``, medium confidence, only when it points at one column); a block of numbered columns
  (``Q3_1`` ... ``Q3_4``) whose numbers and answers fit exactly one instrument (medium). A prefix
  shared by the export's columns (``V_hse_01``) is dropped before matching.
- **missing codes**: SPSS user-missing values; well-known sentinel numbers (``-99``, ``999``)
  found where they are outside the column's range (never where they are a valid answer); phrases
  such as "Prefer not to say", "Don't know" and "N/A".
- **answer labels**: each coded column's answers (text, or SPSS value labels) against the
  instrument's or the data dictionary's labels; category answers against the dictionary's values
  (``Children and families`` -> ``children_families``), after normalising, or through a synonym.
- **ignore**: survey-tool metadata (``StartDate``, ``IPAddress``, ``Duration (in seconds)``, ...).

The matching rules (synonyms, keywords, phrases, sentinel numbers, metadata names) are data, in
``analysis/specs/codebook_draft_rules.yaml`` (:data:`RULES` once read).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..arguments import checked
from .codebook import load_codebook, normalise_label
from .dictionary import load_dictionary
from .draft_writer import write_draft  # noqa: F401 (re-exported: a draft is written as soon as it is made)
from ..errors import CodebookError, Problem
from ..paths import DRAFT_RULES_FILE, SCHEMA_DIR
from ..specs import check_against_schema
from .readers import RawTable, read_table
from .waves import read_sidecar

_RULES_SCHEMA_FILE = SCHEMA_DIR / "codebook_draft_rules.schema.yaml"


def _read_rules(path=DRAFT_RULES_FILE) -> dict:
    """Read the drafter's matching rules and check them against their schema.

    Raises
    ------
    CodebookError
        When the file cannot be read as YAML, or breaks
        ``analysis/specs/schemas/codebook_draft_rules.schema.yaml``.

    Examples
    --------
    >>> _read_rules()["missing"]["high_confidence"]
    [-99, -999, -9999, 999, 9999]
    """
    path = Path(path)
    try:
        rules = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CodebookError([Problem("bad drafting rules", None, f"cannot be read as YAML: {exc}",
                                     "correct the YAML (indentation, colons, quotes) at the place named")],
                            source=str(path)) from None
    check_against_schema(rules, _RULES_SCHEMA_FILE, str(path), "bad drafting rules")
    for i, pattern in enumerate(rules["blocks"]["patterns"]):
        try:
            groups = re.compile(pattern).groupindex
        except re.error as exc:
            groups, why = {}, f"is not a regular expression: {exc}"
        else:
            why = "lacks the named group stem or number"
        if not {"stem", "number"} <= set(groups):
            raise CodebookError([Problem("bad drafting rules", None, f"blocks/patterns/{i} {why}",
                                         "write it as a Python regular expression with the groups "
                                         "(?P<stem>...) and (?P<number>...)")], source=str(path))
    return rules


#: The drafter's matching rules, as read from ``analysis/specs/codebook_draft_rules.yaml``.
#: Phrases are compared after case-folding and dropping apostrophes, spaces and punctuation
#: ("Response ID" = "responseid").
RULES = _read_rules()

#: Confidence levels, best first.
CONFIDENCE = ("high", "medium", "low")
#: Column-matching methods, most reliable first (ties between two columns are broken by this).
METHODS = ("exact", "normalised", "item pattern", "synonym", "answer pattern", "keyword")
_STOPWORDS = {"and", "or", "the", "of", "to", "a", "an"}


# --- text keys -----------------------------------------------------------------------------------

def _fold(text) -> str:
    text = unicodedata.normalize("NFKD", str(text)).casefold()
    return re.sub("['\u2019\u2018`]", "", text)


def _compact(text) -> str:
    """Letters and digits only: ``"Response ID"`` -> ``"responseid"``."""
    return re.sub(r"[^0-9a-z]+", "", _fold(text))


def _words(text) -> tuple[str, ...]:
    """Words without little words: ``"Children and families"`` -> ``("children", "families")``."""
    return tuple(w for w in re.findall(r"[0-9a-z]+", _fold(text)) if w not in _STOPWORDS)


def _as_number(value) -> float | None:
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value) if np.isfinite(value) else None
    try:
        x = float(str(value).strip())
    except ValueError:
        return None
    return x if np.isfinite(x) else None


def _plain(x: float):
    """``-99.0`` -> ``-99`` for the codebook."""
    # Not errors._plain: that one unwraps numpy scalars and would leave -99.0 a float.
    return int(x) if float(x).is_integer() else float(x)


def _quote(values, n: int = 4) -> str:
    shown = ", ".join(f'"{v}"' for v in list(values)[:n])
    return shown + (f" and {len(values) - n} more" if len(values) > n else "")


# --- the rules, prepared once -------------------------------------------------------------------

@dataclass(frozen=True)
class _Rules:
    dictionary: object
    canonical: dict          # compact canonical name -> canonical name
    synonyms: dict           # compact synonym -> canonical name
    keywords: dict           # canonical -> list of word groups
    prefixes: dict           # compact item prefix -> instrument
    by_number: dict          # instrument id -> {item number: item column}
    instrument_words: dict   # instrument id -> word groups pointing at it in question text
    block_patterns: tuple    # compiled patterns splitting a header into (stem, number)
    header_markers: tuple
    metadata: frozenset
    metadata_prefixes: tuple
    phrases: frozenset       # compact missing phrases
    sentinels: frozenset
    sure_sentinels: frozenset


@lru_cache(maxsize=4)
def _rules(instruments_dir: str | None = None) -> _Rules:
    d = load_dictionary(instruments_dir)
    canonical = {_compact(c): c for c in d.columns}
    synonyms = {}
    for canon, names in RULES["synonyms"].items():
        for name in names:
            synonyms.setdefault(_compact(name), canon)
    prefixes: dict = {}
    for inst in d.instruments:
        own = [inst.id, inst.short_name, next(iter(inst.items)).rstrip("0123456789")]
        for p in own + RULES["instrument_prefixes"].get(inst.id, []):
            prefixes.setdefault(_compact(p), inst)
    by_number = {i.id: {n: c for c, n in i.item_numbers.items()} for i in d.instruments}
    instrument_words = {i.id: [[p] for p, inst in prefixes.items() if inst is i]
                        + RULES["instrument_keywords"].get(i.id, []) for i in d.instruments}
    miss = RULES["missing"]
    return _Rules(
        dictionary=d, canonical=canonical, synonyms=synonyms, keywords=RULES["keywords"],
        prefixes=prefixes, by_number=by_number, instrument_words=instrument_words,
        block_patterns=tuple(re.compile(p) for p in RULES["blocks"]["patterns"]),
        header_markers=tuple(RULES["header_markers"]),
        metadata=frozenset(_compact(m) for m in RULES["metadata"]["names"]),
        metadata_prefixes=tuple(_compact(m) for m in RULES["metadata"]["prefixes"]),
        phrases=frozenset(_compact(p) for p in miss["phrases"]) | {"-", "."},
        sentinels=frozenset(float(x) for x in miss["numbers"]),
        sure_sentinels=frozenset(float(x) for x in miss["high_confidence"]),
    )


def _is_missing_phrase(text: str, rules: _Rules) -> bool:
    key = _compact(text)
    return (key in rules.phrases) if key else str(text).strip() in rules.phrases


# --- matching one header ------------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnMatch:
    """How an export column was recognised.

    Attributes
    ----------
    canonical : str or None
        The canonical column, or None for a column to ignore (survey-tool metadata).
    method : str
        ``exact``, ``normalised``, ``item pattern``, ``synonym``, ``answer pattern``, ``keyword``
        or ``metadata``.
    confidence : str
        ``high``, ``medium`` or ``low``.
    detail : str
        What matched, in words.
    """

    canonical: str | None
    method: str
    confidence: str
    detail: str = ""

    def describe(self) -> str:
        return f"{self.method}, {self.confidence}" + (f": {self.detail}" if self.detail else "")


def _item(text: str, rules: _Rules):
    """Item column for an instrument item pattern, with whether the name marks it reversed."""
    words = re.findall(r"[a-z]+|[0-9]+", _fold(text))
    reversed_mark = len(words) > 2 and words[-1] in RULES["reversed_words"] and words[-2].isdigit()
    if reversed_mark:
        words = words[:-1]
    if len(words) < 2 or not words[-1].isdigit():
        return None
    number, body = int(words[-1]), words[:-1]
    for k in range(len(body), 0, -1):
        inst = rules.prefixes.get("".join(body[:k]))
        if inst is None:
            continue
        rest = [w for w in body[k:] if w not in RULES["item_words"]]
        if len(rest) > 1 or (rest and not rest[0].isdigit()):
            continue
        column = rules.by_number[inst.id].get(number)
        if column is not None:
            block = f", block {rest[0]}" if rest else ""
            return column, f"{inst.short_name} item {number}{block}", reversed_mark
    return None


def _holds(text: str, groups) -> list[str] | None:
    """The first word group ``text`` holds every word of (``"word*"`` matches any ending), or None.

    Examples
    --------
    >>> _holds("Perceived stress in the last month", [["hse"], ["stress*"]])
    ['stress*']
    >>> _holds("Role clarity", [["hse"]]) is None
    True
    """
    words = re.findall(r"[0-9a-z]+", _fold(text))

    def has(k):
        return any(w.startswith(k[:-1]) for w in words) if k.endswith("*") else k in words

    return next((g for g in groups if all(has(k) for k in g)), None)


def _keyword(text: str, rules: _Rules) -> list[str]:
    return [c for c, groups in rules.keywords.items() if _holds(text, groups)]


def _match_name(name: str, rules: _Rules):
    """Exact, normalised, item-pattern and synonym matches of one name: (canonical, method, detail)."""
    if name in rules.dictionary:
        return name, "exact", ""
    key = _compact(name)
    if key in rules.prefixes:
        return None  # "PSS4" names the instrument (a total?), not its item 4
    if key in rules.canonical:
        return rules.canonical[key], "normalised", ""
    item = _item(name, rules)
    if item is not None:
        return item[0], "item pattern", item[1] + (" (name marks it reversed)" if item[2] else "")
    if key in rules.synonyms:
        return rules.synonyms[key], "synonym", ""
    return None


def _drop_prefix(header: str):
    m = re.match(r"^([A-Za-z0-9]{1,6})[_.\- ](.+)$", header)
    return (m.group(1), m.group(2)) if m else None


def match_header(header: str, *, shared_prefixes=(), question=None, question_source="question text",
                 instruments_dir=None) -> ColumnMatch | None:
    """Recognise one export column by its header (and its question text, where the export has one).

    Parameters
    ----------
    header : str
        The column's name in the export.
    shared_prefixes : collection of str
        Prefixes most of the export's columns share (``"V"`` in ``V_hse_01``); a match found after
        dropping one of them keeps its confidence, after dropping any other it drops to medium.
    question : str, optional
        The question text (Qualtrics' second header row) or SPSS variable label, tried after the header.
    question_source : str
        What ``question`` is, in words, for the match's detail (``"variable label"``).
    instruments_dir : str, optional
        Folder of instrument files (default the package's own).

    Returns
    -------
    ColumnMatch or None
        None when nothing matched, or when keywords point at more than one column.

    Examples
    --------
    >>> match_header("HSE Q12")
    ColumnMatch(canonical='hse_12', method='item pattern', confidence='high', detail='HSE MSIT item 12')
    >>> [match_header(h).canonical for h in ["hse12", "PSS4_Q1", "UWES9_Q3", "Response ID", "Nation"]]
    ['hse_12', 'pss_1', 'uwes_3', 'respondent_id', 'nation']
    >>> match_header("StartDate").method, match_header("PSS4") is None
    ('metadata', True)
    """
    rules = _rules(instruments_dir)
    found = _match_name(header, rules)
    if found:
        return ColumnMatch(found[0], found[1], "high", found[2])
    split = _drop_prefix(header)
    if split and (found := _match_name(split[1], rules)):
        shared = split[0] in shared_prefixes
        return ColumnMatch(found[0], found[1], "high" if shared else "medium",
                           "; ".join(filter(None, [found[2], f"prefix {split[0]!r} dropped"])))
    key = _compact(header)
    if key in rules.metadata or (key and key.startswith(rules.metadata_prefixes)):
        return ColumnMatch(None, "metadata", "high")
    for text, where in ((header, ""), (question, question_source)):
        if not text:
            continue
        if where and (found := _match_name(text, rules)) and found[1] in ("normalised", "synonym"):
            return ColumnMatch(found[0], found[1], "high", f"{where} {found[2] or repr(text)}")
        hits = _keyword(text, rules)
        if len(hits) == 1:
            return ColumnMatch(hits[0], "keyword", "medium", f'{where or "header"} "{text}"')
    return None


# --- answers ------------------------------------------------------------------------------------

def _label_keys(spec) -> dict:
    """Answer key -> (code or value, method) for a coded or category column."""
    return _label_keys_of(spec.name, None)


@lru_cache(maxsize=512)
def _label_keys_of(name: str, instruments_dir: str | None) -> dict:
    spec = _rules(instruments_dir).dictionary[name]
    if spec.kind == "category":
        own = {v: v for v in spec.values}
        method, extra = "dictionary values", RULES["values"].get(spec.name, {})
    else:
        own = {label: code for code, label in spec.labels.items()}
        method = "instrument labels" if spec.instrument else "dictionary labels"
        extra = {own[k]: names for k in own for canon, names in RULES["labels"].items()
                 if normalise_label(canon) == normalise_label(k)}
    keys: dict = {("exact", normalise_label(k)): (v, method) for k, v in own.items()}
    words = Counter(_words(k) for k in own)
    # a normalised form two labels share ("Two to five" / "Two-five") would be a guess: left out
    keys |= {("words", _words(k)): (v, "normalised") for k, v in own.items() if words[_words(k)] == 1}
    for v, names in extra.items():
        for n in names:
            keys.setdefault(("words", _words(n)), (v if spec.kind != "category" else str(v), "synonym"))
    return keys


def _match_answer(text: str, keys: dict):
    return keys.get(("exact", normalise_label(text))) or keys.get(("words", _words(text)))


@dataclass(frozen=True)
class Todo:
    """Something the drafter could not decide; the message says what to do.

    Attributes
    ----------
    kind : str
        ``unmatched column``, ``ambiguous column``, ``unmatched block``, ``ambiguous block``,
        ``unmapped answer``, ``out of range``, ``incomplete instrument``, ``missing column``,
        ``no wave label`` or ``check keying``.
    column : str or None
        The export column concerned (the first, when several are).
    value : object
        The answer or value concerned, if any.
    message : str
        What was found and how to resolve it (the ``# TODO:`` comment in the written file).
    section : str
        The codebook key it belongs under (``columns``, ``answer_labels``, ...).
    also : tuple of str
        The other export columns concerned (the rest of a numbered block).
    """

    kind: str
    column: str | None
    value: object
    message: str
    section: str = "columns"
    also: tuple = ()

    def __str__(self) -> str:
        return self.message


@dataclass
class DraftResult:
    """A drafted codebook and how every part of it was found.

    Attributes
    ----------
    codebook : dict
        The draft, in the format of ``analysis/specs/schemas/codebook.schema.yaml``.
    columns : DataFrame
        One row per export column: ``export_column, canonical, action`` (``map``, ``ignore`` or
        ``todo``), ``method, confidence, detail``.
    answers : DataFrame
        One row per distinct answer mapped to a code or category: ``export_column, canonical,
        answer, code, method, confidence``.
    missing : DataFrame
        One row per missing code: ``code, applies_to`` (``all`` or a canonical column),
        ``method, confidence, cells, columns``.
    todo : list of Todo
        What is left for a person to decide; empty when the draft loads the export as it is.
    source : str
        The export's file name.
    comments : dict
        (section, entry) -> the comment :func:`write_draft` puts beside it.
    """

    codebook: dict
    columns: pd.DataFrame
    answers: pd.DataFrame
    missing: pd.DataFrame
    todo: list
    source: str
    comments: dict = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        actions = self.columns["action"].value_counts()
        return (f"DraftResult({self.source!r}: {actions.get('map', 0)} columns mapped, "
                f"{actions.get('ignore', 0)} ignored, {len(self.todo)} TODO)")


def _tool_header_rows(frame: pd.DataFrame, markers: tuple) -> int:
    """How many rows under the column names a survey tool added: up to the first of the top three
    rows whose cells mostly start with a marker (Qualtrics' ImportId row), else 0.

    Examples
    --------
    >>> rows = pd.DataFrame({"Q1": ["Which nation?", '{"ImportId":"QID1"}', "Wales"],
    ...                      "Q2": ["How satisfied?", '{"ImportId":"QID2"}', "Satisfied"]})
    >>> _tool_header_rows(rows, ('{"ImportId"',)), _tool_header_rows(rows.iloc[2:], ('{"ImportId"',))
    (2, 0)
    """
    for row in range(min(3, len(frame))):
        cells = frame.iloc[row].astype(str).str.strip()
        if cells.str.startswith(markers).mean() > 0.5:
            return row + 1
    return 0


def _variable_labels(table: RawTable) -> dict:
    """Column -> variable label of an SPSS or Stata file (empty for other formats)."""
    if table.format not in ("spss", "stata"):
        return {}
    import pyreadstat

    reader = pyreadstat.read_sav if table.format == "spss" else pyreadstat.read_dta
    try:
        _, meta = reader(str(table.path), metadataonly=True)
    except Exception:  # noqa: BLE001 - the file was read a moment ago; without its labels the draft has less evidence
        return {}
    return {str(c): " ".join(str(v).split()) for c, v in (meta.column_names_to_labels or {}).items()
            if v is not None and str(v).strip()}


def _distinct(series: pd.Series, value_labels: dict) -> list[tuple]:
    """(value as stored, value label or None, count) for each distinct non-blank value."""
    out = []
    for value, n in series.value_counts(dropna=True, sort=False).items():
        if isinstance(value, str) and not value.strip():
            continue
        x = _as_number(value)
        out.append((value, value_labels.get(x) if x is not None else None, int(n)))
    return out


def _fits(answers, keys) -> bool:
    return bool(answers) and all(_match_answer(a, keys) for a in answers)


@dataclass(frozen=True)
class _Seen:
    """One column's answers with missing codes left out: ``texts`` (answers given as text, or the value
    labels of codes), ``numbers`` (codes without a label) and ``labelled`` (the codes that have one)."""

    texts: tuple = ()
    numbers: tuple = ()
    labelled: tuple = ()


def _seen(series, value_labels, rules, declared=()) -> _Seen:
    """What a column holds, for matching it: texts and unlabelled numbers, missing-answer phrases,
    value labels that are such phrases and declared (SPSS user-missing) values left out.

    Examples
    --------
    >>> _seen(pd.Series(["Never", "-99", "3", "Don't know", "Never"]), {}, _rules())
    _Seen(texts=('Never',), numbers=(-99.0, 3.0), labelled=())
    >>> _seen(pd.Series([1.0, 2.0, 98.0, -99.0]), {1.0: "Never", 98.0: "Prefer not to say"}, _rules(), [-99.0])
    _Seen(texts=('Never',), numbers=(2.0,), labelled=(1.0,))
    """
    texts, numbers, labelled = [], [], []
    for value, label, _ in _distinct(series, value_labels):
        x = _as_number(value)
        if x is not None and x in declared:
            continue
        if label is None and x is not None:
            numbers.append(x)
            continue
        text = label if label is not None else str(value).strip()
        if not _is_missing_phrase(text, rules):
            texts.append(text)
            if label is not None:
                labelled.append(x)
    return _Seen(tuple(texts), tuple(numbers), tuple(labelled))


# --- the drafter --------------------------------------------------------------------------------

@checked(path="path")
def draft_codebook(path, *, wave=None, sheet=None) -> DraftResult:
    """Draft a codebook for a raw export.

    Parameters
    ----------
    path : str or Path
        The export: CSV/TSV (delimiter and encoding sniffed), ``.xlsx``, SPSS ``.sav``/``.zsav``
        (value labels and user-missing values are used), Stata ``.dta`` or Parquet.
    wave : str or int, optional
        The wave label to write (default: the file's wave column, else its ``.meta.yaml``
        sidecar; without either, a TODO).
    sheet : str or int, optional
        Excel sheet (default the first); written into the codebook.

    Returns
    -------
    DraftResult
        ``codebook`` (the draft), ``columns``, ``answers`` and ``missing`` (how each part was
        found, with a confidence), and ``todo`` (what is left to decide).

    Raises
    ------
    SurveyDataError
        When the file cannot be read (missing, empty, unreadable).

    Examples
    --------
    >>> from analysis.paths import SYNTHETIC_DIR
    >>> draft = draft_codebook(SYNTHETIC_DIR / "wave_2018_export.csv")
    >>> draft.codebook["columns"]["HSEMSIT_Q12"], draft.codebook["missing_codes"], draft.todo
    ('hse_12', [-99, 'Prefer not to say'], [])
    >>> draft.columns.set_index("export_column").loc["Response ID", ["canonical", "method"]].tolist()
    ['respondent_id', 'synonym']
    """
    # The order matters: steps 2 and 8 pass over columns an earlier step has already put in `todo`.
    rules = _rules()
    export, todo = _read_export(Path(path), sheet, rules)
    comments: dict = {}
    matches = _match_headers(export, rules, todo)
    _match_numbered_blocks(export, matches, rules, todo)
    _settle_shared_targets(matches, todo)
    mapped = {h: m.canonical for h, m in matches.items() if m is not None and m.canonical is not None}
    ignore = [h for h, m in matches.items() if m is not None and m.canonical is None]
    found = _read_answers(export, mapped, rules, todo)
    missing_codes, column_missing, missing_rows = _place_missing_codes(found, mapped, rules, comments)
    answer_labels = _group_answer_labels(found, mapped, rules, comments)
    wave_entry = _check_what_a_load_needs(export, matches, mapped, wave, rules, todo)
    rows = _column_rows(export, matches, mapped, rules, todo, comments)
    codebook = _assemble_codebook(export, sheet, wave_entry, comments, {
        "columns": mapped, "ignore": ignore, "missing_codes": missing_codes,
        "column_missing_codes": column_missing, "answer_labels": answer_labels})
    load_codebook(codebook)  # the draft itself always fits the codebook format

    return DraftResult(
        codebook=codebook,
        columns=pd.DataFrame(rows, columns=["export_column", "canonical", "action", "method", "confidence", "detail"]),
        answers=pd.DataFrame(found.rows, columns=["export_column", "canonical", "answer", "code", "method",
                                                  "confidence"]),
        missing=pd.DataFrame(missing_rows, columns=["code", "applies_to", "method", "confidence", "cells", "columns"]),
        todo=todo,
        source=export.path.name,
        comments=comments,
    )


@dataclass(frozen=True)
class _Export:
    """The export as the drafting steps read it."""

    path: Path
    table: RawTable
    frame: pd.DataFrame      # the answers (without a survey tool's extra header rows)
    header: list             # the column names, as text
    questions: dict          # column -> question text (Qualtrics' second header row) or variable label
    labels_of: dict          # column -> {code: value label} (SPSS, Stata)
    sidecar: dict            # the <stem>.meta.yaml beside the export, if any
    header_rows: int = 1     # header rows at the top, the column names included (for header_rows:)
    question_source: str = "question text"   # what `questions` are, in words

    def seen(self, h: str) -> _Seen:
        """What column ``h`` holds (texts and numbers, missing codes left out)."""
        declared = {float(x) for x in self.table.declared_missing.get(h, ())}
        return _seen(self.frame[h], self.labels_of[h], _rules(), declared)


@dataclass
class _Answers:
    """What the answers of the mapped columns hold (step 4)."""

    candidates: dict = field(default_factory=dict)  # normalised missing code -> what and where
    rows: list = field(default_factory=list)        # one per answer mapped (DraftResult.answers)
    labels: dict = field(default_factory=dict)      # canonical -> answer labels to write

    def note_missing(self, value, method, confidence, canon, n) -> None:
        """Record ``n`` cells of ``canon`` holding a missing code; the surest method found wins."""
        key = normalise_label(value)
        c = self.candidates.setdefault(key, {"code": value, "method": method, "confidence": confidence,
                                             "columns": Counter()})
        if CONFIDENCE.index(confidence) < CONFIDENCE.index(c["confidence"]):
            c.update(method=method, confidence=confidence)
        c["columns"][canon] += n


def _read_export(path: Path, sheet, rules: _Rules) -> tuple[_Export, list[Todo]]:
    """Read the export and its sidecar. A survey tool's extra header rows (Qualtrics' question text and
    ImportIds) are left out here as ``header_rows:`` leaves them out when loading; the file is not changed."""
    table = read_table(path, sheet=sheet)
    frame = table.frame
    header = [str(c) for c in frame.columns]
    extra = _tool_header_rows(frame, rules.header_markers) if table.format in ("csv", "excel") else 0
    if extra:
        questions = {h: " ".join(str(q).split()) for h, q in zip(header, frame.iloc[0])
                     if extra > 1 and pd.notna(q) and str(q).strip()}
        frame = frame.iloc[extra:]
    else:
        questions = _variable_labels(table)
    labels_of = {c: {float(k): str(v) for k, v in (table.value_labels.get(c) or {}).items()} for c in header}
    source = "variable label" if table.format in ("spss", "stata") else "question text"
    return _Export(path, table, frame, header, questions, labels_of, read_sidecar(path), 1 + extra, source), []


def _match_headers(export: _Export, rules: _Rules, todo: list) -> dict[str, ColumnMatch | None]:
    """Step 1: match each header on its own (a header keywords tie to several columns is a TODO)."""
    header = export.header
    prefixes = Counter(p[0] for h in header if (p := _drop_prefix(h)))
    shared = {p for p, n in prefixes.items() if n >= len(header) / 2}
    matches: dict[str, ColumnMatch | None] = {}
    for h in header:
        matches[h] = match_header(h, shared_prefixes=shared, question=export.questions.get(h),
                                  question_source=export.question_source)
        if matches[h] is None and len(hits := _keyword(h, rules)) > 1:
            todo.append(Todo("ambiguous column", h, None,
                             f'column "{h}" could be any of {", ".join(hits)} - map it under '
                             "columns: or add it to ignore:"))
    return matches


def _match_numbered_blocks(export: _Export, matches: dict, rules: _Rules, todo: list) -> None:
    """Step 2: match numbered blocks (``MS1`` ... ``MS35``, ``Q3_1`` ... ``Q3_4``) to instruments by their
    numbering, answers, names and question text; adjacent blocks may make one instrument together.

    A block is tried when none of its columns is taken already (an item pattern of the block's own
    instrument, or a keyword in its question text, may be overruled); one that cannot be placed is a
    TODO when its numbering fits an instrument, else its columns are left to step 8.
    """
    flagged = {c for t in todo for c in (t.column, *t.also)}
    blocks = [b for b in _find_blocks(export.header, rules) if _is_open(b, matches, flagged)]
    failed = []
    for block in blocks:
        outcome = _place_blocks([block], export, matches, rules)
        if outcome is not None:
            failed.append((block, outcome))
    # blocks still unplaced and untouched may make an instrument together (the HSE tool in two grids)
    loose = [b for b, _ in failed if all(matches[h] is None or matches[h].method == "keyword"
                                               for h in b.headers)]
    placed, i = set(), 0
    while i < len(loose):
        for size in range(min(RULES["blocks"]["max_joined"], len(loose) - i), 1, -1):
            run = loose[i:i + size]
            if _adjacent(run) and _place_blocks(run, export, matches, rules) is None:
                placed |= {b.stem for b in run}
                i += size - 1
                break
        i += 1
    for block, (why, fits) in failed:
        if block.stem in placed or why == "outweighed" or not fits or any(matches[h] for h in block.headers):
            continue
        todo.append(_block_todo(block, why, fits))


@dataclass(frozen=True)
class _Block:
    """Export columns sharing a stem (``MS`` for ``MS1`` ... ``MS35``): (header, number, position) each."""

    stem: str
    members: tuple

    @property
    def headers(self) -> list:
        return [h for h, _, _ in self.members]

    @property
    def span(self) -> str:
        return f"{self.members[0][0]}-{self.members[-1][0]}" if len(self.members) > 1 else self.members[0][0]


def _split_numbered(header: str, rules: _Rules) -> tuple[str, int] | None:
    """Split a header into a block stem and a number, by the first block pattern that fits it.

    Examples
    --------
    >>> [_split_numbered(h, _rules()) for h in ["MS1", "MS_12", "Q5_1", "Q5.1", "HSE01", "Q12r3", "PSS4"]]
    [('MS', 1), ('MS', 12), ('Q5', 1), ('Q5', 1), ('HSE', 1), ('Q12r', 3), ('PSS', 4)]
    >>> _split_numbered("Nation", _rules()) is None
    True
    """
    for pattern in rules.block_patterns:
        if m := pattern.match(header):
            return m.group("stem"), int(m.group("number"))
    return None


def _find_blocks(header: list, rules: _Rules) -> list[_Block]:
    """The export's numbered blocks, in the export's order; a stem whose numbers repeat makes no block.

    Examples
    --------
    >>> [(b.stem, b.span) for b in _find_blocks(["id", "MS1", "MS2", "Q5_1", "Q5_2", "X1", "X_1"], _rules())]
    [('MS', 'MS1-MS2'), ('Q5', 'Q5_1-Q5_2')]
    """
    members: dict[str, list] = {}
    for position, h in enumerate(header):
        if split := _split_numbered(h, rules):
            members.setdefault(split[0], []).append((h, split[1], position))
    return [_Block(stem, tuple(m)) for stem, m in members.items() if len({n for _, n, _ in m}) == len(m)]


#: Methods that match a column to an item by its own name (``pss_1``, ``PSS1``, ``PSS4_Q1``).
_BY_NAME = ("exact", "normalised", "item pattern")


def _named_item(m: ColumnMatch | None) -> bool:
    """Whether a match puts a column on an instrument item by the column's own name."""
    return m is not None and m.method in _BY_NAME and _rules().dictionary[m.canonical].instrument is not None


def _is_open(block: _Block, matches: dict, flagged: set) -> bool:
    """Whether a block is for step 2 to place: none of its columns is a TODO already or matched other than
    to an item by its name or by a keyword, and not all of them to items by name (nothing left to do)."""
    found = [matches[h] for h in block.headers]
    return (not flagged.intersection(block.headers)
            and all(m is None or m.method == "keyword" or _named_item(m) for m in found)
            and not all(_named_item(m) for m in found))


def _adjacent(blocks: list) -> bool:
    """Whether blocks follow one another in the export, each a run of neighbouring columns."""
    positions = [p for b in blocks for _, _, p in b.members]
    return positions == list(range(positions[0], positions[0] + len(positions)))


def _numbering(groups: list, numbers) -> dict | None:
    """Item number of each column when the blocks ``groups`` (lists of (header, number), in the export's
    order) hold exactly the items ``numbers``: by their own numbers, or, when each block is numbered
    from 1, one block after the other. None when they do not.

    Examples
    --------
    >>> _numbering([[("MS1", 1), ("MS2", 2)]], [1, 2])
    {'MS1': 1, 'MS2': 2}
    >>> _numbering([[("Q1_1", 1), ("Q1_2", 2)], [("Q2_1", 1)]], [1, 2, 3])
    {'Q1_1': 1, 'Q1_2': 2, 'Q2_1': 3}
    >>> _numbering([[("Q1_1", 1), ("Q1_3", 3)]], [1, 2]) is None
    True
    """
    own = [(h, n) for g in groups for h, n in g]
    if sorted(n for _, n in own) == sorted(numbers):
        return dict(own)
    if len(groups) > 1 and len(own) == len(numbers) and all(
            sorted(n for _, n in g) == list(range(1, len(g) + 1)) for g in groups):
        in_order = [h for g in groups for h, _ in sorted(g, key=lambda m: m[1])]
        return dict(zip(in_order, sorted(numbers)))
    return None


def _fits_item(seen: _Seen, spec, rules: _Rules) -> bool | None:
    """Whether a column's answers fit an item: every text one of its answer labels (or their spellings),
    every number one of its codes (a sentinel outside the range aside). None when it holds no answer.

    Examples
    --------
    >>> d = _rules().dictionary
    >>> _fits_item(_Seen(numbers=(0.0, 4.0, -99.0)), d["pss_4"], _rules()), _fits_item(_Seen(numbers=(5.0,)), d["pss_4"], _rules())
    (True, False)
    >>> _fits_item(_Seen(texts=("Fairly often",)), d["pss_1"], _rules()), _fits_item(_Seen(), d["pss_1"], _rules()) is None
    (True, True)
    """
    numbers = [x for x in seen.numbers if not (x in rules.sentinels and not spec.min <= x <= spec.max)]
    if not seen.texts and not numbers:
        return None
    keys = _label_keys(spec)
    return (all(_match_answer(text, keys) for text in seen.texts)
            and all(x.is_integer() and spec.min <= x <= spec.max for x in numbers))


def _what_text_says(questions: dict, items: dict, inst, rules: _Rules, source: str) -> str:
    """What the question texts (or variable labels) of a block's columns say for an instrument, in words,
    or ``""``: its name or keywords in at least half of them, or the items' short labels of our own
    in at least half of them.

    Examples
    --------
    >>> r = _rules()
    >>> pss = r.dictionary.instruments[[i.id for i in r.dictionary.instruments].index("pss4")]
    >>> items = {f"Q3_{n}": f"pss_{n}" for n in range(1, 5)}
    >>> _what_text_says({h: "Perceived stress, last month" for h in items}, items, pss, r, "question text")
    'question text names it ("perceived stress")'
    >>> said = {h: f"Last month - {pss.item_labels[c]}" for h, c in items.items()}
    >>> _what_text_says(said, items, pss, r, "variable label")
    "variable label holds the items' short labels (4 of 4)"
    """
    texts = {h: questions[h] for h in items if questions.get(h)}
    if not texts:
        return ""
    named = [g for h in texts if (g := _holds(texts[h], rules.instrument_words[inst.id]))]
    if 2 * len(named) >= len(items):
        return f'{source} names it ("{" ".join(named[0]).replace("*", "")}")'
    labelled = sum(set(_words(inst.item_labels[c])) <= set(_words(texts[h])) for h, c in items.items() if h in texts)
    if 2 * labelled >= len(items):
        return f"{source} holds the items' short labels ({labelled} of {len(items)})"
    return ""


def _describe_seen(seen: list, specs: list) -> str:
    """The answers a block holds, in words: the range of its codes, and the labels it uses (by answer
    set, in the order of their codes).

    Examples
    --------
    >>> d = _rules().dictionary
    >>> _describe_seen([_Seen(numbers=(1.0, 5.0)), _Seen(numbers=(2.0, -99.0))], [d["hse_01"], d["hse_02"]])
    'answers 1-5 seen'
    >>> _describe_seen([_Seen(texts=("Often", "Never", "Seldom")), _Seen(texts=("Agree",))], [d["hse_01"], d["hse_24"]])
    'answers "Never" ... "Often" and "Agree" seen'
    >>> _describe_seen([_Seen(texts=("Never", "Very often"), labelled=(1.0, 5.0))], [d["pss_1"]])
    'codes 1-5 with value labels "Never", "Very often" seen'
    """
    sentinels = _rules().sentinels   # a missing-answer code (-99) is not an answer seen
    numbers = [x for s, spec in zip(seen, specs) for x in s.numbers
               if spec.min <= x <= spec.max or x not in sentinels]
    codes = [x for s in seen for x in s.labelled]
    by_set: dict = {}
    for s, spec in zip(seen, specs):
        keys, found = _label_keys(spec), by_set.setdefault(tuple(spec.labels.items()), {})
        for text in s.texts:
            hit = _match_answer(text, keys)
            found.setdefault(text, hit[0] if hit else np.inf)
    labels = []
    for found in filter(None, by_set.values()):
        ordered = sorted(found, key=lambda k: (found[k], k))
        labels.append(f'"{ordered[0]}" ... "{ordered[-1]}"' if len(ordered) > 2 else _quote(ordered))
    parts = []
    if numbers:
        lo, hi = min(numbers), max(numbers)
        parts.append(f"answers {lo:g}-{hi:g}" if lo != hi else f"answer {lo:g}")
    if labels and codes:
        parts.append(f"codes {min(codes):g}-{max(codes):g} with value labels {' and '.join(labels)}")
    elif labels:
        parts.append(f"answers {' and '.join(labels)}")
    return (", ".join(parts) + " seen") if parts else "no answers"


@dataclass(frozen=True)
class _BlockFit:
    """How well a block (or blocks side by side) fits one instrument."""

    instrument: object   # the Instrument
    items: dict          # export column -> item column
    answers: bool | None  # every answered column fits its item (None: no answers at all)
    named: bool          # every column's own name says it is that item (PSS1 ... PSS4)
    said: str            # what the question text or variable labels say for it, or ""
    seen: str            # the answers seen, in words


def _fit(blocks: list, inst, export: _Export, rules: _Rules) -> _BlockFit | None:
    """How ``blocks`` fit instrument ``inst``, or None when their numbering does not fit its items."""
    numbers = rules.by_number[inst.id]
    order = _numbering([[(h, n) for h, n, _ in b.members] for b in blocks], numbers)
    if order is None:
        return None
    items = {h: numbers[n] for h, n in order.items()}
    d = rules.dictionary
    seen = [export.seen(h) for h in items]
    specs = [d[c] for c in items.values()]
    fits = [_fits_item(s, spec, rules) for s, spec in zip(seen, specs)]
    answers = None if all(f is None for f in fits) else all(f is not False for f in fits)
    named = all((item := _item(h, rules)) is not None and item[0] == c for h, c in items.items())
    said = _what_text_says(export.questions, items, inst, rules, export.question_source)
    return _BlockFit(inst, items, answers, named, said, _describe_seen(seen, specs))


def _choose_fit(fits: list, keyword_matched: int, name_matched: int, size: int) -> tuple:
    """Pick the instrument a block is: (fit, method, confidence), or (None, why, "").

    Its own names decide first (``PSS1`` ... ``PSS4``: item pattern, high); else the one instrument
    whose answers it fits (answer pattern: high with question text for it, medium without), the
    question text breaking a tie. Answers never overrule columns already matched to items by their
    names, and a medium match does not overrule keyword matches of half the block or more (``why`` is
    then ``outweighed``); otherwise ``why`` is ``ambiguous`` or ``no fit``.

    Examples
    --------
    >>> fit = _BlockFit("pss4", {}, answers=True, named=False, said="", seen="answers 0-4 seen")
    >>> _choose_fit([fit], 0, 0, 4)[1:], _choose_fit([fit], 2, 0, 4)[1], _choose_fit([fit], 0, 1, 4)[1]
    (('answer pattern', 'medium'), 'outweighed', 'outweighed')
    """
    named = [f for f in fits if f.named]
    if len(named) == 1:
        return named[0], "item pattern", "high"
    if name_matched:
        return None, "outweighed", ""
    ok = [f for f in fits if f.answers]
    if len(ok) > 1:
        ok = [f for f in ok if f.said] or ok
    if len(ok) != 1:
        return None, "ambiguous" if ok else "no fit", ""
    confidence = "high" if ok[0].said else "medium"
    if confidence == "medium" and 2 * keyword_matched >= size:
        return None, "outweighed", ""
    return ok[0], "answer pattern", confidence


def _place_blocks(blocks: list, export: _Export, matches: dict, rules: _Rules):
    """Match ``blocks`` (one, or several side by side) to an instrument in ``matches``; returns None when
    placed, else (why, fits) for a TODO."""
    fits = [f for inst in rules.dictionary.instruments if (f := _fit(blocks, inst, export, rules))]
    headers = [h for b in blocks for h in b.headers]
    keyword_matched = sum(matches[h] is not None and matches[h].method == "keyword" for h in headers)
    name_matched = sum(_named_item(matches[h]) for h in headers)
    fit, method, confidence = _choose_fit(fits, keyword_matched, name_matched, len(headers))
    if fit is None:
        return method, fits
    inst, first = fit.instrument, headers[0]
    shape = (f"{len(headers)} columns {blocks[0].span}" if len(blocks) == 1 else
             f"{len(headers)} columns in {len(blocks)} blocks side by side "
             f"({', '.join(b.span for b in blocks)}), taken in order")
    evidence = "; ".join(filter(None, [f"matched to {inst.id}: {shape}, {fit.seen}", fit.said,
                                       f"the names say {inst.short_name} items" if fit.named else ""]))
    for h, column in fit.items.items():
        number = inst.item_numbers[column]
        if fit.named and _named_item(matches[h]):
            continue  # PSS1 ... PSS3 keep their own match; PSS4 joins them below
        if fit.named:
            detail = (f"{inst.short_name} item {number}: alone, {h} would name the instrument, but here it "
                      f"is item {number} of the block {blocks[0].span}")
        elif h == first:
            detail = f"{evidence}; item {number}"
        else:
            detail = f"item {number} of the {len(headers)} columns from {first} matched to {inst.id} (see {first})"
        matches[h] = ColumnMatch(column, method, confidence, detail)
    return None


def _block_todo(block: _Block, why: str, fits: list) -> Todo:
    """The TODO for a numbered block that could not be placed although its numbering fits instruments."""
    names = ", ".join(f.instrument.short_name for f in fits)
    n = len(block.members)
    if why == "ambiguous":
        said = f"its numbering and answers fit {names} alike"
    else:
        f = fits[0]
        said = (f"it is numbered like the {n} items of {names}, but its answers do not fit ({f.seen}; "
                f"{f.instrument.short_name} answers are {f.instrument.answer_min}-{f.instrument.answer_max} or "
                "their labels)" if f.answers is False else
                f"it is numbered like the {n} items of {names}, but holds no answers to tell")
    return Todo("ambiguous block" if why == "ambiguous" else "unmatched block", block.headers[0], None,
                f"columns {block.span} ({n} numbered columns) not matched: {said} - map them under columns:"
                " (with recode: if the codes are shifted), or add them to ignore:", "columns", tuple(block.headers[1:]))


def _settle_shared_targets(matches: dict, todo: list) -> None:
    """Step 3: keep one export column per canonical column, the best match; a tie is left to a person."""
    by_target: dict[str, list[str]] = {}
    for h, m in matches.items():
        if m is not None and m.canonical is not None:
            by_target.setdefault(m.canonical, []).append(h)
    for canon, heads in by_target.items():
        if len(heads) < 2:
            continue
        rank = {h: (CONFIDENCE.index(matches[h].confidence), METHODS.index(matches[h].method)) for h in heads}
        best = min(rank.values())
        winners = [h for h in heads if rank[h] == best]
        keep = winners[0] if len(winners) == 1 else None
        for h in heads:
            if h == keep:
                continue
            others = [x for x in heads if x != h]
            other = (f'but "{keep}" is mapped to it' if keep
                     else f"as {'does' if len(others) == 1 else 'do'} {_quote(others)}")
            todo.append(Todo("ambiguous column", h, None,
                             f'column "{h}" looks like {canon} ({matches[h].describe()}), {other} - '
                             "map it under columns: or add it to ignore:"))
            matches[h] = None


def _read_answers(export: _Export, mapped: dict, rules: _Rules, todo: list) -> _Answers:
    """Step 4: read the answers and missing codes of each mapped column; what fits nothing is a TODO."""
    d = rules.dictionary
    found = _Answers()
    unmapped: dict = {}       # (answer, expected) -> [(export column, canonical), ...]
    out_of_range: dict = {}   # export column -> (canonical, the numbers outside its range)
    for h, canon in mapped.items():
        spec = d[canon]
        if spec.kind in ("id", "label", "text"):
            continue
        keys = _label_keys(spec) if (spec.labels or spec.kind == "category") else {}
        texts, bad_numbers = _sort_answers(export, h, spec, keys, rules, found)
        for text in _map_answers(h, spec, keys, texts, found):
            unmapped.setdefault((text, spec.expected()), []).append((h, canon))
        if bad_numbers:
            out_of_range[h] = (canon, sorted(set(bad_numbers)))

    for (text, expected), where in unmapped.items():
        h, canon = where[0]
        place = (f'column "{h}" ({canon})' if len(where) == 1
                 else f"{len(where)} columns ({_quote([w[0] for w in where], 3)})")
        todo.append(Todo("unmapped answer", h, text,
                         f'answer "{text}" in {place} not mapped - add it to an answer_labels set with its '
                         f"code (expected {expected}), or to missing_codes: if it means no answer",
                         "answer_labels"))
    for h, (canon, values) in out_of_range.items():
        todo.append(_out_of_range_todo(export, h, d[canon], values, found.candidates))
    return found


def _sort_answers(export: _Export, h: str, spec, keys: dict, rules: _Rules, found: _Answers) -> tuple[dict, list]:
    """One column's distinct answers: missing codes go to ``found``; returns the texts to map (with
    their counts) and the numbers outside the column's range."""
    canon = spec.name
    declared = {float(x) for x in export.table.declared_missing.get(h, ())}
    texts, bad_numbers = {}, []
    for value, label, n in _distinct(export.frame[h], export.labels_of[h]):
        x = _as_number(value)
        if x is not None and x in declared:
            found.note_missing(_plain(x), "SPSS user-missing", "high", canon, n)
            continue
        if label is None and x is not None:
            in_range = (spec.kind in ("code", "number") and spec.min <= x <= spec.max
                        and (spec.kind == "number" or x.is_integer()))
            if in_range or (spec.kind == "category" and normalise_label(x) in
                            {normalise_label(v) for v in spec.values}):
                continue
            if x in rules.sentinels:
                found.note_missing(_plain(x), "sentinel value",
                                   "high" if x in rules.sure_sentinels else "medium", canon, n)
            elif spec.kind == "category":
                texts[str(value)] = n
            else:
                bad_numbers.append(x)
            continue
        text = label if label is not None else str(value).strip()
        if _is_missing_phrase(text, rules) and not _match_answer(text, keys):
            found.note_missing(text, "SPSS value label" if label is not None else "missing-answer phrase",
                               "high", canon, n)
            continue
        texts[text] = n
    return texts, bad_numbers


def _map_answers(h: str, spec, keys: dict, texts: dict, found: _Answers) -> list[str]:
    """Map one column's answer texts to codes or categories in ``found``; returns those that map to none."""
    canon = spec.name
    unmapped = []
    for text in texts:
        hit = _match_answer(text, keys) if keys else None
        if hit is None:
            unmapped.append(text)
            continue
        code, method = hit
        found.rows.append({"export_column": h, "canonical": canon, "answer": text, "code": code,
                           "method": method, "confidence": "medium" if method == "synonym" else "high"})
        if spec.kind == "category":
            if method != "dictionary values":
                found.labels.setdefault(canon, {})[text] = code
        else:
            labels = found.labels.setdefault(canon, {v: k for k, v in spec.labels.items()})
            if method != "instrument labels" and method != "dictionary labels":
                labels[text] = code
    return unmapped


def _out_of_range_todo(export: _Export, h: str, spec, values: list, candidates: dict) -> Todo:
    """The TODO for numbers outside a column's range, with a recode hint when the codes look shifted by one."""
    canon = spec.name
    shown = ", ".join(f"{_plain(v)}" for v in values[:6]) + (" ..." if len(values) > 6 else "")
    hint = ""
    observed = [_as_number(v) for v, _, _ in _distinct(export.frame[h], {})]
    observed = [x for x in observed if x is not None and normalise_label(_plain(x)) not in candidates]
    if spec.kind == "code" and observed and min(observed) >= spec.min + 1 and max(observed) == spec.max + 1:
        hint = (f"; the answers look coded {spec.min + 1:g}-{spec.max + 1:g}, one above the canonical codes: "
                f"if so, add recode: {{{canon}: {{{', '.join(f'{k + 1:g}: {k:g}' for k in spec.labels)}}}}}")
    return Todo("out of range", h, values[0],
                f'column "{h}" ({canon}) holds {shown}, outside the expected {spec.expected()} - '
                "list them under missing_codes: if they mean no answer, or recode them (recode:)"
                f"{hint}", "missing_codes")


def _place_missing_codes(found: _Answers, mapped: dict, rules: _Rules, comments: dict) -> tuple[list, dict, list]:
    """Step 5: make each missing code apply everywhere, unless a mapped column holds it as an answer."""
    d = rules.dictionary
    holds = {}
    for canon in mapped.values():
        spec = d[canon]
        if spec.kind in ("code", "number"):
            holds[canon] = (spec.min, spec.max, {normalise_label(v) for v in spec.labels.values()})
        elif spec.kind == "category":
            holds[canon] = (None, None, {normalise_label(v) for v in spec.values})
    missing_codes, column_missing, missing_rows = [], {}, []
    ordered = sorted(found.candidates.values(),
                     key=lambda c: (not isinstance(c["code"], (int, float)),
                                    c["code"] if isinstance(c["code"], (int, float)) else 0))
    for c in ordered:
        code, key = c["code"], normalise_label(c["code"])
        x = _as_number(code) if isinstance(code, (int, float)) else None
        clash = [canon for canon, (lo, hi, words) in holds.items()
                 if key in words or (x is not None and lo is not None and lo <= x <= hi)]
        cells, ncols = sum(c["columns"].values()), len(c["columns"])
        where = f"{cells:,} cell{'s' if cells != 1 else ''} in {ncols} column{'s' if ncols != 1 else ''}"
        if not clash:
            missing_codes.append(code)
            comments[("missing_codes", key)] = f"{c['method']}, {c['confidence']}: {where}"
            missing_rows.append({"code": code, "applies_to": "all", "method": c["method"],
                                 "confidence": c["confidence"], "cells": cells, "columns": ncols})
            continue
        for canon, n in c["columns"].items():
            column_missing.setdefault(canon, []).append(code)
            comments[("column_missing_codes", canon)] = "; ".join(filter(None, [
                comments.get(("column_missing_codes", canon)),
                f"{code}: {c['method']}, {c['confidence']} (a valid answer in {_quote(clash, 2)}, "
                "so a missing code only here)"]))
            missing_rows.append({"code": code, "applies_to": canon, "method": c["method"],
                                 "confidence": c["confidence"], "cells": n, "columns": 1})
    return missing_codes, column_missing, missing_rows


def _group_answer_labels(found: _Answers, mapped: dict, rules: _Rules, comments: dict) -> dict:
    """Step 6: gather the answer labels into sets; columns sharing the same labels share a set."""
    d = rules.dictionary
    groups: dict = {}
    category_labels: dict = {}
    conflict = False
    for h, canon in mapped.items():
        labels = found.labels.get(canon)
        if not labels:
            continue
        if d[canon].kind == "category":
            for k, v in labels.items():
                conflict |= category_labels.setdefault(k, v) != v
            continue
        groups.setdefault(tuple(labels.items()), []).append(canon)
    answer_labels = {}
    for i, (labels, cols) in enumerate(groups.items(), 1):
        answer_labels[f"set_{i}"] = {"columns": cols, "labels": dict(labels)}
        methods = sorted({r["method"] for r in found.rows if r["canonical"] in cols})
        span = cols[0] if len(cols) == 1 else f"{cols[0]} ... {cols[-1]} ({len(cols)} columns)"
        comments[("answer_labels", f"set_{i}")] = f"{span}; answers matched by {', '.join(methods)}"
    cats = [canon for canon in mapped.values() if d[canon].kind == "category" and found.labels.get(canon)]
    if cats and not conflict:
        answer_labels["categories"] = {"columns": cats, "labels": category_labels}
        comments[("answer_labels", "categories")] = "answers mapped to the dictionary's category values"
    else:
        for canon in cats:
            answer_labels[f"{canon}_values"] = {"columns": [canon], "labels": found.labels[canon]}
    exact = ("instrument labels", "dictionary labels", "dictionary values")
    how = {(r["canonical"], r["answer"]): f"{r['method']}, {r['confidence']}"
           for r in found.rows if r["method"] not in exact}
    for name, spec in answer_labels.items():
        for label in spec["labels"]:
            said = sorted({how[(c, label)] for c in spec["columns"] if (c, label) in how})
            if said:
                comments[("label", name, label)] = "; ".join(said)
    return answer_labels


def _check_what_a_load_needs(export: _Export, matches: dict, mapped: dict, wave, rules: _Rules,
                             todo: list) -> tuple[str | None, str | None]:
    """Step 7: check what a load needs besides the columns; returns the wave label and where it came from."""
    for inst in rules.dictionary.instruments:
        have = [c for c in inst.items if c in mapped.values()]
        if have and len(have) < len(inst.items):
            lacking = [c for c in inst.items if c not in have]
            todo.append(Todo("incomplete instrument", None, inst.id,
                             f"{inst.short_name}: {len(have)} of {len(inst.items)} items matched; no column found "
                             f"for {_quote(lacking, 6)} - map their export columns under columns:, or move the "
                             "matched ones to ignore:"))
    for h, m in matches.items():
        if m is not None and "name marks it reversed" in m.detail:
            todo.append(Todo("check keying", h, None,
                             f'column "{h}" ({m.canonical}) is named as reverse-scored - if the export already holds '
                             f"reversed answers, list {m.canonical} under reversed_in_source:; otherwise delete "
                             "this comment"))
    if "respondent_id" not in mapped.values():
        todo.append(Todo("missing column", None, "respondent_id",
                         "no column matched respondent_id - map the export's identifier column to respondent_id "
                         "under columns:"))
    path, sidecar = export.path, export.sidecar
    if wave is not None:
        return str(wave), "given when drafting"
    if "wave" not in mapped.values() and sidecar.get("wave") is not None:
        return str(sidecar["wave"]), f"from {path.stem}.meta.yaml"
    if "wave" not in mapped.values():
        year = re.search(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])", path.name)
        todo.append(Todo("no wave label", None, None,
                         "no wave column and no wave label - add wave: with the wave's label"
                         + (f" (the file name suggests {year.group(1)})" if year else ""), "wave"))
    return None, None


def _column_rows(export: _Export, matches: dict, mapped: dict, rules: _Rules, todo: list,
                 comments: dict) -> list[dict]:
    """Step 8: list how each export column was placed; a column nobody matched is a TODO."""
    flagged = {c for t in todo for c in (t.column, *t.also)}
    rows = []
    for h in export.header:
        m = matches[h]
        if m is None:
            if h not in flagged:
                hint = _hint(export.seen(h), mapped, rules)
                inst = rules.prefixes.get(_compact(h))
                named = (f" - it has the name of the instrument {inst.short_name} (a total score?), not of one of "
                         "its items" if inst is not None else "")
                todo.append(Todo("unmatched column", h, None,
                                 f'column "{h}" not matched{named} - map it under columns: or add it to ignore:{hint}'))
            rows.append({"export_column": h, "canonical": None, "action": "todo", "method": None,
                         "confidence": None, "detail": ""})
            continue
        rows.append({"export_column": h, "canonical": m.canonical, "action": "map" if m.canonical else "ignore",
                     "method": m.method, "confidence": m.confidence, "detail": m.detail})
        comments[("columns" if m.canonical else "ignore", h)] = m.describe()
    return rows


def _assemble_codebook(export: _Export, sheet, wave_entry: tuple, comments: dict, sections: dict) -> dict:
    """Put the codebook together: what the file needs to be read, then the non-empty sections."""
    path, table, sidecar = export.path, export.table, export.sidecar
    wave_label, wave_note = wave_entry
    codebook: dict = {"codebook": 1, "name": f"draft codebook for {path.name}",
                      "description": (f"Drafted from {path.name} (sha256 {table.sha256[:12]}) by "
                                      "analysis.reading.draft; check every mapping before use."),
                      "synthetic": bool(sidecar.get("synthetic", False))}
    if sidecar.get("synthetic"):
        comments[("synthetic", None)] = f"from {path.stem}.meta.yaml"
    if wave_label is not None:
        codebook["wave"] = wave_label
        comments[("wave", None)] = wave_note
    if table.encoding and table.encoding.replace("_", "-").lower() not in ("utf-8", "utf-8-sig", "utf-16", "ascii"):
        codebook["encoding"] = table.encoding
        comments[("encoding", None)] = "detected: check that accented letters read right"
    if table.delimiter and table.delimiter != ",":
        codebook["delimiter"] = table.delimiter
        comments[("delimiter", None)] = "sniffed"
    if sheet is not None:
        codebook["sheet"] = sheet
    if export.header_rows > 1:
        codebook["header_rows"] = export.header_rows
        comments[("header_rows", None)] = (
            f"the {export.header_rows - 1} rows under the column names hold the survey tool's "
            f"{'question text and ' if export.questions else ''}ImportIds, not answers: loading skips them "
            "and the file stays as exported")
    # columns: is always written, even empty; the other sections only when they hold something
    codebook |= {key: value for key, value in sections.items() if key == "columns" or value}
    return codebook


def _hint(seen: _Seen, mapped, rules) -> str:
    """Which unmapped canonical columns an unmatched column's answers would fit, as a hint."""
    answers = seen.texts
    if not answers:
        return "" if seen.numbers else " (no answers in the column)"
    d = rules.dictionary
    taken = set(mapped.values())
    fits = []
    for canon, spec in d.columns.items():
        if canon in taken or not (spec.labels or spec.kind == "category"):
            continue
        if _fits(answers, _label_keys(spec)):
            name = f"{d.columns[canon].description.split(' item')[0]} items" if spec.instrument else canon
            if name not in fits:
                fits.append(name)
    return f" (its answers fit {', '.join(fits[:4])}{' ...' if len(fits) > 4 else ''})" if fits else ""
