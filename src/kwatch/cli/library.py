"""Library commands: add, remove, list, watched, rate, status, show, path."""

from typing import Annotated

import typer

from kwatch import output
from kwatch.cli.common import (
    AvoidOpt,
    DecadeOpt,
    DirectorOpt,
    JsonFlag,
    KindOpt,
    ListOpt,
    MaxRuntimeOpt,
    ThemeOpt,
    WatchedOpt,
    YearOpt,
    build_filters,
    clock_today,
    cut_notice,
    given_options,
    handle_errors,
    limit_option,
    resolve_title,
    row_limit,
    state,
)
from kwatch.cli.complete import (
    complete_kind,
    complete_release_type,
    complete_scale,
    complete_sort,
    complete_status,
    complete_theme,
    complete_title,
)
from kwatch.cli.root import app

TitleArg = Annotated[
    str,
    typer.Argument(
        help="An id, English, alternative or Korean title.",
        show_default=False,
        autocompletion=complete_title,
    ),
]
HUMAN_LIST_LIMIT = 50
ListLimit = Annotated[str | None, limit_option(HUMAN_LIST_LIMIT)]


@app.command()
@handle_errors
def add(
    ctx: typer.Context,
    title: TitleArg,
    custom: Annotated[
        bool, typer.Option("--custom", help="Add a title that is not in the catalogue.")
    ] = False,
    year: Annotated[
        int | None,
        typer.Option(help="Year: chooses between films of the same name; with --custom, yours."),
    ] = None,
    director: Annotated[
        list[str] | None, typer.Option("--director", help="Director (with --custom; repeatable).")
    ] = None,
    original_title: Annotated[
        str | None, typer.Option("--original-title", help="Korean title (with --custom).")
    ] = None,
    kind: Annotated[
        str, typer.Option(help="film or tv-series (with --custom).", autocompletion=complete_kind)
    ] = "film",
    runtime: Annotated[int | None, typer.Option(help="Minutes (with --custom).")] = None,
    theme: Annotated[
        list[str] | None,
        typer.Option(
            "--theme", help="Theme (with --custom; repeatable).", autocompletion=complete_theme
        ),
    ] = None,
    release: Annotated[
        str | None,
        typer.Option(help="Release date YYYY-MM-DD, YYYY-MM or YYYY (with --custom)."),
    ] = None,
    release_type: Annotated[
        str,
        typer.Option(
            "--release-type",
            help="festival, theatrical, streaming or tv.",
            autocompletion=complete_release_type,
        ),
    ] = "theatrical",
    priority: Annotated[
        int | None, typer.Option(help="1 (low) to 5 (high); default 3. Weights `pick`.")
    ] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).")] = None,
    note: Annotated[str | None, typer.Option(help="A note to keep with it.")] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="With --custom: add it even if the catalogue has a film of that name."
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Add a title to your watchlist.

    \b
    Example: kwatch add "Bleak Night" --priority 5 --tag friday
             kwatch add "The Day After" --year 2017
             kwatch add "Some Film" --custom --year 2027 --release 2027-03
    """
    from kwatch.db import transaction
    from kwatch.library import add as add_entry
    from kwatch.library import add_custom_title, check_priority
    from kwatch.models import Release
    from kwatch.values import KINDS, RELEASE_TYPES, parse_choice, parse_partial_date

    today = clock_today()
    check_priority(priority)
    if not title.strip():
        from kwatch.errors import InvalidInput

        raise InvalidInput("the title is empty; give a title, a Korean title or an id.")
    if not custom:
        # Facts of a title are the catalogue's: an option that only describes a title of
        # one's own is refused, not dropped.
        only_custom = given_options(
            ctx,
            [
                *("director", "original_title", "kind", "runtime", "theme"),
                *("release", "release_type", "force"),
            ],
        )
        if only_custom:
            from kwatch.errors import InvalidInput

            verb = "is" if len(only_custom) == 1 else "are"
            raise InvalidInput(
                f"{', '.join(only_custom)} {verb} for a title of your own: add --custom; "
                "a catalogue title keeps the catalogue's facts (`kwatch release` corrects "
                "a release date)."
            )
    conn = state(ctx).conn()
    if custom:
        from kwatch.vocabulary import check_names

        kind = parse_choice(kind, KINDS, "--kind")
        theme = [t.strip().lower() for t in theme or [] if t.strip()]
        check_names(theme, option="--theme", notes_too=False)
        releases = []
        if release:
            when, precision = parse_partial_date(release, what="--release")
            rtype = parse_choice(release_type, RELEASE_TYPES, "--release-type")
            releases.append(
                Release(
                    date=when,
                    precision=precision,
                    region="KR",
                    type=rtype,
                    source="added by you",
                    origin="user",
                )
            )
    from kwatch.library import find_entry

    # One transaction: a title of the user's own and its entry are made together, or (when
    # the entry cannot be) neither is.
    with transaction(conn):
        if custom:
            found = add_custom_title(
                conn,
                title=title,
                year=year,
                directors=list(director or []),
                original_title=original_title,
                kind=kind,
                runtime_min=runtime,
                themes=list(theme or []),
                releases=releases,
                force=force,
            )
        elif year is not None:
            from kwatch.titles import resolve_with_year

            found = resolve_with_year(conn, title, year)
        else:
            found = resolve_title(ctx, title)
        before = find_entry(conn, found.id)
        result = add_entry(conn, found, today=today, priority=priority, tags=tag, note=note)
    if as_json:
        output.emit_json({**result.entry.to_dict(), "created": result.created})
        return
    if result.created:
        output.message(f"Added {found.label} [{found.id}] to your watchlist.")
    elif result.entry != before:
        output.message(f"{found.label} [{found.id}] is already in your library; updated it.")
    else:
        output.message(f"{found.label} [{found.id}] is already in your library; nothing changed.")


@app.command()
@handle_errors
def remove(
    ctx: typer.Context,
    title: TitleArg,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask (for scripts): remove it.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Remove a title, and everything you recorded about it, from your library.

    Says what goes (viewings, rating, notes, reviews, tags) and asks first; --yes skips the
    question, and is needed when no one is at a terminal to answer. `kwatch undo` brings it
    all back. The lists it is in keep it.

    \b
    Example: kwatch remove bleak-night-2011
             kwatch remove bleak-night-2011 --yes --json
    """
    from kwatch.errors import InvalidInput
    from kwatch.library import remove as remove_entry
    from kwatch.library.entries import removal_counts

    conn = state(ctx).conn()
    found = resolve_title(ctx, title)
    counts = removal_counts(conn, found)
    what = _removal_text(counts)
    if not yes:
        if not output.can_ask():
            raise InvalidInput(
                f"removing {found.label} deletes {what}; nobody is at a terminal to confirm: "
                f"add --yes (kwatch remove {found.id} --yes)."
            )
        if not output.confirm(f"Remove {found.label} from your library, with {what}?"):
            output.message("Kept it; nothing was removed.")
            return
    entry = remove_entry(conn, found)
    if as_json:
        output.emit_json({**entry.to_dict(), "removed": {**counts, "rated": bool(counts["rated"])}})
    else:
        output.message(
            f"Removed {entry.title.label} from your library, with {what} "
            "(`kwatch undo` brings it back)."
        )


