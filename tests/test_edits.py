"""Correcting records (issue 12): every correction has --json with a schema, one-line errors
that leave the database untouched, and an exact undo; and the defects the issue found, each
with a test that fails on the behaviour before it."""

from __future__ import annotations

import json
import sqlite3

import pytest

from conftest import built_once, db_snapshot, validate_json
from kwatch import schemas
from test_journal import user_state


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def one_line_error(result, code: int | tuple[int, ...], words: str) -> None:
    codes = code if isinstance(code, tuple) else (code,)
    assert result.exit_code in codes, (result.exit_code, result.stderr)
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith("Error: ") and words in result.stderr, result.stderr


@pytest.fixture
def library(run, db_path):
    """Oasis with two viewings, a rating, tags, a note and a review; one's own title."""

    def build() -> None:
        ok(run("watched", "Oasis", "--on", "2024-03", "--rating", "4"))
        ok(run("watched", "Oasis", "--on", "2025-01-02", "--rating", "3", "--note", "again"))
        ok(run("add", "Oasis", "--tag", "a", "--note", "first note"))
        ok(run("add", "Our Film", "--custom", "--year", "2027", "--director", "Kim Ji-woo"))
        conn = sqlite3.connect(db_path)
        with conn:
            conn.execute(
                "INSERT INTO reviews (title_id, text, original, published_on, spoilers)"
                " VALUES ('oasis-2002', 'A review.', '<p>A review.</p>', '2025-01-03', 0)"
            )
        conn.close()

    built_once("test_edits.library", db_path, build)


V, E, H = {"viewings"}, {"entries"}, {"status_history"}
# (schema name, command line, the only tables it may change).
CHANGES = [
    ("viewing edit", ["viewing", "edit", "Oasis", "1", "--on", "2024-03-05"], V),
    ("viewing edit", ["viewing", "edit", "Oasis", "2", "--rating", "4.5", "--note", ""], V | E),
    ("viewing edit", ["viewing", "edit", "Oasis", "2", "--precision", "year"], V),
    ("viewing edit", ["viewing", "edit", "Oasis", "1", "--clear-rating"], V),
    ("viewing delete", ["viewing", "delete", "Oasis", "--on", "2025-01-02"], V),
    ("viewing delete", ["viewing", "delete", "Oasis", "1"], V),
    ("unrate", ["unrate", "Oasis"], E),
    ("tag add", ["tag", "add", "Oasis", "b", "c,d"], {"entry_tags"}),
    ("tag remove", ["tag", "remove", "Oasis", "a"], {"entry_tags"}),
    ("note add", ["note", "add", "Oasis", "more"], {"entry_notes"}),
    ("note edit", ["note", "edit", "Oasis", "1", "changed"], {"entry_notes"}),
    ("note delete", ["note", "delete", "Oasis", "1"], {"entry_notes"}),
    ("review edit", ["review", "edit", "Oasis", "1", "New text.", "--spoilers"], {"reviews"}),
    ("review delete", ["review", "delete", "Oasis", "1"], {"reviews"}),
    (
        "edit",
        [
            *("edit", "Our Film", "--title", "Their Film", "--year", "2026"),
            *("--director", "Park", "--korean-title", "우리 영화", "--runtime", "90"),
        ],
        {"titles"},
    ),
    ("merge", ["merge", "oasis-2002", "our-film-2027"], E | H | {"titles"}),
    (
        "remove",
        ["remove", "Oasis", "--yes"],
        V | E | H | {"entry_tags", "entry_notes", "reviews"},
    ),
    ("rate", ["rate", "Our Film", "3"], E | H),
    ("status", ["status", "Oasis", "dropped"], E | H),
]


def changed_tables(before: list, after: list) -> set[str]:
    return {table for (table, old), (_, new) in zip(before, after, strict=True) if old != new}


@pytest.mark.parametrize(
    ("name", "args", "tables"), CHANGES, ids=[" ".join(a) for _, a, _ in CHANGES]
)
def test_each_correction_follows_its_schema_and_undo_gives_back_the_before(
    run, library, db_path, name, args, tables
):
    before = user_state(db_path)
    result = ok(run(*args, "--json"))
    document = result.json()  # exactly one document
    validate_json(document, schemas.schema_for(name))
    after = user_state(db_path)
    assert after != before
    assert changed_tables(before, after) <= tables  # it changed what it says, nothing else
    ok(run("undo"))
    assert user_state(db_path) == before
    ok(run("redo"))
    assert user_state(db_path) == after


