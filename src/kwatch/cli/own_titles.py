"""One's own titles (added with --custom): kwatch edit and kwatch merge, both undoable."""

from __future__ import annotations

from typing import Annotated

import typer

from kwatch import output
from kwatch.cli.common import JsonFlag, handle_errors, resolve_title, state
from kwatch.cli.complete import complete_title
from kwatch.cli.library import TitleArg
from kwatch.cli.records import UNDO_HINT
from kwatch.cli.root import app


@app.command()
@handle_errors
def edit(
    ctx: typer.Context,
    title: TitleArg,
    new_title: Annotated[
        str | None, typer.Option("--title", help="The English title (renames it).")
    ] = None,
    year: Annotated[int | None, typer.Option(help="The year.")] = None,
    clear_year: Annotated[bool, typer.Option("--clear-year", help="No year.")] = False,
    director: Annotated[
        list[str] | None,
        typer.Option("--director", help="Director (repeatable; replaces the list)."),
    ] = None,
    korean_title: Annotated[
        str | None, typer.Option("--korean-title", help='The Korean title ("" takes it away).')
    ] = None,
    runtime: Annotated[int | None, typer.Option(help="Minutes.")] = None,
    force: Annotated[
        bool,
        typer.Option("--force", help="Rename it even if the catalogue has a film of that name."),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Correct the facts of a title of your own (added with --custom); its id stays.

    Catalogue titles keep the catalogue's facts; `kwatch release` corrects release dates.

    \b
    Example: kwatch edit "Our Own Film" --title "Our Own Film: Redux" --year 2026
             kwatch edit our-own-film-2027 --director "Kim Bora" --runtime 98
    """
    from kwatch.errors import InvalidInput
    from kwatch.library.own_titles import KEEP, edit_own_title

    if year is not None and clear_year:
        raise InvalidInput("give --year or --clear-year, not both.")
    result = edit_own_title(
        state(ctx).conn(),
        resolve_title(ctx, title),
        new_title=new_title,
        year=None if clear_year else (KEEP if year is None else year),
        directors=director,
        original_title=KEEP if korean_title is None else korean_title,
        runtime_min=KEEP if runtime is None else runtime,
        force=force,
    )
    if as_json:
        output.emit_json({**result.after.to_dict(), "changed_fields": result.changed})
        return
    what = ", ".join(result.changed) if result.changed else "nothing (the same values)"
    output.message(f"Edited {result.after.label} [{result.after.id}]: {what}{UNDO_HINT}.")


@app.command()
@handle_errors
def merge(
    ctx: typer.Context,
    keep: Annotated[
        str,
        typer.Argument(
            help="The title that stays.", show_default=False, autocompletion=complete_title
        ),
    ],
    other: Annotated[
        str,
        typer.Argument(
            help="Your own title, the same film: it goes.",
            show_default=False,
            autocompletion=complete_title,
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Merge your own title OTHER into KEEP when they turn out to be one film.

    Everything recorded about OTHER moves to KEEP (viewings, notes, reviews, tags, lists,
    releases, status changes); then OTHER is gone. Where only one can stay: the newest
    rating, the status set last, the higher priority and the earlier day added win.

    \b
    Example: kwatch merge our-film-2027 "Our Film"
             kwatch merge oldboy-2003 oldboy
    """
    from kwatch.library import find_entry
    from kwatch.library.own_titles import merge_titles

    conn = state(ctx).conn()
    result = merge_titles(conn, resolve_title(ctx, keep), resolve_title(ctx, other))
    entry = find_entry(conn, result.kept.id)
    if as_json:
        output.emit_json(
            {
                "id": result.kept.id,
                "title": result.kept.title,
                "merged": result.merged.id,
                "moved": result.moved,
                "rating_from": result.rating_from,
                "status_from": result.status_from,
                "entry": entry.to_dict() if entry else None,
            }
        )
        return
    words = {"status_changes": "status change", "source_ids": "source id"}
    moved = ", ".join(
        output.plural(n, words.get(kind, kind.rstrip("s"))) for kind, n in result.moved.items() if n
    )
    output.message(
        f"Merged {result.merged.label} [{result.merged.id}] into {result.kept.label} "
        f"[{result.kept.id}]: moved {moved or 'nothing'}{UNDO_HINT}."
    )
