"""Words for the typed results, in the person's language and temperature unit: headline,
reasons, table rows, badges, the score scale, the window rule, the method and sources prose (the
JSON documents are in documents.py). The one place where sentences are built; every sentence is
a message of the catalogs (`i18n`), month names, numbers and country names come from CLDR."""

from __future__ import annotations

import datetime as dt
import math
import re

from ..climate.daily import DAY_MONTH, DAY_OF_MONTH
from ..comfort.indices import INDICES, ComfortIndex
from ..comfort.physics import DEFAULT_WIND_MS
from ..climate import confidence as grading
from ..comfort.tables import LABELS, NO_SCORE
from ..paths import data_dir
from ..places.countries import country_name
from ..results import CityRef, Confidence, PartnerResult, Reason, Recommendation
from .. import flags as fl
from ..rules import DRY_MM, GOOD, MARGIN, WET_MM, circular_runs
from ..sources import SOURCES
from ..sources.gridded import MAX_KM as GRIDDED_KM
from . import i18n
from .i18n import N_, translator
from .units import convert_temp, temp

EN = i18n.DEFAULT_LANGUAGE
NO_DATA = N_("no climate data")
COMPONENT_LABELS = {"thermal": N_("thermal comfort"), "aesthetic": N_("cloud cover"), "precipitation": N_("precipitation"),
                    "wind": N_("wind"), "daytime_comfort": N_("daytime comfort"), "daily_comfort": N_("daily comfort"),
                    "sunshine": N_("sunshine")}
# Confidence of a city-month (climate.confidence): a word and a mark per grade, a phrase per reason.
GRADE_WORDS = {"high": N_("high"), "medium": N_("medium"), "low": N_("low")}
GRADE_MARKS = {"high": "●", "medium": "◐", "low": "○"}
CONFIDENCE_REASONS = {"agree": N_("the sources agree"), "near_agree": N_("the sources roughly agree"),
                      "unchecked": N_("no second source to compare"), "imputed": N_("some model estimates"),
                      "far": N_("far from the gridded data"), "disagree": N_("the sources disagree"),
                      "very_far": N_("very far from the gridded data"), "mostly_imputed": N_("mostly model estimates"),
                      "proxy": N_("borrowed from a nearby city")}


# The regions of the regional-season flags (flags.py), by code.
REGION_NAMES = {"north_atlantic": N_("North Atlantic"), "eastern_north_pacific": N_("Eastern North Pacific"),
                "central_north_pacific": N_("Central North Pacific"), "western_north_pacific": N_("Western North Pacific"),
                "north_indian": N_("North Indian Ocean"), "south_west_indian": N_("South-West Indian Ocean"),
                "australian": N_("Australian region"), "south_pacific": N_("South Pacific"),
                "south_asia": N_("India, Bangladesh, Nepal and Bhutan"), "pakistan": N_("Pakistan"),
                "indo_gangetic_plain": N_("Indo-Gangetic Plain"), "north_china_plain": N_("North China Plain")}


def no_data_hint(lang: str = EN) -> str:
    _ = translator(lang)
    return _("no climate data within {km} km — fetch it from Meteostat").format(
        km=i18n.number(GRIDDED_KM, lang))



def month_name(m: int, lang: str = EN) -> str:
    """A month's name (1–12) in the language, from CLDR."""
    return i18n.month_names(lang)[m - 1]


def month_abbr(m: int, lang: str = EN) -> str:
    return i18n.month_names(lang, "abbreviated")[m - 1]


def component_label(key: str, lang: str = EN) -> str:
    return translator(lang)(COMPONENT_LABELS[key]) if key in COMPONENT_LABELS else key.replace("_", " ")


def words(word: str | None, lang: str = EN) -> str:
    """A declared word (score class, UTCI class, provenance, variable label) in the language."""
    return translator(lang)(NO_DATA if word is None else str(word))


def join(items, lang: str = EN) -> str:
    """Items joined with the language's list separator."""
    _ = translator(lang)
    return _(", ").join(items)


def months_text(runs: list[list[int]], lang: str = EN) -> str:
    """Runs of months in words: [[11, 12, 1, 2, 3], [6]] → "Nov–Mar, Jun" ("—" for none)."""
    return join([f"{month_abbr(r[0], lang)}–{month_abbr(r[-1], lang)}" if len(r) > 1 else month_abbr(r[0], lang)
                 for r in runs], lang) or "—"


def label_text(label: str | None, lang: str = EN) -> str:
    return words(label, lang)


def basis(index: ComfortIndex, lang: str = EN) -> str:
    """What the scores rest on, in one phrase."""
    _ = translator(lang)
    if index.utci_gate:
        return _("monthly climate normals: a typical afternoon of the month, lowered in UTCI heat/cold stress")
    return _("monthly climate normals: a typical afternoon of the month")


def score_scale(lang: str = EN) -> str:
    """"Scores 0–100: 90 ideal · 80 excellent · … · 40 marginal." from the score classes."""
    _ = translator(lang)
    return _("Scores 0–100: {scale}.").format(
        scale=" · ".join(f"{i18n.number(lo, lang)} {words(name, lang)}" for lo, name in LABELS[:6]))


def window_rule(home_name: str, lang: str = EN) -> str:
    _ = translator(lang)
    return _("Months when each partner is **good or better** (≥ {good}) and **at least {margin} points** "
                            "more comfortable than {home}.").format(
        good=i18n.number(GOOD, lang), margin=i18n.number(MARGIN, lang), home=home_name)


