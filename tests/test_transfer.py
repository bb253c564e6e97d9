"""Import (Letterboxd, IMDb, kwatch JSON), export (json, letterboxd, csv) and backup."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from conftest import (
    FIXTURES,
    TODAY,
    built_once,
    db_snapshot,
    default_db_path,
    drain_pty,
    requires_shared,
)

LB = FIXTURES / "letterboxd-export-patrickmjones"
needs_lb = requires_shared(LB)
REPORT_KEYS = {
    "added",
    "matched",
    "unchanged",
    "updated",
    "rejected",
    "rejected_count",
    "counts",
    "files",
    "warnings",
    "source",
    "path",
    "dry_run",
}
DIARY_HEADER = "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
TODAY_DATE = date.fromisoformat(TODAY)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def write_raw(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def lb_rows(name: str) -> list[dict[str, str]]:
    return read_csv(LB / name)


def entry(run, title_id: str) -> dict:
    return run("show", title_id, "--json").json()["entry"]


def import_ok(run, *args: str) -> dict:
    result = run("import", *args, "--json")
    assert result.exit_code == 0, result.stderr
    report = result.json()
    assert set(report) >= REPORT_KEYS
    return report


@pytest.fixture
def started(run, db_path):
    """A database with something in it, so "unchanged" means more than "still absent"."""

    def build() -> None:
        run("add", "Oasis", "--tag", "mine")
        run("watched", "Burning", "--on", "2023-01-02", "--rating", "4")

    built_once("test_transfer.started", db_path, build)
    return db_snapshot(db_path)


# ---------------------------------------------------------------------------------------------
# The real export


@needs_lb
def test_real_export_imports_every_kind_of_thing_once(run):
    report = import_ok(run, "letterboxd", str(LB))
    diary, watched, ratings = lb_rows("diary.csv"), lb_rows("watched.csv"), lb_rows("ratings.csv")
    reviews, watchlist = lb_rows("reviews.csv"), lb_rows("watchlist.csv")
    counts = report["counts"]
    # Every diary row is one viewing (rewatches kept); reviews of the same entries add none.
    assert counts["viewings"]["added"] == len(diary) == 2132
    assert report["rejected"] == [] and report["rejected_count"] == 0
    # A diary entry is also in watched.csv (and ratings.csv): each film is one entry.
    library = run("list", "--json").json()
    assert len(library) == counts["entries"]["added"]
    assert len({e["id"] for e in library}) == len(library)
    completed = [e for e in library if e["status"] == "completed"]
    watched_films = {(r["Name"].casefold(), r["Year"]) for r in watched}
    assert len(watched_films) - 2 <= len(completed) <= len(watched_films) + 12
    assert counts["ratings"]["added"] == len({(r["Name"], r["Year"]) for r in ratings})
    # Half stars survive; the catalogue title is matched (year within one).
    assert report["matched"] >= 10
    assert entry(run, "parasite-2019")["rating"] == 5.0
    assert len(entry(run, "parasite-2019")["viewings"]) == sum(
        r["Name"] == "Parasite" for r in diary
    )
    assert entry(run, "han-gong-ju-2014")["status"] == "completed"  # "Han Gong-ju 2013"
    assert entry(run, "backcountry-2014")["rating"] == 1.5
    # Reviews (quotes, commas, HTML, line breaks) become reviews, not notes, text for text.
    roma = next(r for r in reviews if r["Name"] == "Roma")
    assert roma["Review"].rstrip() in [n["text"] for n in entry(run, "roma-2018")["reviews"]]
    assert entry(run, "roma-2018")["notes"] == []
    assert "\n" in roma["Review"]
    # Tags stay tags; rewatches are kept as such; the watchlist joins the watchlist.
    soylent = entry(run, "soylent-green-1973")
    assert "on-vhs" in soylent["tags"]
    assert {v["date"] for v in soylent["viewings"]} >= {"1996-08-24"}
    assert sum(v["rewatch"] for e in library for v in e["viewings"]) == sum(
        r["Rewatch"] == "Yes" for r in diary
    )
    bone = entry(run, "bone-1972")
    assert bone["status"] == "planned" and bone["added_on"] == "2019-05-21"
    seen_uris = {r["Letterboxd URI"] for r in watched + ratings}
    dated_names = {r["Name"] for r in watched}
    planned_uris = {
        r["Letterboxd URI"] for r in watchlist if r["Year"] or r["Name"] not in dated_names
    } - seen_uris
    assert len([e for e in library if e["status"] == "planned"]) == len(planned_uris)
    # Lists become lists (files with and without the "Letterboxd list export" line), and a
    # film only in a list is not on the watchlist.
    zatoichi = run("lists", "show", "Zatoichi", "--json").json()
    assert "the-tale-of-zatoichi-1962" in [i["id"] for i in zatoichi["items"]]
    favourites = run("lists", "show", "all-time-favorites", "--json").json()
    assert favourites["items"][0]["id"] == "sonatine-1993" and favourites["ranked"]
    assert "list:zatoichi" not in entry(run, "the-tale-of-zatoichi-1962")["tags"]


@needs_lb
def test_real_export_imports_every_viewing_through_the_core(conn):
    # Its speed is measured by benchmarks/bench_import.py, not asserted here: a timing in a
    # test fails on a loaded machine and proves nothing on a fast one.
    from kwatch.transfer.engine import import_letterboxd

    report = import_letterboxd(conn, LB, today=TODAY_DATE)
    assert report.counts["viewings"]["added"] == 2132


@needs_lb
def test_importing_the_same_export_twice_adds_nothing(run, db_path, started):
    first = import_ok(run, "letterboxd", str(LB))
    after_first = db_snapshot(db_path)
    second = import_ok(run, "letterboxd", str(LB))
    assert second["added"] == 0 and second["updated"] == 0
    assert second["unchanged"] == first["added"] + first["unchanged"]
    assert second["matched"] == first["matched"]
    assert db_snapshot(db_path) == after_first


@needs_lb
def test_zip_as_letterboxd_sends_it_imports_like_the_folder(run, tmp_path, db_path):
    archive = tmp_path / "letterboxd-patrickmjones-2022-08-13-utc.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(LB.rglob("*")):
            if path.is_file():
                zf.write(path, path.relative_to(LB).as_posix())
        zf.writestr("profile.csv", "Date Joined,Username\n2018-12-16,someone\n")
    from_zip = import_ok(run, "letterboxd", str(archive))
    assert from_zip["counts"]["viewings"]["added"] == 2132
    kinds = {f["file"].split(":", 1)[1]: f["kind"] for f in from_zip["files"]}
    assert kinds["diary.csv"] == "diary" and kinds["lists/zatoichi.csv"] == "list"
    assert kinds["profile.csv"] == "profile"  # read for its Favorite Films, if it has them
    snapshot = db_snapshot(db_path)
    again = import_ok(run, "letterboxd", str(LB))  # the folder finds everything again
    assert again["added"] == 0
    assert db_snapshot(db_path) == snapshot


@needs_lb
def test_one_csv_of_the_export(run):
    report = import_ok(run, "letterboxd", str(LB / "ratings.csv"))
    assert report["files"] == [{"file": "ratings.csv", "kind": "ratings", "rows": 5}]
    assert report["counts"]["ratings"]["added"] == 5
    assert entry(run, "the-shining-1980")["rating"] == 5.0


@needs_lb
def test_dry_run_reports_the_same_and_changes_nothing(run, db_path, started):
    dry = import_ok(run, "letterboxd", str(LB), "--dry-run")
    assert dry["dry_run"] is True and dry["added"] > 0
    assert db_snapshot(db_path) == started
    real = import_ok(run, "letterboxd", str(LB))
    assert {k: real[k] for k in ("added", "matched", "counts")} == {
        k: dry[k] for k in ("added", "matched", "counts")
    }


@needs_lb
def test_dry_run_human_output(run, db_path, started):
    result = run("import", "letterboxd", str(LB), "--dry-run")
    assert result.exit_code == 0
    assert "Dry run" in result.stderr and "Nothing was changed" in result.stderr
    assert "viewings" in result.stdout and "2132" in result.stdout
    assert db_snapshot(db_path) == started


# ---------------------------------------------------------------------------------------------
# All or nothing


@needs_lb
def test_a_crash_half_way_leaves_the_database_as_it_was(run, db_path, started, monkeypatch):
    from kwatch.transfer import engine, letterboxd

    monkeypatch.setattr(engine, "BATCH_ROWS", 50)  # so rows are written before the crash
    calls = {"n": 0}
    real = letterboxd.ROW_READERS["reviews"]

    def crash_on_the_tenth_review(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 10:
            raise RuntimeError("disk on fire")
        return real(*args, **kwargs)

    monkeypatch.setitem(letterboxd.ROW_READERS, "reviews", crash_on_the_tenth_review)
    with pytest.raises(RuntimeError, match="disk on fire"):
        run("import", "letterboxd", str(LB))
    assert calls["n"] == 10
    assert db_snapshot(db_path) == started


@needs_lb
def test_ctrl_c_half_way_leaves_the_database_as_it_was(conn, db_path, monkeypatch):
    from kwatch.library import add
    from kwatch.titles import resolve
    from kwatch.transfer import engine

    add(conn, resolve(conn, "Oasis"), today=TODAY_DATE)
    before = db_snapshot(db_path)
    monkeypatch.setattr(engine, "BATCH_ROWS", 100)
    real_flush = engine.Importer.flush
    flushes = {"n": 0}

    def interrupted(self):
        real_flush(self)
        flushes["n"] += 1
        if flushes["n"] == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(engine.Importer, "flush", interrupted)
    with pytest.raises(KeyboardInterrupt):
        engine.import_letterboxd(conn, LB, today=TODAY_DATE)
    assert db_snapshot(db_path) == before
    assert not conn.in_transaction


def test_a_malformed_file_in_the_export_imports_nothing(run, tmp_path, db_path, started):
    export = tmp_path / "export"
    write(export / "diary.csv", DIARY_HEADER + "2024-01-02,Some Film,2020,,4,,,2024-01-01\n")
    write(export / "lists" / "broken.csv", "Date,Name,Tags,URL,Description\n")
    result = run("import", "letterboxd", str(export))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "broken.csv" in result.stderr and "Position,Name,Year,URL,Description" in result.stderr
    assert db_snapshot(db_path) == started


# ---------------------------------------------------------------------------------------------
# Bad input: a clear message, never a traceback, nothing written


def _not_an_export_zip(tmp: Path) -> Path:
    path = tmp / "holiday-photos.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "hello")
        zf.writestr("numbers.csv", "a,b\n1,2\n")
    return path


BAD_INPUTS = {
    "wrong headers": (
        lambda t: write(t / "diary.csv", "Film,When,Stars\nOldboy,2003-01-01,5\n"),
        ["diary.csv", "'Name'", "Watched Date"],
    ),
    "empty file": (lambda t: write(t / "diary.csv", ""), ["diary.csv is empty"]),
    "blank lines only": (lambda t: write(t / "watched.csv", "\n\n\n"), ["is empty"]),
    "zip that is not an export": (_not_an_export_zip, ["not a Letterboxd export", "diary.csv"]),
    "broken zip": (
        lambda t: write(t / "export.zip", "PK\x03\x04 this is not really a zip"),
        ["not a readable ZIP"],
    ),
    "binary file": (
        lambda t: write_raw(t / "diary.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 50),
        ["binary file"],
    ),
    "missing path": (lambda t: t / "nope.zip", ["does not exist"]),
    "imdb file": (
        lambda t: write(
            t / "ratings.csv", "Const,Your Rating,Date Rated,Title\ntt1,7,2020-01-01,X\n"
        ),
        ["kwatch import imdb"],
    ),
    "ambiguous name": (
        lambda t: write(t / "export.csv", "Date,Name,Year,Letterboxd URI\n2020-01-01,X,2000,\n"),
        ["watched.csv or watchlist.csv"],
    ),
    "unterminated quote spanning a huge field": (
        lambda t: write(t / "diary.csv", DIARY_HEADER + '2020-01-01,"' + "x" * (2 << 20) + "\n"),
        ["diary.csv, line 2", "field larger than field limit"],
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_bad_input_is_a_clear_error_and_changes_nothing(run, tmp_path, db_path, started, case):
    make, expected = BAD_INPUTS[case]
    path = make(tmp_path)
    result = run("import", "letterboxd", str(path))
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    for text in expected:
        assert text in result.stderr
    assert "Traceback" not in result.stderr
    assert db_snapshot(db_path) == started
    as_json = run("import", "letterboxd", str(path), "--json")
    assert json.loads(as_json.stderr)["error"]["code"] == "invalid_input"
    assert as_json.stdout == ""


@pytest.mark.slow  # writes 50 MB
def test_a_50_mb_file_streams_in_flat_memory(tmp_path, conn):
    """50 MB of long reviews: imported row by row, memory far below the file's size."""
    import tracemalloc

    from kwatch.transfer.engine import import_letterboxd

    path = tmp_path / "reviews.csv"
    review = ('A long review, with commas, "quotes", <i>HTML</i> and\nline breaks. ' * 160)[:10000]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "Date",
                "Name",
                "Year",
                "Letterboxd URI",
                "Rating",
                "Rewatch",
                "Review",
                "Tags",
                "Watched Date",
            ]
        )
        n = 0
        while fh.tell() < 50 * 1024 * 1024:
            writer.writerow(
                [
                    "2020-01-02",
                    f"Film {n % 500}",
                    2000 + n % 20,
                    f"https://boxd.it/r{n}",
                    "3.5",
                    "",
                    review,
                    "long",
                    "2020-01-01",
                ]
            )
            n += 1
    tracemalloc.start()
    try:
        report = import_letterboxd(conn, path, today=TODAY_DATE)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.counts["reviews"]["added"] == n
    assert report.counts["viewings"]["added"] == n
    assert peak < 25 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB for a 50 MB file"


