"""Which catalogue files exist, and a cheap fingerprint of them.

Kept apart from catalogue.py so that an ordinary command, which only needs to know that nothing
changed, does not pay for importing the loader and validator.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from kwatch import __version__
from kwatch.paths import bundled_catalogue_dir, user_catalogue_dir


def catalogue_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.rglob("*")
        if p.suffix in (".toml", ".json") and p.is_file() and not p.name.startswith(".")
    )


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
    """Changes when any file is added, removed, resized or touched, or kwatch is upgraded."""
    parts = [__version__]
    for path in files:
        stat = path.stat()
        parts.append(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    text = "\n".join(parts).encode()
    return f"{len(files)}-{zlib.crc32(text):08x}-{zlib.adler32(text):08x}"
