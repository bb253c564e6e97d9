"""One sync: write this device's new changes to the folder, read every other device's, merge.

The merge is a function of the set of changes known (this device's and everyone's), record by
record, so every device that has seen the same changes has the same data, whatever the order
they came in, and a change read twice counts once:

- a record (an entry, a viewing, a note...) is present unless its latest change (greatest
  hybrid logical clock, then device id) removed it; each column has the value of the latest
  change that set it (last writer wins, column by column: a rating set on one machine and a
  priority on the other both stay);
- tags are add-wins: a removal removes the adds it had seen, so a tag added elsewhere at the
  same time stays;
- an entry (or list) removed on one machine while another recorded something about it (a
  viewing, a note, a tag) stays, with what was recorded.

Changes applied from other devices are written through the normal write path, as one journal
operation (command `sync`, so `kwatch undo` undoes a sync), and are never exported again: each
device exports only what was done on it, undo included.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from kwatch.db import get_meta, set_meta, transaction
from kwatch.sync.folder import SyncFolder, read_complete_lines
from kwatch.sync.records import (
    ADD_WINS,
    LOCAL_NUMBER,
    LOCALLY_NUMBERED,
    MERGE_ORDER,
    PARENTS,
    TABLE_KEYS,
    USER_ROWS,
    Change,
    Columns,
    NewerFormat,
    hlc_millis,
    key_text,
    next_hlc,
    parse_line,
    stored_change,
)

DEVICE_KEY = "sync_device_id"
CLOCK_KEY = "sync_clock"
EXPORTED_KEY = "sync_exported_seq"  # the last journal change written to the folder
FOLDER_KEY = "sync_dir"
LAST_CHUNK_KEY = "sync_last_chunk"  # the number of the last chunk this database wrote
SYNC_COMMAND = "sync"


class SyncReport(NamedTuple):
    folder: str
    device: str
    exported: int
    chunk: str | None
    read: int
    new: int
    applied: int
    skipped_lines: int
    kept_both: int
    other_devices: int
    warnings: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "device": self.device,
            "exported": self.exported,
            "chunk": self.chunk,
            "read": self.read,
            "new": self.new,
            "applied": self.applied,
            "skipped_lines": self.skipped_lines,
            "kept_both": self.kept_both,
            "other_devices": self.other_devices,
            "warnings": self.warnings,
        }


class DeviceStatus(NamedTuple):
    device: str
    this_device: bool
    last_seen: str | None
    changes: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self._asdict())


class SyncStatus(NamedTuple):
    folder: str | None
    device: str | None
    pending_local: int
    pending_remote: int | None
    devices: list[DeviceStatus]

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "device": self.device,
            "pending_local": self.pending_local,
            "pending_remote": self.pending_remote,
            "devices": [d.to_dict() for d in self.devices],
        }


# --- this device -------------------------------------------------------------------------------


def device_id(conn: sqlite3.Connection) -> str:
    """This database's device id (made on first use: random, so two copies of one database
    file that both sync would be told apart only by copying it before its first sync)."""
    found = get_meta(conn, DEVICE_KEY)
    if found is None:
        found = uuid.uuid4().hex
        set_meta(conn, DEVICE_KEY, found)
    return found


def remembered_folder(conn: sqlite3.Connection) -> str | None:
    return get_meta(conn, FOLDER_KEY)


def remember_folder(conn: sqlite3.Connection, folder: Path) -> None:
    with transaction(conn):
        set_meta(conn, FOLDER_KEY, str(folder))


def _millis(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


class Clock:
    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.last = int(get_meta(conn, CLOCK_KEY) or 0)

    def tick(self, physical: int) -> int:
        self.last = next_hlc(self.last, physical)
        return self.last

    def seen(self, value: int) -> None:
        self.last = max(self.last, value)

    def save(self) -> None:
        set_meta(self.conn, CLOCK_KEY, str(self.last))


# --- export: this device's journal as changes ----------------------------------------------------


def _columns(conn: sqlite3.Connection) -> Columns:
    by_table = {}
    for table in TABLE_KEYS:
        info = conn.execute(f"PRAGMA main.table_info({table})").fetchall()
        if not info:
            continue
        travel = [r[1] for r in info if not (table in LOCALLY_NUMBERED and r[1] == LOCAL_NUMBER)]
        # NOT NULL without a default, or a key column: a line must give it.
        required = {
            r[1]
            for r in info
            if r[1] in travel and ((r[3] and r[4] is None) or r[1] in TABLE_KEYS[table])
        }
        required -= {"note", "source"}  # key columns of releases that may be NULL
        by_table[table] = (travel, required)
    return Columns(by_table)


def _travelling(table: str, image: dict[str, Any] | None) -> dict[str, Any] | None:
    """A journal image as it travels: without its local number; None when not user data."""
    if image is None:
        return None
    if table in USER_ROWS:
        column, value = USER_ROWS[table]
        if image.get(column) != value:
            return None
    if table in LOCALLY_NUMBERED:
        image = {k: v for k, v in image.items() if k != LOCAL_NUMBER}
    return image


def _key(table: str, row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(row.get(c) for c in TABLE_KEYS[table])


def _net_changes(
    conn: sqlite3.Connection, after: int
) -> Iterator[tuple[str, str, str, dict | None, dict | None]]:
    """(op id, op time, table, before, after) per record per operation, since journal change
    `after`, leaving out what sync itself applied (it came from another device)."""
    rows = conn.execute(
        "SELECT c.op_id, o.created_at, c.tbl, c.row_id, c.old, c.new FROM journal_changes c"
        " JOIN journal_ops o ON o.id = c.op_id WHERE c.seq > ? AND o.command != ?"
        " ORDER BY c.seq",
        (after, SYNC_COMMAND),
    )
    ops: dict[str, tuple[str, dict[tuple[str, int], list[Any]]]] = {}
    for op_id, created_at, table, row_id, old, new in rows:
        if table not in TABLE_KEYS:
            continue
        _, per_row = ops.setdefault(op_id, (created_at, {}))
        slot = per_row.get((table, row_id))
        if slot is None:
            per_row[(table, row_id)] = [old, new]
        else:
            slot[1] = new
    for op_id, (created_at, per_row) in ops.items():
        for (table, _), (old, new) in per_row.items():
            yield (
                op_id,
                created_at,
                table,
                _travelling(table, json.loads(old) if old else None),
                _travelling(table, json.loads(new) if new else None),
            )


def _known(conn: sqlite3.Connection, table: str, key: str) -> list[Change]:
    rows = conn.execute(
        "SELECT line FROM sync_records WHERE tbl = ? AND key = ? ORDER BY hlc, device",
        (table, key),
    )
    return [stored_change(line) for (line,) in rows]


def _live_adds(conn: sqlite3.Connection, table: str, key: str) -> tuple[tuple[int, str], ...]:
    """The adds of a tag this device knows and no removal has removed."""
    return tuple(sorted(_live(_known(conn, table, key))))


def _live(changes: list[Change]) -> set[tuple[int, str]]:
    adds = {(c.hlc, c.device) for c in changes if c.kind == "put"}
    for c in changes:
        if c.kind == "del" and c.removes:
            adds -= set(c.removes)
    return adds


def _store(conn: sqlite3.Connection, changes: Iterable[Change]) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO sync_records (tbl, key, hlc, device, kind, line)"
        " VALUES (?,?,?,?,?,?)",
        [(c.table, c.key_json, c.hlc, c.device, c.kind, c.line) for c in changes],
    )


def _snapshot(conn: sqlite3.Connection) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every user record as it is: a device's first export (what it had before syncing)."""
    for table in TABLE_KEYS:
        if not conn.execute(f"PRAGMA main.table_info({table})").fetchone():
            continue
        where = ""
        if table in USER_ROWS:
            column, value = USER_ROWS[table]
            where = f" WHERE {column} = '{value}'"
        for row in conn.execute(f"SELECT * FROM main.{table}{where} ORDER BY rowid"):
            image = _travelling(table, dict(zip(row.keys(), tuple(row), strict=True)))
            if image is not None:
                yield table, image


