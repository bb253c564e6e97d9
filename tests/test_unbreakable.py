"""Issue 14, "Unbreakable": exports and backups never clobber what is not a regular file and
are private; hostile files, numbers and text give one clear line, never a traceback; a failed
command changes nothing; a full disk, a busy database and a mistyped --db are explained."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from conftest import built_once, db_snapshot, default_db_path


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def one_line_error(result, code: int | tuple[int, ...] = 1) -> str:
    codes = (code,) if isinstance(code, int) else code
    assert result.exit_code in codes, (result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


@pytest.fixture
def library(run, tmp_path):
    def build() -> None:
        ok(run("add", "Bleak Night"))
        ok(run("rate", "Bleak Night", "4"))

    built_once("test_unbreakable.library", default_db_path(tmp_path), build)


# ---------------------------------------------------------------------------------------------
# Export and backup files


@pytest.mark.parametrize("kind", ["fifo", "device", "trailing-slash", "missing-folder", "long"])
@pytest.mark.parametrize("command", ["export", "backup"])
def test_export_and_backup_never_replace_what_is_not_a_file(run, tmp_path, library, kind, command):
    if kind == "fifo":
        target = str(tmp_path / "pipe")
        os.mkfifo(target)
    elif kind == "device":
        # A device of our own (the null device's numbers), never the real /dev/null: a
        # regression must not replace the system's.
        target = str(tmp_path / "null")
        try:
            os.mknod(target, stat.S_IFCHR | 0o666, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("cannot make a device node here")
    elif kind == "trailing-slash":
        target = str(tmp_path / "no-such-folder") + "/"
    elif kind == "missing-folder":
        target = str(tmp_path / "nope" / "out.json")
    else:
        target = str(tmp_path / ("x" * 300 + ".json"))
    before = sorted(p.name for p in tmp_path.iterdir())
    args = ["export", "-o", target] if command == "export" else ["backup", target, "--force"]
    result = run(*args)
    assert result.stdout == ""
    one_line_error(result)
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temporary file left
    if kind == "fifo":
        assert stat.S_ISFIFO(os.lstat(target).st_mode)
    if kind == "device":
        assert stat.S_ISCHR(os.lstat(target).st_mode)


def test_export_dash_is_stdout_and_a_folder_gets_a_dated_name(run, tmp_path, library):
    assert json.loads(ok(run("export", "-o", "-")).stdout)["entries"]
    folder = tmp_path / "out"
    folder.mkdir()
    for given in (str(folder), str(folder) + "/"):
        doc = ok(run("export", "-o", given, "--json")).json()
        assert doc["files"] == [str(folder / "kwatch-export-2026-11-22.json")]
    doc = ok(run("export", "-f", "csv", "-o", str(folder), "--json")).json()
    assert doc["files"] == [str(folder / "kwatch-export-2026-11-22.csv")]
    assert sorted(p.name for p in folder.iterdir()) == [
        "kwatch-export-2026-11-22.csv",
        "kwatch-export-2026-11-22.json",
    ]


def test_export_and_backup_write_through_a_symlink(run, tmp_path, library):
    for command in ("export", "backup"):
        real = tmp_path / f"real-{command}"
        link = tmp_path / f"link-{command}"
        real.write_text("old")
        link.symlink_to(real)
        args = ["export", "-o", str(link)] if command == "export" else ["backup", str(link)]
        ok(run(*args, "--force") if command == "backup" else run(*args))
        assert link.is_symlink() and real.read_text(errors="replace") != "old"


def test_exports_and_backups_are_private_whatever_the_umask(run, tmp_path, db_path, library):
    os.chmod(db_path, 0o600)
    old = os.umask(0)
    try:
        ok(run("export", "-o", str(tmp_path / "e.json")))
        ok(run("export", "-f", "csv", "-o", str(tmp_path / "e.csv")))
        ok(run("export", "-f", "letterboxd", "-o", str(tmp_path / "lb")))
        ok(run("backup", str(tmp_path / "b.db")))
        ok(run("backup", str(tmp_path) + "/"))
        ok(run("backup"))
    finally:
        os.umask(old)
    written = [tmp_path / "e.json", tmp_path / "e.csv", tmp_path / "b.db"]
    written += list((tmp_path / "lb").iterdir())
    written += list(tmp_path.glob("kwatch-backup-*.db"))
    written += list(db_path.parent.glob("kwatch-backup-*.db"))
    assert len(written) >= 6
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_an_interrupted_backup_leaves_nothing_behind(tmp_path, conn):
    from kwatch.db import backup_to

    conn.execute("CREATE TABLE padding (x)")
    conn.executemany("INSERT INTO padding VALUES (?)", [(b"x" * 4000,)] * 200)

    class InterruptedMidway:
        def backup(self, dest):
            def stop(status, remaining, total):
                raise KeyboardInterrupt

            conn.backup(dest, pages=1, progress=stop)

    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "kept.db").write_text("earlier backup")
    with pytest.raises(KeyboardInterrupt):
        backup_to(InterruptedMidway(), folder / "new.db")  # type: ignore[arg-type]
    assert [p.name for p in folder.iterdir()] == ["kept.db"]
    assert (folder / "kept.db").read_text() == "earlier backup"


def test_an_interrupted_migration_backup_leaves_no_empty_bak(tmp_path, monkeypatch):
    from kwatch import db
    from kwatch.migrations import MIGRATION_NAMES

    path = tmp_path / "old" / "kwatch.db"
    path.parent.mkdir()
    db.open_database(path, stop_before=MIGRATION_NAMES[-1]).close()
    before = db_snapshot(path)

    def power_cut(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "fsync", power_cut)
    with pytest.raises(KeyboardInterrupt):
        db.open_database(path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["kwatch.db"]
    assert db_snapshot(path) == before


# ---------------------------------------------------------------------------------------------
# Text in files: calendars carry no raw control characters, CSV cells are never formulas

HOSTILE_TITLE = "Evil\x1b]52;c;ZWNobyBwd25lZA==\x07\x1b[31m Red\rtitle\x0b\x7f\x9b"


def test_the_calendar_carries_no_raw_control_characters(run, tmp_path):
    import icalendar
    import vobject

    added = ok(run("add", HOSTILE_TITLE, "--custom", "--year", "2026", "--json")).json()
    ok(run("release", added["id"], "2026-12-24", "--note", "Netflix\x1b[5m\x00x\x08"))
    target = tmp_path / "k.ics"
    ok(run("calendar", "-o", str(target)))
    data = target.read_bytes()
    allowed = {0x09, 0x0A, 0x0D}
    assert not [b for b in data if (b < 0x20 and b not in allowed) or b == 0x7F]
    assert all(line.endswith(b"\r") or not line for line in data.split(b"\n"))  # CRLF only
    text = data.decode("utf-8")
    assert not any(0x80 <= ord(ch) < 0xA0 for ch in text)
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert "Evil" in str(event["summary"]) and "\x1b" not in str(event["summary"])
    assert "\\x1b" in str(event["description"])  # shown as a visible escape, not dropped
    parsed = vobject.readOne(text)
    assert "\x1b" not in parsed.vevent.summary.value


FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


@pytest.mark.parametrize(
    "dangerous", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "\uff1d1+1", "\uff0b1"]
)
def test_csv_exports_never_start_a_cell_with_a_formula(run, tmp_path, dangerous):
    added = run(
        "add",
        "--custom",
        "--year",
        "2020",
        f"--tag={dangerous}",
        f"--note={dangerous}",
        "--json",
        "--",
        dangerous + " film",
    )
    stored = ok(added).json()["title"]  # stored as typed, less surrounding white space
    target = tmp_path / "e.csv"
    ok(run("export", "-f", "csv", "-o", str(target)))
    rows = list(csv.reader(io.StringIO(target.read_bytes().decode("utf-8"), newline="")))
    header, (row,) = rows[0], rows[1:]
    title = row[header.index("title")]
    assert title == ("'" + stored if stored.startswith(FORMULA) else stored)
    assert row[header.index("notes")] == "'" + dangerous
    assert not [cell for cell in row if cell.startswith(FORMULA)]


# ---------------------------------------------------------------------------------------------
# Inputs: one clear line, never a traceback

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--max-runtime", HUGE],
        ["pick", "--max-runtime", HUGE],
        ["search", "night", "--max-runtime", HUGE],
        ["list", "--year", HUGE],
        ["stats", "--year", HUGE],
        ["upcoming", "--days", HUGE],
        ["calendar", "--days", HUGE],
        ["remind", "--days", HUGE],
        ["upcoming", "--recent", HUGE],
        ["add", "New Film", "--custom", "--year", HUGE],
        ["add", "New Film", "--custom", "--year", "2020", "--runtime", HUGE],
        ["add", "New Film", "--custom", "--year", "0"],
        ["undo", HUGE],
        ["list", "--limit", "\u00b2"],
        ["watched", "Oasis", "--on", "\uff12\uff10\uff12\uff10-01-01"],
        ["watched", "Oasis", "--on", "0000-01-01"],
        ["watched", "Oasis", "--on", "0000"],
        ["add", "Oasis", "--note", "a\x00b", "--tag", "\x00"],
        ["search", "\x00"],
    ],
)
def test_hostile_numbers_and_dates_give_one_line(run, db_path, library, args):
    before = db_snapshot(db_path)
    result = run(*args)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if result.exit_code != 0:
        one_line_error(result, (1, 2))
        assert db_snapshot(db_path) == before


@pytest.mark.parametrize("args", [["search", HUGE, "--limit", HUGE], ["list", "--limit", HUGE]])
def test_a_limit_beyond_any_library_is_all_rows(run, library, args):
    ok(run(*args))


@pytest.mark.parametrize(
    "argv",
    [
        [b"search", b"\xff\xfe"],
        [b"add", b"Bl\xffeak"],
        [b"add", b"X\xed\xa0\x80", b"--custom", b"--year", b"2020"],
        [b"watched", b"Oasis", b"--note", b"\xc3"],
        [b"show", b"\xff", b"--json"],
    ],
)
def test_arguments_that_are_not_utf8_are_refused_in_one_line(tmp_path, argv):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "kwatch", *argv], capture_output=True, timeout=60
    )
    stderr = result.stderr.decode("utf-8", "replace")
    assert result.returncode == 2 and b"Traceback" not in result.stderr, stderr
    assert len(stderr.strip().splitlines()) == 1 and "UTF-8" in stderr


def test_a_file_name_may_be_any_bytes(tmp_path):
    import subprocess
    import sys

    target = os.fsencode(tmp_path) + b"/\xff.json"
    result = subprocess.run(
        [sys.executable, "-m", "kwatch", b"export", b"-o", target],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert os.path.exists(target)


@pytest.mark.parametrize("today", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["upcoming"],
        ["calendar"],
        ["remind"],
        ["stats"],
        ["pick"],
        ["watched", "Bleak Night"],
        ["add", "Oasis"],
        ["history"],
        ["export"],
    ],
)
def test_kwatch_today_at_the_ends_of_the_calendar(run, monkeypatch, library, today, args):
    monkeypatch.setenv("KWATCH_TODAY", today)
    result = run(*args)
    assert result.exit_code in (0, 1, 2)
    assert "Traceback" not in result.stdout + result.stderr
    if result.exit_code:
        one_line_error(result, (1, 2))


def test_a_deeply_nested_catalogue_file_is_skipped_with_a_warning(run, tmp_path, library):
    folder = tmp_path / "user-catalogue"
    folder.mkdir(exist_ok=True)
    (folder / "deep.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    (folder / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    result = ok(run("list"))
    assert "Bleak Night" in result.stdout
    assert "deep.toml" in result.stderr and "nested too deeply" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_deeply_nested_kwatch_export_is_refused(run, tmp_path, db_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    one_line_error(run("import", "kwatch", str(deep)), 2)


@pytest.mark.parametrize("kind", ["fifo", "device"])
@pytest.mark.parametrize("service", ["letterboxd", "imdb", "kwatch"])
def test_a_device_or_fifo_given_as_an_import_file_is_refused_without_reading(
    run, tmp_path, kind, service
):
    path = tmp_path / "export"
    if kind == "fifo":
        os.mkfifo(path)  # opening it would wait for a writer for ever
    else:
        path = Path("/dev/zero")  # reading it never ends; only read from, never written
    line = one_line_error(run("import", service, str(path)), 2)
    assert "not a regular file" in line


def test_unreadable_entries_in_an_import_folder_are_left_out(run, tmp_path, db_path):
    folder = tmp_path / "export"
    folder.mkdir()
    (folder / "watched.csv").write_text(
        "Date,Name,Year,Letterboxd URI\n2024-01-01,Bleak Night,2011,https://boxd.it/abc\n"
    )
    (folder / "diary.csv").symlink_to(tmp_path / "missing.csv")  # dangling
    os.mkfifo(folder / "ratings.csv")  # would hang if opened
    result = ok(run("import", "letterboxd", str(folder), "--json"))
    assert result.json()["added"] == 1


# ---------------------------------------------------------------------------------------------
# A command that fails changes nothing


def test_add_custom_that_fails_after_the_title_leaves_nothing(run, db_path, monkeypatch):
    import kwatch.library

    ok(run("add", "Bleak Night"))
    before = db_snapshot(db_path)

    def disk_full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(kwatch.library, "add", disk_full)
    result = run("add", "My Own Film", "--custom", "--year", "2024")
    one_line_error(result)
    assert db_snapshot(db_path) == before


# ---------------------------------------------------------------------------------------------
# Import limits: a hostile file fails fast, in little memory, naming the limit


def _zip_with(path: Path, name: str, chunk: bytes, count: int) -> Path:
    import zipfile

    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open(name, "w", force_zip64=True) as member,
    ):
        member.write(b"Date,Name,Year,Letterboxd URI\n")
        for _ in range(count):
            member.write(chunk)
    return path


def test_a_zip_bomb_is_refused_before_decompressing(run, tmp_path, db_path):
    import time

    # 200 MB of one repeated byte: one line, about 200 KB compressed.
    bomb = _zip_with(tmp_path / "bomb.zip", "watched.csv", b"a" * (1 << 20), 200)
    assert bomb.stat().st_size < 2 << 20
    before = db_snapshot(db_path)
    started = time.process_time()
    line = one_line_error(run("import", "letterboxd", str(bomb)), 2)
    assert time.process_time() - started < 1.0
    assert "200 times" in line and "watched.csv" in line
    assert db_snapshot(db_path) == before


def test_a_zip_over_the_size_limit_is_refused(run, tmp_path, monkeypatch):
    from kwatch.transfer import sources

    monkeypatch.setattr(sources, "MAX_MEMBER_BYTES", 1 << 20)
    big = _zip_with(tmp_path / "big.zip", "watched.csv", os.urandom(1 << 16).hex().encode(), 20)
    line = one_line_error(run("import", "letterboxd", str(big)), 2)
    assert f"{1 << 20:,} bytes" in line


@pytest.mark.parametrize("container", ["file", "zip"])
def test_a_line_over_the_limit_fails_fast_naming_it(run, tmp_path, monkeypatch, container):
    import tracemalloc

    from kwatch.transfer import sources

    monkeypatch.setattr(sources, "MAX_LINE_BYTES", 1 << 20)
    # 8 MB in one line that compresses only 2 times (hex of random bytes): no ratio limit.
    line_chunk = os.urandom(1 << 15).hex().encode()
    if container == "zip":
        path = _zip_with(tmp_path / "long.zip", "diary.csv", line_chunk, 128)
    else:
        path = tmp_path / "diary.csv"
        path.write_bytes(b"Date,Name,Year,Letterboxd URI\n" + line_chunk * 128)
    tracemalloc.start()
    try:
        line = one_line_error(run("import", "letterboxd", str(path)), 2)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert f"{1 << 20:,} bytes" in line and "line" in line
    assert peak < 6 << 20  # never the whole 8 MB line


# ---------------------------------------------------------------------------------------------
# A full disk


@pytest.fixture
def small_disk(tmp_path, library):
    """A tiny tmpfs holding a copy of the test's database with 300 KB to spare."""
    import shutil
    import subprocess

    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    source = default_db_path(tmp_path)
    mount = tmp_path / "small"
    mount.mkdir()
    size_kb = source.stat().st_size // 1024 + 300
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(mount)],
        capture_output=True,
    )
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.decode(errors='replace')}")
    try:
        shutil.copyfile(source, mount / "kwatch.db")
        yield mount
    finally:
        # Lazily: the in-process run may still hold the database open.
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _many_rows(path: Path, count: int = 2_000) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Date", "Name", "Year", "Letterboxd URI"])
        for i in range(count):
            writer.writerow(
                ["2024-01-01", f"Film {i} " + "x" * 500, 2000 + i % 20, f"https://boxd.it/x{i}"]
            )
    return path


