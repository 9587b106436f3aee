"""Where the embedded data, the shared raw data and the user's refreshed store live."""

from __future__ import annotations

import os
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_DIR / "data"


def data_dir() -> Path:
    """The embedded atlas: $RECOMMENDER_DATA (tests point it at a damaged copy) or data/."""
    env = os.environ.get("RECOMMENDER_DATA")
    return Path(env) if env else DATA_DIR
APP_NAME = "sister-city-recommender"
MAX_DATA_FILE_BYTES = 256 * 1024 * 1024   # ten times the largest data file: anything bigger is damaged or foreign


def checked_data_file(path: Path) -> Path:
    """`path` if it is a data file of a sane size, else AtlasError saying what is wrong with it
    (missing, a folder or device, far too large — e.g. a huge sparse file)."""
    from .errors import AtlasError

    path = Path(path)
    if not path.exists():
        raise AtlasError(f"Missing data file {path}; restore it from the repository or rebuild with "
                         "`python -m recommender build-atlas`.")
    if not path.is_file():
        raise AtlasError(f"{path} is a folder or a device, not a data file; restore the file from the repository.")
    size = path.stat().st_size
    if size > MAX_DATA_FILE_BYTES:
        raise AtlasError(f"{path} is {size:,} bytes, far larger than any data file of this product "
                         f"({MAX_DATA_FILE_BYTES:,} at most): it is damaged or foreign. Restore it from the repository.")
    return path


def read_data_json(path: Path):
    """The JSON document of a data file, or AtlasError naming the file and what is wrong."""
    import json

    from .errors import AtlasError

    try:
        return json.loads(checked_data_file(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise AtlasError(f"Cannot read {path} ({type(exc).__name__}); restore the file from the repository.") from None


def recorded_measure(folder: Path | None, section: str, key: str, valid: tuple[float, float],
                     default: float | None) -> float | None:
    """A figure the build measured and recorded in `folder`/build_info.json (default data_dir()) (`section`.`key`, e.g.
    tolerances.agree_c in °C), or `default` when the file or the entry is absent (a build from
    before it was recorded). A damaged file (a folder, far too large, not JSON) or a value that is
    not a number with valid[0] < value ≤ valid[1] is AtlasError naming the file and the entry: a
    guess in its place would grade every city on a figure nobody measured."""
    from .errors import AtlasError

    path = Path(folder if folder is not None else data_dir()) / "build_info.json"
    if not path.exists() and not path.is_symlink():
        return default
    info = read_data_json(path)
    part = info.get(section) if isinstance(info, dict) else None
    if not isinstance(info, dict) or not isinstance(part, (dict, type(None))):
        what = f"its '{section}' entry is not a table" if isinstance(info, dict) else "it is not a JSON object"
        raise AtlasError(f"{path} is not the build's record ({what}); restore the file from the repository.")
    if part is None or key not in part:
        return default
    value = part[key]
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and valid[0] < value <= valid[1]
    if not ok:
        raise AtlasError(f"{path}: {section}.{key} must be a number above {valid[0]:g} and at most {valid[1]:g}, "
                         f"got {value!r:.40}; restore the file from the repository.")
    return float(value)


def default_shared_data_dir() -> Path:
    """Raw public data sets: $RECOMMENDER_SHARED_DATA or ../shared/data beside the repository."""
    env = os.environ.get("RECOMMENDER_SHARED_DATA")
    return Path(env) if env else REPO_DIR.parent / "shared" / "data"


def user_store_dir() -> Path:
    """Refreshed Meteostat normals: $RECOMMENDER_HOME or the platform's user data directory."""
    env = os.environ.get("RECOMMENDER_HOME")
    if env:
        return Path(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))