@pytest.mark.slow  # writes 50 MB
def test_a_50_mb_file_that_is_one_field_is_refused(run, tmp_path, db_path, started):
    path = tmp_path / "diary.csv"
    with path.open("w", encoding="utf-8") as fh:
        fh.write(DIARY_HEADER + '2020-01-01,"')
        chunk = "y" * (1 << 20)
        for _ in range(50):
            fh.write(chunk)
    result = run("import", "letterboxd", str(path))
    assert result.exit_code == 2
    # Refused by the line-length limit, before the line is read whole; the message names it.
    assert "has a line longer than 16,777,216 bytes" in result.stderr
    assert "nothing was imported" in result.stderr
    assert db_snapshot(db_path) == started


def test_bad_rows_are_rejected_with_reasons_and_the_rest_imported(run, tmp_path):
    diary = write(
        tmp_path / "diary.csv",
        DIARY_HEADER
        + '2024-01-02,Good Film,2020,https://boxd.it/a1,4.5,,"one, two",2024-01-01\n'  # line 2
        + '2024-01-02,"Multi\nLine",2020,https://boxd.it/a2,,,,2024-01-01\n'  # lines 3-4
        + "2024-01-02,Too Many Stars,2020,https://boxd.it/a3,6,,,2024-01-01\n"  # line 5
        + "2024-01-02,Zero Stars,2020,https://boxd.it/a4,0,,,2024-01-01\n"  # line 6
        + "2024-01-02,Quarter Star,2020,https://boxd.it/a5,3.25,,,2024-01-01\n"  # line 7
        + "2024-01-02,Wordy,2020,https://boxd.it/a6,good,,,2024-01-01\n"  # line 8
        + "2024-01-02,From The Future,2020,https://boxd.it/a7,,,,2027-01-01\n"  # line 9
        + "2024-01-02,Bad Day,2020,https://boxd.it/a8,,,,2021-13-01\n"  # line 10
        + "2024-01-02,Words,2020,https://boxd.it/a9,,,,last tuesday\n"  # line 11
        + "2024-01-02,,2020,https://boxd.it/b1,,,,2024-01-01\n"  # line 12
        + "2024-01-02,Odd Year,20x0,https://boxd.it/b2,,,,2024-01-01\n"  # line 13
        + "2024-01-02,No Date,2020,https://boxd.it/b3,,,,\n"  # line 14
        + "2024-01-02,Last Good,2019,https://boxd.it/b4,0.5,Yes,,2024-01-01\n",  # line 15
    )
    report = import_ok(run, "letterboxd", str(diary))
    rejected = {r["row"]: r for r in report["rejected"]}
    assert set(rejected) == {5, 6, 7, 8, 9, 10, 11, 12, 13, 14}
    assert all(
        r["file"] == "diary.csv" and set(r) == {"file", "row", "reason"} for r in report["rejected"]
    )
    assert "out of range" in rejected[5]["reason"] and "0.5 to 5" in rejected[5]["reason"]
    assert "out of range" in rejected[6]["reason"]
    assert "out of range" in rejected[7]["reason"]
    assert "not a number" in rejected[8]["reason"]
    assert "in the future" in rejected[9]["reason"]
    assert "not a date" in rejected[10]["reason"] and "not a date" in rejected[11]["reason"]
    assert "Name is empty" in rejected[12]["reason"]
    assert "not a year" in rejected[13]["reason"]
    assert "Watched Date is empty" in rejected[14]["reason"]
    assert report["rejected_count"] == 10
    assert report["counts"]["viewings"]["added"] == 3
    good = entry(run, "good-film-2020")
    assert good["rating"] == 4.5 and good["tags"] == ["one", "two"]
    assert entry(run, "multi-line-2020")["status"] == "completed"
    last = entry(run, "last-good-2019")
    assert last["rating"] == 0.5 and last["viewings"][0]["rewatch"] is True
    human = run("import", "letterboxd", str(diary))
    assert "Rejected rows" in human.stdout and "10 rejected" in human.stderr


