"""Words for the typed results, in the person's temperature unit: headline, reasons, table
rows, badges, the score scale, the window rule, the method and sources prose, and the CLI's
JSON contract. The one place where sentences are built (so they can be translated)."""

from __future__ import annotations

import math
import re

from ..climate.calendar import MONTH_ABBR, MONTH_NAMES
from ..comfort.indices import INDICES, ComfortIndex
from ..comfort.physics import DEFAULT_WIND_MS
from ..comfort.tables import LABELS
from ..places.countries import country_name
from ..recommend import GOOD, MARGIN, CityRef, Exchange, PartnerResult, Profile, Reason, Recommendation
from ..sources import SOURCES
from ..sources.gridded import MAX_KM as GRIDDED_KM
from .units import temp

NO_DATA = "no climate data"
NO_DATA_HINT = f"no climate data within {GRIDDED_KM:.0f} km — fetch it from Meteostat"
COMPONENT_LABELS = {"thermal": "thermal comfort", "aesthetic": "cloud cover", "precipitation": "precipitation",
                    "wind": "wind", "daytime_comfort": "daytime comfort", "daily_comfort": "daily comfort",
                    "sunshine": "sunshine"}


def month_name(m: int) -> str:
    return MONTH_NAMES[m - 1]


def component_label(key: str) -> str:
    return COMPONENT_LABELS.get(key, key.replace("_", " "))


def months_text(runs: list[list[int]]) -> str:
    """Runs of months in words: [[11, 12, 1, 2, 3], [6]] → "Nov–Mar, Jun" ("—" for none)."""
    return ", ".join(f"{MONTH_ABBR[r[0] - 1]}–{MONTH_ABBR[r[-1] - 1]}" if len(r) > 1 else MONTH_ABBR[r[0] - 1]
                     for r in runs) or "—"


def label_text(label: str | None) -> str:
    return NO_DATA if label is None else label


def basis(index: ComfortIndex) -> str:
    """What the scores rest on, in one phrase."""
    text = "monthly climate normals: a typical afternoon of the month"
    return text + (", lowered in UTCI heat/cold stress" if index.utci_gate else "")


def score_scale() -> str:
    """"Scores 0–100: 90 ideal · 80 excellent · … · 40 marginal." from the score classes."""
    return "Scores 0–100: " + " · ".join(f"{lo} {name}" for lo, name in LABELS[:6]) + "."


def window_rule(home_name: str) -> str:
    return (f"Months when each partner is **good or better** (≥ {GOOD:.0f}) and **at least {MARGIN:.0f} points** "
            f"more comfortable than {home_name}.")


def band_text(band: tuple[float, float] | None, unit: str = "°C") -> str:
    """"personal comfort band 18–24 °C" in the chosen unit, or the published index."""
    if band is None:
        return "published index (no personal band)"
    return f"personal comfort band {temp(band[0], unit).split(' ')[0]}–{temp(band[1], unit)}"


def reason_text(r: Reason, unit: str = "°C") -> str:
    v = r.values
    if r.code == "thermal_stress":
        return f"{v['utci_class']} on a typical afternoon (feels like {temp(v['utci_c'], unit)})"
    if r.code == "temperature":
        home = v.get("home_tmax_c")
        return f"{temp(v['tmax_c'], unit)} afternoons" + (f" vs {temp(home, unit)} at home" if home is not None else "")
    if r.code == "dry":
        return f"dry ({v['prcp_mm']:.0f} mm of rain in the month)"
    if r.code == "rainy_days":
        return f"rainy: {v['wet_days']:.0f} wet days"
    if r.code == "wet":
        return f"wet ({v['prcp_mm']:.0f} mm of rain in the month)"
    if r.code in ("sunny", "grey"):
        return f"{r.code} ({v['sun_h_per_day']:.0f} h of sunshine a day)"
    if r.code == "humid":
        return f"humid ({v['rh_pm_pct']:.0f} % afternoon humidity)"
    if r.code == "escapes_home_stress":
        return f"escapes the {v['home_utci_class']} at home"
    raise ValueError(f"no words for reason code {r.code!r}")


def reasons_text(p: PartnerResult, unit: str = "°C") -> list[str]:
    if p.score is None:
        return [f"{NO_DATA} for this city"]
    return [reason_text(r, unit) for r in p.reasons]


