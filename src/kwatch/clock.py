"""The one clock kwatch reads. KWATCH_TODAY=YYYY-MM-DD pins "today" for tests and demos."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime

from kwatch.errors import InvalidInput


def today() -> date:
    pinned = os.environ.get("KWATCH_TODAY")
    if pinned:
        from kwatch.values import parse_partial_date

        try:
            value, precision = parse_partial_date(pinned, what="KWATCH_TODAY")
        except InvalidInput as exc:
            raise InvalidInput(f"{exc.message} Unset KWATCH_TODAY to use the real date.") from None
        if precision != "day":
            raise InvalidInput(f"KWATCH_TODAY={pinned!r} is not a day; use YYYY-MM-DD or unset it.")
        return date.fromisoformat(value)
    return date.today()


def now() -> datetime:
    """The current moment in UTC, for timestamps such as a calendar's DTSTAMP or when a refresh
    ran. KWATCH_NOW=YYYY-MM-DDTHH:MM:SS (UTC) pins it, for tests and reproducible files."""
    pinned = os.environ.get("KWATCH_NOW")
    if pinned:
        try:
            moment = datetime.fromisoformat(pinned.strip())
        except ValueError:
            raise InvalidInput(
                f"KWATCH_NOW={pinned!r} is not a date and time; "
                "use YYYY-MM-DDTHH:MM:SS or unset it."
            ) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return datetime.now(UTC)
