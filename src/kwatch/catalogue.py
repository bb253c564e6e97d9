"""Load, validate and index catalogue files (the bundled ones and the user's own).

The files are the source of truth; the database holds an index of them that is rebuilt only when
the files change (a fingerprint of names, sizes and modification times), so an ordinary command
reads no TOML at all.
"""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kwatch.catalogue_files import (
    bundled_title_files,
    catalogue_files,
    index_fingerprint,
)
from kwatch.db import bulk_work, get_meta, set_meta, transaction
from kwatch.errors import CatalogueError
from kwatch.paths import user_catalogue_dir
from kwatch.textnorm import has_hangul
from kwatch.values import ID_PATTERNS, KINDS, PRECISIONS, RELEASE_TYPES, parse_partial_date
from kwatch.vocabulary import Vocabulary, load_vocabulary, read_toml

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
REGION_PATTERN = re.compile(r"^[A-Z]{2}$")
ENTRY_FIELDS = {
    "id",
    "title",
    "alt_titles",
    "original_title",
    "romanized_title",
    "year",
    "kind",
    "directors",
    "directors_ko",
    "runtime_min",
    "themes",
    "content_notes",
    "synopsis",
    "sources",
    "releases",
    "references",
    "ids",
    "missing",
}
# External ids a title may carry, each with the form a source page shows it in.
ID_FORMS = {key: (re.compile(pattern), form) for key, (pattern, form) in ID_PATTERNS.items()}
RELEASE_FIELDS = {"date", "precision", "region", "type", "note", "source"}
# Facts the bundled catalogue must have for every entry unless `missing` says why not.
STRICT_REQUIRED = ("original_title", "year", "directors", "themes", "synopsis")


@dataclass(frozen=True)
class Problem:
    file: str
    entry: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.entry:
            where += f": {self.entry}"
        if self.field:
            where += f": {self.field}"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "entry": self.entry,
            "field": self.field,
            "message": self.message,
        }


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value)


def validate_entry(
    entry: dict[str, Any], vocab: Vocabulary, *, file: str, strict: bool
) -> list[Problem]:
    """Every problem with one entry, each naming its file, entry and field."""
    entry_id = entry.get("id") if isinstance(entry.get("id"), str) else None
    problems: list[Problem] = []

    def bad(field: str | None, message: str) -> None:
        problems.append(Problem(file, entry_id, field, message))

    missing = entry.get("missing", {})
    if not isinstance(missing, dict) or not all(
        isinstance(v, str) and v.strip() for v in missing.values()
    ):
        bad("missing", "must be a table of field = reason, each reason a non-empty string")
        missing = {}

    for key in sorted(set(entry) - ENTRY_FIELDS):
        bad(key, f"unknown field (allowed: {', '.join(sorted(ENTRY_FIELDS))})")

    if entry_id is None:
        bad("id", "required: a slug such as bleak-night-2011")
    elif not ID_PATTERN.match(entry_id):
        bad("id", f"{entry_id!r} is not a slug: lowercase letters, digits and single hyphens")
    title = entry.get("title")
    if not isinstance(title, str) or not title.strip():
        bad("title", "required: the English title as a non-empty string")

    def check_optional(field: str, ok: bool, expected: str) -> None:
        if field in entry and not ok:
            bad(field, f"must be {expected}")

    check_optional("alt_titles", _is_str_list(entry.get("alt_titles")), "a list of strings")
    original = entry.get("original_title")
    check_optional("original_title", isinstance(original, str) and bool(original), "a string")
    if strict and isinstance(original, str) and original and not has_hangul(original):
        bad("original_title", f"{original!r} has no Hangul; give the Korean title")
    check_optional("romanized_title", isinstance(entry.get("romanized_title"), str), "a string")
    year = entry.get("year")
    check_optional(
        "year",
        isinstance(year, int) and not isinstance(year, bool) and 1890 <= year <= 2100,
        "a whole year between 1890 and 2100",
    )
    check_optional("kind", entry.get("kind") in KINDS, f"one of {', '.join(KINDS)}")
    check_optional("directors", _is_str_list(entry.get("directors")), "a list of names")
    directors_ko = entry.get("directors_ko")
    if "directors_ko" in entry:
        if not isinstance(directors_ko, list) or not _is_str_list(directors_ko):
            bad("directors_ko", "must be a list of names in Hangul")
        elif len(directors_ko) != len(entry.get("directors") or []):
            bad("directors_ko", "must name the same people as directors, in the same order")
        elif strict and not all(has_hangul(name) for name in directors_ko):
            bad("directors_ko", "each name must be written in Hangul")
    check_optional("references", _is_str_list(entry.get("references")), "a list of sources")
    problems.extend(_validate_ids(entry.get("ids"), file, entry_id))
    runtime = entry.get("runtime_min")
    check_optional(
        "runtime_min",
        isinstance(runtime, int) and not isinstance(runtime, bool) and 0 < runtime < 2000,
        "a whole number of minutes",
    )
    check_optional("synopsis", isinstance(entry.get("synopsis"), str), "a string")
    for field, known, what in (
        ("themes", vocab.themes, "theme"),
        ("content_notes", vocab.content_notes, "content note"),
        ("sources", vocab.sources, "source"),
    ):
        values = entry.get(field, [])
        if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
            bad(field, "must be a list of strings")
            continue
        for value in values:
            if value not in known:
                bad(field, f"unknown {what} {value!r} (see catalogue/themes.toml)")

    releases = entry.get("releases", [])
    if not isinstance(releases, list):
        bad("releases", "must be a list of [[releases]] tables")
        releases = []
    for i, release in enumerate(releases, 1):
        problems.extend(_validate_release(release, file, entry_id, f"releases[{i}]"))

    if strict:
        for field in STRICT_REQUIRED:
            value = entry.get(field)
            if (value is None or value == "" or value == []) and field not in missing:
                bad(field, "required in the bundled catalogue (or give a reason under [missing])")
    return problems


