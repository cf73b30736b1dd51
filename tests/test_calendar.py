"""The mainland-China calendar against the State Council notices for 2024-2026.

Provenance of the expected dates: 国务院办公厅关于2024年部分节假日安排的通知 (国办发明电〔2023〕7号,
25 Oct 2023), …2025年… (国办发明电〔2024〕12号, 12 Nov 2024) and …2026年… (published Nov 2025;
links in ``holidays.countries.china.China``'s docstring). Blocks are the consecutive days off
(放假调休, 共N天); make-up workdays are the weekend days announced as 上班.
"""

from __future__ import annotations

import warnings
from datetime import date

import pandas as pd
import pytest

from ccomkit.calendar import (
    DAY_TYPES,
    day_types,
    holiday_blocks,
    is_workday,
    published_years,
)
from ccomkit.errors import CalendarGuessWarning, ParameterError

D = date

NOTICES: dict[int, dict[str, list]] = {
    2024: {
        "blocks": [
            ("元旦", D(2023, 12, 30), D(2024, 1, 1)),
            ("春节", D(2024, 2, 10), D(2024, 2, 17)),
            ("清明节", D(2024, 4, 4), D(2024, 4, 6)),
            ("劳动节", D(2024, 5, 1), D(2024, 5, 5)),
            ("端午节", D(2024, 6, 8), D(2024, 6, 10)),
            ("中秋节", D(2024, 9, 15), D(2024, 9, 17)),
            ("国庆节", D(2024, 10, 1), D(2024, 10, 7)),
        ],
        "makeup": [D(2024, 2, 4), D(2024, 2, 18), D(2024, 4, 7), D(2024, 4, 28), D(2024, 5, 11),
                   D(2024, 9, 14), D(2024, 9, 29), D(2024, 10, 12)],
    },
    2025: {
        "blocks": [
            ("元旦", D(2025, 1, 1), D(2025, 1, 1)),
            ("春节", D(2025, 1, 28), D(2025, 2, 4)),
            ("清明节", D(2025, 4, 4), D(2025, 4, 6)),
            ("劳动节", D(2025, 5, 1), D(2025, 5, 5)),
            ("端午节", D(2025, 5, 31), D(2025, 6, 2)),
            ("国庆节、中秋节", D(2025, 10, 1), D(2025, 10, 8)),
        ],
        "makeup": [D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)],
    },
    2026: {
        "blocks": [
            ("元旦", D(2026, 1, 1), D(2026, 1, 3)),
            ("春节", D(2026, 2, 15), D(2026, 2, 23)),
            ("清明节", D(2026, 4, 4), D(2026, 4, 6)),
            ("劳动节", D(2026, 5, 1), D(2026, 5, 5)),
            ("端午节", D(2026, 6, 19), D(2026, 6, 21)),
            ("中秋节", D(2026, 9, 25), D(2026, 9, 27)),
            ("国庆节", D(2026, 10, 1), D(2026, 10, 7)),
        ],
        "makeup": [D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20),
                   D(2026, 10, 10)],
    },
}

COLUMNS = ["date", "weekday", "day_type", "is_workday", "holiday_name", "holiday_name_en", "is_eve",
           "is_guess", "days_to_holiday", "days_after_holiday"]


@pytest.fixture
def no_guess_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalendarGuessWarning)
        yield


def _year(year: int) -> pd.DataFrame:
    return day_types(D(year, 1, 1), D(year, 12, 31))


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_holiday_blocks_match_the_notice(year, no_guess_warning):
    got = holiday_blocks(D(year, 1, 1), D(year, 12, 31))
    expected = NOTICES[year]["blocks"]
    assert list(got["name"]) == [b[0] for b in expected]
    assert [d.date() for d in got["first_day"]] == [b[1] for b in expected]
    assert [d.date() for d in got["last_day"]] == [b[2] for b in expected]
    assert list(got["n_days"]) == [(b[2] - b[1]).days + 1 for b in expected]
    assert not got["is_guess"].any()


