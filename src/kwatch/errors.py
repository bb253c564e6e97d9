"""Typed errors raised by the core. The CLI maps them to one line on stderr and an exit code."""

from __future__ import annotations

# Exit codes, documented in README ("Exit codes").
EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2


class KwatchError(Exception):
    """An error the user can act on. `message` says what happened and what to do next."""

    code = "error"
    exit_code = EXIT_ERROR

    def __init__(self, message: str, *, code: str | None = None, details: object = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.details = details


class NotFound(KwatchError):
    code = "not_found"


class Ambiguous(KwatchError):
    code = "ambiguous"


class InvalidInput(KwatchError):
    """Bad values the user typed (a rating of 7, a date of 2023-13-45): a usage error."""

    code = "invalid_input"
    exit_code = EXIT_USAGE


class Conflict(KwatchError):
    code = "conflict"


class DatabaseError(KwatchError):
    code = "database"


class SyncError(KwatchError):
    """The sync folder cannot be used (missing, read-only, full, or from a newer kwatch)."""

    code = "sync"


class CatalogueError(KwatchError):
    code = "catalogue"


class EmptyPool(KwatchError):
    code = "empty_pool"


class NetworkError(KwatchError):
    """A web service could not be reached or answered with something unusable."""

    code = "network"
