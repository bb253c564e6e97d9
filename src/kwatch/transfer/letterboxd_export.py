"""Letterboxd's import format, out: rows Letterboxd's importer reads, and kwatch reads back."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kwatch.errors import InvalidInput
from kwatch.transfer.spreadsheet import safe_cell, star_text, write_csv

if TYPE_CHECKING:
    from kwatch.lists import UserList

LETTERBOXD_ROWS_PER_FILE = 1000
LETTERBOXD_COLUMNS = (
    "Title",
    "Year",
    "Directors",
    "WatchedDate",
    "Rating",
    "Rewatch",
    "Tags",
    "Review",
)


@dataclass(frozen=True)
class LetterboxdRows:
    diary: list[list[str]]  # one row per viewing, plus seen-but-undated titles
    watchlist: list[list[str]]  # planned titles never seen
    skipped: int  # entries Letterboxd has no place for (dropped / on hold and never seen)


def letterboxd_rows(conn: sqlite3.Connection) -> LetterboxdRows:
    """Rows in Letterboxd's import format (Title, Year, Directors, WatchedDate, Rating, Rewatch,
    Tags, Review). Notes go in the Review of the title's last row; the entry's rating goes on
    its last row when that viewing has none of its own."""
    from kwatch.library import load_entries

    ids = [r[0] for r in conn.execute("SELECT title_id FROM entries ORDER BY title_id")]
    diary: list[list[str]] = []
    watchlist: list[list[str]] = []
    skipped = 0
    for entry in load_entries(conn, ids):
        t = entry.title
        base = [t.title, str(t.year or ""), ", ".join(t.directors)]
        tags = ", ".join(entry.tags)
        notes = "\n\n".join(n.text for n in entry.notes)
        if entry.viewings:
            last = len(entry.viewings) - 1
            for i, v in enumerate(entry.viewings):
                rating = v.rating if v.rating is not None or i < last else entry.rating
                review = "\n\n".join(x for x in (v.note, notes if i == last else None) if x)
                watched = v.date if v.precision == "day" else ""
                diary.append(
                    [
                        *base,
                        watched,
                        star_text(rating),
                        "true" if v.rewatch else "false",
                        tags,
                        review,
                    ]
                )
        elif entry.status == "completed" or entry.rating is not None:
            diary.append([*base, "", star_text(entry.rating), "false", tags, notes])
        elif entry.status in ("planned", "watching"):
            watchlist.append([*base, "", "", "", tags, notes])
        else:
            skipped += 1
    return LetterboxdRows(diary, watchlist, skipped)


def write_letterboxd(conn: sqlite3.Connection, folder: Path) -> tuple[list[Path], LetterboxdRows]:
    """Write letterboxd-diary-001.csv... and letterboxd-watchlist-001.csv... (at most 1,000 rows
    each, as Letterboxd's importer prefers) into `folder`; earlier files of ours are replaced."""
    if folder.exists() and not folder.is_dir():
        raise InvalidInput(f"--output {folder} is a file; the Letterboxd export needs a folder.")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot create the folder {folder}: {exc.strerror}.") from None
    rows = letterboxd_rows(conn)
    for old in [*folder.glob("letterboxd-diary-*.csv"), *folder.glob("letterboxd-watchlist-*.csv")]:
        old.unlink()
    written = []
    for name, part in (("diary", rows.diary), ("watchlist", rows.watchlist)):
        for n, start in enumerate(range(0, len(part), LETTERBOXD_ROWS_PER_FILE), start=1):
            path = folder / f"letterboxd-{name}-{n:03d}.csv"
            write_csv(path, LETTERBOXD_COLUMNS, part[start : start + LETTERBOXD_ROWS_PER_FILE])
            written.append(path)
    return written, rows


def letterboxd_ids(conn: sqlite3.Connection) -> dict[str, dict[str, tuple[str, int | None]]]:
    """title_id -> scheme -> (value, the source's year): the id each title goes back out with.
    Of several Letterboxd URIs, the one the source dated (a year-less row's URI is an alias)."""
    out: dict[str, dict[str, tuple[str, int | None]]] = {}
    for tid, scheme, value, year in conn.execute(
        "SELECT title_id, scheme, value, year FROM source_ids"
        " ORDER BY title_id, scheme, year IS NULL, rowid"
    ):
        out.setdefault(tid, {}).setdefault(scheme, (value, year))
    return out


def list_csv(conn: sqlite3.Connection, found: UserList) -> str:
    """A list in the layout of Letterboxd's own list export, which kwatch imports again."""
    import csv
    import io

    ids = letterboxd_ids(conn)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Letterboxd list export v7"])
    writer.writerow(["Date", "Name", "Tags", "URL", "Description"])
    url = (found.source or "").removeprefix("letterboxd:")
    writer.writerow(
        [
            safe_cell(found.created_on),
            safe_cell(found.name),
            safe_cell(", ".join(found.tags)),
            safe_cell(url if url.startswith("http") else ""),
            safe_cell(found.description or ""),
        ]
    )
    writer.writerow([])
    writer.writerow(["Position", "Name", "Year", "URL", "Description"])
    for item in found.items:
        uri, year = ids.get(item.title.id, {}).get("letterboxd", ("", item.title.year))
        writer.writerow(
            [
                item.position,
                safe_cell(item.title.title),
                year if year is not None else item.title.year or "",
                safe_cell(uri),
                safe_cell(item.note or ""),
            ]
        )
    return buffer.getvalue()
