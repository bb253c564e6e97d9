"""Bring history in: Letterboxd and IMDb exports, and kwatch's own JSON export.

An import has two steps. `prepare_letterboxd` / `prepare_imdb` look at the files without touching
the database: what each file is (by name and header, never by column position), which encoding
it is in, and whether its header is one we know; any problem with a whole file stops the import
there with a message that says what was expected. `run_import` then reads every row as a stream
and writes in batches inside ONE transaction, so a bad file, a crash or Ctrl-C leaves the
database exactly as it was, and `dry_run` rolls back on purpose after building the report.

A row that cannot be imported (no title, a rating of 6, a date in the future) is rejected with
its file, line and reason; the rest of the import goes on.

The export's files overlap (a diary entry is also in watched.csv and often in ratings.csv): the
import folds them per title, so each thing is counted and written once. Every imported viewing
and note carries an import key (see migration m003_import_keys), and a title that is not in the
catalogue becomes a user title with the id slug(title)-year, so importing the same export again,
or a newer export of the same account, finds everything again and adds nothing twice.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sqlite3
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from kwatch.db import transaction
from kwatch.errors import InvalidInput
from kwatch.models import Title
from kwatch.textnorm import name_key, slugify
from kwatch.titles import index_titles, name_keys
from kwatch.values import KINDS, PRECISIONS, STATUSES, half_stars

# Title names that identify a film for matching (not its id or Hangul initials).
MATCH_NAME_KINDS = ("title", "alt", "original", "romanized")
# A review longer than this is not a review: stops a runaway quoted field from eating memory.
MAX_FIELD_BYTES = 1 << 20
REJECTED_LISTED = 1000
BATCH_ROWS = 5000
BATCH_TEXT_BYTES = 4 << 20  # long reviews: flush by size too, so memory stays flat
REPORT_KINDS = ("titles", "entries", "viewings", "ratings", "notes", "tags", "releases")
DEFAULT_PRIORITY = 3
EXPORT_FORMAT = "kwatch-export"
EXPORT_VERSION = 1


# --------------------------------------------------------------------------------------------
# The report


@dataclass(frozen=True)
class Rejected:
    file: str
    row: int | None  # line number in the file (the header is line 1); entry number in JSON
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "reason": self.reason}


@dataclass(frozen=True)
class FileUsed:
    file: str
    kind: str  # diary, watched, ratings, reviews, watchlist, list, ignored, kwatch-export...
    rows: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "kind": self.kind, "rows": self.rows}


@dataclass(frozen=True)
class ImportReport:
    """What an import did. Counts are of things, not of rows: a film that is in diary.csv,
    watched.csv and ratings.csv is one entry, one viewing and one rating.

    - added: things newly written (user titles, library entries, viewings, ratings, notes, tags)
    - matched: distinct titles of the import found in the catalogue (the rest are user titles)
    - unchanged: things the database already had (importing the same export twice: all of them)
    - updated: things that were there but changed (a viewing's date or rating edited at the
      source, a newer rating, a planned title now watched)
    - rejected: rows that were skipped, each with its file, line and reason
    """

    source: str
    path: str
    dry_run: bool
    counts: dict[str, dict[str, int]]
    matched: int
    rejected: tuple[Rejected, ...]
    rejected_count: int
    files: tuple[FileUsed, ...]
    warnings: tuple[str, ...]

    def _total(self, what: str) -> int:
        return sum(c[what] for c in self.counts.values())

    @property
    def added(self) -> int:
        return self._total("added")

    @property
    def updated(self) -> int:
        return self._total("updated")

    @property
    def unchanged(self) -> int:
        return self._total("unchanged")

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "path": self.path,
            "dry_run": self.dry_run,
            "added": self.added,
            "matched": self.matched,
            "unchanged": self.unchanged,
            "updated": self.updated,
            "rejected": [r.to_dict() for r in self.rejected],
            "rejected_count": self.rejected_count,
            "counts": {k: dict(v) for k, v in self.counts.items()},
            "files": [f.to_dict() for f in self.files],
            "warnings": list(self.warnings),
        }


class _RowError(Exception):
    """One row cannot be imported; the message is the reason shown in the report."""


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


# --------------------------------------------------------------------------------------------
# Files: where they are, what they are, how they are encoded


@dataclass(frozen=True)
class Source:
    name: str  # how reports name it: "diary.csv", "export.zip:lists/zatoichi.csv"
    member: str  # its path inside the export, "/"-separated
    opener: Callable[[], IO[bytes]]


@dataclass(frozen=True)
class PlannedFile:
    source: Source
    kind: str
    encoding: str
    header: tuple[str, ...]
    warning: str | None = None


@dataclass(frozen=True)
class ImportPlan:
    service: str
    path: str
    files: tuple[PlannedFile, ...]
    ignored: tuple[str, ...]
    warnings: tuple[str, ...]


def _sources(path: Path) -> tuple[list[Source], str]:
    """The CSV files under `path`: a folder, a ZIP, or one file. Returns (sources, container)."""
    if not path.exists():
        raise InvalidInput(
            f"{path} does not exist; give the export ZIP, the folder it unzips to, or one CSV file."
        )
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".csv")
        return [
            Source(
                p.relative_to(path).as_posix(),
                p.relative_to(path).as_posix(),
                lambda p=p: p.open("rb"),
            )
            for p in files
        ], "folder"
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                members = [
                    info.filename
                    for info in archive.infolist()
                    if not info.is_dir()
                    and info.filename.lower().endswith(".csv")
                    and not info.filename.startswith("__MACOSX/")
                ]
        except (zipfile.BadZipFile, OSError) as exc:
            raise InvalidInput(f"{path} is not a readable ZIP file ({exc}).") from None

        def opener(member: str) -> Callable[[], IO[bytes]]:
            def open_member() -> IO[bytes]:
                archive = zipfile.ZipFile(path)
                handle = archive.open(member)
                archive.close()  # the member handle keeps the file open until it is closed
                return handle

            return open_member

        return [Source(f"{path.name}:{m}", m, opener(m)) for m in sorted(members)], "zip"
    if path.suffix.lower() == ".zip":
        raise InvalidInput(f"{path} is not a readable ZIP file; download the export again.")
    return [Source(path.name, path.name, lambda: path.open("rb"))], "file"


_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


def detect_encoding(src: Source) -> tuple[str, str | None]:
    """(encoding, warning). UTF-8 (with or without BOM) and UTF-16 with a BOM are read as they
    are; anything else is read as Windows-1252 (or Latin-1), with a warning. The whole file is
    checked (in 1 MiB chunks) before a row is read, so the choice never changes half-way."""
    try:
        with src.opener() as fh:
            head = fh.read(4)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return "utf-16", None
            decoder = codecs.getincrementaldecoder("utf-8")()
            chunk, fallback = head, False
            while chunk:
                if b"\x00" in chunk:
                    raise InvalidInput(
                        f"{src.name} is a binary file, not a CSV export; nothing was imported."
                    )
                if not fallback:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        fallback = True
                chunk = fh.read(1 << 20)
            if not fallback:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    fallback = True
            if not fallback:
                return "utf-8-sig", None
        with src.opener() as fh:
            undefined = False
            while chunk := fh.read(1 << 20):
                if _CP1252_UNDEFINED.search(chunk):
                    undefined = True
                    break
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError) as exc:
        raise InvalidInput(f"cannot read {src.name}: {exc}.") from None
    encoding, label = ("latin-1", "Latin-1") if undefined else ("cp1252", "Windows-1252")
    return encoding, (
        f"{src.name} is not UTF-8; read it as {label}. If accented letters look wrong, "
        "save the file as UTF-8 and import it again."
    )


def _rows(src: Source, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(line number where the row starts, fields), streamed: memory does not grow with the file."""
    if csv.field_size_limit() < MAX_FIELD_BYTES:
        csv.field_size_limit(MAX_FIELD_BYTES)
    line = 1
    try:
        with src.opener() as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
            reader = csv.reader(text)
            for fields in reader:
                yield line, fields
                line = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidInput(
            f"{src.name}, line {line}: {exc}. The file is not a well-formed CSV export; "
            "nothing was imported."
        ) from None
    except (UnicodeDecodeError, OSError, zipfile.BadZipFile, EOFError, RuntimeError) as exc:
        raise InvalidInput(f"cannot read {src.name}: {exc}; nothing was imported.") from None


