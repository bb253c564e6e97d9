"""The user's library: adding, removing, logging viewings, rating, statuses. Pure core functions:
they take the connection and `today`, raise KwatchError, and never print."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import NamedTuple

from kwatch.db import transaction
from kwatch.errors import Conflict, InvalidInput, NotFound
from kwatch.filters import Filters
from kwatch.models import Entry, Note, StatusChange, Title, Viewing
from kwatch.titles import titles_by_ids

PRIORITY_MIN, PRIORITY_MAX, PRIORITY_DEFAULT = 1, 5, 3
SORTS = ("added", "title", "year", "rating", "priority", "status", "watched")


def check_priority(priority: int | None) -> None:
    if priority is not None and not PRIORITY_MIN <= priority <= PRIORITY_MAX:
        raise InvalidInput(
            f"priority {priority} is out of range; use {PRIORITY_MIN} (low) to "
            f"{PRIORITY_MAX} (high), default {PRIORITY_DEFAULT}."
        )


def clean_tags(tags: list[str] | None) -> list[str]:
    out = []
    for tag in tags or []:
        for part in tag.split(","):
            part = part.strip()
            if part:
                out.append(part)
    return list(dict.fromkeys(out))


def _entry_row(conn: sqlite3.Connection, title_id: str) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM entries WHERE title_id = ?", (title_id,)).fetchone()


def _set_status(conn: sqlite3.Connection, title_id: str, status: str, today: date) -> None:
    conn.execute("UPDATE entries SET status = ? WHERE title_id = ?", (status, title_id))
    conn.execute(
        "INSERT INTO status_history (title_id, status, changed_on) VALUES (?,?,?)",
        (title_id, status, today.isoformat()),
    )


def ensure_entry(
    conn: sqlite3.Connection, title_id: str, today: date, status: str = "planned"
) -> bool:
    """Create the library entry if missing. True when it was created."""
    if _entry_row(conn, title_id):
        return False
    conn.execute(
        "INSERT INTO entries (title_id, added_on, status, priority) VALUES (?,?,?,?)",
        (title_id, today.isoformat(), status, PRIORITY_DEFAULT),
    )
    conn.execute(
        "INSERT INTO status_history (title_id, status, changed_on) VALUES (?,?,?)",
        (title_id, status, today.isoformat()),
    )
    return True


def _add_tags(conn: sqlite3.Connection, title_id: str, tags: list[str]) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO entry_tags (title_id, tag) VALUES (?,?)",
        [(title_id, t) for t in tags],
    )


def _add_note(conn: sqlite3.Connection, title_id: str, text: str | None, today: date) -> None:
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
        _add_tags(conn, title.id, clean_tags(tags))
        _add_note(conn, title.id, note, today)
    return AddResult(get_entry(conn, title.id), created)


def remove(conn: sqlite3.Connection, title: Title) -> Entry:
    """Remove a title and everything recorded about it from the library."""
    entry = get_entry(conn, title.id)
    with transaction(conn):
        for table in ("entry_tags", "entry_notes", "viewings", "status_history", "entries"):
            conn.execute(f"DELETE FROM {table} WHERE title_id = ?", (title.id,))
    return entry


def log_viewing(
    conn: sqlite3.Connection,
    title: Title,
    *,
    today: date,
    on: tuple[str, str] | None = None,
    rating: int | None = None,
    note: str | None = None,
) -> Entry:
    """Record one viewing. A rewatch is another viewing, never an overwrite."""
    when, precision = on or (today.isoformat(), "day")
    with transaction(conn):
        ensure_entry(conn, title.id, today, status="completed")
        earlier = conn.execute(
            "SELECT count(*) FROM viewings WHERE title_id = ?", (title.id,)
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO viewings (title_id, date, precision, rating, note, rewatch, created_on)"
            " VALUES (?,?,?,?,?,?,?)",
            (title.id, when, precision, rating, note, int(earlier > 0), today.isoformat()),
        )
        if _entry_row(conn, title.id)["status"] != "completed":
            _set_status(conn, title.id, "completed", today)
        if rating is not None:
            _rate(conn, title.id, rating, today)
    return get_entry(conn, title.id)


def _rate(conn: sqlite3.Connection, title_id: str, rating: int, today: date) -> None:
    conn.execute(
        "UPDATE entries SET rating = ?, rated_on = ? WHERE title_id = ?",
        (rating, today.isoformat(), title_id),
    )


def rate(conn: sqlite3.Connection, title: Title, rating: int, *, today: date) -> Entry:
    """Rate a title (half stars, 1-10). A rating means you have seen it, as on Letterboxd:
    a new or still-planned title becomes completed; watching or on-hold stay as they are."""
    with transaction(conn):
        created = ensure_entry(conn, title.id, today, status="completed")
        if not created and _entry_row(conn, title.id)["status"] == "planned":
            _set_status(conn, title.id, "completed", today)
        _rate(conn, title.id, rating, today)
    return get_entry(conn, title.id)


def set_status(conn: sqlite3.Connection, title: Title, status: str, *, today: date) -> Entry:
    with transaction(conn):
        created = ensure_entry(conn, title.id, today, status=status)
        current = _entry_row(conn, title.id)["status"]
        if not created and current != status:
            _set_status(conn, title.id, status, today)
        elif not created:
            raise Conflict(f"{title.label} is already {status}; nothing changed.")
    return get_entry(conn, title.id)


def get_entry(conn: sqlite3.Connection, title_id: str) -> Entry:
    entries = load_entries(conn, [title_id])
    if not entries:
        raise NotFound(f"{title_id!r} is not in your library; add it with `kwatch add {title_id}`.")
    return entries[0]


def find_entry(conn: sqlite3.Connection, title_id: str) -> Entry | None:
    entries = load_entries(conn, [title_id])
    return entries[0] if entries else None


def _grouped(conn: sqlite3.Connection, sql: str, ids: list[str]) -> dict[str, list[sqlite3.Row]]:
    out: dict[str, list[sqlite3.Row]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for row in conn.execute(sql.format(marks=marks), chunk):
            out.setdefault(row["title_id"], []).append(row)
    return out


def load_entries(conn: sqlite3.Connection, ids: list[str]) -> list[Entry]:
    """Entries for the given title ids, in that order, with one query per table."""
    rows = _grouped(conn, "SELECT * FROM entries WHERE title_id IN ({marks})", ids)
    ids = [i for i in ids if i in rows]
    titles = titles_by_ids(conn, ids)
    tags = _grouped(conn, "SELECT * FROM entry_tags WHERE title_id IN ({marks}) ORDER BY tag", ids)
    notes = _grouped(conn, "SELECT * FROM entry_notes WHERE title_id IN ({marks}) ORDER BY id", ids)
    viewings = _grouped(
        conn, "SELECT * FROM viewings WHERE title_id IN ({marks}) ORDER BY date, id", ids
    )
    history = _grouped(
        conn, "SELECT * FROM status_history WHERE title_id IN ({marks}) ORDER BY id", ids
    )
    out = []
    for title_id in ids:
        row = rows[title_id][0]
        title = titles.get(title_id) or Title(
            id=title_id,
            title=title_id,
            origin="missing",
            missing={"title": "no longer in the catalogue; your records are kept"},
        )
        out.append(
            Entry(
                title=title,
                status=row["status"],
                priority=row["priority"],
                rating=row["rating"],
                rated_on=row["rated_on"],
                added_on=row["added_on"],
                tags=tuple(r["tag"] for r in tags.get(title_id, [])),
                notes=tuple(
                    Note(r["id"], r["text"], r["created_on"]) for r in notes.get(title_id, [])
                ),
                viewings=tuple(
                    Viewing(
                        r["id"],
                        r["date"],
                        r["precision"],
                        r["rating"],
                        r["note"],
                        bool(r["rewatch"]),
                    )
                    for r in viewings.get(title_id, [])
                ),
                status_history=tuple(
                    StatusChange(r["status"], r["changed_on"]) for r in history.get(title_id, [])
                ),
            )
        )
    return out


_ORDER = {
    "added": "e.added_on, e.rowid",
    "title": "t.title COLLATE NOCASE, t.year",
    "year": "t.year, t.title COLLATE NOCASE",
    "rating": "e.rating IS NULL, e.rating DESC, t.title COLLATE NOCASE",
    "priority": "e.priority DESC, e.added_on, e.rowid",
    "status": "e.status, t.title COLLATE NOCASE",
    "watched": "(SELECT max(date) FROM viewings v WHERE v.title_id = e.title_id) IS NULL,"
    " (SELECT max(date) FROM viewings v WHERE v.title_id = e.title_id) DESC",
}


def list_entries(
    conn: sqlite3.Connection,
    *,
    filters: Filters | None = None,
    tags: list[str] | None = None,
    statuses: list[str] | None = None,
    sort: str = "added",
    reverse: bool = False,
    limit: int | None = None,
) -> tuple[list[Entry], int]:
    """The library, filtered and sorted; also the total before --limit."""
    if sort not in SORTS:
        raise InvalidInput(f"--sort {sort!r} is not one of: {', '.join(SORTS)}.")
    where, params = (filters or Filters()).where()
    sql = "SELECT e.title_id FROM entries e LEFT JOIN titles t ON t.id = e.title_id WHERE 1"
    if where != "1":
        # An entry whose title has left the catalogue has no facts to filter on: only an
        # unfiltered list shows it.
        sql += f" AND t.id IS NOT NULL AND ({where})"
    for tag in clean_tags(tags):
        sql += (
            " AND EXISTS (SELECT 1 FROM entry_tags g WHERE g.title_id = e.title_id AND g.tag = ?)"
        )
        params.append(tag)
    if statuses:
        sql += f" AND e.status IN ({','.join('?' * len(statuses))})"
        params.extend(statuses)
    order = _ORDER[sort]
    sql += f" ORDER BY {order}"
    ids = [r[0] for r in conn.execute(sql, params)]
    if reverse:
        ids.reverse()
    total = len(ids)
    if limit is not None:
        ids = ids[:limit]
    return load_entries(conn, ids), total
