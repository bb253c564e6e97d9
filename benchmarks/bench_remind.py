"""Whole-process time of `kwatch remind` as a ratio to `python -c pass` (target: at most 3x
when it is silent, the common case: issue 16's budget; the first call of a day runs the CLI).

`kwatch remind` runs on every new shell, so what matters is the whole process, start-up
included. Each scenario is timed alternately with `python -c pass` in the same run (absolute
times drift by tens of percent on shared machines; the ratio does not), using the venv's own
python and kwatch script (never a pyenv shim), several runs each, median.

Run:  .venv/bin/python benchmarks/bench_remind.py [--runs N] [--bin .venv/bin]

The package is byte-compiled first (an installed package has .pyc files; without them, or with
PYTHONDONTWRITEBYTECODE set, every run pays for compiling), unless --no-compile is given.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from _timing import run_once

WATCHLIST = (
    "jung-e-2023",
    "the-point-men-2023",
    "unlocked-2023",
    "kill-boksoon-2023",
    "bleak-night-2011",
    "oasis-2002",
    "poetry-2010",
    "microhabitat-2018",
)
TODAY = date(2023, 1, 10)


def _has_entry(python: Path) -> bool:
    probe = subprocess.run([str(python), "-c", "import kwatch.entry"], capture_output=True)
    return probe.returncode == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=20, help="timed runs per scenario")
    parser.add_argument(
        "--bin",
        type=Path,
        default=Path(sys.executable).parent,
        help="folder with the venv's python and kwatch (default: this python's)",
    )
    parser.add_argument("--no-compile", action="store_true", help="do not byte-compile kwatch")
    args = parser.parse_args()

    python = args.bin / "python"
    kwatch = args.bin / "kwatch"
    if not kwatch.exists():
        raise SystemExit(f"{kwatch} not found; install kwatch into that venv first.")
    if not args.no_compile:
        import kwatch as package

        compileall.compile_dir(Path(package.__file__).parent, quiet=1)

    with tempfile.TemporaryDirectory() as tmp:
        # Like a real user: no KWATCH_DB, so the default path is looked up as usual. Each
        # scenario gets its own home (and database), so one cannot change another's state.
        base = {k: v for k, v in os.environ.items() if not k.startswith("KWATCH_")}
        base["NO_COLOR"] = "1"

        def home(name: str, *, watchlist: bool = True) -> dict[str, str]:
            root = Path(tmp) / name
            env = {
                **base,
                "HOME": str(root),
                "XDG_DATA_HOME": str(root / "share"),
                "XDG_CONFIG_HOME": str(root / "config"),
                "KWATCH_TODAY": TODAY.isoformat(),
            }
            if watchlist:
                for title in WATCHLIST:
                    subprocess.run(
                        [str(kwatch), "add", title], env=env, check=True, capture_output=True
                    )
                # Today's reminder is given, so later calls today are the silent case.
                subprocess.run([str(kwatch), "remind"], env=env, check=True, capture_output=True)
            return env

        silent, speaking, empty = home("silent"), home("speaking"), home("empty", watchlist=False)
        day = iter(range(1, 100_000))
        scenarios = {
            "kwatch remind (already reminded today: silent)": lambda: (
                [str(kwatch), "remind"],
                silent,
            ),
            # A new KWATCH_TODAY each run: every call is the first of its day, and writes.
            "kwatch remind (first call of the day: speaks)": lambda: (
                [str(kwatch), "remind"],
                {**speaking, "KWATCH_TODAY": (TODAY + timedelta(days=next(day))).isoformat()},
            ),
            "kwatch remind (no database yet)": lambda: ([str(kwatch), "remind"], empty),
        }
        script = kwatch.read_text(encoding="utf-8", errors="replace")
        if "kwatch.entry" not in script and _has_entry(python):
            # What the console script would be with [project.scripts] kwatch =
            # "kwatch.entry:main": the same launcher, pointed at the pre-CLI fast path.
            proposed = Path(tmp) / "kwatch-entry"
            proposed.write_text(
                f"#!{python}\nimport sys\nfrom kwatch.entry import main\nsys.exit(main())\n"
            )
            proposed.chmod(0o755)
            scenarios["kwatch.entry:main remind (silent)"] = lambda: (
                [str(proposed), "remind"],
                silent,
            )
        baseline = ([str(python), "-c", "pass"], base)
        for make in [lambda: baseline, *scenarios.values()]:  # warm-up
            run_once(*make(), ok=(0,))
        samples: dict[str, list[float]] = {"python -c pass": [], **{k: [] for k in scenarios}}
        for _ in range(args.runs):
            for label, make in scenarios.items():
                samples["python -c pass"].append(run_once(*baseline, ok=(0,)))
                samples[label].append(run_once(*make(), ok=(0,)))
        reference = statistics.median(samples["python -c pass"])

    print(f"kwatch remind, {len(WATCHLIST)} titles on the watchlist, {args.runs} runs, median")
    print(f"{'scenario':<50} {'median ms':>10} {'x pass':>8}")
    for label, values in samples.items():
        median = statistics.median(values)
        print(f"{label:<50} {median * 1000:>10.1f} {median / reference:>8.1f}")
    print("target: silent at most 3.0x python -c pass (issue 16)")
    print("(kwatch.entry:main only answers the silent case itself; see src/kwatch/entry.py)")


if __name__ == "__main__":
    main()
