"""House style: figures carry the synthetic mark, title, n and source, and SVGs are byte-stable."""

from analysis import hse_benchmark
from analysis.outputs.plots import plot_hse_benchmark
from analysis.outputs.style import SYNTHETIC_MARK, new_figure, save_figure

from .conftest import frame


def _draw(stem, synthetic=True):
    _, ax = new_figure()
    plot_hse_benchmark(hse_benchmark(frame("2018")), ax=ax)
    return save_figure(ax.figure, stem, title="HSE Management Standards, 2018", n=3421,
                       alt_text="Bar chart of the seven HSE scale means against the benchmark.",
                       source="synthetic wave 2018, wellbeing-survey 0.1.0", synthetic=synthetic)


def test_figure_files_and_marks(tmp_path):
    out = _draw(tmp_path / "hse")
    svg = out["svg"].read_text()
    assert SYNTHETIC_MARK in svg and "HSE Management Standards, 2018" in svg and "n = 3,421" in svg
    assert "(red)" in svg
    assert out["png"].stat().st_size > 10_000 and out["alt_text"].startswith("Bar chart")
    plain = _draw(tmp_path / "plain", synthetic=False)
    assert SYNTHETIC_MARK not in plain["svg"].read_text()


def test_svg_is_byte_stable(tmp_path):
    a = _draw(tmp_path / "a")["svg"].read_bytes()
    b = _draw(tmp_path / "b")["svg"].read_bytes()
    assert a == b and b"<dc:date>" not in a
