"""Writes by stable key, for sync: make one user record be exactly a given row, or absent.

The caller (kwatch.sync) decides what each record should be; this module is the one place that
writes it, inside the caller's transaction, so the journal records it like any other change.
Rows are named by their key columns (kwatch.sync.records.TABLE_KEYS), never by local numbers.
"""

from __future__ import annotations

import sqlite3
from operator import itemgetter
from typing import Any

from kwatch.journal import insert_many

# Columns of a table's rows that never travel between machines (their local numbers).
LOCAL_COLUMNS = ("id",)
# Columns that must be unique besides the record's key (partial unique indexes), with the
# column that names the record: (column, identity).
UNIQUE_BESIDES_KEY = {
    "viewings": ("import_key", "uid"),
    "entry_notes": ("import_key", "uid"),
    "reviews": ("import_key", "uid"),
    "lists": ("source", "id"),
}
BULK_FROM = 200  # records of one table, from which one scan beats one query each


class Replica:
    """Cached statements for one connection's tables."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        keys: dict[str, tuple[str, ...]],
        user_rows: dict[str, tuple[str, str]],
        numbered: frozenset[str],
    ):
        self.conn = conn
        self.keys = keys
        self.user_rows = user_rows
        self.numbered = numbered
        self.columns: dict[str, list[str]] = {}
        self.titles_changed: set[str] = set()
        self.kept_both = 0  # remote rows whose import key another record of theirs holds
        for table in keys:
            info = conn.execute(f"PRAGMA main.table_info({table})").fetchall()
            self.columns[table] = [
                r[1] for r in info if not (table in numbered and r[1] in LOCAL_COLUMNS)
            ]

    def _where(self, table: str) -> str:
        where = " AND ".join(f"{c} IS ?" for c in self.keys[table])
        if table in self.user_rows:
            column, value = self.user_rows[table]
            where += f" AND {column} = '{value}'"
        return where

    def current(self, table: str, key: tuple[Any, ...]) -> list[sqlite3.Row]:
        cols = ", ".join(self.columns[table])
        return self.conn.execute(
            f"SELECT rowid AS _local_rowid, {cols} FROM main.{table} WHERE {self._where(table)}",
            key,
        ).fetchall()

    def write_many(
        self, table: str, wanted: list[tuple[tuple[Any, ...], dict[str, Any] | None]]
    ) -> int:
        """`write` for many records of one table; how many changed. Many records are looked up
        with one scan of the table rather than one query each."""
        if len(wanted) < BULK_FROM:
            return sum(self.write(table, key, row) for key, row in wanted)
        cols = ", ".join(self.columns[table])
        where = ""
        if table in self.user_rows:
            column, value = self.user_rows[table]
            where = f" WHERE {column} = '{value}'"
        positions = [self.columns[table].index(c) + 1 for c in self.keys[table]]
        existing: dict[tuple[Any, ...], list[sqlite3.Row]] = {}
        every_row = f"SELECT rowid AS _local_rowid, {cols} FROM main.{table}{where}"
        for r in self.conn.execute(every_row):
            existing.setdefault(tuple(r[i] for i in positions), []).append(r)
        changed = 0
        new_rows: list[tuple[Any, ...]] = []
        getter = itemgetter(*self.columns[table])
        values_of = getter if len(self.columns[table]) > 1 else (lambda row: (getter(row),))
        for key, row in wanted:
            found = existing.get(key, [])
            if row is not None and not found and table != "titles":
                new_rows.append(values_of(row))
                changed += 1
            else:
                changed += self.write(table, key, row, found)
        if new_rows:
            names = self.columns[table]
            # Unqualified (journal.insert_many's form): the temp schema has no user tables.
            sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
            self.conn.execute("SAVEPOINT replica_insert")
            try:
                insert_many(self.conn, table, sql, new_rows)
            except sqlite3.IntegrityError:
                # One of them collides (an import key): one by one, to settle those.
                self.conn.execute("ROLLBACK TO replica_insert")
                for values in new_rows:
                    row = dict(zip(names, values, strict=True))
                    self.write(table, tuple(row[c] for c in self.keys[table]), row, [])
            self.conn.execute("RELEASE replica_insert")
        return changed

    def write(
        self,
        table: str,
        key: tuple[Any, ...],
        row: dict[str, Any] | None,
        found: list[sqlite3.Row] | None = None,
    ) -> bool:
        """Make the record `key` of `table` be `row` (None: absent). True if anything changed.
        `found`: its rows, when the caller looked them up already."""
        if found is None:
            found = self.current(table, key)
        changed = False
        if row is None:
            for r in found:
                self.conn.execute(f"DELETE FROM main.{table} WHERE rowid = ?", (r[0],))
                changed = True
        else:
            cols = self.columns[table]
            unique = UNIQUE_BESIDES_KEY.get(table)
            if unique is not None and row.get(unique[0]) is not None:
                row = self._settle_unique(table, row)
            values = [row.get(c) for c in cols]
            # Natural keys can name two identical rows (two equal user releases): keep one.
            for extra in found[1:]:
                self.conn.execute(f"DELETE FROM main.{table} WHERE rowid = ?", (extra[0],))
                changed = True
            if found:
                if list(tuple(found[0])[1:]) != values:
                    sets = ", ".join(f"{c} = ?" for c in cols)
                    self.conn.execute(
                        f"UPDATE main.{table} SET {sets} WHERE rowid = ?", (*values, found[0][0])
                    )
                    changed = True
            elif self._insert(table, cols, values):
                changed = True
        if changed and table == "titles":
            self.titles_changed.add(str(key[0]))
        return changed

    def _insert(self, table: str, cols: list[str], values: list[Any]) -> bool:
        if (
            table == "titles"
            and self.conn.execute(
                "SELECT 1 FROM main.titles WHERE id = ?", (values[cols.index("id")],)
            ).fetchone()
        ):
            return False  # this machine's catalogue has a title of that id: it stands
        sql = f"INSERT INTO main.{table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        self.conn.execute(sql, values)
        return True

    def _settle_unique(self, table: str, row: dict[str, Any]) -> dict[str, Any]:
        """Two records may claim one value that only one row may have: an import key (a
        viewing logged by hand and claimed by an import on one machine, imported afresh on the
        other), a list's source (one Letterboxd list imported on both under two names). The
        record with the smaller id keeps it; the other keeps its data without it. The same on
        every machine."""
        column, identity = UNIQUE_BESIDES_KEY[table]
        holder = self.conn.execute(
            f"SELECT rowid, {identity} FROM main.{table} WHERE {column} = ? AND {identity} != ?",
            (row[column], row[identity]),
        ).fetchone()
        if holder is None:
            return row
        self.kept_both += 1
        if holder[1] < row[identity]:
            return {**row, column: None}
        drop = f"UPDATE main.{table} SET {column} = NULL WHERE rowid = ?"
        self.conn.execute(drop, (holder[0],))
        return row

    def has_children(self, children: tuple[tuple[str, str], ...], value: Any) -> bool:
        return any(
            self.conn.execute(
                f"SELECT 1 FROM main.{table} WHERE {column} = ? LIMIT 1", (value,)
            ).fetchone()
            for table, column in children
        )

    def reindex_titles(self) -> None:
        """Make the user's titles that changed findable again (names, themes, full text)."""
        from kwatch.titles import reindex_titles

        # Only the user's own titles travel by sync, so these ids are all theirs.
        reindex_titles(self.conn, sorted(self.titles_changed))
        self.titles_changed.clear()