def test_a_full_disk_says_so_and_leaves_no_hot_journal(run, tmp_path, library, small_disk):
    database = small_disk / "kwatch.db"
    before = db_snapshot(database)
    size = database.stat().st_size
    rows = _many_rows(tmp_path / "watched.csv")
    result = run("--db", str(database), "import", "letterboxd", str(rows))
    line = one_line_error(result)
    assert "disk full" in line and str(database) in line
    assert "no transaction is active" not in line
    assert sorted(p.name for p in small_disk.iterdir()) == ["kwatch.db"]  # no journal left
    assert database.stat().st_size == size
    assert db_snapshot(database) == before


def test_an_export_to_a_full_disk_says_so(run, tmp_path, library, small_disk):
    filler = small_disk / "filler"
    with filler.open("wb") as fh, pytest.raises(OSError):
        while True:
            fh.write(b"\0" * 65536)
            fh.flush()
    target = small_disk / "export.json"
    line = one_line_error(run("export", "-o", str(target)))
    assert "disk is full" in line and str(target) in line
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "kwatch.db"]


# ---------------------------------------------------------------------------------------------
# Busy writers


def test_writers_that_wait_past_the_busy_timeout_retry_instead_of_failing(tmp_path):
    import threading
    import time

    from kwatch.db import transaction

    path = tmp_path / "busy.db"
    setup = sqlite3.connect(path)
    setup.execute("CREATE TABLE t (who TEXT)")
    setup.commit()
    setup.close()
    busy_timeout = 0.02  # one attempt waits far less than another writer holds the lock
    errors: list[BaseException] = []

    def holder() -> None:
        conn = sqlite3.connect(path, isolation_level=None, timeout=5)
        for _ in range(4):
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO t VALUES ('holder')")
            time.sleep(0.08)
            conn.execute("COMMIT")
        conn.close()

    def writer(n: int) -> None:
        conn = sqlite3.connect(
            path, isolation_level=None, timeout=busy_timeout, check_same_thread=False
        )
        try:
            with transaction(conn):
                conn.execute("INSERT INTO t VALUES (?)", (f"writer {n}",))
        except BaseException as exc:
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=holder) for _ in range(2)]
    threads += [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    check = sqlite3.connect(path)
    rows = [r[0] for r in check.execute("SELECT who FROM t")]
    check.close()
    assert rows.count("holder") == 8 and sorted(r for r in rows if r != "holder") == [
        f"writer {n}" for n in range(6)
    ]


def test_a_writer_that_never_gets_the_lock_says_which_file_is_busy(tmp_path, monkeypatch):
    from kwatch import db

    monkeypatch.setattr(db, "WRITE_WAIT_S", 0.2)
    path = tmp_path / "held.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN IMMEDIATE")
    conn = sqlite3.connect(path, isolation_level=None, timeout=0.01)
    try:
        with pytest.raises(sqlite3.OperationalError) as caught, db.transaction(conn):
            pass
        message = db.explain_sqlite_error(path, caught.value).message
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        conn.close()
    assert str(path) in message and "busy" in message


