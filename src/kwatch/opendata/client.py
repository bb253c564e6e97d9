"""A polite Wikidata client on urllib: one request at a time, bounded retries, honest headers.

- User-Agent names kwatch, its version and a contact address, as Wikimedia's policy asks
  (kwatch.net's, shared with the release-date services, as are retry_after and NetworkError).
- 429 and the API's `maxlag` error: wait what Retry-After says (capped), then try again.
- 5xx, timeouts, truncated or malformed bodies: back off exponentially, a bounded number of
  times, then fail with a KwatchError that says what to do.
- SPARQL is only used to list the items (paged with LIMIT/OFFSET, each page far inside the
  public service's 60-second limit); the items themselves come from wbgetentities, 50 a call.

`sleep` and `timeout` are arguments so tests run against a local server in milliseconds.
"""

from __future__ import annotations

import gzip
import json
import os
import time
import zlib
from collections.abc import Callable, Iterator
from typing import Any

from kwatch.errors import NetworkError
from kwatch.net import USER_AGENT, retry_after

SPARQL_URL_ENV = "KWATCH_WIKIDATA_SPARQL_URL"
API_URL_ENV = "KWATCH_WIKIDATA_API_URL"
SPARQL_URL = "https://query.wikidata.org/sparql"
API_URL = "https://www.wikidata.org/w/api.php"
ENTITY_BATCH = 50  # wbgetentities takes at most 50 ids a call
PAGE_SIZE = 5000

