"""A year in review, beside the counts of kwatch.stats: the films watched (first watch or
rewatch), the hours they took, the best-rated, and every month of the year shown.

Pure: SQL over the viewings of one year (or all of them), no printing, no clock.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from kwatch.values import stars

BEST_N = 5


@dataclass(frozen=True)
class Watched:
    id: str
    title: str
    year: int | None
    date: str
    precision: str
    rewatch: bool
    rating: float | None  # stars
    runtime_min: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "year": self.year,
            "date": self.date,
            "precision": self.precision,
            "rewatch": self.rewatch,
            "rating": self.rating,
            "runtime_min": self.runtime_min,
        }


@dataclass(frozen=True)
class Review:
    films: tuple[Watched, ...]  # with a year: every viewing that year, in date order
    minutes: int  # of the viewings in scope whose runtime is known
    unknown_runtime: int  # viewings in scope whose runtime is not known
    best_rated: tuple[Watched, ...]

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)

    def to_dict(self) -> dict[str, Any]:
        return {
            "films": [f.to_dict() for f in self.films],
            "hours_watched": self.hours,
            "viewings_without_runtime": self.unknown_runtime,
            "best_rated": [f.to_dict() for f in self.best_rated],
        }


def _row(row: sqlite3.Row | tuple) -> Watched:
    title_id, title, year, date, precision, rewatch, rating, runtime = row
    return Watched(
        id=title_id,
        title=title,
        year=year,
        date=date,
        precision=precision,
        rewatch=bool(rewatch),
        rating=stars(rating) if rating else None,
        runtime_min=runtime,
    )


def year_in_review(conn: sqlite3.Connection, year: int | None) -> Review:
    """The films of `year` (none listed without a year: the whole diary is `list --json`),
    hours watched and the best-rated titles, over the viewings in scope."""
    where, params = ("WHERE substr(v.date, 1, 4) = ?", [f"{year:04d}"]) if year else ("", [])
    base = (
        "SELECT v.title_id, t.title, t.year, v.date, v.precision, v.rewatch,"
        " coalesce(v.rating, e.rating), t.runtime_min FROM viewings v"
        " JOIN titles t ON t.id = v.title_id LEFT JOIN entries e ON e.title_id = v.title_id "
        + where
    )
    minutes, unknown = conn.execute(
        "SELECT coalesce(sum(t.runtime_min), 0), coalesce(sum(t.runtime_min IS NULL), 0)"
        " FROM viewings v JOIN titles t ON t.id = v.title_id " + where,
        params,
    ).fetchone()
    films: tuple[Watched, ...] = ()
    if year:
        rows = conn.execute(base + " ORDER BY v.date, v.id", params).fetchall()
        # A viewing is a rewatch when marked so, or when the title was seen before it.
        seen_before = {
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT title_id FROM viewings WHERE substr(date, 1, 4) < ?",
                [f"{year:04d}"],
            )
        }
        out = []
        for row in rows:
            item = _row(row)
            if item.id in seen_before and not item.rewatch:
                item = Watched(**{**item.__dict__, "rewatch": True})
            seen_before.add(item.id)
            out.append(item)
        films = tuple(out)
    best: dict[str, Watched] = {}
    for row in conn.execute(base + " ORDER BY v.date DESC, v.id DESC", params):
        item = _row(row)
        if item.rating is not None and item.id not in best:
            best[item.id] = item  # the latest rating in scope
    ranked = sorted(best.values(), key=lambda w: (-(w.rating or 0), w.title))[:BEST_N]
    return Review(films, int(minutes), int(unknown), tuple(ranked))


def every_month(
    by_month: tuple[tuple[str, int], ...], year: int | None
) -> tuple[tuple[str, int], ...]:
    """The months with their counts, the empty ones included: all twelve of `year`, or every
    month from the first viewing to the last."""
    counts = dict(by_month)
    if year:
        first, last = (year, 1), (year, 12)
    elif counts:
        low, high = min(counts), max(counts)
        first, last = (int(low[:4]), int(low[5:7])), (int(high[:4]), int(high[5:7]))
    else:
        return ()
    out = []
    y, m = first
    while (y, m) <= last:
        key = f"{y:04d}-{m:02d}"
        out.append((key, counts.get(key, 0)))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)
