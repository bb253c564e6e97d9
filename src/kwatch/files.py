"""Writing the files kwatch makes (exports, calendars, backups) without ever clobbering.

One writer for all of them: the data goes to a temporary file in the target's folder, is
flushed to disk, and is renamed over the target only once complete, so a reader never sees half
a file and a full disk or Ctrl-C leaves the old file as it was (and no temporary file behind).
What it will not do: replace something that is not a regular file (a device such as /dev/null,
a FIFO, a socket, a folder). A symlink is followed: the file it points to is replaced and the
link stays. Files that hold the user's history are readable by the owner only (0600), whatever
the umask.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kwatch.errors import KwatchError

PRIVATE = 0o600


def _status(target: Path, *, follow: bool) -> os.stat_result | None:
    """The file's status (None when nothing is there); any other failure as one clear line."""
    try:
        return target.stat() if follow else target.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise _explain(target, exc) from None


def check_target(path: str | os.PathLike[str]) -> Path:
    """The real file a write to `path` would replace; refuses what must not be replaced. Give
    the path as typed (a string): a trailing "/" means a folder was meant."""
    target = Path(path).expanduser()
    if os.fspath(path).endswith(os.sep):
        raise KwatchError(f"{path} names a folder; give a file name inside it.", code="not_a_file")
    info = _status(target, follow=False)
    if info is not None and stat.S_ISLNK(info.st_mode):
        target = Path(os.path.realpath(target))
        info = _status(target, follow=True)
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise KwatchError(f"{target} is a folder; give a file name inside it.", code="not_a_file")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise KwatchError(
            f"{target} is not a regular file (a device, FIFO or socket); kwatch will not "
            "replace it. Choose a file name, or - for standard output.",
            code="not_a_file",
        )
    if not target.parent.is_dir():
        raise KwatchError(
            f"the folder {target.parent} does not exist; create it first or choose another.",
            code="write_failed",
        )
    return target


STDOUT = "-"


def names_folder(path: str | os.PathLike[str]) -> bool:
    """True for a path ending in "/" or naming an existing folder: the user means a folder
    (which must exist) to put a file in."""
    text = os.fspath(path)
    target = Path(text).expanduser()
    try:
        is_folder = target.is_dir()
    except OSError as exc:
        raise _explain(target, exc) from None
    if text.endswith(os.sep) and not is_folder:
        raise KwatchError(
            f"the folder {target} does not exist; create it first or choose another.",
            code="write_failed",
        )
    return is_folder


def output_target(path: str | os.PathLike[str], default_name: str) -> Path:
    """Where a file the user named goes: in a folder (see names_folder) it is `default_name`
    inside it; anything else is the file itself."""
    target = Path(os.fspath(path)).expanduser()
    return target / default_name if names_folder(path) else target


@contextmanager
def replacing(path: str | os.PathLike[str], *, private: bool = True) -> Iterator[Path]:
    """A temporary file beside the target of `path` (see check_target) for the block to fill;
    when the block ends without error it is flushed to disk and renamed over the target, and
    otherwise removed, with any journal SQLite left beside it, so nothing half-written stays."""
    import tempfile

    target = check_target(path)
    try:
        fd, temp_name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise _explain(target, exc) from None
    os.close(fd)
    temp = Path(temp_name)
    try:
        yield temp
        with temp.open("rb+") as fh:
            os.fsync(fh.fileno())
        if not private:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(temp, 0o666 & ~umask)
        else:
            os.chmod(temp, PRIVATE)
        os.replace(temp, target)
    except BaseException as exc:
        for leftover in (temp, *(Path(f"{temp}{end}") for end in ("-journal", "-wal", "-shm"))):
            leftover.unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _explain(target, exc) from None
        raise


def write_file(path: str | os.PathLike[str], data: bytes, *, private: bool = True) -> Path:
    """Write `data` to `path` atomically (see the module's doc); returns the file written."""
    target = check_target(path)
    with replacing(target, private=private) as temp, temp.open("wb") as fh:
        fh.write(data)
    return target


def _explain(target: Path, exc: OSError) -> KwatchError:
    reason = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is used up",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only",
        errno.ENAMETOOLONG: "the file name is too long",
        errno.ENOENT: "its folder does not exist",
    }.get(exc.errno or 0, exc.strerror or str(exc))
    return KwatchError(
        f"cannot write {target}: {reason}. Nothing was changed; choose another file.",
        code="write_failed",
    )
