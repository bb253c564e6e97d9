"""Release dates: what is coming, what just came out, and what may have gone stale.

Rules that every release command shares:

- A title's releases are the catalogue's, the refreshed ones (origins 'kobis', 'tmdb': see
  kwatch.releases.refresh) and the user's. For one title, type and region:
  a user release supersedes every other; otherwise the newest refreshed release supersedes the
  catalogue's when the catalogue's date was still ahead when the catalogue was checked
  (announcements move); a catalogue date that had passed by then is settled history, checked
  against two sources, and open data never replaces it. Rows are never modified to say so.
- A date has a precision (day, month, season, half, year; see kwatch.values). "2027-03" means
  "sometime in March 2027" and "2027-summer" "sometime in June to August 2027": never a made-up
  day. A vaguer date sorts after the exact dates of the period it ends in.
- The watchlist is the library entries whose status is planned, watching or on-hold.
- Statuses: "upcoming" (the release may still be ahead: its period has not ended),
  "out" (a watchlist title released in the last `recent` days) and "stale" (see `is_stale`).

Pure core functions: they take the connection and `today`, raise KwatchError and never print.
This package is on the path of `kwatch remind`, which runs on every new shell: it imports
nothing heavy at module level, and its records are NamedTuples (cheaper to define than
dataclasses).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from kwatch.errors import InvalidInput
from kwatch.values import (
    MAX_DAYS,
    PERIOD_FORMS,
    RELEASE_TYPES,
    date_sort_key,
    date_span,
    format_partial_date,
    parse_choice,
    parse_partial_date,
)

if TYPE_CHECKING:
    from kwatch.models import Release

WATCHLIST_STATUSES = ("planned", "watching", "on-hold")
DEFAULT_RECENT_DAYS = 14
# Where a release came from: the bundled or user catalogue files, a refresh, or the user.
FETCHED_ORIGINS = ("kobis", "tmdb")
# The day the bundled catalogue's release dates were last checked. A catalogue date still ahead
# on this day was an announcement, which a later refresh may correct; one that had passed is
# history. Update it whenever the bundled slate is checked again.
CATALOGUE_RELEASES_CHECKED_ON = date(2026, 12, 1)

_REGION = re.compile(r"^[A-Za-z]{2}$")
_ALARM = re.compile(r"^([0-9]{1,4})\s*([wdhm])$")
_ALARM_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}
# User rows remember when they were entered, so a date given as a forecast can be told from one
# recorded after the fact (see is_stale). Kept in `source`, where people can read it too.
_RECORDED = re.compile(r"added by you on (\d{4}-\d{2}-\d{2})\)?$")

TYPE_PHRASES = {
    "theatrical": "in cinemas",
    "streaming": "streaming",
    "tv": "on TV",
    "festival": "at a festival",
}


def release_span(value: str, precision: str) -> tuple[date, date] | None:
    """The first and last day a release can fall on; None when the date is unknown."""
    return date_span(value, precision)


def sort_key(value: str, precision: str) -> tuple[int, int, int]:
    return date_sort_key(value, precision)


def display_date(value: str, precision: str) -> str:
    """Shown as what it is: "2027-03" -> "March 2027", "2027" -> "2027"; a day stays as is."""
    return format_partial_date(value, precision)


def check_days(days: int | None, option: str = "--days") -> None:
    if days is not None and days < 0:
        raise InvalidInput(f"{option} {days} is negative; give 0 or more (0 means today only).")
    if days is not None and days > MAX_DAYS:
        raise InvalidInput(f"{option} {days} is too large; give at most {MAX_DAYS} (a century).")


def check_recent(recent: int) -> None:
    if recent < 0:
        raise InvalidInput(f"--recent {recent} is negative; give 0 or more days (default 14).")
    if recent > MAX_DAYS:
        raise InvalidInput(f"--recent {recent} is too large; give at most {MAX_DAYS} (a century).")


def window_end(today: date, days: int | None, until: str | None) -> date | None:
    """The last day of the window that --days N or --until DATE describe (None: no end)."""
    if days is not None and until is not None:
        raise InvalidInput("give either --days N or --until DATE, not both.")
    check_days(days)
    if days is not None:
        return today + timedelta(days=days)
    if until is None:
        return None
    value, precision = parse_partial_date(until, what="--until", forms=PERIOD_FORMS, periods=True)
    span = release_span(value, precision)
    assert span is not None
    if span[1] < today:
        raise InvalidInput(
            f"--until {until} is before today ({today.isoformat()}); give a later date, "
            "or use --days N."
        )
    return span[1]


def parse_types(values: Iterable[str] | None) -> tuple[str, ...]:
    """--type theatrical --type streaming, or --type theatrical,streaming."""
    out: list[str] = []
    for value in values or ():
        for part in value.split(","):
            if part.strip():
                out.append(parse_choice(part, RELEASE_TYPES, "--type"))
    if values and not out:
        raise InvalidInput(f"--type is empty; use one of: {', '.join(RELEASE_TYPES)}.")
    return tuple(dict.fromkeys(out))


def parse_region(text: str) -> str:
    if not _REGION.match(text.strip()):
        raise InvalidInput(f"--region {text!r} is not a two-letter country code such as KR or US.")
    return text.strip().upper()


def parse_release_date(text: str) -> tuple[str, str]:
    """A release date as typed: YYYY-MM-DD, YYYY-MM, YYYY, or "unknown" (date not known)."""
    if text.strip().lower() in ("unknown", "tba", "tbd"):
        return "", "unknown"
    return parse_partial_date(
        text, what="release date", forms=f"{PERIOD_FORMS} or 'unknown'", periods=True
    )


def parse_alarm(text: str) -> timedelta:
    """An alarm offset: "1d" is one day before the event; also 2w, 12h, 30m."""
    match = _ALARM.match(text.strip().lower())
    if match and int(match[1]) == 0:
        match = None
    if not match:
        raise InvalidInput(
            f"--alarm {text!r} is not a duration; use a number and a unit: 1d, 2h, 30m or 1w."
        )
    return timedelta(**{_ALARM_UNITS[match[2]]: int(match[1])})


# --- reading releases ---


class ReleaseRow(NamedTuple):
    """One row of the releases table, with whether a user release supersedes it."""

    row_id: int
    title_id: str
    release: Release
    superseded: bool = False

    @property
    def group(self) -> tuple[str, str, str]:
        return self.title_id, self.release.type, self.release.region

    @property
    def span(self) -> tuple[date, date] | None:
        return release_span(self.release.date, self.release.precision)


def _release(row: sqlite3.Row) -> Release:
    from kwatch.titles import release_from_row

    return release_from_row(row)


def _settled(release: Release) -> bool:
    """A catalogue date that had passed when the catalogue was checked: history."""
    span = release_span(release.date, release.precision)
    return span is not None and span[1] < CATALOGUE_RELEASES_CHECKED_ON


def mark_superseded(rows: Iterable[ReleaseRow]) -> list[ReleaseRow]:
    """Which row of each title, type and region is live (the rules in this module's doc)."""
    rows = list(rows)
    user_groups = {r.group for r in rows if r.release.origin == "user"}
    newest_fetched: dict[tuple[str, str, str], int] = {}
    for r in rows:
        if r.release.origin in FETCHED_ORIGINS:
            newest_fetched[r.group] = max(newest_fetched.get(r.group, -1), r.row_id)

    def superseded(r: ReleaseRow) -> bool:
        if r.release.origin == "user":
            return False
        if r.group in user_groups:
            return True
        if r.release.origin in FETCHED_ORIGINS:
            return r.row_id != newest_fetched[r.group]
        return r.group in newest_fetched and not _settled(r.release)

    return [ReleaseRow(r.row_id, r.title_id, r.release, superseded(r)) for r in rows]


def effective_releases(releases: Iterable[Release]) -> list[Release]:
    """The releases to show for one title: the user's replace the catalogue's of the same type
    and region. (A helper for `show` and other views.)"""
    rows = [ReleaseRow(i, "", r) for i, r in enumerate(releases)]
    return [r.release for r in mark_superseded(rows) if not r.superseded]


def _rows_for_titles(conn: sqlite3.Connection, sql: str, params: list[Any]) -> list[ReleaseRow]:
    rows = conn.execute(
        "SELECT * FROM releases WHERE title_id IN (" + sql + ") ORDER BY title_id, id", params
    )
    return mark_superseded(ReleaseRow(r["id"], r["title_id"], _release(r)) for r in rows)


def calendar_uids(rows: Iterable[ReleaseRow]) -> dict[int, str]:
    """A UID per live release, stable across runs and across date corrections, so a calendar
    that re-reads the feed updates the event instead of adding a second one.

    The UID is the title, type and region. Where a title has several live releases of the same
    type and region (two festival screenings in one country), the second and later ones get
    their rank in the order the catalogue lists them: never their date, which may be corrected.
    """
    seen: dict[tuple[str, str, str], int] = {}
    uids = {}
    for r in sorted((r for r in rows if not r.superseded), key=lambda r: r.row_id):
        rank = seen[r.group] = seen.get(r.group, 0) + 1
        base = f"{r.title_id}.{r.release.type}.{r.release.region.lower()}"
        if rank > 1:
            base += f".{rank}"
        uids[r.row_id] = f"{base}@kwatch"
    return uids


class TitleFacts(NamedTuple):
    id: str
    title: str
    original_title: str | None
    year: int | None
    entry_status: str | None
    added_on: str | None

    @property
    def in_watchlist(self) -> bool:
        return self.entry_status in WATCHLIST_STATUSES


def _facts(conn: sqlite3.Connection, ids: list[str]) -> dict[str, TitleFacts]:
    out: dict[str, TitleFacts] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
            "SELECT t.id, t.title, t.original_title, t.year, e.status, e.added_on FROM titles t"
            f" LEFT JOIN entries e ON e.title_id = t.id WHERE t.id IN ({marks})",
            chunk,
        ):
            out[r[0]] = TitleFacts(r[0], r[1], r[2], r[3], r[4], r[5])
    return out


