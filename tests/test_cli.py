"""The ``wpnet`` command: exit codes, output, and the shipped example end to end."""

from __future__ import annotations

import argparse
import json
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
    captured = capsys.readouterr()
    assert "with README.md" in captured.out and "truth.json" in captured.out
    assert captured.err == ""  # no progress bar when stderr is not a terminal
    # the planted truth travels with the example
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    assert truth == datasets.example_truth() and truth["brokers"]


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


@pytest.mark.parametrize("chosen", [None, "system"])
def test_the_command_allocates_arrow_memory_with_jemalloc_unless_told(monkeypatch, chosen):
    """The command's process gives Arrow jemalloc (pandas' text columns allocate there);
    ARROW_DEFAULT_MEMORY_POOL, when set, is the user's choice and stays."""
    import pyarrow as pa

    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        pytest.skip("this pyarrow has no jemalloc")
    before = pa.default_memory_pool()
    if chosen is None:
        monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    else:
        monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", chosen)
    pa.set_memory_pool(pa.mimalloc_memory_pool())
    try:
        monkeypatch.setitem(
            cli.COMMANDS, "noop", cli.Command("nothing", lambda p: None, lambda a: 0)
        )
        assert cli.main(["noop"]) == 0
        assert pa.default_memory_pool().backend_name == (
            "jemalloc" if chosen is None else "mimalloc"
        )
    finally:
        pa.set_memory_pool(before)


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


