"""Finding an export's files (a folder, a ZIP, one CSV), what each one is, its encoding and
its CSV dialect, and reading its rows as a stream."""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
import zipfile
from collections.abc import Callable, Generator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from kwatch.errors import InvalidInput

MAX_FIELD_BYTES = 1 << 20  # a longer field is a runaway quote, not a review
# Limits on what an import reads, so a hostile file fails fast in little memory. A real export
# is a few MB of CSV that ZIP compresses 3 to 10 times; these leave a wide margin.
MAX_LINE_BYTES = 16 << 20  # one line of a CSV (a row of several 1 MiB fields at most)
MAX_MEMBER_BYTES = 512 << 20  # one CSV inside a ZIP, decompressed
MAX_ZIP_BYTES = 1 << 30  # all the CSVs of a ZIP, decompressed
MAX_RATIO = 200  # decompressed size / compressed size of one member


@dataclass(frozen=True)
class Source:
    name: str  # how reports name it: "diary.csv", "export.zip:lists/zatoichi.csv"
    member: str  # its path inside the export, "/"-separated
    opener: Callable[[], IO[bytes]]


@dataclass(frozen=True)
class PlannedFile:
    source: Source
    kind: str
    encoding: str
    header: tuple[str, ...]
    warning: str | None = None


@dataclass(frozen=True)
class ImportPlan:
    service: str
    path: str
    files: tuple[PlannedFile, ...]
    ignored: tuple[str, ...]
    warnings: tuple[str, ...]


def require_regular_file(path: Path) -> None:
    """Refuse, before reading a byte, what is not a regular file: /dev/zero never ends and a
    FIFO waits for a writer, so reading either would hang."""
    import stat

    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise InvalidInput(f"cannot read {path}: {exc.strerror}.") from None
    if not stat.S_ISREG(mode):
        raise InvalidInput(
            f"{path} is not a regular file (a device, FIFO or socket); give the export file."
        )


def find_sources(path: Path) -> tuple[list[Source], str]:
    """The CSV files under `path`: a folder, a ZIP, or one file. Returns (sources, container)."""
    if not path.exists():
        raise InvalidInput(
            f"{path} does not exist; give the export ZIP, the folder it unzips to, or one CSV file."
        )
    if path.is_dir():
        # Only regular files: a FIFO or device named *.csv would hang the import, and a
        # dangling symlink cannot be read (is_file() is False for all of them).
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".csv")
        return [
            Source(
                p.relative_to(path).as_posix(),
                p.relative_to(path).as_posix(),
                functools.partial(Path.open, p, "rb"),  # type: ignore[arg-type]
            )
            for p in files
        ], "folder"
    require_regular_file(path)
    if zipfile.is_zipfile(path):
        try:
            with zipfile.ZipFile(path) as archive:
                infos = [
                    info
                    for info in archive.infolist()
                    if not info.is_dir()
                    and info.filename.lower().endswith(".csv")
                    and not info.filename.startswith("__MACOSX/")
                ]
        except (zipfile.BadZipFile, OSError) as exc:
            raise InvalidInput(f"{path} is not a readable ZIP file ({exc}).") from None
        check_zip_sizes(path, infos)
        members = [info.filename for info in infos]

        def opener(member: str) -> Callable[[], IO[bytes]]:
            def open_member() -> IO[bytes]:
                archive = zipfile.ZipFile(path)
                handle = archive.open(member)
                archive.close()  # the member handle keeps the file open until it is closed
                return handle

            return open_member

        return [Source(f"{path.name}:{m}", m, opener(m)) for m in sorted(members)], "zip"
    if path.suffix.lower() == ".zip":
        raise InvalidInput(f"{path} is not a readable ZIP file; download the export again.")
    return [Source(path.name, path.name, lambda: path.open("rb"))], "file"


