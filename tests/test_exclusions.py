"""Nobody disappears between the file and the analysis: every respondent read is analysed or in
the exclusions log once, every missing score is logged, and a model says whom it lost."""


import pandas as pd
import pytest

from analysis import analysis_frame, fit_ols, load_wave, score_wave, scoring_log
from analysis.paths import SYNTHETIC_DIR

SYNTHETIC = SYNTHETIC_DIR


WAVES = [(f"wave_{y}.csv", f"wave_{y}.codebook.yaml") for y in (2017, 2018)] + [
    (f"wave_{y}_export.{ext}", f"wave_{y}_export_{ext}.yaml") for y in (2017, 2018) for ext in ("csv", "sav")]
HSE = ["hse_demands", "hse_control", "hse_managers_support", "hse_peer_support",
       "hse_relationships", "hse_role", "hse_change"]


def _file_ids(path, codebook) -> pd.Series:
    """The respondent ids as stored in the file, read apart from the package."""
    import yaml

    columns = (yaml.safe_load(codebook.read_text(encoding="utf-8")) or {}).get("columns", {})
    id_column = next((src for src, canon in columns.items() if canon == "respondent_id"), "respondent_id")
    if path.suffix == ".sav":
        import pyreadstat

        frame, _ = pyreadstat.read_sav(str(path), usecols=[id_column])
    else:
        frame = pd.read_csv(path, usecols=[id_column], dtype=str, keep_default_na=False)
    return frame[id_column].astype(str).str.strip()


@pytest.fixture(scope="module", params=WAVES, ids=[w[0] for w in WAVES])
def bundled(request):
    path, codebook = SYNTHETIC / request.param[0], SYNTHETIC / request.param[1]
    return load_wave(path, codebook), _file_ids(path, codebook)


def test_every_row_read_is_analysable_or_logged_once(bundled):
    wave, file_ids = bundled
    log = wave.exclusions
    out = log.loc[log["scope"] == "wave", "respondent_id"]
    assert file_ids.is_unique and out.is_unique and wave.data["respondent_id"].is_unique
    assert len(file_ids) == wave.metadata["n_read"] == len(wave.data) + len(out)
    assert wave.metadata["n_analysable"] == len(wave.data)
    kept = set(wave.data["respondent_id"])
    assert not kept & set(out), "a respondent is both analysed and excluded"
    assert kept | set(out) == set(file_ids)
    # data/synthetic/README.md: 2017 has 1,600 returns, 1,333 analysable; 2018 excludes nobody.
    assert (len(file_ids), len(wave.data)) == {"2017": (1600, 1333), "2018": (3421, 3421)}[wave.label]


def _accounted_missing(wave, scores):
    """For each score column, the respondents whose missing score the rules explain, and why."""
    log = wave.exclusions
    slog = scoring_log(wave)
    data = wave.data.set_index("respondent_id")
    reasons = {}
    for inst in wave.instruments:
        none = set(log.loc[(log.scope == "instrument") & (log.target == inst.id), "respondent_id"])
        # The instrument-scope log is right about who answered nothing.
        no_answer = set(data.index[data[list(inst.items)].isna().all(axis=1)])
        assert none == no_answer, inst.id
        for scale in inst.scales:
            why = {r: "no answers to the instrument" for r in none}
            if scale.score == "lookup":
                raw_missing = set(scores.index[scores[scale.lookup_from].isna()])
                why.update({r: f"{scale.lookup_from} is missing" for r in raw_missing - none})
            else:
                short = set(slog.loc[slog.target == scale.name, "respondent_id"])
                assert not short & none, f"{scale.name}: logged twice"
                why.update({r: "too few answers (scoring_log)" for r in short})
            reasons[scale.name] = why
    derived_inputs = {"bme": ["ethnicity"], "extra_hours_week": ["hours_actual", "hours_contracted"],
                      "extra_days_year": ["hours_actual", "hours_contracted"],
                      "dissatisfied": ["job_satisfaction"], "presenteeism_2plus": ["presenteeism_12m"]}
    for name, inputs in derived_inputs.items():
        if name in scores:
            gone = data[inputs].isna().any(axis=1)
            reasons[name] = {r: f"{'/'.join(inputs)} not answered" for r in data.index[gone]}
    return reasons


def test_every_missing_score_is_accounted_for(bundled):
    wave, _ = bundled
    scores = score_wave(wave).set_index("respondent_id")
    reasons = _accounted_missing(wave, scores)
    score_columns = [c for c in scores.columns if c != "wave"]
    assert set(score_columns) == set(reasons), "a score column the test does not explain"
    for column in score_columns:
        missing = set(scores.index[scores[column].isna()])
        explained = reasons[column]
        assert missing == set(explained), (
            f"{column}: unexplained {sorted(missing - set(explained))[:5]}, "
            f"explained but scored {sorted(set(explained) - missing)[:5]}")


def test_a_model_accounts_for_everyone_it_loses():
    wave = load_wave(SYNTHETIC / "wave_2018.csv", SYNTHETIC / "wave_2018.codebook.yaml")
    frame = analysis_frame(wave)
    result = fit_ols(frame, "pss4", HSE)
    variables = ["pss4"] + HSE
    lost = frame[variables].isna().any(axis=1)
    assert result.n + result.fit["n_lost"].item() == len(frame)
    assert result.fit["n_lost"].item() == int(lost.sum()) > 0
    dropped = result.dropped.set_index("variable")["n_missing"]
    assert list(dropped.index) == variables
    assert dropped.to_dict() == {v: int(frame[v].isna().sum()) for v in variables}
    named = [v for v in variables if dropped[v] > 0]
    assert (frame[named].isna().any(axis=1) == lost).all()  # each lost respondent lacks a named variable
    assert dropped.max() <= result.fit["n_lost"].item() <= dropped.sum()

