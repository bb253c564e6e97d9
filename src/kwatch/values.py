"""Parsing the values people type: dates of varying precision, ratings, statuses."""

from __future__ import annotations

import re
from datetime import date, timedelta

from kwatch.errors import InvalidInput

STATUSES = ("planned", "watching", "on-hold", "dropped", "completed")
RELEASE_TYPES = ("festival", "theatrical", "streaming", "tv")
PRECISIONS = ("day", "month", "quarter", "season", "half", "year", "unknown")
KINDS = ("film", "tv-series")
# External ids a title may carry (catalogue `ids`, the open-data layer, `kwatch add tt0364569`).
ID_PATTERNS = {
    "wikidata": (r"^Q[1-9][0-9]*$", "a Wikidata item id such as Q475693"),
    "imdb": (r"^tt[0-9]{7,9}$", "an IMDb title id such as tt0364569"),
    "letterboxd": (r"^[a-z0-9]+(?:-[a-z0-9]+)*$", "a Letterboxd film slug"),
    "tmdb": (r"^(?:movie|tv)/[1-9][0-9]*$", "a TMDb id such as movie/670"),
}
ID_SCHEMES = tuple(ID_PATTERNS)
ID_SCHEME_LABELS = {
    "wikidata": "Wikidata",
    "imdb": "IMDb",
    "letterboxd": "Letterboxd",
    "tmdb": "TMDb",
}

# ASCII digits only: `\d` would also match full-width and other Unicode digits ("２０２７"),
# which no date function can read back.
_DAY = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_YEAR = re.compile(r"^([0-9]{4})$")
# Stored form of a season or half-year: "2027-summer", "2027-h1" (lower case, after the year, so
# that it sorts with its year and never reads as a day).
_PERIOD = re.compile(r"^([0-9]{4})-(spring|summer|autumn|winter|h1|h2|q1|q2|q3|q4)$")

# The years kwatch accepts in any date: from the first films to far enough ahead for any plan,
# and well inside what Python's date type and SQLite's date functions can represent.
FIRST_YEAR = 1870
LAST_YEAR = 2200
# Longest window a --days style option accepts: a century of days.
MAX_DAYS = 36_525
# Longest runtime a title may have, in minutes (a long TV series runs to a few thousand).
MAX_RUNTIME = 99_999

DATE_FORMS = "YYYY-MM-DD, YYYY-MM or YYYY"
PERIOD_FORMS = (
    "YYYY-MM-DD, YYYY-MM, YYYY, a season ('summer 2027'), a half ('first half of 2027') "
    "or a quarter ('Q3 2027')"
)

# Seasons and halves: (first month, last month, the year offset of the last month).
# Winter 2027 is December 2027 to February 2028, as release announcements use it.
PERIODS: dict[str, tuple[int, int, int]] = {
    "spring": (3, 5, 0),
    "summer": (6, 8, 0),
    "autumn": (9, 11, 0),
    "winter": (12, 2, 1),
    "h1": (1, 6, 0),
    "h2": (7, 12, 0),
    "q1": (1, 3, 0),
    "q2": (4, 6, 0),
    "q3": (7, 9, 0),
    "q4": (10, 12, 0),
}
PERIOD_PRECISIONS = {
    **dict.fromkeys(("spring", "summer", "autumn", "winter"), "season"),
    **dict.fromkeys(("h1", "h2"), "half"),
    **dict.fromkeys(("q1", "q2", "q3", "q4"), "quarter"),
}
PERIOD_NAMES = {
    "spring": "spring",
    "summer": "summer",
    "autumn": "autumn",
    "winter": "winter",
    "h1": "first half of",
    "h2": "second half of",
    "q1": "first quarter of",
    "q2": "second quarter of",
    "q3": "third quarter of",
    "q4": "fourth quarter of",
}
# What people type for a period, in English and Korean ("2027년 여름", "2027년 상반기").
_PERIOD_WORDS = {
    "spring": "spring",
    "summer": "summer",
    "autumn": "autumn",
    "fall": "autumn",
    "winter": "winter",
    "h1": "h1",
    "h2": "h2",
    "first half": "h1",
    "first half of": "h1",
    "1st half": "h1",
    "second half": "h2",
    "second half of": "h2",
    "2nd half": "h2",
    "봄": "spring",
    "여름": "summer",
    "가을": "autumn",
    "겨울": "winter",
    "상반기": "h1",
    "하반기": "h2",
    **{f"q{n}": f"q{n}" for n in range(1, 5)},
    **{
        f"{word} quarter": f"q{n}"
        for n, word in enumerate(("first", "second", "third", "fourth"), 1)
    },
    **{
        f"{word} quarter of": f"q{n}"
        for n, word in enumerate(("first", "second", "third", "fourth"), 1)
    },
    **{f"{n}분기": f"q{n}" for n in range(1, 5)},
}
_TYPED_PERIOD = re.compile(
    r"^(?:(?P<w1>.+?)\s+(?P<y1>[0-9]{4})년?|(?P<y2>[0-9]{4})년?\s*-?\s*(?P<w2>[^0-9-].*?))$"
)


