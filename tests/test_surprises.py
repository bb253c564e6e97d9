"""Small surprises, removed: names ending in a number, unquoted schema names, help CMD, path."""

from __future__ import annotations

import json


def test_an_exact_name_wins_over_a_trailing_year(run):
    added = run("add", "[rec] 2007", "--custom", "--year", "2007", "--json")
    assert added.exit_code == 0, added.stderr
    title_id = added.json()["id"]
    shown = run("show", "[rec] 2007", "--json")
    assert shown.exit_code == 0, shown.stderr
    assert shown.json()["id"] == title_id
    removed = run("remove", "[rec] 2007", "--yes")
    assert removed.exit_code == 0, removed.stderr
    # A trailing year still narrows a name that is not a whole name.
    assert run("show", "Oasis 2002", "--json").json()["id"] == "oasis-2002"


def test_schema_takes_a_two_word_name_unquoted(run):
    unquoted = run("schema", "catalogue", "list")
    assert unquoted.exit_code == 0, unquoted.stderr
    assert unquoted.stdout == run("schema", "catalogue list").stdout
    assert json.loads(unquoted.stdout)["$id"].endswith("/catalogue-list/v1.json")


def test_help_cmd_is_the_commands_help(run):
    assert run("help", "list").stdout.strip() == run("list", "--help").stdout.strip()
    nested = run("help", "import", "letterboxd")
    assert nested.stdout.startswith("Usage: kwatch import letterboxd")
    unknown = run("help", "lsit")
    assert unknown.exit_code == 2 and "kwatch help" in unknown.stderr
    assert run("help").stdout.startswith("Usage: kwatch [OPTIONS] COMMAND")


def test_path_on_a_terminal_names_the_catalogue_folders(run, monkeypatch, db_path):
    from kwatch import output

    assert run("path").stdout.strip() == str(db_path)  # a pipe: the path alone, for scripts
    monkeypatch.setattr(output, "_to_terminal", lambda: True)
    text = run("path").stdout
    document = run("path", "--json").json()
    assert document["catalogue_dir"] in text and document["bundled_catalogue"] in text
    assert str(db_path) in text


def test_the_readme_tour_works_as_written(run):
    """Every line of the README's first tour, run in order on a fresh database, succeeds."""
    import re
    import shlex
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    tour = readme.split("## A tour", 1)[1]
    block = re.search(r"```sh\n(.*?)```", tour, flags=re.S)
    assert block
    for line in block.group(1).splitlines():
        for command in line.split("#", 1)[0].split("&&"):
            words = shlex.split(command)
            if not words:
                continue
            assert words[0] == "kwatch", line
            result = run(*words[1:])
            assert result.exit_code == 0, f"{command.strip()}: {result.stderr}"
