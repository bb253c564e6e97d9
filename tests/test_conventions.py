"""Shell conventions, with real processes and real pipes: quiet broken pipes, no colour in
pipes or with NO_COLOR, data on stdout and messages on stderr, JSON that never wraps."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

KWATCH = [sys.executable, "-m", "kwatch"]


@pytest.fixture
def env(tmp_path):
    # The isolated default database (XDG_DATA_HOME from conftest), as a new user has it.
    environment = {**os.environ, "COLUMNS": "40"}
    environment.pop("NO_COLOR", None)
    return environment


def _run(args, env, **kwargs):
    return subprocess.run([*KWATCH, *args], env=env, capture_output=True, text=True, **kwargs)


@pytest.mark.parametrize("args", [["catalogue", "list", "--json"], ["catalogue", "list"]])
def test_output_into_a_closed_pipe_exits_quietly(env, args):
    # More than a pipe buffer of output, read by `head -1`, which then exits.
    producer = subprocess.Popen(
        [*KWATCH, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )  # fmt: skip
    head = subprocess.Popen(["head", "-1"], stdin=producer.stdout, stdout=subprocess.PIPE)
    producer.stdout.close()
    first, _ = head.communicate(timeout=60)
    stderr = producer.stderr.read().decode()
    assert producer.wait(timeout=60) == 0
    assert first.strip()
    assert "BrokenPipe" not in stderr and "Traceback" not in stderr


def test_pipes_and_no_color_give_plain_text(env):
    _run(["add", "Oasis"], env)
    piped = _run(["list"], env)
    assert piped.returncode == 0 and "Oasis" in piped.stdout
    assert "\x1b[" not in piped.stdout
    forced = _run(["list"], {**env, "NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert "\x1b[3" not in forced.stdout


def test_stdout_carries_data_and_stderr_messages(env):
    added = _run(["add", "Oasis"], env)
    assert added.stdout == "" and "Added Oasis" in added.stderr
    shown = _run(["show", "Oasis", "--json"], env)
    assert json.loads(shown.stdout)["id"] == "oasis-2002" and shown.stderr == ""
    failed = _run(["show", "nothing-like-this-9999"], env)
    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr.startswith("Error: ") and failed.stderr.count("\n") == 1


def test_json_never_wraps_even_in_a_narrow_terminal(env):
    title = "A Very Long Title " * 12 + "[rec] 2007"
    _run(["add", title.strip(), "--custom", "--year", "2020"], env)
    listed = _run(["list", "--json"], env)
    lines = [line.strip() for line in listed.stdout.splitlines()]
    assert f'"title": "{title.strip()}",' in lines
    assert json.loads(listed.stdout)[0]["title"] == title.strip()
    people = _run(["list"], env)
    assert "[rec]" in people.stdout  # user text is escaped, not read as markup
