from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quipu.dates import DateError, PartialDate, parse_date
from quipu.i18n import Catalog
from quipu.locales import Locale

ENGLISH = Locale("en", True, "en_GB", Catalog("en", {}))


@pytest.mark.parametrize(
    ("text", "expected", "human"),
    [
        ("1980", PartialDate(1980), "1980"),
        ("1980-05", PartialDate(1980, 5), "May 1980"),
        ("1980-05-17", PartialDate(1980, 5, 17), "17 May 1980"),
        ("2024-02-29", PartialDate(2024, 2, 29), "29 February 2024"),
    ],
)
def test_parse_keeps_precision(text: str, expected: PartialDate, human: str) -> None:
    parsed = parse_date(text)
    assert parsed == expected
    assert ENGLISH.date(parsed) == human
    assert parsed.iso() == text


@pytest.mark.parametrize(
    "text", ["1992-13-40", "1992-13", "1992-02-30", "2023-02-29", "92", "1992/05/01", "1992-5-1", "", "0000"]
)
def test_parse_refuses_invalid(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text)


def test_error_message_says_the_forms() -> None:
    with pytest.raises(DateError, match=r"month is 01-12"):
        parse_date("1992-13-40")


def test_bounds_of_partial_dates() -> None:
    assert parse_date("1983").earliest() == date(1983, 1, 1)
    assert parse_date("1983").latest() == date(1983, 12, 31)
    assert parse_date("2024-02").latest() == date(2024, 2, 29)


def test_less_precise_sorts_first_within_its_span() -> None:
    dates = [parse_date(t) for t in ["1983-04-03", "1983", "1983-04", "1982-12-31"]]
    assert [d.iso() for d in sorted(dates, key=PartialDate.sort_key)] == ["1982-12-31", "1983", "1983-04", "1983-04-03"]


@given(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), st.sampled_from(["year", "month", "day"]))
def test_round_trip(value: date, precision: str) -> None:
    text = {"year": f"{value.year:04d}", "month": f"{value.year:04d}-{value.month:02d}", "day": value.isoformat()}[
        precision
    ]
    parsed = parse_date(text)
    assert parsed.iso() == text
    assert parsed.precision == precision
    assert parsed.earliest() <= value <= parsed.latest() or precision != "day"


@given(st.text(max_size=30))
def test_parse_never_crashes(text: str) -> None:
    try:
        parse_date(text)
    except DateError:
        pass
