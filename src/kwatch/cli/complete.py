"""Value completion for the shells: title ids and titles, themes, statuses, release types.

Runs on every <Tab>, so it reads the database read-only with plain sqlite3 and never migrates,
syncs or writes; when there is no database yet it falls back to the bundled catalogue files.
"""

# Title matching is shared with the <Tab> answered before Typer loads (kwatch.quick_complete).
from kwatch.quick_complete import complete_title as _complete_title

__all__ = [
    "complete_alarm",
    "complete_help_words",
    "complete_kind",
    "complete_list_mode",
    "complete_list_name",
    "complete_only",
    "complete_pick_kind",
    "complete_pick_source",
    "complete_refresh_source",
    "complete_release_type",
    "complete_scale",
    "complete_schema",
    "complete_sort",
    "complete_status",
    "complete_theme",
    "complete_title",
]


def _database(ctx) -> str | None:
    """--db as given before the command (the root's parameter), else None."""
    root = ctx.find_root() if ctx is not None else None
    value = root.params.get("db") if root is not None else None
    return str(value) if value else None


def complete_title(ctx, incomplete: str) -> list[tuple[str, str]]:
    """Titles, from the database the command line names (--db) or the usual one."""
    return _complete_title(incomplete, _database(ctx))


# Does its own matching (any case, any word): kwatch.cli passes its values on unfiltered.
complete_title.matches_itself = True  # type: ignore[attr-defined]


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


def complete_list_mode(incomplete: str) -> list[str]:
    from kwatch.transfer.engine import LIST_MODES

    return [m for m in LIST_MODES if m.startswith(incomplete.lower())]


def complete_only(incomplete: str) -> list[str]:
    from kwatch.transfer.engine import ONLY_CHOICES

    return [c for c in ONLY_CHOICES if c.startswith(incomplete.lower())]


def complete_list_name(ctx, incomplete: str) -> list[tuple[str, str]]:
    """The user's lists whose id or name starts with what was typed (any case): the id, which
    every shell can insert, with the name as its description."""
    import sqlite3

    from kwatch.quick_complete import open_library

    conn = open_library(_database(ctx))
    if conn is None:
        return []
    key = incomplete.casefold()
    try:
        with conn:
            rows = conn.execute("SELECT id, name FROM lists ORDER BY id").fetchall()
    except sqlite3.Error:
        return []  # a database from before lists existed
    finally:
        conn.close()
    return [(i, n) for i, n in rows if i.startswith(key) or n.casefold().startswith(key)]


def complete_help_words(ctx, incomplete: str) -> list[str]:
    """The next word of a command: `kwatch help im<Tab>` offers import, `help import <Tab>`
    its formats."""
    command = ctx.find_root().command
    for word in ctx.params.get("words") or []:
        command = (getattr(command, "commands", None) or {}).get(word)
        if command is None:
            return []
    names = getattr(command, "commands", None) or {}
    return sorted(n for n in names if n.startswith(incomplete))
