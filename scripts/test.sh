#!/usr/bin/env bash
# Installs what the tests need — Debian's Chromium (for the browser test) and the package with its
# `test` extra at the tested versions (pyproject.toml, requirements.lock) — then runs ruff and the
# whole suite. Extra arguments go to pytest (e.g. `bash scripts/test.sh -m unit`, `-m "not slow"`,
# `-k atlas`).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium for the browser test, fonts that draw Chinese, Japanese and Urdu in its
# screenshots, HAProxy for the serving test (tests/test_serve.py) and GNU time, which measures a
# refresh's peak memory under hostile servers (tests/test_downloads.py).
if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/noto ] || [ ! -x /usr/sbin/haproxy ] \
    || [ ! -x /usr/bin/time ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian's Chromium, Noto fonts, HAProxy and GNU time for the browser, serving and download tests…"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-core haproxy time >/dev/null
fi

# Editable: the package reads data/ beside it (pyproject.toml). The lock pins the tested versions;
# the check fails when a dependency changed in pyproject.toml without `python3 scripts/lock.py`.
python3 -m pip install -q --disable-pip-version-check -c requirements.lock -e '.[test]'
python3 scripts/lock.py --check

# The linter (rules in pyproject.toml [tool.ruff]): any finding fails the run before the tests.
python3 -m ruff check --quiet .
exec python3 -m pytest "$@"
