"""Where kwatch keeps things. Pure: computes paths, creates nothing."""

from __future__ import annotations

import os
from pathlib import Path

DB_ENV = "KWATCH_DB"
CATALOGUE_DIR_ENV = "KWATCH_CATALOGUE_DIR"


def _data_dir() -> Path:
    from platformdirs import user_data_path

    return user_data_path("kwatch", appauthor=False)


def database_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """--db wins, then KWATCH_DB, then kwatch.db in the per-user data folder."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(DB_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return _data_dir() / "kwatch.db"


def user_catalogue_dir() -> Path:
    """The user's own catalogue files: KWATCH_CATALOGUE_DIR, else <data dir>/catalogue."""
    from_env = os.environ.get(CATALOGUE_DIR_ENV)
    if from_env:
        return Path(from_env).expanduser()
    return _data_dir() / "catalogue"


def bundled_catalogue_dir() -> Path:
    """The catalogue shipped with kwatch.

    In a wheel, hatchling copies the top-level catalogue/ into the package; in a source checkout
    or an editable install the package folder has no copy, so fall back to the repository's.
    """
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
