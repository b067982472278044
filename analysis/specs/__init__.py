"""Specifications: the data the code reads, and the one check every YAML specification passes.

This folder holds data, not code: the instruments (``instruments/``), the canonical data
dictionary (``dictionary.yaml``) and the derived variables' parameters (``derived.yaml``), the
HSE benchmarks (``benchmarks/``), member polls (``polls/``), the workload health check
(``health_check/``) and the JSON Schemas they are checked against (``schemas/``). Adding an
instrument, a benchmark year or a poll is adding a file. :func:`check_against_schema` checks a
YAML document against its schema and reports every place it breaks it.

May import: :mod:`analysis.errors`, :mod:`analysis.paths` and :mod:`analysis.arguments` only.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

import yaml

from ..arguments import closest
from ..errors import CodebookError, Problem


def _jsonschema():
    """jsonschema, imported on first use, without its optional IRI format checker.

    When the package ``rfc3987_syntax`` is installed (Jupyter's ``jsonschema[format-nongpl]``
    brings it), importing jsonschema builds its grammar: about 2 s in every process, every
    notebook kernel included. No schema of ours uses the ``iri`` format, so the import skips that
    one checker (unless something in the process imported it already); the name is freed again
    straight after, for anyone else.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        import jsonschema

        return jsonschema
    sys.modules["rfc3987_syntax"] = None  # an import of it now fails, and jsonschema goes on without it
    try:
        import jsonschema
    finally:
        del sys.modules["rfc3987_syntax"]
    return jsonschema


#: libyaml's safe loader when PyYAML was built with it (about ten times faster than the pure-Python one).
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_bundled_yaml(path) -> object:
    """Parse one of the package's own YAML files with libyaml's safe loader (pure Python without it).

    Only for the files shipped in ``analysis/specs/``: they are known to parse, so an error message
    in the C loader's words never reaches a user. A user's file is read with ``yaml.safe_load``.

    Examples
    --------
    >>> from analysis.paths import DICTIONARY_FILE
    >>> "respondent_id" in read_bundled_yaml(DICTIONARY_FILE)["columns"]
    True
    """
    with open(path, "rb") as f:
        return yaml.load(f, Loader=_FAST_LOADER)  # noqa: S506 - a safe loader


def is_bundled(path) -> bool:
    """Whether ``path`` is (inside) the package's own ``analysis/specs`` folder, whose files the
    test suite checks against their schemas (``tests/test_fast_reader.py``), so that loading them
    need not check them again.

    Examples
    --------
    >>> from analysis.paths import INSTRUMENTS_DIR
    >>> is_bundled(INSTRUMENTS_DIR), is_bundled("/tmp")
    (True, False)
    """
    return Path(path).resolve().is_relative_to(_SPECS_DIR)


_SPECS_DIR = Path(__file__).resolve().parent


@lru_cache(maxsize=8)
def _validator(schema_file: str):
    jsonschema = _jsonschema()
    return jsonschema.Draft202012Validator(read_bundled_yaml(schema_file))


def check_against_schema(spec: dict, schema_file: Path, source: str, kind: str) -> None:
    """Raise one :class:`CodebookError` listing every place where ``spec`` breaks its schema.

    Parameters
    ----------
    spec : dict
        The parsed YAML document.
    schema_file : Path
        Its JSON Schema (YAML).
    source : str
        File name for the message.
    kind : str
        Problem kind, e.g. ``"bad codebook"``.
    """
    # JSON Schema speaks JSON: integer keys (item numbers, codes) become strings for the check.
    errors = sorted(_validator(str(schema_file)).iter_errors(json.loads(json.dumps(spec))),
                    key=lambda e: list(e.path))
    if errors:
        fix = f"correct it against analysis/specs/schemas/{Path(schema_file).name}, which lists every key"
        raise CodebookError([p for e in errors for p in _schema_problems(e, kind, fix)], source=source)


def _schema_problems(error, kind: str, fix: str) -> list[Problem]:
    """The problems one schema error stands for: a key the schema does not know is one problem
    per key, with a "did you mean" among the keys allowed there (``mising_codes`` ->
    ``missing_codes``)."""
    where = "/".join(map(str, error.path)) or "top level"
    allowed = list(error.schema.get("properties", {})) if isinstance(error.schema, dict) else []
    if error.validator != "additionalProperties" or not allowed or not isinstance(error.instance, dict):
        return [Problem(kind, None, f"at {where}: {error.message}", fix)]
    problems = []
    for key in (k for k in error.instance if k not in allowed):
        match = closest(key, allowed, cutoff=0.6)
        problems.append(Problem(
            kind, None, f"at {where}: unknown key {key!r}" + (f"; did you mean {match!r}?" if match else ""),
            f"rename it {match!r}" if match else f"use a key allowed here ({', '.join(allowed)}); {fix}"))
    return problems or [Problem(kind, None, f"at {where}: {error.message}", fix)]