def _norm(name: str) -> str:
    return name.strip().lstrip("\ufeff").casefold()


def _first_rows(src: Source, encoding: str, count: int) -> list[list[str]]:
    """The first `count` non-empty rows (enough to recognise a file)."""
    out: list[list[str]] = []
    rows = _rows(src, encoding)
    try:
        for _, fields in rows:
            if any(f.strip() for f in fields):
                out.append(fields)
                if len(out) >= count:
                    break
    finally:
        rows.close()
    return out


@dataclass(frozen=True)
class FileSpec:
    kind: str
    filename: str
    columns: tuple[str, ...]  # as the service writes them, for messages
    required: tuple[str, ...]

    def check(self, src: Source, header: list[str]) -> tuple[str, ...]:
        names = tuple(_norm(h) for h in header)
        missing = [c for c in self.required if _norm(c) not in names]
        if missing:
            raise InvalidInput(
                f"{src.name} does not look like {self.filename} from the export: it has no "
                f"{', '.join(repr(m) for m in missing)} column. Expected the header: "
                f"{','.join(self.columns)}. Found: {','.join(h.strip() for h in header)[:200]}."
            )
        return names


LB_SPECS = {
    "watched": FileSpec(
        "watched", "watched.csv", ("Date", "Name", "Year", "Letterboxd URI"), ("Name", "Year")
    ),
    "diary": FileSpec(
        "diary",
        "diary.csv",
        ("Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Tags", "Watched Date"),
        ("Name", "Year", "Watched Date"),
    ),
    "reviews": FileSpec(
        "reviews",
        "reviews.csv",
        (
            "Date",
            "Name",
            "Year",
            "Letterboxd URI",
            "Rating",
            "Rewatch",
            "Review",
            "Tags",
            "Watched Date",
        ),
        ("Name", "Year", "Review"),
    ),
    "ratings": FileSpec(
        "ratings",
        "ratings.csv",
        ("Date", "Name", "Year", "Letterboxd URI", "Rating"),
        ("Name", "Year", "Rating"),
    ),
    "watchlist": FileSpec(
        "watchlist", "watchlist.csv", ("Date", "Name", "Year", "Letterboxd URI"), ("Name", "Year")
    ),
}
LB_LIST_META = FileSpec(
    "list", "a list file (lists/*.csv)", ("Date", "Name", "Tags", "URL", "Description"), ("Name",)
)
LB_LIST_ITEMS = FileSpec(
    "list",
    "a list file (lists/*.csv)",
    ("Position", "Name", "Year", "URL", "Description"),
    ("Name", "Year"),
)
# Read in this order so a title's facts arrive before what refers to them.
LB_ORDER = ("watched", "diary", "reviews", "ratings", "watchlist", "list")
# Folders of a Letterboxd export that hold things that are not the user's history.
LB_IGNORED_FOLDERS = {"deleted", "orphaned", "likes"}

