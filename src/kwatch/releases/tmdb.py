"""TMDb (themoviedb.org), optional, with the user's own key: release dates per country and
type (theatrical, digital, TV), for titles that carry a TMDb id.

Uses `/3/movie/{id}/release_dates` (results: one object per country, each with release_dates
of a numeric type) and `/3/tv/{id}` (first_air_date, origin_country). A v4 read token
(it starts with "eyJ") goes in an Authorization header, a v3 key in the api_key parameter.
"""

from __future__ import annotations

import os
import urllib.parse
from typing import Any, NamedTuple

from kwatch.errors import NetworkError
from kwatch.net import JsonClient

DEFAULT_URL = "https://api.themoviedb.org"
URL_ENV = "KWATCH_TMDB_URL"
KEY_ENV = "KWATCH_TMDB_KEY"
# TMDb's release types: 1 premiere, 2 limited theatrical, 3 theatrical, 4 digital,
# 5 physical, 6 TV. Physical media is not a release kwatch tracks.
TYPES = {1: "festival", 2: "theatrical", 3: "theatrical", 4: "streaming", 6: "tv"}


class TmdbRelease(NamedTuple):
    date: str
    region: str
    type: str
    note: str | None


def _auth(key: str) -> tuple[dict[str, str], dict[str, str]]:
    if key.startswith("eyJ"):
        return {"Authorization": f"Bearer {key}"}, {}
    return {}, {"api_key": key}


def fetch_releases(
    client: JsonClient, key: str, tmdb_id: str, *, base_url: str | None = None
) -> list[TmdbRelease]:
    """The dated releases TMDb has for "movie/N" or "tv/N" (day precision: TMDb has no other)."""
    from kwatch.errors import InvalidInput
    from kwatch.values import parse_partial_date

    kind, _, number = tmdb_id.partition("/")
    base = (base_url or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")
    headers, params = _auth(key)
    path = f"/3/movie/{number}/release_dates" if kind == "movie" else f"/3/tv/{number}"
    query = f"?{urllib.parse.urlencode(params)}" if params else ""
    data = client.get(f"{base}{path}{query}", headers=headers, shown=f"{base}{path}")
    if not isinstance(data, dict):
        raise NetworkError("TMDb sent a reply that is not an object; try again later.")
    out: list[TmdbRelease] = []

    def add(text: Any, region: Any, rtype: str, note: Any) -> None:
        day = str(text or "")[:10]
        if not isinstance(region, str) or len(region) != 2 or not region.isalpha():
            return
        try:
            value, precision = parse_partial_date(day)
        except InvalidInput:
            return
        if precision == "day":
            out.append(TmdbRelease(value, region.upper(), rtype, str(note).strip() or None))

    if kind == "movie":
        for country in data.get("results") or []:
            if not isinstance(country, dict):
                continue
            for item in country.get("release_dates") or []:
                if isinstance(item, dict) and item.get("type") in TYPES:
                    add(
                        item.get("release_date"),
                        country.get("iso_3166_1"),
                        TYPES[item["type"]],
                        item.get("note") or "",
                    )
    else:
        countries = data.get("origin_country") or ["KR"]
        region = countries[0] if isinstance(countries, list) and countries else "KR"
        networks = [n.get("name") for n in data.get("networks") or [] if isinstance(n, dict)]
        add(data.get("first_air_date"), region, "tv", ", ".join(filter(None, networks)))
    # One release per type and region: the earliest (TMDb lists re-releases too).
    first: dict[tuple[str, str], TmdbRelease] = {}
    for r in sorted(out):
        first.setdefault((r.type, r.region), r)
    return list(first.values())
