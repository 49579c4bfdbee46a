"""Faults while writing: a killed build, a read-only folder, a full disk.

The output folder is always either the complete old site or the complete new one, and a
failed write says so plainly and leaves no temporary folder behind.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURE, ROOT
from support import leftovers, tree_hashes

import sitegen.writer

PAGES = 160  # enough for a build of about a second, so kills land mid-write
KILLS = 20
HINT = "  hint: check the disk has room and the folder can be written; the old site is unchanged"


def generate(site: Path, version: str) -> None:
    """Fill causes/ with PAGES pages whose text depends on `version`."""
    paragraph = f"Version {version} of a page about the upper back. " * 30
    for n in range(PAGES):
        (site / f"content/causes/page-{n:03d}.md").write_text(
            f"---\ntitle: Page {n}\ndescription: Page {n}, {version}.\n---\n"
            f"## Part one\n\n{paragraph}\n\n- one\n- two\n\n## Part two\n\n{paragraph}\n",
            encoding="utf-8",
        )


def build_cmd(*args: str) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "build", *args]


def start_build(site: Path, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        build_cmd(),  # with the cache, as staff run it: a killed save must not harm it
        cwd=site,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the workers die with it
    )


def wait_for_writing(site: Path, build: subprocess.Popen) -> float:
    """Wait until the build has made its temporary folder (or ended); return that moment."""
    deadline = time.monotonic() + 30
    while build.poll() is None and time.monotonic() < deadline:
        if list(site.glob(f"._site.tmp-{build.pid}")):
            break
        time.sleep(0.002)
    return time.monotonic()


def restore(site: Path, copy: Path) -> None:
    shutil.rmtree(site / "_site")
    shutil.copytree(copy, site / "_site")


def test_a_killed_build_leaves_the_old_site_or_the_new_one(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(FIXTURE, site)
    generate(site, "one")
    subprocess.run(build_cmd("--no-cache"), cwd=site, check=True, capture_output=True)
    old = tree_hashes(site / "_site")
    old_copy = tmp_path / "old-copy"
    shutil.copytree(site / "_site", old_copy)
    generate(site, "two")
    subprocess.run(
        build_cmd("--no-cache", "--out", "new"), cwd=site, check=True, capture_output=True
    )
    new = tree_hashes(site / "new")
    shutil.rmtree(site / "new")
    assert old != new and len(new) > PAGES

    # One whole build from the old site: how long it writes (the kills below spread over it).
    log = tmp_path / "build.log"
    build = start_build(site, log)
    began = wait_for_writing(site, build)
    assert build.wait(timeout=60) == 0, log.read_text()
    span = time.monotonic() - began
    assert tree_hashes(site / "_site") == new
    restore(site, old_copy)

    seen: Counter[str] = Counter()
    # Writing is quick, so a busy machine can make kills miss it: go on (up to three rounds)
    # until a quarter of them have landed while the new site was being written.
    for n in range(KILLS * 3):
        if n >= KILLS and seen["while writing"] >= KILLS // 4:
            break
        build = start_build(site, log)
        if n < 2:  # while Python starts and the pages are read
            time.sleep(0.05 + 0.15 * n)
        else:  # from the first file written to just past the end
            wait_for_writing(site, build)
            time.sleep(span * 1.1 * ((n - 2) % (KILLS - 2)) / (KILLS - 3))
        writing = bool(list(site.glob(f"._site.tmp-{build.pid}")))
        os.killpg(build.pid, signal.SIGKILL)
        build.wait()
        state = tree_hashes(site / "_site")
        assert state in (old, new), f"kill {n} left a mixed or missing site: {log.read_text()}"
        seen["new" if state == new else "old"] += 1
        seen["while writing"] += writing
        if state == new:  # start the next kill from the old site again
            restore(site, old_copy)

    print(f"{n} kills in a build writing for {span:.2f} s: {dict(seen)}")
    assert seen["old"] and seen["new"] and seen["while writing"] >= KILLS // 4, dict(seen)
    subprocess.run(build_cmd(), cwd=site, check=True, capture_output=True)
    assert tree_hashes(site / "_site") == new
    assert leftovers(site) == [], "no temporary folders after the next build"


# --- a real read-only or full disk (a small tmpfs) ----------------------------------


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    """A fresh 8 MB tmpfs; skipped where mounting is not allowed (not root, a container)."""
    mount = tmp_path / "disk"
    mount.mkdir()
    try:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
            capture_output=True,
            text=True,
        )
    except FileNotFoundError:
        pytest.skip("no mount command: the injected-error tests below cover this path")
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); see the injected tests")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def expect_write_error(result, out: Path, reason: str) -> None:
    assert result.code == 1, result.out + result.err
    assert result.err.splitlines() == [
        f"{out}: could not write the site: {reason}",
        HINT,
        f"build failed: 1 error(s); {out} is unchanged",
    ]


def test_read_only_output_folder(site: Path, disk: Path, run) -> None:
    out = disk / "_site"
    assert run("build", "--out", str(out)).code == 0
    before = tree_hashes(out)
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
    (site / "content/about.md").write_text("---\ntitle: New\ndescription: x\n---\nNew.\n")
    expect_write_error(run("build", "--out", str(out)), out, "Read-only file system")
    assert tree_hashes(out) == before


def test_full_disk(site: Path, disk: Path, run) -> None:
    out = disk / "_site"
    assert run("build", "--out", str(out)).code == 0
    before = tree_hashes(out)
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as handle, pytest.raises(OSError) as full:
        while True:
            handle.write(b"\0" * 65536)
    assert full.value.errno == errno.ENOSPC
    (site / "content/about.md").write_text("---\ntitle: New\ndescription: x\n---\nNew.\n")
    expect_write_error(run("build", "--out", str(out)), out, "No space left on device")
    assert tree_hashes(out) == before
    beside = sorted(p.name for p in disk.iterdir())
    assert beside == ["._site-build.lock", "_site", "filler"], "no temporary folder"
    filler.unlink()
    assert run("build", "--out", str(out)).code == 0, "room again: the build works"
    assert "New." in (out / "about/index.html").read_text()


# --- the same errors injected at each place the build writes -----------------------


def failing(error: int, after: int = 0):
    """A stand-in that works `after` times, then raises OSError(error)."""
    calls = {"n": 0}

    def wrap(real):
        def fake(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] > after:
                raise OSError(error, os.strerror(error))
            return real(*args, **kwargs)

        return fake

    return wrap


def mkdir_of_temp_fails(error: int):
    real = os.mkdir

    def fake(path, *args, **kwargs):
        if ".tmp-" in os.fspath(path):
            raise OSError(error, os.strerror(error))
        return real(path, *args, **kwargs)

    return fake


INJECTED = {
    "page writes, disk full after 3 pages": (sitegen.writer, "place", errno.ENOSPC, 3),
    "static files, disk full": (sitegen.writer.shutil, "copyfile", errno.ENOSPC, 0),
    "the swap, read-only": (sitegen.writer, "_exchange", errno.EROFS, 0),
    "the temporary folder, read-only": (sitegen.writer.os, "mkdir", errno.EROFS, None),
}


@pytest.mark.parametrize("name", INJECTED)
def test_injected_write_error(name: str, site: Path, run, monkeypatch) -> None:
    assert run("build").code == 0
    before = tree_hashes(site / "_site")
    module, attr, error, after = INJECTED[name]
    real = getattr(module, attr)
    fake = mkdir_of_temp_fails(error) if after is None else failing(error, after)(real)
    (site / "content/about.md").write_text("---\ntitle: New\ndescription: x\n---\nNew.\n")
    content = tree_hashes(site / "content")
    with monkeypatch.context() as patch:  # not monkeypatch.undo(): that would undo the chdir
        patch.setattr(module, attr, fake)
        expect_write_error(run("build"), Path("_site"), os.strerror(error))
    assert tree_hashes(site / "_site") == before
    assert tree_hashes(site / "content") == content
    assert leftovers(site) == []
    assert run("build").code == 0, "once the disk is fine again, the build works"
    assert "New." in (site / "_site/about/index.html").read_text()


def test_unchanged_pages_are_copied_when_hard_links_fail(site: Path, run, monkeypatch) -> None:
    assert run("build").code == 0
    first = tree_hashes(site / "_site")
    monkeypatch.setattr(os, "link", failing(errno.EMLINK)(os.link))
    result = run("build")
    assert result.code == 0 and "7 unchanged" in result.out
    assert tree_hashes(site / "_site") == first


def test_full_disk_while_copying_unchanged_pages(site: Path, run, monkeypatch) -> None:
    assert run("build").code == 0
    before = tree_hashes(site / "_site")
    page = site / "content" / "causes" / "kyphosis.md"  # one edit: the rest is copied
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    monkeypatch.setattr(os, "link", failing(errno.ENOSPC)(os.link))
    monkeypatch.setattr(shutil, "copyfile", failing(errno.ENOSPC)(shutil.copyfile))
    expect_write_error(run("build"), Path("_site"), "No space left on device")
    assert tree_hashes(site / "_site") == before
    assert leftovers(site) == []


@pytest.mark.parametrize("rel", ["../escaped.html", "/etc/escaped", "a/../../escaped"])
def test_the_writer_never_writes_outside_the_new_site(tmp_path: Path, rel: str) -> None:
    root = tmp_path / "new"
    root.mkdir()
    with pytest.raises(OSError, match="outside the site"):
        sitegen.writer.put(root, rel, b"x")
    assert not (tmp_path / "escaped.html").exists() and not (tmp_path / "escaped").exists()