def band_text(band: tuple[float, float] | None, unit: str = "°C", lang: str = EN) -> str:
    """"personal comfort band 18–24 °C" in the chosen unit, or the published index."""
    _ = translator(lang)
    if band is None:
        return _("published index (no personal band)")
    low, high = (i18n.number(float(convert_temp(b, unit)), lang) for b in band)
    return _("personal comfort band {low}–{high}").format(low=low, high=i18n.isolate(f"{high} {unit}", lang))


def reason_text(r: Reason, unit: str = "°C", lang: str = EN) -> str:
    _ = translator(lang)
    v = r.values

    def n(x):
        return i18n.number(x, lang)

    if r.code == "thermal_stress":
        return _("{stress} on a typical afternoon (feels like {utci})").format(
            stress=words(v["utci_class"], lang), utci=temp(v["utci_c"], unit, lang=lang))
    if r.code == "temperature":
        home = v.get("home_tmax_c")
        if home is None:
            return _("{tmax} afternoons").format(tmax=temp(v["tmax_c"], unit, lang=lang))
        return _("{tmax} afternoons vs {home} at home").format(tmax=temp(v["tmax_c"], unit, lang=lang),
                                                              home=temp(home, unit, lang=lang))
    if r.code == "dry":
        return _("dry ({mm} mm of rain in the month)").format(mm=n(v["prcp_mm"]))
    if r.code == "rainy_days":
        return _("rainy: {days} wet days").format(days=n(v["wet_days"]))
    if r.code == "wet":
        return _("wet ({mm} mm of rain in the month)").format(mm=n(v["prcp_mm"]))
    if r.code == "sunny":
        return _("sunny ({hours} h of sunshine a day)").format(hours=n(v["sun_h_per_day"]))
    if r.code == "grey":
        return _("grey ({hours} h of sunshine a day)").format(hours=n(v["sun_h_per_day"]))
    if r.code == "humid":
        return _("humid ({pct} % afternoon humidity)").format(pct=n(v["rh_pm_pct"]))
    if r.code == "escapes_home_stress":
        return _("escapes the {stress} at home").format(stress=words(v["home_utci_class"], lang))
    raise ValueError(f"no words for reason code {r.code!r}")


def reasons_text(p: PartnerResult, unit: str = "°C", lang: str = EN) -> list[str]:
    _ = translator(lang)
    if p.score is None:
        return [_("no climate data for this city")]
    return [reason_text(r, unit, lang) for r in p.reasons]


def region_names(codes, lang: str = EN) -> str:
    _ = translator(lang)
    return join([_(REGION_NAMES[c]) for c in codes], lang)


def flag_text(code: str, value=None, unit: str = "°C", lang: str = EN) -> str:
    """A flag (flags.FLAGS) in a short phrase with its number or regions: "cold nights (mean low −9 °C)"."""
    _ = translator(lang)
    if code == "cold_nights":
        return _("cold nights (mean low {tmin})").format(tmin=temp(value, unit, lang=lang))
    if code == "high_altitude":
        return _("high altitude ({metres} m)").format(metres=i18n.number(value, lang))
    if code == "very_strong_heat":
        return _("very strong heat stress (feels like {utci})").format(utci=temp(value, unit, lang=lang))
    if code == "tropical_cyclone":
        return _("tropical-cyclone season ({regions}; a regional season)").format(regions=region_names(value, lang))
    if code == "monsoon":
        return _("monsoon season ({regions}; a regional season)").format(regions=region_names(value, lang))
    if code == "poor_air":
        return _("poor-air season ({regions}; a regional season, not measured air quality)").format(
            regions=region_names(value, lang))
    if code == "snow_and_ice":
        return _("snow and ice (afternoons {tmax}): the indices rate warm-season sightseeing and beach trips, not snow "
                 "and ice").format(tmax=temp(value, unit, lang=lang))
    raise ValueError(f"no words for flag code {code!r}")


def flags_text(codes, values: dict, unit: str = "°C", lang: str = EN) -> list[str]:
    """A city-month's flags in phrases, in FLAGS order."""
    return [flag_text(c, values.get(c), unit, lang) for c in codes]


def flags_cell(p: PartnerResult, unit: str = "°C", lang: str = EN) -> str:
    """The table's "not rated" cell: the partner's flags in phrases ("" without any)."""
    _ = translator(lang)
    return _("; ").join(flags_text(p.flags, p.flag_values, unit, lang))


def flag_caption(res: Recommendation, unit: str = "°C", lang: str = EN) -> str:
    """The line under the headline: what the index does not rate for the top pick (where it carries a
    hazard flag) and at home ("" when there is nothing to say)."""
    _ = translator(lang)
    month = month_name(res.month, lang)
    out = []
    ranked = res.ranked
    if ranked and any(c in fl.HAZARDS for c in ranked[0].flags):
        best = ranked[0]
        out.append(_("{city} in {month}, not rated by the index: {flags}.").format(
            city=local_name(best.city, lang), month=month,
            flags=_("; ").join(flags_text(best.flags, best.flag_values, unit, lang))))
    if res.home_flags:
        out.append(_("At home ({home}, {month}), not rated by the index: {flags}.").format(
            home=local_name(res.home, lang), month=month,
            flags=_("; ").join(flags_text(res.home_flags, res.home_flag_values, unit, lang))))
    return " ".join(out)