BAD = [
    (["viewing", "delete", "Oasis"], 2, "say which"),
    (["viewing", "delete", "Oasis", "5"], 1, "no viewing 5"),
    (["viewing", "delete", "Oasis", "--on", "1999-01-01"], 1, "no viewing on 1999-01-01"),
    (["viewing", "delete", "Oasis", "1", "--on", "2024-03"], 2, "not both"),
    (["viewing", "delete", "Burning"], 1, "not in your library"),
    (["viewing", "edit", "Oasis", "1"], 2, "nothing to change"),
    (["viewing", "edit", "Oasis", "--rating", "3"], 2, "say which"),
    (["viewing", "edit", "Oasis", "1", "--on", "1990-01-01"], 2, "before Oasis (2002)"),
    (["viewing", "edit", "Oasis", "1", "--on", "2199-01-01"], 2, "in the future"),
    (["viewing", "edit", "Oasis", "1", "--precision", "day"], 2, "fuller date"),
    (["viewing", "edit", "Oasis", "1", "--precision", "week"], 2, "day, month or year"),
    (["viewing", "edit", "Oasis", "1", "--rating", "7"], 2, "rating"),
    (["viewing", "edit", "Oasis", "1", "--rating", "3", "--clear-rating"], 2, "not both"),
    (["unrate", "Burning"], 1, "not in your library"),
    (["tag", "remove", "Oasis", "nope"], 1, "no tag nope"),
    (["tag", "add", "Burning", "x"], 1, "not in your library"),
    (["tag", "add", "Oasis", " , "], 2, "at least one tag"),
    (["note", "edit", "Oasis", "9", "x"], 1, "no note 9"),
    (["note", "edit", "Oasis", "1", "  "], 2, "empty"),
    (["note", "add", "Oasis", ""], 2, "empty"),
    (["note", "delete", "Oasis", "0"], 1, "no note 0"),
    (["review", "delete", "Oasis", "3"], 1, "no review 3"),
    (["review", "edit", "Oasis", "1"], 2, "nothing to change"),
    (["edit", "Oasis", "--year", "2000"], 1, "comes from the catalogue"),
    (["edit", "Our Film"], 2, "nothing to change"),
    (["edit", "Our Film", "--title", " "], 2, "--title is empty"),
    (["edit", "Our Film", "--title", "Oldboy", "--year", "2003"], 1, "--force"),
    (["edit", "Our Film", "--runtime", "0"], 2, "--runtime 0"),
    (["edit", "Our Film", "--year", "1200"], 2, "--year 1200"),
    (["merge", "our-film-2027", "oasis-2002"], 1, "comes from the catalogue"),
    (["merge", "our-film-2027", "our-film-2027"], 2, "same title"),
    (["remove", "Oasis"], 2, "--yes"),
]


@pytest.mark.parametrize(("args", "code", "words"), BAD, ids=[" ".join(a) for a, _, _ in BAD])
def test_bad_corrections_are_one_line_and_change_nothing(run, library, db_path, args, code, words):
    before = db_snapshot(db_path)
    one_line_error(run(*args), code, words)
    assert db_snapshot(db_path) == before
    as_json = run(*args, "--json")
    assert as_json.exit_code == code and as_json.stdout == ""
    validate_json(json.loads(as_json.stderr), schemas.schema_for("error"))
    assert db_snapshot(db_path) == before


def test_show_numbers_viewings_notes_and_reviews_as_commands_address_them(run, library):
    text = ok(run("show", "Oasis")).stdout
    assert "1. 2024-03" in text and "2. 2025-01-02" in text
    assert "1. 2025-01-03" in text  # the review
    assert "1. 2026-11-22  first note" in text
    entry = ok(run("show", "Oasis", "--json")).json()["entry"]
    assert [v["number"] for v in entry["viewings"]] == [1, 2]
    assert [n["number"] for n in entry["notes"]] == [1]
    assert [r["number"] for r in entry["reviews"]] == [1]
    # After a change of date the numbers follow the order `show` lists them in.
    moved = ok(run("viewing", "edit", "Oasis", "1", "--on", "2025-06-01", "--json")).json()
    assert moved["number"] == 2
    assert [v["date"] for v in moved["viewings"]] == ["2025-01-02", "2025-06-01"]
    assert [v["rewatch"] for v in moved["viewings"]] == [False, True]