IMDB_SPECS = {
    "ratings": FileSpec(
        "imdb-ratings",
        "IMDb's ratings.csv",
        (
            "Const",
            "Your Rating",
            "Date Rated",
            "Title",
            "Original Title",
            "URL",
            "Title Type",
            "IMDb Rating",
            "Runtime (mins)",
            "Year",
            "Genres",
            "Num Votes",
            "Release Date",
            "Directors",
        ),
        ("Const", "Your Rating", "Title"),
    ),
    "watchlist": FileSpec(
        "imdb-watchlist",
        "IMDb's watchlist.csv",
        (
            "Position",
            "Const",
            "Created",
            "Modified",
            "Description",
            "Title",
            "Original Title",
            "URL",
            "Title Type",
            "IMDb Rating",
            "Runtime (mins)",
            "Year",
            "Genres",
            "Num Votes",
            "Release Date",
            "Directors",
            "Your Rating",
            "Date Rated",
        ),
        ("Const", "Title", "Position"),
    ),
}


def _is_list_file(rows: list[list[str]]) -> bool:
    if not rows:
        return False
    first = [_norm(f) for f in rows[0]]
    if first and first[0].startswith("letterboxd list export"):
        return True
    return {"name", "url", "description"} <= set(first) and "year" not in first


def _list_headers(rows: list[list[str]]) -> tuple[list[str], list[str]]:
    """(list meta header, items header) of a list file's first rows."""
    rows = [r for r in rows if not _norm(r[0]).startswith("letterboxd list export")]
    if len(rows) < 3:
        return (rows[0] if rows else []), []
    return rows[0], rows[2]


def _is_imdb(rows: list[list[str]]) -> bool:
    header = {_norm(h) for h in (rows[0] if rows else [])}
    return {"const", "your rating"} <= header or {"const", "position"} <= header


def _guess_letterboxd_kind(src: Source, rows: list[list[str]]) -> str:
    if _is_list_file(rows):
        return "list"
    header = {_norm(h) for h in (rows[0] if rows else [])}
    if _is_imdb(rows):
        raise InvalidInput(f"{src.name} is an IMDb export; import it with `kwatch import imdb`.")
    if "review" in header:
        return "reviews"
    if "watched date" in header:
        return "diary"
    if "rating" in header:
        return "ratings"
    if {"name", "year"} <= header:
        stem = Path(src.member).stem.casefold()
        if "watchlist" in stem:
            return "watchlist"
        if "watched" in stem:
            return "watched"
        raise InvalidInput(
            f"{src.name} could be watched.csv or watchlist.csv (they have the same columns); "
            "keep the name Letterboxd gave it, or rename it to watched.csv or watchlist.csv."
        )
    raise InvalidInput(
        f"{src.name} is not a file of a Letterboxd export: its header is "
        f"{','.join(h.strip() for h in (rows[0] if rows else []))[:200]!r}. Expected one of: "
        + "; ".join(f"{s.filename}: {','.join(s.columns)}" for s in LB_SPECS.values())
        + f"; lists/*.csv: {','.join(LB_LIST_ITEMS.columns)}."
    )


def _kind_from_member(member: str) -> str | None:
    parts = member.split("/")
    base = parts[-1].casefold()
    parents = [p.casefold() for p in parts[:-1]]
    if parents and parents[-1] == "lists":
        return "list"
    if any(p in LB_IGNORED_FOLDERS for p in parents):
        return None
    stem = base.removesuffix(".csv")
    return stem if stem in LB_SPECS else None


def _plan_file(
    src: Source,
    kind: str,
    spec_for: Callable[[str], FileSpec],
    encoding: tuple[str, str | None] | None = None,
) -> PlannedFile:
    encoding, warning = encoding or detect_encoding(src)
    rows = _first_rows(src, encoding, 4 if kind == "list" else 1)
    if not rows:
        raise InvalidInput(
            f"{src.name} is empty: it has no header and no rows. Export your data again; "
            "nothing was imported."
        )
    if kind == "list":
        meta, items = _list_headers(rows)
        LB_LIST_META.check(src, meta)
        header = LB_LIST_ITEMS.check(src, items)
    else:
        header = spec_for(kind).check(src, rows[0])
    return PlannedFile(src, kind, encoding, header, warning)


def _warnings_for(files: list[PlannedFile]) -> list[str]:
    return [f.warning for f in files if f.warning]


