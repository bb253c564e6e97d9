"""The Korean Film Council's open API (KOBIS): films scheduled to open in Korea.

Documented at kobis.or.kr/kobisopenapi. One endpoint is used, the film list
(`searchMovieList.json`), filtered to films whose representative nation is Korea and whose
opening falls in the years asked for; it pages 100 films a call. Each key may make a limited
number of calls a day (3,000 at the time of writing): kwatch counts its own calls per day and
stops well before that. Errors come back as HTTP 200 with a `faultInfo` object.
"""

from __future__ import annotations

import os
import urllib.parse
from typing import Any, NamedTuple

from kwatch.errors import KwatchError, NetworkError
from kwatch.net import JsonClient

DEFAULT_URL = "https://www.kobis.or.kr/kobisopenapi/webservice/rest/movie/searchMovieList.json"
URL_ENV = "KWATCH_KOBIS_URL"
KEY_ENV = "KWATCH_KOBIS_KEY"
KOREA = "22041011"  # KOBIS's nation code for South Korea
PAGE_SIZE = 100
DAILY_LIMIT = 3000  # KOBIS's own limit per key and day
OUR_DAILY_SHARE = 1000  # what kwatch allows itself, leaving room for the user's other tools
FEATURE = "장편"


class KobisFilm(NamedTuple):
    code: str
    title_ko: str
    title_en: str
    production_year: int | None
    opening: tuple[str, str] | None  # (date, precision)
    status: str
    directors_ko: tuple[str, ...]
    genres: tuple[str, ...]


def opening_date(text: str) -> tuple[str, str] | None:
    """KOBIS writes opening dates as YYYYMMDD, or YYYYMM / YYYY when only that is known."""
    from kwatch.errors import InvalidInput
    from kwatch.values import parse_partial_date

    digits = (text or "").strip()
    if not digits.isascii() or not digits.isdigit():
        return None
    formatted = {8: f"{digits[:4]}-{digits[4:6]}-{digits[6:]}", 6: f"{digits[:4]}-{digits[4:]}"}
    try:
        return parse_partial_date(formatted.get(len(digits), digits))
    except InvalidInput:
        return None


def parse_film(item: Any) -> KobisFilm | None:
    """One entry of movieList, or None when it lacks what a release needs."""
    if not isinstance(item, dict):
        return None
    code = str(item.get("movieCd") or "").strip()
    title_ko = str(item.get("movieNm") or "").strip()
    if not code or not title_ko:
        return None
    year_text = str(item.get("prdtYear") or "").strip()
    listed = item.get("directors")
    directors: list[Any] = listed if isinstance(listed, list) else []
    return KobisFilm(
        code=code,
        title_ko=title_ko,
        title_en=str(item.get("movieNmEn") or "").strip(),
        production_year=int(year_text) if year_text.isdigit() and len(year_text) == 4 else None,
        opening=opening_date(str(item.get("openDt") or "")),
        status=str(item.get("prdtStatNm") or "").strip(),
        directors_ko=tuple(
            str(d.get("peopleNm")).strip()
            for d in directors
            if isinstance(d, dict) and str(d.get("peopleNm") or "").strip()
        ),
        genres=tuple(g.strip() for g in str(item.get("genreAlt") or "").split(",") if g.strip()),
    )


def api_key() -> str:
    key = os.environ.get(KEY_ENV, "").strip()
    if not key:
        raise KwatchError(
            f"no KOBIS key: get a free one at kobis.or.kr/kobisopenapi and set {KEY_ENV}.",
            code="no_key",
        )
    return key


def fetch_films(
    client: JsonClient,
    key: str,
    *,
    first_year: int,
    last_year: int,
    max_calls: int,
    base_url: str | None = None,
) -> tuple[list[KobisFilm], int]:
    """Every Korean feature KOBIS lists as opening from `first_year` to `last_year`, and how
    many entries were skipped as unusable. Never more than `max_calls` calls."""
    url = base_url or os.environ.get(URL_ENV) or DEFAULT_URL
    films: list[KobisFilm] = []
    skipped = 0
    page = 1
    while True:
        if page > max_calls:
            raise NetworkError(
                f"stopped after {max_calls} KOBIS calls to stay within its daily limit "
                f"({DAILY_LIMIT} a key); run the update again tomorrow.",
                code="rate_limited",
            )
        params = {
            "key": key,
            "curPage": str(page),
            "itemPerPage": str(PAGE_SIZE),
            "openStartDt": str(first_year),
            "openEndDt": str(last_year),
            "repNationCd": KOREA,
        }
        shown = {**params, "key": "…"}
        data = client.get(
            f"{url}?{urllib.parse.urlencode(params)}",
            shown=f"{url}?{urllib.parse.urlencode(shown)}",
        )
        result = _result(data)
        items = result.get("movieList")
        if not isinstance(items, list):
            raise NetworkError("KOBIS sent a film list without movieList; try again later.")
        for item in items:
            film = parse_film(item)
            if film is None:
                skipped += 1
            elif _is_feature(item):
                films.append(film)
        count = str(result.get("totCnt"))
        total = int(count) if count.isdigit() else 0
        if not items or page * PAGE_SIZE >= total:
            return films, skipped
        page += 1


def _is_feature(item: dict[str, Any]) -> bool:
    kind = str(item.get("typeNm") or "").strip()
    return kind in ("", FEATURE)


def _result(data: Any) -> dict[str, Any]:
    if isinstance(data, dict) and isinstance(data.get("faultInfo"), dict):
        fault = data["faultInfo"]
        code = str(fault.get("errorCode") or "")
        # 320010/320011: an unknown or stopped key (the message would not help in English).
        if code.startswith("3200"):
            raise NetworkError(
                f"KOBIS refused the key (error {code}); check {KEY_ENV}.", code="bad_key"
            )
        raise NetworkError(f"KOBIS answered with error {code or 'without a code'}; try later.")
    result = data.get("movieListResult") if isinstance(data, dict) else None
    if not isinstance(result, dict):
        raise NetworkError("KOBIS sent a reply without movieListResult; try again later.")
    return result