def test_a_viewing_rating_edit_carries_the_titles_rating_only_when_it_was_that_one(run):
    ok(run("watched", "Oasis", "--on", "2024-03", "--rating", "4"))
    doc = ok(run("viewing", "edit", "Oasis", "1", "--rating", "3", "--json")).json()
    assert doc["rating_followed"] and doc["rating"] == 3
    ok(run("rate", "Oasis", "5"))
    doc = ok(run("viewing", "edit", "Oasis", "1", "--rating", "2", "--json")).json()
    assert not doc["rating_followed"] and doc["rating"] == 5


def test_viewing_delete_by_date_and_the_only_one_needs_no_number(run):
    ok(run("watched", "Cart", "--on", "2020-05-01"))
    edited = ok(run("viewing", "edit", "Cart", "--note", "with Jiwoo", "--json")).json()
    assert edited["viewings"][0]["note"] == "with Jiwoo" and edited["number"] == 1
    gone = ok(run("viewing", "delete", "Cart", "--json")).json()
    assert gone["viewings"] == [] and gone["before"]["date"] == "2020-05-01"
    assert gone["status"] == "completed"  # the status stays as it is


def test_tags_add_and_remove_say_what_was_already_so(run):
    ok(run("add", "Oasis", "--tag", "a"))
    added = ok(run("tag", "add", "Oasis", "a", "b", "--json")).json()
    assert ok(run("history", "--json")).json()[0]["command_line"] == "tag add Oasis a b"
    assert added["tags_added"] == ["b"] and added["tags_unchanged"] == ["a"]
    assert added["tags"] == ["a", "b"]
    removed = run("tag", "remove", "Oasis", "b", "zzz")
    assert removed.exit_code == 0 and "had no tag zzz" in removed.stderr
    assert ok(run("show", "Oasis", "--json")).json()["entry"]["tags"] == ["a"]


def test_unrate_keeps_the_viewings_ratings_and_a_second_time_is_unchanged(run):
    ok(run("watched", "Oasis", "--on", "2024-03", "--rating", "4"))
    doc = ok(run("unrate", "Oasis", "--json")).json()
    assert doc["rating"] is None and doc["previous_rating"] == 4 and doc["rating_cleared"]
    assert doc["viewings"][0]["rating"] == 4
    again = ok(run("unrate", "Oasis"))
    assert "unchanged" in again.stderr


def test_review_edit_text_becomes_its_original(run, library, db_path):
    ok(run("review", "edit", "Oasis", "1", "Better words."))
    conn = sqlite3.connect(db_path)
    row = conn.execute("SELECT text, original, spoilers FROM reviews").fetchone()
    conn.close()
    assert row == ("Better words.", "Better words.", 0)
    ok(run("review", "edit", "Oasis", "1", "--spoilers"))
    assert ok(run("show", "Oasis", "--json")).json()["entry"]["reviews"][0]["spoilers"] is True


def test_editing_an_own_title_keeps_its_id_finds_it_by_its_new_name_and_undo_too(run, library):
    doc = ok(run("edit", "Our Film", "--title", "Their Film", "--json")).json()
    assert doc["id"] == "our-film-2027" and doc["changed_fields"] == ["title"]
    assert ok(run("show", "Their Film", "--json")).json()["id"] == "our-film-2027"
    assert run("show", "Our Film").exit_code == 1
    ok(run("undo"))
    # The index it is found by follows the undo (it is not user data, so undo re-indexes).
    assert ok(run("show", "Our Film", "--json")).json()["title"] == "Our Film"
    assert run("show", "Their Film").exit_code == 1
    ok(run("redo"))
    assert ok(run("show", "Their Film", "--json")).json()["title"] == "Their Film"


