"""Bulk writes for imports and restores: many rows in a few executemany calls, inside the
caller's transaction, with the same rules as the single-title commands (rules.py).

Each function says what it did through `count(kind, what, n)`, kind one of REPORT_KINDS and
what one of added / updated / unchanged, which is what an import report is made of."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import NamedTuple

from kwatch.journal import insert_many
from kwatch.library.rules import PRIORITY_DEFAULT, completed_since, newer_rating
from kwatch.models import Title

REPORT_KINDS = (
    "titles",
    "entries",
    "viewings",
    "ratings",
    "notes",
    "reviews",
    "tags",
    "releases",
    "lists",
    "likes",
)
Count = Callable[..., None]
# The stable id (m008) of an imported viewing, note or review comes from its import key, so the
# same export imported on two machines gives the same records, which sync then merges; one
# recorded in kwatch gets a random id (the column's default).
IMPORTED_UID = "CASE WHEN ?{0} IS NULL THEN lower(hex(randomblob(16))) ELSE 'import:' || ?{0} END"


class Counts:
    """added / updated / unchanged per kind of thing; call it as count("viewings", "added")."""

    def __init__(self) -> None:
        self.by_kind = {k: {"added": 0, "updated": 0, "unchanged": 0} for k in REPORT_KINDS}

    def __call__(self, kind: str, what: str, n: int = 1) -> None:
        self.by_kind[kind][what] += n


# --- titles and rows that are written as they stream in ---------------------------------------


def add_user_titles(
    conn: sqlite3.Connection,
    titles: list[Title],
    keys: dict[str, list[tuple[str, str]]] | None = None,
) -> None:
    """New user titles (origin custom); their releases are written separately, as the user's."""
    from kwatch.titles import index_titles

    index_titles(conn, titles, write_releases=False, keys=keys)