# Films and series whose country of origin (P495) is South Korea (Q884); P279* follows
# subclasses (animated film, miniseries ...). Ordered so LIMIT/OFFSET pages are stable.
QUERY = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
SELECT DISTINCT ?item WHERE {{
  ?item wdt:P495 wd:Q884 ;
        wdt:P31/wdt:P279* wd:{cls} .
}}
ORDER BY ?item
LIMIT {limit}
OFFSET {offset}
"""
CLASSES = {"film": "Q11424", "tv-series": "Q5398426"}


__all__ = ["Client", "NetworkError", "sparql_query"]


def sparql_query(kind: str, *, limit: int = PAGE_SIZE, offset: int = 0) -> str:
    return QUERY.format(cls=CLASSES[kind], limit=int(limit), offset=int(offset))


class Client:
    def __init__(
        self,
        *,
        sparql_url: str | None = None,
        api_url: str | None = None,
        timeout: float = 65.0,
        retries: int = 4,
        backoff: float = 2.0,
        max_wait: float = 300.0,
        sleep: Callable[[float], None] | None = None,
        page_size: int = PAGE_SIZE,
    ):
        self.sparql_url = sparql_url or os.environ.get(SPARQL_URL_ENV) or SPARQL_URL
        self.api_url = api_url or os.environ.get(API_URL_ENV) or API_URL
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        # Looked up when called, not bound here, so a test that patches time.sleep is obeyed.
        self.sleep = sleep or (lambda seconds: time.sleep(seconds))
        self.page_size = page_size
        self.requests = 0

    # ---- transport

    def get_json(self, url: str, params: dict[str, str], accept: str) -> Any:
        """GET url?params as JSON, retrying what is worth retrying."""
        import urllib.error
        import urllib.parse
        import urllib.request
        from http.client import HTTPException

        full = f"{url}?{urllib.parse.urlencode(params)}"
        problem = "no answer"
        asked: float | None = None  # what the server's Retry-After asked for
        for attempt in range(self.retries + 1):
            if attempt:
                self._pause(asked, attempt, url)
            asked = None
            request = urllib.request.Request(
                full,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": accept,
                    "Accept-Encoding": "gzip",
                },
            )
            self.requests += 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = _decoded(response.read(), response.headers.get("Content-Encoding"))
                    busy_header = response.headers.get("Retry-After")
            except urllib.error.HTTPError as exc:
                if exc.code == 429 or exc.code >= 500:
                    problem = f"HTTP {exc.code}"
                    asked = retry_after(exc.headers.get("Retry-After"))
                    continue
                raise NetworkError(
                    f"{url} answered HTTP {exc.code}; check {SPARQL_URL_ENV} / {API_URL_ENV} "
                    "or try again later."
                ) from None
            except TimeoutError:
                problem = f"no answer within {self.timeout:g} s"
                continue
            except (urllib.error.URLError, HTTPException, OSError, EOFError, zlib.error) as exc:
                # Connection refused or reset, a truncated body (IncompleteRead), bad gzip.
                reason = getattr(exc, "reason", exc)
                if isinstance(reason, TimeoutError):
                    problem = f"no answer within {self.timeout:g} s"
                else:
                    problem = f"{type(exc).__name__}: {reason}"
                continue
            try:
                data = json.loads(body)
            except ValueError:
                problem = "a reply that is not JSON (truncated or malformed)"
                continue
            if isinstance(data, dict) and isinstance(data.get("error"), dict):
                error = data["error"]
                if error.get("code") in ("maxlag", "ratelimited"):
                    problem = f"the server is busy ({error.get('code')})"
                    asked = retry_after(busy_header) or 5.0
                    continue
                raise NetworkError(f"{url} refused the request: {error.get('info', error)}")
            return data
        raise NetworkError(
            f"gave up on {url} after {self.retries + 1} tries ({problem}); nothing was changed. "
            "Try again later."
        )

    def _pause(self, asked: float | None, attempt: int, url: str) -> None:
        """Wait before a retry: what Retry-After asked, else an exponential backoff."""
        if asked is not None and asked > self.max_wait:
            raise NetworkError(
                f"{url} asks to wait {asked:g} s before the next request; nothing was changed. "
                "Try again later."
            )
        backoff = min(self.backoff * 2 ** (attempt - 1), self.max_wait)
        self.sleep(asked if asked is not None else backoff)

    # ---- Wikidata

    def korean_items(self) -> Iterator[tuple[str, str]]:
        """(QID, kind) for every South Korean film and series, a page at a time."""
        seen: set[str] = set()
        for kind in ("tv-series", "film"):  # a series that is also a film counts as a series
            offset = 0
            while True:
                query = sparql_query(kind, limit=self.page_size, offset=offset)
                data = self.get_json(
                    self.sparql_url,
                    {"query": query, "format": "json"},
                    "application/sparql-results+json",
                )
                rows = _bindings(data)
                for row in rows:
                    qid = row.rsplit("/", 1)[-1]
                    if qid.startswith("Q") and qid[1:].isdigit() and qid not in seen:
                        seen.add(qid)
                        yield qid, kind
                if len(rows) < self.page_size:
                    break
                offset += self.page_size

    def entities(
        self, qids: list[str], *, props: str = "labels|aliases|claims"
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """(requested QID, entity) in batches of 50; missing items are left out."""
        for start in range(0, len(qids), ENTITY_BATCH):
            batch = qids[start : start + ENTITY_BATCH]
            data = self.get_json(
                self.api_url,
                {
                    "action": "wbgetentities",
                    "ids": "|".join(batch),
                    "props": props,
                    "languages": "en|ko",
                    "format": "json",
                    "maxlag": "5",
                },
                "application/json",
            )
            found = data.get("entities") if isinstance(data, dict) else None
            if not isinstance(found, dict):
                raise NetworkError(f"{self.api_url} answered without entities; try again later.")
            for key, entity in found.items():
                if isinstance(entity, dict) and "missing" not in entity:
                    yield key, entity


def _decoded(body: bytes, encoding: str | None) -> bytes:
    if encoding and encoding.lower() == "gzip":
        return gzip.decompress(body)
    return body


def _bindings(data: Any) -> list[str]:
    """The ?item values of a SPARQL JSON result; NetworkError if it is not one."""
    try:
        rows = data["results"]["bindings"]
        return [r["item"]["value"] for r in rows if r.get("item", {}).get("type") == "uri"]
    except (KeyError, TypeError, AttributeError):
        raise NetworkError(
            "the SPARQL endpoint answered with something that is not a SPARQL JSON result; "
            f"check {SPARQL_URL_ENV} or try again later."
        ) from None
