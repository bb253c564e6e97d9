"""Merging a layer into the catalogue index: one title per film, checked facts first.

A layer record joins the catalogue entry that names its item (`ids.wikidata`), else the one
with its IMDb id; then it only fills what the entry leaves empty, and says so in the title's
`opendata` field. A record that joins nothing becomes a title of its own, origin "wikidata".
Entries from the user's own catalogue files join the same way and win the same way; the
user's own titles (origin "custom") are never touched, and a record with the same name and
year as one of them is left out (the user's title is that film).
"""

from __future__ import annotations

from typing import Any

from kwatch.opendata.layer import Layer
from kwatch.textnorm import name_key, slugify

# Fields a record may fill in a catalogue entry that leaves them empty.
FILLABLE = ("original_title", "year", "directors", "runtime_min", "releases")


def _release(release: dict[str, Any]) -> dict[str, Any]:
    return {**release, "source": "Wikidata (CC0)"}


def entry_from_record(record: dict[str, Any], title_id: str) -> dict[str, Any]:
    names = [*record.get("aliases", []), *record.get("aliases_ko", [])]
    original = record.get("title_ko")
    return {
        "id": title_id,
        "title": record["title"],
        "alt_titles": [n for n in dict.fromkeys(names) if n not in (record["title"], original)],
        "original_title": original if original != record["title"] else None,
        "year": record.get("year"),
        "kind": record.get("kind", "film"),
        "directors": list(record.get("directors", [])),
        "directors_ko": list(record.get("directors_ko", [])),
        "runtime_min": record.get("runtime_min"),
        "themes": list(record.get("themes", [])),
        "releases": [_release(r) for r in record.get("releases", [])],
        "ids": dict(record.get("ids", {})),
    }


def _fill(entry: dict[str, Any], record: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """The entry with its gaps filled from the record, and the names of the fields filled."""
    offered = entry_from_record(record, entry["id"])
    merged = dict(entry)
    filled = []
    for field in FILLABLE:
        if merged.get(field) in (None, "", [], ()) and offered.get(field) not in (None, "", []):
            merged[field] = offered[field]
            filled.append(field)
    directors = merged.get("directors") or []
    if (
        not merged.get("directors_ko")
        and offered["directors_ko"]
        and len(offered["directors_ko"]) == len(offered["directors"]) == len(directors)
    ):
        merged["directors_ko"] = offered["directors_ko"]
        filled.append("directors_ko")
    ids = dict(merged.get("ids") or {})
    for scheme, value in offered["ids"].items():
        if scheme not in ids:
            ids[scheme] = value
            filled.append(f"ids.{scheme}")
    merged["ids"] = ids
    return merged, filled


def merge_layer(
    entries: list[tuple[str, dict[str, Any]]],
    layer: Layer,
    taken: set[str],
    users: set[tuple[str, int | None]] = frozenset(),  # type: ignore[assignment]
) -> tuple[list[tuple[str, dict[str, Any], dict[str, Any] | None]], int]:
    """(origin, entry, opendata) for every catalogue entry and every new layer title, and how
    many records joined a catalogue entry. `taken` holds ids the layer may not use; `users`
    holds (name key, year) of the user's own titles: a record naming one of those is the
    user's film already, and theirs is kept alone."""
    by_qid: dict[str, int] = {}
    by_imdb: dict[str, int] = {}
    for position, (_, entry) in enumerate(entries):
        ids = entry.get("ids") or {}
        if ids.get("wikidata"):
            by_qid.setdefault(ids["wikidata"], position)
        if ids.get("imdb"):
            by_imdb.setdefault(ids["imdb"], position)
    out: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = [
        (origin, entry, None) for origin, entry in entries
    ]
    used = set(taken) | {entry["id"] for _, entry in entries}
    joined: set[int] = set()
    for record in layer.records:
        ids = record.get("ids") or {}
        index = by_qid.get(record["qid"])
        if index is None and ids.get("imdb"):
            index = by_imdb.get(ids["imdb"])
        if index is not None:
            if index in joined:
                continue  # a second item claims the same film: the first one's facts stay
            joined.add(index)
            origin, entry, _ = out[index]
            merged, filled = _fill(entry, record)
            note = {"source": layer.source, "fetched": layer.fetched, "fields": filled}
            out[index] = (origin, merged, note)
            continue
        names = (record["title"], record.get("title_ko") or "")
        if users and any((name_key(n), record.get("year")) in users for n in names if n):
            continue
        base = slugify(record["title"]) or record["qid"].lower()
        title_id = f"{base}-{record['year']}" if record.get("year") else base
        if title_id in used:
            title_id = f"{title_id}-{record['qid'].lower()}"
        if title_id in used:
            continue
        used.add(title_id)
        note = {"source": layer.source, "fetched": layer.fetched, "fields": ["*"]}
        out.append(("wikidata", entry_from_record(record, title_id), note))
    return out, len(joined)
