"""The exercises page states what the code computes today (docs/exercises.md is generated)."""

from analysis.tools.exercises import EXERCISES, EXERCISES_PAGE, exercises_page
from analysis.labels import code_names


def test_the_exercises_page_is_current():
    page = exercises_page()
    assert EXERCISES_PAGE.read_text(encoding="utf-8") == page, \
        "docs/exercises.md is out of date: run python -m analysis.tools.exercises"
    assert page.count("<details><summary>Answer</summary>") == len(EXERCISES) >= 8


def test_answers_speak_plain_english():
    answers = [ex.answer() for ex in EXERCISES]
    assert not [a for a in answers for code in code_names() if code in a.split()]
    assert all("e-" not in a for a in answers)  # p values as APA writes them, never 2.1e-16
