"""Files that never tear, and the refreshed store: one SQLite database that loses nothing.

`atomic_write` writes a temporary file beside the target, fsyncs it and renames it over the
target: a reader sees the old file or the new one, never a torn one. A symlinked target is
written through (the link stays a link). Temporaries carry the product's marker and the
writer's process id (`.<name>.recommender-<pid>-<random>.tmp`); `remove_orphans` deletes only
such files of writers that died (kill -9), nothing else.

The refreshed store (`NormalsStore`) is `<home>/normals/normals.sqlite`, chosen by measurement
(benchmarks/bench_store.py: one row per city and month, or one Parquet file per city, read
16,000 cities in 4–40 s; one row per city with the 12 × 9 values as a packed array reads them in
0.4 s). SQLite in WAL mode gives what the store needs: each city is committed in its own
transaction (all 12 months or none), readers never wait for a writer and see a consistent
snapshot, writers from several processes queue on the database lock (none overwrites
another's city), and a process killed at any point leaves the last committed state. One
damaged entry costs only its city; a damaged page only the cities on it. The per-city Parquet
files of the previous release (`normals/<id>.parquet`) and the single `normals.parquet` before
it are migrated on first use; the per-city files are then removed, the single file is kept.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
import stat
import tempfile
import time
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from .errors import AtlasError, RecommenderError

MARKER = "recommender"
_TMP = re.compile(rf"^\..+\.{MARKER}-(\d+)-[A-Za-z0-9_]+\.tmp$")  # .<name>.recommender-<pid>-<random>.tmp


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
    """A temporary file this product wrote (its marker, a regular file of this user, not a
    link) whose writer no longer runs."""
    m = _TMP.match(p.name)
    if not m or int(m.group(1)) == os.getpid() or _pid_alive(int(m.group(1))):
        return False
    try:
        st = p.lstat()
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid()


def remove_orphans(folder: Path) -> list[Path]:
    """Remove the temporary files that writers of this product left when killed mid-write
    (`atomic_write` names them); any other file, however named, is kept. Returns the removed."""
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return []
    return remove_files(entries, _orphaned)


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call write(tmp) on a temporary file beside `path`, fsync it, then rename it over `path`.

    A symlink at `path` is followed: its target is replaced, the link stays. Temporaries that
    killed writers of this product left in the folder are removed first (`remove_orphans`)."""
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_orphans(path.parent)      # what earlier writers into this folder left when killed
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{MARKER}-{os.getpid()}-", suffix=".tmp", dir=path.parent)
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


