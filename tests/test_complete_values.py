"""Completion values, asked in-process: titles in any case and by any word, closed sets, a
database folder with '#', and scripts shipped inside the package."""

from __future__ import annotations

import subprocess

import pytest

from kwatch.completions import FILENAMES, SHELLS, render, shipped


@pytest.fixture
def indexed(tmp_path, monkeypatch):
    from kwatch.cli.common import State

    folder = tmp_path / "a#b?c"  # '#' and '?' would end a hand-built file: URI early
    folder.mkdir()
    monkeypatch.setenv("KWATCH_DB", str(folder / "kwatch.db"))
    State(None).conn()
    return folder


def _values(pairs):
    return [value for value, _ in pairs]


def test_titles_complete_in_any_case_and_by_any_word(indexed, monkeypatch):
    from kwatch.quick_complete import complete_title

    monkeypatch.delenv("_KWATCH_COMPLETE", raising=False)
    assert "bleak-night-2011" in _values(complete_title("Blea"))  # bash: the id
    assert "bleak-night-2011" in _values(complete_title("blea"))
    assert "bleak-night-2011" in _values(complete_title("Night"))  # a later word
    assert "bleak-night-2011" in _values(complete_title("night"))
    monkeypatch.setenv("_KWATCH_COMPLETE", "complete_zsh")
    assert "Bleak Night" in _values(complete_title("Blea"))  # zsh and fish insert names
    monkeypatch.setenv("_KWATCH_COMPLETE", "complete_bash")
    assert not any(" " in v for v in _values(complete_title("Blea")))


def test_a_database_folder_with_a_hash_is_read(indexed, run):
    from kwatch.quick_complete import complete_title

    assert run("add", "Quokka Harbour", "--custom", "--year", "2027").exit_code == 0
    # Only the database knows the user's own title (the fallback reads the bundled files).
    assert "quokka-harbour-2027" in _values(complete_title("quok"))
    assert "quokka-harbour-2027" in _values(complete_title(""))


@pytest.mark.parametrize(
    ("command", "option", "incomplete", "wanted"),
    [
        (["list"], "kind", "tv", "tv-series"),
        (["pick"], "kind", "a", "any"),
        (["pick"], "source", "cat", "catalogue"),
        (["calendar"], "alarm", "1", "1d"),
        (["rate"], "scale", "1", "10"),
        (["releases", "update"], "source", "ko", "kobis"),
        (["schema"], "words", "catalogue", "catalogue"),
        (["import", "letterboxd"], "lists", "t", "tags"),
        (["import", "letterboxd"], "only", "c", "catalogue"),
        (["help"], "words", "im", "import"),
    ],
)
def test_closed_sets_complete(command, option, incomplete, wanted):
    from typer._click import Context
    from typer.main import get_command

    from kwatch.cli import app

    cmd = get_command(app)
    ctx = Context(cmd, info_name="kwatch")
    for word in command:
        cmd = cmd.get_command(ctx, word)
        ctx = Context(cmd, info_name=word, parent=ctx)
    param = next(p for p in cmd.params if p.name == option)
    offered = [c.value for c in param.shell_complete(ctx, incomplete)]
    assert wanted in offered, offered


def test_schema_completes_the_next_word():
    from types import SimpleNamespace

    from kwatch.cli.complete import complete_schema

    ctx = SimpleNamespace(params={"words": ["catalogue"]})
    assert "list" in complete_schema(ctx, "")


@pytest.mark.parametrize("shell", SHELLS)
def test_shipped_scripts_are_current_and_printed_without_a_second_python(run, shell, monkeypatch):
    assert shipped(shell) == render(shell)

    def no_subprocess(*args, **kwargs):
        raise AssertionError("kwatch completion started another process")

    monkeypatch.setattr(subprocess, "run", no_subprocess)
    result = run("completion", shell)
    assert result.exit_code == 0
    assert result.stdout == shipped(shell)


def test_fish_asks_kwatch_once_per_tab():
    script = render("fish")
    assert script.count("_KWATCH_COMPLETE=complete_fish") == 1
    assert "--condition __kwatch_values" in script  # the one call, kept for the values


def test_the_wheel_ships_the_scripts():
    from kwatch.completions import SHIPPED

    assert sorted(p.name for p in SHIPPED.iterdir()) == sorted(FILENAMES.values())


def test_list_names_complete_by_id_or_name_in_any_case(indexed, run):
    from kwatch.cli.complete import complete_help_words, complete_list_name

    assert complete_list_name(None, "fri") == []  # no lists yet
    assert run("lists", "create", "Friday Films").exit_code == 0
    assert complete_list_name(None, "FRI") == [("friday-films", "Friday Films")]
    assert complete_list_name(None, "zz") == []
    # `kwatch help import <Tab>`: the import formats.
    from types import SimpleNamespace

    import typer.main

    from kwatch.cli import app

    root = SimpleNamespace(command=typer.main.get_command(app))
    ctx = SimpleNamespace(find_root=lambda: root, params={"words": ["import"]})
    assert "letterboxd" in complete_help_words(ctx, "")


def test_without_a_library_titles_complete_by_any_word_of_their_id(monkeypatch, tmp_path):
    # A new user has no database yet: the bundled ids, by their start or any word of them.
    from kwatch.quick_complete import complete_title

    monkeypatch.setenv("KWATCH_DB", str(tmp_path / "none-yet.db"))
    assert "my-mister-2018" in [v for v, _ in complete_title("mister")]
    assert "bleak-night-2011" in [v for v, _ in complete_title("BLEA")]


def test_lists_show_and_merge_complete_their_arguments():
    import typer.main

    from kwatch.cli import app

    root = typer.main.get_command(app)
    ctx = typer.Context(root, info_name="kwatch")
    merge = root.commands["merge"]
    for param in (p for p in merge.params if p.param_type_name == "argument"):
        assert "bleak-night-2011" in [c.value for c in param.shell_complete(ctx, "bleak")]
    show = root.commands["lists"].commands["show"]
    (name,) = [p for p in show.params if p.param_type_name == "argument"]
    assert getattr(name, "_custom_shell_complete", None) is not None  # list names
