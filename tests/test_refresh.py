"""`kwatch releases update` against local HTTP servers shaped like KOBIS and TMDb, and the rules
a refresh follows: never over the user's dates, provenance kept, moves said once by remind,
failures change nothing. No test touches the network: every URL is 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest

from conftest import db_snapshot
from wikidata_fixtures import LocalServer

Handler = Callable[[str, dict[str, list[str]]], tuple[int, dict[str, str], bytes]]


class Server:
    """A real HTTP server on 127.0.0.1 whose answers a test sets, and which logs requests."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, list[str]], dict[str, str]]] = []
        self.answers: list[Handler] = []
        outer = self

        class _Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlparse(self.path)
                query = parse_qs(url.query)
                outer.requests.append((url.path, query, dict(self.headers)))
                answer = outer.answers.pop(0) if len(outer.answers) > 1 else outer.answers[0]
                status, headers, body = answer(url.path, query)
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body) + headers.get("_extra", 0)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = LocalServer(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def json_answer(document: Any, status: int = 200, headers: dict[str, str] | None = None) -> Handler:
    body = json.dumps(document, ensure_ascii=False).encode()
    return lambda path, query: (
        status,
        {"Content-Type": "application/json", **(headers or {})},
        body,
    )


def kobis_film(code: str, name: str, name_en: str, open_dt: str, year: str = "2026", **extra):
    return {
        "movieCd": code,
        "movieNm": name,
        "movieNmEn": name_en,
        "prdtYear": year,
        "openDt": open_dt,
        "typeNm": "장편",
        "prdtStatNm": "개봉예정",
        "nationAlt": "한국",
        "genreAlt": "드라마",
        "repNationNm": "한국",
        "repGenreNm": "드라마",
        "directors": [{"peopleNm": "감독"}],
        "companys": [],
        **extra,
    }


def kobis_list(*films: dict[str, Any], total: int | None = None) -> dict[str, Any]:
    return {
        "movieListResult": {
            "totCnt": len(films) if total is None else total,
            "source": "영화진흥위원회",
            "movieList": list(films),
        }
    }


@pytest.fixture
def server() -> Iterator[Server]:
    srv = Server()
    yield srv
    srv.close()


@pytest.fixture
def kobis(server: Server, monkeypatch: pytest.MonkeyPatch) -> Server:
    monkeypatch.setenv("KWATCH_KOBIS_URL", server.url + "/movie/searchMovieList.json")
    monkeypatch.setenv("KWATCH_KOBIS_KEY", "secret-key-123")
    monkeypatch.delenv("KWATCH_TMDB_KEY", raising=False)
    # No waiting in tests: the client's backoff sleeps are replaced.
    monkeypatch.setattr("kwatch.net.time.sleep", lambda seconds: None)
    return server


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


HOPE = kobis_film("20260001", "새벽의 노래", "HOPE", "20270805", year="2025")


def test_kobis_update_adds_announced_films_and_matches_known_ones(run, kobis):
    # 파수꾼 is Bleak Night (2011) in the catalogue: a re-release date for it is matched by
    # its Korean title and year; 호프 is in no catalogue and becomes a fetched title.
    kobis.answers = [
        json_answer(
            kobis_list(HOPE, kobis_film("20110002", "파 수 꾼", "Bleak Night", "20261224", "2011"))
        )
    ]
    report = ok(run("releases", "update", "--json")).json()
    (kobis_report,) = report["sources"]
    assert kobis_report["found"] == 2 and kobis_report["added"] == 1
    assert kobis_report["matched"] == 1
    path, query, headers = kobis.requests[0]
    assert path == "/movie/searchMovieList.json"
    assert query["repNationCd"] == ["22041011"] and query["key"] == ["secret-key-123"]
    assert headers["User-Agent"].startswith("kwatch/")
    upcoming = ok(run("upcoming", "--json")).json()
    by_id = {i["id"]: i for i in upcoming}
    assert by_id["hope-2027"]["release"]["date"] == "2027-08-05"
    assert by_id["hope-2027"]["release"]["origin"] == "kobis"
    assert "KOBIS open API, fetched 2026-11-22" in by_id["hope-2027"]["release"]["source"]
    assert by_id["bleak-night-2011"]["release"]["date"] == "2026-12-24"
    # The fetched title is a title like any other: it can be found and added.
    ok(run("add", "hope-2027"))
    assert ok(run("search", "새벽의 노래", "--json")).json()["results"][0]["id"] == "hope-2027"
    # A catalogue rebuild keeps it.
    from kwatch.catalogue import sync_catalogue
    from kwatch.db import open_database
    from kwatch.paths import database_path

    conn = open_database(database_path())
    sync_catalogue(conn, force=True)
    conn.close()
    assert ok(run("show", "hope-2027", "--json")).json()["id"] == "hope-2027"


def test_the_key_is_never_printed(run, kobis):
    kobis.answers = [
        json_answer({"faultInfo": {"message": "유효하지않은 키값입니다.", "errorCode": "320010"}})
    ]
    result = run("releases", "update")
    assert result.exit_code == 1
    assert "secret-key-123" not in result.stdout + result.stderr
    assert "KOBIS refused the key" in result.stderr and len(result.stderr.splitlines()) == 1


def test_refresh_never_overwrites_a_date_the_user_entered(run, kobis):
    ok(run("add", "Bleak Night"))
    ok(run("release", "Bleak Night", "2027-01-09", "--type", "theatrical"))
    kobis.answers = [
        json_answer(kobis_list(kobis_film("1", "파수꾼", "Bleak Night", "20261224", "2011")))
    ]
    ok(run("releases", "update"))
    listing = ok(run("release", "Bleak Night", "--json")).json()
    live = [r for r in listing["releases"] if not r["superseded"] and r["type"] == "theatrical"]
    assert [(r["date"], r["origin"]) for r in live] == [("2027-01-09", "user")]
    # What KOBIS said is kept, with its provenance, beneath the user's date.
    kobis_rows = [r for r in listing["releases"] if r["origin"] == "kobis"]
    assert kobis_rows[0]["date"] == "2026-12-24" and kobis_rows[0]["superseded"] is True


def test_a_moved_date_is_said_once_by_remind(run, kobis, monkeypatch):
    kobis.answers = [json_answer(kobis_list({**HOPE, "openDt": "202707"}))]
    ok(run("releases", "update"))
    ok(run("add", "hope-2027"))
    ok(run("remind"))  # today's reminder (nothing moved yet)
    kobis.answers = [json_answer(kobis_list(HOPE))]
    moved = ok(run("releases", "update", "--json")).json()["sources"][0]
    assert moved["changed"] == 1
    assert moved["moves"][0]["from"] == {"date": "2027-07", "precision": "month"}
    # The day was reminded already, but a move is news: the next remind says it, once.
    from kwatch.entry import quiet_remind

    assert quiet_remind(["remind"]) is False
    lines = ok(run("remind")).stdout.splitlines()
    assert lines == ["kwatch: HOPE moved from July 2027 to 2027-08-05 (in cinemas)"]
    assert quiet_remind(["remind"]) is True
    assert ok(run("remind")).stdout == ""


def test_dry_run_changes_nothing(run, kobis, db_path):
    ok(run("add", "Bleak Night"))
    before = db_snapshot(db_path)
    kobis.answers = [json_answer(kobis_list(HOPE))]
    report = ok(run("releases", "update", "--dry-run", "--json")).json()
    assert report["dry_run"] is True and report["sources"][0]["added"] == 1
    assert db_snapshot(db_path) == before


def test_paging_follows_totcnt(run, kobis):
    page1 = [kobis_film(str(i), f"영화{i}", f"Film {i}", "20270101") for i in range(100)]
    page2 = [kobis_film("200", "마지막", "Last", "20270202")]
    kobis.answers = [
        json_answer(kobis_list(*page1, total=101)),
        json_answer(kobis_list(*page2, total=101)),
    ]
    report = ok(run("releases", "update", "--json")).json()["sources"][0]
    assert report["found"] == 101 and report["calls"] == 2
    assert [q["curPage"] for _, q, _ in kobis.requests] == [["1"], ["2"]]


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (json_answer({"status_message": "no"}, status=401), "check your API key"),
        (json_answer({}, status=429, headers={"Retry-After": "100000"}), "too many requests"),
        (json_answer({}, status=503), "HTTP 503"),
        (lambda p, q: (200, {}, b'{"movieListResult": {"totCnt": 3, "movieL'), "not valid JSON"),
        (lambda p, q: (200, {}, b"<html>maintenance</html>"), "not valid JSON"),
        (json_answer({"unexpected": True}), "without movieListResult"),
        (json_answer({"movieListResult": {"totCnt": 1}}), "without movieList"),
    ],
    ids=["401", "429-long", "5xx", "truncated", "html", "wrong-shape", "no-list"],
)
def test_service_failures_give_one_line_and_change_nothing(run, kobis, db_path, answer, message):
    ok(run("add", "Bleak Night"))
    before = db_snapshot(db_path)
    kobis.answers = [answer]
    result = run("releases", "update")
    assert result.exit_code == 1
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    after = db_snapshot(db_path)
    # Only the record of the failed run is new.
    assert [t for t in after if t[0] != "refresh_runs"] == [
        t for t in before if t[0] != "refresh_runs"
    ]
    runs = ok(run("releases", "status", "--json")).json()["runs"]
    assert runs[0]["status"] == "failed"