def data_quality(p: PartnerResult) -> str:
    """Short badge naming the score's components that rest on imputed or missing inputs."""
    if p.score is None:
        return NO_DATA_HINT
    notes = [f"{comp} {src}" for comp, src in p.quality if src != "gridded"]
    if notes:
        return "⚠ " + " · ".join(notes)
    return "≈ gridded climatology" if p.quality else "✓ measured"


def city_name(c: CityRef, via: tuple[CityRef, ...] = ()) -> str:
    return c.name + (f" (via {', '.join(v.name for v in via)})" if via else "")


def partner_rows(res: Recommendation, unit: str = "°C") -> list[dict]:
    """The ranked partners as display rows (rank, city, score, class, difference from home,
    afternoon temperature, window, reasons, data-quality badge)."""
    return [{
        "rank": k, "city": city_name(p.city, p.via), "country": p.city.country, "score": p.score,
        "class": label_text(p.label), "vs home": p.delta, "afternoon": temp(p.tmax_c, unit),
        "travel window": months_text(p.windows), "why": "; ".join(reasons_text(p, unit)), "data": data_quality(p),
    } for k, p in enumerate(res.partners, 1)]


def headline(res: Recommendation, unit: str = "°C") -> str:
    """One sentence answering the choice: the most comfortable partner and home, in words."""
    home, m, short = res.home, res.month, res.index.short
    where = f"of {home.name}'s sister cities" + (f" in {country_name(res.country)}" if res.country else "")
    if not res.partners:
        return f"{home.name} has no sister cities" + (f" in {country_name(res.country)}." if res.country else " in the registry.")
    ranked = res.ranked
    if not ranked:
        return f"In {month_name(m)}, none {where} has climate data yet ({NO_DATA_HINT})."
    best = ranked[0]
    desc = [f"{temp(best.tmax_c, unit)} afternoons"]
    p = best.prcp_mm
    if p is not None and not math.isnan(p):
        desc.append("dry" if p < 20 else ("rainy" if p >= 100 else f"{p:.0f} mm of rain"))
    text = (f"In {month_name(m)}, {where}, {best.city.name} is the most comfortable: {', '.join(desc)} "
            f"({short} {best.score:.0f}, {best.label})")
    if res.home_score is not None:
        text += f" — at home it is {temp(res.home_tmax_c, unit)} ({short} {res.home_score:.0f}, {res.home_label})."
        if best.score <= res.home_score:
            text += " Home is at least as comfortable this month."
    else:
        text += f" — {home.name} itself has {NO_DATA_HINT}."
    return text


def fetch_offer(city: str, origin: str) -> str:
    """The label of the on-demand fetch, by where the city's climate comes from now."""
    why = {"gridded": "uses the gridded climatology (1961–1990) for some values",
           "imputed": "rests partly on model estimates",
           "none": f"has {NO_DATA_HINT}"}[origin]
    return f"{city} {why} — fetch station data from Meteostat"


def sister_cities_note(res: Recommendation) -> str:
    return f"{res.home.name} has no sister cities{' in ' + country_name(res.country) if res.country else ''} in the registry."


def method_caption(index: ComfortIndex) -> str:
    """The caption under the headline: index, basis, gate and score scale."""
    gate = ", lowered smoothly in UTCI heat or cold stress" if index.utci_gate else ""
    return f"{index.name} on monthly climate normals (a typical afternoon of the month){gate}. {score_scale()}"


def index_summary(index: ComfortIndex) -> str:
    """"HCI:Urban (Scott et al. …) weighs thermal comfort 40 %, …" from the declaration."""
    total = sum(index.weights.values())
    parts = ", ".join(f"{component_label(k)} {100 * w / total:.0f} %" for k, w in index.weights.items())
    return f"{index.name} ({index.citation}) weighs {parts}."


