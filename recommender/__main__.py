"""`python -m recommender`: the command line; Ctrl-C at any point is one line and status 130."""

import sys

try:
    from .cli import main

    code = main()
except KeyboardInterrupt:
    print("interrupted; nothing partial was written.", file=sys.stderr)
    code = 130
raise SystemExit(code)
