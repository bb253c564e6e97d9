"""Sync speed: taking in 10,000 changes from another device, and a sync with nothing new.

- 10,000 changes: device A logs 10,000 viewings (one import-sized operation) and syncs; device
  B then syncs and takes them all in (read, check, store, merge, journal). Timed in process
  (the core `kwatch.sync.engine.sync`) and as the whole `kwatch sync` command. Target: 1 s.
- No-op: `kwatch sync` when nothing changed anywhere, whole process, as a ratio to
  `python -c pass` measured alternately in the same run (benchmarks/_timing.py). Target: 6x.

Run: python benchmarks/bench_sync.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from _timing import compare, kwatch_cmd, report

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
CHANGES = 10_000


def _device(path: Path):
    from kwatch import journal
    from kwatch.catalogue import sync_catalogue
    from kwatch.db import open_database

    conn = open_database(path)
    sync_catalogue(conn)
    journal.begin(conn, "bench", now=NOW)
    return conn


def _ten_thousand_viewings(conn) -> None:
    from kwatch import journal
    from kwatch.db import transaction
    from kwatch.library.bulk import add_viewings

    titles = [r[0] for r in conn.execute("SELECT id FROM titles ORDER BY id LIMIT 50")]
    rows = [
        (titles[i % len(titles)], f"20{i % 25:02d}-01-01", "day", 1 + i % 10, None, 1, "2026-12-01",
         None)
        for i in range(CHANGES)
    ]  # fmt: skip
    with transaction(conn):
        add_viewings(conn, rows)
    journal.end(conn)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per measurement")
    args = parser.parse_args()
    from kwatch.sync import engine

    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        env = {
            "KWATCH_TODAY": "2026-12-01",
            "KWATCH_NOW": "2026-12-01T10:00:00",
            "XDG_DATA_HOME": str(base / "xdg"),
            "XDG_CONFIG_HOME": str(base / "xdg"),
            "NO_COLOR": "1",
        }
        os.environ.update(env)
        folder = base / "Sync"
        folder.mkdir()
        a = _device(base / "a.db")
        _ten_thousand_viewings(a)
        started = time.perf_counter()
        exported = engine.sync(a, folder, now=NOW).exported
        export_seconds = time.perf_counter() - started

        in_process, cpu, whole = [], [], []
        for run in range(args.runs):
            b_path = base / f"b{run}.db"
            b = _device(b_path)
            b.execute("SELECT 1")
            started, started_cpu = time.perf_counter(), time.process_time()
            taken = engine.sync(b, folder, now=NOW)
            in_process.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            b.close()
            assert taken.new == exported, (taken.new, exported)
            c_path = base / f"c{run}.db"
            _device(c_path).close()
            started = time.perf_counter()
            subprocess.run(
                kwatch_cmd("--db", str(c_path), "sync", str(folder)),
                env={**os.environ, **env},
                check=True,
                capture_output=True,
            )
            whole.append(time.perf_counter() - started)

        print(f"\nexporting {exported:,} changes (device A, in process): {export_seconds:.2f} s")
        print(f"taking in {exported:,} changes (device B), median of {args.runs}:")
        print(f"  in process (kwatch.sync.engine.sync): {statistics.median(in_process):.2f} s")
        print(f"  the same, CPU time (neighbours disturb it less): {statistics.median(cpu):.2f} s")
        print(f"  whole command (kwatch sync DIR):       {statistics.median(whole):.2f} s")
        print("  target: at most 1 s")

        # Nothing new anywhere: c has read everything and has nothing of its own to write.
        noop = base / "c0.db"
        rows = compare(
            {"kwatch sync (nothing new)": kwatch_cmd("--db", str(noop), "sync")},
            {**env, "KWATCH_SYNC_DIR": str(folder)},
            runs=args.runs * 3,
        )
        report("no-op sync, whole process (target: at most 6x python -c pass)", rows)
    sys.exit(0)


if __name__ == "__main__":
    main()
