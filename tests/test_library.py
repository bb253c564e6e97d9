"""The core commands through the CLI: behaviour, JSON shapes, and bad input."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import pytest

from conftest import db_snapshot

TITLE_KEYS = {
    "id",
    "title",
    "original_title",
    "year",
    "kind",
    "directors",
    "runtime_min",
    "themes",
    "releases",
    "synopsis",
    "sources",
    "alt_titles",
    "romanized_title",
    "content_notes",
    "origin",
    "missing",
}
ENTRY_KEYS = {
    "id",
    "title",
    "year",
    "status",
    "priority",
    "tags",
    "rating",
    "notes",
    "viewings",
    "rated_on",
    "status_history",
    "added_on",
    "last_viewed",
}


def test_add_by_every_spelling_finds_the_same_title(run):
    for spelling in ("han gongju", "Han Gong-ju", "한공주", "HAN-GONG-JU", "han-gong-ju-2014"):
        result = run("add", spelling, "--json")
        assert result.exit_code == 0, result.stderr
        assert result.json()["id"] == "han-gong-ju-2014"
    listed = run("list", "--json").json()
    assert [e["id"] for e in listed] == ["han-gong-ju-2014"]


def test_add_json_shape_and_options(run):
    result = run(
        "add",
        "Bleak Night",
        "--priority",
        "5",
        "--tag",
        "friday",
        "--tag",
        "sad",
        "--note",
        "[rec] 2007",
        "--json",
    )
    doc = result.json()
    assert set(doc) >= ENTRY_KEYS
    assert doc["created"] is True
    assert doc["priority"] == 5
    assert doc["tags"] == ["friday", "sad"]
    assert doc["notes"][0]["text"] == "[rec] 2007"
    assert doc["status"] == "planned"
    assert doc["rating"] is None
    assert result.stderr == ""


def test_ambiguous_title_lists_ids_and_adds_nothing(run, db_path):
    run("path")  # creates nothing
    run("list")
    before = db_snapshot(db_path)
    result = run("add", "Ditto")
    assert result.exit_code == 1
    assert "ditto-2000" in result.stderr and "ditto-2022" in result.stderr
    assert result.stdout == ""
    assert db_snapshot(db_path) == before
    assert run("add", "Ditto 2022", "--json").json()["id"] == "ditto-2022"


def test_custom_title(run):
    doc = run(
        "add",
        "My Friend's Short",
        "--custom",
        "--year",
        "2024",
        "--director",
        "Kim Ji-woo",
        "--json",
    ).json()
    assert doc["id"] == "my-friends-short-2024"
    shown = run("show", "my friends short", "--json").json()
    assert shown["origin"] == "custom"
    assert shown["directors"] == ["Kim Ji-woo"]
    again = run("add", "My Friend's Short", "--custom", "--year", "2024")
    assert again.exit_code == 1 and "already" in again.stderr


def test_remove(run):
    run("add", "Pluto")
    result = run("remove", "pluto-2013", "--yes", "--json")
    assert result.exit_code == 0 and result.json()["id"] == "pluto-2013"
    assert run("list", "--json").json() == []
    missing = run("remove", "pluto-2013")
    assert missing.exit_code == 1
    assert "not in your library" in missing.stderr


def test_rewatch_is_a_further_viewing(run):
    run("watched", "Microhabitat", "--on", "2019", "--rating", "4")
    doc = run("watched", "Microhabitat", "--on", "2024-03-02", "--note", "better", "--json").json()
    assert [(v["date"], v["precision"], v["rewatch"]) for v in doc["viewings"]] == [
        ("2019", "year", False),
        ("2024-03-02", "day", True),
    ]
    assert doc["rating"] == 4.0
    assert doc["status"] == "completed"
    assert doc["last_viewed"] == "2024-03-02"


@pytest.mark.parametrize(
    ("typed", "stored", "precision"),
    [
        ("today", "2026-11-22", "day"),
        ("yesterday", "2026-11-21", "day"),
        ("2021-05", "2021-05", "month"),
        ("2020", "2020", "year"),
        ("2020-02-29", "2020-02-29", "day"),
    ],
)
def test_viewing_dates_keep_their_precision(run, typed, stored, precision):
    doc = run("watched", "Jane", "--on", typed, "--json").json()
    assert (doc["viewings"][0]["date"], doc["viewings"][0]["precision"]) == (stored, precision)


@pytest.mark.parametrize("stars", ["0.5", "1", "2.5", "3.5", "4.5", "5"])
def test_half_star_round_trip(run, db_path, stars):
    doc = run("rate", "Oasis", stars, "--json").json()
    assert doc["rating"] == float(stars)
    stored = sqlite3.connect(db_path).execute("SELECT rating FROM entries").fetchone()[0]
    assert stored == int(float(stars) * 2)
    assert run("show", "Oasis", "--json").json()["entry"]["rating"] == float(stars)


def test_ten_point_scale_is_the_same_half_stars(run):
    assert run("rate", "Oasis", "7", "--scale", "10", "--json").json()["rating"] == 3.5
    assert run("rate", "Oasis", "10", "--scale", "10", "--json").json()["rating"] == 5.0


def test_status_history_is_kept(run):
    run("add", "My Mister")
    run("status", "My Mister", "watching")
    doc = run("status", "My Mister", "on-hold", "--json").json()
    assert [s["status"] for s in doc["status_history"]] == ["planned", "watching", "on-hold"]
    assert doc["status"] == "on-hold"
    same = run("status", "My Mister", "on-hold")
    assert same.exit_code == 0 and "unchanged" in same.stderr
    bad = run("status", "My Mister", "finished")
    assert bad.exit_code == 2 and "planned, watching" in bad.stderr


def test_status_dates_come_from_the_clock(run, monkeypatch):
    run("add", "Cart")
    monkeypatch.setenv("KWATCH_TODAY", "2027-01-05")
    doc = run("status", "Cart", "dropped", "--json").json()
    assert doc["status_history"][-1] == {"status": "dropped", "changed_on": "2027-01-05"}


def test_show_json_has_title_facts_and_entry(run):
    doc = run("show", "bleak-night-2011", "--json").json()
    assert TITLE_KEYS | {"entry"} <= set(doc)
    assert doc["entry"] is None
    assert doc["original_title"] == "파수꾼"
    assert {r["type"] for r in doc["releases"]} >= {"festival", "theatrical"}
    run("watched", "bleak-night-2011", "--rating", "4.5")
    doc = run("show", "bleak-night-2011", "--json").json()
    assert set(doc["entry"]) >= ENTRY_KEYS


def test_show_for_people_prints_user_text_as_written(run):
    run("add", "Oasis", "--note", "[rec] 2007 [bold]x[/bold]")
    result = run("show", "Oasis")
    assert result.exit_code == 0
    assert "[rec] 2007 [bold]x[/bold]" in result.stdout
    assert "Lee Chang-dong" in result.stdout


def test_list_filters_sort_and_limit(run):
    run("add", "Oasis", "--priority", "1", "--tag", "classic")
    run("add", "Pluto", "--priority", "5")
    run("add", "My Mister")
    run("watched", "Pluto", "--on", "2020")
    run("rate", "Oasis", "5")
    assert [e["id"] for e in run("list", "--sort", "priority", "--json").json()] == [
        "pluto-2013",
        "my-mister-2018",
        "oasis-2002",
    ]
    assert [e["id"] for e in run("list", "--tag", "classic", "--json").json()] == ["oasis-2002"]
    assert [e["id"] for e in run("list", "--kind", "tv-series", "--json").json()] == [
        "my-mister-2018"
    ]
    unwatched = run("list", "--unwatched", "--json").json()
    assert [e["id"] for e in unwatched] == ["my-mister-2018"]
    assert len(run("list", "--limit", "1", "--json").json()) == 1
    assert [e["id"] for e in run("list", "--theme", "romance", "--json").json()] == ["oasis-2002"]
    planned = run("list", "--status", "planned", "--json").json()
    assert [e["id"] for e in planned] == ["my-mister-2018"]
    human = run("list", "--sort", "title")
    assert human.exit_code == 0 and "My Mister" in human.stdout


def test_every_title_in_the_library_has_exactly_one_entry(run):
    run("add", "Oasis")
    run("watched", "Oasis")
    run("rate", "Oasis", "4")
    run("watched", "Poetry")
    run("rate", "Burning", "3")
    ids = [e["id"] for e in run("list", "--json").json()]
    assert sorted(ids) == ["burning-2018", "oasis-2002", "poetry-2010"]


def test_path(run, db_path):
    assert run("path").stdout.strip() == str(db_path)
    doc = run("path", "--json").json()
    assert doc["database"] == str(db_path)
    assert set(doc) == {
        "schema_version",
        "database",
        "database_exists",
        "catalogue_dir",
        "bundled_catalogue",
        "opendata_layer",
    }
    assert doc["opendata_layer"] is None  # nothing fetched from Wikidata
    other = run("--db", str(db_path.parent / "other.db"), "path").stdout.strip()
    assert other.endswith("other.db")


def test_default_database_lives_in_the_user_data_dir(run, monkeypatch, tmp_path):
    monkeypatch.delenv("KWATCH_DB", raising=False)
    shown = Path(run("path").stdout.strip())
    assert shown.name == "kwatch.db"
    assert str(shown).startswith(str(tmp_path / "home"))


# --- bad input: one clear line, non-zero exit, database untouched ---------------------------

BAD_INPUTS = [
    (("rate", "Oasis", "7"), 2, "out of range"),
    (("rate", "Oasis", "0.3"), 2, "out of range"),
    (("rate", "Oasis", "abc"), 2, "not a number"),
    (("rate", "Oasis", "inf"), 2, "out of range"),
    (("rate", "Oasis", "nan", "--scale", "10"), 2, "out of range"),
    (("rate", "Oasis", "11", "--scale", "10"), 2, "out of range"),
    (("watched", "Oasis", "--on", "2023-13-45"), 2, "not a real calendar date"),
    (("watched", "Oasis", "--on", "someday"), 2, "not a date"),
    (("watched", "Oasis", "--on", "2030-01-01"), 2, "in the future"),
    (("add", ""), 2, "empty"),
    (("add", "   "), 2, "empty"),
    (("add", "no-such-film-1999"), 1, "not in the catalogue"),
    (("show", "no-such-film-1999"), 1, "not in the catalogue"),
    (("remove", "Oasis"), 1, "not in your library"),
    (("add", "Oasis", "--priority", "9"), 2, "priority"),
    (("list", "--sort", "colour"), 2, "--sort"),
    (("list", "--limit", "0"), 2, "--limit must be 1 or more"),
    (("search", "oasis", "--limit", "0"), 2, "--limit must be 1 or more"),
    (("catalogue", "list", "--limit", "0"), 2, "--limit must be 1 or more"),
    (("upcoming", "--limit", "0"), 2, "--limit must be 1 or more"),
    (("status", "Oasis", "someday"), 2, "status"),
]


@pytest.mark.parametrize(("args", "code", "words"), BAD_INPUTS)
def test_bad_input_is_one_line_and_changes_nothing(run, db_path, args, code, words):
    run("add", "Pluto", "--tag", "x")  # some existing user data
    before = db_snapshot(db_path)
    result = run(*args)
    assert result.exit_code == code
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert words in lines[0]
    assert "Traceback" not in result.stderr
    assert db_snapshot(db_path) == before


@pytest.mark.parametrize(("args", "code", "words"), BAD_INPUTS[:3])
def test_bad_input_with_json_gives_an_error_document(run, args, code, words):
    import json

    result = run(*args, "--json")
    assert result.exit_code == code
    assert result.stdout == ""
    doc = json.loads(result.stderr)
    assert set(doc["error"]) == {"code", "message"}
    assert words in doc["error"]["message"]


def test_a_file_that_is_not_sqlite(run, tmp_path):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("just some text, not a database\n" * 100)
    before = bogus.read_bytes()
    result = run("--db", str(bogus), "add", "Oasis")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ") and "not a kwatch database" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert bogus.read_bytes() == before


def test_a_folder_given_as_the_database(run, tmp_path):
    result = run("--db", str(tmp_path), "list")
    assert result.exit_code == 1 and "is a folder" in result.stderr


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc as a read-only folder")
def test_database_in_a_folder_that_cannot_be_written(run):
    # /proc refuses new files even to root, so this holds in CI containers that run as root.
    result = run("--db", "/proc/kwatch-test.db", "add", "Oasis")
    assert result.exit_code == 1
    assert "Error: " in result.stderr and "read-only" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(
    sys.platform == "win32" or os.geteuid() == 0, reason="root ignores folder permissions"
)
def test_existing_database_in_a_read_only_folder(run, tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "kwatch.db"
    assert run("--db", str(db), "add", "Oasis").exit_code == 0
    before = db_snapshot(db)
    folder.chmod(0o555)
    db.chmod(0o444)
    try:
        result = run("--db", str(db), "add", "Pluto")
        assert result.exit_code == 1 and "read-only" in result.stderr
        assert db_snapshot(db) == before
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)


def test_show_prefers_your_release_over_the_catalogues(run):
    run("release", "Parasite", "2019-06-01", "--type", "theatrical")
    shown = run("show", "Parasite")
    assert "2019-06-01" in shown.stdout and "2019-05-30" not in shown.stdout
    doc = run("show", "Parasite", "--json").json()  # JSON keeps both, each with its origin
    dates = {(r["date"], r["origin"]) for r in doc["releases"] if r["type"] == "theatrical"}
    assert dates == {("2019-05-30", "catalogue"), ("2019-06-01", "user")}


def _can_mount_read_only() -> bool:
    import shutil
    import subprocess

    if os.geteuid() != 0 or not shutil.which("unshare"):
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", "mount --bind /tmp /tmp && mount -o remount,bind,ro /tmp"],
        capture_output=True,
    )
    return probe.returncode == 0


@pytest.mark.skipif(not _can_mount_read_only(), reason="needs root and unshare to mount read-only")
def test_existing_database_on_a_read_only_mount(run, tmp_path):
    """As root, folder permissions do not bind; a read-only bind mount in a private mount
    namespace does (it vanishes with the process)."""
    import shlex
    import subprocess

    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "kwatch.db"
    assert run("--db", str(db), "add", "Oasis").exit_code == 0
    before = db_snapshot(db)
    command = " ".join(
        shlex.quote(part)
        for part in [sys.executable, "-m", "kwatch", "--db", str(db), "add", "Pluto"]
    )
    script = (
        f"mount --bind {shlex.quote(str(folder))} {shlex.quote(str(folder))} && "
        f"mount -o remount,bind,ro {shlex.quote(str(folder))} && {command}"
    )
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith("Error: ") and "read-only" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert db_snapshot(db) == before
