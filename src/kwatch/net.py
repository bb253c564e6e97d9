"""A polite JSON client for the open-data services kwatch asks (only in the commands whose job
is to fetch, and only when the user runs them), and what every client of kwatch's shares.

Polite means: a User-Agent that names kwatch, its version and a contact address, a timeout on
every request, bounded retries with backoff on 5xx and timeouts, 429 answered by waiting as
long as Retry-After says (within a cap), and every failure turned into one NetworkError that
says what to do. `sleep` is injectable so tests do not wait.

JsonClient serves the release-date services (KOBIS, TMDb: keyed APIs); the Wikidata client
(kwatch.opendata.client) keeps its own retry loop for what only Wikidata does (maxlag errors
inside a 200, gzip, paged SPARQL) and shares USER_AGENT, retry_after and NetworkError from here.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from kwatch import __version__
from kwatch.errors import NetworkError

CONTACT = "https://kwatch.invalid/contact"  # placeholder until the project has a public page
# Wikimedia's policy asks for a contact; the other services are told the same.
USER_AGENT = f"kwatch/{__version__} ({CONTACT}; a command-line watchlist for Korean cinema) urllib"
MAX_RETRY_AFTER = 120.0  # seconds; a longer wait is reported instead of sat through


def retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for: a number of seconds or an HTTP date (RFC 9110);
    None when there is none or it is neither."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None  # RFC 9110 dates are GMT; one without a zone is not one
    from datetime import UTC, datetime

    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class JsonClient:
    def __init__(
        self,
        service: str,
        *,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 2.0,
        sleep: Callable[[float], None] | None = None,
        max_body: int = 64 * 1024 * 1024,
    ) -> None:
        self.service = service
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep or (lambda seconds: time.sleep(seconds))
        self.max_body = max_body
        self.calls = 0

    def get(self, url: str, *, headers: dict[str, str] | None = None, shown: str = "") -> Any:
        """GET `url` and parse its JSON body. `shown` is the URL as it may be printed (without
        the user's key): errors never repeat a key."""
        import urllib.error
        import urllib.request

        shown = shown or url
        request = urllib.request.Request(
            url, headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})}
        )
        attempt = 0
        while True:
            attempt += 1
            self.calls += 1
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body = response.read(self.max_body + 1)
                if len(body) > self.max_body:
                    raise NetworkError(f"{self.service} sent more than {self.max_body} bytes.")
                return self._parse(body)
            except urllib.error.HTTPError as exc:
                wait = self._wait_for(exc, attempt)
                if wait is None:
                    raise self._http_error(exc, shown) from None
            except (TimeoutError, urllib.error.URLError, ConnectionError, OSError) as exc:
                if isinstance(exc, NetworkError):
                    raise
                if attempt > self.retries:
                    reason = getattr(exc, "reason", exc)
                    raise NetworkError(
                        f"{self.service} did not answer ({reason}); check your connection "
                        "and try again later."
                    ) from None
                wait = self.backoff * 2 ** (attempt - 1)
            self.sleep(wait)

    def _wait_for(self, exc: Any, attempt: int) -> float | None:
        """How long to wait before trying again, or None to give up."""
        if attempt > self.retries:
            return None
        if exc.code == 429:
            asked = retry_after(exc.headers.get("Retry-After") if exc.headers else None)
            wait = self.backoff * 2**attempt if asked is None else asked
            return wait if 0 <= wait <= MAX_RETRY_AFTER else None
        if 500 <= exc.code < 600:
            return self.backoff * 2 ** (attempt - 1)
        return None

    def _http_error(self, exc: Any, shown: str) -> NetworkError:
        if exc.code in (401, 403):
            return NetworkError(
                f"{self.service} refused the request (HTTP {exc.code}): check your API key.",
                code="bad_key",
            )
        if exc.code == 429:
            return NetworkError(
                f"{self.service} says too many requests (HTTP 429); try again later.",
                code="rate_limited",
            )
        return NetworkError(
            f"{self.service} answered HTTP {exc.code} for {shown}; try again later."
        )

    def _parse(self, body: bytes) -> Any:
        try:
            return json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise NetworkError(
                f"{self.service} sent a reply that is not valid JSON (cut off or malformed); "
                "try again later."
            ) from None
