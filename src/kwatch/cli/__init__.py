"""The Typer app: parse arguments, call the core, hand the result to output. No SQL here.

`from kwatch.cli import app` gives the whole app, every command registered. `main()`, the
console script, imports only the module that defines the command being run: importing all
ten command modules (and the core modules they import) costs more than the command itself
for a quick read.
"""

import importlib
import os
import sys
from typing import Any

import typer

from kwatch.cli.root import app as _root_app

# The module that defines each top-level command or group. A test checks this against what
# the modules register; a name missing here still works (every module is loaded), only slower.
COMMAND_MODULES: dict[str, str] = {
    "schema": "catalogue",
    "completion": "catalogue",
    "help": "catalogue",
    "catalogue": "catalogue",
    "doctor": "doctor",
    "search": "finding",
    "pick": "finding",
    "history": "history",
    "undo": "history",
    "redo": "history",
    "add": "library",
    "remove": "library",
    "list": "library",
    "watched": "library",
    "rate": "library",
    "status": "library",
    "show": "library",
    "path": "library",
    "lists": "lists",
    "edit": "own_titles",
    "merge": "own_titles",
    "unrate": "records",
    "viewing": "records",
    "tag": "records",
    "note": "records",
    "review": "records",
    "releases": "refresh",
    "release": "releases",
    "upcoming": "releases",
    "calendar": "releases",
    "remind": "releases",
    "stats": "stats",
    "sync": "sync",
    "export": "transfer",
    "backup": "transfer",
    "import": "transfer",
}

# Every command module, in the order they register (the order `kwatch --help` lists them).
ALL_MODULES = (
    "catalogue",
    "doctor",
    "finding",
    "history",
    "library",
    "lists",
    "own_titles",
    "records",
    "refresh",
    "releases",
    "stats",
    "sync",
    "transfer",
)


def load_commands(name: str | None = None) -> typer.Typer:
    """Import the module defining command `name`, or every module when `name` is None or
    unknown; returns the app they registered on."""
    module = COMMAND_MODULES.get(name or "")
    for each in [module] if module else ALL_MODULES:
        importlib.import_module(f"kwatch.cli.{each}")
    return _root_app


def __getattr__(name: str) -> Any:
    # PEP 562: `from kwatch.cli import app` (tests, docs, completion scripts) means the whole app.
    if name == "app":
        return load_commands()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _invoked_name(argv: list[str]) -> str | None:
    """The subcommand named on the command line, skipping the global options."""
    skip_next = False
    for arg in argv:
        if skip_next:
            skip_next = False
        elif arg == "--db":
            skip_next = True
        elif not arg.startswith("-"):
            return arg
        elif arg in ("-h", "--help", "--version", "-V"):
            return None
    return None


def _only_the_invoked_command(argv: list[str]) -> None:
    """Keep just the command being run, so Typer converts one command's parameters, not all.

    Typer turns every registered command into a Click command on every run (about 3 ms each);
    a JSON command run from a script needs only its own. Help, completion and unknown names
    keep the full set so they list everything and suggest near matches.
    """
    if any(key.endswith("_COMPLETE") for key in os.environ if key.startswith("_KWATCH")):
        # A <Tab> after a complete command name needs only that command too.
        argv = _completed_words()
    name = _invoked_name(argv)
    if name == "help":
        load_commands()
        return  # `kwatch help CMD` needs every command
    if name is None and {"-V", "--version"} & set(argv) and not {"-h", "--help"} & set(argv):
        return  # `kwatch --version` needs no command at all
    app = load_commands(name)
    commands = [c for c in app.registered_commands if _command_name(c) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if commands or groups:
        app.registered_commands = commands
        app.registered_groups = groups


def _completed_words() -> list[str]:
    """The words before the one being completed, from the shell's completion variables (bash:
    COMP_WORDS and COMP_CWORD; zsh and fish: _TYPER_COMPLETE_ARGS), without the program."""
    import shlex

    try:
        if "COMP_WORDS" in os.environ:
            words = shlex.split(os.environ["COMP_WORDS"])
            return words[1 : int(os.environ.get("COMP_CWORD", len(words)))]
        line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
        words = shlex.split(line)
        return words[1:] if line[-1:].isspace() else words[1:-1]
    except ValueError:
        return []  # an unclosed quote: keep every command


def _command_name(info: typer.models.CommandInfo) -> str:
    callback_name = getattr(info.callback, "__name__", "")
    return info.name or callback_name.replace("_", "-")


def _prepare_completion() -> None:
    """Register the shells (Typer does so only with add_completion=True) and keep completion
    descriptions plain: Typer renders each through rich, loading rich and markdown on every
    <Tab> (about 100 ms), and would read "[...]" in a title as markup."""
    import typer._completion_classes as completion_classes  # private: typer is pinned <0.29

    completion_classes.completion_init()
    completion_classes._sanitize_help_text = lambda text: text
    _let_titles_match_themselves()


def _let_titles_match_themselves() -> None:
    """Typer keeps only values that start with what was typed (case-sensitively), which would
    drop `bleak-night-2011` offered for `Blea` or `night`. A callback marked `matches_itself`
    (complete_title) does its own matching, so its values are passed on as they are."""
    import typer.core
    from typer._click.shell_completion import CompletionItem

    setup = typer.core._typer_param_setup_autocompletion_compat  # private: pinned <0.29

    def setup_unfiltered(param: Any, *, autocompletion: Any = None) -> None:
        callback = getattr(autocompletion, "__wrapped__", None)
        if autocompletion is None or not getattr(callback, "matches_itself", False):
            setup(param, autocompletion=autocompletion)
            return

        def complete(ctx: Any, _param: Any, incomplete: str) -> list[Any]:
            values = autocompletion(ctx, [], incomplete)
            return [
                CompletionItem(v[0], help=v[1]) if isinstance(v, tuple) else CompletionItem(v)
                for v in values
            ]

        param._custom_shell_complete = complete

    typer.core._typer_param_setup_autocompletion_compat = setup_unfiltered  # type: ignore[assignment]


def _collect_from_here_on() -> None:
    """Cyclic garbage collection for what the command makes, not for what start-up made.

    kwatch.entry turns the collector off while the modules and the app are built; freezing
    what exists now keeps later collections from walking it again, and the collector is back
    on for the command itself (an import or a catalogue update runs as long as it needs)."""
    import gc

    gc.freeze()
    gc.enable()


def main() -> None:
    if os.environ.get("_KWATCH_COMPLETE"):
        _prepare_completion()
    _only_the_invoked_command(sys.argv[1:])
    _collect_from_here_on()
    try:
        _root_app()
    except BrokenPipeError:
        # `kwatch list | head -1`: the reader left. Point stdout at devnull so the interpreter's
        # final flush does not raise again, and leave quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted; nothing was changed by the unfinished command.\n")
        sys.exit(130)
