"""The only module that writes to the terminal.

JSON goes to stdout as exactly one document, never through rich (rich wraps long lines and reads
"[...]" as markup). Tables and panels for people go to stdout; messages, warnings and errors go
to stderr. rich is imported only when something is drawn for a person.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from json.encoder import encode_basestring as _encode_string
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

    from kwatch.errors import KwatchError

# The version of the JSON contract (see CHANGELOG.md and `kwatch schema`). Every document says
# which version it follows: an object carries "schema_version" first; an array carries it on
# each of its objects, so `jq '.[]'` pipelines keep working.
SCHEMA_VERSION = 1
_INFINITY = float("inf")


# Control characters in text for people (titles, notes, tags from any source) are shown as
# visible escapes, never sent raw: an escape sequence in a title must not recolour the terminal,
# write a hyperlink or set the clipboard (OSC 8, OSC 52). Newlines and tabs are layout and stay.
# Bidirectional overrides are shown too: they can make text read differently than it is.
_VISIBLE = {
    code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
    for code in [
        *range(0x00, 0x20),
        0x7F,
        *range(0x80, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    ]
    if code not in (0x09, 0x0A)
}


def _replacer(table: dict[int, str]) -> Callable[[str], str]:
    """str.translate(table) for a table of a few characters, by one regular-expression scan:
    translate looks every character up in Python (about 80 ms a megabyte, and a search that
    returns thousands of titles writes several megabytes of JSON)."""
    escapes = {chr(code): text for code, text in table.items()}
    compiled: list[re.Pattern[str]] = []  # on first use: not every command writes text

    def replace(text: str) -> str:
        if not compiled:
            compiled.append(re.compile("[" + re.escape("".join(escapes)) + "]"))
        return compiled[0].sub(lambda found: escapes[found.group()], text)

    return replace


_visible_escapes = _replacer(_VISIBLE)


def visible(text: str) -> str:
    """`text` with control characters as visible escapes ("\\x1b"); JSON is not passed
    through this: json.dumps escapes them already."""
    return _encodable(_visible_escapes(text))


def _encodable(text: str) -> str:
    """`text` with lone surrogates (a file name that is not UTF-8, carried as surrogate
    escapes) as visible \udcff escapes: written as they are, they would raise."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def plural(count: int, word: str, many: str | None = None) -> str:
    """ "1 title", "2 titles", "0 entries" (with many="entries")."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def versioned(document: Any) -> Any:
    if isinstance(document, dict):
        return {"schema_version": SCHEMA_VERSION, **document}
    if isinstance(document, list):
        return [versioned(item) if isinstance(item, dict) else item for item in document]
    return document


# json.dumps escapes the C0 controls but writes DEL, the C1 controls (0x9b is CSI to some
# terminals) and the bidirectional overrides as they are: write those as \u escapes too, which
# is the same JSON (they can occur only inside strings) and harmless on a terminal.
_JSON_ESCAPED = {code: f"\\u{code:04x}" for code in _VISIBLE if code >= 0x7F}
_escape_json_specials = _replacer(_JSON_ESCAPED)


def json_text(document: Any, *, indent: int | None = 2) -> str:
    """`document` as JSON for stdout, stderr or a file (see _JSON_ESCAPED)."""
    text = (
        dumps_indented(document)
        if indent == 2
        else json.dumps(document, ensure_ascii=False, indent=indent)
    )
    return _encodable(_escape_json_specials(text))


def emit_json(document: Any) -> None:
    sys.stdout.write(json_text(versioned(document)) + "\n")
    sys.stdout.flush()


def dumps_indented(document: Any) -> str:
    """json.dumps(document, ensure_ascii=False, indent=2), character for character.

    With an indent the standard library falls back to its pure-Python encoder, one generator
    step per value: a search that returns every one of thousands of hits spent most of its
    time there. This writes the same text in one pass over plain dicts, lists and scalars;
    anything else (or a cycle) goes to json.dumps, which gives the same text or the same
    error as before."""
    parts: list[str] = []
    try:
        _encode_into(document, parts, "\n")
    except (_NotPlain, RecursionError):
        return json.dumps(document, ensure_ascii=False, indent=2)
    return "".join(parts)


class _NotPlain(Exception):
    """A value only json.dumps knows how to write (or to refuse)."""


def _encode_key(key: Any) -> str:
    if type(key) is str:
        return key
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if type(key) is int:
        return int.__repr__(key)
    raise _NotPlain


def _encode_into(value: Any, parts: list[str], newline: str) -> None:
    kind = type(value)
    if kind is str:
        parts.append(_encode_string(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif kind is int:
        parts.append(int.__repr__(value))
    elif kind is float and value == value and value not in (_INFINITY, -_INFINITY):
        parts.append(float.__repr__(value))
    elif kind is dict:
        if not value:
            parts.append("{}")
            return
        inner = newline + "  "
        separator = "," + inner
        parts.append("{" + inner)
        first = True
        for key, item in value.items():
            if not first:
                parts.append(separator)
            first = False
            key_text = _encode_string(key if type(key) is str else _encode_key(key))
            # Strings and null, most of any document, without a call each.
            if type(item) is str:
                parts.append(key_text + ": " + _encode_string(item))
            elif item is None:
                parts.append(key_text + ": null")
            else:
                parts.append(key_text + ": ")
                _encode_into(item, parts, inner)
        parts.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            parts.append("[]")
            return
        inner = newline + "  "
        separator = "," + inner
        parts.append("[" + inner)
        first = True
        for item in value:
            if not first:
                parts.append(separator)
            first = False
            if type(item) is str:
                parts.append(_encode_string(item))
            else:
                _encode_into(item, parts, inner)
        parts.append(newline + "]")
    else:
        raise _NotPlain


def plain(text: str = "") -> None:
    """Data for scripts, written exactly as is (a CSV export keeps its CR LF): text meant for
    a person goes through `visible` first."""
    sys.stdout.write(text + "\n")


def message(text: str) -> None:
    """A message for the person at the terminal (stderr, so pipes carry only data)."""
    sys.stderr.write(visible(text) + "\n")


def warning(text: str) -> None:
    sys.stderr.write(f"Warning: {visible(text)}\n")


def error(exc: KwatchError, *, as_json: bool) -> None:
    text = " ".join(exc.message.split("\n"))
    if as_json:
        document = versioned({"error": {"code": exc.code, "message": text}})
        sys.stderr.write(json_text(document, indent=None) + "\n")
    else:
        sys.stderr.write(f"Error: {visible(text)}\n")


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

    return escape(visible("" if value is None else str(value)))


def can_ask() -> bool:
    """True when a person can answer a question: stdin is a terminal (not a pipe or a file)."""
    return sys.stdin.isatty()


def confirm(question: str) -> bool:
    """Ask a yes/no question on the terminal (stderr), no by default."""
    import typer

    return typer.confirm(visible(question), default=False, err=True)


def _to_terminal() -> bool:
    return sys.stdout.isatty()


def to_terminal() -> bool:
    """True when stdout is a person's terminal (tables, default limits); False in a pipe."""
    return _to_terminal()


