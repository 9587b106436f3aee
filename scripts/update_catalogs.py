"""Extract the message ids from the code (babel.cfg) and the declarations into
recommender/locale/messages.pot, then merge them into every language's catalog: new ids get an
empty translation (to be written; tests/test_i18n.py fails until they are), ids no longer used
are dropped, translations of changed ids are kept as fuzzy (the tests fail on those too).

    python scripts/update_catalogs.py
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

from recommender.present import i18n
from recommender.storage import atomic_write

ROOT = Path(__file__).resolve().parent.parent


def _write(path: Path, catalog) -> None:
    buf = io.BytesIO()
    write_po(buf, catalog, width=100, omit_header=False, sort_output=False, include_previous=True)
    atomic_write(path, lambda tmp: tmp.write_bytes(buf.getvalue()))


def main() -> int:
    template = i18n.template_catalog(ROOT)
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
