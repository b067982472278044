"""Disclosure that holds across the whole report: a run on a wave with small groups (sectors of
11 and 9, nations of 7 and 4, roles of 9, 7 and 4, nine BME respondents, five who intend to leave
the profession) completes, and nothing below the threshold can be recovered from what it writes.

The attack reads every table the run wrote, infers which column of the wave each grouped table
breaks down by, and collects every published figure as a linear equation over the groups: a
shown group's count (or count of 1s, or sum of an outcome: share x n, mean x n) is one
equation, a total (an ``All`` row, or an overall table of the same outcome) another. A small
quantity - a group's count of respondents, of 1s or of 0s between 1 and 9, or the sum of an
outcome over such a group - is recovered exactly when its unit vector lies in the row space of
those equations (linear algebra, not just subtraction). None may be.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from analysis import analysis_frame, load_wave
from analysis.disclosure import NOT_ANSWERED, check_ledger
from analysis.outputs.runner import run_notebooks
from analysis.reading.dictionary import load_dictionary

from .conftest import small_group_wave

THRESHOLD = 10


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small")
    path = small_group_wave(folder)
    (folder / "waves.yaml").write_text(f"waves:\n  - {{label: '2019', path: {path.name}}}\n", encoding="utf-8")
    out = folder / "out"
    result = run_notebooks({"waves": str(folder / "waves.yaml"), "threshold": THRESHOLD}, out, echo=lambda _: None)
    frame = analysis_frame(load_wave(path))
    frame["bme_group"] = frame["bme"].map({1.0: "bme", 0.0: "white"})
    for item in ("racism_colleagues_12m", "racism_service_users_12m"):  # as notebook 06 counts them
        frame[f"{item}_any"] = (frame[item] >= 1).astype(float).where(frame[item].notna())
    dictionary = load_dictionary()
    for column in frame.columns:  # coded answers as the labels the profiles show
        spec = dictionary[column] if column in dictionary else None
        if spec is not None and spec.kind == "code" and spec.labels:
            frame[column] = frame[column].map({float(k): v for k, v in spec.labels.items()}).astype(object)
    return {"out": out, "result": result, "frame": frame}


def _tables(out):
    return {p.stem: pd.read_csv(p) for p in sorted((out / "tables").glob("*.csv"))}


def _grouping(frame, groups) -> str | None:
    """The column of the wave whose values the table's groups are."""
    groups = {str(g) for g in groups} - {"All", NOT_ANSWERED, "nan"}
    for column in frame.columns:
        values = frame[column]
        if not pd.api.types.is_numeric_dtype(values) and groups and groups <= {str(v) for v in values.dropna().unique()}:
            return column
    return None


def _equations(tables, frame):
    """(by, outcome, quantity) -> list of (coefficients over the groups, value) from every table."""
    eqs = {}

    def add(by, outcome, quantity, groups_vector, value):
        if pd.notna(value):
            eqs.setdefault((by, outcome, quantity), []).append((groups_vector, float(value)))

    for name, t in tables.items():
        outcome_col = next((c for c in ("outcome", "scale", "item") if c in t.columns), None)
        if "group" in t.columns and outcome_col and "n" in t.columns:
            by = _grouping(frame, t["group"])
            if by is None:
                continue
            for _, row in t.iterrows():
                g = "*" if row["group"] == "All" else str(row["group"])
                o = row[outcome_col] + ("_any" if outcome_col == "item" else "")  # racism: any incident
                add(by, o, "n", g, row["n"])
                if "count" in t.columns:
                    add(by, o, "yes", g, row["count"])
                if "estimate" in t.columns and row.get("measure") in ("mean", "share") and pd.notna(row["n"]):
                    add(by, o, "sum", g, row["estimate"] * row["n"])
        elif {"variable", "n", "mean"} <= set(t.columns):  # score summaries: overall n and mean
            for _, row in t.iterrows():
                for by in ("sector", "nation", "role", "bme_group", "ethnicity"):
                    add(by, row["variable"], "n", "*", row["n"])
                    add(by, row["variable"], "sum", "*", row["mean"] * row["n"])
        elif {"variable", "category", "n"} <= set(t.columns):
            for _, row in t.iterrows():
                g = "*" if row["category"] == "All" else str(row["category"])
                add(str(row["variable"]), None, "n", g, row["n"])
        elif outcome_col and "n" in t.columns and "group" not in t.columns:  # overall tables
            for _, row in t.iterrows():
                for by in ("sector", "nation", "role", "bme_group", "ethnicity"):
                    o = row[outcome_col]
                    add(by, o, "n", "*", row["n"])
                    if "count" in t.columns:
                        add(by, o, "yes", "*", row["count"])
                    if "estimate" in t.columns and row.get("measure") in ("mean", "share"):
                        add(by, o, "sum", "*", row["estimate"] * row["n"])
    return eqs