def test_edit_clears_and_replaces_facts(run, library):
    doc = ok(
        run(
            *("edit", "Our Film", "--clear-year", "--korean-title", "우리"),
            *("--director", "A", "--director", "B", "--json"),
        )
    ).json()
    assert doc["year"] is None and doc["original_title"] == "우리"
    assert doc["directors"] == ["A", "B"]
    assert sorted(doc["changed_fields"]) == ["directors", "original_title", "year"]
    assert ok(run("show", "우리", "--json")).json()["id"] == "our-film-2027"
    renamed = run("edit", "Our Film", "--title", "Oldboy", "--year", "2003", "--force", "--json")
    assert ok(renamed).json()["title"] == "Oldboy"


def test_merge_moves_everything_and_states_who_won(run, db_path, monkeypatch):
    ok(run("watched", "Oasis", "--on", "2024-03", "--rating", "4", "--note", "cinema"))
    ok(run("add", "Oasis", "--tag", "a", "--priority", "2"))
    ok(run("add", "Oasis Dup", "--custom", "--year", "2002", "--force", "--priority", "5"))
    ok(run("watched", "Oasis Dup", "--on", "2025-02-03", "--note", "at home"))
    ok(run("add", "Oasis Dup", "--tag", "a", "--tag", "b", "--note", "a note"))
    ok(run("lists", "create", "Faves"))
    ok(run("lists", "add", "Faves", "Oasis Dup"))
    monkeypatch.setenv("KWATCH_TODAY", "2026-11-25")
    ok(run("rate", "Oasis Dup", "2.5"))  # rated later: the newest rating wins
    ok(run("status", "Oasis Dup", "on-hold"))  # set later: the last status wins
    before = user_state(db_path)
    doc = ok(run("merge", "Oasis", "oasis-dup-2002", "--json")).json()
    validate_json(doc, schemas.schema_for("merge"))
    assert doc["id"] == "oasis-2002" and doc["merged"] == "oasis-dup-2002"
    assert doc["rating_from"] == "oasis-dup-2002" and doc["status_from"] == "oasis-dup-2002"
    entry = doc["entry"]
    assert [v["date"] for v in entry["viewings"]] == ["2024-03", "2025-02-03"]
    assert [v["rewatch"] for v in entry["viewings"]] == [False, True]
    assert entry["tags"] == ["a", "b"] and len(entry["notes"]) == 1
    assert entry["rating"] == 2.5 and entry["status"] == "on-hold" and entry["priority"] == 5
    assert entry["status_history"][-1] == {"status": "on-hold", "changed_on": "2026-11-25"}
    assert doc["moved"]["viewings"] == 1 and doc["moved"]["lists"] == 1
    items = ok(run("lists", "show", "Faves", "--json")).json()["items"]
    assert [i["id"] for i in items] == ["oasis-2002"]
    assert run("show", "oasis-dup-2002").exit_code == 1
    assert ok(run("show", "Oasis", "--json")).json()["id"] == "oasis-2002"  # no longer two
    ok(run("undo"))
    assert user_state(db_path) == before
    assert ok(run("show", "Oasis Dup", "--json")).json()["id"] == "oasis-dup-2002"


# --- the defects issue 12 found; each of these fails on the behaviour before the fix -------


def test_remove_refuses_in_a_pipe_without_yes_and_changes_nothing(run, db_path):
    ok(run("watched", "Oasis", "--on", "2024-03", "--rating", "4"))
    before = db_snapshot(db_path)
    result = run("remove", "Oasis")
    one_line_error(result, (1, 2), "--yes")
    assert "1 viewing" in result.stderr and "1 rating" in result.stderr
    assert db_snapshot(db_path) == before


