"""The root of the Typer app: the `kwatch` group, its global options and its callback.

Kept apart from the command modules so that a run can import just the module of the command
it runs (see kwatch.cli.main); `from kwatch.cli import app` gives the whole app.
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from kwatch import __version__
from kwatch.cli.common import State
from kwatch.cli.usage import KwatchGroup

app = typer.Typer(
    name="kwatch",
    cls=KwatchGroup,
    no_args_is_help=True,
    # Our own `kwatch completion SHELL` prints the tested scripts; Typer's --install-completion
    # would install its unpatched zsh script, which offers nothing on the first <Tab>.
    add_completion=False,
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
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """A watchlist for Korean cinema: a checked catalogue, your watchlist, diary and ratings.

    \b
    Example: kwatch add "Bleak Night" && kwatch pick --theme romance
    "Today" comes from one clock: KWATCH_TODAY=YYYY-MM-DD pins it (for tests and demos).
    Exit codes: 0 ok, 1 error (not found, conflict, database), 2 usage (bad option or value).
    """
    ctx.obj = State(db)
