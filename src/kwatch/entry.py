"""A console-script entry that answers a silent `kwatch remind`, and a <Tab> on a title,
before the CLI is loaded.

`kwatch remind` runs on every new shell, and on every shell but the first of the day it has
nothing to say. Importing Typer alone costs several times Python's own start-up, so this
module settles that case with one read-only query and hands everything else, unchanged, to
kwatch.cli.main. It imports nothing from kwatch.cli, typer, rich or sqlite_utils.

To use it, point the console script at it: [project.scripts] kwatch = "kwatch.entry:main".
"""

from __future__ import annotations

import os
import sys

# Not `from typing import TYPE_CHECKING`: importing typing costs this fast path a fifth of
# Python's own start-up, and the names below are only for annotations (mypy reads this
# constant as typing's).
TYPE_CHECKING = False
if TYPE_CHECKING:
    import sqlite3

# Kept in step with kwatch.releases (REMIND_META_KEY) and kwatch.values (RELEASE_TYPES) by a
# test; importing those modules here would cost more than the whole check.
REMIND_META_KEY = "remind_last_day"
RELEASE_TYPES = ("festival", "theatrical", "streaming", "tv")


def _remind_options(args: list[str]) -> bool:
    """True when every option is one whose value cannot make a silent reminder speak."""
    while args:
        arg = args.pop(0)
        if arg == "--notify":
            continue
        name, has_value, value = arg.partition("=")
        if name not in ("--days", "--type"):
            return False  # --json, --again, --help, anything unknown: the full CLI decides
        if not has_value:
            if not args:
                return False
            value = args.pop(0)
        if name == "--days" and not value.isdigit():
            return False  # a bad value gets the CLI's error message
        parts = [p.strip().lower() for p in value.split(",") if p.strip()]
        if name == "--type" and (not parts or any(p not in RELEASE_TYPES for p in parts)):
            return False
    return True


def leading_db(argv: list[str]) -> tuple[str | None, list[str]] | None:
    """(--db's value or None, the words after it) for argv's leading --db options; None when
    one is empty or has no value, which the full CLI explains."""
    args = list(argv)
    db: str | None = None
    while args and (args[0] == "--db" or args[0].startswith("--db=")):
        arg = args.pop(0)
        if arg == "--db":
            if not args:
                return None
            db = args.pop(0)
        else:
            db = arg[len("--db=") :]
    return None if db == "" else (db, args)


def command_args(argv: list[str], command: str) -> tuple[str | None, list[str]] | None:
    """(--db's value or None, the words after `command`) when argv is `[--db X] command ...`;
    None for anything else (another global option or command, an empty --db), which the full
    CLI handles. Shared by the fast paths (this remind, kwatch.sync.quick)."""
    found = leading_db(argv)
    if found is None or not found[1] or found[1][0] != command:
        return None
    return found[0], found[1][1:]


def sqlite_uri(path: str | os.PathLike[str]) -> str:
    """A read-only SQLite URI for the file at `path`, without pathlib's as_uri (pathlib and
    urllib cost a fast path more than its query). SQLite decodes %HH in a URI's path and ends
    the path at "?" or "#", so exactly those three characters are escaped: a folder named
    "a#b" or "x?y" stays part of the path."""
    name = os.fspath(path)
    if os.name == "nt":  # drive letters and backslashes: pathlib knows the form
        from pathlib import Path

        return Path(name).absolute().as_uri() + "?mode=ro"
    if not os.path.isabs(name):
        name = os.path.join(os.getcwd(), name)
    escaped = name.replace("%", "%25").replace("?", "%3f").replace("#", "%23")
    # An empty authority ("file://" + "/..."), so a path that starts with "//" stays a path.
    return "file://" + escaped + "?mode=ro"


def connect_read_only(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """The database at `path`, read-only: a fast path never writes, nor creates a file."""
    import sqlite3

    return sqlite3.connect(sqlite_uri(path), uri=True, timeout=1)


def _today_text(database_exists: bool) -> str:
    """Today as YYYY-MM-DD, without importing datetime where it need not be.

    A pinned KWATCH_TODAY that is already in that form is compared as it is: it can equal the
    day the full CLI stored only if it is that valid day. Anything else pinned, and a pinned
    day when there is no database (where nothing is compared), goes through kwatch.clock,
    which raises for a bad value just as the full CLI would."""
    pinned = os.environ.get("KWATCH_TODAY")
    if not pinned:
        import time

        return time.strftime("%Y-%m-%d")  # date.today(): the local date
    digits = pinned[:4] + pinned[5:7] + pinned[8:]
    canonical = len(pinned) == 10 and pinned[4] == pinned[7] == "-"
    if database_exists and canonical and digits.isascii() and digits.isdigit():
        return pinned
    from kwatch.clock import today

    return today().isoformat()


def quiet_remind(argv: list[str]) -> bool:
    """True when `argv` is a `kwatch remind` that prints nothing: there is no database yet, or
    today's reminder has been given. Whenever in doubt, False (the full command runs)."""
    if any(key.startswith("_KWATCH") for key in os.environ):
        return False  # shell completion
    found = command_args(argv, "remind")
    if found is None or not _remind_options(found[1]):
        return False
    db = found[0]
    try:
        from kwatch.paths import database_file

        path = database_file(db)
        exists = os.path.exists(path)
        day = _today_text(exists)
        if not exists:
            return True  # the full command would not create one either
        if not os.path.isfile(path):
            return False
        conn = connect_read_only(path)
        try:
            row = conn.execute(
                "SELECT value FROM meta WHERE key = ?", (REMIND_META_KEY,)
            ).fetchone()
            # A date a refresh moved is news even after today's reminder (said once).
            moved = conn.execute(
                "SELECT 1 FROM release_moves WHERE announced_on IS NULL LIMIT 1"
            ).fetchone()
        finally:
            conn.close()
    except Exception:
        return False  # a bad KWATCH_TODAY, an unreadable file...: the full CLI explains
    return row is not None and row[0] == day and moved is None


def main() -> None:
    import gc

    # Start-up builds tens of thousands of long-lived objects (Typer, the app, the modules);
    # the cyclic collector would walk them again and again while they are made (about a tenth
    # of a quick command's time). kwatch.cli.main freezes them and turns it back on before
    # the command's own work, so long commands are collected as usual.
    gc.disable()
    if os.environ.get("_KWATCH_COMPLETE"):
        # A <Tab> on a title after a title command: answered without loading the CLI.
        from kwatch.quick_complete import answer

        text = answer(os.environ)
        if text is not None:
            sys.stdout.write(text + "\n")
            return
    if quiet_remind(sys.argv[1:]):
        return
    if sys.argv[1:2] == ["sync"] or "sync" in sys.argv[1:4]:
        from kwatch.sync.quick import nothing_to_sync

        settled = nothing_to_sync(sys.argv[1:])
        if settled is not None:
            sys.stderr.write(settled + "\n")
            return
    from kwatch.cli import main as cli_main

    cli_main()
