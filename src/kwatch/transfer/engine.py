"""The merge engine: reads a checked plan's rows as a stream, folds them per title, and hands
them to the library's bulk writers in batches, in ONE transaction."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple

from kwatch.db import bulk_work, transaction
from kwatch.library import bulk
from kwatch.library.bulk import Counts, Facts
from kwatch.transfer.fields import RowError, getter_for
from kwatch.transfer.html_text import readable
from kwatch.transfer.identity import TitleResolver
from kwatch.transfer.report import (
    REJECTED_LISTED,
    DryRun,
    FileUsed,
    ImportReport,
    NotInCatalogue,
    Rejected,
)
from kwatch.transfer.sources import ImportPlan, PlannedFile, read_rows

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
    if not a:
        return b or None
    return b if b and b < a else a


# The start of the key a viewing or review gets from a file that carries no id for it
# (kwatch's Letterboxd CSV).
MADE_UP_KEY = "letterboxd-csv:"
LIST_MODES = ("lists", "tags", "skip")
ONLY_CHOICES = ("catalogue",)


class ImportOptions(NamedTuple):
    """lists: Letterboxd lists become kwatch lists, tags (on films in the library) or are
    skipped. only="catalogue": keep only titles that match the catalogue."""

    lists: str = "lists"
    only: str | None = None


class Importer(TitleResolver):
    """One import: folds the rows it is given per title (touch), buffers viewings, notes and
    reviews, and writes everything through kwatch.library's bulk functions."""

    def __init__(self, conn: sqlite3.Connection, today: date, options: ImportOptions | None = None):
        super().__init__(conn, only_catalogue=(options or ImportOptions()).only == "catalogue")
        self.today = today
        self.options = options or ImportOptions()
        self.lists: list[Any] = []  # library.lists.ImportedList
        self.list_tags: list[tuple[str, str]] = []
        self.count = Counts()
        self.rejected: list[Rejected] = []
        self.rejected_count = 0
        self.seen: dict[str, _Seen] = {}
        self.seen_keys: set[str] = set()
        self.occurrence: dict[tuple[str, str, str], int] = {}
        self.viewing_rows: list[tuple] = []
        self.viewing_updates: list[tuple] = []
        self.note_rows: list[tuple] = []
        self.note_updates: list[tuple] = []
        self.note_bytes = 0
        self.review_rows: list[tuple] = []
        self.review_updates: list[tuple] = []
        self.adopted: list[tuple[str, int]] = []
        self.not_in_catalogue = 0
        self.state: dict[str, Any] = {}  # what a service's readers keep between rows
        self.seen_keys_of_entries: dict[str, str] = {}  # a diary entry's URI -> its title
        self._load()

    def _load(self) -> None:
        """Everything matching needs, in a handful of queries (never one query per row)."""
        c = self.conn
        self.viewing_keys = {
            r[0]: (r[1], r[2], r[3], r[4])
            for r in c.execute(
                "SELECT import_key, id, date, rating, rewatch FROM viewings"
                " WHERE import_key IS NOT NULL"
            )
        }
        self.by_day: dict[tuple[str, str], list[int]] = {}
        for vid, tid, day in c.execute("SELECT id, title_id, date FROM viewings ORDER BY id"):
            self.by_day.setdefault((tid, day), []).append(vid)
        # Viewings logged in kwatch by hand, or read from a file that gave them no id of their
        # own (kwatch's Letterboxd CSV: a made-up letterboxd-csv: key): an imported viewing of
        # the same title on the same day is taken to be that one, not a second.
        self.keyless: dict[tuple[str, str], list[int]] = {}
        for vid, tid, day in c.execute(
            "SELECT id, title_id, date FROM viewings WHERE import_key IS NULL"
            f" OR import_key LIKE '{MADE_UP_KEY}%' ORDER BY id"
        ):
            self.keyless.setdefault((tid, day), []).append(vid)
        self.note_keys = {
            r[0]: (r[1], r[2])
            for r in c.execute(
                "SELECT import_key, id, text FROM entry_notes WHERE import_key IS NOT NULL"
            )
        }
        self.review_keys = {
            r[0]: (r[1], r[2])
            for r in c.execute(
                "SELECT import_key, id, original FROM reviews WHERE import_key IS NOT NULL"
            )
        }
        self.likes_known = {r[0] for r in c.execute("SELECT title_id FROM likes")}
        self.like_rows: list[tuple[str, str | None]] = []
        self.review_texts = {
            (r[0], r[1]) for r in c.execute("SELECT title_id, original FROM reviews")
        }
        # Reviews read from a file that gave them no id (kwatch's Letterboxd CSV): the same
        # text of the same title, arriving with its real id, is that review, not a second.
        self.reviews_without_id = {
            (r[0], r[1])
            for r in c.execute(
                "SELECT title_id, original FROM reviews WHERE import_key IS NULL"
                f" OR import_key LIKE '{MADE_UP_KEY}%'"
            )
        }

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
        self,
        tid: str,
        key: str,
        day: str,
        rating: int | None,
        rewatch: bool,
        created: str,
        *,
        same_day: bool = False,
    ) -> None:
        """One viewing. `same_day`: the key is made up (the file carries no id for it), so a
        viewing the library has of this title on this day, from wherever, is this one."""
        if same_day:
            if key in self.seen_keys:
                return
            self.seen_keys.add(key)
            if key not in self.viewing_keys:
                known = self.by_day.get((tid, day))
                if known:
                    known.pop(0)
                    self.count("viewings", "unchanged")
                    return
        if key in self.seen_keys and not same_day:
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

    def like(self, tid: str, liked_on: str | None) -> None:
        if tid in self.likes_known:
            self.count("likes", "unchanged")
        else:
            self.likes_known.add(tid)
            self.like_rows.append((tid, liked_on))
            self.count("likes", "added")

    def review(
        self,
        tid: str,
        key: str,
        original: str,
        published: str,
        spoilers: bool = False,
        *,
        same_text: bool = False,
    ) -> None:
        """A public review: readable text, and the original as the source wrote it.
        `same_text`: the key is made up, so the same review of this title is this one."""
        if key in self.seen_keys:
            return
        self.seen_keys.add(key)
        if same_text and (tid, original) in self.review_texts:
            self.count("reviews", "unchanged")
            return
        old = self.review_keys.get(key)
        if old is None and (tid, original) in self.reviews_without_id:
            self.reviews_without_id.discard((tid, original))
            self.count("reviews", "unchanged")
            return
        text = readable(original)
        if old is not None:
            if old[1] == original:
                self.count("reviews", "unchanged")
            else:
                self.review_updates.append((text, original, int(spoilers), old[0]))
                self.count("reviews", "updated")
            return
        self.review_rows.append((tid, text, original, published, int(spoilers), key))
        self.note_bytes += len(original) * 2
        self.count("reviews", "added")
        if len(self.review_rows) >= BATCH_ROWS or self.note_bytes >= BATCH_TEXT_BYTES:
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
        if self.review_rows:
            bulk.add_reviews(c, self.review_rows)
            self.review_rows = []
            self.note_bytes = 0
        if self.review_updates:
            bulk.update_reviews(c, self.review_updates)
            self.review_updates = []

    def summary(self) -> dict[str, int]:
        completed = sum(1 for f in self.seen.values() if f.completed or f.rating)
        in_lists = {tid for lst in self.lists for _, tid, _ in lst.items}
        in_lists |= {tid for tid, _ in self.list_tags}
        return {
            "watchlist": len(self.seen) - completed,
            "completed": completed,
            "list_only": len(in_lists - set(self.seen)),
            "matched_by_id": self.matched_by["id"],
            "matched_by_name": self.matched_by["name"],
            "not_in_catalogue": self.not_in_catalogue,
        }

    def finish(self) -> None:
        bulk.add_user_titles(self.conn, list(self.new_titles.values()), self.title_keys)
        bulk.add_source_ids(self.conn, self.source_rows)
        bulk.add_likes(self.conn, self.like_rows)
        self.count("titles", "added", len(self.new_titles))
        self.count(
            "titles", "unchanged", sum(1 for t in self.placed if self.origins.get(t) == "custom")
        )
        self.flush()
        if self.list_tags:
            # --lists tags: a list's name tags the films the library has (or this import
            # adds); a film only in a list is not added for it.
            have = {r[0] for r in self.conn.execute("SELECT title_id FROM entries")}
            for tid, tag in self.list_tags:
                if tid in self.seen:
                    self.seen[tid].tags.add(tag)
                elif tid in have:
                    self.touch(tid, tags=[tag])
        bulk.apply_facts(
            self.conn,
            (facts.facts(tid) for tid, facts in self.seen.items()),
            self.today.isoformat(),
            self.count,
        )
        if self.lists:
            from kwatch.library.lists import save_imported_lists

            save_imported_lists(self.conn, self.lists, self.count)


