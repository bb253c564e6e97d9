"""One error contract for every failure, usage errors included; limits for people only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import db_snapshot

KWATCH = Path(sys.executable).parent / "kwatch"

USAGE_ERRORS = [
    (["list", "--stauts", "x"], "No such option: --stauts", "--status"),
    (["lsit"], "No such command 'lsit'", "Did you mean 'list'"),
    (["list", "--limit", "abc"], "--limit takes a number of rows or `all`", "'abc'"),
    (["show"], "Missing argument", "kwatch show --help"),
    (["rate", "Oasis", "4", "--scale", "x"], "Invalid value for '--scale'", "kwatch rate --help"),
]


@pytest.mark.parametrize(("args", "first", "hint"), USAGE_ERRORS)
def test_a_usage_error_is_one_plain_line_and_exit_2(run, args, first, hint):
    result = run(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ") and first in lines[0] and hint in lines[0]
    assert "╭" not in result.stderr and "Usage:" not in result.stderr


@pytest.mark.parametrize(("args", "first", "hint"), USAGE_ERRORS)
def test_a_usage_error_with_json_is_the_error_document(run, args, first, hint):
    result = run(*args, "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    document = json.loads(result.stderr)
    assert document["error"]["code"] in ("usage", "invalid_input")
    assert first in document["error"]["message"]


def test_a_usage_error_changes_nothing(run, db_path):
    run("add", "Oasis")
    before = db_snapshot(db_path)
    assert run("add", "Poetry", "--priority", "x").exit_code == 2
    assert db_snapshot(db_path) == before


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["add", "Bleak", "Night"], 'kwatch add "Bleak Night"'),
        # The arguments after the title take the last words; the title keeps the rest.
        (["rate", "Bleak", "Night", "4"], 'kwatch rate "Bleak Night" 4'),
        (["status", "My", "Mister", "watching"], 'kwatch status "My Mister" watching'),
        (["rate", "Save", "the", "Green", "Planet!", "4"], 'rate "Save the Green Planet!" 4'),
        (["search", "han", "gong", "ju"], 'kwatch search "han gong ju"'),
        # The title's next word was taken for a number: it was not one.
        (["note", "edit", "Bleak", "Night", "1", "hi"], 'kwatch note edit "Bleak Night" ...'),
        (["viewing", "delete", "Bleak", "Night", "1"], 'kwatch viewing delete "Bleak Night" ...'),
    ],
)
def test_words_of_an_unquoted_title_get_a_quoting_hint(run, args, hint):
    result = run(*args)
    assert result.exit_code == 2
    assert hint in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        # The words after the title went to an argument that takes several (tags), or to the
        # title of a command whose title is not its first argument.
        (["tag", "add", "Bleak", "Night", "friday"], 'kwatch tag add "Bleak Night" friday'),
        (["merge", "Bleak", "Night"], 'kwatch merge "Bleak Night"'),
        (["lists", "add", "fri", "Bleak", "Night"], 'kwatch lists add fri "Bleak Night"'),
    ],
)
def test_a_title_cut_at_its_first_word_gets_a_quoting_hint(run, db_path, args, hint):
    assert run("add", "Bleak Night").exit_code == 0
    assert run("lists", "create", "fri").exit_code == 0
    before = db_snapshot(db_path)
    result = run(*args)
    assert result.exit_code in (1, 2)
    assert hint in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert db_snapshot(db_path) == before


def test_the_real_program_in_a_pipe_has_no_box_and_help_exits_0(tmp_path):
    env = {**os.environ, "KWATCH_DB": str(tmp_path / "k.db"), "COLUMNS": "80"}
    bad = subprocess.run(
        [str(KWATCH), "list", "--stauts", "x", "--json"], env=env, capture_output=True, text=True
    )
    assert bad.returncode == 2 and bad.stdout == ""
    assert json.loads(bad.stderr)["error"]["code"] == "usage"
    first = subprocess.run(
        f"'{KWATCH}' --help | head -1", shell=True, env=env, capture_output=True, text=True
    )
    assert first.stdout.startswith("Usage: kwatch") and first.stderr == ""
    piped = subprocess.run(
        ["bash", "-c", f"set -o pipefail; '{KWATCH}' --help | head -1 >/dev/null"], env=env
    )
    assert piped.returncode == 0
    plain = subprocess.run([str(KWATCH), "list", "--help"], env=env, capture_output=True, text=True)
    assert "╭" not in plain.stdout and "--limit" in plain.stdout


def test_version_short_and_long(run):
    for flag in ("-V", "--version"):
        result = run(flag)
        assert result.exit_code == 0 and result.stdout.startswith("kwatch ")


# --- limits: for people only -----------------------------------------------------------------


def test_in_a_pipe_everything_is_listed_unless_limit_is_given(run):
    everything = run("catalogue", "list").stdout.splitlines()
    count = len(run("catalogue", "list", "--json").json())
    assert count > 100  # more than the people's default of 100
    assert len(everything) == count + 1  # a header line, then one line a title
    assert len(run("catalogue", "list", "--limit", "5").stdout.splitlines()) == 6
    assert len(run("catalogue", "list", "--limit", "all").stdout.splitlines()) == count + 1


def test_search_json_is_not_cut_at_the_people_default(run):
    hits = run("search", "the", "--json").json()["results"]
    assert len(hits) > 20
    assert len(run("search", "the", "--limit", "3", "--json").json()["results"]) == 3
    assert len(run("search", "the", "--limit", "all", "--json").json()["results"]) == len(hits)


@pytest.mark.parametrize(
    "args", [("list",), ("search", "oasis"), ("catalogue", "list"), ("upcoming",), ("history",)]
)
def test_limit_all_works_and_zero_is_refused(run, args):
    assert run(*args, "--limit", "all").exit_code == 0
    refused = run(*args, "--limit", "0")
    assert refused.exit_code == 2
    assert "--limit must be 1 or more" in refused.stderr and "--limit all" in refused.stderr


def test_history_in_a_pipe_and_as_json_is_never_cut(run, monkeypatch):
    from kwatch import output

    for n in range(25):
        assert run("add", f"Pipe Film {n}", "--custom", "--year", "2020").exit_code == 0
    assert len(run("history", "--json").json()) == 25
    assert len(run("history").stdout.strip().splitlines()) > 25  # a header and 25 rows
    assert len(run("history", "--limit", "3", "--json").json()) == 3
    monkeypatch.setattr(output, "_to_terminal", lambda: True)
    shown = run("history")
    assert "showing 20 of 25; --limit all shows every row" in shown.stdout


def test_on_a_terminal_the_cut_says_how_to_see_the_rest(run, monkeypatch):
    from kwatch import output

    monkeypatch.setattr(output, "_to_terminal", lambda: True)
    result = run("catalogue", "list")
    assert "--limit all shows every row" in result.stdout + result.stderr
    searched = run("search", "the")  # more than a page of 20 matches
    assert "the first 20 matches; --limit all shows every one" in searched.stdout
    few = run("search", "oasis")  # a page is not cut: no notice
    assert "--limit all" not in few.stdout + few.stderr
