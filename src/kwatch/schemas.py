"""JSON Schemas for every --json document kwatch prints (the contract scripts rely on).

`kwatch schema COMMAND` prints one. They are built from a few shared definitions so a title or
library entry has one shape everywhere. A test pins them: changing one means bumping
output.SCHEMA_VERSION and noting it in CHANGELOG.md.
"""

from __future__ import annotations

from typing import Any

from kwatch.library.bulk import REPORT_KINDS
from kwatch.output import SCHEMA_VERSION
from kwatch.transfer import EXPORT_FORMAT, EXPORT_VERSION
from kwatch.transfer.report import SUMMARY_KEYS
from kwatch.values import ID_PATTERNS, PRECISIONS

DRAFT = "https://json-schema.org/draft/2020-12/schema"
BASE_ID = "https://kwatch.invalid/schemas"
Schema = dict[str, Any]


def nullable(kind: str | Schema) -> Schema:
    if isinstance(kind, str):
        return {"type": [kind, "null"]}
    return {"anyOf": [kind, {"type": "null"}]}


def obj(properties: dict[str, Schema], *, strict: bool = True) -> Schema:
    """An object whose keys are always present (the JSON contract), and no others if strict."""
    return {
        "type": "object",
        "required": sorted(properties),
        "properties": properties,
        "additionalProperties": not strict,
    }


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


STR, INT, NUM, BOOL = (
    {"type": "string"},
    {"type": "integer"},
    {"type": "number"},
    {"type": "boolean"},
)
STRS = array(STR)
DATE = {
    "type": "string",
    "pattern": r"^\d{4}(-\d{2}(-\d{2})?|-(spring|summer|autumn|winter|h1|h2|q1|q2|q3|q4))?$",
}
DAY = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
PRECISION = {"enum": list(PRECISIONS)}
RELEASE_TYPE = {"enum": ["festival", "theatrical", "streaming", "tv"]}
STATUS = {"enum": ["planned", "watching", "on-hold", "dropped", "completed"]}
STARS = nullable({"type": "number", "minimum": 0.5, "maximum": 5, "multipleOf": 0.5})
VERSION = {"const": SCHEMA_VERSION}
POSITIVE = {"type": "integer", "minimum": 1}

RELEASE = obj(
    {
        "date": nullable(DATE),
        "precision": PRECISION,
        "region": {"type": "string"},
        "type": RELEASE_TYPE,
        "note": nullable("string"),
        "source": nullable("string"),
        "origin": {"enum": ["catalogue", "user"]},
    }
)
# External ids: every scheme present, null when unknown (values.ID_SCHEMES).
IDS = obj(
    {
        scheme: nullable({"type": "string", "pattern": pattern})
        for scheme, (pattern, _) in ID_PATTERNS.items()
    }
)
OPENDATA = nullable(obj({"source": {"enum": ["wikidata"]}, "fetched": DAY, "fields": STRS}))
TITLE_PROPS: dict[str, Schema] = {
    "id": STR,
    "title": STR,
    "alt_titles": STRS,
    "original_title": nullable("string"),
    "romanized_title": nullable("string"),
    "year": nullable("integer"),
    "kind": {"enum": ["film", "tv-series"]},
    "directors": STRS,
    "directors_ko": STRS,
    "runtime_min": nullable("integer"),
    "themes": STRS,
    "content_notes": STRS,
    "releases": array(RELEASE),
    "synopsis": nullable("string"),
    "sources": STRS,
    "origin": {"enum": ["bundled", "user-file", "custom", "wikidata", "missing"]},
    "missing": {"type": "object", "additionalProperties": STR},
    "ids": IDS,
    "opendata": OPENDATA,
}
TITLE = obj(TITLE_PROPS)
ENTRY_PROPS: dict[str, Schema] = {
    "id": STR,
    "title": STR,
    "year": nullable("integer"),
    "ids": IDS,
    "status": STATUS,
    "priority": {"type": "integer", "minimum": 1, "maximum": 5},
    "tags": STRS,
    "rating": STARS,
    "rated_on": nullable(DAY),
    "notes": array(obj({"number": POSITIVE, "id": INT, "text": STR, "created_on": DAY})),
    "reviews": array(
        obj(
            {
                "number": POSITIVE,
                "id": INT,
                "text": STR,
                "published_on": DAY,
                "spoilers": BOOL,
            }
        )
    ),
    "viewings": array(
        obj(
            {
                "number": POSITIVE,
                "id": INT,
                "date": DATE,
                "precision": PRECISION,
                "rating": STARS,
                "note": nullable("string"),
                "rewatch": BOOL,
            }
        )
    ),
    "status_history": array(obj({"status": STATUS, "changed_on": DAY})),
    "added_on": DAY,
    "last_viewed": nullable(DATE),
}
ENTRY = obj(ENTRY_PROPS)


