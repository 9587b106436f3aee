"""The charts' colours, declared once and chosen to stay apart for colour-blind readers; what must
be told apart is declared too (`DISTINCT`), and tests/test_palette.py checks it under simulated
protanopia, deuteranopia and tritanopia (Machado, Oliveira & Fernandes 2009, severity 100 %) as a
colour difference in CAM02-UCS (Luo, Cui & Li 2006). Colours are sRGB hex strings.

- The score scale (0–100) is ColorBrewer's diverging RdBu (Brewer, Harrower et al., colorbrewer2.org,
  marked colour-blind safe): red for poor, white for middling, blue for good. The heatmap also
  prints each cell's score, and every chart has a text alternative (present/chart_text.py).
- The partner lines use the four colours of the Okabe & Ito (2008) palette ("Color Universal
  Design") that reach 3:1 against white (WCAG 2.2, 1.4.11; its yellow, orange and sky blue do
  not), its black being home's line; the fifth partner and beyond repeat the colours with another
  marker symbol (16 combinations), and the hover names each line.
"""

from __future__ import annotations

import numpy as np

SCORE_SCALE = ((0.0, "#b2182b"), (0.4, "#f4a582"), (0.6, "#f7f7f7"), (0.75, "#92c5de"), (1.0, "#2166ac"))
SERIES = ("#0072b2", "#d55e00", "#009e73", "#cc79a7")
SERIES_SYMBOLS = ("circle", "square", "diamond", "triangle-up")
HOME = "#000000"              # home's comfort curve (dotted) and its star on the map
HOME_SERIES = "#444444"       # home in the climate panel
PARTNER = "#2a9d8f"           # the partner in the climate panel
WINDOW = "#2a9d8f"            # a travel-window month (window strip, exchange calendar)
NO_WINDOW = "#eeeeee"
DESTINATION = "#0072b2"       # the visited city's comfort by day (Okabe–Ito blue)
HOME_DAILY = "#555555"        # home's comfort by day (dotted)
BREAK_IN = "#e76f51"          # a holiday break inside the travel window (filled triangle)
BREAK_OUT = "#9e9e9e"         # a break outside it (open triangle)
MONTH_MARK = "#ffd700"        # the chosen month's band on the comfort curves (gold)

# Pairs a reader must tell apart by colour alone (where a shape or a dash also differs, it is named).
DISTINCT = {
    "window month / other month": (WINDOW, NO_WINDOW),
    "partner / home (climate panel)": (PARTNER, HOME_SERIES),
    "visited city / home (by day; home also dotted)": (DESTINATION, HOME_DAILY),
    "break in the window / outside (also filled / open)": (BREAK_IN, BREAK_OUT),
}


def plotly_scale(scale=SCORE_SCALE) -> list[list]:
    """A scale as plotly's colorscale ([[0.0, "#b2182b"], …])."""
    return [[p, c] for p, c in scale]


def rgb(hex_colour: str) -> np.ndarray:
    """"#2a9d8f" → sRGB in 0–1 (3,)."""
    h = hex_colour.lstrip("#")
    return np.array([int(h[k:k + 2], 16) for k in (0, 2, 4)], dtype=float) / 255.0


def scale_colour(score, scale=SCORE_SCALE) -> np.ndarray:
    """The scale's colour (sRGB 0–1) at scores 0–100, interpolated between its stops in sRGB as
    plotly does: shape (..., 3)."""
    stops = np.array([p for p, _ in scale]) * 100.0
    colours = np.array([rgb(c) for _, c in scale])
    s = np.clip(np.asarray(score, dtype=float), 0.0, 100.0)
    return np.stack([np.interp(s, stops, colours[:, k]) for k in range(3)], axis=-1)


def rgba(hex_colour: str, alpha: float) -> str:
    """"#2a9d8f", 0.15 → "rgba(42,157,143,0.15)" (a translucent fill)."""
    r, g, b = (round(x * 255) for x in rgb(hex_colour))
    return f"rgba({r},{g},{b},{alpha})"


def blend(hex_colour: str, amount: float) -> str:
    """The colour mixed with white (amount 0: white, 1: the colour), as hex: a legend swatch of a
    translucent shading."""
    r, g, b = (round(255 * (1 - amount) + x * 255 * amount) for x in rgb(hex_colour))
    return f"#{r:02x}{g:02x}{b:02x}"
