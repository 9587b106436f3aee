"""Plotly figures for the dashboard and the report, drawn from the typed results only (a
HomeYear: home and partners over the 12 months; a PairExchange). Temperatures are converted to
°F only here, at the edge, when the person asks for it."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..climate.variables import SPEC
from ..paths import DATA_DIR, read_data_json
from ..results import CityYear, HomeYear
from ..rules import GOOD, day_index, runs_mask
from . import i18n, palette, safe_text
from .i18n import translator
from .text import break_name, confidence_badge, dates_text, local_name
from .units import convert_temp

LABEL_COLOURS = palette.plotly_scale()


def _months(lang: str) -> list[str]:
    return list(i18n.month_names(lang, "abbreviated"))


def _badges(c: CityYear, lang: str) -> list[str]:
    """The confidence badges of one city's 12 months for the hover text ("" without a grade)."""
    return [confidence_badge(g, lang) if g else "" for g in c.confidence] or [""] * 12


def _name(c: CityYear, lang: str) -> str:
    """A city's name in the language, marked "(home)" for the home city (escaped for plotly)."""
    if c.degree == 0:
        _ = translator(lang)
        return _("{city} (home)").format(city=escape(local_name(c.city, lang)))
    return escape(local_name(c.city, lang))


def _vband(x0, x1, **style) -> dict:
    """A vertical band over the whole plot height (plotly's add_vrect, as a layout shape)."""
    return {"type": "rect", "xref": "x", "yref": "y domain", "x0": x0, "x1": x1, "y0": 0, "y1": 1, **style}


