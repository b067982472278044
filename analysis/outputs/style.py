"""House style for figures: a colour-blind-safe palette, traffic-light colours that also carry text
labels, page and slide sizes, and one save function that frames every figure the same way and
writes it with its metadata.

:func:`save_figure` puts, from the top: a grey banner with the synthetic-data mark (for
synthetic data), the title and any subtitle; then the plot; then the caption and a line with n
and the source. Nothing is drawn over the data. It writes a PNG (300 dpi, with the title, alt
text, caption and source as ``tEXt`` chunks), a byte-stable SVG (with ``<title>`` and ``<desc>``)
and a JSON sidecar.
"""

from __future__ import annotations

import io
import json
import re
import textwrap
import warnings
from pathlib import Path
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")  # headless by default; notebooks may switch
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from .tables import SYNTHETIC_MARK  # noqa: E402

#: Okabe-Ito palette (Okabe & Ito 2008), safe for the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

#: A red that reads as red (ColorBrewer RdBu's darkest red) and an amber that reads as amber
#: (Okabe-Ito orange): the HSE bands' "yellow" and the health check's "amber" are this one
#: colour. Red, amber and green differ in lightness as well as hue, so they stay apart for
#: colour-blind readers and in greyscale; every use also prints the word.
RED, AMBER, GREEN = "#B2182B", "#E69F00", "#009E73"

#: HSE traffic-light bands: colour plus the label that must always accompany it.
BANDS = {
    "red": (RED, "Red: below 20th percentile (urgent action)"),
    "yellow": (AMBER, "Yellow: 20th-50th percentile (clear need to improve)"),
    "blue": ("#56B4E9", "Blue: 50th-80th percentile (good, room to improve)"),
    "green": (GREEN, "Green: 80th percentile or above (doing very well)"),
    "suppressed": ("#BBBBBB", "Suppressed: fewer respondents than the disclosure threshold"),
}

#: Red-amber-green flags of the workload health check: colour plus the label that goes with it.
FLAGS = {
    "red": (RED, "Red: at or past the red cut-off"),
    "amber": (AMBER, "Amber: at or past the amber cut-off"),
    "green": (GREEN, "Green: short of both cut-offs"),
    "no data": ("#BBBBBB", "No data: not recorded, or a zero denominator"),
}

#: The neutral grey of the synthetic-data banner (no band or flag colour, so it is never lost
#: against a red cell or mistaken for one).
MARK_GREY = "#5E5E5E"

#: Figure sizes in inches (A4 text width is 6.3 in).
SIZES = {"a4_full": (6.3, 4.2), "a4_half": (3.1, 2.6), "a4_tall": (6.3, 8.0), "slide": (10.0, 5.6)}

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.labelsize": 8.5,
    "axes.titlesize": 8.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "legend.title_fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "svg.hashsalt": "wellbeing-survey",  # fixed ids: the same figure gives the same SVG bytes
    "svg.fonttype": "none",
}

#: Text sizes (points) of the frame save_figure draws, and their colours.
TITLE_PT, SUBTITLE_PT, CAPTION_PT, SOURCE_PT, BANNER_PT = 11.0, 8.5, 8.0, 7.0, 8.5
_BANNER_IN = 0.24  # height of the synthetic-data banner, inches
_LINE = 1.3  # line height as a multiple of the font size


def apply_style() -> None:
    """Set the house style on matplotlib (called by :func:`new_figure`)."""
    plt.rcParams.update(_RC)


def new_figure(size: str = "a4_full"):
    """A figure and axes in the house style and one of :data:`SIZES`."""
    apply_style()
    return plt.subplots(figsize=SIZES[size])


def figure_of(target):
    """The Figure of a Figure, an Axes or an array of Axes (what the plot functions return)."""
    if hasattr(target, "savefig"):
        return target
    if hasattr(target, "figure"):
        return target.figure
    return next(iter(target.flat if hasattr(target, "flat") else target)).figure


