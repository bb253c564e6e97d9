"""What one line of a sync file says: one record's change, keyed by what names the record on
every machine, stamped with a hybrid logical clock. Pure: no database, no files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from kwatch.sync.layout import FORMAT_VERSION

# How each user table's records are named on every machine. Records SQLite numbers locally
# carry a stable `uid` (migration m008); the others have natural keys.
TABLE_KEYS: dict[str, tuple[str, ...]] = {
    "titles": ("id",),
    "releases": ("title_id", "type", "region", "date", "precision", "note", "source"),
    "source_ids": ("scheme", "value"),
    "likes": ("title_id",),
    "entry_tags": ("title_id", "tag"),
    "entry_notes": ("uid",),
    "viewings": ("uid",),
    "status_history": ("uid",),
    "reviews": ("uid",),
    "list_items": ("list_id", "title_id"),
    "entries": ("title_id",),
    "lists": ("id",),
}
# The local number of these rows never leaves the machine.
LOCAL_NUMBER = "id"
LOCALLY_NUMBERED = frozenset({"entry_notes", "viewings", "status_history", "reviews", "releases"})
# Which rows of a table are user data (the rest is the catalogue, rebuilt from files).
USER_ROWS: dict[str, tuple[str, str]] = {
    "titles": ("origin", "custom"),
    "releases": ("origin", "user"),
}
# A tag added on one machine while another removes it stays (an observed-remove set).
ADD_WINS = frozenset({"entry_tags"})
# A record kept alive by what hangs off it: a title removed on one machine while another logs a
# viewing of it stays in the library, with the viewing (and likewise a list and its items).
PARENTS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "entries": (
        "title_id",
        tuple(
            (child, "title_id")
            for child in ("entry_tags", "entry_notes", "viewings", "status_history", "reviews")
        ),
    ),
    "lists": ("id", (("list_items", "list_id"),)),
}
# The order a merge writes tables in: parents last, once their children are settled.
MERGE_ORDER = tuple(t for t in TABLE_KEYS if t not in PARENTS) + tuple(PARENTS)

HLC_BITS = 16  # the logical counter's share of a clock value


def hlc_text(value: int) -> str:
    """A clock value as the files hold it: milliseconds since 1970 and a counter."""
    return f"{value >> HLC_BITS:013d}.{value & ((1 << HLC_BITS) - 1):05d}"


def hlc_parse(text: object) -> int:
    if not isinstance(text, str) or "." not in text:
        raise ValueError("bad clock")
    millis, counter = text.split(".", 1)
    if not (millis.isdigit() and counter.isdigit()) or int(counter) >> HLC_BITS:
        raise ValueError("bad clock")
    return (int(millis) << HLC_BITS) | int(counter)


def hlc_millis(value: int) -> int:
    return value >> HLC_BITS


def next_hlc(last: int, physical_millis: int) -> int:
    """The clock value after `last` at `physical_millis`: later than everything seen so far
    (so a machine whose clock is days behind still orders its new changes after what it has
    read), and as close to the physical time as that allows."""
    return max(physical_millis << HLC_BITS, last + 1)


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def key_text(values: tuple[Any, ...] | list[Any]) -> str:
    """The one spelling of a key, as the database indexes it."""
    return _COMPACT.encode(list(values))


@dataclass  # not frozen: a frozen dataclass is several times slower to make, and sync makes many
class Change:
    """One record's change: `put` (its columns `cols` set to `row`'s values, every column when
    `cols` is None; `row` holds every column) or `del`. An add-wins table's `del` names the adds
    it saw (`removes`)."""

    hlc: int
    device: str
    op: str | None
    table: str
    key: tuple[Any, ...]
    kind: str
    row: dict[str, Any] | None
    cols: tuple[str, ...] | None = None
    removes: tuple[tuple[int, str], ...] | None = None

    @cached_property
    def key_json(self) -> str:
        return key_text(self.key)

    @cached_property
    def line(self) -> str:
        return self.to_line()

    def to_line(self) -> str:
        doc: dict[str, Any] = {
            "v": FORMAT_VERSION,
            "hlc": hlc_text(self.hlc),
            "device": self.device,
            "op": self.op,
            "table": self.table,
            "key": dict(zip(TABLE_KEYS[self.table], self.key, strict=True)),
            "kind": self.kind,
            "row": self.row,
        }
        if self.cols is not None:
            doc["set"] = list(self.cols)
        if self.removes is not None:
            doc["removes"] = [[hlc_text(h), d] for h, d in self.removes]
        return _COMPACT.encode(doc) + "\n"


def stored_change(line: str) -> Change:
    """A line this database stored after checking it (parse_line), read back."""
    doc = json.loads(line)
    table = doc["table"]
    cols = doc.get("set")
    removes = doc.get("removes")
    return Change(
        hlc_parse(doc["hlc"]),
        doc["device"],
        doc.get("op"),
        table,
        tuple(doc["key"][n] for n in TABLE_KEYS[table]),
        doc["kind"],
        doc.get("row"),
        tuple(cols) if cols is not None else None,
        tuple((hlc_parse(h), d) for h, d in removes) if removes is not None else None,
    )


class NewerFormat(Exception):
    """A line written by a newer kwatch: the whole sync is refused, not the line skipped."""


class Columns:
    """The columns this kwatch has for each table, to check what a line claims."""

    def __init__(self, by_table: dict[str, tuple[list[str], set[str]]]):
        # table -> (columns that travel, those that must not be NULL)
        self.by_table = by_table


# Exact types: JSON true/false and nested values are not SQLite values.
SCALARS = frozenset({str, int, float, type(None)})


def _scalars(values: Any) -> bool:
    return set(map(type, values)) <= SCALARS


def parse_line(line: bytes, columns: Columns) -> Change:
    """A line of a sync file as a Change. ValueError when it is not one (the caller counts it
    and carries on); NewerFormat when a newer kwatch wrote it."""
    try:
        text = line.decode("utf-8")
        doc = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise ValueError("not an object")
    version = doc.get("v")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise NewerFormat(f"format version {version}")
    if version != FORMAT_VERSION:
        raise ValueError("no format version")
    table, device, kind = doc.get("table"), doc.get("device"), doc.get("kind")
    if table not in TABLE_KEYS or table not in columns.by_table:
        raise ValueError(f"unknown table {table!r}")
    if not isinstance(device, str) or not device or kind not in ("put", "del"):
        raise ValueError("no device or kind")
    op = doc.get("op")
    if op is not None and not isinstance(op, str):
        raise ValueError("bad op")
    hlc = hlc_parse(doc.get("hlc"))
    names = TABLE_KEYS[table]
    key_doc = doc.get("key")
    if not isinstance(key_doc, dict) or set(key_doc) != set(names):
        raise ValueError("bad key")
    key = tuple(key_doc[n] for n in names)
    if not _scalars(key):
        raise ValueError("bad key")
    known, required = columns.by_table[table]
    row = doc.get("row")
    cols: tuple[str, ...] | None = None
    removes: tuple[tuple[int, str], ...] | None = None
    if kind == "put":
        if not isinstance(row, dict) or not _scalars(row.values()):
            raise ValueError("bad row")
        # A column this kwatch does not have is left out; one it has but the line lacks is NULL
        # (which a required column may not be).
        if list(row) != known:
            row = {c: row.get(c) for c in known}
        for c in required:
            if row[c] is None:
                raise ValueError("a required column is missing")
        if tuple(row[n] for n in names) != key:
            raise ValueError("the row does not match its key")
        if table in USER_ROWS:
            column, value = USER_ROWS[table]
            if row[column] != value:
                raise ValueError("not user data")
        raw_cols = doc.get("set")  # absent: every column (a new record)
        if raw_cols is not None:
            if not isinstance(raw_cols, list) or not all(isinstance(c, str) for c in raw_cols):
                raise ValueError("bad set")
            cols = tuple(c for c in raw_cols if c in row)
    else:
        row = None
        if table in ADD_WINS:
            raw = doc.get("removes", [])
            if not isinstance(raw, list) or not all(
                isinstance(r, list) and len(r) == 2 and isinstance(r[1], str) for r in raw
            ):
                raise ValueError("bad removes")
            removes = tuple((hlc_parse(h), d) for h, d in raw)
    change = Change(hlc, device, op, table, key, kind, row, cols, removes)
    # Stored as written (checked, so it reads back as this Change): no second encoding.
    change.__dict__["line"] = text
    return change
