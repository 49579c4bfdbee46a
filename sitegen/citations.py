"""Numbered citations in page bodies: `[#1]` and `[#1, #3]` point at the page's `sources`.

The same pattern is used to render them (markdown_ext.py) and to check them here, on the
Markdown text as written, so that a message can name the line of each citation.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .errors import SiteError

# `[#1]`, `[#1, #3]` (a # before later numbers is optional). `\[#1]` is no citation:
# Python-Markdown's escapes run before it; citations_in() skips it by counting backslashes.
CITATION = re.compile(r"\[#(\d{1,4})((?:[ \t]*,[ \t]*#?\d{1,4})*)\]")
NUMBER = re.compile(r"\d+")
TICKS = re.compile(r"`+")
PARAGRAPH_END = re.compile(r"\n[ \t]*\n")
INDENTED = re.compile(r"^(?: {4}|\t)")
QUOTE = re.compile(r"^(?:[ ]{0,3}>[ ]?)+")
CALLOUT_MARKER = re.compile(r"^\s*\[![A-Za-z]+\]")
LIST_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d+[.)])[ \t]")
HOW_TO_CITE = "put [#1] right after the sentence that source supports (see docs/editing.md)"


def numbers(match: re.Match[str]) -> list[int]:
    """The source numbers of one citation: `[#1, #3]` -> [1, 3]."""
    return [int(n) for n in NUMBER.findall(match.group(1) + match.group(2))]


def citations_in(body: str) -> list[tuple[int, list[int]]]:
    """Every citation outside code as (offset in the body, its numbers), in order."""
    if "[#" not in body:
        return []
    text = _without_code_blocks(body)
    if "`" in text:
        parts, at = [], 0
        for start, end in _code_spans(text):
            parts += [text[at:start], re.sub(r"[^\n]", " ", text[start:end])]
            at = end
        text = "".join(parts) + text[at:]
    return [
        (m.start(), numbers(m)) for m in CITATION.finditer(text) if not _escaped(text, m.start())
    ]


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Where the code spans are, found as Python-Markdown 3.11 finds them (the site has no
    fenced blocks: ``` makes a span too): a run of backticks not after a backslash, up to
    the next run as long within the paragraph, else up to the longest shorter run."""
    spans, at = [], 0
    while (run := TICKS.search(text, at)) is not None:
        if _escaped(text, run.start()):  # its first backtick is shown as it is
            at = run.start() + 1
            continue
        end = PARAGRAPH_END.search(text, run.end())
        close, longest = None, (0, 0)  # (length, end) of the longest shorter run
        for other in TICKS.finditer(text, run.end(), end.start() if end else len(text)):
            if len(other[0]) == len(run[0]):
                close = other.end()
                break
            longest = max(longest, (len(other[0]), other.end()), key=lambda x: x[0])
        if close is None and 0 < longest[0] < len(run[0]):
            close = longest[1]
        if close is None:
            at = run.end()
            continue
        spans.append((run.start(), close))
        at = close
    return spans


def _escaped(text: str, at: int) -> bool:
    """An odd number of backslashes before `at`: the bracket is escaped."""
    start = at
    while start and text[start - 1] == "\\":
        start -= 1
    return (at - start) % 2 == 1


def _without_code_blocks(body: str) -> str:
    """Indented code blocks blanked out, lines kept: lines indented four spaces after a blank
    line (inside a quote: after its `>`), unless they go on with a list item (then they are
    the item's next paragraph)."""
    lines = body.split("\n")
    in_code, before_blank, last_text, depth = False, True, "", 0  # the start is after a blank
    for number, line in enumerate(lines):
        quote = QUOTE.match(line)
        if quote:
            if quote[0].count(">") != depth:  # a quote starts or ends: so does any block
                before_blank, last_text, in_code = True, "", False
                depth = quote[0].count(">")
            line = line[quote.end() :]
        elif depth and before_blank and line.strip():  # a blank line ended the quote
            last_text, in_code, depth = "", False, 0
        if not line.strip():
            before_blank = True
            continue
        if INDENTED.match(line) and (in_code or before_blank):
            in_code = in_code or not (LIST_ITEM.match(last_text) or INDENTED.match(last_text))
        else:
            in_code = False
        if in_code:
            lines[number] = " " * len(lines[number])
        else:
            last_text = line
        # a callout's marker line is a paragraph of its own (markdown_ext._MarkerLines)
        before_blank = bool(quote and CALLOUT_MARKER.match(line))
    return "\n".join(lines)


def source_lines(meta: Any, first_line: int) -> tuple[int | None, ...]:
    """The file lines of the `sources` field (index 0) and of each of its items (1...).
    `meta` is the front matter as parsed, with its line numbers; `first_line` that of
    its first line."""
    key_line = getattr(meta, "lines", {}).get("sources")
    if key_line is None:
        return (None,)
    items = meta.get("sources")
    items = items if isinstance(items, list) else []
    start = first_line + key_line
    return (start, *(first_line + getattr(i, "start", key_line) for i in items))


def citation_problems(
    shown: str,
    body: str,
    body_line: int,
    sources: Sequence[Any],
    lines: Sequence[int | None] = (),
) -> list[SiteError]:
    """Citations that point past the sources, sources never cited, and (a warning) a page
    that lists sources but cites none. `lines`: as from source_lines()."""
    found = citations_in(body)
    errors = [
        _past_the_end(shown, body_line + body.count("\n", 0, at), number, len(sources))
        for at, cited in found
        for number in cited
        if not 1 <= number <= len(sources)
    ]
    if not sources:
        return errors
    key_line = lines[0] if lines else None
    if not found:
        message = "sources are listed but none is cited"
        return [SiteError(message, shown, key_line, HOW_TO_CITE, warning=True)]
    cited = {n for _, ns in found for n in ns}
    for number, source in enumerate(sources, 1):
        if number not in cited:
            line = lines[number] if number < len(lines) else key_line
            errors.append(_uncited(shown, line, number, source))
    return sorted(errors, key=lambda e: e.line or 0)


def _past_the_end(shown: str, line: int, number: int, count: int) -> SiteError:
    """A citation whose number names no source."""
    if count == 0:
        message = f"the citation [#{number}] has no source: the page lists no sources"
        hint = "add the source to `sources` in the front matter, or remove the citation"
    else:
        listed = "1 source" if count == 1 else f"{count} sources"
        message = f"the citation [#{number}] has no source: the page lists {listed}"
        numbers = "[#1]" if count == 1 else f"a number from 1 to {count}"
        hint = f"use {numbers} (sources count from the top of `sources`), or add the source"
    return SiteError(message, shown, line, hint)


def _uncited(shown: str, line: int | None, number: int, source: Any) -> SiteError:
    """A listed source that no citation points at."""
    title = getattr(source, "title", "") or str(source)
    message = f'source {number} ("{title}") is listed but never cited'
    hint = f"put [#{number}] right after a sentence it supports, or remove it from `sources`"
    return SiteError(message, shown, line, hint)
