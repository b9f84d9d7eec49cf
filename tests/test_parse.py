"""Date and text parsing: every accepted form and every rejected one."""

from __future__ import annotations

import pandas as pd
import pytest

from wpnet._parse import clean_text, parse_dates


def parse(*values):
    return parse_dates(pd.Series(list(values), dtype=object))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-01-05", "2023-01-05"),
        ("01/08/2022", "2022-08-01"),  # UK day-first: 1 August, never 8 January
        ("1/8/2022", "2022-08-01"),
        ("28.02.2023", "2023-02-28"),
        ("12-03-2021", "2021-03-12"),
        ("44927", "2023-01-01"),  # Excel serial as text: days since 1899-12-30
        (" 2023-01-05 ", "2023-01-05"),
    ],
)
def test_accepted_forms(text, expected):
    dates, problems = parse(text)
    assert dates[0] == pd.Timestamp(expected)
    assert problems[0] == ""


def test_excel_serial_numbers_and_timestamps():
    dates, problems = parse(44927, 44927.0, pd.Timestamp("2022-09-01"))
    assert list(dates) == [pd.Timestamp("2023-01-01")] * 2 + [pd.Timestamp("2022-09-01")]
    assert (problems == "").all()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("31/02/2023", "impossible"),
        ("2023-02-30", "impossible"),
        ("13/13/2023", "impossible"),
        ("01/01/1899", "1990"),
        ("2100-01-01", "2099"),
        ("next Tuesday", "not a date"),
    ],
)
def test_rejected_forms_say_why(text, fragment):
    dates, problems = parse(text)
    assert pd.isna(dates[0])
    assert fragment in problems[0]


def test_missing_is_not_a_problem():
    dates, problems = parse(None, "", "  ")
    assert dates.isna().all()
    assert (problems == "").all()


def test_empty_columns_of_any_dtype():
    for dtype in ("string", object, "float64"):
        dates, problems = parse_dates(pd.Series([], dtype=dtype))
        assert len(dates) == 0 and len(problems) == 0


def test_mixed_formats_in_one_column():
    dates, problems = parse("2023-01-05", "06/01/2023", 44933)
    assert list(dates) == [pd.Timestamp(d) for d in ("2023-01-05", "2023-01-06", "2023-01-07")]


def test_clean_text_trims_and_maps_missing_markers():
    s = clean_text(pd.Series([" Glasgow\u00a0City ", "N/A", "n/a", "-", "", "ok"], dtype=object))
    assert s[0] == "Glasgow City"
    assert s[1:5].isna().all()
    assert s[5] == "ok"
