"""Validation against published and common knowledge, chosen before any tuning of the scoring
(issue 9) and kept whole: each case names its source. A case the current model gets wrong is
marked xfail(strict=True) with the reason — it fails the suite the day the model gets it right
without the mark being lifted, so no case can be quietly dropped.

Best-travel seasons (sightseeing: HCI:Urban): the mean score of the months a travel source
recommends must exceed the mean of the months it advises against. Sources were read in the
search tool's stored copies of the pages (2026-11-28).
"""

import numpy as np
import pytest

from recommender.recommend import Recommender

# city id: (months recommended, months advised against, source)
SEASONS = {
    # Asia
    "karachi": ([12, 1], [5, 6, 7, 8], "https://www.tripreport.com/cities/karachi/climate "
                "(December and January the best months; hot summer, monsoon July–August)"),
    "dubai": ([11, 12, 1, 2, 3], [6, 7, 8, 9], "http://www.thatsdubai.com/dubai-weather.html "
              "(November to April best; June to October 35–40 °C)"),
    "new-delhi": ([10, 11, 12, 1, 2, 3], [5, 6, 7, 8], "https://www.afar.com/travel-guides/india/new-delhi/guide "
                  "(October to March; April to September hot and muggy)"),
    "bangkok": ([11, 12, 1, 2], [4, 5, 8, 9], "https://www.tatnews.org/2020/11/thailands-comfortable-cooler-months-of-"
                "november-february-are-a-fantastic-time-to-travel/ (November–February; hot March–May, rains to October)"),
    "beijing": ([4, 5, 9, 10], [1, 7], "https://deepchinatravel.com/beijing-travel/what-are-the-best-times-to-visit-"
                "beijing.html (April–May and September–October; summer heat and biting winter cold)"),
    "tokyo": ([4, 5, 10, 11], [8], "https://www.roughguides.com/destinations/asia/japan/tokyo/best-time-to-visit/ "
              "(April to early May, October and November; avoid the steamy height of summer)"),
    # Europe
    "moscow": ([5, 6, 7, 8, 9], [11, 12, 1, 2, 3], "https://www.fodors.com/world/europe/russia/moscow/travel-tips/"
               "when-to-go-2640341 (May to September; October to April rain and snow)"),
    # Africa
    "cairo": ([11, 12, 1, 2, 3], [6, 7, 8], "https://www.tripreport.com/cities/cairo/climate "
              "(November to April; very hot summer May to October)"),
    "marrakesh": ([3, 4, 5, 9, 10, 11], [6, 7, 8], "http://away.com/destinations/best-time-to-visit-marrakesh-wp-"
                  "cid4240-sidwcmdev_157793.html (spring nicest, autumn nearly; June–August suffocating heat)"),
    "cape-town": ([10, 11, 2, 3], [6, 7], "https://www.roughguides.com/destinations/africa/south-africa/cape-town-"
                  "and-the-cape-peninsula/best-time-to-visit/ (October to mid-December, mid-January to Easter; "
                  "heavy rain June and July)"),
    # North America
    "chicago": ([6, 7, 8, 9], [12, 1, 2], "https://www.travelandleisure.com/travel-guide/chicago "
                "(June to September; freezing winters)"),
    "phoenix": ([12, 1, 2, 3, 4], [6, 7, 8], "https://www.tripsavvy.com/best-time-to-visit-phoenix-4691879 "
                "(December to May; summer up to 110 °F)"),
}
# Cases the model gets wrong, with the reason (none at the moment; Tokyo was, until wet days were
# brought to one threshold and summers penalised smoothly — its margin is still narrow).
KNOWN_WRONG: dict[str, str] = {}


@pytest.fixture(scope="module")
def urban(atlas):
    rec = Recommender(atlas)
    return rec, rec.scored("urban")


@pytest.mark.parametrize("city", [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason=KNOWN_WRONG[c]))
                                  if c in KNOWN_WRONG else c for c in SEASONS])
def test_recommended_months_score_above_the_months_to_avoid(urban, city):
    rec, sc = urban
    good, bad, source = SEASONS[city]
    s = sc.series(rec.city(city))
    assert s is not None, f"{city} has no climate data"
    g, b = np.mean(s[[m - 1 for m in good]]), np.mean(s[[m - 1 for m in bad]])
    assert g > b, f"{city}: recommended months {g:.1f} vs avoided {b:.1f} ({source})"


def test_the_cases_span_four_continents():
    continents = {"karachi": "Asia", "dubai": "Asia", "new-delhi": "Asia", "bangkok": "Asia", "beijing": "Asia",
                  "tokyo": "Asia", "moscow": "Europe", "cairo": "Africa", "marrakesh": "Africa",
                  "cape-town": "Africa", "chicago": "North America", "phoenix": "North America"}
    assert set(continents) == set(SEASONS) and len(set(continents.values())) >= 4 and len(SEASONS) >= 12


