"""External ids and Hangul director names: indexed, resolved by every title command, shown."""

from __future__ import annotations

import pytest

from conftest import db_snapshot
from kwatch.errors import InvalidInput
from kwatch.external_ids import Reference, parse_reference

FIXTURE = """
[[titles]]
id = "oldboy-2003"
title = "Oldboy"
original_title = "올드보이"
year = 2003
directors = ["Park Chan-wook"]
directors_ko = ["박찬욱"]
references = ["https://www.wikidata.org/wiki/Q475693"]
ids = { wikidata = "Q475693", imdb = "tt0364569", letterboxd = "oldboy", tmdb = "movie/670" }

[[titles]]
id = "memories-of-murder-2003"
title = "Memories of Murder"
original_title = "살인의 추억"
year = 2003
directors = ["Bong Joon-ho"]
directors_ko = ["봉준호"]
"""


@pytest.fixture(autouse=True)
def _article_catalogue(article_catalogue):
    """These tests bring their own titles (fixtures, user files, a layer); the bundled
    catalogue is kept to the seed articles' titles so that its growth cannot change them."""


@pytest.fixture
def with_ids(isolated_env):
    folder = isolated_env / "user-catalogue"
    folder.mkdir()
    (folder / "fixture.toml").write_text(FIXTURE, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tt0364569", ("imdb", "tt0364569")),
        ("TT0364569", ("imdb", "tt0364569")),  # typed in capitals
        ("https://www.imdb.com/title/tt0364569/", ("imdb", "tt0364569")),
        ("https://m.imdb.com/title/tt0364569/?ref_=nv_sr_1", ("imdb", "tt0364569")),
        ("imdb.com/title/tt0364569/reference", ("imdb", "tt0364569")),
        ("https://letterboxd.com/film/oldboy/", ("letterboxd", "oldboy")),
        ("https://letterboxd.com/someone/film/oldboy/reviews/", ("letterboxd", "oldboy")),
        ("Q475693", ("wikidata", "Q475693")),
        ("https://www.wikidata.org/wiki/Q475693", ("wikidata", "Q475693")),
        ("https://m.wikidata.org/wiki/Special:EntityPage/Q475693#P57", ("wikidata", "Q475693")),
        ("http://www.wikidata.org/entity/Q475693", ("wikidata", "Q475693")),
        ("https://www.themoviedb.org/movie/670-oldboy?language=ko", ("tmdb", "movie/670")),
        ("tv/123", ("tmdb", "tv/123")),
        ("Oldboy", None),
        ("Mr. Go", None),
        ("https://example.com/title/tt0364569/", None),
    ],
)
def test_parse_reference(text, expected):
    assert parse_reference(text) == (Reference(*expected) if expected else None)


@pytest.mark.parametrize(
    "text", ["https://boxd.it/1VoAHp", "https://www.imdb.com/name/nm0661791/", "letterboxd.com/x"]
)
def test_links_that_cannot_name_a_title_are_clear_errors(text):
    with pytest.raises(InvalidInput):
        parse_reference(text)


@pytest.mark.parametrize(
    "ref",
    [
        "tt0364569",
        "https://www.imdb.com/title/tt0364569/",
        "https://m.imdb.com/title/tt0364569/?ref_=ext_shr",
        "https://letterboxd.com/film/oldboy/",
        "Q475693",
        "https://www.wikidata.org/wiki/Q475693",
    ],
)
def test_add_by_any_external_id(run, with_ids, ref):
    added = run("add", ref, "--json")
    assert added.exit_code == 0, added.stderr
    doc = added.json()
    assert doc["id"] == "oldboy-2003"
    assert doc["ids"] == {
        "wikidata": "Q475693",
        "imdb": "tt0364569",
        "letterboxd": "oldboy",
        "tmdb": "movie/670",
    }


def test_every_title_command_takes_an_id(run, with_ids):
    assert run("add", "tt0364569").exit_code == 0
    for args in (
        ("show", "Q475693", "--json"),
        ("watched", "https://letterboxd.com/film/oldboy/", "--json"),
        ("rate", "https://www.imdb.com/title/tt0364569/", "4", "--json"),
        ("status", "tt0364569", "on-hold", "--json"),
        ("release", "tt0364569", "--json"),
    ):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
        assert result.json()["id"] == "oldboy-2003"
    assert run("remove", "Q475693", "--yes", "--json").json()["id"] == "oldboy-2003"


