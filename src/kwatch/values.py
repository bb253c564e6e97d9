"""Parsing the values people type: dates of varying precision, ratings, statuses."""

from __future__ import annotations

import re
from datetime import date, timedelta

from kwatch.errors import InvalidInput

STATUSES = ("planned", "watching", "on-hold", "dropped", "completed")
RELEASE_TYPES = ("festival", "theatrical", "streaming", "tv")
PRECISIONS = ("day", "month", "year", "unknown")
KINDS = ("film", "tv-series")
# External ids a title may carry (catalogue `ids`, the open-data layer, `kwatch add tt0364569`).
ID_PATTERNS = {
    "wikidata": (r"^Q[1-9][0-9]*$", "a Wikidata item id such as Q483197"),
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

_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


DATE_FORMS = "YYYY-MM-DD, YYYY-MM or YYYY"


def parse_partial_date(
    text: str, *, what: str = "date", forms: str = DATE_FORMS
) -> tuple[str, str]:
    """ "2023-02-17" -> ("2023-02-17", "day"); "2023-02" -> month; "2023" -> year."""
    value = text.strip()
    if m := _DAY.match(value):
        try:
            date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise InvalidInput(
                f"{what} {text!r} is not a real calendar date; use {forms}."
            ) from None
        return value, "day"
    if m := _MONTH.match(value):
        if not 1 <= int(m[2]) <= 12:
            raise InvalidInput(f"{what} {text!r} has no month {m[2]}; use YYYY-MM with 01-12.")
        return value, "month"
    if _YEAR.match(value):
        return value, "year"
    raise InvalidInput(f"{what} {text!r} is not a date; use {forms}.")


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
        return date(int(value[:4]), int(value[5:7]), 1).strftime("%B %Y")
    if precision == "year":
        return value
    return "date unknown"
