"""Correcting what was recorded about a title: its viewings, rating, tags, notes and reviews.

Records are addressed as `kwatch show` lists them: a viewing by its number (1 is the earliest)
or its date, a note or review by its number. Each function checks everything before it
writes, inside one transaction, so a refused change leaves the database as it was; the
journal makes every one undoable."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import NamedTuple

from kwatch.db import transaction
from kwatch.errors import Ambiguous, InvalidInput, NotFound
from kwatch.library.entries import check_viewing_date
from kwatch.library.read import clean_tags, get_entry
from kwatch.models import Entry, Note, Review, Title, Viewing

# "leave as it is" for the optional fields of an edit, apart from None ("clear it").
KEEP = object()


def _numbered(kind: str, items: tuple, number: int, title: Title):
    if not items:
        raise NotFound(f"{title.label} has no {kind}s.")
    if not 1 <= number <= len(items):
        raise NotFound(
            f"{title.label} has no {kind} {number}; it has {len(items)} "
            f"(numbered 1-{len(items)} by `kwatch show {title.id}`)."
            if len(items) > 1
            else f"{title.label} has no {kind} {number}; it has one, number 1."
        )
    return items[number - 1]


def find_viewing(
    entry: Entry, number: int | None = None, on: str | None = None
) -> tuple[int, Viewing]:
    """The viewing `number` (1 is the earliest, as `show` lists them) or the one dated `on`;
    with neither, the title's only viewing. Returns (number, viewing)."""
    title = entry.title
    viewings = entry.viewings
    if number is not None and on is not None:
        raise InvalidInput("give a viewing's number or --on DATE, not both.")
    if number is not None:
        return number, _numbered("viewing", viewings, number, title)
    if not viewings:
        raise NotFound(f"{title.label} has no viewings.")
    if on is None:
        if len(viewings) == 1:
            return 1, viewings[0]
        raise InvalidInput(
            f"{title.label} has {len(viewings)} viewings; say which: its number in "
            f"`kwatch show {title.id}` (1-{len(viewings)}) or --on DATE."
        )
    from kwatch.values import parse_partial_date

    # Read as every date is (ASCII digits, a real calendar date), not compared as typed.
    on, _ = parse_partial_date(on, what="--on")
    matches = [(i, v) for i, v in enumerate(viewings, 1) if v.date == on]
    if not matches:
        dates = ", ".join(v.date for v in viewings)
        raise NotFound(f"{title.label} has no viewing on {on}; its viewings: {dates}.")
    if len(matches) > 1:
        numbers = ", ".join(str(i) for i, _ in matches)
        raise Ambiguous(
            f"{title.label} has {len(matches)} viewings on {on} (numbers {numbers}); "
            "give the number instead."
        )
    return matches[0]


def _refresh_rewatch(conn: sqlite3.Connection, title_id: str) -> None:
    """The first viewing by date is the first watch; every later one is a rewatch."""
    rows = conn.execute(
        "SELECT id, rewatch FROM viewings WHERE title_id = ? ORDER BY date, id", (title_id,)
    ).fetchall()
    for position, row in enumerate(rows):
        flag = int(position > 0)
        if row["rewatch"] != flag:
            conn.execute("UPDATE viewings SET rewatch = ? WHERE id = ?", (flag, row["id"]))


class ViewingChange(NamedTuple):
    entry: Entry
    number: int
    before: Viewing
    after: Viewing | None  # None: deleted
    rating_followed: bool  # the title's rating was this viewing's and changed with it
    number_before: int = 0  # its number before the change (a new date can move it)


def delete_viewing(
    conn: sqlite3.Connection, title: Title, *, number: int | None = None, on: str | None = None
) -> ViewingChange:
    """Delete one viewing. The title's status and rating stay as they are."""
    entry = get_entry(conn, title.id)
    position, viewing = find_viewing(entry, number, on)
    with transaction(conn):
        conn.execute("DELETE FROM viewings WHERE id = ?", (viewing.id,))
        _refresh_rewatch(conn, title.id)
    return ViewingChange(get_entry(conn, title.id), position, viewing, None, False, position)


def edit_viewing(
    conn: sqlite3.Connection,
    title: Title,
    number: int | None,
    *,
    on: str | None = None,
    new_date: tuple[str, str] | None = None,
    rating: int | object | None = KEEP,
    note: str | object | None = KEEP,
    force: bool = False,
) -> ViewingChange:
    """Change a viewing's date (and precision), rating or note. When the title's rating is
    this viewing's (the same value, and no later viewing is rated), it follows the edit."""
    entry = get_entry(conn, title.id)
    position, viewing = find_viewing(entry, number, on)
    if new_date is None and rating is KEEP and note is KEEP:
        raise InvalidInput("nothing to change: give --on, --precision, --rating or --note.")
    when, precision = new_date or (viewing.date, viewing.precision)
    if new_date is not None:
        check_viewing_date(title, when, precision, force=force)
    new_rating = viewing.rating if rating is KEEP else rating
    new_note = viewing.note if note is KEEP else (note or None)
    later_rated = [
        v for v in entry.viewings[position:] if v.rating is not None and v.id != viewing.id
    ]
    follows = (
        rating is not KEEP
        and viewing.rating is not None
        and entry.rating == viewing.rating
        and not later_rated
        and new_rating != viewing.rating
    )
    with transaction(conn):
        conn.execute(
            "UPDATE viewings SET date = ?, precision = ?, rating = ?, note = ? WHERE id = ?",
            (when, precision, new_rating, new_note, viewing.id),
        )
        _refresh_rewatch(conn, title.id)
        if follows:
            conn.execute("UPDATE entries SET rating = ? WHERE title_id = ?", (new_rating, title.id))
    after = get_entry(conn, title.id)
    edited = next(v for v in after.viewings if v.id == viewing.id)
    number_now = after.viewings.index(edited) + 1
    return ViewingChange(after, number_now, viewing, edited, follows, position)


