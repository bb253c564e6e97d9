"""Whole-process timing as a ratio to `python -c pass`, measured alternately in the same run.

Absolute times drift by tens of percent on shared machines; the ratio to the interpreter's own
start-up, measured interleaved with the command, is what stays comparable between runs.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def kwatch_cmd(*args: str) -> list[str]:
    script = BIN / "kwatch"
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "kwatch", *args]


def run_once(
    cmd: list[str], env: dict[str, str], cpu: bool = False, ok: tuple[int, ...] = (0, 1)
) -> float:
    """Seconds one run takes: wall clock, or (cpu=True) the child's user + system CPU time,
    which neighbours on a shared machine disturb much less. An exit code not in `ok` stops
    the benchmark (1 is a normal answer for some commands, such as a search that finds
    nothing)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} failed: {done.stderr.decode()[-500:]}")
    if cpu:
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed


def ensure_bytecode() -> None:
    """Compile kwatch ahead of time, as pip does on install. Without .pyc files (for example
    with PYTHONDONTWRITEBYTECODE=1 and an editable install) every run recompiles and costs
    several times more, which would measure the environment rather than kwatch."""
    import compileall

    import kwatch

    compileall.compile_dir(str(Path(kwatch.__file__).parent), quiet=1)


def compare(
    commands: dict[str, list[str]], env: dict[str, str], runs: int = 15, *, cpu: bool = False
) -> list[tuple]:
    """[(label, median seconds, ratio to python -c pass)] with runs interleaved; `cpu` times
    CPU instead of the wall clock (see run_once)."""
    ensure_bytecode()
    baseline_cmd = [sys.executable, "-c", "pass"]
    full_env = {**os.environ, **env}
    for cmd in [baseline_cmd, *commands.values()]:  # warm caches and the catalogue index
        run_once(cmd, full_env)
    samples: dict[str, list[float]] = {"python -c pass": [], **{k: [] for k in commands}}
    for _ in range(runs):
        samples["python -c pass"].append(run_once(baseline_cmd, full_env, cpu))
        for label, cmd in commands.items():
            samples[label].append(run_once(cmd, full_env, cpu))
            samples["python -c pass"].append(run_once(baseline_cmd, full_env, cpu))
    base = statistics.median(samples["python -c pass"])
    return [
        (label, statistics.median(s), statistics.median(s) / base) for label, s in samples.items()
    ]


def report(title: str, rows: list[tuple]) -> None:
    print(f"\n{title}")
    print(f"{'command':<48} {'median ms':>10} {'x pass':>8}")
    for label, seconds, ratio in rows:
        print(f"{label:<48} {seconds * 1000:>10.1f} {ratio:>8.1f}")
