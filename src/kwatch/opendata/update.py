"""`kwatch catalogue update`: build the Wikidata layer (live or from a file), or remove it."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from kwatch.errors import NotFound
from kwatch.opendata import layer as layers
from kwatch.opendata.wikidata import Skipped, build_records, records_from_file, ref_of

# progress(stage, done, total): the CLI draws it; the core only reports.
Progress = Callable[[str, int, int | None], None]


class UpdateReport(NamedTuple):
    action: str  # "updated", "dry-run", "removed"
    source: str  # the endpoint or file read ("" for --remove)
    path: str
    fetched: str | None
    total: int
    added: int
    changed: int
    removed: int
    unchanged: int
    joined: int  # records that are titles of the checked catalogue or the user's files
    skipped: list[dict[str, Any]]
    bytes: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "dry_run": self.action == "dry-run",
            "source": self.source,
            "path": self.path,
            "fetched": self.fetched,
            "licence": layers.LICENCE,
            "total": self.total,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "joined_catalogue": self.joined,
            "skipped": self.skipped,
            "skipped_count": sum(s["count"] for s in self.skipped),
            "bytes": self.bytes,
        }


def _live_records(client: Any, skipped: Skipped, progress: Progress) -> list[dict[str, Any]]:
    progress("Listing Korean films and series", 0, None)
    kinds = dict(client.korean_items())
    qids = sorted(kinds, key=lambda q: int(q[1:]))
    done = 0

    def items():
        nonlocal done
        for key, entity in client.entities(qids):
            done += 1
            if done % 50 == 0 or done == len(qids):
                progress("Fetching items", done, len(qids))
            yield entity, kinds.get(entity.get("id", key), kinds.get(key))

    def lookup(wanted: set[str], with_claims: bool):
        props = "labels|claims" if with_claims else "labels"
        ordered = sorted(wanted, key=lambda q: int(q[1:]) if q[1:].isdigit() else 0)
        progress("Fetching names of people and places", 0, len(ordered))
        found = {}
        for key, entity in client.entities(ordered, props=props):
            found[key] = found[entity.get("id", key)] = ref_of(entity)
        return found

    return build_records(items(), lookup, skipped)


def _joined(conn: sqlite3.Connection | None, records: list[dict[str, Any]]) -> int:
    """How many records name a title of the checked catalogue or the user's files."""
    if conn is None:
        return 0
    known = {
        (scheme, value)
        for scheme, value in conn.execute(
            "SELECT i.scheme, i.value FROM title_ids i JOIN titles t ON t.id = i.title_id"
            " WHERE t.origin IN ('bundled', 'user-file') AND (t.opendata IS NULL"
            " OR t.opendata NOT LIKE '%\"*\"%') AND i.scheme IN ('wikidata', 'imdb')"
        )
    }
    return sum(
        1
        for r in records
        if ("wikidata", r["qid"]) in known or ("imdb", (r.get("ids") or {}).get("imdb")) in known
    )


def update_layer(
    path: Path,
    *,
    today: date,
    client: Any = None,
    from_file: Path | None = None,
    dry_run: bool = False,
    conn: sqlite3.Connection | None = None,
    progress: Progress | None = None,
) -> UpdateReport:
    """Build a new layer from Wikidata (or a file of its entity JSON) and swap it in.

    Nothing is written until every record is in hand; then the new file replaces the old one
    in one step. With `dry_run`, nothing is written at all.
    """
    progress = progress or (lambda stage, done, total: None)
    skipped = Skipped()
    if from_file is not None:
        if not from_file.is_file():
            raise NotFound(f"{from_file} is not a file; give Wikidata entity JSON or a dump.")
        progress("Reading " + from_file.name, 0, None)
        records = records_from_file(from_file, skipped)
        source = str(from_file)
    else:
        if client is None:
            from kwatch.opendata.client import Client

            client = Client()
        records = _live_records(client, skipped, progress)
        source = client.sparql_url
    try:
        old = layers.read_layer(path)
    except Exception:  # an unreadable old layer is simply replaced
        old = None
    change = layers.diff(old.records if old else [], records)
    fetched = today.isoformat()
    size = None
    if not dry_run:
        size = layers.write_layer(
            path,
            layers.Layer(
                source="wikidata",
                fetched=fetched,
                origin=source,
                records=records,
                skipped=skipped.to_list(),
            ),
        )
    return UpdateReport(
        action="dry-run" if dry_run else "updated",
        source=source,
        path=str(path),
        fetched=fetched,
        total=len(records),
        added=change.added,
        changed=change.changed,
        removed=change.removed,
        unchanged=change.unchanged,
        joined=_joined(conn, records),
        skipped=skipped.to_list(),
        bytes=size,
    )


def remove_layer(path: Path, *, dry_run: bool = False) -> UpdateReport:
    try:
        old = layers.read_layer(path)
    except Exception:
        old = None
    count = len(old.records) if old else 0
    existed = path.is_file()
    if existed and not dry_run:
        layers.remove_layer(path)
    return UpdateReport(
        action="dry-run" if dry_run else "removed",
        source="",
        path=str(path),
        fetched=old.fetched if old else None,
        total=0,
        added=0,
        changed=0,
        removed=count,
        unchanged=0,
        joined=0,
        skipped=[],
        bytes=None,
    )
