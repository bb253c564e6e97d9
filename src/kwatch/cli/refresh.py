"""`kwatch releases update` and `kwatch releases status`: refresh release dates from open data."""

from typing import Annotated

import typer

from kwatch import output
from kwatch.cli.common import JsonFlag, clock_today, handle_errors, state
from kwatch.cli.complete import complete_refresh_source
from kwatch.cli.root import app

releases_app = typer.Typer(
    help="Refresh release dates from open data (KOBIS, TMDb) and see when that last ran.",
    no_args_is_help=True,
)
app.add_typer(releases_app, name="releases")
SOURCES = ("kobis", "tmdb", "all")


@releases_app.command("update")
@handle_errors
def releases_update(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Option(
            "--source",
            help="kobis (the Korean Film Council; needs KWATCH_KOBIS_KEY), tmdb (needs "
            "KWATCH_TMDB_KEY) or all (every source with a key).",
            autocompletion=complete_refresh_source,
        ),
    ] = "all",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Fetch and count, but store nothing.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Fetch announced release dates from open data; your own dates are never replaced.

    KOBIS lists the films scheduled to open in Korea, matched to kwatch's titles by Korean
    title, year and director; films no catalogue has yet are added as fetched titles. TMDb adds
    streaming and other countries' dates for titles that carry a TMDb id. Keys are read from
    KWATCH_KOBIS_KEY and KWATCH_TMDB_KEY and never printed. Only this command uses the network.
    When a refresh moves the date of a watchlist title, the next `kwatch remind` says so once.
    Dates of the open-data catalogue layer (Wikidata) are refreshed by `kwatch catalogue update`.

    \b
    Example: kwatch releases update
             kwatch releases update --source kobis --dry-run --json
    """
    import os

    from kwatch.clock import now
    from kwatch.errors import KwatchError
    from kwatch.net import JsonClient
    from kwatch.releases import kobis, refresh, tmdb
    from kwatch.values import parse_choice

    chosen = parse_choice(source, SOURCES, "--source")
    today, moment = clock_today(), now()
    keys = {
        "kobis": os.environ.get(kobis.KEY_ENV, "").strip(),
        "tmdb": os.environ.get(tmdb.KEY_ENV, "").strip(),
    }
    wanted = [s for s in ("kobis", "tmdb") if chosen in (s, "all")]
    if chosen == "all":
        wanted = [s for s in wanted if keys[s]]
    if not wanted or (chosen != "all" and not keys[chosen]):
        env = {"kobis": kobis.KEY_ENV, "tmdb": tmdb.KEY_ENV}
        need = env.get(chosen) or f"{kobis.KEY_ENV} (or {tmdb.KEY_ENV})"
        raise KwatchError(
            f"no API key: set {need}. A KOBIS key is free at kobis.or.kr/kobisopenapi.",
            code="no_key",
        )
    conn = state(ctx).conn()
    results = []
    for name in wanted:
        client = JsonClient({"kobis": "KOBIS", "tmdb": "TMDb"}[name])
        try:
            if name == "kobis":
                result = refresh.kobis_run(
                    conn, today=today, now=moment, client=client, key=keys[name], dry_run=dry_run
                )
            else:
                result = refresh.tmdb_run(
                    conn,
                    now=moment,
                    client=client,
                    key=keys[name],
                    title_ids=refresh.tmdb_ids(conn),
                    dry_run=dry_run,
                )
        except KwatchError as exc:
            if not dry_run:
                refresh.record_failure(
                    conn, name, now=moment, calls=client.calls, message=exc.message
                )
            raise
        results.append(result)
    if as_json:
        output.emit_json({"dry_run": dry_run, "sources": [r.to_dict() for r in results]})
        return
    for r in results:
        verb = "would store" if dry_run else "stored"
        skipped = sum(r.skipped.values())
        output.message(
            f"{r.source}: {r.fetched} fetched, {r.matched} matched to known titles, "
            f"{output.plural(r.added, 'new title')}, {output.plural(r.changed, 'date')} moved; "
            f"{verb}. {output.plural(skipped, 'entry', 'entries')} skipped"
            + (
                f" ({', '.join(f'{k}: {v}' for k, v in sorted(r.skipped.items()))})"
                if skipped
                else ""
            )
            + "."
        )


@releases_app.command("status")
@handle_errors
def releases_status(ctx: typer.Context, as_json: JsonFlag = False) -> None:
    """Show when each source was last asked, and what came of it.

    \b
    Example: kwatch releases status --json
    """
    from kwatch.releases.query import CATALOGUE_RELEASES_CHECKED_ON
    from kwatch.releases.refresh import run_history

    runs = run_history(state(ctx).conn())
    if as_json:
        output.emit_json(
            {
                "catalogue_checked_on": CATALOGUE_RELEASES_CHECKED_ON.isoformat(),
                "runs": runs,
            }
        )
        return
    output.message(f"Bundled release dates checked on {CATALOGUE_RELEASES_CHECKED_ON.isoformat()}.")
    if not runs:
        output.message("No refresh has run yet: kwatch releases update")
        return
    output.table(
        ["Source", "When", "Status", "Found", "Matched", "Added", "Moved", "Message"],
        [
            (
                r["source"],
                r["finished_at"] or r["started_at"],
                r["status"],
                r["found"],
                r["matched"],
                r["added"],
                r["changed"],
                r["message"] or "",
            )
            for r in runs
        ],
    )
