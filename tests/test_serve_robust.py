"""`build.py serve` under attack and load: a real server process on a free local port.

Requests are sent over raw sockets so that paths reach the server exactly as written
(http clients would normalise `/../`). Nothing outside the output folder is ever served.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import FIXTURE, ROOT
from support import free_port, leftovers, skip_or_fail, tree_hashes, wait_for

SECRET = "SECRET-6f1d2c-not-for-the-web"
FIXTURE_NAMES = [p.name for p in FIXTURE.iterdir()]


@dataclass
class Served:
    base: str
    port: int
    folder: Path
    log: Path
    proc: subprocess.Popen


def raw_get(port: int, target: str, timeout: float = 10.0) -> tuple[int, bytes]:
    """Send `GET target` exactly as written; return the status and the whole response."""
    request = f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request.encode("latin-1"))
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    status = re.match(rb"HTTP/1\.[01] (\d{3})", response)
    assert status, response[:200]
    return int(status[1]), response


def start(tmp_path: Path, *args: str) -> Served:
    folder = tmp_path / "site"
    shutil.copytree(FIXTURE, folder)
    (folder / "secret.txt").write_text(SECRET)  # beside the output folder
    (tmp_path / "secret.txt").write_text(SECRET)
    port = free_port()
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port), *args],
        cwd=folder,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    served = Served(f"http://127.0.0.1:{port}", port, folder, log, proc)
    if not wait_for(lambda: raw_get(port, "/")[0] == 200):
        stop(served)
        pytest.fail("serve did not start:\n" + log.read_text())
    return served


def stop(served: Served) -> None:
    served.proc.terminate()
    try:
        served.proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        served.proc.kill()
        served.proc.wait()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Served]:
    served = start(tmp_path)
    try:
        yield served
    finally:
        stop(served)


def asset_of(html: bytes) -> str:
    """The fingerprinted stylesheet a page links to, as a site path."""
    href = re.search(rb'<link rel="stylesheet" href="([^"]+)"', html)
    assert href, html[:500]
    return "/" + href[1].decode().lstrip("./")


# --- path traversal -------------------------------------------------------------------

TRAVERSALS = [
    "/../secret.txt",
    "/../../secret.txt",
    "/../content/site.yaml",
    "/causes/../../secret.txt",
    "/./../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2E%2E/secret.txt",
    "/.%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..%2fsecret.txt",
    "/..%2f..%2fsecret.txt",
    "/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/%252e%252e/secret.txt",
    "/..\\secret.txt",
    "/..%5csecret.txt",
    "/..%c0%afsecret.txt",
    "/%00/../secret.txt",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "///etc/passwd",
    "http://127.0.0.1/../secret.txt",
    "http://127.0.0.1/%2e%2e/secret.txt",
]


def test_path_traversal_is_refused(server: Served) -> None:
    """Every form of `..` and every absolute path: 400, 403 or 404, never the file."""
    answers = {}
    for target in TRAVERSALS:
        status, response = raw_get(server.port, target)
        answers[target] = status
        assert SECRET.encode() not in response, target
        assert b"base_url" not in response and b"root:x:" not in response, target
    assert all(status in (400, 403, 404) for status in answers.values()), answers


def test_symlinks_out_of_the_output_folder_are_not_followed(server: Served) -> None:
    out = server.folder / "_site"
    (out / "leak.txt").symlink_to(server.folder / "secret.txt")
    (out / "leak-dir").symlink_to(server.folder)
    (out / "etc").symlink_to("/etc")
    for target in ("/leak.txt", "/leak-dir/secret.txt", "/leak-dir/content/site.yaml",
                   "/etc/passwd", "/leak-dir/", "/etc/"):  # fmt: skip
        status, response = raw_get(server.port, target)
        assert status in (400, 403, 404), (target, status)
        assert SECRET.encode() not in response and b"root:x:" not in response, target


def test_files_inside_the_output_folder_are_still_served(server: Served) -> None:
    """The refusals above are not a server that refuses everything."""
    status, page = raw_get(server.port, "/causes/kyphosis/")
    assert status == 200 and b"The upper back curves forward" in page
    assert raw_get(server.port, asset_of(page))[0] == 200
    assert raw_get(server.port, "/causes/../causes/kyphosis/")[0] in (200, 301, 400, 404)


# --- where it listens -------------------------------------------------------------------


def listening(port: int) -> set[str]:
    """The local addresses with a socket listening on `port` (Linux /proc/net)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


def test_binds_127_0_0_1_by_default_without_a_warning(server: Served) -> None:
    log = server.log.read_text()
    assert f"Serving on http://127.0.0.1:{server.port}/" in log
    assert "warning: serving on" not in log
    if not os.path.exists("/proc/net/tcp"):
        skip_or_fail("no /proc/net/tcp to see where the server listens")
    assert listening(server.port) == {"0100007F"}, "only on 127.0.0.1"


def test_another_host_prints_a_warning(tmp_path: Path) -> None:
    served = start(tmp_path, "--host", "0.0.0.0")
    try:
        log = served.log.read_text()
    finally:
        stop(served)
    lines = log.splitlines()
    warning = "warning: serving on 0.0.0.0: other computers on the network can see the preview"
    assert warning in lines
    assert lines.index(warning) < lines.index(
        f"Serving on http://0.0.0.0:{served.port}/  (Ctrl-C to stop)"
    )


# --- a failed rebuild keeps the last good site --------------------------------------------