def top(properties: dict[str, Schema]) -> Schema:
    """A top-level object document: it carries schema_version."""
    return obj({"schema_version": VERSION, **properties})


def items(properties: dict[str, Schema]) -> Schema:
    """An array document: each object carries schema_version."""
    return array(obj({"schema_version": VERSION, **properties}))


ERROR = top(
    {
        "error": obj({"code": STR, "message": STR}),
    }
)

# Releases: `kwatch release`, `upcoming`, `calendar`, `remind` (kwatch/releases.py).
RELEASE_WHEN = obj({**RELEASE["properties"], "when": STR})
UPCOMING_PROPS: dict[str, Schema] = {
    "id": STR,
    "title": STR,
    "original_title": nullable("string"),
    "year": nullable("integer"),
    "release": RELEASE,
    "when": STR,
    "days_away": nullable("integer"),
    "in_watchlist": BOOL,
    "entry_status": nullable(STATUS),
    "status": {"enum": ["upcoming", "out", "stale"]},
    "uid": STR,
}
REMINDER_ITEM = obj(
    {
        "id": STR,
        "title": STR,
        "year": nullable("integer"),
        "release": RELEASE,
        "when": STR,
        "days_away": nullable("integer"),
        "in_watchlist": BOOL,
        "entry_status": nullable(STATUS),
        "status": {"enum": ["upcoming", "out"]},
        "text": STR,
    }
)

# Import, export, backup (kwatch/transfer/).
COUNT3 = obj({"added": INT, "updated": INT, "unchanged": INT})
IMPORT_REPORT = top(
    {
        "source": {"enum": ["letterboxd", "imdb", "kwatch"]},
        "path": STR,
        "dry_run": BOOL,
        "added": INT,
        "matched": INT,
        "unchanged": INT,
        "updated": INT,
        "rejected": array(obj({"file": STR, "row": nullable("integer"), "reason": STR})),
        "rejected_count": INT,
        "counts": obj({kind: COUNT3 for kind in REPORT_KINDS}),
        "files": array(obj({"file": STR, "kind": STR, "rows": nullable("integer")})),
        "warnings": STRS,
        "summary": obj(dict.fromkeys(SUMMARY_KEYS, INT)),
    }
)

# Lists (kwatch/lists.py).
LIST_PROPS: dict[str, Schema] = {
    "id": STR,
    "name": STR,
    "description": nullable("string"),
    "ranked": BOOL,
    "tags": STRS,
    "created_on": DAY,
    "source": nullable("string"),
    "size": INT,
}
LIST_DOC = top(
    {
        **LIST_PROPS,
        "items": array(
            obj(
                {
                    "position": INT,
                    "id": STR,
                    "title": STR,
                    "year": nullable("integer"),
                    "note": nullable("string"),
                }
            )
        ),
    }
)

