"""The merge engine: reads a checked plan's rows as a stream, folds them per title, and hands
them to the library's bulk writers in batches, in ONE transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from kwatch.db import transaction
from kwatch.library import bulk
from kwatch.library.bulk import Counts, Facts
from kwatch.models import Title
from kwatch.textnorm import name_key, slugify
from kwatch.titles import name_keys
from kwatch.transfer.fields import RowError, getter
from kwatch.transfer.report import REJECTED_LISTED, DryRun, FileUsed, ImportReport, Rejected
from kwatch.transfer.sources import ImportPlan, PlannedFile, read_rows

MATCH_NAME_KINDS = ("title", "alt", "original", "romanized")
BATCH_ROWS = 5000
BATCH_TEXT_BYTES = 4 << 20  # long reviews: flush by size too, so memory stays flat


@dataclass
class _Seen:
    """What this import says about one title (see library.bulk.Facts)."""

    completed: bool = False
    planned: bool = False
    first_viewing: str | None = None
    seen_on: str | None = None
    planned_on: str | None = None
    rating: tuple[int, str, int, str | None] | None = None  # (rank, when, half stars, rated_on)
    tags: set[str] = field(default_factory=set)

    def facts(self, title_id: str) -> Facts:
        value, rated_on = (self.rating[2], self.rating[3]) if self.rating else (None, None)
        return Facts(
            title_id,
            self.completed,
            self.planned,
            self.first_viewing,
            self.seen_on,
            self.planned_on,
            value,
            rated_on,
            tuple(self.tags),
        )


def _earliest(a: str | None, b: str | None) -> str | None:
    return min(x for x in (a, b) if x) if (a or b) else None


class Importer:
    def __init__(self, conn: sqlite3.Connection, today: date):
        self.conn = conn
        self.today = today
        self.count = Counts()
        self.rejected: list[Rejected] = []
        self.rejected_count = 0
        self.matched: set[str] = set()
        self.seen: dict[str, _Seen] = {}
        self.new_titles: dict[str, Title] = {}
        self.resolved: dict[tuple[str, str, int | None], str] = {}
        self.resolved_raw: dict[tuple[str, str | None, int | None], str] = {}
        self.title_keys: dict[str, list[tuple[str, str]]] = {}
        self.seen_keys: set[str] = set()
        self.occurrence: dict[tuple[str, str, str], int] = {}
        self.viewing_rows: list[tuple] = []
        self.viewing_updates: list[tuple] = []
        self.note_rows: list[tuple] = []
        self.note_updates: list[tuple] = []
        self.note_bytes = 0
        self.adopted: list[tuple[str, int]] = []
        self._load()

    def _load(self) -> None:
        """Everything matching needs, in a handful of queries (never one query per row)."""
        c = self.conn
        self.origins = {r[0]: r[1] for r in c.execute("SELECT id, origin FROM titles")}
        marks = ",".join("?" * len(MATCH_NAME_KINDS))
        self.by_key: dict[str, list[tuple[str, int | None, bool]]] = {}
        for key, tid, year, origin in c.execute(
            "SELECT n.key, t.id, t.year, t.origin FROM title_names n JOIN titles t"
            f" ON t.id = n.title_id WHERE n.kind IN ({marks})",
            MATCH_NAME_KINDS,
        ):
            self.by_key.setdefault(key, []).append((tid, year, origin == "custom"))
        self.viewing_keys = {
            r[0]: (r[1], r[2], r[3], r[4])
            for r in c.execute(
                "SELECT import_key, id, date, rating, rewatch FROM viewings"
                " WHERE import_key IS NOT NULL"
            )
        }
        # Viewings logged in kwatch by hand: an imported viewing of the same title on the same
        # day is taken to be that one, not a second.
        self.keyless: dict[tuple[str, str], list[int]] = {}
        for vid, tid, day in c.execute(
            "SELECT id, title_id, date FROM viewings WHERE import_key IS NULL ORDER BY id"
        ):
            self.keyless.setdefault((tid, day), []).append(vid)
        self.note_keys = {
            r[0]: (r[1], r[2])
            for r in c.execute(
                "SELECT import_key, id, text FROM entry_notes WHERE import_key IS NOT NULL"
            )
        }

    # ---- titles

    def resolve(
        self,
        name: str,
        year: int | None,
        *,
        original: str | None = None,
        directors: tuple[str, ...] = (),
        kind: str = "film",
        runtime: int | None = None,
    ) -> str:
        raw = (name, original, year)
        if raw in self.resolved_raw:  # most rows name a film seen before: skip the folding
            return self.resolved_raw[raw]
        first, second = name_key(name), name_key(original or "")
        if not first and not second:
            raise RowError(f"the title {name!r} has no letters or digits")
        cache_key = (first, second, year)
        if cache_key in self.resolved:
            self.resolved_raw[raw] = self.resolved[cache_key]
            return self.resolved[cache_key]
        best: tuple[int, bool, str] | None = None
        for key in (first, second):
            for tid, tyear, custom in self.by_key.get(key, ()) if key else ():
                if custom:
                    # A user title is the same film only in the same year: two user films
                    # called "Rain" a year apart are two films.
                    if tyear != year:
                        continue
                    diff = 0
                else:
                    # Festival and release years differ by one between sources.
                    if year is None or tyear is None or abs(tyear - year) > 1:
                        continue
                    diff = abs(tyear - year)
                rank = (diff, custom, tid)
                if best is None or rank < best:
                    best = rank
        tid = best[2] if best else self._new_title(name, year, original, directors, kind, runtime)
        if self.origins.get(tid, "custom") != "custom":
            self.matched.add(tid)
        self.resolved[cache_key] = self.resolved_raw[raw] = tid
        return tid

    def _new_title(
        self,
        name: str,
        year: int | None,
        original: str | None,
        directors: tuple[str, ...],
        kind: str,
        runtime: int | None,
    ) -> str:
        display = name.strip() or (original or "").strip()
        base = slugify(display) or name_key(display)
        tid = f"{base}-{year}" if year else base
        if tid in self.origins or tid in self.new_titles:
            # Same id, names that differ only in punctuation ("Rain" / "rain"): the same film.
            return tid
        if original and name_key(original) == name_key(display):
            original = None
        title = Title(
            id=tid,
            title=display,
            origin="custom",
            original_title=original or None,
            year=year,
            kind=kind,
            directors=directors,
            runtime_min=runtime,
        )
        self.new_titles[tid] = title
        self.title_keys[tid] = name_keys(title)
        for key, key_kind in self.title_keys[tid]:
            if key_kind in MATCH_NAME_KINDS:
                self.by_key.setdefault(key, []).append((tid, year, True))
        return tid

    # ---- things

    def touch(
        self,
        tid: str,
        *,
        completed: bool = False,
        planned: bool = False,
        viewed: str | None = None,
        seen: str | None = None,
        planned_on: str | None = None,
        tags: list[str] | tuple[str, ...] = (),
        rating: tuple[int, str, int, str | None] | None = None,
    ) -> None:
        """Fold one row's facts into the title's: `viewed` a dated viewing, `seen` a date the
        source says it was seen or rated, `planned_on` the day it joined the watchlist."""
        facts = self.seen.get(tid)
        if facts is None:
            facts = self.seen[tid] = _Seen()
        facts.completed |= completed
        facts.planned |= planned
        facts.first_viewing = _earliest(facts.first_viewing, viewed)
        facts.seen_on = _earliest(facts.seen_on, seen)
        facts.planned_on = _earliest(facts.planned_on, planned_on)
        facts.tags.update(tags)
        if rating and (facts.rating is None or rating[:2] > facts.rating[:2]):
            facts.rating = rating

    def viewing(
        self, tid: str, key: str, day: str, rating: int | None, rewatch: bool, created: str
    ) -> None:
        if key in self.seen_keys:
            return  # the same viewing from another file of this export (diary and reviews)
        self.seen_keys.add(key)
        old = self.viewing_keys.get(key)
        if old is not None:
            vid, old_day, old_rating, old_rewatch = old
            if (old_day, old_rating, old_rewatch) == (day, rating, int(rewatch)):
                self.count("viewings", "unchanged")
            else:
                self.viewing_updates.append((day, rating, int(rewatch), vid))
                self.count("viewings", "updated")
            return
        by_hand = self.keyless.get((tid, day))
        if by_hand:
            self.adopted.append((key, by_hand.pop(0)))
            self.count("viewings", "unchanged")
            return
        self.viewing_rows.append((tid, day, "day", rating, None, int(rewatch), created, key))
        self.count("viewings", "added")
        if len(self.viewing_rows) >= BATCH_ROWS:
            self.flush()

    def note(self, tid: str, key: str, text: str, created: str) -> None:
        if key in self.seen_keys:
            return
        self.seen_keys.add(key)
        old = self.note_keys.get(key)
        if old is not None:
            if old[1] == text:
                self.count("notes", "unchanged")
            else:
                self.note_updates.append((text, old[0]))
                self.count("notes", "updated")
            return
        self.note_rows.append((tid, text, created, key))
        self.note_bytes += len(text)
        self.count("notes", "added")
        if len(self.note_rows) >= BATCH_ROWS or self.note_bytes >= BATCH_TEXT_BYTES:
            self.flush()

    def nth(self, file: str, tid: str, when: str) -> int:
        """1 for the first row of this title on this day in this file, 2 for the second..."""
        key = (file, tid, when)
        self.occurrence[key] = self.occurrence.get(key, 0) + 1
        return self.occurrence[key]

    def reject(self, file: str, row: int | None, reason: str) -> None:
        self.rejected_count += 1
        if len(self.rejected) < REJECTED_LISTED:
            self.rejected.append(Rejected(file, row, reason))

    # ---- writing

    def flush(self) -> None:
        c = self.conn
        if self.viewing_rows:
            bulk.add_viewings(c, self.viewing_rows)
            self.viewing_rows = []
        if self.viewing_updates:
            bulk.update_viewings(c, self.viewing_updates)
            self.viewing_updates = []
        if self.adopted:
            bulk.claim_viewings(c, self.adopted)
            self.adopted = []
        if self.note_rows:
            bulk.add_notes(c, self.note_rows)
            self.note_rows = []
            self.note_bytes = 0
        if self.note_updates:
            bulk.update_notes(c, self.note_updates)
            self.note_updates = []

    def finish(self) -> None:
        bulk.add_user_titles(self.conn, list(self.new_titles.values()), self.title_keys)
        self.count("titles", "added", len(self.new_titles))
        self.count(
            "titles", "unchanged", sum(1 for t in self.seen if self.origins.get(t) == "custom")
        )
        self.flush()
        bulk.apply_facts(
            self.conn,
            (facts.facts(tid) for tid, facts in self.seen.items()),
            self.today.isoformat(),
            self.count,
        )


def _service(name: str) -> Any:
    """The module that reads a service's files: its ROW_READERS (kind -> one row) and
    FILE_READERS (kind -> a whole file, for files that are not one header and rows)."""
    import importlib

    return importlib.import_module(f"kwatch.transfer.{name}")


def _read_file(imp: Importer, service: str, f: PlannedFile) -> int:
    module = _service(service)
    whole = getattr(module, "FILE_READERS", {}).get(f.kind)
    if whole is not None:
        return whole(imp, f)
    reader = module.ROW_READERS[f.kind]
    rows = 0
    header_seen = False
    for line, fields in read_rows(f.source, f.encoding):
        if not any(x.strip() for x in fields):
            continue
        if not header_seen:
            header_seen = True
            continue
        rows += 1
        try:
            reader(imp, f, getter(f.header, fields))
        except RowError as exc:
            imp.reject(f.source.name, line, str(exc))
    return rows


def in_transaction(conn: sqlite3.Connection, dry_run: bool, work: Callable[[], Any]) -> Any:
    """Run `work` in one transaction; a dry run builds its result and then rolls back."""
    try:
        with transaction(conn):
            result = work()
            if dry_run:
                raise DryRun(result)
    except DryRun as done:
        return done.args[0]
    return result


def run_import(
    conn: sqlite3.Connection, plan: ImportPlan, *, today: date, dry_run: bool = False
) -> ImportReport:
    """Import a checked plan in one transaction and report what happened."""

    def work() -> ImportReport:
        imp = Importer(conn, today)
        files = []
        for f in plan.files:
            rows = _read_file(imp, plan.service, f)
            files.append(FileUsed(f.source.name, f.kind, rows))
        imp.finish()
        files += [FileUsed(name, "ignored", None) for name in plan.ignored]
        return ImportReport(
            source=plan.service,
            path=plan.path,
            dry_run=dry_run,
            counts=imp.count.by_kind,
            matched=len(imp.matched),
            rejected=tuple(imp.rejected),
            rejected_count=imp.rejected_count,
            files=tuple(files),
            warnings=plan.warnings,
        )

    return in_transaction(conn, dry_run, work)


def import_letterboxd(
    conn: sqlite3.Connection, path: Path, *, today: date, dry_run: bool = False
) -> ImportReport:
    from kwatch.transfer.letterboxd import prepare_letterboxd

    return run_import(conn, prepare_letterboxd(path), today=today, dry_run=dry_run)


def import_imdb(
    conn: sqlite3.Connection, paths: list[Path], *, today: date, dry_run: bool = False
) -> ImportReport:
    from kwatch.transfer.imdb import prepare_imdb

    return run_import(conn, prepare_imdb(paths), today=today, dry_run=dry_run)
