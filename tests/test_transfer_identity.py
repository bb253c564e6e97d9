"""Identity: every imported title keeps its source ids; two ids are never one film; a row
without a year joins the film the same export dates; the source's year is kept."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from conftest import FIXTURES, requires_shared

LB = FIXTURES / "letterboxd-export-patrickmjones"
needs_lb = requires_shared(LB)
TODAY = date(2026, 11, 22)
WATCHED = "Date,Name,Year,Letterboxd URI\n"
DIARY = "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"


def export(tmp_path: Path, **files: str) -> Path:
    folder = tmp_path / "export"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text, encoding="utf-8")
    return folder


def import_lb(conn, path: Path):
    from kwatch.transfer.engine import import_letterboxd

    return import_letterboxd(conn, path, today=TODAY)


def entries(conn, like: str) -> list[tuple]:
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT title_id, status FROM entries WHERE title_id LIKE ? ORDER BY title_id",
            (like,),
        )
    ]


def test_two_films_of_one_name_and_year_stay_two(conn, tmp_path):
    path = export(
        tmp_path,
        watched=WATCHED
        + "2021-08-16,Rain,2019,https://boxd.it/l8jm\n2022-01-13,rain,2019,https://boxd.it/xDZ8\n"
        + "2020-06-16,The Haunted Castle,1897,https://boxd.it/6Pki\n"
        + "2020-06-16,The Haunted Castle,1897,https://boxd.it/3y76\n",
        diary=DIARY
        + "2021-08-16,Rain,2019,https://boxd.it/24peRF,,,,2021-08-15\n"
        + "2022-01-13,rain,2019,https://boxd.it/2trMCj,,,,2022-01-12\n"
        + "2020-06-16,The Haunted Castle,1897,https://boxd.it/1cDpqx,,,,2020-06-16\n"
        + "2020-06-16,The Haunted Castle,1897,https://boxd.it/1cDutr,,,,2020-06-16\n",
    )
    import_lb(conn, path)
    rain = entries(conn, "rain-2019%")
    assert len(rain) == 2
    castles = entries(conn, "the-haunted-castle-1897%")
    assert len(castles) == 2
    # Each has one viewing: no viewing that never happened.
    for tid, _ in rain + castles:
        assert (
            conn.execute("SELECT count(*) FROM viewings WHERE title_id = ?", (tid,)).fetchone()[0]
            == 1
        )
    ids = {
        r[0]: r[1]
        for r in conn.execute("SELECT value, title_id FROM source_ids WHERE scheme='letterboxd'")
    }
    assert ids["https://boxd.it/l8jm"] != ids["https://boxd.it/xDZ8"]
    # Importing again finds each by its id: nothing added.
    again = import_lb(conn, path)
    assert again.added == 0


def test_a_row_without_a_year_joins_the_film_the_export_dates(conn, tmp_path):
    path = export(
        tmp_path,
        watched=WATCHED + "2020-10-29,Save the Green Planet!,2003,https://boxd.it/1Uco\n",
        watchlist=WATCHED + "2020-10-29,Save the Green Planet!,,https://boxd.it/qeWY\n",
    )
    import_lb(conn, path)
    found = entries(conn, "save-the-green-planet%")
    assert found == [("save-the-green-planet-2003", "completed")]
    assert (
        conn.execute("SELECT count(*) FROM titles WHERE id = 'save-the-green-planet'").fetchone()[0]
        == 0
    )


def test_matched_titles_keep_the_sources_year_and_id(conn, tmp_path):
    path = export(tmp_path, watched=WATCHED + "2019-01-02,Han Gong-ju,2013,https://boxd.it/6KZq\n")
    report = import_lb(conn, path)
    assert entries(conn, "han-gong-ju%") == [("han-gong-ju-2014", "completed")]
    row = conn.execute(
        "SELECT title_id, name, year FROM source_ids WHERE value = 'https://boxd.it/6KZq'"
    ).fetchone()
    assert tuple(row) == ("han-gong-ju-2014", "Han Gong-ju", 2013)
    assert report.matched == 1


def test_an_id_decides_before_the_name(conn, tmp_path):
    """A film renamed at the source is found by its id, not added again."""
    import_lb(
        conn, export(tmp_path, watched=WATCHED + "2020-01-01,Obscure,2001,https://boxd.it/zz1\n")
    )
    (tmp_path / "export" / "watched.csv").write_text(
        WATCHED + "2020-01-01,Obscure (Director's Cut),2001,https://boxd.it/zz1\n", encoding="utf-8"
    )
    again = import_lb(conn, tmp_path / "export")
    assert again.counts["titles"]["added"] == 0
    assert entries(conn, "obscure%") == [("obscure-2001", "completed")]


def test_imdb_ids_are_kept(conn, tmp_path):
    from kwatch.transfer.engine import import_imdb

    path = tmp_path / "ratings.csv"
    path.write_text(
        "Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,"
        "Genres,Num Votes,Release Date,Directors\n"
        "tt6751668,9,2020-02-02,Parasite,https://www.imdb.com/title/tt6751668/,movie,8.5,132,"
        "2019,Drama,1,2019-05-30,Bong Joon Ho\n",
        encoding="utf-8",
    )
    import_imdb(conn, [path], today=TODAY)
    row = conn.execute("SELECT title_id FROM source_ids WHERE scheme='imdb'").fetchone()
    assert row is not None and row[0] == "parasite-2019"


@needs_lb
def test_the_shared_export_rain_castles_and_save_the_green_planet(conn):
    import_lb(conn, LB)
    assert len(entries(conn, "rain-2019%")) == 2
    assert len(entries(conn, "the-haunted-castle-1897%")) == 2
    assert [e[0] for e in entries(conn, "save-the-green-planet%")] == ["save-the-green-planet-2003"]
    with (LB / "watched.csv").open(encoding="utf-8") as fh:
        uris = {r["Letterboxd URI"] for r in csv.DictReader(fh)}
    known = {r[0] for r in conn.execute("SELECT value FROM source_ids WHERE scheme='letterboxd'")}
    assert uris <= known


@needs_lb
def test_the_shared_export_has_one_entry_per_distinct_film(conn):
    """Library entries == distinct films across watched, diary, ratings, reviews, watchlist:
    films by their URI; diary and review rows name their diary entry, so those of a film
    watched.csv does not list count by name and year; a year-less watchlist row of a film the
    export dates elsewhere is that film. Every diary row is a viewing; importing again adds
    nothing."""

    def rows(name: str) -> list[dict[str, str]]:
        with (LB / name).open(encoding="utf-8") as fh:
            return list(csv.DictReader(fh))

    watched, ratings, watchlist = rows("watched.csv"), rows("ratings.csv"), rows("watchlist.csv")
    dated = {r["Name"] for r in watched + ratings + watchlist if r["Year"]}
    films = {
        r["Letterboxd URI"]
        for r in watched + ratings + watchlist
        if r["Year"] or r["Name"] not in dated
    }
    # A diary row without a URI ("... - The Making of Tenet", logged before the film was
    # renamed "...: The Making of Tenet") is the film of that name, however punctuated.
    from kwatch.textnorm import name_key

    known = {(name_key(r["Name"]), r["Year"]) for r in watched + ratings + watchlist}
    films |= {
        (name_key(r["Name"]), r["Year"])
        for r in rows("diary.csv") + rows("reviews.csv")
        if (name_key(r["Name"]), r["Year"]) not in known
    }
    report = import_lb(conn, LB)
    assert conn.execute("SELECT count(*) FROM entries").fetchone()[0] == len(films)
    assert report.counts["viewings"]["added"] == len(rows("diary.csv"))
    assert import_lb(conn, LB).added == 0


def test_catalogue_ids_match_before_names_when_the_catalogue_has_them(conn, tmp_path):
    """With a catalogue id table (title_ids, migration m004 of another branch), an IMDb id
    finds the title even when the row's name would not."""
    from kwatch.transfer.engine import import_imdb

    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'title_ids'").fetchone():
        conn.execute("CREATE TABLE title_ids (title_id TEXT, scheme TEXT, value TEXT)")
    conn.execute("INSERT OR REPLACE INTO title_ids VALUES ('parasite-2019', 'imdb', 'tt6751668')")
    path = tmp_path / "ratings.csv"
    path.write_text(
        "Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,"
        "Genres,Num Votes,Release Date,Directors\n"
        "tt6751668,9,2020-02-02,Gisaengchung (a name no catalogue has),,movie,8.5,132,2019,"
        "Drama,1,2019-05-30,Bong Joon Ho\n",
        encoding="utf-8",
    )
    report = import_imdb(conn, [path], today=TODAY)
    assert report.summary["matched_by_id"] == 1
    assert [e[0] for e in entries(conn, "%")] == ["parasite-2019"]