def _validate_ids(ids: object, file: str, entry_id: str | None) -> list[Problem]:
    if ids is None:
        return []
    if not isinstance(ids, dict):
        return [Problem(file, entry_id, "ids", 'must be a table such as {imdb = "tt0364569"}')]
    problems = []
    for key, value in ids.items():
        if key not in ID_FORMS:
            allowed = ", ".join(ID_FORMS)
            problems.append(
                Problem(file, entry_id, f"ids.{key}", f"unknown id (allowed: {allowed})")
            )
            continue
        pattern, form = ID_FORMS[key]
        if not isinstance(value, str) or not pattern.match(value):
            problems.append(Problem(file, entry_id, f"ids.{key}", f"must be {form}"))
    return problems


def _validate_release(release: object, file: str, entry_id: str | None, at: str) -> list[Problem]:
    if not isinstance(release, dict):
        return [Problem(file, entry_id, at, "must be a table")]
    problems = []

    def bad(field: str, message: str) -> None:
        problems.append(Problem(file, entry_id, f"{at}.{field}", message))

    for key in sorted(set(release) - RELEASE_FIELDS):
        bad(key, f"unknown field (allowed: {', '.join(sorted(RELEASE_FIELDS))})")
    precision = release.get("precision")
    if precision not in PRECISIONS:
        bad("precision", f"must be one of {', '.join(PRECISIONS)}")
    date_value = release.get("date", "")
    if not isinstance(date_value, str):
        bad("date", 'must be a string such as "2023-01-20", "2023-01", "2027-summer" or "2023"')
    elif precision == "unknown":
        if date_value:
            bad("date", "must be empty when precision is unknown")
    elif precision in PRECISIONS:
        try:
            _, parsed_precision = parse_partial_date(date_value, periods=True)
        except Exception as exc:  # InvalidInput: reported, not raised
            bad("date", getattr(exc, "message", str(exc)))
        else:
            if parsed_precision != precision:
                bad("date", f"{date_value!r} has {parsed_precision} precision, not {precision}")
    region = release.get("region", "KR")
    if not isinstance(region, str) or not REGION_PATTERN.match(region):
        bad("region", "must be a two-letter country code such as KR")
    if release.get("type") not in RELEASE_TYPES:
        bad("type", f"must be one of {', '.join(RELEASE_TYPES)}")
    for field in ("note", "source"):
        if field in release and not isinstance(release[field], str):
            bad(field, "must be a string")
    return problems


