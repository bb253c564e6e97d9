"""Release dates: `release`, `upcoming`, `calendar`, `remind`, and the pre-CLI remind check."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from conftest import db_snapshot, validate_json

EARLY_2023 = "2023-01-10"


@pytest.fixture(autouse=True)
def _article_catalogue(article_catalogue):
    """These tests are about release mechanics on the seed articles' titles and dates; the
    bundled slate of today is tested in test_refresh.py."""


@pytest.fixture
def early_2023(monkeypatch):
    monkeypatch.setenv("KWATCH_TODAY", EARLY_2023)


def at(monkeypatch, day: str) -> None:
    monkeypatch.setenv("KWATCH_TODAY", day)


def ok(result):
    assert result.exit_code == 0, result.stderr
    return result


def schema_check(command: str, document) -> None:
    from kwatch import schemas

    validate_json(document, schemas.schema_for(command))


def rows(db_path: Path, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


# --- pure rules ---------------------------------------------------------------------------


def test_spans_and_sort_rule():
    from kwatch.releases.query import display_date, release_span, sort_key

    assert release_span("2024-02", "month") == (date(2024, 2, 1), date(2024, 2, 29))
    assert release_span("2027-12", "month") == (date(2027, 12, 1), date(2027, 12, 31))
    assert release_span("2027", "year") == (date(2027, 1, 1), date(2027, 12, 31))
    assert release_span("", "unknown") is None
    ordered = sorted(
        [
            ("2027", "year"),
            ("2027-04-01", "day"),
            ("2027-03", "month"),
            ("2027-03-31", "day"),
            ("2027-03-01", "day"),
            ("2028-01-01", "day"),
            ("2026-12-31", "day"),
        ],
        key=lambda d: sort_key(*d),
    )
    assert ordered == [
        ("2026-12-31", "day"),
        ("2027-03-01", "day"),
        ("2027-03-31", "day"),
        ("2027-03", "month"),
        ("2027-04-01", "day"),
        ("2027", "year"),
        ("2028-01-01", "day"),
    ]
    assert display_date("2027-03", "month") == "March 2027"
    assert display_date("2027", "year") == "2027"


def test_alarm_values():
    from kwatch.errors import InvalidInput
    from kwatch.releases.query import parse_alarm

    assert parse_alarm("1d") == timedelta(days=1)
    assert parse_alarm("12h") == timedelta(hours=12)
    assert parse_alarm("2W") == timedelta(weeks=2)
    for bad in ("", "1", "d", "-1d", "1x", "1.5d"):
        with pytest.raises(InvalidInput):
            parse_alarm(bad)


# --- upcoming -------------------------------------------------------------------------------


def test_early_2023_releases_on_their_real_dates(run, early_2023):
    result = ok(run("upcoming", "--days", "60"))
    lines = result.stdout.splitlines()
    for title, day in (
        ("The Point Men", "2023-01-18"),
        ("Jung_E", "2023-01-20"),
        ("Unlocked", "2023-02-17"),
    ):
        assert any(title in line and day in line for line in lines), (title, result.stdout)
    doc = ok(run("upcoming", "--days", "60", "--json")).json()
    schema_check("upcoming", doc)
    found = {i["title"]: i for i in doc}
    expected = {
        "The Point Men": ("2023-01-18", "theatrical"),
        "Jung_E": ("2023-01-20", "streaming"),
        "Unlocked": ("2023-02-17", "streaming"),
    }
    for title, (day, kind) in expected.items():
        item = found[title]
        assert item["release"]["date"] == day
        assert item["release"]["precision"] == "day"
        assert item["release"]["region"] == "KR"
        assert item["release"]["type"] == kind
        assert item["status"] == "upcoming"
        assert item["in_watchlist"] is False
        assert item["days_away"] == (date.fromisoformat(day) - date(2023, 1, 10)).days
    dates = [i["release"]["date"] for i in doc]
    assert dates == sorted(dates)
    assert all("2023-01-10" <= d <= "2023-03-11" for d in dates)
    assert [i["title"] for i in doc[:3]] == ["The Point Men", "Jung_E", "Unlocked"]


def test_real_today_shows_only_what_is_still_to_come(run):
    # The pinned "real" date of the suite is 2026-11-22: every article's release is history.
    doc = ok(run("upcoming", "--json")).json()
    assert all(i["release"]["date"] >= "2026-11-22"[: len(i["release"]["date"])] for i in doc)
    assert [i for i in doc if i["release"]["origin"] == "catalogue"] == []
    human = ok(run("upcoming"))
    assert human.stdout == "" and "No releases" in human.stderr


def test_until_type_and_watchlist_filters(run, early_2023):
    titles = lambda *a: [i["title"] for i in ok(run("upcoming", *a, "--json")).json()]  # noqa: E731
    assert titles("--until", "2023-01-19") == ["The Point Men"]
    assert titles("--until", "2023-01") == ["The Point Men", "Jung_E"]  # end of that month
    assert titles("--days", "8") == ["The Point Men"]
    assert titles("--days", "60", "--type", "streaming") == ["Jung_E", "Unlocked"]
    assert titles("--days", "60", "--type", "theatrical,streaming") == [
        "The Point Men",
        "Jung_E",
        "Unlocked",
    ]
    assert titles("--days", "60", "--watchlist-only") == []
    ok(run("add", "Unlocked"))
    ok(run("status", "jung-e-2023", "completed"))
    doc = ok(run("upcoming", "--days", "60", "--watchlist-only", "--json")).json()
    assert [(i["title"], i["in_watchlist"], i["entry_status"]) for i in doc] == [
        ("Unlocked", True, "planned")
    ]
    # A completed title is in the library, not on the watchlist.
    jung = [
        i for i in ok(run("upcoming", "--days", "60", "--json")).json() if i["title"] == "Jung_E"
    ]
    assert jung[0]["in_watchlist"] is False and jung[0]["entry_status"] == "completed"


def test_watchlist_titles_just_out_are_marked_out(run, monkeypatch):
    at(monkeypatch, "2023-01-25")
    ok(run("add", "Jung_E"))
    doc = ok(run("upcoming", "--json")).json()
    out = [i for i in doc if i["status"] == "out"]
    # Jung_E is on the watchlist; The Point Men (out on the 18th) is not, so it is not shown.
    assert [(i["title"], i["days_away"]) for i in out] == [("Jung_E", -5)]
    assert ok(run("upcoming", "--recent", "3", "--json")).json() == [
        i for i in doc if i["status"] != "out"
    ]
    assert "out 5 days ago" in ok(run("upcoming")).stdout


def test_month_and_year_dates_are_shown_as_they_are_and_sort_after_exact_ones(run, monkeypatch):
    at(monkeypatch, "2027-01-05")
    ok(run("add", "Exact End", "--custom", "--year", "2027", "--release", "2027-03-31"))
    ok(run("add", "Some Month", "--custom", "--year", "2027", "--release", "2027-03"))
    ok(run("add", "April Film", "--custom", "--year", "2027", "--release", "2027-04-01"))
    ok(run("add", "Some Year", "--custom", "--year", "2027", "--release", "2027"))
    ok(run("add", "Next Year", "--custom", "--year", "2028", "--release", "2028-01-02"))
    doc = ok(run("upcoming", "--json")).json()
    shown = [(i["title"], i["release"]["date"], i["release"]["precision"], i["when"]) for i in doc]
    assert shown == [
        ("Exact End", "2027-03-31", "day", "2027-03-31"),
        ("Some Month", "2027-03", "month", "March 2027"),
        ("April Film", "2027-04-01", "day", "2027-04-01"),
        ("Some Year", "2027", "year", "2027"),
        ("Next Year", "2028-01-02", "day", "2028-01-02"),
    ]
    assert doc[1]["days_away"] is None
    human = ok(run("upcoming")).stdout
    assert "March 2027" in human
    assert "2027-03-01" not in human  # no made-up day
    # A month date is upcoming until its month is over, even when its first day has passed.
    at(monkeypatch, "2027-03-20")
    month = [i for i in ok(run("upcoming", "--json")).json() if i["title"] == "Some Month"]
    assert month[0]["status"] == "upcoming"


# --- user releases ----------------------------------------------------------------------------


def test_release_correction_takes_precedence_and_leaves_the_catalogue_row(run, db_path, early_2023):
    doc = ok(run("release", "Unlocked", "2023-03-03", "--type", "streaming", "--json")).json()
    schema_check("release", doc)
    assert doc["action"] == "recorded"
    assert doc["release"]["date"] == "2023-03-03" and doc["release"]["origin"] == "user"
    assert doc["release"]["source"] == "added by you on 2023-01-10"
    assert [r["date"] for r in doc["overrides"]] == ["2023-02-17"]
    assert {(r["date"], r["origin"], r["superseded"]) for r in doc["releases"]} == {
        ("2023-02-17", "catalogue", True),
        ("2023-03-03", "user", False),
    }
    # The catalogue row is untouched; the user's row is separate user data.
    stored = rows(
        db_path,
        "SELECT date, origin FROM releases WHERE title_id = 'unlocked-2023' ORDER BY origin",
    )
    assert stored == [("2023-02-17", "catalogue"), ("2023-03-03", "user")]
    unlocked = [
        i
        for i in ok(run("upcoming", "--days", "60", "--json")).json()
        if i["id"] == "unlocked-2023"
    ]
    assert [(i["release"]["date"], i["release"]["origin"]) for i in unlocked] == [
        ("2023-03-03", "user")
    ]
    # Recording again replaces the user's earlier row instead of adding a second.
    again = ok(run("release", "unlocked-2023", "2023-03", "--type", "streaming", "--json")).json()
    assert again["replaced"]["date"] == "2023-03-03"
    assert again["release"]["precision"] == "month" and again["release"]["when"] == "March 2023"
    assert rows(
        db_path,
        "SELECT count(*) FROM releases WHERE title_id = 'unlocked-2023' AND origin = 'user'",
    ) == [(1,)]
    # A catalogue rebuild keeps user rows and still lets them win.
    from kwatch.catalogue import sync_catalogue
    from kwatch.db import open_database

    conn = open_database(db_path)
    sync_catalogue(conn, force=True)
    conn.close()
    listed = ok(run("release", "unlocked-2023", "--json")).json()
    assert listed["action"] == "listed"
    assert {(r["date"], r["superseded"]) for r in listed["releases"]} == {
        ("2023-02-17", True),
        ("2023-03", False),
    }
    # Removing it brings the catalogue's date back.
    removed = ok(run("release", "unlocked-2023", "--remove", "--json")).json()
    schema_check("release", removed)
    assert removed["removed"]["date"] == "2023-03"
    assert [r["superseded"] for r in removed["releases"]] == [False]
    again = run("release", "unlocked-2023", "--remove")
    assert again.exit_code == 1 and "no release recorded" in again.stderr


def test_release_precisions_and_unknown(run, monkeypatch):
    at(monkeypatch, "2026-11-22")
    doc = ok(run("add", "Some Film", "--custom", "--release", "2027", "--json")).json()
    listed = ok(run("release", doc["id"], "--json")).json()
    assert [(r["date"], r["precision"], r["when"], r["origin"]) for r in listed["releases"]] == [
        ("2027", "year", "2027", "user")
    ]
    month = ok(run("release", doc["id"], "2027-03", "--json")).json()["release"]
    assert (month["date"], month["precision"], month["type"]) == ("2027-03", "month", "theatrical")
    day = ok(
        run(
            "release",
            doc["id"],
            "2027-03-14",
            "--type",
            "festival",
            "--region",
            "us",
            "--note",
            "world premiere",
            "--source",
            "festival site",
            "--json",
        )
    ).json()
    assert day["release"]["region"] == "US" and day["release"]["note"] == "world premiere"
    assert day["release"]["source"] == "festival site (added by you on 2026-11-22)"
    # "unknown": the date is no longer known (postponed); it hides the catalogue's date.
    at(monkeypatch, EARLY_2023)
    gone = ok(run("release", "Jung_E", "unknown", "--type", "streaming", "--json")).json()
    assert gone["release"]["date"] is None and gone["release"]["precision"] == "unknown"
    titles = [i["title"] for i in ok(run("upcoming", "--days", "60", "--json")).json()]
    assert "Jung_E" not in titles and "Unlocked" in titles
    human = ok(run("release", "Jung_E")).stdout
    assert "date unknown" in human and "yours takes precedence" in human


def test_remove_needs_type_when_there_are_several(run, db_path, early_2023):
    ok(run("release", "Unlocked", "2023-03-03", "--type", "streaming"))
    ok(run("release", "Unlocked", "2023-04", "--type", "theatrical"))
    before = db_snapshot(db_path)
    several = run("release", "Unlocked", "--remove")
    assert several.exit_code == 1 and "--type" in several.stderr
    none = run("release", "Unlocked", "--remove", "--type", "tv")
    assert none.exit_code == 1 and "no tv release" in none.stderr
    assert db_snapshot(db_path) == before
    ok(run("release", "Unlocked", "--remove", "--type", "theatrical"))
    assert rows(
        db_path, "SELECT type FROM releases WHERE title_id = 'unlocked-2023' AND origin = 'user'"
    ) == [("streaming",)]


def test_stale_user_dates(run, monkeypatch):
    at(monkeypatch, "2026-11-22")
    film = ok(
        run("add", "Far Film", "--custom", "--year", "2026", "--release", "2026-12-01", "--json")
    ).json()["id"]
    status_of = lambda: {i["id"]: i["status"] for i in ok(run("upcoming", "--json")).json()}  # noqa: E731
    assert status_of()[film] == "upcoming"
    at(monkeypatch, "2026-12-05")
    assert status_of()[film] == "out"  # just passed: it may well be out
    at(monkeypatch, "2027-01-10")
    assert status_of()[film] == "stale"  # long passed, still planned: check it
    assert "stale" in ok(run("upcoming")).stdout
    # Entering the date again after it passed confirms it: no longer stale, and not shown.
    ok(run("release", film, "2026-12-01"))
    assert film not in status_of()
    # Another forecast goes stale in its turn; a later known release clears it.
    ok(run("release", film, "2027-02", "--type", "festival"))  # entered 2027-01-10
    at(monkeypatch, "2027-03-20")
    statuses = [i for i in ok(run("upcoming", "--json")).json() if i["id"] == film]
    assert [(i["release"]["type"], i["when"], i["status"]) for i in statuses] == [
        ("festival", "February 2027", "stale")
    ]
    ok(run("release", film, "2027-06", "--type", "tv"))
    statuses = [i for i in ok(run("upcoming", "--json")).json() if i["id"] == film]
    assert [(i["release"]["type"], i["status"]) for i in statuses] == [("tv", "upcoming")]


def test_stale_needs_a_planned_watchlist_title_and_a_user_date(run, monkeypatch):
    at(monkeypatch, "2026-11-22")
    film = ok(
        run("add", "Far Film", "--custom", "--year", "2026", "--release", "2026-12-01", "--json")
    ).json()["id"]
    ok(run("add", "Jung_E"))  # catalogue date 2023: history, never stale
    at(monkeypatch, "2027-01-10")
    ok(run("status", film, "watching"))
    assert ok(run("upcoming", "--json")).json() == []


# --- bad input ------------------------------------------------------------------------------

BAD_INPUT = [
    ["upcoming", "--days", "-3"],
    ["upcoming", "--until", "2022-12-31"],
    ["upcoming", "--until", "2023-02-30"],
    ["upcoming", "--days", "3", "--until", "2023-03-01"],
    ["upcoming", "--type", "cinema"],
    ["upcoming", "--recent", "-1"],
    ["upcoming", "--limit", "0"],
    ["upcoming", "--alarm", "1d"],
    ["upcoming", "--ics", "--alarm", "soon"],
    ["calendar", "--alarm", "1x"],
    ["calendar", "--days", "-1"],
    ["calendar", "--type", "bogus"],
    ["release", "Unlocked", "2027-02-30"],
    ["release", "Unlocked", "2027-13"],
    ["release", "Unlocked", "next spring"],
    ["release", "Unlocked", "2027-03-14", "--type", "cinema"],
    ["release", "Unlocked", "2027-03-14", "--region", "Korea"],
    ["release", "Unlocked", "2027-03-14", "--remove"],
    ["remind", "--days", "-3"],
    ["remind", "--type", "cinema"],
]


@pytest.mark.parametrize("args", BAD_INPUT, ids=" ".join)
def test_bad_input_is_one_clear_line_and_changes_nothing(run, db_path, early_2023, args):
    ok(run("add", "Unlocked"))
    ok(run("release", "Unlocked", "2023-03-03", "--type", "streaming"))
    ok(run("remind"))
    before = db_snapshot(db_path)
    result = run(*args)
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert db_snapshot(db_path) == before
    as_json = run(*args, "--json")
    assert as_json.exit_code == 2 and as_json.stdout == ""
    assert json.loads(as_json.stderr)["error"]["code"] == "invalid_input"


def test_ics_with_json_is_refused(run, early_2023):
    result = run("upcoming", "--ics", "--json")
    assert result.exit_code == 2 and "kwatch calendar --json" in result.stderr


def test_unknown_title_for_release(run, db_path, early_2023):
    run("list")
    before = db_snapshot(db_path)
    result = run("release", "No Such Film At All", "2027-03-14")
    assert result.exit_code == 1 and result.stdout == ""
    assert db_snapshot(db_path) == before


# --- calendar -------------------------------------------------------------------------------


def _calendar(run, *args: str) -> bytes:
    """The calendar exactly as written to stdout (the `run` fixture's text turns CRLF to LF)."""
    from typer.testing import CliRunner

    from kwatch.cli import app

    result = CliRunner().invoke(app, ["calendar", *args])
    assert result.exit_code == 0, result.stderr
    return result.stdout_bytes


def _events(data: bytes):
    from icalendar import Calendar

    cal = Calendar.from_ical(data)
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def test_calendar_all_day_events_parsed_back_and_raw(run, early_2023):
    data = _calendar(run, "--days", "60")
    events = _events(data)
    assert set(events) == {
        "The Point Men (in cinemas)",
        "Jung_E (streaming)",
        "Unlocked (streaming)",
        "Kill Boksoon (at a festival, DE)",
    }
    point_men = events["The Point Men (in cinemas)"]
    start, end = point_men.decoded("DTSTART"), point_men.decoded("DTEND")
    assert type(start) is date and type(end) is date  # all-day, not a datetime
    assert (start, end) == (date(2023, 1, 18), date(2023, 1, 19))
    assert str(point_men["UID"]) == "the-point-men-2023.theatrical.kr@kwatch"
    assert "VALARM" not in data.decode()
    # Raw lines: CRLF endings everywhere, value-typed dates, DTEND the next day.
    assert data.endswith(b"\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    lines = data.decode().split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and "VERSION:2.0" in lines
    assert any(line.startswith("PRODID:") for line in lines)
    assert "DTSTART;VALUE=DATE:20230118" in lines
    assert "DTEND;VALUE=DATE:20230119" in lines
    assert "DTSTART;VALUE=DATE:20230120" in lines and "DTEND;VALUE=DATE:20230121" in lines
    assert all(len(line.encode()) <= 75 for line in lines)  # folded as RFC 5545 asks
    # DTSTAMP is when the file was written (kwatch's clock: KWATCH_NOW pins it in tests), so
    # with nothing changed the next run is byte-for-byte the same.
    assert "DTSTAMP:20261122T093000Z" in lines
    assert "SEQUENCE:0" in lines
    assert _calendar(run, "--days", "60") == data


def test_calendar_dtstamp_is_the_moment_of_writing(run, early_2023, monkeypatch):
    monkeypatch.setenv("KWATCH_NOW", "2026-12-01T18:05:07+00:00")
    lines = _calendar(run, "--days", "60").decode().split("\r\n")
    assert "DTSTAMP:20261201T180507Z" in lines


def test_calendar_sequence_grows_when_a_date_changes(run, early_2023):
    def sequences() -> dict[str, int]:
        return {
            str(e["UID"]): int(e["SEQUENCE"])
            for e in _events(_calendar(run, "--days", "60")).values()
        }

    first = sequences()
    assert set(first.values()) == {0}
    assert sequences() == first  # unchanged dates keep their sequence
    ok(run("release", "Unlocked", "2023-03-03", "--type", "streaming"))
    second = sequences()
    assert second["unlocked-2023.streaming.kr@kwatch"] == 1
    assert {k: v for k, v in second.items() if "unlocked" not in k} == {
        k: v for k, v in first.items() if "unlocked" not in k
    }
    ok(run("release", "Unlocked", "2023-03-04", "--type", "streaming"))
    assert sequences()["unlocked-2023.streaming.kr@kwatch"] == 2


def test_calendar_uid_is_stable_across_runs_and_date_corrections(run, early_2023):
    before = {str(e["UID"]): e for e in _events(_calendar(run, "--days", "60")).values()}
    ok(run("release", "Unlocked", "2023-03-03", "--type", "streaming"))
    after = {str(e["UID"]): e for e in _events(_calendar(run, "--days", "60")).values()}
    assert set(before) == set(after)  # the same events, updated rather than duplicated
    uid = "unlocked-2023.streaming.kr@kwatch"
    assert before[uid].decoded("DTSTART") == date(2023, 2, 17)
    assert after[uid].decoded("DTSTART") == date(2023, 3, 3)


def test_calendar_alarm(run, early_2023):
    data = _calendar(run, "--days", "60", "--alarm", "1d")
    from icalendar import Calendar

    alarms = list(Calendar.from_ical(data).walk("VALARM"))
    assert len(alarms) == 4
    assert all(a.decoded("TRIGGER") == -timedelta(days=1) for a in alarms)
    assert all(str(a["ACTION"]) == "DISPLAY" and str(a["DESCRIPTION"]) for a in alarms)
    lines = data.decode().split("\r\n")
    assert lines.count("TRIGGER:-P1D") == 4 and lines.count("BEGIN:VALARM") == 4


def test_calendar_leaves_out_month_and_year_dates_and_says_so(run, early_2023):
    ok(run("add", "Vague Film", "--custom", "--year", "2023", "--release", "2023-02"))
    result = ok(run("calendar", "--days", "60"))
    assert "Vague Film" not in result.stdout
    assert "Vague Film (February 2023)" in result.stderr
    doc = ok(run("calendar", "--days", "60", "--json")).json()
    schema_check("calendar", doc)
    assert [i["title"] for i in doc["skipped"]] == ["Vague Film"]
    assert len(doc["events"]) == 4 and doc["output"] is None
    assert doc["ics"].startswith("BEGIN:VCALENDAR\r\n")


def test_calendar_to_a_file_and_upcoming_ics(run, tmp_path, early_2023):
    target = tmp_path / "cal" / "kwatch.ics"
    target.parent.mkdir()
    result = ok(run("calendar", "--days", "60", "-o", str(target)))
    assert result.stdout == "" and "Wrote 4 events" in result.stderr
    first = target.read_bytes()
    assert first.startswith(b"BEGIN:VCALENDAR\r\n")
    ok(run("upcoming", "--days", "60", "--ics", "--output", str(target)))
    assert target.read_bytes() == first
    assert [p.name for p in target.parent.iterdir()] == ["kwatch.ics"]  # no partial file left
    folder = run("calendar", "-o", str(tmp_path))
    assert folder.exit_code == 1 and "is a folder" in folder.stderr


def test_calendar_of_the_watchlist_includes_titles_just_out(run, monkeypatch):
    at(monkeypatch, "2023-01-25")
    ok(run("add", "Jung_E"))
    events = _events(_calendar(run, "--watchlist-only"))
    assert list(events) == ["Jung_E (streaming)"]


# --- remind ---------------------------------------------------------------------------------


@pytest.fixture
def watchlist(run, early_2023):
    ok(run("add", "Unlocked"))
    ok(run("add", "The Point Men"))
    ok(run("add", "Jung_E"))
    ok(run("add", "Kill Boksoon"))
    ok(run("status", "Kill Boksoon", "dropped"))
    ok(run("release", "Unlocked", "2023-01-12", "--type", "streaming"))


def test_remind_once_a_day(run, monkeypatch, watchlist, db_path):
    first = ok(run("remind"))
    assert first.stdout.splitlines() == ["kwatch: Unlocked — streaming in 2 days (Thu 2023-01-12)"]
    assert first.stderr == ""
    second = ok(run("remind"))  # another terminal, the same day
    assert second.stdout == "" and second.stderr == ""
    assert rows(db_path, "SELECT value FROM meta WHERE key = 'remind_last_day'") == [
        ("2023-01-10",)
    ]
    at(monkeypatch, "2023-01-13")
    lines = ok(run("remind")).stdout.splitlines()
    assert lines == [
        "kwatch: Unlocked — came out Thu 2023-01-12 (streaming)",
        "kwatch: The Point Men — in cinemas in 5 days (Wed 2023-01-18)",
        "kwatch: Jung_E — streaming in 7 days (Fri 2023-01-20)",  # the window includes day 7
    ]
    assert ok(run("remind")).stdout == ""
    at(monkeypatch, "2023-01-20")
    lines = ok(run("remind")).stdout.splitlines()
    assert lines == [
        "kwatch: The Point Men — came out Wed 2023-01-18 (in cinemas)",
        "kwatch: Jung_E — streaming today (Fri 2023-01-20)",
    ]
    # Kill Boksoon (dropped) is never mentioned; nothing is left to say a month later.
    at(monkeypatch, "2023-02-25")
    assert ok(run("remind")).stdout == ""


def test_remind_json_again_and_days(run, monkeypatch, watchlist):
    doc = ok(run("remind", "--days", "10", "--json")).json()
    schema_check("remind", doc)
    assert doc["today"] == "2023-01-10" and doc["since"] is None
    assert doc["already_reminded"] is False and doc["notified"] is False
    assert [(i["title"], i["status"], i["days_away"]) for i in doc["items"]] == [
        ("Unlocked", "upcoming", 2),
        ("The Point Men", "upcoming", 8),
        ("Jung_E", "upcoming", 10),
    ]
    assert len(doc["lines"]) == 3
    second = ok(run("remind", "--json")).json()
    assert second["already_reminded"] is True and second["items"] == []
    again = ok(run("remind", "--again", "--days", "10"))
    assert len(again.stdout.splitlines()) == 3
    at(monkeypatch, "2023-01-11")
    doc = ok(run("remind", "--type", "theatrical", "--json")).json()
    assert doc["since"] == "2023-01-10"
    assert [i["title"] for i in doc["items"]] == ["The Point Men"]


def test_remind_says_nothing_without_news_or_database(run, db_path):
    result = ok(run("remind"))
    assert result.stdout == "" and result.stderr == ""
    assert not db_path.exists()  # a shell start-up never creates the database
    doc = ok(run("remind", "--json")).json()
    schema_check("remind", doc)
    assert doc["items"] == [] and doc["already_reminded"] is False
    assert not db_path.exists()
    ok(run("add", "Bleak Night"))
    assert ok(run("remind")).stdout == ""


def test_remind_month_precision_heads_up_and_never_year(run, monkeypatch):
    at(monkeypatch, "2023-01-10")
    ok(run("add", "Vague Film", "--custom", "--year", "2023", "--release", "2023-02"))
    ok(run("add", "Vaguer Film", "--custom", "--year", "2023", "--release", "2023"))
    assert ok(run("remind")).stdout == ""
    at(monkeypatch, "2023-01-28")
    assert ok(run("remind")).stdout.splitlines() == [
        "kwatch: Vague Film — in cinemas sometime in February 2023"
    ]


def _fake_notify_send(folder: Path, log: Path) -> None:
    folder.mkdir()
    script = folder / "notify-send"
    script.write_text(f'#!/bin/sh\nfor a in "$@"; do printf "%s\\n" "$a"; done >> "{log}"\n')
    script.chmod(0o755)


@pytest.mark.skipif(sys.platform == "win32", reason="a shell-script stand-in for notify-send")
def test_remind_notify_uses_notify_send_when_present(run, monkeypatch, tmp_path, watchlist):
    log = tmp_path / "notified.txt"
    _fake_notify_send(tmp_path / "bin", log)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    doc = ok(run("remind", "--notify", "--json")).json()
    assert doc["notified"] is True
    sent = log.read_text().splitlines()
    assert sent[0] == "kwatch: releases"
    assert "Unlocked — streaming in 2 days (Thu 2023-01-12)" in sent[1:]
    # Nothing to say, nothing sent.
    ok(run("remind", "--notify"))
    assert len(log.read_text().splitlines()) == len(sent)


def test_remind_notify_without_notify_send(run, monkeypatch, tmp_path, watchlist):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = ok(run("remind", "--notify"))
    assert "Unlocked" in result.stdout and result.stderr == ""


# --- the pre-CLI check (kwatch.entry) -------------------------------------------------------


def test_entry_constants_follow_the_core():
    from kwatch import entry, values
    from kwatch.releases import remind

    assert entry.REMIND_META_KEY == remind.REMIND_META_KEY
    assert entry.RELEASE_TYPES == values.RELEASE_TYPES


def test_entry_answers_only_a_silent_remind(run, db_path, watchlist):
    from kwatch.entry import quiet_remind

    assert quiet_remind(["remind"]) is False  # today's reminder is still to give
    ok(run("remind"))
    assert quiet_remind(["remind"]) is True
    assert quiet_remind(["--db", str(db_path), "remind", "--days", "3", "--notify"]) is True
    assert quiet_remind([f"--db={db_path}", "remind", "--days=3", "--type", "tv,festival"]) is True
    for other in (
        ["remind", "--json"],
        ["remind", "--again"],
        ["remind", "-h"],
        ["remind", "--days", "-3"],
        ["remind", "--days"],
        ["remind", "--type", "x"],
        ["list"],
        [],
        ["--version"],
        ["remind", "extra"],
    ):
        assert quiet_remind(other) is False, other
    assert quiet_remind(["--db", str(db_path.parent / "none.db"), "remind"]) is True


def test_entry_falls_back_on_a_bad_clock(monkeypatch, run, watchlist):
    from kwatch.entry import quiet_remind

    ok(run("remind"))
    monkeypatch.setenv("KWATCH_TODAY", "not a date")
    assert quiet_remind(["remind"]) is False


def test_entry_silent_path_loads_no_cli(run, db_path, watchlist, tmp_path):
    ok(run("remind"))
    code = (
        "import sys; from kwatch.entry import main; sys.argv = ['kwatch', 'remind']; main(); "
        "sys.stderr.write(' '.join(sorted(sys.modules)))"
    )
    env = {**os.environ, "KWATCH_DB": str(db_path)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout == ""
    loaded = set(done.stderr.split())
    heavy = {"typer", "click", "rich", "sqlite_utils", "icalendar", "kwatch.cli", "kwatch.models"}
    assert not loaded & heavy, loaded & heavy
    # Nor the modules that cost it most before: pathlib and urllib (for a file: URI), the
    # clock module and its date parser (for a pinned day already in YYYY-MM-DD form).
    lighter = {"pathlib", "urllib.parse", "platformdirs", "kwatch.clock", "kwatch.values"}
    assert not loaded & lighter, loaded & lighter


def test_entry_reads_the_default_database_in_a_folder_named_with_uri_characters(
    run, monkeypatch, tmp_path
):
    # No --db, no KWATCH_DB: the per-user data folder, found without platformdirs, and a
    # folder name with the characters a file: URI would otherwise cut at or decode.
    from kwatch.entry import quiet_remind

    data = tmp_path / "da#ta?x%41"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    ok(run("add", "Bleak Night"))
    assert (data / "kwatch" / "kwatch.db").is_file()
    assert quiet_remind(["remind"]) is False  # the reminder is still to give: it is read
    ok(run("remind"))
    assert quiet_remind(["remind"]) is True
    code = (
        "import sys; from kwatch.entry import main; sys.argv = ['kwatch', 'remind']; main(); "
        "sys.stderr.write(' '.join(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=dict(os.environ), capture_output=True, text=True
    )
    assert (done.returncode, done.stdout) == (0, "")
    assert not {"platformdirs", "pathlib"} & set(done.stderr.split())


@pytest.mark.parametrize("pinned", ["2026-11-22 ", "２０２６-１１-２２", "2026-11-2"])
def test_entry_leaves_a_pinned_day_in_another_form_to_the_cli(run, monkeypatch, watchlist, pinned):
    from kwatch.entry import quiet_remind

    ok(run("remind"))  # today's (2026-11-22) reminder is given
    monkeypatch.setenv("KWATCH_TODAY", pinned)
    assert quiet_remind(["remind"]) is False


# --- bad dates never get stored (issue: a stored bad date crashed upcoming, calendar, remind) --


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("２０２７-０３-１４", "non-ASCII digits"),
        ("２０２７", "non-ASCII digits"),
        ("0000", "out of range"),
        ("0000-01-01", "out of range"),
        ("9999-12-31", "out of range"),
        ("summer 9999", "out of range"),
        ("2027-13", "no month 13"),
        ("spring", "not a date"),
    ],
)
def test_bad_release_dates_are_refused_and_nothing_breaks(run, db_path, value, message):
    ok(run("add", "Bleak Night"))
    before = db_snapshot(db_path)
    result = run("release", "Bleak Night", value, "--type", "streaming")
    assert result.exit_code == 2 and message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert db_snapshot(db_path) == before
    for command in (["upcoming"], ["calendar"], ["remind", "--again"]):
        assert run(*command).exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["upcoming", "--days", str(10**12)],
        ["upcoming", "--recent", str(10**12)],
        ["calendar", "--days", str(10**12)],
        ["remind", "--days", str(10**12)],
    ],
)
def test_huge_windows_are_refused(run, args):
    result = run(*args)
    assert result.exit_code == 2 and "too large" in result.stderr


