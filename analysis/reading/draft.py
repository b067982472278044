"""Draft a codebook for a raw survey export (Qualtrics, SurveyMonkey, SPSS, ...).

:func:`draft_codebook` reads an export with :func:`analysis.reading.readers.read_table` and proposes a codebook
in the format of :mod:`analysis.reading.codebook`: which export column is which canonical column, which
values mean no answer, which answer labels stand for which codes, and which columns are the survey
tool's own metadata. :func:`write_draft` writes it as YAML with a comment on every entry saying how
it was matched and how sure the match is.

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
:data:`RULES`.
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
from ..errors import CodebookError, Problem
from .readers import read_table
from .waves import read_sidecar

#: The drafter's matching rules, as data. Phrases are compared after case-folding and dropping
#: apostrophes, spaces and punctuation ("Response ID" = "responseid").
RULES_YAML = r"""
# canonical column -> whole-header synonyms (matched with high confidence)
synonyms:
  respondent_id: [response id, respondent id, participant id, record id, case id, resp id, id,
                  unique id, respondent, response number, respondent number, participant]
  wave: [survey wave, survey year, year of survey]
  nation: [country, uk nation, nation of work, country of work, which nation do you work in,
           which country do you work in, which uk nation do you work in]
  sector: [service area, area of practice, practice area, main service area, service user group,
           which service area do you work in]
  role: [job role, current role, job title, your role, what is your role, what is your job role]
  employer: [employer type, type of employer, employing organisation, organisation type,
             who is your employer, who employs you]
  gender: [sex, gender identity, what is your gender]
  age_band: [age, age group, age range, age bracket, how old are you, what is your age]
  ethnicity: [ethnic group, ethnic background, ethnic origin, what is your ethnic group]
  years_qualified: [years since qualifying, years since qualification, years post qualification,
                    post qualifying experience, years qualified, how many years have you been qualified]
  disability: [disabled, do you have a disability, do you consider yourself disabled, disability status]
  hours_contracted: [contracted hours, contract hours, contractual hours, contracted hours per week,
                     hours per week contracted, weekly contracted hours]
  hours_actual: [actual hours, hours worked, actual hours worked, hours actually worked,
                 actual hours per week, weekly hours worked]
  job_satisfaction: [satisfaction, overall job satisfaction, overall satisfaction,
                     how satisfied are you with your job]
  intend_leave_job: [intend to leave, intention to leave, intend to leave job, intention to leave job,
                     intend to leave your job, leave job]
  intend_leave_profession: [intend to leave profession, intention to leave profession,
                            intend to leave social work, leave profession, leave social work]
  presenteeism_12m: [presenteeism, went to work ill, worked while ill, worked when ill]
  sickness_absence_days_12m: [sickness absence, sickness absence days, sick days, days off sick, sickness days]
  aggression_service_users: [aggression, aggression from service users, verbal or physical aggression]
  racism_colleagues_12m: [racism from colleagues, racism by colleagues]
  racism_service_users_12m: [racism from service users, racism by service users]
  comments: [comment, any other comments, other comments, further comments, free text]

# canonical column -> word groups: a header holding every word of one group points at the column
# (medium confidence, and only when it points at one column). "word*" matches any ending.
keywords:
  nation: [[nation], [country]]
  sector: [[sector], [service, area], [area, practice]]
  role: [[role], [job, title]]
  employer: [[employer*], [employ*, organisation*]]
  gender: [[gender], [sex]]
  age_band: [[age], [aged], [how, old]]
  ethnicity: [[ethnic*], [race]]
  years_qualified: [[qualif*, years], [years, experience]]
  disability: [[disab*]]
  hours_contracted: [[contract*]]
  hours_actual: [[actual*, hour*], [hours, worked]]
  job_satisfaction: [[satisf*]]
  intend_leave_job: [[leav*, job], [leav*, post], [leav*, employer]]
  intend_leave_profession: [[leav*, profession], [leav*, social, work]]
  presenteeism_12m: [[presentee*], [work*, ill], [work*, unwell]]
  sickness_absence_days_12m: [[sickness, absence], [days, off, sick], [sick, days]]
  aggression_service_users: [[aggress*], [violen*]]
  racism_colleagues_12m: [[racis*, colleague*], [racis*, manager*]]
  racism_service_users_12m: [[racis*, service, user*], [racis*, people, using]]
  comments: [[comment*]]

