import pandas as pd
import pytest

from wpnet.sessions import session_bounds, session_of, sessions_between


def test_31_july_and_1_august_fall_in_different_sessions():
    s = pd.Series(pd.to_datetime(["2022-07-31", "2022-08-01", "2023-07-31", "2020-01-15"]))
    assert session_of(s).tolist() == ["2021-22", "2022-23", "2022-23", "2019-20"]


def test_century_label_wraps():
    assert session_of(pd.Series(pd.to_datetime(["2099-09-01"]))).tolist() == ["2099-00"]


def test_missing_date_gives_missing_session():
    out = session_of(pd.Series(pd.to_datetime(["2022-09-01", None])))
    assert out.iloc[0] == "2022-23" and pd.isna(out.iloc[1])


def test_bounds_and_ranges():
    assert session_bounds("2019-20") == (pd.Timestamp("2019-08-01"), pd.Timestamp("2020-07-31"))
    assert sessions_between("2019-20", "2023-24")[-1] == "2023-24"
    assert len(sessions_between("2019-20", "2023-24")) == 5


@pytest.mark.parametrize("bad", ["2022-24", "2022", "22-23", "2022/23"])
def test_bad_label_is_a_clear_error(bad):
    with pytest.raises(ValueError, match="session must be a label like '2022-23'"):
        session_bounds(bad)