def prepare_letterboxd(path: Path) -> ImportPlan:
    """Check a Letterboxd export (ZIP, folder or one CSV) before anything is written."""
    sources, container = _sources(path)
    planned: list[PlannedFile] = []
    ignored: list[str] = []
    if container == "file":
        src = sources[0]
        encoding = detect_encoding(src)
        rows = _first_rows(src, encoding[0], 4)
        if not rows:
            raise InvalidInput(f"{src.name} is empty: it has no header and no rows.")
        # The name Letterboxd gave it decides (so a wrong header gets that file's expected
        # header in the message); a renamed file is recognised by its header.
        named = _kind_from_member(src.member)
        kind = _guess_letterboxd_kind(src, rows) if named is None or _is_imdb(rows) else named
        planned.append(_plan_file(src, kind, LB_SPECS.__getitem__, encoding))
    else:
        chosen: dict[str, Source] = {}
        for src in sources:
            kind = _kind_from_member(src.member)
            if kind is None:
                ignored.append(src.name)
            elif kind == "list":
                planned.append(_plan_file(src, "list", LB_SPECS.__getitem__))
            elif kind in chosen:
                # Two diary.csv files (say, one in a sub-folder): the shallower one is the export.
                keep, drop = sorted([chosen[kind], src], key=lambda s: s.member.count("/"))
                chosen[kind] = keep
                ignored.append(drop.name)
            else:
                chosen[kind] = src
        planned += [_plan_file(s, k, LB_SPECS.__getitem__) for k, s in chosen.items()]
        if not planned:
            what = "ZIP" if container == "zip" else "folder"
            raise InvalidInput(
                f"{path} is a {what} but not a Letterboxd export: it has none of "
                "watched.csv, diary.csv, ratings.csv, reviews.csv, watchlist.csv or lists/*.csv. "
                "Download the export from letterboxd.com/settings/data and give its ZIP."
            )
    planned.sort(key=lambda f: (LB_ORDER.index(f.kind), f.source.member))
    return ImportPlan(
        "letterboxd", str(path), tuple(planned), tuple(ignored), tuple(_warnings_for(planned))
    )


def _guess_imdb_kind(src: Source, rows: list[list[str]]) -> str:
    header = {_norm(h) for h in (rows[0] if rows else [])}
    if "const" in header and "position" in header:
        return "watchlist"
    if "const" in header and "your rating" in header:
        return "ratings"
    if _is_list_file(rows) or "letterboxd uri" in header:
        raise InvalidInput(
            f"{src.name} is a Letterboxd export; import it with `kwatch import letterboxd`."
        )
    raise InvalidInput(
        f"{src.name} is not an IMDb ratings or watchlist export: its header is "
        f"{','.join(h.strip() for h in (rows[0] if rows else []))[:200]!r}. Expected "
        f'ratings.csv: {",".join(IMDB_SPECS["ratings"].columns)} ("Original Title" only in '
        f"exports since 2024); or watchlist.csv: {','.join(IMDB_SPECS['watchlist'].columns)}."
    )


def prepare_imdb(paths: list[Path]) -> ImportPlan:
    """Check IMDb ratings / watchlist CSVs (files, folders or ZIPs) before anything is written."""
    planned: list[PlannedFile] = []
    for path in paths:
        sources, _ = _sources(path)
        if not sources:
            raise InvalidInput(f"{path} holds no CSV files; give IMDb's ratings or watchlist CSV.")
        for src in sources:
            encoding = detect_encoding(src)
            rows = _first_rows(src, encoding[0], 1)
            if not rows:
                raise InvalidInput(f"{src.name} is empty: it has no header and no rows.")
            kind = _guess_imdb_kind(src, rows)
            planned.append(_plan_file(src, kind, IMDB_SPECS.__getitem__, encoding))
    # Ratings first: a rated title on the watchlist is a seen title.
    planned.sort(key=lambda f: (f.kind != "ratings", f.source.name))
    return ImportPlan(
        "imdb", ", ".join(str(p) for p in paths), tuple(planned), (), tuple(_warnings_for(planned))
    )


# --------------------------------------------------------------------------------------------
# Values in rows


_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def _day(text: str, what: str, today: date, *, required: bool = False) -> str | None:
    value = text.strip()
    if not value:
        if required:
            raise _RowError(f"{what} is empty")
        return None
    parsed = None
    if m := _DAY.match(value):
        try:
            parsed = date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            parsed = None
    else:
        # Older IMDb exports wrote dates like "Sat Jan 12 00:00:00 2019".
        for form in ("%a %b %d %H:%M:%S %Y", "%d/%m/%Y"):
            try:
                parsed = datetime.strptime(value, form).date()
                break
            except ValueError:
                continue
    if parsed is None:
        raise _RowError(f"{what} {value!r} is not a date (expected YYYY-MM-DD)")
    if parsed > today:
        raise _RowError(f"{what} {value} is in the future (today is {today.isoformat()})")
    return parsed.isoformat()


def _year(text: str, today: date) -> int | None:
    value = text.strip()
    if not value:
        return None
    if not (value.isdigit() and len(value) == 4 and 1870 <= int(value) <= today.year + 10):
        raise _RowError(f"Year {value!r} is not a year")
    return int(value)


def _letterboxd_rating(text: str, *, required: bool = False) -> int | None:
    value = text.strip()
    if not value:
        if required:
            raise _RowError("Rating is empty")
        return None
    try:
        halves = half_stars(float(value), 5)
    except ValueError:
        raise _RowError(f"Rating {value!r} is not a number") from None
    if halves is None:
        raise _RowError(f"Rating {value} is out of range: Letterboxd ratings are 0.5 to 5 stars")
    return halves


def _imdb_rating(text: str, *, required: bool = False) -> int | None:
    value = text.strip()
    if not value:
        if required:
            raise _RowError("Your Rating is empty")
        return None
    halves = half_stars(int(value), 10) if value.isdigit() else None
    if halves is None:
        raise _RowError(f"Your Rating {value!r} is out of range: IMDb ratings are whole 1 to 10")
    return halves  # 7/10 is 7 half stars, 3.5 stars


def _tags(text: str) -> list[str]:
    return list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))


# --------------------------------------------------------------------------------------------
# Writing user titles in bulk


def _insert_titles(
    conn: sqlite3.Connection,
    titles: list[Title],
    keys: dict[str, list[tuple[str, str]]] | None = None,
) -> None:
    """Write new user titles in bulk; their releases are added separately, as user releases."""
    index_titles(conn, titles, write_releases=False, keys=keys)


