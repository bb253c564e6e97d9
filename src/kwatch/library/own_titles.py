"""The user's own titles (added with --custom): correcting their facts, and merging two that
turn out to be one film. Catalogue titles are not the user's to edit: their facts come from
the catalogue files, rebuilt whenever those change."""

from __future__ import annotations

import json
import sqlite3
from typing import NamedTuple

from kwatch.db import transaction
from kwatch.errors import Conflict, InvalidInput
from kwatch.library.rules import newer_rating
from kwatch.models import Title

KEEP = object()


def _check_own(title: Title, action: str) -> None:
    if title.origin != "custom":
        raise Conflict(
            f"{title.label} [{title.id}] comes from the catalogue, so it cannot be {action}; "
            "only your own titles (added with `kwatch add TITLE --custom`) can. "
            "Release dates of any title: `kwatch release`."
        )


class TitleEdit(NamedTuple):
    before: Title
    after: Title
    changed: list[str]  # the fields that changed, as the JSON names them


def edit_own_title(
    conn: sqlite3.Connection,
    title: Title,
    *,
    new_title: str | None = None,
    year: int | object | None = KEEP,
    directors: list[str] | None = None,
    original_title: str | object | None = KEEP,
    runtime_min: int | object | None = KEEP,
    force: bool = False,
) -> TitleEdit:
    """Correct the facts of one of the user's own titles. Its id stays as it is (everything
    recorded refers to it), so renaming or re-dating it loses nothing. A new name that a
    catalogue title has (of about that year) is refused unless `force`, as `add --custom`
    refuses it."""
    from kwatch.library.entries import refuse_shadowing
    from kwatch.titles import get_title, reindex_titles

    _check_own(title, "edited")
    fields: dict[str, object] = {}
    if new_title is not None:
        if not new_title.strip():
            raise InvalidInput("--title is empty; give the film's English title.")
        fields["title"] = new_title.strip()
        if not force:
            refuse_shadowing(conn, new_title, title.year if year is KEEP else year)  # type: ignore[arg-type]
    if year is not KEEP:
        if year is not None and not 1870 <= int(year) <= 2200:  # type: ignore[call-overload]
            raise InvalidInput(f"--year {year} is out of range; use 1870-2200.")
        fields["year"] = year
    if directors is not None:
        fields["directors"] = json.dumps([d.strip() for d in directors if d.strip()])
    if original_title is not KEEP:
        fields["original_title"] = original_title or None
    if runtime_min is not KEEP:
        if runtime_min is not None and not 1 <= int(runtime_min) <= 2000:  # type: ignore[call-overload]
            raise InvalidInput(f"--runtime {runtime_min} is not a number of minutes (1-2000).")
        fields["runtime_min"] = runtime_min
    if not fields:
        raise InvalidInput(
            "nothing to change: give --title, --year, --director, --korean-title or --runtime."
        )
    with transaction(conn):
        sets = ", ".join(f"{column} = ?" for column in fields)
        conn.execute(f"UPDATE titles SET {sets} WHERE id = ?", (*fields.values(), title.id))
        reindex_titles(conn, [title.id])
    after = get_title(conn, title.id)
    before_doc, after_doc = title.to_dict(), after.to_dict()
    changed = [k for k in after_doc if before_doc[k] != after_doc[k]]
    return TitleEdit(title, after, changed)


class MergeResult(NamedTuple):
    kept: Title
    merged: Title
    moved: dict[str, int]  # what came over from the merged title, by kind
    rating_from: str | None  # the id whose rating was kept; None when neither had one
    status_from: str | None  # the id whose status was kept; None when neither was in the library


# The tables whose rows simply change hands (each row belongs to one title).
_MOVED = {
    "viewings": "viewings",
    "notes": "entry_notes",
    "reviews": "reviews",
    "status_changes": "status_history",
    "source_ids": "source_ids",
}


