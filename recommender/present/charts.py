"""Plotly figures for the dashboard and the report. Inputs are a Recommender's scored atlas;
temperatures are converted to °F only here, at the edge, when the person asks for it."""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..paths import DATA_DIR
from ..climate.variables import SPEC
from ..recommend import GOOD, Recommender, ScoredAtlas
from . import i18n
from .i18n import translator
from .text import confidence_badge, local_city, local_name
from .units import convert_temp

LABEL_COLOURS = [[0.0, "#b2182b"], [0.4, "#f4a582"], [0.6, "#f7f7f7"], [0.75, "#92c5de"], [1.0, "#2166ac"]]




def _months(lang: str) -> list[str]:
    return list(i18n.month_names(lang, "abbreviated"))


def _badge(sc: ScoredAtlas, row: int | None, month: int, lang: str) -> str:
    """A city-month's confidence badge for the hover text ("" without a grade)."""
    c = sc.confidence(row, month)
    return confidence_badge(c, lang) if c else ""


def _badges(sc: ScoredAtlas, row: int | None, lang: str) -> list[str]:
    """The confidence badges of one city's 12 months."""
    return [_badge(sc, row, m, lang) for m in range(1, 13)]


def _home(rec: Recommender, cid: str, lang: str) -> str:
    _ = translator(lang)
    return _("{city} (home)").format(city=local_city(rec, cid, lang))


def comfort_curves(rec: Recommender, sc: ScoredAtlas, home: str, partners: list[str], month: int,
                   lang: str = "en") -> go.Figure:
    """12-month comfort curve of home (bold) and each partner, with the chosen month marked."""
    _ = translator(lang)
    MONTHS = _months(lang)

    def labels(row: int) -> np.ndarray:     # the score classes and confidence of one city's 12 months, in the language
        return np.stack([[_(str(x)) for x in sc.label[row]], _badges(sc, row, lang)], axis=-1)

    hover = "%{x}: %{y:.0f} (%{customdata[0]})<br>%{customdata[1]}<extra>"

    fig = go.Figure()
    for pid in partners:
        j = sc.pos.get(pid)
        if j is None:
            continue
        fig.add_scatter(x=MONTHS, y=sc.score[j], mode="lines+markers", name=local_city(rec, pid, lang), line={"width": 1.5},
                        customdata=labels(j), hovertemplate=hover + local_city(rec, pid, lang) + "</extra>")
    i = sc.pos.get(home)
    if i is not None:
        fig.add_scatter(x=MONTHS, y=sc.score[i], mode="lines+markers", name=_home(rec, home, lang),
                        line={"width": 4, "color": "black", "dash": "dot"}, customdata=labels(i),
                        hovertemplate=hover + _("home") + "</extra>")
    fig.add_vrect(x0=month - 1.5, x1=month - 0.5, fillcolor="gold", opacity=0.25, line_width=0)
    fig.add_hrect(y0=GOOD, y1=100, fillcolor="green", opacity=0.05, line_width=0)
    fig.update_layout(yaxis={"range": [0, 100], "title": _("comfort score (0–100)")}, height=420,
                      margin={"t": 30, "b": 30}, legend={"orientation": "h", "y": -0.15})
    return fig


def partner_heatmap(rec: Recommender, sc: ScoredAtlas, home: str, partners: list[str], month: int,
                    lang: str = "en") -> go.Figure:
    """Partner × month heatmap of scores (home on top)."""
    _ = translator(lang)
    MONTHS = _months(lang)
    ids = [c for c in [home, *partners] if c in sc.pos]
    z = np.array([sc.score[sc.pos[c]] for c in ids]) if ids else np.zeros((0, 12))
    names = [_home(rec, c, lang) if c == home else local_city(rec, c, lang) for c in ids]
    fig = go.Figure(go.Heatmap(z=z, x=MONTHS, y=names, zmin=0, zmax=100, colorscale=LABEL_COLOURS,
                               text=np.round(z).astype(int).astype(str) if len(ids) else None, texttemplate="%{text}",
                               customdata=[_badges(sc, sc.pos[c], lang) for c in ids] or None,
                               hovertemplate="%{y}, %{x}: %{z:.0f}<br>%{customdata}<extra></extra>",
                               colorbar={"title": _("score")}))
    fig.add_vrect(x0=month - 1.5, x1=month - 0.5, line={"color": "black", "width": 2})
    fig.update_layout(height=max(260, 28 * len(ids) + 120), margin={"t": 30, "b": 30}, yaxis={"autorange": "reversed"})
    return fig


def climate_panel(rec: Recommender, sc: ScoredAtlas, home: str, partner: str, unit: str = "°C",
                  lang: str = "en") -> go.Figure:
    """Partner against home: tmin–tmax band, precipitation bars, humidity, sunshine per day."""
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
    colours = {home: "#444444", partner: "#2a9d8f"}
    for cid in (home, partner):
        j = sc.pos.get(cid)
        if j is None:
            continue
        name = _home(rec, cid, lang) if cid == home else local_city(rec, cid, lang)
        c = colours[cid]
        fig.add_scatter(x=MONTHS, y=convert_temp(sc.tmax[j], unit), mode="lines", line={"color": c}, name=name, legendgroup=cid, row=1, col=1)
        fig.add_scatter(x=MONTHS, y=convert_temp(sc.tmin[j], unit), mode="lines", line={"color": c, "dash": "dot"}, fill="tonexty",
                        fillcolor="rgba(42,157,143,0.15)" if cid == partner else "rgba(68,68,68,0.12)",
                        showlegend=False, legendgroup=cid, name=name, row=1, col=1)
        fig.add_bar(x=MONTHS, y=sc.prcp[j], marker_color=c, name=name, showlegend=False, legendgroup=cid, row=1, col=2)
        fig.add_scatter(x=MONTHS, y=sc.rhum[j], mode="lines+markers", line={"color": c}, showlegend=False,
                        legendgroup=cid, name=name, row=2, col=1)
        fig.add_scatter(x=MONTHS, y=sc.sun_per_day[j], mode="lines+markers", line={"color": c}, showlegend=False,
                        legendgroup=cid, name=name, row=2, col=2)
    fig.update_layout(height=560, margin={"t": 50, "b": 30}, barmode="group", legend={"orientation": "h", "y": -0.08})
    return fig


