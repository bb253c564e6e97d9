"""Theme and content-note names as people type them, checked against the vocabulary.

A filter with a misspelt name (`--avoid suicde`) would silently match nothing and so keep
every title it was meant to leave out; `add --custom --theme romence` would invent a theme
that `catalogue validate` rejects. Every typed name is checked here, with a did-you-mean.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from kwatch.errors import InvalidInput


def _vocabulary() -> tuple[dict[str, str], dict[str, str]]:
    from kwatch.catalogue import load_vocabulary

    vocab = load_vocabulary()
    return vocab.themes, vocab.content_notes


def check_names(names: Iterable[str], *, option: str, notes_too: bool) -> None:
    """Raise InvalidInput for the first name that is not a theme (or, with `notes_too`, a
    content note), suggesting the nearest names and where the list is."""
    names = list(names)
    if not names:
        return
    themes, notes = _vocabulary()
    known = {**themes, **notes} if notes_too else dict(themes)
    for name in names:
        if name in known:
            continue
        close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
        what = "a theme or content note" if notes_too else "a theme"
        hint = f" Did you mean {' or '.join(close)}?" if close else ""
        if not notes_too and name in notes:
            hint = f" It is a content note: leave such titles out with --avoid {name}."
        raise InvalidInput(
            f"{option} {name!r} is not {what}.{hint} `kwatch catalogue themes` lists them all."
        )
