"""Titles: building them from catalogue entries and rows, indexing them, finding them."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from json.encoder import encode_basestring_ascii
from operator import attrgetter
from typing import Any

from kwatch.errors import Ambiguous, InvalidInput, NotFound
from kwatch.models import Release, Title
from kwatch.textnorm import hangul_initials, has_hangul, is_initials_query, name_key
from kwatch.values import ID_SCHEME_LABELS

INDEX_TABLES = (
    "title_names",
    "title_themes",
    "title_notes",
    "title_directors",
    "title_ids",
    "titles_fts",
)


def title_from_entry(
    entry: dict[str, Any], origin: str, opendata: dict[str, Any] | None = None
) -> Title:
    return Title(
        id=entry["id"],
        title=entry["title"].strip(),
        origin=origin,
        alt_titles=tuple(entry.get("alt_titles", ())),
        original_title=entry.get("original_title") or None,
        romanized_title=entry.get("romanized_title") or None,
        year=entry.get("year"),
        kind=entry.get("kind", "film"),
        directors=tuple(entry.get("directors", ())),
        runtime_min=entry.get("runtime_min"),
        themes=tuple(entry.get("themes", ())),
        content_notes=tuple(entry.get("content_notes", ())),
        synopsis=entry.get("synopsis") or None,
        sources=tuple(entry.get("sources", ())),
        missing=dict(entry.get("missing", {})),
        releases=tuple(
            [
                # Positional (date, precision, region, type, note, source, origin): a layer
                # builds tens of thousands of these.
                Release(
                    r.get("date", ""),
                    r["precision"],
                    r.get("region", "KR"),
                    r["type"],
                    r.get("note"),
                    r.get("source"),
                    "catalogue",
                )
                for r in entry.get("releases", ())
            ]
        ),
        directors_ko=tuple(entry.get("directors_ko", ())),
        ids=dict(entry.get("ids") or {}),
        opendata=opendata,
    )


def release_from_row(row: sqlite3.Row) -> Release:
    return Release._make(row[column] for column in Release._fields)


# Read by position, in the records' own field order: a search or list that returns thousands of
# titles spent a third of its time looking sqlite3.Row columns up by name and in keyword calls.
_RELEASE_COLUMNS = ", ".join(Release._fields)  # the columns bear the fields' names
_RELEASE_ORDER = "ORDER BY date = '', date, id"
_TITLE_COLUMNS = (
    "id, title, origin, alt_titles, original_title, romanized_title, year, kind, directors,"
    " runtime_min, themes, content_notes, synopsis, sources, missing, directors_ko, opendata"
)


def _plain_rows(conn: sqlite3.Connection, sql: str, params: Sequence[object]) -> sqlite3.Cursor:
    """Rows as plain tuples, whatever the connection's row factory."""
    cursor = conn.cursor()
    cursor.row_factory = None
    return cursor.execute(sql, params)


def releases_of(conn: sqlite3.Connection, title_id: str) -> tuple[Release, ...]:
    rows = _plain_rows(
        conn,
        f"SELECT {_RELEASE_COLUMNS} FROM releases WHERE title_id = ? {_RELEASE_ORDER}",
        (title_id,),
    )
    return tuple(map(Release._make, rows))


_scan_json = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # set in __init__


def _decoded(text: str) -> Any:
    """json.loads(text) for the JSON kwatch itself wrote into a column: the C scanner alone,
    without json.loads' layers (a search returning thousands of titles decodes several per
    title). Anything else, even trailing text, goes to json.loads and its error."""
    try:
        value, end = _scan_json(text, 0)
    except StopIteration:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


def _decoded_list(text: str) -> tuple[Any, ...]:
    # Most list columns are empty: "[]" skips the decoder.
    return () if text == "[]" else tuple(_decoded(text))


def _title_from_values(
    values: tuple[Any, ...], releases: tuple[Release, ...], ids: dict[str, str] | None
) -> Title:
    """A Title from one row of _TITLE_COLUMNS."""
    (
        title_id,
        title,
        origin,
        alt_titles,
        original_title,
        romanized_title,
        year,
        kind,
        directors,
        runtime_min,
        themes,
        content_notes,
        synopsis,
        sources,
        missing,
        directors_ko,
        opendata,
    ) = values
    return Title(
        title_id,
        title,
        origin,
        _decoded_list(alt_titles),
        original_title,
        romanized_title,
        year,
        kind,
        _decoded_list(directors),
        runtime_min,
        _decoded_list(themes),
        _decoded_list(content_notes),
        synopsis,
        _decoded_list(sources),
        {} if missing == "{}" else _decoded(missing),
        releases,
        _decoded_list(directors_ko),
        ids or {},
        _decoded(opendata) if opendata else None,
    )


