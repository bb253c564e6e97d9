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


def fingerprint(files: list[Path]) -> str:
    """Changes when any file is added, removed, resized or touched, or kwatch is upgraded."""
    parts = [__version__]
    for path in files:
        stat = path.stat()
        parts.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    text = "\n".join(parts).encode()
    return f"{len(files)}-{zlib.crc32(text):08x}-{zlib.adler32(text):08x}"