@pytest.mark.parametrize("pinned", ["9999-12-31", "0001-01-01", "２０２６-１１-２２", "2026-11"])
def test_kwatch_today_at_the_ends_of_the_calendar(run, monkeypatch, pinned):
    monkeypatch.setenv("KWATCH_TODAY", pinned)
    for command in (["upcoming"], ["calendar"], ["remind"]):
        result = run(*command)
        assert result.exit_code == 2 and "KWATCH_TODAY" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_bad_date_stored_by_an_older_kwatch_is_skipped_not_fatal(run, db_path):
    ok(run("add", "Bleak Night"))
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO releases (title_id, date, precision, region, type, origin)"
        " VALUES ('bleak-night-2011', '２０２７-０３-１４', 'day', 'KR', 'tv', 'user')"
    )
    conn.commit()
    conn.close()
    for command in (["upcoming"], ["calendar"], ["remind"], ["show", "bleak-night-2011"]):
        assert run(*command).exit_code == 0, command


def test_seasons_and_halves_are_stored_as_announced(run):
    ok(run("add", "Bleak Night"))
    ok(run("release", "Bleak Night", "summer 2027", "--type", "streaming"))
    ok(run("release", "Bleak Night", "2027년 상반기", "--type", "tv"))
    items = {i["release"]["type"]: i for i in ok(run("upcoming", "--json")).json()}
    assert items["streaming"]["release"]["date"] == "2027-summer"
    assert items["streaming"]["release"]["precision"] == "season"
    assert items["streaming"]["when"] == "summer 2027"
    assert items["tv"]["when"] == "first half of 2027" and items["tv"]["days_away"] is None
    # Soonest first: the first half ends in June, the summer in August.
    order = [i["release"]["type"] for i in ok(run("upcoming", "--json")).json()]
    assert order.index("tv") < order.index("streaming")
    summary = ok(run("calendar", "--json")).json()
    reasons = {i["when"]: i["reason"] for i in summary["skipped"]}
    assert "season" in reasons["summer 2027"] and "half-year" in reasons["first half of 2027"]


