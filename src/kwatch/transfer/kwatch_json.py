"""kwatch's own JSON export: writing it, reading and checking it, restoring or merging it."""

from __future__ import annotations

import json
import re
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
from kwatch.library.rules import PRIORITY_DEFAULT
from kwatch.models import Title
from kwatch.transfer import EXPORT_FORMAT, EXPORT_VERSION
from kwatch.transfer.engine import in_transaction
from kwatch.transfer.fields import DAY
from kwatch.transfer.report import REJECTED_LISTED, FileUsed, ImportReport, Rejected, RowError
from kwatch.values import KINDS, PRECISIONS, STATUSES, half_stars, stars


def load_kwatch_export(path: Path) -> dict[str, Any]:
    """Read and check the top of a kwatch JSON export; items are checked one by one later."""
    if not path.exists():
        raise InvalidInput(f"{path} does not exist; give a file made by `kwatch export`.")
    if path.is_dir():
        raise InvalidInput(f"{path} is a folder; give the JSON file made by `kwatch export`.")
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


def _check(ok: bool, reason: str) -> None:
    if not ok:
        raise RowError(reason)


def _is_day(value: object) -> bool:
    if not isinstance(value, str) or not DAY.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _opt_str(value: object) -> bool:
    return value is None or isinstance(value, str)


def _str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _half_stars(value: object, what: str) -> int | None:
    if value is None:
        return None
    _check(
        isinstance(value, int | float) and not isinstance(value, bool),
        f"{what} {value!r} is not a number",
    )
    halves = half_stars(float(value), 5)  # type: ignore[arg-type]
    _check(halves is not None, f"{what} {value!r} is out of range: 0.5 to 5 in half stars")
    return halves


def _title_from_export(item: object) -> Title:
    _check(isinstance(item, dict), "a title must be a JSON object")
    assert isinstance(item, dict)
    _check(isinstance(item.get("id"), str) and item["id"].strip() != "", "title has no id")
    _check(
        isinstance(item.get("title"), str) and item["title"].strip() != "",
        f"title {item.get('id')!r} has no title",
    )
    year = item.get("year")
    _check(
        year is None or (isinstance(year, int) and not isinstance(year, bool)),
        f"title {item['id']!r}: year {year!r} is not a year",
    )
    for key in ("alt_titles", "directors", "themes", "content_notes", "sources"):
        _check(_str_list(item.get(key, [])), f"title {item['id']!r}: {key} must be a list of text")
    for key in ("original_title", "romanized_title", "synopsis"):
        _check(_opt_str(item.get(key)), f"title {item['id']!r}: {key} must be text")
    kind = item.get("kind", "film")
    _check(kind in KINDS, f"title {item['id']!r}: kind {kind!r} is not one of {', '.join(KINDS)}")
    runtime = item.get("runtime_min")
    _check(
        runtime is None or (isinstance(runtime, int) and not isinstance(runtime, bool)),
        f"title {item['id']!r}: runtime_min must be a whole number",
    )
    missing = item.get("missing", {})
    _check(isinstance(missing, dict), f"title {item['id']!r}: missing must be an object")
    return Title(
        id=item["id"],
        title=item["title"],
        origin="custom",
        alt_titles=tuple(item.get("alt_titles", ())),
        original_title=item.get("original_title"),
        romanized_title=item.get("romanized_title"),
        year=year,
        kind=kind,
        directors=tuple(item.get("directors", ())),
        runtime_min=runtime,
        themes=tuple(item.get("themes", ())),
        content_notes=tuple(item.get("content_notes", ())),
        synopsis=item.get("synopsis"),
        sources=tuple(item.get("sources", ())),
        missing=dict(missing),
    )


def _check_partial(value: object, precision: object, what: str) -> None:
    _check(
        precision in PRECISIONS,
        f"{what} precision {precision!r} is not one of {', '.join(PRECISIONS)}",
    )
    _check(isinstance(value, str), f"{what} must be text")
    assert isinstance(value, str)
    if precision == "unknown":
        return
    pattern = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}[
        str(precision)
    ]
    _check(
        re.fullmatch(pattern, value) is not None,
        f"{what} {value!r} does not match its precision {precision}",
    )
    if precision == "day":
        _check(_is_day(value), f"{what} {value!r} is not a real date")