def test_a_failed_rebuild_keeps_the_last_good_site(server: Served) -> None:
    out = server.folder / "_site"
    before = tree_hashes(out)
    status, page = raw_get(server.port, "/causes/kyphosis/")
    css = asset_of(page)
    source = server.folder / "content/causes/kyphosis.md"
    good = source.read_text()
    source.write_text(good.replace("title: Kyphosis", "title: [Kyphosis"))
    assert wait_for(lambda: raw_get(server.port, "/causes/kyphosis/")[0] == 500)
    status, errors = raw_get(server.port, "/about/")
    assert status == 500 and b"content/causes/kyphosis.md:" in errors
    assert tree_hashes(out) == before, "the last good site stays on disk, file for file"
    assert not leftovers(server.folder)
    status, style = raw_get(server.port, css)
    assert status == 200 and len(style) > 100, "assets are still served"
    assert raw_get(server.port, "/images/curve.svg")[0] == 200
    source.write_text(good.replace("curves forward", "bends ahead"))
    assert wait_for(
        lambda: b"The upper back bends ahead" in raw_get(server.port, "/causes/kyphosis/")[1]
    )
    assert raw_get(server.port, "/about/")[0] == 200


# --- load --------------------------------------------------------------------------------


def test_200_concurrent_requests_all_succeed(server: Served) -> None:
    """A bounded load test: 200 requests, 50 at a time, on 127.0.0.1 only."""
    page = raw_get(server.port, "/")[1]
    targets = ["/", "/causes/", "/causes/kyphosis/", "/about/", "/treatments/physical-therapy/",
               "/clinicians/pat-lee/", asset_of(page), "/images/curve.svg", "/sitemap.xml",
               "/robots.txt"]  # fmt: skip
    jobs = [targets[n % len(targets)] for n in range(200)]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(lambda target: raw_get(server.port, target, 30), jobs))
    seconds = time.perf_counter() - started
    failed = [(t, s) for t, (s, _) in zip(jobs, answers, strict=True) if s != 200]
    assert failed == [], failed
    assert all(len(body) > 200 for _, body in answers)
    print(f"200 requests, 50 at a time, in {seconds:.2f} s")
    assert raw_get(server.port, "/")[0] == 200, "and it still answers afterwards"
    assert server.proc.poll() is None


# --- only its own output, only its own pages ------------------------------------------------


def status_of(port: int, target: str, headers: dict[str, str]) -> int:
    """Send a request with these headers; the status, read without waiting for the body
    (a WebSocket that is accepted stays open)."""
    lines = [f"GET {target} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
        head = b""
        while b"\r\n" not in head and (chunk := sock.recv(1024)):
            head += chunk
    status = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    assert status, head[:200]
    return int(status[1])


def websocket(port: int, **extra: str) -> dict[str, str]:
    """The headers of livereload.js's WebSocket handshake from the preview's own page."""
    return {
        "Host": f"127.0.0.1:{port}",
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
        "Origin": f"http://127.0.0.1:{port}",
        **extra,
    }


def test_the_live_reload_websocket_answers_only_its_own_pages(server: Served) -> None:
    port = server.port
    assert status_of(port, "/livereload", websocket(port)) == 101, "the preview's own page"
    for extra in (
        {"Origin": "http://evil.example"},
        {"Origin": f"http://127.0.0.1:{port}.evil.example"},
        {"Origin": "null"},
        {"Host": f"evil.example:{port}", "Origin": f"http://evil.example:{port}"},  # rebinding
    ):
        assert status_of(port, "/livereload", websocket(port, **extra)) == 403, extra


def test_forcereload_answers_only_its_own_pages(server: Served) -> None:
    port = server.port
    own = {"Host": f"127.0.0.1:{port}", "Connection": "close"}
    assert status_of(port, "/forcereload", own) == 200
    assert status_of(port, "/forcereload", {**own, "Sec-Fetch-Site": "same-origin"}) == 200
    for extra in (
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},  # an <img src> on another site sends no Origin
        {"Sec-Fetch-Site": "same-site"},
        {"Host": f"evil.example:{port}"},
    ):
        assert status_of(port, "/forcereload", {**own, **extra}) == 403, extra


@pytest.mark.parametrize("target", ["/%00", "/index%00.html", "/causes/%00/", "/%00/../"])
def test_a_nul_in_the_path_is_a_bad_request(server: Served, target: str) -> None:
    assert raw_get(server.port, target)[0] == 400
    assert raw_get(server.port, "/")[0] == 200
    log = server.log.read_text()
    assert "Traceback" not in log and "Uncaught exception" not in log, log


def test_hidden_files_of_the_output_are_not_served(server: Served) -> None:
    assert (server.folder / "_site/.sitegen").is_file()
    status, response = raw_get(server.port, "/.sitegen")
    assert status == 404 and b"replaced whole" not in response


@pytest.mark.parametrize("out", [".", "HOME"])
def test_serve_refuses_a_folder_the_build_refuses(tmp_path: Path, out: str) -> None:
    """`serve --out .` would serve the project (.env, build.py); `--out ~` the home folder."""
    folder = tmp_path / "site"
    shutil.copytree(FIXTURE, folder)
    (folder / ".env").write_text(SECRET)
    shutil.copy(ROOT / "build.py", folder / "build.py")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bash_history").write_text(SECRET)
    port = free_port()
    where = "." if out == "." else str(home)
    done = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "serve", "--port", str(port), "--out", where],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "HOME": str(home), "USERPROFILE": str(home)},
    )
    why = "it would replace the project folder" if out == "." else "it is the home or root folder"
    assert done.returncode == 1
    assert f"refusing to build into {where}: {why}" in done.stderr
    assert "serve stopped before building: nothing was served" in done.stderr
    assert "Serving on" not in done.stdout
    with pytest.raises(OSError):
        raw_get(port, "/.env", timeout=2)
    assert [p.name for p in home.iterdir()] == [".bash_history"], "nothing was written there"
    assert sorted(p.name for p in folder.iterdir()) == sorted([*FIXTURE_NAMES, ".env", "build.py"])