def test_uid_of_a_second_release_of_the_same_kind_survives_a_date_correction(conn):
    from kwatch.models import Release
    from kwatch.releases.query import ReleaseRow, calendar_uids

    def rows(second_date: str) -> list[ReleaseRow]:
        first = Release("2027-05-01", "day", "KR", "festival", "Jeonju")
        second = Release(second_date, "day", "KR", "festival", "Busan")
        return [ReleaseRow(10, "x-2027", first), ReleaseRow(11, "x-2027", second)]

    before, after = calendar_uids(rows("2027-10-02")), calendar_uids(rows("2027-10-09"))
    assert before == after == {10: "x-2027.festival.kr@kwatch", 11: "x-2027.festival.kr.2@kwatch"}


def test_remind_does_not_mark_the_day_when_it_fails(run, db_path, monkeypatch):
    ok(run("add", "Bleak Night"))
    ok(run("release", "Bleak Night", "2026-11-25", "--type", "streaming"))
    from kwatch.releases import remind as remind_module

    working = remind_module._reminder_items

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(remind_module, "_reminder_items", broken)
    with pytest.raises(RuntimeError):
        run("remind")
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT value FROM meta WHERE key = 'remind_last_day'").fetchone() is None
    conn.close()
    monkeypatch.setattr(remind_module, "_reminder_items", working)
    assert "Bleak Night" in ok(run("remind")).stdout


