"""The user's lists, read: a list with its films in order (a ranked list by position), and
finding a list by its id or name. Writes live in kwatch.library.lists."""

from __future__ import annotations

import json
import sqlite3
from typing import Any, NamedTuple

from kwatch.errors import Ambiguous, NotFound
from kwatch.models import Title


class ListItem(NamedTuple):
    position: int
    title: Title
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "id": self.title.id,
            "title": self.title.title,
            "year": self.title.year,
            "note": self.note,
        }


class UserList(NamedTuple):
    id: str
    name: str
    description: str | None
    ranked: bool
    tags: tuple[str, ...]
    created_on: str
    source: str | None
    size: int
    items: tuple[ListItem, ...] = ()

    def to_dict(self, *, with_items: bool = True) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "description": self.description,
            "ranked": self.ranked,
            "tags": list(self.tags),
            "created_on": self.created_on,
            "source": self.source,
            "size": self.size,
        }
        if with_items:
            doc["items"] = [i.to_dict() for i in self.items]
        return doc


def _from_row(row: sqlite3.Row, size: int, items: tuple[ListItem, ...] = ()) -> UserList:
    return UserList(
        id=row["id"],
        name=row["name"],
        description=row["description"],
        ranked=bool(row["ranked"]),
        tags=tuple(json.loads(row["tags"])),
        created_on=row["created_on"],
        source=row["source"],
        size=size,
        items=items,
    )


def find_list_id(conn: sqlite3.Connection, name: str) -> str:
    """The id of the list called `name` (its id, or its name in any case)."""
    text = name.strip()
    rows = conn.execute(
        "SELECT id FROM lists WHERE id = ? OR name = ? COLLATE NOCASE ORDER BY id = ? DESC, id",
        (text, text, text),
    ).fetchall()
    if not rows:
        raise NotFound(f"you have no list {name!r}; see your lists with `kwatch lists show`.")
    if len(rows) > 1 and rows[0][0] != text:
        raise Ambiguous(
            f"{name!r} names {len(rows)} lists: {', '.join(r[0] for r in rows)}; use the id."
        )
    return rows[0][0]


def all_lists(conn: sqlite3.Connection) -> list[UserList]:
    sizes = dict(conn.execute("SELECT list_id, count(*) FROM list_items GROUP BY list_id"))
    return [
        _from_row(r, sizes.get(r["id"], 0))
        for r in conn.execute("SELECT * FROM lists ORDER BY name COLLATE NOCASE, id")
    ]


def get_list(conn: sqlite3.Connection, list_id: str) -> UserList:
    from kwatch.titles import titles_by_ids

    row = conn.execute("SELECT * FROM lists WHERE id = ?", (list_id,)).fetchone()
    if row is None:
        raise NotFound(f"you have no list {list_id!r}; see your lists with `kwatch lists show`.")
    rows = conn.execute(
        "SELECT position, title_id, note FROM list_items WHERE list_id = ? ORDER BY position",
        (list_id,),
    ).fetchall()
    titles = titles_by_ids(conn, [r["title_id"] for r in rows])
    items = tuple(
        ListItem(
            r["position"],
            titles.get(r["title_id"]) or Title(r["title_id"], r["title_id"], "missing"),
            r["note"],
        )
        for r in rows
    )
    return _from_row(row, len(items), items)


def lists_of(conn: sqlite3.Connection, title_id: str) -> list[str]:
    return [
        r[0] for r in conn.execute("SELECT list_id FROM list_items WHERE title_id = ?", (title_id,))
    ]
