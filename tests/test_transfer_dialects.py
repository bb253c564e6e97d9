"""Encodings and dialects: Korean Windows files, semicolons, IMDb's title types in English
and localized, romanized original titles, and dates that could be day- or month-first."""

from __future__ import annotations

from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 22)
IMDB = (
    "Const,Your Rating,Date Rated,Title,Original Title,URL,Title Type,IMDb Rating,"
    "Runtime (mins),Year,Genres,Num Votes,Release Date,Directors\n"
)


def imdb_row(const: str, title: str, original: str, kind: str, year: int, rated: str) -> str:
    return f"{const},8,{rated},{title},{original},,{kind},7,100,{year},Drama,1,,Someone\n"


def test_a_cp949_file_from_korean_windows_reads_as_korean(conn, tmp_path: Path):
    from kwatch.library import find_entry
    from kwatch.transfer.engine import import_letterboxd

    path = tmp_path / "watched.csv"
    text = "Date,Name,Year,Letterboxd URI\n" + "".join(
        f"2020-01-0{i},파수꾼,2011,https://boxd.it/k{i}\n" for i in range(1, 2)
    )
    text += "2020-01-02,시,2010,https://boxd.it/poetry\n2020-01-03,살인의 추억,2003,\n"
    path.write_bytes(text.encode("cp949"))
    report = import_letterboxd(conn, path, today=TODAY)
    assert any("CP949" in w for w in report.warnings)
    assert find_entry(conn, "bleak-night-2011") is not None  # 파수꾼, matched by its Hangul
    names = {r[0] for r in conn.execute("SELECT title FROM titles WHERE origin = 'custom'")}
    assert not any("Æ" in n or "¼" in n for n in names)


def test_a_semicolon_separated_imdb_file(conn, tmp_path: Path):
    from kwatch.transfer.engine import import_imdb

    path = tmp_path / "ratings.csv"
    row = imdb_row("tt6751668", "Parasite", "Gisaengchung", "Movie", 2019, "2020-02-02")
    path.write_text(IMDB.replace(",", ";") + row.replace(",", ";"), encoding="utf-8")
    report = import_imdb(conn, [path], today=TODAY)
    assert report.rejected == () and report.counts["entries"]["added"] == 1


def test_imdb_title_types_english_and_localized(conn, tmp_path: Path):
    from kwatch.titles import get_title
    from kwatch.transfer.engine import import_imdb

    path = tmp_path / "ratings.csv"
    path.write_text(
        IMDB
        + imdb_row("tt1", "Some Episode", "", "TV Episode", 2019, "2020-01-01")
        + imdb_row("tt2", "Una serie", "", "Serie TV", 2018, "2020-01-01")
        + imdb_row("tt3", "Ein Film", "", "Film", 2017, "2020-01-01")
        + imdb_row("tt4", "Un episodio", "", "Episodio TV", 2016, "2020-01-01"),
        encoding="utf-8",
    )
    report = import_imdb(conn, [path], today=TODAY)
    reasons = [r.reason for r in report.rejected]
    assert len(reasons) == 2 and all("episode" in r for r in reasons)
    assert get_title(conn, "una-serie-2018").kind == "tv-series"
    assert get_title(conn, "ein-film-2017").kind == "film"


def test_imdb_title_types_in_korean_and_japanese_and_what_is_no_film():
    import pytest

    from kwatch.transfer.imdb import title_kind
    from kwatch.transfer.report import RowError

    assert title_kind("TV 시리즈") == "tv-series"
    assert title_kind("TVシリーズ") == "tv-series"
    assert title_kind("TV Mini Series") == "tv-series"
    for label in ("Movie", "TV Movie", "Short", "Video", "TV Special", "영화"):
        assert title_kind(label) == "film", label
    for label in ("TV 에피소드", "TVエピソード", "Music Video", "Video Game", "Podcast Episode"):
        with pytest.raises(RowError):
            title_kind(label)


def test_a_romanized_original_title_is_not_the_hangul_title(conn, tmp_path: Path):
    from kwatch.titles import get_title
    from kwatch.transfer.engine import import_imdb

    path = tmp_path / "ratings.csv"
    path.write_text(
        IMDB
        + imdb_row("tt9", "A Quiet Film", "Joyonghan Yeonghwa", "Movie", 2021, "2022-01-01")
        + imdb_row("tt8", "A Loud Film", "시끄러운 영화", "Movie", 2021, "2022-01-01"),
        encoding="utf-8",
    )
    import_imdb(conn, [path], today=TODAY)
    quiet = get_title(conn, "a-quiet-film-2021")
    assert quiet.original_title is None and quiet.romanized_title == "Joyonghan Yeonghwa"
    assert get_title(conn, "a-loud-film-2021").original_title == "시끄러운 영화"


def test_ambiguous_day_month_dates_are_refused_not_guessed(conn, tmp_path: Path):
    from kwatch.transfer.engine import import_imdb

    path = tmp_path / "ratings.csv"
    path.write_text(
        IMDB
        + imdb_row("tt5", "First", "", "Movie", 2018, "01/02/2019")
        + imdb_row("tt6", "Second", "", "Movie", 2018, "13/02/2019")
        + imdb_row("tt7", "Third", "", "Movie", 2018, "02/13/2019"),
        encoding="utf-8",
    )
    report = import_imdb(conn, [path], today=TODAY)
    (rejected,) = report.rejected
    assert "ambiguous" in rejected.reason and "YYYY-MM-DD" in rejected.reason
    rated = dict(conn.execute("SELECT title_id, rated_on FROM entries"))
    assert rated == {"second-2018": "2019-02-13", "third-2018": "2019-02-13"}
