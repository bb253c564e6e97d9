"""Numbers about the user's library and viewing diary, for `kwatch stats`.

Everything is counted by SQL aggregates, so the cost grows with the number of viewings and
entries, never with a Python loop over the catalogue. Pure: no printing, no clock.

Definitions (the --help text and README repeat them):

- library: every entry, whatever its status; never restricted by `year`.
- viewings: every logged viewing (a rewatch is another viewing). by_year counts viewings dated
  to the day, month or year; by_month only those dated to the day or month, so a viewing logged
  as just "2019" is in by_year but in no month.
- ratings: one rating per title. Without `year`, the rating each entry carries now (the latest
  you gave it). With `year`, the titles viewed in that year, each rated by the latest rating on
  one of that year's viewings or, if none of them has one, by the entry's rating. Titles with
  no rating are left out of the count, histogram and averages.
- top_directors / top_themes: viewings counted per director (display names as the catalogue
  spells them) and per theme; with `year`, only that year's viewings. A title with two
  directors counts for both.
- average_rating_by_theme: the ratings above, averaged over the rated titles of each theme.
- Themes named after the catalogue's source articles (the keys of catalogue/sources.toml:
  indie-gems, hidden-gems, ...) say where a title was listed, not what it is about, so they are
  left out of top_themes and average_rating_by_theme.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from kwatch.errors import InvalidInput
from kwatch.review import every_month
from kwatch.values import STATUSES, stars

TOP_N = 10
YEAR_MIN, YEAR_MAX = 1900, 9999
HALF_STARS = range(1, 11)
_YEAR = re.compile(r"^\d{4}$")
_TABLE = re.compile(r'^[ \t]*\[[ \t]*"?([A-Za-z0-9_-]+)"?[ \t]*\][ \t]*(?:#.*)?$', re.M)


@dataclass(frozen=True)
class ThemeRating:
    theme: str
    average: float  # stars, 0.5-5
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {"theme": self.theme, "average": self.average, "count": self.count}


@dataclass(frozen=True)
class Stats:
    year: int | None
    library_total: int
    by_status: dict[str, int]
    viewings_total: int
    rewatches: int
    by_year: tuple[tuple[str, int], ...]
    by_month: tuple[tuple[str, int], ...]
    ratings_count: int
    ratings_average: float | None  # stars
    histogram: tuple[tuple[int, int], ...]  # (half stars 1-10, count), all ten present
    top_directors: tuple[tuple[str, int], ...]
    top_themes: tuple[tuple[str, int], ...]
    average_rating_by_theme: tuple[ThemeRating, ...]

    @property
    def year_only_viewings(self) -> int:
        """Viewings dated only by year: in by_year, in no month."""
        return sum(c for _, c in self.by_year) - sum(c for _, c in self.by_month)

    def to_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "library": {"total": self.library_total, "by_status": dict(self.by_status)},
            "viewings": {
                "total": self.viewings_total,
                "rewatches": self.rewatches,
                "by_year": [{"year": int(y), "count": c} for y, c in self.by_year],
                "by_month": [{"month": m, "count": c} for m, c in self.by_month],
            },
            "ratings": {
                "count": self.ratings_count,
                "average": self.ratings_average,
                "histogram": [{"rating": stars(r), "count": c} for r, c in self.histogram],
            },
            "top_directors": [{"name": n, "viewings": c} for n, c in self.top_directors],
            "top_themes": [{"theme": t, "viewings": c} for t, c in self.top_themes],
            "average_rating_by_theme": [t.to_dict() for t in self.average_rating_by_theme],
        }


def parse_year(text: str | int) -> int:
    """--year: a whole four-digit year such as 2025."""
    value = str(text).strip()
    if not _YEAR.match(value) or not YEAR_MIN <= int(value) <= YEAR_MAX:
        raise InvalidInput(f"--year {text!r} is not a year; give four digits such as 2025.")
    return int(value)


def article_themes() -> frozenset[str]:
    """The themes that name a source article: the table names of the bundled sources.toml.

    Read with a pattern rather than tomllib, whose import alone costs more than all the stats
    queries on an ordinary library; a test checks this agrees with the catalogue loader.
    """
    from kwatch.paths import bundled_catalogue_dir

    try:
        text = (bundled_catalogue_dir() / "sources.toml").read_text(encoding="utf-8")
    except OSError:
        return frozenset()
    return frozenset(m[1] for m in _TABLE.finditer(text))


def _average(half_star_avg: float | None) -> float | None:
    return None if half_star_avg is None else round(half_star_avg / 2, 2)


def compute_stats(
    conn: sqlite3.Connection,
    year: int | None = None,
    *,
    top: int = TOP_N,
    exclude_themes: Collection[str] | None = None,
) -> Stats:
    """Counts, histograms and top lists; see the module docstring for what each one means."""
    if year is not None:
        year = parse_year(year)
    if exclude_themes is None:
        exclude_themes = article_themes()
    excluded = sorted(exclude_themes)
    not_excluded = f"theme NOT IN ({','.join('?' * len(excluded))})" if excluded else "1"

    by_status = dict.fromkeys(STATUSES, 0)
    library_total = 0
    for status, count in conn.execute("SELECT status, count(*) FROM entries GROUP BY status"):
        library_total += count
        if status in by_status:
            by_status[status] = count

    # The viewings in scope, and one (title, half-star rating) row per rated title in scope.
    scope = "SELECT id, title_id, date, precision, rating, rewatch FROM viewings"
    params: list[Any] = []
    if year is not None:
        scope += " WHERE substr(date, 1, 4) = ?"
        params.append(f"{year:04d}")
        rated = """
            SELECT t.title_id,
                   coalesce((SELECT v.rating FROM scoped v
                             WHERE v.title_id = t.title_id AND v.rating IS NOT NULL
                             ORDER BY v.date DESC, v.id DESC LIMIT 1),
                            e.rating) AS rating
            FROM (SELECT DISTINCT title_id FROM scoped) t
            LEFT JOIN entries e ON e.title_id = t.title_id
        """
    else:
        rated = "SELECT title_id, rating FROM entries"
    cte = (
        f"WITH scoped AS ({scope}),"
        f" rated AS (SELECT * FROM ({rated}) WHERE rating BETWEEN 1 AND 10) "
    )

    def query(sql: str, extra: list[Any] | None = None) -> list[sqlite3.Row]:
        return conn.execute(cte + sql, [*params, *(extra or [])]).fetchall()

    total, rewatches = query("SELECT count(*), coalesce(sum(rewatch != 0), 0) FROM scoped")[0]
    by_year = query(
        "SELECT substr(date, 1, 4) AS y, count(*) FROM scoped"
        " WHERE precision IN ('day', 'month', 'year') GROUP BY y ORDER BY y"
    )
    by_month = query(
        "SELECT substr(date, 1, 7) AS m, count(*) FROM scoped"
        " WHERE precision IN ('day', 'month') GROUP BY m ORDER BY m"
    )

    count, avg = query("SELECT count(*), avg(rating) FROM rated")[0]
    histogram = dict.fromkeys(HALF_STARS, 0)
    for rating, n in query("SELECT rating, count(*) FROM rated GROUP BY rating"):
        if rating in histogram:
            histogram[rating] = n

    # Directors and themes come from the title row's JSON lists (one primary-key lookup per
    # title): title_themes is keyed by theme first, so joining it by title scans all of it.
    # Viewings are counted per title first, so each title's JSON is read once; DISTINCT keeps a
    # name listed twice in one title from counting twice.
    per_title = "SELECT title_id, count(*) AS n FROM scoped GROUP BY title_id"
    directors = query(
        "SELECT name, sum(n) AS total FROM (SELECT DISTINCT p.title_id, p.n, trim(d.value) AS name"
        f" FROM ({per_title}) p JOIN titles t ON t.id = p.title_id, json_each(t.directors) d"
        " WHERE d.type = 'text') WHERE name != ''"
        " GROUP BY name ORDER BY total DESC, name LIMIT ?",
        [top],
    )
    themes = query(
        "SELECT theme, sum(n) AS total FROM (SELECT DISTINCT p.title_id, p.n, th.value AS theme"
        f" FROM ({per_title}) p JOIN titles t ON t.id = p.title_id, json_each(t.themes) th"
        f" WHERE th.type = 'text') WHERE {not_excluded}"
        " GROUP BY theme ORDER BY total DESC, theme LIMIT ?",
        [*excluded, top],
    )
    theme_ratings = query(
        "SELECT theme, avg(rating) AS a, count(*) AS n FROM (SELECT DISTINCT r.title_id,"
        " r.rating, th.value AS theme FROM rated r JOIN titles t ON t.id = r.title_id,"
        f" json_each(t.themes) th WHERE th.type = 'text') WHERE {not_excluded}"
        " GROUP BY theme ORDER BY a DESC, n DESC, theme",
        excluded,
    )

    return Stats(
        year=year,
        library_total=library_total,
        by_status=by_status,
        viewings_total=total,
        rewatches=rewatches,
        by_year=tuple((y, n) for y, n in by_year),
        by_month=every_month(tuple((m, n) for m, n in by_month), year),
        ratings_count=count,
        ratings_average=_average(avg),
        histogram=tuple(histogram.items()),
        top_directors=tuple((name, n) for name, n in directors),
        top_themes=tuple((theme, n) for theme, n in themes),
        average_rating_by_theme=tuple(
            ThemeRating(theme, round(a / 2, 2), n) for theme, a, n in theme_ratings
        ),
    )
