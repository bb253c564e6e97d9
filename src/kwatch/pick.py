"""Choosing tonight's film: a weighted random pick, pure apart from its inputs.

The random source is passed in (random.Random(seed) in tests and for --seed), so a pick is
reproducible and its fairness can be tested statistically.
"""

from __future__ import annotations

import random
import sqlite3
from dataclasses import dataclass

from kwatch.errors import EmptyPool, InvalidInput
from kwatch.filters import WATCHED_SQL, Filters
from kwatch.models import Title
from kwatch.titles import titles_by_ids

SOURCES = ("auto", "watchlist", "catalogue")
# Titles the user dropped are never offered from the watchlist.
_WATCHLIST_BASE = (
    "SELECT t.id, e.priority FROM entries e JOIN titles t ON t.id = e.title_id"
    " WHERE e.status != 'dropped'"
)
_CATALOGUE_BASE = "SELECT t.id, 1 FROM titles t WHERE 1"
# What the user gave up on is never offered again, from either source, unless asked.
_NOT_DROPPED: tuple[str, str, list] = (
    "not dropped (--include-dropped to allow)",
    "t.id NOT IN (SELECT title_id FROM entries WHERE status = 'dropped')",
    [],
)
_NO_RUNTIME = "t.runtime_min IS NULL"


@dataclass(frozen=True)
class Choice:
    title: Title
    weight: int
    probability: float  # of being the first pick

    def to_dict(self) -> dict:
        return {**self.title.to_dict(), "weight": self.weight, "probability": self.probability}


@dataclass(frozen=True)
class PickResult:
    source: str  # "watchlist" or "catalogue"
    fell_back: bool  # auto mode used the catalogue
    fallback_reason: str | None  # why: the watchlist was empty, or nothing in it matched
    pool_size: int
    total_weight: int
    filters: list[str]
    choices: list[Choice]
    # Titles left out by --max-runtime only because their runtime is not known.
    unknown_runtime_left_out: int = 0

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "fell_back_to_catalogue": self.fell_back,
            "fallback_reason": self.fallback_reason,
            "pool_size": self.pool_size,
            "total_weight": self.total_weight,
            "filters": self.filters,
            "unknown_runtime_left_out": self.unknown_runtime_left_out,
            "picks": [c.to_dict() for c in self.choices],
        }


def _conditions(
    filters: Filters, include_watched: bool, include_dropped: bool = False
) -> list[tuple[str, str, list]]:
    clauses = list(filters.clauses())
    if not include_watched and filters.watched is None:
        # Completed titles count as watched (WATCHED_SQL), so they are left out here too.
        clauses.append(("not yet watched (--include-watched to allow)", f"NOT ({WATCHED_SQL})", []))
    if not include_dropped:
        clauses.append(_NOT_DROPPED)
    return clauses


def _unknown_runtimes(
    conn: sqlite3.Connection, base: str, filters: Filters, clauses: list[tuple[str, str, list]]
) -> int:
    """How many titles --max-runtime left out only because their runtime is unknown."""
    if filters.max_runtime is None:
        return 0
    others = [c for c in clauses if not c[0].startswith("--max-runtime")]
    return len(_pool(conn, base, [*others, ("unknown runtime", _NO_RUNTIME, [])]))


def _pool(conn: sqlite3.Connection, base: str, clauses: list[tuple[str, str, list]]):
    sql = base + "".join(f" AND ({c})" for _, c, _ in clauses)
    params = [p for *_, ps in clauses for p in ps]
    return conn.execute(sql + " ORDER BY t.id", params).fetchall()


def _emptied_by(conn: sqlite3.Connection, base: str, clauses: list[tuple[str, str, list]]) -> str:
    """Name the first filter after which nothing is left, to tell the user what to loosen."""
    for i in range(len(clauses)):
        if not _pool(conn, base, clauses[: i + 1]):
            return clauses[i][0]
    return clauses[-1][0] if clauses else "none"


def weighted_sample(
    items: list[tuple[str, int]], count: int, rng: random.Random
) -> list[tuple[str, int]]:
    """`count` distinct items, each draw proportional to weight among those left.

    Draws one at a time from the remaining pool, which is exactly sequential weighted sampling
    without replacement; the first draw has probability weight / total weight.
    """
    remaining = list(items)
    chosen = []
    for _ in range(min(count, len(remaining))):
        total = sum(w for _, w in remaining)
        point = rng.random() * total
        running = 0.0
        # Falls back to the last item if rounding leaves `point` at the very top of the range.
        hit = len(remaining) - 1
        for position, (_, weight) in enumerate(remaining):
            running += weight
            if point < running:
                hit = position
                break
        chosen.append(remaining.pop(hit))
    return chosen


def pick(
    conn: sqlite3.Connection,
    *,
    rng: random.Random,
    filters: Filters | None = None,
    source: str = "auto",
    include_watched: bool = False,
    include_dropped: bool = False,
    count: int = 1,
) -> PickResult:
    if source not in SOURCES:
        raise InvalidInput(f"--from {source!r} is not one of: {', '.join(SOURCES)}.")
    if count < 1:
        raise InvalidInput("--count must be 1 or more.")
    filters = filters or Filters()
    clauses = _conditions(filters, include_watched, include_dropped)
    fallback_reason = None
    rows = None
    if source == "auto":
        # The watchlist first; the catalogue when the watchlist is empty or nothing in it
        # passes the filters, so `kwatch pick --theme romance` always has an answer.
        rows = _pool(conn, _WATCHLIST_BASE, clauses)
        source = "watchlist"
        if not rows:
            has_any = _pool(conn, _WATCHLIST_BASE, [])
            fallback_reason = (
                "nothing in your watchlist matches" if has_any else "your watchlist is empty"
            )
            source, rows = "catalogue", None
    base = _WATCHLIST_BASE if source == "watchlist" else _CATALOGUE_BASE
    if rows is None:
        rows = _pool(conn, base, clauses)
    if not rows:
        if not _pool(conn, base, []):
            raise EmptyPool(
                f"your {source} is empty; add films with `kwatch add` or use --from catalogue."
            )
        culprit = _emptied_by(conn, base, clauses)
        if fallback_reason:
            where, hint = "your watchlist or the catalogue", ""
        else:
            where = f"your {source}"
            hint = ", or try --from catalogue" if source == "watchlist" else ""
        raise EmptyPool(f"nothing in {where} passes {culprit}. Loosen that filter{hint}.")
    items = [(row[0], max(1, int(row[1]))) for row in rows]
    total = sum(w for _, w in items)
    sample = weighted_sample(items, count, rng)
    titles = titles_by_ids(conn, [i for i, _ in sample])
    return PickResult(
        source=source,
        fell_back=fallback_reason is not None,
        fallback_reason=fallback_reason,
        pool_size=len(items),
        total_weight=total,
        filters=[label for label, _, _ in clauses],
        choices=[Choice(titles[i], w, w / total) for i, w in sample],
        unknown_runtime_left_out=_unknown_runtimes(conn, base, filters, clauses),
    )
