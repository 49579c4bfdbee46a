"""Callout blocks (`> [!URGENT] Title`) in a built page, wherever they stand."""

from __future__ import annotations

from pathlib import Path

PAGE = """---
title: Quotes and callouts
description: A page with a plain quote before a callout.
---
> A plain quote from a patient.

Some text between them.

> [!URGENT] Call 911 now
> Chest pain with upper back pain can be a heart attack.

More text.

> [!TIP] Move a little
> Short walks help.
"""


def test_a_plain_quote_before_a_callout_leaves_the_callout_working(site: Path, run) -> None:
    (site / "content/quotes.md").write_text(PAGE)
    result = run("build")
    assert result.code == 0, result.err
    html = (site / "_site/quotes/index.html").read_text()
    assert 'class="callout callout-urgent"' in html, "the urgent box after a plain quote"
    assert 'class="callout callout-tip"' in html
    assert html.count("<blockquote>") == 1, "the plain quote stays a quote"
    assert "[!URGENT]" not in html and "[!TIP]" not in html
    assert html.index("A plain quote") < html.index("callout-urgent") < html.index("callout-tip")
