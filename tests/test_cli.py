"""The command line as staff type it: any `python`, `make check`, `make new`, bad arguments."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest
from conftest import FIXTURE, ROOT

# The interpreter the venv was made from: it has none of the project's libraries, and
# -S keeps out any that were installed system-wide.
BARE = [getattr(sys, "_base_executable", sys.executable), "-S"]


def load_build_py() -> ModuleType:
    """build.py as a module (it must import without the project's libraries)."""
    spec = importlib.util.spec_from_file_location("build_script", ROOT / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def project(tmp_path: Path, venv: bool) -> Path:
    """A project folder: build.py, the sitegen package, the fixture's content; .venv if asked."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root)
    shutil.copy(ROOT / "build.py", root / "build.py")
    (root / "sitegen").symlink_to(ROOT / "sitegen", target_is_directory=True)
    if venv:
        (root / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return root


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SITEGEN_RELAUNCHED"}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


# --- any python runs build.py ------------------------------------------------------------


def test_a_python_without_the_libraries_relaunches_in_the_venv(tmp_path: Path) -> None:
    root = project(tmp_path, venv=True)
    direct = run([sys.executable, "build.py", "check"], root)
    done = run([*BARE, "build.py", "check"], root)
    assert "External links" in done.stdout, done.stderr  # the check really ran
    assert (done.returncode, done.stdout, done.stderr) == (
        direct.returncode,
        direct.stdout,
        direct.stderr,
    )
    assert "Traceback" not in done.stderr


def test_without_a_venv_it_says_what_to_run_in_one_sentence(tmp_path: Path) -> None:
    root = project(tmp_path, venv=False)
    done = run([*BARE, "build.py", "new", "causes", "Rib pain"], root)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "run `make serve` once first" in lines[0]
    assert "py -m venv .venv" in lines[0] and ".venv\\Scripts\\python -m pip install" in lines[0]
    assert not (root / "content/causes/rib-pain.md").exists()


def test_the_venv_python_itself_does_not_relaunch(tmp_path: Path) -> None:
    root = project(tmp_path, venv=True)
    build_py = load_build_py()
    assert build_py.venv_python(root, windows=False) == root / ".venv/bin/python"
    assert build_py.in_venv(root), "the tests run in the .venv the project links to"
    assert build_py.relaunch(root, ["check"]) is None


def test_the_venv_python_is_found_on_windows(tmp_path: Path) -> None:
    scripts = tmp_path / ".venv" / "Scripts"
    scripts.mkdir(parents=True)
    (scripts / "python.exe").write_bytes(b"")
    build_py = load_build_py()
    assert build_py.venv_python(tmp_path, windows=True) == scripts / "python.exe"
    assert build_py.venv_python(tmp_path / "elsewhere", windows=True) is None
    (tmp_path / ".venv" / "bin").mkdir()
    (tmp_path / ".venv" / "bin" / "python").write_bytes(b"")
    assert build_py.venv_python(tmp_path, windows=True) == scripts / "python.exe"
    assert build_py.venv_python(tmp_path, windows=False) == tmp_path / ".venv/bin/python"


def test_build_py_knows_every_library_pyproject_needs() -> None:
    names = {"pyyaml": "yaml"}  # distribution -> module, where they differ
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    wanted = {names.get(n, n) for n in (re.match(r"[A-Za-z0-9_.-]+", d)[0].lower() for d in deps)}
    assert set(load_build_py().NEEDED) == wanted


# --- make check, make new ------------------------------------------------------------------

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@needs_make
def test_make_new_creates_the_page(tmp_path: Path) -> None:
    root = project(tmp_path, venv=False)
    make = ["make", "-f", str(ROOT / "Makefile"), f"PY={sys.executable}", "STAMP="]
    done = run([*make, "new", "SECTION=causes", "TITLE=Rib pain"], root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (root / "content/causes/rib-pain.md").is_file()
    assert "created content/causes/rib-pain.md" in done.stdout


@needs_make
def test_make_new_without_a_title_shows_how(tmp_path: Path) -> None:
    root = project(tmp_path, venv=False)
    make = ["make", "-f", str(ROOT / "Makefile"), f"PY={sys.executable}", "STAMP="]
    done = run([*make, "new", "SECTION=causes"], root)
    assert done.returncode != 0
    assert 'usage: make new SECTION=causes TITLE="Rib pain"' in done.stderr


@needs_make
def test_make_check_runs_the_check(tmp_path: Path) -> None:
    root = project(tmp_path, venv=False)
    make = ["make", "-f", str(ROOT / "Makefile"), f"PY={sys.executable}", "STAMP="]
    done = run([*make, "check"], root)
    direct = run([sys.executable, "build.py", "check"], root)
    assert "External links" in done.stdout, done.stderr
    assert done.stdout.endswith(direct.stdout)
