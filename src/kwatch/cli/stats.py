"""The stats command: counts, histograms and top lists, with small bar charts for people."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from kwatch import output
from kwatch.cli.common import JsonFlag, handle_errors, state
from kwatch.cli.root import app

if TYPE_CHECKING:
    from kwatch.stats import Stats

BAR_WIDTH = 24
HUMAN_MONTHS = 12
_PARTIAL = " ▏▎▍▌▋▊▉"  # 0/8 .. 7/8 of a cell


def bar(value: float, maximum: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar in eighths of a cell; any value above zero shows at least a sliver."""
    if value <= 0 or maximum <= 0:
        return ""
    eighths = max(1, round(min(value, maximum) / maximum * width * 8))
    full, rest = divmod(eighths, 8)
    return "█" * full + (_PARTIAL[rest] if rest else "")


def _counts(rows: list[tuple[str, int]]) -> list[tuple[str, int, str]]:
    top = max((n for _, n in rows), default=0)
    return [(label, n, bar(n, top)) for label, n in rows]


def _section(heading: str) -> None:
    # Headings as plain lines rather than table titles: a rich title wraps at the table's width.
    output.plain()
    output.plain(heading)


def _render(stats: Stats) -> None:
    from kwatch.values import star_glyphs

    year = stats.year
    in_year = f" in {year}" if year else ""

    whole = f" (the whole library, not only {year})" if year else ""
    output.plain(f"Library: {output.plural(stats.library_total, 'title')}{whole}")
    output.table(["Status", "Titles", ""], _counts(list(stats.by_status.items())))

    rewatches = f", {stats.rewatches} of them rewatches" if stats.rewatches else ""
    _section(f"Viewings{in_year}: {stats.viewings_total}{rewatches}")
    if not stats.viewings_total:
        output.plain(f'No viewings logged{in_year}. Log one: kwatch watched "Bleak Night"')
    else:
        if not year:
            output.table(["Year", "Viewings", ""], _counts(list(stats.by_year)))
        months = list(stats.by_month)
        if len(months) > HUMAN_MONTHS:
            output.plain(
                f"Last {HUMAN_MONTHS} of {len(months)} months (--year YYYY or --json for all):"
            )
            months = months[-HUMAN_MONTHS:]
        if months:
            output.table(["Month", "Viewings", ""], _counts(months))
        if stats.year_only_viewings:
            output.plain(
                f"{output.plural(stats.year_only_viewings, 'viewing')} dated only by year"
                f" {'is' if stats.year_only_viewings == 1 else 'are'} in no month."
            )

    if not stats.ratings_count:
        _section(f'Ratings{in_year}: none yet. Rate a title: kwatch rate "Bleak Night" 4.5')
    else:
        _section(
            f"Ratings{in_year}: {output.plural(stats.ratings_count, 'title')},"
            f" average {stats.ratings_average:g}/5"
        )
        peak = max(n for _, n in stats.histogram)
        output.table(
            ["Rating", "Titles", ""],
            [(star_glyphs(r), n, bar(n, peak)) for r, n in stats.histogram],
        )
        output.plain(
            f"One rating per title seen in {year}: the latest given on a {year} viewing, "
            "else the title's rating."
            if year
            else "One rating per title: its current rating."
        )

    if stats.top_directors:
        _section(f"Most-watched directors{in_year}")
        output.table(["Director", "Viewings", ""], _counts(list(stats.top_directors)))
    if stats.top_themes:
        _section(f"Most-watched themes{in_year}")
        output.table(["Theme", "Viewings", ""], _counts(list(stats.top_themes)))
    if stats.average_rating_by_theme:
        _section(f"Average rating by theme{in_year}")
        output.table(
            ["Theme", "Average", "Titles", ""],
            [
                (t.theme, f"{t.average:g}", t.count, bar(t.average, 5.0))
                for t in stats.average_rating_by_theme
            ],
        )


def _render_review(review, year: int | None) -> None:
    """The films of the year, the hours and the best-rated (after the counts)."""
    from kwatch.values import star_glyphs

    in_year = f" in {year}" if year else ""
    unknown = review.unknown_runtime
    note = (
        f" ({output.plural(unknown, 'viewing')} of unknown length not counted)" if unknown else ""
    )
    _section(f"Hours watched{in_year}: {review.hours:g}{note}")
    if review.films:
        _section(f"Films watched in {year}")
        output.table(
            ["When", "Title", "Viewing", "Rating", "Id"],
            [
                (
                    f.date,
                    f.title,
                    "rewatch" if f.rewatch else "first watch",
                    star_glyphs(round(f.rating * 2)) if f.rating else "",
                    f.id,
                )
                for f in review.films
            ],
        )
    if review.best_rated:
        _section(f"Best-rated{in_year}")
        output.table(
            ["Title", "Rating", "Id"],
            [(f.title, star_glyphs(round((f.rating or 0) * 2)), f.id) for f in review.best_rated],
        )


@app.command()
@handle_errors
def stats(
    ctx: typer.Context,
    year: Annotated[
        str | None,
        typer.Option(
            "--year",
            metavar="YYYY",
            help="A year in review: viewings, ratings and top lists for viewings in that year "
            "(the library counts stay whole).",
            show_default=False,
        ),
    ] = None,
    as_json: JsonFlag = False,
) -> None:
    """Show your numbers: library, viewings, ratings, top directors and themes.

    Viewings per year and per month: one dated only by year (--on 2019)
    counts in its year but in no month. Ratings count once per title: its
    current rating; with --year, the latest rating given on a viewing that
    year, else the title's rating. Directors and themes count viewings
    (rewatches too). Themes naming a source article (hidden-gems,
    indie-gems, ...) are left out of the theme lists. --json for scripts.

    \b
    Example: kwatch stats
             kwatch stats --year 2025 --json
    """
    from kwatch.stats import compute_stats, parse_year

    chosen = parse_year(year) if year is not None else None
    from kwatch.review import year_in_review

    conn = state(ctx).conn()
    result = compute_stats(conn, chosen)
    review = year_in_review(conn, chosen)
    if as_json:
        output.emit_json({**result.to_dict(), **review.to_dict()})
    else:
        _render(result)
        _render_review(review, chosen)
