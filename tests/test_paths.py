"""kwatch.paths finds the per-user data folder without platformdirs on Linux, and finds the
same folder platformdirs does, whatever XDG_DATA_HOME and HOME hold."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kwatch import paths

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the shortcut is Linux's")

_SEGMENT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/"),
    min_size=1,
    max_size=8,
)
# Unset, empty, relative, absolute (with doubled or trailing slashes), "~" forms.
_VALUE = st.one_of(
    st.none(),
    st.just(""),
    st.just("~"),
    st.builds(lambda parts: "/".join(parts), st.lists(_SEGMENT, min_size=1, max_size=3)),
    st.builds(
        lambda parts, tail: "/" + "/".join(parts) + tail,
        st.lists(_SEGMENT, max_size=3),
        st.sampled_from(["", "/", "//"]),
    ),
)


def _environment(xdg: str | None, home: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_DATA_HOME", "HOME")}
    if xdg is not None:
        env["XDG_DATA_HOME"] = xdg
    if home is not None:
        env["HOME"] = home
    return env


@settings(max_examples=300, deadline=None)
@given(xdg=_VALUE, home=_VALUE)
def test_the_data_folder_is_the_one_platformdirs_names(xdg, home):
    import platformdirs

    with mock.patch.dict(os.environ, _environment(xdg, home), clear=True):
        try:
            expected = platformdirs.user_data_dir("kwatch", appauthor=False)
        except RuntimeError:  # platformdirs finds no home at all
            return
        assert paths.data_folder() == expected
        assert paths.database_file() == os.path.join(expected, "kwatch.db")
        assert paths.database_path() == Path(expected) / "kwatch.db"


def test_the_data_folder_of_a_usual_home_needs_no_platformdirs(monkeypatch):
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", "/home/someone")
    with mock.patch.dict(sys.modules, {"platformdirs": None}):  # importing it would fail
        assert paths.data_folder() == "/home/someone/.local/share/kwatch"
        monkeypatch.setenv("XDG_DATA_HOME", "/data")
        assert paths.data_folder() == "/data/kwatch"
