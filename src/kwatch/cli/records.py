"""Correcting records: kwatch viewing edit/delete, unrate, tag add/remove, note add/edit/delete,
review edit/delete. Every one is undoable (`kwatch undo`); one's own titles: own_titles.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from kwatch import output
from kwatch.cli.common import JsonFlag, clock_today, handle_errors, resolve_title, state
from kwatch.cli.complete import complete_scale
from kwatch.cli.library import TitleArg
from kwatch.cli.root import app

if TYPE_CHECKING:
    from kwatch.library.records import NoteChange, ViewingChange

NumberArg = Annotated[
    int, typer.Argument(help="Its number, as `kwatch show TITLE` lists them.", show_default=False)
]
UNDO_HINT = " (`kwatch undo` reverts it)"

viewing_app = typer.Typer(
    name="viewing",
    help="Correct or delete a viewing, addressed by its number in `show` or its date.",
    no_args_is_help=True,
)
tag_app = typer.Typer(name="tag", help="Add tags to a title, or remove them.", no_args_is_help=True)
note_app = typer.Typer(
    name="note", help="Add, edit or delete your private notes on a title.", no_args_is_help=True
)
review_app = typer.Typer(
    name="review", help="Edit or delete a review (imported from Letterboxd).", no_args_is_help=True
)
app.add_typer(viewing_app, name="viewing")
app.add_typer(tag_app, name="tag")
app.add_typer(note_app, name="note")
app.add_typer(review_app, name="review")


def _viewing_doc(change: ViewingChange, action: str) -> dict[str, Any]:
    return {
        **change.entry.to_dict(),
        "action": action,
        "number": change.number,
        "before": {"number": change.number_before, **change.before.to_dict()},
        "after": {"number": change.number, **change.after.to_dict()} if change.after else None,
        "rating_followed": change.rating_followed,
    }


@viewing_app.command("delete")
@handle_errors
def viewing_delete(
    ctx: typer.Context,
    title: TitleArg,
    number: Annotated[
        int | None,
        typer.Argument(help="Its number in `kwatch show TITLE`.", show_default=False),
    ] = None,
    on: Annotated[
        str | None, typer.Option("--on", help="The viewing on this date (as `show` lists it).")
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Delete one viewing (the title's only one needs no number). Status and rating stay.

    \b
    Example: kwatch viewing delete Oasis 2
             kwatch viewing delete Oasis --on 2024-03-01
    """
    from kwatch.library.records import delete_viewing

    change = delete_viewing(state(ctx).conn(), resolve_title(ctx, title), number=number, on=on)
    if as_json:
        output.emit_json(_viewing_doc(change, "deleted"))
        return
    output.message(
        f"Deleted viewing {change.number} of {change.entry.title.label} "
        f"({change.before.date}){UNDO_HINT}."
    )


