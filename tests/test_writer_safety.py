"""The writer under pressure (issue 16): one build at a time, a linked web root, an output
folder inside the sources, and edits that keep a file's size and time."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock
from support import leftovers, tree_hashes

import sitegen.writer

ROOT = Path(__file__).resolve().parents[1]


def test_a_build_waits_for_another_and_then_says_why_it_stopped(
    site: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("build").code == 0
    before = tree_hashes(site / "_site")
    monkeypatch.setattr(sitegen.writer, "LOCK_WAIT", 0.3)
    (site / "content/about.md").write_text("---\ntitle: New\ndescription: x\n---\nNew.\n")
    with FileLock(site / "._site-build.lock"):  # another build is writing
        result = run("build")
    assert result.code == 1
    assert "_site: another build is writing _site; this one stopped" in result.err
    assert tree_hashes(site / "_site") == before
    assert not [p for p in site.glob("._site.tmp-*")], "no temporary folder left"
    assert run("build").code == 0, "once the other build is done, this one works"
    assert "New." in (site / "_site/about/index.html").read_text()


def test_two_builds_at_once_both_leave_a_whole_site(site: Path, run) -> None:
    assert run("build", "--out", "expected").code == 0
    command = [sys.executable, str(ROOT / "build.py"), "build"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    builds = [subprocess.Popen(command, cwd=site, env=env) for _ in range(3)]
    assert [b.wait(timeout=120) for b in builds] == [0, 0, 0]
    assert tree_hashes(site / "_site") == tree_hashes(site / "expected")
    assert not list(site.glob("._site.tmp-*"))


def test_a_linked_web_root_is_published_through_the_link(site: Path, run, tmp_path: Path) -> None:
    webroot = tmp_path / "www"
    webroot.mkdir()
    (site / "_site").symlink_to(webroot)
    assert run("build").code == 0
    assert (site / "_site").is_symlink(), "the link is kept"
    assert (webroot / "index.html").is_file()
    (site / "content/about.md").write_text("---\ntitle: New\ndescription: x\n---\nFresh.\n")
    result = run("build")
    assert result.code == 0, result.err
    assert "Fresh." in (webroot / "about/index.html").read_text(), "later builds update it"


@pytest.mark.parametrize("folder, name", [("content", "content"), ("static", "static files"),
                                          ("templates", "templates")])  # fmt: skip
def test_an_output_folder_inside_the_sources_is_refused(
    site: Path, run, folder: str, name: str
) -> None:
    before = tree_hashes(site / folder)
    result = run("build", "--out", f"{folder}/out")
    assert result.code == 1
    assert f"refusing to build into {folder}/out: it is inside the {name}" in result.err
    assert tree_hashes(site / folder) == before


def test_an_edit_that_keeps_size_and_time_is_rebuilt(site: Path, run) -> None:
    assert run("build").code == 0
    page = site / "content/about.md"
    stat = page.stat()
    text = page.read_text()
    changed = text.replace(text[-6:-1], "Zzzzz")  # as long as before
    assert len(changed.encode()) == len(text.encode()) and changed != text
    page.write_text(changed)
    os.utime(page, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as `cp -p` or `touch -d` leave it
    assert run("build").code == 0
    assert "Zzzzz" in (site / "_site/about/index.html").read_text()


def _clean_build(run, site: Path) -> dict[str, str]:
    assert run("build", "--no-cache", "--out", "clean").code == 0
    return tree_hashes(site / "clean")


def test_the_site_before_last_is_brought_up_to_date_as_the_next_one(site: Path, run) -> None:
    """The spare beside the output (the site before last) becomes the next site with only
    the changed files replaced: unchanged copies are the very same files."""
    image = next(p for p in (site / "static/images").rglob("*") if p.is_file())
    copied = f"_site/images/{image.name}"
    assert run("build").code == 0
    first = (site / copied).stat().st_ino
    (site / "content/about.md").write_text("---\ntitle: About\ndescription: x\n---\nOne.\n")
    assert run("build").code == 0
    assert (site / "._site.spare" / copied.removeprefix("_site/")).stat().st_ino == first
    (site / "content/about.md").write_text("---\ntitle: About\ndescription: x\n---\nTwo.\n")
    (site / "content/causes/scoliosis.md").unlink()  # a page and its folder go
    (site / "content/new-page.md").write_text("---\ntitle: New\ndescription: x\n---\nNew.\n")
    assert run("build").code == 0
    assert (site / copied).stat().st_ino == first, "the spare's copy was kept, not made again"
    assert "Two." in (site / "_site/about/index.html").read_text()
    assert not (site / "_site/causes/scoliosis").exists()
    assert (site / "_site/new-page/index.html").exists()
    published = tree_hashes(site / "_site")
    assert published == _clean_build(run, site)
    assert not leftovers(site)


@pytest.mark.parametrize("damage", ["a file edited", "a file added", "the record garbled"])
def test_a_spare_that_is_not_as_it_was_kept_is_not_used(site: Path, run, damage: str) -> None:
    assert run("build").code == 0
    (site / "content/about.md").write_text("---\ntitle: About\ndescription: x\n---\nOne.\n")
    assert run("build").code == 0
    spare = site / "._site.spare"
    if damage == "a file edited":
        (spare / "images/curve.svg").write_text("edited by hand")  # a copy, not a link
    elif damage == "a file added":
        (spare / "causes/stray.html").write_text("added by hand")
    else:
        (site / "._site.spare.pickle").write_bytes(b"not a pickle")
    (site / "content/about.md").write_text("---\ntitle: About\ndescription: x\n---\nTwo.\n")
    assert run("build").code == 0
    assert tree_hashes(site / "_site") == _clean_build(run, site)
    assert not leftovers(site)