def flags_detail(d, unit: str = "°C", lang: str = EN) -> str:
    """The method panel's line on one city-month's flags (a MonthDetail)."""
    _ = translator(lang)
    if not d.flags:
        return _("Not rated by the index in this city-month: no flag (see What the indices do not rate below).")
    return _("Not rated by the index in this city-month: {flags}.").format(
        flags=_("; ").join(flags_text(d.flags, d.flag_values, unit, lang)))


def data_quality(p: PartnerResult, lang: str = EN) -> str:
    """Short badge naming the score's components that rest on imputed or missing inputs."""
    _ = translator(lang)
    if p.score is None:
        return no_data_hint(lang)
    notes = [f"{component_label(comp, lang)} {words(src, lang)}" for comp, src in p.quality if src != "gridded"]
    if notes:
        return "⚠ " + " · ".join(notes)
    return "≈ " + _("gridded climatology") if p.quality else "✓ " + _("measured")


def grade_text(c: Confidence | None, lang: str = EN) -> str:
    """The grade in a word ("medium"); "—" without one."""
    return "—" if c is None else translator(lang)(GRADE_WORDS[c.grade])


def confidence_reason_text(c: Confidence | None, lang: str = EN) -> str:
    """The grade's reason as a short phrase ("no second source to compare"); "" without one."""
    return "" if c is None else translator(lang)(CONFIDENCE_REASONS[c.reason])


def confidence_badge(c: Confidence | None, lang: str = EN) -> str:
    """The badge beside a score: "◐ medium · no second source to compare" ("—" without a grade)."""
    if c is None:
        return "—"
    return f"{GRADE_MARKS[c.grade]} {grade_text(c, lang)} · {confidence_reason_text(c, lang)}"


def home_confidence_line(res: Recommendation, lang: str = EN) -> str:
    """The home's grade beside the partners': "Confidence at home (Ürümqi, January): ◐ medium · …"."""
    _ = translator(lang)
    if res.home_confidence is None:
        return ""
    return _("Confidence at home ({home}, {month}): {badge}.").format(
        home=local_name(res.home, lang), month=month_name(res.month, lang),
        badge=confidence_badge(res.home_confidence, lang))


def country(code: str | None, lang: str = EN) -> str:
    """A country's name in the language (CLDR); the GeoNames English name, or the code, where
    CLDR has none."""
    return i18n.country(code, lang, default="") or country_name(code)


def local_name(c: CityRef, lang: str = EN) -> str:
    """A registry city's name in the language where known."""
    return c.native(i18n.language(lang)) or c.name


def city_label(c: CityRef, has_climate: bool = True, lang: str = EN) -> str:
    """A city as the city picker lists it: its name in the language, the country code, its other
    names (registry and native; all searchable) and a note where it has no climate data."""
    first = local_name(c, lang)
    others = [n for n in dict.fromkeys((c.name, *(n for _lang, n in c.names))) if n and n != first]
    return (f"{first} ({c.country})" + "".join(f" · {n}" for n in others)
            + ("" if has_climate else f" — {no_data_hint(lang)}"))


def city_name(c: CityRef, via: tuple[CityRef, ...] = (), lang: str = EN) -> str:
    if not via:
        return local_name(c, lang)
    _ = translator(lang)
    return _("{city} (via {cities})").format(city=local_name(c, lang),
                                                            cities=join([local_name(v, lang) for v in via], lang))


def partner_columns(lang: str = EN) -> dict[str, str]:
    """The partner table's column headers, by key."""
    _ = translator(lang)
    return {"rank": _("rank"), "city": _("city"), "country": _("country"), "score": _("score"),
            "confidence": _("confidence"), "class": _("class"),
            "vs home": _("vs home"), "afternoon": _("afternoon"), "travel window": _("travel window"),
            "why": _("why"), "flags": _("not rated"), "data": _("data")}


def partner_rows(res: Recommendation, unit: str = "°C", lang: str = EN) -> list[dict]:
    """The ranked partners as display rows (rank, city, score, confidence badge, class, difference
    from home, afternoon temperature, window, reasons, what the index does not rate, data-quality badge),
    headers in the language."""
    h = partner_columns(lang)
    _ = translator(lang)
    sep = _("; ")
    return [{
        h["rank"]: k, h["city"]: city_name(p.city, p.via, lang), h["country"]: p.city.country, h["score"]: p.score,
        h["confidence"]: confidence_badge(p.confidence, lang), h["class"]: label_text(p.label, lang),
        h["vs home"]: p.delta, h["afternoon"]: temp(p.tmax_c, unit, lang=lang),
        h["travel window"]: days_text(p.window_days, lang) if p.window_days or not p.windows else months_text(p.windows, lang), h["why"]: sep.join(reasons_text(p, unit, lang)),
        h["flags"]: flags_cell(p, unit, lang), h["data"]: data_quality(p, lang),
    } for k, p in enumerate(res.partners, 1)]


def _no_sisters(res: Recommendation, lang: str) -> str:
    _ = translator(lang)
    home = local_name(res.home, lang)
    if res.country:
        return _("{home} has no sister cities in {country}.").format(home=home, country=country(res.country, lang))
    return _("{home} has no sister cities in the registry.").format(home=home)


def is_low(c: Confidence | None) -> bool:
    return c is not None and c.grade == "low"