_CITY_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
SCHEMA_VERSION = "1"              # meta.schema of a store this release writes
_MONTHS = 12
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cities (
    city_id TEXT NOT NULL UNIQUE,   -- registry id
    period TEXT NOT NULL,           -- the years of the normals, e.g. 1991-2020
    layout TEXT NOT NULL,           -- "<variable>,<variable>,…;<provenance>,<provenance>,…" of v and s (as written)
    v BLOB NOT NULL,                -- 12 months x the layout's variables, little-endian float64, NaN = missing
    s BLOB NOT NULL,                -- their provenance, uint8 codes into the layout's provenance list (255 = unknown)
    crc INTEGER NOT NULL,           -- zlib.crc32 of v + s: a damaged entry is recognised, not read
    written_at REAL NOT NULL        -- Unix time of the commit
);
"""


@lru_cache(maxsize=1)
def _provenance_index(provenance: tuple[str, ...]) -> pd.Index:
    return pd.Index(provenance)


class NormalsStore:
    """Refreshed normals: `<home>/normals/normals.sqlite` (WAL), one row per city.

    `write_cities` commits each city in its own transaction; `read` returns every stored city
    and a warning for each one that cannot be used (a damaged entry or page costs only its
    cities). `version` changes with every commit.
    """

    FOLDER = "normals"
    DB = "normals.sqlite"
    LEGACY = "normals.parquet"        # the single store file of the first release, in <home>
    TIMEOUT_S = 30.0                  # how long a writer waits for another writer's commit

    def __init__(self, home: Path):
        self.home = Path(home)
        self.folder = self.home / self.FOLDER
        self.db = self.folder / self.DB

    # -- connections ---------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        """A read-write connection (the folder and the schema created when missing)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.db.exists() and not self.db.is_file():
            raise sqlite3.OperationalError("it is not a regular file")
        conn = sqlite3.connect(self.db, timeout=self.TIMEOUT_S, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")   # WAL + NORMAL: a crash loses no committed city's consistency
            conn.executescript(_SCHEMA)
            conn.execute("BEGIN IMMEDIATE")
            for k, v in (("generation", "0"), ("schema", SCHEMA_VERSION)):
                conn.execute("INSERT OR IGNORE INTO meta VALUES (?, ?)", (k, v))
            conn.execute("COMMIT")
        except BaseException:
            conn.close()
            raise
        return conn

    def _reader(self) -> sqlite3.Connection | None:
        """A connection that only reads (None when there is no database): read-only mode,
        else immutable mode for a folder this user cannot write."""
        if not self.db.exists():
            return None
        if not self.db.is_file():
            raise sqlite3.OperationalError("it is not a regular file")
        uri = self.db.resolve().as_uri()
        for mode in ("mode=ro", "immutable=1"):
            conn = None
            try:
                conn = sqlite3.connect(f"{uri}?{mode}", uri=True, timeout=self.TIMEOUT_S, isolation_level=None)
                conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
                return conn
            except sqlite3.Error:
                if conn is not None:
                    conn.close()
                if mode == "immutable=1":
                    raise
        return None

    # -- state ---------------------------------------------------------------------------
    def _legacy_files(self) -> list[Path]:
        """The per-city Parquet files of the previous release still in the folder."""
        try:
            return sorted(p for p in self.folder.glob("*.parquet") if _CITY_ID.fullmatch(p.stem))
        except OSError:
            return []

    def version(self) -> tuple:
        """Changes whenever a city is committed, and when a legacy file appears or changes;
        all None for an empty store."""
        gen = None
        try:
            conn = self._reader()
            if conn is not None:
                with conn:
                    row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
                st = self.db.stat()
                conn.close()
                gen = (row[0] if row else None, st.st_dev, st.st_ino)
        except (sqlite3.Error, OSError):
            try:
                st = self.db.stat()
                gen = ("unreadable", st.st_mtime_ns, st.st_size)
            except OSError:
                gen = ("unreadable",)
        legacy = []
        for p in [*self._legacy_files(), self.home / self.LEGACY]:
            try:
                st = p.stat()
                legacy.append((p.name, st.st_mtime_ns, st.st_size))
            except OSError:
                pass
        return (gen, tuple(legacy) or None)

    def check_writable(self) -> None:
        """Raise RecommenderError now (before any download) if the store cannot be written."""
        try:
            self._connect().close()
        except (OSError, sqlite3.Error) as exc:
            raise RecommenderError(self._write_problem(exc)) from None

    def _write_problem(self, exc: Exception) -> str:
        """One sentence for a failed write of the database, named for what happened."""
        if isinstance(exc, OSError):
            return write_problem(exc, self.folder)
        name = getattr(exc, "sqlite_errorname", "") or ""
        try:
            full = shutil.disk_usage(self.folder).free < 1 << 20
        except OSError:
            full = False
        if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR") and full):
            return write_problem(OSError(errno.ENOSPC, str(exc)), self.folder)
        if name.startswith("SQLITE_READONLY") or (name.startswith("SQLITE_CANTOPEN") and not os.access(self.folder, os.W_OK)):
            return write_problem(OSError(errno.EROFS if name.startswith("SQLITE_READONLY") else errno.EACCES, str(exc)),
                                 self.folder)
        if name.startswith("SQLITE_IOERR") or name.startswith("SQLITE_CANTOPEN"):
            return write_problem(OSError(errno.EIO, "the file system failed the write"), self.folder)
        return (f"Cannot write {self.db}: {exc}. Move the damaged file aside (or choose another folder with "
                "RECOMMENDER_HOME) and refresh again; the embedded atlas is unaffected.")

    # -- writing -------------------------------------------------------------------------
    def write_city(self, frame: pd.DataFrame, city_id: str) -> None:
        """Store one city's 12 rows in one transaction (RecommenderError naming the path on failure)."""
        self.write_cities([(city_id, frame)])

    def write_cities(self, frames: Iterable[tuple[str, pd.DataFrame]]) -> int:
        """Commit each (city_id, 12 rows) in its own transaction, replacing what the city had;
        returns how many were committed. A failure raises RecommenderError; the cities
        committed before it stay."""
        done = 0
        try:
            conn = self._connect()
        except (OSError, sqlite3.Error) as exc:
            raise RecommenderError(self._write_problem(exc)) from None
        try:
            for city_id, frame in frames:
                self._commit(conn, self._encode(city_id, frame), replace=True)
                done += 1
                (self.folder / f"{city_id}.parquet").unlink(missing_ok=True)   # a legacy copy would be stale
        except (OSError, sqlite3.Error) as exc:
            raise RecommenderError(self._write_problem(exc)) from None
        finally:
            conn.close()
        return done

    @staticmethod
    def _commit(conn: sqlite3.Connection, row: tuple, replace: bool) -> None:
        """One city in one transaction (the generation counted up with it): replacing what the
        city had, or (`replace=False`, a migration) only when the city is not stored yet."""
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(f"INSERT OR {'REPLACE' if replace else 'IGNORE'} INTO cities VALUES (?, ?, ?, ?, ?, ?, ?)",
                         (*row, time.time()))
            conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise

    @staticmethod
    def _encode(city_id: str, frame: pd.DataFrame) -> tuple:
        """(city_id, period, layout, values, provenance codes, checksum) of one city's 12 rows."""
        from .climate.variables import PROVENANCE, SRC_COLUMNS, VARIABLES

        if not _CITY_ID.fullmatch(str(city_id)):
            raise ValueError(f"not a city id: {city_id!r}")
        month = frame["month"].to_numpy()
        order = np.argsort(month, kind="stable")
        if month[order].tolist() != list(range(1, _MONTHS + 1)):
            raise ValueError(f"city {city_id!r}: the store takes months 1–12 once each, not {sorted(month.tolist())}")
        v = np.ascontiguousarray(frame[VARIABLES].to_numpy(dtype="<f8")[order]).tobytes()
        codes = _provenance_index(PROVENANCE).get_indexer(frame[SRC_COLUMNS].to_numpy(dtype=object)[order].ravel())
        s = np.where(codes < 0, 255, codes).astype(np.uint8).tobytes()
        layout = ",".join(VARIABLES) + ";" + ",".join(PROVENANCE)
        return city_id, str(frame["period"].iloc[0]), layout, v, s, zlib.crc32(v + s)

    # -- reading -------------------------------------------------------------------------
    def read(self, columns: list[str]) -> tuple[pd.DataFrame | None, list[str]]:
        """All stored cities and a warning for each that cannot be read (left out, the others
        kept); None when the store is empty. Legacy files are migrated first (or, in a folder
        that cannot be written, read as they are, below the database's cities)."""
        warnings: list[str] = []
        legacy = self._migrate(warnings)
        frames = []
        try:
            conn = self._reader()
        except (OSError, sqlite3.Error) as exc:
            conn = None
            warnings.append(f"The refreshed store {self.db} is unreadable ({type(exc).__name__}: {exc}). Move it "
                            "aside and run `python -m recommender refresh` again; the embedded atlas is unaffected.")
        if conn is not None:
            try:
                frames.append(self._read_db(conn, warnings))
            finally:
                conn.close()
        if legacy is not None and len(legacy):
            have = set(frames[0]["city_id"]) if frames else set()
            frames.append(legacy[~legacy["city_id"].isin(have)])
        frames = [f for f in frames if len(f)]
        if not frames:
            return None, warnings
        out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        return out[columns], warnings

    def _read_db(self, conn: sqlite3.Connection, warnings: list[str]) -> pd.DataFrame:
        try:
            schema = conn.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        except sqlite3.DatabaseError:
            schema = None
        if schema is not None and str(schema[0]) != SCHEMA_VERSION:
            warnings.append(f"The refreshed store {self.db} was written by another release (schema "
                            f"{str(schema[0])[:20]!r}; this one writes {SCHEMA_VERSION!r}): its cities are read by "
                            "their recorded layout where they can be. Refresh again to rewrite them.")
        sql = "SELECT city_id, period, layout, v, s, crc FROM cities"
        try:
            rows = conn.execute(sql + " ORDER BY city_id").fetchall()
        except sqlite3.DatabaseError:
            rows = self._salvage(conn, sql, warnings)
        by_layout: dict[str, list[tuple]] = {}
        for r in rows:                                  # one layout, unless the variables changed between writes
            by_layout.setdefault(r[2] if isinstance(r[2], str) else "", []).append(r)
        frames = [self._decode(group, layout, warnings) for layout, group in by_layout.items()]
        return pd.concat(frames, ignore_index=True) if frames else self._decode([], "", warnings)

    def _salvage(self, conn: sqlite3.Connection, sql: str, warnings: list[str]) -> list[tuple]:
        """The rows that can still be read from a database with damaged pages, in chunks of
        rowids; the cities lost are named when the id index can still be read."""
        rows: list[tuple] = []
        try:
            top = conn.execute("SELECT max(rowid) FROM cities").fetchone()[0] or 0
        except sqlite3.DatabaseError:
            top = 0
        step = 64
        for lo in range(1, min(top, 50_000_000) + 1, step):
            try:
                rows += conn.execute(sql + " WHERE rowid BETWEEN ? AND ?", (lo, lo + step - 1)).fetchall()
            except sqlite3.DatabaseError:
                for rid in range(lo, lo + step):
                    try:
                        rows += conn.execute(sql + " WHERE rowid = ?", (rid,)).fetchall()
                    except sqlite3.DatabaseError:
                        pass
        try:
            listed = {r[0] for r in conn.execute("SELECT city_id FROM cities INDEXED BY sqlite_autoindex_cities_1")}
        except sqlite3.DatabaseError:
            listed = set()
        lost = sorted(listed - {r[0] for r in rows})
        for cid in lost[:20]:
            warnings.append(self._damaged(cid))
        if len(lost) > 20 or not listed:
            warnings.append(f"The refreshed store {self.db} is damaged: {len(rows):,} cities were read, "
                            f"{len(lost) - 20 if listed else 'an unknown number of'} others lost. Refresh them again "
                            "(`python -m recommender refresh`) or move the file aside; the cities read are kept.")
        return rows

    def _damaged(self, city_id: str) -> str:
        return (f"Refreshed data for '{city_id}' ignored, the other cities kept: its entry in {self.db} is damaged. "
                f"Refresh that city again (`python -m recommender refresh --city {city_id}`).")

    def _decode(self, rows: list[tuple], layout: str, warnings: list[str]) -> pd.DataFrame:
        """Rows of one layout as a normals frame (12 per city), vectorised, mapped by variable and
        provenance name to today's; an entry whose size or checksum is wrong is named in
        `warnings` and left out."""
        from .climate.variables import PROVENANCE, VARIABLES, src_column

        names, _, kinds = layout.partition(";")
        stored_vars, provenance = names.split(","), kinds.split(",")
        n = len(stored_vars)
        good = []
        for r in rows:
            cid, _period, _layout, v, s, crc = r
            if (not isinstance(v, bytes) or not isinstance(s, bytes) or len(v) != _MONTHS * n * 8
                    or len(s) != _MONTHS * n or zlib.crc32(v + s) != crc):
                warnings.append(self._damaged(cid))
            else:
                good.append(r)
        k = len(good)
        out = {"city_id": np.repeat(np.array([r[0] for r in good], dtype=object), _MONTHS),
               "month": np.tile(np.arange(1, _MONTHS + 1), k)}
        values = np.frombuffer(b"".join(r[3] for r in good), dtype="<f8").reshape(k * _MONTHS, n)
        codes = np.frombuffer(b"".join(r[4] for r in good), dtype=np.uint8).reshape(k * _MONTHS, n)
        recode = np.array([PROVENANCE.index(p) if p in PROVENANCE else -1 for p in provenance] +
                          [-1] * (256 - len(provenance)), dtype=np.int8)   # stored code → today's code
        for v in VARIABLES:
            if v in stored_vars:
                j = stored_vars.index(v)
                out[v] = values[:, j].astype(float)
                src = recode[codes[:, j]]
            else:                                   # a variable added since the city was stored
                out[v] = np.full(k * _MONTHS, np.nan)
                src = np.full(k * _MONTHS, PROVENANCE.index("missing"), dtype=np.int8)
            out[src_column(v)] = pd.Categorical.from_codes(src, categories=list(PROVENANCE))
        out["period"] = np.repeat(np.array([r[1] for r in good], dtype=object), _MONTHS)
        return pd.DataFrame(out)

    # -- migration -----------------------------------------------------------------------
    def _migrate(self, warnings: list[str]) -> pd.DataFrame | None:
        """Move the legacy files' cities into the database (a city the database already has
        keeps its newer rows) and delete the per-city files moved; the single file of the first
        release is kept and remembered. Returns the legacy cities when the database cannot be
        written (they are then read from the files), else None."""
        from .climate.variables import NORMALS_COLUMNS

        files = self._legacy_files()
        single = self.home / self.LEGACY
        single_state = None
        if single.is_file():
            st = single.stat()
            single_state = f"{st.st_mtime_ns}:{st.st_size}"
        if not files and single_state is None:
            return None
        try:
            conn = self._reader()
            if single_state is not None and conn is not None:
                row = conn.execute("SELECT value FROM meta WHERE key = 'legacy_single'").fetchone()
                if row and row[0] == single_state:
                    single_state = None          # migrated before
            if conn is not None:
                conn.close()
        except (OSError, sqlite3.Error):
            pass
        if not files and single_state is None:
            return None
        frames: dict[str, pd.DataFrame] = {}
        sources: dict[str, Path] = {}
        if single_state is not None:
            try:
                df = pd.read_parquet(single)
                self._require(df, NORMALS_COLUMNS)
                for cid, rows in df[NORMALS_COLUMNS].groupby("city_id", sort=True):
                    frames[str(cid)] = rows
            except Exception as exc:  # pyarrow raises several types for a damaged file
                warnings.append(f"The refreshed store {single} is unreadable ({_why(exc)}). Delete it or run "
                                "`python -m recommender refresh` again; the embedded atlas is unaffected.")
        for p in files:
            try:
                df = pd.read_parquet(p)
                self._require(df, NORMALS_COLUMNS)
                frames[p.stem] = df[NORMALS_COLUMNS].assign(city_id=p.stem)
                sources[p.stem] = p
            except Exception as exc:
                warnings.append(f"Refreshed data for '{p.stem}' ignored, the other cities kept: {p} is unreadable "
                                f"({_why(exc)}). Delete it or refresh that city again.")
        try:
            conn = self._connect()
        except (OSError, sqlite3.Error):
            return pd.concat(frames.values(), ignore_index=True) if frames else None
        try:
            for cid, frame in frames.items():
                try:
                    row = self._encode(cid, frame)
                except (ValueError, KeyError, TypeError) as exc:
                    warnings.append(f"Refreshed data for '{cid}' ignored, the other cities kept: its legacy file "
                                    f"cannot be moved into {self.db} ({exc}). Refresh that city again.")
                    continue
                self._commit(conn, row, replace=False)
                if cid in sources:
                    sources[cid].unlink(missing_ok=True)
            if single_state is not None:
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('legacy_single', ?)", (single_state,))
        except (OSError, sqlite3.Error) as exc:
            warnings.append(f"The legacy refreshed files could not all be moved into {self.db} "
                            f"({type(exc).__name__}); they are kept and read again next time.")
        finally:
            conn.close()
        return None

    @staticmethod
    def _require(df: pd.DataFrame, columns: list[str]) -> None:
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise AtlasError(f"lacks the columns {', '.join(missing)}")