def _entry_from_export(item: object) -> EntryRecord:
    _check(isinstance(item, dict), "an entry must be a JSON object")
    assert isinstance(item, dict)
    tid = item.get("title_id")
    _check(isinstance(tid, str) and tid.strip() != "", "entry has no title_id")
    status = item.get("status")
    _check(status in STATUSES, f"{tid}: status {status!r} is not one of {', '.join(STATUSES)}")
    priority = item.get("priority", PRIORITY_DEFAULT)
    _check(
        isinstance(priority, int) and not isinstance(priority, bool) and 1 <= priority <= 5,
        f"{tid}: priority {priority!r} is not 1-5",
    )
    rating = _half_stars(item.get("rating"), f"{tid}: rating")
    rated_on = item.get("rated_on")
    _check(rated_on is None or _is_day(rated_on), f"{tid}: rated_on {rated_on!r} is not a date")
    _check(_is_day(item.get("added_on")), f"{tid}: added_on {item.get('added_on')!r} is not a date")
    _check(_str_list(item.get("tags", [])), f"{tid}: tags must be a list of text")
    for key in ("notes", "viewings", "status_history"):
        _check(isinstance(item.get(key, []), list), f"{tid}: {key} must be a list")
    notes = []
    for note in item.get("notes", []):
        _check(
            isinstance(note, dict) and isinstance(note.get("text"), str),
            f"{tid}: a note has no text",
        )
        _check(_is_day(note.get("created_on")), f"{tid}: a note's created_on is not a date")
        _check(_opt_str(note.get("import_key")), f"{tid}: a note's import_key must be text")
        notes.append((note["text"], note["created_on"], note.get("import_key")))
    viewings = []
    for v in item.get("viewings", []):
        _check(isinstance(v, dict), f"{tid}: a viewing must be a JSON object")
        _check_partial(v.get("date"), v.get("precision"), f"{tid}: viewing date")
        _check(_is_day(v.get("created_on")), f"{tid}: a viewing's created_on is not a date")
        _check(_opt_str(v.get("note")), f"{tid}: a viewing's note must be text")
        _check(_opt_str(v.get("import_key")), f"{tid}: a viewing's import_key must be text")
        _check(isinstance(v.get("rewatch", False), bool), f"{tid}: rewatch must be true/false")
        viewings.append(
            (
                v["date"],
                v["precision"],
                _half_stars(v.get("rating"), f"{tid}: viewing rating"),
                v.get("note"),
                int(v.get("rewatch", False)),
                v["created_on"],
                v.get("import_key"),
            )
        )
    reviews = []
    _check(isinstance(item.get("reviews", []), list), f"{tid}: reviews must be a list")
    for r in item.get("reviews", []):
        _check(
            isinstance(r, dict) and isinstance(r.get("text"), str),
            f"{tid}: a review has no text",
        )
        _check(_is_day(r.get("published_on")), f"{tid}: a review's published_on is not a date")
        _check(_opt_str(r.get("original")), f"{tid}: a review's original must be text")
        _check(_opt_str(r.get("import_key")), f"{tid}: a review's import_key must be text")
        _check(isinstance(r.get("spoilers", False), bool), f"{tid}: spoilers must be true/false")
        reviews.append(
            (
                r["text"],
                r.get("original"),
                r["published_on"],
                int(r.get("spoilers", False)),
                r.get("import_key"),
            )
        )
    history = []
    for h in item.get("status_history", []):
        _check(
            isinstance(h, dict) and h.get("status") in STATUSES and _is_day(h.get("changed_on")),
            f"{tid}: a status_history item needs a status and a changed_on date",
        )
        history.append((h["status"], h["changed_on"]))
    return EntryRecord(
        title_id=tid,
        status=status,
        priority=priority,
        rating=rating,
        rated_on=rated_on,
        added_on=item["added_on"],
        tags=tuple(item.get("tags", [])),
        notes=tuple(notes),
        viewings=tuple(viewings),
        history=tuple(history),
        reviews=tuple(reviews),
    )


_RELEASE_TYPES = ("festival", "theatrical", "streaming", "tv")


