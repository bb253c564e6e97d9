"""The one clock kwatch reads. KWATCH_TODAY=YYYY-MM-DD pins "today" for tests and demos."""

from __future__ import annotations

import os
from datetime import date

from kwatch.errors import InvalidInput


def today() -> date:
    pinned = os.environ.get("KWATCH_TODAY")
    if pinned:
        try:
            return date.fromisoformat(pinned.strip())
        except ValueError:
            raise InvalidInput(
                f"KWATCH_TODAY={pinned!r} is not a date; use YYYY-MM-DD or unset it."
            ) from None
    return date.today()
