"""The journal and undo: every change is recorded in the same transaction, undo puts the user's
tables back exactly, undoing an undo redoes it. Property-based (hypothesis) over random
sequences of commands, run through the real CLI on a real SQLite file."""

from __future__ import annotations

import functools
import json
import os
import sqlite3
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import built_once, db_snapshot, validate_json

TITLES = ["microhabitat-2018", "bleak-night-2011", "oasis-2002"]


def user_state(path: Path) -> list:
    """Every user row (the journaled tables, with their user-data condition), sorted."""
    from kwatch.journal import USER_TABLES

    conn = sqlite3.connect(path)
    try:
        out = []
        for table, condition in USER_TABLES.items():
            exists = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()
            if not exists:
                continue
            where = f" WHERE {condition}" if condition else ""
            rows = conn.execute(f"SELECT rowid, * FROM {table}{where}").fetchall()
            out.append((table, sorted(map(repr, rows))))
        return out
    finally:
        conn.close()


@functools.cache
def _command():
    # Built once: Typer rebuilds every command's parameters on each CliRunner.invoke(app).
    from typer.main import get_command

    from kwatch.cli import app

    return get_command(app)


def invoke(*args: str):
    from typer.testing import CliRunner

    from kwatch.cli import app

    with mock.patch("typer.testing._get_command", lambda _app: _command()):
        return CliRunner().invoke(app, list(args), catch_exceptions=False)


title = st.sampled_from(TITLES)
day = st.sampled_from(["2019-05", "2021-03-04", "2024", "yesterday", "2025-12-31"])
rating = st.sampled_from(["0.5", "3", "4.5", "5"])
status = st.sampled_from(["planned", "watching", "on-hold", "dropped", "completed"])
command = st.one_of(
    st.tuples(st.just("add"), title),
    st.tuples(st.just("add"), title, st.just("--priority"), st.sampled_from(["1", "5"])),
    st.tuples(st.just("add"), title, st.just("--tag"), st.sampled_from(["weekend", "가족"])),
    st.tuples(st.just("add"), title, st.just("--note"), st.just("with mum")),
    st.tuples(st.just("watched"), title, st.just("--on"), day),
    st.tuples(st.just("watched"), title, st.just("--on"), day, st.just("--rating"), rating),
    st.tuples(st.just("rate"), title, rating),
    st.tuples(st.just("status"), title, status),
    st.tuples(st.just("remove"), title, st.just("--yes")),
    st.tuples(st.just("release"), title, st.sampled_from(["2027-03", "2027-summer"])),
    st.tuples(
        st.just("add"),
        st.sampled_from(["Our Own Film", "Another One"]),
        st.just("--custom"),
        st.just("--year"),
        st.just("2027"),
    ),
    # Corrections (issue 12). Many fail on a state that does not allow them (no viewing 2,
    # no such note); a failed command must record nothing, which the undo count checks.
    st.tuples(st.sampled_from(["tag add", "tag remove"]), title, st.sampled_from(["x", "y"])),
    st.tuples(st.just("note add"), title, st.just("a note")),
    st.tuples(st.just("note edit"), title, st.sampled_from(["1", "2"]), st.just("changed")),
    st.tuples(st.just("note delete"), title, st.sampled_from(["1", "2"])),
    st.tuples(st.just("viewing edit"), title, st.just("1"), st.just("--on"), day),
    st.tuples(st.just("viewing edit"), title, st.just("2"), st.just("--rating"), rating),
    st.tuples(st.just("viewing delete"), title, st.sampled_from(["1", "2"])),
    st.tuples(st.just("unrate"), title),
    st.tuples(
        st.just("edit"),
        st.sampled_from(["our-own-film-2027", "another-one-2027"]),
        st.sampled_from(["--title", "--runtime", "--director"]),
        st.sampled_from(["90", "Kim Bora"]),
    ),
    st.tuples(st.just("merge"), st.sampled_from(TITLES), st.just("another-one-2027")),
    st.tuples(st.just("merge"), st.just("our-own-film-2027"), st.just("another-one-2027")),
)


# A library with something to correct in it: two viewings, a rating, a tag and a note on each
# title, and two titles of one's own (before the random commands, not undone).
SETUP = [
    *[("watched", t, "--on", "2019-05", "--rating", "3") for t in TITLES],
    *[("watched", t, "--on", "2021-03-04") for t in TITLES],
    *[("add", t, "--tag", "x", "--note", "a note") for t in TITLES],
    ("add", "Our Own Film", "--custom", "--year", "2027"),
    ("add", "Another One", "--custom", "--year", "2027"),
]


def _set_up(path: Path) -> None:
    """The SETUP library at `path`: made by its commands for the first example, copied from
    that file for the others (the same eleven commands give the same library)."""

    def build() -> None:
        from kwatch import db

        db.open_database(path).close()  # create the database (a list would refuse a --db
        # naming no file)
        for args in SETUP:
            assert invoke(*args).exit_code == 0

    built_once("test_journal.SETUP", path, build)


def _words(args: tuple[str, ...]) -> list[str]:
    """("tag add", ...) -> ["tag", "add", ...]: a group and its command as two words."""
    return [*args[0].split(), *args[1:]]


