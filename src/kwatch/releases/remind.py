"""`kwatch remind`: today's nudge about the watchlist's releases, once a day."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from kwatch.db import get_meta, set_meta, transaction
from kwatch.releases.query import (
    TYPE_PHRASES,
    WATCHLIST_STATUSES,
    ReleaseRow,
    TitleFacts,
    _facts,
    _rows_for_titles,
    check_days,
    display_date,
    sort_key,
)

if TYPE_CHECKING:
    from kwatch.models import Release

DEFAULT_REMIND_DAYS = 7
REMIND_META_KEY = "remind_last_day"
REMIND_SINCE_KEY = "remind_previous_day"  # kept so `remind --again` repeats the same lines


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


class DateMove(NamedTuple):
    """A refresh moved the date of a watchlist title: said once, by the next reminder."""

    id: int
    title_id: str
    title: str
    type: str
    region: str
    old: str  # as people read it: "July 2027"
    new: str

    @property
    def line(self) -> str:
        where = "" if self.region == "KR" else f" ({self.region})"
        what = TYPE_PHRASES.get(self.type, self.type)
        return f"kwatch: {self.title} moved from {self.old} to {self.new} ({what}{where})"

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.title_id,
            "title": self.title,
            "type": self.type,
            "region": self.region,
            "from": self.old,
            "to": self.new,
            "text": self.line,
        }


class Reminder(NamedTuple):
    today: date
    since: str | None  # the day of the previous reminder
    already_reminded: bool
    items: list[ReminderItem]
    moves: list[DateMove] = []  # noqa: RUF012 - shared but never mutated

    @property
    def lines(self) -> list[str]:
        """A line per moved date, then one short line per title, in the order of its first
        item."""
        phrases: dict[str, list[str]] = {}
        names: dict[str, str] = {}
        for item in self.items:
            phrases.setdefault(item.title.id, []).append(item.phrase)
            names[item.title.id] = item.title.title
        return [m.line for m in self.moves] + [
            f"kwatch: {names[i]} — {'; '.join(p)}" for i, p in phrases.items()
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "today": self.today.isoformat(),
            "since": self.since,
            "already_reminded": self.already_reminded,
            "items": [i.to_dict() for i in self.items],
            "moves": [m.to_dict() for m in self.moves],
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
    whose month begins within them ("sometime in March 2027"), of exact dates that passed
    since the previous reminder, and (once each) of dates a refresh moved. Vaguer dates are too
    vague to nudge about. Everything happens in one write transaction that marks the day only
    at its end: several terminals opened at once agree and only the first one speaks, and a
    reminder that fails to be made leaves the day unmarked.
    """
    check_days(days)
    today_text = today.isoformat()
    with transaction(conn):
        last = get_meta(conn, REMIND_META_KEY)
        if last == today_text and not again:
            # Today's reminder was given; only a date a refresh moved since is still news.
            moves = _pending_moves(conn, today_text, again=False)
            return Reminder(today, get_meta(conn, REMIND_SINCE_KEY) or None, True, [], moves)
        since = get_meta(conn, REMIND_SINCE_KEY) or None if last == today_text else last
        items = _reminder_items(conn, today, days, types, since)
        moves = _pending_moves(conn, today_text, again=again)
        if last != today_text:
            set_meta(conn, REMIND_META_KEY, today_text)
            set_meta(conn, REMIND_SINCE_KEY, last or "")
        return Reminder(today, since, False, items, moves)


def _reminder_items(
    conn: sqlite3.Connection,
    today: date,
    days: int,
    types: tuple[str, ...],
    since: str | None,
) -> list[ReminderItem]:
    today_text = today.isoformat()
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
    return items


def _pending_moves(conn: sqlite3.Connection, today_text: str, *, again: bool) -> list[DateMove]:
    """Moves of watchlist titles not yet announced (with `again`, also today's), marked as
    announced today."""
    marks = ",".join("?" * len(WATCHLIST_STATUSES))
    rows = conn.execute(
        "SELECT m.id, m.title_id, t.title, m.type, m.region, m.old_date, m.old_precision,"
        " m.new_date, m.new_precision FROM release_moves m"
        " JOIN titles t ON t.id = m.title_id JOIN entries e ON e.title_id = m.title_id"
        f" WHERE e.status IN ({marks}) AND (m.announced_on IS NULL OR"
        " (? AND m.announced_on = ?)) ORDER BY m.id",
        [*WATCHLIST_STATUSES, again, today_text],
    ).fetchall()
    moves = [
        DateMove(
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            display_date(r[5], r[6]),
            display_date(r[7], r[8]),
        )
        for r in rows
    ]
    # Moves of titles not on the watchlist are not news to anyone: marked too, so the silent
    # `remind` check before the CLI loads (kwatch.entry) can stay one query.
    conn.execute(
        "UPDATE release_moves SET announced_on = ? WHERE announced_on IS NULL", (today_text,)
    )
    return moves
