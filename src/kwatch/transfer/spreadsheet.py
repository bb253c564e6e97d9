"""A CSV for spreadsheets, and the safe writing of any exported file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

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
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection). The
# full-width forms count: spreadsheets in CJK locales fold them to ASCII before parsing, and a
# leading line break is skipped by some, which would expose the "=" after it.
FORMULA_STARTS = (
    "=", "+", "-", "@", "\t", "\r", "\n",
    "\uff1d", "\uff0b", "\uff0d", "\uff20",
)  # fmt: skip


def safe_cell(value: object) -> str:
    """The cell as text, with a leading ' if a spreadsheet would otherwise run it as a formula;
    a value that already looks protected ('-x) gets one more, so that unprotected gives it back."""
    text = "" if value is None else str(value)
    return "'" + text if text.lstrip("'").startswith(FORMULA_STARTS) else text


def unprotected(text: str) -> str:
    """safe_cell undone: a cell kwatch wrote as '-Minus Film reads back as -Minus Film, so an
    export imports again unchanged. Only an apostrophe before a formula start is taken off."""
    protected = text.startswith("'") and text.lstrip("'").startswith(FORMULA_STARTS)
    return text[1:] if protected else text


def star_text(half_stars: int | None) -> str:
    return "" if half_stars is None else f"{half_stars / 2:g}"


def write_csv(path: Path, header: Iterable[str], rows: Iterable[Iterable[object]]) -> Path:
    """A CSV file through the one writer (kwatch.files): atomic and owner-only."""
    from kwatch.files import write_file

    return write_file(path, csv_text([list(r) for r in rows], header).encode("utf-8"))


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
                star_text(e.rating),
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


def write_text(path: str | Path, text: str) -> Path:
    """A text file through the one writer (kwatch.files): atomic and owner-only; "-" and
    folders are the caller's to handle (see kwatch.files.output_target)."""
    from kwatch.files import write_file

    return write_file(path, text.encode("utf-8"))
