"""Tables on a real pseudo-terminal fit 80 and 60 columns: ids whole, themes whole words."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

KWATCH = Path(sys.executable).parent / "kwatch"
ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")


def on_terminal(args: list[str], columns: int, env: dict) -> list[str]:
    """kwatch's output on a pseudo-terminal `columns` wide, as lines without colour codes."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: a terminal of that size
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
        os.execve(str(KWATCH), [str(KWATCH), *args], {**env, "COLUMNS": str(columns)})
    chunks = []
    while True:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.waitpid(pid, 0)
    os.close(fd)
    text = ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))
    return [line.rstrip("\r") for line in text.split("\n")]


@pytest.fixture(scope="module")
def terminal_env(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One small library for every table test (the tests only read it)."""
    folder = tmp_path_factory.mktemp("tables")
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    env.update(
        KWATCH_DB=str(folder / "k.db"),
        KWATCH_CATALOGUE_DIR=str(folder / "catalogue"),
        KWATCH_TODAY="2026-11-22",
        HOME=str(folder),
        XDG_DATA_HOME=str(folder / "data"),
        NO_COLOR="1",
        TERM="xterm",
    )
    titles = ("the-admiral-roaring-currents-2014", "1987-when-the-day-comes-2017", "Oasis")
    # A 41-character id: at 60 columns the other columns must give way to it.
    for title in (*titles, "along-with-the-gods-the-last-49-days-2018"):
        subprocess.run([str(KWATCH), "add", title], env=env, capture_output=True, check=True)
    return env


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["catalogue", "list", "--limit", "12"],
        ["search", "the", "--limit", "12"],
        ["upcoming", "--limit", "8"],
    ],
)
def test_tables_fit_and_never_break_an_id(terminal_env, args, columns):
    lines = on_terminal(args, columns, terminal_env)
    assert all(len(line) <= columns for line in lines), "\n".join(lines)
    document = subprocess.run(
        [str(KWATCH), *args, "--json"], env=terminal_env, capture_output=True, text=True
    )
    data = json.loads(document.stdout)
    rows = data["results"] if isinstance(data, dict) else data
    ids = [row["id"] if "id" in row else row["title"]["id"] for row in rows][:8]
    assert ids
    text = "\n".join(lines)
    for title_id in ids:
        assert title_id in text, f"{title_id} is not whole on one line:\n{text}"


def test_themes_are_never_split_mid_word(terminal_env):
    lines = on_terminal(["catalogue", "list", "--limit", "30"], 100, terminal_env)
    themes = {
        theme
        for row in json.loads(
            subprocess.run(
                [str(KWATCH), "catalogue", "list", "--limit", "30", "--json"],
                env=terminal_env,
                capture_output=True,
                text=True,
            ).stdout
        )
        for theme in row["themes"]
    }
    header = next(line for line in lines if "Title" in line and line.startswith("┃"))
    names = [name.strip() for name in header.split("┃")]
    column = names.index("Themes")
    cells = [
        part.strip()
        for line in lines
        if line.startswith("│")
        for part in line.split("│")[column].split(",")
    ]
    for part in cells:
        if part and not part.startswith("+"):
            assert part in themes, f"{part!r} is a piece of a theme"


def test_a_long_id_leaves_room_for_a_shortened_title(terminal_env):
    # along-with-the-gods-the-last-49-days-2018 is 41 characters: at 80 columns the title
    # gives way (ellipsised) rather than go, and year and status stay.
    lines = on_terminal(["list"], 80, terminal_env)
    header = next(line for line in lines if "Id" in line)
    assert all(name in header for name in ("Title", "Year", "Status")), "\n".join(lines)
    assert any("along-with-the-gods-the-last-49-days-2018" in line for line in lines)
    assert any("…" in line for line in lines)  # a title cut short, not dropped