# Stats (kwatch/stats.py).
NONNEG = {"type": "integer", "minimum": 0}
AVERAGE = {"type": "number", "minimum": 0.5, "maximum": 5}
WATCHED = obj(
    {
        "id": STR,
        "title": STR,
        "year": nullable("integer"),
        "date": STR,
        "precision": {"enum": ["day", "month", "year"]},
        "rewatch": BOOL,
        "rating": nullable("number"),
        "runtime_min": nullable("integer"),
    }
)
STATS = top(
    {
        "year": nullable("integer"),
        "library": obj(
            {
                "total": NONNEG,
                "by_status": obj(
                    dict.fromkeys(
                        ["planned", "watching", "on-hold", "dropped", "completed"], NONNEG
                    )
                ),
            }
        ),
        "viewings": obj(
            {
                "total": NONNEG,
                "rewatches": NONNEG,
                "by_year": array(obj({"year": INT, "count": NONNEG})),
                "by_month": array(
                    obj({"month": {"type": "string", "pattern": r"^\d{4}-\d{2}$"}, "count": NONNEG})
                ),
            }
        ),
        "ratings": obj(
            {
                "count": NONNEG,
                "average": nullable(AVERAGE),
                "histogram": {
                    **array(obj({"rating": STARS["anyOf"][0], "count": NONNEG})),
                    "minItems": 10,
                    "maxItems": 10,
                },
            }
        ),
        "top_directors": array(obj({"name": STR, "viewings": NONNEG})),
        "top_themes": array(obj({"theme": STR, "viewings": NONNEG})),
        "average_rating_by_theme": array(obj({"theme": STR, "average": AVERAGE, "count": NONNEG})),
        "films": array(WATCHED),
        "hours_watched": {"type": "number", "minimum": 0},
        "viewings_without_runtime": NONNEG,
        "best_rated": array(WATCHED),
    }
)

# The journal (kwatch/journal.py): `history`, `undo`, `redo`.
JOURNAL_OP = obj(
    {
        "number": {"type": "integer", "minimum": 1},
        "id": STR,
        "command": STR,
        "command_line": nullable("string"),
        "created_at": STR,
        "undoes": nullable("string"),
        "undone_by": nullable("string"),
        "changes": NONNEG,
    }
)

# Correcting records (kwatch/library/records.py, own_titles.py).
VIEWING = ENTRY_PROPS["viewings"]["items"]
NOTE_OR_REVIEW = {"anyOf": [ENTRY_PROPS["notes"]["items"], ENTRY_PROPS["reviews"]["items"]]}
VIEWING_CHANGE = top(
    {
        **ENTRY_PROPS,
        "action": {"enum": ["edited", "deleted"]},
        "number": POSITIVE,
        "before": VIEWING,
        "after": nullable(VIEWING),
        "rating_followed": BOOL,
    }
)
NOTE_CHANGE = top(
    {
        **ENTRY_PROPS,
        "action": {"enum": ["added", "edited", "deleted"]},
        "number": POSITIVE,
        "before": nullable(NOTE_OR_REVIEW),
        "after": nullable(NOTE_OR_REVIEW),
    }
)
REMOVED_COUNTS = obj(
    {**dict.fromkeys(["viewings", "notes", "reviews", "tags", "lists_kept"], NONNEG), "rated": BOOL}
)
MOVED_COUNTS = {"type": "object", "additionalProperties": NONNEG}
# Sync (kwatch/sync/): `kwatch sync` reports what it did; `kwatch sync --status` what it knows.
SYNC_REPORT = top(
    {
        "folder": STR,
        "device": STR,
        "exported": NONNEG,
        "chunk": nullable("string"),
        "read": NONNEG,
        "new": NONNEG,
        "applied": NONNEG,
        "skipped_lines": NONNEG,
        "kept_both": NONNEG,
        "other_devices": NONNEG,
        "warnings": STRS,
    }
)
SYNC_STATUS = top(
    {
        "folder": nullable("string"),
        "device": nullable("string"),
        "pending_local": NONNEG,
        "pending_remote": nullable(NONNEG),
        "devices": array(
            obj(
                {
                    "device": STR,
                    "this_device": BOOL,
                    "last_seen": nullable("string"),
                    "changes": NONNEG,
                }
            )
        ),
    }
)