# instrument id -> prefixes of its item columns, besides its id, short name and item_column
instrument_prefixes:
  hse_mit: [hse, hsemsit, hseit, hsems, msit, hseindicator]
  pss4: [pss, perceivedstress]
  swemwbs: [wemwbs]
  uwes9: [uwes]
  wrqol: [qowl]
# words allowed between an item prefix and the item number ("HSE Q12", "PSS4 item 2")
item_words: [q, qu, question, item, i, no, nr, number]
# a last word that marks an item column as reverse-scored in the export ("HSE_Q3_R")
reversed_words: [r, rev, reversed, recoded]

# category column -> canonical value -> answer synonyms (normalised matches need none)
values:
  nation:
    Northern Ireland: [ni, n ireland]
  sector:
    children_families: [children and family services, childrens services, childrens social care,
                        children, child and family, child and family social work]
    adults: [adult services, adults services, adult social care, adults social care, adult]
    mixed: [both, children and adults, all ages, all age]
  role:
    social_worker: [qualified social worker, practitioner, social worker practitioner]
    senior_practitioner: [senior social worker, advanced practitioner, senior practitioner or equivalent]
    manager: [team manager, service manager, practice manager, team leader]
    independent: [independent social worker, self employed]
    student_or_asye: [student, asye, newly qualified social worker, nqsw, student social worker]
  employer:
    local_authority: [council, local council, la]
    nhs: [nhs trust, health trust, health and social care trust]
    voluntary: [charity, voluntary sector, third sector, voluntary or charity]
    agency: [employment agency, locum agency, locum]
    independent: [private, private sector, independent sector]
  gender:
    female: [woman, f, women]
    male: [man, m, men]
    non_binary: [nonbinary]
    self_described: [prefer to self describe, self describe, in another way]
  age_band:
    18-29: [under 30, 18 29 years]
    60+: [60 and over, 60 or over, 60 plus, over 60, 60 or older, 60 and older]
  ethnicity:
    white_british: [white english welsh scottish northern irish or british]
    white_other: [any other white background, white any other white background, other white]
    black: [black british, black african caribbean or black british, black or black british]
    asian: [asian british, asian or asian british]
    mixed: [mixed or multiple ethnic groups, mixed multiple ethnic groups]
    other: [other ethnic group, any other ethnic group]

# answer label (in any coded column that has it) -> other spellings of it
labels:
  "Yes": [y, true]
  "No": [n, false]
  Neutral: [neither agree nor disagree]

# values that mean no answer
missing:
  phrases: [prefer not to say, prefer not to answer, rather not say, id rather not say,
            decline to answer, declined, refused, dont know, do not know, not known, n/a,
            not applicable, no answer, not answered, no response, skipped, missing, "#null!"]
  numbers: [-1, -2, -3, -7, -8, -9, -77, -88, -97, -98, -99, -999, -9999,
            77, 88, 97, 98, 99, 777, 888, 997, 998, 999, 9999]
  # where the sentinel is the code every missing answer gets (high), or a rarer one (medium)
  high_confidence: [-99, -999, -9999, 999, 9999]