def method_paragraphs(unit: str = "°C") -> list[str]:
    """How scores are made, in plain sentences (every registered index included), temperatures in
    the person's unit."""
    from ..comfort.indices import DAILY_SPREAD, SPREAD_MAX_C, SPREAD_MIN_C
    from ..comfort.score import COLD_EXTREME_C, COLD_ONSET_C, HEAT_SPAN_C, MAX_PENALTY
    from .units import temp_difference

    beach = INDICES.get("hci_beach")
    return [
        "Scores are tourism-climate comfort indices applied to each city's monthly climate normals, for a "
        "typical afternoon of the month.",
        *[f"{i.trip_style}: {index_summary(i)}" for i in INDICES.values()],
        "The indices are defined on daily weather: a month's thermal rating is the expectation over its afternoons, "
        f"daily maxima spread around the mean by {DAILY_SPREAD:g} of the diurnal range "
        f"({temp_difference(SPREAD_MIN_C, unit, 1)} to {temp_difference(SPREAD_MAX_C, unit)}); rating the mean "
        "afternoon instead overstates comfort near the optimum by a median 1.1 and at most 3.9 points. A month's "
        "precipitation rates at most 10 − total mm / 50 (a 400 mm month at most 2 of 10), whatever its wet-day mix: "
        "this lowers 31 % of city-months, by a median 0.7 points. Wet days are days with at least 1 mm (tables "
        "counting 0.1 mm days are converted, × 0.63) and include snow days.",
        "Thermal stress lowers a score smoothly: it is multiplied by a factor falling linearly with the typical "
        f"afternoon's UTCI (ECMWF thermofeel) from 1 at {temp(26, unit)} to {1 - MAX_PENALTY:.1f} at "
        f"{temp(26 + HEAT_SPAN_C, unit)}, and from 1 at {temp(COLD_ONSET_C, unit)} to {1 - MAX_PENALTY:.1f} at "
        f"{temp(COLD_EXTREME_C, unit)}"
        + (f" (the beach index from {temp(beach.heat_onset_utci, unit)}, above any afternoon of its own optimum)"
           if beach else "")
        + "; a one-degree change of the afternoon moves a score by at most 10 points, and no score value holds more "
          "than about 1 % of the city-months (the caps this replaced put 9.8 % of them at exactly 59).",
        "Wind is the gridded climatology's 10 m wind (counting it moves scores by a median +1.2 points, from −6 to +4 "
        "for 90 % of city-months); where a city has none the UTCI assumes a 2 m/s breeze, as its panel says. "
        "Thermal comfort uses Missenard's effective temperature (the Copernicus HCI code), for the TCI too, in place "
        "of Mieczkowski's effective-temperature chart.",
        "Components whose inputs are missing (wind where no gridded point is near) are left out and the other "
        "weights rescaled; coverage is the share of the weight resting on observed data (a station table, "
        "values derived from it, or the gridded climatologies), not on model estimates.",
        f"A travel window is a run of months in which the partner scores at least {GOOD:.0f} (\"good\") and at "
        f"least {MARGIN:.0f} points more than home.",
        "Exchange potential of a pair: both directions' travel windows non-empty, then the months of the year "
        "either window covers, then the shorter window, then complementarity = (1 − r) / 2, r the correlation of "
        "the two cities' 12-month comfort curves (1: each is comfortable when the other is not; ½: unrelated; "
        "0: the same seasons).",
    ]


def sources_paragraph() -> str:
    """Where the data come from, with licences and attribution."""
    climate = "; ".join(f"{s.name} ({s.licence}, \"{s.attribution}\")" for s in SOURCES.values())
    return (f"Climate normals: {climate}. Sister cities: Wikipedia's twin-town lists via Hekman/twincities and "
            "KaiErikNiermann/sister-city-visualizer (MIT). Places: GeoNames (CC BY 4.0).")


# ---------------------------------------------------------------------------- the CLI's JSON contract


def city_json(c: CityRef) -> dict:
    d = {"id": c.id, "name": c.name, "country": c.country}
    if c.name_zh:
        d["name_zh"] = c.name_zh
    if c.name_ur:
        d["name_ur"] = c.name_ur
    return d


def recommendation_json(res: Recommendation) -> dict:
    """The `recommend --format json` document (reasons in words, °C)."""
    home = city_json(res.home) | {"score": res.home_score, "label": label_text(res.home_label)}
    partners = [city_json(p.city) | {
        "score": p.score, "label": label_text(p.label), "delta": p.delta, "window": p.window, "windows": p.windows,
        "reasons": reasons_text(p), "coverage": p.coverage, "degree": p.degree, "via": [v.id for v in p.via],
    } for p in res.partners]
    return {"home": home, "month": res.month, "index": res.index.name, "basis": basis(res.index), "partners": partners}


def profile_json(prof: Profile) -> dict:
    """The `profile --format json` document."""
    return {"city": city_json(prof.city), "index": prof.index.name, "basis": basis(prof.index),
            "season_type": prof.season_type if prof.season_type else "unknown (no climate data)",
            "months": [{"month": m.month, "score": m.score, "label": m.label, "raw_score": m.raw_score, "gate": m.gate,
                        "components": m.components, "sources": m.sources, "coverage": m.coverage} for m in prof.months]}