# --------------------------------------------------------------------------------------------
# The import engine: folds rows per title, writes in batches


@dataclass
class _Seen:
    """What this import says about one title."""

    completed: bool = False
    planned: bool = False
    first: str | None = None
    rating: tuple[int, str, int, str | None] | None = None  # (rank, when, half stars, rated_on)
    tags: set[str] = field(default_factory=set)

    def at(self, when: str | None) -> None:
        if when and (self.first is None or when < self.first):
            self.first = when


class _Counts:
    def __init__(self) -> None:
        self.by_kind = {k: {"added": 0, "updated": 0, "unchanged": 0} for k in REPORT_KINDS}

    def __call__(self, kind: str, what: str, n: int = 1) -> None:
        self.by_kind[kind][what] += n


class _Importer:
    def __init__(self, conn: sqlite3.Connection, today: date):
        self.conn = conn
        self.today = today
        self.count = _Counts()
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
        # IMDb ids of the catalogue and the Wikidata layer: an IMDb row's Const names its
        # film exactly, whatever the title is called there.
        self.imdb_ids = {
            value: tid
            for tid, value in c.execute(
                "SELECT title_id, value FROM title_ids WHERE scheme = 'imdb' ORDER BY title_id DESC"
            )
        }
        self.entries = {
            r[0]: (r[1], r[2], r[3])
            for r in c.execute("SELECT title_id, status, rating, rated_on FROM entries")
        }
        self.tags = {(r[0], r[1]) for r in c.execute("SELECT title_id, tag FROM entry_tags")}
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
            raise _RowError(f"the title {name!r} has no letters or digits")
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
        when: str | None = None,
        tags: list[str] | tuple[str, ...] = (),
        rating: tuple[int, str, int, str | None] | None = None,
    ) -> None:
        seen = self.seen.get(tid)
        if seen is None:
            seen = self.seen[tid] = _Seen()
        seen.completed |= completed
        seen.planned |= planned
        seen.at(when)
        seen.tags.update(tags)
        if rating and (seen.rating is None or rating[:2] > seen.rating[:2]):
            seen.rating = rating

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
            c.executemany(
                "INSERT INTO viewings (title_id, date, precision, rating, note, rewatch,"
                " created_on, import_key) VALUES (?,?,?,?,?,?,?,?)",
                self.viewing_rows,
            )
            self.viewing_rows = []
        if self.viewing_updates:
            c.executemany(
                "UPDATE viewings SET date = ?, rating = ?, rewatch = ? WHERE id = ?",
                self.viewing_updates,
            )
            self.viewing_updates = []
        if self.adopted:
            c.executemany("UPDATE viewings SET import_key = ? WHERE id = ?", self.adopted)
            self.adopted = []
        if self.note_rows:
            c.executemany(
                "INSERT INTO entry_notes (title_id, text, created_on, import_key) VALUES (?,?,?,?)",
                self.note_rows,
            )
            self.note_rows = []
            self.note_bytes = 0
        if self.note_updates:
            c.executemany("UPDATE entry_notes SET text = ? WHERE id = ?", self.note_updates)
            self.note_updates = []

    def finish(self) -> None:
        _insert_titles(self.conn, list(self.new_titles.values()), self.title_keys)
        self.count("titles", "added", len(self.new_titles))
        self.count(
            "titles", "unchanged", sum(1 for t in self.seen if self.origins.get(t) == "custom")
        )
        self.flush()
        today = self.today.isoformat()
        new_entries, history, status_updates, rating_updates, new_tags = [], [], [], [], []
        for tid, seen in self.seen.items():
            status = "completed" if seen.completed else "planned"
            value, rated_on = (seen.rating[2], seen.rating[3]) if seen.rating else (None, None)
            existing = self.entries.get(tid)
            if existing is None:
                on = seen.first or today
                new_entries.append(
                    (
                        tid,
                        on,
                        status,
                        DEFAULT_PRIORITY,
                        value,
                        (rated_on or on) if value is not None else None,
                    )
                )
                history.append((tid, status, on))
                self.count("entries", "added")
                if value is not None:
                    self.count("ratings", "added")
            else:
                old_status, old_rating, old_rated_on = existing
                if seen.completed and old_status != "completed":
                    status_updates.append(("completed", tid))
                    history.append((tid, "completed", today))
                    self.count("entries", "updated")
                else:
                    self.count("entries", "unchanged")
                if value is not None:
                    if old_rating is None:
                        rating_updates.append((value, rated_on or today, tid))
                        self.count("ratings", "added")
                    elif old_rating == value:
                        self.count("ratings", "unchanged")
                    elif (rated_on or "") > (old_rated_on or ""):
                        # The newest rating wins: rated again at the source since.
                        rating_updates.append((value, rated_on, tid))
                        self.count("ratings", "updated")
                    else:
                        self.count("ratings", "unchanged")
            for tag in sorted(seen.tags):
                if (tid, tag) in self.tags:
                    self.count("tags", "unchanged")
                else:
                    self.tags.add((tid, tag))
                    new_tags.append((tid, tag))
                    self.count("tags", "added")
        c = self.conn
        c.executemany(
            "INSERT INTO entries (title_id, added_on, status, priority, rating, rated_on)"
            " VALUES (?,?,?,?,?,?)",
            new_entries,
        )
        c.executemany("UPDATE entries SET status = ? WHERE title_id = ?", status_updates)
        c.executemany(
            "UPDATE entries SET rating = ?, rated_on = ? WHERE title_id = ?", rating_updates
        )
        c.executemany(
            "INSERT INTO status_history (title_id, status, changed_on) VALUES (?,?,?)", history
        )
        c.executemany("INSERT INTO entry_tags (title_id, tag) VALUES (?,?)", new_tags)