def _check_year(year: int, text: str, what: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            f"{what} {text!r} is out of range: kwatch takes years {FIRST_YEAR} to {LAST_YEAR}."
        )


def _check_ascii(text: str, what: str) -> None:
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        raise InvalidInput(
            f"{what} {text!r} has non-ASCII digits; type them as 0-9 (switch the input method "
            "to half-width), e.g. 2027-03-14."
        )


def _typed_period(value: str) -> tuple[int, str] | None:
    match = _TYPED_PERIOD.match(value.lower())
    if not match:
        return None
    word = (match["w1"] or match["w2"] or "").strip().strip("-").strip()
    year = match["y1"] or match["y2"]
    period = _PERIOD_WORDS.get(word)
    return (int(year), period) if period else None


def parse_partial_date(
    text: str, *, what: str = "date", forms: str = DATE_FORMS, periods: bool = False
) -> tuple[str, str]:
    """ "2023-02-17" -> ("2023-02-17", "day"); "2023-02" -> month; "2023" -> year. With
    `periods`, also "summer 2027" -> ("2027-summer", "season") and "first half of 2027" or
    "2027-H1" -> ("2027-h1", "half"). Years outside FIRST_YEAR..LAST_YEAR are refused."""
    value = text.strip()
    _check_ascii(value, what)
    if m := _DAY.match(value):
        _check_year(int(m[1]), text, what)
        try:
            date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise InvalidInput(
                f"{what} {text!r} is not a real calendar date; use {forms}."
            ) from None
        return value, "day"
    if m := _MONTH.match(value):
        _check_year(int(m[1]), text, what)
        if not 1 <= int(m[2]) <= 12:
            raise InvalidInput(f"{what} {text!r} has no month {m[2]}; use YYYY-MM with 01-12.")
        return value, "month"
    if m := _YEAR.match(value):
        _check_year(int(m[1]), text, what)
        return value, "year"
    if periods:
        stored = _PERIOD.match(value.lower())
        typed = (int(stored[1]), stored[2]) if stored else _typed_period(value)
        if typed:
            year, period = typed
            _check_year(year, text, what)
            return f"{year}-{period}", PERIOD_PRECISIONS[period]
    raise InvalidInput(f"{what} {text!r} is not a date; use {forms}.")


def date_span(value: str, precision: str) -> tuple[date, date] | None:
    """The first and last day a date of this precision can fall on; None when unknown or when
    the stored text cannot be read (a row written by an older kwatch is skipped, not fatal)."""
    try:
        if precision == "day":
            day = date.fromisoformat(value)
            return day, day
        year = int(value[:4])
        if precision == "month":
            month = int(value[5:7])
            first = date(year, month, 1)
        elif precision in ("quarter", "season", "half"):
            first_month, last_month, offset = PERIODS[value[5:]]
            first = date(year, first_month, 1)
            year, month = year + offset, last_month
        elif precision == "year":
            return date(year, 1, 1), date(year, 12, 31)
        else:
            return None
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return first, following - timedelta(days=1)
    except (ValueError, KeyError, OverflowError):
        return None


