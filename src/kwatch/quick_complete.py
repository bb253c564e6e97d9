"""Title completion, and a <Tab> on a title answered before Typer is loaded.

Most <Tab>s complete a title (`kwatch show Blea<Tab>`), and importing Typer alone costs more
than the whole answer. `answer()` settles exactly that case: the words before the cursor are a
command whose first argument is a title (TITLE_FIRST, checked against the app by a test) and
nothing else, and the word being completed is not an option. It prints what Typer's completion
would print for the same call (a test compares the two for each shell); anything else, options
and their values included, returns None and the full CLI answers.

Imports nothing from kwatch.cli, typer or rich; the title matching lives here so that both
paths share it (kwatch.cli.complete re-exports complete_title for the Typer parameters).
"""

from __future__ import annotations

import os
import sqlite3

# Not `from typing import TYPE_CHECKING` (see kwatch.entry): Mapping is only an annotation.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

# Commands whose first argument is a title completed by complete_title. A test derives the set
# from the app and fails when they differ; a command missing here still completes, only slower.
TITLE_FIRST: frozenset[tuple[str, ...]] = frozenset(
    {
        ("add",),
        ("edit",),
        ("merge",),
        ("rate",),
        ("release",),
        ("remove",),
        ("show",),
        ("status",),
        ("unrate",),
        ("watched",),
        ("note", "add"),
        ("note", "delete"),
        ("note", "edit"),
        ("review", "delete"),
        ("review", "edit"),
        ("tag", "add"),
        ("tag", "remove"),
        ("viewing", "delete"),
        ("viewing", "edit"),
    }
)

_SHELLS = ("bash", "zsh", "fish")


def open_library(database: str | None = None) -> sqlite3.Connection | None:
    """The library read-only: --db's value where the command line gives one, else KWATCH_DB
    or the per-user default; None when there is none yet (or it holds no titles table)."""
    from kwatch.entry import connect_read_only
    from kwatch.paths import database_file

    path = database_file(database)
    if not os.path.exists(path):
        return None
    try:
        conn = connect_read_only(path)
        conn.execute("SELECT 1 FROM titles LIMIT 1")
        return conn
    except sqlite3.Error:
        return None


def _shell() -> str:
    """bash, zsh or fish: the shell asking (from Typer's _KWATCH_COMPLETE=complete_<shell>)."""
    return os.environ.get("_KWATCH_COMPLETE", "").rpartition("_")[2] or "bash"


def _words(text: str) -> list[str]:
    import re

    return [w for w in re.split(r"[\s\-:,.()'\"]+", text.casefold()) if w]


def complete_title(incomplete: str, database: str | None = None) -> list[tuple[str, str]]:
    """Titles whose id, name or any word of a name starts with what was typed, in any case
    (`Blea`, `blea`, `night` all find Bleak Night), each with its title as the help text.

    What is offered is what the shell can insert: a name that starts with exactly what was
    typed, where the shell can insert it (one word; zsh and fish quote names with spaces);
    otherwise the id. An empty word offers every id. `database`: the command line's --db.
    """
    if not incomplete.isascii():
        try:
            incomplete.encode("utf-8")
        except UnicodeEncodeError:
            return []  # bytes that are not UTF-8 (a broken terminal) match no title
    conn = open_library(database)
    key = incomplete.casefold()
    if conn is None:
        from kwatch.catalogue_files import bundled_title_files

        # No library yet: the bundled ids, by their start or by any word of them (`mister`).
        return [
            (p.stem, "")
            for p in bundled_title_files()
            if p.stem.startswith(key) or any(w.startswith(key) for w in p.stem.split("-"))
        ]
    with conn:
        if not incomplete:
            rows = conn.execute("SELECT id, title, year FROM titles ORDER BY id").fetchall()
            return [(row[0], _label(row[1], row[2])) for row in rows]
        pattern = "%" + _like(key) + "%"
        rows = conn.execute(
            "SELECT id, title, year, original_title, alt_titles FROM titles"
            " WHERE (id >= ? AND id < ?) OR title LIKE ? ESCAPE '\\'"
            " OR original_title LIKE ? ESCAPE '\\' OR alt_titles LIKE ? ESCAPE '\\'"
            " ORDER BY id LIMIT 1000",
            (key, key + "\U0010ffff", pattern, pattern, pattern),
        ).fetchall()
    import json

    spaces_ok = _shell() in ("zsh", "fish")
    out: list[tuple[str, str]] = []
    for title_id, title, year, original, alt_json in rows:
        names = [n for n in (title, original, *json.loads(alt_json or "[]")) if n]
        label = _label(title, year)
        exact = [n for n in names if n.startswith(incomplete)]
        insertable = [n for n in exact if spaces_ok or not any(c.isspace() for c in n)]
        if insertable:
            out += [(name, f"{label} [{title_id}]") for name in insertable]
        elif title_id.startswith(key) or any(
            n.casefold().startswith(key) or any(w.startswith(key) for w in _words(n)) for n in names
        ):
            out.append((title_id, label))
    return list(dict.fromkeys(out))[:200]


