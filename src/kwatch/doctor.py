"""`kwatch doctor`: check the database, the catalogue and the files around them, and say what
to do about each problem. Reads only: opens the database read-only and creates nothing."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Any, NamedTuple

OK, WARN, FAIL = "ok", "warning", "problem"


class Check(NamedTuple):
    name: str
    status: str
    detail: str
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


def _mode(path: Path) -> str:
    return stat.filemode(path.stat().st_mode)


def check_database(path: Path) -> list[Check]:
    from kwatch.migrations import MIGRATION_NAMES

    checks: list[Check] = []
    if not path.exists():
        return [
            Check(
                "database",
                WARN,
                f"{path} does not exist yet",
                "it is created by the first command that records something (kwatch add ...); "
                "if you expected data here, check --db and KWATCH_DB",
            )
        ]
    if not path.is_file():
        return [Check("database", FAIL, f"{path} is not a file", "point --db at a kwatch.db file")]
    info = path.stat()
    private = not (info.st_mode & (stat.S_IRWXG | stat.S_IRWXO))
    checks.append(
        Check(
            "database file",
            OK if private else WARN,
            f"{path} ({info.st_size:,} bytes, {_mode(path)})",
            None if private else f"it holds your history: chmod 600 {path}",
        )
    )
    writable = os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    if not writable:
        checks.append(
            Check(
                "permissions",
                FAIL,
                f"{path} or its folder is not writable",
                "fix the permissions, or commands that record things will fail",
            )
        )
    try:
        conn = sqlite3.connect(path.absolute().as_uri() + "?mode=ro", uri=True, timeout=5)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchall()
            healthy = [tuple(r) for r in result] == [("ok",)]
            checks.append(
                Check(
                    "integrity",
                    OK if healthy else FAIL,
                    "SQLite integrity check passed"
                    if healthy
                    else "; ".join(str(r[0]) for r in result[:5]),
                    None
                    if healthy
                    else "restore a backup (kwatch.db.before-*.bak next to it, or your own), "
                    "or export what can be read: kwatch export --format json",
                )
            )
            has_table = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE name = '_sqlite_migrations'"
            ).fetchone()
            applied = (
                [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")]
                if has_table
                else []
            )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return [
            *checks,
            Check("integrity", FAIL, f"cannot read it: {exc}", "is it a kwatch database?"),
        ]
    unknown = [m for m in applied if m not in MIGRATION_NAMES]
    pending = [m for m in MIGRATION_NAMES if m not in applied]
    if unknown:
        checks.append(
            Check(
                "schema",
                FAIL,
                f"written by a newer kwatch (migrations {', '.join(unknown)})",
                "upgrade kwatch; this version will not write to it",
            )
        )
    elif pending:
        checks.append(
            Check(
                "schema",
                WARN,
                f"{len(pending)} migration(s) pending: {', '.join(pending)}",
                "the next command that opens the database applies them (a backup is taken first)",
            )
        )
    else:
        checks.append(Check("schema", OK, f"up to date ({len(applied)} migrations)"))
    hot = path.with_name(path.name + "-journal")
    if hot.exists():
        checks.append(
            Check(
                "journal file",
                WARN,
                f"{hot} exists: a write was interrupted",
                "SQLite rolls it back the next time kwatch opens the database; do not delete it",
            )
        )
    return checks


def stray_files(folder: Path, name: str) -> Check:
    """Temporary files an interrupted write left, and empty backups."""
    if not folder.is_dir():
        return Check("stray files", OK, "none")
    stray = sorted(
        p
        for p in folder.iterdir()
        if p.is_file()
        and (
            (p.name.startswith(".") and p.name.endswith((".tmp", ".partial")))
            or (p.name.startswith(name) and p.name.endswith(".bak") and p.stat().st_size == 0)
        )
    )
    if not stray:
        return Check("stray files", OK, "none")
    return Check(
        "stray files",
        WARN,
        f"{len(stray)} left by interrupted writes: {', '.join(p.name for p in stray[:5])}",
        f"they hold nothing kwatch needs; delete them from {folder}",
    )


def check_catalogue() -> list[Check]:
    from kwatch.catalogue import load_entries
    from kwatch.output import plural
    from kwatch.paths import bundled_catalogue_dir, user_catalogue_dir
    from kwatch.vocabulary import load_vocabulary

    bundled = bundled_catalogue_dir()
    if not (bundled / "titles").is_dir():
        return [
            Check(
                "catalogue",
                FAIL,
                f"the bundled catalogue is missing ({bundled})",
                "reinstall kwatch",
            )
        ]
    entries, problems = load_entries(load_vocabulary())
    checks = [
        Check(
            "catalogue",
            OK if not problems else WARN,
            f"{len(entries)} titles (bundled in {bundled}; yours in {user_catalogue_dir()})",
            None
            if not problems
            else f"{plural(len(problems), 'problem')} in your catalogue files (the entries "
            f"concerned are skipped), e.g. {problems[0]}; "
            "check your files with `kwatch catalogue validate FILE`",
        )
    ]
    return checks


def _remembered_sync_folder(db_path: Path) -> str | None:
    """The folder `kwatch sync DIR` remembered, read without writing (None if unknown)."""
    if not db_path.is_file():
        return None
    try:
        conn = sqlite3.connect(db_path.absolute().as_uri() + "?mode=ro", uri=True, timeout=5)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'sync_dir'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None  # the database check says what is wrong with the file
    return row[0] if row else None


def check_sync_folder(db_path: Path | None = None) -> Check:
    folder = os.environ.get("KWATCH_SYNC_DIR") or (
        _remembered_sync_folder(db_path) if db_path is not None else None
    )
    if not folder:
        return Check("sync folder", OK, "not set up (kwatch sync DIR, or KWATCH_SYNC_DIR)")
    path = Path(folder).expanduser()
    if not path.is_dir():
        return Check(
            "sync folder", FAIL, f"{path} does not exist", "create it or unset KWATCH_SYNC_DIR"
        )
    if not os.access(path, os.W_OK):
        return Check("sync folder", FAIL, f"{path} is not writable", "fix its permissions")
    return Check("sync folder", OK, str(path))


def diagnose(db_path: Path) -> list[Check]:
    return [
        *check_database(db_path),
        stray_files(db_path.parent, db_path.name),
        *check_catalogue(),
        check_sync_folder(db_path),
    ]
