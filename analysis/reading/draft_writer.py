"""Write a drafted codebook as YAML, every entry commented with how it was matched.

:func:`write_draft` turns the :class:`~analysis.reading.draft.DraftResult` that
:func:`analysis.reading.draft.draft_codebook` returns into a codebook file: each mapping, missing
code and answer label carries a comment saying how it was found and how sure the match is, and
each TODO sits as a ``# TODO:`` comment under the key it belongs to. Matching lives in
:mod:`analysis.reading.draft`; this module only writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..arguments import checked
from .codebook import load_codebook, normalise_label
from ..errors import CodebookError, Problem

if TYPE_CHECKING:  # draft.py re-exports write_draft, so importing it here at run time would be a cycle
    from .draft import DraftResult


def _dump(obj) -> list[str]:
    return yaml.safe_dump(obj, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=10**9).splitlines()


def _with_comment(line: str, comment) -> str:
    return f"{line}  # {' '.join(str(comment).split())}" if comment else line


@checked(result="result", path="path")
def write_draft(result: DraftResult, path) -> Path:
    """Write a drafted codebook as YAML, each entry commented with how it was matched, and every
    TODO as a ``# TODO:`` comment where it belongs.

    The file is a valid codebook as written (:func:`analysis.reading.codebook.load_codebook` reads it);
    with no TODOs, :func:`analysis.load_wave` loads the export with it as it is.

    Parameters
    ----------
    result : DraftResult
        From :func:`analysis.reading.draft.draft_codebook`.
    path : str or Path
        Where to write the YAML.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from analysis.paths import SYNTHETIC_DIR
    >>> from analysis.reading.draft import draft_codebook
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
             "header_rows", "columns", "ignore", "missing_codes", "column_missing_codes", "answer_labels"]
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
