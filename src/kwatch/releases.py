"""Release dates: what is coming, what just came out, what may have gone stale, reminders and
an iCalendar feed. Pure core functions: they take the connection and `today`, raise KwatchError
and never print.

Rules that every command here shares:

- A title's releases are the catalogue's plus the user's. A user release (origin 'user')
  supersedes every catalogue release of the same title, type and region; catalogue rows are
  never modified (they are rebuilt from the files).
- A date has a precision. "2027-03" means "sometime in March 2027": it is never turned into a
  made-up day. It sorts after the exact dates of its month, and "2027" after everything dated
  in 2027 (a month or year date means "by the end of that period at the latest").
- The watchlist is the library entries whose status is planned, watching or on-hold.
- Statuses: "upcoming" (the release may still be ahead: its day, month or year has not ended),
  "out" (a watchlist title released in the last `recent` days) and "stale" (see `is_stale`).

This module is on the path of `kwatch remind`, which runs on every new shell: it imports
nothing heavy at module level (icalendar is imported inside `build_calendar`, kwatch.models
only where a release is built), and its records are NamedTuples, which cost a fraction of a
dataclass to define (dataclasses generate their methods with exec at import time).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from kwatch.db import get_meta, set_meta, transaction
from kwatch.errors import Ambiguous, InvalidInput, NotFound
from kwatch.values import RELEASE_TYPES, format_partial_date, parse_choice, parse_partial_date

if TYPE_CHECKING:
    from kwatch.models import Release, Title

WATCHLIST_STATUSES = ("planned", "watching", "on-hold")
DEFAULT_RECENT_DAYS = 14
DEFAULT_REMIND_DAYS = 7
REMIND_META_KEY = "remind_last_day"
REMIND_SINCE_KEY = "remind_previous_day"  # kept so `remind --again` repeats the same lines
UID_DOMAIN = "kwatch"

_REGION = re.compile(r"^[A-Za-z]{2}$")
_ALARM = re.compile(r"^(\d{1,4})\s*([wdhm])$")
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


# --- values -------------------------------------------------------------------------------


def release_span(value: str, precision: str) -> tuple[date, date] | None:
    """The first and last day a release can fall on; None when the date is unknown."""
    if precision == "day":
        day = date.fromisoformat(value)
        return day, day
    if precision == "month":
        year, month = int(value[:4]), int(value[5:7])
        first = date(year, month, 1)
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return first, following - timedelta(days=1)
    if precision == "year":
        year = int(value[:4])
        return date(year, 1, 1), date(year, 12, 31)
    return None


def sort_key(value: str, precision: str) -> tuple[int, int, int]:
    """Exact dates by day; a month date after every exact date of that month; a year date
    after everything else in that year; unknown dates last."""
    if precision == "day":
        return int(value[:4]), int(value[5:7]), int(value[8:10])
    if precision == "month":
        return int(value[:4]), int(value[5:7]), 32
    if precision == "year":
        return int(value[:4]), 13, 0
    return 9999, 99, 99


def display_date(value: str, precision: str) -> str:
    """Shown as what it is: "2027-03" -> "March 2027", "2027" -> "2027"; a day stays as is."""
    return format_partial_date(value, precision)


def check_days(days: int | None, option: str = "--days") -> None:
    if days is not None and days < 0:
        raise InvalidInput(f"{option} {days} is negative; give 0 or more (0 means today only).")


def check_recent(recent: int) -> None:
    if recent < 0:
        raise InvalidInput(f"--recent {recent} is negative; give 0 or more days (default 14).")


def window_end(today: date, days: int | None, until: str | None) -> date | None:
    """The last day of the window that --days N or --until DATE describe (None: no end)."""
    if days is not None and until is not None:
        raise InvalidInput("give either --days N or --until DATE, not both.")
    check_days(days)
    if days is not None:
        return today + timedelta(days=days)
    if until is None:
        return None
    value, precision = parse_partial_date(until, what="--until")
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
        text, what="release date", forms="YYYY-MM-DD, YYYY-MM, YYYY or 'unknown'"
    )


def parse_alarm(text: str) -> timedelta:
    """An alarm offset: "1d" is one day before the event; also 2w, 12h, 30m."""
    match = _ALARM.match(text.strip().lower())
    if not match:
        raise InvalidInput(
            f"--alarm {text!r} is not a duration; use a number and a unit: 1d, 2h, 30m or 1w."
        )
    return timedelta(**{_ALARM_UNITS[match[2]]: int(match[1])})


# --- reading releases -----------------------------------------------------------------------


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


def mark_superseded(rows: Iterable[ReleaseRow]) -> list[ReleaseRow]:
    """A user release of a title, type and region takes precedence over the catalogue's."""
    rows = list(rows)
    user_groups = {r.group for r in rows if r.release.origin == "user"}
    return [
        ReleaseRow(
            r.row_id,
            r.title_id,
            r.release,
            superseded=r.release.origin != "user" and r.group in user_groups,
        )
        for r in rows
    ]


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
    """A UID per title, type and region, stable across runs and across date corrections, so a
    calendar that re-reads the feed updates the event instead of adding a second one. Only when
    a title has several releases of the same type and region does the date join the UID."""
    live = [r for r in rows if not r.superseded]
    counts: dict[tuple[str, str, str], int] = {}
    for r in live:
        counts[r.group] = counts.get(r.group, 0) + 1
    uids = {}
    for r in live:
        base = f"{r.title_id}.{r.release.type}.{r.release.region.lower()}"
        if counts[r.group] > 1:
            base += "." + (r.release.date or "unknown")
        uids[r.row_id] = f"{base}@{UID_DOMAIN}"
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


