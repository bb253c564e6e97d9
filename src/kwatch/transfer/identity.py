"""Which title a row names: source ids first (the user's source_ids, and the catalogue's
title_ids where migration m004 provides them), then names and years; else a new user title.
Two different ids of one scheme are never one film."""

from __future__ import annotations

import sqlite3

from kwatch.models import Title
from kwatch.textnorm import name_key, slugify
from kwatch.titles import SOURCE_SCHEMES, name_keys
from kwatch.transfer.report import NotInCatalogue, RowError

# Title names that identify a film for matching (not its id or Hangul initials).
MATCH_NAME_KINDS = ("title", "alt", "original", "romanized")


class TitleResolver:
    """Everything matching needs, loaded in a handful of queries (never one per row), and
    what this import learns: new user titles, new source ids, how each title was matched."""

    def __init__(self, conn: sqlite3.Connection, *, only_catalogue: bool = False):
        self.conn = conn
        self.only_catalogue = only_catalogue
        self.matched: set[str] = set()
        self.matched_by = {"id": 0, "name": 0}
        self.new_titles: dict[str, Title] = {}
        self.title_keys: dict[str, list[tuple[str, str]]] = {}
        self.resolved_raw: dict[tuple, str] = {}
        self.source_rows: list[tuple] = []  # new source ids: scheme, value, title, name, year
        self.placed: set[str] = set()  # every title a row of this import named
        c = conn
        self.origins = {r[0]: r[1] for r in c.execute("SELECT id, origin FROM titles")}
        marks = ",".join("?" * len(MATCH_NAME_KINDS))
        self.by_key: dict[str, list[tuple[str, int | None, bool]]] = {}
        for key, tid, year, origin in c.execute(
            "SELECT n.key, t.id, t.year, t.origin FROM title_names n JOIN titles t"
            f" ON t.id = n.title_id WHERE n.kind IN ({marks})",
            MATCH_NAME_KINDS,
        ):
            self.by_key.setdefault(key, []).append((tid, year, origin == "custom"))
        # Source ids: the user's (source_ids) and, where the catalogue has them (the title_ids
        # table of migration m004_external_ids), the catalogue's own.
        self.by_id: dict[tuple[str, str], str] = {}
        self.ids_of: dict[str, dict[str, set[str]]] = {}
        tables = {r[0] for r in c.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        sources = ["SELECT scheme, value, title_id FROM source_ids"]
        if "title_ids" in tables:
            # The catalogue's ids under the names source_ids gives the same kinds of id: its
            # Letterboxd id is the film's slug, where an export's "letterboxd" ids are its
            # URIs (boxd.it/...), which must not make the two look like different films.
            renamed = " ".join(f"WHEN '{a}' THEN '{b}'" for a, b in SOURCE_SCHEMES.items())
            sources.append(
                f"SELECT CASE scheme {renamed} ELSE scheme END, value, title_id FROM title_ids"
            )
        # The user's own rows: a catalogue id that a row also carries is still written to
        # source_ids, since it is what the user's source said (and goes back out with it).
        self.user_ids: set[tuple[str, str]] = set()
        for number, sql in enumerate(sources):
            for scheme, value, tid in c.execute(sql):
                self.by_id.setdefault((scheme, value), tid)
                self.ids_of.setdefault(tid, {}).setdefault(scheme, set()).add(value)
                if number == 0:
                    self.user_ids.add((scheme, value))

    def resolve(
        self,
        name: str,
        year: int | None,
        *,
        ids: tuple[tuple[str, str], ...] = (),
        original: str | None = None,
        romanized: bool = False,
        directors: tuple[str, ...] = (),
        kind: str = "film",
        runtime: int | None = None,
    ) -> str:
        """The title a row names. Its source ids decide first: a known id is that title, and a
        title that has another id of the same scheme is another film, whatever its name.
        Then names and years (the catalogue, then the user's titles); else a new user title."""
        raw = (name, original, year, ids)
        if raw in self.resolved_raw:  # most rows name a film seen before: skip the folding
            return self.resolved_raw[raw]
        for pair in ids:
            tid = self.by_id.get(pair)
            if tid is not None:
                if self.only_catalogue and self.origins.get(tid, "custom") == "custom":
                    raise NotInCatalogue(name)
                self._claim(tid, ids, name, year, "id")
                self.resolved_raw[raw] = tid
                return tid
        first, second = name_key(name), name_key(original or "")
        if not first and not second:
            raise RowError(f"the title {name!r} has no letters or digits")
        best: tuple[int, bool, str] | None = None
        for key in (first, second):
            for tid, tyear, custom in self.by_key.get(key, ()) if key else ():
                if self._other_film(tid, ids):
                    continue
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
        if best:
            tid = best[2]
            if self.only_catalogue and best[1]:
                raise NotInCatalogue(name)
            self._claim(tid, ids, name, year, "name")
        elif self.only_catalogue:
            raise NotInCatalogue(name)
        else:
            tid = self._new_title(name, year, original, directors, kind, runtime, ids, romanized)
            self._claim(tid, ids, name, year, None)
        if not ids:
            self.resolved_raw[raw] = tid
        return tid

    def _other_film(self, tid: str, ids: tuple[tuple[str, str], ...]) -> bool:
        """True when `tid` already has a different id of one of these schemes."""
        have = self.ids_of.get(tid)
        if not have:
            return False
        return any(bool(have.get(s)) and v not in have[s] for s, v in ids)

    def _claim(
        self,
        tid: str,
        ids: tuple[tuple[str, str], ...],
        name: str,
        year: int | None,
        how: str | None,
    ) -> None:
        """Remember the row's ids for `tid` (written with the import) and how it matched."""
        self.placed.add(tid)
        if self.origins.get(tid, "custom") != "custom" and tid not in self.matched:
            self.matched.add(tid)
            if how:
                self.matched_by[how] += 1
        for scheme, value in ids:
            if (scheme, value) not in self.user_ids:
                self.user_ids.add((scheme, value))
                self.by_id.setdefault((scheme, value), tid)
                self.ids_of.setdefault(tid, {}).setdefault(scheme, set()).add(value)
                self.source_rows.append((scheme, value, tid, name, year))

    def add_id(self, tid: str, scheme: str, value: str, name: str, year: int | None) -> None:
        """Another id of a title this import has placed (a year-less row that names it)."""
        self._claim(tid, ((scheme, value),), name, year, None)

    def _new_title(
        self,
        name: str,
        year: int | None,
        original: str | None,
        directors: tuple[str, ...],
        kind: str,
        runtime: int | None,
        ids: tuple[tuple[str, str], ...] = (),
        romanized: bool = False,
    ) -> str:
        """A new user title. `romanized`: `original` is in Latin letters, so it is the
        romanized title, not the original-script (Hangul) one."""
        display = name.strip() or (original or "").strip()
        base = slugify(display) or name_key(display)
        tid = f"{base}-{year}" if year else base
        if tid in self.origins or tid in self.new_titles:
            if not ids:
                # No ids to tell them apart, names that differ only in punctuation: the same.
                return tid
            # Names did not place it, or the title there has another id: another film of the
            # same name and year ("Rain" and "rain", 2019) gets an id of its own.
            n = 2
            while f"{tid}-{n}" in self.origins or f"{tid}-{n}" in self.new_titles:
                n += 1
            tid = f"{tid}-{n}"
        if original and name_key(original) == name_key(display):
            original = None
        title = Title(
            id=tid,
            title=display,
            origin="custom",
            original_title=None if romanized else original or None,
            romanized_title=original if romanized and original else None,
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
