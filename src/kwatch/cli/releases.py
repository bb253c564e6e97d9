"""Release commands: release, upcoming, remind, calendar."""

from typing import TYPE_CHECKING, Annotated

import typer

from kwatch import output
from kwatch.cli.common import (
    JsonFlag,
    clock_today,
    cut_notice,
    handle_errors,
    limit_option,
    resolve_title,
    row_limit,
    state,
)
from kwatch.cli.complete import complete_alarm, complete_release_type, complete_title
from kwatch.cli.root import app

if TYPE_CHECKING:
    from kwatch.releases.query import UpcomingItem

TitleArg = Annotated[
    str,
    typer.Argument(
        help="An id, English, alternative or Korean title.",
        show_default=False,
        autocompletion=complete_title,
    ),
]
DaysOpt = Annotated[
    int | None,
    typer.Option("--days", help="Only the next N days (0 = today only).", show_default=False),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until",
        help="Only up to this date: YYYY-MM-DD, or YYYY-MM / YYYY for the end of that period.",
        show_default=False,
    ),
]
TypeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--type",
        help="festival, theatrical, streaming or tv (repeatable).",
        show_default=False,
        autocompletion=complete_release_type,
    ),
]
WatchlistOnlyOpt = Annotated[
    bool,
    typer.Option(
        "--watchlist-only",
        help="Only titles on your watchlist (status planned, watching or on-hold).",
    ),
]
RecentOpt = Annotated[
    int, typer.Option("--recent", help="Also show watchlist titles out in the last N days.")
]
AlarmOpt = Annotated[
    str | None,
    typer.Option(
        "--alarm",
        help="Add a reminder this long before each event: 1d, 12h, 30m, 1w.",
        show_default=False,
        autocompletion=complete_alarm,
    ),
]
# A string, not a Path: a trailing "/" (a folder was meant) must survive to the writer.
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the calendar to this file instead of stdout.",
        show_default=False,
    ),
]
HUMAN_LIMIT = 50
UpcomingLimit = Annotated[str | None, limit_option(HUMAN_LIMIT)]


