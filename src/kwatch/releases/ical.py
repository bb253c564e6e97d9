"""An RFC 5545 calendar of release dates, through the icalendar library."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple

from kwatch.releases.query import TYPE_PHRASES, UpcomingItem

SKIP_REASONS = {
    "month": "known only to the month: an event would need an invented day",
    "quarter": "known only to the quarter: an event would need an invented day",
    "season": "known only to the season: an event would need an invented day",
    "half": "known only to the half-year: an event would need an invented day",
    "year": "known only to the year: an event would need an invented day",
}


def skip_reason(item: UpcomingItem) -> str:
    return SKIP_REASONS.get(item.release.precision, "date unknown")


class CalendarResult(NamedTuple):
    data: bytes
    events: list[UpcomingItem]
    skipped: list[UpcomingItem]  # no exact day to put them on
    sequences: dict[str, int] = {}  # noqa: RUF012 - shared but never mutated

    def to_dict(self) -> dict[str, Any]:
        return {
            "events": [
                {**i.to_dict(), "sequence": self.sequences.get(i.uid, 0)} for i in self.events
            ],
            "skipped": [{**i.to_dict(), "reason": skip_reason(i)} for i in self.skipped],
        }


def event_sequences(conn: sqlite3.Connection, events: list[UpcomingItem]) -> dict[str, int]:
    """The SEQUENCE of each event: 0 when first written, one more each time its date changed
    since the last calendar kwatch wrote. Kept per UID in the database, so every calendar file
    written from this library agrees, and a subscribed calendar app takes the newer event."""
    from kwatch.db import transaction

    out: dict[str, int] = {}
    with transaction(conn):
        for item in events:
            row = conn.execute(
                "SELECT date, sequence FROM calendar_events WHERE uid = ?", (item.uid,)
            ).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO calendar_events (uid, date, sequence) VALUES (?, ?, 0)",
                    (item.uid, item.release.date),
                )
                out[item.uid] = 0
            elif row[0] != item.release.date:
                out[item.uid] = row[1] + 1
                conn.execute(
                    "UPDATE calendar_events SET date = ?, sequence = ? WHERE uid = ?",
                    (item.release.date, row[1] + 1, item.uid),
                )
            else:
                out[item.uid] = row[1]
    return out


def calendar_items(items: list[UpcomingItem]) -> tuple[list[UpcomingItem], list[UpcomingItem]]:
    """Which items become events: exact dates that are upcoming or just out. Stale dates are
    doubtful by definition, and month/year dates have no day (they are reported instead)."""
    events = [i for i in items if i.status != "stale" and i.release.precision == "day"]
    skipped = [i for i in items if i.status != "stale" and i.release.precision != "day"]
    return events, skipped


def build_calendar(
    items: list[UpcomingItem],
    *,
    now: datetime,
    alarm: timedelta | None = None,
    sequences: dict[str, int] | None = None,
) -> CalendarResult:
    """An RFC 5545 calendar of all-day events (DTSTART;VALUE=DATE, DTEND the next day).
    DTSTAMP is `now`, the moment the file is written (RFC 5545 3.8.7.2)."""
    from icalendar import Alarm, Calendar, Event

    from kwatch import __version__
    from kwatch.output import visible  # RFC 5545 TEXT allows no control characters but tab

    events, skipped = calendar_items(items)
    cal = Calendar()
    cal.add("prodid", f"-//kwatch//kwatch {__version__}//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "kwatch releases")
    stamp = now.astimezone(UTC)
    sequences = sequences or {}
    for item in events:
        day = date.fromisoformat(item.release.date)
        kind = TYPE_PHRASES.get(item.release.type, item.release.type)
        region = f", {item.release.region}" if item.release.region != "KR" else ""
        summary = visible(f"{item.title.title} ({kind}{region})")
        event = Event()
        event.add("uid", item.uid)
        event.add("sequence", sequences.get(item.uid, 0))
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
        event.add("description", visible("\n".join(details)))
        event.add("categories", [item.release.type])
        event.add("transp", "TRANSPARENT")
        if alarm is not None:
            reminder = Alarm()
            reminder.add("action", "DISPLAY")
            reminder.add("description", summary)
            reminder.add("trigger", -alarm)
            event.add_component(reminder)
        cal.add_component(event)
    return CalendarResult(cal.to_ical(), events, skipped, sequences)
