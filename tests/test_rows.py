"""wpnet._rows: CSV text read by Arrow's reader gives exactly the table Python's csv
module gives (the oracle), or hands the text to the csv module."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import wpnet._rows as R
from wpnet.errors import DataError


def by_csv_module(text: str, source: str = "t.csv") -> R.RawTable:
    """The table as the csv module reads it (Arrow's path switched off)."""
    real = R._columns_by_arrow
    R._columns_by_arrow = lambda *args: None
    try:
        return R.csv_table(text, source)
    finally:
        R._columns_by_arrow = real


def same(text: str) -> bool:
    """Whether Arrow's path read ``text``; asserts both paths give the same table."""
    fast = R._columns_by_arrow(text, "t.csv")
    a, b = R.csv_table(text, "t.csv"), by_csv_module(text)
    pd.testing.assert_frame_equal(a.frame, b.frame, check_exact=True)
    assert a.problems == b.problems
    return fast is not None


def reads_alike(text: str) -> None:
    """Both paths give the same table, or the same error (an empty header)."""
    assume(text.strip())  # a blank file is refused before it is parsed (wpnet.io)
    try:
        expected = by_csv_module(text)
    except DataError as err:
        with pytest.raises(DataError, match=str(err).split(":")[0]):
            R.csv_table(text, "t.csv")
        return
    got = R.csv_table(text, "t.csv")
    pd.testing.assert_frame_equal(got.frame, expected.frame, check_exact=True)
    assert got.problems == expected.problems


@pytest.mark.parametrize(
    ("text", "arrow"),
    [
        ("id,name\nE1,Ash\nE2,Birch\n", True),
        ("id,name\r\nE1,Ash\r\nE2,Birch", True),  # CRLF, no final newline
        ("id,name\rE1,Ash\rE2,Birch\r", True),  # old Mac line ends
        ("id,name\nE1,Ash\n,\nE2,Birch\n", True),  # an all-blank record: skipped, numbered
        ("id,name\n \x1c, \u3000\nE2,Birch\n", True),  # blank as str.strip sees it
        ("id,name\n\x1c,x\n", True),  # a blank first cell, a non-blank second: kept
        ("id,name,,\nE1,Ash,,\nE2,Birch, ,\n", True),  # blank unnamed trailing columns
        ("id,name,,\nE1,Ash,,oops\n", False),  # a value under no header: reported
        ("id,name\nE1,Ash\n\nE2,Birch\n", True),  # an empty line: a blank record
        ("id,name\nE1,Ash,extra\n", False),  # ragged
        ("id,name\nE1\n", False),  # short
        ('id,name\nE1,"Ash, Birch"\n', True),  # quoted
        ('"id","na,""me"""\nE1,x\n', True),  # a quoted header
        ('id,name\nE1,"Ash\r\nBirch"\nE2,b"c\n', True),  # a line end in quotes; a quote inside
        ('id,name\nE1,"Ash"y\n', True),  # text after a closing quote joins the cell
        ("id,name\nE1,A\x00sh\n", False),  # NUL: left to the csv module
        ("id\nE1\nE2\n", False),  # one column
        ("id,name\n", True),  # header only
    ],
)
def test_arrow_reads_plain_text_and_gives_the_csv_module_table(text: str, arrow: bool) -> None:
    assert same(text) is arrow


def test_records_are_numbered_as_records_when_a_cell_holds_a_line_end() -> None:
    text = 'id,name\nE1,"Ash\nBirch"\nE2,Cedar\n'
    assert R._columns_by_arrow(text, "t.csv") is not None
    t = R.csv_table(text, "t.csv")
    assert t.frame.index.tolist() == [2, 3]
    assert t.frame["name"].tolist() == ["Ash\nBirch", "Cedar"]


def test_a_blank_record_keeps_the_numbers_of_the_others() -> None:
    t = R.csv_table("id,name\nE1,Ash\n , \nE2,Birch\n", "t.csv")
    assert R._columns_by_arrow("id,name\nE1,Ash\n , \nE2,Birch\n", "t.csv") is not None
    assert t.frame.index.tolist() == [2, 4]
    assert t.frame["id"].tolist() == ["E1", "E2"]


def test_an_empty_header_is_refused_on_either_path() -> None:
    for text in ("\nid,name\nE1,Ash\n", ",,\nE1,Ash\n"):
        with pytest.raises(DataError, match="the first row \\(the header\\) is empty"):
            R.csv_table(text, "t.csv")


CELL = st.text(alphabet=st.sampled_from(list("ab1 é-\t\x1c\u3000.,\r\n")), max_size=6)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(CELL, min_size=1, max_size=4), min_size=1, max_size=8))
def test_generated_text_reads_the_same_either_way(rows: list[list[str]]) -> None:
    # cells may hold commas, line ends and blanks: ragged, empty and blank records arise
    text = "\n".join(",".join(r) for r in rows)
    reads_alike(text)


TEXT = st.one_of(
    st.text(alphabet=st.sampled_from(list("ab1 é-\t\x1c\u3000\x85\x0b\x0c.;")), max_size=5),
    st.text(alphabet=st.sampled_from(list('ab ,"\r\n')), max_size=5).map(
        lambda v: '"' + v.replace('"', '""') + '"'
    ),  # quoted, with commas, quotes and line ends inside
    st.text(alphabet=st.sampled_from(list('ab "')), max_size=4),  # stray quotes
)
BLANKS = st.sampled_from(["", " ", "\t", "\x1c", "\u3000"])


@st.composite
def tables(draw: st.DrawFn) -> str:
    """CSV text of whole tables: rows of the header's width, quoted and stray-quoted
    cells, blank records, empty lines, and every line end, so that Arrow's path is the
    one mostly taken."""
    width = draw(st.integers(2, 5))
    lines = [",".join(draw(st.lists(TEXT, min_size=width, max_size=width)))]
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["row", "row", "row", "blank", "empty"]))
        cells = TEXT if kind == "row" else BLANKS
        lines.append("" if kind == "empty" else ",".join(draw(st.lists(cells, min_size=width,
                                                                       max_size=width))))  # fmt: skip
    end = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return end.join(lines) + draw(st.sampled_from(["", end]))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_generated_tables_read_the_same_either_way(text: str) -> None:
    reads_alike(text)


def test_the_example_reads_the_same_either_way() -> None:
    from pathlib import Path

    from wpnet.io import _decode

    folder = Path(__file__).resolve().parents[1] / "datasets" / "west_partnership"
    for path in sorted(folder.glob("*.csv")):
        text = _decode(path.read_bytes(), path.name)
        assert same(text), path.name  # the example has no quotes: Arrow reads it


def test_a_header_longer_than_the_prefix_read_for_it_is_read_whole() -> None:
    long_name = "n" * 70_000 + "\nm"  # a quoted header cell across the 64 K prefix and a line
    text = f'id,"{long_name}"\n' + "".join(f"E{i},x{i}\n" for i in range(2000))
    assert R._first_record(text) == ["id", long_name]
    assert R._first_record(text, prefix=10) == ["id", long_name]
    assert same(text)  # Arrow's path, the csv module's table
    assert R.csv_table(text, "t.csv").frame.columns.tolist() == ["id", long_name]