# ---------------------------------------------------------------------------------------------
# A mistyped --db or KWATCH_DB


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["show", "Oasis"],
        ["stats"],
        ["search", "night"],
        ["history"],
        ["export"],
        ["upcoming"],
        ["pick"],
        ["calendar"],
        ["catalogue", "list"],
    ],
)
@pytest.mark.parametrize("how", ["option", "environment"])
def test_a_mistyped_database_for_reading_creates_nothing(run, tmp_path, monkeypatch, args, how):
    typo = tmp_path / "no-such-folder" / "kwatch.bd"
    if how == "option":
        result = run("--db", str(typo), *args)
    else:
        monkeypatch.setenv("KWATCH_DB", str(typo))
        result = run(*args)
    line = one_line_error(result)
    assert f"no database at {typo}" in line and "kwatch add" in line
    assert not typo.parent.exists()


def test_a_first_read_of_the_default_database_is_an_empty_library(run, db_path):
    assert not db_path.exists()
    assert "library is empty" in ok(run("list")).stdout + ok(run("list")).stderr


def test_a_write_creates_the_database_given(run, tmp_path):
    new = tmp_path / "new" / "kwatch.db"
    ok(run("--db", str(new), "add", "Oasis"))
    assert "Oasis" in ok(run("--db", str(new), "list")).stdout


