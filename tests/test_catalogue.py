"""The bundled catalogue: valid, complete, in our own words; and the user's own files."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from conftest import SEEDS, requires_shared
from kwatch.catalogue import load_vocabulary, read_catalogue_file, validate_file
from kwatch.paths import bundled_catalogue_dir

TITLES = sorted((bundled_catalogue_dir() / "titles").glob("*.toml"))
VOCAB = load_vocabulary()


def _entries():
    return [tomllib.loads(p.read_text(encoding="utf-8")) for p in TITLES]


def test_catalogue_has_every_title_from_the_articles():
    assert len(TITLES) >= 70


@pytest.mark.parametrize("path", TITLES, ids=lambda p: p.stem)
def test_each_bundled_file_is_valid_to_the_strict_standard(path):
    assert validate_file(path, VOCAB, strict=True) == []


def test_bundled_files_also_validate_against_the_published_json_schema():
    import jsonschema

    schema = json.loads(
        (Path(__file__).parents[1] / "src/kwatch/schemas/catalogue-entry.json").read_text()
    )
    validator = jsonschema.Draft202012Validator(schema)
    for entry in _entries():
        errors = [e.message for e in validator.iter_errors(entry)]
        assert errors == [], entry["id"]


def test_ids_are_unique_and_match_file_names():
    ids = [e["id"] for e in _entries()]
    assert len(ids) == len(set(ids))
    assert [p.stem for p in TITLES] == ids


def test_every_entry_has_the_core_facts_or_a_reason():
    for entry in _entries():
        missing = entry.get("missing", {})
        for field in ("title", "original_title", "year", "directors", "themes", "synopsis"):
            assert entry.get(field) or field in missing, (entry["id"], field)
        if "original_title" in entry:
            assert re.search("[가-힣]", entry["original_title"]), entry["id"]


def test_every_director_is_also_named_in_hangul_or_a_reason_says_why_not():
    # `kwatch search 봉준호` finds a film only through directors_ko (issue 15).
    for entry in _entries():
        if "directors_ko" in entry.get("missing", {}):
            continue
        hangul = entry.get("directors_ko", [])
        assert len(hangul) == len(entry.get("directors", [])), entry["id"]
        assert all(re.search("[가-힣]", name) for name in hangul), entry["id"]


def test_a_director_has_one_hangul_name_across_the_catalogue():
    names: dict[str, set[str]] = {}
    for entry in _entries():
        hangul_names = entry.get("directors_ko", [])  # none where [missing] says why
        for english, hangul in zip(entry.get("directors", []), hangul_names, strict=False):
            names.setdefault(english, set()).add(hangul)
    assert {e: h for e, h in names.items() if len(h) > 1} == {}


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("봉준호", {"parasite-2019", "memories-of-murder-2003", "the-host-2006", "mother-2009"}),
        ("이창동", {"oasis-2002", "secret-sunshine-2007", "poetry-2010", "burning-2018"}),
        ("박찬욱", {"oldboy-2003", "decision-to-leave-2022", "im-a-cyborg-but-thats-ok-2006"}),
    ],
)
def test_search_by_a_directors_hangul_name_finds_their_films(run, query, wanted):
    found = run("search", query, "--json")
    assert found.exit_code == 0
    assert wanted <= {hit["id"] for hit in found.json()["results"]}


def test_themes_and_notes_are_in_the_vocabulary_and_each_article_is_a_browsable_list():
    used = set()
    for entry in _entries():
        assert set(entry["themes"]) <= set(VOCAB.themes), entry["id"]
        assert set(entry.get("content_notes", [])) <= set(VOCAB.content_notes), entry["id"]
        assert set(entry["sources"]) <= set(VOCAB.sources), entry["id"]
        # Every entry says what it was checked against: a seed article or other references.
        assert entry["sources"] or entry.get("references"), entry["id"]
        used.update(entry["themes"])
    assert set(VOCAB.sources) <= used  # every article has its list theme in use


def test_known_corrections_are_recorded():
    by_id = {e["id"]: e for e in _entries()}
    # The 2023 "Silence" was renamed before release and opened in 2024.
    silence = by_id["project-silence-2024"]
    assert "Silence" in silence["alt_titles"]
    assert {r["type"] for r in silence["releases"]} == {"festival", "theatrical"}
    # Bleak Night's two years: festival premiere 2010, release 2011; both kept.
    bleak = by_id["bleak-night-2011"]
    assert [r["date"][:4] for r in bleak["releases"]] == ["2010", "2011"]
    # Kill Boksoon's "February 2023" plan moved to March 31.
    dates = {r["type"]: r["date"] for r in by_id["kill-boksoon-2023"]["releases"]}
    assert dates["streaming"] == "2023-03-31"


def _words(text: str) -> list[str]:
    return re.findall(r"[\w']+", text.lower().replace("’", "'"))


def _shingles(words: list[str], n: int = 8) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


@requires_shared(SEEDS)
def test_no_synopsis_shares_eight_consecutive_words_with_an_article():
    article_shingles = set()
    for article in SEEDS.glob("*.txt"):
        article_shingles |= _shingles(_words(article.read_text(encoding="utf-8")))
    for entry in _entries():
        overlap = _shingles(_words(entry["synopsis"])) & article_shingles
        assert not overlap, (entry["id"], [" ".join(o) for o in overlap])


# --- the user's own catalogue files -----------------------------------------------------------

GOOD_USER_FILE = """
[[titles]]
id = "the-host-2006"
title = "The Host"
original_title = "괴물"
year = 2006
directors = ["Bong Joon-ho"]
themes = ["horror", "family"]
synopsis = "A snack-bar owner and his family chase a river creature that took his daughter."

