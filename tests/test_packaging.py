"""The catalogue ships inside the wheel and is found from an editable install too; start-up
stays light (which modules a JSON command imports is the deterministic proxy for speed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    return next(out.glob("kwatch-*.whl"))


@pytest.mark.slow  # builds a wheel
def test_wheel_contains_the_catalogue(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "kwatch/catalogue/titles/bleak-night-2011.toml" in names
    assert "kwatch/catalogue/themes.toml" in names
    assert "kwatch/schemas/catalogue-entry.json" in names
    assert {"kwatch/shell/kwatch.bash", "kwatch/shell/_kwatch", "kwatch/shell/kwatch.fish"} <= set(
        names
    )
    titles = [n for n in names if n.startswith("kwatch/catalogue/titles/")]
    assert len(titles) == len(list((ROOT / "catalogue" / "titles").glob("*.toml")))


def _run_python(code: str, pythonpath: Path, tmp_path: Path) -> str:
    # The isolated default database (XDG_DATA_HOME from conftest), as a new user has it.
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    return done.stdout


PROBE = (
    "import json; from kwatch.paths import bundled_catalogue_dir as d; "
    "from kwatch.cli import main; import sys; print(d()); "
    "sys.argv=['kwatch','show','한공주','--json']; main()"
)


@pytest.mark.slow  # builds a wheel
def test_installed_wheel_finds_its_own_catalogue(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    out = _run_python(PROBE, site, tmp_path)
    folder, document = out.split("\n", 1)
    assert Path(folder) == site / "kwatch" / "catalogue"
    assert json.loads(document)["id"] == "han-gong-ju-2014"


def test_source_tree_and_editable_install_find_the_repository_catalogue(tmp_path):
    # An editable install puts src/ on the path; the package has no copy of the catalogue then.
    out = _run_python(PROBE, ROOT / "src", tmp_path)
    folder, document = out.split("\n", 1)
    assert Path(folder) == ROOT / "catalogue"
    assert json.loads(document)["id"] == "han-gong-ju-2014"


@pytest.fixture(scope="module")
def _warm_db(tmp_path_factory) -> Path:
    """A database created and indexed by a real run (with Oasis added), built once: each
    check below copies it, so what it measures is a warm run, not creating the database."""
    folder = tmp_path_factory.mktemp("warm")
    # Built before any test's isolated environment exists: isolate this run by hand.
    env = {
        **os.environ,
        "HOME": str(folder),
        "XDG_DATA_HOME": str(folder / "data"),
        "KWATCH_CATALOGUE_DIR": str(folder / "user-catalogue"),
        "KWATCH_DB": str(folder / "k.db"),
        "KWATCH_TODAY": "2026-11-22",
    }
    subprocess.run(
        [sys.executable, "-c", _PROBE_MODULES, "add", "Oasis"],
        env=env,
        capture_output=True,
        check=True,
    )
    return folder / "k.db"


_PROBE_MODULES = (
    "import sys; from kwatch.cli import main; sys.argv=['kwatch', *sys.argv[1:]]\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    "sys.stderr.write('\\nMODULES ' + ' '.join(sorted(sys.modules)))"
)


def _probe(code: str, args: tuple[str, ...], tmp_path: Path) -> str:
    """What `code` writes to stderr, run as kwatch with `args` on a copy of the warm database."""
    import shutil

    shutil.copy(_WARM["db"], tmp_path / "k.db")
    env = {**os.environ, "KWATCH_DB": str(tmp_path / "k.db"), "KWATCH_TODAY": "2026-11-22"}
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stderr


def _imported_modules(*args: str, tmp_path: Path) -> set[str]:
    return set(_probe(_PROBE_MODULES, args, tmp_path).rsplit("MODULES ", 1)[1].split())


_WARM: dict[str, Path] = {}


@pytest.fixture(autouse=True)
def _share_the_warm_db(_warm_db: Path) -> None:
    _WARM["db"] = _warm_db


_PROBE_COLLECTOR = (
    "import gc, sys\n"
    "early = []\n"
    # Collections once Typer is loading (not while Python compiles a stale kwatch/entry.py
    # before main() runs) and before the freeze.
    "gc.callbacks.append(lambda phase, info: phase == 'start' and not gc.get_freeze_count()"
    " and 'typer' in sys.modules and early.append(info['generation']))\n"
    "from kwatch.entry import main; sys.argv = ['kwatch', *sys.argv[1:]]\n"
    "try:\n    main()\nexcept SystemExit:\n    pass\n"
    "sys.stderr.write(f'\\nGC {len(early)} {gc.isenabled()} {gc.get_freeze_count() > 10000}')"
)


@pytest.mark.parametrize("args", [("list", "--json"), ("--help",)])
def test_start_up_leaves_its_objects_to_the_collector_frozen(args, tmp_path):
    # Building Typer's app and importing the modules makes tens of thousands of objects that
    # live as long as the run; the cyclic collector walking them while they are made cost
    # about a tenth of a quick read. Proxy for that time: no collection before the freeze,
    # and the collector is on again, past the frozen objects, for the command itself.
    report = _probe(_PROBE_COLLECTOR, args, tmp_path)
    assert report.rsplit("GC ", 1)[1].split() == ["0", "True", "True"]


HEAVY = ("rich", "sqlite_utils", "rapidfuzz", "icalendar", "pydantic", "jsonschema", "tomllib")


@pytest.mark.parametrize(
    "args",
    [("list", "--json"), ("show", "oasis-2002", "--json"), ("search", "oasis", "--json")],
)
def test_json_commands_do_not_import_heavy_modules(args, tmp_path):
    modules = _imported_modules(*args, tmp_path=tmp_path)
    loaded = sorted(m for m in modules if m.split(".")[0] in HEAVY)
    assert loaded == [], f"{' '.join(args)} imported {loaded}"


@pytest.mark.parametrize(
    "args",
    [("list", "--json"), ("show", "oasis-2002", "--json"), ("search", "oasis", "--json")],
)
def test_reads_do_not_import_the_write_paths(args, tmp_path):
    # A read opens no journal operation and writes nothing: the modules that write the
    # user's tables (kwatch.library's entries, records, bulk) and the journal stay unloaded.
    modules = _imported_modules(*args, tmp_path=tmp_path)
    writers = ("kwatch.library.entries", "kwatch.library.records", "kwatch.library.bulk")
    assert sorted(m for m in modules if m in (*writers, "kwatch.journal")) == []


@pytest.mark.parametrize(
    "args", [("--help",), ("list", "--help"), ("list", "--stauts", "x"), ("lsit", "--json")]
)
def test_help_and_usage_errors_do_not_load_rich(args, tmp_path):
    """Plain help and one-line usage errors: no rich (about +90 ms a run)."""
    modules = _imported_modules(*args, tmp_path=tmp_path)
    assert sorted(m for m in modules if m.split(".")[0] in HEAVY) == []


def test_typer_is_pinned_below_the_pydantic_release():
    import typer

    assert tuple(int(x) for x in typer.__version__.split(".")[:2]) < (0, 29)


@pytest.mark.parametrize(
    "args",
    [("show", "tt0364569", "--json"), ("show", "Q475693", "--json"), ("list", "--json")],
)
def test_reads_by_external_id_load_no_catalogue_or_opendata_code(args, tmp_path):
    # With the index up to date (the fingerprint is a few stat calls), a read neither loads
    # the catalogue loader nor the open-data layer, whatever the layer's size.
    modules = _imported_modules(*args, tmp_path=tmp_path)
    loaded = sorted(
        m for m in modules if m.startswith(("kwatch.opendata", "kwatch.catalogue", "gzip"))
    )
    assert loaded == ["kwatch.catalogue_files"], f"{' '.join(args)} imported {loaded}"


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--theme", "romance", "--json"),
        ("pick", "--from", "catalogue", "--theme", "romance", "--avoid", "suicide", "--json"),
    ],
)
def test_typed_themes_are_checked_without_the_catalogue_loader(args, tmp_path):
    # Checking --theme / --avoid against the vocabulary reads themes.toml (kwatch.vocabulary),
    # not the catalogue's loader and validator, which cost about half of Python's start-up.
    modules = _imported_modules(*args, tmp_path=tmp_path)
    assert "kwatch.vocabulary" in modules
    assert sorted(m for m in modules if m.startswith("kwatch.catalogue")) == [
        "kwatch.catalogue_files"
    ]


@pytest.mark.slow  # builds an sdist and runs the suite from it
def test_the_sdist_carries_everything_its_tests_need(tmp_path):
    """The sdist's own tests pass from the unpacked sdist (the slow ones aside: they build
    and start shells, and run here from the repository)."""
    import tarfile

    out = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "sdist", "-d", str(out)],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    archive = next(out.glob("kwatch-*.tar.gz"))
    with tarfile.open(archive) as tar:
        names = tar.getnames()
        tar.extractall(tmp_path, filter="data")
    tree = tmp_path / archive.name.removesuffix(".tar.gz")
    assert f"{tree.name}/LICENSE" in names
    env = {**os.environ, "PYTHONPATH": str(tree / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-m", "not slow", "-p", "no:cacheprovider"],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_the_command_module_map_names_where_each_command_is_defined():
    """kwatch.cli.main imports only the module COMMAND_MODULES names for the command run; a
    command missing from the map would still work, but load every module."""
    import kwatch.cli as cli

    app = cli.app
    defined = {cli._command_name(c): c.callback.__module__ for c in app.registered_commands}
    for group in app.registered_groups:
        defined[group.name] = group.typer_instance.registered_commands[0].callback.__module__
    assert {name: f"kwatch.cli.{m}" for name, m in cli.COMMAND_MODULES.items()} == defined
    assert set(cli.COMMAND_MODULES.values()) <= set(cli.ALL_MODULES)


def test_a_command_run_imports_only_its_own_command_module(tmp_path):
    modules = _imported_modules("list", "--json", tmp_path=tmp_path)
    command_modules = {m for m in modules if m.startswith("kwatch.cli.")}
    assert command_modules <= {
        "kwatch.cli.library",
        "kwatch.cli.root",
        "kwatch.cli.common",
        "kwatch.cli.usage",
        "kwatch.cli.complete",
    }


def test_the_version_loads_no_command_module(tmp_path):
    modules = _imported_modules("--version", tmp_path=tmp_path)
    loaded = sorted(m for m in modules if m.startswith("kwatch.cli."))
    assert set(loaded) <= {
        "kwatch.cli.root",
        "kwatch.cli.common",
        "kwatch.cli.usage",
        "kwatch.cli.complete",
    }, loaded


def test_the_library_package_offers_each_name_from_its_module():
    # kwatch.library loads its names lazily from a map (_HOME); its __all__ stays a literal
    # list (the linters read re-exports from it): the two must name the same things, and each
    # name must be the very object its module defines.
    import importlib

    import kwatch.library as library

    assert sorted(library.__all__) == sorted(library._HOME)
    for name, home in library._HOME.items():
        module = importlib.import_module(f"kwatch.library.{home}")
        assert getattr(library, name) is getattr(module, name), name
