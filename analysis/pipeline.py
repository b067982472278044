"""The main job: load, validate and score every wave listed in ``data/synthetic/waves.yaml`` (or
a manifest of your own) and write the tables.

Tables written per wave (CSV, to ``tables/`` by default): ``reliability_<wave>.csv``,
``score_summary_<wave>.csv`` and ``exclusions_<wave>.csv`` (counts by rule; never respondent ids),
and ``about_<wave>.yaml``: where the tables came from (file, SHA-256, codebook, package version)
and whether the data are synthetic.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import yaml

from .describe import score_summary
from .exclusions import concat_logs, exclusion_summary
from .paths import SYNTHETIC_DIR, TABLES_DIR
from .reliability import reliability
from .scoring import score_wave, scoring_log
from .wave import load_wave


def read_manifest(path) -> list[dict]:
    """Waves listed in a manifest YAML: ``waves: [{label, path, codebook (optional)}]``, paths
    relative to the manifest's folder."""
    path = Path(path)
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    waves = []
    for entry in spec.get("waves", []):
        item = dict(entry)
        item["path"] = (path.parent / entry["path"]).resolve()
        if entry.get("codebook"):
            item["codebook"] = (path.parent / entry["codebook"]).resolve()
        waves.append(item)
    return waves


def _write(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")
    return path


def _write_about(wave, path: Path) -> Path:
    from . import __version__

    meta = wave.metadata
    about = {
        "wave": wave.label,
        "synthetic": wave.synthetic,
        "note": ("SYNTHETIC DATA - illustrative only; not findings about social workers"
                 if wave.synthetic else "survey data"),
        "source": meta["source"],
        "sha256": meta["sha256"],
        "codebook": Path(meta["codebook"]).name if meta["codebook"] != "no codebook" else None,
        "n_read": meta["n_read"],
        "n_analysable": meta["n_analysable"],
        "package_version": __version__,
    }
    path.write_text(yaml.safe_dump(about, sort_keys=False), encoding="utf-8")
    return path


def run(manifest=None, out_dir=None, echo=print) -> list[Path]:
    """Run the main job; return the files written.

    Parameters
    ----------
    manifest : str or Path, optional
        Default ``data/synthetic/waves.yaml``.
    out_dir : str or Path, optional
        Default ``tables/``.
    echo : callable
        Where progress lines go.
    """
    manifest = Path(manifest or SYNTHETIC_DIR / "waves.yaml")
    out = Path(out_dir or TABLES_DIR)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for entry in read_manifest(manifest):
        wave = load_wave(entry["path"], entry.get("codebook"), wave=entry.get("label"))
        echo(f"{wave!r}")
        scores = score_wave(wave)
        log = concat_logs(wave.exclusions, scoring_log(wave))
        tag = wave.label
        written.append(_write(reliability(wave), out / f"reliability_{tag}.csv"))
        written.append(_write(score_summary(scores), out / f"score_summary_{tag}.csv"))
        written.append(_write(exclusion_summary(log), out / f"exclusions_{tag}.csv"))
        written.append(_write_about(wave, out / f"about_{tag}.yaml"))
        summary = exclusion_summary(log)
        for row in summary.itertuples():
            echo(f"  excluded ({row.scope} {row.target}): {row.n} - {row.reason}")
    for path in written:
        echo(f"wrote {path}")
    return written


if __name__ == "__main__":  # pragma: no cover
    run(*sys.argv[1:2])
