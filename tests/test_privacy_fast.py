"""The column passes of :mod:`wpnet.privacy` (neutralise, strip_controls, csv_text)
against a plain cell-by-cell reference on adversarial cells of every text dtype.

The references below read each cell with ``DataFrame.iat`` and apply the rule written
in the docstrings (formula prefixes, control characters, carriage returns); they share
no code with the column passes but :func:`wpnet.privacy.safe_cell`'s single-cell test.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wpnet.errors import WpnetError
from wpnet.privacy import (
    CONTROL_CHARS,
    atomic_write_all,
    csv_text,
    neutralise,
    safe_cell,
    strip_controls,
)

TEXT_DTYPES = (object, "str", "string", "string[python]", "string[pyarrow]")

#: Characters that matter to one rule or another, and a few that must be left alone.
ALPHABET = list("=+-@\t\r\n 1.eE,\"'a") + [
    "\x00",
    "\x1b",
    "\x7f",
    "\x0b",
    "\x0c",
    "\x85",  # C1: kept (not a C0 control)
    "\u2028",
    "\u202e",
    "\u0663",  # ARABIC-INDIC DIGIT THREE: a digit to Python's \d
    "\uff11",  # FULLWIDTH DIGIT ONE
    "é",
]
TEXT = st.text(alphabet=st.sampled_from(ALPHABET), max_size=7)
ADVERSARIAL = [
    "=1+1",
    '=HYPERLINK("http://x","y")',
    "+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "-1\n",  # a number then a line feed is not a number: neutralised
    "+1\n\n",
    "-3.5",
    "+12",
    "1e5",
    "-\u0663",
    "-\uff11",
    "=\u0663",
    "-",
    "",
    "Net\x00work",
    "a\x1b[31mb",
    "x\ry",
    "ok",
]
CELL = st.one_of(
    TEXT,
    st.sampled_from(ADVERSARIAL),
    st.none(),
    st.just(np.nan),
    st.just(pd.NA),
    st.integers(-3, 3),
    st.floats(allow_nan=True, allow_infinity=True),
    st.just(np.str_("=np")),
    st.just(b"=bytes"),
)


# ---- the references: one cell at a time ------------------------------------------------------
def _is_text(frame: pd.DataFrame, j: int, v: object) -> bool:
    dtype = frame.dtypes.iloc[j]
    if pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
        return isinstance(v, str)
    return isinstance(dtype, pd.StringDtype) and not pd.isna(v)


def _cellwise(frame: pd.DataFrame, rule: Callable[[str], str]) -> list[list[object]]:
    """Each cell through ``rule`` if it is text (a cell the rule leaves as it was keeps
    its object), else as it is."""

    def one(j: int, v: object) -> object:
        if not _is_text(frame, j, v):
            return v
        new = rule(str(v))
        return v if new == str(v) else new

    return [[one(j, frame.iat[i, j]) for j in range(frame.shape[1])] for i in range(len(frame))]


def _rows(frame: pd.DataFrame) -> list[list[object]]:
    return [[frame.iat[i, j] for j in range(frame.shape[1])] for i in range(frame.shape[0])]


def _same_cells(got: list[list[object]], want: list[list[object]]) -> None:
    assert len(got) == len(want)
    for row_got, row_want in zip(got, want, strict=True):
        for g, w in zip(row_got, row_want, strict=True):
            if isinstance(w, str):
                assert type(g) is type(w) and g == w, (g, w)
            elif w is pd.NA or w is None:
                assert g is w, (g, w)
            elif isinstance(w, float) and np.isnan(w):
                assert isinstance(g, float) and np.isnan(g), (g, w)
            else:
                assert type(g) is type(w) and g == w, (g, w)


def _frame(obj: list[object], strs: list[str | None], dtype: object) -> pd.DataFrame:
    n = len(obj)
    df = pd.DataFrame({"obj": pd.Series(obj, dtype=object)})
    df["txt"] = pd.Series((strs + [None] * n)[:n], dtype=dtype).to_numpy()
    df["txt"] = df["txt"].astype(dtype)
    df["n"] = np.arange(n, dtype=np.int64)
    df["cat"] = pd.Categorical([["=cat", "ok\x00", "x\ry", None][i % 4] for i in range(n)])
    return df


def _formula_rule(text: str) -> str:
    starts = text[:1] in {"=", "+", "-", "@", "\t", "\r"}
    number = re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text) is not None
    return "'" + text if starts and not number else text


# ---- hand-worked cells -----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", TEXT_DTYPES)
def test_neutralise_adversarial_cells_as_the_rule_says(dtype):
    df = pd.DataFrame({"a": pd.Series(ADVERSARIAL + [None], dtype=dtype)})
    got = neutralise(df)["a"].tolist()
    assert got[:8] == [
        "'=1+1",
        '\'=HYPERLINK("http://x","y")',
        "'+cmd|' /C calc'!A0",
        "'-2+3",
        "'@SUM(A1)",
        "'\t=1",
        "'\r=1",
        "'-1\n",
    ]
    assert got[9:13] == ["-3.5", "+12", "1e5", "-\u0663"]  # numbers stay numbers
    assert got[14:17] == ["'=\u0663", "'-", ""]
    assert got[-2] == "ok" and pd.isna(got[-1])
    assert neutralise(df)["a"].dtype == df["a"].dtype


def test_safe_cell_and_neutralise_agree_on_a_number_then_a_line_feed():
    """A label and a cell with the same text are treated alike (both neutralised)."""
    df = pd.DataFrame({"-1\n": ["-1\n"]}, index=pd.Index(["+2\n"]))
    out = neutralise(df)
    assert list(out.columns) == ["'-1\n"] and out.iat[0, 0] == "'-1\n"
    assert out.index[0] == "'+2\n"
    assert safe_cell("-1\n") == "'-1\n" and safe_cell("-1") == "-1"


def test_strip_controls_cells_and_where():
    df = pd.DataFrame(
        {
            "obj": ["Net\x00work", 5, None, "tab\tlf\ncr\r", np.str_("a\x7fb")],
            "txt": pd.Series(["ok", "x\x1by", None, "\x0b\x0c", "é"], dtype="str"),
            "clean": ["a", "b", "c", "d", "e"],
        }
    )
    out, where = strip_controls(df)
    assert out["obj"].tolist()[:2] == ["Network", 5]
    assert out["obj"].iat[2] is None
    assert out["obj"].tolist()[3:] == ["tab\tlf\ncr\r", "ab"]  # tab, LF and CR are kept
    assert out["txt"].tolist()[:2] == ["ok", "xy"] and out["txt"].tolist()[3:] == ["", "é"]
    assert out["txt"].dtype == df["txt"].dtype
    assert where == ["obj", "txt"]
    assert df["obj"].iat[0] == "Net\x00work"  # input untouched


@pytest.mark.parametrize("dtype", TEXT_DTYPES)
def test_csv_text_ends_lines_in_crlf_only_when_a_field_holds_a_cr(dtype):
    plain = pd.DataFrame({"a": pd.Series(["x", None], dtype=dtype), "n": [1, 2]})
    assert "\r" not in csv_text(plain)
    with_cr = plain.assign(a=pd.Series(["x\ry", None], dtype=dtype))
    text = csv_text(with_cr)
    assert text.endswith("\r\n") and '"x\ry"' in text
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1] == ["x\ry", "1"] and len(rows) == 3  # the CR did not split the row


def test_csv_text_sees_a_cr_in_a_non_text_object_cell():
    class Odd:
        def __str__(self) -> str:
            return "p\rq"

    text = csv_text(pd.DataFrame({"a": [Odd(), "z"]}))
    assert text == 'a\r\n"p\rq"\r\nz\r\n'


# ---- random frames against the references ---------------------------------------------------
@settings(max_examples=400, deadline=None)
@given(
    obj=st.lists(CELL, max_size=9),
    strs=st.lists(st.one_of(TEXT, st.sampled_from(ADVERSARIAL), st.none()), max_size=9),
    dtype=st.sampled_from(TEXT_DTYPES),
)
def test_column_passes_equal_the_cellwise_references(obj, strs, dtype):
    df = _frame(obj, strs, dtype)

    out = neutralise(df)
    _same_cells(_rows(out), _cellwise(df, _formula_rule))
    assert list(out.dtypes[:3]) == list(df.dtypes[:3])
    assert out["cat"].dtype == (object if len(df) else df["cat"].dtype)  # "=cat" changed

    clean, where = strip_controls(df)
    _same_cells(_rows(clean), _cellwise(df, lambda t: CONTROL_CHARS.sub("", t)))
    changed = [
        c
        for j, c in enumerate(df.columns)
        if any(
            _is_text(df, j, df.iat[i, j]) and CONTROL_CHARS.search(str(df.iat[i, j]))
            for i in range(len(df))
        )
    ]
    assert where == changed

    text = csv_text(df)
    any_cr = any(
        "\r" in str(df.iat[i, j])
        for i in range(len(df))
        for j in range(df.shape[1])
        if pd.api.types.is_object_dtype(df.dtypes.iloc[j]) or _is_text(df, j, df.iat[i, j])
    )
    assert text.endswith("\r\n") == any_cr
    if any_cr:  # every field read back whole: no CR split a row
        rows = list(csv.reader(io.StringIO(text, newline="")))
        assert len(rows) == len(df) + 1


@settings(max_examples=200, deadline=None)
@given(obj=st.lists(CELL, min_size=1, max_size=6))
def test_neutralise_leaves_its_input_unchanged(obj):
    df = pd.DataFrame({"a": pd.Series(obj, dtype=object)})
    before = [repr(v) for v in df["a"].tolist()]
    neutralise(df)
    strip_controls(df)
    assert [repr(v) for v in df["a"].tolist()] == before


# ---- several files written at once ------------------------------------------------------------
def test_atomic_write_all_flushes_every_file_before_any_rename(tmp_path, monkeypatch):
    import wpnet.privacy as privacy

    events: list[tuple[str, object]] = []
    fsync, replace = os.fsync, os.replace

    def recording_fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        fsync(fd)

    def recording_replace(a, b) -> None:
        events.append(("replace", str(a)))
        replace(a, b)

    monkeypatch.setattr(privacy.os, "fsync", recording_fsync)
    monkeypatch.setattr(privacy.os, "replace", recording_replace)
    (tmp_path / "b.csv").write_text("old")
    files = {tmp_path / f"{k}.csv": f"{k},é\n" * 3 for k in "abcdef"}
    files[tmp_path / "g.bin"] = b"\x00\x01"
    written = atomic_write_all(files)
    assert written == list(files)
    for path, data in files.items():
        want = data.encode("utf-8") if isinstance(data, str) else data
        assert path.read_bytes() == want
    kinds = [k for k, _ in events]
    assert kinds == ["fsync"] * 7 + ["replace"] * 7  # every byte on disk before a rename
    assert sorted(p for _, p in events[:7]) == sorted(p for _, p in events[7:])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in files)


def test_atomic_write_all_touches_nothing_when_one_file_fails(tmp_path):
    (tmp_path / "a.csv").write_text("old a")
    with pytest.raises(TypeError):
        atomic_write_all({tmp_path / "a.csv": "new a", tmp_path / "b.csv": object()})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv"]  # no temporary left
    assert (tmp_path / "a.csv").read_text() == "old a"
    src = tmp_path / "input.csv"
    src.write_text("data")
    with pytest.raises(WpnetError, match="one of the inputs"):
        atomic_write_all({tmp_path / "c.csv": "c", src: "x"}, protect=[src])
    assert src.read_text() == "data" and not (tmp_path / "c.csv").exists()


def test_categorical_text_is_neutralised_cleaned_and_seen_by_csv_text():
    df = pd.DataFrame({"c": pd.Categorical(["=HYPERLINK(1)", "ok", None, "a\x00b"])})
    out = neutralise(df)
    assert out["c"].tolist()[:2] == ["'=HYPERLINK(1)", "ok"] and out["c"].dtype == object
    clean, where = strip_controls(df)
    assert clean["c"].tolist()[3] == "ab" and where == ["c"]
    assert csv_text(pd.DataFrame({"c": pd.Categorical(["x\ry"])})) == 'c\r\n"x\ry"\r\n'
    numbers = pd.DataFrame({"c": pd.Categorical([1, -2])})
    assert neutralise(numbers)["c"].dtype == numbers["c"].dtype  # no text: left as it was


def test_control_chars_as_searched_by_arrow_equal_the_python_class_on_every_code_point():
    """``strip_controls`` gives an Arrow string column's search to RE2 by the pattern's
    text: RE2 must read that text as the same class Python compiles."""
    points = [chr(i) for i in range(0x110000) if not 0xD800 <= i < 0xE000]
    arrow = pd.Series(points, dtype="string[pyarrow]").str.contains(
        CONTROL_CHARS.pattern, regex=True
    )
    assert arrow.to_numpy(dtype=bool).tolist() == [bool(CONTROL_CHARS.search(c)) for c in points]
