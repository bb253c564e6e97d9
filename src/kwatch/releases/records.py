"""The release dates the user records: add, correct, list and remove them.

Catalogue rows are never modified: the user's row of a title, type and region takes precedence
over the others (see kwatch.releases.query).
"""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import TYPE_CHECKING, Any, NamedTuple

from kwatch.db import transaction
from kwatch.errors import Ambiguous, NotFound
from kwatch.releases.query import ReleaseRow, _release, _rows_for_titles, display_date, sort_key

if TYPE_CHECKING:
    from kwatch.models import Release, Title


def _with_when(release: Release) -> dict[str, Any]:
    return {**release.to_dict(), "when": display_date(release.date, release.precision)}


class ReleaseChange(NamedTuple):
    """What `kwatch release` did (listed, recorded or removed) and the title's releases after."""

    title: Title
    action: str  # listed, recorded, removed
    rows: list[ReleaseRow]
    release: Release | None = None  # the release recorded
    replaced: Release | None = None  # the user's earlier release of that type and region
    overrides: tuple[Release, ...] = ()  # catalogue releases the recorded one takes precedence over
    removed: Release | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.title.id,
            "title": self.title.title,
            "action": self.action,
            "release": _with_when(self.release) if self.release else None,
            "replaced": self.replaced.to_dict() if self.replaced else None,
            "overrides": [r.to_dict() for r in self.overrides],
            "removed": self.removed.to_dict() if self.removed else None,
            "releases": [{**_with_when(r.release), "superseded": r.superseded} for r in self.rows],
        }


def _title_rows(conn: sqlite3.Connection, title_id: str) -> list[ReleaseRow]:
    rows = _rows_for_titles(conn, "?", [title_id])
    rows.sort(key=lambda r: (sort_key(r.release.date, r.release.precision), r.row_id))
    return rows


def title_releases(conn: sqlite3.Connection, title: Title) -> ReleaseChange:
    """A title's releases, each marked when one of the user's takes precedence over it."""
    return ReleaseChange(title, "listed", _title_rows(conn, title.id))


def _group_rows(
    conn: sqlite3.Connection, title_id: str, rtype: str, region: str
) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM releases WHERE title_id = ? AND type = ? AND region = ? ORDER BY id",
        (title_id, rtype, region),
    ).fetchall()


def set_release(
    conn: sqlite3.Connection,
    title: Title,
    *,
    when: tuple[str, str],
    rtype: str,
    region: str = "KR",
    note: str | None = None,
    source: str | None = None,
    today: date,
) -> ReleaseChange:
    """Record the user's release of `title` for this type and region, replacing their earlier
    one. Catalogue rows are left alone; the user's row takes precedence over them. The source
    says when it was entered, which tells a forecast from a confirmed date (see is_stale)."""
    from kwatch.library.entries import replace_user_release
    from kwatch.models import Release

    value, precision = when
    stamp = f"added by you on {today.isoformat()}"
    source_text = f"{source.strip()} ({stamp})" if source and source.strip() else stamp
    release = Release(
        date=value,
        precision=precision,
        region=region,
        type=rtype,
        note=(note or "").strip() or None,
        source=source_text,
        origin="user",
    )
    with transaction(conn):
        group = _group_rows(conn, title.id, rtype, region)
        previous = [_release(r) for r in group if r["origin"] == "user"]
        overrides = tuple(_release(r) for r in group if r["origin"] != "user")
        replace_user_release(conn, title.id, release)
    return ReleaseChange(
        title,
        "recorded",
        _title_rows(conn, title.id),
        release=release,
        replaced=previous[-1] if previous else None,
        overrides=overrides,
    )


def remove_release(
    conn: sqlite3.Connection, title: Title, *, rtype: str | None = None, region: str | None = None
) -> ReleaseChange:
    """Delete one of the user's releases of `title` (the only one, or the one of this type and
    region); a catalogue release it had taken precedence over shows again."""
    from kwatch.library.entries import delete_user_release

    with transaction(conn):
        mine = conn.execute(
            "SELECT * FROM releases WHERE title_id = ? AND origin = 'user'"
            " AND (? IS NULL OR type = ?) AND (? IS NULL OR region = ?) ORDER BY id",
            (title.id, rtype, rtype, region, region),
        ).fetchall()
        if not mine:
            which = " ".join(x for x in (rtype, f"({region})" if region else None) if x)
            raise NotFound(
                f"you have no {which + ' ' if which else ''}release recorded for {title.label}; "
                f"see the title's releases with `kwatch release {title.id}`."
            )
        if len(mine) > 1:
            listed = ", ".join(f"{r['type']} {r['region']}" for r in mine)
            raise Ambiguous(
                f"you have {len(mine)} releases of {title.label} ({listed}); "
                "say which with --type and --region."
            )
        delete_user_release(conn, mine[0]["id"])
    return ReleaseChange(title, "removed", _title_rows(conn, title.id), removed=_release(mine[0]))