def _service(name: str) -> Any:
    """The module that reads a service's files: its ROW_READERS (kind -> one row) and
    FILE_READERS (kind -> a whole file, for files that are not one header and rows)."""
    import importlib

    return importlib.import_module(f"kwatch.transfer.{name}")


# How often a long import reports its progress (rows).
PROGRESS_EVERY = 2000


def _read_file(
    imp: Importer,
    service: str,
    f: PlannedFile,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> int:
    module = _service(service)
    whole = getattr(module, "FILE_READERS", {}).get(f.kind)
    if whole is not None:
        return whole(imp, f)
    reader = module.ROW_READERS[f.kind]
    bind = getter_for(f.header)
    rows = 0
    header_seen = False
    for line, fields in read_rows(f.source, f.encoding):
        if not any(x.strip() for x in fields):
            continue
        if not header_seen:
            header_seen = True
            continue
        rows += 1
        if progress is not None and rows % PROGRESS_EVERY == 0:
            progress(f"{f.source.name}: rows read", rows, None)
        try:
            reader(imp, f, bind(fields))
        except NotInCatalogue:
            imp.not_in_catalogue += 1
        except RowError as exc:
            imp.reject(f.source.name, line, str(exc))
    return rows


def in_transaction(conn: sqlite3.Connection, dry_run: bool, work: Callable[[], Any]) -> Any:
    """Run `work` in one transaction; a dry run builds its result and then rolls back."""
    try:
        # A bounded cache (32 MB): an import of any size keeps to the same memory.
        with bulk_work(conn, cache_mb=32), transaction(conn):
            result = work()
            if dry_run:
                raise DryRun(result)
    except DryRun as done:
        return done.args[0]
    return result


def run_import(
    conn: sqlite3.Connection,
    plan: ImportPlan,
    *,
    today: date,
    dry_run: bool = False,
    options: ImportOptions | None = None,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> ImportReport:
    """Import a checked plan in one transaction and report what happened. `progress` (stage,
    done, total) hears of each file and, in long files, of every PROGRESS_EVERY rows."""

    def work() -> ImportReport:
        imp = Importer(conn, today, options)
        files = []
        for number, f in enumerate(plan.files):
            if progress is not None:
                progress("files imported", number, len(plan.files))
            rows = _read_file(imp, plan.service, f, progress)
            files.append(FileUsed(f.source.name, f.kind, rows))
        if progress is not None:
            progress("files imported", len(plan.files), len(plan.files))
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
            summary=imp.summary(),
        )

    return in_transaction(conn, dry_run, work)


def import_letterboxd(
    conn: sqlite3.Connection,
    path: Path,
    *,
    today: date,
    dry_run: bool = False,
    options: ImportOptions | None = None,
) -> ImportReport:
    from kwatch.transfer.letterboxd import prepare_letterboxd

    return run_import(conn, prepare_letterboxd(path), today=today, dry_run=dry_run, options=options)


def import_imdb(
    conn: sqlite3.Connection, paths: list[Path], *, today: date, dry_run: bool = False
) -> ImportReport:
    from kwatch.transfer.imdb import prepare_imdb

    return run_import(conn, prepare_imdb(paths), today=today, dry_run=dry_run)