def test_429_with_a_short_retry_after_is_waited_for(run, kobis, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("kwatch.net.time.sleep", waits.append)
    kobis.answers = [
        json_answer({}, status=429, headers={"Retry-After": "7"}),
        json_answer({}, status=502),
        json_answer(kobis_list(HOPE)),
    ]
    ok(run("releases", "update"))
    assert waits[0] == 7.0 and len(waits) == 2


def test_429_with_a_retry_after_date_is_waited_for_until_that_date(run, kobis, monkeypatch):
    # Retry-After may be an HTTP date (RFC 9110): a past one means "now", not a made-up wait,
    # and one too far ahead is reported at once instead of sat through.
    waits: list[float] = []
    monkeypatch.setattr("kwatch.net.time.sleep", waits.append)
    kobis.answers = [
        json_answer({}, status=429, headers={"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}),
        json_answer(kobis_list(HOPE)),
    ]
    ok(run("releases", "update"))
    assert waits == [0.0]
    kobis.answers = [
        json_answer({}, status=429, headers={"Retry-After": "Fri, 31 Dec 2999 23:59:59 GMT"})
    ]
    result = run("releases", "update")
    assert result.exit_code == 1 and "too many requests" in result.stderr


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("7", 7.0),
        (" 120 ", 120.0),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
        ("", None),
        (None, None),
        ("soon", None),
        ("-5", None),
        ("1.5", None),  # RFC 9110: a whole number of seconds
        ("٣", None),  # an Arabic-Indic digit is not a number of seconds
        ("Wed, 21 Oct 2015 07:28:00", None),  # a date without its GMT
    ],
)
def test_retry_after_reads_seconds_and_http_dates(header, seconds):
    from kwatch.net import retry_after

    assert retry_after(header) == seconds


def test_a_timeout_is_retried_then_reported(run, kobis, monkeypatch):
    from kwatch import net

    original = net.JsonClient.__init__

    def quick(self, service, **kwargs):
        original(self, service, timeout=0.2, retries=1, sleep=lambda s: None)

    monkeypatch.setattr(net.JsonClient, "__init__", quick)

    def slow(path, query):
        threading.Event().wait(1.0)
        return 200, {}, b"{}"

    kobis.answers = [slow]
    result = run("releases", "update")
    assert result.exit_code == 1 and "did not answer" in result.stderr
    assert len(kobis.requests) == 2  # tried once more


def test_no_key_says_where_to_get_one(run, monkeypatch):
    monkeypatch.delenv("KWATCH_KOBIS_KEY", raising=False)
    monkeypatch.delenv("KWATCH_TMDB_KEY", raising=False)
    result = run("releases", "update", "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(result.stderr)["error"]["code"] == "no_key"


def test_the_daily_call_limit_is_respected(run, kobis, monkeypatch):
    from kwatch.releases import kobis as kobis_module

    monkeypatch.setattr(kobis_module, "OUR_DAILY_SHARE", 1)
    kobis.answers = [json_answer(kobis_list(HOPE))]
    ok(run("releases", "update"))
    result = run("releases", "update")
    assert result.exit_code == 1 and "try again tomorrow" in result.stderr
    assert len(kobis.requests) == 1


def test_tmdb_dates_for_titles_with_a_tmdb_id(run, server, monkeypatch, conn):
    # TMDb is asked only for titles that carry a TMDb id.
    conn.execute("DELETE FROM title_ids WHERE scheme = 'tmdb'")
    conn.execute("INSERT INTO title_ids VALUES ('bleak-night-2011', 'tmdb', 'movie/84399')")
    monkeypatch.setenv("KWATCH_TMDB_URL", server.url)
    monkeypatch.setenv("KWATCH_TMDB_KEY", "v3key")
    monkeypatch.delenv("KWATCH_KOBIS_KEY", raising=False)
    server.answers = [
        json_answer(
            {
                "id": 84399,
                "results": [
                    {
                        "iso_3166_1": "US",
                        "release_dates": [
                            {"release_date": "2027-02-03T00:00:00.000Z", "type": 4, "note": "MUBI"},
                            {"release_date": "2027-02-10T00:00:00.000Z", "type": 5, "note": ""},
                        ],
                    },
                    {"iso_3166_1": "??", "release_dates": [{"release_date": "x", "type": 3}]},
                ],
            }
        )
    ]
    ok(run("releases", "update", "--source", "tmdb"))
    path, query, _ = server.requests[0]
    assert path == "/3/movie/84399/release_dates" and query["api_key"] == ["v3key"]
    items = ok(run("upcoming", "--json")).json()
    (item,) = [i for i in items if i["id"] == "bleak-night-2011"]
    assert item["release"]["type"] == "streaming" and item["release"]["region"] == "US"
    assert item["release"]["note"] == "MUBI"


def test_upcoming_says_when_the_dates_are_old(run, monkeypatch):
    monkeypatch.setenv("KWATCH_TODAY", "2027-02-15")
    result = ok(run("upcoming", "--json"))
    assert (
        "last checked on 2026-12-01" in result.stderr and "kwatch releases update" in result.stderr
    )
    json.loads(result.stdout)
    monkeypatch.setenv("KWATCH_TODAY", "2026-12-20")
    assert "last checked" not in ok(run("upcoming")).stderr


# --- the bundled slate ---------------------------------------------------------------------


def test_on_the_real_date_upcoming_is_not_empty(run, monkeypatch):
    monkeypatch.setenv("KWATCH_TODAY", "2026-12-01")
    doc = ok(run("upcoming", "--json")).json()
    bundled = [i for i in doc if i["release"]["origin"] == "catalogue"]
    assert bundled, "the bundled catalogue should carry announced releases"
    assert all(i["status"] == "upcoming" for i in bundled)
    # Announced only to the quarter, season or year: kept at that precision.
    assert {i["release"]["precision"] for i in bundled} - {"day"}


def test_the_last_twelve_months_give_remind_something_real_to_say(run, monkeypatch):
    monkeypatch.setenv("KWATCH_TODAY", "2026-11-22")
    ok(run("add", "the-kings-warden-2026"))
    monkeypatch.setenv("KWATCH_TODAY", "2026-01-20")
    ok(run("remind"))
    monkeypatch.setenv("KWATCH_TODAY", "2026-02-06")
    lines = ok(run("remind")).stdout
    assert "The King's Warden" in lines and "came out" in lines
