"""`python -m recommender`: the command line (cli.entry); Ctrl-C at any point, even while the
modules load, is one line and status 130."""

try:
    from .cli import entry
except KeyboardInterrupt:
    import sys

    print("interrupted; nothing partial was written.", file=sys.stderr)
    raise SystemExit(130)
entry()