@pytest.mark.parametrize(("argv", "code"), [(["--version"], 0), (["report"], 2)])
def test_the_program_exits_with_the_commands_code_and_its_objects_frozen(argv, code):
    """``wpnet`` (the installed script) and ``python -m wpnet.cli`` run :func:`cli.script`:
    main's exit code, and the objects out of the collector's sight before the interpreter's
    last collection (an atexit function sees more frozen than after the imports; CPython
    3.12 freezes some of its own at startup); a call of main() freezes nothing."""
    import tomllib

    project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text("utf-8"))
    assert project["project"]["scripts"]["wpnet"] == "wpnet.cli:script"
    probe = (
        "import atexit, gc, sys, wpnet.cli\n"
        "before = gc.get_freeze_count()\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > before))\n"
        "{call}\n"
    )
    for call, frozen in (
        (f"sys.argv = ['wpnet', *{argv!r}]; wpnet.cli.script()", True),
        (f"wpnet.cli.main({argv!r})", False),
    ):
        res = subprocess.run(
            [sys.executable, "-c", probe.format(call=call)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert res.returncode == (code if frozen else 0), res.stderr
        assert res.stdout.strip().splitlines()[-1] == f"frozen {frozen}"


def test_the_program_caps_blas_threads_at_a_cpu_quota_and_main_does_not(tmp_path):
    """Under a CPU quota below the CPUs (faked: 1 of 2), ``script`` caps the BLAS
    threads of the program's process at the quota; main() called from Python does not."""
    data = ROOT / "datasets" / "west_partnership"
    probe = (
        "import atexit, os, sys\n"
        "for v in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS',\n"
        "          'BLIS_NUM_THREADS', 'VECLIB_MAXIMUM_THREADS'):\n"
        "    os.environ.pop(v, None)\n"
        "import wpnet._parallel as par, wpnet.cli\n"
        "from threadpoolctl import threadpool_info\n"
        "par.cpu_quota = lambda: 1\n"
        "par._cpus = lambda: 2\n"
        "atexit.register(lambda: print(os.environ.get('OPENBLAS_NUM_THREADS'),\n"
        "    sorted({i['num_threads'] for i in threadpool_info() if i['user_api'] == 'blas'})))\n"
        "{call}\n"
    )
    argv = ["validate", str(data)]
    for call, want in (
        (f"sys.argv = ['wpnet', *{argv!r}]; wpnet.cli.script()", "1 [1]"),
        (f"wpnet.cli.main({argv!r})", "None"),
    ):
        res = subprocess.run(
            [sys.executable, "-c", probe.replace("{call}", call)],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert res.returncode == 0, res.stderr
        assert res.stdout.strip().splitlines()[-1].startswith(want)


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


def test_report_keeps_what_it_read_from_the_collector_and_gives_it_back(tmp_path, monkeypatch):
    import gc

    import wpnet.report.build as build
    from wpnet.io import write_ecosystem

    data = tmp_path / "data"
    write_ecosystem(wpnet.tiny(), data, format="csv")
    seen: list[int] = []
    real = build.build_report

    def spy(*args, **kwargs):
        seen.append(gc.get_freeze_count())
        return real(*args, **kwargs)

    monkeypatch.setattr(build, "build_report", spy)
    args = ["report", str(data), "--backbone", "none", "--samples", "0"]
    here = gc.get_freeze_count()  # none, or what the interpreter froze itself (CPython 3.12)
    assert cli.main([*args, "--out", str(tmp_path / "a")]) == 0
    if here == 0:
        assert seen[0] > 1000  # frozen while the report was built: modules and data
    else:  # objects frozen before the command (3.12's own) are not the command's to unfreeze
        assert seen[0] == here
    assert gc.get_freeze_count() == here  # and given back
    held = [[i] for i in range(100)]
    gc.freeze()  # a caller's own frozen objects stay frozen
    try:
        frozen = gc.get_freeze_count()
        assert cli.main([*args, "--out", str(tmp_path / "b")]) == 0
        # not given back (still frozen; fewer only by objects freed meanwhile), and
        # nothing of the run's frozen with them
        assert frozen * 0.9 < gc.get_freeze_count() <= frozen and seen[1] <= frozen
    finally:
        gc.unfreeze()
    assert held


# ---- flat exports on the command line (issue 18) -------------------------------------

KEY = "cli-test-key-0123456789abcdef"
SCHOOLS = [
    ("Ashgrove Primary", "Glasgow"),
    ("Barrhead High", "Glasgow City Council"),
    ("Cove Primary", "Inverclyde"),
    ("Dunrod School", "Inverclyde"),
    ("Elm Nursery", "Renfrewshire"),
    ("Fernhill Primary", "Renfrewshire"),
]


def small_export(dates=("14/09/2022", "15/09/2023"), status=None) -> pd.DataFrame:
    """Eighteen people at the tiny register's six schools, at two events, on each date;
    every value hand-made (no row is bad)."""
    rows = []
    for d in dates:
        for i in range(18):
            school, la = SCHOOLS[i % 6]
            event = "Numeracy CLN" if i % 2 else "Literacy Forum"
            rows.append((f"Person {i}", f"p{i}@x.org", school, la, event, "Class Teacher", d))
    df = pd.DataFrame(
        rows,
        columns=["Full Name", "E-mail", "School", "Local Authority", "Event", "Job Title", "Date"],
    )
    if status is not None:
        df["Attendee Status"] = status(len(df))
    return df


@pytest.fixture
def files(tmp_path):
    """A key file (with the final newline editors add) and the tiny register."""
    key = tmp_path / "key.txt"
    key.write_text(KEY + "\n")
    reg = tmp_path / "establishments.csv"
    wpnet.tiny().establishments.to_csv(reg, index=False)
    return key, reg


def run(argv, capsys):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def test_report_from_an_export_with_key_file_and_register_exits_0(tmp_path, files, capsys):
    key, reg = files
    export = tmp_path / "bookings.csv"
    small_export().to_csv(export, index=False)
    out = tmp_path / "rep"
    code, stdout, err = run(
        [
            "report",
            export,
            "--key-file",
            key,
            "--register",
            reg,
            "--date-order",
            "dmy",
            "--out",
            out,
            "--backbone",
            "none",
        ],
        capsys,
    )
    assert code == 0, err
    assert (out / "index.html").is_file()
    assert f"wrote {out / 'index.html'} (session 2023-24, compared to 2022-23)" in stdout
    assert "left out" not in stdout and not (tmp_path / "rep_rejected_rows.csv").exists()
    # with a register coverage is reported: 6 of the tiny register's 6 schools
    overall = pd.read_csv(out / "tables" / "reach_overall.csv")
    assert overall["coverage"].iloc[0] == 1.0
    assert "Not reported: the share of schools" not in (out / "index.html").read_text()
    # the key file's final newline is not part of the key: same pseudonyms as key=KEY
    from wpnet.records import from_records

    eco = from_records(export, register=wpnet.tiny().establishments, key=KEY)
    again = cli._report_command.load_data(
        export, key=cli._report_command.read_key_file(key), register=reg
    )
    assert sorted(again.practitioners["practitioner_id"]) == sorted(
        eco.practitioners["practitioner_id"]
    )


def test_report_from_an_export_with_key_and_register_exits_0(tmp_path, files, capsys, monkeypatch):
    # issue 18's route with --key itself (the other test gives --key-file)
    monkeypatch.delenv("WPNET_KEY", raising=False)
    _, reg = files
    export = tmp_path / "bookings.csv"
    small_export().to_csv(export, index=False)
    base = ["report", export, "--register", reg, "--backbone", "none"]
    code, _, err = run([*base, "--out", tmp_path / "r0"], capsys)
    assert code == 1 and "key" in err  # names and e-mails need a key
    code, stdout, err = run([*base, "--key", KEY, "--out", tmp_path / "rep"], capsys)
    assert code == 0, err
    assert f"wrote {tmp_path / 'rep' / 'index.html'}" in stdout
    overall = pd.read_csv(tmp_path / "rep" / "tables" / "reach_overall.csv")
    assert overall["coverage"].iloc[0] == 1.0  # the register's 6 schools, all reached


def test_without_register_coverage_is_not_reported_and_the_report_says_why(tmp_path, files, capsys):
    key, _ = files
    export = tmp_path / "bookings.csv"
    small_export().to_csv(export, index=False)
    out = tmp_path / "rep"
    code, stdout, err = run(
        [
            "report",
            export,
            "--key-file",
            key,
            "--out",
            out,
            "--backbone",
            "none",
            "--errors",
            "drop",
        ],
        capsys,
    )
    assert code == 0, err
    assert "6 of 36 rows were left out" in stdout  # Dunrod School: no sector without register
    assert "Not reported: the share of schools and nurseries reached" in stdout
    page = (out / "index.html").read_text()
    assert "Not reported: the share of schools and nurseries reached" in page
    assert "because no establishments register was given" in page
    assert "The partnership reached" not in page  # no coverage sentence on the export's schools
    assert "led, facilitated or presented, because the export has no participation-role" in page
    overall = pd.read_csv(out / "tables" / "reach_overall.csv")
    assert overall[["coverage", "equity_ratio", "lead_share", "reached"]].isna().all().all()


def test_dropped_rows_exit_1_unless_errors_drop_then_counted_and_written(tmp_path, files, capsys):
    key, reg = files
    df = small_export()
    df.loc[3, "Date"] = "31/02/2023"  # row 5 of the file
    df.loc[7, "School"] = "Nowhere Academy"  # row 9
    export = tmp_path / "bookings.csv"
    df.to_csv(export, index=False)
    base = ["report", export, "--key-file", key, "--register", reg, "--backbone", "none"]
    code, out, err = run([*base, "--out", tmp_path / "r1"], capsys)
    assert code == 1
    assert "2 problems in bookings.csv (36 rows read)" in err
    assert "row 5, column Date" in err and "impossible date 31/02/2023" in err
    assert "--errors drop" in err
    assert not (tmp_path / "r1").exists()
    code, out, err = run([*base, "--out", tmp_path / "r2", "--errors", "drop"], capsys)
    assert code == 0, err
    rejected_file = tmp_path / "r2_rejected_rows.csv"
    assert (
        f"2 of 36 rows were left out (--errors drop), each with its reason: see {rejected_file}"
        in out
    )
    rej = pd.read_csv(rejected_file)
    assert rej["row"].tolist() == [5, 9]
    assert "p3@x.org" not in rejected_file.read_text()  # no e-mails or names


def test_validate_accepts_an_export_and_counts_its_rejected_rows(
    tmp_path, files, capsys, monkeypatch
):
    monkeypatch.delenv("WPNET_KEY", raising=False)
    _, reg = files
    export = tmp_path / "bookings.csv"
    small_export().to_csv(export, index=False)
    # without a register "Dunrod School" has no sector: its 6 rows are rejected
    code, out, _ = run(["validate", export], capsys)  # no key needed: nothing is written
    assert code == 1 and "FAILED — 6 errors" in out and "sector cannot be inferred" in out
    code, out, _ = run(["validate", export, "--register", reg], capsys)
    assert code == 0 and out.startswith("wpnet validation: OK")
    df = small_export()
    df.loc[0, "Date"] = "31/02/2023"
    df.to_csv(export, index=False)
    code, out, _ = run(["validate", export, "--register", reg], capsys)
    assert code == 1
    assert "FAILED — 1 error" in out
    assert "row 2, column Date, value '31/02/2023': impossible date 31/02/2023" in out, out


def test_month_first_export_refused_then_read_with_date_order(tmp_path, files, capsys):
    key, reg = files
    export = tmp_path / "us.csv"
    small_export(dates=("9/14/2022", "3/5/2024")).to_csv(export, index=False)
    base = ["map", export, "--key-file", key, "--register", reg, "--backbone", "none"]
    code, _, err = run([*base, "--out", tmp_path / "m.html"], capsys)
    assert code == 1
    assert "'9/14/2022' (row 2)" in err and "--date-order dmy|mdy|iso" in err
    code, out, err = run([*base, "--out", tmp_path / "m.html", "--date-order", "mdy"], capsys)
    assert code == 0, err
    assert "session 2023-24" in out  # 5 March 2024, not 3 May 2024... both 2023-24; and
    eco = cli._report_command.load_data(export, key=KEY, register=reg, date_order="mdy")
    assert sorted({str(d.date()) for d in eco.participation["date"]}) == [
        "2022-09-14",
        "2024-03-05",
    ]


def test_not_attending_rows_are_excluded_on_the_command_line(tmp_path, files, capsys):
    key, reg = files
    export = tmp_path / "bookings.csv"
    status = lambda n: ["Not Attending" if i % 9 == 0 else "Attending" for i in range(n)]  # noqa: E731
    small_export(status=status).to_csv(export, index=False)
    code, out, err = run(
        [
            "map",
            export,
            "--key-file",
            key,
            "--register",
            reg,
            "--out",
            tmp_path / "m.html",
            "--backbone",
            "none",
        ],
        capsys,
    )
    assert code == 0, err
    assert (
        "4 of 36 rows read were excluded by their status in column 'Attendee Status' "
        "(4 'Not Attending'): not attendances" in out
    )
    eco = cli._report_command.load_data(export, key=KEY, register=reg)
    assert len(eco.participation) == 32
    # --exclude-status replaces the defaults: "Not Attending" is then counted (warned)
    kept = cli._report_command.load_data(export, key=KEY, register=reg, exclude_status=["Gone"])
    assert len(kept.participation) == 36


def test_a_folder_of_exports_one_per_event(tmp_path, files, capsys):
    key, reg = files
    folder = tmp_path / "exports"
    folder.mkdir()
    df = small_export()
    for i, (name, part) in enumerate(df.groupby("Event")):
        part.assign(Event=f"{name} - Session {i + 1}").to_csv(folder / f"e{i}.csv", index=False)
    code, out, err = run(
        [
            "map",
            folder,
            "--key-file",
            key,
            "--register",
            reg,
            "--out",
            tmp_path / "m.html",
            "--backbone",
            "none",
        ],
        capsys,
    )
    assert code == 0, err
    eco = cli._report_command.load_data(folder, key=KEY, register=reg)
    assert len(eco.participation) == 36
    assert sorted(eco.networks["name"]) == ["Literacy Forum", "Numeracy CLN"]


def test_missing_key_is_one_line_exit_1(tmp_path, files, capsys, monkeypatch):
    monkeypatch.delenv("WPNET_KEY", raising=False)
    export = tmp_path / "bookings.csv"
    small_export().to_csv(export, index=False)
    code, _, err = run(["map", export, "--out", tmp_path / "m.html"], capsys)
    assert code == 1
    assert err.startswith("wpnet map: no pseudonymisation key: give --key-file FILE")
    assert len(err.strip().splitlines()) == 1


def test_export_options_with_a_table_folder_are_a_usage_error(tmp_path, files, capsys):
    _, reg = files
    write_ecosystem(wpnet.tiny(), tmp_path / "data")
    code, _, err = run(
        ["map", tmp_path / "data", "--register", reg, "--out", tmp_path / "m.html"], capsys
    )
    assert code == 2 and "--register apply to flat exports" in err


def test_sigterm_unwinds_the_command_and_leaves_the_handler_as_it_was(
    tmp_path, capsys, monkeypatch
):
    import os
    import signal
    import time

    from wpnet.report import build

    data = tmp_path / "data"
    write_ecosystem(wpnet.tiny(), data)

    def stopped(eco, *, out, **kw):
        (Path(out) / "tables").mkdir(parents=True)
        os.kill(os.getpid(), signal.SIGTERM)  # as `kill` or `timeout` would
        time.sleep(30)  # not reached: the signal unwinds the command first
        raise AssertionError("SIGTERM did not stop the command")

    monkeypatch.setattr(build, "build_report", stopped)
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    code, _, err = run(["report", data, "--out", tmp_path / "rep"], capsys)
    assert code == 143 and err == "wpnet report: stopped (SIGTERM)\n"
    assert not (tmp_path / "rep").exists()  # the folder it made, removed
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # given back
    # a program that handles SIGTERM itself keeps its handler, during and after
    seen: list[int] = []
    monkeypatch.setattr(build, "build_report", lambda eco, *, out, **kw: seen.append(
        signal.getsignal(signal.SIGTERM) is mine) or Path(out))  # fmt: skip

    def mine(signum, frame):  # never called: nothing sends SIGTERM here
        pass

    old = signal.signal(signal.SIGTERM, mine)
    try:
        run(["report", data, "--out", tmp_path / "rep2"], capsys)
        assert seen == [True] and signal.getsignal(signal.SIGTERM) is mine
    finally:
        signal.signal(signal.SIGTERM, old)


def test_ctrl_c_prints_one_line_and_leaves_no_folder(tmp_path, capsys, monkeypatch):
    from wpnet.report import build

    data = tmp_path / "data"
    write_ecosystem(wpnet.tiny(), data)

    def interrupted(eco, *, out, **kw):
        (Path(out) / "tables").mkdir(parents=True)
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "build_report", interrupted)
    code, _, err = run(["report", data, "--out", tmp_path / "rep"], capsys)
    assert code == 130 and err == "wpnet report: interrupted\n"
    assert not (tmp_path / "rep").exists()
    # an existing folder is left as it was
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "keep.txt").write_text("x")
    code, _, err = run(["report", data, "--out", tmp_path / "old"], capsys)
    assert code == 130 and (tmp_path / "old" / "keep.txt").is_file()


def test_map_session_defaults_to_the_latest_not_all(tmp_path, capsys):
    from wpnet.maps.interactive import interactive_map

    data = tmp_path / "data"
    write_ecosystem(wpnet.tiny(), data)
    code, out, err = run(["map", data, "--out", tmp_path / "m.html", "--backbone", "none"], capsys)
    assert code == 0, err
    assert "session 2022-23" in out
    eco = read_ecosystem(data)
    latest = interactive_map(eco, tmp_path / "latest.html", session="2022-23", backbone=None)
    pooled = interactive_map(eco, tmp_path / "all.html", session=None, backbone=None)
    shown = repr(latest).split(", saved")[0]
    assert shown in out and shown != repr(pooled).split(", saved")[0]


def test_map_out_folder_writes_map_html_inside(tmp_path, capsys):
    data = tmp_path / "data"
    write_ecosystem(wpnet.tiny(), data)
    code, out, err = run(
        ["map", data, "--out", f"{tmp_path / 'new'}/", "--backbone", "none"], capsys
    )
    assert code == 0, err
    assert (tmp_path / "new" / "map.html").is_file()
    (tmp_path / "there").mkdir()
    code, out, err = run(["map", data, "--out", tmp_path / "there", "--backbone", "none"], capsys)
    assert code == 0, err
    assert (tmp_path / "there" / "map.html").is_file()


def test_compare_to_later_than_session_is_a_usage_error(tmp_path, capsys):
    data = tmp_path / "data"
    write_ecosystem(wpnet.tiny(), data)
    code, _, err = run(
        [
            "report",
            data,
            "--session",
            "2021-22",
            "--compare-to",
            "2022-23",
            "--out",
            tmp_path / "r",
        ],
        capsys,
    )
    assert code == 2
    assert "--compare-to 2022-23 is not earlier than the session reported on (2021-22)" in err
    assert not (tmp_path / "r").exists()


@pytest.mark.slow
def test_shipped_flat_export_route_with_errors_drop(tmp_path, files, capsys):
    key, _ = files
    reg = tmp_path / "reg.csv"
    wpnet.load_example().establishments.to_csv(reg, index=False)
    export = ROOT / "datasets" / "flat_export" / "registrations.csv"
    out = tmp_path / "report"
    code, stdout, err = run(
        [
            "report",
            export,
            "--key-file",
            key,
            "--register",
            reg,
            "--errors",
            "drop",
            "--out",
            out,
            "--backbone",
            "none",
        ],
        capsys,
    )
    assert code == 0, err
    assert "17 of 457 rows were left out" in stdout
    assert len(pd.read_csv(tmp_path / "report_rejected_rows.csv")) == 17


def test_report_and_notebook_e_i_tests_use_one_number_of_permutations():
    import inspect
    import json

    from wpnet.measures.brokerage import ei_test
    from wpnet.report.build import build_report
    from wpnet.report.compute import compute

    defaults = {
        f.__name__: inspect.signature(f).parameters["permutations"].default
        for f in (ei_test, build_report, compute)
    }
    assert set(defaults.values()) == {defaults["ei_test"]}, defaults
    # the notebook calls ei_test without its own number (so it uses the same default)
    nb = json.loads((ROOT / "notebooks" / "02_reflections.ipynb").read_text(encoding="utf-8"))
    calls = ["".join(c["source"]) for c in nb["cells"] if "ei_test(" in "".join(c["source"])]
    assert not any("permutations=" in c for c in calls)


def test_a_thin_session_compared_against_is_flagged(tmp_path, files, capsys):
    key, reg = files
    df = small_export(dates=("15/09/2023",))
    df = pd.concat([df, small_export(dates=("14/09/2022",)).iloc[:1]], ignore_index=True)
    export = tmp_path / "bookings.csv"
    df.to_csv(export, index=False)
    out = tmp_path / "rep"
    code, stdout, err = run(
        [
            "report",
            export,
            "--key-file",
            key,
            "--register",
            reg,
            "--out",
            out,
            "--backbone",
            "none",
        ],
        capsys,
    )
    assert code == 0, err
    note = "Note: session 2022-23 has only 1 record (the largest has 18): a comparison with it says little."
    assert note in stdout and note in (out / "index.html").read_text()


# ---- the data read in another process while the report's libraries are imported ------

fork_only = pytest.mark.skipif(
    "fork" not in __import__("multiprocessing").get_all_start_methods(),
    reason="the data are read in a forked process",
)


def _read_both_ways(args, monkeypatch):
    """``_read_while`` with two workers and with one: (pid that read, pid that imported,
    what was read or the error raised, the warnings' texts) each way."""
    import os
    import warnings

    from wpnet.report import command

    runs = []
    with monkeypatch.context() as m:
        real = command._load
        m.setattr(command, "_load", lambda a, **kw: (os.getpid(), real(a, **kw)))
        for workers in ("2", "1"):
            m.setenv("WPNET_WORKERS", workers)
            imported: list[int] = []

            def meanwhile(imported: list[int] = imported) -> None:
                imported.append(os.getpid())

            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    read_by, got = command._read_while(args, meanwhile)
                except Exception as exc:  # compared below: the same error both ways
                    read_by, got = None, exc
            runs.append((read_by, imported, got, [(w.category, str(w.message)) for w in caught]))
    return runs


@fork_only
def test_the_report_reads_its_data_elsewhere_while_it_imports(tmp_path, files, monkeypatch):
    import os

    key, reg = files
    df = small_export()
    df.loc[3, "Date"] = "31/02/2023"  # a rejected row (and a warning)
    df.loc[5, "Job Title"] = None  # a quality finding
    export = tmp_path / "bookings.csv"
    df.to_csv(export, index=False)
    argv = ["report", str(export), "--key-file", str(key), "--register", str(reg)]
    args = cli.build_parser().parse_args([*argv, "--errors", "drop"])
    (p2, i2, eco2, w2), (p1, i1, eco1, w1) = _read_both_ways(args, monkeypatch)
    here = os.getpid()
    assert p2 != here and i2 == [here]  # read in another process, imported here
    assert p1 == here and i1 == [here]  # one worker: both here
    assert len(eco1.rejected) == 1 and len(eco1.quality) == 2  # the case is not empty
    for name in ("establishments", "practitioners", "networks", "participation", "ties"):
        pd.testing.assert_frame_equal(getattr(eco2, name), getattr(eco1, name))
    pd.testing.assert_frame_equal(eco2.rejected, eco1.rejected)
    pd.testing.assert_frame_equal(eco2.quality, eco1.quality)
    assert eco2.sessions == eco1.sessions
    assert w2 == w1  # the reading's warnings (none here), issued again here

    # bad data: the same error, with its problems, raised here
    args = cli.build_parser().parse_args(argv)
    (p2, _, err2, _), (p1, _, err1, _) = _read_both_ways(args, monkeypatch)
    assert isinstance(err1, wpnet.DataError) and type(err2) is type(err1)
    assert str(err2) == str(err1) and "impossible date 31/02/2023" in str(err1)
    pd.testing.assert_frame_equal(err2.problems, err1.problems)


@fork_only
def test_the_reading_elsewhere_warns_here(tmp_path, monkeypatch):
    import os

    data = tmp_path / "data"
    write_ecosystem(wpnet.tiny(), data, format="csv")
    part = pd.read_csv(data / "participation.csv", dtype=str)
    part.loc[2, "network_id"] = "N999"  # an unknown network: rejected with --errors drop
    part.to_csv(data / "participation.csv", index=False)
    args = cli.build_parser().parse_args(["report", str(data), "--errors", "drop"])
    (p2, _, eco2, w2), (p1, _, eco1, w1) = _read_both_ways(args, monkeypatch)
    assert p2 != os.getpid() == p1
    assert len(w1) == 1 and "1 of" in w1[0][1] and "rows rejected" in w1[0][1]
    assert w2 == w1
    pd.testing.assert_frame_equal(eco2.participation, eco1.participation)
    pd.testing.assert_frame_equal(eco2.rejected, eco1.rejected)


@fork_only
def test_large_or_parquet_data_are_read_here(tmp_path, monkeypatch):
    import os

    from wpnet.report import command

    data = tmp_path / "data"
    write_ecosystem(wpnet.tiny(), data, format="csv")
    size = sum(f.stat().st_size for f in data.iterdir())
    args = cli.build_parser().parse_args(["report", str(data)])
    monkeypatch.setattr(command, "READ_ELSEWHERE_BYTES", size)  # at the limit: elsewhere
    (p2, _, eco2, _), _ = _read_both_ways(args, monkeypatch)
    assert p2 != os.getpid()
    monkeypatch.setattr(command, "READ_ELSEWHERE_BYTES", size - 1)  # above it: here
    (p2, _, eco2, _), _ = _read_both_ways(args, monkeypatch)
    assert p2 == os.getpid() and len(eco2.participation) == len(wpnet.tiny().participation)
    monkeypatch.undo()
    pq = tmp_path / "pq"
    write_ecosystem(wpnet.tiny(), pq, format="parquet")  # Parquet: here, whatever its size
    args = cli.build_parser().parse_args(["report", str(pq)])
    (p2, _, eco2, _), _ = _read_both_ways(args, monkeypatch)
    assert p2 == os.getpid() and len(eco2.participation) == len(wpnet.tiny().participation)


@fork_only
def test_a_reading_process_killed_is_one_line_exit_2(tmp_path, monkeypatch, capsys):
    import os
    import signal

    from wpnet.report import command

    data = tmp_path / "data"
    write_ecosystem(wpnet.tiny(), data, format="csv")
    monkeypatch.setenv("WPNET_WORKERS", "2")
    monkeypatch.setattr(command, "_load", lambda a, **kw: os.kill(os.getpid(), signal.SIGKILL))
    code, out, err = run(["report", data, "--out", tmp_path / "rep", "--samples", "0"], capsys)
    assert code == 2
    assert "killed by signal 9, SIGKILL: the system may have run out of memory" in err
    assert "WPNET_WORKERS=1" in err and not (tmp_path / "rep").exists()


def test_left_out_counts_the_rows_of_every_table_read(tmp_path):
    """A folder's "N of M rows were left out": M is every table's rows read (counted
    here from the files), not the participation rows kept plus the rejected (an audit
    read "5 of 15" for 36 rows); rows left out only as exact copies say so, not
    "--errors drop"."""
    import warnings

    from wpnet.io import read_ecosystem, write_ecosystem
    from wpnet.report.command import report_left_out

    folder = write_ecosystem(wpnet.tiny(), tmp_path / "in")
    part = (folder / "participation.csv").read_text(encoding="utf-8").splitlines()
    (folder / "participation.csv").write_text("\n".join(part + part[1:3]) + "\n", encoding="utf-8")
    files = list(folder.glob("*.csv"))
    rows = sum(len(f.read_text(encoding="utf-8").splitlines()) - 1 for f in files)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        eco = read_ecosystem(folder)
    line = report_left_out(eco, None)[0]
    assert line.startswith(f"2 of {rows} rows were left out (exact copies of earlier rows)")


def test_the_rejected_rows_file_holds_no_control_characters(tmp_path):
    """A rejected export row with a NUL and a terminal escape in its school: the file of
    rejected rows is written without them, as every file wpnet writes (audit)."""
    from wpnet.records import from_records
    from wpnet.report.command import report_left_out

    rows = pd.DataFrame(
        {
            "Full Name": ["Ann Smith", "Bob Jones"],
            "E-mail address": ["ann@x.org", "bob@x.org"],
            "School": ["Ashgrove Primary", "Cove\x00 Pri\x1b[2Jmary"],
            "Local Authority": ["Glasgow City", "Inverclyde"],
            "Event": ["Numeracy CLN"] * 2,
            "Job Title": ["Teacher"] * 2,
            "Date": ["2023-01-10"] * 2,
        }
    )
    register = pd.DataFrame(
        {
            "establishment_id": ["E1"],
            "name": ["Ashgrove Primary"],
            "authority": ["Glasgow City"],
            "sector": ["primary"],
        }
    )
    key = "a key of sixteen+ bytes"
    eco = from_records(rows, register=register, key=key, errors="drop")
    assert len(eco.rejected) == 1
    out = tmp_path / "r_rejected_rows.csv"
    report_left_out(eco, out)
    text = out.read_text(encoding="utf-8")
    assert "\x00" not in text and "\x1b" not in text and "Cove Pri[2Jmary" in text


def test_a_report_inside_a_folder_of_exports_can_be_made_again(tmp_path, files, capsys):
    """--out inside the folder of exports: the file of rejected rows written there is
    not read as an export by the next run (an audit's second run failed: "export has
    no column for e-mail or name")."""
    key, reg = files
    exports = tmp_path / "exports"
    exports.mkdir()
    bad = small_export()
    bad.loc[0, "School"] = "Nowhere Academy"
    bad.to_csv(exports / "bookings.csv", index=False)
    argv = ["report", exports, "--key-file", key, "--register", reg, "--date-order", "dmy",
            "--errors", "drop", "--out", exports / "report", "--backbone", "none",
            "--samples", "0"]  # fmt: skip
    for _ in range(2):
        code, stdout, err = run(argv, capsys)
        assert code == 0, err
        assert "1 of 36 rows were left out" in stdout
    # (the command reads in a forked process, whose stderr capsys does not see)
    assert cli._report_command._export_files([exports]) == [exports / "bookings.csv"]
    assert "report_rejected_rows.csv is wpnet's file of rejected rows, not read" in (
        capsys.readouterr().err
    )


def test_a_folder_of_capitalised_table_files_is_read_as_tables(tmp_path, capsys):
    """Participation.csv, Establishments.csv ...: the command line reads the folder as
    tables, as read_ecosystem does (an audit saw it taken for exports)."""
    from wpnet.io import write_ecosystem

    folder = write_ecosystem(wpnet.tiny(), tmp_path / "in")
    for f in list(folder.glob("*.csv")):
        f.rename(f.with_name(f.name.capitalize()))
    code, out, err = run(["validate", folder], capsys)
    assert code == 0, out + err
    assert "OK" in out and "export" not in out + err


def test_a_refused_rejected_rows_file_leaves_the_earlier_report_as_it_was(tmp_path, files, capsys):
    """An export named rep_rejected_rows.csv, reported to rep with --errors drop: its
    rejected rows would overwrite the input, so the run is refused, and the report made
    before is left as it was (an audit found it replaced first)."""
    key, reg = files
    good = tmp_path / "bookings.csv"
    small_export().to_csv(good, index=False)
    base = ["--key-file", key, "--register", reg, "--date-order", "dmy", "--backbone",
            "none", "--samples", "0", "--out", tmp_path / "rep"]  # fmt: skip
    assert run(["report", good, *base], capsys)[0] == 0
    page = (tmp_path / "rep" / "index.html").read_bytes()
    bad = small_export()
    bad.loc[0, "School"] = "Nowhere Academy"
    named = tmp_path / "rep_rejected_rows.csv"
    bad.to_csv(named, index=False)
    code, out, err = run(["report", named, "--errors", "drop", *base], capsys)
    assert code != 0 and "rep_rejected_rows.csv" in out + err
    assert (tmp_path / "rep" / "index.html").read_bytes() == page


def test_report_out_that_cannot_be_a_report_folder_is_refused_before_reading(
    tmp_path, capsys, monkeypatch
):
    data = write_ecosystem(wpnet.tiny(), tmp_path / "data")
    (tmp_path / "afile").write_text("x")
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    read = []
    monkeypatch.setattr(cli._report_command, "_read_while", lambda *a, **k: read.append(a))
    cases = {
        ".": "--out .: the report is written as a new folder that takes the place of the "
        "folder named, and . is the current folder (or holds it); give a folder of its "
        "own, e.g. --out report",
        "..": "--out ..: the report is written as a new folder",
        "../afile/rep": "--out ../afile/rep: ../afile is a file, not a folder, so no folder "
        "can be made in it",
        "../afile": "--out ../afile: it is a file; give a folder for the report",
    }
    for out, said in cases.items():
        assert cli.main(["report", str(data), "--out", out, "--samples", "0"]) == 2
        err = capsys.readouterr().err
        assert said in err, (out, err)
        assert err.count("\n") == 1  # one line, no traceback
    assert read == [] and sorted(p.name for p in here.iterdir()) == []


def test_validate_says_nothing_left_once_without_the_empty_tables(tmp_path, capsys):
    export = tmp_path / "cancelled.csv"
    export.write_text(
        "Full Name,E-mail address,School,Local Authority,Event,Job Title,Date,Status\n"
        "Ann Smith,a@x.org,Ashgrove Primary,Glasgow,Numeracy CLN,DHT,01/09/2022,Cancelled\n"
        "Bob Jones,b@x.org,Ashgrove Primary,Glasgow,Numeracy CLN,DHT,01/09/2022,Cancelled\n"
    )
    # every row cancelled: nothing left to analyse is an error (exit 1), said once; the
    # tables built from the export are empty because of it, which it says (their
    # "table X has no rows" warnings were printed beside it: redundant)
    assert cli.main(["validate", str(export)]) == 1
    out = capsys.readouterr().out
    assert out.count("no attendance is left to analyse") == 1, out
    assert "has no rows" not in out and "1 error, 1 warning in 2 rows read" in out, out
