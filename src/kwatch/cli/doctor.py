"""`kwatch doctor`."""

import typer

from kwatch import output
from kwatch.cli.common import JsonFlag, handle_errors, state
from kwatch.cli.root import app


@app.command()
@handle_errors
def doctor(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Check the database, the catalogue and the files around them, and say what to do.

    Reads only: the database is opened read-only and nothing is created. Exits 1 when
    something needs fixing.

    \b
    Example: kwatch doctor
             kwatch doctor --json
    """
    from kwatch.doctor import FAIL, diagnose

    checks = diagnose(state(ctx).db_path)
    healthy = not any(c.status == FAIL for c in checks)
    if as_json:
        output.emit_json({"ok": healthy, "checks": [c.to_dict() for c in checks]})
    else:
        output.table(
            ["Check", "Status", "Detail", "What to do"],
            [(c.name, c.status, c.detail, c.fix or "") for c in checks],
        )
    if not healthy:
        raise typer.Exit(1)
