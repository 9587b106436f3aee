"""`python -m recommender`: the command line; Ctrl-C at any point is one line and status 130."""

try:
    import sys

    from .cli import main

    code = main()
except KeyboardInterrupt:
    import sys

    print("interrupted; nothing partial was written.", file=sys.stderr)
    code = 130
raise SystemExit(code)
