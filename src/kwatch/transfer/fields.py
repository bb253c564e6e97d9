"""Values in rows: dates, years, ratings and tags as the services write them."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from kwatch.transfer.report import RowError
from kwatch.transfer.spreadsheet import unprotected
from kwatch.values import half_stars

DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


_SLASHED = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


def _slashed(first: int, second: int, year: int, what: str, value: str) -> date | None:
    """12/31/2019 (month first) and 31/12/2019 (day first) are plain; 01/02/2019 could be
    either, and a guess would put the viewing in the wrong month: refused, never guessed."""
    if first <= 12 and second <= 12 and first != second:
        raise RowError(
            f"{what} {value!r} is ambiguous: day/month or month/day. Export the file with "
            "dates as YYYY-MM-DD (or set the spreadsheet's date format) and import it again"
        )
    day, month = (second, first) if second > 12 else (first, second)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_day(text: str, what: str, today: date, *, required: bool = False) -> str | None:
    value = text.strip()
    if not value:
        if required:
            raise RowError(f"{what} is empty")
        return None
    parsed = None
    if m := DAY.match(value):
        try:
            parsed = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            parsed = None
    elif m := _SLASHED.fullmatch(value):
        parsed = _slashed(int(m[1]), int(m[2]), int(m[3]), what, value)
    else:
        # Older IMDb exports wrote dates like "Sat Jan 12 00:00:00 2019".
        try:
            parsed = datetime.strptime(value, "%a %b %d %H:%M:%S %Y").date()
        except ValueError:
            parsed = None
    if parsed is None:
        raise RowError(f"{what} {value!r} is not a date (expected YYYY-MM-DD)")
    if parsed > today:
        raise RowError(f"{what} {value} is in the future (today is {today.isoformat()})")
    return parsed.isoformat()


def parse_year(text: str, today: date) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not (value.isdigit() and len(value) == 4 and 1870 <= int(value) <= today.year + 10):
        raise RowError(f"Year {value!r} is not a year")
    return int(value)


def letterboxd_rating(text: str, *, required: bool = False) -> int | None:
    value = text.strip()
    if not value:
        if required:
            raise RowError("Rating is empty")
        return None
    try:
        halves = half_stars(float(value), 5)
    except ValueError:
        raise RowError(f"Rating {value!r} is not a number") from None
    if halves is None:
        raise RowError(f"Rating {value} is out of range: Letterboxd ratings are 0.5 to 5 stars")
    return halves


def imdb_rating(text: str, *, required: bool = False) -> int | None:
    value = text.strip()
    if not value:
        if required:
            raise RowError("Your Rating is empty")
        return None
    halves = half_stars(int(value), 10) if value.isdigit() else None
    if halves is None:
        raise RowError(f"Your Rating {value!r} is out of range: IMDb ratings are whole 1 to 10")
    return halves  # 7/10 is 7 half stars, 3.5 stars


def split_tags(text: str) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))


# --------------------------------------------------------------------------------------------
# Row readers


Getter = Callable[[str], str]


def getter(header: tuple[str, ...], fields: list[str]) -> Getter:
    return getter_for(header)(fields)


def getter_for(header: tuple[str, ...]) -> Callable[[list[str]], Getter]:
    """getter(header, fields) for many rows under one header: the column index is built once
    per file rather than once per row."""
    index = {name: i for i, name in enumerate(header)}

    def bind(fields: list[str]) -> Getter:
        width = len(fields)

        def get(name: str) -> str:
            i = index.get(name)
            return unprotected(fields[i].strip()) if i is not None and i < width else ""

        return get

    return bind


def name_year(get: Getter, today: date) -> tuple[str, int | None]:
    name = get("name")
    if not name:
        raise RowError("Name is empty")
    return name, parse_year(get("year"), today)
