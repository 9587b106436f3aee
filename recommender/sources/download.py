"""Bounded downloads: one wall-clock deadline, a byte cap and a decompressed-size cap for every
request a refresh makes.

meteostat reads its daily files through pandas, which calls `urllib.request.urlopen` without a
timeout and reads the whole body into memory; it downloads the station list with `requests`
into a file, honouring only a per-read timeout. Neither bounds the time, the size, or what a
gzip file inflates to. So:

- `install()` puts handlers into urllib's opener (the documented extension point, once per
  process) that open every http(s) request with a timeout no longer than the time left, read
  the body chunk by chunk under the deadline and the byte cap, and refuse a gzip body that
  would inflate beyond the cap (measured by streaming inflation in bounded steps, never by
  inflating it whole). A failure raises a `DownloadError` naming what happened.
- `fetch_file(urls, path, limits)` downloads the station list the same way, streaming into a
  temporary file beside `path` (renamed over it when complete), so meteostat finds a fresh
  file and never downloads it itself.
- `using(limits)` sets the limits of the calling thread (a refresh sets them in each worker);
  a thread without limits gets `DEFAULT`.

Sizes in bytes, times in seconds (monotonic clock for deadlines).
"""

from __future__ import annotations

import errno
import http.client
import io
import os
import socket
import threading
import time
import urllib.error
import urllib.request
import urllib.response
import zlib
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

# Problem codes (the refresh turns them into words).
TOO_SLOW = "too_slow"            # the server answered too slowly for the deadline
TOO_LARGE = "too_large"          # the body exceeded the byte cap
BOMB = "bomb"                    # the gzip body would inflate beyond the decompressed cap
DISK_FULL = "disk_full"          # the download could not be written: no space
HTTP_STATUS = "http_status"      # the server answered with an HTTP error
NOT_HTTP = "not_http"            # the server answered with something that is not HTTP (a bad status line, endless headers)
UNREACHABLE = "unreachable"      # refused, reset, no route, no name

CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    """What one request may take: `deadline` (monotonic s, None = none) bounds every request of a
    run; `timeout_s` each connect and read; `max_bytes` the body as sent; `max_inflated` what a
    gzip body may inflate to; `max_total` what all the bodies read inside one `using` block (a
    city's daily files) may come to together, inflated (None: no such bound). meteostat parses
    every file it gets in memory, several times its size: the per-file caps alone let files just
    under them take a refresh to 6.4 GB."""

    deadline: float | None = None
    timeout_s: float = 30.0
    max_bytes: int = 64 * 1024 * 1024
    max_inflated: int = 256 * 1024 * 1024
    max_total: int | None = None

    @classmethod
    def for_run(cls, deadline_s: float, timeout_s: float, **caps) -> "Limits":
        return cls(deadline=time.monotonic() + deadline_s, timeout_s=float(timeout_s), **caps)

    def until(self, deadline: float | None) -> "Limits":
        """These limits with the earlier of the two deadlines."""
        if deadline is None or (self.deadline is not None and self.deadline <= deadline):
            return self
        return replace(self, deadline=deadline)

    def capped(self, caps: "Limits") -> "Limits":
        """These limits' deadline and timeout with the byte caps of `caps`."""
        return replace(self, max_bytes=caps.max_bytes, max_inflated=caps.max_inflated, max_total=caps.max_total)

    def timeout(self, url: str) -> float:
        """Seconds the next connect or read may take; DownloadError(TOO_SLOW) when none is left."""
        if self.deadline is None:
            return self.timeout_s
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise DownloadError(TOO_SLOW, url, "no complete answer before the deadline (the server is too slow)")
        return min(self.timeout_s, left)


DEFAULT = Limits()
# A station-year daily file is ~20 kB as sent and ~40–80 kB inflated (365 rows × 22 columns); a
# city's 30 years from 4 stations 5–10 MB. The caps are ~100× one file and ~2× a data-rich city:
# meteostat's parse holds ~15× what it reads (bench_hostile_servers: 32 MiB of rows took 547 MiB).
DAILY_FILE = Limits(max_bytes=2 * 1024 * 1024, max_inflated=4 * 1024 * 1024, max_total=16 * 1024 * 1024)
STATION_LIST = Limits(max_bytes=512 * 1024 * 1024, max_inflated=512 * 1024 * 1024)   # ~100 MB today


class DownloadError(Exception):
    """A download that failed; `problem` is one of the codes above. Not an OSError or URLError on
    purpose: a server that answered too slowly or too much is not a network fault."""

    def __init__(self, problem: str, url: str, detail: str):
        super().__init__(detail)
        self.problem, self.url, self.detail = problem, url, detail


_local = threading.local()


def current() -> Limits:
    return getattr(_local, "limits", None) or DEFAULT


@contextmanager
def using(limits: Limits):
    """Apply `limits` to every download of the calling thread for the block."""
    saved = getattr(_local, "limits", None), getattr(_local, "spent", 0)
    _local.limits, _local.spent = limits, 0          # bytes read in this block (inflated), for max_total
    try:
        yield limits
    finally:
        _local.limits, _local.spent = saved


