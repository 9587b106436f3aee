"""The CLI's JSON contract, pinned byte for byte (tests/golden/, one file per command).

The goldens were first written by the release before the restructure (issue 7) and matched it
byte for byte; they were rewritten once when the atlas gained gridded data (issue 8), which
changed numbers (wind now present, humidity gridded instead of imputed) but no key or type.
After an intended data change: `python tests/test_cli_contract.py --regenerate`, and review
the diff."""

import subprocess
import sys

import pytest

try:
    from conftest import REPO
except ImportError:   # run as a script to regenerate
    from pathlib import Path

    REPO = Path(__file__).resolve().parent.parent

GOLDEN = REPO / "tests" / "golden"
COMMANDS = [
    "recommend --home urumqi --month 1",
    "recommend --home karachi --month 7 --country CN",
    "recommend --home lahore --month 4 --style tci",
    "recommend --home puyang --month 1",
    "recommend --home urumqi --month 7 --second-degree --style beach --band 18-24",
    "profile --city karachi --style tci",
    "profile --city urumqi",
    "windows --home urumqi --partner karachi --year 2027",
    "windows --home beijing --partner islamabad --style beach --year 2027",
    "profile --city karachi --daily",
    "plan --home urumqi --from 2027-02-06 --to 2027-02-12",
]
# Commands whose goldens predate new keys (issue 18: dates, fortnights, holidays): every key the
# golden holds keeps its value; the command may add keys.
EXTENDED = [
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


def keeps(new, old) -> bool:
    """Every key of `old`, at every level, is in `new` with the same value; `new` may add keys (a
    city object gains a `name_<lang>` key per language that has its name)."""
    if isinstance(old, dict):
        return isinstance(new, dict) and all(k in new and keeps(new[k], v) for k, v in old.items())
    if isinstance(old, list):
        return isinstance(new, list) and len(new) == len(old) and all(keeps(n, o) for n, o in zip(new, old))
    return new == old


def test_keeps_accepts_added_keys_only():
    assert keeps({"a": {"id": 1, "name_ru": "x"}, "b": [1]}, {"a": {"id": 1}, "b": [1]})
    assert not keeps({"a": {"id": 2}}, {"a": {"id": 1}}) and not keeps({"b": [1, 2]}, {"b": [1]})
    assert not keeps({}, {"a": 1})


@pytest.mark.parametrize("command", EXTENDED)
def test_existing_keys_keep_their_values(command):
    import json

    p = subprocess.run([sys.executable, "-m", "recommender", *command.split(), "--format", "json"],
                       capture_output=True, cwd=REPO)
    assert p.returncode == 0, p.stderr.decode()
    new, old = json.loads(p.stdout), json.loads((GOLDEN / golden_name(command)).read_bytes())
    assert keeps(new, old)
    assert {"a_to_b_dates", "b_to_a_dates", "best_fortnight", "holidays"} <= set(new)


if __name__ == "__main__":
    if sys.argv[1:] == ["--regenerate"]:
        for command in COMMANDS:
            out = subprocess.run([sys.executable, "-m", "recommender", *command.split(), "--format", "json"],
                                 capture_output=True, cwd=REPO, check=True).stdout
            (GOLDEN / golden_name(command)).write_bytes(out)
