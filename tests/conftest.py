"""Every test runs against a temporary database and a pinned clock, never the user's home."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

# pytest rewrites the asserts of each test module and compiles it, and caches the result as a
# .pyc file unless bytecode writing is off (PYTHONDONTWRITEBYTECODE, common in containers);
# then every run and every xdist worker redoes it, about 5 s each. The same goes for kwatch's
# own modules, which each real kwatch process the tests start would otherwise recompile.
# Byte code is a cache (git ignores __pycache__), so the tests write it whatever the setting.
sys.dont_write_bytecode = False

# ../shared next to the project; a git worktree (wt/NAME) sits one level deeper.
SHARED = next(
    (p / "shared" for p in Path(__file__).resolve().parents[1:4] if (p / "shared").is_dir()),
    Path(__file__).resolve().parents[2] / "shared",
)
SEEDS = SHARED / "seeds"
FIXTURES = SHARED / "fixtures"
TODAY = "2026-11-22"
NOW = "2026-11-22T09:30:00+00:00"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fuzz: the fuzz test over every command (fixed seed and budget; part of the fast "
        "suite, so CI runs it; `pytest -m fuzz` runs only it)",
    )
    config.addinivalue_line(
        "markers",
        "slow: real shells, wheel and sdist builds, 50 MB files (left out of plain `pytest`; "
        "`pytest --slow` runs the whole suite, as README's test command and .ci/run do; "
        "`pytest -m slow` runs only them)",
    )


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--slow",
        action="store_true",
        help="also run the tests marked slow (real shells, wheel and sdist builds, 50 MB "
        "files): the whole suite, as CI runs it",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Plain `pytest` is the suite you run while you work (seconds); the slow tests join with
    --slow. An explicit -m (`-m slow`, `-m fuzz`) chooses for itself."""
    if config.getoption("--slow") or config.option.markexpr:
        return
    slow = [item for item in items if item.get_closest_marker("slow")]
    if slow:
        config.hook.pytest_deselected(items=slow)
        items[:] = [item for item in items if not item.get_closest_marker("slow")]


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated database with the bundled catalogue indexed, built once per session.

    Migrating and indexing the catalogue takes most of a second; tests that create a database
    get a copy of this one instead (see `isolated_env`). Built under the same environment
    the tests run in, so its catalogue fingerprint matches theirs and nothing is re-synced;
    a test that changes the catalogue (its own files, a patched folder) changes the
    fingerprint and gets a real re-sync.
    """
    from kwatch.catalogue import sync_catalogue
    from kwatch.db import open_database

    folder = tmp_path_factory.mktemp("template")
    path = folder / "kwatch.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KWATCH_CATALOGUE_DIR", str(folder / "user-catalogue"))
        mp.setenv("KWATCH_TODAY", TODAY)
        mp.setenv("KWATCH_NOW", NOW)
        conn = open_database(path)
        sync_catalogue(conn)
        conn.close()
    return path


@pytest.fixture(scope="session", autouse=True)
def _bundled_catalogue_listed_once():
    """The repository's catalogue folder, listed and stat-ed once per session.

    Every command fingerprints the catalogue's files before it opens the database, and in a
    source checkout that is a stat of each bundled file: ~4 ms of each of thousands of
    in-process commands. The checkout's catalogue does not change while the tests run (tests
    that change a catalogue change a copy, or the user's folder, which are listed as usual).
    """
    from kwatch import catalogue_files
    from kwatch.paths import bundled_catalogue_dir

    real = catalogue_files._walk
    folder = bundled_catalogue_dir() / "titles"
    listed = real(folder)
    for entry in listed:
        entry.stat()  # a DirEntry keeps its stat result

    def walk(path: Path):
        return list(listed) if path == folder else real(path)

    patch = pytest.MonkeyPatch()
    patch.setattr(catalogue_files, "_walk", walk)
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, template_db: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    # The default database (no --db, no KWATCH_DB), as a new user has it: read-only commands
    # on a --db naming no file are refused, on the default one they show an empty library.
    monkeypatch.delenv("KWATCH_DB", raising=False)
    monkeypatch.setenv("KWATCH_CATALOGUE_DIR", str(tmp_path / "user-catalogue"))
    monkeypatch.setenv("KWATCH_TODAY", TODAY)
    monkeypatch.setenv("KWATCH_NOW", NOW)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("KWATCH_STATE_DIR", raising=False)
    _copy_template_on_create(monkeypatch, template_db)
    return tmp_path


def _copy_template_on_create(monkeypatch: pytest.MonkeyPatch, template: Path) -> None:
    """Where kwatch would create a new database (in this process), start from a copy of the
    template instead: the same tables and index, without migrating and indexing again. A
    path that already exists, a missing folder kwatch must create or refuse, and a partial
    migration (`stop_before`) all go to the real function unchanged."""
    import contextlib
    import shutil

    from kwatch import db

    real = db.open_database

    from kwatch.paths import database_path

    def open_database(path: Path, *, stop_before: str | None = None):
        if stop_before is None and not path.exists() and path == database_path():
            # The default database's folder, which kwatch makes on first use (as it does).
            path.parent.mkdir(parents=True, exist_ok=True)
        if stop_before is None and not path.exists() and path.parent.is_dir():
            with contextlib.suppress(OSError):  # a read-only folder: the real error follows
                db._create_private(path)  # as kwatch creates it: owner-only
                shutil.copyfile(template, path)
        conn = real(path, stop_before=stop_before)
        # No fsync at each commit (a test's file need not survive a power cut): a few
        # milliseconds per write command. Transactions and rollbacks are unchanged, and
        # kwatch started as a real process (the subprocess tests) keeps its own settings.
        conn.execute("PRAGMA synchronous = OFF")
        return conn

    monkeypatch.setattr(db, "open_database", open_database)


def default_db_path(tmp_path: Path) -> Path:
    """Where the isolated environment's default database is (XDG_DATA_HOME/kwatch/kwatch.db)."""
    return tmp_path / "home" / ".local" / "share" / "kwatch" / "kwatch.db"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return default_db_path(tmp_path)


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