def check_zip_sizes(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a ZIP whose CSVs would decompress to far more than any export (a ZIP bomb),
    before a byte is decompressed. zipfile never returns more than a member's declared size,
    so checking the declared sizes is enough."""

    def refuse(what: str) -> InvalidInput:
        return InvalidInput(f"{path}: {what}; it is not a real export, and nothing was imported.")

    for info in infos:
        if info.file_size > MAX_MEMBER_BYTES:
            raise refuse(
                f"{info.filename} would decompress to {info.file_size:,} bytes, over the limit "
                f"of {MAX_MEMBER_BYTES:,} bytes for one file"
            )
        if info.file_size > MAX_RATIO * max(info.compress_size, 1) and info.file_size > 1 << 20:
            raise refuse(
                f"{info.filename} is compressed {info.file_size // max(info.compress_size, 1):,}"
                f" times, over the limit of {MAX_RATIO} times (a ZIP bomb)"
            )
    total = sum(info.file_size for info in infos)
    if total > MAX_ZIP_BYTES:
        raise refuse(
            f"its CSV files would decompress to {total:,} bytes, over the limit of "
            f"{MAX_ZIP_BYTES:,} bytes"
        )


class _LineLimited(io.RawIOBase):
    """A byte stream that fails as soon as one line runs past MAX_LINE_BYTES, so a file of
    one enormous line is refused after reading a few MB instead of being held whole."""

    def __init__(self, inner: IO[bytes], name: str):
        self._inner = inner
        self._name = name
        self._since_newline = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(len(buffer))
        last = data.rfind(b"\n")
        self._since_newline = len(data) - last - 1 if last >= 0 else self._since_newline + len(data)
        if self._since_newline > MAX_LINE_BYTES:
            raise InvalidInput(
                f"{self._name} has a line longer than {MAX_LINE_BYTES:,} bytes, the limit for "
                "one line of a CSV export; it is not a real export, and nothing was imported."
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._inner.close()
        super().close()


def open_limited(src: Source) -> IO[bytes]:
    """The source's bytes, with the line-length limit applied."""
    return io.BufferedReader(_LineLimited(src.opener(), src.name))


_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")


_KOREAN = {"cp949", "euc_kr", "johab", "iso2022_kr"}


def _korean_encoding(src: Source) -> str | None:
    """CP949 when a maintained detector (charset-normalizer) reads the file as Korean and the
    whole file decodes so; CP949 is the superset of EUC-KR that Korean Windows writes."""
    from charset_normalizer import from_bytes  # imported here: only non-UTF-8 files need it

    with src.opener() as fh:
        sample = fh.read(1 << 18)
    best = from_bytes(sample).best()
    if best is None or best.encoding not in _KOREAN:
        return None
    decoder = codecs.getincrementaldecoder("cp949")()
    try:
        with src.opener() as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    return "cp949"


def detect_encoding(src: Source) -> tuple[str, str | None]:
    """(encoding, warning). UTF-8 (with or without BOM) and UTF-16 with a BOM are read as they
    are; Korean Windows files (CP949/EUC-KR, told by charset-normalizer) as CP949; anything
    else is read as Windows-1252 (or Latin-1), with a warning. The whole file is
    checked (in 1 MiB chunks) before a row is read, so the choice never changes half-way."""
    try:
        with open_limited(src) as fh:
            head = fh.read(4)
            if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                return "utf-16", None
            decoder = codecs.getincrementaldecoder("utf-8")()
            chunk, fallback = head, False
            while chunk:
                if b"\x00" in chunk:
                    raise InvalidInput(
                        f"{src.name} is a binary file, not a CSV export; nothing was imported."
                    )
                if not fallback:
                    try:
                        decoder.decode(chunk)
                    except UnicodeDecodeError:
                        fallback = True
                chunk = fh.read(1 << 20)
            if not fallback:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    fallback = True
            if not fallback:
                return "utf-8-sig", None
        korean = _korean_encoding(src)
        if korean:
            return korean, (
                f"{src.name} is not UTF-8; read it as {korean.upper()} (Korean Windows). If "
                "titles look wrong, save the file as UTF-8 and import it again."
            )
        with src.opener() as fh:
            undefined = False
            while chunk := fh.read(1 << 20):
                if _CP1252_UNDEFINED.search(chunk):
                    undefined = True
                    break
    except (OSError, zipfile.BadZipFile, EOFError, RuntimeError) as exc:
        raise InvalidInput(f"cannot read {src.name}: {exc}.") from None
    encoding, label = ("latin-1", "Latin-1") if undefined else ("cp1252", "Windows-1252")
    return encoding, (
        f"{src.name} is not UTF-8; read it as {label}. If accented letters look wrong, "
        "save the file as UTF-8 and import it again."
    )


DELIMITERS = ",;\t"


def sniff_delimiter(src: Source, encoding: str) -> str:
    """The CSV dialect's delimiter: a comma, or the semicolon (spreadsheets in locales where
    the comma is the decimal mark) or tab, judged by the first line that has one of them
    outside quotes. Letterboxd and IMDb write commas."""
    with src.opener() as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
        for _ in range(8):
            line = text.readline(1 << 16)
            if not line:
                break
            outside = re.sub(r'"[^"]*"', "", line)
            counts = {d: outside.count(d) for d in DELIMITERS}
            best = max(counts, key=lambda d: counts[d])
            if counts[best]:
                return best if counts[best] > counts[","] else ","
    return ","


def read_rows(src: Source, encoding: str) -> Generator[tuple[int, list[str]], None, None]:
    """(line number where the row starts, fields), streamed: memory does not grow with the file."""
    if csv.field_size_limit() < MAX_FIELD_BYTES:
        csv.field_size_limit(MAX_FIELD_BYTES)
    line = 1
    try:
        delimiter = sniff_delimiter(src, encoding)
        with open_limited(src) as raw, io.TextIOWrapper(raw, encoding=encoding, newline="") as text:
            reader = csv.reader(text, delimiter=delimiter)
            for fields in reader:
                yield line, fields
                line = reader.line_num + 1
    except csv.Error as exc:
        raise InvalidInput(
            f"{src.name}, line {line}: {exc}. The file is not a well-formed CSV export; "
            "nothing was imported."
        ) from None
    except (UnicodeDecodeError, OSError, zipfile.BadZipFile, EOFError, RuntimeError) as exc:
        raise InvalidInput(f"cannot read {src.name}: {exc}; nothing was imported.") from None


def norm(name: str) -> str:
    return name.strip().lstrip("\ufeff").casefold()


def first_rows(src: Source, encoding: str, count: int) -> list[list[str]]:
    """The first `count` non-empty rows (enough to recognise a file)."""
    out: list[list[str]] = []
    rows = read_rows(src, encoding)
    try:
        for _, fields in rows:
            if any(f.strip() for f in fields):
                out.append(fields)
                if len(out) >= count:
                    break
    finally:
        rows.close()
    return out


@dataclass(frozen=True)
class FileSpec:
    kind: str
    filename: str
    columns: tuple[str, ...]  # as the service writes them, for messages
    required: tuple[str, ...]

    def check_rows(self, src: Source, rows: list[list[str]]) -> tuple[str, ...]:
        return self.check(src, rows[0])

    def check(self, src: Source, header: list[str]) -> tuple[str, ...]:
        names = tuple(norm(h) for h in header)
        missing = [c for c in self.required if norm(c) not in names]
        if missing:
            raise InvalidInput(
                f"{src.name} does not look like {self.filename} from the export: it has no "
                f"{', '.join(repr(m) for m in missing)} column. Expected the header: "
                f"{','.join(self.columns)}. Found: {','.join(h.strip() for h in header)[:200]}."
            )
        return names


def is_imdb(rows: list[list[str]]) -> bool:
    header = {norm(h) for h in (rows[0] if rows else [])}
    return {"const", "your rating"} <= header or {"const", "position"} <= header


# A file's header check: (the file, its first rows) -> its columns, normalised.
HeaderCheck = Callable[[Source, list[list[str]]], tuple[str, ...]]


def plan_file(
    src: Source,
    kind: str,
    check: HeaderCheck,
    encoding: tuple[str, str | None] | None = None,
    rows_needed: int = 1,
) -> PlannedFile:
    name, warning = encoding or detect_encoding(src)
    rows = first_rows(src, name, rows_needed)
    if not rows:
        raise InvalidInput(
            f"{src.name} is empty: it has no header and no rows. Export your data again; "
            "nothing was imported."
        )
    return PlannedFile(src, kind, name, check(src, rows), warning)


def warnings_for(files: list[PlannedFile]) -> list[str]:
    return [f.warning for f in files if f.warning]


def is_list_file(rows: list[list[str]]) -> bool:
    if not rows:
        return False
    first = [norm(f) for f in rows[0]]
    if first and first[0].startswith("letterboxd list export"):
        return True
    return {"name", "url", "description"} <= set(first) and "year" not in first
