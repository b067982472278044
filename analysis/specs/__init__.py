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


@lru_cache(maxsize=8)
def _validator(schema_file: str):
    jsonschema = _jsonschema()
    return jsonschema.Draft202012Validator(yaml.safe_load(Path(schema_file).read_text(encoding="utf-8")))


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
