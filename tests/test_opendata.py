"""The Wikidata layer: one parser for files and the live API, a polite client tested against a
local server, an atomic layer file, and a merge in which checked and user facts win."""

from __future__ import annotations

import gzip
import json
import os
from datetime import date
from pathlib import Path

import pytest

import wikidata_fixtures as wd
from conftest import db_snapshot, drain_pty
from kwatch.opendata.client import Client, NetworkError, sparql_query
from kwatch.opendata.update import update_layer
from kwatch.opendata.wikidata import Skipped, records_from_file
from kwatch.paths import opendata_layer_path

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def _article_catalogue(article_catalogue):
    """These tests bring their own titles (fixtures, user files, a layer); the bundled
    catalogue is kept to the seed articles' titles so that its growth cannot change them."""


@pytest.fixture
def entity_file(tmp_path: Path) -> Path:
    path = tmp_path / "entities.json"
    path.write_text(json.dumps(wd.entity_data(wd.ALL), ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def layer(db_path: Path) -> Path:
    return opendata_layer_path(db_path)


def _by_qid(records):
    return {r["qid"]: r for r in records}


def test_entity_data_becomes_records_with_every_fact(entity_file):
    skipped = Skipped()
    records = _by_qid(records_from_file(entity_file, skipped))
    oldboy = records["Q475693"]
    assert oldboy["title"] == "Oldboy" and oldboy["title_ko"] == "올드보이"
    assert oldboy["aliases"] == ["Old Boy"] and oldboy["aliases_ko"] == ["올드 보이"]
    assert oldboy["directors"] == ["Park Chan-wook"] and oldboy["directors_ko"] == ["박찬욱"]
    assert oldboy["year"] == 2003 and oldboy["runtime_min"] == 120
    assert oldboy["themes"] == ["thriller"]
    assert oldboy["ids"] == {
        "wikidata": "Q475693",
        "imdb": "tt0364569",
        "letterboxd": "oldboy",
        "tmdb": "movie/670",
    }
    assert oldboy["releases"] == [
        {"date": "2003-11-21", "precision": "day", "region": "KR", "type": "theatrical",
         "note": None},
        {"date": "2004-05-14", "precision": "day", "region": "FR", "type": "festival",
         "note": "Cannes Film Festival"},
        {"date": "2005-03-25", "precision": "day", "region": "US", "type": "theatrical",
         "note": None},
    ]  # fmt: skip
    series = records["Q20000001"]
    assert series["kind"] == "tv-series" and series["ids"]["tmdb"] == "tv/64010"
    assert series["releases"][0]["type"] == "tv"
    assert "Q20000006" not in records  # not from South Korea
    assert records["Q20000004"]["runtime_min"] == 90  # 5400 seconds
    assert records["Q20000005"]["runtime_min"] is None


def test_bad_data_is_counted_not_fatal(entity_file):
    skipped = Skipped()
    records = _by_qid(records_from_file(entity_file, skipped))
    assert "Q20000002" not in records
    counts = skipped.counts
    assert counts["item without an English or Korean label"] == 1
    assert counts["duration that is not a plausible length"] == 1
    assert counts["publication date without a precision"] == 1
    assert counts["genre not mapped to a theme"] == 1
    # Five dates with no place: the earliest is kept, the others are counted.
    many = records["Q20000003"]
    assert [r["date"] for r in many["releases"]] == ["2010-01-01"]
    assert counts["another publication date for the same place"] == 3
    assert many["year"] == 2010


@pytest.mark.parametrize("gz", [False, True])
def test_a_dump_gives_the_same_records_as_entity_data(entity_file, tmp_path, gz):
    dump = tmp_path / ("dump.json.gz" if gz else "dump.json")
    wd.write_dump(dump, wd.ALL, gz=gz)
    assert records_from_file(dump, Skipped()) == records_from_file(entity_file, Skipped())


@pytest.mark.parametrize("gz", [False, True])
def test_one_entity_a_line_without_brackets_reads_as_the_dump_does(entity_file, tmp_path, gz):
    import gzip

    lines = tmp_path / ("lines.json.gz" if gz else "lines.json")
    data = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in wd.ALL).encode()
    lines.write_bytes(gzip.compress(data) if gz else data)
    assert records_from_file(lines, Skipped()) == records_from_file(entity_file, Skipped())


def test_a_dump_is_streamed(tmp_path, monkeypatch):
    # The dump parser reads line by line: json.loads never sees more than one entity.
    import kwatch.opendata.wikidata as module

    dump = tmp_path / "dump.json"
    wd.write_dump(dump, wd.ALL)
    biggest = max(len(json.dumps(e, ensure_ascii=False)) for e in wd.ALL)
    seen = []
    real = module.json.loads

    def spy(text, *a, **k):
        seen.append(len(text))
        return real(text, *a, **k)

    monkeypatch.setattr(module.json, "loads", spy)
    records_from_file(dump, Skipped())
    assert seen and max(seen) <= biggest


def test_a_file_that_is_not_entity_json_is_a_clear_error(run, tmp_path, layer):
    bad = tmp_path / "bad.json"
    bad.write_text("{nope", encoding="utf-8")
    result = run("catalogue", "update", "--from", str(bad))
    assert result.exit_code == 2
    assert "not Wikidata entity JSON" in result.stderr and not layer.exists()


def test_update_from_file_merges_one_title_per_film(run, entity_file, layer, isolated_env):
    folder = isolated_env / "user-catalogue"
    folder.mkdir()
    (folder / "mine.toml").write_text(
        'id = "oldboy-2003"\ntitle = "Oldboy"\nyear = 2003\nruntime_min = 119\n'
        'directors = ["Park Chan-wook"]\nids = { wikidata = "Q475693" }\n',
        encoding="utf-8",
    )
    result = run("catalogue", "update", "--from", str(entity_file), "--json")
    assert result.exit_code == 0, result.stderr
    doc = result.json()
    assert doc["action"] == "updated" and doc["added"] == doc["total"] == 5
    assert doc["joined_catalogue"] == 1 and doc["skipped_count"] > 0
    assert layer.is_file()

    listed = run("catalogue", "list", "--json").json()
    oldboys = [t for t in listed if t["ids"]["wikidata"] == "Q475693"]
    assert len(oldboys) == 1  # the user's entry and the Wikidata item are one title
    oldboy = oldboys[0]
    assert oldboy["origin"] == "user-file" and oldboy["runtime_min"] == 119  # theirs wins
    assert oldboy["ids"]["imdb"] == "tt0364569"  # a gap Wikidata fills
    assert oldboy["directors_ko"] == ["박찬욱"]
    assert oldboy["original_title"] == "올드보이"
    shown = run("show", "tt0364569").stdout
    assert "Facts: your catalogue file;" in shown and "from Wikidata (CC0), fetched 2026" in shown

    series = run("show", "Q20000001", "--json").json()
    assert series["origin"] == "wikidata" and series["id"] == "reply-1988-2015"
    assert series["opendata"] == {"source": "wikidata", "fetched": "2026-11-22", "fields": ["*"]}
    assert "Facts: from Wikidata (CC0), fetched 2026-11-22" in run("show", "Reply 1988").stdout
    assert run("search", "응답하라", "--json").json()["results"][0]["id"] == "reply-1988-2015"


def test_checked_catalogue_facts_win_and_join_by_imdb(conn, entity_file, layer, monkeypatch):
    import kwatch.catalogue as catalogue
    from kwatch.catalogue import sync_catalogue
    from kwatch.titles import get_title

    # A bundled entry with an IMDb id and no QID, as a catalogue file may give it; the
    # Wikidata item carrying that IMDb id must join it rather than add a twin.
    oasis = get_title(conn, "oasis-2002")
    real = catalogue.load_entries

    def with_imdb(vocab):
        entries, problems = real(vocab)
        return [
            (o, {**e, "ids": {"imdb": "tt0330367"}} if e["id"] == "oasis-2002" else e)
            for o, e in entries
        ], problems

    monkeypatch.setattr(catalogue, "load_entries", with_imdb)
    sync_catalogue(conn, force=True)
    data = wd.entity_data(wd.ALL)
    data["entities"]["Q475693"]["claims"]["P345"] = [wd.ext("P345", "tt0330367")]
    entity_file.write_text(json.dumps(data), encoding="utf-8")
    report = update_layer(layer, today=TODAY, from_file=entity_file, conn=conn)
    assert report.joined == 1
    sync_catalogue(conn, layer=layer)
    merged = get_title(conn, "oasis-2002")
    assert merged.origin == "bundled"
    assert (merged.title, merged.year, merged.runtime_min, merged.directors) == (
        oasis.title,
        oasis.year,
        oasis.runtime_min,
        oasis.directors,
    )
    assert merged.themes == oasis.themes and merged.releases == oasis.releases
    assert merged.ids["wikidata"] == "Q475693" and "ids.wikidata" in merged.opendata["fields"]
    assert conn.execute("SELECT count(*) FROM titles WHERE id LIKE 'oldboy%'").fetchone()[0] == 0


def test_dry_run_counts_and_writes_nothing(run, entity_file, layer, db_path):
    run("list")
    before = db_snapshot(db_path)
    dry = run("catalogue", "update", "--from", str(entity_file), "--dry-run", "--json").json()
    assert dry["dry_run"] and dry["added"] == 5 and dry["bytes"] is None
    assert not layer.exists() and db_snapshot(db_path) == before
    run("catalogue", "update", "--from", str(entity_file))
    again = run("catalogue", "update", "--from", str(entity_file), "--dry-run", "--json").json()
    assert (again["added"], again["changed"], again["unchanged"]) == (0, 0, 5)
    human = run("catalogue", "update", "--from", str(entity_file), "--dry-run")
    assert "0 would be added" in human.stderr and "Nothing was written" in human.stderr
    assert human.stdout == ""


def test_remove_takes_the_layer_out_and_keeps_user_data(run, entity_file, layer):
    run("catalogue", "update", "--from", str(entity_file))
    assert run("add", "Reply 1988", "--json").exit_code == 0
    assert run("release", "Reply 1988", "2027-01", "--type", "streaming").exit_code == 0
    removed = run("catalogue", "update", "--remove", "--json").json()
    assert removed["action"] == "removed" and removed["removed"] == 5
    assert not layer.exists()
    assert run("show", "Q20000001").exit_code == 1
    # The library entry is user data: it stays, and comes back whole with the layer.
    assert [e["id"] for e in run("list", "--json").json()] == ["reply-1988-2015"]
    run("catalogue", "update", "--from", str(entity_file))
    shown = run("show", "reply-1988-2015", "--json").json()
    assert shown["entry"] is not None
    assert any(r["origin"] == "user" for r in shown["releases"])
    assert "Removed the Wikidata layer" in run("catalogue", "update", "--remove").stderr
    assert "no Wikidata layer" in run("catalogue", "update", "--remove").stderr


def test_a_crash_while_writing_leaves_the_previous_layer(entity_file, layer, monkeypatch):
    update_layer(layer, today=TODAY, from_file=entity_file)
    before = layer.read_bytes()

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    data = wd.entity_data([wd.SERIES])
    small = entity_file.with_name("small.json")
    small.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        update_layer(layer, today=TODAY, from_file=small)
    assert layer.read_bytes() == before
    assert sorted(p.name for p in layer.parent.iterdir()) == [layer.name]


def test_the_fingerprint_follows_the_layer(entity_file, layer):
    from kwatch.catalogue_files import index_fingerprint

    empty = index_fingerprint(layer)
    update_layer(layer, today=TODAY, from_file=entity_file)
    with_layer = index_fingerprint(layer)
    assert with_layer != empty
    update_layer(layer, today=date(2026, 12, 2), from_file=entity_file)
    assert index_fingerprint(layer) != with_layer


def test_the_layer_file_is_gzipped_json_with_its_licence(entity_file, layer):
    update_layer(layer, today=TODAY, from_file=entity_file)
    doc = json.loads(gzip.decompress(layer.read_bytes()))
    assert doc["format"] == "kwatch-opendata" and doc["licence"] == "CC0-1.0"
    assert doc["fetched"] == "2026-12-01" and doc["count"] == len(doc["titles"]) == 5


def test_a_users_own_title_hides_the_same_film_in_the_layer(run, entity_file):
    assert run("add", "Reply 1988", "--custom", "--year", "2015").exit_code == 0
    run("catalogue", "update", "--from", str(entity_file))
    # Same name and year as the user's own title: theirs is the film; no twin appears.
    assert run("show", "Q20000001").exit_code == 1
    assert run("show", "reply-1988-2015", "--json").json()["origin"] == "custom"
    assert len(run("search", "Reply 1988", "--json").json()["results"]) == 1


def test_a_wikidata_title_never_takes_a_users_id(run, entity_file):
    # Another name (the Hangul drops out of the slug), the same id as the item would get.
    assert run("add", "Reply 1988 응답", "--custom", "--year", "2015").exit_code == 0
    run("catalogue", "update", "--from", str(entity_file))
    assert run("show", "Q20000001", "--json").json()["id"] == "reply-1988-2015-q20000001"
    assert run("show", "reply-1988-2015", "--json").json()["origin"] == "custom"


# ---- the live path, against a local server


def _client(fake, **kwargs):
    sleeps: list[float] = []
    client = Client(
        sparql_url=fake.base + "/sparql",
        api_url=fake.base + "/w/api.php",
        timeout=kwargs.pop("timeout", 2.0),
        sleep=sleeps.append,
        **kwargs,
    )
    return client, sleeps


def test_live_update_builds_the_same_layer_as_a_file(entity_file, layer, tmp_path):
    with wd.FakeWikidata() as fake:
        client, sleeps = _client(fake, page_size=2)
        report = update_layer(layer, today=TODAY, client=client)
    from_file = records_from_file(entity_file, Skipped())
    live = json.loads(gzip.decompress(layer.read_bytes()))["titles"]
    # Same records, except that the live query decides what is Korean (Q20000006 is "found"
    # by this fake query too, as the service would if its data said so).
    assert [r for r in live if r["qid"] != "Q20000006"] == from_file
    assert report.total == len(live) and sleeps == []
    # Paged, 2 a page: 1 query for the series, 4 for 6 films (the last page is empty).
    assert len(fake.queries) == 1 + 4
    assert [q.rsplit("OFFSET ", 1)[1].strip() for q in fake.queries[1:]] == ["0", "2", "4", "6"]
    assert all("kwatch/" in ua and "kwatch.invalid" in ua for ua in fake.user_agents)


def test_compressed_answers_are_read(layer):
    with wd.FakeWikidata() as fake:
        fake.gzip = True
        client, _ = _client(fake)
        report = update_layer(layer, today=TODAY, client=client)
    assert report.total == 6


def test_sparql_sent_is_valid_sparql():
    rdflib = pytest.importorskip("rdflib")
    from rdflib.plugins.sparql import prepareQuery

    for kind in ("film", "tv-series"):
        prepareQuery(sparql_query(kind, limit=10, offset=20))
    with pytest.raises(Exception):  # noqa: B017 - the parser's own error type
        prepareQuery(sparql_query("film").replace("}", "", 1))
    assert rdflib


@pytest.mark.parametrize(
    ("faults", "expected_sleeps"),
    [
        (["429"], [3.0]),  # Retry-After honoured
        (["500", "500"], [1.0, 2.0]),  # exponential backoff
        (["malformed"], [1.0]),
        (["truncated"], [1.0]),
        (["maxlag"], [7.0]),
        (["slow"], [1.0]),  # a timeout
    ],
)
def test_the_client_retries_what_is_worth_retrying(faults, expected_sleeps, layer):
    with wd.FakeWikidata(slow_seconds=0.6) as fake:
        fake.faults = list(faults)
        client, sleeps = _client(fake, backoff=1.0, timeout=0.3)
        report = update_layer(layer, today=TODAY, client=client)
    assert report.total == 6
    assert sleeps == expected_sleeps


def test_the_client_gives_up_and_leaves_the_previous_layer(entity_file, layer):
    update_layer(layer, today=TODAY, from_file=entity_file)
    before = layer.read_bytes()
    with wd.FakeWikidata() as fake:
        fake.faults = ["500"] * 10
        client, sleeps = _client(fake, retries=3, backoff=1.0)
        with pytest.raises(NetworkError, match="after 4 tries"):
            update_layer(layer, today=TODAY, client=client)
    assert sleeps == [1.0, 2.0, 4.0]
    assert layer.read_bytes() == before


def test_a_long_retry_after_stops_instead_of_hanging(layer):
    with wd.FakeWikidata() as fake:
        fake.faults = ["429"]
        client, sleeps = _client(fake, max_wait=1.0)
        with pytest.raises(NetworkError, match="asks to wait 3 s"):
            update_layer(layer, today=TODAY, client=client)
    assert sleeps == [] and not layer.exists()


def test_live_update_through_the_cli(run, monkeypatch, layer):
    with wd.FakeWikidata() as fake:
        monkeypatch.setenv("KWATCH_WIKIDATA_SPARQL_URL", fake.base + "/sparql")
        monkeypatch.setenv("KWATCH_WIKIDATA_API_URL", fake.base + "/w/api.php")
        result = run("catalogue", "update", "--json")
    assert result.exit_code == 0, result.stderr
    assert result.json()["source"] == fake.base + "/sparql"
    assert run("show", "https://www.wikidata.org/wiki/Q475693", "--json").json()["id"] == (
        "oldboy-2003"
    )
    assert "Oldboy" in run("search", "박찬욱").stdout


def test_an_unreachable_endpoint_is_one_line_and_changes_nothing(run, monkeypatch, db_path):
    run("list")
    before = db_snapshot(db_path)
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("KWATCH_WIKIDATA_SPARQL_URL", f"http://127.0.0.1:{port}/sparql")
    import kwatch.opendata.client as client_module

    monkeypatch.setattr(client_module.time, "sleep", lambda s: None)
    result = run("catalogue", "update")
    assert result.exit_code == 1 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "gave up" in result.stderr
    assert db_snapshot(db_path) == before


def test_update_documents_match_their_schema(run, entity_file):
    from test_contract import _validate

    for args in (
        ["--from", str(entity_file), "--dry-run"],
        ["--from", str(entity_file)],
        ["--remove", "--dry-run"],
        ["--remove"],
        ["--remove"],
    ):
        result = run("catalogue", "update", *args, "--json")
        assert result.exit_code == 0, (args, result.stderr)
        _validate("catalogue update", result.json())
    shown = run("show", "oasis-2002", "--json").json()
    _validate("show", shown)


@pytest.mark.parametrize("layout", ["pretty", "one-line", "truncated-dump"])
def test_other_layouts_of_entity_json(entity_file, tmp_path, layout):
    path = tmp_path / "other.json"
    if layout == "pretty":
        path.write_text(json.dumps(wd.ALL, indent=2, ensure_ascii=False), encoding="utf-8")
    elif layout == "one-line":
        path.write_text(json.dumps(wd.ALL, ensure_ascii=False), encoding="utf-8")
    else:  # a dump cut off in the middle of its last line, as an interrupted download is
        wd.write_dump(path, wd.ALL)
        path.write_bytes(path.read_bytes()[:-40])
    skipped = Skipped()
    records = records_from_file(path, skipped)
    expected = records_from_file(entity_file, Skipped())
    if layout == "truncated-dump":
        assert skipped.counts["a line of the dump that is not one entity's JSON"] == 1
        # The cut line was a place (Cannes): the rest is intact, that festival is unplaced.
        assert [r["qid"] for r in records] == [r["qid"] for r in expected]
    else:
        assert records == expected


def test_the_progress_bar_stays_off_the_output_of_pipes(capsys):
    from kwatch.output import Progress

    with Progress() as progress:
        progress("Fetching items", 10, 100)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_on_a_terminal_the_bar_goes_to_stderr_and_json_stays_clean(entity_file, tmp_path):
    import pty
    import subprocess
    import sys

    main, secondary = pty.openpty()
    env = {
        **os.environ,
        "KWATCH_DB": str(tmp_path / "pty.db"),
        "TERM": "xterm",
        "COLUMNS": "100",
    }
    env.pop("NO_COLOR", None)
    done = subprocess.run(
        [sys.executable, "-m", "kwatch", "catalogue", "update", "--from", str(entity_file),
         "--json"],
        stdout=subprocess.PIPE,
        stderr=secondary,
        env=env,
        timeout=120,
    )  # fmt: skip
    os.close(secondary)
    seen = drain_pty(main)
    assert done.returncode == 0
    assert json.loads(done.stdout)["total"] == 5  # exactly one document, no bar in it
    assert b"Reading entities.json" in seen  # the bar, on the terminal


def test_a_damaged_layer_is_a_warning_not_a_failure(run, entity_file, layer):
    run("catalogue", "update", "--from", str(entity_file))
    layer.write_bytes(layer.read_bytes()[:100])  # cut short, as a full disk might leave it
    listed = run("catalogue", "list", "--json")
    assert listed.exit_code == 0
    assert "cannot be read" in listed.stderr and "--remove" in listed.stderr
    assert not [t for t in listed.json() if t["origin"] == "wikidata"]
    assert run("show", "oasis-2002", "--json").exit_code == 0
    # Updating replaces the damaged file.
    again = run("catalogue", "update", "--from", str(entity_file), "--json")
    assert again.exit_code == 0 and again.json()["added"] == 5
    assert run("show", "Q20000001", "--json").json()["origin"] == "wikidata"
