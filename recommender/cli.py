"""Command line: `python -m recommender --help`.

Errors a user can cause (unknown city, bad option, no network, damaged files) print one line
starting with "error:" and exit with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import errno
import logging
import os
import sys

from .errors import RecommenderError, shown


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: same form as ours
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _cmd_cities(args) -> int:
    from .atlas import load_cities, load_names, load_pairs

    from .options import NO_SEARCH_TEXT, parse_country, search_key
    from .present.safe_text import terminal

    cities = load_cities()
    iso = parse_country(args.country, known=cities["country"])
    names = load_names()
    native_of = names.groupby("city_id", sort=False)["name"].agg(" ".join)
    if args.search is not None:
        from .places.names import normalize_name

        key = search_key(args.search)
        if key is None:       # "!!!", "   ", "-": no city, and why (not every city, not an error)
            print(f"{shown(args.search)}: {NO_SEARCH_TEXT}", file=sys.stderr)
            return 0
        cities = cities[cities["name"].map(normalize_name).str.contains(key, regex=False)
                        | cities["city_id"].str.contains(key.replace(" ", "-"), regex=False)]
    if iso:
        cities = cities[cities["country"] == iso]
    if cities.empty:        # said, not an empty screen (a search, or a country, that finds no city)
        where = f" in {iso}" if iso else ""
        what = f"matches {shown(args.search)}{where}" if args.search is not None else f"is{where}"
        print(f"no city of the registry {what}; give part of a city's name or id.", file=sys.stderr)
        return 0
    pairs = load_pairs()
    n = pairs["city_a"].value_counts().add(pairs["city_b"].value_counts(), fill_value=0)
    for r in cities.itertuples():
        native = native_of.get(r.city_id, "")
        clim = "climate" if r.has_climate else "no climate"
        print(terminal(f"{r.city_id:28} {r.name} ({r.country}) {native}  [{int(n.get(r.city_id, 0))} sisters, {clim}]"))
    return 0


def _cmd_build(args) -> int:
    from pathlib import Path

    from .pipelines.build_atlas import run

    return run(Path(args.shared) if args.shared else None, Path(args.out) if args.out else None, tuple(args.without))


def _cmd_refresh(args) -> int:
    from .pipelines.refresh import refresh

    logging.basicConfig(level=logging.ERROR)
    cities = list(args.city or [])
    if args.country:
        from .atlas import load_cities
        from .options import parse_country

        registry = load_cities()
        for c in args.country:
            iso = parse_country(c, known=registry["country"])
            ids = registry.loc[(registry["country"] == iso) & (registry["station_ids"] != ""), "city_id"].tolist()
            if not ids:
                raise RecommenderError(f"No city of the registry in {iso} has a Meteostat station nearby.")
            cities += ids
    summary = refresh(cities or None, start=args.start, end=args.end, workers=args.workers,
                      timeout_s=args.timeout, progress=not args.quiet, city_deadline_s=args.city_deadline,
                      deadline_s=args.deadline)
    print(_terminal_lines(summary.text()))
    if summary.saved and not args.no_prepare:   # the next command and every new worker start warm
        from .recommend import default_recommender

        try:
            default_recommender()
        except RecommenderError:
            pass            # the next command says what is wrong with the atlas
    return 0 if not summary.failed else (1 if summary.saved else 2)


def _band(text: str | None):
    """'18-24' (or '-5-10', '18–24') → (18.0, 24.0); None when not given (options.parse_band)."""
    from .options import parse_band

    return parse_band(text)


def _country(text: str | None) -> str | None:
    """'pk' or 'Pakistan' → 'PK', a country of the registry; None when not given (options.parse_country)."""
    from .options import parse_country

    return parse_country(text)


def _emit(obj: dict, fmt: str, table_rows: list[dict], header: str, footer: str = "") -> None:
    import csv

    from .present.safe_text import CSV_LINE_END, csv_cell, json_text, terminal

    if fmt == "json":      # names stay readable; what a terminal would act on is a \\u escape
        print(json_text(obj, indent=2))
        return

    if fmt == "csv":       # names are data: no cell a spreadsheet would run as a formula, no row a name ends
        if table_rows:
            # read by a person on a terminal: no control character reaches it; into a file or a pipe: exact
            shown = terminal if _is_terminal(sys.stdout) else (lambda v: v)
            w = csv.DictWriter(sys.stdout, fieldnames=list(table_rows[0]), lineterminator=CSV_LINE_END)
            w.writeheader()
            w.writerows({k: shown(c) if isinstance(c := csv_cell(v), str) else c for k, v in r.items()}
                        for r in table_rows)
        return
    # names are data: no control character (CR, LF, ESC, a bidi override) reaches the terminal
    print(_terminal_lines(header))
    if not table_rows:
        print("  (nothing to show)")
        return
    cols = list(table_rows[0])
    cells = [{c: terminal(r[c]) for c in cols} for r in table_rows]
    width = {c: max(len(terminal(c)), *(len(r[c]) for r in cells)) for c in cols}
    print("  " + "  ".join(terminal(c).ljust(width[c]) for c in cols))
    for r in cells:
        print("  " + "  ".join(r[c].ljust(width[c]) for c in cols))
    if footer:
        print(_terminal_lines(footer))


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):      # a closed or foreign stream
        return False


def _terminal_lines(text: str) -> str:
    """Text of several lines for the terminal: each line through safe_text.terminal (our own line
    breaks kept, any control character inside a line replaced)."""
    from .present.safe_text import terminal

    return "\n".join(terminal(line) for line in str(text).split("\n"))


def _line(text) -> str:
    """Data text (a name, a sentence with names) as one line for the terminal: safe_text.terminal."""
    from .present.safe_text import terminal

    return terminal(text)


def _fmt_score(x) -> str:
    return "—" if x is None or x != x else f"{x:.0f}"


def _confidence_columns(c, fmt: str) -> dict:
    """The confidence columns of a CLI row: codes in CSV (grade, reason), the badge in a table."""
    from .present import text

    if fmt == "csv":
        return {"confidence": c.grade if c else "", "confidence_reason": c.reason if c else ""}
    return {"confidence": text.confidence_badge(c)}


def _cmd_recommend(args) -> int:
    from .climate.calendar import parse_month
    from .present import text
    from .present.documents import document
    from .recommend import recommend

    month, band, country = parse_month(args.month), _band(args.band), _country(args.country)
    res = recommend(args.home, month, style=args.style, comfort_band=band, country=country,
                    second_degree=args.second_degree)
    rows = [{"rank": k + 1, "city": p.city.name, "id": p.city.id, "country": p.city.country,
             "score": _fmt_score(p.score), "label": text.label_text(p.label),
             "delta": "—" if p.delta is None else f"{p.delta:+.0f}",
             "window": ";".join(map(str, p.window)) if args.format == "csv" else text.months_text(p.windows),
             "reasons": "; ".join(text.reasons_text(p)), "coverage": f"{p.coverage:.0%}",
             **_confidence_columns(p.confidence, args.format),
             "flags": " ".join(p.flags) if args.format == "csv" else text.flags_cell(p)}
            for k, p in enumerate(res.partners)]
    h = res.home
    home_grade = f", confidence {text.confidence_badge(res.home_confidence)}" if res.home_confidence else ""
    header = (f"{text.month_name(month)} from {_line(h.name)} ({_line(h.country)}), {res.index.name} on {text.basis(res.index)}.\n"
              f"At home {_fmt_score(res.home_score)} ({text.label_text(res.home_label)}{home_grade}). "
              "Sister cities, most comfortable first:")
    _emit(document(res), args.format, rows, header, _line(text.flag_caption(res)))
    return 0


def _cmd_profile(args) -> int:
    from .present import text
    from .present.documents import document
    from .recommend import profile

    res = profile(args.city, style=args.style, comfort_band=_band(args.band), daily=args.daily)
    rows = [{"month": text.month_name(m.month)[:3] if args.format == "table" else m.month, "score": _fmt_score(m.score),
             "label": m.label, **{k: ("—" if v is None else f"{v:g}") for k, v in m.components.items()},
             "gate": m.gate, "coverage": f"{m.coverage:.0%}", **_confidence_columns(m.confidence, args.format),
             "flags": " ".join(m.flags) if args.format == "csv" else "; ".join(text.flags_text(m.flags, m.flag_values))}
            for m in res.months]
    doc = document(res)
    c = res.city
    _emit(doc, args.format, rows, f"{_line(c.name)} ({_line(c.country)}), {res.index.name}: season type {doc['season_type']}")
    return 0


def _cmd_windows(args) -> int:
    from .present import text
    from .present.documents import document
    from .options import check_distinct
    from .recommend import default_recommender

    rec, band = default_recommender(), _band(args.band)
    home, partner = rec.city(args.home), rec.city(args.partner)
    check_distinct(home, partner, "--partner", "--home")
    res = rec.exchange(home, partner, style=args.style, comfort_band=band, year=args.year)
    a, b = res.a, res.b
    doc = document(res)
    dates = {k: ", ".join(f"{d['from']} – {d['to']}" for d in doc[f"{k}_dates"]) or "—" for k in ("a_to_b", "b_to_a")}
    best = {k: "—" if v is None else f"{v['from']} – {v['to']} ({v['score']:g})" for k, v in doc["best_fortnight"].items()}
    rows = [{"direction": f"{a.name} → {b.name}", "months": text.months_text(res.a_to_b), "dates": dates["a_to_b"],
             "best fortnight": best["a_to_b"]},
            {"direction": f"{b.name} → {a.name}", "months": text.months_text(res.b_to_a), "dates": dates["b_to_a"],
             "best fortnight": best["b_to_a"]}]
    if args.format == "csv":
        rows = [{"from": a.id, "to": b.id, "months": ";".join(str(m) for r in res.a_to_b for m in r),
                 "dates": ";".join(f"{d['from']}/{d['to']}" for d in doc["a_to_b_dates"])},
                {"from": b.id, "to": a.id, "months": ";".join(str(m) for r in res.b_to_a for m in r),
                 "dates": ";".join(f"{d['from']}/{d['to']}" for d in doc["b_to_a_dates"])}]
    note = "" if res.sister_cities else " (not sister cities)"
    fits = [_line(f"  {h['from']} – {h['to']} {h['country']} {h['name']}{' (estimated)' if h['estimated'] else ''}: "
            f"{'in' if h['in_window'] else 'outside'} the window {a.name if h['direction'] == 'a_to_b' else b.name} → "
            f"{b.name if h['direction'] == 'a_to_b' else a.name}") for h in doc["holidays"]]
    footer = ("Holiday breaks " + f"{doc['period']['from']} – {doc['period']['to']}:\n" + "\n".join(fits)) if fits else ""
    _emit(doc, args.format, rows, f"When to visit, {res.index.name}{note}:", footer)
    return 0


def _date(text: str):
    from .options import parse_date

    return parse_date(text)


def _cmd_plan(args) -> int:
    from .present import text
    from .present.documents import document
    from .recommend import plan

    res = plan(args.home, _date(args.start), _date(args.end), style=args.style, comfort_band=_band(args.band),
               country=_country(args.country), second_degree=args.second_degree)
    doc = document(res)
    rows = [{"city": p["name"], "country": p["country"], "score": _fmt_score(p["score"]), "label": p["label"],
             "vs home": "—" if p["delta"] is None else f"{p['delta']:+g}"} for p in doc["partners"]]
    home = res.recommendation
    _emit(doc, args.format, rows, f"{_line(home.home.name)} {doc['from']} – {doc['to']}, {home.index.name}: "
          f"home {_fmt_score(home.home_score)}; sister cities by their mean daily score over those days:", _line(text.flag_caption(home)))
    return 0


def _cmd_pairs(args) -> int:
    from .present import text
    from .present.documents import document
    from .options import parse_limit
    from .recommend import pair_ranking

    band, country, limit = _band(args.band), _country(args.country), parse_limit(args.limit)
    res = pair_ranking(style=args.style, comfort_band=band, country=country, city=args.city, sort=args.sort, limit=limit)
    pairs = res.pairs
    rows = text.exchange_rows(pairs)
    if args.format == "csv":
        rows = [{"a": p.a.id, "b": p.b.id, "a_to_b": ";".join(str(m) for r in p.a_to_b for m in r),
                 "b_to_a": ";".join(str(m) for r in p.b_to_a for m in r), "a_months": p.a_months, "b_months": p.b_months,
                 "complementarity": p.complementarity, "two_way": p.two_way} for p in pairs]
    _emit(document(res), args.format, rows,
          f"Sister-city pairs by exchange potential ({res.index.name}), {res.total:,} pairs:")
    return 0


def _cmd_about(args) -> int:
    import textwrap

    from .present import text

    def fill(t: str) -> str:  # keep "40 %" and "sister-city-visualizer" whole
        return textwrap.fill(t.replace(" %", "\u00a0%"), 100, break_on_hyphens=False).replace("\u00a0", " ")

    method, sources = text.method_paragraphs(), text.sources_paragraph()   # all of it, or an error and nothing
    print("How comfort is scored\n")
    for paragraph in method:
        print(fill(paragraph) + "\n")
    print("Data sources\n")
    print(fill(sources))
    return 0


def _scoring_options(p) -> None:
    from .comfort.indices import styles

    choices = styles()
    p.add_argument("--style", default="urban", choices=list(choices),
                   help="trip style: " + ", ".join(f"{s} ({i.name}{', default' if s == 'urban' else ''})"
                                                   for s, i in choices.items()))
    p.add_argument("--band", metavar="LOW-HIGH", help="personal comfort band of afternoon feels-like °C, e.g. 18-24")
    p.add_argument("--format", default="table", choices=["table", "json", "csv"], help="output format (default table)")


def build_parser() -> argparse.ArgumentParser:
    from .options import PAIRS_LIMIT_MAX

    p = _Parser(prog="python -m recommender", description="Seasonal travel recommender for sister cities.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    rc = sub.add_parser("recommend", help="rank a home city's sister cities for a month")
    rc.add_argument("--home", required=True, help="city id, name or ASCII name")
    rc.add_argument("--month", required=True, help="1–12 or a month name")
    rc.add_argument("--country", help="only partners in this country (ISO code or name)")
    rc.add_argument("--second-degree", action="store_true", help="include sisters of sisters")
    _scoring_options(rc)
    rc.set_defaults(func=_cmd_recommend)
    pr = sub.add_parser("profile", help="twelve months of comfort for one city")
    pr.add_argument("--city", required=True, help="city id, name or ASCII name")
    pr.add_argument("--daily", action="store_true", help="add the 365 days of the daily climatology and their scores (json)")
    _scoring_options(pr)
    pr.set_defaults(func=_cmd_profile)
    wi = sub.add_parser("windows", help="when each side of a pair should visit the other")
    wi.add_argument("--home", required=True, help="city A")
    wi.add_argument("--partner", required=True, help="city B")
    wi.add_argument("--year", type=int, help="holiday breaks of this calendar year (default: the next 12 months)")
    _scoring_options(wi)
    wi.set_defaults(func=_cmd_windows)
    pl = sub.add_parser("plan", help="rank a home city's sister cities for a span of dates")
    pl.add_argument("--home", required=True, help="city id, name or ASCII name")
    pl.add_argument("--from", dest="start", required=True, metavar="YYYY-MM-DD", help="first day")
    pl.add_argument("--to", dest="end", required=True, metavar="YYYY-MM-DD", help="last day (inclusive)")
    pl.add_argument("--country", help="only partners in this country (ISO code or name)")
    pl.add_argument("--second-degree", action="store_true", help="include sisters of sisters")
    _scoring_options(pl)
    pl.set_defaults(func=_cmd_plan)
    c = sub.add_parser("cities", help="list the cities of the registry (search by name or country)")
    c.add_argument("search", nargs="?", help="part of a city name")
    c.add_argument("--country", help="ISO 3166 alpha-2 code, e.g. PK")
    c.set_defaults(func=_cmd_cities)
    pa = sub.add_parser("pairs", help="rank sister-city pairs by two-way exchange potential")
    pa.add_argument("--country", help="pairs with a city in this country (ISO code or name); that city is A")
    pa.add_argument("--city", help="the pairs of one city (id or name); it is A")
    pa.add_argument("--sort", default="exchange", choices=["exchange", "complementarity", "name"],
                    help="exchange (default: two-way first, then the months covered, the shorter window, "
                         "complementarity), complementarity or name")
    pa.add_argument("--limit", metavar="N", help=f"at most this many pairs (1–{PAIRS_LIMIT_MAX}, default all)")
    _scoring_options(pa)
    pa.set_defaults(func=_cmd_pairs)
    ab = sub.add_parser("about", help="how comfort is scored and where the data come from")
    ab.set_defaults(func=_cmd_about)
    b = sub.add_parser("build-atlas", help="rebuild data/ from the raw public data sets in ../shared/data")
    b.add_argument("--shared", help="raw data folder (default ../shared/data)")
    b.add_argument("--out", help="output folder (default data/)")
    b.add_argument("--without", action="append", choices=["cru", "worldclim"], default=[],
                   help="leave a gridded climatology out (repeatable): WorldClim 1.4 forbids redistribution without "
                        "permission, CRU CL 2.0 states no licence (data/README.md)")
    b.set_defaults(func=_cmd_build)
    r = sub.add_parser("refresh", help="fetch normals from Meteostat into the local store")
    r.add_argument("--city", action="append", metavar="ID", help="city id or name (repeatable)")
    r.add_argument("--country", action="append", metavar="CC",
                   help="every registry city of a country with a station nearby, e.g. FR (repeatable); "
                        "without --city or --country: every city with a station nearby")
    r.add_argument("--start", type=int, default=1991, help="first year of the period (default 1991)")
    r.add_argument("--end", type=int, default=2020, help="last year of the period (default 2020)")
    r.add_argument("--workers", type=int, default=4, help="cities fetched at once (1–8, default 4)")
    r.add_argument("--timeout", type=int, default=20, help="seconds per network read of meteostat's own downloads "
                   "(1–600, default 20)")
    r.add_argument("--city-deadline", type=float, default=120.0, metavar="SECONDS",
                   help="wall-clock limit for one city, reads in progress included (1–3600, default 120)")
    r.add_argument("--deadline", type=float, default=1800.0, metavar="SECONDS",
                   help="wall-clock limit for the whole run (1–86400, default 1800)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument("--no-prepare", action="store_true",
                   help="do not prepare the scored atlas for the next commands afterwards (≈ 6 s; "
                        "a batch of refreshes can skip it until the last)")
    r.set_defaults(func=_cmd_refresh)
    api = sub.add_parser("api", help="serve the JSON documents over HTTP (FastAPI; OpenAPI docs at /docs)")
    api.add_argument("--port", type=_port, default=8000, help="TCP port (default 8000)")
    api.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    api.add_argument("--workers", type=int, default=1, choices=range(1, 17), metavar="N",
                     help="processes sharing the port (1–16, default 1)")
    api.add_argument("--root-path", default="", help="the prefix a proxy serves it under, e.g. /api")
    api.set_defaults(func=_cmd_api)
    pp = sub.add_parser("prepare", help="prepare the scored atlas every process reads at start (recommender/prepared.py)")
    pp.set_defaults(func=_cmd_prepare)
    sv = sub.add_parser("serve", help="N dashboard and API workers behind HAProxy (scripts/serve.sh); Ctrl-C stops all")
    sv.add_argument("--workers", type=int, default=2, choices=range(1, 17), metavar="N",
                    help="dashboard workers (1–16, default 2); as many API workers unless --api-workers")
    sv.add_argument("--api-workers", type=int, choices=range(0, 17), metavar="N", help="API workers (0–16)")
    sv.add_argument("--port", type=_port, default=8501, help="HAProxy's port (default 8501)")
    sv.add_argument("--host", default="127.0.0.1", help="HAProxy's address (default 127.0.0.1; 0.0.0.0 in a container)")
    sv.add_argument("--run-dir", help="folder for HAProxy's configuration, the workers' logs and workers.tsv "
                                      "(default: a new temporary folder)")
    sv.set_defaults(func=_cmd_serve)
    return p


def _port(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 1–65535; got {shown(text)}")
    return int(text)


def _cmd_prepare(args) -> int:
    import time

    from . import prepared
    from .recommend import Recommender

    t = time.perf_counter()
    path = prepared.cache_dir() / (prepared.key() + prepared.SUFFIX)
    had = path.exists()
    prepared.recommender(Recommender)
    print(f"{'already prepared' if had else 'prepared'}: {path} ({time.perf_counter() - t:.1f} s)")
    return 0


def _cmd_serve(args) -> int:
    from pathlib import Path

    from .serve import Supervisor

    return Supervisor(args.workers, args.port, args.host, args.api_workers,
                      Path(args.run_dir) if args.run_dir else None).run()


def _cmd_api(args) -> int:
    from .api import serve

    serve(port=args.port, host=args.host, workers=args.workers, root_path=args.root_path)
    return 0


def _escape_unencodable(exc: UnicodeEncodeError):
    """Characters the output's encoding lacks (PYTHONIOENCODING=ascii, a Latin-1 terminal) as
    \\uXXXX escapes: readable in a table, and still valid JSON (backslashreplace's \\xNN is not)."""
    text = exc.object[exc.start:exc.end]
    out = []
    for ch in text:
        cp = ord(ch)
        if cp > 0xFFFF:        # a UTF-16 pair, as JSON writes it
            cp -= 0x10000
            out.append(f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}")
        else:
            out.append(f"\\u{cp:04x}")
    return "".join(out), exc.end


def _prepare_stdout() -> bool:
    """Make stdout safe to print to: unencodable characters escaped (never a UnicodeEncodeError).
    False when there is no stdout at all (`>&-`: Python then has sys.stdout None)."""
    import codecs

    out = sys.stdout
    if out is None:
        return False
    try:
        codecs.lookup_error("recommender-escape")
    except LookupError:
        codecs.register_error("recommender-escape", _escape_unencodable)
    if getattr(out, "errors", None) == "strict" and hasattr(out, "reconfigure"):
        try:
            out.reconfigure(errors="recommender-escape")
        except (ValueError, OSError):      # a closed or detached stream: writing to it fails (and is handled) later
            pass
    return True


# Options whose value may start with "-" (a band below 0 °C: "--band -5-10"); argparse takes such a
# value for an option and says "expected one argument" instead of the option's own error.
_MAY_START_WITH_MINUS = ("--band",)


def _negative_values_joined(argv: list[str]) -> list[str]:
    """["--band", "-5-10"] → ["--band=-5-10"], so the value reaches its parser."""
    out, i = [], 0
    while i < len(argv):
        if argv[i] in _MAY_START_WITH_MINUS and i + 1 < len(argv) and argv[i + 1][:1] == "-" \
                and argv[i + 1][1:2].isdigit():
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
            continue
        out.append(argv[i])
        i += 1
    return out


class _WarningLines(logging.Handler):
    """The package's own log warnings (the prepared cache unreadable or not kept, …) as the CLI's
    `warning:` lines on stderr, one line each, safe for a terminal."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(f"warning: {_terminal_lines(' '.join(record.getMessage().split()))}", file=sys.stderr)
        except Exception:             # a closed or full stderr: a warning is never worth a traceback
            pass


def _log_as_warning_lines() -> None:
    log = logging.getLogger("recommender")
    if not any(isinstance(h, _WarningLines) for h in log.handlers):
        log.addHandler(_WarningLines(logging.WARNING))
        log.propagate = False


def main(argv: list[str] | None = None) -> int:
    if not _prepare_stdout():
        print("error: cannot write the output: standard output is closed; give it a file or a pipe.", file=sys.stderr)
        return 2
    _log_as_warning_lines()
    parser = build_parser()
    args = parser.parse_args(_negative_values_joined(sys.argv[1:] if argv is None else argv))
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        code = args.func(args)
        _print_atlas_warnings()
        sys.stdout.flush()
        return code
    except RecommenderError as exc:
        print(f"error: {_terminal_lines(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing partial was written.", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # the reader went away (`| head -1`): stop quietly; keep the interpreter from complaining at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except OSError as exc:
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EBADF):   # EBADF: stdout opened read-only
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            print(f"error: cannot write the output: {exc.strerror}.", file=sys.stderr)
            return 2
        return _internal_error(exc)
    except Exception as exc:  # a bug: one line for the user, the traceback only when asked for
        return _internal_error(exc)


def _print_atlas_warnings() -> None:
    """What the atlas this command used left out and why (a damaged or invalid refreshed city),
    one `warning:` line each on stderr, as the dashboard shows them on its pages."""
    module = sys.modules.get(f"{__package__}.recommend")    # loaded only by commands that used the atlas
    if module is not None and module._default is not None:
        for w in module._default[1].warnings():
            print(f"warning: {_terminal_lines(w)}", file=sys.stderr)


def _internal_error(exc: BaseException) -> int:
    if os.environ.get("RECOMMENDER_DEBUG"):
        raise exc
    print(f"error: internal error ({type(exc).__name__}: {shown(exc, 200)}); this is a bug, please report it "
          "(set RECOMMENDER_DEBUG=1 to see the traceback).", file=sys.stderr)
    return 3


def entry() -> None:
    """The `recommender` console script (pyproject.toml): `main()`'s status as the exit status;
    Ctrl-C while it runs is one line and status 130, as with `python -m recommender`."""
    try:
        code = main()
    except KeyboardInterrupt:
        print("interrupted; nothing partial was written.", file=sys.stderr)
        code = 130
    raise SystemExit(code)