def _release_from_export(item: object) -> tuple:
    _check(isinstance(item, dict), "a release must be a JSON object")
    assert isinstance(item, dict)
    tid = item.get("title_id")
    _check(isinstance(tid, str) and tid != "", "release has no title_id")
    _check_partial(item.get("date") or "", item.get("precision"), f"{tid}: release date")
    _check(
        item.get("type") in _RELEASE_TYPES,
        f"{tid}: release type {item.get('type')!r} is not one of {', '.join(_RELEASE_TYPES)}",
    )
    region = item.get("region", "KR")
    _check(
        isinstance(region, str) and re.fullmatch(r"[A-Z]{2}", region) is not None,
        f"{tid}: release region {region!r} is not a two-letter code",
    )
    _check(
        _opt_str(item.get("note")) and _opt_str(item.get("source")),
        f"{tid}: release note and source must be text",
    )
    return (
        tid,
        item.get("date") or "",
        item["precision"],
        region,
        item["type"],
        item.get("note"),
        item.get("source"),
    )


def _source_ids_from_export(
    doc: dict[str, Any], origins: dict[str, str], rejected: list[Rejected], name: str
) -> list[tuple]:
    out = []
    for n, item in enumerate(doc.get("source_ids", []), start=1):
        ok = (
            isinstance(item, dict)
            and all(isinstance(item.get(k), str) for k in ("scheme", "value", "title_id"))
            and _opt_str(item.get("name"))
            and (item.get("year") is None or isinstance(item.get("year"), int))
        )
        if not ok:
            rejected.append(Rejected(name, n, f"source id {n}: needs scheme, value, title_id"))
        elif item["title_id"] in origins:
            out.append(
                (
                    item["scheme"],
                    item["value"],
                    item["title_id"],
                    item.get("name"),
                    item.get("year"),
                )
            )
    return out


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
                title = _title_from_export(item)
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
                entry = _entry_from_export(item)
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
                release = _release_from_export(item)
            except RowError as exc:
                rejected.append(Rejected(name, n, f"release {n}: {exc}"))
                continue
            releases.append(release)
        add_user_releases(c, releases, count)

        for entry in entries:
            merge_entry(c, entry, count)
        add_source_ids(c, _source_ids_from_export(doc, origins, rejected, name))
        from kwatch.library.lists import save_imported_lists

        save_imported_lists(c, _lists_from_export(doc, origins, rejected, name), count)
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
    notes = _rows_by_title(conn, "SELECT * FROM entry_notes ORDER BY title_id, id")
    viewings = _rows_by_title(conn, "SELECT * FROM viewings ORDER BY title_id, date, id")
    history = _rows_by_title(conn, "SELECT * FROM status_history ORDER BY title_id, id")
    reviews = _rows_by_title(conn, "SELECT * FROM reviews ORDER BY title_id, published_on, id")
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


def _lists_from_export(
    doc: dict[str, Any], origins: dict[str, str], rejected: list[Rejected], name: str
) -> list[Any]:
    from kwatch.library.lists import ImportedList

    out = []
    for n, item in enumerate(doc.get("lists", []), start=1):
        try:
            _check(isinstance(item, dict), "a list must be a JSON object")
            _check(isinstance(item.get("id"), str) and item["id"] != "", "a list has no id")
            _check(isinstance(item.get("name"), str) and item["name"] != "", "a list has no name")
            _check(_opt_str(item.get("description")), "a list's description must be text")
            _check(_str_list(item.get("tags", [])), "a list's tags must be a list of text")
            _check(_is_day(item.get("created_on")), "a list's created_on is not a date")
            _check(isinstance(item.get("items", []), list), "a list's items must be a list")
            items = []
            for it in item.get("items", []):
                _check(
                    isinstance(it, dict)
                    and isinstance(it.get("position"), int)
                    and it.get("title_id") in origins
                    and _opt_str(it.get("note")),
                    f"list {item['id']}: an item needs a position and a known title_id",
                )
                items.append((it["position"], it["title_id"], it.get("note")))
        except RowError as exc:
            rejected.append(Rejected(name, n, f"list {n}: {exc}"))
            continue
        out.append(
            ImportedList(
                name=item["name"],
                description=item.get("description"),
                ranked=bool(item.get("ranked", False)),
                tags=tuple(item.get("tags", [])),
                created_on=item["created_on"],
                source=item.get("source"),
                items=tuple(items),
                id=item["id"],
            )
        )
    return out
