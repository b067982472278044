"""Synthetic teams for the workload health check: no real team, service or person.

:func:`generate_teams` draws a filled-in health check (one row per team, every template field)
from a seeded :func:`numpy.random.default_rng`. One latent "pressure" score per team (plus a shift
per service) drives vacancies, caseloads, hours, untaken TOIL, missed supervision, cancelled
training, unallocated cases and sickness together, so that some teams come out green, some amber
and some red on the example cut-offs, as a real comparison would. The ranges are plausible, not
calibrated: vacancy rates 0-30 %, 12-30 cases per case-holding FTE, 0-14 hours a week over
contract. About 4 % of number cells are left blank at random, and two teams lack a denominator
on purpose (one never recorded its case holders; one new team had no supervision due yet), to
show "no data". Answers are yes / no / partly; free-text cells hold neutral stock phrases.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ..studies.health_check.spec import NUMERIC, load_template
from ..paths import SYNTHETIC_DIR

TEAMS_SEED = 20190611
#: Service name -> team-name prefix and pressure shift (ASSUMPTION: illustrative only).
SERVICES = {
    "Children's assessment": ("A", 0.5),
    "Children in care": ("B", 0.2),
    "Adult community": ("C", -0.2),
    "Adult hospital": ("D", -0.4),
}
MISSING_RATE = 0.04

_PHRASES = {
    "extra_responsibilities": ["Covering the duty rota one week in four.", "Practice educator for a student placement.",
                               "Service project work alongside a caseload.", "Covering a vacant senior post."],
    "seasonal_peaks": ["Referrals rise in early autumn and after school holidays.",
                       "Winter pressure on hospital discharges.", "No marked seasonal pattern."],
    "allocation_by_holder": ["Complex cases held by experienced practitioners; assistants hold reviews.",
                             "Managers hold some cases while posts are vacant.",
                             "Allocation follows the agreed weighting tool."],
    "workflow_blocks": ["Waiting for panel decisions.", "Delays in transfers to other teams.",
                        "The case-recording system is slow to update."],
    "disagreement": ["No disagreement recorded.", "Views differ on whether the current level is manageable.",
                     "The team's count and the system report differ.", "Agreed on the figures; views differ on the cause."],
    "next_steps": ["Check the figures against the system report before the next review.",
                   "Raise at the service management meeting.", "Review again in three months.",
                   "Add to the team action log and report back at the next team meeting."],
}


def _half(x) -> np.ndarray:
    """Round to the nearest half FTE."""
    return np.round(np.asarray(x, dtype=float) * 2) / 2


def generate_teams(seed: int = TEAMS_SEED, teams_per_service: int = 6) -> pd.DataFrame:
    """A synthetic filled-in health check: every template field, one row per team.

    Parameters
    ----------
    seed : int
        Seed of :func:`numpy.random.default_rng`; the same seed gives the same frame.
    teams_per_service : int
        Teams in each of the four services (default 6: 24 teams).

    Returns
    -------
    DataFrame
        The template's columns in template order (``team`` "A1" ..., ``service``, numbers as
        float with NaN for blank, answers yes / no / partly, neutral free text);
        ``attrs["synthetic"]`` is True. Values pass :func:`analysis.studies.health_check.load_health_check`.

    Examples
    --------
    >>> t = generate_teams()
    >>> t.shape[0], t["team"].iloc[0], t.attrs["synthetic"]
    (24, 'A1', True)
    >>> generate_teams(seed=1).equals(generate_teams(seed=1))
    True
    """
    rng = np.random.default_rng(seed)
    spec = load_template()
    names, services, shift = [], [], []
    for service, (prefix, s) in SERVICES.items():
        for i in range(1, teams_per_service + 1):
            names.append(f"{prefix}{i}")
            services.append(service)
            shift.append(s)
    n = len(names)
    z = np.asarray(shift) + rng.standard_normal(n)  # team pressure: higher = worse on every indicator
    c: dict[str, object] = {"team": names, "service": services}

    est = _half(rng.uniform(6, 16, n))
    vac = np.minimum(_half(est * np.clip(0.11 + 0.08 * z + rng.normal(0, 0.03, n), 0, 0.30)), est)
    in_post = est - vac
    agency = _half(vac * rng.uniform(0.2, 1.0, n))
    c |= {"staff_fte_establishment": est, "staff_fte_in_post": in_post, "vacancies_fte": vac, "agency_fte": agency}
    c["long_term_absence_fte"] = np.minimum(_half(rng.poisson(0.6 + 0.4 * np.clip(z, 0, None)) * 0.5), in_post)
    c["leavers_12m"] = _half(in_post * np.clip(0.16 + 0.08 * z + rng.normal(0, 0.04, n), 0, 0.5))
    c["average_fte_12m"] = np.round(np.clip(in_post + rng.normal(0.3, 0.4, n), 1, None), 1)
    holders = np.minimum(_half((in_post + agency) * rng.uniform(0.75, 0.9, n)), in_post + agency)
    c["case_holding_fte"] = holders
    c["open_cases"] = np.round(holders * np.clip(19.5 + 4.5 * z + rng.normal(0, 1.5, n), 12, 30))
    contracted = rng.choice([37.0, 37.5], n)
    c["mean_weekly_hours"] = np.round(contracted + np.clip(4.5 + 2.8 * z + rng.normal(0, 1.2, n), 0, 14), 1)
    c["contracted_weekly_hours"] = contracted
    c["toil_hours_untaken"] = np.round(in_post * np.clip(17 + 9 * z + rng.normal(0, 4, n), 0, 60))
    c["leave_days_untaken"] = np.round(in_post * rng.uniform(0, 3, n))
    due = np.round(in_post) * 12  # monthly supervision for everyone in post
    c["supervision_sessions_held_12m"] = np.round(due * np.clip(0.88 - 0.12 * z + rng.normal(0, 0.05, n), 0.5, 1.1))
    c["supervision_sessions_policy_12m"] = due
    booked = rng.poisson(in_post * 2.5) + 1
    c["cpd_events_booked_12m"] = booked.astype(float)
    c["cpd_events_cancelled_12m"] = rng.binomial(booked, np.clip(0.12 + 0.07 * z, 0.0, 0.5)).astype(float)
    before = rng.poisson(np.clip(6 + 5 * z, 0, None))
    c["unallocated_cases_now"] = rng.poisson(np.clip(before + 2.5 * z + 1, 0, None)).astype(float)
    c["unallocated_cases_12m_ago"] = before.astype(float)
    referrals = rng.poisson(in_post * 30)
    c["referrals_12m"] = referrals.astype(float)
    c["re_referrals_12m"] = rng.binomial(referrals, 0.18).astype(float)
    c["cases_awaiting_transfer"] = rng.poisson(np.clip(2 + z, 0, None)).astype(float)
    c["meetings_cancelled_per_week"] = np.round(np.clip(1.5 + z + rng.normal(0, 0.5, n), 0, None), 1)
    c["team_meetings_per_month"] = rng.choice([1.0, 2.0, 2.0, 4.0], n)
    c["sickness_days_12m"] = np.round(in_post * np.clip(9 + 3 * z + rng.normal(0, 1.5, n), 1, 25), 1)
    c["sickness_days_prior_12m"] = np.round(in_post * np.clip(8.5 + 2.5 * z + rng.normal(0, 1.5, n), 1, 25), 1)
    c["complaints_12m"] = rng.poisson(2, n).astype(float)
    c["compliments_12m"] = rng.poisson(4, n).astype(float)

    columns = {}
    for name, f in spec.fields.items():
        if name in c:
            columns[name] = c[name]
        elif f.kind == "choice":
            p_yes = 1 / (1 + np.exp(1.2 * z))  # more pressure, fewer "yes"
            pick = rng.random(n)
            columns[name] = np.where(pick < p_yes, "yes", np.where(pick < p_yes + (1 - p_yes) / 2, "partly", "no"))
        elif f.kind == "text":
            stock = _PHRASES[name if f.group != "discussion"
                             else "disagreement" if name.startswith("disagreement_") else "next_steps"]
            filled = rng.random(n) < 0.5
            columns[name] = np.where(filled, rng.choice(stock, n), None).astype(object)
    frame = pd.DataFrame(columns)
    numeric = [f.name for f in spec.fields.values() if f.kind in NUMERIC]
    frame[numeric] = frame[numeric].astype("float64").mask(rng.random((n, len(numeric))) < MISSING_RATE)
    frame.loc[frame["team"] == "C2", "case_holding_fte"] = np.nan  # never recorded: cases per FTE has no data
    new = frame["team"] == "D3"  # a team formed this month: no supervision was due yet
    frame.loc[new, ["supervision_sessions_held_12m", "supervision_sessions_policy_12m"]] = 0.0
    frame.attrs["synthetic"] = True
    return frame


def write_teams(directory=None, seed: int = TEAMS_SEED) -> list[Path]:
    """Write ``health_check_teams.csv`` and its ``health_check_teams.meta.yaml`` (``synthetic:
    true``) into ``directory`` (default ``data/synthetic/``), byte for byte the same each time.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in write_teams(d)]
    ['health_check_teams.csv', 'health_check_teams.meta.yaml']
    """
    out = Path(directory or SYNTHETIC_DIR)
    out.mkdir(parents=True, exist_ok=True)
    csv, meta = out / "health_check_teams.csv", out / "health_check_teams.meta.yaml"
    generate_teams(seed).to_csv(csv, index=False, lineterminator="\n", float_format="%.10g")
    meta.write_text(yaml.safe_dump({
        "synthetic": True,
        "description": "Synthetic workload health check: 24 invented teams in 4 invented services; no real "
                       "team, service or person. Values are plausible, not calibrated to any published figure; "
                       "free text is neutral stock phrases.",
        "generator": f"analysis/synthetic/teams.py (generate_teams, seed {seed})",
        "command": "python -c \"from analysis.synthetic.teams import write_teams; write_teams()\"",
    }, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
    return [csv, meta]