def headline(res: Recommendation, unit: str = "°C", lang: str = EN) -> str:
    """One sentence answering the choice: the most comfortable partner and home, in words; a
    low-confidence figure says so and why."""
    _ = translator(lang)
    home, short = local_name(res.home, lang), res.index.short
    month = month_name(res.month, lang)
    if res.country:
        where = _("of {home}'s sister cities in {country}").format(home=home, country=country(res.country, lang))
    else:
        where = _("of {home}'s sister cities").format(home=home)
    if not res.partners:
        return _no_sisters(res, lang)
    ranked = res.ranked
    if not ranked:
        return _("In {month}, none {where} has climate data yet ({hint}).").format(month=month, where=where,
                                                                                   hint=no_data_hint(lang))
    best = ranked[0]
    desc = [_("{tmax} afternoons").format(tmax=temp(best.tmax_c, unit, lang=lang))]
    p = best.prcp_mm
    if p is not None and not math.isnan(p):
        desc.append(_("dry") if p < DRY_MM else (_("rainy") if p >= WET_MM else
                                             _("{mm} mm of rain").format(mm=i18n.number(p, lang))))
    pick = (_("In {month}, {where}, {city} is the most comfortable: {conditions} ({index} {score}, {label}; low "
              "confidence: {reason})") if is_low(best.confidence) else
            _("In {month}, {where}, {city} is the most comfortable: {conditions} ({index} {score}, {label})"))
    text = pick.format(month=month, where=where, city=local_name(best.city, lang), conditions=join(desc, lang),
                       index=short, score=i18n.number(best.score, lang), label=words(best.label, lang),
                       reason=confidence_reason_text(best.confidence, lang))
    if res.home_score is not None:
        at_home = (_(" — at home it is {tmax} ({index} {score}, {label}; low confidence: {reason}).")
                   if is_low(res.home_confidence) else _(" — at home it is {tmax} ({index} {score}, {label})."))
        text += at_home.format(
            tmax=temp(res.home_tmax_c, unit, lang=lang), index=short, score=i18n.number(res.home_score, lang),
            label=words(res.home_label, lang), reason=confidence_reason_text(res.home_confidence, lang))
        if best.score <= res.home_score:
            text += _(" Home is at least as comfortable this month.")
    elif res.home_label == NO_SCORE:
        text += _(" — {home} itself has not enough data this month for a score.").format(home=home)
    else:
        text += _(" — {home} itself has {hint}.").format(home=home, hint=no_data_hint(lang))
    return text


def fetch_offer(city: str, origin: str, lang: str = EN) -> str:
    """The label of the on-demand fetch, by where the city's climate comes from now."""
    _ = translator(lang)
    if origin == "gridded":
        return _("{city} uses the gridded climatology (1961–1990) for some values — fetch station data from "
                 "Meteostat").format(city=city)
    if origin == "imputed":
        return _("{city} rests partly on model estimates — fetch station data from Meteostat").format(city=city)
    return _("{city} has {hint} — fetch station data from Meteostat").format(city=city, hint=no_data_hint(lang))


def sister_cities_note(res: Recommendation, lang: str = EN) -> str:
    return _no_sisters(res, lang)


def method_caption(index: ComfortIndex, lang: str = EN) -> str:
    """The caption under the headline: index, basis, gate and score scale."""
    _ = translator(lang)
    if index.utci_gate:
        line = _("{index} on monthly climate normals (a typical afternoon of the month), lowered smoothly in UTCI "
                 "heat or cold stress.")
    else:
        line = _("{index} on monthly climate normals (a typical afternoon of the month).")
    return line.format(index=index.name) + " " + score_scale(lang)


def index_summary(index: ComfortIndex, lang: str = EN) -> str:
    """"HCI:Urban (Scott et al. …) weighs thermal comfort 40 %, …" from the declaration."""
    total = sum(index.weights.values())
    parts = join([f"{component_label(k, lang)} {i18n.number(100 * w / total, lang)} %" for k, w in index.weights.items()],
                 lang)
    _ = translator(lang)
    return _("{index} ({citation}) weighs {weights}.").format(index=index.name, citation=index.citation,
                                                                            weights=parts)


