"""The database file: creation, migrations that keep data, backups before migrating."""

from __future__ import annotations

import sqlite3

from kwatch.db import applied_migrations, open_database
from kwatch.migrations import MIGRATION_NAMES


def test_a_new_database_reaches_the_full_schema(db_path):
    conn = open_database(db_path)
    assert applied_migrations(conn) == MIGRATION_NAMES
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"titles", "entries", "viewings", "status_history", "titles_fts"} <= tables
    # Nothing to migrate, so no backup of a fresh file.
    assert not list(db_path.parent.glob("*.bak"))


def test_migrating_an_earlier_schema_keeps_every_row_and_backs_up_first(db_path, run):
    # A database as the first release left it: only m001 applied, with user data in it.
    old = open_database(db_path, stop_before=MIGRATION_NAMES[1])
    assert applied_migrations(old) == MIGRATION_NAMES[:1]
    old.executescript(
        """
        INSERT INTO titles (id, origin, title, year) VALUES ('home-movie-2020', 'custom',
            'Home Movie', 2020);
        INSERT INTO entries (title_id, added_on, status, priority, rating)
            VALUES ('home-movie-2020', '2021-01-01', 'completed', 4, 7),
                   ('oasis-2002', '2021-02-01', 'planned', 3, NULL);
        INSERT INTO viewings (title_id, date, precision, rating, rewatch, created_on)
            VALUES ('home-movie-2020', '2021-01', 'month', 7, 0, '2021-01-31');
        INSERT INTO entry_tags VALUES ('oasis-2002', 'classic');
        INSERT INTO status_history (title_id, status, changed_on)
            VALUES ('home-movie-2020', 'completed', '2021-01-01');
        """
    )
    old.close()
    before = sqlite3.connect(db_path).execute("SELECT * FROM entries ORDER BY title_id").fetchall()

    listed = run("list", "--json").json()  # opening it runs the pending migrations
    assert applied_migrations(open_database(db_path)) == MIGRATION_NAMES
    after = sqlite3.connect(db_path).execute("SELECT * FROM entries ORDER BY title_id").fetchall()
    assert after == before
    by_id = {e["id"]: e for e in listed}
    assert by_id["home-movie-2020"]["rating"] == 3.5
    assert by_id["home-movie-2020"]["viewings"][0]["date"] == "2021-01"
    assert by_id["oasis-2002"]["tags"] == ["classic"]
    # The custom title is searchable after the migration added the full-text index.
    hits = run("search", "home movie", "--json").json()["results"]
    assert [h["id"] for h in hits][:1] == ["home-movie-2020"]

    backups = list(db_path.parent.glob("kwatch.db.before-*.bak"))
    assert len(backups) == 1
    saved = sqlite3.connect(backups[0])
    assert saved.execute("SELECT count(*) FROM entries").fetchone()[0] == 2
    assert [r[0] for r in saved.execute("SELECT name FROM _sqlite_migrations")] == (
        MIGRATION_NAMES[:1]
    )


def test_a_failed_command_leaves_no_partial_write(conn):
    from kwatch.db import transaction

    try:
        with transaction(conn):
            conn.execute(
                "INSERT INTO entries (title_id, added_on, status) VALUES ('x', '2020', 'planned')"
            )
            raise RuntimeError("crash part way")
    except RuntimeError:
        pass
    assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == 0


def test_external_ids_migration_keeps_every_row_and_reindexes(db_path, run):
    old = open_database(db_path, stop_before="m004_external_ids")
    old.executescript(
        """
        INSERT INTO titles (id, origin, title, year) VALUES ('home-movie-2020', 'custom',
            'Home Movie', 2020);
        INSERT INTO entries (title_id, added_on, status, priority, rating)
            VALUES ('home-movie-2020', '2021-01-01', 'completed', 4, 7);
        """
    )
    old.close()
    before = sqlite3.connect(db_path).execute("SELECT * FROM entries").fetchall()
    conn = open_database(db_path)
    assert "m004_external_ids" in applied_migrations(conn)
    assert [tuple(r) for r in conn.execute("SELECT * FROM entries")] == before
    columns = [r[1] for r in conn.execute("PRAGMA table_info(title_ids)")]
    assert columns == ["title_id", "scheme", "value"]
    title_columns = [r[1] for r in conn.execute("PRAGMA table_info(titles)")]
    assert title_columns[-2:] == ["directors_ko", "opendata"]
    # The fingerprint was forgotten, so the next command rebuilds the index with the new
    # columns; the user's own title is still found.
    assert (
        conn.execute("SELECT value FROM meta WHERE key = 'catalogue_fingerprint'").fetchone()
        is None
    )
    conn.close()
    shown = run("show", "home-movie-2020", "--json").json()
    assert shown["ids"] == dict.fromkeys(("wikidata", "imdb", "letterboxd", "tmdb"))
    assert shown["entry"]["rating"] == 3.5
