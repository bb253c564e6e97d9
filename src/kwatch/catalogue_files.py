"""Which catalogue files exist, and a cheap fingerprint of them.

Kept apart from catalogue.py so that an ordinary command, which only needs to know that nothing
changed, does not pay for importing the loader and validator.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path

from kwatch import __version__
from kwatch.paths import bundled_catalogue_dir, user_catalogue_dir


def catalogue_files(folder: Path) -> list[Path]:
    """Every .toml and .json file under `folder` (hidden ones aside), in path order.

    Walked with os.scandir, whose entries know their type without another system call: every
    command asks this (for the fingerprint), and Path.rglob with a Path sort cost ~10 ms for
    the bundled catalogue alone.
    """
    found: list[str] = []
    pending = [str(folder)]
    while pending:
        try:
            entries = os.scandir(pending.pop())
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):  # as Path.rglob: no loops
                    pending.append(entry.path)
                elif (
                    entry.name.endswith((".toml", ".json"))
                    and not entry.name.startswith(".")
                    and entry.is_file()
                ):
                    found.append(entry.path)
    # The order of Path comparison (by parts), without building a Path to compare.
    found.sort(key=lambda path: path.split(os.sep))
    return [Path(path) for path in found]


def bundled_title_files() -> list[Path]:
    return catalogue_files(bundled_catalogue_dir() / "titles")


def all_files() -> list[Path]:
    return bundled_title_files() + catalogue_files(user_catalogue_dir())


def index_inputs(layer: Path | None) -> list[Path]:
    """Everything the catalogue index is built from: the files, and the open-data layer if
    there is one (so fetching, replacing or removing the layer rebuilds the index)."""
    files = all_files()
    if layer is not None and layer.is_file():
        files.append(layer)
    return files


def fingerprint(files: list[Path]) -> str:
    """Changes when any file is added, removed, resized or touched, or kwatch is upgraded.

    Files of the bundled catalogue inside an installed package change only with kwatch's
    version, so there their names are enough (no stat per file on every command); in a source
    checkout they are edited in place and are stat-ed like the user's files."""
    packaged = bundled_catalogue_dir()
    packaged_prefix = str(packaged) + os.sep if packaged.parent.name == "kwatch" else None
    parts = [__version__]
    for path in files:
        text = str(path)
        if packaged_prefix and text.startswith(packaged_prefix):
            parts.append(text)
            continue
        stat = path.stat()
        parts.append(f"{text}\0{stat.st_size}\0{stat.st_mtime_ns}")
    data = "\n".join(parts).encode()
    return f"{len(files)}-{zlib.crc32(data):08x}-{zlib.adler32(data):08x}"
