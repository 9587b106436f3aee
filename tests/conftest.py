import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

# A sentence missing from a language's catalog raises instead of showing English (the app's
# subprocesses inherit this too).
os.environ["RECOMMENDER_STRICT_I18N"] = "1"

SHARED = Path(os.environ.get("RECOMMENDER_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory, monkeypatch):
    """No test reads or writes the real user store."""
    monkeypatch.setenv("RECOMMENDER_HOME", str(tmp_path_factory.mktemp("store")))


@pytest.fixture(scope="session")
def atlas():
    from recommender import load_atlas

    return load_atlas(store_dir=REPO / "tests" / "no-store-here")
