"""Exercises for students, with answers computed from the bundled synthetic waves.

Each exercise is a question about one notebook's method and a short function that answers it with
the library. :func:`write_exercises` runs every answer and writes ``docs/exercises.md``: the
question, a hint, and (folded) the code and the answer it gives. A test regenerates the page and
compares it with the committed one, so no answer can drift from what the code computes::

    python -m analysis.tools.exercises        # rewrite docs/exercises.md

The answers describe synthetic respondents: they show how the methods work, not what social
workers think.
"""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..paths import REPO_DIR, SYNTHETIC_DIR

EXERCISES_PAGE = REPO_DIR / "docs" / "exercises.md"


@lru_cache(maxsize=1)
def waves() -> dict:
    """The bundled synthetic waves: ``{"2017": wave, "2018": wave}``, loaded once."""
    from .. import load_wave

    return {label: load_wave(SYNTHETIC_DIR / f"wave_{label}.csv", SYNTHETIC_DIR / f"wave_{label}.codebook.yaml")
            for label in ("2017", "2018")}


@lru_cache(maxsize=2)
def frame(label: str):
    """:func:`analysis.analysis_frame` of a bundled wave."""
    from .. import analysis_frame

    return analysis_frame(waves()[label])


@dataclass(frozen=True)
class Exercise:
    """One exercise: the notebook it practises, the question, a hint, and the function whose body
    is the worked answer (it returns the answer as a sentence)."""

    notebook: str
    question: str
    hint: str
    answer: object


def _share_in_wales():
    from analysis import sample_profile

    profile = sample_profile(frame("2018"), "nation")
    wales = profile[profile["category"] == "Wales"].iloc[0]
    return f"{100 * wales['share']:.1f}% of the 2018 respondents ({int(wales['n']):,} of them) work in Wales."


def _pss_alpha():
    from analysis import reliability

    table = reliability(waves()["2018"])
    alpha = table[(table["scale"] == "pss4") & (table["measure"] == "cronbach_alpha")].iloc[0]
    return (f"Cronbach's alpha of the PSS-4 in 2018 is {alpha['estimate']:.2f} (95% CI {alpha['conf_low']:.2f} to "
            f"{alpha['conf_high']:.2f}), among the {int(alpha['n']):,} respondents who answered all four items.")


def _closest_to_cut_off():
    from analysis import hse_benchmark

    table = hse_benchmark(frame("2018"))
    table = table.assign(gap=table["estimate"] - table["p20"])
    closest = table.loc[table["gap"].abs().idxmin()]
    crosses = closest["conf_low"] <= closest["p20"] <= closest["conf_high"]
    return (f"{closest['label']}: mean {closest['estimate']:.2f} (95% CI {closest['conf_low']:.2f} to "
            f"{closest['conf_high']:.2f}) against a 20th percentile of {closest['p20']:.2f}; the interval "
            + ("crosses the cut-off, so the band could be red or yellow." if crosses
               else "does not cross the cut-off."))


def _demands_slope():
    from analysis import fit_ols, scale_names

    ols = fit_ols(frame("2018"), "pss4", scale_names("hse_mit"), robust="HC3")
    b = ols.coefficients.set_index("term").loc["hse_demands"]
    return (f"b = {b['estimate']:.2f} (HC3 95% CI {b['conf_low']:.2f} to {b['conf_high']:.2f}): one point better on "
            f"Demands goes with {abs(b['estimate']):.2f} points less stress on the 0-16 PSS-4, the other six scales "
            f"held equal (n = {ols.n:,}).")


def _relationships_gap():
    from analysis import bme_experience
    from analysis.outputs.narrative import p_value

    tests = bme_experience(frame("2018")).comparisons.set_index("outcome")
    g = tests.loc["hse_relationships"]
    return (f"Hedges' g = {g['estimate']:.2f} (95% CI {g['conf_low']:.2f} to {g['conf_high']:.2f}), Holm-adjusted "
            f"{p_value(g['adjusted_p_value'])}: BME respondents score lower on Relationships (more conflict).")


def _stress_ame():
    from analysis import fit_logit

    model = fit_logit(frame("2018"), "presenteeism_2plus", ["pss4", "hse_demands", "hse_control",
                                                             "hse_managers_support"], covariates=["sector"])
    ame = model.marginal_effects.set_index("term").loc["pss4"]
    return (f"{100 * ame['estimate']:.1f} percentage points (95% CI {100 * ame['conf_low']:.1f} to "
            f"{100 * ame['conf_high']:.1f}) higher probability of presenteeism per point of stress.")


def _managers_leaving():
    from analysis import prevalence

    table = prevalence(frame("2018"), "intend_leave_job", by="role")
    row = table[table["group"] == "manager"].iloc[0]
    return (f"{100 * row['estimate']:.0f}% (Wilson 95% CI {100 * row['conf_low']:.0f} to "
            f"{100 * row['conf_high']:.0f}%) of the {int(row['n']):,} managers who answered.")


