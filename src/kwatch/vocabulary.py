"""Theme and content-note names as people type them, checked against the vocabulary.

A filter with a misspelt name (`--avoid suicde`) would silently match nothing and so keep
every title it was meant to leave out; `add --custom --theme romence` would invent a theme
that `catalogue validate` rejects. Every typed name is checked here, with a did-you-mean.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

from kwatch.errors import InvalidInput
from kwatch.paths import bundled_catalogue_dir


class Vocabulary(NamedTuple):
    """The catalogue's themes and content notes (name: description) and its sources.

    Here rather than in kwatch.catalogue, so that checking a typed --theme does not import
    the catalogue's loader and validator (about half of Python's own start-up)."""

    themes: dict[str, str]
    content_notes: dict[str, str]
    sources: dict[str, dict[str, str]]


def read_toml(path: Path) -> dict[str, Any]:
    import tomllib

    with path.open("rb") as fh:
        return tomllib.load(fh)


def load_vocabulary(folder: Path | None = None) -> Vocabulary:
    folder = folder or bundled_catalogue_dir()
    themes = read_toml(folder / "themes.toml")
    return Vocabulary(
        themes=dict(themes.get("themes", {})),
        content_notes=dict(themes.get("content_notes", {})),
        sources=dict(read_toml(folder / "sources.toml")),
    )


def check_names(
    names: Iterable[str], *, option: str, notes_too: bool, vocab: Vocabulary | None = None
) -> None:
    """Raise InvalidInput for the first name that is not a theme (or, with `notes_too`, a
    content note), suggesting the nearest names and where the list is. `vocab`, when the
    caller checks several options, saves reading the files once per option."""
    names = list(names)
    if not names:
        return
    vocab = vocab or load_vocabulary()
    themes, notes = vocab.themes, vocab.content_notes
    known = {**themes, **notes} if notes_too else dict(themes)
    for name in names:
        if name in known:
            continue
        import difflib

        close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
        what = "a theme or content note" if notes_too else "a theme"
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        if not notes_too and name in notes:
            hint = f" It is a content note: leave such titles out with --avoid {name}."
        raise InvalidInput(
            f"{option} {name!r} is not {what}.{hint} `kwatch catalogue themes` lists them all."
        )
