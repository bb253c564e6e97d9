"""One set of filters shared by list, search and pick, compiled to SQL over titles `t`."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from kwatch.errors import InvalidInput
from kwatch.textnorm import name_key
from kwatch.values import KINDS, MAX_RUNTIME

# Written as `t.id IN (subquery)` rather than correlated EXISTS: SQLite builds each set once,
# which keeps a themed pick over 100,000 titles an index probe per row instead of a subquery.
WATCHED_SQL = (
    "t.id IN (SELECT title_id FROM viewings"
    " UNION SELECT title_id FROM entries WHERE status = 'completed')"
)
IN_LIBRARY_SQL = "t.id IN (SELECT title_id FROM entries)"


def parse_year_range(text: str) -> tuple[int | None, int | None]:
    """ "2010" -> (2010, 2010); "2005-2010", "2005..2010", "2005-" and "-2010" are ranges."""
    value = text.strip()
    if m := re.fullmatch(r"(\d{4})", value):
        return int(m[1]), int(m[1])
    if m := re.fullmatch(r"(\d{4})?\s*(?:-|\.\.|–)\s*(\d{4})?", value):
        low, high = (int(m[1]) if m[1] else None), (int(m[2]) if m[2] else None)
        if low is None and high is None:
            raise InvalidInput(f"--year {text!r} has no year; use 2010, 2005-2010 or 2005-.")
        if low and high and low > high:
            raise InvalidInput(f"--year {text!r} runs backwards; put the earlier year first.")
        return low, high
    raise InvalidInput(f"--year {text!r} is not a year or range; use 2010, 2005-2010 or 2005-.")


def parse_decade(text: str) -> tuple[int, int]:
    """ "2000s", "2000", "00s", "90s" -> the ten years of that decade."""
    value = text.strip().lower().rstrip("s").lstrip("'")
    if re.fullmatch(r"\d{2}", value):
        value = ("19" if int(value) >= 30 else "20") + value
    if not re.fullmatch(r"\d{3}0", value):
        raise InvalidInput(f"--decade {text!r} is not a decade; use e.g. 2000s or 90s.")
    start = int(value)
    return start, start + 9


class Filters(NamedTuple):
    themes: tuple[str, ...] = ()
    avoid: tuple[str, ...] = ()
    year_from: int | None = None
    year_to: int | None = None
    director: str | None = None
    kind: str | None = None
    max_runtime: int | None = None
    watched: bool | None = None
    in_watchlist: bool | None = None
    in_list: str | None = None  # a list's id or name

    @classmethod
    def build(
        cls,
        *,
        themes: list[str] | None = None,
        avoid: list[str] | None = None,
        year: str | None = None,
        decade: str | None = None,
        director: str | None = None,
        kind: str | None = None,
        max_runtime: int | None = None,
        watched: bool | None = None,
        in_watchlist: bool | None = None,
        in_list: str | None = None,
    ) -> Filters:
        year_from = year_to = None
        if year:
            year_from, year_to = parse_year_range(year)
        if decade:
            low, high = parse_decade(decade)
            year_from = max(year_from or low, low)
            year_to = min(year_to or high, high)
        if kind is not None and kind not in KINDS:
            raise InvalidInput(f"--kind {kind!r} is not one of: {', '.join(KINDS)}.")
        if max_runtime is not None and max_runtime <= 0:
            raise InvalidInput("--max-runtime must be a positive number of minutes.")
        if max_runtime is not None and max_runtime > MAX_RUNTIME:
            raise InvalidInput(
                f"--max-runtime {max_runtime} is too large; give at most {MAX_RUNTIME} minutes."
            )
        theme_names, avoid_names = _slugs(themes), _slugs(avoid)
        if theme_names or avoid_names:
            from kwatch.vocabulary import check_names, load_vocabulary

            vocab = load_vocabulary()
            check_names(theme_names, option="--theme", notes_too=False, vocab=vocab)
            check_names(avoid_names, option="--avoid", notes_too=True, vocab=vocab)
        return cls(
            themes=tuple(theme_names),
            avoid=tuple(avoid_names),
            year_from=year_from,
            year_to=year_to,
            director=director.strip() if director and director.strip() else None,
            kind=kind,
            max_runtime=max_runtime,
            watched=watched,
            in_watchlist=in_watchlist,
            in_list=in_list.strip() if in_list and in_list.strip() else None,
        )

    def clauses(self) -> list[tuple[str, str, list[Any]]]:
        """(description, SQL condition on `t`, params) for each active filter, in order."""
        out: list[tuple[str, str, list[Any]]] = []
        for theme in self.themes:
            out.append(
                (
                    f"--theme {theme}",
                    "t.id IN (SELECT title_id FROM title_themes WHERE theme = ?)",
                    [theme],
                )
            )
        if self.avoid:
            marks = ",".join("?" * len(self.avoid))
            out.append(
                (
                    "--avoid " + ",".join(self.avoid),
                    f"t.id NOT IN (SELECT title_id FROM title_themes WHERE theme IN ({marks}))"
                    f" AND t.id NOT IN (SELECT title_id FROM title_notes WHERE note IN ({marks}))",
                    [*self.avoid, *self.avoid],
                )
            )
        if self.year_from is not None:
            out.append((f"year >= {self.year_from}", "t.year >= ?", [self.year_from]))
        if self.year_to is not None:
            out.append((f"year <= {self.year_to}", "t.year <= ?", [self.year_to]))
        if self.director:
            out.append(
                (
                    f"--director {self.director}",
                    "t.id IN (SELECT title_id FROM title_directors"
                    " WHERE instr(director_key, ?) > 0)",
                    [name_key(self.director)],
                )
            )
        if self.kind:
            out.append((f"--kind {self.kind}", "t.kind = ?", [self.kind]))
        if self.max_runtime is not None:
            out.append(
                (
                    f"--max-runtime {self.max_runtime}",
                    "t.runtime_min IS NOT NULL AND t.runtime_min <= ?",
                    [self.max_runtime],
                )
            )
        if self.watched is True:
            out.append(("--watched", WATCHED_SQL, []))
        elif self.watched is False:
            out.append(("--unwatched", f"NOT ({WATCHED_SQL})", []))
        if self.in_watchlist is True:
            out.append(("--in-watchlist", IN_LIBRARY_SQL, []))
        elif self.in_watchlist is False:
            out.append(("--not-in-watchlist", f"NOT ({IN_LIBRARY_SQL})", []))
        if self.in_list:
            out.append(
                (
                    f"--list {self.in_list}",
                    "t.id IN (SELECT title_id FROM list_items WHERE list_id IN"
                    " (SELECT id FROM lists WHERE id = ? OR name = ? COLLATE NOCASE))",
                    [self.in_list, self.in_list],
                )
            )
        return out

    def where(self) -> tuple[str, list[Any]]:
        parts = self.clauses()
        if not parts:
            return "1", []
        return " AND ".join(f"({sql})" for _, sql, _ in parts), [p for *_, ps in parts for p in ps]

    def describe(self) -> list[str]:
        return [label for label, _, _ in self.clauses()]


def _slugs(values: list[str] | None) -> list[str]:
    out = []
    for value in values or []:
        for part in value.split(","):
            part = part.strip().lower().replace(" ", "-").replace("_", "-")
            if part:
                out.append(part)
    return out