def add_source_ids(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """(scheme, value, title_id, name, year): how a source names a title. A value already
    known keeps its title (one id is one film)."""
    insert_many(
        conn,
        "source_ids",
        "INSERT OR IGNORE INTO source_ids (scheme, value, title_id, name, year) VALUES (?,?,?,?,?)",
        rows,
    )


def add_likes(conn: sqlite3.Connection, rows: Iterable[tuple[str, str | None]]) -> None:
    """(title_id, liked_on): films the user liked at the source."""
    insert_many(
        conn, "likes", "INSERT OR IGNORE INTO likes (title_id, liked_on) VALUES (?,?)", rows
    )


def add_viewings(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """(title_id, date, precision, rating, note, rewatch, created_on, import_key) rows."""
    insert_many(
        conn,
        "viewings",
        "INSERT INTO viewings (title_id, date, precision, rating, note, rewatch,"
        f" created_on, import_key, uid) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,{IMPORTED_UID.format(8)})",
        rows,
    )


def update_viewings(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """(date, rating, rewatch, id): a viewing edited at the source since the last import."""
    conn.executemany("UPDATE viewings SET date = ?, rating = ?, rewatch = ? WHERE id = ?", rows)


def claim_viewings(conn: sqlite3.Connection, pairs: Iterable[tuple[str, int]]) -> None:
    """(import_key, id): a viewing logged by hand is the imported one; remember its key."""
    conn.executemany("UPDATE viewings SET import_key = ? WHERE id = ?", pairs)


def add_notes(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """(title_id, text, created_on, import_key) rows of private notes."""
    insert_many(
        conn,
        "entry_notes",
        "INSERT INTO entry_notes (title_id, text, created_on, import_key, uid)"
        f" VALUES (?1,?2,?3,?4,{IMPORTED_UID.format(4)})",
        rows,
    )


def update_notes(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """(text, id)."""
    conn.executemany("UPDATE entry_notes SET text = ? WHERE id = ?", rows)


def add_reviews(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """(title_id, text, original, published_on, spoilers, import_key) rows of public reviews."""
    insert_many(
        conn,
        "reviews",
        "INSERT INTO reviews (title_id, text, original, published_on, spoilers, import_key, uid)"
        f" VALUES (?1,?2,?3,?4,?5,?6,{IMPORTED_UID.format(6)})",
        rows,
    )


def update_reviews(conn: sqlite3.Connection, rows: Iterable[tuple]) -> None:
    """(text, original, spoilers, id): a review edited at the source."""
    conn.executemany("UPDATE reviews SET text = ?, original = ?, spoilers = ? WHERE id = ?", rows)


# --- entries from what an import says about each title ----------------------------------------


class Facts(NamedTuple):
    """What one import says about one title, folded over all its files.

    first_viewing: the earliest dated viewing; seen_on: the earliest date the source says it
    was seen or rated (watched.csv, ratings.csv); planned_on: when it joined the watchlist.
    Lists say nothing here: a film only in a list is not in the library."""

    title_id: str
    completed: bool
    planned: bool
    first_viewing: str | None
    seen_on: str | None
    planned_on: str | None
    rating: int | None
    rated_on: str | None
    tags: tuple[str, ...]


def apply_facts(conn: sqlite3.Connection, facts: Iterable[Facts], today: str, count: Count) -> None:
    """Create or update the library entries an import describes.

    New entries: completed when seen (a rating means seen), since the first viewing's date;
    else planned since the day they joined the watchlist; default priority. Existing entries:
    a planned title seen since becomes completed; the newest rating wins; tags are added."""
    entries = {
        r[0]: (r[1], r[2], r[3])
        for r in conn.execute("SELECT title_id, status, rating, rated_on FROM entries")
    }
    have_tags = {(r[0], r[1]) for r in conn.execute("SELECT title_id, tag FROM entry_tags")}
    new_entries, history, status_updates, rating_updates, new_tags = [], [], [], [], []
    for f in facts:
        completed = f.completed or f.rating is not None
        existing = entries.get(f.title_id)
        if existing is None:
            if completed:
                since = completed_since(f.first_viewing, f.seen_on, today)
                added = min(d for d in (since, f.planned_on) if d)
                status = "completed"
            else:
                since = added = f.planned_on or today
                status = "planned"
            rated_on = (f.rated_on or since) if f.rating is not None else None
            new_entries.append((f.title_id, added, status, PRIORITY_DEFAULT, f.rating, rated_on))
            if status == "completed" and f.planned_on and f.planned_on < since:
                history.append((f.title_id, "planned", f.planned_on))
            history.append((f.title_id, status, since))
            count("entries", "added")
            if f.rating is not None:
                count("ratings", "added")
        else:
            old_status, old_rating, old_rated_on = existing
            # A viewing means seen: whatever it was, it is completed now (as `watched` does),
            # since the day it was seen (as `watched` does too), not the day of the import.
            if completed and old_status != "completed":
                status_updates.append(("completed", f.title_id))
                history.append(
                    (f.title_id, "completed", completed_since(f.first_viewing, f.seen_on, today))
                )
                count("entries", "updated")
            else:
                count("entries", "unchanged")
            change = newer_rating(old_rating, old_rated_on, f.rating, f.rated_on)
            if change:
                rating_updates.append((f.rating, f.rated_on or today, f.title_id))
                count("ratings", change)
            elif f.rating is not None:
                count("ratings", "unchanged")
        for tag in sorted(f.tags):
            if (f.title_id, tag) in have_tags:
                count("tags", "unchanged")
            else:
                have_tags.add((f.title_id, tag))
                new_tags.append((f.title_id, tag))
                count("tags", "added")
    insert_many(
        conn,
        "entries",
        "INSERT INTO entries (title_id, added_on, status, priority, rating, rated_on)"
        " VALUES (?,?,?,?,?,?)",
        new_entries,
    )
    conn.executemany("UPDATE entries SET status = ? WHERE title_id = ?", status_updates)
    conn.executemany(
        "UPDATE entries SET rating = ?, rated_on = ? WHERE title_id = ?", rating_updates
    )
    insert_many(
        conn,
        "status_history",
        "INSERT INTO status_history (title_id, status, changed_on) VALUES (?,?,?)",
        history,
    )
    insert_many(conn, "entry_tags", "INSERT INTO entry_tags (title_id, tag) VALUES (?,?)", new_tags)


# --- a whole entry from a kwatch export: restore or merge -------------------------------------


class EntryRecord(NamedTuple):
    """Everything recorded about one title, as a kwatch export holds it."""

    title_id: str
    status: str
    priority: int
    rating: int | None
    rated_on: str | None
    added_on: str
    tags: tuple[str, ...]
    notes: tuple[tuple[str, str, str | None], ...]  # text, created_on, import_key
    # date, precision, rating, note, rewatch, created_on, import_key
    viewings: tuple[tuple[str, str, int | None, str | None, int, str, str | None], ...]
    history: tuple[tuple[str, str], ...]  # status, changed_on
    # text, original, published_on, spoilers, import_key
    reviews: tuple[tuple[str, str | None, str, int, str | None], ...] = ()


def _take(pool: dict, item: object) -> bool:
    """Remove one `item` from a multiset; True if it was there."""
    if pool.get(item, 0) > 0:
        pool[item] -= 1
        return True
    return False


def _multiset(rows: Iterable[tuple]) -> dict[tuple, int]:
    out: dict[tuple, int] = {}
    for row in rows:
        out[row] = out.get(row, 0) + 1
    return out


def merge_entry(conn: sqlite3.Connection, e: EntryRecord, count: Count) -> None:
    """Restore an entry, or merge it into the one the library has: what is already there
    (the same viewing, note, tag or status change) is not added twice; the newest rating wins;
    the export's status wins when its last status change is newer than the library's."""
    c = conn
    tid = e.title_id
    row = c.execute(
        "SELECT status, rating, rated_on FROM entries WHERE title_id = ?", (tid,)
    ).fetchone()
    if row is None:
        c.execute(
            "INSERT INTO entries (title_id, added_on, status, priority, rating, rated_on)"
            " VALUES (?,?,?,?,?,?)",
            (tid, e.added_on, e.status, e.priority, e.rating, e.rated_on),
        )
        count("entries", "added")
        if e.rating is not None:
            count("ratings", "added")
        old_history: dict[tuple, int] = {}
        old_notes: dict[tuple, int] = {}
        old_viewings: dict[tuple, int] = {}
        tags: set[str] = set()
        latest_before = ""
    else:

        def rows(sql: str) -> dict[tuple, int]:
            return _multiset(tuple(r) for r in c.execute(sql, (tid,)))

        old_history = rows("SELECT status, changed_on FROM status_history WHERE title_id = ?")
        latest_before = max((h[1] for h in old_history), default="")
        old_notes = rows("SELECT text, created_on FROM entry_notes WHERE title_id = ?")
        # When a viewing was logged is bookkeeping, not the viewing: the same day, rating,
        # note and rewatch flag from another import of the same history is the same viewing.
        old_viewings = rows(
            "SELECT date, precision, rating, note, rewatch FROM viewings WHERE title_id = ?"
        )
        tags = {r[0] for r in c.execute("SELECT tag FROM entry_tags WHERE title_id = ?", (tid,))}
        change = newer_rating(row["rating"], row["rated_on"], e.rating, e.rated_on)
        if change:
            c.execute(
                "UPDATE entries SET rating = ?, rated_on = ? WHERE title_id = ?",
                (e.rating, e.rated_on, tid),
            )
            count("ratings", change)
        elif e.rating is not None:
            count("ratings", "unchanged")
    for tag in e.tags:
        if tag in tags:
            count("tags", "unchanged")
        else:
            tags.add(tag)
            c.execute("INSERT INTO entry_tags (title_id, tag) VALUES (?,?)", (tid, tag))
            count("tags", "added")
    for text, created_on, key in e.notes:
        known = (
            key is not None
            and c.execute("SELECT 1 FROM entry_notes WHERE import_key = ?", (key,)).fetchone()
        )
        if known or _take(old_notes, (text, created_on)):
            count("notes", "unchanged")
            continue
        add_notes(c, [(tid, text, created_on, key)])
        count("notes", "added")
    for day, precision, rating, note, rewatch, created_on, key in e.viewings:
        known = (
            key is not None
            and c.execute("SELECT 1 FROM viewings WHERE import_key = ?", (key,)).fetchone()
        )
        if known or _take(old_viewings, (day, precision, rating, note, rewatch)):
            count("viewings", "unchanged")
            continue
        add_viewings(c, [(tid, day, precision, rating, note, rewatch, created_on, key)])
        count("viewings", "added")
    if e.reviews:
        old_reviews = _multiset(
            tuple(r)
            # The same words about the same title are the same review, whichever file dated
            # it (Letterboxd's reviews.csv by when it was written, a diary CSV by the viewing).
            for r in c.execute("SELECT text FROM reviews WHERE title_id = ?", (tid,))
        )
        for text, original, published_on, spoilers, key in e.reviews:
            known = (
                key is not None
                and c.execute("SELECT 1 FROM reviews WHERE import_key = ?", (key,)).fetchone()
            )
            if known or _take(old_reviews, (text,)):
                count("reviews", "unchanged")
                continue
            add_reviews(c, [(tid, text, original, published_on, spoilers, key)])
            count("reviews", "added")
    added_history = False
    for status, changed_on in e.history:
        if _take(old_history, (status, changed_on)):
            continue
        c.execute(
            "INSERT INTO status_history (title_id, status, changed_on) VALUES (?,?,?)",
            (tid, status, changed_on),
        )
        added_history = True
    if row is not None:
        latest = max((h[1] for h in e.history), default="")
        if added_history and latest > latest_before and row["status"] != e.status:
            c.execute("UPDATE entries SET status = ? WHERE title_id = ?", (e.status, tid))
            count("entries", "updated")
        else:
            count("entries", "unchanged")


def add_user_releases(conn: sqlite3.Connection, releases: list[tuple], count: Count) -> None:
    """(title_id, date, precision, region, type, note, source) rows; the ones the library has
    already are not added twice."""
    existing = _multiset(
        tuple(r)
        for r in conn.execute(
            "SELECT title_id, date, precision, region, type, note, source FROM releases"
            " WHERE origin = 'user'"
        )
    )
    new = []
    for release in releases:
        if _take(existing, release):
            count("releases", "unchanged")
        else:
            new.append(release)
            count("releases", "added")
    insert_many(
        conn,
        "releases",
        "INSERT INTO releases (title_id, date, precision, region, type, note, source, origin)"
        " VALUES (?,?,?,?,?,?,?, 'user')",
        new,
    )
