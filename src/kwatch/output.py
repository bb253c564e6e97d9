"""The only module that writes to the terminal.

JSON goes to stdout as exactly one document, never through rich (rich wraps long lines and reads
"[...]" as markup). Tables and panels for people go to stdout; messages, warnings and errors go
to stderr. rich is imported only when something is drawn for a person.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from kwatch.errors import KwatchError

# The version of the JSON contract (see CHANGELOG.md and `kwatch schema`). Every document says
# which version it follows: an object carries "schema_version" first; an array carries it on
# each of its objects, so `jq '.[]'` pipelines keep working.
SCHEMA_VERSION = 1


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 title", "2 titles", "0 entries" (with many="entries")."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def versioned(document: Any) -> Any:
    if isinstance(document, dict):
        return {"schema_version": SCHEMA_VERSION, **document}
    if isinstance(document, list):
        return [versioned(item) if isinstance(item, dict) else item for item in document]
    return document


def emit_json(document: Any) -> None:
    sys.stdout.write(json.dumps(versioned(document), ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def plain(text: str = "") -> None:
    """A line of data for people or scripts, written as is (no markup)."""
    sys.stdout.write(text + "\n")


def message(text: str) -> None:
    """A message for the person at the terminal (stderr, so pipes carry only data)."""
    sys.stderr.write(text + "\n")


def warning(text: str) -> None:
    sys.stderr.write(f"Warning: {text}\n")


def error(exc: KwatchError, *, as_json: bool) -> None:
    text = " ".join(exc.message.split("\n"))
    if as_json:
        document = versioned({"error": {"code": exc.code, "message": text}})
        sys.stderr.write(json.dumps(document, ensure_ascii=False) + "\n")
    else:
        sys.stderr.write(f"Error: {text}\n")


_console: Console | None = None


def console() -> Console:
    global _console
    if _console is None:
        from rich.console import Console

        # NO_COLOR and a pipe both give plain text; rich honours NO_COLOR itself, and only
        # colours a terminal.
        _console = Console(highlight=False, no_color=bool(os.environ.get("NO_COLOR")))
    return _console


def esc(value: object) -> str:
    from rich.markup import escape

    return escape("" if value is None else str(value))


def _to_terminal() -> bool:
    return sys.stdout.isatty()


def _cell(value: object) -> str:
    return " ".join(("" if value is None else str(value)).split())


def table(
    columns: Iterable[str],
    rows: Iterable[Iterable[object]],
    *,
    title: str | None = None,
    caption: str | None = None,
) -> None:
    """A rich table on a terminal; in a pipe, plain tab-separated lines (a header, then one line
    a row) that cut, awk and head can use, never squeezed to the terminal's width. A title
    becomes a "# title" line before it; a caption goes to stderr."""
    if not _to_terminal():
        lines = [f"# {title}"] if title else []
        lines.append("\t".join(columns))
        lines += ["\t".join(_cell(value) for value in row) for row in rows]
        sys.stdout.write("\n".join(lines) + "\n")
        if caption:
            message(caption)
        return
    from rich.table import Table

    grid = Table(title=title, caption=caption, header_style="bold", show_lines=False)
    for column in columns:
        grid.add_column(column, overflow="fold")
    for row in rows:
        grid.add_row(*(esc(cell) for cell in row))
    console().print(grid)


def panel(title: str, lines: list[tuple[str, object]], *, body: str | None = None) -> None:
    """A rich panel on a terminal; in a pipe, "Label: value" lines and the body as it is."""
    if not _to_terminal():
        out = [title]
        for label, value in lines:
            if value not in (None, "", [], ()):
                text = str(value).replace("\n", "\n" + " " * (len(label) + 2))
                out.append(f"{label}: {text}")
        if body:
            out += ["", body]
        sys.stdout.write("\n".join(out) + "\n")
        return
    from rich.panel import Panel
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(overflow="fold")
    for label, value in lines:
        if value not in (None, "", [], ()):
            grid.add_row(esc(label), esc(value))
    if body:
        from rich.console import Group
        from rich.text import Text

        content: Any = Group(grid, Text(""), Text(body))
    else:
        content = grid
    console().print(Panel(content, title=esc(title), title_align="left", expand=False))


def raw(data: bytes) -> None:
    """Bytes written as they are, e.g. an iCalendar file, which must keep its CRLF endings
    (a text stream would translate them on Windows)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


class Progress:
    """A progress bar on stderr when stderr is a terminal; silent otherwise (pipes, --json to a
    file, tests). Called as progress(stage, done, total)."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._task: Any = None
        self._stage: str | None = None

    def __enter__(self) -> Progress:
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress as Bar

            self._bar = Bar(console=Console(stderr=True), transient=True)
            self._bar.start()
        return self

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        if self._bar is None:
            return
        if stage != self._stage:
            self._stage = stage
            self._task = self._bar.add_task(esc(stage), total=total)
        self._bar.update(self._task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