def _recoverable(equations, levels, target) -> bool:
    """Whether the value of ``target`` is fixed by the equations (its unit vector in their row space)."""
    index = {lv: i for i, lv in enumerate(levels)}
    rows = []
    for groups, _ in equations:
        v = np.zeros(len(levels))
        if groups == "*":
            v[:] = 1.0
        else:
            v[index[groups]] = 1.0
        rows.append(v)
    if not rows:
        return False
    a = np.array(rows)
    e = np.zeros(len(levels))
    e[index[target]] = 1.0
    return np.linalg.matrix_rank(np.vstack([a, e])) == np.linalg.matrix_rank(a)


@pytest.mark.slow
def test_the_whole_report_completes_on_small_groups(small_run):
    ran = [p.stem for p in small_run["result"]["notebooks"]]
    assert ran[:10] == ["01_data_and_codebook", "02_sample_profile", "03_scores_and_reliability", "04_hse_benchmarks",
                        "05_stress_regression", "06_bme_experience", "07_presenteeism", "08_intention_to_leave",
                        "09_hours_and_satisfaction", "10_wave_comparison"]
    assert "11_union_priorities" not in ran and "12_workload_health_check" not in ran  # no poll, no teams given
    manifest = json.loads(small_run["result"]["manifest"].read_text())
    assert manifest["disclosure"]["conflicts"] == 0 and manifest["disclosure"]["groups_hidden"] > 0
    assert not any(i["file"] in ("union_poll.csv", "health_check_teams.csv") for i in manifest["inputs"])


@pytest.mark.slow
def test_no_small_group_is_recoverable_from_all_the_tables_of_the_run(small_run):
    frame, tables = small_run["frame"], _tables(small_run["out"])
    eqs = _equations(tables, frame)
    assert eqs, "the attack found no grouped tables"
    recovered = []
    for (by, outcome, quantity), equations in eqs.items():
        if by not in frame or (outcome is not None and outcome not in frame):
            continue
        groups = frame[by].astype(object).where(frame[by].notna(), NOT_ANSWERED)
        levels = sorted({str(g) for g in groups.unique()})
        y = frame[outcome] if outcome is not None else pd.Series(1.0, index=frame.index)
        answered = y.notna()
        for level in levels:
            if level == NOT_ANSWERED:
                continue  # a missing answer describes no one
            members = answered & (groups.astype(str) == level)
            n = int(members.sum())
            binary = outcome is not None and set(y.dropna().unique()) <= {0.0, 1.0}
            small = {"n": 0 < n < THRESHOLD,
                     "yes": binary and (0 < y[members].sum() < THRESHOLD or 0 < n - y[members].sum() < THRESHOLD),
                     "sum": 0 < n < THRESHOLD}[quantity]
            if small and _recoverable(equations, levels, level):
                recovered.append((by, outcome, quantity, level, n))
    assert not recovered, recovered


