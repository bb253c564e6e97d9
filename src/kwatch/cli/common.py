"""What every command shares: the --json flag, the database handle, and one error wrapper."""

import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from kwatch import output
from kwatch.cli.complete import complete_kind, complete_list_name, complete_theme
from kwatch.errors import InvalidInput, KwatchError

F = TypeVar("F", bound=Callable[..., Any])

JsonFlag = Annotated[
    bool, typer.Option("--json", help="Print exactly one JSON document on stdout.")
]


# Commands that never write to the user's tables (they may keep bookkeeping such as calendar
# sequences or refresh runs, which are not user data). A command missing here is journaled.
READ_ONLY_COMMANDS = frozenset(
    {
        "list",
        "show",
        "search",
        "pick",
        "upcoming",
        "calendar",
        "remind",
        "stats",
        "path",
        "history",
        "doctor",
        "schema",
        "completion",
        "export",
        "backup",
        "catalogue list",
        "catalogue themes",
        "catalogue validate",
        "releases status",
    }
)


# Read-only commands for which a --db or KWATCH_DB naming no file is a mistake to report, not
# a new library to create: `kwatch list --db ~/kwatch.bd` must not make folders and an empty
# database. Without --db or KWATCH_DB, the default database is created on first use, so a new
# user's `kwatch list` shows an empty library. `remind` runs in every new shell and stays
# quiet (it creates the library like a writing command would).
MISSING_DATABASE_IS_AN_ERROR = READ_ONLY_COMMANDS - {"remind"}


class State:
    """Per-invocation state: where the database is, opened on first use."""

    def __init__(self, db: Path | None):
        self.db_option = db
        self._conn: sqlite3.Connection | None = None
        # What the running command is, for the journal (see handle_errors).
        self.command = "kwatch"
        self.summary: str | None = None

    @property
    def db_path(self) -> Path:
        from kwatch.paths import database_path

        return database_path(self.db_option)

    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            from kwatch.catalogue_files import index_fingerprint
            from kwatch.db import explain_sqlite_error, get_meta, open_database
            from kwatch.paths import opendata_layer_path

            self._check_database_exists()
            conn = open_database(self.db_path)
            try:
                layer = opendata_layer_path(self.db_path)
                stamp = index_fingerprint(layer)
                if get_meta(conn, "catalogue_fingerprint") != stamp:
                    # The files or the open-data layer changed (or this is a new database):
                    # rebuild the index.
                    from kwatch.catalogue import sync_catalogue

                    for problem in sync_catalogue(conn, stamp=stamp, layer=layer):
                        output.warning(f"skipped catalogue entry: {problem}")
                # Every change this command makes to the user's data is one operation of the
                # journal, which `kwatch undo` can revert. Commands that only read skip the
                # few milliseconds of setting it up.
                if self.command not in READ_ONLY_COMMANDS:
                    from kwatch import journal
                    from kwatch.clock import now

                    journal.begin(conn, self.command, self.summary, now=now())
            except sqlite3.Error as exc:
                raise explain_sqlite_error(self.db_path, exc) from None
            self._conn = conn
        return self._conn

    def _check_database_exists(self) -> None:
        if self.db_option is None or self.command not in MISSING_DATABASE_IS_AN_ERROR:
            return
        if not self.db_path.exists():
            from kwatch.errors import NotFound

            raise NotFound(
                f"no database at {self.db_path} (nothing recorded yet? `kwatch add` creates "
                "it); check --db or KWATCH_DB.",
                code="no_database",
            )


def clock_today():
    """Today, from the one clock (KWATCH_TODAY pins it)."""
    from kwatch.clock import today

    return today()


def resolve_title(ctx: typer.Context, query: str):
    """The one title `query` names, in this invocation's database. When it names none but the
    words typed after it would complete a title (`tag add Bleak Night friday`), the error
    says how to quote it."""
    from kwatch.errors import Ambiguous, NotFound
    from kwatch.titles import resolve

    conn = state(ctx).conn()
    try:
        return resolve(conn, query)
    except NotFound as exc:
        words = _words_after(ctx, query)
        for k in range(1, len(words) + 1):
            name = " ".join([query, *words[:k]])
            try:
                resolve(conn, name)
            except NotFound:
                continue
            except Ambiguous:
                pass
            rest = " ".join(words[k:])
            hint = f'{ctx.command_path} "{name}"' + (f" {rest}" if rest else "")
            raise NotFound(
                f"{query!r} names no title, but {name!r} does. A title with spaces needs "
                f"quotes: {hint}",
                details=exc.details,
            ) from None
        raise