def exchange_json(ex: Exchange) -> dict:
    """The `windows --format json` document."""
    return {"a": city_json(ex.a), "b": city_json(ex.b), "index": ex.index.name, "sister_cities": ex.sister_cities,
            "a_to_b": ex.a_to_b, "b_to_a": ex.b_to_a}


# ---------------------------------------------------------------------------- the method panel


def literal(s: object, limit: int = 80) -> str:
    """Text a person, a link or a data file supplied, for a markdown body: a code span, where no
    markdown, HTML or autolink is ever formed (CommonMark renders its content literally).
    Control characters are dropped, the text cut to `limit`; the fence is longer than any run of
    backticks inside."""
    t = "".join(ch for ch in str(s) if ch.isprintable())
    t = t if len(t) <= limit else t[:limit] + "…"
    longest = max((len(run) for run in re.findall(r"`+", t)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if t.startswith("`") or t.endswith("`") or not t.strip() else ""
    return f"{fence}{pad}{t or ' '}{pad}{fence}"


def without_server_paths(message: str) -> str:
    """A message for the page: absolute paths of the server shortened to their last two parts."""
    part = r"[^\s/'\"`]+"
    return re.sub(rf"(?<![\w.])/(?:{part}/)*?((?:{part}/)?{part})(?![^\s'\"`]*/)", r"\1", str(message))


def index_weights_line(index: ComfortIndex, band, unit: str = "°C") -> str:
    return (f"**{index.name}**, weights: " + ", ".join(f"{component_label(k)} {w:g}" for k, w in index.weights.items())
            + ". " + (lambda t: t[:1].upper() + t[1:])(band_text(band, unit)) + ".")


def method_tables(d, unit: str = "°C"):
    """(components table, score sentence, climate table, source caption) for a MonthDetail."""
    import pandas as pd

    from ..climate.variables import SPEC
    from .units import temp as fmt_temp, value

    comps = pd.DataFrame({"component": [component_label(k) for k, _, _, _ in d.components],
                          "weight": [w for _, w, _, _ in d.components],
                          "rating": ["—" if r is None else f"{r:.1f}" for _, _, r, _ in d.components],
                          "data": [src for _, _, _, src in d.components]})
    sentence = (f"Score {d.score:.0f} ({d.label}); before the stress penalty {d.raw_score:.0f}. Typical afternoon: "
                f"UTCI {fmt_temp(d.utci_c, unit)} — {d.utci_class} (score × {d.stress_factor:.2f}). "
                f"Coverage {d.coverage:.0%} observed (measured, derived or gridded), {d.coverage_imputed:.0%} imputed, "
                f"{d.coverage_missing:.0%} missing."
                + ("" if d.climate.get("wind_kmh", (None,))[0] is not None else
                   f" No wind data for this city: the UTCI assumes a light {DEFAULT_WIND_MS:g} m/s breeze and the "
                   "wind component is left out."))
    shown = [v for v in d.climate if v != "tmean_c"]
    climate = pd.DataFrame({"value": [value(v, d.climate[v][0], unit) for v in shown],
                            "provenance": [d.climate[v][1] for v in shown]},
                           index=[SPEC[v].label for v in shown])
    src = SOURCES.get(d.data_source)
    caption = (f"Source: {src.name if src else d.data_source} ({d.period}). Measured = as published by a station "
               "table; derived = computed by stated physics; gridded = from the gridded climatologies at the city's "
               "coordinates (1961–1990, adjusted); imputed = predicted by a model (see data/README.md for the errors); "
               "missing = none.")
    return comps, sentence, climate, caption


def exchange_rows(pairs) -> list[dict]:
    """The exchange explorer's table rows (PairExchange, strongest first)."""
    return [{"rank": k, "city A": f"{p.a.name} ({p.a.country})", "city B": f"{p.b.name} ({p.b.country})",
             "A → B": months_text(p.a_to_b), "B → A": months_text(p.b_to_a), "months A → B": p.a_months,
             "months B → A": p.b_months, "complementarity": p.complementarity, "two-way": p.two_way}
            for k, p in enumerate(pairs, 1)]


def pair_exchange_json(p) -> dict:
    """One pair of the `pairs --format json` document."""
    return {"a": city_json(p.a), "b": city_json(p.b), "a_to_b": p.a_to_b, "b_to_a": p.b_to_a,
            "a_months": p.a_months, "b_months": p.b_months, "complementarity": p.complementarity,
            "two_way": p.two_way}