@viewing_app.command("edit")
@handle_errors
def viewing_edit(
    ctx: typer.Context,
    title: TitleArg,
    number: Annotated[
        int | None,
        typer.Argument(
            help="Its number in `kwatch show TITLE` (the only viewing needs none).",
            show_default=False,
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", help="The new date: YYYY-MM-DD, YYYY-MM, YYYY, today or yesterday."),
    ] = None,
    precision: Annotated[
        str | None,
        typer.Option(help="Make the date vaguer: month or year (2024-03-05 -> 2024-03)."),
    ] = None,
    rating: Annotated[
        str | None, typer.Option(help="The viewing's rating: 0.5-5 in half stars.")
    ] = None,
    clear_rating: Annotated[
        bool, typer.Option("--clear-rating", help="Take the viewing's rating away.")
    ] = False,
    note: Annotated[
        str | None, typer.Option(help='The viewing\'s note ("" takes it away).')
    ] = None,
    scale: Annotated[
        int, typer.Option(help="Rating scale: 5 (stars) or 10.", autocompletion=complete_scale)
    ] = 5,
    force: Annotated[
        bool, typer.Option("--force", help="Accept a date before the title's year.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Change a viewing's date, precision, rating or note.

    When the title's rating came from this viewing, it follows the new rating.

    \b
    Example: kwatch viewing edit Oasis 1 --on 2024-03-02
             kwatch viewing edit Oasis 2 --rating 4 --note "with mum"
    """
    from kwatch.errors import InvalidInput
    from kwatch.library.records import KEEP, edit_viewing
    from kwatch.values import parse_rating, parse_viewing_date

    if rating is not None and clear_rating:
        raise InvalidInput("give --rating or --clear-rating, not both.")
    today = clock_today()
    conn = state(ctx).conn()
    found = resolve_title(ctx, title)
    new_date = parse_viewing_date(on, today) if on is not None else None
    if precision is not None:
        new_date = _vaguer(conn, found, number, new_date, precision)
    stars: Any = KEEP
    if clear_rating:
        stars = None
    elif rating is not None:
        stars = parse_rating(rating, scale)
    change = edit_viewing(
        conn,
        found,
        number,
        new_date=new_date,
        rating=stars,
        note=KEEP if note is None else note,
        force=force,
    )
    if as_json:
        output.emit_json(_viewing_doc(change, "edited"))
        return
    assert change.after is not None
    output.message(
        f"Changed viewing {change.number_before} of {change.entry.title.label}: now "
        f"{_viewing_text(change.after)}"
        + ("; the title's rating follows it" if change.rating_followed else "")
        + (f" (now number {change.number})" if change.number != change.number_before else "")
        + f"{UNDO_HINT}."
    )


def _viewing_text(viewing: Any) -> str:
    from kwatch.values import star_glyphs

    return (
        viewing.date
        + (f" {star_glyphs(viewing.rating)}" if viewing.rating else "")
        + (f' "{viewing.note}"' if viewing.note else "")
    )


def _vaguer(
    conn: Any, found: Any, number: int | None, new_date: Any, precision: str
) -> tuple[str, str]:
    """The viewing's date (or the new one) at a vaguer precision."""
    from kwatch.errors import InvalidInput
    from kwatch.library import get_entry
    from kwatch.library.records import find_viewing

    if new_date is None:
        _, viewing = find_viewing(get_entry(conn, found.id), number)
        new_date = (viewing.date, viewing.precision)
    when, current = new_date
    widths = {"day": 10, "month": 7, "year": 4}
    wanted = precision.strip().lower()
    if wanted not in widths:
        raise InvalidInput(f"--precision {precision!r}: use day, month or year.")
    if current not in widths or widths[wanted] > widths[current]:
        raise InvalidInput(
            f"--precision {wanted}: the date {when} says no more than its {current}; "
            "give the fuller date with --on."
        )
    return when[: widths[wanted]], wanted


@app.command()
@handle_errors
def unrate(ctx: typer.Context, title: TitleArg, as_json: JsonFlag = False) -> None:
    """Take away a title's rating (its viewings keep theirs).

    \b
    Example: kwatch unrate Microhabitat
    """
    from kwatch.library.records import clear_rating
    from kwatch.values import stars

    change = clear_rating(state(ctx).conn(), resolve_title(ctx, title))
    if as_json:
        output.emit_json(
            {
                **change.entry.to_dict(),
                "rating_cleared": change.before is not None,
                "previous_rating": stars(change.before),
            }
        )
        return
    label = change.entry.title.label
    if change.before is None:
        output.message(f"{label} has no rating; unchanged.")
    else:
        output.message(f"Took away the rating of {label} ({stars(change.before):g}/5){UNDO_HINT}.")


TagsArg = Annotated[list[str], typer.Argument(help="Tags (commas work too).", show_default=False)]


def _tag_doc(change: Any, action: str) -> dict[str, Any]:
    return {
        **change.entry.to_dict(),
        f"tags_{action}": change.changed,
        "tags_unchanged": change.unchanged,
    }


@tag_app.command("add")
@handle_errors
def tag_add(ctx: typer.Context, title: TitleArg, tags: TagsArg, as_json: JsonFlag = False) -> None:
    """Add tags to a title in your library.

    \b
    Example: kwatch tag add Oasis classic friday
    """
    from kwatch.library.records import add_tags

    change = add_tags(state(ctx).conn(), resolve_title(ctx, title), tags)
    if as_json:
        output.emit_json(_tag_doc(change, "added"))
        return
    label = change.entry.title.label
    if change.changed:
        output.message(f"Tagged {label}: {', '.join(change.changed)}.")
    if change.unchanged:
        output.message(f"{label} had {', '.join(change.unchanged)} already; unchanged.")


@tag_app.command("remove")
@handle_errors
def tag_remove(
    ctx: typer.Context, title: TitleArg, tags: TagsArg, as_json: JsonFlag = False
) -> None:
    """Remove tags from a title.

    \b
    Example: kwatch tag remove Oasis friday
    """
    from kwatch.library.records import remove_tags

    change = remove_tags(state(ctx).conn(), resolve_title(ctx, title), tags)
    if as_json:
        output.emit_json(_tag_doc(change, "removed"))
        return
    label = change.entry.title.label
    output.message(f"Removed from {label}: {', '.join(change.changed)}{UNDO_HINT}.")
    if change.unchanged:
        output.warning(f"{label} had no tag {', '.join(change.unchanged)}.")


def _note_doc(change: NoteChange, action: str) -> dict[str, Any]:
    return {
        **change.entry.to_dict(),
        "action": action,
        "number": change.number,
        "before": {"number": change.number, **change.before.to_dict()} if change.before else None,
        "after": {"number": change.number, **change.after.to_dict()} if change.after else None,
    }


def _say_changed(change: NoteChange, what: str, action: str, as_json: bool) -> None:
    """What `note edit/delete` and `review edit/delete` say: the JSON document, or one line."""
    if as_json:
        output.emit_json(_note_doc(change, action))
        return
    verb = {"edited": "Changed", "deleted": "Deleted"}[action]
    output.message(f"{verb} {what} {change.number} of {change.entry.title.label}{UNDO_HINT}.")


@note_app.command("add")
@handle_errors
def note_add(
    ctx: typer.Context,
    title: TitleArg,
    text: Annotated[str, typer.Argument(help="The note.", show_default=False)],
    as_json: JsonFlag = False,
) -> None:
    """Add a private note to a title in your library.

    \b
    Example: kwatch note add Oasis "Recommended by Jiwoo"
    """
    from kwatch.library.records import add_note

    change = add_note(state(ctx).conn(), resolve_title(ctx, title), text, today=clock_today())
    if as_json:
        output.emit_json(_note_doc(change, "added"))
        return
    output.message(f"Added note {change.number} to {change.entry.title.label}.")


@note_app.command("edit")
@handle_errors
def note_edit(
    ctx: typer.Context,
    title: TitleArg,
    number: NumberArg,
    text: Annotated[str, typer.Argument(help="The new text.", show_default=False)],
    as_json: JsonFlag = False,
) -> None:
    """Replace the text of a note.

    \b
    Example: kwatch note edit Oasis 1 "Recommended by Jiwoo and Minseo"
    """
    from kwatch.library.records import edit_note

    change = edit_note(state(ctx).conn(), resolve_title(ctx, title), number, text)
    _say_changed(change, "note", "edited", as_json)


@note_app.command("delete")
@handle_errors
def note_delete(
    ctx: typer.Context, title: TitleArg, number: NumberArg, as_json: JsonFlag = False
) -> None:
    """Delete a note.

    \b
    Example: kwatch note delete Oasis 2
    """
    from kwatch.library.records import delete_note

    change = delete_note(state(ctx).conn(), resolve_title(ctx, title), number)
    _say_changed(change, "note", "deleted", as_json)


@review_app.command("edit")
@handle_errors
def review_edit(
    ctx: typer.Context,
    title: TitleArg,
    number: NumberArg,
    text: Annotated[
        str | None, typer.Argument(help="The new text (none: keep it).", show_default=False)
    ] = None,
    spoilers: Annotated[
        bool | None,
        typer.Option("--spoilers/--no-spoilers", help="Mark it as having spoilers, or not."),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Replace a review's text, or mark whether it has spoilers.

    \b
    Example: kwatch review edit Burning 1 "Still thinking about the greenhouse."
             kwatch review edit Burning 1 --spoilers
    """
    from kwatch.library.records import edit_review

    change = edit_review(
        state(ctx).conn(), resolve_title(ctx, title), number, text=text, spoilers=spoilers
    )
    _say_changed(change, "review", "edited", as_json)


@review_app.command("delete")
@handle_errors
def review_delete(
    ctx: typer.Context, title: TitleArg, number: NumberArg, as_json: JsonFlag = False
) -> None:
    """Delete a review.

    \b
    Example: kwatch review delete Burning 1
    """
    from kwatch.library.records import delete_review

    change = delete_review(state(ctx).conn(), resolve_title(ctx, title), number)
    _say_changed(change, "review", "deleted", as_json)
