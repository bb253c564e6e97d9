"""Answer a `kwatch sync` that has nothing to do before the CLI is loaded (see kwatch.entry).

A sync with nothing new here or in the folder changes nothing, so it can be settled by one
read-only look at the database and a listing of the folder, at a fraction of the cost of
starting Typer. Whenever in doubt (an option, a folder given, anything pending or unusual)
it says so, and the full command runs and decides."""

from __future__ import annotations

import os
from pathlib import Path

from kwatch.entry import command_args, connect_read_only
from kwatch.sync.layout import FORMAT_FILE, FORMAT_TEXT, ROOT, devices_dir, is_chunk_name

# Kept in step with kwatch.sync.engine and kwatch.cli.sync by a test; importing those here
# would cost more than the whole check.
DEVICE_KEY = "sync_device_id"
EXPORTED_KEY = "sync_exported_seq"
FOLDER_KEY = "sync_dir"
LAST_CHUNK_KEY = "sync_last_chunk"
SYNC_DIR_ENV = "KWATCH_SYNC_DIR"
SYNC_COMMAND = "sync"


def nothing_to_sync(argv: list[str]) -> str | None:
    """The message `kwatch sync` would print when it has nothing to do; None when the full
    command must run."""
    if any(key.startswith("_KWATCH") for key in os.environ):
        return None  # shell completion
    found = command_args(argv, SYNC_COMMAND)
    if found is None or found[1]:
        return None  # an option or a folder: the full command decides
    try:
        from kwatch.paths import database_path

        path = database_path(found[0])
        if not path.is_file():
            return None
        conn = connect_read_only(path)
        try:
            meta = dict(
                conn.execute(
                    "SELECT key, value FROM meta WHERE key IN (?, ?, ?, ?)",
                    (DEVICE_KEY, EXPORTED_KEY, FOLDER_KEY, LAST_CHUNK_KEY),
                ).fetchall()
            )
            if DEVICE_KEY not in meta or EXPORTED_KEY not in meta:
                return None
            pending = conn.execute(
                "SELECT 1 FROM journal_changes c JOIN journal_ops o ON o.id = c.op_id"
                " WHERE c.seq > ? AND o.command != ? LIMIT 1",
                (int(meta[EXPORTED_KEY]), SYNC_COMMAND),
            ).fetchone()
            if pending:
                return None
            chosen = os.environ.get(SYNC_DIR_ENV) or meta.get(FOLDER_KEY)
            if not chosen:
                return None
            folder = Path(chosen).expanduser().absolute()
            device = meta[DEVICE_KEY]
            devices = devices_dir(folder)
            root = folder / ROOT
            if not (devices / device).is_dir() or not os.access(folder, os.W_OK):
                return None
            if not os.access(root, os.W_OK) or any(
                p.name.startswith("v") and p.name[1:].isdigit() and p.name != "v1"
                for p in root.iterdir()
            ):
                return None  # the full command explains (read-only, a newer format)
            marker = root / FORMAT_FILE
            if marker.is_file() and marker.read_bytes().strip() != FORMAT_TEXT.encode():
                return None  # another version's marker, or a half-synced one
            read = dict(
                ((d, n), b)
                for d, n, b in conn.execute("SELECT device, name, read_bytes FROM sync_files")
            )
        finally:
            conn.close()
        others = 0
        for entry in os.scandir(devices):
            if not entry.is_dir():
                continue
            if entry.name == device:
                # Another copy of this database writing under its id: the full command sorts
                # that out (see engine._own_device).
                numbers = (e.name.split(".", 1)[0] for e in os.scandir(entry.path))
                newest = max((int(n) for n in numbers if n.isdigit()), default=0)
                if newest > int(meta.get(LAST_CHUNK_KEY) or 0):
                    return None
                continue
            others += 1
            for chunk in os.scandir(entry.path):
                size = chunk.stat().st_size if is_chunk_name(chunk.name) else None
                if size is not None and size != read.get((entry.name, chunk.name), 0):
                    return None
    except Exception:
        return None  # an unreadable file, a bad KWATCH_DB...: the full command explains
    seen = f"{others} other device" + ("" if others == 1 else "s")
    said = f"Synced with {seen} in {folder}: wrote 0 changes, read 0 (0 new), updated 0 records."
    # A folder name with control characters is shown escaped, which the full command does.
    return said if said.isprintable() else None
