"""External ids as people paste them: tt0364569, an IMDb, Letterboxd, Wikidata or TMDb address.

`parse_reference` turns what was typed into (scheme, value) in the catalogue's own forms (see
values.ID_PATTERNS), or None when the text is not an id at all (then it is a title). Pure and
cheap: it runs on every command that takes a title.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from kwatch.errors import InvalidInput
from kwatch.values import ID_PATTERNS

_IMDB = re.compile(ID_PATTERNS["imdb"][0])
_QID = re.compile(r"^[Qq][1-9][0-9]*$")
_TMDB_SHORT = re.compile(r"^(movie|tv)/([1-9][0-9]*)$")
_URL = re.compile(r"^(?:https?://)?([a-z0-9.-]+\.[a-z]{2,})(/[^?#]*)?(?:[?#].*)?$", re.I)
_SLUG = re.compile(ID_PATTERNS["letterboxd"][0])


class Reference(NamedTuple):
    scheme: str
    value: str


def _host_is(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


def parse_reference(text: str) -> Reference | None:
    """The external id `text` names, None if it is not one; InvalidInput if it is a link that
    cannot be resolved offline (boxd.it short links) or a malformed one of a known site."""
    value = text.strip()
    if value[:2] in ("TT", "Tt", "tT") and _IMDB.match("tt" + value[2:]):
        value = "tt" + value[2:]  # TT0364569 as typed in capitals: IMDb's ids are lower case
    if _IMDB.match(value):
        return Reference("imdb", value)
    if _QID.match(value):
        return Reference("wikidata", value.upper())
    short = _TMDB_SHORT.match(value)
    if short:
        return Reference("tmdb", f"{short[1]}/{short[2]}")
    url = _URL.match(value)
    if not url or " " in value:
        return None
    host = url[1].lower()
    parts = [p for p in (url[2] or "").split("/") if p]
    if _host_is(host, "imdb.com"):
        for part in parts:
            if _IMDB.match(part):
                return Reference("imdb", part)
        raise InvalidInput(f"{value} is not an IMDb title address; give one like tt0364569.")
    if host == "boxd.it":
        raise InvalidInput(
            f"{value} is a Letterboxd short link, which cannot be followed offline; open it in "
            "a browser and give the address it leads to (https://letterboxd.com/film/SLUG/)."
        )
    if _host_is(host, "letterboxd.com"):
        # letterboxd.com/film/oldboy/ and letterboxd.com/USER/film/oldboy/reviews/
        if "film" in parts:
            slugs = parts[parts.index("film") + 1 :]
            if slugs and _SLUG.match(slugs[0].lower()):
                return Reference("letterboxd", slugs[0].lower())
        raise InvalidInput(
            f"{value} is not a Letterboxd film address; give one like "
            "https://letterboxd.com/film/oldboy/."
        )
    if _host_is(host, "wikidata.org"):
        for part in reversed(parts):
            candidate = part.rsplit(":", 1)[-1]  # Special:EntityPage/Q1, Item:Q1
            if _QID.match(candidate):
                return Reference("wikidata", candidate.upper())
        raise InvalidInput(f"{value} is not a Wikidata item address; give one like Q475693.")
    if _host_is(host, "themoviedb.org"):
        if len(parts) >= 2 and parts[0] in ("movie", "tv"):
            number = parts[1].split("-", 1)[0]
            if number.isdigit() and not number.startswith("0"):
                return Reference("tmdb", f"{parts[0]}/{number}")
        raise InvalidInput(
            f"{value} is not a TMDb film or series address; give one like "
            "https://www.themoviedb.org/movie/670."
        )
    return None