# --- upcoming -------------------------------------------------------------------------------


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


# --- the user's releases ------------------------------------------------------------------


def _with_when(release: Release) -> dict[str, Any]:
    return {**release.to_dict(), "when": display_date(release.date, release.precision)}


class ReleaseChange(NamedTuple):
    """What `kwatch release` did (listed, recorded or removed) and the title's releases after."""

    title: Title
    action: str  # listed, recorded, removed
    rows: list[ReleaseRow]
    release: Release | None = None  # the release recorded
    replaced: Release | None = None  # the user's earlier release of that type and region
    overrides: tuple[Release, ...] = ()  # catalogue releases the recorded one takes precedence over
    removed: Release | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.title.id,
            "title": self.title.title,
            "action": self.action,
            "release": _with_when(self.release) if self.release else None,
            "replaced": self.replaced.to_dict() if self.replaced else None,
            "overrides": [r.to_dict() for r in self.overrides],
            "removed": self.removed.to_dict() if self.removed else None,
            "releases": [{**_with_when(r.release), "superseded": r.superseded} for r in self.rows],
        }


def _title_rows(conn: sqlite3.Connection, title_id: str) -> list[ReleaseRow]:
    rows = _rows_for_titles(conn, "?", [title_id])
    rows.sort(key=lambda r: (sort_key(r.release.date, r.release.precision), r.row_id))
    return rows


def title_releases(conn: sqlite3.Connection, title: Title) -> ReleaseChange:
    """A title's releases, each marked when one of the user's takes precedence over it."""
    return ReleaseChange(title, "listed", _title_rows(conn, title.id))


def _group_rows(
    conn: sqlite3.Connection, title_id: str, rtype: str, region: str
) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM releases WHERE title_id = ? AND type = ? AND region = ? ORDER BY id",
        (title_id, rtype, region),
    ).fetchall()


def set_release(
    conn: sqlite3.Connection,
    title: Title,
    *,
    when: tuple[str, str],
    rtype: str,
    region: str = "KR",
    note: str | None = None,
    source: str | None = None,
    today: date,
) -> ReleaseChange:
    """Record the user's release of `title` for this type and region, replacing their earlier
    one. Catalogue rows are left alone; the user's row takes precedence over them. The source
    says when it was entered, which tells a forecast from a confirmed date (see is_stale)."""
    from kwatch.library.entries import replace_user_release
    from kwatch.models import Release

    value, precision = when
    stamp = f"added by you on {today.isoformat()}"
    source_text = f"{source.strip()} ({stamp})" if source and source.strip() else stamp
    release = Release(
        date=value,
        precision=precision,
        region=region,
        type=rtype,
        note=(note or "").strip() or None,
        source=source_text,
        origin="user",
    )
    with transaction(conn):
        group = _group_rows(conn, title.id, rtype, region)
        previous = [_release(r) for r in group if r["origin"] == "user"]
        overrides = tuple(_release(r) for r in group if r["origin"] != "user")
        replace_user_release(conn, title.id, release)
    return ReleaseChange(
        title,
        "recorded",
        _title_rows(conn, title.id),
        release=release,
        replaced=previous[-1] if previous else None,
        overrides=overrides,
    )


