"""The JSON API: the CLI's documents over HTTP (FastAPI on uvicorn), for a city's web site to embed.

    python -m recommender api --port 8000        # then http://127.0.0.1:8000/docs

Every answer is the same JSON document the CLI's `--format json` prints (present/documents.py,
one serializer); `/v1/calendar.ics` is the dashboard's calendar export. Bad input is a 4xx JSON
error naming the parameter, `{"error": {"parameter": "home", "message": "…"}}` (400 for a value
that cannot be understood, 404 for a city that is not in the registry), never a 500 or a
traceback. Answers carry an `ETag` (from the atlas version, the day, the path and the query) and
`Cache-Control`; `If-None-Match` gets a 304. CORS is open for GET, so any site can embed the
answers. Documents are cached in the process (an LRU of the serialized bytes), so a repeated
question costs a dictionary lookup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import OrderedDict
from functools import lru_cache
from threading import Lock
from enum import Enum
from typing import Literal

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from .atlas import atlas_version
from .comfort.indices import styles
from .errors import AtlasError, RecommenderError, UnknownCityError
from .options import CITIES_LIMIT_MAX, LIMIT_MIN, PAIRS_LIMIT_MAX, check_distinct
from .present.safe_text import json_text
from .recommend import default_recommender

VERSION = "v1"
MAX_AGE_S = 3600          # an answer changes only with the atlas (ETag) or the day (holiday breaks)
CACHE_ENTRIES = 4096
CACHE_MAX_BODY = 512 * 1024   # bytes: a larger answer (all pairs) is built again rather than kept (≤ 2 GB a worker)
PARAMETERS = {"q", "country", "limit", "home", "month", "style", "band", "second_degree", "lang", "city", "daily",
              "a", "b", "year", "from", "to", "sort"}
Style = Enum("Style", {k: k for k in styles()}, type=str)     # the trip styles, as declared


class ApiError(Exception):
    """A request the API cannot answer: the HTTP status, the parameter at fault and why."""

    def __init__(self, status: int, parameter: str | None, message: str):
        super().__init__(message)
        self.status, self.parameter, self.message = status, parameter, message


# The answers besides 200 that every endpoint may give, as the OpenAPI schema declares them (in
# place of FastAPI's default 422, which this API never sends: a bad parameter is a 400).
ERROR_STATUSES = {"304": "Not modified: the If-None-Match ETag is the current answer's (no body).",
                  "400": "A parameter is invalid; `error.parameter` names it, `error.message` says what it takes.",
                  "404": "An unknown city (the message lists close matches) or no such endpoint.",
                  "503": "The climate atlas cannot be read on this server."}
ERROR_SCHEMA = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["parameter", "message"],
    "properties": {"parameter": {"type": ["string", "null"]}, "message": {"type": "string"}}}}}


def _declare_errors(schema: dict) -> dict:
    """The OpenAPI schema with each operation's real error answers (ERROR_STATUSES)."""
    schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for ops in schema.get("paths", {}).values():
        for op in ops.values():
            responses = op.setdefault("responses", {})
            responses.pop("422", None)
            for status, text in ERROR_STATUSES.items():
                body = {} if status == "304" else {
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
                responses[status] = {"description": text, **body}
    for unused in ("HTTPValidationError", "ValidationError"):
        schema["components"]["schemas"].pop(unused, None)
    return schema


def _error(status: int, parameter: str | None, message: str) -> JSONResponse:
    return JSONResponse({"error": {"parameter": parameter, "message": message}}, status_code=status,
                        headers={"Cache-Control": "no-store"})


class _Cache:
    """The serialized answers of this process (key → (etag, media type, bytes)), least recently used out."""

    def __init__(self, size: int = CACHE_ENTRIES):
        self.size, self.items, self.lock = size, OrderedDict(), Lock()

    def get(self, key):
        with self.lock:
            hit = self.items.get(key)
            if hit is not None:
                self.items.move_to_end(key)
            return hit

    def put(self, key, value) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


def _declared_bounds(request: Request, name: str) -> tuple:
    """(ge, le) of the query parameter `name` as its endpoint declares it (Query(ge=…, le=…))."""
    for f in getattr(getattr(request.scope.get("route"), "dependant", None), "query_params", ()):
        if name in (f.alias, f.name):
            meta = f.field_info.metadata
            return (next((m.ge for m in meta if hasattr(m, "ge")), None), next((m.le for m in meta if hasattr(m, "le")), None))
    return (None, None)


def _invalid_message(request: Request, name: str | None, error: dict) -> str:
    """A validation error in the CLI's words: what the parameter takes and what it got (the
    bounds read from the endpoint's own declaration)."""
    from .errors import shown

    kind, got = str(error.get("type", "")), error.get("input")
    if kind == "missing":
        return f"{name} is required; see /docs for this endpoint's parameters."
    lo, hi = _declared_bounds(request, name) if name else (None, None)
    if kind.startswith(("int_", "greater_than", "less_than")) and lo is not None and hi is not None:
        return f"{name} takes a whole number from {lo} to {hi}; got {shown(got)}."
    if kind.startswith("date"):
        return f"{name} takes a date as YYYY-MM-DD, e.g. 2027-01-10; got {shown(got)}."
    return f"{name}: {str(error.get('msg', 'invalid value')).rstrip('.')}; got {shown(got)}."


def _param(name: str, call):
    """Run `call`, turning a RecommenderError into an ApiError naming the parameter (404 for an
    unknown city, 400 otherwise)."""
    try:
        return call()
    except UnknownCityError as exc:
        message = str(exc).replace("run `python -m recommender cities` to list the known cities",
                                   "/v1/cities?q= finds the known cities")
        raise ApiError(404, name, message) from None
    except RecommenderError as exc:
        raise ApiError(400, name, str(exc).replace("--band", "band")) from None


def _city(rec, name: str, value: str) -> str:
    return _param(name, lambda: rec.city(value))


def _band(value: str | None):
    from .options import parse_band

    return _param("band", lambda: parse_band(value, option="band"))


def _country(value: str | None) -> str | None:
    from .options import parse_country

    return _param("country", lambda: parse_country(value, "country", default_recommender().countries())) if value else None


def _lang(value: str | None) -> str:
    from .present import i18n

    if value is None:
        return i18n.DEFAULT_LANGUAGE
    if value not in i18n.LANGUAGES:
        raise ApiError(400, "lang", f"Unknown language {value!r}; one of {', '.join(i18n.LANGUAGES)}.")
    return value


def _atlas_tag() -> str:
    """A short tag of the atlas version (its files' times and the store's state; no paths)."""
    return hashlib.sha256(repr(atlas_version()).encode()).hexdigest()[:12]


@lru_cache(maxsize=2)
def _search_names(version: tuple):
    """Per city id: its registry name, ASCII name and native names, normalized and joined by "|"
    (what `/v1/cities?q=` searches: "karachi", "卡拉奇" and "کراچی" all find Karachi)."""
    from .atlas import load_names
    from .places.names import normalize_name

    rec = default_recommender()
    names = load_names()
    native = names.assign(key=names["name"].map(normalize_name)).groupby("city_id", sort=False)["key"].agg("|".join)
    return (rec.cities["name"].map(normalize_name) + "|" + rec.cities["ascii_name"].map(normalize_name) + "|"
            + native.reindex(rec.cities.index).fillna(""))


def create_app() -> FastAPI:
    """The API application (uvicorn runs it; tests drive it with FastAPI's TestClient)."""
    app = FastAPI(title="Sister-city seasonal travel recommender", version=VERSION,
                  description="When to visit each sister city: comfort scores from climate normals (HCI:Urban, "
                              "HCI:Beach, TCI), travel windows by month and by day, pairs ranked by exchange. The "
                              "documents are the CLI's `--format json`.")
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "HEAD", "OPTIONS"],
                       allow_headers=["If-None-Match"], expose_headers=["ETag"], max_age=86400)
    cache = _Cache()

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return _error(exc.status, exc.parameter, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(x) for x in first.get("loc", ()) if x not in ("query", "path")]
        name = loc[-1] if loc else None
        return _error(400, name, _invalid_message(request, name, first))

    @app.exception_handler(AtlasError)
    async def _atlas(request: Request, exc: AtlasError):        # the data behind the answers cannot be read
        return _error(503, None, "The climate atlas cannot be read on this server; try again later.")

    @app.exception_handler(RecommenderError)
    async def _recommender(request: Request, exc: RecommenderError):
        from .present.text import without_server_paths

        return _error(400, None, without_server_paths(str(exc)))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):    # no such path, method not allowed
        message = {404: "No such endpoint; see /docs for the API's endpoints.",
                   405: "Only GET (and HEAD) is served."}.get(exc.status_code, str(exc.detail))
        response = _error(exc.status_code, None, message)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):      # never a traceback to the caller
        return _error(500, None, "The server could not answer this request.")

    def answer(request: Request, build, media: str = "application/json", download: str | None = None) -> Response:
        """The cached answer to this path and query (built by `build()` → dict or bytes), with its
        ETag and Cache-Control; 304 when the caller already holds it."""
        # the question: the endpoint's own parameters in a fixed order (unknown ones and their order make no new entry)
        asked = tuple(sorted((k, v) for k, v in request.query_params.multi_items() if k in PARAMETERS))
        key = (atlas_version(), dt.date.today().isoformat(), request.url.path, asked)
        hit = cache.get(key)
        if hit is None:
            body = build()
            if isinstance(body, dict):
                body = json_text(body, separators=(",", ":")).encode("utf-8")
            etag = '"' + hashlib.sha256(repr(key).encode() + body).hexdigest()[:20] + '"'
            hit = (etag, body)
            if len(body) <= CACHE_MAX_BODY:
                cache.put(key, hit)
        etag, body = hit
        headers = {"ETag": etag, "Cache-Control": f"public, max-age={MAX_AGE_S}"}
        if download:
            headers["Content-Disposition"] = f'attachment; filename="{download}"'
        if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type=media, headers=headers)

    @app.get("/healthz", include_in_schema=False)
    async def health():                  # on the event loop: answers while the worker threads are busy
        return {"status": "ok", "atlas": _atlas_tag()}

    @app.get(f"/{VERSION}/cities", summary="Cities of the registry by name, id or country")
    def cities(request: Request, q: str | None = Query(None, max_length=100, description="part of a name or id"),
               country: str | None = Query(None, max_length=60, description="ISO code or country name"),
               limit: int = Query(50, ge=LIMIT_MIN, le=CITIES_LIMIT_MAX)):
        def build():
            from .options import NO_SEARCH_TEXT, search_key
            from .present.documents import city

            rec = default_recommender()
            frame = rec.cities
            iso = _country(country)
            if iso:
                frame = frame[frame["country"] == iso]
            if q is not None:
                key = search_key(q)
                if key is None:          # "!!!", "   ", "-": no city, and why (not every city, not an error)
                    return {"total": 0, "cities": [], "message": NO_SEARCH_TEXT[:1].upper() + NO_SEARCH_TEXT[1:]}
                names = _search_names(atlas_version()).reindex(frame.index)
                frame = frame[names.str.contains(key, regex=False)
                              | frame["city_id"].str.contains(key.replace(" ", "-"), regex=False)]
            total = len(frame)
            rows = frame.reset_index(drop=True).sort_values(["ascii_name", "city_id"]).head(limit)
            return {"total": total, "cities": [city(rec.city_ref(c)) | {"has_climate": bool(h)}
                                               for c, h in zip(rows["city_id"], rows["has_climate"])]}
        return answer(request, build)

    @app.get(f"/{VERSION}/recommend", summary="A home city's sister cities ranked for a month")
    def recommend(request: Request, home: str = Query(..., max_length=100),
                  month: str = Query(..., max_length=20, description="1–12 or an English month name"),
                  style: Style = Style.urban, band: str | None = Query(None, max_length=20, description="°C, e.g. 18-24"),
                  country: str | None = Query(None, max_length=60), second_degree: bool = False,
                  lang: str | None = Query(None, max_length=10, description="adds the headline in this language")):
        def build():
            from .climate.calendar import parse_month
            from .present import text
            from .present.documents import document

            rec = default_recommender()
            h, m, b, c, lg = _city(rec, "home", home), _param("month", lambda: parse_month(month)), _band(band), \
                _country(country), _lang(lang)
            res = rec.recommend(h, m, style=style.value, comfort_band=b, country=c, second_degree=second_degree)
            doc = document(res)
            if lang is not None:
                doc["headline"] = {"lang": lg, "text": text.headline(res, "°C", lg)}
            return doc
        return answer(request, build)

    @app.get(f"/{VERSION}/profile", summary="Twelve months of comfort for one city")
    def profile(request: Request, city: str = Query(..., max_length=100), style: Style = Style.urban,
                band: str | None = Query(None, max_length=20), daily: bool = False):
        def build():
            from .present.documents import document

            rec = default_recommender()
            return document(rec.profile(_city(rec, "city", city), style=style.value, comfort_band=_band(band), daily=daily))
        return answer(request, build)

    @app.get(f"/{VERSION}/windows", summary="When each side of a pair should visit the other")
    def windows(request: Request, a: str = Query(..., max_length=100), b: str = Query(..., max_length=100),
                style: Style = Style.urban, band: str | None = Query(None, max_length=20),
                year: int | None = Query(None, ge=1950, le=2100, description="holiday breaks of this year")):
        def build():
            from .present.documents import document

            rec = default_recommender()
            ca, cb = _city(rec, "a", a), _city(rec, "b", b)
            _param("b", lambda: check_distinct(ca, cb, "b", "a"))
            return document(rec.exchange(ca, cb, style=style.value, comfort_band=_band(band), year=year))
        return answer(request, build)

    @app.get(f"/{VERSION}/plan", summary="A home city's sister cities ranked for a span of dates")
    def plan(request: Request, home: str = Query(..., max_length=100), start: dt.date = Query(..., alias="from"),
             end: dt.date = Query(..., alias="to"), style: Style = Style.urban, band: str | None = Query(None, max_length=20),
             country: str | None = Query(None, max_length=60)):
        def build():
            from .present.documents import document

            rec = default_recommender()
            h = _city(rec, "home", home)
            if end < start:
                raise ApiError(400, "to", "The last day comes before the first; give from ≤ to.")
            res = _param("to", lambda: rec.plan(h, start, end, style=style.value, comfort_band=_band(band),
                                                country=_country(country)))
            return document(res)
        return answer(request, build)

    @app.get(f"/{VERSION}/pairs", summary="Sister-city pairs ranked by two-way exchange potential")
    def pairs(request: Request, country: str | None = Query(None, max_length=60),
              city: str | None = Query(None, max_length=100),
              sort: Literal["exchange", "complementarity", "name"] = "exchange",
              limit: int = Query(100, ge=LIMIT_MIN, le=PAIRS_LIMIT_MAX),
              style: Style = Style.urban, band: str | None = Query(None, max_length=20)):
        def build():
            from .present.documents import document

            rec = default_recommender()
            c = _city(rec, "city", city) if city else None
            return document(rec.pair_ranking(style=style.value, comfort_band=_band(band), country=_country(country), city=c,
                                             sort=sort, limit=limit))
        return answer(request, build)

    @app.get(f"/{VERSION}/calendar.ics", summary="The travel windows of the coming year as calendar events",
             response_class=Response, responses={200: {"content": {"text/calendar": {}}}})
    def calendar(request: Request, home: str = Query(..., max_length=100), style: Style = Style.urban,
                 band: str | None = Query(None, max_length=20), lang: str | None = Query(None, max_length=10)):
        h = _city(default_recommender(), "home", home)           # the city id: ASCII, safe in a header

        def build():
            from .present.exports import to_ics

            rec = default_recommender()
            return to_ics(rec.year(h, style=style.value, comfort_band=_band(band)), _lang(lang), dt.date.today())
        return answer(request, build, "text/calendar; charset=utf-8", download=f"{h}.ics")

    # HEAD for every endpoint (FastAPI's get() serves GET only), kept out of the OpenAPI description
    from fastapi.routing import APIRoute

    for route in [r for r in app.routes if isinstance(r, APIRoute) and "GET" in r.methods]:
        app.add_api_route(route.path, route.endpoint, methods=["HEAD"], include_in_schema=False,
                          response_class=route.response_class)

    def openapi() -> dict:
        """FastAPI's schema with the answers this API really gives (_declare_errors), built once."""
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            app.openapi_schema = _declare_errors(get_openapi(title=app.title, version=app.version,
                                                             description=app.description, routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi
    return app


def serve(port: int = 8000, host: str = "127.0.0.1", workers: int = 1, root_path: str = "") -> None:
    """Run the API on uvicorn (`workers` processes share the port; `root_path` when a proxy serves
    it under a prefix such as /api)."""
    import uvicorn

    if workers == 1:
        default_recommender()             # read the prepared atlas before the first request (each of several workers
        #                                   reads it at its own first request: this parent never serves one)
    uvicorn.run("recommender.api:create_app", factory=True, host=host, port=port, workers=workers,
                root_path=root_path, log_level="warning", access_log=False)
