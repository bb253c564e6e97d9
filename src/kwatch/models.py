"""Small immutable records. Their to_dict() IS the JSON shape: keys always present.

NamedTuples rather than frozen dataclasses: these load on every command, and dataclasses build
their methods with exec at import time (about 1 ms a class, a visible share of start-up).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from kwatch.values import ID_SCHEMES, stars


class Release(NamedTuple):
    date: str
    precision: str
    region: str
    type: str
    note: str | None = None
    source: str | None = None
    origin: str = "catalogue"

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date or None,
            "precision": self.precision,
            "region": self.region,
            "type": self.type,
            "note": self.note,
            "source": self.source,
            "origin": self.origin,
        }


class Title(NamedTuple):
    id: str
    title: str
    origin: str
    alt_titles: tuple[str, ...] = ()
    original_title: str | None = None
    romanized_title: str | None = None
    year: int | None = None
    kind: str = "film"
    directors: tuple[str, ...] = ()
    runtime_min: int | None = None
    themes: tuple[str, ...] = ()
    content_notes: tuple[str, ...] = ()
    synopsis: str | None = None
    sources: tuple[str, ...] = ()
    missing: dict[str, str] = {}  # noqa: RUF012 - shared but never mutated
    releases: tuple[Release, ...] = ()
    directors_ko: tuple[str, ...] = ()  # Hangul names, parallel to directors
    ids: dict[str, str] = {}  # noqa: RUF012 - external ids by scheme (see ID_SCHEMES)
    # Which facts came from an open-data layer: {"source", "fetched", "fields"}; None if none.
    opendata: dict[str, Any] | None = None

    def ids_dict(self) -> dict[str, str | None]:
        """Every scheme present, null when unknown (the JSON contract)."""
        return {scheme: self.ids.get(scheme) for scheme in ID_SCHEMES}

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "alt_titles": list(self.alt_titles),
            "original_title": self.original_title,
            "romanized_title": self.romanized_title,
            "year": self.year,
            "kind": self.kind,
            "directors": list(self.directors),
            "directors_ko": list(self.directors_ko),
            "runtime_min": self.runtime_min,
            "themes": list(self.themes),
            "content_notes": list(self.content_notes),
            "releases": [r.to_dict() for r in self.releases],
            "synopsis": self.synopsis,
            "sources": list(self.sources),
            "origin": self.origin,
            "missing": dict(self.missing),
            "ids": self.ids_dict(),
            "opendata": dict(self.opendata) if self.opendata else None,
        }

    @property
    def label(self) -> str:
        return f"{self.title} ({self.year})" if self.year else self.title


class Viewing(NamedTuple):
    id: int
    date: str
    precision: str
    rating: int | None
    note: str | None
    rewatch: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date,
            "precision": self.precision,
            "rating": stars(self.rating),
            "note": self.note,
            "rewatch": self.rewatch,
        }


class Note(NamedTuple):
    id: int
    text: str
    created_on: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "created_on": self.created_on}


class Review(NamedTuple):
    """A public review (not a private note): readable text, the source's original (HTML from
    Letterboxd) kept for the way back out."""

    id: int
    text: str
    published_on: str
    spoilers: bool
    original: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "published_on": self.published_on,
            "spoilers": self.spoilers,
        }


class StatusChange(NamedTuple):
    status: str
    changed_on: str

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "changed_on": self.changed_on}


class Entry(NamedTuple):
    """One title in the user's library, with everything they recorded about it."""

    title: Title
    status: str
    priority: int
    rating: int | None  # half stars
    rated_on: str | None
    added_on: str
    tags: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    viewings: tuple[Viewing, ...] = ()
    status_history: tuple[StatusChange, ...] = ()
    reviews: tuple[Review, ...] = ()

    @property
    def last_viewed(self) -> str | None:
        return max((v.date for v in self.viewings), default=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.title.id,
            "title": self.title.title,
            "year": self.title.year,
            "ids": self.title.ids_dict(),
            "status": self.status,
            "priority": self.priority,
            "tags": list(self.tags),
            "rating": stars(self.rating),
            "rated_on": self.rated_on,
            # "number": how `show` lists them and how commands address them (1 is the first).
            "notes": [{"number": i, **n.to_dict()} for i, n in enumerate(self.notes, 1)],
            "reviews": [{"number": i, **r.to_dict()} for i, r in enumerate(self.reviews, 1)],
            "viewings": [{"number": i, **v.to_dict()} for i, v in enumerate(self.viewings, 1)],
            "status_history": [s.to_dict() for s in self.status_history],
            "added_on": self.added_on,
            "last_viewed": self.last_viewed,
        }
