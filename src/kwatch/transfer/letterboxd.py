"""Letterboxd's export: which file is which, and reading each kind of row."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kwatch.errors import InvalidInput
from kwatch.textnorm import slugify
from kwatch.transfer.engine import MADE_UP_KEY
from kwatch.transfer.fields import (
    Getter,
    getter,
    getter_for,
    letterboxd_rating,
    name_year,
    parse_day,
    parse_year,
    split_tags,
)
from kwatch.transfer.letterboxd_export import LETTERBOXD_COLUMNS
from kwatch.transfer.letterboxd_films import films_of as _films
from kwatch.transfer.report import NotInCatalogue, RowError
from kwatch.transfer.sources import (
    FileSpec,
    HeaderCheck,
    ImportPlan,
    PlannedFile,
    Source,
    detect_encoding,
    find_sources,
    first_rows,
    is_imdb,
    is_list_file,
    norm,
    plan_file,
    read_rows,
    warnings_for,
)

if TYPE_CHECKING:
    from kwatch.transfer.engine import Importer

LB_SPECS = {
    "watched": FileSpec(
        "watched", "watched.csv", ("Date", "Name", "Year", "Letterboxd URI"), ("Name", "Year")
    ),
    "diary": FileSpec(
        "diary",
        "diary.csv",
        ("Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Tags", "Watched Date"),
        ("Name", "Year", "Watched Date"),
    ),
    "reviews": FileSpec(
        "reviews",
        "reviews.csv",
        (
            "Date",
            "Name",
            "Year",
            "Letterboxd URI",
            "Rating",
            "Rewatch",
            "Review",
            "Tags",
            "Watched Date",
        ),
        ("Name", "Year", "Review"),
    ),
    "ratings": FileSpec(
        "ratings",
        "ratings.csv",
        ("Date", "Name", "Year", "Letterboxd URI", "Rating"),
        ("Name", "Year", "Rating"),
    ),
    "watchlist": FileSpec(
        "watchlist", "watchlist.csv", ("Date", "Name", "Year", "Letterboxd URI"), ("Name", "Year")
    ),
}
LB_LIST_META = FileSpec(
    "list", "a list file (lists/*.csv)", ("Date", "Name", "Tags", "URL", "Description"), ("Name",)
)
LB_LIST_ITEMS = FileSpec(
    "list",
    "a list file (lists/*.csv)",
    ("Position", "Name", "Year", "URL", "Description"),
    ("Name", "Year"),
)
# Read in this order so a title's facts arrive before what refers to them.
# Letterboxd's import format (what `kwatch export --format letterboxd` writes, and what
# Letterboxd reads): one file of viewings and seen titles, one of the watchlist.
# The same columns kwatch's Letterboxd export writes: one definition for both ways.
LB_IMPORT_COLUMNS = LETTERBOXD_COLUMNS
for _kind in ("import-diary", "import-watchlist"):
    LB_SPECS[_kind] = FileSpec(
        _kind, f"Letterboxd's import format ({_kind})", LB_IMPORT_COLUMNS, ("Title",)
    )
_IMPORT_FILE = re.compile(r"letterboxd-(diary|watchlist)-\d+")
LB_SPECS["likes"] = FileSpec(
    "likes", "likes/films.csv", ("Date", "Name", "Year", "Letterboxd URI"), ("Name", "Year")
)
LB_SPECS["profile"] = FileSpec(
    "profile", "profile.csv", ("Date Joined", "Username", "Favorite Films"), ()
)  # older exports have no Favorite Films: then there is nothing to take from it
LB_ORDER = (
    "watched",
    "diary",
    "reviews",
    "ratings",
    "watchlist",
    "import-diary",
    "import-watchlist",
    "likes",
    "list",
    "profile",
)
# Folders of a Letterboxd export that hold things that are not the user's history.
LB_IGNORED_FOLDERS = {"deleted", "orphaned"}


def _list_headers(rows: list[list[str]]) -> tuple[list[str], list[str]]:
    """(list meta header, items header) of a list file's first rows."""
    rows = [r for r in rows if not norm(r[0]).startswith("letterboxd list export")]
    if len(rows) < 3:
        return (rows[0] if rows else []), []
    return rows[0], rows[2]


