"""The preview's watcher: pages created, deleted and saved the way editors save them.

`build.py serve` runs for real in a process of its own; the tests change files in its
content folder and fetch pages over HTTP from 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURE, ROOT
from support import free_port, wait_for

NEW_PAGE = """---
title: Rib pain
description: Pain between the ribs and the spine, and what helps.
---
Rib pain can come from a strained muscle between the ribs.
"""


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`build.py serve` on the fixture site; yields its base URL and folder."""
    folder = tmp_path / "site"
    shutil.copytree(FIXTURE, folder)
    port = free_port()
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port)],
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            assert wait_for(lambda: fetch(base + "/")[0] == 200), log_path.read_text()
            yield base, folder
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_a_page_created_then_deleted_while_serving(served: tuple[str, Path]) -> None:
    base, folder = served
    url = base + "/causes/rib-pain/"
    assert fetch(url)[0] == 404
    page = folder / "content/causes/rib-pain.md"
    page.write_text(NEW_PAGE)
    assert wait_for(lambda: fetch(url)[0] == 200), "a new page stays missing until a restart"
    assert "Rib pain can come from a strained muscle" in fetch(url)[1]
    page.unlink()
    assert wait_for(lambda: fetch(url)[0] == 404), "a deleted page is still served"
    assert fetch(base + "/causes/kyphosis/")[0] == 200, "the other pages are still there"


def test_a_page_moved_to_a_new_name_while_serving(served: tuple[str, Path]) -> None:
    base, folder = served
    (folder / "content/about.md").rename(folder / "content/contact.md")
    assert wait_for(lambda: fetch(base + "/contact/")[0] == 200)
    assert wait_for(lambda: fetch(base + "/about/")[0] == 404)


def test_an_atomic_save_is_served_within_a_second(served: tuple[str, Path]) -> None:
    """Many editors write a hidden temporary file and rename it over the page."""
    base, folder = served
    url = base + "/causes/kyphosis/"
    page = folder / "content/causes/kyphosis.md"
    assert "bends ahead" not in fetch(url)[1]
    temporary = page.with_name(".kyphosis.md.tmp-4242")
    temporary.write_text(page.read_text().replace("curves forward", "bends ahead"))
    time.sleep(0.2)  # the hidden file alone must not matter; its rename must
    os.replace(temporary, page)
    assert wait_for(lambda: "bends ahead" in fetch(url)[1], timeout=1.0), (
        "the saved page was not served within a second"
    )
    assert not temporary.exists()


def test_a_hidden_file_alone_changes_nothing(served: tuple[str, Path]) -> None:
    """Editors' swap and backup files are not pages: no rebuild, so no reload in the browser."""
    base, folder = served
    log = folder.parent / "serve.log"
    before = log.read_text().count("rebuilt ")
    (folder / "content/causes/.kyphosis.md.swp").write_text("---\ntitle: [broken\n")
    (folder / "content/causes/kyphosis.md~").write_text("---\ntitle: [broken\n")
    (folder / "content/causes/.kyphosis.md.swp").unlink()
    time.sleep(1.0)
    assert log.read_text().count("rebuilt ") == before, log.read_text()
    assert fetch(base + "/causes/kyphosis/")[0] == 200
    assert fetch(base + "/causes/kyphosis.md~")[0] == 404
    page = folder / "content/causes/kyphosis.md"
    page.write_text(page.read_text().replace("curves forward", "bends ahead"))
    assert wait_for(lambda: log.read_text().count("rebuilt ") > before), "a real edit rebuilds"


def test_later_saves_are_read_from_the_watchers_list_of_changes(
    served: tuple[str, Path],
) -> None:
    """After the first rebuild, serve reads only the files its watcher saw change; pages
    and folders that come, go or move are still found (the folders are walked again)."""
    base, folder = served
    kyphosis, about = folder / "content/causes/kyphosis.md", folder / "content/about.md"
    for word in ("first", "second", "third"):
        kyphosis.write_text(kyphosis.read_text().replace("curves forward", f"curves {word}"))
        assert wait_for(lambda w=word: f"curves {w}" in fetch(base + "/causes/kyphosis/")[1])
        kyphosis.write_text(kyphosis.read_text().replace(f"curves {word}", "curves forward"))
        about.write_text(about.read_text() + f"\nSaved {word}.\n")
        assert wait_for(lambda w=word: f"Saved {w}." in fetch(base + "/about/")[1])
    (folder / "content/extra").mkdir()
    (folder / "content/extra/rib-pain.md").write_text(NEW_PAGE)
    assert wait_for(lambda: fetch(base + "/extra/rib-pain/")[0] == 200)
    (folder / "content/extra").rename(folder / "content/more")
    assert wait_for(lambda: fetch(base + "/more/rib-pain/")[0] == 200)
    assert wait_for(lambda: fetch(base + "/extra/rib-pain/")[0] == 404)
    assert "curves forward" in fetch(base + "/causes/kyphosis/")[1]
    assert "Saved third." in fetch(base + "/about/")[1]
