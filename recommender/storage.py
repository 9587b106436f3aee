"""Files that never tear and a refreshed store that loses nothing under concurrency.

`atomic_write` writes a temporary file beside the target (named with the writer's process id),
fsyncs it and renames it over the target: a reader sees the old file or the new one, never a
torn one. A symlinked target is written through (the link stays a link). Temporary files of
writers that died (kill -9) are removed by `remove_orphans` on the next run.

The refreshed store (`NormalsStore`) is one Parquet file per city under `normals/`, each
written atomically. Why per-city files: two refreshes of different cities write different
files, so neither can overwrite the other's result and no lock is needed (a lock would also
need stale-lock recovery after kill -9); two refreshes of the same city both write a complete,
valid file and the later rename wins. A reader lists the folder and validates each city alone,
so one damaged file costs only its own city. The store of earlier versions (a single
`normals.parquet`) is still read, below the per-city files.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from pathlib import Path
from typing import Callable, Iterable

import pandas as pd

from .errors import AtlasError, RecommenderError

_TMP = re.compile(r"^\..+\.(\d+)\.[^.]+\.tmp$")  # .<name>.<pid>.<random>.tmp


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_files(paths: Iterable[Path], doomed: Callable[[Path], bool]) -> list[Path]:
    """Delete each path for which doomed(path) is true; a file that cannot be deleted is
    skipped. Returns the deleted paths."""
    removed = []
    for p in paths:
        if doomed(p):
            try:
                p.unlink()
                removed.append(p)
            except OSError:
                pass
    return removed


def _orphaned(p: Path) -> bool:
    m = _TMP.match(p.name)
    return bool(m) and int(m.group(1)) != os.getpid() and not _pid_alive(int(m.group(1)))


def remove_orphans(folder: Path) -> list[Path]:
    """Remove the temporary files of writers that no longer run (a kill -9 mid-write); returns them."""
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return []
    return remove_files(entries, _orphaned)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) on a temporary file beside `path`, fsync it, then rename it over `path`.

    A symlink at `path` is followed: its target is replaced, the link stays."""
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp_path, 0o666 & ~umask)  # mkstemp makes 0600; give the usual file mode
        write(tmp_path)
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def atomic_write_text(path: Path, text: str) -> None:
    """Write UTF-8 text (LF line ends) to `path` atomically."""
    atomic_write(path, lambda p: p.write_bytes(text.encode("utf-8")))


def write_problem(exc: OSError, path: Path) -> str:
    """One sentence for a failed write: what happened to which path and what to do."""
    what = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is exhausted",
            errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied",
            errno.EPERM: "the operation is not permitted", errno.ENOTDIR: "a part of the path is a file, not a folder",
            errno.EEXIST: "a file stands where a folder is needed"}.get(exc.errno, exc.strerror or type(exc).__name__)
    return (f"Cannot write {path}: {what}. Free space or choose another folder with RECOMMENDER_HOME; what was "
            "stored before is intact.")


def _why(exc: Exception) -> str:
    return str(exc) if isinstance(exc, AtlasError) else type(exc).__name__


class NormalsStore:
    """Refreshed normals: `<home>/normals/<city_id>.parquet`, one atomic file per city."""

    FOLDER = "normals"
    LEGACY = "normals.parquet"

    def __init__(self, home: Path):
        self.home = Path(home)
        self.folder = self.home / self.FOLDER

    def path(self, city_id: str) -> Path:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", city_id):
            raise ValueError(f"not a city id: {city_id!r}")
        return self.folder / f"{city_id}.parquet"

    def version(self) -> tuple:
        """Changes whenever a city file is added, replaced or removed."""
        out = []
        for p in (self.folder, self.home / self.LEGACY):
            try:
                st = p.stat()
                out.append((st.st_mtime_ns, st.st_size))
            except OSError:
                out.append(None)
        return tuple(out)

    def check_writable(self) -> None:
        """Raise RecommenderError now (before any download) if the store cannot be written."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd, probe = tempfile.mkstemp(prefix=f".probe.{os.getpid()}.", suffix=".tmp", dir=self.folder)
            os.close(fd)
            os.unlink(probe)
        except OSError as exc:
            raise RecommenderError(write_problem(exc, self.folder)) from None

    def write_city(self, frame: pd.DataFrame, city_id: str) -> None:
        """Store one city's 12 rows atomically (RecommenderError naming the path on failure)."""
        path = self.path(city_id)
        try:
            atomic_write(path, lambda p: frame.to_parquet(p, index=False))
        except OSError as exc:
            raise RecommenderError(write_problem(exc, path)) from None

    def read(self, columns: list[str]) -> tuple[pd.DataFrame | None, list[str]]:
        """All stored cities (per-city files over the legacy file) and a warning per file that
        could not be read (that city is left out, the others kept). None when the store is empty."""
        frames: dict[str, pd.DataFrame] = {}
        warnings: list[str] = []
        legacy = self.home / self.LEGACY
        if legacy.exists():
            try:
                df = pd.read_parquet(legacy)
                missing = [c for c in columns if c not in df.columns]
                if missing:
                    raise AtlasError(f"lacks the columns {', '.join(missing)}")
                for cid, rows in df[columns].groupby("city_id", sort=True):
                    frames[cid] = rows
            except Exception as exc:  # pyarrow raises several types for a damaged file
                warnings.append(f"The refreshed store {legacy} is unreadable ({_why(exc)}). Delete it or run "
                                "`python -m recommender refresh` again; the embedded atlas is unaffected.")
        for p in sorted(self.folder.glob("*.parquet")) if self.folder.is_dir() else []:
            try:
                df = pd.read_parquet(p)
                missing = [c for c in columns if c not in df.columns]
                if missing:
                    raise AtlasError(f"lacks the columns {', '.join(missing)}")
                frames[p.stem] = df[columns]
            except Exception as exc:
                warnings.append(f"Refreshed data for '{p.stem}' ignored, the other cities kept: {p} is unreadable "
                                f"({_why(exc)}). Delete it or refresh that city again.")
        if not frames:
            return None, warnings
        return pd.concat(frames.values(), ignore_index=True), warnings
