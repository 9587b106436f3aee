"""Extract the message ids from the code (babel.cfg) and the declarations (`declared_messages`)
into recommender/locale/messages.pot, then merge them into every language's catalog: new ids get an
empty translation (to be written; tests/test_i18n.py fails until they are), ids no longer used
are dropped, translations of changed ids are kept as fuzzy (the tests fail on those too).

    python scripts/update_catalogs.py      (PYTHONPATH=. where another checkout is installed editable)
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from recommender.present import i18n
from recommender.storage import atomic_write

ROOT = Path(__file__).resolve().parent.parent


def declared_messages() -> list[str]:
    """Words that reach the screen from declarations rather than from a `_("…")` call: score
    classes, UTCI stress classes, climate variables, provenance, components, trip styles, season
    types, confidence grades and their reasons. Extracted into the catalogs with the code's messages."""
    from recommender.climate.variables import PROVENANCE, VARIABLE_SPECS
    from recommender.comfort.indices import INDICES
    from recommender.comfort.tables import LABELS, NO_SCORE, UTCI_CLASSES
    from recommender.present import text

    words = [name for _, name in LABELS] + [NO_SCORE] + [str(c) for c in UTCI_CLASSES] + ["unknown"]
    words += [v.label for v in VARIABLE_SPECS] + list(PROVENANCE)
    words += list(text.COMPONENT_LABELS.values()) + [i.trip_style for i in INDICES.values()]
    words += list(text.GRADE_WORDS.values()) + list(text.CONFIDENCE_REASONS.values())
    return list(dict.fromkeys(words))


def template_catalog(root: Path = ROOT):
    """The catalog template (a babel Catalog without translations): every `_("…")` and `N_("…")`
    message of the code named in babel.cfg, and `declared_messages()`."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir
    from babel.messages.frontend import parse_mapping_cfg

    root = Path(root)
    with open(root / "babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    cat = Catalog(project="sister-city-recommender", charset="utf-8")
    for filename, lineno, message, comments, _context in extract_from_dir(root, method_map, options_map,
                                                                          keywords={"_": None, "N_": None}):
        if isinstance(message, str) and message:
            cat.add(message, None, [(filename, lineno)], auto_comments=comments)
    for message in declared_messages():
        if message not in cat:
            cat.add(message, None, [("scripts/update_catalogs.py", 0)], auto_comments=["declared as data"])
    return cat


def _write(path: Path, catalog) -> None:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, omit_header=False, sort_output=False, include_previous=True)
    atomic_write(path, lambda tmp: tmp.write_bytes(buf.getvalue()))


def main() -> int:
    package = Path(i18n.__file__).resolve().parent.parent.parent
    if package != ROOT:     # an editable install of another checkout: its catalogs are not these
        print(f"recommender is imported from {package}, not from this checkout ({ROOT}); run with "
              f"PYTHONPATH={ROOT}", file=sys.stderr)
        return 2
    template = template_catalog(ROOT)
    _write(i18n.LOCALE_DIR / "messages.pot", template)
    for lang in i18n.LANGUAGES:
        if lang == i18n.DEFAULT_LANGUAGE:
            continue
        path = i18n.catalog_path(lang)
        if path.exists():
            with open(path, "rb") as f:
                cat = read_po(f, locale=lang)
        else:
            from babel.messages.catalog import Catalog
            cat = Catalog(locale=lang, project="sister-city-recommender", charset="utf-8")
        cat.update(template, update_header_comment=False)
        _write(path, cat)
        missing = sum(1 for m in cat if m.id and (not m.string or m.fuzzy))
        print(f"{lang}: {len(template)} messages, {missing} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
