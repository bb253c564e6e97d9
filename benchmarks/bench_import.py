"""Import speed: the real Letterboxd export (2,132 diary entries, 2,604 watched films) and a
generated 20,000-row diary, each imported into a new temporary database.

Reports the whole command (`kwatch import letterboxd PATH --json`, into a database that exists
and has its catalogue indexed, so only the import is timed) in seconds and as a ratio to
`python -c pass` measured alternately in the same run, and the core import alone, in process.
Target: the real export at most 1 s, the 20,000-row diary at most 2 s.

Run: python benchmarks/bench_import.py [--runs N] [--export PATH] [--cpu]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from _timing import kwatch_cmd, run_once

ROOT = Path(__file__).resolve().parents[1]
# ../shared next to the project (a git worktree, wt/NAME, sits one level deeper).
SHARED = next(
    (p / "shared" for p in ROOT.parents if (p / "shared").is_dir()), ROOT.parent / "shared"
)
REAL_EXPORT = SHARED / "fixtures" / "letterboxd-export-patrickmjones"
TODAY = "2026-11-22"


def generate_diary(path: Path, rows: int = 20_000, films: int = 8_000, seed: int = 7) -> Path:
    """A diary.csv in Letterboxd's format: rewatches, half-star ratings, tags, quoted names."""
    rng = random.Random(seed)
    start = date(2005, 1, 1)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["Date", "Name", "Year", "Letterboxd URI", "Rating", "Rewatch", "Tags", "Watched Date"]
        )
        seen: set[int] = set()
        for i in range(rows):
            film = rng.randrange(films)
            watched = start + timedelta(days=rng.randrange(7000))
            rating = rng.choice(["", "", "0.5", "2", "3.5", "4", "5"])
            tags = rng.choice(["", "", "on-netflix", "in-theaters, 35mm", 'with "friends"'])
            writer.writerow(
                [
                    (watched + timedelta(days=rng.randrange(30))).isoformat(),
                    f"Generated Film, Part {film}",
                    1950 + film % 75,
                    f"https://boxd.it/g{i:x}",
                    rating,
                    "Yes" if film in seen else "",
                    tags,
                    watched.isoformat(),
                ]
            )
            seen.add(film)
    return path


def _env(db: Path, tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "KWATCH_DB": str(db),
        "KWATCH_TODAY": TODAY,
        "KWATCH_CATALOGUE_DIR": str(tmp / "catalogue"),
    }


_CREATE = (
    "import sys; from pathlib import Path; from kwatch.db import open_database; "
    "from kwatch.catalogue import sync_catalogue; "
    "conn = open_database(Path(sys.argv[1])); sync_catalogue(conn); conn.close()"
)


def whole_command(source: Path, tmp: Path, runs: int, cpu: bool = False) -> tuple[float, float]:
    """(median seconds, median python -c pass) for importing `source` into a new database."""
    baseline = [sys.executable, "-c", "pass"]
    samples, base = [], []
    for n in range(runs):
        db = tmp / f"run-{source.name}-{n}.db"
        env = _env(db, tmp)
        # Create the database and index the catalogue first: time the import, not the set-up.
        # (Read-only commands refuse a --db naming no file, so it is made directly.)
        subprocess.run([sys.executable, "-c", _CREATE, str(db)], env=env, check=True)
        base.append(run_once(baseline, env, cpu, ok=(0,)))
        samples.append(
            run_once(kwatch_cmd("import", "letterboxd", str(source), "--json"), env, cpu, ok=(0,))
        )
        base.append(run_once(baseline, env, cpu, ok=(0,)))
    return statistics.median(samples), statistics.median(base)


def core_only(source: Path, tmp: Path, runs: int, cpu: bool = False) -> float:
    from kwatch.catalogue import sync_catalogue
    from kwatch.db import open_database
    from kwatch.transfer.engine import import_letterboxd

    os.environ["KWATCH_CATALOGUE_DIR"] = str(tmp / "catalogue")
    samples = []
    for n in range(runs):
        conn = open_database(tmp / f"core-{source.name}-{n}.db")
        sync_catalogue(conn)
        clock = time.process_time if cpu else time.perf_counter
        start = clock()
        import_letterboxd(conn, source, today=date.fromisoformat(TODAY))
        samples.append(clock() - start)
        conn.close()
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--export", type=Path, default=REAL_EXPORT)
    parser.add_argument(
        "--cpu", action="store_true", help="time CPU, not the wall clock (busy machines)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        cases = []
        if args.export.exists():
            cases.append(("real export (2,132 diary / 2,604 watched)", args.export))
        else:
            print(f"{args.export} is not present: skipping the real export.")
        generated = tmp / "generated"
        generated.mkdir()
        cases.append(("generated diary (20,000 rows)", generate_diary(generated / "diary.csv")))
        what = "CPU s" if args.cpu else "s"
        print(f"\n{'import':<44} {'command ' + what:>10} {'x pass':>8} {'core ' + what:>8}")
        for label, source in cases:
            seconds, base = whole_command(source, tmp, args.runs, args.cpu)
            core = core_only(source, tmp, args.runs, args.cpu)
            print(f"{label:<44} {seconds:>10.3f} {seconds / base:>8.1f} {core:>8.3f}")
        print(f"{'python -c pass':<44} {base:>10.3f} {1.0:>8.1f}")


if __name__ == "__main__":
    main()