# --------------------------------------------------------------------------------------------
# Row readers


Getter = Callable[[str], str]


def _getter(header: tuple[str, ...], fields: list[str]) -> Getter:
    index = {name: i for i, name in enumerate(header)}

    def get(name: str) -> str:
        i = index.get(name)
        return fields[i].strip() if i is not None and i < len(fields) else ""

    return get


def _name_year(get: Getter, today: date) -> tuple[str, int | None]:
    name = get("name")
    if not name:
        raise _RowError("Name is empty")
    return name, _year(get("year"), today)


def _lb_watched(imp: _Importer, f: PlannedFile, get: Getter) -> None:
    name, year = _name_year(get, imp.today)
    logged = _day(get("date"), "Date", imp.today)
    imp.touch(imp.resolve(name, year), completed=True, when=logged)


def _lb_watchlist(imp: _Importer, f: PlannedFile, get: Getter) -> None:
    name, year = _name_year(get, imp.today)
    added = _day(get("date"), "Date", imp.today)
    imp.touch(imp.resolve(name, year), planned=True, when=added)


def _lb_ratings(imp: _Importer, f: PlannedFile, get: Getter) -> None:
    name, year = _name_year(get, imp.today)
    rating = _letterboxd_rating(get("rating"), required=True)
    rated = _day(get("date"), "Date", imp.today)
    tid = imp.resolve(name, year)
    # ratings.csv holds the film's current rating: it outranks the per-viewing ones.
    imp.touch(tid, completed=True, when=rated, rating=(2, rated or "", rating, rated))


def _lb_diary(imp: _Importer, f: PlannedFile, get: Getter, *, review: bool = False) -> None:
    name, year = _name_year(get, imp.today)
    watched = _day(get("watched date"), "Watched Date", imp.today, required=not review)
    logged = _day(get("date"), "Date", imp.today)
    rating = _letterboxd_rating(get("rating"))
    rewatch = get("rewatch").casefold() in ("yes", "true", "1")
    tags = _tags(get("tags"))
    text = get("review") if review else ""
    uri = get("letterboxd uri")
    tid = imp.resolve(name, year)
    when = watched or logged or imp.today.isoformat()
    if watched:
        # The diary entry's URI is its identity; without one (rare), the title, the day and
        # the how-many-th row of that title and day in the file.
        key = (
            f"letterboxd:{uri}"
            if uri
            else f"letterboxd:{tid}:{watched}:{imp.nth(f.kind, tid, watched)}"
        )
        imp.viewing(tid, key, watched, rating, rewatch, logged or watched)
    if text:
        key = (
            f"letterboxd:review:{uri}"
            if uri
            else f"letterboxd:review:{tid}:{when}:{imp.nth('review', tid, when)}"
        )
        imp.note(tid, key, text, logged or when)
    imp.touch(
        tid,
        completed=True,
        when=min(d for d in (watched, logged, when) if d),
        tags=tags,
        rating=(1, when, rating, logged or when) if rating is not None else None,
    )


def _lb_reviews(imp: _Importer, f: PlannedFile, get: Getter) -> None:
    _lb_diary(imp, f, get, review=True)


def _read_list(imp: _Importer, f: PlannedFile) -> int:
    """A list file: a meta block (the list's name), a blank line, then the films."""
    stage, tag, list_date, meta_header, count = 0, "", None, (), 0
    list_slug = ""
    for line, fields in _rows(f.source, f.encoding):
        if not any(x.strip() for x in fields):
            continue
        if stage == 0:
            if _norm(fields[0]).startswith("letterboxd list export"):
                continue
            meta_header, stage = tuple(_norm(x) for x in fields), 1
            continue
        if stage == 1:
            get = _getter(meta_header, fields)
            list_name = get("name") or Path(f.source.member).stem
            list_slug = slugify(list_name) or slugify(Path(f.source.member).stem) or "list"
            tag = f"list:{list_slug}"
            try:
                list_date = _day(get("date"), "Date", imp.today)
            except _RowError:
                list_date = None
            stage = 2
            continue
        if stage == 2:
            stage = 3  # the films' header, checked when the import was planned
            continue
        count += 1
        get = _getter(f.header, fields)
        try:
            name, year = _name_year(get, imp.today)
            tid = imp.resolve(name, year)
        except _RowError as exc:
            imp.reject(f.source.name, line, str(exc))
            continue
        imp.touch(tid, planned=True, when=list_date, tags=[tag])
        description = get("description")
        if description:
            imp.note(
                tid,
                f"letterboxd:list:{list_slug}:{tid}",
                description,
                list_date or imp.today.isoformat(),
            )
    return count


def _imdb_title(imp: _Importer, get: Getter) -> str:
    known = imp.imdb_ids.get(get("const").strip())
    if known is not None:
        if imp.origins.get(known, "custom") != "custom":
            imp.matched.add(known)
        return known
    title = get("title")
    original = get("original title")
    if not title and not original:
        raise _RowError("Title is empty")
    year = _year(get("year"), imp.today)
    kind_text = get("title type").casefold().replace(" ", "").replace("-", "")
    kind = "tv-series" if kind_text in ("tvseries", "tvminiseries") else "film"
    runtime_text = get("runtime (mins)")
    runtime = int(runtime_text) if runtime_text.isdigit() else None
    directors = tuple(_tags(get("directors")))
    return imp.resolve(
        title or original,
        year,
        original=original or None,
        directors=directors,
        kind=kind,
        runtime=runtime,
    )