SCHEMAS: dict[str, Schema] = {
    "add": top({**ENTRY_PROPS, "created": BOOL}),
    "remove": top({**ENTRY_PROPS, "removed": REMOVED_COUNTS}),
    "list": items(ENTRY_PROPS),
    "watched": top(ENTRY_PROPS),
    "rate": top({**ENTRY_PROPS, "marked_completed": BOOL, "previous_status": nullable(STATUS)}),
    "status": top({**ENTRY_PROPS, "status_changed": BOOL, "previous_status": nullable(STATUS)}),
    "viewing edit": VIEWING_CHANGE,
    "viewing delete": VIEWING_CHANGE,
    "unrate": top({**ENTRY_PROPS, "rating_cleared": BOOL, "previous_rating": STARS}),
    "tag add": top({**ENTRY_PROPS, "tags_added": STRS, "tags_unchanged": STRS}),
    "tag remove": top({**ENTRY_PROPS, "tags_removed": STRS, "tags_unchanged": STRS}),
    "note add": NOTE_CHANGE,
    "note edit": NOTE_CHANGE,
    "note delete": NOTE_CHANGE,
    "review edit": NOTE_CHANGE,
    "review delete": NOTE_CHANGE,
    "edit": top({**TITLE_PROPS, "changed_fields": STRS}),
    "merge": top(
        {
            "id": STR,
            "title": STR,
            "merged": STR,
            "moved": MOVED_COUNTS,
            "rating_from": nullable("string"),
            "status_from": nullable("string"),
            "entry": nullable(ENTRY),
        }
    ),
    "show": top({**TITLE_PROPS, "entry": nullable(ENTRY)}),
    "path": top(
        {
            "database": STR,
            "database_exists": BOOL,
            "catalogue_dir": STR,
            "bundled_catalogue": STR,
            "opendata_layer": nullable("string"),
        }
    ),
    "search": top(
        {
            "query": STR,
            "results": array(
                obj({**TITLE_PROPS, "matched": {"enum": ["title", "partial title", "text"]}})
            ),
            "suggestions": array(TITLE),
        }
    ),
    "pick": top(
        {
            "source": {"enum": ["watchlist", "catalogue"]},
            "fell_back_to_catalogue": BOOL,
            "fallback_reason": nullable("string"),
            "pool_size": INT,
            "total_weight": INT,
            "filters": STRS,
            "unknown_runtime_left_out": INT,
            "picks": array(
                obj(
                    {
                        **TITLE_PROPS,
                        "weight": INT,
                        "probability": {"type": "number", "minimum": 0, "maximum": 1},
                    }
                )
            ),
        }
    ),
    "catalogue list": items(TITLE_PROPS),
    "catalogue themes": items(
        {
            "name": STR,
            "kind": {"enum": ["theme", "list", "content-note"]},
            "count": INT,
            "description": nullable("string"),
        }
    ),
    "catalogue validate": top(
        {
            "file": STR,
            "valid": BOOL,
            "entries": INT,
            "problems": array(
                obj(
                    {
                        "file": STR,
                        "entry": nullable("string"),
                        "field": nullable("string"),
                        "message": STR,
                    }
                )
            ),
        }
    ),
    "catalogue update": top(
        {
            "action": {"enum": ["updated", "dry-run", "removed"]},
            "dry_run": BOOL,
            "source": STR,
            "path": STR,
            "fetched": nullable(DAY),
            "licence": {"const": "CC0-1.0"},
            "total": NONNEG,
            "added": NONNEG,
            "changed": NONNEG,
            "removed": NONNEG,
            "unchanged": NONNEG,
            "joined_catalogue": NONNEG,
            "skipped": array(obj({"reason": STR, "count": NONNEG})),
            "skipped_count": NONNEG,
            "bytes": nullable("integer"),
        }
    ),
    "release": top(
        {
            "id": STR,
            "title": STR,
            "action": {"enum": ["listed", "recorded", "removed"]},
            "release": nullable(RELEASE_WHEN),
            "replaced": nullable(RELEASE),
            "overrides": array(RELEASE),
            "removed": nullable(RELEASE),
            "releases": array(obj({**RELEASE_WHEN["properties"], "superseded": BOOL})),
        }
    ),
    "upcoming": items(UPCOMING_PROPS),
    "calendar": top(
        {
            "output": nullable("string"),
            "events": array(obj({**UPCOMING_PROPS, "sequence": NONNEG})),
            "skipped": array(obj({**UPCOMING_PROPS, "reason": STR})),
            "ics": nullable("string"),
        }
    ),
    "remind": top(
        {
            "today": DAY,
            "since": nullable(DAY),
            "already_reminded": BOOL,
            "items": array(REMINDER_ITEM),
            "moves": array(
                obj(
                    {
                        "id": STR,
                        "title": STR,
                        "type": RELEASE_TYPE,
                        "region": STR,
                        "from": STR,
                        "to": STR,
                        "text": STR,
                    }
                )
            ),
            "lines": STRS,
            "notified": BOOL,
        }
    ),
    "history": items(JOURNAL_OP["properties"]),
    "doctor": top(
        {
            "ok": BOOL,
            "checks": array(
                obj(
                    {
                        "name": STR,
                        "status": {"enum": ["ok", "warning", "problem"]},
                        "detail": STR,
                        "fix": nullable("string"),
                    }
                )
            ),
        }
    ),
    "undo": top({"undone": array(JOURNAL_OP)}),
    "redo": top({"redone": JOURNAL_OP}),
    "sync": {"oneOf": [SYNC_REPORT, SYNC_STATUS]},
    "releases update": top(
        {
            "dry_run": BOOL,
            "sources": array(
                obj(
                    {
                        "source": {"enum": ["kobis", "tmdb"]},
                        "found": NONNEG,
                        "matched": NONNEG,
                        "added": NONNEG,
                        "changed": NONNEG,
                        "skipped": {"type": "object", "additionalProperties": NONNEG},
                        "calls": NONNEG,
                        "dry_run": BOOL,
                        "moves": array(
                            obj(
                                {
                                    "id": STR,
                                    "type": RELEASE_TYPE,
                                    "region": STR,
                                    "from": obj({"date": nullable(DATE), "precision": PRECISION}),
                                    "to": obj({"date": nullable(DATE), "precision": PRECISION}),
                                }
                            )
                        ),
                    }
                )
            ),
        }
    ),
    "releases status": top(
        {
            "catalogue_checked_on": DAY,
            "runs": array(
                obj(
                    {
                        "source": STR,
                        "started_at": STR,
                        "finished_at": nullable("string"),
                        "status": {"enum": ["ok", "failed"]},
                        "calls": NONNEG,
                        "found": NONNEG,
                        "matched": NONNEG,
                        "added": NONNEG,
                        "changed": NONNEG,
                        "message": nullable("string"),
                    }
                )
            ),
        }
    ),
    "import letterboxd": IMPORT_REPORT,
    "import imdb": IMPORT_REPORT,
    "import kwatch": IMPORT_REPORT,
    # `export --format json` to stdout prints the export itself (its own "format"/"version"
    # header, see transfer/letterboxd_export.py); with --output and --json it prints this summary.
    "export": top(
        {
            "format": {"enum": ["json", "letterboxd", "csv"]},
            "files": STRS,
            "rows": INT,
            "skipped": INT,
            "undated": array(obj({"id": STR, "date": DATE, "precision": PRECISION})),
        }
    ),
    "backup": top({"path": STR, "source": STR, "bytes": INT}),
    "lists show": {"anyOf": [items(LIST_PROPS), LIST_DOC]},
    "lists create": LIST_DOC,
    "lists edit": LIST_DOC,
    "lists add": LIST_DOC,
    "lists move": LIST_DOC,
    "lists remove": LIST_DOC,
    "lists delete": LIST_DOC,
    "lists export": top({**LIST_DOC["properties"], "csv": nullable("string")}),
    "stats": STATS,
    "completion": top({"shell": {"enum": ["bash", "zsh", "fish"]}, "script": STR}),
    "help": top({"command": STR, "help": STR}),
    "error": ERROR,
}


