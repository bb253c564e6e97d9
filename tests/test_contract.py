"""The JSON contract: every --json output validates against its published schema, with an
independent validator, and the schemas themselves are pinned."""

from __future__ import annotations

import hashlib
import json

import jsonschema
import pytest

from conftest import built_once, default_db_path, validate_json
from kwatch import schemas
from kwatch.output import SCHEMA_VERSION

# (schema name, command line). Each runs on a library prepared by `library` below.
INVOCATIONS = [
    ("add", ["add", "Oasis", "--tag", "x", "--note", "[rec]"]),
    ("add", ["add", "New One", "--custom", "--year", "2027", "--release", "2027-03"]),
    ("remove", ["remove", "Poetry", "--yes"]),
    ("list", ["list"]),
    ("list", ["list", "--status", "dropped"]),
    ("watched", ["watched", "Oasis", "--on", "2024-05", "--rating", "4.5"]),
    ("rate", ["rate", "Burning", "3.5"]),
    ("status", ["status", "Burning", "on-hold"]),
    ("show", ["show", "bleak-night-2011"]),
    ("show", ["show", "Burning"]),
    ("path", ["path"]),
    ("search", ["search", "han gongju"]),
    ("search", ["search", "Bleak Nigth"]),
    ("pick", ["pick", "--theme", "romance", "--count", "2"]),
    ("catalogue list", ["catalogue", "list"]),
    ("catalogue themes", ["catalogue", "themes"]),
    ("completion", ["completion", "bash"]),
    ("history", ["history"]),
    ("doctor", ["doctor"]),
    ("undo", ["undo"]),
    ("sync", ["sync", "--status"]),
    ("releases status", ["releases", "status"]),
]

ERRORS = [
    ["rate", "Oasis", "7"],
    ["add", "no-such-film-1999"],
    ["add", "Ditto"],
    ["pick", "--theme", "documentary", "--theme", "romance"],
    ["undo", "999"],
    ["sync"],
    ["releases", "update"],
    ["list", "--stauts", "x"],
    ["lsit"],
    ["list", "--limit", "abc"],
    ["show"],
]


@pytest.fixture
def library(run, tmp_path):
    def build() -> None:
        run("add", "Poetry")
        run("watched", "Burning", "--on", "2023-01-02", "--rating", "4")
        run("add", "Always", "--priority", "5")

    built_once("test_contract.library", default_db_path(tmp_path), build)


def _validate(name: str, document) -> None:
    validate_json(document, schemas.schema_for(name))


@pytest.mark.parametrize(
    ("name", "args"), INVOCATIONS, ids=lambda v: " ".join(v) if isinstance(v, list) else v
)
def test_real_output_matches_its_schema(run, library, name, args):
    result = run(*args, "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)  # exactly one document
    _validate(name, document)


@pytest.mark.parametrize("args", ERRORS, ids=" ".join)
def test_error_documents_match_the_error_schema(run, library, args):
    result = run(*args, "--json")
    assert result.exit_code != 0
    assert result.stdout == ""
    _validate("error", json.loads(result.stderr))


def test_catalogue_validate_output_matches(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "Bad"\n', encoding="utf-8")
    _validate("catalogue validate", run("catalogue", "validate", str(bad), "--json").json())


def test_every_command_has_a_schema():
    from typer.main import get_command

    from kwatch.cli import app

    def walk(command, prefix=()):
        for name, sub in getattr(command, "commands", {}).items():
            if hasattr(sub, "commands"):
                yield from walk(sub, (*prefix, name))
            else:
                yield " ".join((*prefix, name))

    missing = [
        name
        for name in walk(get_command(app))
        if name not in schemas.SCHEMAS and name not in ("schema",)
    ]
    assert missing == []


@pytest.mark.parametrize("name", schemas.names())
def test_every_published_schema_is_valid(name):
    # Checked here once each (validate_json does not check the schema it is given).
    schema = schemas.schema_for(name)
    jsonschema.validators.validator_for(schema).check_schema(schema)
    assert schema["$schema"] == schemas.DRAFT


def test_every_document_says_its_schema_version(run, library):
    for _, args in INVOCATIONS[3:5]:
        for item in run(*args, "--json").json():
            assert item["schema_version"] == SCHEMA_VERSION
    assert run("show", "Oasis", "--json").json()["schema_version"] == SCHEMA_VERSION


def test_schema_command(run):
    listed = run("schema").stdout.split()
    assert "list" in listed and "error" in listed
    doc = json.loads(run("schema", "catalogue-list").stdout)
    assert doc["$id"].endswith(f"/catalogue-list/v{SCHEMA_VERSION}.json")
    missing = run("schema", "nonsense")
    assert missing.exit_code == 1 and "no schema" in missing.stderr


# Pinned: a change to any schema must be deliberate. Bump output.SCHEMA_VERSION when a change
# can break a reader, note it in CHANGELOG.md, then update the digest here.
PINNED_DIGEST = "02702f3672eb618aa6da6362da3ede67b376005f110ccf1c0214de948a2cfe7f"


def _digest() -> str:
    canonical = json.dumps({n: schemas.schema_for(n) for n in schemas.names()}, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def test_schemas_are_pinned():
    assert _digest() == PINNED_DIGEST, (
        "The JSON schemas changed. If that is deliberate, record it in CHANGELOG.md (bump "
        f"SCHEMA_VERSION if old readers would break) and set PINNED_DIGEST = {_digest()!r}."
    )


def test_changelog_mentions_the_current_schema_version():
    from pathlib import Path

    changelog = (Path(__file__).parents[1] / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"JSON schema version {SCHEMA_VERSION}" in changelog


def test_history_release_and_stats_outputs_match_their_schemas(run, library, tmp_path):
    diary = tmp_path / "diary.csv"
    diary.write_text(
        "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
        "2024-01-02,Oasis,2002,https://boxd.it/x1,4.5,,classic,2024-01-01\n"
        "2024-01-03,Some Other Film,1999,https://boxd.it/x2,11,,,2024-01-02\n",
        encoding="utf-8",
    )
    checks = [
        ("import letterboxd", ["import", "letterboxd", str(diary), "--dry-run"]),
        ("import letterboxd", ["import", "letterboxd", str(diary)]),
        ("export", ["export", "--format", "json", "--output", str(tmp_path / "x.json")]),
        ("import kwatch", ["import", "kwatch", str(tmp_path / "x.json")]),
        ("export", ["export", "--format", "csv", "--output", str(tmp_path / "x.csv")]),
        ("backup", ["backup", str(tmp_path / "copy.db")]),
        ("stats", ["stats"]),
        ("stats", ["stats", "--year", "2024"]),
        ("release", ["release", "Oasis", "2027-03", "--type", "streaming"]),
        ("release", ["release", "Oasis"]),
        ("upcoming", ["upcoming"]),
        ("calendar", ["calendar"]),
        ("remind", ["remind"]),
    ]
    for name, args in checks:
        result = run(*args, "--json")
        assert result.exit_code == 0, (args, result.stderr)
        _validate(name, json.loads(result.stdout))
