"""The Content-Security-Policy holds on every host: in `_headers` and in each page's <meta>.

GitHub Pages and a plain S3 bucket ignore `_headers`, so every page carries the same policy
in a <meta http-equiv> early in <head>, less what a <meta> cannot carry.
"""

from __future__ import annotations

import contextlib
import functools
import shutil
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .browserkit import headers_for, page_paths, path_rules, site_headers

NOT_IN_META = {"frame-ancestors", "report-uri", "sandbox"}


def directives(policy: str) -> dict[str, str]:
    """'a x; b y' -> {'a': 'x', 'b': 'y'}."""
    found = {}
    for part in policy.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            found[name] = " ".join(value.split())
    return found


class _Head(HTMLParser):
    """The policies in <meta http-equiv> and how many elements of <head> come before."""

    def __init__(self) -> None:
        super().__init__()
        self.policies: list[tuple[int, str]] = []
        self.before = 0
        self.in_head = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "head":
            self.in_head = True
        elif self.in_head:
            if (values.get("http-equiv") or "").lower() == "content-security-policy":
                self.policies.append((self.before, values.get("content") or ""))
            self.before += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False


def meta_policies(file: Path) -> list[tuple[int, str]]:
    head = _Head()
    head.feed(file.read_text(encoding="utf-8"))
    return head.policies


def test_every_page_carries_the_policy_of_headers_less_what_meta_cannot(site_dir: Path) -> None:
    common = tuple(site_headers(site_dir))
    rules = path_rules(site_dir)
    assert "frame-ancestors" in directives(dict(common)["Content-Security-Policy"])
    files = sorted(site_dir.rglob("*.html"))
    assert len(files) >= len(page_paths()) > 5
    for file in files:
        where = file.relative_to(site_dir)
        path = "/" + where.as_posix().removesuffix("index.html")
        sent = dict(headers_for(path, common, rules))["Content-Security-Policy"]
        assert "frame-ancestors" in directives(sent), "_headers keeps what a <meta> cannot carry"
        expected = {k: v for k, v in directives(sent).items() if k not in NOT_IN_META}
        policies = meta_policies(file)
        assert len(policies) == 1, f"{where}: one policy <meta>, not {len(policies)}"
        position, policy = policies[0]
        assert position <= 1, f"{where}: the policy comes right after <meta charset>"
        assert directives(policy) == expected, where  # the search page's allows WebAssembly


class _NoHeaders(SimpleHTTPRequestHandler):
    """A plain static host: files and no headers of the site's own."""

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def plain_host(directory: Path) -> Iterator[str]:
    handler = functools.partial(_NoHeaders, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


INJECTED = "<script>document.documentElement.dataset.ran = 'yes'</script>"


def test_a_page_served_with_no_headers_still_blocks_an_inline_script(
    site_dir: Path, browser: object, tmp_path: Path
) -> None:
    """An inline script slipped into a page (as stored XSS would be) does not run."""
    copy = tmp_path / "site"
    shutil.copytree(site_dir, copy)
    (copy / "_headers").unlink()
    page_file = copy / "about/index.html"
    html = page_file.read_text(encoding="utf-8")
    page_file.write_text(html.replace("</main>", INJECTED + "</main>", 1), encoding="utf-8")
    control = copy / "control.html"
    control.write_text("<!doctype html><title>c</title>" + INJECTED, encoding="utf-8")
    context = browser.new_context()
    try:
        page = context.new_page()
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if m.type == "error" else None)
        with plain_host(copy) as url:
            response = page.goto(url + "/control.html", wait_until="load")
            assert "content-security-policy" not in response.headers
            ran = "document.documentElement.dataset.ran || 'no'"
            assert page.evaluate(ran) == "yes", "without a policy the script runs"
            response = page.goto(url + "/about/", wait_until="load")
            assert "content-security-policy" not in response.headers
            assert page.evaluate(ran) == "no", "the <meta> policy blocked the script"
    finally:
        context.close()
    assert any("Content Security Policy" in v for v in violations), violations
