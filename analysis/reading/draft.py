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
    miss = RULES["missing"]
    return _Rules(
        dictionary=d, canonical=canonical, synonyms=synonyms, keywords=RULES["keywords"],
        prefixes=prefixes, by_number=by_number,
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


def _keyword(text: str, rules: _Rules) -> list[str]:
    words = re.findall(r"[0-9a-z]+", _fold(text))

    def has(k):
        return any(w.startswith(k[:-1]) for w in words) if k.endswith("*") else k in words

    return [c for c, groups in rules.keywords.items() if any(all(has(k) for k in g) for g in groups)]


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


def match_header(header: str, *, shared_prefixes=(), question=None, instruments_dir=None) -> ColumnMatch | None:
    """Recognise one export column by its header (and its question text, where the export has one).

    Parameters
    ----------
    header : str
        The column's name in the export.
    shared_prefixes : collection of str
        Prefixes most of the export's columns share (``"V"`` in ``V_hse_01``); a match found after
        dropping one of them keeps its confidence, after dropping any other it drops to medium.
    question : str, optional
        The question text (Qualtrics' second header row), tried after the header.
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
    for text, where in ((header, ""), (question, "question text")):
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
        ``unmatched column``, ``ambiguous column``, ``unmapped answer``, ``out of range``,
        ``incomplete instrument``, ``missing column``, ``no wave label``, ``check keying`` or
        ``extra header rows``.
    column : str or None
        The export column concerned (the first, when several are).
    value : object
        The answer or value concerned, if any.
    message : str
        What was found and how to resolve it (the ``# TODO:`` comment in the written file).
    section : str
        The codebook key it belongs under (``columns``, ``answer_labels``, ...).
    """

    kind: str
    column: str | None
    value: object
    message: str
    section: str = "columns"

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


def _qualtrics_header_rows(frame: pd.DataFrame) -> int:
    """2 when the export carries Qualtrics' question-text and ImportId rows under its header."""
    if len(frame) < 2:
        return 0
    second = frame.iloc[1].astype(str).str.startswith('{"ImportId"')
    return 2 if second.mean() > 0.5 else 0


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


def _text_answers(series, value_labels, rules) -> list[str]:
    texts = []
    for value, label, _ in _distinct(series, value_labels):
        text = label if label is not None else (None if _as_number(value) is not None else str(value))
        if text is not None and not _is_missing_phrase(text, rules):
            texts.append(text)
    return texts


# --- the drafter --------------------------------------------------------------------------------

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
    export, todo = _read_export(Path(path), sheet)
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
    frame: pd.DataFrame      # the answers (without Qualtrics' extra header rows)
    header: list             # the column names, as text
    questions: dict          # column -> question text (Qualtrics' second header row), if any
    labels_of: dict          # column -> {code: value label} (SPSS, Stata)
    sidecar: dict            # the <stem>.meta.yaml beside the export, if any


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


def _read_export(path: Path, sheet) -> tuple[_Export, list[Todo]]:
    """Read the export and its sidecar; Qualtrics' extra header rows are dropped, with a TODO."""
    table = read_table(path, sheet=sheet)
    frame = table.frame
    header = [str(c) for c in frame.columns]
    todo: list[Todo] = []

    skip = _qualtrics_header_rows(frame) if table.format in ("csv", "excel") else 0
    questions = dict(zip(header, frame.iloc[0].astype(str))) if skip else {}
    if skip:
        frame = frame.iloc[skip:]
        todo.append(Todo("extra header rows", None, None,
                         f"{path.name} has Qualtrics' question-text and ImportId rows under its header, which "
                         "are not answers - delete the file's 2nd and 3rd lines before loading", "file"))
    labels_of = {c: {float(k): str(v) for k, v in (table.value_labels.get(c) or {}).items()} for c in header}
    return _Export(path, table, frame, header, questions, labels_of, read_sidecar(path)), todo


def _match_headers(export: _Export, rules: _Rules, todo: list) -> dict[str, ColumnMatch | None]:
    """Step 1: match each header on its own (a header keywords tie to several columns is a TODO)."""
    header = export.header
    prefixes = Counter(p[0] for h in header if (p := _drop_prefix(h)))
    shared = {p for p, n in prefixes.items() if n >= len(header) / 2}
    matches: dict[str, ColumnMatch | None] = {}
    for h in header:
        matches[h] = match_header(h, shared_prefixes=shared, question=export.questions.get(h))
        if matches[h] is None and len(hits := _keyword(h, rules)) > 1:
            todo.append(Todo("ambiguous column", h, None,
                             f'column "{h}" could be any of {", ".join(hits)} - map it under '
                             "columns: or add it to ignore:"))
    return matches


def _match_numbered_blocks(export: _Export, matches: dict, rules: _Rules, todo: list) -> None:
    """Step 2: match numbered blocks (Q3_1 ... Q3_4) whose numbers and answers fit exactly one instrument."""
    d = rules.dictionary
    blocks: dict[str, dict[int, str]] = {}
    for h in export.header:
        m = re.match(r"^(.+?)[_.\- ]+([0-9]+)$", h)
        if matches[h] is None and m and not any(t.column == h for t in todo):
            blocks.setdefault(m.group(1), {})[int(m.group(2))] = h
    for block, members in blocks.items():
        fits = []
        for inst in d.instruments:
            numbers = rules.by_number[inst.id]
            if set(members) != set(numbers):
                continue
            if all(_fits(_text_answers(export.frame[h], export.labels_of[h], rules), _label_keys(d[numbers[n]]))
                   for n, h in members.items()):
                fits.append(inst)
        if len(fits) == 1:
            inst = fits[0]
            for n, h in members.items():
                matches[h] = ColumnMatch(rules.by_number[inst.id][n], "answer pattern", "medium",
                                         f"block {block!r} numbered and answered like {inst.short_name} items")


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
                "correct the cells, recode them (recode:), or list them under missing_codes: if they "
                f"mean no answer{hint}", "missing_codes")


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
    flagged = {t.column for t in todo}
    rows = []
    for h in export.header:
        m = matches[h]
        if m is None:
            if h not in flagged:
                hint = _hint(export.frame[h], export.labels_of[h], mapped, rules)
                todo.append(Todo("unmatched column", h, None,
                                 f'column "{h}" not matched - map it under columns: or add it to ignore:{hint}'))
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
    # columns: is always written, even empty; the other sections only when they hold something
    codebook |= {key: value for key, value in sections.items() if key == "columns" or value}
    return codebook


def _hint(series, value_labels, mapped, rules) -> str:
    """Which unmapped canonical columns an unmatched column's answers would fit, as a hint."""
    answers = _text_answers(series, value_labels, rules)
    if not answers:
        return "" if series.notna().any() else " (the column is empty)"
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
