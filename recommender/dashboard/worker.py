"""A dashboard worker: Streamlit's server for app.py, warmed up while it starts.

    python -m recommender.dashboard.worker --server.port 8502 …     (the options of `streamlit run`)

Beside the server, a background thread imports the pages' modules and reads the prepared scored
atlas (recommender/prepared.py) and the language data, so the first visitor's page does not wait
for them (scripts/serve.sh starts its workers so). `streamlit run app.py` works as before; it
only pays that start-up on its first page.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"


def _port(argv: list[str]) -> int:
    for k, a in enumerate(argv):
        if a == "--server.port" and k + 1 < len(argv):
            return int(argv[k + 1])
        if a.startswith("--server.port="):
            return int(a.split("=", 1)[1])
    return 8501


def _listening(port: int, deadline_s: float = 30.0) -> None:
    """Wait until the server accepts connections (its start comes first: the browser then loads
    the front end while the warm-up runs)."""
    import socket
    import time

    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)


def warm_up(port: int | None = None) -> None:
    """Import what the pages import and load what their first run reads (errors are left for the
    page to report: a worker with a damaged atlas still starts and says so on the page)."""
    if port:
        _listening(port)
    try:
        import plotly.graph_objects  # noqa: F401

        from ..prepared import recommender
        from ..present import charts, chart_text, i18n  # noqa: F401
        from ..recommend import Recommender
        from . import shared  # noqa: F401

        i18n.preload()
        recommender(Recommender)
    except Exception:       # the page's own load shows the reason, once, to the person who asked
        pass


def main(argv: list[str] | None = None) -> None:
    from streamlit.web import cli

    args = sys.argv[1:] if argv is None else argv
    threading.Thread(target=warm_up, args=(_port(args),), name="warm-up", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *args]
    cli.main()


if __name__ == "__main__":
    main()
