"""The waves manifest: which survey waves a run analyses, in time order.

A manifest is a YAML file ``waves: [{label, path, codebook, fieldwork}]`` with paths relative
to the manifest's own folder (``data/synthetic/waves.yaml`` lists the bundled synthetic waves).
``fieldwork`` (optional) says when the wave's answers were collected; an optional ``report:``
section gives what the report prints about itself (:func:`read_details`).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import Problem, SurveyDataError
from ..paths import SYNTHETIC_DIR

#: The bundled synthetic waves, used when a notebook is given no ``waves``.
DEFAULT_WAVES = SYNTHETIC_DIR / "waves.yaml"


def read_manifest(path) -> list[dict]:
    """Waves listed in a manifest YAML: ``waves: [{label, path, codebook (optional)}]``, paths
    relative to the manifest's folder, in time order."""
    path = Path(path)
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    waves = []
    for i, entry in enumerate(spec.get("waves", []) if isinstance(spec, dict) else [], 1):
        if not isinstance(entry, dict) or "label" not in entry or "path" not in entry:
            raise SurveyDataError([Problem("bad manifest", None, f"wave entry {i} ({entry!r}) has no label or path",
                                           'give each wave as {label: "2019", path: export.sav, codebook: export.yaml}')],
                                  source=path.name)
        item = dict(entry)
        item["label"] = str(entry["label"])
        item["path"] = (path.parent / entry["path"]).resolve()
        if entry.get("codebook"):
            item["codebook"] = (path.parent / entry["codebook"]).resolve()
        waves.append(item)
    return waves


def resolve_waves(waves=None) -> list[dict]:
    """The waves a notebook analyses, in time order.

    Parameters
    ----------
    waves : None, str, Path or list of dict
        None: the bundled synthetic waves (``data/synthetic/waves.yaml``). A path: a waves
        manifest (``waves: [{label, path, codebook}]``, paths relative to the manifest). A list:
        ``{"label", "path", "codebook" (optional)}`` entries, or ``{"label", "data"}`` with a
        DataFrame (for examples and tests).

    Returns
    -------
    list of dict
    """
    if waves is None:
        return read_manifest(DEFAULT_WAVES)
    if isinstance(waves, (str, Path)):
        path = Path(waves)
        if not path.is_file():
            raise SurveyDataError([Problem("missing file", None, f"no waves manifest at {path}",
                                           "pass the path of a YAML file listing waves: [{label, path, codebook}]")],
                                  source="notebook parameter 'waves'")
        return read_manifest(path)
    entries = []
    for entry in waves:
        item = dict(entry)
        if "label" not in item or not ("path" in item or "data" in item):
            raise SurveyDataError([Problem("bad parameter", None, f"wave entry {entry!r} has no label or path",
                                           'give each wave as {"label": "2019", "path": "...", "codebook": "..."}')],
                                  source="notebook parameter 'waves'")
        item["label"] = str(item["label"])
        entries.append(item)
    return entries


#: The keys of a manifest's ``report:`` section.
DETAIL_KEYS = ("title", "publisher", "release", "contact", "cite_data_as")


def read_details(waves=None) -> dict:
    """What the report says about itself, from the ``report:`` section of a waves manifest:
    ``title, publisher, release`` (the release date, as text), ``contact, cite_data_as``; all
    optional. Waves given as a list have none.

    Parameters
    ----------
    waves : None, str, Path or list
        As for :func:`resolve_waves`.

    Examples
    --------
    >>> read_details()["release"]
    'not released: synthetic data for demonstration'
    >>> read_details([{"label": "2019", "path": "x.csv"}])
    {}
    """
    if waves is not None and not isinstance(waves, (str, Path)):
        return {}
    path = Path(waves) if waves is not None else DEFAULT_WAVES
    if not path.is_file():
        return {}
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    section = spec.get("report") if isinstance(spec, dict) else None
    if section is None:
        return {}
    unknown = sorted(set(section) - set(DETAIL_KEYS)) if isinstance(section, dict) else ["(not a mapping)"]
    if unknown:
        raise SurveyDataError([Problem("bad manifest", None, f"the report section has unknown keys {unknown}",
                                       f"use only {', '.join(DETAIL_KEYS)}", place="")], source=path.name)
    return {k: str(section[k]) for k in DETAIL_KEYS if section.get(k) is not None}
