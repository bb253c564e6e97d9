"""Search and pick: how people type Korean titles, any text as a query, fair random picks."""

from __future__ import annotations

import math
import random

import pytest

from kwatch.filters import Filters
from kwatch.pick import pick, weighted_sample
from kwatch.search import search


@pytest.mark.parametrize(
    "query", ["Han Gong-ju", "han gongju", "hangongju", "한공주", "ㅎㄱㅈ", "HAN GONG JU"]
)
def test_korean_titles_however_typed(run, query):
    doc = run("search", query, "--json").json()
    assert doc["results"][0]["id"] == "han-gong-ju-2014"
    assert doc["results"][0]["matched"] == "title"


def test_exact_title_before_partial_before_synopsis(conn):
    hits = search(conn, "Oasis").hits
    assert hits[0].title.id == "oasis-2002" and hits[0].matched == "title"
    partial = search(conn, "bleak").hits
    assert partial[0].title.id == "bleak-night-2011" and partial[0].matched == "partial title"
    ranks = [h.score for h in search(conn, "love").hits]
    assert ranks == sorted(ranks)


def test_directors_themes_and_synopsis_are_searched(conn):
    assert {h.title.id for h in search(conn, "Lee Chang-dong").hits} >= {
        "oasis-2002",
        "poetry-2010",
        "burning-2018",
        "secret-sunshine-2007",
    }
    assert "the-king-of-pigs-2011" in {h.title.id for h in search(conn, "animation").hits}


def test_a_hangul_word_with_a_particle_still_matches(run):
    run(
        "add",
        "Sympathy for Mr. Vengeance",
        "--custom",
        "--year",
        "2002",
        "--original-title",
        "복수는 나의 것",
    )
    for query in ("복수", "복수는", "복수를"):
        ids = [h["id"] for h in run("search", query, "--json").json()["results"]]
        assert "sympathy-for-mr-vengeance-2002" in ids, query


@pytest.mark.parametrize(
    ("typo", "expected"),
    [
        ("Bleak Nigth", "bleak-night-2011"),
        ("Microhabitt", "microhabitat-2018"),
        ("Jung E", "jung-e-2023"),
        ("Jung-E", "jung-e-2023"),
        ("Parasight", "parasite-2019"),
        ("한공쥬", "han-gong-ju-2014"),
    ],
)
def test_typos_find_the_film_or_suggest_it(run, typo, expected):
    result = run("search", typo, "--json")
    assert result.exit_code == 0
    doc = result.json()
    found = [t["id"] for t in doc["results"][:1] + doc["suggestions"]]
    assert expected in found
    human = run("search", typo)
    assert expected in human.stdout + human.stderr


def test_nothing_found_is_an_empty_answer_not_an_error(run):
    """A search answers with a list: nothing found is exit 0 and [] (not found is for
    lookups of one thing)."""
    result = run("search", "zzqxv wmmpk")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.startswith("No title matches 'zzqxv wmmpk'.")
    document = run("search", "zzqxv wmmpk", "--json")
    assert document.exit_code == 0
    assert document.json()["results"] == [] and document.json()["suggestions"] == []


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "don't",
        "spider-man",
        "c++",
        "2001:",
        "NOT",
        "(",
        '"abc',
        "*",
        "title:x",
        "^x",
        "'; DROP TABLE titles; --",
        "a OR b",
        "NEAR(a b)",
        "%",
        "_",
        "\\",
        "ㅎ",
        "🎬",
    ],
)
def test_any_text_is_a_valid_query(run, query):
    result = run("search", query, "--json")
    assert result.exit_code in (0, 1)
    assert "Traceback" not in result.stderr
    assert "sqlite" not in result.stderr.lower() and "fts5" not in result.stderr.lower()
    if result.exit_code == 0:
        assert "results" in result.json()
    else:
        assert result.stderr.count("\n") == 1


def test_empty_query_is_a_clear_message(run):
    result = run("search", "")
    assert result.exit_code == 2 and "search is empty" in result.stderr


