"""The user's library. This package owns every write to the user's tables (entries, tags,
notes, viewings, status history, the user's own titles and releases, source ids and lists) and
the rules attached to them (rules.py). The commands call entries.py, records.py (correcting
viewings, ratings, tags, notes and reviews) and own_titles.py (editing and merging the user's
own titles); importers, restores and sync call the bulk functions in bulk.py; undo replays the
journal. Nothing else writes these tables."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

# Each name from the module that defines it, loaded on first use: `kwatch list` reads through
# read.py and should not pay for importing the write paths of entries.py (PEP 562).
_ENTRIES = ("AddResult", "add", "add_custom_title", "ensure_entry", "log_viewing", "rate")
_READ = ("SORTS", "clean_tags", "find_entry", "get_entry", "list_entries", "load_entries")
_RULES = ("PRIORITY_DEFAULT", "PRIORITY_MAX", "PRIORITY_MIN", "check_priority")
_HOME = {
    **dict.fromkeys((*_ENTRIES, "remove", "set_status"), "entries"),
    **dict.fromkeys(_READ, "read"),
    **dict.fromkeys(_RULES, "rules"),
}

if TYPE_CHECKING:
    from kwatch.library.entries import (
        AddResult,
        add,
        add_custom_title,
        ensure_entry,
        log_viewing,
        rate,
        remove,
        set_status,
    )
    from kwatch.library.read import (
        SORTS,
        clean_tags,
        find_entry,
        get_entry,
        list_entries,
        load_entries,
    )
    from kwatch.library.rules import (
        PRIORITY_DEFAULT,
        PRIORITY_MAX,
        PRIORITY_MIN,
        check_priority,
    )


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


__all__ = [
    "PRIORITY_DEFAULT",
    "PRIORITY_MAX",
    "PRIORITY_MIN",
    "SORTS",
    "AddResult",
    "add",
    "add_custom_title",
    "check_priority",
    "clean_tags",
    "ensure_entry",
    "find_entry",
    "get_entry",
    "list_entries",
    "load_entries",
    "log_viewing",
    "rate",
    "remove",
    "set_status",
]
