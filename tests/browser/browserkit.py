"""Helpers for the browser tests: build the site once, list its pages, watch a page."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-output" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
# A strict policy like the one the site is deployed with: any inline style or script,
# or any request to another host, shows up as a console error and fails a test.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self' https:; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
INSTALL = {
    "chromium": "apt-get install -y --no-install-recommends chromium chromium-driver",
    "playwright": "install the test extras: .venv/bin/pip install -e '.[test]'",
    "axe": "install axe-core: npm ci (needs Node.js: apt-get install -y nodejs npm)",
    "java": "install Java for the Nu HTML Checker: apt-get install -y default-jre-headless",
}


def need(ok: bool, what: str) -> None:
    """Skip when a tool is missing on a laptop; fail when CI=true, where nothing may skip."""
    if ok:
        return
    message = f"{what} is missing: {INSTALL[what]}"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@functools.cache
def built_site() -> tuple[Path | None, str]:
    """The output folder (built once per test run), or None and the build's output."""
    given = os.environ.get("SITE_DIR")
    if given:
        return Path(given), ""
    out = Path(tempfile.mkdtemp(prefix="site-browser-")) / "site"
    cmd = [sys.executable, "build.py", "build", "--out", str(out)]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        return None, f"{' '.join(cmd)} failed:\n{run.stdout}\n{run.stderr}"
    return out, ""


def is_redirect(html: str) -> bool:
    return 'http-equiv="refresh"' in html


@functools.cache
def page_paths() -> tuple[str, ...]:
    """Every HTML page of the built site as a URL path, except alias redirect pages."""
    out, _ = built_site()
    if out is None:
        return ()
    found = []
    for file in sorted(out.rglob("*.html")):
        if is_redirect(file.read_text(encoding="utf-8")):
            continue
        rel = file.relative_to(out).as_posix()
        found.append("/" + (rel.removesuffix("index.html")))
    return tuple(found)


class Watched:
    """A browser page that records console errors and every request it makes."""

    def __init__(self, context: object, base_url: str) -> None:
        self.page = context.new_page()
        self.problems: list[str] = []
        self.base_url = base_url
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"script error: {exc}"))
        self.page.on("request", self._request)
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)

    def _console(self, msg: object) -> None:
        if msg.type == "error":
            self.problems.append(f"console error: {msg.text}")

    def _request(self, request: object) -> None:
        url = request.url
        if not (url.startswith(self.base_url + "/") or url.startswith(("data:", "about:"))):
            self.problems.append(f"request to another host: {url}")

    def _failed(self, request: object) -> None:
        self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: object) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def goto(self, path: str) -> None:
        self.page.goto(self.base_url + path, wait_until="load")