def _guess_letterboxd_kind(src: Source, rows: list[list[str]]) -> str:
    if is_list_file(rows):
        return "list"
    header = {norm(h) for h in (rows[0] if rows else [])}
    if is_imdb(rows):
        raise InvalidInput(f"{src.name} is an IMDb export; import it with `kwatch import imdb`.")
    if "title" in header and "name" not in header:
        stem = Path(src.member).stem.casefold()
        return "import-watchlist" if "watchlist" in stem else "import-diary"
    if "review" in header:
        return "reviews"
    if "watched date" in header:
        return "diary"
    if "rating" in header:
        return "ratings"
    if {"name", "year"} <= header:
        stem = Path(src.member).stem.casefold()
        if "watchlist" in stem:
            return "watchlist"
        if "watched" in stem:
            return "watched"
        raise InvalidInput(
            f"{src.name} could be watched.csv or watchlist.csv (they have the same columns); "
            "keep the name Letterboxd gave it, or rename it to watched.csv or watchlist.csv."
        )
    raise InvalidInput(
        f"{src.name} is not a file of a Letterboxd export: its header is "
        f"{','.join(h.strip() for h in (rows[0] if rows else []))[:200]!r}. Expected one of: "
        + "; ".join(f"{s.filename}: {','.join(s.columns)}" for s in LB_SPECS.values())
        + f"; lists/*.csv: {','.join(LB_LIST_ITEMS.columns)}."
    )


def _kind_from_member(member: str) -> str | None:
    parts = member.split("/")
    base = parts[-1].casefold()
    parents = [p.casefold() for p in parts[:-1]]
    if any(p in LB_IGNORED_FOLDERS for p in parents):
        return None  # deleted/lists/... are lists the user deleted
    if parents and parents[-1] == "likes":
        # likes/films.csv: films the user liked; likes of reviews and lists are others' things.
        return "likes" if base == "films.csv" else None
    if not parents and base == "profile.csv":
        return "profile"  # its Favorite Films become the list "Favourites"
    if parents and parents[-1] == "lists":
        return "list"
    stem = base.removesuffix(".csv")
    if m := _IMPORT_FILE.fullmatch(stem):
        return f"import-{m[1]}"
    return stem if stem in LB_SPECS and not stem.startswith("import-") else None


def _check_list(src: Source, rows: list[list[str]]) -> tuple[str, ...]:
    meta, items = _list_headers(rows)
    LB_LIST_META.check(src, meta)
    return LB_LIST_ITEMS.check(src, items)


def _check_for(kind: str) -> HeaderCheck:
    return _check_list if kind == "list" else LB_SPECS[kind].check_rows


def _rows_needed(kind: str) -> int:
    return 4 if kind == "list" else 1


def prepare_letterboxd(path: Path) -> ImportPlan:
    """Check a Letterboxd export (ZIP, folder or one CSV) before anything is written."""
    sources, container = find_sources(path)
    planned: list[PlannedFile] = []
    ignored: list[str] = []
    if container == "file":
        src = sources[0]
        encoding = detect_encoding(src)
        rows = first_rows(src, encoding[0], 4)
        if not rows:
            raise InvalidInput(f"{src.name} is empty: it has no header and no rows.")
        # The name Letterboxd gave it decides (so a wrong header gets that file's expected
        # header in the message); a renamed file is recognised by its header.
        named = _kind_from_member(src.member)
        kind = _guess_letterboxd_kind(src, rows) if named is None or is_imdb(rows) else named
        planned.append(plan_file(src, kind, _check_for(kind), encoding, _rows_needed(kind)))
    else:
        chosen: dict[str, Source] = {}
        for src in sources:
            member_kind = _kind_from_member(src.member)
            if member_kind is None:
                ignored.append(src.name)
            elif member_kind == "list":
                planned.append(plan_file(src, "list", _check_list, rows_needed=4))
            elif member_kind.startswith("import-"):
                # kwatch's Letterboxd export: letterboxd-diary-001.csv, -002.csv...
                planned.append(plan_file(src, member_kind, _check_for(member_kind)))
            elif member_kind in chosen:
                # Two diary.csv files (say, one in a sub-folder): the shallower one is the export.
                keep, drop = sorted([chosen[member_kind], src], key=lambda s: s.member.count("/"))
                chosen[member_kind] = keep
                ignored.append(drop.name)
            else:
                chosen[member_kind] = src
        planned += [plan_file(s, k, _check_for(k)) for k, s in chosen.items()]
        if not planned:
            what = "ZIP" if container == "zip" else "folder"
            raise InvalidInput(
                f"{path} is a {what} but not a Letterboxd export: it has none of "
                "watched.csv, diary.csv, ratings.csv, reviews.csv, watchlist.csv or lists/*.csv. "
                "Download the export from letterboxd.com/settings/data and give its ZIP."
            )
    planned.sort(key=lambda f: (LB_ORDER.index(f.kind), f.source.member))
    return ImportPlan(
        "letterboxd", str(path), tuple(planned), tuple(ignored), tuple(warnings_for(planned))
    )


def _lb_watched(imp: Importer, f: PlannedFile, get: Getter) -> None:
    name, year = name_year(get, imp.today)
    logged = parse_day(get("date"), "Date", imp.today)
    tid = _films(imp).place(imp, name, year, get("letterboxd uri"))
    imp.touch(tid, completed=True, seen=logged)


