"""Robustness, round two (issue 16): one test per class of bad input.

Each refused case starts from a good build of the fixture site, breaks one thing, and
checks the exact message and that the old `_site` is byte-for-byte unchanged.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from test_bad_input import apply, good, refuse  # noqa: F401  (good is a fixture)

from sitegen import content, sanitize

# --- 1. every scan of page text is linear ------------------------------------------

ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "< then whitespace": lambda n: "<" + " " * n,
    "only <": lambda n: "<" * n,
    "tags never closed": lambda n: "<a " * (n // 3),
    "end tags never closed": lambda n: "</" * (n // 2),
    "comments never closed": lambda n: "<!--" * (n // 4),
    "quoted attributes": lambda n: "<a b='>" * (n // 7),
    "[": lambda n: "[" * n,
    "link then whitespace": lambda n: "](" + " " * n,
    "links": lambda n: "](" * (n // 2),
    "backticks": lambda n: "`" * n,
    "fences never closed": lambda n: "```x\n" * (n // 5),
    "lines of whitespace": lambda n: (" " * 99 + "\n") * (n // 100),
    "braces": lambda n: "{a=" * (n // 3),
    "a mixture": lambda n: "< [ ` \t" * (n // 8),
    "quotes then whitespace": lambda n: ">" * 20 + " " * n,
    "code fence then <": lambda n: "```\n" + "<" + " " * n + "\n```\n",
}
SCANS: dict[str, Callable[[str], object]] = {
    "unsafe_html": lambda text: content.unsafe_html(text, 1, "x.md"),
    "nesting_errors": lambda text: content.nesting_errors(text, 1, "x.md"),
    "without_code": content._without_code,
    "sanitize.removals": sanitize.removals,
}
SIZE = 100_000


def timed(scan: Callable[[str], object], text: str, repeat: int) -> float:
    """Seconds for `repeat` scans of `text`, with no garbage collection in the middle."""
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        for _ in range(repeat):
            scan(text)
        return time.perf_counter() - started
    finally:
        gc.enable()


def times(scan: Callable[[str], object], small: str, large: str) -> tuple[float, float]:
    """The best times for the small and the large text, measured in turns so that a busy
    moment on the shared machine slows both alike; each measure lasts 20 ms or more."""
    repeat = 1
    while timed(scan, small, repeat) < 0.02:
        repeat *= 2
    best = [float("inf"), float("inf")]
    for _ in range(5):
        best = [min(best[0], timed(scan, small, repeat)), min(best[1], timed(scan, large, repeat))]
    return best[0] / repeat, best[1] / repeat


@pytest.mark.parametrize("scan", SCANS)
@pytest.mark.parametrize("shape", ADVERSARIAL)
def test_scans_of_page_text_take_linear_time(scan: str, shape: str) -> None:
    """100 KB of adversarial text, then 200 KB: doubling the input at most triples the time."""
    make = ADVERSARIAL[shape]
    once, twice = times(SCANS[scan], make(SIZE), make(2 * SIZE))
    assert twice <= 3 * once, f"{shape}: {once:.4f} s, then {twice:.4f} s"
    assert once < 1.0


def test_the_hang_from_issue_16_is_gone(good: Path, run) -> None:
    """A < and a long run of whitespace inside a code fence took minutes to scan."""
    body = "```\n<" + " " * 200_000 + "\n```\n"
    apply(good, {"content/causes/a.md": "---\ntitle: A\ndescription: B.\n---\n" + body})
    started = time.perf_counter()
    result = run("build")
    assert result.code == 0, result.err
    assert time.perf_counter() - started < 20


REMOVED = "was removed: pages may not run code or load other sites"


@pytest.mark.parametrize(
    ("snippet", "line", "what"),
    [
        ("<svg onload=steal()>", 1, "a <svg> element"),
        ("# Title {: onclick=steal() }", 1, "an event-handler attribute"),
        ("<https://example.org/> <javascript:steal()>", 1, "a javascript: link"),
        ('<img\nsrc="/a.png"\n\nstyle="x">', 4, "a style attribute"),
        ("[x](  &#106;avascript:steal())", 1, "a javascript: link"),
    ],
)
def test_the_report_reads_the_cleaners_allow_list(snippet: str, line: int, what: str) -> None:
    found = sanitize.removals(snippet)
    assert [(r.line, r.what) for r in found][:1] == [(line, what)]


def test_what_the_allow_list_keeps_is_not_reported() -> None:
    kept = '<p class="x"><a href="tel:+1" title="t">a</a> <img src="/a.png" alt="b"></p>'
    assert sanitize.removals(kept) == []
    assert sanitize.clean(kept) == kept


def test_other_html_the_cleaner_drops_is_reported_plainly() -> None:
    (found,) = sanitize.removals('<font color="red">x</font>')
    assert found.message == "a <font> element was removed: pages keep only simple HTML"
    (found,) = sanitize.removals('<p align="x">y</p>')
    assert found.message == "a align attribute on <p> was removed: pages keep only simple HTML"
