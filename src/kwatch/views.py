"""How things look for people. Builds rows and lines; output.py does the drawing."""

from __future__ import annotations

from kwatch import output
from kwatch.models import Entry, Release, Title
from kwatch.releases import effective_releases
from kwatch.values import format_partial_date, star_glyphs


def release_line(release: Release) -> str:
    when = format_partial_date(release.date, release.precision)
    text = f"{when}  {release.type} ({release.region})"
    if release.note:
        text += f", {release.note}"
    if release.origin == "user":
        text += " [yours]"
    return text


def show_title(title: Title, entry: Entry | None) -> None:
    lines: list[tuple[str, object]] = [
        ("Korean title", " / ".join(x for x in (title.original_title, title.romanized_title) if x)),
        ("Also known as", ", ".join(title.alt_titles)),
        ("Year", title.year),
        ("Kind", title.kind),
        ("Directed by", ", ".join(title.directors)),
        ("Runtime", f"{title.runtime_min} min" if title.runtime_min else None),
        ("Themes", ", ".join(title.themes)),
        ("Content notes", ", ".join(title.content_notes)),
        # A release you recorded replaces the catalogue's of the same type and region.
        ("Releases", "\n".join(release_line(r) for r in effective_releases(title.releases))),
        ("Id", title.id),
    ]
    if title.origin != "bundled":
        lines.append(
            (
                "Source",
                {"custom": "your own title", "user-file": "your catalogue file"}.get(
                    title.origin, title.origin
                ),
            )
        )
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
                "\n".join(
                    f"{v.date}"
                    + (f"  {star_glyphs(v.rating)}" if v.rating else "")
                    + ("  rewatch" if v.rewatch else "")
                    + (f"  {v.note}" if v.note else "")
                    for v in entry.viewings
                ),
            ),
            (
                "Reviews",
                "\n\n".join(
                    f"{r.published_on}" + ("  (spoilers)" if r.spoilers else "") + f"\n{r.text}"
                    for r in entry.reviews
                ),
            ),
            ("Notes", "\n".join(f"{n.created_on}  {n.text}" for n in entry.notes)),
        ]
    else:
        lines.append(("Library", f"not added: kwatch add {title.id}"))
    output.panel(title.label, lines, body=title.synopsis)
