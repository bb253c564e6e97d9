"""Shell completion: the checked-in scripts are current, and real shells complete from them.

The shell tests ask bash (with bash-completion when installed), zsh and fish for the completions
of a partial command line, with the scripts installed the way the README says, and a database
that holds a custom title so values from the user's own data are covered too. Each shell's tests
skip, saying why, when that shell is not installed (.ci/run installs them in CI).
"""

from __future__ import annotations

import contextlib
import functools
import os
import select
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kwatch.completions import FILENAMES, SHELLS
from kwatch.completions import render as _render

REPO = Path(__file__).resolve().parents[1]
COMPLETIONS = REPO / "completions"
BIN = Path(sys.executable).parent
KWATCH = BIN / ("kwatch.exe" if os.name == "nt" else "kwatch")
BASH_COMPLETION = Path("/usr/share/bash-completion/bash_completion")
SHELL_TIMEOUT = 30

# A custom title whose name would run commands if a completion script evaluated it.
CUSTOM_TITLE = 'Quokka\'s Harbour: $(touch pwned) `touch pwned2` "Redux"'
CUSTOM_ID = "quokkas-harbour-touch-pwned-touch-pwned2-redux-2027"

# Each render starts kwatch once; the scripts cannot change during a test run.
render = functools.cache(_render)

STALE = "is stale: regenerate it with `python completions/generate.py` and commit the result"


# --- the checked-in scripts ------------------------------------------------------------------


@pytest.mark.parametrize("shell", SHELLS)
def test_checked_in_script_is_current(shell: str) -> None:
    path = COMPLETIONS / FILENAMES[shell]
    assert path.exists(), f"{path} is missing: run python completions/generate.py"
    assert path.read_text(encoding="utf-8") == render(shell), f"{path} {STALE}"