def _words_after(ctx: typer.Context, query: str) -> list[str]:
    """The words of the arguments typed after the one holding `query`, in order."""
    arguments = [p for p in ctx.command.params if p.param_type_name == "argument"]
    words: list[str] = []
    seen = False
    for argument in arguments:
        value = ctx.params.get(argument.name or "")
        if seen and value is not None:
            words += [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
        seen = seen or value == query
    return words


def limit_option(for_people: int) -> Any:
    """The one --limit option: N rows, or `all`; the default cuts only tables for people.
    Use as `Annotated[str | None, limit_option(50)]`."""
    return typer.Option(
        "--limit",
        metavar="N|all",
        help=f"At most N rows, or all (default: {for_people} on a terminal; "
        "everything in a pipe or with --json).",
        show_default=False,
    )


ROWS_BEYOND_ANY_LIBRARY = 1 << 31


def parse_limit(text: str | None) -> int | None:
    """--limit as typed: None (not given), a count of 1 or more, or -1 for `all`."""
    if text is None:
        return None
    value = text.strip().lower()
    if value in ("all", "none", "-1"):
        return -1
    if not (value.isascii() and value.isdigit()):
        raise InvalidInput(f"--limit takes a number of rows or `all`, not {text!r}.")
    if int(value) < 1:
        raise InvalidInput(
            "--limit must be 1 or more (0 would show nothing); --limit all shows everything."
        )
    # More rows than any library holds is all of them (and would overflow SQLite's integers).
    return -1 if int(value) >= ROWS_BEYOND_ANY_LIBRARY else int(value)


def row_limit(limit: str | int | None, *, as_json: bool, for_people: int | None) -> int | None:
    """How many rows a list shows: --limit if given (None for `all`); otherwise everything
    for --json and in a pipe (a script must never miss rows), and `for_people` for a table
    on a terminal (rich tables slow down badly past a few hundred rows)."""
    count = parse_limit(str(limit)) if isinstance(limit, int) else parse_limit(limit)
    if count == -1:
        return None
    if count is not None:
        return count
    if as_json or not output.to_terminal():
        return None
    return for_people


def cut_notice(shown: int, total: int) -> str | None:
    """The caption of a table cut for people, saying how to see the rest."""
    if total <= shown:
        return None
    return f"showing {shown} of {total}; --limit all shows every row"


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State(None)
    return root.obj


def handle_errors(fn: F) -> F:
    """Map core errors to one line on stderr (or a JSON error document) and an exit code."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        as_json = bool(kwargs.get("as_json", False))
        ctx: Any = kwargs.get("ctx")
        # Typer hands commands its own copy of Click's Context, not typer.Context: duck-type.
        is_context = hasattr(ctx, "command_path") and hasattr(ctx, "find_root")
        if is_context:
            current = state(ctx)
            current.command = ctx.command_path.removeprefix("kwatch ").strip() or "kwatch"
            current.summary = _command_line(ctx)
        err: KwatchError
        try:
            _check_text_arguments(ctx if is_context else None, kwargs)
            return fn(*args, **kwargs)
        except KwatchError as exc:
            err = exc
        except UnicodeEncodeError:
            # Text that cannot be stored (a lone surrogate) that _check_text_arguments missed.
            err = InvalidInput("some text given is not valid UTF-8; retype it or fix its encoding.")
        except OverflowError:
            # A number too large for SQLite's 64-bit integers, in an option no check bounds.
            err = InvalidInput("a number given is too large; give a smaller one.")
        except OSError as exc:
            # A file the user named that cannot even be looked at (a name too long, a loop of
            # symlinks) where a check expected only "missing" or "there".
            name = exc.filename if exc.filename is not None else "a file"
            err = KwatchError(f"cannot use {name}: {exc.strerror or exc}.", code="file_error")
        except sqlite3.Error as exc:
            from kwatch.db import explain_sqlite_error

            # The file by its path, never "database": --db or KWATCH_DB as this run sees them.
            path = state(ctx).db_path if is_context else State(None).db_path
            err = explain_sqlite_error(path, exc)
        output.error(err, as_json=as_json)
        raise typer.Exit(err.exit_code) from None

    return wrapper  # type: ignore[return-value]


def given_options(ctx: typer.Context, names: list[str]) -> list[str]:
    """The flags (as typed: --runtime) of the parameters `names` given on the command line."""
    flags = []
    for param in ctx.command.params:
        if param.name in names:
            source = getattr(ctx.get_parameter_source(param.name or ""), "name", "")
            if source == "COMMANDLINE":
                flags.append(param.opts[0])
    return flags


# Options that name files: a file name may be any bytes (Python carries the undecodable ones as
# surrogate escapes, which the file functions turn back into the same bytes). Path-typed
# parameters arrive as Path objects and are never checked.
FILE_NAME_PARAMETERS = frozenset({"output_path", "to", "path"})


def _check_text_arguments(ctx: Any, kwargs: dict[str, Any]) -> None:
    """Refuse text that is not valid UTF-8 before anything runs: the shell passed bytes that
    do not decode (another encoding, a cut-off character), and SQLite can store only UTF-8."""
    for name, value in kwargs.items():
        for text in value if isinstance(value, list | tuple) else [value]:
            is_file_name = isinstance(text, Path) or name in FILE_NAME_PARAMETERS
            if is_file_name and "\x00" in str(text):
                # Only in-process callers can pass one (argv cannot hold a NUL byte).
                raise InvalidInput(f"{str(text)!r} is not a file name: it holds a NUL byte.")
            if isinstance(text, str) and not is_file_name and not _is_utf8(text):
                params = {p.name: p for p in ctx.command.params} if ctx is not None else {}
                param = params.get(name)
                is_option = param is not None and param.param_type_name == "option"
                what = param.opts[0] if param is not None and is_option else name.upper()
                raise InvalidInput(
                    f"{what} is not valid UTF-8 text; retype it, or set the terminal to UTF-8."
                )


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _command_line(ctx: typer.Context) -> str:
    """The command as typed, near enough: its arguments and the options given."""
    from typer.core import TyperArgument as Argument  # typer carries its own copy of Click

    # "tag add Oasis x", not "'tag add' Oasis x": a group and its command are two words.
    words = ctx.command_path.removeprefix("kwatch ").split()
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        if param.name == "as_json" or value in (None, False, [], ()):
            continue
        values = value if isinstance(value, list | tuple) else [value]
        if isinstance(param, Argument):
            words += [str(v) for v in values]
        elif getattr(ctx.get_parameter_source(param.name or ""), "name", "") == "COMMANDLINE":
            flag = param.opts[0]
            words += [flag] if value is True else [w for v in values for w in (flag, str(v))]
    import shlex

    return shlex.join(words)


# The filters shared by list, search and pick (one definition, one meaning everywhere).
ThemeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--theme",
        "-t",
        help="Only titles with this theme (repeat: all must match).",
        autocompletion=complete_theme,
    ),
]
AvoidOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--avoid",
        help="Leave out titles with this theme or content note (repeatable).",
        autocompletion=complete_theme,
    ),
]
YearOpt = Annotated[
    str | None, typer.Option("--year", help="A year or range: 2010, 2005-2010, 2005-, -1999.")
]
DecadeOpt = Annotated[str | None, typer.Option("--decade", help="A decade: 2000s, 90s.")]
DirectorOpt = Annotated[
    str | None, typer.Option("--director", help="Director name, or part of it.")
]
KindOpt = Annotated[
    str | None,
    typer.Option("--kind", help="film or tv-series.", autocompletion=complete_kind),
]
MaxRuntimeOpt = Annotated[
    int | None, typer.Option("--max-runtime", help="At most this many minutes.")
]
WatchedOpt = Annotated[
    bool | None,
    typer.Option("--watched/--unwatched", help="Only titles you have (or have not) seen."),
]
ListOpt = Annotated[
    str | None,
    typer.Option(
        "--list",
        help="Only titles in this list of yours (id or name).",
        autocompletion=complete_list_name,
    ),
]
InWatchlistOpt = Annotated[
    bool | None,
    typer.Option(
        "--in-watchlist/--not-in-watchlist", help="Only titles in (or not in) your library."
    ),
]


def build_filters(
    theme: list[str] | None = None,
    avoid: list[str] | None = None,
    year: str | None = None,
    decade: str | None = None,
    director: str | None = None,
    kind: str | None = None,
    max_runtime: int | None = None,
    watched: bool | None = None,
    in_watchlist: bool | None = None,
    in_list: str | None = None,
):  # -> Filters (imported lazily)
    from kwatch.filters import Filters

    return Filters.build(
        themes=theme,
        avoid=avoid,
        year=year,
        decade=decade,
        director=director,
        kind=kind,
        max_runtime=max_runtime,
        watched=watched,
        in_watchlist=in_watchlist,
        in_list=in_list,
    )
