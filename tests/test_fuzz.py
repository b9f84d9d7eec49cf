"""Property tests: whatever the files hold, reading fails only with DataError.

Generated folders hold the five tables with canonical, missing, extra or misspelt
columns; cells drawn from random Unicode text, numbers, dates in many forms (some
impossible), ids from small pools (so references both resolve and fail), missing
markers and white space; rows sometimes ragged; files written as CSV (UTF-8, UTF-8
with BOM, UTF-16, cp1252), XLSX or Parquet. Properties:

* ``read_ecosystem`` returns an Ecosystem or raises :class:`wpnet.DataError`, never
  any other exception, and warns with nothing but its own "rows rejected" UserWarning;
* with ``errors="drop"``, accepted + rejected = rows read, table by table;
* ``validate(path).ok`` is true exactly when ``read_ecosystem(path)`` succeeds.

Default runs are small for CI. For a long run (10,000 inputs per property)::

    WPNET_FUZZ_EXAMPLES=10000 python -m pytest tests/test_fuzz.py -q -W ignore::DeprecationWarning

(``-W`` only lets hypothesis import its failure-reporting helpers, which warn.)
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import warnings
from pathlib import Path

import hypothesis.strategies as st
import openpyxl
import pandas as pd
from hypothesis import HealthCheck, given, settings

from wpnet.errors import DataError
from wpnet.inspection import validate
from wpnet.io import read_ecosystem, read_tables
from wpnet.schema import TABLES

EXAMPLES = int(os.environ.get("WPNET_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

IDS = {
    "establishment_id": ["E1", "E2", "E3", " e1 ", "E9"],
    "practitioner_id": ["P1", "P2", "P3", "P9"],
    "network_id": ["N1", "N2", "N9"],
    "source": ["P1", "P2", "P9"],
    "target": ["P1", "P3", "P9"],
}
VOCAB = {
    "sector": ["primary", "ELC", "Secondary School", "Zoo", "asn"],
    "level": ["Class Teacher", "PT Maths", "DHT", "Astronaut", "headteacher"],
    "role": ["participant", "Network Lead", "Boss", "facilitator"],
    "authority": ["Glasgow", "Inverclyde Council", "Fife", "Renfrewshire"],
}
MISSING = ["", " ", "N/A", "n/a", "-", "NA", "#N/A", "\u00a0"]

text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)),  # no lone surrogates: not encodable
    max_size=12,
)
numbers = st.one_of(
    st.integers(-(10**20), 10**20).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1,200", "2.0", "1e3", "0x10", "+5", ".5", "5."]),
)


@st.composite
def dates(draw: st.DrawFn) -> str:
    y = draw(st.integers(1890, 2110))
    m = draw(st.integers(0, 13))
    d = draw(st.integers(0, 32))
    form = draw(
        st.sampled_from(["{y}-{m:02d}-{d:02d}", "{d}/{m}/{y}", "{d}.{m}.{y}", "{d}-{m}-{yy:02d}"])
    )
    if draw(st.booleans()):
        return str(draw(st.integers(-5, 3_000_000)))  # Excel serials, in and out of range
    return form.format(y=y, m=m, d=d, yy=y % 100)


def cell(column: str, kind: str) -> st.SearchStrategy[str]:
    options = [st.sampled_from(MISSING), text]
    if column in IDS:
        options.append(st.sampled_from(IDS[column]))
    if kind in VOCAB:
        options.append(st.sampled_from(VOCAB[kind]))
    if kind in ("int", "float"):
        options.append(numbers)
    if kind == "date":
        options.append(dates())
    return st.one_of(*options)


@st.composite
def table(draw: st.DrawFn, name: str) -> tuple[list[str], list[list[str]]]:
    spec = TABLES[name]
    columns = [c for c in spec.columns if c.required or draw(st.booleans())]
    if draw(st.integers(0, 9)) == 0 and columns:  # sometimes lose a column
        columns.pop(draw(st.integers(0, len(columns) - 1)))
    header = [c.name for c in columns]
    if draw(st.booleans()):
        header = [h.upper().replace("_", " ") for h in header]
    kinds = [(c.name, c.kind) for c in columns]
    if draw(st.integers(0, 4)) == 0:
        header.append(draw(st.sampled_from(["extra", "Name", "", "notes"])))
        kinds.append(("extra", "text"))
    n = draw(st.integers(0, 6))
    rows = []
    for _ in range(n):
        row = [draw(cell(c, k)) for c, k in kinds]
        if draw(st.integers(0, 9)) == 0:
            row = row + [draw(text)] if draw(st.booleans()) else row[:-1]
        rows.append(row)
    if n and draw(st.integers(0, 5)) == 0:
        rows.append(list(rows[0]))  # an exact duplicate
    return header, rows


def _csv_bytes(header: list[str], rows: list[list[str]], encoding: str) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([header, *rows])
    try:
        return buf.getvalue().encode(encoding)
    except UnicodeEncodeError:
        return buf.getvalue().encode("utf-8")


def _write(folder: Path, name: str, header: list[str], rows: list[list[str]], fmt: str) -> None:
    if fmt == "xlsx":
        wb = openpyxl.Workbook()
        ws = wb.active
        for r in [header, *rows]:
            # control characters cannot be stored in a workbook at all
            ws.append(["".join(ch for ch in v if ch >= " " or ch in "\t\n\r") for v in r])
        wb.save(folder / f"{name}.xlsx")
    elif fmt == "parquet":
        width = len(header)
        cols = list(dict.fromkeys(header))
        body = [(r + [""] * width)[: len(cols)] for r in rows]
        pd.DataFrame(body, columns=cols, dtype="string").to_parquet(folder / f"{name}.parquet")
    else:
        (folder / f"{name}.csv").write_bytes(_csv_bytes(header, rows, fmt))


@st.composite
def datasets(draw: st.DrawFn) -> dict[str, tuple[list[str], list[list[str]], str]]:
    out = {}
    for name in TABLES:
        if name == "ties" and draw(st.booleans()):
            continue
        if draw(st.integers(0, 19)) == 0:
            continue  # a missing table
        fmt = draw(
            st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252", "utf-8", "xlsx", "parquet"])
        )
        header, rows = draw(table(name))
        out[name] = (header, rows, fmt)
    return out


def _materialise(folder: Path, data: dict) -> None:
    for name, (header, rows, fmt) in data.items():
        _write(folder, name, header, rows, fmt)


def _read(path: Path, errors: str):
    """read_ecosystem, asserting the only warning it may give is its own."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            eco = read_ecosystem(path, errors=errors)
        except DataError:
            eco = None
    for w in caught:
        assert w.category is UserWarning and "rows rejected" in str(w.message), w
    return eco


@FUZZ
@given(datasets())
def test_read_returns_or_raises_data_error(data):
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        _materialise(folder, data)
        strict = _read(folder, "raise")
        eco = _read(folder, "drop")
        if strict is not None:
            assert eco is not None
        if eco is not None:
            raw = read_tables(folder).raw
            for name, t in raw.items():
                rejected = int((eco.rejected["table"] == name).sum())
                assert len(getattr(eco, name)) + rejected == len(t.frame), name
        report = validate(folder)
        assert report.ok == (strict is not None)
        str(report)
        report._repr_html_()


@FUZZ
@given(
    st.lists(st.binary(max_size=200), min_size=1, max_size=5),
    st.sampled_from(["establishments", "participation"]),
)
def test_arbitrary_bytes_never_crash(blobs, name):
    """Random bytes as a CSV, an .xlsx or a .parquet file: DataError or success only."""
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        suffix = [".csv", ".xlsx", ".parquet"][len(blobs) % 3]
        (folder / f"{name}{suffix}").write_bytes(b"".join(blobs))
        assert _read(folder, "drop") is None  # other required tables are missing
        assert not validate(folder).ok