def test_southern_europe_has_the_better_climate_resources(atlas):
    """Perch-Nielsen, Amelung & Knutti (2010), Future climate resources for tourism in Europe based on
    the daily Tourism Climatic Index, Climatic Change 103:363–381: "Currently, climate resources are
    best in Southern Europe and deteriorate with increasing latitude" — the annual TCI of Athens,
    Rome and Madrid above Bergen's."""
    rec = Recommender(atlas)
    sc = rec.scored("tci")
    north = np.mean(sc.series("bergen"))
    for south in ("athens", "rome", "madrid"):
        assert np.mean(sc.series(south)) > north, south


def test_the_mediterranean_summer_is_its_tourism_season(atlas):
    """Amelung & Viner (2006), Mediterranean tourism: exploring the future with the Tourism Climatic
    Index, J. Sustainable Tourism 14(4):349–366: the region's ~100 million visitors a year come
    largely for its favourable (summer) climate, which in the baseline climate peaks in summer —
    July above January in Palma (the paper's Balearic case study) under TCI."""
    rec = Recommender(atlas)
    s = rec.scored("tci").series("palma")
    assert s[6] > s[0]


# ---------------------------------------------------------------- issue 17: heat and missing thermal parts
# Gulf and desert summers (city: the months of very strong heat, the recommended months, source). A
# typical afternoon in UTCI "very strong heat stress" (≥ 38 °C, Bröde et al. 2012) is no holiday
# weather for any trip style: before issue 17 the beach index rated Doha's September 95, Abu Dhabi's
# June 94, Kuwait City's October 94, Luxor's July 92, Las Vegas's August 94.
HOT_SUMMERS = {
    "doha": ([6, 7, 8, 9], [11, 12, 1, 2, 3], "https://tripreport.com/cities/doha/climate (best November to March; "
             "summer up to 40 °C and above); http://www.irhal.com/Qatar/Doha/City-Information/When-to-go.html (May "
             "to September highs in the mid 40s, \"and it's not a dry heat either\")"),
    "abu-dhabi": ([6, 7, 8], [11, 12, 1, 2, 3], "same Gulf coast climate as Doha and Dubai (the Dubai case above)"),
    "kuwait-city": ([6, 7, 8, 9], [11, 12, 1, 2, 3], "same Gulf climate; the Gulf's hottest summers"),
    "luxor": ([6, 7, 8], [11, 12, 1, 2], "the Cairo case above (very hot summer May to October), hotter inland"),
    "las-vegas": ([7, 8], [3, 4, 5, 10], "the Phoenix case above (summer up to 110 °F), the same desert"),
}


@pytest.mark.parametrize("city", sorted(HOT_SUMMERS))
def test_desert_summers_are_never_excellent_and_score_below_their_season(atlas, city):
    rec = Recommender(atlas)
    hot, season, source = HOT_SUMMERS[city]
    for style in ("urban", "beach", "tci"):
        s = rec.scored(style).series(city)
        assert np.max(s[[m - 1 for m in hot]]) < 80, (city, style, source)
        assert np.mean(s[[m - 1 for m in season]]) > np.mean(s[[m - 1 for m in hot]]) + 20, (city, style, source)


def test_nordkapp_is_a_summer_destination(atlas):
    """https://www.worldtravelguides.info/north-cape-trip-midnight-sun-northern-lights-tourism/: "the best
    times to visit the North Cape in Norway are between the months of June and August" (Arctic climate,
    snow most of the year). Nordkapp has no humidity data: scored on rain and sky alone its January
    (afternoons −7 °C, nights −17 °C at its gridded point) was 'acceptable' 54.5; now its humidity is estimated from the
    night minimum and its cold counts, under every index."""
    rec = Recommender(atlas)
    for style in ("urban", "beach", "tci"):
        s = rec.scored(style).series("nordkapp")
        assert s[0] < 40 and np.mean(s[[5, 6, 7]]) > np.mean(s[[11, 0, 1]]) + 20, style


def test_lhasa_is_visited_from_april_to_october(atlas):
    """https://asiaexperiences.com/weather-in-tibet/: "The period from April to October is the best time
    to visit Tibet, avoiding the coldest months from December to February"; likewise
    http://cots.com.cn/about-tibet/climate.htm ("The best season for touring in Tibet is from April to
    October"). Lhasa lies at 3,650 m; its winter afternoons are sunny but cold (about 7 °C) and its
    nights well below freezing."""
    rec = Recommender(atlas)
    for style in ("urban", "tci"):
        s = rec.scored(style).series("lhasa")
        assert np.mean(s[3:10]) > np.mean(s[[11, 0, 1]]), style
