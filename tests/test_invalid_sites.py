"""Each folder in tests/invalid/ is a broken site with the exact messages a staff member sees.

A case folder holds only what differs from `tests/invalid/_base/`, a small good site: the
files it adds or replaces, an optional `delete.txt` naming base files it removes (one a line),
and `expected.txt`, the lines `build.py build` prints (standard output, then standard error;
a first line `exit status N` when the status is not 1). See tests/invalid/README.md.

Each case is built twice through the command line: once as a first build (no _site, no
cache), once after a good build of the base. Both must print the same lines. The test also
checks that a failed build leaves the old _site byte-for-byte as it was (or makes none),
never changes content/, leaves no temporary folder beside the output, and writes nothing
outside the site's folder.

Rewrite every expected.txt on purpose (then read the diff) with
UPDATE_EXPECTED=1 .venv/bin/python -m pytest tests/test_invalid_sites.py
"""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest
from support import tree_hashes

INVALID = Path(__file__).resolve().parent / "invalid"
BASE = INVALID / "_base"
EXPECTED, DELETE = "expected.txt", "delete.txt"
CASES = sorted(p.name for p in INVALID.iterdir() if p.is_dir() and p.name[0] not in "_.")


def overlay(case: Path, site: Path) -> None:
    """Copy the case's files over the site, then delete the files its delete.txt names."""
    for source in sorted(case.rglob("*")):
        rel = source.relative_to(case)
        if source.is_file() and rel.as_posix() not in (EXPECTED, DELETE):
            (site / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, site / rel)
    if (case / DELETE).is_file():
        for line in (case / DELETE).read_text(encoding="utf-8").splitlines():
            if line.strip():
                (site / line.strip()).unlink()  # fails loudly if the base has no such file


def everything_outside(root: Path, site: Path) -> list[str]:
    """Every path under `root` that is not inside `site`."""
    return sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p != site and site not in p.parents
    )


def beside_output(site: Path) -> list[str]:
    """The names in the site's folder, where the writer puts its temporary folder."""
    # A failed build may still save the build cache; it is not part of the output.
    return sorted(name for name in os.listdir(site) if name != ".cache")


def printed(code: int, out: str, err: str) -> list[str]:
    """What the command showed, in the form of expected.txt."""
    status = [] if code == 1 else [f"exit status {code}"]
    return status + out.splitlines() + err.splitlines()


def compare(name: str, actual: list[str]) -> None:
    """Fail with a diff when the printed lines differ from expected.txt (or rewrite it)."""
    path = INVALID / name / EXPECTED
    if os.environ.get("UPDATE_EXPECTED"):
        path.write_text("".join(line + "\n" for line in actual), encoding="utf-8")
    want = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    if want != actual:
        diff = difflib.unified_diff(want, actual, f"{name}/{EXPECTED}", "printed", lineterm="")
        pytest.fail(
            "\n".join([*diff, "(if the change is intended, rerun with UPDATE_EXPECTED=1)"]),
            pytrace=False,
        )


def build_case(name: str, root: Path, run, old_site: bool) -> list[str]:
    """Break a copy of the base with the case, build it, check what it left; the lines printed."""
    # Two levels down, so that a path climbing out of the site stays under root.
    site = root / "work" / "site"
    shutil.copytree(BASE, site)
    os.chdir(site)
    if old_site:
        result = run("build")
        assert result.code == 0, result.err
    before = tree_hashes(site / "_site")
    overlay(INVALID / name, site)
    content = tree_hashes(site / "content") if (site / "content").is_dir() else {}
    beside, outside = beside_output(site), everything_outside(root, site)

    result = run("build")

    assert result.code != 0, f"{name} built without an error:\n{result.out}{result.err}"
    assert "Traceback" not in result.err and "unexpected problem" not in result.err, result.err
    assert tree_hashes(site / "_site") == before, "the old _site is byte-for-byte unchanged"
    after = tree_hashes(site / "content") if (site / "content").is_dir() else {}
    assert after == content, "the build never changes content/"
    assert beside_output(site) == beside, "no temporary folder is left beside the output"
    assert everything_outside(root, site) == outside, "nothing is written outside the site"
    return printed(result.code, result.out, result.err)


@pytest.mark.parametrize("name", CASES)
def test_invalid_site(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run) -> None:
    monkeypatch.chdir(tmp_path)  # restored after the test; build_case moves into each copy
    first = build_case(name, tmp_path / "first", run, old_site=False)
    again = build_case(name, tmp_path / "again", run, old_site=True)
    compare(name, again)
    assert first == again, "a first build (no _site, no cache) prints the same messages"


def test_the_base_site_builds_without_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run
) -> None:
    shutil.copytree(BASE, tmp_path / "site")
    monkeypatch.chdir(tmp_path / "site")
    result = run("build")
    assert result.code == 0
    assert result.err == "", "the base is a good site: every message comes from a case"