def _cell(value: object) -> str:
    return " ".join(visible("" if value is None else str(value)).split())


# Tokens people copy (ids, dates) never wrap. When a terminal is too narrow the columns in
# DROP_FIRST go first, in that order; then titles give way, ellipsised on one line. Lists of
# words (themes, tags, directors) keep whole words: what does not fit becomes "+N".
NO_WRAP = ("Id",)
DROP_FIRST = (
    *("Korean", "Matched", "Tags", "Seen", "Pri", "Directed by", "List", "Release", "Themes"),
    *("Source", "Note", "Region", "Rating"),
)
LISTS = ("Themes", "Tags", "Directed by")
_SMALL = 10  # a column this narrow keeps its full width
_MIN_FLEX = {"Title": 16}  # the least a flexible column is given; others 10
_LEAST_TITLE = 8  # ... and a title beside an id too long for that


def _layout(columns: list[str], rows: list[list[str]], width: int) -> dict[int, tuple[int, bool]]:
    """{column index: (width, fixed)} for the columns shown at a terminal `width`; a fixed
    column is as wide as its content and never wraps. Columns are dropped, least important
    first, until the rest fit."""
    longest = [max([len(c), *(len(r[i]) for r in rows)]) for i, c in enumerate(columns)]
    keep = list(range(len(columns)))
    squeezed = False  # past the usual drop order, a title may be as narrow as _LEAST_TITLE
    while True:
        fixed = [i for i in keep if columns[i] in NO_WRAP or longest[i] <= _SMALL]
        flex = [i for i in keep if i not in fixed]
        room = width - 1 - 3 * len(keep) - sum(longest[i] for i in fixed)
        minimum = {**_MIN_FLEX, "Title": _LEAST_TITLE} if squeezed else _MIN_FLEX
        least = sum(min(minimum.get(columns[i], 10), longest[i]) for i in flex)
        droppable = [n for n in DROP_FIRST if any(columns[i] == n for i in keep)]
        if not droppable and len(keep) > 1:
            # Past the usual order (a long id on a narrow terminal): any other column, left
            # to right, then the title (ellipsised down to a few letters first); the ids stay,
            # whole.
            if not squeezed:
                squeezed = True
                continue
            droppable = [columns[i] for i in keep if columns[i] not in (*NO_WRAP, "Title")]
            droppable = droppable or [columns[i] for i in keep if columns[i] == "Title"]
        if room >= least or not droppable:
            break
        keep = [i for i in keep if columns[i] != droppable[0]]
    layout = {i: (longest[i], True) for i in fixed}
    # Share the room: narrow columns take what they need, the rest split what is left (at
    # least 4 each, on a terminal too narrow for anything).
    left = room
    for n, i in enumerate(sorted(flex, key=lambda i: longest[i])):
        share = max(4, min(longest[i], left // (len(flex) - n)))
        layout[i] = (share, False)
        left -= share
    return dict(sorted(layout.items()))


def _whole_words(text: str, width: int) -> str:
    """A comma-separated list cut to `width` between items: "drama, crime, +2"."""
    items = [part.strip() for part in text.split(",") if part.strip()]
    if len(text) <= width:
        return text
    shown: list[str] = []
    for n, item in enumerate(items):
        rest = len(items) - n - 1
        candidate = ", ".join([*shown, item]) + (f", +{rest}" if rest else "")
        if len(candidate) > width and shown:
            return ", ".join(shown) + f", +{len(items) - n}"
        shown.append(item)
    return ", ".join(shown)


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
        lines = [f"# {_cell(title)}"] if title else []
        lines.append("\t".join(columns))
        lines += ["\t".join(_cell(value) for value in row) for row in rows]
        sys.stdout.write("\n".join(lines) + "\n")
        if caption:
            message(caption)
        return
    from rich.table import Table

    names = list(columns)
    cells = [[_cell(value) for value in row] for row in rows]
    layout = _layout(names, cells, console().width)
    grid = Table(
        title=esc(title) if title else None,
        caption=esc(caption) if caption else None,
        header_style="bold",
        show_lines=False,
    )
    for i, (width, fixed) in layout.items():
        name = names[i]
        if fixed:
            grid.add_column(name, no_wrap=True, min_width=width)
        elif name in LISTS:
            cells = [[*r[:i], _whole_words(r[i], width), *r[i + 1 :]] for r in cells]
            grid.add_column(name, width=width, no_wrap=True, overflow="ellipsis")
        elif name == "Title":
            grid.add_column(name, width=width, no_wrap=True, overflow="ellipsis")
        else:
            # Wraps between words; a word too long for the column is ellipsised, not split.
            grid.add_column(name, width=width, overflow="ellipsis")
    for row in cells:
        grid.add_row(*(esc(row[i]) for i in layout))
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
        sys.stdout.write(visible("\n".join(out)) + "\n")
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

        content: Any = Group(grid, Text(""), Text(visible(body)))
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
        self._tasks: dict[str, Any] = {}

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
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(esc(stage), total=total)
        self._bar.update(self._tasks[stage], completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.stop()