def export_changes(
    conn: sqlite3.Connection, device: str, clock: Clock, now: datetime
) -> list[Change]:
    """This device's changes not yet written to the folder, stored as known (caller's
    transaction). The first export is the whole library as it stands."""
    last_change = conn.execute("SELECT coalesce(max(seq), 0) FROM journal_changes").fetchone()[0]
    exported = get_meta(conn, EXPORTED_KEY)
    out: list[Change] = []
    stored = 0

    def emit(change: Change) -> None:
        out.append(change)

    def flush() -> None:  # what a tag removal reads must be stored first
        nonlocal stored
        _store(conn, out[stored:])
        stored = len(out)

    if exported is None:
        physical = _millis(now)
        for table, image in _snapshot(conn):
            emit(
                Change(
                    clock.tick(physical),
                    device,
                    None,
                    table,
                    _key(table, image),
                    "put",
                    image,
                )
            )
    else:
        for op_id, created_at, table, old, new in _net_changes(conn, int(exported)):
            if old == new:
                continue
            physical = _millis(datetime.fromisoformat(created_at))
            if old is not None and (new is None or _key(table, old) != _key(table, new)):
                # Gone, or renamed (a changed natural key): the old record is removed.
                old_key = _key(table, old)
                removes = None
                if table in ADD_WINS:
                    flush()
                    removes = _live_adds(conn, table, key_text(old_key))
                tick = clock.tick(physical)
                emit(Change(tick, device, op_id, table, old_key, "del", None, removes=removes))
                old = None
            if new is not None:
                changed = None if old is None else tuple(c for c in new if new[c] != old.get(c))
                tick = clock.tick(physical)
                emit(Change(tick, device, op_id, table, _key(table, new), "put", new, changed))
    flush()
    set_meta(conn, EXPORTED_KEY, str(last_change))
    return out