def _removal_text(counts: dict[str, int]) -> str:
    parts = [
        output.plural(counts[kind], word)
        for kind, word in (
            ("viewings", "viewing"),
            ("rated", "rating"),
            ("notes", "note"),
            ("reviews", "review"),
            ("tags", "tag"),
        )
        if counts[kind]
    ]
    text = ", ".join(parts) if parts else "nothing recorded but the entry itself"
    if counts["lists_kept"]:
        text += f" (it stays in {output.plural(counts['lists_kept'], 'list')})"
    return text


@app.command("list")
@handle_errors
def list_(
    ctx: typer.Context,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Only this tag (repeatable).")
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help="planned, watching, on-hold, dropped, completed (repeatable).",
            autocompletion=complete_status,
        ),
    ] = None,
    theme: ThemeOpt = None,
    avoid: AvoidOpt = None,
    year: YearOpt = None,
    decade: DecadeOpt = None,
    director: DirectorOpt = None,
    kind: KindOpt = None,
    max_runtime: MaxRuntimeOpt = None,
    watched: WatchedOpt = None,
    in_list: ListOpt = None,
    sort: Annotated[
        str,
        typer.Option(
            help="added, title, year, rating, priority, status or watched.",
            autocompletion=complete_sort,
        ),
    ] = "added",
    reverse: Annotated[bool, typer.Option("--reverse", help="Reverse the order.")] = False,
    limit: ListLimit = None,
    as_json: JsonFlag = False,
) -> None:
    """List your library: everything you added, watched or rated.

    \b
    Example: kwatch list --status planned --sort priority
             kwatch list --json | jq -r '.[] | select(.rating >= 4) | .title'
    """
    from kwatch.library import list_entries
    from kwatch.values import parse_status

    effective_limit = row_limit(limit, as_json=as_json, for_people=HUMAN_LIST_LIMIT)
    filters = build_filters(
        theme, avoid, year, decade, director, kind, max_runtime, watched, in_list=in_list
    )
    statuses = [parse_status(s) for s in status or []]
    entries, total = list_entries(
        state(ctx).conn(),
        filters=filters,
        tags=tag,
        statuses=statuses,
        sort=sort,
        reverse=reverse,
        limit=effective_limit,
    )
    if as_json:
        output.emit_json([e.to_dict() for e in entries])
        return
    if not entries:
        narrowed = bool(tag or status) or filters != type(filters)()
        output.message(
            "Nothing in your library matches those filters."
            if narrowed
            else 'Your library is empty. Add a film: kwatch add "Bleak Night".'
        )
        return
    from kwatch.values import star_glyphs

    caption = cut_notice(len(entries), total)
    output.table(
        ["Title", "Year", "Status", "Pri", "Rating", "Seen", "Tags", "Id"],
        [
            (
                e.title.title,
                e.title.year or "",
                e.status,
                e.priority,
                star_glyphs(e.rating),
                len(e.viewings) or "",
                ", ".join(e.tags),
                e.title.id,
            )
            for e in entries
        ],
        caption=caption,
    )