@lru_cache(maxsize=1)
def basemap() -> tuple[list[float | None], list[float | None]]:
    """Country outlines (Natural Earth 1:110m, data/curated/basemap.json) as one None-separated
    lon/lat path: drawn from the repository, no tile server or CDN at view time."""
    doc = json.loads((DATA_DIR / "curated" / "basemap.json").read_text(encoding="utf-8"))
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


def partner_map(rec: Recommender, sc: ScoredAtlas, home: str, partners: list[str], month: int,
                lang: str = "en") -> go.Figure:
    """Home and partners on country outlines (Natural Earth, shipped in the repository; drawn
    offline), partners coloured by the month's score, great-circle lines from home."""
    _ = translator(lang)
    hlat, hlon = float(rec.cities.at[home, "lat"]), float(rec.cities.at[home, "lon"])
    lats = [float(rec.cities.at[p, "lat"]) for p in partners]
    lons = [float(rec.cities.at[p, "lon"]) for p in partners]
    scores = [float(sc.score[sc.pos[p], month - 1]) if p in sc.pos else np.nan for p in partners]
    badges = [_badge(sc, sc.pos.get(p), month, lang) for p in partners]
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
    fig.add_scatter(x=lons, y=lats, mode="markers+text", name=_("sister cities"), text=[local_city(rec, p, lang) for p in partners],
                    textposition="top center", textfont={"size": 10},
                    customdata=[[i18n.number(s, lang) if not np.isnan(s) else _("no climate data"), b]
                                for s, b in zip(scores, badges)],
                    hovertemplate="%{text}: %{customdata[0]}<br>%{customdata[1]}<extra></extra>",
                    marker={"size": 12, "color": [0 if np.isnan(s) else s for s in scores], "cmin": 0, "cmax": 100,
                            "colorscale": LABEL_COLOURS, "colorbar": {"title": _("score")}, "line": {"width": 0.6, "color": "black"}})
    fig.add_scatter(x=[hlon], y=[hlat], mode="markers+text", text=[_home(rec, home, lang)], textposition="bottom center",
                    marker={"size": 16, "symbol": "star", "color": "black"}, name=_("home"), hoverinfo="text")
    # Frame home and partners with a margin (at least 40° of longitude, 25° of latitude).
    all_lon, all_lat = np.array([hlon, *lons]), np.array([hlat, *lats])
    cx, cy = (all_lon.min() + all_lon.max()) / 2, (all_lat.min() + all_lat.max()) / 2
    half_x = max(20.0, (all_lon.max() - all_lon.min()) / 2 + 12)
    half_y = max(12.5, (all_lat.max() - all_lat.min()) / 2 + 8)
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


def window_strip(rec: Recommender, sc: ScoredAtlas, home: str, partners: list[str], lang: str = "en") -> go.Figure:
    """12-month calendar strip per partner: travel-window months filled."""
    MONTHS = _months(lang)
    ids = [p for p in partners if p in sc.pos]
    z = np.zeros((len(ids), 12))
    for row, p in enumerate(ids):
        z[row, np.array(rec.window_months(sc, home, p), dtype=int) - 1] = 1
    fig = go.Figure(go.Heatmap(z=z, x=MONTHS, y=[local_city(rec, p, lang) for p in ids], zmin=0, zmax=1, showscale=False,
                               colorscale=[[0, "#eeeeee"], [1, "#2a9d8f"]], xgap=3, ygap=3,
                               hovertemplate="%{y}, %{x}<extra></extra>"))
    fig.update_layout(height=max(200, 26 * len(ids) + 90), margin={"t": 20, "b": 20}, yaxis={"autorange": "reversed"})
    return fig


def exchange_calendar(pair, lang: str = "en") -> go.Figure:
    """A pair's exchange calendar: the months each side should visit the other (PairExchange)."""
    MONTHS = _months(lang)
    a, b = local_name(pair.a, lang), local_name(pair.b, lang)
    rows = [f"{a} → {b}", f"{b} → {a}"]
    z = np.zeros((2, 12))
    for k, runs in enumerate((pair.a_to_b, pair.b_to_a)):
        for m in (m for r in runs for m in r):
            z[k, m - 1] = 1
    fig = go.Figure(go.Heatmap(z=z, x=MONTHS, y=rows, zmin=0, zmax=1, showscale=False, xgap=3, ygap=3,
                               colorscale=[[0, "#eeeeee"], [1, "#2a9d8f"]], hovertemplate="%{y}, %{x}<extra></extra>"))
    fig.update_layout(height=200, margin={"t": 20, "b": 20}, yaxis={"autorange": "reversed"})
    return fig