def test_calendar_read_by_a_second_independent_parser(run, early_2023):
    """vobject, which shares no code with the icalendar library that writes the file."""
    import vobject

    ok(run("release", "Unlocked", "2023-03-03", "--type", "streaming"))
    cal = vobject.readOne(_calendar(run, "--days", "60").decode("utf-8"))
    events = {e.uid.value: e for e in cal.vevent_list}
    unlocked = events["unlocked-2023.streaming.kr@kwatch"]
    assert unlocked.dtstart.value == date(2023, 3, 3)
    assert unlocked.dtend.value == date(2023, 3, 4)
    assert unlocked.summary.value == "Unlocked (streaming)"
    assert int(unlocked.sequence.value) == 0
    assert unlocked.dtstamp.value.isoformat() == "2026-11-22T09:30:00+00:00"
    assert len(events) == len(cal.vevent_list)  # one event per UID


@pytest.mark.parametrize(
    ("made", "opened_as"),
    [
        ("plain.db", "plain.db"),  # relative to the working folder
        ("a#b/k.db", "a#b/k.db"),
        ("x?y/k.db", "x?y/k.db"),
        ("p%41/k.db", "p%41/k.db"),
        ("twice/k.db", "//{root}/twice/k.db"),  # POSIX lets an absolute name start with //
    ],
)
def test_the_read_only_uri_names_the_very_file(tmp_path, monkeypatch, made, opened_as):
    # SQLite reads the URI back to the file's name: the fast paths open what they were given.
    from kwatch.entry import connect_read_only

    monkeypatch.chdir(tmp_path)
    (tmp_path / made).parent.mkdir(parents=True, exist_ok=True)
    sqlite3.connect(tmp_path / made).execute("CREATE TABLE marker (x)").connection.close()
    conn = connect_read_only(opened_as.format(root=str(tmp_path).lstrip("/")))
    try:
        assert conn.execute("SELECT name FROM sqlite_master").fetchall() == [("marker",)]
        with pytest.raises(sqlite3.OperationalError):
            conn.execute("INSERT INTO marker VALUES (1)")  # read-only
    finally:
        conn.close()