# ---------------------------------------------------------------------------------------------
# Encodings


def test_bom_is_ignored(run, tmp_path):
    path = write(
        tmp_path / "diary.csv", "\ufeff" + DIARY_HEADER + "2024-01-02,Amélie,2001,,,,,2024-01-01\n"
    )
    report = import_ok(run, "letterboxd", str(path))
    assert report["warnings"] == [] and report["counts"]["viewings"]["added"] == 1
    assert entry(run, "amelie-2001")["viewings"][0]["date"] == "2024-01-01"


def test_windows_1252_is_read_with_a_warning(run, tmp_path):
    path = write(
        tmp_path / "diary.csv",
        DIARY_HEADER + "2024-01-02,Amélie – Le Fabuleux,2001,,,,,2024-01-01\n",
        "cp1252",
    )
    result = run("import", "letterboxd", str(path), "--json")
    report = result.json()
    assert report["warnings"] and "not UTF-8" in report["warnings"][0]
    assert "Windows-1252" in report["warnings"][0]
    show = run("show", "amelie-le-fabuleux-2001", "--json").json()
    assert show["title"] == "Amélie – Le Fabuleux"
    human = run("import", "letterboxd", str(path))
    assert "Warning:" in human.stderr


def test_utf16_with_bom_is_read(run, tmp_path):
    path = write(
        tmp_path / "diary.csv",
        "\ufeff" + DIARY_HEADER + "2024-01-02,기생충,2019,,,,,2024-01-01\n",
        "utf-16-le",
    )
    report = import_ok(run, "letterboxd", str(path))
    assert report["counts"]["viewings"]["added"] == 1
    assert report["matched"] == 1  # the Hangul title finds the catalogue's Parasite
    assert entry(run, "parasite-2019")["viewings"][0]["date"] == "2024-01-01"


