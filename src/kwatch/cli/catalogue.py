"""Catalogue commands: list, themes, validate, update."""

from pathlib import Path
from typing import Annotated

import typer

from kwatch import output
from kwatch.cli.common import (
    AvoidOpt,
    DecadeOpt,
    DirectorOpt,
    InWatchlistOpt,
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
    handle_errors,
    limit_option,
    row_limit,
    state,
)
from kwatch.cli.complete import complete_help_words, complete_schema
from kwatch.cli.root import app

catalogue_app = typer.Typer(
    help="Browse and check the catalogue (bundled titles, your files and your own titles).",
    no_args_is_help=True,
)
app.add_typer(catalogue_app, name="catalogue")
HUMAN_LIMIT = 100
CatalogueLimit = Annotated[str | None, limit_option(HUMAN_LIMIT)]


@catalogue_app.command("list")
@handle_errors
def catalogue_list(
    ctx: typer.Context,
    theme: ThemeOpt = None,
    avoid: AvoidOpt = None,
    year: YearOpt = None,
    decade: DecadeOpt = None,
    director: DirectorOpt = None,
    kind: KindOpt = None,
    max_runtime: MaxRuntimeOpt = None,
    watched: WatchedOpt = None,
    in_watchlist: InWatchlistOpt = None,
    in_list: ListOpt = None,
    limit: CatalogueLimit = None,
    as_json: JsonFlag = False,
) -> None:
    """List catalogue titles, with every field in --json.

    \b
    Example: kwatch catalogue list --theme hidden-gems
             kwatch catalogue list --json | jq '.[] | select(.runtime_min < 100) | .title'
    """
    from kwatch.browse import list_titles

    effective = row_limit(limit, as_json=as_json, for_people=HUMAN_LIMIT)
    filters = build_filters(
        theme, avoid, year, decade, director, kind, max_runtime, watched, in_watchlist, in_list
    )
    titles, total = list_titles(state(ctx).conn(), filters, limit=effective)
    if as_json:
        output.emit_json([t.to_dict() for t in titles])
        return
    if not titles:
        output.message("No catalogue title matches those filters.")
        return
    caption = cut_notice(len(titles), total) or output.plural(total, "title")
    output.table(
        ["Title", "Year", "Korean", "Directed by", "Themes", "Id"],
        [
            (
                t.title,
                t.year or "",
                t.original_title or "",
                ", ".join(t.directors),
                ", ".join(t.themes),
                t.id,
            )
            for t in titles
        ],
        caption=caption,
    )


