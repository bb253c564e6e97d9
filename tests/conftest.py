"""Every test runs against a temporary database and a pinned clock, never the user's home."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

# ../shared next to the project; a git worktree (wt/NAME) sits one level deeper.
SHARED = next(
    (p / "shared" for p in Path(__file__).resolve().parents[1:4] if (p / "shared").is_dir()),
    Path(__file__).resolve().parents[2] / "shared",
)
SEEDS = SHARED / "seeds"
FIXTURES = SHARED / "fixtures"
TODAY = "2026-11-22"
NOW = "2026-11-22T09:30:00+00:00"


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("KWATCH_DB", str(tmp_path / "kwatch.db"))
    monkeypatch.setenv("KWATCH_CATALOGUE_DIR", str(tmp_path / "user-catalogue"))
    monkeypatch.setenv("KWATCH_TODAY", TODAY)
    monkeypatch.setenv("KWATCH_NOW", NOW)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("KWATCH_STATE_DIR", raising=False)
    return tmp_path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "kwatch.db"


@pytest.fixture
def conn(db_path: Path):
    """A migrated database with the bundled catalogue indexed, for core-function tests."""
    from kwatch.catalogue import sync_catalogue
    from kwatch.db import open_database

    connection = open_database(db_path)
    sync_catalogue(connection)
    yield connection
    connection.close()


class Result:
    def __init__(self, result):
        self.exit_code = result.exit_code
        self.stdout = result.stdout
        self.stderr = result.stderr
        self.exception = result.exception

    def json(self):
        return json.loads(self.stdout)


@pytest.fixture
def run():
    """Run kwatch in-process: run("add", "Bleak Night", "--json") -> Result with .json()."""
    from kwatch.cli import app

    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        result = runner.invoke(app, list(args), input=input, catch_exceptions=True)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result)

    return invoke


def db_snapshot(path: Path) -> list:
    """Every row of every table, to assert that a failed command changed nothing."""
    import sqlite3

    if not path.exists():
        return []
    conn = sqlite3.connect(path)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name NOT LIKE 'titles_fts_%' ORDER BY name"
            )
        ]
        return [(t, sorted(map(tuple, conn.execute(f"SELECT * FROM [{t}]")))) for t in tables]
    finally:
        conn.close()


def requires_shared(path: Path):
    return pytest.mark.skipif(not path.exists(), reason=f"{path} is not present (needs ../shared)")


@pytest.fixture
def article_catalogue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The bundled catalogue as the five seed articles had it (their 72 titles and nothing
    else), for tests whose expectations are about exactly those release dates. The real
    catalogue keeps growing; these tests should not have to change with it."""
    import shutil
    import tomllib

    from kwatch import catalogue, catalogue_files, paths

    real = paths.bundled_catalogue_dir()
    folder = tmp_path / "article-catalogue"
    (folder / "titles").mkdir(parents=True)
    for name in ("themes.toml", "sources.toml"):
        shutil.copy(real / name, folder / name)
    for path in sorted((real / "titles").glob("*.toml")):
        with path.open("rb") as fh:
            if tomllib.load(fh).get("sources"):
                shutil.copy(path, folder / "titles" / path.name)
    for module in (paths, catalogue_files, catalogue):
        monkeypatch.setattr(module, "bundled_catalogue_dir", lambda: folder)
    return folder