def _lb_watchlist(imp: Importer, f: PlannedFile, get: Getter) -> None:
    name, year = name_year(get, imp.today)
    added = parse_day(get("date"), "Date", imp.today)
    tid = _films(imp).place(imp, name, year, get("letterboxd uri"))
    imp.touch(tid, planned=True, planned_on=added)


def _lb_ratings(imp: Importer, f: PlannedFile, get: Getter) -> None:
    name, year = name_year(get, imp.today)
    rating = letterboxd_rating(get("rating"), required=True)
    rated = parse_day(get("date"), "Date", imp.today)
    tid = _films(imp).place(imp, name, year, get("letterboxd uri"))
    # ratings.csv holds the film's current rating: it outranks the per-viewing ones.
    assert rating is not None  # required=True: a missing rating was rejected above
    imp.touch(tid, completed=True, seen=rated, rating=(2, rated or "", rating, rated))


def _lb_diary(imp: Importer, f: PlannedFile, get: Getter, *, review: bool = False) -> None:
    name, year = name_year(get, imp.today)
    watched = parse_day(get("watched date"), "Watched Date", imp.today, required=not review)
    logged = parse_day(get("date"), "Date", imp.today)
    rating = letterboxd_rating(get("rating"))
    rewatch = get("rewatch").casefold() in ("yes", "true", "1")
    tags = split_tags(get("tags"))
    text = get("review") if review else ""
    uri = get("letterboxd uri")
    films = _films(imp)
    if review and uri and uri in imp.seen_keys_of_entries:
        tid = imp.seen_keys_of_entries[uri]  # the review of a diary entry read already
    else:
        film = films.first_viewing_of(name, year, rewatch)
        if film:
            tid = imp.resolve(name, year, ids=(("letterboxd", film),))
        else:
            tid = films.place(imp, name, year, uri, film=False)
        if uri:
            imp.seen_keys_of_entries[uri] = tid
    when = watched or logged or imp.today.isoformat()
    if watched:
        # The diary entry's URI is its identity; without one (rare), the title, the day and
        # the how-many-th row of that title and day in the file.
        key = (
            f"letterboxd:{uri}"
            if uri
            else f"letterboxd:{tid}:{watched}:{imp.nth(f.kind, tid, watched)}"
        )
        imp.viewing(tid, key, watched, rating, rewatch, logged or watched)
    if text:
        key = (
            f"letterboxd:review:{uri}"
            if uri
            else f"letterboxd:review:{tid}:{when}:{imp.nth('review', tid, when)}"
        )
        spoilers = get("spoilers").casefold() in ("yes", "true", "1")
        imp.review(tid, key, text, logged or when, spoilers)
    imp.touch(
        tid,
        completed=True,
        viewed=watched,
        seen=logged or when,
        tags=tags,
        rating=(1, when, rating, logged or when) if rating is not None else None,
    )


def _lb_reviews(imp: Importer, f: PlannedFile, get: Getter) -> None:
    _lb_diary(imp, f, get, review=True)


def _read_list(imp: Importer, f: PlannedFile) -> int:
    """A list file: a meta block (the list's name, tags, URL, description), a blank line,
    then the films in order. It becomes a kwatch list (--lists lists), tags on the films
    already in the library (--lists tags), or nothing (--lists skip). Either way a film only
    in a list stays out of the watchlist."""
    from kwatch.library.lists import ImportedList

    stage, count = 0, 0
    meta_header: tuple[str, ...] = ()
    meta: dict[str, str] = {}
    items: list[tuple[int, str, str | None]] = []
    bind = getter_for(f.header)
    for line, fields in read_rows(f.source, f.encoding):
        if not any(x.strip() for x in fields):
            continue
        if stage == 0:
            if norm(fields[0]).startswith("letterboxd list export"):
                continue
            meta_header, stage = tuple(norm(x) for x in fields), 1
            continue
        if stage == 1:
            get = getter(meta_header, fields)
            meta = {k: get(k) for k in ("name", "date", "tags", "url", "description")}
            stage = 2
            continue
        if stage == 2:
            stage = 3  # the films' header, checked when the import was planned
            continue
        count += 1
        get = bind(fields)
        try:
            name, year = name_year(get, imp.today)
            tid = _films(imp).place(imp, name, year, get("url"))
        except NotInCatalogue:
            continue
        except RowError as exc:
            imp.reject(f.source.name, line, str(exc))
            continue
        position = get("position")
        items.append((int(position) if position.isdigit() else count, tid, get("description")))
    stem = Path(f.source.member).stem
    list_name = meta.get("name") or stem
    try:
        created = parse_day(meta.get("date", ""), "Date", imp.today)
    except RowError:
        created = None
    if imp.options.lists == "tags":
        tag = f"list:{slugify(list_name) or slugify(stem) or 'list'}"
        for _, tid, _ in items:
            imp.list_tags.append((tid, tag))
    elif imp.options.lists == "lists":
        url = meta.get("url", "")
        imp.lists.append(
            ImportedList(
                name=list_name,
                description=meta.get("description") or None,
                ranked="position" in f.header,
                tags=tuple(split_tags(meta.get("tags", ""))),
                created_on=created or imp.today.isoformat(),
                source=f"letterboxd:{url}" if url else f"letterboxd:list:{stem}",
                items=tuple((p, t, n or None) for p, t, n in items),
            )
        )
    return count