# survey-tool metadata columns (Qualtrics, SurveyMonkey, LimeSurvey, Google Forms, SPSS)
metadata:
  names: [StartDate, EndDate, Status, IPAddress, Progress, Duration (in seconds), Duration, Finished,
          RecordedDate, RecipientLastName, RecipientFirstName, RecipientEmail, ExternalReference,
          ExternalDataReference, LocationLatitude, LocationLongitude, DistributionChannel,
          UserLanguage, Collector ID, Start Date, End Date, IP Address, Email Address, First Name,
          Last Name, Timestamp, Submitted at, Submit date, Date submitted, Last page, Start language,
          Seed, Date started, Date last action, Referrer URL, Interview time, Token, Network ID,
          filter_$, Completed]
  prefixes: [Q_Recaptcha, Q_Relevant, Q_TotalDuration, Q_URL, Q_Language, Q_BallotBox, Q_DataPolicy,
             Custom Data, Duration, Time taken]
"""
RULES = yaml.safe_load(RULES_YAML)

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
    path = Path(path)
    rules = _rules()
    d = rules.dictionary
    table = read_table(path, sheet=sheet)
    frame = table.frame
    header = [str(c) for c in frame.columns]
    todo: list[Todo] = []
    comments: dict = {}

    skip = _qualtrics_header_rows(frame) if table.format in ("csv", "excel") else 0
    questions = dict(zip(header, frame.iloc[0].astype(str))) if skip else {}
    if skip:
        frame = frame.iloc[skip:]
        todo.append(Todo("extra header rows", None, None,
                         f"{path.name} has Qualtrics' question-text and ImportId rows under its header, which "
                         "are not answers - delete the file's 2nd and 3rd lines before loading", "file"))
    labels_of = {c: {float(k): str(v) for k, v in (table.value_labels.get(c) or {}).items()} for c in header}

    # 1. each header on its own
    prefixes = Counter(p[0] for h in header if (p := _drop_prefix(h)))
    shared = {p for p, n in prefixes.items() if n >= len(header) / 2}
    matches: dict[str, ColumnMatch | None] = {}
    for h in header:
        matches[h] = match_header(h, shared_prefixes=shared, question=questions.get(h))
        if matches[h] is None and len(hits := _keyword(h, rules)) > 1:
            todo.append(Todo("ambiguous column", h, None,
                             f'column "{h}" could be any of {", ".join(hits)} - map it under '
                             "columns: or add it to ignore:"))

    # 2. numbered blocks (Q3_1 ... Q3_4) whose numbers and answers fit exactly one instrument
    blocks: dict[str, dict[int, str]] = {}
    for h in header:
        m = re.match(r"^(.+?)[_.\- ]+([0-9]+)$", h)
        if matches[h] is None and m and not any(t.column == h for t in todo):
            blocks.setdefault(m.group(1), {})[int(m.group(2))] = h
    for block, members in blocks.items():
        fits = []
        for inst in d.instruments:
            numbers = rules.by_number[inst.id]
            if set(members) != set(numbers):
                continue
            if all(_fits(_text_answers(frame[h], labels_of[h], rules), _label_keys(d[numbers[n]]))
                   for n, h in members.items()):
                fits.append(inst)
        if len(fits) == 1:
            inst = fits[0]
            for n, h in members.items():
                matches[h] = ColumnMatch(rules.by_number[inst.id][n], "answer pattern", "medium",
                                         f"block {block!r} numbered and answered like {inst.short_name} items")

    # 3. one export column per canonical column: the best match wins; a tie is left to a person
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

    mapped = {h: m.canonical for h, m in matches.items() if m is not None and m.canonical is not None}
    ignore = [h for h, m in matches.items() if m is not None and m.canonical is None]

    # 4. answers and missing codes, column by column
    candidates: dict[str, dict] = {}   # normalised missing code -> what and where
    answers_rows, unmapped, out_of_range = [], {}, {}
    col_labels: dict[str, dict] = {}   # canonical -> labels to write

    def note_missing(value, method, confidence, canon, n):
        key = normalise_label(value)
        c = candidates.setdefault(key, {"code": value, "method": method, "confidence": confidence,
                                        "columns": Counter()})
        if CONFIDENCE.index(confidence) < CONFIDENCE.index(c["confidence"]):
            c.update(method=method, confidence=confidence)
        c["columns"][canon] += n

    for h, canon in mapped.items():
        spec = d[canon]
        if spec.kind in ("id", "label", "text"):
            continue
        keys = _label_keys(spec) if (spec.labels or spec.kind == "category") else {}
        declared = {float(x) for x in table.declared_missing.get(h, ())}
        texts, bad_numbers = {}, []
        for value, label, n in _distinct(frame[h], labels_of[h]):
            x = _as_number(value)
            if x is not None and x in declared:
                note_missing(_plain(x), "SPSS user-missing", "high", canon, n)
                continue
            if label is None and x is not None:
                in_range = (spec.kind in ("code", "number") and spec.min <= x <= spec.max
                            and (spec.kind == "number" or x.is_integer()))
                if in_range or (spec.kind == "category" and normalise_label(x) in
                                {normalise_label(v) for v in spec.values}):
                    continue
                if x in rules.sentinels:
                    note_missing(_plain(x), "sentinel value",
                                 "high" if x in rules.sure_sentinels else "medium", canon, n)
                elif spec.kind == "category":
                    texts[str(value)] = n
                else:
                    bad_numbers.append(x)
                continue
            text = label if label is not None else str(value).strip()
            if _is_missing_phrase(text, rules) and not _match_answer(text, keys):
                note_missing(text, "SPSS value label" if label is not None else "missing-answer phrase",
                             "high", canon, n)
                continue
            texts[text] = n
        for text, n in texts.items():
            hit = _match_answer(text, keys) if keys else None
            if hit is None:
                unmapped.setdefault((text, spec.expected()), []).append((h, canon))
                continue
            code, method = hit
            answers_rows.append({"export_column": h, "canonical": canon, "answer": text, "code": code,
                                 "method": method, "confidence": "medium" if method == "synonym" else "high"})
            if spec.kind == "category":
                if method != "dictionary values":
                    col_labels.setdefault(canon, {})[text] = code
            else:
                labels = col_labels.setdefault(canon, {v: k for k, v in spec.labels.items()})
                if method != "instrument labels" and method != "dictionary labels":
                    labels[text] = code
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
        spec = d[canon]
        shown = ", ".join(f"{_plain(v)}" for v in values[:6]) + (" ..." if len(values) > 6 else "")
        hint = ""
        observed = [_as_number(v) for v, _, _ in _distinct(frame[h], {})]
        observed = [x for x in observed if x is not None and normalise_label(_plain(x)) not in candidates]
        if spec.kind == "code" and observed and min(observed) >= spec.min + 1 and max(observed) == spec.max + 1:
            hint = (f"; the answers look coded {spec.min + 1:g}-{spec.max + 1:g}, one above the canonical codes: "
                    f"if so, add recode: {{{canon}: {{{', '.join(f'{k + 1:g}: {k:g}' for k in spec.labels)}}}}}")
        todo.append(Todo("out of range", h, values[0],
                         f'column "{h}" ({canon}) holds {shown}, outside the expected {spec.expected()} - '
                         "correct the cells, recode them (recode:), or list them under missing_codes: if they "
                         f"mean no answer{hint}", "missing_codes"))

    # 5. missing codes: everywhere when no mapped column could hold the value as an answer
    holds = {}
    for canon in mapped.values():
        spec = d[canon]
        if spec.kind in ("code", "number"):
            holds[canon] = (spec.min, spec.max, {normalise_label(v) for v in spec.labels.values()})
        elif spec.kind == "category":
            holds[canon] = (None, None, {normalise_label(v) for v in spec.values})
    missing_codes, column_missing, missing_rows = [], {}, []
    ordered = sorted(candidates.values(),
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

    # 6. answer-label sets: columns sharing the same labels share a set
    groups: dict = {}
    category_labels: dict = {}
    conflict = False
    for h, canon in mapped.items():
        labels = col_labels.get(canon)
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
        methods = sorted({r["method"] for r in answers_rows if r["canonical"] in cols})
        span = cols[0] if len(cols) == 1 else f"{cols[0]} ... {cols[-1]} ({len(cols)} columns)"
        comments[("answer_labels", f"set_{i}")] = f"{span}; answers matched by {', '.join(methods)}"
    cats = [canon for canon in mapped.values() if d[canon].kind == "category" and col_labels.get(canon)]
    if cats and not conflict:
        answer_labels["categories"] = {"columns": cats, "labels": category_labels}
        comments[("answer_labels", "categories")] = "answers mapped to the dictionary's category values"
    else:
        for canon in cats:
            answer_labels[f"{canon}_values"] = {"columns": [canon], "labels": col_labels[canon]}
    exact = ("instrument labels", "dictionary labels", "dictionary values")
    how = {(r["canonical"], r["answer"]): f"{r['method']}, {r['confidence']}"
           for r in answers_rows if r["method"] not in exact}
    for name, spec in answer_labels.items():
        for label in spec["labels"]:
            said = sorted({how[(c, label)] for c in spec["columns"] if (c, label) in how})
            if said:
                comments[("label", name, label)] = "; ".join(said)

    # 7. what a load needs besides the columns
    for inst in d.instruments:
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
    sidecar = read_sidecar(path)
    wave_label, wave_note = None, None
    if wave is not None:
        wave_label, wave_note = str(wave), "given when drafting"
    elif "wave" not in mapped.values() and sidecar.get("wave") is not None:
        wave_label, wave_note = str(sidecar["wave"]), f"from {path.stem}.meta.yaml"
    elif "wave" not in mapped.values():
        year = re.search(r"(?<![0-9])((?:19|20)[0-9]{2})(?![0-9])", path.name)
        todo.append(Todo("no wave label", None, None,
                         "no wave column and no wave label - add wave: with the wave's label"
                         + (f" (the file name suggests {year.group(1)})" if year else ""), "wave"))

    # 8. the columns nobody matched
    flagged = {t.column for t in todo}
    rows = []
    for h in header:
        m = matches[h]
        if m is None:
            if h not in flagged:
                hint = _hint(frame[h], labels_of[h], mapped, rules)
                todo.append(Todo("unmatched column", h, None,
                                 f'column "{h}" not matched - map it under columns: or add it to ignore:{hint}'))
            rows.append({"export_column": h, "canonical": None, "action": "todo", "method": None,
                         "confidence": None, "detail": ""})
            continue
        rows.append({"export_column": h, "canonical": m.canonical, "action": "map" if m.canonical else "ignore",
                     "method": m.method, "confidence": m.confidence, "detail": m.detail})
        comments[("columns" if m.canonical else "ignore", h)] = m.describe()

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
    codebook["columns"] = mapped
    if ignore:
        codebook["ignore"] = ignore
    if missing_codes:
        codebook["missing_codes"] = missing_codes
    if column_missing:
        codebook["column_missing_codes"] = column_missing
    if answer_labels:
        codebook["answer_labels"] = answer_labels
    load_codebook(codebook)  # the draft itself always fits the codebook format

    return DraftResult(
        codebook=codebook,
        columns=pd.DataFrame(rows, columns=["export_column", "canonical", "action", "method", "confidence", "detail"]),
        answers=pd.DataFrame(answers_rows, columns=["export_column", "canonical", "answer", "code", "method",
                                                    "confidence"]),
        missing=pd.DataFrame(missing_rows, columns=["code", "applies_to", "method", "confidence", "cells", "columns"]),
        todo=todo,
        source=path.name,
        comments=comments,
    )


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


# --- writing ------------------------------------------------------------------------------------

def _dump(obj) -> list[str]:
    return yaml.safe_dump(obj, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=10**9).splitlines()


def _with_comment(line: str, comment) -> str:
    return f"{line}  # {' '.join(str(comment).split())}" if comment else line


def write_draft(result: DraftResult, path) -> Path:
    """Write a drafted codebook as YAML, each entry commented with how it was matched, and every
    TODO as a ``# TODO:`` comment where it belongs.

    The file is a valid codebook as written (:func:`analysis.reading.codebook.load_codebook` reads it);
    with no TODOs, :func:`analysis.load_wave` loads the export with it as it is.

    Parameters
    ----------
    result : DraftResult
        From :func:`draft_codebook`.
    path : str or Path
        Where to write the YAML.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from analysis.paths import SYNTHETIC_DIR
    >>> out = write_draft(draft_codebook(SYNTHETIC_DIR / "wave_2018_export.csv"),
    ...                   pathlib.Path(tempfile.mkdtemp()) / "draft.yaml")
    >>> [ln for ln in out.read_text().splitlines() if ln.startswith("  HSEMSIT_Q12")]
    ['  HSEMSIT_Q12: hse_12  # item pattern, high: HSE MSIT item 12']
    """
    cb, notes = result.codebook, result.comments
    load_codebook(cb)
    todo_by = {}
    for t in result.todo:
        todo_by.setdefault(t.section, []).append(t)
    lines = [f"# Draft codebook for {result.source}, made by analysis.reading.draft.",
             "# Each entry says how it was matched and how sure the match is (high, medium, low): check them."]
    if result.todo:
        lines.append(f"# {len(result.todo)} TODO item(s) below: resolve them, then load the export with this file.")
        lines += [f"#   - {t.message}" for t in result.todo]
    else:
        lines.append("# Nothing left to map: the export loads with this file as it is.")
    lines += [f"# TODO: {t.message}" for t in todo_by.get("file", [])]

    def todos(section, indent):
        return [" " * indent + f"# TODO: {t.message}" for t in todo_by.get(section, [])]

    order = ["codebook", "name", "description", "synthetic", "wave", "encoding", "delimiter", "sheet",
             "columns", "ignore", "missing_codes", "column_missing_codes", "answer_labels"]
    for key in order + [k for k in cb if k not in order]:
        if key not in cb:
            lines += todos(key, 0)
            continue
        value = cb[key]
        if key in ("columns", "column_missing_codes"):
            lines.append(f"{key}:" if value else f"{key}: {{}}")
            for k, v in value.items():
                body = _dump({k: v})
                lines += ["  " + _with_comment(body[0], notes.get((key, k)))] + ["  " + b for b in body[1:]]
            lines += todos(key, 2)
        elif key in ("ignore", "missing_codes"):
            lines.append(f"{key}:")
            for v in value:
                note = notes.get((key, normalise_label(v) if key == "missing_codes" else v))
                lines.append(_with_comment(_dump([v])[0], note))
            lines += todos(key, 0)
        elif key == "answer_labels":
            lines.append(f"{key}:")
            lines += todos(key, 2)
            for name, spec in value.items():
                lines.append(_with_comment(f"  {_dump({name: None})[0].removesuffix(' null')}",
                                           notes.get((key, name))))
                lines += ["    " + b for b in _dump({"columns": spec["columns"]})] + ["    labels:"]
                for label, code in spec["labels"].items():
                    lines.append(_with_comment("      " + _dump({label: code})[0], notes.get(("label", name, label))))
        else:
            lines.append(_with_comment(_dump({key: value})[0], notes.get((key, None))))
            lines += todos(key, 0)
    text = "\n".join(lines) + "\n"
    if yaml.safe_load(text) != cb:
        raise CodebookError([Problem("unwritable codebook", None,
                                     "the drafted codebook did not survive writing as YAML",
                                     "report this as a bug in analysis.reading.draft")], source=str(path))
    path = Path(path)
    path.write_text(text, encoding="utf-8")
    return path
