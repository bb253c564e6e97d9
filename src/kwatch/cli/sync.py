"""`kwatch sync`: parse, call kwatch.sync, hand the result to output."""

from pathlib import Path
from typing import Annotated

import typer

from kwatch import output
from kwatch.cli.common import JsonFlag, handle_errors, state
from kwatch.cli.root import app

SYNC_DIR_ENV = "KWATCH_SYNC_DIR"


@app.command()
@handle_errors
def sync(
    ctx: typer.Context,
    folder: Annotated[
        Path | None,
        typer.Argument(
            help="The synced folder (remembered; else KWATCH_SYNC_DIR or the one given last).",
            show_default=False,
        ),
    ] = None,
    show_status: Annotated[
        bool,
        typer.Option("--status", help="Show devices seen and what waits, without syncing."),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Sync your data with your other machines through a folder you already sync.

    Each machine writes only its own files under DIR/kwatch-sync and reads the others'; the
    database file itself never travels. Viewings from every machine are kept; a rating or
    status set on two is decided the same way everywhere; tags are add-wins. `kwatch undo`
    undoes a sync. The folder holds your history in plain text.

    \b
    Example: kwatch sync ~/Sync/kwatch
             kwatch sync
             kwatch sync --status --json
    """
    import os

    from kwatch.clock import now
    from kwatch.errors import SyncError
    from kwatch.sync import engine

    conn = state(ctx).conn()
    chosen = folder or (Path(os.environ[SYNC_DIR_ENV]) if os.environ.get(SYNC_DIR_ENV) else None)
    remembered = engine.remembered_folder(conn)
    if chosen is None and remembered:
        chosen = Path(remembered)
    if chosen is not None:
        chosen = chosen.expanduser().absolute()
    if show_status:
        result = engine.status(conn, chosen)
        if as_json:
            output.emit_json(result.to_dict())
            return
        output.message(
            f"Sync folder: {result.folder or 'not set (kwatch sync DIR)'}; "
            f"this device: {result.device or 'not synced yet'}; "
            f"waiting here: {output.plural(result.pending_local, 'change')}; "
            + (
                f"waiting in the folder: {output.plural(result.pending_remote, 'change')}."
                if result.pending_remote is not None
                else "folder not checked."
            )
        )
        if result.devices:
            output.table(
                ["Device", "This one", "Last change", "Changes"],
                [
                    (d.device, "yes" if d.this_device else "", d.last_seen or "", d.changes)
                    for d in result.devices
                ],
            )
        return
    if chosen is None:
        raise SyncError(
            "no sync folder is set: give one (`kwatch sync ~/Sync/kwatch`, remembered from then "
            f"on) or set {SYNC_DIR_ENV}.",
            code="sync_no_folder",
        )
    report = engine.sync(conn, chosen, now=now())
    if folder is not None and str(chosen) != remembered:
        engine.remember_folder(conn, chosen)
    if as_json:
        output.emit_json(report.to_dict())
        return
    for warning in report.warnings:
        output.warning(warning)
    output.message(
        f"Synced with {output.plural(report.other_devices, 'other device')} in {report.folder}: "
        f"wrote {output.plural(report.exported, 'change')}, read {report.read} "
        f"({report.new} new), updated {output.plural(report.applied, 'record')}."
        + (" `kwatch undo` undoes it." if report.applied else "")
    )
