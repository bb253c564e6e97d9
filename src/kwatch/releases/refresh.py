"""`kwatch releases update`: refresh release dates from open data, never over the user's.

What each source says is stored with its provenance (releases rows whose origin is the source,
their `source` naming it and the fetch date); titles a source announces that no catalogue has
become fetched titles (origin = the source). Each run is recorded in refresh_runs. When a run
changes the live date of a title's release (see kwatch.releases.query for which row is live),
the move is recorded for `remind` to say once. Everything a run writes happens in one
transaction, after all fetching is done: a failed or interrupted fetch changes nothing.
"""

from __future__ import annotations

import json
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any, NamedTuple

from kwatch.db import transaction
from kwatch.releases.query import ReleaseRow, _rows_for_titles

STALE_AFTER_DAYS = 30


class Observation(NamedTuple):
    """One release a source reported, for a title kwatch knows (title_id) or a new one."""

    source: str
    title_id: str
    date: str
    precision: str
    region: str
    type: str
    note: str | None


class RefreshResult(NamedTuple):
    source: str
    fetched: int  # films or titles the source reported
    matched: int  # of those, matched to a title kwatch knows
    added: int  # new fetched titles
    changed: int  # releases whose live date moved
    skipped: dict[str, int]  # reason -> count
    calls: int
    dry_run: bool
    moves: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "found": self.fetched,
            "matched": self.matched,
            "added": self.added,
            "changed": self.changed,
            "skipped": dict(self.skipped),
            "calls": self.calls,
            "dry_run": self.dry_run,
            "moves": self.moves,
        }


def korean_key(text: str) -> str:
    """A Korean title folded for matching: NFKC, no spaces or punctuation, lower case."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


class TitleMatcher:
    """Finds the title a source's film is: same Korean title, and a year within one of the
    film's production or opening year; where that leaves several, the director decides."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.by_key: dict[str, list[tuple[str, int | None, str]]] = {}
        for row in conn.execute(
            "SELECT id, original_title, year, directors, origin FROM titles"
            " WHERE original_title IS NOT NULL"
        ):
            self.by_key.setdefault(korean_key(row[1]), []).append((row[0], row[2], row[3]))

    def match(
        self, title_ko: str, years: Iterable[int | None], directors: Iterable[str] = ()
    ) -> str | bool | None:
        """The title id; None when nothing matches; False when several do (ambiguous)."""
        wanted = {y for y in years if y}
        candidates = [
            c
            for c in self.by_key.get(korean_key(title_ko), [])
            if not wanted or c[1] is None or any(abs(c[1] - y) <= 1 for y in wanted)
        ]
        if len(candidates) > 1:
            names = {korean_key(d) for d in directors}
            by_director = [c for c in candidates if names & {korean_key(d) for d in _j(c[2])}]
            candidates = by_director or candidates
        if not candidates:
            return None
        return candidates[0][0] if len(candidates) == 1 else False