# ---------------------------------------------------------------------------- reading a body


def _set_timeout(resp, seconds: float) -> None:
    """Bound the next socket read of an http.client response."""
    sock = getattr(getattr(getattr(resp, "fp", None), "raw", None), "_sock", None)
    if sock is not None:
        try:
            sock.settimeout(seconds)
        except OSError:
            pass


def _read_chunks(resp, url: str, limits: Limits):
    """Yield the body in chunks under the deadline and the byte cap."""
    total = 0
    declared = resp.headers.get("Content-Length") if resp.headers else None
    if declared and declared.isdigit() and int(declared) > limits.max_bytes:
        raise DownloadError(TOO_LARGE, url, f"the response announces {int(declared):,} bytes, more than the "
                                            f"{limits.max_bytes:,} allowed")
    read = getattr(resp, "read1", None) or resp.read
    while True:
        _set_timeout(resp, limits.timeout(url))
        try:
            chunk = read(CHUNK)
        except (socket.timeout, TimeoutError):
            limits.timeout(url)            # past the deadline: TOO_SLOW names it
            raise DownloadError(TOO_SLOW, url, f"no data for {limits.timeout_s:g} s (the server is too slow)") from None
        except (http.client.IncompleteRead, ConnectionError) as exc:
            raise DownloadError(UNREACHABLE, url, f"the connection broke off ({type(exc).__name__})") from None
        if not chunk:
            return
        total += len(chunk)
        if total > limits.max_bytes:
            raise DownloadError(TOO_LARGE, url, f"the response is larger than the {limits.max_bytes:,} bytes allowed")
        yield chunk


class _Inflation:
    """Counts what a gzip stream inflates to, in bounded steps (zlib's max_length), without
    keeping the output; raises DownloadError(BOMB) past the cap."""

    def __init__(self, url: str, cap: int, room: int | None = None, total: int | None = None):
        self.url, self.cap, self.room, self.total, self.out = url, cap, room, total, 0
        self.d = zlib.decompressobj(16 + zlib.MAX_WBITS)

    def feed(self, data: bytes) -> None:
        while data and not self.d.eof:
            part = self.d.decompress(data, CHUNK)
            self.out += len(part)
            if self.out > self.cap:
                raise DownloadError(BOMB, self.url, f"the gzip file inflates to more than the {self.cap:,} bytes "
                                                    "allowed (refused without inflating it)")
            if self.room is not None and self.out > self.room:
                raise DownloadError(TOO_LARGE, self.url, "it inflates, " + _over_total(self.total or 0))
            data = self.d.unconsumed_tail
            if self.d.eof and self.d.unused_data:     # a multi-member gzip file: count the next member too
                rest = self.d.unused_data
                self.d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                data = rest


def _is_gzip(url: str, headers) -> bool:
    enc = (headers.get("Content-Encoding") or "").lower() if headers else ""
    return enc in ("gzip", "x-gzip") or url.split("?")[0].endswith(".gz")


def copy_body(resp, url: str, limits: Limits, sink) -> None:
    """Write the body to `sink` chunk by chunk under the limits (at most max_bytes); a gzip body's
    inflated size is measured on the way and refused past max_inflated, and what the block's
    bodies come to together past max_total."""
    spent = getattr(_local, "spent", 0) if limits.max_total is not None else 0
    room = None if limits.max_total is None else max(0, limits.max_total - spent)
    inflation = _Inflation(url, limits.max_inflated, room, limits.max_total) if _is_gzip(url, resp.headers) else None
    plain = 0
    for chunk in _read_chunks(resp, url, limits):
        if inflation is not None:
            try:
                inflation.feed(chunk)
            except zlib.error:
                inflation = None             # not gzip after all: the reader says what it is
        plain += len(chunk)
        if room is not None and inflation is None and plain > room:
            raise DownloadError(TOO_LARGE, url, _over_total(limits.max_total))
        sink.write(chunk)
    if limits.max_total is not None:
        _local.spent = spent + (inflation.out if inflation is not None else plain)


def _over_total(cap: int) -> str:
    return (f"with the files before it, more than the {cap:,} bytes allowed for one city "
            "(far more than a real city's daily files)")


def read_body(resp, url: str, limits: Limits) -> bytes:
    """The whole body in memory, bounded as `copy_body` bounds it."""
    buf = io.BytesIO()
    copy_body(resp, url, limits, buf)
    return buf.getvalue()


# ---------------------------------------------------------------------------- urllib handlers


class _Watched:
    """A connection whose socket is shut down when the thread's deadline passes while the status
    line and headers are still coming: http.client reads them with a per-read timeout only, so a
    server sending them a byte a second held a run past its deadline (for ever, with endless
    headers). The watch ends once the headers are read; the body is read under the deadline."""

    _watch: threading.Timer | None = None

    def connect(self):
        super().connect()
        deadline = current().deadline
        if deadline is not None:
            self._watch = threading.Timer(max(0.0, deadline - time.monotonic()), self._expire)
            self._watch.daemon = True
            self._watch.start()

    def _expire(self) -> None:
        sock = self.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)     # the blocked read returns: the caller sees the deadline passed
            except OSError:
                pass

    def _unwatch(self) -> None:
        if self._watch is not None:
            self._watch.cancel()
            self._watch = None

    def getresponse(self):
        try:
            return super().getresponse()
        finally:
            self._unwatch()

    def close(self):
        self._unwatch()
        super().close()


