"""Many people at once (recommender/serve.py): dashboard and API workers behind Debian's HAProxy,
started by `python -m recommender serve` — sticky sessions, the websocket through the proxy, the
API under /api/, a killed worker restarted while its visitors are sent to a live one, and Ctrl-C
stopping everything it started."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO
from meteostat_mirror import free_port

pytestmark = pytest.mark.slow
HAPROXY = Path("/usr/sbin/haproxy")


def get(url: str, cookie: str | None = None):
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=10) as r:
        return r.status, r.headers, r.read()        # case-insensitive (HAProxy sends names in lower case)


def workers(run_dir: Path) -> dict[str, tuple[str, int, int]]:
    rows = (ln.split("\t") for ln in (run_dir / "workers.tsv").read_text().splitlines() if ln)
    return {name: (kind, int(port), int(pid)) for name, kind, port, pid in rows}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    assert HAPROXY.exists(), "Debian's haproxy is missing: run `bash scripts/test.sh`, which installs it"
    run_dir, port = tmp_path_factory.mktemp("serve"), free_port()
    proc = subprocess.Popen([sys.executable, "-m", "recommender", "serve", "--workers", "2", "--api-workers", "1",
                             "--port", str(port), "--run-dir", str(run_dir)], cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)}, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 180
    for line in proc.stdout:
        if line.startswith("ready:") or time.monotonic() > deadline:
            break
    assert line.startswith("ready:"), line + proc.stdout.read() if proc.poll() is not None else line
    yield proc, f"http://127.0.0.1:{port}", run_dir
    if proc.poll() is None:                   # a test before Ctrl-C's failed: stop it as a person would, then be sure
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
    for _kind, _port, pid in workers(run_dir).values():
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def test_the_dashboard_is_sticky_and_its_websocket_passes_the_proxy(served):
    _proc, url, _run = served
    seen = {get(url + "/")[1]["X-Served-By"] for _ in range(6)}
    assert seen == {"w1", "w2"}                                      # both workers take new visitors
    status, headers, _ = get(url + "/")
    assert status == 200 and "SRV=" in headers["Set-Cookie"]
    assert {get(url + "/", cookie="SRV=w2")[1]["X-Served-By"] for _ in range(4)} == {"w2"}   # pinned
    sys.path.insert(0, str(REPO / "benchmarks"))
    from bench_load import Session

    s = Session(url, "home=urumqi&month=1")                          # Streamlit's protocol through HAProxy
    assert "Karachi is the most comfortable" in s.headline
    s.run([("month", "July")])
    assert s.headline.startswith("In July")
    s.ws.close()


def test_the_api_is_served_under_api(served):
    _proc, url, _run = served
    req = urllib.request.Request(url + "/api/v1/recommend?home=karachi&month=7", headers={"Origin": "https://x.org"})
    with urllib.request.urlopen(req, timeout=10) as r:
        status, headers, body = r.status, r.headers, r.read()
    assert headers["Access-Control-Allow-Origin"] == "*" and headers["ETag"]
    doc = json.loads(body)
    assert status == 200 and doc["home"]["id"] == "karachi" and headers["X-Served-By"] == "api1"
    assert get(url + "/api/docs")[0] == 200 and "/v1/windows" in json.loads(get(url + "/api/openapi.json")[2])["paths"]
    with pytest.raises(urllib.error.HTTPError) as bad:
        get(url + "/api/v1/recommend?home=karachi&month=0")
    assert bad.value.code == 400 and json.loads(bad.value.read())["error"]["parameter"] == "month"


def test_a_killed_worker_is_restarted_and_its_visitors_go_to_a_live_one_meanwhile(served):
    _proc, url, run_dir = served
    kind, port, pid = workers(run_dir)["w1"]
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while True:                                        # redispatched to w2 while w1 is down (or back)
        try:
            status, headers, _ = get(url + "/", cookie="SRV=w1")
            if status == 200:
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "no live worker answered a visitor pinned to the dead one"
        time.sleep(0.2)
    deadline = time.monotonic() + 90
    while True:                                        # w1 is started again on its port and back in service
        now = workers(run_dir)["w1"]
        if now[2] != pid and alive(now[2]):
            try:
                if get(url + "/", cookie="SRV=w1")[1]["X-Served-By"] == "w1":
                    break
            except OSError:
                pass
        assert time.monotonic() < deadline, "w1 was not started again"
        time.sleep(0.5)
    assert now[1] == port


def test_ctrl_c_stops_every_worker_and_haproxy(served):
    proc, url, run_dir = served
    pids = [pid for _kind, _port, pid in workers(run_dir).values()]
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "stopped" in out
    deadline = time.monotonic() + 10
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [p for p in pids if alive(p)]
    with pytest.raises(OSError):
        get(url + "/")


def test_a_port_in_use_is_one_error_line():
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        p = subprocess.run([sys.executable, "-m", "recommender", "serve", "--port", str(busy.getsockname()[1])],
                           cwd=REPO, capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.strip().startswith("error: Cannot listen on 127.0.0.1:")
    assert "Traceback" not in p.stderr
