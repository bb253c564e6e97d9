"""The journal: every change to the user's data, recorded as it happens, so it can be undone.

How: each command that opens the database starts an operation (`begin`): a row of
temp.journal_current naming a fresh operation id. TEMP triggers on every user table copy each
inserted, updated or deleted row (its whole image before and after, as JSON) into
journal_changes, and the first change of an operation records it in journal_ops, inside the
very transaction that makes the change. So nothing writes to the user's data without being
journaled, whichever module writes; a command that changes nothing leaves no operation; and a
failed command, whose transaction rolls back, leaves no trace either.

Undo applies an operation's changes backwards, checking first that each row is still as the
operation left it (a later change to the same row must be undone first). Undo is itself an
operation, so undoing an undo is a redo, and the database's user tables come back exactly.

Operations have a stable id (a UUID) besides their local number, for sync between machines.
The catalogue index, caches and bookkeeping (meta, calendar sequences, refresh runs) are not
user data and are not journaled.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any, NamedTuple

from kwatch.db import transaction
from kwatch.errors import Conflict, NotFound

# The user's tables, each with the condition that says which of its rows are user data.
# A table that does not exist (an older schema) is skipped.
USER_TABLES: dict[str, str | None] = {
    "entries": None,
    "entry_tags": None,
    "entry_notes": None,
    "viewings": None,
    "status_history": None,
    "titles": "origin = 'custom'",
    "releases": "origin = 'user'",
    "source_ids": None,
    "lists": None,
    "list_items": None,
    "reviews": None,
    "likes": None,
}


class Operation(NamedTuple):
    seq: int
    id: str
    command: str
    summary: str | None
    created_at: str
    undoes: str | None
    undone_by: str | None
    changes: int

    @property
    def is_undo(self) -> bool:
        return self.undoes is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.seq,
            "id": self.id,
            "command": self.command,
            "command_line": self.summary,
            "created_at": self.created_at,
            "undoes": self.undoes,
            "undone_by": self.undone_by,
            "changes": self.changes,
        }


def _columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f"PRAGMA main.table_info({table})")]


def _has_journal(conn: sqlite3.Connection) -> bool:
    return (
        conn.execute(
            "SELECT 1 FROM main.sqlite_master WHERE type = 'table' AND name = 'journal_ops'"
        ).fetchone()
        is not None
    )


def _image(columns: list[str], alias: str) -> str:
    pairs = ", ".join(f"'{c}', {alias}.{c}" for c in columns)
    return f"json_object({pairs})"


_EVENTS = ("INSERT", "UPDATE", "DELETE")
# Inside a trigger the table written to cannot be qualified: these resolve to main's (the temp
# schema has no tables of these names).
_RECORD_OP = (
    "INSERT OR IGNORE INTO journal_ops (id, command, summary, created_at, undoes)"
    " SELECT op_id, command, summary, created_at, undoes FROM temp.journal_current"
)


def _trigger_sql(table: str, event: str, columns: list[str]) -> str:
    """The TEMP trigger that journals each row `event` changes in `table`."""
    condition = USER_TABLES[table]
    old, new, row = {
        "INSERT": ("NULL", _image(columns, "NEW"), "NEW.rowid"),
        "UPDATE": (_image(columns, "OLD"), _image(columns, "NEW"), "NEW.rowid"),
        "DELETE": (_image(columns, "OLD"), "NULL", "OLD.rowid"),
    }[event]
    when = "EXISTS (SELECT 1 FROM temp.journal_current)"
    if condition:
        sides = {"INSERT": ["NEW"], "UPDATE": ["OLD", "NEW"], "DELETE": ["OLD"]}[event]
        rule = " OR ".join(f"{side}.{condition}" for side in sides)
        when += f" AND ({rule})"
    if event == "UPDATE":
        when += f" AND {old} IS NOT {new}"
    return (
        f"CREATE TEMP TRIGGER journal_{table}_{event.lower()} AFTER {event} ON"
        f" main.{table} WHEN {when} BEGIN {_RECORD_OP};"
        " INSERT INTO journal_changes (op_id, tbl, row_id, kind, old, new)"
        f" VALUES ((SELECT op_id FROM temp.journal_current), '{table}', {row},"
        f" '{event.lower()}', {old}, {new}); END"
    )


def track(conn: sqlite3.Connection) -> bool:
    """Install this connection's TEMP triggers (once). False when the schema has no journal."""
    if not _has_journal(conn):
        return False
    if conn.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'journal_current'").fetchone():
        return True
    statements = [
        "CREATE TEMP TABLE journal_current (op_id TEXT NOT NULL, command TEXT NOT NULL,"
        " summary TEXT, created_at TEXT NOT NULL, undoes TEXT)"
    ]
    for table in USER_TABLES:
        columns = _columns(conn, table)
        if columns:
            statements.extend(_trigger_sql(table, event, columns) for event in _EVENTS)
    # One (deferred) transaction for all of them: it touches only the temp schema, takes no
    # lock on the user's file, and costs a third less than 37 statements committed apiece.
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        for statement in statements:
            conn.execute(statement)
    except BaseException:
        if own and conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if own:
        conn.execute("COMMIT")
    return True


