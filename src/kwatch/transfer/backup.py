"""A consistent backup copy of the database."""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from kwatch.errors import Conflict, InvalidInput, NotFound


@dataclass(frozen=True)
class BackupResult:
    path: Path
    source: Path
    bytes: int

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "source": str(self.source), "bytes": self.bytes}


def default_backup_path(db_path: Path, today: date) -> Path:
    """kwatch-backup-2026-11-22.db next to the database; -2, -3... when that one exists."""
    stem = db_path.stem
    first = db_path.with_name(f"{stem}-backup-{today.isoformat()}.db")
    candidate, n = first, 2
    while candidate.exists():
        candidate = db_path.with_name(f"{stem}-backup-{today.isoformat()}-{n}.db")
        n += 1
    return candidate


def backup_database(
    db_path: Path, target: str | Path | None, *, today: date, force: bool = False
) -> BackupResult:
    """A consistent copy of the committed database through SQLite's backup API.

    The source is opened read-only and without migrating or syncing the catalogue, so a backup
    never writes to the database. A writer in the middle of a transaction holds only a RESERVED
    lock, so the copy proceeds and holds what was committed before it; while a writer is
    committing (an EXCLUSIVE lock), Python's backup loop waits and retries.
    """
    from kwatch.db import backup_to, explain_sqlite_error
    from kwatch.files import check_target, names_folder

    if not db_path.is_file():
        raise NotFound(f"there is no database at {db_path} yet; nothing to back up.")
    if target is None:
        target = default_backup_path(db_path, today)
    else:
        if os.fspath(target) == "-":
            raise InvalidInput("a backup is a database file, not text: give a file or folder.")
        if names_folder(target):
            # A dated name inside it, as next to the database.
            target = default_backup_path(Path(target).expanduser() / db_path.name, today)
    target = check_target(target)  # never a device, FIFO or folder; a symlink's own file
    if target.resolve() == db_path.resolve():
        raise InvalidInput("the backup path is the database itself; choose another path.")
    if target.exists() and not force:
        raise Conflict(f"{target} already exists; choose another path or add --force.")
    # A plain connection, not mode=ro: if a crashed writer left a hot journal, reading must be
    # able to roll it back first. Nothing else is written to the source.
    source = sqlite3.connect(db_path, timeout=30)
    try:
        try:
            source.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.Error as exc:
            raise explain_sqlite_error(db_path, exc) from None
        try:
            backup_to(source, target, verify=True)
        except sqlite3.Error as exc:
            raise InvalidInput(
                f"cannot write the backup to {target}: {exc}. Choose a writable path."
            ) from None
    finally:
        source.close()
    return BackupResult(target, db_path, target.stat().st_size)
