"""Open the user's database: create its folder, check it, migrate it (backing it up first)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path

from kwatch.errors import DatabaseError
from kwatch.migrations import MIGRATION_NAMES, MIGRATION_SET, MIGRATIONS

READ_ONLY_HINTS = ("readonly", "read-only", "unable to open", "disk i/o error")
# How long one attempt to take the write lock waits (SQLite's busy handler), and how long a
# command keeps trying, with growing pauses between attempts, while other kwatch processes
# write (a dozen imports at once can hold the lock longer than one attempt waits).
BUSY_TIMEOUT_S = 10.0
WRITE_WAIT_S = 300.0


def _raw_connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: we open transactions ourselves (see `transaction`), so a failed
    # command rolls back everything it did and the file is left exactly as it was.
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_S)
    conn.row_factory = sqlite3.Row
    return conn


def explain_sqlite_error(path: Path, exc: sqlite3.Error) -> DatabaseError:
    text = str(exc)
    lowered = text.lower()
    if "not a database" in lowered or "malformed" in lowered:
        return DatabaseError(
            f"{path} is not a kwatch database (SQLite says: {text}). "
            "Point --db or KWATCH_DB at a kwatch.db file, or at a new path to start one.",
            code="not_a_database",
        )
    if any(hint in lowered for hint in READ_ONLY_HINTS):
        return DatabaseError(
            f"cannot write to {path}: the file or its folder is read-only. "
            "Fix its permissions or choose another file with --db.",
            code="read_only",
        )
    if "disk is full" in lowered or "disk full" in lowered:
        return DatabaseError(
            f"disk full: cannot write to {path}. Nothing was changed; free some space on its "
            "disk (or move it with --db) and try again.",
            code="disk_full",
        )
    if is_busy(exc):
        return DatabaseError(
            f"{path} is busy: another kwatch (or another program) is writing to it and did "
            "not finish in time. Try again when it has.",
            code="locked",
        )
    return DatabaseError(f"database error in {path}: {text}")


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    has_table = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlite_migrations'"
    ).fetchone()
    if not has_table:
        return []
    rows = conn.execute(
        "SELECT name FROM _sqlite_migrations WHERE migration_set = ? ORDER BY rowid",
        (MIGRATION_SET,),
    )
    return [row[0] for row in rows]


def _has_tables(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] > 0


def _create_private(path: Path) -> None:
    """Create the file readable by its owner only (it holds the user's history), whatever the
    umask; an existing file keeps the permissions its owner gave it."""
    import os

    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    except OSError:
        pass  # sqlite3.connect reports the real problem, with the path


def backup_to(conn: sqlite3.Connection, target: Path, *, verify: bool = False) -> Path:
    """A consistent copy through SQLite's backup API, safe while others write. The copy is made
    in a temporary file beside `target` and renamed over it only once complete, so a backup
    that fails or is interrupted leaves no half-written or empty file (kwatch.files). `verify`
    checks the copy (PRAGMA quick_check) before it replaces anything."""
    from kwatch.files import replacing

    with replacing(target) as temp:
        dest = sqlite3.connect(temp)
        try:
            conn.backup(dest)
            if verify:
                verdict = dest.execute("PRAGMA quick_check").fetchone()[0]
                if verdict != "ok":
                    raise DatabaseError(f"the copy failed its integrity check ({verdict}).")
        finally:
            dest.close()
    return target


def _migrate(
    conn: sqlite3.Connection, path: Path, pending: list[str], stop_before: str | None
) -> Path | None:
    backup = None
    if _has_tables(conn):
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        backup = backup_to(conn, path.with_name(f"{path.name}.before-{pending[0]}-{stamp}.bak"))
    # sqlite_utils is only imported when a migration is due: it costs ~100 ms at start-up.
    from sqlite_utils import Database, Migrations

    migrations = Migrations(MIGRATION_SET)
    for fn in MIGRATIONS:
        migrations(name=fn.__name__)(fn)
    migrations.apply(Database(conn), stop_before=stop_before)
    return backup


def open_database(path: Path, *, stop_before: str | None = None) -> sqlite3.Connection:
    """Open (creating if needed) and migrate the database at `path`.

    `stop_before` leaves the named migration and those after it pending; tests use it to build
    a database as an earlier release of kwatch would have left it.
    """
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder; --db needs a file path such as {path}/kwatch.db")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseError(
            f"cannot create the folder {path.parent}: {exc.strerror}. "
            "Choose another location with --db or KWATCH_DB.",
            code="read_only",
        ) from None
    _create_private(path)
    try:
        conn = _raw_connect(path)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        applied = applied_migrations(conn)
        unknown = [name for name in applied if name not in MIGRATION_NAMES]
        if unknown:
            conn.close()
            # Refused before anything is written: this version does not know what those
            # migrations changed, so any write could break the newer kwatch's data.
            raise DatabaseError(
                f"{path} was written by a newer kwatch (it has migrations "
                f"{', '.join(unknown)}); upgrade kwatch to use it.",
                code="newer_schema",
            )
        names = MIGRATION_NAMES
        if stop_before:
            names = names[: names.index(stop_before)]
        pending = [name for name in names if name not in applied]
        if pending:
            _migrate(conn, path, pending, stop_before)
    except sqlite3.Error as exc:
        raise explain_sqlite_error(path, exc) from None
    return conn


@contextmanager
def bulk_work(conn: sqlite3.Connection, cache_mb: int = 128) -> Iterator[sqlite3.Connection]:
    """Settings for writing tens of thousands of rows in one transaction (a catalogue rebuild,
    an import): a page cache of up to `cache_mb` (SQLite's default of 2 MB spills pages to the
    file in the middle of the transaction, each spill a journal sync; the cache takes memory
    only as pages are used, and never more than this), and no cyclic garbage collection (the
    rows are small tuples and dicts in no cycle, which the collector would otherwise rescan
    again and again). Both are put back afterwards."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size = {-1024 * int(cache_mb)}")  # negative: in KiB
    try:
        yield conn
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
        if enabled:
            gc.enable()


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """All-or-nothing: BEGIN IMMEDIATE, COMMIT on success, ROLLBACK on any exception. Inside
    another transaction it is a savepoint, so a command can make several core calls one
    change (`add --custom` creates the title and the entry, or neither)."""
    if conn.in_transaction:
        conn.execute("SAVEPOINT nested")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK TO nested")
                conn.execute("RELEASE nested")
            # else SQLite rolled the whole transaction back itself (a full disk, an I/O
            # error): the savepoint is gone with it, and the real error goes up unhidden.
            raise
        else:
            conn.execute("RELEASE nested")
        return
    _begin_immediate(conn)
    try:
        yield conn
    except BaseException:
        _rollback(conn)
        raise
    else:
        conn.execute("COMMIT")


def is_busy(exc: sqlite3.Error) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _begin_immediate(conn: sqlite3.Connection) -> None:
    """Take the write lock, waiting for other writers: each attempt waits BUSY_TIMEOUT_S, and
    attempts are repeated with growing, jittered pauses (so waiting writers do not retry in
    step) until WRITE_WAIT_S has passed. Nothing has been done yet, so retrying is safe."""
    import random
    import time

    deadline = time.monotonic() + WRITE_WAIT_S
    pause = 0.05
    while True:
        try:
            conn.execute("BEGIN IMMEDIATE")
            return
        except sqlite3.OperationalError as exc:
            if not is_busy(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause * random.uniform(0.5, 1.5))
        pause = min(pause * 2, 2.0)


def _rollback(conn: sqlite3.Connection) -> None:
    if conn.in_transaction:
        conn.execute("ROLLBACK")
        return
    # SQLite rolled back by itself (a full disk, an I/O error): ROLLBACK would only say "no
    # transaction is active" and hide the real error. The file itself is put back from the
    # journal on the connection's next read: read now, so no hot journal is left behind.
    with suppress(sqlite3.Error):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()


def get_meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def set_meta(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (key, value),
    )
