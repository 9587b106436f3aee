"""Command line: `python -m recommender --help`.

Errors a user can cause (unknown city, bad option, no network, damaged files) print one line
starting with "error:" and exit with status 2; no traceback.
"""

from __future__ import annotations

import argparse
import logging
import sys

from .errors import RecommenderError


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's own errors: same form as ours
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def _cmd_cities(args) -> int:
    from .atlas import load_cities, load_pairs

    cities = load_cities()
    if args.search:
        from .gazetteer import normalize_name

        key = normalize_name(args.search)
        cities = cities[cities["name"].map(normalize_name).str.contains(key, regex=False)
                        | cities["city_id"].str.contains(key.replace(" ", "-"), regex=False)]
    if args.country:
        cities = cities[cities["country"] == args.country.upper()]
    pairs = load_pairs()
    n = pairs["city_a"].value_counts().add(pairs["city_b"].value_counts(), fill_value=0)
    for r in cities.itertuples():
        native = " ".join(x for x in (r.name_zh, r.name_ur) if x)
        clim = "climate" if r.has_climate else "no climate"
        print(f"{r.city_id:28} {r.name} ({r.country}) {native}  [{int(n.get(r.city_id, 0))} sisters, {clim}]")
    return 0


def _cmd_build(args) -> int:
    from .build_atlas import main as build_main

    argv = []
    if args.shared:
        argv += ["--shared", str(args.shared)]
    if args.out:
        argv += ["--out", str(args.out)]
    return build_main(argv)


def _cmd_refresh(args) -> int:
    from .refresh import refresh

    logging.basicConfig(level=logging.ERROR)
    summary = refresh(args.city or None, start=args.start, end=args.end, workers=args.workers,
                      timeout_s=args.timeout, progress=not args.quiet)
    print(summary.text())
    return 0 if not summary.failed else (1 if summary.saved else 2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m recommender", description="Seasonal travel recommender for sister cities.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    c = sub.add_parser("cities", help="list the cities of the registry (search by name or country)")
    c.add_argument("search", nargs="?", help="part of a city name")
    c.add_argument("--country", help="ISO 3166 alpha-2 code, e.g. PK")
    c.set_defaults(func=_cmd_cities)
    b = sub.add_parser("build-atlas", help="rebuild data/ from the raw public data sets in ../shared/data")
    b.add_argument("--shared", help="raw data folder (default ../shared/data)")
    b.add_argument("--out", help="output folder (default data/)")
    b.set_defaults(func=_cmd_build)
    r = sub.add_parser("refresh", help="fetch normals from Meteostat into the local store")
    r.add_argument("--city", action="append", metavar="ID", help="city id or name (repeatable; default all)")
    r.add_argument("--start", type=int, default=1991, help="first year of the period (default 1991)")
    r.add_argument("--end", type=int, default=2020, help="last year of the period (default 2020)")
    r.add_argument("--workers", type=int, default=4, help="cities fetched at once (default 4, max 8)")
    r.add_argument("--timeout", type=int, default=20, help="seconds per network read (default 20)")
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.set_defaults(func=_cmd_refresh)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return args.func(args)
    except RecommenderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; nothing partial was written.", file=sys.stderr)
        return 130
