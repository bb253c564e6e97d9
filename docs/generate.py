"""Rewrite docs/cli.md from the current --help texts: python docs/generate.py"""

from pathlib import Path

from kwatch.docgen import render

target = Path(__file__).with_name("cli.md")
target.write_text(render(), encoding="utf-8")
print(f"wrote {target}")
