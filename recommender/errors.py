"""User-facing errors: every message says what was wrong and what to do."""


def shown(text: object, limit: int = 60) -> str:
    """Text a person typed, quoted for an error message: control characters and terminal
    escape sequences printed escaped (\\n, \\x1b), letters of any script kept, cut to `limit`."""
    s = str(text)
    s = s if len(s) <= limit else s[:limit] + "…"
    return "'" + "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in s) + "'"


class RecommenderError(Exception):
    """Base class for errors shown to a user without a traceback."""


class AtlasError(RecommenderError):
    """The climate atlas or city registry is missing, malformed or fails validation."""


class UnknownCityError(RecommenderError):
    """A city name or id that is not in the registry (or matches several cities)."""

    def __init__(self, query: str, suggestions: list[str], ambiguous: bool = False):
        self.query = query
        self.suggestions = suggestions
        self.ambiguous = ambiguous
        if ambiguous:
            head = f"{shown(query)} matches several cities"
        else:
            head = f"Unknown city {shown(query)}"
        hint = (
            f"; did you mean: {', '.join(suggestions)}?"
            if suggestions
            else "; run `python -m recommender cities` to list the known cities."
        )
        super().__init__(head + hint + " Use the city id to be exact.")


class RefreshError(RecommenderError):
    """A Meteostat refresh could not run at all (e.g. no network)."""
