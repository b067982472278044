"""House style: figures carry the synthetic mark (grey, in a banner, off the data), title, caption,
n and source; their alt text is in the SVG and the PNG; SVGs are byte-stable."""

import re
import struct
import zlib

import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import to_hex

from analysis import hse_benchmark
from analysis.outputs.plots import describe_benchmark, plot_hse_benchmark, plot_ranked
from analysis.outputs.style import MARK_GREY, SYNTHETIC_MARK, new_figure, save_figure

from .conftest import frame

CAPTION = "Mean scale scores with 95% intervals against the benchmark's bands."


def _draw(stem, synthetic=True):
    table = hse_benchmark(frame("2018"))
    _, ax = new_figure()
    plot_hse_benchmark(table, ax=ax)
    out = save_figure(ax.figure, stem, title="HSE Management Standards, 2018", n=3421,
                      alt_text=describe_benchmark(table), caption=CAPTION,
                      source="synthetic wave 2018, wellbeing-survey 0.1.0", synthetic=synthetic)
    return out | {"figure": ax.figure}


def _png_chunks(path) -> dict:
    """Chunk type -> list of payloads of a PNG file."""
    data, chunks, i = path.read_bytes(), {}, 8
    while i < len(data):
        (length,), kind = struct.unpack(">I", data[i:i + 4]), data[i + 4:i + 8].decode("ascii")
        chunks.setdefault(kind, []).append(data[i + 8:i + 8 + length])
        assert zlib.crc32(data[i + 4:i + 8 + length]) == struct.unpack(">I", data[i + 8 + length:i + 12 + length])[0]
        i += 12 + length
    return chunks


def test_figure_files_and_marks(tmp_path):
    out = _draw(tmp_path / "hse")
    svg = out["svg"].read_text()
    assert svg.count(SYNTHETIC_MARK) == 1 and "HSE Management Standards, 2018" in svg and "n = 3,421" in svg
    assert "(red)" in svg and CAPTION in svg  # the caption is drawn, not only kept in the sidecar
    assert out["png"].stat().st_size > 10_000 and out["alt_text"].startswith("Dot chart")
    plain = _draw(tmp_path / "plain", synthetic=False)
    assert SYNTHETIC_MARK not in plain["svg"].read_text()


def test_the_mark_is_grey_and_off_the_data(tmp_path):
    out = _draw(tmp_path / "hse")
    fig = out["figure"]
    renderer = FigureCanvasAgg(fig).get_renderer()  # the figure is closed: give it a canvas again
    mark = next(t for t in fig.texts if t.get_text() == SYNTHETIC_MARK)
    banner = next(p for p in fig.artists if to_hex(p.get_facecolor()) == MARK_GREY.lower())
    assert to_hex(mark.get_color()) == "#ffffff" and mark.get_rotation() == 0
    box = mark.get_window_extent(renderer)
    assert banner.get_window_extent(renderer).contains(*box.min) and banner.get_window_extent(renderer).contains(*box.max)
    for ax in fig.axes:  # nothing of the plot reaches into the banner, or the caption and source below
        plot = ax.get_tightbbox(renderer)
        assert not plot.overlaps(box)
        for text in fig.texts:
            assert not plot.overlaps(text.get_window_extent(renderer)), text.get_text()[:40]
    # a short figure grows to make room instead of the mark covering it
    short = plot_ranked(pd.DataFrame({"label": ["A"], "estimate": [50.0]}), low=None, high=None, xmax=100)
    before = short.figure.get_size_inches()[1]
    save_figure(short.figure, tmp_path / "short", title="Short", alt_text="A bar.", source="test", n=10,
                synthetic=True)
    assert short.figure.get_size_inches()[1] > before + 0.5


def test_alt_text_is_in_the_svg_and_the_png(tmp_path):
    out = _draw(tmp_path / "hse")
    svg = out["svg"].read_text()
    found = re.search(r"<svg\b[^>]*>\s*<title>(.*?)</title>\s*<desc>(.*?)</desc>", svg, re.S)
    assert found and found.group(1) == "HSE Management Standards, 2018"
    assert found.group(2).replace("&#x27;", "'").replace("&amp;", "&") == out["alt_text"]
    assert 'role="img"' in svg
    text = {chunk.split(b"\0", 1)[0].decode(): chunk.split(b"\0", 1)[1].decode("latin-1")
            for chunk in _png_chunks(out["png"]).get("tEXt", [])}
    assert text["Title"] == "HSE Management Standards, 2018" and text["Description"] == out["alt_text"]
    assert text["Comment"] == CAPTION and "Software" not in text


def test_svg_is_byte_stable(tmp_path):
    a = _draw(tmp_path / "a")["svg"].read_bytes()
    b = _draw(tmp_path / "b")["svg"].read_bytes()
    assert a == b and b"<dc:date>" not in a
