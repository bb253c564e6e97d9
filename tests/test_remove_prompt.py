"""`kwatch remove` asks before deleting, on a real pseudo-terminal: what the person sees is the
question with what it deletes, and only "y" removes anything."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

pty = pytest.importorskip("pty")


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "KWATCH_DB": str(tmp_path / "k.db"),
        "KWATCH_CATALOGUE_DIR": str(tmp_path / "cat"),
        "COLUMNS": "120",
    }


def _kwatch(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kwatch", *args], env=env, capture_output=True, text=True
    )


def _answer_on_a_terminal(env: dict[str, str], args: list[str], answer: bytes) -> tuple[int, str]:
    """Run kwatch with stdin, stdout and stderr on a pseudo-terminal; type `answer` once the
    question is on the screen. Returns the exit code and everything the terminal showed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "kwatch", *args],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    seen = b""
    answered = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        if not answered and b"[y/N]" in seen:
            os.write(leader, answer)
            answered = True
        if proc.poll() is not None and not ready:
            break
    code = proc.wait(timeout=60)
    os.close(leader)
    assert answered, seen.decode(errors="replace")
    return code, seen.decode(errors="replace")


@pytest.fixture
def library(tmp_path: Path) -> dict[str, str]:
    env = _env(tmp_path)
    for args in (
        ["add", "Oasis", "--tag", "weekend"],
        ["watched", "Oasis", "--on", "2024-03-01", "--rating", "4"],
    ):
        assert _kwatch(env, *args).returncode == 0
    return env


def test_no_on_the_terminal_keeps_everything(library):
    code, screen = _answer_on_a_terminal(library, ["remove", "Oasis"], b"n\n")
    assert code == 0
    assert "Remove Oasis (2002) from your library, with 1 viewing, 1 rating, 1 tag?" in screen
    assert "nothing was removed" in screen
    shown = _kwatch(library, "show", "oasis-2002", "--json")
    assert shown.returncode == 0 and '"entry": null' not in shown.stdout
    assert "weekend" in shown.stdout


def test_yes_on_the_terminal_removes_and_undo_brings_it_back(library):
    before = _kwatch(library, "show", "oasis-2002", "--json").stdout
    code, screen = _answer_on_a_terminal(library, ["remove", "Oasis"], b"y\n")
    assert code == 0 and "Removed Oasis (2002) from your library" in screen
    assert _kwatch(library, "list", "--json").stdout.strip() == "[]"
    assert _kwatch(library, "undo").returncode == 0
    assert _kwatch(library, "show", "oasis-2002", "--json").stdout == before