@app.command()
@handle_errors
def release(
    ctx: typer.Context,
    title: TitleArg,
    when: Annotated[
        str | None,
        typer.Argument(
            metavar="[DATE]",
            help="YYYY-MM-DD, YYYY-MM (month known), a season ('summer 2027'), a half "
            "('first half of 2027'), YYYY (year known) or 'unknown'. "
            "Leave out to list the title's releases.",
            show_default=False,
        ),
    ] = None,
    release_type: Annotated[
        str | None,
        typer.Option(
            "--type",
            help="festival, theatrical, streaming or tv (default theatrical).",
            show_default=False,
            autocompletion=complete_release_type,
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(help="Two-letter country code (default KR).", show_default=False),
    ] = None,
    note: Annotated[
        str | None, typer.Option(help="A note, e.g. 'Netflix, worldwide'.", show_default=False)
    ] = None,
    source: Annotated[
        str | None, typer.Option(help="Where the date comes from.", show_default=False)
    ] = None,
    remove: Annotated[
        bool,
        typer.Option(
            "--remove", help="Delete your release (give --type/--region if you have several)."
        ),
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Add or correct a title's release date, or list its releases.

    Your date takes precedence over the catalogue's release of the same type and region, which
    is kept unchanged (it shows again if you --remove yours). Entering a date again after it has
    passed confirms it (see `kwatch upcoming --help` on stale dates).

    \b
    Example: kwatch release "Some Film" 2027-03-14 --type theatrical
             kwatch release "Some Film" 2027-03
             kwatch release jung-e-2023
    """
    from kwatch.errors import InvalidInput
    from kwatch.releases.query import parse_region, parse_release_date
    from kwatch.releases.records import remove_release, set_release, title_releases
    from kwatch.values import RELEASE_TYPES, parse_choice

    # Every argument is checked before the database is opened: bad input changes nothing.
    rtype = None if release_type is None else parse_choice(release_type, RELEASE_TYPES, "--type")
    place = parse_region(region) if region is not None else None
    parsed = parse_release_date(when) if when is not None else None
    if remove and parsed is not None:
        raise InvalidInput("give either a DATE or --remove, not both.")
    today = clock_today()
    found = resolve_title(ctx, title)
    conn = state(ctx).conn()
    if remove:
        change = remove_release(conn, found, rtype=rtype, region=place)
    elif parsed is None:
        change = title_releases(conn, found)
    else:
        change = set_release(
            conn,
            found,
            when=parsed,
            rtype=rtype or "theatrical",
            region=place or "KR",
            note=note,
            source=source,
            today=today,
        )
    if as_json:
        output.emit_json(change.to_dict())
        return
    if change.action == "listed":
        _print_title_releases(change)
        return
    from kwatch.releases.query import display_date

    if change.removed:
        gone = change.removed
        output.message(
            f"Removed your {gone.type} release ({gone.region}) of {found.label}, "
            f"{display_date(gone.date, gone.precision)}."
        )
        return
    new = change.release
    assert new is not None  # a change that removes nothing records a release
    when = display_date(new.date, new.precision)
    text = f"Recorded {found.label}: {new.type} ({new.region}) {when}."
    if change.overrides:
        shown = ", ".join(display_date(r.date, r.precision) for r in change.overrides)
        text += f" Yours takes precedence over the catalogue's {shown}."
    output.message(text)


def _print_title_releases(listing) -> None:
    from kwatch.releases.query import display_date

    if not listing.rows:
        output.message(
            f"No releases known for {listing.title.label}. "
            f"Add one: kwatch release {listing.title.id} YYYY-MM-DD --type theatrical"
        )
        return
    rows = []
    for r in listing.rows:
        origin = "yours" if r.release.origin == "user" else "catalogue"
        if r.superseded:
            origin += " (yours takes precedence)"
        when = display_date(r.release.date, r.release.precision)
        release = r.release
        rows.append(
            (when, release.type, release.region, release.note or "", release.source or "", origin)
        )
    output.table(
        ["When", "Type", "Region", "Note", "Source", "From"], rows, title=listing.title.label
    )


def _no_releases_hint(
    days: int | None, until: str | None, watchlist_only: bool, types: list[str] | None = None
) -> str:
    """What to try when a window holds no release: never the window just asked for, and
    never a command that silently drops a filter the user gave."""
    if watchlist_only:
        return "No releases of your watchlist in that window. Drop --watchlist-only for all."
    if types:
        kinds = " or ".join(t.strip() for part in types for t in part.split(",") if t.strip())
        return f"No {kinds} releases in that window. Drop --type to see every kind."
    if until is None and (days is None or days < 365):
        return "No releases in that window. Try a longer one: kwatch upcoming --days 365"
    return "No releases in that window; the catalogue knows of none announced that far."


def _select(
    ctx: typer.Context,
    *,
    days: int | None,
    until: str | None,
    types: list[str] | None,
    watchlist_only: bool,
    recent: int,
) -> "list[UpcomingItem]":
    from kwatch.releases.query import check_recent, parse_types, upcoming, window_end

    today = clock_today()
    end = window_end(today, days, until)
    kinds = parse_types(types)
    check_recent(recent)
    return upcoming(
        state(ctx).conn(),
        today=today,
        until=end,
        recent=recent,
        types=kinds,
        watchlist_only=watchlist_only,
    )


def _write_calendar(
    ctx: typer.Context,
    items: "list[UpcomingItem]",
    *,
    alarm: str | None,
    to: str | None,
    as_json: bool,
) -> None:
    from kwatch.clock import now
    from kwatch.db import transaction
    from kwatch.releases.ical import (
        build_calendar,
        calendar_items,
        event_sequences,
    )
    from kwatch.releases.query import parse_alarm

    delay = parse_alarm(alarm) if alarm is not None else None
    if to == "-":
        to = None  # "-" is standard output
    events, _ = calendar_items(items)
    conn = state(ctx).conn()
    # The event sequences are kept only if the file is written: a failed write changes nothing.
    with transaction(conn):
        sequences = event_sequences(conn, events)
        result = build_calendar(items, now=now(), alarm=delay, sequences=sequences)
        if to is not None:
            _save(to, result.data)
    if as_json:
        doc = {"output": str(to) if to else None, **result.to_dict()}
        doc["ics"] = None if to else result.data.decode("utf-8")
        output.emit_json(doc)
    else:
        if to is None:
            output.raw(result.data)
        else:
            output.message(f"Wrote {output.plural(len(result.events), 'event')} to {to}.")
        if result.skipped:
            listed = ", ".join(f"{i.title.title} ({i.when})" for i in result.skipped[:5])
            more = f" and {len(result.skipped) - 5} more" if len(result.skipped) > 5 else ""
            output.message(
                f"Left out {output.plural(len(result.skipped), 'release')} known only to the "
                f"month, quarter, season, half or year (an event would need an invented day): "
                f"{listed}{more}."
            )


def _save(path: str, data: bytes) -> None:
    """Through the one writer (kwatch.files): atomic, never over a device, FIFO or folder. A
    calendar is meant to be read by a calendar app, so it keeps the usual permissions."""
    from kwatch.files import write_file

    write_file(path, data, private=False)


@app.command("upcoming")
@handle_errors
def upcoming_(
    ctx: typer.Context,
    days: DaysOpt = None,
    until: UntilOpt = None,
    release_type: TypeOpt = None,
    watchlist_only: WatchlistOnlyOpt = False,
    recent: RecentOpt = 14,
    ics: Annotated[
        bool, typer.Option("--ics", help="Write an iCalendar file instead (as `kwatch calendar`).")
    ] = False,
    alarm: AlarmOpt = None,
    to: OutputOpt = None,
    limit: UpcomingLimit = None,
    as_json: JsonFlag = False,
) -> None:
    """Show releases from today on, soonest first.

    A date known only to the month or year is shown as what it is ("March 2027", "2027"), never
    as a made-up day. It sorts after the exact dates of its month (a year date: after everything
    dated in that year), since it means "sometime then".

    Status: upcoming; out = a watchlist title released in the last --recent days; stale = a
    date you entered before it came has passed (over --recent days ago) while the title is
    still planned and no later release is known. kwatch cannot tell whether it really came out:
    check, then record the real date with `kwatch release` (entering it again confirms it) or
    change the status. Your watchlist is the titles with status planned, watching or on-hold.

    \b
    Example: kwatch upcoming --days 60
             kwatch upcoming --watchlist-only --type theatrical --json
             kwatch upcoming --ics -o ~/kwatch.ics --alarm 1d
    """
    from kwatch.errors import InvalidInput

    rows = row_limit(limit, as_json=as_json, for_people=HUMAN_LIMIT)
    if ics and as_json:
        raise InvalidInput(
            "--ics writes a calendar; for its JSON summary use `kwatch calendar --json`."
        )
    if not ics and (alarm is not None or to is not None):
        raise InvalidInput("--alarm and --output go with --ics (or use `kwatch calendar`).")
    if alarm is not None:
        from kwatch.releases.query import parse_alarm

        parse_alarm(alarm)
    items = _select(
        ctx,
        days=days,
        until=until,
        types=release_type,
        watchlist_only=watchlist_only,
        recent=recent,
    )
    _data_age_notice(ctx)
    if ics:
        _write_calendar(ctx, items, alarm=alarm, to=to, as_json=as_json)
        return
    if as_json:
        output.emit_json([i.to_dict() for i in items[:rows]])
        return
    if not items:
        output.message(_no_releases_hint(days, until, watchlist_only, release_type))
        return
    shown = items[:rows]
    caption = cut_notice(len(shown), len(items))
    if any(i.status == "stale" for i in shown):
        note = "stale: the date has passed; check that it came out (kwatch upcoming --help)"
        caption = f"{caption}\n{note}" if caption else note
    output.table(
        ["When", "Title", "Release", "Status", "List", "Id"],
        [
            (
                i.when,
                i.title.title,
                _release_text(i),
                _status_text(i),
                "yes" if i.title.in_watchlist else "",
                i.title.id,
            )
            for i in shown
        ],
        caption=caption,
    )


def _data_age_notice(ctx: typer.Context) -> None:
    """One line on stderr when the release dates are over a month old."""
    from kwatch.releases.refresh import data_age_notice

    notice = data_age_notice(state(ctx).conn(), clock_today())
    if notice:
        output.message(notice)


def _release_text(item: "UpcomingItem") -> str:
    text = f"{item.release.type} {item.release.region}"
    return f"{text}, yours" if item.release.origin == "user" else text


def _status_text(item: "UpcomingItem") -> str:
    if item.status == "upcoming":
        if item.days_away is None:
            return "upcoming"
        return {0: "today", 1: "tomorrow"}.get(item.days_away, f"in {item.days_away} days")
    if item.status == "out":
        if item.days_away is None:
            return "out"
        ago = -item.days_away
        return "out yesterday" if ago == 1 else f"out {ago} days ago"
    return "stale: check it"


@app.command()
@handle_errors
def calendar(
    ctx: typer.Context,
    days: DaysOpt = None,
    until: UntilOpt = None,
    release_type: TypeOpt = None,
    watchlist_only: WatchlistOnlyOpt = False,
    recent: RecentOpt = 14,
    alarm: AlarmOpt = None,
    to: OutputOpt = None,
    as_json: JsonFlag = False,
) -> None:
    """Write upcoming releases as an iCalendar (.ics) file for your calendar app.

    Each exact release date becomes an all-day event whose UID stays the same from run to run,
    so a calendar subscribed to the file updates an event when its date is corrected instead of
    adding a second one. Dates known only to the month or year are left out (and listed on
    stderr) rather than put on an invented day. With --json, prints a summary (and the calendar
    text as "ics" when there is no --output).

    \b
    Example: kwatch calendar -o ~/kwatch.ics --alarm 1d
             kwatch calendar --watchlist-only > releases.ics
    """
    if alarm is not None:
        from kwatch.releases.query import parse_alarm

        parse_alarm(alarm)
    items = _select(
        ctx,
        days=days,
        until=until,
        types=release_type,
        watchlist_only=watchlist_only,
        recent=recent,
    )
    _write_calendar(ctx, items, alarm=alarm, to=to, as_json=as_json)


@app.command()
@handle_errors
def remind(
    ctx: typer.Context,
    days: Annotated[int, typer.Option("--days", help="How far ahead to look.")] = 7,
    release_type: TypeOpt = None,
    notify: Annotated[
        bool,
        typer.Option(
            "--notify", help="Also send a desktop notification (where notify-send exists)."
        ),
    ] = False,
    again: Annotated[
        bool, typer.Option("--again", help="Show today's reminder even if it was shown already.")
    ] = False,
    as_json: JsonFlag = False,
) -> None:
    """Print a short reminder about your watchlist's releases, once a day.

    Meant for a shell start-up file or cron. Speaks only when a watchlist title has an exact
    release date within --days (or a month-precision one whose month begins within them), or
    came out since the previous reminder; otherwise prints nothing. The first call of the day
    speaks, later ones are silent: the day is kept in the database, so all terminals agree.

    \b
    Example: kwatch remind
             kwatch remind --days 14 --notify
    """
    from kwatch.releases.query import check_days, parse_types

    check_days(days)
    kinds = parse_types(release_type)
    today = clock_today()
    st = state(ctx)
    if not st.db_path.exists():
        # No database yet: nothing to remind of, and a shell start-up must not create one.
        if as_json:
            output.emit_json(
                {
                    "today": today.isoformat(),
                    "since": None,
                    "already_reminded": False,
                    "items": [],
                    "moves": [],
                    "lines": [],
                    "notified": False,
                }
            )
        return
    from kwatch.releases.remind import remind as make_reminder

    reminder = make_reminder(st.conn(), today=today, days=days, types=kinds, again=again)
    lines = reminder.lines
    notified = bool(notify and lines and _notify(lines))
    if as_json:
        output.emit_json({**reminder.to_dict(), "notified": notified})
        return
    for line in lines:
        output.plain(output.visible(line))  # runs in every new shell: titles shown harmlessly


def _notify(lines: list[str]) -> bool:
    """notify-send, if it is on PATH; a failing or slow notifier never fails the reminder."""
    import shutil
    import subprocess

    program = shutil.which("notify-send")
    if program is None:
        return False
    body = "\n".join(line.removeprefix("kwatch: ") for line in lines)
    try:
        done = subprocess.run(
            [program, "kwatch: releases", body],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