def method_paragraphs(unit: str = "°C", lang: str = EN) -> list[str]:
    """How scores are made, in plain sentences (every registered index included), temperatures in
    the person's unit."""
    from ..climate.wetdays import recorded_factor
    from ..comfort import indices as ix
    from ..comfort import score as sc
    from .units import temp_difference

    _ = translator(lang)

    def t(x):
        return temp(x, unit, lang=lang)

    def n(x, decimals=0, sign=False):
        return i18n.number(x, lang, decimals, sign)

    beach = INDICES.get("hci_beach")
    stress = _("Thermal stress lowers a score smoothly: it is multiplied by a factor falling linearly with the typical "
               "afternoon's UTCI (ECMWF thermofeel) from 1 at {heat_onset} to {floor} at {heat_extreme}, and from 1 at "
               "{cold_onset} to {floor} at {cold_extreme}").format(
        heat_onset=t(sc.HEAT_ONSET_C), floor=n(1 - sc.MAX_PENALTY, 1), heat_extreme=t(sc.HEAT_ONSET_C + sc.HEAT_SPAN_C),
        cold_onset=t(sc.COLD_ONSET_C), cold_extreme=t(sc.COLD_EXTREME_C))
    if beach:
        stress += _(" (the beach index from {onset}, where \"strong heat stress\" starts, and its thermal table reads "
                    "the afternoon's air temperature rather than Missenard's effective temperature)").format(
            onset=t(beach.heat_onset_utci))
    stress += _("; a one-degree change of the afternoon moves a score by at most {points} points, and no score value "
                "holds more than about {share} % of the city-months (the caps this replaced put {plateau_share} % of "
                "them at exactly {plateau}).").format(
        points=n(sc.MAX_POINTS_PER_C), share=n(100 * sc.MAX_VALUE_SHARE), plateau_share=n(100 * sc.CAPS_PLATEAU_SHARE, 1),
        plateau=n(sc.CAPS_PLATEAU))
    return [
        _("Scores are tourism-climate comfort indices applied to each city's monthly climate normals, for a "
          "typical afternoon of the month."),
        *[_("{style}: {summary}").format(style=_(i.trip_style), summary=index_summary(i, lang)) for i in INDICES.values()],
        _("The indices are defined on daily weather: a month's thermal rating is the expectation over its afternoons, "
          "daily maxima spread around the mean by {spread} of the diurnal range ({low} to {high}); rating the mean "
          "afternoon instead overstates comfort near the optimum by a median {bias} and at most {bias_max} points. A "
          "month's precipitation rates at most 10 − total mm / 50 (a 400 mm month at most 2 of 10), whatever its "
          "wet-day mix: this lowers {ceiling_share} % of city-months, by a median {ceiling_median} points. Wet days are "
          "days with at least 1 mm (tables counting 0.1 mm days are converted, × {wet_factor}) and include snow "
          "days.").format(
            spread=f"{ix.DAILY_SPREAD:g}", low=temp_difference(ix.SPREAD_MIN_C, unit, 1, lang=lang),
            high=temp_difference(ix.SPREAD_MAX_C, unit, lang=lang), bias=n(ix.MEAN_AFTERNOON_BIAS, 1),
            bias_max=n(ix.MEAN_AFTERNOON_BIAS_MAX, 1), ceiling_share=n(100 * ix.CEILING_SHARE),
            ceiling_median=n(ix.CEILING_MEDIAN, 1), wet_factor=n(recorded_factor(data_dir()), 2)),
        stress,
        _("Wind is the gridded climatology's 10 m wind (counting it moves scores by a median {wind_median} points, from "
          "{wind_low} to {wind_high} for 90 % of city-months); where a city has none the UTCI assumes a {breeze} m/s "
          "breeze, as its panel says. Thermal comfort uses Missenard's effective temperature (the Copernicus HCI "
          "code), for the TCI too, in place of Mieczkowski's effective-temperature chart.").format(
            wind_median=n(sc.WIND_EFFECT_MEDIAN, 1, sign=True), wind_low=n(sc.WIND_EFFECT_RANGE_90[0], sign=True),
            wind_high=n(sc.WIND_EFFECT_RANGE_90[1], sign=True), breeze=n(DEFAULT_WIND_MS)),
        _("Components whose inputs are missing (wind where no gridded point is near) are left out and the other "
          "weights rescaled; coverage is the share of the weight resting on observed data (a station table, "
          "values derived from it, or the gridded climatologies), not on model estimates.")
        + _(" Where humidity is missing it is estimated from the night minimum (dew point ≈ mean daily minimum, "
            "FAO-56) and counts as imputed; a month whose thermal comfort cannot be rated gets no score (\"not enough "
            "data\")."),
        confidence_method(unit, lang),
        *not_rated_paragraphs(unit, lang),
        _("A travel window is a run of months in which the partner scores at least {good} (\"good\") and at "
          "least {margin} points more than home.").format(good=i18n.number(GOOD, lang), margin=i18n.number(MARGIN, lang)),
        exchange_method(lang),
    ]


def _degrees(x: float, pos: str, neg: str, lang: str) -> str:
    return f"{i18n.number(abs(x), lang, 1 if x != int(x) else 0)}°{pos if x >= 0 else neg}"


def _box(lat, lon, lang: str) -> str:
    return (f"{_degrees(lat[0], 'N', 'S', lang)}–{_degrees(lat[1], 'N', 'S', lang)}, "
            f"{_degrees(lon[0], 'E', 'W', lang)}–{_degrees(lon[1], 'E', 'W', lang)}")


def regions_text(regions, lang: str = EN) -> str:
    """Regional seasons' regions and months, one item per region (a basin of several boxes once):
    "Indo-Gangetic Plain (24°N–32.5°N, 71°E–88.5°E): Nov–Jan"."""
    _ = translator(lang)
    groups: dict[str, list] = {}
    for r in regions:
        groups.setdefault(fl.basin_of(r), []).append(r)
    items = []
    for code, rs in groups.items():
        boxes = [_box(r.lat, r.lon, lang) for r in rs if r.lat is not None and r.lon is not None]
        where = " ∪ ".join(boxes)
        for r in rs:
            for a, b, c, d in r.exclude:
                where += " " + _("without {box}").format(box=_box((a, b), (c, d), lang))
        items.append(f"{_(REGION_NAMES[code])}" + (f" ({where})" if where else "")
                     + f": {months_text(circular_runs(rs[0].months), lang)}")
    return _("; ").join(items)


