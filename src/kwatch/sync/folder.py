"""The sync folder on disk: <DIR>/kwatch-sync/format.json and, per device, immutable chunks
<DIR>/kwatch-sync/v1/devices/<device>/<n>.jsonl. Each device writes only its own folder, and
a chunk, once renamed into place, never changes: a file-sync tool never has two writers of
one file to reconcile."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path
from typing import NamedTuple

from kwatch.errors import SyncError
from kwatch.sync.layout import (
    CHUNK_SUFFIX,
    FORMAT_FILE,
    FORMAT_TEXT,
    FORMAT_VERSION,
    ROOT,
    devices_dir,
    is_chunk_name,
)


def _explain(folder: Path, exc: OSError, doing: str) -> SyncError:
    if exc.errno == errno.ENOSPC or exc.errno == errno.EDQUOT:
        return SyncError(
            f"the disk holding the sync folder {folder} is full ({doing}); free some space and "
            "run `kwatch sync` again. Nothing was changed.",
            code="sync_disk_full",
        )
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return SyncError(
            f"cannot write to the sync folder {folder} ({doing}): it is read-only. Fix its "
            "permissions or choose another folder. Nothing was changed.",
            code="sync_read_only",
        )
    return SyncError(
        f"cannot use the sync folder {folder} ({doing}: {exc.strerror or exc}). "
        "Nothing was changed.",
        code="sync_folder",
    )


class ChunkFile(NamedTuple):
    device: str
    name: str
    path: Path
    size: int


class SyncFolder:
    """A checked sync folder: it exists, is writable, and holds no newer format."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.root = folder / ROOT
        self.devices = devices_dir(folder)

    @classmethod
    def open(cls, folder: Path, *, write: bool = True) -> SyncFolder:
        if not folder.is_dir():
            raise SyncError(
                f"the sync folder {folder} does not exist (or is not a folder); create it, mount "
                "it, or give another one with `kwatch sync DIR`.",
                code="sync_folder_missing",
            )
        found = cls(folder)
        found._check_format()
        writable = os.access(folder, os.W_OK) and (
            not found.root.exists() or os.access(found.root, os.W_OK)
        )
        if write and not writable:
            raise SyncError(
                f"cannot write to the sync folder {folder}: it is read-only. Fix its "
                "permissions or choose another folder. Nothing was changed.",
                code="sync_read_only",
            )
        return found

    def _check_format(self) -> None:
        newer = []
        marker = self.root / FORMAT_FILE
        if marker.is_file():
            try:
                version = json.loads(marker.read_text(encoding="utf-8")).get("version")
            except (OSError, ValueError, AttributeError):
                version = None  # a half-synced marker: the folder layout still says which
            if isinstance(version, int) and version > FORMAT_VERSION:
                newer.append(version)
        if self.root.is_dir():
            for child in self.root.iterdir():
                number = child.name[1:]
                if child.name.startswith("v") and number.isdigit() and int(number) > FORMAT_VERSION:
                    newer.append(int(number))
        if newer:
            raise SyncError(
                f"the sync folder {self.folder} was written by a newer kwatch (sync format "
                f"{max(newer)}; this kwatch reads format {FORMAT_VERSION}). Upgrade kwatch on "
                "this machine, then sync again.",
                code="sync_newer_format",
            )

    def prepare(self, device: str) -> Path:
        """Create this device's folder (and the format marker); its path."""
        own = self.devices / device
        try:
            own.mkdir(parents=True, exist_ok=True)
            marker = self.root / FORMAT_FILE
            if not marker.exists():
                _write_new(marker, FORMAT_TEXT + "\n")
        except OSError as exc:
            raise _explain(self.folder, exc, "creating this device's folder") from None
        return own

    def last_chunk(self, device: str) -> int:
        """The highest chunk number in a device's folder (0: none)."""
        own = self.devices / device
        if not own.is_dir():
            return 0
        numbers = (p.name.split(".", 1)[0] for p in own.iterdir())
        return max((int(n) for n in numbers if n.isdigit()), default=0)

    def write_chunk(self, device: str, lines: list[str]) -> Path:
        """A new chunk of this device's changes, under a number no chunk has used."""
        own = self.prepare(device)
        number = self.last_chunk(device) + 1
        target = own / f"{number:06d}{CHUNK_SUFFIX}"
        try:
            _write_new(target, "".join(lines))
        except OSError as exc:
            raise _explain(self.folder, exc, f"writing {target.name}") from None
        return target

    def device_names(self) -> list[str]:
        if not self.devices.is_dir():
            return []
        return sorted(p.name for p in self.devices.iterdir() if p.is_dir())

    def chunks(self, skip_device: str) -> list[ChunkFile]:
        """Every other device's chunk files, conflict copies made by a sync tool included
        (`000003 (conflicted copy).jsonl`, `000003.sync-conflict-....jsonl`): their complete
        lines are the same changes again, which count once. Temporary files are left out."""
        found = []
        for device in self.device_names():
            if device == skip_device:
                continue
            for path in sorted((self.devices / device).iterdir()):
                if not is_chunk_name(path.name):
                    continue
                try:
                    size = path.stat().st_size
                except OSError:
                    continue  # vanished while listing
                if path.is_file():
                    found.append(ChunkFile(device, path.name, path, size))
        return found


def _write_new(target: Path, text: str) -> None:
    """Write under a temporary name, flush to disk, then rename: readers see the whole file or
    none of it."""
    temp = target.with_name(f".{target.name}.tmp")
    try:
        with open(temp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def read_complete_lines(path: Path, offset: int) -> tuple[list[bytes], int]:
    """The complete lines after `offset` and the offset after the last of them. A last line
    cut off mid-write (no newline yet) is left for the next sync."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read()
    end = data.rfind(b"\n")
    if end < 0:
        return [], offset
    return [line for line in data[:end].split(b"\n") if line.strip()], offset + end + 1
