"""build_atlas.run, the plain function behind `python -m recommender build-atlas`: its checks
come before any work and each is one `error:` line with status 2."""

from pathlib import Path

from recommender.pipelines import build_atlas as B


def test_out_pointing_at_a_file_is_refused_before_any_work(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(B, "build", lambda *a, **k: (_ for _ in ()).throw(AssertionError("no work expected")))
    f = tmp_path / "a-file"
    f.write_text("keep me")
    assert B.run(tmp_path, f) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --out ") and "is a file, not a folder" in err and err.count("\n") == 1
    assert f.read_text() == "keep me"


def test_missing_raw_data_is_one_error_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(B, "build", lambda *a, **k: (_ for _ in ()).throw(AssertionError("no work expected")))
    assert B.run(tmp_path / "no-raw-data", tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: raw data not found at ") and "pass --shared DIR" in err


def test_unknown_climatology_is_refused(tmp_path, capsys):
    assert B.run(tmp_path, tmp_path / "out", ("cru", "era5")) == 2
    assert "--without 'era5' is not a gridded climatology; choose from cru, worldclim." in capsys.readouterr().err


def test_run_builds_with_the_arguments_and_prints_the_statistics(tmp_path, capsys, monkeypatch):
    raw = tmp_path / "raw" / "wikipedia_climate"
    raw.mkdir(parents=True)
    (raw / "cities_climate.csv").write_text("")
    calls = []
    monkeypatch.setattr(B, "build", lambda shared, out, without: calls.append((shared, out, without)) or {"x": 1})
    monkeypatch.setattr(B.atlas_report, "stats_markdown", lambda stats: f"stats {stats}")
    assert B.run(tmp_path / "raw", tmp_path / "out", ("worldclim",)) == 0
    assert calls == [(tmp_path / "raw", tmp_path / "out", ("worldclim",))]
    assert capsys.readouterr().out == "stats {'x': 1}\n"


def test_the_cli_calls_run_directly(monkeypatch):
    from recommender import cli

    calls = []
    monkeypatch.setattr(B, "run", lambda shared, out, without: calls.append((shared, out, without)) or 0)
    assert cli.main(["build-atlas", "--out", "x", "--without", "cru"]) == 0
    assert calls == [(None, Path("x"), ("cru",))]
    assert cli.main(["build-atlas"]) == 0 and calls[-1] == (None, None, ())
