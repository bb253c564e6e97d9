"""The Wikidata layer at scale: its file size, building the index from it, and the commands
people run most, with 20,000 titles in the index (the bundled catalogue + a generated layer).

Ratios are to `python -c pass` measured alternately in the same run (see _timing.py).
Run: python benchmarks/bench_opendata.py [--runs N] [--titles 20000] [--size-check 15000] [--cpu]
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
from pathlib import Path

from _timing import compare, kwatch_cmd, report
from bench_search import SYLLABLES, WORDS

SURNAMES = ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"]
KO_SURNAMES = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임"]
THEMES = ["drama", "comedy", "romance", "thriller", "crime", "horror", "action", "history"]


def records(count: int, seed: int = 7) -> list[dict]:
    """Layer records shaped like the real ones (labels, aliases, directors, dates, ids)."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        qid = f"Q{1_000_000 + i}"
        year = rng.randint(1950, 2026)
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).title()
        directors, directors_ko = [], []
        for _ in range(rng.choice((1, 1, 1, 2))):
            n = rng.randrange(10)
            given = "".join(rng.choice(SYLLABLES) for _ in range(2))
            directors.append(f"{SURNAMES[n]} {rng.choice(WORDS).title()}-{rng.choice(WORDS)}")
            directors_ko.append(KO_SURNAMES[n] + given)
        releases = [
            {
                "date": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                "precision": "day",
                "region": "KR",
                "type": "theatrical",
                "note": None,
            }
        ]
        if rng.random() < 0.3:
            releases.append(
                {
                    "date": f"{year}",
                    "precision": "year",
                    "region": "FR",
                    "type": "festival",
                    "note": "Cannes Film Festival",
                }
            )
        out.append(
            {
                "qid": qid,
                "title": f"{title} {i}",
                "title_ko": "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 6))),
                "aliases": [f"{title} ({year})"] if rng.random() < 0.3 else [],
                "aliases_ko": [],
                "kind": "tv-series" if rng.random() < 0.2 else "film",
                "year": year,
                "directors": directors,
                "directors_ko": directors_ko,
                "runtime_min": rng.randint(70, 180) if rng.random() < 0.8 else None,
                "themes": rng.sample(THEMES, rng.randint(0, 3)),
                "releases": releases,
                "ids": {
                    "wikidata": qid,
                    "imdb": f"tt{2_000_000 + i:07d}",
                    "letterboxd": f"film-{i}",
                    "tmdb": f"movie/{100_000 + i}",
                },
            }
        )
    return out


def write(path: Path, count: int) -> int:
    from kwatch.opendata.layer import Layer, write_layer

    return write_layer(path, Layer("wikidata", "2026-12-01", "generated", records(count), []))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--titles", type=int, default=20_000)
    parser.add_argument("--size-check", type=int, default=15_000)
    parser.add_argument("--build-only", action="store_true", help="skip the command timings")
    parser.add_argument(
        "--cpu", action="store_true", help="time CPU, not the wall clock (busy machines)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        size = write(root / "size-check.json.gz", args.size_check)
        print(f"layer file for {args.size_check:,} titles: {size / 1e6:.2f} MB")

        db = root / "kwatch.db"
        os.environ.update(
            {
                "KWATCH_DB": str(db),
                "KWATCH_TODAY": "2026-12-01",
                "KWATCH_CATALOGUE_DIR": str(root / "none"),
            }
        )
        from kwatch.catalogue import load_vocabulary, sync_catalogue
        from kwatch.catalogue_files import bundled_title_files
        from kwatch.db import open_database
        from kwatch.paths import opendata_layer_path

        bundled = len(bundled_title_files())
        layer = opendata_layer_path(db)
        write(layer, args.titles - bundled)
        conn = open_database(db)
        load_vocabulary()  # the index build is what is timed, not reading themes.toml
        start, start_cpu = time.perf_counter(), time.process_time()
        sync_catalogue(conn, force=True, layer=layer)
        print(
            f"index first built with the layer: {time.perf_counter() - start:.2f} s wall / "
            f"{time.process_time() - start_cpu:.2f} s CPU"
        )
        timings, cpu = [], []
        for _ in range(3):
            start, start_cpu = time.perf_counter(), time.process_time()
            sync_catalogue(conn, force=True, layer=layer)
            timings.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
        total = conn.execute("SELECT count(*) FROM titles").fetchone()[0]
        # CPU time too: on a shared machine the wall clock mostly measures the neighbours.
        print(
            f"index rebuilt from the layer ({total:,} titles in all): "
            f"best {min(timings):.2f} s wall / {min(cpu):.2f} s CPU, "
            f"worst {max(timings):.2f} s wall (load average {os.getloadavg()[0]:.1f})"
        )
        conn.close()
        if args.build_only:
            return
        # A library of 200 entries, so `list --limit 50` has something to cut.
        import subprocess

        for i in range(0, 200):
            subprocess.run(
                kwatch_cmd("add", f"Q{1_000_000 + i * 7}"), capture_output=True, check=True
            )
        first = records(1)[0]["title"]
        rows = compare(
            {
                "search 'river night' --json": kwatch_cmd("search", "river night", "--json"),
                "search 'river night'": kwatch_cmd("search", "river night"),
                "search 김 (Hangul name) --json": kwatch_cmd("search", "김", "--json"),
                # A page, as a person sees it on a terminal: the dumps above return every hit
                # (hundreds or thousands here), so they measure writing them, not searching.
                "search 'river night' --json --limit 20": kwatch_cmd(
                    "search", "river night", "--json", "--limit", "20"
                ),
                "search 'river night' --limit 20": kwatch_cmd(
                    "search", "river night", "--limit", "20"
                ),
                "search 김 --json --limit 20": kwatch_cmd(
                    "search", "김", "--json", "--limit", "20"
                ),
                "show NAME --json": kwatch_cmd("show", first, "--json"),
                "show NAME": kwatch_cmd("show", first),
                "show tt2000000 --json": kwatch_cmd("show", "tt2000000", "--json"),
                "add NAME --json": kwatch_cmd("add", first, "--json"),
                "add NAME": kwatch_cmd("add", first),
                "pick --theme romance --json": kwatch_cmd(
                    "pick", "--from", "catalogue", "--theme", "romance", "--json"
                ),
                "pick --theme romance": kwatch_cmd(
                    "pick", "--from", "catalogue", "--theme", "romance"
                ),
                "list --limit 50 --json": kwatch_cmd("list", "--limit", "50", "--json"),
                "list --limit 50": kwatch_cmd("list", "--limit", "50"),
            },
            {},
            runs=args.runs,
            cpu=args.cpu,
        )
        clock = "CPU time" if args.cpu else "wall clock"
        report(f"{total:,} titles: {bundled} bundled + a generated Wikidata layer ({clock})", rows)


if __name__ == "__main__":
    main()
