"""Sync between machines (kwatch/sync/): each rule on its own, the files a sync tool leaves
behind, the CLI's failures, and a property test with several simulated devices that must all
end with the same data whatever the order they synced in."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import validate_json
from kwatch import journal, schemas
from kwatch.errors import KwatchError, SyncError
from kwatch.sync import engine
from kwatch.sync.records import (
    LOCALLY_NUMBERED,
    TABLE_KEYS,
    USER_ROWS,
    hlc_parse,
    hlc_text,
    next_hlc,
)

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
TODAY = date(2026, 12, 1)
TITLES = ("bleak-night-2011", "oasis-2002", "poetry-2010")
TAGS = ("friday", "cinema")
STATUSES = ("planned", "watching", "on-hold", "dropped", "completed")


class Device:
    """One machine: its own database file, the shared folder."""

    def __init__(self, path: Path, folder: Path):
        from kwatch import db
        from kwatch.catalogue import sync_catalogue

        self.path = path
        self.folder = folder
        self.conn = db.open_database(path)
        sync_catalogue(self.conn)

    def title(self, title_id: str):
        from kwatch.titles import get_title

        return get_title(self.conn, title_id)

    def do(self, command: str, fn, *args, at: datetime = NOW, **kwargs):
        """Run one library function as one journaled command, as the CLI does."""
        journal.begin(self.conn, command, command, now=at)
        try:
            return fn(self.conn, *args, **kwargs)
        finally:
            journal.end(self.conn)

    def add(self, title_id: str, **kwargs):
        from kwatch.library.entries import add

        return self.do("add", add, self.title(title_id), today=TODAY, **kwargs)

    def watched(self, title_id: str, rating: int | None = None):
        from kwatch.library.entries import log_viewing

        return self.do("watched", log_viewing, self.title(title_id), today=TODAY, rating=rating)

    def rate(self, title_id: str, rating: int):
        from kwatch.library.entries import rate

        return self.do("rate", rate, self.title(title_id), rating, today=TODAY)

    def status(self, title_id: str, status: str):
        from kwatch.library.entries import set_status

        return self.do("status", set_status, self.title(title_id), status, today=TODAY)

    def untag(self, title_id: str, tag: str, at: datetime = NOW):
        from kwatch.db import transaction

        def delete(conn):
            with transaction(conn):
                conn.execute(
                    "DELETE FROM entry_tags WHERE title_id = ? AND tag = ?", (title_id, tag)
                )

        return self.do("untag", delete, at=at)

    def remove(self, title_id: str):
        from kwatch.library.entries import remove

        return self.do("remove", remove, self.title(title_id))

    def undo(self):
        op = journal.last_undoable(self.conn)[0]
        return journal.revert(self.conn, op, now=NOW)

    def sync(self, at: datetime = NOW) -> engine.SyncReport:
        return engine.sync(self.conn, self.folder, now=at)

    def dump(self) -> list:
        """The user's data as every machine must agree on it: every record of every user
        table, without local numbers, in a fixed order."""
        out = []
        for table in TABLE_KEYS:
            where = ""
            if table in USER_ROWS:
                column, value = USER_ROWS[table]
                where = f" WHERE {column} = '{value}'"
            rows = []
            for row in self.conn.execute(f"SELECT * FROM {table}{where}"):
                image = dict(zip(row.keys(), tuple(row), strict=True))
                if table in LOCALLY_NUMBERED:
                    image.pop("id")
                rows.append(json.dumps(image, sort_keys=True))
            out.append((table, sorted(rows)))
        return out

    def entry(self, title_id: str):
        return self.conn.execute("SELECT * FROM entries WHERE title_id = ?", (title_id,)).fetchone()

    def tags(self, title_id: str) -> set[str]:
        rows = self.conn.execute("SELECT tag FROM entry_tags WHERE title_id = ?", (title_id,))
        return {r[0] for r in rows}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "Sync"
    path.mkdir()
    return path


@pytest.fixture
def devices(tmp_path: Path, folder: Path):
    made: list[Device] = []

    def make(count: int = 2) -> list[Device]:
        for _ in range(count):
            made.append(Device(tmp_path / f"device{len(made)}.db", folder))
        return made[-count:]

    yield make
    for device in made:
        device.conn.close()


def sync_all(*devices: Device, rounds: int = 2) -> None:
    for _ in range(rounds):
        for device in devices:
            device.sync()


# --- the clock -----------------------------------------------------------------------------------


def test_the_clock_moves_past_everything_it_has_seen():
    later = next_hlc(0, 1_000)
    assert later == 1_000 << 16
    # A clock days behind still orders its next change after what it has read.
    seen = next_hlc(0, 9_000_000_000)
    assert next_hlc(seen, 1_000) == seen + 1
    assert hlc_parse(hlc_text(seen + 5)) == seen + 5
    for bad in ("", "12", "a.b", "1.999999", 12):
        with pytest.raises(ValueError):
            hlc_parse(bad)


def test_a_device_with_a_clock_days_behind_still_wins_with_its_later_change(devices):
    a, b = devices(2)
    a.add("oasis-2002")
    a.sync(datetime(2027, 1, 10, tzinfo=UTC))  # a's clock is weeks ahead
    b.sync()
    b.rate("oasis-2002", 6)  # made after b saw a's change, on a clock weeks behind
    b.sync()
    a.sync()
    assert a.entry("oasis-2002")["rating"] == b.entry("oasis-2002")["rating"] == 6


# --- stable ids ----------------------------------------------------------------------------------


def test_every_locally_numbered_record_has_a_stable_id(conn):
    for table in ("viewings", "entry_notes", "status_history", "reviews"):
        columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        assert columns[-1] == "uid"
        indexes = [r[1] for r in conn.execute(f"PRAGMA index_list({table})")]
        assert f"{table}_uid" in indexes


def test_existing_rows_get_stable_ids_when_migrating(tmp_path):
    from kwatch.db import open_database

    path = tmp_path / "old.db"
    old = open_database(path, stop_before="m008_stable_ids_and_sync")
    old.execute(
        "INSERT INTO viewings (title_id, date, precision, created_on, import_key)"
        " VALUES ('oasis-2002', '2020-01-01', 'day', '2020-01-01', 'letterboxd:x')"
    )
    old.execute(
        "INSERT INTO viewings (title_id, date, precision, created_on)"
        " VALUES ('oasis-2002', '2021-01-01', 'day', '2021-01-01')"
    )
    old.close()
    new = open_database(path)
    rows = new.execute("SELECT id, uid FROM viewings ORDER BY id").fetchall()
    assert [r[0] for r in rows] == [1, 2]  # the journal's local numbers are kept
    assert rows[0][1] == "import:letterboxd:x"
    assert len(rows[1][1]) == 32
    new.close()


def test_undo_and_redo_bring_back_the_same_stable_id(devices):
    (a,) = devices(1)
    a.watched("oasis-2002")
    uid = a.conn.execute("SELECT uid FROM viewings").fetchone()[0]
    a.undo()
    assert a.conn.execute("SELECT count(*) FROM viewings").fetchone()[0] == 0
    journal.revert(a.conn, journal.last_redoable(a.conn), now=NOW)
    assert a.conn.execute("SELECT uid FROM viewings").fetchone()[0] == uid


def test_the_same_import_on_two_machines_gives_the_same_records(devices):
    from kwatch.db import transaction
    from kwatch.library.bulk import add_viewings

    a, b = devices(2)
    row = ("oasis-2002", "2020-05-01", "day", 8, None, 0, "2026-12-01", "letterboxd:diary:1")

    def import_one(conn):
        with transaction(conn):
            add_viewings(conn, [row])

    for device in (a, b):
        device.do("import", import_one)
    sync_all(a, b)
    assert a.conn.execute("SELECT count(*) FROM viewings").fetchone()[0] == 1
    assert a.dump() == b.dump()


# --- the rules -----------------------------------------------------------------------------------


def test_viewings_from_two_devices_are_both_kept(devices):
    a, b = devices(2)
    a.watched("oasis-2002", rating=8)
    b.watched("oasis-2002", rating=6)
    sync_all(a, b)
    assert a.conn.execute("SELECT count(*) FROM viewings").fetchone()[0] == 2
    assert a.dump() == b.dump()


def test_a_rating_set_on_both_is_decided_the_same_way_and_the_loser_stays_in_history(devices):
    a, b = devices(2)
    a.add("oasis-2002")
    sync_all(a, b)
    a.rate("oasis-2002", 4)
    b.rate("oasis-2002", 9)
    sync_all(a, b)
    assert a.entry("oasis-2002")["rating"] == b.entry("oasis-2002")["rating"]
    assert a.dump() == b.dump()
    # The losing value is in the journal of the sync that replaced it (and in the files).
    loser_device = a if a.entry("oasis-2002")["rating"] == 9 else b
    olds = [
        json.loads(r[0])
        for r in loser_device.conn.execute(
            "SELECT old FROM journal_changes WHERE tbl = 'entries' AND old IS NOT NULL"
        )
    ]
    assert {o["rating"] for o in olds} & {4, 9}


def test_status_set_on_both_keeps_both_in_status_history(devices):
    a, b = devices(2)
    a.add("oasis-2002")
    sync_all(a, b)
    a.status("oasis-2002", "watching")
    b.status("oasis-2002", "dropped")
    sync_all(a, b)
    statuses = {
        r[0] for r in a.conn.execute("SELECT status FROM status_history WHERE title_id = ?",
                                     ("oasis-2002",))
    }  # fmt: skip
    assert {"planned", "watching", "dropped"} <= statuses
    assert a.entry("oasis-2002")["status"] == b.entry("oasis-2002")["status"]
    assert a.dump() == b.dump()


def test_columns_changed_on_different_devices_both_stay(devices):
    a, b = devices(2)
    a.add("oasis-2002")
    sync_all(a, b)
    a.rate("oasis-2002", 7)
    b.add("oasis-2002", priority=5)
    sync_all(a, b)
    entry = a.entry("oasis-2002")
    assert (entry["rating"], entry["priority"]) == (7, 5)
    assert a.dump() == b.dump()


def test_a_tag_added_while_another_device_removes_it_stays(devices):
    a, b = devices(2)
    a.add("oasis-2002", tags=["friday"])
    sync_all(a, b)
    b.untag("oasis-2002", "friday")
    b.add("oasis-2002", tags=["friday"])  # re-added on b, not seen by a's removal...
    a.untag("oasis-2002", "friday", at=datetime(2026, 12, 5, tzinfo=UTC))  # ...though later
    sync_all(a, b)
    assert a.tags("oasis-2002") == b.tags("oasis-2002") == {"friday"}


def test_a_tag_removed_after_being_seen_is_removed_everywhere(devices):
    a, b = devices(2)
    a.add("oasis-2002", tags=["friday"])
    sync_all(a, b)
    b.untag("oasis-2002", "friday")
    sync_all(a, b)
    assert a.tags("oasis-2002") == b.tags("oasis-2002") == set()


def test_a_removal_and_a_concurrent_viewing_end_the_same_everywhere(devices):
    a, b = devices(2)
    a.add("oasis-2002", tags=["friday"])
    sync_all(a, b)
    a.remove("oasis-2002")
    b.watched("oasis-2002")
    sync_all(a, b)
    assert a.dump() == b.dump()
    # What b recorded meanwhile keeps the title in the library; what a removed stays removed.
    assert a.entry("oasis-2002") is not None
    assert a.conn.execute("SELECT count(*) FROM viewings").fetchone()[0] == 1
    assert a.tags("oasis-2002") == set()


def test_a_removal_seen_by_everyone_removes_everywhere(devices):
    a, b = devices(2)
    a.watched("oasis-2002")
    sync_all(a, b)
    b.remove("oasis-2002")
    sync_all(a, b)
    assert a.entry("oasis-2002") is None
    assert a.conn.execute("SELECT count(*) FROM viewings").fetchone()[0] == 0
    assert a.dump() == b.dump()


def test_undo_syncs_as_a_change(devices):
    a, b = devices(2)
    a.watched("oasis-2002")
    sync_all(a, b)
    a.undo()
    sync_all(a, b)
    assert b.entry("oasis-2002") is None
    assert a.dump() == b.dump()


def test_undo_undoes_a_sync_and_that_syncs_too(devices):
    a, b = devices(2)
    a.add("oasis-2002")
    a.sync()
    b.add("poetry-2010")
    b.sync()  # brings oasis to b
    assert b.entry("oasis-2002") is not None
    last = journal.history(b.conn, limit=1)[0]
    assert last.command == "sync"
    b.undo()
    assert b.entry("oasis-2002") is None
    sync_all(a, b)
    assert a.entry("oasis-2002") is None
    assert a.dump() == b.dump()


def test_applied_changes_are_not_written_back_out(devices, folder):
    a, b = devices(2)
    a.add("oasis-2002")
    sync_all(a, b)
    report = b.sync()
    assert report.exported == 0 and report.new == 0 and report.applied == 0
    own = folder / "kwatch-sync" / "v1" / "devices" / engine.device_id(b.conn)
    assert not list(own.glob("*.jsonl"))  # b only ever exported its empty library


def test_a_change_delivered_twice_counts_once(devices, folder):
    a, b = devices(2)
    a.watched("oasis-2002")
    a.sync()
    own = folder / "kwatch-sync" / "v1" / "devices" / engine.device_id(a.conn)
    chunk = next(own.glob("*.jsonl"))
    shutil.copy(chunk, own / f"{chunk.stem} (conflicted copy 2026-12-01).jsonl")
    shutil.copy(chunk, own / f"{chunk.stem}.sync-conflict-20261201-101010-ABCDEFG.jsonl")
    report = b.sync()
    assert report.read == 3 * report.new
    assert b.conn.execute("SELECT count(*) FROM viewings").fetchone()[0] == 1
    assert b.sync().read == 0


def test_a_file_cut_off_mid_write_is_read_on_when_it_is_complete(devices, folder):
    a, b = devices(2)
    a.watched("oasis-2002")
    a.add("poetry-2010", tags=["friday"])
    a.sync()
    own = folder / "kwatch-sync" / "v1" / "devices" / engine.device_id(a.conn)
    chunk = next(own.glob("*.jsonl"))
    whole = chunk.read_bytes()
    cut = whole.index(b"\n", len(whole) // 2) + 10  # mid-line
    chunk.write_bytes(whole[:cut])
    first = b.sync()
    assert first.skipped_lines == 0 and 0 < first.read < whole.count(b"\n")
    chunk.write_bytes(whole)
    second = b.sync()
    assert first.read + second.read == whole.count(b"\n")
    assert a.dump() == b.dump()


def test_corrupt_lines_are_skipped_and_counted(devices, folder):
    a, b = devices(2)
    a.add("oasis-2002")
    a.sync()
    own = folder / "kwatch-sync" / "v1" / "devices" / engine.device_id(a.conn)
    bad = [
        b"not json",
        b"[1, 2]",
        b'{"v": 1, "table": "nope"}',
        b'{"v": 1, "hlc": "x", "device": "d", "table": "entries", "kind": "put"}',
        json.dumps(
            {
                "v": 1,
                "hlc": "0000000000001.00000",
                "device": "d",
                "op": None,
                "table": "entries",
                "key": {"title_id": "x"},
                "kind": "put",
                "row": {"title_id": "y", "added_on": "2020-01-01", "status": "planned"},
            }
        ).encode(),
        "\udcff".encode("utf-8", "surrogateescape"),
    ]
    (own / "000099.jsonl").write_bytes(b"\n".join(bad) + b"\n")
    report = b.sync()
    assert report.skipped_lines == len(bad)
    assert any("skipped 6 unreadable lines" in w for w in report.warnings)
    assert b.entry("oasis-2002") is not None


def test_a_newer_format_is_refused_and_nothing_changes(devices, folder):
    from conftest import db_snapshot

    a, b = devices(2)
    a.add("oasis-2002")
    a.sync()
    b.add("poetry-2010")
    (folder / "kwatch-sync" / "format.json").write_text('{"version": 2}')
    before = db_snapshot(b.path)
    with pytest.raises(SyncError) as caught:
        b.sync()
    assert caught.value.code == "sync_newer_format"
    assert db_snapshot(b.path) == before


def test_a_newer_line_is_refused(devices, folder):
    a, b = devices(2)
    a.add("oasis-2002")
    a.sync()
    own = folder / "kwatch-sync" / "v1" / "devices" / engine.device_id(a.conn)
    (own / "000002.jsonl").write_text('{"v": 2}\n')
    with pytest.raises(SyncError, match="newer kwatch"):
        b.sync()
    assert b.entry("oasis-2002") is None


def test_chunks_are_never_rewritten(devices, folder):
    a, _ = devices(2)
    a.add("oasis-2002")
    a.sync()
    a.add("poetry-2010")
    a.sync()
    own = folder / "kwatch-sync" / "v1" / "devices" / engine.device_id(a.conn)
    assert sorted(p.name for p in own.iterdir()) == ["000001.jsonl", "000002.jsonl"]


def test_a_device_that_comes_back_after_months_catches_up(devices):
    a, b, c = devices(3)
    a.add("oasis-2002")
    sync_all(a, b, c)
    for month in range(1, 7):
        a.rate("oasis-2002", month)
        a.sync(datetime(2027, month, 1, tzinfo=UTC))
        b.sync(datetime(2027, month, 2, tzinfo=UTC))
    c.sync()
    assert c.entry("oasis-2002")["rating"] == 6
    assert a.dump() == b.dump() == c.dump()


def test_status_reports_devices_and_what_waits(devices, folder):
    a, b = devices(2)
    a.add("oasis-2002")
    a.sync()
    a.add("poetry-2010")
    result = engine.status(b.conn, folder)
    assert result.pending_remote == 2 and result.device is None
    b.sync()
    mine = engine.status(a.conn, folder)
    assert mine.pending_local > 0
    assert {d.this_device for d in mine.devices} == {True, False}
    assert engine.status(b.conn, folder).pending_remote == 0


# --- property: any order, same result ------------------------------------------------------------

ACTIONS = st.one_of(
    st.tuples(st.just("add"), st.sampled_from(TITLES), st.sampled_from(TAGS)),
    st.tuples(st.just("watched"), st.sampled_from(TITLES), st.integers(1, 10)),
    st.tuples(st.just("rate"), st.sampled_from(TITLES), st.integers(1, 10)),
    st.tuples(st.just("status"), st.sampled_from(TITLES), st.sampled_from(STATUSES)),
    st.tuples(st.just("untag"), st.sampled_from(TITLES), st.sampled_from(TAGS)),
    st.tuples(st.just("remove"), st.sampled_from(TITLES), st.just(0)),
    st.tuples(st.just("undo"), st.just(""), st.just(0)),
    st.tuples(st.just("sync"), st.just(""), st.just(0)),
    st.tuples(st.just("duplicate"), st.just(""), st.just(0)),
    st.tuples(st.just("truncate"), st.just(""), st.integers(1, 200)),
)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    count=st.integers(3, 5),
    steps=st.lists(st.tuples(st.integers(0, 4), ACTIONS), min_size=4, max_size=30),
)
def test_every_device_ends_with_the_same_data(tmp_path_factory, count, steps):
    base = tmp_path_factory.mktemp("sync")
    folder = base / "Sync"
    folder.mkdir()
    devs = [Device(base / f"d{i}.db", folder) for i in range(count)]
    cut_files: dict[Path, bytes] = {}
    try:
        for who, (action, title, value) in steps:
            device = devs[who % count]
            try:
                if action == "add":
                    device.add(title, tags=[value])
                elif action == "watched":
                    device.watched(title, rating=value)
                elif action == "rate":
                    device.rate(title, value)
                elif action == "status":
                    device.status(title, value)
                elif action == "untag":
                    device.untag(title, value)
                elif action == "remove":
                    device.remove(title)
                elif action == "undo":
                    device.undo()
                elif action == "sync":
                    device.sync()
                elif action == "duplicate":
                    for chunk in sorted(folder.rglob("*.jsonl"))[-1:]:
                        shutil.copy(chunk, chunk.with_name(f"{chunk.stem} (conflicted copy).jsonl"))
                elif action == "truncate":
                    # A sync tool delivering a file half-way: cut it, heal it later.
                    for chunk in sorted(folder.rglob("0*.jsonl"))[-1:]:
                        whole = cut_files.setdefault(chunk, chunk.read_bytes())
                        chunk.write_bytes(whole[: len(whole) * value // 200])
            except KwatchError:
                pass  # refused (nothing to undo, already that status...): nothing changed
        for chunk, whole in cut_files.items():
            chunk.write_bytes(whole)
        # Recorded anywhere and never deleted by anyone (a removal, an undo): kept everywhere.
        created, deleted = set(), set()
        for device in devs:
            for old, new in device.conn.execute(
                "SELECT c.old, c.new FROM journal_changes c JOIN journal_ops o ON o.id = c.op_id"
                " WHERE c.tbl = 'viewings' AND o.command != 'sync'"
            ):
                if new and not old:
                    created.add(json.loads(new)["uid"])
                if old and not new:
                    deleted.add(json.loads(old)["uid"])
        sync_all(*devs)
        dumps = [d.dump() for d in devs]
        assert all(dump == dumps[0] for dump in dumps[1:])
        viewings = {r[0] for r in devs[0].conn.execute("SELECT uid FROM viewings")}
        assert created - deleted <= viewings
        # Whatever is recorded about a title keeps it in the library.
        orphans = (
            devs[0]
            .conn.execute(
                "SELECT count(*) FROM viewings v WHERE NOT EXISTS"
                " (SELECT 1 FROM entries e WHERE e.title_id = v.title_id)"
            )
            .fetchone()[0]
        )
        assert orphans == 0
        # And a further sync changes nothing.
        assert all(d.sync().applied == 0 for d in devs)
    finally:
        for device in devs:
            device.conn.close()


# --- the command ---------------------------------------------------------------------------------


def test_sync_command_remembers_the_folder_and_reports(run, folder, tmp_path, monkeypatch):
    assert run("add", "Oasis").exit_code == 0
    first = run("sync", str(folder), "--json")
    assert first.exit_code == 0, first.stderr
    validate_json(first.json(), schemas.schema_for("sync"))
    assert first.json()["exported"] > 0
    again = run("sync", "--json")  # the folder is remembered
    assert again.exit_code == 0 and again.json()["folder"] == str(folder)
    state = run("sync", "--status", "--json")
    validate_json(state.json(), schemas.schema_for("sync"))
    assert state.json()["pending_local"] == 0
    people = run("sync")
    assert people.exit_code == 0 and "Synced with 0 other devices" in people.stderr
    doctor = run("doctor", "--json")
    check = next(c for c in doctor.json()["checks"] if c["name"] == "sync folder")
    assert check["status"] == "ok" and str(folder) in check["detail"]


def test_sync_folder_from_the_environment(run, folder, monkeypatch):
    monkeypatch.setenv("KWATCH_SYNC_DIR", str(folder))
    result = run("sync", "--json")
    assert result.exit_code == 0 and result.json()["folder"] == str(folder)


def _refused(run, db_path, *args, then=None) -> str:
    from conftest import db_snapshot

    run("add", "Oasis")
    before = db_snapshot(db_path)
    if then is not None:
        then()
    result = run("sync", *args)
    assert result.exit_code == 1
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert db_snapshot(db_path) == before
    return lines[0]


def test_no_folder_set(run, db_path):
    assert "no sync folder is set" in _refused(run, db_path)


def test_missing_folder(run, db_path, tmp_path):
    assert "does not exist" in _refused(run, db_path, str(tmp_path / "nowhere"))


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only folders")
def test_read_only_folder(run, db_path, folder):
    folder.chmod(0o555)
    try:
        assert "read-only" in _refused(run, db_path, str(folder))
    finally:
        folder.chmod(0o755)


def test_read_only_file_system(run, db_path, folder, monkeypatch):
    """As a folder on a read-only mount answers (root included)."""
    import errno

    real_mkdir = Path.mkdir

    def read_only(self, *args, **kwargs):
        if folder in self.parents:
            raise OSError(errno.EROFS, "Read-only file system")
        return real_mkdir(self, *args, **kwargs)

    def break_mkdir():
        monkeypatch.setattr(Path, "mkdir", read_only)

    assert "read-only" in _refused(run, db_path, str(folder), then=break_mkdir)


def test_full_disk(run, db_path, folder, monkeypatch):
    import errno

    from kwatch.sync import folder as sync_folder

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sync_folder.os, "fsync", full)
    assert "is full" in _refused(run, db_path, str(folder))
    assert not list(folder.rglob("*.jsonl*"))  # no half-written chunk left behind


def test_newer_format_from_the_command(run, db_path, folder):
    (folder / "kwatch-sync" / "v2").mkdir(parents=True)
    assert "newer kwatch" in _refused(run, db_path, str(folder))


def test_json_errors(run, tmp_path):
    result = run("sync", str(tmp_path / "nowhere"), "--json")
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(result.stderr)["error"]["code"] == "sync_folder_missing"


def test_corrupt_database_row_images_never_crash_a_merge(devices, folder):
    """A line whose row a NOT NULL column lacks is skipped, not applied half-way."""
    a, b = devices(2)
    a.sync()
    own = folder / "kwatch-sync" / "v1" / "devices" / engine.device_id(a.conn)
    line = {
        "v": 1, "hlc": "0000000000001.00000", "device": "x", "op": None, "table": "viewings",
        "key": {"uid": "u1"}, "kind": "put", "row": {"uid": "u1", "title_id": "oasis-2002"},
    }  # fmt: skip
    (own / "000005.jsonl").write_text(json.dumps(line) + "\n")
    assert b.sync().skipped_lines == 1
    assert sqlite3.connect(b.path).execute("SELECT count(*) FROM viewings").fetchone()[0] == 0


# --- the quick no-op answer (kwatch.entry) -------------------------------------------------------


def test_the_quick_answer_is_the_full_commands_and_only_when_nothing_is_pending(
    run, folder, tmp_path, db_path
):
    from kwatch.sync import quick

    run("add", "Oasis")
    assert quick.nothing_to_sync(["sync"]) is None  # never synced
    run("sync", str(folder))
    full = run("sync")
    assert full.exit_code == 0
    assert quick.nothing_to_sync(["sync"]) == full.stderr.strip()
    assert quick.nothing_to_sync(["--db", str(db_path), "sync"]) == full.stderr.strip()
    for other in (["sync", "--json"], ["sync", str(folder)], ["sync", "--status"], ["list"]):
        assert quick.nothing_to_sync(other) is None
    run("add", "Poetry")  # a local change waits
    assert quick.nothing_to_sync(["sync"]) is None
    run("sync")
    other = Device(tmp_path / "other.db", folder)
    other.add("bleak-night-2011")
    other.sync()  # a remote change waits
    assert quick.nothing_to_sync(["sync"]) is None
    run("sync")
    assert quick.nothing_to_sync(["sync"]) is not None
    own = folder / "kwatch-sync" / "v1" / "devices" / engine.device_id(other.conn)
    mine = next(p for p in own.parent.iterdir() if p != own)
    (mine / "000099.jsonl").write_text("")  # a copy of this database writing under its id
    assert quick.nothing_to_sync(["sync"]) is None
    (mine / "000099.jsonl").unlink()
    (folder / "kwatch-sync" / "v2").mkdir()  # a newer format: the full command explains
    assert quick.nothing_to_sync(["sync"]) is None
    other.conn.close()


def test_the_quick_answer_keeps_in_step_with_the_engine():
    from kwatch.cli import sync as cli_sync
    from kwatch.sync import quick

    assert quick.DEVICE_KEY == engine.DEVICE_KEY
    assert quick.EXPORTED_KEY == engine.EXPORTED_KEY
    assert quick.FOLDER_KEY == engine.FOLDER_KEY
    assert quick.LAST_CHUNK_KEY == engine.LAST_CHUNK_KEY
    assert quick.SYNC_COMMAND == engine.SYNC_COMMAND
    assert quick.SYNC_DIR_ENV == cli_sync.SYNC_DIR_ENV


def test_one_import_key_claimed_on_one_machine_and_imported_on_the_other(devices):
    """A viewing logged by hand and claimed by an import here, imported afresh there: both
    viewings stay (nothing is lost), and the same one keeps the import key everywhere."""
    from kwatch.db import transaction
    from kwatch.library.bulk import add_viewings, claim_viewings

    a, b = devices(2)
    a.watched("oasis-2002")
    hand = a.conn.execute("SELECT id, uid FROM viewings").fetchone()

    def claim(conn):
        with transaction(conn):
            claim_viewings(conn, [("letterboxd:diary:9", hand["id"])])

    def import_one(conn):
        with transaction(conn):
            add_viewings(
                conn,
                [("oasis-2002", "2026-12-01", "day", None, None, 0, "2026-12-01",
                  "letterboxd:diary:9")],
            )  # fmt: skip

    a.do("import", claim)
    b.do("import", import_one)
    sync_all(a, b)
    assert a.dump() == b.dump()
    rows = a.conn.execute("SELECT uid, import_key FROM viewings ORDER BY uid").fetchall()
    assert [tuple(r) for r in rows] == [
        (hand["uid"], "letterboxd:diary:9"),
        ("import:letterboxd:diary:9", None),
    ]
    assert all(r.kept_both == 0 for r in (a.sync(), b.sync()))


def test_custom_titles_and_lists_sync_and_can_be_found(devices):
    from kwatch.library.entries import add_custom_title
    from kwatch.library.lists import add_to_list, create_list
    from kwatch.titles import resolve

    a, b = devices(2)
    made = a.do("title", add_custom_title, title="My Short Film", year=2024, directors=["Me"])
    a.add(made.id)
    a.do("list", create_list, "Friday nights", today=TODAY)
    a.do("list", add_to_list, "Friday nights", a.title("oasis-2002"))
    sync_all(a, b)
    assert resolve(b.conn, "My Short Film").id == made.id  # indexed for search on b
    assert b.conn.execute("SELECT count(*) FROM list_items").fetchone()[0] == 1
    assert a.dump() == b.dump()


def test_two_machines_export_the_same_document_after_syncing(run, folder, tmp_path):
    first, second = str(tmp_path / "first.db"), str(tmp_path / "second.db")
    run("--db", first, "watched", "Oasis", "--rating", "4")
    run("--db", first, "add", "Poetry", "--tag", "friday")
    run("--db", second, "watched", "Oasis", "--rating", "3")
    run("--db", second, "add", "Burning", "--priority", "5")
    for db in (first, second, first, second):
        assert run("--db", db, "sync", str(folder)).exit_code == 0
    exports = [run("--db", db, "export", "--format", "json").json() for db in (first, second)]
    # The same document, records in the same order: the export orders them by what they
    # say, not by each machine's local row numbers.
    assert exports[0] == exports[1]
    assert (
        len(next(e for e in exports[0]["entries"] if e["title_id"] == "oasis-2002")["viewings"])
        == 2
    )


def test_status_for_people(run, folder):
    run("add", "Oasis")
    before = run("sync", "--status")
    assert before.exit_code == 0 and "not set" in before.stderr
    run("sync", str(folder))
    after = run("sync", "--status")
    assert str(folder) in after.stderr and "waiting here: 0 changes" in after.stderr
    assert "yes" in after.stdout  # the device table marks this device


def test_the_sync_tables_after_migrating(db_path):
    """Pinned: what m008 adds (a change here is a new migration, never an edit of m008)."""
    from kwatch.db import open_database

    db_path.parent.mkdir(parents=True, exist_ok=True)
    conn = open_database(db_path)
    columns = {
        table: [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        for table in ("sync_records", "sync_files")
    }
    assert columns == {
        "sync_records": ["tbl", "key", "hlc", "device", "kind", "line"],
        "sync_files": ["device", "name", "read_bytes"],
    }
    conn.close()


def test_a_copy_of_a_synced_database_becomes_a_device_of_its_own(devices, tmp_path, folder):
    """Copying kwatch.db to another machine after it synced: both copies would write as one
    device; the second to sync notices and takes a new id, and nothing is lost."""
    from kwatch.db import backup_to, open_database

    (a,) = devices(1)
    a.add("oasis-2002")
    a.sync()
    copy = Device.__new__(Device)
    copy.path, copy.folder = tmp_path / "copy.db", folder
    backup_to(a.conn, copy.path)
    copy.conn = open_database(copy.path)
    a.rate("oasis-2002", 8)
    a.sync()
    copy.add("poetry-2010")
    report = copy.sync()
    assert report.device != engine.device_id(a.conn)
    a.sync()
    assert a.dump() == copy.dump()
    assert a.entry("oasis-2002")["rating"] == 8 and a.entry("poetry-2010") is not None
    copy.conn.close()


def test_one_list_imported_on_both_machines_under_two_names(devices):
    from kwatch.db import transaction

    a, b = devices(2)

    def import_list(list_id):
        def write(conn):
            with transaction(conn):
                conn.execute(
                    "INSERT INTO lists (id, name, created_on, source) VALUES (?, ?, ?, ?)",
                    (list_id, list_id, "2026-12-01", "letterboxd:https://boxd.it/list1"),
                )

        return write

    a.do("import", import_list("weekend"))
    b.do("import", import_list("weekend-2"))
    sync_all(a, b)
    assert a.dump() == b.dump()
    rows = a.conn.execute("SELECT id, source FROM lists ORDER BY id").fetchall()
    assert [tuple(r) for r in rows] == [
        ("weekend", "letterboxd:https://boxd.it/list1"),
        ("weekend-2", None),
    ]