# --- import: everyone else's files -------------------------------------------------------------


class Imported(NamedTuple):
    read: int
    skipped: int
    changes: list[Change]
    offsets: list[tuple[str, str, int]]  # (device, file name, bytes read)
    warnings: list[str]


def read_changes(conn: sqlite3.Connection, folder: SyncFolder, device: str) -> Imported:
    """Everyone else's changes not read yet (reads only: a newer format is refused before
    anything is written)."""
    columns = _columns(conn)
    progress = {
        (d, n): b for d, n, b in conn.execute("SELECT device, name, read_bytes FROM sync_files")
    }
    skipped = 0
    changes: list[Change] = []
    offsets: list[tuple[str, str, int]] = []
    warnings: list[str] = []
    for chunk in folder.chunks(skip_device=device):
        offset = progress.get((chunk.device, chunk.name), 0)
        if chunk.size == offset:
            continue
        if chunk.size < offset:
            offset = 0  # the file was replaced: read it again (what was read counts once)
        try:
            lines, new_offset = read_complete_lines(chunk.path, offset)
        except OSError as exc:
            warnings.append(f"could not read {chunk.device}/{chunk.name}: {exc.strerror}")
            continue
        bad_here = 0
        for line in lines:
            try:
                changes.append(parse_line(line, columns))
            except NewerFormat:
                from kwatch.errors import SyncError

                raise SyncError(
                    f"{chunk.path} was written by a newer kwatch (a newer sync format); "
                    "upgrade kwatch on this machine, then sync again. Nothing was changed.",
                    code="sync_newer_format",
                ) from None
            except ValueError:
                bad_here += 1
        if bad_here:
            warnings.append(
                f"skipped {bad_here} unreadable line{'s' if bad_here > 1 else ''} in "
                f"{chunk.device}/{chunk.name}"
            )
        skipped += bad_here
        offsets.append((chunk.device, chunk.name, new_offset))
    return Imported(len(changes), skipped, changes, offsets, warnings)


def store_changes(conn: sqlite3.Connection, imported: Imported, clock: Clock) -> int:
    """Remember what was read (caller's transaction); how many changes were new."""
    before = conn.execute("SELECT count(*) FROM sync_records").fetchone()[0]
    _store(conn, imported.changes)
    if imported.changes:
        clock.seen(max(c.hlc for c in imported.changes))
    conn.executemany(
        "INSERT INTO sync_files (device, name, read_bytes) VALUES (?,?,?)"
        " ON CONFLICT(device, name) DO UPDATE SET read_bytes = excluded.read_bytes",
        imported.offsets,
    )
    return conn.execute("SELECT count(*) FROM sync_records").fetchone()[0] - before


# --- merge ---------------------------------------------------------------------------------------


def _resolve(table: str, changes: list[Change]) -> tuple[bool, dict[str, Any] | None]:
    """(present by its own changes, the row its changes give, ignoring removals), from the
    record's changes oldest first."""
    if len(changes) == 1 and table not in ADD_WINS:  # most records: one change, as it is
        only = changes[0]
        return only.kind == "put", only.row
    values: dict[str, Any] | None = None
    for change in changes:
        if change.kind != "put" or change.row is None:
            continue
        if values is None:
            values = dict(change.row)
        else:
            for column in change.row if change.cols is None else change.cols:
                values[column] = change.row[column]
    if table in ADD_WINS:
        return bool(_live(changes)), values
    return bool(changes) and changes[-1].kind == "put", values