def _lb_import_format(imp: Importer, f: PlannedFile, get: Getter) -> None:
    """A row of Letterboxd's import format (kwatch's own Letterboxd export, read back): its
    ids find the title; a dated row is a viewing (matched by title and day, so importing it
    into the library it came from adds nothing); an undated row is seen, with its rating."""
    name = get("title")
    if not name:
        raise RowError("Title is empty")
    year = parse_year(get("year"), imp.today)
    uri = get("letterboxduri")
    ids = list(_films(imp).film_ids(uri)) if uri else []
    for scheme, column in (("imdb", "imdbid"), ("tmdb", "tmdbid")):
        if get(column):
            ids.append((scheme, get(column)))
    tid = imp.resolve(name, year, ids=tuple(ids))
    tags = split_tags(get("tags"))
    if f.kind == "import-watchlist":
        imp.touch(tid, planned=True, tags=tags)
        return
    rating = letterboxd_rating(get("rating"))
    if rating is None and get("rating10"):
        ten = get("rating10")
        rating = int(ten) if ten.isdigit() and 1 <= int(ten) <= 10 else None
        if rating is None:
            raise RowError(f"Rating10 {ten!r} is not 1 to 10")
    watched = parse_day(get("watcheddate"), "WatchedDate", imp.today)
    rewatch = get("rewatch").casefold() in ("yes", "true", "1")
    if watched:
        n = imp.nth(f.kind, tid, watched)
        imp.viewing(
            tid,
            f"{MADE_UP_KEY}{tid}:{watched}:{n}",
            watched,
            rating,
            rewatch,
            watched,
            same_day=True,
        )
    review = get("review")
    if review:
        when = watched or imp.today.isoformat()
        key = f"{MADE_UP_KEY}review:{tid}:{when}:{imp.nth('review', tid, when)}"
        imp.review(tid, key, review, when, same_text=True)
    imp.touch(
        tid,
        completed=True,
        viewed=watched,
        tags=tags,
        rating=(1 if watched else 2, watched or "", rating, watched) if rating else None,
    )


def _lb_like(imp: Importer, f: PlannedFile, get: Getter) -> None:
    """A liked film: a like, not a viewing and not a watchlist entry."""
    name, year = name_year(get, imp.today)
    liked = parse_day(get("date"), "Date", imp.today)
    imp.like(_films(imp).place(imp, name, year, get("letterboxd uri")), liked)


def _lb_profile(imp: Importer, f: PlannedFile, get: Getter) -> None:
    """profile.csv: its Favorite Films (the four on the profile, as URIs) become a ranked list
    "Favourites". Only films this export names elsewhere can be placed (a URI has no name)."""
    from kwatch.library.lists import ImportedList

    uris = [u.strip() for u in get("favorite films").split(",") if u.strip()]
    items: list[tuple[int, str, str | None]] = []
    for uri in uris:
        tid = imp.by_id.get(("letterboxd", uri))
        if tid is None:
            imp.reject(f.source.name, None, f"favourite {uri} is in no other file of the export")
        elif imp.options.lists == "lists":
            items.append((len(items) + 1, tid, None))
    if items:
        imp.lists.append(
            ImportedList(
                name="Favourites",
                description="The favourite films on your Letterboxd profile.",
                ranked=True,
                tags=(),
                created_on=imp.today.isoformat(),
                source="letterboxd:favourites",
                items=tuple(items),
            )
        )


ROW_READERS: dict[str, Callable[[Importer, PlannedFile, Getter], None]] = {
    "likes": _lb_like,
    "profile": _lb_profile,
    "import-diary": _lb_import_format,
    "import-watchlist": _lb_import_format,
    "watched": _lb_watched,
    "diary": _lb_diary,
    "reviews": _lb_reviews,
    "ratings": _lb_ratings,
    "watchlist": _lb_watchlist,
}
FILE_READERS: dict[str, Callable[[Importer, PlannedFile], int]] = {"list": _read_list}
