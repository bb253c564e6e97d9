"""Where kwatch keeps things. Pure: computes paths, creates nothing.

Imports neither pathlib nor platformdirs at module level: the fast paths in kwatch.entry ask
for the database's file name (database_file) on every new shell, and those two imports cost
more than the rest of their work.
"""

from __future__ import annotations

import os
import sys

# Not `from typing import TYPE_CHECKING` (see kwatch.entry): Path is only an annotation here.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

DB_ENV = "KWATCH_DB"
CATALOGUE_DIR_ENV = "KWATCH_CATALOGUE_DIR"


def data_folder() -> str:
    """The per-user data folder, as platformdirs' user_data_dir("kwatch") gives it.

    On Linux with an absolute $XDG_DATA_HOME, or an absolute (or unset) $HOME, that is the XDG
    rule itself, written here so a quick command need not import platformdirs and pathlib; a
    property test holds it equal to platformdirs for any such environment. Everything else
    (another system, a relative HOME) is platformdirs' to answer.
    """
    if sys.platform == "linux":
        xdg = os.environ.get("XDG_DATA_HOME", "")
        if xdg.startswith("/"):
            return os.path.join(xdg, "kwatch")
        home = os.environ.get("HOME")
        if home is None or home.startswith("/"):
            return os.path.join(os.path.expanduser("~/.local/share"), "kwatch")
    from platformdirs import user_data_dir

    return user_data_dir("kwatch", appauthor=False)


def _data_dir() -> Path:
    from pathlib import Path

    return Path(data_folder())


def database_file(explicit: str | os.PathLike[str] | None = None) -> str:
    """--db wins, then KWATCH_DB, then kwatch.db in the per-user data folder (as a string)."""
    if explicit:
        return os.path.expanduser(os.fspath(explicit))
    from_env = os.environ.get(DB_ENV)
    if from_env:
        return os.path.expanduser(from_env)
    return os.path.join(data_folder(), "kwatch.db")


def database_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """database_file() as a Path."""
    from pathlib import Path

    return Path(database_file(explicit))


def user_catalogue_dir() -> Path:
    """The user's own catalogue files: KWATCH_CATALOGUE_DIR, else <data dir>/catalogue."""
    from pathlib import Path

    from_env = os.environ.get(CATALOGUE_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return _data_dir() / "catalogue"


def bundled_catalogue_dir() -> Path:
    """The catalogue shipped with kwatch.

    In a wheel, hatchling copies the top-level catalogue/ into the package; in a source checkout
    or an editable install the package folder has no copy, so fall back to the repository's.
    """
    from pathlib import Path

    here = Path(__file__).resolve().parent
    packaged = here / "catalogue"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "catalogue"


def opendata_layer_path(database: Path) -> Path:
    """The Wikidata layer of the database at `database`: <its folder>/opendata/wikidata.json.gz.

    Next to the database rather than in a global place, so a second database (--db) has its
    own layer, and removing the folder with the database removes both.
    """
    return database.parent / "opendata" / "wikidata.json.gz"