def begin(
    conn: sqlite3.Connection,
    command: str,
    summary: str | None = None,
    *,
    now: datetime,
    undoes: str | None = None,
) -> str | None:
    """Start an operation on this connection: every later change to user data belongs to it,
    until `end`. Returns its id (None when the schema has no journal)."""
    if not track(conn):
        return None
    op_id = str(uuid.uuid4())
    conn.execute("DELETE FROM temp.journal_current")
    conn.execute(
        "INSERT INTO temp.journal_current VALUES (?, ?, ?, ?, ?)",
        (op_id, command, summary, now.isoformat(timespec="seconds"), undoes),
    )
    return op_id


def end(conn: sqlite3.Connection) -> None:
    if conn.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'journal_current'").fetchone():
        conn.execute("DELETE FROM temp.journal_current")


# Below this many rows the row triggers cost less than setting the set-wise journal up.
_SET_JOURNAL_MIN_ROWS = 64


def insert_many(conn: sqlite3.Connection, table: str, sql: str, rows: Iterable[Any]) -> None:
    """`conn.executemany(sql, rows)` for `sql`, an INSERT or INSERT OR IGNORE into `table`,
    journaled as one set instead of row by row.

    Imports add tens of thousands of rows, and the row trigger (a JSON image and an INSERT per
    row) cost more than the import itself. Here the table's insert trigger steps aside for the
    one statement, and the rows it added (those past the table's highest rowid before it,
    since SQLite gives new rows higher rowids) are journaled afterwards in one INSERT ...
    SELECT, with the very images the trigger would have written, in the same order and
    transaction. A count checks that the statement added exactly the rows journaled.
    """
    # Checked on every call, not only when the set path is taken: a misuse shows on the first
    # small batch, not on the first large one.
    head = sql.split("(", 1)[0].split()
    if head not in (["INSERT", "INTO", table], ["INSERT", "OR", "IGNORE", "INTO", table]):
        raise ValueError(f"insert_many takes a plain INSERT into {table}, not {sql[:60]!r}")
    rows = rows if isinstance(rows, list) else list(rows)
    trigger = f"journal_{table}_insert"
    if (
        len(rows) < _SET_JOURNAL_MIN_ROWS
        or not conn.execute(
            "SELECT 1 FROM temp.sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
        ).fetchone()
        or not conn.execute("SELECT 1 FROM temp.journal_current").fetchone()
    ):
        conn.executemany(sql, rows)
        return
    columns = _columns(conn, table)
    with transaction(conn):
        last = conn.execute(f"SELECT coalesce(max(rowid), 0) FROM main.{table}").fetchone()[0]
        conn.execute(f"DROP TRIGGER temp.{trigger}")
        before = conn.total_changes
        conn.executemany(sql, rows)
        added = conn.total_changes - before
        past = conn.execute(f"SELECT count(*) FROM main.{table} WHERE rowid > ?", (last,))
        if past.fetchone()[0] != added:
            # Rows went below the highest rowid (an explicit one): they cannot be told apart.
            raise RuntimeError(f"insert_many into {table}: the new rows are not the last ones")
        condition = f" AND NEW.{USER_TABLES[table]}" if USER_TABLES[table] else ""
        journaled = conn.execute(
            "INSERT INTO journal_changes (op_id, tbl, row_id, kind, old, new)"
            f" SELECT (SELECT op_id FROM temp.journal_current), '{table}', NEW.rowid, 'insert',"
            f" NULL, {_image(columns, 'NEW')} FROM main.{table} AS NEW"
            f" WHERE NEW.rowid > ?{condition} ORDER BY NEW.rowid",
            (last,),
        ).rowcount
        if journaled:
            conn.execute(_RECORD_OP)
        conn.execute(_trigger_sql(table, "INSERT", columns))


def _operations(
    conn: sqlite3.Connection, where: str = "", params: tuple[Any, ...] = ()
) -> list[Operation]:
    rows = conn.execute(
        "SELECT o.seq, o.id, o.command, o.summary, o.created_at, o.undoes, o.undone_by,"
        " (SELECT count(*) FROM journal_changes c WHERE c.op_id = o.id)"
        f" FROM journal_ops o {where} ORDER BY o.seq DESC",
        params,
    )
    return [Operation(*r) for r in rows]


def history(conn: sqlite3.Connection, *, limit: int | None = None) -> list[Operation]:
    """Operations, newest first."""
    ops = _operations(conn)
    return ops if limit is None else ops[:limit]