@pytest.mark.slow
def test_the_ledger_of_the_run_agrees_and_counts_are_never_small(small_run):
    frags = [json.loads(p.read_text()) for p in sorted((small_run["out"] / "provenance").glob("*.json"))]
    ledger = [e for f in frags for o in f["outputs"] for e in o.get("ledger", [])]
    assert ledger and check_ledger(ledger) == []
    hidden = {(e[1], e[3]) for e in ledger if e[4]}
    assert ("sector", "other") in hidden and ("nation", "Scotland") in hidden and ("role", "independent") in hidden
    for name, t in _tables(small_run["out"]).items():
        for col in [c for c in t.columns if c == "n" or c.startswith("n_") or c == "count"]:
            if col in ("n_missing", "n_lost", "n_no_answer", "n_analysable", "n_influential", "n_teams"):
                continue
            values = pd.to_numeric(t[col], errors="coerce")
            labels = t.select_dtypes(exclude="number").isin([NOT_ANSWERED]).any(axis=1)
            assert not ((values > 0) & (values < THRESHOLD) & ~labels).any(), (name, col)
    # nobody was excluded here; a fit of a rare outcome hides its events (none fitted: 5 events)
    for sidecar in (small_run["out"] / "figures").glob("*.json"):
        assert json.loads(sidecar.read_text())["n"] >= THRESHOLD, sidecar.name


def test_exclusions_cannot_be_recovered_as_read_minus_analysed():
    from analysis import wave_overview
    from analysis.synthetic import demo_wave

    data = demo_wave(n=120, seed=5, wave="2019", empty_rate=0.03)
    wave = load_wave(data)
    excluded = wave.metadata["n_read"] - wave.metadata["n_analysable"]
    assert 0 < excluded < THRESHOLD
    row = wave_overview([wave], threshold=THRESHOLD).iloc[0]
    assert np.isnan(row["n_read"]) and row["suppressed"] == "primary" and row["n_analysable"] == 120 - excluded
    assert wave_overview([wave], threshold=1).iloc[0]["n_read"] == 120


def _attack(frame, tables, by):
    """The small groups of ``by`` the attack recovers from these tables."""
    eqs = _equations(tables, frame)
    levels = sorted({str(g) for g in frame[by].dropna().unique()})
    found = []
    for (b, outcome, quantity), equations in eqs.items():
        if b != by:
            continue
        for level in levels:
            n = int(((frame[by].astype(str) == level) & (frame[outcome].notna() if outcome else True)).sum())
            if 0 < n < THRESHOLD and _recoverable(equations, levels, level):
                found.append((outcome, quantity, level))
    return found


def test_the_attack_finds_what_unprotected_tables_give_away_and_nothing_in_protected_ones():
    from analysis import group_means, prevalence, sample_profile

    rng = np.random.default_rng(11)
    frame = pd.DataFrame({"sector": ["adults"] * 60 + ["children_families"] * 50 + ["mixed"] * 4,
                          "leave": rng.integers(0, 2, 114).astype(float), "pss4": rng.normal(8, 3, 114)})

    def run(threshold):
        return {"prevalence": prevalence(frame, "leave", by="sector", threshold=threshold),
                "means": group_means(frame, "pss4", by="sector", total=False, threshold=threshold),
                "overall": group_means(frame, "pss4", threshold=threshold),
                "profile": sample_profile(frame, "sector", threshold=threshold)}

    leaked = _attack(frame, {k: v.reset_index(drop=True) for k, v in run(1).items()}, "sector")
    assert ("pss4", "sum", "mixed") in leaked and ("leave", "yes", "mixed") in leaked  # shown outright at 1
    assert _attack(frame, run(THRESHOLD), "sector") == []
    # The 0.1 rule hid only within a table: the means without a total hid mixed alone, and the
    # overall mean gave it back. The same tables now hide its partner too.
    means = run(THRESHOLD)["means"].set_index("group")["suppressed"].to_dict()
    assert means == {"adults": "", "children_families": "secondary", "mixed": "primary"}
