"""Checking each item of a kwatch JSON export (titles, entries, releases, source ids,
lists) before anything is written: a bad item is rejected with its reason, the rest goes on."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from kwatch.library.bulk import EntryRecord
from kwatch.library.rules import PRIORITY_DEFAULT
from kwatch.models import Title
from kwatch.transfer.fields import DAY
from kwatch.transfer.report import Rejected, RowError
from kwatch.values import KINDS, PRECISIONS, STATUSES, half_stars


def check(ok: bool, reason: str) -> None:
    if not ok:
        raise RowError(reason)


def is_day(value: object) -> bool:
    if not isinstance(value, str) or not DAY.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def opt_str(value: object) -> bool:
    return value is None or isinstance(value, str)


def str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def rating_value(value: object, what: str) -> int | None:
    if value is None:
        return None
    check(
        isinstance(value, int | float) and not isinstance(value, bool),
        f"{what} {value!r} is not a number",
    )
    halves = half_stars(float(value), 5)  # type: ignore[arg-type]
    check(halves is not None, f"{what} {value!r} is out of range: 0.5 to 5 in half stars")
    return halves


def title_from_export(item: object) -> Title:
    check(isinstance(item, dict), "a title must be a JSON object")
    assert isinstance(item, dict)
    check(isinstance(item.get("id"), str) and item["id"].strip() != "", "title has no id")
    check(
        isinstance(item.get("title"), str) and item["title"].strip() != "",
        f"title {item.get('id')!r} has no title",
    )
    year = item.get("year")
    check(
        year is None or (isinstance(year, int) and not isinstance(year, bool)),
        f"title {item['id']!r}: year {year!r} is not a year",
    )
    for key in ("alt_titles", "directors", "themes", "content_notes", "sources"):
        check(str_list(item.get(key, [])), f"title {item['id']!r}: {key} must be a list of text")
    for key in ("original_title", "romanized_title", "synopsis"):
        check(opt_str(item.get(key)), f"title {item['id']!r}: {key} must be text")
    kind = item.get("kind", "film")
    check(kind in KINDS, f"title {item['id']!r}: kind {kind!r} is not one of {', '.join(KINDS)}")
    runtime = item.get("runtime_min")
    check(
        runtime is None or (isinstance(runtime, int) and not isinstance(runtime, bool)),
        f"title {item['id']!r}: runtime_min must be a whole number",
    )
    missing = item.get("missing", {})
    check(isinstance(missing, dict), f"title {item['id']!r}: missing must be an object")
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


def check_partial(value: object, precision: object, what: str) -> None:
    check(
        precision in PRECISIONS,
        f"{what} precision {precision!r} is not one of {', '.join(PRECISIONS)}",
    )
    check(isinstance(value, str), f"{what} must be text")
    assert isinstance(value, str)
    if precision == "unknown":
        return
    pattern = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}[
        str(precision)
    ]
    check(
        re.fullmatch(pattern, value) is not None,
        f"{what} {value!r} does not match its precision {precision}",
    )
    if precision == "day":
        check(is_day(value), f"{what} {value!r} is not a real date")


def entry_from_export(item: object) -> EntryRecord:
    check(isinstance(item, dict), "an entry must be a JSON object")
    assert isinstance(item, dict)
    tid = item.get("title_id")
    check(isinstance(tid, str) and tid.strip() != "", "entry has no title_id")
    status = item.get("status")
    check(status in STATUSES, f"{tid}: status {status!r} is not one of {', '.join(STATUSES)}")
    priority = item.get("priority", PRIORITY_DEFAULT)
    check(
        isinstance(priority, int) and not isinstance(priority, bool) and 1 <= priority <= 5,
        f"{tid}: priority {priority!r} is not 1-5",
    )
    rating = rating_value(item.get("rating"), f"{tid}: rating")
    rated_on = item.get("rated_on")
    check(rated_on is None or is_day(rated_on), f"{tid}: rated_on {rated_on!r} is not a date")
    check(is_day(item.get("added_on")), f"{tid}: added_on {item.get('added_on')!r} is not a date")
    check(str_list(item.get("tags", [])), f"{tid}: tags must be a list of text")
    for key in ("notes", "viewings", "status_history"):
        check(isinstance(item.get(key, []), list), f"{tid}: {key} must be a list")
    notes = []
    for note in item.get("notes", []):
        check(
            isinstance(note, dict) and isinstance(note.get("text"), str),
            f"{tid}: a note has no text",
        )
        check(is_day(note.get("created_on")), f"{tid}: a note's created_on is not a date")
        check(opt_str(note.get("import_key")), f"{tid}: a note's import_key must be text")
        notes.append((note["text"], note["created_on"], note.get("import_key")))
    viewings = []
    for v in item.get("viewings", []):
        check(isinstance(v, dict), f"{tid}: a viewing must be a JSON object")
        check_partial(v.get("date"), v.get("precision"), f"{tid}: viewing date")
        check(is_day(v.get("created_on")), f"{tid}: a viewing's created_on is not a date")
        check(opt_str(v.get("note")), f"{tid}: a viewing's note must be text")
        check(opt_str(v.get("import_key")), f"{tid}: a viewing's import_key must be text")
        check(isinstance(v.get("rewatch", False), bool), f"{tid}: rewatch must be true/false")
        viewings.append(
            (
                v["date"],
                v["precision"],
                rating_value(v.get("rating"), f"{tid}: viewing rating"),
                v.get("note"),
                int(v.get("rewatch", False)),
                v["created_on"],
                v.get("import_key"),
            )
        )
    reviews = []
    check(isinstance(item.get("reviews", []), list), f"{tid}: reviews must be a list")
    for r in item.get("reviews", []):
        check(
            isinstance(r, dict) and isinstance(r.get("text"), str),
            f"{tid}: a review has no text",
        )
        check(is_day(r.get("published_on")), f"{tid}: a review's published_on is not a date")
        check(opt_str(r.get("original")), f"{tid}: a review's original must be text")
        check(opt_str(r.get("import_key")), f"{tid}: a review's import_key must be text")
        check(isinstance(r.get("spoilers", False), bool), f"{tid}: spoilers must be true/false")
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
        check(
            isinstance(h, dict) and h.get("status") in STATUSES and is_day(h.get("changed_on")),
            f"{tid}: a status_history item needs a status and a changed_on date",
        )
        history.append((h["status"], h["changed_on"]))
    return EntryRecord(
        title_id=str(tid),
        status=str(status),
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


def release_from_export(item: object) -> tuple:
    check(isinstance(item, dict), "a release must be a JSON object")
    assert isinstance(item, dict)
    tid = item.get("title_id")
    check(isinstance(tid, str) and tid != "", "release has no title_id")
    check_partial(item.get("date") or "", item.get("precision"), f"{tid}: release date")
    check(
        item.get("type") in _RELEASE_TYPES,
        f"{tid}: release type {item.get('type')!r} is not one of {', '.join(_RELEASE_TYPES)}",
    )
    region = item.get("region", "KR")
    check(
        isinstance(region, str) and re.fullmatch(r"[A-Z]{2}", region) is not None,
        f"{tid}: release region {region!r} is not a two-letter code",
    )
    check(
        opt_str(item.get("note")) and opt_str(item.get("source")),
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


def source_ids_from_export(
    doc: dict[str, Any], origins: dict[str, str], rejected: list[Rejected], name: str
) -> list[tuple]:
    out = []
    for n, item in enumerate(doc.get("source_ids", []), start=1):
        ok = (
            isinstance(item, dict)
            and all(isinstance(item.get(k), str) for k in ("scheme", "value", "title_id"))
            and opt_str(item.get("name"))
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


def lists_from_export(
    doc: dict[str, Any], origins: dict[str, str], rejected: list[Rejected], name: str
) -> list[Any]:
    from kwatch.library.lists import ImportedList

    out = []
    for n, item in enumerate(doc.get("lists", []), start=1):
        try:
            check(isinstance(item, dict), "a list must be a JSON object")
            check(isinstance(item.get("id"), str) and item["id"] != "", "a list has no id")
            check(isinstance(item.get("name"), str) and item["name"] != "", "a list has no name")
            check(opt_str(item.get("description")), "a list's description must be text")
            check(str_list(item.get("tags", [])), "a list's tags must be a list of text")
            check(is_day(item.get("created_on")), "a list's created_on is not a date")
            check(isinstance(item.get("items", []), list), "a list's items must be a list")
            items = []
            for it in item.get("items", []):
                check(
                    isinstance(it, dict)
                    and isinstance(it.get("position"), int)
                    and it.get("title_id") in origins
                    and opt_str(it.get("note")),
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