def ids_of(conn: sqlite3.Connection, title_id: str) -> dict[str, str]:
    rows = conn.execute("SELECT scheme, value FROM title_ids WHERE title_id = ?", (title_id,))
    return {scheme: value for scheme, value in rows}


def get_title(conn: sqlite3.Connection, title_id: str) -> Title:
    row = _plain_rows(
        conn, f"SELECT {_TITLE_COLUMNS} FROM titles WHERE id = ?", (title_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"no title with id {title_id!r}; find one with `kwatch search`.")
    return _title_from_values(row, releases_of(conn, title_id), ids_of(conn, title_id))


def titles_by_ids(conn: sqlite3.Connection, ids: list[str]) -> dict[str, Title]:
    """Many titles in three queries per 500 (not three per title), keyed by id."""
    if not ids:
        return {}
    found: dict[str, Title] = {}
    releases: dict[str, list[Release]] = {}
    ids_by_title: dict[str, dict[str, str]] = {}
    make_release = Release._make
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start : chunk_start + 500]
        marks = ",".join("?" * len(chunk))
        for title_id, *release in _plain_rows(
            conn,
            f"SELECT title_id, {_RELEASE_COLUMNS} FROM releases"
            f" WHERE title_id IN ({marks}) {_RELEASE_ORDER}",
            chunk,
        ):
            releases.setdefault(title_id, []).append(make_release(release))
        for title_id, scheme, value in _plain_rows(
            conn,
            f"SELECT title_id, scheme, value FROM title_ids WHERE title_id IN ({marks})",
            chunk,
        ):
            ids_by_title.setdefault(title_id, {})[scheme] = value
        for row in _plain_rows(
            conn, f"SELECT {_TITLE_COLUMNS} FROM titles WHERE id IN ({marks})", chunk
        ):
            title_id = row[0]
            found[title_id] = _title_from_values(
                row, tuple(releases.get(title_id, ())), ids_by_title.get(title_id)
            )
    return found


def name_keys(title: Title) -> list[tuple[str, str]]:
    # A dict keeps the first of each (key, kind) in order; an index build calls this per title.
    keys = {(name_key(title.id), "id"): None}
    for kind, name in (
        ("title", title.title),
        *(("alt", alt) for alt in title.alt_titles),
        ("original", title.original_title),
        ("romanized", title.romanized_title),
    ):
        if name and (key := name_key(name)):
            keys[(key, kind)] = None
    if title.original_title and has_hangul(title.original_title):
        keys[(hangul_initials(title.original_title), "initials")] = None
    return list(keys)


def _json_list(values: tuple[str, ...]) -> str:
    """json.dumps(list(values)), byte for byte, at a quarter of the cost for a list of strings
    (a rebuild writes six lists per title; most are empty)."""
    if not values:
        return "[]"
    if all(type(v) is str for v in values):
        return "[" + ", ".join(map(encode_basestring_ascii, values)) + "]"
    return json.dumps(list(values))


def _opendata_json(opendata: dict[str, Any] | None, memo: dict[tuple[Any, ...], str]) -> str | None:
    """json.dumps(opendata): every title from one layer carries one of a few identical notes
    (strings and a list of field names), so each distinct note is encoded once per rebuild."""
    if not opendata:
        return None
    parts = tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in opendata.items())
    if not all(
        type(v) is str or (type(v) is tuple and all(type(x) is str for x in v)) for _, v in parts
    ):
        return json.dumps(opendata)
    if parts not in memo:
        memo[parts] = json.dumps(opendata)
    return memo[parts]


def index_title(
    conn: sqlite3.Connection,
    title: Title,
    *,
    source_file: str | None = None,
    write_row: bool = True,
) -> None:
    """Write a title and everything that finds it: names, themes, notes, directors, full text."""
    index_titles(conn, [title], source_files={title.id: source_file}, write_rows=write_row)


