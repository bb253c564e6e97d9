"""Files kwatch writes never clobber what is not a regular file; the database and backups are
private; a database from a newer kwatch is refused before anything is written; `doctor`."""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from conftest import db_snapshot, drain_pty, validate_json


def ok(result):
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


@pytest.fixture
def some_release(run):
    ok(run("add", "Bleak Night"))
    ok(run("release", "Bleak Night", "2026-12-24", "--type", "streaming"))


@pytest.mark.parametrize("kind", ["fifo", "folder", "trailing-slash", "missing-folder", "long"])
def test_calendar_output_is_never_written_over_what_is_not_a_file(
    run, tmp_path, some_release, kind
):
    if kind == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)
    elif kind == "folder":
        target = tmp_path / "a-folder"
        target.mkdir()
    elif kind == "trailing-slash":
        target = Path(str(tmp_path / "x") + "/")
    elif kind == "missing-folder":
        target = tmp_path / "nope" / "k.ics"
    else:
        target = tmp_path / ("x" * 300 + ".ics")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run("calendar", "-o", str(target) + ("/" if kind == "trailing-slash" else ""))
    assert result.exit_code == 1 and result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no temporary file left
    if kind == "fifo":
        assert stat.S_ISFIFO(target.lstat().st_mode)


def test_a_device_is_never_replaced(run, tmp_path, some_release):
    # A device of our own with the null device's numbers: a regression run as root must not
    # replace the system's /dev/null (a main-branch run of such a test once did).
    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except PermissionError:
        device = Path("/dev/null")
    result = run("calendar", "-o", str(device))
    assert result.exit_code == 1 and "not a regular file" in result.stderr
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_a_symlink_is_followed_and_kept(run, tmp_path, some_release):
    real = tmp_path / "real.ics"
    link = tmp_path / "link.ics"
    link.symlink_to(real)
    ok(run("calendar", "-o", str(link)))
    assert link.is_symlink() and real.read_bytes().startswith(b"BEGIN:VCALENDAR")


def test_dash_is_standard_output(run, some_release):
    assert ok(run("calendar", "-o", "-")).stdout.startswith("BEGIN:VCALENDAR")


def test_a_full_disk_says_so_and_leaves_the_old_file(tmp_path, monkeypatch):
    from kwatch.errors import KwatchError
    from kwatch.files import write_file

    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "export.json"
    target.write_text("old")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(KwatchError, match="the disk is full"):
        write_file(target, b"new")
    assert target.read_text() == "old"
    assert [p.name for p in folder.iterdir()] == ["export.json"]


def test_private_files_are_0600_whatever_the_umask(tmp_path):
    from kwatch.files import write_file

    old = os.umask(0)
    try:
        path = write_file(tmp_path / "history.json", b"{}")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_new_database_is_private(run, db_path):
    old = os.umask(0)
    try:
        ok(run("add", "Oasis"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_a_database_from_a_newer_kwatch_is_refused_before_anything_is_written(run, db_path):
    ok(run("add", "Oasis"))
    conn = sqlite3.connect(db_path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('kwatch', 'm099_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    before = db_snapshot(db_path)
    result = run("add", "Burning")
    assert result.exit_code == 1 and "newer kwatch" in result.stderr
    assert str(db_path) in result.stderr
    assert db_snapshot(db_path) == before
    doctor = run("doctor", "--json")
    assert doctor.exit_code == 1
    checks = {c["name"]: c for c in json.loads(doctor.stdout)["checks"]}
    assert checks["schema"]["status"] == "problem" and "upgrade" in checks["schema"]["fix"]


def test_doctor_reports_and_creates_nothing(run, db_path, tmp_path):

    from kwatch import schemas

    result = ok(run("doctor", "--json"))
    assert not db_path.exists()
    validate_json(result.json(), schemas.schema_for("doctor"))
    ok(run("add", "Oasis"))
    (db_path.parent / ".export.json.abc.tmp").write_text("")
    doc = ok(run("doctor", "--json")).json()
    by_name = {c["name"]: c for c in doc["checks"]}
    assert doc["ok"] is True
    assert by_name["integrity"]["status"] == "ok" and by_name["schema"]["status"] == "ok"
    assert by_name["stray files"]["status"] == "warning"
    assert ".export.json.abc.tmp" in by_name["stray files"]["detail"]
    assert by_name["catalogue"]["status"] == "ok"
    assert ok(run("doctor")).stdout.startswith("Check")


def test_doctor_finds_a_damaged_database(run, db_path):
    ok(run("add", "Oasis"))
    data = bytearray(db_path.read_bytes())
    data[5000:9000] = b"\xff" * 4000
    db_path.write_bytes(bytes(data))
    result = run("doctor", "--json")
    assert result.exit_code == 1
    checks = {c["name"]: c for c in json.loads(result.stdout)["checks"]}
    assert checks["integrity"]["status"] == "problem"


def test_escape_sequences_in_user_text_never_reach_a_real_terminal(tmp_path):
    """A title carrying an OSC 52 clipboard write, a BEL and rich markup, shown by add, show,
    list and history on a real pseudo-terminal: visible escapes, never the raw bytes."""
    import pty
    import subprocess
    import sys

    env = {
        **os.environ,
        "KWATCH_DB": str(tmp_path / "k.db"),
        "KWATCH_CATALOGUE_DIR": str(tmp_path / "cat"),
        "COLUMNS": "120",
    }
    env.pop("NO_COLOR", None)
    hostile = "Evil \x1b]52;c;aGk=\x07[/bold] \u202eflip"
    seen = b""
    for args in (
        ["add", hostile, "--custom", "--year", "2020"],
        ["list"],
        ["history"],
        ["show", "evil-52-c-agk-bold-flip-2020"],
    ):
        leader, follower = pty.openpty()
        done = subprocess.run(
            [sys.executable, "-m", "kwatch", *args],
            stdout=follower,
            stderr=follower,
            env=env,
            timeout=60,
            check=False,
        )
        os.close(follower)
        out = drain_pty(leader)
        assert done.returncode == 0, out[-1000:]
        seen += out
    assert b"\x1b]" not in seen and b"\x07" not in seen
    assert "\u202e".encode() not in seen
    assert b"\\x1b]52" in seen