def _j(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except ValueError:
        return []
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _live(conn: sqlite3.Connection, title_ids: list[str]) -> dict[tuple[str, str, str], Any]:
    if not title_ids:
        return {}
    out: dict[tuple[str, str, str], Any] = {}
    for start in range(0, len(title_ids), 500):
        chunk = title_ids[start : start + 500]
        rows: list[ReleaseRow] = _rows_for_titles(conn, ",".join("?" * len(chunk)), chunk)
        for r in rows:
            if not r.superseded:
                out[r.group] = (r.release.date, r.release.precision)
    return out


def apply_observations(
    conn: sqlite3.Connection,
    source: str,
    observations: list[Observation],
    new_titles: list[tuple[Any, str]],
    *,
    now: datetime,
    fetched: int,
    skipped: dict[str, int],
    calls: int,
    dry_run: bool = False,
) -> RefreshResult:
    """Store one source's run: its releases replace that source's earlier ones for the same
    titles; new titles are indexed; moves of live dates are recorded. User rows are never
    touched. With `dry_run`, everything is rolled back and only the counts are returned."""
    from kwatch.titles import INDEX_TABLES, index_titles

    stamp = now.date().isoformat()
    keys = {t.id: key for t, key in new_titles}
    titles = [t for t, _ in new_titles]
    title_ids = sorted({o.title_id for o in observations} | set(keys))
    moves: list[dict[str, Any]] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        before = _live(conn, title_ids)
        existing_new = {
            r[0]
            for r in conn.execute("SELECT title_id FROM fetched_titles WHERE source = ?", (source,))
        }
        for start in range(0, len(title_ids), 500):
            chunk = title_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            conn.execute(
                f"DELETE FROM releases WHERE origin = ? AND title_id IN ({marks})", [source, *chunk]
            )
        fresh = [t for t in titles if t.id not in existing_new]
        for t in titles:
            if t.id in existing_new:
                for table in INDEX_TABLES:
                    conn.execute(f"DELETE FROM {table} WHERE title_id = ?", (t.id,))
                conn.execute("DELETE FROM titles WHERE id = ? AND origin = ?", (t.id, source))
        index_titles(conn, titles, write_releases=False)
        conn.executemany(
            "INSERT INTO fetched_titles (title_id, source, source_key, payload, fetched_at)"
            " VALUES (?,?,?,?,?) ON CONFLICT(title_id) DO UPDATE SET payload = excluded.payload,"
            " fetched_at = excluded.fetched_at",
            [
                (t.id, source, keys[t.id], json.dumps(t.to_dict(), ensure_ascii=False), stamp)
                for t in titles
            ],
        )
        label = {"kobis": "KOBIS open API", "tmdb": "TMDb"}.get(source, source)
        conn.executemany(
            "INSERT INTO releases (title_id, date, precision, region, type, note, source, origin)"
            " VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    o.title_id,
                    o.date,
                    o.precision,
                    o.region,
                    o.type,
                    o.note,
                    f"{label}, fetched {stamp}",
                    source,
                )
                for o in observations
            ],
        )
        after = _live(conn, title_ids)
        for group, new in sorted(after.items()):
            old = before.get(group)
            if old is not None and old != new:
                conn.execute(
                    "INSERT INTO release_moves (title_id, type, region, old_date, old_precision,"
                    " new_date, new_precision, source, detected_at) VALUES (?,?,?,?,?,?,?,?,?)",
                    (*group, *old, *new, source, now.isoformat(timespec="seconds")),
                )
                moves.append(
                    {
                        "id": group[0],
                        "type": group[1],
                        "region": group[2],
                        "from": {"date": old[0] or None, "precision": old[1]},
                        "to": {"date": new[0] or None, "precision": new[1]},
                    }
                )
        matched = len({o.title_id for o in observations} - set(keys))
        _record_run(
            conn,
            source,
            now=now,
            status="ok",
            calls=calls,
            message=json.dumps(skipped, sort_keys=True) if skipped else None,
            counts=(fetched, matched, len(fresh), len(moves)),
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("ROLLBACK" if dry_run else "COMMIT")
    return RefreshResult(
        source, fetched, matched, len(fresh), len(moves), skipped, calls, dry_run, moves
    )


def record_failure(
    conn: sqlite3.Connection, source: str, *, now: datetime, calls: int, message: str
) -> None:
    """A failed run is recorded too (`kwatch releases status` shows it)."""
    with transaction(conn):
        _record_run(conn, source, now=now, status="failed", calls=calls, message=message)


def _record_run(
    conn: sqlite3.Connection,
    source: str,
    *,
    now: datetime,
    status: str,
    calls: int,
    message: str | None,
    counts: tuple[int, int, int, int] = (0, 0, 0, 0),
) -> None:
    """One row of refresh_runs; counts are (fetched, matched, added, changed)."""
    stamp = now.isoformat(timespec="seconds")
    conn.execute(
        "INSERT INTO refresh_runs (source, started_at, finished_at, status, calls, fetched,"
        " matched, added, changed, message) VALUES (?,?,?,?,?,?,?,?,?,?)",
        (source, stamp, stamp, status, calls, *counts, message),
    )


def calls_today(conn: sqlite3.Connection, source: str, today: date) -> int:
    row = conn.execute(
        "SELECT coalesce(sum(calls), 0) FROM refresh_runs WHERE source = ? AND started_at >= ?",
        (source, today.isoformat()),
    ).fetchone()
    return int(row[0])


def last_refresh(conn: sqlite3.Connection) -> date | None:
    """The day of the newest successful refresh of any source, or None."""
    try:
        row = conn.execute(
            "SELECT max(finished_at) FROM refresh_runs WHERE status = 'ok'"
        ).fetchone()
    except sqlite3.OperationalError:
        return None
    return date.fromisoformat(row[0][:10]) if row and row[0] else None


def data_age_notice(conn: sqlite3.Connection, today: date) -> str | None:
    """A line for `upcoming` when its dates are more than STALE_AFTER_DAYS old: the bundled
    catalogue's check day, or the newest refresh if later."""
    from kwatch.releases.query import CATALOGUE_RELEASES_CHECKED_ON

    checked = max(filter(None, [CATALOGUE_RELEASES_CHECKED_ON, last_refresh(conn)]))
    age = (today - checked).days
    if age <= STALE_AFTER_DAYS:
        return None
    return (
        f"Release dates were last checked on {checked.isoformat()} ({age} days ago); "
        "refresh them with `kwatch releases update` (needs a free KOBIS key)."
    )


# --- the sources ------------------------------------------------------------------------------


def kobis_run(
    conn: sqlite3.Connection,
    *,
    today: date,
    now: datetime,
    client: Any,
    key: str,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> RefreshResult:
    from kwatch.models import Title
    from kwatch.releases import kobis
    from kwatch.textnorm import slugify

    budget = kobis.OUR_DAILY_SHARE - calls_today(conn, "kobis", today)
    if budget <= 0:
        from kwatch.errors import NetworkError

        raise NetworkError(
            f"kwatch has made {kobis.OUR_DAILY_SHARE} KOBIS calls today, its share of the "
            f"key's daily limit ({kobis.DAILY_LIMIT}); try again tomorrow.",
            code="rate_limited",
        )
    films, bad = kobis.fetch_films(
        client, key, first_year=today.year - 1, last_year=today.year + 2, max_calls=budget
    )
    matcher = TitleMatcher(conn)
    taken = {r[0] for r in conn.execute("SELECT id FROM titles")}
    observations: list[Observation] = []
    new_titles: list[tuple[Title, str]] = []
    skipped: dict[str, int] = {}
    if bad:
        skipped["no code or title"] = bad

    def skip(reason: str) -> None:
        skipped[reason] = skipped.get(reason, 0) + 1

    for film in films:
        if film.opening is None:
            skip("no opening date")
            continue
        years = [film.production_year, int(film.opening[0][:4])]
        found = matcher.match(film.title_ko, years, film.directors_ko)
        if found is False:
            skip("several titles match")
            continue
        if found is None:
            if film.opening[0][:4] < str(today.year):
                skip("not in the catalogue, opened before this year")
                continue
            year = int(film.opening[0][:4])
            slug = slugify(film.title_en) if film.title_en else ""
            title_id = f"{slug}-{year}" if slug else f"kobis-{film.code}"
            if title_id in taken:
                title_id = f"kobis-{film.code}"
            taken.add(title_id)
            title = Title(
                id=title_id,
                title=film.title_en or film.title_ko,
                origin="kobis",
                original_title=film.title_ko,
                year=year,
                directors=film.directors_ko,
            )
            new_titles.append((title, film.code))
            found = title_id
        observations.append(
            Observation("kobis", str(found), *film.opening, "KR", "theatrical", None)
        )
    if progress:
        progress(len(films))
    return apply_observations(
        conn,
        "kobis",
        observations,
        new_titles,
        now=now,
        fetched=len(films),
        skipped=skipped,
        calls=client.calls,
        dry_run=dry_run,
    )


def tmdb_ids(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """(title_id, "movie/N") for every title with a TMDb id, when the index keeps ids."""
    try:
        rows = conn.execute(
            "SELECT title_id, value FROM title_ids WHERE scheme = 'tmdb' ORDER BY title_id"
        ).fetchall()
    except sqlite3.OperationalError:
        return []
    return [(r[0], r[1]) for r in rows]


def tmdb_run(
    conn: sqlite3.Connection,
    *,
    now: datetime,
    client: Any,
    key: str,
    title_ids: list[tuple[str, str]],
    dry_run: bool = False,
) -> RefreshResult:
    from kwatch.releases import tmdb

    observations = []
    for title_id, tmdb_id in title_ids:
        for r in tmdb.fetch_releases(client, key, tmdb_id):
            observations.append(
                Observation("tmdb", title_id, r.date, "day", r.region, r.type, r.note)
            )
    return apply_observations(
        conn,
        "tmdb",
        observations,
        [],
        now=now,
        fetched=len(title_ids),
        skipped={},
        calls=client.calls,
        dry_run=dry_run,
    )


def run_history(conn: sqlite3.Connection, limit: int = 20) -> list[dict[str, Any]]:
    """The newest refresh runs, newest first."""
    rows = conn.execute(
        "SELECT source, started_at, finished_at, status, calls, fetched AS found, matched, added,"
        " changed, message FROM refresh_runs ORDER BY id DESC LIMIT ?",
        (limit,),
    )
    return [dict(r) for r in rows]