def _median_hours():
    from analysis import score_summary

    summary = score_summary(frame("2018")[["extra_hours_week"]]).iloc[0]
    return (f"Median {summary['median']:g} hours, mean {summary['mean']:.1f}: the mean is higher because a "
            "minority work very long hours (the distribution is skewed to the right).")


def _dissatisfied_change():
    from analysis import compare_waves
    from analysis.outputs.narrative import p_value

    change = compare_waves({"2017": frame("2017"), "2018": frame("2018")}, "dissatisfied").iloc[0]
    return (f"Up {100 * change['estimate']:.1f} percentage points (95% CI {100 * change['conf_low']:.1f} to "
            f"{100 * change['conf_high']:.1f}; chi-square {p_value(change['p_value'])}), from "
            f"{100 * change['value_from']:.0f}% to {100 * change['value_to']:.0f}%. Different people answered each "
            "wave, so part of a change can come from who answered.")


def _hidden_roles():
    from analysis import prevalence
    from analysis.labels import value_label

    table = prevalence(frame("2018"), "intend_leave_job", by="role", threshold=400)
    hidden = table[table["suppressed"] != ""]
    return (f"{len(hidden)} of {len(table) - 1} roles are hidden: "
            + ", ".join(f"{value_label(g)} ({s})" for g, s in zip(hidden["group"], hidden["suppressed"]))
            + ". A primary cell rests on too few respondents; a secondary one is hidden so that the All row "
            "cannot give a primary one away by subtraction.")


EXERCISES = (
    Exercise("02_sample_profile", "What share of the 2018 respondents work in Wales?",
             "`sample_profile(frame, \"nation\")`; the share is of all respondents.", _share_in_wales),
    Exercise("03_scores_and_reliability", "What is Cronbach's alpha of the PSS-4 in 2018, with its interval?",
             "`reliability(wave)`: two rows per scale, alpha and omega.", _pss_alpha),
    Exercise("04_hse_benchmarks", "Which HSE standard's mean is closest to the benchmark's 20th percentile, and "
             "is its band certain?", "`hse_benchmark(frame)`: compare `estimate`, `conf_low`, `conf_high` with `p20`.",
             _closest_to_cut_off),
    Exercise("05_stress_regression", "By how much does stress change per point better on Demands, the other "
             "scales held equal?", "`fit_ols(frame, \"pss4\", scale_names(\"hse_mit\"), robust=\"HC3\")`.",
             _demands_slope),
    Exercise("06_bme_experience", "How large is the gap between BME and white respondents on Relationships, "
             "after Holm's correction?", "`bme_experience(frame).comparisons`.", _relationships_gap),
    Exercise("07_presenteeism", "How does the probability of presenteeism change per point of stress?",
             "`fit_logit(...).marginal_effects`.", _stress_ame),
    Exercise("08_intention_to_leave", "What share of managers intend to leave their job?",
             "`prevalence(frame, \"intend_leave_job\", by=\"role\")`.", _managers_leaving),
    Exercise("09_hours_and_satisfaction", "What are the median and the mean of extra hours a week, and why do "
             "they differ?", "`score_summary(frame[[\"extra_hours_week\"]])`.", _median_hours),
    Exercise("10_wave_comparison", "Did the share dissatisfied with their job change from 2017 to 2018?",
             "`compare_waves({\"2017\": frame_2017, \"2018\": frame}, \"dissatisfied\")`.", _dissatisfied_change),
    Exercise("02_sample_profile", "With a disclosure threshold of 400, which roles are hidden in a table of "
             "intention to leave, and why each?", "`prevalence(..., by=\"role\", threshold=400)`: the "
             "`suppressed` column.", _hidden_roles),
)


def _body(function) -> str:
    """The worked answer as a reader should see it: the function's body, dedented."""
    lines = inspect.getsource(function).splitlines()[1:]
    return textwrap.dedent("\n".join(lines)).strip()


def exercises_page() -> str:
    """``docs/exercises.md`` as it should read, every answer computed now."""
    parts = ["# Exercises", "",
             "<!-- Written by `python -m analysis.tools.exercises`: do not edit by hand; a test checks that every",
             "     answer is what the code computes. -->", "",
             "Questions on the numbered notebooks' methods, to answer with the library on the bundled synthetic",
             "waves (`frame(\"2018\")` is `analysis_frame` of the 2018 wave; `waves()[\"2018\"]` the loaded wave).",
             "Try each before opening its answer. The answers describe **synthetic** respondents: they show how",
             "the methods work, not what social workers think.", ""]
    for k, ex in enumerate(EXERCISES, 1):
        parts += [f"## {k}. {ex.question}", "", f"Notebook `{ex.notebook}`. Hint: {ex.hint}", "",
                  "<details><summary>Answer</summary>", "", "```python", _body(ex.answer), "```", "",
                  f"**{ex.answer()}**", "", "</details>", ""]
    return "\n".join(parts)


def write_exercises(path=None) -> Path:
    """Compute every answer and write the exercises page (default ``docs/exercises.md``)."""
    path = Path(path) if path else EXERCISES_PAGE
    path.write_text(exercises_page(), encoding="utf-8")
    return path


if __name__ == "__main__":  # pragma: no cover
    print(f"wrote {write_exercises()}")
