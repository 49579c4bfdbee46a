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
    # not the variables of a `make test` this may run under, nor a relaunch's mark
    drop = ("SITEGEN_RELAUNCHED", "MAKEFLAGS", "MAKELEVEL", "MFLAGS")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


# --- any python runs build.py ------------------------------------------------------------


def test_a_python_without_the_libraries_relaunches_in_the_venv(tmp_path: Path) -> None:
    root = project(tmp_path, venv=True)
    direct = run([sys.executable, "build.py", "check"], root)
    done = run([*BARE, "build.py", "check"], root)
    assert "external link" in done.stdout, done.stderr  # the check really ran
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
    names = {"pyyaml": "yaml", "pillow": "PIL"}  # distribution -> module, where they differ
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    wanted = {names.get(n, n) for n in (re.match(r"[A-Za-z0-9_.-]+", d)[0].lower() for d in deps)}
    assert set(load_build_py().NEEDED) == wanted


# --- make check, make new ------------------------------------------------------------------

needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


@needs_make
def test_make_new_creates_the_page(tmp_path: Path) -> None:
    root = project(tmp_path, venv=False)
    make = [
        "make",
        "--no-print-directory",
        "-f",
        str(ROOT / "Makefile"),
        f"PY={sys.executable}",
        "STAMP=",
    ]
    done = run([*make, "new", "SECTION=causes", "TITLE=Rib pain"], root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (root / "content/causes/rib-pain.md").is_file()
    assert "created content/causes/rib-pain.md" in done.stdout


@needs_make
def test_make_new_without_a_title_shows_how(tmp_path: Path) -> None:
    root = project(tmp_path, venv=False)
    make = [
        "make",
        "--no-print-directory",
        "-f",
        str(ROOT / "Makefile"),
        f"PY={sys.executable}",
        "STAMP=",
    ]
    done = run([*make, "new", "SECTION=causes"], root)
    assert done.returncode != 0
    assert 'usage: make new SECTION=causes TITLE="Rib pain"' in done.stderr


@needs_make
def test_make_check_runs_the_check(tmp_path: Path) -> None:
    root = project(tmp_path, venv=False)
    make = [
        "make",
        "--no-print-directory",
        "-f",
        str(ROOT / "Makefile"),
        f"PY={sys.executable}",
        "STAMP=",
    ]
    done = run([*make, "check"], root)
    direct = run([sys.executable, "build.py", "check"], root)
    assert "external link" in done.stdout, done.stderr
    assert done.stdout.endswith(direct.stdout), done.stdout


# --- a wrong command line (exit 2) or set-up (exit 1): a clear message, never "unexpected" --


def clear(result) -> str:
    """The message, after checking it is not a traceback or an 'unexpected problem'."""
    assert "Traceback" not in result.err and "unexpected problem" not in result.err, result.err
    return result.err


@pytest.mark.parametrize("value", ["99999", "-1", "abc", "0", "80.5"])
def test_an_invalid_port_is_a_command_line_error(site: Path, run, value: str) -> None:
    result = run("serve", "--port", value)
    assert result.code == 2
    assert f"argument --port: '{value}' is not a port number (1 to 65535)" in clear(result)
    assert not (site / "_site").exists(), "nothing was built"


@pytest.mark.parametrize("command", [["build"], ["check"], ["serve"], ["new", "causes", "X"]])
def test_a_missing_content_folder_is_named(site: Path, run, command: list[str]) -> None:
    result = run(*command, "--content", "nope")
    assert result.code == 2
    err = clear(result)
    assert f"build.py {command[0]}: there is no content folder at nope:" in err
    assert "or give --content" in err


def test_a_missing_templates_folder_is_named(site: Path, run) -> None:
    result = run("build", "--templates", "nope")
    assert result.code == 2
    assert "there is no templates folder at nope" in clear(result)


def test_a_cache_that_is_a_file_is_a_set_up_error(site: Path, run) -> None:
    (site / ".cache").write_text("not a folder")
    result = run("build")
    assert result.code == 1
    err = clear(result)
    assert ".cache should be the build cache's folder but is a file" in err
    assert "delete it, or build with --no-cache" in err
    assert not (site / "_site").exists()
    assert run("build", "--no-cache").code == 0, "--no-cache builds without it"


@pytest.mark.parametrize(
    "value",
    [
        "ftp://www.clinic.org/",
        "www.clinic.org",
        "https://",
        "https://www.clinic.org/?page=1",
        "https://www.clinic.org/#top",
        "https://www.clinic.org/index.html",
        "https://www.clinic.org:99x/",
        "https://www.clin ic.org/",
    ],
)
def test_a_bad_base_url_is_blamed_on_the_command_line(site: Path, run, value: str) -> None:
    result = run("build", "--base-url", value)
    assert result.code == 2
    err = clear(result)
    assert f"argument --base-url: '{value}' is not the address of the site's home page" in err
    assert "site.yaml" not in err


@pytest.mark.parametrize(
    "value", ["https://www.clinic.org", "https://www.clinic.org/", "http://localhost:8000/clinic"]
)
def test_a_good_base_url_is_used(site: Path, run, value: str) -> None:
    result = run("build", "--base-url", value)
    assert result.code == 0, result.err
    sitemap = (site / "_site/sitemap.xml").read_text()
    assert value.rstrip("/") + "/causes/kyphosis/" in sitemap


def test_an_output_folder_that_is_a_mount_point_is_refused(
    site: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renaming a mount point fails (EBUSY): the guard says why instead of blaming the disk."""
    import sitegen.writer

    mount = site / "disk"
    mount.mkdir()
    real = os.path.ismount
    monkeypatch.setattr(sitegen.writer.os.path, "ismount", lambda p: p == mount or real(p))
    result = run("build", "--out", "disk")
    assert result.code == 1
    err = clear(result)
    assert "refusing to build into disk: it is a mount point (a disk or share of its own)" in err
    assert "hint: build into a folder inside it, such as disk" in err
    assert list(mount.iterdir()) == []


def test_an_address_serve_cannot_listen_on_is_a_set_up_error(site: Path, run) -> None:
    from support import free_port

    port = free_port()
    result = run("serve", "--host", "192.0.2.1", "--port", str(port))  # TEST-NET: not ours
    assert result.code == 1
    err = clear(result)
    assert f"cannot listen on 192.0.2.1 port {port}: " in err
    assert "hint: use --host 127.0.0.1, the preview's usual address" in err
    assert not (site / "_site").exists(), "refused before building"


def test_a_real_mount_point_as_output_is_refused(site: Path, run) -> None:
    """The same with a real tmpfs, where mounting is allowed (root, outside a container)."""
    mount = site / "disk"
    mount.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
            capture_output=True,
            text=True,
        )
    except FileNotFoundError:
        pytest.skip("no mount command: test_an_output_folder_that_is_a_mount_point covers it")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); the test above covers it")
    try:
        result = run("build", "--out", "disk")
        entries = list(mount.iterdir())
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)
    assert result.code == 1
    assert "refusing to build into disk: it is a mount point" in clear(result)
    assert entries == []