def _imdb_ratings(imp: _Importer, f: PlannedFile, get: Getter) -> None:
    rating = _imdb_rating(get("your rating"), required=True)
    rated = _day(get("date rated"), "Date Rated", imp.today)
    tid = _imdb_title(imp, get)
    imp.touch(tid, completed=True, when=rated, rating=(2, rated or "", rating, rated))


def _imdb_watchlist(imp: _Importer, f: PlannedFile, get: Getter) -> None:
    created = _day(get("created"), "Created", imp.today)
    rating = _imdb_rating(get("your rating"))
    rated = _day(get("date rated"), "Date Rated", imp.today)
    description = get("description")
    const = get("const")
    tid = _imdb_title(imp, get)
    if rating is not None:
        imp.touch(tid, completed=True, when=created, rating=(2, rated or "", rating, rated))
    else:
        imp.touch(tid, planned=True, when=created)
    if description:
        imp.note(
            tid, f"imdb:watchlist:{const or tid}", description, created or imp.today.isoformat()
        )


ROW_READERS: dict[tuple[str, str], Callable[[_Importer, PlannedFile, Getter], None]] = {
    ("letterboxd", "watched"): _lb_watched,
    ("letterboxd", "diary"): _lb_diary,
    ("letterboxd", "reviews"): _lb_reviews,
    ("letterboxd", "ratings"): _lb_ratings,
    ("letterboxd", "watchlist"): _lb_watchlist,
    ("imdb", "ratings"): _imdb_ratings,
    ("imdb", "watchlist"): _imdb_watchlist,
}


def _read_file(imp: _Importer, service: str, f: PlannedFile) -> int:
    if f.kind == "list":
        return _read_list(imp, f)
    reader = ROW_READERS[(service, f.kind)]
    rows = 0
    header_seen = False
    for line, fields in _rows(f.source, f.encoding):
        if not any(x.strip() for x in fields):
            continue
        if not header_seen:
            header_seen = True
            continue
        rows += 1
        try:
            reader(imp, f, _getter(f.header, fields))
        except _RowError as exc:
            imp.reject(f.source.name, line, str(exc))
    return rows


def _in_transaction(conn: sqlite3.Connection, dry_run: bool, work: Callable[[], Any]) -> Any:
    """Run `work` in one transaction; a dry run builds its result and then rolls back."""
    try:
        with transaction(conn):
            result = work()
            if dry_run:
                raise _DryRun(result)
    except _DryRun as done:
        return done.args[0]
    return result


def run_import(
    conn: sqlite3.Connection, plan: ImportPlan, *, today: date, dry_run: bool = False
) -> ImportReport:
    """Import a checked plan in one transaction and report what happened."""

    def work() -> ImportReport:
        imp = _Importer(conn, today)
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

    return _in_transaction(conn, dry_run, work)


def import_letterboxd(
    conn: sqlite3.Connection, path: Path, *, today: date, dry_run: bool = False
) -> ImportReport:
    return run_import(conn, prepare_letterboxd(path), today=today, dry_run=dry_run)


def import_imdb(
    conn: sqlite3.Connection, paths: list[Path], *, today: date, dry_run: bool = False
) -> ImportReport:
    return run_import(conn, prepare_imdb(paths), today=today, dry_run=dry_run)


# --------------------------------------------------------------------------------------------
# kwatch's own export (see exporters.export_document): restore or merge


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
    for key in ("titles", "entries", "releases"):
        if not isinstance(doc.get(key, []), list):
            raise InvalidInput(f'{path}: "{key}" must be a list; it is not a kwatch export.')
    return doc


def _check(ok: bool, reason: str) -> None:
    if not ok:
        raise _RowError(reason)


def _is_day(value: object) -> bool:
    if not isinstance(value, str) or not _DAY.fullmatch(value):
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


@dataclass(frozen=True)
class _ExportEntry:
    title_id: str
    status: str
    priority: int
    rating: int | None
    rated_on: str | None
    added_on: str
    tags: tuple[str, ...]
    notes: tuple[tuple[str, str, str | None], ...]  # text, created_on, import_key
    viewings: tuple[tuple[str, str, int | None, str | None, int, str, str | None], ...]
    history: tuple[tuple[str, str], ...]