def test_generate_writes_every_script(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, str(COMPLETIONS / "generate.py"), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(FILENAMES.values())
    for shell, name in FILENAMES.items():
        assert (out / name).read_text(encoding="utf-8") == render(shell)


def _generate_module(monkeypatch):
    """completions/generate.py loaded in-process, rendering through the cached `render`
    (test_generate_writes_every_script runs it as a real script once)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("kwatch_generate", COMPLETIONS / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "render", render)
    return module


def test_generate_check_names_stale_scripts(tmp_path: Path, monkeypatch, capsys) -> None:
    generate = _generate_module(monkeypatch)
    assert generate.main([str(tmp_path)]) == 0
    capsys.readouterr()
    assert generate.main(["--check", str(tmp_path)]) == 0
    assert capsys.readouterr().err == ""

    (tmp_path / "_kwatch").write_text("#compdef kwatch\n", encoding="utf-8")
    (tmp_path / "kwatch.fish").unlink()
    assert generate.main(["--check", str(tmp_path)]) == 1
    stale = capsys.readouterr().err
    assert "_kwatch" in stale and "kwatch.fish" in stale
    assert "kwatch.bash" not in stale
    assert "python completions/generate.py" in stale
    assert (tmp_path / "_kwatch").read_text(encoding="utf-8") == "#compdef kwatch\n"


def test_render_rejects_an_unknown_shell() -> None:
    with pytest.raises(ValueError, match="bash, zsh, fish"):
        _render("tcsh")


def test_scripts_name_the_command_and_its_variable() -> None:
    for shell in SHELLS:
        text = render(shell)
        assert "_KWATCH_COMPLETE=complete_" + shell in text, shell
        assert "Generated from the app by completions/generate.py" in text
    # compinit registers a file from $fpath only when its first line is the #compdef tag.
    assert render("zsh").splitlines()[0] == "#compdef kwatch"


# --- every parameter that takes a known kind of value completes it ---------------------------


def _parameters():
    """(command path, click command, parameter) for every parameter of every command."""
    import typer.main

    from kwatch.cli import app

    def walk(command, path):
        subcommands = getattr(command, "commands", None)
        if subcommands:
            for name, sub in subcommands.items():
                yield from walk(sub, [*path, name])
        else:
            for param in command.params:
                yield " ".join(path), command, param

    return list(walk(typer.main.get_command(app), []))


def _offered(command, param, incomplete: str) -> list[str]:
    import typer

    ctx = typer.Context(command, info_name=command.name)
    return [item.value for item in param.shell_complete(ctx, incomplete)]


def _names(param) -> set[str]:
    return {param.name or "", *getattr(param, "opts", [])}


def _check_kind(select_param, incomplete: str, expected: str, what: str) -> None:
    found = [(path, cmd, p) for path, cmd, p in _parameters() if select_param(p)]
    assert found, f"no parameter takes {what}"
    missing = [
        f"kwatch {path} {'/'.join(p.opts) or p.name}"
        for path, cmd, p in found
        if expected not in _offered(cmd, p, incomplete)
    ]
    assert not missing, (
        f"these take {what} but do not complete them (add autocompletion=... from "
        f"kwatch.cli.complete): {', '.join(missing)}"
    )


def test_every_title_argument_completes_titles() -> None:
    _check_kind(lambda p: p.name == "title", "bleak", "bleak-night-2011", "a title")


def test_every_theme_option_completes_themes() -> None:
    _check_kind(lambda p: _names(p) & {"--theme", "--avoid"}, "rom", "romance", "themes")


def test_every_status_parameter_completes_statuses() -> None:
    # A flag takes no value (`kwatch sync --status` shows the sync's state).
    _check_kind(
        lambda p: _names(p) & {"status", "--status"} and not getattr(p, "is_flag", False),
        "on",
        "on-hold",
        "a status",
    )


def test_every_release_type_option_completes_release_types() -> None:
    # Any option whose help lists the release types takes one.
    _check_kind(
        lambda p: "theatrical" in (getattr(p, "help", None) or ""),
        "th",
        "theatrical",
        "a release type",
    )


# --- real shells -----------------------------------------------------------------------------


@dataclass
class Offered:
    values: list[str]
    descriptions: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def shell_world(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A database with the catalogue and one custom title, an empty working folder, and an
    environment with this venv's bin first on PATH (where the scripts find `kwatch`)."""
    if not KWATCH.exists():
        pytest.skip(f"{KWATCH} is not installed; run pip install -e . in this environment")
    root = tmp_path_factory.mktemp("completion")
    home, cwd = root / "home", root / "cwd"
    home.mkdir()
    cwd.mkdir()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("_KWATCH", "_TYPER", "BASH_COMPLETION", "KWATCH"))
        and key not in ("BASH_ENV", "ENV", "ZDOTDIR", "fish_complete_path")
    }
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        KWATCH_DB=str(root / "kwatch.db"),
        KWATCH_CATALOGUE_DIR=str(root / "user-catalogue"),
        KWATCH_TODAY="2026-11-22",
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        LC_ALL="C.UTF-8",
    )
    added = subprocess.run(
        [str(KWATCH), "add", CUSTOM_TITLE, "--custom", "--year", "2027", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    assert CUSTOM_ID in added.stdout
    return {"env": env, "cwd": cwd, "root": root}


def _require(binary: str, package: str) -> str:
    path = shutil.which(binary)
    if path is None:
        pytest.skip(
            f"{binary} is not installed (Debian package {package}); .ci/run installs it in CI"
        )
    return path


END = "<<end-of-completions>>"

BASH_DRIVER = r"""
script=$1
shift
if [[ -r /usr/share/bash-completion/bash_completion ]]; then
  . /usr/share/bash-completion/bash_completion
fi
if [[ -n $script ]]; then
  . "$script"
fi
for line; do
  read -ra COMP_WORDS <<< "$line"
  if [[ -z $line || $line == *' ' ]]; then
    COMP_WORDS+=('')
  fi
  COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
  COMP_LINE=$line
  COMP_POINT=${#line}
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD-1]}
  spec=$(complete -p kwatch 2>/dev/null)
  if [[ -z $spec ]]; then
    # What bash does for a command it has no completion for: run the default (-D) completion,
    # which bash-completion uses to load completions/kwatch.bash on demand.
    default=$(complete -p -D 2>/dev/null)
    if [[ $default == *' -F '* ]]; then
      fn=${default##* -F }
      "${fn%% *}" kwatch "$cur" "$prev"
    fi
    spec=$(complete -p kwatch 2>/dev/null) || { echo 'no completion for kwatch' >&2; exit 3; }
  fi
  fn=${spec##* -F }
  fn=${fn%% *}
  COMPREPLY=()
  "$fn" kwatch "$cur" "$prev"
  printf '%s\n' "${COMPREPLY[@]}" "$END"
done
"""


def _split_batches(stdout: str, lines: list[str]) -> list[list[str]]:
    batches, current = [], []
    for row in stdout.splitlines():
        if row == END:
            batches.append(current)
            current = []
        elif row:
            current.append(row)
    assert len(batches) == len(lines), f"expected {len(lines)} answers, got:\n{stdout}"
    return batches


def bash_complete(world: dict, lines: list[str], *, loader_dir: Path | None = None) -> list:
    """COMPREPLY for each line, with completions/kwatch.bash sourced, or (loader_dir) installed
    as bash-completion's per-user completion for kwatch and loaded on demand."""
    bash = _require("bash", "bash")
    env = dict(world["env"], END=END)
    script = str(COMPLETIONS / FILENAMES["bash"])
    if loader_dir is not None:
        env["BASH_COMPLETION_USER_DIR"] = str(loader_dir)
        script = ""
    result = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", BASH_DRIVER, "bash", script, *lines],
        env=env,
        cwd=world["cwd"],
        capture_output=True,
        text=True,
        timeout=SHELL_TIMEOUT * len(lines),
        check=False,
    )
    assert result.returncode == 0, f"bash failed: {result.stderr}"
    return [Offered(values) for values in _split_batches(result.stdout, lines)]


ZSH_SETUP = r"""
# Load the completion system as a user's .zshrc would, then bind <Tab> to a widget that runs
# the normal completion and records what zsh would offer (in $KW_OUT.N for the Nth <Tab>)
# instead of showing it.
PS1='> ' RPS1='' PROMPT_EOL_MARK=''
unset zle_bracketed_paste
bindkey -e
[[ -n $KW_FPATH ]] && fpath=($KW_FPATH $fpath)
autoload -Uz compinit && compinit -u -D
[[ -n $KW_SOURCE ]] && source $KW_SOURCE
integer kw_tab=0
compadd() {
  # Calls that only ask (-O, -A, -D) pass straight through.
  if (( ${@[(I)-[OAD]*]} )); then
    builtin compadd "$@"
    return
  fi
  # -O does zsh's own matching against the word on the line without adding anything.
  local -a kw_matched
  builtin compadd -O kw_matched "$@"
  (( $#kw_matched )) && print -rl -- $kw_matched >> $KW_OUT.$kw_tab
  local -i i
  for (( i = 1; i < $#; i++ )); do
    [[ ${@[i]} == -d ]] && print -rl -- "${(@P)${@[i+1]}}" >> $KW_OUT.$kw_tab.display
  done
  builtin compadd "$@"
}
_kw_capture() {
  (( kw_tab++ ))
  _main_complete "$@"
  compstate[insert]='' compstate[list]=''
  print -r -- done >| $KW_OUT.$kw_tab.done
}
zle -C kw-capture complete-word _kw_capture
bindkey '^I' kw-capture
"""


def zsh_complete(world: dict, lines: list[str], *, source: bool = False) -> list:
    """What zsh offers on <Tab> after each line, typed into one interactive zsh in a
    pseudo-terminal, with completions/ on $fpath (or, with source=True, _kwatch sourced after
    compinit). Ctrl-U clears the line between them."""
    zsh = _require("zsh", "zsh")
    if os.name != "posix":
        pytest.skip("the zsh tests drive zsh through a POSIX pseudo-terminal")
    import fcntl
    import pty
    import struct
    import termios

    work = Path(tempfile.mkdtemp(dir=world["root"], prefix="zsh-"))
    setup, out = work / "setup.zsh", work / "offered"
    setup.write_text(ZSH_SETUP, encoding="utf-8")
    env = dict(world["env"], TERM="dumb", KW_OUT=str(out))
    if source:
        env.update(KW_FPATH="", KW_SOURCE=str(COMPLETIONS / FILENAMES["zsh"]))
    else:
        env.update(KW_FPATH=str(COMPLETIONS), KW_SOURCE="")

    master, slave = pty.openpty()
    # Wide enough that zsh does not cut descriptions short.
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 300, 0, 0))
    proc = subprocess.Popen(
        [zsh, "-f", "-i"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=world["cwd"],
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    transcript = bytearray()
    answers = []
    try:
        os.write(master, f"source {shlex.quote(str(setup))}\n".encode())
        for number, line in enumerate(lines, start=1):
            os.write(master, f"\x15{line}\t".encode())
            done = Path(f"{out}.{number}.done")
            deadline = time.monotonic() + SHELL_TIMEOUT
            while not done.exists():
                if time.monotonic() > deadline or proc.poll() is not None:
                    shown = transcript.decode("utf-8", "replace")[-3000:]
                    pytest.fail(f"zsh did not finish completing {line!r}; it showed:\n{shown}")
                ready, _, _ = select.select([master], [], [], 0.02)
                if ready:
                    with contextlib.suppress(OSError):
                        transcript += os.read(master, 65536)
            values, shown = Path(f"{out}.{number}"), Path(f"{out}.{number}.display")
            answers.append(
                Offered(
                    values.read_text(encoding="utf-8").splitlines() if values.exists() else [],
                    shown.read_text(encoding="utf-8").splitlines() if shown.exists() else [],
                )
            )
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=SHELL_TIMEOUT)
        os.close(master)
    return answers


def fish_complete(world: dict, lines: list[str], *, source: bool = False) -> list:
    """`complete -C line` in fish for each line, with completions/ on $fish_complete_path
    (autoloaded as kwatch.fish, as from ~/.config/fish/completions), or sourced."""
    fish = _require("fish", "fish")
    load = "source $argv[1]" if source else "set -p fish_complete_path $argv[1]"
    target = COMPLETIONS / FILENAMES["fish"] if source else COMPLETIONS
    script = f"{load}; for line in $argv[2..-1]; complete -C $line; echo '{END}'; end"
    result = subprocess.run(
        [fish, "--no-config", "-c", script, str(target), *lines],
        env=world["env"],
        cwd=world["cwd"],
        capture_output=True,
        text=True,
        timeout=SHELL_TIMEOUT * len(lines),
        check=False,
    )
    assert result.returncode == 0, f"fish failed: {result.stderr}"
    answers = []
    for batch in _split_batches(result.stdout, lines):
        rows = [row.split("\t", 1) for row in batch]
        answers.append(Offered([r[0] for r in rows], [r[1] for r in rows if len(r) > 1]))
    return answers


COMPLETERS = {"bash": bash_complete, "zsh": zsh_complete, "fish": fish_complete}


CASES = [
    pytest.param("kwatch pi", {"pick"}, {"show", "add"}, id="subcommand"),
    pytest.param("kwatch sta", {"status"}, {"show", "search"}, id="subcommand-prefix"),
    pytest.param("kwatch pick --th", {"--theme"}, {"--avoid", "--json"}, id="option"),
    pytest.param("kwatch show bleak", {"bleak-night-2011"}, {"oasis-2002"}, id="title-id"),
    pytest.param("kwatch add oas", {"oasis-2002"}, {"bleak-night-2011"}, id="add-title"),
    pytest.param("kwatch show quok", {CUSTOM_ID}, {"bleak-night-2011"}, id="user-title"),
    pytest.param("kwatch watched quok", {CUSTOM_ID}, set(), id="watched-user-title"),
    pytest.param("kwatch rate bleak", {"bleak-night-2011"}, set(), id="rate-title"),
    pytest.param("kwatch show Micro", {"Microhabitat"}, {"microhabitat-2018"}, id="title-name"),
    pytest.param("kwatch pick --theme rom", {"romance"}, {"thriller"}, id="theme"),
    pytest.param("kwatch search --avoid sexual-", {"sexual-violence"}, {"romance"}, id="avoid"),
    pytest.param("kwatch status oasis-2002 on", {"on-hold"}, {"planned"}, id="status"),
    pytest.param("kwatch list --status dr", {"dropped"}, {"planned"}, id="status-option"),
    pytest.param("kwatch list --sort ra", {"rating"}, {"title"}, id="sort"),
    pytest.param("kwatch upcoming --type th", {"theatrical"}, {"festival"}, id="release-type"),
    pytest.param(
        "kwatch release oasis-2002 2027-05-01 --type str",
        {"streaming"},
        {"theatrical"},
        id="release-type-of-release",
    ),
]


ALL_TITLES = "kwatch show "
NO_TITLE = "kwatch show zzzz"
USER_TITLE = "kwatch show quok"
LINES = [case.values[0] for case in CASES] + [ALL_TITLES, NO_TITLE]


@pytest.fixture(scope="module")
def offered(shell_world: dict):
    """offered(shell, line): what the shell offers, asking each shell once for all LINES."""
    answers: dict[str, dict[str, Offered]] = {}

    def ask(shell: str, line: str) -> Offered:
        if shell not in answers:
            answers[shell] = dict(zip(LINES, COMPLETERS[shell](shell_world, LINES), strict=True))
        return answers[shell][line]

    return ask


@pytest.mark.slow  # a real shell
@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(("line", "wanted", "unwanted"), CASES)
def test_shell_completes(
    offered, shell: str, line: str, wanted: set[str], unwanted: set[str]
) -> None:
    got = set(offered(shell, line).values)
    assert wanted <= got, f"{shell}: {line!r} offered {sorted(got)}"
    assert not got & unwanted, f"{shell}: {line!r} offered {sorted(got & unwanted)}"


@pytest.mark.slow  # a real shell
@pytest.mark.parametrize("shell", SHELLS)
def test_shell_offers_every_title_unharmed(
    offered, shell_world: dict, shell: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every title id (catalogue and user's) comes through each shell, and no title text is
    run as a command on the way."""
    from kwatch.quick_complete import complete_title

    monkeypatch.setenv("KWATCH_DB", shell_world["env"]["KWATCH_DB"])
    expected = {value for value, _ in complete_title("")}
    assert len(expected) > 20
    # An empty prefix offers the first 200 ids; the user's own title comes with its prefix.
    assert CUSTOM_ID in {value for value, _ in complete_title(CUSTOM_ID[:6])}

    assert set(offered(shell, ALL_TITLES).values) == expected
    assert not list(shell_world["cwd"].glob("pwned*")), "a completion ran text from a title"


@pytest.mark.slow  # a real shell
@pytest.mark.parametrize("shell", SHELLS)
def test_shell_offers_nothing_for_an_unknown_title(offered, shell: str) -> None:
    # (The working folder is empty, so the shells' fallback to file names adds nothing either.)
    assert offered(shell, NO_TITLE).values == []


@pytest.mark.slow  # a real shell
@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_shell_describes_titles_by_name(offered, shell_world: dict, shell: str) -> None:
    descriptions = offered(shell, ALL_TITLES).descriptions
    assert any("Bleak Night (2011)" in text for text in descriptions), descriptions
    assert any("I'm a Cyborg, But That's OK (2006)" in text for text in descriptions)
    # Apostrophes, $(...) and backquotes in a user's title are shown as typed, never run.
    name = "Quokka's Harbour: $(touch pwned) `touch pwned2`"
    assert any(name in text for text in descriptions), descriptions
    assert not list(shell_world["cwd"].glob("pwned*"))


@pytest.mark.slow  # a real shell
def test_zsh_completes_when_sourced_after_compinit(shell_world: dict) -> None:
    subcommand, title = zsh_complete(shell_world, ["kwatch pi", USER_TITLE], source=True)
    assert "pick" in subcommand.values
    assert title.values == [CUSTOM_ID]


@pytest.mark.slow  # a real shell
def test_fish_completes_when_sourced(shell_world: dict) -> None:
    (themes,) = fish_complete(shell_world, ["kwatch pick --theme rom"], source=True)
    assert "romance" in themes.values


@pytest.mark.slow  # a real shell
def test_bash_completion_loads_the_script_on_demand(shell_world: dict, tmp_path: Path) -> None:
    """Installed as ~/.local/share/bash-completion/completions/kwatch.bash, bash-completion
    loads it the first time kwatch is completed."""
    _require("bash", "bash")
    if not BASH_COMPLETION.exists():
        pytest.skip(
            f"{BASH_COMPLETION} is missing (Debian package bash-completion); .ci/run installs it"
        )
    user_dir = tmp_path / "bash-completion"
    (user_dir / "completions").mkdir(parents=True)
    shutil.copy(COMPLETIONS / FILENAMES["bash"], user_dir / "completions" / FILENAMES["bash"])
    (status,) = bash_complete(shell_world, ["kwatch status oasis-2002 on"], loader_dir=user_dir)
    assert status.values == ["on-hold"]


def test_one_word_names_complete_too_hangul_included(tmp_path, monkeypatch):
    from kwatch.cli.common import State
    from kwatch.quick_complete import complete_title

    monkeypatch.setenv("KWATCH_DB", str(tmp_path / "names.db"))
    State(None).conn()  # create and index the database
    offered = dict(complete_title("파수"))
    assert "파수꾼" in offered and "bleak-night-2011" in offered["파수꾼"]
    assert "Microhabitat" in dict(complete_title("Micro"))
    assert not any(" " in value for value, _ in complete_title("Th"))  # no names with spaces
    assert [value for value, _ in complete_title("")] == sorted(
        value for value, _ in complete_title("")
    )  # an empty word offers ids only


@pytest.mark.slow  # a real shell
@pytest.mark.parametrize("shell", SHELLS)
def test_shell_completes_a_title_typed_in_any_case(shell_world: dict, shell: str) -> None:
    """`Blea<Tab>`: bash inserts the id (it cannot insert a name with spaces), zsh and fish the
    name. A later word of a name (`harbour`) and a word in capitals (`BLEA`) find the title in
    every shell (zsh through the matcher-list kwatch's script sets for its arguments)."""
    upper, word, shouted = COMPLETERS[shell](
        shell_world, ["kwatch show Blea", "kwatch show harbour", "kwatch show BLEA"]
    )
    if shell == "bash":
        assert "bleak-night-2011" in upper.values, upper.values
    else:
        assert "Bleak Night" in upper.values, upper.values
    assert CUSTOM_ID in word.values, word.values
    assert "bleak-night-2011" in shouted.values, shouted.values
