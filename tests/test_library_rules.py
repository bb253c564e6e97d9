"""The library's write rules, tested directly on a temporary database: the single-title
commands, the importers' bulk writers and a kwatch export merged into a library all apply
the same rules (a rating means seen, the newest rating wins, the default priority,
completed since the first viewing)."""

from __future__ import annotations

from datetime import date

from kwatch.library import bulk, find_entry, rate
from kwatch.library.bulk import Counts, EntryRecord, Facts
from kwatch.library.rules import PRIORITY_DEFAULT, newer_rating, status_after_seen
from kwatch.titles import resolve

TODAY = date(2026, 11, 22)


def facts(tid: str, **kw) -> Facts:
    base = dict(
        title_id=tid,
        completed=False,
        planned=False,
        first_viewing=None,
        seen_on=None,
        planned_on=None,
        rating=None,
        rated_on=None,
        tags=(),
    )
    base.update(kw)
    return Facts(**base)


def record(tid: str, **kw) -> EntryRecord:
    base = dict(
        title_id=tid,
        status="planned",
        priority=3,
        rating=None,
        rated_on=None,
        added_on="2024-01-01",
        tags=(),
        notes=(),
        viewings=(),
        history=(("planned", "2024-01-01"),),
    )
    base.update(kw)
    return EntryRecord(**base)


def test_rules_one_place():
    assert status_after_seen(None) == "completed"
    assert status_after_seen("planned") == "completed"
    assert status_after_seen("watching") is None
    assert newer_rating(None, None, 7, "2020-01-01") == "added"
    assert newer_rating(6, "2021-01-01", 7, "2020-01-01") is None  # older: the library's stays
    assert newer_rating(6, "2019-01-01", 7, "2020-01-01") == "updated"
    assert newer_rating(6, "2019-01-01", None, None) is None


def test_a_rating_means_seen_in_bulk_as_in_the_command(conn):
    count = Counts()
    bulk.apply_facts(conn, [facts("parasite-2019", rating=9, rated_on="2020-02-02")], "x", count)
    entry = find_entry(conn, "parasite-2019")
    assert entry.status == "completed" and entry.rating == 9
    assert entry.priority == PRIORITY_DEFAULT
    burning = resolve(conn, "Burning")
    assert rate(conn, burning, 8, today=TODAY).entry.status == "completed"


def test_completed_since_is_the_first_viewing_not_a_later_date(conn):
    bulk.apply_facts(
        conn,
        [
            facts(
                "parasite-2019",
                completed=True,
                first_viewing="2020-02-01",
                seen_on="2020-02-02",
                planned_on="2019-09-19",
                planned=True,
            )
        ],
        "2026-11-22",
        Counts(),
    )
    entry = find_entry(conn, "parasite-2019")
    assert entry.added_on == "2019-09-19"
    assert [(h.status, h.changed_on) for h in entry.status_history] == [
        ("planned", "2019-09-19"),
        ("completed", "2020-02-01"),
    ]


def test_the_newest_rating_wins_in_bulk(conn):
    count = Counts()
    bulk.apply_facts(conn, [facts("burning-2018", rating=6, rated_on="2021-01-01")], "x", count)
    bulk.apply_facts(conn, [facts("burning-2018", rating=8, rated_on="2020-01-01")], "x", count)
    assert find_entry(conn, "burning-2018").rating == 6
    bulk.apply_facts(conn, [facts("burning-2018", rating=8, rated_on="2022-01-01")], "x", count)
    assert find_entry(conn, "burning-2018").rating == 8
    assert count.by_kind["ratings"] == {"added": 1, "updated": 1, "unchanged": 1}


def test_merging_a_kwatch_export_into_an_existing_library(conn):
    """The kwatch JSON import's merge: nothing twice, newest rating and status win."""
    count = Counts()
    viewing = ("2024-02-03", "day", 8, None, 0, "2024-02-03", None)
    bulk.merge_entry(
        conn,
        record(
            "burning-2018",
            status="completed",
            rating=8,
            rated_on="2024-02-03",
            tags=("mine",),
            notes=(("good", "2024-02-03", None),),
            viewings=(viewing,),
            history=(("planned", "2024-01-01"), ("completed", "2024-02-03")),
        ),
        count,
    )
    # The same entry again, from another machine: a newer rating, a new tag, one more
    # viewing, a later status change.
    again = Counts()
    bulk.merge_entry(
        conn,
        record(
            "burning-2018",
            status="on-hold",
            rating=6,
            rated_on="2025-01-01",
            tags=("mine", "second"),
            notes=(("good", "2024-02-03", None),),
            viewings=(viewing, ("2025-01-01", "day", 6, None, 1, "2025-01-01", None)),
            history=(
                ("planned", "2024-01-01"),
                ("completed", "2024-02-03"),
                ("on-hold", "2025-01-02"),
            ),
        ),
        again,
    )
    entry = find_entry(conn, "burning-2018")
    assert entry.rating == 6 and entry.status == "on-hold"
    assert entry.tags == ("mine", "second")
    assert len(entry.notes) == 1 and len(entry.viewings) == 2
    assert len(entry.status_history) == 3
    assert again.by_kind["viewings"] == {"added": 1, "updated": 0, "unchanged": 1}
    assert again.by_kind["notes"]["unchanged"] == 1
    # An older export merged later changes neither the rating nor the status.
    old = Counts()
    bulk.merge_entry(conn, record("burning-2018", rating=2, rated_on="2020-01-01"), old)
    entry = find_entry(conn, "burning-2018")
    assert entry.rating == 6 and entry.status == "on-hold"
    assert old.by_kind["entries"]["unchanged"] == 1


def test_user_releases_are_not_added_twice(conn):
    row = ("burning-2018", "2027-01-01", "day", "KR", "streaming", None, "me")
    first, second = Counts(), Counts()
    bulk.add_user_releases(conn, [row], first)
    bulk.add_user_releases(conn, [row], second)
    assert first.by_kind["releases"]["added"] == 1
    assert second.by_kind["releases"] == {"added": 0, "updated": 0, "unchanged": 1}


def test_only_the_library_writes_the_users_tables():
    import re
    from pathlib import Path

    import kwatch

    user_tables = (
        "entries",
        "entry_tags",
        "entry_notes",
        "viewings",
        "status_history",
        "source_ids",
        "lists",
        "list_items",
        "reviews",
    )
    write = re.compile(
        r"(INSERT(?: OR \w+)? INTO|UPDATE|DELETE FROM)\s+(" + "|".join(user_tables) + r")\b"
    )
    root = Path(kwatch.__file__).parent
    offenders = [
        f"{path.relative_to(root)}: {m.group(0)}"
        for path in root.rglob("*.py")
        if "library" not in path.relative_to(root).parts[:1] and path.name != "migrations.py"
        for m in write.finditer(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
