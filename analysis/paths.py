"""Every path the package uses, resolved from the package itself, never the working directory."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
INSTRUMENTS_DIR = PACKAGE_DIR / "instruments"
SCHEMA_DIR = PACKAGE_DIR / "schema"
DICTIONARY_FILE = SCHEMA_DIR / "dictionary.yaml"
DERIVED_FILE = SCHEMA_DIR / "derived.yaml"
CODEBOOK_SCHEMA_FILE = SCHEMA_DIR / "codebook.schema.yaml"
INSTRUMENT_SCHEMA_FILE = SCHEMA_DIR / "instrument.schema.yaml"

# The repository layout (present in a source checkout, which is how the notebooks run).
REPO_DIR = PACKAGE_DIR.parent
DATA_DIR = REPO_DIR / "data"
SYNTHETIC_DIR = DATA_DIR / "synthetic"
TABLES_DIR = REPO_DIR / "tables"
FIGURES_DIR = REPO_DIR / "figures"
