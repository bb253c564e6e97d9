"""Find and choose: search and pick."""

from typing import Annotated

import typer

from kwatch import output
from kwatch.cli import app
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
    handle_errors,
    row_limit,
    state,
)


def _title_rows(titles):
    return [
        (t.title, t.year or "", t.original_title or "", ", ".join(t.directors), t.id)
        for t in titles
    ]


@app.command()
@handle_errors
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words, a title in any spelling, Hangul or ㅎㄱㅈ.")],
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
    limit: Annotated[int, typer.Option(help="At most N results.")] = 20,
    as_json: JsonFlag = False,
) -> None:
    """Search titles, Korean titles, romanizations, directors, themes and synopses.

    \b
    Example: kwatch search "han gongju"
             kwatch search 복수 --decade 2000s
    """
    from kwatch.search import require_hits
    from kwatch.search import search as run_search

    row_limit(limit, as_json=as_json, for_people=limit)
    filters = build_filters(
        theme, avoid, year, decade, director, kind, max_runtime, watched, in_watchlist, in_list
    )
    result = require_hits(run_search(state(ctx).conn(), query, filters, limit=limit))
    if as_json:
        output.emit_json(
            {
                "query": result.query,
                "results": [h.to_dict() for h in result.hits],
                "suggestions": [t.to_dict() for t in result.suggestions],
            }
        )
        return
    if not result.hits:
        names = " or ".join(f"{t.label} [{t.id}]" for t in result.suggestions)
        output.message(f"No title matches {query!r}. Did you mean {names}?")
        return
    output.table(
        ["Title", "Year", "Korean", "Directed by", "Id", "Matched"],
        [
            (*row[:-1], row[-1], hit.matched)
            for row, hit in zip(
                _title_rows([h.title for h in result.hits]), result.hits, strict=True
            )
        ],
    )


@app.command()
@handle_errors
def pick(
    ctx: typer.Context,
    source: Annotated[
        str, typer.Option("--from", help="watchlist, catalogue, or auto (watchlist if any).")
    ] = "auto",
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
    include_watched: Annotated[
        bool, typer.Option("--include-watched", help="Also offer titles you have seen.")
    ] = False,
    count: Annotated[int, typer.Option(help="How many different titles to pick.")] = 1,
    seed: Annotated[
        int | None, typer.Option(help="Make the pick reproducible: same seed, same pick.")
    ] = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show the pool, the filters and the weights.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Pick tonight's film at random; higher watchlist priority, likelier pick.

    \b
    Example: kwatch pick --theme romance
             kwatch pick --from catalogue --avoid suicide --max-runtime 110 --count 3
    """
    import random

    from kwatch.pick import pick as run_pick

    filters = build_filters(
        theme, avoid, year, decade, director, kind, max_runtime, watched, in_watchlist, in_list
    )
    rng = random.Random(seed)
    result = run_pick(
        state(ctx).conn(),
        rng=rng,
        filters=filters,
        source=source.strip().lower(),
        include_watched=include_watched,
        count=count,
    )
    if as_json:
        output.emit_json(result.to_dict())
        return
    if result.fell_back:
        output.message(
            f"{result.fallback_reason.capitalize()}, so this pick is from the catalogue."
        )
    for choice in result.choices:
        t = choice.title
        line = f"{t.label}  [{t.id}]"
        if t.directors:
            line += f"  dir. {', '.join(t.directors)}"
        output.plain(line)
        if explain:
            output.plain(
                f"  weight {choice.weight} of {result.total_weight}"
                f" ({choice.probability:.1%} chance as first pick)"
            )
    if len(result.choices) < count:
        output.message(f"Only {result.pool_size} titles matched, so only those are shown.")
    if explain:
        output.plain(f"Pool: {result.pool_size} titles from your {result.source}.")
        output.plain("Filters: " + ("; ".join(result.filters) or "none"))
        if result.source == "watchlist":
            output.plain("Weights: watchlist priority (1-5); dropped titles are left out.")
        else:
            output.plain("Weights: every catalogue title counts the same.")
