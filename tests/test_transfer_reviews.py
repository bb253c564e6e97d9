"""Reviews are not notes: public, dated, with a spoiler flag; Letterboxd's HTML becomes
readable text and the original is kept for the way back out."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import FIXTURES, requires_shared

LB = FIXTURES / "letterboxd-export-patrickmjones"
TODAY = date(2026, 11, 22)
REVIEWS = "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Review,Tags,Watched Date,Spoilers\n"


def test_html_becomes_readable_text():
    from kwatch.transfer.html_text import readable

    html = (
        'I saw <a href="https://letterboxd.com/film/secret-sunshine/">Secret Sunshine</a>'
        " &amp; loved it.<br><blockquote>a quote</blockquote><p>Next <i>paragraph</i></p>"
    )
    text = readable(html)
    assert "<" not in text and "&amp;" not in text
    assert "Secret Sunshine (https://letterboxd.com/film/secret-sunshine/)" in text
    assert "> a quote" in text and "Next paragraph" in text
    assert readable("plain, as it was") == "plain, as it was"


def test_a_review_is_a_review_with_its_date_and_spoiler_flag(conn, tmp_path: Path):
    from kwatch.library import find_entry
    from kwatch.transfer.engine import import_letterboxd

    path = tmp_path / "reviews.csv"
    path.write_text(
        REVIEWS + '2019-08-26,Burning,2018,https://boxd.it/NqhSR,4,,"<b>Great</b> ending",,'
        "2019-08-25,Yes\n",
        encoding="utf-8",
    )
    report = import_letterboxd(conn, path, today=TODAY)
    assert report.counts["reviews"]["added"] == 1 and report.counts["notes"]["added"] == 0
    entry = find_entry(conn, "burning-2018")
    assert entry.notes == ()
    (review,) = entry.reviews
    assert review.text == "Great ending"
    assert review.original == "<b>Great</b> ending"
    assert review.published_on == "2019-08-26" and review.spoilers is True
    assert import_letterboxd(conn, path, today=TODAY).counts["reviews"]["unchanged"] == 1


def test_reviews_imported_as_notes_before_become_reviews(db_path):
    from kwatch.db import open_database

    old = open_database(db_path, stop_before="m006_source_ids_and_lists")
    old.execute(
        "INSERT INTO entry_notes (title_id, text, created_on, import_key) VALUES"
        " ('burning-2018', '<i>review</i>', '2019-08-26', 'letterboxd:review:https://boxd.it/x'),"
        " ('burning-2018', 'private', '2019-08-27', NULL)"
    )
    old.close()
    conn = open_database(db_path)
    assert [r[0] for r in conn.execute("SELECT text FROM entry_notes")] == ["private"]
    assert [tuple(r) for r in conn.execute("SELECT text, original, published_on FROM reviews")] == [
        ("review", "<i>review</i>", "2019-08-26")
    ]


@requires_shared(LB)
def test_show_prints_no_html_from_the_shared_export(conn, run):
    run("import", "letterboxd", str(LB))
    shown = run("show", "burning-2018").stdout
    assert "Secret Sunshine" in shown and "<a href" not in shown
