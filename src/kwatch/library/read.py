"""Reading the user's library: entries with their tags, notes, viewings and history."""

from __future__ import annotations

import sqlite3

from kwatch.errors import InvalidInput, NotFound
from kwatch.filters import Filters
from kwatch.models import Entry, Note, Review, StatusChange, Title, Viewing
from kwatch.titles import titles_by_ids

SORTS = ("added", "title", "year", "rating", "priority", "status", "watched")


def clean_tags(tags: list[str] | None) -> list[str]:
    out = []
    for tag in tags or []:
        for part in tag.split(","):
            part = part.strip()
            if part:
                out.append(part)
    return list(dict.fromkeys(out))


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
    reviews = _grouped(
        conn, "SELECT * FROM reviews WHERE title_id IN ({marks}) ORDER BY published_on, id", ids
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
                reviews=tuple(
                    Review(
                        r["id"], r["text"], r["published_on"], bool(r["spoilers"]), r["original"]
                    )
                    for r in reviews.get(title_id, [])
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
