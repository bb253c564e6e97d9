"""One title at a time: adding, removing, logging viewings, rating, statuses, the user's own
titles and releases. Pure core functions: they take the connection and `today`, raise
KwatchError, and never print. Every write to the user's tables goes through this package."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import TYPE_CHECKING, NamedTuple

from kwatch.db import transaction
from kwatch.errors import Conflict, InvalidInput
from kwatch.library.read import clean_tags, get_entry
from kwatch.library.rules import PRIORITY_DEFAULT, check_priority, status_after_seen
from kwatch.models import Entry, Title

if TYPE_CHECKING:
    from kwatch.models import Release

# Every table that holds what the user recorded about a title (removing a title empties them).
ENTRY_TABLES = (
    "reviews",
    "likes",
    "entry_tags",
    "entry_notes",
    "viewings",
    "status_history",
    "entries",
)


def _entry_row(conn: sqlite3.Connection, title_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM entries WHERE title_id = ?", (title_id,)).fetchone()


def _set_status(conn: sqlite3.Connection, title_id: str, status: str, on: str) -> None:
    conn.execute("UPDATE entries SET status = ? WHERE title_id = ?", (status, title_id))
    conn.execute(
        "INSERT INTO status_history (title_id, status, changed_on) VALUES (?,?,?)",
        (title_id, status, on),
    )


def ensure_entry(
    conn: sqlite3.Connection,
    title_id: str,
    today: date,
    status: str = "planned",
    since: str | None = None,
) -> bool:
    """Create the library entry if missing. True when it was created. `since`: the day the
    status began, when that is not today (a viewing's day)."""
    if _entry_row(conn, title_id):
        return False
    conn.execute(
        "INSERT INTO entries (title_id, added_on, status, priority) VALUES (?,?,?,?)",
        (title_id, today.isoformat(), status, PRIORITY_DEFAULT),
    )
    conn.execute(
        "INSERT INTO status_history (title_id, status, changed_on) VALUES (?,?,?)",
        (title_id, status, since or today.isoformat()),
    )
    return True


def add_tags(conn: sqlite3.Connection, title_id: str, tags: list[str]) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO entry_tags (title_id, tag) VALUES (?,?)",
        [(title_id, t) for t in clean_tags(tags)],
    )


def add_note(conn: sqlite3.Connection, title_id: str, text: str | None, today: date) -> None:
    if text and text.strip():
        conn.execute(
            "INSERT INTO entry_notes (title_id, text, created_on) VALUES (?,?,?)",
            (title_id, text, today.isoformat()),
        )


class AddResult(NamedTuple):
    entry: Entry
    created: bool


def add(
    conn: sqlite3.Connection,
    title: Title,
    *,
    today: date,
    priority: int | None = None,
    tags: list[str] | None = None,
    note: str | None = None,
) -> AddResult:
    """Put a title on the watchlist. Adding it again updates priority, tags and notes."""
    check_priority(priority)
    with transaction(conn):
        created = ensure_entry(conn, title.id, today)
        if priority is not None:
            conn.execute("UPDATE entries SET priority = ? WHERE title_id = ?", (priority, title.id))
        add_tags(conn, title.id, tags or [])
        add_note(conn, title.id, note, today)
    return AddResult(get_entry(conn, title.id), created)


def remove(conn: sqlite3.Connection, title: Title) -> Entry:
    """Remove a title and everything recorded about it from the library."""
    entry = get_entry(conn, title.id)
    with transaction(conn):
        for table in ENTRY_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE title_id = ?", (title.id,))
    return entry


def removal_counts(conn: sqlite3.Connection, title: Title) -> dict[str, int]:
    """What `remove` would delete, counted, so it can say so before asking; and the lists the
    title is in, which it keeps (a list says nothing about the library)."""
    entry = get_entry(conn, title.id)
    in_lists = conn.execute(
        "SELECT count(*) FROM list_items WHERE title_id = ?", (title.id,)
    ).fetchone()[0]
    return {
        "viewings": len(entry.viewings),
        "rated": int(entry.rating is not None),
        "notes": len(entry.notes),
        "reviews": len(entry.reviews),
        "tags": len(entry.tags),
        "lists_kept": in_lists,
    }