def not_rated_paragraphs(unit: str = "°C", lang: str = EN) -> list[str]:
    """What the indices do not rate (flags.FLAGS): every flag's definition and source, and what is not
    rated at all."""
    _ = translator(lang)
    cite = {f.code: f.citation for f in fl.FLAGS}
    return [
        _("What the indices do not rate. The scores rate a typical afternoon for warm-season sightseeing, beach trips "
          "and touring; a flag beside a score (the \"not rated\" column, this panel, the exports and the JSON's "
          "\"flags\") names what they cannot see. From the city's own figures: cold nights, the month's mean minimum "
          "below {cold} ({cold_source}); high altitude, the town at {altitude} m or higher, read only where its "
          "elevation comes from a nearby station or the terrain grid ({altitude_source}); very strong heat stress, the "
          "typical afternoon's UTCI at {heat} or more ({heat_source}); snow and ice, afternoons below {snow}, a note "
          "rather than a hazard ({snow_source}).").format(
            cold=temp(fl.COLD_NIGHTS_C, unit, lang=lang), cold_source=cite["cold_nights"],
            altitude=i18n.number(fl.HIGH_ALTITUDE_M, lang), altitude_source=cite["high_altitude"],
            heat=temp(fl.VERY_STRONG_HEAT_UTCI_C, unit, lang=lang), heat_source=cite["very_strong_heat"],
            snow=temp(fl.SNOW_AND_ICE_C, unit, lang=lang), snow_source=cite["snow_and_ice"]),
        _("Regional seasons, a published season applied to a stated region, not measured data of the city: "
          "tropical-cyclone season for towns within {km} km of the sea (the Natural Earth 1:110m outlines) in a "
          "basin (a town in two basins carries both seasons), {basins} ({cyclone_source}); monsoon season, {monsoon} ({monsoon_source}); poor-air season, "
          "{air} ({air_source}).").format(
            km=i18n.number(fl.COAST_KM, lang), basins=regions_text(fl.CYCLONE_BASINS, lang),
            cyclone_source=cite["tropical_cyclone"],
            monsoon=regions_text(fl.MONSOON_REGIONS, lang), monsoon_source=cite["monsoon"],
            air=regions_text(fl.AIR_REGIONS, lang), air_source=cite["poor_air"]),
        _("Not rated at all: air quality outside these two regions and in any year's actual smog; cyclones outside "
          "the basins' boxes (the South Atlantic, beyond 35° from the equator) or farther inland; other monsoons (East "
          "Asian, West African, Australian) and the rainy seasons the precipitation rating already counts; nights "
          "above freezing, elevations below {altitude} m, ultraviolet, wildfire smoke, and snow sports or any "
          "winter-sports season.").format(altitude=i18n.number(fl.HIGH_ALTITUDE_M, lang)),
    ]


def confidence_method(unit: str = "°C", lang: str = EN) -> str:
    """What the confidence grades mean (climate.confidence), tolerances as the build measured them."""
    from .units import temp_difference

    _ = translator(lang)
    tol = grading.tolerances(data_dir())
    return _(
        "Each city-month's figures carry a confidence grade. High: two independent estimates of the month's mean "
        "temperature (a station table and the gridded climatologies, the two climatologies, or Meteostat and the "
        "embedded atlas) agree within {agree}. Medium: they agree only within {tolerance}, there is no second "
        "estimate to compare, some inputs are model estimates, or the nearest gridded point is {far} km or more away "
        "or the points used lie {dz} m or more above or below the town. "
        "Low: they differ by more than {tolerance}, the nearest gridded point is {very_far} km or more away, the "
        "temperatures or half of the inputs are model estimates, or the climate is borrowed from a nearby city. The "
        "worst of these sets the grade.").format(
        agree=temp_difference(tol["agree_c"], unit, 1, lang=lang),
        tolerance=temp_difference(tol["tolerance_c"], unit, 1, lang=lang),
        far=i18n.number(grading.FAR_KM, lang), very_far=i18n.number(grading.VERY_FAR_KM, lang),
        dz=i18n.number(grading.FAR_DZ_M, lang))


def confidence_detail(d, lang: str = EN) -> str:
    """The grade of the city-month the method panel shows (a MonthDetail)."""
    _ = translator(lang)
    if d.confidence is None:
        return ""
    return _("Confidence of this city-month: {grade} ({reason}).").format(
        grade=f"{GRADE_MARKS[d.confidence.grade]} {grade_text(d.confidence, lang)}",
        reason=confidence_reason_text(d.confidence, lang))


def exchange_brief(ex, lang: str = EN) -> str:
    """One pair's exchange in two sentences (an Exchange): whether they are sister cities, and
    when each city's people should visit the other."""
    _ = translator(lang)
    a, b = local_name(ex.a, lang), local_name(ex.b, lang)

    def direction(x: str, y: str, runs) -> str:
        if runs:
            return _("{a}'s people should visit {b} in {months}.").format(a=x, b=y, months=months_text(runs, lang))
        return _("{a}'s people have no month in which {b} is good and clearly more comfortable.").format(a=x, b=y)

    twinned = (_("{a} and {b} are sister cities.") if ex.sister_cities
               else _("{a} and {b} are not sister cities.")).format(a=a, b=b)
    return " ".join((twinned, direction(a, b, ex.a_to_b), direction(b, a, ex.b_to_a)))


def exchange_method(lang: str = EN) -> str:
    """How the exchange explorer ranks pairs (the method panel's last paragraph)."""
    _ = translator(lang)
    return _(
        "Exchange potential of a pair: both directions' travel windows non-empty, then the months of the year "
        "either window covers, then the shorter window, then complementarity = (1 − r) / 2, r the correlation of "
        "the two cities' 12-month comfort curves (1: each is comfortable when the other is not; ½: unrelated; "
        "0: the same seasons).")


