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
    """Ids first (unambiguous to type), each with its title as the help text; then one-word
    names that start with what was typed (파수 -> 파수꾼, Micro -> Microhabitat), which `show`,
    `add` and the rest accept as well as ids.

    The shells keep only values that start with what was typed, and a name with spaces would
    split into several words in bash, so names with spaces are completed through their ids.
    """
    conn = _connect()
    if conn is None:
        from kwatch.catalogue_files import bundled_title_files

        ids = [p.stem for p in bundled_title_files() if p.stem.startswith(incomplete)]
        return [(i, "") for i in ids[:200]]
    with conn:
        rows = conn.execute(
            "SELECT id, title, year FROM titles WHERE id >= ? AND id < ? ORDER BY id LIMIT 200",
            (incomplete, incomplete + "\U0010ffff"),
        ).fetchall()
        names = []
        if incomplete:
            names = conn.execute(
                "SELECT id, title, year, original_title, alt_titles FROM titles"
                " WHERE title LIKE ? ESCAPE '\\' OR original_title LIKE ? ESCAPE '\\'"
                " OR alt_titles LIKE ? ESCAPE '\\' LIMIT 200",
                [_like_prefix(incomplete)] * 2 + ["%" + _like_prefix(incomplete)],
            ).fetchall()
    import json

    out = [(row[0], _label(row[1], row[2])) for row in rows]
    for title_id, title, year, original, alt_json in names:
        for name in (title, original, *json.loads(alt_json or "[]")):
            if name and name.startswith(incomplete) and not any(c.isspace() for c in name):
                out.append((name, f"{_label(title, year)} [{title_id}]"))
    return list(dict.fromkeys(out))


def _label(title: str, year: int | None) -> str:
    return f"{title} ({year})" if year else title


def _like_prefix(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


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


def complete_kind(incomplete: str) -> list[str]:
    from kwatch.values import KINDS

    return [k for k in KINDS if k.startswith(incomplete.lower())]


def complete_pick_kind(incomplete: str) -> list[str]:
    return [k for k in (*complete_kind(""), "any") if k.startswith(incomplete.lower())]


def complete_schema(ctx, incomplete: str) -> list[str]:
    """The next word of a schema name: `kwatch schema catalogue <Tab>` offers list, themes..."""
    from kwatch.schemas import names

    typed = list(ctx.params.get("words") or [])
    out = []
    for name in names():
        words = name.split()
        if (
            words[: len(typed)] == typed
            and len(words) > len(typed)
            and words[len(typed)].startswith(incomplete)
        ):
            out.append(words[len(typed)])
    return list(dict.fromkeys(out))
