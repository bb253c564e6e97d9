"""Messages that tell the truth, and a pick that is for tonight."""

from __future__ import annotations

import json


def test_list_says_empty_only_when_the_library_is(run):
    empty = run("list")
    assert empty.exit_code == 0 and "Your library is empty." in empty.stderr
    run("add", "Oasis")
    filtered = run("list", "--theme", "horror")
    assert filtered.exit_code == 0
    assert "Nothing in your library matches those filters." in filtered.stderr
    assert "empty" not in filtered.stderr
    assert "Nothing in your library matches" in run("list", "--status", "dropped").stderr


def test_adding_again_says_whether_anything_changed(run):
    run("add", "Oasis")
    same = run("add", "Oasis")
    assert "nothing changed" in same.stderr and "updated" not in same.stderr
    changed = run("add", "Oasis", "--priority", "5")
    assert "updated it" in changed.stderr


def test_upcoming_never_suggests_the_window_just_asked_for(run):
    asked = run("upcoming", "--days", "365", "--type", "tv", "--watchlist-only")
    assert asked.exit_code == 0
    assert "--days 365" not in asked.stderr
    long = run("upcoming", "--days", "3650", "--watchlist-only")
    assert "--days 365" not in long.stderr


def test_upcoming_never_suggests_a_command_that_drops_the_type(run):
    asked = run("upcoming", "--type", "tv")
    assert asked.exit_code == 0 and asked.stdout == ""
    assert "--days 365" not in asked.stderr and "Drop --type" in asked.stderr


def test_an_emptied_pick_names_the_filter_as_typed(run):
    result = run("pick", "--year", "1800")
    assert result.exit_code == 1
    assert "passes year <= 1800" in result.stderr and "after until" not in result.stderr
    decade = run("pick", "--decade", "1800s")  # named as what it is, not as a --year
    assert "passes year <= 1809" in decade.stderr and "--year" not in decade.stderr
    typo = run("pick", "--kind", "flim")
    assert typo.exit_code == 2 and "film, tv-series, any" in typo.stderr


def test_plurals(run, tmp_path):
    from kwatch.output import plural

    assert plural(1, "title") == "1 title" and plural(2, "entry", "entries") == "2 entries"
    good = tmp_path / "one.toml"
    good.write_text(
        'id = "quiet-film-2020"\ntitle = "Quiet Film"\nyear = 2020\nkind = "film"\n'
        'directors = ["Kim Ji-woo"]\n',
        encoding="utf-8",
    )
    result = run("catalogue", "validate", str(good))
    assert "1 entries" not in result.stderr and "(s)" not in result.stderr


def test_plurals_of_one_film_and_one_viewing(run, tmp_path):
    assert run("lists", "create", "Solo").exit_code == 0
    assert run("lists", "add", "Solo", "Oasis").exit_code == 0
    written = run("lists", "export", "Solo", "-o", str(tmp_path / "solo.csv"))
    assert "Wrote 1 film of Solo" in written.stderr
    assert "(1 film)" in run("lists", "delete", "Solo").stderr
    run("watched", "Oasis", "--on", "2024-03")  # dated to the month only
    exported = run("export", "--format", "letterboxd", "-o", str(tmp_path / "lb"))
    assert "1 viewing is dated only to a month or year" in exported.stderr


def test_doctor_counts_problems_not_entries(run, isolated_env):
    folder = isolated_env / "user-catalogue"
    folder.mkdir()
    # One entry with two problems: an unknown kind and an unknown theme.
    (folder / "bad.toml").write_text(
        'id = "odd-film-2020"\ntitle = "Odd Film"\nyear = 2020\nkind = "flim"\n'
        'directors = ["Kim Ji-woo"]\nthemes = ["romence"]\n',
        encoding="utf-8",
    )
    text = run("doctor").stdout + run("doctor").stderr
    assert "entries skipped" not in text and "in your catalogue files" in text


def _pick(run, *args):
    result = run("pick", "--from", "catalogue", "--seed", "1", "--count", "400", *args, "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()


def test_pick_offers_films_by_default_and_kind_changes_it(run):
    assert {p["kind"] for p in _pick(run)["picks"]} == {"film"}
    assert {p["kind"] for p in _pick(run, "--kind", "tv-series")["picks"]} == {"tv-series"}
    assert {p["kind"] for p in _pick(run, "--kind", "any")["picks"]} == {"film", "tv-series"}


def test_pick_never_offers_what_was_dropped_or_completed_unless_asked(run):
    run("add", "Oasis")
    run("status", "Oasis", "dropped")
    run("add", "Burning")
    run("status", "Burning", "completed")
    for source in ("catalogue", "auto"):
        ids = {p["id"] for p in _pick(run, "--from", source)["picks"]}
        assert "oasis-2002" not in ids and "burning-2018" not in ids
    ids = {p["id"] for p in _pick(run, "--include-dropped", "--include-watched")["picks"]}
    assert {"oasis-2002", "burning-2018"} <= ids


def test_pick_explain_says_what_unknown_runtimes_did(run):
    document = _pick(run, "--max-runtime", "100")
    assert document["unknown_runtime_left_out"] > 0
    assert _pick(run)["unknown_runtime_left_out"] == 0
    text = run("pick", "--from", "catalogue", "--max-runtime", "100", "--seed", "1", "--explain")
    assert "no known runtime left out by --max-runtime" in text.stdout


def test_the_pick_line_shows_runtime_and_a_one_line_synopsis(run):
    picked = json.loads(run("pick", "--from", "catalogue", "--seed", "2", "--json").stdout)
    title = picked["picks"][0]
    text = run("pick", "--from", "catalogue", "--seed", "2").stdout.splitlines()
    assert title["id"] in text[0]
    if title["runtime_min"]:
        assert f"{title['runtime_min']} min" in text[0]
    if title["synopsis"]:
        assert len(text) >= 2 and text[1].startswith("  ") and len(text[1]) <= 104
