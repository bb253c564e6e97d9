"""Wikidata entity JSON -> layer records. One parser for the live API and for files.

The input is entity JSON as Wikidata serves it: Special:EntityData/Q….json and wbgetentities
({"entities": {...}}), or the JSON dumps (one array, one entity a line with a trailing comma,
optionally gzipped). Nothing here touches the network; `build_records` asks a `lookup`
callable for the labels of the people and places an item refers to, which the live client
answers with wbgetentities and a file answers by reading itself again.

Bad data never raises: every value that cannot be used is counted in `Skipped` with a reason.
"""

from __future__ import annotations

import gzip
import io
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import IO, Any, NamedTuple

SOUTH_KOREA = "Q884"

# Classes an item's "instance of" (P31) may name to count as a film or a series. The live query
# follows subclasses (wdt:P279*) itself; for files this list is the test.
FILM_CLASSES = {
    "Q11424": "film",
    "Q24862": "short film",
    "Q24869": "feature film",
    "Q202866": "animated film",
    "Q29168811": "animated feature film",
    "Q20650540": "animated short film",
    "Q93204": "documentary film",
    "Q506240": "television film",
    "Q226730": "silent film",
    "Q229390": "3D film",
}
SERIES_CLASSES = {
    "Q5398426": "television series",
    "Q1259759": "miniseries",
    "Q581714": "animated series",
    "Q117467246": "animated television series",
    "Q526877": "web series",
}
FESTIVAL_CLASSES = {"Q220505": "film festival"}

# Wikidata genres (P136) -> kwatch themes (catalogue/themes.toml). Documented in README
# ("Open data: Wikidata"). A genre not listed is counted as "genre not mapped to a theme".
GENRE_THEMES: dict[str, tuple[str, ...]] = {
    "Q130232": ("drama",),  # drama film
    "Q157443": ("comedy",),  # comedy film
    "Q860626": ("romance", "comedy"),  # romantic comedy
    "Q1054574": ("romance",),  # romance film
    "Q188473": ("action",),  # action film
    "Q200092": ("horror",),  # horror film
    "Q2484376": ("thriller",),  # thriller film
    "Q182015": ("thriller",),  # thriller
    "Q19367312": ("crime", "thriller"),  # crime thriller film
    "Q959790": ("crime",),  # crime film
    "Q1200678": ("mystery",),  # mystery film
    "Q471839": ("sci-fi",),  # science fiction film
    "Q24925": ("sci-fi",),  # science fiction
    "Q157394": ("fantasy",),  # fantasy film
    "Q369747": ("war",),  # war film
    "Q17013749": ("history",),  # historical film
    "Q645928": ("true-story",),  # biographical film
    "Q1361932": ("family",),  # family film
    "Q842256": ("music",),  # musical film
    "Q846544": ("disaster",),  # disaster film
    "Q3072049": ("monster",),  # zombie film
    "Q93204": ("documentary",),  # documentary film
    "Q202866": ("animation",),  # animated film
    "Q581714": ("animation",),  # animated series
}

# Duration units (P2047): minutes as they are, seconds and hours converted.
UNIT_MINUTES = {"Q7727": 1.0, "Q11574": 1 / 60, "Q25235": 60.0}
# Wikidata time precision -> kwatch precision (coarser than a year is not a date we keep).
PRECISION = {11: "day", 10: "month", 9: "year"}
# External ids: property -> (scheme, prefix added to the value).
ID_PROPERTIES = {
    "P345": ("imdb", ""),
    "P6127": ("letterboxd", ""),
    "P4947": ("tmdb", "movie/"),
    "P4983": ("tmdb", "tv/"),
}
LANGS = ("en", "ko")