def set_subtitle(target, text: str):
    """Give a figure (or the figure of an Axes) a subtitle, which :func:`save_figure` draws under
    the title: what a reader must know to read the chart (who answered, what a score means).
    Returns ``target``."""
    figure_of(target)._house_subtitle = str(text) if text else ""
    return target


def set_layout(target, **pads):
    """Padding for :func:`save_figure`'s layout (``w_pad``, ``h_pad`` in font-size units, as
    :meth:`matplotlib.figure.Figure.tight_layout` takes them), e.g. a wider gap between panels.
    Returns ``target``."""
    figure_of(target)._house_pads = dict(pads)
    return target


# -- colour arithmetic -----------------------------------------------------------------------------
def relative_luminance(colour) -> float:
    """WCAG 2 relative luminance of a colour (0 black, 1 white).

    Examples
    --------
    >>> round(relative_luminance("#FFFFFF"), 3), round(relative_luminance("#000000"), 3)
    (1.0, 0.0)
    """
    def linear(c):
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a, b) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21; 4.5 or more for body text).

    Examples
    --------
    >>> round(contrast_ratio("#000000", "#FFFFFF"), 1)
    21.0
    """
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def lightness(colour) -> float:
    """CIE L* of a colour (0 black to 100 white): how light it looks, whatever its hue.

    Examples
    --------
    >>> round(lightness("#FFFFFF")), round(lightness("#000000"))
    (100, 0)
    """
    y = relative_luminance(colour)
    return 116 * (y ** (1 / 3) if y > 216 / 24389 else (24389 / 27 * y + 16) / 116) - 16


def text_colour(background) -> str:
    """Black or white, whichever reads better on ``background``.

    Examples
    --------
    >>> text_colour(RED), text_colour(AMBER)
    ('#FFFFFF', '#000000')
    """
    return "#000000" if contrast_ratio(background, "#000000") >= contrast_ratio(background, "#FFFFFF") else "#FFFFFF"


def tint(colour, amount: float = 0.55) -> str:
    """``colour`` mixed with white (``amount`` of white), for zones shaded behind data.

    Examples
    --------
    >>> tint("#000000", 0.5)
    '#808080'
    """
    r, g, b = (c + (1 - c) * amount for c in to_rgb(colour))
    return "#{:02X}{:02X}{:02X}".format(*(round(255 * c) for c in (r, g, b)))


# -- the frame and the files -----------------------------------------------------------------------
def _wrap(text: str, width_in: float, points: float, bold: bool = False) -> list[str]:
    """``text`` in lines that fit ``width_in`` inches at ``points`` (DejaVu Sans averages about
    0.55 em a character, 0.62 bold)."""
    if not text:
        return []
    per_char = points * (0.62 if bold else 0.55) / 72
    width = max(20, int(width_in / per_char))
    return [line for part in str(text).split("\n") for line in (textwrap.wrap(part, width) or [""])]


def _height(lines: list[str], points: float) -> float:
    return len(lines) * points * _LINE / 72


def save_figure(fig, stem, *, title: str, alt_text: str, source: str, n: int, synthetic: bool,
                caption: str = "", subtitle: str | None = None) -> dict:
    """Frame and save a figure as ``<stem>.png`` (300 dpi) and ``<stem>.svg``, with ``<stem>.json``
    holding title, subtitle, caption, alt text, source, n and the synthetic flag.

    The figure grows to make room, so the plot keeps its size and nothing overlaps it: above,
    the synthetic-data banner (grey, :data:`~analysis.outputs.tables.SYNTHETIC_MARK`, when
    ``synthetic``), the title and the subtitle (``subtitle``, or one a plot set with
    :func:`set_subtitle`); below, the caption and a line "n = ... Source: ...". The PNG carries
    title, alt text, caption and source as text chunks; the SVG has them as ``<title>`` and
    ``<desc>``, no date and fixed ids, so the same figure always gives the same bytes.

    Returns
    -------
    dict
        What was written: ``png``, ``svg``, ``json`` paths and the metadata.
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    subtitle = subtitle if subtitle is not None else getattr(fig, "_house_subtitle", "")
    width, height = fig.get_size_inches()
    margin = 0.1  # inches either side of the text
    text_width = width - 2 * margin
    title_lines = _wrap(title, text_width, TITLE_PT, bold=True)
    subtitle_lines = _wrap(subtitle, text_width, SUBTITLE_PT)
    caption_lines = _wrap(caption, text_width, CAPTION_PT)
    source_lines = _wrap(f"n = {n:,}. Source: {source}", text_width, SOURCE_PT)
    shared = getattr(fig, "_supxlabel", None)  # an x label shared by panels (Figure.supxlabel)
    shared_in = _height(shared.get_text().split("\n"), shared.get_fontsize()) + 0.08 if shared is not None else 0.0
    banner = _BANNER_IN if synthetic else 0.0
    renderer = _renderer(fig)
    keys = [(legend, legend.get_window_extent(renderer).height / fig.dpi) for legend in fig.legends]
    top = (banner + 0.1 + _height(title_lines, TITLE_PT) + (0.03 + _height(subtitle_lines, SUBTITLE_PT)
                                                           if subtitle_lines else 0.0)
           + sum(h + 0.06 for _, h in keys) + 0.12)
    bottom = 0.1 + (_height(caption_lines, CAPTION_PT) + 0.05 if caption_lines else 0.0) + _height(
        source_lines, SOURCE_PT) + 0.06
    bottom_plot = bottom + shared_in
    total = height + top + bottom
    total += shared_in
    fig.set_size_inches(width, total)

    def y(inches_from_top: float) -> float:
        return 1 - inches_from_top / total

    if synthetic:
        fig.add_artist(Rectangle((0, y(banner)), 1, banner / total, transform=fig.transFigure,
                                 facecolor=MARK_GREY, edgecolor="none", zorder=0))
        fig.text(margin / width, y(banner / 2), SYNTHETIC_MARK, fontsize=BANNER_PT, fontweight="bold",
                 color="#FFFFFF", ha="left", va="center", zorder=1)
    cursor = banner + 0.1
    fig.text(margin / width, y(cursor), "\n".join(title_lines), fontsize=TITLE_PT, fontweight="bold", ha="left",
             va="top", linespacing=_LINE * 0.95, color="#000000")
    cursor += _height(title_lines, TITLE_PT)
    if subtitle_lines:
        fig.text(margin / width, y(cursor + 0.03), "\n".join(subtitle_lines), fontsize=SUBTITLE_PT, ha="left",
                 va="top", linespacing=_LINE * 0.95, color="#333333")
    cursor += (0.03 + _height(subtitle_lines, SUBTITLE_PT)) if subtitle_lines else 0.0
    for legend, h in keys:  # a figure's legends (Figure.legend) go under the titles, off the panels
        cursor += 0.06
        legend.set_loc("upper left")
        legend.set_bbox_to_anchor((margin / width, y(cursor)), transform=fig.transFigure)
        cursor += h
    low = 0.06 / total
    fig.text(margin / width, low, "\n".join(source_lines), fontsize=SOURCE_PT, ha="left", va="bottom",
             color="#444444", linespacing=_LINE * 0.95)
    if caption_lines:
        fig.text(margin / width, low + (_height(source_lines, SOURCE_PT) + 0.05) / total, "\n".join(caption_lines),
                 fontsize=CAPTION_PT, ha="left", va="bottom", color="#222222", linespacing=_LINE * 0.95)
    _fit(fig, [0.0, bottom_plot / total, 1.0, 1 - top / total], getattr(fig, "_house_pads", {}))
    if shared is not None:
        boxes = [ax.get_position() for ax in fig.axes if ax.get_visible()]
        shared.set_position(((min(b.x0 for b in boxes) + max(b.x1 for b in boxes)) / 2, (bottom + 0.04) / total))
        shared.set_verticalalignment("bottom")
    meta = {"title": title, "subtitle": subtitle, "caption": caption, "alt_text": alt_text, "source": source,
            "n": int(n), "synthetic": bool(synthetic)}
    png, svg, js = stem.with_suffix(".png"), stem.with_suffix(".svg"), stem.with_suffix(".json")
    chunks = {"Title": title, "Description": alt_text, "Comment": caption, "Source": source}
    fig.savefig(png, dpi=300, metadata={"Software": None, **{k: v for k, v in chunks.items() if v}})
    buffer = io.StringIO()
    with plt.rc_context({"svg.hashsalt": _RC["svg.hashsalt"]}):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    svg.write_text(_with_title(buffer.getvalue(), title, alt_text), encoding="utf-8")
    js.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    plt.close(fig)
    return {"png": png, "svg": svg, "json": js, **meta}