def sources_paragraph(lang: str = EN) -> str:
    """Where the data come from, with licences and attribution (names and licences as published)."""
    climate = "; ".join(f"{s.name} ({s.licence}, \"{s.attribution}\")" for s in SOURCES.values())
    _ = translator(lang)
    return _("Climate normals: {climate}. Sister cities: Wikipedia's twin-town lists via Hekman/twincities "
                            "and KaiErikNiermann/sister-city-visualizer (MIT). Places: GeoNames (CC BY 4.0).").format(
        climate=climate)


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


def plain(s: object, limit: int = 120) -> str:
    """Data text for a place that renders no markdown (a table cell, st.text, a chart after
    charts.escape): control characters dropped, cut to `limit`."""
    t = "".join(ch for ch in str(s) if ch.isprintable())
    return t if len(t) <= limit else t[:limit] + "…"


def without_server_paths(message: str) -> str:
    """A message for the page: absolute paths of the server shortened to their last two parts."""
    part = r"[^\s/'\"`]+"
    return re.sub(rf"(?<![\w.])/(?:{part}/)*?((?:{part}/)?{part})(?![^\s'\"`]*/)", r"\1", str(message))


def weights_text(index: ComfortIndex, lang: str = EN) -> str:
    """"thermal comfort 4, cloud cover 2, …": an index's components and weights in the language."""
    return join([f"{component_label(k, lang)} {i18n.number(w, lang)}" for k, w in index.weights.items()], lang)


def index_weights_line(index: ComfortIndex, band, unit: str = "°C", lang: str = EN) -> str:
    """The method panel's first line (markdown): the index in bold, its weights and the band."""
    weights = weights_text(index, lang)
    band_words = band_text(band, unit, lang)
    _ = translator(lang)
    return _("**{index}**, weights: {weights}. {band}.").format(
        index=index.name, weights=weights, band=band_words[:1].upper() + band_words[1:])


def method_tables(d, unit: str = "°C", lang: str = EN):
    """(components table, score sentence, climate table, source caption) for a MonthDetail."""
    import pandas as pd

    from ..climate.variables import SPEC
    from .units import value

    _ = translator(lang)
    comps = pd.DataFrame({_("component"): [component_label(k, lang) for k, _w, _r, _s in d.components],
                          _("weight"): [w for _k, w, _r, _s in d.components],
                          _("rating"): ["—" if r is None else i18n.number(r, lang, 1) for _k, _w, r, _s in d.components],
                          _("data"): [words(src, lang) for _k, _w, _r, src in d.components]})
    sentence = _("Score {score} ({label}); before the stress penalty {raw}. Typical afternoon: UTCI {utci} — {stress} "
                 "(score × {factor}). Coverage {observed} observed (measured, derived or gridded), {imputed} imputed, "
                 "{missing} missing.").format(
        score="—" if d.score is None else i18n.number(d.score, lang), label=words(d.label, lang),
        raw="—" if d.raw_score is None else i18n.number(d.raw_score, lang),
        utci=temp(d.utci_c, unit, lang=lang), stress=words(d.utci_class, lang),
        factor=i18n.number(d.stress_factor, lang, 2), observed=i18n.percent(d.coverage, lang),
        imputed=i18n.percent(d.coverage_imputed, lang), missing=i18n.percent(d.coverage_missing, lang))
    if d.climate.get("wind_kmh", (None,))[0] is None:
        sentence += _(" No wind data for this city: the UTCI assumes a light {wind} m/s breeze and the wind component is "
                      "left out.").format(wind=i18n.number(DEFAULT_WIND_MS, lang))
    shown = [v for v in d.climate if v != "tmean_c"]
    climate = pd.DataFrame({_("value"): [value(v, d.climate[v][0], unit, lang=lang) for v in shown],
                            _("provenance"): [words(d.climate[v][1], lang) for v in shown]},
                           index=[words(SPEC[v].label, lang) for v in shown])
    src = SOURCES.get(d.data_source)
    caption = _("Source: {source} ({period}). Measured = as published by a station table; derived = computed by stated "
                "physics; gridded = from the gridded climatologies at the city's coordinates (1961–1990, adjusted); "
                "imputed = predicted by a model (see data/README.md for the errors); missing = none.").format(
        source=src.name if src else d.data_source, period=d.period)
    return comps, sentence, climate, caption


def exchange_columns(lang: str = EN) -> dict[str, str]:
    """The exchange explorer's column headers, by key."""
    _ = translator(lang)
    return {"rank": _("rank"), "city A": _("city A"), "city B": _("city B"), "A → B": _("A → B"), "B → A": _("B → A"),
            "months A → B": _("months A → B"), "months B → A": _("months B → A"),
            "complementarity": _("complementarity"), "two-way": _("two-way")}


def exchange_rows(pairs, lang: str = EN) -> list[dict]:
    """The exchange explorer's table rows (PairExchange, strongest first), headers in the language."""
    h = exchange_columns(lang)
    return [{h["rank"]: k, h["city A"]: f"{local_name(p.a, lang)} ({p.a.country})",
             h["city B"]: f"{local_name(p.b, lang)} ({p.b.country})", h["A → B"]: months_text(p.a_to_b, lang),
             h["B → A"]: months_text(p.b_to_a, lang), h["months A → B"]: p.a_months, h["months B → A"]: p.b_months,
             h["complementarity"]: p.complementarity, h["two-way"]: p.two_way}
            for k, p in enumerate(pairs, 1)]