# ---------------------------------------------------------------------------------------------
# Matching and idempotence on small exports


def test_catalogue_titles_match_by_english_alt_or_hangul_title_and_year_within_one(run, tmp_path):
    path = write(
        tmp_path / "watched.csv",
        "Date,Name,Year,Letterboxd URI\n"
        "2024-01-01,Han Gong-ju,2013,\n"  # festival year; the catalogue says 2014
        "2024-01-01,Dohee-ya,2014,\n"  # an alternative title
        "2024-01-01,시,2010,\n"  # Hangul title of Poetry
        "2024-01-01,Oasis,1995,\n"  # too far from 2002: a different film
        "2024-01-01,Oasis,,\n",  # no year: never guessed
    )
    report = import_ok(run, "letterboxd", str(path))
    assert report["matched"] == 3
    assert report["counts"]["titles"]["added"] == 2
    ids = {e["id"] for e in run("list", "--json").json()}
    assert {"han-gong-ju-2014", "a-girl-at-my-door-2014", "poetry-2010"} <= ids
    assert {"oasis-1995", "oasis"} <= ids and "oasis-2002" not in ids


def test_a_newer_export_adds_only_what_is_new(run, tmp_path, db_path):
    old = tmp_path / "old"
    write(
        old / "diary.csv",
        DIARY_HEADER
        + "2024-01-02,Film A,2020,https://boxd.it/a,3,,,2024-01-01\n"
        + "2024-01-03,Film B,2021,https://boxd.it/b,,,,2024-01-02\n"
        + "2024-01-04,Film B,2021,,,Yes,,2024-01-03\n",
    )
    write(old / "watched.csv", "Date,Name,Year,Letterboxd URI\n2024-01-02,Film A,2020,\n")
    first = import_ok(run, "letterboxd", str(old))
    assert first["counts"]["viewings"]["added"] == 3
    new = tmp_path / "new"
    write(
        new / "diary.csv",
        DIARY_HEADER
        + "2024-01-02,Film A,2020,https://boxd.it/a,4,,,2024-01-01\n"  # re-rated at the source
        + "2024-01-03,Film B,2021,https://boxd.it/b,,,,2024-01-02\n"
        + "2024-01-04,Film B,2021,,,Yes,,2024-01-03\n"
        + "2024-03-01,Film A,2020,https://boxd.it/c,5,Yes,,2024-02-28\n",
    )
    write(new / "watched.csv", "Date,Name,Year,Letterboxd URI\n2024-01-02,Film A,2020,\n")
    second = import_ok(run, "letterboxd", str(new))
    assert second["counts"]["viewings"] == {"added": 1, "updated": 1, "unchanged": 2}
    assert second["counts"]["titles"] == {"added": 0, "updated": 0, "unchanged": 2}
    film_a = entry(run, "film-a-2020")
    assert [v["rating"] for v in film_a["viewings"]] == [4.0, 5.0]
    assert film_a["rating"] == 5.0  # the newest rating
    snapshot = db_snapshot(db_path)
    assert import_ok(run, "letterboxd", str(new))["added"] == 0
    assert db_snapshot(db_path) == snapshot


