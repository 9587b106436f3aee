#!/usr/bin/env bash
# Installs what the tests need — Debian's Chromium (for the browser test) and the Python
# packages in requirements.txt + requirements-test.txt — then runs the whole suite.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -k atlas`).
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian's Chromium for the browser test, and fonts that draw Chinese and Urdu in its screenshots.
if [ ! -x /usr/bin/chromium ] || [ ! -d /usr/share/fonts/opentype/noto ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian's Chromium and Noto fonts for the browser test…"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium fonts-noto-cjk fonts-noto-core >/dev/null
fi

python3 -m pip install -q --disable-pip-version-check -r requirements.txt -r requirements-test.txt
exec python3 -m pytest "$@"