def operation(conn: sqlite3.Connection, number: int) -> Operation:
    found = _operations(conn, "WHERE o.seq = ?", (number,))
    if not found:
        raise NotFound(f"there is no change number {number}; see `kwatch history`.")
    return found[0]


def _by_id(conn: sqlite3.Connection, op_id: str) -> Operation | None:
    found = _operations(conn, "WHERE o.id = ?", (op_id,))
    return found[0] if found else None


def last_undoable(conn: sqlite3.Connection, count: int = 1) -> list[Operation]:
    """The newest `count` operations that are neither undone nor undos themselves."""
    ops = _operations(conn, "WHERE o.undone_by IS NULL AND o.command NOT IN ('undo', 'redo')")
    if not ops:
        raise NotFound("nothing to undo: no change has been recorded yet (see `kwatch history`).")
    return ops[:count]


def last_redoable(conn: sqlite3.Connection) -> Operation:
    """The newest undo that has not been reverted, provided nothing new happened since."""
    for op in _operations(conn):
        if op.undone_by is not None or op.command == "redo":
            continue  # already reverted, or part of the same undo/redo chain
        if op.command != "undo":
            break
        return op
    raise NotFound("nothing to redo: redo follows an undo, before any other change.")


def _where_rowid(table: str) -> str:
    return f"SELECT * FROM main.{table} WHERE rowid = ?"


def _same(row: sqlite3.Row | None, image: dict[str, Any] | None) -> bool:
    if row is None or image is None:
        return row is None and image is None
    current = dict(zip(row.keys(), tuple(row), strict=True))
    # An image recorded before a migration added a column (m008's uid) lacks that column:
    # compare the columns it has.
    return {column: current.get(column) for column in image} == image


def revert(conn: sqlite3.Connection, op: Operation, *, now: datetime) -> str:
    """Undo one operation exactly, as a new operation that says so. Refused, changing nothing,
    when a later change touched the same rows (undo that one first)."""
    if op.undone_by is not None:
        raise Conflict(
            f"change {op.seq} ({op.summary or op.command}) was undone already; "
            "see `kwatch history`."
        )
    changes = conn.execute(
        "SELECT tbl, row_id, kind, old, new FROM journal_changes WHERE op_id = ? ORDER BY seq DESC",
        (op.id,),
    ).fetchall()
    # Reverting an undo is a redo: the operation it undid is live again.
    redone = _by_id(conn, op.undoes) if op.undoes else None
    if redone is not None:
        summary = f"redo {redone.seq}: {redone.summary or redone.command}"
        new_id = begin(conn, "redo", summary, now=now, undoes=op.id)
    else:
        summary = f"undo {op.seq}: {op.summary or op.command}"
        new_id = begin(conn, "undo", summary, now=now, undoes=op.id)
    try:
        with transaction(conn):
            for table, row_id, kind, old_text, new_text in changes:
                old = json.loads(old_text) if old_text else None
                new = json.loads(new_text) if new_text else None
                current = conn.execute(_where_rowid(table), (row_id,)).fetchone()
                if not _same(current, new):
                    raise Conflict(
                        f"cannot undo change {op.seq} ({op.summary or op.command}): a later "
                        "change touched the same records. Undo the later changes first "
                        "(`kwatch history` lists them)."
                    )
                if kind == "insert":
                    conn.execute(f"DELETE FROM main.{table} WHERE rowid = ?", (row_id,))
                elif kind == "delete":
                    assert old is not None
                    cols = list(old)
                    conn.execute(
                        f"INSERT INTO main.{table} (rowid, {', '.join(cols)})"
                        f" VALUES (?, {', '.join('?' * len(cols))})",
                        (row_id, *old.values()),
                    )
                else:
                    assert old is not None
                    sets = ", ".join(f"{c} = ?" for c in old)
                    conn.execute(
                        f"UPDATE main.{table} SET {sets} WHERE rowid = ?", (*old.values(), row_id)
                    )
            # Titles are found through an index that is not user data (it is rebuilt from the
            # rows): index again the user's titles this put back, changed or took away.
            touched = {
                image["id"]
                for table, _, _, old_text, new_text in changes
                if table == "titles"
                for image in (json.loads(t) for t in (old_text, new_text) if t)
            }
            if touched:
                from kwatch.titles import reindex_titles

                reindex_titles(conn, sorted(touched))
            conn.execute("UPDATE journal_ops SET undone_by = ? WHERE id = ?", (new_id, op.id))
            if redone is not None:
                conn.execute("UPDATE journal_ops SET undone_by = NULL WHERE id = ?", (redone.id,))
            # An operation whose reversal changed no row (it is recorded all the same, so the
            # undo can be redone).
            conn.execute(
                "INSERT OR IGNORE INTO journal_ops (id, command, summary, created_at, undoes)"
                " SELECT op_id, command, summary, created_at, undoes FROM temp.journal_current"
            )
    finally:
        end(conn)
    assert new_id is not None
    return new_id
