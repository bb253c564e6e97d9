"""Value completion for the shells: title ids and titles, themes, statuses, release types.

Runs on every <Tab>, so it reads the database read-only with plain sqlite3 and never migrates,
syncs or writes; when there is no database yet it falls back to the bundled catalogue files.
"""

import sqlite3


def _connect():
    from kwatch.paths import database_path

    path = database_path(None)
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1)
        conn.execute("SELECT 1 FROM titles LIMIT 1")
        return conn
    except sqlite3.Error:
        return None


def complete_title(incomplete: str) -> list[tuple[str, str]]:
    """Ids first (unambiguous to type), each with its title as the help text."""
    from kwatch.textnorm import name_key

    conn = _connect()
    if conn is None:
        from kwatch.catalogue_files import bundled_title_files

        ids = [p.stem for p in bundled_title_files() if p.stem.startswith(incomplete)]
        return [(i, "") for i in ids[:200]]
    with conn:
        key = name_key(incomplete)
        rows = conn.execute(
            "SELECT DISTINCT t.id, t.title, t.year FROM titles t"
            " LEFT JOIN title_names n ON n.title_id = t.id"
            " WHERE t.id >= ? AND t.id < ? OR (? != '' AND n.key >= ? AND n.key < ?)"
            " ORDER BY t.id LIMIT 200",
            (incomplete, incomplete + "\U0010ffff", key, key, key + "\U0010ffff"),
        ).fetchall()
    return [(row[0], f"{row[1]} ({row[2]})" if row[2] else row[1]) for row in rows]


def complete_theme(incomplete: str) -> list[tuple[str, str]]:
    from kwatch.catalogue import load_vocabulary

    vocab = load_vocabulary()
    names = {**vocab.themes, **vocab.content_notes}
    return [(name, text) for name, text in sorted(names.items()) if name.startswith(incomplete)]


def complete_status(incomplete: str) -> list[str]:
    from kwatch.values import STATUSES

    return [s for s in STATUSES if s.startswith(incomplete)]


def complete_release_type(incomplete: str) -> list[str]:
    from kwatch.values import RELEASE_TYPES

    return [t for t in RELEASE_TYPES if t.startswith(incomplete)]


def complete_sort(incomplete: str) -> list[str]:
    from kwatch.library import SORTS

    return [s for s in SORTS if s.startswith(incomplete)]