def _known_before(
    conn: sqlite3.Connection, touched: set[tuple[str, str]]
) -> dict[tuple[str, str], list[Change]]:
    """The changes already stored of the touched records, a few hundred keys a query."""
    by_table: dict[str, list[str]] = {}
    for tbl, key in touched:
        by_table.setdefault(tbl, []).append(key)
    found: dict[tuple[str, str], list[Change]] = {}
    for tbl, keys in by_table.items():
        if not conn.execute("SELECT 1 FROM sync_records WHERE tbl = ? LIMIT 1", (tbl,)).fetchone():
            continue  # nothing known of this table yet (a first sync): every record is new
        for start in range(0, len(keys), 500):
            part = keys[start : start + 500]
            for key, line in conn.execute(
                f"SELECT key, line FROM sync_records WHERE tbl = ? AND key IN"
                f" ({', '.join('?' * len(part))})",
                (tbl, *part),
            ):
                found.setdefault((tbl, key), []).append(stored_change(line))
    return found


def merge(conn: sqlite3.Connection, known: dict[tuple[str, str], list[Change]]) -> tuple[int, int]:
    """Write every record in `known` (its changes: all this device knows) as they make it.
    (records changed, kept both)"""
    from kwatch.library.replica import Replica

    replica = Replica(conn, TABLE_KEYS, USER_ROWS, LOCALLY_NUMBERED)
    parent_values: dict[str, set[Any]] = {t: set() for t in PARENTS}
    child_of = {child: parent for parent, (_, kids) in PARENTS.items() for child, _ in kids}
    by_table: dict[str, set[str]] = {}
    for tbl, key in known:
        by_table.setdefault(tbl, set()).add(key)
    applied = 0
    for table in MERGE_ORDER:
        if not replica.columns.get(table):
            continue
        keys = by_table.get(table, set())
        if table in PARENTS:
            for key in {key_text([v]) for v in parent_values[table]} - keys:
                known[(table, key)] = _known(conn, table, key)
                keys.add(key)
        wanted: list[tuple[tuple[Any, ...], dict[str, Any] | None]] = []
        for key in sorted(keys):
            changes = known[(table, key)]
            if len(changes) > 1:
                changes.sort(key=lambda c: (c.hlc, c.device))
            present, values = _resolve(table, changes)
            if table in PARENTS and not present and values is not None:
                column, children = PARENTS[table]
                present = replica.has_children(children, values[column])
            wanted.append((changes[0].key if changes else tuple(json.loads(key)),
                           values if present else None))  # fmt: skip
            parent = child_of.get(table)
            if parent is not None and values is not None:
                # A child's parent is settled after it: it may now be kept alive, or not.
                column = dict(PARENTS[parent][1])[table]
                parent_values[parent].add(values[column])
        applied += replica.write_many(table, wanted)
    replica.reindex_titles()
    return applied, replica.kept_both


# --- the whole sync -----------------------------------------------------------------------------


def _begin_sync_op(conn: sqlite3.Connection, now: datetime) -> None:
    from kwatch import journal

    current = None
    if journal.track(conn):
        current = conn.execute("SELECT command FROM temp.journal_current").fetchone()
    if current is None or current[0] != SYNC_COMMAND:
        journal.begin(conn, SYNC_COMMAND, "sync", now=now)


def _summarise(conn: sqlite3.Connection, devices: int, new: int) -> None:
    conn.execute(
        "UPDATE temp.journal_current SET summary = ?",
        (f"sync: {new} change{'s' if new != 1 else ''} from {devices} other device"
         f"{'s' if devices != 1 else ''}",),
    )  # fmt: skip


def sync(conn: sqlite3.Connection, folder: Path, *, now: datetime) -> SyncReport:
    """Export this device's new changes, import everyone else's, merge. All or nothing: on
    any error the database is as it was (a chunk already written is harmless: its changes
    count once when written again)."""
    place = SyncFolder.open(folder)
    _begin_sync_op(conn, now)
    try:
        return _sync(conn, place, folder, now)
    finally:
        # What this connection writes next is not part of the sync (nor would it be exported).
        from kwatch import journal

        journal.end(conn)


def _own_device(conn: sqlite3.Connection, place: SyncFolder) -> str:
    """This database's device id, made anew when another database writes under it: a copy of
    this file, made after it first synced, synced on another machine (or this file was put back
    from a backup). Each must write only its own files; what the other wrote under the old id
    is then read like any other device's."""
    device = device_id(conn)
    written = int(get_meta(conn, LAST_CHUNK_KEY) or 0)
    if place.last_chunk(device) > written:
        device = uuid.uuid4().hex
        set_meta(conn, DEVICE_KEY, device)
        set_meta(conn, LAST_CHUNK_KEY, "0")
    return device