def remove_release(
    conn: sqlite3.Connection, title: Title, *, rtype: str | None = None, region: str | None = None
) -> ReleaseChange:
    """Delete one of the user's releases of `title` (the only one, or the one of this type and
    region); a catalogue release it had taken precedence over shows again."""
    from kwatch.library.entries import delete_user_release

    with transaction(conn):
        mine = conn.execute(
            "SELECT * FROM releases WHERE title_id = ? AND origin = 'user'"
            " AND (? IS NULL OR type = ?) AND (? IS NULL OR region = ?) ORDER BY id",
            (title.id, rtype, rtype, region, region),
        ).fetchall()
        if not mine:
            which = " ".join(x for x in (rtype, f"({region})" if region else None) if x)
            raise NotFound(
                f"you have no {which + ' ' if which else ''}release recorded for {title.label}; "
                f"see the title's releases with `kwatch release {title.id}`."
            )
        if len(mine) > 1:
            listed = ", ".join(f"{r['type']} {r['region']}" for r in mine)
            raise Ambiguous(
                f"you have {len(mine)} releases of {title.label} ({listed}); "
                "say which with --type and --region."
            )
        delete_user_release(conn, mine[0]["id"])
    return ReleaseChange(title, "removed", _title_rows(conn, title.id), removed=_release(mine[0]))


# --- remind ---------------------------------------------------------------------------------


class ReminderItem(NamedTuple):
    title: TitleFacts
    release: Release
    status: str  # upcoming or out
    days_away: int | None

    @property
    def phrase(self) -> str:
        kind = TYPE_PHRASES.get(self.release.type, self.release.type)
        if self.release.region != "KR":
            kind += f" ({self.release.region})"
        when = display_date(self.release.date, self.release.precision)
        if self.release.precision != "day":
            return f"{kind} sometime in {when}"
        day = date.fromisoformat(self.release.date)
        if self.status == "out":
            return f"came out {day.strftime('%a')} {when} ({kind})"
        relative = {0: "today", 1: "tomorrow"}.get(self.days_away or 0, f"in {self.days_away} days")
        return f"{kind} {relative} ({day.strftime('%a')} {when})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.title.id,
            "title": self.title.title,
            "year": self.title.year,
            "release": self.release.to_dict(),
            "when": display_date(self.release.date, self.release.precision),
            "days_away": self.days_away,
            "in_watchlist": True,
            "entry_status": self.title.entry_status,
            "status": self.status,
            "text": self.phrase,
        }


class Reminder(NamedTuple):
    today: date
    since: str | None  # the day of the previous reminder
    already_reminded: bool
    items: list[ReminderItem]

    @property
    def lines(self) -> list[str]:
        """One short line per title, in the order of its first item."""
        phrases: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for item in self.items:
            phrases.setdefault(item.title.id, []).append(item.phrase)
            names[item.title.id] = item.title.title
        return [f"kwatch: {names[i]} — {'; '.join(p)}" for i, p in phrases.items()]

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "since": self.since,
            "already_reminded": self.already_reminded,
            "items": [i.to_dict() for i in self.items],
            "lines": self.lines,
        }


