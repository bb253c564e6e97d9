"""Search and pick at 100 and at 100,000 titles, as whole-command ratios to `python -c pass`.

The titles are synthetic (English words, Hangul syllables, random themes) and go in as the
user's own titles, as a large imported film database would.
Run: python benchmarks/bench_search.py [--runs N] [--sizes 100,100000]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from _timing import compare, kwatch_cmd, report

WORDS = [
    "river",
    "night",
    "spring",
    "winter",
    "house",
    "mother",
    "secret",
    "road",
    "city",
    "light",
    "rain",
    "sea",
    "mountain",
    "dream",
    "letter",
    "garden",
    "train",
    "island",
    "silence",
    "song",
    "heart",
    "fire",
    "snow",
    "moon",
    "star",
]
SYLLABLES = "가나다라마바사아자차카타파하강남동서봄밤길꿈별빛비눈산강집문"


def build(db: Path, count: int) -> float:
    import os

    os.environ["KWATCH_DB"] = str(db)
    from kwatch.catalogue import load_vocabulary, sync_catalogue
    from kwatch.db import open_database, transaction
    from kwatch.models import Title
    from kwatch.titles import index_title

    themes = [t for t in load_vocabulary().themes]
    rng = random.Random(7)
    conn = open_database(db)
    sync_catalogue(conn)
    start = time.perf_counter()
    with transaction(conn):
        for i in range(count):
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).title()
            hangul = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 6)))
            index_title(
                conn,
                Title(
                    id=f"synthetic-{i}",
                    title=f"{words} {i}",
                    origin="custom",
                    original_title=hangul,
                    year=rng.randint(1950, 2026),
                    directors=(f"Director {rng.randint(1, 5000)}",),
                    runtime_min=rng.randint(70, 180),
                    themes=tuple(rng.sample(themes, 3)),
                    synopsis=" ".join(rng.choice(WORDS) for _ in range(25)),
                ),
            )
    conn.close()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--sizes", default="100,100000")
    args = parser.parse_args()
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "kwatch.db"
            seconds = build(db, size)
            env = {
                "KWATCH_DB": str(db),
                "KWATCH_TODAY": "2026-11-22",
                "KWATCH_CATALOGUE_DIR": str(Path(tmp) / "none"),
            }
            rows = compare(
                {
                    "search 'river night' --json": kwatch_cmd("search", "river night", "--json"),
                    "search 한공주 --json": kwatch_cmd("search", "한공주", "--json"),
                    "search 'Bleak Nigth' --json (typo)": kwatch_cmd(
                        "search", "Bleak Nigth", "--json"
                    ),
                    "pick --from catalogue --theme romance": kwatch_cmd(
                        "pick", "--from", "catalogue", "--theme", "romance", "--json"
                    ),
                    "list --json (empty library)": kwatch_cmd("list", "--json"),
                },
                env,
                runs=args.runs,
            )
            report(
                f"{size:,} synthetic titles + the bundled catalogue (built in {seconds:.1f} s)",
                rows,
            )


if __name__ == "__main__":
    main()
