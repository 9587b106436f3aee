"""What every process needs, prepared once: the Recommender over the current atlas with the
default trip style scored (the validated atlas, the registry, the sister graph and the scores),
pickled in a cache folder and read back in a fraction of a second — so a new dashboard worker,
an API worker or a CLI run does not load, validate and score the atlas again (≈ 4 s on this
machine), and N workers do not pay N times.

The file's name is a key of everything the Recommender is derived from: the data files (path,
size, modification time), the refreshed store's state (and its folder when it holds any city),
this package's source code and the Python and pandas versions. Anything else reads as a miss and
the Recommender is built and written again (atomically: a temporary file renamed over, so a
reader never sees half a file and concurrent writers lose nothing). A damaged or unreadable file
is a miss, never an error. Only the newest `KEEP` files of this folder stay; only files this module
wrote (`*.recommender.pickle`) are ever removed.

Folder: $RECOMMENDER_CACHE, else the user's cache folder (platformdirs), `prepared/`.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import platform
import sys
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

SUFFIX = ".recommender.pickle"
KEEP = 2
PREPARED_STYLES = ("urban",)          # the default trip style; the others are scored on first use (≈ 0.4 s)
PACKAGE = Path(__file__).resolve().parent


def cache_dir() -> Path:
    explicit = os.environ.get("RECOMMENDER_CACHE")
    if explicit:
        return Path(explicit)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("sister-city-recommender")) / "prepared"


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of this package's Python sources (a changed scoring rule is a new key)."""
    h = hashlib.sha256()
    for p in sorted(PACKAGE.rglob("*.py")):
        h.update(str(p.relative_to(PACKAGE)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _file_state(path: Path) -> tuple:
    try:
        st = path.stat()
        return (str(path), st.st_size, st.st_mtime_ns)
    except OSError:
        return (str(path), None)


def key(data_dir: Path | None = None, store_dir: Path | None = None) -> str:
    """The cache key of the current atlas and code (hex)."""
    from .paths import data_dir as default_data_dir, user_store_dir
    from .storage import NormalsStore

    data = Path(data_dir or default_data_dir())
    store = Path(store_dir or user_store_dir())
    store_state = NormalsStore(store).version()
    parts = (tuple(_file_state(data / f) for f in ("cities.csv", "normals.parquet", "normals.csv", "pairs.csv",
                                                   "city_names.csv", "build_info.json")),
             # an empty store is the same everywhere; a store that holds cities is keyed by its folder too
             store_state if all(s is None for s in store_state) else (str(store), store_state),
             code_version(), sys.version, platform.machine(), _library_versions())
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _library_versions() -> tuple[str, str]:
    """pandas and numpy: the pickled frames and arrays are theirs."""
    import numpy
    import pandas

    return pandas.__version__, numpy.__version__


def _trusted(folder: Path) -> bool:
    """Is the folder this user's own and writable by no one else? A pickle runs code when read: one
    in a folder another user can write to is never read (nor written)."""
    try:
        st = folder.stat()
    except OSError:
        return False
    return st.st_uid == os.getuid() and not st.st_mode & 0o022


def _folder(folder: Path) -> bool:
    """Create the cache folder (mode 0700) when missing; True when it can be trusted."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:           # a file in its place, no permission, a full disk: answered, just slower
        log.warning("cannot keep the prepared recommender in %s: %s", folder,
                    "it is a file, not a folder" if folder.is_file() else exc.strerror or exc)
        return False
    if not _trusted(folder):
        log.warning("not using the cache folder %s: it is not this user's own or others can write to it", folder)
        return False
    return True


def _read(path: Path):
    if not path.exists() or not _trusted(path.parent):
        return None
    try:
        with open(path, "rb") as f:
            return pickle.load(f)
    except FileNotFoundError:
        return None
    except Exception as exc:          # damaged, truncated or from an incompatible build: rebuild it
        log.warning("prepared recommender %s unreadable (%s); building it again", path.name, type(exc).__name__)
        return None


def _write(path: Path, rec) -> None:
    if not _folder(path.parent):
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump(rec, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        _prune(path.parent)
    except OSError as exc:           # a read-only or full disk: the process still answers, it just pays the build
        log.warning("cannot keep the prepared recommender in %s: %s", path.parent, exc.strerror or exc)


def _prune(folder: Path) -> None:
    def mtime(p: Path) -> float:
        try:
            return p.stat().st_mtime
        except FileNotFoundError:       # another process pruned it a moment ago
            return 0.0

    files = sorted(folder.glob("*" + SUFFIX), key=mtime, reverse=True)
    for old in files[KEEP:]:
        old.unlink(missing_ok=True)


_lock = threading.Lock()
_loaded: dict[str, object] = {}       # key → the Recommender this process read or built (the newest only)


def recommender(kind: type):
    """The Recommender (`kind`: recommend.Recommender, given by the caller so that this module
    needs nothing of it) over the current atlas (data/ and the user's store): the one this process
    already has for the current key, else read from the cache folder when prepared, else built
    (atlas loaded and validated, the default style scored) and written there for the next
    process. Threads asking at once wait for one load (a dashboard worker warms up in the
    background while its first visitor arrives)."""
    with _lock:
        k = key()
        if k not in _loaded:
            _loaded.clear()
            _loaded[k] = _read_or_build(cache_dir() / (k + SUFFIX), kind)
        return _loaded[k]


def _read_or_build(path: Path, kind: type):
    rec = _read(path)
    if isinstance(rec, kind):
        return rec
    rec = kind()
    for style in PREPARED_STYLES:
        rec.scored(style)              # by month; by day each city when first asked (its partners' windows in dates)
    rec.city(rec.cities.index[0])      # the name index (≈ 0.4 s)
    rec.origin(rec.cities.index[0])    # where each city's climate comes from
    rec.directory()                    # every city's CityRef, for the pickers (≈ 1 s)
    _write(path, rec)
    return rec