@catalogue_app.command("themes")
@handle_errors
def catalogue_themes(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """List the themes and content notes, with how many titles have each.

    \b
    Example: kwatch catalogue themes
    """
    from kwatch.browse import theme_counts

    rows = theme_counts(state(ctx).conn())
    if as_json:
        output.emit_json(rows)
        return
    output.table(
        ["Name", "Kind", "Titles", "Meaning"],
        [(r["name"], r["kind"], r["count"], r["description"]) for r in rows],
    )


@catalogue_app.command("validate")
@handle_errors
def catalogue_validate(
    file: Annotated[Path, typer.Argument(help="A catalogue file (.toml or .json).")],
    strict: Annotated[
        bool,
        typer.Option("--strict", help="Hold it to the bundled standard (Hangul title, year, ...)."),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Check a catalogue file against the schema; report every problem with file, entry, field.

    \b
    Example: kwatch catalogue validate ~/my-films.toml
    """
    from kwatch.catalogue import read_catalogue_file, validate_file
    from kwatch.errors import CatalogueError, NotFound

    if not file.is_file():
        raise NotFound(f"{file} is not a file; give the path of a .toml or .json catalogue file.")
    problems = validate_file(file, strict=strict)
    try:
        count = len(read_catalogue_file(file))
    except CatalogueError:
        count = 0
    if as_json:
        output.emit_json(
            {
                "file": str(file),
                "valid": not problems,
                "entries": count,
                "problems": [p.to_dict() for p in problems],
            }
        )
    else:
        for problem in problems:
            output.plain(str(problem))
        if not problems:
            output.message(f"{file}: {output.plural(count, 'entry', 'entries')}, all valid.")
    if problems:
        if not as_json:
            output.message(f"{output.plural(len(problems), 'problem')} in {file}.")
        raise typer.Exit(1)


@catalogue_app.command("update")
@handle_errors
def catalogue_update(
    ctx: typer.Context,
    from_file: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Read Wikidata entity JSON (EntityData, or a dump, .gz too) instead of fetching.",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would be added, changed, removed.")
    ] = False,
    remove: Annotated[
        bool, typer.Option("--remove", help="Delete the Wikidata layer (your data stays).")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Fetch South Korean films and series from Wikidata (CC0) into a separate layer.

    Opt-in and undoable: the layer is one file next to your database; checked catalogue
    facts and anything you entered win over it. Endpoints: KWATCH_WIKIDATA_SPARQL_URL,
    KWATCH_WIKIDATA_API_URL.

    \b
    Example: kwatch catalogue update --dry-run
             kwatch catalogue update --from Q475693.json
             kwatch catalogue update --remove
    """
    from kwatch.catalogue import sync_catalogue
    from kwatch.opendata.update import remove_layer, update_layer
    from kwatch.paths import opendata_layer_path

    st = state(ctx)
    path = opendata_layer_path(st.db_path)
    if remove and from_file is not None:
        from kwatch.errors import InvalidInput

        raise InvalidInput("--remove and --from do not go together; give one of them.")
    conn = st.conn()
    if remove:
        report = remove_layer(path, dry_run=dry_run)
    else:
        with output.Progress() as progress:
            report = update_layer(
                path,
                today=clock_today(),
                from_file=from_file,
                dry_run=dry_run,
                conn=conn,
                progress=progress,
            )
    if not dry_run:
        for problem in sync_catalogue(conn, layer=path):
            output.warning(f"skipped catalogue entry: {problem}")
    render_update(report.to_dict(), as_json=as_json)


def render_update(doc: dict, *, as_json: bool) -> None:
    if as_json:
        output.emit_json(doc)
        return
    if doc["action"] == "removed" or (doc["action"] == "dry-run" and not doc["source"]):
        verb = "Would remove" if doc["action"] == "dry-run" else "Removed"
        if doc["removed"] or doc["fetched"]:
            output.message(f"{verb} the Wikidata layer ({doc['removed']} titles): {doc['path']}")
        else:
            output.message(f"There is no Wikidata layer to remove ({doc['path']}).")
        return
    would = "would be" if doc["dry_run"] else "were"
    output.message(
        f"Wikidata layer: {doc['total']} titles; {doc['added']} {would} added, "
        f"{doc['changed']} changed, {doc['removed']} removed, {doc['unchanged']} unchanged."
    )
    if doc["joined_catalogue"]:
        output.message(
            f"{doc['joined_catalogue']} of them are catalogue titles already: their checked "
            "facts stay, Wikidata only fills gaps."
        )
    if doc["skipped"]:
        output.message(f"Skipped {doc['skipped_count']} values:")
        for item in doc["skipped"]:
            output.message(f"  {item['count']:>6}  {item['reason']}")
    if doc["dry_run"]:
        output.message("Nothing was written (--dry-run).")
    else:
        output.message(
            f"Written to {doc['path']} ({doc['bytes']:,} bytes), data from Wikidata under "
            "CC0. Undo with: kwatch catalogue update --remove"
        )


@app.command()
@handle_errors
def schema(
    words: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[COMMAND]...",
            help="A command, e.g. list, show, catalogue list, error. Omit to list.",
            autocompletion=complete_schema,
            show_default=False,
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Print the JSON Schema of a command's --json output.

    \b
    Example: kwatch schema list > list.schema.json
    """
    from kwatch import schemas

    # `kwatch schema catalogue list` and `kwatch schema "catalogue list"` are the same.
    command = " ".join(" ".join(words).split()) if words else None
    if command is None:
        if as_json:
            output.emit_json({"schemas": schemas.names()})
        else:
            for name in schemas.names():
                output.plain(name)
        return
    # A schema document is printed as is: it is the contract, not an instance of it.
    import json

    output.plain(json.dumps(schemas.schema_for(command), ensure_ascii=False, indent=2))


@app.command()
@handle_errors
def completion(
    shell: Annotated[
        str,
        typer.Argument(help="bash, zsh or fish.", autocompletion=lambda: ["bash", "zsh", "fish"]),
    ],
    as_json: JsonFlag = False,
) -> None:
    """Print the completion script for a shell (the same as the files in completions/).

    \b
    Example: kwatch completion fish > ~/.config/fish/completions/kwatch.fish
    """
    from kwatch.completions import SHELLS, shipped
    from kwatch.errors import InvalidInput

    if shell not in SHELLS:
        raise InvalidInput(f"shell {shell!r} is not one of: {', '.join(SHELLS)}.")
    script = shipped(shell)
    if as_json:
        output.emit_json({"shell": shell, "script": script})
    else:
        output.plain(script.rstrip("\n"))


@app.command("help")
@handle_errors
def help_(
    ctx: typer.Context,
    words: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[COMMAND]...",
            help="A command, e.g. list or import letterboxd.",
            autocompletion=complete_help_words,
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show the help of a command (the same as COMMAND --help).

    \b
    Example: kwatch help list
             kwatch help import letterboxd
    """
    from typer._click import Context  # typer is pinned <0.29

    from kwatch.errors import InvalidInput

    current = ctx.find_root()
    command = current.command
    for word in words or []:
        found = command.get_command(current, word) if hasattr(command, "get_command") else None
        if found is None:
            raise InvalidInput(
                f"kwatch has no command {' '.join(words or [])!r}; `kwatch help` lists them."
            )
        current = Context(found, info_name=word, parent=current)
        command = found
    text = command.get_help(current)
    if as_json:
        output.emit_json({"command": current.command_path, "help": text})
    else:
        output.plain(text)