def test_shared_filters(run):
    run("watched", "Burning")

    def ids(*args):
        result = run("search", "Lee Chang-dong", *args, "--json")
        if result.exit_code == 1:  # nothing left after the filters, nothing to suggest
            assert "nothing matches" in result.stderr
            return []
        return [h["id"] for h in result.json()["results"]]

    assert "burning-2018" not in ids("--unwatched")
    assert ids("--watched") == ["burning-2018"]
    assert ids("--in-watchlist") == ["burning-2018"]
    assert set(ids("--year", "2007-2010")) == {"secret-sunshine-2007", "poetry-2010"}
    # Peppermint Candy opened in Korea on 2000-01-01 (after its 1999 Busan premiere).
    assert set(ids("--decade", "2000s")) == {
        "secret-sunshine-2007",
        "oasis-2002",
        "peppermint-candy-2000",
    }
    assert "oasis-2002" not in ids("--avoid", "disability")
    assert set(ids("--theme", "romance")) == {"oasis-2002", "possible-love-2026"}
    assert "burning-2018" not in ids("--max-runtime", "140")
    assert ids("--kind", "tv-series") == []
    catalogue = run("catalogue", "list", "--director", "lee chang", "--json").json()
    assert {t["id"] for t in catalogue} >= {"oasis-2002", "burning-2018"}
    listed = run("list", "--director", "Chang-dong", "--json").json()
    assert [e["id"] for e in listed] == ["burning-2018"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("--year", "20x0"), "--year"),
        (("--year", "2010-2005"), "backwards"),
        (("--decade", "nineties"), "--decade"),
        (("--kind", "movie"), "--kind"),
        (("--max-runtime", "0"), "--max-runtime"),
    ],
)
def test_bad_filters(run, args, words):
    result = run("search", "love", *args)
    assert result.exit_code == 2 and words in result.stderr


# --- pick -----------------------------------------------------------------------------------


def test_fresh_install_picks_romance_from_the_catalogue_and_says_so(run):
    result = run("pick", "--theme", "romance")
    assert result.exit_code == 0
    assert "Your watchlist is empty, so this pick is from the catalogue" in result.stderr
    assert result.stdout.strip()
    doc = run("pick", "--theme", "romance", "--json").json()
    assert doc["source"] == "catalogue" and doc["fell_back_to_catalogue"] is True
    assert "romance" in doc["picks"][0]["themes"]


def test_seed_makes_a_pick_reproducible_and_count_gives_distinct_titles(run):
    first = run("pick", "--from", "catalogue", "--seed", "42", "--count", "5", "--json").json()
    again = run("pick", "--from", "catalogue", "--seed", "42", "--count", "5", "--json").json()
    ids = [p["id"] for p in first["picks"]]
    assert ids == [p["id"] for p in again["picks"]]
    assert len(set(ids)) == 5


def test_pick_prefers_the_watchlist_and_leaves_out_watched(run):
    run("add", "Oasis")
    run("add", "Poetry")
    run("watched", "Poetry")
    for seed in range(20):
        doc = run("pick", "--seed", str(seed), "--json").json()
        assert doc["source"] == "watchlist"
        assert [p["id"] for p in doc["picks"]] == ["oasis-2002"]
    included = {
        run("pick", "--seed", str(s), "--include-watched", "--json").json()["picks"][0]["id"]
        for s in range(30)
    }
    assert included == {"oasis-2002", "poetry-2010"}


def test_explain_shows_pool_filters_and_weights(run):
    run("add", "Oasis", "--priority", "5")
    run("add", "Always", "--priority", "1")
    result = run("pick", "--theme", "romance", "--explain", "--seed", "1")
    assert "Pool: 2 titles from your watchlist" in result.stdout
    assert "--theme romance" in result.stdout
    assert "of 6" in result.stdout


