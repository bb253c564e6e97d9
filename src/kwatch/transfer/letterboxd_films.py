"""Which film a Letterboxd row is: watched, ratings, watchlist and lists give the film's URI;
diary and reviews give the URI of the diary entry, so those rows are placed on the film of
that name and year the export lists; a row without a year joins the film the export dates."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kwatch.transfer.engine import Importer

_FILM_SLUG = re.compile(r"letterboxd\.com/(?:[^/]+/)?film/([^/]+)/?")


class _Films:
    """What this export says about its films, between rows: the film URIs (watched, ratings,
    watchlist and lists give them; diary and reviews give the URI of the diary entry) by
    name and year as written, and which titles have a first viewing already."""

    def __init__(self) -> None:
        self.by_name: dict[tuple[str, int | None], list[str]] = {}
        self.first_viewed: set[str] = set()
        self.dated: dict[str, set[str]] = {}  # exact name -> titles placed with a year

    def film_ids(self, uri: str) -> tuple[tuple[str, str], ...]:
        ids: list[tuple[str, str]] = []
        slug = _FILM_SLUG.search(uri)
        if slug:
            ids.append(("letterboxd-slug", slug[1]))
        if uri and (not slug or "/film/" in uri.split("letterboxd.com/", 1)[-1][:5]):
            ids.append(("letterboxd", uri))
        return tuple(ids)

    def place(
        self, imp: Importer, name: str, year: int | None, uri: str, *, film: bool = True
    ) -> str:
        """The title of a row. `film`: the URI is the film's (False: a diary entry's)."""
        if year is None and uri and len(self.dated.get(name, ())) == 1:
            # A row without a year joins the film of that name the same export dates.
            (tid,) = self.dated[name]
            if film:
                imp.add_id(tid, "letterboxd", uri, name, None)
            return tid
        if film:
            ids = self.film_ids(uri)
            if uri:
                known = self.by_name.setdefault((name, year), [])
                if uri not in known:
                    known.append(uri)
        else:
            ids = tuple(p for p in self.film_ids(uri) if p[0] == "letterboxd-slug")
            film_uri = self._film_of_entry(name, year)
            if film_uri:
                ids = (("letterboxd", film_uri), *ids)
        tid = imp.resolve(name, year, ids=ids)
        if year is not None:
            self.dated.setdefault(name, set()).add(tid)
        return tid

    def _film_of_entry(self, name: str, year: int | None) -> str | None:
        films = self.by_name.get((name, year))
        if not films:
            return None
        return films[0]

    def first_viewing_of(self, name: str, year: int | None, rewatch: bool) -> str | None:
        """Two films of one name and year ("The Haunted Castle", 1897): each first viewing
        of that name goes to the next film without one."""
        films = self.by_name.get((name, year)) or []
        if len(films) < 2:
            return films[0] if films else None
        if not rewatch:
            for uri in films:
                if uri not in self.first_viewed:
                    self.first_viewed.add(uri)
                    return uri
        return films[0]


def films_of(imp: Importer) -> _Films:
    films = imp.state.get("letterboxd")
    if films is None:
        films = imp.state["letterboxd"] = _Films()
    return films
