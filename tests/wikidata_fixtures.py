"""Wikidata entity JSON shaped like Special:EntityData and wbgetentities answers (hand-made,
trimmed to the properties kwatch reads), and a local HTTP server that answers like the
public SPARQL and API endpoints, faults included."""

from __future__ import annotations

import gzip
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def item(qid: str) -> dict:
    return {"entity-type": "item", "numeric-id": int(qid[1:]), "id": qid}


def snak(prop: str, value, kind: str = "wikibase-entityid") -> dict:
    return {"snaktype": "value", "property": prop, "datavalue": {"value": value, "type": kind}}


def claim(prop: str, value, kind: str = "wikibase-entityid", qualifiers=None, rank="normal"):
    statement = {"mainsnak": snak(prop, value, kind), "type": "statement", "rank": rank}
    if qualifiers:
        statement["qualifiers"] = qualifiers
    return statement


def time_value(text: str, precision: int | None = 11) -> dict:
    value = {"time": text, "timezone": 0, "before": 0, "after": 0, "calendarmodel": "x"}
    if precision is not None:
        value["precision"] = precision
    return value


def published(text: str, precision: int | None = 11, place: str | None = None) -> dict:
    qualifiers = {"P291": [snak("P291", item(place))]} if place else None
    return claim("P577", time_value(text, precision), "time", qualifiers)


def duration(amount: str, unit: str = "Q7727") -> dict:
    value = {"amount": amount, "unit": f"http://www.wikidata.org/entity/{unit}"}
    return claim("P2047", value, "quantity")


def ext(prop: str, value: str) -> dict:
    return claim(prop, value, "string")


def entity(qid: str, en=None, ko=None, claims=None, aliases=None) -> dict:
    labels = {}
    if en:
        labels["en"] = {"language": "en", "value": en}
    if ko:
        labels["ko"] = {"language": "ko", "value": ko}
    out = {"type": "item", "id": qid, "labels": labels, "claims": claims or {}}
    if aliases:
        out["aliases"] = {
            lang: [{"language": lang, "value": v} for v in values]
            for lang, values in aliases.items()
        }
    return out


def film(qid, en, ko, *, cls="Q11424", country="Q884", **claims) -> dict:
    base = {"P31": [claim("P31", item(cls))], "P495": [claim("P495", item(country))]}
    base.update(claims)
    return entity(qid, en, ko, base)


OLDBOY = entity(
    "Q475693",
    "Oldboy",
    "올드보이",
    {
        "P31": [claim("P31", item("Q11424"))],
        "P495": [claim("P495", item("Q884"))],
        "P57": [claim("P57", item("Q315484"))],
        "P577": [
            published("+2003-11-21T00:00:00Z", 11, "Q884"),
            published("+2004-05-14T00:00:00Z", 11, "Q42369"),
            published("+2005-03-25T00:00:00Z", 11, "Q30"),
        ],
        "P2047": [duration("+120")],
        "P136": [claim("P136", item("Q2484376")), claim("P136", item("Q99999999"))],
        "P345": [ext("P345", "tt0364569")],
        "P6127": [ext("P6127", "oldboy")],
        "P4947": [ext("P4947", "670")],
    },
    aliases={"en": ["Old Boy"], "ko": ["올드 보이"]},
)
SERIES = film(
    "Q20000001",
    "Reply 1988",
    "응답하라 1988",
    cls="Q5398426",
    P577=[published("+2015-11-06T00:00:00Z", 11)],
    P4983=[ext("P4983", "64010")],
)
NO_LABEL = film("Q20000002", None, None)
FIVE_DATES = film(
    "Q20000003",
    "Many Dates",
    "많은 날",
    P577=[
        published("+2010-01-01T00:00:00Z", 11),
        published("+2010-02-01T00:00:00Z", 11),
        published("+2010-03-00T00:00:00Z", 10),
        published("+2010-00-00T00:00:00Z", 9),
        published("+2011-00-00T00:00:00Z", None),
    ],
)
SECONDS = film("Q20000004", "In Seconds", None, P2047=[duration("+5400", "Q11574")])
NEGATIVE = film("Q20000005", "Negative", None, P2047=[duration("-90")])
NOT_KOREAN = film("Q20000006", "Elsewhere", None, country="Q17")
PARK = entity("Q315484", "Park Chan-wook", "박찬욱")
KOREA = entity("Q884", "South Korea", "대한민국", {"P297": [ext("P297", "KR")]})
USA = entity("Q30", "United States", "미국", {"P297": [ext("P297", "US")]})
FRANCE = entity("Q142", "France", "프랑스", {"P297": [ext("P297", "FR")]})
CANNES = entity(
    "Q42369",
    "Cannes Film Festival",
    "칸 영화제",
    {"P31": [claim("P31", item("Q220505"))], "P17": [claim("P17", item("Q142"))]},
)
FILMS = [OLDBOY, SERIES, NO_LABEL, FIVE_DATES, SECONDS, NEGATIVE, NOT_KOREAN]
OTHERS = [PARK, KOREA, USA, FRANCE, CANNES]
ALL = FILMS + OTHERS