@app.command()
@handle_errors
def watched(
    ctx: typer.Context,
    title: TitleArg,
    on: Annotated[
        str, typer.Option(help="When: YYYY-MM-DD, YYYY-MM, YYYY, today or yesterday.")
    ] = "today",
    rating: Annotated[str | None, typer.Option(help="Your rating: 0.5-5 in half stars.")] = None,
    scale: Annotated[
        int, typer.Option(help="Rating scale: 5 (stars) or 10.", autocompletion=complete_scale)
    ] = 5,
    note: Annotated[str | None, typer.Option(help="A note about this viewing.")] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Accept a date before the title's year.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Log a viewing. Watching again adds another viewing; nothing is overwritten.

    A title not yet completed becomes completed since the viewing's date.

    \b
    Example: kwatch watched "Han Gong-ju" --on 2024-03 --rating 4.5
    """
    from kwatch.library import log_viewing
    from kwatch.values import parse_rating, parse_viewing_date

    today = clock_today()
    when = parse_viewing_date(on, today)
    stars = parse_rating(rating, scale) if rating is not None else None
    entry = log_viewing(
        state(ctx).conn(),
        resolve_title(ctx, title),
        today=today,
        on=when,
        rating=stars,
        note=note,
        force=force,
    )
    if as_json:
        output.emit_json(entry.to_dict())
        return
    count = len(entry.viewings)
    nth = "" if count == 1 else f" (viewing {count})"
    output.message(f"Logged {entry.title.label} on {when[0]}{nth}.")


@app.command()
@handle_errors
def rate(
    ctx: typer.Context,
    title: TitleArg,
    rating: Annotated[
        str, typer.Argument(help="0.5 to 5 in half stars (or 1-10 with --scale 10).")
    ],
    scale: Annotated[
        int, typer.Option(help="Rating scale: 5 (stars) or 10.", autocompletion=complete_scale)
    ] = 5,
    as_json: JsonFlag = False,
) -> None:
    """Rate a title: half stars from 0.5 to 5, as Letterboxd does.

    \b
    Example: kwatch rate "Microhabitat" 4.5
             kwatch rate microhabitat-2018 9 --scale 10
    """
    from kwatch.library import rate as rate_title
    from kwatch.values import parse_rating, star_glyphs

    value = parse_rating(rating, scale)
    result = rate_title(state(ctx).conn(), resolve_title(ctx, title), value, today=clock_today())
    entry = result.entry
    if as_json:
        output.emit_json(
            {
                **entry.to_dict(),
                "marked_completed": result.marked_completed,
                "previous_status": result.previous_status,
            }
        )
        return
    text = f"Rated {entry.title.label} {star_glyphs(value)} ({value / 2:g}/5)"
    if result.marked_completed:
        was = "was planned" if result.previous_status else "was not in your library"
        text += f"; marked it completed (it {was}: a rating means seen)"
    output.message(text + ".")


@app.command()
@handle_errors
def status(
    ctx: typer.Context,
    title: TitleArg,
    new_status: Annotated[
        str,
        typer.Argument(
            metavar="STATUS",
            help="planned, watching, on-hold, dropped or completed.",
            autocompletion=complete_status,
        ),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Set a title's status; every change is kept with its date.

    \b
    Example: kwatch status "My Mister" watching
    """
    from kwatch.library import set_status
    from kwatch.values import parse_status

    value = parse_status(new_status)
    result = set_status(state(ctx).conn(), resolve_title(ctx, title), value, today=clock_today())
    entry = result.entry
    if as_json:
        output.emit_json(
            {
                **entry.to_dict(),
                "status_changed": result.changed,
                "previous_status": result.previous_status,
            }
        )
    elif result.changed:
        output.message(f"{entry.title.label} is now {value}.")
    else:
        output.message(f"{entry.title.label} is already {value}; unchanged.")


@app.command()
@handle_errors
def show(ctx: typer.Context, title: TitleArg, as_json: JsonFlag = False) -> None:
    """Show a title's facts and everything you recorded about it.

    \b
    Example: kwatch show 한공주
    """
    from kwatch.library import find_entry

    found = resolve_title(ctx, title)
    entry = find_entry(state(ctx).conn(), found.id)
    if as_json:
        output.emit_json({**found.to_dict(), "entry": entry.to_dict() if entry else None})
        return
    from kwatch.views import show_title

    show_title(found, entry)


@app.command()
@handle_errors
def path(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Print where your database and the catalogue folders live.

    On a terminal: the database, the folder for your own catalogue files and the bundled
    catalogue. In a pipe: the database path alone, for scripts (`$(kwatch path)`); --json
    gives all three.

    \b
    Example: kwatch path
    """
    from kwatch.paths import bundled_catalogue_dir, opendata_layer_path, user_catalogue_dir

    db_path = state(ctx).db_path
    if as_json:
        layer = opendata_layer_path(db_path)
        output.emit_json(
            {
                "database": str(db_path),
                "database_exists": db_path.exists(),
                "catalogue_dir": str(user_catalogue_dir()),
                "bundled_catalogue": str(bundled_catalogue_dir()),
                "opendata_layer": str(layer) if layer.is_file() else None,
            }
        )
    elif output.to_terminal():
        created = "" if db_path.exists() else "  (created on first use)"
        output.plain(f"database:          {db_path}{created}")
        output.plain(f"your catalogue:    {user_catalogue_dir()}  (your own .toml files)")
        output.plain(f"bundled catalogue: {bundled_catalogue_dir()}")
    else:
        output.plain(str(db_path))