def _sync(conn: sqlite3.Connection, place: SyncFolder, folder: Path, now: datetime) -> SyncReport:
    with transaction(conn):
        device = _own_device(conn, place)
        # Read first, write after: a newer format is refused before anything is written.
        imported = read_changes(conn, place, device)
        # Export before taking in what was read: this device's changes were made without
        # having seen it (their clocks, and the adds a tag removal saw, must say so).
        clock = Clock(conn)
        exported = export_changes(conn, device, clock, now)
        chunk = None
        fresh = not place.devices.joinpath(device).is_dir()
        try:
            place.prepare(device)  # seen by the others from its first sync, even if empty
            if exported:
                written = place.write_chunk(device, [c.to_line() for c in exported])
                chunk = written.name
                set_meta(conn, LAST_CHUNK_KEY, str(int(written.name.split(".", 1)[0])))
        except BaseException:
            if fresh:  # this device id is rolled back with the rest: leave no trace of it
                with contextlib.suppress(OSError):
                    place.devices.joinpath(device).rmdir()
            raise
        # What each record read was before (stored earlier), then what is new: the merge
        # needs every change of each, and reads the database once for the lot.
        known = _known_before(conn, {(c.table, c.key_json) for c in imported.changes})
        new = store_changes(conn, imported, clock)
        for change in imported.changes:
            changes = known.setdefault((change.table, change.key_json), [])
            if not changes or not any(
                c.hlc == change.hlc and c.device == change.device for c in changes
            ):
                changes.append(change)
        others = [d for d in place.device_names() if d != device]
        if conn.execute(
            "SELECT 1 FROM temp.sqlite_master WHERE name = 'journal_current'"
        ).fetchone():
            _summarise(conn, len(others), new)
        applied, kept_both = merge(conn, known)
        clock.save()
    return SyncReport(
        folder=str(folder),
        device=device,
        exported=len(exported),
        chunk=chunk,
        read=imported.read,
        new=new,
        applied=applied,
        skipped_lines=imported.skipped,
        kept_both=kept_both,
        other_devices=len(others),
        warnings=imported.warnings,
    )


def _iso(millis: int) -> str:
    return datetime.fromtimestamp(millis / 1000, UTC).isoformat(timespec="seconds")


def pending_local(conn: sqlite3.Connection) -> int:
    """How many records' changes the next sync would write (before netting)."""
    exported = get_meta(conn, EXPORTED_KEY)
    if exported is None:
        return sum(1 for _ in _snapshot(conn))
    return conn.execute(
        "SELECT count(*) FROM journal_changes c JOIN journal_ops o ON o.id = c.op_id"
        " WHERE c.seq > ? AND o.command != ?",
        (int(exported), SYNC_COMMAND),
    ).fetchone()[0]


def status(conn: sqlite3.Connection, folder: Path | None) -> SyncStatus:
    """Devices seen, when, and what waits to be synced (reads only)."""
    device = get_meta(conn, DEVICE_KEY)
    seen = {
        d: (h, n)
        for d, h, n in conn.execute(
            "SELECT device, max(hlc), count(*) FROM sync_records GROUP BY device"
        )
    }
    pending_remote = None
    names = set(seen)
    if folder is not None:
        place = SyncFolder.open(folder, write=False)
        names |= set(place.device_names())
        progress = {
            (d, n): b for d, n, b in conn.execute("SELECT device, name, read_bytes FROM sync_files")
        }
        pending_remote = 0
        for chunk in place.chunks(skip_device=device or ""):
            offset = progress.get((chunk.device, chunk.name), 0)
            if chunk.size > offset:
                with open(chunk.path, "rb") as fh:
                    fh.seek(offset)
                    pending_remote += fh.read().count(b"\n")
    if device is not None:
        names.add(device)
    devices = [
        DeviceStatus(
            name,
            name == device,
            _iso(hlc_millis(seen[name][0])) if name in seen else None,
            seen[name][1] if name in seen else 0,
        )
        for name in sorted(names, key=lambda n: (n != device, n))
    ]
    return SyncStatus(
        str(folder) if folder is not None else None,
        device,
        pending_local(conn),
        pending_remote,
        devices,
    )
