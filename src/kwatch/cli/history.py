"""Commands over the journal: history, undo, redo."""

from typing import Annotated

import typer

from kwatch import output
from kwatch.cli.common import JsonFlag, cut_notice, handle_errors, limit_option, row_limit, state
from kwatch.cli.root import app

HUMAN_HISTORY_LIMIT = 20


@app.command()
@handle_errors
def history(
    ctx: typer.Context,
    limit: Annotated[str | None, limit_option(HUMAN_HISTORY_LIMIT)] = None,
    as_json: JsonFlag = False,
) -> None:
    """List the recent changes to your data, newest first, with their numbers for `undo`.

    Every command that changes your data is one change here (an import too); undoing one is a
    change as well, so it can be redone.

    \b
    Example: kwatch history
             kwatch history --limit 5 --json
    """
    from kwatch import journal

    effective = row_limit(limit, as_json=as_json, for_people=HUMAN_HISTORY_LIMIT)
    everything = journal.history(state(ctx).conn())
    ops = everything if effective is None else everything[:effective]
    if as_json:
        output.emit_json([op.to_dict() for op in ops])
        return
    if not ops:
        output.message("No changes recorded yet.")
        return
    output.table(
        ["#", "When", "Change", "Rows", "Undone"],
        [
            (
                op.seq,
                op.created_at.replace("T", " ")[:16],
                op.summary or op.command,
                op.changes,
                "yes" if op.undone_by else "",
            )
            for op in ops
        ],
        caption=cut_notice(len(ops), len(everything)),
    )


@app.command()
@handle_errors
def undo(
    ctx: typer.Context,
    number: Annotated[
        int | None,
        typer.Argument(
            help="The change to undo, by its number in `kwatch history`.", show_default=False
        ),
    ] = None,
    last: Annotated[int, typer.Option("--last", help="Undo the last N changes, newest first.")] = 1,
    as_json: JsonFlag = False,
) -> None:
    """Undo your last change (or the last N, or one by its number), exactly.

    The records come back as they were, viewings, ratings, notes and all. Undoing an undo
    redoes it (see also `kwatch redo`). A change that a later one built on is refused until
    the later one is undone.

    \b
    Example: kwatch undo
             kwatch undo --last 3
             kwatch undo 12
    """
    from kwatch import journal
    from kwatch.clock import now
    from kwatch.errors import InvalidInput

    if last < 1:
        raise InvalidInput(f"--last {last} is not a number of changes; give 1 or more.")
    if number is not None and last != 1:
        raise InvalidInput("give either a change NUMBER or --last N, not both.")
    conn = state(ctx).conn()
    targets = (
        [journal.operation(conn, number)]
        if number is not None
        else journal.last_undoable(conn, last)
    )
    done = []
    for op in targets:
        journal.revert(conn, op, now=now())
        done.append(op)
    if as_json:
        output.emit_json({"undone": [op.to_dict() for op in done]})
        return
    for op in done:
        output.message(f"Undid change {op.seq}: {op.summary or op.command}.")


@app.command()
@handle_errors
def redo(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Redo what the last `kwatch undo` undid.

    \b
    Example: kwatch redo
    """
    from kwatch import journal
    from kwatch.clock import now

    conn = state(ctx).conn()
    op = journal.last_redoable(conn)
    journal.revert(conn, op, now=now())
    if as_json:
        output.emit_json({"redone": op.to_dict()})
        return
    output.message(f"Redid: {(op.summary or op.command).split(': ', 1)[-1]}.")
