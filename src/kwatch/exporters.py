"""Take history out: kwatch's own JSON (lossless, restorable), Letterboxd's import CSV, a plain
CSV for spreadsheets, and a consistent backup copy of the database.

Pure functions: they take the connection (and `today`), return documents, rows or paths, and
raise KwatchError; the CLI decides where the bytes go.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kwatch import __version__
from kwatch.errors import Conflict, InvalidInput, NotFound
from kwatch.importers import EXPORT_FORMAT, EXPORT_VERSION
from kwatch.values import stars

EXPORT_FORMATS = ("json", "letterboxd", "csv")
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
LETTERBOXD_ROWS_PER_FILE = 1000
CSV_COLUMNS = (
    "id",
    "title",
    "original_title",
    "year",
    "kind",
    "directors",
    "status",
    "priority",
    "rating",
    "rated_on",
    "added_on",
    "tags",
    "viewings",
    "last_viewed",
    "notes",
)
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell as text, with a leading ' if a spreadsheet would otherwise run it as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _rows_by_title(conn: sqlite3.Connection, sql: str) -> dict[str, list[sqlite3.Row]]:
    out: dict[str, list[sqlite3.Row]] = {}
    for row in conn.execute(sql):
        out.setdefault(row["title_id"], []).append(row)
    return out


def _star_text(half_stars: int | None) -> str:
    return "" if half_stars is None else f"{half_stars / 2:g}"


# --------------------------------------------------------------------------------------------
# JSON: everything, restorable by `kwatch import kwatch`


def export_document(conn: sqlite3.Connection, *, today: date) -> dict[str, Any]:
    """The whole library as one versioned document: every title the user touched (their own
    titles in full, catalogue titles for reference), user releases, and per entry its tags,
    notes, viewings, ratings and status history. Ordered so the same library always gives the
    same document."""
    from kwatch.titles import titles_by_ids

    entry_rows = conn.execute("SELECT * FROM entries ORDER BY title_id").fetchall()
    touched = {r["title_id"] for r in entry_rows}
    touched |= {r[0] for r in conn.execute("SELECT id FROM titles WHERE origin = 'custom'")}
    touched |= {r[0] for r in conn.execute("SELECT title_id FROM releases WHERE origin = 'user'")}
    titles = titles_by_ids(conn, sorted(touched))
    title_docs = []
    for tid in sorted(titles):
        doc = titles[tid].to_dict()
        doc.pop("releases")  # catalogue releases come with the catalogue; user ones are below
        title_docs.append(doc)
    releases = [
        {
            "title_id": r["title_id"],
            "date": r["date"],
            "precision": r["precision"],
            "region": r["region"],
            "type": r["type"],
            "note": r["note"],
            "source": r["source"],
        }
        for r in conn.execute(
            "SELECT * FROM releases WHERE origin = 'user' ORDER BY title_id, date = '', date, id"
        )
    ]
    tags = _rows_by_title(conn, "SELECT title_id, tag FROM entry_tags ORDER BY title_id, tag")
    notes = _rows_by_title(conn, "SELECT * FROM entry_notes ORDER BY title_id, id")
    viewings = _rows_by_title(conn, "SELECT * FROM viewings ORDER BY title_id, date, id")
    history = _rows_by_title(conn, "SELECT * FROM status_history ORDER BY title_id, id")
    entries = []
    for e in entry_rows:
        tid = e["title_id"]
        entries.append(
            {
                "title_id": tid,
                "status": e["status"],
                "priority": e["priority"],
                "rating": stars(e["rating"]),
                "rated_on": e["rated_on"],
                "added_on": e["added_on"],
                "tags": [r["tag"] for r in tags.get(tid, [])],
                "notes": [
                    {
                        "text": r["text"],
                        "created_on": r["created_on"],
                        "import_key": r["import_key"],
                    }
                    for r in notes.get(tid, [])
                ],
                "viewings": [
                    {
                        "date": r["date"],
                        "precision": r["precision"],
                        "rating": stars(r["rating"]),
                        "note": r["note"],
                        "rewatch": bool(r["rewatch"]),
                        "created_on": r["created_on"],
                        "import_key": r["import_key"],
                    }
                    for r in viewings.get(tid, [])
                ],
                "status_history": [
                    {"status": r["status"], "changed_on": r["changed_on"]}
                    for r in history.get(tid, [])
                ],
            }
        )
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "kwatch_version": __version__,
        "exported_on": today.isoformat(),
        "titles": title_docs,
        "releases": releases,
        "entries": entries,
    }


# --------------------------------------------------------------------------------------------
# Letterboxd's import format


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
                        _star_text(rating),
                        "true" if v.rewatch else "false",
                        tags,
                        review,
                    ]
                )
        elif entry.status == "completed" or entry.rating is not None:
            diary.append([*base, "", _star_text(entry.rating), "false", tags, notes])
        elif entry.status in ("planned", "watching"):
            watchlist.append([*base, "", "", "", tags, notes])
        else:
            skipped += 1
    return LetterboxdRows(diary, watchlist, skipped)


def _write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> None:
    import csv

    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow([safe_cell(h) for h in header])
            writer.writerows([safe_cell(c) for c in row] for row in rows)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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
            _write_csv(path, LETTERBOXD_COLUMNS, part[start : start + LETTERBOXD_ROWS_PER_FILE])
            written.append(path)
    return written, rows


# --------------------------------------------------------------------------------------------
# CSV for spreadsheets


def csv_rows(conn: sqlite3.Connection) -> list[list[object]]:
    """One row per library entry (everything on the watchlist, seen or not)."""
    from kwatch.library import load_entries

    ids = [r[0] for r in conn.execute("SELECT title_id FROM entries ORDER BY added_on, rowid")]
    out: list[list[object]] = []
    for e in load_entries(conn, ids):
        t = e.title
        out.append(
            [
                t.id,
                t.title,
                t.original_title or "",
                t.year or "",
                t.kind,
                ", ".join(t.directors),
                e.status,
                e.priority,
                _star_text(e.rating),
                e.rated_on or "",
                e.added_on,
                ", ".join(e.tags),
                len(e.viewings),
                e.last_viewed or "",
                "\n\n".join(n.text for n in e.notes),
            ]
        )
    return out


def csv_text(rows: list[list[object]], header: Iterable[str] = CSV_COLUMNS) -> str:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in header])
    writer.writerows([safe_cell(c) for c in row] for row in rows)
    return buffer.getvalue()


def write_text(path: Path, text: str) -> Path:
    """Write a whole file at once: a reader never sees half of it."""
    if path.is_dir():
        raise InvalidInput(f"--output {path} is a folder; give a file name.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        try:
            with tmp.open("w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc.strerror}.") from None
    return path


# --------------------------------------------------------------------------------------------
# Backup


@dataclass(frozen=True)
class BackupResult:
    path: Path
    source: Path
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "source": str(self.source), "bytes": self.bytes}


def default_backup_path(db_path: Path, today: date) -> Path:
    """kwatch-backup-2026-11-22.db next to the database; -2, -3... when that one exists."""
    stem = db_path.stem
    first = db_path.with_name(f"{stem}-backup-{today.isoformat()}.db")
    candidate, n = first, 2
    while candidate.exists():
        candidate = db_path.with_name(f"{stem}-backup-{today.isoformat()}-{n}.db")
        n += 1
    return candidate


def backup_database(
    db_path: Path, target: Path | None, *, today: date, force: bool = False
) -> BackupResult:
    """A consistent copy of the committed database through SQLite's backup API.

    The source is opened read-only and without migrating or syncing the catalogue, so a backup
    never writes to the database. A writer in the middle of a transaction holds only a RESERVED
    lock, so the copy proceeds and holds what was committed before it; while a writer is
    committing (an EXCLUSIVE lock), Python's backup loop waits and retries.
    """
    from kwatch.db import backup_to

    if not db_path.is_file():
        raise NotFound(f"there is no database at {db_path} yet; nothing to back up.")
    if target is None:
        target = default_backup_path(db_path, today)
    elif target.is_dir():
        target = default_backup_path(target / db_path.name, today)
    if target.resolve() == db_path.resolve():
        raise InvalidInput("the backup path is the database itself; choose another path.")
    if target.exists() and not force:
        raise Conflict(f"{target} already exists; choose another path or add --force.")
    from kwatch.db import explain_sqlite_error

    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    # A plain connection, not mode=ro: if a crashed writer left a hot journal, reading must be
    # able to roll it back first. Nothing else is written to the source.
    source = sqlite3.connect(db_path, timeout=30)
    try:
        try:
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            raise explain_sqlite_error(db_path, exc) from None
        try:
            tmp.unlink(missing_ok=True)
            backup_to(source, tmp)
            check = sqlite3.connect(tmp)
            try:
                ok = check.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                check.close()
            if ok != "ok":
                raise InvalidInput(f"the copy failed its integrity check ({ok}); try again.")
            os.replace(tmp, target)
        except (sqlite3.Error, OSError) as exc:
            raise InvalidInput(
                f"cannot write the backup to {target}: {exc}. Choose a writable path."
            ) from None
    finally:
        source.close()
        tmp.unlink(missing_ok=True)
    return BackupResult(target, db_path, target.stat().st_size)
