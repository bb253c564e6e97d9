"""Docs that cannot drift: the command reference, help texts, README and CI agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kwatch.docgen import command_helps, render

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_command_reference_is_current():
    current = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert current == render(), "docs/cli.md is stale: run `python docs/generate.py`"


@pytest.mark.parametrize(("path", "text"), command_helps(), ids=[p for p, _ in command_helps()])
def test_every_command_has_a_summary_and_an_example(path, text):
    body = text.split("\n\n", 1)[1].strip()
    assert body.splitlines()[0].strip(), path
    if path.count(" ") >= 1 and "Commands:" not in text:  # a command, not a group
        assert "Example: kwatch " in text, path


def test_readme_tours_every_command():
    for path, text in command_helps():
        if "Commands:" in text and path != "kwatch":
            continue
        if path == "kwatch":
            continue
        assert f"`{path}" in README or f"{path} " in README, f"README never shows {path}"


def test_readme_starts_with_the_two_setup_commands_and_ci_runs_the_second():
    blocks = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", README, flags=re.S)
    first_two = [b.strip() for b in blocks[:2]]
    assert "kwatch" in first_two[0] and "pip install" in first_two[0]
    assert "pytest" in first_two[1] and ".[test]" in first_two[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert first_two[1] in ci, ".ci/run must run exactly the README's test command"


FLAGS = ("-n", "0", "-p", "no:cacheprovider")


def _collected(*options: str) -> set[str]:
    import subprocess
    import sys

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/test_packaging.py",
            "--collect-only",
            *FLAGS,
            *options,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return {line for line in done.stdout.splitlines() if "::" in line}


def test_plain_pytest_leaves_the_slow_tests_out_and_the_readme_command_runs_them():
    # The wheel and sdist builds are marked slow; the README's (and CI's) command keeps them.
    wheel_test = "tests/test_packaging.py::test_the_sdist_carries_everything_its_tests_need"
    assert wheel_test not in _collected()
    assert wheel_test in _collected("--slow")
    assert _collected("-m", "slow") == {wheel_test} | (_collected("--slow") - _collected())
