"""Issue 14, "Unbreakable": exports and backups never clobber what is not a regular file and
are private; hostile files, numbers and text give one clear line, never a traceback; a failed
command changes nothing; a full disk, a busy database and a mistyped --db are explained."""

from __future__ import annotations

import csv
import io
import json
import os
import stat

import pytest

from conftest import db_snapshot


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
def library(run):
    ok(run("add", "Bleak Night"))
    ok(run("rate", "Bleak Night", "4"))


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
    finally:
        os.umask(old)
    written = [tmp_path / "e.json", tmp_path / "e.csv", tmp_path / "b.db"]
    written += list((tmp_path / "lb").iterdir())
    written += list(tmp_path.glob("kwatch-backup-*.db"))
    assert len(written) >= 5
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
