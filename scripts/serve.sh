#!/usr/bin/env bash
# Many people at once: N dashboard workers and N API workers behind HAProxy on one port.
#
#     bash scripts/serve.sh --workers 2 --port 8501      # then http://127.0.0.1:8501/ and /api/docs
#
# Installs what is needed — Debian's haproxy and the package at the tested versions (as the Quick
# start does) — then runs `python3 -m recommender serve` with the arguments given (see
# `python3 -m recommender serve --help`; --host 0.0.0.0 to serve other machines). Ctrl-C stops
# every worker and HAProxy.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v haproxy >/dev/null && [ ! -x /usr/sbin/haproxy ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Debian's haproxy…"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq haproxy >/dev/null
fi
python3 -m pip install -q --disable-pip-version-check -c requirements.lock -e .
exec python3 -m recommender serve "$@"
