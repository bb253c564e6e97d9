"""The layer file: <data dir>/opendata/wikidata.json.gz, written whole and swapped atomically.

A cache that can be rebuilt: deleting it (`kwatch catalogue update --remove`) takes every
Wikidata title and fact out of the index at the next command and touches no user data.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path
from typing import Any, NamedTuple

from kwatch.errors import CatalogueError

FORMAT = "kwatch-opendata"
VERSION = 1
LICENCE = "CC0-1.0"


class Layer(NamedTuple):
    source: str  # "wikidata"
    fetched: str  # YYYY-MM-DD
    origin: str  # the endpoint or file it was built from
    records: list[dict[str, Any]]
    skipped: list[dict[str, Any]]


def read_layer(path: Path) -> Layer | None:
    """The layer at `path`, None if there is none; CatalogueError if it is unreadable."""
    try:
        with gzip.open(path, "rb") as fh:
            data = json.loads(fh.read())
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError) as exc:
        raise CatalogueError(
            f"{path} cannot be read ({exc}); rebuild it with `kwatch catalogue update` or "
            "delete it with `kwatch catalogue update --remove`."
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
        raise CatalogueError(
            f"{path} is not a kwatch open-data layer of version {VERSION}; rebuild it with "
            "`kwatch catalogue update`."
        )
    return Layer(
        source=str(data.get("source", "wikidata")),
        fetched=str(data.get("fetched", "")),
        origin=str(data.get("origin", "")),
        records=[r for r in data.get("titles", []) if isinstance(r, dict) and r.get("qid")],
        skipped=list(data.get("skipped", [])),
    )


def write_layer(path: Path, layer: Layer) -> int:
    """Write the new layer beside the old one, then swap it in with one os.replace: a crash or
    Ctrl-C at any point leaves the previous layer as it was. Returns the file's size."""
    if path.exists() and not path.is_file():
        raise CatalogueError(f"{path} is not a regular file; move it away and try again.")
    document = {
        "format": FORMAT,
        "version": VERSION,
        "source": layer.source,
        "licence": LICENCE,
        "fetched": layer.fetched,
        "origin": layer.origin,
        "count": len(layer.records),
        "skipped": layer.skipped,
        "titles": layer.records,
    }
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        try:
            # mtime=0: the same facts give the same bytes.
            with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
                fh.write(data)
                fh.flush()
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    except OSError as exc:
        raise CatalogueError(f"cannot write {path}: {exc.strerror}.") from None
    return path.stat().st_size


def remove_layer(path: Path) -> bool:
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise CatalogueError(f"cannot remove {path}: {exc.strerror}.") from None
    return True


class Diff(NamedTuple):
    added: int
    changed: int
    removed: int
    unchanged: int


def diff(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> Diff:
    before = {r["qid"]: r for r in old}
    after = {r["qid"]: r for r in new}
    changed = sum(1 for q, r in after.items() if q in before and before[q] != r)
    common = sum(1 for q in after if q in before)
    return Diff(
        added=len(after) - common,
        changed=changed,
        removed=len(before) - common,
        unchanged=common - changed,
    )
