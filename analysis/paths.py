"""Every path the package uses, resolved from the package itself, never the working directory."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent

# Specifications: data files the code reads (instruments, dictionary, schemas, benchmarks, polls,
# the health check, codebook-drafting rules). Adding one of these is adding a file, not code.
SPECS_DIR = PACKAGE_DIR / "specs"
INSTRUMENTS_DIR = SPECS_DIR / "instruments"
SCHEMA_DIR = SPECS_DIR / "schemas"
BENCHMARKS_DIR = SPECS_DIR / "benchmarks"
POLLS_DIR = SPECS_DIR / "polls"
HEALTH_CHECK_DIR = SPECS_DIR / "health_check"
DICTIONARY_FILE = SPECS_DIR / "dictionary.yaml"
DERIVED_FILE = SPECS_DIR / "derived.yaml"
DRAFT_RULES_FILE = SPECS_DIR / "codebook_draft_rules.yaml"
CODEBOOK_SCHEMA_FILE = SCHEMA_DIR / "codebook.schema.yaml"
INSTRUMENT_SCHEMA_FILE = SCHEMA_DIR / "instrument.schema.yaml"
TEMPLATES_DIR = PACKAGE_DIR / "outputs" / "templates"

# The repository layout (present in a source checkout, which is how the notebooks run).
REPO_DIR = PACKAGE_DIR.parent
DATA_DIR = REPO_DIR / "data"
SYNTHETIC_DIR = DATA_DIR / "synthetic"
NOTEBOOKS_DIR = REPO_DIR / "notebooks"
TABLES_DIR = REPO_DIR / "tables"
FIGURES_DIR = REPO_DIR / "figures"