# ------------------------------------------------------------------ dates (issue 18)
REF_YEAR = 2025   # a common year: a day of the climatological year (0–364) as a date, for its name
SCHOOL_HOLIDAYS_NOTE = N_("School holidays are not listed: no worldwide data set of them exists. Enter your "
                          "school's dates as your own dates.")


def day_date(day: int, year: int = REF_YEAR):
    """A day of the climatological year (0 = 1 January … 364 = 31 December) as a date of `year`
    (its month and day: 1 March is 1 March in a leap year too)."""
    return dt.date(year, int(DAY_MONTH[day]), int(DAY_OF_MONTH[day]))


def day_span_text(span, lang: str = EN) -> str:
    """A DaySpan in CLDR words: "Oct 20 – Mar 28" (a span may cross the new year)."""
    start, end = day_date(span.start), day_date(span.end, REF_YEAR + (span.start > span.end))
    return i18n.date_interval(start, end, lang)


def days_text(spans, lang: str = EN) -> str:
    """Runs of days in words ("Nov 9 – Mar 22, Apr 2 – 14"; the whole year: "all year"; none: "—")."""
    _ = translator(lang)
    if len(spans) == 1 and spans[0].start == 0 and spans[0].end == 364:
        return _("all year")
    return join([day_span_text(s, lang) for s in spans], lang) or "—"


def dates_text(start, end, lang: str = EN) -> str:
    """A span of calendar dates with its year ("Feb 5 – 12, 2027"; one day: "Feb 5, 2027")."""
    return i18n.date_interval(start, end, lang, with_year=True)


def fortnight_text(span, lang: str = EN) -> str:
    """The best fortnight and its mean daily score ("" without one)."""
    _ = translator(lang)
    if span is None:
        return ""
    return _("Best fortnight: {dates} (score {score})").format(dates=day_span_text(span, lang),
                                                              score=i18n.number(span.score, lang))


def day_window_rule(lang: str = EN) -> str:
    """How the windows in dates are found and summed up in months (the Travel windows tab, the method)."""
    _ = translator(lang)
    return _("In dates: the same rule on each day of a daily climatology drawn through the monthly normals "
             "(mean-preserving: Epstein 1991 for temperatures, Rymes & Myers 2001 for rain, sunshine and "
             "humidity). The month window stays the summary: a month is in it when the rule holds for the month's "
             "own normals, so at the edges of a window a month can differ from the majority of its days.")


def breaks_method(lang: str = EN) -> str:
    """Where the holiday breaks come from (the method page)."""
    _ = translator(lang)
    return _("Holiday breaks: each country's public holidays from the holidays package (MIT licence; about 250 "
             "countries, China's make-up working days, Islamic dates marked estimated), joined with the weekend "
             "days beside them. A break is in a window when more than half of its days are. ") + _(SCHOOL_HOLIDAYS_NOTE)


def break_name(b, lang: str = EN, limit: int = 120) -> str:
    """A holiday break's name (the holidays package's words, as plain text), marked "(estimated)"
    where the package estimates its dates."""
    _ = translator(lang)
    return plain(b.name, limit) + (" " + _("(estimated)") if b.estimated else "")


def break_columns(lang: str = EN) -> dict[str, str]:
    _ = translator(lang)
    return {"break": _("holiday break"), "dates": _("dates"), "days": _("days"), "window": _("in the window")}


def break_rows(way, lang: str = EN) -> list[dict]:
    """The home country's holiday breaks of one direction (results.Way) as display rows: the name
    (from the holidays package, marked "estimated" where it says so), the dates, the number of days
    and whether most of them are in the window."""
    _ = translator(lang)
    h = break_columns(lang)
    rows = []
    for b in way.breaks:
        rows.append({h["break"]: break_name(b, lang), h["dates"]: dates_text(b.start, b.end, lang),
                     h["days"]: (b.end - b.start).days + 1, h["window"]: "✓ " + _("yes") if b.in_window else "— " + _("no")})
    return rows


def breaks_summary(way, lang: str = EN) -> str:
    """One sentence: which of the home country's breaks fall in this direction's window (plain
    text: show it with st.text, never as markdown)."""
    _ = translator(lang)
    home = local_name(way.home, lang)
    if not way.breaks:
        return _("No public-holiday calendar is known for {country}.").format(country=country(way.home.country, lang))
    inside = [plain(b.name, 80) for b in way.breaks if b.in_window]
    if not inside:
        return _("None of {home}'s holiday breaks in the coming year falls in the window.").format(home=home)
    return _("{home}'s holiday breaks in the window: {breaks}.").format(home=home, breaks=join(inside, lang))


def plan_headline(plan, lang: str = EN) -> str:
    """One sentence for a Plan: the dates, the most comfortable sister city for them and home."""
    _ = translator(lang)
    res = plan.recommendation
    home, dates = local_name(res.home, lang), dates_text(plan.start, plan.end, lang)
    ranked = res.ranked
    if not res.partners:
        return _no_sisters(res, lang)
    if not ranked:
        return _("For {dates}, none of {home}'s sister cities has climate data yet.").format(dates=dates, home=home)
    best = ranked[0]
    text = _("For {dates}, {city} is the most comfortable of {home}'s sister cities ({index} {score}, {label})").format(
        dates=dates, city=local_name(best.city, lang), home=home, index=res.index.short,
        score=i18n.number(best.score, lang), label=words(best.label, lang))
    if res.home_score is not None:
        text += _(" — at home {score}.").format(score=i18n.number(res.home_score, lang))
    else:
        text += "."
    return text
