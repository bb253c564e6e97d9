"""Browsing the catalogue: filtered lists and theme counts."""

from __future__ import annotations

import sqlite3

from kwatch.filters import Filters
from kwatch.models import Title
from kwatch.titles import titles_by_ids
from kwatch.vocabulary import load_vocabulary


def list_titles(
    conn: sqlite3.Connection, filters: Filters, *, limit: int | None = None
) -> tuple[list[Title], int]:
    where, params = filters.where()
    ids = [
        r[0]
        for r in conn.execute(
            f"SELECT t.id FROM titles t WHERE {where} ORDER BY t.title COLLATE NOCASE, t.year",
            params,
        )
    ]
    total = len(ids)
    if limit is not None:
        ids = ids[:limit]
    found = titles_by_ids(conn, ids)
    return [found[i] for i in ids], total


def theme_counts(conn: sqlite3.Connection) -> list[dict]:
    """Every theme and content note in the vocabulary, with how many titles carry it."""
    vocab = load_vocabulary()
    themes = dict(conn.execute("SELECT theme, count(*) FROM title_themes GROUP BY theme"))
    notes = dict(conn.execute("SELECT note, count(*) FROM title_notes GROUP BY note"))
    rows = []
    for name, description in vocab.themes.items():
        kind = "list" if name in vocab.sources else "theme"
        rows.append(
            {"name": name, "kind": kind, "count": themes.get(name, 0), "description": description}
        )
    for name, description in vocab.content_notes.items():
        rows.append(
            {
                "name": name,
                "kind": "content-note",
                "count": notes.get(name, 0),
                "description": description,
            }
        )
    # Themes used by the user's own titles but missing from the vocabulary still get counted.
    for name in sorted(set(themes) - set(vocab.themes)):
        rows.append({"name": name, "kind": "theme", "count": themes[name], "description": None})
    return rows