@pytest.fixture(scope="session")
def cli_command():
    """The Click command Typer builds from the app, built once: Typer rebuilds the whole tree
    (every command's parameters) on each CliRunner.invoke, about 60 ms, two thirds of an
    in-process run. Click commands are reusable; each invocation gets a fresh context."""
    from typer.main import get_command

    from kwatch.cli import app

    return get_command(app)


@pytest.fixture
def run(cli_command, monkeypatch: pytest.MonkeyPatch):
    """Run kwatch in-process: run("add", "Bleak Night", "--json") -> Result with .json()."""
    import typer.testing

    from kwatch.cli import app

    build = typer.testing._get_command  # private: typer is pinned <0.29
    monkeypatch.setattr(
        typer.testing,
        "_get_command",
        lambda typer_app: cli_command if typer_app is app else build(typer_app),
    )
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        result = runner.invoke(app, list(args), input=input, catch_exceptions=True)
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return Result(result)

    return invoke


_BUILT: dict[tuple[str, ...], bytes] = {}


def built_once(key: str, path: Path, build) -> None:
    """Make the database at `path` as `build()` makes it, running `build` only the first time
    (per worker process) and copying the file it left every other time.

    For fixtures that fill a library through a handful of real commands (about 0.1 s each,
    before every one of dozens of tests). Only for builds that leave nothing but the database
    file, in the default environment; the pinned clock is part of the key.
    """
    import os

    env = tuple(os.environ.get(name, "") for name in ("KWATCH_TODAY", "KWATCH_NOW"))
    cache_key = (key, str(path.name), *env)
    saved = _BUILT.get(cache_key)
    if saved is None:
        build()
        sidecars = [path.with_name(path.name + s) for s in ("-journal", "-wal")]
        assert not any(p.exists() for p in sidecars), "the build left a transaction open"
        _BUILT[cache_key] = path.read_bytes()
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(saved)
    path.chmod(0o600)


def db_snapshot(path: Path) -> DbSnapshot | list:
    """Every row of every table, to assert that a failed command changed nothing."""
    if not path.exists():
        return []
    return DbSnapshot(path)


def _table_rows(path: Path) -> list:
    import sqlite3

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


