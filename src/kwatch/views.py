"""How things look for people. Builds rows and lines; output.py does the drawing."""

from __future__ import annotations

from kwatch import output
from kwatch.models import Entry, Release, Title
from kwatch.releases.query import effective_releases
from kwatch.values import ID_SCHEME_LABELS, format_partial_date, star_glyphs


def release_line(release: Release) -> str:
    when = format_partial_date(release.date, release.precision)
    text = f"{when}  {release.type} ({release.region})"
    if release.note:
        text += f", {release.note}"
    if release.origin == "user":
        text += " [yours]"
    return text


def directed_by(title: Title) -> str:
    """ "Park Chan-wook (박찬욱)" when the Hangul names pair up with the others."""
    if len(title.directors_ko) == len(title.directors):
        return ", ".join(
            f"{en} ({ko})" if ko != en else en
            for en, ko in zip(title.directors, title.directors_ko, strict=True)
        )
    return ", ".join((*title.directors, *title.directors_ko))


FACT_ORIGINS = {
    "bundled": "checked catalogue",
    "user-file": "your catalogue file",
    "custom": "your own title",
}
OPEN_SOURCES = {"wikidata": "Wikidata (CC0)"}


def _field_label(field: str) -> str:
    """ "ids.imdb" -> "IMDb id", "runtime_min" -> "runtime min"."""
    if field.startswith("ids."):
        scheme = field[4:]
        return f"{ID_SCHEME_LABELS.get(scheme, scheme)} id"
    return field.replace("_", " ")


def facts_line(title: Title) -> str:
    """Where the facts shown come from: the checked catalogue, the user, or an open-data layer."""
    note = title.opendata
    if not note:
        return FACT_ORIGINS.get(title.origin, title.origin)
    source = OPEN_SOURCES.get(note.get("source", ""), note.get("source", ""))
    fetched = f", fetched {note['fetched']}" if note.get("fetched") else ""
    if title.origin == "wikidata":
        return f"from {source}{fetched}"
    fields = ", ".join(_field_label(f) for f in note.get("fields", [])) or "nothing"
    return f"{FACT_ORIGINS.get(title.origin, title.origin)}; {fields} from {source}{fetched}"


def show_title(title: Title, entry: Entry | None) -> None:
    lines: list[tuple[str, object]] = [
        ("Korean title", " / ".join(x for x in (title.original_title, title.romanized_title) if x)),
        ("Also known as", ", ".join(title.alt_titles)),
        ("Year", title.year),
        ("Kind", title.kind),
        ("Directed by", directed_by(title)),
        ("Runtime", f"{title.runtime_min} min" if title.runtime_min else None),
        ("Themes", ", ".join(title.themes)),
        ("Content notes", ", ".join(title.content_notes)),
        # A release you recorded replaces the catalogue's of the same type and region.
        ("Releases", "\n".join(release_line(r) for r in effective_releases(title.releases))),
        ("Id", title.id),
        ("External ids", ", ".join(f"{ID_SCHEME_LABELS[k]} {v}" for k, v in title.ids.items())),
        ("Facts", facts_line(title)),
    ]
    if entry:
        lines += [
            (
                "Status",
                f"{entry.status} (since {entry.status_history[-1].changed_on})"
                if entry.status_history
                else entry.status,
            ),
            ("Priority", entry.priority),
            (
                "Rating",
                f"{star_glyphs(entry.rating)} ({entry.rating / 2:g}/5)" if entry.rating else None,
            ),
            ("Tags", ", ".join(entry.tags)),
            (
                "Viewings",
                # Numbered as `kwatch viewing edit/delete TITLE N` addresses them.
                "\n".join(
                    f"{number}. {v.date}"
                    + (f"  {star_glyphs(v.rating)}" if v.rating else "")
                    + ("  rewatch" if v.rewatch else "")
                    + (f"  {v.note}" if v.note else "")
                    for number, v in enumerate(entry.viewings, 1)
                ),
            ),
            (
                "Reviews",
                "\n\n".join(
                    f"{number}. {r.published_on}"
                    + ("  (spoilers)" if r.spoilers else "")
                    + f"\n{r.text}"
                    for number, r in enumerate(entry.reviews, 1)
                ),
            ),
            (
                "Notes",
                "\n".join(
                    f"{number}. {n.created_on}  {n.text}" for number, n in enumerate(entry.notes, 1)
                ),
            ),
        ]
    else:
        lines.append(("Library", f"not added: kwatch add {title.id}"))
    output.panel(title.label, lines, body=title.synopsis)
