"""Generate the command reference (docs/cli.md) from the --help texts, so docs cannot drift.

`python docs/generate.py` rewrites docs/cli.md; a test fails when the file is out of date.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

WIDTH = 100


def _walk(command: Any, ctx: Any) -> Iterator[tuple[str, Any, Any]]:
    from typer._click import Context

    for name in command.list_commands(ctx):
        sub = command.get_command(ctx, name)
        if sub is None or getattr(sub, "hidden", False):
            continue
        sub_ctx = Context(
            sub, info_name=name, parent=ctx, terminal_width=WIDTH, max_content_width=WIDTH
        )
        yield sub_ctx.command_path, sub, sub_ctx
        if hasattr(sub, "list_commands"):
            yield from _walk(sub, sub_ctx)


def command_helps() -> list[tuple[str, str]]:
    """(command path, plain --help text) for every command, in the order --help lists them."""
    import typer.core
    from typer._click import Context
    from typer.main import get_command

    from kwatch.cli import app

    saved = typer.core.HAS_RICH
    typer.core.HAS_RICH = False  # plain text, independent of the terminal
    try:
        root = get_command(app)
        root_ctx = Context(root, info_name="kwatch", terminal_width=WIDTH, max_content_width=WIDTH)
        helps = [("kwatch", root.get_help(root_ctx))]
        helps += [(path, cmd.get_help(ctx)) for path, cmd, ctx in _walk(root, root_ctx)]
    finally:
        typer.core.HAS_RICH = saved
    return helps


def render() -> str:
    lines = [
        "# kwatch command reference",
        "",
        "Generated from the `--help` texts by `python docs/generate.py`; do not edit by hand",
        "(a test fails when this file and the help texts disagree).",
        "",
    ]
    for path, text in command_helps():
        lines += [f"## `{path}`", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(lines)