# ---------------------------------------------------------------------------------------------
# What the fuzz test found


@pytest.mark.parametrize(
    "args",
    [
        ["import", "kwatch", "a\x00b"],
        ["catalogue", "validate", "\ud800"],
        ["import", "imdb", "x" * 5000],
        ["export", "-o", "a\x00b"],
    ],
)
def test_file_names_no_system_accepts_give_one_line(run, args):
    one_line_error(run(*args), (1, 2))


def test_a_list_name_with_escapes_is_shown_harmlessly(run):
    result = ok(run("lists", "create", "\x1b]52;c;aGk=\x07[/bold]"))
    assert "\x1b" not in result.stdout + result.stderr
    assert "\\x1b" in result.stdout + result.stderr


def test_a_json_export_file_escapes_controls_as_stdout_does(run, tmp_path):
    """`export -o FILE` writes the same document as `export` on stdout: DEL, C1 controls and
    bidi overrides as \\u escapes (the same JSON values), so `cat FILE` is harmless."""
    import json

    added = ok(run("add", HOSTILE_TITLE + " \u202eflip", "--custom", "--year", "2026", "--json"))
    target = tmp_path / "export.json"
    ok(run("export", "--format", "json", "-o", str(target)))
    raw = target.read_text(encoding="utf-8")
    assert "\x7f" not in raw and "\x9b" not in raw and "\u202e" not in raw
    assert "\\u009b" in raw and "\\u202e" in raw
    document = json.loads(raw)
    titles = {t["id"]: t["title"] for t in document["titles"]}
    assert titles[added.json()["id"]] == (HOSTILE_TITLE + " \u202eflip").strip()
    assert raw.rstrip("\n") == ok(run("export", "--format", "json")).stdout.rstrip("\n")