def _label(title: str, year: int | None) -> str:
    return f"{title} ({year})" if year else title


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# --- the <Tab> answered without Typer ------------------------------------------------------


def _split(line: str) -> list[str]:
    """Words as Click splits a completion line: shell quoting, and a word left open by an
    unclosed quote kept as typed so far."""
    import shlex

    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    words: list[str] = []
    try:
        words.extend(lexer)
    except ValueError:
        words.append(lexer.token)  # the open quote's word, as far as it goes
    return words


def _typed(environ: Mapping[str, str], shell: str) -> tuple[list[str], str]:
    """(the words before the cursor without the program, the word being completed), read
    from each shell's variables the way Typer reads them."""
    if shell == "bash":
        words = _split(environ.get("COMP_WORDS", ""))
        cword = int(environ.get("COMP_CWORD", ""))
        return words[1:cword], words[cword] if cword < len(words) else ""
    line = environ.get("_TYPER_COMPLETE_ARGS", "")
    words = _split(line)[1:]
    if words and not line.endswith(" "):
        return words[:-1], words[-1]
    return words, ""


def _zsh_quoted(text: str) -> str:
    return (
        text.replace('"', '""')
        .replace("'", "''")
        .replace("$", "\\$")
        .replace("`", "\\`")
        .replace(":", r"\\:")
    )


def _formatted(shell: str, values: list[tuple[str, str]]) -> str:
    """`values` in the form each shell's script reads from Typer."""
    if shell == "bash":
        return "\n".join(value for value, _ in values)
    if shell == "zsh":
        if not values:
            return "_files"
        items = [
            f'"{_zsh_quoted(value)}":"{_zsh_quoted(text)}"' if text else f'"{_zsh_quoted(value)}"'
            for value, text in values
        ]
        return "_arguments '*: :((" + "\n".join(items) + "))'"
    import re

    space = re.compile(r"\s")
    return "\n".join(
        f"{value}\t{space.sub(' ', text)}" if text else value for value, text in values
    )


def answer(environ: Mapping[str, str]) -> str | None:
    """What to print for this <Tab> when it completes the title right after a title command;
    None when the full CLI should answer (another command, an option, a script request)."""
    request = environ.get("_KWATCH_COMPLETE", "")
    shell = request.removeprefix("complete_")
    if shell not in _SHELLS or request == shell:
        return None  # source_bash and the like print a script: Typer's job
    if shell == "fish" and environ.get("_TYPER_COMPLETE_FISH_ACTION") != "get-args":
        return None  # Typer's own "is-args" question answers with an exit status
    try:
        before, incomplete = _typed(environ, shell)
    except ValueError:
        return None  # COMP_CWORD is not a number
    from kwatch.entry import leading_db

    found = leading_db(before)  # `kwatch --db FILE show Blea<Tab>`: FILE's titles
    if found is None:
        return None
    database, before = found
    if tuple(before) not in TITLE_FIRST or incomplete[:1] in ("-", "="):
        return None
    try:
        return _formatted(shell, complete_title(incomplete, database))
    except Exception:
        return None  # an unreadable database and the like: the full CLI explains