def merge_titles(conn: sqlite3.Connection, keep: Title, merge: Title) -> MergeResult:
    """Merge one of the user's own titles (`merge`) into another title (`keep`, own or from
    the catalogue) that is the same film: every viewing, note, review, tag, status change,
    source id, release and list place comes over; then `merge` is gone.

    Where both have something only one can keep, the rule is: the newest rating wins (as
    imports do); the status set last (as recorded) wins; the higher priority; the earlier
    day added; a list keeps `keep`'s place (with `merge`'s note when `keep` has none); a
    release of the same type and region keeps `keep`'s."""
    from kwatch.library.entries import _entry_row
    from kwatch.library.read import get_entry
    from kwatch.titles import get_title, reindex_titles

    if keep.id == merge.id:
        raise InvalidInput("those are the same title; give two different ones.")
    _check_own(merge, "merged away (the second title is the one that goes)")
    a, b = keep.id, merge.id
    moved: dict[str, int] = {}
    with transaction(conn):
        row_a, row_b = _entry_row(conn, a), _entry_row(conn, b)
        rating_from = status_from = None
        if row_b is not None:
            entry_b = get_entry(conn, b)
            if row_a is None:
                conn.execute("UPDATE entries SET title_id = ? WHERE title_id = ?", (a, b))
                rating_from = b if row_b["rating"] is not None else None
                status_from = b
            else:
                # The status set last, in the order the changes were recorded (their dates
                # can be earlier: a viewing's day); its change is then the last one `show`
                # reads "since" from.
                status_from = b if _last_recorded(conn, b) > _last_recorded(conn, a) else a
                status = row_b["status"] if status_from == b else row_a["status"]
                newer = newer_rating(
                    row_a["rating"], row_a["rated_on"], row_b["rating"], row_b["rated_on"]
                )
                if newer:
                    rating, rated_on, rating_from = row_b["rating"], row_b["rated_on"], b
                else:
                    rating, rated_on = row_a["rating"], row_a["rated_on"]
                    rating_from = a if rating is not None else None
                conn.execute(
                    "UPDATE entries SET status = ?, priority = ?, rating = ?, rated_on = ?,"
                    " added_on = ? WHERE title_id = ?",
                    (
                        status,
                        max(row_a["priority"], row_b["priority"]),
                        rating,
                        rated_on,
                        min(row_a["added_on"], row_b["added_on"]),
                        a,
                    ),
                )
                conn.execute("DELETE FROM entries WHERE title_id = ?", (b,))
            moved["tags"] = len(entry_b.tags)
            conn.execute(
                "INSERT OR IGNORE INTO entry_tags (title_id, tag)"
                " SELECT ?, tag FROM entry_tags WHERE title_id = ?",
                (a, b),
            )
            conn.execute("DELETE FROM entry_tags WHERE title_id = ?", (b,))
        elif row_a is not None:
            status_from = a
            rating_from = a if row_a["rating"] is not None else None
        for kind, table in _MOVED.items():
            moved[kind] = conn.execute(
                f"UPDATE {table} SET title_id = ? WHERE title_id = ?", (a, b)
            ).rowcount
        # Likes, list places and releases: one per title (or per list, or type and region).
        if conn.execute("SELECT 1 FROM likes WHERE title_id = ?", (a,)).fetchone():
            conn.execute("DELETE FROM likes WHERE title_id = ?", (b,))
        else:
            moved["likes"] = conn.execute(
                "UPDATE likes SET title_id = ? WHERE title_id = ?", (a, b)
            ).rowcount
        places = conn.execute(
            "SELECT list_id, note FROM list_items WHERE title_id = ?", (b,)
        ).fetchall()
        for list_id, note in places:
            mine = conn.execute(
                "SELECT note FROM list_items WHERE list_id = ? AND title_id = ?", (list_id, a)
            ).fetchone()
            if mine is None:
                conn.execute(
                    "UPDATE list_items SET title_id = ? WHERE list_id = ? AND title_id = ?",
                    (a, list_id, b),
                )
            else:
                if mine[0] is None and note:
                    conn.execute(
                        "UPDATE list_items SET note = ? WHERE list_id = ? AND title_id = ?",
                        (note, list_id, a),
                    )
                _drop_list_place(conn, list_id, b)
        moved["lists"] = len(places)
        releases = conn.execute(
            "SELECT id, type, region FROM releases WHERE title_id = ? AND origin = 'user'", (b,)
        ).fetchall()
        taken = {
            (r[0], r[1])
            for r in conn.execute(
                "SELECT type, region FROM releases WHERE title_id = ? AND origin = 'user'", (a,)
            )
        }
        moved["releases"] = 0
        for release_id, rtype, region in releases:
            if (rtype, region) in taken:
                conn.execute("DELETE FROM releases WHERE id = ?", (release_id,))
            else:
                conn.execute("UPDATE releases SET title_id = ? WHERE id = ?", (a, release_id))
                moved["releases"] += 1
        _refresh_rewatch(conn, a)
        conn.execute("DELETE FROM releases WHERE title_id = ?", (b,))
        conn.execute("DELETE FROM titles WHERE id = ?", (b,))
        reindex_titles(conn, [b])
    return MergeResult(get_title(conn, a), merge, moved, rating_from, status_from)


def _last_recorded(conn: sqlite3.Connection, title_id: str) -> int:
    row = conn.execute(
        "SELECT max(id) FROM status_history WHERE title_id = ?", (title_id,)
    ).fetchone()
    return row[0] or 0


def _refresh_rewatch(conn: sqlite3.Connection, title_id: str) -> None:
    from kwatch.library.records import _refresh_rewatch as refresh

    refresh(conn, title_id)


def _drop_list_place(conn: sqlite3.Connection, list_id: str, title_id: str) -> None:
    """Take a title out of a list, closing the gap in its positions."""
    from kwatch.library.lists import _order, _renumber

    conn.execute("DELETE FROM list_items WHERE list_id = ? AND title_id = ?", (list_id, title_id))
    _renumber(conn, list_id, _order(conn, list_id))