class Skipped:
    """What was left out, and why: reason -> count."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def __call__(self, reason: str, n: int = 1) -> None:
        self.counts[reason] += n

    def to_list(self) -> list[dict[str, Any]]:
        return [{"reason": r, "count": c} for r, c in sorted(self.counts.items())]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


class Ref(NamedTuple):
    """What kwatch needs of an entity an item points at (a director, a place, a country)."""

    en: str | None
    ko: str | None
    iso2: str | None  # P297, for countries
    countries: tuple[str, ...]  # P17
    classes: tuple[str, ...]  # P31


Lookup = Callable[[set[str], bool], dict[str, Ref]]


# ---- reading entity JSON


def open_text(path: Path) -> IO[str]:
    raw = path.open("rb")
    head = raw.read(2)
    raw.seek(0)
    stream: IO[bytes] = (
        gzip.GzipFile(fileobj=raw) if head == b"\x1f\x8b" else raw  # type: ignore[assignment]
    )
    return io.TextIOWrapper(stream, encoding="utf-8-sig")


def _entities_of(document: Any) -> Iterator[dict[str, Any]]:
    if isinstance(document, dict):
        if isinstance(document.get("entities"), dict):
            yield from (e for e in document["entities"].values() if isinstance(e, dict))
        elif "id" in document:
            yield document
    elif isinstance(document, list):
        yield from (e for e in document if isinstance(e, dict))


def _one_entity_line(line: str) -> bool:
    text = line.strip().rstrip(",")
    return text.startswith("{") and text.endswith("}")


def _entity_lines(lines: Iterable[str], skipped: Skipped | None) -> Iterator[dict[str, Any]]:
    for line in lines:
        text = line.strip().rstrip(",")
        if text in ("", "[", "]"):
            continue
        try:
            yield from _entities_of(json.loads(text))
        except ValueError:
            if skipped is not None:
                skipped("a line of the dump that is not one entity's JSON")


def iter_entities(path: Path, skipped: Skipped | None = None) -> Iterator[dict[str, Any]]:
    """Every entity in a file, streamed when it holds one entity a line: the dumps' layout
    ("[", one entity a line ending in ",", "]") or JSON Lines (no brackets, no commas).
    Anything else (EntityData, a pretty-printed or one-line array) is read whole."""
    with open_text(path) as fh:
        first = fh.readline()
        second = fh.readline()
        if first.strip() == "[" and (_one_entity_line(second) or second.strip() in ("]", "")):
            yield from _entity_lines(chain([second], fh), skipped)
            return
        if _one_entity_line(first) and _one_entity_line(second):
            yield from _entity_lines(chain([first, second], fh), skipped)
            return
        rest = first + second + fh.read()
    try:
        document = json.loads(rest)
    except ValueError as exc:
        from kwatch.errors import InvalidInput

        raise InvalidInput(
            f"{path} is not Wikidata entity JSON ({exc}); give a Special:EntityData/Q….json "
            "file or a JSON dump: an array, or one entity a line (optionally .gz)."
        ) from None
    yield from _entities_of(document)


# ---- claims


def _statements(entity: dict[str, Any], prop: str) -> list[dict[str, Any]]:
    claims = entity.get("claims") or entity.get("statements") or {}
    found = claims.get(prop) if isinstance(claims, dict) else None
    if not isinstance(found, list):
        return []
    usable = [s for s in found if isinstance(s, dict) and s.get("rank") != "deprecated"]
    # Preferred statements first: they are the ones Wikidata's own "truthy" view keeps.
    return sorted(usable, key=lambda s: s.get("rank") != "preferred")


def _value(snak: Any) -> Any:
    if not isinstance(snak, dict) or snak.get("snaktype", "value") != "value":
        return None
    datavalue = snak.get("datavalue")
    return datavalue.get("value") if isinstance(datavalue, dict) else None


def _item_id(value: Any) -> str | None:
    if isinstance(value, dict):
        qid = value.get("id")
        if isinstance(qid, str) and qid.startswith("Q"):
            return qid
        number = value.get("numeric-id")
        if isinstance(number, int):
            return f"Q{number}"
    return None


def _items(entity: dict[str, Any], prop: str) -> list[str]:
    out = []
    for statement in _statements(entity, prop):
        qid = _item_id(_value(statement.get("mainsnak")))
        if qid and qid not in out:
            out.append(qid)
    return out


def _label(entity: dict[str, Any], lang: str) -> str | None:
    labels = entity.get("labels")
    if not isinstance(labels, dict):
        return None
    label = labels.get(lang)
    if isinstance(label, dict):
        label = label.get("value")
    return label.strip() if isinstance(label, str) and label.strip() else None


def _aliases(entity: dict[str, Any], lang: str) -> list[str]:
    aliases = entity.get("aliases")
    values = aliases.get(lang) if isinstance(aliases, dict) else None
    out: list[str] = []
    for alias in values if isinstance(values, list) else []:
        text = alias.get("value") if isinstance(alias, dict) else alias
        if isinstance(text, str) and text.strip() and text.strip() not in out:
            out.append(text.strip())
    return out


def ref_of(entity: dict[str, Any]) -> Ref:
    iso = None
    for statement in _statements(entity, "P297"):
        value = _value(statement.get("mainsnak"))
        if isinstance(value, str) and len(value) == 2 and value.isalpha():
            iso = value.upper()
            break
    return Ref(
        _label(entity, "en"),
        _label(entity, "ko"),
        iso,
        tuple(_items(entity, "P17")),
        tuple(_items(entity, "P31")),
    )


# ---- one item


class Pending(NamedTuple):
    """An item read, waiting for its directors' and places' labels."""

    record: dict[str, Any]
    directors: list[str]
    dates: list[tuple[str, str, str | None]]  # (date, precision, place QID)


def _parse_time(value: Any, skipped: Skipped) -> tuple[str, str] | None:
    if not isinstance(value, dict) or not isinstance(value.get("time"), str):
        skipped("publication date without a time value")
        return None
    precision = PRECISION.get(value.get("precision"))  # type: ignore[arg-type]
    if "precision" not in value:
        skipped("publication date without a precision")
        return None
    if precision is None:
        skipped("publication date less precise than a year")
        return None
    text = value["time"].lstrip("+")
    try:
        year, month, day = int(text[0:4]), int(text[5:7]), int(text[8:10])
    except ValueError:
        skipped("publication date that is not a date")
        return None
    if text.startswith("-") or not 1890 <= year <= 2100:
        skipped("publication date outside 1890-2100")
        return None
    if precision == "day" and month and day:
        return f"{year:04d}-{month:02d}-{day:02d}", "day"
    if precision in ("day", "month") and month:
        return f"{year:04d}-{month:02d}", "month"
    return f"{year:04d}", "year"


def _duration(entity: dict[str, Any], skipped: Skipped) -> int | None:
    for statement in _statements(entity, "P2047"):
        value = _value(statement.get("mainsnak"))
        if not isinstance(value, dict):
            continue
        unit = str(value.get("unit", "")).rsplit("/", 1)[-1]
        factor = UNIT_MINUTES.get(unit)
        try:
            amount = float(value.get("amount", "nan"))
        except (TypeError, ValueError):
            amount = float("nan")
        if factor is None:
            skipped("duration in a unit other than minutes, seconds or hours")
            continue
        minutes = round(amount * factor) if math.isfinite(amount) else 0
        if not 0 < minutes < 2000:  # nan, negative, zero, absurd
            skipped("duration that is not a plausible length")
            continue
        return minutes
    return None


def _ids(entity: dict[str, Any], qid: str, skipped: Skipped) -> dict[str, str]:
    from kwatch.catalogue import ID_FORMS

    ids = {"wikidata": qid}
    for prop, (scheme, prefix) in ID_PROPERTIES.items():
        if scheme in ids:
            continue
        for statement in _statements(entity, prop):
            value = _value(statement.get("mainsnak"))
            candidate = f"{prefix}{value}" if isinstance(value, str) else None
            if candidate and ID_FORMS[scheme][0].match(candidate):
                ids[scheme] = candidate
                break
            skipped(f"{scheme} id in an unexpected form")
    return ids


def read_item(
    entity: dict[str, Any], skipped: Skipped, *, kind_hint: str | None = None
) -> Pending | None:
    """The facts of one film or series item; None (counted) if it cannot be one."""
    qid = entity.get("id")
    if not isinstance(qid, str) or not qid.startswith("Q"):
        return None
    classes = _items(entity, "P31")
    kind = kind_hint
    if kind is None:
        if any(c in SERIES_CLASSES for c in classes):
            kind = "tv-series"
        elif any(c in FILM_CLASSES for c in classes):
            kind = "film"
        else:
            return None  # not a film: a person, a place, anything else in a dump
        if SOUTH_KOREA not in _items(entity, "P495"):
            return None
    en, ko = _label(entity, "en"), _label(entity, "ko")
    if not en and not ko:
        skipped("item without an English or Korean label")
        return None
    aliases = [a for a in _aliases(entity, "en") if a != en]
    aliases_ko = [a for a in _aliases(entity, "ko") if a != ko]
    themes: list[str] = []
    for genre in _items(entity, "P136"):
        mapped = GENRE_THEMES.get(genre)
        if mapped is None:
            skipped("genre not mapped to a theme")
        themes += [t for t in mapped or () if t not in themes]
    dates = []
    for statement in _statements(entity, "P577"):
        parsed = _parse_time(_value(statement.get("mainsnak")), skipped)
        if parsed is None:
            continue
        qualifiers = statement.get("qualifiers")
        places = qualifiers.get("P291") if isinstance(qualifiers, dict) else None
        place = _item_id(_value(places[0])) if isinstance(places, list) and places else None
        dates.append((*parsed, place))
    record = {
        "qid": qid,
        "title": en or ko,
        "title_ko": ko,
        "aliases": aliases,
        "aliases_ko": aliases_ko,
        "kind": kind,
        "year": min((int(d[0][:4]) for d in dates), default=None),
        "directors": [],
        "directors_ko": [],
        "runtime_min": _duration(entity, skipped),
        "themes": themes,
        "releases": [],
        "ids": _ids(entity, qid, skipped),
    }
    return Pending(record, _items(entity, "P57"), dates)


def _finish(pending: Pending, refs: dict[str, Ref], skipped: Skipped) -> dict[str, Any]:
    record = pending.record
    for qid in pending.directors:
        ref = refs.get(qid)
        name = ref and (ref.en or ref.ko)
        if not ref or not name:
            skipped("director without an English or Korean label")
            continue
        record["directors"].append(name)
        if ref.ko:
            record["directors_ko"].append(ref.ko)
    seen: set[tuple[str, str, str | None]] = set()
    release_type = "tv" if record["kind"] == "tv-series" else "theatrical"
    # Earliest year first; within a year the most precise date (2010-01-01 before "2010").
    order = {"day": 0, "month": 1, "year": 2}
    dates = sorted(pending.dates, key=lambda d: (d[0][:4], order[d[1]], d[0], d[2] or ""))
    for day, precision, place in dates:
        region, rtype, note = "KR", release_type, None
        if place is None:
            note = "place not given on Wikidata"
        else:
            ref = refs.get(place)
            if ref is None:
                skipped("publication place without a label")
                continue
            if ref.iso2:
                region = ref.iso2
            else:
                festival = any(c in FESTIVAL_CLASSES for c in ref.classes) or any(
                    word in (ref.en or "") + (ref.ko or "") for word in ("Festival", "영화제")
                )
                country = next(
                    (refs[c].iso2 for c in ref.countries if c in refs and refs[c].iso2), None
                )
                if country is None:
                    skipped("publication place in no known country")
                    continue
                region, note = country, ref.en or ref.ko
                if festival:
                    rtype = "festival"
        key = (rtype, region, note)
        if key in seen:
            skipped("another publication date for the same place")
            continue
        seen.add(key)
        record["releases"].append(
            {"date": day, "precision": precision, "region": region, "type": rtype, "note": note}
        )
    return record


def build_records(
    items: Iterable[tuple[dict[str, Any], str | None]], lookup: Lookup, skipped: Skipped
) -> list[dict[str, Any]]:
    """Records for every usable item; `items` yields (entity, kind hint or None)."""
    pending: dict[str, Pending] = {}
    for entity, hint in items:
        read = read_item(entity, skipped, kind_hint=hint)
        if read is not None:
            pending.setdefault(read.record["qid"], read)
    people = {q for p in pending.values() for q in p.directors}
    places = {d[2] for p in pending.values() for d in p.dates if d[2]}
    refs = dict(lookup(people, False)) if people else {}
    if places:
        place_refs = lookup(places, True)
        refs.update(place_refs)
        countries = {c for r in place_refs.values() if not r.iso2 for c in r.countries} - set(refs)
        if countries:
            refs.update(lookup(countries, True))
    return [_finish(p, refs, skipped) for _, p in sorted(pending.items(), key=_qid_order)]


def _qid_order(item: tuple[str, Any]) -> int:
    return int(item[0][1:])


def file_lookup(path: Path) -> Lookup:
    """Answer label look-ups by reading the file again (a dump is streamed, never held)."""

    def lookup(qids: set[str], _with_claims: bool) -> dict[str, Ref]:
        found = {}
        for entity in iter_entities(path):
            if entity.get("id") in qids:
                found[entity["id"]] = ref_of(entity)
        return found

    return lookup


def records_from_file(path: Path, skipped: Skipped) -> list[dict[str, Any]]:
    return build_records(
        ((e, None) for e in iter_entities(path, skipped)), file_lookup(path), skipped
    )