def test_a_viewing_logged_by_hand_is_not_imported_twice(run, tmp_path):
    run("watched", "Burning", "--on", "2024-01-01")
    path = write(
        tmp_path / "diary.csv",
        DIARY_HEADER + "2024-01-02,Burning,2018,https://boxd.it/z,,,,2024-01-01\n",
    )
    report = import_ok(run, "letterboxd", str(path))
    assert report["counts"]["viewings"] == {"added": 0, "updated": 0, "unchanged": 1}
    assert len(entry(run, "burning-2018")["viewings"]) == 1


def test_watchlist_then_seen_becomes_completed(run, tmp_path):
    run("add", "Oasis")
    path = write(
        tmp_path / "diary.csv",
        DIARY_HEADER + "2024-01-02,Oasis,2002,https://boxd.it/o,,,,2024-01-01\n",
    )
    report = import_ok(run, "letterboxd", str(path))
    assert report["counts"]["entries"] == {"added": 0, "updated": 1, "unchanged": 0}
    oasis = entry(run, "oasis-2002")
    assert oasis["status"] == "completed"
    assert [h["status"] for h in oasis["status_history"]] == ["planned", "completed"]


# ---------------------------------------------------------------------------------------------
# IMDb


IMDB_OLD = (
    "Const,Your Rating,Date Rated,Title,URL,Title Type,IMDb Rating,Runtime (mins),Year,"
    "Genres,Num Votes,Release Date,Directors\n"
)
# The 2024 header, with columns in another order to prove nothing is read by position.
IMDB_2024 = (
    "Const,Title,Original Title,Your Rating,Date Rated,URL,Title Type,IMDb Rating,"
    "Runtime (mins),Year,Genres,Num Votes,Release Date,Directors\n"
)
IMDB_WATCHLIST = (
    "Position,Const,Created,Modified,Description,Title,Original Title,URL,"
    "Title Type,IMDb Rating,Runtime (mins),Year,Genres,Num Votes,Release Date,"
    "Directors,Your Rating,Date Rated\n"
)


def test_imdb_old_and_2024_headers(run, tmp_path):
    old = write(
        tmp_path / "old" / "ratings.csv",
        IMDB_OLD
        + "tt0364569,9,2020-05-01,Oldboy,https://x,movie,8.4,120,2003,Drama,1,2003-11-21,"
        + "Park Chan-wook\n"
        + 'tt0000001,7,2021-02-03,Some Film,https://x,Movie,7,95,1999,Drama,1,,"A, B"\n'
        + "tt0000002,11,2021-02-03,Loud Film,https://x,movie,7,95,1999,Drama,1,,\n",
    )
    new = write(
        tmp_path / "new" / "ratings.csv",
        IMDB_2024
        + "tt3265462,Han Gong-ju,한공주,8,2022-01-01,https://x,Movie,7,112,2013,Drama,1,,"
        + "Lee Su-jin\n"
        + "tt4,My Mister,나의 아저씨,10,2022-01-02,https://x,TV Series,9,,2018,Drama,1,,\n",
    )
    watch = write(
        tmp_path / "watchlist.csv",
        IMDB_WATCHLIST + '1,tt5,2023-04-05,2023-04-05,"for a rainy day, maybe",Unknown Korean Film,'
        "알 수 없는 영화,https://x,Movie,7,100,2024,Drama,1,,Kim Lee,,\n",
    )
    report = import_ok(run, "imdb", str(old), str(new), str(watch))
    assert {f["kind"] for f in report["files"]} == {"ratings", "watchlist"}
    assert [r["row"] for r in report["rejected"]] == [4]
    assert "1 to 10" in report["rejected"][0]["reason"]
    assert entry(run, "oldboy-2003")["rating"] == 4.5  # 9/10
    assert entry(run, "han-gong-ju-2014")["rating"] == 4.0  # matched through 한공주, year ±1
    some = run("show", "some-film-1999", "--json").json()
    assert some["directors"] == ["A", "B"] and some["runtime_min"] == 95
    assert entry(run, "some-film-1999")["rated_on"] == "2021-02-03"
    assert run("show", "my-mister-2018", "--json").json()["kind"] == "tv-series"
    planned = run("show", "unknown-korean-film-2024", "--json").json()
    assert planned["original_title"] == "알 수 없는 영화"
    assert planned["entry"]["status"] == "planned"
    assert planned["entry"]["notes"][0]["text"] == "for a rainy day, maybe"
    again = import_ok(run, "imdb", str(old), str(new), str(watch))
    assert again["added"] == 0


def test_imdb_wrong_file_is_a_clear_error(run, tmp_path, db_path, started):
    result = run("import", "imdb", str(write(tmp_path / "x.csv", "Title,Stars\nA,5\n")))
    assert result.exit_code == 2
    assert "Your Rating" in result.stderr and "Original Title" in result.stderr
    letterboxd = write(tmp_path / "diary.csv", DIARY_HEADER)
    assert "kwatch import letterboxd" in run("import", "imdb", str(letterboxd)).stderr
    assert db_snapshot(db_path) == started


# ---------------------------------------------------------------------------------------------
# kwatch JSON: export, restore, round trip


@pytest.fixture
def rich_library(run, tmp_path):
    """A library with one of everything: catalogue and user titles, a user release, ratings,
    notes, tags, rewatches, partial dates, statuses, and imported rows with import keys."""

    def build() -> None:
        run("add", "Oasis", "--priority", "5", "--tag", "friday", "--note", 'recommended, by "J"')
        run("watched", "Burning", "--on", "2023-01-02", "--rating", "4")
        run("watched", "Burning", "--on", "2024-03", "--note", "again")
        run("status", "Oasis", "watching")
        run(
            "add",
            "Some Film",
            "--custom",
            "--year",
            "2027",
            "--release",
            "2027-03",
            "--director",
            "Kim Ji-woo",
            "--theme",
            "drama",
        )
        run("rate", "Poetry", "3.5")
        path = write(
            tmp_path / "diary.csv",
            DIARY_HEADER
            + "2024-01-02,Imported Film,2020,https://boxd.it/i,2.5,,tagged,2024-01-01\n",
        )
        import_ok(run, "letterboxd", str(path))

    built_once("test_transfer.rich_library", default_db_path(tmp_path), build)


