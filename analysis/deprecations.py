"""Old ways of calling the package that keep working for one release, with a warning.

Version 0.2 gave every public function one calling convention, ``f(data, variables..., *, by=,
covariates=, level=, threshold=)``, and moved the modules into stage subpackages. Calls and
imports in the forms that the 0.1 notebooks used still work until 0.3, each with a
:class:`DeprecationWarning` that names the new form:

- :func:`old_calls`: extra positional arguments (``sample_profile(frame, ["x"], 10)``) and
  renamed keywords (``compare_groups(..., adjust=[...])``);
- :func:`alias_old_modules`: ``from analysis.estimates import prevalence`` and the other 0.1
  module paths, through an import hook.

May import: nothing from the package (it is the foundation of every stage).
"""

from __future__ import annotations

import functools
import inspect
import importlib
import importlib.abc
import importlib.util
import sys
import warnings

SINCE, REMOVAL = "0.2.0", "0.3.0"

#: 0.1 module -> its module in 0.2.
OLD_MODULES = {
    "analysis.io": "analysis.reading.readers",
    "analysis.fastcsv": "analysis.reading.arrow_csv",
    "analysis.codebook": "analysis.reading.codebook",
    "analysis.codebook_draft": "analysis.reading.draft",
    "analysis.dictionary": "analysis.reading.dictionary",
    "analysis.validation": "analysis.reading.validation",
    "analysis.wave": "analysis.reading.waves",
    "analysis.exclusions": "analysis.reading.exclusions",
    "analysis.pooling": "analysis.reading.pooling",
    "analysis.schemas": "analysis.specs",
    "analysis.scoring": "analysis.measures.scoring",
    "analysis.derived": "analysis.measures.derived",
    "analysis.reliability": "analysis.measures.reliability",
    "analysis.benchmarks": "analysis.stats.benchmarking",
    "analysis.estimates": "analysis.stats.estimates",
    "analysis.describe": "analysis.stats.describe",
    "analysis.groups": "analysis.stats.groups",
    "analysis.models": "analysis.stats.models",
    "analysis.resampling": "analysis.stats.resampling",
    "analysis.wave_comparison": "analysis.stats.wave_comparison",
    "analysis.bme": "analysis.studies.bme",
    "analysis.priorities": "analysis.studies.priorities",
    "analysis.health_check": "analysis.studies.health_check",
    **{f"analysis.health_check.{m}": f"analysis.studies.health_check.{m}"
       for m in ("indicators", "loading", "spec", "template", "thresholds")},
    "analysis.tables": "analysis.outputs.tables",
    "analysis.style": "analysis.outputs.style",
    "analysis.plots": "analysis.outputs.plots",
    "analysis.provenance": "analysis.outputs.provenance",
    "analysis.report": "analysis.outputs.report",
    "analysis.session": "analysis.outputs.session",
    "analysis.notebooks": "analysis.outputs.runner",
    "analysis.timing": "analysis.tools.speed",
}


def warn(what: str, instead: str, stacklevel: int = 3) -> None:
    """Warn that ``what`` is deprecated and what to write ``instead``."""
    warnings.warn(f"{what} is deprecated since wellbeing-survey {SINCE} and stops working in {REMOVAL}; "
                  f"{instead}", DeprecationWarning, stacklevel=stacklevel)


def old_calls(*, positional: tuple[str, ...] = (), renamed: dict | None = None, convert=None):
    """Let a function with keyword-only options still take its 0.1 call forms, with a warning.

    Parameters
    ----------
    positional : tuple of str
        The 0.1 names of positional arguments beyond those the function now takes
        positionally, in their 0.1 order: such arguments are passed as these keywords.
    renamed : dict, optional
        0.1 keyword -> its 0.2 name (after ``positional`` is applied).
    convert : callable, optional
        ``convert(args, kwargs) -> (args, kwargs)``, applied first, for a 0.1 form the two
        above cannot express (arguments in another order); it warns itself when it converts.

    Examples
    --------
    >>> import warnings
    >>> @old_calls(positional=("by", "level"), renamed={"group": "by"})
    ... def f(data, outcomes, *, by=None, level=0.95):
    ...     return by, level
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     f("d", ["y"], "sector"), f("d", ["y"], group="role")
    (('sector', 0.95), ('role', 0.95))
    >>> [str(w.message).split(";")[0] for w in caught]
    ['f(): passing by positionally is deprecated since wellbeing-survey 0.2.0 and stops working in 0.3.0', "f(): the keyword 'group' is deprecated since wellbeing-survey 0.2.0 and stops working in 0.3.0"]
    """
    renamed = dict(renamed or {})

    def decorate(func):
        code = inspect.unwrap(func).__code__   # the function itself, under any checking wrapper
        n_positional = code.co_argcount

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if convert is not None:
                args, kwargs = convert(args, kwargs)
            if len(args) > n_positional and positional:
                extra = args[n_positional:]
                if len(extra) > len(positional):
                    raise TypeError(f"{func.__name__}() takes at most {n_positional + len(positional)} "
                                    f"positional arguments ({len(args)} given)")
                names = positional[:len(extra)]
                clash = [n for n in names if n in kwargs]
                if clash:
                    raise TypeError(f"{func.__name__}() got multiple values for {clash}")
                warn(f"{func.__name__}(): passing {', '.join(names)} positionally",
                     f"pass {', '.join(f'{n}=' for n in names)} by keyword")
                kwargs.update(zip(names, extra))
                args = args[:n_positional]
            for old, new in renamed.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{func.__name__}() got both {old}= (deprecated) and {new}=")
                    warn(f"{func.__name__}(): the keyword {old!r}", f"use {new}=")
                    kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate


def _outside_imports() -> int:
    """The stack level of the first frame outside the import system and this module."""
    frame, level = sys._getframe(1), 1
    while frame is not None and (frame.f_code.co_filename.startswith("<frozen")
                                 or "importlib" in frame.f_code.co_filename
                                 or frame.f_code.co_filename == __file__):
        frame, level = frame.f_back, level + 1
    return level


class _OldModuleFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Import hook: a 0.1 module path gives a module that forwards to its 0.2 module, with a warning."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname in OLD_MODULES:
            return importlib.util.spec_from_loader(fullname, self)
        return None

    def create_module(self, spec):
        return None  # the default: a new, empty module

    def exec_module(self, module):
        new = importlib.import_module(OLD_MODULES[module.__name__])
        warn(f"the module {module.__name__}", f"import from {new.__name__} (every public name is also in analysis)",
             stacklevel=_outside_imports())
        module.__doc__ = new.__doc__
        module.__dict__["__getattr__"] = lambda name: _moved(new, name)
        if hasattr(new, "__path__"):  # a package: its 0.1 submodules resolve through OLD_MODULES too
            module.__path__ = []
        module.__dict__["__dir__"] = lambda: dir(new)
        if hasattr(new, "__all__"):
            module.__all__ = new.__all__


def _moved(new, name: str):
    """A name of a 0.1 module: from the module that replaced it, or, for a function that moved to
    another stage since (``describe.wave_overview`` is now in ``outputs.provenance``), from the
    facade."""
    if hasattr(new, name):
        return getattr(new, name)
    analysis = sys.modules["analysis"]  # the facade, which installed this hook
    if name in analysis.__all__:
        return getattr(analysis, name)
    raise AttributeError(f"module {new.__name__!r} has no attribute {name!r}")


def alias_old_modules() -> None:
    """Install the import hook for the 0.1 module paths (once)."""
    if not any(isinstance(f, _OldModuleFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _OldModuleFinder())