def _entry_from_export(item: object) -> _ExportEntry:
    _check(isinstance(item, dict), "an entry must be a JSON object")
    assert isinstance(item, dict)
    tid = item.get("title_id")
    _check(isinstance(tid, str) and tid.strip() != "", "entry has no title_id")
    status = item.get("status")
    _check(status in STATUSES, f"{tid}: status {status!r} is not one of {', '.join(STATUSES)}")
    priority = item.get("priority", DEFAULT_PRIORITY)
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
    history = []
    for h in item.get("status_history", []):
        _check(
            isinstance(h, dict) and h.get("status") in STATUSES and _is_day(h.get("changed_on")),
            f"{tid}: a status_history item needs a status and a changed_on date",
        )
        history.append((h["status"], h["changed_on"]))
    return _ExportEntry(
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


def _take(pool: dict[Any, int], item: Any) -> bool:
    """Remove one `item` from a multiset; True if it was there."""
    if pool.get(item, 0) > 0:
        pool[item] -= 1
        return True
    return False


def _multiset(rows: list[tuple]) -> dict[tuple, int]:
    out: dict[tuple, int] = {}
    for row in rows:
        out[row] = out.get(row, 0) + 1
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
        count = _Counts()
        rejected: list[Rejected] = []
        warnings: list[str] = []
        c = conn
        origins = {r[0]: r[1] for r in c.execute("SELECT id, origin FROM titles")}
        doc_titles: dict[str, Title] = {}
        new_titles: list[Title] = []
        for n, item in enumerate(doc.get("titles", []), start=1):
            try:
                title = _title_from_export(item)
            except _RowError as exc:
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

        entries: list[_ExportEntry] = []
        for n, item in enumerate(doc.get("entries", []), start=1):
            try:
                entry = _entry_from_export(item)
                if entry.title_id not in origins:
                    if entry.title_id not in doc_titles:
                        raise _RowError(
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
            except _RowError as exc:
                rejected.append(Rejected(name, n, f"entry {n}: {exc}"))
        _insert_titles(c, new_titles)

        releases = []
        for n, item in enumerate(doc.get("releases", []), start=1):
            try:
                release = _release_from_export(item)
            except _RowError as exc:
                rejected.append(Rejected(name, n, f"release {n}: {exc}"))
                continue
            releases.append(release)
        existing_releases = _multiset(
            [
                tuple(r)
                for r in c.execute(
                    "SELECT title_id, date, precision, region, type, note, source FROM releases"
                    " WHERE origin = 'user'"
                )
            ]
        )
        for release in releases:
            if _take(existing_releases, release):
                count("releases", "unchanged")
                continue
            c.execute(
                "INSERT INTO releases (title_id, date, precision, region, type, note, source,"
                " origin) VALUES (?,?,?,?,?,?,?, 'user')",
                release,
            )
            count("releases", "added")

        for entry in entries:
            _merge_entry(c, entry, count, today)
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

    return _in_transaction(conn, dry_run, work)


def _merge_entry(c: sqlite3.Connection, e: _ExportEntry, count: _Counts, today: date) -> None:
    tid = e.title_id
    row = c.execute(
        "SELECT status, rating, rated_on FROM entries WHERE title_id = ?", (tid,)
    ).fetchone()
    if row is None:
        c.execute(
            "INSERT INTO entries (title_id, added_on, status, priority, rating, rated_on)"
            " VALUES (?,?,?,?,?,?)",
            (tid, e.added_on, e.status, e.priority, e.rating, e.rated_on),
        )
        count("entries", "added")
        if e.rating is not None:
            count("ratings", "added")
        old_history: dict[tuple, int] = {}
        old_notes: dict[tuple, int] = {}
        old_viewings: dict[tuple, int] = {}
        tags: set[str] = set()
        latest_before = ""
    else:

        def rows(sql: str) -> dict[tuple, int]:
            return _multiset([tuple(r) for r in c.execute(sql, (tid,))])

        old_history = rows("SELECT status, changed_on FROM status_history WHERE title_id = ?")
        latest_before = max((h[1] for h in old_history), default="")
        old_notes = rows("SELECT text, created_on FROM entry_notes WHERE title_id = ?")
        old_viewings = rows(
            "SELECT date, precision, rating, note, rewatch, created_on FROM viewings"
            " WHERE title_id = ?"
        )
        tags = {r[0] for r in c.execute("SELECT tag FROM entry_tags WHERE title_id = ?", (tid,))}
        if e.rating is not None:
            if row["rating"] is None or (
                row["rating"] != e.rating and (e.rated_on or "") > (row["rated_on"] or "")
            ):
                c.execute(
                    "UPDATE entries SET rating = ?, rated_on = ? WHERE title_id = ?",
                    (e.rating, e.rated_on, tid),
                )
                count("ratings", "added" if row["rating"] is None else "updated")
            else:
                count("ratings", "unchanged")
    for tag in e.tags:
        if tag in tags:
            count("tags", "unchanged")
        else:
            tags.add(tag)
            c.execute("INSERT INTO entry_tags (title_id, tag) VALUES (?,?)", (tid, tag))
            count("tags", "added")
    for text, created_on, key in e.notes:
        known = (
            key is not None
            and c.execute("SELECT 1 FROM entry_notes WHERE import_key = ?", (key,)).fetchone()
        )
        if known or _take(old_notes, (text, created_on)):
            count("notes", "unchanged")
            continue
        c.execute(
            "INSERT INTO entry_notes (title_id, text, created_on, import_key) VALUES (?,?,?,?)",
            (tid, text, created_on, key),
        )
        count("notes", "added")
    for day, precision, rating, note, rewatch, created_on, key in e.viewings:
        known = (
            key is not None
            and c.execute("SELECT 1 FROM viewings WHERE import_key = ?", (key,)).fetchone()
        )
        if known or _take(old_viewings, (day, precision, rating, note, rewatch, created_on)):
            count("viewings", "unchanged")
            continue
        c.execute(
            "INSERT INTO viewings (title_id, date, precision, rating, note, rewatch, created_on,"
            " import_key) VALUES (?,?,?,?,?,?,?,?)",
            (tid, day, precision, rating, note, rewatch, created_on, key),
        )
        count("viewings", "added")
    added_history = False
    for status, changed_on in e.history:
        if _take(old_history, (status, changed_on)):
            continue
        c.execute(
            "INSERT INTO status_history (title_id, status, changed_on) VALUES (?,?,?)",
            (tid, status, changed_on),
        )
        added_history = True
    if row is not None:
        latest = max((h[1] for h in e.history), default="")
        if added_history and latest > latest_before and row["status"] != e.status:
            # The export's status changed after this library's last change: it is newer.
            c.execute("UPDATE entries SET status = ? WHERE title_id = ?", (e.status, tid))
            count("entries", "updated")
        else:
            count("entries", "unchanged")
