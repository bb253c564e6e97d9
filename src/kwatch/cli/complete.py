"""Value completion for the shells: title ids and titles, themes, statuses, release types.

Runs on every <Tab>, so it reads the database read-only with plain sqlite3 and never migrates,
syncs or writes; when there is no database yet it falls back to the bundled catalogue files.
"""

import os
import re
import sqlite3


def _connect():
    from kwatch.paths import database_path

    path = database_path(None)
    if not path.exists():
        return None
    try:
        # A URI built by pathlib: a folder named "a#b" or "x?y" stays part of the path.
        uri = path.absolute().as_uri() + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=1)
        conn.execute("SELECT 1 FROM titles LIMIT 1")
        return conn
    except sqlite3.Error:
        return None


def _shell() -> str:
    """bash, zsh or fish: the shell asking (from Typer's _KWATCH_COMPLETE=complete_<shell>)."""
    return os.environ.get("_KWATCH_COMPLETE", "").rpartition("_")[2] or "bash"


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s\-:,.()'\"]+", text.casefold()) if w]


def complete_title(incomplete: str) -> list[tuple[str, str]]:
    """Titles whose id, name or any word of a name starts with what was typed, in any case
    (`Blea`, `blea`, `night` all find Bleak Night), each with its title as the help text.

    What is offered is what the shell can insert: a name that starts with exactly what was
    typed, where the shell can insert it (one word; zsh and fish quote names with spaces);
    otherwise the id. An empty word offers every id.
    """
    conn = _connect()
    key = incomplete.casefold()
    if conn is None:
        from kwatch.catalogue_files import bundled_title_files

        return [(p.stem, "") for p in bundled_title_files() if p.stem.startswith(key)]
    with conn:
        if not incomplete:
            rows = conn.execute("SELECT id, title, year FROM titles ORDER BY id").fetchall()
            return [(row[0], _label(row[1], row[2])) for row in rows]
        pattern = "%" + _like(key) + "%"
        rows = conn.execute(
            "SELECT id, title, year, original_title, alt_titles FROM titles"
            " WHERE (id >= ? AND id < ?) OR title LIKE ? ESCAPE '\\'"
            " OR original_title LIKE ? ESCAPE '\\' OR alt_titles LIKE ? ESCAPE '\\'"
            " ORDER BY id LIMIT 1000",
            (key, key + "\U0010ffff", pattern, pattern, pattern),
        ).fetchall()
    import json

    spaces_ok = _shell() in ("zsh", "fish")
    out: list[tuple[str, str]] = []
    for title_id, title, year, original, alt_json in rows:
        names = [n for n in (title, original, *json.loads(alt_json or "[]")) if n]
        label = _label(title, year)
        exact = [n for n in names if n.startswith(incomplete)]
        insertable = [n for n in exact if spaces_ok or not any(c.isspace() for c in n)]
        if insertable:
            out += [(name, f"{label} [{title_id}]") for name in insertable]
        elif title_id.startswith(key) or any(
            n.casefold().startswith(key) or any(w.startswith(key) for w in _words(n)) for n in names
        ):
            out.append((title_id, label))
    return list(dict.fromkeys(out))[:200]


# Does its own matching (any case, any word): kwatch.cli passes its values on unfiltered.
complete_title.matches_itself = True  # type: ignore[attr-defined]


def _label(title: str, year: int | None) -> str:
    return f"{title} ({year})" if year else title


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def complete_theme(incomplete: str) -> list[tuple[str, str]]:
    from kwatch.vocabulary import load_vocabulary

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


def _choices(*values: str):
    """A completion callback for a closed set of values."""

    def complete(incomplete: str) -> list[str]:
        return [v for v in values if v.startswith(incomplete.lower())]

    return complete


# Closed sets that have no home in values.py (kept here, beside the options that use them).
complete_alarm = _choices("1d", "2d", "1w", "12h", "1h", "30m")
complete_pick_source = _choices("auto", "watchlist", "catalogue")
complete_scale = _choices("5", "10")
complete_refresh_source = _choices("kobis", "tmdb", "all")
