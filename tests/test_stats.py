"""kwatch stats: exact counts, the --year review, empty libraries, bad input, bar charts."""

from __future__ import annotations

import pytest

from conftest import built_once, default_db_path, validate_json
from kwatch import schemas
from kwatch.cli.stats import bar
from kwatch.stats import article_themes, compute_stats, parse_year

STATUS_ZERO = {"planned": 0, "watching": 0, "on-hold": 0, "dropped": 0, "completed": 0}
RATING_STEPS = [0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0]


STATS_SCHEMA = schemas.schema_for("stats")


def histogram(**counts: int) -> list[dict]:
    """histogram(r4_5=1) -> all ten buckets, 4.5 counted once."""
    given = {float(k[1:].replace("_", ".")): v for k, v in counts.items()}
    return [{"rating": r, "count": given.get(r, 0)} for r in RATING_STEPS]


def stats_json(run, *args: str) -> dict:
    result = run("stats", *args, "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    doc.pop("schema_version", None)  # the shared JSON envelope, not stats' own
    return doc


def ok(result) -> None:
    assert result.exit_code == 0, result.stderr


@pytest.fixture
def diary(run, tmp_path):
    """Five entries and five viewings with every kind of date precision.

    bleak-night-2011   Yoon Sung-hyun   2025-03-02 (4.5), 2026-01 (rewatch)       entry 4.5
    poetry-2010        Lee Chang-dong   2019 (3), 2025-11-30 (2, rewatch), rated 3.5 later
    oasis-2002         Lee Chang-dong   2025-05-05 (no rating), rated 5 afterwards
    microhabitat-2018  planned; burning-2018 dropped
    """

    def build() -> None:
        ok(run("watched", "bleak-night-2011", "--on", "2025-03-02", "--rating", "4.5"))
        ok(run("watched", "bleak-night-2011", "--on", "2026-01"))
        ok(run("watched", "poetry-2010", "--on", "2019", "--rating", "3"))
        ok(run("watched", "oasis-2002", "--on", "2025-05-05"))
        ok(run("rate", "oasis-2002", "5"))
        ok(run("watched", "poetry-2010", "--on", "2025-11-30", "--rating", "2"))
        ok(run("rate", "poetry-2010", "3.5"))
        ok(run("add", "microhabitat-2018"))
        ok(run("status", "burning-2018", "dropped"))

    built_once("test_stats.diary", default_db_path(tmp_path), build)


def months(first: str, last: str, **counts: int) -> list[dict]:
    """Every month from `first` to `last` (YYYY-MM), with counts given as m2025_03=1."""
    out = []
    y, m = int(first[:4]), int(first[5:])
    while f"{y:04d}-{m:02d}" <= last:
        key = f"{y:04d}-{m:02d}"
        out.append({"month": key, "count": counts.get("m" + key.replace("-", "_"), 0)})
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def test_empty_library_is_all_zeros(run):
    assert stats_json(run) == {
        "year": None,
        "library": {"total": 0, "by_status": STATUS_ZERO},
        "viewings": {"total": 0, "rewatches": 0, "by_year": [], "by_month": []},
        "ratings": {"count": 0, "average": None, "histogram": histogram()},
        "top_directors": [],
        "top_themes": [],
        "average_rating_by_theme": [],
        "films": [],
        "hours_watched": 0,
        "viewings_without_runtime": 0,
        "best_rated": [],
    }
    doc = stats_json(run, "--year", "2025")
    assert doc["year"] == 2025
    assert doc["viewings"]["total"] == 0 and doc["ratings"]["average"] is None


@pytest.mark.parametrize("args", [[], ["--year", "2025"], ["--year", "2019"], ["--year", "2024"]])
def test_json_matches_the_schema(run, diary, args):
    result = run("stats", *args, "--json")
    assert result.exit_code == 0, result.stderr
    validate_json(result.json(), STATS_SCHEMA)


def test_empty_library_json_matches_the_schema(run):
    validate_json(run("stats", "--json").json(), STATS_SCHEMA)


def test_empty_library_human_output(run):
    result = run("stats")
    ok(result)
    assert "Library: 0 titles" in result.stdout
    assert "No viewings logged" in result.stdout
    assert "Ratings: none yet" in result.stdout
    assert "█" not in result.stdout


def test_whole_library(run, diary):
    doc = stats_json(run)
    assert doc["year"] is None
    assert doc["library"] == {
        "total": 5,
        "by_status": {**STATUS_ZERO, "planned": 1, "dropped": 1, "completed": 3},
    }
    assert doc["viewings"] == {
        "total": 5,
        "rewatches": 2,
        "by_year": [
            {"year": 2019, "count": 1},
            {"year": 2025, "count": 3},
            {"year": 2026, "count": 1},
        ],
        # The 2019 viewing is dated only by year: in by_year, in no month. Every month from
        # the first dated one to the last is there, the empty ones too.
        "by_month": months("2025-03", "2026-01", m2025_03=1, m2025_05=1, m2025_11=1, m2026_01=1),
    }
    # Current entry ratings: 4.5, 3.5 (rated after the last viewing), 5.
    assert doc["ratings"] == {
        "count": 3,
        "average": 4.33,
        "histogram": histogram(r3_5=1, r4_5=1, r5_0=1),
    }
    assert doc["top_directors"] == [
        {"name": "Lee Chang-dong", "viewings": 3},
        {"name": "Yoon Sung-hyun", "viewings": 2},
    ]
    # indie-gems, romance-picks, mental-health-picks name source articles: left out.
    assert doc["top_themes"] == [
        {"theme": "drama", "viewings": 5},
        {"theme": "family", "viewings": 3},
        {"theme": "social-issues", "viewings": 3},
        {"theme": "coming-of-age", "viewings": 2},
        {"theme": "grief", "viewings": 2},
        {"theme": "illness", "viewings": 2},
        {"theme": "mental-health", "viewings": 2},
        {"theme": "school", "viewings": 2},
        {"theme": "disability", "viewings": 1},
        {"theme": "romance", "viewings": 1},
    ]
    assert doc["average_rating_by_theme"] == [
        {"theme": "disability", "average": 5.0, "count": 1},
        {"theme": "romance", "average": 5.0, "count": 1},
        {"theme": "coming-of-age", "average": 4.5, "count": 1},
        {"theme": "grief", "average": 4.5, "count": 1},
        {"theme": "mental-health", "average": 4.5, "count": 1},
        {"theme": "school", "average": 4.5, "count": 1},
        {"theme": "drama", "average": 4.33, "count": 3},
        {"theme": "family", "average": 4.25, "count": 2},
        {"theme": "social-issues", "average": 4.25, "count": 2},
        {"theme": "illness", "average": 3.5, "count": 1},
    ]


def test_year_in_review(run, diary):
    whole = stats_json(run)
    doc = stats_json(run, "--year", "2025")
    assert doc["year"] == 2025
    assert doc["library"] == whole["library"]  # the library is never restricted by year
    assert doc["viewings"] == {
        "total": 3,
        "rewatches": 1,
        "by_year": [{"year": 2025, "count": 3}],
        "by_month": months("2025-01", "2025-12", m2025_03=1, m2025_05=1, m2025_11=1),
    }
    # bleak-night: 4.5 on its 2025 viewing; poetry: 2 on its 2025 viewing (not the later 3.5);
    # oasis: no rating on the viewing, so the entry's 5.
    assert doc["ratings"] == {
        "count": 3,
        "average": 3.83,
        "histogram": histogram(r2_0=1, r4_5=1, r5_0=1),
    }
    assert doc["top_directors"] == [
        {"name": "Lee Chang-dong", "viewings": 2},
        {"name": "Yoon Sung-hyun", "viewings": 1},
    ]
    assert doc["top_themes"][:3] == [
        {"theme": "drama", "viewings": 3},
        {"theme": "family", "viewings": 2},
        {"theme": "social-issues", "viewings": 2},
    ]
    assert len(doc["top_themes"]) == 10
    assert doc["average_rating_by_theme"][-4:] == [
        {"theme": "drama", "average": 3.83, "count": 3},
        {"theme": "family", "average": 3.5, "count": 2},
        {"theme": "social-issues", "average": 3.5, "count": 2},
        {"theme": "illness", "average": 2.0, "count": 1},
    ]


def test_year_with_only_a_year_precision_viewing(run, diary):
    doc = stats_json(run, "--year", "2019")
    assert doc["viewings"] == {
        "total": 1,
        "rewatches": 0,
        "by_year": [{"year": 2019, "count": 1}],
        "by_month": months("2019-01", "2019-12"),
    }
    assert doc["ratings"]["count"] == 1 and doc["ratings"]["average"] == 3.0
    assert doc["top_directors"] == [{"name": "Lee Chang-dong", "viewings": 1}]


def test_year_without_viewings_keeps_library(run, diary):
    doc = stats_json(run, "--year", "2024")
    assert doc["library"]["total"] == 5
    assert doc["viewings"] == {
        "total": 0,
        "rewatches": 0,
        "by_year": [],
        "by_month": months("2024-01", "2024-12"),
    }
    assert doc["ratings"] == {"count": 0, "average": None, "histogram": histogram()}
    assert doc["top_directors"] == doc["top_themes"] == doc["average_rating_by_theme"] == []


def test_every_director_of_a_title_counts(run):
    ok(
        run(
            "add",
            "Two Hands Film",
            "--custom",
            "--year",
            "2020",
            "--director",
            "Kim Ah",
            "--director",
            "Park Bee",
            "--theme",
            "drama",
            "--theme",
            "hidden-gems",
        )
    )
    ok(run("watched", "Two Hands Film", "--on", "2024-06-01", "--rating", "4"))
    ok(run("watched", "Two Hands Film", "--on", "2024-07-01"))
    doc = stats_json(run)
    assert doc["top_directors"] == [
        {"name": "Kim Ah", "viewings": 2},
        {"name": "Park Bee", "viewings": 2},
    ]
    assert doc["top_themes"] == [{"theme": "drama", "viewings": 2}]
    assert doc["average_rating_by_theme"] == [{"theme": "drama", "average": 4.0, "count": 1}]


def test_article_themes_are_the_source_keys(conn):
    from kwatch.catalogue import load_vocabulary

    assert (
        article_themes()
        == set(load_vocabulary().sources)
        == {
            "indie-gems",
            "hidden-gems",
            "releases-2023",
            "romance-picks",
            "mental-health-picks",
        }
    )


def test_core_can_keep_article_themes(run, conn, diary):
    kept = compute_stats(conn, 2025, exclude_themes=())
    themes = {t for t, _ in kept.top_themes} | {t.theme for t in kept.average_rating_by_theme}
    assert {"indie-gems", "romance-picks"} <= themes
    default = compute_stats(conn, 2025).to_dict()
    assert "indie-gems" not in {t["theme"] for t in default["top_themes"]}
    assert compute_stats(conn, 2025, top=1).top_directors == (("Lee Chang-dong", 2),)


def test_human_output_has_headings_and_bars(run, diary):
    result = run("stats")
    ok(result)
    out = result.stdout
    for heading in (
        "Library: 5 titles",
        "Viewings: 5, 2 of them rewatches",
        "Ratings: 3 titles, average 4.33/5",
        "Most-watched directors",
        "Most-watched themes",
        "Average rating by theme",
    ):
        assert heading in out
    assert "1 viewing dated only by year is in no month." in out
    assert "█" * 24 in out  # the largest value fills its bar
    assert "Lee Chang-dong" in out and "★★★★½" in out
    assert result.stderr == ""


def test_human_output_for_a_year(run, diary):
    result = run("stats", "--year", "2025")
    ok(result)
    assert "Library: 5 titles (the whole library, not only 2025)" in result.stdout
    assert "Viewings in 2025: 3, 1 of them rewatches" in result.stdout
    assert "Most-watched directors in 2025" in result.stdout
    assert "the latest given on a 2025 viewing" in result.stdout


def test_human_output_shows_the_last_twelve_months(run):
    months = [f"2024-{m:02d}" for m in range(1, 13)] + ["2025-01"]
    for month in months:
        ok(run("watched", "poetry-2010", "--on", month))
    result = run("stats")
    assert "Last 12 of 13 months" in result.stdout
    assert "2024-01" not in result.stdout and "2025-01" in result.stdout
    assert [m["month"] for m in stats_json(run)["viewings"]["by_month"]] == months


@pytest.mark.parametrize("bad", ["99999", "abc", "25", "", "0999", "2025-03"])
def test_bad_year_is_a_usage_error(run, db_path, bad):
    result = run("stats", "--year", bad)
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: --year")
    assert not db_path.exists()  # checked before the database is opened


def test_bad_year_with_json(run):
    result = run("stats", "--year", "abc", "--json")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert '"invalid_input"' in result.stderr and len(result.stderr.splitlines()) == 1


def test_parse_year():
    assert parse_year(" 2025 ") == 2025
    assert parse_year(1999) == 1999
    with pytest.raises(Exception, match="not a year"):
        parse_year("1899")


@pytest.mark.parametrize(
    ("value", "maximum", "width", "expected"),
    [
        (0, 5, 8, ""),
        (5, 0, 8, ""),
        (5, 5, 8, "█" * 8),
        (9, 5, 4, "████"),  # never longer than the width
        (1, 8, 1, "▏"),
        (3, 8, 1, "▍"),
        (1, 1000, 8, "▏"),  # a tiny value still shows
        (3, 4, 2, "█▌"),
    ],
)
def test_bar(value, maximum, width, expected):
    assert bar(value, maximum, width) == expected


def test_help_explains_precision_and_year(run):
    result = run("stats", "--help")
    ok(result)
    text = " ".join(result.stdout.split())
    assert "in no month" in text
    assert "library counts stay whole" in text


def test_a_year_in_review_lists_the_films_hours_and_best_rated(run, diary):
    doc = stats_json(run, "--year", "2025")
    films = [(f["id"], f["date"], f["rewatch"]) for f in doc["films"]]
    # Poetry was first seen in 2019, so its 2025 viewing is a rewatch.
    assert films == [
        ("bleak-night-2011", "2025-03-02", False),
        ("oasis-2002", "2025-05-05", False),
        ("poetry-2010", "2025-11-30", True),
    ]
    runtimes = [f["runtime_min"] for f in doc["films"]]
    known = sum(r for r in runtimes if r)
    assert doc["hours_watched"] == round(known / 60, 1)
    assert doc["viewings_without_runtime"] == sum(1 for r in runtimes if not r)
    assert doc["best_rated"][0]["id"] == "oasis-2002"  # 5 stars, from the entry
    assert stats_json(run)["films"] == []  # the whole diary is `kwatch list --json`
    text = run("stats", "--year", "2025").stdout
    assert "Films watched in 2025" in text and "first watch" in text and "rewatch" in text
    assert "Hours watched in 2025" in text and "Best-rated in 2025" in text
    assert "2025-04" in text  # a month with no viewing is shown too
