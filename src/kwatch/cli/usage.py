"""One error contract for usage errors too: the root group runs Click itself, so an unknown
option or command, a bad value or a missing argument ends as every other failure does: one
`Error: ...` line on stderr (or the JSON error document with --json), exit 2, never a rich box.

Help is plain Click text everywhere: it wraps to the terminal's width, reads the same in a
pipe and costs no rich import (about +90 ms a run).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

import typer.core
from typer import exceptions as typer_exceptions
from typer._click import exceptions as click_exceptions  # typer is pinned <0.29

# Typer draws help and errors with rich when rich is importable; this switch is read at run
# time by Typer's format_help (checked by tests/test_usage.py).
typer.core.HAS_RICH = False

_EXTRA = re.compile(r"^Got unexpected extra arguments?(?:\(s\))? \((.*)\)$")
_TITLE_PARAMS = ("title", "query")
_POSSIBLE = re.compile(r"^(No such option: \S+) \(Possible options: (.*)\)$")


def usage_message(exc: click_exceptions.UsageError) -> str:
    """Click's message as one line, with the next step: a quoting hint for the words of a
    title typed without quotes, else where the options are listed."""
    text = " ".join(exc.format_message().split())
    if possible := _POSSIBLE.match(text):
        names = [n.strip() for n in possible.group(2).split(",")]
        text = f"{possible.group(1)}. Did you mean {' or '.join(names)}?"
    ctx = exc.ctx
    if ctx is None:
        return text
    extra = _EXTRA.match(text)
    hint = _quoted_title(ctx, extra.group(1).split()) if extra else _title_then_word(exc, ctx)
    if hint:
        return f"{text.rstrip('.')}. A title with spaces needs quotes: {ctx.command_path} {hint}"
    if text.endswith("?") or "Possible options" in text or "Did you mean" in text:
        return f"{text} ({ctx.command_path} --help lists them)"
    return f"{text.rstrip('.')}. See: {ctx.command_path} --help"


def _title_then_word(exc: click_exceptions.UsageError, ctx: Any) -> str | None:
    """`note edit Bleak Night 1`: the title took "Bleak" and the number "Night", which is not
    one. The word that was no number is the title's next word: say how to quote them."""
    param = getattr(exc, "param", None)
    title = next((ctx.params.get(p) for p in _TITLE_PARAMS if ctx.params.get(p)), None)
    words = [str(w) for w in (ctx.args or [])]
    value = re.search(r"'([^']+)' is not a valid", exc.format_message())
    if param is None or param.name in _TITLE_PARAMS or not isinstance(title, str) or not value:
        return None
    if param.param_type_name != "argument" or not value.group(1).isalpha():
        return None
    return " ".join([f'"{title} {value.group(1)}"', *words, "..."])


def _quoted_title(ctx: Any, extra: list[str]) -> str | None:
    """The words typed for a command whose first argument is a title, with the title's words
    quoted: `rate Bleak Night 4` is `rate "Bleak Night" 4`, since the arguments after the title
    take the last words. None when the command's arguments do not allow such a reading."""
    arguments = [p for p in ctx.command.params if p.param_type_name == "argument"]
    at = next((n for n, a in enumerate(arguments) if a.name in _TITLE_PARAMS), None)
    if at is None or any(a.nargs != 1 for a in arguments):
        return None
    given = [ctx.params.get(a.name) for a in arguments]
    if not all(isinstance(v, str) for v in given):
        return None
    typed = [*given, *extra]
    # The arguments before the title take the first words, those after it the last ones.
    end = len(typed) - (len(arguments) - 1 - at)
    title = " ".join(typed[at:end]).replace('"', '\\"')
    return " ".join([*typed[:at], f'"{title}"', *typed[end:]])


def _fail(message: str, *, as_json: bool, code: str, exit_code: int) -> None:
    from kwatch import output
    from kwatch.errors import KwatchError

    error = KwatchError(message, code=code)
    output.error(error, as_json=as_json)
    sys.exit(exit_code)


class KwatchGroup(typer.core.TyperGroup):
    """The root command: Click's `main` with our error contract instead of Typer's boxes."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        prog_name = prog_name or "kwatch"
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        self._main_shell_completion(extra, prog_name, complete_var)
        as_json = "--json" in args
        try:
            with self.make_context(prog_name, args, **extra) as ctx:
                self.invoke(ctx)
        except click_exceptions.NoArgsIsHelpError as exc:
            # `kwatch` or `kwatch catalogue` alone: the help, as asked for in effect.
            sys.stdout.write(exc.format_message() + "\n")
            sys.exit(0)
        except click_exceptions.UsageError as exc:
            _fail(usage_message(exc), as_json=as_json, code="usage", exit_code=2)
        except typer_exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except typer_exceptions.Abort:
            _fail("aborted; nothing was changed.", as_json=as_json, code="aborted", exit_code=1)
        except click_exceptions.ClickException as exc:
            _fail(
                " ".join(exc.format_message().split()),
                as_json=as_json,
                code="usage" if exc.exit_code == 2 else "error",
                exit_code=exc.exit_code,
            )
        except EOFError:
            _fail("no input; nothing was changed.", as_json=as_json, code="aborted", exit_code=1)
        except ValueError as exc:
            # Click's path checks raise this for a NUL byte or a lone surrogate, which only an
            # in-process caller can pass (argv holds neither); any other ValueError is a bug.
            if "null byte" not in str(exc) and not isinstance(exc, UnicodeEncodeError):
                raise
            _fail(
                "an argument holds a NUL byte or text that is not UTF-8, which no file name "
                "can; remove it.",
                as_json=as_json,
                code="usage",
                exit_code=2,
            )
        sys.exit(0)