def test_nothing_in_the_watchlist_matches_so_the_catalogue_answers(run):
    run("add", "Oasis")
    result = run("pick", "--theme", "horror", "--json")
    doc = result.json()
    assert doc["source"] == "catalogue" and doc["fell_back_to_catalogue"] is True
    assert doc["fallback_reason"] == "nothing in your watchlist matches"
    assert "horror" in doc["picks"][0]["themes"]
    human = run("pick", "--theme", "horror")
    assert "Nothing in your watchlist matches, so this pick is from the catalogue" in human.stderr


def test_empty_pool_names_the_filter(run):
    run("add", "Oasis")
    result = run("pick", "--from", "watchlist", "--theme", "horror")
    assert result.exit_code == 1
    assert "--theme horror" in result.stderr and "--from catalogue" in result.stderr
    both = run("pick", "--theme", "romance", "--max-runtime", "5")
    assert both.exit_code == 1
    assert "watchlist or the catalogue" in both.stderr and "--max-runtime 5" in both.stderr
    catalogue = run("pick", "--from", "catalogue", "--theme", "romance", "--theme", "documentary")
    assert catalogue.exit_code == 1 and "--theme documentary" in catalogue.stderr
    runtime = run("pick", "--from", "catalogue", "--max-runtime", "5")
    assert runtime.exit_code == 1 and "--max-runtime 5" in runtime.stderr


def test_pick_bad_input(run):
    assert run("pick", "--count", "0").exit_code == 2
    assert run("pick", "--from", "friends").exit_code == 2


def _chi_square_critical(df: int, z: float = 3.09) -> float:
    """Upper 99.9% point of chi-square by the Wilson-Hilferty approximation."""
    return df * (1 - 2 / (9 * df) + z * math.sqrt(2 / (9 * df))) ** 3


def test_weighted_pick_is_fair_by_chi_square(conn):
    from kwatch.library import add

    weights = {"oasis-2002": 5, "always-2011": 1, "ditto-2022": 3, "romang-2019": 2}
    from kwatch.titles import get_title

    for title_id, priority in weights.items():
        add(
            conn,
            get_title(conn, title_id),
            today=__import__("datetime").date(2026, 1, 1),
            priority=priority,
        )
    rng = random.Random(20261122)
    draws = 6000
    counts = dict.fromkeys(weights, 0)
    for _ in range(draws):
        counts[pick(conn, rng=rng, source="watchlist").choices[0].title.id] += 1
    total = sum(weights.values())
    statistic = sum(
        (counts[t] - draws * w / total) ** 2 / (draws * w / total) for t, w in weights.items()
    )
    assert statistic < _chi_square_critical(len(weights) - 1), counts


def test_weighted_sample_without_replacement():
    items = [("a", 1), ("b", 10), ("c", 1)]
    sample = weighted_sample(items, 3, random.Random(3))
    assert sorted(sample) == sorted(items)
    firsts = [weighted_sample(items, 1, random.Random(s))[0][0] for s in range(600)]
    assert firsts.count("b") > 400


def test_filters_in_core(conn):
    hits = search(conn, "love", Filters.build(themes=["romance"], year="2020-")).hits
    assert hits and all(h.title.year >= 2020 for h in hits)


def test_a_director_in_hangul_finds_their_films(run):
    result = run("search", "봉준호", "--json")
    assert result.exit_code == 0
    ids = {hit["id"] for hit in result.json()["results"]}
    assert {"the-host-2006", "memories-of-murder-2003", "okja-2017"} <= ids
    # The title rows keep the romanized names.
    assert run("show", "the-host-2006", "--json").json()["directors"] == ["Bong Joon-ho"]


def test_a_pick_by_theme_and_kind_reads_kinds_from_the_covering_index(conn):
    # With 20,000 titles, reading every title row a theme lists only to learn its kind was
    # half of the pool query; the (id, kind) index answers it without the rows.
    from kwatch import pick as pick_module

    clauses = pick_module._conditions(Filters(themes=("romance",), kind="film"), False)
    sql = pick_module._CATALOGUE_BASE + "".join(f" AND ({c})" for _, c, _ in clauses)
    params = [p for *_, values in clauses for p in values]
    plan = " ".join(str(r[3]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql, params))
    assert "COVERING INDEX titles_id_kind" in plan