def test_unknown_and_unresolvable_ids_fail_cleanly(run, with_ids, db_path):
    run("list")
    before = db_snapshot(db_path)
    missing = run("add", "tt9999999")
    assert missing.exit_code == 1
    assert "IMDb id tt9999999" in missing.stderr and missing.stdout == ""
    short = run("add", "https://boxd.it/1VoAHp")
    assert short.exit_code == 2
    assert "cannot be followed offline" in short.stderr
    assert len(short.stderr.strip().splitlines()) == 1
    assert db_snapshot(db_path) == before


def test_show_and_lists_carry_ids_and_hangul_directors(run, with_ids):
    shown = run("show", "oldboy-2003", "--json").json()
    assert shown["directors_ko"] == ["박찬욱"]
    assert shown["ids"]["tmdb"] == "movie/670"
    assert shown["opendata"] is None
    human = run("show", "oldboy-2003").stdout
    assert "Park Chan-wook (박찬욱)" in human
    assert "IMDb tt0364569" in human and "Wikidata Q475693" in human
    assert "Facts: your catalogue file" in human
    bundled = run("show", "oasis-2002").stdout
    assert "Facts: checked catalogue" in bundled

    listed = run("catalogue", "list", "--json").json()
    by_id = {t["id"]: t for t in listed}
    assert by_id["oldboy-2003"]["ids"]["imdb"] == "tt0364569"
    assert by_id["a-long-visit-2010"]["ids"] == dict.fromkeys(
        ("wikidata", "imdb", "letterboxd", "tmdb")
    )
    run("add", "Oldboy")
    entry = run("list", "--json").json()[0]
    assert entry["ids"]["letterboxd"] == "oldboy"


def test_search_finds_people_by_hangul_names(run, with_ids):
    found = run("search", "봉준호", "--json")
    assert found.exit_code == 0
    ids = [r["id"] for r in found.json()["results"]]
    assert "memories-of-murder-2003" in ids
    assert "oldboy-2003" not in ids
    plain = run("search", "봉준호")
    assert plain.exit_code == 0 and "Memories of Murder" in plain.stdout
    # The same index answers --director.
    listed = run("catalogue", "list", "--director", "박찬욱", "--json").json()
    assert {"oldboy-2003", "decision-to-leave-2022"} <= {t["id"] for t in listed}
    assert all(t["directors"] == ["Park Chan-wook"] for t in listed)


def test_external_ids_are_indexed_for_lookup(conn):
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'title_ids'"
    ).fetchall()
    assert "title_ids_value" in {r[0] for r in rows}
    plan = " ".join(
        str(r[3])
        for r in conn.execute(
            "EXPLAIN QUERY PLAN SELECT title_id FROM title_ids WHERE scheme = ? AND value = ?",
            ("imdb", "tt1"),
        )
    )
    assert "title_ids_value" in plan


def test_an_imdb_import_matches_by_const_whatever_the_title(run, with_ids, tmp_path):
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(
        "Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,"
        "Genres,Num Votes,Release Date,Directors\n"
        "tt0364569,8,2020-05-01,Old Boy (Korean),https://x,movie,8.4,120,2004,Drama,1,,\n",
        encoding="utf-8",
    )
    report = run("import", "imdb", str(ratings), "--json")
    assert report.exit_code == 0, report.stderr
    assert report.json()["matched"] == 1 and report.json()["counts"]["titles"]["added"] == 0
    entry = run("show", "oldboy-2003", "--json").json()["entry"]
    assert entry["rating"] == 4.0


def test_an_imported_titles_own_ids_find_it(run, tmp_path):
    # A film the catalogue does not know, imported from IMDb: its IMDb id is kept and finds it.
    ratings = tmp_path / "ratings.csv"
    ratings.write_text(
        "Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,"
        "Genres,Num Votes,Release Date,Directors\n"
        "tt9000001,8,2024-02-02,A Film Nobody Catalogued,,Movie,7,95,2023,Drama,1,,Someone\n",
        encoding="utf-8",
    )
    assert run("import", "imdb", str(ratings)).exit_code == 0
    shown = run("show", "tt9000001", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert shown.json()["title"] == "A Film Nobody Catalogued"
    by_link = run("rate", "https://www.imdb.com/title/tt9000001/", "4", "--json")
    assert by_link.exit_code == 0, by_link.stderr
    assert run("show", "tt9000002").exit_code == 1  # another id is still not found
