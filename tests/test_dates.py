"""Dates people type: every accepted form reads back as itself, every span is a real range, and
nothing outside the accepted forms gets in (property-based, with hypothesis)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kwatch.errors import InvalidInput
from kwatch.values import (
    FIRST_YEAR,
    LAST_YEAR,
    PERIODS,
    date_sort_key,
    date_span,
    format_partial_date,
    parse_partial_date,
)

years = st.integers(FIRST_YEAR, LAST_YEAR)


@settings(max_examples=300, deadline=None)
@given(st.dates(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)))
def test_days_round_trip_and_span_one_day(day):
    value, precision = parse_partial_date(day.isoformat())
    assert (value, precision) == (day.isoformat(), "day")
    assert date_span(value, precision) == (day, day)
    assert format_partial_date(value, precision) == value


@settings(max_examples=200, deadline=None)
@given(years, st.sampled_from(sorted(PERIODS)))
def test_periods_read_back_as_themselves_and_cover_their_months(year, period):
    stored, precision = parse_partial_date(f"{year}-{period}", periods=True)
    assert stored == f"{year}-{period}"
    assert parse_partial_date(stored.upper(), periods=True) == (stored, precision)
    assert parse_partial_date(format_partial_date(stored, precision), periods=True) == (
        stored,
        precision,
    )
    first, last = date_span(stored, precision)
    assert first <= last and first.day == 1 and first.year == year
    # A vaguer date sorts after every exact day it may fall on.
    assert date_sort_key(stored, precision) > date_sort_key(last.isoformat(), "day")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_anything_else_is_refused_cleanly_or_is_a_real_date(text):
    try:
        value, precision = parse_partial_date(text, periods=True)
    except InvalidInput as exc:
        assert exc.message and "\n" not in exc.message
        return
    assert value.isascii()
    assert date_span(value, precision) is not None
    assert FIRST_YEAR <= int(value[:4]) <= LAST_YEAR


@pytest.mark.parametrize("text", ["0000", "1869", "2201", "9999-12-31", "０１２３", "2027-００"])
def test_out_of_range_and_non_ascii(text):
    with pytest.raises(InvalidInput):
        parse_partial_date(text, periods=True)


def test_periods_are_refused_where_a_date_must_be_exact_or_partial_only():
    with pytest.raises(InvalidInput):
        parse_partial_date("summer 2020")
