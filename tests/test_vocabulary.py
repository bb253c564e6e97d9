"""Theme and content-note names are checked wherever they are typed, with a did-you-mean."""

from __future__ import annotations

import pytest

from conftest import db_snapshot


@pytest.mark.parametrize(
    ("args", "wanted"),
    [
        (("pick", "--from", "catalogue", "--avoid", "suicde"), "Did you mean suicide?"),
        (("list", "--theme", "romanse"), "Did you mean romance"),
        (("search", "love", "--theme", "romanse"), "Did you mean romance"),
        (("catalogue", "list", "--avoid", "suicde"), "Did you mean suicide?"),
        (("add", "Quiet Film", "--custom", "--theme", "romence"), "Did you mean romance"),
    ],
)
def test_an_unknown_name_is_refused_with_a_suggestion(run, db_path, args, wanted):
    run("add", "Oasis")
    before = db_snapshot(db_path)
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and wanted in result.stderr
    assert "kwatch catalogue themes" in result.stderr
    assert result.stdout == ""
    assert db_snapshot(db_path) == before


def test_a_content_note_is_not_a_theme_but_can_be_avoided(run):
    assert run("catalogue", "list", "--avoid", "suicide", "--json").exit_code == 0
    refused = run("catalogue", "list", "--theme", "suicide")
    assert refused.exit_code == 2 and "--avoid suicide" in refused.stderr


def test_add_custom_keeps_known_themes_whatever_the_case(run):
    added = run("add", "Quiet Film", "--custom", "--year", "2020", "--theme", "Romance", "--json")
    assert added.exit_code == 0, added.stderr
    shown = run("show", "quiet-film-2020", "--json").json()
    assert shown["themes"] == ["romance"]


def test_core_filters_refuse_unknown_names():
    from kwatch.errors import InvalidInput
    from kwatch.filters import Filters

    assert Filters.build(themes=["romance"], avoid=["suicide"]).avoid == ("suicide",)
    with pytest.raises(InvalidInput, match="suicide"):
        Filters.build(avoid=["suicde"])
