"""Find and choose: search and pick."""

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
    handle_errors,
    limit_option,
    row_limit,
    state,
)
from kwatch.cli.complete import complete_pick_kind, complete_pick_source
from kwatch.cli.root import app

HUMAN_SEARCH_LIMIT = 20
SearchLimit = Annotated[str | None, limit_option(HUMAN_SEARCH_LIMIT)]


def _one_line(text: str, width: int = 100) -> str:
    """The first sentence of a synopsis, cut at a word to fit one line."""
    flat = " ".join(text.split())
    first = flat.split(". ")[0].rstrip(".") + "."
    if len(first) <= width:
        return first
    return first[: width - 1].rsplit(" ", 1)[0] + "…"


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
    limit: SearchLimit = None,
    as_json: JsonFlag = False,
) -> None:
    """Search titles, Korean titles, romanizations, directors, themes and synopses.

    \b
    Example: kwatch search "han gongju"
             kwatch search 복수 --decade 2000s
    """
    from kwatch.search import search as run_search

    effective = row_limit(limit, as_json=as_json, for_people=HUMAN_SEARCH_LIMIT)
    filters = build_filters(
        theme, avoid, year, decade, director, kind, max_runtime, watched, in_watchlist, in_list
    )
    # Nothing found is an answer, not an error: exit 0 with an empty list (and suggestions).
    # One more than the page, to know whether the table for people is cut.
    asked = None if effective is None else effective + 1
    result = run_search(state(ctx).conn(), query, filters, limit=asked)
    cut = effective is not None and len(result.hits) > effective
    if cut:
        from dataclasses import replace

        result = replace(result, hits=result.hits[:effective])
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
        hint = (
            f" Did you mean {names}?"
            if names
            else " Try fewer words, another spelling, or the Korean title."
        )
        output.message(f"No title matches {query!r}.{hint}")
        return
    output.table(
        ["Title", "Year", "Korean", "Directed by", "Id", "Matched"],
        [
            (*row[:-1], row[-1], hit.matched)
            for row, hit in zip(
                _title_rows([h.title for h in result.hits]), result.hits, strict=True
            )
        ],
        caption=(
            f"the first {len(result.hits)} matches; --limit all shows every one" if cut else None
        ),
    )


@app.command()
@handle_errors
def pick(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Option(
            "--from",
            help="watchlist, catalogue, or auto (watchlist if any).",
            autocompletion=complete_pick_source,
        ),
    ] = "auto",
    theme: ThemeOpt = None,
    avoid: AvoidOpt = None,
    year: YearOpt = None,
    decade: DecadeOpt = None,
    director: DirectorOpt = None,
    kind: Annotated[
        str,
        typer.Option(
            "--kind",
            help="film (the default: tonight's film), tv-series, or any.",
            autocompletion=complete_pick_kind,
        ),
    ] = "film",
    max_runtime: MaxRuntimeOpt = None,
    watched: WatchedOpt = None,
    in_watchlist: InWatchlistOpt = None,
    in_list: ListOpt = None,
    include_dropped: Annotated[
        bool, typer.Option("--include-dropped", help="Also offer titles you dropped.")
    ] = False,
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

    wanted_kind = None if kind.strip().lower() in ("any", "all") else kind.strip().lower()
    from kwatch.values import KINDS

    if wanted_kind is not None and wanted_kind not in KINDS:
        from kwatch.errors import InvalidInput

        raise InvalidInput(f"--kind {kind!r} is not one of: {', '.join(KINDS)}, any.")
    filters = build_filters(
        theme,
        avoid,
        year,
        decade,
        director,
        wanted_kind,
        max_runtime,
        watched,
        in_watchlist,
        in_list,
    )
    rng = random.Random(seed)
    result = run_pick(
        state(ctx).conn(),
        rng=rng,
        filters=filters,
        source=source.strip().lower(),
        include_watched=include_watched,
        include_dropped=include_dropped,
        count=count,
    )
    if as_json:
        output.emit_json(result.to_dict())
        return
    if result.fell_back:
        output.message(
            f"{(result.fallback_reason or 'the watchlist had nothing').capitalize()},"
            " so this pick is from the catalogue."
        )
    for choice in result.choices:
        t = choice.title
        line = f"{t.label}  [{t.id}]"
        if t.runtime_min:
            line += f"  {t.runtime_min} min"
        if t.directors:
            line += f"  dir. {', '.join(t.directors)}"
        output.plain(output.visible(line))
        if t.synopsis:
            output.plain(output.visible(f"  {_one_line(t.synopsis)}"))
        if explain:
            output.plain(
                f"  weight {choice.weight} of {result.total_weight}"
                f" ({choice.probability:.1%} chance as first pick)"
            )
    if len(result.choices) < count:
        matched = output.plural(result.pool_size, "title")
        output.message(f"Only {matched} matched, so only those are shown.")
    if explain:
        output.plain(f"Pool: {output.plural(result.pool_size, 'title')} from your {result.source}.")
        output.plain("Filters: " + ("; ".join(result.filters) or "none"))
        if max_runtime is not None:
            unknown = output.plural(result.unknown_runtime_left_out, "title")
            output.plain(
                f"Runtimes: {unknown} with no known runtime left out by --max-runtime"
                " (kwatch cannot tell whether they fit)."
            )
        if result.source == "watchlist":
            output.plain("Weights: watchlist priority (1-5); dropped titles are left out.")
        else:
            output.plain("Weights: every catalogue title counts the same.")