def index_titles(
    conn: sqlite3.Connection,
    titles: list[Title],
    *,
    source_files: dict[str, str | None] | None = None,
    write_rows: bool = True,
    write_releases: bool = True,
    keys: dict[str, list[tuple[str, str]]] | None = None,
) -> None:
    """index_title for many titles in a few executemany calls (imports and catalogue syncs).

    `write_rows=False` re-indexes titles whose rows exist already; `write_releases=False` leaves
    releases to the caller; `keys` passes name keys already computed.
    """
    if not titles:
        return
    source_files = source_files or {}
    opendata_memo: dict[tuple[Any, ...], str] = {}
    if write_rows:
        from kwatch.journal import insert_many

        insert_many(
            conn,
            "titles",
            "INSERT INTO titles (id, origin, title, alt_titles, original_title, romanized_title,"
            " year, kind, directors, runtime_min, themes, content_notes, synopsis, sources,"
            " missing, source_file, directors_ko, opendata)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [
                (
                    t.id,
                    t.origin,
                    t.title,
                    _json_list(t.alt_titles),
                    t.original_title,
                    t.romanized_title,
                    t.year,
                    t.kind,
                    _json_list(t.directors),
                    t.runtime_min,
                    _json_list(t.themes),
                    _json_list(t.content_notes),
                    t.synopsis,
                    _json_list(t.sources),
                    json.dumps(t.missing) if t.missing else "{}",
                    source_files.get(t.id),
                    _json_list(t.directors_ko),
                    _opendata_json(t.opendata, opendata_memo),
                )
                for t in titles
            ],
        )
    if write_rows and write_releases:
        conn.executemany(
            "INSERT INTO releases (title_id, date, precision, region, type, note, source, origin)"
            " VALUES (?,?,?,?,?,?,?,?)",
            [
                (
                    t.id,
                    r.date,
                    r.precision,
                    r.region,
                    r.type,
                    r.note,
                    r.source,
                    "user" if t.origin == "custom" else "catalogue",
                )
                for t in titles
                for r in t.releases
            ],
        )
    keys = {t.id: (keys or {}).get(t.id) or name_keys(t) for t in titles}
    conn.executemany(
        "INSERT INTO title_names (title_id, key, kind) VALUES (?,?,?)",
        [(title_id, key, kind) for title_id, pairs in keys.items() for key, kind in pairs],
    )
    # These tables are clustered on their primary key (WITHOUT ROWID): rows given in key order
    # are appended to the B-tree instead of landing on a random page each (a third of their
    # cost at 20,000 titles). Grouping titles taken in id order gets that order without
    # sorting every row; the order is stable, so for title_ids the first value still wins.
    in_id_order = sorted(titles, key=attrgetter("id"))
    conn.executemany(
        "INSERT OR IGNORE INTO title_themes (theme, title_id) VALUES (?,?)",
        _key_order((theme, t.id) for t in in_id_order for theme in t.themes),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO title_notes (note, title_id) VALUES (?,?)",
        _key_order((note, t.id) for t in in_id_order for note in t.content_notes),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO title_directors (director_key, title_id) VALUES (?,?)",
        _key_order(
            (name_key(d), t.id) for t in in_id_order for d in (*t.directors, *t.directors_ko)
        ),
    )
    conn.executemany(
        "INSERT OR IGNORE INTO title_ids (title_id, scheme, value) VALUES (?,?,?)",
        [(t.id, scheme, value) for t in in_id_order for scheme, value in t.ids.items()],
    )
    conn.executemany(
        "INSERT INTO titles_fts (title_id, names, people, themes, synopsis) VALUES (?,?,?,?,?)",
        [_fts_row(t, keys[t.id]) for t in titles],
    )


