"""What an import did: the report, and the errors that stop one row or roll back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

REJECTED_LISTED = 1000
# watchlist / completed: titles of the import that are planned / seen; list_only: titles only
# in lists (not in the library); matched_by_id / matched_by_name: catalogue titles found by a
# source id or by name and year; not_in_catalogue: rows left out by --only catalogue.
SUMMARY_KEYS = (
    "watchlist",
    "completed",
    "list_only",
    "matched_by_id",
    "matched_by_name",
    "not_in_catalogue",
)


@dataclass(frozen=True)
class Rejected:
    file: str
    row: int | None  # line number in the file (the header is line 1); entry number in JSON
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "reason": self.reason}


@dataclass(frozen=True)
class FileUsed:
    file: str
    kind: str  # diary, watched, ratings, reviews, watchlist, list, ignored, kwatch-export...
    rows: int | None

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "kind": self.kind, "rows": self.rows}


@dataclass(frozen=True)
class ImportReport:
    """What an import did. Counts are of things, not of rows: a film that is in diary.csv,
    watched.csv and ratings.csv is one entry, one viewing and one rating.

    - added: things newly written (user titles, library entries, viewings, ratings, notes, tags)
    - matched: distinct titles of the import found in the catalogue (the rest are user titles)
    - unchanged: things the database already had (importing the same export twice: all of them)
    - updated: things that were there but changed (a viewing's date or rating edited at the
      source, a newer rating, a planned title now watched)
    - rejected: rows that were skipped, each with its file, line and reason
    """

    source: str
    path: str
    dry_run: bool
    counts: dict[str, dict[str, int]]
    matched: int
    rejected: tuple[Rejected, ...]
    rejected_count: int
    files: tuple[FileUsed, ...]
    warnings: tuple[str, ...]
    # What the titles of the import became, and how they were found (see SUMMARY_KEYS).
    summary: dict[str, int] | None = None

    def _total(self, what: str) -> int:
        return sum(c[what] for c in self.counts.values())

    @property
    def added(self) -> int:
        return self._total("added")

    @property
    def updated(self) -> int:
        return self._total("updated")

    @property
    def unchanged(self) -> int:
        return self._total("unchanged")

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "path": self.path,
            "dry_run": self.dry_run,
            "added": self.added,
            "matched": self.matched,
            "unchanged": self.unchanged,
            "updated": self.updated,
            "rejected": [r.to_dict() for r in self.rejected],
            "rejected_count": self.rejected_count,
            "counts": {k: dict(v) for k, v in self.counts.items()},
            "files": [f.to_dict() for f in self.files],
            "warnings": list(self.warnings),
            "summary": {k: (self.summary or {}).get(k, 0) for k in SUMMARY_KEYS},
        }


class RowError(Exception):
    """One row cannot be imported; the message is the reason shown in the report."""


class NotInCatalogue(RowError):
    """With --only catalogue: the row names a title the catalogue does not have."""


class DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""
