"""Letterboxd's import format, out: rows Letterboxd's importer reads, and kwatch reads back."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kwatch.errors import InvalidInput
from kwatch.transfer.spreadsheet import safe_cell, star_text, write_csv

if TYPE_CHECKING:
    from kwatch.lists import UserList

LETTERBOXD_ROWS_PER_FILE = 1000
# Every column Letterboxd's importer reads (letterboxd.com/about/importing-data), and that
# kwatch's own importer reads back.
LETTERBOXD_COLUMNS = (
    "LetterboxdURI",
    "tmdbID",
    "imdbID",
    "Title",
    "Year",
    "Directors",
    "Rating",
    "Rating10",
    "WatchedDate",
    "Rewatch",
    "Tags",
    "Review",
)


@dataclass(frozen=True)
class LetterboxdRows:
    diary: list[list[str]]  # one row per viewing, plus seen-but-undated titles
    watchlist: list[list[str]]  # planned titles never seen
    skipped: int  # entries Letterboxd has no place for (dropped / on hold and never seen)
    # Viewings whose date Letterboxd cannot hold (a month or a year): written without a date,
    # and listed here so the summary says so.
    undated: list[dict[str, str]] = field(default_factory=list)


def _keys(conn: sqlite3.Connection, table: str) -> dict[int, str]:
    return {
        r[0]: r[1]
        for r in conn.execute(f"SELECT id, import_key FROM {table} WHERE import_key IS NOT NULL")
    }


def _row(
    head: list[str],
    tags: str,
    rating: int | None,
    watched: str,
    rewatch: bool,
    review: str,
) -> list[str]:
    return [
        *head,
        star_text(rating),
        "" if rating is None else str(rating),
        watched,
        "Yes" if rewatch else "",
        tags,
        review,
    ]


def _tmdb_movie(value: str | None) -> str:
    """Letterboxd's tmdbID column: a TMDb movie number. The catalogue writes TMDb ids as
    movie/N or tv/N; Letterboxd has no series, so a tv/ id is left out."""
    kind, _, number = (value or "").partition("/")
    return number if kind == "movie" and number.isdigit() else ""


def letterboxd_rows(conn: sqlite3.Connection) -> LetterboxdRows:
    """Rows in Letterboxd's import format: one per viewing (its own rating only: an unrated
    rewatch stays unrated; Rewatch "Yes" or empty), the title's rating on an undated row when
    no viewing carries it, reviews (their original text) on the viewing they were written for
    or on an undated row; private notes are never written. Title, year and ids are the
    source's (Letterboxd matches on its own year); where the source gave no IMDb or TMDb id,
    the catalogue's, so Letterboxd can match the film by id."""
    from kwatch.library import load_entries

    source = letterboxd_ids(conn)
    viewing_keys, review_keys = _keys(conn, "viewings"), _keys(conn, "reviews")
    ids = [r[0] for r in conn.execute("SELECT title_id FROM entries ORDER BY title_id")]
    out = LetterboxdRows([], [], 0)
    skipped = 0
    for entry in load_entries(conn, ids):
        t = entry.title
        mine = source.get(t.id, {})
        uri, lb_year = mine.get("letterboxd", ("", None))
        year = lb_year if lb_year is not None else t.year
        head = [
            uri,
            mine.get("tmdb", ("", None))[0] or _tmdb_movie(t.ids.get("tmdb")),
            mine.get("imdb", ("", None))[0] or t.ids.get("imdb") or "",
            t.title,
            str(year or ""),
            ", ".join(t.directors),
        ]
        tags = ", ".join(entry.tags)

        def row(rating: int | None, watched: str, rewatch: bool, review: str) -> list[str]:
            return _row(head, tags, rating, watched, rewatch, review)  # noqa: B023 - used now

        # Which viewing each review belongs to: the diary entry it came with, else its day.
        by_viewing: dict[int, list[str]] = {}
        loose: list[str] = []
        by_key = {viewing_keys[v.id]: v.id for v in entry.viewings if v.id in viewing_keys}
        by_day = {v.date: v.id for v in entry.viewings if v.precision == "day"}
        for r in entry.reviews:
            key = review_keys.get(r.id, "")
            vid = by_key.get(key.replace("letterboxd:review:", "letterboxd:", 1)) or by_day.get(
                r.published_on
            )
            (by_viewing.setdefault(vid, []) if vid else loose).append(r.original or r.text)
        latest_rating = None
        for v in entry.viewings:
            if v.precision != "day":
                out.undated.append({"id": t.id, "date": v.date, "precision": v.precision})
            if v.rating is not None:
                latest_rating = v.rating
            review = "\n\n".join(by_viewing.get(v.id, []))
            out.diary.append(
                row(v.rating, v.date if v.precision == "day" else "", v.rewatch, review)
            )
        seen = entry.status == "completed" or entry.rating is not None or entry.viewings
        if (entry.rating is not None and entry.rating != latest_rating) or (
            seen and not entry.viewings
        ):
            out.diary.append(row(entry.rating, "", False, loose.pop(0) if loose else ""))
        for review in loose:
            out.diary.append(row(None, "", False, review))
        if not seen:
            if entry.status in ("planned", "watching"):
                out.watchlist.append(row(None, "", False, ""))
            else:
                skipped += 1
    return LetterboxdRows(out.diary, out.watchlist, skipped, out.undated)


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