def test_json_export_is_versioned_and_complete(run, rich_library):
    doc = json.loads(run("export", "--format", "json").stdout)
    assert doc["format"] == "kwatch-export" and doc["version"] == 2
    assert doc["exported_on"] == TODAY
    titles = {t["id"]: t for t in doc["titles"]}
    assert titles["some-film-2027"]["origin"] == "custom"
    assert titles["some-film-2027"]["directors"] == ["Kim Ji-woo"]
    assert titles["oasis-2002"]["origin"] == "bundled"
    assert doc["releases"] == [
        {
            "title_id": "some-film-2027",
            "date": "2027-03",
            "precision": "month",
            "region": "KR",
            "type": "theatrical",
            "note": None,
            "source": "added by you",
        }
    ]
    entries = {e["title_id"]: e for e in doc["entries"]}
    assert set(entries) == {
        "oasis-2002",
        "burning-2018",
        "some-film-2027",
        "poetry-2010",
        "imported-film-2020",
    }
    oasis = entries["oasis-2002"]
    assert oasis["priority"] == 5 and oasis["tags"] == ["friday"]
    assert [h["status"] for h in oasis["status_history"]] == ["planned", "watching"]
    assert oasis["notes"][0]["text"] == 'recommended, by "J"'
    burning = entries["burning-2018"]
    assert [(v["date"], v["precision"], v["rating"]) for v in burning["viewings"]] == [
        ("2023-01-02", "day", 4.0),
        ("2024-03", "month", None),
    ]
    assert burning["viewings"][1]["note"] == "again"
    assert (
        entries["imported-film-2020"]["viewings"][0]["import_key"] == "letterboxd:https://boxd.it/i"
    )
    assert entries["poetry-2010"]["rating"] == 3.5


def test_export_import_export_gives_the_same_document(run, rich_library, tmp_path, monkeypatch):
    first = run("export", "--format", "json").stdout
    out = tmp_path / "export.json"
    assert run("export", "--output", str(out)).exit_code == 0
    assert out.read_text(encoding="utf-8") == first
    monkeypatch.setenv("KWATCH_DB", str(tmp_path / "empty.db"))
    report = import_ok(run, "kwatch", str(out))
    assert report["rejected"] == [] and report["added"] > 0
    assert run("export", "--format", "json").stdout == first
    again = import_ok(run, "kwatch", str(out))  # restoring twice adds nothing
    assert again["added"] == 0 and again["updated"] == 0
    assert run("export", "--format", "json").stdout == first


def test_kwatch_import_merges_into_a_library(run, rich_library, tmp_path, monkeypatch):
    out = tmp_path / "export.json"
    run("export", "--output", str(out))
    monkeypatch.setenv("KWATCH_DB", str(tmp_path / "other.db"))
    run("watched", "Burning", "--on", "2023-01-02", "--rating", "4")  # also in the export
    run("add", "Always")
    report = import_ok(run, "kwatch", str(out))
    # Burning's 2023 viewing was there: only its 2024 one and Imported Film's are added.
    assert report["counts"]["viewings"] == {"added": 2, "updated": 0, "unchanged": 1}
    burning = entry(run, "burning-2018")
    assert [v["date"] for v in burning["viewings"]] == ["2023-01-02", "2024-03"]
    assert {e["id"] for e in run("list", "--json").json()} >= {"always-2011", "oasis-2002"}


BAD_KWATCH = {
    "not json": ("{not json", "not valid JSON"),
    "other json": ('{"hello": 1}', '"format": "kwatch-export"'),
    "newer version": ('{"format": "kwatch-export", "version": 99}', "newer kwatch"),
    "list instead of object": ("[1, 2]", "not a kwatch export"),
}


@pytest.mark.parametrize("case", list(BAD_KWATCH), ids=list(BAD_KWATCH))
def test_bad_kwatch_file_is_a_clear_error(run, tmp_path, db_path, started, case):
    text, expected = BAD_KWATCH[case]
    result = run("import", "kwatch", str(write(tmp_path / "x.json", text)))
    assert result.exit_code == 2 and expected in result.stderr
    assert db_snapshot(db_path) == started


def test_bad_kwatch_entries_are_rejected_one_by_one(run, tmp_path):
    doc = {
        "format": "kwatch-export",
        "version": 1,
        "titles": [],
        "releases": [],
        "entries": [
            {
                "title_id": "oasis-2002",
                "status": "planned",
                "priority": 3,
                "rating": None,
                "rated_on": None,
                "added_on": "2024-01-01",
                "tags": ["ok"],
                "notes": [],
                "viewings": [],
                "status_history": [{"status": "planned", "changed_on": "2024-01-01"}],
            },
            {"title_id": "burning-2018", "status": "bored", "added_on": "2024-01-01"},
            {
                "title_id": "poetry-2010",
                "status": "completed",
                "added_on": "2024-01-01",
                "rating": 7,
            },
            {"title_id": "no-such-title", "status": "planned", "added_on": "2024-01-01"},
        ],
    }
    report = import_ok(run, "kwatch", str(write(tmp_path / "x.json", json.dumps(doc))))
    reasons = {r["row"]: r["reason"] for r in report["rejected"]}
    assert set(reasons) == {2, 3, 4}
    assert "status 'bored'" in reasons[2]
    assert "out of range" in reasons[3]
    assert "neither in the catalogue" in reasons[4]
    assert entry(run, "oasis-2002")["tags"] == ["ok"]


