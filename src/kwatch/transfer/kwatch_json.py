"""kwatch's own JSON export: writing it, reading and checking it, restoring or merging it."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from kwatch import __version__
from kwatch.errors import InvalidInput
from kwatch.library.bulk import (
    Counts,
    EntryRecord,
    add_likes,
    add_source_ids,
    add_user_releases,
    add_user_titles,
    merge_entry,
)
from kwatch.models import Title
from kwatch.transfer import EXPORT_FORMAT, EXPORT_VERSION
from kwatch.transfer.engine import in_transaction
from kwatch.transfer.kwatch_json_items import (
    entry_from_export,
    lists_from_export,
    release_from_export,
    source_ids_from_export,
    title_from_export,
)
from kwatch.transfer.report import REJECTED_LISTED, FileUsed, ImportReport, Rejected, RowError
from kwatch.values import stars


def load_kwatch_export(path: Path) -> dict[str, Any]:
    """Read and check the top of a kwatch JSON export; items are checked one by one later."""
    from kwatch.transfer.sources import require_regular_file

    if not path.exists():
        raise InvalidInput(f"{path} does not exist; give a file made by `kwatch export`.")
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give the JSON file made by `kwatch export`.")
    require_regular_file(path)
    try:
        with path.open("rb") as fh:
            raw = fh.read()
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInput(f"{path} is not UTF-8 text; it is not a kwatch export.") from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "it is not a kwatch export."
        ) from None
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}.") from None
    except RecursionError:
        raise InvalidInput(
            f"{path} is nested too deeply to be a kwatch export; nothing was imported."
        ) from None
    if not isinstance(doc, dict) or doc.get("format") != EXPORT_FORMAT:
        raise InvalidInput(
            f"{path} is not a kwatch export: expected a JSON object with "
            f'"format": "{EXPORT_FORMAT}" (made by `kwatch export --format json`).'
        )
    version = doc.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InvalidInput(f'{path} has no export "version"; it is not a kwatch export.')
    if version > EXPORT_VERSION:
        raise InvalidInput(
            f"{path} is export version {version}, made by a newer kwatch; this kwatch reads "
            f"version {EXPORT_VERSION}. Upgrade kwatch to import it."
        )
    for key in ("titles", "entries", "releases", "source_ids", "lists", "likes"):
        if not isinstance(doc.get(key, []), list):
            raise InvalidInput(f'{path}: "{key}" must be a list; it is not a kwatch export.')
    return doc


def import_kwatch(
    conn: sqlite3.Connection,
    path: Path,
    *,
    today: date,
    dry_run: bool = False,
    doc: dict[str, Any] | None = None,
) -> ImportReport:
    """Restore a kwatch JSON export. Into an empty database it recreates the library exactly
    (exporting again gives the same document); into a library it merges: what is already
    there (the same viewing, note, tag or status change) is not added twice."""
    doc = doc if doc is not None else load_kwatch_export(path)
    name = path.name

    def work() -> ImportReport:
        count = Counts()
        rejected: list[Rejected] = []
        warnings: list[str] = []
        c = conn
        origins = {r[0]: r[1] for r in c.execute("SELECT id, origin FROM titles")}
        doc_titles: dict[str, Title] = {}
        new_titles: list[Title] = []
        for n, item in enumerate(doc.get("titles", []), start=1):
            try:
                title = title_from_export(item)
            except RowError as exc:
                rejected.append(Rejected(name, n, f"title {n}: {exc}"))
                continue
            doc_titles[title.id] = title
            if item.get("origin") != "custom":
                continue  # catalogue titles come from the catalogue
            if title.id in origins:
                count("titles", "unchanged")
            else:
                new_titles.append(title)
                origins[title.id] = "custom"
                count("titles", "added")

        entries: list[EntryRecord] = []
        for n, item in enumerate(doc.get("entries", []), start=1):
            try:
                entry = entry_from_export(item)
                if entry.title_id not in origins:
                    if entry.title_id not in doc_titles:
                        raise RowError(
                            f"{entry.title_id} is neither in the catalogue nor in the file's titles"
                        )
                    # A title from a catalogue file this machine does not have: keep it as the
                    # user's own title rather than lose the records.
                    new_titles.append(doc_titles[entry.title_id])
                    origins[entry.title_id] = "custom"
                    count("titles", "added")
                    warnings.append(
                        f"{entry.title_id} is not in this catalogue; kept it as your own title."
                    )
                entries.append(entry)
            except RowError as exc:
                rejected.append(Rejected(name, n, f"entry {n}: {exc}"))
        add_user_titles(c, new_titles)

        releases = []
        for n, item in enumerate(doc.get("releases", []), start=1):
            try:
                release = release_from_export(item)
            except RowError as exc:
                rejected.append(Rejected(name, n, f"release {n}: {exc}"))
                continue
            releases.append(release)
        add_user_releases(c, releases, count)

        for entry in entries:
            merge_entry(c, entry, count)
        add_source_ids(c, source_ids_from_export(doc, origins, rejected, name))
        from kwatch.library.lists import save_imported_lists

        save_imported_lists(c, lists_from_export(doc, origins, rejected, name), count)
        likes = [
            (x["title_id"], x.get("liked_on"))
            for x in doc.get("likes", [])
            if isinstance(x, dict) and x.get("title_id") in origins
        ]
        have = {r[0] for r in c.execute("SELECT title_id FROM likes")}
        count("likes", "added", len({t for t, _ in likes} - have))
        count("likes", "unchanged", len({t for t, _ in likes} & have))
        add_likes(c, likes)
        return ImportReport(
            source="kwatch",
            path=str(path),
            dry_run=dry_run,
            counts=count.by_kind,
            matched=sum(1 for e in entries if origins.get(e.title_id) != "custom"),
            rejected=tuple(rejected[:REJECTED_LISTED]),
            rejected_count=len(rejected),
            files=(FileUsed(name, "kwatch-export", len(doc.get("entries", []))),),
            warnings=tuple(warnings),
        )

    return in_transaction(conn, dry_run, work)


def _rows_by_title(conn: sqlite3.Connection, sql: str) -> dict[str, list[sqlite3.Row]]:
    out: dict[str, list[sqlite3.Row]] = {}
    for row in conn.execute(sql):
        out.setdefault(row["title_id"], []).append(row)
    return out


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
    touched |= {r[0] for r in conn.execute("SELECT title_id FROM list_items")}
    touched |= {r[0] for r in conn.execute("SELECT title_id FROM likes")}
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
    # Ordered by what the records say, never by local row numbers: two machines that synced
    # hold the same records under different numbers and must export the same document.
    notes = _rows_by_title(
        conn, "SELECT * FROM entry_notes ORDER BY title_id, created_on, text, import_key"
    )
    viewings = _rows_by_title(
        conn,
        "SELECT * FROM viewings ORDER BY title_id, date, precision, rewatch, rating, note,"
        " created_on, import_key",
    )
    history = _rows_by_title(
        conn, "SELECT * FROM status_history ORDER BY title_id, changed_on, status"
    )
    reviews = _rows_by_title(
        conn,
        "SELECT * FROM reviews ORDER BY title_id, published_on, text, original, spoilers,"
        " import_key",
    )
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
                "reviews": [
                    {
                        "text": r["text"],
                        "original": r["original"],
                        "published_on": r["published_on"],
                        "spoilers": bool(r["spoilers"]),
                        "import_key": r["import_key"],
                    }
                    for r in reviews.get(tid, [])
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
        "source_ids": [
            {
                "scheme": r["scheme"],
                "value": r["value"],
                "title_id": r["title_id"],
                "name": r["name"],
                "year": r["year"],
            }
            for r in conn.execute("SELECT * FROM source_ids ORDER BY title_id, scheme, value")
        ],
        "likes": [
            {"title_id": r[0], "liked_on": r[1]}
            for r in conn.execute("SELECT title_id, liked_on FROM likes ORDER BY title_id")
        ],
        "lists": _lists_doc(conn),
    }


def _lists_doc(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    items = _rows_by_title(
        conn,
        "SELECT list_id AS title_id, position, title_id AS tid, note FROM list_items"
        " ORDER BY list_id, position",
    )
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "description": r["description"],
            "ranked": bool(r["ranked"]),
            "tags": json.loads(r["tags"]),
            "created_on": r["created_on"],
            "source": r["source"],
            "items": [
                {"position": i["position"], "title_id": i["tid"], "note": i["note"]}
                for i in items.get(r["id"], [])
            ],
        }
        for r in conn.execute("SELECT * FROM lists ORDER BY id")
    ]
