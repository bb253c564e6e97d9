"""The Typer app: parse arguments, call the core, hand the result to output. No SQL here."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer

from kwatch import __version__
from kwatch.cli.common import State

app = typer.Typer(
    name="kwatch",
    help="A watchlist for Korean cinema: a checked catalogue, your watchlist, diary and ratings.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"kwatch {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            envvar="KWATCH_DB",
            help="The database file (default: kwatch.db in your user data folder).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """kwatch: a command-line watchlist for Korean cinema.

    Dates come from one clock: set KWATCH_TODAY=YYYY-MM-DD to pin "today".
    """
    ctx.obj = State(db)


# Command modules register themselves on `app` when imported.
from kwatch.cli import library as _library  # noqa: E402,F401
from kwatch.cli import finding as _finding  # noqa: E402,F401
from kwatch.cli import catalogue as _catalogue  # noqa: E402,F401


def main() -> None:
    try:
        app()
    except BrokenPipeError:
        # `kwatch list | head -1`: the reader left. Point stdout at devnull so the interpreter's
        # final flush does not raise again, and leave quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted; nothing was changed by the unfinished command.\n")
        sys.exit(130)