def test_kwatch_import_keeps_a_title_this_catalogue_lacks_as_a_user_title(run, tmp_path):
    title = {
        "id": "their-file-film-2020",
        "title": "Their File Film",
        "year": 2020,
        "origin": "user-file",
        "directors": ["Someone"],
    }
    doc = {
        "format": "kwatch-export",
        "version": 1,
        "titles": [title],
        "releases": [],
        "entries": [
            {"title_id": "their-file-film-2020", "status": "planned", "added_on": "2024-01-01"}
        ],
    }
    report = import_ok(run, "kwatch", str(write(tmp_path / "x.json", json.dumps(doc))))
    assert report["counts"]["titles"]["added"] == 1
    assert "kept it as your own title" in report["warnings"][0]
    shown = run("show", "their-file-film-2020", "--json").json()
    assert shown["origin"] == "custom" and shown["directors"] == ["Someone"]
    assert shown["entry"]["status"] == "planned"


# ---------------------------------------------------------------------------------------------
# Letterboxd and CSV exports


def test_letterboxd_export_splits_files_of_at_most_1000_rows(run, tmp_path):
    lines = [DIARY_HEADER]
    for i in range(2345):
        lines.append(
            f"2024-01-02,Film {i},{1950 + i % 70},https://boxd.it/x{i},{(i % 10 + 1) / 2},"
            f"{'Yes' if i % 7 == 0 else ''},tag{i % 3},2024-01-01\n"
        )
    import_ok(run, "letterboxd", str(write(tmp_path / "diary.csv", "".join(lines))))
    run("add", "Oasis")  # on the watchlist, never seen
    out = tmp_path / "to-letterboxd"
    result = run("export", "--format", "letterboxd", "--output", str(out), "--json")
    assert result.exit_code == 0, result.stderr
    summary = result.json()
    files = sorted(out.glob("*.csv"))
    assert [f.name for f in files] == [
        "letterboxd-diary-001.csv",
        "letterboxd-diary-002.csv",
        "letterboxd-diary-003.csv",
        "letterboxd-watchlist-001.csv",
    ]
    assert summary["files"] == [str(f) for f in files] and summary["rows"] == 2346
    rows = []
    for f in files[:3]:
        with f.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            assert tuple(reader.fieldnames or ()) == (
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
            )
            part = list(reader)
        assert 0 < len(part) <= 1000
        rows += part
    assert len(rows) == 2345
    film = next(r for r in rows if r["Title"] == "Film 7")
    assert film == {
        "LetterboxdURI": "",  # a diary row names its diary entry, not the film
        "tmdbID": "",
        "imdbID": "",
        "Title": "Film 7",
        "Year": "1957",
        "Directors": "",
        "Rating": "4",
        "Rating10": "8",
        "WatchedDate": "2024-01-01",
        "Rewatch": "Yes",
        "Tags": "tag1",
        "Review": "",
    }
    assert next(r for r in rows if r["Title"] == "Film 0")["Rating"] == "0.5"
    assert read_csv(files[3])[0]["Title"] == "Oasis"
    # Exporting again replaces our files rather than leaving stale parts behind.
    run("export", "--format", "letterboxd", "--output", str(out))
    assert len(list(out.glob("*.csv"))) == 4


def test_letterboxd_export_needs_a_folder(run, tmp_path):
    result = run("export", "--format", "letterboxd")
    assert result.exit_code == 2 and "--output DIR" in result.stderr
    a_file = write(tmp_path / "f.txt", "x")
    result = run("export", "--format", "letterboxd", "--output", str(a_file))
    assert result.exit_code == 2 and "needs a folder" in result.stderr


def test_unknown_export_format(run):
    result = run("export", "--format", "xml")
    assert result.exit_code == 2 and "json, letterboxd, csv" in result.stderr


