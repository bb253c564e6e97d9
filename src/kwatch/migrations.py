"""Schema migrations, applied in order by sqlite-utils' Migrations runner.

Append-only: never edit or reorder a migration that has shipped; add a new one. Every migration
must keep every row of user data (entries, tags, notes, viewings, status history, custom titles,
user releases). This module imports nothing heavy so `db.py` can list pending migrations cheaply.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlite_utils import Database

MIGRATION_SET = "kwatch"


def _run(db: Database, script: str) -> None:
    # Not executescript(): Python's sqlite3 commits any open transaction before running a
    # script, which would break the all-or-nothing guarantee of each migration.
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.execute(statement)
            statement = ""


def m001_initial(db: Database) -> None:
    _run(
        db,
        """
        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

        -- Every title kwatch knows: the bundled catalogue and the user's catalogue files
        -- (origin 'bundled' / 'user-file', rebuilt from the files when they change) and the
        -- user's own titles (origin 'custom', user data: never rebuilt or dropped).
        CREATE TABLE titles (
            id TEXT PRIMARY KEY,
            origin TEXT NOT NULL,
            title TEXT NOT NULL,
            alt_titles TEXT NOT NULL DEFAULT '[]',
            original_title TEXT,
            romanized_title TEXT,
            year INTEGER,
            kind TEXT NOT NULL DEFAULT 'film',
            directors TEXT NOT NULL DEFAULT '[]',
            runtime_min INTEGER,
            themes TEXT NOT NULL DEFAULT '[]',
            content_notes TEXT NOT NULL DEFAULT '[]',
            synopsis TEXT,
            sources TEXT NOT NULL DEFAULT '[]',
            missing TEXT NOT NULL DEFAULT '{}',
            source_file TEXT
        );
        CREATE INDEX titles_year ON titles(year);

        -- Folded name keys (see textnorm.name_key) for finding a title however it is typed.
        CREATE TABLE title_names (
            title_id TEXT NOT NULL,
            key TEXT NOT NULL,
            kind TEXT NOT NULL
        );
        CREATE INDEX title_names_key ON title_names(key);
        CREATE INDEX title_names_title ON title_names(title_id);

        -- Normalised so a themed pick is an index lookup, not a JSON scan.
        CREATE TABLE title_themes (
            theme TEXT NOT NULL,
            title_id TEXT NOT NULL,
            PRIMARY KEY (theme, title_id)
        ) WITHOUT ROWID;
        CREATE TABLE title_notes (
            note TEXT NOT NULL,
            title_id TEXT NOT NULL,
            PRIMARY KEY (note, title_id)
        ) WITHOUT ROWID;
        CREATE TABLE title_directors (
            director_key TEXT NOT NULL,
            title_id TEXT NOT NULL,
            PRIMARY KEY (director_key, title_id)
        ) WITHOUT ROWID;

        -- origin 'catalogue' rows are rebuilt from the files; origin 'user' rows are user data.
        CREATE TABLE releases (
            id INTEGER PRIMARY KEY,
            title_id TEXT NOT NULL,
            date TEXT NOT NULL DEFAULT '',
            precision TEXT NOT NULL,
            region TEXT NOT NULL DEFAULT 'KR',
            type TEXT NOT NULL,
            note TEXT,
            source TEXT,
            origin TEXT NOT NULL
        );
        CREATE INDEX releases_title ON releases(title_id);
        CREATE INDEX releases_date ON releases(date);

        -- The user's library: one entry per title they added, watched or rated.
        CREATE TABLE entries (
            title_id TEXT PRIMARY KEY,
            added_on TEXT NOT NULL,
            status TEXT NOT NULL,
            priority INTEGER NOT NULL DEFAULT 3,
            rating INTEGER,
            rated_on TEXT
        );
        CREATE TABLE entry_tags (
            title_id TEXT NOT NULL,
            tag TEXT NOT NULL,
            PRIMARY KEY (title_id, tag)
        );
        CREATE TABLE entry_notes (
            id INTEGER PRIMARY KEY,
            title_id TEXT NOT NULL,
            text TEXT NOT NULL,
            created_on TEXT NOT NULL
        );
        CREATE INDEX entry_notes_title ON entry_notes(title_id);
        -- Ratings are stored in half stars (1-10): 3.5 stars is 7, 7/10 is 7. No float, no loss.
        CREATE TABLE viewings (
            id INTEGER PRIMARY KEY,
            title_id TEXT NOT NULL,
            date TEXT NOT NULL,
            precision TEXT NOT NULL,
            rating INTEGER,
            note TEXT,
            rewatch INTEGER NOT NULL DEFAULT 0,
            created_on TEXT NOT NULL
        );
        CREATE INDEX viewings_title ON viewings(title_id);
        CREATE TABLE status_history (
            id INTEGER PRIMARY KEY,
            title_id TEXT NOT NULL,
            status TEXT NOT NULL,
            changed_on TEXT NOT NULL
        );
        CREATE INDEX status_history_title ON status_history(title_id);
        """,
    )


def m002_search_index(db: Database) -> None:
    # Full-text index over what people search by. unicode61 keeps Hangul syllables; the search
    # module adds prefix queries so a word with a particle (복수는) still matches 복수.
    _run(
        db,
        """
        CREATE VIRTUAL TABLE titles_fts USING fts5(
            title_id UNINDEXED,
            names,
            people,
            themes,
            synopsis,
            tokenize = 'unicode61 remove_diacritics 2'
        );
        """,
    )
    # Titles that exist already (custom titles of an earlier version) get indexed on the next
    # catalogue sync, which the loader forces by forgetting the fingerprint.
    db.execute("DELETE FROM meta WHERE key = 'catalogue_fingerprint'")


def m003_import_keys(db: Database) -> None:
    # Where an imported viewing or note came from (e.g. "letterboxd:https://boxd.it/1VoAHp"),
    # so importing the same export again, or a newer one of the same account, adds nothing
    # twice. NULL for everything recorded in kwatch itself. The key lives on the row, so
    # removing a title removes its keys and a later import brings it back.
    _run(
        db,
        """
        ALTER TABLE viewings ADD COLUMN import_key TEXT;
        ALTER TABLE entry_notes ADD COLUMN import_key TEXT;
        CREATE UNIQUE INDEX viewings_import_key ON viewings(import_key)
            WHERE import_key IS NOT NULL;
        CREATE UNIQUE INDEX entry_notes_import_key ON entry_notes(import_key)
            WHERE import_key IS NOT NULL;
        """,
    )


def m004_external_ids(db: Database) -> None:
    # External ids (Wikidata, IMDb, Letterboxd, TMDb) and directors' Hangul names, both from
    # the catalogue files and the open-data layer. Derived data, rebuilt with the index (the
    # fingerprint is forgotten so the next command rebuilds it); `opendata` says which facts
    # of a title came from an open-data layer (JSON, NULL when none did).
    _run(
        db,
        """
        ALTER TABLE titles ADD COLUMN directors_ko TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE titles ADD COLUMN opendata TEXT;
        CREATE TABLE title_ids (
            title_id TEXT NOT NULL,
            scheme TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (title_id, scheme)
        ) WITHOUT ROWID;
        CREATE INDEX title_ids_value ON title_ids(scheme, value);
        """,
    )
    db.execute("DELETE FROM meta WHERE key = 'catalogue_fingerprint'")


def m005_release_refresh(db: Database) -> None:
    # What `kwatch releases update` learns, kept apart from the user's own rows:
    # - fetched_titles: films a source announced that no catalogue has (KOBIS's scheduled
    #   releases), indexed like catalogue titles with the source as their origin;
    # - releases rows with origin 'kobis' or 'tmdb' hold the dates themselves (the table has
    #   an origin column already), each with its source and fetch date in `source`;
    # - refresh_runs: when each source was asked, and what came of it;
    # - release_moves: a refresh that changed the live date of a title, for `remind` to say
    #   once ("Hope moved from July 2027 to 2027-08-05");
    # - calendar_events: the date each calendar UID was last written with, so SEQUENCE can
    #   grow when it changes.
    _run(
        db,
        """
        CREATE TABLE fetched_titles (
            title_id TEXT PRIMARY KEY,
            source TEXT NOT NULL,
            source_key TEXT NOT NULL,
            payload TEXT NOT NULL,
            fetched_at TEXT NOT NULL,
            UNIQUE (source, source_key)
        );
        CREATE TABLE refresh_runs (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            status TEXT NOT NULL,
            calls INTEGER NOT NULL DEFAULT 0,
            fetched INTEGER NOT NULL DEFAULT 0,
            matched INTEGER NOT NULL DEFAULT 0,
            added INTEGER NOT NULL DEFAULT 0,
            changed INTEGER NOT NULL DEFAULT 0,
            message TEXT
        );
        CREATE INDEX refresh_runs_source ON refresh_runs(source, started_at);
        CREATE TABLE release_moves (
            id INTEGER PRIMARY KEY,
            title_id TEXT NOT NULL,
            type TEXT NOT NULL,
            region TEXT NOT NULL,
            old_date TEXT NOT NULL,
            old_precision TEXT NOT NULL,
            new_date TEXT NOT NULL,
            new_precision TEXT NOT NULL,
            source TEXT NOT NULL,
            detected_at TEXT NOT NULL,
            announced_on TEXT
        );
        CREATE TABLE calendar_events (
            uid TEXT PRIMARY KEY,
            date TEXT NOT NULL,
            sequence INTEGER NOT NULL DEFAULT 0
        );
        """,
    )


def m006_source_ids_and_lists(db: Database) -> None:
    # Independent of m004_external_ids (the catalogue's own ids, table title_ids): these are
    # the ids the user's sources gave their titles, which is user data.
    _run(
        db,
        """
        -- How each source names a title: Letterboxd film URI ('letterboxd'), Letterboxd film
        -- slug ('letterboxd-slug'), IMDb ('imdb'), TMDb ('tmdb'). One (scheme, value) is one
        -- film: two values are never merged into one title by name. name and year are the
        -- source's own (Letterboxd matches on its year), kept for the way back out.
        CREATE TABLE source_ids (
            scheme TEXT NOT NULL,
            value TEXT NOT NULL,
            title_id TEXT NOT NULL,
            name TEXT,
            year INTEGER,
            PRIMARY KEY (scheme, value)
        );
        CREATE INDEX source_ids_title ON source_ids(title_id);

        -- The user's lists (a Letterboxd list, or one made in kwatch). Being in a list says
        -- nothing about the watchlist. source: where it came from ('letterboxd:<URL>').
        CREATE TABLE lists (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            description TEXT,
            ranked INTEGER NOT NULL DEFAULT 0,
            tags TEXT NOT NULL DEFAULT '[]',
            created_on TEXT NOT NULL,
            source TEXT
        );
        CREATE UNIQUE INDEX lists_source ON lists(source) WHERE source IS NOT NULL;
        CREATE TABLE list_items (
            list_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            title_id TEXT NOT NULL,
            note TEXT,
            PRIMARY KEY (list_id, title_id)
        );
        CREATE INDEX list_items_title ON list_items(title_id);

        -- Public reviews, apart from private notes: readable text, the original (Letterboxd
        -- writes HTML) for the way back out, the day it was published, the spoiler flag.
        CREATE TABLE reviews (
            id INTEGER PRIMARY KEY,
            title_id TEXT NOT NULL,
            text TEXT NOT NULL,
            original TEXT,
            published_on TEXT NOT NULL,
            spoilers INTEGER NOT NULL DEFAULT 0,
            import_key TEXT
        );
        CREATE INDEX reviews_title ON reviews(title_id);
        CREATE UNIQUE INDEX reviews_import_key ON reviews(import_key)
            WHERE import_key IS NOT NULL;

        -- Films the user liked at the source (Letterboxd likes/films.csv).
        CREATE TABLE likes (
            title_id TEXT PRIMARY KEY,
            liked_on TEXT
        );

        -- Reviews imported before this migration were kept as notes: they become reviews
        -- (nothing is lost: the text as it was is kept as the original).
        INSERT INTO reviews (title_id, text, original, published_on, spoilers, import_key)
            SELECT title_id, text, text, created_on, 0, import_key FROM entry_notes
            WHERE import_key LIKE 'letterboxd:review:%';
        DELETE FROM entry_notes WHERE import_key LIKE 'letterboxd:review:%';
        """,
    )
    from kwatch.transfer.html_text import readable

    rows = [(readable(r[1]), r[0]) for r in db.execute("SELECT id, original FROM reviews")]
    for row in rows:
        db.execute("UPDATE reviews SET text = ? WHERE id = ?", row)


def m007_journal(db: Database) -> None:
    # Every change to the user's data, as it happened (see kwatch/journal.py): operations with
    # a stable id (a UUID, for sync between machines) and, for each, the rows it changed with
    # their whole image before and after, so `kwatch undo` can put them back exactly.
    _run(
        db,
        """
        CREATE TABLE journal_ops (
            seq INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            command TEXT NOT NULL,
            summary TEXT,
            created_at TEXT NOT NULL,
            undoes TEXT,
            undone_by TEXT
        );
        CREATE TABLE journal_changes (
            seq INTEGER PRIMARY KEY,
            op_id TEXT NOT NULL,
            tbl TEXT NOT NULL,
            row_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            old TEXT,
            new TEXT
        );
        CREATE INDEX journal_changes_op ON journal_changes(op_id);
        """,
    )


# The user's records that SQLite numbers locally (INTEGER PRIMARY KEY): their numbers differ
# from one machine to the next, so sync needs an id of their own for each (m008).
STABLE_ID_TABLES = ("entry_notes", "viewings", "status_history", "reviews")
NEW_UID = "lower(hex(randomblob(16)))"


def m008_stable_ids_and_sync(db: Database) -> None:
    # 1. A stable id (`uid`, 32 random hex digits) for every record numbered locally. It is a
    #    column default, so every writer gets one without knowing of it, and the journal's
    #    image of an inserted row already holds it (undo and redo bring back the same uid).
    #    SQLite's ALTER TABLE cannot add a column with an expression default, so each table is
    #    rebuilt: same rows, same local numbers (the journal refers to them), same indexes.
    for table in STABLE_ID_TABLES:
        sql = db.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()[0]
        indexes = [
            r[0]
            for r in db.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ?"
                " AND sql IS NOT NULL",
                (table,),
            )
        ]
        columns = [r[1] for r in db.execute(f"PRAGMA table_info({table})")]
        body = sql[sql.index("(") + 1 : sql.rindex(")")].rstrip()
        db.execute(f"CREATE TABLE {table}_new ({body}, uid TEXT NOT NULL DEFAULT ({NEW_UID}))")
        names = ", ".join(columns)
        # Imported records take their id from their import key (see library.bulk), so the
        # same import on two machines gives the same records.
        uid = (
            f"CASE WHEN import_key IS NULL THEN {NEW_UID} ELSE 'import:' || import_key END"
            if "import_key" in columns
            else NEW_UID
        )
        db.execute(f"INSERT INTO {table}_new ({names}, uid) SELECT {names}, {uid} FROM {table}")
        db.execute(f"DROP TABLE {table}")
        db.execute(f"ALTER TABLE {table}_new RENAME TO {table}")
        for index in indexes:
            db.execute(index)
        db.execute(f"CREATE UNIQUE INDEX {table}_uid ON {table}(uid)")
    # 2. What sync knows (kwatch/sync/): every record change it wrote or read, from every
    #    device (the merge is a function of this set), and how far each device's file has
    #    been read. Bookkeeping, not user data: not journaled.
    _run(
        db,
        """
        -- line: the change as the sync file holds it (checked when read).
        CREATE TABLE sync_records (
            tbl TEXT NOT NULL,
            key TEXT NOT NULL,
            hlc INTEGER NOT NULL,
            device TEXT NOT NULL,
            kind TEXT NOT NULL,
            line TEXT NOT NULL
        );
        CREATE UNIQUE INDEX sync_records_change ON sync_records(tbl, key, hlc, device);
        CREATE TABLE sync_files (
            device TEXT NOT NULL,
            name TEXT NOT NULL,
            read_bytes INTEGER NOT NULL,
            PRIMARY KEY (device, name)
        ) WITHOUT ROWID;
        """,
    )


def m009_title_kind_index(db: Database) -> None:
    # `pick --theme X` and `--kind` filters look the kind of every title a theme lists up by
    # id: covered by this index, SQLite reads no title row (which carries the synopsis and the
    # open-data facts), halving the query with 20,000 titles in the index.
    db.execute("CREATE INDEX IF NOT EXISTS titles_id_kind ON titles(id, kind)")


MIGRATIONS: list[Callable[[Database], None]] = [
    m001_initial,
    m002_search_index,
    m003_import_keys,
    m004_external_ids,
    m005_release_refresh,
    m006_source_ids_and_lists,
    m007_journal,
    m008_stable_ids_and_sync,
    m009_title_kind_index,
]
MIGRATION_NAMES = [m.__name__ for m in MIGRATIONS]
