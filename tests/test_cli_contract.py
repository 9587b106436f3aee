"""The CLI's JSON contract, pinned byte for byte against the output of the release before the
restructure (tests/golden/, one file per command)."""

import subprocess
import sys

import pytest

from conftest import REPO

GOLDEN = REPO / "tests" / "golden"
COMMANDS = [
    "recommend --home urumqi --month 1",
    "recommend --home karachi --month 7 --country CN",
    "recommend --home lahore --month 4 --style tci",
    "recommend --home puyang --month 1",
    "recommend --home urumqi --month 7 --second-degree --style beach --band 18-24",
    "profile --city karachi --style tci",
    "profile --city urumqi",
    "windows --home urumqi --partner karachi",
    "windows --home beijing --partner islamabad --style beach",
]


def golden_name(command: str) -> str:
    return command.replace(" ", "_").replace("-", "") + ".json"


@pytest.mark.parametrize("command", COMMANDS)
def test_json_output_is_exactly_as_before(command):
    p = subprocess.run([sys.executable, "-m", "recommender", *command.split(), "--format", "json"],
                       capture_output=True, cwd=REPO)
    assert p.returncode == 0, p.stderr.decode()
    assert p.stdout == (GOLDEN / golden_name(command)).read_bytes()
