"""The ``wpnet`` command: exit codes, output, and the shipped example end to end."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import wpnet
from wpnet import cli, datasets
from wpnet.io import read_ecosystem, write_ecosystem

ROOT = Path(__file__).resolve().parents[1]


def test_validate_clean_folder_exits_0(tmp_path, capsys):
    write_ecosystem(wpnet.tiny(), tmp_path)
    assert cli.main(["validate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("wpnet validation: OK — 0 errors, 0 warnings in 31 rows read")


def test_validate_bad_folder_exits_1_with_rows(tmp_path, capsys):
    write_ecosystem(wpnet.tiny(), tmp_path)
    part = pd.read_csv(tmp_path / "participation.csv", dtype=str)
    part.loc[2, "network_id"] = "N9"
    part.loc[4, "date"] = "31/02/2023"
    part.to_csv(tmp_path / "participation.csv", index=False)
    assert cli.main(["validate", str(tmp_path), "--max-lines", "1"]) == 1
    out = capsys.readouterr().out
    assert "FAILED — 2 errors" in out
    assert "row 4, column network_id, value 'N9': unknown network_id 'N9'" in out
    assert "... and 1 more" in out


def test_validate_unreadable_file_exits_1(tmp_path, capsys):
    write_ecosystem(wpnet.tiny(), tmp_path)
    (tmp_path / "participation.csv").write_bytes(b"")
    assert cli.main(["validate", str(tmp_path)]) == 1
    assert "participation.csv: the file is empty" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [[], ["validate"], ["frobnicate"], ["synth", "--out", "x", "--records", "0"], ["example"]],
)
def test_usage_errors_exit_2(argv, capsys):
    assert cli.main(argv) == 2
    assert "usage: wpnet" in capsys.readouterr().err


def test_missing_path_exits_2(capsys):
    assert cli.main(["validate", "/nonexistent/wpnet-data"]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_data_error_exits_1(tmp_path, monkeypatch, capsys):
    def broken():
        raise wpnet.DataError("participation.csv row 7, column date: impossible date")

    monkeypatch.setattr(datasets, "load_example", broken)
    assert cli.main(["example", "--out", str(tmp_path)]) == 1
    assert "participation.csv row 7, column date" in capsys.readouterr().err


def test_example_writes_tables_and_readme(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(datasets, "load_example", datasets.tiny)
    monkeypatch.setattr(datasets, "example_readme", lambda: "# Data dictionary\n\nTables.\n")
    out = tmp_path / "ex"
    assert cli.main(["example", "--out", str(out)]) == 0
    assert (out / "README.md").read_text() == "# Data dictionary\n\nTables.\n"
    eco = read_ecosystem(out)
    assert len(eco.participation) == 10 and len(eco.establishments) == 7
    assert "with README.md" in capsys.readouterr().out
    assert capsys.readouterr().err == ""  # no progress bar when stderr is not a terminal


def test_synth_passes_every_argument(tmp_path, monkeypatch):
    seen = {}

    def fake(**kwargs):
        seen.update(kwargs)
        return datasets.tiny()

    monkeypatch.setattr(datasets, "synthetic", fake)
    argv = ["synth", "--establishments", "50", "--practitioners", "300", "--networks", "9"]
    argv += ["--records", "1000", "--sessions", "2", "--seed", "7", "--format", "csv"]
    assert cli.main([*argv, "--out", str(tmp_path / "s")]) == 0
    assert seen == {
        "establishments": 50,
        "practitioners": 300,
        "networks": 9,
        "records": 1000,
        "sessions": 2,
        "seed": 7,
    }
    assert sorted(p.name for p in (tmp_path / "s").iterdir())[0] == "establishments.csv"


def test_synth_parquet_for_real(tmp_path):
    out = tmp_path / "s"
    argv = ["synth", "--establishments", "30", "--practitioners", "200", "--networks", "8"]
    assert cli.main([*argv, "--records", "500", "--sessions", "2", "--out", str(out)]) == 0
    eco = read_ecosystem(out)
    assert len(eco.participation) == 500
    assert eco.sessions == ["2022-23", "2023-24"]


def test_new_subcommands_plug_in(monkeypatch, capsys):
    def add(p: argparse.ArgumentParser) -> None:
        p.add_argument("word")

    def run(args: argparse.Namespace) -> int:
        print(f"hello {args.word}")
        return 0

    monkeypatch.setitem(cli.COMMANDS, "hello", cli.Command("say hello", add, run))
    assert cli.main(["hello", "world"]) == 0
    assert capsys.readouterr().out == "hello world\n"


def test_progress_shows_on_a_terminal_only(monkeypatch, capsys):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with cli.progress(2, "step") as bar:
        bar.update(2)
    assert "step" in capsys.readouterr().err


def test_console_script_entry_point():
    res = subprocess.run(
        [sys.executable, "-c", "import sys, wpnet.cli; sys.exit(wpnet.cli.main(['--version']))"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert res.returncode == 0
    assert res.stdout.strip() == f"wpnet {wpnet.__version__}"


@pytest.mark.slow
def test_shipped_example_validates_and_matches_the_package_copy(capsys):
    data = ROOT / "datasets" / "west_partnership"
    assert cli.main(["validate", str(data)]) == 0
    assert capsys.readouterr().out.startswith("wpnet validation: OK — 0 errors, 0 warnings")
    from_csv = read_ecosystem(data)
    packaged = datasets.load_example()
    for name in ("establishments", "practitioners", "networks", "participation", "ties"):
        expected = getattr(packaged, name)
        if "date" in expected:
            # CSV dates are read at microsecond resolution
            expected = expected.astype({"date": "datetime64[us]"})
        pd.testing.assert_frame_equal(getattr(from_csv, name), expected, check_exact=True)


def test_report_and_map_are_wpnet_subcommands(tmp_path, capsys):
    from wpnet.io import write_ecosystem

    data = tmp_path / "data"
    write_ecosystem(wpnet.tiny(), data, format="csv")
    out = tmp_path / "rep"
    assert cli.main(["report", str(data), "--out", str(out), "--backbone", "none"]) == 0
    assert (out / "index.html").is_file() and (out / "tables.xlsx").is_file()
    assert cli.main(["map", str(data), "--out", str(tmp_path / "m.html")]) == 0
    assert (tmp_path / "m.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert "report" in cli.build_parser().format_help()
    capsys.readouterr()
    # bad data: exit 1 and the problem named on stderr
    part = data / "participation.csv"
    part.write_text(part.read_text() + "P999,NOPE,not a date\n")
    assert cli.main(["report", str(data), "--out", str(tmp_path / "r2")]) == 1
    assert "participation" in capsys.readouterr().err
    # bad usage: exit 2
    assert cli.main(["report", str(data), "--min-cell", "0"]) == 2
    assert cli.main(["map", str(tmp_path / "missing"), "--out", str(tmp_path / "x.html")]) == 2