def _key_order(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(key, title_id) pairs, given in title id order, sorted by key and then title id."""
    groups: dict[str, list[str]] = {}
    for key, title_id in pairs:
        groups.setdefault(key, []).append(title_id)
    return [(key, title_id) for key in sorted(groups) for title_id in groups[key]]


def reindex_titles(conn: sqlite3.Connection, ids: list[str]) -> None:
    """Index these titles again from their rows (after an edit, a merge or an undo changed
    them); a title whose row is gone leaves the index."""
    for title_id in ids:
        for table in INDEX_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE title_id = ?", (title_id,))
    index_titles(conn, list(titles_by_ids(conn, ids).values()), write_rows=False)


def _fts_row(title: Title, keys: list[tuple[str, str]]) -> tuple[str, str, str, str, str]:
    names = [
        title.title,
        *title.alt_titles,
        title.original_title or "",
        title.romanized_title or "",
    ]
    # Folded forms too, so "hangongju" matches "Han Gong-ju" as a whole token.
    names += sorted({key for key, kind in keys if kind != "id"})
    return (
        title.id,
        " ".join(n for n in names if n),
        " ".join((*title.directors, *title.directors_ko)),
        " ".join(t.replace("-", " ") for t in title.themes),
        title.synopsis or "",
    )


def _split_year(query: str) -> tuple[str, int | None]:
    """ "Ditto 2000" / "Ditto (2000)" -> ("Ditto", 2000)."""
    text = query.strip()
    stripped = text.rstrip(")").rstrip()
    head, _, tail = stripped.rpartition(" ")
    tail = tail.lstrip("(")
    if head and len(tail) == 4 and tail.isdigit():
        return head.strip(), int(tail)
    return text, None


def find_candidates(conn: sqlite3.Connection, query: str) -> list[str]:
    """Ids of titles whose id or any name matches `query` exactly, ignoring case and spacing."""
    text = query.strip()
    if conn.execute("SELECT 1 FROM titles WHERE id = ?", (text,)).fetchone():
        return [text]
    name, year = _split_year(text)
    if year is not None:
        # "[rec] 2007" may be a whole name: an exact name wins over a trailing year.
        whole = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT title_id FROM title_names WHERE key = ? ORDER BY title_id",
                (name_key(text),),
            )
        ]
        if whole:
            return whole
    key = hangul_initials(name) if is_initials_query(name) else name_key(name)
    if not key:
        return []
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT n.title_id FROM title_names n JOIN titles t ON t.id = n.title_id"
            " WHERE n.key = ? AND (? IS NULL OR t.year BETWEEN ? - 1 AND ? + 1)"
            " ORDER BY t.year, t.id",
            (key, year, year, year),
        )
    ]
    if year is not None and len(ids) > 1:
        exact = [i for i in ids if get_title(conn, i).year == year]
        ids = exact or ids
    if year is not None and not ids:
        # "Reply 1988", "Seoul 1987": the number is part of the name, not a year.
        ids = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT n.title_id FROM title_names n JOIN titles t"
                " ON t.id = n.title_id WHERE n.key = ? ORDER BY t.year, t.id",
                (name_key(text),),
            )
        ]
    return ids


# An imported title keeps its source's ids (source_ids); there a Letterboxd film slug is
# "letterboxd-slug", as "letterboxd" holds the export's own URIs (boxd.it/...). The catalogue's
# scheme (title_ids) -> the same kind of id in source_ids.
SOURCE_SCHEMES = {"letterboxd": "letterboxd-slug"}


def titles_with_id(conn: sqlite3.Connection, scheme: str, value: str) -> list[str]:
    """Ids of the titles that carry this external id (normally one): the catalogue's ids, and
    the ids an import kept for the user's own titles."""
    rows = conn.execute(
        "SELECT title_id FROM title_ids WHERE scheme = ? AND value = ?"
        " UNION SELECT title_id FROM source_ids WHERE scheme = ? AND value = ?"
        " ORDER BY title_id",
        (scheme, value, SOURCE_SCHEMES.get(scheme, scheme), value),
    )
    return [r[0] for r in rows]


def resolve_with_year(conn: sqlite3.Connection, query: str, year: int) -> Title:
    """The title `query` names that is from `year` (a year either side, as release years
    differ between sources): how to choose between films of the same name."""
    try:
        found = resolve(conn, f"{query.strip()} ({year})")
    except NotFound:
        found = None
    if found is not None and (found.year is None or abs(found.year - year) <= 1):
        return found
    same = [t for t in titles_by_ids(conn, find_candidates(conn, query)).values()]
    years = "; ".join(f"{t.label} [{t.id}]" for t in same)
    raise NotFound(
        f"no title {query!r} from {year} in the catalogue"
        + (f"; there is {years}." if same else ".")
        + " A film that is not there: kwatch add TITLE --custom --year YYYY."
    )


def resolve(conn: sqlite3.Connection, query: str) -> Title:
    """The one title `query` names, or a NotFound/Ambiguous error that says what to do."""
    if not query.strip():
        raise InvalidInput("the title is empty; give a title, a Korean title or an id.")
    reference = None
    text = query.strip()
    if text[:2].lower() == "tt" or text[:1] in "Qq" or "/" in text or "." in text:
        # Only what could be an id or a link pays for the patterns that read one.
        from kwatch.external_ids import parse_reference

        reference = parse_reference(text)
    ids = titles_with_id(conn, *reference) if reference else []
    if reference and not ids:
        # "Q2" or "tt..." could still be a title's name; only then is it not found.
        ids = find_candidates(conn, query)
        if not ids:
            label = ID_SCHEME_LABELS[reference.scheme]
            raise NotFound(
                f"no title in the catalogue has the {label} id {reference.value}. "
                "`kwatch catalogue update` adds Korean films from Wikidata; or add it by name "
                "with --custom."
            )
    if not reference:
        ids = find_candidates(conn, query)
    if len(ids) == 1:
        return get_title(conn, ids[0])
    if ids:
        found = titles_by_ids(conn, ids)
        choices = [found[i] for i in ids]
        raise Ambiguous(
            f"{query!r} matches {len(ids)} titles: "
            + "; ".join(f"{t.label} [{t.id}]" for t in choices)
            + ". Use the id in brackets.",
            details=[t.to_dict() for t in choices],
        )
    from kwatch.search import suggest

    suggestions = suggest(conn, query, limit=3)
    hint = ""
    if suggestions:
        hint = " Did you mean " + " or ".join(f"{t.label} [{t.id}]" for t in suggestions) + "?"
    raise NotFound(
        f"{query!r} is not in the catalogue.{hint} "
        "To add a film that is not there: kwatch add TITLE --custom --year YYYY.",
        details=[t.to_dict() for t in suggestions],
    )
