"""Where an output came from: the input files and their SHA-256, the package version and the git
commit, gathered into one machine-readable manifest of every figure and table.

Each notebook writes a *fragment* (``provenance/<notebook>.json`` in the output folder) as it
saves tables and figures; :func:`write_manifest` merges the fragments, in notebook order, into
``report/manifest.json``. The manifest carries no date, so the same inputs give the same bytes.
"""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path

import pandas as pd

from ..arguments import checked
from ..disclosure import DEFAULT_THRESHOLD, check_ledger
from ..errors import Problem, SurveyDataError
from ..reading.readers import file_sha256
from ..paths import REPO_DIR

MANIFEST_VERSION = 1


@functools.lru_cache(maxsize=1)
def git_commit(repo=REPO_DIR) -> dict:
    """The commit the package was run from: ``{"commit": sha or None, "dirty": bool or None}``.

    ``commit`` is None when the package does not run from a git checkout (an installed wheel)
    or git is missing. ``dirty`` says whether tracked source files differ from that commit
    (outputs are ignored by ``.gitignore`` and do not count).
    """
    try:
        top = subprocess.run(["git", "-C", str(repo), "rev-parse", "--show-toplevel"], capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        if Path(top).resolve() != Path(repo).resolve():  # installed inside someone else's repository
            return {"commit": None, "dirty": None}
        sha = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        status = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True, timeout=10, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": sha, "dirty": bool(status.strip())}


def package_version() -> str:
    """The installed version of wellbeing-survey (``0+unknown`` in a source tree not installed)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("wellbeing-survey")
    except PackageNotFoundError:
        return "0+unknown"


def describe_input(wave, threshold: int | None = None) -> dict:
    """Provenance of one loaded wave: file name, SHA-256 of the data and the codebook, counts.

    Parameters
    ----------
    wave : analysis.Wave
    threshold : int, optional
        Disclosure threshold: when 1 to ``threshold - 1`` respondents were excluded, ``n_read``
        is None, since read minus analysable would give that few people (excluded by a rule
        such as "not a registered social worker") away.

    Returns
    -------
    dict
        ``wave, file, sha256, codebook, codebook_sha256, n_read, n_analysable, synthetic``.
        File names only: full paths can name a person's home folder.
    """
    meta = wave.metadata
    codebook = meta.get("codebook")
    has_codebook = bool(codebook) and codebook != "no codebook" and Path(codebook).is_file()
    return {
        "wave": wave.label,
        "file": Path(meta["source"]).name,
        "sha256": meta["sha256"],
        "codebook": Path(codebook).name if has_codebook else None,
        "codebook_sha256": file_sha256(codebook) if has_codebook else None,
        "n_read": None if _few_excluded(meta, threshold) else int(meta["n_read"]),
        "n_analysable": int(meta["n_analysable"]),
        "synthetic": bool(wave.synthetic),
    }


def _few_excluded(meta: dict, threshold: int | None) -> bool:
    excluded = int(meta["n_read"]) - int(meta["n_analysable"])
    return threshold is not None and 0 < excluded < threshold


def read_fragments(provenance_dir, order: list[str] | None = None) -> list[dict]:
    """The fragments of a provenance folder, in ``order`` (notebook names) or by file name."""
    folder = Path(provenance_dir)
    files = sorted(folder.glob("*.json"))
    if order is not None:
        rank = {name: i for i, name in enumerate(order)}
        files = sorted((f for f in files if f.stem in rank), key=lambda f: rank[f.stem])
    return [json.loads(f.read_text(encoding="utf-8")) for f in files]


def write_manifest(fragments: list[dict], path) -> Path:
    """Merge notebook fragments into one manifest.

    Parameters
    ----------
    fragments : list of dict
        As written by :class:`analysis.outputs.session.Session` (``notebook``, ``inputs``, ``outputs``).
    path : str or Path
        Where to write the JSON.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile, json, pathlib
    >>> frag = {"notebook": "01_x", "package_version": "1.0", "git": {"commit": None, "dirty": None},
    ...         "threshold": 10, "inputs": [{"wave": "2018", "sha256": "ab"}],
    ...         "outputs": [{"kind": "table", "id": "01_t_2018", "sheet": {"columns": []}}]}
    >>> with tempfile.TemporaryDirectory() as d:
    ...     m = json.loads(write_manifest([frag], pathlib.Path(d) / "m.json").read_text())
    >>> [o["id"] for o in m["outputs"]], "sheet" in m["outputs"][0], len(m["inputs"])
    (['01_t_2018'], False, 1)
    """
    inputs, seen, outputs = [], set(), []
    for frag in fragments:
        for item in frag.get("inputs", []):
            key = json.dumps(item, sort_keys=True)
            if key not in seen:
                seen.add(key)
                inputs.append(item)
        for out in frag.get("outputs", []):
            outputs.append({k: v for k, v in out.items() if k not in ("sheet", "ledger")})
    ledger = [entry for frag in fragments for out in frag.get("outputs", []) for entry in out.get("ledger", [])]
    conflicts = check_ledger(ledger)
    if conflicts:
        raise SurveyDataError([Problem("disclosure across tables", None, text,
                                       "report this: every table of a run must hide the same groups", place="")
                               for text in conflicts], source="the run's disclosure ledger",
                              outcome="no manifest or report was written")
    first = fragments[0] if fragments else {}
    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "package": "wellbeing-survey",
        "package_version": first.get("package_version", package_version()),
        "git": first.get("git", git_commit()),
        "disclosure_threshold": first.get("threshold"),
        "synthetic": any(i.get("synthetic") for i in inputs),
        "inputs": inputs,
        "notebooks": [f["notebook"] for f in fragments],
        "parameters": {f["notebook"]: f["parameters"] for f in fragments if "parameters" in f},
        "disclosure": {"groups_shown": sum(1 for e in ledger if not e[4]),
                       "groups_hidden": sum(1 for e in ledger if e[4]), "conflicts": 0},
        "outputs": outputs,
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@checked(waves="waves")
def wave_overview(waves, *, threshold: int = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """One row per loaded wave: where it came from and how many returns were read and analysable.

    Parameters
    ----------
    waves : list of analysis.Wave
    threshold : int
        Disclosure threshold: ``n_read`` is blank (``suppressed`` "primary") when 1 to
        ``threshold - 1`` respondents were excluded, as read minus analysable would give them away.

    Returns
    -------
    DataFrame
        ``wave, file, format, codebook, n_read, n_analysable, instruments, synthetic,
        suppressed``. File names only (a full path can name a person's home folder).

    Examples
    --------
    >>> from analysis import load_wave
    >>> from analysis.synthetic import demo_wave
    >>> wave_overview([load_wave(demo_wave(n=40, seed=3), wave=2018)])[["wave", "n_read"]].values.tolist()
    [['2018', 40.0]]
    """
    rows = []
    for w in waves:
        info = describe_input(w, threshold)
        rows.append({
            "wave": info["wave"], "file": info["file"], "format": w.metadata.get("format"),
            "codebook": info["codebook"] or "none", "n_read": info["n_read"], "n_analysable": info["n_analysable"],
            "instruments": ", ".join(i.id for i in w.instruments), "synthetic": "yes" if info["synthetic"] else "no",
            "suppressed": "primary" if info["n_read"] is None else "",
        })
    return pd.DataFrame(rows).astype({"n_read": "float64"})