def test_remove_says_what_it_deletes_and_asks_on_a_terminal(run, monkeypatch):
    from kwatch import output

    ok(run("watched", "Oasis", "--on", "2024-03", "--rating", "4"))
    ok(run("add", "Oasis", "--tag", "a", "--tag", "b", "--note", "n"))
    ok(run("lists", "create", "Faves"))
    ok(run("lists", "add", "Faves", "Oasis"))
    monkeypatch.setattr(output, "can_ask", lambda: True, raising=False)
    kept = run("remove", "Oasis", input="n\n")
    assert kept.exit_code == 0
    for words in ("1 viewing", "1 rating", "1 note", "2 tags", "stays in 1 list", "[y/N]"):
        assert words in kept.stderr, kept.stderr
    assert "Kept it" in kept.stderr
    assert len(ok(run("list", "--json")).json()) == 1
    gone = run("remove", "Oasis", input="y\n")
    assert gone.exit_code == 0 and "Removed" in gone.stderr
    assert ok(run("list", "--json")).json() == []


def test_remove_with_yes_is_undoable(run, db_path):
    ok(run("watched", "Oasis", "--on", "2024-03", "--rating", "4", "--note", "x"))
    ok(run("add", "Oasis", "--tag", "a"))
    before = user_state(db_path)
    doc = ok(run("remove", "Oasis", "-y", "--json")).json()
    assert doc["removed"] == {
        "viewings": 1,
        "rated": True,
        "notes": 0,
        "reviews": 0,
        "tags": 1,
        "lists_kept": 0,
    }
    ok(run("undo"))
    assert user_state(db_path) == before


def test_rate_says_when_it_marks_a_planned_title_completed(run):
    ok(run("add", "Microhabitat"))
    said = ok(run("rate", "Microhabitat", "4.5"))
    assert "marked it completed" in said.stderr
    ok(run("undo"))
    doc = ok(run("rate", "Microhabitat", "4.5", "--json")).json()
    assert doc["marked_completed"] is True and doc["previous_status"] == "planned"
    again = ok(run("rate", "Microhabitat", "4", "--json")).json()
    assert again["marked_completed"] is False
    ok(run("status", "Oasis", "watching"))
    assert ok(run("rate", "Oasis", "3", "--json")).json()["marked_completed"] is False


def test_setting_the_status_a_title_has_is_an_unchanged_success(run, db_path):
    ok(run("watched", "Oasis", "--on", "2024-03"))
    before = db_snapshot(db_path)
    same = run("status", "Oasis", "completed")
    assert same.exit_code == 0 and "unchanged" in same.stderr
    doc = ok(run("status", "Oasis", "completed", "--json")).json()
    assert doc["status_changed"] is False and doc["previous_status"] == "completed"
    assert db_snapshot(db_path) == before
    assert ok(run("status", "Oasis", "dropped", "--json")).json()["status_changed"] is True


def test_completed_since_comes_from_the_viewing_date_not_the_day_typed(run):
    ok(run("add", "Cart"))  # planned since today, 2026-11-22
    ok(run("watched", "Cart", "--on", "2020-05-01"))
    assert "completed (since 2020-05-01)" in ok(run("show", "Cart")).stdout
    history = ok(run("show", "Cart", "--json")).json()["entry"]["status_history"]
    assert history[-1] == {"status": "completed", "changed_on": "2020-05-01"}
    # A new title, and a vaguer date: the first day it can be.
    ok(run("watched", "Oasis", "--on", "2019-05"))
    oasis = ok(run("show", "Oasis", "--json")).json()["entry"]
    assert oasis["status_history"] == [{"status": "completed", "changed_on": "2019-05-01"}]


def test_a_viewing_before_the_titles_year_is_refused_unless_forced(run, db_path):
    ok(run("list"))
    before = db_snapshot(db_path)
    one_line_error(run("watched", "Cart", "--on", "1980-01-01"), 2, "before Cart (2014)")
    assert "--force" in run("watched", "Cart", "--on", "1980-01-01").stderr
    assert db_snapshot(db_path) == before
    ok(run("watched", "Cart", "--on", "2014"))  # the year itself is fine
    forced = ok(run("watched", "Cart", "--on", "2013-10-01", "--force", "--json")).json()
    assert forced["viewings"][0]["date"] == "2013-10-01"


def test_add_with_year_chooses_between_titles_of_the_same_name(run):
    assert run("add", "The Day After").exit_code == 1  # two of them: which?
    assert ok(run("add", "The Day After", "--year", "2017", "--json")).json()["id"] == (
        "the-day-after-2017"
    )
    assert ok(run("add", "The Day After", "--year", "2008", "--json")).json()["id"] == (
        "the-day-after-2008"
    )
    assert ok(run("add", "Oasis", "--year", "2002", "--json")).json()["id"] == "oasis-2002"
    missing = run("add", "Oasis", "--year", "1990")
    one_line_error(missing, 1, "oasis-2002")


