"""House style for figures: a colour-blind-safe palette, traffic-light colours that also carry text
labels, page and slide sizes, and one save function that stamps every figure with its title,
n, source line and, for synthetic data, an unmistakable mark, and writes PNG (300 dpi) and a
byte-stable SVG with its alt text.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless by default; notebooks may switch
import matplotlib.pyplot as plt  # noqa: E402

from .tables import SYNTHETIC_MARK  # noqa: E402

#: Okabe-Ito palette (Okabe & Ito 2008), safe for the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]

#: HSE traffic-light bands: colour plus the label that must always accompany it.
BANDS = {
    "red": ("#D55E00", "Red: below 20th percentile (urgent action)"),
    "yellow": ("#F0E442", "Yellow: 20th-50th percentile (clear need to improve)"),
    "blue": ("#56B4E9", "Blue: 50th-80th percentile (good, room to improve)"),
    "green": ("#009E73", "Green: 80th percentile or above (doing very well)"),
    "suppressed": ("#BBBBBB", "Suppressed: fewer respondents than the disclosure threshold"),
}

#: Figure sizes in inches.
SIZES = {"a4_full": (6.3, 4.2), "a4_half": (3.1, 2.6), "slide": (10.0, 5.6)}

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "svg.hashsalt": "wellbeing-survey",  # fixed ids: the same figure gives the same SVG bytes
    "svg.fonttype": "none",
}


def apply_style() -> None:
    """Set the house style on matplotlib (called by :func:`new_figure`)."""
    plt.rcParams.update(_RC)


def new_figure(size: str = "a4_full"):
    """A figure and axes in the house style and one of :data:`SIZES`."""
    apply_style()
    return plt.subplots(figsize=SIZES[size])


def save_figure(fig, stem, *, title: str, alt_text: str, source: str, n: int, synthetic: bool,
                caption: str = "") -> dict:
    """Stamp and save a figure as ``<stem>.png`` (300 dpi) and ``<stem>.svg``, with
    ``<stem>.json`` holding title, caption, alt text, source, n and the synthetic flag.

    The title goes on top; ``n`` and the source line at the bottom; synthetic data get
    :data:`SYNTHETIC_MARK` across the figure. SVGs carry no date and fixed ids, so the same
    figure always gives the same bytes.

    Returns
    -------
    dict
        What was written: ``png``, ``svg``, ``json`` paths and the metadata.
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    fig.suptitle(title, fontsize=11, fontweight="bold", x=0.01, ha="left")
    fig.text(0.01, 0.01, f"n = {n:,}. Source: {source}", fontsize=7, ha="left", va="bottom", color="#444444")
    if synthetic:
        fig.text(0.5, 0.5, SYNTHETIC_MARK, fontsize=20, color="#D55E00", alpha=0.35, ha="center", va="center",
                 rotation=20, fontweight="bold", transform=fig.transFigure, zorder=100)
    fig.tight_layout(rect=(0, 0.04, 1, 0.95))
    meta = {"title": title, "caption": caption, "alt_text": alt_text, "source": source, "n": int(n),
            "synthetic": bool(synthetic)}
    png, svg, js = stem.with_suffix(".png"), stem.with_suffix(".svg"), stem.with_suffix(".json")
    fig.savefig(png, dpi=300, metadata={"Software": None})
    with plt.rc_context({"svg.hashsalt": _RC["svg.hashsalt"]}):
        fig.savefig(svg, metadata={"Date": None, "Creator": None})
    js.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    plt.close(fig)
    return {"png": png, "svg": svg, "json": js, **meta}