def date_sort_key(value: str, precision: str) -> tuple[int, int, int]:
    """Exact dates by day; a vaguer date after every exact date of the period it ends in (a
    month after its days, a season after its last month, a year after everything in it);
    unknown or unreadable dates last."""
    span = date_span(value, precision)
    if span is None:
        return 9999, 99, 99
    if precision == "day":
        return span[0].year, span[0].month, span[0].day
    if precision == "year":
        return span[1].year, 13, 0
    width = {"month": 32, "quarter": 33, "season": 34, "half": 35}[precision]
    return span[1].year, span[1].month, width


def parse_viewing_date(text: str, today: date) -> tuple[str, str]:
    """Like parse_partial_date, plus "today" and "yesterday"; a viewing cannot be in the future."""
    word = text.strip().lower()
    if word == "today":
        return today.isoformat(), "day"
    if word == "yesterday":
        return (today - timedelta(days=1)).isoformat(), "day"
    value, precision = parse_partial_date(
        text, what="date", forms=f"{DATE_FORMS}, 'today' or 'yesterday'"
    )
    if value > today.isoformat()[: len(value)]:
        raise InvalidInput(
            f"date {text!r} is in the future (today is {today.isoformat()}); "
            "log a viewing once you have seen it."
        )
    return value, precision


def parse_rating(text: str | float, scale: int = 5) -> int:
    """A rating in half stars (1-10). Scale 5 takes 0.5-5 in halves; scale 10 takes 1-10."""
    raw = str(text).strip().replace("½", ".5").replace(",", ".")
    if scale not in (5, 10):
        raise InvalidInput(f"--scale {scale} is not supported; use 5 (stars) or 10.")
    try:
        value = float(raw)
    except ValueError:
        raise InvalidInput(
            f"rating {text!r} is not a number; use half stars from 0.5 to 5, e.g. 3.5."
        ) from None
    halves = half_stars(value, scale)
    if halves is None and scale == 10:
        raise InvalidInput(f"rating {text!r} is out of range: on --scale 10 use a whole 1-10.")
    if halves is None:
        raise InvalidInput(
            f"rating {text!r} is out of range: use half stars from 0.5 to 5 "
            "(e.g. 3.5), or --scale 10 for 1-10."
        )
    return halves


def half_stars(value: float, scale: int = 5) -> int | None:
    """The stored rating (half stars 1-10) for a number on a 5-star or 10-point scale, or None
    when it is not a rating on that scale (3.7 stars, 0, 11/10). 7/10 and 3.5 stars are both 7."""
    halves = float(value * 2 if scale == 5 else value)
    # is_integer() is False for inf and nan too, where int() would raise.
    if not halves.is_integer() or not 1 <= halves <= 10:
        return None
    return int(halves)


def stars(half_stars: int | None) -> float | None:
    """Half stars back to the 0.5-5 scale the JSON shows (7 -> 3.5)."""
    return None if half_stars is None else half_stars / 2


def star_glyphs(half_stars: int | None) -> str:
    if half_stars is None:
        return ""
    return "★" * (half_stars // 2) + ("½" if half_stars % 2 else "")


def parse_status(text: str) -> str:
    value = text.strip().lower().replace("_", "-").replace(" ", "-")
    if value == "onhold":
        value = "on-hold"
    if value not in STATUSES:
        raise InvalidInput(f"status {text!r} is not one of: {', '.join(STATUSES)}.")
    return value


def parse_choice(text: str, choices: tuple[str, ...], what: str) -> str:
    value = text.strip().lower()
    if value not in choices:
        raise InvalidInput(f"{what} {text!r} is not one of: {', '.join(choices)}.")
    return value


def format_partial_date(value: str, precision: str) -> str:
    """How a person reads it: "2027-03" -> "March 2027", never a made-up day."""
    if precision == "day":
        return value
    if precision == "month":
        span = date_span(value, precision)
        return span[0].strftime("%B %Y") if span else value
    if precision in ("quarter", "season", "half"):
        return f"{PERIOD_NAMES.get(value[5:], value[5:])} {value[:4]}"
    if precision == "year":
        return value
    return "date unknown"
