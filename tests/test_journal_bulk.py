"""Bulk inserts are journaled as a set (journal.insert_many): the journal they leave is the one
the row triggers would have written, undo takes them back exactly, and a statement that fails
leaves neither rows, journal nor a missing trigger behind."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import FIXTURES, requires_shared
from kwatch import db, journal
from kwatch.catalogue import sync_catalogue
from kwatch.db import transaction
from test_journal import user_state

NOW = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)
EXPORT = FIXTURES / "letterboxd-export-patrickmjones"


def _journal(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute(
        "SELECT tbl, row_id, kind, old, new FROM journal_changes ORDER BY seq"
    ).fetchall()


def _without_random_ids(changes: list[tuple]) -> list[tuple]:
    """The changes with each row's random stable id (uid) left out: two imports draw two."""

    def image(text: str | None):
        return None if text is None else {k: v for k, v in json.loads(text).items() if k != "uid"}

    return [(tbl, row_id, kind, image(old), image(new)) for tbl, row_id, kind, old, new in changes]


def _triggers(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT sql FROM temp.sqlite_master WHERE type = 'trigger' ORDER BY name"
        )
    ]


@pytest.fixture
def journaled(tmp_path: Path):
    conn = db.open_database(tmp_path / "bulk.db")
    sync_catalogue(conn)
    journal.begin(conn, "import", None, now=NOW)
    yield conn
    conn.close()


def _tags(n: int) -> list[tuple[str, str]]:
    return [("oasis-2002", f"tag-{i:03d}") for i in range(n)]


def _add_entry(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO entries (title_id, added_on, status, priority) VALUES"
        " ('oasis-2002', '2026-11-22', 'planned', 3)"
    )


def test_a_set_is_journaled_as_the_row_triggers_journal_it(journaled, tmp_path, monkeypatch):
    sql = "INSERT INTO entry_tags (title_id, tag) VALUES (?,?)"
    with transaction(journaled):
        _add_entry(journaled)
        journal.insert_many(journaled, "entry_tags", sql, _tags(200))
    by_set = _journal(journaled)

    # The same rows through the row triggers, on a second database.
    monkeypatch.setattr(journal, "_SET_JOURNAL_MIN_ROWS", 10**9)
    other = db.open_database(tmp_path / "rows.db")
    sync_catalogue(other)
    journal.begin(other, "import", None, now=NOW)
    with transaction(other):
        _add_entry(other)
        journal.insert_many(other, "entry_tags", sql, _tags(200))
    assert _journal(other) == by_set
    assert len(by_set) == 201
    assert journaled.execute("SELECT count(*) FROM journal_ops").fetchone()[0] == 1
    # The insert trigger is back, as it was.
    assert _triggers(journaled) == _triggers(other)
    other.close()


def test_rows_the_statement_ignores_are_not_journaled(journaled):
    sql = "INSERT OR IGNORE INTO entry_tags (title_id, tag) VALUES (?,?)"
    with transaction(journaled):
        _add_entry(journaled)
        journal.insert_many(journaled, "entry_tags", sql, _tags(100))
        journal.insert_many(journaled, "entry_tags", sql, _tags(150))  # 100 already there
    kinds = [row[0] for row in _journal(journaled)]
    assert kinds.count("entry_tags") == 150


def test_only_user_rows_of_a_table_with_a_condition_are_journaled(journaled):
    # titles holds the catalogue and the user's own titles; only origin = 'custom' is user data.
    sql = "INSERT INTO titles (id, origin, title, year, kind) VALUES (?,?,?,?,'film')"
    rows = [(f"t-{i}", "custom" if i % 2 else "bundled", f"T {i}", 2000) for i in range(100)]
    with transaction(journaled):
        journal.insert_many(journaled, "titles", sql, rows)
    journaled_ids = {
        r[0] for r in journaled.execute("SELECT json_extract(new, '$.id') FROM journal_changes")
    }
    assert journaled_ids == {f"t-{i}" for i in range(1, 100, 2)}


def test_a_failing_statement_leaves_no_rows_no_journal_and_its_trigger(journaled):
    before = _triggers(journaled)
    rows = [*_tags(100), _tags(1)[0]]  # the last row repeats the first: UNIQUE fails
    with pytest.raises(sqlite3.IntegrityError), transaction(journaled):
        _add_entry(journaled)
        journal.insert_many(
            journaled, "entry_tags", "INSERT INTO entry_tags (title_id, tag) VALUES (?,?)", rows
        )
    assert journaled.execute("SELECT count(*) FROM entry_tags").fetchone()[0] == 0
    assert _journal(journaled) == []
    assert _triggers(journaled) == before
    # And the row trigger still journals what comes next.
    with transaction(journaled):
        _add_entry(journaled)
    assert [row[0] for row in _journal(journaled)] == ["entries"]


def test_only_plain_inserts_into_the_named_table_are_taken(journaled):
    with pytest.raises(ValueError), transaction(journaled):
        journal.insert_many(
            journaled,
            "entry_tags",
            "INSERT OR REPLACE INTO entry_tags (title_id, tag) VALUES (?,?)",
            _tags(100),
        )
    with pytest.raises(ValueError), transaction(journaled):
        journal.insert_many(
            journaled, "entries", "INSERT INTO entry_tags (title_id, tag) VALUES (?,?)", _tags(100)
        )
    # A batch too small for the set path is refused the same way.
    with pytest.raises(ValueError), transaction(journaled):
        journal.insert_many(
            journaled, "entries", "INSERT INTO entry_tags (title_id, tag) VALUES (?,?)", _tags(2)
        )


def test_rows_placed_below_the_last_rowid_are_refused_not_missed(journaled):
    with transaction(journaled):
        _add_entry(journaled)
        journal.insert_many(
            journaled,
            "entry_tags",
            "INSERT INTO entry_tags (title_id, tag) VALUES (?,?)",
            _tags(100),
        )
        journaled.execute("DELETE FROM entry_tags WHERE rowid < 90")
    rows = [(i, "oasis-2002", f"again-{i}") for i in range(1, 90)]
    with pytest.raises(RuntimeError, match="not the last ones"), transaction(journaled):
        journal.insert_many(
            journaled,
            "entry_tags",
            "INSERT INTO entry_tags (rowid, title_id, tag) VALUES (?,?,?)",
            rows,
        )
    assert journaled.execute("SELECT count(*) FROM entry_tags").fetchone()[0] == 11


@pytest.mark.slow  # two imports of the shared export, one through the row triggers: ~8 s
@requires_shared(EXPORT)
def test_a_whole_import_journals_as_the_row_triggers_and_undoes_exactly(run, db_path, monkeypatch):
    assert run("list").exit_code == 0
    start = user_state(db_path)
    assert run("import", "letterboxd", str(EXPORT)).exit_code == 0
    conn = sqlite3.connect(db_path)
    by_set = _journal(conn)
    conn.close()
    assert len(by_set) > 10_000
    assert run("undo").exit_code == 0
    assert user_state(db_path) == start

    # The same import through the row triggers journals the very same changes.
    monkeypatch.setattr(journal, "_SET_JOURNAL_MIN_ROWS", 10**9)
    db_path.unlink()
    assert run("list").exit_code == 0
    assert run("import", "letterboxd", str(EXPORT)).exit_code == 0
    conn = sqlite3.connect(db_path)
    by_row = _journal(conn)
    conn.close()
    assert _without_random_ids(by_row) == _without_random_ids(by_set)
