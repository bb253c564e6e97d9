"""Which catalogue files exist, and a cheap fingerprint of them.

Kept apart from catalogue.py so that an ordinary command, which only needs to know that nothing
changed, does not pay for importing the loader and validator.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable
from pathlib import Path

from kwatch import __version__
from kwatch.paths import bundled_catalogue_dir, user_catalogue_dir


def _walk(folder: Path) -> list[os.DirEntry[str]]:
    """Every .toml and .json file under `folder` (hidden ones aside), in path order.

    Walked with os.scandir, whose entries know their type without another system call, and
    kept as entries (no Path per file): every command asks this for the fingerprint, and
    Path.rglob with a Path sort cost ~10 ms for the bundled catalogue alone.
    """
    found: list[os.DirEntry[str]] = []
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
                    found.append(entry)
    # The order of Path comparison (part by part): the same as comparing the strings with the
    # separator made the smallest character, since no part contains NUL.
    found.sort(key=lambda entry: entry.path.replace(os.sep, "\0"))
    return found


def catalogue_files(folder: Path) -> list[Path]:
    """Every .toml and .json file under `folder` (hidden ones aside), in path order."""
    return [Path(entry.path) for entry in _walk(folder)]


def bundled_title_files() -> list[Path]:
    return catalogue_files(bundled_catalogue_dir() / "titles")


def index_fingerprint(layer: Path | None) -> str:
    """A stamp of everything the catalogue index is built from: the bundled and the user's
    files, and the open-data layer if there is one (so fetching, replacing or removing it
    rebuilds the index). Changes when any of them is added, removed, resized or touched, or
    kwatch is upgraded; every command that opens the database asks it first.

    Files of the bundled catalogue inside an installed package change only with kwatch's
    version, so there their names are enough (no stat per file on every command); in a source
    checkout they are edited in place and are stat-ed like the user's files."""
    entries = _walk(bundled_catalogue_dir() / "titles") + _walk(user_catalogue_dir())
    inputs: list[tuple[str, Callable[[], os.stat_result]]] = [
        (entry.path, entry.stat) for entry in entries
    ]
    if layer is not None and layer.is_file():
        inputs.append((str(layer), layer.stat))
    return _stamp(inputs)


def _stamp(inputs: list[tuple[str, Callable[[], os.stat_result]]]) -> str:
    packaged = bundled_catalogue_dir()
    packaged_prefix = str(packaged) + os.sep if packaged.parent.name == "kwatch" else None
    parts = [__version__]
    for text, stat_of in inputs:
        if packaged_prefix and text.startswith(packaged_prefix):
            parts.append(text)
            continue
        stat = stat_of()
        parts.append(f"{text}\0{stat.st_size}\0{stat.st_mtime_ns}")
    data = "\n".join(parts).encode()
    return f"{len(inputs)}-{zlib.crc32(data):08x}-{zlib.adler32(data):08x}"
