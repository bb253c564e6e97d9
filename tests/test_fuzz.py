"""The project's own fuzz test: every command and option (found by walking the command tree,
so a new command is covered without touching this file) with hostile values, on a copy of a
small populated database. Whatever comes in: no traceback, one JSON document for --json, a
failing command changes nothing, and no raw control character reaches a terminal."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import db_snapshot

# Commands that reach the network or the desktop: not for an offline, headless test.
LEFT_OUT = {("releases", "update"), ("catalogue", "update")}
OPTIONS_LEFT_OUT = {"--notify", "--db", "--help"}
# Data for other programs (a CSV, a calendar) goes to stdout exactly as stored.
DATA_ON_STDOUT = {("export",), ("calendar",), ("upcoming",), ("lists", "export"), ("completion",)}

HOSTILE = [
    "99999999999999999999",
    "-99999999999999999999",
    "9223372036854775808",
    "-1",
    "0",
    "",
    " ",
    "a\x00b",
    "\udcff",
    "\ud800",
    "\x1b[31mred\x1b[0m",
    "\x1b]52;c;aGk=\x07",
    "\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\",
    "\x9b2J",
    "\r\x08\x7f",
    "[/bold]",
    "[bold]x[/]",
    "x" * 5000,
    "\uff11\uff12",
    "\u0661\u0662\u0663",
    "\u00b2",
    "0000-01-01",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "2026-13",
    "summer 0",
    "nan",
    "inf",
    "1e308",
    "-",
    "all",
    "Bleak Night",
    "oasis-2002",
    "\u1112\u1161\u11ab",
    "{}",
    "[" * 2000,
]


def _commands() -> list[tuple[tuple[str, ...], Any]]:
    from typer.main import get_command

    from kwatch.cli import app

    found: list[tuple[tuple[str, ...], Any]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        if hasattr(command, "commands"):
            for name, sub in sorted(command.commands.items()):
                walk(sub, (*path, name))
        elif path not in LEFT_OUT:
            found.append((path, command))

    walk(get_command(app), ())
    return found


COMMANDS = _commands()
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))


@st.composite
def command_lines(draw: st.DrawFn) -> tuple[tuple[str, ...], list[str]]:
    path, command = draw(st.sampled_from(COMMANDS))
    args: list[str] = list(path)
    positional: list[str] = []
    for param in command.params:
        if param.param_type_name == "argument":
            required = param.required or draw(st.booleans())
            if required:
                count = draw(st.integers(1, 2)) if param.nargs == -1 else 1
                positional += [draw(values) for _ in range(count)]
            continue
        name = param.opts[0]
        if name in OPTIONS_LEFT_OUT or draw(st.integers(0, 3)) != 0:
            continue
        if param.is_flag:
            args.append(name)
        else:
            for _ in range(draw(st.integers(1, 2)) if param.multiple else 1):
                args += [name, draw(values)]
    if draw(st.booleans()):
        args.append("--json")
    return path, [*args, "--", *positional] if positional else args


@pytest.fixture
def populated(run, tmp_path: Path, db_path: Path) -> Path:
    """A small library with a bit of everything, saved aside to copy before each example."""
    for args in (
        ["add", "Bleak Night", "--tag", "friday", "--note", "first"],
        ["watched", "Oasis", "--on", "2024-03", "--rating", "4.5"],
        ["add", "My Own Film", "--custom", "--year", "2027", "--release", "2027-03-14"],
        ["release", "Bleak Night", "2026-12-24", "--type", "streaming"],
        ["lists", "create", "Favourites"],
        ["lists", "add", "Favourites", "Oasis"],
    ):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
    saved = tmp_path / "populated.db"
    shutil.copyfile(db_path, saved)
    return saved


def _has_raw_control(text: str) -> bool:
    return any((ord(ch) < 0x20 and ch not in "\n\t") or 0x7F <= ord(ch) < 0xA0 for ch in text)


@pytest.mark.fuzz
@settings(
    max_examples=150,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(line=command_lines())
def test_no_command_line_breaks_kwatch(line, populated, db_path, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from kwatch.cli import app

    path, args = line
    monkeypatch.chdir(tmp_path)  # a file name among the values lands here, nowhere else
    shutil.copyfile(populated, db_path)
    for stale in db_path.parent.glob("kwatch.db-*"):
        stale.unlink()
    before = db_snapshot(db_path)
    result = CliRunner().invoke(app, args, catch_exceptions=True)
    shown = f"kwatch {args!r}: exit {result.exit_code}\n{result.stdout}\n{result.stderr}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        shown,
        result.exc_info,
    )
    assert result.exit_code in (0, 1, 2), shown
    assert "Traceback" not in result.stdout + result.stderr, shown
    if result.exit_code != 0:
        assert db_snapshot(db_path) == before, shown
    if "--json" in args and result.exit_code == 0 and result.stdout.strip():
        json.loads(result.stdout)  # exactly one document
    if "--json" not in args and path not in DATA_ON_STDOUT:
        assert not _has_raw_control(result.stdout), shown
    assert not _has_raw_control(result.stderr), shown
