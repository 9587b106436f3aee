import os
import tempfile
from fnmatch import fnmatch
from pathlib import Path

import pytest

# `recommender` is imported from the editable install (pyproject.toml); the helper modules beside
# this file (meteostat_mirror, conftest itself) through pytest's `pythonpath = ["tests"]`.
REPO = Path(__file__).resolve().parent.parent

# A sentence missing from a language's catalog raises instead of showing English (the app's
# subprocesses inherit this too).
os.environ["RECOMMENDER_STRICT_I18N"] = "1"
# The prepared Recommender (recommender/prepared.py) of the tests' runs, apart from the user's own
# cache; keyed by the data and the code, so a file from an earlier run is used only when it fits.
# (prepared.py reads it only when it is this user's own folder, writable by no one else.)
os.environ.setdefault("RECOMMENDER_CACHE", str(Path(tempfile.gettempdir()) / f"recommender-test-cache-{os.getuid()}"))

SHARED = Path(os.environ.get("RECOMMENDER_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(autouse=True)
def _isolated_store(tmp_path_factory, monkeypatch):
    """No test reads or writes the real user store."""
    monkeypatch.setenv("RECOMMENDER_HOME", str(tmp_path_factory.mktemp("store")))


@pytest.fixture(scope="session")
def atlas():
    from recommender import load_atlas

    return load_atlas(store_dir=REPO / "tests" / "no-store-here")


# ---------------------------------------------------------------------------- test tiers
# Every test file declares its tier here, so that a new file forces a decision (collection fails
# without one): `unit` — pure functions, given at most the embedded atlas as data; no server, no
# subprocess, no AppTest, no data files read as files; `integration` — CLI subprocesses, AppTest,
# loopback servers, the data files and their damaged copies, the shared raw data and the build;
# `browser` — Chromium against a real server (also `slow`). `pytest -m unit`, `-m "not slow"`.
# `slow` keeps its meaning (more than a few seconds) and stays on the tests themselves.
TIERS: dict[str, tuple[str, ...]] = {
    "test_api.py": ("integration",),
    "test_api_fuzz.py": ("integration", "slow"),
    "test_app.py": ("integration",),
    "test_atlas.py": ("integration",),
    "test_atlas_checks.py": ("unit",),
    "test_atlas_report.py": ("unit",),
    "test_browser.py": ("browser", "slow"),
    "test_build_run.py": ("unit",),
    "test_build_stages.py": ("integration",),
    "test_build_units.py": ("unit",),
    "test_city_names.py": ("integration",),
    "test_cli_contract.py": ("integration",),
    "test_climate.py": ("unit",),
    "test_climate_derive.py": ("unit",),
    "test_comfort.py": ("unit",),
    "test_curated_pairs.py": ("unit",),
    "test_exchange.py": ("integration",),
    "test_exports.py": ("unit",),
    "test_daily.py": ("unit",),
    "test_data_fuzz.py": ("integration", "slow"),
    "test_documents.py": ("unit",),
    "test_downloads.py": ("integration",),
    "test_breaks.py": ("unit",),
    "test_faults.py": ("integration",),
    "test_fetch_on_demand.py": ("integration",),
    "test_flags.py": ("unit",),
    "test_gridded.py": ("unit",),
    "test_heat.py": ("unit",),
    "test_hostile_names.py": ("unit",),          # its CLI and AppTest tests are marked integration
    "test_i18n.py": ("unit",),
    "test_inputs.py": ("integration",),
    "test_languages.py": ("unit",),
    "test_layout.py": ("unit",),
    "test_link_fuzz.py": ("integration",),
    "test_method_text.py": ("unit",),
    "test_palette.py": ("unit",),
    "test_chart_text.py": ("unit",),
    "test_notebook.py": ("integration",),
    "test_prepared.py": ("unit",),
    "test_recommend.py": ("unit",),
    "test_refresh.py": ("integration",),
    "test_registry.py": ("unit",),
    "test_rules.py": ("unit",),
    "test_serve.py": ("integration", "slow"),
    "test_skill.py": ("unit",),
    "test_sources.py": ("unit",),
    "test_store.py": ("integration",),
    "test_validation_cases.py": ("unit",),
    "test_wetdays.py": ("unit",),
}
# The tests of a mostly-unit file that are not (file::function name pattern -> tiers).
TIER_EXCEPTIONS: dict[str, tuple[str, ...]] = {
    "test_gridded.py::test_validation_mean_temperature_meets_its_target": ("integration",),   # the shared raw data
    "test_i18n.py::test_language_switch_*": ("integration",),                                   # AppTest
    "test_i18n.py::test_urdu_link_*": ("integration",),
    "test_i18n.py::test_unknown_language_in_the_link_*": ("integration",),
    "test_i18n.py::test_the_page_shows_no_raw_message_ids": ("integration",),
    "test_recommend.py::test_cli_*": ("integration",),                                          # CLI subprocesses
    "test_registry.py::test_dashboard_*": ("integration",),                                     # AppTest
}
TIER_MARKS = ("unit", "integration", "browser")


@pytest.hookimpl(tryfirst=True)          # before `-m` selects by these marks
def pytest_collection_modifyitems(config, items):
    unassigned = set()
    for item in items:
        if any(item.get_closest_marker(m) for m in TIER_MARKS):
            continue                     # a test that names its tier itself
        name = item.path.name
        if name not in TIERS:
            unassigned.add(name)
            continue
        func = getattr(item, "originalname", item.name)
        tiers = next((t for pattern, t in TIER_EXCEPTIONS.items() if fnmatch(f"{name}::{func}", pattern)), TIERS[name])
        for tier in tiers:
            item.add_marker(tier)
    if unassigned:
        raise pytest.UsageError(f"no test tier for {', '.join(sorted(unassigned))}: add each file to TIERS in "
                                "tests/conftest.py (unit, integration or browser; see the comment there)")
