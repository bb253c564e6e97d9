"""kwatch: a command-line watchlist for Korean cinema."""

# Kept in code, not read from package metadata: importlib.metadata costs 20-60 ms at start-up.
__version__ = "0.1.0"