def test_a_catalogue_letterboxd_slug_is_not_mistaken_for_an_exports_uri(conn, tmp_path):
    # The catalogue knows Parasite's Letterboxd slug (parasite-2019); an export names films by
    # their Letterboxd URI (boxd.it/...). Those are two kinds of id, not two films.
    ids = dict(conn.execute("SELECT scheme, value FROM title_ids WHERE title_id = 'parasite-2019'"))
    assert ids["letterboxd"] == "parasite-2019"
    folder = export(
        tmp_path,
        watched=WATCHED + "2020-02-01,Parasite,2019,https://boxd.it/hTha\n",
        ratings="Date,Name,Year,Letterboxd URI,Rating\n2020-02-01,Parasite,2019,"
        "https://boxd.it/hTha,5\n",
    )
    import_lb(conn, folder)
    assert entries(conn, "%") == [("parasite-2019", "completed")]
    lists = "Letterboxd list export v7\nDate,Name,Tags,URL,Description\n2024-01-01,Best,,,\n\n"
    lists += "Position,Name,Year,URL,Description\n1,Parasite,2019,"
    lists += "https://letterboxd.com/film/parasite-2019/,\n"
    (folder / "lists").mkdir()
    (folder / "lists" / "best.csv").write_text(lists, encoding="utf-8")
    import_lb(conn, folder)  # the slug of a list's film finds the same title
    assert entries(conn, "%") == [("parasite-2019", "completed")]


@needs_lb
def test_parasite_is_completed_since_its_first_viewing_not_a_lists_date(conn):
    from kwatch.library import find_entry

    import_lb(conn, LB)
    parasite = find_entry(conn, "parasite-2019")
    assert parasite.status == "completed"
    assert parasite.status_history[-1].changed_on == "2020-02-01"  # first diary viewing
    assert "2019-09-19" not in [h.changed_on for h in parasite.status_history]