def read_catalogue_file(path: Path) -> list[dict[str, Any]]:
    """The entries in one file: a single entry, or several under [[titles]] (TOML or JSON)."""
    try:
        if path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        else:
            data = read_toml(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        # tomllib.TOMLDecodeError and json.JSONDecodeError are both ValueErrors.
        raise CatalogueError(f"{path}: cannot be read: {exc}") from None
    except RecursionError:
        # Arrays or tables nested thousands deep: no catalogue entry looks like that.
        raise CatalogueError(f"{path}: cannot be read: it is nested too deeply") from None
    if isinstance(data, dict) and "titles" in data and "id" not in data:
        entries = data["titles"]
    elif isinstance(data, list):
        entries = data
    else:
        entries = [data]
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise CatalogueError(f"{path}: 'titles' must be a list of tables")
    return entries


def validate_file(
    path: Path, vocab: Vocabulary | None = None, *, strict: bool = False
) -> list[Problem]:
    vocab = vocab or load_vocabulary()
    try:
        entries = read_catalogue_file(path)
    except CatalogueError as exc:
        return [Problem(str(path), None, None, exc.message.split(": ", 1)[-1])]
    return _validate_entries(path, entries, vocab, strict=strict)


def _validate_entries(
    path: Path, entries: list[dict[str, Any]], vocab: Vocabulary, *, strict: bool
) -> list[Problem]:
    problems = []
    seen: set[str] = set()
    for entry in entries:
        problems.extend(validate_entry(entry, vocab, file=str(path), strict=strict))
        entry_id = entry.get("id")
        if isinstance(entry_id, str):
            if entry_id in seen:
                problems.append(Problem(str(path), entry_id, "id", "duplicate id in this file"))
            seen.add(entry_id)
    return problems


def load_entries(vocab: Vocabulary) -> tuple[list[tuple[str, dict[str, Any]]], list[Problem]]:
    """All valid entries, bundled first, then the user's files (which override by id).

    An invalid entry is skipped and reported; the rest of its file, the other files and the
    user's data are unaffected.
    """
    problems: list[Problem] = []
    by_id: dict[str, tuple[str, dict[str, Any]]] = {}
    for origin, files in (
        ("bundled", bundled_title_files()),
        ("user-file", catalogue_files(user_catalogue_dir())),
    ):
        for path in files:
            # Each file is parsed once: the entries validated are the entries indexed.
            try:
                entries = read_catalogue_file(path)
            except CatalogueError as exc:
                problems.append(Problem(str(path), None, None, exc.message.split(": ", 1)[-1]))
                continue  # unreadable: skip the file
            file_problems = _validate_entries(path, entries, vocab, strict=False)
            problems.extend(file_problems)
            broken_ids = {p.entry for p in file_problems}
            if None in broken_ids:
                continue  # an entry without a usable id: skip the file
            for entry in entries:
                if entry["id"] not in broken_ids:
                    by_id[entry["id"]] = (origin, {**entry, "_file": str(path)})
    return list(by_id.values()), problems


def _name_years(titles: list[Any]) -> set[tuple[str, int | None]]:
    from kwatch.textnorm import name_key

    return {
        (name_key(name), t.year) for t in titles for name in (t.title, t.original_title) if name
    }


def database_file(conn: sqlite3.Connection) -> Path | None:
    """The file behind `conn` (None for an in-memory database)."""
    row = conn.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else None


def default_layer(conn: sqlite3.Connection) -> Path | None:
    from kwatch.paths import opendata_layer_path

    path = database_file(conn)
    return opendata_layer_path(path) if path else None


def sync_catalogue(
    conn: sqlite3.Connection,
    *,
    force: bool = False,
    stamp: str | None = None,
    layer: Path | None = None,
) -> list[Problem]:
    """Rebuild the catalogue index when its inputs changed (the files, the open-data layer);
    return problems found in them. `layer` defaults to the one next to the database."""
    layer = layer or default_layer(conn)
    stamp = stamp or index_fingerprint(layer)
    if not force and get_meta(conn, "catalogue_fingerprint") == stamp:
        return []
    with bulk_work(conn):
        return _rebuild(conn, stamp, layer)


def _rebuild(conn: sqlite3.Connection, stamp: str, layer: Path | None) -> list[Problem]:
    from kwatch.opendata.layer import read_layer
    from kwatch.opendata.merge import merge_layer
    from kwatch.titles import INDEX_TABLES, index_titles, title_from_entry, titles_by_ids

    vocab = load_vocabulary()
    entries, problems = load_entries(vocab)
    opendata = None
    if layer is not None:
        try:
            opendata = read_layer(layer)
        except CatalogueError as exc:
            problems.append(Problem(str(layer), None, None, exc.message))
    with transaction(conn):
        # The user's own titles, read before the index they are found through is cleared.
        custom_ids = [r[0] for r in conn.execute("SELECT id FROM titles WHERE origin = 'custom'")]
        custom = list(titles_by_ids(conn, custom_ids).values())
        # Secondary indexes are dropped first and built again once the rows are in: one sort
        # each instead of tens of thousands of scattered B-tree updates. Their definitions
        # come from SQLite itself, so the migrations stay the one place they are written.
        indexes = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('titles', 'releases', 'title_names', 'title_ids')"
        ).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        # Rebuild the whole index: cheaper than deleting title by title from FTS, and the
        # user's own titles are re-indexed from their rows, which are never touched.
        for table in INDEX_TABLES:
            if table == "titles_fts":
                # Dropping and recreating the full-text table (from its own definition, kept
                # by SQLite) is several times faster than deleting its rows one by one.
                (sql,) = conn.execute(
                    "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
                ).fetchone()
                conn.execute(f"DROP TABLE {table}")
                conn.execute(sql)
            else:
                conn.execute(f"DELETE FROM {table}")
        # Kept: the user's own titles and the titles a release refresh fetched (their rows are
        # their only copy); both are re-indexed from their rows.
        conn.execute("DELETE FROM titles WHERE origin NOT IN ('custom', 'kobis')")
        # A fetched title that a catalogue file now describes gives way to it (same id: the
        # refreshed releases stay attached to the id).
        entry_ids = [e["id"] for _, e in entries]
        for start in range(0, len(entry_ids), 500):
            chunk = entry_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            conn.execute(f"DELETE FROM titles WHERE origin = 'kobis' AND id IN ({marks})", chunk)
        conn.execute("DELETE FROM releases WHERE origin = 'catalogue'")
        fetched_ids = [r[0] for r in conn.execute("SELECT id FROM titles WHERE origin = 'kobis'")]
        fetched = list(titles_by_ids(conn, fetched_ids).values())
        index_titles(conn, custom + fetched, write_rows=False)
        custom_set = set(custom_ids)
        kept = []
        for origin, entry in entries:
            if entry["id"] in custom_set:
                problems.append(
                    Problem(
                        entry["_file"],
                        entry["id"],
                        "id",
                        "same id as one of your own titles (add --custom); yours is kept",
                    )
                )
                continue
            kept.append((origin, entry))
        merged = (
            merge_layer(kept, opendata, custom_set | set(fetched_ids), _name_years(custom))[0]
            if opendata
            else [(origin, entry, None) for origin, entry in kept]
        )
        fresh = [title_from_entry(entry, origin, note) for origin, entry, note in merged]
        index_titles(conn, fresh, source_files={e["id"]: e.get("_file") for _, e, _ in merged})
        for _, sql in indexes:
            conn.execute(sql)
        set_meta(conn, "catalogue_fingerprint", stamp)
    return problems