# --- upcoming ---


class UpcomingItem(NamedTuple):
    title: TitleFacts
    release: Release
    status: str  # upcoming, out, stale
    days_away: int | None  # exact dates only; negative when past
    uid: str

    @property
    def when(self) -> str:
        return display_date(self.release.date, self.release.precision)

    @property
    def key(self) -> tuple[Any, ...]:
        return (
            sort_key(self.release.date, self.release.precision),
            self.title.title.casefold(),
            self.title.id,
            self.release.type,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.title.id,
            "title": self.title.title,
            "original_title": self.title.original_title,
            "year": self.title.year,
            "release": self.release.to_dict(),
            "when": self.when,
            "days_away": self.days_away,
            "in_watchlist": self.title.in_watchlist,
            "entry_status": self.title.entry_status,
            "status": self.status,
            "uid": self.uid,
        }


def recorded_on(release: Release, facts: TitleFacts) -> date | None:
    """When the user entered this release: from its source line, else when the title joined
    the library (`add --custom --release` writes both on the same day)."""
    match = _RECORDED.search(release.source or "")
    text = match[1] if match else facts.added_on
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def is_stale(
    row: ReleaseRow, facts: TitleFacts, title_rows: list[ReleaseRow], today: date, recent: int
) -> bool:
    """A date the user gave before it happened has passed (more than `recent` days ago), the
    title is still planned on the watchlist and no later release is known: the film may have
    been postponed. kwatch cannot know; it asks the user to check.

    Only the user's dates qualify: catalogue dates are sourced, and nearly all are history.
    Re-entering the date after it has passed confirms it and clears the flag."""
    span = row.span
    if row.release.origin != "user" or span is None or facts.entry_status != "planned":
        return False
    if span[1] >= today - timedelta(days=recent):
        return False
    entered = recorded_on(row.release, facts)
    if entered is None or entered >= span[0]:
        return False
    later = [
        r
        for r in title_rows
        if r.row_id != row.row_id and not r.superseded and r.span and r.span[0] > span[0]
    ]
    return not later