def _hband(y0, y1, **style) -> dict:
    """A horizontal band over the whole plot width (add_hrect)."""
    return {"type": "rect", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": y0, "y1": y1, **style}


def comfort_curves(year: HomeYear, month: int, lang: str = "en") -> go.Figure:
    """12-month comfort curve of home (bold) and each partner with climate data (ranked by the
    month's score), with the chosen month marked and the good band shaded. Built as one figure
    description, validated once (a dozen add_* calls cost ~8× more: plotly re-validates at each)."""
    _ = translator(lang)
    MONTHS = _months(lang)

    def labels(c: CityYear) -> list:     # the score classes and confidence of the 12 months, in the language
        return np.stack([[_(x) for x in c.labels], _badges(c, lang)], axis=-1).tolist()

    hover = "%{x}: %{y:.0f} (%{customdata[0]})<br>%{customdata[1]}<extra>"
    n = len(palette.SERIES)
    data = []
    for k, p in enumerate(year.ranked(month)):
        name = _name(p, lang)
        data.append({"type": "scatter", "x": MONTHS, "y": list(p.scores), "mode": "lines+markers", "name": name,
                     "line": {"width": 1.5, "color": palette.SERIES[k % n]},
                     "marker": {"symbol": palette.SERIES_SYMBOLS[(k // n) % len(palette.SERIES_SYMBOLS)], "size": 7},
                     "customdata": labels(p), "hovertemplate": hover + name + "</extra>"})
    h = year.home
    if h.has_climate:
        data.append({"type": "scatter", "x": MONTHS, "y": list(h.scores), "mode": "lines+markers", "name": _name(h, lang),
                     "line": {"width": 4, "color": palette.HOME, "dash": "dot"}, "customdata": labels(h),
                     "hovertemplate": hover + _("home") + "</extra>"})
    shapes = [_vband(month - 1.5, month - 0.5, fillcolor=palette.MONTH_MARK, opacity=0.25, line={"width": 0}),
              _hband(year.good, 100, fillcolor="green", opacity=0.05, line={"width": 0})]
    return go.Figure({"data": data, "layout": {
        "yaxis": {"range": [0, 100], "title": {"text": _("comfort score (0–100)")}}, "height": 420,
        "margin": {"t": 30, "b": 30}, "legend": {"orientation": "h", "y": -0.15}, "shapes": shapes}})


def partner_heatmap(year: HomeYear, month: int, lang: str = "en") -> go.Figure:
    """Partner × month heatmap of scores (home on top, then the partners ranked by the month)."""
    _ = translator(lang)
    MONTHS = _months(lang)
    rows = [c for c in [year.home, *year.ranked(month)] if c.has_climate]
    z = np.array([c.scores for c in rows]) if rows else np.zeros((0, 12))
    fig = go.Figure(go.Heatmap(z=z, x=MONTHS, y=[_name(c, lang) for c in rows], zmin=0, zmax=100,
                               colorscale=LABEL_COLOURS,
                               text=np.round(z).astype(int).astype(str) if rows else None, texttemplate="%{text}",
                               customdata=[_badges(c, lang) for c in rows] or None,
                               hovertemplate="%{y}, %{x}: %{z:.0f}<br>%{customdata}<extra></extra>",
                               colorbar={"title": _("score")}))
    fig.add_vrect(x0=month - 1.5, x1=month - 0.5, line={"color": "black", "width": 2})
    fig.update_layout(height=max(260, 28 * len(rows) + 120), margin={"t": 30, "b": 30}, yaxis={"autorange": "reversed"})
    return fig


def climate_panel(year: HomeYear, partner: str, unit: str = "°C", lang: str = "en") -> go.Figure:
    """A partner (by id) against home: tmin–tmax band, precipitation bars, humidity, sunshine per day."""
    _ = translator(lang)
    MONTHS = _months(lang)

    def label(v):
        w = _(SPEC[v].label)
        return w[:1].upper() + w[1:]

    fig = make_subplots(rows=2, cols=2, subplot_titles=(
        _("Temperature ({unit}): {low} to {high}").format(unit=unit, low=_(SPEC["tmin_c"].label),
                                                         high=_(SPEC["tmax_c"].label)),
        _("{variable} ({unit}/month)").format(variable=label("prcp_mm"), unit=SPEC["prcp_mm"].unit),
        f"{label('rhum_pct')} ({SPEC['rhum_pct'].unit})",
        _("{variable} ({unit}/day)").format(variable=label("sun_hours"), unit=SPEC["sun_hours"].unit)),
        vertical_spacing=0.14)
    for c, colour, fill in ((year.home, palette.HOME_SERIES, palette.rgba(palette.HOME_SERIES, 0.12)),
                            (year.partner(partner), palette.PARTNER, palette.rgba(palette.PARTNER, 0.15))):
        k = c.climate
        if k is None:
            continue
        name, group = _name(c, lang), c.city.id
        fig.add_scatter(x=MONTHS, y=convert_temp(np.array(k.tmax_c), unit), mode="lines", line={"color": colour},
                        name=name, legendgroup=group, row=1, col=1)
        fig.add_scatter(x=MONTHS, y=convert_temp(np.array(k.tmin_c), unit), mode="lines",
                        line={"color": colour, "dash": "dot"}, fill="tonexty", fillcolor=fill,
                        showlegend=False, legendgroup=group, name=name, row=1, col=1)
        fig.add_bar(x=MONTHS, y=list(k.prcp_mm), marker_color=colour, name=name, showlegend=False, legendgroup=group,
                    row=1, col=2)
        fig.add_scatter(x=MONTHS, y=list(k.rhum_pct), mode="lines+markers", line={"color": colour}, showlegend=False,
                        legendgroup=group, name=name, row=2, col=1)
        fig.add_scatter(x=MONTHS, y=list(k.sun_h_per_day), mode="lines+markers", line={"color": colour},
                        showlegend=False, legendgroup=group, name=name, row=2, col=2)
    fig.update_layout(height=560, margin={"t": 50, "b": 30}, barmode="group", legend={"orientation": "h", "y": -0.08})
    return fig


@lru_cache(maxsize=1)
def basemap() -> tuple[list[float | None], list[float | None]]:
    """Country outlines (Natural Earth 1:110m, data/curated/basemap.json) as one None-separated
    lon/lat path: drawn from the repository, no tile server or CDN at view time."""
    doc = read_data_json(DATA_DIR / "curated" / "basemap.json")
    xs: list[float | None] = []
    ys: list[float | None] = []
    for ring in doc["rings"]:
        xs += ring[0::2] + [None]
        ys += ring[1::2] + [None]
    return xs, ys


def great_circle(lat1: float, lon1: float, lat2: float, lon2: float, n: int = 32) -> tuple[list, list]:
    """Points along the great circle between two places (°), split where it crosses the
    antimeridian (None), for a lon/lat plot."""
    p1, p2 = np.radians([lat1, lon1]), np.radians([lat2, lon2])
    v1 = np.array([np.cos(p1[0]) * np.cos(p1[1]), np.cos(p1[0]) * np.sin(p1[1]), np.sin(p1[0])])
    v2 = np.array([np.cos(p2[0]) * np.cos(p2[1]), np.cos(p2[0]) * np.sin(p2[1]), np.sin(p2[0])])
    omega = np.arccos(np.clip(v1 @ v2, -1.0, 1.0))
    t = np.linspace(0, 1, n)[:, None]
    v = v1 * t[::-1] + v2 * t if omega < 1e-9 else (np.sin((1 - t) * omega) * v1 + np.sin(t * omega) * v2) / np.sin(omega)
    lat = np.degrees(np.arcsin(np.clip(v[:, 2], -1, 1)))
    lon = np.degrees(np.arctan2(v[:, 1], v[:, 0]))
    xs, ys = [float(lon[0])], [float(lat[0])]
    for a, b, la in zip(lon[:-1], lon[1:], lat[1:]):
        if abs(b - a) > 180:
            xs.append(None)
            ys.append(None)
        xs.append(float(b))
        ys.append(float(la))
    return xs, ys


def label_mask(x, y, priority, x_span: float, y_span: float, fx: float = 0.09, fy: float = 0.06) -> np.ndarray:
    """Which points get a text label so that no two labels overlap: in order of `priority`
    (highest first), a point is labelled unless a labelled point lies within fx of the x span and
    fy of the y span (a name's box at 10 px on a ~800 × 400 px plot)."""
    order = np.argsort(-np.asarray(priority, dtype=float), kind="stable")
    keep = np.zeros(len(order), dtype=bool)
    for k in order:
        near = keep & (np.abs(x - x[k]) < fx * x_span) & (np.abs(y - y[k]) < fy * y_span)
        keep[k] = not near.any()
    return keep


def partner_map(year: HomeYear, month: int, lang: str = "en") -> go.Figure:
    """Home and every partner on country outlines (Natural Earth, shipped in the repository;
    drawn offline), partners coloured by the month's score, great-circle lines from home."""
    _ = translator(lang)
    home, partners = year.home, list(year.partners)
    hlat, hlon = home.city.lat, home.city.lon
    lats = [p.city.lat for p in partners]
    lons = [p.city.lon for p in partners]
    scores = [p.scores[month - 1] if p.has_climate else np.nan for p in partners]
    badges = [_badges(p, lang)[month - 1] for p in partners]
    fig = go.Figure()
    bx, by = basemap()
    fig.add_scatter(x=bx, y=by, mode="lines", fill="toself", fillcolor="#e9e5dc", line={"width": 0.5, "color": "#9a9384"},
                    hoverinfo="skip", showlegend=False, name="land")
    xs, ys = [], []
    for la, lo in zip(lats, lons):
        gx, gy = great_circle(hlat, hlon, la, lo)
        xs += gx + [None]
        ys += gy + [None]
    fig.add_scatter(x=xs, y=ys, mode="lines", line={"width": 0.8, "color": "#5b6b7a"}, hoverinfo="skip",
                    showlegend=False, name="routes")
    # Frame home and partners with a margin (at least 40° of longitude, 25° of latitude).
    all_lon, all_lat = np.array([hlon, *lons]), np.array([hlat, *lats])
    cx, cy = (all_lon.min() + all_lon.max()) / 2, (all_lat.min() + all_lat.max()) / 2
    half_x = max(20.0, (all_lon.max() - all_lon.min()) / 2 + 12)
    half_y = max(12.5, (all_lat.max() - all_lat.min()) / 2 + 8)
    names = [escape(local_name(p.city, lang)) for p in partners]
    # Names where they do not collide (the month's best first, home's place kept free); every
    # partner keeps its name on hover and in the text alternative.
    shown = label_mask(np.array([hlon, *lons]), np.array([hlat, *lats]),
                       np.r_[np.inf, np.nan_to_num(np.array(scores, dtype=float), nan=-1.0)], 2 * half_x, 2 * half_y)[1:]
    fig.add_scatter(x=lons, y=lats, mode="markers+text", name=_("sister cities"),
                    text=[n if keep else "" for n, keep in zip(names, shown)], textposition="top center",
                    textfont={"size": 10},
                    customdata=[[i18n.number(s, lang) if not np.isnan(s) else _("no climate data"), b, n]
                                for s, b, n in zip(scores, badges, names)],
                    hovertemplate="%{customdata[2]}: %{customdata[0]}<br>%{customdata[1]}<extra></extra>",
                    marker={"size": 12, "color": [0 if np.isnan(s) else s for s in scores], "cmin": 0, "cmax": 100,
                            "colorscale": LABEL_COLOURS, "colorbar": {"title": _("score")}, "line": {"width": 0.6, "color": "black"}})
    fig.add_scatter(x=[hlon], y=[hlat], mode="markers+text", text=[_name(home, lang)], textposition="bottom center",
                    marker={"size": 16, "symbol": "star", "color": palette.HOME}, name=_("home"), hoverinfo="text")
    axis = {"showgrid": True, "gridcolor": "#e5e5e5", "zeroline": False, "dtick": 10 if half_x < 40 else 30,
            "constrain": "domain"}
    fig.update_xaxes(range=[max(-180, cx - half_x), min(180, cx + half_x)], title=_("longitude (°)"), **axis)
    fig.update_yaxes(range=[max(-90, cy - half_y), min(90, cy + half_y)], title=_("latitude (°)"), scaleanchor="x",
                     scaleratio=1, **axis)
    fig.update_layout(height=480, margin={"t": 10, "b": 30}, legend={"orientation": "h"}, plot_bgcolor="#dbe9f4",
                      annotations=[{"text": _("Map data: Natural Earth"), "xref": "paper", "yref": "paper", "x": 1, "y": 0,
                                    "xanchor": "right", "yanchor": "bottom", "showarrow": False,
                                    "font": {"size": 9, "color": "#666666"}}])
    return fig


def window_strip(year: HomeYear, month: int, lang: str = "en") -> go.Figure:
    """12-month calendar strip per partner with climate data (ranked by the month): travel-window
    months from home filled."""
    MONTHS = _months(lang)
    rows = year.ranked(month)
    z = np.zeros((len(rows), 12))
    for k, p in enumerate(rows):
        z[k, np.array(p.window, dtype=int) - 1] = 1
    fig = go.Figure(go.Heatmap(z=z, x=MONTHS, y=[escape(local_name(p.city, lang)) for p in rows], zmin=0, zmax=1,
                               showscale=False, colorscale=[[0, palette.NO_WINDOW], [1, palette.WINDOW]], xgap=3, ygap=3,
                               hovertemplate="%{y}, %{x}<extra></extra>"))
    fig.update_layout(height=max(200, 26 * len(rows) + 90), margin={"t": 20, "b": 20}, yaxis={"autorange": "reversed"})
    return fig


def exchange_calendar(pair, lang: str = "en") -> go.Figure:
    """A pair's exchange calendar: the months each side should visit the other (PairExchange)."""
    MONTHS = _months(lang)
    a, b = escape(local_name(pair.a, lang)), escape(local_name(pair.b, lang))
    rows = [f"{a} → {b}", f"{b} → {a}"]
    z = np.zeros((2, 12))
    for k, runs in enumerate((pair.a_to_b, pair.b_to_a)):
        for m in (m for r in runs for m in r):
            z[k, m - 1] = 1
    fig = go.Figure(go.Heatmap(z=z, x=MONTHS, y=rows, zmin=0, zmax=1, showscale=False, xgap=3, ygap=3,
                               colorscale=[[0, palette.NO_WINDOW], [1, palette.WINDOW]], hovertemplate="%{y}, %{x}<extra></extra>"))
    fig.update_layout(height=200, margin={"t": 20, "b": 20}, yaxis={"autorange": "reversed"})
    return fig


def escape(s: str) -> str:
    """Data text for a plotly label, legend, hover or hovertemplate (plotly reads a small HTML
    subset: no tag or entity of a name may become markup, no "%{…}" a placeholder): safe_text.plotly."""
    return safe_text.plotly(s)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True in a 1-d mask (first, last index, inclusive), without wrapping."""
    edges = np.diff(np.r_[0, mask.astype(np.int8), 0])
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1))


def daily_comfort(way, period: tuple[date, date], lang: str = "en", good: float = GOOD) -> go.Figure:
    """One direction of an exchange (results.Way) by day over the period's dates: the visited
    city's daily score (bold) and home's, the day window shaded, the good line, and the home
    country's holiday breaks marked (orange and filled in the window, grey and open outside;
    names on hover). Built as one figure description, validated once."""
    _ = translator(lang)
    start, end = period
    dates = [start + timedelta(days=k) for k in range((end - start).days + 1)]
    days = np.array([day_index(d) for d in dates])
    iso = [d.isoformat() for d in dates]
    home, dest = escape(local_name(way.home, lang)), escape(local_name(way.destination, lang))
    data, shapes = [], []
    window = runs_mask([(s.start, s.end) for s in way.days])
    for a, b in _runs(window[days]):
        shapes.append(_vband(iso[a], (dates[b] + timedelta(days=1)).isoformat(), fillcolor=palette.WINDOW, opacity=0.18,
                             line={"width": 0}, layer="below"))
    # the shading's legend entry (a shape has none)
    data.append({"type": "scatter", "x": [None], "y": [None], "mode": "markers",
                 "marker": {"symbol": "square", "size": 12, "color": palette.blend(palette.WINDOW, 0.4)},
                 "name": _("travel window {home} → {city}").format(home=home, city=dest)})
    for scores, name, line in ((way.destination_daily, dest, {"width": 3, "color": palette.DESTINATION}),
                               (way.home_daily, _("{city} (home)").format(city=home),
                                {"width": 1.5, "color": palette.HOME_DAILY, "dash": "dot"})):
        if len(scores):
            data.append({"type": "scatter", "x": iso, "y": np.asarray(scores, dtype=float)[days].tolist(),
                         "mode": "lines", "name": name, "line": line,
                         "hovertemplate": "%{x|%Y-%m-%d}: %{y:.0f}<extra>" + name + "</extra>"})
    shapes.append({"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": good, "y1": good,
                   "line": {"dash": "dash", "color": "#888888", "width": 1}})
    for inside, colour, symbol, label in ((True, palette.BREAK_IN, "triangle-down", _("holiday break in the window")),
                                          (False, palette.BREAK_OUT, "triangle-down-open",
                                           _("holiday break outside the window"))):
        chosen = [b for b in way.breaks if b.in_window == inside]
        for b in chosen:
            shapes.append(_vband(b.start.isoformat(), (b.end + timedelta(days=1)).isoformat(), fillcolor=colour,
                                 opacity=0.35, line={"width": 0}))
        if chosen:
            data.append({"type": "scatter", "x": [(b.start + (b.end - b.start) / 2).isoformat() for b in chosen],
                         "y": [103] * len(chosen), "mode": "markers", "name": label,
                         "marker": {"symbol": symbol, "size": 11, "color": colour},
                         "hovertext": [escape(break_name(b, lang)) + "<br>" + escape(dates_text(b.start, b.end, lang))
                                       for b in chosen], "hoverinfo": "text"})
    ticks = [d for d in dates if d.day == 1]
    return go.Figure({"data": data, "layout": {
        "height": 380, "margin": {"t": 20, "b": 20}, "hovermode": "closest", "legend": {"orientation": "h", "y": -0.15},
        "xaxis": {"type": "date", "tickvals": [d.isoformat() for d in ticks],
                  "ticktext": [_months(lang)[d.month - 1] + (f" {d.year}" if d.month == 1 or d == ticks[0] else "")
                               for d in ticks]},
        "yaxis": {"range": [0, 106], "title": {"text": _("comfort score")}}, "shapes": shapes}})
