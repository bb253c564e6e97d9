"""The shell completion scripts in completions/, generated from the app so they cannot drift.

`python completions/generate.py` writes them; tests/test_completions.py fails when the checked-in
files differ from `render()`. The scripts only hand each <Tab> back to kwatch itself
(`_KWATCH_COMPLETE=complete_<shell> kwatch`), so the values offered (title ids, themes,
statuses...) come from the completion callbacks in kwatch.cli.complete at run time.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

#: The file each shell's script is installed as (the name each shell's loader looks for).
FILENAMES = {"bash": "kwatch.bash", "zsh": "_kwatch", "fish": "kwatch.fish"}
SHELLS = tuple(FILENAMES)

GENERATED = "Generated from the app by completions/generate.py: do not edit."

# Started through `-c` with argv[0] set, because `python -m kwatch` names the program
# "python -m kwatch", and Typer derives both the script's command name and its environment
# variable (_KWATCH_COMPLETE) from that name.
_RUN_AS_KWATCH = "import sys; sys.argv[0] = 'kwatch'; from kwatch.cli import main; main()"

# Typer's zsh script, adjusted in two places (both checked, so a Typer upgrade that changes
# the script fails the staleness test instead of shipping a half-patched file):
_ZSH_EVAL = "\n  eval $(env _TYPER_COMPLETE_ARGS="
# Typer escapes an apostrophe in a description as '' inside single quotes, which zsh reads as
# '' only with RC_QUOTES; without it "I'm a Cyborg" shows as "Im a Cyborg".
_ZSH_EVAL_RCQUOTES = "\n  setopt localoptions rcquotes" + _ZSH_EVAL
_ZSH_REGISTER = "\ncompdef _kwatch_completion kwatch\n"
# The script only registers its function. Installed on $fpath as `_kwatch`, compinit autoloads
# the file as the function itself on the first <Tab>, so that <Tab> would only register and
# offer nothing. Inside a completion (compstate exists only there) complete straight away.
_ZSH_REGISTER_OR_RUN = """
# kwatch matches titles in any case and by any word of a name (`BLEA`, `mister`) and offers
# the id where the name does not start with what was typed; zsh would keep only the values
# that start with the word. The `matcher` style is read as each value is added (unlike
# matcher-list, read before this file is even loaded), so it works from the first <Tab>.
zstyle ':completion:*:*:kwatch:*' matcher 'm:{a-zA-Z}={A-Za-z} l:|=* r:|=*'

if (( ${+compstate} )); then
  # Autoloaded from $fpath as _kwatch during a completion: complete this <Tab> too.
  _kwatch_completion "$@"
else
  # Sourced from .zshrc after compinit: register for the <Tab>s to come.
  compdef _kwatch_completion kwatch
fi
"""


# The same scripts, shipped inside the package, so `kwatch completion SHELL` prints them
# without starting a second Python (and an installed wheel has them too).
SHIPPED = Path(__file__).resolve().parent / "shell"


def shipped(shell: str) -> str:
    """The script installed with kwatch for `shell`; rendered afresh if it is missing."""
    if shell not in FILENAMES:
        raise ValueError(f"unknown shell {shell!r}; expected one of: {', '.join(SHELLS)}")
    path = SHIPPED / FILENAMES[shell]
    return path.read_text(encoding="utf-8") if path.exists() else render(shell)


# Typer's fish script asks kwatch twice per <Tab>: a --condition "is-args" call (are there
# values? if not, fish offers files), then the "get-args" call for the values. Here the
# condition asks once for the values and keeps them; the arguments print what it kept.
_FISH_CONDITION = re.compile(r' --condition "[^"]*"')
_FISH_ARGUMENTS = re.compile(r'--arguments "\((.*)\)"')
_FISH_FUNCTION = """function __kwatch_values
    set -g __kwatch_values ({call})
    test -n "$__kwatch_values"
end
"""


def render(shell: str) -> str:
    """The completion script for `shell` (bash, zsh or fish), as checked in under completions/."""
    if shell not in FILENAMES:
        raise ValueError(f"unknown shell {shell!r}; expected one of: {', '.join(SHELLS)}")
    script = _app_script(shell).strip("\n")
    if shell == "zsh":
        return _finish_zsh(script)
    if shell == "fish":
        if len(_FISH_CONDITION.findall(script)) != 1:
            raise RuntimeError(
                "Typer's fish completion script changed shape; update kwatch.completions.render"
            )
        call = _FISH_ARGUMENTS.search(script)
        if call is None:
            raise RuntimeError(
                "Typer's fish completion script changed shape; update kwatch.completions.render"
            )
        line = _FISH_CONDITION.sub(" --condition __kwatch_values", script)
        kept = "--arguments '(string join \\n -- $__kwatch_values)'"
        line = _FISH_ARGUMENTS.sub(lambda _: kept, line)
        script = _FISH_FUNCTION.format(call=call.group(1)) + line
    return f"# {shell} completion for kwatch. {GENERATED}\n{script}\n"


def _app_script(shell: str) -> str:
    env = {**os.environ, "_KWATCH_COMPLETE": f"source_{shell}"}
    result = subprocess.run(
        [sys.executable, "-c", _RUN_AS_KWATCH],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    if result.returncode != 0 or not result.stdout.strip():
        raise RuntimeError(
            f"kwatch did not print a {shell} completion script (exit {result.returncode}): "
            f"{result.stderr.strip() or 'no output'}"
        )
    return result.stdout


def _finish_zsh(script: str) -> str:
    first, _, body = script.partition("\n")
    body += "\n"
    # compinit only registers files whose FIRST line is the #compdef tag.
    if first != "#compdef kwatch" or body.count(_ZSH_EVAL) != 1 or body.count(_ZSH_REGISTER) != 1:
        raise RuntimeError(
            "Typer's zsh completion script changed shape; update kwatch.completions._finish_zsh"
        )
    body = body.replace(_ZSH_EVAL, _ZSH_EVAL_RCQUOTES).replace(_ZSH_REGISTER, _ZSH_REGISTER_OR_RUN)
    return f"{first}\n# zsh completion for kwatch. {GENERATED}\n\n{body.strip()}\n"
