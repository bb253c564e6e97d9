"""Regenerate the shell completion scripts in this folder from the kwatch app.

Run with the Python that has kwatch installed (e.g. `.venv/bin/python completions/generate.py`)
after changing commands, options or completion callbacks. tests/test_completions.py fails while
the checked-in scripts are stale.

    python completions/generate.py            write kwatch.bash, _kwatch (zsh), kwatch.fish here
                                              and into src/kwatch/shell/ (shipped in the wheel)
    python completions/generate.py DIR        write them into DIR instead
    python completions/generate.py --check    exit 1, naming the stale files, if any differ
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kwatch.completions import FILENAMES, SHIPPED, render

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", type=Path, default=None)
    parser.add_argument("--check", action="store_true", help="compare only; write nothing")
    args = parser.parse_args(argv)
    # By default both copies: this folder (for people and packagers) and the package's own.
    folders = [args.directory] if args.directory else [HERE, SHIPPED]
    stale = []
    for folder, (shell, name) in ((f, item) for f in folders for item in FILENAMES.items()):
        path = folder / name
        text = render(shell)
        if args.check:
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current != text:
                stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", newline="\n")
            print(f"wrote {path}")
    if stale:
        print(
            f"stale completion scripts: {', '.join(stale)}; run python completions/generate.py",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