def test_csv_export_one_row_per_entry(run, rich_library, tmp_path):
    text = run("export", "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5
    oasis = next(r for r in rows if r["id"] == "oasis-2002")
    assert oasis["status"] == "watching" and oasis["priority"] == "5"
    assert oasis["tags"] == "friday" and oasis["notes"] == 'recommended, by "J"'
    burning = next(r for r in rows if r["id"] == "burning-2018")
    assert burning["viewings"] == "2" and burning["last_viewed"] == "2024-03"
    assert burning["rating"] == "4"
    out = tmp_path / "sheet.csv"
    result = run("export", "--format", "csv", "--output", str(out), "--json")
    assert result.json()["rows"] == 5
    assert read_csv(out) == rows


def test_every_csv_we_write_is_safe_in_a_spreadsheet(run, tmp_path):
    from kwatch.transfer.spreadsheet import safe_cell

    for dangerous in ("=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(dangerous) == "'" + dangerous
    assert safe_cell("Oldboy") == "Oldboy" and safe_cell(None) == ""
    run(
        "add",
        '=HYPERLINK("http://evil")',
        "--custom",
        "--year",
        "2020",
        "--tag",
        "+tag",
        "--note",
        "@SUM(1)",
    )
    run("watched", "hyperlink-http-evil-2020", "--on", "2024-01-01")
    sheet = list(csv.DictReader(io.StringIO(run("export", "--format", "csv").stdout)))
    assert sheet[0]["title"] == '\'=HYPERLINK("http://evil")'
    assert sheet[0]["tags"] == "'+tag" and sheet[0]["notes"] == "'@SUM(1)"
    out = tmp_path / "lb"
    run("export", "--format", "letterboxd", "--output", str(out))
    row = read_csv(out / "letterboxd-diary-001.csv")[0]
    assert row["Title"].startswith("'=") and row["Tags"] == "'+tag"
    assert row["Review"] == ""  # a private note is not a public review


# ---------------------------------------------------------------------------------------------
# Backup


def test_backup_default_path_has_todays_date(run, db_path, started):
    result = run("backup", "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    path = Path(doc["path"])
    assert path == db_path.with_name(f"kwatch-backup-{TODAY}.db")
    assert doc["source"] == str(db_path) and doc["bytes"] == path.stat().st_size
    assert db_snapshot(path) == db_snapshot(db_path)
    second = Path(run("backup", "--json").json()["path"])  # never overwrites an earlier one
    assert second.name == f"kwatch-backup-{TODAY}-2.db"


def test_backup_to_a_path_or_folder(run, tmp_path, db_path, started):
    target = tmp_path / "copies" / "mine.db"
    missing = run("backup", str(target))  # a folder that does not exist is not made up
    assert missing.exit_code == 1 and "does not exist" in missing.stderr
    target.parent.mkdir()
    assert run("backup", str(target)).exit_code == 0
    assert db_snapshot(target) == started
    again = run("backup", str(target))
    assert again.exit_code == 1 and "--force" in again.stderr
    assert run("backup", str(target), "--force").exit_code == 0
    folder = tmp_path / "copies"
    made = Path(run("backup", str(folder), "--json").json()["path"])
    assert made.parent == folder and TODAY in made.name
    same = run("backup", str(db_path))
    assert same.exit_code != 0 and db_snapshot(db_path) == started


def test_backup_without_a_database(run):
    result = run("backup")
    assert result.exit_code == 1 and "nothing to back up" in result.stderr


def test_backup_while_another_process_writes_copies_the_committed_state(
    run, db_path, started, tmp_path
):
    writer = sqlite3.connect(db_path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO entry_tags (title_id, tag) VALUES ('oasis-2002', 'uncommitted')")
    try:
        target = tmp_path / "during-write.db"
        result = run("backup", str(target))
        assert result.exit_code == 0, result.stderr
    finally:
        writer.execute("COMMIT")
        writer.close()
    assert db_snapshot(target) == started  # what was committed, without the open transaction
    copy = sqlite3.connect(target)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copy.close()


def test_backup_waits_for_a_writer_that_locks_the_whole_file(run, db_path, started, tmp_path):
    """An EXCLUSIVE lock (a writer committing) blocks reading: the backup waits, then copies
    the state that writer committed."""
    writer = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("INSERT INTO entry_tags (title_id, tag) VALUES ('oasis-2002', 'committed')")

    def commit_later():
        time.sleep(0.4)
        writer.execute("COMMIT")

    thread = threading.Thread(target=commit_later)
    thread.start()
    try:
        target = tmp_path / "after-commit.db"
        assert run("backup", str(target)).exit_code == 0
    finally:
        thread.join()
        writer.close()
    tags = sqlite3.connect(target).execute("SELECT tag FROM entry_tags ORDER BY tag").fetchall()
    assert ("committed",) in tags


# ---------------------------------------------------------------------------------------------
# Migration m003_import_keys


def test_import_keys_migration_keeps_every_row(db_path):
    from kwatch.db import applied_migrations, open_database

    old = open_database(db_path, stop_before="m003_import_keys")
    old.execute(
        "INSERT INTO viewings (title_id, date, precision, rating, note, rewatch, created_on)"
        " VALUES ('oasis-2002', '2020-01-01', 'day', 8, 'n', 0, '2020-01-01')"
    )
    old.execute(
        "INSERT INTO entry_notes (title_id, text, created_on)"
        " VALUES ('oasis-2002', 'a note', '2020-01-01')"
    )
    old.close()
    conn = open_database(db_path)
    # Later migrations exist now; this one must have run, after those before it.
    applied = applied_migrations(conn)
    assert "m003_import_keys" in applied and applied == sorted(applied)
    viewing = conn.execute("SELECT * FROM viewings").fetchone()
    assert (viewing["date"], viewing["rating"], viewing["import_key"]) == ("2020-01-01", 8, None)
    assert conn.execute("SELECT text, import_key FROM entry_notes").fetchone()[:] == (
        "a note",
        None,
    )
    conn.execute(
        "INSERT INTO viewings (title_id, date, precision, rewatch, created_on, import_key)"
        " VALUES ('x', '2020-01-01', 'day', 0, '2020-01-01', 'k')"
    )
    with pytest.raises(sqlite3.IntegrityError):  # one row per import key
        conn.execute(
            "INSERT INTO viewings (title_id, date, precision, rewatch, created_on, import_key)"
            " VALUES ('y', '2020-01-01', 'day', 0, '2020-01-01', 'k')"
        )
    conn.close()


def test_a_long_import_shows_progress_on_a_terminal_and_nothing_in_a_pipe(tmp_path):
    """stderr on a real pseudo-terminal gets a bar; stdout (a pipe) keeps one JSON document."""
    import os
    import pty
    import subprocess
    import sys

    from kwatch.transfer import engine

    diary = tmp_path / "diary.csv"
    rows = [
        f"2024-01-01,Film {i},2001,https://boxd.it/x{i},,,,2024-01-01"
        for i in range(engine.PROGRESS_EVERY + 10)
    ]
    diary.write_text(
        "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n" + "\n".join(rows) + "\n",
        encoding="utf-8",
    )
    leader, follower = pty.openpty()
    env = {**os.environ, "KWATCH_DB": str(tmp_path / "p.db"), "COLUMNS": "100"}
    env.pop("NO_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-m", "kwatch", "import", "letterboxd", str(diary), "--json"],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        timeout=120,
        check=False,
    )
    os.close(follower)
    seen = drain_pty(leader)
    assert done.returncode == 0, seen[-2000:]
    import json

    report = json.loads(done.stdout)
    assert report["counts"]["viewings"]["added"] == engine.PROGRESS_EVERY + 10
    assert b"rows read" in seen or b"files imported" in seen