class RatingChange(NamedTuple):
    entry: Entry
    before: int | None  # half stars; None: it had no rating (nothing changed)


def clear_rating(conn: sqlite3.Connection, title: Title) -> RatingChange:
    """Take away the title's rating (its viewings keep theirs, as a diary does)."""
    entry = get_entry(conn, title.id)
    if entry.rating is not None:
        with transaction(conn):
            conn.execute(
                "UPDATE entries SET rating = NULL, rated_on = NULL WHERE title_id = ?",
                (title.id,),
            )
    return RatingChange(get_entry(conn, title.id), entry.rating)


class TagChange(NamedTuple):
    entry: Entry
    changed: list[str]  # added or removed
    unchanged: list[str]  # already there (add) or not there (remove)


def add_tags(conn: sqlite3.Connection, title: Title, tags: list[str]) -> TagChange:
    entry = get_entry(conn, title.id)
    wanted = clean_tags(tags)
    if not wanted:
        raise InvalidInput("give at least one tag.")
    new = [t for t in wanted if t not in entry.tags]
    with transaction(conn):
        conn.executemany(
            "INSERT INTO entry_tags (title_id, tag) VALUES (?,?)", [(title.id, t) for t in new]
        )
    return TagChange(get_entry(conn, title.id), new, [t for t in wanted if t in entry.tags])


def remove_tags(conn: sqlite3.Connection, title: Title, tags: list[str]) -> TagChange:
    """Remove tags; naming a tag the title does not have is refused when none of the named
    ones are there (probably a typo), and reported otherwise."""
    entry = get_entry(conn, title.id)
    wanted = clean_tags(tags)
    if not wanted:
        raise InvalidInput("give at least one tag.")
    there = [t for t in wanted if t in entry.tags]
    if not there:
        have = ", ".join(entry.tags) if entry.tags else "none"
        raise NotFound(f"{title.label} has no tag {', '.join(wanted)}; its tags: {have}.")
    with transaction(conn):
        conn.executemany(
            "DELETE FROM entry_tags WHERE title_id = ? AND tag = ?", [(title.id, t) for t in there]
        )
    return TagChange(get_entry(conn, title.id), there, [t for t in wanted if t not in there])


class NoteChange(NamedTuple):
    entry: Entry
    number: int
    before: Note | Review | None  # None: added
    after: Note | Review | None  # None: deleted


def _text(text: str, kind: str, title: Title, number: int) -> str:
    if not text.strip():
        raise InvalidInput(
            f"the new text is empty; to delete the {kind}: "
            f"kwatch {kind} delete {title.id} {number}."
        )
    return text


def add_note(conn: sqlite3.Connection, title: Title, text: str, *, today: date) -> NoteChange:
    get_entry(conn, title.id)
    if not text.strip():
        raise InvalidInput("the note is empty; give its text.")
    with transaction(conn):
        conn.execute(
            "INSERT INTO entry_notes (title_id, text, created_on) VALUES (?,?,?)",
            (title.id, text, today.isoformat()),
        )
    after = get_entry(conn, title.id)
    return NoteChange(after, len(after.notes), None, after.notes[-1])


def edit_note(conn: sqlite3.Connection, title: Title, number: int, text: str) -> NoteChange:
    entry = get_entry(conn, title.id)
    note = _numbered("note", entry.notes, number, title)
    text = _text(text, "note", title, number)
    with transaction(conn):
        conn.execute("UPDATE entry_notes SET text = ? WHERE id = ?", (text, note.id))
    after = get_entry(conn, title.id)
    return NoteChange(after, number, note, after.notes[number - 1])


def delete_note(conn: sqlite3.Connection, title: Title, number: int) -> NoteChange:
    entry = get_entry(conn, title.id)
    note = _numbered("note", entry.notes, number, title)
    with transaction(conn):
        conn.execute("DELETE FROM entry_notes WHERE id = ?", (note.id,))
    return NoteChange(get_entry(conn, title.id), number, note, None)


def edit_review(
    conn: sqlite3.Connection,
    title: Title,
    number: int,
    *,
    text: str | None = None,
    spoilers: bool | None = None,
) -> NoteChange:
    """Change a review's text or its spoiler flag. The edited text is its original from now
    on (what an export writes back out)."""
    entry = get_entry(conn, title.id)
    review = _numbered("review", entry.reviews, number, title)
    if text is None and spoilers is None:
        raise InvalidInput("nothing to change: give the new TEXT, --spoilers or --no-spoilers.")
    new_text = review.text if text is None else _text(text, "review", title, number)
    original = review.original if text is None else new_text
    flag = review.spoilers if spoilers is None else spoilers
    with transaction(conn):
        conn.execute(
            "UPDATE reviews SET text = ?, original = ?, spoilers = ? WHERE id = ?",
            (new_text, original, int(flag), review.id),
        )
    after = get_entry(conn, title.id)
    return NoteChange(after, number, review, next(r for r in after.reviews if r.id == review.id))


def delete_review(conn: sqlite3.Connection, title: Title, number: int) -> NoteChange:
    entry = get_entry(conn, title.id)
    review = _numbered("review", entry.reviews, number, title)
    with transaction(conn):
        conn.execute("DELETE FROM reviews WHERE id = ?", (review.id,))
    return NoteChange(get_entry(conn, title.id), number, review, None)
