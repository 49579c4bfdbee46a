"""Showing problems to people: one format for the terminal (build, serve, check) and the
browser (serve's error page). Each problem shows its place, the offending line of the
file when there is one, and a hint, as Jinja2 shows a template syntax error."""

from __future__ import annotations

import html
import sys
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from .errors import SiteError


def with_sources(problems: Iterable[SiteError]) -> list[SiteError]:
    """Each problem with the text of its file's offending line: each file read once, and
    its lines let go before the next (a large site's warnings name thousands of files)."""
    found = list(problems)
    by_file: dict[str, list[int]] = {}
    for index, problem in enumerate(found):
        if problem.path and problem.line and not problem.source:
            by_file.setdefault(problem.path, []).append(index)
    for path, indices in by_file.items():
        lines = _lines_of(path)
        for index in indices:
            line = found[index].line or 0
            if 0 < line <= len(lines):
                found[index] = replace(found[index], source=lines[line - 1].rstrip())
    return found


def _lines_of(path: str) -> list[str]:
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except (OSError, ValueError):
        return []
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")  # as pages are read


def text_lines(problem: SiteError) -> list[str]:
    """'file:line: [warning: ]message', then '  line | the line itself', then the hint."""
    label = "warning: " if problem.warning else ""
    where = problem.location()
    lines = [f"{where}: {label}{problem.message}" if where else f"{label}{problem.message}"]
    if problem.source.strip():
        lines.append(f"  {problem.line} | {shorten(problem.source.strip())}")
    if problem.hint:
        lines.append(f"  hint: {problem.hint}")
    return lines


def shorten(text: str, width: int = 100) -> str:
    """A long line cut to fit a terminal, marked with an ellipsis."""
    return text if len(text) <= width else text[: width - 1] + "…"


def print_problems(problems: Iterable[SiteError], stream: TextIO | None = None) -> None:
    """Print errors and warnings for the terminal."""
    out = stream or sys.stderr
    found = with_sources(problems)
    for at in range(0, len(found), 500):  # stderr is flushed at every line: write in blocks
        lines = [line for problem in found[at : at + 500] for line in text_lines(problem)]
        out.write("\n".join(lines) + "\n")
    out.flush()


def html_page(problems: list[SiteError]) -> str:
    """A plain page listing each problem, for the browser while the last build failed."""
    items = "".join(_html_item(p) for p in with_sources(problems))
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Build failed: {count}</title></head>"
        '<body style="font:1.1rem/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;'
        'padding:0 1rem;color:#1d1d1d;overflow-wrap:anywhere">'
        f"<h1>The site could not be built: {count}</h1>"
        "<p>Fix the file and save it. This page updates by itself. "
        "The last good version of the site is kept until then.</p>"
        f"<ol>{items}</ol></body></html>"
    )


SHOWN_WARNINGS = 50  # more would bury the page; the terminal and `check` list them all


def warnings_box(warnings: list[SiteError]) -> bytes:
    """The last build's warnings (a removed <iframe>, say) as a small folded box for a
    corner of each preview page; made once per build, not once per page served."""
    if not warnings:
        return b""
    shown = warnings[:SHOWN_WARNINGS]
    items = "".join(_html_item(p) for p in with_sources(shown))
    count = f"{len(warnings)} warning{'s' if len(warnings) != 1 else ''}"
    more = len(warnings) - len(shown)
    rest = (
        f"<p>{more} more are listed in the terminal, and by <code>build.py check</code>.</p>"
        if more
        else ""
    )
    box = (
        '<details data-preview-warnings style="position:fixed;right:.5rem;bottom:.5rem;'
        "z-index:999;max-width:min(40rem,calc(100vw - 1rem));max-height:70vh;overflow:auto;"
        "background:#fff8e1;color:#1d1d1d;border:2px solid #8a6d00;border-radius:.4rem;"
        'padding:.4rem .8rem;font:1rem/1.45 system-ui,sans-serif;overflow-wrap:anywhere">'
        f"<summary>Last build: {count} (shown in the preview only)</summary>"
        f"<ol>{items}</ol>{rest}</details>"
    )
    return box.encode()


def with_warnings(page: bytes, box: bytes) -> bytes:
    """A preview page with the warnings box at its corner. Only `serve` adds it; the built
    site never has it."""
    at = page.rfind(b"</body>")
    if not box or at < 0:
        return page
    return page[:at] + box + page[at:]


def _html_item(problem: SiteError) -> str:
    where = html.escape(problem.location() or "the site")
    quoted = ""
    if problem.source.strip():
        quoted = (
            '<pre style="background:#f3f3f3;padding:.5rem;white-space:pre-wrap">'
            f"{problem.line} | {html.escape(problem.source)}</pre>"
        )
    hint = (
        f"<p><strong>What to do:</strong> {html.escape(problem.hint)}</p>" if problem.hint else ""
    )
    return (
        '<li style="margin:0 0 1.5rem"><p><code>'
        f"{where}</code></p><p><strong>{html.escape(problem.message)}</strong></p>"
        f"{quoted}{hint}</li>"
    )