def log_viewing(
    conn: sqlite3.Connection,
    title: Title,
    *,
    today: date,
    on: tuple[str, str] | None = None,
    rating: int | None = None,
    note: str | None = None,
    force: bool = False,
) -> Entry:
    """Record one viewing. A rewatch is another viewing, never an overwrite. A title that was
    not completed becomes completed since the viewing's day (not the day it was typed)."""
    when, precision = on or (today.isoformat(), "day")
    check_viewing_date(title, when, precision, force=force)
    since = seen_since(when, precision, today)
    with transaction(conn):
        ensure_entry(conn, title.id, today, status="completed", since=since)
        earlier = conn.execute(
            "SELECT count(*) FROM viewings WHERE title_id = ?", (title.id,)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO viewings (title_id, date, precision, rating, note, rewatch, created_on)"
            " VALUES (?,?,?,?,?,?,?)",
            (title.id, when, precision, rating, note, int(earlier > 0), today.isoformat()),
        )
        row = _entry_row(conn, title.id)
        if row is not None and row["status"] != "completed":
            _set_status(conn, title.id, "completed", since)
        if rating is not None:
            _rate(conn, title.id, rating, today)
    return get_entry(conn, title.id)


def _last_change(conn: sqlite3.Connection, title_id: str) -> str:
    """The day of the title's latest status change ("" when none): a new status cannot
    begin before the one it replaces."""
    row = conn.execute(
        "SELECT max(changed_on) FROM status_history WHERE title_id = ?", (title_id,)
    ).fetchone()
    return row[0] or ""


def _last_viewing_day(conn: sqlite3.Connection, title_id: str, today: date) -> str | None:
    rows = conn.execute(
        "SELECT date, precision FROM viewings WHERE title_id = ?", (title_id,)
    ).fetchall()
    days = [seen_since(r[0], r[1], today) for r in rows]
    return max(days, default=None)


def _rate(conn: sqlite3.Connection, title_id: str, rating: int, today: date) -> None:
    conn.execute(
        "UPDATE entries SET rating = ?, rated_on = ? WHERE title_id = ?",
        (rating, today.isoformat(), title_id),
    )


class RateResult(NamedTuple):
    entry: Entry
    marked_completed: bool  # the rating made it completed (it was new or planned)
    previous_status: str | None  # None: it was not in the library


def rate(conn: sqlite3.Connection, title: Title, rating: int, *, today: date) -> RateResult:
    """Rate a title (half stars, 1-10). A rating means you have seen it, as on Letterboxd:
    a new or still-planned title becomes completed (since its last viewing's day when it has
    one, else today); watching or on-hold stay as they are."""
    with transaction(conn):
        row = _entry_row(conn, title.id)
        previous = row["status"] if row else None
        new_status = status_after_seen(previous)
        seen = _last_viewing_day(conn, title.id, today)
        if row is None:
            ensure_entry(conn, title.id, today, status="completed", since=seen)
        elif new_status:
            last = _last_change(conn, title.id)
            since = seen if seen and seen >= last else today.isoformat()
            _set_status(conn, title.id, new_status, since)
        _rate(conn, title.id, rating, today)
    return RateResult(get_entry(conn, title.id), new_status is not None, previous)


class StatusResult(NamedTuple):
    entry: Entry
    changed: bool  # False: it had that status already
    previous_status: str | None


def set_status(conn: sqlite3.Connection, title: Title, status: str, *, today: date) -> StatusResult:
    """Set a title's status. Setting the status it has already is a success that changes
    nothing (changed=False), so scripts can say what they want without checking first."""
    with transaction(conn):
        row = _entry_row(conn, title.id)
        previous = row["status"] if row is not None else None
        if row is None:
            ensure_entry(conn, title.id, today, status=status)
        elif previous != status:
            _set_status(conn, title.id, status, today.isoformat())
    return StatusResult(get_entry(conn, title.id), previous != status, previous)


def check_viewing_date(title: Title, when: str, precision: str, *, force: bool) -> None:
    """A viewing cannot come before the title existed: refused, unless forced (a festival
    screening of a film the catalogue dates by its later release)."""
    from kwatch.values import date_span

    span = date_span(when, precision)
    if force or title.year is None or span is None or span[1].year >= title.year:
        return
    raise InvalidInput(
        f"{when} is before {title.label} was made; check the date, "
        "or add --force if you really saw it then (an early screening)."
    )


