"""A codebook may carry the questionnaire's own wording (``labels:``): figures, Markdown tables and
the report then speak it, in place of the package's labels; CSV files keep the codes."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis import CodebookError, Session, load_wave, plot_shares, prevalence, use_study_labels
from analysis.labels import column_label, value_label
from analysis.paths import SYNTHETIC_DIR

CSV = SYNTHETIC_DIR / "wave_2018.csv"
WORDING = {"columns": {"sector": "Area of practice",
                       "intend_leave_job": "I intend to leave my current job in the next 15 months"},
           "values": {"children_families": "Children's services", "adults": "Adult social care"}}


def codebook(labels=WORDING) -> dict:
    return {"codebook": 1, "synthetic": True, "wave": "2018", "labels": labels}


@pytest.fixture(autouse=True)
def package_labels():
    before = use_study_labels(None)
    yield
    use_study_labels(before)


def test_a_codebook_carries_the_wording_into_the_wave():
    wave = load_wave(CSV, codebook())
    assert wave.metadata["labels"] == WORDING
    assert load_wave(CSV, {"codebook": 1, "synthetic": True}).metadata["labels"] == {"columns": {}, "values": {}}


def test_outputs_speak_the_questionnaire_and_the_csv_keeps_codes(tmp_path):
    s = Session("08_wording", waves=[{"label": "2018", "path": CSV, "codebook": codebook()}], output_dir=tmp_path,
                display=False)
    assert column_label("sector") == "Area of practice" and value_label("adults") == "Adult social care"
    assert column_label("role") == "Job role"   # not given: the package's label
    frame = s.frame()
    table = prevalence(frame, "intend_leave_job", by="sector")
    s.table("leave", table, "Intention to leave by area of practice")
    markdown = (tmp_path / "tables" / "08_leave_2018.md").read_text(encoding="utf-8")
    assert "Children's services" in markdown and "Adult social care" in markdown
    assert "I intend to leave my current job in the next 15 months" in markdown
    assert "children_families" not in markdown and "Children and families" not in markdown
    csv = pd.read_csv(tmp_path / "tables" / "08_leave_2018.csv")
    assert "children_families" in set(csv["group"])   # machines keep the codes
    ax = plot_shares(table, label="group")
    s.figure("leave", ax, title="Intention to leave", alt_text="Bars.")
    svg = (tmp_path / "figures" / "08_leave_2018.svg").read_text(encoding="utf-8")
    assert "Children&#39;s services" in svg or "Children's services" in svg
    # A notebook on waves whose codebooks give no wording speaks the package's labels again.
    Session("08_plain", waves=[{"label": "2018", "path": CSV}], output_dir=tmp_path, display=False)
    assert value_label("children_families") == "Children and families" and column_label("sector") == "Service area"


def test_a_later_wave_s_wording_wins():
    first = codebook({"columns": {"sector": "Team type"}})
    later = codebook({"columns": {"sector": "Area of practice"}})
    Session("02_x", waves=[{"label": "2017", "path": CSV, "codebook": first},
                           {"label": "2018", "path": CSV, "codebook": later}], display=False)
    assert column_label("sector") == "Area of practice"


def test_wording_keyed_by_an_unknown_name_is_refused_with_a_suggestion():
    with pytest.raises(CodebookError) as err:
        load_wave(CSV, codebook({"columns": {"setcor": "Area"}, "values": {"children_family": "Children"}}))
    text = str(err.value)
    assert "did you mean 'sector'" in text and "did you mean 'children_families'" in text


def test_wording_must_be_text_of_reasonable_length():
    with pytest.raises(CodebookError):
        load_wave(CSV, codebook({"columns": {"sector": ""}}))
    with pytest.raises(CodebookError):
        load_wave(CSV, codebook({"columns": {"sector": "x" * 301}}))
