#!/usr/bin/env bash
# Mutation testing of the science and the rules (issue 16), a maintainer tool — not part of the
# test suite or its dependencies. It asks: would the unit tests fail if this line were wrong?
#
# What it mutates ([tool.mutmut] in pyproject.toml): recommender/comfort/ (all modules),
# recommender/rules.py, recommender/climate/derive.py — the function bodies; module-level
# tables and the import-time index registry are not mutated (mutmut 3 mutates functions only).
# Test command: the unit tier, `pytest -x -m unit -p no:cacheprovider tests` (mutmut runs, for
# each mutant, only the tests that call the mutated function).
#
# How: mutmut 3 (3.8.1 was used) copies recommender/, tests/, data/, babel.cfg, app.py and
# pyproject.toml into mutants/ (gitignored) and mutates the copies there; the sources in the
# repository are never edited. Do not run `mutmut apply`: that writes a mutant into the sources.
#
# How long: a full run of the 1,683 mutants took 47 minutes on a 2-core machine (mutmut uses one
# worker per core); surviving mutants of the atlas-wide scoring functions dominate, since each runs
# every unit test that scores. Rerunning only the 510 then not-killed mutants took 19 minutes.
# Results: 1,173 / 1,683 killed (69.7 %) before the issue-16 tests, 1,550 / 1,683 (92.1 %) after.
# Reruns reuse mutants/ and keep earlier verdicts; name mutants to re-test them, `--fresh` starts
# over (do that after changing tests). Extra arguments are mutant names or globs, e.g.
#     bash scripts/mutation.sh 'recommender.rules.*'        # one module
#     bash scripts/mutation.sh --fresh                      # everything, from scratch
# Afterwards: `python3 -m mutmut results` (the survivors), `python3 -m mutmut show <name>` (a diff),
# `python3 -m mutmut browse` (interactive).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -c "import mutmut" 2>/dev/null || python3 -m pip install -q --disable-pip-version-check "mutmut>=3.8,<4"
if [ "${1:-}" = "--fresh" ]; then
  rm -rf mutants
  shift
fi
python3 -m mutmut run "$@" || true     # exits non-zero while mutants survive
python3 - <<'EOF'
# Killed share per module, from mutmut's own result files (mutants/**/*.py.meta) and its statuses.
import json
from collections import Counter, defaultdict
from pathlib import Path

from mutmut.stats import status_by_exit_code

by_module: dict[str, Counter] = defaultdict(Counter)
for meta in sorted(Path("mutants").rglob("*.py.meta")):
    module = str(meta.relative_to("mutants"))[: -len(".py.meta")].replace("/", ".")
    for code in json.loads(meta.read_text())["exit_code_by_key"].values():
        by_module[module][status_by_exit_code[code]] += 1
by_module["all"] = sum(by_module.values(), Counter())
width = max(map(len, by_module))
print(f"\n{'module':<{width}}  killed / total   share  survived  no tests  timeout  not checked")
for m, c in by_module.items():
    total = sum(c.values())
    print(f"{m:<{width}}  {c['killed']:>6} / {total:<5}  {c['killed'] / max(total, 1):6.1%}  {c['survived']:>8}  "
          f"{c['no tests']:>8}  {c['timeout']:>7}  {c['not checked']:>11}")
EOF
git status --short recommender    # must print nothing: the sources are untouched
