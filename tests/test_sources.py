"""sources/: the declared sources and their priority, and the Meteostat module's pure parts —
its configuration leaves no trace in the process, its failures are classified by exception
type (never by message wording). The network paths are in test_refresh.py."""

import gzip
import logging
import os
import socket
import sys
from pathlib import Path
from urllib.error import HTTPError, URLError

import pandas as pd
import pytest

from recommender.atlas import overlay
from recommender.sources import SOURCES, by_priority
from recommender.sources import meteostat as msrc


def record(exc: BaseException | None = None, module: str = "shared") -> logging.LogRecord:
    exc_info = None
    if exc is not None:
        try:
            raise exc
        except BaseException:
            exc_info = sys.exc_info()
    r = logging.LogRecord("meteostat", logging.WARNING, "shared.py", 1, "whatever the words are", None, exc_info)
    r.module = module
    return r


@pytest.mark.parametrize("exc,code", [
    (None, msrc.NOT_FOUND),
    (HTTPError("u", 503, "x", None, None), msrc.SERVER_ERROR),
    (URLError(ConnectionRefusedError()), msrc.UNREACHABLE),
    (TimeoutError(), msrc.UNREACHABLE),
    (gzip.BadGzipFile("bad"), msrc.CORRUPT_FILE),
    (EOFError(), msrc.CORRUPT_FILE),
    (ValueError("odd"), msrc.OTHER),
])
def test_failures_are_classified_by_type(exc, code):
    assert msrc.classify(record(exc)) == code


def test_a_failure_raised_in_the_cache_module_is_a_damaged_cache():
    namespace = {"__name__": "meteostat.core.cache"}
    exec("def read():\n    raise EOFError('truncated pickle')", namespace)
    try:
        namespace["read"]()
    except EOFError:
        r = logging.LogRecord("meteostat", logging.WARNING, "x", 1, "msg", None, sys.exc_info())
    assert msrc.classify(r) == msrc.DAMAGED_CACHE


def test_a_full_disk_in_the_cache_module_is_a_full_disk_not_a_damaged_cache():
    """The advice differs: "delete that folder" would throw away a healthy cache."""
    import errno

    namespace = {"__name__": "meteostat.core.cache"}
    exec("def write(e):\n    raise e", namespace)
    try:
        try:
            namespace["write"](OSError(errno.ENOSPC, "No space left on device"))
        except OSError as full:
            raise RuntimeError("could not cache") from full
    except RuntimeError:
        r = logging.LogRecord("meteostat", logging.WARNING, "x", 1, "msg", None, sys.exc_info())
    assert msrc.classify(r) == msrc.DISK_FULL
    from recommender.pipelines.refresh import _reason

    why = _reason(msrc.FetchError(msrc.DISK_FULL, "", ("41780",)), Path("/x/cache"))
    assert why.startswith("the disk is full") and "delete" not in why


def test_configuration_leaves_no_trace(tmp_path, monkeypatch):
    import meteostat as ms

    monkeypatch.delenv("MS_CACHE_DIRECTORY", raising=False)
    monkeypatch.delenv("MS_STATIONS_DB_FILE", raising=False)
    before_env, before_timeout = dict(os.environ), socket.getdefaulttimeout()
    before = ms.config.cache_directory, ms.config.stations_db_file, ms.config.network_timeout
    with msrc.configured(msrc.Settings.for_store(tmp_path, network_timeout_s=7)) as (cache, db):
        assert ms.config.cache_directory == str(tmp_path / "meteostat-cache") == str(cache)
        assert ms.config.network_timeout == 7 and db.parent.is_dir()
    assert (ms.config.cache_directory, ms.config.stations_db_file, ms.config.network_timeout) == before
    assert dict(os.environ) == before_env and socket.getdefaulttimeout() == before_timeout


def test_an_exported_ms_variable_wins(tmp_path, monkeypatch):
    import meteostat as ms

    monkeypatch.setenv("MS_CACHE_DIRECTORY", "/somewhere/else")
    monkeypatch.setattr(ms.config, "cache_directory", "/somewhere/else")
    with msrc.configured(msrc.Settings.for_store(tmp_path)):
        assert ms.config.cache_directory == "/somewhere/else"


def test_sources_overlay_by_declared_priority():
    assert by_priority(["wikipedia", "meteostat"]) == ["meteostat", "wikipedia"]
    assert all(s.licence and s.attribution for s in SOURCES.values())
    rows = lambda cid, t: pd.DataFrame({"city_id": cid, "month": range(1, 13), "tmax_c": t})  # noqa: E731
    out = overlay({"wikipedia": pd.concat([rows("a", 1.0), rows("b", 2.0)]), "meteostat": rows("a", 9.0)})
    assert out.groupby("city_id")["data_source"].first().to_dict() == {"a": "meteostat", "b": "wikipedia"}
    assert (out[out.city_id == "a"]["tmax_c"] == 9.0).all() and len(out) == 24