# Documents kwatch writes that are not --json output: the JSON export (`kwatch export
# --format json`), versioned by its own "version" (transfer.EXPORT_VERSION).
_NOTE_DOC = obj({"text": STR, "created_on": DAY, "import_key": nullable("string")})
EXPORT_DOCUMENT: Schema = obj(
    {
        "format": {"const": EXPORT_FORMAT},
        "version": {"const": EXPORT_VERSION},
        "kwatch_version": STR,
        "exported_on": DAY,
        "titles": array(obj({k: v for k, v in TITLE_PROPS.items() if k != "releases"})),
        "releases": array(
            obj(
                {
                    "title_id": STR,
                    "date": {"anyOf": [DATE, {"const": ""}]},
                    "precision": PRECISION,
                    "region": STR,
                    "type": RELEASE_TYPE,
                    "note": nullable("string"),
                    "source": nullable("string"),
                }
            )
        ),
        "entries": array(
            obj(
                {
                    "title_id": STR,
                    "status": STATUS,
                    "priority": {"type": "integer", "minimum": 1, "maximum": 5},
                    "rating": STARS,
                    "rated_on": nullable(DAY),
                    "added_on": DAY,
                    "tags": STRS,
                    "notes": array(_NOTE_DOC),
                    "viewings": array(
                        obj(
                            {
                                "date": DATE,
                                "precision": PRECISION,
                                "rating": STARS,
                                "note": nullable("string"),
                                "rewatch": BOOL,
                                "created_on": DAY,
                                "import_key": nullable("string"),
                            }
                        )
                    ),
                    "status_history": array(obj({"status": STATUS, "changed_on": DAY})),
                    "reviews": array(
                        obj(
                            {
                                "text": STR,
                                "original": nullable("string"),
                                "published_on": DAY,
                                "spoilers": BOOL,
                                "import_key": nullable("string"),
                            }
                        )
                    ),
                }
            )
        ),
        "source_ids": array(
            obj(
                {
                    "scheme": STR,
                    "value": STR,
                    "title_id": STR,
                    "name": nullable("string"),
                    "year": nullable("integer"),
                }
            )
        ),
        "likes": array(obj({"title_id": STR, "liked_on": nullable(DAY)})),
        "lists": array(
            obj(
                {
                    **{k: v for k, v in LIST_PROPS.items() if k != "size"},
                    "items": array(
                        obj({"position": INT, "title_id": STR, "note": nullable("string")})
                    ),
                }
            )
        ),
    }
)
DOCUMENTS: dict[str, tuple[Schema, int, str]] = {
    "export-document": (EXPORT_DOCUMENT, EXPORT_VERSION, "kwatch JSON export document"),
}


def names() -> list[str]:
    return sorted([*SCHEMAS, *DOCUMENTS])


def schema_for(command: str) -> Schema:
    """The full schema document for a command ("list", "catalogue list" or "catalogue-list")."""
    if command in DOCUMENTS:
        schema, version, title = DOCUMENTS[command]
        return {
            "$schema": DRAFT,
            "$id": f"{BASE_ID}/{command}/v{version}.json",
            "title": title,
            **schema,
        }
    key = " ".join(command.replace("-", " ").split()) if command not in SCHEMAS else command
    if key not in SCHEMAS:
        from kwatch.errors import NotFound

        raise NotFound(f"no schema for {command!r}; one of: {', '.join(names())}.")
    slug = key.replace(" ", "-")
    return {
        "$schema": DRAFT,
        "$id": f"{BASE_ID}/{slug}/v{SCHEMA_VERSION}.json",
        "title": f"kwatch {key} --json" if key != "error" else "kwatch error document",
        **SCHEMAS[key],
    }
