"""Moving history in and out of kwatch.

sources (finding an export's files, encodings, dialects) -> letterboxd / imdb (each service's
files and rows) -> engine (folding rows per title, batches, one transaction) -> the library's
bulk writers (kwatch.library.bulk), which own every write. kwatch_json is kwatch's own format
both ways; letterboxd_export and spreadsheet write the other formats; backup copies the file.
"""

EXPORT_FORMATS = ("json", "letterboxd", "csv")
# kwatch's own JSON export (transfer/kwatch_json.py); its schema: schemas.EXPORT_DOCUMENT.
EXPORT_FORMAT = "kwatch-export"
EXPORT_VERSION = 2  # 2: reviews apart from notes, source ids, lists
