"""Write every bundled synthetic file in ``data/synthetic/``, byte for byte the same each time."""

from __future__ import annotations

from pathlib import Path

import yaml

from ..reading.codebook import write_codebook
from ..paths import SYNTHETIC_DIR
from .demo import DEMO_SEED, demo_wave
from .exports import to_raw_export, write_spss_export
from .poll import write_poll
from .teams import write_teams
from .waves import available_waves, generate_wave, load_params

#: Exclusion rules that the codebooks of the synthetic waves state (with the generator's kinds).
EXCLUSION_RULES = {
    "not_registered": {"id": "not_registered", "column": "role", "in": ["other"],
                       "reason": "role 'other': not a registered social worker (only registered "
                                 "social workers were analysed)"},
}


def _csv(frame, path: Path) -> Path:
    frame.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")
    return path


#: What the report of the bundled waves says about itself (the waves manifest's report: section).
REPORT_DETAILS = {
    "title": "Social workers' wellbeing and working conditions (synthetic demonstration)",
    "publisher": "wellbeing-survey (demonstration run on generated data)",
    "release": "not released: synthetic data for demonstration",
    "contact": "the wellbeing-survey issue tracker",
    "cite_data_as": "Do not cite: the respondents are generated, not surveyed.",
}


def _yaml(mapping: dict, path: Path, header: str = "") -> Path:
    path.write_text(header + yaml.safe_dump(mapping, sort_keys=False, allow_unicode=True, width=100),
                    encoding="utf-8")
    return path


def write_bundled(directory=None) -> list[Path]:
    """Regenerate the bundled synthetic data.

    Writes, for each wave with a parameter file (2017, 2018):

    - ``wave_<year>.csv``: canonical format, every return (excluded ones included), with
      ``wave_<year>.codebook.yaml`` (the wave's exclusion rules; ``synthetic: true``);
    - ``wave_<year>_export.csv`` with ``wave_<year>_export_csv.yaml``: a survey tool's CSV export
      (answer labels, odd column names, -99 and "Prefer not to say");
    - ``wave_<year>_export.sav`` with ``wave_<year>_export_sav.yaml``: an SPSS export with value
      labels and user-missing values;

    plus ``demo_wave.csv`` (500 returns, uncalibrated), ``waves.yaml`` (the manifest the main job
    reads), ``union_poll.csv`` (the member poll, :mod:`analysis.synthetic.poll`) and
    ``health_check_teams.csv`` (team returns, :mod:`analysis.synthetic.teams`). Every data file
    has a ``<name>.meta.yaml`` saying it is synthetic.
    """
    out = Path(directory or SYNTHETIC_DIR)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    manifest = []
    for label in available_waves():
        params = load_params(label)
        data = generate_wave(label)
        rules = [EXCLUSION_RULES[k] for k in (params.get("excluded") or {}) if k in EXCLUSION_RULES]
        base = {"codebook": 1, "synthetic": True, "wave": label}
        if rules:
            base["exclude"] = rules
        stem = f"wave_{label}"
        written.append(_csv(data, out / f"{stem}.csv"))
        written.append(write_codebook({**base, "name": f"synthetic {label} wave, canonical format"},
                                      out / f"{stem}.codebook.yaml"))
        raw, cb = to_raw_export(data.drop(columns="wave"))
        written.append(_csv(raw, out / f"{stem}_export.csv"))
        written.append(write_codebook({**cb, **base, "name": f"synthetic {label} wave, CSV export"},
                                      out / f"{stem}_export_csv.yaml"))
        sav_cb = write_spss_export(data.drop(columns="wave"), out / f"{stem}_export.sav")
        written.append(out / f"{stem}_export.sav")
        written.append(write_codebook({**sav_cb, **base, "name": f"synthetic {label} wave, SPSS export"},
                                      out / f"{stem}_export_sav.yaml"))
        for name in (stem, f"{stem}_export"):  # the CSV and SAV exports share one sidecar
            written.append(_yaml({"synthetic": True, "wave": label,
                                  "description": " ".join(params["description"].split()),
                                  "generator": f"analysis/synthetic/params/wave_{label}.yaml (seed {params['seed']})",
                                  "command": "python -m analysis synthetic"},
                                 out / f"{name}.meta.yaml"))
        manifest.append({"label": label, "path": f"{stem}.csv", "codebook": f"{stem}.codebook.yaml",
                         "fieldwork": params["fieldwork"]})

    demo = demo_wave(n=500, seed=DEMO_SEED, wave="demo", empty_rate=0.02)
    written.append(_csv(demo, out / "demo_wave.csv"))
    written.append(_yaml({
        "synthetic": True,
        "wave": "demo",
        "description": "Synthetic demonstration wave: no real respondent. Not calibrated to the "
                       "published studies. Made by analysis.synthetic.demo_wave(n=500, seed="
                       f"{DEMO_SEED}, empty_rate=0.02).",
        "command": "python -m analysis synthetic",
    }, out / "demo_wave.meta.yaml"))
    written.append(_yaml({"report": REPORT_DETAILS, "waves": manifest}, out / "waves.yaml",
                         "# Waves the main job (python -m analysis run) loads, validates and scores.\n"
                         "# fieldwork: when the answers were collected. The report: section is what the report\n"
                         "# prints about itself (all optional): title, publisher, release, contact, cite_data_as.\n"))
    written += write_poll(out)
    written += write_teams(out)
    return written
