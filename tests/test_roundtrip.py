"""Export that round-trips: Letterboxd's import format with every column its importer reads,
read back by kwatch without adding anything twice; export -> import -> export is identical;
the JSON export has a published, versioned schema."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from conftest import FIXTURES, requires_shared, validate_json

LB = FIXTURES / "letterboxd-export-patrickmjones"
needs_lb = requires_shared(LB)
COLUMNS = [
    "LetterboxdURI",
    "tmdbID",
    "imdbID",
    "Title",
    "Year",
    "Directors",
    "Rating",
    "Rating10",
    "WatchedDate",
    "Rewatch",
    "Tags",
    "Review",
]
DIARY = "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
REVIEWS = "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Review,Tags,Watched Date\n"


def rows_of(folder: Path) -> list[dict[str, str]]:
    out = []
    for path in sorted(folder.glob("letterboxd-*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            assert reader.fieldnames == COLUMNS
            out += list(reader)
    return out


def small_export(tmp_path: Path) -> Path:
    folder = tmp_path / "lb"
    folder.mkdir()
    (folder / "watched.csv").write_text(
        "Date,Name,Year,Letterboxd URI\n2019-01-02,Han Gong-ju,2013,https://boxd.it/6KZq\n"
        "2020-02-02,Parasite,2019,https://boxd.it/hTha\n",
        encoding="utf-8",
    )
    (folder / "diary.csv").write_text(
        DIARY + "2019-01-02,Han Gong-ju,2013,https://boxd.it/B1He1,4,,,2015-07-27\n"
        "2020-02-02,Parasite,2019,https://boxd.it/YiuyD,5,,,2020-02-01\n"
        "2020-09-21,Parasite,2019,https://boxd.it/1mFg4h,,Yes,,2020-02-07\n",
        encoding="utf-8",
    )
    (folder / "reviews.csv").write_text(
        REVIEWS + '2020-02-02,Parasite,2019,https://boxd.it/YiuyD,5,,"<b>Wow</b>",,2020-02-01\n',
        encoding="utf-8",
    )
    return folder


def test_letterboxd_export_has_every_column_the_source_year_and_yes(run, tmp_path):
    run("import", "letterboxd", str(small_export(tmp_path)))
    run("watched", "Parasite", "--on", "2024-03")  # a month-only date
    run("add", "Oasis", "--note", "private, not a review")
    result = run("export", "--format", "letterboxd", "-o", str(tmp_path / "out"), "--json")
    summary = result.json()
    assert summary["undated"] == [{"id": "parasite-2019", "date": "2024-03", "precision": "month"}]
    rows = rows_of(tmp_path / "out")
    han = [r for r in rows if r["Title"] == "Han Gong-ju"]
    assert han[0]["Year"] == "2013" and han[0]["LetterboxdURI"] == "https://boxd.it/6KZq"
    parasite = [r for r in rows if r["Title"] == "Parasite"]
    by_date = {r["WatchedDate"]: r for r in parasite}
    assert by_date["2020-02-01"]["Rating"] == "5" and by_date["2020-02-01"]["Rating10"] == "10"
    assert by_date["2020-02-01"]["Review"] == "<b>Wow</b>"  # the original, on its viewing
    assert by_date["2020-02-07"]["Rewatch"] == "Yes"
    assert by_date["2020-02-07"]["Rating"] == ""  # an unrated rewatch stays unrated
    assert all(r["Rewatch"] in ("Yes", "") for r in rows)
    # The export named no IMDb or TMDb id; the catalogue's go out, so Letterboxd matches by id.
    assert {(r["imdbID"], r["tmdbID"]) for r in parasite} == {("tt6751668", "496243")}
    assert "private, not a review" not in json.dumps(rows)
    result = run("export", "--format", "letterboxd", "-o", str(tmp_path / "out2"))
    assert "month or year" in result.stderr


def test_kwatch_reads_its_own_letterboxd_export_back_and_adds_nothing(run, tmp_path):
    run("import", "letterboxd", str(small_export(tmp_path)))
    run("export", "--format", "letterboxd", "-o", str(tmp_path / "out"))
    again = run("import", "letterboxd", str(tmp_path / "out"), "--json").json()
    assert again["added"] == 0, again["counts"]


def test_export_import_export_is_identical(run, tmp_path, monkeypatch):
    run("import", "letterboxd", str(small_export(tmp_path)))
    run("export", "--format", "letterboxd", "-o", str(tmp_path / "one"))
    monkeypatch.setenv("KWATCH_DB", str(tmp_path / "second.db"))
    report = run("import", "letterboxd", str(tmp_path / "one"), "--json").json()
    assert report["rejected"] == []
    run("export", "--format", "letterboxd", "-o", str(tmp_path / "two"))
    assert rows_of(tmp_path / "one") == rows_of(tmp_path / "two")


def _counts(db_path) -> tuple[int, int]:
    import sqlite3

    conn = sqlite3.connect(db_path)
    try:
        return (
            conn.execute("SELECT count(*) FROM viewings").fetchone()[0],
            conn.execute("SELECT count(*) FROM reviews").fetchone()[0],
        )
    finally:
        conn.close()


def test_one_history_from_two_of_its_exports_is_never_doubled(run, tmp_path, monkeypatch):
    # Library A from Letterboxd's export; library B from kwatch's Letterboxd CSV of A. Giving B
    # the original export, or A's JSON export, adds no viewing or review a second time.
    original = small_export(tmp_path)
    run("import", "letterboxd", str(original))
    run("export", "--format", "letterboxd", "-o", str(tmp_path / "csv"))
    run("export", "--format", "json", "-o", str(tmp_path / "a.json"))
    expected = _counts(tmp_path / "home" / ".local" / "share" / "kwatch" / "kwatch.db")
    for second in ("letterboxd-original", "json"):
        b = tmp_path / f"b-{second}.db"
        monkeypatch.setenv("KWATCH_DB", str(b))
        run("import", "letterboxd", str(tmp_path / "csv"))
        assert _counts(b) == expected
        if second == "json":
            again = run("import", "kwatch", str(tmp_path / "a.json"), "--json").json()
        else:
            again = run("import", "letterboxd", str(original), "--json").json()
        assert _counts(b) == expected, (second, again["counts"])


def test_a_cell_protected_from_spreadsheets_reads_back_as_it_was(run, tmp_path, monkeypatch):
    # The export writes '-Minus Film so a spreadsheet does not run it as a formula; reading the
    # file back must give -Minus Film again, not a title with an apostrophe.
    folder = tmp_path / "lb"
    folder.mkdir()
    (folder / "watched.csv").write_text(
        "Date,Name,Year,Letterboxd URI\n2020-01-02,-Minus Film,2020,https://boxd.it/zz1\n"
        "2020-01-03,=Sum,2021,https://boxd.it/zz2\n",
        encoding="utf-8",
    )
    run("import", "letterboxd", str(folder))
    # A title that itself starts with an apostrophe before a "-" keeps it too.
    assert run("add", "--custom", "--year", "2022", "--", "'-Quoted").exit_code == 0
    run("export", "--format", "letterboxd", "-o", str(tmp_path / "one"))
    written = {r["Title"] for r in rows_of(tmp_path / "one")}
    assert written == {"'-Minus Film", "'=Sum", "''-Quoted"}
    monkeypatch.setenv("KWATCH_DB", str(tmp_path / "second.db"))
    run("import", "letterboxd", str(tmp_path / "one"))
    titles = {t["title"] for t in run("list", "--json").json()}
    assert titles == {"-Minus Film", "=Sum", "'-Quoted"}


def test_json_export_merges_into_a_library_without_adding_twice(run, tmp_path):
    run("import", "letterboxd", str(small_export(tmp_path)))
    doc = tmp_path / "k.json"
    run("export", "--format", "json", "-o", str(doc))
    again = run("import", "kwatch", str(doc), "--json").json()
    assert again["added"] == 0, again["counts"]


def test_the_json_export_validates_against_its_published_schema(run, tmp_path):

    run("import", "letterboxd", str(small_export(tmp_path)))
    run("lists", "create", "Mine")
    run("lists", "add", "Mine", "Parasite", "--note", "first")
    schema = run("schema", "export-document").json()
    assert schema["$id"].endswith("/export-document/v2.json")
    doc = json.loads(run("export", "--format", "json").stdout)
    validate_json(doc, schema)
    assert doc["lists"][0]["items"][0]["note"] == "first"


@needs_lb
def test_the_shared_export_round_trips(conn, run, tmp_path, monkeypatch):
    first = run("import", "letterboxd", str(LB), "--json").json()
    diary = list(csv.DictReader((LB / "diary.csv").open(encoding="utf-8")))
    assert first["counts"]["viewings"]["added"] == len(diary)
    run("export", "--format", "letterboxd", "-o", str(tmp_path / "one"))
    rows = rows_of(tmp_path / "one")
    uris = set()
    for name in ("watched.csv", "ratings.csv", "watchlist.csv"):
        uris |= {r["Letterboxd URI"] for r in csv.DictReader((LB / name).open(encoding="utf-8"))}
    out_uris = {r["LetterboxdURI"] for r in rows}
    joined = {"https://boxd.it/qeWY"}  # Save the Green Planet! without a year: one film
    assert uris - joined <= out_uris
    assert sum(bool(r["WatchedDate"]) for r in rows) == len(diary)
    again = run("import", "letterboxd", str(tmp_path / "one"), "--json").json()
    assert again["added"] == 0, again["counts"]
    monkeypatch.setenv("KWATCH_DB", str(tmp_path / "second.db"))
    run("import", "letterboxd", str(tmp_path / "one"))
    run("export", "--format", "letterboxd", "-o", str(tmp_path / "two"))
    assert rows_of(tmp_path / "one") == rows_of(tmp_path / "two")


def test_a_version_1_export_still_imports(run, tmp_path):
    doc = {
        "format": "kwatch-export",
        "version": 1,
        "kwatch_version": "0.1.0",
        "exported_on": "2026-11-01",
        "titles": [],
        "releases": [],
        "entries": [
            {
                "title_id": "oasis-2002",
                "status": "planned",
                "priority": 4,
                "rating": None,
                "rated_on": None,
                "added_on": "2026-10-01",
                "tags": ["x"],
                "notes": [{"text": "n", "created_on": "2026-10-01", "import_key": None}],
                "viewings": [],
                "status_history": [{"status": "planned", "changed_on": "2026-10-01"}],
            }
        ],
    }
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    report = run("import", "kwatch", str(path), "--json").json()
    assert report["rejected"] == [] and report["counts"]["entries"]["added"] == 1
    entry = run("show", "oasis-2002", "--json").json()["entry"]
    assert entry["priority"] == 4 and entry["reviews"] == [] and entry["notes"][0]["text"] == "n"