class DbSnapshot:
    """The rows of every table (sorted), compared as such; read lazily.

    Reading and sorting every row costs ~20 ms and most snapshots are compared with a file
    that did not change at all, so the file's bytes are kept too: two snapshots of identical
    bytes are equal without reading a row (identical files hold identical rows). Any other
    difference falls back to comparing the rows. A file with a journal or WAL beside it (a
    transaction in the middle, or a hot journal a reader would roll back) is read at once.
    """

    def __init__(self, path: Path) -> None:
        sidecars = any(path.with_name(path.name + s).exists() for s in ("-journal", "-wal"))
        self._bytes: bytes | None = None if sidecars else path.read_bytes()
        self._rows: list | None = _table_rows(path) if sidecars else None

    @property
    def rows(self) -> list:
        if self._rows is None:
            import tempfile

            assert self._bytes is not None
            with tempfile.TemporaryDirectory() as folder:
                copy = Path(folder) / "snapshot.db"
                copy.write_bytes(self._bytes)
                self._rows = _table_rows(copy)
        return self._rows

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DbSnapshot):
            if self._bytes is not None and self._bytes == other._bytes:
                return True
            return self.rows == other.rows
        return self.rows == other

    __hash__ = None  # type: ignore[assignment]

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index):
        return self.rows[index]

    def __repr__(self) -> str:
        return repr(self.rows)


def requires_shared(path: Path):
    return pytest.mark.skipif(not path.exists(), reason=f"{path} is not present (needs ../shared)")


@pytest.fixture(scope="session")
def _article_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed articles' titles copied out of the bundled catalogue, once per session."""
    import shutil
    import tomllib

    from kwatch import paths

    real = paths.bundled_catalogue_dir()
    folder = tmp_path_factory.mktemp("article-catalogue")
    (folder / "titles").mkdir(parents=True)
    for name in ("themes.toml", "sources.toml"):
        shutil.copy(real / name, folder / name)
    for path in sorted((real / "titles").glob("*.toml")):
        with path.open("rb") as fh:
            if tomllib.load(fh).get("sources"):
                shutil.copy(path, folder / "titles" / path.name)
    return folder


def _use_bundled_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    from kwatch import catalogue_files, paths, vocabulary

    for module in (paths, catalogue_files, vocabulary):
        monkeypatch.setattr(module, "bundled_catalogue_dir", lambda: folder)


@pytest.fixture(scope="session")
def _article_template_db(tmp_path_factory: pytest.TempPathFactory, _article_folder: Path) -> Path:
    """Like `template_db`, indexed from the article catalogue."""
    from kwatch.catalogue import sync_catalogue
    from kwatch.db import open_database

    folder = tmp_path_factory.mktemp("article-template")
    path = folder / "kwatch.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KWATCH_CATALOGUE_DIR", str(folder / "user-catalogue"))
        mp.setenv("KWATCH_TODAY", TODAY)
        mp.setenv("KWATCH_NOW", NOW)
        _use_bundled_folder(mp, _article_folder)
        conn = open_database(path)
        sync_catalogue(conn)
        conn.close()
    return path


@pytest.fixture
def article_catalogue(
    monkeypatch: pytest.MonkeyPatch, _article_folder: Path, _article_template_db: Path
) -> Path:
    """The bundled catalogue as the five seed articles had it (their 72 titles and nothing
    else), for tests whose expectations are about exactly those release dates. The real
    catalogue keeps growing; these tests should not have to change with it. The folder and
    its indexed template database are built once per session (copying and indexing them per
    test cost half a second each)."""
    _use_bundled_folder(monkeypatch, _article_folder)
    _copy_template_on_create(monkeypatch, _article_template_db)
    return _article_folder


def drain_pty(leader: int) -> bytes:
    """Everything a pseudo-terminal showed, once the program on it has closed its side (Linux
    then answers EIO); closes the leader."""
    import os

    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return seen


_VALIDATORS: dict[str, object] = {}


def validate_json(document, schema: dict) -> None:
    """jsonschema.validate, with the validator built once per schema.

    jsonschema.validate also checks the schema against its metaschema on every call, ~40 ms
    for each of ours: test_contract's test_every_published_schema_is_valid does that once
    for every schema kwatch publishes."""
    import jsonschema

    key = json.dumps(schema, sort_keys=True)
    validator = _VALIDATORS.get(key)
    if validator is None:
        validator = _VALIDATORS[key] = jsonschema.validators.validator_for(schema)(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(document))  # type: ignore[attr-defined]
    if error is not None:
        raise error