@pytest.mark.parametrize("year", sorted(NOTICES))
def test_makeup_workdays_and_day_types_match_the_notice(year, no_guess_warning):
    cal = _year(year)
    makeup = [d.date() for d in cal.loc[cal["day_type"] == "makeup_workday", "date"]]
    assert makeup == NOTICES[year]["makeup"]
    # Every day off in a notice block is a holiday; every other day is a plain weekday/weekend.
    off = set()
    for _name, first, last in NOTICES[year]["blocks"]:
        off |= {d.date() for d in pd.date_range(first, last)}
    days = cal["date"].dt.date
    assert set(days[cal["day_type"] == "holiday"]) == {d for d in off if d.year == year}
    rest = cal[~days.isin(off) & ~days.isin(NOTICES[year]["makeup"])]
    assert (rest["day_type"] == rest["weekday"].map(lambda w: "weekend" if w >= 5 else "workday")).all()
    assert (cal["is_workday"] == cal["day_type"].isin(["workday", "makeup_workday"])).all()


def test_spring_festival_2024_day_by_day(no_guess_warning):
    cal = day_types(D(2024, 2, 3), D(2024, 2, 19)).set_index("date")
    t = cal["day_type"]
    assert t[pd.Timestamp("2024-02-04")] == "makeup_workday"  # Sunday worked
    assert t[pd.Timestamp("2024-02-09")] == "workday"  # 除夕 2024 was a working day
    assert (t["2024-02-10":"2024-02-17"] == "holiday").all()
    assert t[pd.Timestamp("2024-02-18")] == "makeup_workday"
    assert t[pd.Timestamp("2024-02-03")] == "weekend"
    assert set(cal.loc["2024-02-10":"2024-02-17", "holiday_name"]) == {"春节"}
    assert set(cal.loc["2024-02-10":"2024-02-17", "holiday_name_en"]) == {
        "Chinese New Year (Spring Festival)"}
    assert cal.loc["2024-02-09", "holiday_name"] is None


def test_columns_and_dtypes(no_guess_warning):
    cal = day_types("2025-01-01", "2025-01-31")
    assert list(cal.columns) == COLUMNS
    assert len(cal) == 31
    assert str(cal["date"].dtype).startswith("datetime64")
    assert cal["holiday_name"].dtype == object
    assert cal["is_workday"].dtype == bool and cal["is_eve"].dtype == bool
    assert set(cal["day_type"]) <= set(DAY_TYPES)
    assert cal.loc[0, "weekday"] == 2  # 2025-01-01 is a Wednesday


def test_ordinary_weekend_and_workday(no_guess_warning):
    cal = day_types(D(2024, 3, 1), D(2024, 3, 4)).set_index("date")
    assert list(cal["day_type"]) == ["workday", "weekend", "weekend", "workday"]
    assert list(cal["is_workday"]) == [True, False, False, True]
    assert is_workday(D(2024, 3, 4)) and not is_workday("2024-03-02")
    assert is_workday("2024-02-18") and not is_workday(pd.Timestamp("2024-02-12"))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2024-02-09", True),  # Friday before Spring Festival
        ("2024-06-07", True),  # Friday before the Dragon Boat block (Sat-Mon)
        ("2024-09-30", True),  # Monday between Sep 29 (make-up) and National Day
        ("2025-01-27", True),  # Monday before 除夕 2025
        ("2025-09-30", True),
        ("2024-03-01", False),  # Friday before an ordinary weekend
        ("2024-09-29", False),  # make-up Sunday, the next day is still a workday
        ("2024-02-10", False),  # a holiday is not an eve
    ],
)
def test_eve_flag(day, expected, no_guess_warning):
    assert bool(day_types(day, day)["is_eve"].iloc[0]) is expected


def test_days_to_and_after_holiday(no_guess_warning):
    cal = day_types("2024-02-07", "2024-02-20", cap_days=30).set_index("date")
    assert cal.loc["2024-02-09", "days_to_holiday"] == 1
    assert cal.loc["2024-02-07", "days_to_holiday"] == 3
    assert cal.loc["2024-02-12", "days_to_holiday"] == 0
    assert cal.loc["2024-02-12", "days_after_holiday"] == 0
    assert cal.loc["2024-02-18", "days_after_holiday"] == 1
    assert cal.loc["2024-02-20", "days_after_holiday"] == 3
    capped = day_types("2024-07-15", "2024-07-15", cap_days=10)
    assert capped.loc[0, "days_to_holiday"] == 10 and capped.loc[0, "days_after_holiday"] == 10


