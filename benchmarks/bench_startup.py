"""Start-up cost of everyday commands, as ratios to `python -c pass`.

Budgets (issue 16): every --json read command <= 7x, --help <= 10x, one completion call <= 6x
(`kwatch remind` when silent: benchmarks/bench_remind.py, <= 3x).

Run: python benchmarks/bench_startup.py [--runs N] [--cpu]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from _timing import compare, kwatch_cmd, report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--cpu", action="store_true", help="time CPU, not the wall clock (busy machines)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "KWATCH_DB": str(Path(tmp) / "kwatch.db"),
            "KWATCH_TODAY": "2026-11-22",
            "KWATCH_CATALOGUE_DIR": str(Path(tmp) / "catalogue"),
        }
        import os
        import subprocess

        for title in ("Bleak Night", "Oasis", "Han Gong-ju", "Microhabitat", "Poetry"):
            subprocess.run(
                kwatch_cmd("add", title), env={**os.environ, **env}, check=True, capture_output=True
            )
        rows = compare(
            {
                "kwatch list --json": kwatch_cmd("list", "--json"),
                "kwatch show bleak-night-2011 --json": kwatch_cmd(
                    "show", "bleak-night-2011", "--json"
                ),
                "kwatch search oasis --json": kwatch_cmd("search", "oasis", "--json"),
                "kwatch --help": kwatch_cmd("--help"),
                "kwatch list --help": kwatch_cmd("list", "--help"),
                "kwatch list (table)": kwatch_cmd("list"),
                "kwatch add Oasis --json (already there)": kwatch_cmd("add", "Oasis", "--json"),
                "python -c 'import typer' (Typer alone)": [sys.executable, "-c", "import typer"],
            },
            env,
            runs=args.runs,
            cpu=args.cpu,
        )
        # One <Tab>, as bash asks it: `kwatch show blea<Tab>`.
        completion = {
            **env,
            "_KWATCH_COMPLETE": "complete_bash",
            "COMP_WORDS": "kwatch show blea",
            "COMP_CWORD": "2",
        }
        rows += compare(
            {"one bash completion (kwatch show blea<Tab>)": kwatch_cmd()},
            completion,
            runs=args.runs,
            cpu=args.cpu,
        )[1:]
    clock = "CPU time" if args.cpu else "wall clock"
    report(f"Start-up (5 titles in the library; {clock})", rows)


if __name__ == "__main__":
    main()