def entity_data(entities) -> dict:
    return {"entities": {e["id"]: e for e in entities}}


def write_dump(path, entities, *, gz: bool = False) -> None:
    """The layout of Wikidata's JSON dumps: "[", one entity a line with a comma, "]"."""
    lines = ["["] + [json.dumps(e, ensure_ascii=False) + "," for e in entities[:-1]]
    lines += [json.dumps(entities[-1], ensure_ascii=False), "]"]
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if gz else data)


class LocalServer(ThreadingHTTPServer):
    """A test's HTTP server on 127.0.0.1 that cleans up after itself.

    Closing it waits for its request threads (a deliberately slow answer included), so none
    outlives its test; and a client that gave up on an answer (a timeout, which some tests
    provoke) is not a traceback printed on stderr, where it would land in whatever output a
    later test captures."""

    daemon_threads = False
    block_on_close = True

    def handle_error(self, request, client_address) -> None:
        pass

    def serve_forever(self, poll_interval: float = 0.01) -> None:
        # A 10 ms poll: the standard 0.5 s made closing each test's server cost half a second.
        super().serve_forever(poll_interval)


class FakeWikidata:
    """A local server: /sparql answers SPARQL JSON results, /w/api.php wbgetentities.

    `faults` is a list of what the next requests get instead of an answer: "429", "500",
    "slow", "malformed", "truncated", "maxlag". `queries` records every SPARQL text sent.
    """

    def __init__(self, entities=ALL, *, films=None, series=None, slow_seconds=0.5):
        self.entities = {e["id"]: e for e in entities}
        self.films = films if films is not None else [e["id"] for e in FILMS if e is not SERIES]
        self.series = series if series is not None else [SERIES["id"]]
        self.faults: list[str] = []
        self.queries: list[str] = []
        self.requests: list[str] = []
        self.user_agents: list[str] = []
        self.slow_seconds = slow_seconds
        self.gzip = False  # answer gzip-compressed when the client accepts it
        self.lock = threading.Lock()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def do_GET(self):
                owner.handle(self)

        self.server = LocalServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def _send(self, handler, status, body: bytes, headers=None):
        handler.send_response(status)
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def handle(self, handler):
        url = urlparse(handler.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        with self.lock:
            self.requests.append(url.path)
            self.user_agents.append(handler.headers.get("User-Agent", ""))
            fault = self.faults.pop(0) if self.faults else None
        if fault == "429":
            return self._send(handler, 429, b"slow down", {"Retry-After": "3"})
        if fault == "500":
            return self._send(handler, 500, b"oops")
        if fault == "slow":
            time.sleep(self.slow_seconds)
        if fault == "malformed":
            return self._send(handler, 200, b"{not json", {"Content-Type": "application/json"})
        if fault == "maxlag":
            body = json.dumps({"error": {"code": "maxlag", "info": "lagged", "lag": 7}})
            return self._send(handler, 200, body.encode(), {"Retry-After": "7"})
        if url.path.endswith("/sparql"):
            body = self.sparql(params["query"])
        else:
            wanted = params["ids"].split("|")
            found = {q: self.entities.get(q, {"id": q, "missing": ""}) for q in wanted}
            body = {"entities": found, "success": 1}
        data = json.dumps(body, ensure_ascii=False).encode()
        if fault == "truncated":
            # Announce the whole body, send half, and close: an IncompleteRead for the client.
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data[: len(data) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            return None
        headers = {"Content-Type": "application/json"}
        if self.gzip and "gzip" in handler.headers.get("Accept-Encoding", ""):
            data = gzip.compress(data)
            headers["Content-Encoding"] = "gzip"
        return self._send(handler, 200, data, headers)

    def sparql(self, query: str) -> dict:
        self.queries.append(query)
        import re

        cls = re.search(r"wd:(Q\d+) \.", query)[1]
        limit = int(re.search(r"LIMIT (\d+)", query)[1])
        offset = int(re.search(r"OFFSET (\d+)", query)[1])
        qids = self.series if cls == "Q5398426" else self.films
        page = qids[offset : offset + limit]
        return {
            "head": {"vars": ["item"]},
            "results": {
                "bindings": [
                    {"item": {"type": "uri", "value": f"http://www.wikidata.org/entity/{q}"}}
                    for q in page
                ]
            },
        }