def seen_since(when: str, precision: str, today: date) -> str:
    """The day a viewing dated `when` makes a title completed: that day, or the first day of
    a vaguer date's period ("2019-05" -> 2019-05-01), never after today."""
    from kwatch.values import date_span

    span = date_span(when, precision)
    day = span[0].isoformat() if span else today.isoformat()
    return min(day, today.isoformat())


# --- the user's own titles and releases ------------------------------------------------------


def add_custom_title(
    conn: sqlite3.Connection,
    *,
    title: str,
    year: int | None,
    directors: list[str],
    original_title: str | None = None,
    kind: str = "film",
    runtime_min: int | None = None,
    themes: list[str] | None = None,
    releases: list[Release] | None = None,
    synopsis: str | None = None,
    force: bool = False,
) -> Title:
    """Create the user's own title; its id is the slug of title and year, like bundled ones.
    Refused when the catalogue has a title of that name (and year, if given), which the new
    one would shadow, unless `force`."""
    from kwatch.textnorm import name_key, slugify
    from kwatch.titles import get_title, index_title

    if not title.strip():
        raise InvalidInput("the title is empty; give the film's English title.")
    from kwatch.values import FIRST_YEAR, LAST_YEAR, MAX_RUNTIME

    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(f"--year {year} is out of range: give {FIRST_YEAR} to {LAST_YEAR}.")
    if runtime_min is not None and not 0 < runtime_min <= MAX_RUNTIME:
        raise InvalidInput(f"--runtime {runtime_min} is not a runtime: give 1 to {MAX_RUNTIME}.")
    if not force:
        refuse_shadowing(conn, title, year)
    base = slugify(title) or name_key(title)
    new_id = f"{base}-{year}" if year else base
    existing = conn.execute("SELECT origin FROM titles WHERE id = ?", (new_id,)).fetchone()
    if existing:
        where = "your own titles" if existing[0] == "custom" else "the catalogue"
        raise Conflict(f"{new_id!r} is already in {where}; add it by that id instead.")
    new = Title(
        id=new_id,
        title=title.strip(),
        origin="custom",
        original_title=original_title or None,
        year=year,
        kind=kind,
        directors=tuple(directors),
        runtime_min=runtime_min,
        themes=tuple(themes or ()),
        synopsis=synopsis,
        releases=tuple(releases or ()),
    )
    index_title(conn, new)
    return get_title(conn, new_id)


def refuse_shadowing(conn: sqlite3.Connection, title: str, year: int | None) -> None:
    """Refuse a name of one's own that a catalogue title (of about that year) has: it would
    hide that title from every command that takes a name."""
    from kwatch.titles import find_candidates, titles_by_ids

    ids = find_candidates(conn, title)
    same = [
        t
        for t in titles_by_ids(conn, ids).values()
        if t.origin != "custom" and (year is None or t.year is None or abs(t.year - year) <= 1)
    ]
    if same:
        names = "; ".join(f"{t.label} [{t.id}]" for t in same)
        raise Conflict(
            f"the catalogue has {names} already: add that one with `kwatch add {same[0].id}`; "
            "if yours is another film of the same name, add --force."
        )


def replace_user_release(conn: sqlite3.Connection, title_id: str, release: Release) -> None:
    """The user's release of this type and region, replacing their earlier one (the caller
    holds the transaction)."""
    conn.execute(
        "DELETE FROM releases WHERE title_id = ? AND type = ? AND region = ? AND origin = 'user'",
        (title_id, release.type, release.region),
    )
    conn.execute(
        "INSERT INTO releases (title_id, date, precision, region, type, note, source, origin)"
        " VALUES (?,?,?,?,?,?,?,'user')",
        (
            title_id,
            release.date,
            release.precision,
            release.region,
            release.type,
            release.note,
            release.source,
        ),
    )


def delete_user_release(conn: sqlite3.Connection, release_id: int) -> None:
    conn.execute("DELETE FROM releases WHERE id = ? AND origin = 'user'", (release_id,))