[[titles.releases]]
date = "2006-07-27"
precision = "day"
type = "theatrical"
"""


def test_user_files_are_merged_and_searchable(run, isolated_env):
    folder = isolated_env / "user-catalogue"
    folder.mkdir()
    (folder / "mine.toml").write_text(GOOD_USER_FILE, encoding="utf-8")
    shown = run("show", "괴물", "--json").json()
    assert shown["id"] == "the-host-2006" and shown["origin"] == "user-file"
    assert run("search", "Bong Joon-ho", "--json").json()["results"][0]["id"] == "the-host-2006"
    picked = run("pick", "--from", "catalogue", "--director", "Bong Joon-ho", "--json").json()
    assert all("Bong Joon-ho" in p["directors"] for p in picked["picks"])
    listed = run("catalogue", "list", "--theme", "horror", "--theme", "family", "--json").json()
    assert "the-host-2006" in {t["id"] for t in listed}


def test_a_broken_user_file_is_reported_and_breaks_nothing(run, isolated_env):
    run("add", "Oasis")
    folder = isolated_env / "user-catalogue"
    folder.mkdir()
    (folder / "broken.toml").write_text('id = "x\ntitle = ', encoding="utf-8")
    (folder / "half.toml").write_text(
        GOOD_USER_FILE + '\n[[titles]]\nid = "Bad Id"\ntitle = "Bad"\nyear = "soon"\n',
        encoding="utf-8",
    )
    result = run("list", "--json")
    assert result.exit_code == 0
    assert [e["id"] for e in result.json()] == ["oasis-2002"]
    assert "broken.toml" in result.stderr and "half.toml" in result.stderr
    assert run("show", "the-host-2006", "--json").exit_code == 0  # the good entry still loads
    assert run("show", "bleak-night-2011", "--json").exit_code == 0


def test_validate_reports_every_problem_with_file_entry_and_field(run, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[[titles]]\nid = "Bad Id"\ntitle = ""\nyear = 3000\nkind = "movie"\n'
        'themes = ["nonsense"]\ncolour = "blue"\n'
        '[[titles.releases]]\ndate = "2027-02-30"\nprecision = "day"\ntype = "cinema"\n',
        encoding="utf-8",
    )
    result = run("catalogue", "validate", str(bad), "--json")
    assert result.exit_code == 1
    doc = result.json()
    assert doc["valid"] is False and doc["entries"] == 1
    fields = {p["field"] for p in doc["problems"]}
    assert {
        "id",
        "title",
        "year",
        "kind",
        "themes",
        "colour",
        "releases[1].date",
        "releases[1].type",
    } <= fields
    assert all(p["file"] == str(bad) for p in doc["problems"])
    human = run("catalogue", "validate", str(bad))
    assert human.exit_code == 1 and "bad.toml: Bad Id: kind:" in human.stdout


def test_validate_good_file_and_missing_file(run, tmp_path):
    good = tmp_path / "good.toml"
    good.write_text(GOOD_USER_FILE, encoding="utf-8")
    doc = run("catalogue", "validate", str(good), "--json").json()
    assert doc == {
        "schema_version": 1,
        "file": str(good),
        "valid": True,
        "entries": 1,
        "problems": [],
    }
    missing = run("catalogue", "validate", str(tmp_path / "nope.toml"))
    assert missing.exit_code == 1 and "not a file" in missing.stderr


def test_validate_json_catalogue_file(tmp_path):
    entry = tomllib.loads(GOOD_USER_FILE)["titles"][0]
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"titles": [entry]}), encoding="utf-8")
    assert validate_file(path) == []
    assert read_catalogue_file(path)[0]["id"] == "the-host-2006"


def test_catalogue_list_and_themes(run):
    everything = run("catalogue", "list", "--json").json()
    assert len(everything) == len(TITLES)
    assert {"id", "title", "original_title", "releases", "synopsis"} <= set(everything[0])
    gems = run("catalogue", "list", "--theme", "hidden-gems", "--json").json()
    assert len(gems) == 26
    themes = {t["name"]: t for t in run("catalogue", "themes", "--json").json()}
    assert themes["hidden-gems"]["count"] == 26 and themes["hidden-gems"]["kind"] == "list"
    assert themes["indie-gems"]["count"] == 10
    assert themes["suicide"]["kind"] == "content-note"
    assert run("catalogue", "themes").exit_code == 0
    assert "Oasis" in run("catalogue", "list", "--theme", "romance").stdout


def test_published_schema_vocabulary_matches_themes_toml():
    schema = json.loads(
        (Path(__file__).parents[1] / "src/kwatch/schemas/catalogue-entry.json").read_text()
    )
    props = schema["properties"]
    assert set(props["themes"]["items"]["enum"]) == set(VOCAB.themes)
    assert set(props["content_notes"]["items"]["enum"]) == set(VOCAB.content_notes)
    assert set(props["sources"]["items"]["enum"]) == set(VOCAB.sources)
