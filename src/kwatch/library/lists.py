"""Writing the user's lists: create, edit, add, remove, reorder, delete, and the bulk save an
import uses. A list says nothing about the watchlist: these never touch entries."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import NamedTuple

from kwatch.db import transaction
from kwatch.errors import Conflict, InvalidInput, NotFound
from kwatch.library.bulk import Count
from kwatch.lists import UserList, find_list_id, get_list
from kwatch.models import Title


class ImportedList(NamedTuple):
    name: str
    description: str | None
    ranked: bool
    tags: tuple[str, ...]
    created_on: str
    source: str | None
    items: tuple[tuple[int, str, str | None], ...]  # position, title_id, note
    id: str | None = None  # a kwatch export's list id: the same list when met again


def _free_id(conn: sqlite3.Connection, name: str) -> str:
    from kwatch.textnorm import slugify

    base = slugify(name) or "list"
    candidate, n = base, 2
    while conn.execute("SELECT 1 FROM lists WHERE id = ?", (candidate,)).fetchone():
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def create_list(
    conn: sqlite3.Connection,
    name: str,
    *,
    today: date,
    description: str | None = None,
    ranked: bool = False,
) -> UserList:
    if not name.strip():
        raise InvalidInput("the list needs a name: kwatch lists create NAME.")
    clash = conn.execute(
        "SELECT id FROM lists WHERE name = ? COLLATE NOCASE", (name.strip(),)
    ).fetchone()
    if clash:
        raise Conflict(f"you have a list called {name!r} already ({clash[0]}); pick another name.")
    with transaction(conn):
        list_id = _free_id(conn, name)
        conn.execute(
            "INSERT INTO lists (id, name, description, ranked, tags, created_on, source)"
            " VALUES (?,?,?,?, '[]', ?, NULL)",
            (list_id, name.strip(), description, int(ranked), today.isoformat()),
        )
    return get_list(conn, list_id)


def edit_list(
    conn: sqlite3.Connection,
    name: str,
    *,
    new_name: str | None = None,
    description: str | None = None,
    ranked: bool | None = None,
) -> UserList:
    list_id = find_list_id(conn, name)
    with transaction(conn):
        if new_name is not None:
            if not new_name.strip():
                raise InvalidInput("--name is empty; give the list's new name.")
            conn.execute("UPDATE lists SET name = ? WHERE id = ?", (new_name.strip(), list_id))
        if description is not None:
            conn.execute(
                "UPDATE lists SET description = ? WHERE id = ?", (description or None, list_id)
            )
        if ranked is not None:
            conn.execute("UPDATE lists SET ranked = ? WHERE id = ?", (int(ranked), list_id))
    return get_list(conn, list_id)


def delete_list(conn: sqlite3.Connection, name: str) -> UserList:
    list_id = find_list_id(conn, name)
    gone = get_list(conn, list_id)
    with transaction(conn):
        conn.execute("DELETE FROM list_items WHERE list_id = ?", (list_id,))
        conn.execute("DELETE FROM lists WHERE id = ?", (list_id,))
    return gone


def _renumber(conn: sqlite3.Connection, list_id: str, order: list[str]) -> None:
    # Two steps, so the positions never collide half-way.
    conn.executemany(
        "UPDATE list_items SET position = ? WHERE list_id = ? AND title_id = ?",
        [(-(i + 1), list_id, tid) for i, tid in enumerate(order)],
    )
    conn.execute("UPDATE list_items SET position = -position WHERE list_id = ?", (list_id,))


def _order(conn: sqlite3.Connection, list_id: str) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT title_id FROM list_items WHERE list_id = ? ORDER BY position", (list_id,)
        )
    ]


def _place(order: list[str], position: int | None) -> int:
    if position is None:
        return len(order)
    if position < 1:
        raise InvalidInput(f"--position {position}: positions start at 1.")
    return min(position, len(order) + 1) - 1


def add_to_list(
    conn: sqlite3.Connection,
    name: str,
    title: Title,
    *,
    position: int | None = None,
    note: str | None = None,
) -> UserList:
    """Put a title in a list (at the end, or at `position`); again: move it, keep the note."""
    list_id = find_list_id(conn, name)
    with transaction(conn):
        order = _order(conn, list_id)
        if title.id in order:
            order.remove(title.id)
            if note is not None:
                conn.execute(
                    "UPDATE list_items SET note = ? WHERE list_id = ? AND title_id = ?",
                    (note or None, list_id, title.id),
                )
        else:
            conn.execute(
                "INSERT INTO list_items (list_id, position, title_id, note) VALUES (?,?,?,?)",
                (list_id, -1_000_000, title.id, note or None),
            )
        order.insert(_place(order, position), title.id)
        _renumber(conn, list_id, order)
    return get_list(conn, list_id)


def move_in_list(conn: sqlite3.Connection, name: str, title: Title, position: int) -> UserList:
    """Reorder: the title goes to `position`; the others close up behind it."""
    list_id = find_list_id(conn, name)
    if title.id not in _order(conn, list_id):
        raise NotFound(f"{title.label} is not in the list {list_id}.")
    return add_to_list(conn, name, title, position=position)


def remove_from_list(conn: sqlite3.Connection, name: str, title: Title) -> UserList:
    list_id = find_list_id(conn, name)
    with transaction(conn):
        order = _order(conn, list_id)
        if title.id not in order:
            raise NotFound(f"{title.label} is not in the list {list_id}.")
        conn.execute(
            "DELETE FROM list_items WHERE list_id = ? AND title_id = ?", (list_id, title.id)
        )
        order.remove(title.id)
        _renumber(conn, list_id, order)
    return get_list(conn, list_id)


def save_imported_lists(conn: sqlite3.Connection, lists: list[ImportedList], count: Count) -> None:
    """Lists from an export (inside the import's transaction). A list met again (same source)
    is updated to the export's name, description and films: the export is the list as it is
    now at the source."""
    for il in lists:
        row = (
            conn.execute("SELECT id FROM lists WHERE source = ?", (il.source,)).fetchone()
            if il.source
            else conn.execute("SELECT id FROM lists WHERE id = ?", (il.id,)).fetchone()
        )
        items = _dedupe(il.items)
        if row is None:
            taken = il.id and conn.execute("SELECT 1 FROM lists WHERE id = ?", (il.id,)).fetchone()
            list_id = il.id if il.id and not taken else _free_id(conn, il.name)
            conn.execute(
                "INSERT INTO lists (id, name, description, ranked, tags, created_on, source)"
                " VALUES (?,?,?,?,?,?,?)",
                (
                    list_id,
                    il.name,
                    il.description,
                    int(il.ranked),
                    json.dumps(list(il.tags), ensure_ascii=False),
                    il.created_on,
                    il.source,
                ),
            )
            count("lists", "added")
        else:
            list_id = row[0]
            before = conn.execute(
                "SELECT name, description, ranked, tags FROM lists WHERE id = ?", (list_id,)
            ).fetchone()
            old_items = [
                tuple(r)
                for r in conn.execute(
                    "SELECT position, title_id, note FROM list_items WHERE list_id = ?"
                    " ORDER BY position",
                    (list_id,),
                )
            ]
            same = tuple(before) == (
                il.name,
                il.description,
                int(il.ranked),
                json.dumps(list(il.tags), ensure_ascii=False),
            ) and old_items == list(items)
            count("lists", "unchanged" if same else "updated")
            if same:
                continue
            conn.execute(
                "UPDATE lists SET name = ?, description = ?, ranked = ?, tags = ? WHERE id = ?",
                (
                    il.name,
                    il.description,
                    int(il.ranked),
                    json.dumps(list(il.tags), ensure_ascii=False),
                    list_id,
                ),
            )
            conn.execute("DELETE FROM list_items WHERE list_id = ?", (list_id,))
        conn.executemany(
            "INSERT INTO list_items (list_id, position, title_id, note) VALUES (?,?,?,?)",
            [(list_id, pos, tid, note) for pos, tid, note in items],
        )


def _dedupe(items: tuple[tuple[int, str, str | None], ...]) -> tuple:
    """One place per title (the first), numbered 1..n in the source's order."""
    seen: set[str] = set()
    out: list[tuple[int, str, str | None]] = []
    for _, tid, note in sorted(items, key=lambda i: i[0]):
        if tid not in seen:
            seen.add(tid)
            out.append((len(out) + 1, tid, note))
    return tuple(out)