def upcoming(
    conn: sqlite3.Connection,
    *,
    today: date,
    until: date | None = None,
    recent: int = DEFAULT_RECENT_DAYS,
    types: tuple[str, ...] = (),
    watchlist_only: bool = False,
) -> list[UpcomingItem]:
    """Releases from today on (up to `until`), watchlist titles out in the last `recent` days,
    and stale user dates; soonest first by the sort rule of this module."""
    check_recent(recent)
    low = (today - timedelta(days=recent)).isoformat()
    # Candidate titles: a release that may end on or after `low` (a month "2026-11" ends on or
    # after any day of November, hence the prefix comparison), or any release of the user's
    # (stale dates can be old). All rows of those titles are read, to apply user overrides.
    rows = _rows_for_titles(
        conn,
        "SELECT title_id FROM releases WHERE (precision != 'unknown'"
        " AND date >= substr(?, 1, length(date))) OR origin = 'user'",
        [low],
    )
    by_title: dict[str, list[ReleaseRow]] = {}
    for r in rows:
        by_title.setdefault(r.title_id, []).append(r)
    facts = _facts(conn, list(by_title))
    items: list[UpcomingItem] = []
    recent_start = today - timedelta(days=recent)
    for title_id, title_rows in by_title.items():
        fact = facts.get(title_id)
        if fact is None or (watchlist_only and not fact.in_watchlist):
            continue
        uids = calendar_uids(title_rows)
        for row in title_rows:
            span = row.span
            if row.superseded or span is None or (types and row.release.type not in types):
                continue
            start, end = span
            if end >= today and (until is None or start <= until):
                status = "upcoming"
            elif fact.in_watchlist and recent_start <= end < today:
                status = "out"
            elif is_stale(row, fact, title_rows, today, recent):
                status = "stale"
            else:
                continue
            days_away = (start - today).days if row.release.precision == "day" else None
            items.append(UpcomingItem(fact, row.release, status, days_away, uids[row.row_id]))
    return sorted(items, key=lambda item: item.key)