def test_blocks_across_a_year_boundary(no_guess_warning):
    got = holiday_blocks("2024-01-01", "2024-01-01")
    assert len(got) == 1
    assert got.loc[0, "first_day"] == pd.Timestamp("2023-12-30")
    assert got.loc[0, "n_days"] == 3
    assert day_types("2023-12-30", "2023-12-30").loc[0, "day_type"] == "holiday"


def test_guess_warning_for_a_far_future_year():
    with pytest.warns(CalendarGuessWarning) as rec:
        cal = day_types(D(2030, 1, 1), D(2030, 12, 31))
    guesses = [w for w in rec if issubclass(w.category, CalendarGuessWarning)]
    assert len(guesses) == 1
    msg = str(guesses[0].message)
    assert "2030" in msg and "estimated" in msg and "overrides" in msg
    assert cal["is_guess"].all()
    # The library still knows the statutory days of an estimated year.
    assert (cal["day_type"] == "holiday").sum() > 0


def test_one_warning_per_call_naming_every_guessed_year():
    with pytest.warns(CalendarGuessWarning) as rec:
        cal = day_types("2026-12-01", "2029-01-31")
    guesses = [w for w in rec if issubclass(w.category, CalendarGuessWarning)]
    assert len(guesses) == 1
    assert "2027-2029" in str(guesses[0].message)
    by_year = cal.groupby(cal["date"].dt.year)["is_guess"].agg(["all", "any"])
    assert not by_year.loc[2026, "any"] and by_year.loc[2027:2029, "all"].all()


def test_no_warning_for_published_years(no_guess_warning):
    cal = day_types("2025-01-01", "2025-12-31")
    assert not cal["is_guess"].any()


def test_published_years_cover_2019_2026():
    years = published_years()
    assert set(range(2019, 2027)) <= years
    assert 2030 not in years and 1999 not in years
    with pytest.warns(CalendarGuessWarning, match="1999"):
        day_types("1999-10-01", "1999-10-02")


def test_overrides_correct_a_day_and_reshape_blocks(no_guess_warning):
    ov = pd.DataFrame({"date": ["2024-03-04", "2024-02-18"],
                       "day_type": ["holiday", "weekend"],
                       "holiday_name": ["店庆", None]})
    before = ov.copy()
    cal = day_types("2024-02-16", "2024-03-05", overrides=ov).set_index("date")
    pd.testing.assert_frame_equal(ov, before)  # input not mutated
    assert cal.loc["2024-03-04", "day_type"] == "holiday"
    assert (cal.loc["2024-03-02":"2024-03-04", "day_type"] == "holiday").all()  # joins the weekend
    assert cal.loc["2024-03-03", "holiday_name"] == "店庆"
    assert cal.loc["2024-03-01", "is_eve"]
    assert cal.loc["2024-02-18", "day_type"] == "weekend"
    assert not cal.loc["2024-02-18", "is_workday"]
    blocks = holiday_blocks("2024-03-01", "2024-03-31", overrides=ov)
    assert list(blocks["name"]) == ["店庆"] and blocks.loc[0, "n_days"] == 3


def test_override_adds_makeup_workday_in_a_guessed_year():
    ov = pd.DataFrame({"date": [date(2027, 2, 20)], "day_type": ["makeup_workday"]})
    with pytest.warns(CalendarGuessWarning):
        cal = day_types("2027-02-20", "2027-02-20", overrides=ov)
    assert cal.loc[0, "day_type"] == "makeup_workday" and cal.loc[0, "is_workday"]
    assert cal.loc[0, "is_guess"]


@pytest.mark.parametrize(
    ("kwargs", "param"),
    [
        ({"start": "2024-02-01", "end": "2024-01-01"}, "end"),
        ({"start": "not a date", "end": "2024-01-01"}, "start"),
        ({"start": "2024-01-01", "end": "2024-01-02", "cap_days": 0}, "cap_days"),
        ({"start": "2024-01-01", "end": "2024-01-02",
          "overrides": pd.DataFrame({"date": ["2024-01-01"], "day_type": ["party"]})}, "overrides"),
        ({"start": "2024-01-01", "end": "2024-01-02",
          "overrides": pd.DataFrame({"day": ["2024-01-01"]})}, "overrides"),
        ({"start": "1900-01-01", "end": "1900-01-02"}, "start/end"),
    ],
)
def test_bad_parameters_raise_parameter_error(kwargs, param):
    with pytest.raises(ParameterError) as err:
        day_types(**kwargs)
    assert err.value.param == param