def remind(
    conn: sqlite3.Connection,
    *,
    today: date,
    days: int = DEFAULT_REMIND_DAYS,
    types: tuple[str, ...] = (),
    again: bool = False,
) -> Reminder:
    """Today's nudge about watchlist titles, once a day.

    Reminds of an exact release date within the next `days` days, of a month-precision release
    whose month begins within them ("sometime in March 2027"), and of exact dates that passed
    since the previous reminder. Year-precision dates are too vague to nudge about. The day of
    the reminder is kept in the database (meta), inside one write transaction, so several
    terminals opened at once agree and only the first one speaks.
    """
    check_days(days)
    today_text = today.isoformat()
    with transaction(conn):
        last = get_meta(conn, REMIND_META_KEY)
        if last == today_text:
            if not again:
                return Reminder(today, get_meta(conn, REMIND_SINCE_KEY) or None, True, [])
            since = get_meta(conn, REMIND_SINCE_KEY) or None
        else:
            since = last
            set_meta(conn, REMIND_META_KEY, today_text)
            set_meta(conn, REMIND_SINCE_KEY, last or "")
    end = today + timedelta(days=days)
    low = since if since and since < today_text else today_text
    marks = ",".join("?" * len(WATCHLIST_STATUSES))
    rows = _rows_for_titles(
        conn,
        f"SELECT title_id FROM entries WHERE status IN ({marks})",
        list(WATCHLIST_STATUSES),
    )
    by_title: dict[str, list[ReleaseRow]] = {}
    for r in rows:
        by_title.setdefault(r.title_id, []).append(r)
    facts = _facts(conn, list(by_title))
    items: list[ReminderItem] = []
    for title_id, title_rows in by_title.items():
        fact = facts.get(title_id)
        if fact is None:
            continue
        for row in title_rows:
            span = row.span
            if row.superseded or span is None or (types and row.release.type not in types):
                continue
            start, _ = span
            precision = row.release.precision
            if precision == "day" and today <= start <= end:
                items.append(ReminderItem(fact, row.release, "upcoming", (start - today).days))
            elif precision == "day" and low < start.isoformat() < today_text:
                items.append(ReminderItem(fact, row.release, "out", (start - today).days))
            elif precision == "month" and today <= start <= end:
                items.append(ReminderItem(fact, row.release, "upcoming", None))
    items.sort(key=lambda i: (sort_key(i.release.date, i.release.precision), i.title.title))
    return Reminder(today, since, False, items)


# --- calendar -------------------------------------------------------------------------------


class CalendarResult(NamedTuple):
    data: bytes
    events: list[UpcomingItem]
    skipped: list[UpcomingItem]  # month or year precision: no day to put them on

    def to_dict(self) -> dict[str, Any]:
        return {
            "events": [i.to_dict() for i in self.events],
            "skipped": [i.to_dict() for i in self.skipped],
        }


def calendar_items(items: list[UpcomingItem]) -> tuple[list[UpcomingItem], list[UpcomingItem]]:
    """Which items become events: exact dates that are upcoming or just out. Stale dates are
    doubtful by definition, and month/year dates have no day (they are reported instead)."""
    events = [i for i in items if i.status != "stale" and i.release.precision == "day"]
    skipped = [i for i in items if i.status != "stale" and i.release.precision != "day"]
    return events, skipped


def build_calendar(
    items: list[UpcomingItem], *, today: date, alarm: timedelta | None = None
) -> CalendarResult:
    """An RFC 5545 calendar of all-day events (DTSTART;VALUE=DATE, DTEND the next day)."""
    from icalendar import Alarm, Calendar, Event

    from kwatch import __version__

    events, skipped = calendar_items(items)
    cal = Calendar()
    cal.add("prodid", f"-//kwatch//kwatch {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "kwatch releases")
    # DTSTAMP from kwatch's clock, not the wall clock, so a day's feed is byte-for-byte stable.
    stamp = datetime(today.year, today.month, today.day, tzinfo=UTC)
    for item in events:
        day = date.fromisoformat(item.release.date)
        kind = TYPE_PHRASES.get(item.release.type, item.release.type)
        region = f", {item.release.region}" if item.release.region != "KR" else ""
        summary = f"{item.title.title} ({kind}{region})"
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("summary", summary)
        details = [
            f"{item.title.title}"
            + (f" / {item.title.original_title}" if item.title.original_title else "")
            + (f" ({item.title.year})" if item.title.year else ""),
            f"{item.release.type} release, {item.release.region}",
        ]
        if item.release.note:
            details.append(item.release.note)
        if item.release.source:
            details.append(f"Source: {item.release.source}")
        details.append(f"kwatch show {item.title.id}")
        event.add("description", "\n".join(details))
        event.add("categories", [item.release.type])
        event.add("transp", "TRANSPARENT")
        if alarm is not None:
            reminder = Alarm()
            reminder.add("action", "DISPLAY")
            reminder.add("description", summary)
            reminder.add("trigger", -alarm)
            event.add_component(reminder)
        cal.add_component(event)
    return CalendarResult(cal.to_ical(), events, skipped)
