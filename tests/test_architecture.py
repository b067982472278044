"""The package's shape: stages as subpackages, imports only downwards, a quick start.

The layers, from the bottom: the foundation modules (errors, paths, argument checks), then the
specifications and disclosure control, then reading -> measures -> stats -> studies -> outputs,
then the tools around them. A module may import from its own layer and the layers below it,
never from a layer above (a function-level import counts too).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "analysis"

#: Top-level name inside analysis -> layer (0 is the bottom).
LAYERS = {
    "errors": 0, "paths": 0, "arguments": 0, "deprecations": 0, "parallel": 0,
    "files": 1, "disclosure": 1, "specs": 1, "instruments": 1, "labels": 1,
    "reading": 2,
    "measures": 3,
    "stats": 4,
    "studies": 5,
    "outputs": 6,
    "synthetic": 7, "tools": 7,
    "cli": 8, "__main__": 8,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import of the package's own modules in ``path``."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")
            base = base[: len(base) - (node.level - 1)]
            if node.module:
                found.append((node.lineno, ".".join(base + [node.module])))
            else:
                found += [(node.lineno, ".".join(base + [a.name])) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis"):
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("analysis")]
    return found


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def test_at_most_twelve_modules_at_the_top():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 12, top


def test_every_top_level_name_has_a_layer():
    names = {p.stem for p in PACKAGE.glob("*.py")} | {p.name for p in PACKAGE.iterdir()
                                                      if (p / "__init__.py").exists()}
    assert names - {"__init__"} <= set(LAYERS), sorted(names - {"__init__"} - set(LAYERS))


def test_no_module_shadows_the_standard_library():
    clashes = [str(p.relative_to(PACKAGE)) for p in MODULES
               if p.stem in sys.stdlib_module_names and p.stem not in ("__init__", "__main__")]
    assert not clashes


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_downwards_only(path):
    name = _module_name(path)
    if name == "analysis":
        return  # the facade: it names everything, and imports each lazily
    own = _layer(name)
    # The facade names every layer, so only the tools and the command line, above them all, may use it
    # (the exercises show students the one import style, ``from analysis import ...``).
    upward = [(line, target) for line, target in _imports(path)
              if (target == "analysis" and own < LAYERS["tools"])
              or (_layer(target) is not None and _layer(target) > own)]
    assert not upward, f"{name} (layer {own}) imports from above: {upward}"


def test_the_layer_test_catches_an_upward_import(tmp_path, monkeypatch):
    fake = tmp_path / "analysis" / "reading"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text("def f():\n    from ..outputs.plots import plot_estimates\n")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", tmp_path / "analysis")
    with pytest.raises(AssertionError, match="imports from above"):
        test_imports_go_downwards_only(fake / "bad.py")


@pytest.mark.parametrize("package", sorted(p.parent for p in PACKAGE.glob("*/__init__.py")),
                         ids=lambda p: p.name)
def test_each_subpackage_says_what_it_holds_and_may_import(package):
    doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text(encoding="utf-8"))) or ""
    assert len(doc.split()) >= 25 and "May import" in doc, package.name


def test_import_analysis_loads_no_heavy_dependency():
    code = ("import sys, analysis, analysis.cli; "
            "print(sorted(m for m in ('pandas', 'numpy', 'scipy', 'statsmodels', 'pingouin', 'jsonschema', "
            "'matplotlib', 'yaml') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_the_facade_exports_resolve():
    import analysis

    missing = [name for name in analysis.__all__ if getattr(analysis, name, None) is None]
    assert not missing


@pytest.mark.slow
def test_the_command_line_starts_within_twice_the_time_of_importing_pandas():
    from analysis.tools.speed import startup

    timing = startup()
    assert timing["ratio"] <= 2, timing
