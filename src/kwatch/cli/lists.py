"""The user's lists: kwatch lists show / create / edit / add / remove / move / delete / export."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kwatch import output
from kwatch.cli.common import JsonFlag, clock_today, handle_errors, resolve_title, state
from kwatch.cli.complete import complete_list_name
from kwatch.cli.library import TitleArg
from kwatch.cli.root import app

if TYPE_CHECKING:
    from kwatch.lists import UserList

lists_app = typer.Typer(
    name="lists",
    help="Your lists (ranked or not, with notes per film): a list is not your watchlist.",
    no_args_is_help=True,
)
app.add_typer(lists_app, name="lists")

ListArg = Annotated[
    str,
    typer.Argument(
        help="The list's id or name.", show_default=False, autocompletion=complete_list_name
    ),
]


def _readable(text: str) -> str:
    from kwatch.transfer.html_text import readable

    return readable(text) if "<" in text or "&" in text else text


def _as_is(text: str) -> str:
    return text


def _show(found: UserList, as_json: bool, done: str | None = None) -> None:
    if as_json:
        output.emit_json(found.to_dict())
        return
    if done:
        output.message(done)
    # Letterboxd writes a list's description and notes in a little HTML; they are kept as it
    # wrote them (they go back out so), and read here as text.
    readable = _readable if (found.source or "").startswith("letterboxd:") else _as_is
    caption = readable(found.description) if found.description else None
    output.table(
        ["#" if found.ranked else "", "Title", "Year", "Note", "Id"],
        [
            (i.position, i.title.title, i.title.year or "", readable(i.note or ""), i.title.id)
            for i in found.items
        ],
        title=f"{found.name} [{found.id}]",
        caption=caption,
    )


@lists_app.command("show")
@handle_errors
def show(
    ctx: typer.Context,
    name: Annotated[
        str | None,
        typer.Argument(
            help="A list's id or name; none: all your lists.", autocompletion=complete_list_name
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show your lists, or the films of one in order.

    \b
    Example: kwatch lists show
             kwatch lists show "All-Time Favorites" --json
    """
    from kwatch.lists import all_lists, find_list_id, get_list

    conn = state(ctx).conn()
    if name is not None:
        _show(get_list(conn, find_list_id(conn, name)), as_json)
        return
    found = all_lists(conn)
    if as_json:
        output.emit_json([x.to_dict(with_items=False) for x in found])
        return
    if not found:
        output.message('You have no lists. Make one: kwatch lists create "Friday films".')
        return
    output.table(
        ["Name", "Films", "Ranked", "Id"],
        [(x.name, x.size, "yes" if x.ranked else "", x.id) for x in found],
    )


@lists_app.command("create")
@handle_errors
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The new list's name.", show_default=False)],
    description: Annotated[str | None, typer.Option(help="What the list is.")] = None,
    ranked: Annotated[bool, typer.Option("--ranked", help="The order is a ranking.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Create a list.

    \b
    Example: kwatch lists create "Friday films" --ranked
    """
    from kwatch.library.lists import create_list

    made = create_list(
        state(ctx).conn(), name, today=clock_today(), description=description, ranked=ranked
    )
    _show(made, as_json, f"Created the list {made.name} [{made.id}].")


@lists_app.command("edit")
@handle_errors
def edit(
    ctx: typer.Context,
    name: ListArg,
    new_name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    description: Annotated[
        str | None, typer.Option(help="A new description (empty: none).")
    ] = None,
    ranked: Annotated[
        bool | None, typer.Option("--ranked/--unranked", help="Is the order a ranking?")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Rename a list, or change its description or whether it is ranked.

    \b
    Example: kwatch lists edit friday-films --name "Saturday films"
    """
    from kwatch.library.lists import edit_list

    changed = edit_list(
        state(ctx).conn(), name, new_name=new_name, description=description, ranked=ranked
    )
    _show(changed, as_json, f"Updated the list {changed.name}.")


@lists_app.command("add")
@handle_errors
def add(
    ctx: typer.Context,
    name: ListArg,
    title: TitleArg,
    position: Annotated[int | None, typer.Option(help="At this place (default: last).")] = None,
    note: Annotated[str | None, typer.Option(help="A note about the film in this list.")] = None,
    as_json: JsonFlag = False,
) -> None:
    """Put a film in a list (it does not go on your watchlist).

    \b
    Example: kwatch lists add friday-films "Bleak Night" --position 1
    """
    from kwatch.library.lists import add_to_list

    found = resolve_title(ctx, title)
    changed = add_to_list(state(ctx).conn(), name, found, position=position, note=note)
    _show(changed, as_json, f"{found.label} is in {changed.name}.")


@lists_app.command("move")
@handle_errors
def move(
    ctx: typer.Context,
    name: ListArg,
    title: TitleArg,
    position: Annotated[int, typer.Argument(help="The new place, from 1.", show_default=False)],
    as_json: JsonFlag = False,
) -> None:
    """Reorder a list: move a film to another place.

    \b
    Example: kwatch lists move all-time-favorites parasite-2019 1
    """
    from kwatch.library.lists import move_in_list

    found = resolve_title(ctx, title)
    changed = move_in_list(state(ctx).conn(), name, found, position)
    _show(changed, as_json, f"Moved {found.label} to {min(position, changed.size)}.")


@lists_app.command("remove")
@handle_errors
def remove(ctx: typer.Context, name: ListArg, title: TitleArg, as_json: JsonFlag = False) -> None:
    """Take a film out of a list.

    \b
    Example: kwatch lists remove friday-films bleak-night-2011
    """
    from kwatch.library.lists import remove_from_list

    found = resolve_title(ctx, title)
    changed = remove_from_list(state(ctx).conn(), name, found)
    _show(changed, as_json, f"Took {found.label} out of {changed.name}.")


@lists_app.command("delete")
@handle_errors
def delete(ctx: typer.Context, name: ListArg, as_json: JsonFlag = False) -> None:
    """Delete a list (the films stay in your library, if they were there).

    \b
    Example: kwatch lists delete friday-films
    """
    from kwatch.library.lists import delete_list

    gone = delete_list(state(ctx).conn(), name)
    if as_json:
        output.emit_json(gone.to_dict())
    else:
        output.message(f"Deleted the list {gone.name} ({output.plural(gone.size, 'film')}).")


@lists_app.command("export")
@handle_errors
def export(
    ctx: typer.Context,
    name: ListArg,
    output_path: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Write the CSV here instead of stdout (- is stdout; a folder gets LIST-ID.csv "
            "inside it).",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Export a list as Letterboxd's list CSV (Position, Name, Year, URL, Description).

    \b
    Example: kwatch lists export all-time-favorites -o favourites.csv
    """
    from kwatch.files import STDOUT, output_target
    from kwatch.lists import find_list_id, get_list
    from kwatch.transfer.letterboxd_export import list_csv
    from kwatch.transfer.spreadsheet import write_text

    conn = state(ctx).conn()
    found = get_list(conn, find_list_id(conn, name))
    text = list_csv(conn, found)
    if output_path is None or output_path == STDOUT:
        if as_json:
            output.emit_json({**found.to_dict(), "csv": text})
        else:
            output.plain(text.rstrip("\n"))
        return
    written = write_text(output_target(output_path, f"{found.id}.csv"), text)
    if as_json:
        output.emit_json({**found.to_dict(), "csv": None})
    else:
        output.message(f"Wrote {output.plural(found.size, 'film')} of {found.name} to {written}.")