@pytest.mark.parametrize(
    "option",
    [
        ["--runtime", "100"],
        ["--director", "Kim"],
        ["--original-title", "오아시스"],
        ["--theme", "romance"],
        ["--release", "2027-03"],
        ["--release-type", "tv"],
        ["--kind", "tv-series"],
    ],
    ids=lambda o: o[0],
)
def test_options_for_own_titles_are_refused_without_custom(run, db_path, option):
    ok(run("list"))
    before = db_snapshot(db_path)
    for name in ("Oasis", "Foo"):
        result = run("add", name, *option)
        one_line_error(result, 2, option[0])
        assert "--custom" in result.stderr
    assert db_snapshot(db_path) == before


def test_custom_refuses_to_shadow_a_catalogue_title_unless_forced(run, db_path):
    ok(run("list"))
    before = db_snapshot(db_path)
    refused = run("add", "Oldboy", "--custom")
    one_line_error(refused, 1, "kwatch add oldboy-2003")
    assert "--force" in refused.stderr
    one_line_error(run("add", "Oldboy", "--custom", "--year", "2004"), 1, "--force")
    assert db_snapshot(db_path) == before
    # Another year is another film of the same name; insisting works too.
    assert ok(run("add", "Oldboy", "--custom", "--year", "2030", "--json")).json()["id"] == (
        "oldboy-2030"
    )
    assert ok(run("add", "Oldboy", "--custom", "--force", "--json")).json()["id"] == "oldboy"


def test_an_import_completes_a_planned_title_since_its_viewing_not_the_import_day(run, tmp_path):
    ok(run("add", "Oasis"))  # planned since today, 2026-11-22
    diary = tmp_path / "diary.csv"
    diary.write_text(
        "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Tags,Watched Date\n"
        "2024-01-02,Oasis,2002,https://boxd.it/x1,4.5,,,2024-01-01\n",
        encoding="utf-8",
    )
    ok(run("import", "letterboxd", str(diary)))
    entry = ok(run("show", "Oasis", "--json")).json()["entry"]
    assert entry["status"] == "completed"
    assert entry["status_history"][-1] == {"status": "completed", "changed_on": "2024-01-01"}


def test_merge_keeps_the_status_set_last_even_when_it_is_dated_earlier(run):
    ok(run("add", "Mine", "--custom", "--year", "2020"))  # planned since 2026-11-22
    ok(run("add", "Mine Too", "--custom", "--year", "2020"))
    ok(run("watched", "Mine Too", "--on", "2021-01-01"))  # completed since 2021-01-01
    doc = ok(run("merge", "Mine", "Mine Too", "--json")).json()
    entry = doc["entry"]
    assert doc["status_from"] == "mine-too-2020" and entry["status"] == "completed"
    assert entry["status_history"][-1] == {"status": "completed", "changed_on": "2021-01-01"}
    assert len(entry["status_history"]) == 3  # nothing lost
    assert "completed (since 2021-01-01)" in ok(run("show", "Mine")).stdout
    # The other way round: the one kept had its status set last.
    ok(run("undo"))
    ok(run("status", "Mine", "dropped"))
    doc = ok(run("merge", "Mine", "Mine Too", "--json")).json()
    assert doc["status_from"] == "mine-2020" and doc["entry"]["status"] == "dropped"
    assert doc["entry"]["status_history"][-1]["status"] == "dropped"


@pytest.mark.parametrize(
    ("on", "says"),
    [("１９９９", "non-ASCII digits"), ("2024-02-30", "not a real calendar date")],
)
def test_viewing_delete_on_reads_the_date_as_every_date_is_read(run, db_path, on, says):
    ok(run("add", "Oasis"))
    ok(run("watched", "Oasis", "--on", "2024-03-01"))
    before = db_snapshot(db_path)
    result = run("viewing", "delete", "Oasis", "--on", on)
    assert result.exit_code == 2 and says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert db_snapshot(db_path) == before
