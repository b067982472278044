"""Specifications: the data the code reads, and the one check every YAML specification passes.

This folder holds data, not code: the instruments (``instruments/``), the canonical data
dictionary (``dictionary.yaml``) and the derived variables' parameters (``derived.yaml``), the
HSE benchmarks (``benchmarks/``), member polls (``polls/``), the workload health check
(``health_check/``) and the JSON Schemas they are checked against (``schemas/``). Adding an
instrument, a benchmark year or a poll is adding a file. :func:`check_against_schema` checks a
YAML document against its schema and reports every place it breaks it.

May import: :mod:`analysis.errors` and :mod:`analysis.paths` only.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import jsonschema
import yaml

from ..errors import CodebookError, Problem


@lru_cache(maxsize=8)
def _validator(schema_file: str) -> jsonschema.Draft202012Validator:
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
        raise CodebookError(
            [Problem(kind, None, f"at {'/'.join(map(str, e.path)) or 'top level'}: {e.message}",
                     f"correct it against analysis/specs/schemas/{Path(schema_file).name}, which lists every key")
             for e in errors],
            source=source,
        )