def _renderer(fig):
    """A renderer for measuring text, whatever canvas the figure has."""
    if not hasattr(fig.canvas, "get_renderer"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        FigureCanvasAgg(fig)
    return fig.canvas.get_renderer()


def _fit(fig, rect: list, pads: dict) -> None:
    """Lay the plot out in ``rect`` (figure fractions) with :meth:`~matplotlib.figure.Figure.tight_layout`,
    then make sure it fits: an x axis label wider than its axes is wrapped, and whatever still
    sticks out of the figure (a column of values beside the plot, a legend) moves the layout in.
    A layout that cannot be improved is kept as drawn, silently."""
    renderer = _renderer(fig)
    width, height = fig.bbox.width, fig.bbox.height
    margin = 0.08 * fig.dpi
    left, bottom, right, top = rect
    for _ in range(5):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fig.tight_layout(rect=(left, bottom, right, top), pad=0.5, **pads)
        changed = False
        for ax in fig.axes:
            label = ax.xaxis.label
            text, room = label.get_text(), ax.get_window_extent(renderer).width
            wide = label.get_window_extent(renderer).width if text else 0.0
            if text and room > 0 and wide > room * 1.05:
                flat = " ".join(text.split())
                label.set_text(textwrap.fill(flat, max(20, int(len(flat) * room / wide * 0.95))))
                changed = True
        if changed:  # lay the wrapped labels out before measuring what sticks out
            continue
        boxes = [b for b in (ax.get_tightbbox(renderer) for ax in fig.axes if ax.get_visible()) if b is not None]
        if not boxes:
            return
        over = {"right": max(b.x1 for b in boxes) - (right * width - margin),
                "left": (left * width + margin) - min(b.x0 for b in boxes),
                "top": max(b.y1 for b in boxes) - (top * height - margin / 2),
                "bottom": (bottom * height + margin / 2) - min(b.y0 for b in boxes)}
        if over["right"] > 1:
            right -= over["right"] / width
            changed = True
        if over["left"] > 1:
            left += over["left"] / width
            changed = True
        if over["top"] > 1:
            top -= over["top"] / height
            changed = True
        if over["bottom"] > 1:
            bottom += over["bottom"] / height
            changed = True
        if not changed or right - left < 0.5 or top - bottom < 0.3:
            return


def _with_title(svg: str, title: str, description: str) -> str:
    """The SVG with ``<title>`` and ``<desc>`` as the first children of its root (what screen
    readers announce), and ``role="img"``.

    Examples
    --------
    >>> _with_title('<svg width="1pt">\\n <g/>\\n</svg>', "A & B", "Alt")
    '<svg width="1pt" role="img">\\n <title>A &amp; B</title>\\n <desc>Alt</desc>\\n <g/>\\n</svg>'
    """
    found = re.search(r"<svg\b[^>]*>", svg)
    if not found:
        return svg
    tag = found.group(0)
    opened = tag if "role=" in tag else tag[:-1] + ' role="img">'
    inserted = f"{opened}\n <title>{escape(title)}</title>\n <desc>{escape(description)}</desc>"
    return svg[:found.start()] + inserted + svg[found.end():]
