"""Moving history in and out: import (letterboxd, imdb, kwatch), export, backup."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kwatch import output
from kwatch.cli.common import JsonFlag, clock_today, handle_errors, state
from kwatch.cli.complete import complete_list_mode, complete_only
from kwatch.cli.root import app

if TYPE_CHECKING:
    from kwatch.transfer.report import ImportReport

import_app = typer.Typer(
    name="import",
    help="Bring your history in: a Letterboxd or IMDb export, or a kwatch JSON export.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")

DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show what would be imported; change nothing.")
]
ListsOpt = Annotated[
    str,
    typer.Option(
        "--lists",
        help="Letterboxd lists become kwatch lists (lists), tags on films in your library "
        "(tags), or are left out (skip). A film only in a list never joins the watchlist.",
        autocompletion=complete_list_mode,
    ),
]
OnlyOpt = Annotated[
    str | None,
    typer.Option(
        "--only",
        help="catalogue: import only titles that match the catalogue (keep a library Korean).",
        autocompletion=complete_only,
    ),
]
KoreanFlag = Annotated[
    bool,
    typer.Option(
        "--korean",
        help="The same as --only catalogue: only titles of the catalogue or its open-data layer.",
    ),
]
REJECTED_SHOWN = 20
EXPORT_FORMAT_CHOICES = ("json", "letterboxd", "csv")


def _complete_format(incomplete: str) -> list[str]:
    return [f for f in EXPORT_FORMAT_CHOICES if f.startswith(incomplete)]


def _show_report(report: ImportReport, as_json: bool) -> None:
    if as_json:
        output.emit_json(report.to_dict())
        return
    for warning in report.warnings:
        output.warning(warning)
    rows = [
        (kind.replace("titles", "your own titles"), c["added"], c["updated"], c["unchanged"])
        for kind, c in report.counts.items()
        if any(c.values())
    ]
    if rows:
        output.table(["", "Added", "Updated", "Unchanged"], rows)
    if report.rejected:
        output.table(
            ["File", "Line", "Why it was skipped"],
            [(r.file, r.row or "", r.reason) for r in report.rejected[:REJECTED_SHOWN]],
            title="Rejected rows",
            caption=(
                f"showing {REJECTED_SHOWN} of {report.rejected_count}; --json lists more"
                if report.rejected_count > REJECTED_SHOWN
                else None
            ),
        )
    s = report.summary or {}
    summary = (
        f"{report.added} added, {report.updated} updated, {report.unchanged} unchanged, "
        f"{report.rejected_count} rejected;"
        f" {output.plural(report.matched, 'title')} found in the catalogue"
        f" ({s.get('matched_by_id', 0)} by id, {s.get('matched_by_name', 0)} by name and year)."
    )
    if report.source != "kwatch":
        summary += (
            f" Titles: {s.get('completed', 0)} completed, {s.get('watchlist', 0)} on the "
            f"watchlist, {s.get('list_only', 0)} only in lists (not on the watchlist)"
            + (
                f", {s['not_in_catalogue']} rows left out (not in the catalogue)"
                if s.get("not_in_catalogue")
                else ""
            )
            + "."
        )
    if report.dry_run:
        output.message(f"Dry run: {summary} Nothing was changed.")
    else:
        source = {"letterboxd": "Letterboxd", "imdb": "IMDb"}.get(report.source, "the export")
        output.message(f"Imported from {source}: {summary}")


PathArg = Annotated[
    Path,
    typer.Argument(
        help="The export ZIP as Letterboxd sends it, its unzipped folder, or one of its CSVs.",
        show_default=False,
    ),
]


def _options(lists: str, only: str | None, korean: bool = False):  # -> ImportOptions
    from kwatch.errors import InvalidInput
    from kwatch.transfer.engine import LIST_MODES, ONLY_CHOICES, ImportOptions
    from kwatch.values import parse_choice

    if korean:
        if only not in (None, "catalogue"):
            raise InvalidInput(f"--korean is --only catalogue; it does not go with --only {only}.")
        only = "catalogue"

    return ImportOptions(
        lists=parse_choice(lists, LIST_MODES, "--lists"),
        only=parse_choice(only, ONLY_CHOICES, "--only") if only is not None else None,
    )


def _run(ctx: typer.Context, plan, options, dry_run: bool):  # -> ImportReport
    from kwatch.errors import KwatchError
    from kwatch.transfer.engine import run_import

    conn = state(ctx).conn()
    try:
        # A bar on stderr when it is a terminal (long imports); nothing in pipes or tests.
        with output.Progress() as progress:
            return run_import(
                conn, plan, today=clock_today(), dry_run=dry_run, options=options, progress=progress
            )
    except KeyboardInterrupt:
        # The import is one transaction: rolled back as a whole.
        raise KwatchError("interrupted: nothing was imported.", code="interrupted") from None


@import_app.command("letterboxd")
@handle_errors
def import_letterboxd(
    ctx: typer.Context,
    path: PathArg,
    dry_run: DryRunOpt = False,
    lists: ListsOpt = "lists",
    only: OnlyOpt = None,
    korean: KoreanFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """Import a Letterboxd export: diary, ratings, reviews, watchlist, tags and lists.

    \b
    Example: kwatch import letterboxd letterboxd-me-2026-11-22-utc.zip --dry-run
             kwatch import letterboxd export.zip --only catalogue --lists tags
    """
    from kwatch.transfer.letterboxd import prepare_letterboxd

    options = _options(lists, only, korean)
    plan = prepare_letterboxd(path)  # checks every file before the database is opened
    _show_report(_run(ctx, plan, options, dry_run), as_json)


@import_app.command("imdb")
@handle_errors
def import_imdb(
    ctx: typer.Context,
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="IMDb's ratings.csv and/or watchlist.csv (or a folder or ZIP holding them).",
            show_default=False,
        ),
    ],
    dry_run: DryRunOpt = False,
    only: OnlyOpt = None,
    korean: KoreanFlag = False,
    as_json: JsonFlag = False,
) -> None:
    """Import IMDb ratings and watchlist CSVs (old and 2024 headers).

    \b
    Example: kwatch import imdb ratings.csv watchlist.csv
    """
    from kwatch.transfer.imdb import prepare_imdb

    options = _options("lists", only, korean)
    plan = prepare_imdb(paths)
    _show_report(_run(ctx, plan, options, dry_run), as_json)


@import_app.command("kwatch")
@handle_errors
def import_kwatch(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(help="A file made by `kwatch export --format json`.", show_default=False),
    ],
    dry_run: DryRunOpt = False,
    as_json: JsonFlag = False,
) -> None:
    """Restore a kwatch JSON export (into an empty library, or merged into yours).

    \b
    Example: kwatch import kwatch kwatch-export.json
    """
    from kwatch.transfer.kwatch_json import import_kwatch as restore
    from kwatch.transfer.kwatch_json import load_kwatch_export

    today = clock_today()
    doc = load_kwatch_export(file)
    report = restore(state(ctx).conn(), file, today=today, dry_run=dry_run, doc=doc)
    _show_report(report, as_json)


@app.command()
@handle_errors
def export(
    ctx: typer.Context,
    format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="json (complete, restorable), letterboxd or csv.",
            autocompletion=_complete_format,
        ),
    ] = "json",
    output_path: Annotated[
        str | None,
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Write to this file instead of stdout (- is stdout; a folder gets "
            "kwatch-export-DATE.json or .csv inside it); a folder for --format letterboxd.",
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Export your library: everything as JSON, Letterboxd's CSV, or a CSV for spreadsheets.

    \b
    Example: kwatch export --format json --output kwatch-export.json
             kwatch export --format letterboxd --output letterboxd/
    """

    from kwatch.errors import InvalidInput
    from kwatch.files import STDOUT, output_target, write_file
    from kwatch.transfer import EXPORT_FORMATS
    from kwatch.transfer.kwatch_json import export_document
    from kwatch.transfer.letterboxd_export import write_letterboxd
    from kwatch.transfer.spreadsheet import csv_rows, csv_text
    from kwatch.values import parse_choice

    fmt = parse_choice(format, EXPORT_FORMATS, "--format")
    if output_path == STDOUT and fmt != "letterboxd":
        output_path = None
    if fmt == "letterboxd" and output_path is None:
        raise InvalidInput(
            "--format letterboxd writes one or more files: give a folder with --output DIR."
        )
    if fmt == "csv" and output_path is None and as_json:
        raise InvalidInput("--json with --format csv needs --output FILE (stdout holds the CSV).")
    today = clock_today()
    conn = state(ctx).conn()
    if fmt == "letterboxd":
        assert output_path is not None
        files, rows = write_letterboxd(conn, Path(output_path).expanduser())
        summary = {
            "format": fmt,
            "files": [str(p) for p in files],
            "rows": len(rows.diary) + len(rows.watchlist),
            "skipped": rows.skipped,
            "undated": rows.undated,
        }
        if as_json:
            output.emit_json(summary)
        else:
            output.message(
                f"Wrote {output.plural(len(rows.diary) + len(rows.watchlist), 'row')}"
                f" in {output.plural(len(files), 'file')} to {output_path}"
                + (
                    f"; {rows.skipped} dropped/on-hold titles have no Letterboxd equivalent."
                    if rows.skipped
                    else "."
                )
            )
            if rows.undated:
                shown = ", ".join(f"{u['id']} ({u['date']})" for u in rows.undated[:5])
                more = f" and {len(rows.undated) - 5} more" if len(rows.undated) > 5 else ""
                output.warning(
                    f"{output.plural(len(rows.undated), 'viewing')} "
                    f"{'is' if len(rows.undated) == 1 else 'are'} dated only to a month or "
                    f"year, which Letterboxd cannot hold: written without a date: {shown}{more}."
                )
        return
    if fmt == "json":
        document = export_document(conn, today=today)
        text = output.json_text(document) + "\n"  # as on stdout: controls escaped
        count = len(document["entries"])
    else:
        table = csv_rows(conn)
        text = csv_text(table)
        count = len(table)
    if output_path is None:
        output.plain(text.rstrip("\n"))
        return
    # Through the one writer (kwatch.files): atomic, owner-only, never over a device or FIFO.
    target = output_target(output_path, f"kwatch-export-{today.isoformat()}.{fmt}")
    written = write_file(target, text.encode("utf-8"))
    if as_json:
        output.emit_json(
            {"format": fmt, "files": [str(written)], "rows": count, "skipped": 0, "undated": []}
        )
    else:
        output.message(f"Wrote {output.plural(count, 'entry', 'entries')} to {written}.")


@app.command()
@handle_errors
def backup(
    ctx: typer.Context,
    path: Annotated[
        str | None,
        typer.Argument(
            metavar="[PATH]",
            help="Where to write the copy (a file, or a folder: an existing one or a path "
            "ending in /). Default: next to the database, "
            "named with today's date.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Copy the database safely, even while another kwatch is writing to it.

    \b
    Example: kwatch backup ~/backups/
    """
    from kwatch.transfer.backup import backup_database

    result = backup_database(state(ctx).db_path, path, today=clock_today(), force=force)
    if as_json:
        output.emit_json(result.to_dict())
    else:
        output.message(f"Backed up {result.source} to {result.path} ({result.bytes:,} bytes).")
