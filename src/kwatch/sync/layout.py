"""Where things are in a sync folder. Imports nothing heavy: the quick no-op check uses it."""

from __future__ import annotations

from pathlib import Path

FORMAT_VERSION = 1
ROOT = "kwatch-sync"
FORMAT_FILE = "format.json"
FORMAT_TEXT = f'{{"format": "{ROOT}", "version": {FORMAT_VERSION}}}'
CHUNK_SUFFIX = ".jsonl"


def devices_dir(folder: Path) -> Path:
    """<DIR>/kwatch-sync/v1/devices: one folder per device, written only by that device."""
    return folder / ROOT / f"v{FORMAT_VERSION}" / "devices"


def is_chunk_name(name: str) -> bool:
    """A chunk or a sync tool's copy of one; not a temporary file being written."""
    return not name.startswith(".") and CHUNK_SUFFIX in name