@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,  # the same examples every run: a fixed budget in CI
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(before=st.lists(command, max_size=3), changes=st.lists(command, min_size=1, max_size=7))
def test_undo_everything_gives_back_the_start_and_redo_the_end(before, changes):
    with (
        tempfile.TemporaryDirectory() as folder,
        mock.patch.dict(os.environ, {"KWATCH_DB": str(Path(folder) / "kwatch.db")}),
    ):
        path = Path(folder) / "kwatch.db"
        _set_up(path)
        for args in before:
            invoke(*_words(args))
        start = user_state(path)
        known = len(json.loads(invoke("history", "--limit", "1000", "--json").stdout))
        for args in changes:
            invoke(*_words(args))
        end = user_state(path)
        made = len(json.loads(invoke("history", "--limit", "1000", "--json").stdout)) - known
        for _ in range(made):
            assert invoke("undo").exit_code == 0
        assert user_state(path) == start
        for _ in range(made):
            assert invoke("redo").exit_code == 0
        assert user_state(path) == end
        assert invoke("redo").exit_code == 1  # nothing left to redo


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def test_add_watched_rate_then_three_undos_is_exactly_before(run, db_path):
    ok(run("add", "Oasis"))
    before = user_state(db_path)
    ok(run("add", "Microhabitat", "--tag", "weekend"))
    ok(run("watched", "Microhabitat", "--on", "2024-03", "--rating", "4"))
    ok(run("rate", "Microhabitat", "4.5"))
    for _ in range(3):
        ok(run("undo"))
    assert user_state(db_path) == before


def test_history_lists_changes_with_numbers_and_reads_record_nothing(run):
    ok(run("add", "Oasis"))
    ok(run("list"))
    ok(run("show", "Oasis"))
    ok(run("search", "Oasis"))
    doc = ok(run("history", "--json")).json()
    assert [op["command"] for op in doc] == ["add"]
    assert (
        doc[0]["number"] == 1 and doc[0]["command_line"] == "add Oasis" and doc[0]["changes"] >= 1
    )
    assert len(doc[0]["id"]) == 36  # a UUID: stable across machines, for sync


def test_a_failed_command_records_nothing(run, db_path):
    ok(run("add", "Oasis"))
    before = db_snapshot(db_path)
    assert run("rate", "Oasis", "7").exit_code == 2
    assert run("watched", "Oasis", "--on", "2999-01-01").exit_code == 2
    assert db_snapshot(db_path) == before


def test_an_import_is_one_undoable_change(run, db_path, tmp_path):
    csv = tmp_path / "ratings.csv"
    csv.write_text(
        "Date,Name,Year,Letterboxd URI,Rating\n"
        "2024-01-02,Oasis,2002,https://boxd.it/aaaa,4\n"
        "2024-01-03,Burning,2018,https://boxd.it/bbbb,5\n",
        encoding="utf-8",
    )
    before = user_state(db_path) if db_path.exists() else None
    ok(run("list"))
    before = user_state(db_path)
    ok(run("import", "letterboxd", str(csv)))
    assert len(ok(run("list", "--json")).json()) == 2
    assert len(ok(run("history", "--json")).json()) == 1
    ok(run("undo"))
    assert user_state(db_path) == before


def test_undo_out_of_order_is_refused_when_a_later_change_built_on_it(run, db_path):
    ok(run("add", "Oasis"))
    ok(run("rate", "Oasis", "4"))
    before = db_snapshot(db_path)
    result = run("undo", "1")
    assert result.exit_code == 1 and "Undo the later changes first" in result.stderr
    assert db_snapshot(db_path) == before
    # Undoing an independent earlier change is fine.
    ok(run("add", "Burning"))
    ok(run("undo", "3"))
    assert [e["id"] for e in ok(run("list", "--json")).json()] == ["oasis-2002"]


def test_redo_json_follows_its_schema(run):
    from kwatch import schemas

    ok(run("add", "Oasis"))
    ok(run("undo"))
    validate_json(ok(run("redo", "--json")).json(), schemas.schema_for("redo"))


def test_undo_of_an_undo_is_a_redo(run, db_path):
    ok(run("add", "Oasis"))
    after = user_state(db_path)
    ok(run("undo"))
    undo_number = ok(run("history", "--json")).json()[0]["number"]
    ok(run("undo", str(undo_number)))
    assert user_state(db_path) == after
    assert ok(run("history", "--json")).json()[0]["command"] == "redo"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["undo"], "nothing to undo"),
        (["redo"], "nothing to redo"),
        (["undo", "99"], "no change number 99"),
        (["undo", "--last", "0"], "--last 0"),
        (["history", "--limit", "0"], "--limit must be 1 or more"),
    ],
)
def test_bad_undo_requests(run, args, message):
    result = run(*args)
    assert result.exit_code in (1, 2) and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_read_only_commands_really_write_no_user_data(run, db_path):
    """The commands that skip the journal's set-up must not write to the user's tables."""
    from kwatch.cli.common import READ_ONLY_COMMANDS

    ok(run("add", "Oasis"))
    ok(run("watched", "Burning", "--on", "2024-01-02"))
    before = user_state(db_path)
    args = {
        "show": ["show", "Oasis"],
        "search": ["search", "Oasis"],
        "pick": ["pick", "--seed", "1"],
        "calendar": ["calendar"],
        "remind": ["remind"],
        "export": ["export", "--format", "json"],
        "catalogue validate": ["catalogue", "validate", str(db_path.parent)],
    }
    for name in sorted(READ_ONLY_COMMANDS):
        run(*args.get(name, name.split()))
    assert user_state(db_path) == before
