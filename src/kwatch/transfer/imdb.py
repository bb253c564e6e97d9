"""IMDb's ratings and watchlist exports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kwatch.errors import InvalidInput
from kwatch.transfer.fields import Getter, imdb_rating, parse_day, parse_year, split_tags
from kwatch.transfer.report import RowError
from kwatch.transfer.sources import (
    FileSpec,
    ImportPlan,
    PlannedFile,
    Source,
    detect_encoding,
    find_sources,
    first_rows,
    is_list_file,
    norm,
    plan_file,
    warnings_for,
)

if TYPE_CHECKING:
    from kwatch.transfer.engine import Importer

IMDB_SPECS = {
    "ratings": FileSpec(
        "imdb-ratings",
        "IMDb's ratings.csv",
        (
            "Const",
            "Your Rating",
            "Date Rated",
            "Title",
            "Original Title",
            "URL",
            "Title Type",
            "IMDb Rating",
            "Runtime (mins)",
            "Year",
            "Genres",
            "Num Votes",
            "Release Date",
            "Directors",
        ),
        ("Const", "Your Rating", "Title"),
    ),
    "watchlist": FileSpec(
        "imdb-watchlist",
        "IMDb's watchlist.csv",
        (
            "Position",
            "Const",
            "Created",
            "Modified",
            "Description",
            "Title",
            "Original Title",
            "URL",
            "Title Type",
            "IMDb Rating",
            "Runtime (mins)",
            "Year",
            "Genres",
            "Num Votes",
            "Release Date",
            "Directors",
            "Your Rating",
            "Date Rated",
        ),
        ("Const", "Title", "Position"),
    ),
}


def _guess_imdb_kind(src: Source, rows: list[list[str]]) -> str:
    header = {norm(h) for h in (rows[0] if rows else [])}
    if "const" in header and "position" in header:
        return "watchlist"
    if "const" in header and "your rating" in header:
        return "ratings"
    if is_list_file(rows) or "letterboxd uri" in header:
        raise InvalidInput(
            f"{src.name} is a Letterboxd export; import it with `kwatch import letterboxd`."
        )
    raise InvalidInput(
        f"{src.name} is not an IMDb ratings or watchlist export: its header is "
        f"{','.join(h.strip() for h in (rows[0] if rows else []))[:200]!r}. Expected "
        f'ratings.csv: {",".join(IMDB_SPECS["ratings"].columns)} ("Original Title" only in '
        f"exports since 2024); or watchlist.csv: {','.join(IMDB_SPECS['watchlist'].columns)}."
    )


def prepare_imdb(paths: list[Path]) -> ImportPlan:
    """Check IMDb ratings / watchlist CSVs (files, folders or ZIPs) before anything is written."""
    planned: list[PlannedFile] = []
    for path in paths:
        sources, _ = find_sources(path)
        if not sources:
            raise InvalidInput(f"{path} holds no CSV files; give IMDb's ratings or watchlist CSV.")
        for src in sources:
            encoding = detect_encoding(src)
            rows = first_rows(src, encoding[0], 1)
            if not rows:
                raise InvalidInput(f"{src.name} is empty: it has no header and no rows.")
            kind = _guess_imdb_kind(src, rows)
            planned.append(plan_file(src, kind, IMDB_SPECS[kind].check_rows, encoding))
    # Ratings first: a rated title on the watchlist is a seen title.
    planned.sort(key=lambda f: (f.kind != "ratings", f.source.name))
    return ImportPlan(
        "imdb", ", ".join(str(p) for p in paths), tuple(planned), (), tuple(warnings_for(planned))
    )


# IMDb's "Title Type", in English and as localized exports write it ("Serie TV", "Série TV",
# "Fernsehserie", "Episodio TV"...), folded (lower case, no spaces or hyphens).
_SERIES_WORDS = (
    "series", "serie", "serien", "miniserie", "fernsehserie", "sérietv", "seriede",
    "시리즈", "シリーズ", "剧集", "劇集",
)  # fmt: skip
_EPISODE_WORDS = (
    "episode", "episodio", "épisode", "folge", "episódio", "aflevering",
    "에피소드", "エピソード", "单集", "單集",
)  # fmt: skip
# Not films: games, podcasts and music videos (a music video is a song's clip, not a film).
_GAME_WORDS = (
    "videogame", "videogioco", "jeuvidéo", "videospiel", "videojuego", "podcast",
    "비디오게임", "ビデオゲーム", "musicvideo", "videomusicale", "musikvideo", "clipvidéo",
    "뮤직비디오", "ミュージックビデオ",
)  # fmt: skip


def title_kind(text: str) -> str:
    """film or tv-series; a TV episode, a video game or a podcast is neither (RowError)."""
    folded = text.casefold().replace(" ", "").replace("-", "").replace("_", "")
    if any(w in folded for w in _EPISODE_WORDS):
        raise RowError(
            f"Title Type {text!r} is a TV episode: kwatch keeps films and series (the series "
            "itself imports as a series)"
        )
    if any(w in folded for w in _GAME_WORDS):
        raise RowError(f"Title Type {text!r} is not a film or a series")
    if any(w in folded for w in _SERIES_WORDS):
        return "tv-series"
    return "film"


def _latin(text: str) -> bool:
    """True for text in Latin letters only: a romanization ("Gisaengchung"), not the Korean
    (or other original-script) title."""
    import unicodedata

    return all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in text)


def _imdb_title(imp: Importer, get: Getter) -> str:
    title = get("title")
    original = get("original title")
    if not title and not original:
        raise RowError("Title is empty")
    year = parse_year(get("year"), imp.today)
    kind = title_kind(get("title type"))
    runtime_text = get("runtime (mins)")
    runtime = int(runtime_text) if runtime_text.isdigit() else None
    directors = tuple(split_tags(get("directors")))
    const = get("const")
    return imp.resolve(
        title or original,
        year,
        ids=(("imdb", const),) if const.startswith("tt") else (),
        original=original or None,
        romanized=bool(original) and _latin(original),
        directors=directors,
        kind=kind,
        runtime=runtime,
    )


def _imdb_ratings(imp: Importer, f: PlannedFile, get: Getter) -> None:
    rating = imdb_rating(get("your rating"), required=True)
    rated = parse_day(get("date rated"), "Date Rated", imp.today)
    tid = _imdb_title(imp, get)
    assert rating is not None  # required=True: a missing rating was rejected above
    imp.touch(tid, completed=True, seen=rated, rating=(2, rated or "", rating, rated))


def _imdb_watchlist(imp: Importer, f: PlannedFile, get: Getter) -> None:
    created = parse_day(get("created"), "Created", imp.today)
    rating = imdb_rating(get("your rating"))
    rated = parse_day(get("date rated"), "Date Rated", imp.today)
    description = get("description")
    const = get("const")
    tid = _imdb_title(imp, get)
    if rating is not None:
        imp.touch(tid, completed=True, seen=created, rating=(2, rated or "", rating, rated))
    else:
        imp.touch(tid, planned=True, planned_on=created)
    if description:
        imp.note(
            tid, f"imdb:watchlist:{const or tid}", description, created or imp.today.isoformat()
        )


ROW_READERS: dict[str, Callable[[Importer, PlannedFile, Getter], None]] = {
    "ratings": _imdb_ratings,
    "watchlist": _imdb_watchlist,
}
