"""The rules attached to the user's records, in one place: every writer (the commands, the
importers, a restore, later undo and sync) applies these and no copies of them."""

from __future__ import annotations

from kwatch.errors import InvalidInput

PRIORITY_MIN, PRIORITY_MAX, PRIORITY_DEFAULT = 1, 5, 3


def check_priority(priority: int | None) -> None:
    if priority is not None and not PRIORITY_MIN <= priority <= PRIORITY_MAX:
        raise InvalidInput(
            f"priority {priority} is out of range; use {PRIORITY_MIN} (low) to "
            f"{PRIORITY_MAX} (high), default {PRIORITY_DEFAULT}."
        )


def status_after_seen(current: str | None) -> str | None:
    """A viewing or a rating means seen, as on Letterboxd: a new or planned title becomes
    completed; watching, on-hold, dropped and completed stay as they are. None: no change."""
    if current is None or current == "planned":
        return "completed"
    return None


def newer_rating(
    old: int | None, old_on: str | None, new: int | None, new_on: str | None
) -> str | None:
    """What a rating given on `new_on` does to one given on `old_on`: "added" when there was
    none, "updated" when it is newer and different (the newest rating wins), else None."""
    if new is None:
        return None
    if old is None:
        return "added"
    if old != new and (new_on or "") > (old_on or ""):
        return "updated"
    return None


def completed_since(first_viewing: str | None, fallback: str | None, today: str) -> str:
    """The date a title became completed: its first viewing's day; without a dated viewing,
    the earliest date the source records it as seen (watched, rated); never a list's date."""
    return first_viewing or fallback or today