class _WatchedHTTP(_Watched, http.client.HTTPConnection):
    pass


class _WatchedHTTPS(_Watched, http.client.HTTPSConnection):
    pass


class _HTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        req.timeout = current().timeout(req.full_url)
        return _open(self, _WatchedHTTP, req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        req.timeout = current().timeout(req.full_url)
        return _open(self, _WatchedHTTPS, req, context=self._context)


def _open(handler, conn_class, req, **kw):
    """do_open, with what can go wrong before the body named: past the deadline or no answer in
    time is TOO_SLOW, an answer that is not HTTP is NOT_HTTP; a refused or broken connection stays
    urllib's URLError or an OSError (the network)."""
    url = req.full_url
    try:
        return handler.do_open(conn_class, req, **kw)
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, (socket.timeout, TimeoutError)):
            current().timeout(url)
            raise DownloadError(TOO_SLOW, url, "the server did not answer in time (too slow)") from None
        raise
    except (http.client.HTTPException, OSError) as exc:
        current().timeout(url)                     # the deadline passed (the watch shut the socket): TOO_SLOW
        if isinstance(exc, (socket.timeout, TimeoutError)):
            raise DownloadError(TOO_SLOW, url, f"no answer for {current().timeout_s:g} s (the server is too slow)") from None
        if isinstance(exc, ConnectionError):
            raise DownloadError(UNREACHABLE, url, f"the connection broke off before an answer ({type(exc).__name__})") from None
        if isinstance(exc, http.client.HTTPException):
            raise DownloadError(NOT_HTTP, url, f"the server's answer is not valid HTTP ({type(exc).__name__}: "
                                               f"{one_line(exc)})") from None
        raise


def one_line(exc: BaseException, limit: int = 80) -> str:
    """An exception's (or a server's) text on one line, shortened, control characters escaped:
    what a server sent may be anything."""
    from ..errors import shown

    return shown(" ".join(str(exc).split()), limit)[1:-1]


class _BoundedBody(urllib.request.BaseHandler):
    """Reads each successful response's body under the limits and hands on a copy in memory."""

    handler_order = 900            # before HTTPErrorProcessor (1000): error statuses pass untouched

    def http_response(self, req, resp):
        if not 200 <= resp.status < 300:
            return resp
        body = read_body(resp, req.full_url, current())
        resp.close()
        out = urllib.response.addinfourl(io.BytesIO(body), resp.headers, resp.url, resp.status)
        out.msg = resp.msg
        return out

    https_response = http_response


_installed = threading.Lock()
_opener = None


def install() -> None:
    """Bound every urllib download of this process (idempotent). The one process-wide change:
    urllib's opener gains these handlers; a thread without `using(...)` gets DEFAULT."""
    global _opener
    with _installed:
        if _opener is None:
            _opener = urllib.request.build_opener(_HTTPHandler, _HTTPSHandler, _BoundedBody)
            urllib.request.install_opener(_opener)


# ---------------------------------------------------------------------------- files


def fetch_file(urls: list[str], path: Path, limits: Limits) -> str:
    """Download the first of `urls` that answers into `path` (a temporary file beside it,
    renamed over it when complete: a half download is never left as the file). Returns the URL
    used. Raises DownloadError naming the last failure; DISK_FULL with the path when the disk
    is full."""
    from ..storage import MARKER

    install()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    last: DownloadError | None = None
    for url in urls:
        tmp = path.parent / f".{path.name}.{MARKER}-{os.getpid()}-{threading.get_ident()}.tmp"
        try:
            req = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
            with using(limits):
                resp = _open_streaming(req, limits)
            with resp, open(tmp, "wb") as f:
                copy_body(resp, url, limits, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
            return url
        except DownloadError as exc:
            last = exc
            if exc.problem == TOO_SLOW and limits.deadline is not None and time.monotonic() >= limits.deadline:
                break                      # no time left for another mirror
        except urllib.error.HTTPError as exc:
            last = DownloadError(HTTP_STATUS, url, f"the server answered HTTP {exc.code} {one_line(exc.reason)}")
        except urllib.error.URLError as exc:
            last = DownloadError(UNREACHABLE, url, f"cannot connect ({exc.reason})")
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise DownloadError(DISK_FULL, url, f"the disk is full: cannot write {path}") from None
            last = DownloadError(UNREACHABLE, url, f"{exc.strerror or type(exc).__name__}")
        finally:
            tmp.unlink(missing_ok=True)
    raise last or DownloadError(UNREACHABLE, "", "no address to download from")


def _open_streaming(req, limits: Limits):
    """Open `req` with urllib's standard handlers and our timeout, without reading the body (the
    caller streams it into a file)."""
    opener = urllib.request.build_opener(_HTTPHandler, _HTTPSHandler)
    return opener.open(req, timeout=limits.timeout(req.full_url))
