"""A <Tab> on a title is answered before Typer loads (kwatch.quick_complete), and the answer is
exactly what Typer's completion prints for the same call, in each shell."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from kwatch.quick_complete import TITLE_FIRST, answer

# Typer names the command, and its _KWATCH_COMPLETE variable, after argv[0].
_TYPER_PATH = "import sys; sys.argv[0] = 'kwatch'; from kwatch.cli import main; main()"
_ENTRY_PATH = "import sys; sys.argv[0] = 'kwatch'; from kwatch.entry import main; main()"


def _title_first_commands() -> set[tuple[str, ...]]:
    """Every command of the app whose first argument completes titles."""
    import typer
    import typer.main

    from kwatch.cli import app

    found: set[tuple[str, ...]] = set()

    def walk(command, path: tuple[str, ...]) -> None:
        for name, sub in (getattr(command, "commands", None) or {}).items():
            walk(sub, (*path, name))
        arguments = [p for p in command.params if p.param_type_name == "argument"]
        if arguments and not getattr(command, "commands", None):
            ctx = typer.Context(command, info_name=path[-1])
            offered = [item.value for item in arguments[0].shell_complete(ctx, "bleak")]
            if "bleak-night-2011" in offered:
                found.add(path)

    walk(typer.main.get_command(app), ())
    return found


def test_title_first_names_every_command_whose_first_argument_is_a_title():
    assert set(TITLE_FIRST) == _title_first_commands()


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> dict[str, str]:
    """A library with the catalogue and own titles whose names need quoting in zsh ($, `, :,
    an apostrophe) and a tab in fish; the environment each completion runs in."""
    from typer.testing import CliRunner

    from kwatch.cli import app

    path = tmp_path_factory.mktemp("quick") / "kwatch.db"
    env = {"KWATCH_DB": str(path), "KWATCH_TODAY": "2026-12-01", "NO_COLOR": "1"}
    runner = CliRunner()
    for name in ("Quokka: Harbour's $Night", 'Quokka `Tide` "Two"', "Quokkas"):
        result = runner.invoke(app, ["add", name, "--custom", "--year", "2027"], env=env)
        assert result.exit_code == 0, result.output
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("_KWATCH", "_TYPER", "COMP_", "KWATCH"))
    }
    return {**base, **env}


def _run(code: str, env: dict[str, str]) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    return done.returncode, done.stdout


def _bash(line: str) -> dict[str, str]:
    words = line.split(" ")
    return {
        "_KWATCH_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
    }


def _zsh(line: str) -> dict[str, str]:
    return {"_KWATCH_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line}


def _fish(line: str) -> dict[str, str]:
    return {
        "_KWATCH_COMPLETE": "complete_fish",
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
        "_TYPER_COMPLETE_ARGS": line,
    }


CASES = [
    _bash("kwatch show blea"),
    _bash("kwatch show Quok"),
    _bash("kwatch tag add night"),
    _bash("kwatch show zzqx"),
    _zsh("kwatch show Quok"),
    _zsh("kwatch rate 'Bleak N"),  # an open quote
    _zsh("kwatch viewing edit zzqx"),  # nothing: zsh is told to offer files
    _fish("kwatch show Quok"),
    _fish("kwatch watched 한공"),
    _fish("kwatch note add "),  # every id
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c["_KWATCH_COMPLETE"] + ":" + str(c))
def test_a_title_tab_prints_what_typer_prints(library, case):
    env = {**library, **case}
    assert answer(env) is not None  # the quick path answers this one
    assert _run(_ENTRY_PATH, env) == _run(_TYPER_PATH, env)


@pytest.mark.parametrize(
    "case",
    [
        _bash("kwatch show --j"),  # an option name
        _bash("kwatch list --kind "),  # an option's value
        _bash("kwatch rate bleak-night-2011 "),  # the second argument
        _bash("kwatch lists show "),  # a list name, not a title
        _bash("kwatch --db x.db --json show blea"),  # another global option
        _bash("kwatch --db= show blea"),  # an empty --db: the CLI explains
        _bash("kwatch sh"),  # a command name
        _zsh("kwatch show ="),
        {"_KWATCH_COMPLETE": "source_bash"},  # a script, not a value
        {**_fish("kwatch show blea"), "_TYPER_COMPLETE_FISH_ACTION": "is-args"},
        {**_bash("kwatch show blea"), "COMP_CWORD": "two"},
    ],
)
def test_everything_else_is_left_to_typer(case):
    assert answer(case) is None


def test_a_title_tab_loads_neither_typer_nor_the_cli(library):
    env = {**library, **_bash("kwatch show blea")}
    code = _ENTRY_PATH + "; print(*sorted(sys.modules), file=sys.stderr)"
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stdout == "bleak-night-2011\n"
    loaded = done.stderr.split()
    assert not [m for m in loaded if m == "typer" or m.startswith(("typer.", "kwatch.cli"))]


def test_a_db_on_the_command_line_is_the_one_completed_from(library, tmp_path):
    # --db names another library: its titles are offered, by the quick path and by Typer's.
    from typer.testing import CliRunner

    from kwatch.cli import app

    other = tmp_path / "other.db"
    env = {**library, "KWATCH_DB": str(tmp_path / "unused.db")}
    made = CliRunner().invoke(
        app, ["--db", str(other), "add", "Zebra Crossing", "--custom", "--year", "2021"], env=env
    )
    assert made.exit_code == 0, made.output
    quick = {**env, **_bash(f"kwatch --db {other} show zebr")}
    assert answer(quick) == "zebra-crossing-2021"
    assert _run(_ENTRY_PATH, quick) == (0, "zebra-crossing-2021\n")
    assert answer({**env, **_bash(f"kwatch --db={other} show zebr")}) == "zebra-crossing-2021"
    typer_path = {**env, **_bash(f"kwatch --db {other} lists add friday zebr")}
    assert answer(typer_path) is None  # a list's title: Typer answers
    assert _run(_ENTRY_PATH, typer_path) == (0, "zebra-crossing-2021\n")
    assert _run(_ENTRY_PATH, {**env, **_bash("kwatch show zebr")}) == (0, "\n")


def test_a_word_that_is_not_utf8_completes_nothing_without_a_traceback(library):
    from kwatch.quick_complete import complete_title

    assert complete_title("\udcff\udcfe") == []  # as os.environ holds undecodable bytes
    for shell_vars in (
        [b"_KWATCH_COMPLETE=complete_bash", b"COMP_WORDS=kwatch show \xff\xfe", b"COMP_CWORD=2"],
        [b"_KWATCH_COMPLETE=complete_zsh", b"_TYPER_COMPLETE_ARGS=kwatch lists add x \xff"],
    ):
        env = [f"{k}={v}".encode() for k, v in library.items()]
        done = subprocess.run(
            ["env", "-i", *env, *shell_vars, sys.executable, "-c", _ENTRY_PATH],
            capture_output=True,
            timeout=60,
        )
        assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr
