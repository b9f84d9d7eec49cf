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


# ---- date order, years, serials (issues 14 and 18) -----------------------------------


def test_date_order_evidence_counts_only_one_way_values():
    from wpnet._parse import date_order_evidence

    ev = date_order_evidence(
        pd.Series(["17/04/2024", "1/18/2024", "3/5/2024", "5/5/2024", "31/02/2023", "2024-01-02"])
    )
    # 17/04 only day-first; 1/18 only month-first; 3/5 either; 5/5 the same both ways;
    # 31/02 neither; ISO not slashed
    assert (ev.n_day_first, ev.n_month_first, ev.n_ambiguous) == (1, 1, 1)
    assert ev.verdict == "mixed"
    assert ev.day_first == ((0, "17/04/2024"),) and ev.month_first == ((1, "1/18/2024"),)


def test_auto_refuses_month_first_with_ambiguous_values_and_names_the_option():
    from wpnet.errors import DataError

    with pytest.raises(DataError) as err:
        parse("3/5/2024", "1/18/2024")
    assert "'1/18/2024'" in str(err.value) and "--date-order dmy|mdy|iso" in str(err.value)


def test_explicit_orders():
    d, why = parse_dates(pd.Series(["3/5/2024", "1/18/2024"]), date_order="mdy")
    assert list(d) == [pd.Timestamp("2024-03-05"), pd.Timestamp("2024-01-18")]
    d, why = parse_dates(pd.Series(["3/5/2024", "1/18/2024"]), date_order="dmy")
    assert d[0] == pd.Timestamp("2024-05-03") and pd.isna(d[1])
    assert "month-first it would be 1 January" not in why[1]  # 18 is not a month
    assert "month-first it would be 18 January 2024" in why[1]
    d, why = parse_dates(pd.Series(["2024-05-03", "3/5/2024", 45000]), date_order="iso")
    assert d[0] == pd.Timestamp("2024-05-03") and pd.isna(d[1]) and pd.notna(d[2])
    assert "not an ISO date" in why[1]
    with pytest.raises(ValueError, match="date_order"):
        parse_dates(pd.Series(["2024-05-03"]), date_order="ydm")


def test_reading_dates_sets_the_default_within_the_block():
    from wpnet._parse import reading_dates

    with reading_dates("mdy"):
        assert parse("3/5/2024")[0][0] == pd.Timestamp("2024-03-05")
    assert parse("3/5/2024")[0][0] == pd.Timestamp("2024-05-03")


def test_two_digit_years():
    d, why = parse("01/09/95", "01/09/22", "1.9.23")
    assert pd.isna(d[0]) and "2095 is in the future" in why[0] and "1995" in why[0]
    assert d[1] == pd.Timestamp("2022-09-01") and d[2] == pd.Timestamp("2023-09-01")


def test_future_dates_are_rejected():
    today = pd.Timestamp.today().normalize()
    d, why = parse((today + pd.Timedelta(days=1)).strftime("%Y-%m-%d"), today.strftime("%Y-%m-%d"))
    assert pd.isna(d[0]) and "in the future" in why[0]
    assert d[1] == today and why[1] == ""


@pytest.mark.parametrize("serial", [45138.75, "45138.75", 45138.999, 45138])
def test_excel_serial_takes_the_day_it_names(serial):
    # 45138 = 31 July 2023 (Excel: days since 1899-12-30); .75 = 18:00 the same day
    d, why = parse(serial)
    assert d[0] == pd.Timestamp("2023-07-31") and why[0] == ""


def test_timestamps_lose_their_time_of_day():
    d, _ = parse(pd.Timestamp("2023-07-31 18:00"), "2023-07-31T23:59")
    assert list(d) == [pd.Timestamp("2023-07-31")] * 2


def test_read_ecosystem_month_first_refused_then_read_with_date_order(tmp_path):
    import wpnet
    from wpnet.errors import DataError

    wpnet.write_ecosystem(wpnet.tiny(), tmp_path)
    part = pd.read_csv(tmp_path / "participation.csv", dtype=str)
    iso = pd.to_datetime(part["date"])
    part["date"] = [f"{t.month}/{t.day}/{t.year}" for t in iso]  # month-first
    part.to_csv(tmp_path / "participation.csv", index=False)
    assert (iso.dt.day > 12).any() and (iso.dt.day <= 12).any()  # evidence and ambiguity
    with pytest.raises(DataError, match="month-first"):
        wpnet.read_ecosystem(tmp_path)
    eco = wpnet.read_ecosystem(tmp_path, date_order="mdy")
    assert sorted(eco.participation["date"]) == sorted(iso)


def test_python_whitespace_is_every_character_str_strip_removes() -> None:
    import sys

    from wpnet._parse import PY_WHITESPACE

    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
    assert every == PY_WHITESPACE


def test_whitespace_run_is_python_s_with_non_breaking_spaces_and_bom() -> None:
    import re
    import sys

    from wpnet._parse import WHITESPACE_RUN

    theirs = re.compile(r"[\s\u00a0\u2007\u202f\ufeff]")  # the pattern clean_text used
    ours = re.compile(WHITESPACE_RUN[:-1])
    for c in map(chr, range(sys.maxunicode + 1)):
        assert bool(theirs.fullmatch(c)) == bool(ours.fullmatch(c)), hex(ord(c))


def test_clean_text_through_arrow_equals_it_through_python_re() -> None:
    # pandas gives a string pattern to Arrow's RE2 and a compiled one to Python's re:
    # the oracle is the former implementation, every value through Python
    import re

    import numpy as np

    from wpnet._parse import MISSING, PY_WHITESPACE

    def through_python(values: pd.Series) -> pd.Series:
        s = values.astype("string")
        s = s.str.replace(re.compile(r"[\s\u00a0\u2007\u202f\ufeff]+"), " ", regex=True)
        s = s.str.strip()
        return s.mask(s.str.lower().isin(MISSING))

    rng = np.random.default_rng(0)
    alphabet = [*"ab é-N/A", *PY_WHITESPACE, "\ufeff", "\u200b", "\x00"]
    values = ["".join(rng.choice(alphabet, rng.integers(0, 8))) for _ in range(5000)]
    series = pd.Series([*values, None, "N/A", " - "])
    assert series.astype("string").array.__class__.__name__ == "ArrowStringArray"
    pd.testing.assert_series_equal(clean_text(series), through_python(series))


def test_a_year_read_as_an_excel_number_is_said_to_be_a_year():
    # 2022 as text, as a number and as a float (a spreadsheet's cell): a year, not a date
    d, why = parse_dates(pd.Series(["2022", 2022, 2022.0, 12, "44927"], dtype=object))
    assert d.isna().tolist() == [True, True, True, True, False]
    year = (
        "2022 is a year, not a date (read as an Excel date number it would be 1905-07-14): "
        "write the day, as YYYY-MM-DD or DD/MM/YYYY"
    )
    assert why.tolist()[:4] == [
        year,
        year,
        year,
        "date 1900-01-11 outside 1990-2099 (12 read as an Excel date number)",
    ]
