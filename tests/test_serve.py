"""`build.py serve` for real: a process on a free port on 127.0.0.1, fetched over HTTP."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURE, ROOT
from support import free_port, tree_hashes, wait_for


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The fixture site served by `build.py serve`; yields its base URL and folder."""
    folder = tmp_path / "site"
    shutil.copytree(FIXTURE, folder)
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port)],
        cwd=folder,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: fetch(base + "/")[0] == 200), (tmp_path / "serve.log").read_text()
        yield base, folder
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def test_serve_shows_an_edit(server: tuple[str, Path]) -> None:
    base, folder = server
    status, body = fetch(base + "/causes/kyphosis/")
    assert status == 200
    assert "The upper back curves forward" in body
    page = folder / "content/causes/kyphosis.md"
    page.write_text(page.read_text().replace("curves forward", "bends ahead"))
    assert wait_for(lambda: "The upper back bends ahead" in fetch(base + "/causes/kyphosis/")[1])


def test_serve_shows_errors_then_recovers(server: tuple[str, Path]) -> None:
    base, folder = server
    page = folder / "content/causes/kyphosis.md"
    good = page.read_text()
    page.write_text(good.replace("reviewed: 2024-02-29", "reviewed: soon"))
    assert wait_for(lambda: fetch(base + "/causes/kyphosis/")[0] == 500)
    body = fetch(base + "/")[1]
    assert "content/causes/kyphosis.md:5" in body
    assert "&#x27;reviewed&#x27; should be a date like 2026-03-01" in body
    assert "5 | reviewed: soon" in body
    assert (folder / "_site/causes/kyphosis/index.html").is_file(), "last good build is kept"
    page.write_text(good)
    assert wait_for(lambda: fetch(base + "/causes/kyphosis/")[0] == 200)


def test_serve_injects_reload_script_but_build_does_not(server: tuple[str, Path]) -> None:
    base, folder = server
    assert "livereload.js" in fetch(base + "/")[1]
    assert "livereload" not in (folder / "_site/index.html").read_text()


def test_the_reload_script_is_a_file_that_a_csp_of_script_src_self_allows(
    server: tuple[str, Path],
) -> None:
    """An inline snippet would be blocked by the pages' own CSP (script-src 'self')."""
    base, _ = server
    port = base.rsplit(":", 1)[1]
    body = fetch(base + "/causes/kyphosis/")[1]
    assert f'<script src="/livereload.js?port={port}"></script></head>' in body
    inline = r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>"  # data is not run
    assert re.findall(inline, body) == [], "no inline script"
    status, script = fetch(base + "/livereload.js")
    assert status == 200 and "LiveReload" in script


def test_serve_answers_missing_pages_with_404(server: tuple[str, Path]) -> None:
    base, _ = server
    status, body = fetch(base + "/no-such-page/")
    assert status == 404
    assert "Page not found" in body


@pytest.mark.parametrize("path", ["/../conftest.py", "/%2e%2e/content/site.yaml", "//etc/passwd"])
def test_serve_refuses_paths_outside_the_output(server: tuple[str, Path], path: str) -> None:
    base, _ = server
    status, body = fetch(base + path)
    assert status in (400, 403, 404)
    assert "base_url" not in body and "root:" not in body


def test_a_second_serve_on_a_busy_port_says_where_the_first_one_is(
    server: tuple[str, Path],
) -> None:
    base, folder = server
    port = int(base.rsplit(":", 1)[1])
    before = tree_hashes(folder / "_site")
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port)],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        f"port {port} is busy: the preview seems to be running already at {base}/",
        "  hint: stop it with Ctrl-C in its window, or run a second preview with"
        f" --port {port + 1}",
        "serve stopped before building: nothing was served",
    ]
    assert done.stdout == ""
    assert tree_hashes(folder / "_site") == before, "the second one built nothing"
    assert fetch(base + "/")[0] == 200, "the first one still serves"


def test_serve_prints_one_line_per_rebuild_and_each_warning_once(
    server: tuple[str, Path], tmp_path: Path
) -> None:
    base, folder = server
    page = folder / "content/causes/kyphosis.md"
    for old, new in (("curves forward", "bends ahead"), ("bends ahead", "leans ahead")):
        page.write_text(page.read_text().replace(old, new))
        assert wait_for(lambda new=new: f"upper back {new}" in fetch(base + "/causes/kyphosis/")[1])
    assert fetch(base + "/no-such-page/")[0] == 404  # tornado would log a warning for it
    log = (tmp_path / "serve.log").read_text().splitlines()
    serving = next(n for n, line in enumerate(log) if line.startswith("Serving on "))
    after = log[serving + 1 :]
    assert len(after) >= 2 and all(line.startswith("rebuilt ") for line in after), after
    assert all("warning(s) as above" in line for line in after), after
    warnings = [line for line in log if ": warning: " in line]
    assert warnings and len(warnings) == len(set(warnings)), "each warning printed once"
    assert any("appointment_endpoint" in line for line in warnings)
    noise = [line for line in log if line.startswith("[") or "livereload" in line.lower()]
    assert noise == []
